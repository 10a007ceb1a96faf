/* Allocations at known lines: in the executable, in a shared library and
 * through an inlined helper. tests/e2e/t_sites.sh checks the report's exact
 * file:line, counts and leaks; the SITE: markers give the lines. */
#include <stdio.h>

#include "rtprof.h"

void lib_alloc_many(int n);

static inline __attribute__((always_inline)) void *inlined_helper(size_t n) {
  return rt_alloc(n); /* SITE:inlined */
}

void *keep[8];

int main(void) {
  for (int i = 0; i < 100; i++) rt_free(rt_alloc(64)); /* SITE:loop */
  for (int i = 0; i < 8; i++) keep[i] = rt_alloc(1000); /* SITE:leak */
  for (int i = 0; i < 3; i++) rt_free(inlined_helper(50)); /* SITE:inlined_caller */
  lib_alloc_many(10);
  unsigned long sum = 0;
  for (int i = 0; i < 8; i++) sum += (unsigned long)(keep[i] != NULL);
  printf("done %lu\n", sum);
  return 0;
}
