// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a collection in slices, with the program acting between them.
 * Each barrier path (a count or a slot changed, a reference handed out, a
 * release, an allocation) in each phase, with exact expectations: what
 * the program touched survives the pass, what nobody touched is freed,
 * garbage being freed is stale to the program and its handles are not
 * reused before the pass ends.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "gch_kunit.h"

/* Start a full pass; no slice runs yet. */
static void gk_start(struct gch_heap *h)
{
	mutex_lock(&h->lock);
	gch_pass_start(h, GCH_NGEN - 1);
	mutex_unlock(&h->lock);
}

/* One slice of @work; true when the pass is over. */
static bool gk_step(struct gch_heap *h, long work)
{
	struct gch_reap r = {};
	bool done;

	mutex_lock(&h->lock);
	done = gch_pass_step(h, &work, &r);
	gch_heap_unlock(h, &r);
	return done;
}

/* Slices of one object until the pass reaches @phase (or ends). */
static void gk_step_to(struct kunit *test, struct gch_heap *h,
		       enum gch_phase phase)
{
	int n = 0;

	while (h->pass.phase != GCH_PASS_IDLE && h->pass.phase < phase) {
		gk_step(h, 1);
		KUNIT_ASSERT_LT(test, ++n, 100000);
	}
}

/* The rest of the pass, one object a slice; its found count. */
static u64 gk_finish(struct kunit *test, struct gch_heap *h)
{
	int n = 0;

	while (!gk_step(h, 1))
		KUNIT_ASSERT_LT(test, ++n, 100000);
	return h->pass.found;
}

/* a <-> b, which the program no longer holds. */
static void gk_cycle(struct kunit *test, struct gch_heap *h,
		     struct gch_obj **a, struct gch_obj **b)
{
	*a = gk_obj(test, h, 1, 0, 0);
	*b = gk_obj(test, h, 1, 0, 0);
	gk_set(test, h, *a, 0, *b);
	gk_set(test, h, *b, 0, *a);
	gk_drop(h, *a);
	gk_drop(h, *b);
}

/* The program names @ref and takes a reference, as INCREF does. */
static int gk_incref(struct gch_heap *h, u64 ref)
{
	struct gch_obj *obj;
	int ret = -ESTALE;

	mutex_lock(&h->lock);
	obj = gch_lookup(h, ref);
	if (obj)
		ret = gch_user_get(h, obj);
	mutex_unlock(&h->lock);
	return ret;
}

/* Sliced one object at a time, a pass finds what one piece finds. */
static void gch_test_slices_find_the_same(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b, *live[3];
	int i;

	for (i = 0; i < 3; i++)
		live[i] = gk_obj(test, h, 1, 0, 0);
	gk_set(test, h, live[0], 0, live[1]);
	gk_set(test, h, live[1], 0, live[2]);
	gk_set(test, h, live[2], 0, live[0]);
	gk_cycle(test, h, &a, &b);
	gk_start(h);
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 2ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 3ULL);
	KUNIT_EXPECT_GE(test, h->pass.slices, 10ULL);
	KUNIT_EXPECT_EQ(test, h->pass.touched, 0ULL);
	KUNIT_EXPECT_EQ(test, h->gen[GCH_NGEN - 1].stats.collected, 2ULL);
	KUNIT_EXPECT_EQ(test, (u32)live[0]->gen, (u32)GCH_NGEN - 1);
	for (i = 0; i < 3; i++)
		gk_drop(h, live[i]);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 3ULL);
}

/*
 * SET_SLOT to a member whose gc_refs is taken: without the barrier, a
 * and b would count no outside reference and be freed under c's slot.
 */
static void gch_test_slot_set_during_subtract(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b, *c = gk_tracked(test, h, 1);

	gk_cycle(test, h, &a, &b);
	gk_start(h);
	gk_step_to(test, h, GCH_PASS_SUBTRACT);
	KUNIT_ASSERT_TRUE(test, (u32)a->flags & GCH_OF_COLLECTING);
	gk_set(test, h, c, 0, a);
	KUNIT_EXPECT_EQ(test, a->gc_refs, GCH_GC_ROOT);
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 0ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 3ULL);
	KUNIT_EXPECT_EQ(test, h->pass.touched, 2ULL);	/* c and a */
	KUNIT_EXPECT_EQ(test, h->floating, 2ULL);
	gk_set(test, h, c, 0, NULL);
	gk_drop(h, c);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 2ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

