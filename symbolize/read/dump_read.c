/* The strict reader of a dump (docs/dump-format.md). It reads line by line
 * through a fixed buffer, checks every field, count and reference, and on
 * bad input names the file, the line and what it expected there. Memory is
 * bounded by the limits of include/rtprof-dump.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "read/read.h"

#define READ_CHUNK 65536
#define MAX_PHASE_DEPTH 64  /* the writer's per-thread nesting limit */
#define MAX_NOTES 16

/* Records in the order they are written, which the reader enforces. */
typedef enum rec_kind_e {
  REC_PROCESS, REC_EXE, REC_TOTALS, REC_MODULE, REC_SITE, REC_OVERFLOW, REC_NAME,
  REC_PHASE, REC_PAIR, REC_WARNING, REC_ERROR, REC_SNAPSHOT, REC_SNAPSHOT_TOP, REC_PEAK,
  REC_PEAK_SITE, REC_PEAK_PHASE, REC_PAIR_FIRST, REC_END, REC_LAST
} rec_kind_t;

typedef struct reader_s {
  const char *file;        /* for messages */
  int fd;
  char *buf;               /* READ_CHUNK + RTPROF_DUMP_MAX_LINE bytes */
  size_t start, end;       /* unread bytes are buf[start, end) */
  bool eof;
  uint64_t lineno;         /* of the line being parsed */
  const char *rec;         /* record name for messages, or NULL */
  uint32_t fields_seen;    /* bit i: spec[i] was on the last parsed line */
  int last_rank;           /* rank of the last record read */
  int prev_rank;           /* the record before this one (-1 at the start) */
  uint32_t seen[REC_LAST]; /* how many of each record */
  rtprof_map_t site_ids, phase_ids, name_ids;
  struct named_ref_s { size_t frame; uint64_t site, line; } *named; /* nID frames, for resolve_names */
  size_t nnamed, cap_named;
  uint64_t *phase_lines;   /* line of each phase, for late reference errors */
  rtprof_dump_t *d;
} reader_t;

static const char *const rec_names[REC_LAST] = {
    [REC_PROCESS] = RTPROF_REC_PROCESS, [REC_EXE] = RTPROF_REC_EXE,
    [REC_TOTALS] = RTPROF_REC_TOTALS,   [REC_MODULE] = RTPROF_REC_MODULE,
    [REC_SITE] = RTPROF_REC_SITE,       [REC_OVERFLOW] = RTPROF_REC_OVERFLOW,
    [REC_NAME] = RTPROF_REC_NAME,
    [REC_PHASE] = RTPROF_REC_PHASE,     [REC_PAIR] = RTPROF_REC_PAIR,
    [REC_WARNING] = RTPROF_REC_WARNING, [REC_ERROR] = RTPROF_REC_ERROR,
    [REC_SNAPSHOT] = RTPROF_REC_SNAPSHOT, [REC_SNAPSHOT_TOP] = RTPROF_REC_SNAPSHOT_TOP,
    [REC_PEAK] = RTPROF_REC_PEAK,         [REC_PEAK_SITE] = RTPROF_REC_PEAK_SITE,
    [REC_PEAK_PHASE] = RTPROF_REC_PEAK_PHASE, [REC_PAIR_FIRST] = RTPROF_REC_PAIR_FIRST,
    [REC_END] = RTPROF_REC_END,
};
static const bool rec_required_once[REC_LAST] = {
    [REC_PROCESS] = true, [REC_EXE] = true, [REC_TOTALS] = true,
    [REC_OVERFLOW] = true, [REC_END] = true,
};

/* ---- messages ---------------------------------------------------------- */
static int fail_at(reader_t *r, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(reader_t *r, uint64_t line, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (r->rec)
    rtprof_error("%s:%llu: %s: %s", r->file, (unsigned long long)line, r->rec, msg);
  else
    rtprof_error("%s:%llu: %s", r->file, (unsigned long long)line, msg);
  return -1;
}
#define fail(r, ...) fail_at((r), (r)->lineno, __VA_ARGS__)

/* Quotes a piece of input for a message: at most 40 bytes, non-printable
 * bytes escaped, "..." when cut. */
static const char *quote(char *out, size_t outlen, const char *s, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 8 < outlen; i++) {
    unsigned char c = (unsigned char)s[i];
    if (i == 40) {
      memcpy(out + o, "...", 3);
      o += 3;
      break;
    }
    if (c >= 0x20 && c < 0x7f) out[o++] = (char)c;
    else o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
  }
  out[o] = '\0';
  return out;
}

static void note(rtprof_dump_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(rtprof_dump_t *d, const char *fmt, ...) {
  if (d->nnotes >= MAX_NOTES) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  rtprof_grow(&d->notes, &d->cap_notes, d->nnotes + 1, sizeof *d->notes);
  d->notes[d->nnotes++] = rtprof_xstrndup(msg, strlen(msg));
}

/* ---- lines --------------------------------------------------------------- */
/* Returns 1 with the next line (NUL-terminated in place), 0 at a clean end of
 * file, -1 after an error message. */
static int next_line(reader_t *r, char **line, size_t *len) {
  for (;;) {
    char *p = r->buf + r->start;
    size_t have = r->end - r->start;
    char *nl = memchr(p, '\n', have);
    if (nl) {
      r->lineno++;
      *line = p;
      *len = (size_t)(nl - p);
      r->start += *len + 1;
      if (*len + 1 > RTPROF_DUMP_MAX_LINE)
        return fail(r, "line is longer than %d bytes", RTPROF_DUMP_MAX_LINE);
      if (memchr(p, '\0', *len)) return fail(r, "NUL byte in a text line (not a dump?)");
      *nl = '\0';
      return 1;
    }
    if (have >= RTPROF_DUMP_MAX_LINE) {
      r->lineno++;
      return fail(r, "line is longer than %d bytes", RTPROF_DUMP_MAX_LINE);
    }
    if (r->eof) {
      if (have == 0) return 0;
      r->lineno++;
      return fail(r, "truncated: the last line has no newline (the file was cut short)");
    }
    memmove(r->buf, p, have);
    r->start = 0;
    r->end = have;
    ssize_t k;
    do k = read(r->fd, r->buf + r->end, READ_CHUNK);
    while (k < 0 && errno == EINTR);
    if (k < 0) {
      rtprof_error("%s: cannot read: %s", r->file, strerror(errno));
      return -1;
    }
    if (k == 0) r->eof = true;
    else r->end += (size_t)k;
  }
}

/* ---- fields -------------------------------------------------------------- */
typedef enum ftype_e {
  F_U64,     /* unsigned decimal */
  F_I64,     /* signed decimal */
  F_ADDR,    /* 0x + lower-case hex */
  F_BUILDID, /* lower-case hex, or "-" */
  F_FRAMES,  /* 1-16 comma-separated addresses */
  F_TOKEN,   /* a word without spaces */
  F_TAIL,    /* the rest of the line (always last) */
  F_NAME     /* a name a program gave: the rest of the line, possibly empty */
} ftype_t;

typedef struct field_s {
  const char *key;
  ftype_t type;
  bool optional;
  size_t off;              /* into the record's destination struct */
} field_t;

typedef struct frames_tmp_s {
  uint64_t v[RTPROF_DUMP_MAX_DEPTH];
  uint8_t kind[RTPROF_DUMP_MAX_DEPTH]; /* rtprof_frame_kind_t */
  uint32_t n;
} frames_tmp_t;

static int parse_u64(reader_t *r, const char *key, const char *s, size_t n, uint64_t *out) {
  char q[64];
  if (n == 0) return fail(r, "field '%s': expected an unsigned integer, got nothing", key);
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned c = (unsigned char)s[i] - '0';
    if (c > 9)
      return fail(r, "field '%s': expected an unsigned integer, got '%s'", key, quote(q, sizeof q, s, n));
    if (v > (UINT64_MAX - c) / 10)
      return fail(r, "field '%s': value %s does not fit in 64 bits", key, quote(q, sizeof q, s, n));
    v = v * 10 + c;
  }
  *out = v;
  return 0;
}

