/* Named sites: a (function, file, line) triple that is not a C call site (a
 * script line, a bytecode PC, an object type) becomes a site whose frame 0
 * is the name. The triples live in a table of the profiler's own memory;
 * rt_site_named returns the id of the site {named frame} so that
 * rt_alloc_site needs no lookup at depth 1. Also the per-thread scopes of
 * rtprof_site_push/pop. */
#include <string.h>

#include "internal.h"

#define RT_NAME_MAX 255             /* bytes kept of a function or file name */
#define RT_NAME_ARENA (256u << 10)  /* strings are copied into chunks this big */

typedef struct rt_name_s {
  const char *function, *file; /* in the arena; file NULL when none */
  uint32_t line;
  uint32_t site;               /* its depth-1 style site id, 0 = overflow row */
  uint64_t hash;
} rt_name_t;

static struct {
  pthread_mutex_t lock;       /* guards everything below */
  rt_name_t *names;           /* [1..count]; count published with release */
  uint32_t count, cap;
  uint32_t *slots;            /* open addressing: hash -> name id, 0 = empty */
  uint32_t mask;
  char *arena;                /* current chunk */
  size_t arena_left;
} rt_nm = {.lock = PTHREAD_MUTEX_INITIALIZER};

__thread uintptr_t rt_site_ra __attribute__((tls_model("initial-exec")));

void rt_names_fork(rt_fork_stage_t stage) {
  if (stage == RT_FORK_PREPARE) pthread_mutex_lock(&rt_nm.lock);
  else if (stage == RT_FORK_PARENT) pthread_mutex_unlock(&rt_nm.lock);
  else pthread_mutex_init(&rt_nm.lock, NULL);
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  return h;
}

static bool tables_ready(void) {
  if (rt_nm.names != NULL) return true;
  uint32_t cap = 2 * rt_options.sites, slots = 64; /* names past the site table still count as dropped */
  while (slots < 2 * cap) slots <<= 1;
  rt_nm.names = rt_os_alloc(((size_t)cap + 1) * sizeof(rt_name_t));
  rt_nm.slots = rt_os_alloc((size_t)slots * sizeof(uint32_t));
  if (rt_nm.names == NULL || rt_nm.slots == NULL) {
    rt_os_free(rt_nm.names, ((size_t)cap + 1) * sizeof(rt_name_t));
    rt_os_free(rt_nm.slots, (size_t)slots * sizeof(uint32_t));
    rt_nm.names = NULL, rt_nm.slots = NULL;
    return false;
  }
  rt_nm.cap = cap, rt_nm.mask = slots - 1;
  return true;
}

/* A NUL-terminated copy of s[0..n) in the arena, or NULL when out of memory. */
static const char *copy_string(const char *s, size_t n) {
  if (rt_nm.arena_left < n + 1) {
    rt_nm.arena = rt_os_alloc(RT_NAME_ARENA);
    rt_nm.arena_left = rt_nm.arena ? RT_NAME_ARENA : 0;
    if (rt_nm.arena == NULL) return NULL;
  }
  char *out = rt_nm.arena;
  memcpy(out, s, n);
  out[n] = '\0';
  rt_nm.arena += n + 1, rt_nm.arena_left -= n + 1;
  return out;
}

/* strnlen bounded to RT_NAME_MAX, never cutting a UTF-8 sequence in two. */
static size_t bounded_len(const char *s) {
  size_t n = strnlen(s, RT_NAME_MAX + 1);
  if (n <= RT_NAME_MAX) return n;
  n = RT_NAME_MAX;
  while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) n--;
  return n;
}

static bool same(const rt_name_t *e, const char *fn, size_t fl, const char *file, size_t gl, uint32_t line) {
  if (e->line != line || strncmp(e->function, fn, fl) != 0 || e->function[fl] != '\0') return false;
  if (file == NULL || e->file == NULL) return file == NULL && e->file == NULL;
  return strncmp(e->file, file, gl) == 0 && e->file[gl] == '\0';
}

RT_EXPORT rt_site_t rt_site_named(const char *function, const char *file, unsigned line) {
  rt_init();
  if (rt_mode != RT_MODE_ON) return 0;
  if (function == NULL || function[0] == '\0') function = "?";
  if (file != NULL && file[0] == '\0') file = NULL;
  size_t fl = bounded_len(function), gl = file ? bounded_len(file) : 0;
  uint64_t h = hash_bytes(0xcbf29ce484222325ULL, function, fl);
  h = hash_bytes(h ^ (file ? 0x5a : 0xa5), file ? file : "", gl);
  h = (h ^ line) * 0x9e3779b97f4a7c15ULL;
  rt_site_t out = UINT32_MAX; /* past the capacity: counted in the overflow row */
  pthread_mutex_lock(&rt_nm.lock);
  if (!tables_ready()) goto done;
  uint32_t i = (uint32_t)(h >> 32) & rt_nm.mask;
  for (;; i = (i + 1) & rt_nm.mask) {
    uint32_t id = rt_nm.slots[i];
    if (id == 0) break;
    const rt_name_t *e = &rt_nm.names[id];
    if (e->hash == h && same(e, function, fl, file, gl, line)) {
      if (e->site != 0) out = e->site;
      goto done;
    }
  }
  if (rt_nm.count >= rt_nm.cap) {
    rt_site_note_dropped();
    goto done;
  }
  rt_name_t e = {copy_string(function, fl), file ? copy_string(file, gl) : NULL, line, 0, h};
  if (e.function == NULL || (file != NULL && e.file == NULL)) goto done;
  uint32_t id = rt_nm.count + 1;
  uintptr_t frames[RT_MAX_DEPTH] = {RT_FRAME_NAMED | id};
  rt_internal_enter(); /* nothing here allocates; a guard for the future */
  e.site = rt_site_intern(frames, rt_options.depth);
  rt_internal_leave();
  rt_nm.names[id] = e;
  rt_nm.slots[i] = id;
  rt_store_release(&rt_nm.count, id);
  if (e.site != 0) out = e.site;
done:
  pthread_mutex_unlock(&rt_nm.lock);
  return out;
}

uint32_t rt_names_count(void) { return rt_load_acquire(&rt_nm.count); }

bool rt_name_read(uint32_t id, rt_name_view_t *out) {
  if (id == 0 || id > rt_names_count()) return false;
  const rt_name_t *e = &rt_nm.names[id];
  *out = (rt_name_view_t){e->function, e->file, e->line};
  return true;
}

/* ---- scopes ---------------------------------------------------------------- */

RT_EXPORT void rtprof_site_push(rt_site_t site) {
  if (!rtprof_profiling_) return;
  rt_thread_t *t = rt_thread_start();
  if (t->is_sentinel) return;
  if (t->scope_depth < RT_SCOPE_STACK) t->scope[t->scope_depth] = site;
  t->scope_depth++;
  t->scope_site = t->scope[(t->scope_depth < RT_SCOPE_STACK ? t->scope_depth : RT_SCOPE_STACK) - 1];
  rt_detour_changed(t);
}

RT_EXPORT void rtprof_site_pop(void) {
  if (!rtprof_profiling_) return;
  rt_thread_t *t = rt_self;
  if (t->is_sentinel || t->scope_depth == 0) return; /* a pop without a push changes nothing */
  t->scope_depth--;
  uint32_t d = t->scope_depth < RT_SCOPE_STACK ? t->scope_depth : RT_SCOPE_STACK;
  t->scope_site = d ? t->scope[d - 1] : 0;
  rt_detour_changed(t);
}
