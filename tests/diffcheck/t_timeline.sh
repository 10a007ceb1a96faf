#!/usr/bin/env bash
# The report of a hand-written dump with `error` and `snapshot` records
# (written at flush): the Errors section with each bad call symbolized, the
# --timeline table, their JSON (errors[], timeline[]), and --svg: a
# well-formed, self-contained SVG with one band per contiguous phase span, the
# two lines, and markers for peaks and labels.
set -eu
AREA=diffcheck
. "$(dirname "$0")/../report/lib.sh"
command -v python3 > /dev/null || skip "python3 is not installed"

build_fixture "$OUT/fx"
make_dump tests/diffcheck/dumps/timeline.dump.in "$OUT/fx" "$OUT/timeline.dump"
D=$OUT/timeline.dump

expect_rc 0 "$RTPROF_BIN" report --timeline --svg "$OUT/timeline.svg" "$D"
[ ! -s "$OUT/err" ] || fail "stderr is not empty: $(cat "$OUT/err")"
scrub "$OUT/fx" < "$OUT/out" > "$OUT/timeline.txt"
golden timeline.txt "$OUT/timeline.txt"
expect_rc 0 "$RTPROF_BIN" report --json "$D"
cp "$OUT/out" "$OUT/timeline.json.raw"
check_json "$OUT/timeline.json.raw"
scrub "$OUT/fx" < "$OUT/out" > "$OUT/timeline.json"
golden timeline.json "$OUT/timeline.json"
# without --timeline the text has no table, the header says how many snapshots
expect_rc 0 "$RTPROF_BIN" report "$D"
! grep -q '^Timeline' "$OUT/out" && grep -q 'written at flush, 9 snapshots every 100 ms)$' "$OUT/out" \
  && pass "the header counts the snapshots; the table needs --timeline" || fail "timeline without --timeline"

python3 - "$OUT/timeline.json.raw" <<'PY' && pass "JSON errors[] and timeline[]" || fail "JSON errors[] and timeline[]"
import json, sys
doc = json.load(open(sys.argv[1]))
e = {x["kind"]: x for x in doc["errors"]}
assert [x["kind"] for x in doc["errors"]] == ["double_free", "overflow", "brand_new_kind", "foreign_free"], doc["errors"]
df = e["double_free"]
assert (df["count"], df["addr"], df["site"]) == (3, 0x7f0000010000, 4), df
assert df["site_frame"]["function"] == "grow_buffer" and df["site_frame"]["line"] == 68, df
assert df["call"]["function"] == "xmalloc" and df["call"]["line"] == 45 and df["call"]["status"] == "resolved", df
ov = e["overflow"]  # the call is inside an inlined function: the whole chain
assert [f["function"] for f in ov["call_frames"]] == ["dup_str", "parse_ident"] and ov["call"]["inlined"], ov
assert e["foreign_free"]["site"] is None and e["foreign_free"]["site_frame"] is None
assert e["brand_new_kind"]["call"]["status"] == "no module" and e["brand_new_kind"]["call"]["offset"] == 0x1000
t = doc["timeline"]
assert len(t) == 9 and [s["t_ns"] for s in t] == sorted(s["t_ns"] for s in t)
assert t[3] == {"dump": 0, "t_ns": 250000000, "committed": 67108864, "live": 3260, "rss": 8388608,
                "phase": "check/parse", "kind": "label", "name": 'parsed & <checked> "ok"'}, t[3]
assert t[0]["phase"] is None and t[-1]["kind"] == "exit"
assert doc["dumps"][0]["reason"] == "flush" and doc["dumps"][0]["interval_ms"] == 100
PY

python3 - "$OUT/timeline.svg" <<'PY' && pass "the SVG is well-formed and draws what the dump holds" || fail "the SVG"
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()  # raises on a document that is not well-formed
NS = "{http://www.w3.org/2000/svg}"
assert root.tag == NS + "svg", root.tag
assert float(root.get("width")) > 0 and float(root.get("height")) > 0
text = ET.tostring(root, encoding="unicode")
for ref in ("href", "<script", "url(http", "@import"):
    assert ref not in text, f"not self-contained: {ref}"
def find(cls, tag):
    return [e for e in root.iter(NS + tag) if e.get("class") == cls]
