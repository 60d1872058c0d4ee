/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * gcheap: a garbage-collected object heap behind /dev/gcheap.
 *
 * Every open of /dev/gcheap is a heap.  The ioctls below act on the heap of
 * the file they are issued on.  All structs have explicit sizes, no implicit
 * padding and the same layout for 32-bit and 64-bit callers; user pointers
 * travel as __u64.  Reserved fields and undefined flag bits must be zero,
 * else the call fails with -EINVAL.  The size encoded in an ioctl number is
 * the size of the caller's struct: a newer caller's larger struct is accepted
 * when the fields the kernel does not know are zero, an older caller's
 * smaller one as long as it holds the original fields (copy_struct_from_user
 * semantics), so that structs can grow at their end.
 *
 * Ioctl magic 0xB9, numbers 0x00-0x4f.
 */
#ifndef _UAPI_LINUX_GCHEAP_H
#define _UAPI_LINUX_GCHEAP_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define GCHEAP_IOC_MAGIC	0xB9

/*
 * A ref names one object or weak reference of a heap; 0 is null.  Refs are
 * opaque: a ref that names nothing live in this heap fails with -ESTALE.
 *
 * The kernel counts the references the program holds (every process
 * sharing the heap together) apart from the heap's own (slots, queued
 * events, the garbage list).  Every call that hands out a ref (ALLOC,
 * GET_SLOT, WEAKREF, WEAKREF_GET, LIST, read(2) of an event) gives the
 * program one reference, INCREF one more; DECREF, a batch DECREF or
 * ALLOC_MOVE of a reference the program does not hold fails with -EINVAL
 * and changes nothing.
 */

/* Generations. */
#define GCH_NGEN		3
#define GCH_GEN_PERMANENT	3	/* frozen objects (gch_info) */
#define GCH_GEN_ALL		(-1)	/* every generation (GCHEAP_LIST_OBJECTS) */

/* struct gcheap_alloc.flags */
#define GCH_ALLOC_FINALIZE	_BITUL(0)	/* one FINALIZE event, PEP 442 */
/*
 * Sealed from the start (see GCHEAP_IOC_SEAL): ALLOC's slots stay empty,
 * ALLOC_MOVE's hold what it moved in.  The one flag batch allocations
 * take (in struct gcheap_batch_op.off).
 */
#define GCH_ALLOC_SEALED	_BITUL(1)
#define GCH_ALLOC_FLAGS		(GCH_ALLOC_FINALIZE | GCH_ALLOC_SEALED)

/* struct gcheap_info.flags */
#define GCH_OBJ_FINALIZABLE	_BITUL(0)
#define GCH_OBJ_FINALIZED	_BITUL(1)
#define GCH_OBJ_TRACKED		_BITUL(2)	/* the collector sees it (gc.is_tracked) */
#define GCH_OBJ_SEALED		_BITUL(3)	/* its slots can no longer be set */

/* struct gcheap_weakref.flags */
#define GCH_WEAK_NOTIFY		_BITUL(0)
#define GCH_WEAK_FLAGS		GCH_WEAK_NOTIFY

/* struct gcheap_gc.debug */
#define GCH_DEBUG_SAVEALL	_BITUL(0)
#define GCH_DEBUG_FLAGS		GCH_DEBUG_SAVEALL

/* struct gcheap_event.type; also the bits of the event mask */
#define GCH_EV_WEAKREF		_BITUL(0)
#define GCH_EV_FINALIZE		_BITUL(1)
#define GCH_EV_COLLECT		_BITUL(2)
#define GCH_EV_ALL		(GCH_EV_WEAKREF | GCH_EV_FINALIZE | GCH_EV_COLLECT)
#define GCH_EV_DEFAULT		(GCH_EV_WEAKREF | GCH_EV_FINALIZE)

/*
 * GCHEAP_IOC_CONFIG: limits and thresholds; all zero = module defaults.
 * max_bytes limits the kernel memory the heap's objects take (slab object
 * with header, slots and payload, data allocated beside it, FINALIZE
 * event, handle table entry; a weakref's record and handle), not only
 * their payload.  A limit lowered below what the heap holds admits nothing
 * until enough is freed.
 */
