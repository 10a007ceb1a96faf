/* Prints a merged report: aligned text for people (100 columns, or as wide
 * as it needs with --wide: write/fit.c), JSON for scripts (the schema of
 * DESIGN.md "JSON report"), or collapsed stacks for flame graphs. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

#define PHASE_TOP_SITES 5
#define LABEL_MAX 8192

static int64_t live_of(uint64_t a, uint64_t f) { return (int64_t)(a - f); }
#define json_live(a, f) rtprof_dec_diff((a), (f)).s /* exact, for JSON */

static const char *sort_name(rtprof_sort_t s) {
  return s == RTPROF_SORT_COUNT ? "allocs" : s == RTPROF_SORT_LIVE ? "live bytes" : "alloc bytes";
}

/* Sites shown: sorted, cut to --top (text always; JSON and collapsed only
 * when --top was given). */
static size_t shown_sites(const rtprof_model_t *m, const rtprof_report_opts_t *o, bool always_top) {
  size_t n = rtprof_model_shown_sites(m); /* suppressed sites: apart (write/memory.c) */
  if ((always_top || o->top_given) && o->top && o->top < n) n = o->top;
  return n;
}

/* ---- text --------------------------------------------------------------- */
/* "  dump     FILE[: EXE] (pid, depth, why written[, snapshots])" */
static void text_dump_line(FILE *out, const rtprof_dump_t *d, bool with_exe, bool wide) {
  /* 100 columns: the figures on a line of their own, paths never cut */
  fprintf(out, "  dump     %s%s%s%s(pid %" PRIu64 ", depth %" PRIu64 ", written at %s", d->file, with_exe ? ": " : "",
          with_exe ? d->exe : "", wide ? " " : "\n           ", d->pid, d->depth, d->reason);
  if (d->nsnapshots) {
    fprintf(out, ", %zu snapshot%s", d->nsnapshots, d->nsnapshots == 1 ? "" : "s");
    if (d->interval_ms) fprintf(out, " every %" PRIu64 " ms", d->interval_ms);
  }
  fputs(")\n", out);
}

static void text_header(FILE *out, const rtprof_model_t *m, const rtprof_fit_t *fit) {
  const rtprof_symtab_t *st = m->st;
  if (m->ndumps == 1) {
    fprintf(out, "rtprof report: %s\n", m->dumps[0].exe);
    text_dump_line(out, &m->dumps[0], false, fit->wide);
  } else {
    fprintf(out, "rtprof report: %zu dumps merged\n", m->ndumps);
    for (size_t i = 0; i < m->ndumps; i++) text_dump_line(out, &m->dumps[i], true, fit->wide);
  }
  rtprof_fit_sources(out, fit);
  uint64_t bad = st->addresses - st->resolved;
  if (bad == 0) {
    fprintf(out, "  symbols  all %" PRIu64 " addresses resolved to file:line\n", st->addresses);
  } else {
    fprintf(out, "  symbols  %" PRIu64 " of %" PRIu64 " addresses not resolved to file:line:\n", bad, st->addresses);
    for (size_t i = 0; i < st->nmods; i++) {
      const rtprof_smodule_t *sm = &st->mods[i];
      if (!sm->unresolved) continue;
      const char *why = sm->status == RTPROF_SYM_OK ? "no symbol or no line info" : rtprof_sym_reason(sm->status);
      fprintf(out, "           %s: %s", sm->path, why);
      if (sm->status == RTPROF_SYM_MISMATCH) fprintf(out, " (%s was rebuilt: %s)", sm->path, sm->detail);
      else if (sm->detail) fprintf(out, " (%s)", sm->detail);
      fprintf(out, " - %" PRIu64 " address%s\n", sm->unresolved, sm->unresolved == 1 ? "" : "es");
    }
    if (st->no_module)
      fprintf(out, "           outside every module: %" PRIu64 " address%s\n", st->no_module,
              st->no_module == 1 ? "" : "es");
  }
  if (m->id_merged)
    fprintf(out, "  merged   %" PRIu64 " dump sites into others with the same %s\n", m->id_merged,
            "symbolized identity");
}

static void text_totals(FILE *out, const rtprof_model_t *m) {
  const rtprof_totals_t *t = &m->totals;
  struct { const char *label; uint64_t v; bool bytes; } rows[] = {
      {"allocs", t->allocs, false},
      {"frees", t->frees, false},
      {"alloc bytes", t->alloc_bytes, true},
      {"freed bytes", t->freed_bytes, true},
      {"live blocks", t->live_blocks, false},
      {"live bytes", t->live_bytes, true},
      {"peak live bytes", t->peak_live_bytes, true},
      {"committed bytes", t->committed_bytes, true},
      {"peak committed bytes", t->peak_committed_bytes, true},
      {"rss bytes", t->rss_bytes, true},
      {"peak rss bytes", t->peak_rss_bytes, true},
      {"overhead bytes", t->overhead_bytes, true},
      {"failed allocs", t->failed_allocs, false},
  };
  int w = 1;
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    int n = snprintf(NULL, 0, "%" PRIu64, rows[i].v);
    if (n > w) w = n;
  }
  fprintf(out, "\nTotals\n");
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    fprintf(out, "  %-22s %*" PRIu64, rows[i].label, w, rows[i].v);
    if (rows[i].bytes && rows[i].v >= 1024) {
      char h[32];
      rtprof_human_bytes(h, sizeof h, rows[i].v);
      fprintf(out, "  (%s)", h);
    }
    fputc('\n', out);
  }
}

