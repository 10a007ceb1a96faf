/* Private header of the rtprof command, stage "cmd": on top of all. Owns
 * main (cmd/main.c), the pipeline read -> resolve -> model shared by report,
 * diff and check (cmd/load.c), and one file per subcommand with its options
 * (cmd/cmd_*.c). May use every stage. */
#ifndef RTPROF_CMD_H
#define RTPROF_CMD_H

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

/* ---- "main.c", "cmd_*.c": subcommands -------------------------------------- */
int rtprof_cmd_report(int argc, char **argv);
int rtprof_cmd_run(int argc, char **argv);
int rtprof_cmd_diff(int argc, char **argv);
int rtprof_cmd_check(int argc, char **argv);

#endif /* RTPROF_CMD_H */
