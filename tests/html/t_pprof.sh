#!/usr/bin/env bash
# `rtprof report --format pprof`: a gzipped profile.proto of the flagship
# example (8-frame stacks). Checked twice: decoded here (Python: gzip, the
# protobuf wire format) against `report --json` (every byte and allocation
# counted, per site and per phase), and read by the real pprof, built from
# Debian's golang-github-google-pprof-dev with golang-go (installed here when
# absent and running as root; the test is skipped when they cannot be).
set -eu
AREA=html
. "$(dirname "$0")/../report/lib.sh"
command -v python3 > /dev/null || skip "python3 is not installed"
[ -f build/lib/librtprof.so ] || { echo "FAIL $T: build/lib/librtprof.so is not built (run ./build.sh)"; exit 1; }
CC=${CC:-gcc}

$CC -std=gnu11 -Wall -Wextra -Werror -O2 -g -Iinclude examples/comptime-clone/comptime.c -o "$OUT/comptime" \
  -Lbuild/lib -Wl,-rpath,"$TOP/build/lib" -lrtprof
RTPROF=1 RTPROF_DEPTH=8 RTPROF_OUT="$OUT/bug.dump" "$OUT/comptime" > "$OUT/bug.out"
"$RTPROF_BIN" report --json "$OUT/bug.dump" > "$OUT/bug.json"

expect_rc 0 "$RTPROF_BIN" report --format pprof "$OUT/bug.dump"
cp "$OUT/out" "$OUT/bug.pb.gz"
[ ! -s "$OUT/err" ] || fail "stderr is not empty: $(cat "$OUT/err")"
expect_rc 0 "$RTPROF_BIN" report --format=pprof --sort live --skip '^clone_source$' "$OUT/bug.dump"
cp "$OUT/out" "$OUT/skip.pb.gz"