struct gcheap_config {
	__u64 max_objects;	/* 0: the module's cap (max_objects param) */
	__u64 max_bytes;	/* 0: the module's cap (max_bytes param) */
	__u32 threshold[GCH_NGEN]; /* all 0: 700, 10, 10 */
	__u32 flags;		/* none defined: must be 0 */
};

/* GCHEAP_IOC_HEAP_INFO: what the heap is, as configured. */
struct gcheap_heap_info {
	__u32 id;		/* debugfs directory name; unique among live heaps */
	__u32 flags;		/* out: GCHEAP_HEAP_* */
	__u64 max_objects;	/* effective limits */
	__u64 max_bytes;
	__u64 max_payload;	/* largest payload an object may have */
};

/*
 * struct gcheap_heap_info.flags: the module takes the by-value commands
 * GCHEAP_IOC_INCREF_VAL and GCHEAP_IOC_DECREF_VAL.
 */
#define GCHEAP_HEAP_BY_VALUE	_BITUL(0)

/* GCHEAP_IOC_ALLOC */
struct gcheap_alloc {
	__u32 nslots;
	__u32 size;		/* payload bytes, zero-filled */
	__u32 flags;		/* GCH_ALLOC_* */
	__u32 tag;		/* allocation site; 0 = none */
	__u64 cookie;		/* echoed in the FINALIZE event */
	__u64 ref;		/* out: a new reference */
};

/*
 * GCHEAP_IOC_INCREF, GCHEAP_IOC_DECREF, GCHEAP_IOC_SEAL.  SEAL: from now
 * on the object's slots cannot be set (SET_SLOT fails with -EPERM), as a
 * CPython tuple's items are not; its payload still can be written.  A
 * sealed object that is not tracked never will be, and the collector need
 * not see the objects that name only such objects or objects without
 * slots: CPython's untracking of tuples.  Sealing a sealed object does
 * nothing.
 */
struct gcheap_ref {
	__u64 ref;
	__u32 flags;		/* must be 0 */
	__u32 reserved;		/* must be 0 */
};

/* GCHEAP_IOC_SET_SLOT (target in), GCHEAP_IOC_GET_SLOT (target out) */
struct gcheap_slot {
	__u64 obj;
	__u64 target;		/* 0 = null */
	__u32 slot;
	__u32 flags;		/* must be 0 */
};

/* GCHEAP_IOC_WRITE, GCHEAP_IOC_READ */
struct gcheap_rw {
	__u64 obj;
	__u64 buf;		/* user pointer */
	__u32 off;
	__u32 len;
	__u32 flags;		/* must be 0 */
	__u32 reserved;		/* must be 0 */
};

/* GCHEAP_IOC_INFO */
struct gcheap_info {
	__u64 ref;		/* in */
	__u64 refcount;		/* out, and all below */
	__u32 nslots;
	__u32 size;
	__u32 tag;
	__u32 generation;	/* 0..2 or GCH_GEN_PERMANENT */
	__u32 flags;		/* GCH_OBJ_* */
	__u32 reserved;		/* in: must be 0 */
};

struct gcheap_gen_stats {
	__u64 collections;
	__u64 collected;
	__u64 uncollectable;
};

/* struct gcheap_stats.pause_hist: log2 buckets of lock hold times */
#define GCH_PAUSE_BUCKETS	16

/*
 * GCHEAP_IOC_STATS.  The struct grows at its end: a caller passing an
 * older, smaller one (at least GCHEAP_STATS_SIZE_VER0 bytes) gets the
 * fields it knows; one passing a larger one gets the rest zeroed.
 */
struct gcheap_stats {
	struct gcheap_gen_stats gen[GCH_NGEN];
	__u64 objects;		/* live now */
	__u64 bytes;		/* live payload bytes (max_bytes limits more) */
	__u64 allocated;	/* objects since open */
	__u64 freed;
	__u64 weakrefs;		/* live weak references */
	__u64 pending_events;
	__u64 pause_ns_last;
	__u64 pause_ns_max;
	__u64 pause_ns_total;
	/* GCHEAP_STATS_SIZE_VER0 ends here */
	__u64 floating;		/* garbage the mutation barrier left to a later pass */
	__u64 passes;		/* collections run, all generations */
	/*
	 * Lock holds of collection slices, per generation collected: [0]
	 * under 2^11 ns, [b] from 2^(b+10) to 2^(b+11) ns, the last bucket
	 * open-ended.
	 */
	__u64 pause_hist[GCH_NGEN][GCH_PAUSE_BUCKETS];
};

