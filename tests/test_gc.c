// SPDX-License-Identifier: GPL-2.0
/*
 * The cycle collector: shapes of garbage, generations, counts, thresholds,
 * freeze, SAVEALL, introspection, automatic runs from the workqueue, runs
 * racing with mutation, and heaps closed with a collection pending.
 */
#include <pthread.h>
#include <time.h>

#include "gch_test.h"

/*
 * Allocate an object with @nslots slots; the test holds one ref.  It is
 * tracked from when a slot of it first names an object with slots.
 */
static gch_ref_t obj(struct gch_heap *h, uint32_t nslots)
{
	gch_ref_t r = 0;

	if (gch_alloc(h, nslots, 8, &r))
		return 0;
	return r;
}

/* A ring of @n objects, each slot 0 naming the next; returns the first. */
static gch_ref_t ring(struct gch_heap *h, int n, int drop)
{
	gch_ref_t first = obj(h, 1), prev = first, cur;
	int i;

	for (i = 1; i < n; i++) {
		cur = obj(h, 1);
		gch_set_slot(h, prev, 0, cur);
		if (prev != first)
			gch_decref(h, prev);
		prev = cur;
	}
	gch_set_slot(h, prev, 0, first);
	if (prev != first)
		gch_decref(h, prev);
	if (drop) {
		gch_decref(h, first);
		return 0;
	}
	return first;
}

static int gen_of(struct gch_heap *h, gch_ref_t r)
{
	struct gch_obj_info in;
	int ret = gch_info(h, r, &in);

	return ret ? ret : (int)in.generation;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* Wait up to 30 s (emulated guests are slow) for the worker's collections. */
static int wait_collections(struct gch_heap *h, int gen, uint64_t atleast)
{
	uint64_t end = now_ms() + 30000;
	struct gch_stats st;

	do {
		if (gch_get_stats(h, &st))
			return -1;
		if (st.gen[gen].collections >= atleast)
			return 0;
		usleep(5000);
	} while (now_ms() < end);
	return -1;
}

TEST_F(heap, self_loop)
{
	gch_ref_t a = obj(self->h, 1);

	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, a));
	EXPECT_EQ(2, gch_test_refcount(self->h, a));
	EXPECT_EQ(0, gch_collect(self->h, 0));
	ASSERT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(1, gch_test_objects(self->h));
	EXPECT_EQ(1, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
	EXPECT_EQ(-ESTALE, gch_incref(self->h, a));
}