bands = find("phase", "rect")
# check, check/parse, check/comptime eval, check again, codegen: five contiguous spans
titles = [b.find(NS + "title").text for b in bands]
assert [t.split(":")[0] for t in titles] == ["check", "check/parse", "check/comptime eval", "check", "codegen"], titles
assert bands[0].get("fill") == bands[3].get("fill") != bands[1].get("fill"), "one color per phase"
x = [float(b.get("x")) for b in bands]
assert x == sorted(x) and all(float(b.get("width")) > 0 for b in bands)
assert "0.4 s to 1.2 s" in titles[2], titles[2]
labels = [t.text for t in find("phase-label", "text")]
assert "comptime eval" in labels, labels
assert len(find("peak", "circle")) == 3
marks = find("label", "g")
assert len(marks) == 1 and marks[0].find(NS + "title").text.startswith('parsed & <checked> "ok"'), marks
# the legend: each key drawn as the chart draws it (solid lines, a circle for
# peaks, a dashed line for labels), in the line's color
legend = next(g for g in root.iter(NS + "g") if (g.get("id") or "").endswith("legend"))
kids, keys = list(legend), {}
for i, k in enumerate(kids):
    if k.tag == NS + "text" and i > 0:
        keys[k.text] = kids[i - 1]
def shape(e):
    if e.tag == NS + "circle": return "circle"
    return "dashed" if e.get("stroke-dasharray") else "line"
got = {k: shape(keys[k]) for k in ("committed bytes", "live bytes", "new committed peak", "label (rtprof_snapshot)")}
assert got == {"committed bytes": "line", "live bytes": "line", "new committed peak": "circle",
               "label (rtprof_snapshot)": "dashed"}, got
lines = {p.get("id"): p.get("points").split() for p in root.iter(NS + "polyline")}
assert len(lines["committed"]) == 9 and len(lines["live"]) == 9, lines
ys = [float(p.split(",")[1]) for p in lines["committed"]]
assert ys.index(min(ys)) == 5, "the highest committed point is the 6th snapshot"
ticks = [t.text for t in root.find(f"{NS}g[@id='axes']").iter(NS + "text")]
assert "2 GiB" in ticks and "0.5 GiB" in ticks and "1 s" in ticks and "0.2 s" in ticks, ticks
PY

# --svg needs snapshots, one dump, and a file it can write
expect_rc 2 "$RTPROF_BIN" report --svg "$OUT/no.svg" tests/report/dumps/small.dump
[ "$(cat "$OUT/err")" = "rtprof: error: report: --svg: tests/report/dumps/small.dump has no snapshot records: nothing to draw (see RTPROF_INTERVAL)" ] \
  && [ ! -s "$OUT/out" ] && pass "--svg of a dump without snapshots" || fail "--svg without snapshots: $(cat "$OUT/err")"
expect_rc 2 "$RTPROF_BIN" report --svg "$OUT/two.svg" "$D" "$D"
[ "$(cat "$OUT/err")" = "rtprof: error: report: --svg draws the timeline of one dump (see 'rtprof report --help')" ] \
  && pass "--svg of two dumps" || fail "--svg of two dumps: $(cat "$OUT/err")"
expect_rc 2 "$RTPROF_BIN" report --svg "$OUT/no/such/dir/x.svg" "$D"
grep -q "^rtprof: error: report: --svg: cannot create $OUT/no/such/dir/x.svg: No such file or directory\$" "$OUT/err" \
  && pass "--svg into a missing directory" || fail "--svg into a missing directory: $(cat "$OUT/err")"
if [ -w /dev/full ]; then
  expect_rc 2 "$RTPROF_BIN" report --svg /dev/full "$D"
  grep -q "^rtprof: error: report: --svg: cannot write /dev/full: No space left on device\$" "$OUT/err" \
    && pass "--svg onto a full disk" || fail "--svg onto a full disk: $(cat "$OUT/err")"
fi
# a timeline table of a dump without snapshots; with several dumps one table each
expect_rc 0 "$RTPROF_BIN" report --timeline tests/report/dumps/small.dump
grep -A1 '^Timeline (0 snapshots' "$OUT/out" | grep -qx '  none' && pass "--timeline without snapshots" || fail "--timeline without snapshots"
expect_rc 0 "$RTPROF_BIN" report --timeline tests/report/dumps/small.dump "$D"
[ "$(grep -c '^Timeline of ' "$OUT/out")" = 2 ] && pass "--timeline of two dumps: two tables" || fail "--timeline of two dumps"
# errors from two dumps with the same kind, site and call merge
expect_rc 0 "$RTPROF_BIN" report --json "$D" "$D"
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["errors"]; assert len(e) == 4 and e[0]["count"] == 6, e' "$OUT/out" \
  && pass "errors merge across dumps" || fail "errors merge across dumps"
finish
