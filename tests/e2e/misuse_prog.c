/* One kind of heap misuse per run (argv[1]), at known lines, for
 * t_misuse.sh; prints "continued" when the program survives it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof.h"

static char not_ours[64] __attribute__((aligned(16)));

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *kind = argv[1];
  char *p = rt_alloc(40); /* SITE:alloc */
  if (strcmp(kind, "double_free") == 0) {
    rt_free(p);
    rt_free(p); /* SITE:bad_double_free */
  } else if (strcmp(kind, "foreign_free") == 0) {
    rt_free(not_ours + 8); /* SITE:bad_foreign_free */
    rt_free(p);
  } else if (strcmp(kind, "interior") == 0) {
    rt_free(p + 16); /* SITE:bad_interior */
    rt_free(p);
  } else if (strcmp(kind, "underflow") == 0) {
    memset(p - 8, 0x41, 8); /* damages the block's tag */
    rt_free(p); /* SITE:bad_underflow */
  } else if (strcmp(kind, "overflow") == 0) {
    p[40] = 'x'; /* one past the end: caught by RTPROF_GUARD */
    rt_free(p); /* SITE:bad_overflow */
  } else if (strcmp(kind, "realloc_freed") == 0) {
    rt_free(p);
    p = rt_realloc(p, 80); /* SITE:bad_realloc_freed */
  } else if (strcmp(kind, "fill") == 0) {
    unsigned char *q = rt_alloc(16);
    printf("new %02x\n", q[3]);
    rt_free(q);
    rt_free(p);
  }
  puts("continued");
  return 0;
}
