# More distinct sites than RTPROF_SITES: the table keeps 16, the overflow row
# counts the rest, and the totals stay exact.
. "$(dirname "$0")/common.sh"
# 40 distinct call sites, one per line; site k allocates k+1 blocks of k+1 bytes.
{
  echo '#include "rtprof.h"'
  echo 'int main(void) {'
  for k in $(seq 0 39); do
    echo "  for (int i = 0; i <= $k; i++) rt_free(rt_alloc($k + 1));"
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
t, o = doc["totals"], doc["overflow"]
errors = []
if t["allocs"] != allocs or t["alloc_bytes"] != nbytes or t["frees"] != allocs:
    errors.append(f"totals {t['allocs']} allocs {t['alloc_bytes']} bytes, want {allocs} {nbytes}")
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
"$RTPROF" report "$OUT/many.dump" | grep -qi overflow || fail "the text report does not show the overflow row"
