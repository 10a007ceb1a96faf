/* A runaway (t_runaway.sh): allocates 256 KiB blocks it keeps, about
 * 250 MB/s, until it is killed or reaches argv[2] MiB; after each block it
 * appends "t_ns live_bytes" (CLOCK_MONOTONIC) to the side file argv[1], with
 * one write(2) each, so the record survives a SIGKILL. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtprof.h"

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (fd < 0) return 3;
  unsigned long long limit = strtoull(argv[2], NULL, 10) << 20, live = 0;
  const size_t block = 256 << 10;
  struct timespec pause = {0, 1000000L};
  for (unsigned i = 0; live < limit; i++) {
    char *p = rt_alloc(block);
    if (p == NULL) return 4;
    p[0] = 1;
    live += block;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char line[64];
    int n = snprintf(line, sizeof line, "%llu %llu\n",
                     (unsigned long long)now.tv_sec * 1000000000ull + (unsigned long long)now.tv_nsec, live);
    if (write(fd, line, (size_t)n) != n) return 5;
    if (i % 4 == 3) nanosleep(&pause, NULL);
  }
  return 0;
}
