/* The dump writer (format: docs/dump-format.md). It runs at exit, on
 * rtprof_dump() and from the sampler thread, must not allocate (it may run
 * inside a program whose heap is broken), and writes safely: into a
 * temporary with an unpredictable name (O_EXCL|O_NOFOLLOW, 0600) next to
 * the target, renamed into place, so a reader never sees half a dump and a
 * planted symlink is never followed. A FIFO, a character device or an open
 * descriptor (/dev/stdout) is a stream: written once at exit (or on
 * rtprof_dump()), never by the periodic flush, and never blocking long. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "rtprof-dump.h"

typedef struct rt_writer_s {
  int fd;
  bool stream;                /* a pipe, a terminal, a device: write in small steps, poll first */
  bool failed;                /* a write failed: errno saved in err */
  int err;
  size_t len;
  char buf[1 << 16];
} rt_writer_t;

/* One dump at a time: the writer's buffer is static. */
static pthread_mutex_t rt_dump_lock = PTHREAD_MUTEX_INITIALIZER;
static rt_writer_t rt_writer;
static bool rt_exiting; /* set at exit: periodic flushes must not follow the final dump */

void rt_dump_note_exit(void) { __atomic_store_n(&rt_exiting, true, __ATOMIC_RELEASE); }

void rt_dump_fork(rt_fork_stage_t stage) {
  if (stage == RT_FORK_PREPARE) pthread_mutex_lock(&rt_dump_lock);
  else if (stage == RT_FORK_PARENT) pthread_mutex_unlock(&rt_dump_lock);
  else pthread_mutex_init(&rt_dump_lock, NULL);
}

#define RT_STREAM_STALL_MS 2000 /* a stream that takes nothing for this long is given up */

/* On a stream, each write waits (poll) until the reader has made room, and
 * writes at most PIPE_BUF bytes, which then fit: the dump lock is never held
 * by a write that blocks, even on a descriptor the program opened blocking. */
static void w_flush(rt_writer_t *w) {
  size_t off = 0;
  while (off < w->len && !w->failed) {
    size_t step = w->len - off;
    if (w->stream) {
      struct pollfd pfd = {.fd = w->fd, .events = POLLOUT};
      int r = poll(&pfd, 1, RT_STREAM_STALL_MS);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        w->failed = true, w->err = r == 0 ? ETIMEDOUT : errno;
        break;
      }
      if (step > 4096) step = 4096;
    }
    ssize_t n = write(w->fd, w->buf + off, step);
    if (n < 0 && (errno == EINTR || (w->stream && errno == EAGAIN))) continue;
    if (n <= 0) w->failed = true, w->err = n < 0 ? errno : EIO;
    else off += (size_t)n;
  }
  w->len = 0;
}

/* At least n (<= sizeof w->buf) bytes of room at the end of the buffer. */
static inline char *w_room(rt_writer_t *w, size_t n) {
  if (rt_unlikely(w->len + n > sizeof w->buf)) w_flush(w);
  return w->buf + w->len;
}

static inline void w_bytes(rt_writer_t *w, const char *s, size_t n) {
  if (n > sizeof w->buf) n = sizeof w->buf;
  memcpy(w_room(w, n), s, n);
  w->len += n;
}

static inline void w_str(rt_writer_t *w, const char *s) { w_bytes(w, s, strlen(s)); }

/* A name or path, with the newlines that would break the line format
 * replaced by '?'. */
static void w_text(rt_writer_t *w, const char *s) {
  for (; *s; s++) {
    char c = (*s == '\n' || *s == '\r') ? '?' : *s;
    w_bytes(w, &c, 1);
  }
}

/* Numbers are formatted in place, last digit first: a big dump is mostly
 * numbers (tens of thousands of sites, each with its frames in hex). */
static void w_u64(rt_writer_t *w, uint64_t v) {
  int n = 1;
  for (uint64_t x = v; x >= 10; x /= 10) n++;
  char *p = w_room(w, 20);
  for (int i = n - 1; i >= 0; i--) p[i] = (char)('0' + v % 10), v /= 10;
  w->len += (size_t)n;
}

