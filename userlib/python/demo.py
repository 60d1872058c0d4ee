#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Python part of `make run`: the gcheap package as a Python
programmer meets it.  Cycles, the gc module's functions, a weak reference
with a callback, a finalizer that resurrects its object (PEP 442),
collection callbacks, and the top allocation sites.

Runs from the source tree (python3 userlib/python/demo.py: the package
beside it, the library of the tree) or against an installed python3-gcheap.
"""
import gc
import os
import sys

import gcheap


def show(heap, when):
    st = heap.stats()
    print("%-34s objects %5d  count %-14s gen2 collections %d"
          % (when, st["objects"], heap.get_count(),
             st["gen"][2]["collections"]))


def main():
    with gcheap.Heap(track_sites=True) as heap:
        print("%r opened, thresholds %s" % (heap, heap.get_threshold()))

        # Cycles: unreachable once Python drops its Objects.
        for _ in range(100):
            a, b = heap.new(1, 16), heap.new(1, 16)
            a.slots[0], b.slots[0] = b, a
        del a, b
        show(heap, "100 cycles dropped:")
        print(">>> heap.collect()\n%d" % heap.collect())
        show(heap, "after heap.collect():")

        # Collection callbacks, from the heap's COLLECT events.
        heap.callbacks.append(lambda phase, info: print(
            "  gc callback: %s %s" % (phase, info)))

        # A finalizable object in a cycle, a weak reference to its peer.
        keeper = heap.new(1)

        def finalizer(obj):
            print("  finalizer(%r): data %r; resurrecting it" % (
                obj, obj.data[:5]))
            keeper.slots[0] = obj

        obj = heap.new(1, 8, finalizer=finalizer)
        obj.data[:5] = b"hello"
        peer = heap.new(1, 8)
        obj.slots[0], peer.slots[0] = peer, obj
        wr = gcheap.ref(peer, lambda r: print("  weakref callback: %r" % r))
        del obj, peer
        print("a finalizable object in a cycle, a weakref to its peer, "
              "dropped:")
        print(">>> heap.collect()\n%d" % heap.collect())
        print(">>> heap.dispatch()")
        heap.dispatch()
        print("weakref now gives %r; keeper.slots[0] is %r" % (
            wr(), keeper.slots[0]))
        keeper.slots[0] = None
        print("dropped again: heap.collect() found %d (no second finalizer)"
              % heap.collect())
        heap.dispatch()
        heap.callbacks.clear()

        # Python decides lifetimes: kernel references die with Objects.
        class Node:
            pass
        nodes = []
        for _ in range(50):
            n = Node()
            n.obj, n.me = heap.new(0, 64, tag="Node payloads"), n
            nodes.append(n)
        show(heap, "50 Python objects holding Objects:")
        del nodes, n
        gc.collect()
        show(heap, "after del and gc.collect():")

        # Allocation sites, as tracemalloc shows them.
        keep = [heap.new(0, 32) for _ in range(20)]
        keep += [heap.new(1, 128, tag="tagged by name") for _ in range(5)]
        print(">>> heap.top(3)")
        heap.top(3)
        if os.access("/sys/kernel/debug/gcheap", os.R_OK):
            from gcheap.__main__ import main as cli
            print("\n$ python3 -m gcheap stat -H %d" % heap.id)
            sys.stdout.flush()
            cli(["stat", "-H", str(heap.id)])
        del keep, keeper
    return 0


if __name__ == "__main__":
    sys.exit(main())
