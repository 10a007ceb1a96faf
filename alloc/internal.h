/* Private interface of librtprof, shared by alloc/ and bracket/; grouped by
 * the file that defines each part. Nothing here is public. */
#ifndef RTPROF_INTERNAL_H
#define RTPROF_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "rtprof.h"

#define RT_HIDDEN __attribute__((visibility("hidden")))
#define RT_EXPORT __attribute__((visibility("default")))
#define rt_likely(x) __builtin_expect(!!(x), 1)
#define rt_unlikely(x) __builtin_expect(!!(x), 0)
#define RT_NOINLINE __attribute__((noinline))
#define RT_COLD __attribute__((cold, noinline))
#define RT_INLINE static inline __attribute__((always_inline))

/* RT_TSAN: built with ThreadSanitizer (gcc and clang spell it differently). */
#if defined(__SANITIZE_THREAD__)
#define RT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RT_TSAN 1
#endif
#endif

/* Atomics, named by their memory order. Counters that one thread writes and
 * others read are written with a relaxed load+store (a plain `mov` on
 * x86-64, no lock prefix): single-writer, so no update is ever lost. */
#define rt_load_relaxed(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define rt_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define rt_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define rt_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define rt_add_relaxed(p, v) __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
/* A single writer's counter bump: one `add` to memory (not lock-prefixed),
 * which a reader on another thread sees whole, as an aligned 8-byte store
 * is; in assembly, so the compiler neither splits nor reorders it past a
 * call. ThreadSanitizer builds use the relaxed load+store it can check. */
#ifdef RT_TSAN
#define rt_bump(p, v) rt_store_relaxed((p), rt_load_relaxed(p) + (v))
#else
#define rt_bump(p, v) __asm__ volatile("addq %1, %0" : "+m"(*(p)) : "er"((uint64_t)(v)))
#endif

/* rt_bump's subtraction, telling whether the result is negative: one `sub`
 * to memory and a `js` on x86-64. */
static inline bool rt_drop_below_zero(int64_t *p, int64_t v) {
#ifdef RT_TSAN
  int64_t left = rt_load_relaxed(p) - v;
  rt_store_relaxed(p, left);
  return left < 0;
#else
  bool negative;
  __asm__ volatile("subq %2, %0" : "+m"(*p), "=@ccs"(negative) : "er"(v));
  return negative;
#endif
}

#define RT_TAG_SIZE 16          /* bytes before each profiled block */
#define RT_MAX_DEPTH 16         /* frames per site */
#define RT_PHASE_STACK 64       /* phases nested per thread */
#define RT_PEAK_SLACK (64 << 10) /* net bytes a thread keeps before publishing */
#define RT_CHUNK_SLOTS 64       /* counter slots per lazily-mapped chunk */
#define RT_SITE_CACHE 256       /* per-thread cache of return address -> site id */
#define RT_SCOPE_STACK 64       /* rtprof_site_push scopes nested per thread */
#define RT_DEFER 4              /* frees a thread keeps back while their tags are prefetched */

/* A site frame is a code address, tagged in its top bits (user-space
 * addresses are below 2^47): */
#define RT_FRAME_NAMED (1ULL << 63) /* a named site: low 32 bits are its name id */
#define RT_FRAME_EXACT (1ULL << 62) /* an exact code address (a function's entry),
                                       not a return address */
/* The `ra` handed to the profiled paths is tagged the same way: */
#define RT_RA_SITE (1ULL << 63)     /* low 32 bits are an rt_site_t; the call's
                                       own return address is in rt_site_ra */
#define RT_RA_AT (1ULL << 62)       /* given to an rt_*_at call: may be an entry address */

