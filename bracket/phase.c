/* Phase brackets: a per-thread stack of open phases, and a bounded table of
 * phases identified by (parent, name), i.e. by path. Each end adds the
 * call's committed and live deltas and wall time to its phase. Allocations
 * inside a phase are counted by alloc/ under the (phase, site) pair. */
#include <string.h>

#include "../alloc/internal.h"
#include "rtprof-dump.h"

#define RT_PHASE_NAME (RTPROF_DUMP_MAX_PHASE_NAME + 1) /* bytes kept of a name, NUL included */

typedef struct rt_phase_s {
  uint32_t parent;            /* set once under the registry lock */
  char name[RT_PHASE_NAME];
  /* Updated with atomics when a call ends (calls, not allocations). */
  uint64_t calls, open, wall_ns;
  int64_t committed_delta, committed_delta_max, live_delta;
  int64_t blocks_delta;
} rt_phase_t;

static struct {
  rt_phase_t *table;          /* [id], id 1..capacity-1; mapped at init */
  uint32_t capacity;          /* rt_options.phases */
  uint32_t next;              /* next id to hand out (registry lock) */
  uint32_t overflow_id;       /* capacity - 1: "(overflow)", once the rest is used */
  bool overflow_used;
  rt_phase_warnings_t warnings; /* atomic counters */
} rt_ph;

bool rt_phases_init(void) {
  rt_ph.capacity = rt_options.phases;
  rt_ph.table = rt_os_alloc((size_t)rt_ph.capacity * sizeof(rt_phase_t));
  rt_ph.next = 1;
  rt_ph.overflow_id = rt_ph.capacity - 1;
  return rt_ph.table != NULL;
}

/* Finds or adds (parent, name). Phases are begun per call, not per
 * allocation: a scan under the lock is enough (measured in docs/guide.md). */
/* A phase's name as it is kept: at most RT_PHASE_NAME - 1 bytes, with '/'
 * (the separator of nested phases in every path) written as "%2F", so a
 * phase "a/b" never merges with "b" nested in "a". */
static void phase_name_copy(char out[RT_PHASE_NAME], const char *name) {
  size_t o = 0;
  for (; *name; name++) {
    size_t need = *name == '/' ? 3 : 1;
    if (o + need > RT_PHASE_NAME - 1) break;
    if (*name == '/') memcpy(out + o, "%2F", 3);
    else out[o] = *name;
    o += need;
  }
  out[o] = '\0';
}

static uint32_t phase_intern(uint32_t parent, const char *raw) {
  char name[RT_PHASE_NAME];
  rt_registry_lock();
  phase_name_copy(name, raw); /* read under the lock: tests/e2e/t_signal_phase.sh lands a signal here */
  uint32_t id = 0;
  for (uint32_t i = 1; i < rt_ph.next; i++) {
    rt_phase_t *p = &rt_ph.table[i];
    if (p->parent == parent && strncmp(p->name, name, RT_PHASE_NAME - 1) == 0) {
      id = i;
      break;
    }
  }
  if (id == 0 && rt_ph.next < rt_ph.overflow_id) {
    id = rt_ph.next;
    rt_phase_t *p = &rt_ph.table[id];
    p->parent = parent;
    memcpy(p->name, name, sizeof p->name); /* NUL-terminated by phase_name_copy */
    rt_store_release(&rt_ph.next, id + 1);
  } else if (id == 0) {
    id = rt_ph.overflow_id;
    if (!rt_ph.overflow_used) {
      rt_ph.overflow_used = true;
      strcpy(rt_ph.table[id].name, "(overflow)");
      rt_warn("more than %u phases: the rest are counted as '(overflow)' (raise RTPROF_PHASES)",
              rt_ph.capacity - 2);
    }
  }
  rt_registry_unlock();
  return id;
}

static void path_of(uint32_t id, char *buf, size_t cap) {
  uint32_t chain[RT_PHASE_STACK];
  int n = 0;
  for (uint32_t i = id; i != 0 && n < RT_PHASE_STACK; i = rt_ph.table[i].parent) chain[n++] = i;
  size_t o = 0;
  buf[0] = '\0';
  while (n-- > 0 && o + 2 < cap)
    o += (size_t)rt_format(buf + o, cap - o, "%s%s", o ? "/" : "", rt_ph.table[chain[n]].name);
}

static void warn_once(uint64_t *counter, const char *what, uint32_t phase) {
  if (rt_add_relaxed(counter, 1) != 0) return;
  char path[512] = "";
  if (phase) path_of(phase, path, sizeof path);
  rt_warn("%s%s%s (reported once; the dump counts every case)", what, phase ? ": " : "", path);
}

RT_EXPORT int rtprof_phase_begin(const char *name) {
  if (rt_mode != RT_MODE_ON) return 0;
  rt_thread_t *t = rt_thread_start();
  if (t->is_sentinel) return 0;
  uint32_t depth = t->phase_depth + 1;
  t->phase_depth = depth;
  if (depth > RT_PHASE_STACK) {
    warn_once(&rt_ph.warnings.depth_exceeded, "phases nested deeper than 64 are not recorded; inside",
              t->phase);
    return (int)depth;
  }
  uint32_t id = phase_intern(t->phase, name ? name : "(null)");
  rt_phase_frame_t *f = &t->phase_stack[depth - 1];
  f->id = id;
  f->committed_begin = (int64_t)rt_committed_now(NULL);
  rt_totals_t tot;
  rt_totals_read(&tot);
  f->live_begin = (int64_t)(tot.alloc_bytes - tot.freed_bytes);
  f->blocks_begin = (int64_t)(tot.allocs - tot.frees);
  f->t0_ns = rt_now_ns();
  rt_add_relaxed(&rt_ph.table[id].open, 1);
  t->phase = id;
  rt_detour_changed(t);
  rt_store_relaxed(&rt_last_phase, id);
  rt_snapshot_peak_check((uint64_t)f->committed_begin);
  return (int)depth;
}

