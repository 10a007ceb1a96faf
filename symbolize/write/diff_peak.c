/* The diff's view of the peak: what was live at each run's highest live
 * bytes, by site (matched as the diff matches them) and by phase path,
 * before -> after, largest change first and cut to --top. Text and JSON. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

#define LABEL_MAX 8192

static uint64_t mag(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

typedef struct prow_s {
  long i;                  /* dsite or phase-path index */
  uint64_t b, a;           /* at the peak, before and after */
} prow_t;

static int cmp_rows(const void *x, const void *y) {
  const prow_t *p = x, *q = y;
  uint64_t dp = mag((int64_t)(p->a - p->b)), dq = mag((int64_t)(q->a - q->b));
  if (dp != dq) return dp > dq ? -1 : 1;
  uint64_t mp = p->a > p->b ? p->a : p->b, mq = q->a > q->b ? q->a : q->b;
  if (mp != mq) return mp > mq ? -1 : 1;
  return p->i < q->i ? -1 : p->i > q->i;
}

static size_t site_rows(const rtprof_diff_t *df, prow_t **out) {
  prow_t *v = rtprof_xmalloc((df->nsites + 1) * sizeof *v);
  size_t n = 0;
  for (size_t i = 0; i < df->nsites; i++) {
    const rtprof_dsite_t *d = &df->sites[i];
    if (d->side[0].at_peak || d->side[1].at_peak) v[n++] = (prow_t){(long)i, d->side[0].at_peak, d->side[1].at_peak};
  }
  qsort(v, n, sizeof *v, cmp_rows);
  *out = v;
  return n;
}

static size_t phase_rows(const rtprof_diff_t *df, prow_t **out) {
  prow_t *v = rtprof_xmalloc((df->nphases + 1) * sizeof *v);
  size_t n = 0;
  for (size_t i = 0; i < df->nphases; i++) {
    const rtprof_dphase_t *d = &df->phases[i];
    uint64_t b = d->side[0] ? d->side[0]->at_peak : 0, a = d->side[1] ? d->side[1]->at_peak : 0;
    if (a || b) v[n++] = (prow_t){(long)i, b, a};
  }
  qsort(v, n, sizeof *v, cmp_rows);
  *out = v;
  return n;
}

static size_t limit(size_t n, size_t top) { return top && top < n ? top : n; }

void rtprof_diff_text_peak(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o) {
  const rtprof_mpeak_t *pb = &df->m[0]->peak, *pa = &df->m[1]->peak;
  if (!pb->present && !pa->present) return;
  char c[64];
  rtprof_human_pair(c, sizeof c, (int64_t)pb->live_bytes, (int64_t)pa->live_bytes, false);
  fprintf(out, "\nLive at the peak (before \xe2\x86\x92 after): %s, in %s \xe2\x86\x92 %s\n", c,
          pb->phase >= 0 ? df->m[0]->phases[pb->phase].path : "-", pa->phase >= 0 ? df->m[1]->phases[pa->phase].path : "-");
  prow_t *v;
  size_t n = site_rows(df, &v), shown = limit(n, o->top);
  fprintf(out, "  by site (%zu of %zu, largest change first)\n", shown, n);
  for (size_t r = 0; r < shown; r++) {
    const rtprof_dsite_t *d = &df->sites[v[r].i];
    int side = d->side[1].frame ? 1 : 0;
    char label[LABEL_MAX];
    rtprof_frame_label(df->m[side]->st, d->side[side].frame, label, sizeof label, false);
    rtprof_human_pair(c, sizeof c, (int64_t)v[r].b, (int64_t)v[r].a, false);
    fprintf(out, "  %24s  %s\n", c, label);
  }
  free(v);
  n = phase_rows(df, &v);
  shown = limit(n, o->top);
  fprintf(out, "  by phase (%zu of %zu, flat)\n", shown, n);
  for (size_t r = 0; r < shown; r++) {
    rtprof_human_pair(c, sizeof c, (int64_t)v[r].b, (int64_t)v[r].a, false);
    fprintf(out, "  %24s  %s\n", c, df->phases[v[r].i].path);
  }
  free(v);
}

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
  prow_t *v;
  size_t n = site_rows(df, &v), shown = o->top_given ? limit(n, o->top) : n;
  for (size_t r = 0; r < shown; r++) {
    const rtprof_dsite_t *d = &df->sites[v[r].i];
    int side = d->side[1].frame ? 1 : 0;
    fputs(r ? ",\n      {\"frame\": " : "\n      {\"frame\": ", out);
    rtprof_json_frame(out, df->m[side]->st, d->side[side].frame);
    fprintf(out, ", \"before\": %" PRIu64 ", \"after\": %" PRIu64 "}", v[r].b, v[r].a);
  }
  free(v);
  fputs("],\n    \"phases\": [", out);
  n = phase_rows(df, &v);
  shown = o->top_given ? limit(n, o->top) : n;
  for (size_t r = 0; r < shown; r++) {
    fputs(r ? ", {\"path\": " : "{\"path\": ", out);
    rtprof_json_str(out, df->phases[v[r].i].path);
    fprintf(out, ", \"before\": %" PRIu64 ", \"after\": %" PRIu64 "}", v[r].b, v[r].a);
  }
  free(v);
  fputs("]},\n", out);
}