TEST_F(heap, two_cycle_and_triangle)
{
	ring(self->h, 2, 1);
	ring(self->h, 3, 1);
	EXPECT_EQ(5, gch_test_objects(self->h));
	EXPECT_EQ(5, gch_collect(self->h, 0));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_F(heap, cycle_held_from_outside)
{
	gch_ref_t a = ring(self->h, 3, 0);

	EXPECT_EQ(0, gch_collect(self->h, 2));
	EXPECT_EQ(3, gch_test_objects(self->h));
	ASSERT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(3, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/* An object outside a cycle points into it (scm_rights' cross_edge). */
TEST_F(heap, cross_edge)
{
	gch_ref_t a = ring(self->h, 2, 0), c = obj(self->h, 1);

	ASSERT_EQ(0, gch_set_slot(self->h, c, 0, a));
	ASSERT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_collect(self->h, 0));
	EXPECT_EQ(3, gch_test_objects(self->h));
	ASSERT_EQ(0, gch_decref(self->h, c));	/* c dies by refcount */
	EXPECT_EQ(2, gch_test_objects(self->h));
	EXPECT_EQ(0, gch_collect(self->h, 0));	/* the cycle is in 1 now */
	EXPECT_EQ(2, gch_collect(self->h, 1));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/* Two cycles joined by an edge: the first keeps the second (backtrack). */
TEST_F(heap, cycle_keeps_cycle)
{
	gch_ref_t a = ring(self->h, 3, 0), b = ring(self->h, 2, 0);
	gch_ref_t a2 = 0;

	ASSERT_EQ(0, gch_get_slot(self->h, a, 0, &a2));
	ASSERT_EQ(0, gch_set_slot(self->h, a2, 0, b)); /* a -> a2 -> b, ring cut */
	ASSERT_EQ(0, gch_decref(self->h, b));
	ASSERT_EQ(0, gch_decref(self->h, a2));
	/* a's ring lost its third member when a2's slot was overwritten. */
	EXPECT_EQ(4, gch_test_objects(self->h));
	EXPECT_EQ(0, gch_collect(self->h, 2));
	ASSERT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(2, gch_test_objects(self->h));	/* a, a2 died by refcount */
	EXPECT_EQ(2, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/* Garbage that holds live and untracked objects drops its references. */
TEST_F(heap, garbage_drops_what_it_held)
{
	gch_ref_t a = ring(self->h, 2, 0), live = obj(self->h, 0), leaf;

	ASSERT_EQ(0, gch_alloc(self->h, 0, 4096, &leaf));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, 0));
	ASSERT_EQ(0, gch_decref(self->h, a));	/* ring cut: a2 freed, a dies */
	a = obj(self->h, 3);
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, a));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 1, live));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 2, leaf));
	ASSERT_EQ(0, gch_decref(self->h, leaf));
	ASSERT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(2, gch_test_refcount(self->h, live));
	EXPECT_EQ(1, gch_collect(self->h, 0));
	EXPECT_EQ(1, gch_test_refcount(self->h, live));
	EXPECT_EQ(1, gch_test_objects(self->h));
	EXPECT_EQ(-ESTALE, gch_incref(self->h, leaf));
}

static uint32_t info_flags(struct gch_heap *h, gch_ref_t r)
{
	struct gch_obj_info in;

	return gch_info(h, r, &in) ? ~0U : in.flags;
}

TEST_F(heap, promotion)
{
	gch_ref_t a = obj(self->h, 1);

	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, a));	/* tracked */
	EXPECT_EQ(0, gen_of(self->h, a));
	EXPECT_EQ(0, gch_collect(self->h, 0));
	EXPECT_EQ(1, gen_of(self->h, a));
	EXPECT_EQ(0, gch_collect(self->h, 0));
	EXPECT_EQ(1, gen_of(self->h, a));
	EXPECT_EQ(0, gch_collect(self->h, 1));
	EXPECT_EQ(2, gen_of(self->h, a));
	EXPECT_EQ(0, gch_collect(self->h, 2));
	EXPECT_EQ(2, gen_of(self->h, a));
}

/*
 * Not tracked while its slots name nothing with slots (as CPython's dicts
 * of atoms), so in no generation's list; tracked for good from the first
 * slot that names an object with slots.
 */
TEST_F(heap, tracked_from_a_slot_naming_slots)
{
	gch_ref_t a = obj(self->h, 2), s = obj(self->h, 0), c = obj(self->h, 1);
	gch_ref_t buf[2] = { 0 };

	EXPECT_EQ(0, info_flags(self->h, a));
	EXPECT_EQ(0, gch_get_objects(self->h, -1, buf, 2));
	EXPECT_EQ(0, gch_collect(self->h, 0));
	EXPECT_EQ(0, gen_of(self->h, a));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 1, 0));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, s));
	EXPECT_EQ(0, info_flags(self->h, a));
	EXPECT_EQ(-EINVAL, gch_set_slot(self->h, a, 2, c));
	EXPECT_EQ(0, info_flags(self->h, a));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 1, c));
	EXPECT_EQ(GCH_OBJ_TRACKED, info_flags(self->h, a));
	EXPECT_EQ(0, info_flags(self->h, c));
	ASSERT_EQ(1, gch_get_objects(self->h, 0, buf, 2));
	EXPECT_EQ(a, buf[0]);
	EXPECT_EQ(0, gch_decref(self->h, buf[0]));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 1, 0));
	EXPECT_EQ(GCH_OBJ_TRACKED, info_flags(self->h, a));
	EXPECT_EQ(0, gch_collect(self->h, 0));
	EXPECT_EQ(1, gen_of(self->h, a));
	EXPECT_EQ(0, gen_of(self->h, c));
	ASSERT_EQ(0, gch_freeze(self->h));
	EXPECT_EQ(1, gch_get_freeze_count(self->h));
	EXPECT_EQ(GCH_GEN_PERMANENT, gen_of(self->h, a));
	EXPECT_EQ(0, gen_of(self->h, c));
	EXPECT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_decref(self->h, s));
	EXPECT_EQ(0, gch_decref(self->h, c));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/*
 * A sealed object's slots cannot be set; untracked, it never will be
 * tracked, so naming it tracks nothing (CPython's untracked tuples).  A
 * sealed object that is tracked stays so, and naming it tracks.
 */
