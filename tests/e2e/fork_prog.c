/* A parent that keeps 100 blocks of 1000 bytes, then forks: the child
 * allocates 7 blocks of 10 bytes and leaks them; the parent frees its
 * blocks after the child ends. For t_fork.sh: the child's dump must hold
 * the parent's counts at the fork as well as its own. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtprof.h"

int main(void) {
  void *kept[100];
  for (int i = 0; i < 100; i++) kept[i] = rt_alloc(1000); /* SITE:parent */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 7; i++) (void)rt_alloc(10); /* SITE:child */
    printf("child %d\n", (int)getpid());
    exit(0);
  }
  int status = 1;
  waitpid(pid, &status, 0);
  for (int i = 0; i < 100; i++) rt_free(kept[i]);
  printf("parent %d\n", (int)getpid());
  return status;
}
