/* The budgets of `rtprof check`, from the command line (--max-live 0) or a
 * budget file (one "max-live 0" per line, # comments): one parser for both,
 * so a bad value gets the same message, with FILE:LINE from a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/model.h"

static const char *const budget_names[RTPROF_BUDGET_LAST] = {
    [RTPROF_BUDGET_PEAK_COMMITTED] = "max-peak-committed",
    [RTPROF_BUDGET_LIVE] = "max-live",
    [RTPROF_BUDGET_SITE_BYTES] = "max-site-bytes",
    [RTPROF_BUDGET_PHASE_BYTES] = "max-phase-bytes",
    [RTPROF_BUDGET_PHASE_DELTA] = "max-phase-delta",
    [RTPROF_BUDGET_GROWTH] = "max-growth",
};

const char *rtprof_budget_name(rtprof_budget_kind_t k) { return k < RTPROF_BUDGET_LAST ? budget_names[k] : "?"; }

int rtprof_budget_kind(const char *name, size_t len) {
  for (int k = 0; k < RTPROF_BUDGET_LAST; k++)
    if (strlen(budget_names[k]) == len && memcmp(budget_names[k], name, len) == 0) return k;
  return -1;
}

/* "5%", "5", "0.5%": a non-negative percentage. */
static int parse_percent(const char *s, double *out) {
  const char *p = s;
  bool digits = false;
  double v = 0, scale = 1;
  for (; *p >= '0' && *p <= '9'; p++, digits = true) v = v * 10 + (*p - '0');
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++, digits = true) v += (*p - '0') * (scale /= 10);
  if (*p == '%') p++;
  if (!digits || *p || v > 1e9) return -1;
  *out = v;
  return 0;
}

