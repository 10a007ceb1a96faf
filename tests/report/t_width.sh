# The flagship example's text at 100 columns: `./build.sh demo`'s report and
# diff (and the report with --top 0, --stacks, --timeline) have no line over
# 100 columns, while --wide keeps the full paths; JSON is the same with or
# without --wide; long function and phase names are cut in the middle.
set -euo pipefail
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP"
RTPROF=${RTPROF_BIN:-$TOP/build/bin/rtprof}
OUT=$TOP/build/tests/report/t_width
rm -rf "$OUT" && mkdir -p "$OUT"
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
pass() { echo "ok   $*"; }
[ -x "$RTPROF" ] || { echo "FAIL: $RTPROF is not built"; exit 1; }

bash examples/comptime-clone/run.sh > "$OUT/demo.txt" 2>&1 || { tail -n 20 "$OUT/demo.txt"; echo "FAIL: the demo failed"; exit 1; }
# its two rtprof sections: from the "== rtprof ..." line to the next "== "
section() { awk -v h="== rtprof $1" 'index($0, h) == 1 { on = 1; next } /^== / { on = 0 } on' "$OUT/demo.txt"; }
section report > "$OUT/report.txt"
section diff > "$OUT/diff.txt"
D=build/examples/comptime-clone
"$RTPROF" report --top 0 --stacks --timeline "$D/bug.dump" > "$OUT/all.txt"
"$RTPROF" report --wide --top 10 "$D/bug.dump" > "$OUT/report-wide.txt"
"$RTPROF" diff --wide "$D/bug.dump" "$D/fix.dump" > "$OUT/diff-wide.txt"

# widest NAME FILE: prints "NAME: N lines, widest W, over 100: K" (columns, not bytes)
widest() { LC_ALL=C.UTF-8 awk -v n="$1" '{ w = length($0); if (w > m) m = w; if (w > 100) k++ }
  END { printf "%s: %d lines, widest %d, over 100: %d\n", n, NR, m, k }' "$2"; }
for f in report diff all report-wide diff-wide; do
  line=$(widest "$f" "$OUT/$f.txt")
  echo "$line"
  case $f in
    *-wide) ;;
    *) [ "$(wc -l < "$OUT/$f.txt")" -gt 10 ] || fail "$f: the section is missing from the demo's output"
       [[ $line == *"over 100: 0" ]] && pass "$f fits 100 columns" || fail "$f: lines over 100 columns: $line" ;;
  esac
done
# what was cut is whole with --wide
grep -q "clone_source $TOP/examples/comptime-clone/comptime.c:" "$OUT/report-wide.txt" &&
  pass "--wide: full source paths" || fail "--wide report lacks the full path of comptime.c"
grep -q "clone_source comptime.c:" "$OUT/report.txt" && grep -q "^  sources  $TOP/examples/comptime-clone/ " "$OUT/report.txt" &&
  pass "default: paths relative to the sources line" || fail "default report: no relative path or no sources line"
"$RTPROF" report --json "$D/bug.dump" > "$OUT/a.json"
"$RTPROF" report --json --wide "$D/bug.dump" > "$OUT/b.json"
cmp -s "$OUT/a.json" "$OUT/b.json" && pass "JSON is the same with --wide" || fail "--wide changed the JSON"
"$RTPROF" diff --json "$D/bug.dump" "$D/fix.dump" > "$OUT/a.json"
"$RTPROF" diff --json --wide "$D/bug.dump" "$D/fix.dump" > "$OUT/b.json"
cmp -s "$OUT/a.json" "$OUT/b.json" && pass "diff JSON is the same with --wide" || fail "--wide changed the diff's JSON"

# long names: a 150-character function and a deep phase name are cut in the
# middle, file:line kept; --wide prints them whole
fn=make_$(printf 'a_very_long_namespace_like_prefix_%.0s' 1 2 3 4)allocator_of_nodes
phase=$(printf 'a_phase_with_a_long_name_%.0s' 1 2)
cat > "$OUT/long.c" <<C
#include <rtprof.h>
__attribute__((noinline)) static void *$fn(void) { return rt_alloc(100); }
int main(void) {
  PROFILE_PHASE("$phase");
  return $fn() ? 0 : 1;
}
C
gcc -std=gnu11 -g -O1 -Iinclude "$OUT/long.c" -o "$OUT/long" -Lbuild/lib -Wl,-rpath,"$TOP/build/lib" -lrtprof
RTPROF=1 RTPROF_OUT="$OUT/long.dump" "$OUT/long"
"$RTPROF" report "$OUT/long.dump" > "$OUT/long.txt"
"$RTPROF" report --wide "$OUT/long.dump" > "$OUT/long-wide.txt"
line=$(widest long "$OUT/long.txt"); echo "$line"
[[ $line == *"over 100: 0" ]] && pass "a long function name fits 100 columns" || fail "long names: $line"
head=${fn:0:20} tail=${fn: -20}
grep -qE "^  1 .*  ${head}[a-z_]*…[a-z_]*${tail} long\.c:2\$" "$OUT/long.txt" &&
  pass "the function's middle cut, long.c:2 kept" || fail "no cut function name ending in long.c:2: $(grep 'long.c:2' "$OUT/long.txt" | head -2)"
grep -q "^  ${phase:0:10}[a-z_]*…[a-z_]*${phase: -10} " "$OUT/long.txt" &&
  pass "the phase's name cut in the middle" || fail "phase name not cut: $(grep -A1 '^  phase' "$OUT/long.txt")"
grep -q " $fn $OUT/long.c:2\$" "$OUT/long-wide.txt" && grep -q "^  $phase " "$OUT/long-wide.txt" &&
  pass "--wide: the names whole" || fail "--wide cut a name"
[ "$failures" -eq 0 ] || { echo "t_width: $failures failure(s)"; exit 1; }
