/* Stacks that a cache of unwound stacks must tell apart (t_unwind_cache.sh):
 * recursion at varying depths; one return address reached at one stack
 * pointer through different callers; and alloca frames (rbp-based CFA)
 * sized so the allocating call sees the same stack pointer while the frame
 * above it moved, with the old return-address slot filled with the old
 * return address; and one stack allocating both inside a named scope and
 * outside it (the scope's name heads the site, so a cached stack must not
 * stand for the other); and two stacks of more than RTPROF_DEPTH frames, word
 * for word the same but for the 16th frame from the allocation (a cached
 * site must be checked out to its last frame). With the argument `churn`,
 * only stacks that never come back soon enough to pay for their recording:
 * rec's allocation reached at 600 stack depths in turn, more stacks than the
 * cache holds, so recording must pause. Built without sibling calls, so
 * every call keeps its frame. Each call site is marked SITE:name. */
#include <alloca.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof.h"

#define NOINL __attribute__((noinline, noipa))

static void *volatile sink;
static volatile int marker;
static uintptr_t old_ra; /* af's return address the first time (into mid, at af_a) */

NOINL static void bottom(void) {
  sink = malloc(24); /* SITE:bottom */
  free(sink);
}

NOINL static int rec(int n) {
  if (n == 0) {
    bottom(); /* SITE:rec_bottom */
    return 0;
  }
  return rec(n - 1) + 1; /* SITE:rec */
}

NOINL static void target(int k) {
  sink = malloc(40 + (size_t)k); /* SITE:target */
  free(sink);
}

NOINL static void caller_a(void) { target(1); /* SITE:caller_a */ }
NOINL static void caller_b(void) { target(2); /* SITE:caller_b */ }

NOINL static void leaf(void) {
  sink = malloc(56); /* SITE:leaf */
  free(sink);
}

/* `a` bytes of alloca, filled with the return address af had the first
 * time: a cache that located return addresses by stack pointer alone
 * would find it where it used to be. */
NOINL static void af(size_t a) {
  uintptr_t *p = alloca(a);
  if (old_ra == 0) old_ra = (uintptr_t)__builtin_return_address(0);
  for (size_t i = 0; i < a / sizeof *p; i++) p[i] = old_ra;
  sink = p;
  leaf(); /* SITE:af_leaf */
}

NOINL static void mid(size_t a, size_t b, int which) {
  char *q = alloca(b);
  memset(q, 0, b);
  sink = q;
  if (which == 0) {
    af(a); /* SITE:af_a */
    marker = 1;
  } else {
    af(a); /* SITE:af_b */
    marker = 2;
  }
}

NOINL static void scoped_leaf(void) {
  sink = malloc(72); /* SITE:scoped_leaf */
  free(sink);
}

NOINL static void scoped(void) { scoped_leaf(); /* SITE:scoped */ }

/* Out of line, so main has one call of scoped() for both cases. */
NOINL static void scope_if(int on, rt_site_t scope) {
  if (on) rtprof_site_push(scope);
}
NOINL static void unscope_if(int on) {
  if (on) rtprof_site_pop();
}

/* bottom, rec(0) and 13 more rec frames: the 16th frame is here. */
NOINL static void top_a(void) {
  rec(13); /* SITE:top_a */
  marker = 1; /* the two bodies differ, so they are not folded into one */
}
NOINL static void top_b(void) {
  rec(13); /* SITE:top_b */
  marker = 2;
}
static void (*const tops[2])(void) = {top_a, top_b};

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "churn") == 0) {
    for (int i = 0; i < 100000; i++) rec(i % 600); /* SITE:main_churn */
    printf("done\n");
    return 0;
  }
  rt_site_t scope = rt_site_named("Scope", NULL, 0);
  for (int round = 0; round < 20; round++) {
    for (int n = 1; n <= 5; n++) rec((n * 3 + round) % 5 + 1); /* SITE:main_rec */
    if (round % 2) caller_a(); /* SITE:main_a */
    else caller_b(); /* SITE:main_b */
    for (int w = 0; w < 2; w++) mid(w ? 128 : 64, w ? 64 : 128, w); /* SITE:main_mid */
    scope_if(round % 2, scope); /* the same stack inside the scope and outside */
    scoped(); /* SITE:main_scoped */
    unscope_if(round % 2);
    tops[round % 2](); /* one call, so both stacks share every word but the 16th frame */
  }
  printf("done\n");
  return 0;
}
