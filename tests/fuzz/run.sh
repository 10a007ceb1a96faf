#!/usr/bin/env bash
# Builds the libFuzzer harness of the dump reader (tests/fuzz/fuzz_dump.c)
# into build/fuzz/ and fuzzes for SECONDS (default 30) on a copy of the seed
# corpus tests/fuzz/corpus/dump/ (the committed corpus is never written).
# Fails (exit 1) on a crash, leak, timeout, out-of-memory or broken reader
# contract, and prints the reproducer's path; exits 77 when clang's libFuzzer
# is not available (the reason is the last line). See docs/fuzzing.md.
# Usage: bash tests/fuzz/run.sh [SECONDS]     (from anywhere)
# Environment:
#   RTPROF_FUZZ_KEEP_CORPUS=1  go on from the corpus a previous run grew in
#                              build/fuzz/corpus instead of the seeds alone
#   RTPROF_FUZZ_SEED=N         libFuzzer -seed (default: random)
#   RTPROF_FUZZ_RUNS=N         stop after N inputs (-runs), SECONDS then only
#                              caps the run: with a fixed seed, a repeatable
#                              run (the suite's t_fuzz_short.sh)
#   RTPROF_FUZZ_KEEP_GOING=1   do not stop at the first finding (-fork=1
#                              -ignore_crashes/ooms/timeouts): for long runs
#   RTPROF_FUZZ_FLAGS          more libFuzzer flags
#   RTPROF_FUZZ_DIR            where to build and run (default build/fuzz)
#   CLANG                      the compiler (default clang)
set -eu
cd "$(dirname "$0")/../.."
TOP=$PWD
SECONDS_WANTED=${1:-30}
case $SECONDS_WANTED in
  '' | *[!0-9]* | 0) echo "usage: tests/fuzz/run.sh [SECONDS] (1 or more; default 30)" >&2; exit 2 ;;
esac
CLANG=${CLANG:-clang}
B=${RTPROF_FUZZ_DIR:-$TOP/build/fuzz}
SEEDS=$TOP/tests/fuzz/corpus/dump
DICT=$TOP/tests/fuzz/dump.dict
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-std=gnu11 -g -O1 -Wall -Wextra -Iinclude -Isymbolize $SAN"
mkdir -p "$B/obj"

skip() { echo "SKIP: $*"; exit 77; }

# ---- can this machine build a libFuzzer target? --------------------------------
command -v "$CLANG" > /dev/null || skip "$CLANG is not installed (Debian: clang)"
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
  > "$B/probe.c"
"$CLANG" -fsanitize=fuzzer,address,undefined "$B/probe.c" -o "$B/probe" > "$B/probe.log" 2>&1 ||
  skip "$CLANG cannot link -fsanitize=fuzzer (Debian: libclang-rt-14-dev): $(tail -n 1 "$B/probe.log")"

# ---- build: symbolize/*/*.c but main.c, each object rebuilt when out of date ---------
# util.c's rtprof_intern is renamed away: the harness brings a resettable one.
build_obj() { # OUT SRC FLAGS...
  local out=$1 src=$2 d; shift 2
  if [ -f "$out" ]; then
    local newer=0
    for d in "$src" include/*.h symbolize/*.h symbolize/*/*.h symbolize/*/*.js symbolize/*/*.css "$0"; do [ "$d" -nt "$out" ] && newer=1 && break; done
    [ $newer -eq 0 ] && return 0
  fi
  $CLANG $CFLAGS "$@" -c "$src" -o "$out"
}
objs=()
for s in symbolize/*/*.c; do
  [ "$(basename "$s")" = main.c ] && continue
  o=$B/obj/$(basename "$s" .c).o
  extra=-fsanitize=fuzzer-no-link
  [ "$(basename "$s")" = util.c ] && extra="$extra -Drtprof_intern=rtprof_intern_unused_by_fuzz"
  build_obj "$o" "$s" $extra
  objs+=("$o")
done
for o in "$B"/obj/*.o; do # objects of sources that are gone
  s=(symbolize/*/"$(basename "$o" .o).c")
  [ "$(basename "$o")" = fuzz_dump.o ] || [ -e "${s[0]}" ] || rm -f "$o"
done
build_obj "$B/obj/fuzz_dump.o" tests/fuzz/fuzz_dump.c -fsanitize=fuzzer-no-link -Werror
$CLANG $SAN -fsanitize=fuzzer -o "$B/fuzz_dump" "$B/obj/fuzz_dump.o" "${objs[@]}"

