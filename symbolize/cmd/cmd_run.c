/* `rtprof run [-o DUMP] [--depth N] [--follow-children] [--no-report]
 * [--report FILE] -- CMD…`: runs CMD with profiling on under the malloc
 * interposer, passes its exit status through and its standard output
 * untouched, then prints the report of its dump on standard error (or in
 * FILE). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"

static void run_usage(FILE *out) {
  fprintf(out,
          "usage: rtprof run [options] -- CMD [ARGS...]\n"
          "Runs CMD with profiling on (preloading librtprof-preload.so; a program linked\n"
          "with librtprof is profiled by the interposer's copy), then prints the report\n"
          "on standard error: CMD's standard output passes through byte for byte. A\n"
          "wrapper script or shim that execs the real program profiles that program.\n"
          "  -o DUMP             dump path (%%p = pid); default rtprof.%%p.dump\n"
          "  --report FILE       write the report to FILE instead of standard error\n"
          "  --depth N           frames per call site, 1-16 (RTPROF_DEPTH); default 1\n"
          "  --follow-children   profile the programs CMD starts too (each its own %%p dump)\n"
          "  --no-report         only run and write the dump\n"
          "  --skip REGEX        allocation wrappers to walk past: at capture time (added\n"
          "                      to the built-in list, RTPROF_SKIP=+REGEX) and in the report\n"
          "  --top N, --json     passed to the report\n"
          "Exit status: CMD's (128+N when killed by signal N); 2 when CMD cannot be run.\n");
}

/* Where the Makefile installs the interposer: PKGLIBDIR, absolute and
 * relative to BINDIR. Builds that do not say (the fuzzer's) use the defaults. */
#ifndef RTPROF_PKGLIBDIR
#define RTPROF_PKGLIBDIR "/usr/local/lib/rtprof"
#endif
#ifndef RTPROF_PKGLIBDIR_REL
#define RTPROF_PKGLIBDIR_REL "../lib/rtprof"
#endif

/* The interposer: RTPROF_PRELOAD when set; else, in order, the installed
 * layout relative to this binary (an installed tree unpacked anywhere:
 * DESTDIR, dpkg -x), the build tree's BIN/../lib, the installed absolute
 * path. `looked` gets the paths tried, for the error message. */
static bool find_preload(char *out, size_t cap, char *looked, size_t looked_cap) {
  looked[0] = '\0';
  const char *env = getenv("RTPROF_PRELOAD");
  if (env && *env) {
    snprintf(looked, looked_cap, "RTPROF_PRELOAD=%s", env);
    if (strlen(env) >= cap) return false;
    strcpy(out, env);
    return access(out, R_OK) == 0;
  }
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) self[0] = '\0';
  else self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (slash) *slash = '\0';
  const char *dirs[] = {self[0] ? self : NULL, self[0] ? self : NULL, ""};
  const char *rels[] = {("/" RTPROF_PKGLIBDIR_REL), "/../lib", RTPROF_PKGLIBDIR};
  size_t used = 0;
  for (size_t i = 0; i < sizeof rels / sizeof *rels; i++) {
    if (!dirs[i]) continue;
    int len = snprintf(out, cap, "%s%s/librtprof-preload.so", dirs[i], rels[i]);
    if (len < 0 || (size_t)len >= cap) continue;
    if (access(out, R_OK) == 0) {
      char canon[PATH_MAX]; /* BIN/../lib/... read as the directory it is */
      if (realpath(out, canon) && strlen(canon) < cap) strcpy(out, canon);
      return true;
    }
    if (used < looked_cap) used += (size_t)snprintf(looked + used, looked_cap - used, "%s%s", used ? ", " : "", out);
  }
  return false;
}

/* templ with each %p replaced by the pid: sized for every %p, however many. */
static char *expand_pid(const char *templ, pid_t pid) {
  char digits[24];
  int nd = snprintf(digits, sizeof digits, "%d", (int)pid);
  size_t cap = 1;
  for (const char *s = templ; *s; s++) {
    if (s[0] == '%' && s[1] == 'p') cap += (size_t)nd, s++;
    else cap++;
  }
  char *out = rtprof_xmalloc(cap), *o = out;
  for (const char *s = templ; *s; s++) {
    if (s[0] == '%' && s[1] == 'p') {
      memcpy(o, digits, (size_t)nd);
      o += nd;
      s++;
    } else {
      *o++ = *s;
    }
  }
  *o = '\0';
  return out;
}

