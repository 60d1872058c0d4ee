// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the collector's internals, with exact expectations: the shapes of
 * garbage (those of the AF_UNIX scm_rights selftest among them),
 * generations, freeze, SAVEALL, the long-lived heuristic, thresholds, and
 * PEP 442 ordering (weakrefs cleared before finalize events; finalized
 * once).
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "gch_kunit.h"

/* n objects with @nslots slots each. */
static void gk_objs(struct kunit *test, struct gch_heap *h,
		    struct gch_obj **o, int n, u32 nslots)
{
	int i;

	for (i = 0; i < n; i++)
		o[i] = gk_obj(test, h, nslots, 0, 0);
}

static void gk_drop_all(struct gch_heap *h, struct gch_obj **o, int n)
{
	int i;

	for (i = 0; i < n; i++)
		gk_drop(h, o[i]);
}

static void gch_test_self_ref(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_obj(test, h, 1, 0, 0);

	gk_set(test, h, a, 0, a);
	gk_drop(h, a);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 1ULL);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 1ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

static void gch_test_triangle(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *o[3];

	gk_objs(test, h, o, 3, 1);
	gk_set(test, h, o[0], 0, o[1]);
	gk_set(test, h, o[1], 0, o[2]);
	gk_set(test, h, o[2], 0, o[0]);
	gk_drop_all(h, o, 3);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 3ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

/* A live object points into a dead-looking cycle: it all stays. */
static void gch_test_cross_edge(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *o[3];
	u64 ref;

	gk_objs(test, h, o, 3, 1);
	gk_set(test, h, o[0], 0, o[1]);
	gk_set(test, h, o[1], 0, o[0]);
	gk_set(test, h, o[2], 0, o[1]);	/* o[2] holds into the cycle */
	ref = gch_ref_of(h, o[2]);
	gk_drop(h, o[0]);
	gk_drop(h, o[1]);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 3ULL);
	gk_drop(h, o[2]);
	KUNIT_EXPECT_FALSE(test, gk_alive(h, ref));
	KUNIT_EXPECT_EQ(test, gk_collect(h, 1), 2ULL);
}

/*
 * backtrack_from_scc: cycle A (a0 <-> a1) points at cycle B (b0 <-> b1);
 * with A held, B is reachable only through A, visited after B's members
 * were moved to the unreachable list: they must come back.
 */
static void gch_test_backtrack_from_scc(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *b[2], *a[2];

	gk_objs(test, h, b, 2, 2);	/* B first: earlier in the list */
	gk_objs(test, h, a, 2, 2);
	gk_set(test, h, b[0], 0, b[1]);
	gk_set(test, h, b[1], 0, b[0]);
	gk_set(test, h, a[0], 0, a[1]);
	gk_set(test, h, a[1], 0, a[0]);
	gk_set(test, h, a[1], 1, b[0]);
	gk_drop_all(h, b, 2);
	gk_drop(h, a[1]);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 4ULL);
	gk_drop(h, a[0]);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 1), 4ULL);
}

/*
 * mixed_lowpoint: two overlapping cycles sharing a node, plus a tail
 * that only the cycles reach, and one edge out to a live object (which
 * has a slot, so that the tail is tracked: gch_track_for()).
 */
static void gch_test_mixed_lowpoint(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *o[5], *live = gk_obj(test, h, 1, 0, 0);

	gk_objs(test, h, o, 5, 3);
	gk_set(test, h, o[0], 0, o[1]);
	gk_set(test, h, o[1], 0, o[2]);
	gk_set(test, h, o[2], 0, o[0]);	/* 0 -> 1 -> 2 -> 0 */
	gk_set(test, h, o[1], 1, o[3]);
	gk_set(test, h, o[3], 0, o[1]);	/* 1 -> 3 -> 1 */
	gk_set(test, h, o[3], 1, o[4]);	/* tail */
	gk_set(test, h, o[4], 0, live);
	gk_drop_all(h, o, 5);
	KUNIT_EXPECT_EQ(test, live->refcnt, 2U);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 5ULL);
	KUNIT_EXPECT_EQ(test, live->refcnt, 1U);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 1ULL);
	gk_drop(h, live);
}

/* Young runs see the old object as external; a full run frees both. */
static void gch_test_cycle_spanning_generations(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *old = gk_tracked(test, h, 1), *young;

	gk_collect(h, 1);
	KUNIT_EXPECT_EQ(test, (u32)old->gen, 2U);
	young = gk_obj(test, h, 1, 0, 0);
	gk_set(test, h, old, 0, young);
	gk_set(test, h, young, 0, old);
	gk_drop(h, old);
	gk_drop(h, young);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, (u32)young->gen, 1U);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 2ULL);
}

