/* Call-site capture. Depth 1 is the return address the public entry point
 * took with __builtin_return_address(0); deeper sites walk the stack with
 * libunwind's DWARF unwinder (correct without frame pointers). Frames inside
 * RTPROF_SKIP functions (allocation wrappers) are walked past, so the site
 * starts at the wrappers' caller.
 *
 * A full unwind costs ~50 ns a frame, and a program allocates from the same
 * few stacks over and over, so each thread keeps a cache of the stacks it
 * unwound (RTPROF_UNWIND_CACHE=0 turns it off, for diagnosis). An entry is
 * keyed by the return address, the stack pointer at the allocating call and,
 * when a frame's CFA may be computed from it, rbp at that call; it records
 * every stack slot the unwind read a return address or rbp from, with the
 * value read. A hit re-reads those slots and takes the entry only if every
 * one still holds its value: the unwinder, started from the same registers
 * and reading the same memory, would take the same steps, so a hit gives
 * exactly the frames a full unwind gives (and the site id interned for
 * them, so the site table is not searched either). This holds for CFA rules
 * relative to rsp or rbp, which is what gcc and clang emit; a stack with a
 * signal frame, a realigned frame (CFA read from memory), a step that
 * fails, or a slot off the current stack is never cached. */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define RT_OWN_FRAMES 8  /* at most this many of our own frames sit above ra */
#define RT_SKIP_FRAMES 16 /* wrapper frames walked past, at most */
#define RT_RAW_MAX (RT_MAX_DEPTH + RT_SKIP_FRAMES) /* frames from ra an unwind needs */
#define RT_UC_SETS 64     /* cached stacks per thread: sets of RT_UC_WAYS */
#define RT_UC_WAYS 4      /* a return address reached at one rsp from several callers */
#define RT_UC_PATHS 8     /* distinct chains of our own frames per thread */
#define RT_UC_SLOTS 40    /* slots a cached stack may read (Debian's programs at depth 16: at most 31) */

/* The first frame of buf[i, n) that is not inside a wrapper. A frame is
 * inside one when its function matches RTPROF_SKIP, or when it has no
 * symbol (a stripped static function, such as sqlite3's sqlite3MemMalloc)
 * and a matching frame calls it further out: what a wrapper calls to
 * allocate is the wrapper's own business. The walk stops at the first named
 * frame that does not match; *seen is how many frames it looked at. */
static int wrapper_end(const uintptr_t *buf, int i, int n, int *seen) {
  int first = i, j = i;
  for (; j < n; j++) {
    uint32_t f = rt_addr_flags(buf[j]);
    if (f & RT_ADDR_SKIP) first = j + 1;
    else if (!(f & RT_ADDR_UNNAMED)) break;
  }
  *seen = j < n ? j + 1 : n;
  return first < n ? first : i; /* only wrappers in sight: keep the innermost */
}

/* frames[0, depth) from the raw stack raw[0, n), raw[0] == ra. Returns how
 * many raw frames decided them: those and no others. */
static int frames_from(const uintptr_t *raw, int n, uintptr_t ra, uint32_t flags, bool walk,
                       uintptr_t *frames, uint32_t depth) {
  int seen = 0, first = walk ? wrapper_end(raw, 0, n, &seen) : 0;
  /* An unnamed return address is settled by its first stack, so later
   * allocations there need no walk unless it is inside a wrapper. */
  if (flags & RT_ADDR_UNNAMED) rt_addr_decide(ra, first > 0);
  uint32_t k = 0;
  for (; k < depth && first + (int)k < n; k++) frames[k] = raw[first + k];
  return first + (int)k > seen ? first + (int)k : seen;
}

/* ---- the per-thread cache of unwound stacks ------------------------------ */

/* Our own frames between rt_capture_site and the allocating call, one chain
 * per public entry point. S is rt_capture_site's CFA; our functions have
 * fixed-size frames, so whenever the return addresses sit at S + off[j] the
 * chain is the one recorded, and the program's frame starts at S + sp_off.
 * The last return address is the program's `ra` (kept as 0 here); the
 * program's rbp is at S + rbp_off, or still in the register (rbp_in_reg). */
