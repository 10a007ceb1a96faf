#!/usr/bin/env bash
# rtprof diff on two hand-written dumps of the compiled fixture (the second
# loaded at another base, its libraries moved): phases matched by path and
# sites by function and file:line (module+offset without a line), each one
# grown, shrunk, appeared, disappeared or unchanged; text and JSON match
# tests/diffcheck/expected/; --skip, --top; exit 2 on bad usage or input.
set -eu
AREA=diffcheck
. "$(dirname "$0")/../report/lib.sh"
command -v python3 > /dev/null || skip "python3 is not installed"

build_fixture "$OUT/fx"
make_dump tests/report/dumps/main.dump.in "$OUT/fx" "$OUT/before.dump"
make_dump tests/diffcheck/dumps/after.dump.in "$OUT/fx" "$OUT/after.dump" 0x560000001000
B=$OUT/before.dump A=$OUT/after.dump

# run_golden NAME ARGS...: `rtprof diff ARGS` exits 0, prints nothing on
# stderr, and its output (scrubbed) matches expected/NAME
run_golden() {
  local name=$1; shift
  expect_rc 0 "$RTPROF_BIN" diff "$@" || return 0
  [ ! -s "$OUT/err" ] || fail "$name: stderr: $(cat "$OUT/err")"
  cp "$OUT/out" "$OUT/$name.raw"
  scrub "$OUT/fx" < "$OUT/out" > "$OUT/$name"
  golden "$name" "$OUT/$name"
}
run_golden diff.txt "$B" "$A"
run_golden diff-wide.txt --wide "$B" "$A"
grep -qx '  peak committed     1.92 GiB → 1.02 GiB, −47%' "$OUT/diff.txt" \
  && pass "peak committed as 'before → after, −N%' in one unit" || fail "the peak committed line"
run_golden diff.json --json "$B" "$A"
run_golden diff-skip.txt --skip '^xmalloc$' "$B" "$A"
run_golden diff-top.txt --top 1 "$B" "$A"
run_golden diff-same.txt "$A" "$A"

python3 - "$OUT/diff.json.raw" <<'PY' && pass "JSON: names, types and figures" || fail "JSON: names, types and figures"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["format"] == "rtprof-diff" and doc["version"] == 1
for side, pid in (("before", 4242), ("after", 5353)):
    assert doc[side]["pid"] == pid and doc[side]["file"].endswith(f"{side}.dump"), doc[side]
t = doc["totals"]["peak_committed_bytes"]
assert (t["before"], t["after"], t["delta"]) == (2065170432, 1100000000, 1100000000 - 2065170432), t
assert abs(t["percent"] - (-46.7)) < 0.05, t
for k, v in doc["totals"].items():
    assert all(isinstance(v[f], int) for f in ("before", "after", "delta")), (k, v)
    assert v["percent"] is None or isinstance(v["percent"], float), (k, v)
status = {s["frame"]["function"] or s["frame"]["module"]: s for s in doc["sites"]}
gb = status["grow_buffer"]
assert gb["status"] == "shrank" and gb["change"] == -786432 and gb["match"] == "exact", gb
assert gb["before"]["live_bytes"] == 786432 and gb["after"]["live_bytes"] == 0, gb
x = status["xmalloc"]  # node_a, node_b and direct: one attributed frame
assert x["status"] == "grew" and x["before"]["sites"] == 3 and x["before"]["alloc_bytes"] == 4856, x
assert x["after"]["alloc_bytes"] == 8056 and x["change"] == 3200, x
assert status["dup_str"]["status"] == "disappeared" and status["dup_str"]["after"] is None
new = status["/nonexistent/lib/libnew.so.2"]
assert new["status"] == "appeared" and new["before"] is None and new["frame"]["offset"] == 0x2000, new
gone = status["/nonexistent/lib/libgone.so.1"]  # another base, the same module+offset
assert gone["status"] == "unchanged" and gone["match"] == "exact" and gone["change"] == 0, gone
assert [s["status"] for s in doc["sites"]][-2:] == ["unchanged", "unchanged"], "unchanged sites come last"
changes = [abs(s["change"]) for s in doc["sites"]]
assert changes == sorted(changes, reverse=True), "sorted by the size of the change"
ph = {p["path"]: p for p in doc["phases"]}
ce = ph["check/comptime eval"]
assert ce["status"] == "shrank" and ce["change"] == 20971520 - 2031616000, ce
assert ce["before"]["committed_per_call"] == 2031616000 // 239 and ce["after"]["committed_per_call"] == 20971520 // 239
assert ph["check"]["status"] == "grew" and ph["link"]["status"] == "appeared" and ph["link"]["before"] is None
assert ph["check/parse"]["status"] == "disappeared" and ph["codegen"]["status"] == "unchanged"
assert doc["summary"] == {"sites": {"grew": 1, "shrank": 1, "appeared": 1, "disappeared": 1, "unchanged": 2},
                          "phases": {"grew": 1, "shrank": 1, "appeared": 1, "disappeared": 1, "unchanged": 1}}
