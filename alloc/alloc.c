/* The rt_* allocator. Profiling off: one predictable branch, then straight to
 * mimalloc with no header. Profiling on: each block carries a 16-byte tag
 * (site id, phase x site pair id, requested size and a check word), and its
 * allocation and free are counted per thread at the allocating site. */
#define _GNU_SOURCE /* memmem */
#include <dlfcn.h>
#include <errno.h>
#include <mimalloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

int rt_mode = RT_MODE_UNINIT;
/* RTPROF_GUARD, _FILL or _BREAK_* is on: one flag, so the profiled path pays
 * one predictable branch when they are all off. */
bool rt_extras;
/* Named ids 1..rt_named_fast take rt_alloc_site's fast path: 0 unless
 * profiling is on at depth 1 without extras. */
static uint32_t rt_named_fast;
RT_EXPORT bool rtprof_profiling_ = false;

/* The tag sits right before the user pointer. mimalloc writes its free-list
 * link over the first word of a freed block, so what must survive a free
 * (the check and the allocating site, to name it in a double-free report)
 * is in the second word. */
typedef struct rt_tag_s {
  uint64_t size_pair;         /* requested size << RT_PAIR_BITS | pair id */
  uint32_t check;             /* tag_check() while live, RT_TAG_FREED once freed */
  uint32_t site;              /* site id, 0 = overflow */
} rt_tag_t;
_Static_assert(sizeof(rt_tag_t) == RT_TAG_SIZE, "tag is 16 bytes");
_Static_assert(RT_MAX_SIZE <= (UINT64_MAX >> RT_PAIR_BITS), "sizes fit beside the pair id");

#define RT_TAG_FREED 0xf7ee0000u /* a freed block's check: the constant itself */

/* A live block's check is 32 bits over the block's address and the tag's
 * other fields: a tag damaged by an underflow, copied elsewhere, or foreign
 * data in front of a pointer rtprof did not allocate, passes with odds of 1
 * in 4 billion. One multiply: the high half of (address ^ site ^ size_pair)
 * times an odd 31-bit constant (an immediate operand: no constant load).
 * A freed block keeps its site beside RT_TAG_FREED, which only tells a
 * double free from a foreign pointer (both are errors), so a free stores a
 * constant rather than computing a second check. */
static inline uint64_t tag_key(const void *base, uint32_t site) {
  return (uintptr_t)base ^ (uint64_t)site << 32;
}
static inline uint32_t tag_hash(uint64_t key) { return (uint32_t)((key * 0x5bd1e995ULL) >> 32); }
static inline uint32_t tag_check(const void *base, uint64_t size_pair, uint32_t site) {
  return tag_hash(tag_key(base, site) ^ size_pair);
}
/* A block that rt_free's fast path must leave to the general one (inside a
 * phase pair, of a site without a slot inside the thread state, of 1 MiB or
 * more, or one of rtprof's own) has RT_TAG_DETOUR or-ed into its key and its
 * check: the fast path's check never holds for it, so it tests nothing else.
 * The fast allocation path gets the bit from the site cache's site word. */
#define RT_TAG_DETOUR 0x80000000u
static inline uint32_t tag_check_detour(const void *base, uint64_t size_pair, uint32_t site) {
  return RT_TAG_DETOUR | tag_hash(tag_key(base, site) ^ size_pair ^ RT_TAG_DETOUR);
}
static inline bool tag_fast_free_ok(uint64_t size_pair, uint32_t site) {
  return (size_pair & ((1u << RT_PAIR_BITS) - 1)) == 0 && site < RT_FLAT_SLOTS &&
         (size_pair >> RT_PAIR_BITS) < RT_BIG_BLOCK;
}
static inline uint32_t tag_check_for(const void *base, uint64_t size_pair, uint32_t site) {
  return tag_fast_free_ok(size_pair, site) ? tag_check(base, size_pair, site)
                                           : tag_check_detour(base, size_pair, site);
}
/* A live tag: its check holds, either way. */
static inline bool tag_holds(const rt_tag_t *t) {
  uint32_t check = t->check;
  return check == tag_check(t, t->size_pair, t->site) || check == tag_check_detour(t, t->size_pair, t->site);
}
static inline size_t tag_size(const rt_tag_t *t) { return t->size_pair >> RT_PAIR_BITS; }
static inline uint32_t tag_pair(const rt_tag_t *t) {
  return (uint32_t)(t->size_pair & ((1u << RT_PAIR_BITS) - 1));
}

#define RA() ((uintptr_t)__builtin_return_address(0))

/* ---- start-up ------------------------------------------------------------ */

static void exit_dump(void) {
  rt_dump_note_exit();
  rt_phase_note_open_at_exit();
  char path[sizeof rt_options.out + 32];
  rt_dump_path(path, sizeof path);
  if (rt_dump_write(path, "exit") != 0) rt_warn_dump("could not write the dump %s", path);
}

static pthread_once_t rt_once = PTHREAD_ONCE_INIT;
static bool rt_stood_down; /* a copy of librtprof that left profiling to the interposer */

static void fork_stage(rt_fork_stage_t stage);
static void set_entries(void);
static void fork_prepare(void) { fork_stage(RT_FORK_PREPARE); }
static void fork_parent(void) { fork_stage(RT_FORK_PARENT); }
static void fork_child(void) { fork_stage(RT_FORK_CHILD); }

/* mimalloc reports a failed allocation here rather than in errno; C's
 * malloc family promises errno == ENOMEM. The off path can then tail-call. */
static void on_mimalloc_error(int err, void *arg) {
  (void)arg;
  if (err == ENOMEM || err == EOVERFLOW) errno = ENOMEM;
}

static void init_profiler(void) {
  rt_dump_init();
  mi_register_error(on_mimalloc_error, NULL);
  rt_options_read();
#ifndef RTPROF_PRELOAD
  /* A program linked with librtprof and run under the interposer (as
   * `rtprof run` does) has two copies; the interposer's comes first in
   * symbol lookup and does the profiling, this one stays quiet. */
  if (dlsym(RTLD_DEFAULT, "rtprof_preload_marker_") != NULL) rt_options.profiling = false, rt_stood_down = true;
#endif
  if (!rt_options.profiling) {
    __atomic_store_n(&rt_mode, RT_MODE_OFF, __ATOMIC_RELEASE);
    set_entries();
    return;
  }
  if (!rt_tables_init() || !rt_threads_init() || !rt_phases_init() || !rt_snapshots_init() ||
      !rt_peak_init()) {
    rt_warn("cannot map the profiler's tables (RTPROF_SITES=%u); profiling is off", rt_options.sites);
    __atomic_store_n(&rt_mode, RT_MODE_OFF, __ATOMIC_RELEASE);
    set_entries();
    return;
  }
  rtprof_profiling_ = true;
  rt_defer_init();
  rt_extras = rt_options.guard || rt_options.fill || rt_options.break_alloc || rt_options.break_site;
  if (rt_options.depth == 1 && !rt_extras)
    rt_named_fast = rt_options.sites < RT_FLAT_SLOTS - 1 ? rt_options.sites : RT_FLAT_SLOTS - 1;
  __atomic_store_n(&rt_mode, RT_MODE_ON, __ATOMIC_RELEASE);
  set_entries();
  /* These may allocate, so they come once the profiled path works. */
  pthread_atfork(fork_prepare, fork_parent, fork_child);
  atexit(exit_dump);
  rt_skip_init();
  rt_capture_init();
}

/* What start-up allocates (pthread_atfork, atexit, dlsym) is rtprof's own. */
static void init_once(void) {
  rt_internal_enter();
  init_profiler();
  rt_internal_leave();
}

void rt_init(void) { pthread_once(&rt_once, init_once); }

/* RTPROF_CHILDREN=0 (what `rtprof run` sets unless --follow-children):
 * the process that started with the switches is profiled through every
 * `exec` it makes (a wrapper script or shim that execs the real program
 * keeps its pid), the programs it starts are not. The first image notes its
 * pid in RTPROF_PID; an image that finds another pid there is a child, is
 * not profiled (options.c) and takes the switches out of the environment
 * its own children get. Done in a constructor, never inside malloc, and on
 * the `environ` array itself: some programs (bash) replace getenv/unsetenv
 * with their own, which would not touch the array they later pass on. */
