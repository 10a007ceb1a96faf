# A runaway is not lost: a program that grows by ~250 MB/s is SIGKILLed at
# several moments; each time the dump it leaves holds at least 90% of the
# highest live bytes the program itself recorded (side file) more than
# 100 ms before the kill. Prints the fraction kept at each moment.
. "$(dirname "$0")/common.sh"
$CC $CFLAGS "$TOP/tests/e2e/runaway_prog.c" -o "$OUT/prog" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
python3 - "$OUT" <<'PY'
import os, signal, subprocess, sys, time
out = sys.argv[1]
def attempt(name, after_s):
    dump, side = f"{out}/{name}.dump", f"{out}/{name}.side"
    env = dict(os.environ, RTPROF="1", RTPROF_OUT=dump)
    p = subprocess.Popen([f"{out}/prog", side, "4096"], env=env)
    time.sleep(after_s)
    kill_ns = time.monotonic_ns()
    p.send_signal(signal.SIGKILL)
    p.wait()
    recs = [tuple(map(int, l.split())) for l in open(side) if l.endswith("\n")]
    before = [live for t, live in recs if t < kill_ns - 100_000_000]
    reached = max(before, default=0)
    at_kill = max((live for t, live in recs), default=0)
    peak = 0
    for l in open(dump):
        if l.startswith("totals "):
            peak = int(dict(f.split("=") for f in l.split()[1:])["peak_live_bytes"])
    frac = peak / reached if reached else 1.0
    return reached, peak, frac, at_kill
bad = []
for i, after in enumerate([0.3, 0.7, 1.2, 1.7, 2.4]):
    reached, peak, frac, at_kill = attempt(f"k{i}", after)
    print(f"kill at {after:.1f} s: peak reached >100 ms before {reached >> 20} MiB, "
          f"in the dump {peak >> 20} MiB: {frac:.3f} kept ({peak / at_kill:.3f} of the {at_kill >> 20} MiB "
          f"live at the kill)")
    if frac < 0.9: bad.append(after)
assert not bad, f"the dump kept less than 90% of the peak when killed at {bad} s"
PY
