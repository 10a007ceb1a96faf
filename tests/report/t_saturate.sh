#!/usr/bin/env bash
# Merged counts near 2^64 saturate rather than wrap, and the report says so:
# two dumps whose site, phase, pair and totals counters each hold
# 2^64 - 616 merge into 2^64 - 1 (text, JSON), with the note in Warnings
# and in JSON's problems[].
set -eu
. "$(dirname "$0")/lib.sh"
V=18446744073709551000   # 2^64 - 616
MAX=18446744073709551615
cat > "$OUT/big.dump" <<DUMP
rtprof-dump 1
process pid=9 depth=1 site_capacity=65536 phase_capacity=1024 pair_capacity=65536 start_ns=1 dump_ns=2 reason=exit
exe /bin/true
totals allocs=$V frees=0 alloc_bytes=$V freed_bytes=0 live_blocks=$V live_bytes=$V peak_live_bytes=$V failed_allocs=0 committed_bytes=$V peak_committed_bytes=$V rss_bytes=1 peak_rss_bytes=1 mmap_bytes=0 overhead_bytes=0
site id=1 allocs=$V alloc_bytes=$V frees=0 freed_bytes=0 peak_live_bytes=$V frames=0x1000
overflow sites_dropped=0 pairs_dropped=0 allocs=0 alloc_bytes=0 frees=0 freed_bytes=0
phase id=1 parent=0 calls=$V open=0 committed_delta=0 committed_delta_max=0 live_delta=0 wall_ns=$V name=p
pair phase=1 site=1 allocs=$V alloc_bytes=$V frees=0 freed_bytes=0
warning phase_end_without_begin count=$V
end modules=0 sites=1 phases=1 pairs=1
DUMP
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/big.dump" "$OUT/big.dump"
check_json "$OUT/out"
python3 - "$OUT/out" "$MAX" <<'PY' && pass "JSON: merged sums held at 2^64-1, said in problems[]" || fail "JSON sums"
import json, sys
d, mx = json.load(open(sys.argv[1])), int(sys.argv[2])
t, s, p = d["totals"], d["sites"][0], d["phases"][0]
assert (t["allocs"], t["alloc_bytes"]) == (mx, mx), t
assert (s["allocs"], s["alloc_bytes"]) == (mx, mx), s
assert (p["calls"], p["allocs"], p["alloc_bytes"]) == (mx, mx, mx), p
assert d["warnings"][0]["count"] == mx, d["warnings"]
assert any("saturated" in x for x in d["problems"]), d["problems"]
PY
expect_rc 0 "$RTPROF_BIN" report "$OUT/big.dump" "$OUT/big.dump"
grep -q "^  allocs  *$MAX\$" "$OUT/out" && grep -qF "merged counts reached 2^64-1 and were held there (saturated)" "$OUT/out" \
  && pass "text: totals held at 2^64-1, with the note" || { fail "text"; head -30 "$OUT/out"; }
# one dump alone: nothing to say
expect_rc 0 "$RTPROF_BIN" report "$OUT/big.dump"
grep -q "saturated" "$OUT/out" && fail "a single dump said saturated" || pass "a single dump: no note"
finish
