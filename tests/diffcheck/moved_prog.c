/* diffcheck fixture: a program built twice, once with -DMOVED, which puts
 * code in front of its allocation sites so every site has another address
 * while its function and file:line stay the same. Run with a round count;
 * each round allocates in PROFILE_PHASE("work"). Keep the line numbers of
 * the SITE: markers stable (t_moved.sh finds them by grep). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof.h"

#ifdef MOVED
/* Only in the second build: code that shifts everything below it. */
__attribute__((noinline)) int moved_padding(int x) {
  volatile int a[64];
  for (int i = 0; i < 64; i++) a[i] = x * i + (x >> 3);
  int s = 0;
  for (int i = 0; i < 64; i++) s ^= a[i] * (i + 1);
  return s;
}
#endif

__attribute__((noinline)) void *make_table(size_t n) {
  return rt_alloc(n); /* SITE:table */
}

__attribute__((noinline)) char *copy_name(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = rt_alloc(n); /* SITE:name */
  if (p) memcpy(p, s, n);
  return p;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 10;
  size_t table = argc > 2 ? (size_t)atol(argv[2]) : 1000;
#ifdef MOVED
  if (moved_padding(rounds) == 12345) puts("");
#endif
  for (int i = 0; i < rounds; i++) {
    PROFILE_PHASE("work");
    void *t = make_table(table);
    char *n = copy_name("a name");
    rt_free(t);
    rt_free(n);
  }
  return 0;
}
