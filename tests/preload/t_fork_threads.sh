# A multi-threaded program that forks: parent and child both finish, each
# writes its own dump (%p), both balance, and the child's 777-byte leak is
# in the child's dump only.
. "$(dirname "$0")/common.sh"
gcc -std=gnu11 -g -O1 "$TOP/tests/preload/fork_threads.c" -o "$OUT/fork_threads" -lpthread
NAME=ft timeout 60 env RTPROF=1 RTPROF_OUT="$OUT/ft.%p.dump" LD_PRELOAD="$PRELOAD" "$OUT/fork_threads" > "$OUT/out.txt" \
  || fail "program failed or hung"
grep -q "child ok" "$OUT/out.txt" && grep -q "parent ok, child status 0" "$OUT/out.txt" || fail "unexpected output: $(cat "$OUT/out.txt")"
dumps=("$OUT"/ft.*.dump)
[ ${#dumps[@]} -eq 2 ] || fail "expected 2 dumps (parent and child), got ${#dumps[@]}"
for d in "${dumps[@]}"; do check_dump "$d"; done
n777=$(grep -l "^site .*alloc_bytes=777 " "${dumps[@]}" | wc -l)
[ "$n777" -eq 1 ] || fail "the child's 777-byte allocation is in $n777 dumps, want 1"
python3 - "${dumps[@]}" <<'PY'
import sys
for path in sys.argv[1:]:
    t = dict(f.split("=") for f in next(l for l in open(path) if l.startswith("totals ")).split()[1:])
    allocs = int(t["allocs"])
    # the parent made 4 x 200,000 + 200 x 10 allocations in its threads
    print(path.rsplit("/", 1)[1], allocs)
    if allocs >= 800000 + 2000:
        sys.exit(0)
sys.exit("no dump holds the parent's 802,000 thread allocations")
PY
