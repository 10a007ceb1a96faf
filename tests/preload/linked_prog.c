/* A program linked with librtprof (for rt_alloc), run under `rtprof run` by
 * t_run_exec.sh: both its rt_alloc and its malloc blocks must be counted. */
#include <stdio.h>
#include <stdlib.h>

#include "rtprof.h"

int main(void) {
  void *a = rt_alloc(12345);
  void *b = malloc(54321);
  printf("linked: %d\n", a != NULL && b != NULL);
  rt_free(a);
  free(b);
  return 0;
}
