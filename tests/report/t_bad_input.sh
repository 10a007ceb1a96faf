#!/usr/bin/env bash
# Bad dumps are refused with exit 2 and one message naming the file, the line
# and what was expected there; a valid dump with unknown keys is read.
set -eu
. "$(dirname "$0")/lib.sh"

GOOD=tests/report/dumps/small.dump
expect_rc 0 "$RTPROF_BIN" report "$GOOD" && pass "the base dump is valid" || fail "the base dump is refused"

# bad NAME WANT_MESSAGE: $OUT/NAME.dump (already written) exits 2 with exactly
# "rtprof: error: $OUT/NAME.dump:WANT_MESSAGE" on stderr and nothing on stdout.
bad() {
  local f=$OUT/$1.dump want="rtprof: error: $OUT/$1.dump:$2"
  expect_rc 2 "$RTPROF_BIN" report "$f" || return 0
  if [ "$(cat "$OUT/err")" != "$want" ]; then
    fail "$1: stderr differs"
    echo "    want: $want"
    echo "    got:  $(cat "$OUT/err")"
  elif [ -s "$OUT/out" ]; then
    fail "$1: printed a report"
  else
    pass "$1"
  fi
}
# edit NAME SED_SCRIPT: writes $OUT/NAME.dump from the base dump
edit() { sed "$2" "$GOOD" > "$OUT/$1.dump"; }

printf 'hello world\n' > "$OUT/no-magic.dump"
bad no-magic "1: not an rtprof dump: expected 'rtprof-dump 1' on the first line, got 'hello world'"
printf '\177ELF\002\001\001\000\000\000\n' > "$OUT/binary.dump"
bad binary "1: NUL byte in a text line (not a dump?)"
: > "$OUT/empty.dump"
bad empty "1: empty file: expected 'rtprof-dump 1'"
edit wrong-version '1s/.*/rtprof-dump 2/'
bad wrong-version "1: unsupported dump version 2 (this rtprof reads version 1)"
edit bad-header '1s/.*/rtprof-dump one/'
bad bad-header "1: bad header: expected 'rtprof-dump 1', got 'rtprof-dump one'"
edit no-end '$d'
bad no-end "13: truncated: no 'end' record (the process died while writing, or the disk filled)"
head -c -20 "$GOOD" > "$OUT/cut.dump"
bad cut "13: truncated: the last line has no newline (the file was cut short)"
edit count-mismatch '$s/sites=2/sites=3/'
bad count-mismatch "13: end: says sites=3 but 2 'site' records precede it (damaged file)"
edit missing-field '6s/ alloc_bytes=1000//'
bad missing-field "6: site: missing required field 'alloc_bytes'"
edit missing-field-end '$s/ pairs=2//'
bad missing-field-end "13: end: missing required field 'pairs'"
edit not-numeric '6s/allocs=10/allocs=1O/'
bad not-numeric "6: site: field 'allocs': expected an unsigned integer, got '1O'"
edit negative '4s/frees=2/frees=-2/'
bad negative "4: totals: field 'frees': expected an unsigned integer, got '-2'"
edit overflow '6s/alloc_bytes=1000/alloc_bytes=18446744073709551616/'
bad overflow "6: site: field 'alloc_bytes': value 18446744073709551616 does not fit in 64 bits"
edit signed-overflow '10s/committed_delta=-8/committed_delta=-9223372036854775809/'
bad signed-overflow "10: phase: field 'committed_delta': value -9223372036854775809 does not fit in a signed 64-bit integer"
edit bad-address '6s/0x402000/0x40200G/'
bad bad-address "6: site: field 'frames': expected an address (0x and lower-case hex), got '0x40200G'"
edit long-address '5s/base=0x400000/base=0x10000000000000000/'
bad long-address "5: module: field 'base': address 0x10000000000000000 does not fit in 64 bits"
edit many-frames "6s/frames=.*/frames=$(printf '0x401000,%.0s' $(seq 16))0x401000/"
bad many-frames "6: site: field 'frames': more than 16 frames"
{ sed -n 1,8p "$GOOD"; printf 'phase id=1 parent=0 calls=1 open=0 committed_delta=0 committed_delta_max=0 live_delta=0 wall_ns=1 name=%09000d\n' 0; } > "$OUT/long-line.dump"
bad long-line "9: line is longer than 8192 bytes"
{ sed -n 1,8p "$GOOD"; head -c 20000 /dev/zero | tr '\0' x; } > "$OUT/huge-line.dump"
bad huge-line "9: line is longer than 8192 bytes"
edit unknown-record '8i bogus x=1'
bad unknown-record "8: unknown record 'bogus'"
edit after-end '$a site id=3 allocs=1 alloc_bytes=1 frees=0 freed_bytes=0 peak_live_bytes=1 frames=0x401000'
bad after-end "14: unexpected line after the 'end' record"
edit out-of-order '8{h;d};9G'
bad out-of-order "8: phase: expected a 'overflow' record before this one"
edit out-of-order2 '11i warning phase_end_without_begin count=1'
bad out-of-order2 "12: pair: out of order: a 'pair' record must come before 'warning' records"
edit missing-totals '4d'
bad missing-totals "4: module: expected a 'totals' record before this one"
edit twice '3p'
bad twice "4: exe: appears twice (expected once)"
edit dup-site '7s/id=2/id=1/'
bad dup-site "7: site: site id 1 appears twice"
edit site-capacity '7s/id=2/id=17/'
bad site-capacity "7: site: field 'id': expected 1 to site_capacity (16), got 17"
edit pair-site '11s/site=1/site=5/'
bad pair-site "11: pair: field 'site': site 5 is not in this dump"
edit pair-phase '11s/phase=1/phase=9/'
bad pair-phase "11: pair: field 'phase': phase 9 is not in this dump"
edit phase-parent '10s/parent=1/parent=4/'
bad phase-parent "10: phase: field 'parent': phase 4 is not in this dump"
edit phase-loop '9s/parent=0/parent=2/'
bad phase-loop "9: phase: phase 1 is nested deeper than 64 (or its parents loop)"
edit module-id '5s/id=0/id=1/'
bad module-id "5: module: field 'id': expected 0 (module ids are dense, from 0), got 1"
edit depth '2s/depth=2/depth=17/'
bad depth "2: process: field 'depth': expected 1 to 16, got 17"
edit dup-key '6s/allocs=10/allocs=10 allocs=10/'
bad dup-key "6: site: field 'allocs' appears twice"
edit two-spaces '6s/ frees/  frees/'
bad two-spaces "6: site: empty field (two spaces in a row?)"
edit trailing-space '7s/$/ /'
bad trailing-space "7: site: trailing space at the end of the line"
edit no-equals '6s/frees=0/frees/'
bad no-equals "6: site: expected key=value, got 'frees'"
sed 's/$/\r/' "$GOOD" > "$OUT/crlf.dump"
bad crlf "1: bad header: expected 'rtprof-dump 1', got 'rtprof-dump 1\\x0d'"
edit no-exe-path '3s/.*/exe/'
bad no-exe-path "3: exe: missing the executable's path"
edit bad-buildid '5s/buildid=0123abcd/buildid=XYZ/'
bad bad-buildid "5: module: field 'buildid': expected lower-case hex or '-', got 'XYZ'"

