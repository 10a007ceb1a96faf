/* Frees that must be reported, never crash (t_bigfree.sh): argv[1] is the
 * case, argv[2] a size in MiB. Built twice: on the rt_* API, and with
 * -DLIBC on malloc/free for the interposer. Prints "continued" at the end. */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wuse-after-free" /* the point of the test */
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef LIBC
#define ALLOC(n) malloc(n)
#define FREE(p) free(p)
#define REALLOC(p, n) realloc(p, n)
#define USABLE(p) malloc_usable_size(p)
#else
#include "rtprof.h"
#define ALLOC(n) rt_alloc(n)
#define FREE(p) rt_free(p)
#define REALLOC(p, n) rt_realloc(p, n)
#define USABLE(p) rt_usable_size(p)
#endif

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *what = argv[1];
  size_t size = (argc > 2 ? (size_t)atol(argv[2]) : 32) << 20;
  char *p = strcmp(what, "mapping_start") != 0 ? ALLOC(size) : NULL; /* SITE:big */
  if (p != NULL) memset(p, 1, 4096);
  if (strcmp(what, "double_free") == 0) {
    FREE(p);
    FREE(p); /* SITE:bad_free */
  } else if (strcmp(what, "realloc_freed") == 0) {
    FREE(p);
    p = REALLOC(p, 100); /* SITE:bad_realloc */
    if (p != NULL) return 3;
  } else if (strcmp(what, "mapping_start") == 0) {
    /* A foreign pointer at the start of a mapping whose page before is
     * unmapped, at argv[2] TiB, where nothing else maps (below 20 TiB
     * mimalloc's segment map answers, above it the kernel). */
    long page = sysconf(_SC_PAGESIZE);
    char *want = (char *)((uintptr_t)atol(argv[2]) << 40);
    char *m = mmap(want, 2 * (size_t)page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != want) return 4;
    munmap(m, (size_t)page);
    char *q = m + page;
    size_t usable = USABLE(q);
    FREE(q);
    void *r = REALLOC(q, 100);
    printf("usable %zu realloc %p\n", usable, r);
  }
  puts("continued");
  return 0;
}
