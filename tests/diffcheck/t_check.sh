#!/usr/bin/env bash
# rtprof check on hand-written dumps of the compiled fixture: every kind of
# budget both held and broken, on the command line and in budget files; one
# line per budget (golden files in tests/diffcheck/expected/), exit 0 when
# all hold, 1 when one is broken, 2 on bad usage, a bad dump or a bad budget
# file (FILE:LINE: what was expected).
set -eu
AREA=diffcheck
. "$(dirname "$0")/../report/lib.sh"

build_fixture "$OUT/fx"
make_dump tests/report/dumps/main.dump.in "$OUT/fx" "$OUT/before.dump"
make_dump tests/diffcheck/dumps/after.dump.in "$OUT/fx" "$OUT/after.dump" 0x560000001000
B=$OUT/before.dump A=$OUT/after.dump

# run_golden NAME WANT_RC ARGS...: `rtprof check ARGS` exits WANT_RC with
# nothing on stderr; its output matches expected/NAME
run_golden() {
  local name=$1 want=$2; shift 2
  expect_rc "$want" "$RTPROF_BIN" check "$@" || return 0
  [ ! -s "$OUT/err" ] || fail "$name: stderr: $(cat "$OUT/err")"
  scrub "$OUT/fx" < "$OUT/out" > "$OUT/$name"
  golden "$name" "$OUT/$name"
}

# Every kind held (exit 0) ...
run_golden check-pass.txt 0 "$B" \
  --max-peak-committed 2G --max-live 769K \
  --max-site-bytes 'grow_*=1M' --max-site-bytes '*/fixture.c:68=1M' --max-site-bytes 'nothing_*=1' \
  --max-phase-bytes 'check/parse=4K' --max-phase-delta 'check/comptime eval=8.2M' --max-phase-delta 'codegen=0'
run_golden check-growth-pass.txt 0 "$A" --baseline "$B" --max-growth 0%
# ... and each broken (exit 1), naming the limit, the figure and the site or phase
run_golden check-fail.txt 1 "$B" \
  --max-peak-committed 1G --max-live 0 \
  --max-site-bytes 'grow_buffer=512K' --max-site-bytes 'fixture.c:45=1K' \
  --max-phase-bytes 'check=512K' --max-phase-bytes 'nope=1' --max-phase-delta 'check/comptime eval=1M'
run_golden check-growth-fail.txt 1 "$B" --baseline "$A" --max-growth 5%
# from a zero baseline any growth breaks --max-growth, whatever the percent
sed -e 's/^\(totals .*\) alloc_bytes=[0-9]*/\1 alloc_bytes=0/' "$B" > "$OUT/zero.dump"
expect_rc 1 "$RTPROF_BIN" check "$B" --baseline "$OUT/zero.dump" --max-growth 1000% \
  && grep -q "^FAIL.*alloc bytes" "$OUT/out" && pass "growth from a zero baseline breaks --max-growth" \
  || fail "growth from zero held: $(cat "$OUT/out")"
expect_rc 0 "$RTPROF_BIN" check "$OUT/zero.dump" --baseline "$OUT/zero.dump" --max-growth 0% \
  && pass "zero to zero holds --max-growth 0%" || fail "zero to zero: $(cat "$OUT/out")"
# a site is its first frame: two stacks through grow_buffer are one site for
# --max-site-bytes (1 MiB + 16 bytes breaks a limit of 1 MiB + 8)
frame4=$(sed -n 's/^site id=4 .* frames=\([^,]*\).*/\1/p' "$B")
sed "s/^\(site id=7 .* frames=\).*/\1$frame4,0x1000/" "$B" > "$OUT/shared.dump"
expect_rc 1 "$RTPROF_BIN" check "$OUT/shared.dump" --max-site-bytes 'grow_buffer=1048584' \
  && grep -q "^FAIL .*grow_buffer .*allocated 1.0 MiB (1048592 B)" "$OUT/out" && pass "sites with one first frame are budgeted together" \
  || fail "two stacks through grow_buffer budgeted apart: $(cat "$OUT/out")"
run_golden check-quiet.txt 1 -q "$B" --max-live 0 --max-peak-committed 4G
expect_rc 0 "$RTPROF_BIN" check -q "$B" --max-peak-committed 4G
[ ! -s "$OUT/out" ] && pass "-q prints nothing when every budget holds" || fail "-q with every budget held: $(cat "$OUT/out")"

# SIZE: plain bytes, K/M/G/T as powers of 1024, fractions, KiB/KB/k spellings;
# the dump has 787268 bytes live
limit() { # limit SIZE WANT_RC
  expect_rc "$2" "$RTPROF_BIN" check -q "$B" --max-live "$1" && pass "--max-live $1: exit $2" || true
}
limit 787268 0; limit 787267 1; limit 769K 0; limit 768.8K 1; limit 768.9KiB 0; limit 769kb 0
limit 0.75M 1; limit 0.751M 0; limit 1G 0; limit 1t 0; limit 787268B 0

# a budget file: comments, blank lines, NAME VALUE and --NAME=VALUE, a path with spaces
cat > "$OUT/budgets.txt" <<'EOF'
# budgets of the fixture's run

max-peak-committed 4G   # the whole run
--max-live=1M
max-site-bytes xmalloc=8K
max-phase-bytes check/comptime eval=2M
   max-phase-delta  check/comptime eval=512K    # broken: 8.1 MiB per call