/* A ref the program names while gc_refs are taken makes a root. */
static void gch_test_incref_during_update(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b;
	u64 ref;

	gk_cycle(test, h, &a, &b);
	ref = gch_ref_of(h, a);
	gk_start(h);
	gk_step(h, 1);			/* a's gc_refs taken, b's not */
	KUNIT_ASSERT_EQ(test, h->pass.phase, (u8)GCH_PASS_UPDATE);
	KUNIT_EXPECT_EQ(test, gk_incref(h, ref), 0);
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 0ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 2ULL);
	KUNIT_EXPECT_EQ(test, gk_drop(h, a), 0);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 2ULL);
}

/*
 * Found unreachable, then named by the program through a weakref: back
 * to the set, walked again, and everything it reaches survives.
 */
static void gch_test_weakref_get_during_move(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b, *live;
	struct gch_weak *w;
	u64 wref;
	int ret;

	gk_cycle(test, h, &a, &b);
	live = gk_tracked(test, h, 1);	/* the walk stops before it */
	wref = gk_weak(test, h, a);
	gk_start(h);
	gk_step_to(test, h, GCH_PASS_MOVE);
	while (!(a->flags & GCH_OF_UNREACHABLE) ||
	       !(b->flags & GCH_OF_UNREACHABLE))
		KUNIT_ASSERT_FALSE(test, gk_step(h, 1));
	KUNIT_EXPECT_EQ(test, h->pass.unreachable, 2ULL);
	mutex_lock(&h->lock);
	w = gch_lookup_weak(h, wref);
	KUNIT_ASSERT_NOT_NULL(test, w);
	ret = gch_user_get(h, gch_at(h, w->target));	/* WEAKREF_GET */
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_FALSE(test, (u32)a->flags & GCH_OF_UNREACHABLE);
	KUNIT_EXPECT_EQ(test, h->pass.unreachable, 1ULL);
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 0ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 3ULL);
	KUNIT_EXPECT_EQ(test, gk_drop(h, a), 0);
	KUNIT_EXPECT_EQ(test, gk_drop(h, live), 0);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 2ULL);
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, w->target, 0U);		/* cleared */
	mutex_unlock(&h->lock);
}

/* The object at the walk's cursor released by refcount: the walk goes on. */
static void gch_test_release_at_cursor(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *o[4], *a, *b;
	int i;

	for (i = 0; i < 4; i++)
		o[i] = gk_tracked(test, h, 1);
	gk_cycle(test, h, &a, &b);
	gk_start(h);
	gk_step(h, 1);
	KUNIT_ASSERT_EQ(test, h->pass.cursor, (u32)o[1]->idx);
	KUNIT_EXPECT_EQ(test, gk_drop(h, o[1]), 0);	/* freed now */
	KUNIT_EXPECT_EQ(test, h->pass.cursor, (u32)o[2]->idx);
	gk_step_to(test, h, GCH_PASS_MOVE);
	KUNIT_EXPECT_EQ(test, gk_drop(h, o[2]), 0);	/* in the set */
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 2ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 2ULL);
	KUNIT_EXPECT_EQ(test, h->pass.set, 5ULL);
	gk_drop(h, o[0]);
	gk_drop(h, o[3]);
}

/*
 * While garbage is freed, its refs are stale and its handles are not
 * reused: a new object never takes a handle a garbage slot names.
 */
static void gch_test_garbage_stale_while_freed(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b, *n;
	u64 ra, rb;

	gk_cycle(test, h, &a, &b);
	ra = gch_ref_of(h, a);
	rb = gch_ref_of(h, b);
	gk_start(h);
	gk_step_to(test, h, GCH_PASS_FREE);
	KUNIT_ASSERT_EQ(test, h->pass.phase, (u8)GCH_PASS_FREE);
	KUNIT_EXPECT_EQ(test, gk_incref(h, ra), -ESTALE);
	KUNIT_EXPECT_EQ(test, gk_incref(h, rb), -ESTALE);
	gk_step(h, 1);				/* the first is freed */
	KUNIT_EXPECT_EQ(test, gk_objects(h), 1ULL);
	n = gk_obj(test, h, 1, 0, 0);		/* allocated meanwhile */
	KUNIT_EXPECT_NE(test, (u32)n->idx, gch_ref_idx(ra));
	KUNIT_EXPECT_NE(test, (u32)n->idx, gch_ref_idx(rb));
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 2ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 1ULL);
	KUNIT_EXPECT_EQ(test, n->refcnt, 1U);
	gk_drop(h, n);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