static int parse_i64(reader_t *r, const char *key, const char *s, size_t n, int64_t *out) {
  char q[64];
  bool neg = n > 0 && s[0] == '-';
  uint64_t mag;
  if (neg && n == 1) return fail(r, "field '%s': expected a signed integer, got '-'", key);
  for (size_t i = neg; i < n; i++)
    if ((unsigned char)s[i] - '0' > 9)
      return fail(r, "field '%s': expected a signed integer, got '%s'", key, quote(q, sizeof q, s, n));
  if (parse_u64(r, key, s + neg, n - neg, &mag)) return -1;
  if (mag > (uint64_t)INT64_MAX + neg)
    return fail(r, "field '%s': value %s does not fit in a signed 64-bit integer", key, quote(q, sizeof q, s, n));
  *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  return 0;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

static int parse_addr(reader_t *r, const char *key, const char *s, size_t n, uint64_t *out) {
  char q[64];
  if (n < 3 || s[0] != '0' || s[1] != 'x')
    return fail(r, "field '%s': expected an address (0x and lower-case hex), got '%s'", key, quote(q, sizeof q, s, n));
  if (n - 2 > 16)
    return fail(r, "field '%s': address %s does not fit in 64 bits", key, quote(q, sizeof q, s, n));
  uint64_t v = 0;
  for (size_t i = 2; i < n; i++) {
    int h = hexval(s[i]);
    if (h < 0)
      return fail(r, "field '%s': expected an address (0x and lower-case hex), got '%s'", key, quote(q, sizeof q, s, n));
    v = v << 4 | (uint64_t)h;
  }
  *out = v;
  return 0;
}

static int parse_frames(reader_t *r, const char *s, size_t n, frames_tmp_t *f) {
  f->n = 0;
  size_t i = 0;
  for (;;) {
    const char *c = memchr(s + i, ',', n - i);
    size_t e = c ? (size_t)(c - s) : n;
    if (f->n == RTPROF_DUMP_MAX_DEPTH)
      return fail(r, "field 'frames': more than %d frames", RTPROF_DUMP_MAX_DEPTH);
    /* 0x… a return address, @0x… an exact address, nID a named site */
    f->kind[f->n] = RTPROF_FRAME_RA;
    size_t skip = 0;
    if (e > i && s[i] == '@') f->kind[f->n] = RTPROF_FRAME_EXACT, skip = 1;
    if (e > i && s[i] == 'n') {
      f->kind[f->n] = RTPROF_FRAME_NAMED;
      if (parse_u64(r, "frames", s + i + 1, e - i - 1, &f->v[f->n])) return -1;
      if (f->v[f->n] == 0) return fail(r, "field 'frames': named site n0 (name ids start at 1)");
    } else if (parse_addr(r, "frames", s + i + skip, e - i - skip, &f->v[f->n])) {
      return -1;
    }
    f->n++;
    if (!c) return 0;
    i = e + 1;
  }
}

static int parse_value(reader_t *r, const field_t *fd, const char *v, size_t n, void *dst) {
  char *p = (char *)dst + fd->off;
  char q[64];
  switch (fd->type) {
  case F_U64: return parse_u64(r, fd->key, v, n, (uint64_t *)p);
  case F_I64: return parse_i64(r, fd->key, v, n, (int64_t *)p);
  case F_ADDR: return parse_addr(r, fd->key, v, n, (uint64_t *)p);
  case F_FRAMES: return parse_frames(r, v, n, (frames_tmp_t *)p);
  case F_BUILDID:
    if (n == 1 && v[0] == '-') {
      *(const char **)p = NULL;
      return 0;
    }
    for (size_t i = 0; i <= n; i++)
      if (i == n ? n == 0 : hexval(v[i]) < 0)
        return fail(r, "field '%s': expected lower-case hex or '-', got '%s'", fd->key, quote(q, sizeof q, v, n));
    *(const char **)p = rtprof_intern(v, n);
    return 0;
  case F_TOKEN:
  case F_TAIL:
  case F_NAME:
    if (n == 0 && fd->type != F_NAME) return fail(r, "field '%s': empty value", fd->key);
    *(const char **)p = rtprof_intern(v, n);
    return 0;
  }
  return -1;
}

/* Parses "key=value key=value ... [tailkey=rest of line]" from p to the end of
 * the line into dst. Unknown keys are ignored; each known key at most once;
 * every key not marked optional must be present. */
static int parse_fields(reader_t *r, const char *p, const char *end, const field_t *spec,
                        size_t nspec, void *dst) {
  uint32_t seen = 0;
  char q[64];
  while (p < end) {
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    const char *tok_end = sp ? sp : end;
    if (tok_end == p) return fail(r, "empty field (two spaces in a row?)");
    const char *eq = memchr(p, '=', (size_t)(tok_end - p));
    if (!eq)
      return fail(r, "expected key=value, got '%s'", quote(q, sizeof q, p, (size_t)(tok_end - p)));
    size_t klen = (size_t)(eq - p);
    size_t i;
    for (i = 0; i < nspec; i++)
      if (strlen(spec[i].key) == klen && memcmp(spec[i].key, p, klen) == 0) break;
    if (i < nspec) {
      if (seen & (1u << i)) return fail(r, "field '%s' appears twice", spec[i].key);
      seen |= 1u << i;
      if (spec[i].type == F_TAIL || spec[i].type == F_NAME) tok_end = end; /* the value runs to the end */
      if (parse_value(r, &spec[i], eq + 1, (size_t)(tok_end - eq - 1), dst)) return -1;
    }
    if (tok_end == end) break;
    p = tok_end + 1;
    if (p == end) return fail(r, "trailing space at the end of the line");
  }
  for (size_t i = 0; i < nspec; i++)
    if (!spec[i].optional && !(seen & (1u << i)))
      return fail(r, "missing required field '%s'", spec[i].key);
  r->fields_seen = seen;
  return 0;
}

#define FIELD(st, k, t) {#k, t, false, offsetof(st, k)}
#define FIELD_OPT(st, k, t) {#k, t, true, offsetof(st, k)}

/* A kind written as a value: a lower-case word ([a-z][a-z0-9_]*). Kinds this
 * reader does not know are kept as they are (a later writer may add some). */
static int check_word(reader_t *r, const char *key, const char *v) {
  char q[64];
  bool ok = v[0] >= 'a' && v[0] <= 'z';
  for (const char *c = v; ok && *c; c++) ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
  if (!ok)
    return fail(r, "field '%s': expected a lower-case word, got '%s'", key, quote(q, sizeof q, v, strlen(v)));
  return 0;
}

/* ---- records ------------------------------------------------------------- */
static int rec_process(reader_t *r, const char *p, const char *end) {
  static const field_t spec[] = {
      FIELD(rtprof_dump_t, pid, F_U64),          FIELD(rtprof_dump_t, depth, F_U64),
      FIELD(rtprof_dump_t, site_capacity, F_U64), FIELD(rtprof_dump_t, phase_capacity, F_U64),
      FIELD(rtprof_dump_t, pair_capacity, F_U64), FIELD(rtprof_dump_t, start_ns, F_U64),
      FIELD(rtprof_dump_t, dump_ns, F_U64),       FIELD(rtprof_dump_t, reason, F_TOKEN),
      FIELD_OPT(rtprof_dump_t, interval_ms, F_U64),
  };
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, r->d)) return -1;
  if (r->d->depth < 1 || r->d->depth > RTPROF_DUMP_MAX_DEPTH)
    return fail(r, "field 'depth': expected 1 to %d, got %llu", RTPROF_DUMP_MAX_DEPTH,
                (unsigned long long)r->d->depth);
  return 0;
}

