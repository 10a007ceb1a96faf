/* Multi-threaded stress test against an independent model.
 *
 * 16 threads allocate random sizes (0 B .. 1 MiB, skewed to small), free
 * their own blocks and hand others to other threads through per-thread
 * mailboxes, grow and shrink blocks with realloc, ask for aligned blocks
 * (16 .. 64 KiB, alignment checked) and zeroed ones (zero checked), inside
 * nested phases (PROFILE_PHASE scopes, early `break` out of one, and
 * PROFILE_PHASE_BEGIN/END spans). Every block is filled with a pattern
 * derived from its seed and position; the pattern is checked at every free
 * and realloc, so corruption (a block handed out twice, a tag written over
 * user data) is caught.
 *
 * The test keeps its own ledger: allocations, frees and bytes in total and
 * per phase path (a block's free is counted in the phase that allocated it,
 * whichever thread frees it), and completed calls per phase. With the
 * threads parked at a checkpoint it compares the ledger with
 * rt_alloc_stats() and with a dump written by rtprof_dump() and parsed here:
 * totals, and per phase path the sums of its `pair` records. After the
 * threads free everything: live blocks and bytes are back to the baseline.
 *
 * Built against librtprof (rt_*), or with -DSTRESS_MALLOC against the C
 * malloc family (malloc/calloc/realloc/posix_memalign/aligned_alloc/memalign/
 * free), run with LD_PRELOAD=librtprof-preload.so. The harness itself never
 * allocates between the baseline and the final count (static arrays only),
 * so the interposer's totals must match the ledger exactly too.
 *
 * Usage: stress DIR   (RTPROF=1 for the model checks; with profiling off
 * only the pattern, alignment and zero checks run). Writes DIR/stress-base.dump
 * and DIR/stress-check.dump, and the ledger per phase path to
 * DIR/stress-model.txt (lines `totals A AB F FB` and
 * `phase A AB F FB CALLS PATH`) for tests/stress/t_stress.sh to compare
 * with `rtprof report --json`.
 * STRESS_OPS: operations per thread (default 100000); STRESS_SEED. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtprof.h"

#define THREADS 16
#define SLOTS 96     /* blocks a thread holds at most */
#define BOX_CAP 128  /* blocks waiting in a thread's mailbox at most */
#define MAX_SIZE ((size_t)1 << 20)

#ifdef STRESS_MALLOC
#define VARIANT "malloc (interposed)"
#define S_ALLOC(n) malloc(n)
#define S_CALLOC(n, s) calloc(n, s)
#define S_REALLOC(p, n) realloc(p, n)
#define S_FREE(p) free(p)
#define S_USABLE(p) malloc_usable_size(p)
static void *s_aligned(size_t n, size_t a, unsigned how) {
  void *p = NULL;
  switch (how % 3) {
  case 0: return posix_memalign(&p, a, n) == 0 ? p : NULL;
  case 1: return aligned_alloc(a, (n + a - 1) & ~(a - 1)); /* C11: a multiple of a */
  default: return memalign(a, n);
  }
}
/* aligned_alloc rounds the size up: the block's requested size is that. */
static size_t aligned_size(size_t n, size_t a, unsigned how) {
  return how % 3 == 1 ? (n + a - 1) & ~(a - 1) : n;
}
#else
#define VARIANT "rt_*"
#define S_ALLOC(n) rt_alloc(n)
#define S_CALLOC(n, s) rt_calloc(n, s)
#define S_REALLOC(p, n) rt_realloc(p, n)
#define S_FREE(p) rt_free(p)
#define S_USABLE(p) rt_usable_size(p)
static void *s_aligned(size_t n, size_t a, unsigned how) { (void)how; return rt_alloc_aligned(n, a); }
static size_t aligned_size(size_t n, size_t a, unsigned how) { (void)a, (void)how; return n; }
#endif

/* ---- failures: counted, the first few printed ---------------------------- */
static atomic_int failures;
#define FAIL(...)                                                             \
  do {                                                                        \
    if (atomic_fetch_add(&failures, 1) < 30) {                                \
      fprintf(stderr, "stress.c:%d: ", __LINE__);                             \
      fprintf(stderr, __VA_ARGS__);                                           \
      fputc('\n', stderr);                                                    \
    }                                                                         \
  } while (0)
#define EXPECT_EQ(what, got, want)                                            \
  do {                                                                        \
    uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                     \
    if (g_ != w_) FAIL("%s: %" PRIu64 ", model says %" PRIu64, what, g_, w_); \
  } while (0)