TEST_F(heap, sealed_objects_track_nothing)
{
	struct gch_alloc_args sa = {
		.nslots = 2, .size = 8, .flags = GCH_ALLOC_SEALED,
	};
	gch_ref_t p = obj(self->h, 2), q = obj(self->h, 1);
	gch_ref_t t = obj(self->h, 1), u = obj(self->h, 1), s, gone;
	char why[256];

	ASSERT_EQ(0, gch_alloc_ex(self->h, &sa, &s));
	EXPECT_EQ(GCH_OBJ_SEALED, info_flags(self->h, s));
	EXPECT_EQ(-EPERM, gch_set_slot(self->h, s, 0, u));
	EXPECT_EQ(-EPERM, gch_set_slot(self->h, s, 1, 0));
	EXPECT_EQ(-EINVAL, gch_set_slot(self->h, s, 2, 0));
	EXPECT_EQ(0, gch_write(self->h, s, 0, "payload", 8));
	ASSERT_EQ(0, gch_set_slot(self->h, p, 0, s));
	EXPECT_EQ(0, info_flags(self->h, p));
	ASSERT_EQ(0, gch_set_slot(self->h, p, 1, u));
	EXPECT_EQ(GCH_OBJ_TRACKED, info_flags(self->h, p));
	ASSERT_EQ(0, gch_set_slot(self->h, t, 0, t));
	ASSERT_EQ(0, gch_seal(self->h, t));
	ASSERT_EQ(0, gch_seal(self->h, t));
	EXPECT_EQ(GCH_OBJ_TRACKED | GCH_OBJ_SEALED, info_flags(self->h, t));
	ASSERT_EQ(0, gch_set_slot(self->h, q, 0, t));
	EXPECT_EQ(GCH_OBJ_TRACKED, info_flags(self->h, q));
	EXPECT_LE(0, gch_test_verify(self->h, why, sizeof(why)))
		TH_LOG("verify: %s", why);
	gone = obj(self->h, 0);
	ASSERT_EQ(0, gch_decref(self->h, gone));
	EXPECT_EQ(-ESTALE, gch_seal(self->h, gone));
	EXPECT_EQ(0, gch_decref(self->h, p));
	EXPECT_EQ(0, gch_decref(self->h, s));
	EXPECT_EQ(0, gch_decref(self->h, u));
	EXPECT_EQ(0, gch_decref(self->h, q));
	EXPECT_EQ(0, gch_decref(self->h, t));
	EXPECT_EQ(1, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/*
 * A cycle through a sealed object is collected: sealed after its slot
 * named a mutable object, it was tracked then, and stays so.
 */
TEST_F(heap, cycle_through_a_sealed_object)
{
	gch_ref_t a = obj(self->h, 1), s = obj(self->h, 1);

	ASSERT_EQ(0, gch_set_slot(self->h, s, 0, a));
	ASSERT_EQ(0, gch_seal(self->h, s));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, s));
	EXPECT_EQ(GCH_OBJ_TRACKED | GCH_OBJ_SEALED, info_flags(self->h, s));
	EXPECT_EQ(GCH_OBJ_TRACKED, info_flags(self->h, a));
	EXPECT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_decref(self->h, s));
	EXPECT_EQ(2, gch_collect(self->h, 0));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/* An old object in a cycle with a young one: only a full run frees it. */
