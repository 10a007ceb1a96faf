/* `rtprof run [-o DUMP] [--depth N] [--follow-children] [--no-report] -- CMD…`:
 * runs CMD with profiling on under the malloc interposer, passes its exit
 * status through, then prints the report of its dump. */
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
          "with librtprof is profiled by the interposer's copy), then prints the report.\n"
          "  -o DUMP             dump path (%%p = pid); default rtprof.%%p.dump\n"
          "  --depth N           frames per call site, 1-16 (RTPROF_DEPTH); default 1\n"
          "  --follow-children   profile the programs CMD starts too (each its own %%p dump)\n"
          "  --no-report         only run and write the dump\n"
          "  --top N, --skip REGEX, --json   passed to the report\n"
          "Exit status: CMD's (128+N when killed by signal N); 2 when CMD cannot be run.\n");
}

/* librtprof-preload.so next to this binary: BIN/../lib/, as both the build
 * tree and an installed prefix lay it out. RTPROF_PRELOAD overrides. */
static bool find_preload(char *out, size_t cap) {
  const char *env = getenv("RTPROF_PRELOAD");
  if (env && *env) {
    if (strlen(env) >= cap) return false;
    strcpy(out, env);
    return access(out, R_OK) == 0;
  }
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return false;
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (slash) *slash = '\0';
  static const char rel[] = "/../lib/librtprof-preload.so";
  size_t len = strlen(self);
  if (len + sizeof rel > cap) return false;
  memcpy(out, self, len);
  memcpy(out + len, rel, sizeof rel);
  return access(out, R_OK) == 0;
}

static char *expand_pid(const char *templ, pid_t pid) {
  size_t cap = strlen(templ) + 32, o = 0;
  char *out = rtprof_xmalloc(cap);
  for (const char *s = templ; *s; s++) {
    if (s[0] == '%' && s[1] == 'p') {
      o += (size_t)snprintf(out + o, cap - o, "%d", (int)pid);
      s++;
    } else {
      out[o++] = *s;
    }
  }
  out[o] = '\0';
  return out;
}

enum { OPT_DEPTH = 256, OPT_FOLLOW, OPT_NO_REPORT, OPT_TOP, OPT_SKIP, OPT_JSON };
static const struct option run_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"depth", required_argument, NULL, OPT_DEPTH},
    {"follow-children", no_argument, NULL, OPT_FOLLOW},
    {"no-report", no_argument, NULL, OPT_NO_REPORT},
    {"top", required_argument, NULL, OPT_TOP},
    {"skip", required_argument, NULL, OPT_SKIP},
    {"json", no_argument, NULL, OPT_JSON},
    {0},
};

int rtprof_cmd_run(int argc, char **argv) {
  const char *out = "rtprof.%p.dump", *depth = NULL;
  bool follow = false, report = true;
  char *report_args[8]; /* report, --top N, --skip REGEX, --json, the dump */
  int nreport = 0;
  report_args[nreport++] = "report";
  char *top = NULL, *skip = NULL; /* passed to the report (the last one wins there too) */
  bool json = false;
  const char *name;
  int c;
  optind = 0;
  /* "+": options end at CMD, whether or not "--" comes first */
  while ((c = rtprof_getopt("run", argc, argv, "+:ho:", run_options, &name)) != -1) {
    switch (c) {
    case 'h':
      run_usage(stdout);
      return RTPROF_EXIT_OK;
    case 'o': out = optarg; break;
    case OPT_DEPTH: {
      depth = optarg;
      char *end;
      long d = strtol(depth, &end, 10);
      if (*end != '\0' || d < 1 || d > 16) {
        rtprof_error("run: --depth '%s': expected a number from 1 to 16", depth);
        return RTPROF_EXIT_USAGE;
      }
      break;
    }
    case OPT_FOLLOW: follow = true; break;
    case OPT_NO_REPORT: report = false; break;
    case OPT_TOP: top = optarg; break;
    case OPT_SKIP: skip = optarg; break;
    case OPT_JSON: json = true; break;
    default: return RTPROF_EXIT_USAGE; /* '?': the message is out */
    }
  }
  int i = optind;
  if (i >= argc) {
    rtprof_error("run: no command given (usage: rtprof run [options] -- CMD [ARGS...])");
    return RTPROF_EXIT_USAGE;
  }
  char preload[PATH_MAX] = "";
  if (!find_preload(preload, sizeof preload)) {
    rtprof_error("run: cannot find librtprof-preload.so (looked at %s; set RTPROF_PRELOAD)", preload);
    return RTPROF_EXIT_USAGE;
  }
  /* The dump path is made absolute so a CMD that changes directory does not
   * move it, and so we know where to read it. */
  char cwd[PATH_MAX];
  char *out_abs;
  if (out[0] != '/' && getcwd(cwd, sizeof cwd)) {
    out_abs = rtprof_xmalloc(strlen(cwd) + strlen(out) + 2);
    sprintf(out_abs, "%s/%s", cwd, out);
  } else {
    out_abs = rtprof_xstrndup(out, strlen(out));
  }

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
  if (pid == 0) {
    const char *old = getenv("LD_PRELOAD");
    char *ld = rtprof_xmalloc(strlen(preload) + (old ? strlen(old) : 0) + 2);
    sprintf(ld, "%s%s%s", preload, old && *old ? ":" : "", old && *old ? old : "");
    setenv("LD_PRELOAD", ld, 1);
    setenv("RTPROF", "1", 1);
    setenv("RTPROF_OUT", out_abs, 1);
    if (depth) setenv("RTPROF_DEPTH", depth, 1);
    if (!follow) setenv("RTPROF_CHILDREN", "0", 1);
    close(exec_pipe[0]);
    execvp(argv[i], argv + i);
    int err = errno;
    ssize_t w = write(exec_pipe[1], &err, sizeof err);
    (void)w;
    _exit(127);
  }
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
  } else if (report) {
    fprintf(stderr, "rtprof: %s exited with status %d; dump %s\n", argv[i], code, dump);
    if (top) {
      report_args[nreport++] = "--top";
      report_args[nreport++] = top;
    }
    if (skip) {
      report_args[nreport++] = "--skip";
      report_args[nreport++] = skip;
    }
    if (json) report_args[nreport++] = "--json";
    report_args[nreport++] = dump;
    report_args[nreport] = NULL;
    fflush(stdout);
    int rc = rtprof_cmd_report(nreport, report_args);
    if (rc != RTPROF_EXIT_OK) rtprof_error("run: the report of %s failed", dump);
  }
  free(dump);
  free(out_abs);
  return code;
}