# decode FILE.pb.gz REPORT.json DEFAULT-SAMPLE-TYPE clone_source_present|clone_source_absent|any
decode() {
  python3 - "$@" <<'PY'
import gzip, json, sys
from collections import defaultdict

def fields(buf):
    """(field, wire type, value) of one protobuf message."""
    i, n = 0, len(buf)
    def varint():
        nonlocal i
        v = s = 0
        while True:
            b = buf[i]; i += 1
            v |= (b & 0x7F) << s; s += 7
            if not b & 0x80:
                return v
    while i < n:
        key = varint()
        f, w = key >> 3, key & 7
        if w == 0:
            yield f, w, varint()
        elif w == 2:
            ln = varint(); yield f, w, buf[i:i + ln]; i += ln
        else:
            raise ValueError(f"wire type {w} at {i}")

def unpack(b):
    out, i = [], 0
    while i < len(b):
        v = s = 0
        while True:
            c = b[i]; i += 1
            v |= (c & 0x7F) << s; s += 7
            if not c & 0x80:
                break
        out.append(v)
    return out

def signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v

raw = open(sys.argv[1], "rb").read()
assert raw[:2] == b"\x1f\x8b", "not gzip"
pb = gzip.decompress(raw)
report = json.load(open(sys.argv[2]))
strings, types, samples, locs, fns, maps, other = [], [], [], {}, {}, {}, {}
for f, w, v in fields(pb):
    if f == 6:
        strings.append(v.decode())
    elif f == 1:
        types.append({k: x for k, _, x in fields(v)})
    elif f == 2:
        s = {"locs": [], "values": [], "labels": []}
        for k, ww, x in fields(v):
            if k == 1:
                s["locs"] += unpack(x) if ww == 2 else [x]
            elif k == 2:
                s["values"] += [signed(y) for y in (unpack(x) if ww == 2 else [x])]
            elif k == 3:
                s["labels"].append({kk: xx for kk, _, xx in fields(x)})
        samples.append(s)
    elif f == 3:
        m = {k: x for k, _, x in fields(v)}
        maps[m[1]] = m
    elif f == 4:
        loc = {"lines": []}
        for k, _, x in fields(v):
            if k == 4:
                loc["lines"].append({kk: xx for kk, _, xx in fields(x)})
            else:
                loc[k] = x
        locs[loc[1]] = loc
    elif f == 5:
        fn = {k: x for k, _, x in fields(v)}
        fns[fn[1]] = fn
    else:
        other[f] = v
assert strings[0] == "", "string_table[0] must be empty"
names = [(strings[t.get(1, 0)], strings[t.get(2, 0)]) for t in types]
assert names == [("alloc_objects", "count"), ("alloc_space", "bytes"), ("inuse_objects", "count"),
                 ("inuse_space", "bytes")], names
assert strings[other[14]] == sys.argv[3], ("default_sample_type", strings[other[14]])
assert all(len(s["values"]) == 4 and s["locs"] for s in samples)
assert all(l in locs for s in samples for l in s["locs"]), "a sample names a missing location"
assert all(line[1] in fns for l in locs.values() for line in l["lines"]), "a line names a missing function"
assert all(l.get(2, 0) == 0 or l[2] in maps for l in locs.values()), "a location names a missing mapping"
t = report["totals"]
tot = [sum(s["values"][k] for s in samples) for k in range(4)]
assert tot == [t["allocs"], t["alloc_bytes"], t["live_blocks"], t["live_bytes"]], (tot, t)
# per site (label site=ID) and per phase (label phase=PATH), as report --json counts them
def label(s, key):
    for lb in s["labels"]:
        if strings[lb[1]] == key:
            return lb.get(3) if key == "site" else strings[lb[2]]
by_site, by_phase = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
for s in samples:
    by_site[label(s, "site")][0] += s["values"][1]
    by_site[label(s, "site")][1] += s["values"][3]
    p = label(s, "phase")
    if p:
        by_phase[p][0] += s["values"][1]
        by_phase[p][1] += s["values"][3]
for site in report["sites"]:
    assert by_site[site["id"]] == [site["alloc_bytes"], site["live_bytes"]], (site["id"], by_site[site["id"]])
ov = report["overflow"]
for ph in report["phases"] if not (ov["allocs"] or ov["pairs_dropped"]) else []:  # else a phase's overflow row is unlabeled
    assert by_phase.get(ph["path"], [0, 0]) == [ph["alloc_bytes"], ph["live_bytes"]], (ph["path"], by_phase.get(ph["path"]))
# the leaf of the leak's sample is clone_source at the CLONE-SITE line
fn_name = {i: strings[f[2]] for i, f in fns.items()}
present = "clone_source" in fn_name.values()
if sys.argv[4] == "clone_source_present":
    leak = max(samples, key=lambda s: s["values"][3])
    leaf = locs[leak["locs"][0]]["lines"][0]
    assert fn_name[leaf[1]] == "clone_source" and strings[fns[leaf[1]][4]].endswith("comptime.c"), leaf
elif sys.argv[4] == "clone_source_absent":
    assert not present, "--skip left clone_source in the profile"
print(f"{len(samples)} samples, {len(locs)} locations, {len(fns)} functions, {len(maps)} mappings, {len(pb)} bytes")
PY
}
decode "$OUT/bug.pb.gz" "$OUT/bug.json" alloc_space clone_source_present && pass "bug.pb.gz decodes and matches report --json" \
  || fail "bug.pb.gz"
# a dump with unresolved frames, a frame outside every module, overflow rows and markup in a phase name
build_fixture "$OUT/fx"
make_dump tests/diffcheck/dumps/timeline.dump.in "$OUT/fx" "$OUT/odd.dump"
sed -i 's|name=comptime eval$|name=<eval> \& "q"|' "$OUT/odd.dump"
"$RTPROF_BIN" report --json "$OUT/odd.dump" > "$OUT/odd.json"
expect_rc 0 "$RTPROF_BIN" report --format pprof --sort count "$OUT/odd.dump"
cp "$OUT/out" "$OUT/odd.pb.gz"
decode "$OUT/odd.pb.gz" "$OUT/odd.json" alloc_objects any && pass "odd.pb.gz: unresolved frames and overflow, every byte counted" \
  || fail "odd.pb.gz"
# 5,000 sites outside every module: a profile larger than one stored deflate block (64 KiB)
python3 - "$OUT/many.dump" <<'PY'
import sys
n = 5000
sites = [f"site id={i} allocs={i} alloc_bytes={16 * i} frees=0 freed_bytes=0 peak_live_bytes={16 * i} "
         f"frames={0x10000 + 16 * i:#x},{0x900000 + i % 7:#x}" for i in range(1, n + 1)]
