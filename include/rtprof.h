/* rtprof: a mimalloc-backed debug allocator with per-call-site accounting,
 * committed-bytes accessors and phase brackets. The public face of
 * librtprof; see docs/guide.md for the user guide. */
#ifndef RTPROF_H
#define RTPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Allocation: drop-in for a runtime's rt_alloc family ------------------
 * C malloc semantics: size 0 returns a unique pointer that can be freed;
 * rt_free(NULL) does nothing; rt_calloc checks n*size for overflow; on
 * failure NULL is returned and errno is ENOMEM (EINVAL for a bad alignment).
 * Every block is aligned to at least alignof(max_align_t) (16). */
void *rt_alloc(size_t size);
void *rt_calloc(size_t n, size_t size);
void *rt_realloc(void *p, size_t size);
void rt_free(void *p);
void *rt_alloc_aligned(size_t size, size_t align); /* align: power of two */
size_t rt_usable_size(const void *p);              /* 0 for NULL */
/* A page-aligned, zero-filled region for large buffers, straight from the
 * OS; counted in committed bytes and, when profiling, at its site. */
void *rt_mmap(size_t size);
int rt_munmap(void *p, size_t size);

/* The same with the call site given explicitly, for wrappers (vec_grow,
 * xmalloc): pass __builtin_return_address(0), or any stable code address,
 * so the report names the wrapper's caller instead of the wrapper. */
void *rt_alloc_at(size_t size, const void *site);
void *rt_calloc_at(size_t n, size_t size, const void *site);
void *rt_realloc_at(void *p, size_t size, const void *site);
void *rt_alloc_aligned_at(size_t size, size_t align, const void *site);
void *rt_mmap_at(size_t size, const void *site);

/* A site given as a code address is either a return address (what
 * __builtin_return_address(0) gives) or the entry address of a function
 * ((void *)&fn): both are reported as the function they belong to.
 *
 * ---- Named sites: what is not a C call site ------------------------------
 * A script line, a bytecode PC, an object type or a compiler-assigned site
 * id becomes a site with rt_site_named(); reports show it like a symbolized
 * frame, `function file:line`, marked as named. The same triple always gives
 * the same id; the strings are copied (at most 255 bytes each). `file` may
 * be NULL and `line` 0 (an object type: rt_site_named("Vec<Field>", NULL, 0)).
 * A full table gives an id counted in the overflow row: no byte is lost.
 * With RTPROF_DEPTH > 1 the named frame is frame 0 and the C stack of the
 * allocating call follows it. Looking a triple up takes a lock: keep the id.
 * 0 means no site (profiling off); the _site calls then act as rt_alloc. */
typedef uint32_t rt_site_t;
rt_site_t rt_site_named(const char *function, const char *file, unsigned line);
void *rt_alloc_site(size_t size, rt_site_t site);   /* no lookup: as cheap as rt_alloc */
void *rt_calloc_site(size_t n, size_t size, rt_site_t site);
void *rt_realloc_site(void *p, size_t size, rt_site_t site);
/* Every allocation this thread makes until the matching pop (rt_* and, under
 * the interposer, malloc and C++ new) is charged to `site` as its innermost
 * frame: "on behalf of" attribution. Scopes nest (up to 64 deep; deeper
 * pushes are counted but charge the outermost 64). An explicit _site call
 * inside a scope keeps its own site. */
void rtprof_site_push(rt_site_t site);
void rtprof_site_pop(void);