/* The site's label and the frames printed under it: the inline chain of
 * frames[0] always, the whole stack with --stacks. */
static void text_site_lines(FILE *out, const rtprof_model_t *m, const rtprof_rsite_t *s, int indent, bool stacks,
                            const rtprof_fit_t *fit) {
  char label[LABEL_MAX];
  int room = RTPROF_TEXT_WIDTH - indent - 2;
  rtprof_fit_label(fit, m->st, &s->frames[0], label, sizeof label, true, room);
  fprintf(out, "%s\n", label);
  for (uint32_t k = 1; k < s->nframes; k++) {
    bool inl = s->frames[k - 1].inlined;
    if (!inl && !stacks) break;
    rtprof_fit_label(fit, m->st, &s->frames[k], label, sizeof label, true, room - 13);
    fprintf(out, "%*s  %s %s\n", indent, "", inl ? "inlined into" : "called from", label);
  }
  for (uint32_t k = 0; stacks && k < s->nfolded; k++) { /* the wrappers --skip hid */
    rtprof_fit_label(fit, m->st, &s->folded[k], label, sizeof label, true, room - 18);
    fprintf(out, "%*s  folded by --skip: %s\n", indent, "", label);
  }
}

typedef struct cell_s { char s[40]; } cell_t;

/* Prints rows of right-aligned cells followed by each row's site. */
static void text_site_table(FILE *out, const rtprof_model_t *m, const size_t *idx, size_t n,
                            const char *const *heads, size_t ncols, bool stacks, const rtprof_fit_t *fit,
                            void (*fill)(const rtprof_rsite_t *, cell_t *, bool wide)) {
  cell_t *cells = rtprof_xcalloc(n * ncols + 1, sizeof *cells);
  int w[16] = {0};
  for (size_t c = 0; c < ncols; c++) w[c] = (int)strlen(heads[c]);
  for (size_t r = 0; r < n; r++) {
    snprintf(cells[r * ncols].s, sizeof cells->s, "%zu", r + 1);
    fill(&m->sites[idx[r]], &cells[r * ncols + 1], fit->wide);
    for (size_t c = 0; c < ncols; c++) {
      int l = (int)strlen(cells[r * ncols + c].s);
      if (l > w[c]) w[c] = l;
    }
  }
  int indent = 0;
  for (size_t c = 0; c < ncols; c++) {
    fprintf(out, "  %*s", w[c], heads[c]);
    indent += w[c] + 2;
  }
  fprintf(out, "  site\n");
  for (size_t r = 0; r < n; r++) {
    for (size_t c = 0; c < ncols; c++) fprintf(out, "  %*s", w[c], cells[r * ncols + c].s);
    fprintf(out, "  ");
    text_site_lines(out, m, &m->sites[idx[r]], indent, stacks, fit);
  }
  free(cells);
}

/* Cells of bytes and counts: compact ("192M", "460k") or, wide, as before. */
static void bytes_cell(cell_t *c, uint64_t v, bool wide) {
  if (wide) rtprof_human_bytes(c->s, sizeof c->s, v);
  else rtprof_compact_bytes(c->s, sizeof c->s, v);
}

static void signed_cell(cell_t *c, int64_t v, bool wide) {
  if (wide) rtprof_human_signed(c->s, sizeof c->s, v);
  else rtprof_compact_signed(c->s, sizeof c->s, v, "-");
}

static void count_cell(cell_t *c, int64_t v, bool wide) {
  if (wide || v < 0) snprintf(c->s, sizeof c->s, "%" PRId64, v);
  else rtprof_compact_count(c->s, sizeof c->s, (uint64_t)v);
}

static void fill_top(const rtprof_rsite_t *s, cell_t *c, bool wide) {
  snprintf(c[0].s, sizeof c->s, "%" PRIu64, s->id);
  bytes_cell(&c[1], s->alloc_bytes, wide);
  count_cell(&c[2], (int64_t)s->allocs, wide);
  signed_cell(&c[3], live_of(s->alloc_bytes, s->freed_bytes), wide);
  if (c[3].s[0] == '+') memmove(c[3].s, c[3].s + 1, strlen(c[3].s));
  count_cell(&c[4], live_of(s->allocs, s->frees), wide);
}

static void fill_leak(const rtprof_rsite_t *s, cell_t *c, bool wide) {
  snprintf(c[0].s, sizeof c->s, "%" PRIu64, s->id);
  bytes_cell(&c[1], s->alloc_bytes - s->freed_bytes, wide);
  count_cell(&c[2], live_of(s->allocs, s->frees), wide);
  bytes_cell(&c[3], s->alloc_bytes, wide);
  count_cell(&c[4], (int64_t)s->allocs, wide);
  /* a site that frees some of its blocks and keeps others is the likelier leak */
  if (s->frees) count_cell(&c[5], (int64_t)s->frees, wide);
  else snprintf(c[5].s, sizeof c->s, "never");
}