static int rec_exe(reader_t *r, const char *p, const char *end) {
  if (p >= end) return fail(r, "missing the executable's path");
  r->d->exe = rtprof_intern(p, (size_t)(end - p));
  return 0;
}

static int rec_totals(reader_t *r, const char *p, const char *end) {
#define T(k) FIELD(rtprof_totals_t, k, F_U64)
  static const field_t spec[] = {
      T(allocs),          T(frees),     T(alloc_bytes),          T(freed_bytes),
      T(live_blocks),     T(live_bytes), T(peak_live_bytes),     T(failed_allocs),
      T(committed_bytes), T(peak_committed_bytes), T(rss_bytes), T(peak_rss_bytes),
      T(mmap_bytes),      T(overhead_bytes),
  };
#undef T
  return parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &r->d->totals);
}

typedef struct module_line_s {
  uint64_t id;
  rtprof_module_t m;
} module_line_t;

static int rec_module(reader_t *r, const char *p, const char *end) {
  static const field_t spec[] = {
      {"id", F_U64, false, offsetof(module_line_t, id)},
      {"base", F_ADDR, false, offsetof(module_line_t, m.base)},
      {"lo", F_ADDR, false, offsetof(module_line_t, m.lo)},
      {"hi", F_ADDR, false, offsetof(module_line_t, m.hi)},
      {"buildid", F_BUILDID, false, offsetof(module_line_t, m.buildid)},
      {"path", F_TAIL, false, offsetof(module_line_t, m.path)},
  };
  rtprof_dump_t *d = r->d;
  module_line_t ml = {0};
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &ml)) return -1;
  if (d->nmodules >= RTPROF_DUMP_MAX_MODULES)
    return fail(r, "more than %d modules", RTPROF_DUMP_MAX_MODULES);
  if (ml.id != d->nmodules)
    return fail(r, "field 'id': expected %zu (module ids are dense, from 0), got %llu", d->nmodules,
                (unsigned long long)ml.id);
  if (ml.m.lo > ml.m.hi) return fail(r, "field 'lo' is above field 'hi'");
  rtprof_grow(&d->modules, &d->cap_modules, d->nmodules + 1, sizeof *d->modules);
  d->modules[d->nmodules++] = ml.m;
  return 0;
}

typedef struct site_line_s {
  rtprof_site_t s;
  frames_tmp_t f;
} site_line_t;

static int rec_site(reader_t *r, const char *p, const char *end) {
#define S(k) {#k, F_U64, false, offsetof(site_line_t, s.k)}
  static const field_t spec[] = {
      S(id), S(allocs), S(alloc_bytes), S(frees), S(freed_bytes), S(peak_live_bytes),
      {"frames", F_FRAMES, false, offsetof(site_line_t, f)},
  };
#undef S
  rtprof_dump_t *d = r->d;
  site_line_t sl;
  memset(&sl, 0, sizeof sl);
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &sl)) return -1;
  if (d->nsites >= RTPROF_DUMP_MAX_SITES) return fail(r, "more than %d sites", RTPROF_DUMP_MAX_SITES);
  if (sl.s.id < 1 || sl.s.id > d->site_capacity)
    return fail(r, "field 'id': expected 1 to site_capacity (%llu), got %llu",
                (unsigned long long)d->site_capacity, (unsigned long long)sl.s.id);
  if (rtprof_map_get(&r->site_ids, sl.s.id) >= 0)
    return fail(r, "site id %llu appears twice", (unsigned long long)sl.s.id);
  /* a 0x0 frame ends the stack; keep at least the first frame */
  uint32_t n = 1;
  while (n < sl.f.n && (sl.f.v[n] != 0 || sl.f.kind[n] == RTPROF_FRAME_NAMED)) n++;
  sl.s.frame_off = (uint32_t)d->nframes;
  sl.s.nframes = n;
  rtprof_grow(&d->frames, &d->cap_frames, d->nframes + n, sizeof *d->frames);
  rtprof_grow(&d->frame_kinds, &d->cap_frame_kinds, d->nframes + n, sizeof *d->frame_kinds);
  memcpy(d->frames + d->nframes, sl.f.v, n * sizeof *d->frames);
  memcpy(d->frame_kinds + d->nframes, sl.f.kind, n * sizeof *d->frame_kinds);
  for (uint32_t k = 0; k < n; k++)
    if (sl.f.kind[k] == RTPROF_FRAME_NAMED) {
      rtprof_grow(&r->named, &r->cap_named, r->nnamed + 1, sizeof *r->named);
      r->named[r->nnamed++] = (struct named_ref_s){d->nframes + k, sl.s.id, r->lineno};
    }
  d->nframes += n;
  rtprof_map_put(&r->site_ids, sl.s.id, d->nsites);
  rtprof_grow(&d->sites, &d->cap_sites, d->nsites + 1, sizeof *d->sites);
  d->sites[d->nsites++] = sl.s;
  return 0;
}