static void w_i64(rt_writer_t *w, int64_t v) {
  if (v < 0) {
    w_bytes(w, "-", 1);
    w_u64(w, 0 - (uint64_t)v);
  } else {
    w_u64(w, (uint64_t)v);
  }
}

static void w_hex(rt_writer_t *w, uint64_t v) {
  int n = (67 - __builtin_clzll(v | 1)) / 4; /* hex digits, 1 for 0 */
  char *p = w_room(w, 18);
  p[0] = '0', p[1] = 'x';
  for (int i = n + 1; i >= 2; i--) p[i] = "0123456789abcdef"[v & 15], v >>= 4;
  w->len += (size_t)n + 2;
}

static void w_field(rt_writer_t *w, const char *key, uint64_t v) {
  w_str(w, " ");
  w_str(w, key);
  w_str(w, "=");
  w_u64(w, v);
}

static void w_sfield(rt_writer_t *w, const char *key, int64_t v) {
  w_str(w, " ");
  w_str(w, key);
  w_str(w, "=");
  w_i64(w, v);
}

static uint64_t realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rt_start_ns; /* set once by rt_init, before any sampler thread */
void rt_dump_init(void) { rt_start_ns = realtime_ns(); }

void rt_dump_path(char *buf, size_t cap) {
  size_t o = 0;
  for (const char *s = rt_options.out; *s && o + 24 < cap; s++) {
    if (s[0] == '%' && s[1] == 'p') {
      o += (size_t)rt_format(buf + o, cap - o, "%d", (int)getpid());
      s++;
    } else {
      buf[o++] = *s;
    }
  }
  buf[o] = '\0';
}

/* ---- the module map ------------------------------------------------------ */

typedef struct rt_module_ctx_s {
  rt_writer_t *w;
  uint32_t count;
  char exe[4096];
} rt_module_ctx_t;

uint32_t rt_module_build_id(const struct dl_phdr_info *info, const unsigned char **id) {
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_NOTE) continue;
    const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
      const char *name = p + sizeof *nh;
      const unsigned char *desc = (const unsigned char *)name + ((nh->n_namesz + 3) & ~3u);
      if ((const char *)desc + nh->n_descsz > end) break;
      if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
        *id = desc;
        return nh->n_descsz;
      }
      p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
    }
  }
  return 0;
}

static void w_build_id(rt_writer_t *w, const struct dl_phdr_info *info) {
  const unsigned char *id;
  uint32_t n = rt_module_build_id(info, &id);
  if (n == 0) {
    w_str(w, "-");
    return;
  }
  for (uint32_t k = 0; k < n; k++) {
    char hex[2] = {"0123456789abcdef"[id[k] >> 4], "0123456789abcdef"[id[k] & 15]};
    w_bytes(w, hex, 2);
  }
}

void rt_module_extent(const struct dl_phdr_info *info, uintptr_t *lo, uintptr_t *hi) {
  *lo = UINTPTR_MAX, *hi = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD) continue;
    uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
    if (start < *lo) *lo = start;
    if (end > *hi) *hi = end;
  }
}

static int module_cb(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  rt_module_ctx_t *ctx = arg;
  uintptr_t lo, hi;
  rt_module_extent(info, &lo, &hi);
  if (hi == 0 || ctx->count >= RTPROF_DUMP_MAX_MODULES) return 0;
  const char *path = info->dlpi_name;
  if (path == NULL || path[0] == '\0') path = ctx->count == 0 ? ctx->exe : NULL;
  if (path == NULL) return 0; /* an unnamed object that is not the program */
  rt_writer_t *w = ctx->w;
  w_str(w, RTPROF_REC_MODULE);
  w_field(w, "id", ctx->count++);
  w_str(w, " base="), w_hex(w, info->dlpi_addr);
  w_str(w, " lo="), w_hex(w, lo);
  w_str(w, " hi="), w_hex(w, hi);
  w_str(w, " buildid="), w_build_id(w, info);
  w_str(w, " path="), w_text(w, path);
  w_str(w, "\n");
  return 0;
}

