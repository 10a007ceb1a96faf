#!/usr/bin/env python3
"""Writes a valid dump whose phase paths are as long as the format allows: a
chain of 63 nested phases with names of NAME_LEN bytes (at most 63, the
reader's limit on a name), then LEAVES phases under the deepest one. Each
leaf's path (its ancestors' names joined by '/') is ~64 x NAME_LEN bytes and
the reader builds and interns every path, so memory grows as LEAVES x 4 KiB
for ~110 bytes of input per leaf.
tests/fuzz/corpus/dump/regress-deep-paths.dump is `gen_deep_paths.py 480 63`:
64 KB of input (within the fuzzer's -max_len), ~2 MB of paths, inside the
harness's bound of 32 x the input + 1 MiB (docs/fuzzing.md, Findings).
Usage: gen_deep_paths.py [LEAVES [NAME_LEN]] > deep-paths.dump"""
import sys

leaves = int(sys.argv[1]) if len(sys.argv) > 1 else 480
name_len = int(sys.argv[2]) if len(sys.argv) > 2 else 63
if not 1 <= name_len <= 63:
    sys.exit("gen_deep_paths.py: NAME_LEN must be 1 to 63 (the reader refuses longer names)")
chain = 63
out = sys.stdout
out.write("rtprof-dump 1\n"
          "process pid=7 depth=1 site_capacity=16 phase_capacity=65536 pair_capacity=16 start_ns=1 dump_ns=2 reason=exit\n"
          "exe /nonexistent/bin/prog\n"
          "totals allocs=0 frees=0 alloc_bytes=0 freed_bytes=0 live_blocks=0 live_bytes=0 peak_live_bytes=0 "
          "failed_allocs=0 committed_bytes=0 peak_committed_bytes=0 rss_bytes=0 peak_rss_bytes=0 mmap_bytes=0 overhead_bytes=0\n"
          "overflow sites_dropped=0 pairs_dropped=0 allocs=0 alloc_bytes=0 frees=0 freed_bytes=0\n")
phase = "phase id=%d parent=%d calls=1 open=0 committed_delta=0 committed_delta_max=0 live_delta=0 wall_ns=1 name=%s\n"
for i in range(1, chain + 1):
    out.write(phase % (i, i - 1, (("%02d" % i) * name_len)[:name_len]))
for j in range(leaves):
    out.write(phase % (chain + 1 + j, chain, "l%d" % j))
out.write("end modules=0 sites=0 phases=%d pairs=0\n" % (chain + leaves))