static bool env_name_is(const char *entry, const char *name) {
  size_t n = strlen(name);
  return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static void scrub_environment(void) {
  extern char **environ;
  static char preload_kept[4096] = "LD_PRELOAD="; /* must outlive us: environ points here */
  char **out = environ;
  for (char **e = environ; *e; e++) {
    if (env_name_is(*e, "RTPROF") || env_name_is(*e, "WITH_ALLOC_PROFILE") ||
        env_name_is(*e, "RTPROF_CHILDREN") || env_name_is(*e, "RTPROF_PID"))
      continue;
    if (env_name_is(*e, "LD_PRELOAD") && strstr(*e, "librtprof-preload") != NULL) {
      size_t o = strlen("LD_PRELOAD=");
      for (const char *s = *e + o; *s;) {
        size_t n = strcspn(s, ": ");
        if (memmem(s, n, "librtprof-preload", 17) == NULL && n > 0 && o + n + 2 < sizeof preload_kept) {
          if (o > strlen("LD_PRELOAD=")) preload_kept[o++] = ':';
          memcpy(preload_kept + o, s, n);
          o += n;
        }
        s += n;
        if (*s) s++;
      }
      preload_kept[o] = '\0';
      if (o == strlen("LD_PRELOAD=")) continue; /* nothing else was preloaded */
      *out++ = preload_kept;
      continue;
    }
    *out++ = *e;
  }
  *out = NULL;
}

/* Adds RTPROF_PID=<our pid> to the environment, unless it is there. */
static void note_owner_pid(void) {
  extern char **environ;
  size_t n = 0;
  for (char **e = environ; *e; e++, n++)
    if (env_name_is(*e, "RTPROF_PID")) return;
  static char entry[32];
  rt_format(entry, sizeof entry, "RTPROF_PID=%d", (int)getpid());
  /* A new array from the OS (once per process, never freed: environ keeps
   * pointing at it); the old one may be the kernel's, which cannot grow. */
  char **grown = rt_os_alloc((n + 2) * sizeof *grown);
  if (grown == NULL) return;
  memcpy(grown, environ, n * sizeof *grown);
  grown[n] = entry;
  grown[n + 1] = NULL;
  environ = grown;
}

static void children_environment(void) {
  extern char **environ;
  if (environ == NULL || rt_stood_down || rt_options.children) return;
  if (rt_options.child_of_other) scrub_environment();
  else if (rt_options.profiling) note_owner_pid();
}

/* librtprof.so may be dlopen()ed and dlclose()d while the sampler thread
 * runs its code (and atexit holds its dump function): pin it, as
 * `-z nodelete` would, whatever flags it was linked with. */
static void pin_library(void) {
#ifdef __PIC__
  Dl_info info;
  if (dladdr((void *)&pin_library, &info) != 0 && info.dli_fname != NULL) {
    rt_internal_enter();
    void *h = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    rt_internal_leave();
    (void)h; /* the extra reference is the point: never dlclose()d */
  }
#endif
}

__attribute__((constructor)) static void rt_constructor(void) {
  rt_init();
  children_environment();
  if (rt_mode == RT_MODE_ON) pin_library();
  rt_snapshots_start();
}

RT_EXPORT bool rtprof_enabled(void) {
  rt_init();
  return rt_mode == RT_MODE_ON;
}

RT_EXPORT int rtprof_dump(const char *path) {
  rt_init();
  if (rt_mode != RT_MODE_ON) {
    errno = ENOTSUP;
    return -1;
  }
  char buf[sizeof rt_options.out + 32];
  if (path == NULL) {
    rt_dump_path(buf, sizeof buf);
    path = buf;
  }
  return rt_dump_write(path, "api");
}

/* ---- counting ------------------------------------------------------------ */

/* This thread's state, or NULL when it has none (it is exiting, or its state
 * could not be mapped): then counts go straight to the global tables. */
RT_INLINE rt_thread_t *self_thread(void) {
  rt_thread_t *t = rt_self;
  if (rt_unlikely(t->is_sentinel)) {
    t = rt_thread_start();
    if (t->is_sentinel) return NULL;
  }
  return t;
}

static RT_COLD void count_global(uint32_t site, uint32_t pair, int64_t allocs, int64_t bytes,
                                 int64_t frees, int64_t freed) {
  rt_global_add(false, site, allocs, bytes, frees, freed);
  if (pair != 0) rt_global_add(true, pair, allocs, bytes, frees, freed);
  rt_count_global_totals(bytes, freed, 0);
}

static void count_failure(void) {
  rt_thread_t *t = self_thread();
  if (t == NULL) rt_count_global_totals(0, 0, 1);
  else rt_bump(&t->failed_allocs, 1);
}

/* A slot's or the thread's `room` went below zero: the high-water moves up
 * to the present (room 0 again). */
RT_INLINE void slot_new_high(rt_slot_t *s) {
  int64_t over = -s->room;
  rt_store_relaxed(&s->room, 0);
  rt_store_relaxed(&s->peak_live, s->peak_live + (uint64_t)over);
}
/* Returns whether the thread's unpublished net is past RT_PEAK_SLACK. */
RT_INLINE bool thread_new_high(rt_thread_t *t) {
  int64_t high = t->pending_max - t->room;
  rt_store_relaxed(&t->room, 0);
  rt_store_relaxed(&t->pending_max, high);
  return high > RT_PEAK_SLACK;
}

/* Whether this thread has frees waiting in its ring (deferred frees, below):
 * the ring fills in order and is emptied whole (drained, or taken by another
 * thread), so its newest entry tells. */
RT_INLINE bool defer_waiting(const rt_thread_t *t) {
  return rt_load_relaxed(&t->defer_block[(t->defer_next - 1) & (RT_DEFER - 1)]) != NULL;
}
RT_INLINE void defer_settle(rt_thread_t *t) {
  if (rt_unlikely(defer_waiting(t))) rt_defer_drain(t);
}

/* Counting into this thread's slots; `t` is a real thread state. */
RT_INLINE void count_alloc(rt_thread_t *t, uint32_t site, uint32_t pair, size_t size) {
  /* Settled first, so a new high-water is a real one: on this general
   * path whenever the ring holds a block (one test when it is empty);
   * alloc_in_phase and realloc_fast compare the rooms before they charge
   * and settle only when one is short. */
  defer_settle(t);
  rt_slot_t *s = rt_site_slot(t, site);
  if (rt_unlikely(s == NULL)) {
    rt_global_add(false, site, 1, (int64_t)size, 0, 0);
  } else {
    rt_bump(&s->allocs, 1);
    rt_bump(&s->alloc_bytes, size);
    if (rt_drop_below_zero(&s->room, (int64_t)size)) slot_new_high(s);
  }
  if (pair != 0) {
    rt_slot_t *ps = rt_pair_slot(t, pair);
    if (rt_unlikely(ps == NULL)) {
      rt_global_add(true, pair, 1, (int64_t)size, 0, 0);
    } else {
      rt_bump(&ps->allocs, 1);
      rt_bump(&ps->alloc_bytes, size);
      rt_bump(&ps->room, -(int64_t)size); /* a pair has no peak: room is -live */
    }
  }
  rt_bump(&t->shrink_room, size);
  if (rt_drop_below_zero(&t->room, (int64_t)size) && thread_new_high(t)) rt_publish_pending(t);
}

RT_INLINE void count_free(rt_thread_t *t, uint32_t site, uint32_t pair, size_t size) {
  rt_slot_t *s = rt_site_slot(t, site);
  if (rt_unlikely(s == NULL)) {
    rt_global_add(false, site, 0, 0, 1, (int64_t)size);
  } else {
    rt_bump(&s->frees, 1);
    rt_bump(&s->room, size);
  }
  if (pair != 0) {
    rt_slot_t *ps = rt_pair_slot(t, pair);
    if (rt_unlikely(ps == NULL)) {
      rt_global_add(true, pair, 0, 0, 1, (int64_t)size);
    } else {
      rt_bump(&ps->frees, 1);
      rt_bump(&ps->room, size);
    }
  }
  rt_bump(&t->room, size);
  if (rt_unlikely(rt_drop_below_zero(&t->shrink_room, (int64_t)size))) rt_publish_pending(t);
}

/* The general path: any depth, named sites (RT_RA_SITE), rt_*_at sites
 * (RT_RA_AT), wrappers to walk past. */
static RT_NOINLINE uint32_t site_slow(rt_thread_t *t, uintptr_t ra) {
  uintptr_t frames[RT_MAX_DEPTH]; /* rt_capture_site fills frames[first, depth) */
  uint32_t depth = rt_options.depth, first = 0;
  if (ra & RT_RA_SITE) {
    uint32_t s = (uint32_t)ra;
    ra = rt_site_ra;
    if (s != 0) {
      if (s > rt_options.sites) return 0; /* rt_site_named's overflow id */
      if (depth == 1) return s;
      const uintptr_t *named = rt_site_frames(s);
      if (named == NULL) return 0;
      frames[0] = rt_load_relaxed(&named[0]); /* the name; the C stack follows */
      first = 1;
    }
  }
  if (t != NULL && t->in_profiler == 0) {
    t->in_profiler++; /* the unwinder may allocate: those allocations take depth 1 */
    uint32_t site = rt_capture_site(t, ra, frames, first, depth);
    t->in_profiler--;
    return site;
  }
  memset(frames + first, 0, (depth - first) * sizeof *frames);
  frames[first] = ra & ~RT_RA_AT;
  return rt_site_intern(frames, depth);
}

static inline uint32_t cache_slot(uintptr_t ra) { return (uint32_t)ra & (RT_SITE_CACHE - 1); }
/* The same entry, as a byte offset into the cache (one shift fewer). */
static inline const rt_site_entry_t *cache_entry(const rt_thread_t *t, uintptr_t ra) {
  _Static_assert(sizeof(rt_site_entry_t) == 32, "an entry is 32 bytes");
  size_t offset = (ra << 5) & ((RT_SITE_CACHE - 1) << 5);
  return (const rt_site_entry_t *)((const char *)t->site_cache + offset);
}

/* A depth-1 site not in this thread's cache. */
static RT_NOINLINE uint32_t site_of_new(rt_thread_t *t, uintptr_t ra, uint32_t slot) {
  uintptr_t addr = ra & ~RT_RA_AT, frame = addr;
  uint32_t flags = rt_skip_active || addr != ra ? rt_addr_flags(addr) : 0;
  if (addr != ra && (flags & RT_ADDR_ENTRY)) frame = addr | RT_FRAME_EXACT;
  else if (rt_skip_active && (flags & (RT_ADDR_SKIP | RT_ADDR_UNNAMED)))
    return site_slow(t, ra); /* a wrapper (its caller varies), or not known yet */
  uint32_t site = rt_site_intern(&frame, 1);
  rt_slot_t *s = rt_extras ? NULL : rt_site_slot(t, site); /* extras: never the fast path */
  uint64_t site_word = (uint64_t)site << 32 | (site < RT_FLAT_SLOTS ? 0 : RT_TAG_DETOUR);
  if (s != NULL) t->site_cache[slot] = (rt_site_entry_t){ra, s, site_word, 0};
  return site;
}

/* The site id of `ra` (and its stack, at depth > 1), through a small
 * per-thread cache: a program allocates from few sites at a time, and the
 * shared table is large and cold. A named site at depth 1 is its id. */
RT_INLINE uint32_t site_of(rt_thread_t *t, uintptr_t ra) {
  if (rt_unlikely(t->scope_site != 0) && !(ra & RT_RA_SITE)) {
    rt_site_ra = ra;
    ra = RT_RA_SITE | t->scope_site;
  }
  if (ra & RT_RA_SITE) {
    uint32_t s = (uint32_t)ra;
    if (rt_likely(rt_options.depth == 1 && s != 0)) return s <= rt_options.sites ? s : 0;
    return site_slow(t, ra);
  }
  if (rt_unlikely(rt_options.depth != 1)) return site_slow(t, ra);
  uint32_t slot = cache_slot(ra);
  if (rt_likely(t->site_cache[slot].ra == ra)) return (uint32_t)(t->site_cache[slot].site_word >> 32);
  return site_of_new(t, ra, slot);
}

/* mimalloc is not instrumented, so ThreadSanitizer cannot see that a block
 * freed by one thread and handed out again to another is ordered: tell it,
 * per 32 MiB mimalloc segment (a block may come back at another offset,
 * but never leaves its segment). */
#ifdef RT_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char rt_tsan_sync[4096];
static inline void rt_tsan_acquire(const void *p) { __tsan_acquire(&rt_tsan_sync[((uintptr_t)p >> 25) & 4095]); }
static inline void rt_tsan_release(const void *p) { __tsan_release(&rt_tsan_sync[((uintptr_t)p >> 25) & 4095]); }
#else
static inline void rt_tsan_acquire(const void *p) { (void)p; }
static inline void rt_tsan_release(const void *p) { (void)p; }
#endif

/* The pair id of (this thread's phase, site), through a small per-thread
 * cache: a phase allocates from several sites in turn. */
static inline uint64_t pair_key(uint64_t site, uint32_t phase) { return site << 32 | phase; }
static inline rt_pair_entry_t *pair_entry(rt_thread_t *t, uint32_t site, uint32_t phase) {
  _Static_assert(sizeof(rt_pair_entry_t) == 32, "an entry is 32 bytes");
  return &t->pair_cache[(site ^ phase * 5) & (RT_PAIR_CACHE - 1)];
}
RT_INLINE uint32_t pair_of(rt_thread_t *t, uint32_t site) {
  uint32_t phase = t->phase;
  if (rt_likely(phase == 0)) return 0;
  rt_pair_entry_t *e = pair_entry(t, site, phase);
  if (e->key == pair_key(site, phase)) return (uint32_t)e->pair;
  uint32_t pair = rt_pair_intern(phase, site);
  *e = (rt_pair_entry_t){pair_key(site, phase), pair, rt_pair_slot(t, pair), 0};
  return pair;
}

/* ---- debug extras: RTPROF_GUARD, RTPROF_FILL, RTPROF_BREAK_* ------------- */

#define RT_GUARD_SIZE 8      /* canary bytes after each block */
#define RT_GUARD_BYTE 0xfd   /* "no man's land" */
#define RT_FILL_NEW 0xcd     /* new memory: reading it before writing shows */
#define RT_FILL_FREED 0xdd   /* freed memory: a use after free shows */

static uint64_t rt_allocs_seen, rt_site_allocs_seen; /* for the break switches (atomic) */

static RT_COLD void break_now(const char *why, uint64_t n, uint32_t site) {
  rt_warn("%s=%llu reached (site %u): raising SIGTRAP for the debugger", why,
          (unsigned long long)n, site);
  raise(SIGTRAP);
}

/* After a block is tagged: canary, fill of bytes [fill_from, size), breaks. */
static RT_COLD void alloc_extras(char *user, size_t size, size_t fill_from, uint32_t site) {
  if (rt_options.guard) memset(user + size, RT_GUARD_BYTE, RT_GUARD_SIZE);
  if (rt_options.fill && fill_from < size) memset(user + fill_from, RT_FILL_NEW, size - fill_from);
  if (rt_options.break_alloc) {
    uint64_t n = rt_add_relaxed(&rt_allocs_seen, 1) + 1;
    if (n == rt_options.break_alloc) break_now("RTPROF_BREAK_ALLOC", n, site);
  }
  if (rt_options.break_site == site && site != 0) {
    uint64_t k = rt_add_relaxed(&rt_site_allocs_seen, 1) + 1;
    if (k == rt_options.break_site_count) break_now("RTPROF_BREAK_SITE count", k, site);
  }
}

/* Before a block is freed or reallocated: the canary must be intact. */
static RT_COLD void free_extras(char *user, size_t size, uint32_t site, uintptr_t ra, bool freeing) {
  if (rt_options.guard) {
    for (int i = 0; i < RT_GUARD_SIZE; i++)
      if ((unsigned char)user[size + i] != RT_GUARD_BYTE) {
        rt_heap_error(RT_ERR_OVERFLOW, user, site, ra);
        memset(user + size, RT_GUARD_BYTE, RT_GUARD_SIZE); /* report once per block */
        break;
      }
  }
  if (rt_options.fill && freeing) memset(user, RT_FILL_FREED, size);
}

static size_t rt_guard_bytes(void) { return rt_options.guard ? RT_GUARD_SIZE : 0; }

/* Interns the caller's site (and pair, inside a phase) and writes the tag. */
static RT_COLD void *tag_internal(void *base, size_t size) {
  rt_tag_t *tag = base;
  tag->size_pair = (uint64_t)size << RT_PAIR_BITS;
  tag->site = RT_SITE_INTERNAL;
  tag->check = tag_check_detour(base, tag->size_pair, RT_SITE_INTERNAL);
  return (char *)base + RT_TAG_SIZE;
}

/* Tags and counts a block whose site (and pair) is known; t NULL: a thread
 * without state, counted globally. */
RT_INLINE void *tag_block_at(rt_thread_t *t, void *base, size_t size, uint32_t site, uint32_t pair,
                             size_t fill_from) {
  rt_tag_t *tag = base;
  rt_tsan_acquire(base);
  tag->size_pair = (uint64_t)size << RT_PAIR_BITS | pair;
  tag->site = site;
  tag->check = tag_check_for(base, tag->size_pair, site);
  if (rt_likely(t != NULL)) count_alloc(t, site, pair, size);
  else count_global(site, pair, 1, (int64_t)size, 0, 0);
  if (rt_unlikely(rt_extras)) alloc_extras((char *)base + RT_TAG_SIZE, size, fill_from, site);
  return (char *)base + RT_TAG_SIZE;
}

RT_INLINE void *tag_block_from(void *base, size_t size, uintptr_t ra, size_t fill_from) {
  if (rt_unlikely(rt_internal)) return tag_internal(base, size);
  rt_thread_t *t = self_thread();
  uint32_t site, pair;
  if (rt_likely(t != NULL)) {
    site = site_of(t, ra);
    pair = pair_of(t, site);
  } else {
    site = site_slow(NULL, ra);
    pair = 0;
  }
  return tag_block_at(t, base, size, site, pair, fill_from);
}

RT_INLINE void *tag_block(void *base, size_t size, uintptr_t ra, bool zero) {
  return tag_block_from(base, size, ra, zero ? size : 0);
}

/* Whether reading the 16 bytes in front of `p` is safe. mimalloc unmaps a
 * huge block's segment when it is freed, and a foreign pointer may start a
 * mapping: the bytes before either are not there. Both kinds start at a
 * page offset that is 0 or a power of two (mimalloc puts a huge block 64 KiB
 * into its segment, at +16 for the tag or at the requested alignment); only
 * those few pointers pay for asking mimalloc's segment map, the rest pass on
 * a mask test. The map covers the low 20 TiB of addresses; above (mimalloc's
 * address hints failed, as under ASan) the bytes are read through the
 * kernel, which says EFAULT instead of faulting. */
#define RT_MI_MAP_LIMIT ((uintptr_t)20 << 40)
static RT_COLD bool front_readable_slow(const void *p) {
  if (mi_is_in_heap_region(p)) return true;
  if ((uintptr_t)p < RT_MI_MAP_LIMIT) return false;
  char probe[RT_TAG_SIZE];
  struct iovec local = {probe, sizeof probe}, remote = {(char *)p - RT_TAG_SIZE, sizeof probe};
  return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)sizeof probe ||
         (errno != EFAULT && errno != ESRCH);
}

