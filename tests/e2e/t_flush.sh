# RTPROF_FLUSH is the period of the dump's rewrite: the program watches its
# own dump and the gaps between the dumps' own timestamps (dump_ns) are one
# flush period (the median within 1.4 periods; a sampler that sleeps a fixed
# period and then skips one gives two). Measured from the dumps, in flush
# periods, so a loaded machine does not make it flaky.
. "$(dirname "$0")/common.sh"
$CC $CFLAGS "$TOP/tests/e2e/flush_prog.c" -o "$OUT/prog" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
check() { # FLUSH_MS RUN_MS
  local flush=$1 ms=$2
  RTPROF=1 RTPROF_FLUSH=$flush RTPROF_OUT="$OUT/f$flush.dump" "$OUT/prog" "$OUT/f$flush.dump" "$ms" > "$OUT/f$flush.seen" \
    || fail "RTPROF_FLUSH=$flush: the program failed"
  python3 - "$OUT/f$flush.seen" "$flush" <<'PY'
import sys, statistics
seen = [int(l) for l in open(sys.argv[1])]; flush = int(sys.argv[2])
gaps = [(b - a) / 1e6 / flush for a, b in zip(seen, seen[1:])]
assert len(gaps) >= 3, f"RTPROF_FLUSH={flush}: only {len(seen)} dumps seen"
med = statistics.median(gaps)
print(f"RTPROF_FLUSH={flush}: {len(seen)} dumps, gaps in periods {[round(g, 2) for g in gaps]}, median {med:.2f}")
assert 0.6 <= med <= 1.4, f"RTPROF_FLUSH={flush}: median gap {med:.2f} periods, want 1"
PY
}
check 1000 5500
check 200 2500
