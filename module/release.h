/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcheap: releasing an object whose count reached zero.  The steps every
 * release takes, and the whole release of an object that keeps nothing
 * else alive (the usual one), inline where the operations drop references
 * (the batch loop, the single ioctls: ops.h); the release of what an
 * object alone kept alive, iteratively, out of line (gch_decref_zero(),
 * object.c).  Under emulation a call, and a return above all, costs far
 * more than its count of instructions (BENCHMARKS.md, "Eleventh
 * session").  Everything here runs under the heap lock, held by the
 * caller; see "Locking" in gcheap.h.
 */
#ifndef GCHEAP_MODULE_RELEASE_H
#define GCHEAP_MODULE_RELEASE_H

#include "gcheap.h"

/*
 * Whether a dead object needs more than a cell's steps to leave the heap
 * (gch_forget_special()): weakrefs, an ext record, data beside it, frozen.
 * The tests are ORed, not short-circuited: one branch on the answer, where
 * GCC's chain of three put the usual case out of line.
 */
static __always_inline bool gch_forget_is_special(const struct gch_obj *obj)
{
	/* GCH_OF_FINALIZE implies GCH_OF_EXT */
	bool ext = obj->flags & (GCH_OF_WEAKREFS | GCH_OF_EXT);
	bool frozen = obj->gen == GCH_GEN_PERMANENT;
	bool outline = !gch_obj_is_inline(obj);

	return ext | frozen | outline;
}

/* Take a dead object out of the heap, but for its list. */
static __always_inline void gch_forget(struct gch_heap *h, struct gch_obj *obj)
{
	u64 mem = gch_cell_mem(obj->link.nslots8, obj->link.size8);
	u32 size = obj->link.size8;

	if (unlikely(gch_forget_is_special(obj))) {
		gch_forget_special(h, obj);
		mem = gch_obj_mem(obj);
		size = gch_size(obj);
	}
	h->gen[0].count -= !!h->gen[0].count;	/* no branch: never below 0 */
	h->nobjects--;
	h->bytes -= size;
	h->mem -= mem;
	h->freed++;
}

/* Take a dead object out of the heap: its list, its counts, its handle. */
static __always_inline void gch_unpublish(struct gch_heap *h,
					  struct gch_obj *obj)
{
	if (gch_tracked(obj))
		gch_list_del(h, obj);
	gch_forget(h, obj);
	gch_handle_free(h, obj->idx, obj->seq);
}

/*
 * A dead object's memory: a plain object's cell back to its chunk, any
 * other object freed after unlocking.
 */
static __always_inline void gch_reap_add(struct gch_heap *h,
					 struct gch_reap *r,
					 struct gch_obj *obj)
{
	if (gch_obj_is_plain(obj)) {
		gch_cell_put(h, obj, r);
		return;
	}
	gch_set_free_next(obj, r->head);
	r->head = obj;
}

/*
 * Release @obj now if it keeps nothing else alive and needs no more than
 * its own steps: a cell, in no list, with every slot empty, no finalizer,
 * weakref or ext, not frozen.  Return: whether it did.
 */
static __always_inline bool gch_release_lone(struct gch_heap *h,
					     struct gch_obj *obj,
					     struct gch_reap *r)
{
	const u32 *slots = (const u32 *)(obj + 1);
	u32 n = obj->link.nslots8, i, any = 0;

	if (unlikely(gch_forget_is_special(obj) | gch_tracked(obj)))
		return false;
	/* inline slots, now that it is a cell: ORed, one branch at the end */
	for (i = 0; i < n; i++)
		any |= slots[i];
	if (unlikely(any))
		return false;
	gch_unpublish(h, obj);
	gch_reap_add(h, r, obj);
	return true;
}

/* gch_decref_zero(), its usual case inline */
static __always_inline void gch_release_zero(struct gch_heap *h,
					     struct gch_obj *obj,
					     struct gch_reap *r)
{
	if (unlikely(!gch_release_lone(h, obj, r)))
		gch_decref_zero(h, obj, r);
}
#endif /* GCHEAP_MODULE_RELEASE_H */
