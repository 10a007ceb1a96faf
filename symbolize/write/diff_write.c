/* Prints a diff (diff.c): aligned text for people, with before -> after pairs
 * in one unit and signed changes, in 100 columns (or every column with
 * --wide: write/fit.c); JSON for scripts, the schema of docs/diff-check.md
 * ("format": "rtprof-diff"). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

#define MINUS "\xe2\x88\x92"  /* U+2212 */
#define ARROW "\xe2\x86\x92"  /* U+2192 */
#define CELL 96
#define LABEL_MAX 8192

static uint64_t mag(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

static void pad(FILE *out, const char *s, int w, bool right) {
  int n = w - rtprof_text_width(s);
  if (right)
    for (; n > 0; n--) fputc(' ', out);
  fputs(s, out);
  if (!right)
    for (; n > 0; n--) fputc(' ', out);
}

/* "1.5 MiB", "−512 B"; with sign "+1.5 MiB"; compact (not wide) "1.50M" */
static void bytes_cell(char *out, size_t n, int64_t v, bool sign, bool wide) {
  char h[40];
  if (!wide) {
    rtprof_compact_signed(h, sizeof h, v, MINUS);
    snprintf(out, n, "%s", sign || h[0] != '+' ? h : h + 1);
    return;
  }
  rtprof_human_bytes(h, sizeof h, mag(v));
  snprintf(out, n, "%s%s", v < 0 ? MINUS : sign && v > 0 ? "+" : "", h);
}

static void count_cell(char *out, size_t n, int64_t v, bool wide) {
  if (wide || v < 0) snprintf(out, n, "%" PRId64, v);
  else rtprof_compact_count(out, n, (uint64_t)v);
}

/* "before → after" of bytes (one unit when wide) or of counts; "-" for an
 * absent side; compact and without spaces when not wide. */
static void pair_cell(char *out, size_t n, bool has_b, int64_t b, bool has_a, int64_t a, bool bytes, bool sign,
                      bool wide) {
  if (has_b && has_a && wide) {
    if (bytes) rtprof_human_pair(out, n, b, a, sign);
    else snprintf(out, n, "%" PRId64 " " ARROW " %" PRId64, b, a);
    return;
  }
  char side[2][48] = {"-", "-"};
  for (int i = 0; i < 2; i++) {
    if (!(i ? has_a : has_b)) continue;
    int64_t v = i ? a : b;
    if (bytes) bytes_cell(side[i], sizeof side[i], v, sign, wide);
    else count_cell(side[i], sizeof side[i], v, wide);
  }
  snprintf(out, n, wide ? "%s " ARROW " %s" : "%s" ARROW "%s", side[0], side[1]); /* 100 columns: "1.00M→256K" */
}

/* ---- text ------------------------------------------------------------------- */
typedef struct table_s {      /* rows of cells, aligned by characters shown */
  size_t ncols, nrows, cap;
  char (*cells)[CELL];
  char **tails;               /* the last, unaligned column (phase, site) */
  const rtprof_frame_t **frames; /* a site's frame: its label is the tail */
  const rtprof_symtab_t **st;
  const rtprof_fit_t *fit;
  int w[16];
  bool right[16];
} table_t;

static char *cell(table_t *t, size_t row, size_t col) { return t->cells[row * t->ncols + col]; }

static size_t table_row(table_t *t) {
  rtprof_grow(&t->cells, &t->cap, (t->nrows + 1) * t->ncols, sizeof *t->cells);
  memset(t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof *t->cells);
  t->tails = rtprof_xrealloc(t->tails, t->nrows + 1, sizeof *t->tails);
  t->frames = rtprof_xrealloc(t->frames, t->nrows + 1, sizeof *t->frames);
  t->st = rtprof_xrealloc(t->st, t->nrows + 1, sizeof *t->st);
  t->tails[t->nrows] = NULL;
  t->frames[t->nrows] = NULL;
  return t->nrows++;
}

/* Prints the heads and the rows, then frees the table. A row's tail is its
 * frame's label (then its tail string, a suffix) or its tail string, cut to
 * the columns left unless wide. */
static void table_print(FILE *out, table_t *t, const char *const *heads, const char *tail_head) {
  int room = RTPROF_TEXT_WIDTH - 2;
  for (size_t c = 0; c < t->ncols; c++) t->w[c] = rtprof_text_width(heads[c]);
  for (size_t r = 0; r < t->nrows; r++)
    for (size_t c = 0; c < t->ncols; c++)
      if (rtprof_text_width(cell(t, r, c)) > t->w[c]) t->w[c] = rtprof_text_width(cell(t, r, c));
  for (size_t c = 0; c < t->ncols; c++) room -= t->w[c] + 2;
  if (room < 24) room = 24;
  for (size_t r = 0; r <= t->nrows; r++) {
    for (size_t c = 0; c < t->ncols; c++) {
      fputs("  ", out);
      pad(out, r ? cell(t, r - 1, c) : heads[c], t->w[c], t->right[c]);
    }
    if (r == 0) {
      fprintf(out, "  %s\n", tail_head);
      continue;
    }
    const char *suffix = t->tails[r - 1] ? t->tails[r - 1] : "";
    if (t->frames[r - 1]) {
      char label[LABEL_MAX];
      rtprof_fit_label(t->fit, t->st[r - 1], t->frames[r - 1], label, sizeof label, true,
                       room - rtprof_text_width(suffix));
      fprintf(out, "  %s%s\n", label, suffix);
    } else {
      if (!t->fit->wide) rtprof_fit_cut(t->tails[r - 1], room);
      fprintf(out, "  %s\n", suffix);
    }
  }
  for (size_t r = 0; r < t->nrows; r++) free(t->tails[r]);
  free(t->tails);
  free(t->frames);
  free(t->st);
  free(t->cells);
  memset(t, 0, sizeof *t);
}

static void text_dump(FILE *out, const char *what, const rtprof_model_t *m, bool with_exe) {
  const rtprof_dump_t *d = &m->dumps[0];
  fprintf(out, "  %-7s  %s%s%s (pid %" PRIu64 ", depth %" PRIu64 ", written at %s)\n", what, d->file,
          with_exe ? ": " : "", with_exe ? d->exe : "", d->pid, d->depth, d->reason);
}

static void text_totals(FILE *out, const rtprof_diff_t *df) {
  const rtprof_totals_t *b = &df->m[0]->totals, *a = &df->m[1]->totals;
  struct { const char *label; uint64_t b, a; bool bytes; } rows[] = {
      {"peak committed", b->peak_committed_bytes, a->peak_committed_bytes, true},
      {"committed at exit", b->committed_bytes, a->committed_bytes, true},
      {"peak live", b->peak_live_bytes, a->peak_live_bytes, true},
      {"live at exit", b->live_bytes, a->live_bytes, true},
      {"alloc bytes", b->alloc_bytes, a->alloc_bytes, true},
      {"allocs", b->allocs, a->allocs, false},
      {"frees", b->frees, a->frees, false},
      {"peak rss", b->peak_rss_bytes, a->peak_rss_bytes, true},
      {"overhead", b->overhead_bytes, a->overhead_bytes, true},
  };
  fprintf(out, "\nTotals (before " ARROW " after)\n");
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    char p[CELL], pct[32];
    pair_cell(p, sizeof p, true, (int64_t)rows[i].b, true, (int64_t)rows[i].a, rows[i].bytes, false, true);
    rtprof_human_percent(pct, sizeof pct, (int64_t)rows[i].b, (int64_t)rows[i].a);
    fprintf(out, "  %-18s %s, %s\n", rows[i].label, p, pct);
  }
}

