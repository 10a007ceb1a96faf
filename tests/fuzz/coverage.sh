#!/usr/bin/env bash
# Source coverage of symbolize/ reached by a fuzz corpus: builds the harness
# with clang's coverage instrumentation (no sanitizers) into
# build/fuzz/coverage/, replays the corpus once and prints llvm-cov's report
# per file; annotated sources land in build/fuzz/coverage/html/.
# Usage: bash tests/fuzz/coverage.sh [CORPUS_DIR...]
#        (default: build/fuzz/corpus when a run left one, else the seeds)
set -eu
cd "$(dirname "$0")/../.."
TOP=$PWD
CLANG=${CLANG:-clang}
PROFDATA=$(command -v llvm-profdata || command -v llvm-profdata-14 || true)
COV=$(command -v llvm-cov || command -v llvm-cov-14 || true)
[ -n "$PROFDATA" ] && [ -n "$COV" ] || { echo "SKIP: llvm-profdata/llvm-cov not installed (Debian: llvm)"; exit 77; }
B=$TOP/build/fuzz/coverage
rm -rf "$B" && mkdir -p "$B"
srcs=()
for s in symbolize/*/*.c; do [ "$(basename "$s")" = main.c ] || srcs+=("$s"); done
FL="-std=gnu11 -g -O0 -Iinclude -Isymbolize -fprofile-instr-generate -fcoverage-mapping"
for s in "${srcs[@]}"; do
  extra=""
  [ "$(basename "$s")" = util.c ] && extra=-Drtprof_intern=rtprof_intern_unused_by_fuzz
  $CLANG $FL $extra -fsanitize=fuzzer-no-link -c "$s" -o "$B/$(basename "$s" .c).o"
done
$CLANG $FL -fsanitize=fuzzer tests/fuzz/fuzz_dump.c "$B"/*.o -o "$B/fuzz_dump_cov"
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  if [ -d build/fuzz/corpus ] && [ -n "$(ls build/fuzz/corpus)" ]; then dirs=(build/fuzz/corpus); else dirs=(tests/fuzz/corpus/dump); fi
fi
echo "replaying ${dirs[*]}"
# each input once (-runs=0 loads and runs the corpus, mutates nothing)
LLVM_PROFILE_FILE=$B/cov.profraw "$B/fuzz_dump_cov" -runs=0 "${dirs[@]}" > "$B/replay.log" 2>&1 || true
"$PROFDATA" merge -sparse "$B/cov.profraw" -o "$B/cov.profdata"
"$COV" report "$B/fuzz_dump_cov" -instr-profile="$B/cov.profdata" "${srcs[@]}"
"$COV" show "$B/fuzz_dump_cov" -instr-profile="$B/cov.profdata" -format=html -output-dir="$B/html" "${srcs[@]}" > /dev/null
echo "annotated sources: $B/html/index.html"