/* ---- Committed-bytes accessors: always on, profiling on or off ---------- */
typedef struct rt_alloc_stats_s {
  /* From the kernel (/proc/self/statm and getrusage): what the process really
   * holds in RAM, all allocators and code included. */
  uint64_t rss_bytes;            /* resident set size now */
  uint64_t peak_rss_bytes;       /* high-water mark of rss (ru_maxrss) */
  /* Memory the allocator has committed from the OS: mimalloc's commit count
   * (it moves in whole segments and pages, not per block) plus the live
   * rt_mmap regions. */
  uint64_t committed_bytes;
  uint64_t peak_committed_bytes; /* mimalloc's peak + rt_mmap's peak: never
                                    below the true peak of committed_bytes */
  /* Requested bytes of live rt_* blocks, counted exactly by rtprof itself.
   * Only counted while profiling is on (the off path is plain mimalloc with
   * no header to learn a block's size from); 0 when off. */
  uint64_t live_bytes;
  uint64_t peak_live_bytes;      /* high-water mark of live_bytes; threads
                                    publish to it every 64 KiB of net change,
                                    so it is exact to 64 KiB per thread */
  uint64_t live_blocks;          /* allocs - frees */
  uint64_t allocs;               /* successful allocations (realloc counts one) */
  uint64_t frees;                /* frees (realloc of a live block counts one) */
  uint64_t failed_allocs;        /* allocations that returned NULL */
  uint64_t mmap_bytes;           /* live rt_mmap regions, page-rounded */
  uint64_t overhead_bytes;       /* rtprof's own memory: tables, per-thread
                                    state and the per-block tags of live blocks */
  bool profiling;                /* RTPROF=1 was set at start */
} rt_alloc_stats_t;
/* Invariants, whenever profiling is on and the figures are read while no
 * other thread allocates:
 *   live_blocks == allocs - frees,   peak_live_bytes >= live_bytes,
 *   peak_committed_bytes >= committed_bytes,  peak_rss_bytes >= rss_bytes,
 *   committed_bytes + overhead >= live_bytes (mimalloc commits what it hands out). */

void rt_alloc_stats(rt_alloc_stats_t *out);
uint64_t rt_alloc_committed_bytes(void);
uint64_t rt_alloc_peak_committed_bytes(void);
uint64_t rt_alloc_live_bytes(void);
/* Compatibility accessor for the runtime rtprof was first built for. */
uint64_t with_alloc_committed_bytes(void);

/* ---- Profiler control ---------------------------------------------------- */
bool rtprof_enabled(void);  /* RTPROF=1 (or WITH_ALLOC_PROFILE=1) at start */
/* Writes a dump now. path NULL means RTPROF_OUT. Returns 0, or -1 with errno
 * (and a message on stderr). Profiling off: -1 with errno ENOTSUP. */
int rtprof_dump(const char *path);
/* Adds a labelled point (committed, live and RSS bytes now, the current
 * phase) to the timeline that `rtprof report --timeline` shows. */
void rtprof_snapshot(const char *label);

/* ---- Phase brackets -------------------------------------------------------
 *   { PROFILE_PHASE("parse"); ... }           ends with the enclosing block
 *   PROFILE_PHASE_BEGIN("link"); ... PROFILE_PHASE_END();
 * Phases nest per thread and are named by their path ("check/sema").
 * Profiling off: one predictable branch. -DRTPROF_DISABLE: nothing at all.
 * Names must stay valid until exit (string literals are ideal). */
extern bool rtprof_profiling_; /* read by the macros; do not write */
int rtprof_phase_begin(const char *name); /* returns a token > 0, or 0 */
void rtprof_phase_end(void);              /* ends the innermost phase */
void rtprof_phase_end_token(int token);   /* ends the phase `token` began */

static inline int rtprof_phase_enter_(const char *name) {
  return __builtin_expect(rtprof_profiling_, 0) ? rtprof_phase_begin(name) : 0;
}
static inline void rtprof_phase_leave_(int *token) {
  if (__builtin_expect(*token != 0, 0)) rtprof_phase_end_token(*token);
}

#define RTPROF_CAT2_(a, b) a##b
#define RTPROF_CAT_(a, b) RTPROF_CAT2_(a, b)
#ifdef RTPROF_DISABLE
#define PROFILE_PHASE(name) do { } while (0)
#define PROFILE_PHASE_BEGIN(name) do { } while (0)
#define PROFILE_PHASE_END() do { } while (0)
#else
#define PROFILE_PHASE(name)                                                   \
  __attribute__((cleanup(rtprof_phase_leave_), unused)) int RTPROF_CAT_(      \
      rtprof_phase_token_, __COUNTER__) = rtprof_phase_enter_(name)
#define PROFILE_PHASE_BEGIN(name) do { (void)rtprof_phase_enter_(name); } while (0)
#define PROFILE_PHASE_END()                                                   \
  do { if (__builtin_expect(rtprof_profiling_, 0)) rtprof_phase_end(); } while (0)
#endif

#ifdef __cplusplus
}
#endif
#endif /* RTPROF_H */