static size_t count_sites(const rtprof_diff_t *df, rtprof_change_t which) {
  size_t k = 0;
  for (size_t i = 0; i < df->nsites; i++) k += df->sites[i].status == which;
  return k;
}

static size_t count_phases(const rtprof_diff_t *df, rtprof_change_t which) {
  size_t k = 0;
  for (size_t i = 0; i < df->nphases; i++) k += df->phases[i].status == which;
  return k;
}

/* Bytes allocated in the phase or its nested phases and still live. */
static int64_t cum_live(const rtprof_rphase_t *p) { return (int64_t)(p->cum_alloc_bytes - p->cum_freed_bytes); }

static void text_phases(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o, const rtprof_fit_t *fit) {
  static const char *const heads[] = {"change", "status", "calls", "committed delta", "per call", "live delta",
                                      "alloc bytes", "live at exit", "phase"};
  /* 100 columns: calls (when they differ) go after the path, the per-call
   * delta only with --wide */
  static const char *const short_heads[] = {"change", "status", "committed \xce\x94", "live \xce\x94",
                                            "alloc bytes", "live at exit", "phase"};
  bool wide = fit->wide;
  size_t same = count_phases(df, RTPROF_CHANGE_UNCHANGED);
  size_t changed = df->nphases - same;
  fprintf(out, "\nPhases by size of change (%zu changed, %zu unchanged; matched by path; bytes with nested phases)\n",
          changed, same);
  if (changed == 0) {
    fprintf(out, "  none changed\n");
    return;
  }
  table_t t = {.ncols = wide ? 8 : 6, .right = {true, false, true, true, true, true, true, true}, .fit = fit};
  size_t shown = 0;
  for (size_t i = 0; i < df->nphases && (!o->top || shown < o->top); i++) {
    const rtprof_dphase_t *d = &df->phases[i];
    if (d->status == RTPROF_CHANGE_UNCHANGED) continue;
    const rtprof_rphase_t *b = d->side[0], *a = d->side[1];
    size_t r = table_row(&t);
    size_t c = 0;
    bytes_cell(cell(&t, r, c++), CELL, d->change, true, wide);
    snprintf(cell(&t, r, c++), CELL, "%s", rtprof_change_name(d->status));
    if (wide)
      pair_cell(cell(&t, r, c++), CELL, b, b ? (int64_t)b->calls : 0, a, a ? (int64_t)a->calls : 0, false, false, wide);
    pair_cell(cell(&t, r, c++), CELL, b, b ? b->committed_delta : 0, a, a ? a->committed_delta : 0, true, true, wide);
    if (wide)
      pair_cell(cell(&t, r, c++), CELL, b, b ? rtprof_phase_per_call(b) : 0, a, a ? rtprof_phase_per_call(a) : 0,
                true, true, wide);
    pair_cell(cell(&t, r, c++), CELL, b, b ? b->live_delta : 0, a, a ? a->live_delta : 0, true, true, wide);
    pair_cell(cell(&t, r, c++), CELL, b, b ? (int64_t)b->cum_alloc_bytes : 0, a, a ? (int64_t)a->cum_alloc_bytes : 0,
              true, false, wide);
    pair_cell(cell(&t, r, c++), CELL, b, b ? cum_live(b) : 0, a, a ? cum_live(a) : 0, true, false, wide);
    if (!wide && (!b || !a || b->calls != a->calls)) {
      char calls[CELL];
      pair_cell(calls, sizeof calls, b, b ? (int64_t)b->calls : 0, a, a ? (int64_t)a->calls : 0, false, false, wide);
      size_t n = strlen(d->path) + strlen(calls) + 16;
      t.tails[r] = rtprof_xmalloc(n);
      snprintf(t.tails[r], n, "%s (calls %s)", d->path, calls);
    } else {
      t.tails[r] = rtprof_xstrndup(d->path, strlen(d->path));
    }
    shown++;
  }
  if (wide) table_print(out, &t, heads, heads[8]);
  else table_print(out, &t, short_heads, short_heads[6]);
  if (shown < changed) fprintf(out, "  (%zu more changed phases; --top 0 shows all)\n", changed - shown);
}

