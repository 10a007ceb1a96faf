# The flagship example end to end, as `./build.sh demo` runs it: its script
# checks that the comptime phase's top site is the cloning line and that
# live bytes at exit are exactly N x the source size (0 with --fix).
. "$(dirname "$0")/common.sh"
bash "$TOP/examples/comptime-clone/run.sh" > "$OUT/demo.txt" 2>&1 || { tail -30 "$OUT/demo.txt"; fail "the demo's checks failed"; }
grep -c "^  ok " "$OUT/demo.txt" | grep -qx 5 || { grep -E "^  (ok|FAIL) " "$OUT/demo.txt"; fail "expected 5 passing checks"; }
grep -q "peak committed .* → .*, −" "$OUT/demo.txt" || fail "no before/after diff in the demo's output"
# what was live at the peak: the cloning line and the comptime phase hold most of it
clone=$(grep -n 'CLONE-SITE' "$TOP/examples/comptime-clone/comptime.c" | head -n 1 | cut -d: -f1)
python3 - "$TOP/build/examples/comptime-clone/bug.json" "$clone" <<'PY' || fail "the peak's main holders"
import json, sys
doc, clone = json.load(open(sys.argv[1])), int(sys.argv[2])
pk = doc["peak"]; line = {s["id"]: s["frames"][0]["line"] for s in doc["sites"]}
assert line[pk["sites"][0]["id"]] == clone, pk["sites"][:3]
assert pk["phases"][0]["path"] == "check/sema/comptime_eval", pk["phases"][:3]
assert 2 * pk["sites"][0]["live_bytes"] > pk["live_bytes"], pk
t = doc["totals"]["peak_live_bytes"]
assert abs(t - pk["live_bytes"]) <= max(t // 50, 1 << 20), (t, pk["live_bytes"])
g = [x for x in doc["growing"] if x["phase"] == "check/sema/comptime_eval"]
assert g and line[g[0]["id"]] == clone, doc["growing"]
PY
