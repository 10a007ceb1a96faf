/* Memory over time, in the model: what was live at the process's peak (by
 * site and by flat phase, from the dump's `peak` records), which sites grow
 * (across the calls of a phase, from `pair_first`; across the run, from the
 * snapshots' top sites), and where RSS goes (live, slack, rtprof's own, the
 * rest). Definitions: docs/report.md, "Memory". */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

/* Several dumps are several processes: their peaks do not add up. The peak
 * shown is the one of the dump with the highest peak, as totals.peak_live_bytes
 * is the highest of the dumps'. */
void rtprof_model_peak(rtprof_model_t *m, const long *const *smaps, const long *const *pmaps) {
  long best = -1;
  for (size_t di = 0; di < m->ndumps; di++)
    if (m->dumps[di].peak.present && (best < 0 || m->dumps[di].peak.live_bytes > m->dumps[best].peak.live_bytes))
      best = (long)di;
  if (best < 0) return;
  const rtprof_dump_t *d = &m->dumps[best];
  rtprof_mpeak_t *p = &m->peak;
  p->present = true;
  p->dump = (size_t)best;
  p->live_bytes = d->peak.live_bytes;
  p->live_blocks = d->peak.live_blocks;
  p->t_ns = d->peak.t_ns;
  p->committed = d->peak.committed;
  p->rss = d->peak.rss;
  p->overhead = d->peak.overhead;
  p->phase = d->peak.phase ? pmaps[best][rtprof_dump_find_phase(d, d->peak.phase)] : -1;
  for (size_t i = 0; i < d->npeak_sites; i++) {
    const rtprof_id_bytes_t *e = &d->peak_sites[i];
    uint64_t *to = e->id == 0 ? &p->overflow_bytes : &m->sites[smaps[best][rtprof_dump_find_site(d, e->id)]].at_peak;
    *to = rtprof_sat_add(&m->saturated, *to, e->live_bytes); /* a dump's figures may hold any value */
  }
  uint64_t in_phases = 0;
  for (size_t i = 0; i < d->npeak_phases; i++) {
    const rtprof_id_bytes_t *e = &d->peak_phases[i];
    uint64_t *to = &m->phases[pmaps[best][rtprof_dump_find_phase(d, e->id)]].at_peak;
    *to = rtprof_sat_add(&m->saturated, *to, e->live_bytes);
    in_phases = rtprof_sat_add(&m->saturated, in_phases, e->live_bytes);
  }
  p->outside_phases = p->live_bytes > in_phases ? p->live_bytes - in_phases : 0;
}

/* ---- growing sites -------------------------------------------------------- */

static int cmp_growth(const void *a, const void *b) {
  const rtprof_growth_t *x = a, *y = b;
  int64_t gx = (int64_t)(x->last - x->first), gy = (int64_t)(y->last - y->first);
  if (gx != gy) return gx > gy ? -1 : 1;
  if ((x->phase < 0) != (y->phase < 0)) return x->phase < 0 ? 1 : -1; /* bytes per call first */
  if (x->site != y->site) return x->site < y->site ? -1 : 1;
  return x->phase < y->phase ? -1 : x->phase > y->phase;
}

static rtprof_growth_t *row(rtprof_model_t *m, size_t *cap, rtprof_map_t *index, long site, long phase) {
  uint64_t key = (uint64_t)(phase + 1) << 32 | (uint32_t)site;
  long k = rtprof_map_get(index, key);
  if (k >= 0) return &m->growth[k];
  rtprof_grow(&m->growth, cap, m->ngrowth + 1, sizeof *m->growth);
  rtprof_growth_t *g = &m->growth[m->ngrowth];
  memset(g, 0, sizeof *g);
  g->site = site, g->phase = phase;
  rtprof_map_put(index, key, m->ngrowth++);
  return g;
}

/* Across calls: a (phase, site) pair whose blocks still live at the dump
 * outnumber, in bytes, those live after the phase's first call. The growth
 * per later call is (last - first) / (calls - 1): exact for a site that
 * leaks the same bytes in every call, whatever it kept from the first.
 * Across the run: a site named by at least 3 snapshots whose live bytes
 * rose at least twice and fell at most once for every 4 rises, and stand
 * higher at the dump than at its first snapshot. */
