#!/usr/bin/env bash
# `check --budgets FILE` always returns, with the file and line named:
# /dev/zero and a NUL byte on line 3 (NUL byte), a line of 5000 bytes (too
# long), 2 MiB of comments (too large), a directory, a FIFO no one writes
# (read as empty), and a budget file from a pipe still works.
set -eu
. "$(dirname "$0")/lib.sh"
D=tests/report/dumps/small.dump
# refused WANT ARGS...: exit 2 within the timeout and exactly WANT on stderr
refused() {
  local want=$1; shift
  expect_rc 2 timeout 60 "$RTPROF_BIN" check "$@" "$D" || return 0
  [ "$(head -1 "$OUT/err")" = "$want" ] && pass "$want" || fail "got '$(head -1 "$OUT/err")', want '$want'"
}
refused "rtprof: error: /dev/zero:1: NUL byte in a text line (not a budget file?)" --budgets /dev/zero
printf 'max-live 1G\n# fine\nmax-\0live 2G\n' > "$OUT/nul"
refused "rtprof: error: $OUT/nul:3: NUL byte in a text line (not a budget file?)" --budgets "$OUT/nul"
{ echo "max-live 1G"; head -c 5000 /dev/zero | tr '\0' x; echo; } > "$OUT/long"
refused "rtprof: error: $OUT/long:2: line longer than 4096 bytes (not a budget file?)" --budgets "$OUT/long"
yes '# a comment line, again and again' | head -c 2097152 > "$OUT/big"
refused "rtprof: error: $OUT/big: larger than 1048576 bytes (not a budget file?)" --budgets "$OUT/big"
mkdir -p "$OUT/dir"
refused "rtprof: error: $OUT/dir: is a directory, not a budget file" --budgets "$OUT/dir"
mkfifo "$OUT/fifo"
refused "rtprof: error: check: no budget given (--max-live 0, --budgets FILE, ...) (see 'rtprof check --help')" \
  --budgets "$OUT/fifo"
expect_rc 0 "$RTPROF_BIN" check --budgets <(printf 'max-live 1G\n') "$D" && grep -q '^check: 1 budget, 0 broken$' "$OUT/out" \
  && pass "a budget file from a pipe" || fail "a budget file from a pipe"
finish
