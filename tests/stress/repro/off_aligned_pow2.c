/* Reproducer (library bug, profiling off, via Debian's mimalloc 2.0.9):
 * rt_alloc_aligned(size, align) with size a power of two in 256..1024 and
 * align <= size returns misaligned blocks. The same holds for the
 * interposer's posix_memalign/aligned_alloc/memalign with profiling off.
 * Cause: the off path calls mi_malloc_aligned (alloc/alloc.c aligned_at,
 * rt_profiled_alloc's RT_MODE_OFF branch; alloc/preload.c aligned()), and
 * mimalloc 2.0.9's mi_heap_malloc_aligned takes a shortcut for power-of-two
 * sizes <= MI_SMALL_SIZE_MAX, assuming natural alignment that the first page
 * of a segment does not have (microsoft/mimalloc issue #700, fixed upstream
 * after 2.0.9). The profiled path is not affected: it calls
 * mi_malloc_aligned_at(..., RT_TAG_SIZE), which checks the address.
 * Build: cc -Iinclude THIS -Lbuild/lib -lrtprof; run without RTPROF.
 * Exits 1 while the bug is present. */
#include <stdint.h>
#include <stdio.h>
#include "rtprof.h"

int main(void) {
  int bad = 0;
  for (size_t size = 256; size <= 1024; size *= 2) {
    void *p = rt_alloc_aligned(size, size);
    printf("rt_alloc_aligned(%zu, %zu) = %p%s\n", size, size, p,
           ((uintptr_t)p & (size - 1)) ? "  <- misaligned" : "");
    bad += ((uintptr_t)p & (size - 1)) != 0;
  }
  return bad ? 1 : 0;
}