allocs, size = n * (n + 1) // 2, 16 * n * (n + 1) // 2
with open(sys.argv[1], "w") as f:
    f.write("rtprof-dump 1\nprocess pid=9 depth=2 site_capacity=8192 phase_capacity=8 pair_capacity=16 start_ns=1 "
            "dump_ns=2 reason=exit\nexe /nonexistent/bin/many\n"
            f"totals allocs={allocs} frees=0 alloc_bytes={size} freed_bytes=0 live_blocks={allocs} live_bytes={size} "
            f"peak_live_bytes={size} failed_allocs=0 committed_bytes=0 peak_committed_bytes=0 rss_bytes=0 "
            "peak_rss_bytes=0 mmap_bytes=0 overhead_bytes=0\n" + "\n".join(sites) +
            "\noverflow sites_dropped=0 pairs_dropped=0 allocs=0 alloc_bytes=0 frees=0 freed_bytes=0\n"
            f"end modules=0 sites={n} phases=0 pairs=0\n")
PY
"$RTPROF_BIN" report --json "$OUT/many.dump" > "$OUT/many.json"
expect_rc 0 "$RTPROF_BIN" report --format pprof "$OUT/many.dump"
cp "$OUT/out" "$OUT/many.pb.gz"
decode "$OUT/many.pb.gz" "$OUT/many.json" alloc_space any && gzip -t "$OUT/many.pb.gz" \
  && pass "many.pb.gz: $(stat -c %s "$OUT/many.pb.gz") bytes in several gzip blocks" || fail "many.pb.gz"
python3 - "$OUT/skip.pb.gz" "$OUT/bug.json" inuse_space clone_source_absent <<'PY' && pass "--sort picks the default sample type, --skip folds frames" || fail "skip.pb.gz"
import gzip, sys
pb = gzip.decompress(open(sys.argv[1], "rb").read())
assert b"inuse_space" in pb and b"clone_source" not in pb and b"comptime_eval" in pb
PY
if command -v script > /dev/null; then # onto a terminal: refused, nothing binary written
  rc=0
  script -qec "'$RTPROF_BIN' report --format pprof '$OUT/bug.dump'" /dev/null > "$OUT/tty.out" 2>&1 < /dev/null || rc=$?
  [ $rc -eq 2 ] && grep -q "redirect it to a file" "$OUT/tty.out" && [ "$(wc -l < "$OUT/tty.out")" -eq 1 ] \
    && pass "pprof onto a terminal: refused" || fail "pprof onto a terminal: exit $rc: $(head -c 300 "$OUT/tty.out")"
fi
[ "$FAILS" -eq 0 ] || finish

# ---- the real pprof ----
GOSRC=/usr/share/gocode/src/github.com/google/pprof
if ! command -v go > /dev/null || [ ! -d "$GOSRC" ]; then
  [ "$(id -u)" -eq 0 ] || skip "go or pprof's source is missing (Debian golang-go golang-github-google-pprof-dev; installing needs root)"
  command -v apt-get > /dev/null || skip "go or pprof's source is missing and there is no apt-get"
  echo "installing the Debian packages golang-go golang-github-google-pprof-dev (log: $OUT/apt.log)"
  if ! apt-get install -y --no-install-recommends golang-go golang-github-google-pprof-dev > "$OUT/apt.log" 2>&1; then
    { apt-get update && apt-get install -y --no-install-recommends golang-go golang-github-google-pprof-dev; } \
      >> "$OUT/apt.log" 2>&1 || skip "golang-go or golang-github-google-pprof-dev could not be installed: $(tail -n 1 "$OUT/apt.log")"
  fi
fi
PPROF=$TOP/build/tests/html/pprof   # kept between runs, with its build cache
mkdir -p "$TOP/build/tests/html/go-cache"
if [ ! -x "$PPROF" ] || [ "$GOSRC/pprof.go" -nt "$PPROF" ]; then
  GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$TOP/build/tests/html/go-cache GOFLAGS= \
    go build -o "$PPROF" github.com/google/pprof > "$OUT/go-build.log" 2>&1 \
    || { fail "go and pprof's source are installed but pprof could not be built from $GOSRC: $(tail -n 3 "$OUT/go-build.log")"; finish; }
fi
echo "pprof: built from $GOSRC ($(go version))"

