/* The report's memory sections, text and JSON: what suppressions set aside,
 * what was live at the process's peak (by site and by flat phase), which
 * sites grow, and where RSS goes. Short, sorted, cut to --top, within 100
 * columns as the other tables (write/fit.c; --wide: the totals' units, the
 * labels and paths whole). Definitions: docs/report.md, "Memory". */
#define _GNU_SOURCE /* qsort_r */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

#define LABEL_MAX 8192

static size_t cut(size_t n, const rtprof_report_opts_t *o) { return o->top && o->top < n ? o->top : n; }

/* The site's first frame, file paths relative to the sources' directory and
 * cut to `width` columns (whole with --wide: write/fit.c). */
static void site_label(const rtprof_model_t *m, long site, const rtprof_fit_t *fit, int width, char *out, size_t n) {
  rtprof_fit_label(fit, m->st, &m->sites[site].frames[0], out, n, false, width);
}

/* A phase path in the last column: cut to `width` columns unless wide. */
static const char *fit_path(char *buf, size_t n, const char *path, const rtprof_fit_t *fit, int width) {
  if (fit->wide) return path;
  snprintf(buf, n, "%s", path);
  rtprof_fit_cut(buf, width);
  return buf;
}

/* Figures in a table: compact ("30.0M") in 100 columns, the totals' units
 * with --wide. Signed ones print no '+'. */
static void bytes_fig(char *out, size_t n, uint64_t v, bool wide) {
  if (wide) rtprof_human_bytes(out, n, v);
  else rtprof_compact_bytes(out, n, v);
}

static void signed_fig(char *out, size_t n, int64_t v, bool wide, bool plus) {
  if (wide) rtprof_human_signed(out, n, v);
  else rtprof_compact_signed(out, n, v, "-");
  if (!plus && out[0] == '+') memmove(out, out + 1, strlen(out));
}

static void share(char *out, size_t n, uint64_t part, uint64_t whole) {
  if (whole == 0) snprintf(out, n, "-");
  else snprintf(out, n, "%.1f%%", 100.0 * (double)part / (double)whole);
}

/* ---- text ------------------------------------------------------------------ */

void rtprof_text_suppressed(FILE *out, const rtprof_model_t *m) {
  const rtprof_suppressed_t *s = &m->suppressed;
  if (s->sites == 0) return;
  char h[32];
  rtprof_human_bytes(h, sizeof h, s->live_bytes);
  fprintf(out, "\nSuppressed %" PRIu64 " site%s: %s live in %" PRIu64 " block%s, left out of the tables above\n",
          s->sites, s->sites == 1 ? "" : "s", h, s->live_blocks, s->live_blocks == 1 ? "" : "s");
  if (s->by_default)
    fprintf(out, "  %" PRIu64 " by the built-in list of the C library's one-time allocations"
            " (--no-default-suppressions)\n", s->by_default);
}

