/* A deterministic allocation workload for comparing rtprof with heaptrack
 * (tests/preload/t_heaptrack.sh, docs/heaptrack-comparison.md): six "user"
 * functions allocate through wrappers (xmalloc, xcalloc, vec_grow, str_dup,
 * an arena) with fixed counts and sizes, free most of it, and leak a little.
 * Usage: heaptrack_prog [ROUNDS] [edges]   (ROUNDS default 1, 3,649
 * allocations each). Output goes through write(2), never stdio, so the only
 * allocations are the ones written here. "edges" adds the calls whose
 * accounting differs between the two tools (memalign, realloc(p, 0)). */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static uint32_t rng_state = 12345; /* fixed seed: every run allocates the same sizes */
static uint32_t rng(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

static NOINLINE void die(const char *what) {
  (void)!write(2, what, strlen(what));
  (void)!write(2, ": out of memory\n", 16);
  exit(1);
}

/* ---- the wrappers (folded with --skip in the report) --------------------- */

NOINLINE void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (p == NULL) die("xmalloc");
  return p;
}

NOINLINE void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (p == NULL) die("xcalloc");
  return p;
}

NOINLINE char *str_dup(const char *s) {
  char *p = strdup(s); /* glibc's strdup calls malloc: one more frame to fold */
  if (p == NULL) die("str_dup");
  return p;
}

typedef struct {
  char *data;
  size_t len, cap, elem;
} vec_t;

/* Room for one more element: doubles with realloc (realloc(NULL, n) first). */
NOINLINE void *vec_grow(vec_t *v) {
  if (v->len == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    char *p = realloc(v->data, cap * v->elem);
    if (p == NULL) die("vec_grow");
    v->data = p;
    v->cap = cap;
  }
  return v->data + v->elem * v->len++;
}

#define ARENA_CHUNK 16384
typedef struct chunk_s {
  struct chunk_s *prev;
  size_t used;
  char mem[];
} chunk_t;

NOINLINE chunk_t *arena_chunk(chunk_t *prev) {
  chunk_t *c = xmalloc(sizeof(chunk_t) + ARENA_CHUNK);
  c->prev = prev;
  c->used = 0;
  return c;
}

NOINLINE void *arena_alloc(chunk_t **arena, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (*arena == NULL || (*arena)->used + n > ARENA_CHUNK) *arena = arena_chunk(*arena);
  void *p = (*arena)->mem + (*arena)->used;
  (*arena)->used += n;
  return p;
}

static void arena_free(chunk_t *c) {
  while (c != NULL) {
    chunk_t *prev = c->prev;
    free(c);
    c = prev;
  }
}

/* ---- the users: what the report should name ------------------------------ */

static uint64_t checksum;

/* 1,000 names of 8..47 characters, all freed at the end of the round. */
NOINLINE void intern_names(char **names, int n) {
  char buf[64];
  for (int i = 0; i < n; i++) {
    size_t len = 8 + rng() % 40;
    for (size_t k = 0; k < len; k++) buf[k] = (char)('a' + (i + k) % 26);
    buf[len] = '\0';
    names[i] = str_dup(buf);
    checksum += (unsigned char)names[i][len - 1];
  }
}

typedef struct {
  uint32_t kind, pos;
  uint64_t value;
} token_t;

/* Four token vectors of 3,000 tokens: 10 reallocs each (8 → 4,096 slots). */
NOINLINE void tokenize(vec_t *vecs, int nvec, int ntok) {
  for (int v = 0; v < nvec; v++) {
    vecs[v] = (vec_t){.elem = sizeof(token_t)};
    for (int i = 0; i < ntok; i++) {
      token_t *t = vec_grow(&vecs[v]);
      *t = (token_t){.kind = rng() % 7, .pos = (uint32_t)i, .value = rng()};
      checksum += t->kind;
    }
  }
}

/* 2,000 records of 48..175 bytes; every other one is freed at once. */
NOINLINE void load_records(void **keep, int n) {
  for (int i = 0; i < n; i++) {
    size_t size = 48 + rng() % 128;
    unsigned char *r = xmalloc(size);
    memset(r, i, size);
    checksum += r[size - 1];
    if (i % 2) {
      free(r);
      keep[i] = NULL;
    } else {
      keep[i] = r;
    }
  }
}

