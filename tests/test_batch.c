// SPDX-License-Identifier: GPL-2.0
/*
 * Batches: every operation kind, results of earlier ops as operands, a
 * failure in the middle, whole-batch rejection before anything runs, the
 * maximum size, the raw ABI, and batches racing with collections.
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

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

static uint32_t info_flags(struct gch_heap *h, gch_ref_t r)
{
	struct gch_obj_info in;

	return gch_info(h, r, &in) ? ~0U : in.flags;
}

/* ALLOC_MOVE tracks what it makes when an operand has slots, only then. */
TEST_F(heap, alloc_move_tracks_what_names_slots)
{
	struct gch_batch *b = gch_batch_new(self->h, 4);
	gch_ref_t leaf, atom, r0, r1, r2, buf[4];

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_alloc(self->h, 2, 0, &leaf));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 8, &atom));
	ASSERT_EQ(0, gch_batch_alloc_move(b, 2, 0, atom, 0));
	ASSERT_EQ(1, gch_batch_alloc_move(b, 2, 0, 0, leaf));
	ASSERT_EQ(2, gch_batch_alloc(b, 2, 0));
	ASSERT_EQ(3, gch_batch_submit(b));
	ASSERT_EQ(0, gch_batch_result(b, 0, &r0));
	ASSERT_EQ(0, gch_batch_result(b, 1, &r1));
	ASSERT_EQ(0, gch_batch_result(b, 2, &r2));
	EXPECT_EQ(0, info_flags(self->h, r0));
	EXPECT_EQ(GCH_OBJ_TRACKED, info_flags(self->h, r1));
	EXPECT_EQ(0, info_flags(self->h, r2));
	EXPECT_EQ(0, info_flags(self->h, leaf));
	ASSERT_EQ(1, gch_get_objects(self->h, GCH_GEN_ALL, buf, 4));
	EXPECT_EQ(r1, buf[0]);
	EXPECT_EQ(0, gch_decref(self->h, buf[0]));
	EXPECT_EQ(0, gch_decref(self->h, r0));
	EXPECT_EQ(0, gch_decref(self->h, r1));
	EXPECT_EQ(0, gch_decref(self->h, r2));
	EXPECT_EQ(0, gch_test_objects(self->h));
	gch_batch_free(b);
}

/*
 * A tree of sealed objects, as binary-trees builds it, is never tracked,
 * nor is what names only its root; its referrers are found all the same.
 * SEAL in a batch makes a later SET_SLOT of the same batch fail.
 */
