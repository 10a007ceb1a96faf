/* Bounded, lock-free intern tables: a call site (its return address, or its
 * N-frame stack) becomes a small dense id, and so does a (phase, site) pair.
 * Open addressing over a fixed array; a slot is claimed with one CAS, and its
 * id published with a release store. When the ids run out, new keys get the
 * overflow id, so every byte is still counted. */
#include "internal.h"

#define RT_MAX_PROBES 256 /* a lookup gives up (overflow) after this many */

typedef struct rt_table_s {
  uint64_t *keys;             /* 0 = empty; claimed once with CAS, never freed */
  uint32_t *ids;              /* id + 1 once published (release), 0 before */
  uint32_t mask;              /* slots - 1 */
  uint32_t next;              /* next id to hand out (atomic) */
  uint32_t limit;             /* ids are < limit */
  uint64_t dropped;           /* distinct keys turned away (atomic) */
} rt_table_t;

/* State of the two tables; set once by rt_tables_init, then read-only except
 * for the atomics noted above. */
static struct {
  rt_table_t sites;           /* ids 1..capacity; 0 = overflow */
  rt_table_t pairs;           /* ids from `phases`; below it reserved per phase */
  uintptr_t *frames;          /* [id * depth + i], written before id is published */
  uint64_t *pair_keys;        /* [pair id] = phase << 32 | site */
  uint32_t depth;
} rt_tab;

static uint64_t mix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return k;
}

static bool table_alloc(rt_table_t *t, uint32_t capacity, uint32_t first_id) {
  uint32_t slots = 64;
  while (slots < 2 * capacity) slots <<= 1;
  t->keys = rt_os_alloc((size_t)slots * sizeof *t->keys);
  t->ids = rt_os_alloc((size_t)slots * sizeof *t->ids);
  t->mask = slots - 1;
  t->next = first_id;
  t->limit = first_id + capacity;
  return t->keys != NULL && t->ids != NULL;
}

typedef bool (*rt_verify_fn)(uint32_t id, const void *ctx);
typedef void (*rt_publish_fn)(uint32_t id, uint64_t key, const void *ctx);

/* Returns the id of `key` (nonzero), inserting it; `overflow_id` when the
 * table is full. `verify` tells apart different keys with the same hash. */
static uint32_t table_intern(rt_table_t *t, uint64_t key, uint32_t overflow_id,
                             rt_verify_fn verify, rt_publish_fn publish, const void *ctx) {
  uint32_t i = (uint32_t)mix64(key) & t->mask;
  for (int probe = 0; probe < RT_MAX_PROBES; probe++, i = (i + 1) & t->mask) {
    uint64_t k = rt_load_acquire(&t->keys[i]);
    if (k == 0) {
      uint64_t expected = 0;
      if (__atomic_compare_exchange_n(&t->keys[i], &expected, key, false, __ATOMIC_ACQ_REL,
                                      __ATOMIC_ACQUIRE)) {
        uint32_t id = rt_add_relaxed(&t->next, 1);
        if (id >= t->limit) {
          id = overflow_id;
          rt_add_relaxed(&t->dropped, 1);
        } else if (publish) {
          publish(id, key, ctx);
        }
        rt_store_release(&t->ids[i], id + 1);
        return id;
      }
      k = expected;
    }
    if (k != key) continue;
    uint32_t published;
    while ((published = rt_load_acquire(&t->ids[i])) == 0) __builtin_ia32_pause(); /* x86-64 */
    uint32_t id = published - 1;
    if (id == overflow_id || verify == NULL || verify(id, ctx)) return id;
  }
  rt_add_relaxed(&t->dropped, 1);
  return overflow_id;
}

bool rt_tables_init(void) {
  rt_tab.depth = rt_options.depth;
  if (!table_alloc(&rt_tab.sites, rt_options.sites, 1)) return false;
  if (!table_alloc(&rt_tab.pairs, rt_options.pairs, rt_options.phases)) return false;
  rt_tab.frames = rt_os_alloc(((size_t)rt_options.sites + 1) * rt_tab.depth * sizeof(uintptr_t));
  rt_tab.pair_keys = rt_os_alloc(((size_t)rt_options.phases + rt_options.pairs) * sizeof(uint64_t));
  return rt_tab.frames != NULL && rt_tab.pair_keys != NULL;
}

/* Frames are written before the id is published and read by the dump
 * without that acquire, hence relaxed atomics element by element. */
static bool frames_equal(uint32_t id, const void *ctx) {
  const uintptr_t *want = ctx, *have = &rt_tab.frames[(size_t)id * rt_tab.depth];
  for (uint32_t i = 0; i < rt_tab.depth; i++)
    if (rt_load_relaxed(&have[i]) != want[i]) return false;
  return true;
}

static void frames_store(uint32_t id, uint64_t key, const void *ctx) {
  (void)key;
  const uintptr_t *src = ctx;
  uintptr_t *dst = &rt_tab.frames[(size_t)id * rt_tab.depth];
  for (uint32_t i = 0; i < rt_tab.depth; i++) rt_store_relaxed(&dst[i], src[i]);
}

uint32_t rt_site_intern(const uintptr_t *frames, uint32_t depth) {
  uint64_t key;
  if (depth == 1) {
    key = frames[0];
  } else {
    key = 0x9e3779b97f4a7c15ULL;
    for (uint32_t i = 0; i < depth; i++) key = mix64(key ^ frames[i]) + i;
  }
  if (key == 0) key = 1; /* 0 marks an empty slot */
  return table_intern(&rt_tab.sites, key, 0, depth == 1 ? NULL : frames_equal, frames_store, frames);
}

static void pair_store(uint32_t id, uint64_t key, const void *ctx) {
  (void)ctx;
  rt_store_relaxed(&rt_tab.pair_keys[id], key);
}

uint32_t rt_pair_intern(uint32_t phase, uint32_t site) {
  if (site == 0) return phase; /* the phase's reserved overflow pair */
  uint64_t key = (uint64_t)phase << 32 | site;
  return table_intern(&rt_tab.pairs, key, phase, NULL, pair_store, NULL);
}

const uintptr_t *rt_site_frames(uint32_t site) {
  if (site == 0 || site >= rt_site_count() || rt_tab.frames == NULL) return NULL;
  return &rt_tab.frames[(size_t)site * rt_tab.depth];
}

static uint32_t handed_out(const rt_table_t *t) {
  uint32_t n = rt_load_relaxed(&t->next);
  return n < t->limit ? n : t->limit;
}

uint32_t rt_site_count(void) { return handed_out(&rt_tab.sites); }
uint32_t rt_pair_count(void) { return handed_out(&rt_tab.pairs); }
uint64_t rt_sites_dropped(void) { return rt_load_relaxed(&rt_tab.sites.dropped); }
void rt_site_note_dropped(void) { rt_add_relaxed(&rt_tab.sites.dropped, 1); }
uint64_t rt_pairs_dropped(void) { return rt_load_relaxed(&rt_tab.pairs.dropped); }

void rt_pair_key(uint32_t pair, uint32_t *phase, uint32_t *site) {
  if (pair < rt_options.phases) {
    *phase = pair, *site = 0;
    return;
  }
  uint64_t key = rt_load_relaxed(&rt_tab.pair_keys[pair]);
  *phase = (uint32_t)(key >> 32), *site = (uint32_t)key;
}
