# The public API's less travelled parts, end to end with exact figures:
# explicit sites (rt_alloc_aligned_at, rt_mmap_at), a realloc that moves a
# block to another site (the old block's free stays at its own site),
# rtprof_snapshot, rtprof_dump failing, foreign realloc and munmap,
# RTPROF_GUARD with realloc and rt_usable_size, RTPROF_FILL on new, grown
# and freed blocks, and RTPROF_SNAPSHOTS decimation.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/api_prog.c
$CC $CFLAGS -O0 "$src" -o "$OUT/api" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
run() { # MODE [VAR=VALUE...]: runs the program; stdout in $OUT/MODE.out
  local mode=$1; shift
  env RTPROF=1 RTPROF_OUT="$OUT/$mode.dump" "$@" "$OUT/api" "$mode" > "$OUT/$mode.out" 2> "$OUT/$mode.err" \
    || fail "$mode: exit $?: $(cat "$OUT/$mode.err")"
}
want_out() { # MODE EXPECTED-STDOUT
  [ "$(cat "$OUT/$1.out")" = "$2" ] || fail "$1: stdout differs:$(printf '\n%s\nwant:\n%s' "$(cat "$OUT/$1.out")" "$2")"
}

run sites RTPROF_ON_ERROR=warn
want_out sites "aligned 1
mmap 1
dump to a missing folder: -1 ENOENT
foreign realloc: NULL EINVAL
foreign munmap: -1 EINVAL
done"
grep -q "rtprof: warning: cannot write the dump: /nonexistent-dir/api.dump" "$OUT/sites.err" \
  || fail "a failed rtprof_dump said nothing: $(cat "$OUT/sites.err")"
"$RTPROF" report --json "$OUT/sites.dump" > "$OUT/sites.json"
python3 "$TOP/tests/report/schema.py" "$OUT/sites.json" > /dev/null || fail "sites.json breaks the JSON contract"
python3 - "$OUT/sites.json" $(for m in aligned mmap realloc_from realloc_to bad_realloc bad_munmap; do echo "$m=$(line_of $m "$src")"; done) <<'PY' || fail "sites, errors or timeline wrong"
import json, sys
doc = json.load(open(sys.argv[1])); line = {k: int(v) for k, v in (a.split("=") for a in sys.argv[2:])}
errors = []
def site(where):
    for s in doc["sites"]:
        f = s["frames"][0]
        if where in (f["function"], f["line"]): return s
    errors.append(f"no site {where}: {[(s['frames'][0]['function'], s['frames'][0]['line']) for s in doc['sites']]}")
    return None
def expect(where, **want):
    s = site(where)
    for k, v in want.items():
        if s is not None and s[k] != v: errors.append(f"site {where}: {k} = {s[k]}, want {v}")
# a wrapper's caller, passed as the site, is where the block is counted
expect(line["aligned"], allocs=1, alloc_bytes=100, frees=0, live_bytes=100)
expect(line["mmap"], allocs=1, alloc_bytes=5000, frees=0, live_bytes=5000)
# realloc: the old block's free is counted where it was allocated
expect(line["realloc_from"], allocs=1, alloc_bytes=100, frees=1, freed_bytes=100, live_bytes=0, live_blocks=0)
expect(line["realloc_to"], allocs=1, alloc_bytes=300, frees=0, freed_bytes=0, live_bytes=300, live_blocks=1)
t = doc["totals"]
if (t["allocs"], t["frees"], t["live_blocks"], t["live_bytes"]) != (4, 1, 3, 5400):
    errors.append(f"totals {t['allocs']} allocs {t['frees']} frees {t['live_blocks']} blocks {t['live_bytes']} B live, want 4 1 3 5400")
