/* What was live at the process's peak, and which sites grow. The peak's
 * composition (live bytes by site and by flat phase) is captured by the
 * thread whose publish (alloc/threads.c, once per 64 KiB of net change)
 * carries live bytes past a trigger: the last captured peak plus a step that
 * grows with the tables' size, so a run that keeps climbing copies the
 * counters at most once per step, never per allocation. Also here: the top
 * sites of a timeline snapshot, and each phase's pairs at the end of its
 * first call (the baseline of "bytes per call"). Format: docs/dump-format.md. */
#include <sched.h>
#include <string.h>

#include "internal.h"

#define RT_PEAK_STEP_MIN (64 << 10)   /* never capture more often than a publish */
#define RT_PEAK_STEP_MAX (512 << 10)  /* ... nor let the capture trail by more than */
#define RT_PEAK_STEP_DIV 64           /* ... this, or 1/64 of the peak when larger */
#define RT_PEAK_BYTES_PER_SLOT 32     /* a capture reading N slots waits for N*32 bytes of growth */

static struct {
  pthread_mutex_t lock;       /* only ever try-locked by capturing threads */
  int64_t *cur_site, *best_site;   /* [site id] live bytes; swapped, never copied */
  int64_t *cur_phase, *best_phase; /* [phase id] live bytes, flat */
  uint64_t *pair_first;       /* [pair id] live bytes at the end of its phase's first call */
  uint32_t site_ids, phase_ids, pair_ids;
  rt_peak_t best;             /* the figures of the best capture (lock) */
  int64_t trigger;            /* published live bytes that ask for a capture (atomic) */
  uint64_t captures;          /* captures taken, for the docs' cost figures (atomic) */
  int again;                  /* a capture was asked for while one ran (atomic) */
  bool ready;                 /* set once at init: the buffers are mapped */
} rt_pk = {.lock = PTHREAD_MUTEX_INITIALIZER};

bool rt_peak_init(void) {
  rt_pk.site_ids = rt_options.sites + 1;
  rt_pk.phase_ids = rt_options.phases;
  rt_pk.pair_ids = rt_options.phases + rt_options.pairs;
  /* Mapped now, touched only as far as ids are handed out. */
  size_t sites = (size_t)rt_pk.site_ids * sizeof(int64_t), phases = (size_t)rt_pk.phase_ids * sizeof(int64_t);
  rt_pk.cur_site = rt_os_alloc(sites);
  rt_pk.best_site = rt_os_alloc(sites);
  rt_pk.cur_phase = rt_os_alloc(phases);
  rt_pk.best_phase = rt_os_alloc(phases);
  rt_pk.pair_first = rt_os_alloc((size_t)rt_pk.pair_ids * sizeof(uint64_t));
  rt_pk.ready = rt_pk.cur_site && rt_pk.best_site && rt_pk.cur_phase && rt_pk.best_phase && rt_pk.pair_first;
  return rt_pk.ready;
}

int64_t rt_peak_trigger(void) { return rt_load_relaxed(&rt_pk.trigger); }

static int64_t slot_live(const rt_counts_t *s) { return (int64_t)(s->alloc_bytes - s->freed_bytes); }

/* The next trigger: above the best capture by a step that pays for the
 * capture (each slot read is paid by 32 bytes of net growth) but never
 * exceeds max(1/64 of the peak, 512 KiB), so the captured peak stays within
 * max(2%, 1 MiB) of the true one (DESIGN.md), unpublished bytes included. */
static void arm(int64_t best, uint64_t slots) {
  int64_t step = (int64_t)(slots * RT_PEAK_BYTES_PER_SLOT);
  int64_t cap = best / RT_PEAK_STEP_DIV > RT_PEAK_STEP_MAX ? best / RT_PEAK_STEP_DIV : RT_PEAK_STEP_MAX;
  if (step > cap) step = cap;
  if (step < RT_PEAK_STEP_MIN) step = RT_PEAK_STEP_MIN;
  rt_store_relaxed(&rt_pk.trigger, best + step);
}

/* Sums every site and every pair (into its phase) over all threads; when
 * the sum beats the best capture, the two buffers swap. Holds rt_pk.lock,
 * not the registry lock. */
static void capture_locked(void) {
  rt_registry_lock();
  uint32_t nsites = rt_site_count(), npairs = rt_pair_count(), nphases = rt_phase_count() + 1;
  if (nphases > rt_pk.phase_ids) nphases = rt_pk.phase_ids;
  int64_t total = 0, blocks = 0;
  rt_counts_t s;
  for (uint32_t id = 0; id < nsites; id++) {
    rt_slot_sum(false, id, &s);
    int64_t live = slot_live(&s);
    if (live < 0) live = 0; /* a free counted before its allocation, on another thread */
    rt_pk.cur_site[id] = live;
    total += live;
    blocks += (int64_t)(s.allocs - s.frees);
  }
  memset(rt_pk.cur_phase, 0, nphases * sizeof *rt_pk.cur_phase);
  /* pair ids: P < rt_options.phases is phase P's overflow row (only those
   * of phases in use), the rest are handed out from rt_options.phases on */
  for (uint32_t id = 1; nphases > 1 && id < npairs; id++) {
    if (id == nphases && id < rt_options.phases) id = rt_options.phases;
    if (id >= npairs) break;
    uint32_t phase, site;
    rt_pair_key(id, &phase, &site);
    if (phase == 0 || phase >= nphases) continue;
    rt_slot_sum(true, id, &s);
    rt_pk.cur_phase[phase] += slot_live(&s);
  }
  uint64_t pairs_used = npairs > rt_options.phases ? npairs - rt_options.phases + nphases : nphases;
  uint64_t slots = (uint64_t)(nsites + pairs_used) * (rt_registry_threads() + 1);
  rt_registry_unlock();
  rt_add_relaxed(&rt_pk.captures, 1);
  if (total > (int64_t)rt_pk.best.live_bytes || !rt_pk.best.taken) {
    int64_t *x = rt_pk.best_site;
    rt_pk.best_site = rt_pk.cur_site, rt_pk.cur_site = x;
    x = rt_pk.best_phase;
    rt_pk.best_phase = rt_pk.cur_phase, rt_pk.cur_phase = x;
    rt_alloc_stats_t st;
    rt_stats_read(&st);
    rt_pk.best = (rt_peak_t){
        .taken = true,
        .live_bytes = (uint64_t)total,
        .live_blocks = blocks > 0 ? (uint64_t)blocks : 0,
        .t_ns = rt_now_ns() - rt_snapshot_t0_ns(),
        .committed = st.committed_bytes,
        .rss = st.rss_bytes,
        .overhead = rt_load_relaxed(&rt_os_bytes) + (blocks > 0 ? (uint64_t)blocks : 0) * RT_TAG_SIZE,
        .phase = rt_load_relaxed(&rt_last_phase),
        .nsites = nsites,
        .nphases = nphases,
    };
  }
  arm((int64_t)rt_pk.best.live_bytes, slots);
}