TEST_F(heap, cycle_spanning_generations)
{
	gch_ref_t old = obj(self->h, 1), young;

	ASSERT_EQ(0, gch_set_slot(self->h, old, 0, old));	/* tracked */
	ASSERT_EQ(0, gch_collect(self->h, 1));
	ASSERT_EQ(2, gen_of(self->h, old));
	young = obj(self->h, 1);
	ASSERT_EQ(0, gch_set_slot(self->h, old, 0, young));
	ASSERT_EQ(0, gch_set_slot(self->h, young, 0, old));
	ASSERT_EQ(0, gch_decref(self->h, old));
	ASSERT_EQ(0, gch_decref(self->h, young));
	EXPECT_EQ(0, gch_collect(self->h, 0));
	EXPECT_EQ(0, gch_collect(self->h, 1));	/* young is now in 2 */
	EXPECT_EQ(2, gch_test_objects(self->h));
	EXPECT_EQ(2, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_F(heap, counts)
{
	uint32_t c[3];
	gch_ref_t r[5];
	int i;

	for (i = 0; i < 5; i++)
		r[i] = obj(self->h, 1);
	ASSERT_EQ(0, gch_get_count(self->h, c));
	EXPECT_EQ(5, c[0]);
	EXPECT_EQ(0, c[1]);
	EXPECT_EQ(0, c[2]);
	gch_decref(self->h, r[4]);
	ASSERT_EQ(0, gch_get_count(self->h, c));
	EXPECT_EQ(4, c[0]);
	gch_collect(self->h, 0);
	ASSERT_EQ(0, gch_get_count(self->h, c));
	EXPECT_EQ(0, c[0]);
	EXPECT_EQ(1, c[1]);
	EXPECT_EQ(0, c[2]);
	gch_collect(self->h, 0);
	gch_collect(self->h, 1);
	ASSERT_EQ(0, gch_get_count(self->h, c));
	EXPECT_EQ(0, c[0]);
	EXPECT_EQ(0, c[1]);
	EXPECT_EQ(1, c[2]);
	gch_collect(self->h, 2);
	ASSERT_EQ(0, gch_get_count(self->h, c));
	EXPECT_EQ(0, c[2]);
	for (i = 0; i < 4; i++)
		gch_decref(self->h, r[i]);
}

TEST_F(heap, thresholds_and_enable)
{
	uint32_t t[3];

	ASSERT_EQ(0, gch_get_threshold(self->h, t));
	EXPECT_EQ(700, t[0]);
	EXPECT_EQ(10, t[1]);
	EXPECT_EQ(10, t[2]);
	ASSERT_EQ(0, gch_set_threshold(self->h, 5, 3, 2));
	ASSERT_EQ(0, gch_get_threshold(self->h, t));
	EXPECT_EQ(5, t[0]);
	EXPECT_EQ(3, t[1]);
	EXPECT_EQ(2, t[2]);
	EXPECT_EQ(1, gch_isenabled(self->h));
	EXPECT_EQ(0, gch_disable(self->h));
	EXPECT_EQ(0, gch_isenabled(self->h));
	EXPECT_EQ(0, gch_enable(self->h));
	EXPECT_EQ(1, gch_isenabled(self->h));
}

TEST(config_thresholds)
{
	struct gch_config cfg = { .threshold = { 100, 20, 30 } };
	struct gch_heap *h = gch_open(&cfg);
	uint32_t t[3];

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_get_threshold(h, t));
	EXPECT_EQ(100, t[0]);
	EXPECT_EQ(20, t[1]);
	EXPECT_EQ(30, t[2]);
	gch_close(h);
}

TEST_F(heap, bad_arguments)
{
	struct gcheap_collect c = { .generation = 0, .flags = 1 };
	struct gcheap_gc gc = { .set = 1U << 9 };
	gch_ref_t buf[2];

	EXPECT_EQ(-EINVAL, gch_collect(self->h, 3));
	EXPECT_EQ(-EINVAL, gch_collect(self->h, -1));
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_COLLECT, &c));
	c.flags = 0;
	c.found = 1;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_COLLECT, &c));
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_SET_GC, &gc));
	gc.set = GCH_GC_SET_ENABLED;
	gc.enabled = 2;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_SET_GC, &gc));
	EXPECT_EQ(-EINVAL, gch_set_debug(self->h, 1U << 5));
	EXPECT_EQ(-EINVAL, gch_set_event_mask(self->h, 1U << 9));
	EXPECT_EQ(-EINVAL, gch_get_objects(self->h, 3, buf, 2));
	EXPECT_EQ(-EINVAL, gch_get_objects(self->h, -2, buf, 2));
	EXPECT_EQ(-ESTALE, gch_get_referents(self->h, 0, buf, 2));
	EXPECT_EQ(-ESTALE, gch_get_referrers(self->h, 12345, buf, 2));
	EXPECT_EQ(1, gch_isenabled(self->h));
}

