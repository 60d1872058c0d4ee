// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: the object operations, as single ioctls and batch entries both
 * run them.  Each takes refs exactly as user space gave them, runs under
 * the heap lock (held by the caller; see "Locking" in gcheap.h), checks
 * everything before it changes anything, and owns no lock.
 */
#include <linux/nospec.h>

#include "gcheap.h"

/**
 * gch_op_refop() - the program takes or drops a reference (object, weakref)
 * @h: the heap, locked
 * @ref: from user space
 * @inc: take (true) or drop (false)
 * @r: collects what dies
 *
 * Return: 0, -ESTALE, -EOVERFLOW, or -EINVAL for a drop of a reference the
 * program does not hold.
 */
int gch_op_refop(struct gch_heap *h, u64 ref, bool inc, struct gch_reap *r)
{
	struct gch_obj *obj = gch_lookup(h, ref);
	struct gch_weak *w;

	lockdep_assert_held(&h->lock);
	if (obj)
		return inc ? gch_user_get(h, obj) : gch_user_put(h, obj, r);
	w = gch_lookup_weak(h, ref);
	if (!w)
		return -ESTALE;
	return inc ? gch_weak_user_get(h, w) : gch_weak_user_put(h, w);
}

/*
 * A program's slot index, checked against the object's slot count and
 * clamped under speculation.  Return: the index, or -EINVAL.
 */
static __always_inline long gch_slot_index(struct gch_obj *obj, u32 slot)
{
	unsigned long i = slot, n = gch_nslots(obj);

	if (i >= n)
		return -EINVAL;
	return array_index_nospec(i, n);
}

/**
 * gch_op_set_slot() - store a reference (or null) in a slot
 * @h: the heap, locked
 * @ref: the object
 * @slot: the slot
 * @target: the object to store, or 0
 * @r: collects what dies
 *
 * Return: 0, -ESTALE, -EINVAL (slot), -EPERM (sealed) or -EOVERFLOW.
 */
int gch_op_set_slot(struct gch_heap *h, u64 ref, u32 slot, u64 target,
		    struct gch_reap *r)
{
	struct gch_obj *obj = gch_lookup(h, ref), *t = NULL;
	long i;

	lockdep_assert_held(&h->lock);
	if (target)
		t = gch_lookup(h, target);
	if (!obj || (target && !t))
		return -ESTALE;
	i = gch_slot_index(obj, slot);
	if (i < 0)
		return i;
	if (obj->sealed)
		return -EPERM;
	return gch_set_slot(h, obj, i, t, r);
}
EXPORT_SYMBOL_IF_KUNIT(gch_op_set_slot);

/**
 * gch_op_seal() - seal an object: its slots can no longer be set
 * @h: the heap, locked
 * @ref: the object
 *
 * Neither its count nor its slots change, so the collector's barrier is
 * not involved; what changes is whether objects that come to name it are
 * tracked for it (gch_may_be_tracked()).
 *
 * Return: 0 or -ESTALE.
 */
int gch_op_seal(struct gch_heap *h, u64 ref)
{
	struct gch_obj *obj = gch_lookup(h, ref);

	lockdep_assert_held(&h->lock);
	if (!obj)
		return -ESTALE;
	obj->sealed = 1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_op_seal);

/**
 * gch_op_get_slot() - a new reference to what a slot names
 * @h: the heap, locked
 * @ref: the object
 * @slot: the slot
 * @out: the new reference, or 0 for an empty slot
 *
 * Return: 0, -ESTALE, -EINVAL (slot) or -EOVERFLOW.
 */
int gch_op_get_slot(struct gch_heap *h, u64 ref, u32 slot, u64 *out)
{
	struct gch_obj *obj = gch_lookup(h, ref), *t;
	long i;
	int ret;

	lockdep_assert_held(&h->lock);
	if (!obj)
		return -ESTALE;
	i = gch_slot_index(obj, slot);
	if (i < 0)
		return i;
	*out = 0;
	t = gch_slot_obj(h, gch_slots(obj)[i]);
	if (!t)
		return 0;
	ret = gch_user_get(h, t);
	if (!ret)
		*out = gch_ref_of(h, t);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(gch_op_get_slot);

/**
 * gch_op_payload() - where [off, off + len) of an object's payload is
 * @h: the heap, locked
 * @ref: the object
 * @off: offset
 * @len: length
 * @p: the bytes, valid while the lock is held
 *
 * Return: 0, -ESTALE, or -EINVAL for a range outside the payload.
 */
int gch_op_payload(struct gch_heap *h, u64 ref, u32 off, u32 len, u8 **p)
{
	struct gch_obj *obj = gch_lookup(h, ref);

	lockdep_assert_held(&h->lock);
	if (!obj)
		return -ESTALE;
	if (len > obj->size || off > obj->size - len)
		return -EINVAL;
	*p = gch_payload(obj) + off;
	return 0;
}

/**
 * gch_op_peek_slot() - what a slot names, as a borrowed ref
 * @h: the heap, locked
 * @ref: the object
 * @slot: the slot
 * @out: the ref in the slot, or 0; no new reference is taken
 *
 * Return: 0, -ESTALE or -EINVAL (slot).
 */
int gch_op_peek_slot(struct gch_heap *h, u64 ref, u32 slot, u64 *out)
{
	struct gch_obj *obj = gch_lookup(h, ref), *t;
	long i;

	lockdep_assert_held(&h->lock);
	if (!obj)
		return -ESTALE;
	i = gch_slot_index(obj, slot);
	if (i < 0)
		return i;
	t = gch_slot_obj(h, gch_slots(obj)[i]);
	*out = t ? gch_ref_of(h, t) : 0;
	return 0;
}