/* Garbage made during a pass floats to the next; new objects stay out. */
static void gch_test_made_during_pass_floats(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b, *c, *d;

	gk_cycle(test, h, &a, &b);
	c = gk_tracked(test, h, 1);		/* in the set, held */
	gk_start(h);
	gk_step_to(test, h, GCH_PASS_SUBTRACT);
	gk_set(test, h, c, 0, c);
	gk_drop(h, c);				/* garbage now, touched */
	d = gk_obj(test, h, 1, 0, 0);		/* new: generation 0 */
	gk_set(test, h, d, 0, d);
	gk_drop(h, d);
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 2ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 2ULL);
	KUNIT_EXPECT_EQ(test, (u32)d->gen, 0U);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 2ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

/*
 * An untracked object whose slot is set while a pass runs joins generation
 * 0, outside the set, as an allocation does; what it names is touched.
 */
static void gch_test_tracked_during_pass(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b, *c = gk_obj(test, h, 1, 0, 0);

	gk_cycle(test, h, &a, &b);
	gk_start(h);
	gk_step_to(test, h, GCH_PASS_SUBTRACT);
	gk_set(test, h, c, 0, a);
	KUNIT_EXPECT_TRUE(test, gch_tracked(c));
	KUNIT_EXPECT_FALSE(test, (u32)c->flags & GCH_OF_COLLECTING);
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, gch_list_first(h, GCH_L_GEN0), (u32)c->idx);
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 0ULL);
	KUNIT_EXPECT_EQ(test, h->pass.touched, 1ULL);	/* a */
	KUNIT_EXPECT_EQ(test, (u32)c->gen, 0U);
	KUNIT_EXPECT_EQ(test, (u32)a->gen, (u32)GCH_NGEN - 1);
	gk_set(test, h, c, 0, NULL);
	gk_drop(h, c);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 2ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

/* No pass in one piece while a sliced one is in progress. */
static void gch_test_one_pass_at_a_time(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b;

	gk_cycle(test, h, &a, &b);
	gk_start(h);
	gk_step(h, 1);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, h->pass.started, 1ULL);
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 2ULL);
	KUNIT_EXPECT_EQ(test, h->pass.done, 1ULL);
}

/*
 * An allocation at the heap's limit while a pass is between slices: the
 * pass is finished in the allocation's lock hold (its garbage counts),
 * then a full collection frees what the pass did not see; the pass's
 * driver still reads what its own pass found.
 */
static void gch_test_room_during_pass(struct kunit *test)
{
	struct gcheap_gc gc = { .set = GCH_GC_SET_ENABLED, .enabled = 1 };
	struct gcheap_config cfg = { .max_objects = 4 };
	struct gcheap_alloc args = { .nslots = 0 };
	struct gch_obj *a, *b, *c, *d, *obj;
	struct gch_heap *h = test->priv;
	struct gch_reap r = {};
	u64 found = 99, ref;
	int ret;

	gk_cycle(test, h, &a, &b);
	gk_start(h);
	gk_step(h, 1);
	h->pass.found_to = &found;	/* as gch_collect_sliced() drives it */
	gk_cycle(test, h, &c, &d);	/* made during the pass: not its */
	KUNIT_ASSERT_EQ(test, gch_heap_config(h, &cfg), 0);
	gch_gc_set(h, &gc);
	obj = gk_new(h, &args);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	mutex_lock(&h->lock);
	ret = gch_op_publish(h, obj, &r, &ref);	/* -EDQUOT before */
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, (u32)h->pass.phase, (u32)GCH_PASS_IDLE);
	KUNIT_EXPECT_EQ(test, h->pass.started, 2ULL);
	KUNIT_EXPECT_EQ(test, h->pass.done, 2ULL);
	KUNIT_EXPECT_EQ(test, h->pass.found, 2ULL);	/* c and d */
	KUNIT_EXPECT_EQ(test, h->nobjects, 1ULL);
	gch_heap_unlock(h, &r);
	KUNIT_EXPECT_EQ(test, found, 2ULL);		/* a and b */
	KUNIT_EXPECT_NULL(test, h->pass.found_to);
	if (ret)
		gk_unnew(h, obj);
	else
		KUNIT_EXPECT_EQ(test, gk_drop(h, obj), 0);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

/*
 * A finalizer in a large unreachable set runs trial deletion over the set
 * again in the deciding slice: it reschedules by its work, as a pass's
 * slices do, and finds what one piece finds.
 */