/* ---- "options.c": switches read once from the environment -------------- */
typedef enum rt_on_error_e { RT_ON_ERROR_ABORT, RT_ON_ERROR_WARN } rt_on_error_t;
enum { RT_UNWIND_OFF = 0, RT_UNWIND_ON = 1, RT_UNWIND_CHECK = 2 }; /* RTPROF_UNWIND_CACHE */
typedef struct rt_options_s {
  bool profiling;             /* RTPROF / WITH_ALLOC_PROFILE */
  char out[4096];             /* RTPROF_OUT, made absolute at start */
  uint32_t depth;             /* RTPROF_DEPTH, 1..16 */
  uint32_t sites;             /* RTPROF_SITES, site-table capacity */
  uint32_t phases;            /* RTPROF_PHASES, phase-table capacity */
  uint32_t pairs;             /* RTPROF_PAIRS, phase x site table capacity */
  rt_on_error_t on_error;     /* RTPROF_ON_ERROR */
  uint32_t interval_ms;       /* RTPROF_INTERVAL: snapshot step, 0 = none */
  uint32_t flush_ms;          /* RTPROF_FLUSH: dump rewrite step, 0 = only at exit */
  uint32_t snapshots;         /* RTPROF_SNAPSHOTS: timeline ring capacity */
  bool guard;                 /* RTPROF_GUARD: a canary after each block */
  bool fill;                  /* RTPROF_FILL: pattern-fill new and freed blocks */
  uint64_t break_alloc;       /* RTPROF_BREAK_ALLOC: SIGTRAP at this allocation, 0 = off */
  uint32_t break_site;        /* RTPROF_BREAK_SITE=ID:K: SIGTRAP at the K-th ... */
  uint64_t break_site_count;  /* ... allocation of site ID */
  bool children;              /* RTPROF_CHILDREN: programs this one starts are profiled */
  bool child_of_other;        /* RTPROF_CHILDREN=0 and RTPROF_PID names another process */
  uint32_t unwind_cache;      /* RTPROF_UNWIND_CACHE: reuse stacks unwound before (capture.c) */
} rt_options_t;
extern rt_options_t rt_options RT_HIDDEN;
void rt_options_read(void) RT_HIDDEN;

/* fork(): every lock is taken before and released (or reset) after, in one
 * order: dump, snapshots, errors, names, skip cache, mmap regions, registry. */
typedef enum rt_fork_stage_e { RT_FORK_PREPARE, RT_FORK_PARENT, RT_FORK_CHILD } rt_fork_stage_t;

/* ---- "diag.c": messages on stderr without allocating --------------------- */
void rt_warn(const char *fmt, ...) RT_HIDDEN __attribute__((format(printf, 1, 2)));
/* The same, for a dump that cannot be written: its own message budget, so
 * a failing periodic flush never silences the heap-error reports. */
void rt_warn_dump(const char *fmt, ...) RT_HIDDEN __attribute__((format(printf, 1, 2)));
/* Heap misuse, by kind (names in diag.c, as the dump writes them). */
typedef enum rt_error_kind_e {
  RT_ERR_DOUBLE_FREE,
  RT_ERR_REALLOC_FREED,
  RT_ERR_FOREIGN_FREE,
  RT_ERR_FOREIGN_REALLOC,
  RT_ERR_DAMAGED_TAG,
  RT_ERR_FOREIGN_MUNMAP,
  RT_ERR_OVERFLOW,
  RT_ERR_INTERIOR,
  RT_ERR_LAST
} rt_error_kind_t;
/* Reports on stderr and records it for the dump; then, unless
 * RTPROF_ON_ERROR=warn, writes the dump and aborts. */
void rt_heap_error(rt_error_kind_t kind, const void *p, uint32_t alloc_site,
                   uintptr_t call_site) RT_HIDDEN;
typedef struct rt_error_rec_s {
  rt_error_kind_t kind;
  uint64_t count;
  uintptr_t addr, call;
  uint32_t site;
} rt_error_rec_t;
/* Copies up to `cap` recorded errors; returns how many. */
uint32_t rt_errors_read(rt_error_rec_t *out, uint32_t cap) RT_HIDDEN;
void rt_errors_fork(rt_fork_stage_t stage) RT_HIDDEN;
const char *rt_error_kind_name(rt_error_kind_t kind) RT_HIDDEN;
/* snprintf-like formatter that never allocates (%s %d %u %lu %llu %zu %x %lx %p). */
int rt_format(char *buf, size_t cap, const char *fmt, ...) RT_HIDDEN
    __attribute__((format(printf, 3, 4)));
