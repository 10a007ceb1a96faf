# RTPROF_SKIP walks past allocation wrappers at capture time
# (tests/e2e/skip_prog.c: api_alloc -> pool_alloc -> raw_alloc -> rt_alloc):
# at depth 2 each site is the wrappers' caller at its exact line, then that
# caller's caller; +REGEX adds to the built-in list, which already walks past
# strdup; `rtprof run --skip` passes the pattern down; a bad pattern warns
# once, naming the variable, and the built-in list stays.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/skip_prog.c
$CC $CFLAGS "$src" -o "$OUT/skip" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
chain='^(api_alloc|pool_alloc|raw_alloc)$'
RTPROF=1 RTPROF_DEPTH=2 RTPROF_SKIP="$chain" RTPROF_OUT="$OUT/d2.dump" "$OUT/skip" > /dev/null
RTPROF=1 RTPROF_DEPTH=2 RTPROF_SKIP="+$chain" RTPROF_OUT="$OUT/plus.dump" "$OUT/skip" > /dev/null
RTPROF=1 RTPROF_OUT="$OUT/d1.dump" "$OUT/skip" > /dev/null
RTPROF=1 RTPROF_SKIP='(unclosed' RTPROF_OUT="$OUT/bad.dump" "$OUT/skip" > /dev/null 2> "$OUT/bad.err"
"$RTPROF" run -o "$OUT/run.dump" --depth 2 --skip "$chain" --no-report -- "$OUT/skip" strdup > /dev/null
"$RTPROF" run -o "$OUT/default.dump" --no-report -- "$OUT/skip" strdup > /dev/null
RTPROF=1 RTPROF_SKIP= RTPROF_OUT="$OUT/none.dump" LD_PRELOAD="$LIB/librtprof-preload.so" "$OUT/skip" strdup > /dev/null
for d in d2 plus d1 bad run default none; do "$RTPROF" report --json "$OUT/$d.dump" > "$OUT/$d.json"; done
[ "$(grep -c 'RTPROF_SKIP' "$OUT/bad.err")" = 1 ] && grep -q "RTPROF_SKIP='(unclosed' is not a valid POSIX extended regular expression" "$OUT/bad.err" \
  || { cat "$OUT/bad.err"; fail "a bad RTPROF_SKIP is not reported once by name"; }
python3 - "$OUT" "$(line_of config "$src")" "$(line_of args "$src")" "$(line_of names "$src")" \
  "$(line_of main_config "$src")" "$(line_of main_args "$src")" "$(line_of main_raw "$src")" <<'PY'
import json, sys
out = sys.argv[1]
config, args, names, main_config, main_args, main_raw = map(int, sys.argv[2:])
errors = []
def load(n): return json.load(open(f"{out}/{n}.json"))
def table(doc, depth):
    return {tuple((f["function"], f["line"]) for f in s["frames"][:depth]): (s["allocs"], s["alloc_bytes"], s["live_bytes"])
            for s in doc["sites"]}
want2 = {(("load_config", config), ("main", main_config)): (6, 6 * 208, 0),
         (("parse_args", args), ("main", main_args)): (4, 4 * 18, 0)}
for name in ("d2", "plus", "run"):
    got = table(load(name), 2)
    for k, v in want2.items():
        if got.get(k) != v: errors.append(f"{name}: {k}: got {got.get(k)}, want {v}")
    raw = [v for k, v in got.items() if k[0] == ("main", main_raw)]
    if raw != [(1, 5, 5)]: errors.append(f"{name}: main:{main_raw}: got {raw}, want [(1, 5, 5)]")
    if any(k[0][0] in ("api_alloc", "pool_alloc", "raw_alloc") for k in got):
        errors.append(f"{name}: a wrapper frame is still a site: {sorted(got)}")
for name in ("d1", "bad"):  # the built-in list does not know these wrappers
    fns = {s["frames"][0]["function"] for s in load(name)["sites"]}
    if fns != {"raw_alloc"}: errors.append(f"{name}: depth 1 without the chain in RTPROF_SKIP: {fns}, want raw_alloc")
for name, depth in (("run", 2), ("default", 1)):  # strdup walked past by the built-in list
    got = {k[0]: v for k, v in table(load(name), depth).items() if k[0][0] == "copy_names"}
    if got != {("copy_names", names): (3, 39, 0)}: errors.append(f"{name}: strdup's caller: {got}")
none = [s["frames"][0]["function"] for s in load("none")["sites"] if s["allocs"] == 3 and s["alloc_bytes"] == 39]
if none == ["copy_names"] or len(none) != 1: errors.append(f"RTPROF_SKIP= should keep strdup's own frame: {none}")
print("\n".join(errors) or "wrappers walked past at capture: exact callers and counts")
sys.exit(1 if errors else 0)
PY
