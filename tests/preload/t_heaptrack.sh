# Agreement with heaptrack on one deterministic program (heaptrack_prog.c):
# the same total allocation count and bytes, the same frees, the same top
# functions by bytes once wrappers are folded, and on the calls heaptrack
# accounts differently (memalign, realloc(p, 0)) exactly the documented
# difference. docs/heaptrack-comparison.md explains every step.
# Skipped (77) when heaptrack is not installed.
. "$(dirname "$0")/common.sh"
for tool in heaptrack heaptrack_print; do
  command -v "$tool" > /dev/null || { echo "skipped: $tool not installed (Debian package heaptrack)"; exit 77; }
done
SKIP='^(xmalloc|xcalloc|str_dup|vec_grow|arena_alloc|arena_chunk|(__GI___)?strdup)$'
gcc -std=gnu11 -Wall -Wextra -Werror -g -O1 -fno-optimize-sibling-calls \
  "$TOP/tests/preload/heaptrack_prog.c" -o "$OUT/heaptrack_prog"

# compare NAME ARGS...: the program under heaptrack and under rtprof (depth
# 1 and 8), same output; leaves $OUT/NAME.{ht,d1,d8,json,hist,print}.
compare() {
  local name=$1; shift
  "$OUT/heaptrack_prog" "$@" > "$OUT/$name.plain.out"
  heaptrack -o "$OUT/$name.ht" "$OUT/heaptrack_prog" "$@" > "$OUT/$name.ht.log" 2>&1 \
    || { cat "$OUT/$name.ht.log"; fail "$name: heaptrack run failed"; }
  grep -qxF "$(cat "$OUT/$name.plain.out")" "$OUT/$name.ht.log" || fail "$name: output differs under heaptrack"
  local trace=$OUT/$name.ht.zst # .gz when heaptrack found no zstd
  if [ -f "$trace" ]; then
    zstd -dcq "$trace" > "$OUT/$name.ht"
  else
    trace=$OUT/$name.ht.gz
    [ -f "$trace" ] || fail "$name: heaptrack wrote no trace"
    gzip -dc "$trace" > "$OUT/$name.ht"
  fi
  heaptrack_print -H "$OUT/$name.hist" "$trace" > "$OUT/$name.print"
  local depth
  for depth in 1 8; do
    RTPROF=1 RTPROF_OUT="$OUT/$name.d$depth" RTPROF_DEPTH=$depth LD_PRELOAD="$PRELOAD" \
      "$OUT/heaptrack_prog" "$@" > "$OUT/$name.d$depth.out"
    cmp -s "$OUT/$name.plain.out" "$OUT/$name.d$depth.out" || fail "$name: output differs under rtprof"
    check_dump "$OUT/$name.d$depth" > /dev/null
  done
  "$RTPROF" report --json --skip "$SKIP" "$OUT/$name.d8" > "$OUT/$name.json" || fail "$name: rtprof report failed"
  "$RTPROF" report --json "$OUT/$name.d1" > "$OUT/$name.d1.json" || fail "$name: rtprof report failed"
}