typedef struct rt_uc_path_s {
  uint32_t n;
  bool rbp_in_reg;
  int32_t off[RT_OWN_FRAMES];
  uintptr_t ra[RT_OWN_FRAMES];
  int64_t sp_off, rbp_off;
} rt_uc_path_t;

/* One unwound stack. Slots are in the order the unwind read them, so a
 * validation reads only what that unwind read, and stops at the first
 * difference (everything it reads is on the current stack). */
typedef struct rt_uc_entry_s {
  uintptr_t ra, sp;           /* ra 0: empty */
  uintptr_t rbp;              /* compared when need_rbp */
  bool need_rbp;              /* a frame's CFA may be rbp + 16 with rbp still the caller's */
  bool ended;                 /* the stack ended after nraw frames */
  uint8_t nraw, nslots;
  uint32_t site;              /* interned from these frames; 0: not yet */
  /* What `site` was worked out from, for a hit that returns it directly:
   * the capture's ra (RT_RA_AT included), its name prefix (first frame
   * when `named`), the address flags' epoch, and how many slots determine
   * the raw frames it took (fewer than nslots when wrappers were walked
   * past: the frames beyond the site's do not matter). */
  uintptr_t site_ra, site_prefix;
  uint32_t site_epoch;
  uint8_t site_slots;
  bool site_named;
  /* Slots read before raw[k] was known: they determine raw[0, k]; for
   * k > 0 the last of them holds raw[k] (entry_raw), so the return
   * addresses are not kept twice. */
  uint8_t upto[RT_RAW_MAX];
  uint16_t off[RT_UC_SLOTS];  /* (slot address - sp) / 8 */
  uintptr_t val[RT_UC_SLOTS];
} rt_uc_entry_t;

/* Recording a stack takes libunwind's cursor, whose every step in Debian's
 * build takes a lock with all signals blocked (two rt_sigprocmask calls a
 * frame): about 40 times unw_backtrace's cost. It pays only for stacks that
 * come back; where most do not (a recursive-descent parser reaches each
 * return address at many depths), a window of captures that recorded more
 * than one stack per RT_UC_PAYBACK reuses turns recording off for the next
 * windows (1, 2, 4, ... up to 64 while it keeps not paying): misses then
 * take unw_backtrace, and hits are still served. */
#define RT_UC_WINDOW 65536 /* captures per window */
#define RT_UC_PAYBACK 32   /* reuses a recorded stack must bring, on average */

/* Within the windows that record, a stack is recorded the second time it
 * is met, not the first: a miss first takes unw_backtrace (its own
 * per-thread cache of frame rules makes it ~30 times cheaper than the
 * cursor), and notes the stack's fingerprint here; only a stack that comes
 * back pays for the recording: Debian's python3 on the benchmark's input
 * recorded 20,009 stacks, and now records 7,216 and meets 15,830 once (a
 * table of 1,024 fingerprints: 30,278 recorded). A fingerprint overwritten
 * or shared costs time, never a wrong frame. */
#define RT_UC_SEEN 4096 /* fingerprints of stacks met once, per thread */

typedef struct rt_ucache_s {
  uint32_t window, hits, records; /* this window's captures, reuses, recordings */
  uint32_t off_left, off_span; /* windows left without recording; the next pause's length */
  uint32_t npaths, last_path;
  rt_uc_path_t paths[RT_UC_PATHS];
  uint8_t victim[RT_UC_SETS]; /* the way a miss replaces next */
  uint32_t seen[RT_UC_SEEN];  /* fingerprints of stacks met once and not recorded */
  rt_uc_entry_t e[RT_UC_SETS][RT_UC_WAYS];
} rt_ucache_t;

