/* Switches, read once from the environment at start. One table, one parser
 * per kind; a bad value warns once, naming the variable, and the default
 * stays (docs/guide.md lists them all). */
#define _GNU_SOURCE /* secure_getenv */
#include <errno.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

rt_options_t rt_options = {
    .profiling = false,
    .out = "rtprof.%p.dump",
    .depth = 1,
    .sites = 65536,
    .phases = 1024,
    .pairs = 16384,
    .on_error = RT_ON_ERROR_ABORT,
    .interval_ms = 0,
    .flush_ms = 1000,
    .snapshots = 4096,
    .guard = false,
    .fill = false,
    .break_alloc = 0,
    .break_site = 0,
    .break_site_count = 0,
    .children = true,
    .unwind_cache = RT_UNWIND_ON,
};

typedef enum { OPT_BOOL, OPT_UINT, OPT_U64, OPT_PATH, OPT_ON_ERROR, OPT_SITE_COUNT } rt_opt_kind_t;

typedef enum {
  OPT_RTPROF,
  OPT_WITH_ALLOC_PROFILE,
  OPT_OUT,
  OPT_DEPTH,
  OPT_SITES,
  OPT_PHASES,
  OPT_PAIRS,
  OPT_ON_ERROR_,
  OPT_INTERVAL,
  OPT_FLUSH,
  OPT_SNAPSHOTS,
  OPT_GUARD,
  OPT_FILL,
  OPT_BREAK_ALLOC,
  OPT_BREAK_SITE,
  OPT_CHILDREN,
  OPT_UNWIND_CACHE,
  OPT_LAST
} rt_opt_id_t;

typedef struct rt_opt_desc_s {
  const char *name;
  rt_opt_kind_t kind;
  uint64_t min, max;          /* OPT_UINT range, inclusive */
  void *target;
} rt_opt_desc_t;

static const rt_opt_desc_t rt_opt_table[OPT_LAST] = {
    [OPT_RTPROF] = {"RTPROF", OPT_BOOL, 0, 1, &rt_options.profiling},
    [OPT_WITH_ALLOC_PROFILE] = {"WITH_ALLOC_PROFILE", OPT_BOOL, 0, 1, &rt_options.profiling},
    [OPT_OUT] = {"RTPROF_OUT", OPT_PATH, 0, 0, rt_options.out},
    [OPT_DEPTH] = {"RTPROF_DEPTH", OPT_UINT, 1, RT_MAX_DEPTH, &rt_options.depth},
    [OPT_SITES] = {"RTPROF_SITES", OPT_UINT, 16, 1 << 20, &rt_options.sites},
    [OPT_PHASES] = {"RTPROF_PHASES", OPT_UINT, 16, 65535, &rt_options.phases},
    [OPT_PAIRS] = {"RTPROF_PAIRS", OPT_UINT, 1024, (1 << 20) - 65536, &rt_options.pairs}, /* + phases < 2^20 */
    [OPT_ON_ERROR_] = {"RTPROF_ON_ERROR", OPT_ON_ERROR, 0, 0, &rt_options.on_error},
    [OPT_INTERVAL] = {"RTPROF_INTERVAL", OPT_UINT, 0, 3600000, &rt_options.interval_ms},
    [OPT_FLUSH] = {"RTPROF_FLUSH", OPT_UINT, 0, 3600000, &rt_options.flush_ms},
    [OPT_SNAPSHOTS] = {"RTPROF_SNAPSHOTS", OPT_UINT, 16, 1 << 20, &rt_options.snapshots},
    [OPT_GUARD] = {"RTPROF_GUARD", OPT_BOOL, 0, 1, &rt_options.guard},
    [OPT_FILL] = {"RTPROF_FILL", OPT_BOOL, 0, 1, &rt_options.fill},
    [OPT_BREAK_ALLOC] = {"RTPROF_BREAK_ALLOC", OPT_U64, 1, UINT64_MAX >> 1, &rt_options.break_alloc},
    [OPT_BREAK_SITE] = {"RTPROF_BREAK_SITE", OPT_SITE_COUNT, 1, UINT32_MAX, &rt_options.break_site},
    [OPT_CHILDREN] = {"RTPROF_CHILDREN", OPT_BOOL, 0, 1, &rt_options.children},
    [OPT_UNWIND_CACHE] = {"RTPROF_UNWIND_CACHE", OPT_UINT, 0, 2, &rt_options.unwind_cache},
};

static bool parse_bool(const char *s, bool *out) {
  static const char *const yes[] = {"1", "on", "yes", "true"};
  static const char *const no[] = {"0", "off", "no", "false"};
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(s, yes[i]) == 0) return *out = true, true;
    if (strcasecmp(s, no[i]) == 0) return *out = false, true;
  }
  return false;
}

/* Decimal with an optional K, M or G suffix (powers of 1024). */
static bool parse_uint(const char *s, uint64_t *out) {
  if (*s < '0' || *s > '9') return false;
  uint64_t v = 0;
  for (; *s >= '0' && *s <= '9'; s++) {
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
      return false;
  }
  unsigned shift = 0;
  if (*s == 'k' || *s == 'K') shift = 10, s++;
  else if (*s == 'm' || *s == 'M') shift = 20, s++;
  else if (*s == 'g' || *s == 'G') shift = 30, s++;
  if (*s != '\0' || (shift && v > (UINT64_MAX >> shift))) return false;
  *out = v << shift;
  return true;
}