TEST_F(heap, freeze)
{
	gch_ref_t a = ring(self->h, 2, 0), b = obj(self->h, 0);

	ASSERT_EQ(0, gch_freeze(self->h));
	EXPECT_EQ(2, gch_get_freeze_count(self->h)); /* b is untracked */
	EXPECT_EQ(GCH_GEN_PERMANENT, gen_of(self->h, a));
	ASSERT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_collect(self->h, 2));
	EXPECT_EQ(3, gch_test_objects(self->h));
	ASSERT_EQ(0, gch_unfreeze(self->h));
	EXPECT_EQ(0, gch_get_freeze_count(self->h));
	EXPECT_EQ(2, gch_collect(self->h, 2));
	EXPECT_EQ(1, gch_test_objects(self->h));
	gch_decref(self->h, b);
}

TEST_F(heap, freeze_count_drops_with_frozen_objects)
{
	gch_ref_t a = obj(self->h, 1), x = obj(self->h, 1);

	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, x));	/* a tracked */
	ASSERT_EQ(0, gch_decref(self->h, x));
	ASSERT_EQ(0, gch_freeze(self->h));
	EXPECT_EQ(1, gch_get_freeze_count(self->h));
	ASSERT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_get_freeze_count(self->h));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_F(heap, saveall)
{
	gch_ref_t g[4];
	int i;

	ASSERT_EQ(0, gch_set_debug(self->h, GCH_DEBUG_SAVEALL));
	ring(self->h, 3, 1);
	EXPECT_EQ(3, gch_collect(self->h, 0));
	EXPECT_EQ(3, gch_test_objects(self->h));
	EXPECT_EQ(3, gch_get_garbage(self->h, g, 4));
	for (i = 0; i < 3; i++) {
		/* the garbage list's, the ring's slot, ours */
		EXPECT_EQ(3, gch_test_refcount(self->h, g[i]));
		EXPECT_EQ(0, gch_decref(self->h, g[i]));
	}
	EXPECT_EQ(0, gch_collect(self->h, 2));	/* kept alive by the list */
	EXPECT_EQ(3, gch_test_objects(self->h));
	EXPECT_EQ(3, gch_get_garbage(self->h, NULL, 0));
}

