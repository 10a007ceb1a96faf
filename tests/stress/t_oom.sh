# Out of memory (tests/stress/oom.c): with the address space capped
# (setrlimit RLIMIT_AS inside the program), rt_alloc, rt_calloc, rt_realloc
# and rt_alloc_aligned return NULL with errno ENOMEM, a failed rt_realloc
# leaves the old block intact, failures are counted in failed_allocs and not
# as allocations, and the accounting is exact afterwards (all freed: nothing
# live). With profiling on, then off. Plain build only (sanitizers reserve
# terabytes of address space and cannot run under such a cap).
set -eu
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=$TOP/build/tests/stress/oom
rm -rf "$OUT" && mkdir -p "$OUT"
CC=${CC:-gcc}
fail() { echo "FAIL: $*" >&2; exit 1; }
LIB=$TOP/build/lib
[ -f "$LIB/librtprof.so" ] || fail "build/lib/librtprof.so is not built"
$CC -std=gnu11 -Wall -Wextra -Werror -g -O1 -I"$TOP/include" "$TOP/tests/stress/oom.c" -o "$OUT/oom" \
  -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof -lpthread
status=0
for mode in on off; do
  if [ $mode = on ]; then set -- env RTPROF=1; else set -- env -u RTPROF -u WITH_ALLOC_PROFILE; fi
  rc=0
  timeout -k 5 60 "$@" RTPROF_OUT="$OUT/exit.$mode.%p.dump" "$OUT/oom" "$OUT/oom.$mode.dump" \
    > "$OUT/$mode.out" 2> "$OUT/$mode.err" || rc=$?
  cat "$OUT/$mode.out"
  if [ $rc -ne 0 ]; then
    sed 's/^/    /' "$OUT/$mode.err" | tail -n 30 >&2
    echo "FAIL: profiling $mode: exit $rc$([ $rc -eq 124 ] && echo ' (timed out)')" >&2
    status=1
  fi
done
exit $status
