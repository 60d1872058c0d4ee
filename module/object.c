// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: objects in a heap, from publication to release.
 *
 * An object is published (a handle, generation 0, the heap's counters),
 * lives while references name it, and is released when its count reaches
 * zero: released objects are taken out of the heap under the heap lock and
 * their memory is freed after the lock is dropped (struct gch_reap, see
 * slab.c).  A release of a chain or tree is iterative and reschedules by
 * the work it does.  Everything here runs under the heap lock; see
 * "Locking" in gcheap.h.
 */
#include <linux/sched.h>

#include "ops.h"

/**
 * gch_yield() - gch_resched()'s slow path: reschedule, counting it
 * @h: the heap, locked
 */
void gch_yield(struct gch_heap *h)
{
	lockdep_assert_held(&h->lock);
	h->yields++;
	cond_resched();
}
EXPORT_SYMBOL_IF_KUNIT(gch_yield);

/**
 * gch_obj_publish() - give a new object a ref and put it in generation 0
 * @h: the heap, locked
 * @obj: from gch_obj_alloc()
 *
 * Return: 0, or -EDQUOT (a limit) or -ENOMEM (the handle table) with
 * nothing changed.
 */
int gch_obj_publish(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	return gch_publish(h, obj);
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_publish);

/**
 * gch_op_publish() - publish a new object, collecting once if that helps
 * @h: the heap, locked
 * @obj: from gch_obj_alloc()
 * @r: collects what a collection frees
 * @ref: the object's ref
 *
 * When a limit would be exceeded, a full collection runs first (see
 * gch_collect_for_room()), so that garbage not yet collected never makes
 * an allocation fail.
 *
 * Return: 0, -EDQUOT or -ENOMEM.
 */
int gch_op_publish(struct gch_heap *h, struct gch_obj *obj,
		   struct gch_reap *r, u64 *ref)
{
	int ret = gch_publish_or_collect(h, obj, r);

	lockdep_assert_held(&h->lock);
	if (!ret)
		*ref = gch_ref_of(h, obj);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(gch_op_publish);

/* What gch_forget() does for objects with weakrefs, an ext or frozen. */
static void gch_forget_special(struct gch_heap *h, struct gch_obj *obj)
{
	if (obj->flags & GCH_OF_WEAKREFS)
		gch_weak_clear(h, obj);
	if (obj->flags & GCH_OF_FINALIZE)
		gch_event_unqueue(h, gch_ext(obj)->fin);
	if (obj->gen == GCH_GEN_PERMANENT)
		h->nfrozen--;
	if (obj->flags & GCH_OF_EXT)
		gch_tag_account(h, obj, false);
}

/* Take a dead object out of the heap, but for its list. */
static __always_inline void gch_forget(struct gch_heap *h, struct gch_obj *obj)
{
	/* GCH_OF_FINALIZE implies GCH_OF_EXT */
	if (unlikely(obj->flags & (GCH_OF_WEAKREFS | GCH_OF_EXT) ||
		     obj->gen == GCH_GEN_PERMANENT))
		gch_forget_special(h, obj);
	if (h->gen[0].count)
		h->gen[0].count--;
	h->nobjects--;
	h->bytes -= gch_size(obj);
	h->mem -= gch_obj_mem(obj);
	h->freed++;
}

/* Take a dead object out of the heap and push it on the release stack. */
static __always_inline void gch_unpublish(struct gch_heap *h,
					  struct gch_obj *obj,
					  struct gch_obj **stack)
{
	if (gch_tracked(obj))
		gch_list_del(h, obj);
	gch_forget(h, obj);
	gch_handle_free(h, obj->idx, obj->seq);
	gch_set_free_next(obj, *stack);
	*stack = obj;
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

/**
 * gch_obj_reap() - take a dead object out of its heap, leaving its slots
 * @h: the heap, locked
 * @obj: an object the collector found unreachable, out of every list,
 *	 whose references to objects outside its garbage set are dropped
 * @r: where its memory goes, to be freed after unlocking
 *
 * Its handle is held back until the collection ends (gch_handle_hold()):
 * slots of garbage not yet freed may still name it.
 */
void gch_obj_reap(struct gch_heap *h, struct gch_obj *obj,
		  struct gch_reap *r)
{
	lockdep_assert_held(&h->lock);
	gch_forget(h, obj);
	gch_handle_hold(h, obj->idx, obj->seq);
	gch_reap_add(h, r, obj);
}

/*
 * Release an object whose count reached zero and, iteratively, everything
 * it alone kept alive.  The stack is threaded through the dying objects
 * themselves, so a chain of any length takes no extra memory and no
 * recursion.
 */
static void gch_release_chain(struct gch_heap *h, struct gch_obj *obj,
			      struct gch_reap *r)
{
	struct gch_obj *stack = NULL;
	unsigned long work = 0;

	gch_unpublish(h, obj, &stack);
	while (stack) {
		struct gch_obj *o = stack;
		u32 *slots = gch_slots(o);
		u32 i;

		stack = gch_free_next(o);
		for (i = 0; i < gch_nslots(o); i++) {
			struct gch_obj *t;

			t = gch_slot_obj(h, slots[i]);
			if (!t)
				continue;
			gch_touch(h, t);
			if (--t->refcnt)
				continue;
			if (t->flags & GCH_OF_FINALIZE &&
			    gch_wants_finalize(h, t))
				gch_finalize(h, t);
			else
				gch_unpublish(h, t, &stack);
		}
		gch_resched(h, &work, 1 + gch_nslots(o));
		gch_reap_add(h, r, o);
	}
}

/**
 * gch_decref_zero() - what gch_decref() does when the count reaches zero
 * @h: the heap, locked
 * @obj: the object whose last reference went
 * @r: collects what dies
 *
 * A finalizable object not yet finalized gets its FINALIZE event; any
 * other is released, with everything it alone kept alive.
 */
void gch_decref_zero(struct gch_heap *h, struct gch_obj *obj,
		     struct gch_reap *r)
{
	lockdep_assert_held(&h->lock);
	if (obj->flags & GCH_OF_FINALIZE && gch_wants_finalize(h, obj))
		gch_finalize(h, obj);
	else
		gch_release_chain(h, obj, r);
}
EXPORT_SYMBOL_IF_KUNIT(gch_decref_zero);

/**
 * gch_set_slot() - store a reference in a slot
 * @h: the heap, locked
 * @obj: a live object
 * @slot: an index below gch_nslots(@obj)
 * @target: a live object of @h, or NULL to clear the slot
 * @r: collects what dies
 *
 * Return: 0, or -EOVERFLOW with nothing changed.
 */
int gch_set_slot(struct gch_heap *h, struct gch_obj *obj, u32 slot,
		 struct gch_obj *target, struct gch_reap *r)
{
	u32 *slots = gch_slots(obj);
	u32 old = slots[slot];
	int ret;

	lockdep_assert_held(&h->lock);
	gch_touch(h, obj);
	if (target) {
		ret = gch_incref(h, target);
		if (ret)
			return ret;
		gch_track_for(h, obj, target);
	}
	slots[slot] = target ? target->idx : 0;
	if (gch_slot_obj(h, old))
		gch_decref(h, gch_slot_obj(h, old), r);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_set_slot);
