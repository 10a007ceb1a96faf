/* `rtprof report [options] DUMP...`: reads the dumps, symbolizes them,
 * merges them and prints the report (docs/report.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

static const char report_usage[] =
    "usage: rtprof report [options] DUMP...\n"
    "\n"
    "Symbolized breakdowns of one or more dumps (several dumps merge): totals,\n"
    "top sites, leaks (live at exit), phases as a tree with phase x site rows.\n"
    "\n"
    "options:\n"
    "  --top N              sites per table (default 20; 0: all). JSON and\n"
    "                       collapsed output list all sites unless --top is given\n"
    "  --sort bytes|count|live   order of the sites (default bytes)\n"
    "  --format text|json|collapsed|pprof   output format (default text); pprof:\n"
    "                       a gzipped profile.proto for pprof (redirect it)\n"
    "  --json               same as --format json\n"
    "  --phase PATH         phase sections show only PATH and its subtree\n"
    "  --skip REGEX         attribute each site to its first frame whose function\n"
    "                       does not match (POSIX extended regex); sites that fold\n"
    "                       to the same frame merge\n"
    "  --stacks             print each site's whole stack (text)\n"
    "  --timeline           text: add the timeline (the dump's snapshots) as a table\n"
    "  --svg FILE           also write the timeline as an SVG chart to FILE (one dump)\n"
    "  --html FILE          also write the whole report as one self-contained HTML\n"
    "                       page to FILE: timeline, phase tree, sortable site\n"
    "                       tables, leaks, flame graph (default --top there: 500)\n"
    "  --addr2line PATH     the addr2line program to run (default: addr2line)\n"
    "  -h, --help           this help\n"
    "\n"
    "Exit status: 0 success, 2 bad usage or bad input.\n";


/* The HTML page of the report into a file. */
static int write_html(const char *path, const rtprof_model_t *m, const rtprof_report_opts_t *o) {
  if (o->phase && rtprof_model_find_phase(m, o->phase) < 0) { /* before creating the file */
    rtprof_error("--phase: no phase '%s' in the dump%s", o->phase, m->ndumps > 1 ? "s" : "");
    return -1;
  }
  FILE *f = fopen(path, "w");
  if (!f) {
    rtprof_error("report: --html: cannot create %s: %s", path, strerror(errno));
    return -1;
  }
  static char buf[1 << 16];
  setvbuf(f, buf, _IOFBF, sizeof buf);
  int rc = rtprof_html_write(f, m, o);
  if (fclose(f) != 0) { /* fclose flushes: a full disk shows here */
    rtprof_error("report: --html: cannot write %s: %s", path, strerror(errno));
    return -1;
  }
  return rc;
}

/* The timeline chart of one dump into a file. */
static int write_svg(const char *path, const rtprof_dump_t *d) {
  if (d->nsnapshots == 0) {
    rtprof_error("report: --svg: %s has no snapshot records: nothing to draw (see RTPROF_INTERVAL)", d->file);
    return -1;
  }
  FILE *f = fopen(path, "w");
  if (!f) {
    rtprof_error("report: --svg: cannot create %s: %s", path, strerror(errno));
    return -1;
  }
  rtprof_svg_write(f, d, NULL);
  if (fclose(f) != 0) { /* fclose flushes: a full disk shows here */
    rtprof_error("report: --svg: cannot write %s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

int rtprof_cmd_report(int argc, char **argv) {
  rtprof_report_opts_t o = {.format = RTPROF_FMT_TEXT, .sort = RTPROF_SORT_BYTES, .top = 20};
  const char *skip = NULL, *addr2line = "addr2line", *svg = NULL, *html = NULL;
  char **files = rtprof_xcalloc((size_t)argc, sizeof *files);
  size_t nfiles = 0;
  bool only_files = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
      files[nfiles++] = argv[i];
      continue;
    }
    if (strcmp(a, "--") == 0) {
      only_files = true;
      continue;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(report_usage, stdout);
      free(files);
      return RTPROF_EXIT_OK;
    }
    if (strcmp(a, "--json") == 0) {
      o.format = RTPROF_FMT_JSON;
      continue;
    }
    if (strcmp(a, "--stacks") == 0) {
      o.stacks = true;
      continue;
    }
    if (strcmp(a, "--timeline") == 0) {
      o.timeline = true;
      continue;
    }
    static const char *const valued[] = {"--top", "--sort", "--format", "--phase", "--skip", "--addr2line", "--svg", "--html"};
    bool matched = false, err = false;
    const char *v = NULL;
    size_t k;
    for (k = 0; k < sizeof valued / sizeof *valued; k++) {
      v = rtprof_opt_value(argc, argv, &i, valued[k], &matched, &err);
      if (matched) break;
    }
    if (!matched) {
      free(files);
      return rtprof_usage_error("report", "unknown option '%s'", a);
    }
    if (err) {
      free(files);
      return rtprof_usage_error("report", "option '%s' needs a value", valued[k]);
    }
    int bad = 0;
    switch (k) {
    case 0: { /* --top */
      char *end;
      unsigned long long n = strtoull(v, &end, 10);
      bad = !*v || *end || v[0] == '-' || n > SIZE_MAX;
      o.top = (size_t)n;
      o.top_given = true;
      break;
    }
    case 1: /* --sort */
      if (strcmp(v, "bytes") == 0) o.sort = RTPROF_SORT_BYTES;
      else if (strcmp(v, "count") == 0) o.sort = RTPROF_SORT_COUNT;
      else if (strcmp(v, "live") == 0) o.sort = RTPROF_SORT_LIVE;
      else bad = 1;
      break;
    case 2: /* --format */
      if (strcmp(v, "text") == 0) o.format = RTPROF_FMT_TEXT;
      else if (strcmp(v, "json") == 0) o.format = RTPROF_FMT_JSON;
      else if (strcmp(v, "collapsed") == 0) o.format = RTPROF_FMT_COLLAPSED;
      else if (strcmp(v, "pprof") == 0) o.format = RTPROF_FMT_PPROF;
      else bad = 1;
      break;
    case 3: o.phase = v; break;
    case 4: skip = v; break;
    case 5: addr2line = v; bad = !*v; break;
    case 6: svg = v; bad = !*v; break;
    case 7: html = v; bad = !*v; break;
    }
    if (bad) {
      char msg[256];
      snprintf(msg, sizeof msg, "bad value '%s' for %s", v, valued[k]);
      free(files);
      return rtprof_usage_error("report", "%s", msg);
    }
  }
  if (nfiles == 0) {
    free(files);
    return rtprof_usage_error("report", "%s", "no dump given");
  }
  if (svg && nfiles != 1) {
    free(files);
    return rtprof_usage_error("report", "%s", "--svg draws the timeline of one dump");
  }
  rtprof_load_t l;
  if (rtprof_load(&l, "report", files, nfiles, addr2line, skip)) {
    free(files);
    return RTPROF_EXIT_USAGE;
  }
  o.skip = skip;
  int status = RTPROF_EXIT_OK;
  if (svg && write_svg(svg, &l.dumps[0])) status = RTPROF_EXIT_USAGE;
  if (status == RTPROF_EXIT_OK && html && write_html(html, &l.m, &o)) status = RTPROF_EXIT_USAGE;
  if (status == RTPROF_EXIT_OK) {
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (rtprof_report_write(stdout, &l.m, &o)) status = RTPROF_EXIT_USAGE;
    if (fflush(stdout) || ferror(stdout)) {
      rtprof_error("report: cannot write the report");
      status = RTPROF_EXIT_USAGE;
    }
  }
  rtprof_load_free(&l);
  free(files);
  return status;
}
