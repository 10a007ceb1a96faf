/* Reproducer (library, ThreadSanitizer build, profiling on): a block freed by
 * one thread and handed out again by mimalloc to another is reported as a
 * data race, although the program is race-free. Build the library with
 * -fsanitize=thread (tests/run.sh's lib-tsan), then
 *   cc -fsanitize=thread -Iinclude THIS -Lbuild/tests/lib-tsan -lrtprof -lpthread
 *   RTPROF=1 ./a.out [calloc|realloc]
 * Cause: the annotation in alloc/alloc.c (tag_block_from: an acquire load of
 * the new block's tag word, paired with the release store of the tag word
 * in rt_profiled_free) orders reuse only
 *  - when the new block's tag sits at the same address as the freed one's
 *    (not so for aligned blocks, whose tag is inside mimalloc's block, or
 *    when a page is reused for another size class: seen in the stress test
 *    as a race between tag_block_from's tag write and an earlier read of
 *    user data at that address), and
 *  - after mimalloc has returned: mi_zalloc's memset and mi_realloc's memcpy
 *    write into the reused memory before the acquire (both are intercepted
 *    by TSan, mimalloc itself is not instrumented).
 * A fix in TSan builds: a release read-modify-write on one global before
 * every mi_free (and before mi_realloc), an acquire load of it after every
 * mimalloc allocation and before anything writes to the block (so zalloc =
 * malloc + acquire + memset, realloc = malloc + acquire + memcpy + free).
 * Exits 0; TSan reports a race in mimalloc's memset/memcpy called from
 * rt_calloc/rt_realloc (exit 66) while the bug is present. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include "rtprof.h"

#define SIZE 100
static char *x;
static int freed; /* relaxed on purpose: the reuse itself must need no extra sync */

static void *other(void *arg) {
  (void)arg;
  memset(x, 1, SIZE); /* x came from main through pthread_create: ordered */
  rt_free(x);         /* freed by a thread that does not own its page */
  __atomic_store_n(&freed, 1, __ATOMIC_RELAXED);
  return NULL;
}

int main(int argc, char **argv) {
  const char *how = argc > 1 ? argv[1] : "calloc";
  x = rt_alloc(SIZE);
  pthread_t t;
  pthread_create(&t, NULL, other, NULL);
  while (!__atomic_load_n(&freed, __ATOMIC_RELAXED)) sched_yield();
  static void *kept[100000];
  int n = 0, found = 0;
  char *y = rt_alloc(8);
  while (n < 100000 && !found) {
    char *p;
    if (how[0] == 'c') {
      p = rt_calloc(1, SIZE); /* mi_zalloc's memset writes before the acquire */
    } else {
      p = rt_realloc(y, SIZE); /* mi_realloc's memcpy writes before the acquire */
      y = rt_alloc(8);
    }
    found = p == x;
    if (!found) kept[n++] = p;
  }
  printf("%s: %s after %d allocations\n", how, found ? "the freed block came back" : "no reuse", n);
  for (int i = 0; i < n; i++) rt_free(kept[i]);
  rt_free(y);
  if (found) rt_free(x);
  pthread_join(t, NULL);
  return 0;
}
