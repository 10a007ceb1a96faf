/* A shared library that allocates, for the end-to-end site test. */
#include "rtprof.h"

static void *kept[2];

void lib_alloc_many(int n) {
  for (int i = 0; i < n; i++) {
    void *p = rt_alloc(32); /* SITE:lib */
    if (i < 2) kept[i] = p;
    else rt_free(p);
  }
}
