# Shared setup of the report tests, sourced by tests/report/t_*.sh (which run
# under `set -eu` from anywhere). Builds the fixture program, fills the
# hand-written dump templates of tests/report/dumps/ with its real addresses,
# and compares outputs with tests/report/expected/. Another test area sources
# it with AREA set (AREA=diffcheck: scratch in build/tests/diffcheck/, golden
# files in tests/diffcheck/expected/).
set -eu
cd "$(dirname "$0")/../.."
TOP=$PWD
RTPROF_BIN=${RTPROF_BIN:-$TOP/build/bin/rtprof}   # the command under test
# The JSON contract is checked by tests/report/schema.py, always; the
# project-wide checker runs as well when it is next to the checkout.
SCHEMA=$TOP/tests/report/schema.py
SHARED_CHECK_JSON=$TOP/../shared/tools/check-report-json
T=$(basename "$0" .sh)
AREA=${AREA:-report}
OUT=$TOP/build/tests/$AREA/$T        # this test's own scratch directory
BASE=0x555555554000                  # load base the dumps pretend the fixture had
FAILS=0

skip() { echo "SKIP $T: $*"; exit 77; }
fail() { echo "FAIL $T: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok   $T: $*"; }
finish() { [ "$FAILS" -eq 0 ] || { echo "$T: $FAILS failure(s)"; exit 1; }; exit 0; }

[ -x "$RTPROF_BIN" ] || { echo "FAIL $T: $RTPROF_BIN is not built (run ./build.sh)"; exit 1; }
for tool in gcc addr2line readelf; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
rm -rf "$OUT"
mkdir -p "$OUT"

# build_fixture DIR [CFLAGS...]: compiles tests/report/fixture.c into
# DIR/fixture (PIE, -g -O0), runs it into DIR/fixture.sites.
build_fixture() {
  local dir=$1; shift
  mkdir -p "$dir"
  gcc -g -O0 -Wall -Wl,--build-id -fdebug-prefix-map="$TOP"=. "$@" -o "$dir/fixture" tests/report/fixture.c
  "$dir/fixture" > "$dir/fixture.sites"
}

build_id() { readelf -n "$1" | awk '/Build ID:/ { print $3 }'; }

hex_add() { printf '0x%x' $(($1 + $2)); }

# make_dump TEMPLATE FIXTURE_DIR OUT [BASE]: fills a dump template:
#   @EXE@ @BUILDID@ @BASE@ @LO@ @HI@   the fixture and its module span
#   @STACK:label@   the site's stack (innermost first, comma-separated)
#   @FRAME:label@   the site's first frame only
make_dump() {
  local tmpl=$1 dir=$2 out=$3 base=${4:-$BASE} sed=$3.sed label off rest lo hi
  local exe=$dir/fixture
  : > "$sed"
  while read -r kind label rest; do
    if [ "$kind" = module ]; then
      lo=$label hi=$rest
      continue
    fi
    local stack="" first=""
    for off in $rest; do
      stack=${stack:+$stack,}$(hex_add "$base" "$off")
      [ -n "$first" ] || first=$(hex_add "$base" "$off")
    done
    echo "s|@STACK:$label@|$stack|g; s|@FRAME:$label@|$first|g" >> "$sed"
  done < "$dir/fixture.sites"
  echo "s|@EXE@|$exe|g; s|@BUILDID@|$(build_id "$exe")|g; s|@BASE@|$base|g" >> "$sed"
  echo "s|@LO@|$(hex_add "$base" "$lo")|g; s|@HI@|$(hex_add "$base" "$hi")|g" >> "$sed"
  sed -f "$sed" "$tmpl" > "$out"
  if grep -q '@[A-Z]*[:@]' "$out"; then
    echo "make_dump: unfilled placeholder in $out:" >&2
    grep '@[A-Z]*[:@]' "$out" >&2
    return 1
  fi
}

# scrub FIXTURE_DIR < report > scrubbed: names what is not stable from one
# build to the next (the checkout's path, the fixture's code offsets).
scrub() {
  local dir=$1 kind label rest off i sed=$OUT/scrub.sed
  : > "$sed"
  while read -r kind label rest; do
    [ "$kind" = site ] || continue
    i=0
    for off in $rest; do
      echo "s|\"offset\": $(($off - 1)),|\"offset\": @$label.$i@,|g" >> "$sed"
      echo "s|fixture+$(printf '0x%x' $(($off - 1)))\\b|fixture+@$label.$i@|g" >> "$sed"
      i=$((i + 1))
    done
  done < "$dir/fixture.sites"
  echo "s|$TOP|@TOP@|g" >> "$sed"
  sed -f "$sed"
}

# golden NAME FILE: compares FILE with tests/$AREA/expected/NAME.
# RTPROF_UPDATE_GOLDEN=1 rewrites the expected file instead.
golden() {
  local want=tests/$AREA/expected/$1
  if [ "${RTPROF_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$2" "$want"
    pass "$1 (expected output rewritten)"
  elif diff -u "$want" "$2"; then
    pass "$1"
  else
    fail "$1 differs from $want"
  fi
}

# check_json FILE [--sort KEY]: the JSON conforms to DESIGN.md's contract
# (sites in the order of KEY, bytes by default).
check_json() {
  local f=$1; shift
  if python3 "$SCHEMA" "$@" "$f" > "$f.check"; then
    pass "$(basename "$f") conforms ($(cat "$f.check"))"
  else
    fail "$(basename "$f") does not conform:"
    cat "$f.check"
  fi
  # the shared checker knows the default order only (alloc_bytes)
  if [ -f "$SHARED_CHECK_JSON" ] && [[ " $* " != *" --sort live "* && " $* " != *" --sort count "* ]]; then
    python3 "$SHARED_CHECK_JSON" < "$f" > "$f.shared-check" 2>&1 \
      || { fail "$(basename "$f") fails $SHARED_CHECK_JSON:"; cat "$f.shared-check"; }
  fi
}

# expect_rc WANT CMD...: runs CMD (stdout to $OUT/out, stderr to $OUT/err)
# and checks its exit status.
expect_rc() {
  local want=$1 rc=0; shift
  "$@" > "$OUT/out" 2> "$OUT/err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    fail "exit $rc, want $want: $*"
    sed 's/^/    stderr: /' "$OUT/err"
    return 1
  fi
}