/* ---- phases the test uses, by model index --------------------------------- */
enum {
  PH_NONE = 0,
  PH_STRESS,        /* stress */
  PH_SCOPED,        /* stress/scoped */
  PH_SPAN,          /* stress/span */
  PH_INNER,         /* stress/span/inner */
  PH_TOP_SPAN,      /* span */
  PH_TOP_SCOPED,    /* span/scoped */
  PH_OWN,           /* stress/tNN, one per thread: PH_OWN + thread */
  NPH = PH_OWN + THREADS
};
static char ph_path[NPH][32];
static const char *own_name[THREADS] = {"t00", "t01", "t02", "t03", "t04", "t05", "t06", "t07",
                                        "t08", "t09", "t10", "t11", "t12", "t13", "t14", "t15"};

/* ---- the ledger ------------------------------------------------------------ */
typedef struct counts_s {
  uint64_t allocs, alloc_bytes, frees, freed_bytes;
} counts_t;

typedef struct blk_s {
  unsigned char *p;           /* NULL: empty slot */
  size_t size;                /* requested bytes */
  uint64_t seed;              /* the pattern's */
  int phase;                  /* model index of the allocating phase */
} blk_t;

typedef struct mailbox_s {
  pthread_mutex_t lock;
  int n;
  blk_t items[BOX_CAP];
} mailbox_t;

typedef struct thr_s {
  int id;
  uint64_t rng;
  uint64_t next_seed;
  counts_t total;
  counts_t ph[NPH];           /* by the block's allocating phase */
  uint64_t calls[NPH];        /* completed calls of each phase (model) */
  int stack[8], depth;        /* open phases (model) */
  blk_t slots[SLOTS];
  mailbox_t box;
  long ops, ops_done;
  /* what this thread did, for the summary */
  uint64_t n_alloc, n_calloc, n_aligned, n_realloc, n_posted, n_adopted, n_large;
  char pad[64];
} thr_t;

static thr_t thr[THREADS];
static pthread_barrier_t barrier;

/* ---- random numbers: xorshift64*, per thread -------------------------------- */
static uint64_t rnd(thr_t *t) {
  uint64_t x = t->rng;
  x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
  t->rng = x;
  return x * 0x2545F4914F6CDD1Dull;
}
static unsigned rnd_below(thr_t *t, unsigned n) { return (unsigned)((rnd(t) >> 32) % n); }

/* Skewed to small, but every size class is exercised, 0 B .. 1 MiB. */
static size_t rnd_size(thr_t *t) {
  unsigned r = rnd_below(t, 1000);
  if (r < 3) return 0;                                            /* a unique, empty block */
  if (r < 600) return 1 + rnd_below(t, 128);                      /* 1 .. 128 */
  if (r < 900) return 129 + rnd_below(t, 4096 - 128);             /* .. 4 KiB */
  if (r < 990) return 4097 + rnd_below(t, 65536 - 4096);          /* .. 64 KiB */
  if (r < 997) return 65537 + rnd_below(t, 262144 - 65536);       /* .. 256 KiB */
  t->n_large++;
  return r == 999 ? MAX_SIZE : 262145 + rnd_below(t, (unsigned)MAX_SIZE - 262144); /* .. 1 MiB */
}

/* ---- the pattern: byte i of a block is byte i%8 of word(seed, i/8) --------- */
static inline uint64_t pat_word(uint64_t seed, size_t k) {
  uint64_t x = seed + k * 0x9E3779B97F4A7C15ull;
  x ^= x >> 31;
  return x * 0xBF58476D1CE4E5B9ull;
}
static inline unsigned char pat_byte(uint64_t seed, size_t i) {
  return (unsigned char)(pat_word(seed, i >> 3) >> (8 * (i & 7)));
}
static void fill(unsigned char *p, uint64_t seed, size_t from, size_t to) {
  size_t i = from;
  for (; i < to && (i & 7); i++) p[i] = pat_byte(seed, i);
  for (; i + 8 <= to; i += 8) {
    uint64_t w = pat_word(seed, i >> 3);
    memcpy(p + i, &w, 8);
  }
  for (; i < to; i++) p[i] = pat_byte(seed, i);
}
/* Returns the first offset in [0, n) that does not hold the pattern, or n. */
static size_t check(const unsigned char *p, uint64_t seed, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    if (w != pat_word(seed, i >> 3)) break;
  }
  for (; i < n; i++)
    if (p[i] != pat_byte(seed, i)) return i;
  return n;
}
static void verify(const thr_t *t, const blk_t *b, size_t n, const char *when) {
  size_t bad = check(b->p, b->seed, n);
  if (bad != n)
    FAIL("thread %d: block %p of %zu bytes damaged at offset %zu (%s): 0x%02x, want 0x%02x", t->id,
         (void *)b->p, b->size, bad, when, b->p[bad], pat_byte(b->seed, bad));
}

