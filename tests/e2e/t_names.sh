# Any name a program passes (PROFILE_PHASE(""), rtprof_snapshot("") and
# (NULL), control bytes, spaces at the ends, '%', bytes that are not UTF-8,
# a name past the 63 bytes kept) gives a dump the reader accepts, each phase
# with its own bytes; a phase named "a/b" stays apart from "b" nested in "a"
# (its '/' is kept as %2F).
. "$(dirname "$0")/common.sh"
$CC $CFLAGS "$TOP/tests/e2e/names_prog.c" -o "$OUT/names" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
RTPROF=1 RTPROF_OUT="$OUT/names.dump" "$OUT/names" 2> "$OUT/names.err" || fail "the program failed: $(cat "$OUT/names.err")"
"$RTPROF" report --json "$OUT/names.dump" > "$OUT/names.json" 2> "$OUT/report.err" \
  || fail "the dump does not read: $(cat "$OUT/report.err")"
"$RTPROF" report "$OUT/names.dump" > /dev/null 2>&1 || fail "the text report fails"
python3 - "$OUT/names.json" "$OUT/names.dump" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
by_path = {p["path"]: p["alloc_bytes"] for p in doc["phases"]}
long = "0123456789012345678901234567890123456789012345678901234567890123456789"[:63]
want = {
    "": 1000,
    "line?break?\x1b[31m\ttab": 2000,
    " spaced ": 3000,
    "100% = all": 4000,
    "a%2Fb": 6000,
    "a": 0,
    "a/b": 7000,
    long: 8000,
}
for path, b in want.items():
    assert path in by_path, f"phase {path!r} missing; have {sorted(by_path)}"
    assert by_path[path] == b, f"phase {path!r}: {by_path[path]} bytes, want {b}"
odd = [p for p in by_path if p.startswith("\ufffd") or "not utf-8" in p]
assert len(odd) == 1 and by_path[odd[0]] == 5000, f"the non-UTF-8 phase: {odd}"
assert len(by_path) == len(want) + 1, f"unexpected phases: {sorted(by_path)}"
labels = [l.rstrip("\n").split(" name=", 1)[1] for l in open(sys.argv[2], encoding="latin-1")
          if l.startswith("snapshot ") and "kind=label" in l]
assert labels == ["", "", "label?with newline "], f"labels {labels}"
print("names: ok")
PY