TEST_F(heap, sealed_tree_is_never_tracked)
{
	struct gch_batch *b = gch_batch_new(self->h, 8);
	gch_ref_t leaf, root, top, m, buf[4];

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_batch_alloc_sealed(b, 2, 0, 0, 0));
	ASSERT_EQ(1, gch_batch_alloc_sealed(b, 2, 0, 0, 0));
	ASSERT_EQ(2, gch_batch_alloc_sealed(b, 2, 0, GCH_RESULT(0),
					    GCH_RESULT(1)));
	ASSERT_EQ(3, gch_batch_alloc_move(b, 1, 0, GCH_RESULT(2), 0));
	ASSERT_EQ(4, gch_batch_alloc(b, 1, 0));
	ASSERT_EQ(5, gch_batch_seal(b, GCH_RESULT(4)));
	ASSERT_EQ(6, gch_batch_set_slot(b, GCH_RESULT(4), 0, 0));
	ASSERT_EQ(6, gch_batch_submit(b));
	EXPECT_EQ(-EPERM, gch_batch_result(b, 6, NULL));
	ASSERT_EQ(0, gch_batch_result(b, 2, &root));
	ASSERT_EQ(0, gch_batch_result(b, 3, &top));
	ASSERT_EQ(0, gch_batch_result(b, 4, &m));
	ASSERT_EQ(0, gch_get_slot(self->h, root, 0, &leaf));
	EXPECT_EQ(GCH_OBJ_SEALED, info_flags(self->h, leaf));
	EXPECT_EQ(GCH_OBJ_SEALED, info_flags(self->h, root));
	EXPECT_EQ(0, info_flags(self->h, top));
	EXPECT_EQ(GCH_OBJ_SEALED, info_flags(self->h, m));
	EXPECT_EQ(-EPERM, gch_set_slot(self->h, root, 1, 0));
	EXPECT_EQ(0, gch_get_objects(self->h, GCH_GEN_ALL, buf, 4));
	ASSERT_EQ(1, gch_get_referrers(self->h, root, buf, 4));
	EXPECT_EQ(top, buf[0]);
	EXPECT_EQ(0, gch_decref(self->h, buf[0]));
	ASSERT_EQ(1, gch_get_referrers(self->h, leaf, buf, 4));
	EXPECT_EQ(root, buf[0]);
	EXPECT_EQ(0, gch_decref(self->h, buf[0]));
	EXPECT_EQ(0, gch_decref(self->h, leaf));
	EXPECT_EQ(0, gch_decref(self->h, top));
	EXPECT_EQ(0, gch_decref(self->h, m));
	EXPECT_EQ(0, gch_test_objects(self->h));
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
	ops[1].op = GCH_OP_SEAL;
	ops[1].off = 1;
	EXPECT_EQ(-EINVAL, raw_batch(self->h, ops, 2, sizeof(ops[0]), NULL));
	ops[1].off = 0;
	ops[1].op = GCH_OP_DECREF;
	ops[0].off = GCH_ALLOC_FINALIZE;		/* the one flag: SEALED */
	EXPECT_EQ(-EINVAL, raw_batch(self->h, ops, 2, sizeof(ops[0]), NULL));
	ops[0].off = 0;
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

/*
 * The heap keeps its last batch's op buffer, with room for 64 ops at least:
 * a longer batch replaces it by a larger one, a shorter one reuses it.
 */
TEST_F(heap, batch_outgrows_the_kept_buffer)
{
	static const int sizes[] = { 2, 65, 64, 200, 3 };
	struct gch_batch *b = gch_batch_new(self->h, 200);
	gch_ref_t refs[200];
	unsigned int k;
	int i, n;

	ASSERT_NE(NULL, b);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		n = sizes[k];
		gch_batch_reset(b);
		for (i = 0; i < n; i++)
			ASSERT_EQ(i, gch_batch_alloc(b, 1, 8));
		ASSERT_EQ(n, gch_batch_submit(b)) TH_LOG("%d allocs", n);
		EXPECT_EQ(n, gch_test_objects(self->h));
		for (i = 0; i < n; i++) {
			ASSERT_EQ(0, gch_batch_result(b, i, &refs[i]));
			EXPECT_EQ(1, gch_test_refcount(self->h, refs[i]));
			if (i)
				EXPECT_NE(refs[i - 1], refs[i]);
		}
		gch_batch_reset(b);
		for (i = 0; i < n; i++)
			ASSERT_EQ(i, gch_batch_decref(b, refs[i]));
		ASSERT_EQ(n, gch_batch_submit(b)) TH_LOG("%d decrefs", n);
		EXPECT_EQ(0, gch_test_objects(self->h));
	}
	gch_batch_free(b);
}

/*
 * ALLOCs too large for the heap's cache are allocated before the run, the
 * others when their op runs: one batch mixing both gets each its shape.
 */
