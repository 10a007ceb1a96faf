/* The report as one self-contained HTML page (docs/report.md "HTML report"):
 * the C side writes the page, the timeline charts (svg.c) and the report's
 * data as JSON; the page's inline script draws the totals, the phase tree,
 * the sortable site tables, the flame graph and the errors from that data.
 * Nothing is fetched: no network, no external file, no framework. */
#define _GNU_SOURCE /* open_memstream */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

#define HTML_DEFAULT_TOP 500   /* rows per site table when --top is not given */
#define PHASE_SITES 10         /* sites listed under each phase */
#define LABEL_MAX 8192

static int64_t live_of(uint64_t a, uint64_t f) { return (int64_t)(a - f); }

/* ---- the flame graph: every site's stack merged into a tree -------------- */
typedef struct fnode_s {
  long parent;             /* node index, or -1 under the root */
  const rtprof_frame_t *frame;
  uint64_t bytes, allocs;  /* of the sites whose attributed frame this is */
  int64_t live;
  uint32_t name, title;    /* indices in the string table */
} fnode_t;

typedef struct flame_s {
  fnode_t *nodes; size_t n, cap;
  long *next;              /* hash chains, parallel to nodes */
  size_t cap_next;
  rtprof_map_t by_key;     /* hash of (parent, frame) -> latest node with it */
  const char **strs; size_t nstrs, cap_strs;  /* interned, distinct */
  rtprof_map_t str_index;  /* interned pointer -> index in strs */
} flame_t;

static uint64_t frame_key(long parent, const rtprof_frame_t *f) {
  uint64_t h = rtprof_hash64(0x9e3779b97f4a7c15u, (uint64_t)parent);
  if (rtprof_frame_is_resolved(f)) {
    h = rtprof_hash64(h, (uintptr_t)f->function);
    h = rtprof_hash64(h, (uintptr_t)f->file);
    return rtprof_hash64(h, f->line);
  }
  return rtprof_hash64(rtprof_hash64(h, f->module), f->offset);
}

static uint32_t flame_str(flame_t *fl, const char *s) {
  const char *in = rtprof_intern(s, strlen(s));
  long k = rtprof_map_get(&fl->str_index, (uintptr_t)in);
  if (k >= 0) return (uint32_t)k;
  rtprof_grow(&fl->strs, &fl->cap_strs, fl->nstrs + 1, sizeof *fl->strs);
  fl->strs[fl->nstrs] = in;
  rtprof_map_put(&fl->str_index, (uintptr_t)in, fl->nstrs);
  return (uint32_t)fl->nstrs++;
}

/* The short name of a frame in the graph: as in collapsed stacks. */
static void frame_name(const rtprof_symtab_t *st, const rtprof_frame_t *f, char *out, size_t n) {
  if (f->function) snprintf(out, n, "%s", f->function);
  else if (f->module == RTPROF_NO_MODULE) snprintf(out, n, "0x%" PRIx64, f->offset);
  else snprintf(out, n, "%s+0x%" PRIx64, rtprof_basename(st->mods[f->module].path), f->offset);
}

static long flame_child(flame_t *fl, const rtprof_symtab_t *st, long parent, const rtprof_frame_t *f) {
  uint64_t key = frame_key(parent, f);
  long k = rtprof_map_get(&fl->by_key, key);
  while (k >= 0 && !(fl->nodes[k].parent == parent && rtprof_frame_equal(fl->nodes[k].frame, f))) k = fl->next[k];
  if (k >= 0) return k;
  rtprof_grow(&fl->nodes, &fl->cap, fl->n + 1, sizeof *fl->nodes);
  rtprof_grow(&fl->next, &fl->cap_next, fl->n + 1, sizeof *fl->next);
  k = (long)fl->n++;
  fnode_t *nd = &fl->nodes[k];
  memset(nd, 0, sizeof *nd);
  nd->parent = parent;
  nd->frame = f;
  char buf[LABEL_MAX];
  frame_name(st, f, buf, sizeof buf);
  nd->name = flame_str(fl, buf);
  rtprof_frame_label(st, f, buf, sizeof buf, true);
  if (f->inlined) strncat(buf, " (inlined)", sizeof buf - strlen(buf) - 1);
  nd->title = flame_str(fl, buf);
  fl->next[k] = rtprof_map_get(&fl->by_key, key);
  rtprof_map_put(&fl->by_key, key, (size_t)k);
  return k;
}

/* Stacks outermost first, as --skip left them; a site's counters go to the
 * node of its attributed frame. */
static void flame_build(flame_t *fl, const rtprof_model_t *m) {
  for (size_t i = 0; i < m->nsites; i++) {
    const rtprof_rsite_t *s = &m->sites[i];
    long node = -1;
    for (uint32_t k = s->nframes; k-- > 0;) node = flame_child(fl, m->st, node, &s->frames[k]);
    if (node < 0) continue;
    fl->nodes[node].bytes += s->alloc_bytes;
    fl->nodes[node].allocs += s->allocs;
    fl->nodes[node].live = rtprof_add_sat(fl->nodes[node].live, live_of(s->alloc_bytes, s->freed_bytes));
  }
}

static void flame_free(flame_t *fl) {
  free(fl->nodes);
  free(fl->next);
  free(fl->strs);
  rtprof_map_free(&fl->by_key);
  rtprof_map_free(&fl->str_index);
}

/* ---- the data, as JSON ------------------------------------------------------ */
static const char *sort_key(rtprof_sort_t s) {
  return s == RTPROF_SORT_COUNT ? "allocs" : s == RTPROF_SORT_LIVE ? "live_bytes" : "alloc_bytes";
}

static void json_label(FILE *out, const rtprof_symtab_t *st, const rtprof_frame_t *f) {
  char label[LABEL_MAX];
  rtprof_frame_label(st, f, label, sizeof label, true);
  rtprof_json_str(out, label);
}

/* [[label, inlined], ...] */
static void json_frames(FILE *out, const rtprof_symtab_t *st, const rtprof_frame_t *f, uint32_t n) {
  fputc('[', out);
  for (uint32_t k = 0; k < n; k++) {
    fputs(k ? ",[" : "[", out);
    json_label(out, st, &f[k]);
    fprintf(out, ",%d]", f[k].inlined ? 1 : 0);
  }
  fputc(']', out);
}

enum { SITE_TABLE = 1, SITE_LEAK = 2, SITE_REF = 4 };

static void json_sites(FILE *out, const rtprof_model_t *m, const uint8_t *want, const size_t *idx) {
  fputs("\"sites\":[", out);
  bool first = true;
  for (size_t r = 0; r < m->nsites; r++) {
    if (!want[idx[r]]) continue;
    const rtprof_rsite_t *s = &m->sites[idx[r]];
    fprintf(out, "%s\n{\"id\":%" PRIu64 ",\"rank\":%zu,\"table\":%s,\"leak\":%s,\"allocs\":%" PRIu64
            ",\"alloc_bytes\":%" PRIu64 ",\"frees\":%" PRIu64 ",\"freed_bytes\":%" PRIu64 ",\"live_blocks\":%" PRId64
            ",\"live_bytes\":%" PRId64 ",\"peak_live_bytes\":%" PRIu64 ",\"frames\":",
            first ? "" : ",", s->id, r + 1, want[idx[r]] & SITE_TABLE ? "true" : "false",
            want[idx[r]] & SITE_LEAK ? "true" : "false", s->allocs, s->alloc_bytes, s->frees, s->freed_bytes,
            live_of(s->allocs, s->frees), live_of(s->alloc_bytes, s->freed_bytes), s->peak_live_bytes);
    first = false;
    json_frames(out, m->st, s->frames, s->nframes);
    fputs(",\"folded\":", out);
    json_frames(out, m->st, s->folded, s->nfolded);
    fputc('}', out);
  }
  fputs("],\n", out);
}


