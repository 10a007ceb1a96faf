/* Drives one `addr2line -f -i -C -a -e FILE` process: all offsets go in on
 * stdin while the answers are read back through poll(), so neither side can
 * block on a full pipe. With -a each answer starts with the address, then one
 * (function, file:line) pair per inlined level, innermost first; "??" and
 * "??:0" mean unknown. Started with fork/exec and an argv, never system(). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resolve/resolve.h"

#define IO_CHUNK 65536
#define MAX_OUT_LINE 16384   /* longer answers (huge C++ names) are cut */
#define MAX_CHAIN 64         /* inline levels kept per address */
#define MAX_ERR_LINE 256     /* first line of addr2line's stderr, kept */

typedef enum { EXPECT_ADDR, EXPECT_FUNC_OR_ADDR, EXPECT_LOC } parse_state_t;

typedef struct a2l_s {
  const uint64_t *offsets; size_t n;  /* what is asked */
  size_t next_in;          /* next offset to write */
  size_t next_out;         /* next answer expected */
  long cur;                /* offset index being answered, -1 before the first */
  parse_state_t state;
  const char *function;    /* pending function of a (function, loc) pair */
  uint32_t *first, *count;
  rtprof_loc_t **locs; size_t *nlocs, *cap_locs;
  char line[MAX_OUT_LINE]; size_t linelen; /* partial stdout line */
  char errline[MAX_ERR_LINE]; size_t errlen; bool err_done;
  bool bad;                /* output did not follow the expected shape */
} a2l_t;

static bool is_addr_line(const char *s, size_t n, uint64_t *v) {
  if (n < 3 || s[0] != '0' || s[1] != 'x' || n > 18) return false;
  uint64_t x = 0;
  for (size_t i = 2; i < n; i++) {
    char c = s[i];
    int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (h < 0) return false;
    x = x << 4 | (uint64_t)h;
  }
  *v = x;
  return true;
}

/* "path:12", "path:12 (discriminator 3)", "??:0", "path:?" */
static void parse_loc(const char *s, size_t n, const char **file, uint32_t *line) {
  const char *disc = strstr(s, " (discriminator ");
  if (disc && (size_t)(disc - s) < n) n = (size_t)(disc - s);
  const char *colon = NULL;
  for (size_t i = n; i > 0; i--)
    if (s[i - 1] == ':') {
      colon = s + i - 1;
      break;
    }
  size_t flen = colon ? (size_t)(colon - s) : n;
  *line = 0;
  if (colon) {
    uint64_t v = 0;
    const char *p = colon + 1;
    for (; p < s + n && *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++) v = v * 10 + (uint64_t)(*p - '0');
    if (p == s + n && p > colon + 1 && v <= UINT32_MAX) *line = (uint32_t)v;
  }
  *file = flen == 0 || (flen == 2 && s[0] == '?' && s[1] == '?') ? NULL : rtprof_intern(s, flen);
}

static void on_line(a2l_t *a, const char *s, size_t n) {
  uint64_t v;
  if (a->bad) return;
  if (a->state != EXPECT_LOC && a->next_out < a->n && is_addr_line(s, n, &v) &&
      v == a->offsets[a->next_out]) {
    a->cur = (long)a->next_out++;
    a->first[a->cur] = (uint32_t)*a->nlocs;
    a->count[a->cur] = 0;
    a->state = EXPECT_FUNC_OR_ADDR;
    return;
  }
  if (a->state == EXPECT_ADDR) {
    a->bad = true;
    return;
  }
  if (a->state == EXPECT_FUNC_OR_ADDR) {
    a->function = n == 0 || (n == 2 && s[0] == '?' && s[1] == '?') ? NULL : rtprof_intern(s, n);
    a->state = EXPECT_LOC;
    return;
  }
  rtprof_loc_t loc = {.function = a->function};
  parse_loc(s, n, &loc.file, &loc.line);
  a->state = EXPECT_FUNC_OR_ADDR;
  if (a->count[a->cur] >= MAX_CHAIN) return;
  rtprof_grow(a->locs, a->cap_locs, *a->nlocs + 1, sizeof **a->locs);
  (*a->locs)[(*a->nlocs)++] = loc;
  a->count[a->cur]++;
}

static void on_stdout(a2l_t *a, const char *buf, size_t n) {
  while (n > 0) {
    const char *nl = memchr(buf, '\n', n);
    size_t seg = nl ? (size_t)(nl - buf) : n;
    size_t room = sizeof a->line - 1 - a->linelen;
    size_t take = seg < room ? seg : room;
    memcpy(a->line + a->linelen, buf, take);
    a->linelen += take;
    if (!nl) return;
    a->line[a->linelen] = '\0';
    on_line(a, a->line, a->linelen);
    a->linelen = 0;
    buf += seg + 1;
    n -= seg + 1;
  }
}

static void on_stderr(a2l_t *a, const char *buf, size_t n) {
  for (size_t i = 0; i < n && !a->err_done; i++) {
    if (buf[i] == '\n') a->err_done = a->errlen > 0;
    else if (a->errlen + 1 < sizeof a->errline) a->errline[a->errlen++] = buf[i];
  }
  a->errline[a->errlen] = '\0';
}

/* Fills buf with the next offsets to write; returns the byte count. */
static size_t fill_input(a2l_t *a, char *buf, size_t cap) {
  size_t used = 0;
  while (a->next_in < a->n && cap - used >= 20) {
    used += (size_t)snprintf(buf + used, cap - used, "0x%llx\n", (unsigned long long)a->offsets[a->next_in]);
    a->next_in++;
  }
  return used;
}

