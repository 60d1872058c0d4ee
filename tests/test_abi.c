// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI as a raw caller sees it: unknown commands, struct sizes,
 * reserved fields, output fields, bad pointers.
 */
#include <sys/mman.h>

#include "gch_test.h"

/* An ioctl number of gcheap's with another size encoded. */
#define RESIZE(cmd, size) \
	_IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (size))

TEST_F(heap, unknown_commands)
{
	char buf[64] = { 0 };

	EXPECT_EQ(-ENOTTY, gch_test_ioctl(self->h, _IOWR(GCHEAP_IOC_MAGIC, 0x4f, buf), buf));
	EXPECT_EQ(-ENOTTY, gch_test_ioctl(self->h, _IOWR(GCHEAP_IOC_MAGIC, 0xff, buf), buf));
	EXPECT_EQ(-ENOTTY, gch_test_ioctl(self->h, _IOWR('X', 0x02, struct gcheap_alloc), buf));
	/* right number, wrong direction */
	EXPECT_EQ(-ENOTTY, gch_test_ioctl(self->h, _IOR(GCHEAP_IOC_MAGIC, 0x02,
						struct gcheap_alloc), buf));
	EXPECT_EQ(-ENOTTY, gch_test_ioctl(self->h, _IO(GCHEAP_IOC_MAGIC, 0x02), NULL));
	EXPECT_EQ(-ENOTTY, gch_test_ioctl(self->h, 0, NULL));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/*
 * INCREF_VAL and DECREF_VAL take the ref as the argument and answer as
 * INCREF and DECREF do, for every ref a program may make up.
 */
TEST_F(heap, by_value_refops)
{
	struct gcheap_heap_info hi;
	struct gcheap_ref s = { 0 };
	gch_ref_t a, w, bad[6];
	unsigned int i;
	int want;

	memset(&hi, 0, sizeof(hi));
	ASSERT_EQ(0, gch_test_ioctl(self->h, GCHEAP_IOC_HEAP_INFO, &hi));
	EXPECT_EQ(GCHEAP_HEAP_BY_VALUE, hi.flags);
	ASSERT_EQ(0, gch_alloc(self->h, 1, 8, &a));
	ASSERT_EQ(0, gch_weakref(self->h, a, 0, 0, &w));
	EXPECT_EQ(0, gch_test_ioctl_val(self->h, GCHEAP_IOC_INCREF_VAL, a));
	EXPECT_EQ(2, gch_test_refcount(self->h, a));
	EXPECT_EQ(0, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, a));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	bad[0] = 0;
	bad[1] = a + 1000;		/* an index never handed out */
	bad[2] = a ^ 1ULL << 48;	/* another heap's id */
	bad[3] = a | 1ULL << 47;	/* a sequence no ref carries */
	bad[4] = ~0ULL;
	bad[5] = -4095;
	for (i = 0; i < 6; i++) {
		s.ref = bad[i];
		EXPECT_EQ(-ESTALE, gch_test_ioctl_val(self->h, GCHEAP_IOC_INCREF_VAL, bad[i]));
		EXPECT_EQ(-ESTALE, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, bad[i]));
		EXPECT_EQ(-ESTALE, gch_test_ioctl(self->h, GCHEAP_IOC_DECREF, &s));
	}
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	/* a weakref is incref'ed and dropped as by INCREF and DECREF */
	s.ref = w;
	want = gch_test_ioctl(self->h, GCHEAP_IOC_INCREF, &s);
	EXPECT_EQ(want, gch_test_ioctl_val(self->h, GCHEAP_IOC_INCREF_VAL, w));
	if (!want) {
		EXPECT_EQ(0, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, w));
		EXPECT_EQ(0, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, w));
	}
	EXPECT_EQ(0, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, w));
	EXPECT_EQ(-ESTALE, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, w));
	/* the direction bits must match; a struct's size there is ignored */
	EXPECT_EQ(-ENOTTY, gch_test_ioctl_val(self->h, _IOW(GCHEAP_IOC_MAGIC, 0x32, __u64), a));
	EXPECT_EQ(0, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, a));
	EXPECT_EQ(0, gch_test_objects(self->h));
	EXPECT_EQ(-ESTALE, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, a));
	EXPECT_EQ(-ESTALE, gch_test_ioctl_val(self->h, GCHEAP_IOC_INCREF_VAL, a));
}

TEST_F(heap, struct_sizes)
{
	struct {
		struct gcheap_alloc a;
		uint64_t tail[4];
	} big;

	memset(&big, 0, sizeof(big));
	big.a.nslots = 1;
	big.a.size = 2;
	/* an older, shorter struct is refused */
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, RESIZE(GCHEAP_IOC_ALLOC, 16), &big));
	/* a newer, longer one works while its tail is zero ... */
	ASSERT_EQ(0, gch_test_ioctl(self->h, RESIZE(GCHEAP_IOC_ALLOC, sizeof(big)), &big));
	EXPECT_NE(0, big.a.ref);
	EXPECT_EQ(0, big.tail[3]);
	EXPECT_EQ(1, gch_test_refcount(self->h, big.a.ref));
	/* ... and is refused when it is not */
	big.a.ref = 0;
	big.tail[2] = 1;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, RESIZE(GCHEAP_IOC_ALLOC, sizeof(big)), &big));
	EXPECT_EQ(1, gch_test_objects(self->h));
}

TEST_F(heap, output_tail_zeroed)
{
	struct {
		struct gcheap_stats st;
		uint64_t tail[2];
	} big;

	memset(&big, 0xff, sizeof(big));
	ASSERT_EQ(0, gch_test_ioctl(self->h, RESIZE(GCHEAP_IOC_STATS, sizeof(big)), &big));
	EXPECT_EQ(0, big.st.objects);
	EXPECT_EQ(0, big.tail[0]);
	EXPECT_EQ(0, big.tail[1]);
}

