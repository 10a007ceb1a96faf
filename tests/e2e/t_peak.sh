# What was live at the peak, exactly: three phases whose peaks differ
# (scratch allocates and frees 10 MiB, hold holds 30 MiB and frees it, keep
# keeps 20 MiB), on one thread and on 4 threads freeing each other's blocks;
# the diff when hold is fixed; and the RSS split adding up.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/peak_prog.c
$CC $CFLAGS "$src" -o "$OUT/peak" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof -lpthread
schema=$TOP/../shared/tools/check-report-json   # the contract's checker, when present
[ -f "$schema" ] || schema=$TOP/tests/report/schema.py
hold=$(line_of hold "$src") keep=$(line_of keep "$src") index=$(line_of keep_index "$src")

check_peak() { # NAME ARGS...: the peak is hold's 30 MiB, by site and by phase
  local name=$1; shift
  RTPROF=1 RTPROF_OUT="$OUT/$name.dump" "$OUT/peak" "$@"
  grep -q '^peak ' "$OUT/$name.dump" || fail "$name: no peak record in the dump"
  "$RTPROF" report --json "$OUT/$name.dump" > "$OUT/$name.json"
  python3 "$schema" "$OUT/$name.json" > /dev/null || fail "$name: $(python3 "$schema" "$OUT/$name.json")"
  python3 - "$OUT/$name.json" "$hold" "$keep" "$index" "$name" <<'PY' || fail "$name: the peak is not exact"
import json, sys
doc = json.load(open(sys.argv[1])); hold, keep, index = map(int, sys.argv[2:5]); name = sys.argv[5]
line = {s["id"]: s["frames"][0]["line"] for s in doc["sites"]}
pk = doc["peak"]; MiB = 1 << 20
fixed = name.startswith("fixed")
threads = 4 if name in ("four", "fixed4") else 1
idx = 160 if threads == 1 else 320  # keep's arrays of pointers: 20 x 8, or 4 x 10 x 8
want_sites = {keep: 20 * MiB, index: idx} if fixed else {hold: 30 * MiB}
want_phases = {"keep": sum(want_sites.values())} if fixed else {"hold": 30 * MiB}
got_sites = {line[s["id"]]: s["live_bytes"] for s in pk["sites"]}
got_phases = {p["path"]: p["live_bytes"] for p in pk["phases"]}
errors = []
if got_sites != want_sites: errors.append(f"peak sites {got_sites}, want {want_sites}")
if got_phases != want_phases: errors.append(f"peak phases {got_phases}, want {want_phases}")
if pk["live_bytes"] != sum(want_sites.values()): errors.append(f"peak.live_bytes {pk['live_bytes']}")
if doc["totals"]["peak_live_bytes"] != pk["live_bytes"]:
    errors.append(f"totals.peak_live_bytes {doc['totals']['peak_live_bytes']} != peak.live_bytes {pk['live_bytes']}")
# fixed, the peak is a plateau from keep's last allocation to exit: with 4
# threads the highest capture may be the dump's own, after keep has closed
want_phase = ("keep", None) if fixed and threads > 1 else ("keep",) if fixed else ("hold",)
if pk["phase"] not in want_phase: errors.append(f"peak.phase {pk['phase']}, want one of {want_phase}")
# the RSS split adds up, exactly where the figures are rtprof's own
for when in ("exit", "peak"):
    m = doc["memory"][when]
    if m["live_bytes"] + m["slack_bytes"] + m["tag_bytes"] != m["committed_bytes"]:
        errors.append(f"{when}: live + slack + tags != committed: {m}")
    if m["tag_bytes"] + m["table_bytes"] != m["rtprof_bytes"]: errors.append(f"{when}: tags + tables != rtprof: {m}")
    if m["live_bytes"] + m["slack_bytes"] + m["rtprof_bytes"] + m["rest_bytes"] != m["rss_bytes"]:
        errors.append(f"{when}: live + slack + rtprof + rest != rss: {m}")
    if m["slack_bytes"] < 0: errors.append(f"{when}: negative slack (committed below live + tags): {m}")
m = doc["memory"]
if m["peak"]["live_bytes"] != pk["live_bytes"]: errors.append("memory.peak.live_bytes differs from peak.live_bytes")
if m["exit"]["tag_bytes"] != 16 * doc["totals"]["live_blocks"]: errors.append("tags != 16 x live blocks at exit")
ph = {p["path"]: p for p in m["phases"]}
if threads == 1 and ph["keep"]["live_delta"] != 20 * MiB + idx:
    errors.append(f"keep's live delta {ph['keep']['live_delta']}")
print("\n".join(errors) or f"{name}: peak exact")
sys.exit(1 if errors else 0)
PY
}
check_peak one
check_peak four --threads 4
check_peak fixed --fixed
check_peak fixed4 --fixed --threads 4

