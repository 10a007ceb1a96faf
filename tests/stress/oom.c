/* Out of memory: every rt_* allocation call must fail cleanly, with NULL and
 * errno == ENOMEM, when mimalloc cannot get memory; a failed rt_realloc must
 * leave the old block intact and live; with profiling on, each failure is
 * counted in failed_allocs and not as an allocation, and the accounting stays
 * exact through it all (and back to zero once everything is freed).
 *
 * Two kinds of failure: sizes no one can have (2^48 bytes, n*size
 * overflowing), and real exhaustion: the program caps its own address space
 * (setrlimit RLIMIT_AS, a few MiB above what it uses) so that mimalloc's next
 * mmap fails; first with requests of 1 GiB of each kind, then by allocating
 * 64 KiB blocks until one fails. A dump written while memory is exhausted
 * must succeed and hold the same figures. Then the limit is lifted and
 * allocation works again.
 *
 * Run with RTPROF=1 and without (profiling off: NULL + ENOMEM, block intact;
 * nothing is counted). Prints a summary; exits non-zero on a failed check. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "rtprof.h"
#include "../testhelper.h"

#define GIB ((size_t)1 << 30)
#define CHUNK ((size_t)64 << 10)
#define MAX_CHUNKS 65536 /* 4 GiB: far beyond the cap */

static bool on;
/* The test's own ledger of rt_* calls. */
static uint64_t m_allocs, m_frees, m_failed, m_live_bytes;
static rt_alloc_stats_t s0; /* baseline */

static rt_alloc_stats_t stats(void) {
  rt_alloc_stats_t s;
  rt_alloc_stats(&s);
  return s;
}

static void fill(unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(seed + i * 7);
}
static bool intact(const unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)(seed + i * 7)) return false;
  return true;
}

/* A call that must fail: NULL, errno ENOMEM, counted as a failure. */
#define MUST_FAIL(call)                                                       \
  do {                                                                        \
    errno = 0;                                                                \
    void *r_ = (call);                                                        \
    int e_ = errno;                                                           \
    if (r_ != NULL) {                                                         \
      fprintf(stderr, "%s:%d: %s succeeded (%p), expected NULL\n", __FILE__, __LINE__, #call, r_); \
      test_failures++;                                                        \
      track_unexpected(r_);                                                   \
    } else {                                                                  \
      m_failed++;                                                             \
      if (e_ != ENOMEM) {                                                     \
        fprintf(stderr, "%s:%d: %s: errno %d (%s), expected ENOMEM\n", __FILE__, __LINE__, #call, e_, \
                strerror(e_));                                                \
        test_failures++;                                                      \
      }                                                                       \
    }                                                                         \
  } while (0)

static void *unexpected[64];
static int n_unexpected;
static void track_unexpected(void *p) {
  if (n_unexpected < 64) unexpected[n_unexpected++] = p;
}

/* The ledger against rt_alloc_stats (profiling on), or all zero (off). */
static void check_accounts(const char *when) {
  rt_alloc_stats_t s = stats();
  if (!on) {
    CHECK_EQ(s.allocs, 0);
    CHECK_EQ(s.failed_allocs, 0);
    CHECK_EQ(s.live_bytes, 0);
    return;
  }
  fprintf(stderr, "  %s: allocs %llu frees %llu failed %llu live %llu blocks %llu bytes\n", when,
          (unsigned long long)(s.allocs - s0.allocs), (unsigned long long)(s.frees - s0.frees),
          (unsigned long long)(s.failed_allocs - s0.failed_allocs), (unsigned long long)s.live_blocks,
          (unsigned long long)s.live_bytes);
  CHECK_EQ(s.allocs - s0.allocs, m_allocs);
  CHECK_EQ(s.frees - s0.frees, m_frees);
  CHECK_EQ(s.failed_allocs - s0.failed_allocs, m_failed);
  CHECK_EQ(s.live_blocks - s0.live_blocks, m_allocs - m_frees);
  CHECK_EQ(s.live_bytes - s0.live_bytes, m_live_bytes);
  CHECK(s.peak_live_bytes >= s.live_bytes);
}

static unsigned char *alloc_filled(size_t n, unsigned seed) {
  unsigned char *p = rt_alloc(n);
  CHECK(p != NULL);
  if (p == NULL) return NULL;
  m_allocs++, m_live_bytes += n;
  fill(p, n, seed);
  return p;
}
static void free_counted(void *p, size_t n) {
  rt_free(p);
  m_frees++, m_live_bytes -= n;
}


static uint64_t dump_field(const char *path, const char *key) {
  FILE *f = fopen(path, "r");
  char line[8192], k[64];
  snprintf(k, sizeof k, " %s=", key);
  uint64_t v = UINT64_MAX;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "totals ", 7) == 0 && strstr(line, k)) v = strtoull(strstr(line, k) + strlen(k), NULL, 10);
  if (f) fclose(f);
  return v;
}