RT_INLINE bool readable_front(const void *p) {
  uintptr_t lo = (uintptr_t)p & 4095;
  return rt_likely((lo & (lo - 1)) != 0) || front_readable_slow(p);
}

/* Recently freed big blocks (the ones whose memory may go back to the OS),
 * so a second free of one is still named a double free, with its site. */
#define RT_FREED_RING 64
static struct {
  uintptr_t addr[RT_FREED_RING];
  uint32_t site[RT_FREED_RING];
  uint32_t next;              /* atomic */
} rt_freed_big;

static RT_COLD void note_big_free(const void *p, uint32_t site) {
  uint32_t i = rt_add_relaxed(&rt_freed_big.next, 1) % RT_FREED_RING;
  rt_store_relaxed(&rt_freed_big.site[i], site);
  rt_store_relaxed(&rt_freed_big.addr[i], (uintptr_t)p);
}

static bool freed_big_site(const void *p, uint32_t *site) {
  for (uint32_t i = 0; i < RT_FREED_RING; i++)
    if (rt_load_relaxed(&rt_freed_big.addr[i]) == (uintptr_t)p) {
      *site = rt_load_relaxed(&rt_freed_big.site[i]);
      return true;
    }
  return false;
}

/* The live block that `p` points into, found by walking back in 16-byte
 * steps to a tag whose check holds (it covers the tag's own address, so a
 * stale copy cannot match). The walk is bounded by the size mimalloc gives
 * for the block `p` is in, and never leaves p's 64 KiB slice: mimalloc
 * pages start on slice boundaries, so every byte read is in p's own page,
 * which is committed. Returns the block's site, RT_SITE_INTERNAL for one of
 * rtprof's own, or 0 when none is found. */