/* ---- named sites ----------------------------------------------------------- */

/* A frame: 0x… a return address, @0x… an exact code address (a function's
 * entry), nID a named site (its `name` record). */
static void w_frame(rt_writer_t *w, uintptr_t f) {
  if (f & RT_FRAME_NAMED) {
    w_str(w, "n"), w_u64(w, (uint32_t)f);
    return;
  }
  if (f & RT_FRAME_EXACT) w_str(w, "@");
  w_hex(w, f & ~RT_FRAME_EXACT);
}

/* A named site's strings come from the program: control characters (a
 * newline would end the record, an escape sequence would reach a terminal)
 * are written as '?'. */
static void w_clean(rt_writer_t *w, const char *s) {
  for (; *s; s++) {
    char c = ((unsigned char)*s < ' ' || *s == 0x7f) ? '?' : *s;
    w_bytes(w, &c, 1);
  }
}

/* A string field that is not last: control characters as in w_clean, and
 * the bytes that would end the field (space) and '%' itself as %XX. */
static void w_escaped(rt_writer_t *w, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < ' ' || c == 0x7f) c = '?';
    if (c == ' ' || c == '%') {
      char e[3] = {'%', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15]};
      w_bytes(w, e, 3);
    } else {
      w_bytes(w, (const char *)&c, 1);
    }
  }
}

static uint32_t w_names(rt_writer_t *w) {
  uint32_t n = rt_names_count();
  rt_name_view_t v;
  for (uint32_t id = 1; id <= n; id++) {
    if (!rt_name_read(id, &v)) continue;
    w_str(w, RTPROF_REC_NAME);
    w_field(w, "id", id);
    w_field(w, "line", v.line);
    if (v.file) w_str(w, " file="), w_escaped(w, v.file);
    w_str(w, " function="), w_clean(w, v.function), w_str(w, "\n");
  }
  return n;
}

/* ---- the dump ------------------------------------------------------------ */

static void w_slot_counts(rt_writer_t *w, const rt_counts_t *s) {
  w_field(w, "allocs", s->allocs);
  w_field(w, "alloc_bytes", s->alloc_bytes);
  w_field(w, "frees", s->frees);
  w_field(w, "freed_bytes", s->freed_bytes);
}

static void w_totals(rt_writer_t *w) {
  rt_totals_t t;
  rt_totals_read(&t);
  rt_alloc_stats_t st;
  rt_stats_read(&st);
  w_str(w, RTPROF_REC_TOTALS);
  w_field(w, "allocs", t.allocs);
  w_field(w, "frees", t.frees);
  w_field(w, "alloc_bytes", t.alloc_bytes);
  w_field(w, "freed_bytes", t.freed_bytes);
  w_field(w, "live_blocks", t.allocs - t.frees);
  w_field(w, "live_bytes", t.alloc_bytes - t.freed_bytes);
  w_field(w, "peak_live_bytes", t.peak_live);
  w_field(w, "failed_allocs", t.failed_allocs);
  w_field(w, "committed_bytes", st.committed_bytes);
  w_field(w, "peak_committed_bytes", st.peak_committed_bytes);
  w_field(w, "rss_bytes", st.rss_bytes);
  w_field(w, "peak_rss_bytes", st.peak_rss_bytes);
  w_field(w, "mmap_bytes", st.mmap_bytes);
  w_field(w, "overhead_bytes", st.overhead_bytes);
  w_str(w, "\n");
}

/* Sites, the overflow row and pairs, all summed under one hold of the
 * registry lock so they agree with each other. Returns the record counts. */
