#!/usr/bin/env bash
# The comptime-clone demo end to end: builds the example against librtprof,
# profiles the buggy run and the --fix run, prints rtprof's report of the
# buggy one and a before/after comparison. Usage: run.sh [comptime options]
# (--evals N, --size MiB, --input FILE; passed to both runs). `./build.sh demo`
# builds rtprof first, then runs this.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
SRC=examples/comptime-clone
OUT=build/examples/comptime-clone
rtprof=build/bin/rtprof
CC=${CC:-gcc}

if [ ! -f build/lib/librtprof.so ]; then
  echo "run.sh: build/lib/librtprof.so is missing: run ./build.sh first" >&2
  exit 2
fi
mkdir -p "$OUT"
$CC -std=gnu11 -Wall -Wextra -Werror -O2 -g -Iinclude "$SRC/comptime.c" -o "$OUT/comptime" \
  -Lbuild/lib -Wl,-rpath,"$TOP/build/lib" -lrtprof
# The line the report must name: the one marked CLONE-SITE in comptime.c.
clone_line=$(grep -n 'CLONE-SITE' "$SRC/comptime.c" | head -n 1 | cut -d: -f1)

rm -f "$OUT/bug.dump" "$OUT/fix.dump"
echo "== buggy run: RTPROF=1 RTPROF_OUT=$OUT/bug.dump $OUT/comptime $*"
RTPROF=1 RTPROF_OUT="$OUT/bug.dump" "$OUT/comptime" "$@" | tee "$OUT/bug.out"
echo
echo "== fixed run: RTPROF=1 RTPROF_OUT=$OUT/fix.dump $OUT/comptime --fix $*"
RTPROF=1 RTPROF_OUT="$OUT/fix.dump" "$OUT/comptime" --fix "$@" | tee "$OUT/fix.out"
echo

if [ ! -x "$rtprof" ]; then
  echo "run.sh: $rtprof is missing (run ./build.sh); the dumps are $OUT/bug.dump and $OUT/fix.dump." >&2
  echo "Their totals and phases, unsymbolized:" >&2
  grep -E '^(totals|phase) ' "$OUT/bug.dump" "$OUT/fix.dump" >&2 || true
  exit 2
fi

echo "== rtprof report --top 10 $OUT/bug.dump"
"$rtprof" report --top 10 "$OUT/bug.dump"
echo

"$rtprof" report --json "$OUT/bug.dump" > "$OUT/bug.json"
"$rtprof" report --json "$OUT/fix.dump" > "$OUT/fix.json"
echo "== before/after (from rtprof report --json)"
checks=0
python3 - "$OUT/bug.json" "$OUT/fix.json" "$OUT/bug.out" "$SRC/comptime.c" "$clone_line" <<'EOF' || checks=$?
import json
import os
import sys

bug_json, fix_json, bug_out, clone_file, clone_line = sys.argv[1:6]
bug, fix = json.load(open(bug_json)), json.load(open(fix_json))
result = {}
for line in open(bug_out):
    if line.startswith("result "):
        result = dict(f.split("=", 1) for f in line.split()[1:])
evals, size = int(result["evals"]), int(result["source_bytes"])
expected = evals * size
EVAL = "check/sema/comptime_eval"


def phase(doc, path):
    return next((p for p in doc["phases"] if p["path"] == path), None)


def mib(n):
    return f"{n / 1048576:.1f} MiB"


def where(site):
    f = site["frames"][0] if site.get("frames") else {}
    fn = f.get("function") or "??"
    if f.get("file") is None:
        return f"{fn} {f.get('module', '?')}+{f.get('offset', '?')}"
    return f"{fn} {f['file']}:{f['line']}"


bpeak = bug["totals"]["peak_committed_bytes"]
fpeak = fix["totals"]["peak_committed_bytes"]
bph, fph = phase(bug, EVAL), phase(fix, EVAL)
rows = [
    ("peak committed", mib(bpeak), mib(fpeak), f"{mib(fpeak - bpeak)} ({(fpeak - bpeak) / bpeak:+.0%})"),
    (f"{EVAL} calls", bph["calls"] if bph else "-", fph["calls"] if fph else "-", ""),
    (f"{EVAL} committed delta", mib(bph["committed_delta"]) if bph else "-",
     mib(fph["committed_delta"]) if fph else "-", ""),
    ("live at exit", f"{bug['totals']['live_bytes']} B", f"{fix['totals']['live_bytes']} B", ""),
]
print(f"{'':38} {'buggy':>14} {'fixed':>14}   change")
for name, b, f, change in rows:
    print(f"{name:38} {b!s:>14} {f!s:>14}   {change}".rstrip())
print(f"peak committed bytes: buggy {bpeak}, fixed {fpeak}")

failed = []


def expect(ok, what):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failed.append(what)


print(f"checks ({evals} evaluations x {size}-byte source = {expected} bytes):")
expect(bug["totals"]["live_bytes"] == expected,
       f"buggy run: live at exit is {bug['totals']['live_bytes']}, expected {expected}")
expect(fix["totals"]["live_bytes"] == 0, f"fixed run: live at exit is {fix['totals']['live_bytes']}, expected 0")
# mimalloc commits in 32 MiB segments: small runs may peak alike, never higher.
expect(fpeak <= bpeak, "fixed run peaks no higher than the buggy one")
if expected > 0:
    top = max(bug["sites"], key=lambda s: s["live_bytes"])
    f = top["frames"][0] if top.get("frames") else {}
    at_clone = (f.get("file") is not None and os.path.basename(f["file"]) == os.path.basename(clone_file)
                and f.get("line") == int(clone_line))
    expect(at_clone and top["live_bytes"] == expected and top["allocs"] == evals and top["frees"] == 0,
           f"top site by live bytes is the clone line {clone_file}:{clone_line}: "
           f"{where(top)}, {top['allocs']} allocs, {top['frees']} frees, {top['live_bytes']} B live")
    in_phase = bph is not None and any(s["id"] == top["id"] and s["live_bytes"] == expected for s in bph["sites"])
    expect(in_phase, f"{EVAL} holds that site's {expected} live bytes")
sys.exit(1 if failed else 0)
EOF

if "$rtprof" diff --help > /dev/null 2>&1; then
  echo
  echo "== rtprof diff $OUT/bug.dump $OUT/fix.dump"
  "$rtprof" diff "$OUT/bug.dump" "$OUT/fix.dump" || echo "(rtprof diff exited $?)"
fi
[ "$checks" -eq 0 ] || { echo "run.sh: the report does not show what the demo expects (see FAIL above)" >&2; exit 1; }
