/* malloc/free microbenchmark: `microbench API THREADS ITERS LIVE`.
 * API: mi (plain mimalloc: mi_malloc/mi_free), rt (rt_alloc/rt_free: rtprof
 * off or on by RTPROF), site (rt_alloc_site at one named site, rt_free),
 * phase (rt_alloc/rt_free inside a phase each thread opens), libc
 * (malloc/free: whatever the process's malloc is).
 * Each thread keeps LIVE blocks (0 = alloc/free pairs) and replaces one at
 * random per iteration, sizes 16-512 bytes. Prints ns per alloc+free.
 * mi-realloc and realloc (mi_realloc, rt_realloc) instead resize one block
 * per iteration (sizes 16-512 bytes); LIVE must be 0.
 *
 * Built twice by tests/bench/run.sh:
 *  - `microbench`, linked with librtprof and mimalloc (every API but libc's own). Linking
 *    mimalloc replaces malloc process-wide, so `libc` here is mimalloc's malloc.
 *  - `microbench-libc`, compiled with -DMICROBENCH_LIBC_ONLY and linked with
 *    nothing: only `libc`, which is glibc's malloc, or whatever LD_PRELOAD
 *    (heaptrack, the rtprof interposer, libmimalloc.so) puts in its place;
 *    valgrind replaces it too. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef MICROBENCH_LIBC_ONLY
#include <mimalloc.h>

#include "rtprof.h"
#endif

typedef enum { API_MI, API_RT, API_SITE, API_LIBC, API_PHASE, API_MI_REALLOC, API_REALLOC } api_t; /* as main's names[] */
static api_t api;
static long iters, live;

/* One worker per API, each calling its allocator directly: a runtime switch
 * on the API would add its own compares to one API's pairs and not the
 * other's, and callgrind's per-pair difference would count them. */
#define WORKER(NAME, ALLOC, FREE)                                              \
  static void *NAME(void *arg) {                                               \
    uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uintptr_t)arg;                       \
    void **slots = live ? calloc((size_t)live, sizeof *slots) : NULL;          \
    for (long i = 0; i < live; i++) slots[i] = ALLOC(16 + (i % 497));          \
    for (long i = 0; i < iters; i++) {                                         \
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;                                 \
      size_t size = 16 + (x % 497);                                            \
      if (live) {                                                              \
        long k = (long)((x >> 20) % (uint64_t)live);                           \
        FREE(slots[k]);                                                        \
        slots[k] = ALLOC(size);                                                \
        *(char *)slots[k] = 1;                                                 \
      } else {                                                                 \
        char *p = ALLOC(size);                                                 \
        *(volatile char *)p = 1;                                               \
        FREE(p);                                                               \
      }                                                                        \
    }                                                                          \
    for (long i = 0; i < live; i++) FREE(slots[i]);                            \
    free(slots);                                                               \
    return NULL;                                                               \
  }

#ifndef MICROBENCH_LIBC_ONLY
WORKER(worker_mi, mi_malloc, mi_free)
WORKER(worker_rt, rt_alloc, rt_free)
static rt_site_t bench_site;
#define SITE_ALLOC(n) rt_alloc_site((n), bench_site)
WORKER(worker_site, SITE_ALLOC, rt_free)
/* The thread's function opens the phase; callgrind counts the pairs inside
 * (worker_*) only. */
WORKER(worker_phase_pairs, rt_alloc, rt_free)
static void *in_phase(void *arg) {
  PROFILE_PHASE("bench");
  return worker_phase_pairs(arg);
}

/* One block resized per iteration (realloc(NULL, n) first, freed last). */
#define REALLOC_WORKER(NAME, REALLOC, FREE)                                    \
  static void *NAME(void *arg) {                                               \
    uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uintptr_t)arg;                       \
    char *p = REALLOC(NULL, 16);                                               \
    for (long i = 0; i < iters; i++) {                                         \
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;                                 \
      p = REALLOC(p, 16 + (x % 497));                                          \
      *(volatile char *)p = 1;                                                 \
    }                                                                          \
    FREE(p);                                                                   \
    return NULL;                                                               \
  }
REALLOC_WORKER(worker_mi_realloc, mi_realloc, mi_free)
REALLOC_WORKER(worker_realloc, rt_realloc, rt_free)
#endif
WORKER(worker_libc, malloc, free)

int main(int argc, char **argv) {
  /* Indexed by api_t. */
  static const char *const names[] = {"mi", "rt", "site", "libc", "phase", "mi-realloc", "realloc"};
  if (argc != 5) {
    fprintf(stderr, "usage: microbench mi|rt|site|libc|phase|mi-realloc|realloc THREADS ITERS LIVE\n");
    return 2;
  }
  int found = -1;
  for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
    if (strcmp(argv[1], names[i]) == 0) found = i;
  if (found < 0) {
    fprintf(stderr, "microbench: unknown API '%s' (mi, rt, site, libc, phase, mi-realloc or realloc)\n", argv[1]);
    return 2;
  }
  api = (api_t)found;
#ifdef MICROBENCH_LIBC_ONLY
  if (api != API_LIBC) {
    fprintf(stderr, "microbench: this build has the libc API only\n");
    return 2;
  }
#endif
  int threads = atoi(argv[2]);
  iters = atol(argv[3]);
  live = atol(argv[4]);
  if (threads < 1 || threads > 64 || iters < 0 || live < 0) {
    fprintf(stderr, "microbench: THREADS 1-64, ITERS and LIVE >= 0\n");
    return 2;
  }
  if ((api == API_MI_REALLOC || api == API_REALLOC) && live != 0) {
    fprintf(stderr, "microbench: %s resizes one block: LIVE must be 0\n", argv[1]);
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pthread_t th[64];
  void *(*worker)(void *) = worker_libc;
#ifndef MICROBENCH_LIBC_ONLY
  if (api == API_MI) worker = worker_mi;
  if (api == API_RT) worker = worker_rt;
  if (api == API_SITE) worker = worker_site, bench_site = rt_site_named("bench", "microbench.c", 1);
  if (api == API_PHASE) worker = in_phase;
  if (api == API_MI_REALLOC) worker = worker_mi_realloc;
  if (api == API_REALLOC) worker = worker_realloc;
#endif
  for (long i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker, (void *)i);
  for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
  printf("%s threads=%d live=%ld: %.2f ns per alloc+free (per thread)\n", argv[1], threads, live,
         iters ? ns / (double)iters : 0.0);
  return 0;
}
