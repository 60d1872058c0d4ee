// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the heap's internals that user space cannot reach directly:
 * handle encoding, sequence retirement, iterative release, limits.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include "gch_kunit.h"

static void gch_test_ref_round_trip(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *obj = gk_obj(test, h, 1, 8, 0);
	u64 ref;

	mutex_lock(&h->lock);
	ref = gch_ref_of(h, obj);
	KUNIT_EXPECT_EQ(test, gch_ref_heap(ref), h->id);
	KUNIT_EXPECT_EQ(test, gch_ref_idx(ref), (u32)obj->idx);
	KUNIT_EXPECT_PTR_EQ(test, gch_lookup(h, ref), obj);
	/*
	 * wrong sequence, the sequence's top bit (never set), wrong heap,
	 * index 0, past the table, a result
	 */
	KUNIT_EXPECT_NULL(test, gch_lookup(h, ref ^ (1ULL << GCH_REF_SEQ_SHIFT)));
	KUNIT_EXPECT_EQ(test, gch_ref_seq(ref) >> GCH_SEQ_BITS, 0U);
	KUNIT_EXPECT_NULL(test, gch_lookup(h, ref | 1ULL << (GCH_REF_SEQ_SHIFT +
							    GCH_SEQ_BITS)));
	KUNIT_EXPECT_NULL(test, gch_lookup(h, ref ^ (1ULL << GCH_REF_HEAP_SHIFT)));
	KUNIT_EXPECT_NULL(test, gch_lookup(h, ref & ~(u64)GCH_IDX_MASK));
	KUNIT_EXPECT_NULL(test, gch_lookup(h, (ref & ~(u64)GCH_IDX_MASK) |
					  h->table_used));
	KUNIT_EXPECT_NULL(test, gch_lookup(h, GCH_RESULT_BIT | 1));
	KUNIT_EXPECT_NULL(test, gch_lookup_weak(h, ref));
	mutex_unlock(&h->lock);
	gk_drop(h, obj);
	KUNIT_EXPECT_FALSE(test, gk_alive(h, ref));
}

/* A reused table entry carries a new sequence: the old ref stays dead. */
static void gch_test_reused_entry(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_obj(test, h, 0, 0, 0), *b;
	u64 ra, rb;
	u32 idx = a->idx;

	ra = gch_ref_of(h, a);
	gk_drop(h, a);
	b = gk_obj(test, h, 0, 0, 0);
	rb = gch_ref_of(h, b);
	KUNIT_EXPECT_EQ(test, (u32)b->idx, idx);
	KUNIT_EXPECT_NE(test, ra, rb);
	KUNIT_EXPECT_FALSE(test, gk_alive(h, ra));
	KUNIT_EXPECT_TRUE(test, gk_alive(h, rb));
	gk_drop(h, b);
}

/* An entry whose sequence would come back to its start is never reused. */
static void gch_test_sequence_retires(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	u32 idx, seq, idx2, seq2, last;
	int ret;

	mutex_lock(&h->lock);
	ret = gch_handle_alloc(h, &idx, &seq);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, seq, h->seq_base);
	/* the sequence before seq_base, skipping 0 */
	last = h->seq_base == 1 ? GCH_SEQ_MASK : h->seq_base - 1;
	gch_handle_free(h, idx, last);
	KUNIT_EXPECT_NE(test, h->free_idx, idx);
	ret = gch_handle_alloc(h, &idx2, &seq2);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_NE(test, idx2, idx);
	/* an ordinary free is reused with the next sequence */
	gch_handle_free(h, idx2, seq2);
	KUNIT_EXPECT_EQ(test, h->free_idx, idx2);
	ret = gch_handle_alloc(h, &idx, &seq);
	KUNIT_EXPECT_EQ(test, idx, idx2);
	KUNIT_EXPECT_EQ(test, seq, ((seq2 + 1) & GCH_SEQ_MASK) ?: 1);
	gch_handle_free(h, idx, seq);
	mutex_unlock(&h->lock);
}

