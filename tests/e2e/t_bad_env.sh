# Every RTPROF_* switch with a bad value (garbage, negative, huge, empty)
# warns once naming the variable, keeps its default, and the program runs.
# "Keeps its default" is checked for every case: from the dump's process
# line where the setting is recorded, else by the behaviour the default
# gives (abort on misuse, no guard, no fill, no break) and by the value the
# warning says it kept.
. "$(dirname "$0")/common.sh"
D=$TOP/tests/e2e
$CC $CFLAGS -O0 "$D/misuse_prog.c" -o "$OUT/misuse" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
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
    grep -q "^process .* depth=1 site_capacity=65536 phase_capacity=1024 pair_capacity=16384 .* interval_ms=0 " "$dump" \
      || fail "$var='$value': defaults not kept: $(head -2 "$dump" | tail -1)"
  fi
  kept=""
  case $var in
    RTPROF_DEPTH) kept="keeping 1\$" ;;
    RTPROF_SITES) kept="keeping 65536\$" ;;
    RTPROF_PHASES) kept="keeping 1024\$" ;;
    RTPROF_PAIRS) kept="keeping 16384\$" ;;
    RTPROF_INTERVAL) kept="keeping 0\$" ;;
    RTPROF_FLUSH) kept="keeping 1000\$" ;;
    RTPROF_SNAPSHOTS) kept="keeping 4096\$" ;;
    RTPROF_UNWIND_CACHE) kept="keeping 1\$" ;;
    RTPROF_ON_ERROR) # the default aborts on a double free
      kept="keeping 'abort'\$"
      rc=$(exec 2> /dev/null; env RTPROF=1 RTPROF_OUT="$OUT/case$n.misuse.dump" "$var=$value" "$OUT/misuse" double_free > /dev/null; echo $?)
      [ "$rc" -eq 134 ] || fail "$var='$value': a double free did not abort (exit $rc): the default was not kept" ;;
    RTPROF_GUARD) # no guard: a one-byte overflow goes unseen
      out=$(env RTPROF=1 RTPROF_OUT="$OUT/case$n.misuse.dump" "$var=$value" "$OUT/misuse" overflow 2> /dev/null) \
        && [ "$out" = continued ] || fail "$var='$value': the guard was switched on" ;;
    RTPROF_FILL) # no fill: new memory is not 0xcd
      out=$(env RTPROF=1 RTPROF_OUT="$OUT/case$n.misuse.dump" "$var=$value" "$OUT/misuse" fill 2> /dev/null) || true
      [ "$(echo "$out" | head -1)" != "new cd" ] && [ "$(echo "$out" | tail -1)" = continued ] \
        || fail "$var='$value': the fill was switched on" ;;
    RTPROF_BREAK_*) kept="ignored\$" ;; # and the program ran through (no SIGTRAP)
    RTPROF_OUT) # the default name, rtprof.PID.dump, in the current folder
      kept="keeping 'rtprof.%p.dump'\$"
      [ "$(ls rtprof.*.dump 2>/dev/null | wc -l)" -eq 1 ] || fail "$var='$value': no rtprof.PID.dump written here"
      rm -f rtprof.*.dump ;;
  esac
  [ -z "$kept" ] || grep -q "rtprof: warning: $var.*$kept" "$OUT/case$n.err" \
    || fail "$var='$value': the warning does not say '$kept': $(cat "$OUT/case$n.err")"
done <<'CASES'
RTPROF_DEPTH garbage
RTPROF_DEPTH 0
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
RTPROF_PHASES 15
RTPROF_PHASES 65536
RTPROF_PAIRS 0
RTPROF_PAIRS 1023
RTPROF_PAIRS 2G
RTPROF_ON_ERROR explode
RTPROF_ON_ERROR ''
RTPROF_INTERVAL soon
RTPROF_INTERVAL -5
RTPROF_INTERVAL 3600001
RTPROF_FLUSH 1e9
RTPROF_FLUSH -1
RTPROF_FLUSH 3600001
RTPROF_SNAPSHOTS 3
RTPROF_SNAPSHOTS 1025K
RTPROF_GUARD maybe
RTPROF_GUARD ''
RTPROF_FILL 2
RTPROF_FILL enabled
RTPROF_ON_ERROR Warn
RTPROF_ON_ERROR warn,abort
RTPROF_BREAK_ALLOC 0
RTPROF_BREAK_ALLOC x
RTPROF_BREAK_SITE 12
RTPROF_BREAK_SITE 0:3
RTPROF_BREAK_SITE a:b
RTPROF_OUT ''
RTPROF_UNWIND_CACHE on
RTPROF_UNWIND_CACHE 3
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
WITH_ALLOC_PROFILE=2 RTPROF_OUT="$OUT/alias2.dump" "$OUT/sites" > /dev/null 2> "$OUT/alias2.err"
grep -q "rtprof: warning: WITH_ALLOC_PROFILE='2'" "$OUT/alias2.err" || fail "bad WITH_ALLOC_PROFILE not reported"
[ ! -e "$OUT/alias2.dump" ] || fail "WITH_ALLOC_PROFILE=2 turned profiling on"
echo "$n bad values, each warned once with the default kept"
