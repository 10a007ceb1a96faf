/* prove-loop: runs the same job again and again in one process, the way a
 * prover service or a benchmark harness proves in a loop. Each round builds a
 * working set (a witness and a few polynomials), folds it into a digest and
 * frees it, all inside PROFILE_PHASE("prove"). One allocation is never freed:
 * the round's transcript (the line with the leak-site comment), so live memory grows
 * by a little more than 4 KiB per round. --fix frees it. run.sh profiles both
 * and shows rtprof naming that line (see README.md). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtprof.h"

#define DEFAULT_ROUNDS 10
#define WITNESS_WORDS (1u << 17) /* 1 MiB of witness per round */
#define POLYS 4                  /* polynomials per round */
#define POLY_WORDS (1u << 15)    /* 256 KiB each */
#define TRANSCRIPT_BASE 4096     /* bytes of transcript per round, plus 16 per round number */

typedef struct options_s {
  unsigned rounds;         /* --rounds N */
  bool fix;                /* --fix: free the transcript */
} options_t;

typedef struct transcript_s {   /* what a round leaves for the verifier */
  uint32_t round;
  uint32_t len;            /* bytes in data[] */
  uint64_t digest;
  unsigned char data[];
} transcript_t;

static __attribute__((noreturn)) void die(const char *what) {
  fprintf(stderr, "prove: error: %s\n", what);
  exit(1);
}

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

/* The working set of one round: allocated, used and freed here. */
static uint64_t commit_round(unsigned round) {
  uint64_t *witness = rt_alloc(WITNESS_WORDS * sizeof *witness);
  if (!witness) die("out of memory (witness)");
  for (uint32_t i = 0; i < WITNESS_WORDS; i++) witness[i] = mix(round, i);
  uint64_t h = round;
  for (int p = 0; p < POLYS; p++) {
    uint64_t *poly = rt_calloc(POLY_WORDS, sizeof *poly);
    if (!poly) die("out of memory (polynomial)");
    for (uint32_t i = 0; i < POLY_WORDS; i++) poly[i] = witness[(i * 7 + (uint32_t)p) % WITNESS_WORDS] ^ (uint64_t)p;
    for (uint32_t i = 0; i < POLY_WORDS; i += 64) h = mix(h, poly[i]);
    rt_free(poly);
  }
  rt_free(witness);
  return h;
}

/* One proof: the working set, then the transcript that records it. */
static transcript_t *prove_once(unsigned round) {
  PROFILE_PHASE("prove");
  uint64_t digest = commit_round(round);
  size_t len = TRANSCRIPT_BASE + 16 * (size_t)round;
  transcript_t *t = rt_alloc(sizeof *t + len); /* LEAK-SITE */
  if (!t) die("out of memory (transcript)");
  t->round = round;
  t->len = (uint32_t)len;
  t->digest = digest;
  for (size_t i = 0; i < len; i++) t->data[i] = (unsigned char)(digest >> (8 * (i % 8)));
  return t;
}

static options_t parse_args(int argc, char **argv) {
  options_t o = {.rounds = DEFAULT_ROUNDS};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--fix") == 0) {
      o.fix = true;
    } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      char *end;
      unsigned long n = strtoul(argv[++i], &end, 10);
      if (*end || n == 0 || n > 100000) die("--rounds wants a number from 1 to 100000");
      o.rounds = (unsigned)n;
    } else {
      fprintf(stderr, "usage: prove [--fix] [--rounds N]\n");
      exit(2);
    }
  }
  return o;
}

int main(int argc, char **argv) {
  options_t o = parse_args(argc, argv);
  if (!rtprof_enabled())
    printf("(profiling is off: live bytes read 0; run with RTPROF=1)\n");
  uint64_t live_before = rt_alloc_live_bytes(), check = 0;
  for (unsigned r = 0; r < o.rounds; r++) {
    transcript_t *t = prove_once(r);
    check = mix(check, t->digest);
    if (o.fix) rt_free(t); /* the fix: the transcript was checked, let it go */
    printf("round %2u: committed %10" PRIu64 " B, live %8" PRIu64 " B\n", r + 1, rt_alloc_committed_bytes(),
           rt_alloc_live_bytes());
  }
  uint64_t live_after = rt_alloc_live_bytes();
  printf("result rounds=%u fix=%d check=%016" PRIx64 " live_growth=%" PRIu64 " live_at_exit=%" PRIu64 "\n", o.rounds,
         o.fix, check, live_after - live_before, live_after);
  return 0;
}
