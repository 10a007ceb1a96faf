#!/usr/bin/env bash
# examples/lua-host/run.sh end to end: Lua lines as named sites, with exact
# allocation counts and bytes for the quadratic concatenation and the leak,
# the typed Session site's live bytes, the interpreter's C path at depth 4,
# and the diff against the fixed script (run.sh checks each; exit 1 otherwise).
set -eu
cd "$(dirname "$0")/../.."
[ -x build/bin/rtprof ] && [ -f build/lib/librtprof.so ] || { echo "FAIL: run ./build.sh first"; exit 1; }
command -v python3 > /dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
pkg-config --exists lua5.4 || { echo "SKIP: Lua 5.4 is not installed (liblua5.4-dev)"; exit 77; }
LOG=build/tests/e2e/t_lua_host
mkdir -p "$LOG"
rc=0
bash examples/lua-host/run.sh > "$LOG/run.log" 2>&1 || rc=$?
if [ $rc -eq 0 ] && grep -q '^run.sh: all checks passed$' "$LOG/run.log" && ! grep -q '^  FAIL' "$LOG/run.log"; then
  echo "ok   t_lua_host: run.sh ($(grep -c '^  ok ' "$LOG/run.log") checks)"
else
  echo "FAIL t_lua_host: run.sh exited $rc"; tail -n 60 "$LOG/run.log"; exit 1
fi
