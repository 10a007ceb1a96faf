# Phase brackets end to end: paths, K calls, early return/break/goto, two
# threads' stacks kept apart, exact per-phase and phase x site figures, and
# each kind of misuse reported without disturbing the other phases.
. "$(dirname "$0")/common.sh"
src=$TOP/tests/e2e/phases_prog.c
$CC $CFLAGS -O1 "$src" -o "$OUT/phases" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof -lpthread
RTPROF=1 RTPROF_OUT="$OUT/phases.dump" "$OUT/phases" > "$OUT/stdout" 2> "$OUT/stderr"
for msg in "PROFILE_PHASE_END without a matching BEGIN" "PROFILE_PHASE_BEGIN without END inside a scoped phase" \
           "nested deeper than 64" "exited with phases still open"; do
  grep -q "$msg" "$OUT/stderr" || fail "no warning '$msg' on stderr: $(cat "$OUT/stderr")"
done
for w in phase_end_without_begin=1 phase_token_mismatch=1 phase_depth_exceeded=7 phase_open_at_exit=1; do
  grep -q "^warning ${w%=*} count=${w#*=}\$" "$OUT/phases.dump" || fail "dump lacks 'warning ${w%=*} count=${w#*=}'"
done
"$RTPROF" report --json "$OUT/phases.dump" > "$OUT/report.json"
"$RTPROF" report "$OUT/phases.dump" > "$OUT/report.txt"
"$RTPROF" report --wide "$OUT/phases.dump" > "$OUT/report-wide.txt"
"$RTPROF" report --phase outer "$OUT/phases.dump" > "$OUT/outer.txt"
lines=""
for m in inner outer_freed outer_kept t1 t2 after_early span after_misuse; do lines="$lines $m=$(line_of "$m" "$src")"; done
python3 - "$OUT/report.json" $lines <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
line = dict(a.split("=") for a in sys.argv[2:]); line = {k: int(v) for k, v in line.items()}
ph = {p["path"]: p for p in doc["phases"]}
site_line = {s["id"]: s["frames"][0]["line"] for s in doc["sites"]}
errors = []
def expect(path, **want):
    p = ph.get(path)
    if p is None:
        errors.append(f"no phase {path}; have {sorted(ph)}"); return
    for k, v in want.items():
        if p[k] != v: errors.append(f"{path}.{k} = {p[k]}, want {v}")
def sites_of(path):
    return sorted(site_line[s["id"]] for s in ph[path]["sites"]) if path in ph else []
# outer: 3 calls x (100 freed + 100 kept); inner: 3 x 1000; kept blocks freed later, outside phases
expect("outer", calls=3, allocs=6, alloc_bytes=600, frees=6, freed_bytes=600, live_bytes=0,
       cum_allocs=9, cum_alloc_bytes=3600, live_delta=3300)
expect("outer/inner", calls=3, allocs=3, alloc_bytes=3000, frees=3, live_bytes=0, live_delta=3000)
expect("early", calls=1, allocs=0)
expect("loop_body", calls=3)
expect("goto_block", calls=1)
expect("span", calls=1, allocs=1, alloc_bytes=7)
expect("t1work", calls=1, allocs=10, alloc_bytes=100, frees=10)
expect("t2work", calls=1, allocs=20, alloc_bytes=400, frees=20)
expect("scoped", calls=1)
expect("scoped/unclosed", calls=1)
expect("after_misuse", calls=1, allocs=1, alloc_bytes=3)
# frees blocks of outer and inner: the per-call delta is negative, never clamped
expect("release", calls=1, allocs=0, frees=0, live_delta=-3300, live_bytes=0)
expect("open_at_exit", calls=0, allocs=0)  # still open: no call has ended
want_paths = (["outer", "outer/inner", "early", "loop_body", "goto_block", "span", "t1work", "t2work",
               "scoped", "scoped/unclosed"] + ["/".join(["deep"] * k) for k in range(1, 65)]
              + ["after_misuse", "release", "open_at_exit"])
if sorted(ph) != sorted(want_paths):
    errors.append(f"phase paths {sorted(set(ph) ^ set(want_paths))} differ (present on one side only)")
deep = [p for p in ph if p.startswith("deep")]
if len(deep) != 64: errors.append(f"{len(deep)} 'deep' phases recorded, want 64 (the nesting limit)")
expect("/".join(["deep"] * 64), calls=1)
if sites_of("outer") != sorted([line["outer_freed"], line["outer_kept"]]): errors.append(f"outer sites {sites_of('outer')}")
if sites_of("outer/inner") != [line["inner"]]: errors.append(f"inner sites {sites_of('outer/inner')}")
if sites_of("t1work") != [line["t1"]] or sites_of("t2work") != [line["t2"]]:
    errors.append(f"thread phases mixed: t1 {sites_of('t1work')}, t2 {sites_of('t2work')}")
if any(site_line[s["id"]] == line["after_early"] for p in ph.values() for s in p["sites"]):
    errors.append("the allocation after early() returned was attributed to a phase")
t = doc["totals"]
if t["live_blocks"] != 1 or t["live_bytes"] != 100: errors.append(f"live at exit {t['live_blocks']} blocks {t['live_bytes']} B, want 1, 100")
print("\n".join(errors) or "phases exact")
sys.exit(1 if errors else 0)
PY
# ("Live at the peak" names the phase open at the capture, which may be any.)
grep -q "outer" "$OUT/outer.txt" && ! grep -v "^Live at the peak" "$OUT/outer.txt" | grep -q "t1work" ||
  fail "--phase outer did not focus on outer"
# The text report's phase tree (--wide: exact figures, names never cut), read
# back from its indentation (two spaces a level) into paths with their calls
# and live delta, must be exactly this.
python3 - "$OUT/report-wide.txt" <<'PY' || fail "the text report's phase tree is wrong"
import re, sys
lines = open(sys.argv[1]).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("Phases ("))
stack, got = [], []
for l in lines[start + 2:]:
    if not l.strip() or not l.startswith("  "): break
    m = re.match(r"^  ( *)([\w]+)(?: \[1 open\])? +(\d+) +\S+ \S+ +\S+ \S+ +([-+]?[\d.]+ \S+)", l)
    if not m: continue              # a phase x site line under a phase
    depth = len(m.group(1)) // 2
    stack[depth:] = [m.group(2)]
    got.append(("/".join(stack), int(m.group(3)), m.group(4)))
want = [("outer", 3, "+3.2 KiB"), ("outer/inner", 3, "+2.9 KiB"), ("early", 1, "0 B"), ("loop_body", 3, "0 B"),
        ("goto_block", 1, "0 B"), ("span", 1, "0 B"), ("t1work", 1, "0 B"), ("t2work", 1, "0 B"),
        ("scoped", 1, "0 B"), ("scoped/unclosed", 1, "0 B")] + \
       [("/".join(["deep"] * k), 1, "0 B") for k in range(1, 65)] + \
       [("after_misuse", 1, "0 B"), ("release", 1, "-3.2 KiB"), ("open_at_exit", 0, "0 B")]
if sorted(got) != sorted(want):
    print("phase tree:", [g for g in got if g not in want], "unexpected;", [w for w in want if w not in got], "missing")
    sys.exit(1)
PY
