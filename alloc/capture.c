/* Call-site capture. Depth 1 is the return address the public entry point
 * took with __builtin_return_address(0); deeper sites walk the stack with
 * libunwind's DWARF unwinder (correct without frame pointers, ~60 ns for 8
 * frames on these machines, see DESIGN.md). */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <string.h>

#include "internal.h"

#define RT_OWN_FRAMES 8 /* at most this many of our own frames sit above ra */

void rt_capture(uintptr_t ra, uintptr_t *frames, uint32_t depth) {
  memset(frames, 0, depth * sizeof *frames);
  frames[0] = ra;
  if (depth == 1) return;
  void *buf[RT_MAX_DEPTH + RT_OWN_FRAMES];
  int n = unw_backtrace(buf, (int)depth + RT_OWN_FRAMES);
  for (int i = 0; i < n && i < RT_OWN_FRAMES; i++) {
    if ((uintptr_t)buf[i] != ra) continue;
    for (uint32_t k = 1; k < depth && i + (int)k < n; k++) frames[k] = (uintptr_t)buf[i + k];
    return;
  }
}
