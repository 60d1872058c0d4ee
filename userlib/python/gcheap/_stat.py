# SPDX-License-Identifier: MIT
"""`python3 -m gcheap stat` (what gcheapstat prints) and `top`.

Both read /sys/kernel/debug/gcheap (or $GCHEAP_DEBUGFS), as gcheapstat
does: root only.
"""
import errno
import getopt
import os
import re
import sys
import time

DEFAULT_ROOT = "/sys/kernel/debug/gcheap"

STAT_USAGE = ("usage: gcheapstat [-H heap] [interval [count]]\n"
              "       gcheapstat --tags -H heap [-n N]\n"
              "       gcheapstat --dot -H heap\n")
TOP_USAGE = "usage: python3 -m gcheap top [-H heap] [-n N]\n"


class _Exit(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


def debugfs_root():
    return os.environ.get("GCHEAP_DEBUGFS") or DEFAULT_ROOT


def _open(root, heap, name, prog="gcheapstat"):
    """A debugfs file, or gcheapstat's explanation and exit status 1."""
    path = "%s/%s/%s" % (root, heap, name) if heap else "%s/%s" % (root, name)
    try:
        return open(path, "r", errors="replace")
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EPERM):
            msg = ("%s: not readable (debugfs is root's: run as root)"
                   % path)
        elif not os.path.exists(root):
            msg = ("%s: not found (is debugfs mounted, is gcheap.ko loaded?)"
                   % root)
        elif heap:
            msg = "heap %s does not exist" % heap
        else:
            msg = "%s: %s" % (path, os.strerror(e.errno))
        sys.stderr.write("%s: %s\n" % (prog, msg))
        raise _Exit(1)


