#!/usr/bin/env bash
# A short libFuzzer run (20 s) of the dump reader on a copy of the seed
# corpus: part of ./build.sh test. Passes when the fuzzer finds nothing, is
# skipped (77) when clang's libFuzzer is not installed, fails otherwise.
# The long run is `./build.sh fuzz` (tests/fuzz/run.sh 600); see docs/fuzzing.md.
set -eu
cd "$(dirname "$0")/../.."
rc=0
bash tests/fuzz/run.sh "${RTPROF_FUZZ_SHORT:-20}" || rc=$?
exit $rc