/* GCHEAP_IOC_STATS grew: an older caller's struct gets the part it knows. */
TEST_F(heap, older_stats_struct)
{
	struct gcheap_stats st;
	gch_ref_t r;

	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &r));
	memset(&st, 0xff, sizeof(st));
	ASSERT_EQ(0, gch_test_ioctl(self->h, RESIZE(GCHEAP_IOC_STATS,
						    GCHEAP_STATS_SIZE_VER0), &st));
	EXPECT_EQ(1, st.objects);
	EXPECT_EQ(1, st.allocated);
	EXPECT_EQ(~0ULL, st.floating);		/* past its end: untouched */
	EXPECT_EQ(~0ULL, st.pause_hist[2][15]);
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, RESIZE(GCHEAP_IOC_STATS,
						GCHEAP_STATS_SIZE_VER0 - 8), &st));
	ASSERT_EQ(0, gch_test_ioctl(self->h, GCHEAP_IOC_STATS, &st));
	EXPECT_EQ(0, st.floating);
	EXPECT_EQ(0, st.pause_hist[2][15]);
	EXPECT_EQ(0, gch_decref(self->h, r));
}

/*
 * A struct size that is not a multiple of 8 (the copy-out's byte path):
 * the caller gets exactly the first bytes of the full struct, no more.
 */
TEST_F(heap, odd_sized_stats_struct)
{
	static const unsigned int sizes[] = {
		GCHEAP_STATS_SIZE_VER0 + 1, GCHEAP_STATS_SIZE_VER0 + 6,
		GCHEAP_STATS_SIZE_VER1 - 1,
	};
	struct gcheap_stats full, st;
	unsigned int i, j, size;
	unsigned char *p = (unsigned char *)&st;
	gch_ref_t r;

	ASSERT_EQ(0, gch_alloc(self->h, 1, 24, &r));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size = sizes[i];
		ASSERT_NE(0, size % 8);
		memset(&full, 0, sizeof(full));
		ASSERT_EQ(0, gch_test_ioctl(self->h, GCHEAP_IOC_STATS, &full));
		EXPECT_EQ(1, full.objects);
		EXPECT_EQ(24, full.bytes);
		memset(&st, 0xa5, sizeof(st));
		ASSERT_EQ(0, gch_test_ioctl(self->h, RESIZE(GCHEAP_IOC_STATS,
							    size), &st));
		EXPECT_EQ(0, memcmp(&full, &st, size)) TH_LOG("size %u", size);
		for (j = size; j < sizeof(st); j++)
			if (p[j] != 0xa5)
				break;
		EXPECT_EQ(sizeof(st), j) TH_LOG("size %u: byte %u written",
						 size, j);
	}
	EXPECT_EQ(0, gch_decref(self->h, r));
}

TEST_F(heap, reserved_and_output_fields)
{
	struct gcheap_alloc a = { .nslots = 1 };
	struct gcheap_ref rf = { 0 };
	struct gcheap_slot s = { 0 };
	struct gcheap_rw rw = { 0 };
	struct gcheap_info in = { 0 };
	struct gcheap_config cfg = { 0 };
	gch_ref_t r;
	char buf[4];

	ASSERT_EQ(0, gch_alloc(self->h, 1, 4, &r));
	a.ref = 5;		/* output field must be zero */
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_ALLOC, &a));
	a.ref = 0;
	a.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_ALLOC, &a));
	rf.ref = r;
	rf.flags = 1;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_INCREF, &rf));
	rf.flags = 0;
	rf.reserved = 1;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_DECREF, &rf));
	s.obj = r;
	s.flags = 2;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_SET_SLOT, &s));
	s.flags = 0;
	s.target = r;		/* output field of GET_SLOT */
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_GET_SLOT, &s));
	rw.obj = r;
	rw.buf = (uintptr_t)buf;
	rw.len = 4;
	rw.reserved = 1;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_WRITE, &rw));
	rw.reserved = 0;
	rw.flags = 1;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_READ, &rw));
	in.ref = r;
	in.refcount = 1;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_INFO, &in));
	in.refcount = 0;
	in.reserved = 1;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_INFO, &in));
	cfg.flags = 4;
	EXPECT_EQ(-EINVAL, gch_test_ioctl(self->h, GCHEAP_IOC_CONFIG, &cfg));
	/* nothing changed */
	EXPECT_EQ(1, gch_test_objects(self->h));
	EXPECT_EQ(1, gch_test_refcount(self->h, r));
}

TEST_F(heap, bad_pointers)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gcheap_alloc *a = ro;
	struct gch_stats st;

	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_ALLOC, NULL));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_ALLOC, (void *)16));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_STATS, ro));
	/*
	 * A read-only struct: the allocation happens, the copy-out fails,
	 * and the object is dropped again: the call changed nothing.
	 */
	EXPECT_EQ(0, a->ref);
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_ALLOC, ro));
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_EQ(0, st.objects);
	munmap(ro, 4096);
}

TEST_F(heap, get_slot_copy_out_failure_drops_the_ref)
{
	struct gcheap_slot *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gch_ref_t a, b;

	ASSERT_NE(MAP_FAILED, s);
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, b));
	s->obj = a;
	ASSERT_EQ(0, mprotect(s, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_GET_SLOT, s));
	EXPECT_EQ(2, gch_test_refcount(self->h, b));
	munmap(s, 4096);
}

TEST_F(heap, no_arg_commands_take_zero)
{
	EXPECT_EQ(-EINVAL, ioctl(gch_fd(self->h), GCHEAP_IOC_FREEZE, 1) < 0 ? -errno : 0);
}

TEST_HARNESS_MAIN
