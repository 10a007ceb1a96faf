# C++ new/delete and STL containers under the interposer: same output, a
# balanced dump, and at depth 4 with operator new folded away, the
# deliberate 100-byte leak found at its line.
. "$(dirname "$0")/common.sh"
g++ -std=c++17 -O1 -g "$TOP/tests/preload/cxx_prog.cpp" -o "$OUT/cxx"
"$OUT/cxx" > "$OUT/plain.out"
NAME=cxx RTPROF_DEPTH=4 profiled "$OUT/cxx" > "$OUT/prof.out"
cmp "$OUT/plain.out" "$OUT/prof.out" || fail "output differs under rtprof"
dump=$(ls "$OUT"/cxx.*.dump)
check_dump "$dump"
"$RTPROF" report --json --skip '^operator new' "$dump" > "$OUT/report.json"
line=$(grep -n 'deliberately leaked' "$TOP/tests/preload/cxx_prog.cpp" | cut -d: -f1)
python3 - "$OUT/report.json" "$line" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); line = int(sys.argv[2])
hits = [s for s in doc["sites"] if s["frames"][0]["line"] == line
        and (s["frames"][0]["file"] or "").endswith("cxx_prog.cpp")]
assert hits, "the leak line is not a site after --skip operator new"
s = hits[0]
assert s["live_bytes"] == 100 and s["live_blocks"] == 1, s
print("leak found:", s["frames"][0]["function"], s["frames"][0]["line"], s["live_bytes"], "bytes")
PY