#define GCHEAP_STATS_SIZE_VER0	144	/* up to pause_ns_total */
#define GCHEAP_STATS_SIZE_VER1	544	/* up to pause_hist */

/*
 * GCHEAP_IOC_COLLECT: -EFAULT, with no collection run, when this struct is
 * not writable.
 */
struct gcheap_collect {
	__s32 generation;	/* 0..2 */
	__u32 flags;		/* must be 0 */
	__u64 found;		/* out: unreachable objects found */
};

/* struct gcheap_gc.set: the fields GCHEAP_IOC_SET_GC applies */
#define GCH_GC_SET_ENABLED	_BITUL(0)
#define GCH_GC_SET_THRESHOLD	_BITUL(1)
#define GCH_GC_SET_DEBUG	_BITUL(2)
#define GCH_GC_SET_EVENT_MASK	_BITUL(3)
#define GCH_GC_SET_ALL		0xfU

/* GCHEAP_IOC_GET_GC, GCHEAP_IOC_SET_GC: the collector's controls */
struct gcheap_gc {
	__u32 set;		/* SET_GC: GCH_GC_SET_*; GET_GC: 0 (not read) */
	__u32 enabled;		/* 0 or 1 */
	__u32 debug;		/* GCH_DEBUG_* */
	__u32 event_mask;	/* GCH_EV_* */
	__u32 threshold[GCH_NGEN]; /* threshold[0] = 0 disables automatic runs */
	__u32 count[GCH_NGEN];	/* GET only (ignored by SET) */
	__u64 freeze_count;	/* GET only */
};

/* struct gcheap_list.what */
#define GCHEAP_LIST_OBJECTS	1	/* tracked objects of .generation */
#define GCHEAP_LIST_REFERENTS	2	/* objects .ref's slots name */
#define GCHEAP_LIST_REFERRERS	3	/* objects with a slot naming .ref */
#define GCHEAP_LIST_GARBAGE	4	/* the garbage list (GCH_DEBUG_SAVEALL) */

/*
 * GCHEAP_IOC_LIST: store up to .cap refs (each a new reference) at .buf and
 * return in .count how many there are in all; .count > .cap means the list
 * was cut.  .cap = 0 just counts.
 */
struct gcheap_list {
	__u32 what;		/* GCHEAP_LIST_* */
	__s32 generation;	/* OBJECTS: 0..2 or GCH_GEN_ALL; else 0 */
	__u64 ref;		/* REFERENTS, REFERRERS; else 0 */
	__u64 buf;		/* user pointer to __u64[cap] */
	__u32 cap;
	__u32 flags;		/* must be 0 */
	__u64 count;		/* out */
};

/* GCHEAP_IOC_WEAKREF */
struct gcheap_weakref {
	__u64 obj;
	__u64 cookie;		/* echoed in the WEAKREF event */
	__u32 flags;		/* GCH_WEAK_* */
	__u32 reserved;		/* must be 0 */
	__u64 wref;		/* out: a new reference to the weakref */
};

/* GCHEAP_IOC_WEAKREF_GET */
struct gcheap_weakref_get {
	__u64 wref;
	__u64 ref;		/* out: a new reference, or 0 if dead */
	__u32 flags;		/* must be 0 */
	__u32 reserved;		/* must be 0 */
};

/*
 * read(2) on the heap's fd returns whole events; a FINALIZE or WEAKREF
 * event's ref becomes the program's when it is read.  An RWF_NOWAIT read
 * never waits for the heap: -EAGAIN while a collection or another read
 * holds it.  Opening /dev/gcheap fails with EMFILE past the module's
 * max_heaps_per_user heaps open by one user.
 */
struct gcheap_event {
	__u32 type;		/* GCH_EV_* */
	__u32 generation;	/* GCH_EV_COLLECT */
	__u64 cookie;
	__u64 ref;		/* WEAKREF: the weakref; FINALIZE: a new ref */
	__u64 collected;	/* GCH_EV_COLLECT */
	__u64 uncollectable;	/* GCH_EV_COLLECT */
};

