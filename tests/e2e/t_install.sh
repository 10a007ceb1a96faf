# `./build.sh install PREFIX`, then programs built against the installed
# copy only: with pkg-config (shared library; the .pc carries no rpath), statically with librtprof.a,
# and with -DRTPROF_DISABLE (the phase macros vanish). Each run is checked
# for exact figures; the installed rtprof reads the dumps.
. "$(dirname "$0")/common.sh"
P=$OUT/prefix
(cd "$TOP" && ./build.sh install "$P") > "$OUT/install.log" 2>&1 || fail "install failed: $(tail -5 "$OUT/install.log")"
for f in bin/rtprof lib/librtprof.so lib/librtprof.a lib/rtprof/librtprof-preload.so include/rtprof.h lib/pkgconfig/rtprof.pc; do
  [ -e "$P/$f" ] || fail "install: $f missing"
done
[ "$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --variable=includedir rtprof)" = "$P/include" ] || fail "rtprof.pc does not point into the prefix"
export PKG_CONFIG_PATH=$P/lib/pkgconfig
src=$TOP/tests/e2e/phases_prog.c
# shellcheck disable=SC2046
$CC -std=gnu11 -O1 -g "$src" -o "$OUT/shared" $(pkg-config --cflags --libs rtprof) -Wl,-rpath,"$P/lib" -lpthread \
  || fail "cannot build with pkg-config"
ldd "$OUT/shared" | grep -q "$P/lib/librtprof.so" || fail "not linked with the installed library: $(ldd "$OUT/shared" | grep rtprof)"
# shellcheck disable=SC2046
$CC -std=gnu11 -O1 -g "$src" -o "$OUT/static" $(pkg-config --cflags rtprof) "$P/lib/librtprof.a" \
  $(pkg-config --static --libs-only-l rtprof | sed 's/-lrtprof//') -lpthread || fail "cannot build with librtprof.a"
ldd "$OUT/static" | grep -q librtprof && fail "the static build still needs librtprof.so"
# shellcheck disable=SC2046
$CC -std=gnu11 -O1 -g -DRTPROF_DISABLE "$src" -o "$OUT/disabled" $(pkg-config --cflags --libs rtprof) -Wl,-rpath,"$P/lib" -lpthread \
  || fail "cannot build with -DRTPROF_DISABLE"
nm -u "$OUT/disabled" | grep -q rtprof_phase && fail "-DRTPROF_DISABLE left calls to the phase functions"
for v in shared static disabled; do
  RTPROF=1 RTPROF_OUT="$OUT/$v.dump" "$OUT/$v" > "$OUT/$v.out" 2> "$OUT/$v.err" || fail "$v: the program failed"
  [ "$(cat "$OUT/$v.out")" = done ] || fail "$v: output $(cat "$OUT/$v.out")"
  "$P/bin/rtprof" report --json "$OUT/$v.dump" > "$OUT/$v.json" || fail "$v: the installed rtprof cannot read the dump"
done
# phases_prog: 43 allocations, 1 block of 100 bytes live at exit; with the
# brackets compiled out, the same allocations and no phase at all.
python3 - "$OUT" <<'PY' || fail "figures differ between the builds"
import json, sys
errors = []
for v in ("shared", "static", "disabled"):
    d = json.load(open(f"{sys.argv[1]}/{v}.json"))
    t = d["totals"]
    if (t["allocs"], t["frees"], t["live_bytes"]) != (43, 42, 100):
        errors.append(f"{v}: {t['allocs']} allocs {t['frees']} frees {t['live_bytes']} B live, want 43 42 100")
    n = len(d["phases"])
    if (v == "disabled") != (n == 0): errors.append(f"{v}: {n} phases")
print("\n".join(errors) or "installed builds exact")
sys.exit(1 if errors else 0)
PY
