# Deferred frees (docs/guide.md, "What it costs"): a free waits a few frees
# while its tag is fetched, and nothing of it may show. An idle thread's
# waiting frees are counted by the exit dump and by a forked child's; a
# double free, a realloc after free and a foreign pointer are reported with
# their own call sites and the allocating site.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/deferred_prog.c
$CC $CFLAGS -O1 "$src" -o "$OUT/deferred" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof -lpthread
idle_line=$(line_of idle_alloc "$src")
# figures DUMP: one line per site "LINE ALLOCS FREES LIVE_BYTES", then totals
figures() {
  "$RTPROF" report --json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in sorted(d["sites"], key=lambda s: s["frames"][0]["line"]):
    print(s["frames"][0]["line"], s["allocs"], s["frees"], s["live_bytes"])
t = d["totals"]; print("totals", t["allocs"], t["frees"], t["live_bytes"])'
}
RTPROF=1 RTPROF_OUT="$OUT/idle.dump" "$OUT/deferred" idle > "$OUT/idle.out" || fail "idle: the program failed"
figures "$OUT/idle.dump" > "$OUT/idle.fig"
grep -qx "$idle_line 64 64 0" "$OUT/idle.fig" ||
  fail "idle: the sleeping thread's frees are not all counted: $(cat "$OUT/idle.fig")"
# Periodic dumps leave a running thread's ring alone: a taken free would
# count in the sampler's slots, and the site's peak would read 7 blocks.
sleep_line=$(line_of sleep_alloc "$src")
RTPROF=1 RTPROF_FLUSH=20 RTPROF_OUT="$OUT/sleep.dump" "$OUT/deferred" sleep > /dev/null || fail "sleep: the program failed"
"$RTPROF" report --json "$OUT/sleep.dump" | python3 -c '
import json, sys
d = json.load(sys.stdin); line = int(sys.argv[1])
s = [s for s in d["sites"] if s["frames"][0]["line"] == line]
assert s and (s[0]["allocs"], s[0]["frees"], s[0]["peak_live_bytes"]) == (7, 7, 400), s' "$sleep_line" ||
  fail "sleep: the site's figures are not 7 allocs, 7 frees, peak 400"
# A thread's new high-water while frees wait, at a site below its own: the
# waiting frees are settled first, so the process's peak is exact.
thousand_line=$(line_of peak_thousand "$src")
RTPROF=1 RTPROF_OUT="$OUT/peak.dump" "$OUT/deferred" peak > /dev/null || fail "peak: the program failed"
"$RTPROF" report --json "$OUT/peak.dump" | python3 -c '
import json, sys
d = json.load(sys.stdin); line = int(sys.argv[1])
s = [s for s in d["sites"] if s["frames"][0]["line"] == line]
assert s and (s[0]["allocs"], s[0]["peak_live_bytes"]) == (2, 1000), s
t = d["totals"]
assert (t["allocs"], t["frees"], t["peak_live_bytes"]) == (7, 7, 1016), t' "$thousand_line" ||
  fail "peak: not a site peak of 1,000 and a process peak of 1,016 bytes"
RTPROF=1 RTPROF_OUT="$OUT/fork.%p.dump" "$OUT/deferred" fork > "$OUT/fork.out" || fail "fork: the program failed"
child=$(sed -n 's/^child //p' "$OUT/fork.out")
[ -n "$child" ] && [ -f "$OUT/fork.$child.dump" ] || fail "fork: no child dump: $(cat "$OUT/fork.out")"
figures "$OUT/fork.$child.dump" > "$OUT/fork.fig"
grep -qx "$idle_line 64 64 0" "$OUT/fork.fig" ||
  fail "fork: the child's dump misses the other thread's frees: $(cat "$OUT/fork.fig")"
# misuse KIND MESSAGE ALLOC_MARKER: reported with the bad call's line (and
# the allocating site's, when the block is ours); warn mode goes on
misuse() {
  local kind=$1 msg=$2 alloc_marker=$3 bad_line alloc_line=0
  bad_line=$(line_of "bad_$kind" "$src")
  [ -n "$alloc_marker" ] && alloc_line=$(line_of "$alloc_marker" "$src")
  RTPROF=1 RTPROF_ON_ERROR=warn RTPROF_OUT="$OUT/$kind.dump" "$OUT/deferred" "$kind" > "$OUT/$kind.out" \
    2> "$OUT/$kind.err" || fail "$kind: warn mode did not go on"
  grep -q "^continued$" "$OUT/$kind.out" || fail "$kind: warn mode did not go on"
  grep -q "rtprof: error: $msg" "$OUT/$kind.err" || fail "$kind: stderr lacks '$msg': $(cat "$OUT/$kind.err")"
  "$RTPROF" report --json "$OUT/$kind.dump" > "$OUT/$kind.json"
  python3 - "$OUT/$kind.json" "$bad_line" "$alloc_line" <<'PY' || fail "$kind: wrong report"
import json, sys
doc = json.load(open(sys.argv[1])); bad, alloc = int(sys.argv[2]), int(sys.argv[3])
errs = doc.get("errors") or []
assert len(errs) == 1 and errs[0]["count"] == 1, f"errors {errs}"
e = errs[0]
assert e["call"]["line"] == bad, f"call at line {e['call']['line']}, want {bad}"
if alloc:
    site = [s for s in doc["sites"] if s["id"] == e["site"]]
    assert site and site[0]["frames"][0]["line"] == alloc, f"allocating site {site}, want line {alloc}"
t = doc["totals"]
assert t["allocs"] == t["frees"] + t["live_blocks"], t
PY
  local rc=0
  # (through sh, which reports the abort as its exit status, quietly)
  RTPROF=1 RTPROF_OUT="$OUT/$kind.abort.dump" sh -c '"$@"; exit $?' sh "$OUT/deferred" "$kind" > /dev/null 2>&1 || rc=$?
  [ "$rc" -eq 134 ] || fail "$kind: default mode should abort (exit 134), got $rc"
}
misuse double "double free" double_alloc
misuse realloc "realloc of a freed block" realloc_alloc
misuse foreign "damaged block tag" ""
echo "deferred frees: exact counts with an idle thread and after fork; misuse reported at its own line"
