/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcheap: releasing an object whose count reached zero, and what it alone
 * kept alive, inline where the operations drop references (the batch
 * loop, the single ioctls: ops.h) and out of line for every other caller
 * (gch_decref_zero(), object.c).  Under emulation a call, and a return
 * above all, costs far more than its count of instructions
 * (BENCHMARKS.md, "Eleventh session").  Everything here runs under the
 * heap lock, held by the caller; see "Locking" in gcheap.h.
 */
#ifndef GCHEAP_MODULE_RELEASE_H
#define GCHEAP_MODULE_RELEASE_H

#include "gcheap.h"

/* Take a dead object out of the heap, but for its list. */
static __always_inline void gch_forget(struct gch_heap *h, struct gch_obj *obj)
{
	u64 mem = gch_cell_mem(obj->link.nslots8, obj->link.size8);
	u32 size = obj->link.size8;

	/* GCH_OF_FINALIZE implies GCH_OF_EXT */
	if (unlikely(obj->flags & (GCH_OF_WEAKREFS | GCH_OF_EXT) ||
		     obj->gen == GCH_GEN_PERMANENT ||
		     !gch_obj_is_inline(obj))) {
		gch_forget_special(h, obj);
		mem = gch_obj_mem(obj);
		size = gch_size(obj);
	}
	if (h->gen[0].count)
		h->gen[0].count--;
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
 * Drop the references a dead object's slots hold; an object that dies of
 * it is unpublished and pushed on @stack.  The handle table neither moves
 * nor grows meanwhile (only an allocation grows it).  Return: the slots.
 */
static __always_inline u32 gch_release_slots(struct gch_heap *h,
					     struct gch_obj *o,
					     struct gch_obj **stack)
{
	const u64 *table = h->table;
	u32 used = h->table_used, n = gch_nslots(o), i;
	const u32 *slots = gch_slots(o);

	for (i = 0; i < n; i++) {
		struct gch_obj *t = gch_slot_in(table, used, slots[i]);

		if (!t)
			continue;
		gch_touch(h, t);
		if (--t->refcnt)
			continue;
		if (t->flags & GCH_OF_FINALIZE && gch_wants_finalize(h, t)) {
			gch_finalize(h, t);
			continue;
		}
		gch_unpublish(h, t);
		gch_set_free_next(t, *stack);
		*stack = t;
	}
	return n;
}

/*
 * Release an object whose count reached zero and, iteratively, everything
 * it alone kept alive.  The stack is threaded through the dying objects
 * themselves, so a chain of any length takes no extra memory and no
 * recursion.
 */
static __always_inline void gch_release_chain(struct gch_heap *h,
					      struct gch_obj *obj,
					      struct gch_reap *r)
{
	struct gch_obj *stack = NULL;
	unsigned long work = 0;

	gch_unpublish(h, obj);
	for (;;) {
		u32 n = gch_release_slots(h, obj, &stack);

		gch_resched(h, &work, 1 + n);
		gch_reap_add(h, r, obj);
		if (!stack)
			return;
		obj = stack;
		stack = gch_free_next(obj);
	}
}

/* gch_decref_zero(), inline */
static __always_inline void gch_release_zero(struct gch_heap *h,
					     struct gch_obj *obj,
					     struct gch_reap *r)
{
	if (obj->flags & GCH_OF_FINALIZE && gch_wants_finalize(h, obj))
		gch_finalize(h, obj);
	else
		gch_release_chain(h, obj, r);
}
#endif /* GCHEAP_MODULE_RELEASE_H */
