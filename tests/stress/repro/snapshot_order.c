/* Reproducer (library bug, profiling on): with several threads, the dump's
 * snapshot records are not oldest first, as docs/dump-format.md requires,
 * and `rtprof report` then refuses the whole dump ("field 't_ns': ... is
 * before the previous snapshot's"). Seen in tests/stress with phases begun
 * by 16 threads (kind=peak points); here with rtprof_snapshot().
 * Cause: alloc/snapshot.c rt_snapshot_take() reads the clock (t_ns) before
 * taking rt_snaps.lock, so two threads can append in the other order. Taking
 * t_ns under the lock (or inserting in order) fixes it.
 * Build: cc -Iinclude THIS -Lbuild/lib -lrtprof -lpthread
 * Run: RTPROF=1 ./a.out DUMP; exits 1 while the bug is present. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rtprof.h"

static void *snap(void *arg) {
  (void)arg;
  for (int i = 0; i < 500; i++) rtprof_snapshot("x");
  return NULL;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "snapshot_order.dump";
  pthread_t t[4];
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, snap, NULL);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  if (rtprof_dump(path) != 0) return 2;
  FILE *f = fopen(path, "r");
  char line[8192];
  uint64_t prev = 0;
  int n = 0, bad = 0;
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, "snapshot t_ns=", 14) != 0) continue;
    uint64_t t = strtoull(line + 14, NULL, 10);
    if (t < prev && bad++ == 0) printf("snapshot %d: t_ns=%" PRIu64 " before the previous %" PRIu64 "\n", n, t, prev);
    prev = t, n++;
  }
  printf("%d snapshots, %d out of order\n", n, bad);
  return bad ? 1 : 0;
}