PY

# --top in JSON: only when given; text tables stop at 20 rows by default
expect_rc 0 "$RTPROF_BIN" diff --json --top 2 "$B" "$A"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["sites"]) == 2 and len(d["phases"]) == 2' "$OUT/out" \
  && pass "--top N cuts the JSON lists" || fail "--top N in JSON"
# the dumps may come from standard input (one of them)
rc=0; "$RTPROF_BIN" diff - "$A" < "$B" > "$OUT/stdin.txt" 2>&1 || rc=$?
[ $rc -eq 0 ] && grep -q 'peak committed     1.92 GiB → 1.02 GiB' "$OUT/stdin.txt" && pass "BEFORE from stdin" || fail "BEFORE from stdin ($rc)"

# usage_error WANT ARGS...: exit 2 and exactly WANT on stderr, nothing on stdout
usage_error() {
  local want=$1; shift
  expect_rc 2 "$RTPROF_BIN" "$@" || return 0
  if [ "$(cat "$OUT/err")" = "$want" ] && [ ! -s "$OUT/out" ]; then pass "exit 2: $*"
  else fail "$*"; echo "    want: $want"; echo "    got:  $(cat "$OUT/err")"; fi
}
usage_error "rtprof: error: diff: no dumps given (BEFORE AFTER) (see 'rtprof diff --help')" diff
usage_error "rtprof: error: diff: no AFTER dump given (see 'rtprof diff --help')" diff "$B"
usage_error "rtprof: error: diff: more than two dumps ('$B'): diff compares BEFORE with AFTER (see 'rtprof diff --help')" diff "$A" "$B" "$B"
usage_error "rtprof: error: diff: unknown option '--bogus' (see 'rtprof diff --help')" diff --bogus "$B" "$A"
usage_error "rtprof: error: diff: bad value 'x' for --top (see 'rtprof diff --help')" diff --top x "$B" "$A"
usage_error "rtprof: error: diff: option '--skip' needs a value (see 'rtprof diff --help')" diff "$B" "$A" --skip
expect_rc 2 "$RTPROF_BIN" diff --skip '(' "$B" "$A" && grep -q "^rtprof: error: diff: --skip: bad regular expression '(': " "$OUT/err" \
  && pass "a bad --skip" || fail "a bad --skip: $(cat "$OUT/err")"
usage_error "rtprof: error: diff: only one of BEFORE and AFTER can be standard input (see 'rtprof diff --help')" diff - -
usage_error "rtprof: error: $OUT/missing.dump: cannot open: No such file or directory" diff "$B" "$OUT/missing.dump"
head -n 5 "$A" > "$OUT/cut.dump"
usage_error "rtprof: error: $OUT/cut.dump:6: truncated: no 'end' record (the process died while writing, or the disk filled)" diff "$OUT/cut.dump" "$A"
expect_rc 0 "$RTPROF_BIN" diff --help && grep -q '^usage: rtprof diff \[options\] BEFORE AFTER' "$OUT/out" \
  && pass "diff --help" || fail "diff --help"
expect_rc 0 "$RTPROF_BIN" --help && grep -q '^  diff ' "$OUT/out" && grep -q '^  check ' "$OUT/out" \
  && pass "rtprof --help lists diff and check" || fail "rtprof --help lists diff and check"
finish
