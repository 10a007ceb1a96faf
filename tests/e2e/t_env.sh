# Good values of the switches are taken as given, without a warning: every
# documented spelling of on and off (and the alias), RTPROF_ON_ERROR=abort
# and =warn, sizes with K/M suffixes (recorded in the dump's process line).
# A program started with its standard input closed still gets its dump.
. "$(dirname "$0")/common.sh"
D=$TOP/tests/e2e
$CC $CFLAGS -O0 "$D/misuse_prog.c" -o "$OUT/misuse" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
n=0
run() { # WANT(on|off) VAR=VALUE...: runs misuse_prog (no misuse); no warning
  local want=$1; shift
  n=$((n + 1))
  env -u RTPROF -u WITH_ALLOC_PROFILE RTPROF_OUT="$OUT/env$n.dump" "$@" "$OUT/misuse" none > "$OUT/env$n.out" 2> "$OUT/env$n.err" \
    || fail "$*: the program failed"
  [ ! -s "$OUT/env$n.err" ] || fail "$*: a warning for a good value: $(cat "$OUT/env$n.err")"
  if [ "$want" = on ]; then [ -s "$OUT/env$n.dump" ] || fail "$*: profiling is off"
  else [ ! -e "$OUT/env$n.dump" ] || fail "$*: profiling is on"; fi
}
for v in 1 on yes true ON Yes TRUE; do run on RTPROF=$v; done
for v in 0 off no false OFF No FALSE; do run off RTPROF=$v; done
run on WITH_ALLOC_PROFILE=on
run on RTPROF=off WITH_ALLOC_PROFILE=1   # either one turns it on
run on RTPROF=1 RTPROF_DEPTH=4 RTPROF_SITES=1K RTPROF_PHASES=2K RTPROF_PAIRS=960K RTPROF_INTERVAL=5
grep -q "^process .* depth=4 site_capacity=1024 phase_capacity=2048 pair_capacity=983040 .* interval_ms=5 " "$OUT/env$n.dump" \
  || fail "sizes not taken: $(sed -n 2p "$OUT/env$n.dump")"
run on RTPROF=1 RTPROF_DEPTH=16 RTPROF_SITES=16 RTPROF_PHASES=65535 RTPROF_PAIRS=1024 RTPROF_SNAPSHOTS=16 RTPROF_FLUSH=0
grep -q "^process .* depth=16 site_capacity=16 phase_capacity=65535 pair_capacity=1024 " "$OUT/env$n.dump" \
  || fail "the limits themselves not taken: $(sed -n 2p "$OUT/env$n.dump")"
# RTPROF_ON_ERROR: both values, no warning; abort aborts, warn goes on
for v in abort warn; do
  rc=$(exec 2> /dev/null; RTPROF=1 RTPROF_ON_ERROR=$v RTPROF_OUT="$OUT/$v.dump" "$OUT/misuse" double_free \
       > "$OUT/$v.out" 2> "$OUT/$v.err"; echo $?)
  grep -q "rtprof: warning" "$OUT/$v.err" && fail "RTPROF_ON_ERROR=$v warned: $(cat "$OUT/$v.err")"
  case $v in
    abort) [ "$rc" -eq 134 ] || fail "RTPROF_ON_ERROR=abort: exit $rc, want 134" ;;
    warn) [ "$rc" -eq 0 ] && grep -q continued "$OUT/$v.out" || fail "RTPROF_ON_ERROR=warn: exit $rc" ;;
  esac
done
# stdin closed: the dump's temporary may get descriptor 0, which is fine.
# No periodic flush, so the exit dump is the first file the program opens
# (descriptor 0 for certain, whatever the scheduling).
RTPROF=1 RTPROF_FLUSH=0 RTPROF_OUT="$OUT/closed.dump" "$OUT/misuse" none <&- > /dev/null 2> "$OUT/closed.err" \
  || fail "stdin closed: the program failed"
[ ! -s "$OUT/closed.err" ] || fail "stdin closed: $(cat "$OUT/closed.err")"
[ -s "$OUT/closed.dump" ] && grep -q "^end " "$OUT/closed.dump" || fail "stdin closed: no dump: $(cat "$OUT/closed.err")"
echo "$n runs with good values: taken, no warning"
