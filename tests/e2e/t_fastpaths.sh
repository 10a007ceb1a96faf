# The fast paths for realloc and for allocations inside a phase: exact
# counts, bytes and peaks per site, per phase x site pair and in the totals,
# against the ledger fastpaths_prog.c keeps of its own calls; a realloc
# after free through a cached realloc site reported at its own line with the
# allocating site's; failures on both paths leave the old block live and
# counted and the peaks the real ones.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/fastpaths_prog.c
$CC $CFLAGS -O1 "$src" -o "$OUT/fastpaths" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
lines=""
for m in node leaf hund src pre inp chunk bad rnull rsz far; do lines="$lines $m=$(line_of "$m" "$src")"; done

# run SCENARIO [VAR=VALUE...]: the program's ledger against the dump
run() {
  local s=$1; shift
  env RTPROF=1 RTPROF_OUT="$OUT/$s.dump" "$@" "$OUT/fastpaths" "$s" > "$OUT/$s.out" 2> "$OUT/$s.err" ||
    fail "$s: the program failed: $(cat "$OUT/$s.err")"
  "$RTPROF" report --json "$OUT/$s.dump" > "$OUT/$s.json" || fail "$s: rtprof report failed"
  python3 - "$OUT/$s.json" "$OUT/$s.out" $lines <<'PY' || fail "$s: the dump differs from the program's ledger"
import json, sys
doc = json.load(open(sys.argv[1]))
line = {k: int(v) for k, v in (a.split("=") for a in sys.argv[3:])}
errors = []
def ours(s):
    return s["frames"] and (s["frames"][0].get("file") or "").endswith("fastpaths_prog.c")
# At depth > 1 a line reached by several stacks is several sites: summed,
# and their peaks compared only when there is one.
SUMMED = ("allocs", "alloc_bytes", "frees", "freed_bytes", "live_blocks", "live_bytes")
def merged(entries):
    m = {k: sum(e[k] for e in entries) for k in SUMMED if k in entries[0]}
    if len(entries) == 1 and "peak_live_bytes" in entries[0]:
        m["peak_live_bytes"] = entries[0]["peak_live_bytes"]
    return m
groups = {}
for x in doc["sites"]:
    if ours(x):
        groups.setdefault(x["frames"][0]["line"], []).append(x)
by_line = {k: merged(v) for k, v in groups.items()}
by_id = {s["id"]: s for s in doc["sites"]}
def fields(words):
    return {k: int(v) for k, v in (w.split("=") for w in words)}
def compare(what, have, want):
    for k, v in want.items():
        if have.get(k) != v:
            errors.append(f"{what}: {k} = {have.get(k)}, want {v}")
for l in open(sys.argv[2]):
    w = l.split()
    if not w or w[0] not in ("site", "pair", "totals"):
        continue
    if w[0] == "site" and w[1] == "at":  # 300 explicit sites in realloc_, merged by line
        at = [s for s in doc["sites"] if ours(s) and s["frames"][0].get("function") == "realloc_"]
        have = {k: sum(s[k] for s in at) for k in ("allocs", "alloc_bytes", "frees", "freed_bytes")}
        want = fields(w[2:]); want.pop("peak_live_bytes")
        compare("the explicit sites", have, want)
    elif w[0] == "site":
        s = by_line.get(line[w[1]])
        if s is None:
            errors.append(f"no site at line {line[w[1]]} ({w[1]})"); continue
        want = fields(w[2:])
        if "peak_live_bytes" not in s: want.pop("peak_live_bytes", None)
        compare(f"site {w[1]}", s, want)
    elif w[0] == "pair":
        ph = [p for p in doc["phases"] if p["path"] == w[1]]
        ps = [x for x in (ph[0]["sites"] if ph else []) if by_id[x["id"]]["frames"][0]["line"] == line[w[2]]]
        if not ps:
            errors.append(f"no pair ({w[1]}, {w[2]})"); continue
        compare(f"pair ({w[1]}, {w[2]})", merged(ps), fields(w[3:]))
    else:
        compare("totals", doc["totals"], fields(w[1:]))
print("\n".join(errors) or "exact")
sys.exit(1 if errors else 0)
PY
}
run phase
# At depth 16 a phase's allocations take alloc_deep's phase path (a line
# reached by several stacks is several sites, summed)
run phase RTPROF_DEPTH=16
run peakring
run realloc
run preal
run oom

# A realloc after free at a realloc site already cached: the block still
# waiting in the ring, then once its free is done. Reported with the call's
# line and the allocating site's; warn mode goes on, the default aborts.
for s in waiting freed; do
  RTPROF=1 RTPROF_ON_ERROR=warn RTPROF_OUT="$OUT/$s.dump" "$OUT/fastpaths" "$s" > "$OUT/$s.out" 2> "$OUT/$s.err" ||
    fail "$s: warn mode did not go on: $(cat "$OUT/$s.err")"
  grep -q "^continued$" "$OUT/$s.out" || fail "$s: warn mode did not go on"
  grep -q "rtprof: error: realloc of a freed block" "$OUT/$s.err" || fail "$s: stderr: $(cat "$OUT/$s.err")"
  "$RTPROF" report --json "$OUT/$s.dump" > "$OUT/$s.json"
  python3 - "$OUT/$s.json" "$(line_of rsz "$src")" "$(line_of bad "$src")" <<'PY' || fail "$s: wrong report"
import json, sys
doc = json.load(open(sys.argv[1])); call, alloc = int(sys.argv[2]), int(sys.argv[3])
errs = doc.get("errors") or []
assert len(errs) == 1 and errs[0]["count"] == 1, f"errors {errs}"
e = errs[0]
assert e["call"]["line"] == call, f"call at line {e['call']['line']}, want {call}"
site = [s for s in doc["sites"] if s["id"] == e["site"]]
assert site and site[0]["frames"][0]["line"] == alloc, f"allocating site {site}, want line {alloc}"
t = doc["totals"]
assert t["allocs"] == t["frees"] + t["live_blocks"] and t["live_blocks"] == 0, t
PY
  rc=0
  RTPROF=1 RTPROF_OUT="$OUT/$s.abort.dump" sh -c '"$@"; exit $?' sh "$OUT/fastpaths" "$s" > /dev/null 2>&1 || rc=$?
  [ "$rc" -eq 134 ] || fail "$s: default mode should abort (exit 134), got $rc"
done
echo "fast paths: realloc and phase allocations exact (sites, pairs, peaks, totals, failures); realloc after free reported"
