/* The diff's view of the peak: what was live at each run's highest live
 * bytes, by site (matched as the diff matches them) and by phase path,
 * before -> after, largest change first. The rows, and their JSON; the text
 * is printed with the diff's other tables (write/diff_write.c). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

static uint64_t mag(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

static int cmp_rows(const void *x, const void *y) {
  const rtprof_prow_t *p = x, *q = y;
  uint64_t dp = mag((int64_t)(p->a - p->b)), dq = mag((int64_t)(q->a - q->b));
  if (dp != dq) return dp > dq ? -1 : 1;
  uint64_t mp = p->a > p->b ? p->a : p->b, mq = q->a > q->b ? q->a : q->b;
  if (mp != mq) return mp > mq ? -1 : 1;
  return p->i < q->i ? -1 : p->i > q->i;
}

size_t rtprof_diff_peak_sites(const rtprof_diff_t *df, rtprof_prow_t **out) {
  rtprof_prow_t *v = rtprof_xmalloc((df->nsites + 1) * sizeof *v);
  size_t n = 0;
  for (size_t i = 0; i < df->nsites; i++) {
    const rtprof_dsite_t *d = &df->sites[i];
    if (d->side[0].at_peak || d->side[1].at_peak)
      v[n++] = (rtprof_prow_t){(long)i, d->side[0].at_peak, d->side[1].at_peak};
  }
  qsort(v, n, sizeof *v, cmp_rows);
  *out = v;
  return n;
}

size_t rtprof_diff_peak_phases(const rtprof_diff_t *df, rtprof_prow_t **out) {
  rtprof_prow_t *v = rtprof_xmalloc((df->nphases + 1) * sizeof *v);
  size_t n = 0;
  for (size_t i = 0; i < df->nphases; i++) {
    const rtprof_dphase_t *d = &df->phases[i];
    uint64_t b = d->side[0] ? d->side[0]->at_peak : 0, a = d->side[1] ? d->side[1]->at_peak : 0;
    if (a || b) v[n++] = (rtprof_prow_t){(long)i, b, a};
  }
  qsort(v, n, sizeof *v, cmp_rows);
  *out = v;
  return n;
}

static size_t limit(size_t n, size_t top) { return top && top < n ? top : n; }

static void json_peak_head(FILE *out, const rtprof_model_t *m) {
  const rtprof_mpeak_t *p = &m->peak;
  if (!p->present) {
    fputs("null", out);
    return;
  }
  fprintf(out, "{\"live_bytes\": %" PRIu64 ", \"time_ns\": %" PRIu64 ", \"phase\": ", p->live_bytes, p->t_ns);
  rtprof_json_str(out, p->phase >= 0 ? m->phases[p->phase].path : NULL);
  fputc('}', out);
}

void rtprof_diff_json_peak(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o) {
  if (!df->m[0]->peak.present && !df->m[1]->peak.present) return; /* dumps from before it was recorded */
  fputs("  \"peak\": {\"before\": ", out);
  json_peak_head(out, df->m[0]);
  fputs(", \"after\": ", out);
  json_peak_head(out, df->m[1]);
  fputs(",\n    \"sites\": [", out);
  rtprof_prow_t *v;
  size_t n = rtprof_diff_peak_sites(df, &v), shown = o->top_given ? limit(n, o->top) : n;
  for (size_t r = 0; r < shown; r++) {
    const rtprof_dsite_t *d = &df->sites[v[r].i];
    int side = d->side[1].frame ? 1 : 0;
    fputs(r ? ",\n      {\"frame\": " : "\n      {\"frame\": ", out);
    rtprof_json_frame(out, df->m[side]->st, d->side[side].frame);
    fprintf(out, ", \"before\": %" PRIu64 ", \"after\": %" PRIu64 "}", v[r].b, v[r].a);
  }
  free(v);
  fputs("],\n    \"phases\": [", out);
  n = rtprof_diff_peak_phases(df, &v);
  shown = o->top_given ? limit(n, o->top) : n;
  for (size_t r = 0; r < shown; r++) {
    fputs(r ? ", {\"path\": " : "{\"path\": ", out);
    rtprof_json_str(out, df->phases[v[r].i].path);
    fprintf(out, ", \"before\": %" PRIu64 ", \"after\": %" PRIu64 "}", v[r].b, v[r].a);
  }
  free(v);
  fputs("]},\n", out);
}
