/* 8 threads x 1,000,000 allocations, half of them freed by another thread:
 * totals must be exact after the threads exit (their counters merge), and
 * live bytes must equal what the test deliberately keeps. Also run under
 * ThreadSanitizer by tests/run.sh. TEST_THREADS_ITERS overrides the count. */
#include <pthread.h>
#include <stdlib.h>

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

int main(void) {
  if (getenv("TEST_THREADS_ITERS")) iters = atol(getenv("TEST_THREADS_ITERS"));
  bool on = rtprof_enabled();
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
    printf("allocs %" PRIu64 " (%" PRIu64 " bytes per thread in the loop), live %" PRIu64 "\n",
           b.allocs - a.allocs, bytes, b.live_bytes - a.live_bytes);
    CHECK_EQ(rtprof_dump(NULL), 0);
  }
  for (int i = 0; i < THREADS; i++)
    for (int k = 0; k < KEEP; k++) rt_free(kept[i][k]);
  rt_alloc_stats(&b);
  if (on) CHECK_EQ(b.live_bytes, a.live_bytes);
  TEST_DONE();
}