static bool phase_shown(const rtprof_model_t *m, long pi, long root) {
  return root < 0 || rtprof_model_phase_in(m, pi, root);
}

static void json_phases(FILE *out, const rtprof_model_t *m, long root) {
  long *pos = rtprof_xmalloc((m->nphases + 1) * sizeof *pos); /* rphase -> index in phases[] */
  for (size_t i = 0; i < m->nphases; i++) pos[i] = -1;
  uint32_t base = root >= 0 ? m->phases[root].depth : 0;
  fputs("\"phases\":[", out);
  size_t n = 0;
  for (size_t i = 0; i < m->nphase_order; i++) {
    long pi = m->phase_order[i];
    if (!phase_shown(m, pi, root)) continue;
    const rtprof_rphase_t *p = &m->phases[pi];
    pos[pi] = (long)n;
    fprintf(out, "%s\n{\"path\":", n ? "," : "");
    rtprof_json_str(out, p->path);
    fputs(",\"name\":", out);
    rtprof_json_str(out, pi == root ? p->path : p->name);
    fprintf(out, ",\"depth\":%u,\"parent\":%ld,\"calls\":%" PRIu64 ",\"open\":%" PRIu64 ",\"committed_delta\":%" PRId64
            ",\"committed_delta_max\":%" PRId64 ",\"live_delta\":%" PRId64 ",\"allocs\":%" PRIu64
            ",\"alloc_bytes\":%" PRIu64 ",\"live_bytes\":%" PRId64 ",\"cum_allocs\":%" PRIu64
            ",\"cum_alloc_bytes\":%" PRIu64 ",\"cum_live_bytes\":%" PRId64 ",\"wall_ns\":%" PRIu64 ",\"nsites\":%zu"
            ",\"sites\":[",
            p->depth - base, p->parent >= 0 ? pos[p->parent] : -1L, p->calls, p->open, p->committed_delta,
            p->committed_delta_max, p->live_delta, p->allocs, p->alloc_bytes, live_of(p->alloc_bytes, p->freed_bytes),
            p->cum_allocs, p->cum_alloc_bytes, live_of(p->cum_alloc_bytes, p->cum_freed_bytes), p->wall_ns, p->npairs);
    rtprof_rpair_t *v = rtprof_sorted_pairs(p);
    for (size_t k = 0; k < p->npairs && k < PHASE_SITES; k++) { /* [site id or null, allocs, bytes, live] */
      fprintf(out, "%s[", k ? "," : "");
      if (v[k].site >= 0) fprintf(out, "%" PRIu64, m->sites[v[k].site].id);
      else fputs("null", out);
      fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRId64 "]", v[k].allocs, v[k].alloc_bytes,
              live_of(v[k].alloc_bytes, v[k].freed_bytes));
    }
    free(v);
    fputs("]}", out);
    n++;
  }
  fputs("],\n", out);
  free(pos);
}

static void json_errors(FILE *out, const rtprof_model_t *m) {
  fputs("\"errors\":[", out);
  for (size_t i = 0; i < m->nerrors; i++) {
    const rtprof_rerror_t *e = &m->errors[i];
    fprintf(out, "%s\n{\"kind\":", i ? "," : "");
    rtprof_json_str(out, e->kind);
    fputs(",\"meaning\":", out);
    rtprof_json_str(out, rtprof_error_meaning(e->kind));
    fprintf(out, ",\"count\":%" PRIu64 ",\"addr\":\"0x%" PRIx64 "\",\"site\":", e->count, e->addr);
    if (e->site >= 0) {
      fprintf(out, "%" PRIu64 ",\"site_frame\":", m->sites[e->site].id);
      json_label(out, m->st, &m->sites[e->site].frames[0]);
    } else {
      fputs("null,\"site_frame\":null", out);
    }
    fputs(",\"call\":", out);
    json_frames(out, m->st, e->call, e->ncall);
    fputc('}', out);
  }
  fputs("],\n", out);
}

static void json_flame(FILE *out, const flame_t *fl) {
  fputs("\"flame\":{\"strings\":[", out);
  for (size_t i = 0; i < fl->nstrs; i++) {
    fputs(i ? "," : "", out);
    rtprof_json_str(out, fl->strs[i]);
  }
  fputs("],\n\"nodes\":[", out); /* [parent, name, title, bytes, allocs, live]; parents come first */
  for (size_t i = 0; i < fl->n; i++) {
    const fnode_t *nd = &fl->nodes[i];
    fprintf(out, "%s[%ld,%u,%u,%" PRIu64 ",%" PRIu64 ",%" PRId64 "]", i ? (i % 8 ? "," : ",\n") : "", nd->parent,
            nd->name, nd->title, nd->bytes, nd->allocs, nd->live);
  }
  fputs("]},\n", out);
}

/* Lines for the Warnings section: as in the text report. */
static void json_warnings(FILE *out, const rtprof_model_t *m) {
  fputs("\"warnings\":[", out);
  bool first = true;
  char line[LABEL_MAX];
  for (size_t i = 0; i < m->nwarnings; i++) {
    const rtprof_warning_t *w = &m->warnings[i];
    snprintf(line, sizeof line, "%s%s%s%s: %" PRIu64 " time%s", w->kind, w->name ? " (" : "", w->name ? w->name : "",
             w->name ? ")" : "", w->count, w->count == 1 ? "" : "s");
    fputs(first ? "" : ",", out);
    first = false;
    rtprof_json_str(out, line);
  }
  if (m->warnings_dropped) {
    snprintf(line, sizeof line, "%" PRIu64 " more warnings of other kinds", m->warnings_dropped);
    fputs(first ? "" : ",", out);
    first = false;
    rtprof_json_str(out, line);
  }
  for (size_t i = 0; i < m->ndumps; i++)
    for (size_t k = 0; k < m->dumps[i].nnotes; k++) {
      fputs(first ? "" : ",", out);
      first = false;
      rtprof_json_str(out, m->dumps[i].notes[k]);
    }
  const rtprof_overflow_t *o = &m->overflow;
  if (o->sites_dropped || o->pairs_dropped || o->allocs) {
    char b[32];
    rtprof_human_bytes(b, sizeof b, o->alloc_bytes);
    snprintf(line, sizeof line, "overflow: %" PRIu64 " sites did not fit the site table (%" PRIu64
             " allocs, %s counted in the overflow row), %" PRIu64 " phase x site pairs did not fit the pair table",
             o->sites_dropped, o->allocs, b, o->pairs_dropped);
    fputs(first ? "" : ",", out);
    first = false;
    rtprof_json_str(out, line);
  }
  fputs("],\n", out);
}

