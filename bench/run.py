# SPDX-License-Identifier: GPL-2.0
"""The guest side of `make bench`: every workload and its anchors, ROUNDS
times, each result line printed as "round name value unit".  Runs in one
boot of a guest without checkers (scripts/bench)."""
import os
import subprocess
import sys
import time

top = os.environ.get("GCHEAP_TOP", os.getcwd())
bench = os.path.join(top, "build", "bench")
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
depth = int(os.environ.get("GCHEAP_BT_DEPTH", "16"))


def run(r, argv):
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        print(r, line, flush=True)


def timed(r, name, argv):
    t = time.perf_counter()
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    print(r, name, f"{time.perf_counter() - t:.3f}", "s", flush=True)
    return out


def binarytrees(r):
    ref = timed(r, "bt_malloc", [f"{bench}/binarytrees_malloc", str(depth)])
    got = timed(r, "bt_gcheap", [f"{bench}/binarytrees_gcheap", str(depth)])
    py = timed(r, "bt_python", [sys.executable, f"{top}/bench/binarytrees.py", str(depth)])
    print(r, "bt_output_matches", int(ref == got == py), "bool", flush=True)


def main():
    gch = f"{bench}/gchbench"
    for r in range(rounds):
        run(r, [gch, "ops"])
        for n in (10000, 100000, 1000000):
            run(r, [gch, "collect", str(n)])
        for n in (10000, 1000000):
            run(r, [gch, "pause", str(n)])
        run(r, [gch, "stall", "1000000"])
        run(r, [gch, "heaps"])
        run(r, [f"{bench}/overhead", "2", "16", "1000000"])
        run(r, [f"{bench}/overhead", "2", "16", "200000", "chain"])
        run(r, [gch, "cycles", "1000000"])
        run(r, [sys.executable, f"{top}/bench/cycles.py", "1000000"])
        binarytrees(r)


if __name__ == "__main__":
    main()
