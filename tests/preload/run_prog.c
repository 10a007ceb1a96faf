/* A plain malloc program (not linked with librtprof) with two allocation
 * wrappers (vec_grow -> xmalloc -> malloc) at known lines, for `rtprof run
 * --skip/--top/--json` in t_run.sh. SITE: markers give the lines. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) void *xmalloc(size_t n) {
  void *p = malloc(n);
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
  for (int i = 0; i < 5; i++) free(vec_grow(1000)); /* SITE:parse */
}

__attribute__((noinline)) static void emit(void) {
  for (int i = 0; i < 7; i++) free(xmalloc(1000)); /* SITE:emit */
}

int main(void) {
  parse();
  emit();
  void *leak = vec_grow(50); /* SITE:main */
  printf("%d\n", leak != NULL);
  return 0;
}
