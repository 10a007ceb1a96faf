#!/usr/bin/env python3
"""Writes the crafted inputs of tests/report/t_modules.sh.
  overlap OUT            4,096 overlapping modules (4,095 one-byte ones, then
                         one spanning them all) and 65,536 sites of 16 frames
                         inside the big one: a linear scan per frame costs
                         4,096 x 1M steps
  notes-elf OUT          an ELF file with 65,535 PT_NOTE program headers, each
                         pointing at the same 1 MiB of empty notes
  modules OUT SPEC...    a dump with one module per SPEC "PATH|LO|HI|BASE[|BUILDID
                         [|FRAME]]" and one site per module, at FRAME (default
                         LO + 0x11); SPEC "@FILE" reads one SPEC per line of FILE"""
import struct, sys

HEAD = ("rtprof-dump 1\n"
        "process pid=7 depth=%d site_capacity=1048576 phase_capacity=1024 pair_capacity=65536 "
        "start_ns=1 dump_ns=2 reason=exit\nexe /bin/true\n"
        "totals allocs=%d frees=0 alloc_bytes=%d freed_bytes=0 live_blocks=%d live_bytes=%d "
        "peak_live_bytes=%d failed_allocs=0 committed_bytes=1 peak_committed_bytes=1 rss_bytes=1 "
        "peak_rss_bytes=1 mmap_bytes=0 overhead_bytes=0\n")
TAIL = ("overflow sites_dropped=0 pairs_dropped=0 allocs=0 alloc_bytes=0 frees=0 freed_bytes=0\n"
        "end modules=%d sites=%d phases=0 pairs=0\n")

def overlap(path):
    m, s, depth = 4096, 65536, 16
    with open(path, "w") as out:
        out.write(HEAD % (depth, s, s, s, s, s))
        for i in range(m - 1):
            out.write("module id=%d base=0x0 lo=0x%x hi=0x%x buildid=- path=/nonexistent/small%d\n"
                      % (i, 0x2000 + i, 0x2001 + i, i))
        out.write("module id=%d base=0x0 lo=0x1000 hi=0x100000000 buildid=- path=/nonexistent/big\n" % (m - 1))
        for i in range(s):
            frames = ",".join("0x%x" % (0x10000000 + (i * depth + k) * 16) for k in range(depth))
            out.write("site id=%d allocs=1 alloc_bytes=1 frees=0 freed_bytes=0 peak_live_bytes=1 frames=%s\n"
                      % (i + 1, frames))
        out.write(TAIL % (m, s))

def notes_elf(path):
    n, area = 65535, 1 << 20
    phoff = 64
    data = phoff + n * 56
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh += struct.pack("<HHIQQQIHHHHHH", 3, 62, 1, 0, phoff, 0, 0, 64, 56, n, 64, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 4, 4, data, 0, 0, area, area, 4)  # PT_NOTE
    with open(path, "wb") as out:
        out.write(eh + ph * n)
        out.write(bytes(area))  # empty notes: 12 bytes each, none a build-id

def modules(path, specs):
    if specs and specs[0].startswith("@"):
        specs = open(specs[0][1:]).read().split("\n")[:-1]
    specs = [(sp.split("|") + ["-", ""])[:6] for sp in specs]
    with open(path, "w") as out:
        out.write(HEAD % (1, len(specs), len(specs), len(specs), len(specs), len(specs)))
        for i, (p, lo, hi, base, bid, frame) in enumerate(specs):
            out.write("module id=%d base=%s lo=%s hi=%s buildid=%s path=%s\n" % (i, base, lo, hi, bid, p))
        for i, (p, lo, hi, base, bid, frame) in enumerate(specs):
            frame = int(frame, 16) if frame else int(lo, 16) + 0x11
            out.write("site id=%d allocs=1 alloc_bytes=1 frees=0 freed_bytes=0 peak_live_bytes=1 frames=0x%x\n"
                      % (i + 1, frame))
        out.write(TAIL % (len(specs), len(specs)))

if __name__ == "__main__":
    what, out = sys.argv[1], sys.argv[2]
    if what == "overlap": overlap(out)
    elif what == "notes-elf": notes_elf(out)
    elif what == "modules": modules(out, sys.argv[3:])
    else: sys.exit("unknown: " + what)