/* ---- the ledger's updates ------------------------------------------------------ */
static int cur_phase(thr_t *t) { return t->depth ? t->stack[t->depth - 1] : PH_NONE; }

static void note_alloc(thr_t *t, blk_t *b, unsigned char *p, size_t size, size_t align, const char *fn) {
  if (((uintptr_t)p & (align - 1)) != 0)
    FAIL("thread %d: %s of %zu bytes returned %p, not aligned to %zu", t->id, fn, size, (void *)p, align);
  if (size > 0 && S_USABLE(p) < size) FAIL("thread %d: usable size %zu < %zu", t->id, (size_t)S_USABLE(p), size);
  b->p = p;
  b->size = size;
  b->phase = cur_phase(t);
  t->total.allocs++, t->total.alloc_bytes += size;
  t->ph[b->phase].allocs++, t->ph[b->phase].alloc_bytes += size;
}

static void note_free(thr_t *t, blk_t *b) {
  t->total.frees++, t->total.freed_bytes += b->size;
  t->ph[b->phase].frees++, t->ph[b->phase].freed_bytes += b->size;
  b->p = NULL;
}

static void free_block(thr_t *t, blk_t *b) {
  verify(t, b, b->size, "at free");
  S_FREE(b->p);
  note_free(t, b);
}

static void new_block(thr_t *t, blk_t *b) {
  size_t size = rnd_size(t), align = 16;
  unsigned kind = rnd_below(t, 100);
  unsigned char *p;
  const char *fn;
  b->seed = t->next_seed++;
  if (kind < 70) {
    p = S_ALLOC(size);
    fn = "malloc";
    t->n_alloc++;
  } else if (kind < 85) {
    size_t n = 1 + rnd_below(t, 8), each = (size + n - 1) / n;
    size = n * each;
    p = S_CALLOC(n, each);
    fn = "calloc";
    t->n_calloc++;
    if (p != NULL)
      for (size_t i = 0; i < size; i++)
        if (p[i] != 0) {
          FAIL("thread %d: calloc'd block %p of %zu bytes is not zero at %zu", t->id, (void *)p, size, i);
          break;
        }
  } else {
    align = (size_t)16 << rnd_below(t, 13); /* 16 .. 64 KiB */
    unsigned how = rnd_below(t, 3);
    p = s_aligned(size, align, how);
    size = aligned_size(size, align, how);
    fn = "aligned allocation";
    t->n_aligned++;
  }
  if (p == NULL) {
    FAIL("thread %d: allocation of %zu bytes failed (errno %d)", t->id, size, errno);
    return;
  }
  note_alloc(t, b, p, size, align, fn);
  fill(p, b->seed, 0, size);
}

static void realloc_block(thr_t *t, blk_t *b) {
  if (b->p == NULL) { /* realloc(NULL, n) is an allocation */
    size_t size = rnd_size(t);
    unsigned char *p = S_REALLOC(NULL, size);
    if (p == NULL) {
      FAIL("thread %d: realloc(NULL, %zu) failed", t->id, size);
      return;
    }
    b->seed = t->next_seed++;
    note_alloc(t, b, p, size, 16, "realloc(NULL)");
    fill(p, b->seed, 0, size);
    t->n_realloc++;
    return;
  }
  size_t old = b->size, size;
  unsigned how = rnd_below(t, 8);
  if (how == 0) size = old * 2 + 1 > MAX_SIZE ? MAX_SIZE : old * 2 + 1; /* grow */
  else if (how == 1) size = old / 2;                                   /* shrink */
  else if (how == 2) size = old + 1 + rnd_below(t, 64);                /* grow a little */
  else size = rnd_size(t);
#ifdef STRESS_MALLOC
  if (size == 0) size = 1; /* glibc's realloc(p, 0) frees: not the C11 contract we test */
#endif
  verify(t, b, old, "before realloc");
  unsigned char *p = S_REALLOC(b->p, size);
  if (p == NULL) {
    FAIL("thread %d: realloc(%p, %zu) failed", t->id, (void *)b->p, size);
    return;
  }
  blk_t was = *b;
  note_free(t, &was);
  note_alloc(t, b, p, size, 16, "realloc");
  b->seed = was.seed;
  size_t keep = old < size ? old : size;
  verify(t, b, keep, "after realloc: contents not kept");
  if (size > old) fill(p, b->seed, old, size);
  t->n_realloc++;
}

