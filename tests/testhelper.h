/* A tiny test harness: CHECK records a failure with file:line and goes on;
 * the test's exit status is the number of failed checks. */
#ifndef RTPROF_TESTHELPER_H
#define RTPROF_TESTHELPER_H

#include <inttypes.h>
#include <stdio.h>

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

#define TEST_DONE() return test_failures > 100 ? 100 : test_failures

#endif
