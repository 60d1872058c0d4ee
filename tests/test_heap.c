// SPDX-License-Identifier: GPL-2.0
/*
 * The heap: objects, refcounts, slots, payloads, refs, limits.
 */
#include "gch_test.h"

TEST_F(heap, alloc_and_info)
{
	struct gch_obj_info in;
	struct gch_stats st;
	gch_ref_t r = 0;

	ASSERT_EQ(0, gch_alloc(self->h, 2, 16, &r));
	ASSERT_NE(0, r);
	ASSERT_EQ(0, gch_info(self->h, r, &in));
	EXPECT_EQ(2, in.nslots);
	EXPECT_EQ(16, in.size);
	EXPECT_EQ(0, in.tag);
	EXPECT_EQ(0, in.generation);
	EXPECT_EQ(1, in.refcount);
	EXPECT_EQ(0, in.flags);
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_EQ(1, st.objects);
	EXPECT_EQ(16, st.bytes);
	EXPECT_EQ(1, st.allocated);
	EXPECT_EQ(0, st.freed);
	ASSERT_EQ(0, gch_decref(self->h, r));
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_EQ(0, st.objects);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(1, st.freed);
}

TEST_F(heap, alloc_ex_tag)
{
	struct gch_alloc_args a = { .nslots = 1, .size = 3, .tag = 77, .cookie = 5 };
	struct gch_obj_info in;
	gch_ref_t r;

	ASSERT_EQ(0, gch_alloc_ex(self->h, &a, &r));
	ASSERT_EQ(0, gch_info(self->h, r, &in));
	EXPECT_EQ(77, in.tag);
	EXPECT_EQ(1, in.nslots);
	EXPECT_EQ(3, in.size);
	a.flags = 1U << 7;
	EXPECT_EQ(-EINVAL, gch_alloc_ex(self->h, &a, &r));
	EXPECT_EQ(1, gch_test_objects(self->h));
}

TEST_F(heap, empty_object)
{
	gch_ref_t r;
	char c;

	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &r));
	EXPECT_EQ(0, gch_read(self->h, r, 0, &c, 0));
	EXPECT_EQ(-EINVAL, gch_read(self->h, r, 0, &c, 1));
	EXPECT_EQ(-EINVAL, gch_set_slot(self->h, r, 0, 0));
	EXPECT_EQ(0, gch_decref(self->h, r));
}

TEST_F(heap, payload_round_trip)
{
	char buf[64], zero[64] = { 0 };
	gch_ref_t r;

	ASSERT_EQ(0, gch_alloc(self->h, 0, 64, &r));
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_EQ(0, gch_read(self->h, r, 0, buf, 64));
	EXPECT_EQ(0, memcmp(buf, zero, 64));
	ASSERT_EQ(0, gch_write(self->h, r, 3, "hello", 5));
	ASSERT_EQ(0, gch_read(self->h, r, 0, buf, 64));
	EXPECT_EQ(0, memcmp(buf + 3, "hello", 5));
	EXPECT_EQ(0, memcmp(buf, zero, 3));
	EXPECT_EQ(0, memcmp(buf + 8, zero, 56));
	ASSERT_EQ(0, gch_write(self->h, r, 60, "abcd", 4));
	ASSERT_EQ(0, gch_read(self->h, r, 62, buf, 2));
	EXPECT_EQ(0, memcmp(buf, "cd", 2));
}

