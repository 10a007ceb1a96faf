/* Reads the NT_GNU_BUILD_ID note of an ELF file on disk, from its PT_NOTE
 * segments (or SHT_NOTE sections when it has none), so a binary rebuilt since
 * the dump is detected before addr2line names the wrong lines. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "read/read.h"

#define MAX_NOTE_BYTES (1u << 20) /* a larger note area is not a sane ELF */
#define MAX_HEADERS 65535

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

/* Scans one note area; returns the build-id as hex, or NULL. */
static char *find_build_id(int fd, uint64_t off, uint64_t size) {
  if (size == 0 || size > MAX_NOTE_BYTES) return NULL;
  unsigned char *buf = rtprof_xmalloc((size_t)size);
  char *hex = NULL;
  if (!read_at(fd, buf, (size_t)size, off)) goto out;
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
out:
  free(buf);
  return hex;
}

rtprof_elf_status_t rtprof_elf_build_id(const char *path, char **hex) {
  *hex = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT || errno == ENOTDIR ? RTPROF_ELF_NOT_FOUND : RTPROF_ELF_UNREADABLE;
  rtprof_elf_status_t st = RTPROF_ELF_NOT_ELF;
  Elf64_Ehdr eh;
  if (!read_at(fd, &eh, sizeof eh, 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    goto out;
  st = RTPROF_ELF_OK;
  if (eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum > 0) {
    for (unsigned i = 0; i < eh.e_phnum && !*hex; i++) {
      Elf64_Phdr ph;
      if (!read_at(fd, &ph, sizeof ph, eh.e_phoff + (uint64_t)i * sizeof ph)) break;
      if (ph.p_type == PT_NOTE) *hex = find_build_id(fd, ph.p_offset, ph.p_filesz);
    }
    if (*hex) goto out;
  }
  if (eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shnum > 0 && eh.e_shnum < MAX_HEADERS) {
    for (unsigned i = 0; i < eh.e_shnum && !*hex; i++) {
      Elf64_Shdr sh;
      if (!read_at(fd, &sh, sizeof sh, eh.e_shoff + (uint64_t)i * sizeof sh)) break;
      if (sh.sh_type == SHT_NOTE) *hex = find_build_id(fd, sh.sh_offset, sh.sh_size);
    }
  }
out:
  close(fd);
  return st;
}
