#!/usr/bin/env bash
# `rtprof report --html FILE`: one self-contained page (inline CSS, JS and
# data; nothing fetched) drawn from a real run of the flagship example with
# timeline snapshots and 8-frame stacks. Checked twice: as a file (its
# structure, the embedded data against `report --json`, the options) and in a
# real headless Chromium driven through the DevTools protocol (tests/html/
# cdp.py, checks.js): it loads without console errors or requests, the site
# tables sort by clicking their headers, the phase tree folds, the flame graph
# zooms; and a screenshot is taken. Chromium is the Debian package, installed
# here when absent and running as root; the test is skipped when it cannot be.
set -eu
AREA=html
. "$(dirname "$0")/../report/lib.sh"
command -v python3 > /dev/null || skip "python3 is not installed"
[ -f build/lib/librtprof.so ] || { echo "FAIL $T: build/lib/librtprof.so is not built (run ./build.sh)"; exit 1; }
CC=${CC:-gcc}
HERE=tests/html

# ---- the flagship example, with snapshots every 20 ms and whole stacks ----
# Which phases a snapshot falls in depends on timing, so the phase bands the
# chart must draw are read from the dump's own timeline (exactly those).
$CC -std=gnu11 -Wall -Wextra -Werror -O2 -g -Iinclude examples/comptime-clone/comptime.c -o "$OUT/comptime" \
  -Lbuild/lib -Wl,-rpath,"$TOP/build/lib" -lrtprof
RTPROF=1 RTPROF_INTERVAL=20 RTPROF_DEPTH=8 RTPROF_OUT="$OUT/bug.dump" "$OUT/comptime" > "$OUT/bug.out"
clone_line=$(grep -n 'CLONE-SITE' examples/comptime-clone/comptime.c | head -n 1 | cut -d: -f1)
grep -q '^snapshot ' "$OUT/bug.dump" || fail "the example's dump has no snapshot records"

expect_rc 0 "$RTPROF_BIN" report --html "$OUT/bug.html" "$OUT/bug.dump"
[ ! -s "$OUT/err" ] || fail "stderr is not empty: $(cat "$OUT/err")"
grep -q '^Top sites by alloc bytes' "$OUT/out" && pass "the text report is printed as usual" || fail "no text report on stdout"
"$RTPROF_BIN" report --json "$OUT/bug.dump" > "$OUT/bug.json"

