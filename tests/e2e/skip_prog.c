/* A three-level allocation wrapper chain (api_alloc -> pool_alloc ->
 * raw_alloc -> rt_alloc) called from known lines, and strdup/malloc called
 * directly, for RTPROF_SKIP at capture time. SITE: markers give the lines. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof.h"

#define KEEP() __asm__ volatile("" ::: "memory") /* no tail call, no inlining away */

__attribute__((noinline)) void *raw_alloc(size_t n) {
  void *p = rt_alloc(n);
  KEEP();
  return p;
}
__attribute__((noinline)) void *pool_alloc(size_t n) {
  void *p = raw_alloc(n + 8);
  KEEP();
  return p;
}
__attribute__((noinline)) void *api_alloc(size_t n) {
  void *p = pool_alloc(n * 2);
  KEEP();
  return p;
}

__attribute__((noinline)) void load_config(void) {
  for (int i = 0; i < 6; i++) rt_free(api_alloc(100)); /* SITE:config */
  KEEP();
}

__attribute__((noinline)) void parse_args(void) {
  for (int i = 0; i < 4; i++) rt_free(pool_alloc(10)); /* SITE:args */
  KEEP();
}

__attribute__((noinline)) void copy_names(void) {
  for (int i = 0; i < 3; i++) free(strdup("twelve bytes")); /* SITE:names */
  KEEP();
}

int main(int argc, char **argv) {
  load_config(); /* SITE:main_config */
  parse_args(); /* SITE:main_args */
  if (argc > 1 && strcmp(argv[1], "strdup") == 0) copy_names();
  void *keep = raw_alloc(5); /* SITE:main_raw */
  printf("%d\n", keep != NULL);
  return 0;
}
