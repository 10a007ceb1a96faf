/* Per-thread counters. Each thread counts into its own slots (single writer,
 * plain stores), so the hot path has no atomic read-modify-write on shared
 * memory. Readers sum the global table and every live thread under the
 * registry lock; an exiting thread adds its slots to the global table under
 * the same lock, so no count is ever lost or counted twice. */
#include <string.h>

#include "internal.h"

/* Placeholders every thread starts with (no NULL test on the fast path) and
 * ends with (counts of a thread past its destructor go to the global table). */
/* A sentinel's detour is nonzero (its scope_site is never read: names.c
 * and the profiled paths look at is_sentinel first) and its fast_limit 0,
 * so the allocation fast paths need no is_sentinel test; its shrink_room is
 * far below zero, so rt_free's fast path leaves it on its cold branch
 * (alloc.c, publish_then_free). */
static rt_thread_t rt_thread_new = {.is_sentinel = true, .scope_site = UINT32_MAX,
                                     .shrink_room = INT64_MIN / 2, .last_block = (void *)1,
                                     .deferring = 1};
static rt_thread_t rt_thread_gone = {.is_sentinel = true, .scope_site = UINT32_MAX,
                                      .shrink_room = INT64_MIN / 2, .last_block = (void *)1,
                                      .deferring = 1};
__thread rt_tls_t rt_tls __attribute__((tls_model("initial-exec"))) = {.self = &rt_thread_new};

#define CHUNK_BYTES (RT_CHUNK_SLOTS * sizeof(rt_slot_t))
#define SLAB_CHUNKS 64

typedef union rt_chunk_u {
  union rt_chunk_u *next_free;
  rt_slot_t slots[RT_CHUNK_SLOTS];
} rt_chunk_t;

static struct {
  pthread_mutex_t lock;       /* guards everything below but the atomics */
  pthread_key_t key;          /* its destructor merges an exiting thread */
  rt_thread_t *live;          /* registered threads (doubly linked) */
  rt_thread_t *free_states;   /* states of exited threads, for reuse */
  rt_chunk_t *free_chunks;    /* zeroed chunks returned by exited threads */
  rt_slot_t *site_global;     /* [site id]: merged counts, atomic adds */
  rt_slot_t *pair_global;     /* [pair id] */
  uint32_t site_ids, pair_ids; /* id space sizes */
  size_t state_bytes;         /* one rt_thread_t plus its two directories */
  uint64_t threads;           /* registered now */
  /* Totals merged from exited threads and from sentinel counting (atomic). */
  uint64_t allocs, alloc_bytes, frees, freed_bytes, failed_allocs;
  int64_t live_published;     /* sum of published `pending` (atomic) */
  int64_t peak_live;          /* max of live_published + a thread's excursion (atomic) */
} rt_reg = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* > 0 while this thread holds the registry lock. A signal handler that
 * allocates may interrupt it there (inside a phase begin, a stats read):
 * its allocation must then not wait for the lock its own thread holds, so
 * the paths that would take it count straight into the global table. */
static __thread int rt_reg_held __attribute__((tls_model("initial-exec")));

void rt_registry_lock(void) {
  pthread_mutex_lock(&rt_reg.lock);
  rt_reg_held++;
}
void rt_registry_unlock(void) {
  rt_reg_held--;
  pthread_mutex_unlock(&rt_reg.lock);
}
bool rt_registry_held(void) { return rt_reg_held > 0; }
uint64_t rt_registry_threads(void) { return rt_load_relaxed(&rt_reg.threads); }

void rt_registry_fork(rt_fork_stage_t stage) {
  if (stage == RT_FORK_PREPARE) {
    rt_registry_lock();
  } else if (stage == RT_FORK_PARENT) {
    rt_registry_unlock();
  } else {
    pthread_mutex_init(&rt_reg.lock, NULL);
    rt_reg_held--; /* the child's copy of the lock is new and free */
    /* The other threads' states are frozen copies; their totals are the
     * sums of their site slots, so the child's dump adds up as it is. */
  }
}

static void thread_exit(void *arg);

bool rt_threads_init(void) {
  rt_reg.site_ids = rt_options.sites + 1;
  rt_reg.pair_ids = rt_options.phases + rt_options.pairs;
  rt_reg.site_global = rt_os_alloc((size_t)rt_reg.site_ids * sizeof(rt_slot_t));
  rt_reg.pair_global = rt_os_alloc((size_t)rt_reg.pair_ids * sizeof(rt_slot_t));
  size_t site_dir = (rt_reg.site_ids + RT_CHUNK_SLOTS - 1) / RT_CHUNK_SLOTS;
  size_t pair_dir = (rt_reg.pair_ids + RT_CHUNK_SLOTS - 1) / RT_CHUNK_SLOTS;
  rt_reg.state_bytes = sizeof(rt_thread_t) + (site_dir + pair_dir) * sizeof(rt_slot_t *);
  if (pthread_key_create(&rt_reg.key, thread_exit) != 0) return false;
  return rt_reg.site_global != NULL && rt_reg.pair_global != NULL;
}

