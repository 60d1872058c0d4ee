// SPDX-License-Identifier: GPL-2.0
/*
 * Batches: every operation kind, results of earlier ops as operands, a
 * failure in the middle, whole-batch rejection before anything runs, the
 * maximum size, the raw ABI, and batches racing with collections.
 */
#include <pthread.h>

#include "gch_test.h"

TEST_F(heap, every_op_kind)
{
	struct gch_batch *b = gch_batch_new(self->h, 16);
	char out[8] = { 0 };
	gch_ref_t r0 = 0, r1 = 0, r3 = 0;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_batch_alloc(b, 2, 16));
	ASSERT_EQ(1, gch_batch_alloc(b, 0, 8));
	ASSERT_EQ(2, gch_batch_set_slot(b, GCH_RESULT(0), 0, GCH_RESULT(1)));
	ASSERT_EQ(3, gch_batch_get_slot(b, GCH_RESULT(0), 0));
	ASSERT_EQ(4, gch_batch_write(b, GCH_RESULT(1), 0, "abcdefgh", 8));
	ASSERT_EQ(5, gch_batch_read(b, GCH_RESULT(3), 0, out, 8));
	ASSERT_EQ(6, gch_batch_incref(b, GCH_RESULT(0)));
	ASSERT_EQ(7, gch_batch_decref(b, GCH_RESULT(0)));
	ASSERT_EQ(8, gch_batch_decref(b, GCH_RESULT(3)));
	ASSERT_EQ(9, gch_batch_submit(b));
	ASSERT_EQ(0, gch_batch_result(b, 0, &r0));
	ASSERT_EQ(0, gch_batch_result(b, 1, &r1));
	ASSERT_EQ(0, gch_batch_result(b, 3, &r3));
	EXPECT_EQ(r1, r3);
	EXPECT_EQ(0, memcmp(out, "abcdefgh", 8));
	EXPECT_EQ(1, gch_test_refcount(self->h, r0));
	EXPECT_EQ(2, gch_test_refcount(self->h, r1));	/* ours, r0's slot */
	EXPECT_EQ(-EINVAL, gch_batch_result(b, 9, NULL));
	gch_decref(self->h, r0);
	gch_decref(self->h, r1);
	EXPECT_EQ(0, gch_test_objects(self->h));
	gch_batch_free(b);
}

/* ALLOC_MOVE moves the program's references into the slots. */
TEST_F(heap, alloc_move_steals_references)
{
	struct gch_batch *b = gch_batch_new(self->h, 8);
	gch_ref_t l, r, p, q, s0, s1;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_alloc(self->h, 0, 4, &l));
	ASSERT_EQ(0, gch_alloc(self->h, 2, 0, &r));
	ASSERT_EQ(0, gch_batch_alloc_move(b, 2, 8, l, r));
	ASSERT_EQ(1, gch_batch_alloc_move(b, 3, 0, GCH_RESULT(0), 0));
	ASSERT_EQ(2, gch_batch_alloc_move(b, 0, 16, 0, 0));
	ASSERT_EQ(3, gch_batch_submit(b));
	ASSERT_EQ(0, gch_batch_result(b, 0, &p));
	ASSERT_EQ(0, gch_batch_result(b, 1, &q));
	EXPECT_EQ(1, gch_test_refcount(self->h, l));	/* p's slot only */
	EXPECT_EQ(1, gch_test_refcount(self->h, r));
	EXPECT_EQ(1, gch_test_refcount(self->h, p));	/* q's slot only */
	EXPECT_EQ(1, gch_test_refcount(self->h, q));	/* ours */
	ASSERT_EQ(0, gch_get_slot(self->h, p, 0, &s0));
	ASSERT_EQ(0, gch_get_slot(self->h, p, 1, &s1));
	EXPECT_EQ(l, s0);
	EXPECT_EQ(r, s1);
	gch_decref(self->h, s0);
	gch_decref(self->h, s1);
	ASSERT_EQ(0, gch_get_slot(self->h, q, 1, &s1));
	EXPECT_EQ(0, s1);
	EXPECT_EQ(5, gch_test_objects(self->h));	/* l, r, p, q, op 2's */
	ASSERT_EQ(0, gch_batch_result(b, 2, &s0));
	gch_decref(self->h, s0);
	gch_decref(self->h, q);				/* frees all four */
	EXPECT_EQ(0, gch_test_objects(self->h));
	gch_batch_free(b);
}

