# SPDX-License-Identifier: GPL-2.0
"""The collector through the gc module's names, after CPython's
Lib/test/test_gc.py."""
import errno
import gc
import threading
import time
import unittest

import gcheap
from support import HeapTestCase, catch_unraisable, require_device, wait_until


def setUpModule():
    require_device()


class GCTests(HeapTestCase):

    def test_self_cycle(self):              # test_list / test_dict
        a = self.heap.new(1)
        a.slots[0] = a
        self.assertEqual(self.heap.collect(), 0)
        del a
        self.assertEqual(self.heap.stats()["objects"], 1)
        self.assertEqual(self.heap.collect(), 1)
        self.assertEqual(self.heap.stats()["objects"], 0)

    def test_rings(self):
        for n in (2, 3, 10):
            self.cycle(n)
        self.assertEqual(self.heap.stats()["objects"], 15)
        self.assertEqual(self.heap.collect(0), 15)
        self.assertEqual(self.heap.stats()["objects"], 0)

    def test_complete_graph(self):
        objs = [self.heap.new(4, 8) for _ in range(4)]
        for a in objs:
            a.slots = objs
        del a, objs
        self.assertEqual(self.heap.collect(), 4)
        self.assertEqual(self.live(), 0)

    def test_cycle_held_from_outside(self):
        a = self.heap.new(1)
        b = self.heap.new(1)
        a.slots[0], b.slots[0] = b, a
        del b
        self.assertEqual(self.heap.collect(), 0)
        self.assertEqual(self.heap.stats()["objects"], 2)
        del a
        self.assertEqual(self.heap.collect(), 2)

    def test_cycle_held_by_a_slot_of_a_live_object(self):
        holder = self.heap.new(1)
        self.cycle(3)
        holder.slots[0] = self.heap.get_objects(0)[1]
        self.assertEqual(self.heap.collect(), 0)
        self.assertEqual(self.heap.stats()["objects"], 4)
        holder.slots[0] = None
        self.assertEqual(self.heap.collect(), 3)
        self.assertEqual(self.live(), 1)

    def test_cross_edge(self):
        # An object outside a cycle points into it; it dies by refcount.
        a, b, c = (self.heap.new(1) for _ in range(3))
        a.slots[0], b.slots[0], c.slots[0] = b, a, a
        del a, b
        self.assertEqual(self.heap.collect(0), 0)
        del c
        self.assertEqual(self.heap.stats()["objects"], 2)
        self.assertEqual(self.heap.collect(0), 0)   # the cycle is in 1 now
        self.assertEqual(self.heap.collect(1), 2)

    def test_cycle_keeps_cycle(self):
        # Two rings joined by an edge: the first keeps the second.
        a = [self.heap.new(2) for _ in range(3)]
        b = [self.heap.new(1) for _ in range(2)]
        for x, y in ((a[0], a[1]), (a[1], a[2]), (a[2], a[0]),
                     (b[0], b[1]), (b[1], b[0])):
            x.slots[0] = y
        a[1].slots[1] = b[0]
        head = a[0]
        del a, b, x, y
        self.assertEqual(self.heap.stats()["objects"], 5)
        self.assertEqual(self.heap.collect(), 0)
        del head
        self.assertEqual(self.heap.collect(), 5)
        self.assertEqual(self.live(), 0)

    def test_tree_hanging_off_a_cycle(self):
        root = self.heap.new(3)
        root.slots[0] = root
        leaves = [self.heap.new(0, 64) for _ in range(4)]  # untracked
        mid = self.heap.new(2)
        mid.slots = leaves[:2]
        root.slots[1], root.slots[2] = mid, leaves[2]
        keep = leaves[3]
        mid.slots[1] = keep
        del root, mid, leaves
        # Found: the root.  mid names only objects without slots, so it
        # is not tracked (as CPython's dict of atoms): it and the leaves
        # go with the root, by refcount.
        self.assertFalse(self.heap.is_tracked(keep))
        self.assertEqual(self.heap.collect(), 1)
        self.assertEqual(keep.refcount, 1)
        self.assertEqual(self.live(), 1)

    def test_diamond_and_chain_are_refcounted(self):
        top = self.heap.new(2)
        left, right, bottom = (self.heap.new(1) for _ in range(3))
        top.slots = [left, right]
        left.slots[0] = right.slots[0] = bottom
        chain = bottom
        for _ in range(50):
            nxt = self.heap.new(1)
            chain.slots[0] = nxt
            chain = nxt
        del left, right, bottom, chain, nxt
        self.assertEqual(self.heap.stats()["objects"], 54)
        del top                             # no cycle: freed at once
        self.assertEqual(self.heap.stats()["objects"], 0)
        self.assertEqual(self.heap.collect(), 0)

    def test_collect_generations(self):     # CPython's, as counts
        self.heap.collect()
        a = self.heap.new(1)
        self.assertEqual(self.heap.get_count(), (1, 0, 0))
        self.heap.collect(0)
        self.assertEqual(self.heap.get_count(), (0, 1, 0))
        self.heap.collect(1)
        self.assertEqual(self.heap.get_count(), (0, 0, 1))
        self.heap.collect(2)
        self.assertEqual(self.heap.get_count(), (0, 0, 0))
        del a

    def test_get_count(self):
        objs = [self.heap.new(1) for _ in range(5)]
        self.heap.new(0)                    # dropped at once: uncounted
        self.assertEqual(self.heap.get_count(), (5, 0, 0))
        del objs[4]
        self.assertEqual(self.heap.get_count()[0], 4)

    def test_promotion(self):
        a = self.heap.new(1)
        a.slots[0] = self.heap.new(1)       # tracked: names one with slots
        self.assertEqual(a.generation, 0)
        self.heap.collect(0)
        self.assertEqual(a.generation, 1)
        self.heap.collect(0)
        self.assertEqual(a.generation, 1)
        self.heap.collect(1)
        self.assertEqual(a.generation, 2)
        self.heap.collect(2)
        self.assertEqual(a.generation, 2)
        self.assertEqual(self.heap.get_objects(2), [a])
        self.assertEqual(self.heap.get_objects(0), [])

    def test_cycle_spanning_generations(self):
        old = self.heap.new(1)
        old.slots[0] = self.heap.new(1)     # tracked
        self.heap.collect(1)
        self.assertEqual(old.generation, 2)
        young = self.heap.new(1)
        old.slots[0], young.slots[0] = young, old
        del old, young
        self.assertEqual(self.heap.collect(0), 0)
        self.assertEqual(self.heap.collect(1), 0)
        self.assertEqual(self.heap.collect(2), 2)

    def test_thresholds(self):
        self.assertEqual(self.heap.get_threshold(), (700, 10, 10))
        self.heap.set_threshold(5, 3, 2)
        self.assertEqual(self.heap.get_threshold(), (5, 3, 2))
        self.heap.set_threshold(50)         # the others are kept
        self.assertEqual(self.heap.get_threshold(), (50, 3, 2))
        self.heap.set_threshold(60, 4)
        self.assertEqual(self.heap.get_threshold(), (60, 4, 2))

    def test_automatic_collection(self):
        self.heap.set_threshold(20, 10, 10)
        for _ in range(40):
            self.cycle(2)
        self.assertTrue(wait_until(
            lambda: self.heap.get_stats()[0]["collections"] > 0))
        self.assertTrue(wait_until(
            lambda: self.heap.get_count()[0] <= 20))
        self.assertGreater(self.heap.get_stats()[0]["collected"], 0)
        self.assertLess(self.heap.stats()["objects"], 80)

    def test_disable_and_threshold_zero(self):
        self.assertTrue(self.heap.isenabled())
        self.heap.disable()
        self.assertFalse(self.heap.isenabled())
        self.heap.set_threshold(5)
        for _ in range(20):
            self.cycle(2)
        self.assertEqual(self.heap.get_count()[0], 40)
        self.heap.set_threshold(0)          # also off, while enabled
        self.heap.enable()
        self.assertTrue(self.heap.isenabled())
        self.cycle(2)
        self.assertEqual(self.heap.get_stats()[0]["collections"], 0)
        self.assertEqual(self.heap.stats()["objects"], 42)
        self.assertEqual(self.heap.collect(), 42)   # by hand, still

    def test_freeze(self):
        self.cycle(2)
        untracked = self.heap.new(0)
        self.heap.freeze()
        self.assertEqual(self.heap.get_freeze_count(), 2)
        self.assertEqual(self.heap.get_count(), (0, 0, 0))
        self.assertEqual(self.heap.get_objects(), [])
        self.assertEqual(self.heap.collect(), 0)
        self.assertEqual(self.heap.stats()["objects"], 3)
        self.heap.unfreeze()
        self.assertEqual(self.heap.get_freeze_count(), 0)
        self.assertEqual(self.heap.collect(), 2)
        del untracked
        self.assertEqual(self.live(), 0)

    def test_is_tracked(self):              # as CPython's dicts
        a, b, atom = self.heap.new(2), self.heap.new(1), self.heap.new(0)
        self.assertFalse(self.heap.is_tracked(a))
        self.assertFalse(a.info().tracked)
        a.slots[0] = atom                   # cannot make a cycle
        self.assertFalse(self.heap.is_tracked(a))
        self.assertEqual(self.heap.get_objects(), [])
        a.slots[1] = b
        self.assertTrue(self.heap.is_tracked(a))
        self.assertFalse(self.heap.is_tracked(b))
        self.assertEqual(self.heap.get_objects(0), [a])
        a.slots[1] = None                   # tracked for good
        self.assertTrue(a.info().tracked)
        self.assertFalse(self.heap.is_tracked(atom))

    def test_saveall(self):                 # CPython's test_saveall
        self.assertEqual(self.heap.get_debug(), 0)
        self.heap.set_debug(gcheap.DEBUG_SAVEALL)
        self.assertEqual(gcheap.DEBUG_SAVEALL, gc.DEBUG_SAVEALL)
        self.assertEqual(self.heap.get_debug(), gc.DEBUG_SAVEALL)
        self.assertEqual(self.heap.garbage, [])
        self.cycle(3, size=4)
        self.assertEqual(self.heap.collect(), 3)
        garbage = self.heap.garbage
        self.assertEqual(len(garbage), 3)
        for obj in garbage:
            # the garbage list's reference, the ring's slot, ours
            self.assertEqual(obj.refcount, 3)
            self.assertEqual(len(obj.data), 4)
        del garbage, obj
        self.assertEqual(self.heap.collect(), 0)    # kept by the list
        self.assertEqual(self.live(), 3)
        self.heap.set_debug(0)
        self.assertEqual(self.heap.get_debug(), 0)

    def test_get_objects(self):
        a, b = self.heap.new(1), self.heap.new(2)
        u = self.heap.new(0)                # untracked
        c = self.heap.new(1)                # untracked: its slot is empty
        a.slots[0] = b.slots[1] = c         # a and b name slots: tracked
        self.assertEqual(self.heap.get_objects(), [a, b])
        self.assertEqual(self.heap.get_objects(0), [a, b])
        self.assertEqual(self.heap.get_objects(1), [])
        self.assertEqual(a.refcount, 1)
        self.heap.collect(0)
        self.assertEqual(self.heap.get_objects(1), [a, b])
        self.assertNotIn(u, self.heap.get_objects())

    def test_get_objects_many(self):
        objs = [self.heap.new(1) for _ in range(300)]
        leaf = self.heap.new(1)
        for o in objs:
            o.slots[0] = leaf
        got = self.heap.get_objects()
        self.assertEqual(got, objs)
        del got
        self.assertEqual(objs[0].refcount, 1)

    def test_get_referrers_and_referents(self):
        a, b, c = self.heap.new(3), self.heap.new(1), self.heap.new(0)
        a.slots[0], a.slots[2], b.slots[0] = c, b, c
        self.assertEqual(self.heap.get_referents(a), [c, b])
        self.assertEqual(self.heap.get_referents(a, b), [c, b, c])
        self.assertEqual(self.heap.get_referents(c), [])
        self.assertEqual(self.heap.get_referrers(c), [a, b])
        self.assertEqual(self.heap.get_referrers(b, c), [a, b])
        self.assertEqual(self.heap.get_referrers(a), [])
        self.assertEqual(self.heap.get_referrers(), [])
        self.assertEqual((a.refcount, b.refcount, c.refcount), (1, 2, 3))
        self.assertRaises(TypeError, self.heap.get_referrers, 42)

    def test_get_stats(self):
        self.cycle(4)
        self.assertEqual(self.heap.collect(1), 4)
        self.assertEqual(self.heap.collect(0), 0)
        stats = self.heap.get_stats()
        self.assertEqual(len(stats), 3)
        for st in stats:
            self.assertEqual(set(st), {"collections", "collected",
                                       "uncollectable"})
        self.assertEqual(stats[0]["collections"], 1)
        self.assertEqual(stats[0]["collected"], 0)
        self.assertEqual(stats[1], {"collections": 1, "collected": 4,
                                    "uncollectable": 0})
        self.assertEqual(stats[2]["collections"], 0)
        raw = self.heap.stats()
        self.assertEqual(raw["gen"], stats)
        self.assertEqual(raw["allocated"], 4)
        self.assertEqual(raw["freed"], 4)
        self.assertLessEqual(raw["pause_ns_last"], raw["pause_ns_max"])


