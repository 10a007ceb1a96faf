#!/usr/bin/env python3
"""Writes a valid dump whose phase paths are huge: a chain of 63 nested
phases with names of NAME_LEN bytes, then LEAVES phases under the deepest
one. Each leaf's path (its ancestors' names joined by '/') is ~63 x NAME_LEN
bytes, and the reader builds and interns every path, so its memory grows as
LEAVES x 63 x NAME_LEN for a file of about 63 x NAME_LEN + LEAVES x 110
bytes: with the defaults (2,000 leaves, 8,000-byte names) a 0.7 MB file
needs ~1 GB; at the format's limit of 65,536 phases a 7.7 MB file needs
~33 GB. tests/fuzz/corpus/dump/regress-deep-paths.dump is
`gen_deep_paths.py 250 400` (59 KB of input, ~7 MB of paths).
Usage: gen_deep_paths.py [LEAVES [NAME_LEN]] > deep-paths.dump"""
import sys

leaves = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
name_len = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
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
    out.write(phase % (i, i - 1, ("%02d" % i) * (name_len // 2)))
for j in range(leaves):
    out.write(phase % (chain + 1 + j, chain, "leaf%d" % j))
out.write("end modules=0 sites=0 phases=%d pairs=0\n" % (chain + leaves))