/* A stale operand fails the op with nothing changed; bad shapes: whole. */
TEST_F(heap, alloc_move_checks)
{
	struct gch_batch *b = gch_batch_new(self->h, 4);
	gch_ref_t a, dead;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &dead));
	gch_decref(self->h, dead);
	gch_batch_alloc_move(b, 2, 0, a, dead);
	ASSERT_EQ(0, gch_batch_submit(b));
	EXPECT_EQ(-ESTALE, gch_batch_result(b, 0, NULL));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	EXPECT_EQ(1, gch_test_objects(self->h));
	gch_batch_reset(b);
	gch_batch_alloc_move(b, 1, 0, a, a);		/* slot 1 does not exist */
	EXPECT_EQ(-EINVAL, gch_batch_submit(b));
	gch_batch_reset(b);
	gch_batch_alloc_move(b, 0, 0, a, 0);
	EXPECT_EQ(-EINVAL, gch_batch_submit(b));
	gch_batch_reset(b);
	gch_batch_alloc_move(b, 2, 0, GCH_RESULT(0), 0);	/* itself */
	EXPECT_EQ(-EINVAL, gch_batch_submit(b));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	EXPECT_EQ(1, gch_test_objects(self->h));
	gch_decref(self->h, a);
	gch_batch_free(b);
}

/* PEEK_SLOT hands out borrowed refs: no count changes, stale after. */
TEST_F(heap, peek_slot_borrows)
{
	struct gch_batch *b = gch_batch_new(self->h, 8);
	gch_ref_t p, c, got, empty, gc;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_alloc(self->h, 2, 0, &p));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &c));
	ASSERT_EQ(0, gch_set_slot(self->h, p, 0, c));
	gch_decref(self->h, c);
	ASSERT_EQ(0, gch_batch_peek_slot(b, p, 0));
	ASSERT_EQ(1, gch_batch_peek_slot(b, p, 1));
	ASSERT_EQ(2, gch_batch_peek_slot(b, GCH_RESULT(0), 0));
	ASSERT_EQ(3, gch_batch_peek_slot(b, p, 2));	/* out of range */
	ASSERT_EQ(3, gch_batch_submit(b));
	ASSERT_EQ(0, gch_batch_result(b, 0, &got));
	ASSERT_EQ(0, gch_batch_result(b, 1, &empty));
	ASSERT_EQ(0, gch_batch_result(b, 2, &gc));
	EXPECT_EQ(-EINVAL, gch_batch_result(b, 3, NULL));
	EXPECT_EQ(c, got);
	EXPECT_EQ(0, empty);
	EXPECT_EQ(0, gc);
	EXPECT_EQ(1, gch_test_refcount(self->h, c));
	EXPECT_EQ(1, gch_test_refcount(self->h, p));
	gch_decref(self->h, p);				/* frees c too */
	EXPECT_EQ(0, gch_test_objects(self->h));
	EXPECT_EQ(-ESTALE, gch_incref(self->h, got));
	gch_batch_free(b);
}

TEST_F(heap, failure_in_the_middle)
{
	struct gch_batch *b = gch_batch_new(self->h, 4);
	gch_ref_t r;

	ASSERT_NE(NULL, b);
	gch_batch_alloc(b, 0, 0);
	gch_batch_decref(b, 12345);
	gch_batch_alloc(b, 0, 0);
	ASSERT_EQ(1, gch_batch_submit(b));
	ASSERT_EQ(0, gch_batch_result(b, 0, &r));
	EXPECT_EQ(-ESTALE, gch_batch_result(b, 1, &r));
	EXPECT_EQ(-ECANCELED, gch_batch_result(b, 2, &r));
	EXPECT_EQ(1, gch_test_objects(self->h));	/* op 0 stays done */
	gch_batch_free(b);
}

