/* 8 threads x 1,000,000 allocations, half of them freed by another thread:
 * totals must be exact after the threads exit (their counters merge), and
 * live bytes must equal what the test deliberately keeps. Also run under
 * ThreadSanitizer by tests/run.sh. TEST_THREADS_ITERS overrides the count.
 * Exact byte totals are read back from the dump it writes. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof.h"
#include "../testhelper.h"

#define THREADS 8
#define KEEP 10          /* blocks each thread keeps live */
#define KEEP_SIZE 1000

typedef struct mailbox_s {
  pthread_mutex_t lock;
  void **items;
  size_t count, cap;
} mailbox_t;

static mailbox_t boxes[THREADS];
static long iters = 1000000;
static void *kept[THREADS][KEEP];

static void post(mailbox_t *m, void *p) {
  pthread_mutex_lock(&m->lock);
  if (m->count == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 1024;
    m->items = realloc(m->items, m->cap * sizeof *m->items); /* libc, not counted */
  }
  m->items[m->count++] = p;
  pthread_mutex_unlock(&m->lock);
}

static void drain(mailbox_t *m) {
  pthread_mutex_lock(&m->lock);
  for (size_t i = 0; i < m->count; i++) rt_free(m->items[i]);
  m->count = 0;
  pthread_mutex_unlock(&m->lock);
}

static size_t size_of(long i) { return (size_t)(i % 200) + 1; }

static void *worker(void *arg) {
  long me = (long)arg;
  PROFILE_PHASE("worker");
  for (long i = 0; i < iters; i++) {
    char *p = rt_alloc(size_of(i));
    p[0] = (char)i;
    if (i & 1) post(&boxes[(me + 1) % THREADS], p);
    else rt_free(p);
    if ((i & 1023) == 0) drain(&boxes[me]);
  }
  for (int k = 0; k < KEEP; k++) kept[me][k] = rt_alloc(KEEP_SIZE);
  return NULL;
}

/* A field of the first line of KIND in the dump at RTPROF_OUT, or -1. */
static int64_t dump_field(const char *kind, const char *key) {
  const char *path = getenv("RTPROF_OUT");
  FILE *f = path ? fopen(path, "r") : NULL;
  if (f == NULL) return -1;
  char line[4096];
  int64_t v = -1;
  size_t klen = strlen(kind);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, kind, klen) != 0 || line[klen] != ' ') continue;
    char *at = strstr(line, key);
    if (at && (at[-1] == ' ')) v = strtoll(at + strlen(key), NULL, 10);
    break;
  }
  fclose(f);
  return v;
}

int main(void) {
  if (getenv("TEST_THREADS_ITERS")) iters = atol(getenv("TEST_THREADS_ITERS"));
  bool on = test_expect_on();
  CHECK_EQ(rtprof_enabled(), on);
  for (int i = 0; i < THREADS; i++) pthread_mutex_init(&boxes[i].lock, NULL);
  rt_alloc_stats_t a;
  rt_alloc_stats(&a);
  pthread_t th[THREADS];
  for (long i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, (void *)i);
  for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < THREADS; i++) drain(&boxes[i]);
  rt_alloc_stats_t b;
  rt_alloc_stats(&b);
  uint64_t bytes = 0;
  for (long i = 0; i < iters; i++) bytes += size_of(i);
  if (on) {
    CHECK_EQ(b.allocs - a.allocs, THREADS * (iters + KEEP));
    CHECK_EQ(b.frees - a.frees, THREADS * iters);
    CHECK_EQ(b.live_blocks - a.live_blocks, THREADS * KEEP);
    CHECK_EQ(b.live_bytes - a.live_bytes, THREADS * KEEP * KEEP_SIZE);
    CHECK(b.peak_live_bytes >= b.live_bytes);
    CHECK_EQ(b.allocs, THREADS * (iters + KEEP)); /* nothing else allocated with rt_* */
    CHECK_EQ(rtprof_dump(NULL), 0);
    /* The dump's exact byte totals: every thread's loop bytes plus the kept
     * blocks; the worker phase's 8 calls; its pair with the loop's site (the
     * first site: each thread allocates there first). */
    CHECK_EQ(dump_field("totals", "alloc_bytes="), THREADS * (bytes + KEEP * KEEP_SIZE));
    CHECK_EQ(dump_field("totals", "freed_bytes="), THREADS * bytes);
    CHECK_EQ(dump_field("totals", "live_bytes="), THREADS * KEEP * KEEP_SIZE);
    CHECK_EQ(dump_field("phase", "calls="), THREADS);
    CHECK_EQ(dump_field("pair", "alloc_bytes="), THREADS * bytes);
    CHECK_EQ(dump_field("pair", "freed_bytes="), THREADS * bytes);
  }
  for (int i = 0; i < THREADS; i++)
    for (int k = 0; k < KEEP; k++) rt_free(kept[i][k]);
  rt_alloc_stats(&b);
  if (on) CHECK_EQ(b.live_bytes, a.live_bytes);
  TEST_DONE();
}
