# Shared by the interposer tests: paths, an output folder per test, and
# check_dump DUMP: the dump reads, totals are non-zero and balance.
set -euo pipefail
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
RTPROF=$TOP/build/bin/rtprof
PRELOAD=$TOP/build/lib/librtprof-preload.so
OUT=$TOP/build/tests/preload/$(basename "$0" .sh)
rm -rf "$OUT" && mkdir -p "$OUT"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$PRELOAD" ] || fail "build/lib/librtprof-preload.so is not built"

# profiled CMD...: runs CMD under the interposer, dump in $OUT/NAME.%p.dump
profiled() { RTPROF=1 RTPROF_OUT="$OUT/${NAME:-run}.%p.dump" LD_PRELOAD="$PRELOAD" "$@"; }

check_dump() {
  python3 - "$1" <<'PY'
import sys
recs = {}
for line in open(sys.argv[1]):
    name, *fields = line.rstrip("\n").split(" ")
    recs.setdefault(name, []).append(dict(f.split("=", 1) for f in fields if "=" in f))
t = {k: int(v) for k, v in recs["totals"][0].items()}
assert "end" in recs, "no end record"
assert t["allocs"] > 0 and t["alloc_bytes"] > 0, f"empty totals {t}"
assert t["allocs"] - t["frees"] == t["live_blocks"], f"unbalanced {t}"
assert t["alloc_bytes"] - t["freed_bytes"] == t["live_bytes"], f"unbalanced {t}"
sites = recs.get("site", [])
o = recs["overflow"][0]
assert sum(int(s["allocs"]) for s in sites) + int(o["allocs"]) == t["allocs"], "sites do not add up"
assert sum(int(s["frees"]) for s in sites) + int(o["frees"]) == t["frees"], "frees do not add up"
print(f"{sys.argv[1]}: {t['allocs']} allocs, {t['frees']} frees, {t['live_blocks']} live")
PY
}
