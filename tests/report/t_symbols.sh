#!/usr/bin/env bash
# Frames that cannot be symbolized are printed as module+0xOFFSET with the
# reason, never dropped and never mis-named: a binary rebuilt after the dump
# (build-id mismatch), a missing binary, a stripped one, one without debug
# info, and an addr2line that fails, cannot start or answers garbage.
set -eu
. "$(dirname "$0")/lib.sh"

# off LABEL [I]: the module offset (ra-1-base) of frame I of a fixture site
off() { awk -v l="$2" -v i="${3:-0}" '$1 == "site" && $2 == l { print $(3 + i) }' "$1/fixture.sites"; }
hexoff() { printf '0x%x' $(($(off "$@") - 1)); }

# expect_text FILE STRING: FILE holds STRING on one line
expect_text() {
  if grep -qF -- "$2" "$1"; then pass "${3:-$2}"; else fail "missing in $(basename "$1"): $2"; sed 's/^/    | /' "$1"; fi
}

# -- build-id mismatch: the fixture is rebuilt after the dump was written
build_fixture "$OUT/mm"
make_dump tests/report/dumps/main.dump.in "$OUT/mm" "$OUT/mm.dump"
old_id=$(build_id "$OUT/mm/fixture")
gcc -g -O0 -Wl,--build-id -DREBUILT -o "$OUT/mm/fixture" tests/report/fixture.c
new_id=$(build_id "$OUT/mm/fixture")
[ "$old_id" != "$new_id" ] || fail "the rebuilt fixture kept its build-id"
expect_rc 0 "$RTPROF_BIN" report "$OUT/mm.dump"
cp "$OUT/out" "$OUT/mm.txt"
expect_text "$OUT/mm.txt" "$OUT/mm/fixture: build-id mismatch ($OUT/mm/fixture was rebuilt: dump has $old_id, file has $new_id) - 9 addresses" "mismatch named in the header"
expect_text "$OUT/mm.txt" "  fixture+$(hexoff "$OUT/mm" buffer) (build-id mismatch: fixture was rebuilt)" "mismatched frame printed as module+0xOFF"
expect_rc 0 "$RTPROF_BIN" report --wide "$OUT/mm.dump"
expect_text "$OUT/out" "  fixture+$(hexoff "$OUT/mm" buffer) (build-id mismatch: $OUT/mm/fixture was rebuilt)" "--wide: the rebuilt file's whole path on its frames"
grep -q 'fixture.c:' "$OUT/mm.txt" && fail "a mismatched binary was symbolized" || pass "no file:line from a mismatched binary"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/mm.dump"
check_json "$OUT/out"
python3 - "$OUT/out" "$(off "$OUT/mm" buffer)" <<'PY' && pass "mismatch in JSON" || fail "mismatch in JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
s = {s["id"]: s for s in doc["sites"]}[4]
f = s["frames"][0]
assert (f["function"], f["file"], f["line"], f["status"]) == (None, None, None, "build-id mismatch"), f
assert f["offset"] == int(sys.argv[2], 16) - 1, f
assert doc["symbols"]["unresolved"][0]["reason"] == "build-id mismatch"
PY

# -- the binary is gone
build_fixture "$OUT/gone"
make_dump tests/report/dumps/main.dump.in "$OUT/gone" "$OUT/gone.dump"
rm "$OUT/gone/fixture"
expect_rc 0 "$RTPROF_BIN" report "$OUT/gone.dump"
expect_text "$OUT/out" "$OUT/gone/fixture: file not found - 9 addresses" "missing binary named in the header"
expect_text "$OUT/out" "  fixture+$(hexoff "$OUT/gone" buffer) (file not found)" "missing binary's frames as module+0xOFF"

# -- stripped: the build-id still matches, addr2line knows nothing
build_fixture "$OUT/strip"
make_dump tests/report/dumps/main.dump.in "$OUT/strip" "$OUT/strip.dump"
strip -s "$OUT/strip/fixture"
expect_rc 0 "$RTPROF_BIN" report "$OUT/strip.dump"
expect_text "$OUT/out" "  fixture+$(hexoff "$OUT/strip" buffer) (no symbol)" "stripped binary: no symbol"
expect_text "$OUT/out" "$OUT/strip/fixture: no symbol or no line info - 9 addresses" "stripped binary named in the header"

# -- no debug info: function names without file:line
build_fixture "$OUT/nodebug" -g0
make_dump tests/report/dumps/main.dump.in "$OUT/nodebug" "$OUT/nodebug.dump"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/nodebug.dump"
check_json "$OUT/out"
expect_rc 0 "$RTPROF_BIN" report "$OUT/nodebug.dump"
expect_text "$OUT/out" "  grow_buffer fixture+$(hexoff "$OUT/nodebug" buffer) (no line info)" "no debug info: function and module+0xOFF"

# -- addr2line fails, cannot start, or answers garbage: a clear message,
#    frames unresolved, the report still printed (exit 0)
build_fixture "$OUT/a2l"
make_dump tests/report/dumps/main.dump.in "$OUT/a2l" "$OUT/a2l.dump"
expect_rc 0 "$RTPROF_BIN" report --addr2line /bin/false "$OUT/a2l.dump"
expect_text "$OUT/err" "rtprof: warning: cannot symbolize $OUT/a2l/fixture: '/bin/false' exited with status 1 (no message)" "failing addr2line: message"
expect_text "$OUT/out" "  fixture+$(hexoff "$OUT/a2l" buffer) (addr2line failed)" "failing addr2line: frames unresolved"
expect_text "$OUT/out" "addr2line failed ('/bin/false' exited with status 1 (no message)) - 9 addresses" "failing addr2line: header"
expect_rc 0 "$RTPROF_BIN" report --json --addr2line /bin/false "$OUT/a2l.dump"
check_json "$OUT/out"
grep -q '"problems": \[".*/bin/false.* exited with status 1' "$OUT/out" && pass "failing addr2line: JSON problems[]" || fail "failing addr2line: JSON problems[]"
expect_rc 0 "$RTPROF_BIN" report --addr2line "$OUT/no-such-addr2line" "$OUT/a2l.dump"
expect_text "$OUT/err" "rtprof: warning: cannot symbolize $OUT/a2l/fixture: cannot run '$OUT/no-such-addr2line': No such file or directory" "missing addr2line"
printf '#!/bin/sh\ncat > /dev/null\necho garbage\n' > "$OUT/garbage-addr2line"
chmod +x "$OUT/garbage-addr2line"
expect_rc 0 "$RTPROF_BIN" report --addr2line "$OUT/garbage-addr2line" "$OUT/a2l.dump"
expect_text "$OUT/err" "answered 0 of 9 addresses in an unexpected form" "garbage from addr2line"
# an addr2line that answers before reading all its input must not deadlock
printf '#!/bin/sh\nhead -c 100000 /dev/zero | tr "\\\\0" x\nexit 1\n' > "$OUT/chatty-addr2line"
chmod +x "$OUT/chatty-addr2line"
expect_rc 0 timeout 20 "$RTPROF_BIN" report --addr2line "$OUT/chatty-addr2line" "$OUT/a2l.dump"
expect_text "$OUT/err" "exited with status 1" "chatty addr2line: no deadlock"
finish
