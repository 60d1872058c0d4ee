# SPDX-License-Identifier: GPL-2.0
"""gcheap.ref, after CPython's Lib/test/test_weakref.py."""
import gc
import unittest

import gcheap
from support import HeapTestCase, catch_unraisable, require_device


def setUpModule():
    require_device()


class ReferencesTestCase(HeapTestCase):

    def setUp(self):
        super().setUp()
        self.cbcalled = 0

    def callback(self, ref):
        self.cbcalled += 1

    def test_basic_ref(self):
        o = self.heap.new(1, 8)
        r = gcheap.ref(o)
        self.assertEqual(r(), o)
        self.assertIsNot(r(), o)            # a new Object each call
        self.assertEqual(o.refcount, 1)     # the weakref does not count
        self.assertIsNone(r.__callback__)
        self.assertIn("to <gcheap.Object", repr(r))
        del o
        self.assertIsNone(r())
        self.assertIn("dead", repr(r))
        self.assertEqual(self.heap.stats()["weakrefs"], 1)
        del r
        self.assertEqual(self.heap.stats()["weakrefs"], 0)

    def test_basic_callback(self):
        o = self.heap.new(0, 8)
        r = gcheap.ref(o, self.callback)
        self.assertEqual(r.__callback__, self.callback)
        del o
        self.assertIsNone(r())              # cleared at once
        self.assertEqual(self.cbcalled, 0)  # called when events are read
        self.assertEqual(self.heap.dispatch(), 1)
        self.assertEqual(self.cbcalled, 1)
        self.assertEqual(self.heap.dispatch(), 0)

    def test_callback_gets_the_ref(self):
        got = []
        o = self.heap.new(0)
        r = gcheap.ref(o, lambda wr: got.append((wr, wr())))
        del o
        self.heap.dispatch()
        self.assertEqual(len(got), 1)
        self.assertIs(got[0][0], r)
        self.assertIsNone(got[0][1])

    def test_multiple_callbacks(self):
        o = self.heap.new(0)
        refs = [gcheap.ref(o, self.callback) for _ in range(3)]
        plain = gcheap.ref(o)
        del o
        self.assertEqual(self.heap.dispatch(), 3)
        self.assertEqual(self.cbcalled, 3)
        self.assertTrue(all(r() is None for r in refs + [plain]))

    def test_callback_not_called_for_a_dead_ref(self):
        o = self.heap.new(0)
        r = gcheap.ref(o, self.callback)
        del r
        del o
        self.assertEqual(self.heap.dispatch(), 0)
        self.assertEqual(self.cbcalled, 0)
        self.assertEqual(self.heap.stats()["weakrefs"], 0)

    def test_ref_dropped_after_its_object(self):
        # The event is pending when the ref dies: nothing is called, and
        # the event's reference to the weak reference is dropped.
        o = self.heap.new(0)
        r = gcheap.ref(o, self.callback)
        del o
        del r
        self.assertEqual(self.heap.stats()["weakrefs"], 1)   # the event's
        self.assertEqual(self.heap.dispatch(), 1)
        self.assertEqual(self.cbcalled, 0)
        self.assertEqual(self.heap.stats()["weakrefs"], 0)

    def test_ref_to_a_cycle(self):
        a, b = self.heap.new(1), self.heap.new(1)
        a.slots[0], b.slots[0] = b, a
        ra = gcheap.ref(a, self.callback)
        rb = gcheap.ref(b, self.callback)
        del a, b
        self.assertEqual(self.heap.dispatch(), 0)
        self.assertIsNotNone(ra())
        self.assertEqual(self.heap.collect(), 2)
        self.assertIsNone(ra())
        self.assertIsNone(rb())
        self.assertEqual(self.heap.dispatch(), 2)
        self.assertEqual(self.cbcalled, 2)

    def test_weakref_does_not_keep_alive(self):
        o = self.heap.new(1)
        o.slots[0] = o
        r = gcheap.ref(o)
        del o
        self.assertEqual(self.heap.collect(), 1)
        self.assertIsNone(r())
        self.assertEqual(self.live(), 0)

    def test_ref_revives_nothing_it_keeps_alive_nothing(self):
        o = self.heap.new(0)
        r = gcheap.ref(o)
        strong = r()
        del o
        self.assertEqual(r(), strong)       # the Object from r() holds it
        del strong
        self.assertIsNone(r())

    def test_hash_and_equality(self):
        o = self.heap.new(0)
        r1, r2 = gcheap.ref(o), gcheap.ref(o, self.callback)
        self.assertEqual(r1, r2)
        self.assertEqual(hash(r1), hash(o))
        self.assertEqual(hash(r2), hash(o))
        self.assertEqual(len({r1, r2}), 1)
        other = gcheap.ref(self.heap.new(0))    # dead at once
        self.assertNotEqual(r1, other)
        self.assertRaises(TypeError, hash, other)
        h = hash(r1)
        del o
        self.assertEqual(hash(r1), h)       # kept from when it lived
        self.assertNotEqual(r1, r2)         # dead refs: identity
        self.assertEqual(r1, r1)

    def test_subclass_refs(self):
        class MyRef(gcheap.ref):
            def __init__(self, ob, callback=None, value=42):
                self.value = value
                super().__init__(ob, callback)

            def __call__(self):
                self.called = True
                return super().__call__()
        o = self.heap.new(0)
        mr = MyRef(o, value=24)
        self.assertEqual(mr(), o)
        self.assertTrue(mr.called)
        self.assertEqual(mr.value, 24)
        self.assertIsInstance(mr, gcheap.ref)
        del o
        self.assertIsNone(mr())

    def test_callback_exception_is_reported(self):
        def cb(wr):
            raise KeyError("cb")
        o = self.heap.new(0)
        r = gcheap.ref(o, cb)
        del o
        with catch_unraisable() as cm:
            self.heap.dispatch()
            self.assertIs(cm.unraisable.exc_type, KeyError)
            self.assertIs(cm.unraisable.object, cb)
        del r

    def test_weakrefs_cleared_before_finalizers(self):
        seen = []
        a = self.heap.new(1, finalizer=lambda o: seen.append(("fin", wa())))
        b = self.heap.new(1)
        a.slots[0], b.slots[0] = b, a
        wa = gcheap.ref(a, lambda wr: seen.append(("cb", wr())))
        del a, b
        self.assertEqual(self.heap.collect(), 2)
        self.assertEqual(self.heap.dispatch(), 2)
        self.assertEqual(seen, [("cb", None), ("fin", None)])
        # The finalizer got the object; the weak reference stays cleared.
        self.assertEqual(self.heap.collect(), 2)
        self.assertIsNone(wa())

    def test_ref_after_close(self):
        with gcheap.Heap() as heap:
            o = heap.new(0)
            r = gcheap.ref(o, self.callback)
        self.assertIsNone(r())
        del r, o                            # drop nothing: the heap is gone

    def test_no_leak(self):
        objs = [self.heap.new(1) for _ in range(10)]
        refs = [gcheap.ref(o, self.callback) for o in objs]
        refs += [gcheap.ref(o) for o in objs]
        for a, b in zip(objs, objs[1:]):
            a.slots[0] = b
        objs[-1].slots[0] = objs[0]
        del objs, a, b
        self.heap.collect()
        self.heap.dispatch()
        self.assertEqual(self.cbcalled, 10)
        del refs
        gc.collect()
        st = self.heap.stats()
        self.assertEqual((st["objects"], st["weakrefs"]), (0, 0))


if __name__ == "__main__":
    unittest.main()