int rt_vformat(char *buf, size_t cap, const char *fmt, __builtin_va_list ap) RT_HIDDEN;

/* ---- "osmem.c": the profiler's own memory, straight from the OS ---------- */
void *rt_os_alloc(size_t size) RT_HIDDEN; /* zeroed, page-aligned; NULL on failure */
void rt_os_free(void *p, size_t size) RT_HIDDEN;
extern uint64_t rt_os_bytes RT_HIDDEN; /* mapped for bookkeeping (atomic) */

/* ---- "table.c": bounded lock-free intern tables -------------------------- */
/* Site ids are 1..capacity; 0 is the overflow row. Pair ids below
 * rt_options.phases are reserved: pair id P is (phase P, overflow site). */
uint32_t rt_site_intern(const uintptr_t *frames, uint32_t depth) RT_HIDDEN;
uint32_t rt_pair_intern(uint32_t phase, uint32_t site) RT_HIDDEN;
const uintptr_t *rt_site_frames(uint32_t site) RT_HIDDEN; /* depth entries */
uint32_t rt_site_count(void) RT_HIDDEN;  /* ids handed out so far */
uint32_t rt_pair_count(void) RT_HIDDEN;  /* pair ids handed out (incl. reserved) */
void rt_pair_key(uint32_t pair, uint32_t *phase, uint32_t *site) RT_HIDDEN;
uint64_t rt_sites_dropped(void) RT_HIDDEN;
void rt_site_note_dropped(void) RT_HIDDEN; /* a site turned away before the table saw it */
uint64_t rt_pairs_dropped(void) RT_HIDDEN;
bool rt_tables_init(void) RT_HIDDEN;

/* ---- "threads.c": per-thread counters, merged on read and at exit -------- */
/* A counter slot, as stored (per thread, and in the global table). Freed
 * bytes are not kept: a slot keeps `room`, what it may still grow before a
 * new high-water, so an allocation tests its site's peak with one
 * subtract-and-branch, and a free adds to `room`. live = peak_live - room,
 * freed = alloc_bytes - live. */
typedef struct rt_slot_s {
  uint64_t allocs, alloc_bytes, frees;
  int64_t room;               /* peak_live - live; below 0 only in passing */
  uint64_t peak_live;         /* sites: this thread's high-water of (alloc - freed) */
} rt_slot_t;
/* What readers see: a slot, or slots summed. */
typedef struct rt_counts_s {
  uint64_t allocs, alloc_bytes, frees, freed_bytes;
  uint64_t peak_live;
} rt_counts_t;

typedef struct rt_phase_frame_s {
  uint32_t id;                /* phase id, 0 when not recorded (table full) */
  int64_t committed_begin, live_begin;
  int64_t blocks_begin;       /* live blocks (their tags are rtprof's overhead) */
  uint64_t t0_ns;
} rt_phase_frame_t;

#define RT_FLAT_SLOTS 256       /* site ids below this: slots inside the thread state */

/* A site-cache entry: a depth-1 return address, its site id and this
 * thread's counter slot for it, so the fast path walks no directory. */
typedef struct rt_site_entry_s {
  uintptr_t ra;
  rt_slot_t *slot;
  uint64_t site_word;         /* site id << 32, as the tag holds it */
  uint64_t unused;            /* 32 bytes an entry: its index is one shift */
} rt_site_entry_t;

/* A pair-cache entry: (phase, site), its pair id and this thread's slot for
 * it (NULL when none could be had: the counts then go global), so an
 * allocation inside a phase walks no directory either. */
typedef struct rt_pair_entry_s {
  uint64_t key;               /* site id << 32 | phase; 0 = empty */
  uint64_t pair;
  rt_slot_t *slot;
  uint64_t unused;            /* 32 bytes an entry: its index is one shift */
} rt_pair_entry_t;
#define RT_PAIR_CACHE 64

