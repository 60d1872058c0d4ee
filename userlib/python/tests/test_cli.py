# SPDX-License-Identifier: GPL-2.0
"""`python3 -m gcheap stat` against gcheapstat, `top`, heap.top()."""
import contextlib
import io
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import unittest

import gcheap
from gcheap import _stat
from support import HeapTestCase, require_device

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                   os.pardir, os.pardir, os.pardir))
GCHEAPSTAT = os.environ.get("GCHEAPSTAT") or os.path.join(TOP, "userlib",
                                                         "gcheapstat")
DEBUGFS = "/sys/kernel/debug/gcheap"

HEAP_STATS = """id 3
owner_pid 77
owner_comm python3
objects 1200
bytes 20480
allocated 1500
freed 300
weakrefs 2
pending_events 0
pause_ns_last 1000
pause_ns_max 123456
pause_ns_total 9000
gen0_collections 4
gen0_collected 10
gen0_uncollectable 0
gen0_count 7
gen0_threshold 700
gen1_collections 1
gen1_collected 2
gen1_uncollectable 0
gen1_count 3
gen1_threshold 10
gen2_collections 0
gen2_collected 0
gen2_uncollectable 0
gen2_count 1
gen2_threshold 10
frozen 0
enabled 1
"""
ALL_STATS = """heaps 1
objects 1200
bytes 20480
weakrefs 2
allocated 1500
freed 300
collections 5
collected 12
uncollectable 0
pause_ns_max 123456
"""
TAGS = """# tag live_objects live_bytes allocations
2 1000 16000 1000
5 150 4096 300
9 50 384 50
"""


def run(argv, fn=_stat.stat_main):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        status = fn(argv, out)
    return status, out.getvalue(), err.getvalue()


def run_c(argv, env=None):
    p = subprocess.run([GCHEAPSTAT] + argv, capture_output=True, text=True,
                       env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


class FakeDebugfsTests(unittest.TestCase):
    """Against a made-up debugfs tree: the same output as gcheapstat."""

    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)
        os.mkdir(os.path.join(self.root, "3"))
        for name, text in (("stats", ALL_STATS), ("3/stats", HEAP_STATS),
                           ("3/tags", TAGS),
                           ("3/graph.dot", "digraph \"gcheap-3\" {\n}\n")):
            with open(os.path.join(self.root, name), "w") as f:
                f.write(text)
        os.environ["GCHEAP_DEBUGFS"] = self.root
        self.addCleanup(os.environ.pop, "GCHEAP_DEBUGFS")

    def test_stat(self):
        status, out, _ = run([])
        self.assertEqual(status, 0)
        self.assertEqual(out.splitlines(), [
            "   objects        bytes   gen0   gen1   gen2  colls/s "
            "collected/s maxpause_us",
            "      1200        20480      -      -      -        -          -"
            "      123.5"])
        status, out, _ = run(["-H", "3"])
        self.assertEqual(out.splitlines()[1],
                         "      1200        20480      7      3      1"
                         "        -          -      123.5")
        status, out, _ = run(["--tags", "-H", "3", "-n", "1"])
        self.assertEqual(out, "".join(TAGS.splitlines(True)[:2]))
        status, out, _ = run(["--dot", "--heap=3"])
        self.assertTrue(out.startswith("digraph"))
        status, out, _ = run(["-H", "3", "0.01", "3"])    # a line a tick
        lines = out.splitlines()
        self.assertEqual(len(lines), 4)
        self.assertEqual(lines[2], lines[3])
        self.assertEqual(lines[2].split()[5:], ["0.0", "0.0", "123.5"])

    def test_stat_errors(self):
        self.assertEqual(run(["--tags"])[0], 2)
        self.assertEqual(run(["--bogus"])[0], 2)
        self.assertEqual(run(["1", "2", "3"])[0], 2)
        status, _, err = run(["-H", "4"])
        self.assertEqual(status, 1)
        self.assertEqual(err, "gcheapstat: heap 4 does not exist\n")
        os.environ["GCHEAP_DEBUGFS"] = self.root + "/nope"
        status, _, err = run([])
        self.assertEqual(status, 1)
        self.assertIn("is debugfs mounted", err)

    @unittest.skipUnless(os.access(GCHEAPSTAT, os.X_OK), "no gcheapstat")
    def test_same_as_gcheapstat(self):
        # Few runs of the C program: each costs seconds in the debug guest.
        env = dict(os.environ, GCHEAP_DEBUGFS=self.root)
        for argv in ([], ["-H", "3"], ["--tags", "-H", "3", "-n", "2"],
                     ["-H", "9"]):
            with self.subTest(argv=argv):
                c = run_c(argv, env)
                self.assertEqual(run(argv), c)

    def test_top(self):
        status, out, _ = run(["-n", "2"], _stat.top_main)
        self.assertEqual(status, 0)
        self.assertEqual(out.splitlines(), [
            "[ Top 2 allocation sites of heap 3 (pid 77, python3): "
            "1200 objects, 20.0 KiB ]",
            "#1: tag 2: size=15.6 KiB, count=1000, average=16 B, "
            "allocations=1000",
            "#2: tag 5: size=4096 B, count=150, average=27 B, "
            "allocations=300",
            "1 other: size=384 B, count=50",
            "Total live size: 20.0 KiB in 1200 tagged objects"])
        self.assertEqual(run(["-H", "3", "-n", "2"], _stat.top_main)[1], out)
        self.assertEqual(run(["-H", "8"], _stat.top_main)[0], 1)
        self.assertEqual(run(["x"], _stat.top_main)[0], 2)

    def test_format_size(self):             # tracemalloc's
        self.assertEqual(gcheap.format_size(10), "10 B")
        self.assertEqual(gcheap.format_size(10239), "10239 B")
        self.assertEqual(gcheap.format_size(10240), "10.0 KiB")
        self.assertEqual(gcheap.format_size(512 * 1024), "512 KiB")
        self.assertEqual(gcheap.format_size(3 << 30), "3072 MiB")