static RT_COLD uint32_t interior_site(const void *p) {
  uintptr_t q = (uintptr_t)p & ~(uintptr_t)15, floor = (uintptr_t)p & ~(uintptr_t)0xffff;
  size_t span = mi_usable_size(p);
  for (size_t back = RT_TAG_SIZE; back <= span + RT_TAG_SIZE && q - back >= floor; back += 16) {
    const rt_tag_t *t = (const rt_tag_t *)(q - back);
    if ((const void *)(t + 1) == p) continue; /* p's own (failed) tag */
    if (!tag_holds(t)) continue;
    if ((const char *)p < (const char *)(t + 1) + tag_size(t) + rt_guard_bytes())
      return t->site;
    return 0; /* the nearest live block ends before p */
  }
  return 0;
}

/* Why `p` (being freed or reallocated) is not a live block of ours, on
 * stderr and in the dump. `front_ok`: the 16 bytes before p can be read. */
static RT_COLD void report_bad_pointer(void *p, uintptr_t ra, bool freeing, bool front_ok) {
  uint32_t site;
  if (!front_ok || ((uintptr_t)p & 15) != 0) {
    if (freed_big_site(p, &site))
      rt_heap_error(freeing ? RT_ERR_DOUBLE_FREE : RT_ERR_REALLOC_FREED, p, site, ra);
    else if (((uintptr_t)p & 15) != 0 && mi_is_in_heap_region(p) &&
             (site = interior_site(p)) != 0 && site != RT_SITE_INTERNAL)
      rt_heap_error(RT_ERR_INTERIOR, p, site, ra);
    else
      rt_heap_error(freeing ? RT_ERR_FOREIGN_FREE : RT_ERR_FOREIGN_REALLOC, p, 0, ra);
    return;
  }
  const rt_tag_t *tag = (const rt_tag_t *)((char *)p - RT_TAG_SIZE);
  site = tag->site;
  if (tag->check == RT_TAG_FREED)
    rt_heap_error(freeing ? RT_ERR_DOUBLE_FREE : RT_ERR_REALLOC_FREED, p, site, ra);
  else if (mi_is_in_heap_region(p) && (site = interior_site(p)) != 0 && site != RT_SITE_INTERNAL)
    rt_heap_error(RT_ERR_INTERIOR, p, site, ra);
  else
    rt_heap_error(RT_ERR_DAMAGED_TAG, p, 0, ra);
}

/* The tag of a block being freed or reallocated, or NULL after reporting
 * why it is not one of ours. Nothing in front of `p` is read before
 * mimalloc confirms the memory is its own (readable_front). */
RT_INLINE rt_tag_t *checked_tag(void *p, uintptr_t ra, bool freeing) {
  if (rt_unlikely(((uintptr_t)p & 15) != 0) || !readable_front(p)) {
    report_bad_pointer(p, ra, freeing, false);
    return NULL;
  }
  rt_tag_t *tag = (rt_tag_t *)((char *)p - RT_TAG_SIZE);
  if (rt_likely(tag_holds(tag))) return tag;
  report_bad_pointer(p, ra, freeing, true);
  return NULL;
}

/* ---- the profiled paths (out of line: the off path stays small) ---------- */

RT_NOINLINE void *rt_profiled_alloc(size_t size, size_t align, bool zero, uintptr_t ra) {
  if (rt_mode == RT_MODE_UNINIT) rt_init();
  if (rt_mode == RT_MODE_OFF) {
    void *p = align > 16 ? (zero ? mi_zalloc_aligned_at(size, align, 0) : mi_malloc_aligned_at(size, align, 0))
                         : (zero ? mi_zalloc(rt_off_size(size)) : mi_malloc(rt_off_size(size)));
    if (p == NULL) errno = ENOMEM;
    return p;
  }
  void *base = NULL;
  if (size <= RT_MAX_SIZE) {
    size_t total = rt_round16(size + RT_TAG_SIZE + rt_guard_bytes());
#ifdef RT_TSAN
    /* Zeroed here, so ThreadSanitizer sees the block acquired before the
     * write (mimalloc's own memset is not ordered for it). */
    base = align > 16 ? mi_malloc_aligned_at(total, align, RT_TAG_SIZE) : mi_malloc(total);
    if (base != NULL) {
      rt_tsan_acquire(base);
      if (zero) memset((char *)base + RT_TAG_SIZE, 0, size);
    }
#else
    /* mi_zalloc skips zeroing pages fresh from the OS: a huge calloc stays
     * uncommitted until it is touched. */
    if (align > 16)
      base = zero ? mi_zalloc_aligned_at(total, align, RT_TAG_SIZE)
                  : mi_malloc_aligned_at(total, align, RT_TAG_SIZE);
    else
      base = zero ? mi_zalloc(total) : mi_malloc(total);
#endif
  }
  if (rt_unlikely(base == NULL)) {
    count_failure();
    errno = ENOMEM;
    return NULL;
  }
  return tag_block(base, size, ra, zero);
}

RT_NOINLINE void rt_profiled_free(void *p, uintptr_t ra) {
  if (p == NULL) return;
  if (rt_mode == RT_MODE_UNINIT) rt_init();
  if (rt_mode == RT_MODE_OFF) {
    mi_free(p);
    return;
  }
  rt_tag_t *tag = checked_tag(p, ra, true);
  if (tag == NULL) return; /* reported; leaking it is the safe choice */
  size_t size = tag_size(tag);
  uint32_t site = tag->site, pair = tag_pair(tag);
  if (rt_unlikely(rt_extras)) free_extras(p, size, site, ra, true);
  rt_store_release(&tag->check, RT_TAG_FREED);
  rt_tsan_release(tag);
  if (rt_unlikely(size >= RT_BIG_BLOCK)) note_big_free(p, site);
  if (rt_unlikely(site == RT_SITE_INTERNAL)) {
    mi_free(tag);
    return;
  }
  rt_thread_t *t = self_thread();
  if (rt_likely(t != NULL)) count_free(t, site, pair, size);
  else count_global(site, pair, 0, 0, 1, (int64_t)size);
  mi_free(tag);
}

/* mi_realloc, except under ThreadSanitizer: there the move is done here, so
 * the sanitizer sees the new block acquired before the copy writes it. */
static void *block_realloc(rt_tag_t *tag, size_t old_size, size_t total) {
#ifdef RT_TSAN
  void *base = mi_malloc(total);
  if (base == NULL) return NULL;
  rt_tsan_acquire(base);
  size_t old_total = old_size + RT_TAG_SIZE;
  memcpy(base, tag, old_total < total ? old_total : total);
  rt_tsan_release(tag);
  mi_free(tag);
  return base;
#else
  (void)old_size;
  return mi_realloc(tag, total);
#endif
}

static RT_NOINLINE void *alloc_ra(size_t size, uintptr_t ra);

/* rt_profiled_realloc's general path. */
static RT_NOINLINE void *realloc_slow(void *p, size_t size, uintptr_t ra) {
  if (rt_mode == RT_MODE_UNINIT) rt_init();
  if (rt_mode == RT_MODE_OFF) {
    void *q = mi_realloc(p, rt_off_size(size));
    if (q == NULL) errno = ENOMEM;
    return q;
  }
  if (p == NULL) return alloc_ra(size, ra);
  defer_settle(rt_self); /* a block freed and still waiting in the ring is a realloc after free */
  rt_tag_t *tag = checked_tag(p, ra, false);
  if (tag == NULL) {
    errno = EINVAL;
    return NULL;
  }
  size_t old_size = tag_size(tag);
  uint32_t old_site = tag->site, old_pair = tag_pair(tag);
  if (rt_unlikely(rt_extras)) free_extras(p, old_size, old_site, ra, false);
  void *base = size <= RT_MAX_SIZE ? block_realloc(tag, old_size, rt_round16(size + RT_TAG_SIZE + rt_guard_bytes()))
                                   : NULL;
  if (base == NULL) { /* the old block is untouched and still live */
    count_failure();
    errno = ENOMEM;
    return NULL;
  }
  if (rt_unlikely(old_size >= RT_BIG_BLOCK) && base != (void *)tag) note_big_free(p, old_site);
  if (old_site != RT_SITE_INTERNAL) {
    rt_thread_t *t = self_thread();
    if (rt_likely(t != NULL)) count_free(t, old_site, old_pair, old_size);
    else count_global(old_site, old_pair, 0, 0, 1, (int64_t)old_size);
  }
  return tag_block_from(base, size, ra, old_size);
}

/* ---- the fast paths: rt_alloc and rt_free (malloc and free) --------------- */

