// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: GCHEAP_IOC_LIST, the collector's introspection (CPython's
 * gc.get_objects, get_referents, get_referrers and gc.garbage).
 *
 * Each listed object is handed out as a new reference.  The refs are
 * gathered under the heap lock into a kernel buffer sized beforehand and
 * copied out after the lock is dropped; if that copy fails, the references
 * are dropped again.  No lock is owned here (see "Locking" in gcheap.h).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "gcheap.h"

/*
 * A listing in progress: @stored of at most @cap refs, @count found,
 * @work done since the walk last rescheduled.
 */
struct gch_lister {
	u64 *refs;
	u64 cap;
	u64 stored;
	u64 count;
	unsigned long work;
	int err;
};

static void gch_lister_add(struct gch_heap *h, struct gch_lister *ls,
			   struct gch_obj *obj)
{
	ls->count++;
	if (ls->stored >= ls->cap || ls->err)
		return;
	ls->err = gch_user_get(h, obj);
	if (!ls->err)
		ls->refs[ls->stored++] = gch_ref_of(h, obj);
}

static void gch_list_objects(struct gch_heap *h, struct gch_lister *ls,
			     enum gch_list l)
{
	struct gch_obj *obj;
	struct gch_iter it;

	obj = gch_iter_start(&it, h, l);
	for (; obj; obj = gch_iter_next(&it)) {
		gch_lister_add(h, ls, obj);
		gch_resched(h, &ls->work, 1);
	}
}

static void gch_list_referents(struct gch_heap *h, struct gch_lister *ls,
			       struct gch_obj *obj)
{
	u32 *slots = gch_slots(obj);
	u32 i;

	for (i = 0; i < gch_nslots(obj); i++) {
		if (gch_slot_obj(h, slots[i]))
			gch_lister_add(h, ls, gch_slot_obj(h, slots[i]));
		gch_resched(h, &ls->work, 1);
	}
}

static bool gch_points_at(struct gch_obj *obj, u32 idx)
{
	u32 *slots = gch_slots(obj);
	u32 i;

	for (i = 0; i < gch_nslots(obj); i++)
		if (slots[i] == idx)
			return true;
	return false;
}

/*
 * The untracked objects that name @target, in table order.  Only an
 * object that never will be tracked can have any (gch_track_for()).
 */
static void gch_list_untracked_referrers(struct gch_heap *h,
					 struct gch_lister *ls,
					 struct gch_obj *target)
{
	struct gch_obj *obj;
	u64 ent;
	u32 i;

	for (i = 1; i < h->table_used; i++) {
		ent = h->table[i];
		obj = ent & (GCH_ENT_FREE | GCH_ENT_WEAK) ? NULL : gch_ent_obj(ent);
		if (obj && !gch_tracked(obj) && gch_points_at(obj, target->idx))
			gch_lister_add(h, ls, obj);
		gch_resched(h, &ls->work, 1 + (obj ? gch_nslots(obj) : 0));
	}
}

/*
 * Every object that names it: the tracked ones (frozen and saved garbage
 * included) in list order, then the untracked ones.
 */
static void gch_list_referrers(struct gch_heap *h, struct gch_lister *ls,
			       struct gch_obj *target)
{
	static const enum gch_list lists[] = {
		GCH_L_GEN0, GCH_L_GEN1, GCH_L_GEN2, GCH_L_PERMANENT,
		GCH_L_GARBAGE,
	};
	struct gch_obj *obj;
	unsigned int i;
	struct gch_iter it;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		obj = gch_iter_start(&it, h, lists[i]);
		for (; obj; obj = gch_iter_next(&it)) {
			if (gch_points_at(obj, target->idx))
				gch_lister_add(h, ls, obj);
			gch_resched(h, &ls->work, 1 + gch_nslots(obj));
		}
	}
	if (!gch_may_be_tracked(target))
		gch_list_untracked_referrers(h, ls, target);
}

static int gch_list_locked(struct gch_heap *h, const struct gcheap_list *a,
			   struct gch_lister *ls)
{
	struct gch_obj *obj = NULL;
	int g;

	if (a->what == GCHEAP_LIST_REFERENTS ||
	    a->what == GCHEAP_LIST_REFERRERS) {
		obj = gch_lookup(h, a->ref);
		if (!obj)
			return -ESTALE;
	}
	switch (a->what) {
	case GCHEAP_LIST_OBJECTS:
		for (g = 0; g < GCH_NGEN; g++)
			if (a->generation == GCH_GEN_ALL || a->generation == g)
				gch_list_objects(h, ls, GCH_L_GEN0 + g);
		break;
	case GCHEAP_LIST_REFERENTS:
		gch_list_referents(h, ls, obj);
		break;
	case GCHEAP_LIST_REFERRERS:
		gch_list_referrers(h, ls, obj);
		break;
	case GCHEAP_LIST_GARBAGE:
		gch_list_objects(h, ls, GCH_L_GARBAGE);
		break;
	}
	return ls->err;
}

