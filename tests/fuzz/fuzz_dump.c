/* libFuzzer harness of the dump reader (symbolize/read/dump_read.c), of the
 * budget-file parser of `rtprof check --budgets` (symbolize/model/budget.c),
 * which reads every input too, and of what a dump the reader accepts flows into: the module lookup of symbolize.c, the model of
 * model.c and the report formats of report.c and pprof.c. Nothing here spawns a
 * process or opens a file named by the input: module paths are made relative
 * before symbolizing, which symbolize.c resolves as "file not found" without
 * looking at the disk, so addr2line never runs.
 *
 * Besides the sanitizers (ASan, UBSan, LeakSanitizer, libFuzzer's -rss_limit_mb,
 * -malloc_limit_mb and -timeout), each input is checked against the reader's
 * contract (docs/dump-format.md, "Exit status of readers"):
 *   - refused: exactly one line on stderr, "rtprof: error: FILE:LINE: what",
 *     with LINE a line that exists in the input (or the one after the last);
 *   - accepted: nothing on stderr but "rtprof: warning:" lines, and a dump
 *     that keeps the promises of read/read.h (sorted ids, frames in range,
 *     every phase with a path, every pair naming a phase and a site);
 *   - either way, memory in proportion to the input: the strings the reader
 *     and the model intern (names, paths) stay below MAX_BLOWUP times the
 *     input's size plus 1 MiB (real dumps: about 0.3x).
 * The budget parser, on the same bytes: accepted, nothing on stderr and each
 * budget naming the file and a line that exists; refused, one line
 * "rtprof: error: FILE:LINE: what".
 * A broken promise aborts, and libFuzzer keeps the input as a crash.
 *
 * Built and run by tests/fuzz/run.sh; see docs/fuzzing.md. Replay inputs with
 * `RTPROF_FUZZ_ECHO=1 build/fuzz/fuzz_dump FILE...` to see each verdict and
 * the reader's message. */
#define _GNU_SOURCE /* memfd_create */
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd/cmd.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int g_fd = -1;             /* memfd holding the current input */
static char g_path[64];           /* "/proc/self/fd/N": what the reader opens */
static FILE *g_null;              /* reports are written here */
static FILE *g_stderr;            /* the real stderr, for our own messages */
#define MAX_BLOWUP 48 /* a path is at most 64 x 64 bytes for a phase line of ~100 */
#define SKIP_REGEX "^(rt_|xmalloc)|wrap"
static regex_t g_skip;            /* SKIP_REGEX compiled, for --skip */
static char g_err[16384];         /* what the reader printed on stderr */
static bool g_echo;               /* RTPROF_FUZZ_ECHO=1: show each verdict */

/* ---- a resettable intern table ----------------------------------------------
 * util.c keeps its interned strings until exit, which is right for a command
 * that reads a few dumps and exits, but grows without bound over millions of
 * fuzz inputs. run.sh compiles util.c with rtprof_intern renamed away and this
 * one takes its place: the same contract (one copy per distinct string, equal
 * strings get equal pointers), each string its own allocation so ASan sees an
 * overrun past its end, all freed after each input. */
static struct {
  char **slots;
  size_t cap, used;
  size_t bytes;            /* interned since the last reset */
} g_intern;

static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
  return h;
}

const char *rtprof_intern(const char *s, size_t n) {
  if ((g_intern.used + 1) * 2 > g_intern.cap) {
    size_t ncap = g_intern.cap ? g_intern.cap * 2 : 256;
    char **ns = rtprof_xcalloc(ncap, sizeof *ns);
    for (size_t i = 0; i < g_intern.cap; i++) {
      char *e = g_intern.slots[i];
      if (!e) continue;
      size_t j = fnv1a(e, strlen(e)) & (ncap - 1);
      while (ns[j]) j = (j + 1) & (ncap - 1);
      ns[j] = e;
    }
    free(g_intern.slots);
    g_intern.slots = ns;
    g_intern.cap = ncap;
  }
  size_t j = fnv1a(s, n) & (g_intern.cap - 1);
  for (char *e; (e = g_intern.slots[j]); j = (j + 1) & (g_intern.cap - 1))
    if (strncmp(e, s, n) == 0 && e[n] == '\0') return e;
  char *p = rtprof_xstrndup(s, n);
  g_intern.slots[j] = p;
  g_intern.used++;
  g_intern.bytes += n + 1;
  return p;
}