class SealTests(HeapTestCase):              # CPython's untracked tuples

    def test_sealed_slots_cannot_be_set(self):
        a, b = self.heap.new(2, 8), self.heap.new(0)
        a.slots[0] = b
        self.assertFalse(a.info().sealed)
        self.assertFalse(self.heap.is_sealed(a))
        self.heap.seal(a)
        self.heap.seal(a)                   # again: nothing
        self.assertTrue(a.info().sealed)
        self.assertTrue(self.heap.is_sealed(a))
        for i, v in ((0, None), (1, b), (1, None)):
            with self.assertRaises(PermissionError) as cm:
                a.slots[i] = v
            self.assertEqual(cm.exception.errno, errno.EPERM)
        self.assertEqual(list(a.slots), [b, None])  # unchanged
        self.assertEqual(b.refcount, 2)     # ours and a's slot
        a.data[:3] = b"abc"                 # the payload still can be
        self.assertEqual(a.data[:3], b"abc")
        c = self.heap.new(1, sealed=True)   # sealed from the start
        self.assertTrue(c.info().sealed)
        self.assertFalse(c.info().tracked)
        with self.assertRaises(PermissionError):
            c.slots[0] = b
        self.assertEqual(list(c.slots), [None])
        self.assertFalse(self.heap.new(1).info().sealed)
        bogus = self.heap._adopt(a.ref ^ 0x10000)
        with self.assertRaises(gcheap.StaleRef):
            self.heap.seal(bogus)
        bogus._ref = 0

    def test_naming_a_sealed_untracked_object_does_not_track(self):
        atom = self.heap.new(0)
        s = self.heap.new(2, sealed=True)   # slots, empty for good
        t = self.heap.new(1)
        t.slots[0] = atom                   # untracked: names an atom
        self.heap.seal(t)                   # a tuple of atoms
        a = self.heap.new(2)
        a.slots[0], a.slots[1] = s, t
        for o in (a, s, t):
            self.assertFalse(self.heap.is_tracked(o))
        self.assertEqual(self.heap.get_objects(), [])
        self.assertEqual(self.heap.get_referrers(s), [a])
        self.assertEqual(self.heap.get_referrers(t), [a])
        b, u = self.heap.new(1), self.heap.new(1)
        b.slots[0] = u                      # slots, not sealed: may be
        self.assertTrue(self.heap.is_tracked(b))
        self.assertFalse(self.heap.is_tracked(u))
        self.assertEqual(self.heap.get_objects(), [b])

    def test_sealing_a_tracked_object_keeps_it_tracked(self):
        x, u, y = self.heap.new(1), self.heap.new(1), self.heap.new(1)
        x.slots[0] = u                      # tracked
        self.heap.seal(x)
        self.assertTrue(self.heap.is_tracked(x))
        self.assertTrue(self.heap.is_sealed(x))
        y.slots[0] = x                      # sealed but tracked: may be
        self.assertTrue(self.heap.is_tracked(y))

    def test_sealed_tree_is_never_tracked(self):    # built bottom-up
        level = [self.heap.new(2, 8, sealed=True) for _ in range(8)]
        while len(level) > 1:
            nxt = []
            for left, right in zip(level[::2], level[1::2]):
                p = self.heap.new(2, 8)
                p.slots = [left, right]
                self.heap.seal(p)
                nxt.append(p)
            level = nxt
        root = level[0]
        del level, nxt, left, right, p
        self.assertEqual(self.heap.stats()["objects"], 15)
        self.assertFalse(self.heap.is_tracked(root))
        self.assertEqual(self.heap.get_objects(), [])
        self.assertEqual(self.heap.collect(), 0)
        del root                            # no cycle: freed at once
        self.assertEqual(self.heap.stats()["objects"], 0)

    def test_cycle_through_a_sealed_object(self):
        a, s = self.heap.new(1), self.heap.new(1)
        s.slots[0] = a                      # a may be tracked: s is
        self.heap.seal(s)
        a.slots[0] = s
        self.assertTrue(self.heap.is_tracked(a))
        self.assertTrue(self.heap.is_tracked(s))
        del a, s
        self.assertEqual(self.heap.stats()["objects"], 2)
        self.assertEqual(self.heap.collect(), 2)
        self.assertEqual(self.live(), 0)


