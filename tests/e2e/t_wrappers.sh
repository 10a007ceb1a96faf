# Wrappers fold away: at RTPROF_DEPTH=4 with --skip '^(xmalloc|vec_grow)$'
# each site is the wrappers' caller, at its exact file:line; without --skip
# at depth 1 everything collapses into xmalloc.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/wrapper_prog.c
$CC $CFLAGS -O2 "$src" -o "$OUT/wrap" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
RTPROF=1 RTPROF_DEPTH=4 RTPROF_OUT="$OUT/d4.dump" "$OUT/wrap" > /dev/null
RTPROF=1 RTPROF_OUT="$OUT/d1.dump" "$OUT/wrap" > /dev/null
"$RTPROF" report --json --skip '^(xmalloc|vec_grow)$' "$OUT/d4.dump" > "$OUT/d4.json"
"$RTPROF" report --json "$OUT/d1.dump" > "$OUT/d1.json"
"$RTPROF" report --stacks --skip '^(xmalloc|vec_grow)$' "$OUT/d4.dump" > "$OUT/d4.txt"
"$RTPROF" report --format collapsed "$OUT/d4.dump" > "$OUT/d4.collapsed"
python3 - "$OUT/d4.json" "$OUT/d1.json" "$(line_of parse "$src")" "$(line_of emit "$src")" "$(line_of main "$src")" <<'PY'
import json, sys
d4, d1 = (json.load(open(p)) for p in sys.argv[1:3])
parse, emit, main = map(int, sys.argv[3:])
got = {(s["frames"][0]["function"], s["frames"][0]["line"]): (s["allocs"], s["alloc_bytes"], s["live_bytes"])
       for s in d4["sites"]}
want = {("parse", parse): (5, 1000, 0), ("emit", emit): (7, 210, 0), ("main", main): (1, 16, 16)}
errors = [f"{k}: {got.get(k)}, want {v}" for k, v in want.items() if got.get(k) != v]
if len(got) != 3: errors.append(f"sites after folding: {sorted(got)}")
fns = {s["frames"][0]["function"] for s in d1["sites"]}
if fns != {"xmalloc"}: errors.append(f"depth 1 should attribute everything to xmalloc, got {fns}")
print("\n".join(errors) or "wrappers folded to the exact caller lines")
sys.exit(1 if errors else 0)
PY
grep -q "vec_grow" "$OUT/d4.txt" || fail "--stacks does not print the folded frames"
grep -q "^main;vec_grow;xmalloc 16$" "$OUT/d4.collapsed" \
  || grep -q ";main;vec_grow;xmalloc 16$" "$OUT/d4.collapsed" || { cat "$OUT/d4.collapsed"; fail "collapsed stacks lack main;vec_grow;xmalloc 16"; }