TEST_F(heap, small_and_large_allocs_in_one_batch)
{
	static const uint32_t shape[][2] = {	/* nslots, size */
		{ 1, 8 }, { 0, 4096 }, { 2, 0 }, { 64, 1000 }, { 0, 0 },
	};
	struct gch_batch *b = gch_batch_new(self->h, 8);
	struct gch_obj_info in;
	gch_ref_t r[5];
	char out[8];
	int i;

	ASSERT_NE(NULL, b);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(i, gch_batch_alloc(b, shape[i][0], shape[i][1]));
	ASSERT_EQ(5, gch_batch_write(b, GCH_RESULT(1), 4088, "abcdefgh", 8));
	ASSERT_EQ(6, gch_batch_set_slot(b, GCH_RESULT(3), 63, GCH_RESULT(0)));
	ASSERT_EQ(7, gch_batch_submit(b));
	EXPECT_EQ(5, gch_test_objects(self->h));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, gch_batch_result(b, i, &r[i]));
		ASSERT_EQ(0, gch_info(self->h, r[i], &in));
		EXPECT_EQ(shape[i][0], in.nslots);
		EXPECT_EQ(shape[i][1], in.size);
		EXPECT_EQ(i ? 1 : 2, in.refcount);	/* r[0]: r[3]'s slot */
	}
	ASSERT_EQ(0, gch_read(self->h, r[1], 4088, out, 8));
	EXPECT_EQ(0, memcmp(out, "abcdefgh", 8));
	ASSERT_EQ(0, gch_read(self->h, r[1], 0, out, 8));
	EXPECT_EQ(0, memcmp(out, "\0\0\0\0\0\0\0\0", 8));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, gch_decref(self->h, r[i]));
	EXPECT_EQ(0, gch_test_objects(self->h));
	gch_batch_free(b);
}

/*
 * A large ALLOC allocated before the run that the run never reaches (an
 * earlier op fails), or whose own op fails: the object is freed with the
 * batch, and the heap holds nothing of it, not even the room reserved for
 * it (at the end, the heap's limit of 3 objects admits 3 more).
 */
TEST_F(heap, preallocated_but_never_published)
{
	struct gcheap_config cfg = { .max_objects = 3 };
	struct gch_batch *b = gch_batch_new(self->h, 4);
	gch_ref_t a, dead, r, full[3];
	int i;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_test_ioctl(self->h, GCHEAP_IOC_CONFIG, &cfg));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &dead));
	ASSERT_EQ(0, gch_decref(self->h, dead));

	/* op 0 fails: op 1's object was made for nothing */
	gch_batch_decref(b, dead);
	gch_batch_alloc(b, 0, 4096);
	EXPECT_EQ(0, gch_batch_submit(b));
	EXPECT_EQ(-ESTALE, gch_batch_result(b, 0, NULL));
	EXPECT_EQ(-ECANCELED, gch_batch_result(b, 1, NULL));
	EXPECT_EQ(0, gch_test_objects(self->h));
	if (gch_test_heap_stat(self->h, "mem_bytes") >= 0)
		EXPECT_EQ(0, gch_test_heap_stat(self->h, "mem_bytes"));

	/* the first large ALLOC runs, a DECREF fails, the second never does */
	gch_batch_reset(b);
	gch_batch_alloc(b, 8, 2048);
	gch_batch_decref(b, dead);
	gch_batch_alloc(b, 0, 4096);
	EXPECT_EQ(1, gch_batch_submit(b));
	EXPECT_EQ(-ESTALE, gch_batch_result(b, 1, NULL));
	ASSERT_EQ(0, gch_batch_result(b, 0, &r));
	EXPECT_EQ(1, gch_test_objects(self->h));
	EXPECT_EQ(1, gch_test_refcount(self->h, r));

	/* the large ALLOC_MOVE's own operand is stale: its object unused */
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &a));
	gch_batch_reset(b);
	gch_batch_alloc_move(b, 2, 4096, a, dead);
	EXPECT_EQ(0, gch_batch_submit(b));
	EXPECT_EQ(-ESTALE, gch_batch_result(b, 0, NULL));
	EXPECT_EQ(2, gch_test_objects(self->h));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	EXPECT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_decref(self->h, r));
	EXPECT_EQ(0, gch_test_objects(self->h));
	if (gch_test_heap_stat(self->h, "mem_bytes") >= 0)
		EXPECT_EQ(0, gch_test_heap_stat(self->h, "mem_bytes"));

	/* more large ALLOCs than the limit: room for the first 3 only */
	gch_batch_reset(b);
	for (i = 0; i < 4; i++)
		gch_batch_alloc(b, 0, 4096);
	EXPECT_EQ(3, gch_batch_submit(b));
	EXPECT_EQ(-EDQUOT, gch_batch_result(b, 3, NULL));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, gch_batch_result(b, i, &r));
		EXPECT_EQ(0, gch_decref(self->h, r));
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, gch_alloc(self->h, 0, 4096, &full[i]));
	EXPECT_EQ(-EDQUOT, gch_alloc(self->h, 0, 0, &r));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, gch_decref(self->h, full[i]));
	gch_batch_free(b);
}

