/* Heap misuse through plain malloc/free/realloc (no rtprof API), one kind
 * per run (argv[1]), for t_misuse_preload.sh under the interposer. Prints
 * "continued" when the program survives it. SITE: markers give the lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char not_ours[64] __attribute__((aligned(16)));
static char *volatile not_ours_p = not_ours; /* hides the misuse from the compiler */

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  char *volatile p = malloc(40); /* SITE:alloc */
  if (strcmp(argv[1], "double_free") == 0) {
    free(p);
    free(p); /* SITE:bad_double_free */
  } else if (strcmp(argv[1], "foreign_free") == 0) {
    free(not_ours_p + 8); /* SITE:bad_foreign_free */
    free(p);
  } else if (strcmp(argv[1], "realloc_freed") == 0) {
    free(p);
    p = realloc(p, 80); /* SITE:bad_realloc_freed */
  }
  puts("continued");
  return 0;
}