TEST_F(heap, invalid_batches_run_nothing)
{
	struct gch_batch *b = gch_batch_new(self->h, 4);
	gch_ref_t a;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &a));
	gch_batch_incref(b, a);
	gch_batch_set_slot(b, GCH_RESULT(2), 0, 0);	/* forward */
	gch_batch_alloc(b, 0, 0);
	EXPECT_EQ(-EINVAL, gch_batch_submit(b));
	gch_batch_reset(b);
	gch_batch_incref(b, a);
	gch_batch_decref(b, GCH_RESULT(0));		/* incref has no result */
	EXPECT_EQ(-EINVAL, gch_batch_submit(b));
	gch_batch_reset(b);
	gch_batch_incref(b, a);
	gch_batch_alloc(b, 1U << 20, 0);		/* too many slots */
	EXPECT_EQ(-EINVAL, gch_batch_submit(b));
	gch_batch_reset(b);
	gch_batch_incref(b, a);
	gch_batch_set_slot(b, a, 0, GCH_RESULT(0) | (1ULL << 30));
	EXPECT_EQ(-EINVAL, gch_batch_submit(b));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	EXPECT_EQ(1, gch_test_objects(self->h));
	gch_decref(self->h, a);
	gch_batch_free(b);
}

TEST_F_TIMEOUT(heap, largest_batch, 300)
{
	struct gch_batch *b = gch_batch_new(self->h, GCHEAP_BATCH_MAX);
	gch_ref_t r;
	int i;

	ASSERT_NE(NULL, b);
	EXPECT_EQ(NULL, gch_batch_new(self->h, GCHEAP_BATCH_MAX + 1));
	for (i = 0; i < GCHEAP_BATCH_MAX; i++)
		ASSERT_EQ(i, gch_batch_alloc(b, 1, 8));
	EXPECT_EQ(-ENOSPC, gch_batch_alloc(b, 1, 8));
	ASSERT_EQ(GCHEAP_BATCH_MAX, gch_batch_submit(b));
	EXPECT_EQ(GCHEAP_BATCH_MAX, gch_test_objects(self->h));
	/* drop them all in a second batch, naming the first's results */
	for (i = 0; i < GCHEAP_BATCH_MAX; i++) {
		ASSERT_EQ(0, gch_batch_result(b, i, &r));
		ASSERT_NE(0, r);
	}
	gch_ref_t *refs = calloc(GCHEAP_BATCH_MAX, sizeof(*refs));

	ASSERT_NE(NULL, refs);
	for (i = 0; i < GCHEAP_BATCH_MAX; i++)
		gch_batch_result(b, i, &refs[i]);
	gch_batch_reset(b);
	for (i = 0; i < GCHEAP_BATCH_MAX; i++)
		gch_batch_decref(b, refs[i]);
	ASSERT_EQ(GCHEAP_BATCH_MAX, gch_batch_submit(b));
	EXPECT_EQ(0, gch_test_objects(self->h));
	free(refs);
	gch_batch_free(b);
}

TEST_F(heap, resubmitted_as_is)
{
	struct gch_batch *b = gch_batch_new(self->h, 4);
	gch_ref_t r, first, second;

	ASSERT_NE(NULL, b);
	gch_batch_alloc(b, 0, 0);
	gch_batch_decref(b, GCH_RESULT(0));
	ASSERT_EQ(2, gch_batch_submit(b));
	gch_batch_result(b, 0, &first);
	ASSERT_EQ(2, gch_batch_submit(b));
	gch_batch_result(b, 0, &second);
	EXPECT_NE(first, second);
	EXPECT_EQ(-ESTALE, gch_incref(self->h, first));
	EXPECT_EQ(0, gch_test_objects(self->h));
	(void)r;
	gch_batch_free(b);
}

static int raw_batch(struct gch_heap *h, void *ops, uint32_t count,
		     uint32_t op_size, struct gcheap_batch *out)
{
	struct gcheap_batch arg = {
		.ops = (uintptr_t)ops, .count = count, .op_size = op_size,
	};
	int ret;

	if (out && (out->flags || out->reserved || out->done)) {
		arg.flags = out->flags;
		arg.reserved = out->reserved;
		arg.done = out->done;
	}
	ret = gch_test_ioctl(h, GCHEAP_IOC_BATCH, &arg);
	if (out)
		*out = arg;
	return ret;
}

