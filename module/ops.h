/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gcheap: the operations programs run most, inline where they are run
 * (the batch loop, the single ioctls): allocating a plain object, taking
 * and dropping a reference, setting and peeking at a slot.  A call and its
 * return were a fifth of a batched refcount op's instructions, and more of
 * its time under emulation (BENCHMARKS.md, "Eighth session").  The other
 * operations are in ops.c and object.c.  Each runs under the heap lock,
 * held by the caller, and checks everything before it changes anything;
 * see "Locking" in gcheap.h.
 */
#ifndef GCHEAP_MODULE_OPS_H
#define GCHEAP_MODULE_OPS_H

#include <linux/nospec.h>
#include <linux/uaccess.h>

#include "release.h"

/**
 * gch_copy_in() - copy a struct from user space, a word at a time
 * @dst: kernel buffer
 * @src: user address
 * @len: bytes
 *
 * An ioctl's struct or a batch op is a few words.  copy_from_user() moves
 * them with a string instruction whose fixed cost dominates at that size
 * (and which emulators such as QEMU's TCG run a byte at a time: measured
 * at 3.6 ns a byte against 0.4 for word moves); single loads do not.
 * Lengths that are not a multiple of a word go through copy_from_user().
 *
 * Return: 0 or -EFAULT.
 */
