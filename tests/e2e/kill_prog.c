/* Allocates forever in batches and prints, after each batch, how many
 * allocations it has made; t_kill.sh kills it with SIGKILL. */
#include <stdio.h>
#include <unistd.h>

#include "rtprof.h"

int main(void) {
  void *ring[1000] = {0};
  unsigned long made = 0;
  for (;;) {
    for (int i = 0; i < 1000; i++) {
      rt_free(ring[i]);
      ring[i] = rt_alloc(64 + (size_t)(i % 64)); /* SITE:batch */
    }
    made += 1000;
    printf("%lu\n", made);
    fflush(stdout);
    usleep(1000);
  }
}