static void text_sites(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o, const rtprof_fit_t *fit) {
  static const char *const wide_top[] = {"#", "id", "alloc bytes", "allocs", "live bytes", "live blocks"};
  static const char *const wide_leak[] = {"#", "id", "live bytes", "live blocks", "alloc bytes", "allocs", "frees"};
  static const char *const short_top[] = {"#", "id", "bytes", "allocs", "live", "blocks"};
  static const char *const short_leak[] = {"#", "id", "live", "blocks", "bytes", "allocs", "frees"};
  const char *const *top_heads = fit->wide ? wide_top : short_top;
  const char *const *leak_heads = fit->wide ? wide_leak : short_leak;
  size_t *idx = rtprof_model_sorted_sites(m, o->sort);
  size_t n = shown_sites(m, o, true);
  fprintf(out, "\nTop sites by %s (%zu of %zu)%s\n", sort_name(o->sort), n, rtprof_model_shown_sites(m),
          fit->wide ? "" : ": bytes allocated; live bytes and blocks at exit");
  if (n == 0) fprintf(out, "  none\n");
  else text_site_table(out, m, idx, n, top_heads, 6, o->stacks, fit, fill_top);
  free(idx);

  idx = rtprof_model_sorted_sites(m, RTPROF_SORT_LIVE);
  size_t leaks = 0, shown = rtprof_model_shown_sites(m); /* suppressed sites sort last */
  while (leaks < shown && live_of(m->sites[idx[leaks]].alloc_bytes, m->sites[idx[leaks]].freed_bytes) > 0) leaks++;
  n = o->top && o->top < leaks ? o->top : leaks;
  fprintf(out, "\nLeaks (live at exit) by live bytes (%zu of %zu sites with live bytes)\n", n, leaks);
  if (n == 0) fprintf(out, "  none\n");
  else text_site_table(out, m, idx, n, leak_heads, 7, o->stacks, fit, fill_leak);
  free(idx);
}


enum { PC_NAME, PC_CALLS, PC_COMMITTED, PC_MAX, PC_LIVE_DELTA, PC_ALLOCS, PC_BYTES, PC_CUM, PC_LIVE, PC_WALL, PC_LAST };

static void text_phases(FILE *out, const rtprof_model_t *m, long root, const rtprof_fit_t *fit) {
  static const char *const wide_heads[PC_LAST] = {"phase", "calls", "committed", "max/call", "live delta", "allocs",
                                                  "alloc bytes", "cum bytes", "live bytes", "wall"};
  static const char *const short_heads[PC_LAST] = {"phase", "calls", "commit", "max/call", "live \xce\x94", "allocs",
                                                   "bytes", "cum", "live", "wall"};
  const char *const *heads = fit->wide ? wide_heads : short_heads;
  bool wide = fit->wide;
  if (wide)
    fprintf(out, "\nPhases (committed and live deltas summed over calls; allocs and bytes flat, cum with nested phases)\n");
  else
    fprintf(out, "\nPhases (commit, live \xce\x94: deltas summed over calls; allocs, bytes flat; cum: nested too)\n");
  size_t n = 0;
  uint32_t base_depth = root >= 0 ? m->phases[root].depth : 0;
  cell_t *cells = rtprof_xcalloc(m->nphase_order * PC_LAST + 1, sizeof *cells);
  char **names = rtprof_xcalloc(m->nphase_order + 1, sizeof *names);
  long *rows = rtprof_xcalloc(m->nphase_order + 1, sizeof *rows);
  int w[PC_LAST];
  for (int c = 0; c < PC_LAST; c++) w[c] = rtprof_text_width(heads[c]);
  for (size_t i = 0; i < m->nphase_order; i++) {
    long pi = m->phase_order[i];
    if (root >= 0 && !rtprof_model_phase_in(m, pi, root)) continue;
    const rtprof_rphase_t *p = &m->phases[pi];
    cell_t *c = &cells[n * PC_LAST];
    const char *shown = pi == root ? p->path : p->name;
    size_t len = 2 * (p->depth - base_depth) + strlen(shown) + 32;
    names[n] = rtprof_xmalloc(len);
    int k = snprintf(names[n], len, "%*s%s", (int)(2 * (p->depth - base_depth)), "", shown);
    if (p->open) snprintf(names[n] + k, len - (size_t)k, " [%" PRIu64 " open]", p->open);
    count_cell(&c[PC_CALLS], (int64_t)p->calls, wide);
    signed_cell(&c[PC_COMMITTED], p->committed_delta, wide);
    signed_cell(&c[PC_MAX], p->committed_delta_max, wide);
    signed_cell(&c[PC_LIVE_DELTA], p->live_delta, wide);
    count_cell(&c[PC_ALLOCS], (int64_t)p->allocs, wide);
    bytes_cell(&c[PC_BYTES], p->alloc_bytes, wide);
    bytes_cell(&c[PC_CUM], p->cum_alloc_bytes, wide);
    signed_cell(&c[PC_LIVE], live_of(p->alloc_bytes, p->freed_bytes), wide);
    if (c[PC_LIVE].s[0] == '+') memmove(c[PC_LIVE].s, c[PC_LIVE].s + 1, strlen(c[PC_LIVE].s));
    rtprof_human_ns(c[PC_WALL].s, sizeof c->s, p->wall_ns);
    for (int j = 1; j < PC_LAST; j++)
      if ((int)strlen(c[j].s) > w[j]) w[j] = (int)strlen(c[j].s);
    rows[n++] = pi;
  }
  /* 100 columns: the names share what the figures leave, their middles cut */
  int room = RTPROF_TEXT_WIDTH - 2;
  for (int j = 1; j < PC_LAST; j++) room -= 2 + w[j];
  for (size_t r = 0; r < n; r++) {
    if (!wide) {
      int indent = (int)(2 * (m->phases[rows[r]].depth - base_depth));
      rtprof_fit_cut(names[r] + indent, room - indent < 12 ? 12 : room - indent);
    }
    if (rtprof_text_width(names[r]) > w[PC_NAME]) w[PC_NAME] = rtprof_text_width(names[r]);
  }
  if (n == 0) {
    fprintf(out, "  none\n");
  } else {
    fprintf(out, "  %-*s", w[PC_NAME], heads[PC_NAME]);
    for (int j = 1; j < PC_LAST; j++) fprintf(out, "  %*s%s", w[j] - rtprof_text_width(heads[j]), "", heads[j]);
    fputc('\n', out);
  }
  for (size_t r = 0; r < n; r++) {
    const rtprof_rphase_t *p = &m->phases[rows[r]];
    fprintf(out, "  %s%*s", names[r], w[PC_NAME] - rtprof_text_width(names[r]), "");
    for (int j = 1; j < PC_LAST; j++) fprintf(out, "  %*s", w[j], cells[r * PC_LAST + j].s);
    fputc('\n', out);
    rtprof_rpair_t *v = rtprof_sorted_pairs(p);
    int ind = 2 * (int)(p->depth - base_depth) + 4;
    for (size_t k = 0; k < p->npairs && k < PHASE_TOP_SITES; k++) {
      cell_t b, l, a;
      char label[LABEL_MAX];
      bytes_cell(&b, v[k].alloc_bytes, wide);
      signed_cell(&l, live_of(v[k].alloc_bytes, v[k].freed_bytes), wide);
      count_cell(&a, (int64_t)v[k].allocs, wide);
      char head[160];
      int hw = snprintf(head, sizeof head, "%*s%*s in %s allocs, %s live: ", ind, "", wide ? 9 : 5, b.s, a.s,
                        l.s[0] == '+' ? l.s + 1 : l.s);
      if (v[k].site >= 0) {
        const rtprof_rsite_t *s = &m->sites[v[k].site];
        int iw = snprintf(NULL, 0, "site %" PRIu64 " ", s->id);
        rtprof_fit_label(fit, m->st, &s->frames[0], label, sizeof label, false, RTPROF_TEXT_WIDTH - hw - iw);
        fprintf(out, "%ssite %" PRIu64 " %s\n", head, s->id, label);
      } else {
        fprintf(out, "%s(sites or pairs that did not fit the tables)\n", head);
      }
    }
    if (p->npairs > PHASE_TOP_SITES)
      fprintf(out, "%*s(%zu more sites)\n", ind, "", p->npairs - PHASE_TOP_SITES);
    free(v);
  }
  for (size_t r = 0; r < n; r++) free(names[r]);
  free(names);
  free(rows);
  free(cells);
}