/* The `reason` of a dump's process line (its second line), in `out`. */
static bool dump_reason(const char *dump, char *out, size_t cap) {
  FILE *f = fopen(dump, "r");
  if (f == NULL) return false;
  char line[1024];
  bool found = false;
  for (int n = 0; n < 2 && fgets(line, sizeof line, f); n++) {
    const char *r = strstr(line, " reason=");
    if (n == 1 && r != NULL) {
      r += 8;
      size_t len = strcspn(r, " \n");
      if (len < cap) memcpy(out, r, len), out[len] = '\0', found = true;
    }
  }
  fclose(f);
  return found;
}

/* Runs the report with its standard output sent to FILE, or to standard
 * error: the program's standard output stays the program's alone. */
static int report_to(const char *file, int argc, char **argv) {
  fflush(stdout);
  int target = file ? open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : dup(2);
  if (target < 0) {
    rtprof_error("run: --report %s: %s", file, strerror(errno));
    return RTPROF_EXIT_USAGE;
  }
  int saved = dup(1);
  if (saved < 0 || dup2(target, 1) < 0) {
    rtprof_error("run: cannot redirect the report: %s", strerror(errno));
    close(target);
    if (saved >= 0) close(saved);
    return RTPROF_EXIT_USAGE;
  }
  close(target);
  int rc = rtprof_cmd_report(argc, argv);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  return rc;
}

enum { OPT_DEPTH = 256, OPT_FOLLOW, OPT_NO_REPORT, OPT_REPORT, OPT_TOP, OPT_SKIP, OPT_JSON };
static const struct option run_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"depth", required_argument, NULL, OPT_DEPTH},
    {"follow-children", no_argument, NULL, OPT_FOLLOW},
    {"no-report", no_argument, NULL, OPT_NO_REPORT},
    {"report", required_argument, NULL, OPT_REPORT},
    {"top", required_argument, NULL, OPT_TOP},
    {"skip", required_argument, NULL, OPT_SKIP},
    {"json", no_argument, NULL, OPT_JSON},
    {0},
};

/* What run's command line asks for. */
typedef struct run_args_s {
  const char *out, *depth;
  const char *report_file; /* --report FILE; NULL: standard error */
  bool follow, report;
  char *top, *skip;        /* passed to the report (the last one wins there too) */
  bool json;
  int cmd;                 /* argv index of CMD */
} run_args_t;

/* Parses the options. Returns -1 for --help (printed), 0, or
 * RTPROF_EXIT_USAGE after a message. */
static int parse_args(int argc, char **argv, run_args_t *a) {
  const char *name;
  int c;
  optind = 0;
  /* "+": options end at CMD, whether or not "--" comes first */
  while ((c = rtprof_getopt("run", argc, argv, "+:ho:", run_options, &name)) != -1) {
    switch (c) {
    case 'h': run_usage(stdout); return -1;
    case 'o': a->out = optarg; break;
    case OPT_DEPTH: {
      a->depth = optarg;
      char *end;
      long d = strtol(a->depth, &end, 10);
      if (*end != '\0' || d < 1 || d > 16) {
        rtprof_error("run: --depth '%s': expected a number from 1 to 16", a->depth);
        return RTPROF_EXIT_USAGE;
      }
      break;
    }
    case OPT_FOLLOW: a->follow = true; break;
    case OPT_NO_REPORT: a->report = false; break;
    case OPT_REPORT: a->report_file = optarg; break;
    case OPT_TOP: a->top = optarg; break;
    case OPT_SKIP: a->skip = optarg; break;
    case OPT_JSON: a->json = true; break;
    default: return RTPROF_EXIT_USAGE; /* '?': the message is out */
    }
  }
  a->cmd = optind;
  if (a->cmd >= argc) {
    rtprof_error("run: no command given (usage: rtprof run [options] -- CMD [ARGS...])");
    return RTPROF_EXIT_USAGE;
  }
  return 0;
}

/* The dump path made absolute, so a CMD that changes directory does not
 * move it, and so we know where to read it. */
static char *absolute(const char *path) {
  char cwd[PATH_MAX];
  if (path[0] == '/' || !getcwd(cwd, sizeof cwd)) return rtprof_xstrndup(path, strlen(path));
  char *abs = rtprof_xmalloc(strlen(cwd) + strlen(path) + 2);
  sprintf(abs, "%s/%s", cwd, path);
  return abs;
}

/* In the child: CMD with the interposer preloaded and profiling switched on;
 * a failed exec's errno goes up the close-on-exec pipe. */