class FinalizerTests(HeapTestCase):

    def test_finalizer_by_refcount(self):
        seen = []

        def fin(obj):
            seen.append((obj.data[:3], obj.slots[0] is not None))
            self.assertTrue(self.heap.is_finalized(obj))
        a = self.heap.new(1, 8, finalizer=fin)
        a.data[:3] = b"abc"
        a.slots[0] = self.heap.new(0, 0)
        self.assertTrue(a.info().finalizable)
        self.assertFalse(self.heap.is_finalized(a))
        del a
        self.assertEqual(self.heap.stats()["objects"], 2)   # the event's
        self.assertEqual(seen, [])
        self.assertEqual(self.heap.dispatch(), 1)
        self.assertEqual(seen, [(b"abc", True)])
        self.assertEqual(self.live(), 0)
        self.assertEqual(self.heap.dispatch(), 0)

    def test_finalizer_in_a_cycle(self):
        seen = []
        a = self.heap.new(1, finalizer=lambda o: seen.append(o.ref))
        b = self.heap.new(1)
        a.slots[0], b.slots[0] = b, a
        ref_a = a.ref
        del a, b
        self.assertEqual(self.heap.collect(), 2)
        st = self.heap.get_stats()[2]
        self.assertEqual((st["collected"], st["uncollectable"]), (0, 2))
        self.assertEqual(self.heap.stats()["objects"], 2)
        self.heap.dispatch()
        self.assertEqual(seen, [ref_a])
        self.assertEqual(self.heap.collect(), 2)     # now freed, once
        self.assertEqual(self.heap.dispatch(), 0)
        self.assertEqual(self.live(), 0)

    def test_resurrection_in_a_slot(self):          # PEP 442
        keeper = self.heap.new(1)
        calls = []

        def fin(obj):
            calls.append(1)
            keeper.slots[0] = obj                   # resurrect
        a = self.heap.new(1, 8, finalizer=fin)
        a.slots[0] = a
        a.data[0] = 42
        del a
        self.assertEqual(self.heap.collect(), 1)
        self.heap.dispatch()
        self.assertEqual(calls, [1])
        self.assertEqual(self.heap.collect(), 0)    # resurrected
        back = keeper.slots[0]
        self.assertEqual(back.data[0], 42)
        self.assertTrue(self.heap.is_finalized(back))
        self.assertEqual(back.slots[0], back)
        del back
        keeper.slots[0] = None                      # unreachable again
        self.assertEqual(self.heap.collect(), 1)
        self.heap.dispatch()
        self.assertEqual(calls, [1])                # never twice
        self.assertEqual(self.live(), 1)

    def test_resurrection_by_python(self):
        kept = []
        a = self.heap.new(0, 8, finalizer=kept.append)
        del a
        self.heap.dispatch()
        self.assertEqual(len(kept), 1)
        self.assertEqual(self.heap.stats()["objects"], 1)  # Python holds it
        kept.clear()
        self.assertEqual(self.heap.stats()["objects"], 0)

    def test_finalizer_exception_is_reported(self):
        def fin(obj):
            raise RuntimeError("boom")
        a = self.heap.new(0, finalizer=fin)
        del a
        with catch_unraisable() as cm:
            self.assertEqual(self.heap.dispatch(), 1)
            self.assertIs(cm.unraisable.exc_type, RuntimeError)
            self.assertIs(cm.unraisable.object, fin)
        self.assertEqual(self.live(), 0)

    def test_close_drops_pending_finalizers(self):
        seen = []
        with gcheap.Heap() as heap:
            a = heap.new(0, finalizer=seen.append)
            del a
            self.assertEqual(heap.stats()["pending_events"], 1)
        self.assertEqual(seen, [])


