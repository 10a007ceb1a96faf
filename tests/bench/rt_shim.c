/* The rt_* API without rtprof, for the benchmark's "glibc" and "plain
 * mimalloc" variants of programs written against include/rtprof.h (the
 * comptime-clone example). Every allocation call goes to the process's
 * malloc family: glibc's, or mimalloc's when libmimalloc.so.2 is preloaded
 * (or heaptrack's hooks, or valgrind's replacements). Built as a shared
 * library, like librtprof.so, so a call costs the same PLT hop.
 * Compile the program with -DRTPROF_DISABLE (no phase brackets) and link
 * this instead of -lrtprof. The accessors answer 0: no rtprof, no counts. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rtprof.h"

#define SHIM __attribute__((visibility("default")))

SHIM void *rt_alloc(size_t size) { return malloc(size); }
SHIM void *rt_calloc(size_t n, size_t size) { return calloc(n, size); }
SHIM void *rt_realloc(void *p, size_t size) { return realloc(p, size); }
SHIM void rt_free(void *p) { free(p); }
SHIM void *rt_alloc_aligned(size_t size, size_t align) {
  void *p = NULL;
  int e = posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size);
  if (e) errno = e;
  return e ? NULL : p;
}
SHIM size_t rt_usable_size(const void *p) { return p ? malloc_usable_size((void *)p) : 0; }
SHIM void *rt_mmap(size_t size) {
  if (size == 0) {
    errno = EINVAL;
    return NULL;
  }
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}
SHIM int rt_munmap(void *p, size_t size) { return munmap(p, size); }

SHIM void *rt_alloc_at(size_t size, const void *site) { (void)site; return malloc(size); }
SHIM void *rt_calloc_at(size_t n, size_t size, const void *site) { (void)site; return calloc(n, size); }
SHIM void *rt_realloc_at(void *p, size_t size, const void *site) { (void)site; return realloc(p, size); }
SHIM void *rt_alloc_aligned_at(size_t size, size_t align, const void *site) {
  (void)site;
  return rt_alloc_aligned(size, align);
}
SHIM void *rt_mmap_at(size_t size, const void *site) { (void)site; return rt_mmap(size); }

SHIM void rt_alloc_stats(rt_alloc_stats_t *out) { memset(out, 0, sizeof *out); }
SHIM uint64_t rt_alloc_committed_bytes(void) { return 0; }
SHIM uint64_t rt_alloc_peak_committed_bytes(void) { return 0; }
SHIM uint64_t rt_alloc_live_bytes(void) { return 0; }
SHIM uint64_t with_alloc_committed_bytes(void) { return 0; }

SHIM bool rtprof_profiling_ = false;
SHIM bool rtprof_enabled(void) { return false; }
SHIM int rtprof_dump(const char *path) { (void)path; errno = ENOSYS; return -1; }
SHIM void rtprof_snapshot(const char *label) { (void)label; }
SHIM int rtprof_phase_begin(const char *name) { (void)name; return 0; }
SHIM void rtprof_phase_end(void) {}
SHIM void rtprof_phase_end_token(int token) { (void)token; }