/* ---- mailboxes ----------------------------------------------------------------- */
static int post(thr_t *to, const blk_t *b) {
  pthread_mutex_lock(&to->box.lock);
  int ok = to->box.n < BOX_CAP;
  if (ok) to->box.items[to->box.n++] = *b;
  pthread_mutex_unlock(&to->box.lock);
  return ok;
}

/* Takes the blocks others sent: frees some, adopts the rest (later freed,
 * reallocated or posted on by this thread). */
static void drain(thr_t *t, int adopt_all) {
  blk_t got[BOX_CAP];
  pthread_mutex_lock(&t->box.lock);
  int n = t->box.n;
  memcpy(got, t->box.items, (size_t)n * sizeof got[0]);
  t->box.n = 0;
  pthread_mutex_unlock(&t->box.lock);
  for (int i = 0; i < n; i++) {
    blk_t *b = &got[i];
    verify(t, b, b->size, "received from another thread");
    if (adopt_all || rnd_below(t, 2)) {
      blk_t *s = &t->slots[rnd_below(t, SLOTS)];
      if (s->p == NULL) {
        *s = *b;
        t->n_adopted++;
        continue;
      }
    }
    free_block(t, b);
  }
}

static void release_slot(thr_t *t, blk_t *b) {
  if (rnd_below(t, 3) == 0) {
    int to = (t->id + 1 + (int)rnd_below(t, THREADS - 1)) % THREADS;
    verify(t, b, b->size, "before posting");
    if (post(&thr[to], b)) {
      b->p = NULL;
      t->n_posted++;
      return;
    }
  }
  free_block(t, b);
}

/* One random operation. */
static void op(thr_t *t) {
  blk_t *b = &t->slots[rnd_below(t, SLOTS)];
  unsigned r = rnd_below(t, 100);
  if (r < 40) {
    if (b->p) release_slot(t, b);
    new_block(t, b);
  } else if (r < 60) {
    if (b->p) free_block(t, b);
  } else if (r < 72) {
    if (b->p) {
      int to = (t->id + 1 + (int)rnd_below(t, THREADS - 1)) % THREADS;
      if (post(&thr[to], b)) b->p = NULL, t->n_posted++;
    }
  } else if (r < 92) {
    realloc_block(t, b);
  } else {
    drain(t, 0);
  }
  t->ops_done++;
}

static void ops(thr_t *t, unsigned n) {
  for (unsigned i = 0; i < n && t->ops_done < t->ops; i++) op(t);
}

/* The model's phase stack, kept beside rtprof's; the scoped form pops with
 * the same cleanup mechanism as PROFILE_PHASE, so early exits stay paired. */
static int model_push(thr_t *t, int ph) {
  t->stack[t->depth++] = ph;
  return t->id;
}
static void model_pop_id(int *id) {
  thr_t *t = &thr[*id];
  t->calls[t->stack[--t->depth]]++;
}
#define MODEL_SCOPE(t, ph) \
  __attribute__((cleanup(model_pop_id))) int RTPROF_CAT_(model_scope_, __COUNTER__) = model_push(t, ph)
static void model_pop(thr_t *t) {
  int id = t->id;
  model_pop_id(&id);
}

