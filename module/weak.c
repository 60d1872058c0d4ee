// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: weak references and finalization (PEP 442 semantics).
 *
 * A weakref is a handle of its own kind (its table entry is tagged
 * GCH_ENT_WEAK) naming a struct gch_weak.  The weakrefs to one object are a
 * circular list; h->weak_heads maps the object's index to one of them, and
 * the object carries GCH_OF_WEAKREFS while the list is not empty.  When the
 * object dies, every weakref to it is cleared (target 0) and each made with
 * GCH_WEAK_NOTIFY queues its WEAKREF event, which holds a reference to the
 * weakref until read.
 *
 * A finalizable object whose refcount reaches zero for the first time is
 * not freed: it is marked finalized and its FINALIZE event, holding the one
 * reference left, is queued.
 *
 * No lock is owned here: everything runs under the heap's lock (see
 * "Locking" in gcheap.h).
 */
#include <linux/slab.h>
#include <linux/xarray.h>

#include "gcheap.h"

/**
 * gch_weak_ref_of() - the ref that names a weakref
 * @h: its heap
 * @w: the weakref
 *
 * Return: the ref.
 */
u64 gch_weak_ref_of(const struct gch_heap *h, const struct gch_weak *w)
{
	return gch_ref_make(h, w->seq, w->idx);
}
EXPORT_SYMBOL_IF_KUNIT(gch_weak_ref_of);

/**
 * gch_lookup_weak() - the live weakref a ref names
 * @h: the heap, locked
 * @ref: any value from user space
 *
 * Return: the weakref, or NULL if @ref names no weakref of @h.
 */
struct gch_weak *gch_lookup_weak(struct gch_heap *h, u64 ref)
{
	u64 ent = gch_ref_entry(h, ref);
	struct gch_weak *w;

	lockdep_assert_held(&h->lock);
	if ((ent & (GCH_ENT_FREE | GCH_ENT_WEAK)) != GCH_ENT_WEAK)
		return NULL;
	w = (struct gch_weak *)(uintptr_t)(ent & ~GCH_ENT_WEAK);
	if (w->seq != gch_ref_seq(ref))
		return NULL;
	return w;
}
EXPORT_SYMBOL_IF_KUNIT(gch_lookup_weak);

/* Add @w to the weakrefs of @obj. */
static int gch_weak_link(struct gch_heap *h, struct gch_obj *obj,
			 struct gch_weak *w)
{
	struct gch_weak *head;
	int ret;

	if (obj->flags & GCH_OF_WEAKREFS) {
		head = xa_load(&h->weak_heads, obj->idx);
		list_add_tail(&w->siblings, &head->siblings);
		return 0;
	}
	ret = xa_err(xa_store(&h->weak_heads, obj->idx, w, GCH_GFP));
	if (ret)
		return ret;
	INIT_LIST_HEAD(&w->siblings);
	obj->flags |= GCH_OF_WEAKREFS;
	return 0;
}

/* Take @w out of its object's weakrefs. */
static void gch_weak_unlink(struct gch_heap *h, struct gch_weak *w)
{
	struct gch_obj *obj = gch_at(h, w->target);
	struct gch_weak *next;

	if (xa_load(&h->weak_heads, obj->idx) == w) {
		if (list_empty(&w->siblings)) {
			xa_erase(&h->weak_heads, obj->idx);
			obj->flags &= ~GCH_OF_WEAKREFS;
		} else {
			next = list_first_entry(&w->siblings, struct gch_weak,
						siblings);
			/* Replacing a present entry allocates nothing. */
			xa_store(&h->weak_heads, obj->idx, next, GFP_NOWAIT);
		}
	}
	list_del_init(&w->siblings);
	w->target = 0;
}

/**
 * gch_weak_new() - create a weak reference to an object
 * @h: the heap, locked
 * @obj: a live object
 * @flags: GCH_WEAK_*, validated
 * @cookie: echoed in its WEAKREF event
 * @wref: the new weakref's ref, holding one reference
 *
 * Return: 0, -ENOMEM, or -EDQUOT (the heap's object limit), with nothing
 * changed on failure.
 */