void rtprof_model_growth(rtprof_model_t *m, const long *const *smaps, const long *const *pmaps) {
  size_t cap = 0;
  rtprof_map_t index = {0};
  for (size_t di = 0; di < m->ndumps; di++) {
    const rtprof_dump_t *d = &m->dumps[di];
    if (!d->peak.present) continue; /* written before first calls were recorded */
    for (size_t i = 0; i < d->npairs; i++) { /* live at the dump, per merged pair */
      const rtprof_pair_t *pr = &d->pairs[i];
      const rtprof_phase_t *ph = &d->phases[rtprof_dump_find_phase(d, pr->phase)];
      if (!pr->site || ph->calls < 2 || pr->alloc_bytes <= pr->freed_bytes) continue;
      rtprof_growth_t *g = row(m, &cap, &index, smaps[di][rtprof_dump_find_site(d, pr->site)],
                               pmaps[di][rtprof_dump_find_phase(d, pr->phase)]);
      g->last = rtprof_sat_add(&m->saturated, g->last, pr->alloc_bytes - pr->freed_bytes);
    }
    for (size_t i = 0; i < d->npair_firsts; i++) {
      const rtprof_pair_first_t *pf = &d->pair_firsts[i];
      const rtprof_phase_t *ph = &d->phases[rtprof_dump_find_phase(d, pf->phase)];
      if (!pf->site || ph->calls < 2) continue;
      rtprof_growth_t *g = row(m, &cap, &index, smaps[di][rtprof_dump_find_site(d, pf->site)],
                               pmaps[di][rtprof_dump_find_phase(d, pf->phase)]);
      g->first = rtprof_sat_add(&m->saturated, g->first, pf->live_bytes);
    }
  }
  for (size_t i = 0; i < m->ngrowth; i++) {
    rtprof_growth_t *g = &m->growth[i];
    g->calls = m->phases[g->phase].calls;
  }
  /* across the run, one dump at a time (a site's series is its own dump's) */
  m->snap_top_site = rtprof_xcalloc(m->ndumps + 1, sizeof *m->snap_top_site);
  for (size_t di = 0; di < m->ndumps; di++) {
    const rtprof_dump_t *d = &m->dumps[di];
    long *tops = m->snap_top_site[di] = rtprof_xmalloc((d->nsnap_tops + 1) * sizeof *tops);
    for (size_t k = 0; k < d->nsnap_tops; k++)
      tops[k] = d->snap_tops[k].id ? smaps[di][rtprof_dump_find_site(d, d->snap_tops[k].id)] : -1;
    rtprof_map_t last = {0}; /* rsite -> index of its run row for this dump */
    for (size_t s = 0; s < d->nsnapshots; s++) {
      const rtprof_snapshot_t *sn = &d->snapshots[s];
      for (uint32_t k = 0; k < sn->ntop; k++) {
        const rtprof_id_bytes_t *t = &d->snap_tops[sn->top_off + k];
        long site = tops[sn->top_off + k];
        if (site < 0) continue;
        long r = rtprof_map_get(&last, (uint64_t)site);
        rtprof_growth_t *g;
        if (r < 0) {
          rtprof_grow(&m->growth, &cap, m->ngrowth + 1, sizeof *m->growth);
          g = &m->growth[m->ngrowth];
          memset(g, 0, sizeof *g);
          g->site = site, g->phase = -1;
          g->first = t->live_bytes, g->t_first = sn->t_ns;
          rtprof_map_put(&last, (uint64_t)site, m->ngrowth++);
        } else {
          g = &m->growth[r];
          if (t->live_bytes > g->last) g->rises++;
          else if (t->live_bytes < g->last) g->falls++;
        }
        g->last = t->live_bytes, g->t_last = sn->t_ns;
        g->points++;
      }
    }
    /* the run ends with each site's live bytes at the dump, exact: a site
     * that left the top sites because it shrank must not look grown */
    for (size_t i = 0; i < d->nsites; i++) {
      long r = rtprof_map_get(&last, (uint64_t)smaps[di][i]);
      if (r < 0) continue;
      rtprof_growth_t *g = &m->growth[r];
      uint64_t live = d->sites[i].alloc_bytes - d->sites[i].freed_bytes;
      if (g->t_last != d->snapshots[d->nsnapshots - 1].t_ns || g->points == 1) { /* not in the last top */
        if (live < g->last) g->falls++;
        else if (live > g->last) g->rises++;
        g->last = live, g->t_last = d->snapshots[d->nsnapshots - 1].t_ns;
      } else if (live < g->last) {
        g->falls++, g->last = live;
      }
    }
    rtprof_map_free(&last);
  }
  rtprof_map_free(&index);
  size_t o = 0;
  for (size_t i = 0; i < m->ngrowth; i++) {
    rtprof_growth_t g = m->growth[i];
    if (g.phase >= 0) {
      if (g.last <= g.first || g.calls < 2) continue;
      g.per_call = (int64_t)(g.last - g.first) / (int64_t)(g.calls - 1);
    } else {
      if (g.points < 3 || g.last <= g.first || g.rises < 2 || g.falls * 4 > g.rises) continue;
    }
    m->growth[o++] = g;
  }
  m->ngrowth = o;
  if (o > 1) qsort(m->growth, o, sizeof *m->growth, cmp_growth);
}

