# Heap misuse in a program that only calls malloc/free/realloc, under the
# interposer: each kind is reported with the bad call's and the allocating
# site's lines, aborts by default (after writing the dump) and goes on with
# RTPROF_ON_ERROR=warn.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/preload/misuse_malloc.c
gcc -std=gnu11 -g -O0 "$src" -o "$OUT/misuse"
line_of() { grep -n "SITE:$1 " "$src" | cut -d: -f1; }
for kind in double_free foreign_free realloc_freed; do
  out=$(RTPROF=1 RTPROF_ON_ERROR=warn RTPROF_OUT="$OUT/$kind.warn.dump" LD_PRELOAD="$PRELOAD" "$OUT/misuse" "$kind" 2> "$OUT/$kind.err") \
    || fail "$kind: warn mode did not continue"
  [ "$out" = continued ] || fail "$kind: warn mode did not continue"
  rc=$(exec 2> /dev/null; RTPROF=1 RTPROF_OUT="$OUT/$kind.dump" LD_PRELOAD="$PRELOAD" "$OUT/misuse" "$kind" > /dev/null 2>&1; echo $?)
  [ "$rc" -eq 134 ] || fail "$kind: the default should abort (exit 134), got $rc"
  grep -q "reason=error" "$OUT/$kind.dump" || fail "$kind: no dump written before aborting"
  "$RTPROF" report --json "$OUT/$kind.dump" > "$OUT/$kind.json"
  python3 - "$OUT/$kind.json" "$kind" "$(line_of "bad_$kind")" "$(line_of alloc)" <<'PY' || fail "$kind: report wrong"
import json, sys
doc = json.load(open(sys.argv[1])); kind = sys.argv[2]; bad, alloc = int(sys.argv[3]), int(sys.argv[4])
errs = [e for e in doc["errors"] if e["kind"] == kind]
assert len(errs) == 1 and errs[0]["count"] == 1, f"errors {[(e['kind'], e['count']) for e in doc['errors']]}"
e = errs[0]
assert e["call"]["line"] == bad, f"bad call at line {e['call']['line']}, want {bad}"
if kind != "foreign_free":
    site = [s for s in doc["sites"] if s["id"] == e["site"]]
    assert site and site[0]["frames"][0]["line"] == alloc, f"allocating site {site and site[0]['frames'][0]}, want line {alloc}"
print(f"{kind}: call at line {bad}: ok")
PY
done
