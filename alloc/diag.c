/* Messages on stderr that never allocate: a tiny formatter over a stack
 * buffer and write(2), usable inside malloc, before constructors and in a
 * forked child. Every message starts with "rtprof: ". */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

typedef struct rt_out_s {
  char *buf;
  size_t cap, len;
} rt_out_t;

static void out_char(rt_out_t *o, char c) {
  if (o->len + 1 < o->cap) o->buf[o->len] = c;
  o->len++;
}

static void out_str(rt_out_t *o, const char *s) {
  if (s == NULL) s = "(null)";
  while (*s) out_char(o, *s++);
}

static void out_uint(rt_out_t *o, unsigned long long v, unsigned base, int min_digits) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v != 0);
  while (n < min_digits) tmp[n++] = '0';
  while (n > 0) out_char(o, tmp[--n]);
}

int rt_vformat(char *buf, size_t cap, const char *fmt, va_list ap) {
  rt_out_t o = {buf, cap, 0};
  for (const char *f = fmt; *f; f++) {
    if (*f != '%') {
      out_char(&o, *f);
      continue;
    }
    f++;
    int longs = 0;
    bool size_t_arg = false;
    while (*f == 'l') longs++, f++;
    if (*f == 'z') size_t_arg = true, f++;
    unsigned long long u;
    long long s;
    switch (*f) {
      case 's': out_str(&o, va_arg(ap, const char *)); break;
      case 'c': out_char(&o, (char)va_arg(ap, int)); break;
      case '%': out_char(&o, '%'); break;
      case 'p':
        out_str(&o, "0x");
        out_uint(&o, (uintptr_t)va_arg(ap, void *), 16, 1);
        break;
      case 'd':
        s = longs >= 2 ? va_arg(ap, long long) : longs == 1 ? va_arg(ap, long) : va_arg(ap, int);
        if (s < 0) out_char(&o, '-'), u = 0ULL - (unsigned long long)s;
        else u = (unsigned long long)s;
        out_uint(&o, u, 10, 1);
        break;
      case 'u':
      case 'x':
        if (size_t_arg) u = va_arg(ap, size_t);
        else if (longs >= 2) u = va_arg(ap, unsigned long long);
        else if (longs == 1) u = va_arg(ap, unsigned long);
        else u = va_arg(ap, unsigned);
        out_uint(&o, u, *f == 'x' ? 16 : 10, 1);
        break;
      default: out_char(&o, '%'); out_char(&o, *f); if (!*f) f--; break;
    }
  }
  if (cap > 0) buf[o.len < cap ? o.len : cap - 1] = '\0';
  return (int)o.len;
}

int rt_format(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = rt_vformat(buf, cap, fmt, ap);
  va_end(ap);
  return n;
}

static void write_all(int fd, const char *s, size_t n) {
  int saved = errno;
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    s += w, n -= (size_t)w;
  }
  errno = saved;
}

/* Caps the messages one process prints, per kind (warnings, dump-writing
 * failures, heap errors), so a bug in a hot loop cannot flood stderr and one
 * kind never uses up another's budget; the dump still counts every event. */
static _Atomic unsigned rt_warnings_printed, rt_dump_warnings_printed, rt_errors_printed;
#define RT_MESSAGE_LIMIT 100

static void emit(_Atomic unsigned *budget, const char *prefix, const char *fmt, va_list ap) {
  unsigned n = atomic_fetch_add_explicit(budget, 1, memory_order_relaxed);
  if (n > RT_MESSAGE_LIMIT) return;
  char line[1024];
  size_t plen = strlen(prefix);
  memcpy(line, prefix, plen);
  int len = rt_vformat(line + plen, sizeof line - plen - 1, fmt, ap);
  size_t total = plen + ((size_t)len < sizeof line - plen - 2 ? (size_t)len : sizeof line - plen - 2);
  if (n == RT_MESSAGE_LIMIT)
    total = (size_t)rt_format(line, sizeof line, "%sfurther messages of this kind suppressed", prefix);
  line[total++] = '\n';
  write_all(2, line, total);
}

void rt_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit(&rt_warnings_printed, "rtprof: warning: ", fmt, ap);
  va_end(ap);
}

void rt_warn_dump(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit(&rt_dump_warnings_printed, "rtprof: warning: ", fmt, ap);
  va_end(ap);
}