TEST_F(heap, payload_bounds)
{
	char buf[32] = "x";
	gch_ref_t r;

	ASSERT_EQ(0, gch_alloc(self->h, 1, 16, &r));
	EXPECT_EQ(0, gch_write(self->h, r, 16, buf, 0));
	EXPECT_EQ(-EINVAL, gch_write(self->h, r, 17, buf, 0));
	EXPECT_EQ(-EINVAL, gch_write(self->h, r, 10, buf, 7));
	EXPECT_EQ(-EINVAL, gch_write(self->h, r, 0, buf, 17));
	EXPECT_EQ(-EINVAL, gch_write(self->h, r, 0xffffffffu, buf, 2));
	EXPECT_EQ(-EINVAL, gch_write(self->h, r, 2, buf, 0xffffffffu));
	EXPECT_EQ(-EINVAL, gch_read(self->h, r, 0xfffffff0u, buf, 0x20));
	EXPECT_EQ(-EINVAL, gch_read(self->h, r, 16, buf, 1));
	/* A failing write changes nothing. */
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, gch_read(self->h, r, 0, buf, 16));
	EXPECT_EQ(0, buf[0]);
	EXPECT_EQ(-EFAULT, gch_write(self->h, r, 0, (void *)8, 4));
	EXPECT_EQ(-EFAULT, gch_read(self->h, r, 0, (void *)8, 4));
}

TEST_F(heap, large_payload)
{
	struct gcheap_heap_info hi = { 0 };
	uint32_t max;
	gch_ref_t r, s;
	char *buf;

	ASSERT_EQ(0, gch_test_ioctl(self->h, GCHEAP_IOC_HEAP_INFO, &hi));
	max = hi.max_payload;
	EXPECT_EQ(1u << 20, max);
	EXPECT_EQ(-EINVAL, gch_alloc(self->h, 0, max + 1, &r));
	ASSERT_EQ(0, gch_alloc(self->h, 3, max, &r));
	buf = malloc(max);
	ASSERT_NE(NULL, buf);
	memset(buf, 0x5a, max);
	ASSERT_EQ(0, gch_write(self->h, r, 0, buf, max));
	memset(buf, 0, max);
	ASSERT_EQ(0, gch_read(self->h, r, max - 4096, buf, 4096));
	EXPECT_EQ(0x5a, buf[0]);
	EXPECT_EQ(0x5a, buf[4095]);
	/* slots of an object whose data lives beside the header */
	ASSERT_EQ(0, gch_alloc(self->h, 0, 1, &s));
	ASSERT_EQ(0, gch_set_slot(self->h, r, 2, s));
	EXPECT_EQ(2, gch_test_refcount(self->h, s));
	free(buf);
}

TEST_F(heap, many_slots)
{
	gch_ref_t r, s, got;
	uint32_t i;

	EXPECT_EQ(-EINVAL, gch_alloc(self->h, (1u << 16) + 1, 0, &r));
	ASSERT_EQ(0, gch_alloc(self->h, 1u << 16, 8, &r));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &s));
	for (i = 0; i < (1u << 16); i += 4099)
		ASSERT_EQ(0, gch_set_slot(self->h, r, i, s));
	EXPECT_EQ(1 + 16, gch_test_refcount(self->h, s));
	ASSERT_EQ(0, gch_get_slot(self->h, r, 4099, &got));
	EXPECT_EQ(s, got);
	ASSERT_EQ(0, gch_get_slot(self->h, r, 4100, &got));
	EXPECT_EQ(0, got);
	EXPECT_EQ(-EINVAL, gch_get_slot(self->h, r, 1u << 16, &got));
	ASSERT_EQ(0, gch_decref(self->h, r));
	EXPECT_EQ(2, gch_test_refcount(self->h, s));
}

