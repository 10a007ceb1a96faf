/* The report as a pprof profile: profile.proto of github.com/google/pprof,
 * hand-encoded (a handful of messages, varints and length-delimited fields)
 * and wrapped in gzip with stored deflate blocks, so no compression library
 * is needed; the profile's size depends on the sites, never on the run.
 * Layout and field numbers: docs/report.md "pprof" and pprof's
 * proto/profile.proto. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "write/write.h"

#define OVERFLOW_FUNCTION "(sites that did not fit the site table)"

/* ---- protobuf encoding ------------------------------------------------------ */
typedef struct pbuf_s { uint8_t *p; size_t n, cap; } pbuf_t;

static void pb_raw(pbuf_t *b, const void *p, size_t n) {
  rtprof_grow(&b->p, &b->cap, b->n + n + 1, 1);
  if (n) memcpy(b->p + b->n, p, n);
  b->n += n;
}

static void pb_varint(pbuf_t *b, uint64_t v) {
  uint8_t tmp[10];
  size_t n = 0;
  do {
    tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v >>= 7;
  } while (v);
  pb_raw(b, tmp, n);
}

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

static void pb_tag(pbuf_t *b, uint32_t field, uint32_t wire) { pb_varint(b, (uint64_t)field << 3 | wire); }

/* Scalars at their default (0, false) are left out, as proto3 does; int64
 * fields take negative values as 10-byte two's-complement varints. */
static void pb_uint(pbuf_t *b, uint32_t field, uint64_t v) {
  if (!v) return;
  pb_tag(b, field, WIRE_VARINT);
  pb_varint(b, v);
}
static void pb_int(pbuf_t *b, uint32_t field, int64_t v) { pb_uint(b, field, (uint64_t)v); }

static void pb_bytes(pbuf_t *b, uint32_t field, const void *p, size_t n) {
  pb_tag(b, field, WIRE_LEN);
  pb_varint(b, n);
  pb_raw(b, p, n);
}

/* An embedded message: written into *m, then appended and m emptied. */
static void pb_msg(pbuf_t *b, uint32_t field, pbuf_t *m) {
  pb_bytes(b, field, m->p, m->n);
  m->n = 0;
}

/* ---- the profile's tables ------------------------------------------------------ */
typedef struct pprof_s {
  const rtprof_model_t *m;
  pbuf_t out, msg, sub;    /* the Profile, a message being built, one nested in it */
  rtprof_map_t str_index;  /* interned pointer -> string_table index */
  size_t nstrs;
  rtprof_map_t fn_index;   /* hash of (name, file) -> function index */
  long *fn_next; size_t cap_fn_next;
  const char **fn_name, **fn_file; size_t nfns, cap_fn_name, cap_fn_file;
  rtprof_map_t loc_index;  /* hash of the frames -> location index */
  long *loc_next; size_t cap_loc_next;
  const rtprof_frame_t **loc_frames; uint32_t *loc_nframes; size_t nlocs, cap_loc_frames, cap_loc_nframes;
  uint64_t *map_base, *map_lo, *map_hi;  /* per symtab module, from the first dump naming it */
  bool *map_seen;
  uint64_t *ids; size_t nids, cap_ids;   /* a sample's location ids */
} pprof_t;

static uint64_t str_id(pprof_t *pp, const char *s) {
  if (!s) s = "";
  const char *in = rtprof_intern(s, strlen(s));
  long k = rtprof_map_get(&pp->str_index, (uintptr_t)in);
  if (k >= 0) return (uint64_t)k;
  const char *safe = rtprof_text_safe(in); /* protobuf strings are UTF-8 */
  pb_bytes(&pp->out, 6, safe, strlen(safe)); /* Profile.string_table */
  rtprof_map_put(&pp->str_index, (uintptr_t)in, pp->nstrs);
  return pp->nstrs++;
}