static void text_peak(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o, const rtprof_fit_t *fit) {
  const rtprof_mpeak_t *p = &m->peak;
  if (!p->present) return;
  bool wide = fit->wide;
  char h[32], t[32], pb[LABEL_MAX];
  rtprof_human_bytes(h, sizeof h, p->live_bytes);
  rtprof_human_bytes(t, sizeof t, m->totals.peak_live_bytes);
  const char *path = p->phase >= 0 ? fit_path(pb, sizeof pb, m->phases[p->phase].path, fit, 48) : NULL;
  int w = fprintf(out, "\nLive at the peak: %s at %.3f s%s%s", h, (double)p->t_ns / 1e9, path ? ", in " : "",
                  path ? path : "") - 1;
  /* which peak: on the same line when it fits 100 columns, else under it */
  fprintf(out, "%s(the process's highest live bytes: %s)\n", wide || w + 46 <= RTPROF_TEXT_WIDTH ? " " : "\n  ", t);
  size_t *idx, n = rtprof_peak_sites(m, &idx), shown = cut(n, o);
  fprintf(out, "  by site (%zu of %zu; 'at peak': held then, not the site's own maximum)\n", shown, n);
  if (shown && wide) fprintf(out, "    #      id    at peak   share  live at exit  site\n");
  else if (shown) fprintf(out, "    #      id  at peak   share  at exit  site\n");
  for (size_t r = 0; r < shown; r++) {
    const rtprof_rsite_t *s = &m->sites[idx[r]];
    char a[32], sh[16], l[32], label[LABEL_MAX];
    bytes_fig(a, sizeof a, s->at_peak, wide);
    share(sh, sizeof sh, s->at_peak, p->live_bytes);
    signed_fig(l, sizeof l, (int64_t)(s->alloc_bytes - s->freed_bytes), wide, false);
    int head = wide ? fprintf(out, "  %3zu  %6" PRIu64 "  %9s  %6s  %12s  ", r + 1, s->id, a, sh, l)
                    : fprintf(out, "  %3zu  %6" PRIu64 "  %7s  %6s  %7s  ", r + 1, s->id, a, sh, l);
    site_label(m, (long)idx[r], fit, RTPROF_TEXT_WIDTH - head, label, sizeof label);
    fprintf(out, "%s\n", label);
  }
  free(idx);
  n = rtprof_peak_phases(m, &idx);
  long root = o->phase ? rtprof_model_find_phase(m, o->phase) : -1; /* --phase: its subtree */
  size_t k = 0;
  for (size_t r = 0; r < n; r++)
    if (root < 0 || rtprof_model_phase_in(m, (long)idx[r], root)) idx[k++] = idx[r];
  n = k;
  shown = cut(n, o);
  if (n) fprintf(out, "  by phase (%zu of %zu; flat: the phase each block was allocated in)\n", shown, n);
  if (shown) fprintf(out, wide ? "      at peak   share  phase\n" : "    at peak   share  phase\n");
  for (size_t r = 0; r < shown; r++) {
    const rtprof_rphase_t *ph = &m->phases[idx[r]];
    char a[32], sh[16];
    bytes_fig(a, sizeof a, ph->at_peak, wide);
    share(sh, sizeof sh, ph->at_peak, p->live_bytes);
    fprintf(out, wide ? "    %9s  %6s  %s\n" : "    %7s  %6s  %s\n", a, sh,
            fit_path(pb, sizeof pb, ph->path, fit, RTPROF_TEXT_WIDTH - 21));
  }
  free(idx);
  char x[32], y[32], z[32];
  bytes_fig(x, sizeof x, p->outside_phases, wide);
  bytes_fig(y, sizeof y, p->suppressed_bytes, wide);
  bytes_fig(z, sizeof z, p->overflow_bytes, wide);
  fprintf(out, "  also: %s allocated outside every phase, %s in suppressed sites, %s in the overflow row\n", x, y, z);
}

static void text_growth(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o, const rtprof_fit_t *fit) {
  size_t n = 0;
  for (size_t i = 0; i < m->ngrowth; i++) n += !m->sites[m->growth[i].site].suppressed;
  if (n == 0) return;
  bool wide = fit->wide;
  size_t shown = cut(n, o);
  fprintf(out, "\nGrowing sites (%zu of %zu): live bytes that rise over the calls of a phase, or over the run\n",
          shown, n);
  if (wide) fprintf(out, "    #      id     growth   per call  over            site\n");
  else fprintf(out, "    #      id   growth  per call  over            site\n");
  for (size_t i = 0, r = 0; i < m->ngrowth && r < shown; i++) {
    const rtprof_growth_t *g = &m->growth[i];
    if (m->sites[g->site].suppressed) continue;
    char gr[32], pc[32], over[64], label[LABEL_MAX], pb[LABEL_MAX];
    signed_fig(gr, sizeof gr, (int64_t)(g->last - g->first), wide, true);
    if (g->phase >= 0) {
      bytes_fig(pc, sizeof pc, (uint64_t)g->per_call, wide);
      snprintf(over, sizeof over, "%" PRIu64 " calls", g->calls);
    } else {
      snprintf(pc, sizeof pc, "-");
      snprintf(over, sizeof over, "%.1f s, %u pts", (double)(g->t_last - g->t_first) / 1e9, g->points);
    }
    int head = wide ? fprintf(out, "  %3zu  %6" PRIu64 "  %9s  %9s  %-14s  ", ++r, m->sites[g->site].id, gr, pc, over)
                    : fprintf(out, "  %3zu  %6" PRIu64 "  %7s  %8s  %-14s  ", ++r, m->sites[g->site].id, gr, pc, over);
    const char *path = g->phase >= 0 ? m->phases[g->phase].path : NULL;
    int room = RTPROF_TEXT_WIDTH - head; /* the label, then " in PATH" in what it leaves (a third at least) */
    if (path) path = fit_path(pb, sizeof pb, path, fit, room / 3 > 12 ? room / 3 : 12);
    int pw = path ? 4 + rtprof_text_width(path) : 0;
    site_label(m, g->site, fit, room - pw, label, sizeof label);
    fprintf(out, "%s%s%s\n", label, path ? " in " : "", path ? path : "");
  }
}