/* Dropping the head of a long chain releases it all, without recursion. */
static void gch_test_chain_release(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *head = gk_obj(test, h, 1, 0, 0), *prev = head, *o;
	int i;

	for (i = 1; i < 200000; i++) {
		o = gk_obj(test, h, 1, 0, 0);
		gk_set(test, h, prev, 0, o);
		if (prev != head)
			gk_drop(h, prev);
		prev = o;
	}
	gk_drop(h, prev);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 200000ULL);
	gk_drop(h, head);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
	KUNIT_EXPECT_EQ(test, h->freed, 200000ULL);
}

static void gch_test_object_limit(struct kunit *test)
{
	struct gcheap_config cfg = { .max_objects = 3 };
	struct gcheap_alloc a = { .nslots = 0, .size = 10 };
	struct gch_heap *h = test->priv;
	struct gch_obj *objs[3], *extra;
	int i, ret;

	gch_heap_config(h, &cfg);
	for (i = 0; i < 3; i++)
		objs[i] = gk_obj(test, h, 0, 10, 0);
	extra = gk_new(h, &a);
	KUNIT_ASSERT_NOT_NULL(test, extra);
	mutex_lock(&h->lock);
	ret = gch_obj_publish(h, extra);
	KUNIT_EXPECT_EQ(test, ret, -EDQUOT);
	KUNIT_EXPECT_EQ(test, h->nobjects, 3ULL);
	KUNIT_EXPECT_EQ(test, h->bytes, 30ULL);
	KUNIT_EXPECT_EQ(test, h->allocated, 3ULL);
	KUNIT_EXPECT_EQ(test, h->gen[0].count, 3U);
	mutex_unlock(&h->lock);
	gk_drop(h, objs[0]);
	mutex_lock(&h->lock);
	ret = gch_obj_publish(h, extra);
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_EQ(test, ret, 0);
	for (i = 1; i < 3; i++)
		gk_drop(h, objs[i]);
	gk_drop(h, extra);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
	KUNIT_EXPECT_EQ(test, h->bytes, 0ULL);
}

/*
 * The byte limit counts the kernel memory objects take: slab object,
 * slots, data beside it and handle, not only the payload.
 */
static void gch_test_byte_limit(struct kunit *test)
{
	u64 big = gch_shape_mem(0, 300, 0), small = gch_shape_mem(2, 16, 0);
	struct gcheap_config cfg = { .max_bytes = 2 * big + small };
	struct gcheap_alloc a = { .size = 300 };
	struct gch_heap *h = test->priv;
	struct gch_obj *o1, *o2, *o3, *extra;
	int ret;

	KUNIT_EXPECT_EQ(test, big, 48ULL + 300 + 8);	/* data beside */
	KUNIT_EXPECT_EQ(test, small, 52ULL + 8);	/* a cell: 28 + 8 + 16 */
	gch_heap_config(h, &cfg);
	o1 = gk_obj(test, h, 0, 300, 0);
	o2 = gk_obj(test, h, 0, 300, 0);
	o3 = gk_obj(test, h, 2, 16, 0);
	extra = gk_new(h, &a);
	KUNIT_ASSERT_NOT_NULL(test, extra);
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, h->mem, 2 * big + small);
	ret = gch_obj_publish(h, extra);
	KUNIT_EXPECT_EQ(test, ret, -EDQUOT);
	KUNIT_EXPECT_EQ(test, h->bytes, 616ULL);
	mutex_unlock(&h->lock);
	gk_drop(h, o1);
	/* A limit lowered below what the heap holds admits nothing. */
	cfg.max_bytes = 1;
	gch_heap_config(h, &cfg);
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, gch_obj_publish(h, extra), -EDQUOT);
	KUNIT_EXPECT_FALSE(test, gch_heap_room(h, 0));
	mutex_unlock(&h->lock);
	gk_unnew(h, extra);
	gk_drop(h, o2);
	gk_drop(h, o3);
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, h->mem, 0ULL);
	mutex_unlock(&h->lock);
}