int gch_weak_new(struct gch_heap *h, struct gch_obj *obj, u32 flags,
		 u64 cookie, u64 *wref)
{
	struct gch_weak *w;
	u32 idx, seq;
	int ret;

	lockdep_assert_held(&h->lock);
	if (!gch_heap_room(h, GCH_WEAK_MEM))
		return -EDQUOT;
	w = kzalloc(sizeof(*w), GCH_GFP);
	if (!w)
		return -ENOMEM;
	ret = gch_handle_alloc(h, &idx, &seq);
	if (ret)
		goto err_free;
	ret = gch_weak_link(h, obj, w);
	if (ret)
		goto err_handle;
	INIT_LIST_HEAD(&w->node.link);
	w->node.ev.type = GCH_EV_WEAKREF;
	w->node.ev.cookie = cookie;
	w->refcnt = 1;
	w->urefs = 1;
	w->target = obj->idx;
	w->idx = idx;
	w->seq = seq;
	w->flags = flags;
	w->node.ev.ref = gch_weak_ref_of(h, w);
	h->table[idx] = (uintptr_t)w | GCH_ENT_WEAK;
	h->nweak++;
	h->mem += GCH_WEAK_MEM;
	*wref = w->node.ev.ref;
	return 0;

err_handle:
	gch_handle_free(h, idx, seq);
err_free:
	kfree(w);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(gch_weak_new);

/**
 * gch_weak_user_get() - hand the program one more reference to a weakref
 * @h: the heap, locked
 * @w: the weakref
 *
 * Return: 0, or -EOVERFLOW if the count is at GCH_REF_MAX.
 */
int gch_weak_user_get(struct gch_heap *h, struct gch_weak *w)
{
	lockdep_assert_held(&h->lock);
	if (w->refcnt >= GCH_REF_MAX)
		return -EOVERFLOW;
	w->refcnt++;
	w->urefs++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_weak_user_get);

/* Drop a reference to a weakref, freeing it at zero. */
static void gch_weak_decref(struct gch_heap *h, struct gch_weak *w)
{
	if (--w->refcnt)
		return;
	if (w->target)
		gch_weak_unlink(h, w);
	gch_event_unqueue(h, &w->node);
	gch_handle_free(h, w->idx, w->seq);
	h->nweak--;
	h->mem -= GCH_WEAK_MEM;
	kfree(w);
}

/**
 * gch_weak_user_put() - drop a reference the program holds to a weakref
 * @h: the heap, locked
 * @w: the weakref
 *
 * Return: 0, or -EINVAL with nothing changed if the program holds none (a
 * queued WEAKREF event's reference is not the program's until read).
 */
int gch_weak_user_put(struct gch_heap *h, struct gch_weak *w)
{
	lockdep_assert_held(&h->lock);
	if (!w->urefs)
		return -EINVAL;
	w->urefs--;
	gch_weak_decref(h, w);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_weak_user_put);

/* Clear one weakref of a dying object; notify if it asked for it. */
static void gch_weak_kill(struct gch_heap *h, struct gch_weak *w)
{
	w->target = 0;
	if (!(w->flags & GCH_WEAK_NOTIFY) || !(h->event_mask & GCH_EV_WEAKREF))
		return;
	w->refcnt++;	/* the event's, once: GCH_REF_MAX left room */
	gch_event_queue(h, &w->node);
}

/**
 * gch_weak_clear() - clear every weakref to an object that dies
 * @h: the heap, locked
 * @obj: an object with GCH_OF_WEAKREFS
 *
 * Each GCH_WEAK_NOTIFY weakref queues its one WEAKREF event.
 */
void gch_weak_clear(struct gch_heap *h, struct gch_obj *obj)
{
	struct gch_weak *head = xa_erase(&h->weak_heads, obj->idx);
	struct gch_weak *w, *tmp;

	lockdep_assert_held(&h->lock);
	obj->flags &= ~GCH_OF_WEAKREFS;
	if (!head)
		return;
	list_for_each_entry_safe(w, tmp, &head->siblings, siblings) {
		list_del_init(&w->siblings);
		gch_weak_kill(h, w);
	}
	gch_weak_kill(h, head);
}

/**
 * gch_wants_finalize() - whether an object's death should finalize it
 * @h: the heap, locked
 * @obj: an object whose refcount reached zero, or found unreachable
 *
 * Return: true for a finalizable object not finalized yet, while the heap
 * takes FINALIZE events.
 */
bool gch_wants_finalize(const struct gch_heap *h, const struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	return (obj->flags & (GCH_OF_FINALIZE | GCH_OF_FINALIZED)) ==
	       GCH_OF_FINALIZE && (h->event_mask & GCH_EV_FINALIZE);
}

/**
 * gch_finalize() - mark an object finalized and queue its FINALIZE event
 * @h: the heap, locked
 * @obj: an object for which gch_wants_finalize() is true
 *
 * The event takes a reference to the object (handed over by read(2)),
 * which keeps it, and all it keeps, alive.
 */
void gch_finalize(struct gch_heap *h, struct gch_obj *obj)
{
	struct gch_evnode *fin = gch_ext(obj)->fin;

	lockdep_assert_held(&h->lock);
	obj->flags |= GCH_OF_FINALIZED;
	obj->refcnt++;	/* the event's, once: GCH_REF_MAX left room */
	fin->ev.ref = gch_ref_of(h, obj);
	gch_event_queue(h, fin);
}
EXPORT_SYMBOL_IF_KUNIT(gch_finalize);
