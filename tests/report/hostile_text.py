#!/usr/bin/env python3
"""Hostile names for tests/report/t_hostile_text.sh.
  asm OUT.s                 a function whose symbol name holds a terminal
                            escape, ';', bytes F5-FF, an overlong, a surrogate,
                            U+FFFE, a C1 control and BEL
  dump OUT SO BUILDID OFF K  a dump naming that function (at OFF in SO) and a
                            module, the program, a phase, a warning and a
                            label with the same hostile bytes; K scales the
                            sites' bytes (two dumps to diff)
  check FORMAT FILE         validates one output: strict UTF-8 everywhere, no
                            control characters (but newline, tab), no C1
                            controls or U+FFFE/U+FFFF; json: json.loads;
                            svg: the XML parser; collapsed: two frames a line;
                            pprof: every string_table entry"""
import gzip, json, sys
import xml.dom.minidom

BAD = b"\x1b[31m\xf5\xff\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\xef\xbf\xbe\xef\xbf\xbf\xc2\x9b\x07\x7f;x"
FUNC = b"ev;il\x1b[31m\xf5\xff\xc0\xaf\xed\xa0\x80\xef\xbf\xbe\xc2\x9b\x07x"

def asm(out):
    q = b'"' + FUNC + b'"'
    open(out, "wb").write(b".text\n.globl " + q + b"\n.type " + q + b", @function\n" + q + b":\n  nop\n  nop\n"
                          b"  nop\n  ret\n.size " + q + b", .-" + q + b'\n.section .note.GNU-stack,"",@progbits\n')

def dump(out, so, bid, off, k):
    off, k = int(off, 16), int(k)
    ra = 0x10000 + off + 1
    lines = [b"rtprof-dump 1",
             b"process pid=7 depth=2 site_capacity=65536 phase_capacity=1024 pair_capacity=65536 start_ns=1 "
             b"dump_ns=2 reason=exit interval_ms=10",
             b"exe /tmp/ex" + BAD,
             b"totals allocs=2 frees=0 alloc_bytes=%d freed_bytes=0 live_blocks=2 live_bytes=%d peak_live_bytes=%d "
             b"failed_allocs=0 committed_bytes=4096 peak_committed_bytes=4096 rss_bytes=1 peak_rss_bytes=1 "
             b"mmap_bytes=0 overhead_bytes=0" % (300 * k, 300 * k, 300 * k),
             b"module id=0 base=0x10000 lo=0x10000 hi=0x20000 buildid=%s path=%s" % (bid.encode(), so.encode()),
             b"module id=1 base=0x30000 lo=0x30000 hi=0x40000 buildid=- path=/nonexistent/li" + BAD + b".so",
             b"site id=1 allocs=1 alloc_bytes=%d frees=0 freed_bytes=0 peak_live_bytes=%d frames=0x%x,0x30021"
             % (100 * k, 100 * k, ra),
             b"site id=2 allocs=1 alloc_bytes=%d frees=0 freed_bytes=0 peak_live_bytes=%d frames=0x30011,0x%x"
             % (200 * k, 200 * k, ra),
             b"overflow sites_dropped=0 pairs_dropped=0 allocs=0 alloc_bytes=0 frees=0 freed_bytes=0",
             b"phase id=1 parent=0 calls=1 open=0 committed_delta=0 committed_delta_max=0 live_delta=0 wall_ns=5 "
             b"name=ph" + BAD,
             b"pair phase=1 site=1 allocs=1 alloc_bytes=%d frees=0 freed_bytes=0" % (100 * k),
             b"warning phase_open_at_exit count=1 name=w" + BAD,
             b"snapshot t_ns=1000000 committed=4096 live=100 rss=1 phase=1 kind=label name=l" + BAD,
             b"snapshot t_ns=2000000 committed=4096 live=300 rss=1 phase=0 kind=exit",
             b"end modules=2 sites=2 phases=1 pairs=1 snapshots=2"]
    open(out, "wb").write(b"\n".join(lines) + b"\n")

def check_text(s):
    for i, c in enumerate(s):
        o = ord(c)
        if (o < 0x20 and c not in "\n\t") or 0x7f <= o <= 0x9f or o in (0xfffe, 0xffff):
            raise SystemExit("character U+%04X at %d: %r" % (o, i, s[max(0, i - 30):i + 10]))

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, i

def pprof_strings(b):
    i, out = 0, []
    while i < len(b):
        key, i = varint(b, i)
        wt = key & 7
        if wt == 0: _, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            if key >> 3 == 6: out.append(b[i:i + n])
            i += n
        else: raise SystemExit("unexpected wire type %d" % wt)
    return out

def check(fmt, path):
    raw = open(path, "rb").read()
    if fmt == "pprof":
        strs = pprof_strings(gzip.decompress(raw))
        for s in strs: check_text(s.decode("utf-8"))
        assert any(s.startswith(b"ev;il") for s in strs), strs
        return
    text = raw.decode("utf-8")  # strict: invalid UTF-8 raises
    check_text(text)
    if fmt == "json":
        doc = json.loads(text)
        frames = [f for s in doc.get("sites", []) for f in (s["frames"] if "frames" in s else [s["frame"]])]
        names = [f["function"] for f in frames if f["function"]]
        assert any(n.startswith("ev;il\x1b[31m\ufffd") for n in names), names
    elif fmt == "svg":
        xml.dom.minidom.parseString(raw)
    elif fmt == "collapsed":
        lines = text.splitlines()
        assert len(lines) == 2 and all(l.count(";") == 1 for l in lines), lines
    elif fmt == "html":
        start = text.index('id="rtprof-data">') + len('id="rtprof-data">')
        json.loads(text[start:text.index("</script>", start)])

if __name__ == "__main__":
    {"asm": asm, "dump": dump, "check": check}[sys.argv[1]](*sys.argv[2:])
