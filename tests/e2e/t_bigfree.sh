# A double free or a realloc after free of a block of 16 MiB or more (its
# memory went back to the OS) is reported as such, with the allocating
# site, never a crash; so is a free, realloc or usable-size of a foreign
# pointer at the start of a mapping (the page before it unmapped). Both on
# the rt_* API and through the interposer (malloc_usable_size too).
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/bigfree_prog.c
$CC $CFLAGS -O0 "$src" -o "$OUT/rt" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
$CC $CFLAGS -O0 -DLIBC "$src" -o "$OUT/libc"
big_line=$(line_of big "$src")
one() { # NAME PROG CASE ARG MESSAGE [KIND]
  local name=$1 prog=$2 case=$3 arg=$4 msg=$5 kind=${6:-}
  local pre=(); [ "$prog" = libc ] && pre=(env LD_PRELOAD="$LIB/librtprof-preload.so")
  local rc=0
  "${pre[@]}" env RTPROF=1 RTPROF_ON_ERROR=warn RTPROF_OUT="$OUT/$name.dump" "$OUT/$prog" "$case" "$arg" \
    > "$OUT/$name.out" 2> "$OUT/$name.err" || rc=$?
  [ "$rc" -eq 0 ] || fail "$name: exit $rc (139 is the old SIGSEGV): $(cat "$OUT/$name.err")"
  grep -q "continued" "$OUT/$name.out" || fail "$name: did not continue"
  grep -q "rtprof: error: $msg" "$OUT/$name.err" || fail "$name: stderr lacks '$msg': $(cat "$OUT/$name.err")"
  [ -z "$kind" ] && return 0
  "$RTPROF" report --json "$OUT/$name.dump" > "$OUT/$name.json" || fail "$name: the dump does not read"
  python3 - "$OUT/$name.json" "$kind" "$big_line" "$name" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); kind, line, name = sys.argv[2], int(sys.argv[3]), sys.argv[4]
e = doc["errors"][0]
assert e["kind"] == kind, f"{name}: kind {e['kind']}, want {kind}"
site = [s for s in doc["sites"] if s["id"] == e["site"]]
assert site and site[0]["frames"][0]["line"] == line, f"{name}: allocating site {site}, want line {line}"
print(f"{name}: {kind}, allocated at line {line}: ok")
PY
}
for prog in rt libc; do
  for mib in 16 32 100; do
    one "$prog-double-$mib" $prog double_free $mib "double free" double_free
    one "$prog-realloc-$mib" $prog realloc_freed $mib "realloc of a freed block" realloc_freed
  done
  for tib in 1 48; do
    name=$prog-mapping-$tib
    one "$name" $prog mapping_start $tib "free of a pointer rtprof did not allocate"
    grep -q "realloc of a pointer rtprof did not allocate" "$OUT/$name.err" || fail "$name: realloc not reported"
    grep -qx "usable 0 realloc (nil)" "$OUT/$name.out" || fail "$name: $(cat "$OUT/$name.out")"
  done
done
echo "big and foreign frees: ok"
