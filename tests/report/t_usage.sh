#!/usr/bin/env bash
# Command-line usage: help texts exit 0; unknown commands and options, missing
# values and missing dumps exit 2 with an "rtprof: error:" message and a hint.
set -eu
. "$(dirname "$0")/lib.sh"

expect_rc 0 "$RTPROF_BIN" --help && grep -q '^usage: rtprof COMMAND' "$OUT/out" && grep -q '^  report ' "$OUT/out" \
  && pass "rtprof --help" || fail "rtprof --help"
expect_rc 0 "$RTPROF_BIN" report --help && grep -q '^usage: rtprof report \[options\] DUMP' "$OUT/out" \
  && grep -q -- '--skip REGEX' "$OUT/out" && pass "rtprof report --help" || fail "rtprof report --help"
expect_rc 2 "$RTPROF_BIN" && grep -q '^usage: rtprof' "$OUT/err" && pass "no command" || fail "no command"

# usage_error WANT ARGS...: exit 2 and exactly WANT on stderr
usage_error() {
  local want=$1; shift
  expect_rc 2 "$RTPROF_BIN" "$@" || return 0
  [ "$(cat "$OUT/err")" = "$want" ] && pass "$*" || { fail "$*"; echo "    want: $want"; echo "    got:  $(cat "$OUT/err")"; }
}
D=tests/report/dumps/small.dump
usage_error "rtprof: error: unknown command 'frobnicate' (see 'rtprof --help')" frobnicate
usage_error "rtprof: error: report: unknown option '--bogus' (see 'rtprof report --help')" report --bogus "$D"
usage_error "rtprof: error: report: option '--top' needs a value (see 'rtprof report --help')" report "$D" --top
usage_error "rtprof: error: report: bad value 'many' for --top (see 'rtprof report --help')" report --top many "$D"
usage_error "rtprof: error: report: bad value 'xml' for --format (see 'rtprof report --help')" report --format xml "$D"
usage_error "rtprof: error: report: no dump given (see 'rtprof report --help')" report --json
# options after the dump and --opt=value forms are accepted; -- ends options
expect_rc 0 "$RTPROF_BIN" report "$D" --top=1 --sort=count && pass "options after the dump" || fail "options after the dump"
cp "$D" "$OUT/-json"
(cd "$OUT" && "$RTPROF_BIN" report -- -json > /dev/null) && pass "-- ends the options" || fail "-- ends the options"
finish
