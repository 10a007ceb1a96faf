/* The malloc interposer (librtprof-preload.so only, built with
 * -DRTPROF_PRELOAD): the whole malloc family on top of the rt_* machinery,
 * so an unmodified program (and C++ new/delete, strdup, ...) is profiled
 * through LD_PRELOAD. Safe from the process's first allocation: profiling
 * state needs only mmap, getenv and a pthread key to start. */
#ifdef RTPROF_PRELOAD
#include <errno.h>
#include <mimalloc.h>
#include <unistd.h>

#include "internal.h"

#define RA() ((uintptr_t)__builtin_return_address(0))

/* Tells a librtprof.so loaded in the same process that the interposer is
 * here (see init_once in alloc.c). */
RT_EXPORT const int rtprof_preload_marker_ = 1;

/* malloc and free are rt_alloc and rt_free (alloc.c): one jump each. */

RT_EXPORT void *calloc(size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) total = SIZE_MAX; /* fails, and is counted */
  if (rt_likely(rt_mode == RT_MODE_OFF)) return mi_zalloc(rt_off_size(total));
  return rt_profiled_alloc(total, 0, true, RA());
}

RT_EXPORT void *realloc(void *p, size_t size) {
  if (rt_likely(rt_mode == RT_MODE_OFF)) return mi_realloc(p, rt_off_size(size));
  return rt_profiled_realloc(p, size, RA());
}

RT_EXPORT void *reallocarray(void *p, size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) total = SIZE_MAX; /* fails, and is counted */
  if (rt_likely(rt_mode == RT_MODE_OFF)) return mi_realloc(p, rt_off_size(total));
  return rt_profiled_realloc(p, total, RA());
}

static inline bool is_pow2(size_t a) { return a != 0 && (a & (a - 1)) == 0; }

static inline void *aligned(size_t align, size_t size, uintptr_t ra) {
  if (rt_likely(rt_mode == RT_MODE_OFF))
    return align <= 16 ? mi_malloc(rt_off_size(size)) : mi_malloc_aligned_at(size, align, 0);
  return rt_profiled_alloc(size, align, false, ra);
}

RT_EXPORT int posix_memalign(void **out, size_t align, size_t size) {
  if (!is_pow2(align) || align % sizeof(void *) != 0) return EINVAL;
  int saved = errno;
  void *p = aligned(align, size, RA());
  if (p == NULL) return ENOMEM;
  errno = saved;
  *out = p;
  return 0;
}

RT_EXPORT void *aligned_alloc(size_t align, size_t size) {
  if (!is_pow2(align)) {
    errno = EINVAL;
    return NULL;
  }
  return aligned(align, size, RA());
}

RT_EXPORT void *memalign(size_t align, size_t size) {
  if (!is_pow2(align)) {
    errno = EINVAL;
    return NULL;
  }
  return aligned(align, size, RA());
}

RT_EXPORT void *valloc(size_t size) { return aligned((size_t)sysconf(_SC_PAGESIZE), size, RA()); }

RT_EXPORT void *pvalloc(size_t size) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (size > RT_MAX_SIZE) {
    errno = ENOMEM;
    return NULL;
  }
  return aligned(page, (size + page - 1) & ~(page - 1), RA());
}

RT_EXPORT size_t malloc_usable_size(void *p) { return rt_usable_size(p); }

#endif /* RTPROF_PRELOAD */