static bool overflow_is_zero(const rtprof_overflow_t *o) {
  return !(o->sites_dropped | o->pairs_dropped | o->allocs | o->alloc_bytes | o->frees | o->freed_bytes);
}

static void text_tail(FILE *out, const rtprof_model_t *m) {
  const rtprof_overflow_t *o = &m->overflow;
  if (!overflow_is_zero(o)) {
    char b[32], l[32];
    rtprof_human_bytes(b, sizeof b, o->alloc_bytes);
    rtprof_human_signed(l, sizeof l, live_of(o->alloc_bytes, o->freed_bytes));
    fprintf(out, "\nOverflow\n  %" PRIu64 " sites did not fit the table; their allocations are counted here: %" PRIu64
            " allocs, %s, %s live\n", o->sites_dropped, o->allocs, b, l[0] == '+' ? l + 1 : l);
    if (o->pairs_dropped)
      fprintf(out, "  %" PRIu64 " phase x site pairs did not fit the pair table (counted in their phase's overflow row)\n",
              o->pairs_dropped);
  }
  size_t notes = 0;
  for (size_t i = 0; i < m->ndumps; i++) notes += m->dumps[i].nnotes;
  if (!m->nwarnings && !m->warnings_dropped && !notes && !m->saturated) return;
  fprintf(out, "\nWarnings\n");
  if (m->saturated) fprintf(out, "  %s\n", RTPROF_SATURATED_NOTE);
  for (size_t i = 0; i < m->nwarnings; i++) {
    const rtprof_warning_t *w = &m->warnings[i];
    fprintf(out, "  %s%s%s%s: %" PRIu64 " time%s\n", w->kind, w->name ? " (" : "", w->name ? w->name : "",
            w->name ? ")" : "", w->count, w->count == 1 ? "" : "s");
  }
  if (m->warnings_dropped) fprintf(out, "  %" PRIu64 " more warnings of other kinds\n", m->warnings_dropped);
  for (size_t i = 0; i < m->ndumps; i++)
    for (size_t k = 0; k < m->dumps[i].nnotes; k++) fprintf(out, "  %s\n", m->dumps[i].notes[k]);
}

