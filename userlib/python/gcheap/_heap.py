# SPDX-License-Identifier: MIT
"""Heaps, objects and weak references over libgcheap.

Every Object owns exactly one of the program's references to a kernel
object: the one libgcheap handed over when the Object was made (gch_alloc,
gch_get_slot, gch_weakref_get, the list functions, a FINALIZE event) or one
taken with gch_incref.  Object.__del__ drops it, once; after the heap is
closed it drops nothing (the kernel freed everything with the heap).
"""
import atexit
import collections
import collections.abc
import ctypes
import errno
import itertools
import math
import os
import select
import sys
import threading
import time
import weakref as _weakref

from . import _lib
from ._lib import error

# gc.DEBUG_SAVEALL's value, so that heap.set_debug(gc.DEBUG_SAVEALL) works.
DEBUG_SAVEALL = 32

ObjInfo = collections.namedtuple(
    "ObjInfo",
    "nslots size tag generation refcount finalizable finalized tracked "
    "sealed")
ObjInfo.__doc__ = """What gch_info() tells of an object (generation 3: frozen;
tracked: the collector sees it, gc.is_tracked; sealed: its slots can no
longer be set, Heap.seal)."""

TagStat = collections.namedtuple(
    "TagStat", "tag live_objects live_bytes allocations name")
TagStat.__doc__ = """One allocation tag's figures; name: the str tag or
allocation site it stands for in this process, else None."""

_STATS_FIELDS = ("objects", "bytes", "allocated", "freed", "weakrefs",
                 "pending_events", "pause_ns_last", "pause_ns_max",
                 "pause_ns_total")

_lib_handle = None
_lib_lock = threading.Lock()


def _get_lib():
    global _lib_handle
    if _lib_handle is None:
        with _lib_lock:
            if _lib_handle is None:
                _lib_handle = _lib.load()
    return _lib_handle


# ---- allocation tags: ints, or names (str tags, allocation sites) ----

_tag_names = {}         # tag -> name
_tag_ids = {}           # name -> tag
_tag_lock = threading.Lock()
_TAG_NAMED_BASE = 0x80000000


def _tag_for_name(name):
    tag = _tag_ids.get(name)
    if tag is None:
        with _tag_lock:
            tag = _tag_ids.get(name)
            if tag is None:
                tag = _TAG_NAMED_BASE + len(_tag_ids)
                if tag > 0xffffffff:
                    raise OverflowError("too many named allocation tags")
                _tag_names[tag] = name
                _tag_ids[name] = tag
    return tag


def tag_name(tag):
    """The name (str tag or "file:line" site) a tag stands for, or None."""
    return _tag_names.get(tag)


def _report_unraisable(err_msg, obj):
    """As CPython reports an exception raised by a callback or __del__."""
    exc_type, exc_value, exc_tb = sys.exc_info()
    try:
        hook = sys.unraisablehook
        if hook is not sys.__unraisablehook__:
            # A hook of the program's (test.support's, say) takes any
            # object with these attributes; the built-in one takes only
            # its own type, which Python code cannot make: its output here.
            hook(_UnraisableArgs(exc_type, exc_value, exc_tb, err_msg, obj))
            return
        import traceback
        sys.stderr.write("%s: %r\n" % (err_msg, obj))
        traceback.print_exception(exc_type, exc_value, exc_tb,
                                  file=sys.stderr)
    except Exception:
        pass
    finally:
        del exc_type, exc_value, exc_tb


_UnraisableArgs = collections.namedtuple(
    "UnraisableHookArgs", "exc_type exc_value exc_traceback err_msg object")


class _Callbacks(list):
    """heap.callbacks: a list; COLLECT events are asked for while non-empty."""

    def __init__(self, heap, items=()):
        super().__init__(items)
        self._heap = _weakref.ref(heap)

    def _changed(self):
        heap = self._heap()
        if heap is not None:
            heap._update_event_mask()


def _mutator(name):
    base = getattr(list, name)

    def method(self, *args, **kwargs):
        ret = base(self, *args, **kwargs)
        self._changed()
        return ret
    method.__name__ = name
    return method