static void w_counters(rt_writer_t *w, uint32_t *sites_out, uint32_t *pairs_out, bool pairs_pass) {
  rt_counts_t s;
  uint32_t n = 0;
  if (!pairs_pass) {
    uint32_t count = rt_site_count();
    for (uint32_t id = 1; id < count; id++) {
      rt_slot_sum(false, id, &s);
      if (s.allocs == 0) continue;
      const uintptr_t *frames = rt_site_frames(id);
      w_str(w, RTPROF_REC_SITE);
      w_field(w, "id", id);
      w_slot_counts(w, &s);
      w_field(w, "peak_live_bytes", s.peak_live);
      w_str(w, " frames=");
      for (uint32_t i = 0; i < rt_options.depth; i++) {
        if (i) w_str(w, ",");
        w_frame(w, frames ? rt_load_relaxed(&frames[i]) : 0);
      }
      w_str(w, "\n");
      n++;
    }
    rt_slot_sum(false, 0, &s);
    w_str(w, RTPROF_REC_OVERFLOW);
    w_field(w, "sites_dropped", rt_sites_dropped());
    w_field(w, "pairs_dropped", rt_pairs_dropped());
    w_slot_counts(w, &s);
    w_str(w, "\n");
    *sites_out = n;
    return;
  }
  uint32_t count = rt_pair_count();
  for (uint32_t id = 1; id < count; id++) {
    rt_slot_sum(true, id, &s);
    if (s.allocs == 0) continue;
    uint32_t phase, site;
    rt_pair_key(id, &phase, &site);
    w_str(w, RTPROF_REC_PAIR);
    w_field(w, "phase", phase);
    w_field(w, "site", site);
    w_slot_counts(w, &s);
    w_str(w, "\n");
    n++;
  }
  *pairs_out = n;
}

static uint32_t w_phases(rt_writer_t *w) {
  uint32_t n = 0, count = rt_phase_count();
  rt_phase_info_t p;
  for (uint32_t id = 1; id <= count; id++) {
    if (!rt_phase_info(id, &p)) continue;
    w_str(w, RTPROF_REC_PHASE);
    w_field(w, "id", id);
    w_field(w, "parent", p.parent);
    w_field(w, "calls", p.calls);
    w_field(w, "open", p.open);
    w_sfield(w, "committed_delta", p.committed_delta);
    w_sfield(w, "committed_delta_max", p.committed_delta_max);
    w_sfield(w, "live_delta", p.live_delta);
    w_field(w, "wall_ns", p.wall_ns);
    w_sfield(w, "blocks_delta", p.blocks_delta);
    w_str(w, " name="), w_text(w, p.name), w_str(w, "\n");
    n++;
  }
  return n;
}

static void w_warnings(rt_writer_t *w) {
  rt_phase_warnings_t pw;
  rt_phase_warnings(&pw);
  const struct { const char *name; uint64_t count; } rows[] = {
      {"phase_end_without_begin", pw.end_without_begin},
      {"phase_depth_exceeded", pw.depth_exceeded},
      {"phase_token_mismatch", pw.token_mismatch},
      {"phase_open_at_exit", pw.open_at_exit},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    if (rows[i].count == 0) continue;
    w_str(w, RTPROF_REC_WARNING " "), w_str(w, rows[i].name);
    w_field(w, "count", rows[i].count);
    w_str(w, "\n");
  }
}

static void w_errors(rt_writer_t *w, uint32_t *count) {
  static rt_error_rec_t recs[256]; /* static: under the dump lock, off the stack */
  uint32_t n = rt_errors_read(recs, 256);
  for (uint32_t i = 0; i < n; i++) {
    w_str(w, RTPROF_REC_ERROR);
    w_str(w, " kind="), w_str(w, rt_error_kind_name(recs[i].kind));
    w_field(w, "count", recs[i].count);
    w_str(w, " addr="), w_hex(w, recs[i].addr);
    w_field(w, "site", recs[i].site);
    w_str(w, " call="), w_hex(w, recs[i].call);
    w_str(w, "\n");
  }
  *count = n;
}