static void text_sites(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o, const rtprof_fit_t *fit) {
  bool wide = fit->wide;
  static const char *const heads[] = {"change", "status", "alloc bytes", "allocs", "live bytes", "site"};
  size_t same = count_sites(df, RTPROF_CHANGE_UNCHANGED);
  size_t changed = df->nsites - same;
  fprintf(out, "\nSites by size of change (%zu changed, %zu unchanged; matched by function and file:line)\n", changed,
          same);
  if (changed == 0) {
    fprintf(out, "  none changed\n");
    return;
  }
  table_t t = {.ncols = 5, .right = {true, false, true, true, true}, .fit = fit};
  size_t shown = 0;
  for (size_t i = 0; i < df->nsites && (!o->top || shown < o->top); i++) {
    const rtprof_dsite_t *d = &df->sites[i];
    if (d->status == RTPROF_CHANGE_UNCHANGED) continue;
    const rtprof_dside_t *b = &d->side[0], *a = &d->side[1];
    size_t r = table_row(&t);
    bytes_cell(cell(&t, r, 0), CELL, d->change, true, wide);
    snprintf(cell(&t, r, 1), CELL, "%s", rtprof_change_name(d->status));
    pair_cell(cell(&t, r, 2), CELL, b->frame, (int64_t)b->alloc_bytes, a->frame, (int64_t)a->alloc_bytes, true, false,
              wide);
    pair_cell(cell(&t, r, 3), CELL, b->frame, (int64_t)b->allocs, a->frame, (int64_t)a->allocs, false, false, wide);
    pair_cell(cell(&t, r, 4), CELL, b->frame, (int64_t)(b->alloc_bytes - b->freed_bytes), a->frame,
              (int64_t)(a->alloc_bytes - a->freed_bytes), true, false, wide);
    int side = a->frame ? 1 : 0;
    t.st[r] = df->m[side]->st;
    t.frames[r] = d->side[side].frame;
    if (d->by_file_name) t.tails[r] = rtprof_xstrndup(" (matched by file name)", 23);
    shown++;
  }
  table_print(out, &t, heads, heads[5]);
  if (shown < changed) fprintf(out, "  (%zu more changed sites; --top 0 shows all)\n", changed - shown);
}

