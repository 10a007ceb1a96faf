#!/usr/bin/env bash
# ./build.sh mutate [N] [SEED] [more mutate.py options]: a mutation-testing
# run over alloc/, bracket/ and symbolize/ (see tests/mutate/mutate.py and
# docs/testing.md). Prints one line per mutant, the score, and writes the
# survivors' diffs to build/mutate/report.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-50}
seed=${2:-16}
exec python3 tests/mutate/mutate.py -n "$n" --seed "$seed" "${@:3}"
