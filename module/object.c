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
 * gch_cell_alloc() - a new plain object, published
 * @h: the heap, locked
 * @nslots: slots, as validated
 * @size: payload bytes, for which gch_is_inline(@nslots, @size, 0) holds
 * @out: the object, holding the caller's reference
 *
 * gch_op_alloc_plain() without the collection for room: its second try.
 *
 * Return: 0, -EDQUOT or -ENOMEM, with nothing changed.
 */
int gch_cell_alloc(struct gch_heap *h, u32 nslots, u32 size,
		   struct gch_obj **out)
{
	lockdep_assert_held(&h->lock);
	return gch_cell_publish(h, nslots, size, out);
}

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

/**
 * gch_forget_special() - what gch_forget() does for objects with weakrefs,
 *			  an ext or data beside them, or frozen
 * @h: the heap, locked
 * @obj: an object going out of it
 */
void gch_forget_special(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	if (obj->flags & GCH_OF_WEAKREFS)
		gch_weak_clear(h, obj);
	if (obj->flags & GCH_OF_FINALIZE)
		gch_event_unqueue(h, gch_ext(obj)->fin);
	if (obj->gen == GCH_GEN_PERMANENT)
		h->nfrozen--;
	if (obj->flags & GCH_OF_EXT)
		gch_tag_account(h, obj, false);
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
	gch_release_zero(h, obj, r);
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