static void gch_test_rerun_reschedules(struct kunit *test)
{
	const int n = 4 * GCH_RESCHED_WORK;
	struct gch_heap *h = test->priv;
	struct gch_obj *first, *prev, *o;
	u64 yields;
	int i;

	first = gk_obj(test, h, 1, 0, GCH_ALLOC_FINALIZE);
	prev = first;
	for (i = 1; i < n; i++) {
		o = gk_obj(test, h, 1, 0, 0);
		gk_set(test, h, prev, 0, o);
		gk_drop(h, o);
		prev = o;
	}
	gk_set(test, h, prev, 0, first);	/* a ring of n */
	gk_drop(h, first);
	gk_start(h);
	yields = h->yields;
	KUNIT_EXPECT_TRUE(test, gk_step(h, LONG_MAX));
	/*
	 * The walks of one slice never yield; the decision does: a yield
	 * every GCH_RESCHED_WORK objects to see weakrefs and finalizers,
	 * twice for the finalizer's set, then the rerun's update (n),
	 * subtract and move (2n each).
	 */
	KUNIT_EXPECT_GE(test, h->yields - yields, 6ULL * n / GCH_RESCHED_WORK);
	KUNIT_EXPECT_EQ(test, h->pass.found, (u64)n);
	KUNIT_EXPECT_EQ(test, h->pass.kept, (u64)n);	/* the event holds it */
	KUNIT_EXPECT_EQ(test, gk_objects(h), (u64)n);
	KUNIT_EXPECT_TRUE(test, (u32)first->flags & GCH_OF_FINALIZED);
}

/*
 * An automatic pass runs a slice a turn of the heap's work item, which
 * then runs again for the next: between slices the heap holds no worker
 * of the workqueue that every heap's automatic collections share.  A pass
 * someone else started is not the work item's to drive.
 */
static void gch_test_auto_pass_a_slice_a_turn(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b;
	struct gch_reap r = {};
	u64 turns = 0;
	bool again;

	gk_cycle(test, h, &a, &b);
	gk_start(h);			/* as an explicit collection does */
	mutex_lock(&h->lock);
	h->gc_enabled = true;		/* automatic runs, no work queued */
	KUNIT_EXPECT_FALSE(test, gch_gc_slice(h, 1, &r));
	KUNIT_EXPECT_EQ(test, h->pass.slices, 0ULL);
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_EQ(test, gk_finish(test, h), 2ULL);

	gk_cycle(test, h, &a, &b);
	mutex_lock(&h->lock);
	h->gen[0].threshold = 1;	/* two objects are over it */
	do {
		again = gch_gc_slice(h, 1, &r);
		turns++;
		KUNIT_EXPECT_EQ(test, h->pass.slices, turns);
	} while (again && turns < 1000);
	h->gc_enabled = false;
	gch_heap_unlock(h, &r);
	KUNIT_EXPECT_GE(test, turns, 4ULL);	/* a phase a turn at least */
	KUNIT_EXPECT_EQ(test, (u32)h->pass.phase, (u32)GCH_PASS_IDLE);
	KUNIT_EXPECT_EQ(test, h->pass.started, 2ULL);
	KUNIT_EXPECT_EQ(test, h->pass.found, 2ULL);
	KUNIT_EXPECT_EQ(test, h->gen[0].stats.collections, 1ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

/*
 * A heap freed between two slices of its automatic pass (its file closed
 * while the work item was queued for the next) frees every object, those
 * the pass moved between its lists and the garbage it had begun to free
 * alike: KASAN and kmemleak watch this case's frees.
 */
static void gch_test_freed_between_slices(struct kunit *test)
{
	struct gch_obj *a, *b, *w, *weak_to;
	enum gch_phase stop;
	struct gch_heap *h;

	for (stop = GCH_PASS_UPDATE; stop <= GCH_PASS_FREE + 1; stop++) {
		h = gch_heap_create();
		KUNIT_ASSERT_FALSE(test, IS_ERR(h));
		gk_obj(test, h, 1, 8, 0);	/* live, the program's */
		gk_cycle(test, h, &a, &b);
		gk_cycle(test, h, &weak_to, &w);
		gk_weak(test, h, weak_to);	/* the program's */
		gk_start(h);
		gk_step_to(test, h, stop);
		gk_step(h, 1);
		KUNIT_EXPECT_EQ(test, h->pass.phase != GCH_PASS_IDLE,
				stop <= GCH_PASS_FREE);
		gch_heap_destroy(h);
	}
}

/* Wait for the heap's automatic collection to run out of work. */
static void gk_wait_auto(struct kunit *test, struct gch_heap *h)
{
	bool idle;
	int n = 0;

	do {
		flush_work(&h->gc_work);
		mutex_lock(&h->lock);
		idle = h->pass.phase == GCH_PASS_IDLE &&
		       !work_pending(&h->gc_work);
		mutex_unlock(&h->lock);
		KUNIT_ASSERT_LT(test, ++n, 100000);
	} while (!idle);
}

/*
 * One user's heaps run at most gc_passes_per_user automatic passes at
 * once; another of its heaps waits, and gets its turn when one ends.
 */
static void gch_test_passes_per_user(struct kunit *test)
{
	unsigned int cap = READ_ONCE(gch_gc_passes_per_user);
	struct gch_heap *h = test->priv, *h2;
	struct gch_obj *a, *b;
	struct gch_reap r = {};
	int n = 0;

	h2 = gch_heap_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR(h2));
	KUNIT_ASSERT_PTR_EQ(test, h2->user, h->user);
	WRITE_ONCE(gch_gc_passes_per_user, 1);
	gk_cycle(test, h, &a, &b);
	gk_cycle(test, h2, &a, &b);

	mutex_lock(&h->lock);
	h->gc_enabled = true;
	h->gen[0].threshold = 1;	/* two objects are over it */
	KUNIT_EXPECT_TRUE(test, gch_gc_slice(h, 1, &r));
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_EQ(test, h->user->passes, 1U);

	mutex_lock(&h2->lock);
	h2->gc_enabled = true;
	h2->gen[0].threshold = 1;
	KUNIT_EXPECT_FALSE(test, gch_gc_slice(h2, 1, &r));
	KUNIT_EXPECT_EQ(test, (u32)h2->pass.phase, (u32)GCH_PASS_IDLE);
	KUNIT_EXPECT_TRUE(test, h2->gc_queued);	/* allocations need not */
	KUNIT_EXPECT_FALSE(test, list_empty(&h2->gc_parked));
	mutex_unlock(&h2->lock);

	mutex_lock(&h->lock);
	while (gch_gc_slice(h, 1, &r))
		KUNIT_ASSERT_LT(test, ++n, 1000);
	h->gc_enabled = false;
	gch_heap_unlock(h, &r);
	KUNIT_EXPECT_EQ(test, h->gen[0].stats.collections, 1ULL);
	KUNIT_EXPECT_TRUE(test, list_empty(&h2->gc_parked));
	gk_wait_auto(test, h2);		/* its turn, queued as h's pass ended */
	KUNIT_EXPECT_EQ(test, h2->gen[0].stats.collections, 1ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h2), 0ULL);
	KUNIT_EXPECT_EQ(test, h->user->passes, 0U);
	WRITE_ONCE(gch_gc_passes_per_user, cap);
	gch_heap_destroy(h2);
}

