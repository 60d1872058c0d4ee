/* SPDX-License-Identifier: MIT */
/*
 * libgcheap: garbage-collected object heaps in the kernel, for programs.
 *
 * Every int function returns 0 (or a documented count) on success and a
 * negative errno on failure; nothing here prints or exits.  A failing call
 * changes nothing.  See libgcheap(3).
 */
#ifndef GCHEAP_H
#define GCHEAP_H

#include <stddef.h>
#include <stdint.h>
#include <linux/gcheap.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t gch_ref_t;
struct gch_heap;				/* opaque */

struct gch_config {				/* all zero = module defaults */
	uint64_t max_objects, max_bytes;	/* 0 = no limit beyond the module's */
	uint32_t threshold[3];			/* 0,0,0 = defaults 700,10,10 */
	uint32_t flags;
};
struct gch_heap *gch_open(const struct gch_config *cfg);	/* NULL + errno */
void gch_close(struct gch_heap *h);
int gch_fd(const struct gch_heap *h);				/* for poll() */
/* extension: adopt a heap's fd (from SCM_RIGHTS, say); NULL + errno */
struct gch_heap *gch_open_fd(int fd);
int gch_heap_id(const struct gch_heap *h);			/* its debugfs name */

/* objects */
int gch_alloc(struct gch_heap *h, uint32_t nslots, uint32_t size, gch_ref_t *out);
struct gch_alloc_args {
	uint32_t nslots, size;
	uint32_t flags;				/* GCH_ALLOC_FINALIZE, _SEALED */
	uint32_t tag;				/* allocation site; 0 = none */
	uint64_t cookie;			/* echoed in the FINALIZE event */
};
int gch_alloc_ex(struct gch_heap *h, const struct gch_alloc_args *a, gch_ref_t *out);
int gch_incref(struct gch_heap *h, gch_ref_t ref);
int gch_decref(struct gch_heap *h, gch_ref_t ref);	/* objects and weakrefs */
int gch_set_slot(struct gch_heap *h, gch_ref_t obj, uint32_t slot, gch_ref_t target);
int gch_get_slot(struct gch_heap *h, gch_ref_t obj, uint32_t slot, gch_ref_t *out);
int gch_write(struct gch_heap *h, gch_ref_t obj, uint32_t off, const void *buf, uint32_t len);
int gch_read(struct gch_heap *h, gch_ref_t obj, uint32_t off, void *buf, uint32_t len);
/*
 * extension: obj's slots can no longer be set (gch_set_slot() fails with
 * -EPERM), as a tuple's items cannot; a sealed object that is not tracked
 * never will be, nor need the objects that name only such objects be
 */
int gch_seal(struct gch_heap *h, gch_ref_t obj);
struct gch_obj_info {
	uint32_t nslots, size, tag, generation;	/* 0..2 or GCH_GEN_PERMANENT */
	uint64_t refcount;
	uint32_t flags;		/* GCH_OBJ_FINALIZABLE, _FINALIZED, _TRACKED, _SEALED */
};
int gch_info(struct gch_heap *h, gch_ref_t obj, struct gch_obj_info *out);

/* the collector, as CPython's gc module */
int gch_collect(struct gch_heap *h, int generation);	/* unreachable found */
int gch_enable(struct gch_heap *h);
int gch_disable(struct gch_heap *h);
int gch_isenabled(struct gch_heap *h);			/* 1 or 0 */
int gch_get_count(struct gch_heap *h, uint32_t count[3]);
int gch_get_threshold(struct gch_heap *h, uint32_t threshold[3]);
int gch_set_threshold(struct gch_heap *h, uint32_t t0, uint32_t t1, uint32_t t2);
int gch_freeze(struct gch_heap *h);
int gch_unfreeze(struct gch_heap *h);
int gch_get_freeze_count(struct gch_heap *h);
int gch_set_debug(struct gch_heap *h, uint32_t flags);	/* GCH_DEBUG_SAVEALL */
/*
 * The list functions store up to cap refs (each a new reference) and return
 * how many there are in all: more than cap means the list was cut.
 */
int gch_get_garbage(struct gch_heap *h, gch_ref_t *buf, uint32_t cap);
int gch_get_objects(struct gch_heap *h, int generation, gch_ref_t *buf, uint32_t cap);
int gch_get_referents(struct gch_heap *h, gch_ref_t obj, gch_ref_t *buf, uint32_t cap);
int gch_get_referrers(struct gch_heap *h, gch_ref_t obj, gch_ref_t *buf, uint32_t cap);
struct gch_stats {
	struct { uint64_t collections, collected, uncollectable; } gen[3];
	uint64_t objects, bytes;		/* live now */
	uint64_t allocated, freed;		/* since open */
	uint64_t weakrefs, pending_events;
	uint64_t pause_ns_last, pause_ns_max, pause_ns_total;
};
int gch_get_stats(struct gch_heap *h, struct gch_stats *out);