struct stalled_batch {
	struct gch_heap *h;
	struct gcheap_batch arg;
	struct gcheap_batch *at;	/* where the struct is, if not arg */
	int ret;
};

static void *run_stalled_batch(void *p)
{
	struct stalled_batch *s = p;

	s->ret = ioctl(gch_fd(s->h), GCHEAP_IOC_BATCH, s->at ?: &s->arg);
	if (s->ret < 0)
		s->ret = -errno;
	return NULL;
}

/*
 * Lay out n ops at @base, @op_size apart (a newer caller's larger ops have
 * a zero tail): op 0 an INCREF of @a, which has no result, the others
 * PEEK_SLOTs of @p's slot 0.
 */
static void lay_out_peeks(char *base, uint32_t op_size, uint32_t n,
			  gch_ref_t a, gch_ref_t p)
{
	struct gcheap_batch_op o = { .op = GCH_OP_INCREF, .a = a };
	uint32_t i;

	memset(base, 0, (size_t)n * op_size);
	memcpy(base, &o, sizeof(o));
	o = (struct gcheap_batch_op){ .op = GCH_OP_PEEK_SLOT, .a = p };
	for (i = 1; i < n; i++)
		memcpy(base + (size_t)i * op_size, &o, sizeof(o));
}

/*
 * Result fields on every page of a batch's ops are proved writable before
 * anything runs, whatever the ops' stride and wherever a field falls
 * (across a page boundary too); then every result is written back.
 */
TEST_F(heap, results_checked_on_every_page)
{
	static const uint32_t sizes[] = { sizeof(struct gcheap_batch_op), 48, 256 };
	/* op 0's result field at the start of a page, or across two */
	static const size_t starts[] = { 0, 4096 - 36 };
	char *map = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gch_ref_t a, p, t, r;
	unsigned int s, o, page;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &p));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &t));
	ASSERT_EQ(0, gch_set_slot(self->h, p, 0, t));
	for (s = 0; s < 3; s++) {
		for (o = 0; o < 2; o++) {
			char *base = map + starts[o];
			uint32_t n = (3 * 4096 - starts[o]) / sizes[s];
			struct gcheap_batch st = { 0 };
			uint32_t i;

			for (page = 1; page < 3; page++) {
				lay_out_peeks(base, sizes[s], n, a, p);
				ASSERT_EQ(0, mprotect(map + page * 4096, 4096,
						      PROT_READ));
				EXPECT_EQ(-EFAULT, raw_batch(self->h, base, n,
							     sizes[s], NULL));
				ASSERT_EQ(0, mprotect(map + page * 4096, 4096,
						      PROT_READ | PROT_WRITE));
				EXPECT_EQ(1, gch_test_refcount(self->h, a));
			}
			lay_out_peeks(base, sizes[s], n, a, p);
			ASSERT_EQ(0, raw_batch(self->h, base, n, sizes[s], &st));
			EXPECT_EQ(n, st.done);
			for (i = 1; i < n; i++) {
				memcpy(&r, base + (size_t)i * sizes[s] +
				       offsetof(struct gcheap_batch_op, result),
				       sizeof(r));
				ASSERT_EQ(t, r);
			}
			EXPECT_EQ(2, gch_test_refcount(self->h, a));
			EXPECT_EQ(0, gch_decref(self->h, a));
		}
	}
	EXPECT_EQ(2, gch_test_refcount(self->h, t));	/* ours, p's slot */
	munmap(map, 4 * 4096);
}

/*
 * A userfaultfd on @page (one page, never touched): the first access to it
 * stalls until unstall_page().  Return: the fd, or -1 without one.
 */
