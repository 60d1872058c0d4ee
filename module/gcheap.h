/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcheap internals shared by the module's files and its KUnit suites.
 *
 * A heap is a handle table of refs, objects in chunks of its own and in
 * gcheap's slab caches, and generation lists threaded through the objects
 * by handle index.  This header holds, in order: the locking rules and the
 * project's terms (the one place they are written down), the types, each
 * file's functions, and the inline helpers of the hot paths.
 *
 * Files: main.c (module, device, parameters), slab.c (size classes, each
 * heap's chunks of cells, freeing after unlock), table.c (handle table,
 * index-linked lists), object.c (publish, the allocation ops, release,
 * reap), heap.c (heap create/destroy, registry, limits), ops.c (the other
 * object operations shared by ioctls and batches), ioctl.c, batch.c, gc.c
 * (the collector), weak.c
 * (weak references, finalizers), events.c (read(2), poll(2)), tags.c,
 * inspect.c (GCHEAP_IOC_LIST), debugfs.c, verify.c.
 *
 * Locking
 * -------
 *
 * Order, outermost first (a lock is only ever taken with those above it):
 *
 *   1. gch_heap.read_lock   (mutex, one per heap)
 *   2. gch_heap.lock        (mutex, one per heap)
 *   3. gch_user.lock        (spinlock, one per user with heaps open)
 *   4. gch_heaps_lock       (mutex, heap.c) -- never with a heap's lock held
 *                            around it, nor a heap's lock taken under it
 *
 * and beneath them only the kernel's own internal locks (the slab's, the
 * xarrays', the workqueue's, debugfs's, the event wait queue's).
 *
 * gch_heaps_lock protects the registry of live heaps (gch_heap_idr), the
 * open heaps per user (gch_user_heaps) and the totals of closed heaps
 * (gch_retired in debugfs.c).  The global statistics sum the live heaps'
 * counters under it without taking any heap's lock: gch_totals_add() reads
 * each counter with READ_ONCE(), a word at a time, so a heap busy with a
 * long collection never holds up opens, closes or the stats file.
 *
 * gch_heap.lock protects everything of its heap that this header marks
 * (L): the handle table, every object's header, slots and payload, every
 * weakref, the generation and scratch lists, the chunks, the event
 * queue, the tag records, counters, limits and statistics.  It is a mutex
 * so that long walks (releasing a chain of a million objects, a
 * collection) may reschedule, which they do by the work they did
 * (gch_resched()).  It is never held across a copy to or from user space:
 * callers copy into kernel buffers first, or fault pages in beforehand.
 * Memory released under it is freed after it is dropped (struct gch_reap,
 * gch_heap_unlock()).  Functions documented "@h: the heap, locked" assert
 * it with lockdep_assert_held().  Different heaps share no lock on any
 * object path.
 *
 * gch_heap.read_lock makes read(2)s of one heap take turns; it is held
 * across the copy to the reader, without h->lock (events.c).
 *
 * gch_user.lock protects how many automatic passes a user's heaps run and
 * which of its heaps wait for a turn (collect.c); a heap's work item takes
 * it under the heap's lock, the heap's release without.
 *
 * Lockless, on purpose:
 *
 *   - h->nevents is written under h->lock with WRITE_ONCE() and read
 *     without it (READ_ONCE()) by poll(2) and a reader waiting for events.
 *   - The counters the global statistics sum (nobjects, bytes, mem,
 *     allocated, freed, nweak, each generation's stats, pause_ns_max) are
 *     written under h->lock and read with READ_ONCE() under gch_heaps_lock
 *     only.
 *   - h->batch_buf, the last batch's op buffer, is taken and given back
 *     with xchg(), outside h->lock: whoever takes it owns it.
 *   - Module parameters (main.c, debugfs.c) may change at any time through
 *     sysfs: every read of one is a READ_ONCE(), and a heap copies its
 *     defaults at creation (gch_heap_config()).
 *   - The slab caches' live counts (slab.c) are per-CPU counters.
 *   - h->lock_waiters counts the calls waiting for h->lock (an atomic_t,
 *     gch_heap_lock()); a collection between slices reads it to let them
 *     in first.
 *   - Fields documented "set at creation" never change afterwards.
 *
 * Lifetimes: gcheap's workqueue (gc.c) is created at module load and
 * destroyed at unload, after every heap is gone; a heap's work item is
 * cancelled (cancel_work_sync()) before the heap is freed, and the work
 * item takes only its own heap's lock.  A heap's debugfs directory is
 * removed, waiting for its readers, before anything of the heap is freed.
 * A heap lives exactly as long as its file: it is created by open(2) and
 * destroyed at the file's last close, when no ioctl, read or poll can run.
 *
 * Terms
 * -----
 *
 * ref        what the program holds: heap id | sequence | handle index,
 *            never an address (gch_ref_make()).
 * handle     an entry of the heap's handle table, naming an object, a
 *            weakref, or the next free entry.
 * plain      an object with no ext record (no flag, tag or cookie) whose
 *            data fits inline: it is a cell of one of its heap's chunks
 *            (gch_cache_take()), every other object a slab object of its
 *            own (gch_obj_alloc()).
 * published  given a handle and counted in the heap (gch_obj_publish()):
 *            from then on refs name it; before, it is only memory.
 * tracked    in a generation list, so the collector sees it: objects of
 *            which a slot has named an object that may be tracked
 *            (gch_track_for()).  Until then an object cannot be in a
 *            cycle; slotless ones never are tracked.
 * sealed     an object whose slots can no longer be set (GCH_ALLOC_SEALED,
 *            GCHEAP_IOC_SEAL), as a CPython tuple's items are not: sealed
 *            and untracked, it never is tracked, so naming it does not
 *            track the object that names it (gch_may_be_tracked()).
 * urefs      the references the program holds, a part of refcnt; the
 *            heap's own (slots, queued events, the garbage list) are the
 *            rest, and the program cannot drop them.
 * release    what happens when a count reaches zero: the object and what
 *            it alone kept alive leave the heap (object.c).
 * reap       a released object's memory, gathered under the lock in a
 *            struct gch_reap and freed after it (gch_reap_free()).
 * special    an object the collector must not simply free: finalizable and
 *            not yet finalized (it gets a FINALIZE event instead), or with
 *            NOTIFY weakrefs (gc.c).
 * permanent  the frozen generation (GCH_GEN_PERMANENT), never collected.
 */
#ifndef GCHEAP_MODULE_GCHEAP_H
#define GCHEAP_MODULE_GCHEAP_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/xarray.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/gcheap.h>

#include "compat.h"

/* ---- constants ---- */

/*
 * A ref is heap id (16 bits) | sequence (24 bits) | handle index (24 bits).
 * Index 0 is never used, so no ref has index 0; a heap id is never 0, so no
 * ref is 0 and none has the form of GCH_RESULT().  The sequence of a table
 * entry advances each time the entry is reused and starts at a random value
 * per heap; an entry whose sequence would come back to its start is retired,
 * so a heap never hands out the same ref twice.  Sequences are 23 bits
 * (the object keeps its sealed bit beside them): the ref's top sequence bit
 * is always 0, and a ref with it set names nothing.
 */
#define GCH_IDX_BITS		24
#define GCH_SEQ_BITS		23
#define GCH_REF_SEQ_BITS	24
#define GCH_IDX_MASK		((1U << GCH_IDX_BITS) - 1)
#define GCH_SEQ_MASK		((1U << GCH_SEQ_BITS) - 1)
#define GCH_REF_SEQ_MASK	((1U << GCH_REF_SEQ_BITS) - 1)
#define GCH_REF_SEQ_SHIFT	GCH_IDX_BITS
#define GCH_REF_HEAP_SHIFT	(GCH_IDX_BITS + GCH_REF_SEQ_BITS)
#define GCH_HEAP_ID_MAX		0xffff

/* List heads live above the last table index: a link names them too. */
#define GCH_NHEADS		8
#define GCH_IDX_LIMIT		(GCH_IDX_MASK - GCH_NHEADS)	/* first head */
#define GCH_HEAD(n)		(GCH_IDX_LIMIT + (n))

/* Heads: the three generations, the permanent one, collector scratch. */
enum gch_list {
	GCH_L_GEN0, GCH_L_GEN1, GCH_L_GEN2, GCH_L_PERMANENT,
	GCH_L_UNREACHABLE, GCH_L_FINALIZERS, GCH_L_GARBAGE, GCH_L_COLLECT,
};

/* Work (objects + slots visited) a walk does between reschedules. */
#define GCH_RESCHED_WORK	4096

/*
 * Handle table entries: a pointer (bit 0 clear; bit 1 set for a struct
 * gch_weak) or a free entry, seq << 32 | next free index << 1 | 1.
 */
#define GCH_ENT_FREE		1ULL
#define GCH_ENT_WEAK		2ULL
#define GCH_ENT_SEQ_SHIFT	32

/* struct gch_obj.flags */
#define GCH_OF_FINALIZE		BIT(0)	/* allocated with GCH_ALLOC_FINALIZE */
#define GCH_OF_FINALIZED	BIT(1)
#define GCH_OF_EXT		BIT(2)	/* struct gch_obj_ext follows the header */
#define GCH_OF_WEAKREFS		BIT(3)	/* weakrefs point at it (heap->weak) */
#define GCH_OF_COLLECTING	BIT(4)	/* in the set being collected */
#define GCH_OF_UNREACHABLE	BIT(5)	/* tentatively unreachable */

/*
 * Everything a heap allocates is charged to its user's memory cgroup, and
 * fails (-ENOMEM) rather than invoking the OOM killer when the machine or
 * the cgroup is out of memory: heap growth is the program's to handle.
 */
#define GCH_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

/* Objects whose header, ext and data fit this go in one slab object. */
#define GCH_INLINE_MAX		256
/* Size classes of those slab objects, one cache each (slab.c). */
#define GCH_NCLASS		9
/* The smallest of them */
#define GCH_CLASS_MIN		40
/* Plain objects are cells carved from chunks of this size (slab.c) */
#define GCH_CHUNK_SIZE		4096U

/* ---- types ---- */

/**
 * struct gch_chunk - a block of one heap's plain objects, of one size class
 * @link: in its heap's chunks[@class] while it has a cell to give, else in
 *	  its full_chunks (L)
 * @reap_next: the chain of chunks to free after unlocking (struct gch_reap)
 * @free: offset of its last freed cell, 0 for none; a free cell's
 *	  gc_refs is the offset of the one freed before it (L)
 * @bump: offset of its first never used cell (L)
 * @avail: its cells not in use, freed or never used (L)
 * @cells: how many it holds (set when made)
 * @class: the size class of its cells (set when made)
 * @reserved: zero
 *
 * The header at the start of a chunk, GCH_CHUNK_SIZE aligned, so that a
 * cell finds its chunk by its address (gch_chunk_of()).  Chunks come from
 * their own slab cache, charged to the heap's memory cgroup a chunk at a
 * time, not an object at a time.
 */
struct gch_chunk {
	union {
		struct list_head link;
		struct gch_chunk *reap_next;
	};
	u32 free;
	u32 bump;
	u16 avail;
	u16 cells;
	u16 class;
	u16 reserved;
};

/**
 * struct gch_link - a doubly linked list node, by handle index
 * @next: the next node's index, or a head's (GCH_HEAD())
 * @nslots8: an object's slot count (struct gch_obj); a head's is unused
 * @prev: the previous node's
 * @size8: an object's payload size (struct gch_obj); a head's is unused
 *
 * An index takes 24 bits, so an object keeps two bytes of its own in the
 * link's top ones; a write to @next or @prev leaves them as they are.
 */
struct gch_link {
	u32 next : GCH_IDX_BITS;
	u32 nslots8 : 8;
	u32 prev : GCH_IDX_BITS;
	u32 size8 : 8;
};

/**
 * struct gch_obj - an object's header
 * @link: generation list (heap lock); its indices are zero while untracked
 *	  (gch_tracked()).  Its @link.nslots8 is the reference slots of an
 *	  inline object (at most 57 fit), or GCH_NSLOTS_OUTLINE: the count is
 *	  in its struct gch_outline; its @link.size8 the payload bytes of an
 *	  inline object, whose size is in the gch_outline otherwise
 *	  (gch_size()).
 * @refcnt: every reference: @urefs + slots naming it + a queued FINALIZE
 *	    event + the garbage list's (heap lock)
 * @urefs: the references the program holds, a part of @refcnt (heap lock)
 * @free_next: where @refcnt and @urefs were, once the object is dead: the
 *	       chain of objects being released (gch_free_next())
 * @gc_refs: the collector's scratch count (heap lock, during a collection)
 * @idx: own handle index
 * @gen: 0..2, or GCH_GEN_PERMANENT when frozen
 * @flags: GCH_OF_*
 * @seq: sequence part of the own ref
 * @sealed: its slots can no longer be set (heap lock)
 * @spare: zero
 *
 * After the header: the data (slots, each a handle index or 0, then
 * payload) when it fits inline, else, on the next 8-byte boundary, a
 * struct gch_outline naming the data allocated beside it; then, if
 * GCH_OF_EXT, a struct gch_obj_ext on the next 8-byte boundary
 * (gch_ext()).  So an inline object's slots are always right after its
 * header, where the collector's walks find them without looking at its
 * flags.  Read the slot count with gch_nslots(), the size with gch_size().
 * A plain object is a cell of one of its heap's chunks, 4-byte aligned;
 * any other a slab object, 8-byte aligned.
 *
 * The program can only drop references it holds (@urefs), so its mistakes
 * never reach the heap's own references: @refcnt always covers every slot
 * that names the object, and the collector's trial deletion holds for any
 * program.
 *
 * What each field costs, 28 bytes in all (a 2-slot object with 16 bytes of
 * payload is a 52-byte cell): the list link with the slot count and the
 * inline size 8 (handle indices of 24 bits, not pointers: less than half
 * of a list_head; an inline object's data is at most 228 bytes, so its
 * size fits a byte and only objects with data beside them need a full
 * one, in their gch_outline; both keep whole bytes, which the walks read
 * without masking); the three counts 4 each (@refcnt and @urefs must stay
 * full words: a count saturates at GCH_REF_MAX, not before; @gc_refs is
 * live only during a collection, but collections run in slices beside the
 * program, so it cannot borrow the link as CPython's does); @idx with
 * @gen and @flags 4; @seq with the sealed bit 4 (the sequence gives the
 * sealed bit its top one; 8 bits are spare).
 */
struct gch_obj {
	struct gch_link link;
	union {
		struct {
			u32 refcnt;
			u32 urefs;
		};
		u32 free_next[2];
	};
	u32 gc_refs;
	u32 idx : GCH_IDX_BITS;
	u32 gen : 2;
	u32 flags : 6;
	u32 seq : GCH_SEQ_BITS;
	u32 sealed : 1;
	u32 spare : 8;
};

/* Where a dead object's chain of objects being released goes on. */
static inline struct gch_obj *gch_free_next(const struct gch_obj *obj)
{
	struct gch_obj *next;

	memcpy(&next, obj->free_next, sizeof(next));
	return next;
}

static inline void gch_set_free_next(struct gch_obj *obj,
				     struct gch_obj *next)
{
	memcpy(obj->free_next, &next, sizeof(next));
}

/* Where what follows the header starts when it is not the inline data */
#define GCH_HDR_ALIGNED		ALIGN(sizeof(struct gch_obj), sizeof(u64))

/* Cells come in GCH_NCELL sizes, 4 bytes apart, from the header's own. */
#define GCH_NCELL	((GCH_INLINE_MAX - sizeof(struct gch_obj)) / 4 + 1)

/* struct gch_obj.link.nslots8 of an object whose data is not inline */
#define GCH_NSLOTS_OUTLINE	0xff

/**
 * struct gch_outline - where an object's data is when it does not fit
 * @data: its slots and payload, allocated beside the slab object
 * @nslots: its slot count
 * @size: its payload bytes
 */
struct gch_outline {
	void *data;
	u32 nslots;
	u32 size;
};

/*
 * Counts stop short of U32_MAX: what the program and slots take fails with
 * -EOVERFLOW at GCH_REF_MAX, which leaves room for the references the heap
 * takes on its own without failing, each at most once in an object's
 * life: its FINALIZE event's and the garbage list's.
 */
#define GCH_REF_MAX		(U32_MAX - 2)

/**
 * struct gch_evnode - one event, queued on its heap's event list
 * @link: in gch_heap.events while queued, else empty (heap lock)
 * @ev: what read(2) returns
 *
 * FINALIZE and WEAKREF events are embedded in what they report, allocated
 * with it, so that queueing them never fails; a queued one holds a
 * reference to its object or weakref, handed to the program by read(2).
 */
struct gch_evnode {
	struct list_head link;
	struct gcheap_event ev;
};

/**
 * struct gch_obj_ext - what only some objects carry
 * @cookie: echoed in the FINALIZE event
 * @tag: allocation site
 * @reserved: padding, zero
 * @fin: the FINALIZE event, for objects allocated with GCH_ALLOC_FINALIZE
 */
struct gch_obj_ext {
	u64 cookie;
	u32 tag;
	u32 reserved;
	struct gch_evnode *fin;
};

/**
 * struct gch_weak - a weak reference; its table entry has GCH_ENT_WEAK
 * @node: its WEAKREF event (GCH_WEAK_NOTIFY)
 * @siblings: the other weakrefs to the same object (circular)
 * @refcnt: @urefs + a queued event's
 * @urefs: the references the program holds
 * @target: the object's index, 0 once it died
 * @idx: own handle index
 * @seq: sequence part of the own ref
 * @flags: GCH_WEAK_*
 *
 * All fields under the heap lock.
 */
struct gch_weak {
	struct gch_evnode node;
	struct list_head siblings;
	u32 refcnt;
	u32 urefs;
	u32 target;
	u32 idx;
	u32 seq;
	u32 flags;
};

/* What a weakref costs its heap's byte limit: itself and its handle. */
#define GCH_WEAK_MEM	(sizeof(struct gch_weak) + sizeof(u64))

struct gch_batch_buf;

/*
 * A collection's gc_refs for an object the mutation barrier touched: a
 * root, whatever the count says.  Counts never reach it (GCH_REF_MAX).
 */
#define GCH_GC_ROOT		U32_MAX

/* Lock hold times of collections, GCH_PAUSE_BUCKETS log2 buckets (uapi). */
#define GCH_PAUSE_SHIFT		10

/* Where a heap's collection is (struct gch_pass.phase). */
enum gch_phase {
	GCH_PASS_IDLE,		/* none in progress */
	GCH_PASS_UPDATE,	/* gc_refs = refcnt, object by object */
	GCH_PASS_SUBTRACT,	/* less the references from inside the set */
	GCH_PASS_MOVE,		/* what roots reach survives */
	GCH_PASS_DECIDE,	/* weakrefs and finalizers, in one piece */
	GCH_PASS_FREE,		/* the garbage freed, object by object */
};

/**
 * struct gch_pass - a heap's collection, across the slices it runs in
 * @phase: enum gch_phase (L)
 * @gen: the generation collected (L)
 * @next_gen: where its survivors go: @gen + 1, at most GCH_NGEN - 1 (L)
 * @special: an unreachable object has weakrefs or a finalizer (L)
 * @cursor: index of the next object of the walked list, or its head (L)
 * @held_head: garbage handles freed by this pass, not yet reusable (L)
 * @held_tail: the last of them, 0 for none (L)
 * @started: passes started (L)
 * @done: passes finished (L)
 * @set: objects in the collected set (L)
 * @unreachable: objects in GCH_L_UNREACHABLE (L)
 * @survivors: objects found reachable (L)
 * @kept: unreachable objects a finalizer keeps (L)
 * @touched: objects the mutation barrier made roots (L)
 * @found: unreachable objects found, once decided (L)
 * @found_to: where the pass's end stores @found for the thread driving
 *	      it, which another may finish (gch_collect_for_room()); or NULL
 *	      (L)
 * @slices: slices run (L)
 * @hold_ns: the time the slices held the lock (L)
 * @hold_max_ns: the longest slice (L)
 * @t0: when the pass started, ktime ns (L)
 * @ns: how long the last pass took, start to end (L)
 * @mutations: the heap's mutations when it started (L)
 * @wait: threads waiting for the pass to end
 */
struct gch_pass {
	u8 phase;
	s8 gen;
	s8 next_gen;
	bool special;
	u32 cursor;
	u32 held_head;
	u32 held_tail;
	u64 started;
	u64 done;
	u64 set;
	u64 unreachable;
	u64 survivors;
	u64 kept;
	u64 touched;
	u64 found;
	u64 *found_to;
	u64 slices;
	u64 hold_ns;
	u64 hold_max_ns;
	u64 t0;
	u64 ns;
	u64 mutations;
	wait_queue_head_t wait;
};

/** struct gch_gen - one generation's collector state (heap lock) */
struct gch_gen {
	u32 count;
	u32 threshold;
	struct gcheap_gen_stats stats;
};

/**
 * struct gch_user - what the heaps of one user (uid in the initial
 * namespace) share: the cap on their number, and on the automatic passes
 * they run at once (gc_passes_per_user; collect.c)
 * @heaps: its open heaps (gch_heaps_lock)
 * @lock: protects @passes and @parked
 * @passes: automatic passes its heaps' work items are driving (@lock)
 * @parked: its heaps whose automatic collection waits for one of those
 *	    passes to end, by gch_heap.gc_parked, oldest first (@lock)
 */
struct gch_user {
	unsigned int heaps;
	spinlock_t lock;	/* see "Locking" above */
	unsigned int passes;
	struct list_head parked;
};

/**
 * struct gch_heap - one open of /dev/gcheap
 * @lock: the heap lock; everything below marked (L) is under it
 * @table: handle table (L): @table_len entries allocated, @table_used used
 * @table_len: see @table
 * @table_used: see @table; never below 1, as index 0 is never a ref
 * @free_idx: head of the free entry list, 0 for none (L)
 * @seq_base: first sequence number of every entry (set at creation)
 * @seq_last: the sequence before @seq_base: an entry that carried it is
 *	      retired (gch_handle_retire(); set at creation)
 * @heads: list heads for enum gch_list (L)
 * @gen: per generation count, threshold and statistics (L)
 * @max_objects: object limit, weakrefs included (L)
 * @max_bytes: limit of @mem (L)
 * @nobjects: live objects (L)
 * @bytes: live payload bytes (L)
 * @mem: kernel memory of the live objects and weakrefs, as gch_shape_mem()
 *	 and GCH_WEAK_MEM count it (L)
 * @allocated: objects allocated since creation (L)
 * @freed: objects freed since creation (L)
 * @weak_heads: object index to one of its weakrefs (L)
 * @nweak: live weakrefs (L)
 * @resv_objects: objects that running batches allocated outside the lock,
 *		  counted against the limits until published or freed (L)
 * @resv_mem: their memory, as gch_shape_mem() counts it (L)
 * @events: queued struct gch_evnode, oldest first (L)
 * @nevents: queued events (L; also read without it to poll and wait)
 * @ncollect_events: queued COLLECT events (L)
 * @event_wait: readers waiting for an event
 * @tags: allocation tag to its struct gch_tag (L)
 * @ntags: records in @tags (L)
 * @dbg: the heap's debugfs directory (set at creation)
 * @owner_pid: the opener's thread group id (set at creation)
 * @owner_comm: the opener's command name (set at creation)
 * @gc_work: the automatic collection, on gcheap's workqueue
 * @gc_enabled: automatic collections run (L)
 * @gc_queued: @gc_work is queued and has not yet taken the lock (L)
 * @gc_debug: GCH_DEBUG_* (L)
 * @event_mask: GCH_EV_* the heap queues (L)
 * @gc_pass: the pass @gc_work drives, as its gch_pass.started (L)
 * @gc_counted: that pass counts in @user's passes (L)
 * @gc_parked: in @user's parked heaps (@user's lock)
 * @gc_stopped: being freed: never parked again (@user's lock)
 * @nfrozen: objects in the permanent generation (L)
 * @long_lived_total: survivors of the last full collection (L)
 * @long_lived_pending: objects promoted to the oldest generation since (L)
 * @mutations: reference drops, for skipping useless runs: only a drop can
 *	       make garbage (L)
 * @full_mutations: @mutations at the last full collection (L)
 * @pause_ns_last: the last collection's lock hold time (L)
 * @pause_ns_max: the longest (L)
 * @pause_ns_total: all of them (L)
 * @pass: the collection in progress (L)
 * @pause_hist: lock hold times of slices, per generation collected (L)
 * @lock_waiters: calls waiting for @lock (atomic; gch_heap_lock())
 * @floating: objects the barrier kept alive over all passes (L)
 * @chunks: by size class, the chunks of plain objects with a cell to give,
 *	    the one to take from first (L)
 * @full_chunks: the chunks with none (L)
 * @nchunks: chunks on those lists (L)
 * @batch_buf: the last batch's op buffer, kept for the next (xchg())
 * @yields: times a walk rescheduled (L)
 * @read_lock: serializes read(2)s, taken before @lock (see events.c)
 * @uid: the opener's user, charged for the heap (set at creation)
 * @user: that user's struct gch_user (set at creation)
 * @id: the heap id: debugfs name, upper bits of every ref (set at creation)
 */
struct gch_heap {
	struct mutex lock;		/* see "Locking" above */
	u64 *table;
	u32 table_len;
	u32 table_used;
	u32 free_idx;
	u32 seq_base;
	u32 seq_last;
	struct gch_link heads[GCH_NHEADS];
	struct gch_gen gen[GCH_NGEN];
	u64 max_objects;
	u64 max_bytes;
	u64 nobjects;
	u64 bytes;
	u64 mem;
	u64 allocated;
	u64 freed;
	struct xarray weak_heads;
	u64 nweak;
	u64 resv_objects;
	u64 resv_mem;
	struct list_head events;
	u64 nevents;
	u32 ncollect_events;
	wait_queue_head_t event_wait;
	struct xarray tags;
	u32 ntags;
	struct dentry *dbg;
	pid_t owner_pid;
	char owner_comm[TASK_COMM_LEN];
	struct work_struct gc_work;
	bool gc_enabled;
	bool gc_queued;
	u32 gc_debug;
	u32 event_mask;
	u64 gc_pass;
	bool gc_counted;
	bool gc_stopped;
	struct list_head gc_parked;
	u64 nfrozen;
	u64 long_lived_total;
	u64 long_lived_pending;
	u64 mutations;
	u64 full_mutations;
	u64 pause_ns_last;
	u64 pause_ns_max;
	u64 pause_ns_total;
	struct gch_pass pass;
	u64 pause_hist[GCH_NGEN][GCH_PAUSE_BUCKETS];
	atomic_t lock_waiters;
	u64 floating;
	struct list_head chunks[GCH_NCELL];
	struct list_head full_chunks;
	u32 nchunks;
	struct gch_batch_buf *batch_buf;
	u64 yields;
	struct mutex read_lock;	/* see "Locking" above */
	kuid_t uid;
	struct gch_user *user;
	u32 id;
};

/**
 * struct gch_reap - released memory, to be freed once the lock is dropped
 * @head: objects not from a chunk, chained through gch_obj.free_next
 * @chunks: chunks emptied, chained through gch_chunk.reap_next
 */
struct gch_reap {
	struct gch_obj *head;
	struct gch_chunk *chunks;
};

/**
 * struct gch_iter - a walk over a list by handle index
 * @table: the heap's handle table; walks run under the heap lock and none
 *	   allocates a handle, so the table stays where it is
 * @head: the list's head index
 * @next: the index after the object last returned, saved before the caller
 *	  may move that object to another list
 *
 * for (obj = gch_iter_start(&it, h, l); obj; obj = gch_iter_next(&it))
 */
struct gch_iter {
	const u64 *table;
	u32 head;
	u32 next;
};

/* Totals over heaps, live and closed (debugfs.c). */
struct gch_totals {
	u64 heaps, objects, bytes, mem, allocated, freed, weakrefs;
	u64 collections, collected, uncollectable, pause_ns_max;
};

/* ---- each file's functions ---- */

/* main.c: module parameters */
extern unsigned int gch_threshold[GCH_NGEN];
extern unsigned int gch_max_objects;
extern unsigned long gch_max_bytes;
extern unsigned int gch_max_payload;
extern unsigned int gch_max_slots;
extern unsigned int gch_max_heaps_per_user;
extern unsigned int gch_slice_work;
extern unsigned int gch_gc_passes_per_user;

/* slab.c */
struct seq_file;
int gch_slab_init(void);
void gch_slab_exit(void);
void gch_slab_show(struct seq_file *m);
u64 gch_shape_mem(u32 nslots, u32 size, unsigned int flags);
extern const u16 gch_class_size[GCH_NCLASS];
extern u8 gch_class_by8[GCH_INLINE_MAX / 8 + 1];
struct gch_obj *gch_obj_alloc(const struct gcheap_alloc *a, gfp_t gfp);
void gch_obj_free(struct gch_obj *obj);
int gch_cache_refill(struct gch_heap *h, unsigned int c);
void gch_chunk_unlist(struct gch_heap *h, struct gch_chunk *ch);
void gch_chunk_full(struct gch_heap *h, struct gch_chunk *ch);
void gch_chunk_refile(struct gch_heap *h, struct gch_chunk *ch,
		      struct gch_reap *r);
u32 gch_chunks_free_cells(struct gch_heap *h, u64 *bytes);
void gch_cache_drain(struct gch_heap *h);
void gch_reap_free_list(struct gch_reap *r);

/* table.c */
s64 gch_handle_alloc_slow(struct gch_heap *h);
void gch_handle_unhold(struct gch_heap *h);
void gch_list_init(struct gch_heap *h, enum gch_list l);
bool gch_list_empty(const struct gch_heap *h, enum gch_list l);
u32 gch_list_first(const struct gch_heap *h, enum gch_list l);
void gch_list_splice_tail(struct gch_heap *h, enum gch_list from,
			  enum gch_list to);

/* object.c */
void gch_yield(struct gch_heap *h);
struct gch_obj *gch_lookup_collecting(struct gch_heap *h, struct gch_obj *obj);
void gch_track_new(struct gch_heap *h, struct gch_obj *obj);
int gch_obj_publish(struct gch_heap *h, struct gch_obj *obj);
int gch_cell_alloc(struct gch_heap *h, u32 nslots, u32 size,
		   struct gch_obj **out);
int gch_op_publish(struct gch_heap *h, struct gch_obj *obj,
		   struct gch_reap *r, u64 *ref);
void gch_obj_reap(struct gch_heap *h, struct gch_obj *obj,
		  struct gch_reap *r);
void gch_forget_special(struct gch_heap *h, struct gch_obj *obj);
/* the release of a chain on a page of its own, see gch_batch_run_locked() */
__section(".text.gch_hot.release") __aligned(PAGE_SIZE)
void gch_decref_zero(struct gch_heap *h, struct gch_obj *obj,
		     struct gch_reap *r);

/* heap.c */
struct gch_heap *gch_heap_create(void);
void gch_heap_destroy(struct gch_heap *h);
int gch_heap_config(struct gch_heap *h, const struct gcheap_config *cfg);
void gch_heaps_sum(struct gch_totals *t);
int gch_ioc_stats(struct gch_heap *h, void *arg);

/*
 * ops.c: each runs under the heap lock, shared by ioctls and batches (the
 * ones on every fast path are inline in ops.h; gch_op_publish() is in
 * object.c beside gch_obj_publish())
 */
int gch_op_get_slot(struct gch_heap *h, u64 ref, u32 slot, u64 *out);
int gch_op_seal(struct gch_heap *h, u64 ref);
int gch_op_payload(struct gch_heap *h, u64 ref, u32 off, u32 len, u8 **p);

/* ioctl.c */
struct file;
long gch_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
#ifdef CONFIG_COMPAT
long gch_compat_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
#else
#define gch_compat_ioctl	NULL
#endif

/* batch.c; the ioctl on a page of its own, see gch_batch_run_locked() */
__section(".text.gch_hot.batch") __aligned(PAGE_SIZE)
int gch_ioc_batch(struct gch_heap *h, void *arg);
void gch_batch_heap_free(struct gch_heap *h);

/* gc.c */
int gch_gc_init(void);
void gch_gc_exit(void);
void gch_gc_heap_init(struct gch_heap *h);
void gch_gc_heap_stop(struct gch_heap *h);
void gch_gc_queue(struct gch_heap *h);
void gch_pass_start(struct gch_heap *h, int generation);
bool gch_pass_step(struct gch_heap *h, long *budget, struct gch_reap *r);
void gch_pass_touched(struct gch_heap *h, struct gch_obj *obj);
u64 gch_pass_complete(struct gch_heap *h, struct gch_reap *r);
u64 gch_collect(struct gch_heap *h, int generation, struct gch_reap *r);

/* collect.c */
int gch_gc_init(void);
void gch_gc_exit(void);
void gch_gc_heap_init(struct gch_heap *h);
void gch_gc_heap_stop(struct gch_heap *h);
void gch_gc_queue(struct gch_heap *h);
int gch_collect_sliced(struct gch_heap *h, int generation, u64 *found);
int __must_check gch_lock_idle(struct gch_heap *h);
bool gch_collect_for_room(struct gch_heap *h, struct gch_reap *r);
void gch_freeze(struct gch_heap *h);
void gch_unfreeze(struct gch_heap *h);
void gch_gc_set(struct gch_heap *h, const struct gcheap_gc *gc);
void gch_gc_get(struct gch_heap *h, struct gcheap_gc *gc);
#if IS_ENABLED(CONFIG_KUNIT)
int gch_gc_pick(struct gch_heap *h);
bool gch_gc_slice(struct gch_heap *h, long budget, struct gch_reap *r);
#endif

/* weak.c */
struct gch_weak *gch_lookup_weak(struct gch_heap *h, u64 ref);
u64 gch_weak_ref_of(const struct gch_heap *h, const struct gch_weak *w);
int gch_weak_new(struct gch_heap *h, struct gch_obj *obj, u32 flags,
		 u64 cookie, u64 *wref);
int gch_weak_user_get(struct gch_heap *h, struct gch_weak *w);
int gch_weak_user_put(struct gch_heap *h, struct gch_weak *w);
void gch_weak_clear(struct gch_heap *h, struct gch_obj *obj);
bool gch_wants_finalize(const struct gch_heap *h, const struct gch_obj *obj);
void gch_finalize(struct gch_heap *h, struct gch_obj *obj);

/* events.c */
struct kiocb;
struct iov_iter;
struct poll_table_struct;
void gch_event_queue(struct gch_heap *h, struct gch_evnode *n);
void gch_event_unqueue(struct gch_heap *h, struct gch_evnode *n);
void gch_event_collect(struct gch_heap *h, int gen, u64 collected,
		       u64 uncollectable);
void gch_events_init(struct gch_heap *h);
void gch_events_drop(struct gch_heap *h);
ssize_t gch_read_iter(struct kiocb *iocb, struct iov_iter *to);
__poll_t gch_poll(struct file *file, struct poll_table_struct *wait);
int gch_ioc_events(struct gch_heap *h, void *arg);

/* tags.c */
int gch_tag_prepare(struct gch_heap *h, struct gch_obj *obj);
void gch_tag_account(struct gch_heap *h, struct gch_obj *obj, bool in);
void gch_tags_destroy(struct gch_heap *h);
int gch_tag_snapshot(struct gch_heap *h, struct gcheap_tag_stat **out,
		     u32 *n);
int gch_ioc_tag_stats(struct gch_heap *h, void *arg);

/* inspect.c */
int gch_ioc_list(struct gch_heap *h, void *arg);
void gch_undo_list(struct gch_heap *h, void *arg);

/* debugfs.c */
extern unsigned int gch_graph_max_nodes;
void gch_debugfs_init(void);
void gch_debugfs_exit(void);
void gch_debugfs_heap_add(struct gch_heap *h);
void gch_debugfs_heap_remove(struct gch_heap *h);
void gch_totals_add(struct gch_heap *h, struct gch_totals *t);
void gch_totals_retired(struct gch_totals *t);
void gch_retire_stats(struct gch_heap *h);

/* verify.c */
int gch_verify_show(struct seq_file *m, void *unused);

/* ---- inline helpers of the hot paths ---- */

/**
 * gch_heap_lock() - take the heap's lock for a call of the program
 * @h: the heap, unlocked
 *
 * A call that finds the lock taken counts itself in @lock_waiters while it
 * waits, so that a collection between two slices lets it in before going
 * on (collect.c): a mutex favours the thread that drops and takes it again.
 */
static inline void gch_heap_lock(struct gch_heap *h)
{
	if (mutex_trylock(&h->lock))
		return;
	atomic_inc(&h->lock_waiters);
	mutex_lock(&h->lock);
	atomic_dec(&h->lock_waiters);
}

/**
 * gch_reap_free() - free what a locked section released
 * @r: the released objects and chunks; emptied
 *
 * Called without the heap lock.  Inline: most sections release nothing.
 */
static inline void gch_reap_free(struct gch_reap *r)
{
	if (unlikely(r->head || r->chunks))
		gch_reap_free_list(r);
}

/**
 * gch_heap_unlock() - drop the heap lock, then free what was released
 * @h: the heap, locked
 * @r: what the locked section released
 *
 * The other half of mutex_lock(&h->lock) for every section that may
 * release objects: their memory goes back after the lock is dropped.
 */
static inline void gch_heap_unlock(struct gch_heap *h, struct gch_reap *r)
{
	lockdep_assert_held(&h->lock);
	mutex_unlock(&h->lock);
	gch_reap_free(r);
}

/**
 * gch_resched_due() - count a walk's work and say when to reschedule
 * @work: the walk's work since it last rescheduled
 * @add: what the step just done cost: one per object, one per slot
 *
 * Walks without the heap lock call cond_resched() when this says so; those
 * under it call gch_resched(), which also counts the heap's yields.
 *
 * Return: true once every GCH_RESCHED_WORK units of work.
 */
static inline bool gch_resched_due(unsigned long *work, unsigned long add)
{
	*work += add;
	if (*work < GCH_RESCHED_WORK)
		return false;
	*work = 0;
	return true;
}

/**
 * gch_resched() - reschedule a long walk by the work it did
 * @h: the heap, locked
 * @work: the walk's work since it last rescheduled
 * @add: what the step just done cost: one per object, one per slot
 *
 * An object with 65536 slots costs as much as 65536 objects without: walks
 * that count objects alone can go for seconds without rescheduling.  Inline:
 * the collector's walks call it once an object.
 */
static inline void gch_resched(struct gch_heap *h, unsigned long *work,
			       unsigned long add)
{
	lockdep_assert_held(&h->lock);
	if (gch_resched_due(work, add))
		gch_yield(h);
}

/* Bytes of data (slots, then payload) and of the ext record. */
static inline size_t gch_data_bytes(u32 nslots, u32 size)
{
	return (size_t)nslots * sizeof(u32) + size;
}

static inline size_t gch_ext_bytes(unsigned int flags)
{
	return flags & GCH_OF_EXT ? sizeof(struct gch_obj_ext) : 0;
}

/* Whether header, data and ext record (word aligned) fit a size class. */
static inline bool gch_is_inline(u32 nslots, u32 size, unsigned int flags)
{
	size_t end = sizeof(struct gch_obj) + gch_data_bytes(nslots, size);

	if (flags & GCH_OF_EXT)
		end = ALIGN(end, sizeof(u64));
	return end + gch_ext_bytes(flags) <= GCH_INLINE_MAX;
}

/**
 * gch_alloc_is_plain() - whether objects of a shape come from a heap's cache
 * @a: the shape, validated
 *
 * Return: true for no flags but GCH_ALLOC_SEALED, no tag or cookie, and
 * data that fits inline.
 */
static inline bool gch_alloc_is_plain(const struct gcheap_alloc *a)
{
	return !(a->flags & ~GCH_ALLOC_SEALED) && !a->tag && !a->cookie &&
	       gch_is_inline(a->nslots, a->size, 0);
}

/* The bytes of a plain object's cell: header and data, 4-byte aligned */
static inline u32 gch_cell_bytes(u32 nslots, u32 size)
{
	return ALIGN(sizeof(struct gch_obj) + gch_data_bytes(nslots, size),
		     sizeof(u32));
}

/* What a plain object costs its heap's byte limit: its cell and handle */
static inline u64 gch_cell_mem(u32 nslots, u32 size)
{
	return gch_cell_bytes(nslots, size) + sizeof(u64);
}

/*
 * Where an object's ext record goes: on the word after its inline data,
 * or after its gch_outline.
 */
static inline size_t gch_ext_offset(bool inl, u32 nslots, u32 size)
{
	size_t end = GCH_HDR_ALIGNED + sizeof(struct gch_outline);

	if (inl)
		end = sizeof(struct gch_obj) + gch_data_bytes(nslots, size);
	return ALIGN(end, sizeof(u64));
}

static inline unsigned int gch_cell_class(u32 bytes)
{
	return (bytes - sizeof(struct gch_obj)) / sizeof(u32);
}

static inline u32 gch_cell_size(unsigned int c)
{
	return sizeof(struct gch_obj) + c * sizeof(u32);
}

/* Whether an object's data is in its slab object. */
static inline bool gch_obj_is_inline(const struct gch_obj *obj)
{
	return obj->link.nslots8 != GCH_NSLOTS_OUTLINE;
}

/* What follows an object with data beside it: its gch_outline. */
static inline struct gch_outline *gch_outline(const struct gch_obj *obj)
{
	return (struct gch_outline *)((u8 *)obj + GCH_HDR_ALIGNED);
}

/* The start of the object's data: inline, or the block beside it. */
static inline void *gch_data(const struct gch_obj *obj)
{
	if (gch_obj_is_inline(obj))
		return (void *)(obj + 1);
	return gch_outline(obj)->data;
}

/**
 * gch_nslots() - an object's slot count
 * @obj: the object
 *
 * Return: its reference slots.
 */
static inline u32 gch_nslots(const struct gch_obj *obj)
{
	if (gch_obj_is_inline(obj))
		return obj->link.nslots8;
	return gch_outline(obj)->nslots;
}

/**
 * gch_size() - an object's payload size
 * @obj: the object
 *
 * Return: its payload bytes.
 */
static inline u32 gch_size(const struct gch_obj *obj)
{
	if (gch_obj_is_inline(obj))
		return obj->link.size8;
	return gch_outline(obj)->size;
}

/* No ext record, data inline: a cell of one of the heap's chunks. */
static inline bool gch_obj_is_plain(const struct gch_obj *obj)
{
	return !(obj->flags & GCH_OF_EXT) && gch_obj_is_inline(obj);
}

/**
 * gch_obj_mem() - gch_shape_mem() of a live object
 * @obj: the object
 *
 * A plain object's (no ext record, data inline) is its cell and handle:
 * the allocation and release paths' case.
 *
 * Return: bytes.
 */
static inline u64 gch_obj_mem(const struct gch_obj *obj)
{
	if (gch_obj_is_plain(obj))
		return gch_cell_mem(obj->link.nslots8, obj->link.size8);
	return gch_shape_mem(gch_nslots(obj), gch_size(obj), obj->flags);
}

/* The chunk a plain object's cell is in */
static inline struct gch_chunk *gch_chunk_of(const struct gch_obj *obj)
{
	return (struct gch_chunk *)((unsigned long)obj & ~(GCH_CHUNK_SIZE - 1UL));
}

/**
 * gch_cell_put() - give a plain object's cell back to its chunk
 * @h: the heap, locked
 * @obj: a plain object out of the heap, or never published
 * @r: where a chunk it empties goes, to be freed after unlocking
 *
 * A chunk that was full, or empties, is refiled (gch_chunk_refile()).
 */
static inline void gch_cell_put(struct gch_heap *h, struct gch_obj *obj,
				struct gch_reap *r)
{
	struct gch_chunk *ch = gch_chunk_of(obj);

	lockdep_assert_held(&h->lock);
	obj->gc_refs = ch->free;
	ch->free = (unsigned long)obj & (GCH_CHUNK_SIZE - 1);
	ch->avail++;
	/* it was full, or it is empty: a chunk has more than one cell */
	if (unlikely(ch->avail == 1 || ch->avail == ch->cells))
		gch_chunk_refile(h, ch, r);
}

/*
 * Clear a cell's data, @bytes a multiple of 4, a word at a time, two words
 * a turn: at these sizes memset()'s string instruction costs more than the
 * stores (and under emulation, such as QEMU's TCG, it runs a byte at a
 * time).  Cells are 4-byte aligned, so the 8-byte words may not be.  The
 * barrier keeps the compiler from turning the loop back into a memset()
 * call.
 */
static __always_inline void gch_zero_words(void *p, size_t bytes)
{
	static const u64 zero;
	size_t i;

	for (i = 0; i + 2 * sizeof(u64) <= bytes; i += 2 * sizeof(u64)) {
		memcpy(p + i, &zero, sizeof(zero));	/* one store */
		barrier();
		memcpy(p + i + sizeof(u64), &zero, sizeof(zero));
		barrier();
	}
	if (i + sizeof(u64) <= bytes) {
		memcpy(p + i, &zero, sizeof(zero));
		i += sizeof(u64);
	}
	if (i < bytes)
		*(u32 *)(p + i) = 0;
}

/*
 * A cell of class @csize, off the first chunk of its class with one to give
 * (its most recently freed cell, else its next never used one), its header
 * written whole and its data cleared: the slack past @csize stays unread.
 */
static __always_inline struct gch_obj *
gch_cell_take(struct gch_heap *h, u32 nslots, u32 size, u32 idx, u32 seq)
{
	u32 csize = gch_cell_bytes(nslots, size), off;
	unsigned int c = gch_cell_class(csize);
	struct gch_chunk *ch;
	struct gch_obj *obj;

	lockdep_assert_held(&h->lock);
	if (unlikely(list_empty(&h->chunks[c])) && gch_cache_refill(h, c))
		return NULL;
	ch = list_first_entry(&h->chunks[c], struct gch_chunk, link);
	off = ch->free;
	if (off) {
		ch->free = ((struct gch_obj *)((u8 *)ch + off))->gc_refs;
	} else {
		off = ch->bump;
		ch->bump += csize;
	}
	if (unlikely(!--ch->avail))
		gch_chunk_full(h, ch);
	obj = (void *)ch + off;
	*obj = (struct gch_obj){
		.link = { .nslots8 = nslots, .size8 = size },
		.refcnt = 1, .urefs = 1, .idx = idx, .seq = seq,
	};
	gch_zero_words(obj + 1, csize - sizeof(*obj));
	return obj;
}

/**
 * gch_cache_take() - a new plain object, from a cell of the heap's chunks
 * @h: the heap, locked
 * @nslots: slots, as validated
 * @size: payload bytes, for which gch_is_inline(@nslots, @size, 0) holds
 *
 * As gch_obj_alloc() makes other objects: one reference, zeroed slots and
 * payload, in no heap yet.  Give it back with gch_cell_put() if it is not
 * published.  (The allocation ops take a cell with its handle already in
 * it, in ops.h.)
 *
 * Return: the object, or NULL when the slab has no memory.
 */
static inline struct gch_obj *gch_cache_take(struct gch_heap *h, u32 nslots,
					     u32 size)
{
	lockdep_assert_held(&h->lock);
	return gch_cell_take(h, nslots, size, 0, 0);
}

/**
 * gch_slots() - an object's reference slots
 * @obj: the object
 *
 * Return: gch_nslots(@obj) handle indices, 0 for an empty slot.
 */
static inline u32 *gch_slots(struct gch_obj *obj)
{
	return gch_data(obj);
}

/**
 * gch_payload() - an object's payload
 * @obj: the object
 *
 * Return: gch_size(@obj) bytes.
 */
static inline u8 *gch_payload(struct gch_obj *obj)
{
	return (u8 *)gch_data(obj) + (size_t)gch_nslots(obj) * sizeof(u32);
}

/**
 * gch_ext() - an object's tag and cookie record
 * @obj: the object
 *
 * Return: the record, or NULL if the object has none (tag 0, cookie 0).
 */
static inline struct gch_obj_ext *gch_ext(struct gch_obj *obj)
{
	if (!(obj->flags & GCH_OF_EXT))
		return NULL;
	return (struct gch_obj_ext *)((u8 *)obj +
				      gch_ext_offset(gch_obj_is_inline(obj),
						     obj->link.nslots8,
						     obj->link.size8));
}

/**
 * gch_ref_make() - the ref of a handle
 * @h: its heap
 * @seq: the handle's sequence
 * @idx: the handle's index
 *
 * Return: the ref, as the program sees it.
 */
static inline u64 gch_ref_make(const struct gch_heap *h, u32 seq, u32 idx)
{
	return (u64)h->id << GCH_REF_HEAP_SHIFT |
	       (u64)seq << GCH_REF_SEQ_SHIFT | idx;
}

/* The parts of a ref: its heap id, its sequence, its handle index. */
static inline u32 gch_ref_heap(u64 ref)
{
	return ref >> GCH_REF_HEAP_SHIFT;
}

static inline u32 gch_ref_seq(u64 ref)
{
	return (ref >> GCH_REF_SEQ_SHIFT) & GCH_REF_SEQ_MASK;
}

static inline u32 gch_ref_idx(u64 ref)
{
	return ref & GCH_IDX_MASK;
}

/**
 * gch_ref_of() - the ref that names an object
 * @h: its heap
 * @obj: the object
 *
 * Return: the ref.
 */
static inline u64 gch_ref_of(const struct gch_heap *h,
			     const struct gch_obj *obj)
{
	return gch_ref_make(h, obj->seq, obj->idx);
}

/**
 * gch_ent_obj() - the object a handle table entry names
 * @ent: an entry the caller knows is an object's (GCH_ENT_FREE and
 *	 GCH_ENT_WEAK clear)
 *
 * Return: the object.
 */
static __always_inline struct gch_obj *gch_ent_obj(u64 ent)
{
	return (struct gch_obj *)(uintptr_t)ent;
}

/**
 * gch_at() - the object at a handle index held by a slot or list
 * @h: the heap, locked
 * @idx: an index known to name a live object
 *
 * Return: the object.
 */
static inline struct gch_obj *gch_at(struct gch_heap *h, u32 idx)
{
	lockdep_assert_held(&h->lock);
	return gch_ent_obj(h->table[idx]);
}

/**
 * gch_slot_ent() - the handle table entry a slot names, for a walk
 * @table: the heap's handle table (h->table)
 * @used: its used length (h->table_used)
 * @idx: a slot's content
 *
 * The caller tests the entry for GCH_ENT_FREE | GCH_ENT_WEAK: an object's
 * entry is its address, never 0, so a walk needs no NULL test on top.
 *
 * Return: the entry, or GCH_ENT_FREE for an empty slot or an index out of
 * the table.
 */
static inline u64 gch_slot_ent(const u64 *table, u32 used, u32 idx)
{
	/* idx in [1, used): one compare, as used >= 1 (index 0 is no ref) */
	return idx - 1 < used - 1 ? table[idx] : GCH_ENT_FREE;
}

/**
 * gch_slot_in() - gch_slot_obj() with the table and its length at hand
 * @table: the heap's handle table (h->table), for a walk that holds it
 * @used: its used length (h->table_used)
 * @idx: a slot's content
 *
 * Return: as gch_slot_obj().
 */
static inline struct gch_obj *gch_slot_in(const u64 *table, u32 used, u32 idx)
{
	u64 ent = gch_slot_ent(table, used, idx);

	if (ent & (GCH_ENT_FREE | GCH_ENT_WEAK))
		return NULL;
	return gch_ent_obj(ent);
}

/**
 * gch_slot_obj() - the object a slot names, checked
 * @h: the heap, locked
 * @idx: a slot's content
 *
 * A slot always names a live object: each slot holds a reference of the
 * heap's own, which the program cannot drop (gch_user_put() refuses to
 * drop more than the program holds).  The check is a second line of
 * defence only: should a bug ever break that invariant, the slot reads as
 * empty instead of leading into freed memory (debugfs verify reports it).
 *
 * Return: the object, or NULL for an empty slot or one naming no live
 * object.
 */
static inline struct gch_obj *gch_slot_obj(struct gch_heap *h, u32 idx)
{
	lockdep_assert_held(&h->lock);
	return gch_slot_in(h->table, h->table_used, idx);
}

/**
 * gch_ref_entry() - the handle table entry a ref's index names
 * @h: the heap, locked
 * @ref: any value from user space
 *
 * The caller checks the entry's kind and the ref's sequence.
 *
 * Return: the entry, or GCH_ENT_FREE when @ref is not of @h or its index
 * is out of the table.
 */
static inline u64 gch_ref_entry(struct gch_heap *h, u64 ref)
{
	/* longs: the clamp below needs no widening of its own */
	unsigned long idx = gch_ref_idx(ref), used = h->table_used;

	lockdep_assert_held(&h->lock);
	if (unlikely(gch_ref_heap(ref) != h->id || idx - 1 >= used - 1))
		return GCH_ENT_FREE;
	/* a program's index: no load past the table even speculatively */
	return h->table[array_index_nospec(idx, used)];
}

/**
 * gch_lookup() - the live object a ref names
 * @h: the heap, locked
 * @ref: any value from user space
 *
 * Return: the object, or NULL if @ref names no live object of @h (stale,
 * foreign, made up, or a weakref).
 */
static inline struct gch_obj *gch_lookup(struct gch_heap *h, u64 ref)
{
	u64 ent = gch_ref_entry(h, ref);
	struct gch_obj *obj;

	lockdep_assert_held(&h->lock);
	if (unlikely(ent & (GCH_ENT_FREE | GCH_ENT_WEAK)))
		return NULL;
	obj = gch_ent_obj(ent);
	if (unlikely(obj->seq != gch_ref_seq(ref)))
		return NULL;
	if (unlikely(obj->flags & GCH_OF_COLLECTING))
		return gch_lookup_collecting(h, obj);
	return obj;
}

/* A free handle table entry: its last sequence and the next free one. */
static inline u64 gch_ent_make_free(u32 seq, u32 next)
{
	return (u64)seq << GCH_ENT_SEQ_SHIFT | (u64)next << 1 | GCH_ENT_FREE;
}

static inline u32 gch_ent_next(u64 ent)
{
	return (ent >> 1) & GCH_IDX_MASK;
}

static inline u32 gch_ent_seq(u64 ent)
{
	return (ent >> GCH_ENT_SEQ_SHIFT) & GCH_SEQ_MASK;
}

/**
 * gch_handle_alloc() - take a free handle table entry
 * @h: the heap, locked
 * @idx: its index
 * @seq: the sequence the entry's next ref carries
 *
 * The caller stores its pointer in h->table[*idx].  An entry freed before
 * is reused here; a new one, growing the table, in table.c.
 *
 * Return: 0, -ENOMEM, or -EDQUOT when the table cannot grow any more.
 */
static inline int gch_handle_alloc(struct gch_heap *h, u32 *idx, u32 *seq)
{
	u64 ent;

	lockdep_assert_held(&h->lock);
	if (unlikely(!h->free_idx)) {
		s64 v = gch_handle_alloc_slow(h);

		if (v < 0)
			return v;
		*idx = (u32)v;
		*seq = v >> 32;
		return 0;
	}
	ent = h->table[h->free_idx];
	*idx = h->free_idx;
	*seq = (gch_ent_seq(ent) + 1) & GCH_SEQ_MASK;
	if (!*seq)
		*seq = 1;
	h->free_idx = gch_ent_next(ent);
	return 0;
}

/*
 * An entry whose sequence has gone full circle is retired, never reused:
 * it is marked so, and true returned.
 */
static inline bool gch_handle_retire(struct gch_heap *h, u32 idx, u32 seq)
{
	if (likely(seq != h->seq_last))
		return false;
	h->table[idx] = GCH_ENT_FREE;
	return true;
}

/**
 * gch_handle_free() - give a table entry back
 * @h: the heap, locked
 * @idx: the entry
 * @seq: the sequence of the ref it carried
 *
 * An entry whose sequence has gone full circle is retired, never reused.
 */
static inline void gch_handle_free(struct gch_heap *h, u32 idx, u32 seq)
{
	lockdep_assert_held(&h->lock);
	if (gch_handle_retire(h, idx, seq))
		return;
	h->table[idx] = gch_ent_make_free(seq, h->free_idx);
	h->free_idx = idx;
}

/**
 * gch_handle_hold() - free an entry, but not for reuse before the
 *		       collection running ends
 * @h: the heap, locked, collecting
 * @idx: the entry
 * @seq: the sequence of the ref it carried
 *
 * The entry reads as free at once (refs to it are stale, slots naming it
 * empty); gch_handle_unhold() makes the held entries reusable.
 */
static inline void gch_handle_hold(struct gch_heap *h, u32 idx, u32 seq)
{
	struct gch_pass *p = &h->pass;

	lockdep_assert_held(&h->lock);
	if (gch_handle_retire(h, idx, seq))
		return;
	h->table[idx] = gch_ent_make_free(seq, p->held_head);
	p->held_head = idx;
	if (!p->held_tail)
		p->held_tail = idx;
}

static inline struct gch_obj *gch_iter_next(struct gch_iter *it)
{
	struct gch_obj *obj;

	if (it->next == it->head)
		return NULL;
	obj = gch_ent_obj(it->table[it->next]);
	it->next = obj->link.next;
	return obj;
}

static inline struct gch_obj *gch_iter_start(struct gch_iter *it,
					     struct gch_heap *h,
					     enum gch_list l)
{
	it->table = h->table;
	it->head = GCH_HEAD(l);
	it->next = gch_list_first(h, l);
	return gch_iter_next(it);
}

/* A list's link: an object's, or a list head's (GCH_HEAD()). */
static inline struct gch_link *gch_link_at(struct gch_heap *h, u32 idx)
{
	if (idx >= GCH_IDX_LIMIT)
		return &h->heads[idx - GCH_IDX_LIMIT];
	return &gch_at(h, idx)->link;
}

/**
 * gch_list_add_tail() - append an object (in no list) to a list
 * @h: the heap, locked
 * @l: the list
 * @obj: the object
 */
static inline void gch_list_add_tail(struct gch_heap *h, enum gch_list l,
				     struct gch_obj *obj)
{
	struct gch_link *head = &h->heads[l];

	lockdep_assert_held(&h->lock);
	obj->link.prev = head->prev;
	obj->link.next = GCH_HEAD(l);
	gch_link_at(h, head->prev)->next = obj->idx;
	head->prev = obj->idx;
}

/**
 * gch_list_del() - take an object out of whatever list holds it
 * @h: the heap, locked
 * @obj: the object
 */
static inline void gch_list_del(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	/* A collection's walk resumes after an object taken out (gc.c). */
	if (unlikely(h->pass.cursor == obj->idx))
		h->pass.cursor = obj->link.next;
	gch_link_at(h, obj->link.prev)->next = obj->link.next;
	gch_link_at(h, obj->link.next)->prev = obj->link.prev;
}

/**
 * gch_tracked() - whether an object is in a list the collector walks
 * @obj: a live object
 *
 * A list's links are handle indices or heads, never 0; an untracked
 * object's link is zero from its allocation on.
 *
 * Return: true when the object is in a generation (or the collector's)
 * list.
 */
static inline bool gch_tracked(const struct gch_obj *obj)
{
	return obj->link.next;
}

/**
 * gch_track() - put an object into generation 0
 * @h: the heap, locked
 * @obj: a live object
 *
 * An object whose slots are empty or name only objects that never will be
 * tracked (gch_may_be_tracked()) cannot be in a cycle: every member of a
 * cycle names the next one, which has a slot to name the one after and is
 * in a cycle.  So an object is not tracked until a slot of it names an
 * object that may be (gch_track_for()), as CPython's dicts are not until
 * they hold a container; from then on it stays tracked.  Its generation
 * is 0 until then, and what collections make it after.  While a pass runs
 * it joins generation 0 outside the set, as an allocation does.
 */
static inline void gch_track(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	if (!gch_tracked(obj))
		gch_track_new(h, obj);
}

/**
 * gch_may_be_tracked() - whether an object is tracked or may come to be
 * @obj: a live object
 *
 * An object without slots never is tracked, nor is one sealed untracked:
 * its slots cannot change, and they name only objects that never are
 * tracked either (CPython's _PyObject_GC_MAY_BE_TRACKED(), for which a
 * tuple is what a sealed object is here).  Such objects cannot be in a
 * cycle: when a sealed one was sealed, what it names was slotless, or
 * sealed and untracked already.
 *
 * Return: false for an object that never will be tracked.
 */
static inline bool gch_may_be_tracked(const struct gch_obj *obj)
{
	return gch_nslots(obj) && (!obj->sealed || gch_tracked(obj));
}

/**
 * gch_track_for() - track an object that is to name another in a slot
 * @h: the heap, locked
 * @obj: the object whose slot is set
 * @target: what the slot is to name, or NULL
 *
 * So an untracked object's slots name only objects that never will be
 * tracked (gch_may_be_tracked()).
 */
static inline void gch_track_for(struct gch_heap *h, struct gch_obj *obj,
				 const struct gch_obj *target)
{
	lockdep_assert_held(&h->lock);
	if (target && gch_may_be_tracked(target))
		gch_track(h, obj);
}

/**
 * gch_touch() - the mutation barrier
 * @h: the heap, locked
 * @obj: an object whose count or slots change, or of which the program
 *	 gets a new reference
 *
 * While a collection decides what is reachable, an object of its set
 * that is touched becomes a root (gch_pass_touched(), gc.c).  Outside a
 * collection no object is collecting: the barrier is one flag test.
 */
static inline void gch_touch(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	if (unlikely(obj->flags & GCH_OF_COLLECTING))
		gch_pass_touched(h, obj);
}

/**
 * gch_incref() - take one more reference for the heap (a slot)
 * @h: the heap, locked
 * @obj: a live object
 *
 * Return: 0, or -EOVERFLOW if the count is at GCH_REF_MAX.
 */
static inline int gch_incref(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	if (unlikely(obj->refcnt >= GCH_REF_MAX))
		return -EOVERFLOW;
	gch_touch(h, obj);
	obj->refcnt++;
	return 0;
}

/**
 * gch_decref_last() - gch_decref() up to what it does at zero
 * @h: the heap, locked
 * @obj: a live object
 *
 * Return: true when that was the last reference: the caller releases the
 * object (gch_decref_zero(), or its inline form in release.h).
 */
static inline bool gch_decref_last(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	h->mutations++;
	gch_touch(h, obj);
	return !--obj->refcnt;
}

/**
 * gch_decref() - drop one of the heap's references (a slot's, an event's)
 * @h: the heap, locked
 * @obj: a live object
 * @r: collects what dies, to be freed by gch_reap_free() after unlocking
 */
static inline void gch_decref(struct gch_heap *h, struct gch_obj *obj,
			      struct gch_reap *r)
{
	lockdep_assert_held(&h->lock);
	if (gch_decref_last(h, obj))
		gch_decref_zero(h, obj, r);
}

/**
 * gch_user_get() - hand the program a new reference
 * @h: the heap, locked
 * @obj: a live object
 *
 * Return: 0, or -EOVERFLOW if the count is at GCH_REF_MAX.
 */
static inline int gch_user_get(struct gch_heap *h, struct gch_obj *obj)
{
	int ret = gch_incref(h, obj);

	lockdep_assert_held(&h->lock);
	if (!ret)
		obj->urefs++;
	return ret;
}

/**
 * gch_user_drop() - gch_user_put() up to what it does at zero
 * @h: the heap, locked
 * @obj: a live object
 *
 * Return: -EINVAL with nothing changed if the program holds no reference
 * (the slots', events' and garbage list's references are not its to
 * drop); else 1 when that was the last reference, which the caller
 * releases as gch_decref_last()'s do, or 0.
 */
static inline int gch_user_drop(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	if (unlikely(!obj->urefs))
		return -EINVAL;
	obj->urefs--;
	return gch_decref_last(h, obj);
}

/**
 * gch_user_put() - drop a reference the program holds
 * @h: the heap, locked
 * @obj: a live object
 * @r: collects what dies
 *
 * Return: 0, or -EINVAL with nothing changed if the program holds none.
 */
static inline int gch_user_put(struct gch_heap *h, struct gch_obj *obj,
			       struct gch_reap *r)
{
	int ret = gch_user_drop(h, obj);

	lockdep_assert_held(&h->lock);
	if (ret <= 0)
		return ret;
	gch_decref_zero(h, obj, r);
	return 0;
}

/**
 * gch_alloc_check() - validate an allocation request
 * @a: the request
 *
 * Return: 0 or -EINVAL.
 */
static inline int gch_alloc_check(const struct gcheap_alloc *a)
{
	if (a->flags & ~GCH_ALLOC_FLAGS)
		return -EINVAL;
	if (a->nslots > READ_ONCE(gch_max_slots) ||
	    a->size > READ_ONCE(gch_max_payload))
		return -EINVAL;
	return 0;
}

/**
 * gch_gc_note_alloc() - queue an automatic collection if one is due
 * @h: the heap, locked, just after an allocation
 *
 * Never collects in the caller's context: the heap's work item does, once
 * however many allocations ask for it before it runs (@gc_queued spares
 * them queue_work()'s atomic operation).  The count first: publishing has
 * it at hand, and it is the test that usually fails.
 */
static inline void gch_gc_note_alloc(struct gch_heap *h)
{
	lockdep_assert_held(&h->lock);
	if (unlikely(h->gen[0].count > h->gen[0].threshold &&
		     !h->gc_queued))
		gch_gc_queue(h);
}

/**
 * gch_heap_room() - whether the heap's limits admit one more object
 * @h: the heap, locked
 * @mem: its gch_shape_mem(), or GCH_WEAK_MEM for a weakref
 *
 * Objects and weak references both count, and so does the room that
 * batches reserved for objects they allocated before their run.  A limit
 * lowered below what the heap holds admits nothing until enough is freed.
 *
 * Return: true if it may be added.
 */
static inline bool gch_heap_room(const struct gch_heap *h, u64 mem)
{
	lockdep_assert_held(&h->lock);
	return h->nobjects + h->nweak + h->resv_objects < h->max_objects &&
	       mem <= h->max_bytes && h->mem + h->resv_mem <= h->max_bytes - mem;
}

#endif /* GCHEAP_MODULE_GCHEAP_H */