static inline uintptr_t load_word(uintptr_t addr) { return *(const uintptr_t *)addr; }
/* The word in slot `off` (in words) above sp: one load, the index scaled. */
static inline uintptr_t slot_word(uintptr_t sp, uint16_t off) { return load_word(sp + (uintptr_t)off * 8); }

/* raw[0, n) of a stored stack: ra, then the return address each later
 * frame's last slot held. */
static void entry_raw(const rt_uc_entry_t *e, int n, uintptr_t *raw) {
  raw[0] = e->ra;
  for (int k = 1; k < n; k++) raw[k] = e->val[e->upto[k] - 1];
}

static inline uintptr_t rbp_now(void) {
  uintptr_t v;
  __asm__ volatile("mov %%rbp, %0" : "=r"(v));
  return v;
}

static inline uint32_t set_index(uintptr_t ra, uintptr_t sp) {
  uint64_t k = ra ^ (sp * 0x9e3779b97f4a7c15ULL);
  return (uint32_t)(k >> 40 ^ k >> 20 ^ k) & (RT_UC_SETS - 1);
}

/* Outermost slot first: the program's return address, then ours outwards
 * in; chains differ near the program's end (which entry point, which frame
 * sizes), the innermost slot is the same in all. */
static inline bool path_holds(const rt_uc_path_t *path, uintptr_t S, uintptr_t ra) {
  uint32_t last = path->n - 1;
  if (load_word(S + (intptr_t)path->off[last]) != ra) return false;
  for (uint32_t j = last; j-- > 0;)
    if (load_word(S + (intptr_t)path->off[j]) != path->ra[j]) return false;
  return true;
}

/* The own-frame chain that ends at `ra` in the stack at S, or NULL; the one
 * found last is tried first (a program allocates through one entry point
 * in runs). */
RT_INLINE const rt_uc_path_t *path_find(rt_ucache_t *c, uintptr_t S, uintptr_t ra) {
  if (c->npaths > 0 && path_holds(&c->paths[c->last_path], S, ra)) return &c->paths[c->last_path];
  for (uint32_t p = 0; p < c->npaths; p++) {
    if (p == c->last_path || !path_holds(&c->paths[p], S, ra)) continue;
    c->last_path = p;
    return &c->paths[p];
  }
  return NULL;
}

/* Whether slots [0, n) of `e` still hold their values, read in order and
 * no further than the first that does not (unrolled: this is most of a
 * cached capture's work). */
static inline bool slots_hold(const rt_uc_entry_t *e, uintptr_t sp, uint32_t n) {
  uint32_t s = 0;
  for (; s + 4 <= n; s += 4) {
    if (slot_word(sp, e->off[s]) != e->val[s]) return false;
    if (slot_word(sp, e->off[s + 1]) != e->val[s + 1]) return false;
    if (slot_word(sp, e->off[s + 2]) != e->val[s + 2]) return false;
    if (slot_word(sp, e->off[s + 3]) != e->val[s + 3]) return false;
  }
  for (; s < n; s++)
    if (slot_word(sp, e->off[s]) != e->val[s]) return false;
  return true;
}

/* The entry for this stack, if every slot it read still holds its value;
 * *sp_out is the program's stack pointer at the call (0: not known yet). */
static rt_uc_entry_t *cache_lookup(rt_ucache_t *c, uintptr_t S, uintptr_t rbp_reg, uintptr_t ra,
                                   int want, int *n, uintptr_t *sp_out) {
  const rt_uc_path_t *path = path_find(c, S, ra);
  *sp_out = 0;
  if (path == NULL) return NULL;
  uintptr_t sp = S + (uintptr_t)path->sp_off;
  *sp_out = sp;
  uintptr_t rbp = path->rbp_in_reg ? rbp_reg : load_word(S + (uintptr_t)path->rbp_off);
  rt_uc_entry_t *set = c->e[set_index(ra, sp)];
  for (int w = 0; w < RT_UC_WAYS; w++) {
    rt_uc_entry_t *e = &set[w];
    if (e->ra != ra || e->sp != sp || (e->nraw < want && !e->ended) || (e->need_rbp && e->rbp != rbp))
      continue;
    if (!slots_hold(e, sp, e->nslots)) continue;
    *n = e->nraw < want ? e->nraw : want;
    return e;
  }
  return NULL;
}

