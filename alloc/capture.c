/* Call-site capture. Depth 1 is the return address the public entry point
 * took with __builtin_return_address(0); deeper sites walk the stack with
 * libunwind's DWARF unwinder (correct without frame pointers, ~60 ns for 8
 * frames on these machines, see DESIGN.md). Frames inside RTPROF_SKIP
 * functions (allocation wrappers) are walked past, so the site starts at the
 * wrappers' caller. */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <string.h>

#include "internal.h"

#define RT_OWN_FRAMES 8  /* at most this many of our own frames sit above ra */
#define RT_SKIP_FRAMES 16 /* wrapper frames walked past, at most */

/* The first frame of buf[i, n) that is not inside a wrapper. A frame is
 * inside one when its function matches RTPROF_SKIP, or when it has no
 * symbol (a stripped static function, such as sqlite3's sqlite3MemMalloc)
 * and a matching frame calls it further out: what a wrapper calls to
 * allocate is the wrapper's own business. The walk stops at the first named
 * frame that does not match. */
static int wrapper_end(void *const *buf, int i, int n) {
  int first = i;
  for (int j = i; j < n; j++) {
    uint32_t f = rt_addr_flags((uintptr_t)buf[j]);
    if (f & RT_ADDR_SKIP) first = j + 1;
    else if (!(f & RT_ADDR_UNNAMED)) break;
  }
  return first < n ? first : i; /* only wrappers in sight: keep the innermost */
}

void rt_capture(uintptr_t ra, uintptr_t *frames, uint32_t depth) {
  memset(frames, 0, depth * sizeof *frames);
  bool at = (ra & RT_RA_AT) != 0;
  ra &= ~RT_RA_AT;
  uint32_t flags = rt_skip_active || at ? rt_addr_flags(ra) : 0;
  if (at && (flags & RT_ADDR_ENTRY)) { /* a function's entry: named as that function */
    frames[0] = ra | RT_FRAME_EXACT;
    return;
  }
  frames[0] = ra;
  bool walk = rt_skip_active && (flags & (RT_ADDR_SKIP | RT_ADDR_UNNAMED));
  if (depth == 1 && !walk) return;
  void *buf[RT_MAX_DEPTH + RT_OWN_FRAMES + RT_SKIP_FRAMES];
  int want = (int)depth + RT_OWN_FRAMES + (walk ? RT_SKIP_FRAMES : 0);
  int n = unw_backtrace(buf, want);
  for (int i = 0; i < n && i < RT_OWN_FRAMES; i++) {
    if ((uintptr_t)buf[i] != ra) continue;
    int first = walk ? wrapper_end(buf, i, n) : i;
    /* An unnamed return address is settled by its first stack, so later
     * allocations there need no walk unless it is inside a wrapper. */
    if (flags & RT_ADDR_UNNAMED) rt_addr_decide(ra, first > i);
    for (uint32_t k = 0; k < depth && first + (int)k < n; k++) frames[k] = (uintptr_t)buf[first + k];
    return;
  }
}