/* The fast paths are leaves but for mimalloc's call: no frame pointer
 * (DWARF unwinding does not need one), three instructions fewer. */
#if defined(__GNUC__) && !defined(__clang__)
#define RT_FAST __attribute__((optimize("omit-frame-pointer")))
#else
#define RT_FAST
#endif

RT_INLINE void *fast_failure(void) {
  count_failure();
  errno = ENOMEM;
  return NULL;
}

/* Tags a fresh block; `site_word` is the site id << 32, the tag's second
 * word before its check is or-ed in. */
RT_INLINE void *tag_fast(rt_tag_t *tag, uint64_t size_pair, uint64_t site_word) {
  rt_tsan_acquire(tag);
  tag->size_pair = size_pair;
  uint64_t word = site_word | tag_hash((uintptr_t)tag ^ site_word ^ size_pair);
  _Static_assert(offsetof(rt_tag_t, site) == offsetof(rt_tag_t, check) + 4, "check, then site");
  memcpy(&tag->check, &word, sizeof word); /* check and site in one store */
  return tag + 1;
}

static RT_COLD void *uncount_failure(size_t size, uint64_t site_word) {
  rt_thread_t *t = rt_self;
  rt_slot_t *s = rt_site_slot(t, (uint32_t)(site_word >> 32)); /* the slot the fast path counted in */
  rt_bump(&s->allocs, -1);
  rt_bump(&s->alloc_bytes, -size);
  rt_bump(&s->room, size);
  rt_bump(&t->room, size);
  rt_bump(&t->shrink_room, -size);
  count_failure();
  errno = ENOMEM;
  return NULL;
}

/* An allocation that raises its site's high-water; the site's room is
 * already charged with `size`, the thread's is not. The block first, then
 * the counts and the new peaks: a failed allocation leaves the peaks as they
 * were. */
static RT_NOINLINE void *alloc_new_high(rt_thread_t *t, size_t size, uint64_t site_word, rt_slot_t *s) {
  /* Deferred frees make live bytes look higher than they are: settle them
   * (with the charge taken back, so a publish they cause sees the present),
   * then charge again. */
  if (defer_waiting(t)) {
    rt_bump(&s->room, size);
    rt_defer_drain(t);
    rt_bump(&s->room, -(int64_t)size);
  }
  rt_bump(&t->room, -(int64_t)size);
  rt_tag_t *tag = mi_malloc((size + RT_TAG_SIZE + 15) & ~(size_t)15);
  if (rt_unlikely(tag == NULL)) {
    rt_bump(&s->room, size);
    rt_bump(&t->room, size);
    return fast_failure();
  }
  rt_bump(&s->allocs, 1);
  rt_bump(&s->alloc_bytes, size);
  if (s->room < 0) slot_new_high(s);
  rt_bump(&t->shrink_room, size);
  if (t->room < 0 && thread_new_high(t)) rt_publish_pending(t);
  rt_store_relaxed(&t->last_block, (void *)(tag + 1));
  return tag_fast(tag, (uint64_t)size << RT_PAIR_BITS, site_word);
}

/* After an allocation of `size` that took the thread's room below zero,
 * with frees waiting in the ring, or with the thread's new high-water
 * recorded and asking for a publish. Waiting frees came before the
 * allocation, so they are settled first, with its charge taken back (a
 * publish they cause must see the present without it). */
static RT_NOINLINE void *thread_high_after(rt_thread_t *t, size_t size, void *block) {
  if (defer_waiting(t)) {
    rt_bump(&t->room, size);
    rt_defer_drain(t);
    rt_bump(&t->room, -(int64_t)size);
    if (t->room < 0 && thread_new_high(t)) rt_publish_pending(t);
  } else {
    rt_publish_pending(t);
  }
  return block;
}

/* A counted allocation at a site with slot `s`: no phase or scope open, no
 * extras, not inside rtprof. Counted before mimalloc is called, so only
 * `size` and the site live across that call: a failure undoes plain sums.
 * One that raises its site's peak takes alloc_new_high; the thread's peak
 * is looked at after the call (a growing program raises it on most
 * allocations between two publishes, and its room is the thread's own). */
RT_INLINE void *alloc_fast(rt_thread_t *t, size_t size, uint64_t site_word, rt_slot_t *s) {
  if (rt_unlikely(rt_drop_below_zero(&s->room, (int64_t)size))) return alloc_new_high(t, size, site_word, s);
  (void)rt_drop_below_zero(&t->room, (int64_t)size); /* tested after the call */
  rt_bump(&s->allocs, 1);
  rt_bump(&s->alloc_bytes, size);
  rt_bump(&t->shrink_room, size);
  rt_tag_t *tag = mi_malloc((size + RT_TAG_SIZE + 15) & ~(size_t)15);
  if (rt_unlikely(tag == NULL)) return uncount_failure(size, site_word);
  rt_store_relaxed(&t->last_block, (void *)(tag + 1));
  void *p = tag_fast(tag, (uint64_t)size << RT_PAIR_BITS, site_word);
  if (rt_unlikely(t->room < 0) && (defer_waiting(t) || thread_new_high(t))) return thread_high_after(t, size, p);
  return p;
}

/* A block of `size` that mimalloc gave, counted into its site's slot `s`
 * and its pair's `ps` (NULL: none), with the new peaks it makes; the ring
 * is settled first when a room is short, so a new high-water is a real
 * one. */
RT_INLINE void count_new_block(rt_thread_t *t, rt_slot_t *s, rt_slot_t *ps, size_t size) {
  if (rt_unlikely(s->room < (int64_t)size || t->room < (int64_t)size)) defer_settle(t);
  rt_bump(&s->allocs, 1);
  rt_bump(&s->alloc_bytes, size);
  if (rt_drop_below_zero(&s->room, (int64_t)size)) slot_new_high(s);
  if (ps != NULL) {
    rt_bump(&ps->allocs, 1);
    rt_bump(&ps->alloc_bytes, size);
    rt_bump(&ps->room, -(int64_t)size); /* a pair has no peak: room is -live */
  }
  rt_bump(&t->shrink_room, size);
  if (rt_drop_below_zero(&t->room, (int64_t)size) && thread_new_high(t)) rt_publish_pending(t);
}

/* An allocation inside a phase, counted straight into its site's slot `s`
 * and its pair's `ps`, the block tagged with the pair and RT_TAG_DETOUR, so
 * its free takes free_detour. The block first, then the counts, as in
 * alloc_new_high: a site that grows inside a phase raises its peak at each
 * allocation, and a failure leaves the peaks as they were. */
RT_INLINE void *alloc_pair_fast(rt_thread_t *t, size_t size, uint64_t site_word, rt_slot_t *s, rt_slot_t *ps,
                                uint32_t pair) {
  rt_tag_t *tag = mi_malloc((size + RT_TAG_SIZE + 15) & ~(size_t)15);
  if (rt_unlikely(tag == NULL)) return fast_failure();
  count_new_block(t, s, ps, size);
  rt_store_relaxed(&t->last_block, (void *)(tag + 1));
  return tag_fast(tag, (uint64_t)size << RT_PAIR_BITS | pair, site_word | RT_TAG_DETOUR);
}

static RT_NOINLINE void *alloc_deep(size_t size, uintptr_t ra);

/* Inside a phase (the detour word holds the phase alone), at a site and a
 * pair both in this thread's caches; the rest takes the general path. */
static RT_NOINLINE RT_FAST void *alloc_in_phase(size_t size, uintptr_t ra) {
  rt_thread_t *t = rt_self;
  const rt_site_entry_t *e = cache_entry(t, ra);
  uint32_t phase = t->phase;
  if (rt_unlikely(e->ra != ra || size >= RT_BIG_BLOCK || t->detour - 1 >= UINT16_MAX))
    return rt_options.depth != 1 ? alloc_deep(size, ra) : rt_profiled_alloc(size, 0, false, ra);
  uint64_t site_word = e->site_word;
  const rt_pair_entry_t *pe = pair_entry(t, (uint32_t)(site_word >> 32), phase);
  rt_slot_t *s = e->slot, *ps = pe->slot;
  if (rt_unlikely(pe->key != pair_key(site_word >> 32, phase) || ps == NULL))
    return rt_profiled_alloc(size, 0, false, ra);
  return alloc_pair_fast(t, size, site_word, s, ps, (uint32_t)pe->pair);
}

/* At RTPROF_DEPTH > 1 (the site cache is for depth 1): the stack's site,
 * then alloc_fast's counting into its slot, or inside a phase (the detour
 * word holds the phase alone) alloc_pair_fast's into its slot and its
 * pair's, when nothing else applies (no scope or rtprof call open, no
 * extras, a thread with state, not a big block). A site past the flat slots
 * tags its block with RT_TAG_DETOUR, as at depth 1. */
static RT_NOINLINE void *alloc_deep(size_t size, uintptr_t ra) {
  rt_thread_t *t = rt_self;
  if (t->is_sentinel || t->detour > UINT16_MAX || size >= RT_BIG_BLOCK || rt_extras)
    return rt_profiled_alloc(size, 0, false, ra);
  uint32_t site = site_slow(t, ra);
  uint32_t pair = pair_of(t, site); /* 0 outside phases */
  rt_slot_t *s = rt_site_slot(t, site), *ps = pair != 0 ? rt_pair_slot(t, pair) : NULL;
  if (rt_unlikely(s == NULL || (pair != 0 && ps == NULL))) { /* a slot not mapped: counted globally */
    void *base = mi_malloc(rt_round16(size + RT_TAG_SIZE));
    return base != NULL ? tag_block_at(t, base, size, site, pair, 0) : fast_failure();
  }
  if (pair != 0) return alloc_pair_fast(t, size, (uint64_t)site << 32, s, ps, pair);
  return alloc_fast(t, size, (uint64_t)site << 32 | (site < RT_FLAT_SLOTS ? 0 : RT_TAG_DETOUR), s);
}