TEST_F(heap, raw_abi)
{
	struct gcheap_batch_op ops[2] = {
		{ .op = GCH_OP_ALLOC, .slot = 1, .len = 4 },
		{ .op = GCH_OP_DECREF, .a = GCH_RESULT(0) },
	};
	struct {
		struct gcheap_batch_op op;
		uint64_t newer;
	} big[1] = { { .op = { .op = GCH_OP_ALLOC } } };
	struct gcheap_batch st = { 0 };

	EXPECT_EQ(0, raw_batch(self->h, ops, 0, sizeof(ops[0]), NULL));
	EXPECT_EQ(-EINVAL, raw_batch(self->h, ops, 2, sizeof(ops[0]) - 8, NULL));
	EXPECT_EQ(-EINVAL, raw_batch(self->h, ops, GCHEAP_BATCH_MAX + 1,
				     sizeof(ops[0]), NULL));
	st.flags = 1;
	EXPECT_EQ(-EINVAL, raw_batch(self->h, ops, 2, sizeof(ops[0]), &st));
	st = (struct gcheap_batch){ .reserved = 1 };
	EXPECT_EQ(-EINVAL, raw_batch(self->h, ops, 2, sizeof(ops[0]), &st));
	st = (struct gcheap_batch){ .done = 1 };
	EXPECT_EQ(-EINVAL, raw_batch(self->h, ops, 2, sizeof(ops[0]), &st));
	ops[1].op = 99;
	EXPECT_EQ(-EINVAL, raw_batch(self->h, ops, 2, sizeof(ops[0]), NULL));
	ops[1].op = GCH_OP_DECREF;
	ops[1].len = 1;					/* unused field set */
	EXPECT_EQ(-EINVAL, raw_batch(self->h, ops, 2, sizeof(ops[0]), NULL));
	ops[1].len = 0;
	EXPECT_EQ(-EFAULT, raw_batch(self->h, (void *)8, 2, sizeof(ops[0]), NULL));
	EXPECT_EQ(0, gch_test_objects(self->h));
	st = (struct gcheap_batch){ 0 };
	ASSERT_EQ(0, raw_batch(self->h, ops, 2, sizeof(ops[0]), &st));
	EXPECT_EQ(2, st.done);
	EXPECT_EQ(0, st.error);
	EXPECT_NE(0, ops[0].result);
	/* a newer caller's larger op: a zero tail is fine, else -EINVAL */
	big[0].newer = 1;
	EXPECT_EQ(-EINVAL, raw_batch(self->h, big, 1, sizeof(big[0]), NULL));
	big[0].newer = 0;
	st = (struct gcheap_batch){ 0 };
	ASSERT_EQ(0, raw_batch(self->h, big, 1, sizeof(big[0]), &st));
	EXPECT_EQ(1, st.done);
	EXPECT_EQ(1, gch_test_objects(self->h));
	gch_decref(self->h, big[0].op.result);
}

struct builder {
	struct gch_heap *h;
	int rounds;
	int err;
};

/* Cycles built and dropped by batches, while another thread collects. */
static void *build_cycles(void *arg)
{
	struct builder *w = arg;
	struct gch_batch *b = gch_batch_new(w->h, 64);
	int i, j;

	if (!b) {
		w->err = 1;
		return NULL;
	}
	for (i = 0; i < w->rounds && !w->err; i++) {
		gch_batch_reset(b);
		for (j = 0; j < 8; j++) {
			int x = gch_batch_alloc(b, 1, 8);
			int y = gch_batch_alloc(b, 1, 8);

			gch_batch_set_slot(b, GCH_RESULT(x), 0, GCH_RESULT(y));
			gch_batch_set_slot(b, GCH_RESULT(y), 0, GCH_RESULT(x));
			gch_batch_decref(b, GCH_RESULT(x));
			gch_batch_decref(b, GCH_RESULT(y));
		}
		if (gch_batch_submit(b) != 48)
			w->err = 1;
	}
	gch_batch_free(b);
	return NULL;
}

TEST_F(heap, batches_race_with_collections)
{
	struct builder w[2] = { { self->h, 300 }, { self->h, 300 } };
	pthread_t t[2];
	int i;

	ASSERT_EQ(0, gch_set_threshold(self->h, 200, 2, 2));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, build_cycles, &w[i]));
	for (i = 0; i < 100; i++)
		ASSERT_LE(0, gch_collect(self->h, i % 3));
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].err);
	}
	gch_collect(self->h, 2);
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_HARNESS_MAIN
