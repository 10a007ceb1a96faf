/* A library loaded with dlopen after start; it allocates 3 x 4096 bytes and
 * keeps them. */
#include <stdlib.h>

void *plugin_kept[3]; /* exported, so the compiler cannot drop the allocations */

void plugin_run(void) {
  for (int i = 0; i < 3; i++) plugin_kept[i] = malloc(4096); /* SITE:plugin */
}
