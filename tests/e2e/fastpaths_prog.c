/* The fast paths for realloc and for allocations inside a phase
 * (alloc/alloc.c: realloc_fast, alloc_in_phase), for t_fastpaths.sh. Every
 * site is called more than once: its first call fills the per-thread caches
 * through the general path, the later ones take the fast path. The program
 * keeps its own ledger of what it allocated and freed (a realloc is the free
 * of the old block, then the allocation of the new one) and prints what the
 * dump must hold: per site, per phase x site pair, and the totals. One
 * scenario per run (argv[1]):
 *   phase      allocations inside nested phases, freed inside and outside;
 *   peakring   a phase's site and realloc site at a new high-water while
 *              frees wait in the ring: the peaks are the real ones;
 *   realloc    grow in place, move, shrink; blocks of other sites, sites
 *              past the flat slots (ids >= 256), realloc(NULL, n);
 *   preal      realloc inside phases: the old block's pair gets the free,
 *              the new one's the allocation;
 *   waiting    a realloc of a block whose free waits in the ring, at a
 *              realloc site already cached (a realloc after free);
 *   freed      the same once the free is done (the tag says freed);
 *   oom        the address space capped: an allocation inside a phase and a
 *              realloc fail on their fast paths; the old block stays live
 *              and counted, the peaks stay the real ones.
 * SITE: markers give the lines; exits non-zero on a failed check. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "rtprof.h"
#include "../testhelper.h"

/* ---- the ledger ----------------------------------------------------------- */

typedef struct {
  const char *name; /* the SITE: marker */
  unsigned long long allocs, bytes, frees, freed;
  long long live, peak;
} site_t;
typedef struct {
  const char *path, *site;
  unsigned long long allocs, bytes, frees, freed;
} pair_t;

static site_t sites[32];
static pair_t pairs[32];
static int nsites, npairs;
static const char *phase_path; /* the innermost open phase, NULL outside */
static long long live, peak;
static unsigned long long t_allocs, t_frees, failed;

static site_t *site(const char *name) {
  for (int i = 0; i < nsites; i++)
    if (strcmp(sites[i].name, name) == 0) return &sites[i];
  sites[nsites].name = name;
  return &sites[nsites++];
}
static pair_t *pair(const char *path, const char *name) {
  for (int i = 0; i < npairs; i++)
    if (strcmp(pairs[i].path, path) == 0 && strcmp(pairs[i].site, name) == 0) return &pairs[i];
  pairs[npairs].path = path, pairs[npairs].site = name;
  return &pairs[npairs++];
}

/* A block as the ledger knows it: where and in which phase it was made. */
typedef struct {
  char *p, *p_freed;          /* p_freed: where it was, once freed */
  size_t size;
  const char *site, *path;
} blk_t;

static void note_alloc(blk_t *b, char *p, size_t size, const char *name) {
  *b = (blk_t){p, NULL, size, name, phase_path};
  site_t *s = site(name);
  s->allocs++, s->bytes += size, s->live += (long long)size;
  if (s->live > s->peak) s->peak = s->live;
  if (phase_path) pair(phase_path, name)->allocs++, pair(phase_path, name)->bytes += size;
  t_allocs++, live += (long long)size;
  if (live > peak) peak = live;
  memset(p, 0x5a, size);
}
static void note_free(blk_t *b) {
  site_t *s = site(b->site);
  s->frees++, s->freed += b->size, s->live -= (long long)b->size;
  if (b->path) pair(b->path, b->site)->frees++, pair(b->path, b->site)->freed += b->size;
  t_frees++, live -= (long long)b->size;
  b->p_freed = b->p, b->p = NULL;
}

static void print_ledger(void) {
  for (int i = 0; i < nsites; i++)
    printf("site %s allocs=%llu alloc_bytes=%llu frees=%llu freed_bytes=%llu peak_live_bytes=%lld\n",
           sites[i].name, sites[i].allocs, sites[i].bytes, sites[i].frees, sites[i].freed, sites[i].peak);
  for (int i = 0; i < npairs; i++)
    printf("pair %s %s allocs=%llu alloc_bytes=%llu live_blocks=%llu live_bytes=%llu\n", pairs[i].path,
           pairs[i].site, pairs[i].allocs, pairs[i].bytes, pairs[i].allocs - pairs[i].frees,
           pairs[i].bytes - pairs[i].freed);
  printf("totals allocs=%llu frees=%llu live_bytes=%lld peak_live_bytes=%lld failed_allocs=%llu\n", t_allocs,
         t_frees, live, peak, failed);
}

/* ---- the sites: one call site each (noinline, and no tail call) ---------- */

#define KEEP(p) __asm__ volatile("" : : "r"(p) : "memory")
#define SITE_FN(fn, call)                                                     \
  static __attribute__((noinline)) void *fn##_raw(size_t n) {                 \
    void *r = call;                                                           \
    KEEP(r);                                                                  \
    return r;                                                                 \
  }
