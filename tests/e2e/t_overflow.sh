# More distinct sites than RTPROF_SITES: the table keeps 16, the overflow row
# counts the rest, and the totals stay exact.
. "$(dirname "$0")/common.sh"
# 40 distinct call sites, one per line; site k allocates k+1 blocks of k+1
# bytes and frees them, but sites 36-39 keep their first block.
{
  echo '#include "rtprof.h"'
  echo 'int main(void) {'
  for k in $(seq 0 39); do
    echo "  for (int i = 0; i <= $k; i++) { void *p = rt_alloc($k + 1); if ($k < 36 || i > 0) rt_free(p); }"
  done
  echo '  return 0;'
  echo '}'
} > "$OUT/many_sites.c"
$CC $CFLAGS -O0 "$OUT/many_sites.c" -o "$OUT/many" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
RTPROF=1 RTPROF_SITES=16 RTPROF_OUT="$OUT/many.dump" "$OUT/many"
"$RTPROF" report --json "$OUT/many.dump" > "$OUT/report.json"
python3 - "$OUT/report.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
allocs = sum(k + 1 for k in range(40)); nbytes = sum((k + 1) ** 2 for k in range(40))
kept = 4; kept_bytes = 37 + 38 + 39 + 40
t, o = doc["totals"], doc["overflow"]
errors = []
if t["allocs"] != allocs or t["alloc_bytes"] != nbytes or t["frees"] != allocs - kept:
    errors.append(f"totals {t['allocs']} allocs {t['alloc_bytes']} bytes {t['frees']} frees, want {allocs} {nbytes} {allocs - kept}")
if t["live_blocks"] != kept or t["live_bytes"] != kept_bytes:
    errors.append(f"totals live {t['live_blocks']} blocks {t['live_bytes']} bytes, want {kept} {kept_bytes}")
# The overflow row holds sites 16-39 exactly, frees included.
o_allocs = sum(k + 1 for k in range(16, 40)); o_bytes = sum((k + 1) ** 2 for k in range(16, 40))
want_o = {"sites_dropped": 24, "allocs": o_allocs, "alloc_bytes": o_bytes, "frees": o_allocs - kept,
          "freed_bytes": o_bytes - kept_bytes, "live_bytes": kept_bytes}
for k, v in want_o.items():
    if o.get(k) != v: errors.append(f"overflow.{k} = {o.get(k)}, want {v}")
if len(doc["sites"]) != 16: errors.append(f"{len(doc['sites'])} sites, want 16")
if o["sites_dropped"] != 24: errors.append(f"sites_dropped {o['sites_dropped']}, want 24")
in_sites = sum(s["allocs"] for s in doc["sites"]); bytes_sites = sum(s["alloc_bytes"] for s in doc["sites"])
if in_sites + o["allocs"] != allocs or bytes_sites + o["alloc_bytes"] != nbytes:
    errors.append(f"sites {in_sites} + overflow {o['allocs']} != {allocs}")
# The first 16 sites in program order got the table: k = 0..15.
if in_sites != sum(k + 1 for k in range(16)): errors.append(f"table holds {in_sites} allocs, want sites 0-15")
print("\n".join(errors) or "exact")
sys.exit(1 if errors else 0)
PY
"$RTPROF" report "$OUT/many.dump" > "$OUT/report.txt"
grep -qi overflow "$OUT/report.txt" || fail "the text report does not show the overflow row"

# RTPROF_PHASES and RTPROF_PAIRS overflow in a real run: 30 phases, each
# calling 40 sites once (1 byte each). With 16 phase slots (two reserved:
# no phase and the overflow phase), p0-p13 are kept and p14-p29 go to the
# (overflow) phase; with 1024 pairs, 1200 phase x site pairs do not all
# fit. Totals stay exact either way.
{
  echo '#include "rtprof.h"'
  echo 'static void work(void) {'
  for k in $(seq 0 39); do echo "  rt_free(rt_alloc(1));"; done
  echo '}'
  echo 'int main(void) {'
  echo '  static const char *names[30] = {'
  for p in $(seq 0 29); do echo "    \"p$p\","; done
  echo '  };'
  echo '  for (int p = 0; p < 30; p++) { int t = rtprof_phase_begin(names[p]); work(); rtprof_phase_end_token(t); }'
  echo '  return 0;'
  echo '}'
} > "$OUT/many_phases.c"
$CC $CFLAGS -O0 "$OUT/many_phases.c" -o "$OUT/phases" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
RTPROF=1 RTPROF_PHASES=16 RTPROF_OUT="$OUT/phases16.dump" "$OUT/phases" 2> "$OUT/phases16.err"
grep -q "more than 14 phases" "$OUT/phases16.err" || fail "no warning about the phase table: $(cat "$OUT/phases16.err")"
RTPROF=1 RTPROF_PAIRS=1024 RTPROF_OUT="$OUT/pairs1024.dump" "$OUT/phases"
"$RTPROF" report --json "$OUT/phases16.dump" > "$OUT/phases16.json"
"$RTPROF" report --json "$OUT/pairs1024.dump" > "$OUT/pairs1024.json"
python3 - "$OUT/phases16.json" "$OUT/pairs1024.json" <<'PY' || fail "phase or pair overflow not exact"
import json, sys
errors = []
for path, label in ((sys.argv[1], "RTPROF_PHASES=16"), (sys.argv[2], "RTPROF_PAIRS=1024")):
    doc = json.load(open(path))
    t = doc["totals"]
    if (t["allocs"], t["alloc_bytes"], t["frees"]) != (1200, 1200, 1200):
        errors.append(f"{label}: totals {t['allocs']} {t['alloc_bytes']} {t['frees']}, want 1200 each")
    if sum(p["allocs"] for p in doc["phases"]) != 1200:
        errors.append(f"{label}: phases hold {sum(p['allocs'] for p in doc['phases'])} allocs, want 1200")
    if len(doc["sites"]) != 40: errors.append(f"{label}: {len(doc['sites'])} sites, want 40")
    ph = {p["path"]: p for p in doc["phases"]}
    if label == "RTPROF_PHASES=16":
        named = sorted(p for p in ph if p != "(overflow)")
        if named != sorted(f"p{i}" for i in range(14)):
            errors.append(f"{label}: phases {named}, want p0-p13")
        o = ph.get("(overflow)")
        if o is None or o["allocs"] != 16 * 40 or o["calls"] != 16:
            errors.append(f"{label}: (overflow) phase {o and (o['allocs'], o['calls'])}, want 640 allocs in 16 calls")
    else:
        if sorted(ph) != sorted(f"p{i}" for i in range(30)):
            errors.append(f"{label}: phases {sorted(ph)}, want p0-p29")
        pairs = sum(len(p["sites"]) for p in doc["phases"])
        dropped = doc["overflow"].get("pairs_dropped")
        if (pairs, dropped) != (1024, 176):
            errors.append(f"{label}: {pairs} pairs kept, {dropped} dropped, want 1024 and 176")
        if any(p["allocs"] != 40 or p["calls"] != 1 for p in doc["phases"]):
            errors.append(f"{label}: a phase's flat figures changed when its pairs overflowed")
print("\n".join(errors) or "phase and pair overflow exact")
sys.exit(1 if errors else 0)
PY
