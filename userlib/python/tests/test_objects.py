# SPDX-License-Identifier: GPL-2.0
"""Heaps, objects, slots, payloads, lifetimes and errors."""
import copy
import errno
import gc
import pickle
import unittest

import gcheap
from support import HeapTestCase, require_device


def setUpModule():
    require_device()


class HeapTests(unittest.TestCase):

    def test_context_manager(self):
        with gcheap.Heap() as heap:
            self.assertFalse(heap.closed)
            self.assertGreaterEqual(heap.id, 0)
            self.assertGreaterEqual(heap.fileno(), 0)
            obj = heap.new(1, 8)
        self.assertTrue(heap.closed)
        self.assertRaises(ValueError, heap.new)
        self.assertRaises(ValueError, heap.collect)
        self.assertRaises(ValueError, obj.info)
        self.assertRaises(ValueError, lambda: obj.slots[0])
        heap.close()                    # idempotent
        del obj                         # drops nothing: the heap is gone

    def test_config(self):
        with gcheap.Heap(threshold=(100, 20, 30)) as heap:
            self.assertEqual(heap.get_threshold(), (100, 20, 30))
        with gcheap.Heap() as heap:
            self.assertEqual(heap.get_threshold(), (700, 10, 10))

    def test_two_heaps_are_apart(self):
        with gcheap.Heap() as h1, gcheap.Heap() as h2:
            self.assertNotEqual(h1.id, h2.id)
            a, b = h1.new(1), h2.new(1)
            with self.assertRaises(ValueError):
                a.slots[0] = b
            # A ref of one heap names nothing in the other.
            foreign = h2._adopt(a.ref)
            with self.assertRaises(gcheap.StaleRef) as cm:
                foreign.info()
            self.assertEqual(cm.exception.errno, errno.ESTALE)
            self.assertIsInstance(cm.exception, OSError)
            foreign._ref = 0            # not ours to drop
            self.assertEqual(h1.stats()["objects"], 1)