# ---- the corpus: a copy of the seeds (plus, if asked, what earlier runs found) -----
if [ "${RTPROF_FUZZ_KEEP_CORPUS:-0}" != 1 ]; then rm -rf "$B/corpus"; fi
ART=$B/artifacts/$(date +%Y%m%d-%H%M%S)   # this run's findings
mkdir -p "$B/corpus" "$ART"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LIMITS="-rss_limit_mb=512 -malloc_limit_mb=64 -timeout=10"
# Each seed alone first: a seed that fails (a regression seed whose bug is not
# fixed yet) is reported and left out, so the fuzzing still goes on.
bad_seeds=()
for s in "$SEEDS"/*; do
  # shellcheck disable=SC2086
  if ! "$B/fuzz_dump" $LIMITS -runs=1 -artifact_prefix="$ART/seed-" "$s" > "$ART/seed-$(basename "$s").log" 2>&1; then
    bad_seeds+=("$(basename "$s")")
  else
    rm -f "$ART/seed-$(basename "$s").log"
    cp "$s" "$B/corpus/"
  fi
done
seeds=$(ls "$SEEDS" | wc -l)
before=$(ls "$B/corpus" | wc -l)
flags=${RTPROF_FUZZ_FLAGS:-}
[ -n "${RTPROF_FUZZ_SEED:-}" ] && flags="$flags -seed=$RTPROF_FUZZ_SEED"
[ -n "${RTPROF_FUZZ_RUNS:-}" ] && flags="$flags -runs=$RTPROF_FUZZ_RUNS"
[ "${RTPROF_FUZZ_KEEP_GOING:-0}" = 1 ] && flags="$flags -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1"

# ---- fuzz -------------------------------------------------------------------------
LOG=$B/fuzz.log
echo "fuzzing the dump reader for ${SECONDS_WANTED}s: $B/fuzz_dump, corpus $B/corpus ($before files; $seeds seeds, ${#bad_seeds[@]} failing)"
rc=0
t0=$(date +%s)
# shellcheck disable=SC2086
"$B/fuzz_dump" "$B/corpus" -dict="$DICT" -max_len=65536 -max_total_time="$SECONDS_WANTED" \
  $LIMITS -report_slow_units=1 \
  -error_exitcode=3 -timeout_exitcode=4 -print_final_stats=1 \
  -artifact_prefix="$ART/" $flags > "$LOG" 2>&1 || rc=$?

# ---- what happened ----------------------------------------------------------------
# libFuzzer's status lines: "#N INITED|NEW|pulse|DONE cov: C ft: F corp: K/SIZE ..."
# and, with -fork, "#N: cov: C ft: F corp: K exec/s E oom/timeout/crash: ..."
elapsed=$(($(date +%s) - t0))
after=$(ls "$B/corpus" | wc -l)
# field NAME LINE: the value after "NAME:" in a status line
field() { echo "$2" | tr '\t' ' ' | sed -n "s/.* $1: \([^ ]*\).*/\1/p"; }
first=$(grep -E '^#[0-9]+:?[[:space:]].*cov: ' "$LOG" | head -n 1 || true)
final=$(grep -E '^#[0-9]+:?[[:space:]].*cov: ' "$LOG" | tail -n 1 || true)
execs=$(echo "$final" | sed -n 's/^#\([0-9]*\).*/\1/p')
echo "execs:    ${execs:-0} in ${elapsed}s (exec/s $(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) )))"
if [ -n "$final" ]; then
  echo "coverage: cov $(field cov "$first") -> $(field cov "$final"), ft $(field ft "$first") -> $(field ft "$final") (start -> end)"
  echo "corpus:   $before -> $after files (libFuzzer's count: $(field corp "$final"))"
else
  echo "coverage: none measured (the fuzzer stopped while loading the corpus)"
fi
peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$LOG")
[ -z "$peak" ] || echo "memory:   peak rss ${peak} MB; slowest input $(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$LOG") s"
echo "log:      $LOG (libFuzzer -seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$LOG" | head -n 1))"
slow=$(ls "$ART" | grep '^slow-unit-' || true)
[ -z "$slow" ] || echo "slow inputs (over 1 s, not a failure): $(echo "$slow" | sed "s|^|$ART/|" | tr '\n' ' ')"
found=$(ls "$ART" | grep -Ev '^(slow-unit-|seed-)' | sed "s|^|$ART/|" || true)
for s in ${bad_seeds[@]+"${bad_seeds[@]}"}; do
  echo "FAIL: the seed tests/fuzz/corpus/dump/$s fails (left out of this run):"
  grep -E 'runtime error|ERROR: |contract broken' "$ART/seed-$s.log" | head -n 3 | sed 's/^/  /'
  echo "  log:    $ART/seed-$s.log"
  echo "  replay: RTPROF_FUZZ_ECHO=1 $B/fuzz_dump -artifact_prefix=$ART/ tests/fuzz/corpus/dump/$s"
done
if [ $rc -ne 0 ] || [ -n "$found" ]; then
  echo "FAIL: the fuzzer found $(echo "$found" | grep -c . || true) failing input(s) (exit $rc):"
  grep -E 'runtime error|ERROR: |SUMMARY|contract broken|^    #[0-9] ' "$LOG" | grep -v 'in fuzzer::' | head -n 30 | sed 's/^/  /'
  for f in $found; do
    sum=$(sha1sum < "$f" | cut -d' ' -f1)
    seed=$(cd "$SEEDS" && sha1sum -- * | awk -v s="$sum" '$1 == s { print $2; exit }')
    echo "reproducer: $f${seed:+ (the seed tests/fuzz/corpus/dump/$seed)}"
    echo "  replay:   RTPROF_FUZZ_ECHO=1 $B/fuzz_dump -artifact_prefix=$ART/ $f"
    echo "  minimize: $B/fuzz_dump -minimize_crash=1 -runs=100000 -exact_artifact_path=$f.min $f"
  done
  exit 1
fi
[ ${#bad_seeds[@]} -eq 0 ] || exit 1
rmdir "$ART" 2>/dev/null || true
echo "ok: no crash, leak, timeout, out-of-memory or broken contract"