/* A slice's lock hold lands in its generation's histogram. */
static void gch_test_pause_histogram(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	u64 n = 0, slices;
	struct gch_obj *a, *b;
	int i;

	gk_cycle(test, h, &a, &b);
	gk_start(h);
	gk_finish(test, h);
	slices = h->pass.slices;
	for (i = 0; i < GCH_PAUSE_BUCKETS; i++)
		n += h->pause_hist[GCH_NGEN - 1][i];
	KUNIT_EXPECT_EQ(test, n, slices);
	KUNIT_EXPECT_EQ(test, h->pause_ns_last, h->pass.hold_max_ns);
	KUNIT_EXPECT_LE(test, h->pause_ns_last, h->pass.hold_ns);
}

static struct kunit_case gch_pass_cases[] = {
	KUNIT_CASE(gch_test_slices_find_the_same),
	KUNIT_CASE(gch_test_auto_pass_a_slice_a_turn),
	KUNIT_CASE(gch_test_freed_between_slices),
	KUNIT_CASE(gch_test_passes_per_user),
	KUNIT_CASE(gch_test_slot_set_during_subtract),
	KUNIT_CASE(gch_test_incref_during_update),
	KUNIT_CASE(gch_test_weakref_get_during_move),
	KUNIT_CASE(gch_test_release_at_cursor),
	KUNIT_CASE(gch_test_garbage_stale_while_freed),
	KUNIT_CASE(gch_test_made_during_pass_floats),
	KUNIT_CASE(gch_test_tracked_during_pass),
	KUNIT_CASE(gch_test_one_pass_at_a_time),
	KUNIT_CASE(gch_test_pause_histogram),
	KUNIT_CASE(gch_test_room_during_pass),
	KUNIT_CASE_SLOW(gch_test_rerun_reschedules),
	{}
};

static struct kunit_suite gch_pass_suite = {
	.name = "gcheap_pass",
	.init = gk_init,
	.exit = gk_exit,
	.test_cases = gch_pass_cases,
};

kunit_test_suite(gch_pass_suite);
