/* `rtprof report [options] DUMP...`: reads the dumps, symbolizes them,
 * merges them and prints the report (docs/report.md). */
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof_cli.h"

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
    "  --format text|json|collapsed   output format (default text)\n"
    "  --json               same as --format json\n"
    "  --phase PATH         phase sections show only PATH and its subtree\n"
    "  --skip REGEX         attribute each site to its first frame whose function\n"
    "                       does not match (POSIX extended regex); sites that fold\n"
    "                       to the same frame merge\n"
    "  --stacks             print each site's whole stack (text)\n"
    "  --addr2line PATH     the addr2line program to run (default: addr2line)\n"
    "  -h, --help           this help\n"
    "\n"
    "Exit status: 0 success, 2 bad usage or bad input.\n";

static int usage_error(const char *fmt, const char *arg) {
  char msg[512];
  snprintf(msg, sizeof msg, fmt, arg);
  rtprof_error("report: %s (see 'rtprof report --help')", msg);
  return RTPROF_EXIT_USAGE;
}

/* "--opt VALUE" or "--opt=VALUE"; returns the value or NULL (and *err). */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *matched, bool *err) {
  size_t n = strlen(name);
  const char *a = argv[*i];
  *matched = false;
  if (strncmp(a, name, n) != 0) return NULL;
  if (a[n] == '=') {
    *matched = true;
    return a + n + 1;
  }
  if (a[n] != '\0') return NULL;
  *matched = true;
  if (*i + 1 >= argc) {
    *err = true;
    return NULL;
  }
  return argv[++*i];
}

int rtprof_cmd_report(int argc, char **argv) {
  rtprof_report_opts_t o = {.format = RTPROF_FMT_TEXT, .sort = RTPROF_SORT_BYTES, .top = 20};
  const char *skip = NULL, *addr2line = "addr2line";
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
    static const char *const valued[] = {"--top", "--sort", "--format", "--phase", "--skip", "--addr2line"};
    bool matched = false, err = false;
    const char *v = NULL;
    size_t k;
    for (k = 0; k < sizeof valued / sizeof *valued; k++) {
      v = opt_value(argc, argv, &i, valued[k], &matched, &err);
      if (matched) break;
    }
    if (!matched) {
      free(files);
      return usage_error("unknown option '%s'", a);
    }
    if (err) {
      free(files);
      return usage_error("option '%s' needs a value", valued[k]);
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
      else bad = 1;
      break;
    case 3: o.phase = v; break;
    case 4: skip = v; break;
    case 5: addr2line = v; bad = !*v; break;
    }
    if (bad) {
      char msg[256];
      snprintf(msg, sizeof msg, "bad value '%s' for %s", v, valued[k]);
      free(files);
      return usage_error("%s", msg);
    }
  }
  if (nfiles == 0) {
    free(files);
    return usage_error("%s", "no dump given");
  }
  regex_t re;
  if (skip) {
    int rc = regcomp(&re, skip, REG_EXTENDED | REG_NOSUB);
    if (rc) {
      char msg[256];
      regerror(rc, &re, msg, sizeof msg);
      rtprof_error("report: --skip: bad regular expression '%s': %s", skip, msg);
      free(files);
      return RTPROF_EXIT_USAGE;
    }
  }
  rtprof_dump_t *dumps = rtprof_xcalloc(nfiles, sizeof *dumps);
  int status = RTPROF_EXIT_OK;
  size_t nread = 0;
  for (; nread < nfiles; nread++)
    if (rtprof_dump_read(files[nread], &dumps[nread])) {
      status = RTPROF_EXIT_USAGE;
      break;
    }
  if (status == RTPROF_EXIT_OK) {
    /* a dead addr2line must not kill us through its stdin pipe */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    rtprof_symtab_t st = {.addr2line = addr2line};
    rtprof_symbolize(&st, dumps, nfiles);
    signal(SIGPIPE, old);
    rtprof_model_t m;
    rtprof_model_build(&m, dumps, nfiles, &st, skip ? &re : NULL);
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (rtprof_report_write(stdout, &m, &o)) status = RTPROF_EXIT_USAGE;
    if (fflush(stdout) || ferror(stdout)) {
      rtprof_error("report: cannot write the report");
      status = RTPROF_EXIT_USAGE;
    }
    rtprof_model_free(&m);
    rtprof_symtab_free(&st);
  }
  for (size_t i = 0; i < nread; i++) rtprof_dump_free(&dumps[i]);
  free(dumps);
  if (skip) regfree(&re);
  free(files);
  return status;
}