/* A phase path for a header line: whole with --wide, else cut to width. */
static char *fit_path(const char *path, int width, bool wide) {
  char *s = rtprof_xstrndup(path, strlen(path));
  if (!wide) rtprof_fit_cut(s, width);
  return s;
}

/* What each run held at its highest live bytes, by site and by phase (flat),
 * largest change first; when the dumps record the peak (write/diff_peak.c). */
static void text_peak(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o, const rtprof_fit_t *fit) {
  static const char *const site_heads[] = {"at the peak", "site"};
  static const char *const phase_heads[] = {"at the peak", "phase"};
  const rtprof_mpeak_t *pb = &df->m[0]->peak, *pa = &df->m[1]->peak;
  if (!pb->present && !pa->present) return;
  bool wide = fit->wide;
  char c[CELL];
  pair_cell(c, sizeof c, pb->present, (int64_t)pb->live_bytes, pa->present, (int64_t)pa->live_bytes, true, false, wide);
  int room = (RTPROF_TEXT_WIDTH - 45 - rtprof_text_width(c)) / 2; /* the two paths share the line */
  char *b = fit_path(pb->phase >= 0 ? df->m[0]->phases[pb->phase].path : "-", room < 12 ? 12 : room, wide);
  char *a = fit_path(pa->phase >= 0 ? df->m[1]->phases[pa->phase].path : "-", room < 12 ? 12 : room, wide);
  fprintf(out, "\nLive at the peak (before " ARROW " after): %s, in %s " ARROW " %s\n", c, b, a);
  free(b);
  free(a);
  rtprof_prow_t *v;
  size_t n = rtprof_diff_peak_sites(df, &v), shown = o->top && o->top < n ? o->top : n;
  fprintf(out, "  by site (%zu of %zu, largest change first)\n", shown, n);
  table_t t = {.ncols = 1, .right = {true}, .fit = fit};
  for (size_t r = 0; r < shown; r++) {
    const rtprof_dsite_t *d = &df->sites[v[r].i];
    int side = d->side[1].frame ? 1 : 0;
    size_t row = table_row(&t);
    pair_cell(cell(&t, row, 0), CELL, true, (int64_t)v[r].b, true, (int64_t)v[r].a, true, false, wide);
    t.st[row] = df->m[side]->st;
    t.frames[row] = d->side[side].frame;
  }
  if (shown) table_print(out, &t, site_heads, site_heads[1]);
  free(v);
  n = rtprof_diff_peak_phases(df, &v);
  shown = o->top && o->top < n ? o->top : n;
  fprintf(out, "  by phase (%zu of %zu, flat)\n", shown, n);
  t = (table_t){.ncols = 1, .right = {true}, .fit = fit};
  for (size_t r = 0; r < shown; r++) {
    size_t row = table_row(&t);
    pair_cell(cell(&t, row, 0), CELL, true, (int64_t)v[r].b, true, (int64_t)v[r].a, true, false, wide);
    t.tails[row] = rtprof_xstrndup(df->phases[v[r].i].path, strlen(df->phases[v[r].i].path));
  }
  if (shown) table_print(out, &t, phase_heads, phase_heads[1]);
  free(v);
}