EOF
run_golden check-file.txt 1 "$B" --budgets "$OUT/budgets.txt" --max-live 0
grep -q "(.*/budgets.txt:7)\$" "$OUT/out" && pass "a file's budget names its FILE:LINE" || fail "FILE:LINE of a budget"
rc=0; "$RTPROF_BIN" check --budgets - "$B" < "$OUT/budgets.txt" > "$OUT/stdin.txt" 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q '^FAIL max-phase-delta check/comptime eval=512K: .* (-:7)$' "$OUT/stdin.txt" \
  && pass "--budgets - reads standard input" || fail "--budgets -: $rc $(cat "$OUT/stdin.txt")"

# bad_file NAME CONTENT WANT: a budget file refused with exit 2 and exactly WANT
bad_file() {
  local f=$OUT/$1.budgets
  printf '%b' "$2" > "$f"
  expect_rc 2 "$RTPROF_BIN" check "$B" --budgets "$f" || return 0
  if [ "$(cat "$OUT/err")" = "rtprof: error: $f:$3" ] && [ ! -s "$OUT/out" ]; then pass "bad budget file: $1"
  else fail "bad budget file $1"; echo "    want: rtprof: error: $f:$3"; echo "    got:  $(cat "$OUT/err")"; fi
}
bad_file unknown '# ok\nmax-live 0\nmax-peek 1G\n' \
  "3: unknown budget 'max-peek' (expected max-peak-committed, max-live, max-site-bytes, max-phase-bytes, max-phase-delta or max-growth)"
bad_file bad-size 'max-live lots\n' "1: max-live: expected a size (bytes, or a number with K, M, G or T: powers of 1024), got 'lots'"
bad_file no-value '\n\nmax-live   # none\n' "3: max-live: expected a value after the budget's name"
bad_file no-pattern 'max-site-bytes xmalloc\n' "1: max-site-bytes: expected PATTERN=SIZE, got 'xmalloc'"
bad_file no-size 'max-phase-bytes check=\n' "1: max-phase-bytes: expected PATH=SIZE, got 'check='"
bad_file no-path 'max-phase-delta =1M\n' "1: max-phase-delta: expected PATH=SIZE, got '=1M'"
bad_file bad-percent 'max-growth five\n' "1: max-growth: expected a percentage such as 5%, got 'five'"
bad_file huge 'max-live 99999999T\n' "1: max-live: size '99999999T' does not fit in 64 bits"
bad_file fraction 'max-live 1.5\n' "1: max-live: expected a size (bytes, or a number with K, M, G or T: powers of 1024), got '1.5'"
bad_file nul 'max-live 0\n\0\n' "2: NUL byte in a text line (not a budget file?)"
expect_rc 2 "$RTPROF_BIN" check "$B" --budgets "$OUT/missing.budgets"
[ "$(cat "$OUT/err")" = "rtprof: error: $OUT/missing.budgets: cannot open: No such file or directory" ] \
  && pass "a missing budget file" || fail "a missing budget file: $(cat "$OUT/err")"

# usage_error WANT ARGS...: exit 2 and exactly WANT on stderr, nothing on stdout
usage_error() {
  local want=$1; shift
  expect_rc 2 "$RTPROF_BIN" "$@" || return 0
  if [ "$(cat "$OUT/err")" = "$want" ] && [ ! -s "$OUT/out" ]; then pass "exit 2: ${*:2}"
  else fail "$*"; echo "    want: $want"; echo "    got:  $(cat "$OUT/err")"; fi
}
H="(see 'rtprof check --help')"
usage_error "rtprof: error: check: no budget given (--max-live 0, --budgets FILE, ...) $H" check "$B"
usage_error "rtprof: error: check: no dump given $H" check --max-live 0
usage_error "rtprof: error: check: more than one dump ('$B' and '$A') $H" check "$B" "$A" --max-live 0
usage_error "rtprof: error: check: --max-live: expected a size (bytes, or a number with K, M, G or T: powers of 1024), got '12X' $H" check "$B" --max-live 12X
usage_error "rtprof: error: check: --max-site-bytes: expected PATTERN=SIZE, got 'xmalloc' $H" check "$B" --max-site-bytes xmalloc
usage_error "rtprof: error: check: option '--max-live' needs a value $H" check "$B" --max-live
usage_error "rtprof: error: check: unknown option '--max-leaks' $H" check "$B" --max-leaks 0
usage_error "rtprof: error: check: max-growth needs --baseline OLD (the dump to compare with) $H" check "$B" --max-growth 5%
usage_error "rtprof: error: check: --baseline $A is given but no --max-growth budget $H" check "$B" --baseline "$A" --max-live 0
usage_error "rtprof: error: check: --baseline given twice ('$A' and '$B') $H" check "$B" --baseline "$A" --baseline "$B" --max-growth 1%
usage_error "rtprof: error: check: only one of DUMP, --baseline and --budgets can be standard input $H" check - --budgets - < /dev/null
usage_error "rtprof: error: $OUT/missing.dump: cannot open: No such file or directory" check "$OUT/missing.dump" --max-live 0
usage_error "rtprof: error: $OUT/missing.dump: cannot open: No such file or directory" check "$B" --baseline "$OUT/missing.dump" --max-growth 1%
sed '$d' "$B" > "$OUT/cut.dump"
usage_error "rtprof: error: $OUT/cut.dump:27: truncated: no 'end' record (the process died while writing, or the disk filled)" check "$OUT/cut.dump" --max-live 0
expect_rc 0 "$RTPROF_BIN" check --help && grep -q '^usage: rtprof check \[options\] DUMP' "$OUT/out" \
  && grep -q -- '--max-phase-delta PATH=SIZE' "$OUT/out" && pass "check --help" || fail "check --help"
finish
