/* The first half of report, diff and check: read the dumps, symbolize them
 * (one addr2line per file) and merge them into a model, with --skip. */
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

static rtprof_suppressions_t suppressions; /* from the command line, for every load */

int rtprof_suppress_option(const char *cmd, int opt, const char *value, const char *name) {
  char err[256];
  switch (opt) {
  case RTPROF_OPT_SUPPRESS:
    if (rtprof_suppress_add(&suppressions, value, err, sizeof err) == 0) return 0;
    return rtprof_usage_error(cmd, "%s '%s': %s", name, value, err);
  case RTPROF_OPT_SUPPRESSIONS:
    if (!*value) return rtprof_usage_error(cmd, "bad value '' for %s", name);
    return rtprof_suppress_read(&suppressions, value) ? RTPROF_EXIT_USAGE : 0;
  case RTPROF_OPT_NO_DEFAULT_SUPPRESSIONS: suppressions.no_defaults = true; return 0;
  default: return 1;
  }
}

int rtprof_load(rtprof_load_t *l, const char *cmd, char *const *files, size_t nfiles, const char *addr2line,
                const char *skip) {
  memset(l, 0, sizeof *l);
  if (skip) {
    int rc = regcomp(&l->skip, skip, REG_EXTENDED | REG_NOSUB);
    if (rc) {
      char msg[256];
      regerror(rc, &l->skip, msg, sizeof msg);
      rtprof_error("%s: --skip: bad regular expression '%s': %s", cmd, skip, msg);
      return -1;
    }
    l->has_skip = true;
  }
  l->dumps = rtprof_xcalloc(nfiles, sizeof *l->dumps);
  for (; l->ndumps < nfiles; l->ndumps++)
    if (rtprof_dump_read(files[l->ndumps], &l->dumps[l->ndumps])) {
      rtprof_load_free(l);
      return -1;
    }
  /* a dead addr2line must not kill us through its stdin pipe */
  void (*old)(int) = signal(SIGPIPE, SIG_IGN);
  l->st.addr2line = addr2line ? addr2line : "addr2line";
  rtprof_symbolize(&l->st, l->dumps, l->ndumps);
  signal(SIGPIPE, old);
  rtprof_model_build(&l->m, l->dumps, l->ndumps, &l->st, l->has_skip ? &l->skip : NULL);
  static bool defaults_added;
  if (!defaults_added) rtprof_suppress_defaults(&suppressions), defaults_added = true;
  rtprof_model_suppress(&l->m, &suppressions);
  l->built = true;
  return 0;
}

void rtprof_load_free(rtprof_load_t *l) {
  if (l->built) {
    rtprof_model_free(&l->m);
    rtprof_symtab_free(&l->st);
  }
  for (size_t i = 0; i < l->ndumps; i++) rtprof_dump_free(&l->dumps[i]);
  free(l->dumps);
  if (l->has_skip) regfree(&l->skip);
  memset(l, 0, sizeof *l);
}
