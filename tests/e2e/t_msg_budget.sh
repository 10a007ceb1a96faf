# Messages are rate-limited per kind: a dump that cannot be written at any
# of hundreds of flushes is said once, and never uses up the budget that a
# later heap-error report needs.
. "$(dirname "$0")/common.sh"
$CC $CFLAGS "$TOP/tests/e2e/budget_prog.c" -o "$OUT/prog" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
mkdir -p "$OUT/a-directory"
# A directory where the dump should go: every flush (each 1 ms) fails.
RTPROF=1 RTPROF_FLUSH=1 RTPROF_ON_ERROR=warn RTPROF_OUT="$OUT/a-directory" "$OUT/prog" 600 \
  > "$OUT/out" 2> "$OUT/err" || fail "the program failed: $(tail -3 "$OUT/err")"
grep -q "rtprof: error: double free" "$OUT/err" || fail "the double free was not reported: $(tail -3 "$OUT/err")"
n=$(grep -c "cannot write the dump" "$OUT/err" || true)
[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "the failing dump was reported $n times, want once (and once at exit)"
echo "message budgets: ok ($n dump messages)"