int rtprof_budget_add(rtprof_budgets_t *bs, rtprof_budget_kind_t k, const char *value, const char *origin,
                      uint64_t line, char *err, size_t errlen) {
  rtprof_budget_t b = {.kind = k, .origin = origin, .line = line};
  const char *size = value;
  char sizeerr[256];
  if (k == RTPROF_BUDGET_GROWTH) {
    if (parse_percent(value, &b.percent)) {
      snprintf(err, errlen, "expected a percentage such as 5%%, got '%s'", value);
      return -1;
    }
  } else {
    if (k == RTPROF_BUDGET_SITE_BYTES || k == RTPROF_BUDGET_PHASE_BYTES || k == RTPROF_BUDGET_PHASE_DELTA) {
      const char *eq = strrchr(value, '='); /* names may hold '=', sizes never do */
      const char *what = k == RTPROF_BUDGET_SITE_BYTES ? "PATTERN" : "PATH";
      if (!eq || eq == value || !eq[1]) {
        snprintf(err, errlen, "expected %s=SIZE, got '%s'", what, value);
        return -1;
      }
      b.what = rtprof_xstrndup(value, (size_t)(eq - value));
      size = eq + 1;
    }
    if (rtprof_parse_size(size, &b.limit, sizeerr, sizeof sizeerr)) {
      snprintf(err, errlen, "%s", sizeerr);
      free(b.what);
      return -1;
    }
  }
  b.value = rtprof_xstrndup(value, strlen(value));
  rtprof_grow(&bs->v, &bs->cap, bs->n + 1, sizeof *bs->v);
  bs->v[bs->n++] = b;
  return 0;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* One line of a budget file: "[--]NAME VALUE" or "[--]NAME=VALUE"; the value
 * runs to the end of the line (a phase path may hold spaces). */
static int parse_line(rtprof_budgets_t *bs, const char *path, uint64_t lineno, char *s) {
  char err[512];
  for (char *c = s; *c; c++) /* a comment: '#' first or after a blank */
    if (*c == '#' && (c == s || is_space(c[-1]))) {
      *c = '\0';
      break;
    }
  size_t n = strlen(s);
  while (n > 0 && is_space(s[n - 1])) s[--n] = '\0';
  while (is_space(*s)) s++;
  if (!*s) return 0;
  const char *name = s[0] == '-' && s[1] == '-' ? s + 2 : s;
  size_t len = strcspn(name, " \t=");
  int k = rtprof_budget_kind(name, len);
  if (k < 0) {
    rtprof_error("%s:%llu: unknown budget '%.*s' (expected max-peak-committed, max-live, max-site-bytes, "
                 "max-phase-bytes, max-phase-delta or max-growth)",
                 path, (unsigned long long)lineno, (int)(len > 64 ? 64 : len), name);
    return -1;
  }
  const char *v = name + len;
  while (is_space(*v)) v++;
  if (*v == '=' && v == name + len) v++;
  while (is_space(*v)) v++;
  if (!*v) {
    rtprof_error("%s:%llu: %s: expected a value after the budget's name", path, (unsigned long long)lineno,
                 budget_names[k]);
    return -1;
  }
  if (rtprof_budget_add(bs, (rtprof_budget_kind_t)k, v, path, lineno, err, sizeof err)) {
    rtprof_error("%s:%llu: %s: %s", path, (unsigned long long)lineno, budget_names[k], err);
    return -1;
  }
  return 0;
}

/* A budget file is a few lines: anything larger, a line longer than this or
 * a NUL byte is not one (/dev/zero, a binary named by mistake), and is
 * refused with the line it was found on rather than read without end. */
#define BUDGET_MAX_LINE 4096
#define BUDGET_MAX_FILE (1u << 20)

int rtprof_budgets_read(rtprof_budgets_t *bs, const char *path) {
  bool is_stdin = strcmp(path, "-") == 0;
  /* non-blocking: a FIFO without a writer must not hang the open */
  int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    rtprof_error("%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    rtprof_error("%s: is a directory, not a budget file", path);
    if (!is_stdin) close(fd);
    return -1;
  }
  if (!is_stdin) { /* reads block again: a FIFO then reads to its writer's end */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  }
  char *line = rtprof_xmalloc(BUDGET_MAX_LINE + 1), buf[4096];
  size_t len = 0;
  uint64_t lineno = 1, total = 0;
  int rc = 0;
  bool eof = false;
  while (rc == 0 && !eof) {
    ssize_t k = read(fd, buf, sizeof buf);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) {
      rtprof_error("%s: cannot read: %s", path, strerror(errno));
      rc = -1;
      break;
    }
    eof = k == 0;
    total += (uint64_t)k;
    if (total > BUDGET_MAX_FILE) {
      rtprof_error("%s: larger than %u bytes (not a budget file?)", path, BUDGET_MAX_FILE);
      rc = -1;
      break;
    }
    for (ssize_t i = 0; i < k && rc == 0; i++) {
      char c = buf[i];
      if (c == '\0') {
        rtprof_error("%s:%llu: NUL byte in a text line (not a budget file?)", path, (unsigned long long)lineno);
        rc = -1;
      } else if (c == '\n') {
        line[len] = '\0';
        rc = parse_line(bs, path, lineno++, line);
        len = 0;
      } else if (len == BUDGET_MAX_LINE) {
        rtprof_error("%s:%llu: line longer than %d bytes (not a budget file?)", path, (unsigned long long)lineno,
                     BUDGET_MAX_LINE);
        rc = -1;
      } else {
        line[len++] = c;
      }
    }
  }
  if (rc == 0 && len > 0) { /* a last line without its newline */
    line[len] = '\0';
    rc = parse_line(bs, path, lineno, line);
  }
  free(line);
  if (!is_stdin) close(fd);
  return rc;
}

void rtprof_budgets_free(rtprof_budgets_t *bs) {
  for (size_t i = 0; i < bs->n; i++) {
    free(bs->v[i].value);
    free(bs->v[i].what);
  }
  free(bs->v);
  memset(bs, 0, sizeof *bs);
}