pp() { "$PPROF" "$@" 2> "$OUT/pprof.err"; }
pp -raw "$OUT/bug.pb.gz" > "$OUT/raw.txt" || fail "pprof -raw: $(cat "$OUT/pprof.err")"
grep -q '^alloc_objects/count alloc_space/bytes\[dflt\] inuse_objects/count inuse_space/bytes$' "$OUT/raw.txt" \
  && grep -q "comptime [0-9a-f][0-9a-f]* \[FN\]\[FL\]\[LN\]\[IN\]$" "$OUT/raw.txt" \
  && pass "pprof -raw: sample types, the mapping with its build-id" || fail "pprof -raw: $(head -n 12 "$OUT/raw.txt")"
total() { sed -n 's/.*Total samples = \([0-9]*\)B* *$/\1/p' "$OUT/top.txt"; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$OUT/bug.json" "$1"; }
clone_line=$(grep -n 'CLONE-SITE' examples/comptime-clone/comptime.c | head -n 1 | cut -d: -f1)
for idx in alloc_space:'d["totals"]["alloc_bytes"]' alloc_objects:'d["totals"]["allocs"]' \
           inuse_space:'d["totals"]["live_bytes"]' inuse_objects:'d["totals"]["live_blocks"]'; do
  pp -top -unit=B -sample_index="${idx%%:*}" "$OUT/bug.pb.gz" > "$OUT/top.txt" || fail "pprof -top: $(cat "$OUT/pprof.err")"
  want=$(json "${idx#*:}")
  [ "$(total)" = "$want" ] && pass "pprof -top -sample_index=${idx%%:*}: total $want" \
    || fail "pprof -sample_index=${idx%%:*}: total $(total), want $want"
done
pp -top -lines -unit=B -sample_index=inuse_space "$OUT/bug.pb.gz" > "$OUT/top.txt"
grep -Eq "^ *201326592B +100% +100% +201326592B +100% +clone_source .*comptime\.c:$clone_line\$" "$OUT/top.txt" \
  && pass "pprof -top -lines: the leak is clone_source comptime.c:$clone_line" || fail "pprof -lines: $(sed -n 5,12p "$OUT/top.txt")"
phase=check/sema/comptime_eval
pp -top -unit=B -nodefraction=0 -sample_index=alloc_space -tagfocus="phase=^$phase\$" "$OUT/bug.pb.gz" > "$OUT/top.txt"
want=$(json "[p for p in d['phases'] if p['path'] == '$phase'][0]['alloc_bytes']")
grep -q "Showing nodes accounting for ${want}B" "$OUT/top.txt" \
  && pass "pprof -tagfocus=phase=$phase: the phase's $want bytes" || fail "pprof -tagfocus: $(sed -n 4,10p "$OUT/top.txt")"
pp -traces "$OUT/bug.pb.gz" > "$OUT/traces.txt"
grep -A8 "phase:  $phase" "$OUT/traces.txt" | grep -q 'comptime_eval (inline)' \
  && pass "pprof -traces: stacks with inlined frames and phase labels" || fail "pprof -traces"
pp -raw "$OUT/odd.pb.gz" > "$OUT/raw.txt" && grep -q '(sites that did not fit the site table)' "$OUT/raw.txt" \
  && grep -q 'phase:\[check/<eval> & "q"\]' "$OUT/raw.txt" && grep -q '/nonexistent/lib/libgone.so.1' "$OUT/raw.txt" \
  && pass "pprof reads odd.pb.gz" || fail "pprof -raw odd.pb.gz: $(cat "$OUT/pprof.err") $(head -n 20 "$OUT/raw.txt")"
pp -top -unit=B "$OUT/many.pb.gz" > "$OUT/top.txt" && [ "$(total)" = 200040000 ] \
  && pass "pprof reads many.pb.gz: total $(total)" || fail "pprof many.pb.gz: $(cat "$OUT/pprof.err") $(head "$OUT/top.txt")"
pp -top "$OUT/skip.pb.gz" > "$OUT/top.txt"
grep -q "Type: inuse_space" "$OUT/top.txt" && ! grep -q clone_source "$OUT/top.txt" \
  && pass "pprof reads the --sort live --skip profile" || fail "skip.pb.gz: $(head "$OUT/top.txt")"
finish
