/* Report-test fixture: a small program whose allocation sites sit at known
 * lines. Run, it prints each site's label and return-address stack
 * (innermost first, frames inside this program only) as offsets from its
 * load base, and its own [lo, hi) span; lib.sh turns that into the
 * hand-written dumps of tests/report/dumps/. Keep the line numbers stable:
 * the expected reports name them. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <execinfo.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))
static uintptr_t base, lo = UINTPTR_MAX, hi;

static int first_object(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size, (void)arg;
  base = info->dlpi_addr;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD) continue;
    if (base + ph->p_vaddr < lo) lo = base + ph->p_vaddr;
    if (base + ph->p_vaddr + ph->p_memsz > hi) hi = base + ph->p_vaddr + ph->p_memsz;
  }
  return 1; /* the main program comes first */
}

/* What the allocator records for a site: the stack above it. */
NOINLINE static void *record(const char *label, size_t n) {
  void *ra[16];
  int k = backtrace(ra, 16);
  printf("site %s", label);
  for (int i = 1; i < k; i++) {
    uintptr_t a = (uintptr_t)ra[i];
    if (a < lo || a >= hi) break;
    printf(" 0x%lx", (unsigned long)(a - base));
  }
  printf("\n");
  return malloc(n);
}

NOINLINE void *xmalloc(size_t n, const char *label) {
  void *p = record(label, n); /* line 45: the wrapper's own site */
  if (!p) abort();
  return p;
}

static inline __attribute__((always_inline)) char *dup_str(const char *s, const char *label) {
  size_t n = strlen(s) + 1;
  char *p = record(label, n); /* line 52: inlined into parse_ident */
  memcpy(p, s, n);
  return p;
}

NOINLINE char *parse_ident(const char *s) {
  char *p = dup_str(s, "ident"); /* line 58 */
  return p;
}

NOINLINE void *make_node(const char *label) {
  void *p = xmalloc(32, label); /* line 63 */
  return p;
}

NOINLINE void *grow_buffer(size_t n) {
  void *p = record("buffer", n); /* line 68 */
  return p;
}

int main(void) {
  dl_iterate_phdr(first_object, NULL);
  printf("module 0x%lx 0x%lx\n", (unsigned long)(lo - base), (unsigned long)(hi - base));
  free(make_node("node_a")); /* line 75 */
  free(make_node("node_b")); /* line 76 */
  free(parse_ident("hello"));
  free(grow_buffer(100));
  free(xmalloc(8, "direct")); /* line 79 */
#ifdef REBUILT
  printf("rebuilt\n"); /* changes the code, so the build-id differs */
#endif
  return 0;
}
