/* Known allocations inside phases, for t_phases.sh: nesting, K calls, early
 * return/break/goto, two threads with their own stacks, and misuse (END
 * without BEGIN, BEGIN left open inside a scoped phase, nesting past the
 * limit, a phase open at exit), and a phase that only frees (a negative live
 * delta). SITE: markers give the lines. */
#include <pthread.h>
#include <stdio.h>

#include "rtprof.h"

static void *kept[64];
static int nkept;

static void inner(void) {
  PROFILE_PHASE("inner");
  kept[nkept++] = rt_alloc(1000); /* SITE:inner */
}

static void outer(void) {
  PROFILE_PHASE("outer");
  rt_free(rt_alloc(100)); /* SITE:outer_freed */
  kept[nkept++] = rt_alloc(100); /* SITE:outer_kept */
  inner();
}

static int early(int n) {
  PROFILE_PHASE("early");
  for (int i = 0; i < n; i++)
    if (i == 2) return i; /* leaves the phase */
  return -1;
}

static void *thread_work(void *arg) {
  long which = (long)arg;
  if (which == 1) {
    PROFILE_PHASE("t1work");
    for (int i = 0; i < 10; i++) rt_free(rt_alloc(10)); /* SITE:t1 */
  } else {
    PROFILE_PHASE("t2work");
    for (int i = 0; i < 20; i++) rt_free(rt_alloc(20)); /* SITE:t2 */
  }
  return NULL;
}

static void recurse(int depth) {
  PROFILE_PHASE("deep");
  if (depth > 0) recurse(depth - 1);
}

int main(void) {
  for (int k = 0; k < 3; k++) outer();
  early(10);
  rt_free(rt_alloc(5)); /* SITE:after_early */
  for (int i = 0; i < 10; i++) {
    PROFILE_PHASE("loop_body");
    if (i == 2) break;
  }
  {
    PROFILE_PHASE("goto_block");
    goto out;
  }
out:
  PROFILE_PHASE_BEGIN("span");
  rt_free(rt_alloc(7)); /* SITE:span */
  PROFILE_PHASE_END();

  pthread_t a, b;
  pthread_create(&a, NULL, thread_work, (void *)1L);
  pthread_create(&b, NULL, thread_work, (void *)2L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);

  PROFILE_PHASE_END(); /* misuse: no phase is open */
  {
    PROFILE_PHASE("scoped");
    PROFILE_PHASE_BEGIN("unclosed"); /* misuse: closed with "scoped" */
  }
  recurse(70); /* misuse: 71 nested phases, the limit is 64 */
  {
    PROFILE_PHASE("after_misuse");
    rt_free(rt_alloc(3)); /* SITE:after_misuse */
  }
  {
    PROFILE_PHASE("release"); /* frees what outer and inner kept: live delta -3300 */
    for (int i = 0; i < nkept; i++) rt_free(kept[i]);
    nkept = 0;
  }
  kept[nkept++] = rt_alloc(100); /* outside any phase, live at exit */
  PROFILE_PHASE_BEGIN("open_at_exit"); /* misuse: never ended */
  printf("done\n");
  return 0;
}
