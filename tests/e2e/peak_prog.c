/* Three phases whose peaks differ, for t_peak.sh: "scratch" allocates and
 * frees 10 MiB, "hold" holds 30 MiB at the top of its run and frees it,
 * "keep" keeps 20 MiB to the end. The process's peak is hold's 30 MiB;
 * with --fixed, hold never holds more than 5 MiB and the peak is keep's
 * 20 MiB at exit. --threads N: N threads share each phase's bytes, and each
 * frees the blocks its neighbour allocated. --touch writes every block held.
 * SITE: markers give the lines. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof.h"

#define MIB (1u << 20)
#define MAX_THREADS 8
#define MAX_BLOCKS 256

static int nthreads = 1;
static int fixed;
static int touch; /* --touch: write every block, so RSS holds them */
static pthread_barrier_t barrier;
static void *blocks[MAX_THREADS][MAX_BLOCKS];
static int nblocks[MAX_THREADS];

static void sync_threads(void) {
  if (nthreads > 1) pthread_barrier_wait(&barrier);
}

/* Each thread frees what its neighbour allocated (all of it). */
static void free_neighbours(int self) {
  int other = (self + 1) % nthreads;
  for (int i = 0; i < nblocks[other]; i++) rt_free(blocks[other][i]);
}

static void scratch(int self, size_t block, int n) {
  PROFILE_PHASE("scratch");
  for (int i = 0; i < n; i++) blocks[self][i] = rt_alloc(block); /* SITE:scratch */
  nblocks[self] = n;
  sync_threads();
  free_neighbours(self);
  sync_threads();
}

static void hold(int self, size_t block, int n) {
  PROFILE_PHASE("hold");
  if (fixed) { /* the fix: work in slices of 5 MiB at most */
    int slice = (int)(5 * MIB / nthreads / block);
    for (int i = 0; i < n; i += slice) {
      void *tmp[MAX_BLOCKS];
      int k = i + slice <= n ? slice : n - i;
      for (int j = 0; j < k; j++) tmp[j] = rt_alloc(block); /* SITE:hold_fixed */
      for (int j = 0; j < k; j++) rt_free(tmp[j]);
    }
    sync_threads();
    return;
  }
  for (int i = 0; i < n; i++) {
    blocks[self][i] = rt_alloc(block); /* SITE:hold */
    if (touch) memset(blocks[self][i], 1, block);
  }
  nblocks[self] = n;
  sync_threads(); /* the peak: every thread holds its share */
  free_neighbours(self);
  sync_threads();
}

static void *keep(int self, size_t block, int n) {
  PROFILE_PHASE("keep");
  void **kept = rt_alloc((size_t)n * sizeof *kept); /* SITE:keep_index */
  for (int i = 0; i < n; i++) {
    kept[i] = rt_alloc(block); /* SITE:keep */
    if (touch) memset(kept[i], 1, block);
  }
  (void)self;
  return kept;
}

static void *worker(void *arg) {
  int self = (int)(long)arg;
  /* 10, 30 and 20 MiB in blocks of 1 MiB (one thread) or 512 KiB: every
   * allocation passes the 64 KiB a thread keeps before publishing. */
  size_t block = nthreads == 1 ? MIB : MIB / 2;
  int per = (int)(MIB / block) * 1; /* blocks per MiB */
  scratch(self, block, 10 * per / nthreads);
  hold(self, block, 30 * per / nthreads);
  sync_threads();
  return keep(self, block, 20 * per / nthreads);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--fixed") == 0) fixed = 1;
    else if (strcmp(argv[i], "--touch") == 0) touch = 1;
    else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) nthreads = atoi(argv[++i]);
  }
  if (nthreads < 1 || nthreads > MAX_THREADS || (nthreads != 1 && 20 % nthreads != 0)) {
    fprintf(stderr, "usage: peak_prog [--fixed] [--touch] [--threads 1|2|4]\n");
    return 2;
  }
  if (nthreads == 1) {
    worker(0);
    return 0;
  }
  pthread_barrier_init(&barrier, NULL, (unsigned)nthreads);
  pthread_t t[MAX_THREADS];
  for (long i = 0; i < nthreads; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
  return 0;
}
