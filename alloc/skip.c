/* Which function a code address belongs to, decided in the process: for
 * RTPROF_SKIP (frames in allocation wrappers are walked past at capture
 * time) and for rt_*_at sites given as a function's entry address. Each new
 * address is resolved once, against the ELF symbol tables of its module
 * (.symtab, a -dbgsym .symtab, else .dynsym, of the file mapped read-only),
 * names are matched with ere.c, and the answer is cached in a lock-free
 * table. None of it calls malloc: tables in the profiler's own memory
 * (osmem.c), files mapped. A name is only trusted when the address lies
 * inside that symbol's extent (start, size). */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The built-in RTPROF_SKIP: functions whose only job is to allocate for
 * their caller, so the caller is the site that matters.
 *  _Znwm… _Znam…      C++ operator new / new[], every overload (libstdc++)
 *  strdup strndup wcsdup (and glibc's __ aliases): copy a caller's string
 *  getdelim getline   grow the caller's line buffer
 *  __libc_reallocarray, __libc_scratch_buffer_*, __libc_dynarray_*,
 *  __libc_alloc_buffer_*: glibc's internal growable-buffer helpers, called
 *                     by the libc function that needs the memory
 *  g_malloc … g_slice_alloc0, g_strdup …: GLib's allocation wrappers, which
 *                     only forward to malloc (abort on failure, zero, count)
 * Matched against the symbol's name as the ELF table has it (C++ mangled). */
#define RT_SKIP_DEFAULT                                                                     \
  "^(_Zn[wa]m.*|strdup|__strdup|strndup|__strndup|wcsdup|getdelim|__getdelim|getline"        \
  "|__libc_reallocarray|__libc_scratch_buffer_(grow|grow_preserve|set_array_size|dupfree)"   \
  "|__libc_dynarray_(emplace_enlarge|resize|resize_clear|finalize)"                          \
  "|__libc_alloc_buffer_(allocate|alloc_array|copy_bytes|copy_string)"                       \
  "|g_(malloc|malloc0|malloc_n|malloc0_n|realloc|realloc_n|try_malloc|try_malloc0"           \
  "|try_malloc_n|try_malloc0_n|try_realloc|try_realloc_n|strdup|strndup|memdup|memdup2"      \
  "|slice_alloc|slice_alloc0))$"

#define RT_SYM_MODULES 1024      /* modules whose symbols are loaded */
#define RT_ADDR_SLOTS (1u << 16) /* cached addresses; when full, resolved each time */

typedef struct rt_symrange_s {
  uintptr_t start, end;       /* run-time addresses, end exclusive (start == end: size 0) */
  uint32_t name;              /* offset in the string table */
} rt_symrange_t;

typedef struct rt_symmod_s {
  uintptr_t lo, hi;           /* run-time extent of its PT_LOAD segments */
  rt_symrange_t *syms;        /* functions, sorted by start; NULL: none */
  size_t nsyms, syms_bytes;
  const char *strs;           /* the string table, in the mapped file */
  size_t strsz;
} rt_symmod_t;

static struct {
  pthread_mutex_t lock;       /* guards mods, nmods and inserts into the cache */
  bool active;                /* a skip pattern is in effect */
  rt_ere_t re;                /* compiled at start, read-only afterwards */
  rt_symmod_t mods[RT_SYM_MODULES];
  uint32_t nmods;
  uint64_t *keys;             /* address; published with release after vals */
  uint8_t *vals;              /* RT_ADDR_* flags of keys[i] */
  uint32_t used;              /* slots taken (under lock) */
} rt_sk = {.lock = PTHREAD_MUTEX_INITIALIZER};

bool rt_skip_active; /* read on the capture path; written once at start */
uint32_t rt_addr_epoch; /* bumped whenever an address's flags change (atomic) */

/* RTPROF_SKIP: unset, the built-in list; empty, nothing; +REGEX, the list
 * and REGEX; REGEX, REGEX alone. */
void rt_skip_init(void) {
  const char *s = secure_getenv("RTPROF_SKIP");
  if (s != NULL && *s == '\0') return; /* RTPROF_SKIP= turns it off */
  if (s != NULL) {
    static char both[4096]; /* the built-in list, then the user's alternatives */
    const char *pattern = s;
    if (s[0] == '+') {
      rt_format(both, sizeof both, "%s|(%s)", RT_SKIP_DEFAULT, s + 1);
      pattern = strlen(s) + sizeof RT_SKIP_DEFAULT + 4 < sizeof both ? both : NULL;
    }
    const char *why = "too long";
    if (pattern != NULL && rt_ere_compile(&rt_sk.re, pattern, &why)) {
      rt_skip_active = rt_sk.active = true;
      return;
    }
    rt_warn("RTPROF_SKIP='%s' is not a valid POSIX extended regular expression (%s); using the "
            "built-in list of allocation wrappers", s, why);
  }
  const char *why;
  rt_skip_active = rt_sk.active = rt_ere_compile(&rt_sk.re, RT_SKIP_DEFAULT, &why);
  if (!rt_sk.active) rt_warn("the built-in RTPROF_SKIP list does not compile (%s); no wrapper is walked past", why);
}

void rt_skip_fork(rt_fork_stage_t stage) {
  if (stage == RT_FORK_PREPARE) pthread_mutex_lock(&rt_sk.lock);
  else if (stage == RT_FORK_PARENT) pthread_mutex_unlock(&rt_sk.lock);
  else pthread_mutex_init(&rt_sk.lock, NULL);
}

/* ---- a module's function symbols ----------------------------------------- */

static bool in_file(size_t size, uint64_t off, uint64_t len) { return off <= size && len <= size - off; }

/* The section of `type` in an ELF file mapped at `base` (`size` bytes), with
 * its linked string table; false when absent or malformed. */
static bool find_symtab(const unsigned char *base, size_t size, uint32_t type, const ElfW(Sym) **syms,
                        size_t *nsyms, const char **strs, size_t *strsz) {
  const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
  if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shentsize != sizeof(ElfW(Shdr)) || !in_file(size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(ElfW(Shdr))))
    return false;
  const ElfW(Shdr) *sh = (const ElfW(Shdr) *)(base + eh->e_shoff);
  for (uint32_t i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != type || sh[i].sh_entsize != sizeof(ElfW(Sym)) || sh[i].sh_link >= eh->e_shnum) continue;
    const ElfW(Shdr) *st = &sh[sh[i].sh_link];
    if (!in_file(size, sh[i].sh_offset, sh[i].sh_size) || !in_file(size, st->sh_offset, st->sh_size)) continue;
    *syms = (const ElfW(Sym) *)(base + sh[i].sh_offset);
    *nsyms = sh[i].sh_size / sizeof(ElfW(Sym));
    *strs = (const char *)base + st->sh_offset;
    *strsz = st->sh_size;
    return true;
  }
  return false;
}

