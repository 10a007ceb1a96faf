#!/usr/bin/env bash
# Every output is valid UTF-8 and well-formed whatever the dump holds: names
# with a terminal escape, ';', bytes F5-FF, overlongs, surrogates, U+FFFE and
# U+FFFF, C1 controls, BEL and DEL (in the program, a module path, a phase,
# a warning, a label, and a function's own symbol name) go through every
# writer: text, JSON, collapsed, pprof, SVG, HTML, diff (text and JSON) and
# check, and messages on stderr. Text shows them as \xHH (no terminal escape
# gets through), JSON parses, the SVG parses as XML, a ';' adds no frame to a
# collapsed stack.
set -eu
. "$(dirname "$0")/lib.sh"
H="python3 tests/report/hostile_text.py"
$H asm "$OUT/evil.s"
gcc -shared -Wl,--build-id -o "$OUT/evil.so" "$OUT/evil.s"
off=$(nm "$OUT/evil.so" | awk '$2 == "T" && $3 ~ /^ev;il/ { print $1 }')
$H dump "$OUT/a.dump" "$OUT/evil.so" "$(build_id "$OUT/evil.so")" "$off" 1
$H dump "$OUT/b.dump" "$OUT/evil.so" "$(build_id "$OUT/evil.so")" "$off" 3

# run_check FORMAT NAME CMD...: CMD's standard output (or the file it wrote) passes the check
run_check() {
  local fmt=$1 name=$2 file; shift 2
  file=$OUT/$name.out
  "$@" > "$file" 2> "$OUT/$name.err" || true
  [ -n "${FROM:-}" ] && file=$FROM
  if $H check "$fmt" "$file" > "$OUT/$name.check" 2>&1; then pass "$name"; else fail "$name: $(tail -1 "$OUT/$name.check")"; fi
}
R=$RTPROF_BIN
run_check text "text report" "$R" report --stacks --timeline "$OUT/a.dump"
grep -qF 'ev;il\x1b[31m\xf5\xff\xc0\xaf\xed\xa0\x80\xef\xbf\xbe\xc2\x9b\x07x evil.so+0x' "$OUT/text report.out" \
  && pass "text: the function's bytes shown as \\xHH" || fail "text: the function's name"
run_check json "JSON report" "$R" report --json "$OUT/a.dump"
run_check collapsed "collapsed stacks" "$R" report --format collapsed "$OUT/a.dump"
run_check pprof "pprof" "$R" report --format pprof "$OUT/a.dump"
FROM=$OUT/a.svg run_check svg "SVG timeline" "$R" report --svg "$OUT/a.svg" "$OUT/a.dump"
FROM=$OUT/a.html run_check html "HTML page" "$R" report --html "$OUT/a.html" "$OUT/a.dump"
run_check text "diff text" "$R" diff "$OUT/a.dump" "$OUT/b.dump"
run_check json "diff --json" "$R" diff --json "$OUT/a.dump" "$OUT/b.dump"
run_check text "check text" "$R" check --max-live 1 --max-site-bytes '*=1' "$OUT/a.dump"
grep -q 'ev;il' "$OUT/check text.out" && pass "check names the function" || fail "check does not name the function"
# messages on stderr carry names too: a module under a directory named with an escape
esc=$(printf 'd\033[31m\302\233')
mkdir -p "$OUT/$esc"
cp "$OUT/evil.so" "$OUT/$esc/"
$H dump "$OUT/c.dump" "$OUT/$esc/evil.so" "$(build_id "$OUT/evil.so")" "$off" 1
"$R" report --addr2line /bin/false "$OUT/c.dump" > /dev/null 2> "$OUT/stderr.out" || true
if grep -qF 'rtprof: warning: cannot symbolize ' "$OUT/stderr.out" && grep -qF 'd\x1b[31m\xc2\x9b/evil.so' "$OUT/stderr.out" \
  && $H check text "$OUT/stderr.out" > "$OUT/stderr.check" 2>&1; then
  pass "stderr: the module's path shown as \\xHH"
else
  fail "stderr: $(cat "$OUT/stderr.check" 2>/dev/null) $(cat -v "$OUT/stderr.out")"
fi
finish