got = sorted((e["kind"], e["count"], e["call"]["line"]) for e in doc["errors"])
want = sorted([("foreign_realloc", 1, line["bad_realloc"]), ("foreign_munmap", 1, line["bad_munmap"])])
if got != want: errors.append(f"errors {got}, want {want}")
# (peak points come from the sampler thread whenever it runs: left out)
tl = [(p["kind"], p["name"], p["live"]) for p in doc["timeline"] if p["kind"] != "peak"]
if tl != [("label", "before-realloc", 5200), ("label", "after-realloc", 5400), ("exit", None, 5400)]:
    errors.append(f"timeline {tl}")
print("\n".join(errors) or "sites, errors and timeline exact")
sys.exit(1 if errors else 0)
PY
"$RTPROF" report --timeline "$OUT/sites.dump" > "$OUT/timeline.txt"
grep -q "label: after-realloc" "$OUT/timeline.txt" || fail "--timeline does not show the label"

# RTPROF_GUARD: rt_usable_size is the requested size, realloc moves the
# guard, and an overflow is caught when the block is reallocated.
run guard RTPROF_GUARD=1 RTPROF_ON_ERROR=warn
want_out guard "usable 10
usable after realloc 20
usable after overflow 30
done"
grep -q "^error kind=overflow count=1 " "$OUT/guard.dump" || fail "guard: the overflow is not in the dump"
"$RTPROF" report --json "$OUT/guard.dump" | python3 -c '
import json, sys
e = json.load(sys.stdin)["errors"]
sys.exit(0 if len(e) == 1 and e[0]["kind"] == "overflow" and e[0]["call"]["line"] == int(sys.argv[1]) else 1)' \
  "$(line_of guard_realloc "$src")" || fail "guard: the overflow is not reported at the realloc's line"
# Without the guard the same program reports nothing and usable sizes are
# mimalloc's (at least the requested size).
run guard RTPROF_ON_ERROR=warn
grep -q "^error" "$OUT/guard.dump" && fail "guard off: an error was reported"

# RTPROF_FILL: new bytes 0xcd (a grown block's new tail too), calloc zero,
# freed blocks 0xdd.
run fill RTPROF_FILL=1
want_out fill "new cd 1
grown kept 1 cd 1
calloc zero 1
freed dd 1
done"

# RTPROF_SNAPSHOTS: a full ring of labels keeps its older half (so L0-L7
# survive 40 labels in 16 slots); the exit point is always there.
run labels RTPROF_SNAPSHOTS=16 RTPROF_FLUSH=0
got=$(awk '/^snapshot/ { for (i = 1; i <= NF; i++) if ($i ~ /^(kind|name)=/) printf "%s ", $i; print "" }' "$OUT/labels.dump")
want=$(for i in 0 1 2 3 4 5 6 7; do echo "kind=label name=L$i "; done; echo "kind=exit ")
[ "$got" = "$want" ] || fail "labels: snapshots kept:$(printf '\n%s' "$got")"
# Among interval points, decimation drops interval points only: every label
# stays, the ring never exceeds 16, and the step doubles from 1 ms.
run interval RTPROF_SNAPSHOTS=16 RTPROF_INTERVAL=1
n=$(grep -c "^snapshot" "$OUT/interval.dump")
[ "$n" -le 16 ] || fail "interval: $n snapshots in a ring of 16"
for i in 0 1 2 3 4; do grep -q "^snapshot .*kind=label name=M$i\$" "$OUT/interval.dump" || fail "interval: label M$i dropped"; done
grep -q "^snapshot .*kind=exit" "$OUT/interval.dump" || fail "interval: no exit point"
step=$(sed -n 's/^process .* interval_ms=\([0-9]*\) .*/\1/p' "$OUT/interval.dump")
[ -n "$step" ] && [ "$step" -ge 1 ] && [ $((step & (step - 1))) -eq 0 ] || fail "interval: step $step is not 1 ms doubled"
echo "api: explicit sites, realloc attribution, snapshots, dump failure, foreign realloc/munmap, guard, fill exact"