TEST_F(heap, get_objects)
{
	gch_ref_t a = obj(self->h, 1), b = obj(self->h, 2), u = obj(self->h, 0);
	gch_ref_t c = obj(self->h, 1), buf[4] = { 0 };

	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, c));	/* a, b tracked; */
	ASSERT_EQ(0, gch_set_slot(self->h, b, 1, c));	/* c, u not */
	EXPECT_EQ(2, gch_get_objects(self->h, 0, buf, 4));
	EXPECT_EQ(a, buf[0]);
	EXPECT_EQ(b, buf[1]);
	EXPECT_EQ(2, gch_test_refcount(self->h, a));
	gch_decref(self->h, buf[0]);
	gch_decref(self->h, buf[1]);
	gch_collect(self->h, 0);
	EXPECT_EQ(0, gch_get_objects(self->h, 0, buf, 4));
	EXPECT_EQ(2, gch_get_objects(self->h, 1, NULL, 0));
	EXPECT_EQ(2, gch_get_objects(self->h, -1, buf, 1));	/* cut at 1 */
	EXPECT_EQ(a, buf[0]);
	EXPECT_EQ(2, gch_test_refcount(self->h, a));
	EXPECT_EQ(1, gch_test_refcount(self->h, b));
	gch_decref(self->h, buf[0]);
	gch_decref(self->h, a);
	gch_decref(self->h, b);
	gch_decref(self->h, u);
	gch_decref(self->h, c);
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_F(heap, referents_and_referrers)
{
	gch_ref_t a = obj(self->h, 3), b = obj(self->h, 1), c = obj(self->h, 0);
	gch_ref_t buf[4] = { 0 };
	int i, n;

	gch_set_slot(self->h, a, 0, c);
	gch_set_slot(self->h, a, 2, b);
	gch_set_slot(self->h, b, 0, c);
	n = gch_get_referents(self->h, a, buf, 4);
	ASSERT_EQ(2, n);
	EXPECT_EQ(c, buf[0]);
	EXPECT_EQ(b, buf[1]);
	for (i = 0; i < n; i++)
		gch_decref(self->h, buf[i]);
	n = gch_get_referrers(self->h, c, buf, 4);
	ASSERT_EQ(2, n);
	EXPECT_EQ(a, buf[0]);
	EXPECT_EQ(b, buf[1]);
	for (i = 0; i < n; i++)
		gch_decref(self->h, buf[i]);
	EXPECT_EQ(0, gch_get_referrers(self->h, a, buf, 4));
	EXPECT_EQ(0, gch_get_referents(self->h, c, buf, 4));
	EXPECT_EQ(3, gch_test_refcount(self->h, c));
	EXPECT_EQ(2, gch_test_refcount(self->h, b));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	gch_decref(self->h, a);
	gch_decref(self->h, b);
	gch_decref(self->h, c);
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_F(heap, list_into_bad_buffer_changes_nothing)
{
	gch_ref_t a = obj(self->h, 1), x = obj(self->h, 1);

	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, x));	/* a tracked */
	ASSERT_EQ(0, gch_decref(self->h, x));
	EXPECT_EQ(-EFAULT, gch_get_objects(self->h, -1, (gch_ref_t *)8, 4));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	gch_decref(self->h, a);
}

TEST_F(heap, stats_record_collections)
{
	struct gch_stats st;

	ring(self->h, 4, 1);
	EXPECT_EQ(4, gch_collect(self->h, 1));
	EXPECT_EQ(0, gch_collect(self->h, 0));
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_EQ(1, st.gen[0].collections);
	EXPECT_EQ(0, st.gen[0].collected);
	EXPECT_EQ(1, st.gen[1].collections);
	EXPECT_EQ(4, st.gen[1].collected);
	EXPECT_EQ(0, st.gen[2].collections);
	EXPECT_EQ(0, st.gen[1].uncollectable);
	EXPECT_LT(0, st.pause_ns_last);
	EXPECT_LE(st.pause_ns_last, st.pause_ns_max);
	EXPECT_LE(st.pause_ns_max, st.pause_ns_total);
}

/* The worker runs when generation 0 crosses its threshold, and reclaims. */
TEST_F(heap, automatic_collection)
{
	struct gch_stats st;
	int i;

	ASSERT_EQ(0, gch_set_threshold(self->h, 50, 10, 10));
	for (i = 0; i < 100; i++)
		ring(self->h, 2, 1);
	ASSERT_EQ(0, wait_collections(self->h, 0, 1));
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_LT(0, st.gen[0].collected);
	EXPECT_GT(200, gch_test_objects(self->h));
}