SITE_FN(node, rt_alloc(n)) /* SITE:node */
SITE_FN(leaf, rt_alloc(n)) /* SITE:leaf */
SITE_FN(hund, rt_alloc(n)) /* SITE:hund */
SITE_FN(src, rt_alloc(n)) /* SITE:src */
SITE_FN(pre, rt_alloc(n)) /* SITE:pre */
SITE_FN(inp, rt_alloc(n)) /* SITE:inp */
SITE_FN(chunk, rt_alloc(n)) /* SITE:chunk */
SITE_FN(bad, rt_alloc(n)) /* SITE:bad */
SITE_FN(rnull, rt_realloc(NULL, n)) /* SITE:rnull */

static __attribute__((noinline)) void *rsz_raw(void *p, size_t n) {
  void *r = rt_realloc(p, n); /* SITE:rsz */
  KEEP(r);
  return r;
}
static __attribute__((noinline)) void *far_raw(void *p, size_t n) {
  void *r = rt_realloc(p, n); /* SITE:far */
  KEEP(r);
  return r;
}

/* Allocates at a site (by its function) and notes it. */
#define ALLOC(b, fn, n)                                                       \
  do {                                                                        \
    char *p_ = fn##_raw(n);                                                   \
    CHECK(p_ != NULL);                                                        \
    if (p_) note_alloc((b), p_, (n), #fn);                                    \
  } while (0)
static void free_blk(blk_t *b) {
  rt_free(b->p);
  note_free(b);
}
/* Resizes b at a realloc site; returns whether the block stayed in place. */
static bool resize(blk_t *b, void *(*fn)(void *, size_t), const char *name, size_t n) {
  char *old = b->p, *p = fn(old, n);
  CHECK(p != NULL);
  if (p == NULL) return false;
  size_t keep = n < b->size ? n : b->size;
  for (size_t i = 0; i < keep; i++)
    if ((unsigned char)p[i] != 0x5a) {
      CHECK(!"realloc kept the contents");
      break;
    }
  note_free(b);
  note_alloc(b, p, n, name);
  return p == old;
}
#define RESIZE(b, fn, n) resize((b), fn##_raw, #fn, (n))

static void begin(const char *path) {
  rtprof_phase_begin(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
  phase_path = path;
}
static void end(const char *outer) {
  rtprof_phase_end();
  phase_path = outer;
}

/* ---- scenarios ------------------------------------------------------------ */

static blk_t b[400];

static void phase(void) {
  begin("build");
  for (int i = 0; i < 100; i++) ALLOC(&b[i], node, 16 + (size_t)i);
  for (int i = 99; i >= 0; i -= 2) free_blk(&b[i]); /* they wait in the ring, then take free_detour */
  for (int i = 100; i < 150; i++) ALLOC(&b[i], leaf, 32);
  begin("build/inner");
  for (int i = 150; i < 160; i++) ALLOC(&b[i], node, 1000);
  free_blk(&b[159]); /* the last block allocated: freed at once */
  free_blk(&b[155]);
  end("build");
  for (int i = 160; i < 170; i++) ALLOC(&b[i], node, 8); /* the pair cache keys on the phase */
  free_blk(&b[160]);
  end(NULL);
  for (int i = 0; i < 170; i += 3) /* outside: the blocks' pairs get the frees */
    if (b[i].p) free_blk(&b[i]);
  for (int i = 0; i < 5; i++) ALLOC(&b[200 + i], node, 24); /* no phase: no pair */
  free_blk(&b[202]);
}

/* Four blocks of 100 bytes, three freed (they wait in the ring), three
 * allocated again: the site's peak stays 400. Then one freed at once, two
 * waiting, and the fourth resized to 700: the peaks are 700, not 900. */
static void peak_round(blk_t *warm) {
  RESIZE(warm, rsz, warm->size + 16); /* the realloc site (and its pair) are cached */
  for (int i = 0; i < 4; i++) ALLOC(&b[i], hund, 100);
  for (int i = 0; i < 3; i++) free_blk(&b[i]);
  for (int i = 0; i < 3; i++) ALLOC(&b[i], hund, 100);
  for (int i = 0; i < 3; i++) free_blk(&b[i]);
  RESIZE(&b[3], rsz, 700);
  free_blk(&b[3]);
}

static void peakring(void) {
  blk_t warm;
  ALLOC(&warm, src, 16);
  RESIZE(&warm, rsz, 32);
  peak_round(&warm);
  begin("ring");
  peak_round(&warm);
  end(NULL);
  free_blk(&warm);
}

static void realloc_(void) {
  for (int i = 0; i < 20; i++) ALLOC(&b[i], src, 100);
  int in_place = 0, moved = 0;
  for (int i = 0; i < 20; i++) { /* the first takes the general path and caches the site */
    RESIZE(&b[i], rsz, 104) ? in_place++ : moved++; /* the same size class: in place */
    RESIZE(&b[i], rsz, 3000) ? in_place++ : moved++;
    RESIZE(&b[i], rsz, 50) ? in_place++ : moved++;
  }
  CHECK(in_place >= 19 && moved >= 38);
  for (int i = 0; i < 20; i += 2) free_blk(&b[i]);
  /* Sites past the flat slots: 300 explicit sites (rt_alloc_at), then a
   * realloc site first called after them (its id is past 256 too). */
  for (int i = 0; i < 300; i++) {
    char *p = rt_alloc_at(40, (const char *)&realloc_ + 300 - i);
    CHECK(p != NULL);
    if (p) note_alloc(&b[100 + i], p, 40, "at");
  }
  for (int i = 100; i < 400; i++) RESIZE(&b[i], far, 48 + (size_t)(i % 7) * 16);
  for (int i = 100; i < 400; i += 2) RESIZE(&b[i], far, 200);
  for (int i = 100; i < 400; i += 3) free_blk(&b[i]);
  /* realloc(NULL, n), as Lua allocates */
  for (int i = 40; i < 60; i++) ALLOC(&b[i], rnull, 24 + (size_t)i);
  for (int i = 40; i < 60; i++) RESIZE(&b[i], rsz, 64);
  for (int i = 40; i < 60; i += 4) free_blk(&b[i]);
}

static void preal(void) {
  blk_t warm;
  for (int i = 0; i < 10; i++) ALLOC(&b[i], pre, 64);
  begin("P");
  ALLOC(&warm, inp, 8);
  RESIZE(&warm, rsz, 16); /* caches the realloc site and the pair (P, rsz) */
  for (int i = 10; i < 20; i++) ALLOC(&b[i], inp, 32);
  for (int i = 0; i < 20; i++) RESIZE(&b[i], rsz, 48 + (size_t)i); /* old: no pair, or (P, inp) */
  begin("P/Q");
  for (int i = 0; i < 20; i += 4) RESIZE(&b[i], rsz, 300); /* old (P, rsz), new (P/Q, rsz) */
  end("P");
  for (int i = 1; i < 20; i += 4) RESIZE(&b[i], rsz, 20);
  end(NULL);
  for (int i = 0; i < 20; i += 3) free_blk(&b[i]);
  free_blk(&warm);
}

static void waiting(bool done) {
  blk_t w, x, warm, t;
  ALLOC(&warm, src, 8);
  RESIZE(&warm, rsz, 16); /* the realloc site is cached */
  ALLOC(&w, bad, 40);
  ALLOC(&x, src, 50);
  free_blk(&w); /* waits in the ring */
  if (done)
    for (int i = 0; i < 8; i++) { /* the ring moves on: the tag says freed */
      ALLOC(&t, leaf, 30);
      free_blk(&t);
    }
  errno = 0;
  char *r = rsz_raw(w.p_freed, 80); /* reported at rsz's line, with bad's */
  CHECK(r == NULL);
  CHECK_EQ(errno, EINVAL);
  free_blk(&x);
  free_blk(&warm);
}

static void oom(void) {
  enum { CHUNK = 64 << 10, MAX = 4096 };
  static blk_t c[MAX];
  blk_t small;
  begin("oom");
  ALLOC(&small, src, 100);
  RESIZE(&small, rsz, 120); /* caches the realloc site */
  ALLOC(&c[0], chunk, CHUNK);
  ALLOC(&c[1], chunk, CHUNK); /* the site and its pair are cached */
  struct rlimit old, cap;
  getrlimit(RLIMIT_AS, &old);
  cap = (struct rlimit){test_status_bytes("VmSize") + ((unsigned long long)4 << 20), old.rlim_max};
  CHECK(setrlimit(RLIMIT_AS, &cap) == 0);
  int n = 2;
  char *p;
  while (n < MAX && (p = chunk_raw(CHUNK)) != NULL) note_alloc(&c[n++], p, CHUNK, "chunk");
  CHECK(n < MAX);
  CHECK_EQ(errno, ENOMEM);
  failed++;
  errno = 0;
  CHECK(rsz_raw(small.p, CHUNK) == NULL); /* fails: the old block stays live and counted */
  CHECK_EQ(errno, ENOMEM);
  failed++;
  for (size_t i = 0; i < small.size; i++) CHECK((unsigned char)small.p[i] == 0x5a);
  end(NULL);
  for (int i = 0; i < n; i += 2) free_blk(&c[i]);
  setrlimit(RLIMIT_AS, &old);
  fprintf(stderr, "oom: %d blocks of 64 KiB before the first failure\n", n);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  CHECK(rtprof_enabled());
  const char *what = argv[1];
  if (strcmp(what, "phase") == 0) phase();
  else if (strcmp(what, "peakring") == 0) peakring();
  else if (strcmp(what, "realloc") == 0) realloc_();
  else if (strcmp(what, "preal") == 0) preal();
  else if (strcmp(what, "waiting") == 0) waiting(false);
  else if (strcmp(what, "freed") == 0) waiting(true);
  else if (strcmp(what, "oom") == 0) oom();
  else return 2;
  print_ledger();
  puts("continued");
  TEST_DONE();
}
