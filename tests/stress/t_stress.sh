# Stress test (tests/stress/stress.c): 16 threads, random sizes up to 1 MiB,
# cross-thread frees, realloc, aligned and zeroed blocks, nested phases, all
# checked against the test's own ledger (rt_alloc_stats, the dump's totals
# and per-phase pairs, and `rtprof report --json`), under `timeout` so a
# deadlock fails instead of hanging.
#   t_stress.sh          plain build: rt_* and, through LD_PRELOAD of
#                        librtprof-preload.so, the malloc family
#   t_stress.sh asan     against build/tests/lib-asan (ASan+UBSan)
#   t_stress.sh tsan     against build/tests/lib-tsan (ThreadSanitizer)
#   t_stress.sh off      plain build, both ways, with profiling off (only
#                        the pattern, alignment and zero checks; t_stress_off.sh)
# tests/run.sh builds the sanitizer libraries and runs all of them.
# STRESS_OPS (operations per thread) and STRESS_SEED override the defaults.
set -eu
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
variant=${1:-plain}
OUT=$TOP/build/tests/stress/$variant
rm -rf "$OUT" && mkdir -p "$OUT"
CC=${CC:-gcc}
CFLAGS="-std=gnu11 -Wall -Wextra -Werror -g -I$TOP/include"
fail() { echo "FAIL: $*" >&2; exit 1; }
failures=()
# problem MSG: records a failure and goes on with the other runs.
problem() { echo "FAIL: $*" >&2; failures+=("$*"); }

case $variant in
  plain|off) libdir=$TOP/build/lib; flags="-O2"; ops=100000; limit=60 ;;
  asan) libdir=$TOP/build/tests/lib-asan; flags="-O1 -fsanitize=address,undefined -fno-sanitize-recover=all"
        ops=60000; limit=120
        export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} ;;
  tsan) libdir=$TOP/build/tests/lib-tsan; flags="-O1 -fsanitize=thread"; ops=40000; limit=180
        export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1} ;;
  *) echo "usage: t_stress.sh [plain|asan|tsan|off]" >&2; exit 2 ;;
esac
ops=${STRESS_OPS:-$ops}
profiling="RTPROF=1"
[ "$variant" = off ] && profiling="-u RTPROF -u WITH_ALLOC_PROFILE"
if [ ! -f "$libdir/librtprof.so" ]; then
  echo "no $variant build of the library in $libdir (tests/run.sh builds it)"
  exit 77
fi

build() { # build OUTPUT [FLAGS...]
  local out=$1; shift
  # shellcheck disable=SC2086
  $CC $CFLAGS $flags "$@" "$TOP/tests/stress/stress.c" -o "$out" \
    -L"$libdir" -Wl,-rpath,"$libdir" -lrtprof -lpthread
}

# run NAME DIR CMD...: runs CMD under timeout; fails on a hang or an error.
run() {
  local name=$1 dir=$2 rc=0 t0 t1; shift 2
  mkdir -p "$dir"
  t0=$(date +%s%N)
  timeout -k 5 "$limit" env $profiling RTPROF_OUT="$dir/exit.%p.dump" STRESS_OPS="$ops" "$@" "$dir" \
    > "$dir/stdout" 2> "$dir/stderr" || rc=$?
  t1=$(date +%s%N)
  cat "$dir/stdout"
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    head -c 20000 "$dir/stderr" >&2
    problem "$name did not finish in ${limit}s (deadlock?)"
  elif [ "$rc" -ne 0 ]; then
    head -c 20000 "$dir/stderr" >&2
    problem "$name exited with $rc"
  elif ! grep -q "^stress: ok" "$dir/stdout"; then
    problem "$name did not report ok"
  else
    echo "$name: $(((t1 - t0) / 1000000)) ms"
    return 0
  fi
  return 1
}

# report_check DIR: `rtprof report --json` of the checkpoint dump agrees
# with the ledger the program wrote (phases: flat counts and calls).
report_check() {
  local dir=$1 rtprof=$TOP/build/bin/rtprof
  [ -x "$rtprof" ] || { problem "build/bin/rtprof is not built"; return; }
  local d
  for d in base check; do
    if ! "$rtprof" report --json "$dir/stress-$d.dump" > "$dir/$d.json" 2> "$dir/report.stderr"; then
      problem "rtprof report refused $dir/stress-$d.dump: $(cat "$dir/report.stderr")"
      return
    fi
  done
  if python3 - "$dir/stress-model.txt" "$dir/base.json" "$dir/check.json" <<'PY'
import json, sys
model = {}
for line in open(sys.argv[1]):
    kind, *rest = line.rstrip("\n").split(" ")
    if kind == "totals":
        mt = [int(x) for x in rest]
    else:
        model[" ".join(rest[5:])] = [int(x) for x in rest[:5]]
base, doc = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
errors = []
bt, t = base["totals"], doc["totals"]
for i, k in enumerate(["allocs", "alloc_bytes", "frees", "freed_bytes"]):
    if t[k] - bt[k] != mt[i]:
        errors.append(f"report totals.{k}: {t[k]} - {bt[k]} (baseline), ledger says {mt[i]}")
if t["live_bytes"] != t["alloc_bytes"] - t["freed_bytes"]:
    errors.append(f"report totals do not balance: {t}")
bph = {p["path"]: p for p in base["phases"]}
ph = {p["path"]: p for p in doc["phases"]}
for path, want in model.items():
    p, b = ph.get(path), bph.get(path, {})
    if p is None:
        if any(want): errors.append(f"report has no phase {path}")
        continue
    for i, k in enumerate(["allocs", "alloc_bytes", "frees", "freed_bytes", "calls"]):
        got = p[k] - b.get(k, 0)
        if got != want[i]: errors.append(f"report phase {path} {k}: {got}, ledger says {want[i]}")
for path in ph:
    if path not in model: errors.append(f"report has a phase the test never opened: {path}")
print("\n".join(errors[:30]) or f"report: {len(model)} phase paths and the totals agree with the ledger")
sys.exit(1 if errors else 0)
PY
  then :; else problem "rtprof report --json disagrees with the ledger ($dir)"; fi
}

case $variant in
  plain|off)
    build "$OUT/stress"
    build "$OUT/stress_malloc" -DSTRESS_MALLOC
    preload=$TOP/build/lib/librtprof-preload.so
    [ -f "$preload" ] || fail "build/lib/librtprof-preload.so is not built"
    if run "rt_* ($variant)" "$OUT/rt" "$OUT/stress" && [ "$variant" = plain ]; then report_check "$OUT/rt"; fi
    if run "malloc family (LD_PRELOAD, $variant)" "$OUT/malloc" env LD_PRELOAD="$preload" "$OUT/stress_malloc" \
        && [ "$variant" = plain ]; then
      report_check "$OUT/malloc"
    fi
    ;;
  *)
    build "$OUT/stress"
    run "rt_* ($variant)" "$OUT/rt" "$OUT/stress" || true
    ;;
esac
if [ ${#failures[@]} -gt 0 ]; then
  echo "${#failures[@]} problem(s):" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
