# dlopen then dlclose of librtprof.so with RTPROF=1: the sampler thread and
# the exit dump must not run unmapped code. The library stays loaded (as
# with -z nodelete), the program lives on and its exit dump is written.
. "$(dirname "$0")/common.sh"
$CC $CFLAGS "$TOP/tests/e2e/dlclose_prog.c" -o "$OUT/prog" -ldl
rc=0
RTPROF=1 RTPROF_FLUSH=100 RTPROF_OUT="$OUT/d.dump" timeout 30 "$OUT/prog" "$LIB/librtprof.so" > "$OUT/out" 2> "$OUT/err" || rc=$?
[ "$rc" -eq 0 ] || fail "exit $rc (139: SIGSEGV in unmapped code): $(cat "$OUT/err")"
grep -qx "enabled 1" "$OUT/out" || fail "profiling was not on: $(cat "$OUT/out")"
grep -qx "survived" "$OUT/out" || fail "the program did not live on"
grep -q "^process .* reason=exit" "$OUT/d.dump" || fail "no exit dump"
grep -q "^site .* alloc_bytes=1000 " "$OUT/d.dump" || fail "the block is not in the dump"
echo "dlclose: ok"
