/* 40 distinct call sites, site k allocating k+1 blocks of k+1 bytes: with
 * RTPROF_SITES=16 the overflow row must hold the rest, totals exact. */
#include "rtprof.h"

#define SITE(k) for (int i = 0; i <= k; i++) rt_free(rt_alloc(k + 1));
#define TEN(b) SITE(b + 0) SITE(b + 1) SITE(b + 2) SITE(b + 3) SITE(b + 4) \
               SITE(b + 5) SITE(b + 6) SITE(b + 7) SITE(b + 8) SITE(b + 9)

int main(void) {
  TEN(0)
  TEN(10)
  TEN(20)
  TEN(30)
  return 0;
}