static void intern_reset(void) {
  for (size_t i = 0; i < g_intern.cap; i++) free(g_intern.slots[i]);
  free(g_intern.slots);
  memset(&g_intern, 0, sizeof g_intern);
}

/* ---- the oracle -------------------------------------------------------------- */
static _Noreturn void broken(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void broken(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("fuzz_dump: contract broken: ", g_stderr);
  vfprintf(g_stderr, fmt, ap);
  va_end(ap);
  fprintf(g_stderr, "\nfuzz_dump: stderr of the reader was:\n%s\n", g_err);
  fflush(g_stderr);
  abort();
}

/* Lines in the input as the reader counts them (a last line without its
 * newline counts too). */
static uint64_t count_lines(const uint8_t *data, size_t size) {
  uint64_t n = 0;
  for (size_t i = 0; i < size; i++) n += data[i] == '\n';
  return n + (size > 0 && data[size - 1] != '\n');
}

static void check_refusal(const uint8_t *data, size_t size) {
  char prefix[128];
  snprintf(prefix, sizeof prefix, "rtprof: error: %s:", g_path);
  size_t pl = strlen(prefix), len = strlen(g_err);
  if (len == 0) broken("refused without a message");
  if (g_err[len - 1] != '\n' || memchr(g_err, '\n', len - 1))
    broken("refused with %s instead of one line", g_err[len - 1] != '\n' ? "a cut message" : "several lines");
  if (strncmp(g_err, prefix, pl) != 0) broken("the message does not start with '%s'", prefix);
  const char *p = g_err + pl;
  uint64_t line = 0;
  size_t digits = 0;
  while (p[digits] >= '0' && p[digits] <= '9' && digits < 20) line = line * 10 + (uint64_t)(p[digits++] - '0');
  if (digits == 0 || p[digits] != ':' || p[digits + 1] != ' ')
    broken("the message does not name the line ('FILE:LINE: ')");
  uint64_t lines = count_lines(data, size);
  if (line < 1 || line > lines + 1) broken("the message names line %llu of a %llu-line input",
                                           (unsigned long long)line, (unsigned long long)lines);
  if (strlen(p + digits + 2) < 8) broken("the message does not say what was expected");
}

static void check_quiet(void) {
  for (const char *p = g_err; *p;) {
    if (strncmp(p, "rtprof: warning: ", 17) != 0) broken("accepted, yet printed something other than a warning");
    const char *nl = strchr(p, '\n');
    if (!nl) broken("accepted, and printed a cut message");
    p = nl + 1;
  }
}

static void check_dump(const rtprof_dump_t *d) {
  if (d->depth < 1 || d->depth > RTPROF_DUMP_MAX_DEPTH) broken("depth %llu", (unsigned long long)d->depth);
  if (!d->exe || !d->reason) broken("no exe or reason");
  for (size_t i = 0; i < d->nmodules; i++)
    if (d->modules[i].lo > d->modules[i].hi || !d->modules[i].path) broken("module %zu", i);
  for (size_t i = 0; i < d->nsites; i++) {
    const rtprof_site_t *s = &d->sites[i];
    if (i && d->sites[i - 1].id >= s->id) broken("sites not sorted by id, or an id twice");
    if (s->id < 1 || s->id > d->site_capacity) broken("site id %llu", (unsigned long long)s->id);
    if (s->nframes < 1 || s->nframes > RTPROF_DUMP_MAX_DEPTH || (size_t)s->frame_off + s->nframes > d->nframes)
      broken("site %llu: frames [%u, +%u) of %zu", (unsigned long long)s->id, s->frame_off, s->nframes, d->nframes);
    if (rtprof_dump_find_site(d, s->id) != (long)i) broken("find_site(%llu)", (unsigned long long)s->id);
  }
  for (size_t i = 0; i < d->nphases; i++) {
    const rtprof_phase_t *ph = &d->phases[i];
    if (i && d->phases[i - 1].id >= ph->id) broken("phases not sorted by id, or an id twice");
    if (!ph->name || !ph->path) broken("phase %llu without a name or path", (unsigned long long)ph->id);
    if (ph->parent && rtprof_dump_find_phase(d, ph->parent) < 0) broken("phase %llu: no parent", (unsigned long long)ph->id);
    if (rtprof_dump_find_phase(d, ph->id) != (long)i) broken("find_phase(%llu)", (unsigned long long)ph->id);
  }
  for (size_t i = 0; i < d->npairs; i++) {
    const rtprof_pair_t *p = &d->pairs[i];
    if (rtprof_dump_find_phase(d, p->phase) < 0) broken("pair %zu: no phase %llu", i, (unsigned long long)p->phase);
    if (p->site && rtprof_dump_find_site(d, p->site) < 0) broken("pair %zu: no site %llu", i, (unsigned long long)p->site);
  }
  for (size_t i = 0; i < d->nwarnings; i++)
    if (!d->warnings[i].kind) broken("warning %zu without a kind", i);
}

/* ---- libFuzzer entry points ---------------------------------------------------- */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  g_stderr = stderr;
  g_echo = getenv("RTPROF_FUZZ_ECHO") && strcmp(getenv("RTPROF_FUZZ_ECHO"), "1") == 0;
  g_fd = memfd_create("rtprof-fuzz.dump", MFD_CLOEXEC);
  if (g_fd < 0) {
    perror("fuzz_dump: memfd_create");
    exit(1);
  }
  snprintf(g_path, sizeof g_path, "/proc/self/fd/%d", g_fd);
  g_null = fopen("/dev/null", "w");
  if (!g_null || regcomp(&g_skip, SKIP_REGEX, REG_EXTENDED | REG_NOSUB) != 0) {
    perror("fuzz_dump: setup");
    exit(1);
  }
  return 0;
}