static void gch_test_promotion_and_counts(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_tracked(test, h, 1);

	KUNIT_EXPECT_EQ(test, h->gen[0].count, 1U);
	gk_collect(h, 0);
	KUNIT_EXPECT_EQ(test, (u32)a->gen, 1U);
	KUNIT_EXPECT_EQ(test, h->gen[0].count, 0U);
	KUNIT_EXPECT_EQ(test, h->gen[1].count, 1U);
	gk_collect(h, 1);
	KUNIT_EXPECT_EQ(test, (u32)a->gen, 2U);
	KUNIT_EXPECT_EQ(test, h->gen[1].count, 0U);
	KUNIT_EXPECT_EQ(test, h->gen[2].count, 1U);
	KUNIT_EXPECT_EQ(test, h->long_lived_pending, 1ULL);
	gk_collect(h, 2);
	KUNIT_EXPECT_EQ(test, h->long_lived_total, 1ULL);
	KUNIT_EXPECT_EQ(test, h->long_lived_pending, 0ULL);
	KUNIT_EXPECT_EQ(test, h->gen[2].stats.collections, 1ULL);
	gk_drop(h, a);
}

/* The first object of list @l, or 0 when it is empty. */
static u32 gk_first(struct gch_heap *h, enum gch_list l)
{
	u32 first;

	mutex_lock(&h->lock);
	first = gch_list_first(h, l);
	mutex_unlock(&h->lock);
	return first == GCH_HEAD(l) ? 0 : first;
}

/*
 * Tracked from the first slot set that names an object with slots, not
 * before (what names nothing, or only objects without slots, cannot be in
 * a cycle), and for good after.
 */
static void gch_test_tracked_when_a_slot_names(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_obj(test, h, 2, 0, 0);
	struct gch_obj *b = gk_obj(test, h, 0, 0, 0);
	struct gch_obj *c = gk_obj(test, h, 1, 0, 0);

	KUNIT_EXPECT_FALSE(test, gch_tracked(a));
	KUNIT_EXPECT_EQ(test, gk_first(h, GCH_L_GEN0), 0U);
	KUNIT_EXPECT_EQ(test, h->gen[0].count, 3U);	/* counted all the same */
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, (u32)a->gen, 0U);
	gk_set(test, h, a, 1, NULL);
	gk_set(test, h, a, 0, b);
	KUNIT_EXPECT_FALSE(test, gch_tracked(a));
	gk_set(test, h, a, 1, c);
	KUNIT_EXPECT_TRUE(test, gch_tracked(a));
	KUNIT_EXPECT_EQ(test, gk_first(h, GCH_L_GEN0), (u32)a->idx);
	gk_set(test, h, a, 1, NULL);
	KUNIT_EXPECT_TRUE(test, gch_tracked(a));
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, (u32)a->gen, 1U);
	KUNIT_EXPECT_EQ(test, gk_first(h, GCH_L_GEN1), (u32)a->idx);
	KUNIT_EXPECT_FALSE(test, gch_tracked(b));
	KUNIT_EXPECT_FALSE(test, gch_tracked(c));
	gk_drop(h, a);
	gk_drop(h, b);
	gk_drop(h, c);
	KUNIT_EXPECT_EQ(test, gk_first(h, GCH_L_GEN1), 0U);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

/*
 * Sealed objects, allocated so or sealed later: one that is untracked
 * never will be tracked, so naming it tracks nothing; SET_SLOT on one
 * fails and changes nothing.  Sealing a tracked object leaves it tracked.
 */
