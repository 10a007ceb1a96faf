# A library loaded by dlopen after start: its allocations are counted and
# its site symbolizes to the plugin's file:line.
. "$(dirname "$0")/common.sh"
D=$TOP/tests/preload
gcc -std=gnu11 -g -O1 -fPIC -shared "$D/dl_plugin.c" -o "$OUT/dl_plugin.so"
gcc -std=gnu11 -g -O1 "$D/dl_main.c" -o "$OUT/dl_main" -ldl
NAME=dl profiled "$OUT/dl_main" "$OUT/dl_plugin.so" | grep -q "plugin ran" || fail "program failed"
dump=$(ls "$OUT"/dl.*.dump)
check_dump "$dump"
"$RTPROF" report --json "$dump" > "$OUT/report.json"
line=$(grep -n 'SITE:plugin' "$D/dl_plugin.c" | cut -d: -f1)
python3 - "$OUT/report.json" "$line" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); line = int(sys.argv[2])
s = [s for s in doc["sites"] if (s["frames"][0]["file"] or "").endswith("dl_plugin.c")]
assert s, "no site in dl_plugin.c"
s = s[0]
assert s["frames"][0]["line"] == line, s["frames"][0]
assert s["allocs"] == 3 and s["alloc_bytes"] == 3 * 4096 and s["live_bytes"] == 3 * 4096, s
print("plugin site exact")
PY
