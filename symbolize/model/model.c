/* Merges symbolized dumps into one report: sites by symbolized identity
 * (after --skip folding), phases by path, pairs by (phase, merged site),
 * totals summed and peaks maxed; then flat and cumulative phase figures. */
#define _GNU_SOURCE /* qsort_r */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

#define MAX_EXPANDED (RTPROF_DUMP_MAX_DEPTH * 64) /* frames per site, inlines expanded */

/* Resolved frames are named by (function, file, line); the others by
 * (module, offset), so two unresolved addresses never merge by accident.
 * A named site is resolved by definition, with or without a file. */
bool rtprof_frame_is_resolved(const rtprof_frame_t *f) { return f->named || (f->file && f->line); }

bool rtprof_frame_equal(const rtprof_frame_t *a, const rtprof_frame_t *b) {
  if (rtprof_frame_is_resolved(a) != rtprof_frame_is_resolved(b)) return false;
  if (rtprof_frame_is_resolved(a))
    return a->function == b->function && a->file == b->file && a->line == b->line && a->named == b->named;
  return a->module == b->module && a->offset == b->offset;
}

static uint64_t frame_hash(uint64_t h, const rtprof_frame_t *f) {
  if (rtprof_frame_is_resolved(f)) {
    h = rtprof_hash64(h, (uintptr_t)f->function);
    h = rtprof_hash64(h, (uintptr_t)f->file);
    return rtprof_hash64(h, f->line);
  }
  return rtprof_hash64(rtprof_hash64(h, f->module), f->offset);
}


typedef struct builder_s {       /* state of one rtprof_model_build call */
  rtprof_model_t *m;
  const regex_t *skip;
  rtprof_map_t site_by_hash;     /* identity hash -> first rsite with it */
  rtprof_map_t phase_by_path;    /* interned path pointer -> rphase */
  rtprof_map_t pair_index;       /* (rphase << 32 | rsite+1) -> index in its pairs */
  rtprof_frame_t frames[MAX_EXPANDED];
} builder_t;

/* The index of the frame a site is attributed to: the first whose function
 * does not match --skip (unknown functions never match); the outermost when
 * all match. */
static size_t attributed_frame(const builder_t *b, const rtprof_frame_t *f, size_t n) {
  if (!b->skip) return 0;
  for (size_t i = 0; i < n; i++)
    if (!f[i].function || regexec(b->skip, f[i].function, 0, NULL, 0) != 0) return i;
  return n - 1;
}

static long add_site(builder_t *b, size_t di, const rtprof_site_t *s) {
  rtprof_model_t *m = b->m;
  const rtprof_dump_t *d = &m->dumps[di];
  size_t n = 0;
  for (uint32_t i = 0; i < s->nframes && n < MAX_EXPANDED; i++)
    n += rtprof_symbolize_frame(m->st, m->dumps, di, d->frames[s->frame_off + i],
                                d->frame_kinds[s->frame_off + i], b->frames + n, MAX_EXPANDED - n);
  size_t a = attributed_frame(b, b->frames, n);
  const rtprof_frame_t *f = b->frames + a;
  size_t nf = n - a, nkey = b->skip ? 1 : nf;
  uint64_t h = nkey;
  for (size_t i = 0; i < nkey; i++) h = frame_hash(h, &f[i]);
  long g = rtprof_map_get(&b->site_by_hash, h);
  for (; g >= 0; g = m->sites[g].hash_next) {
    const rtprof_rsite_t *r = &m->sites[g];
    if (!b->skip && r->nframes != nf) continue;
    size_t i = 0;
    while (i < nkey && rtprof_frame_equal(&r->frames[i], &f[i])) i++;
    if (i == nkey) break;
  }
  rtprof_rsite_t *r;
  if (g < 0) {
    rtprof_grow(&m->sites, &m->cap_sites, m->nsites + 1, sizeof *m->sites);
    g = (long)m->nsites++;
    r = &m->sites[g];
    memset(r, 0, sizeof *r);
    r->id = m->ndumps == 1 ? s->id : (uint64_t)g + 1;
    r->frames = rtprof_xmalloc(nf * sizeof *r->frames);
    memcpy(r->frames, f, nf * sizeof *f);
    r->nframes = (uint32_t)nf;
    if (a > 0) {
      r->folded = rtprof_xmalloc(a * sizeof *r->folded);
      memcpy(r->folded, b->frames, a * sizeof *r->folded);
      r->nfolded = (uint32_t)a;
    }
    r->hash = h;
    r->peak_dump = di;
    r->hash_next = rtprof_map_get(&b->site_by_hash, h);
    rtprof_map_put(&b->site_by_hash, h, (size_t)g);
  } else {
    r = &m->sites[g];
    m->id_merged++;
    /* folded sites keep the frames they share */
    uint32_t k = 0;
    while (k < r->nframes && k < nf && rtprof_frame_equal(&r->frames[k], &f[k]) && r->frames[k].inlined == f[k].inlined) k++;
    r->nframes = k;
  }
  r->allocs = rtprof_sat_add(&m->saturated, r->allocs, s->allocs);
  r->alloc_bytes = rtprof_sat_add(&m->saturated, r->alloc_bytes, s->alloc_bytes);
  r->frees = rtprof_sat_add(&m->saturated, r->frees, s->frees);
  r->freed_bytes = rtprof_sat_add(&m->saturated, r->freed_bytes, s->freed_bytes);
  if (r->peak_dump != di) { /* peaks: summed within a dump, maxed across dumps */
    if (r->peak_cur > r->peak_live_bytes) r->peak_live_bytes = r->peak_cur;
    r->peak_cur = 0;
    r->peak_dump = di;
  }
  r->peak_cur = rtprof_sat_add(&m->saturated, r->peak_cur, s->peak_live_bytes);
  return g;
}