static void split_row(FILE *out, const char *when, const rtprof_memsplit_t *s, bool wide) {
  char c[6][32];
  bytes_fig(c[0], sizeof c[0], s->rss, wide);
  bytes_fig(c[1], sizeof c[1], s->live, wide);
  signed_fig(c[2], sizeof c[2], s->slack, wide, false);
  bytes_fig(c[3], sizeof c[3], s->overhead, wide);
  signed_fig(c[4], sizeof c[4], s->rest, wide, false);
  bytes_fig(c[5], sizeof c[5], s->committed, wide);
  fprintf(out, "  %-9s  %10s  %10s  %10s  %10s  %10s  %10s\n", when, c[0], c[1], c[2], c[3], c[4], c[5]);
}

static int cmp_abs_delta(const void *a, const void *b, void *ctx) {
  const rtprof_model_t *m = ctx;
  int64_t x = m->phases[*(const long *)a].committed_delta, y = m->phases[*(const long *)b].committed_delta;
  x = x < 0 ? -x : x, y = y < 0 ? -y : y;
  return x > y ? -1 : x < y;
}

static void text_split(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o, const rtprof_fit_t *fit) {
  rtprof_memsplit_t e = rtprof_memsplit_exit(m), p = rtprof_memsplit_peak(m);
  if (!p.known) return; /* a dump from before the peak was recorded */
  bool wide = fit->wide;
  fprintf(out, "\nWhere the memory is: rss = live + slack + rtprof + rest (docs/report.md, \"Memory\")\n");
  fprintf(out, "  %-9s  %10s  %10s  %10s  %10s  %10s  %10s\n", "at", "rss", "live", "slack", "rtprof", "rest",
          "committed");
  split_row(out, "the peak", &p, wide);
  if (e.known) split_row(out, "exit", &e, wide);
  long *v = rtprof_xmalloc((m->nphases + 1) * sizeof *v);
  size_t n = 0;
  long root = o->phase ? rtprof_model_find_phase(m, o->phase) : -1; /* --phase: its subtree */
  for (size_t i = 0; i < m->nphases; i++)
    if ((m->phases[i].committed_delta || m->phases[i].live_delta) &&
        (root < 0 || rtprof_model_phase_in(m, (long)i, root)))
      v[n++] = (long)i;
  qsort_r(v, n, sizeof *v, cmp_abs_delta, (void *)m);
  size_t shown = cut(n, o);
  if (shown) {
    fprintf(out, "  per phase, summed over calls (%zu of %zu; RSS is not read per phase)\n", shown, n);
    fprintf(out, "   committed        live       slack        tags  phase\n");
  }
  for (size_t r = 0; r < shown; r++) {
    const rtprof_rphase_t *ph = &m->phases[v[r]];
    int64_t live, tags, slack;
    rtprof_memsplit_phase(ph, &live, &tags, &slack);
    char c[4][32], pb[LABEL_MAX];
    signed_fig(c[0], sizeof c[0], ph->committed_delta, wide, true);
    signed_fig(c[1], sizeof c[1], live, wide, true);
    signed_fig(c[2], sizeof c[2], slack, wide, true);
    signed_fig(c[3], sizeof c[3], tags, wide, true);
    fprintf(out, "  %10s  %10s  %10s  %10s  %s\n", c[0], c[1], c[2], c[3],
            fit_path(pb, sizeof pb, ph->path, fit, RTPROF_TEXT_WIDTH - 50));
  }
  free(v);
}

void rtprof_text_memory(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o, const rtprof_fit_t *fit) {
  text_peak(out, m, o, fit);
  text_growth(out, m, o, fit);
  text_split(out, m, o, fit);
}

/* ---- JSON -------------------------------------------------------------------- */

static void json_split(FILE *out, const rtprof_memsplit_t *s) {
  if (!s->known) {
    fputs("null", out);
    return;
  }
  fprintf(out, "{\"rss_bytes\": %" PRIu64 ", \"committed_bytes\": %" PRIu64 ", \"live_bytes\": %" PRIu64
          ", \"slack_bytes\": %" PRId64 ", \"rtprof_bytes\": %" PRIu64 ", \"tag_bytes\": %" PRIu64
          ", \"table_bytes\": %" PRId64 ", \"rest_bytes\": %" PRId64 "}",
          s->rss, s->committed, s->live, s->slack, s->overhead, s->tags, s->tables, s->rest);
}

/* "peak", "suppressed", "growing" and "memory". shown: the sites listed in
 * "sites" (the peak names only those: with --top the rest is in
 * other_live_bytes). */