class CallbackTests(HeapTestCase):          # CPython's GCCallbackTests

    def setUp(self):
        super().setUp()
        self.visit = []
        self.heap.callbacks.append(self.cb1)
        self.heap.callbacks.append(self.cb2)

    def cb1(self, phase, info):
        self.visit.append((1, phase, dict(info)))

    def cb2(self, phase, info):
        self.visit.append((2, phase, dict(info)))

    def test_collect(self):
        self.cycle(3)
        self.assertEqual(self.heap.collect(1), 3)
        self.assertEqual(self.heap.dispatch(), 1)
        start = {"generation": 1, "collected": 0, "uncollectable": 0}
        stop = {"generation": 1, "collected": 3, "uncollectable": 0}
        self.assertEqual(self.visit, [(1, "start", start), (2, "start", start),
                                      (1, "stop", stop), (2, "stop", stop)])

    def test_uncollectable(self):
        a = self.heap.new(1, finalizer=lambda o: None)
        a.slots[0] = a
        del a
        self.heap.collect()
        self.heap.dispatch()
        stops = [i for n, p, i in self.visit if p == "stop" and n == 1]
        self.assertEqual(stops, [{"generation": 2, "collected": 0,
                                  "uncollectable": 1}])

    def test_automatic_collections_are_reported(self):
        self.heap.set_threshold(10)
        for _ in range(10):
            self.cycle(2)
        self.assertTrue(wait_until(
            lambda: self.heap.dispatch() > 0 or self.visit))
        self.assertEqual(self.visit[0][1], "start")

    def test_removed_callbacks_stop_the_events(self):
        self.heap.callbacks.remove(self.cb1)
        self.heap.callbacks.pop()
        self.assertEqual(self.heap.callbacks, [])
        self.heap.collect()
        self.assertEqual(self.heap.dispatch(), 0)
        self.heap.callbacks = [self.cb1]
        self.heap.collect(0)
        self.assertEqual(self.heap.dispatch(), 1)
        self.assertEqual(len(self.visit), 2)

    def test_callback_exception_is_reported(self):
        def bad(phase, info):
            raise ValueError(phase)
        self.heap.callbacks.insert(0, bad)
        self.heap.collect()
        with catch_unraisable() as cm:
            self.heap.dispatch()
            self.assertEqual(len(cm.all), 2)
            self.assertIs(cm.unraisable.exc_type, ValueError)
        self.assertEqual(len(self.visit), 4)     # the others still ran


