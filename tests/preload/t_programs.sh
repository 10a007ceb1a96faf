# Real Debian programs under the interposer: output and exit status
# unchanged, a dump written that reads and balances, and a report.
. "$(dirname "$0")/common.sh"
cd "$OUT"
printf 'b 2\na 1\nc 3\n' > in.txt
cat > script.sql <<'SQL'
CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO t SELECT i, printf('value-%d', i * 7) FROM n;
SELECT count(*), sum(length(v)) FROM t WHERE v LIKE '%7%';
SQL
run_one() { # NAME EXPECTED_STATUS CMD...
  local name=$1 want=$2; shift 2
  local rc=0 prc=0
  "$@" > "$name.plain.out" 2>&1 || rc=$?
  NAME=$name profiled "$@" > "$name.prof.out" 2>&1 || prc=$?
  [ "$rc" -eq "$want" ] || fail "$name: plain exit $rc, expected $want"
  [ "$prc" -eq "$rc" ] || fail "$name: exit $prc under rtprof, $rc without"
  cmp -s "$name.plain.out" "$name.prof.out" || { diff "$name.plain.out" "$name.prof.out" | head; fail "$name: output differs"; }
  local dumps=("$OUT/$name".*.dump)
  [ ${#dumps[@]} -eq 1 ] && [ -f "${dumps[0]}" ] || fail "$name: expected one dump, got ${dumps[*]}"
  check_dump "${dumps[0]}"
  "$RTPROF" report --top 5 "${dumps[0]}" > "$name.report" || fail "$name: report failed"
  grep -q "Top sites" "$name.report" || fail "$name: report has no site table"
}
run_one python3 0 /usr/bin/python3 -c 'import json; print(json.dumps({"k": [i * i for i in range(1000)]})[:40])'
run_one python3-exit 3 /usr/bin/python3 -c 'import sys; sys.exit(3)'
run_one sort 0 sort -k2 in.txt
run_one sort-missing 2 sort no-such-file
if command -v sqlite3 >/dev/null; then
  run_one sqlite3 0 sqlite3 :memory: ".read script.sql"
else
  echo "sqlite3 not installed: that case skipped"
fi
if command -v gawk >/dev/null; then
  run_one gawk 0 gawk '{ s[$1] = $2 } END { for (k in s) n += s[k]; print n }' in.txt
fi
