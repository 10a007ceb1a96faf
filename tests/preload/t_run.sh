# `rtprof run`: the command's output and exit status pass through, the report
# follows, -o and --depth are honoured, children are profiled only with
# --follow-children, and a command that cannot run is a clear error (exit 2).
. "$(dirname "$0")/common.sh"
cd "$OUT"
printf 'b\na\nc\n' > in.txt
"$RTPROF" run -o run1.%p.dump -- sort in.txt > out.txt 2> err.txt
head -3 out.txt | tr -d '\n' | grep -qx "abc" || fail "sort's output did not pass through: $(head -3 out.txt)"
grep -q "Top sites" err.txt || fail "no report after the run"
ls run1.*.dump > /dev/null || fail "no dump at -o path"
rc=0; "$RTPROF" run --no-report -o run2.%p.dump -- /usr/bin/python3 -c 'import sys; sys.exit(7)' || rc=$?
[ "$rc" -eq 7 ] || fail "exit status 7 came back as $rc"
rc=0; "$RTPROF" run --no-report -o run3.%p.dump -- sh -c 'kill -TERM $$' || rc=$?
[ "$rc" -eq 143 ] || fail "death by SIGTERM came back as $rc, want 143"
# Without --follow-children only the shell is profiled; with it, sort too.
"$RTPROF" run --no-report -o nofollow.%p.dump -- bash -c 'sort in.txt > /dev/null; true'
[ "$(ls nofollow.*.dump | wc -l)" -eq 1 ] || fail "children were profiled without --follow-children: $(ls nofollow.*)"
"$RTPROF" run --no-report --follow-children -o follow.%p.dump -- bash -c 'sort in.txt > /dev/null; true'
[ "$(ls follow.*.dump | wc -l)" -eq 2 ] || fail "--follow-children: want 2 dumps, got $(ls follow.*.dump | wc -l)"
"$RTPROF" run --no-report --depth 6 -o deep.dump -- sort in.txt > /dev/null
grep -q "^process .* depth=6 " deep.dump || fail "--depth 6 not in the dump"
rc=0; "$RTPROF" run -- ./no-such-program 2> err.txt || rc=$?
[ "$rc" -eq 2 ] && grep -q "cannot run './no-such-program'" err.txt || fail "missing program: exit $rc, $(cat err.txt)"
rc=0; "$RTPROF" run --depth 99 -- true 2> err.txt || rc=$?
[ "$rc" -eq 2 ] && grep -q "depth" err.txt || fail "bad --depth accepted"
# --skip, --top and --json reach the report: a malloc program with two
# wrappers, at depth 4, folds to the wrappers' callers; the two largest.
src=$TOP/tests/preload/run_prog.c
gcc -std=gnu11 -g -O2 "$src" -o run_prog
report_of() { # the report, wherever rtprof run prints it (stdout or stderr)
  python3 -c 'import sys; t = open(sys.argv[1]).read(); print(t[t.index("{"):] if "{" in t else "")' "$1"
}
"$RTPROF" run --json --top 2 --depth 4 --skip '^(xmalloc|vec_grow)$' -o skip.dump -- ./run_prog > skip.out 2>&1 \
  || fail "rtprof run --json failed: $(cat skip.out)"
report_of skip.out > skip.json
python3 "$TOP/tests/report/schema.py" skip.json || fail "rtprof run --json: not the JSON contract"
got=$(python3 -c 'import json, sys
for s in json.load(open(sys.argv[1]))["sites"]:
    f = s["frames"][0]; print(f["function"], f["line"], s["allocs"], s["alloc_bytes"])' skip.json)
want="parse $(grep -n 'SITE:parse ' "$src" | cut -d: -f1) 5 10000
emit $(grep -n 'SITE:emit ' "$src" | cut -d: -f1) 7 7000"
[ "$got" = "$want" ] || fail "rtprof run --json --top 2 --skip: sites$(printf '\n%s\nwant\n%s' "$got" "$want")"
# without --skip (nothing walked past at capture either): the wrappers are the sites
"$RTPROF" run --no-report --depth 4 -o noskip.dump -- ./run_prog > /dev/null 2>&1
"$RTPROF" report --json --top 1 noskip.dump > noskip.json
[ "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sites"][0]["frames"][0]["function"])' noskip.json)" = xmalloc ] \
  || fail "without --skip the top site is not xmalloc"
# --top in the text report: exactly one row
"$RTPROF" run --top 1 -o top.dump -- ./run_prog > top.out 2>&1
grep -q "^Top sites by alloc bytes (1 of " top.out || fail "rtprof run --top 1: $(grep 'Top sites' top.out)"
echo "rtprof run: ok"