for _name in ("append", "extend", "insert", "remove", "pop", "clear",
              "__setitem__", "__delitem__", "__iadd__", "__imul__"):
    setattr(_Callbacks, _name, _mutator(_name))
del _name


_open_heaps = _weakref.WeakSet()


@atexit.register
def _close_all():
    # Objects that die after this point drop nothing: their heap is closed.
    for heap in list(_open_heaps):
        try:
            heap.close()
        except Exception:
            pass


class Heap:
    """A gcheap heap: gch_open() on /dev/gcheap.

    Heap(max_objects=0, max_bytes=0, threshold=None, track_sites=False)

    max_objects, max_bytes: the heap's limits (0: the module's caps);
    threshold: (t0, t1, t2), the collection thresholds (None: the module's,
    by default 700, 10, 10); track_sites: tag every object allocated
    without a tag with its allocation site ("file:line"), for top().

    Use it as a context manager or close() it; closing frees every object
    of the heap and drops pending events without running them.  The gc
    module's functions are methods with the same names and meanings.
    """

    def __init__(self, max_objects=0, max_bytes=0, threshold=None,
                 track_sites=False):
        self._h = None
        lib = self._lib = _get_lib()
        cfg = _lib.gch_config(max_objects=_u64(max_objects or 0, "max_objects"),
                              max_bytes=_u64(max_bytes or 0, "max_bytes"))
        h = lib.gch_open(ctypes.byref(cfg))
        if not h:
            raise error(ctypes.get_errno() or errno.ENOMEM, "gch_open")
        self._h = h
        self.id = lib.gch_heap_id(h)
        self.track_sites = bool(track_sites)
        self._cookies = itertools.count(1)
        self._finalizers = {}                       # cookie -> callable
        self._weakrefs = _weakref.WeakValueDictionary()  # cookie -> ref
        self._debug = 0
        self._event_mask = _lib.GCH_EV_DEFAULT
        self._callbacks = _Callbacks(self)
        self._dispatcher = None
        self._wake = None
        _open_heaps.add(self)
        if threshold is not None:
            try:
                self.set_threshold(*threshold)
            except BaseException:
                self.close()
                raise

    # ---- the heap itself ----

    def _handle(self):
        h = self._h
        if h is None:
            raise ValueError("operation on a closed heap")
        return h

    def close(self):
        """Close the heap: every object in it is freed.  Idempotent."""
        if self._h is None:
            return
        self._stop_dispatcher(join=True)
        h, self._h = self._h, None
        _open_heaps.discard(self)
        self._lib.gch_close(h)
        # Closures held here may hold Objects: they now drop nothing.
        self._finalizers = {}
        self._weakrefs = _weakref.WeakValueDictionary()

    @property
    def closed(self):
        return self._h is None

    def __enter__(self):
        self._handle()
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        if self._h is None:
            return "<gcheap.Heap closed>"
        return "<gcheap.Heap %d>" % self.id

    def __reduce_ex__(self, protocol):
        # A copy would close the heap twice.
        raise TypeError("cannot copy or pickle a gcheap.Heap")

    def fileno(self):
        """The heap's file descriptor (for select/poll: events are ready)."""
        return self._lib.gch_fd(self._handle())

    def _check(self, ret, what):
        if ret < 0:
            raise error(-ret, what)
        return ret

    # ---- objects ----

    def new(self, nslots=0, size=0, finalizer=None, tag=None, sealed=False):
        """A new object with NSLOTS empty slots and SIZE zero bytes of data.

        finalizer: called as finalizer(obj) by dispatch() the first time
        the object becomes unreachable (PEP 442: it may resurrect the
        object by storing it in a slot of a live object; it is never called
        twice).  tag: the allocation site, an int (1..2**32-1) or a str, for
        tag_stats() and top(); None: no tag, or the caller's "file:line"
        when the heap tracks sites.  sealed: sealed from the start
        (GCH_ALLOC_SEALED, see seal()): its slots stay empty.
        """
        h = self._handle()
        if tag is None:
            if self.track_sites:
                f = sys._getframe(1)
                tag = _tag_for_name("%s:%d" % (f.f_code.co_filename,
                                               f.f_lineno))
            else:
                tag = 0
        elif isinstance(tag, str):
            tag = _tag_for_name(tag)
        elif not isinstance(tag, int) or isinstance(tag, bool):
            raise TypeError("tag must be an int or a str, not %s"
                            % type(tag).__name__)
        elif not 0 < tag <= 0xffffffff:
            raise ValueError("tag out of range (1..2**32-1)")
        _u32(nslots, "nslots")
        _u32(size, "size")
        args = _lib.gch_alloc_args(nslots=nslots, size=size, tag=tag)
        if finalizer is not None:
            if not callable(finalizer):
                raise TypeError("finalizer must be callable")
            args.flags = _lib.GCH_ALLOC_FINALIZE
            args.cookie = cookie = next(self._cookies)
        if sealed:
            args.flags |= _lib.GCH_ALLOC_SEALED
        out = ctypes.c_uint64()
        ret = self._lib.gch_alloc_ex(h, ctypes.byref(args), ctypes.byref(out))
        if ret < 0:
            raise error(-ret, "gch_alloc")
        if finalizer is not None:
            self._finalizers[cookie] = finalizer
        obj = Object.__new__(Object)
        obj._heap = self
        obj._ref = out.value
        obj._nslots = nslots
        obj._size = size
        return obj

    def _adopt(self, ref):
        """An Object owning the new reference REF (0: None)."""
        if not ref:
            return None
        obj = Object.__new__(Object)
        obj._heap = self
        obj._ref = ref
        obj._nslots = obj._size = None
        return obj

    def _refs(self, fn, what, *args):
        """The Objects a list function hands out (each a new reference)."""
        h = self._handle()
        n = self._check(fn(h, *args, None, 0), what)     # count only
        while True:
            cap = n + 8
            buf = (ctypes.c_uint64 * cap)()
            n = self._check(fn(h, *args, buf, cap), what)
            objs = [self._adopt(buf[i]) for i in range(min(n, cap))]
            if n <= cap:
                return objs
            del objs                                    # cut: again

    def info(self, obj):
        """ObjInfo of OBJ (also obj.info())."""
        return obj.info()

    def seal(self, obj):
        """Seal OBJ (gch_seal): from now on its slots cannot be set
        (PermissionError, EPERM), as a tuple's items cannot; its data still
        can be written.  Sealing a sealed object does nothing.  A sealed
        object that is not tracked never will be, and naming it does not
        track the object that names it (see is_tracked)."""
        self._check(self._lib.gch_seal(self._handle(), self._ref_of(obj)),
                    "gch_seal")

    def is_sealed(self, obj):
        """Whether OBJ is sealed (seal(), or new(sealed=True))."""
        return obj.info().sealed

    # ---- the collector, as the gc module ----

    def collect(self, generation=2):
        """Collect GENERATION and the younger ones; the number of
        unreachable objects found.  Finalizers and callbacks run later, in
        dispatch()."""
        if not isinstance(generation, int):
            raise TypeError("generation must be an int")
        if not 0 <= generation <= 2:
            raise ValueError("invalid generation")
        return self._check(self._lib.gch_collect(self._handle(), generation),
                           "gch_collect")

    def enable(self):
        self._check(self._lib.gch_enable(self._handle()), "gch_enable")

    def disable(self):
        self._check(self._lib.gch_disable(self._handle()), "gch_disable")

    def isenabled(self):
        return bool(self._check(self._lib.gch_isenabled(self._handle()),
                                "gch_isenabled"))

    def get_count(self):
        c = (ctypes.c_uint32 * 3)()
        self._check(self._lib.gch_get_count(self._handle(), c), "gch_get_count")
        return tuple(c)

    def get_threshold(self):
        t = (ctypes.c_uint32 * 3)()
        self._check(self._lib.gch_get_threshold(self._handle(), t),
                    "gch_get_threshold")
        return tuple(t)

    def set_threshold(self, threshold0, threshold1=None, threshold2=None):
        """As gc.set_threshold: omitted thresholds keep their values;
        threshold0 = 0 disables automatic collection."""
        t = list(self.get_threshold())
        for i, v in enumerate((threshold0, threshold1, threshold2)):
            if v is not None:
                t[i] = _u32(v, "threshold")
        self._check(self._lib.gch_set_threshold(self._handle(), *t),
                    "gch_set_threshold")

    def freeze(self):
        self._check(self._lib.gch_freeze(self._handle()), "gch_freeze")

    def unfreeze(self):
        self._check(self._lib.gch_unfreeze(self._handle()), "gch_unfreeze")

    def get_freeze_count(self):
        return self._check(self._lib.gch_get_freeze_count(self._handle()),
                           "gch_get_freeze_count")

    def set_debug(self, flags):
        """As gc.set_debug; DEBUG_SAVEALL (gc.DEBUG_SAVEALL) is the one flag."""
        if not isinstance(flags, int):
            raise TypeError("flags must be an int")
        if flags & ~DEBUG_SAVEALL:
            raise ValueError("unsupported debug flags %#x (only DEBUG_SAVEALL)"
                             % (flags & ~DEBUG_SAVEALL))
        kflags = _lib.GCH_DEBUG_SAVEALL if flags & DEBUG_SAVEALL else 0
        self._check(self._lib.gch_set_debug(self._handle(), kflags),
                    "gch_set_debug")
        self._debug = flags

    def get_debug(self):
        return self._debug

    @property
    def garbage(self):
        """The objects DEBUG_SAVEALL kept (a new list at each access)."""
        return self._refs(self._lib.gch_get_garbage, "gch_get_garbage")

    def get_objects(self, generation=None):
        """The tracked objects of GENERATION, or all: those a slot of which
        has named an object that may be tracked (see is_tracked)."""
        if generation is None:
            generation = _lib.GCH_GEN_ALL
        elif not isinstance(generation, int):
            raise TypeError("generation must be an int or None")
        elif not 0 <= generation <= 2:
            raise ValueError("generation parameter must be 0, 1 or 2")
        return self._refs(self._lib.gch_get_objects, "gch_get_objects",
                          generation)

    def get_referrers(self, *objs):
        """The objects with a slot that names any of OBJS."""
        out, seen = [], set()
        for o in objs:
            for r in self._refs(self._lib.gch_get_referrers,
                                "gch_get_referrers", self._ref_of(o)):
                if r._ref not in seen:
                    seen.add(r._ref)
                    out.append(r)
        return out

    def get_referents(self, *objs):
        """The objects the slots of OBJS name."""
        out = []
        for o in objs:
            out.extend(self._refs(self._lib.gch_get_referents,
                                  "gch_get_referents", self._ref_of(o)))
        return out

    def is_tracked(self, obj):
        """Whether the collector sees OBJ (gc.is_tracked): from when a slot
        of it first names an object that may be tracked, one with slots that
        is tracked or not sealed, as CPython tracks a dict from when it
        first holds a container that may be tracked.  An object without
        slots, or a sealed one that is not tracked, never will be (as
        CPython's untracked tuples).  Once tracked, an object stays
        tracked, sealed or not."""
        return obj.info().tracked

    def is_finalized(self, obj):
        """Whether OBJ's finalizer has been run (gc.is_finalized)."""
        return obj.info().finalized

    def get_stats(self):
        """As gc.get_stats(): one dict per generation."""
        st = self._raw_stats()
        return [{"collections": g.collections, "collected": g.collected,
                 "uncollectable": g.uncollectable} for g in st.gen]

    def _raw_stats(self):
        st = _lib.gch_stats()
        self._check(self._lib.gch_get_stats(self._handle(), ctypes.byref(st)),
                    "gch_get_stats")
        return st

    def stats(self):
        """gch_get_stats() as a dict: objects, bytes, allocated, freed,
        weakrefs, pending_events, pause_ns_last/max/total, and gen: the
        list get_stats() returns."""
        st = self._raw_stats()
        d = {k: getattr(st, k) for k in _STATS_FIELDS}
        d["gen"] = [{"collections": g.collections, "collected": g.collected,
                     "uncollectable": g.uncollectable} for g in st.gen]
        return d

    @property
    def callbacks(self):
        """As gc.callbacks: called as cb("start", info) and cb("stop", info)
        for every collection (info: generation, collected, uncollectable),
        by dispatch(), from the heap's COLLECT events, asked for while the
        list is not empty."""
        return self._callbacks

    @callbacks.setter
    def callbacks(self, value):
        self._callbacks = _Callbacks(self, value)
        self._update_event_mask()

    def _update_event_mask(self):
        mask = _lib.GCH_EV_DEFAULT
        if self._callbacks:
            mask |= _lib.GCH_EV_COLLECT
        if mask != self._event_mask and self._h is not None:
            self._check(self._lib.gch_set_event_mask(self._h, mask),
                        "gch_set_event_mask")
            self._event_mask = mask

    # ---- allocation sites ----

    def tag_stats(self):
        """TagStat records, largest live bytes first."""
        h = self._handle()
        fn = self._lib.gch_get_tag_stats
        n = self._check(fn(h, None, 0), "gch_get_tag_stats")
        while True:
            cap = n + 8
            buf = (_lib.gch_tag_stat * cap)()
            n = self._check(fn(h, buf, cap), "gch_get_tag_stats")
            if n <= cap:
                break
        return [TagStat(s.tag, s.live_objects, s.live_bytes, s.allocations,
                        _tag_names.get(s.tag)) for s in buf[:n]]

    def top(self, limit=10, file=None):
        """Print the top allocation sites, as tracemalloc's display_top."""
        from ._stat import format_top
        out = file if file is not None else sys.stdout
        for line in format_top(self.tag_stats(), limit, names=True,
                               title="Top %d allocation sites of heap %d"
                               % (limit, self.id)):
            print(line, file=out)

    # ---- events: weakref callbacks, finalizers, collection callbacks ----

    def dispatch(self, timeout=0):
        """Read the pending events and run their finalizers and callbacks.

        timeout: seconds to wait for a first event (None: until one comes).
        Returns how many events were handled.
        """
        h = self._handle()
        deadline = None if timeout is None else time.monotonic() + timeout
        ev = _lib.gch_event()
        pev = ctypes.byref(ev)
        poller = None
        n = 0
        while self._h is not None:
            ret = self._lib.gch_next_event(h, pev, 0)
            if ret < 0:
                raise error(-ret, "gch_next_event")
            if ret == 0:
                if n or timeout == 0:
                    break
                # Wait in Python's poll, which Ctrl-C interrupts (the
                # library's wait retries on EINTR).
                left = None
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                if poller is None:
                    poller = select.poll()
                    poller.register(self._lib.gch_fd(h), select.POLLIN)
                poller.poll(None if left is None else math.ceil(left * 1000))
                continue
            n += 1
            self._run_event(ev.type, ev.generation, ev.cookie, ev.ref,
                            ev.collected, ev.uncollectable)
        return n

    def _run_event(self, type_, generation, cookie, ref, collected,
                   uncollectable):
        if type_ == _lib.GCH_EV_FINALIZE:
            obj = self._adopt(ref)
            fin = self._finalizers.pop(cookie, None)
            if fin is not None:
                try:
                    fin(obj)
                except BaseException:
                    _report_unraisable("Exception ignored in", fin)
            del obj                     # resurrected, or dropped here
        elif type_ == _lib.GCH_EV_WEAKREF:
            if ref and self._h is not None:
                self._lib.gch_decref(self._h, ref)
            wr = self._weakrefs.pop(cookie, None)
            if wr is not None and wr.__callback__ is not None:
                cb = wr.__callback__
                try:
                    cb(wr)
                except BaseException:
                    _report_unraisable("Exception ignored in", cb)
        elif type_ == _lib.GCH_EV_COLLECT:
            start = {"generation": generation, "collected": 0,
                     "uncollectable": 0}
            stop = {"generation": generation, "collected": collected,
                    "uncollectable": uncollectable}
            cbs = list(self._callbacks)
            for phase, info in (("start", start), ("stop", stop)):
                for cb in cbs:
                    try:
                        cb(phase, dict(info))
                    except BaseException:
                        _report_unraisable("Exception ignored in", cb)
        elif ref and self._h is not None:
            # A kind this module does not know: drop what it carried.
            self._lib.gch_decref(self._h, ref)

    def start_dispatcher(self):
        """Run dispatch() in a background (daemon) thread until close() or
        stop_dispatcher(): finalizers and callbacks then run in it."""
        self._handle()
        t = self._dispatcher
        if t is not None and t.is_alive():
            return t
        rfd, wfd = os.pipe()
        self._wake = (rfd, wfd)
        t = threading.Thread(target=self._dispatch_loop, args=(rfd,),
                             name="gcheap-dispatch-%d" % self.id, daemon=True)
        self._dispatcher = t
        t.start()
        return t

    def stop_dispatcher(self):
        """Stop the background dispatcher thread (events then wait for
        dispatch())."""
        self._stop_dispatcher(join=True)

    def _stop_dispatcher(self, join):
        t, wake = self._dispatcher, self._wake
        if t is None:
            return
        self._dispatcher = self._wake = None
        os.write(wake[1], b"x")
        if join and t is not threading.current_thread():
            t.join()
        os.close(wake[1])       # the thread closes the read end

    def _dispatch_loop(self, rfd):
        try:
            p = select.poll()
            p.register(self.fileno(), select.POLLIN)
            p.register(rfd, select.POLLIN)
            while self._h is not None:
                ready = [fd for fd, _ in p.poll()]
                if rfd in ready:
                    break
                try:
                    self.dispatch(0)
                except ValueError:          # closed from a callback
                    break
                except Exception:
                    _report_unraisable("Exception ignored in", self)
        finally:
            os.close(rfd)

    # ---- helpers ----

    def _ref_of(self, obj):
        if not isinstance(obj, Object):
            raise TypeError("expected a gcheap.Object, not %s"
                            % type(obj).__name__)
        if obj._heap is not self:
            raise ValueError("%r belongs to another heap" % (obj,))
        return obj._ref


