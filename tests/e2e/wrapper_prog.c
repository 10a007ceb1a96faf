/* Allocations through a two-level wrapper (vec_grow -> xmalloc -> rt_alloc)
 * at known lines. At depth 4, `rtprof report --skip` folds the wrappers away
 * and names each caller's line. SITE: markers give the lines. */
#include <stdio.h>
#include <stdlib.h>

#include "rtprof.h"

__attribute__((noinline)) void *xmalloc(size_t n) {
  void *p = rt_alloc(n);
  if (p == NULL) abort();
  __asm__ volatile("" ::: "memory"); /* keep the frame: no tail call */
  return p;
}

__attribute__((noinline)) void *vec_grow(size_t n) {
  void *p = xmalloc(n * 2);
  __asm__ volatile("" ::: "memory");
  return p;
}

__attribute__((noinline)) static void parse(void) {
  for (int i = 0; i < 5; i++) rt_free(vec_grow(100)); /* SITE:parse */
}

__attribute__((noinline)) static void emit(void) {
  for (int i = 0; i < 7; i++) rt_free(xmalloc(30)); /* SITE:emit */
}

int main(void) {
  parse();
  emit();
  void *leak = vec_grow(8); /* SITE:main */
  printf("%d\n", leak != NULL);
  return 0;
}
