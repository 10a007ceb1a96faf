#!/usr/bin/env bash
# Two dumps of the same program (loaded at different bases, with different
# site ids) merge: sites by symbolized identity, phases by path, totals
# summed and peaks maxed; the text and JSON reports match expected/.
set -eu
. "$(dirname "$0")/lib.sh"

build_fixture "$OUT/fx"
make_dump tests/report/dumps/main.dump.in "$OUT/fx" "$OUT/main.dump"
make_dump tests/report/dumps/second.dump.in "$OUT/fx" "$OUT/second.dump" 0x560000001000

expect_rc 0 "$RTPROF_BIN" report "$OUT/main.dump" "$OUT/second.dump"
scrub "$OUT/fx" < "$OUT/out" > "$OUT/merge.txt"
golden merge.txt "$OUT/merge.txt"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/main.dump" "$OUT/second.dump"
cp "$OUT/out" "$OUT/merge.json"
check_json "$OUT/merge.json"
scrub "$OUT/fx" < "$OUT/merge.json" > "$OUT/merge.json.scrubbed"
golden merge.json "$OUT/merge.json.scrubbed"

python3 - "$OUT/merge.json" <<'PY' && pass "merged figures" || fail "merged figures"
import json, sys
doc = json.load(open(sys.argv[1]))
t = doc["totals"]
assert (t["allocs"], t["frees"], t["alloc_bytes"]) == (178 + 12, 160 + 3, 1054208 + 2230), t
assert t["peak_committed_bytes"] == 3000000000 and t["peak_live_bytes"] == 790000, t
assert t["committed_bytes"] == 33554432 + 1000000, t
sites = {s["id"]: s for s in doc["sites"]}
assert len(sites) == 8, sorted(sites)
buf = sites[4]  # grow_buffer in both dumps
assert (buf["allocs"], buf["alloc_bytes"], buf["peak_live_bytes"]) == (5, 1050624, 786432), buf
assert sites[2]["allocs"] == 55 and sites[3]["allocs"] == 11
new = sites[8]  # dump 2's depth-1 xmalloc frame differs from dump 1's stacks
assert len(new["frames"]) == 1 and new["frames"][0]["line"] == 45, new
ph = {p["path"]: p for p in doc["phases"]}
ce = ph["check/comptime eval"]
assert (ce["calls"], ce["committed_delta_max"], ce["committed_delta"]) == (249, 9000000, 2031616000 + 90000000), ce
assert {s["id"]: s["allocs"] for s in ce["sites"]} == {4: 5, 2: 50}, ce["sites"]
assert ph["check/link"]["allocs"] == 9 and ph["check"]["cum_allocs"] == 175 + 11, ph["check"]
assert [p["path"] for p in doc["phases"]] == ["check", "check/parse", "check/comptime eval", "check/link", "codegen"]
assert {(w["kind"], w["count"]) for w in doc["warnings"]} == {("phase_end_without_begin", 3), ("phase_open_at_exit", 1)}
assert [d["pid"] for d in doc["dumps"]] == [4242, 5151]
PY
finish