static int rec_overflow(reader_t *r, const char *p, const char *end) {
#define O(k) FIELD(rtprof_overflow_t, k, F_U64)
  static const field_t spec[] = {
      O(sites_dropped), O(pairs_dropped), O(allocs), O(alloc_bytes), O(frees), O(freed_bytes),
  };
#undef O
  return parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &r->d->overflow);
}

/* A file field: %XX (upper- or lower-case hex) stands for a byte that would
 * end the field. */
static int unescape(reader_t *r, const char *v, size_t n, const char **out) {
  char q[64];
  char *buf = rtprof_xmalloc(n + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i] != '%') {
      buf[o++] = v[i];
      continue;
    }
    int hi = i + 2 < n ? hexval((char)(v[i + 1] | 0x20)) : -1;
    int lo = i + 2 < n ? hexval((char)(v[i + 2] | 0x20)) : -1;
    if (hi < 0 || lo < 0) {
      free(buf);
      return fail(r, "field 'file': '%%' must be followed by two hex digits in '%s'", quote(q, sizeof q, v, n));
    }
    buf[o++] = (char)(hi << 4 | lo);
    i += 2;
  }
  *out = rtprof_intern(buf, o);
  free(buf);
  return 0;
}

typedef struct name_line_s {
  rtprof_name_t nm;
  uint64_t line;
  const char *file_raw;
} name_line_t;

static int rec_name(reader_t *r, const char *p, const char *end) {
  static const field_t spec[] = {
      {"id", F_U64, false, offsetof(name_line_t, nm.id)},
      {"line", F_U64, false, offsetof(name_line_t, line)},
      {"file", F_TOKEN, true, offsetof(name_line_t, file_raw)},
      {"function", F_TAIL, false, offsetof(name_line_t, nm.function)},
  };
  rtprof_dump_t *d = r->d;
  name_line_t nl;
  memset(&nl, 0, sizeof nl);
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &nl)) return -1;
  if (nl.nm.id == 0) return fail(r, "field 'id': expected 1 or more, got 0");
  if (nl.line > UINT32_MAX) return fail(r, "field 'line': %llu is above 4294967295", (unsigned long long)nl.line);
  if (d->nnames >= RTPROF_DUMP_MAX_SITES) return fail(r, "more than %d names", RTPROF_DUMP_MAX_SITES);
  if (rtprof_map_get(&r->name_ids, nl.nm.id) >= 0)
    return fail(r, "name id %llu appears twice", (unsigned long long)nl.nm.id);
  if (strlen(nl.nm.function) > RTPROF_DUMP_MAX_NAME)
    return fail(r, "field 'function': longer than %d bytes", RTPROF_DUMP_MAX_NAME);
  if (nl.file_raw && unescape(r, nl.file_raw, strlen(nl.file_raw), &nl.nm.file)) return -1;
  if (nl.nm.file && strlen(nl.nm.file) > RTPROF_DUMP_MAX_NAME)
    return fail(r, "field 'file': longer than %d bytes once unescaped", RTPROF_DUMP_MAX_NAME);
  nl.nm.line = (uint32_t)nl.line;
  rtprof_map_put(&r->name_ids, nl.nm.id, d->nnames);
  rtprof_grow(&d->names, &d->cap_names, d->nnames + 1, sizeof *d->names);
  d->names[d->nnames++] = nl.nm;
  return 0;
}

/* Named frames refer to name records by id: now they index d->names. */
static int resolve_names(reader_t *r) {
  rtprof_dump_t *d = r->d;
  for (size_t i = 0; i < r->nnamed; i++) {
    uint64_t *f = &d->frames[r->named[i].frame];
    long idx = rtprof_map_get(&r->name_ids, *f);
    if (idx < 0) {
      r->rec = RTPROF_REC_SITE;
      r->lineno = r->named[i].line;
      return fail(r, "site %llu: frame n%llu names no 'name' record", (unsigned long long)r->named[i].site,
                  (unsigned long long)*f);
    }
    *f = (uint64_t)idx;
  }
  return 0;
}

static int rec_phase(reader_t *r, const char *p, const char *end) {
  static const field_t spec[] = {
      FIELD(rtprof_phase_t, id, F_U64),
      FIELD(rtprof_phase_t, parent, F_U64),
      FIELD(rtprof_phase_t, calls, F_U64),
      FIELD(rtprof_phase_t, open, F_U64),
      FIELD(rtprof_phase_t, committed_delta, F_I64),
      FIELD(rtprof_phase_t, committed_delta_max, F_I64),
      FIELD(rtprof_phase_t, live_delta, F_I64),
      FIELD(rtprof_phase_t, wall_ns, F_U64),
      FIELD(rtprof_phase_t, name, F_NAME),
      FIELD_OPT(rtprof_phase_t, blocks_delta, F_I64),
  };
  rtprof_dump_t *d = r->d;
  rtprof_phase_t ph = {0};
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &ph)) return -1;
  if (d->nphases >= RTPROF_DUMP_MAX_PHASES)
    return fail(r, "more than %d phases", RTPROF_DUMP_MAX_PHASES);
  if (ph.id < 1) return fail(r, "field 'id': expected 1 or more, got 0");
  if (rtprof_map_get(&r->phase_ids, ph.id) >= 0)
    return fail(r, "phase id %llu appears twice", (unsigned long long)ph.id);
  if (ph.parent == ph.id) return fail(r, "field 'parent': a phase cannot be its own parent");
  if (strlen(ph.name) > RTPROF_DUMP_MAX_PHASE_NAME) /* bounds every path: 64 levels x 64 bytes */
    return fail(r, "field 'name': %zu bytes, expected at most %d", strlen(ph.name),
                RTPROF_DUMP_MAX_PHASE_NAME);
  rtprof_map_put(&r->phase_ids, ph.id, d->nphases);
  rtprof_grow(&d->phases, &d->cap_phases, d->nphases + 1, sizeof *d->phases);
  size_t cap = d->cap_phases;
  r->phase_lines = rtprof_xrealloc(r->phase_lines, cap, sizeof *r->phase_lines);
  r->phase_lines[d->nphases] = r->lineno;
  d->phases[d->nphases++] = ph;
  return 0;
}

