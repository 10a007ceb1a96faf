#!/usr/bin/env bash
# Golden report of a hand-written dump against the compiled fixture: the text
# (100 columns, and --wide) and JSON outputs (inlined frames, a missing library, a frame outside every
# module, phases, overflow, warnings) match tests/report/expected/.
set -eu
. "$(dirname "$0")/lib.sh"

build_fixture "$OUT/fx"
make_dump tests/report/dumps/main.dump.in "$OUT/fx" "$OUT/main.dump"

expect_rc 0 "$RTPROF_BIN" report "$OUT/main.dump"
scrub "$OUT/fx" < "$OUT/out" > "$OUT/main.txt"
golden main.txt "$OUT/main.txt"
[ ! -s "$OUT/err" ] || fail "stderr is not empty: $(cat "$OUT/err")"

# --wide: full paths, exact figures, every column (the text before 100 columns)
expect_rc 0 "$RTPROF_BIN" report --wide "$OUT/main.dump"
scrub "$OUT/fx" < "$OUT/out" > "$OUT/main-wide.txt"
golden main-wide.txt "$OUT/main-wide.txt"

expect_rc 0 "$RTPROF_BIN" report --json "$OUT/main.dump"
cp "$OUT/out" "$OUT/main.json"
check_json "$OUT/main.json"
scrub "$OUT/fx" < "$OUT/main.json" > "$OUT/main.json.scrubbed"
golden main.json "$OUT/main.json.scrubbed"

# --format json is --json
expect_rc 0 "$RTPROF_BIN" report --format=json "$OUT/main.dump"
cmp -s "$OUT/out" "$OUT/main.json" && pass "--format=json is --json" || fail "--format=json differs from --json"
finish