static void close_top(rt_thread_t *t) {
  uint32_t depth = t->phase_depth;
  if (depth <= RT_PHASE_STACK) {
    rt_phase_frame_t *f = &t->phase_stack[depth - 1];
    rt_phase_t *p = &rt_ph.table[f->id];
    uint64_t committed_now = rt_committed_now(NULL);
    rt_snapshot_peak_check(committed_now);
    int64_t committed = (int64_t)committed_now - f->committed_begin;
    rt_totals_t tot;
    rt_totals_read(&tot);
    int64_t live = (int64_t)(tot.alloc_bytes - tot.freed_bytes) - f->live_begin;
    rt_add_relaxed(&p->blocks_delta, (int64_t)(tot.allocs - tot.frees) - f->blocks_begin);
    bool first = rt_add_relaxed(&p->calls, 1) == 0;
    __atomic_fetch_sub(&p->open, 1, __ATOMIC_RELAXED);
    if (first) rt_phase_first_call_end(f->id); /* the baseline of bytes per call */
    rt_add_relaxed(&p->committed_delta, committed);
    rt_add_relaxed(&p->live_delta, live);
    rt_add_relaxed(&p->wall_ns, rt_now_ns() - f->t0_ns);
    int64_t max = rt_load_relaxed(&p->committed_delta_max);
    while ((committed > max || rt_load_relaxed(&p->calls) == 1) &&
           !__atomic_compare_exchange_n(&p->committed_delta_max, &max, committed, true,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
  }
  t->phase_depth = --depth;
  if (depth == 0) t->phase = 0;
  else if (depth <= RT_PHASE_STACK) t->phase = t->phase_stack[depth - 1].id;
  rt_detour_changed(t);
  rt_store_relaxed(&rt_last_phase, t->phase);
}

RT_EXPORT void rtprof_phase_end(void) {
  if (rt_mode != RT_MODE_ON) return;
  rt_thread_t *t = rt_thread_start();
  if (t->is_sentinel) return;
  if (t->phase_depth == 0) {
    warn_once(&rt_ph.warnings.end_without_begin, "PROFILE_PHASE_END without a matching BEGIN", 0);
    return;
  }
  close_top(t);
}

/* Ends the scoped phase that returned `token`. Phases opened inside it with
 * PROFILE_PHASE_BEGIN and never ended are closed with it, and reported. */
RT_EXPORT void rtprof_phase_end_token(int token) {
  if (rt_mode != RT_MODE_ON || token <= 0) return;
  rt_thread_t *t = rt_thread_start();
  if (t->is_sentinel) return;
  if ((uint32_t)token > t->phase_depth) {
    warn_once(&rt_ph.warnings.token_mismatch,
              "a scoped PROFILE_PHASE ended after an extra PROFILE_PHASE_END closed it", 0);
    return;
  }
  while (t->phase_depth > (uint32_t)token) {
    warn_once(&rt_ph.warnings.token_mismatch,
              "PROFILE_PHASE_BEGIN without END inside a scoped phase; closed with it",
              t->phase);
    close_top(t);
  }
  close_top(t);
}

void rt_phase_thread_exit(rt_thread_t *t) {
  if (t->phase_depth == 0) return;
  warn_once(&rt_ph.warnings.open_at_exit, "a thread exited with phases still open, innermost",
            t->phase);
}

void rt_phase_note_open_at_exit(void) {
  rt_thread_t *t = rt_self;
  if (t->is_sentinel || t->phase_depth == 0) return;
  warn_once(&rt_ph.warnings.open_at_exit, "the program exited with phases still open, innermost",
            t->phase);
}

void rt_phase_warnings(rt_phase_warnings_t *out) {
  out->end_without_begin = rt_load_relaxed(&rt_ph.warnings.end_without_begin);
  out->depth_exceeded = rt_load_relaxed(&rt_ph.warnings.depth_exceeded);
  out->token_mismatch = rt_load_relaxed(&rt_ph.warnings.token_mismatch);
  out->open_at_exit = rt_load_relaxed(&rt_ph.warnings.open_at_exit);
}

uint32_t rt_phase_count(void) {
  if (rt_ph.table == NULL) return 0;
  return rt_ph.overflow_used ? rt_ph.overflow_id : rt_load_acquire(&rt_ph.next) - 1;
}

bool rt_phase_info(uint32_t id, rt_phase_info_t *out) {
  if (id == 0 || id > rt_phase_count()) return false;
  if (id >= rt_load_acquire(&rt_ph.next) && !(id == rt_ph.overflow_id && rt_ph.overflow_used))
    return false;
  rt_phase_t *p = &rt_ph.table[id];
  *out = (rt_phase_info_t){
      .parent = p->parent,
      .name = p->name,
      .calls = rt_load_relaxed(&p->calls),
      .open = rt_load_relaxed(&p->open),
      .committed_delta = rt_load_relaxed(&p->committed_delta),
      .committed_delta_max = rt_load_relaxed(&p->committed_delta_max),
      .live_delta = rt_load_relaxed(&p->live_delta),
      .blocks_delta = rt_load_relaxed(&p->blocks_delta),
      .wall_ns = rt_load_relaxed(&p->wall_ns),
  };
  return true;
}
