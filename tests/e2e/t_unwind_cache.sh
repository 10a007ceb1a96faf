# The cache of unwound stacks (alloc/capture.c) gives exactly the frames a
# full unwind gives. At RTPROF_DEPTH=16 under the interposer:
#  - unwind_prog.c's tricky stacks (recursion at varying depths, one return
#    address reached at one stack pointer from two callers, alloca frames
#    moved under an unchanged stack pointer, one stack inside a named scope
#    and outside it, two deep stacks differing only in their 16th frame),
#    built with and without frame pointers, come out at
#    their exact file:line stacks and counts;
#  - RTPROF_UNWIND_CACHE=2 compares every cached and recorded stack with
#    libunwind's own backtrace (aborting on a difference) in that program,
#    Debian's lua5.4, python3 and sqlite3, and the cache was used;
#  - sqlite3 and python3 write the same sites with the same counts with the
#    cache on and off;
#  - so does comptime-clone, whose recursive-descent parser reaches one
#    return address at many stack depths, so that recording usually pauses
#    there (in about 1 run in 20 its reuses just pay, and it does not);
#  - unwind_prog.c's `churn` (one return address at 600 depths in turn)
#    never pays: recording must pause (the checked run counts misses taken
#    from libunwind while it paused), and its stacks are exact.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/unwind_prog.c
PRELOAD=$LIB/librtprof-preload.so
run16() { env LD_PRELOAD="$PRELOAD" RTPROF=1 RTPROF_DEPTH=16 "$@"; }

# A checked run's summary: "N cached and M recorded stacks", N > 0.
checked() {
  local err=$1 what=$2
  grep -q "RTPROF_UNWIND_CACHE=2: [1-9][0-9]* cached and [0-9]* recorded stacks, each equal" "$err" \
    || fail "$what: no checked cache hits: $(cat "$err")"
}

# stacks JSON KIND [LABEL]: the report's stacks (up to main) and their
# allocation counts are exactly unwind_prog.c's, as run plainly (tricky) or
# with `churn`.
stacks() {
  python3 - "$1" "$src" "$2" "${3:-}" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
line = {m.group(1): i + 1 for i, l in enumerate(open(sys.argv[2])) for m in [re.search(r"SITE:(\w+) ", l)] if m}
kind, label = sys.argv[3], sys.argv[4]
got = {}
for s in d["sites"]:
    fr = []
    for f in s["frames"]:
        fr.append((f.get("function"), f.get("line")))
        if f.get("function") == "main": break
    got[tuple(fr)] = got.get(tuple(fr), 0) + s["allocs"]
def rec(n, caller):  # rec(n)'s allocation: n + 1 rec frames, then the caller
    return (("bottom", line["bottom"]), ("rec", line["rec_bottom"])) + (("rec", line["rec"]),) * n + (caller,)
want = {}
if kind == "churn":
    for n in range(600):  # rec(n) is called 100000 // 600 times, or once more
        fr = rec(n, ("main", line["main_churn"]))[:16]
        want[fr] = want.get(fr, 0) + len(range(n, 100000, 600))
else:
    for n in range(1, 6):
        want[rec(n, ("main", line["main_rec"]))] = 20
    for c in "ab":
        want[(("target", line["target"]), ("caller_" + c, line["caller_" + c]), ("main", line["main_" + c]))] = 10
    for c in "ab":
        want[(("leaf", line["leaf"]), ("af", line["af_leaf"]), ("mid", line["af_" + c]), ("main", line["main_mid"]))] = 20
    tail = (("scoped_leaf", line["scoped_leaf"]), ("scoped", line["scoped"]), ("main", line["main_scoped"]))
    want[tail] = 10
    want[(("Scope", None),) + tail] = 10
    for c in "ab":  # 16 frames, main beyond them
        want[rec(13, ("top_" + c, line["top_" + c]))] = 10
errors = [f"{k}: {got.get(k)} allocs, want {v}" for k, v in want.items() if got.get(k) != v]
errors += [f"unexpected site {k}: {v}" for k, v in got.items() if k not in want]
print("\n".join(errors) or (f"churn: {len(want)} exact stacks, recording paused" if kind == "churn"
                             else f"{len(want)} exact stacks ({label})"))
sys.exit(1 if errors else 0)
PY
}

for fp in -fno-omit-frame-pointer -fomit-frame-pointer; do
  exe=$OUT/unwind$fp
  $CC $CFLAGS -fno-optimize-sibling-calls $fp "$src" -o "$exe" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
  for mode in 1 2; do
    run16 RTPROF_UNWIND_CACHE=$mode RTPROF_OUT="$OUT/u$fp.$mode.dump" "$exe" > /dev/null 2> "$OUT/u$fp.$mode.err" \
      || fail "unwind_prog $fp, RTPROF_UNWIND_CACHE=$mode: failed: $(cat "$OUT/u$fp.$mode.err")"
    "$RTPROF" report --json "$OUT/u$fp.$mode.dump" > "$OUT/u$fp.$mode.json"
    stacks "$OUT/u$fp.$mode.json" tricky "$fp" || fail "unwind_prog $fp, RTPROF_UNWIND_CACHE=$mode: wrong stacks"
  done
  checked "$OUT/u$fp.2.err" "unwind_prog $fp"