/* Function ids are 1-based: index + 1. */
static uint64_t function_id(pprof_t *pp, const char *name, const char *file) {
  uint64_t h = rtprof_hash64(rtprof_hash64(7, (uintptr_t)name), (uintptr_t)file);
  long k = rtprof_map_get(&pp->fn_index, h);
  while (k >= 0 && !(pp->fn_name[k] == name && pp->fn_file[k] == file)) k = pp->fn_next[k];
  if (k >= 0) return (uint64_t)k + 1;
  k = (long)pp->nfns++;
  rtprof_grow(&pp->fn_name, &pp->cap_fn_name, pp->nfns, sizeof *pp->fn_name);
  rtprof_grow(&pp->fn_file, &pp->cap_fn_file, pp->nfns, sizeof *pp->fn_file);
  rtprof_grow(&pp->fn_next, &pp->cap_fn_next, pp->nfns, sizeof *pp->fn_next);
  pp->fn_name[k] = name;
  pp->fn_file[k] = file;
  pp->fn_next[k] = rtprof_map_get(&pp->fn_index, h);
  rtprof_map_put(&pp->fn_index, h, (size_t)k);
  return (uint64_t)k + 1;
}

static bool same_frames(const rtprof_frame_t *a, const rtprof_frame_t *b, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (a[i].module != b[i].module || a[i].offset != b[i].offset || !rtprof_frame_equal(&a[i], &b[i]) ||
        a[i].function != b[i].function || a[i].file != b[i].file || a[i].line != b[i].line)
      return false;
  return true;
}

/* One return address and its inline chain (innermost first) is one Location;
 * ids are 1-based. */
static uint64_t location_id(pprof_t *pp, const rtprof_frame_t *f, uint32_t n) {
  uint64_t h = rtprof_hash64(n, f[0].module);
  h = rtprof_hash64(h, f[0].offset);
  for (uint32_t i = 0; i < n; i++)
    h = rtprof_hash64(rtprof_hash64(rtprof_hash64(h, (uintptr_t)f[i].function), (uintptr_t)f[i].file), f[i].line);
  long k = rtprof_map_get(&pp->loc_index, h);
  while (k >= 0 && !(pp->loc_nframes[k] == n && same_frames(pp->loc_frames[k], f, n))) k = pp->loc_next[k];
  if (k >= 0) return (uint64_t)k + 1;
  k = (long)pp->nlocs++;
  rtprof_grow(&pp->loc_frames, &pp->cap_loc_frames, pp->nlocs, sizeof *pp->loc_frames);
  rtprof_grow(&pp->loc_nframes, &pp->cap_loc_nframes, pp->nlocs, sizeof *pp->loc_nframes);
  rtprof_grow(&pp->loc_next, &pp->cap_loc_next, pp->nlocs, sizeof *pp->loc_next);
  pp->loc_frames[k] = f;
  pp->loc_nframes[k] = n;
  pp->loc_next[k] = rtprof_map_get(&pp->loc_index, h);
  rtprof_map_put(&pp->loc_index, h, (size_t)k);
  return (uint64_t)k + 1;
}

/* A site's stack as location ids, leaf first: frames grouped by return
 * address (a frame inlined into the next one shares its address). */
static void site_locations(pprof_t *pp, const rtprof_rsite_t *s) {
  pp->nids = 0;
  for (uint32_t k = 0; k < s->nframes;) {
    uint32_t j = k;
    while (j + 1 < s->nframes && s->frames[j].inlined) j++;
    rtprof_grow(&pp->ids, &pp->cap_ids, pp->nids + 1, sizeof *pp->ids);
    pp->ids[pp->nids++] = location_id(pp, &s->frames[k], j - k + 1);
    k = j + 1;
  }
}

