# Growing sites: a loop of 10 iterations leaking 300 bytes per iteration at
# one site among several that do not grow. The table names that site with
# exactly 300 bytes per call (across the calls of the phase), and across the
# run from the snapshots' top sites; the others are not in it.
. "$(dirname "$0")/common.sh"
schema=$TOP/../shared/tools/check-report-json   # the contract's checker, when present
[ -f "$schema" ] || schema=$TOP/tests/report/schema.py
src=$TOP/tests/e2e/growth_prog.c
$CC $CFLAGS "$src" -o "$OUT/growth" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
RTPROF=1 RTPROF_OUT="$OUT/growth.dump" "$OUT/growth"
grep -q "^snapshot_top sites=" "$OUT/growth.dump" || fail "no snapshot_top records"
leak=$(line_of leak "$src")
"$RTPROF" report --json "$OUT/growth.dump" > "$OUT/growth.json"
python3 "$schema" "$OUT/growth.json" > /dev/null || fail "JSON contract"
python3 - "$OUT/growth.json" "$leak" <<'PY' || fail "growing sites"
import json, sys
doc = json.load(open(sys.argv[1])); leak = int(sys.argv[2])
line = {s["id"]: s["frames"][0]["line"] for s in doc["sites"]}
rows = [(line[g["id"]], g["phase"], g["calls"], g["per_call_bytes"], g["first_live_bytes"], g["last_live_bytes"],
         g["points"]) for g in doc["growing"]]
naming = sum(1 for t in doc["timeline"] for x in t.get("top", []) if line[x["id"]] == leak)
want = [(leak, "iteration", 10, 300, 300, 3000, 0), (leak, None, 0, 0, 300, 3000, naming)]
assert sorted(rows, key=str) == sorted(want, key=str), f"{rows} != {want}"
# each snapshot names the sites holding the most, largest first
tl = [t for t in doc["timeline"] if t["kind"] == "label"]
assert len(tl) == 10 and all(t["top"][0]["live_bytes"] >= t["top"][-1]["live_bytes"] for t in tl), tl
assert [t for t in tl[-1]["top"] if line[t["id"]] == leak][0]["live_bytes"] == 3000, tl[-1]
print("growing: the leak alone, 300 B per call")
PY
"$RTPROF" report "$OUT/growth.dump" > "$OUT/growth.txt"
grep -Eq "^ +1 +[0-9]+ +\+2.64K +300B +10 calls +iteration growth_prog.c:$leak in iteration\$" "$OUT/growth.txt" \
  || fail "text: no growing row for the leak: $(sed -n '/^Growing/,/^$/p' "$OUT/growth.txt")"
"$RTPROF" report --wide "$OUT/growth.dump" > "$OUT/growth-wide.txt"
grep -Eq "^ +1 +[0-9]+ +\+2.6 KiB +300 B +10 calls +iteration /.*/growth_prog.c:$leak in iteration\$" "$OUT/growth-wide.txt" \
  || fail "--wide: no growing row for the leak: $(sed -n '/^Growing/,/^$/p' "$OUT/growth-wide.txt")"
[ "$(sed -n '/^Growing/,/^$/p' "$OUT/growth.txt" | grep -c 'growth_prog.c')" = 2 ] || fail "text: other sites in the growing table"
# the timeline shows the top sites' live bytes over time: text and SVG
"$RTPROF" report --timeline --svg "$OUT/growth.svg" "$OUT/growth.dump" > "$OUT/timeline.txt"
grep "label: iteration  top: " "$OUT/timeline.txt" | tail -n 1 | grep -q "#[0-9]* 2.93K" \
  || fail "text timeline: the leak's 3000 B not among the last label's top sites: $(tail -n 3 "$OUT/timeline.txt")"
grep -q '<polyline class="topsite" ' "$OUT/growth.svg" || fail "SVG: no line for the top sites"
