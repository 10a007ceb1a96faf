# The python3 workload of tests/bench/run.sh: a tokenizer, small objects,
# dicts, JSON round trips, sorting and string building. Deterministic (no
# randomness, no I/O but one line of output). Usage: python3 workload.py [N]
# (N objects per round, default 60000; 2 rounds). The benchmark runs it with
# PYTHONMALLOC=malloc so every object goes through malloc, as a memory
# profiler of a Python program would need.
import json
import sys


def tokens(text):
    out, word = [], []
    for ch in text:
        if ch.isalnum() or ch == "_":
            word.append(ch)
        else:
            if word:
                out.append("".join(word))
                word = []
            if not ch.isspace():
                out.append(ch)
    return out


class Node:
    __slots__ = ("kind", "value", "kids")

    def __init__(self, kind, value, kids):
        self.kind, self.value, self.kids = kind, value, kids


def build(n):
    return [Node(i % 7, "v%d" % i, [Node(0, str(j), None) for j in range(i % 5)]) for i in range(n)]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60000
    total = 0
    src = " ".join("let x%d = f(y%d, %d) + g[%d];" % (i, i % 13, i, i % 17) for i in range(n // 3))
    for _ in range(2):
        toks = tokens(src)
        counts = {}
        for t in toks:
            counts[t] = counts.get(t, 0) + 1
        nodes = build(n)
        doc = [{"id": i, "name": x.value, "kids": [k.value for k in x.kids], "tags": {"k": x.kind}}
               for i, x in enumerate(nodes)]
        text = json.dumps(doc)
        back = json.loads(text)
        back.sort(key=lambda d: (d["tags"]["k"], d["name"]))
        big = [("%s:%d" % (d["name"], len(d["kids"]))) * 3 for d in back]
        total += len(toks) + len(counts) + len(text) + sum(map(len, big))
    print("total", total)


main()
