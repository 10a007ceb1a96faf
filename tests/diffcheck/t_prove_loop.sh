#!/usr/bin/env bash
# examples/prove-loop/run.sh end to end: the report names the LEAK-SITE line
# with exactly the live bytes the loop gained, the diff shows it shrinking,
# and `rtprof check --max-live 0` exits 1 on the buggy run and 0 on the fixed
# one (run.sh checks each and exits 1 otherwise); also with --rounds 3.
set -eu
cd "$(dirname "$0")/../.."
[ -x build/bin/rtprof ] && [ -f build/lib/librtprof.so ] || { echo "FAIL: run ./build.sh first"; exit 1; }
command -v python3 > /dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
LOG=build/tests/diffcheck/t_prove_loop
mkdir -p "$LOG"
fails=0
for args in "" "--rounds 3"; do
  rc=0
  # shellcheck disable=SC2086
  bash examples/prove-loop/run.sh $args > "$LOG/run.log" 2>&1 || rc=$?
  if [ $rc -eq 0 ] && grep -q '^run.sh: all checks passed$' "$LOG/run.log" && ! grep -q '^  FAIL' "$LOG/run.log"; then
    echo "ok   t_prove_loop: run.sh $args ($(grep -c '^  ok ' "$LOG/run.log") checks)"
  else
    echo "FAIL t_prove_loop: run.sh $args exited $rc"; tail -n 40 "$LOG/run.log"; fails=$((fails + 1))
  fi
done
grows=$(sed -n 's/^result rounds=3 .* live_growth=\([0-9]*\) .*/\1/p' build/examples/prove-loop/bug.out)
want=$(( (4096 + 16 + 16 * 0) + (4096 + 16 + 16 * 1) + (4096 + 16 + 16 * 2) ))
[ "$grows" = "$want" ] && echo "ok   t_prove_loop: 3 rounds leak $want bytes (transcripts of 4096 + 16*round, 16-byte header)" \
  || { echo "FAIL t_prove_loop: 3 rounds leak $grows bytes, want $want"; fails=$((fails + 1)); }
# The same figure in the report, against the arithmetic above rather than
# against what the library under test says the loop grew by; zero when fixed.
leak_line=$(grep -n 'LEAK-SITE' examples/prove-loop/prove.c | head -n 1 | cut -d: -f1)
build/bin/rtprof report --json build/examples/prove-loop/fix.dump > "$LOG/fix.json"
python3 - build/examples/prove-loop/bug.json "$LOG/fix.json" "$leak_line" "$want" <<'PY' \
  && echo "ok   t_prove_loop: the report's leak site holds $want bytes, 0 when fixed" \
  || { echo "FAIL t_prove_loop: the report's leak site figures"; fails=$((fails + 1)); }
import json, os, sys
line, want = int(sys.argv[3]), int(sys.argv[4])
def leak(path):
    return sum(s["live_bytes"] for s in json.load(open(path))["sites"]
               if s["frames"][0]["file"] and os.path.basename(s["frames"][0]["file"]) == "prove.c"
               and s["frames"][0]["line"] == line)
got = (leak(sys.argv[1]), leak(sys.argv[2]))
print(f"leak site prove.c:{line}: {got[0]} bytes live (buggy), {got[1]} (fixed)")
sys.exit(0 if got == (want, 0) else 1)
PY
[ $fails -eq 0 ]