static void *map_file(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  void *p = NULL;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) p = NULL;
    else *size = (size_t)st.st_size;
  }
  close(fd);
  return p;
}

/* /usr/lib/debug/.build-id/xx/yyyy.debug from the module's build-id note, so
 * an installed -dbgsym package gives its full .symtab. */
static bool debug_path(const struct dl_phdr_info *info, char *out, size_t cap) {
  const unsigned char *id;
  uint32_t n = rt_module_build_id(info, &id);
  if (n < 2 || cap <= 40 + 2 * (size_t)n) return false;
  size_t o = (size_t)rt_format(out, cap, "/usr/lib/debug/.build-id/");
  for (uint32_t k = 0; k < n; k++) {
    out[o++] = "0123456789abcdef"[id[k] >> 4];
    out[o++] = "0123456789abcdef"[id[k] & 15];
    if (k == 0) out[o++] = '/';
  }
  rt_format(out + o, cap - o, ".debug");
  return true;
}

/* Heapsort by start: no malloc (glibc's qsort may call it). */
static void sift(rt_symrange_t *a, size_t i, size_t n) {
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) return;
    if (c + 1 < n && a[c + 1].start > a[c].start) c++;
    if (a[c].start <= a[i].start) return;
    rt_symrange_t t = a[i];
    a[i] = a[c], a[c] = t, i = c;
  }
}