static void json_header(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o, size_t top) {
  const rtprof_totals_t *t = &m->totals;
  fputs("{\"format\":\"rtprof-html\",\"version\":1,\"program\":", out);
  rtprof_json_str(out, m->dumps[0].exe);
  fputs(",\"dumps\":[", out);
  for (size_t i = 0; i < m->ndumps; i++) {
    const rtprof_dump_t *d = &m->dumps[i];
    fputs(i ? ",\n{\"file\":" : "\n{\"file\":", out);
    rtprof_json_str(out, d->file);
    fputs(",\"program\":", out);
    rtprof_json_str(out, d->exe);
    fprintf(out, ",\"pid\":%" PRIu64 ",\"depth\":%" PRIu64 ",\"reason\":", d->pid, d->depth);
    rtprof_json_str(out, d->reason);
    fprintf(out, ",\"snapshots\":%zu,\"interval_ms\":%" PRIu64 ",\"wall_ns\":%" PRIu64 "}", d->nsnapshots,
            d->interval_ms, d->dump_ns > d->start_ns ? d->dump_ns - d->start_ns : 0);
  }
  fprintf(out, "],\n\"totals\":{\"allocs\":%" PRIu64 ",\"frees\":%" PRIu64 ",\"alloc_bytes\":%" PRIu64
          ",\"freed_bytes\":%" PRIu64 ",\"live_blocks\":%" PRId64 ",\"live_bytes\":%" PRId64
          ",\"peak_live_bytes\":%" PRIu64 ",\"committed_bytes\":%" PRIu64 ",\"peak_committed_bytes\":%" PRIu64
          ",\"rss_bytes\":%" PRIu64 ",\"peak_rss_bytes\":%" PRIu64 ",\"overhead_bytes\":%" PRIu64
          ",\"failed_allocs\":%" PRIu64 "},\n",
          t->allocs, t->frees, t->alloc_bytes, t->freed_bytes, live_of(t->allocs, t->frees),
          live_of(t->alloc_bytes, t->freed_bytes), t->peak_live_bytes, t->committed_bytes, t->peak_committed_bytes,
          t->rss_bytes, t->peak_rss_bytes, t->overhead_bytes, t->failed_allocs);
  const rtprof_symtab_t *st = m->st;
  fprintf(out, "\"symbols\":{\"addresses\":%" PRIu64 ",\"resolved\":%" PRIu64 ",\"no_module\":%" PRIu64
          ",\"unresolved\":[", st->addresses, st->resolved, st->no_module);
  bool first = true;
  for (size_t i = 0; i < st->nmods; i++) {
    const rtprof_smodule_t *sm = &st->mods[i];
    if (!sm->unresolved) continue;
    fputs(first ? "{\"module\":" : ",{\"module\":", out);
    first = false;
    rtprof_json_str(out, sm->path);
    fputs(",\"reason\":", out);
    rtprof_json_str(out, sm->status == RTPROF_SYM_OK ? "no symbols or no line info" : rtprof_sym_reason(sm->status));
    fputs(",\"detail\":", out);
    rtprof_json_str(out, sm->detail);
    fprintf(out, ",\"addresses\":%" PRIu64 "}", sm->unresolved);
  }
  fprintf(out, "]},\n\"merged\":%" PRIu64 ",\"nsites\":%zu,\"top\":%zu,\"sort\":\"%s\",\"skip\":", m->id_merged,
          m->nsites, top, sort_key(o->sort));
  rtprof_json_str(out, o->skip);
  fputs(",\"phase\":", out);
  rtprof_json_str(out, o->phase);
  fputs(",\n", out);
}

/* The whole data document into a malloc'ed string. */
static char *data_json(const rtprof_model_t *m, const rtprof_report_opts_t *o, long root, size_t *len) {
  char *buf = NULL;
  FILE *out = open_memstream(&buf, len);
  if (!out) rtprof_die("out of memory");
  size_t top = o->top_given ? o->top : HTML_DEFAULT_TOP;
  json_header(out, m, o, top);

  /* the sites the page shows: the tables' rows, and those a phase or an
   * error names */
  uint8_t *want = rtprof_xcalloc(m->nsites + 1, 1);
  size_t *idx = rtprof_model_sorted_sites(m, RTPROF_SORT_LIVE);
  for (size_t r = 0; r < m->nsites && (!top || r < top); r++) {
    const rtprof_rsite_t *s = &m->sites[idx[r]];
    if (live_of(s->alloc_bytes, s->freed_bytes) <= 0) break;
    want[idx[r]] |= SITE_LEAK;
  }
  free(idx);
  size_t nleaks = 0;
  for (size_t i = 0; i < m->nsites; i++) nleaks += live_of(m->sites[i].alloc_bytes, m->sites[i].freed_bytes) > 0;
  for (size_t i = 0; i < m->nphase_order; i++) {
    long pi = m->phase_order[i];
    if (!phase_shown(m, pi, root)) continue;
    rtprof_rpair_t *v = rtprof_sorted_pairs(&m->phases[pi]);
    for (size_t k = 0; k < m->phases[pi].npairs && k < PHASE_SITES; k++)
      if (v[k].site >= 0) want[v[k].site] |= SITE_REF;
    free(v);
  }
  for (size_t i = 0; i < m->nerrors; i++)
    if (m->errors[i].site >= 0) want[m->errors[i].site] |= SITE_REF;
  idx = rtprof_model_sorted_sites(m, o->sort);
  for (size_t r = 0; r < m->nsites && (!top || r < top); r++) want[idx[r]] |= SITE_TABLE;
  fprintf(out, "\"nleaks\":%zu,\n", nleaks);
  json_sites(out, m, want, idx);
  free(idx);
  free(want);

  json_phases(out, m, root);
  json_errors(out, m);
  json_warnings(out, m);
  flame_t fl = {0};
  flame_build(&fl, m);
  json_flame(out, &fl);
  flame_free(&fl);
  fputs("\"end\":true}\n", out);
  if (fclose(out) != 0) rtprof_die("out of memory");
  return buf;
}

/* ---- the page ------------------------------------------------------------------ */
/* The style sheet and the script, verbatim, one C string per line. The script
 * is plain ES2017 with no dependency; it quotes with '' so the C stays
 * readable, and must never hold "</script". */