/* ---- the peak's rows ---------------------------------------------------------- */

static const rtprof_model_t *sort_model;
static int cmp_site_peak(const void *a, const void *b) {
  const rtprof_rsite_t *x = &sort_model->sites[*(const size_t *)a], *y = &sort_model->sites[*(const size_t *)b];
  if (x->at_peak != y->at_peak) return x->at_peak > y->at_peak ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}
static int cmp_phase_peak(const void *a, const void *b) {
  const rtprof_rphase_t *x = &sort_model->phases[*(const size_t *)a], *y = &sort_model->phases[*(const size_t *)b];
  if (x->at_peak != y->at_peak) return x->at_peak > y->at_peak ? -1 : 1;
  return strcmp(x->path, y->path);
}

size_t rtprof_peak_sites(const rtprof_model_t *m, size_t **out) {
  size_t n = 0, *v = rtprof_xmalloc((m->nsites + 1) * sizeof *v);
  for (size_t i = 0; i < m->nsites; i++)
    if (m->sites[i].at_peak && !m->sites[i].suppressed) v[n++] = i;
  sort_model = m;
  qsort(v, n, sizeof *v, cmp_site_peak);
  *out = v;
  return n;
}

size_t rtprof_peak_phases(const rtprof_model_t *m, size_t **out) {
  size_t n = 0, *v = rtprof_xmalloc((m->nphases + 1) * sizeof *v);
  for (size_t i = 0; i < m->nphases; i++)
    if (m->phases[i].at_peak) v[n++] = i;
  sort_model = m;
  qsort(v, n, sizeof *v, cmp_phase_peak);
  *out = v;
  return n;
}

/* ---- where the memory is ----------------------------------------------------- */

static rtprof_memsplit_t split(uint64_t rss, uint64_t committed, uint64_t live, uint64_t blocks, uint64_t overhead) {
  rtprof_memsplit_t s = {.known = true, .rss = rss, .committed = committed, .live = live, .overhead = overhead};
  s.tags = blocks * RTPROF_TAG_BYTES;
  s.slack = (int64_t)(committed - live - s.tags);
  s.tables = (int64_t)(overhead - s.tags);
  s.rest = (int64_t)(rss - committed) - s.tables;
  return s;
}

rtprof_memsplit_t rtprof_memsplit_exit(const rtprof_model_t *m) {
  const rtprof_totals_t *t = &m->totals;
  if (t->rss_bytes == 0 && t->committed_bytes == 0) return (rtprof_memsplit_t){0};
  return split(t->rss_bytes, t->committed_bytes, t->alloc_bytes - t->freed_bytes, t->allocs - t->frees,
               t->overhead_bytes);
}

rtprof_memsplit_t rtprof_memsplit_peak(const rtprof_model_t *m) {
  const rtprof_mpeak_t *p = &m->peak;
  if (!p->present) return (rtprof_memsplit_t){0};
  return split(p->rss, p->committed, p->live_bytes, p->live_blocks, p->overhead);
}

void rtprof_memsplit_phase(const rtprof_rphase_t *p, int64_t *live, int64_t *tags, int64_t *slack) {
  *live = p->live_delta;
  *tags = p->blocks_delta * RTPROF_TAG_BYTES;
  *slack = p->committed_delta - p->live_delta - *tags;
}
