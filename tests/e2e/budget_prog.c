/* Runs argv[1] ms (the periodic dump failing meanwhile), then frees a block
 * twice (t_msg_budget.sh). */
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wuse-after-free"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rtprof.h"

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 300;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  char *p = rt_alloc(10);
  rt_free(p);
  rt_free(p);
  puts("continued");
  return 0;
}