/* What each kind of heap misuse means, for the text report. */
const char *rtprof_error_meaning(const char *kind) {
  static const struct { const char *kind, *meaning; } meanings[] = {
      {"double_free", "a block freed twice"},
      {"realloc_freed", "realloc of a block already freed"},
      {"foreign_free", "free of a pointer the allocator did not return"},
      {"foreign_realloc", "realloc of a pointer the allocator did not return"},
      {"damaged_tag", "the block's tag was overwritten: a write before the block?"},
      {"foreign_munmap", "rt_munmap of a region rt_mmap did not return"},
      {"overflow", "the guard after the block was overwritten: a write past its end"},
  };
  for (size_t i = 0; i < sizeof meanings / sizeof *meanings; i++)
    if (strcmp(kind, meanings[i].kind) == 0) return meanings[i].meaning;
  return NULL;
}

static void text_errors(FILE *out, const rtprof_model_t *m, const rtprof_fit_t *fit) {
  if (m->nerrors == 0) return;
  uint64_t times = 0;
  for (size_t i = 0; i < m->nerrors; i++) times += m->errors[i].count;
  fprintf(out, "\nErrors (heap misuse caught at run time: %zu distinct, %" PRIu64 " time%s)\n", m->nerrors, times,
          times == 1 ? "" : "s");
  for (size_t i = 0; i < m->nerrors; i++) {
    const rtprof_rerror_t *e = &m->errors[i];
    char label[LABEL_MAX];
    const char *meaning = rtprof_error_meaning(e->kind);
    fprintf(out, "  %zu  %s: %" PRIu64 " time%s, block 0x%" PRIx64 "%s%s%s\n", i + 1, e->kind, e->count,
            e->count == 1 ? "" : "s", e->addr, meaning ? " (" : "", meaning ? meaning : "", meaning ? ")" : "");
    if (e->site >= 0) {
      const rtprof_rsite_t *s = &m->sites[e->site];
      rtprof_fit_label(fit, m->st, &s->frames[0], label, sizeof label, true, RTPROF_TEXT_WIDTH - 30);
      fprintf(out, "       allocated at  site %" PRIu64 " %s\n", s->id, label);
    } else {
      fprintf(out, "       allocated at  unknown\n");
    }
    for (uint32_t k = 0; k < e->ncall; k++) {
      rtprof_fit_label(fit, m->st, &e->call[k], label, sizeof label, true, RTPROF_TEXT_WIDTH - 23);
      fprintf(out, "       %s  %s\n", k ? "  inlined into" : "bad call    ", label);
    }
  }
}

static void text_timeline(FILE *out, const rtprof_model_t *m, bool wide) {
  static const char *const heads[] = {"time", "committed", "live", "rss", "phase", "kind"};
  for (size_t di = 0; di < m->ndumps; di++) {
    const rtprof_dump_t *d = &m->dumps[di];
    fprintf(out, "\nTimeline%s%s (%zu snapshot%s, oldest first; time since profiling started)\n",
            m->ndumps > 1 ? " of " : "", m->ndumps > 1 ? d->file : "", d->nsnapshots, d->nsnapshots == 1 ? "" : "s");
    if (d->nsnapshots == 0) {
      fprintf(out, "  none\n");
      continue;
    }
    cell_t *c = rtprof_xcalloc(d->nsnapshots * 4, sizeof *c);
    int w[4] = {0};
    int wp = (int)strlen(heads[4]);
    for (int j = 0; j < 4; j++) w[j] = (int)strlen(heads[j]);
    for (size_t i = 0; i < d->nsnapshots; i++) {
      const rtprof_snapshot_t *sn = &d->snapshots[i];
      cell_t *r = &c[i * 4];
      snprintf(r[0].s, sizeof r->s, "%.3f s", (double)sn->t_ns / 1e9);
      rtprof_human_bytes(r[1].s, sizeof r->s, sn->committed);
      rtprof_human_bytes(r[2].s, sizeof r->s, sn->live);
      rtprof_human_bytes(r[3].s, sizeof r->s, sn->rss);
      for (int j = 0; j < 4; j++)
        if ((int)strlen(r[j].s) > w[j]) w[j] = (int)strlen(r[j].s);
      const char *path = sn->phase ? d->phases[rtprof_dump_find_phase(d, sn->phase)].path : "-";
      if ((int)strlen(path) > wp) wp = (int)strlen(path);
    }
    for (int j = 0; j < 4; j++) fprintf(out, "  %*s", w[j], heads[j]);
    fprintf(out, "  %-*s  %s\n", wp, heads[4], heads[5]);
    for (size_t i = 0; i < d->nsnapshots; i++) {
      const rtprof_snapshot_t *sn = &d->snapshots[i];
      for (int j = 0; j < 4; j++) fprintf(out, "  %*s", w[j], c[i * 4 + j].s);
      const char *path = sn->phase ? d->phases[rtprof_dump_find_phase(d, sn->phase)].path : "-";
      int col = 0;
      for (int j = 0; j < 4; j++) col += 2 + w[j];
      col += fprintf(out, "  %-*s  %s%s", wp, path, sn->kind, sn->name ? ": " : "");
      if (sn->name) {
        fputs(sn->name, out);
        col += rtprof_text_width(rtprof_text_safe(sn->name));
      }
      /* the sites holding the most then, when recorded: 3, or in 100 columns those that fit */
      for (uint32_t k = 0; k < sn->ntop && k < 3; k++) {
        char b[32], e[64];
        long site = m->snap_top_site[di][sn->top_off + k];
        if (wide) rtprof_human_bytes(b, sizeof b, d->snap_tops[sn->top_off + k].live_bytes);
        else rtprof_compact_bytes(b, sizeof b, d->snap_tops[sn->top_off + k].live_bytes);
        int n = snprintf(e, sizeof e, "%s#%" PRIu64 " %s", k ? ", " : "  top: ", site >= 0 ? m->sites[site].id : 0, b);
        if (!wide && col + n > RTPROF_TEXT_WIDTH) break;
        fputs(e, out);
        col += n;
      }
      fputc('\n', out);
    }
    free(c);
  }
}