@unittest.skipUnless(os.access(DEBUGFS, os.R_OK), "debugfs not readable")
class LiveDebugfsTests(HeapTestCase):
    """A live heap, read from debugfs."""

    def setUp(self):
        require_device()
        super().setUp()
        os.environ.pop("GCHEAP_DEBUGFS", None)
        self.heap.disable()
        self.keep = [self.heap.new(1, 16, tag=2) for _ in range(5)]
        self.keep += [self.heap.new(0, 100, tag="python-site")]
        self.heap.collect(0)

    @unittest.skipUnless(os.access(GCHEAPSTAT, os.X_OK), "no gcheapstat")
    def test_same_as_gcheapstat(self):
        h = str(self.heap.id)
        for argv in (["-H", h], ["--dot", "-H", h]):
            with self.subTest(argv=argv):
                self.assertEqual(run(argv), run_c(argv))

    def test_python_m_gcheap(self):
        # python3 -m gcheap, run in this interpreter: starting another
        # costs tens of seconds in the debug guest (hello_installed.py,
        # run by check-packaging, starts one).
        out = io.StringIO()
        argv = sys.argv
        sys.argv = ["gcheap", "top", "-H", str(self.heap.id)]
        try:
            with contextlib.redirect_stdout(out), \
                    self.assertRaises(SystemExit) as cm:
                runpy.run_module("gcheap", run_name="__main__")
        finally:
            sys.argv = argv
        self.assertEqual(cm.exception.code, 0)
        self.assertIn("#2: tag 2: size=80 B, count=5, average=16 B",
                      out.getvalue())
        status, out, _ = run(["--tags", "-H", str(self.heap.id)])
        self.assertEqual(status, 0)
        self.assertIn("2 5 80 5\n", out)

    def test_tag_stats_and_top(self):
        stats = self.heap.tag_stats()
        self.assertEqual(len(stats), 2)
        self.assertEqual(stats[0].live_bytes, 100)
        self.assertEqual(stats[0].name, "python-site")
        self.assertEqual(stats[1][:5], (2, 5, 80, 5, None))
        out = io.StringIO()
        self.heap.top(file=out)
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[1], "#1: python-site: size=100 B, count=1, "
                         "average=100 B, allocations=1")
        del self.keep[:3]
        self.assertEqual(self.heap.tag_stats()[1].live_objects, 2)


class SiteTests(unittest.TestCase):

    def setUp(self):
        require_device()

    def test_track_sites(self):
        with gcheap.Heap(track_sites=True) as heap:
            keep = [heap.new(0, 32) for _ in range(3)]   # this line
            line = sys._getframe().f_lineno - 1
            keep.append(heap.new(0, 8, tag=4))
            stats = heap.tag_stats()
            self.assertEqual(stats[0].name, "%s:%d" % (__file__, line))
            self.assertEqual(stats[0].live_objects, 3)
            self.assertEqual(stats[1].tag, 4)
            out = io.StringIO()
            heap.top(limit=1, file=out)
            lines = out.getvalue().splitlines()
            self.assertIn(":%d: size=96 B, count=3" % line, lines[1])
            self.assertIn("# this line", lines[2])      # the source
            self.assertTrue(lines[3].startswith("1 other: size=8 B"))
            del keep


if __name__ == "__main__":
    unittest.main()
