# RTPROF_BREAK_ALLOC=N stops (SIGTRAP) at the N-th allocation;
# RTPROF_BREAK_SITE=ID:K at the K-th allocation of a site id taken from a
# report; under gdb the stop is at the allocating line.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/break_prog.c
$CC $CFLAGS -O0 "$src" -o "$OUT/brk" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
rc=0; RTPROF=1 RTPROF_BREAK_ALLOC=4 RTPROF_OUT="$OUT/a.dump" "$OUT/brk" > "$OUT/a.out" 2> "$OUT/a.err" || rc=$?
[ "$rc" -eq 133 ] || fail "RTPROF_BREAK_ALLOC=4: exit $rc, want 133 (SIGTRAP)"
[ "$(tail -1 "$OUT/a.out")" = "b2" ] || fail "stopped after '$(tail -1 "$OUT/a.out")', want the 4th allocation (after b2)"
grep -q "RTPROF_BREAK_ALLOC=4 reached" "$OUT/a.err" || fail "no message: $(cat "$OUT/a.err")"
# The site id of the second line, from a report of a full run.
RTPROF=1 RTPROF_OUT="$OUT/full.dump" "$OUT/brk" > /dev/null
"$RTPROF" report --json "$OUT/full.dump" > "$OUT/full.json"
id=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([s['id'] for s in d['sites'] if s['frames'][0]['line']==int(sys.argv[2])][0])" "$OUT/full.json" "$(line_of second "$src")")
rc=0; RTPROF=1 RTPROF_BREAK_SITE="$id:3" RTPROF_OUT="$OUT/s.dump" "$OUT/brk" > "$OUT/s.out" 2> "$OUT/s.err" || rc=$?
[ "$rc" -eq 133 ] && [ "$(tail -1 "$OUT/s.out")" = "b3" ] || fail "RTPROF_BREAK_SITE=$id:3: exit $rc after '$(tail -1 "$OUT/s.out")', want 133 after b3"
if command -v gdb > /dev/null; then
  RTPROF=1 RTPROF_BREAK_ALLOC=4 RTPROF_OUT="$OUT/g.dump" gdb -q -batch -ex run -ex bt "$OUT/brk" > "$OUT/gdb.txt" 2>&1 || true
  grep -q "SIGTRAP" "$OUT/gdb.txt" && grep -q "break_prog.c:$(line_of second "$src")" "$OUT/gdb.txt" \
    || fail "gdb did not stop at break_prog.c:$(line_of second "$src"): $(tail -20 "$OUT/gdb.txt")"
else
  echo "gdb not installed: the debugger part is not checked"
fi