def _u64(v, what):
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError("%s must be an int" % what)
    if not 0 <= v < 1 << 64:
        raise ValueError("%s out of range" % what)
    return v


def _u32(v, what):
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError("%s must be an int" % what)
    if not 0 <= v <= 0xffffffff:
        raise ValueError("%s out of range" % what)
    return v


class Object:
    """One object of a heap, holding one kernel reference to it.

    obj.slots: the reference slots, read and assigned like a list
    (Objects or None); obj.data: the payload, a bytes-like view (indexing,
    slices, bytes(obj.data), read(), write()).  Two Objects for the same
    kernel object compare equal.  The reference is dropped when the Object
    dies; the kernel object lives on while anything else refers to it.
    """
    __slots__ = ("_heap", "_ref", "_nslots", "_size", "__weakref__")

    def __init__(self, *args, **kwargs):
        raise TypeError("gcheap.Object: use Heap.new()")

    def __del__(self):
        try:
            ref = self._ref
            if ref:
                self._ref = 0
                heap = self._heap
                h = heap._h
                if h is not None:
                    heap._lib.gch_decref(h, ref)
        except Exception:       # interpreter exit, half-built object
            pass

    def _h(self):
        h = self._heap._h
        if h is None:
            raise ValueError("operation on an object of a closed heap")
        return h

    @property
    def ref(self):
        """The kernel ref (an int): the same for every Object of it."""
        return self._ref

    @property
    def heap(self):
        return self._heap

    def __eq__(self, other):
        if isinstance(other, Object):
            return self._heap is other._heap and self._ref == other._ref
        return NotImplemented

    def __hash__(self):
        return hash((id(self._heap), self._ref))

    def __repr__(self):
        return "<gcheap.Object %#x of heap %s>" % (
            self._ref, self._heap.id if self._heap._h is not None else "closed")

    def copy(self):
        """Another Object for the same kernel object (gch_incref)."""
        self._heap._check(self._heap._lib.gch_incref(self._h(), self._ref),
                          "gch_incref")
        return self._heap._adopt(self._ref)

    # copy.copy() gives another Object with a reference of its own;
    # anything that would share this one's reference is refused.
    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        raise TypeError("cannot deepcopy a gcheap.Object (copy() gives "
                        "another reference to the same object)")

    def __reduce_ex__(self, protocol):
        raise TypeError("cannot pickle a gcheap.Object")

    def info(self):
        """ObjInfo: nslots, size, tag, generation, refcount, finalizable,
        finalized, tracked, sealed."""
        i = _lib.gch_obj_info()
        self._heap._check(self._heap._lib.gch_info(self._h(), self._ref,
                                                   ctypes.byref(i)), "gch_info")
        self._nslots, self._size = i.nslots, i.size
        return ObjInfo(i.nslots, i.size, i.tag, i.generation, i.refcount,
                       bool(i.flags & _lib.GCH_OBJ_FINALIZABLE),
                       bool(i.flags & _lib.GCH_OBJ_FINALIZED),
                       bool(i.flags & _lib.GCH_OBJ_TRACKED),
                       bool(i.flags & _lib.GCH_OBJ_SEALED))

    @property
    def nslots(self):
        if self._nslots is None:
            self.info()
        return self._nslots

    @property
    def size(self):
        if self._size is None:
            self.info()
        return self._size

    @property
    def generation(self):
        """0, 1, 2, or 3 (GEN_PERMANENT: frozen)."""
        return self.info().generation

    @property
    def refcount(self):
        """Every reference to the object: the program's, slots', events'."""
        return self.info().refcount

    @property
    def tag(self):
        t = self.info().tag
        return _tag_names.get(t, t)

    @property
    def slots(self):
        return Slots(self)

    @slots.setter
    def slots(self, values):
        values = list(values)
        if len(values) != self.nslots:
            raise ValueError("%d values for %d slots" % (len(values),
                                                         self.nslots))
        Slots(self)[:] = values

    @property
    def data(self):
        return Data(self)

    @data.setter
    def data(self, value):
        Data(self).write(value, 0)