static void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Spawns prog with stdin/stdout/stderr on pipes; returns the pid or -1. */
static pid_t spawn(const char *const argv[], int *in, int *out, int *err, int *exec_errno) {
  int pin[2], pout[2], perr[2], pexec[2];
  *exec_errno = 0;
  if (pipe2(pin, O_CLOEXEC)) return -1;
  if (pipe2(pout, O_CLOEXEC)) goto close_in;
  if (pipe2(perr, O_CLOEXEC)) goto close_out;
  if (pipe2(pexec, O_CLOEXEC)) goto close_err;
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL); /* the parent ignores it; exec keeps ignored signals */
    if (dup2(pin[0], 0) < 0 || dup2(pout[1], 1) < 0 || dup2(perr[1], 2) < 0) _exit(127);
    execvp(argv[0], (char *const *)argv);
    int e = errno;
    ssize_t k = write(pexec[1], &e, sizeof e);
    (void)k;
    _exit(127);
  }
  int fork_errno = errno;
  close(pin[0]);
  close(pout[1]);
  close(perr[1]);
  close(pexec[1]);
  if (pid < 0) {
    close(pin[1]);
    close(pout[0]);
    close(perr[0]);
    close(pexec[0]);
    errno = fork_errno;
    return -1;
  }
  ssize_t k;
  do k = read(pexec[0], exec_errno, sizeof *exec_errno);
  while (k < 0 && errno == EINTR);
  if (k != (ssize_t)sizeof *exec_errno) *exec_errno = 0;
  close(pexec[0]);
  *in = pin[1];
  *out = pout[0];
  *err = perr[0];
  return pid;
close_err:
  close(perr[0]);
  close(perr[1]);
close_out:
  close(pout[0]);
  close(pout[1]);
close_in:
  close(pin[0]);
  close(pin[1]);
  return -1;
}

int rtprof_addr2line(const char *prog, const char *path, const uint64_t *offsets, size_t n,
                     uint32_t *first, uint32_t *count, rtprof_loc_t **locs, size_t *nlocs,
                     size_t *cap_locs, char *err, size_t errlen) {
  const char *argv[] = {prog, "-f", "-i", "-C", "-a", "-e", path, NULL};
  int in, out, errfd, exec_errno;
  pid_t pid = spawn(argv, &in, &out, &errfd, &exec_errno);
  if (pid < 0) {
    snprintf(err, errlen, "cannot start '%s': %s", prog, strerror(errno));
    return -1;
  }
  a2l_t *a = rtprof_xcalloc(1, sizeof *a);
  *a = (a2l_t){.offsets = offsets, .n = n, .cur = -1, .state = EXPECT_ADDR, .first = first,
               .count = count, .locs = locs, .nlocs = nlocs, .cap_locs = cap_locs};
  size_t locs_before = *nlocs;
  char *ibuf = rtprof_xmalloc(IO_CHUNK), *obuf = rtprof_xmalloc(IO_CHUNK);
  size_t ilen = 0, ioff = 0;
  bool write_failed = false;
  set_nonblock(in);
  if (exec_errno) { /* nothing to talk to */
    close(in);
    in = -1;
  }
  while (out >= 0 || errfd >= 0) {
    if (in >= 0 && ioff == ilen) {
      ilen = fill_input(a, ibuf, IO_CHUNK);
      ioff = 0;
      if (ilen == 0) {
        close(in); /* EOF: addr2line answers the rest and exits */
        in = -1;
      }
    }
    struct pollfd pf[3] = {{.fd = in, .events = POLLOUT}, {.fd = out, .events = POLLIN},
                           {.fd = errfd, .events = POLLIN}};
    if (poll(pf, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (in >= 0 && pf[0].revents) {
      ssize_t k = write(in, ibuf + ioff, ilen - ioff);
      if (k > 0) ioff += (size_t)k;
      else if (k < 0 && errno != EAGAIN && errno != EINTR) { /* EPIPE: it died */
        write_failed = true;
        close(in);
        in = -1;
      }
    }
    for (int i = 1; i < 3; i++) {
      int *fd = i == 1 ? &out : &errfd;
      if (*fd < 0 || !pf[i].revents) continue;
      ssize_t k = read(*fd, obuf, IO_CHUNK);
      if (k > 0) {
        if (i == 1) on_stdout(a, obuf, (size_t)k);
        else on_stderr(a, obuf, (size_t)k);
      } else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(*fd);
        *fd = -1;
      }
    }
  }
  if (in >= 0) close(in);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  int rc = -1;
  const char *why = a->errlen ? a->errline : "no message";
  if (exec_errno)
    snprintf(err, errlen, "cannot run '%s': %s", prog, strerror(exec_errno));
  else if (WIFSIGNALED(status))
    snprintf(err, errlen, "'%s' was killed by signal %d", prog, WTERMSIG(status));
  else if (WEXITSTATUS(status) != 0)
    snprintf(err, errlen, "'%s' exited with status %d (%s)", prog, WEXITSTATUS(status), why);
  else if (a->bad || a->next_out != n || a->state == EXPECT_LOC || write_failed)
    snprintf(err, errlen, "'%s' answered %zu of %zu addresses in an unexpected form", prog,
             a->next_out, n);
  else
    rc = 0;
  if (rc) *nlocs = locs_before; /* drop partial answers: all or nothing */
  free(ibuf);
  free(obuf);
  free(a);
  return rc;
}