class ObjectTests(HeapTestCase):

    def test_new(self):
        obj = self.heap.new(3, 24)
        self.assertEqual(obj.nslots, 3)
        self.assertEqual(obj.size, 24)
        self.assertEqual(len(obj.slots), 3)
        self.assertEqual(len(obj.data), 24)
        info = obj.info()
        self.assertEqual((info.nslots, info.size, info.tag), (3, 24, 0))
        self.assertEqual(info.generation, 0)
        self.assertEqual(info.refcount, 1)
        self.assertFalse(info.finalizable)
        self.assertEqual(bytes(obj.data), bytes(24))
        self.assertEqual(list(obj.slots), [None, None, None])
        self.assertIn("gcheap.Object", repr(obj))
        self.assertRaises(TypeError, gcheap.Object)

    def test_lifetime_follows_python(self):
        obj = self.heap.new(0, 8)
        self.assertEqual(self.heap.stats()["objects"], 1)
        other = obj                     # the same Python object
        del obj
        self.assertEqual(self.heap.stats()["objects"], 1)
        del other
        self.assertEqual(self.heap.stats()["objects"], 0)
        self.assertEqual(self.heap.stats()["freed"], 1)

    def test_no_leak_through_python_cycles(self):
        # Python objects in cycles of their own hold Objects: once Python
        # collects them, every kernel reference is dropped.
        class Node:
            pass
        nodes = []
        for i in range(20):
            n = Node()
            n.obj = self.heap.new(2, 16)
            n.self = n
            n.copy = n.obj.copy()
            n.slot = None
            nodes.append(n)
        for a, b in zip(nodes, nodes[1:]):
            a.obj.slots[0] = b.obj
            a.slot = a.obj.slots[0]
        gc.disable()
        try:
            self.assertEqual(self.heap.stats()["objects"], 20)
            del nodes, n, a, b
            self.assertEqual(self.heap.stats()["objects"], 20)
        finally:
            gc.enable()
        gc.collect()
        self.assertEqual(self.heap.stats()["objects"], 0)
        self.assertEqual(self.heap.stats()["weakrefs"], 0)

    def test_no_leak_from_lists_and_reads(self):
        a = self.heap.new(2, 8)
        b = self.heap.new(1, 8)
        a.slots[0] = b
        b.slots[0] = a
        for _ in range(3):
            self.heap.get_objects()
            self.heap.get_referrers(a)
            self.heap.get_referents(a, b)
            a.slots[:]
            gcheap.ref(a)()
        self.assertEqual(a.refcount, 2)     # ours and b's slot
        self.assertEqual(b.refcount, 2)
        del a, b
        self.assertEqual(self.heap.collect(), 2)
        self.assertEqual(self.live(), 0)

    def test_two_objects_for_one_kernel_object(self):
        a = self.heap.new(1, 8)
        b = a.copy()
        self.assertIsNot(a, b)
        self.assertEqual(a, b)
        self.assertEqual(hash(a), hash(b))
        self.assertEqual(a.ref, b.ref)
        self.assertEqual(a.refcount, 2)
        self.assertEqual(len({a, b}), 1)
        self.assertNotEqual(a, self.heap.new(1, 8))
        del a
        self.assertEqual(b.refcount, 1)
        b.data[0] = 7
        self.assertEqual(b.data[0], 7)

    def test_copies_take_references(self):
        a = self.heap.new(1, 8)
        b = copy.copy(a)
        self.assertEqual(b, a)
        self.assertEqual(a.refcount, 2)
        self.assertRaises(TypeError, copy.deepcopy, a)
        self.assertRaises(TypeError, pickle.dumps, a)
        self.assertRaises(TypeError, copy.copy, self.heap)
        r = gcheap.ref(a)
        self.assertIs(copy.copy(r), r)
        self.assertRaises(TypeError, pickle.dumps, r)
        del a
        self.assertEqual(b.refcount, 1)
        del b
        self.assertEqual(self.heap.stats()["objects"], 0)

    def test_slots_like_a_list(self):
        a = self.heap.new(4, 0)
        b, c = self.heap.new(0, 0), self.heap.new(1, 0)
        a.slots[0] = b
        a.slots[-1] = c
        self.assertEqual(a.slots[0], b)
        self.assertEqual(a.slots[3], c)
        self.assertEqual(a.slots[-4], b)
        self.assertIsNone(a.slots[1])
        self.assertEqual(a.slots[:], [b, None, None, c])
        self.assertEqual(a.slots[::3], [b, c])
        self.assertEqual(list(a.slots), [b, None, None, c])
        self.assertIn(c, a.slots)
        self.assertEqual(a.slots.index(c), 3)
        self.assertEqual(a.slots.count(None), 2)
        a.slots[1:3] = [c, b]
        self.assertEqual(list(a.slots), [b, c, b, c])
        self.assertEqual(b.refcount, 3)     # ours, slots 0 and 2
        a.slots[0] = None
        self.assertEqual(b.refcount, 2)
        a.slots = [None, None, None, a]     # a cycle through itself
        self.assertEqual(a.slots[3], a)
        a.slots.clear()
        self.assertEqual(list(a.slots), [None] * 4)
        with self.assertRaises(IndexError):
            a.slots[4]
        with self.assertRaises(IndexError):
            a.slots[-5] = b
        with self.assertRaises(TypeError):
            a.slots[0] = "not an object"
        with self.assertRaises(ValueError):
            a.slots[0:2] = [b]
        with self.assertRaises(TypeError):
            del a.slots[0]
        with self.assertRaises(IndexError):
            b.slots[0]                      # no slots at all
        self.assertIn("Slots", repr(a.slots))

    def test_slot_read_is_a_new_reference(self):
        a, b = self.heap.new(1, 0), self.heap.new(0, 0)
        a.slots[0] = b
        got = a.slots[0]
        self.assertEqual(b.refcount, 3)
        del b
        self.assertEqual(got.refcount, 2)
        a.slots[0] = None
        self.assertEqual(got.refcount, 1)
        self.assertEqual(got.nslots, 0)     # learnt through gch_info
        del got
        self.assertEqual(self.heap.stats()["objects"], 1)

    def test_data_like_bytes(self):
        obj = self.heap.new(0, 16)
        d = obj.data
        self.assertEqual(len(d), 16)
        self.assertEqual(d.write(b"hello"), 5)
        self.assertEqual(bytes(d)[:6], b"hello\0")
        self.assertEqual(d[:5], b"hello")
        self.assertEqual(d[1], ord("e"))
        self.assertEqual(d[-16], ord("h"))
        d[5:11] = b" world"
        self.assertEqual(d.read(0, 11), b"hello world")
        self.assertEqual(d.read(6), b"world" + bytes(5))
        d[0] = ord("H")
        self.assertEqual(d[0:5], b"Hello")
        d[0:10:2] = b"ABCDE"
        self.assertEqual(d[0:10], b"AeBlC DoEl")
        self.assertEqual(d[0:10:2], b"ABCDE")
        self.assertEqual(d[10:2], b"")
        d.write(bytearray(b"xyz"), 13)
        self.assertEqual(d.tobytes()[-3:], b"xyz")
        self.assertEqual(list(d)[-3:], list(b"xyz"))
        obj.data = memoryview(b"123")
        self.assertEqual(obj.data[:4], b"123l")
        self.assertTrue(obj.data == obj.data.read())
        self.assertIn("gcheap data", repr(d))
        with self.assertRaises(IndexError):
            d[16]
        with self.assertRaises(ValueError):
            d[0:2] = b"abc"
        with self.assertRaises(ValueError):
            d.write(b"too long", 12)        # past the end: EINVAL
        with self.assertRaises(ValueError):
            d.read(10, 7)
        with self.assertRaises(ValueError):
            obj.data = bytes(17)
        empty = self.heap.new(0, 0)
        self.assertEqual(bytes(empty.data), b"")
        self.assertEqual(len(empty.data), 0)

    def test_tags(self):
        a = self.heap.new(0, 8, tag=7)
        b = self.heap.new(0, 8, tag="my-site")
        self.assertEqual(a.tag, 7)
        self.assertEqual(b.tag, "my-site")
        self.assertGreaterEqual(b.info().tag, 0x80000000)
        self.assertEqual(gcheap.tag_name(b.info().tag), "my-site")
        self.assertRaises(ValueError, self.heap.new, 0, 0, tag=0)
        self.assertRaises(ValueError, self.heap.new, 0, 0, tag=1 << 32)
        self.assertRaises(TypeError, self.heap.new, 0, 0, tag=1.5)

    def test_generation_and_frozen(self):
        a = self.heap.new(1, 0)
        a.slots[0] = a                      # tracked
        self.assertEqual(a.generation, 0)
        self.heap.collect(0)
        self.assertEqual(a.generation, 1)
        self.heap.freeze()
        self.assertEqual(a.generation, gcheap.GEN_PERMANENT)
        self.heap.unfreeze()