# pagecheck HTML JSON EXPECT: the page's structure and data (Python, no browser)
pagecheck() {
  python3 - "$@" <<'PY'
import json, re, sys
from html.parser import HTMLParser
html_file, json_file, expect = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
text = open(html_file, encoding="utf-8").read()
report = json.load(open(json_file)) if json_file != "-" else None

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self.cur = [], [], None
    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.cur = [dict(attrs), ""]
    def handle_data(self, data):
        if self.cur is not None:
            self.cur[1] += data
    def handle_endtag(self, tag):
        if tag == "script" and self.cur is not None:
            self.scripts.append(self.cur)
            self.cur = None

p = Page()
p.feed(text)
fails = []
def need(ok, what):
    if not ok:
        fails.append(what)
need(text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"), "a whole HTML document")
for tag, a in p.tags:
    need("src" not in a, f"<{tag}> loads {a.get('src')}")
    if tag == "link":
        need(a.get("rel") == "icon" and a.get("href", "").startswith("data:"), f"<link> {a}")
    if tag == "a" and "href" in a:
        need(a["href"].startswith("#"), f"link out of the page: {a['href']}")
csp = [a.get("content", "") for t, a in p.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
need(csp and "default-src 'none'" in csp[0], "a Content-Security-Policy that fetches nothing")
urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
need(urls <= {"http://www.w3.org/2000/svg"}, f"URLs in the page: {urls}")
need([s[0].get("type") for s in p.scripts] == ["application/json", None], f"scripts: {[s[0] for s in p.scripts]}")
raw = p.scripts[0][1]
need("</" not in raw and "<!--" not in raw, "'</' or '<!--' inside the JSON data")
D = json.loads(raw)
need(D["format"] == "rtprof-html" and D["version"] == 1, "data format")
need(len(re.findall(r"<svg [^>]*class=\"timeline\"", text)) == expect["charts"], "timeline charts")
if report:
    need(D["totals"]["alloc_bytes"] == report["totals"]["alloc_bytes"] and
         D["totals"]["live_bytes"] == report["totals"]["live_bytes"], "totals match report --json")
    need(D["nsites"] == len(report["sites"]), "site count matches report --json")
    js = {s["id"]: s for s in report["sites"]}
    for s in D["sites"]:
        r = js[s["id"]]
        need(all(s[k] == r[k] for k in ("allocs", "alloc_bytes", "frees", "live_bytes", "peak_live_bytes")),
             f"site {s['id']} figures match report --json")
        need(len(s["frames"]) == len(r["frames"]), f"site {s['id']} frames")
    # the flame graph holds every site once: its weights add up to the sites'
    nodes = D["flame"]["nodes"]
    need(sum(n[3] for n in nodes) == sum(s["alloc_bytes"] for s in report["sites"]), "flame graph bytes = sites' bytes")
    need(sum(n[4] for n in nodes) == sum(s["allocs"] for s in report["sites"]), "flame graph allocs = sites' allocs")
    need(all(n[0] < i for i, n in enumerate(nodes)), "flame graph parents come first")
    phases = {x["path"]: x for x in report["phases"]}
    for x in D["phases"]:
        r = phases[x["path"]]
        need(all(x[k] == r[k] for k in ("calls", "committed_delta", "live_delta", "alloc_bytes", "cum_alloc_bytes",
                                        "live_bytes", "cum_live_bytes", "wall_ns")), f"phase {x['path']} matches")
for k, v in expect.items():
    if k == "charts":
        continue
    if k == "table_sites":
        got = len([s for s in D["sites"] if s["table"]])
    elif k == "phase_paths":
        got = [x["path"] for x in D["phases"]]
    elif k == "first_table_site":
        got = next(s for s in D["sites"] if s["table"])["frames"][0][0].split(" ")[0]
    elif k == "flame_has":
        names = D["flame"]["strings"]
        got = {n: n in {names[x[1]] for x in D["flame"]["nodes"]} for n in v}
        v = {n: True for n in v} if isinstance(v, list) else v
    elif k == "flame_lacks":
        names = {D["flame"]["strings"][x[1]] for x in D["flame"]["nodes"]}
        got, v = sorted(set(v) & names), []
    elif k == "phase_name":
        got = v if any(x["name"] == v for x in D["phases"]) else None
    else:
        got = D[k]
    need(got == v, f"{k}: {got!r}, want {v!r}")
for f in fails:
    print("  " + f)
sys.exit(1 if fails else 0)
PY
}

pagecheck "$OUT/bug.html" "$OUT/bug.json" '{"charts": 1, "top": 500, "sort": "alloc_bytes", "skip": null, "phase": null,
  "phase_paths": ["lex", "parse", "check", "check/sema", "check/sema/comptime_eval"],
  "flame_has": ["main", "comptime_eval", "clone_source"]}' \
  && pass "bug.html: one self-contained file whose data matches report --json" || fail "bug.html"

# ---- the options, as the other formats take them ----
expect_rc 0 "$RTPROF_BIN" report --html "$OUT/opts.html" --top 3 --sort live --phase check/sema "$OUT/bug.dump"
pagecheck "$OUT/opts.html" "$OUT/bug.json" '{"charts": 1, "top": 3, "table_sites": 3, "sort": "live_bytes",
  "first_table_site": "clone_source", "phase": "check/sema", "phase_paths": ["check/sema", "check/sema/comptime_eval"]}' \
  && pass "--top, --sort and --phase shape the page" || fail "--top --sort --phase"
expect_rc 0 "$RTPROF_BIN" report --html="$OUT/skip.html" --skip '^clone_source$' "$OUT/bug.dump"
pagecheck "$OUT/skip.html" - '{"charts": 1, "skip": "^clone_source$", "flame_has": ["comptime_eval"],
  "flame_lacks": ["clone_source"]}' \
  && pass "--skip folds frames out of the tables and the flame graph" || fail "--skip"
expect_rc 0 "$RTPROF_BIN" report --html "$OUT/small.html" tests/report/dumps/small.dump
pagecheck "$OUT/small.html" - '{"charts": 0}' && grep -q 'No snapshots in the dump' "$OUT/small.html" \
  && pass "a dump without snapshots: a page with a note instead of the chart" || fail "a dump without snapshots"
grep -q 'No snapshots in the dump' "$OUT/bug.html" && fail "the note about missing snapshots on a page that has them" \
  || pass "no such note when there are snapshots"
expect_rc 0 "$RTPROF_BIN" report --html "$OUT/two.html" "$OUT/bug.dump" tests/report/dumps/small.dump
pagecheck "$OUT/two.html" - '{"charts": 1}' && pass "two dumps merge into one page" || fail "two dumps"