typedef struct rt_thread_s rt_thread_t;
struct rt_thread_s {
  /* Written only by the owning thread; read by others with relaxed loads.
   * The thread's allocation totals are the sums of its site slots. Its net
   * live bytes not yet published, `pending`, are pending_max - room: */
  uint64_t failed_allocs;
  int64_t pending_max;        /* high-water of pending since the last publish */
  int64_t room;               /* pending_max - pending: growth before a new high-water */
  int64_t shrink_room;        /* pending + RT_PEAK_SLACK: shrinkage before a publish */
  union {                     /* the fast paths test all three at once */
    struct {
      uint16_t phase;         /* innermost open phase, 0 = none (ids < 65536) */
      uint16_t internal;      /* rt_internal, mirrored (rt_internal_enter) */
      uint32_t scope_site;    /* innermost rtprof_site_push site, 0 = none */
    };
    uint64_t detour;          /* nonzero: allocations take the general path */
  };
  uint64_t fast_limit;        /* sizes below it may take the fast paths: RT_BIG_BLOCK
                                 while detour is 0, else 0 (rt_detour_changed) */
  void *last_block;           /* what the fast path allocated last: its free is done at
                                 once (the tag is in cache); (void *)1 when none */
  /* Deferred frees (alloc.c): a free of any other block prefetches the tag
   * and waits here RT_DEFER frees. Owner-written; another thread takes the
   * blocks only through rt_defer_take_all's protocol. */
  int deferring;              /* the owner is inside a ring section; always 1 where no
                                 ring is kept (a sentinel, or rt_defer_on false) */
  int defer_stop;             /* another thread is taking the ring: free at once */
  uint32_t defer_next;        /* the oldest entry */
  void *defer_block[RT_DEFER];
  uintptr_t defer_ra[RT_DEFER]; /* each free's call site, for an error report */
  bool is_sentinel;           /* a shared placeholder: counts go global */
  uint32_t phase_depth;       /* open phases, including unrecorded ones */
  int in_profiler;            /* recursion guard: > 0 inside our own code */
  rt_site_entry_t site_cache[RT_SITE_CACHE]; /* direct-mapped, depth 1 only */
  uint32_t scope_depth;       /* pushes not yet popped, including unrecorded ones */
  uint32_t scope[RT_SCOPE_STACK];
  rt_phase_frame_t phase_stack[RT_PHASE_STACK];
  /* Guarded by the registry lock. */
  rt_thread_t *next, *prev;
  rt_slot_t **site_dir;       /* chunk directory; chunks mapped on first use, */
  rt_slot_t **pair_dir;       /* but the first site chunks are `flat` */
  void *unwind_cache;         /* capture.c's stacks, kept when the state is recycled */
  rt_slot_t flat[RT_FLAT_SLOTS]; /* sites 0..RT_FLAT_SLOTS-1, indexed directly */
  rt_pair_entry_t pair_cache[RT_PAIR_CACHE]; /* (phase, site) -> pair id, direct-mapped */
};
_Static_assert(RT_FLAT_SLOTS % RT_CHUNK_SLOTS == 0, "flat slots are whole chunks");

/* This thread's state, and a count that is > 0 while rtprof itself calls
 * something that allocates (pthread_create, atexit, dlsym): those blocks
 * are tagged as internal and never counted, so a profile holds only the
 * program's allocations. One TLS block, so the fast paths find both from
 * one address. */
typedef struct rt_tls_s {
  rt_thread_t *self;
  int internal;
} rt_tls_t;
extern __thread rt_tls_t rt_tls RT_HIDDEN __attribute__((tls_model("initial-exec")));
#define rt_self (rt_tls.self)
#define rt_internal (rt_tls.internal)
#define RT_SITE_INTERNAL UINT32_MAX /* the site id of an internal block */
rt_thread_t *rt_thread_start(void) RT_HIDDEN; /* rt_self, made real if needed */
/* The slot of `id` in this thread's directory; NULL when the counts must go
 * straight to the global table (thread exiting, or out of memory). */
rt_slot_t *rt_slot_slow(rt_thread_t *t, bool pair, uint32_t id) RT_HIDDEN;
/* Counts into the global table; a site's counts go to the global totals too. */
void rt_global_add(bool pair, uint32_t id, int64_t allocs, int64_t bytes,
                   int64_t frees, int64_t freed) RT_HIDDEN;