expect_rc 2 "$RTPROF_BIN" report "$OUT/does-not-exist.dump"
[ "$(cat "$OUT/err")" = "rtprof: error: $OUT/does-not-exist.dump: cannot open: No such file or directory" ] \
  && pass "missing dump" || fail "missing dump: $(cat "$OUT/err")"
expect_rc 2 "$RTPROF_BIN" report "$OUT"
grep -qx "rtprof: error: $OUT: cannot read: Is a directory" "$OUT/err" && pass "a directory" || fail "a directory: $(cat "$OUT/err")"
# the first bad dump of several stops the report
expect_rc 2 "$RTPROF_BIN" report "$GOOD" "$OUT/no-end.dump"
grep -q "no-end.dump:13: truncated" "$OUT/err" && pass "one bad dump of two" || fail "one bad dump of two"

# forward compatibility: unknown keys (even a new last field) are ignored
edit unknown-keys '6s/$/ new_key=42/; 2s/reason=exit/reason=exit sampling=1/'
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/unknown-keys.dump" && check_json "$OUT/out"
# error and snapshot records (after warnings, before end): strict syntax and
# references; kinds are lower-case words, unknown ones kept as written
E='error kind=double_free count=2 addr=0x7f0000001000 site=1 call=0x402000'
S='snapshot t_ns=5 committed=4096 live=1000 rss=8192 phase=1 kind=interval'
edit new-records "13i $E\n$S\nsnapshot t_ns=7 committed=4096 live=1000 rss=8192 phase=2 kind=label name=after inner
13s/\$/ snapshots=2 errors=1/; 2s/reason=exit/reason=flush interval_ms=250/"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/new-records.dump" && check_json "$OUT/out"
grep -q '"reason": "flush", "start_ns": 1, "dump_ns": 2, "interval_ms": 250' "$OUT/out" && grep -q '"kind": "double_free", "count": 2' "$OUT/out" \
  && grep -q '"phase": "main phase/inner", "kind": "label", "name": "after inner"' "$OUT/out" \
  && pass "error, snapshot, reason=flush, interval_ms and end counts are read" || fail "new records: $(cat "$OUT/out")"
