/* Makes the real dumps of the fuzz seed corpus (tests/fuzz/make_seeds.sh):
 * a few sites at several depths, nested and repeated phases, a phase ended
 * twice (a warning), a labelled snapshot and a phase still open at exit.
 * argv[1] picks extras: "misuse" a double free (an error record under
 * RTPROF_ON_ERROR=warn), "api PATH" an rtprof_dump(PATH) call, "tables" 40 sites and
 * 20 phases (overflow rows with small RTPROF_SITES / RTPROF_PHASES), "sleep"
 * waits to be killed (a periodic RTPROF_FLUSH dump). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtprof.h"

static void *keep[64];

__attribute__((noinline)) static void *leaf(size_t n) { return rt_alloc(n); }
__attribute__((noinline)) static void *mid(size_t n) { return leaf(n); }
__attribute__((noinline)) static char *dup_str(const char *s) {
  char *p = rt_alloc_at(strlen(s) + 1, __builtin_return_address(0));
  if (p) strcpy(p, s);
  return p;
}

static void parse(int round) {
  PROFILE_PHASE("parse");
  for (int i = 0; i < 8; i++) rt_free(mid(32 + (size_t)i));
  keep[round] = dup_str("source text");
}

static void check(int round) {
  PROFILE_PHASE("check");
  {
    PROFILE_PHASE("sema");
    for (int i = 0; i < 4; i++) rt_free(leaf(100));
    {
      PROFILE_PHASE("comptime eval");
      keep[16 + round] = rt_calloc(4, 64);
      void *p = rt_alloc(10);
      p = rt_realloc(p, 2000);
      rt_free(p);
    }
  }
}

int main(int argc, char **argv) {
  for (int r = 0; r < 3; r++) {
    parse(r);
    check(r);
  }
  rtprof_snapshot("after check");
  PROFILE_PHASE_BEGIN("link");
  void *big = rt_mmap(1 << 20);
  rt_munmap(big, 1 << 20);
  PROFILE_PHASE_END();
  PROFILE_PHASE_END(); /* one too many: a warning record */
  if (argc > 1 && strcmp(argv[1], "misuse") == 0) {
    void *p = rt_alloc(24);
    rt_free(p);
    rt_free(p); /* double free: an error record */
  }
  if (argc > 2 && strcmp(argv[1], "api") == 0) rtprof_dump(argv[2]);
  if (argc > 1 && strcmp(argv[1], "tables") == 0) {
    static const char *const names[20] = {"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9",
                                          "p10", "p11", "p12", "p13", "p14", "p15", "p16", "p17", "p18", "p19"};
    for (int i = 0; i < 40; i++) {
      PROFILE_PHASE(names[i % 20]);
      rt_free(rt_alloc_at(16 + (size_t)i, (const char *)(uintptr_t)main + 64 * i));
    }
  }
  if (argc > 1 && strcmp(argv[1], "sleep") == 0)
    for (;;) {
      keep[41] = rt_alloc(1000);
      rt_free(keep[41]);
      usleep(1000);
    }
  PROFILE_PHASE_BEGIN("open at exit");
  keep[40] = malloc(7);
  return 0;
}