/* Sample { location_id = 1 (packed); value = 2 (packed); label = 3 } */
static void write_sample(pprof_t *pp, uint64_t allocs, uint64_t bytes, int64_t live_blocks, int64_t live_bytes,
                         uint64_t site_id, const char *phase) {
  if (!allocs && !bytes && !live_blocks && !live_bytes) return;
  pbuf_t packed = {0};
  for (size_t i = 0; i < pp->nids; i++) pb_varint(&packed, pp->ids[i]);
  pb_bytes(&pp->msg, 1, packed.p, packed.n);
  packed.n = 0;
  pb_varint(&packed, allocs);
  pb_varint(&packed, bytes);
  pb_varint(&packed, (uint64_t)live_blocks);
  pb_varint(&packed, (uint64_t)live_bytes);
  pb_bytes(&pp->msg, 2, packed.p, packed.n);
  free(packed.p);
  if (site_id) { /* Label { key = 1; str = 2; num = 3 } */
    pb_int(&pp->sub, 1, (int64_t)str_id(pp, "site"));
    pb_int(&pp->sub, 3, (int64_t)site_id);
    pb_msg(&pp->msg, 3, &pp->sub);
  }
  if (phase) {
    pb_int(&pp->sub, 1, (int64_t)str_id(pp, "phase"));
    pb_int(&pp->sub, 2, (int64_t)str_id(pp, phase));
    pb_msg(&pp->msg, 3, &pp->sub);
  }
  pb_msg(&pp->out, 2, &pp->msg); /* Profile.sample */
}

static int64_t nonneg(int64_t v) { return v < 0 ? 0 : v; }

/* One sample per (site, innermost phase) pair labeled phase=PATH, and one
 * unlabeled for the rest of the site (blocks allocated outside every phase,
 * and those of pairs that did not fit the pair table). */
static void write_samples(pprof_t *pp) {
  const rtprof_model_t *m = pp->m;
  size_t *first = rtprof_xmalloc((m->nsites + 1) * sizeof *first); /* pairs per site: a linked list */
  size_t npairs = 0;
  for (size_t i = 0; i < m->nphases; i++) npairs += m->phases[i].npairs;
  size_t *next = rtprof_xmalloc((npairs + 1) * sizeof *next);
  const rtprof_rpair_t **pairs = rtprof_xmalloc((npairs + 1) * sizeof *pairs);
  const char **paths = rtprof_xmalloc((npairs + 1) * sizeof *paths);
  for (size_t i = 0; i < m->nsites; i++) first[i] = SIZE_MAX;
  size_t n = 0;
  for (size_t i = 0; i < m->nphases; i++)
    for (size_t k = 0; k < m->phases[i].npairs; k++) {
      const rtprof_rpair_t *p = &m->phases[i].pairs[k];
      if (p->site < 0) continue;
      pairs[n] = p;
      paths[n] = m->phases[i].path;
      next[n] = first[p->site];
      first[p->site] = n++;
    }
  size_t *idx = rtprof_model_sorted_sites(m, RTPROF_SORT_BYTES);
  for (size_t r = 0; r < m->nsites; r++) {
    size_t si = idx[r];
    const rtprof_rsite_t *s = &m->sites[si];
    site_locations(pp, s);
    uint64_t allocs = s->allocs, bytes = s->alloc_bytes, frees = s->frees, freed = s->freed_bytes;
    for (size_t k = first[si]; k != SIZE_MAX; k = next[k]) {
      const rtprof_rpair_t *p = pairs[k];
      write_sample(pp, p->allocs, p->alloc_bytes, nonneg(rtprof_delta_u64(p->frees, p->allocs)),
                   nonneg(rtprof_delta_u64(p->freed_bytes, p->alloc_bytes)), s->id, paths[k]);
      allocs -= allocs >= p->allocs ? p->allocs : allocs;
      bytes -= bytes >= p->alloc_bytes ? p->alloc_bytes : bytes;
      frees -= frees >= p->frees ? p->frees : frees;
      freed -= freed >= p->freed_bytes ? p->freed_bytes : freed;
    }
    write_sample(pp, allocs, bytes, nonneg(rtprof_delta_u64(frees, allocs)), nonneg(rtprof_delta_u64(freed, bytes)),
                 s->id, NULL);
  }
  free(idx);
  free(first);
  free(next);
  free(pairs);
  free(paths);
}

static void write_value_type(pprof_t *pp, uint32_t field, const char *type, const char *unit) {
  int64_t t = (int64_t)str_id(pp, type), u = (int64_t)str_id(pp, unit);
  pb_int(&pp->msg, 1, t);
  pb_int(&pp->msg, 2, u);
  pb_msg(&pp->out, field, &pp->msg);
}

/* Mapping { id = 1; memory_start = 2; memory_limit = 3; file_offset = 4;
 * filename = 5; build_id = 6; has_functions = 7 ... has_inline_frames = 10 } */
