#!/usr/bin/env bash
# Crafted module maps cannot hang a report or make it slow:
#   - a module path naming a FIFO, a directory or a device: never opened
#     when no frame refers to it, never read when one does (exit 0, the
#     frame says "not a regular file"), under `report`, `diff` and `check`;
#   - 2,000 spellings of one file (symlinked directories, "./" runs): one
#     addr2line for all of them, every frame resolved;
#   - an ELF file with 65,535 PT_NOTE headers: a bounded number of note
#     areas read (counted with strace when it is installed);
#   - 4,096 overlapping modules under 65,536 sites of 16 frames, four dumps
#     merged: each frame found by one binary search (a linear scan per frame
#     takes minutes; the timeout catches it).
set -eu
. "$(dirname "$0")/lib.sh"
GEN="python3 tests/report/hostile_dumps.py"

# ---- FIFO, directory, device ----------------------------------------------------
mkfifo "$OUT/fifo" "$OUT/fifo-unused"
mkdir "$OUT/dir"
$GEN modules "$OUT/special.dump" "$OUT/fifo|0x1000|0x2000|0x0" "$OUT/dir|0x3000|0x4000|0x0" \
  "/dev/null|0x5000|0x6000|0x0" "$OUT/fifo-unused|0x7000|0x8000|0x0|-|0x1"
for cmd in "report" "report --json" "diff $OUT/special.dump" "check --max-live 1G"; do
  expect_rc 0 timeout 60 "$RTPROF_BIN" $cmd "$OUT/special.dump" || continue
  pass "$cmd: returns on FIFO, directory and device modules"
done
expect_rc 0 timeout 60 "$RTPROF_BIN" report "$OUT/special.dump"
for m in fifo:0x1010 dir:0x3010; do
  off=${m#*:} m=${m%:*}
  grep -qF "$OUT/$m: not a regular file - 1 address" "$OUT/out" && grep -qF "  $m+$off (not a regular file)" "$OUT/out" \
    && pass "$m: not a regular file" || { fail "$m: not said"; cat "$OUT/out"; }
done
grep -qF "/dev/null: not a regular file - 1 address" "$OUT/out" && pass "/dev/null: not a regular file" \
  || fail "/dev/null: not said"

# ---- 2,000 spellings of one file: one addr2line ---------------------------------
build_fixture "$OUT/fx"
id=$(build_id "$OUT/fx/fixture")
ra=$(awk '$1 == "site" && $2 == "buffer" { print $3 }' "$OUT/fx/fixture.sites")
for i in $(seq 40); do ln -s fx "$OUT/link$i"; done
: > "$OUT/spellings"
for i in $(seq 40); do
  for j in $(seq 50); do
    k=$(( (i - 1) * 50 + j ))
    base=$(( k << 28 ))
    printf '%s%s|0x%x|0x%x|0x%x|%s|0x%x\n' "$OUT/link$i/" "$(printf './%.0s' $(seq "$j"))fixture" \
      "$base" $((base + 0x5000)) "$base" "$id" $((base + ra)) >> "$OUT/spellings"
  done
done
$GEN modules "$OUT/spell.dump" "@$OUT/spellings"
printf '#!/bin/sh\necho run >> "%s"\nexec addr2line "$@"\n' "$OUT/a2l.log" > "$OUT/a2l"
chmod +x "$OUT/a2l"
: > "$OUT/a2l.log"
expect_rc 0 timeout 120 "$RTPROF_BIN" report --json --addr2line "$OUT/a2l" "$OUT/spell.dump"
runs=$(wc -l < "$OUT/a2l.log")
[ "$runs" -eq 1 ] && pass "2000 spellings of one file: 1 addr2line" || fail "2000 spellings: $runs addr2line processes"
python3 - "$OUT/out" <<'PY' && pass "2000 spellings: every frame resolved, one site of 2000 allocs" || fail "2000 spellings: frames"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["symbols"]["resolved"] == 2000 and d["symbols"]["addresses"] == 2000, d["symbols"]
assert len(d["sites"]) == 1 and d["sites"][0]["allocs"] == 2000, [s["allocs"] for s in d["sites"]]
f = d["sites"][0]["frames"][0]
assert f["function"] == "grow_buffer" and f["file"].endswith("fixture.c"), f
PY

# ---- an ELF with 65,535 note headers ------------------------------------------------
$GEN notes-elf "$OUT/notes.elf"
$GEN modules "$OUT/notes.dump" "$OUT/notes.elf|0x1000|0x2000|0x0"
expect_rc 0 timeout 120 "$RTPROF_BIN" report "$OUT/notes.dump" && grep -qF "  notes.elf+0x1010 (" "$OUT/out" \
  && pass "65535 note headers: the report returns" || fail "65535 note headers: no report"
if command -v strace > /dev/null && strace -o /dev/null true 2> /dev/null; then
  timeout 120 strace -f -e trace=pread64,read -o "$OUT/strace" "$RTPROF_BIN" report "$OUT/notes.dump" > /dev/null || true
  n=$(grep -c 'notes.elf\|pread64' "$OUT/strace" || true)
  [ "$n" -lt 200 ] && pass "65535 note headers: $n reads, bounded" || fail "65535 note headers: $n reads"
else
  echo "note: strace cannot run here; the read count was not checked"
fi

# ---- 4,096 overlapping modules ------------------------------------------------------------
$GEN overlap "$OUT/overlap.dump"
D=$OUT/overlap.dump
expect_rc 0 timeout 120 "$RTPROF_BIN" report --top 1 "$D" "$D" "$D" "$D" \
  && grep -qF "/nonexistent/big: file not found - 1048576 addresses" "$OUT/out" \
  && pass "4096 overlapping modules: each frame in the module spanning them" \
  || { fail "4096 overlapping modules"; head -8 "$OUT/out"; }
finish