static void text_summary(FILE *out, const rtprof_diff_t *df) {
  fprintf(out, "\nSummary\n");
  for (int what = 0; what < 2; what++) {
    fprintf(out, "  %-7s", what ? "phases" : "sites");
    for (int c = 0; c < RTPROF_CHANGE_LAST; c++)
      fprintf(out, "%s%zu %s", c ? ", " : " ",
              what ? count_phases(df, (rtprof_change_t)c) : count_sites(df, (rtprof_change_t)c),
              rtprof_change_name((rtprof_change_t)c));
    fputc('\n', out);
  }
}

static void write_text(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o) {
  rtprof_fit_t fit;
  rtprof_fit_init(&fit, (const rtprof_model_t *const *)df->m, 2, o->wide);
  fprintf(out, "rtprof diff: before " ARROW " after\n");
  /* 100 columns: the program once when both runs ran the same one */
  bool same = !o->wide && strcmp(df->m[0]->dumps[0].exe, df->m[1]->dumps[0].exe) == 0;
  if (same) fprintf(out, "  program  %s\n", df->m[0]->dumps[0].exe);
  text_dump(out, "before", df->m[0], !same);
  text_dump(out, "after", df->m[1], !same);
  rtprof_fit_sources(out, &fit);
  if (df->by_file_name)
    fprintf(out, "  matched  %zu site%s by function, file name and line (their paths differ)\n", df->by_file_name,
            df->by_file_name == 1 ? "" : "s");
  text_totals(out, df);
  text_phases(out, df, o, &fit);
  text_sites(out, df, o, &fit);
  text_peak(out, df, o, &fit);
  text_summary(out, df);
  rtprof_fit_free(&fit);
}

/* ---- JSON -------------------------------------------------------------------- */
static void json_dump(FILE *out, const char *what, const rtprof_model_t *m) {
  const rtprof_dump_t *d = &m->dumps[0];
  fprintf(out, "  \"%s\": {\"file\": ", what);
  rtprof_json_str(out, d->file);
  fputs(", \"program\": ", out);
  rtprof_json_str(out, d->exe);
  fprintf(out, ", \"pid\": %" PRIu64 ", \"reason\": ", d->pid);
  rtprof_json_str(out, d->reason);
  fputs("},\n", out);
}

static void json_percent(FILE *out, uint64_t b, uint64_t a) {
  if (b == 0) fputs("null", out);
  else fprintf(out, "%.1f", ((double)a - (double)b) * 100.0 / (double)b);
}

static void json_totals(FILE *out, const rtprof_diff_t *df) {
  const rtprof_totals_t *b = &df->m[0]->totals, *a = &df->m[1]->totals;
  struct { const char *name; uint64_t b, a; } rows[] = {
      {"allocs", b->allocs, a->allocs},
      {"frees", b->frees, a->frees},
      {"alloc_bytes", b->alloc_bytes, a->alloc_bytes},
      {"freed_bytes", b->freed_bytes, a->freed_bytes},
      {"live_blocks", b->live_blocks, a->live_blocks},
      {"live_bytes", b->live_bytes, a->live_bytes},
      {"peak_live_bytes", b->peak_live_bytes, a->peak_live_bytes},
      {"committed_bytes", b->committed_bytes, a->committed_bytes},
      {"peak_committed_bytes", b->peak_committed_bytes, a->peak_committed_bytes},
      {"rss_bytes", b->rss_bytes, a->rss_bytes},
      {"peak_rss_bytes", b->peak_rss_bytes, a->peak_rss_bytes},
      {"overhead_bytes", b->overhead_bytes, a->overhead_bytes},
  };
  fputs("  \"totals\": {", out);
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    fprintf(out, "%s\n    \"%s\": {\"before\": %" PRIu64 ", \"after\": %" PRIu64 ", \"delta\": %" PRId64
            ", \"percent\": ", i ? "," : "", rows[i].name, rows[i].b, rows[i].a, rtprof_delta_u64(rows[i].b, rows[i].a));
    json_percent(out, rows[i].b, rows[i].a);
    fputc('}', out);
  }
  fputs("\n  },\n", out);
}