int main(int argc, char **argv) {
  const char *dump_path = argc > 1 ? argv[1] : "oom.dump";
  on = rtprof_enabled();
  printf("oom: profiling %s\n", on ? "on" : "off");
  fflush(stdout); /* stdio's buffer exists before memory runs out */
  s0 = stats();

  /* 1. Sizes no one can have. */
  unsigned char *small = alloc_filled(100, 1);
  MUST_FAIL(rt_alloc((size_t)1 << 48));
  MUST_FAIL(rt_alloc(SIZE_MAX));
  MUST_FAIL(rt_calloc(SIZE_MAX / 2, 3));          /* n*size overflows */
  MUST_FAIL(rt_calloc((size_t)1 << 40, 1 << 10)); /* 2^50: does not overflow, cannot be had */
  MUST_FAIL(rt_alloc_aligned((size_t)1 << 48, 4096));
  MUST_FAIL(rt_realloc(small, (size_t)1 << 48));
  CHECK(intact(small, 100, 1));
  CHECK(rt_usable_size(small) >= 100);
  check_accounts("impossible sizes");

  /* 2. The address space capped a few MiB above what is in use. */
  unsigned char *big = alloc_filled(256 << 10, 2);
  unsigned char *aligned = rt_alloc_aligned(3000, 4096);
  CHECK(aligned != NULL && ((uintptr_t)aligned & 4095) == 0);
  if (aligned) m_allocs++, m_live_bytes += 3000, fill(aligned, 3000, 3);
  struct rlimit old;
  getrlimit(RLIMIT_AS, &old);
  uint64_t vm = test_status_bytes("VmSize");
  struct rlimit cap = {.rlim_cur = vm + ((uint64_t)4 << 20), .rlim_max = old.rlim_max};
  if (vm == 0 || setrlimit(RLIMIT_AS, &cap) != 0) {
    perror("setrlimit(RLIMIT_AS)");
    return 1;
  }
  fprintf(stderr, "  address space capped at %llu MiB (in use: %llu MiB)\n",
          (unsigned long long)(cap.rlim_cur >> 20), (unsigned long long)(vm >> 20));

  MUST_FAIL(rt_alloc(GIB));
  MUST_FAIL(rt_calloc(GIB / 1024, 1024));
  MUST_FAIL(rt_alloc_aligned(GIB, 1 << 16));
  MUST_FAIL(rt_realloc(small, GIB));
  MUST_FAIL(rt_realloc(big, GIB));
  MUST_FAIL(rt_realloc(aligned, GIB));
  CHECK(intact(small, 100, 1));
  CHECK(intact(big, 256 << 10, 2));
  if (aligned) CHECK(intact(aligned, 3000, 3));
  check_accounts("1 GiB requests under the cap");

  /* Exhaustion: 64 KiB blocks until mimalloc has no more. */
  static void *chunk[MAX_CHUNKS];
  int n = 0;
  void *p;
  errno = 0;
  while (n < MAX_CHUNKS && (p = rt_alloc(CHUNK)) != NULL) {
    memset(p, 0x5a, CHUNK); /* touch it: it must really be there */
    chunk[n++] = p;
    m_allocs++, m_live_bytes += CHUNK;
  }
  CHECK(n < MAX_CHUNKS); /* it did run out */
  if (n < MAX_CHUNKS) {
    m_failed++;
    CHECK_EQ(errno, ENOMEM);
  }
  fprintf(stderr, "  %d blocks of 64 KiB before the first failure\n", n);
  /* the same sizes again, by every call */
  MUST_FAIL(rt_alloc(CHUNK));
  MUST_FAIL(rt_calloc(CHUNK / 16, 16));
  MUST_FAIL(rt_alloc_aligned(CHUNK, 4096));
  MUST_FAIL(rt_realloc(small, CHUNK));
  CHECK(intact(small, 100, 1));
  check_accounts("exhausted");

  /* A dump written now (it must not need the heap) holds the same figures. */
  if (on) {
    CHECK_EQ(rtprof_dump(dump_path), 0);
    rt_alloc_stats_t s = stats();
    CHECK_EQ(dump_field(dump_path, "failed_allocs"), s.failed_allocs);
    CHECK_EQ(dump_field(dump_path, "allocs"), s.allocs);
    CHECK_EQ(dump_field(dump_path, "live_bytes"), s.live_bytes);
  } else {
    errno = 0;
    CHECK(rtprof_dump(dump_path) == -1 && errno == ENOTSUP);
  }

  /* Free everything, still under the cap: exact again, nothing live. */
  for (int i = 0; i < n; i++) free_counted(chunk[i], CHUNK);
  free_counted(small, 100);
  free_counted(big, 256 << 10);
  if (aligned) free_counted(aligned, 3000);
  for (int i = 0; i < n_unexpected; i++) rt_free(unexpected[i]); /* only after a failed check */
  check_accounts("all freed");
  if (on) {
    rt_alloc_stats_t s = stats();
    CHECK_EQ(s.live_blocks, s0.live_blocks);
    CHECK_EQ(s.live_bytes, s0.live_bytes);
  }

  /* The cap lifted: allocation works again, and is counted again. */
  setrlimit(RLIMIT_AS, &old);
  unsigned char *again = alloc_filled(GIB / 8, 4);
  if (again) {
    CHECK(intact(again, GIB / 8, 4));
    free_counted(again, GIB / 8);
  }
  check_accounts("after the cap was lifted");
  printf("oom: %d blocks of 64 KiB before memory ran out; %llu failures checked; %s\n", n,
         (unsigned long long)m_failed, test_failures ? "FAILED" : "ok");
  TEST_DONE();
}
