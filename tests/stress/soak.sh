# Soak (not part of the default suite; `./build.sh soak`): 10^9 rt_alloc/
# rt_free by a few threads with RTPROF=1, printing time, allocations done,
# RSS and rtprof's overhead every few seconds; fails unless the totals are
# exact (in rt_alloc_stats and in the dump written at exit) and memory stayed
# flat after warm-up. See tests/stress/soak.c for the knobs (SOAK_*).
# Usage: bash tests/stress/soak.sh [N]     (N allocations, default 10^9)
set -eu
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
N=${1:-1000000000}
OUT=$TOP/build/tests/stress/soak
rm -rf "$OUT" && mkdir -p "$OUT"
CC=${CC:-gcc}
fail() { echo "FAIL: $*" >&2; exit 1; }
LIB=$TOP/build/lib
[ -f "$LIB/librtprof.so" ] || fail "build/lib/librtprof.so is not built (run ./build.sh)"
$CC -std=gnu11 -Wall -Wextra -Werror -g -O2 -I"$TOP/include" "$TOP/tests/stress/soak.c" -o "$OUT/soak" \
  -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof -lpthread
echo "soak: $N allocations; dump in $OUT/soak.dump"
# 10^9 runs in about 1-2 minutes on 2 cores; the limit only catches a hang.
timeout -k 10 "${SOAK_TIMEOUT:-3600}" env RTPROF=1 RTPROF_OUT="$OUT/soak.dump" "$OUT/soak" "$N" \
  | tee "$OUT/soak.out"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 124 ] && fail "the soak did not finish in ${SOAK_TIMEOUT:-3600} s"
[ "$rc" -eq 0 ] || fail "the soak program failed (exit $rc)"
[ -f "$OUT/soak.dump" ] || fail "no dump written at exit"
threads=${SOAK_THREADS:-3}
python3 - "$OUT/soak.dump" "$N" "$threads" <<'PY'
import sys
path, n, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = next(dict(f.split("=", 1) for f in l.split()[1:]) for l in open(path) if l.startswith("totals "))
t = {k: int(v) for k, v in t.items()}
want = n + threads
errors = [f"dump totals.{k} = {t[k]}, want {v}" for k, v in
          [("allocs", want), ("frees", want), ("live_blocks", 0), ("live_bytes", 0), ("failed_allocs", 0)] if t[k] != v]
print("\n".join(errors) or f"dump at exit: allocs = frees = {want} (N + {threads} slot arrays), nothing live")
sys.exit(1 if errors else 0)
PY