static void report(rtprof_dump_t *dumps, size_t ndumps, unsigned variant) {
  /* symbolize without files: a relative path is "file not found" at once */
  for (size_t di = 0; di < ndumps; di++)
    for (size_t i = 0; i < dumps[di].nmodules; i++) {
      const char *p = dumps[di].modules[i].path;
      while (*p == '/') p++;
      dumps[di].modules[i].path = rtprof_intern(p, strlen(p));
    }
  rtprof_symtab_t st = {.addr2line = "/nonexistent/addr2line"};
  rtprof_symbolize(&st, dumps, ndumps);
  if (st.resolved > st.addresses) broken("more addresses resolved than seen");
  rtprof_model_t m;
  rtprof_model_build(&m, dumps, ndumps, &st, variant & 1 ? &g_skip : NULL);
  for (size_t i = 0; i < m.nsites; i++)
    if (m.sites[i].nframes < 1) broken("report site %llu has no frame", (unsigned long long)m.sites[i].id);
  if (m.nphase_order != m.nphases) broken("phase tree holds %zu of %zu phases", m.nphase_order, m.nphases);
  rtprof_report_opts_t o = {.format = RTPROF_FMT_TEXT, .sort = (rtprof_sort_t)(variant % 3),
                            .top = variant & 2 ? 3 : 0, .top_given = (variant & 2) != 0,
                            .stacks = (variant & 4) != 0, .timeline = (variant & 32) != 0,
                            .skip = variant & 1 ? SKIP_REGEX : NULL};
  if (variant & 8) { /* --phase PATH: the first of the deepest phases */
    long deepest = -1;
    for (size_t i = 0; i < m.nphases; i++)
      if (deepest < 0 || m.phases[i].depth > m.phases[deepest].depth) deepest = (long)i;
    if (deepest >= 0) {
      o.phase = m.phases[deepest].path;
      if (rtprof_model_find_phase(&m, o.phase) < 0) broken("phase '%s' not found by its path", o.phase);
    }
  }
  for (int f = RTPROF_FMT_TEXT; f <= RTPROF_FMT_PPROF; f++) {
    o.format = (rtprof_format_t)f;
    if (rtprof_report_write(g_null, &m, &o)) broken("report format %d failed", f);
  }
  rtprof_model_free(&m);
  rtprof_symtab_free(&st);
}