# check NAME MODE: MODE "equal" (the totals must agree) or "edges" (rtprof
# must exceed heaptrack by exactly the memalign and realloc(p, 0) calls).
check() {
  python3 - "$OUT/$1" "$2" "$SKIP" <<'PY'
import json, re, sys
base, mode, skip = sys.argv[1], sys.argv[2], re.compile(sys.argv[3])

# heaptrack's interpreted trace (heaptrack_interpret's output, decompressed):
# "s LEN STRING" strings, "i IP MODULE [FUNC FILE LINE]..." instruction
# pointers (frame first, then the functions it is inlined into), "t IP
# PARENT" trace nodes, "a SIZE TRACE" allocation infos, "+ INFO" one
# allocation, "- INFO" one free. Indices are hex; strings, ips and traces
# count from 1 (0 is "none"), allocation infos from 0.
strings, ips, traces, infos = [], [], [], []
allocs, frees, events = [], [], []
for line in open(base + ".ht", errors="replace"):
    kind, rest = line[:1], line[2:].rstrip("\n")
    if kind == "s":
        strings.append(rest.split(" ", 1)[1] if " " in rest else "")
    elif kind == "i":
        f = [int(x, 16) for x in rest.split()]
        ips.append((f[1], [tuple(f[k:k + 3]) for k in range(2, len(f) - 2, 3)]))
    elif kind == "t":
        ip, parent = (int(x, 16) for x in rest.split()[:2])
        traces.append((ip, parent))
    elif kind == "a":
        size, trace = (int(x, 16) for x in rest.split()[:2])
        infos.append((size, trace))
    elif kind == "+":
        allocs.append(int(rest, 16))
        events.append(allocs[-1])
    elif kind == "-":
        frees.append(int(rest, 16))
        events.append(~frees[-1])
S = lambda i: strings[i - 1] if i else None

def leaf_module(info):
    trace = infos[info][1]
    return S(ips[traces[trace - 1][0] - 1][0]) if trace else None

def function(info):
    """The first function of the allocation's stack that --skip does not fold."""
    trace, last = infos[info][1], None
    while trace:
        ip, trace = traces[trace - 1]
        module, frames = ips[ip - 1]
        if not frames:
            return f"{module and S(module)}+?"
        for func, _, _ in frames:
            last = S(func) or f"{S(module)}+?"  # unknown: never folded, as in rtprof
            if not func or not skip.search(last):
                return last
    return last

# heaptrack's own tool must agree with this decoding (raw, nothing excluded).
calls = int(re.search(r"calls to allocation functions: (\d+)", open(base + ".print").read()).group(1))
hist = [tuple(map(int, l.split())) for l in open(base + ".hist") if l.strip()]
assert calls == len(allocs), f"heaptrack_print says {calls} allocations, the trace holds {len(allocs)}"
assert sum(n for _, n in hist) == len(allocs), "histogram count differs from the trace"
assert sum(s * n for s, n in hist) == sum(infos[i][0] for i in allocs), "histogram bytes differ from the trace"

# Allocations made by libraries that only heaptrack loads (its preload
# library pulls in libstdc++, whose start-up reserves a 72,704-byte
# exception pool): their innermost frame is in a module rtprof's run never
# had. They are not the program's; set them aside, and say so.
rt_modules = {l.split("path=", 1)[1].rstrip("\n") for l in open(base + ".d8") if l.startswith("module ")}
foreign = {i for i in set(allocs) if leaf_module(i) not in rt_modules}
ht = {"allocs": 0, "alloc_bytes": 0, "frees": 0, "freed_bytes": 0}
funcs = {}
for i in allocs:
    if i in foreign:
        continue
    ht["allocs"] += 1
    ht["alloc_bytes"] += infos[i][0]
    fn = function(i)
    funcs[fn] = funcs.get(fn, 0) + infos[i][0]
for i in frees:
    if i not in foreign:
        ht["frees"] += 1
        ht["freed_bytes"] += infos[i][0]
ht["live_blocks"] = ht["allocs"] - ht["frees"]
ht["live_bytes"] = ht["alloc_bytes"] - ht["freed_bytes"]
live = ht["peak_live_bytes"] = 0  # replayed in trace order, as heaptrack's "peak heap"
for e in events:
    i = e if e >= 0 else ~e
    if i not in foreign:
        live += infos[i][0] if e >= 0 else -infos[i][0]
        ht["peak_live_bytes"] = max(ht["peak_live_bytes"], live)
set_aside = [(leaf_module(i), infos[i][0]) for i in allocs if i in foreign]

doc = json.load(open(base + ".json"))
rt = {k: doc["totals"][k] for k in ht}
rt1 = {k: json.load(open(base + ".d1.json"))["totals"][k] for k in ht}
assert rt1 == rt, f"rtprof depth 1 and depth 8 disagree: {rt1} vs {rt}"

print(f"heaptrack_print: {calls} allocations, {sum(s * n for s, n in hist)} bytes (raw)")
print(f"heaptrack, set aside (not the program's): {len(set_aside)} allocations {set_aside}")
print("%-15s %12s %12s" % ("", "heaptrack", "rtprof"))
for k in ht:
    mark = "   <- differs" if mode == "equal" else "   <- documented difference"
    print("%-15s %12d %12d%s" % (k, ht[k], rt[k], "" if ht[k] == rt[k] else mark))

if mode == "equal":
    assert ht == rt, "totals differ"
    rtf = {}
    for s in doc["sites"]:
        fn = s["frames"][0]["function"]
        rtf[fn] = rtf.get(fn, 0) + s["alloc_bytes"]
    top = lambda d: sorted(d.items(), key=lambda kv: -kv[1])[:5]
    print("top functions by allocated bytes, wrappers folded:")
    for (hf, hb), (rf, rb) in zip(top(funcs), top(rtf)):
        print("  heaptrack %-14s %9d   rtprof %-14s %9d" % (hf, hb, rf, rb))
    assert top(funcs) == top(rtf), "top functions differ"
    assert funcs == rtf, f"per-function bytes differ: heaptrack {funcs}, rtprof {rtf}"
    assert len(set_aside) <= 1, "more allocations from heaptrack-only libraries than its libstdc++ pool"
else:
    # memalign(64, 1000) + free: heaptrack hooks neither memalign nor (for
    # a pointer it never saw) that free. xmalloc(300) then realloc(p, 0) and
    # free of the result: glibc frees p and returns NULL, which heaptrack
    # records as nothing (p stays live); rtprof frees p, returns a 0-byte
    # block, and that block is freed.
    want = {"allocs": 2, "alloc_bytes": 1000, "frees": 3, "freed_bytes": 1300,
            "live_blocks": -1, "live_bytes": -300, "peak_live_bytes": 0}
    got = {k: rt[k] - ht[k] for k in ht}
    print("rtprof - heaptrack:", got)
    assert got == want, f"expected rtprof - heaptrack = {want}"
PY
}

compare main 2
check main equal
compare edges 1 edges
check edges edges
echo "heaptrack and rtprof agree"
