/* `rtprof diff [options] BEFORE AFTER`: reads and symbolizes both dumps (each
 * with its own symbol table: they may come from two builds), matches them
 * (diff.c) and prints what changed (diff_write.c, docs/diff-check.md). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

static const char diff_usage[] =
    "usage: rtprof diff [options] BEFORE AFTER\n"
    "\n"
    "What changed from one run to another: totals (peak committed first), phases\n"
    "matched by path, sites matched by function and file:line (module+offset for\n"
    "frames without a line), each sorted by the size of its change.\n"
    "\n"
    "options:\n"
    "  --top N              rows per table (default 20; 0: all). JSON lists every\n"
    "                       phase and site unless --top is given\n"
    "  --json               JSON for scripts (docs/diff-check.md)\n"
    "  --wide               text: every column, full source paths, exact figures\n"
    "                       (the default fits 100 columns)\n"
    "  --skip REGEX         attribute each site to its first frame whose function\n"
    "                       does not match (as in rtprof report)\n"
    RTPROF_SUPPRESS_USAGE
    "  --addr2line PATH     the addr2line program to run (default: addr2line)\n"
    "  -h, --help           this help\n"
    "\n"
    "Exit status: 0 success, 2 bad usage or bad input.\n";


enum { OPT_JSON = 256, OPT_TOP, OPT_SKIP, OPT_ADDR2LINE, OPT_WIDE };
static const struct option diff_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"json", no_argument, NULL, OPT_JSON},
    {"top", required_argument, NULL, OPT_TOP},
    {"skip", required_argument, NULL, OPT_SKIP},
    {"addr2line", required_argument, NULL, OPT_ADDR2LINE},
    {"wide", no_argument, NULL, OPT_WIDE},
    RTPROF_SUPPRESS_OPTIONS,
    {0},
};

/* One more dump; returns 0, or RTPROF_EXIT_USAGE after a message. */
static int add_dump(char **files, size_t *nfiles, char *a) {
  if (*nfiles == 2) return rtprof_usage_error("diff", "more than two dumps ('%s'): diff compares BEFORE with AFTER", a);
  files[(*nfiles)++] = a;
  return 0;
}

int rtprof_cmd_diff(int argc, char **argv) {
  rtprof_diff_opts_t o = {.top = 20};
  const char *skip = NULL, *addr2line = "addr2line";
  char *files[2];
  size_t nfiles = 0;
  const char *name;
  int c;
  optind = 0;
  while ((c = rtprof_getopt("diff", argc, argv, "-:h", diff_options, &name)) != -1) {
    const char *v = optarg;
    bool bad = false;
    switch (c) {
    case 1:
      if (add_dump(files, &nfiles, optarg)) return RTPROF_EXIT_USAGE;
      break;
    case 'h': fputs(diff_usage, stdout); return RTPROF_EXIT_OK;
    case OPT_JSON: o.json = true; break;
    case OPT_WIDE: o.wide = true; break;
    case OPT_TOP: {
      char *end;
      unsigned long long n = strtoull(v, &end, 10);
      bad = !*v || *end || v[0] == '-' || n > SIZE_MAX;
      o.top = (size_t)n;
      o.top_given = true;
      break;
    }
    case OPT_SKIP: skip = v; bad = !*v; break;
    case OPT_ADDR2LINE: addr2line = v; bad = !*v; break;
    default:
      if (rtprof_suppress_option("diff", c, v, name) == 0) break;
      return RTPROF_EXIT_USAGE; /* '?' (its message is out), or a bad suppression */
    }
    if (bad) {
      char msg[256];
      snprintf(msg, sizeof msg, "bad value '%s' for %s", v, name);
      return rtprof_usage_error("diff", "%s", msg);
    }
  }
  for (; optind < argc; optind++) /* after "--" */
    if (add_dump(files, &nfiles, argv[optind])) return RTPROF_EXIT_USAGE;
  if (nfiles != 2) return rtprof_usage_error("diff", "%s", nfiles ? "no AFTER dump given" : "no dumps given (BEFORE AFTER)");
  if (strcmp(files[0], "-") == 0 && strcmp(files[1], "-") == 0)
    return rtprof_usage_error("diff", "%s", "only one of BEFORE and AFTER can be standard input");
  rtprof_load_t l[2];
  if (rtprof_load(&l[0], "diff", &files[0], 1, addr2line, skip)) return RTPROF_EXIT_USAGE;
  if (rtprof_load(&l[1], "diff", &files[1], 1, addr2line, skip)) {
    rtprof_load_free(&l[0]);
    return RTPROF_EXIT_USAGE;
  }
  rtprof_diff_t df;
  rtprof_diff_build(&df, &l[0].m, &l[1].m);
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  rtprof_diff_write(stdout, &df, &o);
  int status = RTPROF_EXIT_OK;
  if (fflush(stdout) || ferror(stdout)) {
    rtprof_error("diff: cannot write the diff");
    status = RTPROF_EXIT_USAGE;
  }
  rtprof_diff_free(&df);
  rtprof_load_free(&l[1]);
  rtprof_load_free(&l[0]);
  return status;
}