class Slots(collections.abc.Sequence):
    """An object's reference slots, as a fixed-length list."""
    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def __len__(self):
        return self._obj.nslots

    def _index(self, i):
        n = len(self)
        if not isinstance(i, int):
            i = i.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("slot index out of range")
        return i

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = self._index(i)
        obj = self._obj
        heap = obj._heap
        out = ctypes.c_uint64()
        heap._check(heap._lib.gch_get_slot(obj._h(), obj._ref, i,
                                           ctypes.byref(out)), "gch_get_slot")
        return heap._adopt(out.value)

    def __setitem__(self, i, value):
        if isinstance(i, slice):
            idx = range(*i.indices(len(self)))
            values = list(value)
            if len(values) != len(idx):
                raise ValueError("slots cannot change size: %d values for "
                                 "%d slots" % (len(values), len(idx)))
            for j, v in zip(idx, values):
                self[j] = v
            return
        i = self._index(i)
        obj = self._obj
        heap = obj._heap
        target = 0 if value is None else heap._ref_of(value)
        heap._check(heap._lib.gch_set_slot(obj._h(), obj._ref, i, target),
                    "gch_set_slot")

    def __delitem__(self, i):
        raise TypeError("slots cannot be deleted; assign None")

    def clear(self):
        """Set every slot to None."""
        for i in range(len(self)):
            self[i] = None

    def __repr__(self):
        return "Slots(%r)" % (list(self),)