/* A thread that finds another capturing leaves it a request: the capturing
 * thread looks again once done (it checks after unlocking, the requester
 * asks before trying), so the last climb before a peak is never lost. */
void rt_peak_capture(void) {
  if (!rt_pk.ready) return;
  __atomic_store_n(&rt_pk.again, 1, __ATOMIC_SEQ_CST);
  while (__atomic_exchange_n(&rt_pk.again, 0, __ATOMIC_SEQ_CST)) {
    if (pthread_mutex_trylock(&rt_pk.lock) != 0) {
      __atomic_store_n(&rt_pk.again, 1, __ATOMIC_SEQ_CST);
      if (pthread_mutex_trylock(&rt_pk.lock) != 0) return; /* its holder will see the request */
    }
    capture_locked();
    pthread_mutex_unlock(&rt_pk.lock);
  }
}

/* The lock, waiting briefly for a thread inside a capture; a signal
 * handler that dumps in the middle of its own thread's capture gets no
 * peak rather than a deadlock. */
static bool lock_briefly(void) {
  for (int tries = 0; pthread_mutex_trylock(&rt_pk.lock) != 0; tries++) {
    if (tries > 2000) return false;
    sched_yield();
  }
  return true;
}

/* The dump's look at the present, before it writes its sites: the present
 * becomes the peak when it beats the best capture (a program whose peak is
 * at exit, or below the first trigger). */
void rt_peak_capture_now(void) {
  if (!rt_pk.ready || rt_registry_held() || !lock_briefly()) return;
  capture_locked();
  pthread_mutex_unlock(&rt_pk.lock);
}

bool rt_peak_read(rt_peak_view_fn fn, void *ctx) {
  if (!rt_pk.ready || !lock_briefly()) return false;
  bool taken = rt_pk.best.taken;
  if (taken) fn(ctx, &rt_pk.best, rt_pk.best_site, rt_pk.best_phase);
  pthread_mutex_unlock(&rt_pk.lock);
  return taken;
}

uint64_t rt_peak_captures(void) { return rt_load_relaxed(&rt_pk.captures); }

void rt_peak_fork(rt_fork_stage_t stage) {
  if (!rt_pk.ready) return;
  if (stage == RT_FORK_PREPARE) pthread_mutex_lock(&rt_pk.lock);
  else if (stage == RT_FORK_PARENT) pthread_mutex_unlock(&rt_pk.lock);
  else pthread_mutex_init(&rt_pk.lock, NULL);
}

/* ---- top sites of a snapshot ---------------------------------------------- */

uint32_t rt_top_sites(uint32_t *ids, uint64_t *live, uint32_t k) {
  uint32_t n = 0;
  rt_counts_t s;
  rt_registry_lock();
  uint32_t nsites = rt_site_count();
  for (uint32_t id = 0; id < nsites; id++) {
    rt_slot_sum(false, id, &s);
    int64_t v = slot_live(&s);
    if (v <= 0 || (n == k && (uint64_t)v <= live[k - 1])) continue;
    uint32_t i = n < k ? n++ : k - 1; /* insertion into the sorted top k */
    while (i > 0 && live[i - 1] < (uint64_t)v) ids[i] = ids[i - 1], live[i] = live[i - 1], i--;
    ids[i] = id, live[i] = (uint64_t)v;
  }
  rt_registry_unlock();
  return n;
}

/* ---- a phase's pairs at the end of its first call --------------------------- */

void rt_phase_first_call_end(uint32_t phase) {
  if (rt_pk.pair_first == NULL || rt_registry_held()) return;
  rt_counts_t s;
  rt_registry_lock();
  uint32_t npairs = rt_pair_count();
  for (uint32_t id = 1; id < npairs; id++) {
    uint32_t ph, site;
    rt_pair_key(id, &ph, &site);
    if (ph != phase) continue;
    rt_slot_sum(true, id, &s);
    int64_t v = slot_live(&s);
    rt_store_relaxed(&rt_pk.pair_first[id], v > 0 ? (uint64_t)v : 0);
  }
  rt_registry_unlock();
}

uint64_t rt_pair_first_live(uint32_t pair) {
  return rt_pk.pair_first && pair < rt_pk.pair_ids ? rt_load_relaxed(&rt_pk.pair_first[pair]) : 0;
}