static void write_mappings(pprof_t *pp) {
  const rtprof_model_t *m = pp->m;
  const rtprof_symtab_t *st = m->st;
  size_t nm = st->nmods + 1;
  pp->map_base = rtprof_xcalloc(nm, sizeof *pp->map_base);
  pp->map_lo = rtprof_xcalloc(nm, sizeof *pp->map_lo);
  pp->map_hi = rtprof_xcalloc(nm, sizeof *pp->map_hi);
  pp->map_seen = rtprof_xcalloc(nm, sizeof *pp->map_seen);
  for (size_t di = 0; di < m->ndumps; di++)
    for (size_t j = 0; j < m->dumps[di].nmodules; j++) {
      uint32_t k = st->dump_mod[di][j];
      if (pp->map_seen[k]) continue;
      const rtprof_module_t *md = &m->dumps[di].modules[j];
      pp->map_seen[k] = true;
      pp->map_base[k] = md->base;
      pp->map_lo[k] = md->lo;
      pp->map_hi[k] = md->hi;
    }
  for (size_t k = 0; k < st->nmods; k++) {
    const rtprof_smodule_t *sm = &st->mods[k];
    int64_t file = (int64_t)str_id(pp, sm->path), bid = (int64_t)str_id(pp, sm->buildid);
    bool sym = sm->status == RTPROF_SYM_OK;
    pb_uint(&pp->msg, 1, k + 1);
    pb_uint(&pp->msg, 2, pp->map_lo[k]);
    pb_uint(&pp->msg, 3, pp->map_hi[k]);
    pb_uint(&pp->msg, 4, pp->map_lo[k] - pp->map_base[k]); /* the first PT_LOAD's vaddr: 0 for a PIE */
    pb_int(&pp->msg, 5, file);
    pb_int(&pp->msg, 6, bid);
    for (uint32_t f = 7; f <= 10; f++) pb_uint(&pp->msg, f, sym);
    pb_msg(&pp->out, 3, &pp->msg);
  }
}

/* Location { id = 1; mapping_id = 2; address = 3; line = 4 } with
 * Line { function_id = 1; line = 2 }, innermost first; Function { id = 1;
 * name = 2; system_name = 3; filename = 4 } after them. */
static void write_locations(pprof_t *pp) {
  for (size_t k = 0; k < pp->nlocs; k++) {
    const rtprof_frame_t *f = pp->loc_frames[k];
    pb_uint(&pp->msg, 1, k + 1);
    if (f[0].module != RTPROF_NO_MODULE) {
      pb_uint(&pp->msg, 2, (uint64_t)f[0].module + 1);
      pb_uint(&pp->msg, 3, pp->map_base[f[0].module] + f[0].offset); /* the call: return address - 1 */
    } else {
      pb_uint(&pp->msg, 3, f[0].offset);
    }
    for (uint32_t i = 0; i < pp->loc_nframes[k]; i++) {
      if (!f[i].function) continue; /* unknown: the address alone */
      const char *fn = f[i].function;
      if (f[i].named) { /* marked as in the text report */
        char buf[RTPROF_DUMP_MAX_NAME + 16];
        int len = snprintf(buf, sizeof buf, "%s (named)", fn);
        fn = rtprof_intern(buf, (size_t)len < sizeof buf ? (size_t)len : sizeof buf - 1);
      }
      pb_uint(&pp->sub, 1, function_id(pp, fn, f[i].file));
      pb_int(&pp->sub, 2, f[i].line);
      pb_msg(&pp->msg, 4, &pp->sub);
    }
    pb_msg(&pp->out, 4, &pp->msg);
  }
  for (size_t k = 0; k < pp->nfns; k++) {
    int64_t name = (int64_t)str_id(pp, pp->fn_name[k]), file = (int64_t)str_id(pp, pp->fn_file[k]);
    pb_uint(&pp->msg, 1, k + 1);
    pb_int(&pp->msg, 2, name);
    pb_int(&pp->msg, 3, name);
    pb_int(&pp->msg, 4, file);
    pb_msg(&pp->out, 5, &pp->msg);
  }
}