static long ensure_phase(builder_t *b, const rtprof_dump_t *d, size_t pi, long *pmap) {
  rtprof_model_t *m = b->m;
  if (pmap[pi] >= 0) return pmap[pi];
  const rtprof_phase_t *ph = &d->phases[pi];
  long parent = -1;
  if (ph->parent) parent = ensure_phase(b, d, (size_t)rtprof_dump_find_phase(d, ph->parent), pmap);
  long g = rtprof_map_get(&b->phase_by_path, (uintptr_t)ph->path);
  if (g < 0) {
    rtprof_grow(&m->phases, &m->cap_phases, m->nphases + 1, sizeof *m->phases);
    g = (long)m->nphases++;
    rtprof_rphase_t *r = &m->phases[g];
    memset(r, 0, sizeof *r);
    r->path = ph->path;
    r->name = ph->name;
    r->parent = parent;
    r->depth = parent >= 0 ? m->phases[parent].depth + 1 : 0;
    r->committed_delta_max = ph->committed_delta_max;
    rtprof_map_put(&b->phase_by_path, (uintptr_t)ph->path, (size_t)g);
    if (parent >= 0) {
      rtprof_rphase_t *p = &m->phases[parent];
      rtprof_grow(&p->children, &p->cap_children, p->nchildren + 1, sizeof *p->children);
      p->children[p->nchildren++] = g;
    }
  }
  rtprof_rphase_t *r = &m->phases[g];
  r->calls = rtprof_sat_add(&m->saturated, r->calls, ph->calls);
  r->open = rtprof_sat_add(&m->saturated, r->open, ph->open);
  r->wall_ns = rtprof_sat_add(&m->saturated, r->wall_ns, ph->wall_ns);
  r->committed_delta = rtprof_add_sat(r->committed_delta, ph->committed_delta);
  r->live_delta = rtprof_add_sat(r->live_delta, ph->live_delta);
  r->blocks_delta = rtprof_add_sat(r->blocks_delta, ph->blocks_delta);
  if (ph->committed_delta_max > r->committed_delta_max) r->committed_delta_max = ph->committed_delta_max;
  pmap[pi] = g;
  return g;
}

