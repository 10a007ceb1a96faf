/* malloc/free microbenchmark: `microbench API THREADS ITERS LIVE`.
 * API: mi (plain mimalloc), rt (rt_alloc/rt_free: rtprof off or on by
 * RTPROF), libc (malloc/free: glibc, or whatever LD_PRELOAD puts there).
 * Each thread keeps LIVE blocks (0 = alloc/free pairs) and replaces one at
 * random per iteration, sizes 16-512 bytes. Prints ns per alloc+free. */
#include <mimalloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtprof.h"

typedef enum { API_MI, API_RT, API_LIBC } api_t;
static api_t api;
static long iters, live;

static inline void *do_alloc(size_t n) {
  switch (api) {
    case API_MI: return mi_malloc(n);
    case API_RT: return rt_alloc(n);
    default: return malloc(n);
  }
}

static inline void do_free(void *p) {
  switch (api) {
    case API_MI: mi_free(p); break;
    case API_RT: rt_free(p); break;
    default: free(p); break;
  }
}

static void *worker(void *arg) {
  uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uintptr_t)arg;
  void **slots = live ? calloc((size_t)live, sizeof *slots) : NULL;
  for (long i = 0; i < live; i++) slots[i] = do_alloc(16 + (i % 497));
  for (long i = 0; i < iters; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    size_t size = 16 + (x % 497);
    if (live) {
      long k = (long)((x >> 20) % (uint64_t)live);
      do_free(slots[k]);
      slots[k] = do_alloc(size);
      *(char *)slots[k] = 1;
    } else {
      char *p = do_alloc(size);
      *(volatile char *)p = 1;
      do_free(p);
    }
  }
  for (long i = 0; i < live; i++) do_free(slots[i]);
  free(slots);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: microbench mi|rt|libc THREADS ITERS LIVE\n");
    return 2;
  }
  api = strcmp(argv[1], "mi") == 0 ? API_MI : strcmp(argv[1], "rt") == 0 ? API_RT : API_LIBC;
  int threads = atoi(argv[2]);
  iters = atol(argv[3]);
  live = atol(argv[4]);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pthread_t th[64];
  for (long i = 0; i < threads && i < 64; i++) pthread_create(&th[i], NULL, worker, (void *)i);
  for (int i = 0; i < threads && i < 64; i++) pthread_join(th[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
  printf("%s threads=%d live=%ld: %.2f ns per alloc+free (per thread)\n", argv[1], threads, live,
         ns / (double)iters);
  return 0;
}
