/* Turns the dumps' return addresses into frames: each address goes to the
 * module whose [lo, hi) holds ra-1, then to its file at ra-1-base (the sites'
 * frames and the `call` of each heap-misuse record alike). Files are
 * shared between dumps by (path, build-id); each is checked against its
 * build-id on disk and then symbolized by one addr2line process. */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "resolve/resolve.h"

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int cmp_module_lo(const void *a, const void *b, void *dump) {
  const rtprof_dump_t *d = dump;
  uint64_t x = d->modules[*(const uint32_t *)a].lo;
  uint64_t y = d->modules[*(const uint32_t *)b].lo;
  return x < y ? -1 : x > y;
}

/* The module of dump d that holds address x, or -1. order: the module ids
 * sorted by lo, followed by one flag: do some modules overlap? */
/* The address a frame's code is at: a return address's call is at ra - 1;
 * an exact address (a function's entry) is itself. */
static uint64_t code_address(uint64_t v, uint8_t kind) { return kind == RTPROF_FRAME_EXACT ? v : v - 1; }

static long find_module(const rtprof_dump_t *d, const uint32_t *order, uint64_t x) {
  size_t lo = 0, hi = d->nmodules;
  while (lo < hi) { /* last module with lo <= x */
    size_t mid = lo + (hi - lo) / 2;
    if (d->modules[order[mid]].lo <= x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0) {
    const rtprof_module_t *m = &d->modules[order[lo - 1]];
    if (x < m->hi) return order[lo - 1];
  }
  if (!order[d->nmodules]) return -1;
  for (size_t i = 0; i < d->nmodules; i++) /* overlapping maps: rare, slow path */
    if (d->modules[i].lo <= x && x < d->modules[i].hi) return (long)i;
  return -1;
}

static uint32_t module_key(rtprof_symtab_t *st, const rtprof_module_t *m) {
  for (size_t i = 0; i < st->nmods; i++) /* interned: compare pointers */
    if (st->mods[i].path == m->path && st->mods[i].buildid == m->buildid) return (uint32_t)i;
  rtprof_grow(&st->mods, &st->cap_mods, st->nmods + 1, sizeof *st->mods);
  rtprof_smodule_t *sm = &st->mods[st->nmods];
  memset(sm, 0, sizeof *sm);
  sm->path = m->path;
  sm->buildid = m->buildid;
  return (uint32_t)st->nmods++;
}

static char *xasprintf(const char *fmt, const char *a, const char *b) {
  size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
  char *s = rtprof_xmalloc(n);
  snprintf(s, n, fmt, a, b);
  return s;
}

/* Build-id check of one file, then addr2line over all its offsets. */
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
  if (sm->noffsets == 0) return;
  sm->loc_first = rtprof_xcalloc(sm->noffsets, sizeof *sm->loc_first);
  sm->loc_count = rtprof_xcalloc(sm->noffsets, sizeof *sm->loc_count);
  char err[512];
  if (rtprof_addr2line(st->addr2line, sm->path, sm->offsets, sm->noffsets, sm->loc_first, sm->loc_count,
                       &st->locs, &st->nlocs, &st->cap_locs, err, sizeof err)) {
    sm->status = RTPROF_SYM_A2L_FAILED;
    sm->detail = rtprof_xstrndup(err, strlen(err));
    memset(sm->loc_count, 0, sm->noffsets * sizeof *sm->loc_count);
    rtprof_warn("cannot symbolize %s: %s", sm->path, err);
  }
}

