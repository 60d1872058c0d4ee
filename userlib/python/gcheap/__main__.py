# SPDX-License-Identifier: MIT
"""python3 -m gcheap stat|top [...]"""
import sys

from ._stat import stat_main, top_main

USAGE = """usage: python3 -m gcheap stat [-H heap] [interval [count]]
       python3 -m gcheap stat --tags -H heap [-n N]
       python3 -m gcheap stat --dot -H heap
       python3 -m gcheap top [-H heap] [-n N]

stat prints what gcheapstat(8) prints; top prints the top allocation tags
of every heap (or of heap), largest live bytes first, as tracemalloc's
display_top.  Both read /sys/kernel/debug/gcheap (or $GCHEAP_DEBUGFS).
"""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ("stat", "top"):
        sys.stderr.write(USAGE)
        return 0 if argv and argv[0] in ("-h", "--help", "help") else 2
    if argv[0] == "stat":
        return stat_main(argv[1:])
    return top_main(argv[1:])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
