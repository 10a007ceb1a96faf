# `rtprof run` as used for real: a program linked with librtprof writes its
# dump; a wrapper script that execs the real program profiles that program
# (same pid, later image); a dump not written at exit is said so; the
# program's standard output passes byte for byte (the report goes to stderr
# or --report FILE); a bad RTPROF_CHILDREN value is named.
. "$(dirname "$0")/common.sh"
cd "$OUT"
LIB=$TOP/build/lib
gcc -std=gnu11 -Wall -Wextra -Werror -O1 -I"$TOP/include" "$TOP/tests/preload/linked_prog.c" -o linked \
  -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
seq 200 -1 1 > nums.txt

# 1. Linked with librtprof: its dump exists, and counts both blocks.
"$RTPROF" run --no-report -o linked.%p.dump -- ./linked > linked.out 2> linked.err \
  || fail "linked program failed: $(cat linked.err)"
ls linked.*.dump > /dev/null 2>&1 || fail "a program linked with librtprof wrote no dump under rtprof run: $(cat linked.err)"
python3 - linked.*.dump <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert " reason=exit" in lines[1], lines[1]
sizes = [l for l in lines if l.startswith("site ") and (" alloc_bytes=12345 " in l or " alloc_bytes=54321 " in l)]
assert len(sizes) == 2, f"want the rt_alloc and the malloc site, got {sizes}"
print("linked: ok")
PY

# 2. A wrapper that execs the real program: the dump is sort's, written at exit.
printf '#!/bin/sh\n# a shim, as pyenv and friends are\nexec sort -n "$@"\n' > wrap.sh
chmod +x wrap.sh
"$RTPROF" run --no-report -o wrap.%p.dump -- ./wrap.sh nums.txt > wrap.out 2> wrap.err
[ "$(ls wrap.*.dump | wc -l)" -eq 1 ] || fail "want one dump, got $(ls wrap.*.dump)"
grep -qx "exe $(readlink -f "$(command -v sort)")" wrap.*.dump || fail "the dump is not sort's: $(grep '^exe' wrap.*.dump)"
grep -q "^process .* reason=exit" wrap.*.dump || fail "the dump was not written at exit: $(sed -n 2p wrap.*.dump)"
! grep -q "not written at exit" wrap.err || fail "a false 'not written at exit': $(cat wrap.err)"
# The shim's children are not profiled (no --follow-children): one dump only.
printf '#!/bin/sh\nd=$(dirname "$0")\nexec sort -n "$@"\n' > wrap2.sh
chmod +x wrap2.sh
"$RTPROF" run --no-report -o wrap2.%p.dump -- ./wrap2.sh nums.txt > /dev/null 2>&1
[ "$(ls wrap2.*.dump | wc -l)" -eq 1 ] || fail "the shim's child was profiled: $(ls wrap2.*.dump)"

# 3. Killed before exit: the dump left is a periodic one, and run says so.
rc=0; "$RTPROF" run -o killed.%p.dump -- sh -c 'sleep 1; kill -KILL $$' > /dev/null 2> killed.err || rc=$?
[ "$rc" -eq 137 ] || fail "killed: exit $rc, want 137"
grep -q "was not written at exit (reason=flush)" killed.err || fail "no word that the dump was not written at exit: $(cat killed.err)"

# 4. Standard output byte for byte; the report on stderr, or in --report FILE.
sort -n nums.txt | md5sum > want.md5
"$RTPROF" run -o out.%p.dump -- sort -n nums.txt 2> out.err | md5sum > got.md5
cmp -s want.md5 got.md5 || fail "rtprof run changed the program's standard output"
grep -q "Top sites" out.err || fail "no report on standard error: $(head -5 out.err)"
"$RTPROF" run --report report.txt -o rep.%p.dump -- sort -n nums.txt > rep.out 2> rep.err
cmp -s rep.out <(sort -n nums.txt) || fail "--report: the program's output changed"
grep -q "Top sites" report.txt || fail "--report FILE: no report in it"
! grep -q "Top sites" rep.err || fail "--report FILE: the report went to stderr too"

# 5. A bad RTPROF_CHILDREN is named, and the program runs on.
RTPROF=1 RTPROF_CHILDREN=maybe RTPROF_OUT="$OUT/children.dump" ./linked > /dev/null 2> children.err \
  || fail "RTPROF_CHILDREN=maybe: the program failed"
grep -q "RTPROF_CHILDREN='maybe'" children.err || fail "RTPROF_CHILDREN=maybe: no warning naming it: $(cat children.err)"
echo "run on real programs: ok"
