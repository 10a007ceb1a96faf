/* The profiler's own memory comes straight from mmap, never from malloc, so
 * bookkeeping cannot recurse into the allocator it profiles. */
#include <sys/mman.h>

#include "internal.h"

uint64_t rt_os_bytes; /* atomic */

static size_t page_round(size_t size) { return (size + 4095) & ~(size_t)4095; }

void *rt_os_alloc(size_t size) {
  size = page_round(size);
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return NULL;
  rt_add_relaxed(&rt_os_bytes, size);
  return p;
}

void rt_os_free(void *p, size_t size) {
  if (p == NULL) return;
  size = page_round(size);
  munmap(p, size);
  __atomic_fetch_sub(&rt_os_bytes, size, __ATOMIC_RELAXED);
}