static void read_one(const rt_opt_desc_t *d) {
  const char *s = secure_getenv(d->name);
  if (s == NULL) return;
  switch (d->kind) {
    case OPT_BOOL: {
      bool b;
      /* RTPROF and its alias: either one turns profiling on. */
      if (parse_bool(s, &b)) *(bool *)d->target = d->target == &rt_options.profiling ? rt_options.profiling || b : b;
      else rt_warn("%s='%s' is not a boolean (expected 1/0/on/off); keeping the default", d->name, s);
      return;
    }
    case OPT_UINT: {
      uint64_t v;
      if (parse_uint(s, &v) && v >= d->min && v <= d->max) *(uint32_t *)d->target = (uint32_t)v;
      else
        rt_warn("%s='%s' is not a number from %llu to %llu; keeping %u", d->name, s,
                (unsigned long long)d->min, (unsigned long long)d->max, *(uint32_t *)d->target);
      return;
    }
    case OPT_U64: {
      uint64_t v;
      if (parse_uint(s, &v) && v >= d->min && v <= d->max) *(uint64_t *)d->target = v;
      else
        rt_warn("%s='%s' is not a number from %llu to %llu; ignored", d->name, s,
                (unsigned long long)d->min, (unsigned long long)d->max);
      return;
    }
    case OPT_SITE_COUNT: { /* ID:K */
      char id_part[24];
      const char *colon = strchr(s, ':');
      uint64_t id, k;
      size_t n = colon ? (size_t)(colon - s) : 0;
      if (colon && n > 0 && n < sizeof id_part) {
        memcpy(id_part, s, n);
        id_part[n] = '\0';
        if (parse_uint(id_part, &id) && parse_uint(colon + 1, &k) && id >= 1 && id <= UINT32_MAX &&
            k >= 1) {
          rt_options.break_site = (uint32_t)id;
          rt_options.break_site_count = k;
          return;
        }
      }
      rt_warn("%s='%s' is not SITE_ID:COUNT (two numbers from 1, e.g. 12:3); ignored", d->name, s);
      return;
    }
    case OPT_PATH:
      if (*s == '\0' || strlen(s) >= sizeof rt_options.out - 256)
        rt_warn("%s is empty or too long; keeping '%s'", d->name, rt_options.out);
      else
        strcpy(rt_options.out, s);
      return;
    case OPT_ON_ERROR:
      if (strcmp(s, "abort") == 0) rt_options.on_error = RT_ON_ERROR_ABORT;
      else if (strcmp(s, "warn") == 0) rt_options.on_error = RT_ON_ERROR_WARN;
      else rt_warn("%s='%s' is not 'abort' or 'warn'; keeping 'abort'", d->name, s);
      return;
  }
}

/* The dump path is made absolute now, so a chdir() later in the program does
 * not move the dump. */
static void make_out_absolute(void) {
  if (rt_options.out[0] == '/') return;
  char cwd[sizeof rt_options.out];
  if (getcwd(cwd, sizeof cwd - 256) == NULL) return;
  size_t c = strlen(cwd), o = strlen(rt_options.out);
  if (c + 1 + o + 1 > sizeof rt_options.out) return;
  memmove(rt_options.out + c + 1, rt_options.out, o + 1);
  memcpy(rt_options.out, cwd, c);
  rt_options.out[c] = '/';
}

/* The dump's folder must be writable: say so at start, not at exit. */
static void check_out_writable(void) {
  char dir[sizeof rt_options.out];
  strcpy(dir, rt_options.out);
  char *slash = strrchr(dir, '/');
  if (slash == NULL) return;
  *slash = '\0';
  if (dir[0] == '\0') strcpy(dir, "/");
  if (access(dir, W_OK) != 0)
    rt_warn("RTPROF_OUT='%s': cannot write in %s (%s); the program runs on, but no dump "
            "will be written there", rt_options.out, dir, strerror(errno));
}

void rt_options_read(void) {
  /* A setuid or setgid program (AT_SECURE) takes no switch from whoever runs
   * it: profiling stays off, and nothing is written where the caller says.
   * (secure_getenv already returns NULL there; the explicit test also covers
   * a libc that would not.) */
  if (getauxval(AT_SECURE) != 0) return;
  /* RTPROF_CHILDREN=0: a process started by the profiled one stays off,
   * quietly (alloc.c notes the profiled process's pid in RTPROF_PID). */
  read_one(&rt_opt_table[OPT_CHILDREN]);
  const char *owner = secure_getenv("RTPROF_PID");
  uint64_t pid;
  if (!rt_options.children && owner != NULL && parse_uint(owner, &pid) && pid != (uint64_t)getpid()) {
    rt_options.child_of_other = true;
    return;
  }
  for (int i = 0; i < OPT_LAST; i++)
    if (i != OPT_CHILDREN) read_one(&rt_opt_table[i]);
  make_out_absolute();
  if (rt_options.profiling) check_out_writable();
}