_INT = re.compile(r"\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_FLOAT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _strtol(s):
    m = _INT.match(s)
    if not m:
        return 0
    return int(m.group(1) + m.group(2), 0 if m.group(2)[:2].lower() == "0x"
               else 8 if m.group(2).startswith("0") else 10)


def _strtod(s):
    m = _FLOAT.match(s)
    return float(m.group(0)) if m else 0.0


def read_kv(root, heap, prog="gcheapstat"):
    """A stats file's numeric `key value` lines, as a dict."""
    kv = {}
    with _open(root, heap, "stats", prog) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and re.fullmatch(r"\d+", parts[1]):
                kv.setdefault(parts[0], int(parts[1]))
    return kv


def read_info(root, heap, prog="gcheapstat"):
    """Every `key value` line of a heap's stats file (values as strings)."""
    info = {}
    with _open(root, heap, "stats", prog) as f:
        for line in f:
            parts = line.split(None, 1)
            if len(parts) == 2:
                info[parts[0]] = parts[1].strip()
    return info


def _get(kv, key):
    return kv.get(key, -1)


def _sums(kv, per_heap):
    if not per_heap:
        return _get(kv, "collections"), _get(kv, "collected")
    c = f = 0
    for g in range(3):
        c += _get(kv, "gen%d_collections" % g)
        f += _get(kv, "gen%d_collected" % g)
    return c, f


def _line(kv, prev, per_heap, secs):
    s = "%10d %12d" % (_get(kv, "objects"), _get(kv, "bytes"))
    for g in range(3):
        if per_heap:
            s += " %6d" % _get(kv, "gen%d_count" % g)
        else:
            s += " %6s" % "-"
    c, f = _sums(kv, per_heap)
    if prev is not None and secs > 0:
        pc, pf = _sums(prev, per_heap)
        s += " %8.1f %10.1f" % ((c - pc) / secs, (f - pf) / secs)
    else:
        s += " %8s %10s" % ("-", "-")
    s += " %10.1f" % (_get(kv, "pause_ns_max") / 1000.0)
    return s


def _cat(root, heap, name, lines, out):
    with _open(root, heap, name) as f:
        for n, line in enumerate(f):
            if lines >= 0 and n > lines:
                break
            out.write(line)
    return 0


def _watch(root, heap, interval, count, out):
    cur = read_kv(root, heap)
    out.write("%10s %12s %6s %6s %6s %8s %10s %10s\n" % (
        "objects", "bytes", "gen0", "gen1", "gen2", "colls/s",
        "collected/s", "maxpause_us"))
    out.write(_line(cur, None, heap is not None, 0) + "\n")
    out.flush()
    i = 1
    while count < 0 or i < count:
        time.sleep(interval)
        prev, cur = cur, read_kv(root, heap)
        out.write(_line(cur, prev, heap is not None, interval) + "\n")
        out.flush()
        i += 1
    return 0


def stat_main(argv, out=None):
    """gcheapstat, option for option and byte for byte; the exit status."""
    out = out if out is not None else sys.stdout
    try:
        return _stat(argv, out)
    except _Exit as e:
        return e.status


def _usage(text):
    sys.stderr.write(text)
    raise _Exit(2)


def _stat(argv, out):
    root = debugfs_root()
    try:
        opts, args = getopt.gnu_getopt(argv, "H:n:h",
                                       ["heap=", "tags", "dot", "top=", "help"])
    except getopt.GetoptError as e:
        sys.stderr.write("gcheapstat: %s\n" % e)
        _usage(STAT_USAGE)
    heap, mode, top, count, interval = None, None, 20, -1, 0.0
    for o, a in opts:
        if o in ("-H", "--heap"):
            heap = a
        elif o in ("--tags", "--dot"):
            mode = o
        elif o in ("-n", "--top"):
            top = _strtol(a)
        else:
            _usage(STAT_USAGE)
    if mode and not heap:
        _usage(STAT_USAGE)
    if mode == "--tags":
        return _cat(root, heap, "tags", top, out)
    if mode == "--dot":
        return _cat(root, heap, "graph.dot", -1, out)
    if args:
        interval = _strtod(args.pop(0))
    if args:
        count = _strtol(args.pop(0))
    if args or interval < 0:
        _usage(STAT_USAGE)
    if interval == 0:
        count = 1
    return _watch(root, heap, interval, count, out)


# ---- top: tracemalloc-style allocation sites ----

def format_size(size):
    """tracemalloc's size format: 16 B, 1234 B, 16.0 KiB, 123 KiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 100 and unit != "B":
            return "%.1f %s" % (size, unit)
        if abs(size) < 10 * 1024 or unit == "TiB":
            return "%.0f %s" % (size, unit)
        size /= 1024


def _site_line(name):
    """The source line of a "file:line" site name, if there is one."""
    m = re.fullmatch(r"(.+):(\d+)", name or "")
    if not m:
        return None
    import linecache
    line = linecache.getline(m.group(1), int(m.group(2))).strip()
    return line or None


def format_top(stats, limit=10, names=False, title=None):
    """Lines for the top LIMIT tag records (TagStat or tuples of tag,
    live_objects, live_bytes, allocations[, name]) with live objects,
    largest live bytes first, as tracemalloc's display_top prints them."""
    # Sites with live objects only, as a tracemalloc snapshot has them.
    stats = sorted((s for s in stats if s[1]), key=lambda s: (-s[2], s[0]))
    lines = ["[ %s ]" % (title or "Top %d allocation sites" % limit)]
    for i, s in enumerate(stats[:limit], 1):
        tag, objs, nbytes, allocs = s[:4]
        name = s[4] if names and len(s) > 4 and s[4] else None
        site = name if name else "tag %d" % tag
        avg = nbytes / objs if objs else 0
        lines.append("#%d: %s: size=%s, count=%d, average=%s, allocations=%d"
                     % (i, site, format_size(nbytes), objs, format_size(avg),
                        allocs))
        src = _site_line(name) if name else None
        if src:
            lines.append("    " + src)
    rest = stats[limit:]
    if rest:
        lines.append("%d other: size=%s, count=%d" % (
            len(rest), format_size(sum(s[2] for s in rest)),
            sum(s[1] for s in rest)))
    if not stats:
        lines.append("no live tagged objects (Heap.new(tag=...), "
                     "Heap(track_sites=True), gch_alloc_ex's tag)")
    else:
        lines.append("Total live size: %s in %d tagged objects" % (
            format_size(sum(s[2] for s in stats)), sum(s[1] for s in stats)))
    return lines


def read_tags(root, heap, prog):
    """A heap's tags file as (tag, live_objects, live_bytes, allocations)."""
    out = []
    with _open(root, heap, "tags", prog) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4 and all(p.isdigit() for p in parts):
                out.append(tuple(int(p) for p in parts))
    return out


def top_main(argv, out=None):
    """`python3 -m gcheap top [-H heap] [-n N]`: the exit status."""
    out = out if out is not None else sys.stdout
    prog = "gcheap top"
    root = debugfs_root()
    try:
        opts, args = getopt.gnu_getopt(argv, "H:n:h", ["heap=", "top=", "help"])
    except getopt.GetoptError as e:
        sys.stderr.write("%s: %s\n%s" % (prog, e, TOP_USAGE))
        return 2
    heap, limit = None, 10
    for o, a in opts:
        if o in ("-H", "--heap"):
            heap = a
        elif o in ("-n", "--top"):
            limit = _strtol(a)
        else:
            sys.stderr.write(TOP_USAGE)
            return 2
    if args:
        sys.stderr.write(TOP_USAGE)
        return 2
    try:
        if heap is not None:
            heaps = [heap]
        else:
            try:
                heaps = sorted((d for d in os.listdir(root) if d.isdigit()),
                               key=int)
            except OSError:
                _open(root, None, "stats", prog).close()    # explains, exits
                heaps = []
            if not heaps:
                out.write("no gcheap heaps\n")
                return 0
        first = True
        for h in heaps:
            info = read_info(root, h, prog)
            tags = read_tags(root, h, prog)
            if not first:
                out.write("\n")
            first = False
            title = "Top %d allocation sites of heap %s (pid %s, %s): %s objects, %s" % (
                limit, h, info.get("owner_pid", "?"),
                info.get("owner_comm", "?"), info.get("objects", "?"),
                format_size(int(info.get("bytes", "0") or 0)))
            for line in format_top(tags, limit, title=title):
                out.write(line + "\n")
        out.flush()
        return 0
    except _Exit as e:
        return e.status