/* The budget parser on the same input (a mode of this harness: every input
 * is both a dump and a budget file to it). */
static void fuzz_budgets(const uint8_t *data, size_t size) {
  memset(g_err, 0, sizeof g_err);
  FILE *err = fmemopen(g_err, sizeof g_err - 1, "w");
  if (!err) {
    perror("fuzz_dump: fmemopen");
    exit(1);
  }
  stderr = err;
  rtprof_budgets_t bs = {0};
  int rc = rtprof_budgets_read(&bs, g_path);
  fflush(err);
  stderr = g_stderr;
  fclose(err);
  if (g_echo) fprintf(g_stderr, "fuzz_dump: budgets %s (%zu)\n%s", rc ? "refused:" : "accepted", bs.n, g_err);
  uint64_t lines = count_lines(data, size);
  if (rc == 0) {
    if (g_err[0]) broken("budgets accepted, yet a message was printed");
    if (bs.n > lines) broken("%zu budgets from %llu lines", bs.n, (unsigned long long)lines);
    for (size_t i = 0; i < bs.n; i++) {
      const rtprof_budget_t *b = &bs.v[i];
      if (b->kind >= RTPROF_BUDGET_LAST || !b->value || b->origin != g_path || b->line < 1 || b->line > lines)
        broken("budget %zu: kind %d, line %llu of %llu", i, (int)b->kind, (unsigned long long)b->line,
               (unsigned long long)lines);
    }
  } else if (rc == -1) {
    check_refusal(data, size);
  } else {
    broken("rtprof_budgets_read returned %d", rc);
  }
  rtprof_budgets_free(&bs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (ftruncate(g_fd, 0) || pwrite(g_fd, data, size, 0) != (ssize_t)size) {
    perror("fuzz_dump: writing the memfd");
    exit(1);
  }
  /* the reader's messages go to g_err: stderr is a variable we may swap */
  memset(g_err, 0, sizeof g_err);
  FILE *err = fmemopen(g_err, sizeof g_err - 1, "w");
  if (!err) {
    perror("fuzz_dump: fmemopen");
    exit(1);
  }
  stderr = err;
  rtprof_dump_t d;
  int rc = rtprof_dump_read(g_path, &d);
  if (rc == 0) {
    check_dump(&d);
    /* a few report options, picked by the input; bit 4: merge the dump
     * with itself (two dumps: renumbered sites, phases merged by path) */
    unsigned variant = size ? data[size / 2] : 0;
    rtprof_dump_t two[2] = {d, d};
    report(two, variant & 16 ? 2 : 1, variant);
  }
  fflush(err);
  stderr = g_stderr;
  fclose(err);
  if (g_echo)
    fprintf(g_stderr, "fuzz_dump: %zu bytes %s (%zu bytes interned)\n%s", size, rc ? "refused:" : "accepted",
            g_intern.bytes, g_err);
  if (g_intern.bytes > MAX_BLOWUP * size + (1u << 20))
    broken("%zu bytes of input interned %zu bytes of strings (more than %d times the input + 1 MiB)", size,
           g_intern.bytes, MAX_BLOWUP);
  if (rc == 0) check_quiet();
  else if (rc == -1) check_refusal(data, size);
  else broken("rtprof_dump_read returned %d", rc);
  rtprof_dump_free(&d);
  fuzz_budgets(data, size);
  intern_reset();
  return 0;
}