static void write_text(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o, long root) {
  rtprof_fit_t fit;
  rtprof_fit_init(&fit, &m, 1, o->wide);
  text_header(out, m, &fit);
  text_totals(out, m);
  text_errors(out, m, &fit);
  text_sites(out, m, o, &fit);
  rtprof_text_suppressed(out, m);
  text_phases(out, m, root, &fit);
  rtprof_text_memory(out, m, o, &fit);
  text_tail(out, m);
  if (o->timeline) text_timeline(out, m, fit.wide);
  rtprof_fit_free(&fit);
}

/* ---- JSON ----------------------------------------------------------------- */
/* "program", "pid", "dumps" and "totals" */
static void json_head(FILE *out, const rtprof_model_t *m) {
  const rtprof_dump_t *d0 = &m->dumps[0];
  const rtprof_totals_t *t = &m->totals;
  fputs("{\n  \"format\": \"rtprof-report\",\n  \"version\": 1,\n  \"program\": ", out);
  rtprof_json_str(out, d0->exe);
  fprintf(out, ",\n  \"pid\": %" PRIu64 ",\n  \"dumps\": [", d0->pid);
  for (size_t i = 0; i < m->ndumps; i++) {
    const rtprof_dump_t *d = &m->dumps[i];
    fprintf(out, "%s\n    {\"file\": ", i ? "," : "");
    rtprof_json_str(out, d->file);
    fputs(", \"program\": ", out);
    rtprof_json_str(out, d->exe);
    fprintf(out, ", \"pid\": %" PRIu64 ", \"depth\": %" PRIu64 ", \"reason\": ", d->pid, d->depth);
    rtprof_json_str(out, d->reason);
    fprintf(out, ", \"start_ns\": %" PRIu64 ", \"dump_ns\": %" PRIu64 ", \"interval_ms\": %" PRIu64 "}",
            d->start_ns, d->dump_ns, d->interval_ms);
  }
  fprintf(out, "\n  ],\n  \"totals\": {\"allocs\": %" PRIu64 ", \"frees\": %" PRIu64 ", \"alloc_bytes\": %" PRIu64
          ", \"freed_bytes\": %" PRIu64 ", \"live_blocks\": %s, \"live_bytes\": %s"
          ", \"peak_live_bytes\": %" PRIu64 ", \"committed_bytes\": %" PRIu64 ", \"peak_committed_bytes\": %" PRIu64
          ", \"rss_bytes\": %" PRIu64 ", \"peak_rss_bytes\": %" PRIu64 ", \"overhead_bytes\": %" PRIu64
          ", \"failed_allocs\": %" PRIu64 ", \"mmap_bytes\": %" PRIu64 "},\n",
          t->allocs, t->frees, t->alloc_bytes, t->freed_bytes, json_live(t->allocs, t->frees),
          json_live(t->alloc_bytes, t->freed_bytes), t->peak_live_bytes, t->committed_bytes, t->peak_committed_bytes,
          t->rss_bytes, t->peak_rss_bytes, t->overhead_bytes, t->failed_allocs, t->mmap_bytes);
}

/* "sites": the --top of them; returns which were listed (by site index). */
static bool *json_sites(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o) {
  size_t *idx = rtprof_model_sorted_sites(m, o->sort);
  size_t n = shown_sites(m, o, false);
  bool *shown = rtprof_xcalloc(m->nsites + 1, sizeof *shown);
  fputs("  \"sites\": [", out);
  for (size_t r = 0; r < n; r++) {
    const rtprof_rsite_t *s = &m->sites[idx[r]];
    shown[idx[r]] = true;
    fprintf(out, "%s\n    {\"id\": %" PRIu64 ", \"allocs\": %" PRIu64 ", \"alloc_bytes\": %" PRIu64
            ", \"frees\": %" PRIu64 ", \"freed_bytes\": %" PRIu64 ", \"live_blocks\": %s"
            ", \"live_bytes\": %s, \"peak_live_bytes\": %" PRIu64 ",\n     \"frames\": [",
            r ? "," : "", s->id, s->allocs, s->alloc_bytes, s->frees, s->freed_bytes, json_live(s->allocs, s->frees),
            json_live(s->alloc_bytes, s->freed_bytes), s->peak_live_bytes);
    for (uint32_t k = 0; k < s->nframes; k++) {
      fputs(k ? ",\n       " : "\n       ", out);
      rtprof_json_frame(out, m->st, &s->frames[k]);
    }
    fputs("]}", out);
  }
  fputs(n ? "\n  ],\n" : "],\n", out);
  free(idx);
  return shown;
}