/* One round: a few operations in a randomly chosen arrangement of phases. */
static void round_of(thr_t *t) {
  unsigned k = 1 + rnd_below(t, 48);
  switch (rnd_below(t, 6)) {
  case 0: /* outside any phase */
    ops(t, k);
    break;
  case 1: { /* stress { scoped { ... break early ... } } */
    PROFILE_PHASE("stress");
    MODEL_SCOPE(t, PH_STRESS);
    ops(t, k / 2);
    for (unsigned i = 0; i < k; i++) {
      PROFILE_PHASE("scoped");
      MODEL_SCOPE(t, PH_SCOPED);
      op(t);
      if (rnd_below(t, 8) == 0) break; /* leaves the scope early: both cleanups run */
    }
    ops(t, k / 2);
    break;
  }
  case 2: { /* stress { BEGIN span ... BEGIN inner ... END ... END } */
    PROFILE_PHASE("stress");
    MODEL_SCOPE(t, PH_STRESS);
    PROFILE_PHASE_BEGIN("span");
    model_push(t, PH_SPAN);
    ops(t, k / 3);
    PROFILE_PHASE_BEGIN("inner");
    model_push(t, PH_INNER);
    ops(t, k / 3);
    PROFILE_PHASE_END();
    model_pop(t);
    ops(t, k / 3);
    PROFILE_PHASE_END();
    model_pop(t);
    break;
  }
  case 3: { /* stress/tNN: a path only this thread uses */
    PROFILE_PHASE("stress");
    MODEL_SCOPE(t, PH_STRESS);
    PROFILE_PHASE(own_name[t->id]);
    MODEL_SCOPE(t, PH_OWN + t->id);
    ops(t, k);
    break;
  }
  case 4: /* BEGIN span { scoped } END, at top level */
    PROFILE_PHASE_BEGIN("span");
    model_push(t, PH_TOP_SPAN);
    ops(t, k / 2);
    {
      PROFILE_PHASE("scoped");
      MODEL_SCOPE(t, PH_TOP_SCOPED);
      ops(t, k / 2);
    }
    PROFILE_PHASE_END();
    model_pop(t);
    break;
  default: { /* plain ops inside stress */
    PROFILE_PHASE("stress");
    MODEL_SCOPE(t, PH_STRESS);
    ops(t, k);
    break;
  }
  }
}

static void *worker(void *arg) {
  thr_t *t = arg;
  pthread_barrier_wait(&barrier); /* ready: the baseline is taken */
  pthread_barrier_wait(&barrier); /* go */
  while (t->ops_done < t->ops) round_of(t);
  pthread_barrier_wait(&barrier); /* everyone stopped posting */
  drain(t, 1);
  pthread_barrier_wait(&barrier); /* checkpoint: main compares */
  pthread_barrier_wait(&barrier); /* main is done */
  for (int i = 0; i < SLOTS; i++)
    if (t->slots[i].p) free_block(t, &t->slots[i]);
  pthread_barrier_wait(&barrier); /* all freed: main counts again */
  pthread_barrier_wait(&barrier);
  return NULL;
}

/* ---- the dump, read back -------------------------------------------------------- */
typedef struct dump_s {
  int ok;
  uint64_t t_allocs, t_frees, t_alloc_bytes, t_freed_bytes, t_live_blocks, t_live_bytes;
  uint64_t t_failed, t_peak_live;
  uint64_t site_allocs, site_frees, over_allocs, over_frees;
  counts_t ph[NPH];
  uint64_t calls[NPH], open[NPH];
  int unknown_phases;         /* phases the model does not have */
} dump_t;

#define MAX_DUMP_PHASES 4096
static struct { uint32_t parent; int model; char path[256]; } dphase[MAX_DUMP_PHASES];

static uint64_t field(const char *line, const char *key) {
  char k[64];
  snprintf(k, sizeof k, " %s=", key);
  const char *s = strstr(line, k);
  return s ? strtoull(s + strlen(k), NULL, 10) : UINT64_MAX;
}

