# Suppressions: a program with a one-time C library allocation (stdout's
# buffer) and a real leak of 1000 bytes. `check --max-live 0` fails on the
# leak alone (the built-in list sets the buffer aside), passes with the leak
# suppressed by function, by file:line or from a file; the suppressed bytes
# are reported, in text and JSON; bad suppressions are refused.
. "$(dirname "$0")/common.sh"
schema=$TOP/../shared/tools/check-report-json   # the contract's checker, when present
[ -f "$schema" ] || schema=$TOP/tests/report/schema.py
src=$TOP/tests/preload/suppress_prog.c
gcc -std=gnu11 -Wall -Wextra -Werror -g -O1 "$src" -o "$OUT/prog"
line=$(grep -n "SITE:leak " "$src" | cut -d: -f1)
RTPROF=1 RTPROF_OUT="$OUT/prog.dump" LD_PRELOAD="$PRELOAD" "$OUT/prog" > "$OUT/stdout"
dump=$OUT/prog.dump
# what the built-in list sets aside here: stdout's buffer, and nothing of ours
"$RTPROF" report --json --no-default-suppressions "$dump" > "$OUT/all.json"
"$RTPROF" report --json "$dump" > "$OUT/default.json"
python3 "$schema" "$OUT/default.json" > /dev/null || fail "JSON contract"
read -r total stdio <<EOF2
$(python3 - "$OUT/all.json" "$OUT/default.json" "$line" <<'PY'
import json, sys
a, d, line = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
assert a["suppressed"] == {"sites": 0, "live_blocks": 0, "live_bytes": 0, "allocs": 0, "alloc_bytes": 0,
                           "by_default": 0}, a["suppressed"]
s = d["suppressed"]
assert s["sites"] >= 1 and s["by_default"] == s["sites"] and s["live_bytes"] >= 1024, s
assert d["totals"]["live_bytes"] - s["live_bytes"] == 1000, (d["totals"], s)
assert all(x["frames"][0]["line"] == line for x in d["sites"] if x["live_bytes"] > 0), d["sites"]
print(a["totals"]["live_bytes"], s["live_bytes"])
PY
)
EOF2
[ -n "$stdio" ] || fail "the built-in list did not set stdout's buffer aside"
expect_check() { # STATUS PATTERN ARGS...
  local want=$1 pattern=$2 rc=0; shift 2
  "$RTPROF" check --max-live 0 "$@" "$dump" > "$OUT/check.out" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || fail "check --max-live 0 $* exited $rc, want $want: $(cat "$OUT/check.out")"
  grep -Eq "$pattern" "$OUT/check.out" || fail "check $*: no '$pattern' in: $(cat "$OUT/check.out")"
}
expect_check 1 "^FAIL max-live 0: 1000 B live at exit \(1 block\) \(and [0-9.]+ KiB suppressed\).*leak_here"
expect_check 1 "^FAIL max-live 0: .*live at exit" --no-default-suppressions
expect_check 0 "^ok +max-live 0: 0 B.*live at exit \(0 blocks\) \(and [0-9.]+ KiB suppressed\)" --suppress leak_here
expect_check 0 "^ok +max-live 0: 0 B" --suppress "suppress_prog.c:$line"
expect_check 0 "^ok +max-live 0: 0 B" --suppress "*/preload/suppress_prog.c:*"
printf '# the known leak\nleak:leak_h\n' > "$OUT/supp.txt"
expect_check 0 "^ok +max-live 0: 0 B" --suppressions "$OUT/supp.txt"
# the suppressed bytes, on their own line and in JSON
"$RTPROF" report --suppress leak_here "$dump" > "$OUT/suppressed.txt"
grep -Eq "^Suppressed [0-9]+ sites: [0-9.]+ KiB live in [0-9]+ blocks, left out of the tables above" "$OUT/suppressed.txt" \
  || fail "no suppressed line: $(cat "$OUT/suppressed.txt")"
grep -q "leak_here" "$OUT/suppressed.txt" && fail "a suppressed site is still in the tables"
"$RTPROF" report --json --suppress leak_here "$dump" > "$OUT/suppressed.json"
python3 - "$OUT/suppressed.json" "$stdio" <<'PY' || fail "JSON suppressed"
import json, sys
d, stdio = json.load(open(sys.argv[1])), int(sys.argv[2])
assert d["suppressed"]["live_bytes"] == stdio + 1000, (d["suppressed"], stdio)
PY
# diff takes them too: a run against itself with the leak suppressed on both sides
"$RTPROF" diff --suppress leak_here "$dump" "$dump" | grep -q "leak_here" && fail "diff shows a suppressed site"
# bad suppressions: exit 2, naming what was expected
printf 'race:foo\n' > "$OUT/bad.txt"
rc=0; "$RTPROF" check --max-live 0 --suppressions "$OUT/bad.txt" "$dump" 2> "$OUT/err" || rc=$?
[ $rc = 2 ] && grep -q "bad.txt:1: 'race' suppressions are not leak suppressions" "$OUT/err" || fail "race: line: $rc $(cat "$OUT/err")"
rc=0; "$RTPROF" report --suppress "" "$dump" > /dev/null 2> "$OUT/err" || rc=$?
[ $rc = 2 ] && grep -q "empty pattern" "$OUT/err" || fail "empty --suppress: $rc $(cat "$OUT/err")"
rc=0; "$RTPROF" report --suppressions "$OUT/missing" "$dump" > /dev/null 2> "$OUT/err" || rc=$?
[ $rc = 2 ] && grep -q "cannot open .*missing" "$OUT/err" || fail "missing file: $rc $(cat "$OUT/err")"
echo "suppressions: the leak alone fails max-live 0 ($total B live in all, $stdio B set aside by default)"