/* struct gcheap_batch_op.op */
#define GCH_OP_ALLOC		1	/* a.nslots = slot, size = len; result */
#define GCH_OP_INCREF		2	/* a */
#define GCH_OP_DECREF		3	/* a */
#define GCH_OP_SET_SLOT		4	/* a[slot] = b */
#define GCH_OP_GET_SLOT		5	/* result = new ref to a[slot] */
#define GCH_OP_WRITE		6	/* a[off, off + len) = user b */
#define GCH_OP_READ		7	/* user b = a[off, off + len) */
/*
 * ALLOC_MOVE: a new object (nslots = slot, size = len) whose slots 0 and 1
 * hold a and b (0 = empty), which take over the references the program
 * held on a and b (as CPython's reference-stealing functions do); result.
 * The program must hold one reference to each (two if a == b): -EINVAL.
 */
#define GCH_OP_ALLOC_MOVE	8
/* PEEK_SLOT: result = a[slot] (or 0) as a borrowed ref: no new reference */
#define GCH_OP_PEEK_SLOT	9
/* SEAL: a's slots can no longer be set (GCHEAP_IOC_SEAL) */
#define GCH_OP_SEAL		10

/*
 * In a batch, an operand with this form stands for the ref that op i of the
 * same batch produced (i < the op's own index).  No real ref has it.
 */
#define GCH_RESULT_BIT		_BITULL(47)
#define GCH_RESULT_MAX		0xffffffULL

/*
 * Whether a batch operand has that form: the heap-id bits zero and bit 47
 * set, i.e. bits 63..47 read exactly 1.  A macro, not an inline function,
 * so that the header stays valid C90.
 */
#define GCH_IS_RESULT(r)	(((__u64)(r) >> 47) == 1)

struct gcheap_batch_op {
	__u32 op;		/* GCH_OP_* */
	__u32 slot;		/* SET/GET_SLOT: slot; ALLOC: nslots */
	__u64 a;		/* the object */
	__u64 b;		/* SET_SLOT: target; WRITE/READ: user buffer */
	__u32 off;		/* WRITE/READ: offset; ALLOC*: GCH_ALLOC_SEALED or 0 */
	__u32 len;		/* WRITE/READ: length; ALLOC: size */
	__u64 result;		/* out: ALLOC, GET_SLOT: the new ref */
};

/*
 * GCHEAP_IOC_BATCH: ops run in order, stopping at the first failure.
 * Returns 0 when the batch ran; -EFAULT, with nothing run, when a buffer it
 * would write to is not writable: this struct, READ buffers, and the ops'
 * result fields (every op's when one op has a result: before the run the
 * kernel may store 0, which is what they must hold, in any of them); 1
 * when it ran but could not write everything back because the program
 * unmapped a buffer meanwhile (done and error still tell what ran, unless
 * the buffer was this struct).
 */
struct gcheap_batch {
	__u64 ops;		/* user pointer to struct gcheap_batch_op[count] */
	__u32 count;
	__u32 op_size;		/* sizeof(struct gcheap_batch_op) of the caller */
	__u32 flags;		/* must be 0 */
	__u32 done;		/* out: ops that succeeded */
	__s32 error;		/* out: ops[done]'s -errno, or 0 */
	__u32 reserved;		/* must be 0 */
};

#define GCHEAP_BATCH_MAX	4096

/* One allocation site's figures (GCHEAP_IOC_TAG_STATS). */
struct gcheap_tag_stat {
	__u32 tag;		/* gch_alloc_ex()'s tag; never 0 */
	__u32 reserved;
	__u64 live_objects;
	__u64 live_bytes;	/* payload bytes of the live objects */
	__u64 allocations;	/* objects ever allocated with it */
};

/*
 * GCHEAP_IOC_TAG_STATS: store up to .cap records, largest live_bytes first,
 * at .buf and return in .count how many tags there are.
 */
struct gcheap_tag_stats {
	__u64 buf;		/* user pointer to struct gcheap_tag_stat[cap] */
	__u32 cap;
	__u32 flags;		/* must be 0 */
	__u64 count;		/* out */
};

/*
 * GCHEAP_IOC_EVENTS: take up to .cap queued events (at most 16 a call),
 * oldest first, into .buf, handed over as read(2) hands them; the call
 * returns how many it took.  It waits for the heap, never for an event:
 * 0 when none is queued (poll(2) waits for one).  A collection in
 * progress does not make it fail, as it does an RWF_NOWAIT read.
 */