class Data:
    """An object's payload: a fixed-size, mutable bytes-like view.

    Each read or write is one system call; bytes(d) reads it all.
    """
    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def __len__(self):
        return self._obj.size

    def read(self, offset=0, length=None):
        """LENGTH bytes from OFFSET (None: to the end)."""
        obj = self._obj
        if length is None:
            length = len(self) - offset
        if length < 0 or offset < 0:
            raise ValueError("negative offset or length")
        if length == 0:
            if offset > len(self):
                raise ValueError("offset out of range")
            return b""
        buf = ctypes.create_string_buffer(length)
        obj._heap._check(obj._heap._lib.gch_read(obj._h(), obj._ref, offset,
                                                 buf, length), "gch_read")
        return buf.raw

    def write(self, data, offset=0):
        """Write the bytes-like DATA at OFFSET; returns len(data)."""
        obj = self._obj
        data = bytes(data)
        if offset < 0:
            raise ValueError("negative offset")
        if data:
            obj._heap._check(obj._heap._lib.gch_write(
                obj._h(), obj._ref, offset, data, len(data)), "gch_write")
        elif offset > len(self):
            raise ValueError("offset out of range")
        return len(data)

    def tobytes(self):
        return self.read()

    __bytes__ = tobytes

    def __getitem__(self, i):
        n = len(self)
        if isinstance(i, slice):
            start, stop, step = i.indices(n)
            if step == 1:
                return self.read(start, max(0, stop - start))
            return self.read()[i]
        i = i.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("index out of range")
        return self.read(i, 1)[0]

    def __setitem__(self, i, value):
        n = len(self)
        if isinstance(i, slice):
            start, stop, step = i.indices(n)
            value = bytes(value)
            idx = range(start, stop, step)
            if len(value) != len(idx):
                raise ValueError("data cannot change size: %d bytes for %d"
                                 % (len(value), len(idx)))
            if step == 1:
                self.write(value, start)
            elif idx:
                lo, hi = min(idx), max(idx) + 1
                buf = bytearray(self.read(lo, hi - lo))
                for j, b in zip(idx, value):
                    buf[j - lo] = b
                self.write(buf, lo)
            return
        i = i.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("index out of range")
        self.write(bytes((value,)), i)

    def __iter__(self):
        return iter(self.read())

    def __eq__(self, other):
        try:
            return self.read() == bytes(other)
        except TypeError:
            return NotImplemented

    __hash__ = None

    def __repr__(self):
        return "<gcheap data %r>" % (self.read(),)


