#!/usr/bin/env bash
# No wrong names: a frame is named only when its address lies inside the
# extent of a symbol of that name in the module's ELF symbol tables (.symtab,
# else .dynsym; a separate debug file's when one is installed); otherwise it
# prints module+0xOFFSET (no symbol) and JSON gives function null.
#   - a small program, stripped: the static allocator that addr2line would
#     name after the exported function below it comes out as (no symbol);
#     with a separate debug file (.gnu_debuglink beside it, or in .debug/)
#     file:line comes back; a stale debug file (another build-id) is not used;
#     a frame with no name matches no function pattern of `check`;
#   - Debian's stripped sqlite3 and python3, and a C++ program, profiled at
#     depth 4: every name the JSON report prints lies inside that symbol's
#     extent, checked against readelf -sW of the same module (names_check.py).
set -eu
. "$(dirname "$0")/lib.sh"
for tool in strip objcopy; do command -v "$tool" > /dev/null || skip "$tool is not installed"; done
PRELOAD=$TOP/build/lib/librtprof-preload.so
[ -f "$PRELOAD" ] || skip "librtprof-preload.so is not built"

# ---- the test program: exported_alloc (100 B), then static hidden_alloc (200 B)
P=$OUT/np
mkdir -p "$P"
gcc -g -O0 -rdynamic -Wl,--build-id -o "$P/names_prog" tests/report/names_prog.c
expect_rc 0 "$RTPROF_BIN" run --no-report -o "$OUT/np.dump" -- "$P/names_prog"
cp "$P/names_prog" "$P/full"
strip "$P/names_prog"   # keeps the build-id and .dynsym (exported_alloc, main)

# site_of JSON BYTES: "function|status|file|line" of the first frame of the site of BYTES
site_of() {
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
f = [s for s in d["sites"] if s["alloc_bytes"] == int(sys.argv[2])][0]["frames"][0]
print("%s|%s|%s|%s" % (f["function"], f["status"], f["file"] and f["file"].split("/")[-1], f["line"]))' "$@"
}
# expect_site BYTES WANT WHAT
expect_site() {
  local got
  got=$(site_of "$OUT/out" "$1")
  [ "$got" = "$2" ] && pass "$3" || fail "$3: got $got, want $2"
}

expect_rc 0 "$RTPROF_BIN" report --json "$OUT/np.dump"
check_json "$OUT/out"
expect_site 200 "None|no symbol|None|None" "stripped: the static allocator has no name (JSON null)"
expect_site 100 "exported_alloc|no line info|None|None" "stripped: the exported allocator keeps its .dynsym name"
expect_rc 0 "$RTPROF_BIN" report "$OUT/np.dump"
grep -Eq '  200B .*  names_prog\+0x[0-9a-f]+ \(no symbol\)$' "$OUT/out" && pass "stripped: text says (no symbol)" \
  || { fail "stripped: text"; cat "$OUT/out"; }
# a frame with no name matches no function pattern: exported_alloc's 100 B fit 150 B
expect_rc 0 "$RTPROF_BIN" check --max-site-bytes 'exported_alloc=150' "$OUT/np.dump" \
  && pass "check: an unnamed frame is not exported_alloc's" || true
expect_rc 1 "$RTPROF_BIN" check --max-site-bytes 'exported_alloc=99' "$OUT/np.dump" \
  && pass "check: exported_alloc's own 100 B still count" || true

# ---- a separate debug file beside it, then in .debug/: file:line comes back
objcopy --only-keep-debug "$P/full" "$P/names_prog.debug"
objcopy --add-gnu-debuglink="$P/names_prog.debug" "$P/names_prog"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/np.dump"
expect_site 200 "hidden_alloc|resolved|names_prog.c|15" "debuglink beside it: hidden_alloc names_prog.c:15"
expect_site 100 "exported_alloc|resolved|names_prog.c|9" "debuglink beside it: exported_alloc names_prog.c:9"
mkdir -p "$P/.debug"
mv "$P/names_prog.debug" "$P/.debug/"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/np.dump"
expect_site 200 "hidden_alloc|resolved|names_prog.c|15" "debuglink in .debug/: file:line"
# a debug file of another build (another build-id) is never used
gcc -g -O0 -rdynamic -Wl,--build-id -O1 -o "$P/other" tests/report/names_prog.c
objcopy --only-keep-debug "$P/other" "$P/.debug/names_prog.debug"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/np.dump"
expect_site 200 "None|no symbol|None|None" "a stale debug file is not used"

# ---- Debian's stripped programs: every printed name inside its symbol's extent
check_names() { # NAME JSON MIN_NAMED MIN_UNNAMED
  if python3 tests/report/names_check.py "$2" "$3" "$4" > "$OUT/$1.check"; then
    pass "$1: $(head -1 "$OUT/$1.check"), all inside their symbols"
  else
    fail "$1: wrong names"; sed 's/^/    /' "$OUT/$1.check"
  fi
}
if [ -x /usr/bin/sqlite3 ]; then
  printf '%s\n' "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);" \
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM n WHERE x<3000) INSERT INTO t SELECT x, printf('row-%d', x) FROM n;" \
    "CREATE INDEX tb ON t(b);" "SELECT count(*) FROM t WHERE b LIKE 'row-1%';" > "$OUT/script.sql"
  RTPROF_DEPTH=4 expect_rc 0 "$RTPROF_BIN" run --depth 4 --no-report -o "$OUT/sqlite3.dump" -- /usr/bin/sqlite3 :memory: \
    < "$OUT/script.sql"
  expect_rc 0 "$RTPROF_BIN" report --json "$OUT/sqlite3.dump"
  cp "$OUT/out" "$OUT/sqlite3.json"
  check_names sqlite3 "$OUT/sqlite3.json" 20 20
else
  echo "note: /usr/bin/sqlite3 is not installed; its half was not run"
fi
RTPROF_DEPTH=4 expect_rc 0 "$RTPROF_BIN" run --depth 4 --no-report -o "$OUT/python3.dump" -- /usr/bin/python3 -c \
  'import json; d = {str(i): [i] * 10 for i in range(5000)}; print(len(json.loads(json.dumps(d))))'
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/python3.dump"
cp "$OUT/out" "$OUT/python3.json"
check_names python3 "$OUT/python3.json" 20 20
# C++: demangled names (operator new, std:: templates) against the mangled table
if command -v g++ > /dev/null && command -v c++filt > /dev/null; then
  g++ -std=c++17 -O1 -g tests/preload/cxx_prog.cpp -o "$OUT/cxx"
  # RTPROF_SKIP= keeps operator new's frames (walked past at capture by default)
  RTPROF_SKIP= RTPROF_DEPTH=4 expect_rc 0 "$RTPROF_BIN" run --depth 4 --no-report -o "$OUT/cxx.dump" -- "$OUT/cxx"
  expect_rc 0 "$RTPROF_BIN" report --json "$OUT/cxx.dump"
  cp "$OUT/out" "$OUT/cxx.json"
  check_names "C++ program" "$OUT/cxx.json" 5 0
  grep -q '"function": "operator new(unsigned long)"' "$OUT/cxx.json" && pass "C++: operator new keeps its name" \
    || fail "C++: operator new lost its name"
fi
finish
