/* Watches its own dump (argv[1]) for argv[2] ms, polling every 10 ms, and
 * prints the dump_ns of each distinct dump it saw (t_flush.sh). It keeps
 * allocating meanwhile, so the sampler has work. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtprof.h"

static unsigned long long dump_ns(const char *path) {
  char buf[512];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char *p = strstr(buf, " dump_ns=");
  return p ? strtoull(p + 9, NULL, 10) : 0;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  long ms = atol(argv[2]);
  unsigned long long seen[4096];
  int n = 0;
  struct timespec step = {0, 10 * 1000000L};
  for (long t = 0; t < ms; t += 10) {
    rt_free(rt_alloc(64));
    unsigned long long d = dump_ns(argv[1]);
    if (d != 0 && (n == 0 || seen[n - 1] != d) && n < 4096) seen[n++] = d;
    nanosleep(&step, NULL);
  }
  for (int i = 0; i < n; i++) printf("%llu\n", seen[i]);
  return 0;
}