/* Once every phase is read: parents exist, nesting is bounded, paths built. */
static int resolve_phases(reader_t *r) {
  rtprof_dump_t *d = r->d;
  const char *saved = r->rec;
  r->rec = RTPROF_REC_PHASE;
  for (size_t i = 0; i < d->nphases; i++) {
    rtprof_phase_t *ph = &d->phases[i];
    if (ph->parent && rtprof_map_get(&r->phase_ids, ph->parent) < 0)
      return fail_at(r, r->phase_lines[i], "field 'parent': phase %llu is not in this dump",
                     (unsigned long long)ph->parent);
  }
  size_t chain[MAX_PHASE_DEPTH];
  uint8_t *depth = rtprof_xcalloc(d->nphases, 1);
  char *path = rtprof_xmalloc((size_t)MAX_PHASE_DEPTH * RTPROF_DUMP_MAX_LINE);
  int rc = 0;
  for (size_t i = 0; i < d->nphases && !rc; i++) {
    size_t n = 0, cur = i;
    while (!d->phases[cur].path) { /* walk up to a known path or the root */
      if (n == MAX_PHASE_DEPTH) {
        rc = fail_at(r, r->phase_lines[i], "phase %llu is nested deeper than %d (or its parents loop)",
                     (unsigned long long)d->phases[i].id, MAX_PHASE_DEPTH);
        break;
      }
      chain[n++] = cur;
      if (!d->phases[cur].parent) break;
      cur = (size_t)rtprof_map_get(&r->phase_ids, d->phases[cur].parent);
    }
    while (n > 0 && !rc) { /* build paths down the chain */
      size_t k = chain[--n];
      rtprof_phase_t *ph = &d->phases[k];
      if (ph->path) continue;
      size_t len = 0, nl = strlen(ph->name);
      depth[k] = 1;
      if (ph->parent) {
        size_t pk = (size_t)rtprof_map_get(&r->phase_ids, ph->parent);
        const char *pp = d->phases[pk].path;
        depth[k] = (uint8_t)(depth[pk] + 1);
        len = strlen(pp);
        memcpy(path, pp, len);
        path[len++] = '/';
      }
      if (depth[k] > MAX_PHASE_DEPTH) {
        rc = fail_at(r, r->phase_lines[k], "phase %llu is nested deeper than %d",
                     (unsigned long long)ph->id, MAX_PHASE_DEPTH);
        break;
      }
      memcpy(path + len, ph->name, nl);
      ph->path = rtprof_intern(path, len + nl);
    }
  }
  free(depth);
  free(path);
  if (rc) return rc;
  r->rec = saved;
  return 0;
}

static int rec_pair(reader_t *r, const char *p, const char *end) {
#define P(k) FIELD(rtprof_pair_t, k, F_U64)
  static const field_t spec[] = {
      P(phase), P(site), P(allocs), P(alloc_bytes), P(frees), P(freed_bytes),
  };
#undef P
  rtprof_dump_t *d = r->d;
  rtprof_pair_t pr = {0};
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &pr)) return -1;
  if (d->npairs >= RTPROF_DUMP_MAX_PAIRS) return fail(r, "more than %d pairs", RTPROF_DUMP_MAX_PAIRS);
  if (rtprof_map_get(&r->phase_ids, pr.phase) < 0)
    return fail(r, "field 'phase': phase %llu is not in this dump", (unsigned long long)pr.phase);
  if (pr.site && rtprof_map_get(&r->site_ids, pr.site) < 0)
    return fail(r, "field 'site': site %llu is not in this dump", (unsigned long long)pr.site);
  rtprof_grow(&d->pairs, &d->cap_pairs, d->npairs + 1, sizeof *d->pairs);
  d->pairs[d->npairs++] = pr;
  return 0;
}

static int rec_warning(reader_t *r, const char *p, const char *end) {
  static const field_t spec[] = {
      FIELD(rtprof_warning_t, count, F_U64),
      {"name", F_TAIL, true, offsetof(rtprof_warning_t, name)},
  };
  rtprof_dump_t *d = r->d;
  const char *sp = memchr(p, ' ', (size_t)(end - p));
  const char *kend = sp ? sp : end;
  if (kend == p || memchr(p, '=', (size_t)(kend - p)))
    return fail(r, "expected the warning's kind (a word) before its fields");
  rtprof_warning_t w = {0};
  w.kind = rtprof_intern(p, (size_t)(kend - p));
  if (parse_fields(r, sp ? sp + 1 : end, end, spec, sizeof spec / sizeof *spec, &w)) return -1;
  if (sp && sp + 1 == end) return fail(r, "trailing space at the end of the line");
  for (size_t i = 0; i < d->nwarnings; i++) /* few distinct kinds: a scan is fine */
    if (d->warnings[i].kind == w.kind && d->warnings[i].name == w.name) {
      d->warnings[i].count += w.count;
      return 0;
    }
  if (d->nwarnings >= RTPROF_CLI_MAX_WARNINGS) {
    d->warnings_dropped += w.count;
    return 0;
  }
  rtprof_grow(&d->warnings, &d->cap_warnings, d->nwarnings + 1, sizeof *d->warnings);
  d->warnings[d->nwarnings++] = w;
  return 0;
}

static int rec_error(reader_t *r, const char *p, const char *end) {
  static const field_t spec[] = {
      FIELD(rtprof_heap_error_t, kind, F_TOKEN), FIELD(rtprof_heap_error_t, count, F_U64),
      FIELD(rtprof_heap_error_t, addr, F_ADDR),  FIELD(rtprof_heap_error_t, site, F_U64),
      FIELD(rtprof_heap_error_t, call, F_ADDR),
  };
  rtprof_dump_t *d = r->d;
  rtprof_heap_error_t e = {0};
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &e)) return -1;
  if (check_word(r, "kind", e.kind)) return -1;
  if (e.count == 0) return fail(r, "field 'count': expected 1 or more, got 0");
  if (e.site && rtprof_map_get(&r->site_ids, e.site) < 0)
    return fail(r, "field 'site': site %llu is not in this dump", (unsigned long long)e.site);
  if (d->nerrors >= RTPROF_DUMP_MAX_ERRORS) return fail(r, "more than %d error records", RTPROF_DUMP_MAX_ERRORS);
  for (size_t i = 0; i < d->nerrors; i++) /* at most 256: a scan is fine */
    if (d->errors[i].kind == e.kind && d->errors[i].site == e.site && d->errors[i].call == e.call)
      return fail(r, "(kind=%s, site=%llu, call=0x%llx) appears twice (expected one record each)", e.kind,
                  (unsigned long long)e.site, (unsigned long long)e.call);
  rtprof_grow(&d->errors, &d->cap_errors, d->nerrors + 1, sizeof *d->errors);
  d->errors[d->nerrors++] = e;
  return 0;
}

