/* Shared helpers of the rtprof command: the one error path ("rtprof: error:"),
 * checked allocation, the string intern table, human-readable figures and
 * before -> after pairs, sizes with units, and the usage error. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

static void vmessage(const char *prefix, const char *fmt, va_list ap) {
  char buf[1024]; /* one line; longer messages are cut, never overflowed */
  vsnprintf(buf, sizeof buf, fmt, ap);
  fflush(stdout); /* keep stderr after what was already printed */
  /* names from a dump or a binary: no terminal escape reaches stderr either */
  fprintf(stderr, "rtprof: %s%s\n", prefix, rtprof_text_safe(buf));
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

/* ---- saturating arithmetic ------------------------------------------------ */
int64_t rtprof_add_sat(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

int64_t rtprof_sub_sat(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? INT64_MAX : INT64_MIN;
  return r;
}

int64_t rtprof_delta_u64(uint64_t before, uint64_t after) {
  if (after >= before) return after - before > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(after - before);
  return before - after > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)(before - after);
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

rtprof_dec_t rtprof_dec_diff(uint64_t a, uint64_t b) {
  rtprof_dec_t d;
  if (a >= b) snprintf(d.s, sizeof d.s, "%" PRIu64, a - b);
  else snprintf(d.s, sizeof d.s, "-%" PRIu64, b - a);
  return d;
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

/* ---- before -> after ------------------------------------------------------ */
#define MINUS "\xe2\x88\x92" /* U+2212, the minus sign */

/* Decimals that show `digits` significant digits of x (x > 0), at most 4. */
static int decimals_for(double x, double digits_limit) {
  int dec = 0;
  while (x > 0 && x < digits_limit && dec < 4) {
    x *= 10;
    dec++;
  }
  return dec;
}

void rtprof_human_pair(char *out, size_t n, int64_t before, int64_t after, bool sign) {
  static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  uint64_t mb = before < 0 ? (uint64_t)0 - (uint64_t)before : (uint64_t)before;
  uint64_t ma = after < 0 ? (uint64_t)0 - (uint64_t)after : (uint64_t)after;
  uint64_t big = mb > ma ? mb : ma;
  int u = 0;
  double unit = 1;
  while (u < 6 && big >= unit * 1024) {
    unit *= 1024;
    u++;
  }
  int dec_big = u == 0 ? 0 : decimals_for((double)big / unit, 100);
  char side[2][48];
  for (int i = 0; i < 2; i++) {
    int64_t v = i ? after : before;
    uint64_t mag = i ? ma : mb;
    double x = (double)mag / unit;
    int dec = dec_big;
    const char *sg = v < 0 ? MINUS : sign && v > 0 ? "+" : "";
    if (u > 0 && x < 0.1) { /* "4.76 GiB → 25.0 MiB", not "→ 0.0244 GiB"; "0 B" */
      char own[32];
      rtprof_human_bytes(own, sizeof own, mag);
      snprintf(side[i], sizeof side[i], "%s%s", sg, own);
      continue;
    }
    if (u > 0 && mag < big) {
      int d2 = decimals_for(x, 10);
      if (d2 > dec) dec = d2;
    }
    if (mag == 0) dec = 0;
    snprintf(side[i], sizeof side[i], "%s%.*f %s", sg, dec, x, units[u]);
  }
  snprintf(out, n, "%s \xe2\x86\x92 %s", side[0], side[1]); /* U+2192, the arrow */
}

void rtprof_human_percent(char *out, size_t n, int64_t before, int64_t after) {
  if (before == 0) {
    snprintf(out, n, "%s", after == 0 ? "0%" : "new");
    return;
  }
  double mag = before < 0 ? -(double)before : (double)before;
  double pct = ((double)after - (double)before) * 100.0 / mag;
  double apct = pct < 0 ? -pct : pct;
  const char *sg = pct < 0 ? MINUS : pct > 0 ? "+" : "";
  if (apct >= 0.95 || apct == 0) {
    snprintf(out, n, "%s%.0f%%", sg, apct);
    return;
  }
  int dec = 1; /* one significant digit of a small change, down to 0.0001% */
  for (double x = apct * 10; x < 0.95 && dec < 4; x *= 10) dec++;
  if (apct * 1e4 < 0.5) snprintf(out, n, "%s<0.0001%%", sg);
  else snprintf(out, n, "%s%.*f%%", sg, dec, apct);
}

/* ---- sizes ------------------------------------------------------------------ */
int rtprof_parse_size(const char *s, uint64_t *out, char *err, size_t errlen) {
  const char *p = s;
  uint64_t whole = 0;
  bool digits = false, overflow = false;
  for (; *p >= '0' && *p <= '9'; p++) {
    unsigned c = (unsigned)(*p - '0');
    if (whole > (UINT64_MAX - c) / 10) overflow = true;
    else whole = whole * 10 + c;
    digits = true;
  }
  long double frac = 0, scale = 1;
  bool has_frac = false;
  if (*p == '.') {
    has_frac = true;
    for (p++; *p >= '0' && *p <= '9'; p++) {
      scale /= 10;
      frac += (*p - '0') * scale;
      digits = true;
    }
  }
  int shift = -1; /* no unit */
  switch (*p) {
  case 'K': case 'k': shift = 10; break;
  case 'M': case 'm': shift = 20; break;
  case 'G': case 'g': shift = 30; break;
  case 'T': case 't': shift = 40; break;
  default: break;
  }
  if (shift >= 0) {
    p++;
    if ((p[0] == 'i' || p[0] == 'I') && (p[1] == 'B' || p[1] == 'b')) p += 2;
    else if (p[0] == 'B' || p[0] == 'b') p++;
  } else if (*p == 'B' || *p == 'b') {
    p++;
  }
  if (!digits || *p || (has_frac && shift < 0)) {
    snprintf(err, errlen, "expected a size (bytes, or a number with K, M, G or T: powers of 1024), got '%s'", s);
    return -1;
  }
  uint64_t mult = shift > 0 ? (uint64_t)1 << shift : 1;
  long double v = ((long double)whole + frac) * (long double)mult;
  if (overflow || (shift > 0 && whole > UINT64_MAX >> shift) || v > (long double)UINT64_MAX) {
    snprintf(err, errlen, "size '%s' does not fit in 64 bits", s);
    return -1;
  }
  *out = shift > 0 ? whole * mult + (uint64_t)(frac * (long double)mult) : whole;
  return 0;
}

/* ---- text and usage errors -------------------------------------------------- */
size_t rtprof_utf8_len(const unsigned char *s, size_t n) {
  /* lead bytes: C2-DF two, E0-EF three, F0-F4 four; C0, C1 and F5-FF never */
  size_t len = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
  if (len == 0 || len > n) return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xc0) != 0x80) return 0;
  /* overlong forms, surrogates (U+D800-DFFF), beyond U+10FFFF */
  if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))) return 0;
  if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))) return 0;
  return len;
}

