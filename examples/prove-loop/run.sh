#!/usr/bin/env bash
# The prove-loop example end to end: builds prove.c against librtprof, runs it
# with its leak and with --fix under RTPROF=1, shows the report naming the
# leaking line (LEAK-SITE) with exactly the live bytes the loop gained, the
# diff of the two runs, and `rtprof check --max-live 0` failing on the buggy
# dump and passing on the fixed one. Usage: run.sh [--rounds N]
# Exits 1 when rtprof does not show what is expected (a FAIL line says what).
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
SRC=examples/prove-loop
OUT=build/examples/prove-loop
rtprof=build/bin/rtprof
CC=${CC:-gcc}

for f in build/lib/librtprof.so "$rtprof"; do
  [ -e "$f" ] || { echo "run.sh: $f is missing: run ./build.sh first" >&2; exit 2; }
done
mkdir -p "$OUT"
$CC -std=gnu11 -Wall -Wextra -Werror -O2 -g -Iinclude "$SRC/prove.c" -o "$OUT/prove" \
  -Lbuild/lib -Wl,-rpath,"$TOP/build/lib" -lrtprof
leak_line=$(grep -n '/\* LEAK-SITE \*/' "$SRC/prove.c" | head -n 1 | cut -d: -f1)
failed=0
expect() { # expect WHAT COMMAND...: "ok" when COMMAND succeeds, else "FAIL"
  local what=$1; shift
  if "$@"; then echo "  ok   $what"; else echo "  FAIL $what"; failed=1; fi
}
ends_with() { [[ $1 == *"$2" ]]; }

rm -f "$OUT/bug.dump" "$OUT/fix.dump"
echo "== buggy run: RTPROF=1 RTPROF_OUT=$OUT/bug.dump $OUT/prove $*"
RTPROF=1 RTPROF_OUT="$OUT/bug.dump" "$OUT/prove" "$@" | tee "$OUT/bug.out"
echo
echo "== fixed run: RTPROF=1 RTPROF_OUT=$OUT/fix.dump $OUT/prove --fix $*"
RTPROF=1 RTPROF_OUT="$OUT/fix.dump" "$OUT/prove" --fix "$@" | tee "$OUT/fix.out"
growth=$(sed -n 's/^result .* live_growth=\([0-9]*\) .*/\1/p' "$OUT/bug.out")
fix_growth=$(sed -n 's/^result .* live_growth=\([0-9]*\) .*/\1/p' "$OUT/fix.out")
echo

echo "== rtprof report --top 5 $OUT/bug.dump"
"$rtprof" report --top 5 "$OUT/bug.dump" | tee "$OUT/bug.report"
echo
echo "== checks of the report (the loop's live growth: $growth bytes; the leak: $SRC/prove.c:$leak_line)"
# The first row of the leak table names the LEAK-SITE line...
first_leak=$(sed -n '/^Leaks (live at exit)/{n;n;p;q}' "$OUT/bug.report")
expect "the largest leak is prove.c:$leak_line: $(echo $first_leak)" ends_with "$first_leak" "prove.c:$leak_line"
# ...and holds exactly the bytes live memory grew by across the rounds.
"$rtprof" report --json "$OUT/bug.dump" > "$OUT/bug.json"
site_live=$(python3 - "$OUT/bug.json" "$leak_line" <<'EOF'
import json, os, sys
doc, line = json.load(open(sys.argv[1])), int(sys.argv[2])
live = [s["live_bytes"] for s in doc["sites"]
        if s["frames"][0]["file"] and os.path.basename(s["frames"][0]["file"]) == "prove.c"
        and s["frames"][0]["line"] == line]
print(sum(live) if live else -1)
EOF
)
expect "its live bytes ($site_live) equal the loop's live growth ($growth)" [ "$site_live" = "$growth" ]
expect "with --fix, live memory does not grow ($fix_growth bytes)" [ "$fix_growth" = 0 ]
echo

echo "== rtprof diff $OUT/bug.dump $OUT/fix.dump"
"$rtprof" diff "$OUT/bug.dump" "$OUT/fix.dump" | tee "$OUT/diff.txt"
expect "the diff shows the leak site shrinking" grep -q "shrank .*prove.c:$leak_line\$" "$OUT/diff.txt"
echo

echo "== rtprof check --max-live 0 $OUT/bug.dump (a leak: must exit 1)"
rc=0; "$rtprof" check --max-live 0 "$OUT/bug.dump" || rc=$?
expect "check on the buggy run exits $rc (want 1)" [ $rc -eq 1 ]
echo "== rtprof check --max-live 0 $OUT/fix.dump (no leak: must exit 0)"
rc=0; "$rtprof" check --max-live 0 "$OUT/fix.dump" || rc=$?
expect "check on the fixed run exits $rc (want 0)" [ $rc -eq 0 ]

[ $failed -eq 0 ] || { echo "run.sh: rtprof did not show what this example expects (see FAIL above)" >&2; exit 1; }
echo "run.sh: all checks passed"