static __always_inline int gch_copy_in(void *dst, const void __user *src,
				       size_t len)
{
	const unsigned long __user *s = src;
	unsigned long *d = dst;
	size_t i;

	if (len % sizeof(long))
		return copy_from_user(dst, src, len) ? -EFAULT : 0;
	if (!user_access_begin(src, len))
		return -EFAULT;
	/* four words a turn: a batch of ops is five words an op */
	for (i = 0; i + 4 <= len / sizeof(long); i += 4) {
		unsafe_get_user(d[i], &s[i], fault);
		unsafe_get_user(d[i + 1], &s[i + 1], fault);
		unsafe_get_user(d[i + 2], &s[i + 2], fault);
		unsafe_get_user(d[i + 3], &s[i + 3], fault);
	}
	for (; i < len / sizeof(long); i++)
		unsafe_get_user(d[i], &s[i], fault);
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/* What publishing adds to the heap's counters (gch_forget() takes away). */
static __always_inline void gch_count_new(struct gch_heap *h, u32 size,
					  u64 mem)
{
	if (h->gen[0].count != U32_MAX)
		h->gen[0].count++;
	h->nobjects++;
	h->bytes += size;
	h->mem += mem;
	h->allocated++;
	gch_gc_note_alloc(h);
}

/* gch_obj_publish(), inline in object.c's publishing paths */
static __always_inline int gch_publish(struct gch_heap *h,
				       struct gch_obj *obj)
{
	u64 mem = gch_obj_mem(obj);
	u32 idx, seq;
	int ret;

	if (!gch_heap_room(h, mem))
		return -EDQUOT;
	ret = gch_handle_alloc(h, &idx, &seq);
	if (ret)
		return ret;
	ret = obj->flags & GCH_OF_EXT ? gch_tag_prepare(h, obj) : 0;
	if (ret) {
		gch_handle_free(h, idx, seq);
		return ret;
	}
	obj->idx = idx;
	obj->seq = seq;
	h->table[idx] = (uintptr_t)obj;
	if (obj->flags & GCH_OF_EXT)
		gch_tag_account(h, obj, true);
	gch_count_new(h, gch_size(obj), mem);
	return 0;
}

/* gch_obj_publish(), and once more after a full collection for room. */
static __always_inline int gch_publish_or_collect(struct gch_heap *h,
						  struct gch_obj *obj,
						  struct gch_reap *r)
{
	int ret = gch_publish(h, obj);

	if (ret == -EDQUOT && gch_collect_for_room(h, r))
		ret = gch_obj_publish(h, obj);
	return ret;
}

/*
 * A new plain object, published: the handle is taken first, so that the
 * cell's header is written once, whole, with it.
 */
static __always_inline int gch_cell_publish(struct gch_heap *h, u32 nslots,
					    u32 size, struct gch_obj **out)
{
	u64 mem = gch_cell_mem(nslots, size);
	struct gch_obj *obj;
	u32 idx, seq;
	int ret;

	if (unlikely(!gch_heap_room(h, mem)))
		return -EDQUOT;
	ret = gch_handle_alloc(h, &idx, &seq);
	if (unlikely(ret))
		return ret;
	obj = gch_cell_take(h, nslots, size, idx, seq);
	if (unlikely(!obj)) {
		gch_handle_free(h, idx, seq);
		return -ENOMEM;
	}
	h->table[idx] = (uintptr_t)obj;
	gch_count_new(h, size, mem);
	*out = obj;
	return 0;
}

/*
 * gch_op_alloc_plain()'s second try, once a limit refused the first: a full
 * collection for room, then the allocation again (-EDQUOT if nothing could
 * be collected).
 */
static inline int gch_cell_alloc_room(struct gch_heap *h, u32 nslots,
				      u32 size, struct gch_reap *r,
				      struct gch_obj **out)
{
	if (!gch_collect_for_room(h, r))
		return -EDQUOT;
	return gch_cell_alloc(h, nslots, size, out);
}

/**
 * gch_op_alloc_plain() - a new plain object from the heap's chunks, published
 * @h: the heap, locked
 * @nslots: slots, as validated
 * @size: payload bytes, for which gch_is_inline(@nslots, @size, 0) holds
 * @r: collects what a collection for room frees
 * @out: the object, holding the caller's reference
 *
 * When a limit would be exceeded, a full collection runs first and the
 * allocation is tried once more (gch_collect_for_room()).
 *
 * Return: 0, -EDQUOT or -ENOMEM, with nothing changed.
 */
static __always_inline int gch_op_alloc_plain(struct gch_heap *h,
					      u32 nslots, u32 size,
					      struct gch_reap *r,
					      struct gch_obj **out)
{
	int ret = gch_cell_publish(h, nslots, size, out);

	lockdep_assert_held(&h->lock);
	if (unlikely(ret == -EDQUOT))
		ret = gch_cell_alloc_room(h, nslots, size, r, out);
	return ret;
}

/*
 * A program's slot index, checked against the object's slot count and
 * clamped under speculation.  Return: the index, or -EINVAL.
 */
static __always_inline long gch_slot_index(struct gch_obj *obj, u32 slot)
{
	unsigned long i = slot, n = gch_nslots(obj);

	if (unlikely(i >= n))
		return -EINVAL;
	return array_index_nospec(i, n);
}

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
static __always_inline int gch_op_refop(struct gch_heap *h, u64 ref, bool inc,
					struct gch_reap *r)
{
	struct gch_obj *obj = gch_lookup(h, ref);
	struct gch_weak *w;

	lockdep_assert_held(&h->lock);
	if (likely(obj)) {
		int ret;

		if (inc)
			return gch_user_get(h, obj);
		/* gch_user_put(), with the release inline */
		ret = gch_user_drop(h, obj);
		if (ret <= 0)	/* not the last reference, or -EINVAL */
			return ret;
		gch_release_zero(h, obj, r);
		return 0;
	}
	w = gch_lookup_weak(h, ref);
	if (!w)
		return -ESTALE;
	return inc ? gch_weak_user_get(h, w) : gch_weak_user_put(h, w);
}

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
static __always_inline int gch_set_slot(struct gch_heap *h,
					struct gch_obj *obj, u32 slot,
					struct gch_obj *target,
					struct gch_reap *r)
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
static inline int gch_op_set_slot(struct gch_heap *h, u64 ref, u32 slot,
				  u64 target, struct gch_reap *r)
{
	struct gch_obj *obj = gch_lookup(h, ref), *t = NULL;
	long i;

	lockdep_assert_held(&h->lock);
	if (target)
		t = gch_lookup(h, target);
	if (unlikely(!obj || (target && !t)))
		return -ESTALE;
	i = gch_slot_index(obj, slot);
	if (unlikely(i < 0))
		return i;
	if (unlikely(obj->sealed))
		return -EPERM;
	return gch_set_slot(h, obj, i, t, r);
}

/* What slot @slot of @ref names, or NULL.  Return: 0, -ESTALE or -EINVAL. */
static __always_inline int gch_op_slot_target(struct gch_heap *h, u64 ref,
					      u32 slot, struct gch_obj **t)
{
	struct gch_obj *obj = gch_lookup(h, ref);
	long i;

	if (unlikely(!obj))
		return -ESTALE;
	i = gch_slot_index(obj, slot);
	if (unlikely(i < 0))
		return i;
	*t = gch_slot_obj(h, gch_slots(obj)[i]);
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
static inline int gch_op_peek_slot(struct gch_heap *h, u64 ref, u32 slot,
				   u64 *out)
{
	struct gch_obj *t;
	int ret;

	lockdep_assert_held(&h->lock);
	ret = gch_op_slot_target(h, ref, slot, &t);
	if (!ret)
		*out = t ? gch_ref_of(h, t) : 0;
	return ret;
}
#endif /* GCHEAP_MODULE_OPS_H */