static void read_dump(const char *path, dump_t *d) {
  memset(d, 0, sizeof *d);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    FAIL("cannot read the dump %s", path);
    return;
  }
  static char line[8192];
  int have_end = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "totals ", 7) == 0) {
      d->t_allocs = field(line, "allocs"), d->t_frees = field(line, "frees");
      d->t_alloc_bytes = field(line, "alloc_bytes"), d->t_freed_bytes = field(line, "freed_bytes");
      d->t_live_blocks = field(line, "live_blocks"), d->t_live_bytes = field(line, "live_bytes");
      d->t_failed = field(line, "failed_allocs"), d->t_peak_live = field(line, "peak_live_bytes");
    } else if (strncmp(line, "site ", 5) == 0) {
      d->site_allocs += field(line, "allocs"), d->site_frees += field(line, "frees");
    } else if (strncmp(line, "overflow ", 9) == 0) {
      d->over_allocs = field(line, "allocs"), d->over_frees = field(line, "frees");
    } else if (strncmp(line, "phase ", 6) == 0) {
      uint64_t id = field(line, "id"), parent = field(line, "parent");
      const char *name = strstr(line, " name=");
      if (id == 0 || id >= MAX_DUMP_PHASES || parent >= id || name == NULL) {
        FAIL("%s: unexpected phase record: %s", path, line);
        continue;
      }
      name += 6;
      char *p = dphase[id].path, tmp[sizeof dphase[0].path];
      if (parent) snprintf(tmp, sizeof tmp, "%s/%s", dphase[parent].path, name);
      else snprintf(tmp, sizeof tmp, "%s", name);
      memcpy(p, tmp, sizeof tmp);
      dphase[id].model = -1;
      for (int m = 1; m < NPH; m++)
        if (strcmp(ph_path[m], p) == 0) dphase[id].model = m;
      if (dphase[id].model < 0) {
        d->unknown_phases++;
        FAIL("%s: phase '%s' is not one the test opened", path, p);
        continue;
      }
      d->calls[dphase[id].model] = field(line, "calls");
      d->open[dphase[id].model] = field(line, "open");
    } else if (strncmp(line, "pair ", 5) == 0) {
      uint64_t id = field(line, "phase");
      if (id == 0 || id >= MAX_DUMP_PHASES || dphase[id].path[0] == '\0') {
        FAIL("%s: pair of an unknown phase: %s", path, line);
        continue;
      }
      if (dphase[id].model < 0) continue;
      counts_t *c = &d->ph[dphase[id].model];
      c->allocs += field(line, "allocs"), c->alloc_bytes += field(line, "alloc_bytes");
      c->frees += field(line, "frees"), c->freed_bytes += field(line, "freed_bytes");
    } else if (strncmp(line, "end ", 4) == 0) {
      have_end = 1;
    }
  }
  fclose(f);
  memset(dphase, 0, sizeof dphase);
  if (!have_end) FAIL("%s: no end record", path);
  d->ok = have_end;
}