/*
 * Room a batch reserved for objects it allocates outside the lock counts
 * against both limits, as published objects do.
 */
static void gch_test_reserved_room(struct kunit *test)
{
	struct gcheap_config cfg = { .max_objects = 2, .max_bytes = 1000 };
	struct gch_heap *h = test->priv;

	gch_heap_config(h, &cfg);
	mutex_lock(&h->lock);
	KUNIT_EXPECT_TRUE(test, gch_heap_room(h, 1000));
	h->resv_objects = 1;
	h->resv_mem = 400;
	KUNIT_EXPECT_TRUE(test, gch_heap_room(h, 600));
	KUNIT_EXPECT_FALSE(test, gch_heap_room(h, 601));
	h->nobjects = 1;		/* as if one were published */
	KUNIT_EXPECT_FALSE(test, gch_heap_room(h, 0));
	h->nobjects = 0;
	h->resv_objects = 0;
	h->resv_mem = 0;
	KUNIT_EXPECT_TRUE(test, gch_heap_room(h, 1000));
	mutex_unlock(&h->lock);
}

/* Slots count in the refcount; a cleared slot gives its reference back. */
static void gch_test_slot_refcounts(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_obj(test, h, 2, 0, 0);
	struct gch_obj *b = gk_obj(test, h, 0, 0, 0);
	u64 rb = gch_ref_of(h, b);

	gk_set(test, h, a, 0, b);
	gk_set(test, h, a, 1, b);
	KUNIT_EXPECT_EQ(test, b->refcnt, 3U);
	KUNIT_EXPECT_EQ(test, gch_slots(a)[0], (u32)b->idx);
	gk_drop(h, b);
	gk_set(test, h, a, 0, NULL);
	KUNIT_EXPECT_EQ(test, b->refcnt, 1U);
	gk_drop(h, a);
	KUNIT_EXPECT_FALSE(test, gk_alive(h, rb));
}

/* A dead plain object's cell is the next one handed out, cleared. */
static void gch_test_cache_reuse(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a, *b, *again;
	struct gch_reap r = {};
	u64 bytes;
	u32 count;

	mutex_lock(&h->lock);
	a = gch_cache_take(h, 2, 16);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, gch_obj_publish(h, a), 0);
	mutex_unlock(&h->lock);
	b = gk_obj(test, h, 0, 0, 0);
	gk_set(test, h, a, 1, b);
	memset(gch_payload(a), 0xa5, 16);
	mutex_lock(&h->lock);
	count = gch_chunks_free_cells(h, &bytes);
	mutex_unlock(&h->lock);
	gk_drop(h, b);		/* a's slot keeps it */
	gk_drop(h, a);		/* both go back to their chunks */
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, gch_chunks_free_cells(h, &bytes), count + 2);
	again = gch_cache_take(h, 2, 16);
	KUNIT_ASSERT_PTR_EQ(test, again, a);
	KUNIT_EXPECT_EQ(test, again->refcnt, 1U);
	KUNIT_EXPECT_EQ(test, (u32)again->flags, 0U);
	KUNIT_EXPECT_EQ(test, gch_slots(again)[1], 0U);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(gch_payload(again), 0, 16));
	gch_cell_put(h, again, &r);
	KUNIT_EXPECT_EQ(test, gch_chunks_free_cells(h, &bytes), count + 2);
	gch_heap_unlock(h, &r);
}

/*
 * Chunks that empty go back to the slab, but for the last one of a class
 * with cells to give; 5001 objects of 232-byte cells (28 + 4 + 200) fill
 * 295 chunks.
 */
