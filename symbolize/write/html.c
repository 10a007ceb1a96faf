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
#define json_live(a, f) rtprof_dec_diff((a), (f)).s /* exact, for JSON */

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
  if (f->function) snprintf(out, n, "%s%s", f->function, f->named ? " (named)" : "");
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
            ",\"alloc_bytes\":%" PRIu64 ",\"frees\":%" PRIu64 ",\"freed_bytes\":%" PRIu64 ",\"live_blocks\":%s"
            ",\"live_bytes\":%s,\"peak_live_bytes\":%" PRIu64 ",\"at_peak\":%" PRIu64 ",\"frames\":",
            first ? "" : ",", s->id, r + 1, want[idx[r]] & SITE_TABLE ? "true" : "false",
            want[idx[r]] & SITE_LEAK ? "true" : "false", s->allocs, s->alloc_bytes, s->frees, s->freed_bytes,
            json_live(s->allocs, s->frees), json_live(s->alloc_bytes, s->freed_bytes), s->peak_live_bytes, s->at_peak);
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
            ",\"alloc_bytes\":%" PRIu64 ",\"live_bytes\":%s,\"cum_allocs\":%" PRIu64
            ",\"cum_alloc_bytes\":%" PRIu64 ",\"cum_live_bytes\":%s,\"wall_ns\":%" PRIu64 ",\"nsites\":%zu"
            ",\"sites\":[",
            p->depth - base, p->parent >= 0 ? pos[p->parent] : -1L, p->calls, p->open, p->committed_delta,
            p->committed_delta_max, p->live_delta, p->allocs, p->alloc_bytes, json_live(p->alloc_bytes, p->freed_bytes),
            p->cum_allocs, p->cum_alloc_bytes, json_live(p->cum_alloc_bytes, p->cum_freed_bytes), p->wall_ns, p->npairs);
    rtprof_rpair_t *v = rtprof_sorted_pairs(p);
    for (size_t k = 0; k < p->npairs && k < PHASE_SITES; k++) { /* [site id or null, allocs, bytes, live] */
      fprintf(out, "%s[", k ? "," : "");
      if (v[k].site >= 0) fprintf(out, "%" PRIu64, m->sites[v[k].site].id);
      else fputs("null", out);
      fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%s]", v[k].allocs, v[k].alloc_bytes,
              json_live(v[k].alloc_bytes, v[k].freed_bytes));
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
          ",\"freed_bytes\":%" PRIu64 ",\"live_blocks\":%s,\"live_bytes\":%s"
          ",\"peak_live_bytes\":%" PRIu64 ",\"committed_bytes\":%" PRIu64 ",\"peak_committed_bytes\":%" PRIu64
          ",\"rss_bytes\":%" PRIu64 ",\"peak_rss_bytes\":%" PRIu64 ",\"overhead_bytes\":%" PRIu64
          ",\"failed_allocs\":%" PRIu64 "},\n",
          t->allocs, t->frees, t->alloc_bytes, t->freed_bytes, json_live(t->allocs, t->frees),
          json_live(t->alloc_bytes, t->freed_bytes), t->peak_live_bytes, t->committed_bytes, t->peak_committed_bytes,
          t->rss_bytes, t->peak_rss_bytes, t->overhead_bytes, t->failed_allocs);
  fputs("\"symbols\":", out);
  rtprof_json_symbols(out, m->st, false);
  fprintf(out, ",\n\"merged\":%" PRIu64 ",\"nsites\":%zu,\"top\":%zu,\"sort\":\"%s\",\"skip\":", m->id_merged,
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
  size_t *idx = rtprof_model_sorted_sites(m, RTPROF_SORT_LIVE), shown = rtprof_model_shown_sites(m);
  for (size_t r = 0; r < shown && (!top || r < top); r++) {
    const rtprof_rsite_t *s = &m->sites[idx[r]];
    if (live_of(s->alloc_bytes, s->freed_bytes) <= 0) break;
    want[idx[r]] |= SITE_LEAK;
  }
  free(idx);
  size_t nleaks = 0;
  for (size_t i = 0; i < m->nsites; i++)
    nleaks += !m->sites[i].suppressed && live_of(m->sites[i].alloc_bytes, m->sites[i].freed_bytes) > 0;
  size_t *pk, npk = rtprof_peak_sites(m, &pk); /* the peak's sites, and the growing ones, are named */
  for (size_t r = 0; r < npk && (!top || r < top); r++) want[pk[r]] |= SITE_REF;
  free(pk);
  for (size_t i = 0; i < m->ngrowth && (!top || i < top); i++) want[m->growth[i].site] |= SITE_REF;
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
  for (size_t r = 0; r < shown && (!top || r < top); r++) want[idx[r]] |= SITE_TABLE;
  fprintf(out, "\"nleaks\":%zu,\n", nleaks);
  json_sites(out, m, want, idx);
  free(idx);
  bool *named = rtprof_xcalloc(m->nsites + 1, sizeof *named);
  for (size_t i = 0; i < m->nsites; i++) named[i] = want[i] != 0;
  rtprof_json_memory(out, m, named); /* "peak", "suppressed", "growing", "memory" */
  free(named);
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
/* The style sheet and the script are files beside this one, report.css and
 * report.js, assembled into .rodata at build time (.incbin, relative to the
 * tree's top, where every build compiles from) with a NUL after each: the
 * page stays one file and the command one binary. The script is plain ES2017
 * with no dependency and must never hold "</script". */
#define RTPROF_EMBED(sym, file)                                                           \
  __asm__(".section .rodata\n.globl " #sym "\n.type " #sym ", @object\n" #sym ":\n"        \
          ".incbin \"" file "\"\n.byte 0\n.size " #sym ", . - " #sym "\n.previous\n")
RTPROF_EMBED(rtprof_page_css, "symbolize/write/report.css");
RTPROF_EMBED(rtprof_page_js, "symbolize/write/report.js");
extern const char rtprof_page_css[], rtprof_page_js[];


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
  fputs(rtprof_page_css, out);
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
        "<section id=\"peak\" hidden><h2>Live at the peak</h2><div id=\"peak-body\"></div></section>\n"
        "<section id=\"growing\" hidden><h2>Growing sites</h2><div id=\"growing-body\"></div></section>\n"
        "<section id=\"memory\" hidden><h2>Where the memory is</h2><div id=\"memory-body\"></div></section>\n"
        "<section id=\"flame\"><h2>Flame graph</h2><div id=\"flame-body\"></div></section>\n"
        "<section id=\"warnings\" hidden><h2>Warnings</h2><ul id=\"warnings-body\"></ul></section>\n"
        "</main>\n<footer>Written by <code>rtprof report --html</code>. Self-contained: nothing is fetched."
        "</footer>\n<script type=\"application/json\" id=\"rtprof-data\">", out);
  size_t len = 0;
  char *json = data_json(m, o, root, &len);
  script_json(out, json, len);
  free(json);
  fputs("</script>\n<script>\n", out);
  fputs(rtprof_page_js, out);
  fputs("</script>\n</body>\n</html>\n", out);
  return 0;
}