static void error_line(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit(&rt_errors_printed, "rtprof: error: ", fmt, ap);
  va_end(ap);
}

static const struct {
  const char *name;           /* as the dump writes it */
  const char *what;           /* as stderr says it */
} rt_error_kinds[RT_ERR_LAST] = {
    [RT_ERR_DOUBLE_FREE] = {"double_free", "double free"},
    [RT_ERR_REALLOC_FREED] = {"realloc_freed", "realloc of a freed block"},
    [RT_ERR_FOREIGN_FREE] = {"foreign_free", "free of a pointer rtprof did not allocate"},
    [RT_ERR_FOREIGN_REALLOC] = {"foreign_realloc", "realloc of a pointer rtprof did not allocate"},
    [RT_ERR_DAMAGED_TAG] = {"damaged_tag",
                            "damaged block tag (an underflow, or a foreign pointer)"},
    [RT_ERR_FOREIGN_MUNMAP] = {"foreign_munmap", "rt_munmap of a region rt_mmap did not return"},
    [RT_ERR_OVERFLOW] = {"overflow", "buffer overflow (the guard after the block was overwritten)"},
    [RT_ERR_INTERIOR] = {"interior_pointer", "free or realloc of a pointer into the middle of a block"},
};

const char *rt_error_kind_name(rt_error_kind_t kind) { return rt_error_kinds[kind].name; }

#define RT_MAX_ERRORS 256 /* distinct (kind, site, call) records kept for the dump */

static struct {
  pthread_mutex_t lock;       /* guards the table; errors are rare */
  rt_error_rec_t recs[RT_MAX_ERRORS];
  uint32_t n;
} rt_errs = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void record_error(rt_error_kind_t kind, const void *p, uint32_t site, uintptr_t call) {
  pthread_mutex_lock(&rt_errs.lock);
  uint32_t i = 0;
  while (i < rt_errs.n && !(rt_errs.recs[i].kind == kind && rt_errs.recs[i].site == site &&
                            rt_errs.recs[i].call == call))
    i++;
  if (i < rt_errs.n) rt_errs.recs[i].count++;
  else if (i < RT_MAX_ERRORS)
    rt_errs.recs[rt_errs.n++] = (rt_error_rec_t){kind, 1, (uintptr_t)p, call, site};
  pthread_mutex_unlock(&rt_errs.lock);
}

void rt_errors_fork(rt_fork_stage_t stage) {
  if (stage == RT_FORK_PREPARE) pthread_mutex_lock(&rt_errs.lock);
  else if (stage == RT_FORK_PARENT) pthread_mutex_unlock(&rt_errs.lock);
  else pthread_mutex_init(&rt_errs.lock, NULL);
}

uint32_t rt_errors_read(rt_error_rec_t *out, uint32_t cap) {
  pthread_mutex_lock(&rt_errs.lock);
  uint32_t n = rt_errs.n < cap ? rt_errs.n : cap;
  memcpy(out, rt_errs.recs, n * sizeof *out);
  pthread_mutex_unlock(&rt_errs.lock);
  return n;
}

void rt_heap_error(rt_error_kind_t kind, const void *p, uint32_t alloc_site, uintptr_t call_site) {
  call_site = rt_call_address(call_site);
  record_error(kind, p, alloc_site, call_site);
  const char *what = rt_error_kinds[kind].what;
  uintptr_t alloc_ra = 0;
  if (alloc_site != 0) {
    const uintptr_t *frames = rt_site_frames(alloc_site);
    if (frames && !(frames[0] & RT_FRAME_NAMED)) alloc_ra = frames[0] & ~RT_FRAME_EXACT;
  }
  if (alloc_site != 0)
    error_line("%s of %p, called from %p; the block was allocated at %p (site %u; "
               "rtprof report shows both as file:line)",
               what, p, (void *)call_site, (void *)alloc_ra, alloc_site);
  else
    error_line("%s: %p, called from %p (rtprof report shows it as file:line)", what, p,
               (void *)call_site);
  if (rt_options.on_error == RT_ON_ERROR_ABORT) {
    char path[sizeof rt_options.out + 32];
    rt_dump_path(path, sizeof path);
    rt_dump_note_exit(); /* no periodic dump may replace this one */
    rt_dump_write(path, "error");
    error_line("aborting; dump written to %s (set RTPROF_ON_ERROR=warn to continue)", path);
    abort();
  }
}
