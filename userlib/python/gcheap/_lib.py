# SPDX-License-Identifier: MIT
"""libgcheap through ctypes: loading, the C structs and prototypes, errors.

The library is found, in this order, at $GCHEAP_LIBRARY, by its soname
(libgcheap.so.1, as the dynamic linker finds it), at the path `make
install` recorded in _paths.py, and in the source tree this package sits in
(userlib/libgcheap.so.1, built by `make lib`).
"""
import ctypes
import errno
import os

from ctypes import (POINTER, Structure, c_int, c_uint32, c_uint64, c_void_p)

SONAME = "libgcheap.so.1"

# uapi/linux/gcheap.h
GCH_GEN_PERMANENT = 3
GCH_GEN_ALL = -1
GCH_ALLOC_FINALIZE = 1 << 0
GCH_ALLOC_SEALED = 1 << 1
GCH_OBJ_FINALIZABLE = 1 << 0
GCH_OBJ_FINALIZED = 1 << 1
GCH_OBJ_TRACKED = 1 << 2
GCH_OBJ_SEALED = 1 << 3
GCH_WEAK_NOTIFY = 1 << 0
GCH_DEBUG_SAVEALL = 1 << 0
GCH_EV_WEAKREF = 1 << 0
GCH_EV_FINALIZE = 1 << 1
GCH_EV_COLLECT = 1 << 2
GCH_EV_DEFAULT = GCH_EV_WEAKREF | GCH_EV_FINALIZE


class gch_config(Structure):
    _fields_ = [("max_objects", c_uint64), ("max_bytes", c_uint64),
                ("threshold", c_uint32 * 3), ("flags", c_uint32)]


class gch_alloc_args(Structure):
    _fields_ = [("nslots", c_uint32), ("size", c_uint32), ("flags", c_uint32),
                ("tag", c_uint32), ("cookie", c_uint64)]


class gch_obj_info(Structure):
    _fields_ = [("nslots", c_uint32), ("size", c_uint32), ("tag", c_uint32),
                ("generation", c_uint32), ("refcount", c_uint64),
                ("flags", c_uint32)]


class gch_gen_stats(Structure):
    _fields_ = [("collections", c_uint64), ("collected", c_uint64),
                ("uncollectable", c_uint64)]


class gch_stats(Structure):
    _fields_ = [("gen", gch_gen_stats * 3),
                ("objects", c_uint64), ("bytes", c_uint64),
                ("allocated", c_uint64), ("freed", c_uint64),
                ("weakrefs", c_uint64), ("pending_events", c_uint64),
                ("pause_ns_last", c_uint64), ("pause_ns_max", c_uint64),
                ("pause_ns_total", c_uint64)]


class gch_event(Structure):
    _fields_ = [("type", c_uint32), ("generation", c_uint32),
                ("cookie", c_uint64), ("ref", c_uint64),
                ("collected", c_uint64), ("uncollectable", c_uint64)]


class gch_tag_stat(Structure):
    _fields_ = [("tag", c_uint32), ("reserved", c_uint32),
                ("live_objects", c_uint64), ("live_bytes", c_uint64),
                ("allocations", c_uint64)]


_H = c_void_p           # struct gch_heap *
_REF = c_uint64         # gch_ref_t
_REFP = POINTER(c_uint64)

# name: (restype, argtypes)
_PROTOTYPES = {
    "gch_open": (c_void_p, [POINTER(gch_config)]),
    "gch_close": (None, [_H]),
    "gch_fd": (c_int, [_H]),
    "gch_heap_id": (c_int, [_H]),
    "gch_alloc_ex": (c_int, [_H, POINTER(gch_alloc_args), _REFP]),
    "gch_incref": (c_int, [_H, _REF]),
    "gch_decref": (c_int, [_H, _REF]),
    "gch_set_slot": (c_int, [_H, _REF, c_uint32, _REF]),
    "gch_get_slot": (c_int, [_H, _REF, c_uint32, _REFP]),
    "gch_write": (c_int, [_H, _REF, c_uint32, c_void_p, c_uint32]),
    "gch_read": (c_int, [_H, _REF, c_uint32, c_void_p, c_uint32]),
    "gch_seal": (c_int, [_H, _REF]),
    "gch_info": (c_int, [_H, _REF, POINTER(gch_obj_info)]),
    "gch_collect": (c_int, [_H, c_int]),
    "gch_enable": (c_int, [_H]),
    "gch_disable": (c_int, [_H]),
    "gch_isenabled": (c_int, [_H]),
    "gch_get_count": (c_int, [_H, c_uint32 * 3]),
    "gch_get_threshold": (c_int, [_H, c_uint32 * 3]),
    "gch_set_threshold": (c_int, [_H, c_uint32, c_uint32, c_uint32]),
    "gch_freeze": (c_int, [_H]),
    "gch_unfreeze": (c_int, [_H]),
    "gch_get_freeze_count": (c_int, [_H]),
    "gch_set_debug": (c_int, [_H, c_uint32]),
    "gch_get_garbage": (c_int, [_H, _REFP, c_uint32]),
    "gch_get_objects": (c_int, [_H, c_int, _REFP, c_uint32]),
    "gch_get_referents": (c_int, [_H, _REF, _REFP, c_uint32]),
    "gch_get_referrers": (c_int, [_H, _REF, _REFP, c_uint32]),
    "gch_get_stats": (c_int, [_H, POINTER(gch_stats)]),
    "gch_get_tag_stats": (c_int, [_H, POINTER(gch_tag_stat), c_uint32]),
    "gch_weakref": (c_int, [_H, _REF, c_uint32, c_uint64, _REFP]),
    "gch_weakref_get": (c_int, [_H, _REF, _REFP]),
    "gch_set_event_mask": (c_int, [_H, c_uint32]),
    "gch_next_event": (c_int, [_H, POINTER(gch_event), c_int]),
}


def _candidates():
    env = os.environ.get("GCHEAP_LIBRARY")
    if env:
        return [env]
    names = [SONAME]
    try:
        from . import _paths            # written by `make install`
        names.append(os.path.join(_paths.LIBDIR, SONAME))
    except ImportError:
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    names.append(os.path.join(here, os.pardir, os.pardir, SONAME))
    return names


def load():
    """The ctypes library with every prototype set, or OSError."""
    errors = []
    for name in _candidates():
        try:
            lib = ctypes.CDLL(name, use_errno=True)
            break
        except OSError as e:
            errors.append(str(e))
    else:
        raise OSError(errno.ENOENT, "libgcheap not found (set GCHEAP_LIBRARY, "
                      "install libgcheap1 or run `make lib`): "
                      + "; ".join(errors))
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


# ---- errors ----

class StaleRef(OSError):
    """A ref that names no live object or weakref of this heap (ESTALE)."""


class QuotaExceeded(MemoryError):
    """The heap's object or byte limit would be exceeded (EDQUOT)."""


def error(err, what):
    """The exception for a libgcheap -errno (err > 0) from WHAT."""
    name = errno.errorcode.get(err, str(err))
    msg = "%s: %s (%s)" % (what, os.strerror(err), name)
    if err == errno.ESTALE:
        return StaleRef(err, msg)
    if err == errno.EINVAL:
        e = ValueError(msg)
    elif err == errno.EDQUOT:
        e = QuotaExceeded(msg)
    elif err == errno.ENOMEM:
        e = MemoryError(msg)
    else:
        return OSError(err, msg)
    e.errno = err
    e.strerror = os.strerror(err)
    return e