static void w_snapshot(void *ctx, uint64_t t_ns, uint64_t committed, uint64_t live, uint64_t rss,
                       uint32_t phase, rt_snap_kind_t kind, const char *label) {
  static const char *const kinds[] = {"interval", "peak", "label", "exit"};
  rt_writer_t *w = ctx;
  w_str(w, RTPROF_REC_SNAPSHOT);
  w_field(w, "t_ns", t_ns);
  w_field(w, "committed", committed);
  w_field(w, "live", live);
  w_field(w, "rss", rss);
  w_field(w, "phase", phase);
  w_str(w, " kind="), w_str(w, kinds[kind]);
  if (kind == RT_SNAP_LABEL) w_str(w, " name="), w_text(w, label ? label : "");
  w_str(w, "\n");
}

static void w_snapshot_top(void *ctx, const uint32_t *sites, const uint64_t *live, uint32_t n) {
  rt_writer_t *w = ctx;
  w_str(w, RTPROF_REC_SNAPSHOT_TOP " sites=");
  for (uint32_t i = 0; i < n; i++) {
    if (i) w_str(w, ",");
    w_u64(w, sites[i]), w_str(w, ":"), w_u64(w, live[i]);
  }
  w_str(w, "\n");
}

/* The peak's composition: `peak`, then its sites and phases holding bytes. */
typedef struct rt_peak_ctx_s {
  rt_writer_t *w;
  uint32_t sites, phases;     /* records written */
} rt_peak_ctx_t;

static void w_peak(void *arg, const rt_peak_t *p, const int64_t *site_live, const int64_t *phase_live) {
  rt_peak_ctx_t *ctx = arg;
  rt_writer_t *w = ctx->w;
  w_str(w, RTPROF_REC_PEAK);
  w_field(w, "live_bytes", p->live_bytes);
  w_field(w, "live_blocks", p->live_blocks);
  w_field(w, "t_ns", p->t_ns);
  w_field(w, "committed", p->committed);
  w_field(w, "rss", p->rss);
  w_field(w, "overhead", p->overhead);
  w_field(w, "phase", p->phase);
  w_str(w, "\n");
  for (uint32_t id = 0; id < p->nsites; id++) {
    if (site_live[id] <= 0) continue;
    w_str(w, RTPROF_REC_PEAK_SITE);
    w_field(w, "site", id);
    w_field(w, "live_bytes", (uint64_t)site_live[id]);
    w_str(w, "\n");
    ctx->sites++;
  }
  for (uint32_t id = 1; id < p->nphases; id++) {
    if (phase_live[id] <= 0) continue;
    w_str(w, RTPROF_REC_PEAK_PHASE);
    w_field(w, "phase", id);
    w_field(w, "live_bytes", (uint64_t)phase_live[id]);
    w_str(w, "\n");
    ctx->phases++;
  }
}

/* Each phase's pairs at the end of its first call (alloc/peak.c). */
static void w_pair_first(rt_writer_t *w) {
  uint32_t count = rt_pair_count();
  for (uint32_t id = 1; id < count; id++) {
    uint64_t live = rt_pair_first_live(id);
    if (live == 0) continue;
    uint32_t phase, site;
    rt_pair_key(id, &phase, &site);
    w_str(w, RTPROF_REC_PAIR_FIRST);
    w_field(w, "phase", phase);
    w_field(w, "site", site);
    w_field(w, "live_bytes", live);
    w_str(w, "\n");
  }
}

