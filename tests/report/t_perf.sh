#!/usr/bin/env bash
# A report of 65,536 sites (depth 1, one module), symbolized by a real
# addr2line: every address resolved, through one addr2line process for the
# module (the batching that makes DESIGN.md's "under 2 seconds" possible).
# The program is generated: 4,096 functions of 16 call sites each, so every
# site has its own line. The time is printed; it is a limit only when
# RTPROF_PERF_LIMIT (seconds) is set, as ./build.sh bench does: the suite
# never depends on how fast a shared machine is.
set -eu
. "$(dirname "$0")/lib.sh"
LIMIT=${RTPROF_PERF_LIMIT:-}
FUNCS=4096 CALLS=16 SITES=$((4096 * 16))

awk -v funcs=$FUNCS -v calls=$CALLS 'BEGIN {
  print "#define _GNU_SOURCE"
  print "#include <link.h>"
  print "#include <stdint.h>"
  print "#include <stdio.h>"
  print "static void *ras[" funcs * calls "]; static int n;"
  print "__attribute__((noinline)) static void rec(void) { ras[n++] = __builtin_return_address(0); }"
  for (f = 0; f < funcs; f++) {
    printf "__attribute__((noinline)) void f%d(void) {\n", f
    for (c = 0; c < calls; c++) print "  rec();"
    print "}"
  }
  print "static uintptr_t base, lo = UINTPTR_MAX, hi;"
  print "static int first(struct dl_phdr_info *in, size_t sz, void *a) {"
  print "  (void)sz, (void)a; base = in->dlpi_addr;"
  print "  for (int i = 0; i < in->dlpi_phnum; i++) if (in->dlpi_phdr[i].p_type == PT_LOAD) {"
  print "    uintptr_t s = base + in->dlpi_phdr[i].p_vaddr, e = s + in->dlpi_phdr[i].p_memsz;"
  print "    if (s < lo) lo = s; if (e > hi) hi = e; }"
  print "  return 1; }"
  print "int main(void) {"
  print "  dl_iterate_phdr(first, NULL);"
  for (f = 0; f < funcs; f++) printf "  f%d();\n", f
  print "  const uintptr_t fake = 0x555555554000; /* the base the dump pretends */"
  print "  printf(\"module 0x%lx 0x%lx\\n\", (unsigned long)(lo - base + fake), (unsigned long)(hi - base + fake));"
  print "  for (int i = 0; i < n; i++) printf(\"0x%lx\\n\", (unsigned long)((uintptr_t)ras[i] - base + fake));"
  print "  return 0; }"
}' > "$OUT/big.c"
gcc -g -O0 -Wl,--build-id -o "$OUT/big" "$OUT/big.c"
"$OUT/big" > "$OUT/big.ras"
id=$(build_id "$OUT/big")
awk -v exe="$OUT/big" -v id="$id" -v sites=$SITES '
  NR == 1 { lo = $2; hi = $3; next }
  { frames[NR - 1] = $1 }
  END {
    print "rtprof-dump 1"
    print "process pid=1 depth=1 site_capacity=" sites " phase_capacity=1024 pair_capacity=65536 start_ns=0 dump_ns=1 reason=exit"
    print "exe " exe
    for (i = 1; i <= sites; i++) { a += i % 7 + 1; b += (i % 1000 + 1) * 16; f += i % 2; fb += (i % 2) * (i % 1000 + 1) * 16 }
    printf "totals allocs=%d frees=%d alloc_bytes=%d freed_bytes=%d live_blocks=%d live_bytes=%d peak_live_bytes=%d failed_allocs=0 committed_bytes=1 peak_committed_bytes=1 rss_bytes=1 peak_rss_bytes=1 mmap_bytes=0 overhead_bytes=1\n", a, f, b, fb, a - f, b - fb, b - fb
    printf "module id=0 base=0x555555554000 lo=%s hi=%s buildid=%s path=%s\n", lo, hi, id, exe
    for (i = 1; i <= sites; i++) {
      sz = (i % 1000 + 1) * 16
      printf "site id=%d allocs=%d alloc_bytes=%d frees=%d freed_bytes=%d peak_live_bytes=%d frames=%s\n", i, i % 7 + 1, sz, i % 2, (i % 2) * sz, sz, frames[i]
    }
    print "overflow sites_dropped=0 pairs_dropped=0 allocs=0 alloc_bytes=0 frees=0 freed_bytes=0"
    print "end modules=1 sites=" sites " phases=0 pairs=0"
  }' "$OUT/big.ras" > "$OUT/big.dump"
echo "dump: $(wc -c < "$OUT/big.dump") bytes, $SITES sites"

# seconds CMD...: wall time of CMD in seconds (stdout to $OUT/out)
seconds() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" > "$OUT/out" 2> "$OUT/err"
  t1=$(date +%s%N)
  awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }'
}
# addr2line through a shim that logs each process it starts
mkdir -p "$OUT/shim"
A2L=$(command -v addr2line)
printf '#!/bin/sh\necho "$*" >> "%s/a2l.log"\nexec %s "$@"\n' "$OUT" "$A2L" > "$OUT/shim/addr2line"
chmod +x "$OUT/shim/addr2line"
for fmt in text json; do
  rm -f "$OUT/a2l.log"
  s=$(PATH=$OUT/shim:$PATH seconds "$RTPROF_BIN" report --format $fmt "$OUT/big.dump")
  n=$(wc -l < "$OUT/a2l.log" 2>/dev/null || echo 0)
  [ "$n" -eq 1 ] && pass "report --format $fmt: one addr2line process for the module" \
    || fail "report --format $fmt: $n addr2line processes for one module, want 1"
  if [ "$fmt" = json ]; then check_json "$OUT/out"; else
    grep -q "all $SITES addresses resolved to file:line" "$OUT/out" || fail "not all $SITES addresses resolved"
    # counts print as plain numbers, bytes with a unit beside them
    grep -qx '  frees *32768' "$OUT/out" && grep -qx '  allocs *262141' "$OUT/out" \
      && grep -Eq '^  alloc bytes +[0-9]+  \([0-9.]+ MiB\)$' "$OUT/out" || fail "totals: $(sed -n '/^Totals/,/^$/p' "$OUT/out")"
  fi
  if [ -z "$LIMIT" ]; then
    pass "report --format $fmt of $SITES sites in $s s (not a limit here)"
  elif awk -v s="$s" -v l="$LIMIT" 'BEGIN { exit !(s < l) }'; then
    pass "report --format $fmt of $SITES sites in $s s (limit $LIMIT s)"
  else
    fail "report --format $fmt of $SITES sites took $s s (limit $LIMIT s)"
  fi
done
finish
