# SPDX-License-Identifier: GPL-2.0
"""What the gcheap Python tests share: a heap per test, leak checks."""
import contextlib
import gc
import os
import sys
import time
import types
import unittest

import gcheap


def require_device():
    if not os.path.exists("/dev/gcheap"):
        raise unittest.SkipTest("/dev/gcheap missing (is gcheap.ko loaded?)")


def wait_until(predicate, timeout=30.0):
    """Poll PREDICATE (emulated guests are slow); whether it came true."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


class HeapTestCase(unittest.TestCase):
    """A fresh heap for every test, closed after it."""
    heap_args = {}

    def setUp(self):
        self.heap = gcheap.Heap(**self.heap_args)
        self.addCleanup(self.heap.close)

    def live(self, heap=None):
        """The heap's live objects, after Python's own collection."""
        gc.collect()
        return (heap or self.heap).stats()["objects"]

    def cycle(self, n=2, nslots=1, size=8):
        """A ring of N objects, each slot 0 naming the next; no Object of
        it is left."""
        objs = [self.heap.new(nslots, size) for _ in range(n)]
        for a, b in zip(objs, objs[1:] + objs[:1]):
            a.slots[0] = b
        del a, b, objs


@contextlib.contextmanager
def catch_unraisable():
    """As test.support.catch_unraisable_exception: in the with block,
    cm.unraisable is the last report (exc_type, exc_value, err_msg,
    object) and cm.all every one; both are cleared on the way out."""
    cm = types.SimpleNamespace(unraisable=None, all=[])

    def hook(args):
        cm.unraisable = args
        cm.all.append(args)

    old = sys.unraisablehook
    sys.unraisablehook = hook
    try:
        yield cm
    finally:
        sys.unraisablehook = old
        # The reports' tracebacks hold the frames, and their Objects.
        cm.unraisable = None
        cm.all.clear()
