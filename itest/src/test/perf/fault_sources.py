#!/usr/bin/env python3
"""Which code writes the pages a forking JVM copies: minor faults per fork, by writer and region.

Reads `perf script -F pid,tid,comm,addr,ip,sym,dso` of a `perf record -e minor-faults -c 1 -d`
run of one ForkCostBenchmark child JVM (see BENCHMARKS.md, "Where the faults come from"). The
process with the most samples is the forking JVM; every other process is one of its children, so
their count is the number of forks. Only the forking thread's faults are counted.

Each line: faults per fork, the method or function that wrote (Java names come from the JVM's
/tmp/perf-PID.map), the region written (the Java heap, or native memory: thread stacks, malloc,
metaspace, card tables), and whether the same page is written at most forks ("recurring": an
object, a lock word, a counter) or a new one ("moving": allocation).
"""
import collections
import re
import sys

LINE = re.compile(r'\s*(\S+)\s+(\d+)/(\d+)\s+([0-9a-f]+)\s+.*?\s+\(.*?\)\s+([0-9a-f]+)\s+(.*?)\s+\((.*?)\)\s*$')
HEAP = (0xf0000000, 0x100000000)  # where a 256 MiB heap with compressed oops is reserved


def main(lines, shown=30):
    samples = []
    per_process = collections.Counter()
    for line in lines:
        match = LINE.match(line)
        if match:
            _, pid, tid, addr, _, sym, dso = match.groups()
            samples.append((int(pid), int(tid), int(addr, 16), sym if sym != '[unknown]' else dso))
            per_process[int(pid)] += 1
    if len(per_process) < 2:
        sys.exit('no forks in this recording')
    jvm = per_process.most_common(1)[0][0]
    forks = len(per_process) - 1
    own = [s for s in samples if s[0] == jvm]
    forking_thread = collections.Counter(s[1] for s in own).most_common(1)[0][0]
    own = [s for s in own if s[1] == forking_thread]
    print(f'{forks} forks; forking thread: {len(own) / forks:.1f} faults per fork')
    pages = collections.Counter((s[3], region(s[2]), s[2] >> 12) for s in own)
    rows = collections.Counter()
    for (writer, where, _), count in pages.items():
        rows[(writer, where, 'recurring' if count >= 0.3 * forks else 'moving')] += count
    for (writer, where, kind), count in rows.most_common(shown):
        print(f'{count / forks:6.2f}  {where:6}  {kind:9}  {writer[:100]}')


def region(address):
    return 'heap' if HEAP[0] <= address < HEAP[1] else 'native'


if __name__ == '__main__':
    main(sys.stdin, int(sys.argv[1]) if len(sys.argv) > 1 else 30)
