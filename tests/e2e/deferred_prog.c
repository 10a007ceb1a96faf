/* Deferred frees (alloc/alloc.c): a free of any block but the last one
 * allocated waits a few frees while its tag is fetched. One scenario per
 * run (argv[1]), for t_deferred.sh:
 *   idle     a thread frees 64 blocks, then sleeps until the process exits:
 *            the exit dump must count every free (none left as a leak);
 *   sleep    one thread frees 3 of 4 blocks, sleeps through periodic dumps,
 *            allocates 3 again: the site's peak stays 4 blocks;
 *   fork     the same thread asleep while main forks: the child's dump too;
 *   double   a block freed twice while its first free still waits;
 *   realloc  a realloc of a block whose free still waits;
 *   foreign  a pointer rtprof did not allocate, reported after later frees
 *            with its own call site;
 *   peak     an allocation that raises the thread's high-water but not its
 *            site's, while frees wait: the process's peak is 1,016 bytes
 *            (1,316 with the waiting frees left unsettled). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtprof.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int freed_all;
static char not_ours[8192] __attribute__((aligned(4096)));

static void *idle_thread(void *arg) {
  (void)arg;
  void *blocks[64];
  for (int i = 0; i < 64; i++) blocks[i] = rt_alloc(100 + (size_t)i); /* SITE:idle_alloc */
  for (int i = 0; i < 64; i++) rt_free(blocks[i]); /* first to last: all but the last wait */
  pthread_mutex_lock(&lock);
  freed_all = 1;
  pthread_cond_signal(&cond);
  pthread_mutex_unlock(&lock);
  for (;;) pause(); /* idle until the process exits */
  return NULL;
}

static __attribute__((noinline)) void *hundred(void) {
  return rt_alloc(100); /* SITE:sleep_alloc */
}

static __attribute__((noinline)) void *thousand(void) {
  return rt_alloc(1000); /* SITE:peak_thousand */
}

static void start_idle_thread(void) {
  pthread_t th;
  pthread_create(&th, NULL, idle_thread, NULL);
  pthread_mutex_lock(&lock);
  while (!freed_all) pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *what = argv[1];
  if (strcmp(what, "idle") == 0) {
    start_idle_thread();
  } else if (strcmp(what, "fork") == 0) {
    start_idle_thread();
    pid_t pid = fork();
    if (pid == 0) {
      printf("child %d\n", (int)getpid());
      fflush(stdout);
      _exit(rtprof_dump(NULL) == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("parent %d\n", (int)getpid());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  } else if (strcmp(what, "sleep") == 0) {
    void *b[7];
    for (int i = 0; i < 4; i++) b[i] = hundred();
    for (int i = 0; i < 3; i++) rt_free(b[i]); /* they wait: b[3] was allocated last */
    usleep(300 * 1000);
    for (int i = 4; i < 7; i++) b[i] = hundred();
    for (int i = 3; i < 7; i++) rt_free(b[i]);
  } else if (strcmp(what, "double") == 0) {
    char *p = rt_alloc(40); /* SITE:double_alloc */
    char *q = rt_alloc(50);
    rt_free(p);
    rt_free(p); /* SITE:bad_double */
    rt_free(q);
  } else if (strcmp(what, "realloc") == 0) {
    char *p = rt_alloc(40); /* SITE:realloc_alloc */
    char *q = rt_alloc(50);
    rt_free(p);
    char *r = rt_realloc(p, 80); /* SITE:bad_realloc */
    rt_free(q);
    if (r != NULL) return 3;
  } else if (strcmp(what, "peak") == 0) {
    rt_free(thousand()); /* the site's peak and the thread's: 1,000 bytes; freed at once */
    void *b[5];
    for (int i = 0; i < 4; i++) b[i] = rt_alloc(100);
    b[4] = rt_alloc(16);
    for (int i = 0; i < 4; i++) rt_free(b[i]); /* they wait; live 16 */
    void *y = thousand(); /* live 1,016: the thread's new high, within the site's */
    rt_free(y);
    rt_free(b[4]);
  } else if (strcmp(what, "foreign") == 0) {
    char *q = rt_alloc(50);
    rt_free(not_ours + 48); /* SITE:bad_foreign */
    for (int i = 0; i < 8; i++) rt_free(rt_alloc(30));
    rt_free(q);
  }
  puts("continued");
  return 0;
}