# text: "Live at the peak" by site and by phase, and which peak each column is;
# compact figures and relative paths in 100 columns, the totals' units with --wide
"$RTPROF" report "$OUT/one.dump" > "$OUT/one.txt"
"$RTPROF" report --wide "$OUT/one.dump" > "$OUT/one-wide.txt"
grep -q "^Live at the peak: 30.0 MiB at .* in hold" "$OUT/one.txt" || fail "no 'Live at the peak' header: $(cat "$OUT/one.txt")"
grep -Eq "^ +1 +[0-9]+ +30.0M +100.0% +0 +hold peak_prog.c:$hold\$" "$OUT/one.txt" || fail "hold is not the peak's first site"
grep -Eq "^ +30.0M +100.0% +hold\$" "$OUT/one.txt" || fail "hold is not the peak's phase"
grep -Eq "^ +1 +[0-9]+ +30.0 MiB +100.0% +0 B +hold /.*/peak_prog.c:$hold\$" "$OUT/one-wide.txt" || fail "--wide: hold's row"
grep -Eq "^ +30.0 MiB +100.0% +hold\$" "$OUT/one-wide.txt" || fail "--wide: hold's phase row"
grep -q "not the site's own maximum" "$OUT/one.txt" || fail "the 'at peak' column does not say which peak"
# the memory sections fit 100 columns
sed -n '/^Live at the peak/,/^Warnings/p' "$OUT/one.txt" | LC_ALL=C.UTF-8 awk 'length > 100' | grep . \
  && fail "lines over 100 columns in the memory sections"

# diff: the peak moves from hold to keep once hold is fixed
"$RTPROF" diff "$OUT/one.dump" "$OUT/fixed.dump" > "$OUT/diff.txt"
grep -q "^Live at the peak (before → after): 30.0M→20.0M, in hold → keep" "$OUT/diff.txt" \
  || fail "diff: no peak line: $(cat "$OUT/diff.txt")"
grep -Eq "^ +30.0M→0 +hold peak_prog.c:$hold\$" "$OUT/diff.txt" || fail "diff: hold's site at the peak"
grep -Eq "^ +0→20.0M +keep peak_prog.c:$keep\$" "$OUT/diff.txt" || fail "diff: keep's site at the peak"
"$RTPROF" diff --wide "$OUT/one.dump" "$OUT/fixed.dump" > "$OUT/diff-wide.txt"
grep -q "^Live at the peak (before → after): 30.0 MiB → 20.0 MiB, in hold → keep" "$OUT/diff-wide.txt" \
  || fail "diff --wide: no peak line: $(cat "$OUT/diff-wide.txt")"
grep -Eq "^ +30.0 MiB → 0 B +hold /.*/peak_prog.c:$hold\$" "$OUT/diff-wide.txt" || fail "diff --wide: hold's site"
"$RTPROF" diff --json "$OUT/four.dump" "$OUT/fixed4.dump" > "$OUT/diff.json"
python3 - "$OUT/diff.json" <<'PY' || fail "diff --json: the peak's phases"
import json, sys
pk = json.load(open(sys.argv[1]))["peak"]; MiB = 1 << 20
ph = {p["path"]: (p["before"], p["after"]) for p in pk["phases"]}
want = {"hold": (30 * MiB, 0), "keep": (0, 20 * MiB + 4 * 10 * 8)}
assert ph == want, f"{ph} != {want}"
assert pk["before"]["live_bytes"] == 30 * MiB and pk["after"]["phase"] in ("keep", None), pk  # a plateau: see above
PY

# the kernel's figure: with every block written, RSS holds the live bytes
RTPROF=1 RTPROF_OUT="$OUT/touch.dump" "$OUT/peak" --touch
"$RTPROF" report --json "$OUT/touch.dump" > "$OUT/touch.json"
python3 - "$OUT/touch.json" <<'PY' || fail "RSS below the live bytes it holds"
import json, sys
m = json.load(open(sys.argv[1]))["memory"]
for when in ("peak", "exit"):
    assert m[when]["rss_bytes"] >= m[when]["live_bytes"], (when, m[when])
PY
echo "peak: exact by site and phase on 1 and 4 threads; diff; RSS split"

# HTML: the peak marked on the timeline, its own section and data
RTPROF=1 RTPROF_INTERVAL=1 RTPROF_OUT="$OUT/timeline.dump" "$OUT/peak"
"$RTPROF" report --html "$OUT/page.html" "$OUT/timeline.dump" > /dev/null
# the captured peak may sit up to max(2%, 1 MiB) below the 30 MiB top (DESIGN.md)
grep -Eq '<g class="livepeak"><title>highest live bytes: (29\.[0-9]|30\.0) MiB at' "$OUT/page.html" \
  || fail "HTML: no live peak marker at 29.0-30.0 MiB: $(grep -o 'highest live bytes: [^<]*' "$OUT/page.html")"
grep -q '<section id="peak" hidden><h2>Live at the peak</h2>' "$OUT/page.html" || fail "HTML: no peak section"
grep -q '"peak": {"live_bytes": 31457280, ' "$OUT/page.html" || fail "HTML: no peak data"
