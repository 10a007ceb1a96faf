/* A signal handler that allocates, landing inside a phase begin while the
 * profiler holds its registry lock (t_signal_phase.sh). The phase name lies
 * on a page with no access: reading it faults; the SIGSEGV handler
 * allocates from 300 new sites (new counter chunks, which the lock guards),
 * makes the page readable and returns. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rtprof.h"

static char *name_page;
static long page;
static volatile int faults;

static void on_segv(int sig, siginfo_t *si, void *ctx) {
  (void)sig, (void)ctx;
  if ((char *)si->si_addr < name_page || (char *)si->si_addr >= name_page + page) _exit(90);
  faults++;
  for (int k = 0; k < 300; k++) rt_free(rt_alloc_at(48, (const char *)&on_segv + 16 * k + 1));
  mprotect(name_page, (size_t)page, PROT_READ | PROT_WRITE);
}

int main(void) {
  page = sysconf(_SC_PAGESIZE);
  name_page = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (name_page == MAP_FAILED) return 2;
  strcpy(name_page, "faulting");
  mprotect(name_page, (size_t)page, PROT_NONE);
  struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
  sigaction(SIGSEGV, &sa, NULL);
  PROFILE_PHASE_BEGIN("warm");
  PROFILE_PHASE_END();
  PROFILE_PHASE_BEGIN(name_page);
  rt_free(rt_alloc(100));
  PROFILE_PHASE_END();
  printf("faults %d\n", faults);
  return 0;
}
