# A signal handler that calls the allocator while the signal lands inside a
# phase begin (the registry lock held) must not deadlock: its blocks are
# counted (globally) and the phase completes.
. "$(dirname "$0")/common.sh"
$CC $CFLAGS "$TOP/tests/e2e/signal_phase_prog.c" -o "$OUT/prog" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
rc=0
RTPROF=1 RTPROF_OUT="$OUT/s.dump" timeout 20 "$OUT/prog" > "$OUT/out" 2> "$OUT/err" || rc=$?
[ "$rc" -eq 0 ] || fail "exit $rc (124: deadlocked): $(cat "$OUT/err")"
grep -qx "faults 1" "$OUT/out" || fail "the signal did not land in the phase begin: $(cat "$OUT/out")"
python3 - "$OUT/s.dump" <<'PY'
import sys
recs = [l.split() for l in open(sys.argv[1])]
t = dict(f.split("=") for f in [r for r in recs if r[0] == "totals"][0][1:])
# 300 blocks from the handler, 1 in the phase
assert int(t["allocs"]) >= 301 and t["allocs"] == t["frees"], t
phases = [dict(f.split("=", 1) for f in r[1:]) for r in recs if r[0] == "phase"]
names = {p["name"]: p for p in phases}
assert "faulting" in names and names["faulting"]["calls"] == "1", names
print("signal in a phase begin: ok")
PY