static void gch_test_chunks_freed(struct kunit *test)
{
	u32 cells = (GCH_CHUNK_SIZE - sizeof(struct gch_chunk)) / 232;
	struct gch_heap *h = test->priv;
	struct gch_obj *head = gk_obj(test, h, 1, 200, 0), *o, *prev = head;
	u64 bytes;
	int i;

	for (i = 0; i < 5000; i++) {
		o = gk_obj(test, h, 1, 200, 0);
		gk_set(test, h, prev, 0, o);
		gk_drop(h, o);
		prev = o;
	}
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, h->nchunks, DIV_ROUND_UP(5001, cells));
	KUNIT_EXPECT_EQ(test, gch_chunks_free_cells(h, &bytes),
			h->nchunks * cells - 5001);
	mutex_unlock(&h->lock);
	gk_drop(h, head);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 0ULL);
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, h->nchunks, 1U);
	KUNIT_EXPECT_EQ(test, gch_chunks_free_cells(h, &bytes), cells);
	KUNIT_EXPECT_EQ(test, bytes, 232ULL * cells);
	KUNIT_EXPECT_EQ(test, cells, 17U);
	mutex_unlock(&h->lock);
}

/*
 * A chunk hands out its never used cells in address order, so objects
 * made one after another lie one after another (the walks of a list in
 * allocation order run forward through memory); each size has chunks of
 * its own, and an empty heap keeps one chunk of each size it used.
 */
static void gch_test_cells_in_order(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj **o, *prev = NULL, *obj;
	u64 bytes, want = 0;
	u32 c, n = 0;
	int i;

	o = kunit_kcalloc(test, GCH_NCELL, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);

	for (i = 0; i < 10; i++) {
		obj = gk_obj(test, h, 2, 16, 0);
		if (prev)
			KUNIT_EXPECT_PTR_EQ(test, (void *)obj,
					    (void *)prev + 52);
		prev = obj;
	}
	for (c = 0; c < GCH_NCELL; c++) {
		o[c] = gk_obj(test, h, 0, c * 4, 0);
		KUNIT_EXPECT_EQ(test, (u32)gch_chunk_of(o[c])->class, c);
	}
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, h->nchunks, (u32)GCH_NCELL);
	mutex_unlock(&h->lock);
	for (c = 0; c < GCH_NCELL; c++) {
		gk_drop(h, o[c]);
		n += (GCH_CHUNK_SIZE - sizeof(struct gch_chunk)) /
		     gch_cell_size(c);
		want += (GCH_CHUNK_SIZE - sizeof(struct gch_chunk)) /
			gch_cell_size(c) * gch_cell_size(c);
	}
	mutex_lock(&h->lock);
	/* the 10 objects of 52 bytes are still in theirs */
	KUNIT_EXPECT_EQ(test, gch_chunks_free_cells(h, &bytes), n - 10);
	KUNIT_EXPECT_EQ(test, bytes, want - 10 * 52);
	mutex_unlock(&h->lock);
}

static struct kunit_case gch_heap_cases[] = {
	KUNIT_CASE(gch_test_ref_round_trip),
	KUNIT_CASE(gch_test_reused_entry),
	KUNIT_CASE(gch_test_sequence_retires),
	KUNIT_CASE_SLOW(gch_test_chain_release),
	KUNIT_CASE(gch_test_object_limit),
	KUNIT_CASE(gch_test_byte_limit),
	KUNIT_CASE(gch_test_reserved_room),
	KUNIT_CASE(gch_test_slot_refcounts),
	KUNIT_CASE(gch_test_cache_reuse),
	KUNIT_CASE(gch_test_chunks_freed),
	KUNIT_CASE(gch_test_cells_in_order),
	{}
};

static struct kunit_suite gch_heap_suite = {
	.name = "gcheap_heap",
	.init = gk_init,
	.exit = gk_exit,
	.test_cases = gch_heap_cases,
};

kunit_test_suite(gch_heap_suite);

MODULE_DESCRIPTION("KUnit tests of gcheap's heaps and handles");
MODULE_LICENSE("GPL");
GCH_IMPORT_KUNIT_NS();
