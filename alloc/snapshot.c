/* The timeline and the dump that survives a kill. A background thread takes
 * a snapshot (committed, live, RSS, current phase) every RTPROF_INTERVAL ms
 * into a bounded ring, and rewrites the dump every RTPROF_FLUSH ms (tmp file
 * + rename), so a process killed by SIGKILL or the OOM killer leaves a
 * complete dump at most that old. It also rewrites it, rate-limited, as soon
 * as live bytes pass the last dumped peak by a margin (the allocating thread
 * only wakes it), so a runaway's peak is in the dump. Peaks and
 * rtprof_snapshot() add points. Each point also holds the live bytes of the
 * RT_SNAP_TOP sites that hold the most, for the growth of sites over time. */
#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

typedef struct rt_snap_s {
  uint64_t t_ns, committed, live, rss;
  uint32_t phase;
  uint8_t kind;               /* rt_snap_kind_t */
  uint8_t ntop;               /* sites in top[] */
  char label[46];
  uint32_t top_site[RT_SNAP_TOP];  /* the sites holding the most live bytes, */
  uint64_t top_live[RT_SNAP_TOP];  /* largest first (alloc/peak.c) */
} rt_snap_t;

static struct {
  pthread_mutex_t lock;       /* guards the ring and the fields below it */
  rt_snap_t *ring;            /* capacity rt_options.snapshots, oldest first */
  uint32_t n;
  uint64_t interval_ms;       /* current sampling step (doubles on decimation) */
  uint64_t last_peak;         /* committed at the last peak snapshot */
  uint64_t t0_ns;             /* CLOCK_MONOTONIC when profiling started */
  bool sampler_running;
  pthread_t sampler;
} rt_snaps = {.lock = PTHREAD_MUTEX_INITIALIZER};

uint32_t rt_last_phase; /* innermost phase of the last phase event (relaxed) */

#define RT_PEAK_STEP (1 << 20) /* a new committed peak is a point once it grows by 1 MiB */

static uint64_t rss_bytes(void) {
  rt_alloc_stats_t s;
  rt_stats_read(&s);
  return s.rss_bytes;
}

/* Drops every other interval point, keeping labelled, peak and exit points,
 * and doubles the step: the whole run stays covered. Lock held. */
static void decimate(void) {
  uint32_t o = 0, seen = 0;
  for (uint32_t i = 0; i < rt_snaps.n; i++) {
    rt_snap_t *s = &rt_snaps.ring[i];
    if (s->kind == RT_SNAP_INTERVAL && (seen++ & 1)) continue;
    rt_snaps.ring[o++] = *s;
  }
  if (o == rt_snaps.n) o = rt_snaps.n / 2; /* only labels: keep the older half */
  rt_snaps.n = o;
  rt_snaps.interval_ms *= 2;
}

void rt_snapshot_take(rt_snap_kind_t kind, const char *label, uint64_t committed) {
  if (rt_snaps.ring == NULL) return;
  int64_t live = rt_live_bytes_now();
  rt_snap_t s = {
      .committed = committed,
      .live = live > 0 ? (uint64_t)live : 0,
      .rss = rss_bytes(),
      .phase = rt_load_relaxed(&rt_last_phase),
      .kind = (uint8_t)kind,
  };
  s.ntop = (uint8_t)rt_top_sites(s.top_site, s.top_live, RT_SNAP_TOP);
  if (label) {
    size_t n = strlen(label);
    if (n >= sizeof s.label) n = sizeof s.label - 1;
    memcpy(s.label, label, n);
  }
  pthread_mutex_lock(&rt_snaps.lock);
  s.t_ns = rt_now_ns() - rt_snaps.t0_ns; /* under the lock: the ring stays in time order */
  if (rt_snaps.n == rt_options.snapshots) decimate();
  rt_snaps.ring[rt_snaps.n++] = s;
  if (committed > rt_snaps.last_peak) rt_store_relaxed(&rt_snaps.last_peak, committed);
  pthread_mutex_unlock(&rt_snaps.lock);
}