void rtprof_symbolize(rtprof_symtab_t *st, rtprof_dump_t *dumps, size_t ndumps) {
  if (!st->addr2line) st->addr2line = "addr2line";
  st->dump_mod = rtprof_xcalloc(ndumps, sizeof *st->dump_mod);
  st->dump_order = rtprof_xcalloc(ndumps, sizeof *st->dump_order);
  st->ndumps = ndumps;
  uint64_t *nomod = NULL;
  size_t nnomod = 0, cap_nomod = 0;
  for (size_t di = 0; di < ndumps; di++) {
    rtprof_dump_t *d = &dumps[di];
    st->dump_mod[di] = rtprof_xcalloc(d->nmodules, sizeof **st->dump_mod);
    uint32_t *order = st->dump_order[di] = rtprof_xcalloc(d->nmodules + 1, sizeof *order);
    for (size_t i = 0; i < d->nmodules; i++) {
      st->dump_mod[di][i] = module_key(st, &d->modules[i]);
      order[i] = (uint32_t)i;
    }
    qsort_r(order, d->nmodules, sizeof *order, cmp_module_lo, d);
    for (size_t i = 1; i < d->nmodules; i++)
      if (d->modules[order[i]].lo < d->modules[order[i - 1]].hi) order[d->nmodules] = 1;
    for (size_t f = 0; f < d->nframes + d->nerrors; f++) { /* site frames, then bad calls */
      uint64_t ra = f < d->nframes ? d->frames[f] : d->errors[f - d->nframes].call;
      uint8_t kind = f < d->nframes ? d->frame_kinds[f] : RTPROF_FRAME_RA;
      if (kind == RTPROF_FRAME_NAMED) continue; /* named by the program itself */
      long mi = ra ? find_module(d, order, code_address(ra, kind)) : -1;
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
  if (nnomod > 1) qsort(nomod, nnomod, sizeof *nomod, cmp_u64);
  for (size_t i = 0; i < nnomod; i++) st->no_module += i == 0 || nomod[i] != nomod[i - 1];
  free(nomod);
  for (size_t i = 0; i < st->nmods; i++) {
    rtprof_smodule_t *sm = &st->mods[i];
    if (sm->noffsets > 1) qsort(sm->offsets, sm->noffsets, sizeof *sm->offsets, cmp_u64);
    size_t u = 0;
    for (size_t j = 0; j < sm->noffsets; j++)
      if (u == 0 || sm->offsets[j] != sm->offsets[u - 1]) sm->offsets[u++] = sm->offsets[j];
    sm->noffsets = u;
    symbolize_module(st, sm);
    for (size_t j = 0; j < sm->noffsets; j++) {
      bool ok = sm->status == RTPROF_SYM_OK && sm->loc_count[j] > 0 &&
                st->locs[sm->loc_first[j]].file && st->locs[sm->loc_first[j]].line;
      if (!ok) sm->unresolved++;
    }
    st->addresses += sm->noffsets;
    st->resolved += sm->noffsets - sm->unresolved;
  }
  st->addresses += st->no_module;
}

static long find_offset(const rtprof_smodule_t *sm, uint64_t off) {
  size_t lo = 0, hi = sm->noffsets;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (sm->offsets[mid] < off) lo = mid + 1;
    else hi = mid;
  }
  return lo < sm->noffsets && sm->offsets[lo] == off ? (long)lo : -1;
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
  long mi = ra ? find_module(d, st->dump_order[di], code_address(ra, kind)) : -1;
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
  long j = find_offset(sm, out->offset);
  if (j < 0 || sm->loc_count[j] == 0) {
    out->status = RTPROF_SYM_NO_SYMBOLS;
    return 1;
  }
  size_t n = sm->loc_count[j] < max ? sm->loc_count[j] : max;
  for (size_t k = 0; k < n; k++) {
    const rtprof_loc_t *l = &st->locs[sm->loc_first[j] + k];
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
      [RTPROF_SYM_NO_SYMBOLS] = "no symbols",
      [RTPROF_SYM_NO_MODULE] = "no module",
      [RTPROF_SYM_NOT_FOUND] = "file not found",
      [RTPROF_SYM_UNREADABLE] = "file not readable",
      [RTPROF_SYM_NOT_ELF] = "not an ELF file",
      [RTPROF_SYM_MISMATCH] = "build-id mismatch",
      [RTPROF_SYM_A2L_FAILED] = "addr2line failed",
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
    free(st->mods[i].loc_first);
    free(st->mods[i].loc_count);
    free(st->mods[i].detail);
  }
  free(st->mods);
  free(st->locs);
  for (size_t i = 0; i < st->ndumps; i++) {
    free(st->dump_mod[i]);
    free(st->dump_order[i]);
  }
  free(st->dump_mod);
  free(st->dump_order);
  memset(st, 0, sizeof *st);
}