done

# Stacks that never pay for their recording: it pauses, and every stack,
# recorded or taken from libunwind while paused, is exact.
run16 RTPROF_UNWIND_CACHE=2 RTPROF_OUT="$OUT/churn.dump" "$exe" churn > /dev/null 2> "$OUT/churn.err" \
  || fail "unwind_prog churn: failed: $(cat "$OUT/churn.err")"
grep -q "met once and [1-9][0-9]* while recording paused taken from it" "$OUT/churn.err" \
  || fail "unwind_prog churn: recording never paused: $(cat "$OUT/churn.err")"
"$RTPROF" report --json "$OUT/churn.dump" > "$OUT/churn.json"
stacks "$OUT/churn.json" churn || fail "unwind_prog churn: wrong stacks"

# Real programs, each stack checked against a full unwind.
SQL=(":memory:" ".parameter set @items 3000" ".parameter set @sales 6000" ".read $TOP/tests/bench/workload.sql")
ran=0
if [ -x /usr/bin/lua5.4 ]; then
  run16 RTPROF_UNWIND_CACHE=2 RTPROF_OUT="$OUT/lua.dump" /usr/bin/lua5.4 "$TOP/tests/bench/workload.lua" 20000 \
    > /dev/null 2> "$OUT/lua.err" || fail "lua5.4, checked: $(cat "$OUT/lua.err")"
  checked "$OUT/lua.err" lua5.4
  ran=$((ran + 1))
fi
if [ -x /usr/bin/python3 ]; then
  for mode in 0 1 2; do
    run16 PYTHONMALLOC=malloc PYTHONHASHSEED=0 RTPROF_UNWIND_CACHE=$mode RTPROF_OUT="$OUT/py.$mode.dump" \
      /usr/bin/python3 -s "$TOP/tests/bench/workload.py" 2000 > /dev/null 2> "$OUT/py.$mode.err" \
      || fail "python3, RTPROF_UNWIND_CACHE=$mode: $(cat "$OUT/py.$mode.err")"
  done
  checked "$OUT/py.2.err" python3
  ran=$((ran + 1))
fi
$CC $CFLAGS "$TOP/examples/comptime-clone/comptime.c" -o "$OUT/comptime" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
for mode in 0 1 2; do
  env RTPROF=1 RTPROF_DEPTH=16 RTPROF_UNWIND_CACHE=$mode RTPROF_OUT="$OUT/ct.$mode.dump" "$OUT/comptime" --quiet \
    --size 2 --evals 8 > /dev/null 2> "$OUT/ct.$mode.err" || fail "comptime, RTPROF_UNWIND_CACHE=$mode: $(cat "$OUT/ct.$mode.err")"
done
checked "$OUT/ct.2.err" comptime
ran=$((ran + 1))
if [ -x /usr/bin/sqlite3 ]; then
  for mode in 0 1 2; do
    run16 RTPROF_UNWIND_CACHE=$mode RTPROF_OUT="$OUT/sq.$mode.dump" /usr/bin/sqlite3 "${SQL[@]}" \
      > /dev/null 2> "$OUT/sq.$mode.err" || fail "sqlite3, RTPROF_UNWIND_CACHE=$mode: $(cat "$OUT/sq.$mode.err")"
  done
  checked "$OUT/sq.2.err" sqlite3
  ran=$((ran + 1))
fi

# Same sites, same counts, cache on and off: each site's frames as
# module+offset (the runs load their modules at different addresses).
sites() {
  gawk '/^module / { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
                     n++; lo[n] = strtonum(f["lo"]); hi[n] = strtonum(f["hi"]); base[n] = strtonum(f["base"]); path[n] = f["path"] }
        /^site / { out = ""
                   for (i = 3; i <= NF; i++) {
                     if ($i !~ /^frames=/) { out = out " " $i; continue }
                     m = split(substr($i, 8), a, ",")
                     for (j = 1; j <= m; j++) {
                       x = strtonum(a[j]); s = a[j]
                       for (k = 1; k <= n; k++) if (x >= lo[k] && x < hi[k]) { s = sprintf("%s+0x%x", path[k], x - base[k]); break }
                       out = out " " s
                     } }
                   print out }' "$1" | sort
}
for p in py sq ct; do
  [ -e "$OUT/$p.0.dump" ] || continue
  sites "$OUT/$p.0.dump" > "$OUT/$p.0.sites"
  sites "$OUT/$p.1.dump" > "$OUT/$p.1.sites"
  [ -s "$OUT/$p.0.sites" ] || fail "$p: no sites in the dump"
  diff "$OUT/$p.0.sites" "$OUT/$p.1.sites" > "$OUT/$p.diff" \
    || fail "$p: sites or counts differ with the cache on: $(head -5 "$OUT/$p.diff")"
  echo "$p: $(wc -l < "$OUT/$p.0.sites") sites, the same with the cache on and off"
done
echo "tricky stacks exact with and without frame pointers; $ran real programs checked frame by frame"
