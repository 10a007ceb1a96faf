/* Private header of the rtprof command, stage "cmd": on top of all. Owns
 * main (cmd/main.c), the pipeline read -> resolve -> model shared by report,
 * diff and check (cmd/load.c), and one file per subcommand with its options
 * (cmd/cmd_*.c). May use every stage. */
#ifndef RTPROF_CMD_H
#define RTPROF_CMD_H

#include <getopt.h>
#include <regex.h>

#include "write/write.h"

/* ---- "load.c": dumps read, symbolized and merged --------------------------- */
typedef struct rtprof_load_s {
  rtprof_dump_t *dumps; size_t ndumps;
  rtprof_symtab_t st;
  rtprof_model_t m;
  regex_t skip; bool has_skip;  /* --skip, compiled */
  bool built;              /* st and m are set */
} rtprof_load_t;
/* Returns 0, or -1 after a message ("CMD: --skip: ...", or the reader's). */
int rtprof_load(rtprof_load_t *l, const char *cmd, char *const *files, size_t nfiles, const char *addr2line,
                const char *skip);
void rtprof_load_free(rtprof_load_t *l);
/* --suppress, --suppressions, --no-default-suppressions (report, diff,
 * check): rows for a command's option table, and their handling. Every
 * model rtprof_load builds afterwards has them applied. */
enum { RTPROF_OPT_SUPPRESS = 400, RTPROF_OPT_SUPPRESSIONS, RTPROF_OPT_NO_DEFAULT_SUPPRESSIONS };
#define RTPROF_SUPPRESS_OPTIONS                                                     \
  {"suppress", required_argument, NULL, RTPROF_OPT_SUPPRESS},                       \
  {"suppressions", required_argument, NULL, RTPROF_OPT_SUPPRESSIONS},               \
  {"no-default-suppressions", no_argument, NULL, RTPROF_OPT_NO_DEFAULT_SUPPRESSIONS}
#define RTPROF_SUPPRESS_USAGE                                                                    \
  "  --suppress PATTERN   set aside sites with a frame whose function, or FILE:LINE,\n"          \
  "                       matches the glob (repeatable): leak triage\n"                           \
  "  --suppressions FILE  the same, one pattern a line (# comments; leak:PATTERN\n"              \
  "                       lines as LeakSanitizer and heaptrack write them)\n"                     \
  "  --no-default-suppressions   keep the C library's one-time allocations (stdio,\n"         \
  "                       locale, NSS, dynamic loader) with the rest\n"
/* 1: not one of them; 0: taken; RTPROF_EXIT_USAGE after a message. */
int rtprof_suppress_option(const char *cmd, int opt, const char *value, const char *name);

/* ---- "opts.c": the subcommands' options ------------------------------------ */
/* The next option of a subcommand's argv (set optind = 0 before the first):
 * getopt_long with long options spelt in full. shorts is getopt's optstring
 * after "-:" (each operand returned as 1, in order, with optarg) or "+:"
 * (stop at the first operand). Returns the option's val (long-only options:
 * 256 up), 1, -1 at the end (then optind is on the first operand left), or
 * '?' after "CMD: unknown option 'X'" or "CMD: option 'X' needs a value".
 * *name: the option as messages name it ("--top", "-o"). */
int rtprof_getopt(const char *cmd, int argc, char **argv, const char *shorts, const struct option *longs,
                  const char **name);

/* ---- "main.c", "cmd_*.c": subcommands -------------------------------------- */
int rtprof_cmd_report(int argc, char **argv);
int rtprof_cmd_run(int argc, char **argv);
int rtprof_cmd_diff(int argc, char **argv);
int rtprof_cmd_check(int argc, char **argv);

#endif /* RTPROF_CMD_H */
