# Shared by the end-to-end tests: paths, a build directory per test, and
# `line_of MARKER FILE` to find a SITE: marker's line number.
set -euo pipefail
TOP=${RTPROF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
RTPROF=$TOP/build/bin/rtprof
LIB=$TOP/build/lib
OUT=$TOP/build/tests/e2e/$(basename "$0" .sh)
rm -rf "$OUT" && mkdir -p "$OUT"
CC=${CC:-gcc}
CFLAGS="-std=gnu11 -Wall -Wextra -Werror -g -O2 -I$TOP/include"
line_of() { grep -n "SITE:$1 " "$2" | cut -d: -f1; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$RTPROF" ] || { echo "build/bin/rtprof is not built"; exit 1; }