static int stall_page(char *page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)page, .len = 4096 },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (uffd >= 0 && (ioctl(uffd, UFFDIO_API, &api) ||
			  ioctl(uffd, UFFDIO_REGISTER, &reg))) {
		close(uffd);
		return -1;
	}
	return uffd;
}

/* Wait (a minute at most) for the access that stalls: 0, or -1. */
static int wait_stalled(int uffd, struct uffd_msg *msg)
{
	struct pollfd u = { .fd = uffd, .events = POLLIN };

	if (poll(&u, 1, 60000) != 1)
		return -1;
	return read(uffd, msg, sizeof(*msg)) == sizeof(*msg) ? 0 : -1;
}

/* The stalled access goes on, finding a page of zeros. */
static int unstall_page(int uffd, char *page)
{
	struct uffdio_zeropage zp = {
		.range = { .start = (uintptr_t)page, .len = 4096 },
	};

	return ioctl(uffd, UFFDIO_ZEROPAGE, &zp);
}

/*
 * The ops' results cannot be written back after the run (the program made
 * them read-only meanwhile; before the run that is -EFAULT with nothing
 * run): the ops stay done, the READ data is still delivered, and the call
 * returns 1 with done and error telling what ran.  The batch is not
 * undone: the object allocated is live, with the reference the program
 * was given but never told (found again with LIST: an ALLOC_MOVE of an
 * object with a slot, so that the new object is tracked).  The window is
 * opened with a userfaultfd page as the READ buffer, which stalls the
 * batch's check of its buffers after the results' one.
 */
TEST_F(heap, results_unwritable_after_the_check)
{
	static const char data[16] = "abcdefghijklmno";
	struct gcheap_batch_op *ops = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct stalled_batch s = { .h = self->h };
	struct uffd_msg msg;
	pthread_t t;
	gch_ref_t r, p;
	int uffd;

	ASSERT_NE(MAP_FAILED, ops);
	ASSERT_NE(MAP_FAILED, page);
	uffd = stall_page(page);
	if (uffd < 0)
		SKIP(return, "no userfaultfd");
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &p));
	ops[0] = (struct gcheap_batch_op){ .op = GCH_OP_ALLOC_MOVE, .slot = 1,
					   .len = 16, .a = p };
	ops[1] = (struct gcheap_batch_op){ .op = GCH_OP_WRITE,
					   .a = GCH_RESULT(0),
					   .b = (uintptr_t)data, .len = 16 };
	ops[2] = (struct gcheap_batch_op){ .op = GCH_OP_READ,
					   .a = GCH_RESULT(0),
					   .b = (uintptr_t)page, .len = 16 };
	s.arg = (struct gcheap_batch){ .ops = (uintptr_t)ops, .count = 3,
				       .op_size = sizeof(*ops) };
	ASSERT_EQ(0, pthread_create(&t, NULL, run_stalled_batch, &s));
	ASSERT_EQ(0, wait_stalled(uffd, &msg));	/* on the READ buffer */
	EXPECT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
	EXPECT_EQ((uintptr_t)page, msg.arg.pagefault.address & ~4095ULL);
	ASSERT_EQ(0, mprotect(ops, 4096, PROT_READ));
	ASSERT_EQ(0, unstall_page(uffd, page));
	pthread_join(t, NULL);
	EXPECT_EQ(1, s.ret);
	EXPECT_EQ(3, s.arg.done);
	EXPECT_EQ(0, s.arg.error);
	EXPECT_EQ(0, ops[0].result);			/* never written */
	EXPECT_EQ(0, memcmp(page, data, 16));		/* but the READ was */
	EXPECT_EQ(2, gch_test_objects(self->h));
	ASSERT_EQ(1, gch_get_objects(self->h, GCH_GEN_ALL, &r, 1));
	EXPECT_EQ(2, gch_test_refcount(self->h, r));	/* the batch's, ours */
	EXPECT_EQ(0, gch_decref(self->h, r));
	EXPECT_EQ(0, gch_decref(self->h, r));
	EXPECT_EQ(0, gch_test_objects(self->h));	/* p went with it */
	close(uffd);
	munmap(page, 4096);
	munmap(ops, 4096);
}

