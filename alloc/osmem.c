/* The profiler's own memory comes straight from mmap, never from malloc, so
 * bookkeeping cannot recurse into the allocator it profiles. */
#include <sys/mman.h>

#include "internal.h"

_Atomic uint64_t rt_os_bytes;

static size_t page_round(size_t size) { return (size + 4095) & ~(size_t)4095; }

void *rt_os_alloc(size_t size) {
  size = page_round(size);
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return NULL;
  atomic_fetch_add_explicit(&rt_os_bytes, size, memory_order_relaxed);
  return p;
}

void rt_os_free(void *p, size_t size) {
  if (p == NULL) return;
  size = page_round(size);
  munmap(p, size);
  atomic_fetch_sub_explicit(&rt_os_bytes, size, memory_order_relaxed);
}
