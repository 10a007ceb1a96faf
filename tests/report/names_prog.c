/* Allocates 100 bytes from an exported function and 200 from a static one
 * laid out after it, for tests/report/t_names.sh: once stripped, the static
 * one has no symbol and GNU addr2line names it after the exported one (the
 * nearest symbol below), which rtprof must not print. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) void *exported_alloc(size_t n) {
  char *p = malloc(n);
  p[0] = 1;
  return p;
}

static __attribute__((noinline)) void *hidden_alloc(size_t n) {
  char *p = malloc(n);
  p[0] = 2;
  return p;
}

int main(void) {
  void *a = exported_alloc(100);
  void *b = hidden_alloc(200);
  printf("%d %d\n", ((char *)a)[0], ((char *)b)[0]);
  free(a);
  free(b);
  return 0;
}