static void write_dump(rt_writer_t *w, const char *reason) {
  w_str(w, RTPROF_DUMP_MAGIC " "), w_u64(w, RTPROF_DUMP_VERSION), w_str(w, "\n");
  w_str(w, RTPROF_REC_PROCESS);
  w_field(w, "pid", (uint64_t)getpid());
  w_field(w, "depth", rt_options.depth);
  w_field(w, "site_capacity", rt_options.sites);
  w_field(w, "phase_capacity", rt_options.phases);
  w_field(w, "pair_capacity", rt_options.pairs);
  w_field(w, "start_ns", rt_start_ns);
  w_field(w, "dump_ns", realtime_ns());
  w_field(w, "interval_ms", rt_snapshot_interval_ms());
  w_str(w, " reason="), w_str(w, reason), w_str(w, "\n");

  static rt_module_ctx_t mods; /* static: 4 KiB of path is too much stack in a signal-ish context */
  mods.w = w;
  mods.count = 0;
  ssize_t n = readlink("/proc/self/exe", mods.exe, sizeof mods.exe - 1);
  mods.exe[n > 0 ? n : 0] = '\0';
  w_str(w, RTPROF_REC_EXE " "), w_text(w, mods.exe), w_str(w, "\n");
  w_totals(w);
  dl_iterate_phdr(module_cb, &mods);

  uint32_t sites = 0, pairs = 0;
  rt_peak_capture_now(); /* before the sites: every site it names is written */
  rt_registry_lock();
  w_counters(w, &sites, &pairs, false);
  rt_registry_unlock();
  uint32_t names = w_names(w); /* after the sites: every name they use is in */
  uint32_t phases = w_phases(w);
  rt_registry_lock();
  w_counters(w, &sites, &pairs, true);
  rt_registry_unlock();
  w_warnings(w);
  uint32_t errors = 0;
  w_errors(w, &errors);
  uint32_t snapshots = rt_snapshots_read(w_snapshot, w_snapshot_top, w);
  rt_peak_ctx_t peak = {.w = w};
  rt_peak_read(w_peak, &peak);
  w_pair_first(w);
  w_str(w, RTPROF_REC_END);
  w_field(w, "modules", mods.count);
  w_field(w, "sites", sites);
  w_field(w, "phases", phases);
  w_field(w, "pairs", pairs);
  w_field(w, "snapshots", snapshots);
  w_field(w, "errors", errors);
  if (names) w_field(w, "names", names);
  w_str(w, "\n");
  w_flush(w);
}

/* "/dev/stdout", "/dev/stderr", "/dev/fd/N" and "/proc/self/fd/N" name a
 * descriptor of ours: it is written as it is, never reopened. */
static int fd_alias(const char *path) {
  if (strcmp(path, "/dev/stdout") == 0) return 1;
  if (strcmp(path, "/dev/stderr") == 0) return 2;
  const char *n = strncmp(path, "/dev/fd/", 8) == 0 ? path + 8
                  : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14 : NULL;
  if (n == NULL || *n == '\0') return -1;
  int fd = 0;
  for (; *n; n++) {
    if (*n < '0' || *n > '9' || fd > 100000) return -1;
    fd = fd * 10 + (*n - '0');
  }
  return fd;
}

/* PATH.tmp.<16 random hex digits>, created O_EXCL|O_NOFOLLOW, mode 0600:
 * nothing planted in the directory can be opened through it. */
