/* The rtprof command: dispatches to subcommands through one table, so `run`,
 * `diff` and `check` can join `report` without touching the rest. */
#include <string.h>

#include "cmd/cmd.h"

typedef struct rtprof_cmd_s {
  const char *name;
  int (*fn)(int argc, char **argv); /* argv[0] is the subcommand's name */
  const char *summary;
} rtprof_cmd_t;

static const rtprof_cmd_t commands[] = {
    {"run", rtprof_cmd_run, "run a command with profiling on, then print its report"},
    {"report", rtprof_cmd_report, "symbolized breakdowns of one or more dumps: sites, leaks, phases"},
    {"diff", rtprof_cmd_diff, "what changed between two runs, per phase and per site"},
    {"check", rtprof_cmd_check, "exit 1 when a dump breaks a budget: a regression gate for CI"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: rtprof COMMAND [options] [args]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n'rtprof COMMAND --help' describes a command. Exit status: 0 success,\n"
               "1 a check budget was broken, 2 bad usage or bad input (a message on stderr).\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return RTPROF_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return RTPROF_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
  rtprof_error("unknown command '%s' (see 'rtprof --help')", argv[1]);
  return RTPROF_EXIT_USAGE;
}