class ErrorTests(HeapTestCase):

    def test_stale_ref(self):
        a = self.heap.new(1, 8)
        bogus = self.heap._adopt(a.ref ^ 0x10000)
        for op in (bogus.info, bogus.data.read, lambda: bogus.slots[0],
                   lambda: self.heap.get_referrers(bogus),
                   lambda: gcheap.ref(bogus), bogus.copy):
            with self.assertRaises(gcheap.StaleRef) as cm:
                op()
            self.assertEqual(cm.exception.errno, errno.ESTALE)
        with self.assertRaises(gcheap.StaleRef):
            a.slots[0] = bogus
        bogus._ref = 0
        self.assertEqual(a.refcount, 1)

    def test_limits_are_memory_errors(self):
        with gcheap.Heap(max_objects=3) as heap:
            heap.disable()
            keep = [heap.new(0, 0) for _ in range(3)]
            with self.assertRaises(MemoryError) as cm:
                heap.new(0, 0)
            self.assertIsInstance(cm.exception, gcheap.QuotaExceeded)
            self.assertEqual(cm.exception.errno, errno.EDQUOT)
            del keep[0]
            keep.append(heap.new(0, 0))     # room again
            # A weak reference counts against the limit too.
            self.assertRaises(MemoryError, gcheap.ref, keep[0])
        # max_bytes counts what the kernel spends on an object, payload
        # and more: fill the heap, whatever that comes to.
        with gcheap.Heap(max_bytes=16384) as heap:
            keep = []
            with self.assertRaises(MemoryError) as cm:
                for _ in range(10):
                    keep.append(heap.new(0, 4000))
            self.assertEqual(cm.exception.errno, errno.EDQUOT)
            self.assertGreater(len(keep), 1)
            del keep[0]
            keep.append(heap.new(0, 4000))

    def test_invalid_arguments_are_value_errors(self):
        with self.assertRaises(ValueError) as cm:
            self.heap.new(0, 1 << 30)       # past max_payload: EINVAL
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertRaises(ValueError, self.heap.new, 1 << 20, 0)
        self.assertRaises(ValueError, self.heap.new, -1, 0)
        self.assertRaises(TypeError, self.heap.new, "1", 0)
        self.assertRaises(ValueError, self.heap.collect, 3)
        self.assertRaises(ValueError, self.heap.collect, -1)
        self.assertRaises(ValueError, self.heap.get_objects, 3)
        self.assertRaises(ValueError, self.heap.set_debug, 1)
        self.assertRaises(ValueError, self.heap.set_threshold, -1)
        self.assertRaises(TypeError, self.heap.new, 0, 0, finalizer=42)
        self.assertRaises(TypeError, gcheap.ref, object())
        self.assertRaises(TypeError, gcheap.ref, self.heap.new(0), 42)
        self.assertEqual(self.heap.stats()["objects"], 0)


if __name__ == "__main__":
    unittest.main()