static void sort_ranges(rt_symrange_t *a, size_t n) {
  for (size_t i = n / 2; i-- > 0;) sift(a, i, n);
  for (size_t end = n; end-- > 1;) {
    rt_symrange_t t = a[0];
    a[0] = a[end], a[end] = t;
    sift(a, 0, end);
  }
}

static void load_symbols(rt_symmod_t *m, const struct dl_phdr_info *info) {
  char path[4200];
  const char *name = info->dlpi_name;
  if (name == NULL || name[0] == '\0') {
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return;
    path[n] = '\0';
  } else {
    rt_format(path, sizeof path, "%s", name);
  }
  size_t size = 0, dsize = 0;
  unsigned char *base = map_file(path, &size);
  if (base == NULL) return; /* the vdso, or a deleted file */
  const ElfW(Sym) *syms;
  size_t nsyms;
  const char *strs;
  size_t strsz;
  bool ok = find_symtab(base, size, SHT_SYMTAB, &syms, &nsyms, &strs, &strsz);
  if (!ok) {
    char dpath[256];
    unsigned char *dbg = debug_path(info, dpath, sizeof dpath) ? map_file(dpath, &dsize) : NULL;
    if (dbg && find_symtab(dbg, dsize, SHT_SYMTAB, &syms, &nsyms, &strs, &strsz)) {
      munmap(base, size);
      base = dbg, size = dsize, ok = true;
    } else {
      if (dbg) munmap(dbg, dsize);
      ok = find_symtab(base, size, SHT_DYNSYM, &syms, &nsyms, &strs, &strsz);
    }
  }
  if (!ok) {
    munmap(base, size);
    return;
  }
  size_t count = 0;
  for (size_t i = 0; i < nsyms; i++) {
    unsigned t = ELF64_ST_TYPE(syms[i].st_info);
    if ((t == STT_FUNC || t == STT_GNU_IFUNC) && syms[i].st_shndx != SHN_UNDEF && syms[i].st_name < strsz) count++;
  }
  m->syms_bytes = count * sizeof(rt_symrange_t);
  m->syms = count ? rt_os_alloc(m->syms_bytes) : NULL;
  if (m->syms == NULL) {
    munmap(base, size);
    return;
  }
  size_t k = 0;
  for (size_t i = 0; i < nsyms && k < count; i++) {
    unsigned t = ELF64_ST_TYPE(syms[i].st_info);
    if ((t != STT_FUNC && t != STT_GNU_IFUNC) || syms[i].st_shndx == SHN_UNDEF || syms[i].st_name >= strsz) continue;
    uintptr_t start = info->dlpi_addr + syms[i].st_value;
    m->syms[k++] = (rt_symrange_t){start, start + syms[i].st_size, syms[i].st_name};
  }
  m->nsyms = k;
  sort_ranges(m->syms, k);
  m->strs = strs, m->strsz = strsz; /* the file stays mapped for the process's life */
}

typedef struct rt_find_ctx_s {
  uintptr_t addr;
  rt_symmod_t *found;
} rt_find_ctx_t;

static int find_module_cb(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  rt_find_ctx_t *ctx = arg;
  uintptr_t lo, hi;
  rt_module_extent(info, &lo, &hi);
  if (ctx->addr < lo || ctx->addr >= hi) return 0;
  if (rt_sk.nmods >= RT_SYM_MODULES) return 1;
  rt_symmod_t *m = &rt_sk.mods[rt_sk.nmods++];
  *m = (rt_symmod_t){.lo = lo, .hi = hi};
  load_symbols(m, info);
  ctx->found = m;
  return 1;
}

/* The module holding `addr`; its symbols are loaded on first sight. A module
 * unloaded and another mapped at its place is noticed by its extent only. */
static rt_symmod_t *module_of(uintptr_t addr) {
  for (uint32_t i = 0; i < rt_sk.nmods; i++)
    if (addr >= rt_sk.mods[i].lo && addr < rt_sk.mods[i].hi) return &rt_sk.mods[i];
  rt_find_ctx_t ctx = {addr, NULL};
  dl_iterate_phdr(find_module_cb, &ctx);
  return ctx.found;
}

static bool name_matches(const rt_symmod_t *m, uint32_t off) {
  const char *name = m->strs + off;
  if (memchr(name, '\0', m->strsz - off) == NULL) return false;
  return rt_ere_match(&rt_sk.re, name); /* under rt_sk.lock, as ere.c wants */
}