void rtprof_json_memory(FILE *out, const rtprof_model_t *m, const bool *shown) {
  const rtprof_mpeak_t *p = &m->peak;
  if (p->present) {
    size_t *idx, n = rtprof_peak_sites(m, &idx);
    uint64_t listed = 0;
    for (size_t r = 0; r < n; r++)
      if (shown[idx[r]]) listed += m->sites[idx[r]].at_peak;
    fprintf(out, "  \"peak\": {\"live_bytes\": %" PRIu64 ", \"time_ns\": %" PRIu64 ", \"total_live_bytes\": %" PRIu64
            ", \"other_live_bytes\": %" PRIu64 ", \"suppressed_live_bytes\": %" PRIu64 ", \"overflow_live_bytes\": %" PRIu64
            ", \"outside_phases_live_bytes\": %" PRIu64 ", \"live_blocks\": %" PRIu64 ", \"phase\": ",
            listed, p->t_ns, p->live_bytes, p->live_bytes - listed, p->suppressed_bytes, p->overflow_bytes,
            p->outside_phases, p->live_blocks);
    rtprof_json_str(out, p->phase >= 0 ? m->phases[p->phase].path : NULL);
    fputs(",\n    \"sites\": [", out);
    bool first = true;
    for (size_t r = 0; r < n; r++) {
      if (!shown[idx[r]]) continue;
      fprintf(out, "%s{\"id\": %" PRIu64 ", \"live_bytes\": %" PRIu64 "}", first ? "" : ", ", m->sites[idx[r]].id,
              m->sites[idx[r]].at_peak);
      first = false;
    }
    free(idx);
    fputs("],\n    \"phases\": [", out);
    n = rtprof_peak_phases(m, &idx);
    for (size_t r = 0; r < n; r++) {
      fputs(r ? ", {\"path\": " : "{\"path\": ", out);
      rtprof_json_str(out, m->phases[idx[r]].path);
      fprintf(out, ", \"live_bytes\": %" PRIu64 "}", m->phases[idx[r]].at_peak);
    }
    free(idx);
    fputs("]},\n", out);
  }
  const rtprof_suppressed_t *s = &m->suppressed;
  bool recorded = p->present; /* dumps from before the peak was recorded have neither */
  fprintf(out, "  \"suppressed\": {\"sites\": %" PRIu64 ", \"live_blocks\": %" PRIu64 ", \"live_bytes\": %" PRIu64
          ", \"allocs\": %" PRIu64 ", \"alloc_bytes\": %" PRIu64 ", \"by_default\": %" PRIu64 "},\n",
          s->sites, s->live_blocks, s->live_bytes, s->allocs, s->alloc_bytes, s->by_default);
  if (!recorded) return;
  fputs("  \"growing\": [", out);
  bool first = true;
  for (size_t i = 0; i < m->ngrowth; i++) {
    const rtprof_growth_t *g = &m->growth[i];
    if (m->sites[g->site].suppressed) continue;
    fprintf(out, "%s\n    {\"id\": %" PRIu64 ", \"phase\": ", first ? "" : ",", m->sites[g->site].id);
    first = false;
    rtprof_json_str(out, g->phase >= 0 ? m->phases[g->phase].path : NULL);
    fprintf(out, ", \"calls\": %" PRIu64 ", \"first_live_bytes\": %" PRIu64 ", \"last_live_bytes\": %" PRIu64
            ", \"per_call_bytes\": %" PRId64 ", \"t_first_ns\": %" PRIu64 ", \"t_last_ns\": %" PRIu64
            ", \"points\": %u}",
            g->calls, g->first, g->last, g->per_call, g->t_first, g->t_last, g->points);
  }
  fputs(first ? "],\n" : "\n  ],\n", out);
  rtprof_memsplit_t e = rtprof_memsplit_exit(m), pk = rtprof_memsplit_peak(m);
  fputs("  \"memory\": {\"exit\": ", out);
  json_split(out, &e);
  fputs(",\n             \"peak\": ", out);
  json_split(out, &pk);
  fputs(",\n             \"phases\": [", out);
  first = true;
  for (size_t i = 0; i < m->nphase_order; i++) {
    const rtprof_rphase_t *ph = &m->phases[m->phase_order[i]];
    int64_t live, tags, slack;
    rtprof_memsplit_phase(ph, &live, &tags, &slack);
    fputs(first ? "{\"path\": " : ", {\"path\": ", out);
    first = false;
    rtprof_json_str(out, ph->path);
    fprintf(out, ", \"committed_delta\": %" PRId64 ", \"live_delta\": %" PRId64 ", \"tag_delta\": %" PRId64
            ", \"slack_delta\": %" PRId64 "}", ph->committed_delta, live, tags, slack);
  }
  fputs("]},\n", out);
}
