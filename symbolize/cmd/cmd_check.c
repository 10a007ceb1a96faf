/* `rtprof check [options] DUMP`: holds the budgets given on the command line
 * and in budget files against one run; exit 1 when one is broken, so a CI
 * job can gate on it (docs/diff-check.md). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

static const char check_usage[] =
    "usage: rtprof check [options] DUMP\n"
    "\n"
    "Exit 1 when the run broke a budget, 0 when it holds them all. One line per\n"
    "budget: 'ok   ...' or 'FAIL ...' with the limit, the actual figure and the\n"
    "site or phase. SIZE: bytes, or with K, M, G or T (powers of 1024).\n"
    "\n"
    "budgets (each may be given several times):\n"
    "  --max-peak-committed SIZE     peak committed bytes\n"
    "  --max-live SIZE               bytes live at exit (0: no leaks)\n"
    "  --max-site-bytes PATTERN=SIZE bytes allocated by each site whose function,\n"
    "                                file:line or file name:line matches the glob\n"
    "  --max-phase-bytes PATH=SIZE   bytes allocated in the phase, nested included\n"
    "  --max-phase-delta PATH=SIZE   the phase's committed delta per call (mean)\n"
    "  --max-growth PERCENT          peak committed and alloc bytes may grow by at\n"
    "                                most PERCENT over --baseline\n"
    "  --budgets FILE                more budgets: one per line ('max-live 0'),\n"
    "                                '#' starts a comment\n"
    "\n"
    "options:\n"
    "  --baseline OLD       the dump --max-growth compares with\n"
    "  -q, --quiet          print the broken budgets only\n"
    "  --skip REGEX         attribute each site to its first frame whose function\n"
    "                       does not match (as in rtprof report)\n"
    RTPROF_SUPPRESS_USAGE
    "  --addr2line PATH     the addr2line program to run (default: addr2line)\n"
    "  -h, --help           this help\n"
    "\n"
    "Exit status: 0 every budget holds, 1 a budget is broken, 2 bad usage or bad\n"
    "input (a bad dump, budget or budget file).\n";


/* The one dump; returns 0, or RTPROF_EXIT_USAGE after a message. */
static int set_dump(const char **dump, const char *a) {
  if (*dump) return rtprof_usage_error("check", "more than one dump ('%s' and '%s')", *dump, a);
  *dump = a;
  return 0;
}

/* Options: one per budget kind (values OPT_BUDGET + kind), then the rest. */
enum { OPT_BUDGET = 256, OPT_BUDGETS = OPT_BUDGET + RTPROF_BUDGET_LAST, OPT_BASELINE, OPT_SKIP, OPT_ADDR2LINE };
static void check_options(struct option *opts) {
  int n = 0;
  for (int k = 0; k < RTPROF_BUDGET_LAST; k++)
    opts[n++] = (struct option){rtprof_budget_name((rtprof_budget_kind_t)k), required_argument, NULL, OPT_BUDGET + k};
  opts[n++] = (struct option){"quiet", no_argument, NULL, 'q'};
  opts[n++] = (struct option){"budgets", required_argument, NULL, OPT_BUDGETS};
  opts[n++] = (struct option){"baseline", required_argument, NULL, OPT_BASELINE};
  opts[n++] = (struct option){"skip", required_argument, NULL, OPT_SKIP};
  opts[n++] = (struct option){"addr2line", required_argument, NULL, OPT_ADDR2LINE};
  static const struct option sup[] = {RTPROF_SUPPRESS_OPTIONS};
  for (size_t i = 0; i < sizeof sup / sizeof *sup; i++) opts[n++] = sup[i];
  opts[n] = (struct option){0};
}

