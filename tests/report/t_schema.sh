#!/usr/bin/env bash
# tests/report/schema.py, the JSON contract check every test uses, is as
# strict as DESIGN.md: a real report conforms, and each way of breaking the
# contract is rejected with a message naming the field.
set -eu
. "$(dirname "$0")/lib.sh"

build_fixture "$OUT/fx"
make_dump tests/report/dumps/main.dump.in "$OUT/fx" "$OUT/main.dump"
"$RTPROF_BIN" report --json "$OUT/main.dump" > "$OUT/good.json"
check_json "$OUT/good.json"

# broken NAME WANT_MESSAGE PYTHON: PYTHON edits `d` (the good report); the
# result must be rejected with WANT_MESSAGE among the problems.
broken() {
  local name=$1 want=$2 edit=$3 rc=0
  python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$edit
json.dump(d, open(sys.argv[2], 'w'))" "$OUT/good.json" "$OUT/$name.json"
  python3 "$SCHEMA" $EXTRA "$OUT/$name.json" > "$OUT/$name.check" || rc=$?
  if [ "$rc" -ne 1 ]; then
    fail "$name: accepted (exit $rc)"
  elif ! grep -qF -- "$want" "$OUT/$name.check"; then
    fail "$name: rejected, but not with '$want': $(cat "$OUT/$name.check")"
  else
    pass "$name rejected: $(grep -F -- "$want" "$OUT/$name.check" | head -1)"
  fi
}
EXTRA=
broken no-phases "phases: missing" 'del d["phases"]'
broken no-totals "totals: missing" 'del d["totals"]'
broken no-overflow "overflow: missing" 'del d["overflow"]'
broken no-program "program: expected a string" 'del d["program"]'
broken sites-order "out of order" 'd["sites"].reverse()'
broken site-live-blocks "live_blocks" 'd["sites"][0]["live_blocks"] += 1'
broken site-live-bytes "live_bytes" 'd["sites"][0]["live_bytes"] += 1'
broken totals-live-blocks "totals: live_blocks" 'd["totals"]["live_blocks"] = d["totals"]["allocs"] - d["totals"]["frees"] + 1'
broken phase-live-blocks "phases[1]: live_blocks" 'd["phases"][1]["frees"] += 1'
broken string-bytes "expected an integer" 'd["sites"][0]["alloc_bytes"] = str(d["sites"][0]["alloc_bytes"])'
broken float-count "expected an integer" 'd["totals"]["allocs"] = d["totals"]["allocs"] + 0.5'
broken bool-count "expected an integer" 'd["overflow"]["allocs"] = True'
broken negative "negative" 'd["overflow"]["alloc_bytes"] = -1'
broken line-string "line: expected a positive integer or null" 'd["sites"][0]["frames"][0]["line"] = "12"'
broken inlined-int "inlined: expected a boolean" 'd["sites"][0]["frames"][0]["inlined"] = 0'
broken empty-frames "frames: expected a non-empty array" 'd["sites"][0]["frames"] = []'
broken phase-site-id "is not in sites[]" 'd["phases"][0]["sites"].append(dict(d["phases"][0]["sites"][0], id=999))' 
broken duplicate-id "appears twice" 'd["sites"].append(d["sites"][-1])'
broken cum "cum_allocs" 'd["phases"][0]["cum_allocs"] += 1'
broken version "version: expected 1" 'd["version"] = "1"'
broken peak-sum "peak: sites sum to" 'd["peak"] = {"live_bytes": d["totals"]["peak_live_bytes"], "time_ns": 5, "sites": [{"id": d["sites"][0]["id"], "live_bytes": 1}], "phases": []}'
broken peak-far "is not within" 'd["peak"] = {"live_bytes": d["totals"]["peak_live_bytes"] + (3 << 20), "time_ns": 5, "sites": [{"id": d["sites"][0]["id"], "live_bytes": d["totals"]["peak_live_bytes"] + (3 << 20)}], "phases": []}'
broken suppressed-type "suppressed.live_bytes: expected an integer" 'd["suppressed"] = {"sites": 1, "live_blocks": 1, "live_bytes": "1"}'
broken named-type "named: expected a boolean" 'd["sites"][0]["frames"][0]["named"] = "yes"'
EXTRA="--sort live"
broken sort-live "sorted by live_bytes" 'd["sites"].sort(key=lambda s: s["live_bytes"])'
EXTRA="--sort count"
broken sort-count "sorted by allocs" 'd["sites"].sort(key=lambda s: s["allocs"])'
# A backslash not escaped is not JSON at all.
printf '{"format": "rtprof-report", "program": "C:\\q"}' > "$OUT/backslash.json"
rc=0; python3 "$SCHEMA" "$OUT/backslash.json" > "$OUT/backslash.check" || rc=$?
[ $rc -eq 1 ] && grep -q "not JSON" "$OUT/backslash.check" && pass "an unescaped backslash is not JSON" \
  || fail "unescaped backslash accepted: $(cat "$OUT/backslash.check")"
# rtprof's JSON escapes what names may hold: a phase named pa\rse"q<b>
# round-trips exactly through report --json (a backslash left bare is
# invalid JSON, or a different name).
sed 's|name=parse$|name=pa\\rse"q<b>|' "$OUT/main.dump" > "$OUT/escapes.dump"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/escapes.dump" && check_json "$OUT/out"
python3 -c 'import json, sys
paths = [p["path"] for p in json.load(open(sys.argv[1]))["phases"]]
sys.exit(0 if "check/pa\\rse\"q<b>" in paths else 1)' "$OUT/out" \
  && pass "backslash and quote escaped in JSON" || fail "a name with a backslash and a quote does not round-trip: $(grep -o '"path": "check/pa[^,]*' "$OUT/out")"
# peak, suppressed and named, when present and right, are accepted.
python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
s = d['sites'][0]
d['peak'] = {'live_bytes': d['totals']['peak_live_bytes'], 'time_ns': 5,
             'sites': [{'id': s['id'], 'live_bytes': d['totals']['peak_live_bytes']}], 'phases': [{'path': 'check', 'live_bytes': 1}]}
d['suppressed'] = {'sites': 0, 'live_blocks': 0, 'live_bytes': 0}
s['frames'][0]['named'] = False
json.dump(d, open(sys.argv[2], 'w'))" "$OUT/good.json" "$OUT/new-fields.json"
check_json "$OUT/new-fields.json"
finish
