#!/usr/bin/env bash
# The lua-host example end to end: builds lua-host.c against Debian's Lua 5.4
# and librtprof, runs leaky/report.lua and fixed/report.lua under RTPROF=1,
# prints the report of the leaky run (its Lua lines as named sites), the same
# at RTPROF_DEPTH=4 with the interpreter's C path under each line, and
# `rtprof diff` of the two runs; then checks the figures (exact lines, counts
# and bytes, see README.md). Exits 1 when rtprof does not show what is
# expected (a FAIL line says what), 77 when Lua 5.4's headers are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
SRC=examples/lua-host
OUT=build/examples/lua-host
rtprof=$TOP/build/bin/rtprof
CC=${CC:-gcc}

for f in build/lib/librtprof.so "$rtprof"; do
  [ -e "$f" ] || { echo "run.sh: $f is missing: run ./build.sh first" >&2; exit 2; }
done
pkg-config --exists lua5.4 || { echo "run.sh: Lua 5.4 is not installed (apt-get install liblua5.4-dev)"; exit 77; }
mkdir -p "$OUT"
# shellcheck disable=SC2046
$CC -std=gnu11 -Wall -Wextra -Werror -O2 -g -Iinclude $(pkg-config --cflags lua5.4) "$SRC/lua-host.c" \
  -o "$OUT/lua-host" -Lbuild/lib -Wl,-rpath,"$TOP/build/lib" -lrtprof $(pkg-config --libs lua5.4)

failed=0
expect() { # expect WHAT COMMAND...: "ok" when COMMAND succeeds, else "FAIL"
  local what=$1; shift
  if "$@"; then echo "  ok   $what"; else echo "  FAIL $what"; failed=1; fi
}

# Each script runs in its own folder, so both are "report.lua" to Lua and
# their lines match up in the diff.
run() { # run leaky|fixed DEPTH DUMP
  (cd "$SRC/$1" && RTPROF=1 RTPROF_DEPTH=$2 RTPROF_OUT="$TOP/$3" "$TOP/$OUT/lua-host" report.lua)
}
rm -f "$OUT"/*.dump
echo "== RTPROF=1 lua-host leaky/report.lua; the same with fixed/report.lua"
run leaky 1 "$OUT/leaky.dump"
run fixed 1 "$OUT/fixed.dump"
echo
echo "== rtprof report --top 5 $OUT/leaky.dump"
"$rtprof" report --top 5 "$OUT/leaky.dump" | sed -n '/^Top sites/,$p' | tee "$OUT/leaky.report"
echo
echo "== RTPROF_DEPTH=4: rtprof report --top 2 --stacks (the interpreter's C path under each line)"
run leaky 4 "$OUT/leaky4.dump" > /dev/null
"$rtprof" report --top 2 --stacks "$OUT/leaky4.dump" | sed -n '/^Top sites/,/^$/p' | tee "$OUT/leaky4.report"
echo
echo "== rtprof diff $OUT/leaky.dump $OUT/fixed.dump"
"$rtprof" diff "$OUT/leaky.dump" "$OUT/fixed.dump" | sed -n '/^Sites by size/,/^$/p' | tee "$OUT/diff.txt"
echo

echo "== checks"
"$rtprof" report --json "$OUT/leaky.dump" > "$OUT/leaky.json"
"$rtprof" report --json "$OUT/leaky4.dump" > "$OUT/leaky4.json"
"$rtprof" report --json "$OUT/fixed.dump" > "$OUT/fixed.json"
python3 - "$OUT" <<'EOF' || failed=1
import json, sys
out = sys.argv[1]
leaky, deep, fixed = (json.load(open(f"{out}/{n}.json")) for n in ("leaky", "leaky4", "fixed"))
def site(doc, function, file, line):
    hits = [s for s in doc["sites"] if s["frames"][0].get("named", False) and s["frames"][0]["function"] == function
            and s["frames"][0]["file"] == file and s["frames"][0]["line"] == line]
    return hits[0] if len(hits) == 1 else None
fails = 0
def expect(what, ok):
    global fails
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    fails += not ok
n, rounds, row = 2000, 3, 60   # rows per report, reports, bytes of a row with its newline
hdr = 24 + 1                   # a Lua 5.4 long string: 24-byte header, the bytes, a NUL
# line 13, out = out .. row .. "\n": one string of 60*i bytes per row, every round
s = site(leaky, "build_report", "report.lua", 13)
quad = rounds * sum(hdr + row * i for i in range(1, n + 1))
expect(f"top site by bytes is build_report report.lua:13 (named): {rounds * n} allocs, {quad} bytes",
       s is not None and leaky["sites"][0] is s and s["allocs"] == rounds * n and s["alloc_bytes"] == quad)
# line 14, history[#history + 1] = row .. "\n": 6000 strings kept, and the
# history's array part, grown by doubling to 8192 slots of 16 bytes (14 sizes)
s = site(leaky, "build_report", "report.lua", 14)
kept = rounds * n * (hdr + row) + 8192 * 16
expect(f"top leak is build_report report.lua:14 (named): {rounds * n + 1} live blocks, {kept} live bytes",
       s is not None and max(leaky["sites"], key=lambda x: x["live_bytes"]) is s
       and s["live_blocks"] == rounds * n + 1 and s["live_bytes"] == kept and s["allocs"] == rounds * n + 14)
# the typed allocation: one Session, never closed
s = site(leaky, "Session", None, None)
expect("Session (named, a type): 1 block, 80 bytes live at exit",
       s is not None and s["allocs"] == 1 and s["live_blocks"] == 1 and s["live_bytes"] == 80)
s = site(fixed, "Session", None, None)
expect("fixed: Session 1 alloc, 0 bytes live", s is not None and s["allocs"] == 1 and s["live_bytes"] == 0)
expect("fixed: no site at report.lua:13 or :14",
       site(fixed, "build_report", "report.lua", 13) is None and site(fixed, "build_report", "report.lua", 14) is None)
# depth 4: the named frame, then the interpreter's own frames
s = site(deep, "build_report", "report.lua", 13)
expect("depth 4: report.lua:13 has the interpreter's C frames under it (liblua5.4)",
       s is not None and len(s["frames"]) >= 2 and not s["frames"][1].get("named", False)
       and "liblua5.4" in (s["frames"][1]["module"] or ""))
sys.exit(1 if fails else 0)
EOF
expect "the diff shows report.lua:13 gone" grep -q "disappeared .*build_report report.lua:13 (named)\$" "$OUT/diff.txt"
expect "the diff shows report.lua:14 gone" grep -q "disappeared .*build_report report.lua:14 (named)\$" "$OUT/diff.txt"
expect "the diff shows Session's live bytes gone" grep -q "80B→0  Session (named)\$" "$OUT/diff.txt"

[ $failed -eq 0 ] || { echo "run.sh: rtprof did not show what this example expects (see FAIL above)" >&2; exit 1; }
echo "run.sh: all checks passed"
