/* Named sites under test, one scenario per argument: exact counts per named
 * site from several threads, the same id for the same triple, hostile
 * strings, a full table, stacks under a named frame, push/pop scopes, and
 * rt_alloc_at with function entry addresses. SITE: markers give the lines.
 * Prints what the test compares with the report. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof.h"

#define THREADS 4
#define PER_THREAD 1000

static rt_site_t ids[THREADS];

static void *worker(void *arg) {
  int k = (int)(long)arg;
  rt_site_t s = rt_site_named("Worker::step", "jobs/queue.c", 77); /* each thread asks */
  ids[k] = s;
  void *keep[PER_THREAD];
  for (int i = 0; i < PER_THREAD; i++) keep[i] = rt_alloc_site(24 + (size_t)k, s);
  for (int i = 0; i < PER_THREAD; i += 2) rt_free(keep[i]); /* half freed */
  /* realloc and calloc land on their own named sites */
  rt_site_t grow = rt_site_named("Vec<u8>::grow", NULL, 0);
  void *v = rt_calloc_site(4, 8, grow);
  v = rt_realloc_site(v, 64, grow);
  rt_free(v);
  return NULL;
}

static void threads(void) {
  pthread_t t[THREADS];
  for (long k = 0; k < THREADS; k++) pthread_create(&t[k], NULL, worker, (void *)k);
  for (int k = 0; k < THREADS; k++) pthread_join(t[k], NULL);
  int same = 1;
  for (int k = 1; k < THREADS; k++) same &= ids[k] == ids[0];
  printf("same-id %d nonzero %d again %d\n", same, ids[0] != 0,
         rt_site_named("Worker::step", "jobs/queue.c", 77) == ids[0]);
  /* A different line, file or function is a different site. */
  printf("distinct %d %d %d\n", rt_site_named("Worker::step", "jobs/queue.c", 78) != ids[0],
         rt_site_named("Worker::step", "jobs/queue.h", 77) != ids[0],
         rt_site_named("Worker::stop", "jobs/queue.c", 77) != ids[0]);
}

/* Strings longer than the 255 bytes kept, with spaces, tabs, newlines,
 * '%', quotes, backslashes, control bytes and UTF-8 cut at the limit. */
static void hostile(void) {
  static char fn[10000], file[4000];
  const char *piece = "op\xc3\xa9rateur \"new\"\t%20\\x\n\x01<T> ";
  size_t pl = strlen(piece);
  for (size_t i = 0; i + 1 < sizeof fn; i++) fn[i] = piece[i % pl];
  for (size_t i = 0; i + 1 < sizeof file; i++) file[i] = "dir with space/%41\xe2\x82\xac/"[i % 21];
  rt_site_t s = rt_site_named(fn, file, 4294967295u);
  printf("hostile same %d\n", rt_site_named(fn, file, 4294967295u) == s);
  rt_free(rt_alloc_site(1000, s));
  rt_site_t empty = rt_site_named("", "", 0); /* shown as "?" with no file */
  rt_free(rt_alloc_site(3, empty));
  rt_site_t nul = rt_site_named(NULL, NULL, 0);
  printf("empty-is-null %d\n", nul == empty);
}

/* More named sites than RTPROF_SITES=16 holds: the rest count in overflow. */
static void full(void) {
  for (int i = 0; i < 40; i++) {
    char name[32];
    snprintf(name, sizeof name, "Type%d", i);
    rt_site_t s = rt_site_named(name, NULL, 0);
    for (int k = 0; k < 3; k++) (void)rt_alloc_site(100, s); /* 3 x 100 bytes each, live */
  }
}

/* Depth > 1: the named frame, then the C stack of the allocating call. */
__attribute__((noinline)) static void *alloc_typed(rt_site_t s) {
  void *p = rt_alloc_site(48, s); /* SITE:typed */
  __asm__ volatile("" ::: "memory");
  return p;
}

static void stack(void) {
  rt_site_t s = rt_site_named("Token", NULL, 0);
  for (int i = 0; i < 5; i++) rt_free(alloc_typed(s)); /* SITE:stack_caller */
}

/* Scopes: everything the thread allocates meanwhile goes to the scope. */
__attribute__((noinline)) static void *plain(size_t n) {
  void *p = rt_alloc(n); /* SITE:plain */
  __asm__ volatile("" ::: "memory");
  return p;
}

static void scope(void) {
  rt_site_t outer = rt_site_named("Request", "server.lua", 10);
  rt_site_t inner = rt_site_named("Request::parse", "server.lua", 20);
  rt_site_t other = rt_site_named("Cache", NULL, 0);
  rtprof_site_push(outer);
  void *a = plain(100);
  void *volatile m = malloc(33); /* charged to the scope only under the interposer */
  rtprof_site_push(inner);
  void *b = plain(200);
  void *c = rt_alloc_site(7, other); /* an explicit site keeps its own */
  rtprof_site_pop();
  void *d = plain(300);
  rtprof_site_pop();
  rtprof_site_pop(); /* a pop too many changes nothing */
  void *e = plain(400);
  rt_free(a), rt_free(b), rt_free(c), rt_free(d), rt_free(e);
  free(m);
}

/* Entry addresses: (void *)&fn names fn, not the function before it. */
__attribute__((noinline)) void entry_before(void) { __asm__ volatile("nop"); }
__attribute__((noinline)) void entry_target(void) { __asm__ volatile("nop"); }
__attribute__((noinline)) static void entry_static(void) { __asm__ volatile("nop"); }

__attribute__((noinline)) static void entry(void) {
  for (int i = 0; i < 3; i++) rt_free(rt_alloc_at(10, (void *)&entry_target));
  rt_free(rt_calloc_at(2, 5, (void *)&entry_static));
  void *p = rt_realloc_at(NULL, 12, (void *)&entry_before);
  rt_free(rt_realloc_at(p, 24, (void *)&entry_before));
  rt_free(rt_alloc_at(16, __builtin_return_address(0))); /* a return address: main's call line */
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "threads") == 0) threads();
    else if (strcmp(argv[i], "hostile") == 0) hostile();
    else if (strcmp(argv[i], "full") == 0) full();
    else if (strcmp(argv[i], "stack") == 0) stack();
    else if (strcmp(argv[i], "scope") == 0) scope();
    else if (strcmp(argv[i], "entry") == 0) entry(); /* SITE:entry_call */
    else return 2;
  }
  return 0;
}
