/* Committed-bytes accessors: the invariants written on rt_alloc_stats_t hold
 * while threads allocate and free; RSS is the kernel's figure; committed
 * moves when a large block is committed. Prints each accessor's cost. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtprof.h"
#include "../testhelper.h"

static atomic_bool stop;

static void *churn(void *arg) {
  uint64_t x = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
  void *slots[256] = {0};
  while (!atomic_load(&stop)) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    int k = (int)(x % 256);
    rt_free(slots[k]);
    slots[k] = rt_alloc(1 + (x >> 32) % 70000);
  }
  for (int k = 0; k < 256; k++) rt_free(slots[k]);
  return NULL;
}

static uint64_t statm_rss(void) {
  char buf[128] = {0};
  int fd = open("/proc/self/statm", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  unsigned long size = 0, resident = 0;
  if (n > 0) sscanf(buf, "%lu %lu", &size, &resident);
  return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static double ns_per_call(void (*fn)(void), int n) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < n; i++) fn();
  clock_gettime(CLOCK_MONOTONIC, &b);
  return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / n;
}

static volatile uint64_t sink;
static void call_committed(void) { sink = rt_alloc_committed_bytes(); }
static void call_peak(void) { sink = rt_alloc_peak_committed_bytes(); }
static void call_live(void) { sink = rt_alloc_live_bytes(); }
static void call_stats(void) {
  rt_alloc_stats_t s;
  rt_alloc_stats(&s);
  sink = s.rss_bytes;
}
static void call_phase(void) { PROFILE_PHASE("cost"); }

int main(void) {
  bool on = test_expect_on();
  CHECK_EQ(rtprof_enabled(), on);
  pthread_t th[4];
  for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, churn, (void *)(i + 1));
  int broken = 0;
  for (int i = 0; i < 2000; i++) {
    rt_alloc_stats_t s;
    rt_alloc_stats(&s);
    broken += s.peak_committed_bytes < s.committed_bytes;
    broken += s.peak_rss_bytes < s.rss_bytes;
    broken += s.peak_live_bytes < s.live_bytes;
    broken += s.live_blocks != s.allocs - s.frees;
    broken += s.profiling != on;
  }
  atomic_store(&stop, true);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  CHECK_EQ(broken, 0);
  {
    rt_alloc_stats_t quiet; /* no other thread allocates now */
    rt_alloc_stats(&quiet);
    if (on) CHECK(quiet.committed_bytes + quiet.overhead_bytes >= quiet.live_bytes);
  }

  /* RSS is the kernel's figure: agrees with an independent read of statm. */
  rt_alloc_stats_t s;
  rt_alloc_stats(&s);
  uint64_t kernel = statm_rss();
  CHECK(s.rss_bytes + (1 << 20) >= kernel && kernel + (1 << 20) >= s.rss_bytes);

  /* Committing a 64 MiB block moves committed (and RSS once touched). */
  uint64_t before = rt_alloc_committed_bytes();
  size_t big = (size_t)64 << 20;
  char *p = rt_alloc(big);
  memset(p, 1, big);
  rt_alloc_stats_t t;
  rt_alloc_stats(&t);
  CHECK(t.committed_bytes >= before + big);
  CHECK(t.rss_bytes >= s.rss_bytes + big - (4 << 20));
  CHECK(t.peak_committed_bytes >= before + big);
  if (on) CHECK_EQ(t.live_bytes - s.live_bytes, big);
  rt_free(p);
  CHECK(rt_alloc_peak_committed_bytes() >= before + big);
  CHECK(rt_alloc_committed_bytes() > 0);
  CHECK_EQ(with_alloc_committed_bytes(), rt_alloc_committed_bytes()); /* the same figure */

  printf("accessor cost (ns per call, %s): committed %.0f, peak %.0f, live %.0f, stats %.0f, "
         "empty PROFILE_PHASE %.0f\n",
         on ? "profiling on" : "profiling off", ns_per_call(call_committed, 20000),
         ns_per_call(call_peak, 20000), ns_per_call(call_live, 20000),
         ns_per_call(call_stats, 20000), ns_per_call(call_phase, 20000));
  TEST_DONE();
}
