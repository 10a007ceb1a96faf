# Profiling off: the program's output is identical and no dump is written.
. "$(dirname "$0")/common.sh"
D=$TOP/tests/e2e
$CC $CFLAGS -fPIC -shared "$D/sites_lib.c" -o "$OUT/libsites.so" -L"$LIB" -lrtprof
$CC $CFLAGS "$D/sites_main.c" -o "$OUT/sites" -L"$OUT" -L"$LIB" -Wl,-rpath,"$OUT:$LIB" -lsites -lrtprof
cd "$OUT"
env -u RTPROF -u WITH_ALLOC_PROFILE RTPROF_OUT="$OUT/off.dump" ./sites > off.txt
RTPROF=1 RTPROF_OUT="$OUT/on.dump" ./sites > on.txt
cmp off.txt on.txt || fail "output differs with profiling on"
[ ! -e off.dump ] || fail "a dump was written with profiling off"
[ -z "$(ls rtprof.*.dump 2>/dev/null)" ] || fail "a default-named dump was written with profiling off"
[ -s on.dump ] || fail "no dump with profiling on"
WITH_ALLOC_PROFILE=1 RTPROF_OUT="$OUT/alias.dump" ./sites > /dev/null
[ -s alias.dump ] || fail "WITH_ALLOC_PROFILE=1 did not turn profiling on"
