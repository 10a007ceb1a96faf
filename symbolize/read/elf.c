/* What rtprof reads of an ELF file on disk, bounded and robust against
 * hostile files: its NT_GNU_BUILD_ID note (so a binary rebuilt since the dump
 * is detected before addr2line names the wrong lines), the extents of its
 * function symbols (so a frame is never named after a symbol that does not
 * contain it) and its separate debug file (.gnu_debuglink or the build-id
 * tree). Files are opened non-blocking and must be regular files, so a path
 * naming a FIFO or a device cannot hang the reader. Every size and count
 * comes from the file, so each is checked against the file's size and a
 * fixed bound before anything is read or allocated. */
#define _GNU_SOURCE /* O_NOCTTY, qsort */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read/read.h"

#define MAX_NOTE_BYTES (1u << 20)     /* a larger note area is not a sane ELF */
#define MAX_NOTE_AREAS 16             /* PT_NOTE segments or SHT_NOTE sections scanned */
#define MAX_SYMTAB_BYTES (512u << 20) /* symbol table and its strings, each */
#define MAX_DEBUGLINK 4096
#define DEBUG_ROOT "/usr/lib/debug"

static bool read_at(int fd, void *buf, size_t n, uint64_t off) {
  size_t done = 0;
  while (done < n) {
    ssize_t k = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    done += (size_t)k;
  }
  return true;
}

/* One open ELF file: its header, section headers (when sane) and size. */
typedef struct elf_s {
  int fd;
  uint64_t size;
  Elf64_Ehdr eh;
  Elf64_Shdr *sh;          /* eh.e_shnum entries, or NULL */
} elf_t;

/* Opens path without blocking (a FIFO or a device never hangs us) and
 * without taking a terminal, and insists on a regular file. */
