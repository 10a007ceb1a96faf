# A profiled process killed with SIGKILL leaves a complete dump, as fresh as
# DESIGN.md promises: "everything up to at most RTPROF_FLUSH ms before the
# kill". Freshness is measured from the dump's own timestamp (dump_ns, when
# the rewrite began), never from how long the test slept:
# - while the program runs, the dump on disk is polled; at each poll (time
#   taken before reading) it may be at most one flush period old, plus a
#   small allowance for scheduling and the stretch after a rewrite (100 x
#   its duration: a few ms for this small dump);
# - at the kill, the same bound holds for the dump left behind;
# - its counts agree with what the program printed around dump_ns.
. "$(dirname "$0")/common.sh"
$CC $CFLAGS "$TOP/tests/e2e/kill_prog.c" -o "$OUT/kill_prog" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
SLACK_MS=60   # scheduling and rewrite-stretch allowance

dump_ns() { sed -n 's/^process .* dump_ns=\([0-9]*\) .*reason=flush$/\1/p' "$1" 2>/dev/null | head -1; }

# stale_check NAME FLUSH_MS NOW_NS DUMP: the dump's age at NOW_NS is within
# the bound. Returns 1 (after saying why) when it is not.
stale_check() {
  local name=$1 flush=$2 now=$3 f=$4 d
  d=$(dump_ns "$f")
  [ -n "$d" ] || { echo "$name: no complete periodic dump"; return 1; }
  local age=$(((now - d) / 1000000)) bound=$((flush + SLACK_MS))
  if [ "$age" -gt "$bound" ]; then
    echo "$name: the dump was ${age} ms old, bound ${bound} ms (RTPROF_FLUSH=$flush + ${SLACK_MS} ms)"
    return 1
  fi
}

# run_kill NAME FLUSH_MS POLLS: runs the program, waits for its first batch,
# polls the dump POLLS times 20 ms apart, kills it, checks the dump left.
run_kill() {
  local name=$1 flush=$2 polls=$3 dump=$OUT/$1.dump
  RTPROF=1 RTPROF_FLUSH=$flush RTPROF_OUT="$dump" "$OUT/kill_prog" > "$OUT/$name.out" &
  local pid=$! i=0 max_age=0 now
  # the first batch printed: the program runs and the first dump, written
  # at start, is there
  while [ ! -s "$OUT/$name.out" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
  [ -s "$OUT/$name.out" ] || { kill -KILL $pid; fail "$name: the program printed nothing"; }
  for ((i = 0; i < polls; i++)); do
    now=$(date +%s%N)
    stale_check "$name poll $i" "$flush" "$now" "$dump" || { kill -KILL $pid; fail "$name: stale dump while running"; }
    sleep 0.02
  done
  now=$(date +%s%N)
  kill -KILL $pid
  wait $pid 2>/dev/null || true
  [ -s "$dump" ] || fail "$name: no dump after SIGKILL"
  stale_check "$name at the kill" "$flush" "$now" "$dump" || fail "$name: stale dump after SIGKILL"
  "$RTPROF" report --json "$dump" > "$OUT/$name.json" || fail "$name: the dump does not read"
  python3 - "$OUT/$name.json" "$OUT/$name.out" "$(dump_ns "$dump")" "$name" <<'PY' || fail "$name: counts disagree"
import json, sys
allocs = json.load(open(sys.argv[1]))["totals"]["allocs"]
dump_ns, name = int(sys.argv[3]), sys.argv[4]
printed = [tuple(map(int, l.split())) for l in open(sys.argv[2]) if len(l.split()) == 2]
# made before the dump began <= what it holds <= made by the next print
# (or the batch in progress when the program was killed)
low = max([c for c, t in printed if t <= dump_ns], default=0)
high = min([c for c, t in printed if t >= dump_ns], default=(printed[-1][0] if printed else 0) + 1000)
ok = low <= allocs <= high
print(f"{name}: dump holds {allocs} allocs; printed {low} before it began, {high} after: {'ok' if ok else 'BAD'}")
sys.exit(0 if ok else 1)
PY
}
run_kill early 1000 0     # killed right after its first batch: the dump taken at start
run_kill periodic 200 60  # ~1.2 s of polls: six flush periods
run_kill busy 1 10        # flushes back to back: the kill lands during one
# A dump cut short is reported as truncated, never misread.
head -c 300 "$OUT/periodic.dump" > "$OUT/cut.dump"
rc=0; "$RTPROF" report "$OUT/cut.dump" > /dev/null 2> "$OUT/cut.err" || rc=$?
[ "$rc" -eq 2 ] && grep -qi "truncated" "$OUT/cut.err" || fail "a truncated dump was not reported as such: $(cat "$OUT/cut.err")"
echo "killed dumps fresh to one flush period"