/* A character XML 1.0 refuses or a terminal acts on, in a valid sequence of
 * len bytes: C1 controls (U+0080-009F) and U+FFFE, U+FFFF. */
static bool utf8_unsafe(const unsigned char *s, size_t len) {
  if (len == 2) return s[0] == 0xc2 && s[1] < 0xa0;
  return len == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe;
}

/* Text for XML and HTML: markup escaped, invalid UTF-8 and the characters
 * XML refuses replaced, so the document stays well-formed whatever the
 * names hold. */
void rtprof_markup_text(FILE *out, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c == '&') fputs("&amp;", out);
    else if (c == '<') fputs("&lt;", out);
    else if (c == '>') fputs("&gt;", out);
    else if (c == '"') fputs("&quot;", out);
    else if (c == '\'') fputs("&apos;", out);
    else if (c < 0x20 || c == 0x7f) fputc('?', out);
    else if (c < 0x80) fputc(c, out);
    else {
      size_t l = rtprof_utf8_len(p + i, n - i);
      if (l == 0 || utf8_unsafe(p + i, l)) fputs("\xef\xbf\xbd", out); /* U+FFFD */
      else fwrite(p + i, 1, l, out);
      i += l ? l : 1;
      continue;
    }
    i++;
  }
}

/* ---- the text filter ----------------------------------------------------------
 * Text output carries names from the dump and from the binaries, which a
 * hostile dump controls: every byte goes through here on its way out, so no
 * terminal escape, control character or invalid UTF-8 reaches the terminal.
 * Newlines and tabs are the writers' own (names never hold them: the reader
 * and addr2line split on newlines); other controls, C1 controls and bytes of
 * invalid sequences print as \xHH. A sequence cut between two writes waits
 * for its end. */
