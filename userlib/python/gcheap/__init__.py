# SPDX-License-Identifier: MIT
"""gcheap: garbage-collected object heaps in the kernel, from Python.

The heap behind /dev/gcheap with the names of Python's gc and weakref
modules, over libgcheap.so.1 (ctypes, no build step)::

    >>> import gcheap
    >>> with gcheap.Heap() as heap:
    ...     a, b = heap.new(1, 16), heap.new(1, 16)
    ...     a.slots[0], b.slots[0] = b, a          # a cycle
    ...     w = gcheap.ref(a, lambda wr: print("a died"))
    ...     del a, b
    ...     heap.collect()
    ...     heap.dispatch()                         # prints "a died"
    2
    1

Heap(max_objects, max_bytes, threshold) is a heap; heap.new(nslots, size,
finalizer=None, tag=None, sealed=False) an Object (obj.slots like a list,
obj.data like a bytearray) whose kernel reference lives as long as the
Object does; heap.seal(obj) makes its slots read-only, as a tuple's
items (a sealed object that is not tracked never will be: is_sealed,
is_tracked).  The heap has gc's functions as methods: collect, enable,
disable, isenabled, get_count, get_threshold, set_threshold, freeze,
unfreeze, get_freeze_count, get_objects, get_referrers, get_referents,
garbage, set_debug, get_debug, get_stats, callbacks.  gcheap.ref(obj,
callback) is weakref.ref.  Weakref callbacks, finalizers (PEP 442: they
may resurrect) and gc callbacks run when heap.dispatch() reads the heap's
events, or in the thread heap.start_dispatcher() starts.

Errors: StaleRef (an OSError, ESTALE) for a ref that names nothing live,
MemoryError for ENOMEM and QuotaExceeded (a MemoryError) for EDQUOT,
ValueError for EINVAL, OSError for the rest (PermissionError, EPERM, for
a slot of a sealed object set).

`python3 -m gcheap stat` prints what gcheapstat prints; `python3 -m gcheap
top` the top allocation sites (tags) of each heap, as tracemalloc does.
"""
from ._lib import StaleRef, QuotaExceeded, GCH_GEN_PERMANENT as GEN_PERMANENT
from ._heap import (DEBUG_SAVEALL, Heap, Object, Slots, Data, ref, ObjInfo,
                    TagStat, tag_name)
from ._stat import format_top, format_size

__all__ = ["Heap", "Object", "Slots", "Data", "ref", "StaleRef",
           "QuotaExceeded", "DEBUG_SAVEALL", "GEN_PERMANENT", "ObjInfo",
           "TagStat", "tag_name", "format_top", "format_size"]
__version__ = "0.1.0"
