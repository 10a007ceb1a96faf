# The reproducers of library bugs the stress tests found (tests/stress/repro/)
# all say "fixed": a bug coming back is a failure. Needs the TSan build of
# the library that tests/run.sh makes first.
set -u
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -f "$TOP/build/tests/lib-tsan/librtprof.so" ] \
  || { echo "FAIL: no build/tests/lib-tsan (tests/run.sh builds it)"; exit 1; }
out=$(bash "$TOP/tests/stress/repro/run.sh" 2>&1)
echo "$out"
n=$(echo "$out" | grep -c '^fixed ')
[ "$n" -eq 5 ] && ! echo "$out" | grep -qv '^fixed ' || { echo "FAIL: $n of 5 reproducers fixed"; exit 1; }