static void add_pair(builder_t *b, long phase, long site, const rtprof_pair_t *p) {
  rtprof_model_t *m = b->m;
  rtprof_rphase_t *r = &m->phases[phase];
  uint64_t key = (uint64_t)phase << 32 | (uint32_t)(site + 1);
  long k = rtprof_map_get(&b->pair_index, key);
  if (k < 0) {
    rtprof_grow(&r->pairs, &r->cap_pairs, r->npairs + 1, sizeof *r->pairs);
    k = (long)r->npairs++;
    memset(&r->pairs[k], 0, sizeof r->pairs[k]);
    r->pairs[k].site = site;
    rtprof_map_put(&b->pair_index, key, (size_t)k);
  }
  rtprof_rpair_t *rp = &r->pairs[k];
  rp->allocs = rtprof_sat_add(&m->saturated, rp->allocs, p->allocs);
  rp->alloc_bytes = rtprof_sat_add(&m->saturated, rp->alloc_bytes, p->alloc_bytes);
  rp->frees = rtprof_sat_add(&m->saturated, rp->frees, p->frees);
  rp->freed_bytes = rtprof_sat_add(&m->saturated, rp->freed_bytes, p->freed_bytes);
  r->allocs = rtprof_sat_add(&m->saturated, r->allocs, p->allocs);
  r->alloc_bytes = rtprof_sat_add(&m->saturated, r->alloc_bytes, p->alloc_bytes);
  r->frees = rtprof_sat_add(&m->saturated, r->frees, p->frees);
  r->freed_bytes = rtprof_sat_add(&m->saturated, r->freed_bytes, p->freed_bytes);
}

static void add_warning(rtprof_model_t *m, const rtprof_warning_t *w) {
  for (size_t i = 0; i < m->nwarnings; i++)
    if (m->warnings[i].kind == w->kind && m->warnings[i].name == w->name) {
      m->warnings[i].count = rtprof_sat_add(&m->saturated, m->warnings[i].count, w->count);
      return;
    }
  if (m->nwarnings >= RTPROF_CLI_MAX_WARNINGS) {
    m->warnings_dropped = rtprof_sat_add(&m->saturated, m->warnings_dropped, w->count);
    return;
  }
  rtprof_grow(&m->warnings, &m->cap_warnings, m->nwarnings + 1, sizeof *m->warnings);
  m->warnings[m->nwarnings++] = *w;
}

/* Heap-misuse records merge by (kind, allocating site, bad call's frame). */
static void add_error(builder_t *b, size_t di, const rtprof_heap_error_t *e, const long *smap) {
  rtprof_model_t *m = b->m;
  const rtprof_dump_t *d = &m->dumps[di];
  long site = e->site ? smap[rtprof_dump_find_site(d, e->site)] : -1;
  size_t n = rtprof_symbolize_frame(m->st, m->dumps, di, e->call, RTPROF_FRAME_RA, b->frames, MAX_EXPANDED);
  for (size_t i = 0; i < m->nerrors; i++) {
    rtprof_rerror_t *r = &m->errors[i];
    if (r->kind == e->kind && r->site == site && rtprof_frame_equal(&r->call[0], &b->frames[0])) {
      r->count = rtprof_sat_add(&m->saturated, r->count, e->count);
      return;
    }
  }
  rtprof_grow(&m->errors, &m->cap_errors, m->nerrors + 1, sizeof *m->errors);
  rtprof_rerror_t *r = &m->errors[m->nerrors++];
  r->kind = e->kind;
  r->count = e->count;
  r->addr = e->addr;
  r->site = site;
  r->call = rtprof_xmalloc(n * sizeof *r->call);
  memcpy(r->call, b->frames, n * sizeof *r->call);
  r->ncall = (uint32_t)n;
}

