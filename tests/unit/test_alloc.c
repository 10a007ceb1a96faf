/* rt_* semantics at the edges and exact accounting: size 0, NULL, n*size
 * overflow, out of memory, alignment, realloc chains, rt_mmap regions. Runs
 * with profiling on and off (tests/run.sh runs it both ways). */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rtprof.h"
#include "../testhelper.h"

static rt_alloc_stats_t stats(void) {
  rt_alloc_stats_t s;
  rt_alloc_stats(&s);
  return s;
}

static void test_edges(bool on) {
  rt_alloc_stats_t a = stats();
  void *z1 = rt_alloc(0), *z2 = rt_alloc(0);
  CHECK(z1 != NULL && z2 != NULL && z1 != z2);
  rt_free(z1);
  rt_free(z2);
  rt_free(NULL);
  CHECK_EQ(rt_usable_size(NULL), 0);

  errno = 0;
  CHECK(rt_calloc(SIZE_MAX / 2, 3) == NULL);
  CHECK_EQ(errno, ENOMEM);
  errno = 0;
  CHECK(rt_alloc(SIZE_MAX - 8) == NULL);
  CHECK_EQ(errno, ENOMEM);
  errno = 0;
  CHECK(rt_alloc_aligned(64, 3) == NULL);
  CHECK_EQ(errno, EINVAL);
  errno = 0;
  CHECK(rt_mmap(0) == NULL);
  CHECK_EQ(errno, EINVAL);
  errno = 0;
  CHECK(rt_mmap((size_t)1 << 43) == NULL); /* 8 TiB: the kernel refuses the mapping */
  CHECK_EQ(errno, ENOMEM);

  rt_alloc_stats_t b = stats();
  if (on) {
    CHECK_EQ(b.allocs - a.allocs, 2);
    CHECK_EQ(b.frees - a.frees, 2);
    CHECK_EQ(b.failed_allocs - a.failed_allocs, 3); /* calloc overflow, huge alloc, huge mmap */
    CHECK_EQ(b.live_bytes, a.live_bytes);
  } else {
    CHECK_EQ(b.allocs, 0);
    CHECK_EQ(b.live_bytes, 0);
    CHECK_EQ(b.failed_allocs, 0); /* counted only while profiling */
  }
}

static void test_alignment(void) {
  for (size_t size = 0; size < 70000; size = size < 600 ? size + 1 : size * 2 + 1) {
    void *p = rt_alloc(size);
    CHECK(((uintptr_t)p % alignof(max_align_t)) == 0);
    CHECK(rt_usable_size(p) >= size);
    memset(p, 0xab, size);
    rt_free(p);
  }
  for (size_t align = 1; align <= ((size_t)1 << 20); align <<= 1) {
    void *p = rt_alloc_aligned(100, align);
    CHECK(p != NULL && ((uintptr_t)p % align) == 0);
    CHECK(rt_usable_size(p) >= 100);
    memset(p, 1, 100);
    rt_free(p);
  }
  unsigned char *c = rt_calloc(1000, 7);
  int nonzero = 0;
  for (int i = 0; i < 7000; i++) nonzero += c[i] != 0;
  CHECK_EQ(nonzero, 0);
  rt_free(c);
}

static void test_realloc_chain(bool on) {
  rt_alloc_stats_t a = stats();
  unsigned char *p = rt_realloc(NULL, 1);
  p[0] = 42;
  for (size_t n = 2; n <= 1000; n++) {
    p = rt_realloc(p, n);
    CHECK(p != NULL);
    p[n - 1] = (unsigned char)n;
  }
  int bad = p[0] != 42;
  for (size_t n = 2; n <= 1000; n++) bad += p[n - 1] != (unsigned char)n;
  CHECK_EQ(bad, 0);
  rt_alloc_stats_t b = stats();
  if (on) {
    CHECK_EQ(b.allocs - a.allocs, 1000); /* one alloc, 999 reallocs */
    CHECK_EQ(b.frees - a.frees, 999);
    CHECK_EQ(b.live_bytes - a.live_bytes, 1000);
    CHECK_EQ(b.live_blocks - a.live_blocks, 1);
  }
  errno = 0;
  CHECK(rt_realloc(p, SIZE_MAX - 4) == NULL); /* fails, p stays valid */
  CHECK_EQ(errno, ENOMEM);
  CHECK_EQ(p[999], (unsigned char)1000);
  rt_free(p);
  rt_alloc_stats_t c = stats();
  if (on) CHECK_EQ(c.live_bytes, a.live_bytes);
}