static const char page_css[] =
    ":root { --fg: #1d2329; --muted: #5c6670; --line: #d8dde3; --band: #f4f6f8; --accent: #1f77b4; --bad: #c0392b; }\n"
    "* { box-sizing: border-box; }\n"
    "body { margin: 0; font: 14px/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif; color: var(--fg); background: #fff; }\n"
    "header, main, footer { max-width: 1360px; margin: 0 auto; padding: 0 20px; }\n"
    "header { padding-top: 18px; }\n"
    "h1 { font-size: 20px; margin: 0 0 4px; word-break: break-all; }\n"
    "h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }\n"
    "code, .mono, td.site, .frames { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, \"DejaVu Sans Mono\", monospace; font-size: 12.5px; }\n"
    "#meta { color: var(--muted); font-size: 13px; }\n"
    "#meta div { margin: 1px 0; }\n"
    "nav { margin: 10px 0 0; display: flex; flex-wrap: wrap; gap: 6px; }\n"
    "nav a { padding: 3px 10px; border: 1px solid var(--line); border-radius: 14px; text-decoration: none; color: var(--accent); font-size: 13px; }\n"
    "nav a:hover { background: var(--band); }\n"
    ".note { color: var(--muted); margin: 4px 0 10px; }\n"
    ".cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; }\n"
    ".card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: var(--band); }\n"
    ".card .k { color: var(--muted); font-size: 12px; }\n"
    ".card .v { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }\n"
    ".card .x { color: var(--muted); font-size: 11.5px; font-variant-numeric: tabular-nums; }\n"
    ".card.hot { border-color: #e3a39b; background: #fdf1ef; }\n"
    "figure.chart { margin: 0 0 12px; }\n"
    "svg.timeline { width: 100%; max-width: 1320px; height: auto; border: 1px solid var(--line); border-radius: 6px; }\n"
    "table { border-collapse: collapse; width: 100%; }\n"
    "th, td { padding: 3px 8px; border-bottom: 1px solid #eceff2; vertical-align: top; text-align: left; }\n"
    "th { position: sticky; top: 0; background: #fff; border-bottom: 2px solid var(--line); font-weight: 600; white-space: nowrap; z-index: 1; }\n"
    "td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }\n"
    "tbody tr:hover { background: #f7f9fb; }\n"
    "table.sortable th { cursor: pointer; user-select: none; }\n"
    "table.sortable th:hover { background: var(--band); }\n"
    "table.sortable th .arrow { color: var(--accent); display: inline-block; width: 1em; }\n"
    "td.site { word-break: break-all; min-width: 320px; }\n"
    "td.site .inl, td.site .caller, td.site .folded { color: var(--muted); padding-left: 1.2em; }\n"
    "td.site details summary { color: var(--accent); cursor: pointer; font-family: system-ui, sans-serif; font-size: 12px; }\n"
    ".pos { color: var(--bad); }\n"
    ".neg { color: #2e7d32; }\n"
    ".bar { position: relative; }\n"
    ".bar > i { position: absolute; right: 0; top: 3px; bottom: 3px; background: #f6c9c3; border-radius: 2px; z-index: 0; }\n"
    ".bar > i.neg { background: #c8e6c9; }\n"
    ".bar > span { position: relative; z-index: 1; }\n"
    "table.phases td.name { white-space: nowrap; }\n"
    "table.phases button.tog { border: 0; background: none; cursor: pointer; width: 1.4em; padding: 0; color: var(--accent); font-size: 12px; }\n"
    "table.phases button.tog:disabled { visibility: hidden; }\n"
    "table.phases tr.sub td { background: #fafbfc; font-size: 12.5px; }\n"
    "table.phases tr.sub ul { margin: 2px 0 4px; padding-left: 2.6em; }\n"
    "table.phases a.sites { cursor: pointer; color: var(--accent); text-decoration: underline dotted; }\n"
    ".open-tag { color: var(--bad); font-size: 11.5px; }\n"
    ".toolbar { display: flex; gap: 10px; align-items: center; margin: 6px 0 8px; flex-wrap: wrap; }\n"
    ".toolbar button, .toolbar select { font: inherit; font-size: 13px; padding: 2px 8px; }\n"
    "#flame-graph { position: relative; width: 100%; overflow: hidden; border: 1px solid var(--line); border-radius: 6px; background: #fff; }\n"
    "#flame-graph .fr { position: absolute; height: 17px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font: 11.5px/17px ui-monospace, Menlo, Consolas, \"DejaVu Sans Mono\", monospace; padding: 0 3px; border-right: 1px solid #fff; border-bottom: 1px solid #fff; cursor: pointer; color: #222; }\n"
    "#flame-graph .fr:hover { filter: brightness(0.9); outline: 1px solid #333; z-index: 2; }\n"
    "#flame-graph .fr.anc { opacity: 0.55; }\n"
    "#flame-info { color: var(--muted); font-size: 12.5px; min-height: 1.4em; font-family: ui-monospace, Menlo, Consolas, monospace; }\n"
    "#errors-body .kind { font-weight: 600; color: var(--bad); }\n"
    "footer { color: var(--muted); font-size: 12px; margin: 30px auto 20px; border-top: 1px solid var(--line); padding-top: 8px; }\n";