static int rec_snapshot(reader_t *r, const char *p, const char *end) {
  static const field_t spec[] = {
      FIELD(rtprof_snapshot_t, t_ns, F_U64),      FIELD(rtprof_snapshot_t, committed, F_U64),
      FIELD(rtprof_snapshot_t, live, F_U64),      FIELD(rtprof_snapshot_t, rss, F_U64),
      FIELD(rtprof_snapshot_t, phase, F_U64),     FIELD(rtprof_snapshot_t, kind, F_TOKEN),
      FIELD_OPT(rtprof_snapshot_t, name, F_NAME),
  };
  static const char *const kinds[] = {
      [RTPROF_SNAP_INTERVAL] = "interval", [RTPROF_SNAP_PEAK] = "peak",
      [RTPROF_SNAP_LABEL] = "label",       [RTPROF_SNAP_EXIT] = "exit",
  };
  rtprof_dump_t *d = r->d;
  rtprof_snapshot_t sn = {0};
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &sn)) return -1;
  if (check_word(r, "kind", sn.kind)) return -1;
  sn.kind_id = RTPROF_SNAP_OTHER;
  for (int k = 0; k < RTPROF_SNAP_OTHER; k++)
    if (strcmp(sn.kind, kinds[k]) == 0) sn.kind_id = (rtprof_snap_kind_t)k;
  if (sn.kind_id == RTPROF_SNAP_LABEL && !sn.name) return fail(r, "missing required field 'name' (a label's name)");
  if (sn.phase && rtprof_map_get(&r->phase_ids, sn.phase) < 0)
    return fail(r, "field 'phase': phase %llu is not in this dump", (unsigned long long)sn.phase);
  if (d->nsnapshots >= RTPROF_DUMP_MAX_SNAPSHOTS)
    return fail(r, "more than %d snapshots", RTPROF_DUMP_MAX_SNAPSHOTS);
  if (d->nsnapshots && sn.t_ns < d->snapshots[d->nsnapshots - 1].t_ns)
    return fail(r, "field 't_ns': %llu is before the previous snapshot's %llu (expected oldest first)",
                (unsigned long long)sn.t_ns, (unsigned long long)d->snapshots[d->nsnapshots - 1].t_ns);
  rtprof_grow(&d->snapshots, &d->cap_snapshots, d->nsnapshots + 1, sizeof *d->snapshots);
  d->snapshots[d->nsnapshots++] = sn;
  return 0;
}

/* ---- the peak, the snapshots' top sites, first calls ------------------------ */

/* `snapshot_top sites=ID:BYTES,...`: right after its snapshot, at most once. */
static int rec_snapshot_top(reader_t *r, const char *p, const char *end) {
  static const field_t spec[] = {{"sites", F_TAIL, false, 0}};
  rtprof_dump_t *d = r->d;
  const char *list = NULL;
  if (r->prev_rank != REC_SNAPSHOT) return fail(r, "expected right after a 'snapshot' record");
  if (parse_fields(r, p, end, spec, 1, &list)) return -1;
  rtprof_snapshot_t *sn = &d->snapshots[d->nsnapshots - 1];
  sn->top_off = (uint32_t)d->nsnap_tops;
  for (const char *q = list; *q;) {
    const char *comma = strchr(q, ','), *e = comma ? comma : q + strlen(q);
    const char *colon = memchr(q, ':', (size_t)(e - q));
    rtprof_id_bytes_t t;
    char qq[64];
    if (!colon) return fail(r, "field 'sites': expected ID:BYTES, got '%s'", quote(qq, sizeof qq, q, (size_t)(e - q)));
    if (parse_u64(r, "sites", q, (size_t)(colon - q), &t.id) ||
        parse_u64(r, "sites", colon + 1, (size_t)(e - colon - 1), &t.live_bytes))
      return -1;
    if (t.id && rtprof_map_get(&r->site_ids, t.id) < 0)
      return fail(r, "field 'sites': site %llu is not in this dump", (unsigned long long)t.id);
    if (sn->ntop == RTPROF_DUMP_MAX_SNAPSHOT_TOP)
      return fail(r, "field 'sites': more than %d sites", RTPROF_DUMP_MAX_SNAPSHOT_TOP);
    rtprof_grow(&d->snap_tops, &d->cap_snap_tops, d->nsnap_tops + 1, sizeof *d->snap_tops);
    d->snap_tops[d->nsnap_tops++] = t;
    sn->ntop++;
    q = comma ? comma + 1 : e;
    if (comma && !*q) return fail(r, "field 'sites': a trailing comma");
  }
  return 0;
}

static int rec_peak(reader_t *r, const char *p, const char *end) {
#define K(k) FIELD(rtprof_dpeak_t, k, F_U64)
  static const field_t spec[] = {K(live_bytes), K(live_blocks), K(t_ns), K(committed), K(rss), K(overhead), K(phase)};
#undef K
  rtprof_dump_t *d = r->d;
  if (d->peak.present) return fail(r, "appears twice (expected once)");
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &d->peak)) return -1;
  if (d->peak.phase && rtprof_map_get(&r->phase_ids, d->peak.phase) < 0)
    return fail(r, "field 'phase': phase %llu is not in this dump", (unsigned long long)d->peak.phase);
  d->peak.present = true;
  return 0;
}

/* `peak_site site= live_bytes=` and `peak_phase phase= live_bytes=`: after
 * `peak`, each id once, never 0 bytes. */
static int peak_part(reader_t *r, const char *p, const char *end, bool site) {
  static const field_t site_spec[] = {{"site", F_U64, false, 0}, {"live_bytes", F_U64, false, sizeof(uint64_t)}};
  static const field_t phase_spec[] = {{"phase", F_U64, false, 0}, {"live_bytes", F_U64, false, sizeof(uint64_t)}};
  rtprof_dump_t *d = r->d;
  rtprof_id_bytes_t e;
  if (!d->peak.present) return fail(r, "expected a 'peak' record before this one");
  if (parse_fields(r, p, end, site ? site_spec : phase_spec, 2, &e)) return -1;
  rtprof_id_bytes_t **v = site ? &d->peak_sites : &d->peak_phases;
  size_t *n = site ? &d->npeak_sites : &d->npeak_phases, *cap = site ? &d->cap_peak_sites : &d->cap_peak_phases;
  if (site ? e.id && rtprof_map_get(&r->site_ids, e.id) < 0 : rtprof_map_get(&r->phase_ids, e.id) < 0)
    return fail(r, "field '%s': %s %llu is not in this dump", site ? "site" : "phase", site ? "site" : "phase",
                (unsigned long long)e.id);
  if (e.live_bytes == 0) return fail(r, "field 'live_bytes': expected 1 or more, got 0");
  if (*n && (*v)[*n - 1].id >= e.id)
    return fail(r, "field '%s': %llu after %llu (expected increasing ids)", site ? "site" : "phase",
                (unsigned long long)e.id, (unsigned long long)(*v)[*n - 1].id);
  if (*n >= (site ? RTPROF_DUMP_MAX_SITES + 1 : RTPROF_DUMP_MAX_PHASES))
    return fail(r, "too many records");
  rtprof_grow(v, cap, *n + 1, sizeof **v);
  (*v)[(*n)++] = e;
  return 0;
}
static int rec_peak_site(reader_t *r, const char *p, const char *end) { return peak_part(r, p, end, true); }
static int rec_peak_phase(reader_t *r, const char *p, const char *end) { return peak_part(r, p, end, false); }

