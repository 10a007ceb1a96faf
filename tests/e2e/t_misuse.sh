# Heap misuse, one kind per run: reported on stderr with its kind; with
# RTPROF_ON_ERROR=warn the program goes on; by default it aborts after
# writing a dump whose report names the bad call's and the allocating
# site's file:line in its errors section.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/misuse_prog.c
$CC $CFLAGS -O0 "$src" -o "$OUT/misuse" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
alloc_line=$(line_of alloc "$src")
check_kind() { # KIND MESSAGE [ENV...]
  local kind=$1 msg=$2; shift 2
  local bad_line; bad_line=$(line_of "bad_$kind" "$src")
  env "$@" RTPROF=1 RTPROF_ON_ERROR=warn RTPROF_OUT="$OUT/$kind.warn.dump" "$OUT/misuse" "$kind" \
    > "$OUT/$kind.out" 2> "$OUT/$kind.err" || fail "$kind: warn mode did not continue"
  grep -q "continued" "$OUT/$kind.out" || fail "$kind: warn mode did not continue"
  grep -q "rtprof: error: $msg" "$OUT/$kind.err" || fail "$kind: stderr lacks '$msg': $(cat "$OUT/$kind.err")"
  local rc=0
  env "$@" RTPROF=1 RTPROF_OUT="$OUT/$kind.dump" "$OUT/misuse" "$kind" > /dev/null 2> "$OUT/$kind.abort.err" || rc=$?
  [ "$rc" -eq 134 ] || fail "$kind: default mode should abort (exit 134), got $rc"
  grep -q "reason=error" "$OUT/$kind.dump" || fail "$kind: no dump written before aborting"
  "$RTPROF" report --json "$OUT/$kind.dump" > "$OUT/$kind.json"
  python3 - "$OUT/$kind.json" "$kind" "$bad_line" "$alloc_line" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); kind = sys.argv[2]; bad, alloc = int(sys.argv[3]), int(sys.argv[4])
errs = doc.get("errors")
assert errs, "no errors section in the JSON report"
e = errs[0]
want_kind = {"underflow": "damaged_tag", "interior": "interior_pointer"}.get(kind, kind)
assert e["kind"] == want_kind, f"kind {e['kind']}, want {want_kind}"
assert e["count"] == 1, e
assert e["call"]["line"] == bad, f"bad call at line {e['call']['line']}, want {bad}"
if kind in ("double_free", "overflow", "realloc_freed", "interior"):  # the block's site is known
    site = [s for s in doc["sites"] if s["id"] == e["site"]]
    assert site and site[0]["frames"][0]["line"] == alloc, f"allocating site {site}, want line {alloc}"
print(f"{kind}: call at line {bad}, block from line {alloc}: ok")
PY
  "$RTPROF" report "$OUT/$kind.dump" | grep -q "misuse_prog.c:$bad_line" || fail "$kind: text report does not name line $bad_line"
}
check_kind double_free "double free"
check_kind foreign_free "free of a pointer rtprof did not allocate"
check_kind interior "free or realloc of a pointer into the middle of a block"
check_kind underflow "damaged block tag"
check_kind realloc_freed "realloc of a freed block"
check_kind overflow "buffer overflow" RTPROF_GUARD=1
# RTPROF_FILL: new memory reads as 0xcd
RTPROF=1 RTPROF_FILL=1 RTPROF_OUT="$OUT/fill.dump" "$OUT/misuse" fill | grep -q "^new cd$" || fail "RTPROF_FILL=1 did not fill new memory with 0xcd"
