#!/usr/bin/env bash
# Regenerates the seed corpus tests/fuzz/corpus/dump/: real-* are dumps
# written by seed_prog.c linked with build/lib/librtprof.so (run ./build.sh
# first) and the same without their error/snapshot records; ok-* are valid
# hand-made or hand-edited dumps; bad-* are refused ones, derived from
# tests/report/dumps/small.dump. Regression seeds (regress-*) are kept.
# Usage: bash tests/fuzz/make_seeds.sh   (from anywhere)
set -eu
cd "$(dirname "$0")/../.."
TOP=$PWD
C=$TOP/tests/fuzz/corpus/dump
W=$TOP/build/fuzz/seeds
[ -f build/lib/librtprof.so ] || { echo "make_seeds.sh: build/lib/librtprof.so is missing (run ./build.sh)" >&2; exit 2; }
mkdir -p "$C" "$W"
rm -f "$C"/real-*.dump "$C"/ok-*.dump "$C"/bad-*.dump "$W"/*.dump
gcc -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude tests/fuzz/seed_prog.c -o "$W/seed_prog" \
  -Lbuild/lib -Wl,-rpath,"$TOP/build/lib" -lrtprof

# real NAME "ARGS" ENV...: one run of seed_prog with profiling on
real() {
  local name=$1 args=$2; shift 2
  env RTPROF=1 RTPROF_OUT="$W/$name.dump" "$@" "$W/seed_prog" $args 2>/dev/null || true
  cp "$W/$name.dump" "$C/real-$name.dump"
}
real depth1 "" RTPROF_DEPTH=1
real depth4 "" RTPROF_DEPTH=4 RTPROF_INTERVAL=1
real depth16 "" RTPROF_DEPTH=16
real misuse misuse RTPROF_DEPTH=2 RTPROF_ON_ERROR=warn
real exit-after-api "api $W/api.dump" RTPROF_DEPTH=1
cp "$W/api.dump" "$C/real-api.dump"
real tables tables RTPROF_DEPTH=1 RTPROF_SITES=16 RTPROF_PHASES=16
# killed while running: what the periodic flush left
env RTPROF=1 RTPROF_OUT="$W/flush.dump" RTPROF_FLUSH=20 RTPROF_INTERVAL=5 RTPROF_DEPTH=3 "$W/seed_prog" sleep 2>/dev/null &
pid=$!
sleep 0.3
kill -9 $pid; wait $pid 2>/dev/null || true
cp "$W/flush.dump" "$C/real-flush.dump"

# the same without error and snapshot records (valid for a reader of the
# first version of the format too)
for f in "$C"/real-depth4.dump "$C"/real-misuse.dump "$C"/real-tables.dump; do
  sed -e '/^snapshot /d; /^error /d' -e '/^end /{s/ snapshots=[0-9]*/ snapshots=0/; s/ errors=[0-9]*/ errors=0/}' \
    "$f" > "${f%.dump}-v1.dump"
done
cp tests/report/dumps/small.dump "$C/ok-small.dump"
# error records: one with site=0 (unknown) and a second one with a valid site
sed -E -e '/^error /s/ site=[0-9]+/ site=0/' \
  -e '/^error /{p;s/kind=double_free/kind=realloc_freed/;s/ site=0/ site=1/;s/count=1/count=3/}' \
  -e '/^end /s/ errors=[0-9]+/ errors=2/' "$C/real-misuse.dump" > "$C/ok-errors.dump"

# the peak, a snapshot's top sites and first calls (hand-made on small.dump)
sed -e '$i snapshot t_ns=1 committed=4096 live=1000 rss=4096 phase=1 kind=peak' \
  -e '$i snapshot_top sites=1:1000' \
  -e '$i peak live_bytes=1000 live_blocks=10 t_ns=5 committed=4096 rss=4096 overhead=224 phase=1' \
  -e '$i peak_site site=1 live_bytes=1000' -e '$i peak_phase phase=1 live_bytes=1000' \
  -e '$i pair_first phase=2 site=2 live_bytes=100' tests/report/dumps/small.dump > "$C/ok-peak.dump"

# bad dumps: one of each kind of refusal (see tests/report/t_bad_input.sh)
G=tests/report/dumps/small.dump
bad() { sed "$2" "$G" > "$C/bad-$1.dump"; }
printf 'hello world\n' > "$C/bad-no-magic.dump"
printf '\177ELF\002\001\001\000\000\000\n' > "$C/bad-binary.dump"
bad wrong-version '1s/.*/rtprof-dump 2/'
bad no-end '$d'
head -c -20 "$G" > "$C/bad-cut.dump"
bad count-mismatch '$s/sites=2/sites=3/'
bad missing-field '6s/ alloc_bytes=1000//'
bad signed-overflow '10s/committed_delta=-8/committed_delta=-9223372036854775809/'
bad many-frames "6s/frames=.*/frames=$(printf '0x401000,%.0s' $(seq 16))0x401000/"
bad out-of-order2 '11i warning phase_end_without_begin count=1'
bad pair-site '11s/site=1/site=5/'
bad phase-loop '9s/parent=0/parent=2/'
bad dup-key '6s/allocs=10/allocs=10 allocs=10/'
# a module without a build-id, a warning kind twice (the reader sums them)
sed -e '5s/buildid=[0-9a-f]*/buildid=-/' -e '$i warning phase_end_without_begin count=2' \
  -e '$i warning phase_end_without_begin count=3' -e '$i warning phase_open_at_exit count=1 name=main phase' \
  "$G" > "$C/ok-no-buildid-warnings.dump"
# the same error record twice
sed -E '/^error /p' "$C/ok-errors.dump" > "$C/bad-error-twice.dump"
sed '6s/$/ new_key=42/; 2s/reason=exit/reason=exit sampling=1/' "$G" > "$C/ok-unknown-keys.dump"
sed 's/$/\r/' "$G" > "$C/bad-crlf.dump"
{ sed -n 1,8p "$G"; printf 'phase id=1 parent=0 calls=1 open=0 committed_delta=0 committed_delta_max=0 live_delta=0 wall_ns=1 name=%09000d\n' 0; } > "$C/bad-long-line.dump"
{ sed -n 1,8p "$G"; head -c 20000 /dev/zero | tr '\0' x; } > "$C/bad-huge-line.dump"
# phases nested 64 deep (the limit) and 65 deep (one too many)
for n in 64 65; do
  { sed -n 1,8p "$G"
    for i in $(seq 1 $n); do
      echo "phase id=$i parent=$((i - 1)) calls=1 open=0 committed_delta=0 committed_delta_max=0 live_delta=0 wall_ns=1 name=p$i"
    done
    echo "end modules=1 sites=2 phases=$n pairs=0"; } > "$C/bad-depth$n.dump"
done
mv "$C/bad-depth64.dump" "$C/ok-depth64.dump"
# The seeds are committed: name no folder of the machine they were made on.
sed -i "s|$TOP/|/src/rtprof/|g" "$C"/*.dump
ls "$C" | wc -l
du -sh "$C"