# ---- bad usage: nothing written, exit 2 ----
expect_rc 2 "$RTPROF_BIN" report --html "$OUT/none.html" --phase no/such "$OUT/bug.dump"
[ "$(cat "$OUT/err")" = "rtprof: error: --phase: no phase 'no/such' in the dump" ] && [ ! -e "$OUT/none.html" ] \
  && pass "--html with an unknown --phase" || fail "--html --phase no/such: $(cat "$OUT/err")"
expect_rc 2 "$RTPROF_BIN" report --html "$OUT/no/such/dir/x.html" "$OUT/bug.dump"
grep -q "^rtprof: error: report: --html: cannot create $OUT/no/such/dir/x.html: No such file or directory\$" "$OUT/err" \
  && pass "--html into a missing directory" || fail "--html into a missing directory: $(cat "$OUT/err")"
expect_rc 2 "$RTPROF_BIN" report --html "$OUT/bug.dump"
grep -q "no dump given" "$OUT/err" && pass "--html needs a value and a dump" || fail "--html without a file: $(cat "$OUT/err")"
if [ -w /dev/full ]; then
  expect_rc 2 "$RTPROF_BIN" report --html /dev/full "$OUT/bug.dump"
  grep -q "^rtprof: error: report: --html: cannot write /dev/full: No space left on device\$" "$OUT/err" \
    && pass "--html onto a full disk" || fail "--html onto a full disk: $(cat "$OUT/err")"
fi

# ---- a hostile dump: heap errors, warnings, markup in the names ----
build_fixture "$OUT/fx"
make_dump tests/diffcheck/dumps/timeline.dump.in "$OUT/fx" "$OUT/hostile.dump"
HOSTILE='</script><script>alert(1)</script><!-- & "q" é'
python3 -c 'import sys; p = sys.argv[1]; t = open(p).read().replace("name=comptime eval\n", "name=" + sys.argv[2] + "\n")
open(p, "w").write(t)' "$OUT/hostile.dump" "$HOSTILE"
grep -qF "name=$HOSTILE" "$OUT/hostile.dump" || fail "the hostile phase name is not in the dump"
expect_rc 0 "$RTPROF_BIN" report --html "$OUT/hostile.html" "$OUT/hostile.dump"
pagecheck "$OUT/hostile.html" - "$(python3 -c 'import json,sys; print(json.dumps({"charts": 1, "phase_name": sys.argv[1]}))' "$HOSTILE")" \
  && pass "hostile.html: markup in names stays data" || fail "hostile.html"
[ "$FAILS" -eq 0 ] || finish

# ---- in a real browser ----
CHROMIUM=${RTPROF_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
  [ "$(id -u)" -eq 0 ] || skip "chromium is not installed (Debian package 'chromium'; installing it needs root)"
  command -v apt-get > /dev/null || skip "chromium is not installed and there is no apt-get to install it"
  echo "installing the Debian package chromium (log: $OUT/apt.log)"
  if ! apt-get install -y --no-install-recommends chromium > "$OUT/apt.log" 2>&1; then
    { apt-get update && apt-get install -y --no-install-recommends chromium; } >> "$OUT/apt.log" 2>&1 \
      || skip "chromium could not be installed (no network or no package?): $(tail -n 1 "$OUT/apt.log")"
  fi
  CHROMIUM=$(command -v chromium) || skip "chromium was installed but is not on PATH"
fi
echo "browser: $("$CHROMIUM" --version 2>/dev/null | head -n 1)"

cat > "$OUT/bug.expect.json" <<EOF
{"charts": 1, "bands": $(python3 -c 'import json,sys; print(json.dumps(sorted({p["phase"] for p in json.load(open(sys.argv[1]))["timeline"] if p["phase"]})))' "$OUT/bug.json"), "live_text": "192.0 MiB",
 "phases": 5, "hot_phase": "check/sema/comptime_eval", "hot_calls": 24, "fold_phase": "check",
 "hot_site": "clone_source", "site_rows": $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sites"]))' "$OUT/bug.json"),
 "leak_site": "comptime.c:$clone_line", "live_bytes": 201326592, "min_frames": 20, "flame_frame": "clone_source",
 "live_stacks": 1, "errors": 0, "warnings": 0}
EOF
rc=0
python3 $HERE/cdp.py "$CHROMIUM" "$OUT/bug.html" $HERE/checks.js "$OUT/bug.expect.json" "$OUT/report-full.png" \
  > "$OUT/cdp-bug.log" 2>&1 || rc=$?
sed 's/^/  /' "$OUT/cdp-bug.log"
# Chromium is installed: not being able to drive it is a failure, not a skip.
[ $rc -ne 2 ] || { fail "chromium ($CHROMIUM) is installed but could not be driven: $(head -n 1 "$OUT/cdp-bug.log")"; finish; }
[ $rc -eq 0 ] && pass "bug.html in Chromium: no console errors, sorting, folding, zooming" || fail "bug.html in Chromium"

python3 -c 'import json,sys; print(json.dumps({"charts": 1, "bands": ["check", "check/" + sys.argv[1], "check/parse", "codegen"],
  "live_text": "768.8 KiB", "phases": 4, "hot_phase": "check/" + sys.argv[1], "hot_calls": 239, "fold_phase": "check",
  "hot_site": "grow_buffer", "site_rows": 7, "leak_site": "grow_buffer", "live_bytes": 786432, "min_frames": 5,
  "flame_frame": "grow_buffer", "live_stacks": 0, "errors": 4, "first_error": "double_free", "warnings": 3,
  "phase_text": sys.argv[1]}))' "$HOSTILE" > "$OUT/hostile.expect.json"