/* "phases" (under root, when >= 0), each with its pairs of the listed sites */
static void json_phases(FILE *out, const rtprof_model_t *m, long root, const bool *shown) {
  fputs("  \"phases\": [", out);
  bool first = true;
  for (size_t i = 0; i < m->nphase_order; i++) {
    long pi = m->phase_order[i];
    if (root >= 0 && !rtprof_model_phase_in(m, pi, root)) continue;
    const rtprof_rphase_t *p = &m->phases[pi];
    fprintf(out, "%s\n    {\"path\": ", first ? "" : ",");
    first = false;
    rtprof_json_str(out, p->path);
    fprintf(out, ", \"calls\": %" PRIu64 ", \"open\": %" PRIu64 ", \"committed_delta\": %" PRId64
            ", \"committed_delta_max\": %" PRId64 ", \"live_delta\": %" PRId64 ", \"allocs\": %" PRIu64
            ", \"alloc_bytes\": %" PRIu64 ", \"frees\": %" PRIu64 ", \"freed_bytes\": %" PRIu64
            ", \"live_blocks\": %s, \"live_bytes\": %s, \"cum_allocs\": %" PRIu64
            ", \"cum_alloc_bytes\": %" PRIu64 ", \"cum_live_bytes\": %s, \"wall_ns\": %" PRIu64
            ",\n     \"sites\": [",
            p->calls, p->open, p->committed_delta, p->committed_delta_max, p->live_delta, p->allocs, p->alloc_bytes,
            p->frees, p->freed_bytes, json_live(p->allocs, p->frees), json_live(p->alloc_bytes, p->freed_bytes),
            p->cum_allocs, p->cum_alloc_bytes, json_live(p->cum_alloc_bytes, p->cum_freed_bytes), p->wall_ns);
    rtprof_rpair_t *v = rtprof_sorted_pairs(p);
    bool pfirst = true;
    for (size_t k = 0; k < p->npairs; k++) {
      if (v[k].site < 0 || !shown[v[k].site]) continue; /* overflow row and cut sites: in the figures only */
      fprintf(out, "%s{\"id\": %" PRIu64 ", \"allocs\": %" PRIu64 ", \"alloc_bytes\": %" PRIu64
              ", \"live_blocks\": %s, \"live_bytes\": %s" "}",
              pfirst ? "" : ",\n               ", m->sites[v[k].site].id, v[k].allocs, v[k].alloc_bytes,
              json_live(v[k].allocs, v[k].frees), json_live(v[k].alloc_bytes, v[k].freed_bytes));
      pfirst = false;
    }
    free(v);
    fputs("]}", out);
  }
  fputs(first ? "],\n" : "\n  ],\n", out);
}

/* "overflow", "warnings" and "symbols" */
static void json_overflow_symbols(FILE *out, const rtprof_model_t *m) {
  const rtprof_overflow_t *ov = &m->overflow;
  fprintf(out, "  \"overflow\": {\"sites_dropped\": %" PRIu64 ", \"pairs_dropped\": %" PRIu64 ", \"allocs\": %" PRIu64
          ", \"alloc_bytes\": %" PRIu64 ", \"frees\": %" PRIu64 ", \"freed_bytes\": %" PRIu64
          ", \"live_bytes\": %s" "},\n",
          ov->sites_dropped, ov->pairs_dropped, ov->allocs, ov->alloc_bytes, ov->frees, ov->freed_bytes,
          json_live(ov->alloc_bytes, ov->freed_bytes));

  fputs("  \"warnings\": [", out);
  for (size_t i = 0; i < m->nwarnings; i++) {
    fprintf(out, "%s{\"kind\": ", i ? ", " : "");
    rtprof_json_str(out, m->warnings[i].kind);
    fputs(", \"name\": ", out);
    rtprof_json_str(out, m->warnings[i].name);
    fprintf(out, ", \"count\": %" PRIu64 "}", m->warnings[i].count);
  }
  fputs("],\n  \"symbols\": ", out);
  rtprof_json_symbols(out, m->st, true);
  fputs(",\n", out);
}

static void json_errors(FILE *out, const rtprof_model_t *m) {
  fputs("  \"errors\": [", out);
  for (size_t i = 0; i < m->nerrors; i++) {
    const rtprof_rerror_t *e = &m->errors[i];
    fprintf(out, "%s\n    {\"kind\": ", i ? "," : "");
    rtprof_json_str(out, e->kind);
    fprintf(out, ", \"count\": %" PRIu64 ", \"addr\": %" PRIu64 ", \"site\": ", e->count, e->addr);
    if (e->site >= 0) {
      fprintf(out, "%" PRIu64 ",\n     \"site_frame\": ", m->sites[e->site].id);
      rtprof_json_frame(out, m->st, &m->sites[e->site].frames[0]);
    } else {
      fputs("null,\n     \"site_frame\": null", out);
    }
    fputs(",\n     \"call\": ", out);
    rtprof_json_frame(out, m->st, &e->call[0]);
    fputs(",\n     \"call_frames\": [", out);
    for (uint32_t k = 0; k < e->ncall; k++) {
      fputs(k ? ", " : "", out);
      rtprof_json_frame(out, m->st, &e->call[k]);
    }
    fputs("]}", out);
  }
  fputs(m->nerrors ? "\n  ],\n" : "],\n", out);
}

