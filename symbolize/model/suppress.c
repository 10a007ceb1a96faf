/* Leak triage: suppressions set aside the sites whose stack matches a
 * pattern (a glob over a frame's function, or over its file:line), in any
 * frame, as heaptrack's and LeakSanitizer's do. Suppressed sites leave the
 * site tables, the leak table and the live-bytes budget, and their bytes
 * are counted apart (rtprof_model_t.suppressed), never dropped. A built-in
 * list covers the C library's one-time allocations (docs/report.md). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

/* The C library's one-time allocations, each seen under
 * librtprof-preload.so (sqlite3 and python3 on Debian 12, RTPROF_DEPTH=8):
 * a stream's buffer, allocated on first use and kept by the FILE (stdin,
 * stdout); NSS's module and action tables and its global state, loaded once
 * by the first getpwuid(); getpwuid's and friends' static result buffer;
 * the locale data and alias table setlocale() loads; and the dynamic
 * loader's link maps and search lists of a dlopen()ed library. */
static const char *const builtin[] = {
    "*_IO_file_doallocate",                           /* stdio buffers */
    "*__nss_*", "nss_database_*", "global_state_allocate", /* NSS */
    "getpwuid", "getpwnam", "getgrgid", "getgrnam",   /* their static buffers */
    "_nl_*", "*setlocale", "read_alias_file",         /* locale */
    "_dl_*", "dl_open_worker*",                       /* the dynamic loader */
};

int rtprof_suppress_add(rtprof_suppressions_t *s, const char *pattern, char *err, size_t errlen) {
  size_t n = strlen(pattern);
  if (n == 0) {
    snprintf(err, errlen, "an empty pattern (expected a function or FILE:LINE glob)");
    return -1;
  }
  if (n > 1024) {
    snprintf(err, errlen, "a pattern of %zu bytes (at most 1024)", n);
    return -1;
  }
  for (const char *c = pattern; *c; c++)
    if ((unsigned char)*c < 0x20) {
      snprintf(err, errlen, "a control character in the pattern");
      return -1;
    }
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 16;
    s->pat = rtprof_xrealloc(s->pat, s->cap, sizeof *s->pat);
    s->builtin = rtprof_xrealloc(s->builtin, s->cap, sizeof *s->builtin);
  }
  s->pat[s->n] = rtprof_xstrndup(pattern, n);
  s->builtin[s->n++] = false;
  return 0;
}

/* "leak:PATTERN" (LeakSanitizer's and heaptrack's files) matches where
 * PATTERN occurs, unless anchored with ^ or $; a bare line is a glob. */
static void lsan_glob(char *out, size_t cap, const char *p) {
  size_t n = strlen(p);
  bool head = n && p[0] == '^', tail = n > (size_t)head && p[n - 1] == '$';
  snprintf(out, cap, "%s%.*s%s", head ? "" : "*", (int)(n - head - tail), p + head, tail ? "" : "*");
}

int rtprof_suppress_read(rtprof_suppressions_t *s, const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    rtprof_error("--suppressions: cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  char line[1100], glob[1100], err[128];
  unsigned long lineno = 0;
  int rc = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    size_t n = strlen(line);
    if (n == sizeof line - 1 && line[n - 1] != '\n') {
      rtprof_error("%s:%lu: a line longer than 1024 bytes", path, lineno);
      rc = -1;
      break;
    }
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t')) line[--n] = 0;
    char *p = line + strspn(line, " \t");
    if (!*p || *p == '#') continue;
    if (strncmp(p, "leak:", 5) == 0) {
      lsan_glob(glob, sizeof glob, p + 5);
      p = glob;
    } else if (strchr(p, ':') && strspn(p, "abcdefghijklmnopqrstuvwxyz_") == (size_t)(strchr(p, ':') - p) &&
               strchr(p, ':')[1] && strchr("0123456789*?[", strchr(p, ':')[1]) == NULL) {
      /* another tool's kind ("race:", "called_from_lib:"): not ours */
      rtprof_error("%s:%lu: '%.*s' suppressions are not leak suppressions (expected a glob or leak:PATTERN)", path,
                   lineno, (int)(strchr(p, ':') - p), p);
      rc = -1;
      break;
    }
    if (rtprof_suppress_add(s, p, err, sizeof err)) {
      rtprof_error("%s:%lu: %s", path, lineno, err);
      rc = -1;
      break;
    }
  }
  if (rc == 0 && ferror(f)) {
    rtprof_error("--suppressions: cannot read %s", path);
    rc = -1;
  }
  fclose(f);
  return rc;
}

void rtprof_suppress_defaults(rtprof_suppressions_t *s) {
  if (s->no_defaults) return;
  char err[128];
  for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++) {
    rtprof_suppress_add(s, builtin[i], err, sizeof err);
    s->builtin[s->n - 1] = true;
  }
}

static bool frame_matches(const rtprof_frame_t *f, const char *pat) {
  if (f->function && fnmatch(pat, f->function, 0) == 0) return true;
  if (!f->file || !strchr(pat, ':')) return false;
  char where[4096];
  snprintf(where, sizeof where, "%s:%u", f->file, f->line);
  if (fnmatch(pat, where, 0) == 0) return true;
  snprintf(where, sizeof where, "%s:%u", rtprof_basename(f->file), f->line);
  return fnmatch(pat, where, 0) == 0;
}

/* Which pattern a site matches (its frames, then the ones --skip folded
 * away), or -1. */
static long site_match(const rtprof_rsite_t *r, const rtprof_suppressions_t *s) {
  for (size_t p = 0; p < s->n; p++) {
    for (uint32_t k = 0; k < r->nframes; k++)
      if (frame_matches(&r->frames[k], s->pat[p])) return (long)p;
    for (uint32_t k = 0; k < r->nfolded; k++)
      if (frame_matches(&r->folded[k], s->pat[p])) return (long)p;
  }
  return -1;
}

void rtprof_model_suppress(rtprof_model_t *m, const rtprof_suppressions_t *s) {
  rtprof_suppressed_t *o = &m->suppressed;
  for (size_t i = 0; i < m->nsites; i++) {
    rtprof_rsite_t *r = &m->sites[i];
    long p = site_match(r, s);
    if (p < 0) continue;
    r->suppressed = true;
    o->sites++;
    o->by_default += s->builtin[p];
    o->allocs = rtprof_sat_add(&m->saturated, o->allocs, r->allocs); /* sums of held sums: held too */
    o->alloc_bytes = rtprof_sat_add(&m->saturated, o->alloc_bytes, r->alloc_bytes);
    o->frees = rtprof_sat_add(&m->saturated, o->frees, r->frees);
    o->freed_bytes = rtprof_sat_add(&m->saturated, o->freed_bytes, r->freed_bytes);
    m->peak.suppressed_bytes = rtprof_sat_add(&m->saturated, m->peak.suppressed_bytes, r->at_peak);
  }
  o->live_blocks = o->allocs - o->frees;
  o->live_bytes = o->alloc_bytes - o->freed_bytes;
}

void rtprof_suppressions_free(rtprof_suppressions_t *s) {
  for (size_t i = 0; i < s->n; i++) free(s->pat[i]);
  free(s->pat);
  free(s->builtin);
  memset(s, 0, sizeof *s);
}
