/* Soak: 10^9 allocations (rt_alloc/rt_free) by a few threads, mixed sizes,
 * a bounded live set, with profiling on. Every few seconds it prints the
 * process's RSS (/proc/self/status VmRSS), rtprof's overhead_bytes and how
 * many allocations are done; at the end it checks that the totals are exact
 * (allocs == N + the harness's own THREADS allocations, frees likewise) and
 * that memory stayed flat: RSS at the end within SOAK_RSS_SLACK_MB of RSS
 * after warm-up, and overhead_bytes unchanged but for the tags of the few
 * blocks in flight.
 *
 * Usage: soak [N]   (default 10^9)
 * Environment: SOAK_THREADS (3), SOAK_SLOTS (live blocks per thread, 4096),
 * SOAK_INTERVAL (seconds between samples, 5), SOAK_RSS_SLACK_MB (8),
 * SOAK_WARMUP_PCT (the RSS baseline is the first sample with at least
 * this percentage done, 2). Exits 0 when every check passes. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtprof.h"

#define MAX_THREADS 64

static uint64_t total = 1000000000ull;
static int threads = 3;
static uint32_t slots = 4096;

typedef struct worker_s {
  pthread_t th;
  int id;
  uint64_t n;                 /* allocations this thread makes in the loop */
  uint64_t done;              /* progress (relaxed stores) */
  uint64_t bytes;             /* requested bytes allocated in the loop */
  uint64_t live;              /* slots holding a block when the loop ended */
  char pad[64];
} worker_t;
static worker_t w[MAX_THREADS];
static pthread_barrier_t loop_done, may_free;

