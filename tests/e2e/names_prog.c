/* Every kind of name a program can pass to a phase or a snapshot label,
 * for t_names.sh: empty, NULL, control bytes, spaces at either end, '%',
 * '=', bytes that are not UTF-8, a '/' (that must not merge with a nested
 * phase), and a name longer than the 63 bytes kept. Each phase allocates a
 * known number of bytes. */
#include <stdlib.h>

#include "rtprof.h"

static void in_phase(const char *name, size_t bytes) {
  PROFILE_PHASE(name);
  void *p = rt_alloc(bytes);
  rt_free(p);
}

int main(void) {
  in_phase("", 1000);
  in_phase("line\nbreak\r\x1b[31m\ttab", 2000);
  in_phase(" spaced ", 3000);
  in_phase("100% = all", 4000);
  in_phase("\xff\xfe not utf-8 \xc3", 5000);
  in_phase("a/b", 6000);
  {
    PROFILE_PHASE("a");
    in_phase("b", 7000);
  }
  in_phase("0123456789012345678901234567890123456789012345678901234567890123456789", 8000);
  rtprof_snapshot("");
  rtprof_snapshot(NULL);
  rtprof_snapshot("label\nwith newline ");
  return 0;
}