void rt_publish_pending(rt_thread_t *t) RT_HIDDEN;
/* Deferred frees: whether they are in use (the kernel has membarrier), this
 * thread's own done now, and every thread's, for a dump (alloc.c). */
extern bool rt_defer_on RT_HIDDEN;
void rt_defer_init(void) RT_HIDDEN;
void rt_defer_drain(rt_thread_t *t) RT_HIDDEN;
/* A taken free counts in the taker's slots, so the owner's own high-water
 * marks see it late (as for a block freed by another thread): only the
 * program's stats calls and the dumps it asks for (exit, rtprof_dump, an
 * error) take, never the sampler's periodic dumps. */
void rt_defer_take_all(void) RT_HIDDEN;
void rt_defer_fork_child(void) RT_HIDDEN;
/* Live bytes (bytes - freed) and failures of a thread without state. */
void rt_count_global_totals(int64_t bytes, int64_t freed, int64_t failed) RT_HIDDEN;

static inline rt_slot_t *rt_site_slot(rt_thread_t *t, uint32_t id) {
  if (rt_likely(id < RT_FLAT_SLOTS) && !t->is_sentinel) return &t->flat[id];
  rt_slot_t *chunk = t->site_dir ? t->site_dir[id / RT_CHUNK_SLOTS] : NULL;
  if (rt_likely(chunk != NULL)) return &chunk[id % RT_CHUNK_SLOTS];
  return rt_slot_slow(t, false, id);
}
static inline rt_slot_t *rt_pair_slot(rt_thread_t *t, uint32_t id) {
  rt_slot_t *chunk = t->pair_dir ? t->pair_dir[id / RT_CHUNK_SLOTS] : NULL;
  if (rt_likely(chunk != NULL)) return &chunk[id % RT_CHUNK_SLOTS];
  return rt_slot_slow(t, true, id);
}

/* Process-wide sums, taken under the registry lock. */
typedef struct rt_totals_s {
  uint64_t allocs, alloc_bytes, frees, freed_bytes, failed_allocs;
  uint64_t peak_live;
  uint64_t threads;           /* registered thread states */
} rt_totals_t;
void rt_totals_read(rt_totals_t *out) RT_HIDDEN;
int64_t rt_live_bytes_now(void) RT_HIDDEN;
/* Sums one site's or pair's counters over the global table and all threads.
 * Call between rt_registry_lock/unlock. */
void rt_slot_sum(bool pair, uint32_t id, rt_counts_t *out) RT_HIDDEN;
/* A slot's live bytes (alloc - freed), read by another thread. */
static inline int64_t rt_slot_live(const rt_slot_t *s) {
  return (int64_t)rt_load_relaxed(&s->peak_live) - rt_load_relaxed(&s->room);
}
void rt_registry_lock(void) RT_HIDDEN;
void rt_registry_unlock(void) RT_HIDDEN;
uint64_t rt_thread_overhead_bytes(void) RT_HIDDEN;
bool rt_threads_init(void) RT_HIDDEN;
void rt_registry_fork(rt_fork_stage_t stage) RT_HIDDEN;
bool rt_registry_held(void) RT_HIDDEN;      /* by this thread */
uint64_t rt_registry_threads(void) RT_HIDDEN; /* registered thread states */

/* ---- "capture.c": call-site capture -------------------------------------- */
/* Fills frames[first..depth) starting at return address `ra` (the
 * allocating call; RT_RA_AT allowed), walking past RTPROF_SKIP frames and
 * zero-filling what the stack does not have, and returns the site id of
 * frames[0..depth) (frames[0] a name when first is 1). Call with
 * t->in_profiler raised: it unwinds through t's cache of stacks. */
uint32_t rt_capture_site(rt_thread_t *t, uintptr_t ra, uintptr_t *frames, uint32_t first,
                         uint32_t depth) RT_HIDDEN;
void rt_capture_init(void) RT_HIDDEN; /* at start-up */