/* rt_alloc with profiling on: a depth-1 site in this thread's cache takes
 * no call but mimalloc's; the rest, alloc_in_phase. */
RT_INLINE void *alloc_from(size_t size, uintptr_t ra) {
  rt_thread_t *t = rt_self;
  const rt_site_entry_t *e = cache_entry(t, ra);
  if (rt_unlikely(e->ra != ra || size >= t->fast_limit)) /* a detour, or too large */
    return alloc_in_phase(size, ra);
  return alloc_fast(t, size, e->site_word, e->slot);
}

static RT_FAST void *alloc_on(size_t size) { return alloc_from(size, RA()); }

/* The same for a call that passes its site: rt_alloc_at (out of line, so
 * its off path keeps no frame) and realloc(NULL, n), as interpreters
 * allocate (Lua's allocator does). */
static RT_NOINLINE RT_FAST void *alloc_ra(size_t size, uintptr_t ra) { return alloc_from(size, ra); }
/* From a caller without a frame: inside a phase (or any detour), straight to
 * alloc_in_phase, without alloc_ra's frame. */
RT_INLINE void *alloc_ra_on(size_t size, uintptr_t ra) {
  if (rt_unlikely(rt_self->fast_limit == 0)) return alloc_in_phase(size, ra);
  return alloc_ra(size, ra);
}

/* Out of free_now's line, so its common path keeps nothing across a call. A
 * sentinel's shrink_room is always below zero, so a thread without state
 * comes here too: what it counted went into the sentinel's slots, which
 * nobody reads, and the free is counted globally instead. */
static RT_COLD void publish_then_free(rt_thread_t *t, void *block, uint32_t site, size_t size) {
  if (t->is_sentinel) count_global(site, 0, 0, 0, 1, (int64_t)size);
  else rt_publish_pending(t);
  mi_free(block);
}

/* A free counted into the slots the caller found (ps NULL: no pair); true
 * when the thread's net change since its last publish asks for one. */
RT_INLINE bool count_free_slots(rt_thread_t *t, rt_slot_t *s, rt_slot_t *ps, size_t size) {
  rt_bump(&s->frees, 1);
  rt_bump(&s->room, size);
  if (ps != NULL) {
    rt_bump(&ps->frees, 1);
    rt_bump(&ps->room, size);
  }
  rt_bump(&t->room, size);
  return rt_unlikely(rt_drop_below_zero(&t->shrink_room, (int64_t)size));
}

/* This thread's slot for a site or pair id below the tables' capacity, if
 * it has one already (NULL: the general path maps it, or counts globally). */
RT_INLINE rt_slot_t *slot_mapped(rt_slot_t *const *dir, uint32_t id) {
  rt_slot_t *chunk = dir[id / RT_CHUNK_SLOTS];
  return chunk != NULL ? &chunk[id % RT_CHUNK_SLOTS] : NULL;
}

/* A block with RT_TAG_DETOUR whose tag is in cache (free_now's callers
 * checked that its 16 bytes can be read): a phase pair's block, or one of
 * a site past the flat slots, counted without the general path's pointer
 * checks. Anything else, and any doubt, goes to rt_profiled_free; so does
 * a slot not mapped yet. Every call a tail call: nothing is kept. */
static RT_NOINLINE RT_FAST void free_detour(void *p, uintptr_t ra) {
  rt_thread_t *t = rt_self; /* not passed: the fast path's registers stay as they were */
  rt_tag_t *tag = (rt_tag_t *)p - 1;
  uint64_t size_pair = tag->size_pair;
  uint32_t site = tag->site, pair = (uint32_t)(size_pair & ((1u << RT_PAIR_BITS) - 1));
  size_t size = size_pair >> RT_PAIR_BITS;
  if (t->is_sentinel || ((uintptr_t)p & 15) != 0 || site > rt_options.sites || size >= RT_BIG_BLOCK ||
      pair >= rt_options.phases + rt_options.pairs || tag->check != tag_check_detour(tag, size_pair, site))
    return rt_profiled_free(p, ra); /* a bad pointer, rtprof's own block, a big one, a sentinel */
  rt_slot_t *s = site < RT_FLAT_SLOTS ? &t->flat[site] : slot_mapped(t->site_dir, site);
  rt_slot_t *ps = pair != 0 ? slot_mapped(t->pair_dir, pair) : NULL;
  if (rt_unlikely(s == NULL || (pair != 0 && ps == NULL))) return rt_profiled_free(p, ra);
  rt_store_release(&tag->check, RT_TAG_FREED);
  rt_tsan_release(tag);
  if (count_free_slots(t, s, ps, size)) return publish_then_free(t, tag, site, size);
  mi_free(tag);
}

/* The free of a block whose tag is in cache (or on its way): checked,
 * counted, handed to mimalloc. Anything unusual goes to the general path. */
RT_INLINE void free_now(rt_thread_t *t, void *p, uintptr_t ra) {
  rt_tag_t *tag = (rt_tag_t *)p - 1;
  uint64_t size_pair = tag->size_pair;
  uint32_t site = tag->site;
  if (rt_unlikely(tag->check != tag_check(tag, size_pair, site)))
    return free_detour(p, ra); /* a block with RT_TAG_DETOUR, or a bad pointer */
  rt_store_release(&tag->check, RT_TAG_FREED);
  rt_tsan_release(tag);
  size_t size = size_pair >> RT_PAIR_BITS;
  _Static_assert(RT_FLAT_SLOTS == 256, "the index below is a byte");
  rt_slot_t *s = &t->flat[(uint8_t)site]; /* bounded, whatever a forged tag says */
  rt_bump(&s->frees, 1);
  rt_bump(&s->room, size);
  rt_bump(&t->room, size);
  if (rt_unlikely(rt_drop_below_zero(&t->shrink_room, (int64_t)size))) return publish_then_free(t, tag, site, size);
  mi_free(tag);
}

/* ---- deferred frees -------------------------------------------------------
 * Freeing a block allocated long ago reads its tag from memory, a cache
 * miss that mimalloc's own free (which only stores into the block) does not
 * pay. So a free of any block but the last one allocated prefetches the tag
 * and waits in a ring of RT_DEFER; the free RT_DEFER frees later finds the
 * tag in cache, and the misses overlap. What stays exact:
 * - counts: a thread settles its ring before any new high-water (its own or
 *   a site's), before its own reads of the totals, at realloc and at exit;
 *   the exit dump and the program's own stats and dump calls take every
 *   other thread's ring over (threads.c, rt_defer_take_all);
 * - a second free of a block still in the ring is found there, settled, and
 *   reported as a double free; a bad pointer is reported with its own call
 *   site, up to RT_DEFER frees later. */

/* Marks the owner's ring section (threads.c explains the protocol); false
 * when the ring is not this call's to touch: a taker holds it, a signal
 * handler's free interrupted this thread's own section, or there is no ring
 * (a sentinel's, or rt_defer_on false: `deferring` stays 1). */
RT_INLINE bool defer_enter(rt_thread_t *t) {
  if (rt_unlikely(t->deferring)) return false;
  rt_store_relaxed(&t->deferring, 1);
  __asm__ volatile("" ::: "memory");
  if (rt_likely(!rt_load_relaxed(&t->defer_stop))) return true;
  rt_store_relaxed(&t->deferring, 0);
  return false;
}
RT_INLINE void defer_leave(rt_thread_t *t) {
  __asm__ volatile("" ::: "memory");
  rt_store_release(&t->deferring, 0);
}

void rt_defer_drain(rt_thread_t *t) {
  void *blocks[RT_DEFER];
  uintptr_t ras[RT_DEFER];
  int n = 0;
  if (!defer_enter(t)) return;
#pragma GCC unroll 4
  for (uint32_t k = 0; k < RT_DEFER; k++) { /* oldest first */
    uint32_t i = (t->defer_next + k) & (RT_DEFER - 1);
    if (t->defer_block[i] == NULL) continue;
    blocks[n] = t->defer_block[i], ras[n] = t->defer_ra[i], n++;
    rt_store_relaxed(&t->defer_block[i], NULL);
  }
  defer_leave(t);
  for (int k = 0; k < n; k++) free_now(t, blocks[k], ras[k]);
}

/* Whether `p` waits in this thread's ring. Its owner asks, in a section or
 * not: a taker only empties entries, and an aligned word is read whole (a
 * plain read, which the compare takes as its operand). */
RT_INLINE bool defer_holds(const rt_thread_t *t, const void *p) {
#pragma GCC unroll 4
  for (int i = 0; i < RT_DEFER; i++)
    if (rt_unlikely(t->defer_block[i] == p)) return true;
  return false;
}

/* A block freed again while its first free waits in the ring: the first is
 * settled, the second reported. Out of free_other's line, so that keeps
 * nothing across a call. */
static RT_COLD void free_twice(rt_thread_t *t, void *p, uintptr_t ra) {
  rt_defer_drain(t);
  free_now(t, p, ra);
}

