#!/usr/bin/env python3
"""Debian's perf (6.1) cannot read symbols from cast's large binaries and
prints bare addresses; this maps them with addr2line and sums self time by
function. Reads `perf report --sort sym --dsos BINARY --stdio -g none
--no-children` from stdin.

  perf report ... | bench/symbolize.py /path/to/cast-worker
"""
import re
import subprocess
import sys

binary = sys.argv[1]
rows = []
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+)%\s+\[\.\]\s+0x([0-9a-f]+)", line)
    if m:
        rows.append((float(m.group(1)), "0x" + m.group(2)))
if not rows:
    sys.exit(0)
names = subprocess.run(["addr2line", "-f", "-C", "-e", binary] + [a for _, a in rows],
                       capture_output=True, text=True).stdout.splitlines()[0::2]
by_function = {}
for (percent, _), name in zip(rows, names):
    name = re.sub(r"\(.*", "(...)", name)[:110]
    by_function[name] = by_function.get(name, 0.0) + percent
for name, percent in sorted(by_function.items(), key=lambda kv: -kv[1])[:int(sys.argv[2]) if len(sys.argv) > 2 else 30]:
    print("%6.2f%%  %s" % (percent, name))