static rtprof_elf_status_t elf_open(const char *path, elf_t *e) {
  memset(e, 0, sizeof *e);
  e->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (e->fd < 0) return errno == ENOENT || errno == ENOTDIR ? RTPROF_ELF_NOT_FOUND : RTPROF_ELF_UNREADABLE;
  struct stat st;
  if (fstat(e->fd, &st) != 0) goto unreadable;
  if (!S_ISREG(st.st_mode)) {
    close(e->fd);
    return RTPROF_ELF_NOT_REGULAR;
  }
  e->size = (uint64_t)st.st_size;
  if (!read_at(e->fd, &e->eh, sizeof e->eh, 0) || memcmp(e->eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      e->eh.e_ident[EI_CLASS] != ELFCLASS64 || e->eh.e_ident[EI_DATA] != ELFDATA2LSB) {
    close(e->fd);
    return RTPROF_ELF_NOT_ELF;
  }
  /* section headers in one read; e_shnum 0 (an extended count) reads as none */
  uint64_t shbytes = (uint64_t)e->eh.e_shnum * sizeof(Elf64_Shdr);
  if (e->eh.e_shentsize == sizeof(Elf64_Shdr) && e->eh.e_shnum > 0 && e->eh.e_shoff <= e->size &&
      shbytes <= e->size - e->eh.e_shoff) {
    e->sh = rtprof_xmalloc((size_t)shbytes);
    if (!read_at(e->fd, e->sh, (size_t)shbytes, e->eh.e_shoff)) {
      free(e->sh);
      e->sh = NULL;
    }
  }
  return RTPROF_ELF_OK;
unreadable:
  close(e->fd);
  return RTPROF_ELF_UNREADABLE;
}

static void elf_close(elf_t *e) {
  close(e->fd);
  free(e->sh);
}

/* Reads [off, off+n) of the file into a new buffer (plus a NUL), or NULL
 * when it lies outside the file or exceeds max. */
static char *read_range(const elf_t *e, uint64_t off, uint64_t n, uint64_t max) {
  if (n > max || off > e->size || n > e->size - off) return NULL;
  char *buf = rtprof_xmalloc((size_t)n + 1);
  if (!read_at(e->fd, buf, (size_t)n, off)) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

/* ---- build-id ------------------------------------------------------------- */
/* Scans one note area; returns the build-id as hex, or NULL. */
static char *find_build_id(const elf_t *e, uint64_t off, uint64_t size) {
  if (size == 0) return NULL;
  unsigned char *buf = (unsigned char *)read_range(e, off, size, MAX_NOTE_BYTES);
  char *hex = NULL;
  if (!buf) return NULL;
  for (uint64_t p = 0; p + sizeof(Elf64_Nhdr) <= size;) {
    Elf64_Nhdr nh;
    memcpy(&nh, buf + p, sizeof nh);
    uint64_t name = p + sizeof nh;
    uint64_t desc = name + ((nh.n_namesz + 3ull) & ~3ull);
    uint64_t next = desc + ((nh.n_descsz + 3ull) & ~3ull);
    if (desc > size || desc + nh.n_descsz > size) break;
    if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && memcmp(buf + name, "GNU", 4) == 0 &&
        nh.n_descsz > 0) {
      hex = rtprof_xmalloc(nh.n_descsz * 2 + 1);
      for (uint32_t i = 0; i < nh.n_descsz; i++) snprintf(hex + 2 * i, 3, "%02x", buf[desc + i]);
      break;
    }
    p = next;
  }
  free(buf);
  return hex;
}

/* At most MAX_NOTE_AREAS note areas are scanned: a file with 65,535 note
 * headers costs no more than a sane one. */
static char *elf_build_id(const elf_t *e) {
  char *hex = NULL;
  unsigned areas = 0;
  const Elf64_Ehdr *eh = &e->eh;
  uint64_t phbytes = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
  if (eh->e_phentsize == sizeof(Elf64_Phdr) && eh->e_phnum > 0 && eh->e_phoff <= e->size &&
      phbytes <= e->size - eh->e_phoff) {
    Elf64_Phdr *ph = rtprof_xmalloc((size_t)phbytes);
    if (read_at(e->fd, ph, (size_t)phbytes, eh->e_phoff))
      for (unsigned i = 0; i < eh->e_phnum && !hex && areas < MAX_NOTE_AREAS; i++)
        if (ph[i].p_type == PT_NOTE) {
          areas++;
          hex = find_build_id(e, ph[i].p_offset, ph[i].p_filesz);
        }
    free(ph);
    if (hex) return hex;
  }
  areas = 0;
  for (unsigned i = 0; e->sh && i < eh->e_shnum && !hex && areas < MAX_NOTE_AREAS; i++)
    if (e->sh[i].sh_type == SHT_NOTE) {
      areas++;
      hex = find_build_id(e, e->sh[i].sh_offset, e->sh[i].sh_size);
    }
  return hex;
}

rtprof_elf_status_t rtprof_elf_build_id(const char *path, char **hex) {
  *hex = NULL;
  elf_t e;
  rtprof_elf_status_t st = elf_open(path, &e);
  if (st != RTPROF_ELF_OK) return st;
  *hex = elf_build_id(&e);
  elf_close(&e);
  return st;
}

/* ---- function symbols --------------------------------------------------------- */
static int cmp_func(const void *a, const void *b) {
  const rtprof_elf_func_t *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : x->hi < y->hi ? -1 : x->hi > y->hi;
}

rtprof_elf_status_t rtprof_elf_funcs(const char *path, rtprof_elf_funcs_t *out) {
  memset(out, 0, sizeof *out);
  elf_t e;
  rtprof_elf_status_t st = elf_open(path, &e);
  if (st != RTPROF_ELF_OK) return st;
  const Elf64_Shdr *tab = NULL;
  for (int pass = 0; pass < 2 && !tab; pass++) /* .symtab, else .dynsym */
    for (unsigned i = 0; e.sh && i < e.eh.e_shnum && !tab; i++)
      if (e.sh[i].sh_type == (pass ? SHT_DYNSYM : SHT_SYMTAB) && e.sh[i].sh_link < e.eh.e_shnum &&
          e.sh[i].sh_entsize == sizeof(Elf64_Sym))
        tab = &e.sh[i];
  if (!tab) goto out;
  const Elf64_Shdr *strs = &e.sh[tab->sh_link];
  if (strs->sh_type != SHT_STRTAB) goto out;
  Elf64_Sym *syms = (Elf64_Sym *)read_range(&e, tab->sh_offset, tab->sh_size, MAX_SYMTAB_BYTES);
  char *names = read_range(&e, strs->sh_offset, strs->sh_size, MAX_SYMTAB_BYTES);
  if (syms && names) {
    size_t n = (size_t)(tab->sh_size / sizeof *syms);
    out->v = rtprof_xcalloc(n ? n : 1, sizeof *out->v);
    for (size_t i = 0; i < n; i++) {
      const Elf64_Sym *s = &syms[i];
      int type = ELF64_ST_TYPE(s->st_info);
      if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s->st_size == 0 || s->st_shndx == SHN_UNDEF ||
          s->st_name >= strs->sh_size || s->st_value > UINT64_MAX - s->st_size)
        continue;
      out->v[out->n++] = (rtprof_elf_func_t){s->st_value, s->st_value + s->st_size, names + s->st_name};
      if (s->st_size > out->max_size) out->max_size = s->st_size;
    }
    qsort(out->v, out->n, sizeof *out->v, cmp_func);
    out->strings = names; /* the names point into it */
    names = NULL;
    out->from_symtab = tab->sh_type == SHT_SYMTAB;
  }
  free(syms);
  free(names);
out:
  elf_close(&e);
  return st;
}

#define MAX_CONTAINING 64 /* nested or aliased symbols looked at per address */