static const char page_js[] =
    "(function () {\n"
    "  'use strict';\n"
    "  const D = JSON.parse(document.getElementById('rtprof-data').textContent);\n"
    "\n"
    "  /* ---- helpers ---- */\n"
    "  function el(tag, attrs, ...kids) {\n"
    "    const e = document.createElement(tag);\n"
    "    for (const k in attrs || {}) {\n"
    "      const v = attrs[k];\n"
    "      if (v === null || v === undefined || v === false) continue;\n"
    "      if (k === 'text') e.textContent = v;\n"
    "      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);\n"
    "      else e.setAttribute(k, v === true ? '' : v);\n"
    "    }\n"
    "    for (const c of kids) if (c !== null && c !== undefined) e.append(c);\n"
    "    return e;\n"
    "  }\n"
    "  const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];\n"
    "  function bytes(v) {\n"
    "    const a = Math.abs(v);\n"
    "    if (a < 1024) return (v < 0 ? '-' : '') + a + ' B';\n"
    "    let d = a / 1024, u = 0;\n"
    "    while (d >= 1024 && u < 5) { d /= 1024; u++; }\n"
    "    return (v < 0 ? '-' : '') + d.toFixed(1) + ' ' + UNITS[u];\n"
    "  }\n"
    "  function sbytes(v) { return (v > 0 ? '+' : '') + bytes(v); }\n"
    "  function count(v) { return Number(v).toLocaleString('en-US'); }\n"
    "  function dur(ns) {\n"
    "    if (ns < 1e3) return ns + ' ns';\n"
    "    if (ns < 1e6) return (ns / 1e3).toFixed(1) + ' us';\n"
    "    if (ns < 1e9) return (ns / 1e6).toFixed(1) + ' ms';\n"
    "    return (ns / 1e9).toFixed(2) + ' s';\n"
    "  }\n"
    "  function exact(v, unit) { return count(v) + (unit ? ' ' + unit : ''); }\n"
    "  const sitesById = new Map(D.sites.map(s => [s.id, s]));\n"
    "  function siteName(id) {\n"
    "    const s = sitesById.get(id);\n"
    "    return s ? s.frames[0][0] : 'site ' + id;\n"
    "  }\n"
    "\n"
    "  /* ---- header ---- */\n"
    "  function header() {\n"
    "    const meta = document.getElementById('meta');\n"
    "    for (const d of D.dumps) {\n"
    "      let t = 'dump ' + d.file + (D.dumps.length > 1 ? ': ' + d.program : '') + ' (pid ' + d.pid + ', depth ' +\n"
    "        d.depth + ', written at ' + d.reason;\n"
    "      if (d.snapshots) t += ', ' + d.snapshots + ' snapshot' + (d.snapshots === 1 ? '' : 's') +\n"
    "        (d.interval_ms ? ' every ' + d.interval_ms + ' ms' : '');\n"
    "      meta.append(el('div', {text: t + ')'}));\n"
    "    }\n"
    "    const sy = D.symbols, bad = sy.addresses - sy.resolved;\n"
    "    meta.append(el('div', {text: bad === 0 ? 'symbols: all ' + sy.addresses + ' addresses resolved to file:line'\n"
    "      : 'symbols: ' + bad + ' of ' + sy.addresses + ' addresses not resolved to file:line' +\n"
    "        sy.unresolved.map(u => '; ' + u.module + ': ' + u.reason + (u.detail ? ' (' + u.detail + ')' : '') +\n"
    "          ' - ' + u.addresses).join('')}));\n"
    "    const opts = [];\n"
    "    if (D.skip !== null) opts.push('--skip ' + D.skip);\n"
    "    if (D.phase !== null) opts.push('--phase ' + D.phase);\n"
    "    if (D.merged) opts.push(D.merged + ' dump sites merged into others with the same symbolized identity');\n"
    "    if (opts.length) meta.append(el('div', {text: opts.join('; ')}));\n"
    "    const nav = document.getElementById('nav');\n"
    "    for (const s of document.querySelectorAll('main > section')) {\n"
    "      if (s.hidden) continue;\n"
    "      nav.append(el('a', {href: '#' + s.id, text: s.querySelector('h2').textContent}));\n"
    "    }\n"
    "  }\n"
    "\n"
    "  function totals() {\n"
    "    const t = D.totals, g = document.getElementById('totals-grid');\n"
    "    const cards = [\n"
    "      ['allocated', bytes(t.alloc_bytes), exact(t.alloc_bytes, 'B') + ' in ' + count(t.allocs) + ' allocs'],\n"
    "      ['freed', bytes(t.freed_bytes), exact(t.freed_bytes, 'B') + ' in ' + count(t.frees) + ' frees'],\n"
    "      ['live at exit', bytes(t.live_bytes), exact(t.live_bytes, 'B') + ' in ' + count(t.live_blocks) + ' blocks', t.live_bytes > 0],\n"
    "      ['peak live', bytes(t.peak_live_bytes), exact(t.peak_live_bytes, 'B')],\n"
    "      ['committed', bytes(t.committed_bytes), exact(t.committed_bytes, 'B')],\n"
    "      ['peak committed', bytes(t.peak_committed_bytes), exact(t.peak_committed_bytes, 'B'), true],\n"
    "      ['RSS', bytes(t.rss_bytes), exact(t.rss_bytes, 'B')],\n"
    "      ['peak RSS', bytes(t.peak_rss_bytes), exact(t.peak_rss_bytes, 'B')],\n"
    "      ['profiler overhead', bytes(t.overhead_bytes), exact(t.overhead_bytes, 'B')],\n"
    "      ['failed allocs', count(t.failed_allocs), '', t.failed_allocs > 0],\n"
    "      ['sites', count(D.nsites), D.nleaks + ' with live bytes at exit'],\n"
    "      ['errors', count(D.errors.reduce((a, e) => a + e.count, 0)), D.errors.length + ' distinct', D.errors.length > 0],\n"
    "    ];\n"
    "    for (const [k, v, x, hot] of cards)\n"
    "      g.append(el('div', {class: hot ? 'card hot' : 'card'}, el('div', {class: 'k', text: k}),\n"
    "        el('div', {class: 'v', text: v}), el('div', {class: 'x', text: x})));\n"
    "  }\n"
    "\n"
    "  /* ---- a table sortable by clicking its headers ---- */\n"
    "  /* cols: {key, label, num, fmt(row) -> text or node, val(row) -> sort value, title} */\n"
    "  function sortableTable(id, cols, rows, sortKey, desc) {\n"
    "    const head = el('tr'), body = el('tbody');\n"
    "    const table = el('table', {id: id, class: 'sortable'}, el('thead', null, head), body);\n"
    "    const trs = new Map();\n"
    "    for (const r of rows) {\n"
    "      const tr = el('tr', {'data-id': r.id});\n"
    "      for (const c of cols) {\n"
    "        const v = c.val(r), shown = c.fmt ? c.fmt(r) : v;\n"
    "        const td = el('td', {class: c.cls || (c.num ? 'num' : null), 'data-key': c.key, 'data-v': v,\n"
    "          title: c.num && c.unit !== undefined ? exact(v, c.unit) : null});\n"
    "        td.append(shown);\n"
    "        tr.append(td);\n"
    "      }\n"
    "      trs.set(r, tr);\n"
    "    }\n"
    "    const ths = cols.map(c => {\n"
    "      const th = el('th', {class: c.num ? 'num' : null, 'data-key': c.key, title: (c.title ? c.title + '. ' : '') + 'Click to sort'},\n"
    "        el('span', {class: 'arrow'}), c.label);\n"
    "      th.addEventListener('click', () => {\n"
    "        if (sortKey === c.key) desc = !desc;\n"
    "        else { sortKey = c.key; desc = !!c.num; }\n"
    "        render();\n"
    "      });\n"
    "      head.append(th);\n"
    "      return th;\n"
    "    });\n"
    "    function render() {\n"
    "      const c = cols.find(x => x.key === sortKey);\n"
    "      const sorted = rows.slice().sort((a, b) => {\n"
    "        const x = c.val(a), y = c.val(b);\n"
    "        let r = c.num ? x - y : String(x).localeCompare(String(y));\n"
    "        if (r === 0) r = a.rank - b.rank;\n"
    "        else if (desc) r = -r;\n"
    "        return r;\n"
    "      });\n"
    "      body.replaceChildren(...sorted.map(r => trs.get(r)));\n"
    "      cols.forEach((x, i) => {\n"
    "        const on = x.key === sortKey;\n"
    "        ths[i].setAttribute('aria-sort', on ? (desc ? 'descending' : 'ascending') : 'none');\n"
    "        ths[i].firstChild.textContent = on ? (desc ? '\\u25bc' : '\\u25b2') : '';\n"
    "      });\n"
    "    }\n"
    "    render();\n"
    "    return table;\n"
    "  }\n"
    "\n"
    "  /* The site cell: its first frame, the functions it is inlined into, and\n"
    "   * the rest of the stack folded under \"stack\". */\n"
    "  function siteCell(s) {\n"
    "    const f = el('div', {class: 'frames'});\n"
    "    f.append(el('div', {text: s.frames[0][0]}));\n"
    "    let k = 1;\n"
    "    while (k < s.frames.length && s.frames[k - 1][1]) f.append(el('div', {class: 'inl', text: 'inlined into ' + s.frames[k++][0]}));\n"
    "    if (k < s.frames.length || s.folded.length) {\n"
    "      const det = el('details', null, el('summary', {text: 'stack: ' + (s.frames.length - k) + ' more frame' +\n"
    "        (s.frames.length - k === 1 ? '' : 's') + (s.folded.length ? ', ' + s.folded.length + ' folded by --skip' : '')}));\n"
    "      for (; k < s.frames.length; k++)\n"
    "        det.append(el('div', {class: s.frames[k - 1][1] ? 'inl' : 'caller',\n"
    "          text: (s.frames[k - 1][1] ? 'inlined into ' : 'called from ') + s.frames[k][0]}));\n"
    "      for (const fr of s.folded) det.append(el('div', {class: 'folded', text: 'folded by --skip: ' + fr[0]}));\n"
    "      f.append(det);\n"
    "    }\n"
    "    return f;\n"
    "  }\n"
    "\n"
    "  const SITE_COLS = {\n"
    "    rank: {key: 'rank', label: '#', num: true, val: s => s.rank, title: 'Rank by ' + D.sort.replace('_', ' ')},\n"
    "    id: {key: 'id', label: 'id', num: true, val: s => s.id},\n"
    "    alloc_bytes: {key: 'alloc_bytes', label: 'alloc bytes', num: true, unit: 'B', val: s => s.alloc_bytes, fmt: s => bytes(s.alloc_bytes)},\n"
    "    allocs: {key: 'allocs', label: 'allocs', num: true, val: s => s.allocs, fmt: s => count(s.allocs)},\n"
    "    frees: {key: 'frees', label: 'frees', num: true, val: s => s.frees, fmt: s => count(s.frees)},\n"
    "    live_bytes: {key: 'live_bytes', label: 'live bytes', num: true, unit: 'B', val: s => s.live_bytes, fmt: s => bytes(s.live_bytes)},\n"
    "    live_blocks: {key: 'live_blocks', label: 'live blocks', num: true, val: s => s.live_blocks, fmt: s => count(s.live_blocks)},\n"
    "    peak_live_bytes: {key: 'peak_live_bytes', label: 'peak live', num: true, unit: 'B', val: s => s.peak_live_bytes,\n"
    "      fmt: s => bytes(s.peak_live_bytes), title: 'Peak live bytes of the site'},\n"
    "    site: {key: 'site', label: 'site (function file:line)', cls: 'site', val: s => s.frames[0][0], fmt: siteCell},\n"
    "  };\n"
    "\n"
    "  function sites() {\n"
    "    const rows = D.sites.filter(s => s.table);\n"
    "    const body = document.getElementById('sites-body');\n"
    "    body.append(el('p', {class: 'note', text: rows.length + ' of ' + D.nsites + ' sites, the largest by ' +\n"
    "      D.sort.replace('_', ' ') + (D.top && rows.length < D.nsites ? ' (--top ' + D.top + ')' : '') +\n"
    "      '. Click a column header to sort by it; click again to reverse.'}));\n"
    "    const c = SITE_COLS;\n"
    "    body.append(sortableTable('sites-table', [c.rank, c.id, c.alloc_bytes, c.allocs, c.frees, c.live_bytes, c.live_blocks,\n"
    "      c.peak_live_bytes, c.site], rows, D.sort, true));\n"
    "  }\n"
    "\n"
    "  function leaks() {\n"
    "    const rows = D.sites.filter(s => s.leak).sort((a, b) => b.live_bytes - a.live_bytes || a.id - b.id)\n"
    "      .map((s, i) => Object.assign({}, s, {rank: i + 1}));\n"
    "    const body = document.getElementById('leaks-body');\n"
    "    if (!rows.length) { body.append(el('p', {class: 'note', text: 'None: every block was freed.'})); return; }\n"
    "    body.append(el('p', {class: 'note', text: rows.length + ' of ' + D.nleaks +\n"
    "      ' sites with bytes still live when the dump was written, the largest first.'}));\n"
    "    const c = SITE_COLS;\n"
    "    body.append(sortableTable('leaks-table', [Object.assign({}, c.rank, {title: 'Rank by live bytes'}), c.id,\n"
    "      c.live_bytes, c.live_blocks, c.alloc_bytes, c.allocs, c.site], rows, 'live_bytes', true));\n"
    "  }\n"
    "\n"
    "  /* ---- the phase tree ---- */\n"
    "  function phases() {\n"
    "    const body = document.getElementById('phases-body');\n"
    "    const P = D.phases;\n"
    "    if (!P.length) { body.append(el('p', {class: 'note', text: 'No phases: bracket the program\\'s phases with PROFILE_PHASE to see them here.'})); return; }\n"
    "    body.append(el('p', {class: 'note', text: 'Committed and live deltas are summed over calls; allocs and bytes are flat ' +\n"
    "      '(while the phase was the innermost), cum includes nested phases; live is what the phase allocated that was still live at exit. ' +\n"
    "      'Click \\u25be to fold a subtree, a site count to list the phase\\'s sites.'}));\n"
    "    const hasKids = P.map(() => false);\n"
    "    P.forEach(p => { if (p.parent >= 0) hasKids[p.parent] = true; });\n"
    "    const maxDelta = Math.max(1, ...P.map(p => Math.abs(p.committed_delta)));\n"
    "    const folded = P.map(() => false), listing = P.map(() => false);\n"
    "    const rows = [], subs = [];\n"
    "    const tb = el('tbody');\n"
    "    const heads = [['phase', ''], ['calls', 'num'], ['committed \\u0394', 'num'], ['max/call', 'num'], ['live \\u0394', 'num'],\n"
    "      ['allocs', 'num'], ['bytes', 'num'], ['cum bytes', 'num'], ['live', 'num'], ['cum live', 'num'], ['wall', 'num'], ['sites', 'num']];\n"
    "    const table = el('table', {id: 'phase-table', class: 'phases'},\n"
    "      el('thead', null, el('tr', null, ...heads.map(([h, c]) => el('th', {class: c || null, text: h})))), tb);\n"
    "    function sign(v) { return v > 0 ? 'pos' : v < 0 ? 'neg' : null; }\n"
    "    function visible(i) {\n"
    "      for (let p = P[i].parent; p >= 0; p = P[p].parent) if (folded[p]) return false;\n"
    "      return true;\n"
    "    }\n"
    "    function update() {\n"
    "      P.forEach((p, i) => {\n"
    "        const v = visible(i);\n"
    "        rows[i].hidden = !v;\n"
    "        subs[i].hidden = !v || !listing[i];\n"
    "        const b = rows[i].querySelector('button.tog');\n"
    "        b.textContent = folded[i] ? '\\u25b8' : '\\u25be';\n"
    "        b.setAttribute('aria-expanded', String(!folded[i]));\n"
    "      });\n"
    "    }\n"
    "    P.forEach((p, i) => {\n"
    "      const tog = el('button', {class: 'tog', title: 'Fold or unfold the nested phases', disabled: !hasKids[i]});\n"
    "      tog.addEventListener('click', () => { folded[i] = !folded[i]; update(); });\n"
    "      const name = el('td', {class: 'name', style: 'padding-left:' + (8 + 18 * p.depth) + 'px', title: p.path},\n"
    "        tog, p.name, p.open ? el('span', {class: 'open-tag', text: ' [' + p.open + ' open]'}) : null);\n"
    "      const bar = el('td', {class: 'num bar ' + (sign(p.committed_delta) || ''), title: exact(p.committed_delta, 'B')},\n"
    "        el('i', {class: p.committed_delta < 0 ? 'neg' : null, style: 'width:' + (100 * Math.abs(p.committed_delta) / maxDelta).toFixed(1) + '%'}),\n"
    "        el('span', {text: sbytes(p.committed_delta)}));\n"
    "      const link = p.nsites ? el('a', {class: 'sites', text: String(p.nsites)}) : document.createTextNode('0');\n"
    "      const tr = el('tr', {'data-path': p.path, 'data-depth': p.depth}, name,\n"
    "        el('td', {class: 'num', text: count(p.calls)}), bar,\n"
    "        el('td', {class: 'num ' + (sign(p.committed_delta_max) || ''), title: exact(p.committed_delta_max, 'B'), text: sbytes(p.committed_delta_max)}),\n"
    "        el('td', {class: 'num ' + (sign(p.live_delta) || ''), title: exact(p.live_delta, 'B'), text: sbytes(p.live_delta)}),\n"
    "        el('td', {class: 'num', text: count(p.allocs)}),\n"
    "        el('td', {class: 'num', title: exact(p.alloc_bytes, 'B'), text: bytes(p.alloc_bytes)}),\n"
    "        el('td', {class: 'num', title: exact(p.cum_alloc_bytes, 'B'), text: bytes(p.cum_alloc_bytes)}),\n"
    "        el('td', {class: 'num ' + (p.live_bytes > 0 ? 'pos' : ''), title: exact(p.live_bytes, 'B'), text: bytes(p.live_bytes)}),\n"
    "        el('td', {class: 'num', title: exact(p.cum_live_bytes, 'B'), text: bytes(p.cum_live_bytes)}),\n"
    "        el('td', {class: 'num', text: dur(p.wall_ns)}),\n"
    "        el('td', {class: 'num'}, link));\n"
    "      const ul = el('ul');\n"
    "      for (const [id, allocs, b, live] of p.sites)\n"
    "        ul.append(el('li', {class: 'mono', text: bytes(b) + ' in ' + count(allocs) + ' allocs, ' + bytes(live) + ' live: ' +\n"
    "          (id === null ? '(sites or pairs that did not fit the tables)' : 'site ' + id + ' ' + siteName(id))}));\n"
    "      if (p.nsites > p.sites.length) ul.append(el('li', {text: '(' + (p.nsites - p.sites.length) + ' more sites)'}));\n"
    "      const sub = el('tr', {class: 'sub'}, el('td', {colspan: heads.length, style: 'padding-left:' + (8 + 18 * p.depth) + 'px'}, ul));\n"
    "      if (p.nsites) link.addEventListener('click', () => { listing[i] = !listing[i]; update(); });\n"
    "      rows.push(tr);\n"
    "      subs.push(sub);\n"
    "      tb.append(tr, sub);\n"
    "    });\n"
    "    const all = v => () => { P.forEach((p, i) => { folded[i] = v && hasKids[i]; }); update(); };\n"
    "    body.append(el('div', {class: 'toolbar'}, el('button', {id: 'phases-fold', text: 'Fold all', onclick: all(true)}),\n"
    "      el('button', {id: 'phases-unfold', text: 'Unfold all', onclick: all(false)})), table);\n"
    "    update();\n"
    "  }\n"
    "\n"
    "  /* ---- the flame graph (an icicle: outermost frames at the top) ---- */\n"
    "  function flame() {\n"
    "    const body = document.getElementById('flame-body');\n"
    "    const S = D.flame.strings, N = D.flame.nodes, n = N.length;\n"
    "    const kids = Array.from({length: n + 1}, () => []); /* index n: the root */\n"
    "    N.forEach((nd, i) => kids[nd[0] < 0 ? n : nd[0]].push(i));\n"
    "    const WEIGHTS = {alloc_bytes: [3, bytes, 'alloc bytes'], allocs: [4, count, 'allocs'], live_bytes: [5, bytes, 'live bytes']};\n"
    "    let weight = WEIGHTS[D.sort] ? D.sort : 'alloc_bytes', zoom = n;\n"
    "    const tot = new Float64Array(n + 1), depth = new Int32Array(n + 1);\n"
    "    const graph = el('div', {id: 'flame-graph', role: 'img', 'aria-label': 'flame graph'});\n"
    "    const info = el('div', {id: 'flame-info'});\n"
    "    const select = el('select', {id: 'flame-weight'});\n"
    "    for (const k in WEIGHTS) select.append(el('option', {value: k, text: WEIGHTS[k][2], selected: k === weight}));\n"
    "    select.addEventListener('change', () => { weight = select.value; zoom = n; draw(); });\n"
    "    const reset = el('button', {id: 'flame-reset', text: 'Reset zoom', onclick: () => { zoom = n; draw(); }});\n"
    "    body.append(el('p', {class: 'note', text: 'Every site\\'s stack merged, the outermost frame at the top; a frame\\'s width is its share of the weight. ' +\n"
    "      'Hover a frame for its function file:line and figures; click it to zoom in, click the root or an ancestor to zoom out.'}),\n"
    "    el('div', {class: 'toolbar'}, el('label', null, 'weight ', select), reset), graph, info);\n"
    "    if (!n) { graph.replaceWith(el('p', {class: 'note', text: 'No sites.'})); return; }\n"
    "    for (let i = 0; i < n; i++) depth[i] = N[i][0] < 0 ? 1 : depth[N[i][0]] + 1;\n"
    "    function sums() {\n"
    "      const w = WEIGHTS[weight][0];\n"
    "      tot.fill(0);\n"
    "      for (let i = n - 1; i >= 0; i--) {\n"
    "        tot[i] += Math.max(0, N[i][w]);\n"
    "        tot[N[i][0] < 0 ? n : N[i][0]] += tot[i];\n"
    "      }\n"
    "    }\n"
    "    function color(name) {\n"
    "      let h = 0;\n"
    "      for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;\n"
    "      return 'hsl(' + (8 + h % 42) + ',' + (65 + (h >> 8) % 25) + '%,' + (58 + (h >> 16) % 14) + '%)';\n"
    "    }\n"
    "    const ROW = 18;\n"
    "    function box(i, x, w, y, anc) {\n"
    "      const name = i === n ? 'all' : S[N[i][1]], fmt = WEIGHTS[weight][1];\n"
    "      const pct = tot[n] ? (100 * tot[i] / tot[n]).toFixed(2) : '0';\n"
    "      const d = el('div', {class: anc ? 'fr anc' : 'fr', 'data-node': i,\n"
    "        style: 'left:' + x.toFixed(2) + 'px;width:' + Math.max(w, 1).toFixed(2) + 'px;top:' + y + 'px;background:' +\n"
    "          (i === n ? '#c9ced6' : color(name)),\n"
    "        title: (i === n ? 'all sites' : S[N[i][2]]) + '\\n' + fmt(tot[i]) + ' ' + WEIGHTS[weight][2] +\n"
    "          ' (' + pct + '% of all)'});\n"
    "      if (w > 28) d.textContent = name;\n"
    "      d.addEventListener('click', () => { zoom = i; draw(); });\n"
    "      d.addEventListener('mouseenter', () => { info.textContent = d.title.replace('\\n', ' - '); });\n"
    "      return d;\n"
    "    }\n"
    "    function draw() {\n"
    "      sums();\n"
    "      const W = graph.clientWidth || 1200;\n"
    "      const frag = document.createDocumentFragment();\n"
    "      const chain = [];\n"
    "      for (let i = zoom; i !== n; i = N[i][0] < 0 ? n : N[i][0]) chain.unshift(i);\n"
    "      chain.unshift(n);\n"
    "      let y = 0, maxY = 0;\n"
    "      chain.forEach((i, k) => { frag.append(box(i, 0, W, y, k < chain.length - 1)); y += ROW; });\n"
    "      const base = tot[zoom] || 1;\n"
    "      function lay(i, x, y) {\n"
    "        const ks = kids[i].filter(c => tot[c] > 0).sort((a, b) => tot[b] - tot[a]);\n"
    "        for (const c of ks) {\n"
    "          const w = W * tot[c] / base;\n"
    "          if (w >= 0.5) {\n"
    "            frag.append(box(c, x, w, y, false));\n"
    "            if (y > maxY) maxY = y;\n"
    "            lay(c, x, y + ROW);\n"
    "          }\n"
    "          x += w;\n"
    "        }\n"
    "      }\n"
    "      maxY = y - ROW;\n"
    "      lay(zoom, 0, y);\n"
    "      graph.style.height = (maxY + ROW + 2) + 'px';\n"
    "      graph.replaceChildren(frag);\n"
    "      info.textContent = zoom === n ? 'total ' + WEIGHTS[weight][1](tot[n]) + ' ' + WEIGHTS[weight][2]\n"
    "        : 'zoomed on ' + S[N[zoom][2]];\n"
    "    }\n"
    "    draw();\n"
    "    let timer = 0;\n"
    "    window.addEventListener('resize', () => { clearTimeout(timer); timer = setTimeout(draw, 150); });\n"
    "  }\n"
    "\n"
    "  /* ---- errors and warnings ---- */\n"
    "  function errors() {\n"
    "    if (!D.errors.length) return;\n"
    "    const sec = document.getElementById('errors');\n"
    "    sec.hidden = false;\n"
    "    const tb = el('tbody');\n"
    "    D.errors.forEach((e, i) => {\n"
    "      const call = el('div', {class: 'frames'});\n"
    "      e.call.forEach((f, k) => call.append(el('div', {class: k ? 'inl' : null, text: (k ? 'inlined into ' : '') + f[0]})));\n"
    "      tb.append(el('tr', null, el('td', {class: 'num', text: String(i + 1)}),\n"
    "        el('td', null, el('span', {class: 'kind', text: e.kind}), e.meaning ? el('div', {class: 'note', text: e.meaning}) : null),\n"
    "        el('td', {class: 'num', text: count(e.count)}), el('td', {class: 'mono', text: e.addr}),\n"
    "        el('td', {class: 'site', text: e.site === null ? 'unknown' : 'site ' + e.site + ' ' + e.site_frame}),\n"
    "        el('td', {class: 'site'}, call)));\n"
    "    });\n"
    "    document.getElementById('errors-body').append(el('table', {id: 'errors-table'},\n"
    "      el('thead', null, el('tr', null, ...['#', 'kind', 'times', 'block', 'allocated at', 'bad call'].map(\n"
    "        (h, k) => el('th', {class: k === 0 || k === 2 ? 'num' : null, text: h})))), tb));\n"
    "  }\n"
    "\n"
    "  function warnings() {\n"
    "    if (!D.warnings.length) return;\n"
    "    document.getElementById('warnings').hidden = false;\n"
    "    const ul = document.getElementById('warnings-body');\n"
    "    for (const w of D.warnings) ul.append(el('li', {class: 'mono', text: w}));\n"
    "  }\n"
    "\n"
    "  errors();\n"
    "  warnings();\n"
    "  header();\n"
    "  totals();\n"
    "  phases();\n"
    "  sites();\n"
    "  leaks();\n"
    "  flame();\n"
    "  document.documentElement.setAttribute('data-ready', 'true');\n"
    "})();\n";


