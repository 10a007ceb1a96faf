/* Shared helpers of the rtprof command: the one error path ("rtprof: error:"),
 * checked allocation, the string intern table and human-readable figures. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof_cli.h"

static void vmessage(const char *prefix, const char *fmt, va_list ap) {
  char buf[1024]; /* one line; longer messages are cut, never overflowed */
  vsnprintf(buf, sizeof buf, fmt, ap);
  fflush(stdout); /* keep stderr after what was already printed */
  fprintf(stderr, "rtprof: %s%s\n", prefix, buf);
}

void rtprof_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage("error: ", fmt, ap);
  va_end(ap);
}

void rtprof_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage("warning: ", fmt, ap);
  va_end(ap);
}

void rtprof_die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage("error: ", fmt, ap);
  va_end(ap);
  exit(RTPROF_EXIT_USAGE);
}

void *rtprof_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) rtprof_die("out of memory (%zu bytes)", n);
  return p;
}

void *rtprof_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) rtprof_die("out of memory (%zu x %zu bytes)", n, size);
  return p;
}

void *rtprof_xrealloc(void *p, size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) rtprof_die("out of memory (%zu x %zu bytes)", n, size);
  size_t bytes = n * size;
  void *q = realloc(p, bytes ? bytes : 1);
  if (!q) rtprof_die("out of memory (%zu x %zu bytes)", n, size);
  return q;
}

char *rtprof_xstrndup(const char *s, size_t n) {
  char *p = rtprof_xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void rtprof_grow(void *arr, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return;
  size_t c = *cap ? *cap : 16;
  while (c < need) c = c > SIZE_MAX / 2 ? need : c * 2;
  *(void **)arr = rtprof_xrealloc(*(void **)arr, c, size);
  *cap = c;
}

uint64_t rtprof_hash64(uint64_t h, uint64_t v) {
  /* splitmix64 finalizer over h ^ v: cheap and well mixed */
  uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* ---- u64 -> index maps (open addressing) ------------------------------ */
static size_t map_slot(const rtprof_map_t *m, uint64_t key) {
  size_t j = rtprof_hash64(0, key) & (m->cap - 1);
  while (m->vals[j] && m->keys[j] != key) j = (j + 1) & (m->cap - 1);
  return j;
}

long rtprof_map_get(const rtprof_map_t *m, uint64_t key) {
  if (!m->cap) return -1;
  size_t j = map_slot(m, key);
  return m->vals[j] ? (long)(m->vals[j] - 1) : -1;
}

void rtprof_map_put(rtprof_map_t *m, uint64_t key, size_t index) {
  if ((m->used + 1) * 2 > m->cap) {
    rtprof_map_t n = {0};
    n.cap = m->cap ? m->cap * 2 : 1024;
    n.keys = rtprof_xcalloc(n.cap, sizeof *n.keys);
    n.vals = rtprof_xcalloc(n.cap, sizeof *n.vals);
    for (size_t i = 0; i < m->cap; i++) {
      if (!m->vals[i]) continue;
      size_t j = map_slot(&n, m->keys[i]);
      n.keys[j] = m->keys[i];
      n.vals[j] = m->vals[i];
    }
    n.used = m->used;
    free(m->keys);
    free(m->vals);
    *m = n;
  }
  size_t j = map_slot(m, key);
  if (!m->vals[j]) m->used++;
  m->keys[j] = key;
  m->vals[j] = index + 1;
}

void rtprof_map_free(rtprof_map_t *m) {
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}

/* ---- intern table: open addressing over arena-allocated strings -------- */
static struct {
  const char **slots;      /* NULL: empty */
  size_t cap, used;        /* cap is a power of two */
  char *arena;             /* current chunk */
  size_t arena_left;
} intern_state;

static char *arena_alloc(size_t n) {
  if (n > intern_state.arena_left) {
    size_t chunk = n > 65536 ? n : 65536; /* chunks are never freed: the
                                             command exits after one report */
    intern_state.arena = rtprof_xmalloc(chunk);
    intern_state.arena_left = chunk;
  }
  char *p = intern_state.arena;
  intern_state.arena += n;
  intern_state.arena_left -= n;
  return p;
}

static uint64_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
  return h;
}

const char *rtprof_intern(const char *s, size_t n) {
  if (intern_state.used * 2 >= intern_state.cap) {
    size_t ncap = intern_state.cap ? intern_state.cap * 2 : 1024;
    const char **ns = rtprof_xcalloc(ncap, sizeof *ns);
    for (size_t i = 0; i < intern_state.cap; i++) {
      const char *e = intern_state.slots[i];
      if (!e) continue;
      size_t j = hash_bytes(e, strlen(e)) & (ncap - 1);
      while (ns[j]) j = (j + 1) & (ncap - 1);
      ns[j] = e;
    }
    free(intern_state.slots);
    intern_state.slots = ns;
    intern_state.cap = ncap;
  }
  size_t j = hash_bytes(s, n) & (intern_state.cap - 1);
  for (;;) {
    const char *e = intern_state.slots[j];
    if (!e) break;
    if (strncmp(e, s, n) == 0 && e[n] == '\0') return e;
    j = (j + 1) & (intern_state.cap - 1);
  }
  char *p = arena_alloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  intern_state.slots[j] = p;
  intern_state.used++;
  return p;
}

/* ---- human-readable figures -------------------------------------------- */
void rtprof_human_bytes(char *out, size_t n, uint64_t v) {
  static const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (v < 1024) {
    snprintf(out, n, "%llu B", (unsigned long long)v);
    return;
  }
  double d = (double)v / 1024.0;
  int u = 0;
  while (d >= 1024.0 && u < 5) {
    d /= 1024.0;
    u++;
  }
  snprintf(out, n, "%.1f %s", d, units[u]);
}

void rtprof_human_signed(char *out, size_t n, int64_t v) {
  char tmp[32];
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  rtprof_human_bytes(tmp, sizeof tmp, mag);
  snprintf(out, n, "%s%s", v > 0 ? "+" : v < 0 ? "-" : "", tmp);
}

void rtprof_human_ns(char *out, size_t n, uint64_t ns) {
  if (ns < 1000) snprintf(out, n, "%llu ns", (unsigned long long)ns);
  else if (ns < 1000000) snprintf(out, n, "%.1f us", (double)ns / 1e3);
  else if (ns < 1000000000) snprintf(out, n, "%.1f ms", (double)ns / 1e6);
  else snprintf(out, n, "%.2f s", (double)ns / 1e9);
}

const char *rtprof_basename(const char *path) {
  const char *s = strrchr(path, '/');
  return s && s[1] ? s + 1 : path;
}