size_t rtprof_elf_funcs_at(const rtprof_elf_funcs_t *f, uint64_t addr, const char **names, size_t max) {
  size_t lo = 0, hi = f->n, k = 0;
  while (lo < hi) { /* the first symbol starting above addr */
    size_t mid = lo + (hi - lo) / 2;
    if (f->v[mid].lo <= addr) lo = mid + 1;
    else hi = mid;
  }
  /* walk back over the symbols starting at or below addr, as far as the
   * largest symbol could reach */
  for (size_t i = lo, seen = 0; i > 0 && k < max && seen < MAX_CONTAINING * 4; i--, seen++) {
    const rtprof_elf_func_t *s = &f->v[i - 1];
    if (addr - s->lo >= f->max_size) break;
    if (addr < s->hi) names[k++] = s->name;
  }
  return k;
}

void rtprof_elf_funcs_free(rtprof_elf_funcs_t *f) {
  free(f->v);
  free(f->strings);
  memset(f, 0, sizeof *f);
}

/* ---- separate debug files ------------------------------------------------------- */
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n) {
  static uint32_t table[256];
  if (!table[1])
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
  crc = ~crc;
  while (n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

/* The .gnu_debuglink of e: the debug file's name and its CRC32. */
static bool elf_debuglink(const elf_t *e, char **name, uint32_t *crc) {
  if (!e->sh || e->eh.e_shstrndx >= e->eh.e_shnum) return false;
  const Elf64_Shdr *shs = &e->sh[e->eh.e_shstrndx];
  char *secnames = read_range(e, shs->sh_offset, shs->sh_size, MAX_SYMTAB_BYTES);
  bool ok = false;
  for (unsigned i = 0; secnames && i < e->eh.e_shnum && !ok; i++) {
    const Elf64_Shdr *s = &e->sh[i];
    if (s->sh_name >= shs->sh_size || strcmp(secnames + s->sh_name, ".gnu_debuglink") != 0) continue;
    char *d = read_range(e, s->sh_offset, s->sh_size, MAX_DEBUGLINK);
    size_t len = d ? strnlen(d, (size_t)s->sh_size) : 0;
    size_t crc_at = (len + 4) & ~(size_t)3;
    if (d && len > 0 && !memchr(d, '/', len) && crc_at + 4 <= s->sh_size) {
      memcpy(crc, d + crc_at, 4);
      *name = rtprof_xstrndup(d, len);
      ok = true;
    }
    free(d);
  }
  free(secnames);
  return ok;
}

/* Is path a debug file for the module: the same build-id, or (when the
 * module has none) the CRC32 its .gnu_debuglink names? */
static bool debug_file_matches(const char *path, const char *buildid, bool check_crc, uint32_t crc) {
  elf_t e;
  if (elf_open(path, &e) != RTPROF_ELF_OK) return false;
  bool ok = false;
  if (buildid) {
    char *hex = elf_build_id(&e);
    ok = hex && strcmp(hex, buildid) == 0;
    free(hex);
  } else if (check_crc) {
    enum { CHUNK = 1 << 16 };
    unsigned char *buf = rtprof_xmalloc(CHUNK);
    uint32_t c = 0;
    uint64_t off = 0;
    ok = true;
    while (ok && off < e.size) {
      size_t k = e.size - off < CHUNK ? (size_t)(e.size - off) : CHUNK;
      ok = read_at(e.fd, buf, k, off);
      c = crc32_update(c, buf, k);
      off += k;
    }
    ok = ok && c == crc;
    free(buf);
  }
  elf_close(&e);
  return ok;
}

char *rtprof_elf_debug_file(const char *path, const char *buildid) {
  char *found = NULL;
  size_t plen = strlen(path);
  if (buildid && strlen(buildid) >= 4) { /* /usr/lib/debug/.build-id/ab/cdef....debug */
    char *p = rtprof_xmalloc(sizeof DEBUG_ROOT + strlen(buildid) + 32);
    sprintf(p, DEBUG_ROOT "/.build-id/%.2s/%s.debug", buildid, buildid + 2);
    if (debug_file_matches(p, buildid, false, 0)) return p;
    free(p);
  }
  elf_t e;
  if (elf_open(path, &e) != RTPROF_ELF_OK) return NULL;
  char *name = NULL;
  uint32_t crc = 0;
  bool link = elf_debuglink(&e, &name, &crc);
  elf_close(&e);
  if (!link) return NULL;
  const char *slash = strrchr(path, '/');
  size_t dlen = slash ? (size_t)(slash - path) : 0; /* the directory, without its last '/' */
  char *cand = rtprof_xmalloc(sizeof DEBUG_ROOT + plen + strlen(name) + 16);
  for (int i = 0; i < 3 && !found; i++) { /* DIR/NAME, DIR/.debug/NAME, /usr/lib/debug/DIR/NAME */
    static const char *const fmt[] = {"%.*s/%s", "%.*s/.debug/%s", DEBUG_ROOT "%.*s/%s"};
    sprintf(cand, fmt[i], (int)dlen, path, name);
    if (strcmp(cand, path) != 0 && debug_file_matches(cand, buildid, true, crc)) found = cand;
  }
  if (!found) free(cand);
  free(name);
  return found;
}
