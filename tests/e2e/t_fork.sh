# fork(): the child's dump holds what the parent had counted before the fork
# (100 blocks of 1000 bytes, still live in the child) plus its own 7 blocks;
# the parent's dump holds its own figures only.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/fork_prog.c
$CC $CFLAGS -O1 "$src" -o "$OUT/fork" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
RTPROF=1 RTPROF_OUT="$OUT/fork.%p.dump" "$OUT/fork" > "$OUT/out" || fail "the program failed"
child=$(sed -n 's/^child //p' "$OUT/out") parent=$(sed -n 's/^parent //p' "$OUT/out")
[ -n "$child" ] && [ -n "$parent" ] || fail "output: $(cat "$OUT/out")"
for who in child parent; do
  "$RTPROF" report --json "$OUT/fork.${!who}.dump" > "$OUT/$who.json" || fail "no readable $who dump"
done
python3 - "$OUT/child.json" "$OUT/parent.json" "$(line_of parent "$src")" "$(line_of child "$src")" <<'PY' || fail "fork figures wrong"
import json, sys
child, parent = (json.load(open(p)) for p in sys.argv[1:3])
pline, cline = int(sys.argv[3]), int(sys.argv[4])
def sites(d):
    return {s["frames"][0]["line"]: (s["allocs"], s["frees"], s["live_bytes"]) for s in d["sites"]}
errors = []
if sites(child) != {pline: (100, 0, 100000), cline: (7, 0, 70)}:
    errors.append(f"child sites {sites(child)}")
if sites(parent) != {pline: (100, 100, 0)}:
    errors.append(f"parent sites {sites(parent)}")
t = child["totals"]
if (t["allocs"], t["frees"], t["live_bytes"]) != (107, 0, 100070): errors.append(f"child totals {t}")
print("\n".join(errors) or "fork: the child's dump holds the parent's counts and its own")
sys.exit(1 if errors else 0)
PY
