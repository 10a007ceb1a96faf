/* Allocates from two sites, printing before each allocation, for
 * t_break.sh (RTPROF_BREAK_ALLOC and RTPROF_BREAK_SITE). */
#include <stdio.h>

#include "rtprof.h"

int main(void) {
  for (int i = 1; i <= 5; i++) {
    printf("a%d\n", i);
    fflush(stdout);
    rt_free(rt_alloc(10)); /* SITE:first */
    printf("b%d\n", i);
    fflush(stdout);
    rt_free(rt_alloc(20)); /* SITE:second */
  }
  return 0;
}
