/* Holds each budget of `rtprof check` against a run (and a baseline run):
 * one line per budget, "ok   ..." or "FAIL ...", naming the budget, its
 * limit, the actual figure and the site or phase (docs/diff-check.md). */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

#define LABEL_MAX 8192

typedef struct checker_s {   /* state of one rtprof_check_run */
  FILE *out;
  bool quiet;              /* print the broken budgets only */
  const rtprof_model_t *m, *baseline;
  bool broken;             /* the budget being held has a FAIL line */
} checker_t;

/* "768.8 KiB (787268 B)", or "512 B" */
static void both(char *out, size_t n, uint64_t v) {
  char h[32];
  rtprof_human_bytes(h, sizeof h, v);
  if (v < 1024) snprintf(out, n, "%s", h);
  else snprintf(out, n, "%s (%" PRIu64 " B)", h, v);
}

/* Signed: "+8.1 MiB (8500485 B)", "-4.0 KiB (-4096 B)" */
static void both_signed(char *out, size_t n, int64_t v) {
  char h[32];
  rtprof_human_signed(h, sizeof h, v);
  if (v > -1024 && v < 1024) snprintf(out, n, "%s", h);
  else snprintf(out, n, "%s (%" PRId64 " B)", h, v);
}

static void verdict(checker_t *c, const rtprof_budget_t *b, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void verdict(checker_t *c, const rtprof_budget_t *b, bool ok, const char *fmt, ...) {
  if (!ok) c->broken = true;
  if (ok && c->quiet) return;
  char msg[LABEL_MAX + 1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(c->out, "%s %s %s: %s", ok ? "ok  " : "FAIL", rtprof_budget_name(b->kind), b->value, msg);
  if (b->origin) fprintf(c->out, " (%s:%" PRIu64 ")", b->origin, b->line);
  fputc('\n', c->out);
}

static const char *limit_words(bool ok) { return ok ? "within the limit" : "over the limit"; }

/* The site group with the most live bytes, for the max-live line. */
static void largest_leak(const rtprof_model_t *m, char *out, size_t n) {
  rtprof_sgroup_t *g;
  size_t ng = rtprof_model_site_groups(m, &g);
  long best = -1;
  int64_t best_live = 0;
  for (size_t i = 0; i < ng; i++) {
    int64_t live = (int64_t)(g[i].alloc_bytes - g[i].freed_bytes);
    if (live > best_live) best = (long)i, best_live = live;
  }
  out[0] = '\0';
  if (best >= 0) {
    char label[LABEL_MAX], h[32];
    rtprof_frame_label(m->st, g[best].frame, label, sizeof label, false);
    rtprof_human_bytes(h, sizeof h, (uint64_t)best_live);
    snprintf(out, n, "; largest: site %" PRIu64 " %s with %s live", g[best].first_id, label, h);
  }
  free(g);
}

/* The phase with the largest committed delta, for the peak line. */
static void largest_phase(const rtprof_model_t *m, char *out, size_t n) {
  long best = -1;
  for (size_t i = 0; i < m->nphases; i++)
    if (m->phases[i].committed_delta > 0 && (best < 0 || m->phases[i].committed_delta > m->phases[best].committed_delta))
      best = (long)i;
  out[0] = '\0';
  if (best >= 0) {
    char h[32];
    rtprof_human_signed(h, sizeof h, m->phases[best].committed_delta);
    snprintf(out, n, "; largest phase committed delta: %s %s", m->phases[best].path, h);
  }
}

/* Does PATTERN (a glob) name this frame: its function, its file:line, its
 * file name:line, or module+0xOFFSET? */
static bool site_matches(const rtprof_model_t *m, const rtprof_frame_t *f, const char *pattern) {
  char s[LABEL_MAX];
  if (f->function && fnmatch(pattern, f->function, 0) == 0) return true;
  if (f->file && f->line) {
    snprintf(s, sizeof s, "%s:%u", f->file, f->line);
    if (fnmatch(pattern, s, 0) == 0) return true;
    snprintf(s, sizeof s, "%s:%u", rtprof_basename(f->file), f->line);
    if (fnmatch(pattern, s, 0) == 0) return true;
  }
  if (f->module != RTPROF_NO_MODULE) {
    snprintf(s, sizeof s, "%s+0x%" PRIx64, rtprof_basename(m->st->mods[f->module].path), f->offset);
    if (fnmatch(pattern, s, 0) == 0) return true;
  }
  return false;
}

static void check_sites(checker_t *c, const rtprof_budget_t *b) {
  rtprof_sgroup_t *g;
  size_t ng = rtprof_model_site_groups(c->m, &g), matching = 0;
  long largest = -1;
  char label[LABEL_MAX], v[64], l[64];
  both(l, sizeof l, b->limit);
  for (size_t i = 0; i < ng; i++) { /* largest first */
    if (!site_matches(c->m, g[i].frame, b->what)) continue;
    if (largest < 0) largest = (long)i;
    matching++;
    if (g[i].alloc_bytes <= b->limit) continue;
    rtprof_frame_label(c->m->st, g[i].frame, label, sizeof label, false);
    both(v, sizeof v, g[i].alloc_bytes);
    verdict(c, b, false, "site %" PRIu64 " %s allocated %s, %s %s", g[i].first_id, label, v, limit_words(false), l);
  }
  if (largest < 0) {
    verdict(c, b, true, "no site matches '%s'", b->what);
  } else if (!c->broken) {
    rtprof_frame_label(c->m->st, g[largest].frame, label, sizeof label, false);
    both(v, sizeof v, g[largest].alloc_bytes);
    verdict(c, b, true, "%s site %" PRIu64 " %s allocated %s, %s %s",
            matching == 1 ? "the matching" : "the largest matching", g[largest].first_id, label, v,
            limit_words(true), l);
  }
  free(g);
}

static void check_phase(checker_t *c, const rtprof_budget_t *b) {
  long pi = rtprof_model_find_phase(c->m, b->what);
  char v[64], l[64];
  if (pi < 0) {
    verdict(c, b, false, "no phase '%s' in the dump (renamed, or no longer bracketed?)", b->what);
    return;
  }
  const rtprof_rphase_t *p = &c->m->phases[pi];
  both(l, sizeof l, b->limit);
  if (b->kind == RTPROF_BUDGET_PHASE_BYTES) {
    bool ok = p->cum_alloc_bytes <= b->limit;
    both(v, sizeof v, p->cum_alloc_bytes);
    verdict(c, b, ok, "phase %s allocated %s with its nested phases, %s %s", p->path, v, limit_words(ok), l);
    return;
  }
  if (p->calls == 0) {
    verdict(c, b, true, "phase %s has no completed call (%" PRIu64 " open): nothing to hold", p->path, p->open);
    return;
  }
  int64_t per = rtprof_phase_per_call(p);
  bool ok = per <= 0 || (uint64_t)per <= b->limit;
  char mx[64];
  both_signed(v, sizeof v, per);
  rtprof_human_signed(mx, sizeof mx, p->committed_delta_max);
  verdict(c, b, ok, "phase %s committed %s per call (mean of %" PRIu64 " call%s; largest call %s), %s %s", p->path, v,
          p->calls, p->calls == 1 ? "" : "s", mx, limit_words(ok), l);
}

/* after > before * (1 + percent/100); from 0, any growth breaks it */
static bool grew_too_much(uint64_t before, uint64_t after, double percent) {
  if (after <= before) return false;
  if (before == 0) return true;
  return (long double)after * 100 > (long double)before * (100 + (long double)percent);
}

static void check_growth(checker_t *c, const rtprof_budget_t *b) {
  const rtprof_totals_t *o = &c->baseline->totals, *n = &c->m->totals;
  struct { const char *what; uint64_t before, after; } figs[] = {
      {"peak committed", o->peak_committed_bytes, n->peak_committed_bytes},
      {"alloc bytes", o->alloc_bytes, n->alloc_bytes},
  };
  for (size_t i = 0; i < sizeof figs / sizeof *figs; i++) {
    char pair[128], pct[32];
    bool ok = !grew_too_much(figs[i].before, figs[i].after, b->percent);
    rtprof_human_pair(pair, sizeof pair, (int64_t)figs[i].before, (int64_t)figs[i].after, false);
    rtprof_human_percent(pct, sizeof pct, (int64_t)figs[i].before, (int64_t)figs[i].after);
    verdict(c, b, ok, "%s %s (%" PRIu64 " " "\xe2\x86\x92" " %" PRIu64 " B), %s since %s, %s +%g%%", figs[i].what,
            pair, figs[i].before, figs[i].after, pct, c->baseline->dumps[0].file, limit_words(ok), b->percent);
  }
}

size_t rtprof_check_run(FILE *out, const rtprof_budgets_t *bs, const rtprof_model_t *m, const rtprof_model_t *baseline,
                        bool quiet) {
  checker_t c = {.out = out, .quiet = quiet, .m = m, .baseline = baseline};
  size_t broken = 0;
  for (size_t i = 0; i < bs->n; i++) {
    const rtprof_budget_t *b = &bs->v[i];
    char v[64], l[64], extra[LABEL_MAX + 128];
    bool ok;
    c.broken = false;
    switch (b->kind) {
    case RTPROF_BUDGET_PEAK_COMMITTED:
      ok = m->totals.peak_committed_bytes <= b->limit;
      both(v, sizeof v, m->totals.peak_committed_bytes);
      both(l, sizeof l, b->limit);
      largest_phase(m, extra, sizeof extra);
      verdict(&c, b, ok, "peak committed %s, %s %s%s", v, limit_words(ok), l, ok ? "" : extra);
      break;
    case RTPROF_BUDGET_LIVE:
    {
      /* suppressed sites are set aside (model/suppress.c), and said so */
      uint64_t live = m->totals.live_bytes - m->suppressed.live_bytes;
      uint64_t blocks = m->totals.live_blocks - m->suppressed.live_blocks;
      char sup[96] = "";
      if (m->suppressed.live_bytes) {
        char h[32];
        rtprof_human_bytes(h, sizeof h, m->suppressed.live_bytes);
        snprintf(sup, sizeof sup, " (and %s suppressed)", h);
      }
      ok = live <= b->limit;
      both(v, sizeof v, live);
      both(l, sizeof l, b->limit);
      largest_leak(m, extra, sizeof extra);
      verdict(&c, b, ok, "%s live at exit (%" PRIu64 " block%s)%s, %s %s%s", v, blocks, blocks == 1 ? "" : "s", sup,
              limit_words(ok), l, ok ? "" : extra);
    }
      break;
    case RTPROF_BUDGET_SITE_BYTES: check_sites(&c, b); break;
    case RTPROF_BUDGET_PHASE_BYTES:
    case RTPROF_BUDGET_PHASE_DELTA: check_phase(&c, b); break;
    case RTPROF_BUDGET_GROWTH: check_growth(&c, b); break;
    case RTPROF_BUDGET_LAST: break;
    }
    broken += c.broken;
  }
  if (!quiet)
    fprintf(out, "check: %zu budget%s, %zu broken\n", bs->n, bs->n == 1 ? "" : "s", broken);
  return broken;
}