rc=0
python3 $HERE/cdp.py "$CHROMIUM" "$OUT/hostile.html" $HERE/checks.js "$OUT/hostile.expect.json" \
  > "$OUT/cdp-hostile.log" 2>&1 || rc=$?
sed 's/^/  /' "$OUT/cdp-hostile.log"
[ $rc -eq 0 ] && pass "hostile.html in Chromium: errors, warnings, names shown as text" || fail "hostile.html in Chromium"

# a dump with nothing in it: no sites, no phases, no snapshots
python3 -c 'import sys; open(sys.argv[1], "w").write(
    "rtprof-dump 1\nprocess pid=7 depth=1 site_capacity=16 phase_capacity=8 pair_capacity=16 start_ns=1 dump_ns=2 "
    "reason=exit\nexe /nonexistent/bin/prog\ntotals allocs=0 frees=0 alloc_bytes=0 freed_bytes=0 live_blocks=0 "
    "live_bytes=0 peak_live_bytes=0 failed_allocs=0 committed_bytes=4096 peak_committed_bytes=4096 rss_bytes=4096 "
    "peak_rss_bytes=4096 mmap_bytes=0 overhead_bytes=64\noverflow sites_dropped=0 pairs_dropped=0 allocs=0 "
    "alloc_bytes=0 frees=0 freed_bytes=0\nend modules=0 sites=0 phases=0 pairs=0\n")' "$OUT/empty.dump"
expect_rc 0 "$RTPROF_BIN" report --html "$OUT/empty.html" "$OUT/empty.dump"
cat > "$OUT/empty.checks.js" <<'JS'
async function (E) {
  const n = s => document.querySelectorAll(s).length;
  return [[document.documentElement.dataset.ready === 'true', 'the page script ran to the end'],
          [n('#sites-table tbody tr') === 0 && n('#phase-table') === 0 && n('#flame-graph .fr') === 0,
           'no site rows, no phase table, no flame graph'],
          [document.getElementById('leaks-body').textContent.includes('None'), 'no leaks, and it says so']];
}
JS
echo '{}' > "$OUT/empty.expect.json"
rc=0
python3 $HERE/cdp.py "$CHROMIUM" "$OUT/empty.html" "$OUT/empty.checks.js" "$OUT/empty.expect.json" \
  > "$OUT/cdp-empty.log" 2>&1 || rc=$?
sed 's/^/  /' "$OUT/cdp-empty.log"
[ $rc -eq 0 ] && pass "empty.html in Chromium: an empty report draws without errors" || fail "empty.html in Chromium"

# the screenshot, as chromium's own --screenshot takes it
SHOT=$OUT/report.png
rm -f "$SHOT"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
  --user-data-dir="$(mktemp -d "$OUT/profile.XXXXXX")" --screenshot="$SHOT" --window-size=1400,2000 \
  "file://$OUT/bug.html" > "$OUT/screenshot.log" 2>&1 || true
size=$(stat -c %s "$SHOT" 2>/dev/null || echo 0)
[ "$(head -c 8 "$SHOT" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$size" -gt 20000 ] \
  && pass "screenshot $SHOT ($size bytes)" || fail "screenshot $SHOT: $size bytes; $(tail -n 3 "$OUT/screenshot.log")"
finish