static RT_NOINLINE RT_FAST void free_other(rt_thread_t *t, void *p, uintptr_t ra) {
  uintptr_t lo = (uintptr_t)p & 4095;
  /* NULL, or at a page offset readable_front must look at (0 or a power of
   * two), or below 16 (the tag would be on the page before): what is left
   * has the 16 bytes before p on p's own page. A misaligned p among those
   * fails the tag check (it covers the tag's address) and goes on too. */
  if (rt_unlikely((lo & (lo - 1) & ~(uintptr_t)15) == 0)) {
    if (p == NULL) return; /* common: Lua frees its empty arrays */
    return rt_profiled_free(p, ra);
  }
  _Static_assert((RT_DEFER & (RT_DEFER - 1)) == 0, "the ring index wraps with a mask");
  if (rt_unlikely(!defer_enter(t))) return free_now(t, p, ra);
  __builtin_prefetch((char *)p - RT_TAG_SIZE, 1);
  if (rt_unlikely(defer_holds(t, p))) {
    defer_leave(t);
    return free_twice(t, p, ra);
  }
  uint32_t i = t->defer_next;
  void *old = t->defer_block[i];
  uintptr_t old_ra = t->defer_ra[i];
  rt_store_relaxed(&t->defer_block[i], p);
  rt_store_relaxed(&t->defer_ra[i], ra);
  t->defer_next = (i + 1) & (RT_DEFER - 1);
  defer_leave(t);
  if (old != NULL) free_now(t, old, old_ra);
}

/* rt_free with profiling on: the block this thread allocated last is freed
 * at once (a block freed right after its allocation, the commonest case,
 * pays no page-offset test either: its tag is ours); any other waits in
 * the ring while its tag is fetched. */
static RT_FAST void free_on(void *p) {
  rt_thread_t *t = rt_self;
  if (rt_unlikely(p != t->last_block)) return free_other(t, p, RA());
  free_now(t, p, RA());
}

/* realloc(p, n) with profiling on at a site in this thread's cache, outside
 * rtprof's own calls and scopes (inside a phase, with the pair cached too),
 * of a live block whose tag is checked as free_now and free_detour check it:
 * the free of the old block and the allocation of the new one are counted
 * straight into their slots. A block still waiting in the ring (a realloc
 * after free) and anything unusual take the general path. The block first:
 * a failure leaves the old block live and counted, the peaks as they were;
 * a new high-water settles the ring first, as alloc_in_phase does. */
static RT_NOINLINE void *realloc_fast(void *p, size_t size, uintptr_t ra) {
  rt_thread_t *t = rt_self;
  const rt_site_entry_t *e = cache_entry(t, ra);
  uint32_t phase = t->phase;
  uintptr_t lo = (uintptr_t)p & 4095; /* as free_other: the 16 bytes before p are on p's page */
  if (rt_unlikely(e->ra != ra || size >= RT_BIG_BLOCK || t->detour != phase ||
                  (lo & (lo - 1) & ~(uintptr_t)15) == 0 || defer_holds(t, p)))
    return realloc_slow(p, size, ra);
  rt_tag_t *tag = (rt_tag_t *)p - 1;
  uint64_t old_size_pair = tag->size_pair;
  uint32_t old_site = tag->site, old_pair = (uint32_t)(old_size_pair & ((1u << RT_PAIR_BITS) - 1));
  size_t old_size = old_size_pair >> RT_PAIR_BITS;
  rt_slot_t *os, *ops = NULL;
  if (rt_likely(tag->check == tag_check(tag, old_size_pair, old_site))) {
    os = &t->flat[(uint8_t)old_site]; /* bounded, whatever a forged tag says */
  } else { /* free_detour's checks */
    if (old_site > rt_options.sites || old_size >= RT_BIG_BLOCK || old_pair >= rt_options.phases + rt_options.pairs ||
        tag->check != tag_check_detour(tag, old_size_pair, old_site))
      return realloc_slow(p, size, ra);
    os = old_site < RT_FLAT_SLOTS ? &t->flat[old_site] : slot_mapped(t->site_dir, old_site);
    ops = old_pair != 0 ? slot_mapped(t->pair_dir, old_pair) : NULL;
    if (os == NULL || (old_pair != 0 && ops == NULL)) return realloc_slow(p, size, ra);
  }
  uint64_t site_word = e->site_word, pair = 0;
  rt_slot_t *s = e->slot, *ps = NULL;
  if (phase != 0) {
    const rt_pair_entry_t *pe = pair_entry(t, (uint32_t)(site_word >> 32), phase);
    if (rt_unlikely(pe->key != pair_key(site_word >> 32, phase) || pe->slot == NULL))
      return realloc_slow(p, size, ra);
    ps = pe->slot, pair = pe->pair;
    site_word |= RT_TAG_DETOUR;
  }
  rt_tag_t *moved = block_realloc(tag, old_size, (size + RT_TAG_SIZE + 15) & ~(size_t)15);
  if (rt_unlikely(moved == NULL)) return fast_failure();
  if (count_free_slots(t, os, ops, old_size)) rt_publish_pending(t);
  count_new_block(t, s, ps, size);
  rt_store_relaxed(&t->last_block, (void *)(moved + 1));
  return tag_fast(moved, (uint64_t)size << RT_PAIR_BITS | pair, site_word);
}

/* Every rt_realloc variant and the interposer's realloc with profiling
 * on (or not started yet): it keeps no frame, each path is a tail call. */
RT_NOINLINE RT_FAST void *rt_profiled_realloc(void *p, size_t size, uintptr_t ra) {
  if (rt_unlikely(rt_mode != RT_MODE_ON)) return realloc_slow(p, size, ra);
  if (p == NULL) return alloc_ra_on(size, ra);
  return realloc_fast(p, size, ra);
}

/* rt_alloc_site with profiling on: ids 1..rt_named_fast have a slot inside
 * the thread state (depth 1). The call's return address is noted for the
 * general path only (the C stack under the name, error reports). */
static RT_FAST void *alloc_site_on(size_t size, rt_site_t site) {
  rt_thread_t *t = rt_self;
  if (rt_unlikely(site - 1 >= rt_named_fast || size >= t->fast_limit)) {
    rt_site_ra = RA();
    return rt_profiled_alloc(size, 0, false, RT_RA_SITE | site);
  }
  rt_slot_t *slot = &t->flat[site];
  __asm__("" : "+r"(slot)); /* one address for every field (gcc would index each) */
  return alloc_fast(t, size, (uint64_t)site << 32, slot);
}

static void *alloc_off(size_t size) { return mi_malloc(rt_off_size(size)); }
static void *alloc_site_off(size_t size, rt_site_t site) {
  (void)site;
  return mi_malloc(rt_off_size(size));
}
static void *alloc_site_first(size_t size, rt_site_t site) {
  rt_site_ra = RA();
  return rt_profiled_alloc(size, 0, false, RT_RA_SITE | site);
}
/* Before start-up: rt_profiled_* starts the profiler and serves the call. */
static void *alloc_first(size_t size) { return rt_profiled_alloc(size, 0, false, RA()); }
static void free_first(void *p) { rt_profiled_free(p, RA()); }

/* rt_alloc and rt_free are one indirect jump each, to the entry for the
 * mode (set once at start-up): the off path costs mimalloc's call plus
 * that jump (and alloc_off's `or`), and the on path tests no mode. The jump
 * leaves no frame, so an entry's own return address is the call site. In
 * assembly, as a C tail call is not certain at every optimisation level.
 * The interposer's malloc and free are the same code.
 * Arch-specific (x86-64): the `jmp *entry(%rip)` below. */
#ifndef __x86_64__
#error "alloc/alloc.c: RT_JUMP is written for x86-64; another architecture needs its own indirect jump"
#endif
RT_HIDDEN void *(*rt_alloc_entry)(size_t) = alloc_first;
RT_HIDDEN void (*rt_free_entry)(void *) = free_first;
RT_HIDDEN void *(*rt_alloc_site_entry)(size_t, rt_site_t) = alloc_site_first;
#ifdef RTPROF_PRELOAD
#define RT_ALSO(name, other) ".globl " other "\n\t.type " other ", @function\n" other ":\n"
#else
#define RT_ALSO(name, other)
#endif
#define RT_JUMP(name, other, entry)                                                         \
  __asm__(".text\n\t.globl " name "\n\t.type " name ", @function\n\t.p2align 4\n" name \
          ":\n" RT_ALSO(name, other) "\t.cfi_startproc\n\tjmp *" entry "(%rip)\n"          \
          "\t.cfi_endproc\n\t.size " name ", .-" name "\n");
RT_JUMP("rt_alloc", "malloc", "rt_alloc_entry")
RT_JUMP("rt_free", "free", "rt_free_entry")
#undef RT_ALSO
#define RT_ALSO(name, other)
RT_JUMP("rt_alloc_site", "", "rt_alloc_site_entry")

static void set_entries(void) {
  if (rt_mode == RT_MODE_ON) {
    rt_store_relaxed(&rt_alloc_entry, alloc_on);
    rt_store_relaxed(&rt_free_entry, rt_extras ? free_first : free_on); /* extras: never the fast path */
    rt_store_relaxed(&rt_alloc_site_entry, alloc_site_on);
  } else {
    rt_store_relaxed(&rt_alloc_entry, alloc_off);
    rt_store_relaxed(&rt_free_entry, mi_free);
    rt_store_relaxed(&rt_alloc_site_entry, alloc_site_off);
  }
}

/* ---- the public API ------------------------------------------------------- */


static inline bool bad_alignment(size_t align) { return align == 0 || (align & (align - 1)) != 0; }


/* An explicit site may be a function's entry address (RT_RA_AT). */
#define AT(site) ((uintptr_t)(site) | RT_RA_AT)