rt_thread_t *rt_thread_start(void) {
  rt_thread_t *t = rt_self;
  if (t != &rt_thread_new) return t;
  if (rt_mode != RT_MODE_ON || rt_reg_held) return &rt_thread_gone;
  rt_registry_lock();
  t = rt_reg.free_states;
  if (t != NULL) {
    rt_reg.free_states = t->next;
  } else {
    t = rt_os_alloc(rt_reg.state_bytes);
    if (t == NULL) {
      rt_registry_unlock();
      return rt_self = &rt_thread_gone;
    }
    size_t site_dir = (rt_reg.site_ids + RT_CHUNK_SLOTS - 1) / RT_CHUNK_SLOTS;
    t->site_dir = (rt_slot_t **)(t + 1);
    t->pair_dir = t->site_dir + site_dir;
  }
  rt_slot_t **site_dir = t->site_dir, **pair_dir = t->pair_dir;
  void *unwind_cache = t->unwind_cache;
  memset(t, 0, sizeof *t);
  t->site_dir = site_dir, t->pair_dir = pair_dir, t->unwind_cache = unwind_cache;
  for (uint32_t c = 0; c < RT_FLAT_SLOTS / RT_CHUNK_SLOTS && c * RT_CHUNK_SLOTS < rt_reg.site_ids; c++)
    site_dir[c] = &t->flat[c * RT_CHUNK_SLOTS];
  t->shrink_room = RT_PEAK_SLACK;
  t->last_block = (void *)1;
  t->deferring = !rt_defer_on; /* no ring: every free is done at once */
  t->internal = (uint16_t)rt_internal; /* started inside rtprof's own call */
  rt_detour_changed(t);
  t->next = rt_reg.live;
  if (t->next) t->next->prev = t;
  rt_reg.live = t;
  rt_reg.threads++;
  rt_registry_unlock();
  rt_self = t;
  pthread_setspecific(rt_reg.key, t);
  return t;
}

rt_slot_t *rt_slot_slow(rt_thread_t *t, bool pair, uint32_t id) {
  if (t->is_sentinel || rt_reg_held) return NULL;
  rt_slot_t **dir = pair ? t->pair_dir : t->site_dir;
  rt_registry_lock();
  rt_chunk_t *c = rt_reg.free_chunks;
  if (c != NULL) {
    rt_reg.free_chunks = c->next_free;
    c->next_free = NULL;
  } else {
    c = rt_os_alloc(SLAB_CHUNKS * CHUNK_BYTES);
    if (c != NULL) /* keep one, free-list the rest */
      for (int i = SLAB_CHUNKS - 1; i >= 1; i--) {
        c[i].next_free = rt_reg.free_chunks;
        rt_reg.free_chunks = &c[i];
      }
  }
  if (c != NULL) rt_store_release(&dir[id / RT_CHUNK_SLOTS], c->slots);
  rt_registry_unlock();
  return c ? &c->slots[id % RT_CHUNK_SLOTS] : NULL;
}

static rt_slot_t *global_slot(bool pair, uint32_t id) {
  return pair ? &rt_reg.pair_global[id] : &rt_reg.site_global[id];
}

