# End to end: a program allocating at known lines (executable, shared
# library, inlined helper) -> dump -> `rtprof report --json`: exact file:line,
# counts, bytes and leaks; the JSON conforms to DESIGN.md's schema.
. "$(dirname "$0")/common.sh"
D=$TOP/tests/e2e
$CC $CFLAGS -fPIC -shared "$D/sites_lib.c" -o "$OUT/libsites.so" -L"$LIB" -lrtprof
$CC $CFLAGS "$D/sites_main.c" -o "$OUT/sites" -L"$OUT" -L"$LIB" -Wl,-rpath,"$OUT:$LIB" -lsites -lrtprof
RTPROF=1 RTPROF_OUT="$OUT/sites.%p.dump" "$OUT/sites" > "$OUT/stdout"
dump=$(ls "$OUT"/sites.*.dump)
"$RTPROF" report --json "$dump" > "$OUT/report.json"
"$RTPROF" report "$dump" > "$OUT/report.txt"
python3 "$TOP/tests/report/schema.py" "$OUT/report.json" || fail "JSON does not match DESIGN.md's contract"
shared=$TOP/../shared/tools/check-report-json   # the project-wide checker, when present
[ ! -f "$shared" ] || python3 "$shared" < "$OUT/report.json" || fail "JSON fails $shared"
python3 - "$OUT/report.json" \
  "$(line_of loop "$D/sites_main.c")" "$(line_of leak "$D/sites_main.c")" \
  "$(line_of inlined "$D/sites_main.c")" "$(line_of inlined_caller "$D/sites_main.c")" \
  "$(line_of lib "$D/sites_lib.c")" <<'PY'
import json, os, sys
doc = json.load(open(sys.argv[1]))
loop, leak, inl, inl_caller, lib = map(int, sys.argv[2:])
errors = []
def site_at(file, line):
    for s in doc["sites"]:
        f = s["frames"][0]
        if f["file"] and os.path.basename(f["file"]) == file and f["line"] == line:
            return s
    errors.append(f"no site at {file}:{line}; sites: " +
                  ", ".join(f'{s["frames"][0]["file"]}:{s["frames"][0]["line"]}' for s in doc["sites"]))
    return None
def expect(s, what, **want):
    if s is None: return
    for k, v in want.items():
        if s[k] != v: errors.append(f"{what}: {k} = {s[k]}, want {v}")
expect(site_at("sites_main.c", loop), "loop", allocs=100, alloc_bytes=6400, frees=100, live_blocks=0, live_bytes=0, peak_live_bytes=64)
expect(site_at("sites_main.c", leak), "leak", allocs=8, alloc_bytes=8000, frees=0, live_blocks=8, live_bytes=8000)
s = site_at("sites_main.c", inl)
expect(s, "inlined", allocs=3, alloc_bytes=150, frees=3, live_bytes=0)
if s:
    fr = s["frames"]
    if not (fr[0]["inlined"] and fr[0]["function"] == "inlined_helper"):
        errors.append(f"inlined frame: {fr[0]}")
    if len(fr) < 2 or fr[1]["function"] != "main" or fr[1]["line"] != inl_caller:
        errors.append(f"inlined caller frame: {fr[1:2]}, want main at line {inl_caller}")
s = site_at("sites_lib.c", lib)
expect(s, "lib", allocs=10, alloc_bytes=320, frees=8, live_blocks=2, live_bytes=64)
if s and not s["frames"][0]["module"].endswith("libsites.so"):
    errors.append(f"lib module: {s['frames'][0]['module']}")
t = doc["totals"]
want = dict(allocs=121, frees=111, alloc_bytes=6400 + 8000 + 150 + 320, live_blocks=10, live_bytes=8064)
for k, v in want.items():
    if t[k] != v: errors.append(f"totals.{k} = {t[k]}, want {v}")
if doc["overflow"]["allocs"] != 0: errors.append("overflow row is not empty")
if len(doc["sites"]) != 4: errors.append(f"{len(doc['sites'])} sites, want 4")
print("\n".join(errors) or "all exact")
sys.exit(1 if errors else 0)
PY
grep -q "sites_main.c:$(line_of leak "$D/sites_main.c")" "$OUT/report.txt" || fail "text report does not name the leak line"