/* JSON inside <script>: every '<' (only ever inside a string) written as
 * \u003c, so no "</script>" or "<!--" can end or confuse the element. */
static void script_json(FILE *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '<') fputs("\\u003c", out);
    else fputc(s[i], out);
  }
}

int rtprof_html_write(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o) {
  long root = -1;
  if (o->phase) {
    root = rtprof_model_find_phase(m, o->phase);
    if (root < 0) {
      rtprof_error("--phase: no phase '%s' in the dump%s", o->phase, m->ndumps > 1 ? "s" : "");
      return -1;
    }
  }
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"rtprof report --html\">\n"
        "<link rel=\"icon\" href=\"data:,\">\n<title>rtprof report: ", out);
  rtprof_markup_text(out, rtprof_basename(m->dumps[0].exe));
  fputs("</title>\n<style>\n", out);
  fputs(page_css, out);
  fputs("</style>\n</head>\n<body>\n<header>\n<h1>rtprof report: <span id=\"program\">", out);
  rtprof_markup_text(out, m->dumps[0].exe);
  fputs("</span></h1>\n<div id=\"meta\"></div>\n<nav id=\"nav\"></nav>\n</header>\n"
        "<noscript><p class=\"note\">The tables, the phase tree and the flame graph are drawn by the page's own "
        "inline script: allow JavaScript to see them (the timeline is plain SVG).</p></noscript>\n"
        "<main>\n<section id=\"totals\"><h2>Totals</h2><div id=\"totals-grid\" class=\"cards\"></div></section>\n"
        "<section id=\"errors\" hidden><h2>Errors</h2><p class=\"note\">Heap misuse the allocator caught at run "
        "time.</p><div id=\"errors-body\"></div></section>\n"
        "<section id=\"timeline\"><h2>Timeline</h2>\n", out);
  size_t charts = 0;
  for (size_t i = 0; i < m->ndumps; i++) {
    const rtprof_dump_t *d = &m->dumps[i];
    if (!d->nsnapshots) continue;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t%zu-", i);
    fputs("<figure class=\"chart\">\n", out);
    rtprof_svg_write(out, d, prefix);
    fputs("</figure>\n", out);
    charts++;
  }
  if (!charts)
    fputs("<p class=\"note\">No snapshots in the dump: run the program with <code>RTPROF_INTERVAL=MS</code> "
          "to record committed and live bytes over time.</p>\n", out);
  fputs("</section>\n"
        "<section id=\"phases\"><h2>Phases</h2><div id=\"phases-body\"></div></section>\n"
        "<section id=\"sites\"><h2>Top sites</h2><div id=\"sites-body\"></div></section>\n"
        "<section id=\"leaks\"><h2>Leaks (live at exit)</h2><div id=\"leaks-body\"></div></section>\n"
        "<section id=\"flame\"><h2>Flame graph</h2><div id=\"flame-body\"></div></section>\n"
        "<section id=\"warnings\" hidden><h2>Warnings</h2><ul id=\"warnings-body\"></ul></section>\n"
        "</main>\n<footer>Written by <code>rtprof report --html</code>. Self-contained: nothing is fetched."
        "</footer>\n<script type=\"application/json\" id=\"rtprof-data\">", out);
  size_t len = 0;
  char *json = data_json(m, o, root, &len);
  script_json(out, json, len);
  free(json);
  fputs("</script>\n<script>\n", out);
  fputs(page_js, out);
  fputs("</script>\n</body>\n</html>\n", out);
  return 0;
}