/* "timeline": every dump's snapshots */
static void json_timeline(FILE *out, const rtprof_model_t *m) {
  fputs("  \"timeline\": [", out);
  bool first = true;
  for (size_t di = 0; di < m->ndumps; di++) {
    const rtprof_dump_t *d = &m->dumps[di];
    for (size_t i = 0; i < d->nsnapshots; i++) {
      const rtprof_snapshot_t *sn = &d->snapshots[i];
      fprintf(out, "%s\n    {\"dump\": %zu, \"t_ns\": %" PRIu64 ", \"committed\": %" PRIu64 ", \"live\": %" PRIu64
              ", \"rss\": %" PRIu64 ", \"phase\": ", first ? "" : ",", di, sn->t_ns, sn->committed, sn->live, sn->rss);
      first = false;
      rtprof_json_str(out, sn->phase ? d->phases[rtprof_dump_find_phase(d, sn->phase)].path : NULL);
      fputs(", \"kind\": ", out);
      rtprof_json_str(out, sn->kind);
      fputs(", \"name\": ", out);
      rtprof_json_str(out, sn->name);
      for (uint32_t k = 0; k < sn->ntop; k++) /* the sites holding the most, when recorded */
        fprintf(out, "%s{\"id\": %" PRIu64 ", \"live_bytes\": %" PRIu64 "}%s", k ? ", " : ", \"top\": [",
                m->snap_top_site[di][sn->top_off + k] >= 0 ? m->sites[m->snap_top_site[di][sn->top_off + k]].id : 0,
                d->snap_tops[sn->top_off + k].live_bytes, k + 1 == sn->ntop ? "]" : "");
      fputc('}', out);
    }
  }
  fputs(first ? "],\n" : "\n  ],\n", out);
}

/* "problems": the dumps' inconsistencies and the addr2line failures */
static void json_problems(FILE *out, const rtprof_model_t *m) {
  const rtprof_symtab_t *st = m->st;
  fputs("  \"problems\": [", out);
  bool first = !m->saturated;
  if (m->saturated) rtprof_json_str(out, RTPROF_SATURATED_NOTE);
  for (size_t i = 0; i < m->ndumps; i++)
    for (size_t k = 0; k < m->dumps[i].nnotes; k++) {
      fputs(first ? "" : ", ", out);
      first = false;
      rtprof_json_str(out, m->dumps[i].notes[k]);
    }
  for (size_t i = 0; i < st->nmods; i++)
    if (st->mods[i].status == RTPROF_SYM_A2L_FAILED) {
      fputs(first ? "" : ", ", out);
      first = false;
      rtprof_json_str(out, st->mods[i].detail);
    }
  fputs("]\n", out);
}

static void write_json(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o, long root) {
  json_head(out, m);
  bool *shown = json_sites(out, m, o);
  json_phases(out, m, root, shown);
  rtprof_json_memory(out, m, shown);
  free(shown);
  json_overflow_symbols(out, m);
  json_errors(out, m);
  json_timeline(out, m);
  json_problems(out, m);
  fputs("}\n", out);
}

/* ---- collapsed stacks ------------------------------------------------------- */
/* A frame of a collapsed line: ';' separates frames, so one inside a name
 * (a hostile dump's) is written as \x3b and cannot add a frame. */
static void collapsed_name(FILE *out, const char *s) {
  for (; *s; s++)
    if (*s == ';') fputs("\\x3b", out);
    else fputc(*s, out);
}

static void write_collapsed(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o) {
  size_t *idx = rtprof_model_sorted_sites(m, o->sort);
  size_t n = shown_sites(m, o, false);
  for (size_t r = 0; r < n; r++) {
    const rtprof_rsite_t *s = &m->sites[idx[r]];
    int64_t v = o->sort == RTPROF_SORT_COUNT  ? (int64_t)s->allocs
                : o->sort == RTPROF_SORT_LIVE ? live_of(s->alloc_bytes, s->freed_bytes)
                                              : (int64_t)s->alloc_bytes;
    if (v <= 0) continue;
    for (uint32_t k = s->nframes; k-- > 0;) {
      const rtprof_frame_t *f = &s->frames[k];
      if (f->function) {
        collapsed_name(out, f->function);
        if (f->named) fputs(" (named)", out);
      }
      else if (f->module == RTPROF_NO_MODULE) fprintf(out, "0x%" PRIx64, f->offset);
      else {
        collapsed_name(out, rtprof_basename(m->st->mods[f->module].path));
        fprintf(out, "+0x%" PRIx64, f->offset);
      }
      fputc(k ? ';' : ' ', out);
    }
    fprintf(out, "%" PRId64 "\n", v);
  }
  free(idx);
}

int rtprof_report_write(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o) {
  long root = -1;
  if (o->phase) {
    root = rtprof_model_find_phase(m, o->phase);
    if (root < 0) {
      rtprof_error("--phase: no phase '%s' in the dump%s", o->phase, m->ndumps > 1 ? "s" : "");
      return -1;
    }
  }
  FILE *text = o->format == RTPROF_FMT_TEXT || o->format == RTPROF_FMT_COLLAPSED ? rtprof_text_open(out) : NULL;
  switch (o->format) {
  case RTPROF_FMT_TEXT: write_text(text, m, o, root); break;
  case RTPROF_FMT_JSON: write_json(out, m, o, root); break;
  case RTPROF_FMT_COLLAPSED: write_collapsed(text, m, o); break;
  case RTPROF_FMT_PPROF: return rtprof_pprof_write(out, m, o);
  }
  if (text) fclose(text);
  return 0;
}
