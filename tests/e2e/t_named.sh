# Named sites (rt_site_named, rt_*_site, rtprof_site_push/pop) and rt_*_at
# with function entry addresses, from tests/e2e/named_prog.c: exact counts,
# bytes and live bytes per named site across threads, one id per triple,
# hostile strings cut at 255 bytes, a full table sending the rest to the
# overflow row, the C stack under a named frame at depth 3, scopes (malloc
# included under the interposer), and entry addresses named as their own
# function. Reads the JSON report; the `named` flag marks named frames.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/named_prog.c
$CC $CFLAGS "$src" -o "$OUT/named" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof -lpthread
RTPROF=1 RTPROF_OUT="$OUT/main.dump" "$OUT/named" threads hostile entry > "$OUT/main.out"
RTPROF=1 RTPROF_SITES=16 RTPROF_OUT="$OUT/full.dump" "$OUT/named" full
RTPROF=1 RTPROF_DEPTH=3 RTPROF_OUT="$OUT/stack.dump" "$OUT/named" stack
RTPROF=1 RTPROF_OUT="$OUT/scope.dump" LD_PRELOAD="$LIB/librtprof-preload.so" "$OUT/named" scope
RTPROF=1 RTPROF_DEPTH=3 RTPROF_OUT="$OUT/scope3.dump" LD_PRELOAD="$LIB/librtprof-preload.so" "$OUT/named" scope
for d in main full stack scope scope3; do "$RTPROF" report --json "$OUT/$d.dump" > "$OUT/$d.json"; done
"$RTPROF" report "$OUT/main.dump" > "$OUT/main.txt"
grep -q "^same-id 1 nonzero 1 again 1$" "$OUT/main.out" || fail "threads asking for one triple got different ids: $(cat "$OUT/main.out")"
grep -q "^distinct 1 1 1$" "$OUT/main.out" || fail "another line, file or function gave the same id"
grep -q "^hostile same 1$" "$OUT/main.out" || fail "a hostile triple asked twice gave two ids"
grep -q "^empty-is-null 1$" "$OUT/main.out" || fail "\"\" and NULL gave two ids"
grep -q "  Worker::step jobs/queue.c:77 (named)$" "$OUT/main.txt" || fail "the text report does not show 'Worker::step jobs/queue.c:77 (named)'"
# every output marks a named site: text (above), collapsed, check, diff, pprof, HTML
"$RTPROF" report --format collapsed "$OUT/main.dump" | grep -q "^Worker::step (named) 102000$" \
  || fail "collapsed stacks lack 'Worker::step (named) 102000'"
rc=0; "$RTPROF" check --max-live 0 "$OUT/main.dump" > "$OUT/check.txt" || rc=$?
[ $rc = 1 ] && grep -q "largest: site [0-9]* Worker::step jobs/queue.c:77 (named) with 49.8 KiB live" "$OUT/check.txt" \
  || { cat "$OUT/check.txt"; fail "check does not name the named site"; }
"$RTPROF" diff "$OUT/main.dump" "$OUT/scope.dump" > "$OUT/diff.txt"
grep -q "disappeared .* Worker::step jobs/queue.c:77 (named)$" "$OUT/diff.txt" && grep -q "appeared .* Request server.lua:10 (named)$" "$OUT/diff.txt" \
  || { cat "$OUT/diff.txt"; fail "diff does not show the named sites"; }
"$RTPROF" report --format pprof "$OUT/main.dump" | gzip -dc | grep -aq "Worker::step (named)" || fail "pprof lacks 'Worker::step (named)'"
"$RTPROF" report --html "$OUT/main.html" "$OUT/main.dump" > /dev/null
grep -q "Worker::step jobs/queue.c:77 (named)" "$OUT/main.html" || fail "the HTML page lacks the named site"
python3 - "$OUT" "$(line_of typed "$src")" "$(line_of stack_caller "$src")" "$(line_of plain "$src")" "$(line_of entry_call "$src")" <<'PY'
import json, sys
out = sys.argv[1]
typed, stack_caller, plain, entry_call = map(int, sys.argv[2:])
doc = {n: json.load(open(f"{out}/{n}.json")) for n in ("main", "full", "stack", "scope", "scope3")}
errors = []
def want(what, got, expected):
    if got != expected: errors.append(f"{what}: got {got!r}, want {expected!r}")