class ref:
    """ref(obj[, callback]): a weak reference, as weakref.ref.

    Calling it returns the object (a new Object) while it lives, then
    None.  callback(wr) runs in dispatch() after the object died, if the
    ref is still alive then; the kernel clears the weak reference first.
    """
    __slots__ = ("_heap", "_wref", "__callback__", "_hash", "__weakref__")

    def __init__(self, obj, callback=None):
        if not isinstance(obj, Object):
            raise TypeError("cannot create weak reference to %r object"
                            % type(obj).__name__)
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable")
        heap = obj._heap
        self._heap = heap
        self._wref = 0
        self._hash = None
        self.__callback__ = callback
        cookie = next(heap._cookies) if callback is not None else 0
        out = ctypes.c_uint64()
        heap._check(heap._lib.gch_weakref(
            obj._h(), obj._ref, _lib.GCH_WEAK_NOTIFY if callback else 0,
            cookie, ctypes.byref(out)), "gch_weakref")
        self._wref = out.value
        if callback is not None:
            heap._weakrefs[cookie] = self

    def __call__(self):
        heap = self._heap
        h = heap._h
        if h is None or not self._wref:
            return None
        out = ctypes.c_uint64()
        heap._check(heap._lib.gch_weakref_get(h, self._wref, ctypes.byref(out)),
                    "gch_weakref_get")
        return heap._adopt(out.value)

    def __del__(self):
        try:
            wref = self._wref
            if wref:
                self._wref = 0
                h = self._heap._h
                if h is not None:
                    self._heap._lib.gch_decref(h, wref)
        except Exception:
            pass

    # A weak reference is its own copy (as weakref.ref's); never pickled.
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce_ex__(self, protocol):
        raise TypeError("cannot pickle a gcheap.ref")

    def __hash__(self):
        if self._hash is None:
            o = self()
            if o is None:
                raise TypeError("weak object has gone away")
            self._hash = hash(o)
        return self._hash

    def __eq__(self, other):
        if not isinstance(other, ref):
            return NotImplemented
        a, b = self(), other()
        if a is None or b is None:
            return self is other
        return a == b

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __repr__(self):
        o = self()
        if o is None:
            return "<gcheap.ref at %#x; dead>" % id(self)
        return "<gcheap.ref at %#x; to %r>" % (id(self), o)
