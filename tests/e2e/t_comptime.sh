# The flagship example end to end, as `./build.sh demo` runs it: its script
# checks that the comptime phase's top site is the cloning line and that
# live bytes at exit are exactly N x the source size (0 with --fix).
. "$(dirname "$0")/common.sh"
bash "$TOP/examples/comptime-clone/run.sh" > "$OUT/demo.txt" 2>&1 || { tail -30 "$OUT/demo.txt"; fail "the demo's checks failed"; }
grep -c "^  ok " "$OUT/demo.txt" | grep -qx 5 || { grep -E "^  (ok|FAIL) " "$OUT/demo.txt"; fail "expected 5 passing checks"; }
grep -q "peak committed .* → .*, −" "$OUT/demo.txt" || fail "no before/after diff in the demo's output"
