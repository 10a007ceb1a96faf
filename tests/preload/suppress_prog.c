/* A program with a known one-time allocation of the C library (stdout's
 * buffer, allocated by the first printf and kept by the FILE) and a real
 * leak, for t_suppress.sh. SITE: markers give the lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __attribute__((noinline)) void *leak_here(size_t n) {
  char *p = malloc(n); /* SITE:leak */
  if (p) memset(p, 7, n);
  return p;
}

int main(void) {
  static void *keep;
  keep = leak_here(1000);
  printf("hello from a program with one leak\n");
  return keep == NULL;
}