TEST_F(heap, slot_refcounts)
{
	gch_ref_t a, b, got;

	ASSERT_EQ(0, gch_alloc(self->h, 2, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 4, &b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, b));
	EXPECT_EQ(2, gch_test_refcount(self->h, b));
	ASSERT_EQ(0, gch_get_slot(self->h, a, 0, &got));
	EXPECT_EQ(b, got);
	EXPECT_EQ(3, gch_test_refcount(self->h, b));
	ASSERT_EQ(0, gch_decref(self->h, got));
	ASSERT_EQ(0, gch_get_slot(self->h, a, 1, &got));
	EXPECT_EQ(0, got);
	/* the same target in both slots, then overwritten */
	ASSERT_EQ(0, gch_set_slot(self->h, a, 1, b));
	EXPECT_EQ(3, gch_test_refcount(self->h, b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, a));
	EXPECT_EQ(2, gch_test_refcount(self->h, b));
	EXPECT_EQ(2, gch_test_refcount(self->h, a));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, 0));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	/* bounds and stale targets change nothing */
	EXPECT_EQ(-EINVAL, gch_set_slot(self->h, a, 2, b));
	EXPECT_EQ(-EINVAL, gch_get_slot(self->h, a, 2, &got));
	EXPECT_EQ(-ESTALE, gch_set_slot(self->h, a, 1, b + 1));
	EXPECT_EQ(2, gch_test_refcount(self->h, b));
	ASSERT_EQ(0, gch_get_slot(self->h, a, 1, &got));
	EXPECT_EQ(b, got);
	gch_decref(self->h, got);
	/* dropping the program's ref to b keeps it alive through the slot */
	ASSERT_EQ(0, gch_decref(self->h, b));
	EXPECT_EQ(1, gch_test_refcount(self->h, b));
	EXPECT_EQ(2, gch_test_objects(self->h));
	ASSERT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_test_objects(self->h));
	EXPECT_EQ(-ESTALE, gch_info(self->h, b, &(struct gch_obj_info){ 0 }));
}

TEST_F(heap, stale_refs)
{
	gch_ref_t r, r2;
	char c;

	ASSERT_EQ(0, gch_alloc(self->h, 1, 1, &r));
	ASSERT_EQ(0, gch_decref(self->h, r));
	EXPECT_EQ(-ESTALE, gch_decref(self->h, r));
	EXPECT_EQ(-ESTALE, gch_incref(self->h, r));
	EXPECT_EQ(-ESTALE, gch_read(self->h, r, 0, &c, 1));
	EXPECT_EQ(-ESTALE, gch_write(self->h, r, 0, &c, 1));
	EXPECT_EQ(-ESTALE, gch_set_slot(self->h, r, 0, 0));
	EXPECT_EQ(-ESTALE, gch_get_slot(self->h, r, 0, &r2));
	/* the freed handle is reused, under a new ref */
	ASSERT_EQ(0, gch_alloc(self->h, 1, 1, &r2));
	EXPECT_NE(r, r2);
	EXPECT_EQ(-ESTALE, gch_incref(self->h, r));
	EXPECT_EQ(1, gch_test_refcount(self->h, r2));
}

TEST_F(heap, refs_never_repeat)
{
	static gch_ref_t seen[20000];
	int i, j;

	for (i = 0; i < 20000; i++) {
		ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &seen[i]));
		ASSERT_EQ(0, gch_decref(self->h, seen[i]));
	}
	for (i = 0; i < 20000; i++)
		for (j = i + 1; j < i + 50 && j < 20000; j++)
			ASSERT_NE(seen[i], seen[j]);
	for (i = 0; i < 20000; i += 97)
		ASSERT_EQ(-ESTALE, gch_incref(self->h, seen[i]));
}

TEST_F(heap, made_up_refs)
{
	static const gch_ref_t bad[] = {
		0, 1, 2, 0xffffffffull, ~0ull, 1ull << 48, GCH_RESULT(0),
	};
	gch_ref_t r;
	unsigned int i;

	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &r));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-ESTALE, gch_incref(self->h, bad[i]));
		EXPECT_EQ(-ESTALE, gch_decref(self->h, bad[i]));
	}
	EXPECT_EQ(-ESTALE, gch_incref(self->h, r + 1));
	EXPECT_EQ(-ESTALE, gch_incref(self->h, r ^ (1ull << 30)));
	EXPECT_EQ(-ESTALE, gch_incref(self->h, r ^ (1ull << 50)));
	EXPECT_EQ(-ESTALE, gch_set_slot(self->h, r, 0, r ^ (1ull << 24)));
	EXPECT_EQ(1, gch_test_refcount(self->h, r));
}

