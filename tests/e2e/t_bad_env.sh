# Every RTPROF_* switch with a bad value (garbage, negative, huge, empty)
# warns once naming the variable, keeps its default, and the program runs.
. "$(dirname "$0")/common.sh"
D=$TOP/tests/e2e
$CC $CFLAGS -fPIC -shared "$D/sites_lib.c" -o "$OUT/libsites.so" -L"$LIB" -lrtprof
$CC $CFLAGS "$D/sites_main.c" -o "$OUT/sites" -L"$OUT" -L"$LIB" -Wl,-rpath,"$OUT:$LIB" -lsites -lrtprof
cd "$OUT" # RTPROF_OUT='' keeps the default: a dump named rtprof.PID.dump here
n=0
while read -r var value; do
  [ -n "$var" ] || continue
  [ "$value" = "''" ] && value=""
  n=$((n + 1))
  dump=$OUT/case$n.dump
  out=$(env RTPROF=1 RTPROF_OUT="$dump" "$var=$value" "$OUT/sites" 2> "$OUT/case$n.err") \
    || fail "$var='$value': the program failed"
  [ "$out" = "done 8" ] || fail "$var='$value': output changed: $out"
  [ "$(grep -c "rtprof: warning: $var" "$OUT/case$n.err")" -eq 1 ] \
    || fail "$var='$value': want exactly one warning naming $var, got: $(cat "$OUT/case$n.err")"
  if [ "$var" != RTPROF_OUT ]; then
    grep -q "^process .* depth=1 site_capacity=65536 phase_capacity=1024 pair_capacity=16384 " "$dump" \
      || fail "$var='$value': defaults not kept: $(head -2 "$dump" | tail -1)"
  fi
done <<'CASES'
RTPROF_DEPTH garbage
RTPROF_DEPTH -3
RTPROF_DEPTH 17
RTPROF_DEPTH 99999999999999999999999
RTPROF_DEPTH ''
RTPROF_SITES 1x
RTPROF_SITES -1
RTPROF_SITES 8
RTPROF_SITES 100G
RTPROF_SITES ''
RTPROF_PHASES lots
RTPROF_PAIRS 0
RTPROF_ON_ERROR explode
RTPROF_ON_ERROR ''
RTPROF_INTERVAL soon
RTPROF_INTERVAL -5
RTPROF_FLUSH 1e9
RTPROF_SNAPSHOTS 3
RTPROF_GUARD maybe
RTPROF_FILL 2
RTPROF_BREAK_ALLOC 0
RTPROF_BREAK_ALLOC x
RTPROF_BREAK_SITE 12
RTPROF_BREAK_SITE 0:3
RTPROF_BREAK_SITE a:b
RTPROF_OUT ''
CASES
# An unwritable RTPROF_OUT: reported at start, and the program runs on.
out=$(RTPROF=1 RTPROF_OUT=/nonexistent-dir/x.dump "$OUT/sites" 2> "$OUT/unwritable.err") || fail "program failed"
[ "$out" = "done 8" ] || fail "output changed with an unwritable RTPROF_OUT"
head -1 "$OUT/unwritable.err" | grep -q "RTPROF_OUT='/nonexistent-dir/x.dump': cannot write in /nonexistent-dir" \
  || fail "unwritable RTPROF_OUT not reported first: $(cat "$OUT/unwritable.err")"
# A bad RTPROF itself: warns, profiling stays off (the default), no dump.
RTPROF=perhaps RTPROF_OUT="$OUT/perhaps.dump" "$OUT/sites" > /dev/null 2> "$OUT/perhaps.err"
grep -q "rtprof: warning: RTPROF='perhaps'" "$OUT/perhaps.err" || fail "bad RTPROF not reported"
[ ! -e "$OUT/perhaps.dump" ] || fail "RTPROF=perhaps turned profiling on"
echo "$n bad values, each warned once with the default kept"