static _Noreturn void exec_child(char **argv, const run_args_t *a, const char *preload, const char *out_abs,
                                 int exec_pipe[2]) {
  const char *old = getenv("LD_PRELOAD");
  char *ld = rtprof_xmalloc(strlen(preload) + (old ? strlen(old) : 0) + 2);
  sprintf(ld, "%s%s%s", preload, old && *old ? ":" : "", old && *old ? old : "");
  setenv("LD_PRELOAD", ld, 1);
  setenv("RTPROF", "1", 1);
  setenv("RTPROF_OUT", out_abs, 1);
  if (a->depth) setenv("RTPROF_DEPTH", a->depth, 1);
  if (a->skip) {
    char *skip = rtprof_xmalloc(strlen(a->skip) + 2);
    sprintf(skip, "+%s", a->skip);
    setenv("RTPROF_SKIP", skip, 1);
  }
  if (!a->follow) setenv("RTPROF_CHILDREN", "0", 1);
  close(exec_pipe[0]);
  execvp(argv[a->cmd], argv + a->cmd);
  int err = errno;
  ssize_t w = write(exec_pipe[1], &err, sizeof err);
  (void)w;
  _exit(127);
}

/* The report of CMD's dump, with run's --top, --skip and --json. */
static void report_dump(char *dump, const run_args_t *a) {
  char *report_args[8] = {"report"};
  int nreport = 1;
  if (a->top) {
    report_args[nreport++] = "--top";
    report_args[nreport++] = a->top;
  }
  if (a->skip) {
    report_args[nreport++] = "--skip";
    report_args[nreport++] = a->skip;
  }
  if (a->json) report_args[nreport++] = "--json";
  report_args[nreport++] = dump;
  report_args[nreport] = NULL;
  if (report_to(a->report_file, nreport, report_args) != RTPROF_EXIT_OK)
    rtprof_error("run: the report of %s failed", dump);
}

int rtprof_cmd_run(int argc, char **argv) {
  run_args_t a = {.out = "rtprof.%p.dump", .report = true};
  int rc = parse_args(argc, argv, &a);
  if (rc) return rc < 0 ? RTPROF_EXIT_OK : rc;
  int i = a.cmd;
  char preload[PATH_MAX] = "", looked[3 * PATH_MAX + 8];
  if (!find_preload(preload, sizeof preload, looked, sizeof looked)) {
    rtprof_error("run: cannot find librtprof-preload.so (looked at %s; set RTPROF_PRELOAD)", looked);
    return RTPROF_EXIT_USAGE;
  }
  /* ld.so splits LD_PRELOAD at spaces and colons, with no way to quote them */
  if (strpbrk(preload, " :\t")) {
    rtprof_error("run: the interposer's path '%s' holds a space or colon, which LD_PRELOAD cannot "
                 "carry; install rtprof under a path without them, or set RTPROF_PRELOAD to a copy "
                 "of librtprof-preload.so at such a path", preload);
    return RTPROF_EXIT_USAGE;
  }
  char *out_abs = absolute(a.out);

  /* A close-on-exec pipe tells a failed exec apart from CMD exiting 127. */
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    rtprof_error("run: pipe: %s", strerror(errno));
    return RTPROF_EXIT_USAGE;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    rtprof_error("run: fork: %s", strerror(errno));
    return RTPROF_EXIT_USAGE;
  }
  if (pid == 0) exec_child(argv, &a, preload, out_abs, exec_pipe);
  close(exec_pipe[1]);
  int exec_errno = 0;
  ssize_t got;
  while ((got = read(exec_pipe[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
  }
  close(exec_pipe[0]);
  /* Like system(): the terminal's ^C and ^\ are for CMD. */
  struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
  sigaction(SIGINT, &ign, &old_int);
  sigaction(SIGQUIT, &ign, &old_quit);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGQUIT, &old_quit, NULL);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (got == (ssize_t)sizeof exec_errno) {
    rtprof_error("run: cannot run '%s': %s", argv[i], strerror(exec_errno));
    return RTPROF_EXIT_USAGE;
  }

  char *dump = expand_pid(out_abs, pid);
  struct stat st;
  if (stat(dump, &st) != 0) {
    rtprof_error("run: %s wrote no dump at %s (it ended by exec, _exit or a signal, or is a "
                 "static binary the interposer cannot enter)", argv[i], dump);
  } else {
    char why[32];
    if (!dump_reason(dump, why, sizeof why))
      rtprof_error("run: %s: cannot read the dump's reason", dump);
    else if (strcmp(why, "exit") != 0)
      rtprof_error("run: the dump %s was not written at exit (reason=%s): %s was killed, "
                   "ended by _exit, or exec'd a program rtprof cannot profile (static or "
                   "setuid); it shows the process as of that moment",
                   dump, why, argv[i]);
    if (a.report) {
      fprintf(stderr, "rtprof: %s exited with status %d; dump %s\n", argv[i], code, dump);
      report_dump(dump, &a);
    }
  }
  free(dump);
  free(out_abs);
  return code;
}
