/* For t_dump_target.sh: allocates, then per argument: "fork" (a child that
 * allocates and _exits), "dump" (rtprof_dump(NULL)), "sleep MS", "snaps N" (N labelled snapshots: a dump larger than a pipe
 * holds). Prints
 * nothing on stdout, so a dump sent there is all it holds. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rtprof.h"

int main(int argc, char **argv) {
  void *keep = rt_alloc(4096);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "fork") == 0) {
      pid_t pid = fork();
      if (pid == 0) {
        rt_free(rt_alloc(100));
        _exit(0);
      }
      waitpid(pid, NULL, 0);
    } else if (strcmp(argv[i], "dump") == 0) {
      rtprof_dump(NULL);
    } else if (strcmp(argv[i], "snaps") == 0 && i + 1 < argc) {
      for (long n = atol(argv[++i]); n > 0; n--) rtprof_snapshot("a label that makes the timeline long");
    } else if (strcmp(argv[i], "sleep") == 0 && i + 1 < argc) {
      long ms = atol(argv[++i]);
      struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  rt_free(keep);
  return 0;
}
