# `rtprof run` profiles a program that links librtprof as well as one that
# does not (DESIGN.md): a dump is written and counts its rt_* allocations
# exactly (wrapper_prog, depth 1: 5 x 200 + 7 x 30 + 16 bytes in 13 blocks,
# all allocated in xmalloc).
. "$(dirname "$0")/common.sh"
cd "$OUT"
gcc -std=gnu11 -g -O2 -I"$TOP/include" "$TOP/tests/e2e/wrapper_prog.c" -o linked \
  -L"$TOP/build/lib" -Wl,-rpath,"$TOP/build/lib" -lrtprof
"$RTPROF" run --no-report -o linked.dump -- ./linked > out.txt 2> err.txt || fail "rtprof run failed: $(cat err.txt)"
[ -s linked.dump ] || fail "no dump for a program linked with librtprof: $(cat err.txt)"
"$RTPROF" report --json linked.dump > linked.json
python3 - linked.json <<'PY' || fail "the linked program's rt_* allocations are not counted exactly"
import json, sys
sites = json.load(open(sys.argv[1]))["sites"]
mine = [(s["allocs"], s["alloc_bytes"]) for s in sites if s["frames"][0]["function"] == "xmalloc"]
print("xmalloc:", mine)
sys.exit(0 if mine == [(13, 1226)] else 1)
PY
echo "rtprof run profiles a linked program"
