#!/usr/bin/env bash
# `rtprof run` and the paths it builds: `-o` with many %p (each replaced by the
# pid, no buffer overrun: checked under AddressSanitizer), and an interposer
# whose path holds a space or a colon, which LD_PRELOAD cannot carry: a clear
# error and exit 2, not a run that profiles nothing and exits 0.
set -eu
. "$(dirname "$0")/lib.sh"
PRELOAD=$TOP/build/lib/librtprof-preload.so
[ -f "$PRELOAD" ] || skip "librtprof-preload.so is not built"

# ---- -o with 30 %p: the dump lands at the fully expanded name ----------------
many=$(printf '%%p%.0s' $(seq 30))
expect_rc 0 "$RTPROF_BIN" run --no-report -o "$OUT/d$many.dump" -- /usr/bin/python3 -c 'import os, sys; open(sys.argv[1], "w").write(str(os.getpid()))' "$OUT/pid" \
  && pass "run -o with 30 %p" || true
pid=$(cat "$OUT/pid" 2>/dev/null || echo none)
want=$OUT/d$(printf "$pid%.0s" $(seq 30)).dump
[ -f "$want" ] && pass "the dump is at d<pid x 30>.dump" || fail "no dump at $want: $(ls "$OUT")"

# The same under AddressSanitizer: an overrun of the expanded name aborts.
if printf 'int main(void){return 0;}' | gcc -fsanitize=address -x c - -o "$OUT/asan-probe" 2>/dev/null; then
  gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Isymbolize \
    -DRTPROF_VERSION='"asan"' symbolize/*/*.c -o "$OUT/rtprof-asan" # the version: the Makefile's job
  ASAN_OPTIONS=detect_leaks=0 RTPROF_PRELOAD=$PRELOAD expect_rc 0 "$OUT/rtprof-asan" run --no-report \
    -o "$OUT/a$many.dump" -- true && pass "run -o with 30 %p under ASan" || true
else
  echo "note: gcc cannot build with -fsanitize=address here; the ASan half was not run"
fi

# ---- an interposer under a path with a space, then with a colon ---------------
for dir in "with space" "with:colon"; do
  mkdir -p "$OUT/$dir/bin" "$OUT/$dir/lib"
  cp "$RTPROF_BIN" "$OUT/$dir/bin/rtprof"
  cp "$PRELOAD" "$OUT/$dir/lib/"
  expect_rc 2 "$OUT/$dir/bin/rtprof" run -o "$OUT/x.dump" -- true || continue
  grep -Eq "^rtprof: error: run: the interposer's path '.*$dir/lib/librtprof-preload\.so' holds a space or colon, which LD_PRELOAD cannot carry" \
    "$OUT/err" && pass "interposer under '$dir': exit 2 and why" || { fail "message for '$dir'"; cat "$OUT/err"; }
  RTPROF_PRELOAD="$OUT/$dir/lib/librtprof-preload.so" expect_rc 2 "$RTPROF_BIN" run -o "$OUT/x.dump" -- true \
    && pass "RTPROF_PRELOAD under '$dir': exit 2" || true
done
finish
