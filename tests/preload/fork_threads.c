/* Threads allocate while the main thread forks; the child keeps allocating
 * (its own dump when profiled), and threads come and go at a high rate. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *churn(void *arg) {
  long n = (long)arg;
  for (long i = 0; i < n; i++) {
    char *volatile p = malloc(16 + (size_t)(i % 300)); /* volatile: not elided */
    free(p);
  }
  return NULL;
}

int main(void) {
  pthread_t th[4];
  for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, churn, (void *)200000L);
  pid_t pid = fork(); /* while the threads allocate */
  if (pid == 0) {
    pthread_t t;
    pthread_create(&t, NULL, churn, (void *)1000L);
    pthread_join(t, NULL);
    void *leak = malloc(777);
    printf("child ok %p\n", leak != NULL ? (void *)1 : NULL);
    exit(0);
  }
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  for (int round = 0; round < 200; round++) { /* short-lived threads */
    pthread_t t;
    pthread_create(&t, NULL, churn, (void *)10L);
    pthread_join(t, NULL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("parent ok, child status %d\n", WEXITSTATUS(status));
  return 0;
}
