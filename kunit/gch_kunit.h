/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by gcheap's KUnit suites: a heap per test, objects built
 * the way the ioctls build them, under the heap's lock.
 */
#ifndef GCH_KUNIT_H
#define GCH_KUNIT_H

#include <kunit/test.h>

#include "ops.h"

/* A published object with @nslots slots and @size payload bytes. */
/*
 * An object of shape @a in no heap yet, from where the ioctls take it: a
 * cell of @h's chunks if it is plain, else a slab object of its own.
 */
static inline struct gch_obj *gk_new(struct gch_heap *h,
				     const struct gcheap_alloc *a)
{
	struct gch_obj *obj;

	if (!gch_alloc_is_plain(a))
		return gch_obj_alloc(a, GCH_GFP);
	mutex_lock(&h->lock);
	obj = gch_cache_take(h, a->nslots, a->size);
	if (obj)
		obj->sealed = !!(a->flags & GCH_ALLOC_SEALED);
	mutex_unlock(&h->lock);
	return obj;
}

/* Free what gk_new() made, never published. */
static inline void gk_unnew(struct gch_heap *h, struct gch_obj *obj)
{
	struct gch_reap r = {};

	if (!gch_obj_is_plain(obj)) {
		gch_obj_free(obj);
		return;
	}
	mutex_lock(&h->lock);
	gch_cell_put(h, obj, &r);
	gch_heap_unlock(h, &r);
}

static inline struct gch_obj *gk_obj(struct kunit *test, struct gch_heap *h,
				     u32 nslots, u32 size, u32 flags)
{
	struct gcheap_alloc a = {
		.nslots = nslots, .size = size, .flags = flags,
	};
	struct gch_obj *obj = gk_new(h, &a);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, obj);
	mutex_lock(&h->lock);
	ret = gch_obj_publish(h, obj);
	mutex_unlock(&h->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return obj;
}

/*
 * Track an object now, as its first slot set would: for tests of the
 * collector that want an object in a generation without the reference a
 * slot adds (gch_track()).
 */
static inline struct gch_obj *gk_track(struct gch_heap *h,
				       struct gch_obj *obj)
{
	mutex_lock(&h->lock);
	gch_track(h, obj);
	mutex_unlock(&h->lock);
	return obj;
}

/* A tracked object with @nslots empty slots. */
static inline struct gch_obj *gk_tracked(struct kunit *test,
					 struct gch_heap *h, u32 nslots)
{
	return gk_track(h, gk_obj(test, h, nslots, 0, 0));
}

static inline void gk_set(struct kunit *test, struct gch_heap *h,
			  struct gch_obj *obj, u32 slot, struct gch_obj *t)
{
	struct gch_reap r = {};
	int ret;

	mutex_lock(&h->lock);
	ret = gch_set_slot(h, obj, slot, t, &r);
	gch_heap_unlock(h, &r);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* A plain weakref to @obj, the program's: its ref. */
static inline u64 gk_weak(struct kunit *test, struct gch_heap *h,
			  struct gch_obj *obj)
{
	u64 wref = 0;
	int ret;

	mutex_lock(&h->lock);
	ret = gch_weak_new(h, obj, 0, 0, &wref);
	mutex_unlock(&h->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return wref;
}

/* The program drops a reference it holds: 0, or -EINVAL if it holds none. */
static inline int gk_drop(struct gch_heap *h, struct gch_obj *obj)
{
	struct gch_reap r = {};
	int ret;

	mutex_lock(&h->lock);
	ret = gch_user_put(h, obj, &r);
	gch_heap_unlock(h, &r);
	return ret;
}

static inline u64 gk_collect(struct gch_heap *h, int gen)
{
	struct gch_reap r = {};
	u64 found;

	mutex_lock(&h->lock);
	found = gch_collect(h, gen, &r);
	gch_heap_unlock(h, &r);
	return found;
}

static inline u64 gk_objects(struct gch_heap *h)
{
	u64 n;

	mutex_lock(&h->lock);
	n = h->nobjects;
	mutex_unlock(&h->lock);
	return n;
}

/* Whether a ref still names a live object. */
static inline bool gk_alive(struct gch_heap *h, u64 ref)
{
	bool alive;

	mutex_lock(&h->lock);
	alive = gch_lookup(h, ref);
	mutex_unlock(&h->lock);
	return alive;
}

/* A heap per test, with automatic collection off: tests collect. */
static inline int gk_init(struct kunit *test)
{
	struct gcheap_gc gc = { .set = GCH_GC_SET_ENABLED, .enabled = 0 };
	struct gch_heap *h = gch_heap_create();

	if (IS_ERR(h))
		return PTR_ERR(h);
	gch_gc_set(h, &gc);
	test->priv = h;
	return 0;
}

static inline void gk_exit(struct kunit *test)
{
	gch_heap_destroy(test->priv);
}

#endif