/*
 * A batch or a collection whose own struct is read-only is refused before
 * it runs: it could not say that it ran, or what it did.
 */
TEST_F(heap, read_only_struct_runs_nothing)
{
	struct gcheap_batch_op op = { .op = GCH_OP_ALLOC, .slot = 1, .len = 8 };
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gcheap_collect *c = page;
	struct gcheap_batch *arg = page;
	gch_ref_t x, y;

	ASSERT_NE(MAP_FAILED, page);
	*arg = (struct gcheap_batch){ .ops = (uintptr_t)&op, .count = 1,
				      .op_size = sizeof(op) };
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_BATCH, arg));
	EXPECT_EQ(0, arg->done);
	EXPECT_EQ(0, op.result);
	EXPECT_EQ(0, gch_test_objects(self->h));
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, gch_test_ioctl(self->h, GCHEAP_IOC_BATCH, arg));
	EXPECT_EQ(1, arg->done);
	EXPECT_EQ(1, gch_test_objects(self->h));
	EXPECT_EQ(0, gch_decref(self->h, op.result));

	/* a cycle nobody holds, which a collection would free */
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &x));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &y));
	ASSERT_EQ(0, gch_set_slot(self->h, x, 0, y));
	ASSERT_EQ(0, gch_set_slot(self->h, y, 0, x));
	ASSERT_EQ(0, gch_decref(self->h, x));
	ASSERT_EQ(0, gch_decref(self->h, y));
	*c = (struct gcheap_collect){ .generation = 2 };
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_COLLECT, c));
	EXPECT_EQ(2, gch_test_objects(self->h));
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, gch_test_ioctl(self->h, GCHEAP_IOC_COLLECT, c));
	EXPECT_EQ(2, c->found);
	EXPECT_EQ(0, gch_test_objects(self->h));
	munmap(page, 4096);
}

/*
 * The batch's own struct made read-only while the batch runs (stalled,
 * as above, on a READ buffer after the struct was found writable): the
 * ops stay done and the call returns 1, not the -EFAULT that says
 * nothing ran.
 */
TEST_F(heap, struct_unwritable_after_the_check)
{
	struct gcheap_batch_op ops[2];
	struct gcheap_batch *arg = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct stalled_batch s = { .h = self->h, .at = arg };
	struct uffd_msg msg;
	pthread_t t;
	int uffd;

	ASSERT_NE(MAP_FAILED, arg);
	ASSERT_NE(MAP_FAILED, page);
	uffd = stall_page(page);
	if (uffd < 0)
		SKIP(return, "no userfaultfd");
	ops[0] = (struct gcheap_batch_op){ .op = GCH_OP_ALLOC, .len = 8 };
	ops[1] = (struct gcheap_batch_op){ .op = GCH_OP_READ,
					   .a = GCH_RESULT(0),
					   .b = (uintptr_t)page, .len = 8 };
	*arg = (struct gcheap_batch){ .ops = (uintptr_t)ops, .count = 2,
				      .op_size = sizeof(ops[0]) };
	ASSERT_EQ(0, pthread_create(&t, NULL, run_stalled_batch, &s));
	ASSERT_EQ(0, wait_stalled(uffd, &msg));	/* on the READ buffer */
	ASSERT_EQ(0, mprotect(arg, 4096, PROT_READ));
	ASSERT_EQ(0, unstall_page(uffd, page));
	pthread_join(t, NULL);
	EXPECT_EQ(1, s.ret);
	EXPECT_EQ(0, arg->done);			/* never written */
	EXPECT_NE(0, ops[0].result);			/* but the result was */
	EXPECT_EQ(1, gch_test_objects(self->h));
	EXPECT_EQ(0, gch_decref(self->h, ops[0].result));
	EXPECT_EQ(0, gch_test_objects(self->h));
	close(uffd);
	munmap(page, 4096);
	munmap(arg, 4096);
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