struct gcheap_events {
	__u64 buf;		/* user pointer to struct gcheap_event[cap] */
	__u32 cap;		/* at least 1 */
	__u32 flags;		/* must be 0 */
};

#define GCHEAP_IOC_CONFIG	_IOW(GCHEAP_IOC_MAGIC, 0x00, struct gcheap_config)
#define GCHEAP_IOC_HEAP_INFO	_IOR(GCHEAP_IOC_MAGIC, 0x01, struct gcheap_heap_info)
#define GCHEAP_IOC_ALLOC	_IOWR(GCHEAP_IOC_MAGIC, 0x02, struct gcheap_alloc)
#define GCHEAP_IOC_INCREF	_IOW(GCHEAP_IOC_MAGIC, 0x03, struct gcheap_ref)
#define GCHEAP_IOC_DECREF	_IOW(GCHEAP_IOC_MAGIC, 0x04, struct gcheap_ref)
#define GCHEAP_IOC_SET_SLOT	_IOW(GCHEAP_IOC_MAGIC, 0x05, struct gcheap_slot)
#define GCHEAP_IOC_GET_SLOT	_IOWR(GCHEAP_IOC_MAGIC, 0x06, struct gcheap_slot)
#define GCHEAP_IOC_WRITE	_IOW(GCHEAP_IOC_MAGIC, 0x07, struct gcheap_rw)
#define GCHEAP_IOC_READ		_IOW(GCHEAP_IOC_MAGIC, 0x08, struct gcheap_rw)
#define GCHEAP_IOC_INFO		_IOWR(GCHEAP_IOC_MAGIC, 0x09, struct gcheap_info)
#define GCHEAP_IOC_STATS	_IOR(GCHEAP_IOC_MAGIC, 0x0a, struct gcheap_stats)
#define GCHEAP_IOC_COLLECT	_IOWR(GCHEAP_IOC_MAGIC, 0x10, struct gcheap_collect)
#define GCHEAP_IOC_GET_GC	_IOR(GCHEAP_IOC_MAGIC, 0x11, struct gcheap_gc)
#define GCHEAP_IOC_SET_GC	_IOW(GCHEAP_IOC_MAGIC, 0x12, struct gcheap_gc)
#define GCHEAP_IOC_FREEZE	_IO(GCHEAP_IOC_MAGIC, 0x13)	/* arg 0 */
#define GCHEAP_IOC_UNFREEZE	_IO(GCHEAP_IOC_MAGIC, 0x14)	/* arg 0 */
#define GCHEAP_IOC_LIST		_IOWR(GCHEAP_IOC_MAGIC, 0x15, struct gcheap_list)
#define GCHEAP_IOC_TAG_STATS	_IOWR(GCHEAP_IOC_MAGIC, 0x16, struct gcheap_tag_stats)
#define GCHEAP_IOC_EVENTS	_IOW(GCHEAP_IOC_MAGIC, 0x17, struct gcheap_events)
#define GCHEAP_IOC_WEAKREF	_IOWR(GCHEAP_IOC_MAGIC, 0x20, struct gcheap_weakref)
#define GCHEAP_IOC_WEAKREF_GET	_IOWR(GCHEAP_IOC_MAGIC, 0x21, struct gcheap_weakref_get)
#define GCHEAP_IOC_BATCH	_IOWR(GCHEAP_IOC_MAGIC, 0x30, struct gcheap_batch)
#define GCHEAP_IOC_SEAL		_IOW(GCHEAP_IOC_MAGIC, 0x31, struct gcheap_ref)

/*
 * INCREF and DECREF by value, for 64-bit callers: the ioctl's argument is
 * the ref itself and nothing is copied in or out, which saves a user-memory
 * access (a stac/clac pair under SMAP) and the struct's checks.  They do
 * what INCREF and DECREF do with flags 0.  A 32-bit (compat) caller gets
 * -ENOTTY: its argument cannot hold a ref.  GCHEAP_HEAP_BY_VALUE in
 * struct gcheap_heap_info.flags says the module has them.
 */
#define GCHEAP_IOC_INCREF_VAL	_IO(GCHEAP_IOC_MAGIC, 0x32)
#define GCHEAP_IOC_DECREF_VAL	_IO(GCHEAP_IOC_MAGIC, 0x33)

#endif /* _UAPI_LINUX_GCHEAP_H */
