#!/usr/bin/env bash
# A short libFuzzer run of the dump reader on a copy of the seed corpus:
# part of ./build.sh test. A fixed seed and a fixed number of inputs make it
# the same run every time (a failure reproduces; a pass means the same
# thing on every machine); random seeds are for `./build.sh fuzz`
# (tests/fuzz/run.sh 600). Passes when the fuzzer finds nothing, is skipped
# (77) when clang's libFuzzer is not installed, fails otherwise. The 120 s
# only caps the run; see docs/fuzzing.md.
set -eu
cd "$(dirname "$0")/../.."
# A regression seed must still be read, or it no longer reaches the code
# it was kept for (a reader that grew stricter turns it into one more refusal).
for s in tests/fuzz/corpus/dump/regress-*.dump; do
  build/bin/rtprof report "$s" > /dev/null 2> build/regress-seed.err \
    || { echo "FAIL: $s is refused, so it no longer tests its finding: $(cat build/regress-seed.err)"; exit 1; }
done
rc=0
RTPROF_FUZZ_SEED=${RTPROF_FUZZ_SEED:-16} RTPROF_FUZZ_RUNS=${RTPROF_FUZZ_RUNS:-60000} \
  bash tests/fuzz/run.sh 120 || rc=$?
exit $rc