/*
 * Extension: the collector's figures while collections run beside the
 * program.  Pass sizeof(*out): the struct grows at its end, and a program
 * built with an older header gets the fields it knows (at least
 * sizeof(struct gch_stats), else -EINVAL).
 */
struct gch_stats_ex {
	struct gch_stats base;
	uint64_t floating;	/* garbage the mutation barrier left to a later pass */
	uint64_t passes;	/* collections run, all generations */
	/*
	 * Lock holds of collection slices, per generation collected: [0]
	 * under 2^11 ns, [b] from 2^(b+10) to 2^(b+11) ns, [15] longer.
	 */
	uint64_t pause_hist[3][16];
};
int gch_get_stats_ex(struct gch_heap *h, struct gch_stats_ex *out, size_t size);

/*
 * Extension: allocation-site profiling (tracemalloc's job).  Objects made
 * by gch_alloc_ex() with a non-zero tag are counted per tag.  Stores up to
 * cap records, largest live_bytes first; returns how many tags there are.
 */
struct gch_tag_stat {
	uint32_t tag, reserved;
	uint64_t live_objects, live_bytes;      /* now */
	uint64_t allocations;                   /* since open */
};
int gch_get_tag_stats(struct gch_heap *h, struct gch_tag_stat *buf, uint32_t cap);

/* weak references and events */
int gch_weakref(struct gch_heap *h, gch_ref_t obj, uint32_t flags, uint64_t cookie,
		gch_ref_t *wref);
int gch_weakref_get(struct gch_heap *h, gch_ref_t wref, gch_ref_t *out); /* 0 if dead */
struct gch_event {
	uint32_t type;				/* GCH_EV_WEAKREF, _FINALIZE, _COLLECT */
	uint32_t generation;			/* GCH_EV_COLLECT */
	uint64_t cookie;
	gch_ref_t ref;				/* WEAKREF: the weakref; FINALIZE: new ref */
	uint64_t collected, uncollectable;	/* GCH_EV_COLLECT */
};
int gch_set_event_mask(struct gch_heap *h, uint32_t mask);
int gch_next_event(struct gch_heap *h, struct gch_event *ev, int timeout_ms); /* 1, 0 */

/* batches: many operations, one system call */
struct gch_batch;
struct gch_batch *gch_batch_new(struct gch_heap *h, uint32_t max_ops);	/* NULL + errno */
void gch_batch_free(struct gch_batch *b);
void gch_batch_reset(struct gch_batch *b);
/* a gch_ref_t that stands for the ref produced by op i of the same batch */
#define GCH_RESULT(i) ((gch_ref_t)(GCH_RESULT_BIT | (uint64_t)(uint32_t)(i)))
int gch_batch_alloc(struct gch_batch *b, uint32_t nslots, uint32_t size);	/* op index */
int gch_batch_set_slot(struct gch_batch *b, gch_ref_t obj, uint32_t slot, gch_ref_t target);
int gch_batch_get_slot(struct gch_batch *b, gch_ref_t obj, uint32_t slot);
int gch_batch_incref(struct gch_batch *b, gch_ref_t ref);
int gch_batch_decref(struct gch_batch *b, gch_ref_t ref);
/* buf must stay valid until the batch is submitted */
int gch_batch_write(struct gch_batch *b, gch_ref_t obj, uint32_t off, const void *buf,
		    uint32_t len);
/* extension: buf receives the bytes when the batch runs */
int gch_batch_read(struct gch_batch *b, gch_ref_t obj, uint32_t off, void *buf, uint32_t len);
/*
 * extension: a new object whose slots 0 and 1 take s0 and s1 (0 = empty),
 * moving the references the program held on them into the slots (they are
 * "stolen", as by CPython's PyTuple_SET_ITEM); nslots must cover them.
 */
int gch_batch_alloc_move(struct gch_batch *b, uint32_t nslots, uint32_t size, gch_ref_t s0,
			 gch_ref_t s1);
/*
 * extension: the ref in obj's slot, or 0, as a borrowed reference (no new
 * reference is taken, none is to be dropped): it names the object while
 * something keeps it alive, and is -ESTALE after, never another object.
 */
int gch_batch_peek_slot(struct gch_batch *b, gch_ref_t obj, uint32_t slot);
/* extension: gch_batch_alloc_move() of an object sealed from the start */
int gch_batch_alloc_sealed(struct gch_batch *b, uint32_t nslots, uint32_t size, gch_ref_t s0,
			   gch_ref_t s1);
/* extension: gch_seal() in a batch */
int gch_batch_seal(struct gch_batch *b, gch_ref_t obj);
/* ops run in order, stopping at the first failure: returns how many succeeded */
int gch_batch_submit(struct gch_batch *b);
/* 0 or op i's -errno (-ECANCELED: not run, after a failure) */
int gch_batch_result(const struct gch_batch *b, uint32_t i, gch_ref_t *ref);

#ifdef __cplusplus
}
#endif

#endif /* GCHEAP_H */