static int cmp_errors(const void *a, const void *b) {
  const rtprof_rerror_t *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  int c = strcmp(x->kind, y->kind);
  if (c) return c;
  if (x->site != y->site) return x->site < y->site ? -1 : 1;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_groups(const void *a, const void *b) {
  const rtprof_sgroup_t *x = a, *y = b;
  if (x->alloc_bytes != y->alloc_bytes) return x->alloc_bytes > y->alloc_bytes ? -1 : 1;
  return x->first_id < y->first_id ? -1 : x->first_id > y->first_id;
}

static void add_totals(rtprof_model_t *m, rtprof_totals_t *t, const rtprof_totals_t *d) {
  t->allocs = rtprof_sat_add(&m->saturated, t->allocs, d->allocs);
  t->frees = rtprof_sat_add(&m->saturated, t->frees, d->frees);
  t->alloc_bytes = rtprof_sat_add(&m->saturated, t->alloc_bytes, d->alloc_bytes);
  t->freed_bytes = rtprof_sat_add(&m->saturated, t->freed_bytes, d->freed_bytes);
  t->failed_allocs = rtprof_sat_add(&m->saturated, t->failed_allocs, d->failed_allocs);
  t->committed_bytes = rtprof_sat_add(&m->saturated, t->committed_bytes, d->committed_bytes);
  t->rss_bytes = rtprof_sat_add(&m->saturated, t->rss_bytes, d->rss_bytes);
  t->mmap_bytes = rtprof_sat_add(&m->saturated, t->mmap_bytes, d->mmap_bytes);
  t->overhead_bytes = rtprof_sat_add(&m->saturated, t->overhead_bytes, d->overhead_bytes);
  if (d->peak_live_bytes > t->peak_live_bytes) t->peak_live_bytes = d->peak_live_bytes;
  if (d->peak_committed_bytes > t->peak_committed_bytes) t->peak_committed_bytes = d->peak_committed_bytes;
  if (d->peak_rss_bytes > t->peak_rss_bytes) t->peak_rss_bytes = d->peak_rss_bytes;
  t->live_blocks = t->allocs - t->frees;
  t->live_bytes = t->alloc_bytes - t->freed_bytes;
}

/* Tree pre-order (children in order of first appearance), then cum_ sums
 * bottom-up by walking that order backwards. */
static void order_phases(rtprof_model_t *m) {
  m->phase_order = rtprof_xmalloc((m->nphases ? m->nphases : 1) * sizeof *m->phase_order);
  long *stack = rtprof_xmalloc((m->nphases ? m->nphases : 1) * sizeof *stack);
  size_t n = 0, sp = 0;
  for (size_t i = m->nphases; i-- > 0;)
    if (m->phases[i].parent < 0) stack[sp++] = (long)i;
  while (sp > 0) {
    long p = stack[--sp];
    m->phase_order[n++] = p;
    const rtprof_rphase_t *r = &m->phases[p];
    for (size_t c = r->nchildren; c-- > 0;) stack[sp++] = r->children[c];
  }
  free(stack);
  m->nphase_order = n;
  for (size_t i = 0; i < m->nphases; i++) {
    rtprof_rphase_t *r = &m->phases[i];
    r->cum_allocs = r->allocs;
    r->cum_alloc_bytes = r->alloc_bytes;
    r->cum_frees = r->frees;
    r->cum_freed_bytes = r->freed_bytes;
  }
  for (size_t i = n; i-- > 0;) {
    const rtprof_rphase_t *r = &m->phases[m->phase_order[i]];
    if (r->parent < 0) continue;
    rtprof_rphase_t *p = &m->phases[r->parent];
    p->cum_allocs = rtprof_sat_add(&m->saturated, p->cum_allocs, r->cum_allocs);
    p->cum_alloc_bytes = rtprof_sat_add(&m->saturated, p->cum_alloc_bytes, r->cum_alloc_bytes);
    p->cum_frees = rtprof_sat_add(&m->saturated, p->cum_frees, r->cum_frees);
    p->cum_freed_bytes = rtprof_sat_add(&m->saturated, p->cum_freed_bytes, r->cum_freed_bytes);
  }
}

void rtprof_model_build(rtprof_model_t *m, rtprof_dump_t *dumps, size_t ndumps, rtprof_symtab_t *st,
                        const void *skip) {
  memset(m, 0, sizeof *m);
  m->dumps = dumps;
  m->ndumps = ndumps;
  m->st = st;
  builder_t *b = rtprof_xcalloc(1, sizeof *b);
  b->m = m;
  b->skip = skip;
  long **smaps = rtprof_xcalloc(ndumps + 1, sizeof *smaps), **pmaps = rtprof_xcalloc(ndumps + 1, sizeof *pmaps);
  for (size_t di = 0; di < ndumps; di++) {
    rtprof_dump_t *d = &dumps[di];
    add_totals(m, &m->totals, &d->totals);
    m->overflow.sites_dropped = rtprof_sat_add(&m->saturated, m->overflow.sites_dropped, d->overflow.sites_dropped);
    m->overflow.pairs_dropped = rtprof_sat_add(&m->saturated, m->overflow.pairs_dropped, d->overflow.pairs_dropped);
    m->overflow.allocs = rtprof_sat_add(&m->saturated, m->overflow.allocs, d->overflow.allocs);
    m->overflow.alloc_bytes = rtprof_sat_add(&m->saturated, m->overflow.alloc_bytes, d->overflow.alloc_bytes);
    m->overflow.frees = rtprof_sat_add(&m->saturated, m->overflow.frees, d->overflow.frees);
    m->overflow.freed_bytes = rtprof_sat_add(&m->saturated, m->overflow.freed_bytes, d->overflow.freed_bytes);
    long *smap = rtprof_xmalloc((d->nsites ? d->nsites : 1) * sizeof *smap);
    for (size_t i = 0; i < d->nsites; i++) smap[i] = add_site(b, di, &d->sites[i]);
    long *pmap = rtprof_xmalloc((d->nphases ? d->nphases : 1) * sizeof *pmap);
    for (size_t i = 0; i < d->nphases; i++) pmap[i] = -1;
    for (size_t i = 0; i < d->nphases; i++) ensure_phase(b, d, i, pmap);
    for (size_t i = 0; i < d->npairs; i++) {
      const rtprof_pair_t *p = &d->pairs[i];
      long site = p->site ? smap[rtprof_dump_find_site(d, p->site)] : -1;
      add_pair(b, pmap[rtprof_dump_find_phase(d, p->phase)], site, p);
    }
    for (size_t i = 0; i < d->nwarnings; i++) add_warning(m, &d->warnings[i]);
    for (size_t i = 0; i < d->nerrors; i++) add_error(b, di, &d->errors[i], smap);
    m->warnings_dropped = rtprof_sat_add(&m->saturated, m->warnings_dropped, d->warnings_dropped);
    smaps[di] = smap, pmaps[di] = pmap; /* for the peak and the growth, below */
  }
  for (size_t i = 0; i < m->nsites; i++) {
    rtprof_rsite_t *r = &m->sites[i];
    if (r->peak_cur > r->peak_live_bytes) r->peak_live_bytes = r->peak_cur;
    if (r->peak_live_bytes > r->alloc_bytes) r->peak_live_bytes = r->alloc_bytes;
  }
  order_phases(m);
  if (m->nerrors > 1) qsort(m->errors, m->nerrors, sizeof *m->errors, cmp_errors);
  rtprof_model_peak(m, (const long *const *)smaps, (const long *const *)pmaps);
  rtprof_model_growth(m, (const long *const *)smaps, (const long *const *)pmaps);
  for (size_t di = 0; di < ndumps; di++) free(smaps[di]), free(pmaps[di]);
  free(smaps);
  free(pmaps);
  rtprof_map_free(&b->site_by_hash);
  rtprof_map_free(&b->phase_by_path);
  rtprof_map_free(&b->pair_index);
  free(b);
}

static int cmp_u64_desc(uint64_t x, uint64_t y) { return x > y ? -1 : x < y; }

static int cmp_sites(const void *a, const void *b, void *ctx) {
  const rtprof_model_t *m = ((void **)ctx)[0];
  rtprof_sort_t sort = *(const rtprof_sort_t *)((void **)ctx)[1];
  const rtprof_rsite_t *x = &m->sites[*(const size_t *)a], *y = &m->sites[*(const size_t *)b];
  int c = 0;
  if (x->suppressed != y->suppressed) return x->suppressed ? 1 : -1; /* set aside: last */
  if (sort == RTPROF_SORT_LIVE) { /* live bytes are signed when a dump is inconsistent */
    int64_t lx = (int64_t)(x->alloc_bytes - x->freed_bytes), ly = (int64_t)(y->alloc_bytes - y->freed_bytes);
    c = lx > ly ? -1 : lx < ly;
  } else if (sort == RTPROF_SORT_COUNT) {
    c = cmp_u64_desc(x->allocs, y->allocs);
  }
  if (!c) c = cmp_u64_desc(x->alloc_bytes, y->alloc_bytes);
  if (c) return c;
  return x->id < y->id ? -1 : x->id > y->id;
}

size_t *rtprof_model_sorted_sites(const rtprof_model_t *m, rtprof_sort_t sort) {
  size_t *idx = rtprof_xmalloc((m->nsites ? m->nsites : 1) * sizeof *idx);
  for (size_t i = 0; i < m->nsites; i++) idx[i] = i;
  void *ctx[2] = {(void *)m, &sort};
  qsort_r(idx, m->nsites, sizeof *idx, cmp_sites, ctx);
  return idx;
}

size_t rtprof_model_shown_sites(const rtprof_model_t *m) { return m->nsites - (size_t)m->suppressed.sites; }

long rtprof_model_find_phase(const rtprof_model_t *m, const char *path) {
  for (size_t i = 0; i < m->nphases; i++)
    if (strcmp(m->phases[i].path, path) == 0) return (long)i;
  return -1;
}

size_t rtprof_model_site_groups(const rtprof_model_t *m, rtprof_sgroup_t **out) {
  size_t *idx = rtprof_model_sorted_sites(m, RTPROF_SORT_BYTES);
  rtprof_sgroup_t *g = rtprof_xcalloc(m->nsites + 1, sizeof *g);
  long *next = rtprof_xmalloc((m->nsites + 1) * sizeof *next); /* hash chains */
  rtprof_map_t by_hash = {0};
  size_t n = 0;
  bool sat = false; /* the sites are held already; a group's sum is held too */
  for (size_t i = 0; i < m->nsites; i++) {
    const rtprof_rsite_t *s = &m->sites[idx[i]];
    if (s->suppressed) continue; /* set aside: counted in m->suppressed */
    uint64_t h = frame_hash(1, &s->frames[0]);
    long k = rtprof_map_get(&by_hash, h);
    while (k >= 0 && !rtprof_frame_equal(g[k].frame, &s->frames[0])) k = next[k];
    if (k < 0) {
      k = (long)n++;
      g[k].frame = &s->frames[0];
      g[k].first_id = s->id;
      next[k] = rtprof_map_get(&by_hash, h);
      rtprof_map_put(&by_hash, h, (size_t)k);
    }
    g[k].nsites++;
    g[k].allocs = rtprof_sat_add(&sat, g[k].allocs, s->allocs);
    g[k].alloc_bytes = rtprof_sat_add(&sat, g[k].alloc_bytes, s->alloc_bytes);
    g[k].frees = rtprof_sat_add(&sat, g[k].frees, s->frees);
    g[k].freed_bytes = rtprof_sat_add(&sat, g[k].freed_bytes, s->freed_bytes);
    g[k].peak_live_bytes = rtprof_sat_add(&sat, g[k].peak_live_bytes, s->peak_live_bytes);
    g[k].at_peak = rtprof_sat_add(&sat, g[k].at_peak, s->at_peak);
  }
  rtprof_map_free(&by_hash);
  free(next);
  free(idx);
  if (n > 1) qsort(g, n, sizeof *g, cmp_groups);
  *out = g;
  return n;
}

bool rtprof_model_phase_in(const rtprof_model_t *m, long phase, long root) {
  for (; phase >= 0; phase = m->phases[phase].parent)
    if (phase == root) return true;
  return false;
}

void rtprof_model_free(rtprof_model_t *m) {
  for (size_t i = 0; i < m->nsites; i++) free(m->sites[i].frames), free(m->sites[i].folded);
  for (size_t i = 0; i < m->nerrors; i++) free(m->errors[i].call);
  free(m->errors);
  for (size_t i = 0; i < m->nphases; i++) {
    free(m->phases[i].pairs);
    free(m->phases[i].children);
  }
  free(m->sites);
  free(m->phases);
  free(m->phase_order);
  free(m->warnings);
  free(m->growth);
  for (size_t i = 0; m->snap_top_site && i < m->ndumps; i++) free(m->snap_top_site[i]);
  free(m->snap_top_site);
  memset(m, 0, sizeof *m);
}

static int cmp_pairs(const void *a, const void *b) {
  const rtprof_rpair_t *x = a, *y = b;
  if (x->alloc_bytes != y->alloc_bytes) return x->alloc_bytes > y->alloc_bytes ? -1 : 1;
  return x->site < y->site ? -1 : x->site > y->site;
}

/* A phase's pairs, largest first by alloc bytes, then by site (a copy to free). */
rtprof_rpair_t *rtprof_sorted_pairs(const rtprof_rphase_t *p) {
  rtprof_rpair_t *v = rtprof_xmalloc((p->npairs ? p->npairs : 1) * sizeof *v);
  if (p->npairs) memcpy(v, p->pairs, p->npairs * sizeof *v);
  if (p->npairs > 1) qsort(v, p->npairs, sizeof *v, cmp_pairs);
  return v;
}
