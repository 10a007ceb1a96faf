/* Allocates forever in batches of 1000 and prints, after each batch, how
 * many allocations it has made and the CLOCK_REALTIME nanoseconds (the
 * clock of the dump's dump_ns); t_kill.sh kills it with SIGKILL. */
#include <stdio.h>
#include <time.h>
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
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    printf("%lu %llu\n", made, (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec);
    fflush(stdout);
    usleep(1000);
  }
}