/* ---- gzip without compression (RFC 1952 around RFC 1951 stored blocks) ---- */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n) {
  static uint32_t table[256];
  if (!table[1])
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
  crc = ~crc;
  for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static void put_le32(FILE *out, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  fwrite(b, 1, 4, out);
}

static void write_gzip(FILE *out, const uint8_t *p, size_t n) {
  static const uint8_t head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}; /* deflate, no mtime, Unix */
  fwrite(head, 1, sizeof head, out);
  size_t off = 0;
  do {
    size_t len = n - off > 65535 ? 65535 : n - off;
    uint8_t block[5] = {off + len == n ? 1 : 0, (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)~len, (uint8_t)(~len >> 8)};
    fwrite(block, 1, sizeof block, out);
    if (len) fwrite(p + off, 1, len, out);
    off += len;
  } while (off < n);
  put_le32(out, crc32_update(0, p, n));
  put_le32(out, (uint32_t)n);
}

int rtprof_pprof_write(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o) {
  if (isatty(fileno(out))) {
    rtprof_error("report: --format pprof writes a binary profile: redirect it to a file (> run.pb.gz)");
    return -1;
  }
  pprof_t pp = {.m = m};
  str_id(&pp, ""); /* string_table[0] must be "" */
  /* Profile.sample_type = 1: what each sample's values are */
  write_value_type(&pp, 1, "alloc_objects", "count");
  write_value_type(&pp, 1, "alloc_space", "bytes");
  write_value_type(&pp, 1, "inuse_objects", "count");
  write_value_type(&pp, 1, "inuse_space", "bytes");
  write_samples(&pp);
  rtprof_frame_t overflow = {.function = rtprof_intern(OVERFLOW_FUNCTION, strlen(OVERFLOW_FUNCTION)),
                             .module = RTPROF_NO_MODULE};
  const rtprof_overflow_t *ov = &m->overflow;
  if (ov->allocs || ov->alloc_bytes) { /* every byte counted: what the site table could not hold */
    pp.nids = 0;
    rtprof_grow(&pp.ids, &pp.cap_ids, 1, sizeof *pp.ids);
    pp.ids[pp.nids++] = location_id(&pp, &overflow, 1);
    write_sample(&pp, ov->allocs, ov->alloc_bytes, nonneg(rtprof_delta_u64(ov->frees, ov->allocs)),
                 nonneg(rtprof_delta_u64(ov->freed_bytes, ov->alloc_bytes)), 0, NULL);
  }
  write_mappings(&pp);
  write_locations(&pp);
  const rtprof_dump_t *d0 = &m->dumps[0];
  pb_int(&pp.out, 9, (int64_t)d0->start_ns);                                     /* time_nanos */
  pb_int(&pp.out, 10, rtprof_delta_u64(d0->start_ns, d0->dump_ns));             /* duration_nanos */
  write_value_type(&pp, 11, "space", "bytes");                                    /* period_type */
  pb_int(&pp.out, 12, 1);                                                         /* period: every allocation */
  char comment[512];
  snprintf(comment, sizeof comment, "rtprof report --format pprof: %s, %zu dump%s", d0->exe, m->ndumps,
           m->ndumps == 1 ? "" : "s");
  pb_int(&pp.out, 13, (int64_t)str_id(&pp, comment));
  pb_int(&pp.out, 14, (int64_t)str_id(&pp, o->sort == RTPROF_SORT_COUNT  ? "alloc_objects"
                                           : o->sort == RTPROF_SORT_LIVE ? "inuse_space"
                                                                         : "alloc_space"));
  write_gzip(out, pp.out.p, pp.out.n);
  free(pp.out.p);
  free(pp.msg.p);
  free(pp.sub.p);
  free(pp.ids);
  free(pp.fn_next);
  free(pp.fn_name);
  free(pp.fn_file);
  free(pp.loc_next);
  free(pp.loc_frames);
  free(pp.loc_nframes);
  free(pp.map_base);
  free(pp.map_lo);
  free(pp.map_hi);
  free(pp.map_seen);
  rtprof_map_free(&pp.str_index);
  rtprof_map_free(&pp.fn_index);
  rtprof_map_free(&pp.loc_index);
  return 0;
}