RT_EXPORT void *rt_alloc_at(size_t size, const void *site) {
  if (rt_likely(rt_mode == RT_MODE_OFF)) return mi_malloc(rt_off_size(size));
  if (rt_mode == RT_MODE_ON) return alloc_ra_on(size, AT(site));
  return rt_profiled_alloc(size, 0, false, AT(site));
}

/* A named site: no lookup. The call's own return address goes beside it, for
 * the C stack under the name at depth > 1 and for error reports. */

static inline void *calloc_at(size_t n, size_t size, uintptr_t ra) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    if (rt_mode == RT_MODE_ON) count_failure();
    errno = ENOMEM;
    return NULL;
  }
  if (rt_likely(rt_mode == RT_MODE_OFF)) return mi_zalloc(rt_off_size(total));
  return rt_profiled_alloc(total, 0, true, ra);
}

RT_EXPORT void *rt_calloc(size_t n, size_t size) { return calloc_at(n, size, RA()); }
RT_EXPORT void *rt_calloc_at(size_t n, size_t size, const void *site) {
  return calloc_at(n, size, AT(site));
}
RT_EXPORT void *rt_calloc_site(size_t n, size_t size, rt_site_t site) {
  rt_site_ra = RA();
  return calloc_at(n, size, RT_RA_SITE | site);
}

RT_EXPORT void *rt_realloc(void *p, size_t size) {
  if (rt_likely(rt_mode == RT_MODE_OFF)) return mi_realloc(p, rt_off_size(size));
  return rt_profiled_realloc(p, size, RA());
}

RT_EXPORT void *rt_realloc_at(void *p, size_t size, const void *site) {
  if (rt_likely(rt_mode == RT_MODE_OFF)) return mi_realloc(p, rt_off_size(size));
  return rt_profiled_realloc(p, size, AT(site));
}

RT_EXPORT void *rt_realloc_site(void *p, size_t size, rt_site_t site) {
  if (rt_likely(rt_mode == RT_MODE_OFF)) return mi_realloc(p, rt_off_size(size));
  rt_site_ra = RA();
  return rt_profiled_realloc(p, size, RT_RA_SITE | site);
}


static inline void *aligned_at(size_t size, size_t align, uintptr_t ra) {
  if (bad_alignment(align)) {
    errno = EINVAL;
    return NULL;
  }
  /* Not mi_malloc_aligned: in Debian's mimalloc 2.0.9 its fast path assumes
   * power-of-two sizes are naturally aligned, and returns misaligned blocks
   * (tests/stress found it); the _at variant checks the address. */
  if (rt_likely(rt_mode == RT_MODE_OFF))
    return align <= 16 ? mi_malloc(rt_off_size(size)) : mi_malloc_aligned_at(size, align, 0);
  return rt_profiled_alloc(size, align, false, ra);
}

RT_EXPORT void *rt_alloc_aligned(size_t size, size_t align) { return aligned_at(size, align, RA()); }
RT_EXPORT void *rt_alloc_aligned_at(size_t size, size_t align, const void *site) {
  return aligned_at(size, align, AT(site));
}

RT_EXPORT size_t rt_usable_size(const void *p) {
  if (p == NULL) return 0;
  if (rt_likely(rt_mode == RT_MODE_OFF)) return mi_usable_size(p);
  if (((uintptr_t)p & 15) != 0 || !readable_front(p)) return 0; /* not a block of ours */
  if (rt_options.guard) /* the canary sits right after the requested bytes */
    return tag_size((const rt_tag_t *)((const char *)p - RT_TAG_SIZE));
  return mi_usable_size((const char *)p - RT_TAG_SIZE) - RT_TAG_SIZE;
}

/* ---- rt_mmap: page-aligned regions straight from the OS ------------------ */

typedef struct rt_region_s {
  uintptr_t addr;             /* 0 empty, 1 deleted */
  uint64_t size;              /* page-rounded */
  uint32_t site, pair;
} rt_region_t;

#define RT_REGIONS 16384 /* live regions tracked per site; the rest count as overflow */

static struct {
  pthread_mutex_t lock;       /* guards regions */
  rt_region_t *regions;       /* open addressing by address, mapped on first use */
  uint64_t live, peak;        /* page-rounded bytes (atomic) */
} rt_mm = {.lock = PTHREAD_MUTEX_INITIALIZER};

uint64_t rt_mmap_live_bytes(void) { return rt_load_relaxed(&rt_mm.live); }
uint64_t rt_mmap_peak_bytes(void) { return rt_load_relaxed(&rt_mm.peak); }

static uint64_t page_round(size_t size) {
  long page = sysconf(_SC_PAGESIZE);
  return ((uint64_t)size + (uint64_t)page - 1) & ~((uint64_t)page - 1);
}

static rt_region_t *region_find(uintptr_t addr, bool insert) {
  if (rt_mm.regions == NULL) {
    if (!insert) return NULL;
    rt_mm.regions = rt_os_alloc(RT_REGIONS * sizeof(rt_region_t));
    if (rt_mm.regions == NULL) return NULL;
  }
  uint32_t i = (uint32_t)((addr >> 12) * 0x9e3779b1u) % RT_REGIONS;
  rt_region_t *first_deleted = NULL;
  for (uint32_t n = 0; n < RT_REGIONS; n++, i = (i + 1) % RT_REGIONS) {
    rt_region_t *r = &rt_mm.regions[i];
    if (r->addr == addr) return r;
    if (r->addr == 1 && first_deleted == NULL) first_deleted = r;
    if (r->addr == 0) return insert ? (first_deleted ? first_deleted : r) : NULL;
  }
  return insert ? first_deleted : NULL;
}

static void *mmap_at(size_t size, uintptr_t ra) {
  if (rt_mode == RT_MODE_UNINIT) rt_init();
  if (size == 0 || size > RT_MAX_SIZE) {
    errno = size == 0 ? EINVAL : ENOMEM;
    return NULL;
  }
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    if (rt_mode == RT_MODE_ON) count_failure();
    errno = ENOMEM;
    return NULL;
  }
  uint64_t bytes = page_round(size);
  uint64_t live = rt_add_relaxed(&rt_mm.live, bytes) + bytes, peak = rt_load_relaxed(&rt_mm.peak);
  while (peak < live && !__atomic_compare_exchange_n(&rt_mm.peak, &peak, live, true,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  if (rt_mode != RT_MODE_ON) return p;
  /* Counted like a block of `size` bytes, at its caller and current phase. */
  rt_thread_t *t = self_thread();
  uint32_t site = site_slow(t, ra);
  uint32_t phase = t ? t->phase : 0;
  uint32_t pair = phase ? rt_pair_intern(phase, site) : 0;
  pthread_mutex_lock(&rt_mm.lock);
  rt_region_t *r = region_find((uintptr_t)p, true);
  if (r != NULL) *r = (rt_region_t){(uintptr_t)p, size, site, pair};
  pthread_mutex_unlock(&rt_mm.lock);
  if (r == NULL) site = 0, pair = phase; /* untracked: counted in the overflow row */
  if (t != NULL) count_alloc(t, site, pair, size);
  else count_global(site, pair, 1, (int64_t)size, 0, 0);
  return p;
}

RT_EXPORT void *rt_mmap(size_t size) { return mmap_at(size, RA()); }
RT_EXPORT void *rt_mmap_at(size_t size, const void *site) { return mmap_at(size, AT(site)); }

RT_EXPORT int rt_munmap(void *p, size_t size) {
  if (p == NULL) return 0;
  if (rt_mode == RT_MODE_ON) {
    pthread_mutex_lock(&rt_mm.lock);
    rt_region_t *r = region_find((uintptr_t)p, false);
    rt_region_t region = r ? *r : (rt_region_t){0};
    if (r) r->addr = 1;
    pthread_mutex_unlock(&rt_mm.lock);
    if (r == NULL) {
      rt_heap_error(RT_ERR_FOREIGN_MUNMAP, p, 0, RA());
      errno = EINVAL;
      return -1;
    }
    rt_thread_t *t = self_thread();
    if (t != NULL) count_free(t, region.site, region.pair, region.size);
    else count_global(region.site, region.pair, 0, 0, 1, (int64_t)region.size);
  }
  if (munmap(p, size) != 0) return -1;
  __atomic_fetch_sub(&rt_mm.live, page_round(size), __ATOMIC_RELAXED);
  return 0;
}

/* fork() while another thread holds one of our locks would leave the child's
 * copy locked forever: hold them all across fork, in one order. */
static void fork_stage(rt_fork_stage_t stage) {
  if (stage == RT_FORK_PREPARE) {
    rt_dump_fork(stage);
    rt_snapshots_fork(stage);
    rt_errors_fork(stage);
    rt_peak_fork(stage); /* before the registry: a capture holds it, then waits for that */
    rt_names_fork(stage);
    rt_skip_fork(stage);
    pthread_mutex_lock(&rt_mm.lock);
    rt_registry_fork(stage);
    return;
  }
  rt_registry_fork(stage);
  rt_peak_fork(stage);
  if (stage == RT_FORK_PARENT) pthread_mutex_unlock(&rt_mm.lock);
  else pthread_mutex_init(&rt_mm.lock, NULL);
  rt_skip_fork(stage);
  rt_names_fork(stage);
  rt_errors_fork(stage);
  rt_dump_fork(stage);
  if (stage == RT_FORK_CHILD) rt_defer_fork_child();
  rt_snapshots_fork(stage); /* last: in the child it starts a new sampler */
}
