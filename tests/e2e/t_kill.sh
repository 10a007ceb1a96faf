# A profiled process killed with SIGKILL leaves a complete dump: at several
# moments (right after start, mid-run, and with flushes so frequent that the
# kill lands during one), the dump reads, says reason=flush, and its counts
# are at most the truth and at most one flush period plus one batch behind.
. "$(dirname "$0")/common.sh"
$CC $CFLAGS "$TOP/tests/e2e/kill_prog.c" -o "$OUT/kill_prog" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
one_kill() { # NAME SLEEP FLUSH_MS
  local name=$1 nap=$2 flush=$3
  RTPROF=1 RTPROF_FLUSH=$flush RTPROF_OUT="$OUT/$name.dump" "$OUT/kill_prog" > "$OUT/$name.out" &
  local pid=$!
  sleep "$nap"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  [ -s "$OUT/$name.dump" ] || fail "$name: no dump after SIGKILL"
  "$RTPROF" report --json "$OUT/$name.dump" > "$OUT/$name.json" || fail "$name: the dump does not read"
  grep -q "reason=flush" "$OUT/$name.dump" || fail "$name: not a periodic dump"
  python3 - "$OUT/$name.json" "$OUT/$name.out" "$flush" "$name" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); flush_ms = int(sys.argv[3])
printed = [int(l) for l in open(sys.argv[2]) if l.strip().isdigit()]
truth = printed[-1] + 1000 if printed else 1000  # a batch may be half done
allocs = doc["totals"]["allocs"]
# the program makes ~1000 allocations per 1.1 ms at most; one flush period behind, plus slack
behind_max = (flush_ms + 300) * 1000
ok = allocs <= truth and truth - allocs <= behind_max
print(f"{sys.argv[4]}: dump {allocs} allocs, truth {truth}, bound {behind_max}: {'ok' if ok else 'BAD'}")
sys.exit(0 if ok else 1)
PY
}
one_kill early 0.05 1000
one_kill mid 1.3 200
one_kill busy 0.7 1
# A dump cut short is reported as truncated, never misread.
head -c 300 "$OUT/mid.dump" > "$OUT/cut.dump"
rc=0; "$RTPROF" report "$OUT/cut.dump" > /dev/null 2> "$OUT/cut.err" || rc=$?
[ "$rc" -eq 2 ] && grep -qi "truncated" "$OUT/cut.err" || fail "a truncated dump was not reported as such: $(cat "$OUT/cut.err")"