TEST_F(heap, foreign_refs)
{
	struct gch_heap *other = gch_open(NULL);
	gch_ref_t mine, theirs;
	char c;

	ASSERT_NE(NULL, other);
	EXPECT_NE(gch_heap_id(self->h), gch_heap_id(other));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 1, &mine));
	ASSERT_EQ(0, gch_alloc(other, 1, 1, &theirs));
	EXPECT_EQ(-ESTALE, gch_incref(self->h, theirs));
	EXPECT_EQ(-ESTALE, gch_decref(self->h, theirs));
	EXPECT_EQ(-ESTALE, gch_read(self->h, theirs, 0, &c, 1));
	EXPECT_EQ(-ESTALE, gch_set_slot(self->h, mine, 0, theirs));
	EXPECT_EQ(-ESTALE, gch_set_slot(other, theirs, 0, mine));
	EXPECT_EQ(1, gch_test_refcount(other, theirs));
	gch_close(other);
	EXPECT_EQ(-ESTALE, gch_incref(self->h, theirs));
}

TEST_F(heap, refcount_frees_what_it_alone_kept)
{
	gch_ref_t a, b, c, d;
	struct gch_stats st;

	ASSERT_EQ(0, gch_alloc(self->h, 2, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &b));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &c));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &d));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 1, d));
	ASSERT_EQ(0, gch_set_slot(self->h, b, 0, c));
	gch_decref(self->h, b);
	gch_decref(self->h, c);
	EXPECT_EQ(4, gch_test_objects(self->h));
	ASSERT_EQ(0, gch_decref(self->h, a));
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_EQ(1, st.objects);	/* d: the program still holds it */
	EXPECT_EQ(3, st.freed);
	EXPECT_EQ(1, gch_test_refcount(self->h, d));
}

FIXTURE(bigheap) {
	struct gch_heap *h;
};

FIXTURE_SETUP(bigheap)
{
	self->h = gch_open(NULL);
	ASSERT_NE(NULL, self->h);
}

FIXTURE_TEARDOWN(bigheap)
{
	gch_close(self->h);
}

/* Built from the tail, each object only referenced by its predecessor. */
static int build_chain(struct gch_heap *h, long n, gch_ref_t *head)
{
	gch_ref_t next = 0, cur;
	long i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = gch_alloc(h, 1, 0, &cur);
		if (ret)
			return ret;
		if (next) {
			ret = gch_set_slot(h, cur, 0, next);
			if (!ret)
				ret = gch_decref(h, next);
			if (ret)
				return ret;
		}
		next = cur;
	}
	*head = next;
	return 0;
}

TEST_F_TIMEOUT(bigheap, chain_of_a_million_freed_by_one_decref, 900)
{
	struct gch_stats st;
	gch_ref_t head;

	ASSERT_EQ(0, build_chain(self->h, 1000000, &head));
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	ASSERT_EQ(1000000, st.objects);
	ASSERT_EQ(0, gch_decref(self->h, head));
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_EQ(0, st.objects);
	EXPECT_EQ(1000000, st.freed);
}

TEST(object_limit)
{
	struct gch_config cfg = { .max_objects = 10 };
	struct gch_heap *h = gch_open(&cfg);
	gch_ref_t r[11];
	struct gch_stats st;
	int i;

	ASSERT_NE(NULL, h);
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, gch_alloc(h, 1, 1, &r[i]));
	EXPECT_EQ(-EDQUOT, gch_alloc(h, 1, 1, &r[10]));
	ASSERT_EQ(0, gch_get_stats(h, &st));
	EXPECT_EQ(10, st.objects);
	EXPECT_EQ(10, st.allocated);
	ASSERT_EQ(0, gch_decref(h, r[3]));
	EXPECT_EQ(0, gch_alloc(h, 1, 1, &r[10]));
	gch_close(h);
}

/*
 * The byte limit counts kernel memory: an object of 0 slots and 100 bytes
 * is a 128-byte cell of its heap's chunks (28-byte header + 100, rounded
 * up to 4 bytes) and an 8-byte handle.
 */
