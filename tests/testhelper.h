/* A tiny test harness: CHECK records a failure with file:line and goes on;
 * the test's exit status is the number of failed checks. */
#ifndef RTPROF_TESTHELPER_H
#define RTPROF_TESTHELPER_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      test_failures++;                                                      \
    }                                                                       \
  } while (0)

#define CHECK_EQ(a, b)                                                      \
  do {                                                                      \
    uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                        \
    if (a_ != b_) {                                                         \
      fprintf(stderr, "%s:%d: %s == %s failed: %" PRIu64 " != %" PRIu64 "\n", \
              __FILE__, __LINE__, #a, #b, a_, b_);                          \
      test_failures++;                                                      \
    }                                                                       \
  } while (0)

/* Whether profiling must be on, as the environment asked: tests/run.sh says
 * so in RTPROF_TEST_EXPECT=on|off. The tests check rtprof_enabled() against
 * it and never take "on" from the code under test (a broken RTPROF parser
 * would otherwise turn every accounting check off). */
static inline bool test_expect_on(void) {
  const char *e = getenv("RTPROF_TEST_EXPECT");
  if (e != NULL && strcmp(e, "on") == 0) return true;
  if (e != NULL && strcmp(e, "off") == 0) return false;
  fprintf(stderr, "RTPROF_TEST_EXPECT must be 'on' or 'off' (tests/run.sh sets it), got '%s'\n",
          e ? e : "(unset)");
  exit(2);
}

/* A "Field:   N kB" line of /proc/self/status (VmSize, VmRSS...), in bytes;
 * 0 when it is not there. */
static inline uint64_t test_status_bytes(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  size_t len = strlen(field);
  uint64_t kb = 0;
  while (f != NULL && fgets(line, sizeof line, f))
    if (strncmp(line, field, len) == 0 && line[len] == ':') {
      kb = strtoull(line + len + 1, NULL, 10);
      break;
    }
  if (f != NULL) fclose(f);
  return kb * 1024;
}

#define TEST_DONE() return test_failures > 100 ? 100 : test_failures

#endif
