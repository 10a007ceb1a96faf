#!/usr/bin/env bash
# Mutated dumps (bytes flipped, cut, spliced, lines shuffled) never crash the
# reader, the report (with its timeline and SVG), diff or check: every run
# exits 0 (or 1 for a broken budget) or 2, and a refusal is one
# "rtprof: error:" line.
# RTPROF_FUZZ_RUNS sets the count (default 300), RTPROF_FUZZ_SEED the seed.
set -eu
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || skip "python3 is not installed"

build_fixture "$OUT/fx"
make_dump tests/report/dumps/main.dump.in "$OUT/fx" "$OUT/main.dump"
make_dump tests/report/dumps/second.dump.in "$OUT/fx" "$OUT/second.dump"
make_dump tests/diffcheck/dumps/timeline.dump.in "$OUT/fx" "$OUT/timeline.dump"
python3 - "$RTPROF_BIN" "$OUT" "${RTPROF_FUZZ_RUNS:-300}" "${RTPROF_FUZZ_SEED:-1}" \
  tests/report/dumps/small.dump "$OUT/main.dump" "$OUT/second.dump" "$OUT/timeline.dump" <<'PY'
import random, subprocess, sys
rtprof, out, runs, seed, *srcs = sys.argv[1:]
random.seed(int(seed))
paths, srcs = srcs, [open(p, "rb").read() for p in srcs]
inserts = [b"=", b" ", b"\n", b",", b"0x", b"-", b"9" * 25, b"site id=3 ", b"\x00", b"\xff",
           b"phase id=9 parent=9 calls=1 open=0 committed_delta=0 committed_delta_max=0 live_delta=0 wall_ns=0 name=x\n",
           b"error kind=double_free count=1 addr=0x1 site=1 call=0x1\n",
           b"snapshot t_ns=1 committed=1 live=1 rss=1 phase=1 kind=label name=x\n"]
bad = 0
for run in range(int(runs)):
    b = bytearray(random.choice(srcs))
    for _ in range(random.randint(1, 6)):
        if not b:
            b = bytearray(b"x")
        i = random.randrange(len(b))
        op = random.randrange(6)
        if op == 0: b[i] = random.randrange(256)
        elif op == 1: del b[i:i + random.randint(1, 40)]
        elif op == 2: b[i:i] = random.choice(inserts)
        elif op == 3:
            j = random.randrange(len(b)); b[i:i] = b[j:j + random.randint(1, 200)]
        elif op == 4: del b[i:]
        else:
            lines = b.split(b"\n"); random.shuffle(lines); b = bytearray(b"\n".join(lines))
    path = f"{out}/fuzz.dump"
    open(path, "wb").write(b)
    other = random.choice(paths)
    for args in (["report", "--json", path], ["report", "--skip", "x|main", "--stacks", path],
                 ["report", "--timeline", "--svg", f"{out}/fuzz.svg", path],
                 ["diff", other, path], ["diff", "--json", path, other],
                 ["check", "--max-live", "0", "--max-site-bytes", "*=1K", "--max-phase-delta", "check=1", path]):
        r = subprocess.run([rtprof, *args], capture_output=True, timeout=60)
        err = r.stderr.decode(errors="replace")
        fine = (0, 1) if args[0] == "check" else (0,)
        ok = r.returncode in fine or (r.returncode == 2 and err.startswith("rtprof: error: ") and err.count("\n") == 1)
        if not ok:
            bad += 1
            keep = f"{out}/fuzz-failure-{bad}.dump"
            open(keep, "wb").write(b)
            print(f"FAIL: exit {r.returncode} on {keep} {args}: {err[-400:]}")
print(f"{runs} mutated dumps, {bad} failures")
sys.exit(1 if bad else 0)
PY
