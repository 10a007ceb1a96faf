# Builds and runs the reproducers of the library bugs the stress tests found
# (not part of the suite). Each prints "present" or "fixed".
# Usage: bash tests/stress/repro/run.sh   (after ./build.sh; the TSan one
# needs build/tests/lib-tsan, which tests/run.sh builds)
set -u
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../../.." && pwd)}
OUT=$TOP/build/tests/stress/repro
mkdir -p "$OUT"
CC=${CC:-gcc}
cflags="-std=gnu11 -Wall -Wextra -Werror -g -O1 -I$TOP/include"
verdict() { if [ "$2" -eq 0 ]; then echo "fixed    $1 ${ARGS:-}"; else echo "present  $1 ${ARGS:-} (exit $2; output in $OUT/$1.out)"; fi; }
one() { # one NAME LIBDIR EXTRA_CFLAGS [VAR=VALUE | -u VAR]...   ($ARGS: the program's arguments)
  local name=$1 libdir=$2 extra=$3 rc=0; shift 3
  # shellcheck disable=SC2086
  $CC $cflags $extra "$TOP/tests/stress/repro/$name.c" -o "$OUT/$name" -L"$libdir" -Wl,-rpath,"$libdir" \
    -lrtprof -lpthread || { echo "cannot build $name"; return; }
  # shellcheck disable=SC2086
  env "$@" "$OUT/$name" ${ARGS:-} > "$OUT/$name.out" 2>&1 || rc=$?
  verdict "$name" "$rc"
}
one off_zero_size_align "$TOP/build/lib" "" -u RTPROF
one off_aligned_pow2 "$TOP/build/lib" "" -u RTPROF
ARGS=$OUT/snapshot_order.dump one snapshot_order "$TOP/build/lib" "" RTPROF=1 RTPROF_OUT="$OUT/exit.dump"
if [ -f "$TOP/build/tests/lib-tsan/librtprof.so" ]; then
  for how in calloc realloc; do
    ARGS=$how one tsan_reuse "$TOP/build/tests/lib-tsan" "-fsanitize=thread" RTPROF=1 RTPROF_OUT="$OUT/exit.dump" \
      TSAN_OPTIONS=halt_on_error=1
  done
else
  echo "skipped  tsan_reuse (no build/tests/lib-tsan: run tests/run.sh first)"
fi
