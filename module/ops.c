// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: the object operations, as single ioctls and batch entries both
 * run them (the ones programs run most are inline, in ops.h).  Each takes
 * refs exactly as user space gave them, runs under the heap lock (held by
 * the caller; see "Locking" in gcheap.h), checks everything before it
 * changes anything, and owns no lock.
 */
#include "ops.h"

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
	struct gch_obj *t;
	int ret;

	lockdep_assert_held(&h->lock);
	ret = gch_op_slot_target(h, ref, slot, &t);
	if (ret)
		return ret;
	*out = 0;
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
	if (len > gch_size(obj) || off > gch_size(obj) - len)
		return -EINVAL;
	*p = gch_payload(obj) + off;
	return 0;
}