/* Whether a slot at `addr` can be kept as a word offset from sp. */
static inline bool slot_fits(uintptr_t addr, uintptr_t sp) {
  return addr >= sp && (addr - sp) % 8 == 0 && (addr - sp) / 8 <= UINT16_MAX;
}
static inline uint16_t slot_off(uintptr_t addr, uintptr_t sp) { return (uint16_t)((addr - sp) / 8); }

static bool save_loc(unw_cursor_t *cur, int reg, uintptr_t *addr) {
  unw_save_loc_t sl;
  if (unw_get_save_loc(cur, reg, &sl) != 0 || sl.type != UNW_SLT_MEMORY) return false;
  *addr = (uintptr_t)sl.u.addr;
  return true;
}

/* A full unwind to `ra` and `want` frames on, into raw[0, *n), recording in
 * `c` what a later validation needs (*stored: the entry) unless the stack is
 * one it cannot vouch for (*stored NULL). S is rt_capture_site's CFA. False
 * when ra is not among our own frames. */
static RT_NOINLINE bool unwind_record(rt_ucache_t *c, uintptr_t S, uintptr_t ra, int want,
                                      uintptr_t *raw, int *n, rt_uc_entry_t **stored) {
  unw_context_t uc;
  unw_cursor_t cur;
  unw_word_t ip = 0, sp, rbp;
  *stored = NULL;
  unw_getcontext(&uc);
  if (unw_init_local(&cur, &uc) < 0) return false;
  const uintptr_t uc_lo = (uintptr_t)&uc, uc_hi = uc_lo + sizeof uc;
  rt_uc_path_t path;
  memset(&path, 0, sizeof path); /* compared whole with memcmp, padding included */
  bool cacheable = true;
  /* Our own frames, up to the allocating call's return address; those
   * below rt_capture_site (this function's) are not part of the chain. */
  for (int steps = 0;; steps++) {
    if (unw_step(&cur) <= 0 || steps == RT_OWN_FRAMES) return false;
    uintptr_t at = 0;
    unw_get_reg(&cur, UNW_REG_IP, &ip);
    if (!save_loc(&cur, UNW_X86_64_RIP, &at)) cacheable = false;
    else if (at >= S - 8 && at - S + 8 < (1u << 30) && path.n < RT_OWN_FRAMES)
      path.off[path.n] = (int32_t)(at - S), path.ra[path.n++] = ip;
    if (ip == ra) break;
  }
  if (path.n == 0 || path.ra[path.n - 1] != ra) cacheable = false;
  else path.ra[path.n - 1] = 0;
  unw_get_reg(&cur, UNW_REG_SP, &sp);
  unw_get_reg(&cur, UNW_X86_64_RBP, &rbp);
  uintptr_t rbp_loc0 = 0; /* where the program's rbp is; inside uc: the register */
  if (!save_loc(&cur, UNW_X86_64_RBP, &rbp_loc0)) cacheable = false;
  path.rbp_in_reg = rbp_loc0 >= uc_lo && rbp_loc0 < uc_hi;
  path.sp_off = (int64_t)(sp - S);
  path.rbp_off = path.rbp_in_reg ? 0 : (int64_t)(rbp_loc0 - S);

  rt_uc_entry_t e = {.ra = ra, .sp = sp, .rbp = rbp};
  uintptr_t rbp_loc = rbp_loc0; /* where the current frame's rbp was read */
  bool rbp_checked = false;      /* its value is among the slots already */
  int k = 0;
  for (;;) {
    e.upto[k] = e.nslots;
    raw[k++] = ip;
    if (k == want) break;
    unw_word_t sp_i = sp, rbp_i = rbp;
    int r = unw_step(&cur);
    if (r == 0) {
      e.ended = true;
      break;
    }
    if (r < 0) {
      cacheable = false;
      break;
    }
    unw_get_reg(&cur, UNW_REG_IP, &ip);
    if (!cacheable) continue;
    uintptr_t cfa, at = 0, at_rbp = 0;
    unw_get_reg(&cur, UNW_REG_SP, &cfa);
    unw_get_reg(&cur, UNW_X86_64_RBP, &rbp);
    sp = cfa;
    if (rbp_i + 16 == cfa) {
      /* Maybe a frame-pointer frame, its CFA computed from rbp: the value
       * rbp had must be checked too, where it came from. */
      if (rbp_loc == rbp_loc0) e.need_rbp = true;
      else if (!rbp_checked) e.off[e.nslots] = slot_off(rbp_loc, e.sp), e.val[e.nslots++] = rbp_i;
      rbp_checked = true;
    } else if (rbp_i >= sp_i + 8 && rbp_i <= cfa && load_word(rbp_i - 8) == cfa) {
      cacheable = false; /* looks realigned: the CFA was read from rbp - 8 */
      continue;
    }
    /* The return address is read at CFA - 8; rbp where this frame saved it. */
    if (!save_loc(&cur, UNW_X86_64_RIP, &at) || at != cfa - 8 || !slot_fits(at, e.sp) ||
        !save_loc(&cur, UNW_X86_64_RBP, &at_rbp) || e.nslots + 2 > RT_UC_SLOTS) {
      cacheable = false;
      continue;
    }
    e.off[e.nslots] = slot_off(at, e.sp), e.val[e.nslots++] = ip;
    if (at_rbp != rbp_loc) {
      if (!slot_fits(at_rbp, e.sp)) {
        cacheable = false;
        continue;
      }
      rbp_loc = at_rbp, rbp_checked = false;
    }
  }
  *n = k;
  for (int j = 1; j < k && cacheable; j++) /* each later frame's last slot holds it (entry_raw) */
    cacheable = e.upto[j] > 0 && e.val[e.upto[j] - 1] == raw[j];
  if (!cacheable) return true;
  /* Remember the own-frame chain, then the stack. */
  bool known = false;
  for (uint32_t p = 0; p < c->npaths && !known; p++)
    known = memcmp(&c->paths[p], &path, sizeof path) == 0;
  if (!known) {
    if (c->npaths == RT_UC_PATHS) return true;
    memcpy(&c->paths[c->npaths++], &path, sizeof path);
  }
  e.nraw = (uint8_t)k;
  uint32_t set = set_index(ra, e.sp);
  *stored = &c->e[set][c->victim[set]];
  c->victim[set] = (uint8_t)((c->victim[set] + 1) % RT_UC_WAYS);
  memcpy(*stored, &e, sizeof e);
  return true;
}

