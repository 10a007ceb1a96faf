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
    "  --wide               text: full source paths, exact figures, no name cut\n"
    "                       (the default fits 100 columns)\n"
    "  --svg FILE           also write the timeline as an SVG chart to FILE (one dump)\n"
    "  --html FILE          also write the whole report as one self-contained HTML\n"
    "                       page to FILE: timeline, phase tree, sortable site\n"
    "                       tables, leaks, flame graph (default --top there: 500)\n"
    RTPROF_SUPPRESS_USAGE
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

/* What report's command line asks for; files are argv's, in order. */
typedef struct report_args_s {
  rtprof_report_opts_t o;
  const char *skip, *addr2line, *svg, *html;
  char **files; size_t nfiles;
} report_args_t;

enum { OPT_JSON = 256, OPT_STACKS, OPT_TIMELINE, OPT_TOP, OPT_SORT, OPT_FORMAT, OPT_PHASE, OPT_SKIP, OPT_ADDR2LINE,
       OPT_SVG, OPT_HTML, OPT_WIDE };
static const struct option report_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"json", no_argument, NULL, OPT_JSON},
    {"stacks", no_argument, NULL, OPT_STACKS},
    {"timeline", no_argument, NULL, OPT_TIMELINE},
    {"top", required_argument, NULL, OPT_TOP},
    {"sort", required_argument, NULL, OPT_SORT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"phase", required_argument, NULL, OPT_PHASE},
    {"skip", required_argument, NULL, OPT_SKIP},
    {"addr2line", required_argument, NULL, OPT_ADDR2LINE},
    {"svg", required_argument, NULL, OPT_SVG},
    {"html", required_argument, NULL, OPT_HTML},
    {"wide", no_argument, NULL, OPT_WIDE},
    RTPROF_SUPPRESS_OPTIONS,
    {0},
};

/* Parses the command line into *a. Returns -1 for --help (printed), 0, or
 * RTPROF_EXIT_USAGE after a message. */
static int parse_args(int argc, char **argv, report_args_t *a) {
  rtprof_report_opts_t *o = &a->o;
  const char *name;
  int c;
  optind = 0;
  while ((c = rtprof_getopt("report", argc, argv, "-:h", report_options, &name)) != -1) {
    const char *v = optarg;
    int bad = 0;
    switch (c) {
    case 1: a->files[a->nfiles++] = optarg; break;
    case 'h': fputs(report_usage, stdout); return -1;
    case OPT_JSON: o->format = RTPROF_FMT_JSON; break;
    case OPT_STACKS: o->stacks = true; break;
    case OPT_TIMELINE: o->timeline = true; break;
    case OPT_WIDE: o->wide = true; break;
    case OPT_TOP: {
      char *end;
      unsigned long long n = strtoull(v, &end, 10);
      bad = !*v || *end || v[0] == '-' || n > SIZE_MAX;
      o->top = (size_t)n;
      o->top_given = true;
      break;
    }
    case OPT_SORT:
      if (strcmp(v, "bytes") == 0) o->sort = RTPROF_SORT_BYTES;
      else if (strcmp(v, "count") == 0) o->sort = RTPROF_SORT_COUNT;
      else if (strcmp(v, "live") == 0) o->sort = RTPROF_SORT_LIVE;
      else bad = 1;
      break;
    case OPT_FORMAT:
      if (strcmp(v, "text") == 0) o->format = RTPROF_FMT_TEXT;
      else if (strcmp(v, "json") == 0) o->format = RTPROF_FMT_JSON;
      else if (strcmp(v, "collapsed") == 0) o->format = RTPROF_FMT_COLLAPSED;
      else if (strcmp(v, "pprof") == 0) o->format = RTPROF_FMT_PPROF;
      else bad = 1;
      break;
    case OPT_PHASE: o->phase = v; break;
    case OPT_SKIP: a->skip = v; break;
    case OPT_ADDR2LINE: a->addr2line = v; bad = !*v; break;
    case OPT_SVG: a->svg = v; bad = !*v; break;
    case OPT_HTML: a->html = v; bad = !*v; break;
    default: {
      int rc = rtprof_suppress_option("report", c, v, name);
      if (rc == 0) break;
      return RTPROF_EXIT_USAGE; /* '?' (its message is out), or a bad suppression */
    }
    }
    if (bad) {
      char msg[256];
      snprintf(msg, sizeof msg, "bad value '%s' for %s", v, name);
      return rtprof_usage_error("report", "%s", msg);
    }
  }
  for (int i = optind; i < argc; i++) a->files[a->nfiles++] = argv[i]; /* after "--" */
  return 0;
}

int rtprof_cmd_report(int argc, char **argv) {
  report_args_t a = {.o = {.format = RTPROF_FMT_TEXT, .sort = RTPROF_SORT_BYTES, .top = 20}, .addr2line = "addr2line"};
  a.files = rtprof_xcalloc((size_t)argc, sizeof *a.files);
  int rc = parse_args(argc, argv, &a);
  if (rc) {
    free(a.files);
    return rc < 0 ? RTPROF_EXIT_OK : rc;
  }
  rtprof_report_opts_t o = a.o;
  const char *skip = a.skip, *addr2line = a.addr2line, *svg = a.svg, *html = a.html;
  char **files = a.files;
  size_t nfiles = a.nfiles;
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