static rt_alloc_stats_t stats(void) {
  rt_alloc_stats_t s;
  rt_alloc_stats(&s);
  return s;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  long ops_per_thread = getenv("STRESS_OPS") ? atol(getenv("STRESS_OPS")) : 100000;
  uint64_t seed = getenv("STRESS_SEED") ? strtoull(getenv("STRESS_SEED"), NULL, 0) : (uint64_t)time(NULL);
  bool on = rtprof_enabled();
  printf("stress: %s, %d threads x %ld operations, seed %" PRIu64 ", profiling %s\n", VARIANT, THREADS,
         ops_per_thread, seed, on ? "on" : "off");
  fflush(stdout);

  snprintf(ph_path[PH_STRESS], sizeof ph_path[0], "stress");
  snprintf(ph_path[PH_SCOPED], sizeof ph_path[0], "stress/scoped");
  snprintf(ph_path[PH_SPAN], sizeof ph_path[0], "stress/span");
  snprintf(ph_path[PH_INNER], sizeof ph_path[0], "stress/span/inner");
  snprintf(ph_path[PH_TOP_SPAN], sizeof ph_path[0], "span");
  snprintf(ph_path[PH_TOP_SCOPED], sizeof ph_path[0], "span/scoped");
  for (int i = 0; i < THREADS; i++) snprintf(ph_path[PH_OWN + i], sizeof ph_path[0], "stress/%s", own_name[i]);

  char base_dump[4096], check_dump[4096];
  snprintf(base_dump, sizeof base_dump, "%s/stress-base.dump", dir);
  snprintf(check_dump, sizeof check_dump, "%s/stress-check.dump", dir);

  pthread_barrier_init(&barrier, NULL, THREADS + 1);
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++) {
    thr[i].id = i;
    thr[i].rng = (seed + 1) * 0x9E3779B97F4A7C15ull + (uint64_t)i * 0xD1B54A32D192ED03ull;
    if (thr[i].rng == 0) thr[i].rng = 1;
    thr[i].next_seed = (uint64_t)i << 48;
    thr[i].ops = ops_per_thread;
    pthread_mutex_init(&thr[i].box.lock, NULL);
    if (pthread_create(&th[i], NULL, worker, &thr[i]) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      return 1;
    }
  }

  /* From here to the final count the harness does not allocate. */
  pthread_barrier_wait(&barrier); /* ready */
  rt_alloc_stats_t s0 = stats();
  if (on && rtprof_dump(base_dump) != 0) FAIL("rtprof_dump(%s) failed", base_dump);
  rt_alloc_stats_t s0b = stats();
  double t0 = now_s();
  pthread_barrier_wait(&barrier); /* go */
  pthread_barrier_wait(&barrier); /* stopped */
  pthread_barrier_wait(&barrier); /* mailboxes drained: checkpoint */
  double t1 = now_s();

  counts_t m = {0}, mph[NPH] = {{0}};
  uint64_t mcalls[NPH] = {0}, live_blocks = 0, live_bytes = 0;
  for (int i = 0; i < THREADS; i++) {
    thr_t *t = &thr[i];
    m.allocs += t->total.allocs, m.alloc_bytes += t->total.alloc_bytes;
    m.frees += t->total.frees, m.freed_bytes += t->total.freed_bytes;
    for (int p = 0; p < NPH; p++) {
      mph[p].allocs += t->ph[p].allocs, mph[p].alloc_bytes += t->ph[p].alloc_bytes;
      mph[p].frees += t->ph[p].frees, mph[p].freed_bytes += t->ph[p].freed_bytes;
      mcalls[p] += t->calls[p];
    }
    for (int k = 0; k < SLOTS; k++)
      if (t->slots[k].p) live_blocks++, live_bytes += t->slots[k].size;
    if (t->box.n != 0) FAIL("thread %d's mailbox still holds %d blocks", i, t->box.n);
    if (t->depth != 0) FAIL("thread %d: model phase stack not empty", i);
  }
  if (live_blocks != m.allocs - m.frees || live_bytes != m.alloc_bytes - m.freed_bytes)
    FAIL("the model does not balance: %" PRIu64 " blocks held, %" PRIu64 " allocs - %" PRIu64 " frees",
         live_blocks, m.allocs, m.frees);

  rt_alloc_stats_t s1 = stats();
  if (on && rtprof_dump(check_dump) != 0) FAIL("rtprof_dump(%s) failed", check_dump);
  rt_alloc_stats_t s1b = stats();
  pthread_barrier_wait(&barrier); /* main is done: free everything */
  pthread_barrier_wait(&barrier); /* all freed */
  rt_alloc_stats_t s2 = stats();
  pthread_barrier_wait(&barrier);
  /* The harness may allocate again (stdio, pthread_join, reading dumps). */
  for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);

  uint64_t n_alloc = 0, n_calloc = 0, n_aligned = 0, n_realloc = 0, n_posted = 0, n_adopted = 0, n_large = 0;
  for (int i = 0; i < THREADS; i++) {
    n_alloc += thr[i].n_alloc, n_calloc += thr[i].n_calloc, n_aligned += thr[i].n_aligned;
    n_realloc += thr[i].n_realloc, n_posted += thr[i].n_posted, n_adopted += thr[i].n_adopted;
    n_large += thr[i].n_large;
  }
  printf("%.2f s: %" PRIu64 " allocations (%" PRIu64 " malloc, %" PRIu64 " calloc, %" PRIu64
         " aligned, %" PRIu64 " realloc; %" PRIu64 " of 256 KiB..1 MiB), %" PRIu64
         " blocks sent to another thread (%" PRIu64 " adopted), %" PRIu64 " live at the checkpoint (%" PRIu64
         " bytes)\n",
         t1 - t0, m.allocs, n_alloc, n_calloc, n_aligned, n_realloc, n_large, n_posted, n_adopted, live_blocks,
         live_bytes);

  if (!on) {
    EXPECT_EQ("allocs with profiling off", s2.allocs, 0);
    EXPECT_EQ("live bytes with profiling off", s2.live_bytes, 0);
  } else {
    /* rt_alloc_stats() against the ledger */
    EXPECT_EQ("baseline allocs moved while the threads were parked", s0b.allocs, s0.allocs);
    EXPECT_EQ("allocs", s1.allocs - s0.allocs, m.allocs);
    EXPECT_EQ("frees", s1.frees - s0.frees, m.frees);
    EXPECT_EQ("live_blocks", s1.live_blocks - s0.live_blocks, live_blocks);
    EXPECT_EQ("live_bytes", s1.live_bytes - s0.live_bytes, live_bytes);
    EXPECT_EQ("failed_allocs", s1.failed_allocs, s0.failed_allocs);
    if (s1.peak_live_bytes < s1.live_bytes)
      FAIL("peak_live_bytes %" PRIu64 " < live_bytes %" PRIu64, s1.peak_live_bytes, s1.live_bytes);
    if (s1.peak_live_bytes < s0.peak_live_bytes) FAIL("peak_live_bytes went down");
    EXPECT_EQ("allocs moved while the dump was written", s1b.allocs, s1.allocs);
    EXPECT_EQ("frees moved while the dump was written", s1b.frees, s1.frees);
    /* after everything was freed */
    EXPECT_EQ("final allocs", s2.allocs - s0.allocs, m.allocs);
    EXPECT_EQ("final frees", s2.frees - s0.frees, m.allocs);
    EXPECT_EQ("final live_blocks (back to the baseline)", s2.live_blocks, s0.live_blocks);
    EXPECT_EQ("final live_bytes (back to the baseline)", s2.live_bytes, s0.live_bytes);
    if (s2.peak_live_bytes < s1.live_bytes) FAIL("final peak_live_bytes below the checkpoint's live bytes");

    /* the dumps against the stats and the ledger */
    static dump_t d0, d1;
    read_dump(base_dump, &d0);
    read_dump(check_dump, &d1);
    if (d0.ok && d1.ok) {
      EXPECT_EQ("dump totals.allocs", d1.t_allocs, s1.allocs);
      EXPECT_EQ("dump totals.frees", d1.t_frees, s1.frees);
      EXPECT_EQ("dump totals.live_blocks", d1.t_live_blocks, s1.live_blocks);
      EXPECT_EQ("dump totals.live_bytes", d1.t_live_bytes, s1.live_bytes);
      EXPECT_EQ("dump totals.failed_allocs", d1.t_failed, s1.failed_allocs);
      EXPECT_EQ("base dump totals.allocs", d0.t_allocs, s0.allocs);
      EXPECT_EQ("dump alloc_bytes", d1.t_alloc_bytes - d0.t_alloc_bytes, m.alloc_bytes);
      EXPECT_EQ("dump freed_bytes", d1.t_freed_bytes - d0.t_freed_bytes, m.freed_bytes);
      EXPECT_EQ("dump live_bytes == alloc_bytes - freed_bytes", d1.t_live_bytes, d1.t_alloc_bytes - d1.t_freed_bytes);
      if (d1.t_peak_live < d1.t_live_bytes) FAIL("dump peak_live_bytes below live_bytes");
      EXPECT_EQ("dump: sum of site allocs + overflow", d1.site_allocs + d1.over_allocs, d1.t_allocs);
      EXPECT_EQ("dump: sum of site frees + overflow", d1.site_frees + d1.over_frees, d1.t_frees);
      uint64_t in_phases = 0;
      for (int p = 1; p < NPH; p++) {
        char what[96];
#define PH_EQ(field, want)                                                      \
  snprintf(what, sizeof what, "phase %s " #field, ph_path[p]);                \
  EXPECT_EQ(what, d1.field - d0.field, want)
        PH_EQ(ph[p].allocs, mph[p].allocs);
        PH_EQ(ph[p].alloc_bytes, mph[p].alloc_bytes);
        PH_EQ(ph[p].frees, mph[p].frees);
        PH_EQ(ph[p].freed_bytes, mph[p].freed_bytes);
        PH_EQ(calls[p], mcalls[p]);
        snprintf(what, sizeof what, "phase %s open", ph_path[p]);
        EXPECT_EQ(what, d1.open[p], 0);
        in_phases += mph[p].allocs;
      }
      printf("dump: %" PRIu64 " allocations in %d phase paths, %" PRIu64 " outside phases, compared\n",
             in_phases, NPH - 1, mph[PH_NONE].allocs);
    }
  }
  /* The ledger per phase path, for the wrapper to compare with the report. */
  if (on) {
    char model_path[4096];
    snprintf(model_path, sizeof model_path, "%s/stress-model.txt", dir);
    FILE *mf = fopen(model_path, "w");
    if (mf == NULL) {
      FAIL("cannot write %s", model_path);
    } else {
      fprintf(mf, "totals %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", m.allocs, m.alloc_bytes, m.frees,
              m.freed_bytes);
      for (int p = 1; p < NPH; p++)
        fprintf(mf, "phase %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n", mph[p].allocs,
                mph[p].alloc_bytes, mph[p].frees, mph[p].freed_bytes, mcalls[p], ph_path[p]);
      fclose(mf);
    }
  }
  int f = atomic_load(&failures);
  if (f) fprintf(stderr, "stress: %d failed checks (seed %" PRIu64 ")\n", f, seed);
  else printf("stress: ok\n");
  return f ? 1 : 0;
}
