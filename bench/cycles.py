# SPDX-License-Identifier: GPL-2.0
"""CPython anchors: gc.collect() over N objects in 2-cycles (classes with
__slots__), all unreachable, then all reachable; the bytes one object
with 2 references and a 16-byte payload costs (tracemalloc); and N objects
built as 2-cycles and dropped, freed by the automatic collections."""
import gc
import sys
import time
import tracemalloc


class Node:
    __slots__ = ("other",)


class Payload:
    __slots__ = ("left", "right", "payload")


def pairs(n, keep):
    for _ in range(n // 2):
        a, b = Node(), Node()
        a.other, b.other = b, a
        if keep is not None:
            keep.append(a)


def churn(n):
    """make bench's "many small cycles": n objects as 2-cycles, 512 pairs
    at a time, dropped at once, freed by the automatic collections (default
    thresholds) and a last full one, as gchbench's cycles N does."""
    gc.enable()
    t = time.perf_counter()
    built = 0
    while built < n:
        batch = []
        for _ in range(min(512, (n - built) // 2)):
            a, b = Node(), Node()
            a.other, b.other = b, a
            batch.append(a)
        built += 2 * len(batch)
        del batch
    gc.collect()
    secs = time.perf_counter() - t
    gc.disable()
    print(f"py_cycles_{n} {secs * 1e9 / n:.2f} ns/obj")


def timed_collect():
    t = time.perf_counter()
    found = gc.collect()
    return time.perf_counter() - t, found


def main(n):
    gc.disable()
    gc.collect()
    pairs(n, None)
    secs, found = timed_collect()
    assert found >= n, found
    print(f"py_collect_dead_{n} {secs * 1e9 / n:.2f} ns/obj")
    keep = []
    pairs(n, keep)
    gc.collect()
    secs, _ = timed_collect()
    print(f"py_collect_live_{n} {secs * 1e9 / n:.2f} ns/obj")
    del keep
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    objs = []
    for _ in range(100000):
        p = Payload()
        p.left = p.right = None
        p.payload = bytes(16)
        objs.append(p)
    after = tracemalloc.get_traced_memory()[0]
    # the list holding them is not part of an object's cost
    per = (after - before - sys.getsizeof(objs)) / len(objs)
    print(f"py_bytes_per_object {per:.2f} bytes")
    tracemalloc.stop()
    del objs
    gc.collect()
    churn(n)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000000)