static void gch_test_sealed(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *s = gk_obj(test, h, 2, 0, GCH_ALLOC_SEALED);
	struct gch_obj *a = gk_obj(test, h, 1, 0, 0);
	struct gch_obj *b = gk_obj(test, h, 1, 0, 0);
	struct gch_obj *t = gk_tracked(test, h, 1);
	struct gch_reap r = {};
	int ret;

	KUNIT_EXPECT_TRUE(test, s->sealed);
	KUNIT_EXPECT_FALSE(test, gch_may_be_tracked(s));
	KUNIT_EXPECT_TRUE(test, gch_may_be_tracked(a));
	gk_set(test, h, a, 0, s);
	KUNIT_EXPECT_FALSE(test, gch_tracked(a));
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, gch_op_seal(h, gch_ref_of(h, a)), 0);
	ret = gch_op_set_slot(h, gch_ref_of(h, a), 0, 0, &r);
	KUNIT_EXPECT_EQ(test, gch_op_seal(h, gch_ref_of(h, t)), 0);
	gch_heap_unlock(h, &r);
	KUNIT_EXPECT_EQ(test, ret, -EPERM);
	KUNIT_EXPECT_EQ(test, gch_slots(a)[0], (u32)s->idx);
	KUNIT_EXPECT_EQ(test, s->refcnt, 2U);
	KUNIT_EXPECT_FALSE(test, gch_may_be_tracked(a));
	KUNIT_EXPECT_TRUE(test, gch_may_be_tracked(t));
	gk_set(test, h, b, 0, a);
	KUNIT_EXPECT_FALSE(test, gch_tracked(b));
	gk_set(test, h, b, 0, t);
	KUNIT_EXPECT_TRUE(test, gch_tracked(b));
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, gk_first(h, GCH_L_GEN1), (u32)t->idx);
	KUNIT_EXPECT_FALSE(test, gch_tracked(a));
	gk_drop(h, b);
	gk_drop(h, t);
	gk_drop(h, a);
	gk_drop(h, s);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
}

static void gch_test_frozen_cycle(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *o[2];

	gk_objs(test, h, o, 2, 1);
	gk_set(test, h, o[0], 0, o[1]);
	gk_set(test, h, o[1], 0, o[0]);
	mutex_lock(&h->lock);
	gch_freeze(h);
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_EQ(test, h->nfrozen, 2ULL);
	KUNIT_EXPECT_EQ(test, (u32)o[0]->gen, (u32)GCH_GEN_PERMANENT);
	gk_drop_all(h, o, 2);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 0ULL);
	mutex_lock(&h->lock);
	gch_unfreeze(h);
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_EQ(test, h->nfrozen, 0ULL);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 2ULL);
}

static void gch_test_saveall(struct kunit *test)
{
	struct gcheap_gc gc = { .set = GCH_GC_SET_DEBUG,
				.debug = GCH_DEBUG_SAVEALL };
	struct gch_heap *h = test->priv;
	struct gch_obj *o[2];
	u32 first;

	gch_gc_set(h, &gc);
	gk_objs(test, h, o, 2, 1);
	gk_set(test, h, o[0], 0, o[1]);
	gk_set(test, h, o[1], 0, o[0]);
	gk_drop_all(h, o, 2);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 2ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 2ULL);
	KUNIT_EXPECT_EQ(test, o[0]->refcnt, 2U);	/* slot + garbage list */
	mutex_lock(&h->lock);
	first = gch_list_first(h, GCH_L_GARBAGE);
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_EQ(test, first, (u32)o[0]->idx);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 0ULL);
}

/* Full runs wait for a quarter of the long-lived objects to be new. */
static void gch_test_long_lived_heuristic(struct kunit *test)
{
	struct gcheap_gc gc = { .set = GCH_GC_SET_ENABLED |
				GCH_GC_SET_THRESHOLD, .enabled = 1,
				.threshold = { 1000000, 1, 1 } };
	struct gch_heap *h = test->priv;
	int g;

	gch_gc_set(h, &gc);
	mutex_lock(&h->lock);
	h->long_lived_total = 1000;
	h->long_lived_pending = 249;
	h->gen[2].count = 2;
	h->gen[1].count = 2;
	g = gch_gc_pick(h);
	KUNIT_EXPECT_EQ(test, g, 1);		/* 2 held back */
	h->long_lived_pending = 250;
	g = gch_gc_pick(h);
	KUNIT_EXPECT_EQ(test, g, 2);
	h->gen[1].count = 0;
	h->gen[2].count = 0;
	g = gch_gc_pick(h);
	KUNIT_EXPECT_EQ(test, g, -1);
	h->gen[0].count = 1000001;
	g = gch_gc_pick(h);
	KUNIT_EXPECT_EQ(test, g, 0);
	h->gc_enabled = false;
	g = gch_gc_pick(h);
	KUNIT_EXPECT_EQ(test, g, -1);
	h->gen[0].count = 0;
	mutex_unlock(&h->lock);
}