def named(d, function, file=None, line=None):
    return [s for s in doc[d]["sites"] if s["frames"][0].get("named", False) and s["frames"][0]["function"] == function
            and s["frames"][0]["file"] == file and s["frames"][0]["line"] == line]
def counts(sites):
    return tuple(sum(s[k] for s in sites) for k in ("allocs", "alloc_bytes", "frees", "freed_bytes", "live_blocks", "live_bytes"))
# threads: 4 x 1000 blocks of 24..27 bytes, every other one freed
w = named("main", "Worker::step", "jobs/queue.c", 77)
want("Worker::step sites", len(w), 1)
want("Worker::step counts", counts(w), (4000, 102000, 2000, 51000, 2000, 51000))
want("Vec<u8>::grow counts (calloc 4x32, realloc to 64)", counts(named("main", "Vec<u8>::grow")), (8, 384, 8, 384, 0, 0))
for s in doc["main"]["sites"]:
    if s["frames"][0].get("named", False) and (s["frames"][0]["module"] is not None or s["frames"][0]["offset"] != 0):
        errors.append(f"named frame with a module or offset: {s['frames'][0]}")
# hostile strings: 255 bytes at most, cut before a UTF-8 sequence, control characters as '?'
piece = "op\xc3\xa9rateur \"new\"\t%20\\x\n\x01<T> ".encode("latin-1")
fn = bytes(piece[i % len(piece)] for i in range(9999))
fl = bytes(b"dir with space/%41\xe2\x82\xac/"[i % 21] for i in range(3999))
def cut(b):
    n = 255
    while b[n] & 0xC0 == 0x80: n -= 1
    return bytes(c if c >= 0x20 and c != 0x7f else 0x3f for c in b[:n]).decode("utf-8")
h = named("main", cut(fn), cut(fl), 4294967295)
want("hostile site counts", counts(h), (1, 1000, 1, 1000, 0, 0))
want("empty function name", counts(named("main", "?")), (1, 3, 1, 3, 0, 0))
# entry addresses: named as that function, never the one before it
def c_site(d, function):
    return [s for s in doc[d]["sites"] if not s["frames"][0].get("named", False) and s["frames"][0]["function"] == function]
want("rt_alloc_at(&entry_target) x3", counts(c_site("main", "entry_target")), (3, 30, 3, 30, 0, 0))
want("rt_calloc_at(&entry_static)", counts(c_site("main", "entry_static")), (1, 10, 1, 10, 0, 0))
want("rt_realloc_at(&entry_before) twice", counts(c_site("main", "entry_before")), (2, 36, 2, 36, 0, 0))
ra = [s for s in c_site("main", "main") if s["frames"][0]["line"] == entry_call]
want("rt_alloc_at(return address) names the call line", counts(ra), (1, 16, 1, 16, 0, 0))
# a full table: 16 named sites fit, 24 go to the overflow row, no byte lost
f = doc["full"]
want("full: named sites", sorted(s["frames"][0]["function"] for s in f["sites"]), sorted(f"Type{i}" for i in range(16)))
want("full: each site", {counts([s]) for s in f["sites"]}, {(3, 300, 0, 0, 3, 300)})
want("full: overflow", (f["overflow"]["sites_dropped"], f["overflow"]["allocs"], f["overflow"]["alloc_bytes"], f["overflow"]["live_bytes"]), (24, 72, 7200, 7200))
want("full: totals", (f["totals"]["allocs"], f["totals"]["alloc_bytes"]), (120, 12000))
# depth 3: the named frame, then the C stack of the call
t = named("stack", "Token")
want("Token sites at depth 3", len(t), 1)
if t:
    fr = t[0]["frames"]
    want("Token counts", counts(t), (5, 240, 5, 240, 0, 0))
    want("frame 1 under Token", (fr[1].get("named", False), fr[1]["function"], fr[1]["line"]), (False, "alloc_typed", typed))
    want("frame 2 under Token (line)", [x["line"] for x in fr[2:] if x["line"] == stack_caller], [stack_caller])