/* At start-up, for RTPROF_DEPTH > 1. libunwind's default (global) cache of
 * unwind rules takes a lock with every signal blocked on each step: two
 * rt_sigprocmask calls a frame, 8.4 million of them in a comptime-clone run
 * at depth 16; a step whose rules are not cached blocks signals again
 * around dl_iterate_phdr. A libunwind built with per-thread caching takes
 * no lock; Debian's 1.6.2 is not, and keeps the global cache (with no
 * caching at all the calls stay: measured). Hence recording only stacks
 * met twice, and the pauses in recording. */
void rt_capture_init(void) {
  if (rt_options.depth > 1) unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

static rt_ucache_t *cache_of(rt_thread_t *t) {
  if (rt_options.unwind_cache == RT_UNWIND_OFF || t->is_sentinel) return NULL;
  if (t->unwind_cache == NULL) t->unwind_cache = rt_os_alloc(sizeof(rt_ucache_t));
  return t->unwind_cache;
}

/* Without the cache: libunwind's own backtrace, then ra found in it. */
static int backtrace_from(uintptr_t ra, int want, uintptr_t *raw) {
  void *buf[RT_OWN_FRAMES + RT_RAW_MAX];
  int n = unw_backtrace(buf, RT_OWN_FRAMES + want);
  for (int i = 0; i < n && i < RT_OWN_FRAMES; i++) {
    if ((uintptr_t)buf[i] != ra) continue;
    int k = n - i < want ? n - i : want;
    for (int j = 0; j < k; j++) raw[j] = (uintptr_t)buf[i + j];
    return k;
  }
  return 0;
}

/* RTPROF_UNWIND_CACHE=2: every stack the cache gives, and every stack it
 * records, is compared with libunwind's own backtrace; a difference aborts.
 * The counts are reported at exit, so a test can see the cache was used. */
static uint64_t rt_uc_checked[4]; /* hits, recorded misses, misses met once, misses while paused (atomic) */

static void check_same(const uintptr_t *raw, int n, uintptr_t ra, int want, const char *what) {
  uintptr_t ref[RT_RAW_MAX];
  int k = backtrace_from(ra, want, ref);
  int i = 0;
  while (i < n && i < k && raw[i] == ref[i]) i++;
  if (i < n || n != k) {
    rt_warn("RTPROF_UNWIND_CACHE=2: a %s stack differs from libunwind's backtrace at frame %d "
            "(%d frames, %d in the backtrace; %lx there, %lx in the backtrace)",
            what, i, n, k, i < n ? (unsigned long)raw[i] : 0UL, i < k ? (unsigned long)ref[i] : 0UL);
    abort();
  }
  rt_add_relaxed(&rt_uc_checked[what[0] == 'r'], 1);
}

static void check_entry(const rt_uc_entry_t *e, int n, uintptr_t ra, int want) {
  uintptr_t raw[RT_RAW_MAX];
  entry_raw(e, n, raw);
  check_same(raw, n, ra, want, "cached");
}

static void __attribute__((destructor)) check_report(void) {
  if (rt_options.unwind_cache == RT_UNWIND_CHECK && rt_options.profiling && rt_options.depth > 1)
    rt_warn("RTPROF_UNWIND_CACHE=2: %llu cached and %llu recorded stacks, each equal to libunwind's backtrace; "
            "%llu met once and %llu while recording paused taken from it",
            (unsigned long long)rt_load_relaxed(&rt_uc_checked[0]),
            (unsigned long long)rt_load_relaxed(&rt_uc_checked[1]),
            (unsigned long long)rt_load_relaxed(&rt_uc_checked[2]),
            (unsigned long long)rt_load_relaxed(&rt_uc_checked[3]));
}

/* Whether the stack raw[0, n), reached from `ra` at `sp`, is met for the
 * first time (as far as the fingerprints tell); it is noted if so. */
static bool first_sighting(rt_ucache_t *c, uintptr_t ra, uintptr_t sp, const uintptr_t *raw, int n) {
  if (sp == 0) return false; /* our own frames' chain is not known yet: recording learns it */
  uint64_t h = (ra ^ sp * 0x9e3779b97f4a7c15ULL) + (uint64_t)n;
  for (int i = 0; i < n; i++) h = (h ^ raw[i]) * 0xff51afd7ed558ccdULL;
  h ^= h >> 29;
  uint32_t fp = (uint32_t)(h >> 32) | 1, *slot = &c->seen[h & (RT_UC_SEEN - 1)];
  if (*slot == fp) {
    *slot = 0; /* recorded now: from here on the cache has it */
    return false;
  }
  *slot = fp;
  return true;
}

/* A window of captures ends every RT_UC_WINDOW: did its recording pay? */
static void window_tick(rt_ucache_t *c) {
  if (++c->window != RT_UC_WINDOW) return;
  if (c->off_left > 0) {
    c->off_left--;
  } else if (c->records > 16 && c->hits < RT_UC_PAYBACK * c->records) {
    c->off_span = c->off_span == 0 ? 1 : c->off_span < 64 ? 2 * c->off_span : 64;
    c->off_left = c->off_span;
  } else {
    c->off_span = 0;
  }
  c->window = c->hits = c->records = 0;
}

/* The common case, before anything is worked out: a stack this thread
 * reached before, whose site is cached and still holds (same ra, prefix
 * and address flags, and every slot its frames came from unchanged).
 * Returns the site, or 0. */
RT_INLINE uint32_t cached_site(rt_ucache_t *c, uintptr_t S, uintptr_t site_ra, bool named,
                                      uintptr_t prefix, rt_uc_entry_t **found) {
  uintptr_t ra = site_ra & ~RT_RA_AT;
  const rt_uc_path_t *path = path_find(c, S, ra);
  if (path == NULL) return 0;
  uintptr_t sp = S + (uintptr_t)path->sp_off;
  uint32_t epoch = rt_load_relaxed(&rt_addr_epoch);
  rt_uc_entry_t *set = c->e[set_index(ra, sp)];
  for (int w = 0; w < RT_UC_WAYS; w++) {
    rt_uc_entry_t *e = &set[w];
    if (e->ra != ra || e->sp != sp || e->site == 0 || e->site_ra != site_ra || e->site_epoch != epoch ||
        e->site_named != named || e->site_prefix != prefix)
      continue;
    if (e->need_rbp && e->rbp != (path->rbp_in_reg ? rbp_now() : load_word(S + (uintptr_t)path->rbp_off)))
      continue;
    if (!slots_hold(e, sp, e->site_slots)) continue;
    *found = e;
    return e->site;
  }
  return 0;
}

/* RTPROF_UNWIND_CACHE=2: the frames a cached site stands for, against the
 * frames the uncached path works out now. */
static void check_site(const rt_uc_entry_t *e, uintptr_t ra, const uintptr_t *frames, uint32_t first,
                       uint32_t depth) {
  uintptr_t ref[RT_MAX_DEPTH];
  memcpy(ref, frames, first * sizeof *ref);
  memset(ref + first, 0, (depth - first) * sizeof *ref);
  uint32_t flags = rt_skip_active ? rt_addr_flags(ra) : 0;
  bool walk = rt_skip_active && (flags & (RT_ADDR_SKIP | RT_ADDR_UNNAMED));
  int want = (int)(depth - first) + (walk ? RT_SKIP_FRAMES : 0);
  uintptr_t raw[RT_RAW_MAX];
  int n = backtrace_from(ra, want, raw);
  if (n > 0) frames_from(raw, n, ra, flags, walk, ref + first, depth - first);
  const uintptr_t *got = rt_site_frames(e->site);
  uint32_t i = 0;
  while (got != NULL && i < depth && ref[i] == got[i]) i++;
  if (i < depth) {
    rt_warn("RTPROF_UNWIND_CACHE=2: a cached site's frame %u differs from libunwind's backtrace "
            "(%lx cached, %lx in the backtrace)", i, got != NULL ? (unsigned long)got[i] : 0UL,
            (unsigned long)ref[i]);
    abort();
  }
  rt_add_relaxed(&rt_uc_checked[0], 1);
}

/* Everything but a cached site's return: out of rt_capture_site's line, so
 * the common case saves no registers for it. S is rt_capture_site's CFA
 * (the own-frame chains are measured from it); c may be NULL. */
static RT_NOINLINE uint32_t capture_slow(uintptr_t ra, uintptr_t *frames, uint32_t first,
                                         uint32_t depth, rt_ucache_t *c, uintptr_t S) {
  uint32_t want_frames = depth - first;
  uintptr_t *out = frames + first;
  uintptr_t site_ra = ra, prefix = first > 0 ? frames[0] : 0;
  /* Read before the flags the frames are worked out from (rt_addr_decide
   * stores the flag, then bumps it): a site cached under it is never newer
   * than its flags. */
  uint32_t epoch = rt_load_relaxed(&rt_addr_epoch);
  memset(out, 0, want_frames * sizeof *out);
  bool at = (ra & RT_RA_AT) != 0;
  ra &= ~RT_RA_AT;
  uint32_t flags = rt_skip_active || at ? rt_addr_flags(ra) : 0;
  if (at && (flags & RT_ADDR_ENTRY)) { /* a function's entry: named as that function */
    out[0] = ra | RT_FRAME_EXACT;
    return rt_site_intern(frames, depth);
  }
  out[0] = ra;
  bool walk = rt_skip_active && (flags & (RT_ADDR_SKIP | RT_ADDR_UNNAMED));
  if (want_frames == 1 && !walk) return rt_site_intern(frames, depth);
  int want = (int)want_frames + (walk ? RT_SKIP_FRAMES : 0), n = 0;
  uintptr_t raw[RT_RAW_MAX];
  if (c == NULL) {
    n = backtrace_from(ra, want, raw);
    if (n > 0) frames_from(raw, n, ra, flags, walk, out, want_frames);
    return rt_site_intern(frames, depth);
  }
  uintptr_t sp = 0;
  rt_uc_entry_t *e = cache_lookup(c, S, rbp_now(), ra, want, &n, &sp);
  if (rt_unlikely(rt_options.unwind_cache == RT_UNWIND_CHECK) && e != NULL)
    check_entry(e, n, ra, want);
  window_tick(c);
  if (e != NULL) {
    c->hits++;
  } else {
    n = backtrace_from(ra, want, raw);
    bool paused = c->off_left > 0;
    if (paused || first_sighting(c, ra, sp, raw, n)) { /* not recorded */
      if (rt_unlikely(rt_options.unwind_cache == RT_UNWIND_CHECK)) rt_add_relaxed(&rt_uc_checked[2 + paused], 1);
      if (n > 0) frames_from(raw, n, ra, flags, walk, out, want_frames);
      return rt_site_intern(frames, depth);
    }
    c->records++;
  }
  int needed;
  if (e == NULL) {
    if (!unwind_record(c, S, ra, want, raw, &n, &e)) return rt_site_intern(frames, depth);
    if (rt_unlikely(rt_options.unwind_cache == RT_UNWIND_CHECK)) check_same(raw, n, ra, want, "recorded");
    needed = frames_from(raw, n, ra, flags, walk, out, want_frames);
  } else {
    entry_raw(e, n, raw);
    needed = frames_from(raw, n, ra, flags, walk, out, want_frames);
  }
  const uintptr_t *known = e != NULL ? rt_site_frames(e->site) : NULL;
  uint32_t site = known != NULL && memcmp(known, frames, depth * sizeof *frames) == 0 ? e->site
                                                                                     : rt_site_intern(frames, depth);
  if (e != NULL && site != 0) { /* not the overflow id: rt_site_intern counts each drop */
    e->site = site;
    e->site_ra = site_ra, e->site_prefix = prefix, e->site_named = first > 0, e->site_epoch = epoch;
    e->site_slots = needed >= e->nraw ? e->nslots : e->upto[needed - 1];
  }
  return site;
}

RT_NOINLINE uint32_t rt_capture_site(rt_thread_t *t, uintptr_t ra, uintptr_t *frames, uint32_t first,
                                     uint32_t depth) {
  rt_ucache_t *c = t != NULL ? cache_of(t) : NULL;
  uintptr_t S = (uintptr_t)__builtin_dwarf_cfa();
  if (c != NULL) {
    rt_uc_entry_t *hit = NULL;
    uint32_t site = cached_site(c, S, ra, first > 0, first > 0 ? frames[0] : 0, &hit);
    if (site != 0) {
      if (rt_unlikely(rt_options.unwind_cache == RT_UNWIND_CHECK)) check_site(hit, ra & ~RT_RA_AT, frames, first, depth);
      window_tick(c);
      c->hits++;
      return site;
    }
  }
  return capture_slow(ra, frames, first, depth, c, S);
}