static void json_phase_side(FILE *out, const rtprof_rphase_t *p) {
  if (!p) {
    fputs("null", out);
    return;
  }
  fprintf(out, "{\"calls\": %" PRIu64 ", \"committed_delta\": %" PRId64 ", \"committed_delta_max\": %" PRId64
          ", \"committed_per_call\": %" PRId64 ", \"live_delta\": %" PRId64 ", \"cum_allocs\": %" PRIu64
          ", \"cum_alloc_bytes\": %" PRIu64 ", \"cum_live_bytes\": %" PRId64 ", \"wall_ns\": %" PRIu64 "}",
          p->calls, p->committed_delta, p->committed_delta_max, rtprof_phase_per_call(p), p->live_delta,
          p->cum_allocs, p->cum_alloc_bytes, cum_live(p), p->wall_ns);
}

static void json_site_side(FILE *out, const rtprof_dside_t *s) {
  if (!s->frame) {
    fputs("null", out);
    return;
  }
  fprintf(out, "{\"id\": %" PRIu64 ", \"sites\": %u, \"allocs\": %" PRIu64 ", \"alloc_bytes\": %" PRIu64
          ", \"frees\": %" PRIu64 ", \"freed_bytes\": %" PRIu64 ", \"live_blocks\": %" PRId64
          ", \"live_bytes\": %" PRId64 "}",
          s->first_id, s->nsites, s->allocs, s->alloc_bytes, s->frees, s->freed_bytes,
          (int64_t)(s->allocs - s->frees), (int64_t)(s->alloc_bytes - s->freed_bytes));
}

/* Entries listed: all, or with --top the first N (unchanged ones last). */
static size_t json_limit(size_t n, const rtprof_diff_opts_t *o) {
  return o->top_given && o->top && o->top < n ? o->top : n;
}

static void json_summary(FILE *out, const rtprof_diff_t *df, bool phases) {
  fprintf(out, "\"%s\": {", phases ? "phases" : "sites");
  for (int c = 0; c < RTPROF_CHANGE_LAST; c++)
    fprintf(out, "%s\"%s\": %zu", c ? ", " : "", rtprof_change_name((rtprof_change_t)c),
            phases ? count_phases(df, (rtprof_change_t)c) : count_sites(df, (rtprof_change_t)c));
  fputc('}', out);
}

static void write_json(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o) {
  fputs("{\n  \"format\": \"rtprof-diff\",\n  \"version\": 1,\n", out);
  json_dump(out, "before", df->m[0]);
  json_dump(out, "after", df->m[1]);
  json_totals(out, df);
  fputs("  \"phases\": [", out);
  size_t n = json_limit(df->nphases, o);
  for (size_t i = 0; i < n; i++) {
    const rtprof_dphase_t *d = &df->phases[i];
    fprintf(out, "%s\n    {\"path\": ", i ? "," : "");
    rtprof_json_str(out, d->path);
    fprintf(out, ", \"status\": \"%s\", \"change\": %" PRId64 ",\n     \"before\": ", rtprof_change_name(d->status),
            d->change);
    json_phase_side(out, d->side[0]);
    fputs(",\n     \"after\": ", out);
    json_phase_side(out, d->side[1]);
    fputc('}', out);
  }
  fputs(n ? "\n  ],\n" : "],\n", out);
  fputs("  \"sites\": [", out);
  n = json_limit(df->nsites, o);
  for (size_t i = 0; i < n; i++) {
    const rtprof_dsite_t *d = &df->sites[i];
    int side = d->side[1].frame ? 1 : 0;
    fprintf(out, "%s\n    {\"status\": \"%s\", \"change\": %" PRId64 ", \"match\": \"%s\",\n     \"frame\": ",
            i ? "," : "", rtprof_change_name(d->status), d->change,
            d->by_file_name ? "file_name" : d->side[0].frame && d->side[1].frame ? "exact" : "none");
    rtprof_json_frame(out, df->m[side]->st, d->side[side].frame);
    fputs(",\n     \"before\": ", out);
    json_site_side(out, &d->side[0]);
    fputs(",\n     \"after\": ", out);
    json_site_side(out, &d->side[1]);
    fputc('}', out);
  }
  fputs(n ? "\n  ],\n" : "],\n", out);
  rtprof_diff_json_peak(out, df, o);
  fputs("  \"summary\": {", out);
  json_summary(out, df, false);
  fputs(", ", out);
  json_summary(out, df, true);
  fputs("}\n}\n", out);
}

void rtprof_diff_write(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o) {
  if (o->json) {
    write_json(out, df, o);
    return;
  }
  FILE *text = rtprof_text_open(out); /* names from the dumps: no terminal escapes */
  write_text(text, df, o);
  fclose(text);
}
