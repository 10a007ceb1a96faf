/* Committed-bytes accessors, always on: the kernel's RSS, mimalloc's commit
 * count plus rt_mmap regions, and rtprof's exact live bytes (when
 * profiling). Field meanings and invariants are on rt_alloc_stats_t. */
#include <fcntl.h>
#include <mimalloc.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../alloc/internal.h"

uint64_t rt_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t rt_committed_now(uint64_t *peak) {
  size_t commit = 0, peak_commit = 0;
  mi_process_info(NULL, NULL, NULL, NULL, NULL, &commit, &peak_commit, NULL);
  if (peak) *peak = (uint64_t)peak_commit + rt_mmap_peak_bytes();
  return (uint64_t)commit + rt_mmap_live_bytes();
}

/* Resident pages from /proc/self/statm (second field), read without stdio so
 * it is safe inside the allocator. 0 if /proc is not mounted. */
static uint64_t rss_now(void) {
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char *p = buf;
  while (*p && *p != ' ') p++;
  uint64_t pages = 0;
  for (p++; *p >= '0' && *p <= '9'; p++) pages = pages * 10 + (uint64_t)(*p - '0');
  return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

void rt_stats_read(rt_alloc_stats_t *s) {
  rt_init();
  *s = (rt_alloc_stats_t){0};
  s->profiling = rt_mode == RT_MODE_ON;
  s->rss_bytes = rss_now();
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) s->peak_rss_bytes = (uint64_t)ru.ru_maxrss * 1024;
  if (s->peak_rss_bytes < s->rss_bytes) s->peak_rss_bytes = s->rss_bytes;
  s->committed_bytes = rt_committed_now(&s->peak_committed_bytes);
  if (s->peak_committed_bytes < s->committed_bytes) s->peak_committed_bytes = s->committed_bytes;
  s->mmap_bytes = rt_mmap_live_bytes();
  if (s->profiling) {
    rt_totals_t t;
    rt_totals_read(&t);
    s->allocs = t.allocs;
    s->frees = t.frees;
    s->failed_allocs = t.failed_allocs;
    s->live_blocks = t.allocs - t.frees;
    s->live_bytes = t.alloc_bytes - t.freed_bytes;
    s->peak_live_bytes = t.peak_live;
    s->overhead_bytes = rt_load_relaxed(&rt_os_bytes) + s->live_blocks * RT_TAG_SIZE;
  }
}

/* The program's question: the frees other threads still hold back count
 * too (their high-water marks see them late; DESIGN.md's multi-thread
 * bounds hold). rtprof's own readers use rt_stats_read. */
RT_EXPORT void rt_alloc_stats(rt_alloc_stats_t *s) {
  rt_init();
  if (rt_mode == RT_MODE_ON) rt_defer_take_all();
  rt_stats_read(s);
}

RT_EXPORT uint64_t rt_alloc_committed_bytes(void) { return rt_committed_now(NULL); }

RT_EXPORT uint64_t rt_alloc_peak_committed_bytes(void) {
  uint64_t peak, now = rt_committed_now(&peak);
  return peak > now ? peak : now;
}

RT_EXPORT uint64_t rt_alloc_live_bytes(void) {
  rt_init();
  if (rt_mode != RT_MODE_ON) return 0;
  rt_defer_take_all();
  return (uint64_t)rt_live_bytes_now();
}

RT_EXPORT uint64_t with_alloc_committed_bytes(void) { return rt_committed_now(NULL); }