/* ---- "skip.c": which function an address belongs to ----------------------- */
#define RT_ADDR_SKIP 1u   /* (a return address) inside a function RTPROF_SKIP matches */
#define RT_ADDR_ENTRY 2u  /* a function starts exactly here */
#define RT_ADDR_UNNAMED 4u /* (a return address) in no function of the symbol tables,
                              undecided: is it inside a wrapper (see capture.c)? */
extern bool rt_skip_active RT_HIDDEN; /* a skip pattern is in effect */
void rt_skip_init(void) RT_HIDDEN;    /* reads RTPROF_SKIP; at start, may allocate */
uint32_t rt_addr_flags(uintptr_t addr) RT_HIDDEN; /* RT_ADDR_*, resolved once per address */
/* Settles an RT_ADDR_UNNAMED address: a wrapper's inside (SKIP) or not. */
void rt_addr_decide(uintptr_t addr, bool skip) RT_HIDDEN;
/* Changes with every flag rt_addr_decide changes: a site worked out from
 * flags read under one epoch holds while the epoch does. */
extern uint32_t rt_addr_epoch RT_HIDDEN;
void rt_skip_fork(rt_fork_stage_t stage) RT_HIDDEN;

/* ---- "ere.c": POSIX extended regexes matched without allocating ---------- */
#define RT_ERE_PROG 2048        /* instructions of a compiled pattern */
#define RT_ERE_CLASSES 64       /* bracket expressions in a pattern */
typedef struct rt_ere_inst_s {
  uint8_t op;
  uint16_t x, y;              /* a character, a class index, or jump targets */
} rt_ere_inst_t;
typedef struct rt_ere_s {
  rt_ere_inst_t prog[RT_ERE_PROG];
  uint8_t classes[RT_ERE_CLASSES][32]; /* 256-bit sets */
  uint32_t n, nclasses;
} rt_ere_t;
/* Both use static scratch space: call them under one lock (or at start). */
bool rt_ere_compile(rt_ere_t *re, const char *pattern, const char **err) RT_HIDDEN;
bool rt_ere_match(const rt_ere_t *re, const char *s) RT_HIDDEN; /* anywhere in s */

/* ---- "names.c": named sites and site scopes ------------------------------- */
/* The return address of the rt_*_site call in progress (see RT_RA_SITE). */
extern __thread uintptr_t rt_site_ra RT_HIDDEN __attribute__((tls_model("initial-exec")));
typedef struct rt_name_view_s {
  const char *function, *file; /* file NULL when none */
  uint32_t line;
} rt_name_view_t;
uint32_t rt_names_count(void) RT_HIDDEN;  /* name ids 1..count are in use */
bool rt_name_read(uint32_t id, rt_name_view_t *out) RT_HIDDEN;
void rt_names_fork(rt_fork_stage_t stage) RT_HIDDEN;
/* The address an error report should name for the call that passed `ra`. */
static inline uintptr_t rt_call_address(uintptr_t ra) {
  return (ra & RT_RA_SITE) ? rt_site_ra : ra & ~RT_RA_AT;
}

/* ---- "alloc.c": the mode switch and the profiled paths ------------------- */
enum { RT_MODE_UNINIT = 0, RT_MODE_OFF = 1, RT_MODE_ON = 2 };
extern int rt_mode RT_HIDDEN;
extern bool rt_extras RT_HIDDEN; /* RTPROF_GUARD, _FILL or _BREAK_* is on */
void rt_init(void) RT_HIDDEN;
#define RT_MAX_SIZE ((size_t)1 << 43) /* larger requests fail with ENOMEM (8 TiB) */
#define RT_PAIR_BITS 20               /* pair ids (phases + pairs) fit in 20 bits */
/* Blocks this large or larger take the general paths: their memory may go
 * back to the OS when freed, so a ring remembers them for double frees. */
#define RT_BIG_BLOCK ((size_t)1 << 20)
/* mimalloc hands out 8-byte-aligned blocks for sizes like 0, 8 or 24; C
 * promises alignof(max_align_t) (16). Sizes that are non-zero multiples of
 * 16 get 16-aligned blocks, so round up (a too-large size stays too large). */
