/* The rtprof command: dispatches to subcommands through one table, so `run`,
 * `diff` and `check` can join `report` without touching the rest. */
#include <string.h>

#include "cmd/cmd.h"

#ifndef RTPROF_VERSION
#error "RTPROF_VERSION is set by the Makefile (-DRTPROF_VERSION='\"x.y.z\"')"
#endif

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
  fprintf(out, "\n'rtprof help COMMAND' (the same as 'rtprof COMMAND --help') describes a\n"
               "command; 'rtprof --version' prints the version; rtprof(1) has it all.\n"
               "Exit status: 0 success, 1 a check budget was broken, 2 bad usage or bad\n"
               "input (a message on stderr).\n");
}

static const rtprof_cmd_t *find_command(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (strcmp(name, commands[i].name) == 0) return &commands[i];
  return NULL;
}

/* `rtprof help [COMMAND]`: COMMAND's own --help, so the two never differ. */
static int help(int argc, char **argv) {
  if (argc < 3) {
    usage(stdout);
    return RTPROF_EXIT_OK;
  }
  if (argc > 3) {
    rtprof_error("help: one command at a time (usage: rtprof help [COMMAND])");
    return RTPROF_EXIT_USAGE;
  }
  const rtprof_cmd_t *c = find_command(argv[2]);
  if (!c) {
    rtprof_error("help: unknown command '%s' (see 'rtprof --help')", argv[2]);
    return RTPROF_EXIT_USAGE;
  }
  char *help_argv[] = {(char *)c->name, "--help", NULL};
  return c->fn(2, help_argv);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return RTPROF_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return RTPROF_EXIT_OK;
  }
  if (strcmp(argv[1], "help") == 0) return help(argc, argv);
  if (strcmp(argv[1], "--version") == 0) {
    printf("rtprof %s\n", RTPROF_VERSION);
    return RTPROF_EXIT_OK;
  }
  const rtprof_cmd_t *c = find_command(argv[1]);
  if (c) return c->fn(argc - 1, argv + 1);
  rtprof_error("unknown command '%s' (see 'rtprof --help')", argv[1]);
  return RTPROF_EXIT_USAGE;
}
