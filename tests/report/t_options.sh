#!/usr/bin/env bash
# Report options against the fixture dump: --skip folding and merging (with
# phase x site rows remapped), --sort, --phase, --top, --stacks and the
# collapsed format, each compared with tests/report/expected/.
set -eu
. "$(dirname "$0")/lib.sh"

build_fixture "$OUT/fx"
make_dump tests/report/dumps/main.dump.in "$OUT/fx" "$OUT/main.dump"
D=$OUT/main.dump

# run_golden NAME ARGS...: the report with ARGS matches expected/NAME
run_golden() {
  local name=$1; shift
  expect_rc 0 "$RTPROF_BIN" report "$@" "$D" || return 0
  scrub "$OUT/fx" < "$OUT/out" > "$OUT/$name"
  golden "$name" "$OUT/$name"
}

# --skip: node_a and node_b (xmalloc <- make_node <- main:75/76) fold to
# make_node:63 and merge into site 1; "direct" folds to main:79.
run_golden skip.txt --skip '^xmalloc$'
run_golden skip.json --json --skip '^xmalloc$'
check_json "$OUT/out"
python3 - "$OUT/out" <<'PY' && pass "--skip merged sites 1 and 2 and remapped their pairs" || fail "--skip merge"
import json, sys
doc = json.load(open(sys.argv[1]))
sites = {s["id"]: s for s in doc["sites"]}
assert 2 not in sites, "site 2 should have merged into 1"
s1 = sites[1]
assert (s1["allocs"], s1["alloc_bytes"], s1["live_bytes"]) == (150, 4800, 320), s1
assert s1["frames"][0]["function"] == "make_node" and s1["frames"][0]["line"] == 63, s1["frames"]
assert len(s1["frames"]) == 1, "merged sites keep only the frames they share"
assert sites[5]["frames"][0]["function"] == "main" and sites[5]["frames"][0]["line"] == 79
ph = {p["path"]: p for p in doc["phases"]}
assert [s["id"] for s in ph["check/parse"]["sites"]] == [1, 3], ph["check/parse"]["sites"]
assert [s["id"] for s in ph["check/comptime eval"]["sites"]] == [4, 1]
PY
# a skip matching every frame keeps the outermost one
expect_rc 0 "$RTPROF_BIN" report --json --skip . "$D"
python3 - "$OUT/out" <<'PY' && pass "--skip matching all frames keeps the outermost" || fail "--skip ."
import json, sys
doc = json.load(open(sys.argv[1]))
fns = sorted((str(s["frames"][0]["function"]), s["frames"][0]["line"] or 0) for s in doc["sites"])
want = [("None", 0), ("None", 0)] + [("main", n) for n in (75, 76, 77, 78, 79)]
assert fns == want, fns  # every fixture site folds into its line of main
PY
# a frame with no known function never matches --skip: a site whose stack
# starts in the unsymbolizable libgone.so, above xmalloc and main, stays
# attributed to that frame
stack1=$(sed -n 's/^site id=1 .* frames=//p' "$D")
sed "s/^\(site id=6 .* frames=\).*/\10x7f31a2001235,$stack1/" "$D" > "$OUT/unknown-first.dump"
expect_rc 0 "$RTPROF_BIN" report --json --skip '^(xmalloc|make_node)$' "$OUT/unknown-first.dump"
python3 - "$OUT/out" <<'PY' && pass "--skip leaves a frame with no known function in place" || fail "--skip folded an unknown frame"
import json, sys
s = {s["id"]: s for s in json.load(open(sys.argv[1]))["sites"]}[6]
f = s["frames"][0]
assert f["function"] is None and f["module"].endswith("libgone.so.1"), f
PY
expect_rc 2 "$RTPROF_BIN" report --skip '(' "$D" && grep -q "rtprof: error: report: --skip: bad regular expression '('" "$OUT/err" \
  && pass "bad --skip regex" || fail "bad --skip regex: $(cat "$OUT/err")"

# --sort count / live, --top
run_golden sort-count.txt --sort count --top 3
run_golden sort-live.json --json --sort live --top 2
check_json "$OUT/out" --sort live
python3 - "$OUT/out" <<'PY' && pass "--json --top 2 --sort live" || fail "--json --top 2 --sort live"
import json, sys
doc = json.load(open(sys.argv[1]))
assert [s["id"] for s in doc["sites"]] == [4, 2], [s["id"] for s in doc["sites"]]
for p in doc["phases"]:
    for s in p["sites"]:
        assert s["id"] in (4, 2), p
PY
expect_rc 0 "$RTPROF_BIN" report --json --sort count "$D"
check_json "$OUT/out" --sort count
expect_rc 0 "$RTPROF_BIN" report --json --sort live "$D"
check_json "$OUT/out" --sort live
expect_rc 0 "$RTPROF_BIN" report --json "$D"
check_json "$OUT/out"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sites"]))' "$OUT/out")
[ "$n" = 7 ] && pass "--json lists all sites without --top" || fail "--json without --top lists $n sites"
expect_rc 2 "$RTPROF_BIN" report --sort size "$D" && grep -q "bad value 'size' for --sort" "$OUT/err" \
  && pass "bad --sort" || fail "bad --sort: $(cat "$OUT/err")"
expect_rc 2 "$RTPROF_BIN" report --top -1 "$D" && pass "bad --top" || fail "bad --top"

# --phase: the phase sections show one subtree
run_golden phase.txt --phase 'check/comptime eval'
run_golden phase.json --json --phase check
check_json "$OUT/out"
expect_rc 2 "$RTPROF_BIN" report --phase nosuch "$D" && grep -q "rtprof: error: --phase: no phase 'nosuch' in the dump" "$OUT/err" \
  && pass "unknown --phase" || fail "unknown --phase: $(cat "$OUT/err")"

# --stacks, collapsed stacks (outermost first; the value follows --sort)
run_golden stacks.txt --stacks --top 4
run_golden collapsed.txt --format collapsed
run_golden collapsed-skip.txt --format collapsed --skip '^xmalloc$'
expect_rc 0 "$RTPROF_BIN" report --format collapsed --sort live "$D"
grep -q '^main;grow_buffer 786432$' "$OUT/out" && ! grep -q ' 0$' "$OUT/out" \
  && pass "collapsed --sort live weighs by live bytes" || fail "collapsed --sort live: $(cat "$OUT/out")"
finish
