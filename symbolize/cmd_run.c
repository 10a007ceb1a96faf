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

#include "rtprof_cli.h"

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

int rtprof_cmd_run(int argc, char **argv) {
  const char *out = "rtprof.%p.dump", *depth = NULL, *report_file = NULL;
  bool follow = false, report = true;
  char *report_args[16];
  int nreport = 0;
  report_args[nreport++] = "report";
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      run_usage(stdout);
      return RTPROF_EXIT_OK;
    } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else if (strcmp(a, "--depth") == 0 && i + 1 < argc) {
      depth = argv[++i];
      char *end;
      long d = strtol(depth, &end, 10);
      if (*end != '\0' || d < 1 || d > 16) {
        rtprof_error("run: --depth '%s': expected a number from 1 to 16", depth);
        return RTPROF_EXIT_USAGE;
      }
    } else if (strcmp(a, "--follow-children") == 0) {
      follow = true;
    } else if (strcmp(a, "--no-report") == 0) {
      report = false;
    } else if (strcmp(a, "--report") == 0 && i + 1 < argc) {
      report_file = argv[++i];
    } else if ((strcmp(a, "--top") == 0 || strcmp(a, "--skip") == 0) && i + 1 < argc && nreport < 12) {
      report_args[nreport++] = argv[i];
      report_args[nreport++] = argv[++i];
    } else if (strcmp(a, "--json") == 0 && nreport < 12) {
      report_args[nreport++] = argv[i];
    } else if (a[0] == '-') {
      rtprof_error("run: unknown option '%s' (see 'rtprof run --help')", a);
      return RTPROF_EXIT_USAGE;
    } else {
      break; /* CMD without "--" */
    }
  }
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
  } else {
    char why[32];
    if (!dump_reason(dump, why, sizeof why))
      rtprof_error("run: %s: cannot read the dump's reason", dump);
    else if (strcmp(why, "exit") != 0)
      rtprof_error("run: the dump %s was not written at exit (reason=%s): %s was killed, "
                   "ended by _exit, or exec'd a program rtprof cannot profile (static or "
                   "setuid); it shows the process as of that moment",
                   dump, why, argv[i]);
    if (report) {
      fprintf(stderr, "rtprof: %s exited with status %d; dump %s\n", argv[i], code, dump);
      report_args[nreport++] = dump;
      report_args[nreport] = NULL;
      if (report_to(report_file, nreport, report_args) != RTPROF_EXIT_OK)
        rtprof_error("run: the report of %s failed", dump);
    }
  }
  free(dump);
  free(out_abs);
  return code;
}
