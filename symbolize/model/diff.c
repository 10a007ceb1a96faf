/* Matches two runs for `rtprof diff`: phases by path; sites by their
 * attributed frame's function and file:line (never by address, which moves
 * from one build to the next), falling back to module+offset for frames
 * without a line. Then each pair is classified and sorted by the size of its
 * change (docs/diff-check.md). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

const char *rtprof_change_name(rtprof_change_t c) {
  static const char *const names[RTPROF_CHANGE_LAST] = {
      [RTPROF_CHANGE_GREW] = "grew",           [RTPROF_CHANGE_SHRANK] = "shrank",
      [RTPROF_CHANGE_APPEARED] = "appeared",   [RTPROF_CHANGE_DISAPPEARED] = "disappeared",
      [RTPROF_CHANGE_UNCHANGED] = "unchanged",
  };
  return c < RTPROF_CHANGE_LAST ? names[c] : "?";
}

int64_t rtprof_phase_per_call(const rtprof_rphase_t *p) {
  if (p->calls == 0 || p->calls > (uint64_t)INT64_MAX) return 0; /* |delta| < calls: 0 */
  return p->committed_delta / (int64_t)p->calls;
}

static uint64_t mag(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

/* Of several signed changes, the one largest in magnitude (the first on ties). */
static int64_t largest(const int64_t *v, size_t n) {
  int64_t best = 0;
  for (size_t i = 0; i < n; i++)
    if (mag(v[i]) > mag(best)) best = v[i];
  return best;
}

static rtprof_change_t classify(bool before, bool after, int64_t change, int64_t count_change) {
  if (!before) return RTPROF_CHANGE_APPEARED;
  if (!after) return RTPROF_CHANGE_DISAPPEARED;
  if (!change) change = count_change; /* same bytes, other counts */
  return change > 0 ? RTPROF_CHANGE_GREW : change < 0 ? RTPROF_CHANGE_SHRANK : RTPROF_CHANGE_UNCHANGED;
}

/* ---- sites ----------------------------------------------------------------- */
/* The identity of a frame across builds. exact: function, file and line, or
 * module path and offset, or the raw address. !exact: the same with the
 * file's and module's base names, or NULL when that would say nothing more. */
static const char *site_key(const rtprof_model_t *m, const rtprof_frame_t *f, bool exact) {
  char buf[RTPROF_DUMP_MAX_LINE * 2 + 64];
  int n;
  if (f->named) { /* named by the program: the same name is the same site */
    n = snprintf(buf, sizeof buf, "N\x1f%s\x1f%s\x1f%u", f->function, f->file ? f->file : "", f->line);
  } else if (rtprof_frame_is_resolved(f)) {
    n = snprintf(buf, sizeof buf, "%c\x1f%s\x1f%s\x1f%u", exact ? 'R' : 'r', f->function ? f->function : "",
                 exact ? f->file : rtprof_basename(f->file), f->line);
  } else if (f->module != RTPROF_NO_MODULE) {
    const char *path = m->st->mods[f->module].path;
    n = snprintf(buf, sizeof buf, "%c\x1f%s\x1f%" PRIx64, exact ? 'M' : 'm', exact ? path : rtprof_basename(path),
                 f->offset);
  } else {
    if (!exact) return NULL;
    n = snprintf(buf, sizeof buf, "A\x1f%" PRIx64, f->offset);
  }
  if (n < 0 || (size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
  return rtprof_intern(buf, (size_t)n);
}

static void add_group(rtprof_dside_t *s, const rtprof_sgroup_t *g) {
  if (!s->frame) {
    s->frame = g->frame;
    s->first_id = g->first_id;
  }
  s->nsites += g->nsites;
  s->allocs += g->allocs;
  s->alloc_bytes += g->alloc_bytes;
  s->frees += g->frees;
  s->freed_bytes += g->freed_bytes;
  s->at_peak += g->at_peak;
}



static int cmp_dsites(const void *a, const void *b) {
  const rtprof_dsite_t *x = a, *y = b;
  if (mag(x->change) != mag(y->change)) return mag(x->change) > mag(y->change) ? -1 : 1;
  uint64_t cx = mag(rtprof_delta_u64(x->side[0].allocs, x->side[1].allocs));
  uint64_t cy = mag(rtprof_delta_u64(y->side[0].allocs, y->side[1].allocs));
  if (cx != cy) return cx > cy ? -1 : 1;
  return strcmp(x->key, y->key);
}

/* A second pass for the sites left alone on their side: the same function,
 * file name and line (or module name and offset), when that names exactly one
 * site on each side. Two checkouts of one program differ in their paths. */
static void match_by_file_name(rtprof_diff_t *df, const char **key2) {
  rtprof_map_t count[2] = {{0}}, where[2] = {{0}};
  for (size_t i = 0; i < df->nsites; i++) {
    const rtprof_dsite_t *d = &df->sites[i];
    int side = d->side[0].frame ? 0 : 1;
    if ((d->side[0].frame && d->side[1].frame) || !key2[i]) continue;
    long c = rtprof_map_get(&count[side], (uintptr_t)key2[i]);
    rtprof_map_put(&count[side], (uintptr_t)key2[i], c < 0 ? 1 : (size_t)c + 1);
    rtprof_map_put(&where[side], (uintptr_t)key2[i], i);
  }
  for (size_t i = 0; i < df->nsites; i++) {
    rtprof_dsite_t *d = &df->sites[i];
    if (d->side[0].frame || !d->side[1].frame || !key2[i]) continue;
    if (rtprof_map_get(&count[0], (uintptr_t)key2[i]) != 1 || rtprof_map_get(&count[1], (uintptr_t)key2[i]) != 1)
      continue;
    rtprof_dsite_t *b = &df->sites[rtprof_map_get(&where[0], (uintptr_t)key2[i])];
    b->side[1] = d->side[1];
    b->by_file_name = true;
    d->side[1].frame = NULL; /* emptied: dropped below */
    df->by_file_name++;
  }
  size_t n = 0;
  for (size_t i = 0; i < df->nsites; i++)
    if (df->sites[i].side[0].frame || df->sites[i].side[1].frame) df->sites[n++] = df->sites[i];
  df->nsites = n;
  for (int s = 0; s < 2; s++) {
    rtprof_map_free(&count[s]);
    rtprof_map_free(&where[s]);
  }
}

static void diff_sites(rtprof_diff_t *df) {
  rtprof_map_t by_key = {0};
  size_t cap = 0;
  const char **key2 = NULL;
  size_t cap2 = 0;
  for (int side = 0; side < 2; side++) {
    rtprof_sgroup_t *g;
    size_t n = rtprof_model_site_groups(df->m[side], &g);
    for (size_t i = 0; i < n; i++) {
      const char *key = site_key(df->m[side], g[i].frame, true);
      long k = rtprof_map_get(&by_key, (uintptr_t)key);
      if (k < 0) {
        rtprof_grow(&df->sites, &cap, df->nsites + 1, sizeof *df->sites);
        rtprof_grow(&key2, &cap2, df->nsites + 1, sizeof *key2);
        k = (long)df->nsites++;
        memset(&df->sites[k], 0, sizeof df->sites[k]);
        df->sites[k].key = key;
        key2[k] = site_key(df->m[side], g[i].frame, false);
        rtprof_map_put(&by_key, (uintptr_t)key, (size_t)k);
      }
      add_group(&df->sites[k].side[side], &g[i]);
    }
    free(g);
  }
  rtprof_map_free(&by_key);
  match_by_file_name(df, key2);
  free(key2);
  for (size_t i = 0; i < df->nsites; i++) {
    rtprof_dsite_t *d = &df->sites[i];
    const rtprof_dside_t *b = &d->side[0], *a = &d->side[1];
    int64_t ch[2] = {rtprof_delta_u64(b->alloc_bytes, a->alloc_bytes),
                     rtprof_sub_sat((int64_t)(a->alloc_bytes - a->freed_bytes), (int64_t)(b->alloc_bytes - b->freed_bytes))};
    d->change = largest(ch, 2);
    d->status = classify(b->frame, a->frame, d->change, rtprof_delta_u64(b->allocs, a->allocs));
  }
  if (df->nsites > 1) qsort(df->sites, df->nsites, sizeof *df->sites, cmp_dsites);
}

/* ---- phases ------------------------------------------------------------------ */
static int cmp_dphases(const void *a, const void *b) {
  const rtprof_dphase_t *x = a, *y = b;
  if (mag(x->change) != mag(y->change)) return mag(x->change) > mag(y->change) ? -1 : 1;
  return strcmp(x->path, y->path);
}

static void diff_phases(rtprof_diff_t *df) {
  rtprof_map_t by_path = {0};
  size_t cap = 0;
  for (int side = 0; side < 2; side++) {
    const rtprof_model_t *m = df->m[side];
    for (size_t i = 0; i < m->nphase_order; i++) {
      const rtprof_rphase_t *p = &m->phases[m->phase_order[i]];
      long k = rtprof_map_get(&by_path, (uintptr_t)p->path); /* paths are interned */
      if (k < 0) {
        rtprof_grow(&df->phases, &cap, df->nphases + 1, sizeof *df->phases);
        k = (long)df->nphases++;
        memset(&df->phases[k], 0, sizeof df->phases[k]);
        df->phases[k].path = p->path;
        rtprof_map_put(&by_path, (uintptr_t)p->path, (size_t)k);
      }
      df->phases[k].side[side] = p;
    }
  }
  rtprof_map_free(&by_path);
  static const rtprof_rphase_t none = {0};
  for (size_t i = 0; i < df->nphases; i++) {
    rtprof_dphase_t *d = &df->phases[i];
    const rtprof_rphase_t *b = d->side[0] ? d->side[0] : &none, *a = d->side[1] ? d->side[1] : &none;
    int64_t ch[4] = {rtprof_sub_sat(a->committed_delta, b->committed_delta), rtprof_sub_sat(a->live_delta, b->live_delta),
                     rtprof_delta_u64(b->cum_alloc_bytes, a->cum_alloc_bytes),
                     rtprof_sub_sat((int64_t)(a->cum_alloc_bytes - a->cum_freed_bytes),
                                    (int64_t)(b->cum_alloc_bytes - b->cum_freed_bytes))};
    d->change = largest(ch, 4);
    int64_t counts = rtprof_delta_u64(b->calls, a->calls);
    if (!counts) counts = rtprof_delta_u64(b->cum_allocs, a->cum_allocs);
    d->status = classify(d->side[0], d->side[1], d->change, counts);
  }
  if (df->nphases > 1) qsort(df->phases, df->nphases, sizeof *df->phases, cmp_dphases);
}

void rtprof_diff_build(rtprof_diff_t *df, const rtprof_model_t *before, const rtprof_model_t *after) {
  memset(df, 0, sizeof *df);
  df->m[0] = before;
  df->m[1] = after;
  diff_sites(df);
  diff_phases(df);
}

void rtprof_diff_free(rtprof_diff_t *df) {
  free(df->sites);
  free(df->phases);
  memset(df, 0, sizeof *df);
}