/* A 96 x 512 matrix of doubles, one calloc per row. */
NOINLINE double **build_matrix(int rows, int cols) {
  double **m = xcalloc((size_t)rows, sizeof *m);
  for (int i = 0; i < rows; i++) {
    m[i] = xcalloc((size_t)cols, sizeof **m);
    m[i][i % cols] = i;
    checksum += (uint64_t)m[i][i % cols];
  }
  return m;
}

/* 3,000 arena nodes of 24..87 bytes in 16 KiB chunks. */
NOINLINE chunk_t *parse_blocks(int n) {
  chunk_t *arena = NULL;
  for (int i = 0; i < n; i++) {
    size_t size = 24 + rng() % 64;
    char *node = arena_alloc(&arena, size);
    memset(node, 0, size);
    checksum += size;
  }
  return arena;
}

/* Temporaries straight from the malloc family, no wrapper: 400 mallocs of
 * 16..527 bytes, 50 posix_memalign and 50 aligned_alloc blocks. */
NOINLINE void scratch(int n) {
  for (int i = 0; i < n; i++) {
    size_t size = 16 + rng() % 512;
    char *volatile p = malloc(size); /* volatile: the malloc/free pair is not elided */
    if (p == NULL) die("scratch");
    p[0] = 1;
    checksum += (unsigned char)p[0];
    free(p);
  }
  for (int i = 0; i < 50; i++) {
    void *q = NULL;
    if (posix_memalign(&q, 64, 256 + (size_t)i) != 0) die("posix_memalign");
    char *a = aligned_alloc(128, 384);
    if (a == NULL) die("aligned_alloc");
    checksum += ((uintptr_t)q & 63) + ((uintptr_t)a & 127);
    free(q);
    free(a);
  }
}

/* One round of everything, all of it freed except what the caller keeps. */
static void round_once(void) {
  enum { NAMES = 1000, VECS = 4, TOKENS = 3000, RECORDS = 2000, ROWS = 96, COLS = 512 };
  static char *names[NAMES];
  static vec_t vecs[VECS];
  static void *records[RECORDS];
  intern_names(names, NAMES);
  tokenize(vecs, VECS, TOKENS);
  load_records(records, RECORDS);
  double **m = build_matrix(ROWS, COLS);
  chunk_t *arena = parse_blocks(3000);
  scratch(400);
  for (int i = 0; i < NAMES; i++) free(names[i]);
  for (int v = 0; v < VECS; v++) free(vecs[v].data);
  for (int i = 0; i < RECORDS; i++) free(records[i]); /* half are NULL: free(NULL) counts nowhere */
  for (int i = 0; i < ROWS; i++) free(m[i]);
  free(m);
  arena_free(arena);
}

/* The calls the two tools account differently (docs/heaptrack-comparison.md). */
static void edges(void) {
  void *m = memalign(64, 1000); /* glibc's memalign does not call the interposable malloc */
  if (m == NULL) die("memalign");
  free(m);
  char *p = xmalloc(300);
  char *q = realloc(p, 0); /* glibc frees p and returns NULL; rtprof returns a 0-byte block */
  free(q);
}

static void put(const char *s) { (void)!write(1, s, strlen(s)); }
static void put_u64(uint64_t v) {
  char buf[24], *e = buf + sizeof buf, *b = e;
  do *--b = (char)('0' + v % 10); while ((v /= 10) != 0);
  (void)!write(1, b, (size_t)(e - b));
}

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 1;
  if (rounds < 1) rounds = 1;
  /* Leaked on purpose: a table and a few names that live to the end. */
  char **config = xcalloc(64, sizeof *config);
  for (int i = 0; i < 8; i++) config[i] = str_dup("config-entry-kept-until-exit");
  for (long r = 0; r < rounds; r++) round_once();
  if (argc > 2 && strcmp(argv[2], "edges") == 0) edges();
  put("heaptrack_prog: rounds ");
  put_u64((uint64_t)rounds);
  put(" checksum ");
  put_u64(checksum);
  put("\n");
  return 0;
}