/* Crossing generation 0's threshold queues the heap's work, which runs. */
static void gch_test_threshold_triggers(struct kunit *test)
{
	struct gcheap_gc gc = { .set = GCH_GC_SET_ENABLED |
				GCH_GC_SET_THRESHOLD, .enabled = 1,
				.threshold = { 3, 10, 10 } };
	struct gch_heap *h = test->priv;
	struct gch_obj *o[4];

	gch_gc_set(h, &gc);
	gk_objs(test, h, o, 3, 1);
	flush_work(&h->gc_work);
	KUNIT_EXPECT_EQ(test, h->gen[0].stats.collections, 0ULL);
	o[3] = gk_tracked(test, h, 1);
	flush_work(&h->gc_work);
	KUNIT_EXPECT_EQ(test, h->gen[0].stats.collections, 1ULL);
	KUNIT_EXPECT_EQ(test, h->gen[0].count, 0U);
	KUNIT_EXPECT_EQ(test, (u32)o[3]->gen, 1U);
	gk_drop_all(h, o, 4);
}

/* The order of a collection's events: every WEAKREF before any FINALIZE. */
static void gch_test_weakrefs_before_finalizers(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *f = gk_obj(test, h, 1, 0, GCH_ALLOC_FINALIZE);
	struct gch_obj *p = gk_obj(test, h, 1, 0, 0);
	struct gch_evnode *n;
	u64 wf, wp;
	int i = 0, ret;

	gk_set(test, h, f, 0, p);
	gk_set(test, h, p, 0, f);
	mutex_lock(&h->lock);
	ret = gch_weak_new(h, f, GCH_WEAK_NOTIFY, 1, &wf);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = gch_weak_new(h, p, GCH_WEAK_NOTIFY, 2, &wp);
	KUNIT_ASSERT_EQ(test, ret, 0);
	mutex_unlock(&h->lock);
	gk_drop(h, f);
	gk_drop(h, p);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 2ULL);
	KUNIT_EXPECT_EQ(test, h->gen[0].stats.uncollectable, 2ULL);
	KUNIT_EXPECT_EQ(test, h->nevents, 3ULL);
	mutex_lock(&h->lock);
	list_for_each_entry(n, &h->events, link) {
		KUNIT_EXPECT_EQ(test, n->ev.type,
				i < 2 ? (u32)GCH_EV_WEAKREF : (u32)GCH_EV_FINALIZE);
		i++;
	}
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_TRUE(test, (u32)f->flags & GCH_OF_FINALIZED);
	KUNIT_EXPECT_EQ(test, f->refcnt, 2U);	/* p's slot + the event */
	/* the events keep the cycle; heap destruction drops them */
}

/* Finalized once: after the event's ref goes, the next run frees it. */
static void gch_test_finalized_once(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *f = gk_obj(test, h, 1, 0, GCH_ALLOC_FINALIZE);
	struct gch_evnode *n;
	u64 ref = gch_ref_of(h, f);

	gk_set(test, h, f, 0, f);
	gk_drop(h, f);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 1ULL);
	KUNIT_ASSERT_EQ(test, h->nevents, 1ULL);
	mutex_lock(&h->lock);
	n = list_first_entry(&h->events, struct gch_evnode, link);
	KUNIT_EXPECT_EQ(test, n->ev.ref, ref);
	list_del_init(&n->link);		/* as read(2) takes it */
	h->nevents--;
	f->urefs++;				/* and hands it over */
	mutex_unlock(&h->lock);
	gk_drop(h, f);				/* the program drops it */
	KUNIT_EXPECT_EQ(test, gk_collect(h, 1), 1ULL);
	KUNIT_EXPECT_EQ(test, h->nevents, 0ULL);
	KUNIT_EXPECT_FALSE(test, gk_alive(h, ref));
}

static struct kunit_case gch_gc_cases[] = {
	KUNIT_CASE(gch_test_self_ref),
	KUNIT_CASE(gch_test_triangle),
	KUNIT_CASE(gch_test_cross_edge),
	KUNIT_CASE(gch_test_backtrack_from_scc),
	KUNIT_CASE(gch_test_mixed_lowpoint),
	KUNIT_CASE(gch_test_cycle_spanning_generations),
	KUNIT_CASE(gch_test_promotion_and_counts),
	KUNIT_CASE(gch_test_tracked_when_a_slot_names),
	KUNIT_CASE(gch_test_sealed),
	KUNIT_CASE(gch_test_frozen_cycle),
	KUNIT_CASE(gch_test_saveall),
	KUNIT_CASE(gch_test_long_lived_heuristic),
	KUNIT_CASE(gch_test_threshold_triggers),
	KUNIT_CASE(gch_test_weakrefs_before_finalizers),
	KUNIT_CASE(gch_test_finalized_once),
	{}
};

static struct kunit_suite gch_gc_suite = {
	.name = "gcheap_gc",
	.init = gk_init,
	.exit = gk_exit,
	.test_cases = gch_gc_cases,
};

kunit_test_suite(gch_gc_suite);