/* Drop the first @n references of @refs (a failed listing's). */
static void gch_list_undo(struct gch_heap *h, const u64 *refs, u64 n)
{
	struct gch_reap r = {};
	struct gch_obj *obj;
	u64 i;

	gch_heap_lock(h);
	for (i = 0; i < n; i++) {
		obj = gch_lookup(h, refs[i]);
		if (obj)
			gch_user_put(h, obj, &r);
	}
	gch_heap_unlock(h, &r);
}

static int gch_list_check(const struct gcheap_list *a)
{
	if (a->flags || a->count)
		return -EINVAL;
	switch (a->what) {
	case GCHEAP_LIST_OBJECTS:
		if (a->ref || a->generation < GCH_GEN_ALL ||
		    a->generation >= GCH_NGEN)
			return -EINVAL;
		return 0;
	case GCHEAP_LIST_REFERENTS:
	case GCHEAP_LIST_REFERRERS:
		return a->generation ? -EINVAL : 0;
	case GCHEAP_LIST_GARBAGE:
		return a->generation || a->ref ? -EINVAL : 0;
	}
	return -EINVAL;
}

/* Objects and referrers need the generations whole: 0 or -EINTR. */
static int gch_list_lock(struct gch_heap *h, const struct gcheap_list *a)
{
	if (a->what == GCHEAP_LIST_OBJECTS ||
	    a->what == GCHEAP_LIST_REFERRERS)
		return gch_lock_idle(h);
	gch_heap_lock(h);
	return 0;
}

/*
 * Gather the list into a buffer of at most @cap refs.  The buffer is sized
 * from a first count, without the lock; should the list have grown past it
 * meanwhile, it is sized again.
 */
static int gch_list_gather(struct gch_heap *h, const struct gcheap_list *a,
			   struct gch_lister *ls)
{
	u64 want = min_t(u64, a->cap, READ_ONCE(h->nobjects) + 16);
	int ret;

	for (;;) {
		ls->refs = want ? kvmalloc_array(want, sizeof(u64),
						 GCH_GFP) : NULL;
		if (want && !ls->refs)
			return -ENOMEM;
		ls->cap = want;
		ls->stored = 0;
		ls->count = 0;
		ls->err = 0;
		ret = gch_list_lock(h, a);
		if (ret) {
			kvfree(ls->refs);
			return ret;
		}
		ret = gch_list_locked(h, a, ls);
		if (!ret && ls->count > want && want < a->cap) {
			ls->err = -EAGAIN;	/* too small: undo, resize */
			ret = -EAGAIN;
		}
		mutex_unlock(&h->lock);
		if (ret != -EAGAIN || !ls->refs)
			break;
		gch_list_undo(h, ls->refs, ls->stored);
		kvfree(ls->refs);
		want = min_t(u64, a->cap, ls->count + 16);
	}
	if (ret) {
		gch_list_undo(h, ls->refs, ls->stored);
		kvfree(ls->refs);
	}
	return ret;
}

/**
 * gch_ioc_list() - GCHEAP_IOC_LIST
 * @h: the heap
 * @arg: a struct gcheap_list, copied in
 *
 * Return: 0, -EINVAL, -ESTALE, -ENOMEM, -EOVERFLOW (a saturated refcount)
 * or -EFAULT, with nothing changed on failure.
 */
int gch_ioc_list(struct gch_heap *h, void *arg)
{
	struct gcheap_list *a = arg;
	struct gch_lister ls = {};
	int ret;

	ret = gch_list_check(a);
	if (ret)
		return ret;
	ret = gch_list_gather(h, a, &ls);
	if (ret)
		return ret;
	if (ls.stored && copy_to_user(u64_to_user_ptr(a->buf), ls.refs,
				      ls.stored * sizeof(u64))) {
		gch_list_undo(h, ls.refs, ls.stored);
		ret = -EFAULT;
	}
	kvfree(ls.refs);
	a->count = ls.count;
	return ret;
}

/**
 * gch_undo_list() - drop the references a listing stored at its buffer
 * @h: the heap
 * @arg: the struct gcheap_list whose copy-out failed
 *
 * The refs are read back from the caller's buffer: a caller who changed
 * them meanwhile can only drop references it holds, as gch_decref() could.
 */
void gch_undo_list(struct gch_heap *h, void *arg)
{
	struct gcheap_list *a = arg;
	u64 __user *buf = u64_to_user_ptr(a->buf);
	u64 i, n = min_t(u64, a->count, a->cap), ref;
	unsigned long work = 0;

	for (i = 0; i < n; i++) {
		if (get_user(ref, buf + i))
			break;
		gch_list_undo(h, &ref, 1);
		if (gch_resched_due(&work, 1))
			cond_resched();
	}
}
