# rt_alloc_at and rt_mmap_at given a function's entry address ((void *)&fn):
# DESIGN.md says the site is reported as that function, never as the
# function placed before it in the binary.
. "$(dirname "$0")/common.sh"
$CC $CFLAGS -O0 "$TOP/tests/e2e/api_prog.c" -o "$OUT/api" -L"$LIB" -Wl,-rpath,"$LIB" -lrtprof
RTPROF=1 RTPROF_OUT="$OUT/entry.dump" "$OUT/api" entry > /dev/null
"$RTPROF" report --json "$OUT/entry.dump" > "$OUT/entry.json"
got=$(python3 -c '
import json, sys
for s in sorted(json.load(open(sys.argv[1]))["sites"], key=lambda s: s["alloc_bytes"]):
    print(s["alloc_bytes"], s["frames"][0]["function"])' "$OUT/entry.json")
[ "$got" = "10 entry_site_a
20 entry_site_b" ] || fail "entry addresses named after other functions:$(printf '\n%s' "$got")"
echo "entry addresses named as their functions"