edit later-kinds "13i error kind=some_later_kind count=1 addr=0x1 site=0 call=0x1\nsnapshot t_ns=1 committed=1 live=1 rss=1 phase=0 kind=some_later_kind"
expect_rc 0 "$RTPROF_BIN" report "$OUT/later-kinds.dump" && grep -q 'some_later_kind: 1 time, block 0x1$' "$OUT/out" \
  && pass "kinds a later writer may add are kept" || fail "later kinds"
edit edge-kinds "13i error kind=zz_later count=1 addr=0x1 site=0 call=0x1\nerror kind=a9 count=1 addr=0x2 site=0 call=0x1"
expect_rc 0 "$RTPROF_BIN" report "$OUT/edge-kinds.dump" && grep -q 'zz_later: 1 time' "$OUT/out" && grep -q 'a9: 1 time' "$OUT/out" \
  && pass "kinds from a to z are words" || fail "edge kinds: $(cat "$OUT/err")"
edit error-kind "13i error kind=Double-Free count=1 addr=0x1 site=0 call=0x1"
bad error-kind "13: error: field 'kind': expected a lower-case word, got 'Double-Free'"
edit error-count "13i error kind=double_free count=0 addr=0x1 site=0 call=0x1"
bad error-count "13: error: field 'count': expected 1 or more, got 0"
edit error-site "13i error kind=double_free count=1 addr=0x1 site=9 call=0x1"
bad error-site "13: error: field 'site': site 9 is not in this dump"
edit error-no-call "13i error kind=double_free count=1 addr=0x1 site=0"
bad error-no-call "13: error: missing required field 'call'"
edit error-call "13i error kind=double_free count=1 addr=0x1 site=0 call=4096"
bad error-call "13: error: field 'call': expected an address (0x and lower-case hex), got '4096'"
edit error-twice "13i $E\n$E"
bad error-twice "14: error: (kind=double_free, site=1, call=0x402000) appears twice (expected one record each)"
edit error-order "13i $S\n$E"
bad error-order "14: error: out of order: a 'error' record must come before 'snapshot' records"
edit error-before-warning "13i $E\nwarning phase_end_without_begin count=1"
bad error-before-warning "14: warning: out of order: a 'warning' record must come before 'error' records"
{ sed -n 1,12p "$GOOD"; for i in $(seq 257); do printf 'error kind=double_free count=1 addr=0x1 site=0 call=0x%x\n' "$i"; done; tail -n 1 "$GOOD"; } > "$OUT/errors-many.dump"
bad errors-many "269: error: more than 256 error records"
edit snap-order "13i snapshot t_ns=7 committed=1 live=1 rss=1 phase=0 kind=interval\n$S"
bad snap-order "14: snapshot: field 't_ns': 5 is before the previous snapshot's 7 (expected oldest first)"
edit snap-label "13i snapshot t_ns=1 committed=1 live=1 rss=1 phase=0 kind=label"
bad snap-label "13: snapshot: missing required field 'name' (a label's name)"
edit snap-phase "13i snapshot t_ns=1 committed=1 live=1 rss=1 phase=9 kind=peak"
bad snap-phase "13: snapshot: field 'phase': phase 9 is not in this dump"
edit snap-kind "13i snapshot t_ns=1 committed=1 live=1 rss=1 phase=0 kind=Peak"
bad snap-kind "13: snapshot: field 'kind': expected a lower-case word, got 'Peak'"
edit snap-missing "13i snapshot t_ns=1 committed=1 live=1 phase=0 kind=peak"
bad snap-missing "13: snapshot: missing required field 'rss'"
edit snap-negative "13i snapshot t_ns=1 committed=-1 live=1 rss=1 phase=0 kind=peak"
bad snap-negative "13: snapshot: field 'committed': expected an unsigned integer, got '-1'"
edit end-snapshots "13i $S
13s/\$/ snapshots=3/"
bad end-snapshots "14: end: says snapshots=3 but 1 'snapshot' records precede it (damaged file)"
edit end-errors '$s/$/ errors=1/'
bad end-errors "13: end: says errors=1 but 0 'error' records precede it (damaged file)"
edit interval '2s/$/ interval_ms=soon/'
bad interval "2: process: field 'interval_ms': expected an unsigned integer, got 'soon'"