static inline size_t rt_round16(size_t size) {
  return rt_likely(size <= RT_MAX_SIZE) ? ((size + 15) & ~(size_t)15) | (size_t)(size == 0) << 4
                                        : SIZE_MAX;
}
/* The size the off path asks mimalloc for: size | 15 lands in the same
 * size class as rt_round16(size) (its classes above 8 bytes that hold
 * 16k-1 are 16k or larger multiples of 16, so their blocks are 16-aligned;
 * 0 becomes 15, the 16-byte class), one instruction, and never wraps: a
 * size too large stays too large. */
static inline size_t rt_off_size(size_t size) { return size | 15; }
/* After a change to t's detour word: one compare of the size tests it. */
static inline void rt_detour_changed(rt_thread_t *t) {
  rt_store_relaxed(&t->fast_limit, t->detour == 0 ? RT_BIG_BLOCK : 0);
}
/* Around rtprof's own calls that allocate. A real thread state mirrors the
 * count in its detour word, which the fast paths test. */
static inline void rt_internal_enter(void) {
  rt_tls.internal++;
  rt_thread_t *t = rt_tls.self;
  if (!t->is_sentinel) t->internal++, rt_detour_changed(t);
}
static inline void rt_internal_leave(void) {
  rt_tls.internal--;
  rt_thread_t *t = rt_tls.self;
  if (!t->is_sentinel) t->internal--, rt_detour_changed(t);
}
/* Everything but the off-mode fast path; `ra` is the call site. */
void *rt_profiled_alloc(size_t size, size_t align, bool zero, uintptr_t ra) RT_HIDDEN;
void rt_profiled_free(void *p, uintptr_t ra) RT_HIDDEN;
void *rt_profiled_realloc(void *p, size_t size, uintptr_t ra) RT_HIDDEN;
uint64_t rt_mmap_live_bytes(void) RT_HIDDEN;
uint64_t rt_mmap_peak_bytes(void) RT_HIDDEN;
uint64_t rt_tag_bytes_live(void) RT_HIDDEN;

/* ---- "snapshot.c": the timeline and the periodic dump -------------------- */
typedef enum rt_snap_kind_e { RT_SNAP_INTERVAL, RT_SNAP_PEAK, RT_SNAP_LABEL, RT_SNAP_EXIT } rt_snap_kind_t;
typedef void (*rt_snapshot_view_fn)(void *ctx, uint64_t t_ns, uint64_t committed, uint64_t live,
                                    uint64_t rss, uint32_t phase, rt_snap_kind_t kind,
                                    const char *label);
/* The top sites of a snapshot (live bytes, largest first), after its point. */
typedef void (*rt_snapshot_top_fn)(void *ctx, const uint32_t *sites, const uint64_t *live, uint32_t n);
extern uint32_t rt_last_phase RT_HIDDEN; /* innermost phase of the last phase event */
bool rt_snapshots_init(void) RT_HIDDEN;
void rt_snapshots_start(void) RT_HIDDEN; /* the sampler thread, from the constructor */
void rt_snapshots_fork(rt_fork_stage_t stage) RT_HIDDEN;
void rt_snapshot_take(rt_snap_kind_t kind, const char *label, uint64_t committed) RT_HIDDEN;
void rt_snapshot_peak_check(uint64_t committed) RT_HIDDEN;
uint32_t rt_snapshots_read(rt_snapshot_view_fn fn, rt_snapshot_top_fn top, void *ctx) RT_HIDDEN;
uint64_t rt_snapshot_t0_ns(void) RT_HIDDEN; /* CLOCK_MONOTONIC when profiling started */
uint64_t rt_snapshot_interval_ms(void) RT_HIDDEN;
/* Live bytes above which the sampler is woken for a dump (runaway growth). */
extern int64_t rt_flush_trigger RT_HIDDEN;
void rt_flush_request(void) RT_HIDDEN; /* wakes the sampler; never blocks */