# scopes, under the interposer: rt_alloc and malloc go to the innermost scope
want("Request scope (rt_alloc 100 and 300, malloc 33)", counts(named("scope", "Request", "server.lua", 10)), (3, 433, 3, 433, 0, 0))
want("Request::parse scope", counts(named("scope", "Request::parse", "server.lua", 20)), (1, 200, 1, 200, 0, 0))
want("explicit site inside a scope", counts(named("scope", "Cache")), (1, 7, 1, 7, 0, 0))
after = [s for s in doc["scope"]["sites"] if s["frames"][0]["function"] == "plain" and s["frames"][0]["line"] == plain]
want("after the last pop: the C site again", counts(after), (1, 400, 1, 400, 0, 0))
r3 = named("scope3", "Request", "server.lua", 10)
want("Request at depth 3: same totals", counts(r3), (3, 433, 3, 433, 0, 0))
want("Request at depth 3: frame 1 is C", sorted({s["frames"][1].get("named", False) for s in r3}), [False])
want("Request at depth 3: the 100 and 300 bytes come from plain()",
     sorted(s["alloc_bytes"] for s in r3 if s["frames"][1]["function"] == "plain" and s["frames"][1]["line"] == plain), [100, 300])
print("\n".join(errors) or "named sites: exact counts, names and stacks")
sys.exit(1 if errors else 0)
PY
# Hand-written dumps with named sites: a good one reads (frames n1 and
# @0x…); each damaged one is refused, naming the line and what is wrong.
base=$TOP/tests/report/dumps/small.dump
named_dump() { # named_dump NAME SED: small.dump with site 1 named, site 2 exact, edited
  sed -e 's/frames=0x401000,0x402000/frames=n1,0x402000/' -e 's/frames=0x403000/frames=@0x403000/' \
      -e '/^overflow /a name id=1 line=7 file=dir%20x/a%25.lua function=main chunk' \
      -e 's/^end .*/& names=1/' "$base" | sed -e "$2" > "$OUT/$1.dump"
}
named_dump good ''
"$RTPROF" report --json "$OUT/good.dump" > "$OUT/good.json" || fail "a dump with a name record is refused"
python3 - "$OUT/good.json" <<'PY' || fail "the hand-written named dump reads wrong"
import json, sys
d = json.load(open(sys.argv[1]))
f = {s["id"]: s["frames"][0] for s in d["sites"]}
assert (f[1]["function"], f[1]["file"], f[1]["line"], f[1].get("named")) == ("main chunk", "dir x/a%.lua", 7, True), f[1]
assert f[2].get("named") is None and f[2]["offset"] == 0x3000, f[2]  # exact: no -1
PY
bad_named() { # bad_named NAME SED MESSAGE
  named_dump "$1" "$2"
  local rc=0
  "$RTPROF" report "$OUT/$1.dump" > /dev/null 2> "$OUT/$1.err" || rc=$?
  [ $rc = 2 ] && [ "$(cat "$OUT/$1.err")" = "rtprof: error: $OUT/$1.dump:$3" ] \
    || fail "$1: exit $rc, stderr '$(cat "$OUT/$1.err")', want 'rtprof: error: $OUT/$1.dump:$3'"
}
bad_named unknown-name 's/frames=n1,/frames=n2,/' "6: site: site 1: frame n2 names no 'name' record"
bad_named n0 's/frames=n1,/frames=n0,/' "6: site: field 'frames': named site n0 (name ids start at 1)"
bad_named bad-escape 's/%20x/%2Gx/' "9: name: field 'file': '%' must be followed by two hex digits in 'dir%2Gx/a%25.lua'"
bad_named name-twice '/^name /p' "10: name: name id 1 appears twice"
bad_named names-count 's/names=1/names=2/' "14: end: says names=2 but 1 'name' records precede it (damaged file)"
bad_named name-order '/^name /d; /^phase id=2/a name id=1 line=7 function=late' "11: name: out of order: a 'name' record must come before 'phase' records"
echo "named dumps: read, and refused with the line and field"
