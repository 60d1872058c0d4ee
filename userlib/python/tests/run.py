#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run the gcheap Python tests (unittest) and print KTAP.

    python3 userlib/python/tests/run.py [-v] [PATTERN...]

Runs every test_*.py here against the package in ../gcheap and, unless
GCHEAP_LIBRARY says otherwise, the library of this tree
(userlib/libgcheap.so.1).  One result line per test method ("ok N
test_gc.GCTests.test_self_cycle"); a PATTERN keeps the tests whose name
contains it.  Exit status: 0 when every test passed, 1 when one failed, 4
(kselftest's skip) when there is no /dev/gcheap.  `make tests` installs a
wrapper as build/tests/test_python, which scripts/test/guest-tests runs.
"""
import os
import sys
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)                      # userlib/python
TOP = os.path.dirname(os.path.dirname(PKG))

KSFT_SKIP = 4


class KtapResult(unittest.TestResult):
    """Prints a KTAP result line as each test ends."""

    def __init__(self, stream, verbose):
        super().__init__()
        self.stream = stream
        self.verbose = verbose
        self.n = 0
        self.failed_tests = 0
        self._diag = []
        self._outcome = None
        self._directive = ""
        self.reported = set()

    def _emit(self, line):
        self.stream.write(line + "\n")
        self.stream.flush()

    def startTest(self, test):
        super().startTest(test)
        self._diag = []
        self._outcome = "ok"
        self._directive = ""
        self._start = time.monotonic()

    def _fail(self, test, err, what):
        self._outcome = "not ok"
        text = self._exc_info_to_string(err, test)
        self._diag.append("%s:" % what)
        self._diag.extend(text.rstrip("\n").splitlines())

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err, "ERROR")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err, "FAIL")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._fail(test, err, "FAIL in %s" % subtest._subDescription())

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._outcome = "ok"
        self._directive = " # SKIP %s" % reason

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._directive = " # XFAIL"

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._outcome = "not ok"
        self._diag.append("unexpected success")

    def stopTest(self, test):
        super().stopTest(test)
        self.n += 1
        directive = self._directive
        self.reported.add(test.id())
        for line in self._diag:
            self._emit("# " + line)
        if self._outcome != "ok":
            self.failed_tests += 1
        name = test.id()
        if self.verbose:
            self._emit("# %s: %.2f s" % (name, time.monotonic() - self._start))
        self._emit("%s %d %s%s" % (self._outcome, self.n, name.replace(" ", "_"),
                                   directive))


class _Placeholder(unittest.TestCase):
    """Stands for a module-level failure (import error, setUpModule)."""


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


def main(argv):
    verbose = "-v" in argv
    patterns = [a for a in argv if a != "-v"]
    sys.path.insert(0, PKG)
    sys.path.insert(0, HERE)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [PKG] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                 if p])
    lib = os.path.join(TOP, "userlib", "libgcheap.so.1")
    if "GCHEAP_LIBRARY" not in os.environ and os.path.exists(lib):
        os.environ["GCHEAP_LIBRARY"] = lib
    print("TAP version 13")
    if not os.path.exists("/dev/gcheap"):
        print("1..0 # SKIP /dev/gcheap missing (is gcheap.ko loaded?)")
        return KSFT_SKIP
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py",
                                                top_level_dir=HERE)
    tests = list(flatten(suite))
    if patterns:
        tests = [t for t in tests if any(p in t.id() for p in patterns)]
    suite = unittest.TestSuite(tests)
    print("1..%d" % suite.countTestCases())
    sys.stdout.flush()
    result = KtapResult(sys.stdout, verbose)
    t0 = time.monotonic()
    suite.run(result)
    # A failure outside any test (setUpModule, setUpClass) leaves the tests
    # it stopped without a line: they get one here, as the plan says.
    stray = [(t, e) for t, e in result.errors
             if not isinstance(t, unittest.TestCase)]
    skipped = [(t, r) for t, r in result.skipped
               if not isinstance(t, unittest.TestCase)]
    for t, e in stray:
        for line in e.rstrip("\n").splitlines():
            print("# " + line)
    for t in tests:
        if t.id() in result.reported:
            continue
        result.n += 1
        if stray:
            result.failed_tests += 1
            print("not ok %d %s" % (result.n, t.id()))
        else:
            reason = skipped[0][1] if skipped else "not run"
            print("ok %d %s # SKIP %s" % (result.n, t.id(), reason))
    print("# %d tests in %.1f s: %d failed, %d skipped" % (
        result.n, time.monotonic() - t0, result.failed_tests,
        len(result.skipped)))
    return 1 if result.failed_tests or stray else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:
        traceback.print_exc(file=sys.stdout)
        sys.exit(1)