TEST_F(heap, disabled_never_runs)
{
	struct gch_stats st;
	uint32_t c[3];
	int i;

	ASSERT_EQ(0, gch_set_threshold(self->h, 10, 10, 10));
	ASSERT_EQ(0, gch_disable(self->h));
	for (i = 0; i < 500; i++)
		ring(self->h, 2, 1);
	usleep(200000);
	ASSERT_EQ(0, gch_get_count(self->h, c));
	EXPECT_EQ(1000, c[0]);
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_EQ(0, st.gen[0].collections);
	EXPECT_EQ(1000, st.objects);
	ASSERT_EQ(0, gch_enable(self->h));
	ring(self->h, 2, 1);
	ASSERT_EQ(0, wait_collections(self->h, 0, 1));
}

TEST_F(heap, threshold_zero_disables)
{
	struct gch_stats st;
	int i;

	ASSERT_EQ(0, gch_set_threshold(self->h, 0, 10, 10));
	for (i = 0; i < 1000; i++)
		ring(self->h, 1, 1);
	usleep(200000);
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_EQ(0, st.gen[0].collections);
}

/* Allocate a kept object; let any automatic run it queued finish. */
/* A tracked object of one slot, which names the object itself. */
static gch_ref_t obj_tracked(struct gch_heap *h)
{
	gch_ref_t r = obj(h, 1);

	if (r && gch_set_slot(h, r, 0, r))
		return 0;
	return r;
}

/* obj_tracked(), once generation 0 is back under @threshold0. */
static gch_ref_t obj_settled(struct gch_heap *h, uint32_t threshold0)
{
	uint64_t end = now_ms() + 30000;
	gch_ref_t r = obj_tracked(h);
	uint32_t c[3];

	while (!gch_get_count(h, c) && c[0] > threshold0 && now_ms() < end)
		usleep(1000);
	return r;
}

/* Full runs wait until a quarter of the long-lived objects are new. */
TEST_F_TIMEOUT(heap, long_lived_heuristic, 600)
{
	gch_ref_t *keep = calloc(3000, sizeof(*keep));
	struct gch_stats st;
	uint32_t c[3];
	int i;

	ASSERT_NE(NULL, keep);
	ASSERT_EQ(0, gch_disable(self->h));
	ASSERT_EQ(0, gch_set_threshold(self->h, 10, 1, 1));
	for (i = 0; i < 2000; i++)
		keep[i] = obj_tracked(self->h);
	ASSERT_EQ(0, gch_collect(self->h, 2));	/* 2000 long-lived */
	ASSERT_EQ(0, gch_enable(self->h));
	for (i = 2000; i < 2300; i++)		/* 300 < 2000 / 4 */
		keep[i] = obj_settled(self->h, 10);
	ASSERT_EQ(0, gch_get_count(self->h, c));
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_LE(4, st.gen[1].collections);
	EXPECT_EQ(1, st.gen[2].collections) TH_LOG("count[2] = %u", c[2]);
	EXPECT_LT(1, c[2]);			/* over threshold, held back */
	for (i = 2300; i < 3000; i++)		/* now > 500 pending */
		keep[i] = obj_settled(self->h, 10);
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_LE(2, st.gen[2].collections);
	for (i = 0; i < 3000; i++)
		gch_decref(self->h, keep[i]);
	free(keep);
}

/* A limit reached with garbage about: a full run makes room first. */
TEST(collect_before_edquot)
{
	struct gch_config cfg = { .max_objects = 100 };
	struct gch_heap *h = gch_open(&cfg);
	gch_ref_t r;
	int i;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_set_threshold(h, 100000, 10, 10)); /* no worker */
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, gch_alloc(h, 1, 0, &r)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, gch_set_slot(h, r, 0, r));
		ASSERT_EQ(0, gch_decref(h, r));
	}
	EXPECT_GE(100, gch_test_objects(h));
	gch_close(h);
}