/* Parses the options into budgets; returns -1 after a message. */
static int parse_args(int argc, char **argv, rtprof_budgets_t *bs, const char **dump, const char **baseline,
                      const char **skip, const char **addr2line, bool *quiet) {
  int budgets_stdin = 0; /* --budgets - seen */
  struct option opts[RTPROF_BUDGET_LAST + 9];
  check_options(opts);
  const char *name;
  int c;
  optind = 0;
  while ((c = rtprof_getopt("check", argc, argv, "-:q", opts, &name)) != -1) {
    const char *v = optarg;
    if (c == 1) {
      if (set_dump(dump, v)) return -1;
      continue;
    }
    if (c == 'q') {
      *quiet = true;
      continue;
    }
    if (c >= OPT_BUDGET && c < OPT_BUDGET + RTPROF_BUDGET_LAST) {
      char msg[512];
      if (rtprof_budget_add(bs, (rtprof_budget_kind_t)(c - OPT_BUDGET), v, NULL, 0, msg, sizeof msg))
        return rtprof_usage_error("check", "%s: %s", name, msg);
      continue;
    }
    if (c == '?') return -1; /* the message is out */
    int sup = rtprof_suppress_option("check", c, v, name);
    if (sup == 0) continue;
    if (sup != 1) return -1;
    if (!*v) return rtprof_usage_error("check", "bad value '' for %s", name);
    switch (c) {
    case OPT_BUDGETS:
      if (strcmp(v, "-") == 0 && budgets_stdin++) return rtprof_usage_error("check", "--budgets - given twice");
      if (rtprof_budgets_read(bs, v)) return -1;
      break;
    case OPT_BASELINE:
      if (*baseline) return rtprof_usage_error("check", "--baseline given twice ('%s' and '%s')", *baseline, v);
      *baseline = v;
      break;
    case OPT_SKIP: *skip = v; break;
    case OPT_ADDR2LINE: *addr2line = v; break;
    }
  }
  for (; optind < argc; optind++) /* after "--" */
    if (set_dump(dump, argv[optind])) return -1;
  if (!*dump) return rtprof_usage_error("check", "no dump given");
  int stdin_users = (strcmp(*dump, "-") == 0) + (*baseline && strcmp(*baseline, "-") == 0) + budgets_stdin;
  if (stdin_users > 1) return rtprof_usage_error("check", "only one of DUMP, --baseline and --budgets can be standard input");
  if (bs->n == 0) return rtprof_usage_error("check", "no budget given (--max-live 0, --budgets FILE, ...)");
  bool growth = false;
  for (size_t i = 0; i < bs->n; i++) growth |= bs->v[i].kind == RTPROF_BUDGET_GROWTH;
  if (growth && !*baseline) return rtprof_usage_error("check", "max-growth needs --baseline OLD (the dump to compare with)");
  if (!growth && *baseline) return rtprof_usage_error("check", "--baseline %s is given but no --max-growth budget", *baseline);
  return 0;
}

int rtprof_cmd_check(int argc, char **argv) {
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      fputs(check_usage, stdout);
      return RTPROF_EXIT_OK;
    }
  rtprof_budgets_t bs = {0};
  const char *dump = NULL, *baseline = NULL, *skip = NULL, *addr2line = "addr2line";
  bool quiet = false;
  if (parse_args(argc, argv, &bs, &dump, &baseline, &skip, &addr2line, &quiet)) {
    rtprof_budgets_free(&bs);
    return RTPROF_EXIT_USAGE;
  }
  rtprof_load_t l, base;
  char *files[2] = {(char *)dump, (char *)baseline};
  int status = RTPROF_EXIT_USAGE;
  if (rtprof_load(&l, "check", &files[0], 1, addr2line, skip) == 0) {
    if (!baseline || rtprof_load(&base, "check", &files[1], 1, addr2line, skip) == 0) {
      static char outbuf[1 << 16];
      setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
      FILE *text = rtprof_text_open(stdout); /* names from the dump: no terminal escapes */
      size_t broken = rtprof_check_run(text, &bs, &l.m, baseline ? &base.m : NULL, quiet);
      fclose(text);
      status = broken ? RTPROF_EXIT_BROKEN : RTPROF_EXIT_OK;
      if (fflush(stdout) || ferror(stdout)) {
        rtprof_error("check: cannot write the verdicts");
        status = RTPROF_EXIT_USAGE;
      }
      if (baseline) rtprof_load_free(&base);
    }
    rtprof_load_free(&l);
  }
  rtprof_budgets_free(&bs);
  return status;
}
