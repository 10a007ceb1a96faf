/* Run setuid root by an unprivileged user (t_setuid.sh): prints whether it
 * really runs with euid 0 and whether profiling came on, then allocates
 * and exits (which would write a dump if it had). */
#include <stdio.h>
#include <unistd.h>

#include "rtprof.h"

int main(void) {
  void *p = rt_alloc(100);
  printf("euid=%d uid=%d profiling=%d\n", (int)geteuid(), (int)getuid(), (int)rtprof_enabled());
  rt_free(p);
  return 0;
}