static int open_temporary(const char *path, char *tmp, size_t cap) {
  for (int attempt = 0; attempt < 16; attempt++) {
    uint64_t r;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
      r = (rt_now_ns() ^ (uint64_t)getpid() << 40 ^ (uintptr_t)&r) * 0x9e3779b97f4a7c15ULL;
    char hex[17];
    for (int i = 0; i < 16; i++) hex[i] = "0123456789abcdef"[(r >> (4 * i)) & 15];
    hex[16] = '\0';
    if ((size_t)rt_format(tmp, cap, "%s.tmp.%s", path, hex) >= cap) {
      errno = ENAMETOOLONG;
      return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

typedef enum { RT_TARGET_FILE, RT_TARGET_STREAM, RT_TARGET_FD, RT_TARGET_REFUSED } rt_target_t;

/* What the final name is, without following a symlink there (a symlink is
 * replaced by the rename, like any other file). */
static rt_target_t target_of(const char *path, int *fd) {
  *fd = fd_alias(path);
  if (*fd >= 0) return RT_TARGET_FD;
  struct stat st;
  if (lstat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) return RT_TARGET_FILE;
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) return RT_TARGET_STREAM;
  return RT_TARGET_REFUSED;
}

/* Dump-writing failures are reported once per distinct (path, errno) in a
 * row: a flush that fails each second must not fill stderr. */
static void warn_failure(const char *what, const char *path, int err) {
  static int last_err;
  static char last_path[64];
  if (err == last_err && strncmp(path, last_path, sizeof last_path - 1) == 0) return;
  last_err = err;
  rt_format(last_path, sizeof last_path, "%s", path);
  rt_warn_dump("%s %s: %s", what, path, strerror(err));
}

int rt_dump_write(const char *path, const char *reason) {
  if (rt_mode != RT_MODE_ON) {
    errno = ENOTSUP;
    return -1;
  }
  bool flush = strcmp(reason, "flush") == 0;
  if (!flush) rt_defer_take_all(); /* deferred frees, counted before they are read */
  if (strcmp(reason, "exit") == 0) rt_snapshot_take(RT_SNAP_EXIT, NULL, rt_committed_now(NULL));
  pthread_mutex_lock(&rt_dump_lock);
  if (flush && __atomic_load_n(&rt_exiting, __ATOMIC_ACQUIRE)) {
    pthread_mutex_unlock(&rt_dump_lock);
    return 0;
  }
  int fd = -1, rc = -1, err = 0;
  char tmp[sizeof rt_options.out + 64];
  rt_target_t target = target_of(path, &fd);
  if (flush && (target == RT_TARGET_STREAM || target == RT_TARGET_FD)) {
    /* A stream takes one dump, at exit: dumps one after another in a pipe
     * would not read as one. */
    pthread_mutex_unlock(&rt_dump_lock);
    return 0;
  }
  if (target == RT_TARGET_REFUSED) {
    struct stat st;
    err = lstat(path, &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    warn_failure("cannot write the dump: not a regular file, FIFO or character device:", path, err);
    pthread_mutex_unlock(&rt_dump_lock);
    errno = err;
    return -1;
  }
  if (target == RT_TARGET_STREAM)
    fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  else if (target == RT_TARGET_FILE)
    fd = open_temporary(path, tmp, sizeof tmp);
  if (fd < 0) {
    err = errno;
    if (target == RT_TARGET_STREAM && err == ENXIO)
      warn_failure("cannot write the dump: no process is reading the FIFO", path, err);
    else
      warn_failure("cannot write the dump:", target == RT_TARGET_FILE ? tmp : path, err);
  } else {
    rt_writer_t *w = &rt_writer;
    w->fd = fd, w->stream = target != RT_TARGET_FILE, w->failed = false, w->len = 0;
    /* A stream whose reader went away must give EPIPE, not a SIGPIPE that
     * ends the program: block it meanwhile, and take back one we raised. */
    sigset_t pipe_set, old_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    bool was_pending = false;
    if (w->stream) {
      pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
      was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    }
    write_dump(w, reason);
    if (w->stream) {
      struct timespec zero = {0, 0};
      if (!was_pending && w->failed && w->err == EPIPE) sigtimedwait(&pipe_set, NULL, &zero);
      pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    }
    if (target != RT_TARGET_FD && close(fd) != 0 && !w->failed) w->failed = true, w->err = errno;
    if (w->failed) {
      err = w->err;
      warn_failure(err == ETIMEDOUT ? "cannot write the dump: its reader took nothing for 2 s:"
                                    : "cannot write the dump:",
                   target == RT_TARGET_FILE ? tmp : path, err);
      if (target == RT_TARGET_FILE) unlink(tmp);
    } else if (target == RT_TARGET_FILE && rename(tmp, path) != 0) {
      err = errno;
      warn_failure("cannot rename the dump into place:", path, err);
      unlink(tmp);
    } else {
      rc = 0;
    }
  }
  pthread_mutex_unlock(&rt_dump_lock);
  if (rc != 0) errno = err;
  return rc;
}