TEST(byte_limit)
{
	struct gch_config cfg = { .max_bytes = 308 };
	struct gch_heap *h = gch_open(&cfg);
	gch_ref_t a, b;
	struct gch_stats st;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_alloc(h, 0, 100, &a));
	EXPECT_EQ(-EDQUOT, gch_alloc(h, 0, 216, &b));	/* 244 + 8 */
	ASSERT_EQ(0, gch_get_stats(h, &st));
	EXPECT_EQ(100, st.bytes);
	EXPECT_EQ(1, st.objects);
	ASSERT_EQ(0, gch_alloc(h, 0, 100, &b));		/* 272 in all */
	ASSERT_EQ(0, gch_alloc(h, 0, 0, &b));		/* 28 + 8: 308 */
	EXPECT_EQ(-EDQUOT, gch_alloc(h, 0, 0, &b));
	ASSERT_EQ(0, gch_decref(h, a));
	ASSERT_EQ(0, gch_alloc(h, 4, 0, &b));		/* 44 + 8 */
	gch_close(h);
}

TEST(limits_capped_by_module)
{
	struct gch_config cfg = { .max_objects = 1ull << 40, .max_bytes = 1ull << 60 };
	struct gch_heap *h = gch_open(&cfg);
	struct gcheap_heap_info hi = { 0 };

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_test_ioctl(h, GCHEAP_IOC_HEAP_INFO, &hi));
	EXPECT_EQ(1u << 20, hi.max_objects);
	EXPECT_EQ(256ull << 20, hi.max_bytes);
	EXPECT_EQ((unsigned int)gch_heap_id(h), hi.id);
	gch_close(h);
	cfg.flags = 1;
	EXPECT_EQ(NULL, gch_open(&cfg));
	EXPECT_EQ(EINVAL, errno);
}

TEST(close_returns_all_memory)
{
	long long before, during, after;
	struct gch_heap *h;
	gch_ref_t a, b;
	int i;

	before = gch_test_slab_objects();
	if (before < 0)
		SKIP(return, "/proc/slabinfo not readable");
	h = gch_open(NULL);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_disable(h));	/* the dropped cycles stay to the end */
	for (i = 0; i < 5000; i++) {
		ASSERT_EQ(0, gch_alloc(h, 1, 16, &a));
		ASSERT_EQ(0, gch_alloc(h, 1, 300, &b));
		ASSERT_EQ(0, gch_set_slot(h, a, 0, b));
		ASSERT_EQ(0, gch_set_slot(h, b, 0, a));
		if (i & 1) {
			gch_decref(h, a);
			gch_decref(h, b);
		}
	}
	/*
	 * The 5000 objects with data beside them are slab objects of their
	 * own; the others are cells of the heap's chunks, each one slab
	 * object of gcheap_chunk, free cells and all.
	 */
	during = gch_test_slab_objects();
	EXPECT_EQ(before + 5000 + gch_test_heap_stat(h, "chunks"), during);
	/* 4 KiB chunks of 48-byte cells (28 + 4 + 16), 32 bytes of header */
	EXPECT_EQ(5000, gch_test_heap_stat(h, "chunks") * ((4096 - 32) / 48) -
		  gch_test_heap_stat(h, "cached_objects"));
	gch_close(h);
	after = gch_test_slab_objects();
	EXPECT_EQ(before, after);
}

/*
 * A program that drops a reference it does not hold frees an object a slot
 * still names: its own counts are wrong from then on, but the kernel must
 * follow that slot safely (the fuzzer found this).
 */
/* Dropping a reference the program does not hold fails: a slot's is not. */
TEST_F(heap, over_decref_is_einval)
{
	gch_ref_t a, b, got = 1;

	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, b));
	ASSERT_EQ(0, gch_set_slot(self->h, b, 0, a));
	ASSERT_EQ(0, gch_decref(self->h, b));
	EXPECT_EQ(-EINVAL, gch_decref(self->h, b));	/* the slot's */
	EXPECT_EQ(2, gch_test_objects(self->h));
	EXPECT_EQ(1, gch_test_refcount(self->h, b));
	EXPECT_EQ(0, gch_get_slot(self->h, a, 0, &got));
	EXPECT_EQ(b, got);
	EXPECT_EQ(0, gch_decref(self->h, got));
	EXPECT_EQ(0, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(-EINVAL, gch_decref(self->h, a));
	EXPECT_EQ(2, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_HARNESS_MAIN