typedef struct text_filter_s {
  FILE *out;
  unsigned char pending[4];
  size_t npending;
} text_filter_t;

static void filter_bytes(text_filter_t *t, const unsigned char *p, size_t n, bool final) {
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
      fputc(c, t->out);
      i++;
      continue;
    }
    if (c >= 0x80) {
      size_t l = rtprof_utf8_len(p + i, n - i);
      if (l == 0 && !final && n - i < 4) { /* maybe cut short: wait for the rest */
        size_t want = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        bool prefix = want > n - i;
        for (size_t k = i + 1; prefix && k < n; k++) prefix = (p[k] & 0xc0) == 0x80;
        if (prefix) {
          memcpy(t->pending, p + i, n - i);
          t->npending = n - i;
          return;
        }
      }
      if (l && !utf8_unsafe(p + i, l)) {
        fwrite(p + i, 1, l, t->out);
        i += l;
        continue;
      }
      if (l) { /* a C1 control or U+FFFE/FFFF: each byte shown */
        for (size_t k = 0; k < l; k++) fprintf(t->out, "\\x%02x", p[i + k]);
        i += l;
        continue;
      }
    }
    fprintf(t->out, "\\x%02x", c);
    i++;
  }
}

static ssize_t filter_write(void *cookie, const char *buf, size_t n) {
  text_filter_t *t = cookie;
  unsigned char tmp[4 + 4];
  size_t used = 0;
  while (t->npending && used < n) { /* finish a sequence cut by the last write */
    size_t k = t->npending;
    memcpy(tmp, t->pending, k);
    while (k < 4 && used < n && ((unsigned char)buf[used] & 0xc0) == 0x80) tmp[k++] = (unsigned char)buf[used++];
    t->npending = 0;
    bool more = used == n && k < 4 && rtprof_utf8_len(tmp, k) == 0;
    filter_bytes(t, tmp, k, !more);
    if (more) break; /* filter_bytes kept it pending again */
  }
  filter_bytes(t, (const unsigned char *)buf + used, n - used, false);
  return (ssize_t)n;
}

static int filter_close(void *cookie) {
  text_filter_t *t = cookie;
  filter_bytes(t, t->pending, t->npending, true);
  free(t);
  return 0;
}

const char *rtprof_text_safe(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  bool clean = true;
  for (size_t i = 0; p[i] && clean; i++) clean = p[i] >= 0x20 && p[i] < 0x7f;
  if (clean) return s;
  char *buf = NULL;
  size_t len = 0;
  text_filter_t t = {.out = open_memstream(&buf, &len)};
  if (!t.out) rtprof_die("out of memory");
  filter_bytes(&t, p, strlen(s), true);
  fclose(t.out);
  const char *in = rtprof_intern(buf, len);
  free(buf);
  return in;
}

FILE *rtprof_text_open(FILE *out) {
  text_filter_t *t = rtprof_xcalloc(1, sizeof *t);
  t->out = out;
  FILE *f = fopencookie(t, "w", (cookie_io_functions_t){.write = filter_write, .close = filter_close});
  if (!f) rtprof_die("cannot open the text filter");
  return f;
}

int rtprof_usage_error(const char *cmd, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  rtprof_error("%s: %s (see 'rtprof %s --help')", cmd, msg, cmd);
  return RTPROF_EXIT_USAGE;
}
