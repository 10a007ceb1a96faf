/* Turns the dumps' return addresses into frames: each address goes to the
 * module whose [lo, hi) holds ra-1 (one binary search over the module map's
 * segments, however the modules overlap), then to its file at ra-1-base (the
 * sites' frames and the `call` of each heap-misuse record alike). Modules
 * are shared between dumps by (path, build-id), and paths naming one file
 * share its answers. Only referenced files are opened; each is checked
 * against its build-id on disk, symbolized by one addr2line process (on its
 * separate debug file when one is installed), and its names kept only inside
 * the extent of a symbol of that name. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resolve/resolve.h"

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* ---- the module map: which module owns an address --------------------------
 * A dump's modules may overlap (a crafted dump, or a map read mid-dlopen):
 * the address space is cut at every lo and hi into segments, and each
 * segment goes to the module with the highest lo holding it (the lowest id
 * among equals). One binary search per address, however the modules lie. */
typedef struct by_lo_s { uint64_t lo; uint32_t id; } by_lo_t;
static int cmp_by_lo_desc(const void *a, const void *b) {
  const by_lo_t *x = a, *y = b;
  if (x->lo != y->lo) return x->lo > y->lo ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* The address a frame's code is at: a return address's call is at ra - 1;
 * an exact address (a function's entry) is itself. */
static uint64_t code_address(uint64_t v, uint8_t kind) { return kind == RTPROF_FRAME_EXACT ? v : v - 1; }

static size_t uf_find(size_t *next, size_t i) { /* the first unpainted segment >= i */
  size_t r = i;
  while (next[r] != r) r = next[r];
  while (next[i] != r) {
    size_t n = next[i];
    next[i] = r;
    i = n;
  }
  return r;
}

static size_t build_segments(const rtprof_dump_t *d, rtprof_segment_t **out) {
  size_t nb = 0;
  uint64_t *b = rtprof_xcalloc(2 * d->nmodules + 1, sizeof *b);
  for (size_t i = 0; i < d->nmodules; i++)
    if (d->modules[i].lo < d->modules[i].hi) {
      b[nb++] = d->modules[i].lo;
      b[nb++] = d->modules[i].hi;
    }
  qsort(b, nb, sizeof *b, cmp_u64);
  size_t u = 0;
  for (size_t i = 0; i < nb; i++)
    if (u == 0 || b[i] != b[u - 1]) b[u++] = b[i];
  rtprof_segment_t *seg = rtprof_xcalloc(u + 1, sizeof *seg);
  size_t *next = rtprof_xcalloc(u + 1, sizeof *next);
  for (size_t i = 0; i <= u; i++) {
    seg[i] = (rtprof_segment_t){i < u ? b[i] : 0, -1};
    next[i] = i;
  }
  by_lo_t *order = rtprof_xcalloc(d->nmodules + 1, sizeof *order);
  for (size_t i = 0; i < d->nmodules; i++) order[i] = (by_lo_t){d->modules[i].lo, (uint32_t)i};
  qsort(order, d->nmodules, sizeof *order, cmp_by_lo_desc);
  for (size_t k = 0; k < d->nmodules; k++) { /* highest lo first: it keeps what it paints */
    const rtprof_module_t *m = &d->modules[order[k].id];
    if (m->lo >= m->hi) continue;
    size_t lo = 0, hi = u;
    while (lo < hi) { /* the segment starting at m->lo */
      size_t mid = lo + (hi - lo) / 2;
      if (b[mid] < m->lo) lo = mid + 1;
      else hi = mid;
    }
    for (size_t i = uf_find(next, lo); i + 1 <= u && b[i] < m->hi; i = uf_find(next, i)) {
      seg[i].module = order[k].id;
      next[i] = i + 1;
    }
  }
  free(order);
  free(next);
  free(b);
  *out = seg;
  return u;
}

/* The module of dump di that holds address x, or -1. */
static long find_module(const rtprof_symtab_t *st, size_t di, uint64_t x) {
  const rtprof_segment_t *seg = st->dump_segs[di];
  size_t lo = 0, hi = st->dump_nsegs[di];
  while (lo < hi) { /* last segment starting at or below x */
    size_t mid = lo + (hi - lo) / 2;
    if (seg[mid].start <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? seg[lo - 1].module : -1;
}

static uint32_t module_key(rtprof_symtab_t *st, const rtprof_module_t *m) {
  for (size_t i = 0; i < st->nmods; i++) /* interned: compare pointers */
    if (st->mods[i].path == m->path && st->mods[i].buildid == m->buildid) return (uint32_t)i;
  rtprof_grow(&st->mods, &st->cap_mods, st->nmods + 1, sizeof *st->mods);
  rtprof_smodule_t *sm = &st->mods[st->nmods];
  memset(sm, 0, sizeof *sm);
  sm->path = m->path;
  sm->buildid = m->buildid;
  sm->file = (uint32_t)st->nmods;
  return (uint32_t)st->nmods++;
}

static char *xasprintf(const char *fmt, const char *a, const char *b) {
  size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
  char *s = rtprof_xmalloc(n);
  snprintf(s, n, fmt, a, b);
  return s;
}

/* ---- the extent check -------------------------------------------------------
 * addr2line names the nearest symbol below an address whatever its size. A
 * name is kept only when it is one of the function symbols whose extent holds
 * the address. addr2line demangles (-C) while the table holds mangled names,
 * and GCC's clones carry a suffix ("f.isra.0", "f.cold"): both are matched. */
static bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The demangled name's last component, without its template arguments,
 * parameters or "~" ("ns::Foo<int>::~Foo(int) const" → "Foo"). Returns its
 * length, 0 when it is not a plain identifier (an operator, a lambda). */
static size_t last_component(const char *name, const char **out) {
  size_t n = strlen(name), depth = 0, end = n;
  for (size_t i = 0; i < n; i++) { /* the top-level '(' ends the qualified name */
    if (name[i] == '<') depth++;
    else if (name[i] == '>' && depth) depth--;
    else if (name[i] == '(' && depth == 0 && i > 0) {
      end = i;
      break;
    }
  }
  size_t e = end;
  while (e > 0 && name[e - 1] == '>') { /* drop trailing template arguments */
    size_t d = 0, i = e;
    while (i > 0) {
      i--;
      if (name[i] == '>') d++;
      else if (name[i] == '<' && --d == 0) break;
    }
    if (d) return 0;
    e = i;
  }
  size_t b = e;
  while (b > 0 && is_ident_char(name[b - 1])) b--;
  if (b == e || (b > 0 && name[b - 1] != ':' && name[b - 1] != '~' && name[b - 1] != ' ')) return 0;
  if (e - b >= 8 && memcmp(name + b, "operator", 8) == 0) return 0;
  *out = name + b;
  return e - b;
}

static bool name_matches(const char *a2l, const char *sym) {
  if (strcmp(a2l, sym) == 0) return true;
  size_t base = strcspn(sym, ".@"); /* "f.isra.0", "f.cold", "memcpy@@GLIBC_2.14" */
  if (strlen(a2l) == base && strncmp(a2l, sym, base) == 0) return true;
  if (strncmp(sym, "_Z", 2) != 0) return false;
  for (const char *op = strstr(a2l, "operator"); op; op = strstr(op + 1, "operator"))
    if ((op == a2l || !is_ident_char(op[-1])) && !is_ident_char(op[8]))
      return true; /* "operator new(unsigned long)": inside a C++ symbol, not checked further */
  const char *id;
  size_t len = last_component(a2l, &id);
  if (len == 0) return strchr(a2l, '(') != NULL; /* an operator or lambda inside a C++ symbol */
  char want[32];
  snprintf(want, sizeof want, "%zu", len);
  for (const char *p = strstr(sym, want); p; p = strstr(p + 1, want)) /* <length><identifier> */
    if (!(p > sym && p[-1] >= '0' && p[-1] <= '9') && strncmp(p + strlen(want), id, len) == 0) return true;
  return false;
}

/* Drops the outermost (not inlined) function name of each answer unless a
 * symbol whose extent holds its offset has that name. Inlined frames keep
 * theirs: DWARF names them. */
static void check_extents(rtprof_symtab_t *st, rtprof_smodule_t *sm, const char *symfile) {
  rtprof_elf_funcs_t funcs;
  rtprof_elf_funcs(symfile, &funcs);
  if (funcs.n == 0 && symfile != sm->path) {
    rtprof_elf_funcs_free(&funcs);
    rtprof_elf_funcs(sm->path, &funcs);
  }
  const char *names[16];
  for (size_t j = 0; j < sm->nqueried; j++) {
    if (!sm->loc_count[j]) continue;
    rtprof_loc_t *outer = &st->locs[sm->loc_first[j] + sm->loc_count[j] - 1];
    if (!outer->function) continue;
    size_t k = rtprof_elf_funcs_at(&funcs, sm->queried[j], names, sizeof names / sizeof *names);
    bool ok = false;
    for (size_t i = 0; i < k && !ok; i++) ok = name_matches(outer->function, names[i]);
    if (!ok) outer->function = NULL;
  }
  rtprof_elf_funcs_free(&funcs);
}

/* Build-id check of one file, then addr2line over all its offsets (on its
 * separate debug file when one is installed), then the extent check. */
static void symbolize_module(rtprof_symtab_t *st, rtprof_smodule_t *sm) {
  char *hex = NULL;
  if (sm->path[0] != '/') { /* "linux-vdso.so.1": no file; never look in the cwd */
    sm->status = RTPROF_SYM_NOT_FOUND;
    return;
  }
  switch (rtprof_elf_build_id(sm->path, &hex)) {
  case RTPROF_ELF_NOT_FOUND:
    sm->status = RTPROF_SYM_NOT_FOUND;
    return;
  case RTPROF_ELF_UNREADABLE:
    sm->status = RTPROF_SYM_UNREADABLE;
    return;
  case RTPROF_ELF_NOT_ELF:
    sm->status = RTPROF_SYM_NOT_ELF;
    return;
  case RTPROF_ELF_NOT_REGULAR:
    sm->status = RTPROF_SYM_NOT_REGULAR;
    return;
  case RTPROF_ELF_OK:
    break;
  }
  bool same = (!hex && !sm->buildid) || (hex && sm->buildid && strcmp(hex, sm->buildid) == 0);
  if (!same) {
    sm->status = RTPROF_SYM_MISMATCH;
    sm->detail = xasprintf("dump has %s, file has %s", sm->buildid ? sm->buildid : "none", hex ? hex : "none");
    free(hex);
    return;
  }
  free(hex);
  sm->loc_first = rtprof_xcalloc(sm->nqueried, sizeof *sm->loc_first);
  sm->loc_count = rtprof_xcalloc(sm->nqueried, sizeof *sm->loc_count);
  sm->debug = rtprof_elf_debug_file(sm->path, sm->buildid);
  const char *file = sm->debug ? sm->debug : sm->path;
  char err[512];
  if (rtprof_addr2line(st->addr2line, file, sm->queried, sm->nqueried, sm->loc_first, sm->loc_count,
                       &st->locs, &st->nlocs, &st->cap_locs, err, sizeof err)) {
    sm->status = RTPROF_SYM_A2L_FAILED;
    sm->detail = rtprof_xstrndup(err, strlen(err));
    memset(sm->loc_count, 0, sm->nqueried * sizeof *sm->loc_count);
    rtprof_warn("cannot symbolize %s: %s", sm->path, err);
    return;
  }
  check_extents(st, sm, file);
}

/* ---- one addr2line per file, however many spellings name it ----------------- */
typedef struct file_id_s { dev_t dev; ino_t ino; const char *buildid; uint32_t mod; } file_id_t;
static int cmp_file_id(const void *a, const void *b) {
  const file_id_t *x = a, *y = b;
  if (x->dev != y->dev) return x->dev < y->dev ? -1 : 1;
  if (x->ino != y->ino) return x->ino < y->ino ? -1 : 1;
  if (x->buildid != y->buildid) return (uintptr_t)x->buildid < (uintptr_t)y->buildid ? -1 : 1;
  return x->mod < y->mod ? -1 : x->mod > y->mod;
}

static void sort_unique(uint64_t *v, size_t *n) {
  if (*n > 1) qsort(v, *n, sizeof *v, cmp_u64);
  size_t u = 0;
  for (size_t j = 0; j < *n; j++)
    if (u == 0 || v[j] != v[u - 1]) v[u++] = v[j];
  *n = u;
}

/* Paths that name one file (by device and inode, with the same build-id)
 * share the first one's addr2line: its queried offsets are theirs too. Only
 * referenced modules are looked at; stat() opens nothing. */
static void group_files(rtprof_symtab_t *st) {
  file_id_t *ids = rtprof_xcalloc(st->nmods + 1, sizeof *ids);
  size_t n = 0;
  for (size_t i = 0; i < st->nmods; i++) {
    rtprof_smodule_t *sm = &st->mods[i];
    struct stat s;
    if (sm->noffsets && sm->path[0] == '/' && stat(sm->path, &s) == 0)
      ids[n++] = (file_id_t){s.st_dev, s.st_ino, sm->buildid, (uint32_t)i};
  }
  qsort(ids, n, sizeof *ids, cmp_file_id);
  for (size_t i = 1; i < n; i++)
    if (ids[i].dev == ids[i - 1].dev && ids[i].ino == ids[i - 1].ino && ids[i].buildid == ids[i - 1].buildid)
      st->mods[ids[i].mod].file = st->mods[ids[i - 1].mod].file;
  free(ids);
  size_t *need = rtprof_xcalloc(st->nmods + 1, sizeof *need);
  for (size_t i = 0; i < st->nmods; i++) need[st->mods[i].file] += st->mods[i].noffsets;
  for (size_t i = 0; i < st->nmods; i++) /* each file queries all its spellings' offsets */
    if (need[i]) st->mods[i].queried = rtprof_xcalloc(need[i], sizeof *st->mods[i].queried);
  free(need);
}

void rtprof_symbolize(rtprof_symtab_t *st, rtprof_dump_t *dumps, size_t ndumps) {
  if (!st->addr2line) st->addr2line = "addr2line";
  st->dump_mod = rtprof_xcalloc(ndumps, sizeof *st->dump_mod);
  st->dump_segs = rtprof_xcalloc(ndumps, sizeof *st->dump_segs);
  st->dump_nsegs = rtprof_xcalloc(ndumps, sizeof *st->dump_nsegs);
  st->ndumps = ndumps;
  uint64_t *nomod = NULL;
  size_t nnomod = 0, cap_nomod = 0;
  for (size_t di = 0; di < ndumps; di++) {
    rtprof_dump_t *d = &dumps[di];
    st->dump_mod[di] = rtprof_xcalloc(d->nmodules, sizeof **st->dump_mod);
    for (size_t i = 0; i < d->nmodules; i++) st->dump_mod[di][i] = module_key(st, &d->modules[i]);
    st->dump_nsegs[di] = build_segments(d, &st->dump_segs[di]);
    for (size_t f = 0; f < d->nframes + d->nerrors; f++) { /* site frames, then bad calls */
      uint64_t ra = f < d->nframes ? d->frames[f] : d->errors[f - d->nframes].call;
      uint8_t kind = f < d->nframes ? d->frame_kinds[f] : RTPROF_FRAME_RA;
      if (kind == RTPROF_FRAME_NAMED) continue; /* named by the program itself */
      long mi = ra ? find_module(st, di, code_address(ra, kind)) : -1;
      if (mi < 0) {
        rtprof_grow(&nomod, &cap_nomod, nnomod + 1, sizeof *nomod);
        nomod[nnomod++] = ra;
        continue;
      }
      rtprof_smodule_t *sm = &st->mods[st->dump_mod[di][mi]];
      rtprof_grow(&sm->offsets, &sm->cap_offsets, sm->noffsets + 1, sizeof *sm->offsets);
      sm->offsets[sm->noffsets++] = code_address(ra, kind) - d->modules[mi].base;
    }
  }
  sort_unique(nomod, &nnomod);
  st->no_module = nnomod;
  free(nomod);
  for (size_t i = 0; i < st->nmods; i++) sort_unique(st->mods[i].offsets, &st->mods[i].noffsets);
  group_files(st);
  for (size_t i = 0; i < st->nmods; i++) { /* each file's queries: the union of its spellings' */
    rtprof_smodule_t *sm = &st->mods[i], *f = &st->mods[sm->file];
    if (sm->noffsets) memcpy(f->queried + f->nqueried, sm->offsets, sm->noffsets * sizeof *sm->offsets);
    f->nqueried += sm->noffsets;
  }
  for (size_t i = 0; i < st->nmods; i++) {
    rtprof_smodule_t *sm = &st->mods[i];
    if (sm->file != i || sm->nqueried == 0) continue; /* unreferenced: never opened */
    sort_unique(sm->queried, &sm->nqueried);
    symbolize_module(st, sm);
  }
  for (size_t i = 0; i < st->nmods; i++) {
    rtprof_smodule_t *sm = &st->mods[i];
    const rtprof_smodule_t *f = &st->mods[sm->file];
    if (sm->file != i) {
      sm->status = f->status;
      if (f->detail) sm->detail = rtprof_xstrndup(f->detail, strlen(f->detail));
    }
    for (size_t j = 0; j < sm->noffsets; j++) {
      long q = rtprof_symtab_lookup(st, f, sm->offsets[j]);
      bool ok = sm->status == RTPROF_SYM_OK && q >= 0 && f->loc_count[q] > 0 &&
                st->locs[f->loc_first[q]].file && st->locs[f->loc_first[q]].line;
      if (!ok) sm->unresolved++;
    }
    st->addresses += sm->noffsets;
    st->resolved += sm->noffsets - sm->unresolved;
  }
  st->addresses += st->no_module;
}

long rtprof_symtab_lookup(const rtprof_symtab_t *st, const rtprof_smodule_t *f, uint64_t off) {
  (void)st;
  if (!f->loc_count) return -1;
  size_t lo = 0, hi = f->nqueried;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (f->queried[mid] < off) lo = mid + 1;
    else hi = mid;
  }
  return lo < f->nqueried && f->queried[lo] == off ? (long)lo : -1;
}

size_t rtprof_symbolize_frame(const rtprof_symtab_t *st, const rtprof_dump_t *dumps, size_t di,
                              uint64_t ra, uint8_t kind, rtprof_frame_t *out, size_t max) {
  const rtprof_dump_t *d = &dumps[di];
  memset(out, 0, sizeof *out);
  if (kind == RTPROF_FRAME_NAMED) {
    const rtprof_name_t *nm = &d->names[ra];
    out->function = nm->function;
    out->file = nm->file;
    out->line = nm->line;
    out->module = RTPROF_NO_MODULE;
    out->status = RTPROF_SYM_OK;
    out->named = true;
    return 1;
  }
  long mi = ra ? find_module(st, di, code_address(ra, kind)) : -1;
  if (mi < 0) {
    out->module = RTPROF_NO_MODULE;
    out->offset = ra;
    out->status = RTPROF_SYM_NO_MODULE;
    return 1;
  }
  uint32_t key = st->dump_mod[di][mi];
  const rtprof_smodule_t *sm = &st->mods[key];
  out->module = key;
  out->offset = code_address(ra, kind) - d->modules[mi].base;
  out->status = sm->status;
  if (sm->status != RTPROF_SYM_OK) return 1;
  const rtprof_smodule_t *f = &st->mods[sm->file];
  long j = rtprof_symtab_lookup(st, f, out->offset);
  if (j < 0 || f->loc_count[j] == 0) {
    out->status = RTPROF_SYM_NO_SYMBOLS;
    return 1;
  }
  size_t n = f->loc_count[j] < max ? f->loc_count[j] : max;
  for (size_t k = 0; k < n; k++) {
    const rtprof_loc_t *l = &st->locs[f->loc_first[j] + k];
    rtprof_frame_t *f = &out[k];
    *f = out[0];
    f->function = l->function;
    f->file = l->file;
    f->line = l->line;
    f->inlined = k + 1 < n;
    f->status = l->file && l->line ? RTPROF_SYM_OK : l->function ? RTPROF_SYM_NO_LINE : RTPROF_SYM_NO_SYMBOLS;
  }
  return n;
}

const char *rtprof_sym_reason(rtprof_sym_status_t s) {
  static const char *const reasons[RTPROF_SYM_STATUS_LAST] = {
      [RTPROF_SYM_OK] = "resolved",
      [RTPROF_SYM_NO_LINE] = "no line info",
      [RTPROF_SYM_NO_SYMBOLS] = "no symbol",
      [RTPROF_SYM_NO_MODULE] = "no module",
      [RTPROF_SYM_NOT_FOUND] = "file not found",
      [RTPROF_SYM_UNREADABLE] = "file not readable",
      [RTPROF_SYM_NOT_ELF] = "not an ELF file",
      [RTPROF_SYM_MISMATCH] = "build-id mismatch",
      [RTPROF_SYM_A2L_FAILED] = "addr2line failed",
      [RTPROF_SYM_NOT_REGULAR] = "not a regular file",
  };
  return s < RTPROF_SYM_STATUS_LAST ? reasons[s] : "?";
}

void rtprof_frame_label(const rtprof_symtab_t *st, const rtprof_frame_t *f, char *out, size_t n,
                        bool with_reason) {
  if (f->named) { /* like a symbolized frame, marked */
    if (f->file && f->line) snprintf(out, n, "%s %s:%u (named)", f->function, f->file, f->line);
    else if (f->file) snprintf(out, n, "%s %s (named)", f->function, f->file);
    else snprintf(out, n, "%s (named)", f->function);
    return;
  }
  if (f->module == RTPROF_NO_MODULE) {
    snprintf(out, n, "0x%llx%s", (unsigned long long)f->offset, with_reason ? " (no module)" : "");
    return;
  }
  const char *path = st->mods[f->module].path;
  const char *base = rtprof_basename(path);
  if (f->file) {
    if (f->line) snprintf(out, n, "%s %s:%u", f->function ? f->function : "??", f->file, f->line);
    else snprintf(out, n, "%s %s", f->function ? f->function : "??", f->file);
    return;
  }
  char reason[512] = "";
  if (with_reason) {
    if (f->status == RTPROF_SYM_MISMATCH)
      snprintf(reason, sizeof reason, " (build-id mismatch: %s was rebuilt)", path);
    else
      snprintf(reason, sizeof reason, " (%s)", rtprof_sym_reason((rtprof_sym_status_t)f->status));
  }
  if (f->function) snprintf(out, n, "%s %s+0x%llx%s", f->function, base, (unsigned long long)f->offset, reason);
  else snprintf(out, n, "%s+0x%llx%s", base, (unsigned long long)f->offset, reason);
}

void rtprof_symtab_free(rtprof_symtab_t *st) {
  for (size_t i = 0; i < st->nmods; i++) {
    free(st->mods[i].offsets);
    free(st->mods[i].queried);
    free(st->mods[i].debug);
    free(st->mods[i].loc_first);
    free(st->mods[i].loc_count);
    free(st->mods[i].detail);
  }
  free(st->mods);
  free(st->locs);
  for (size_t i = 0; i < st->ndumps; i++) {
    free(st->dump_mod[i]);
    free(st->dump_segs[i]);
  }
  free(st->dump_mod);
  free(st->dump_segs);
  free(st->dump_nsegs);
  memset(st, 0, sizeof *st);
}
