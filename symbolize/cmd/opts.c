/* The subcommands' option parser: glibc's getopt_long (--opt=value,
 * --opt value, bundled short options) with rtprof's own messages, and long
 * options spelt in full: an abbreviation is an unknown option, so adding an
 * option never changes what an existing command line means. */
#include <string.h>

#include "cmd/cmd.h"

/* arg is "--NAME" or "--NAME=..." */
static bool spelt_in_full(const char *arg, const char *name) {
  size_t n = strlen(name);
  return strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, name, n) == 0 && (arg[2 + n] == '\0' || arg[2 + n] == '=');
}

static int unknown(const char *cmd, const char *arg) {
  rtprof_usage_error(cmd, "unknown option '%s'", arg);
  return '?';
}

static int needs_value(const char *cmd, const char *opt) {
  rtprof_usage_error(cmd, "option '%s' needs a value", opt);
  return '?';
}

int rtprof_getopt(const char *cmd, int argc, char **argv, const char *shorts, const struct option *longs,
                  const char **name) {
  static char buf[80];
  int idx = -1;
  opterr = 0; /* the messages are ours */
  int c = getopt_long(argc, argv, shorts, longs, &idx);
  *name = buf;
  buf[0] = '\0';
  if (c == -1 || c == 1) return c;
  if (idx >= 0) { /* a long option; its value may be the next argument */
    const struct option *o = &longs[idx];
    const char *arg = o->has_arg == required_argument && optarg == argv[optind - 1] ? argv[optind - 2] : argv[optind - 1];
    if (!spelt_in_full(arg, o->name)) return unknown(cmd, arg);
    snprintf(buf, sizeof buf, "--%s", o->name);
    return c;
  }
  /* optopt: the short option at fault, or the value of the long one (long-only
   * options have values from 256 up), or 0 for an unknown long option. */
  bool unknown_short = optopt > 0 && optopt < 256 && (optopt == ':' || !strchr(shorts, optopt));
  const char *arg = argv[optind - 1];
  if (c == ':' && strncmp(arg, "--", 2) == 0) { /* a long option last, without its value */
    for (const struct option *o = longs; o->name; o++)
      if (strcmp(arg + 2, o->name) == 0) return needs_value(cmd, arg);
    return unknown(cmd, arg);
  }
  snprintf(buf, sizeof buf, "-%c", c == ':' || c == '?' ? optopt : c);
  if (c == ':') return needs_value(cmd, buf);
  if (c == '?' && unknown_short) return unknown(cmd, buf);
  if (c == '?') return unknown(cmd, arg); /* "--switch=value" */
  return c;
}