static inline uint64_t rnd(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

/* 75% 1..256 B, 22% .. 4 KiB, 3% .. 64 KiB. */
static inline size_t size_of(uint64_t r) {
  unsigned k = (unsigned)(r % 100);
  uint32_t v = (uint32_t)(r >> 32);
  if (k < 75) return 1 + v % 256;
  if (k < 97) return 257 + v % (4096 - 256);
  return 4097 + v % (65536 - 4096);
}

static void *worker(void *arg) {
  worker_t *me = arg;
  uint64_t seed = 0x9E3779B97F4A7C15ull * (uint64_t)(me->id + 1);
  /* The harness's one allocation per thread: its slot array. */
  unsigned char **slot = rt_calloc(slots, sizeof *slot);
  if (slot == NULL) abort();
  uint64_t bytes = 0, live = 0;
  for (uint64_t i = 0; i < me->n; i++) {
    uint64_t r = rnd(&seed);
    uint32_t k = (uint32_t)(r >> 40) % slots;
    if (slot[k]) rt_free(slot[k]);
    else live++;
    size_t size = size_of(r);
    unsigned char *p = rt_alloc(size);
    if (p == NULL) abort();
    p[0] = (unsigned char)i, p[size - 1] = (unsigned char)k; /* touch both ends */
    slot[k] = p;
    bytes += size;
    if ((i & 0xffff) == 0) __atomic_store_n(&me->done, i, __ATOMIC_RELAXED);
  }
  __atomic_store_n(&me->done, me->n, __ATOMIC_RELAXED);
  me->bytes = bytes, me->live = live;
  pthread_barrier_wait(&loop_done); /* main takes the end-of-run figures */
  pthread_barrier_wait(&may_free);
  for (uint32_t k = 0; k < slots; k++) rt_free(slot[k]);
  rt_free(slot);
  return NULL;
}

static uint64_t vm_rss(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  unsigned long long kb = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %llu kB", &kb) == 1) break;
  if (f) fclose(f);
  return (uint64_t)kb * 1024;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t done_so_far(void) {
  uint64_t d = 0;
  for (int i = 0; i < threads; i++) d += __atomic_load_n(&w[i].done, __ATOMIC_RELAXED);
  return d;
}

static long env_long(const char *name, long def) {
  const char *s = getenv(name);
  return s && *s ? atol(s) : def;
}

int main(int argc, char **argv) {
  if (argc > 1) total = strtoull(argv[1], NULL, 10);
  threads = (int)env_long("SOAK_THREADS", 3);
  slots = (uint32_t)env_long("SOAK_SLOTS", 4096);
  int interval = (int)env_long("SOAK_INTERVAL", 5);
  uint64_t slack = (uint64_t)env_long("SOAK_RSS_SLACK_MB", 8) << 20;
  long warm_pct = env_long("SOAK_WARMUP_PCT", 2);
  if (threads < 1 || threads > MAX_THREADS || slots < 1 || interval < 1 || total < (uint64_t)threads) {
    fprintf(stderr, "soak: bad settings\n");
    return 2;
  }
  if (!rtprof_enabled()) {
    fprintf(stderr, "soak: run with RTPROF=1\n");
    return 2;
  }
  rt_alloc_stats_t s0;
  rt_alloc_stats(&s0);
  printf("soak: %" PRIu64 " allocations, %d threads, %u live blocks each, sample every %d s\n", total, threads,
         slots, interval);
  printf("%8s %15s %9s %10s %12s %12s %12s\n", "time_s", "allocs", "M/s", "rss_MiB", "overhead_B", "live_MiB",
         "committed_MiB");
  fflush(stdout);

  pthread_barrier_init(&loop_done, NULL, (unsigned)threads + 1);
  pthread_barrier_init(&may_free, NULL, (unsigned)threads + 1);
  double t0 = now_s();
  for (int i = 0; i < threads; i++) {
    w[i].id = i;
    w[i].n = total / (uint64_t)threads + (i == 0 ? total % (uint64_t)threads : 0);
    pthread_create(&w[i].th, NULL, worker, &w[i]);
  }

  uint64_t warm_rss = 0, warm_overhead = 0, last_allocs = 0;
  double warm_t = 0, last_t = t0;
  int failures = 0;
  for (;;) {
    /* sleep in small steps so the end of the loop is noticed at once */
    int finished = 0;
    for (int k = 0; k < interval * 10 && !finished; k++) {
      usleep(100000);
      finished = done_so_far() == total;
    }
    if (finished) break;
    rt_alloc_stats_t s;
    rt_alloc_stats(&s);
    uint64_t rss = vm_rss(), allocs = s.allocs - s0.allocs;
    double t = now_s();
    printf("%8.1f %15" PRIu64 " %9.1f %10.1f %12" PRIu64 " %12.1f %12.1f\n", t - t0, allocs,
           (double)(allocs - last_allocs) / (t - last_t) / 1e6, rss / 1048576.0, s.overhead_bytes,
           s.live_bytes / 1048576.0, s.committed_bytes / 1048576.0);
    fflush(stdout);
    last_allocs = allocs, last_t = t;
    if (warm_rss == 0 && done_so_far() * 100 >= total * (uint64_t)warm_pct) {
      warm_rss = rss, warm_overhead = s.overhead_bytes, warm_t = t - t0;
    }
  }

  /* All threads are parked after their loop: the end-of-run figures. */
  pthread_barrier_wait(&loop_done);
  double t_end = now_s();
  rt_alloc_stats_t s1;
  rt_alloc_stats(&s1);
  uint64_t rss_end = vm_rss();
  uint64_t allocs = s1.allocs - s0.allocs, bytes = 0, held = 0;
  for (int i = 0; i < threads; i++) bytes += w[i].bytes, held += w[i].live;
  printf("%8.1f %15" PRIu64 " %9.1f %10.1f %12" PRIu64 " %12.1f %12.1f  (end of the loop)\n", t_end - t0, allocs,
         (double)(allocs - last_allocs) / (t_end - last_t) / 1e6, rss_end / 1048576.0, s1.overhead_bytes,
         s1.live_bytes / 1048576.0, s1.committed_bytes / 1048576.0);
  if (warm_rss == 0) { /* too short a run for a sample: compare with the end itself */
    warm_rss = rss_end, warm_overhead = s1.overhead_bytes, warm_t = t_end - t0;
    printf("note: the run ended before the first sample; memory flatness is not measured\n");
  }

#define EXPECT(cond, ...)                  \
  do {                                     \
    if (!(cond)) {                         \
      printf("FAIL: " __VA_ARGS__);        \
      printf("\n");                        \
      failures++;                          \
    }                                      \
  } while (0)
  uint64_t expect_allocs = total + (uint64_t)threads; /* + the slot arrays */
  uint64_t expect_live = held + (uint64_t)threads;
  EXPECT(allocs == expect_allocs, "allocs %" PRIu64 ", expected %" PRIu64 " (N + %d slot arrays)", allocs,
         expect_allocs, threads);
  EXPECT(s1.frees - s0.frees == total - held, "frees %" PRIu64 ", expected %" PRIu64, s1.frees - s0.frees,
         total - held);
  EXPECT(s1.live_blocks - s0.live_blocks == expect_live, "live blocks %" PRIu64 ", expected %" PRIu64,
         s1.live_blocks - s0.live_blocks, expect_live);
  EXPECT(s1.failed_allocs == s0.failed_allocs, "%" PRIu64 " failed allocations", s1.failed_allocs - s0.failed_allocs);
  EXPECT(s1.peak_live_bytes >= s1.live_bytes, "peak_live_bytes below live_bytes");
  int64_t drss = (int64_t)rss_end - (int64_t)warm_rss;
  int64_t dover = (int64_t)s1.overhead_bytes - (int64_t)warm_overhead;
  EXPECT(drss <= (int64_t)slack, "RSS grew by %.1f MiB after warm-up (%.1f -> %.1f MiB), allowed %.1f",
         drss / 1048576.0, warm_rss / 1048576.0, rss_end / 1048576.0, slack / 1048576.0);
  /* overhead: fixed tables plus 16 bytes per live block; at a sample up to
   * one block per thread is between its free and its allocation */
  EXPECT(dover <= 16 * threads && dover >= -16 * threads, "overhead_bytes moved by %" PRId64 " after warm-up",
         dover);

  pthread_barrier_wait(&may_free);
  for (int i = 0; i < threads; i++) pthread_join(w[i].th, NULL);
  rt_alloc_stats_t s2;
  rt_alloc_stats(&s2);
  EXPECT(s2.allocs - s0.allocs == expect_allocs, "after the threads exited: allocs %" PRIu64 ", expected %" PRIu64,
         s2.allocs - s0.allocs, expect_allocs);
  EXPECT(s2.frees - s0.frees == expect_allocs, "after freeing everything: frees %" PRIu64 ", expected %" PRIu64,
         s2.frees - s0.frees, expect_allocs);
  EXPECT(s2.live_blocks == s0.live_blocks && s2.live_bytes == s0.live_bytes,
         "after freeing everything: %" PRIu64 " blocks, %" PRIu64 " bytes live", s2.live_blocks, s2.live_bytes);

  double secs = t_end - t0;
  printf("\nsummary: %" PRIu64 " allocations (%.1f GB requested) in %.1f s = %.1f M allocs/s (alloc+free pairs)\n",
         allocs, bytes / 1e9, secs, allocs / secs / 1e6);
  printf("summary: RSS %.1f MiB after warm-up (%.0f s) -> %.1f MiB at the end (%+.1f MiB); peak RSS %.1f MiB\n",
         warm_rss / 1048576.0, warm_t, rss_end / 1048576.0, drss / 1048576.0, s1.peak_rss_bytes / 1048576.0);
  printf("summary: overhead_bytes %" PRIu64 " after warm-up -> %" PRIu64 " at the end (%+" PRId64
         "); live %" PRIu64 " blocks / %.1f MiB\n",
         warm_overhead, s1.overhead_bytes, dover, s1.live_blocks, s1.live_bytes / 1048576.0);
  printf("summary: totals exact: allocs %" PRIu64 " = %" PRIu64 " + %d, frees %" PRIu64 ", failed %" PRIu64 "\n",
         s2.allocs - s0.allocs, total, threads, s2.frees - s0.frees, s2.failed_allocs - s0.failed_allocs);
  printf("soak: %s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
