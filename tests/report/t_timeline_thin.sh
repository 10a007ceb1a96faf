#!/usr/bin/env bash
# --svg and --html of a dump with 1,048,575 snapshots (two phases taking
# turns at every snapshot, a new peak every 3rd, a label every 5th) draw the
# series thinned to the picture: per half-pixel column a line keeps its
# first, lowest, highest and last points; bands, peaks and labels keep one
# per pixel.
# The files stay small (well under 1 MB), the highest point is drawn, and
# the SVG parses as XML.
set -eu
. "$(dirname "$0")/lib.sh"
python3 - "$OUT/big.dump" <<'PY'
import sys
N = 1048575
with open(sys.argv[1], "w") as out:
    out.write("rtprof-dump 1\nprocess pid=5 depth=1 site_capacity=65536 phase_capacity=1024 pair_capacity=65536 "
              "start_ns=1 dump_ns=2 reason=exit interval_ms=1\nexe /bin/true\n"
              "totals allocs=1 frees=0 alloc_bytes=16 freed_bytes=0 live_blocks=1 live_bytes=16 peak_live_bytes=16 "
              "failed_allocs=0 committed_bytes=1 peak_committed_bytes=1 rss_bytes=1 peak_rss_bytes=1 mmap_bytes=0 "
              "overhead_bytes=0\n"
              "site id=1 allocs=1 alloc_bytes=16 frees=0 freed_bytes=0 peak_live_bytes=16 frames=0x1000\n"
              "overflow sites_dropped=0 pairs_dropped=0 allocs=0 alloc_bytes=0 frees=0 freed_bytes=0\n"
              "phase id=1 parent=0 calls=1 open=0 committed_delta=0 committed_delta_max=0 live_delta=0 wall_ns=1 name=even\n"
              "phase id=2 parent=0 calls=1 open=0 committed_delta=0 committed_delta_max=0 live_delta=0 wall_ns=1 name=odd\n")
    rows = []
    for i in range(N):
        v = (i * 7919) % 100000 * 4096
        if i == 777777:
            v = 1 << 40  # the one highest point
        kind = "peak" if i % 3 == 0 else "label name=l%d" % i if i % 5 == 0 else "interval"
        rows.append("snapshot t_ns=%d committed=%d live=%d rss=%d phase=%d kind=%s\n"
                    % (i * 1000, v, v // 2, v, 1 + i % 2, kind))
        if len(rows) == 65536:
            out.write("".join(rows)); rows = []
    out.write("".join(rows))
    out.write("end modules=0 sites=1 phases=2 pairs=0 snapshots=%d\n" % N)
PY
expect_rc 0 "$RTPROF_BIN" report --svg "$OUT/big.svg" --html "$OUT/big.html" "$OUT/big.dump"
for f in big.svg big.html; do
  size=$(stat -c %s "$OUT/$f")
  [ "$size" -lt 1000000 ] && pass "$f of 1M snapshots: $size bytes" || fail "$f of 1M snapshots: $size bytes"
done
python3 - "$OUT/big.svg" <<'PY' && pass "SVG: thinned, parses, the peak drawn at the top" || fail "SVG thinning"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
lines = {p.getAttribute("id"): p.getAttribute("points").split() for p in doc.getElementsByTagName("polyline")}
cols = (930 - 90) * 2 + 2
for name in ("committed", "live"):
    assert 2 * cols <= len(lines[name]) * 2 and len(lines[name]) <= 4 * cols, (name, len(lines[name]))
ys = [float(p.split(",")[1]) for p in lines["committed"]]
assert min(ys) <= 56.0 + 320 * 0.2, min(ys)   # the 1 TiB point reaches the top fifth of the plot
circles = doc.getElementsByTagName("circle")
rects = [r for r in doc.getElementsByTagName("rect") if r.getAttribute("class") == "phase"]
labels = [g for g in doc.getElementsByTagName("g") if g.getAttribute("class") == "label"]
px = 930 - 90 + 1
assert 0 < len(circles) <= px and 0 < len(rects) <= px and 0 < len(labels) <= px, (len(circles), len(rects), len(labels))
PY
finish
