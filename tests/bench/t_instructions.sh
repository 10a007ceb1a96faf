#!/usr/bin/env bash
# DESIGN.md's instruction budgets, with callgrind's exact counts (stable on a
# loaded machine, where timings are not): instructions per alloc+free pair
# of tests/bench/microbench.c (one thread, pairs) above plain mimalloc,
# (Ir at 2N iterations - Ir at N) / N, counted only inside the worker
# function (--toggle-collect): start-up and the dump cancel, and the
# sampler thread, whose work grows with the run's wall time, is left out.
#   rtprof off:           at most OFF_BUDGET
#   rtprof on, depth 1:   at most ON_BUDGET (rt_alloc), and rt_alloc_site
#                         at a named site no more than rt_alloc
#   inside a phase:       at most PHASE_BUDGET (the phase fast path; the
#                         general path costs about 425)
#   rt_realloc, on:       at most REALLOC_BUDGET above mi_realloc (the
#                         realloc fast path; the general path: about 345)
set -eu
cd "$(dirname "$0")/../.."
TOP=$PWD
OFF_BUDGET=5
ON_BUDGET=80 # DESIGN.md
PHASE_BUDGET=190
REALLOC_BUDGET=130
N=50000
OUT=$TOP/build/tests/bench/t_instructions
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 77; }
[ -f "$TOP/build/lib/librtprof.so" ] || { echo "FAIL: build/lib/librtprof.so is missing (run ./build.sh)"; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"
gcc -std=gnu11 -Wall -Wextra -Werror -O2 -g -Iinclude tests/bench/microbench.c -o "$OUT/microbench" \
  -L"$TOP/build/lib" -Wl,-rpath,"$TOP/build/lib" -lrtprof -lmimalloc -lpthread

# ir API ITERS [VAR=VALUE...]: the program's total Ir
ir() {
  local api=$1 n=$2; shift 2
  env -u RTPROF -u RTPROF_DEPTH "$@" RTPROF_OUT="$OUT/dump.txt" valgrind --tool=callgrind \
    --toggle-collect='worker_*' --callgrind-out-file="$OUT/cg.out" "$OUT/microbench" "$api" 1 "$n" 0 \
    >/dev/null 2>"$OUT/valgrind.err" ||
    { echo "FAIL: valgrind on microbench $api failed:"; tail -5 "$OUT/valgrind.err"; exit 1; }
  sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$OUT/cg.out"
}
# per_pair API [VAR=VALUE...]: instructions per alloc+free pair
per_pair() {
  local a b
  a=$(ir "$1" $N "${@:2}")
  b=$(ir "$1" $((2 * N)) "${@:2}")
  echo $(((b - a + N / 2) / N))
}

mi=$(per_pair mi)
off=$(per_pair rt RTPROF=0)
on=$(per_pair rt RTPROF=1)
site=$(per_pair site RTPROF=1)
echo "Ir per pair: plain mimalloc $mi, rtprof off $off (+$((off - mi))), on $on (+$((on - mi))), rt_alloc_site on $site (+$((site - mi)))"
fails=0
[ $((off - mi)) -le $OFF_BUDGET ] || { echo "FAIL: profiling off adds $((off - mi)) instructions per pair, budget $OFF_BUDGET"; fails=1; }
[ $((on - mi)) -le "$ON_BUDGET" ] || { echo "FAIL: profiling on adds $((on - mi)) instructions per pair, budget $ON_BUDGET"; fails=1; }
[ "$site" -le "$on" ] || { echo "FAIL: rt_alloc_site costs $site per pair, more than rt_alloc's $on"; fails=1; }
# totals FIELD: from the dump of the last run
totals() { sed -n "s/^totals .*\b$1=\([0-9]*\).*/\1/p" "$OUT/dump.txt"; }
# The counts are real: the dump of the last run holds every pair.
allocs=$(totals allocs)
[ "$allocs" = $((2 * N)) ] || { echo "FAIL: the dump counts $allocs allocations, not $((2 * N))"; fails=1; }
phase=$(per_pair phase RTPROF=1)
[ "$(totals allocs)" = $((2 * N)) ] || { echo "FAIL: the phase run's dump counts $(totals allocs) allocations, not $((2 * N))"; fails=1; }
mi_realloc=$(per_pair mi-realloc)
realloc=$(per_pair realloc RTPROF=1)
# one realloc(NULL, n), then one allocation and one free a realloc
[ "$(totals allocs) $(totals frees)" = "$((2 * N + 1)) $((2 * N + 1))" ] ||
  { echo "FAIL: the realloc run's dump counts $(totals allocs) allocations, $(totals frees) frees, not $((2 * N + 1)) each"; fails=1; }
echo "Ir per pair inside a phase: $phase (+$((phase - mi))); per realloc: mi_realloc $mi_realloc, rt_realloc on $realloc (+$((realloc - mi_realloc)))"
[ $((phase - mi)) -le $PHASE_BUDGET ] || { echo "FAIL: a pair inside a phase adds $((phase - mi)) instructions, budget $PHASE_BUDGET"; fails=1; }
[ $((realloc - mi_realloc)) -le $REALLOC_BUDGET ] ||
  { echo "FAIL: rt_realloc adds $((realloc - mi_realloc)) instructions, budget $REALLOC_BUDGET"; fails=1; }
[ $fails -eq 0 ] && echo "ok: within budget (off <= $OFF_BUDGET, on <= $ON_BUDGET, site <= rt_alloc, phase <= $PHASE_BUDGET, realloc <= $REALLOC_BUDGET)"
exit $fails
