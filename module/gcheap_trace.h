/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcheap's tracepoints: gcheap:gc_start and gcheap:gc_end, one pair per
 * collection, for tracefs, perf and bpftrace.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gcheap

#if !defined(GCHEAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define GCHEAP_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(gc_start,
	    TP_PROTO(u32 heap, int generation, u64 objects),
	    TP_ARGS(heap, generation, objects),
	    TP_STRUCT__entry(__field(u32, heap)
			     __field(int, generation)
			     __field(u64, objects)),
	    TP_fast_assign(__entry->heap = heap;
			   __entry->generation = generation;
			   __entry->objects = objects;),
	    TP_printk("heap=%u generation=%d objects=%llu", __entry->heap,
		      __entry->generation, __entry->objects)
);

TRACE_EVENT(gc_end,
	    TP_PROTO(u32 heap, int generation, u64 collected,
		     u64 uncollectable, u64 pause_ns),
	    TP_ARGS(heap, generation, collected, uncollectable, pause_ns),
	    TP_STRUCT__entry(__field(u32, heap)
			     __field(int, generation)
			     __field(u64, collected)
			     __field(u64, uncollectable)
			     __field(u64, pause_ns)),
	    TP_fast_assign(__entry->heap = heap;
			   __entry->generation = generation;
			   __entry->collected = collected;
			   __entry->uncollectable = uncollectable;
			   __entry->pause_ns = pause_ns;),
	    TP_printk("heap=%u generation=%d collected=%llu uncollectable=%llu pause_ns=%llu",
		      __entry->heap, __entry->generation, __entry->collected,
		      __entry->uncollectable, __entry->pause_ns)
);

#endif /* GCHEAP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE gcheap_trace
#include <trace/define_trace.h>
