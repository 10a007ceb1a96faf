# A dump whose binary was rebuilt since: the report says so and prints the
# frames as module+0xOFFSET instead of naming wrong lines.
. "$(dirname "$0")/common.sh"
D=$TOP/tests/e2e
$CC $CFLAGS -fPIC -shared "$D/sites_lib.c" -o "$OUT/libsites.so" -L"$LIB" -lrtprof
$CC $CFLAGS "$D/sites_main.c" -o "$OUT/sites" -L"$OUT" -L"$LIB" -Wl,-rpath,"$OUT:$LIB" -lsites -lrtprof
RTPROF=1 RTPROF_OUT="$OUT/before.dump" "$OUT/sites" > /dev/null
$CC $CFLAGS -DREBUILT=1 -O1 "$D/sites_main.c" -o "$OUT/sites" -L"$OUT" -L"$LIB" -Wl,-rpath,"$OUT:$LIB" -lsites -lrtprof
"$RTPROF" report "$OUT/before.dump" > "$OUT/report.txt" 2> "$OUT/stderr.txt"
cat "$OUT/report.txt" "$OUT/stderr.txt" | grep -qi "build-id" || fail "no build-id mismatch reported"
grep -q "sites+0x" "$OUT/report.txt" || fail "frames of the rebuilt binary are not printed as module+0xOFFSET"
grep -q "sites_lib.c:" "$OUT/report.txt" || fail "the unchanged library's frames should still symbolize"
