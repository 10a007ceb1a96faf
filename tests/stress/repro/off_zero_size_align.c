/* Reproducer (library bug, profiling off): rt_alloc(0) -- and rt_realloc(p, 0),
 * rt_calloc(0, n), and with the interposer malloc(0) -- return blocks that are
 * only 8-byte aligned, though rtprof.h promises alignof(max_align_t) (16).
 * Cause: rt_round16(0) == 0 (alloc/internal.h), so the off path calls
 * mi_malloc(0), which mimalloc serves from its 8-byte size class.
 * Build: cc -Iinclude THIS -Lbuild/lib -lrtprof; run without RTPROF.
 * Exits 1 while the bug is present. */
#include <stdint.h>
#include <stdio.h>
#include "rtprof.h"

int main(void) {
  int bad = 0;
  for (int i = 0; i < 4; i++) {
    void *p = rt_alloc(0);
    printf("rt_alloc(0) = %p%s\n", p, ((uintptr_t)p & 15) ? "  <- not 16-aligned" : "");
    bad += ((uintptr_t)p & 15) != 0;
  }
  return bad ? 1 : 0;
}