void rt_global_add(bool pair, uint32_t id, int64_t allocs, int64_t bytes, int64_t frees,
                   int64_t freed) {
  rt_slot_t *g = global_slot(pair, id);
  rt_add_relaxed(&g->allocs, (uint64_t)allocs);
  rt_add_relaxed(&g->alloc_bytes, (uint64_t)bytes);
  rt_add_relaxed(&g->frees, (uint64_t)frees);
  rt_add_relaxed(&g->room, freed - bytes);
  if (!pair) { /* a site's counts are the totals' too (threads' come from their slots) */
    rt_add_relaxed(&rt_reg.allocs, (uint64_t)allocs);
    rt_add_relaxed(&rt_reg.alloc_bytes, (uint64_t)bytes);
    rt_add_relaxed(&rt_reg.frees, (uint64_t)frees);
    rt_add_relaxed(&rt_reg.freed_bytes, (uint64_t)freed);
  }
  if (allocs) { /* a thread without state: its live is the whole site's bound */
    uint64_t peak = rt_load_relaxed(&g->peak_live), ab = rt_load_relaxed(&g->alloc_bytes);
    while (peak < ab && !__atomic_compare_exchange_n(&g->peak_live, &peak, ab, true,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    if (peak < ab) rt_add_relaxed(&g->room, (int64_t)(ab - peak)); /* live stays peak - room */
  }
}

void rt_count_global_totals(int64_t bytes, int64_t freed, int64_t failed) {
  rt_add_relaxed(&rt_reg.failed_allocs, (uint64_t)failed);
  int64_t before = rt_add_relaxed(&rt_reg.live_published, bytes - freed);
  int64_t cand = before + bytes - freed, peak = rt_load_relaxed(&rt_reg.peak_live);
  while (peak < cand && !__atomic_compare_exchange_n(&rt_reg.peak_live, &peak, cand, true,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
}

/* Publishes a thread's net live bytes, and with them the highest point the
 * process reached since its last publish as far as this thread can tell:
 * exact for one thread, within RT_PEAK_SLACK per other thread otherwise. */
void rt_publish_pending(rt_thread_t *t) {
  int64_t excursion = t->pending_max, pending = excursion - t->room;
  int64_t before = rt_add_relaxed(&rt_reg.live_published, pending);
  int64_t cand = before + excursion, peak = rt_load_relaxed(&rt_reg.peak_live);
  while (peak < cand && !__atomic_compare_exchange_n(&rt_reg.peak_live, &peak, cand, true,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  rt_store_relaxed(&t->room, 0);
  rt_store_relaxed(&t->pending_max, 0);
  rt_store_relaxed(&t->shrink_room, RT_PEAK_SLACK);
  if (rt_unlikely(cand > rt_load_relaxed(&rt_flush_trigger))) rt_flush_request();
  /* The peak's composition (alloc/peak.c): at most once per trigger step. */
  if (rt_unlikely(cand > rt_peak_trigger()) && !rt_reg_held) rt_peak_capture();
}

/* A slot's freed bytes, read by another thread. */
static uint64_t slot_freed(const rt_slot_t *s) {
  return rt_load_relaxed(&s->alloc_bytes) - (uint64_t)rt_slot_live(s);
}

static void slot_accumulate(rt_counts_t *into, const rt_slot_t *from) {
  into->allocs += rt_load_relaxed(&from->allocs);
  into->alloc_bytes += rt_load_relaxed(&from->alloc_bytes);
  into->frees += rt_load_relaxed(&from->frees);
  into->freed_bytes += slot_freed(from);
  int64_t peak = (int64_t)rt_load_relaxed(&from->peak_live), live = rt_slot_live(from);
  into->peak_live += (uint64_t)(peak > live ? peak : live); /* an allocation in progress */
}

void rt_slot_sum(bool pair, uint32_t id, rt_counts_t *out) {
  memset(out, 0, sizeof *out);
  slot_accumulate(out, global_slot(pair, id));
  for (rt_thread_t *t = rt_reg.live; t; t = t->next) {
    rt_slot_t *chunk = rt_load_acquire(&(pair ? t->pair_dir : t->site_dir)[id / RT_CHUNK_SLOTS]);
    if (chunk) slot_accumulate(out, &chunk[id % RT_CHUNK_SLOTS]);
  }
  if (out->peak_live > out->alloc_bytes) out->peak_live = out->alloc_bytes;
}

static void totals_locked(rt_totals_t *o) {
  o->allocs = rt_load_relaxed(&rt_reg.allocs);
  o->alloc_bytes = rt_load_relaxed(&rt_reg.alloc_bytes);
  o->frees = rt_load_relaxed(&rt_reg.frees);
  o->freed_bytes = rt_load_relaxed(&rt_reg.freed_bytes);
  o->failed_allocs = rt_load_relaxed(&rt_reg.failed_allocs);
  int64_t published = rt_load_relaxed(&rt_reg.live_published);
  int64_t peak = rt_load_relaxed(&rt_reg.peak_live);
  for (rt_thread_t *t = rt_reg.live; t; t = t->next) {
    for (uint32_t c = 0; c * RT_CHUNK_SLOTS < rt_reg.site_ids; c++) {
      const rt_slot_t *chunk = rt_load_acquire(&t->site_dir[c]);
      for (uint32_t i = 0; chunk && i < RT_CHUNK_SLOTS; i++) {
        o->allocs += rt_load_relaxed(&chunk[i].allocs);
        o->alloc_bytes += rt_load_relaxed(&chunk[i].alloc_bytes);
        o->frees += rt_load_relaxed(&chunk[i].frees);
        o->freed_bytes += slot_freed(&chunk[i]);
      }
    }
    o->failed_allocs += rt_load_relaxed(&t->failed_allocs);
    int64_t cand = published + rt_load_relaxed(&t->pending_max);
    if (cand > peak) peak = cand;
  }
  int64_t live = (int64_t)(o->alloc_bytes - o->freed_bytes);
  o->peak_live = (uint64_t)(peak > live ? peak : live);
  o->threads = rt_reg.threads;
}

void rt_totals_read(rt_totals_t *out) {
  memset(out, 0, sizeof *out);
  if (rt_mode != RT_MODE_ON) return;
  rt_defer_drain(rt_self); /* this thread's own frees are all in, as its code expects */
  rt_registry_lock();
  totals_locked(out);
  rt_registry_unlock();
}

/* Published live bytes plus every thread's unpublished net: exact, without
 * summing the site slots. */
int64_t rt_live_bytes_now(void) {
  if (rt_mode != RT_MODE_ON) return 0;
  rt_defer_drain(rt_self);
  rt_registry_lock();
  int64_t live = rt_load_relaxed(&rt_reg.live_published);
  for (rt_thread_t *t = rt_reg.live; t; t = t->next)
    live += rt_load_relaxed(&t->pending_max) - rt_load_relaxed(&t->room);
  rt_registry_unlock();
  return live;
}

uint64_t rt_thread_overhead_bytes(void) { return rt_reg.state_bytes * rt_load_relaxed(&rt_reg.threads); }

static void merge_dir(rt_thread_t *t, rt_slot_t **dir, uint32_t ids, bool pair) {
  for (uint32_t c = 0; c * RT_CHUNK_SLOTS < ids; c++) {
    rt_slot_t *chunk = dir[c];
    if (chunk == NULL) continue;
    for (uint32_t i = 0; i < RT_CHUNK_SLOTS && c * RT_CHUNK_SLOTS + i < ids; i++) {
      rt_slot_t *s = &chunk[i], *g = global_slot(pair, c * RT_CHUNK_SLOTS + i);
      if (s->allocs == 0 && s->frees == 0) continue;
      rt_add_relaxed(&g->allocs, s->allocs);
      rt_add_relaxed(&g->alloc_bytes, s->alloc_bytes);
      rt_add_relaxed(&g->frees, s->frees);
      rt_add_relaxed(&g->room, s->room); /* the sums keep live = peak_live - room */
      rt_add_relaxed(&g->peak_live, s->peak_live);
    }
    memset(chunk, 0, CHUNK_BYTES);
    rt_store_relaxed(&dir[c], NULL);
    if (chunk >= t->flat && chunk < t->flat + RT_FLAT_SLOTS) continue; /* part of the state */
    rt_chunk_t *free_chunk = (rt_chunk_t *)chunk;
    free_chunk->next_free = rt_reg.free_chunks;
    rt_reg.free_chunks = free_chunk;
  }
}

/* pthread key destructor: fold the thread into the global table, recycle its
 * state, and send whatever it still allocates (later destructors) global. */
static void thread_exit(void *arg) {
  rt_thread_t *t = arg;
  if (t == NULL || t->is_sentinel) return;
  rt_defer_drain(t);
  rt_phase_thread_exit(t);
  rt_registry_lock();
  rt_publish_pending(t);
  uint64_t sums[4] = {0};
  for (uint32_t c = 0; c * RT_CHUNK_SLOTS < rt_reg.site_ids; c++)
    for (uint32_t i = 0; t->site_dir[c] && i < RT_CHUNK_SLOTS; i++) {
      const rt_slot_t *s = &t->site_dir[c][i];
      sums[0] += s->allocs, sums[1] += s->alloc_bytes, sums[2] += s->frees, sums[3] += slot_freed(s);
    }
  merge_dir(t, t->site_dir, rt_reg.site_ids, false);
  merge_dir(t, t->pair_dir, rt_reg.pair_ids, true);
  rt_add_relaxed(&rt_reg.allocs, sums[0]);
  rt_add_relaxed(&rt_reg.alloc_bytes, sums[1]);
  rt_add_relaxed(&rt_reg.frees, sums[2]);
  rt_add_relaxed(&rt_reg.freed_bytes, sums[3]);
  rt_add_relaxed(&rt_reg.failed_allocs, t->failed_allocs);
  if (t->prev) t->prev->next = t->next;
  else rt_reg.live = t->next;
  if (t->next) t->next->prev = t->prev;
  rt_reg.threads--;
  t->next = rt_reg.free_states;
  rt_reg.free_states = t;
  rt_registry_unlock();
  rt_self = &rt_thread_gone;
}

/* ---- deferred frees of other threads ---------------------------------------
 * A thread's deferred frees (alloc.c) are its own until it frees again; one
 * that went idle would hold them forever, and a dump would count them as
 * live. The exit dump, rtprof_dump(), an error's dump and the stats calls
 * therefore take them over (the sampler's periodic dumps do not: see
 * internal.h). The owner marks its ring section
 * with plain stores (deferring = 1, then a look at defer_stop); the taker
 * sets defer_stop and issues membarrier(), which puts a full barrier on every
 * CPU running this process, so afterwards either the owner is seen inside
 * its section (and the taker waits for it to leave) or the owner's next
 * section sees defer_stop and frees at once: the ring is never touched by
 * both. The owner's fast path pays no atomic instruction for this. */
#include <linux/membarrier.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

bool rt_defer_on;

/* At start-up: deferred frees are used only when the kernel can make the
 * taker's barrier (and never under ThreadSanitizer, which cannot see it). */
void rt_defer_init(void) {
#ifndef RT_TSAN
  rt_defer_on = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
#endif
}

#define RT_TAKE_BATCH 64 /* blocks taken per pass; freed outside the registry lock */
#define RT_TAKE_SPINS 100000 /* a taker waits this many yields for an owner's section */

static bool ring_empty(const rt_thread_t *t) {
  for (int i = 0; i < RT_DEFER; i++)
    if (rt_load_relaxed(&t->defer_block[i]) != NULL) return false;
  return true;
}

void rt_defer_take_all(void) {
  static int taking; /* one taker at a time; an error dump inside one does not recurse */
  if (!rt_defer_on || __atomic_exchange_n(&taking, 1, __ATOMIC_ACQUIRE)) return;
  rt_thread_t *self = rt_self;
  if (!self->is_sentinel) rt_defer_drain(self);
  /* In passes of at most RT_TAKE_BATCH blocks, freed outside the lock (a
   * bad one is reported, which may write a dump); a thread found inside
   * its section is running, not idle, and is left to settle its own. */
  for (int pass = 0, taken = 1; taken > 0 && pass < 1024; pass++) {
    void *blocks[RT_TAKE_BATCH];
    uintptr_t ras[RT_TAKE_BATCH];
    int n = 0, stopped = 0;
    rt_registry_lock();
    for (rt_thread_t *t = rt_reg.live; t && (stopped + 1) * RT_DEFER <= RT_TAKE_BATCH; t = t->next)
      if (t != self && !ring_empty(t)) rt_store_relaxed(&t->defer_stop, 1), stopped++;
    bool fenced = stopped > 0 && syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0;
    for (rt_thread_t *t = rt_reg.live; t && stopped > 0; t = t->next) {
      if (!rt_load_relaxed(&t->defer_stop)) continue;
      for (int spins = 0; fenced && rt_load_acquire(&t->deferring) && spins < RT_TAKE_SPINS; spins++) sched_yield();
      if (fenced && !rt_load_acquire(&t->deferring))
        for (int i = 0; i < RT_DEFER; i++) {
          void *p = rt_load_relaxed(&t->defer_block[i]);
          if (p == NULL) continue;
          blocks[n] = p, ras[n] = rt_load_relaxed(&t->defer_ra[i]), n++;
          rt_store_relaxed(&t->defer_block[i], NULL);
        }
      rt_store_release(&t->defer_stop, 0);
      stopped--;
    }
    rt_registry_unlock();
    for (int i = 0; i < n; i++) rt_profiled_free(blocks[i], ras[i]);
    taken = n;
  }
  __atomic_store_n(&taking, 0, __ATOMIC_RELEASE);
}

/* In a child after fork(): the other threads are gone, their deferred frees
 * are the child's to do (nothing runs beside it now), and so are its own
 * when it cannot register for membarrier again. */
void rt_defer_fork_child(void) {
  rt_thread_t *self = rt_self;
  rt_defer_init();
  for (rt_thread_t *t = rt_reg.live; t; t = t->next) {
    if (t == self && rt_defer_on) continue;
    for (int i = 0; i < RT_DEFER; i++) {
      void *p = t->defer_block[i];
      t->defer_block[i] = NULL;
      if (p != NULL) rt_profiled_free(p, t->defer_ra[i]);
    }
  }
  if (!self->is_sentinel) self->deferring = !rt_defer_on;
}