static int rec_pair_first(reader_t *r, const char *p, const char *end) {
#define P(k) FIELD(rtprof_pair_first_t, k, F_U64)
  static const field_t spec[] = {P(phase), P(site), P(live_bytes)};
#undef P
  rtprof_dump_t *d = r->d;
  rtprof_pair_first_t pf;
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &pf)) return -1;
  if (rtprof_map_get(&r->phase_ids, pf.phase) < 0)
    return fail(r, "field 'phase': phase %llu is not in this dump", (unsigned long long)pf.phase);
  if (pf.site && rtprof_map_get(&r->site_ids, pf.site) < 0)
    return fail(r, "field 'site': site %llu is not in this dump", (unsigned long long)pf.site);
  if (d->npair_firsts >= RTPROF_DUMP_MAX_PAIRS) return fail(r, "more than %d records", RTPROF_DUMP_MAX_PAIRS);
  rtprof_grow(&d->pair_firsts, &d->cap_pair_firsts, d->npair_firsts + 1, sizeof *d->pair_firsts);
  d->pair_firsts[d->npair_firsts++] = pf;
  return 0;
}

typedef struct end_line_s {
  uint64_t modules, sites, phases, pairs, snapshots, errors, names;
} end_line_t;

static int rec_end(reader_t *r, const char *p, const char *end) {
  static const field_t spec[] = {
      FIELD(end_line_t, modules, F_U64), FIELD(end_line_t, sites, F_U64),
      FIELD(end_line_t, phases, F_U64),  FIELD(end_line_t, pairs, F_U64),
      FIELD_OPT(end_line_t, snapshots, F_U64), FIELD_OPT(end_line_t, errors, F_U64),
      FIELD_OPT(end_line_t, names, F_U64),
  };
  rtprof_dump_t *d = r->d;
  end_line_t e = {0};
  if (parse_fields(r, p, end, spec, sizeof spec / sizeof *spec, &e)) return -1;
  struct { const char *key, *rec; uint64_t want; size_t got; bool given; } c[] = {
      {"modules", RTPROF_REC_MODULE, e.modules, d->nmodules, true},
      {"sites", RTPROF_REC_SITE, e.sites, d->nsites, true},
      {"phases", RTPROF_REC_PHASE, e.phases, d->nphases, true},
      {"pairs", RTPROF_REC_PAIR, e.pairs, d->npairs, true},
      {"snapshots", RTPROF_REC_SNAPSHOT, e.snapshots, d->nsnapshots, r->fields_seen & 1u << 4},
      {"errors", RTPROF_REC_ERROR, e.errors, d->nerrors, r->fields_seen & 1u << 5},
      {"names", RTPROF_REC_NAME, e.names, d->nnames, r->fields_seen & 1u << 6},
  };
  for (size_t i = 0; i < sizeof c / sizeof *c; i++)
    if (c[i].given && c[i].want != c[i].got)
      return fail(r, "says %s=%llu but %zu '%s' records precede it (damaged file)", c[i].key,
                  (unsigned long long)c[i].want, c[i].got, c[i].rec);
  return 0;
}

typedef int (*rec_fn_t)(reader_t *r, const char *p, const char *end);
static const rec_fn_t rec_fns[REC_LAST] = {
    [REC_PROCESS] = rec_process, [REC_EXE] = rec_exe,         [REC_TOTALS] = rec_totals,
    [REC_MODULE] = rec_module,   [REC_SITE] = rec_site,       [REC_OVERFLOW] = rec_overflow,
    [REC_NAME] = rec_name,
    [REC_PHASE] = rec_phase,     [REC_PAIR] = rec_pair,       [REC_WARNING] = rec_warning,
    [REC_ERROR] = rec_error,     [REC_SNAPSHOT] = rec_snapshot, [REC_SNAPSHOT_TOP] = rec_snapshot_top,
    [REC_PEAK] = rec_peak,       [REC_PEAK_SITE] = rec_peak_site, [REC_PEAK_PHASE] = rec_peak_phase,
    [REC_PAIR_FIRST] = rec_pair_first, [REC_END] = rec_end,
};

static int check_header(reader_t *r, char *line, size_t len) {
  static const char magic[] = RTPROF_DUMP_MAGIC " ";
  char q[64];
  size_t ml = sizeof magic - 1;
  if (len < ml || memcmp(line, magic, ml) != 0)
    return fail(r, "not an rtprof dump: expected '%s %d' on the first line, got '%s'", RTPROF_DUMP_MAGIC,
                RTPROF_DUMP_VERSION, quote(q, sizeof q, line, len));
  uint64_t v = 0;
  size_t i;
  for (i = ml; i < len && line[i] >= '0' && line[i] <= '9' && v < 1000000; i++) v = v * 10 + (uint64_t)(line[i] - '0');
  if (i == ml || i != len)
    return fail(r, "bad header: expected '%s %d', got '%s'", RTPROF_DUMP_MAGIC, RTPROF_DUMP_VERSION,
                quote(q, sizeof q, line, len));
  if (v != RTPROF_DUMP_VERSION)
    return fail(r, "unsupported dump version %s (this rtprof reads version %d)",
                quote(q, sizeof q, line + ml, len - ml), RTPROF_DUMP_VERSION);
  return 0;
}

static int by_site_id(const void *a, const void *b) {
  uint64_t x = ((const rtprof_site_t *)a)->id, y = ((const rtprof_site_t *)b)->id;
  return x < y ? -1 : x > y;
}
static int by_phase_id(const void *a, const void *b) {
  uint64_t x = ((const rtprof_phase_t *)a)->id, y = ((const rtprof_phase_t *)b)->id;
  return x < y ? -1 : x > y;
}