# extreme but valid values: two phases with one path (merged), deltas at the
# limits of int64, a call count beyond them; sums saturate, nothing overflows
edit extremes "10s/.*/phase id=2 parent=1 calls=18446744073709551615 open=0 committed_delta=-9223372036854775808 committed_delta_max=0 live_delta=9223372036854775807 wall_ns=5 name=inner/
11i phase id=3 parent=1 calls=1 open=0 committed_delta=-9223372036854775808 committed_delta_max=9223372036854775807 live_delta=9223372036854775807 wall_ns=5 name=inner
\$s/phases=2/phases=3/"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/extremes.dump" && check_json "$OUT/out"
grep -q '"path": "main phase/inner", "calls": [0-9]*, .*"committed_delta": -9223372036854775808, "committed_delta_max": 9223372036854775807, "live_delta": 9223372036854775807' "$OUT/out" \
  && pass "extreme values: merged phases saturate" || fail "extreme values: $(grep inner "$OUT/out")"
expect_rc 0 "$RTPROF_BIN" diff --json "$GOOD" "$OUT/extremes.dump" && pass "extreme values: diff" || true
expect_rc 1 "$RTPROF_BIN" check "$OUT/extremes.dump" --max-phase-delta 'main phase/inner=1' --max-phase-bytes 'main phase=1' \
  && pass "extreme values: check" || true

# the peak and the snapshots' top sites (docs/dump-format.md)
PEAK='$i peak live_bytes=1000 live_blocks=10 t_ns=5 committed=4096 rss=4096 overhead=224 phase=1\
peak_site site=1 live_bytes=1000\
peak_phase phase=1 live_bytes=1000\
pair_first phase=2 site=2 live_bytes=100'
edit peak-ok "$PEAK"
expect_rc 0 "$RTPROF_BIN" report --json "$OUT/peak-ok.dump" && check_json "$OUT/out"
grep -q '"peak": {"live_bytes": 1000, "time_ns": 5, ' "$OUT/out" && pass "peak records read" || fail "peak: $(grep peak "$OUT/out")"
edit peak-site-unknown "$(echo "$PEAK" | sed 's/peak_site site=1/peak_site site=9/')"
bad peak-site-unknown "14: peak_site: field 'site': site 9 is not in this dump"
edit peak-twice "$PEAK"'\
peak live_bytes=1 live_blocks=1 t_ns=5 committed=1 rss=1 overhead=1 phase=0'
bad peak-twice "17: peak: out of order: a 'peak' record must come before 'pair_first' records"
edit peak-site-first '$i peak_site site=1 live_bytes=1000'
bad peak-site-first "13: peak_site: expected a 'peak' record before this one"
edit peak-zero "$(echo "$PEAK" | sed 's/peak_phase phase=1 live_bytes=1000/peak_phase phase=1 live_bytes=0/')"
bad peak-zero "15: peak_phase: field 'live_bytes': expected 1 or more, got 0"
edit top-alone '$i snapshot_top sites=1:10'
bad top-alone "13: snapshot_top: expected right after a 'snapshot' record"
edit top-bad '$i snapshot t_ns=1 committed=1 live=1 rss=1 phase=0 kind=interval\
snapshot_top sites=1:10,3:5'
bad top-bad "14: snapshot_top: field 'sites': site 3 is not in this dump"
edit peak-sum "$(echo "$PEAK" | sed 's/^\$i peak live_bytes=1000/$i peak live_bytes=999/')"
expect_rc 0 "$RTPROF_BIN" report "$OUT/peak-sum.dump"
grep -q "peak-sum.dump: the peak's sites hold 1000 bytes, its record says 999" "$OUT/out" \
  && pass "a peak that does not add up is a warning" || fail "peak sum: $(cat "$OUT/out")"

# a dump is also read from stdin as '-'
rc=0; "$RTPROF_BIN" report --json - < "$GOOD" > "$OUT/stdin.json" 2>&1 || rc=$?
[ $rc -eq 0 ] && check_json "$OUT/stdin.json" || fail "reading '-' exits $rc"
# inconsistent sums are reported, not fatal
edit sums '4s/allocs=12/allocs=13/'
expect_rc 0 "$RTPROF_BIN" report "$OUT/sums.dump"
grep -q "sums.dump: sites + overflow (12 allocs, 1200 bytes, 2 frees) differ from totals (13 allocs" "$OUT/out" \
  && pass "inconsistent sums are a warning" || fail "inconsistent sums: $(cat "$OUT/out")"
finish
