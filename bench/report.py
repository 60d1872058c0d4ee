# SPDX-License-Identifier: GPL-2.0
"""Summarize `make bench`'s raw lines ("round name value unit") into the
table of ratios: each workload against its anchor from the same guest and
the same round (measured minutes apart, not a whole run apart; a row of
per-op costs against the bare ioctl measured in slices between its own
slices, "<row>.bare"), the median of those per-round ratios with their
range, each target checked against the median.  The value and anchor
columns are medians over rounds."""
import statistics
import sys
from collections import defaultdict

vals = defaultdict(list)
by_round = defaultdict(dict)
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 4 and parts[0].isdigit():
        try:
            vals[parts[1]].append(float(parts[2]))
            by_round[int(parts[0])][parts[1]] = float(parts[2])
        except ValueError:
            pass
med = {k: statistics.median(v) for k, v in vals.items()}
rounds = max((len(v) for v in vals.values()), default=0)
rows = []


def get(name):
    return med.get(name)


def row(workload, value, anchor, ratio, target, ok, spread=""):
    mark = "—" if ok is None else ("met" if ok else "MISSED")
    rows.append((workload, value, anchor, ratio, spread, target, mark))


def paired(name, anchor_name):
    """Per-round ratios of name to anchor_name, where a round has both."""
    return [r[name] / r[anchor_name] for r in by_round.values()
            if name in r and anchor_name in r and r[anchor_name]]


def ratio_row(workload, name, anchor_name, limit, unit="ns/op", higher=False):
    if get(f"{name}.bare") is not None and anchor_name == "bare_ioctl":
        anchor_name = f"{name}.bare"	# measured beside the row (gchbench)
    v, a = get(name), get(anchor_name)
    if v is None or a is None:
        row(workload, "n/a", anchor_name, "n/a", limit and f"{'≥' if higher else '≤'} {limit}", False)
        return
    per = paired(name, anchor_name)
    r = statistics.median(per) if per else v / a
    spread = f"{min(per):.2f}–{max(per):.2f}" if len(per) > 1 else ""
    ok = None if limit is None else (r >= limit if higher else r <= limit)
    tgt = "" if limit is None else f"{'≥' if higher else '≤'} {limit}×"
    shown = "bare_ioctl beside it" if anchor_name.endswith(".bare") else anchor_name
    row(workload, f"{v:.1f} {unit}", f"{shown} {a:.1f}", f"{r:.3f}", tgt, ok,
        spread)


bare = "bare_ioctl"
ratio_row("getppid", "getppid", bare, None)
for cls in ("refcount", "slot", "alloc"):
    ratio_row(f"single {cls} op", f"single_{cls}", bare, 1.5)
for n in (1, 8, 32, 256, 4096):
    ratio_row(f"io_uring NOP, batch {n}", f"uring_nop_batch{n}", bare, None)
    for cls in ("refcount", "slot", "alloc"):
        limit = 0.15 if n >= 256 else None
        ratio_row(f"batch {n}, {cls}", f"batch{n}_{cls}", bare, limit)
ratio_row("binary-trees vs CPython", "bt_gcheap", "bt_python", 0.75, "s")
ratio_row("binary-trees vs malloc", "bt_gcheap", "bt_malloc", 4.0, "s")
for case in ("dead", "live"):
    ratio_row(f"full collection, 10^6 {case}", f"collect_{case}_1000000",
              f"py_collect_{case}_1000000", 0.5, "ns/obj")
def per_object(src, case, n):
    """Collection time per object at n, an empty heap's subtracted: the
    medians of gchbench's repeated collections where it reports them."""
    med = src.get(f"collect_{case}_med_{n}") is not None
    t = src.get(f"collect_{case}_med_{n}" if med else f"collect_{case}_{n}")
    e = src.get(f"collect_empty_med_{n}" if med else f"collect_empty_{n}")
    return None if t is None or e is None else (t * n - e) / n


for case in ("dead", "live"):
    per = {n: per_object(med, case, n) for n in (10000, 100000, 1000000)}
    per = {n: v for n, v in per.items() if v is not None}
    rs = [per_object(r, case, 1000000) / per_object(r, case, 100000)
          for r in by_round.values()
          if per_object(r, case, 1000000) and per_object(r, case, 100000)]
    if rs:
        r = statistics.median(rs)
        row(f"scaling, {case}: 10^4 / 10^5 / 10^6",
            " / ".join(f"{per[n]:.1f}" for n in sorted(per)) + " ns/obj",
            "10^5", f"{r:.3f}", "≤ 1.3×", r <= 1.3,
            f"{min(rs):.2f}–{max(rs):.2f}" if len(rs) > 1 else "")
ratio_row("young pause, 10^6 vs 10^4 old", "young_pause_1000000",
          "young_pause_10000", 1.5, "ns")
ratio_row("stall during a full collection of 10^6 live objects "
          "(longest incref/decref wait on another thread vs the collection)",
          "stall_wait_1000000", "stall_collect_1000000", 0.05, "ns")
ratio_row("two heaps, two threads", "heaps_2threads", "heaps_1thread", 1.7,
          "Mops/s", higher=True)
ratio_row("control: getppid, two threads (what two threads making system "
          "calls gain in this guest)", "getppid_2threads", "getppid_1thread",
          None, "Mops/s")
m, s, p = get("mem_memcg_bytes_per_obj"), get("mem_slab_bytes_per_obj"), get("py_bytes_per_object")
if m is not None:
    row("bytes per object (2 slots, 16 B)", f"{m:.1f} memcg, {s:.1f} slab pages",
        f"CPython {p:.1f}" if p else "n/a", f"{m / p:.3f}" if p else "n/a",
        "≤ 64 B", m <= 64, f"{min(vals['mem_memcg_bytes_per_obj']):.1f}–"
        f"{max(vals['mem_memcg_bytes_per_obj']):.1f} B")
c = get("mem_chain_memcg_bytes_per_obj")
if c is not None:
    row("bytes per object, a 200,000-object chain held by slot 0 "
        "(everything the heap grew)", f"{c:.1f} memcg",
        f"CPython {p:.1f}" if p else "n/a", f"{c / p:.3f}" if p else "n/a",
        "≤ 64 B", c <= 64, f"{min(vals['mem_chain_memcg_bytes_per_obj']):.1f}–"
        f"{max(vals['mem_chain_memcg_bytes_per_obj']):.1f} B")
ratio_row("many small cycles (10^6 objects as 2-cycles, built in batches "
          "and dropped) vs CPython", "cycles_gcheap_1000000",
          "py_cycles_1000000", None, "ns/obj")
ratio_row("many small cycles vs malloc+free", "cycles_gcheap_1000000",
          "cycles_malloc", None, "ns/obj")
ok = get("bt_output_matches")
row("binary-trees output identical", "yes" if ok == 1 else "NO", "malloc, CPython",
    "", "exact", ok == 1)

print(f"{rounds} rounds; ratio: median of the per-round ratios (range beside it)")
print()
print("| workload | gcheap | anchor | ratio | range | target | |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(str(x) for x in r) + " |")