/* Flags of `addr`: RT_ADDR_ENTRY when a function starts exactly there;
 * RT_ADDR_SKIP when `addr` - 1 (a return address lands after its call) lies
 * inside a function whose name matches the skip pattern. */
static uint8_t resolve(uintptr_t addr) {
  rt_symmod_t *m = module_of(addr);
  if (m == NULL || m->syms == NULL) return RT_ADDR_UNNAMED;
  uint8_t flags = RT_ADDR_UNNAMED; /* until a symbol holds it */
  /* The first symbol starting after addr - 1; every candidate lies below it
   * (aliases and nested sizes are few: scan back a bounded way). */
  size_t lo = 0, hi = m->nsyms;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->syms[mid].start <= addr - 1) lo = mid + 1;
    else hi = mid;
  }
  if (lo < m->nsyms && m->syms[lo].start == addr) flags |= RT_ADDR_ENTRY;
  for (size_t i = lo, n = 0; i-- > 0 && n < 64; n++) {
    const rt_symrange_t *s = &m->syms[i];
    if (addr - 1 >= s->end) continue;
    flags &= (uint8_t)~RT_ADDR_UNNAMED;
    if (rt_sk.active && name_matches(m, s->name)) {
      flags |= RT_ADDR_SKIP;
      break;
    }
  }
  return flags;
}

static uint32_t slot_of(uintptr_t addr) { return (uint32_t)((addr * 0x9e3779b97f4a7c15ULL) >> 48) & (RT_ADDR_SLOTS - 1); }

uint32_t rt_addr_flags(uintptr_t addr) {
  if (addr == 0) return 0;
  uint64_t *keys = rt_load_acquire(&rt_sk.keys);
  if (keys != NULL) {
    for (uint32_t i = slot_of(addr), n = 0; n < 32; n++, i = (i + 1) & (RT_ADDR_SLOTS - 1)) {
      uint64_t k = rt_load_acquire(&keys[i]);
      if (k == addr) return rt_load_relaxed(&rt_sk.vals[i]);
      if (k == 0) break;
    }
  }
  pthread_mutex_lock(&rt_sk.lock);
  if (rt_sk.keys == NULL) {
    rt_sk.vals = rt_os_alloc(RT_ADDR_SLOTS);
    uint64_t *k = rt_os_alloc(RT_ADDR_SLOTS * sizeof *k);
    if (k != NULL && rt_sk.vals != NULL) rt_store_release(&rt_sk.keys, k);
  }
  uint8_t flags = resolve(addr);
  if (rt_sk.keys != NULL && rt_sk.used < RT_ADDR_SLOTS / 2) {
    for (uint32_t i = slot_of(addr), n = 0; n < 32; n++, i = (i + 1) & (RT_ADDR_SLOTS - 1)) {
      if (rt_sk.keys[i] == addr) break; /* another thread got here first */
      if (rt_sk.keys[i] != 0) continue;
      rt_sk.vals[i] = flags;
      rt_store_release(&rt_sk.keys[i], addr);
      rt_sk.used++;
      break;
    }
  }
  pthread_mutex_unlock(&rt_sk.lock);
  return flags;
}

void rt_addr_decide(uintptr_t addr, bool skip) {
  uint64_t *keys = rt_load_acquire(&rt_sk.keys);
  if (keys == NULL) return;
  pthread_mutex_lock(&rt_sk.lock);
  for (uint32_t i = slot_of(addr), n = 0; n < 32; n++, i = (i + 1) & (RT_ADDR_SLOTS - 1)) {
    if (keys[i] == 0) break;
    if (keys[i] != addr) continue;
    uint8_t v = rt_sk.vals[i] & (uint8_t)~RT_ADDR_UNNAMED;
    if (skip) v |= RT_ADDR_SKIP;
    if (v != rt_sk.vals[i]) {
      rt_store_relaxed(&rt_sk.vals[i], v);
      rt_add_relaxed(&rt_addr_epoch, 1); /* after the store: a site cached from the new flags is not older */
    }
    break;
  }
  pthread_mutex_unlock(&rt_sk.lock);
}