void rt_snapshot_peak_check(uint64_t committed) {
  if (rt_snaps.ring == NULL ||
      committed < rt_load_relaxed(&rt_snaps.last_peak) + RT_PEAK_STEP)
    return;
  rt_snapshot_take(RT_SNAP_PEAK, NULL, committed);
}

RT_EXPORT void rtprof_snapshot(const char *label) {
  if (rt_mode != RT_MODE_ON) return;
  rt_snapshot_take(RT_SNAP_LABEL, label ? label : "", rt_committed_now(NULL));
}

uint32_t rt_snapshots_read(rt_snapshot_view_fn fn, rt_snapshot_top_fn top, void *ctx) {
  if (rt_snaps.ring == NULL) return 0;
  pthread_mutex_lock(&rt_snaps.lock);
  uint32_t n = rt_snaps.n;
  for (uint32_t i = 0; i < n; i++) {
    const rt_snap_t *s = &rt_snaps.ring[i];
    fn(ctx, s->t_ns, s->committed, s->live, s->rss, s->phase, (rt_snap_kind_t)s->kind,
       s->label[0] ? s->label : NULL);
    if (top && s->ntop) top(ctx, s->top_site, s->top_live, s->ntop);
  }
  pthread_mutex_unlock(&rt_snaps.lock);
  return n;
}

uint64_t rt_snapshot_t0_ns(void) { return rt_snaps.t0_ns; }

uint64_t rt_snapshot_interval_ms(void) { return rt_snaps.ring ? rt_load_relaxed(&rt_snaps.interval_ms) : 0; }

/* ---- growth: live bytes past the last dumped peak wake the sampler ------ */

#define RT_GROWTH_GAP_NS (40 * 1000000ull) /* growth dumps at most every 40 ms */
int64_t rt_flush_trigger = INT64_MAX;       /* live peak that asks for a dump (relaxed) */
static uint32_t rt_sampler_wake;            /* futex word: 1 = a dump is asked for */

/* From rt_publish_pending, i.e. at most once per 64 KiB a thread allocates:
 * never blocks, one syscall when the sampler was not already woken. */