/* Cross-record sums the format promises; a mismatch is reported, not fatal
 * (a dump taken while other threads allocate may be slightly off). */
static void check_sums(rtprof_dump_t *d) {
  const rtprof_totals_t *t = &d->totals;
  uint64_t a = d->overflow.allocs, ab = d->overflow.alloc_bytes;
  uint64_t f = d->overflow.frees, fb = d->overflow.freed_bytes, bad = 0;
  for (size_t i = 0; i < d->nsites; i++) {
    const rtprof_site_t *s = &d->sites[i];
    a += s->allocs, ab += s->alloc_bytes, f += s->frees, fb += s->freed_bytes;
    bad += s->frees > s->allocs || s->freed_bytes > s->alloc_bytes;
  }
  if (t->live_blocks != t->allocs - t->frees || t->live_bytes != t->alloc_bytes - t->freed_bytes)
    note(d, "%s: totals: live_blocks/live_bytes differ from allocs-frees/alloc_bytes-freed_bytes", d->file);
  if (a != t->allocs || ab != t->alloc_bytes || f != t->frees || fb != t->freed_bytes)
    note(d, "%s: sites + overflow (%llu allocs, %llu bytes, %llu frees) differ from totals (%llu allocs, %llu bytes, %llu frees)",
         d->file, (unsigned long long)a, (unsigned long long)ab, (unsigned long long)f,
         (unsigned long long)t->allocs, (unsigned long long)t->alloc_bytes, (unsigned long long)t->frees);
  if (bad)
    note(d, "%s: %llu sites count more frees than allocations (dump taken while threads ran?)", d->file,
         (unsigned long long)bad);
  uint64_t peak = 0;
  for (size_t i = 0; i < d->npeak_sites; i++) peak += d->peak_sites[i].live_bytes;
  if (d->peak.present && peak != d->peak.live_bytes)
    note(d, "%s: the peak's sites hold %llu bytes, its record says %llu", d->file, (unsigned long long)peak,
         (unsigned long long)d->peak.live_bytes);
}

int rtprof_dump_read(const char *path, rtprof_dump_t *d) {
  memset(d, 0, sizeof *d);
  d->file = path;
  reader_t r = {.file = path, .d = d, .last_rank = -1, .prev_rank = -1};
  r.fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
  if (r.fd < 0) {
    rtprof_error("%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  r.buf = rtprof_xmalloc(READ_CHUNK + RTPROF_DUMP_MAX_LINE);
  int rc = -1;
  char *line;
  size_t len;
  int got = next_line(&r, &line, &len);
  if (got == 0) {
    r.lineno = 1;
    fail(&r, "empty file: expected '%s %d'", RTPROF_DUMP_MAGIC, RTPROF_DUMP_VERSION);
  }
  if (got <= 0 || check_header(&r, line, len)) goto out;
  bool phases_resolved = false;
  for (;;) {
    char q[64];
    r.rec = NULL;
    if ((got = next_line(&r, &line, &len)) <= 0) break;
    if (r.seen[REC_END]) {
      fail(&r, "unexpected line after the 'end' record");
      goto out;
    }
    const char *sp = memchr(line, ' ', len);
    size_t nlen = sp ? (size_t)(sp - line) : len;
    int k;
    for (k = 0; k < REC_LAST; k++)
      if (strlen(rec_names[k]) == nlen && memcmp(rec_names[k], line, nlen) == 0) break;
    if (k == REC_LAST) {
      fail(&r, nlen ? "unknown record '%s'" : "empty record name%s", quote(q, sizeof q, line, nlen));
      goto out;
    }
    r.rec = rec_names[k];
    /* a snapshot's top sites sit between it and the next snapshot */
    if (k < r.last_rank && !(k == REC_SNAPSHOT && r.last_rank == REC_SNAPSHOT_TOP)) {
      fail(&r, "out of order: a '%s' record must come before '%s' records", r.rec, rec_names[r.last_rank]);
      goto out;
    }
    if (rec_required_once[k] && r.seen[k]) {
      fail(&r, "appears twice (expected once)");
      goto out;
    }
    for (int j = 0; j < k; j++)
      if (rec_required_once[j] && !r.seen[j]) {
        fail(&r, "expected a '%s' record before this one", rec_names[j]);
        goto out;
      }
    if (k > REC_PHASE && !phases_resolved) {
      if (resolve_phases(&r)) goto out;
      phases_resolved = true;
    }
    r.prev_rank = r.last_rank;
    r.last_rank = k;
    r.seen[k]++;
    const char *end = line + len;
    const char *p = sp ? sp + 1 : end;
    if (sp && p == end) {
      fail(&r, "trailing space at the end of the line");
      goto out;
    }
    if (rec_fns[k](&r, p, end)) goto out;
  }
  if (got < 0) goto out;
  if (!r.seen[REC_END]) {
    r.rec = NULL;
    r.lineno++;
    fail(&r, "truncated: no 'end' record (the process died while writing, or the disk filled)");
    goto out;
  }
  if (resolve_names(&r)) goto out;
  if (d->nsites > 1) qsort(d->sites, d->nsites, sizeof *d->sites, by_site_id);
  if (d->nphases > 1) qsort(d->phases, d->nphases, sizeof *d->phases, by_phase_id);
  check_sums(d);
  rc = 0;
out:
  close(r.fd);
  free(r.buf);
  free(r.phase_lines);
  rtprof_map_free(&r.site_ids);
  rtprof_map_free(&r.phase_ids);
  rtprof_map_free(&r.name_ids);
  free(r.named);
  if (rc) rtprof_dump_free(d);
  return rc;
}

void rtprof_dump_free(rtprof_dump_t *d) {
  free(d->modules);
  free(d->sites);
  free(d->frames);
  free(d->frame_kinds);
  free(d->names);
  free(d->phases);
  free(d->pairs);
  free(d->warnings);
  free(d->errors);
  free(d->snapshots);
  free(d->snap_tops);
  free(d->peak_sites);
  free(d->peak_phases);
  free(d->pair_firsts);
  for (size_t i = 0; i < d->nnotes; i++) free(d->notes[i]);
  free(d->notes);
  const char *file = d->file;
  memset(d, 0, sizeof *d);
  d->file = file;
}

long rtprof_dump_find_site(const rtprof_dump_t *d, uint64_t id) {
  size_t lo = 0, hi = d->nsites;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d->sites[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < d->nsites && d->sites[lo].id == id ? (long)lo : -1;
}

long rtprof_dump_find_phase(const rtprof_dump_t *d, uint64_t id) {
  size_t lo = 0, hi = d->nphases;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d->phases[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < d->nphases && d->phases[lo].id == id ? (long)lo : -1;
}
