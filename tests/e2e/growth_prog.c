/* A loop of 10 iterations, each a call of the phase "iteration" and a
 * labelled snapshot, for t_growth.sh: one site leaks 300 bytes per
 * iteration (3 blocks of 100); the others do not grow: a scratch buffer
 * freed in the same iteration, a cache filled in the first iteration only,
 * and a buffer reallocated to the same size. SITE: markers give the lines. */
#include <stdlib.h>
#include <string.h>

#include "rtprof.h"

static void *leaked[64];
static int nleaked;
static void *cache, *buffer;

static void iteration(int i) {
  PROFILE_PHASE("iteration");
  char *scratch = rt_alloc(4096); /* SITE:scratch */
  memset(scratch, i, 4096);
  rt_free(scratch);
  if (cache == NULL) cache = rt_alloc(2000); /* SITE:cache */
  buffer = rt_realloc(buffer, 512); /* SITE:buffer */
  for (int k = 0; k < 3; k++) leaked[nleaked++] = rt_alloc(100); /* SITE:leak */
}

int main(void) {
  for (int i = 0; i < 10; i++) {
    iteration(i);
    rtprof_snapshot("iteration");
  }
  return 0;
}