/* ---- "peak.c": what was live at the peak; top sites; first calls ----------- */
typedef struct rt_peak_s {
  bool taken;
  uint64_t live_bytes, live_blocks; /* summed over every site at the capture */
  uint64_t t_ns;              /* since profiling started (as snapshots) */
  uint64_t committed, rss, overhead; /* read right after the capture */
  uint32_t phase;             /* innermost phase of the last phase event */
  uint32_t nsites, nphases;   /* ids covered: sites [0, nsites), phases [1, nphases) */
} rt_peak_t;
typedef void (*rt_peak_view_fn)(void *ctx, const rt_peak_t *p, const int64_t *site_live,
                                const int64_t *phase_live);
bool rt_peak_init(void) RT_HIDDEN;
int64_t rt_peak_trigger(void) RT_HIDDEN;  /* published live bytes that ask for a capture */
void rt_peak_capture(void) RT_HIDDEN;     /* never blocks; registry lock not held */
void rt_peak_capture_now(void) RT_HIDDEN; /* the present, when it beats the best */
/* Shows the best capture; returns false when there is none. */
bool rt_peak_read(rt_peak_view_fn fn, void *ctx) RT_HIDDEN;
uint64_t rt_peak_captures(void) RT_HIDDEN;
void rt_peak_fork(rt_fork_stage_t stage) RT_HIDDEN;
#define RT_SNAP_TOP 8               /* sites a snapshot records (docs/dump-format.md) */
/* The k sites holding the most live bytes now, largest first; returns how many. */
uint32_t rt_top_sites(uint32_t *ids, uint64_t *live, uint32_t k) RT_HIDDEN;
void rt_phase_first_call_end(uint32_t phase) RT_HIDDEN;
uint64_t rt_pair_first_live(uint32_t pair) RT_HIDDEN;

/* ---- "dump.c" ------------------------------------------------------------ */
struct dl_phdr_info;
/* [lo, hi): the addresses a loaded module's PT_LOAD segments span (hi 0: none). */
void rt_module_extent(const struct dl_phdr_info *info, uintptr_t *lo, uintptr_t *hi) RT_HIDDEN;
/* The module's GNU build-id (its length, 0 when it has none) from its notes. */
uint32_t rt_module_build_id(const struct dl_phdr_info *info, const unsigned char **id) RT_HIDDEN;
int rt_dump_write(const char *path, const char *reason) RT_HIDDEN;
void rt_dump_init(void) RT_HIDDEN; /* notes the start time */
void rt_dump_fork(rt_fork_stage_t stage) RT_HIDDEN;
void rt_dump_note_exit(void) RT_HIDDEN; /* later periodic flushes are skipped */
void rt_dump_path(char *buf, size_t cap) RT_HIDDEN; /* RTPROF_OUT with %p */

/* ---- "bracket/phase.c" --------------------------------------------------- */
typedef struct rt_phase_info_s {
  uint32_t parent;
  const char *name;
  uint64_t calls, open;
  int64_t committed_delta, committed_delta_max, live_delta;
  int64_t blocks_delta;       /* live blocks at end - at begin, summed */
  uint64_t wall_ns;
} rt_phase_info_t;
uint32_t rt_phase_count(void) RT_HIDDEN;   /* ids 1..count are in use */
bool rt_phase_info(uint32_t id, rt_phase_info_t *out) RT_HIDDEN;
bool rt_phases_init(void) RT_HIDDEN;
void rt_phase_thread_exit(rt_thread_t *t) RT_HIDDEN;
/* Warnings the phase code counted, for the dump. */
typedef struct rt_phase_warnings_s {
  uint64_t end_without_begin, depth_exceeded, token_mismatch, open_at_exit;
} rt_phase_warnings_t;
void rt_phase_warnings(rt_phase_warnings_t *out) RT_HIDDEN;
void rt_phase_note_open_at_exit(void) RT_HIDDEN;

/* ---- "bracket/accessors.c" ----------------------------------------------- */
uint64_t rt_committed_now(uint64_t *peak) RT_HIDDEN; /* mimalloc + rt_mmap */
uint64_t rt_now_ns(void) RT_HIDDEN;                  /* CLOCK_MONOTONIC */
/* rt_alloc_stats without taking over other threads' deferred frees. */
void rt_stats_read(rt_alloc_stats_t *s) RT_HIDDEN;

#endif /* RTPROF_INTERNAL_H */
