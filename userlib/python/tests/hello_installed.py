# SPDX-License-Identifier: GPL-2.0
"""python3 hello_installed.py SYSROOT: the installed gcheap package works.

Run by scripts/test/check-packaging (in the distro guest) with PYTHONPATH and
GCHEAP_LIBRARY pointing into a sysroot that `make install` or the
python3-gcheap and libgcheap1 packages filled: imports gcheap from there,
frees a cycle, runs a weakref callback and a finalizer, and
`python3 -m gcheap top` (root: it reads debugfs).
"""
import os
import subprocess
import sys

import gcheap

root = os.path.realpath(sys.argv[1])
assert os.path.realpath(gcheap.__file__).startswith(root + os.sep), \
    "gcheap imported from %s, not from %s" % (gcheap.__file__, root)
seen = []
with gcheap.Heap() as heap:
    a = heap.new(1, 8, finalizer=lambda o: seen.append("finalizer"))
    b = heap.new(1, 8)
    a.slots[0], b.slots[0] = b, a
    w = gcheap.ref(b, lambda r: seen.append("callback"))
    del a, b
    assert heap.collect() == 2
    heap.dispatch()
    assert seen == ["callback", "finalizer"], seen
    assert heap.collect() == 2 and heap.stats()["objects"] == 0
    keep = heap.new(0, 16, tag=3)
    top = subprocess.run([sys.executable, "-m", "gcheap", "top", "-H",
                          str(heap.id)], capture_output=True, text=True)
    assert top.returncode == 0, top.stderr
    assert "#1: tag 3: size=16 B, count=1" in top.stdout, top.stdout
print("python3-gcheap from %s: ok" % os.path.dirname(gcheap.__file__))
