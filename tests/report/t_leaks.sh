#!/usr/bin/env bash
# The rtprof command frees what it allocates: each kind of report, diff,
# check and a refused dump run under valgrind's leak checker, and any
# definitely or indirectly lost block (or memory error) fails the test.
set -eu
. "$(dirname "$0")/lib.sh"
command -v valgrind > /dev/null || skip "valgrind is not installed (Debian package valgrind)"
build_fixture "$OUT/fx"
make_dump tests/report/dumps/main.dump.in "$OUT/fx" "$OUT/main.dump"
make_dump tests/diffcheck/dumps/after.dump.in "$OUT/fx" "$OUT/after.dump" 0x560000001000
make_dump tests/diffcheck/dumps/timeline.dump.in "$OUT/fx" "$OUT/timeline.dump"
D=$OUT/main.dump
n=0
vg() { # WANT_RC ARGS...: rtprof ARGS under valgrind exits WANT_RC, no leak
  local want=$1 rc=0; shift
  n=$((n + 1))
  valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --log-file="$OUT/vg$n.log" "$RTPROF_BIN" "$@" > "$OUT/vg$n.out" 2> "$OUT/vg$n.err" || rc=$?
  if [ "$rc" -eq "$want" ] && [ ! -s "$OUT/vg$n.log" ]; then pass "no leak: rtprof $*"
  else fail "rtprof $* (exit $rc, want $want):"; head -30 "$OUT/vg$n.log"; fi
}
vg 0 report "$D"
vg 0 report --json --skip '^xmalloc$' --sort live "$D" "$OUT/after.dump"
vg 0 report --stacks --top 3 --phase check "$D"
vg 0 report --format collapsed "$D"
vg 0 report --format pprof "$D"
vg 0 report --html "$OUT/r.html" "$D"
vg 0 report --html "$OUT/t.html" --timeline "$OUT/timeline.dump"
vg 0 report --svg "$OUT/r.svg" "$OUT/timeline.dump"
vg 0 diff "$D" "$OUT/after.dump"
vg 0 diff --json --skip '^xmalloc$' "$D" "$OUT/after.dump"
vg 1 check "$D" --max-live 0 --baseline "$OUT/after.dump" --max-growth 1%
head -c 400 "$D" > "$OUT/cut.dump"
vg 2 report "$OUT/cut.dump"
finish