class DispatcherTests(HeapTestCase):

    def test_background_dispatcher(self):
        done = threading.Event()
        where = []

        def fin(obj):
            where.append(threading.current_thread().name)
            done.set()
        t = self.heap.start_dispatcher()
        self.assertIs(self.heap.start_dispatcher(), t)
        a = self.heap.new(1, finalizer=fin)
        a.slots[0] = a
        del a
        self.heap.collect()
        self.assertTrue(done.wait(30))
        self.assertEqual(where, [t.name])
        self.assertTrue(wait_until(lambda: self.heap.collect() == 1))
        self.heap.stop_dispatcher()
        self.assertFalse(t.is_alive())
        self.assertEqual(self.live(), 0)

    def test_dispatch_waits(self):
        t0 = time.monotonic()
        self.assertEqual(self.heap.dispatch(0.05), 0)
        self.assertGreaterEqual(time.monotonic() - t0, 0.05)
        seen = []
        held = [self.heap.new(0, finalizer=seen.append)]
        timer = threading.Timer(0.05, held.clear)
        timer.start()
        self.assertEqual(self.heap.dispatch(None), 1)   # until it comes
        timer.join()
        self.assertEqual(len(seen), 1)
        seen.clear()
        self.assertEqual(self.heap.stats()["objects"], 0)

    def test_close_stops_the_dispatcher(self):
        heap = gcheap.Heap()
        t = heap.start_dispatcher()
        heap.close()
        self.assertFalse(t.is_alive())

    def test_close_from_a_callback(self):
        heap = gcheap.Heap()
        done = threading.Event()

        def fin(obj):
            heap.close()
            done.set()
        t = heap.start_dispatcher()
        a = heap.new(0, finalizer=fin)
        del a
        self.assertTrue(done.wait(30))
        t.join(30)
        self.assertFalse(t.is_alive())
        self.assertTrue(heap.closed)


if __name__ == "__main__":
    unittest.main()
