#!/usr/bin/env bash
# Sites are matched across two builds of one program by function and
# file:line, never by address: the second build (-DMOVED) has code in front
# of the allocation sites, so every address differs, yet diff shows no site
# appearing or disappearing, only the one whose figures changed. A third
# build from another checkout (another path to the same file) is matched by
# file name. The dumps are real: the program runs linked with librtprof.
set -eu
AREA=diffcheck
. "$(dirname "$0")/../report/lib.sh"
command -v python3 > /dev/null || skip "python3 is not installed"
LIB=$TOP/build/lib
[ -f "$LIB/librtprof.so" ] || { fail "build/lib/librtprof.so is not built"; finish; }

# build NAME SRC [CFLAGS...]: a build of the fixture into $OUT/NAME
build() {
  local name=$1 src=$2; shift 2
  gcc -std=gnu11 -g -O1 -Wall -Werror -Iinclude "$@" "$src" -o "$OUT/$name" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
}
build one tests/diffcheck/moved_prog.c
build two tests/diffcheck/moved_prog.c -DMOVED
mkdir -p "$OUT/checkout2"
cp tests/diffcheck/moved_prog.c "$OUT/checkout2/moved_prog.c"
(cd "$OUT/checkout2" && gcc -std=gnu11 -g -O1 -Wall -Werror -I"$TOP/include" -DMOVED moved_prog.c -o ../three \
  -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof)
RTPROF=1 RTPROF_OUT="$OUT/one.dump" "$OUT/one" 10 1000
RTPROF=1 RTPROF_OUT="$OUT/two.dump" "$OUT/two" 10 3000
RTPROF=1 RTPROF_OUT="$OUT/three.dump" "$OUT/three" 10 1000
table=$(grep -n 'SITE:table' tests/diffcheck/moved_prog.c | cut -d: -f1)
name=$(grep -n 'SITE:name' tests/diffcheck/moved_prog.c | cut -d: -f1)

# the same sites at other addresses
frames() { sed -n 's/^site .* frames=//p' "$1" | sort; }
[ -n "$(frames "$OUT/one.dump")" ] && [ -z "$(comm -12 <(frames "$OUT/one.dump") <(frames "$OUT/two.dump"))" ] \
  && pass "the two builds' sites have different addresses" || fail "the builds share site addresses: the code did not move"

expect_rc 0 "$RTPROF_BIN" diff --json "$OUT/one.dump" "$OUT/two.dump"
cp "$OUT/out" "$OUT/one-two.json"
python3 - "$OUT/one-two.json" "$table" "$name" <<'PY' && pass "moved code: sites matched by function and file:line" || fail "moved code: matching"
import json, sys
doc, table, name = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
sites = {(s["frame"]["function"], s["frame"]["line"]): s for s in doc["sites"]}
t, n = sites[("make_table", table)], sites[("copy_name", name)]
assert t["status"] == "grew" and t["match"] == "exact", t
assert (t["before"]["alloc_bytes"], t["after"]["alloc_bytes"], t["change"]) == (10000, 30000, 20000), t
assert n["status"] == "unchanged" and n["match"] == "exact" and n["before"]["alloc_bytes"] == 70, n
assert all(s["status"] not in ("appeared", "disappeared") for s in doc["sites"]), doc["sites"]
assert doc["summary"]["sites"]["appeared"] == 0 and doc["summary"]["sites"]["disappeared"] == 0
w = {p["path"]: p for p in doc["phases"]}["work"]
assert w["before"]["calls"] == w["after"]["calls"] == 10 and w["status"] == "grew", w
assert w["before"]["cum_alloc_bytes"] == 10070 and w["after"]["cum_alloc_bytes"] == 30070, w
PY
expect_rc 0 "$RTPROF_BIN" diff "$OUT/one.dump" "$OUT/two.dump"
grep -Eq "^ +\+19\.5K +grew +9\.77K→29\.3K +10→10 +0→0 +make_table moved_prog\.c:$table\$" "$OUT/out" \
  && pass "text: the grown site, before → after" || { fail "text: the grown site"; cat "$OUT/out"; }
expect_rc 0 "$RTPROF_BIN" diff --wide "$OUT/one.dump" "$OUT/two.dump"
grep -Eq "^ +\+19\.5 KiB +grew +9\.8 KiB → 29\.3 KiB +10 → 10 +0 B → 0 B +make_table .*moved_prog\.c:$table\$" "$OUT/out" \
  && pass "--wide: the grown site, before → after" || { fail "--wide: the grown site"; cat "$OUT/out"; }
expect_rc 0 "$RTPROF_BIN" diff "$OUT/one.dump" "$OUT/two.dump"
grep -q "sites   1 grew, 0 shrank, 0 appeared, 0 disappeared, 1 unchanged" "$OUT/out" \
  && pass "text: summary" || fail "text: summary"

# another checkout: the same file under another path, matched by file name
expect_rc 0 "$RTPROF_BIN" diff --json "$OUT/one.dump" "$OUT/three.dump"
python3 - "$OUT/out" "$table" <<'PY' && pass "another checkout: matched by file name" || fail "another checkout"
import json, sys
doc, table = json.load(open(sys.argv[1])), int(sys.argv[2])
assert doc["summary"]["sites"] == {"grew": 0, "shrank": 0, "appeared": 0, "disappeared": 0, "unchanged": 2}, doc["summary"]
t = next(s for s in doc["sites"] if s["frame"]["function"] == "make_table")
assert t["match"] == "file_name" and t["frame"]["line"] == table and "checkout2" in t["frame"]["file"], t
PY
expect_rc 0 "$RTPROF_BIN" diff "$OUT/one.dump" "$OUT/three.dump"
grep -q "^  matched  2 sites by function, file name and line (their paths differ)" "$OUT/out" \
  && pass "text: says which sites matched by file name" || fail "text: matched by file name: $(cat "$OUT/out")"
finish
