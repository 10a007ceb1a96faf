/* The parts of the public API that t_api.sh checks end to end, one mode per
 * run (argv[1]): explicit sites (rt_alloc_aligned_at, rt_mmap_at given a
 * return address or a function's entry address), a
 * realloc that moves a block to another site, rtprof_snapshot and
 * rtprof_dump (failing and not), foreign realloc and munmap, RTPROF_GUARD
 * with realloc and rt_usable_size, RTPROF_FILL on new, grown and freed
 * blocks, and many labelled snapshots (alone, or among interval points) for
 * RTPROF_SNAPSHOTS. Prints what it
 * saw; SITE: markers give the lines. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "rtprof.h"

static char not_ours[64] __attribute__((aligned(16)));

/* Entry addresses used as explicit sites: reported as these functions
 * (DESIGN.md), never as the function placed before them. */
__attribute__((noinline)) void entry_site_a(void) { __asm__ volatile(""); }
__attribute__((noinline)) void entry_site_b(void) { __asm__ volatile(""); }

/* Wrappers passing their caller's return address, as a runtime's would. */
__attribute__((noinline)) static void *aligned_wrapper(size_t n) {
  void *p = rt_alloc_aligned_at(n, 64, __builtin_return_address(0));
  __asm__ volatile("" ::: "memory"); /* no tail call */
  return p;
}
__attribute__((noinline)) static void *mmap_wrapper(size_t n) {
  void *p = rt_mmap_at(n, __builtin_return_address(0));
  __asm__ volatile("" ::: "memory");
  return p;
}

static int all_are(const unsigned char *p, size_t n, unsigned char v) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != v) return 0;
  return 1;
}

static void sites(void) {
  void *a = aligned_wrapper(100); /* SITE:aligned */
  printf("aligned %d\n", ((uintptr_t)a & 63) == 0);
  void *m = mmap_wrapper(5000); /* SITE:mmap */
  printf("mmap %d\n", m != NULL && ((uintptr_t)m & 4095) == 0);
  char *r = rt_alloc(100); /* SITE:realloc_from */
  rtprof_snapshot("before-realloc");
  r = rt_realloc(r, 300); /* SITE:realloc_to */
  rtprof_snapshot("after-realloc");
  errno = 0;
  int rc = rtprof_dump("/nonexistent-dir/api.dump");
  printf("dump to a missing folder: %d %s\n", rc, errno == ENOENT ? "ENOENT" : strerror(errno));
  errno = 0;
  void *q = rt_realloc(not_ours + 8, 10); /* SITE:bad_realloc */
  printf("foreign realloc: %s %s\n", q ? "non-null" : "NULL", errno == EINVAL ? "EINVAL" : strerror(errno));
  void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  errno = 0;
  rc = rt_munmap(page, 4096); /* SITE:bad_munmap */
  printf("foreign munmap: %d %s\n", rc, errno == EINVAL ? "EINVAL" : strerror(errno));
  munmap(page, 4096);
  (void)a, (void)m, (void)r; /* all three stay live at exit */
}

static void entry(void) {
  void *a = rt_alloc_at(10, (const void *)&entry_site_a);
  void *b = rt_mmap_at(20, (const void *)&entry_site_b);
  (void)a, (void)b;
}

static void guard(void) {
  char *p = rt_alloc(10);
  printf("usable %zu\n", rt_usable_size(p));
  p = rt_realloc(p, 20);
  printf("usable after realloc %zu\n", rt_usable_size(p));
  p[20] = 'x';           /* one past the grown block: in the guard */
  p = rt_realloc(p, 30); /* SITE:guard_realloc */
  printf("usable after overflow %zu\n", rt_usable_size(p));
  rt_free(p);
}

static void fill(void) {
  unsigned char *p = rt_alloc(64);
  printf("new cd %d\n", all_are(p, 64, 0xcd));
  memset(p, 1, 8);
  p = rt_realloc(p, 128);
  printf("grown kept %d cd %d\n", all_are(p, 8, 1), all_are(p + 64, 64, 0xcd));
  unsigned char *z = rt_calloc(16, 4);
  printf("calloc zero %d\n", all_are(z, 64, 0));
  rt_free(z);
  unsigned char *f = rt_alloc(48);
  rt_free(f);
  printf("freed dd %d\n", all_are(f, 48, 0xdd)); /* reads freed memory on purpose */
  rt_free(p);
}

static void labels(void) {
  char name[16];
  for (int i = 0; i < 40; i++) {
    snprintf(name, sizeof name, "L%d", i);
    rtprof_snapshot(name);
  }
}

/* Labels spread over 150 ms while the sampler takes a point every ms. */
static void interval(void) {
  char name[16];
  struct timespec ms30 = {0, 30 * 1000000L};
  for (int i = 0; i < 5; i++) {
    snprintf(name, sizeof name, "M%d", i);
    rtprof_snapshot(name);
    nanosleep(&ms30, NULL);
  }
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "sites") == 0) sites();
  else if (strcmp(mode, "entry") == 0) entry();
  else if (strcmp(mode, "guard") == 0) guard();
  else if (strcmp(mode, "fill") == 0) fill();
  else if (strcmp(mode, "labels") == 0) labels();
  else if (strcmp(mode, "interval") == 0) interval();
  else return 2;
  puts("done");
  return 0;
}