static void test_mmap(bool on) {
  rt_alloc_stats_t a = stats();
  size_t size = (1 << 20) + 100;
  unsigned char *p = rt_mmap(size);
  CHECK(p != NULL && ((uintptr_t)p & 4095) == 0);
  int nonzero = 0;
  for (size_t i = 0; i < size; i += 512) nonzero += p[i] != 0;
  CHECK_EQ(nonzero, 0);
  memset(p, 7, size);
  rt_alloc_stats_t b = stats();
  CHECK_EQ(b.mmap_bytes - a.mmap_bytes, (1 << 20) + 4096);
  CHECK(b.committed_bytes >= a.committed_bytes + (1 << 20)); /* mimalloc may move too */
  CHECK(b.rss_bytes >= a.rss_bytes + (1 << 20) - 65536);
  if (on) CHECK_EQ(b.live_bytes - a.live_bytes, size);
  CHECK_EQ(rt_munmap(p, size), 0);
  rt_alloc_stats_t c = stats();
  CHECK_EQ(c.mmap_bytes, a.mmap_bytes);
  if (on) CHECK_EQ(c.live_bytes, a.live_bytes);
  CHECK(c.peak_committed_bytes >= b.committed_bytes);
}

/* One thread: the peak of live bytes is exact (first thing the process
 * allocates, so nothing earlier sets it). */
static void test_peak(bool on) {
  enum { N = 1000 };
  static void *p[N];
  uint64_t want = 0;
  for (int i = 0; i < N; i++) p[i] = rt_alloc(1000 + (size_t)i), want += 1000 + (uint64_t)i;
  rt_alloc_stats_t a = stats();
  for (int i = 0; i < N; i++) rt_free(p[i]);
  void *small = rt_alloc(10);
  rt_alloc_stats_t b = stats();
  rt_free(small);
  if (on) {
    CHECK_EQ(a.live_bytes, want);
    CHECK_EQ(a.live_blocks, N);
    CHECK_EQ(b.peak_live_bytes, want);
    CHECK_EQ(b.live_bytes, 10);
    CHECK_EQ(b.allocs, N + 1);
    CHECK_EQ(b.frees, N);
  } else {
    CHECK_EQ(b.peak_live_bytes, 0);
    CHECK_EQ(b.allocs, 0);
  }
}

int main(void) {
  bool on = test_expect_on();
  CHECK_EQ(rtprof_enabled(), on);
  test_peak(on);
  test_edges(on);
  test_alignment();
  test_realloc_chain(on);
  test_mmap(on);
  rt_alloc_stats_t s = stats();
  CHECK_EQ(s.profiling, on);
  CHECK(s.peak_rss_bytes >= s.rss_bytes);
  CHECK(s.peak_committed_bytes >= s.committed_bytes);
  if (on) {
    CHECK_EQ(s.live_blocks, s.allocs - s.frees);
    CHECK(s.peak_live_bytes >= s.live_bytes);
    CHECK(s.overhead_bytes > 0);
    CHECK_EQ(rt_alloc_live_bytes(), s.live_bytes);
    CHECK_EQ(s.live_blocks, 0); /* everything was freed */
    CHECK_EQ(s.live_bytes, 0);
  } else {
    CHECK_EQ(s.allocs, 0);
    CHECK_EQ(s.frees, 0);
    CHECK_EQ(s.live_blocks, 0);
    CHECK_EQ(s.peak_live_bytes, 0);
    CHECK_EQ(s.failed_allocs, 0);
  }
  TEST_DONE();
}