/*
 * The same for one sealed object, the heap full of nothing but garbage: it
 * comes out of the collection for room sealed, under a ref that works.
 */
TEST(collect_before_edquot_sealed)
{
	struct gch_config cfg = { .max_objects = 10 };
	struct gch_alloc_args sa = { .nslots = 1, .flags = GCH_ALLOC_SEALED };
	struct gch_heap *h = gch_open(&cfg);
	gch_ref_t r, s;
	int i;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_set_threshold(h, 100000, 10, 10)); /* no worker */
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, gch_alloc(h, 1, 0, &r));
		ASSERT_EQ(0, gch_set_slot(h, r, 0, r));
		ASSERT_EQ(0, gch_decref(h, r));
	}
	EXPECT_EQ(10, gch_test_objects(h));
	ASSERT_EQ(0, gch_alloc_ex(h, &sa, &s));
	EXPECT_EQ(1, gch_test_objects(h));
	EXPECT_EQ(GCH_OBJ_SEALED, info_flags(h, s));
	EXPECT_EQ(-EPERM, gch_set_slot(h, s, 0, s));
	EXPECT_EQ(0, gch_decref(h, s));
	EXPECT_EQ(0, gch_test_objects(h));
	gch_close(h);
}

TEST(disabled_collector_leaves_edquot)
{
	struct gch_config cfg = { .max_objects = 100 };
	struct gch_heap *h = gch_open(&cfg);
	gch_ref_t r;
	int i, ret = 0;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_disable(h));
	for (i = 0; i < 200 && !ret; i++) {
		ret = gch_alloc(h, 1, 0, &r);
		if (!ret) {
			gch_set_slot(h, r, 0, r);
			gch_decref(h, r);
		}
	}
	EXPECT_EQ(-EDQUOT, ret);
	EXPECT_EQ(101, i);
	gch_close(h);
}

struct mutator {
	struct gch_heap *h;
	int iters;
	int err;
};

/* Build and drop cycles and chains, read slots back, keep a few. */
static void *mutate(void *arg)
{
	struct mutator *m = arg;
	gch_ref_t keep = obj(m->h, 2), a, b, got;
	int i;

	for (i = 0; i < m->iters && !m->err; i++) {
		a = ring(m->h, 1 + i % 5, 0);
		b = obj(m->h, 2);
		if (!a || !b || gch_set_slot(m->h, b, 0, a) ||
		    gch_set_slot(m->h, b, 1, keep) ||
		    gch_set_slot(m->h, keep, i % 2, b) ||
		    gch_get_slot(m->h, b, 0, &got) || got != a) {
			m->err = 1;
			break;
		}
		gch_decref(m->h, got);
		gch_decref(m->h, a);
		gch_decref(m->h, b);
	}
	gch_decref(m->h, keep);
	return NULL;
}

TEST_F(heap, collect_while_mutating)
{
	struct mutator m[4];
	pthread_t t[4];
	int i, runs = 0;

	ASSERT_EQ(0, gch_set_threshold(self->h, 100, 2, 2));
	for (i = 0; i < 4; i++) {
		m[i] = (struct mutator){ .h = self->h, .iters = 2000 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, mutate, &m[i]));
	}
	for (i = 0; i < 200; i++)
		if (gch_collect(self->h, i % 3) >= 0)
			runs++;
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, m[i].err);
	}
	EXPECT_EQ(200, runs);
	gch_collect(self->h, 2);
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/* Close heaps with collections queued and running: the debug kernel judges. */
TEST(close_with_collection_pending)
{
	struct gch_config cfg = { .threshold = { 1, 1, 1 } };
	int round, i;

	for (round = 0; round < 30; round++) {
		struct gch_heap *h = gch_open(&cfg);

		ASSERT_NE(NULL, h);
		for (i = 0; i < 300 + round * 20; i++)
			ring(h, 3, i % 2);
		if (round % 3 == 0)
			usleep(round * 100);
		gch_close(h);
	}
}

TEST_HARNESS_MAIN