void rt_flush_request(void) {
  if (__atomic_exchange_n(&rt_sampler_wake, 1, __ATOMIC_RELAXED) == 0)
    syscall(SYS_futex, &rt_sampler_wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* The next dump is asked for once the live peak passes the one being dumped
 * by 1/16 and 64 KiB: the peak on disk trails the process's by at most that
 * margin plus what one rate-limit gap and one dump let it grow. */
static void arm_growth_trigger(void) {
  rt_totals_t t;
  rt_totals_read(&t);
  int64_t peak = (int64_t)t.peak_live;
  rt_store_relaxed(&rt_flush_trigger, peak + peak / 16 + (64 << 10));
}

/* Sleeps until `deadline` (CLOCK_MONOTONIC ns), or until woken while no
 * dump is asked for. (Once one is, the word stays 1 until the dump, so the
 * allocating threads make no more wake-up calls meanwhile.) */
static void wait_until(uint64_t deadline) {
  uint64_t now = rt_now_ns();
  if (now >= deadline) return;
  uint64_t ns = deadline - now;
  struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
  if (rt_load_relaxed(&rt_sampler_wake) == 0)
    syscall(SYS_futex, &rt_sampler_wake, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
  else
    nanosleep(&ts, NULL);
}

static uint64_t thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The sampler, scheduled by deadlines (a snapshot every interval, a dump
 * every flush period, measured from the previous deadline, not from the end
 * of the previous dump), and woken early by growth. A slow dump (very large
 * tables) stretches the next wait so dumping stays under about 10% of a
 * core (20% while growth asks for dumps). */
static void *sampler_main(void *arg) {
  /* A first dump at once, so a kill at any moment leaves one; but not in a
   * forked child, which often execs at once (it would leave a stray dump). */
  const uint64_t ms = 1000000u, flush_ns = (uint64_t)rt_options.flush_ms * ms;
  uint64_t now = rt_now_ns(), next_flush = now, last_flush = 0, took = 0;
  uint64_t next_sample = now + rt_load_relaxed(&rt_snaps.interval_ms) * ms;
  if (arg != NULL) next_flush += flush_ns;
  for (;;) {
    bool growth = rt_load_relaxed(&rt_sampler_wake) != 0; /* may have come during the last dump */
    uint64_t step = rt_load_relaxed(&rt_snaps.interval_ms) * ms;
    uint64_t deadline = now + 1000 * ms;
    if (flush_ns && next_flush < deadline) deadline = next_flush;
    if (step && next_sample < deadline) deadline = next_sample;
    if (growth && last_flush + RT_GROWTH_GAP_NS + 4 * took < deadline)
      deadline = last_flush + RT_GROWTH_GAP_NS + 4 * took;
    wait_until(deadline);
    growth = rt_load_relaxed(&rt_sampler_wake) != 0;
    now = rt_now_ns();
    uint64_t committed = rt_committed_now(NULL);
    if (step && now >= next_sample) {
      rt_snapshot_take(RT_SNAP_INTERVAL, NULL, committed);
      next_sample += step;
      if (next_sample <= now) next_sample = now + step;
    }
    rt_snapshot_peak_check(committed);
    bool growth_due = growth && now >= last_flush + RT_GROWTH_GAP_NS + 4 * took;
    if (flush_ns && (now >= next_flush || growth_due)) {
      arm_growth_trigger(); /* before: growth during the write asks again */
      rt_store_relaxed(&rt_sampler_wake, 0);
      char path[sizeof rt_options.out + 32];
      rt_dump_path(path, sizeof path);
      uint64_t cpu = thread_cpu_ns();
      rt_dump_write(path, "flush");
      took = thread_cpu_ns() - cpu; /* CPU, not wall time: a loaded machine must not slow the dumps */
      last_flush = now;
      now = rt_now_ns();
      if (now >= next_flush) {
        next_flush += flush_ns;
        if (next_flush <= now) next_flush = now + flush_ns;
        if (next_flush < now + 10 * took) next_flush = now + 10 * took;
      }
    }
  }
  return NULL;
}

static void start_sampler(bool in_child) {
  if (rt_options.interval_ms == 0 && rt_options.flush_ms == 0) return;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  rt_internal_enter(); /* the new thread's TLS and stack bookkeeping are ours, not the program's */
  rt_snaps.sampler_running =
      pthread_create(&rt_snaps.sampler, &attr, sampler_main, in_child ? (void *)1 : NULL) == 0;
  rt_internal_leave();
  pthread_attr_destroy(&attr);
  if (!rt_snaps.sampler_running)
    rt_warn("cannot start the sampling thread; no timeline and no periodic dump");
}

bool rt_snapshots_init(void) {
  rt_snaps.t0_ns = rt_now_ns();
  rt_snaps.interval_ms = rt_options.interval_ms;
  rt_snaps.ring = rt_os_alloc((size_t)rt_options.snapshots * sizeof(rt_snap_t));
  return rt_snaps.ring != NULL;
}

/* Called from the constructor (never from inside malloc: creating a thread
 * allocates), and in a forked child, where the parent's thread is gone. */
void rt_snapshots_start(void) {
  if (rt_mode == RT_MODE_ON && !rt_snaps.sampler_running) start_sampler(false);
}

void rt_snapshots_fork(rt_fork_stage_t stage) {
  if (stage == RT_FORK_PREPARE) pthread_mutex_lock(&rt_snaps.lock);
  else if (stage == RT_FORK_PARENT) pthread_mutex_unlock(&rt_snaps.lock);
  else {
    pthread_mutex_init(&rt_snaps.lock, NULL);
    rt_snaps.sampler_running = false;
    rt_sampler_wake = 0; /* the parent's request: a child that execs at once must leave no dump */
    if (rt_mode == RT_MODE_ON) start_sampler(true);
  }
}
