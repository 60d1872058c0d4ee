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
 * gch_lookup_collecting() - gch_lookup() of an object a collection holds
 * @h: the heap, locked
 * @obj: the object a ref names, GCH_OF_COLLECTING
 *
 * Return: NULL for garbage the collection is freeing (gone already, see
 * gc.c), else @obj, now a root of the pass deciding: the program named it.
 */
struct gch_obj *gch_lookup_collecting(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	if (obj->flags & GCH_OF_UNREACHABLE && h->pass.phase == GCH_PASS_FREE)
		return NULL;
	gch_pass_touched(h, obj);
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(gch_lookup_collecting);

/**
 * gch_track_new() - gch_track() of an object not tracked yet
 * @h: the heap, locked
 * @obj: a live object in no list
 *
 * Out of line: an object is tracked once in its life.
 */
void gch_track_new(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	gch_list_add_tail(h, GCH_L_GEN0, obj);
}
EXPORT_SYMBOL_IF_KUNIT(gch_track_new);

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
EXPORT_SYMBOL_IF_KUNIT(gch_cell_alloc);

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
EXPORT_SYMBOL_IF_KUNIT(gch_forget_special);

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
static void gch_release_chain(struct gch_heap *h, struct gch_obj *obj,
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
