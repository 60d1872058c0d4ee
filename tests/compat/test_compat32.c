// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap from a 32-bit program: every call goes through the kernel's
 * compat_ioctl, and libgcheap, built -m32, sends INCREF and DECREF as
 * structs because a 32-bit ioctl argument cannot hold a ref.  Built -m32
 * by the Makefile into build/tests/test_compat32.
 */
#include <sys/mman.h>

#include "gch_test.h"

_Static_assert(sizeof(long) == 4, "test_compat32 is a 32-bit program");

/* The library's single-object calls work, and count as on 64 bits. */
TEST_F(heap, library_calls)
{
	gch_ref_t a, b, got;
	char buf[8] = "compat!";

	ASSERT_EQ(0, gch_alloc(self->h, 2, 8, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &b));
	EXPECT_EQ(0, gch_incref(self->h, a));
	EXPECT_EQ(2, gch_test_refcount(self->h, a));
	EXPECT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_set_slot(self->h, a, 1, b));
	EXPECT_EQ(2, gch_test_refcount(self->h, b));
	EXPECT_EQ(0, gch_get_slot(self->h, a, 1, &got));
	EXPECT_EQ(b, got);
	EXPECT_EQ(0, gch_decref(self->h, got));
	EXPECT_EQ(0, gch_write(self->h, a, 0, buf, sizeof(buf)));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(0, gch_read(self->h, a, 0, buf, sizeof(buf)));
	EXPECT_STREQ("compat!", buf);
	EXPECT_EQ(-ESTALE, gch_incref(self->h, a + 1000));
	EXPECT_EQ(0, gch_decref(self->h, b));
	EXPECT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_test_objects(self->h));
	EXPECT_EQ(-ESTALE, gch_decref(self->h, a));
}

/* INCREF_VAL and DECREF_VAL are refused, whatever the argument. */
TEST_F(heap, by_value_refused)
{
	gch_ref_t a;

	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &a));
	EXPECT_EQ(-ENOTTY, gch_test_ioctl_val(self->h, GCHEAP_IOC_INCREF_VAL, (unsigned long)a));
	EXPECT_EQ(-ENOTTY, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, (unsigned long)a));
	EXPECT_EQ(-ENOTTY, gch_test_ioctl_val(self->h, GCHEAP_IOC_DECREF_VAL, 0));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	EXPECT_EQ(0, gch_decref(self->h, a));
}

/* A batch's buffers are 64-bit fields holding 32-bit addresses. */
TEST_F(heap, batch_and_collect)
{
	struct gch_batch *bt = gch_batch_new(self->h, 8);
	gch_ref_t x;
	int i, j;

	ASSERT_TRUE(bt != NULL);
	i = gch_batch_alloc(bt, 1, 0);
	j = gch_batch_alloc(bt, 1, 0);
	gch_batch_set_slot(bt, GCH_RESULT(i), 0, GCH_RESULT(j));
	gch_batch_set_slot(bt, GCH_RESULT(j), 0, GCH_RESULT(i));
	gch_batch_decref(bt, GCH_RESULT(j));
	ASSERT_EQ(5, gch_batch_submit(bt));
	ASSERT_EQ(0, gch_batch_result(bt, i, &x));
	EXPECT_EQ(2, gch_test_objects(self->h));
	EXPECT_EQ(0, gch_decref(self->h, x));
	EXPECT_EQ(2, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
	gch_batch_free(bt);
}

/*
 * The commands whose structs carry a user buffer (LIST, TAG_STATS), read(2)
 * of events, a weakref with its cookie, the collector's controls and the
 * statistics: the same answers as on 64 bits.
 */
TEST_F(heap, buffers_events_and_controls)
{
	struct gch_alloc_args aa = { .nslots = 1, .size = 4, .tag = 7,
				     .flags = GCH_ALLOC_FINALIZE, .cookie = 99 };
	struct gch_tag_stat ts[2];
	struct gch_stats_ex st;
	struct gch_event ev;
	uint32_t th[3], cnt[3];
	gch_ref_t a, w, got, list[4];
	int n;

	ASSERT_EQ(0, gch_alloc_ex(self->h, &aa, &a));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, a));	/* a cycle of one */
	ASSERT_EQ(0, gch_weakref(self->h, a, GCH_WEAK_NOTIFY, 5, &w));
	EXPECT_EQ(1, gch_get_tag_stats(self->h, ts, 2));
	EXPECT_EQ(7, ts[0].tag);
	EXPECT_EQ(1, ts[0].live_objects);
	n = gch_get_objects(self->h, 0, list, 4);
	ASSERT_EQ(1, n);
	EXPECT_EQ(a, list[0]);
	EXPECT_EQ(0, gch_decref(self->h, list[0]));
	n = gch_get_referrers(self->h, a, list, 4);
	ASSERT_EQ(1, n);
	EXPECT_EQ(0, gch_decref(self->h, list[0]));
	EXPECT_EQ(0, gch_set_threshold(self->h, 5, 6, 7));
	EXPECT_EQ(0, gch_get_threshold(self->h, th));
	EXPECT_EQ(5, th[0]);
	EXPECT_EQ(7, th[2]);
	EXPECT_EQ(0, gch_get_count(self->h, cnt));
	EXPECT_EQ(0, gch_freeze(self->h));
	EXPECT_EQ(1, gch_get_freeze_count(self->h));
	EXPECT_EQ(0, gch_unfreeze(self->h));
	EXPECT_EQ(0, gch_decref(self->h, a));
	/* the weakref's event, then the finalizer's, which resurrects */
	EXPECT_EQ(1, gch_collect(self->h, 2));
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(GCH_EV_WEAKREF, ev.type);
	EXPECT_EQ(5, ev.cookie);
	EXPECT_EQ(w, ev.ref);
	EXPECT_EQ(0, gch_decref(self->h, ev.ref));	/* the event's */
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(GCH_EV_FINALIZE, ev.type);
	EXPECT_EQ(99, ev.cookie);
	EXPECT_EQ(a, ev.ref);
	EXPECT_EQ(0, gch_weakref_get(self->h, w, &got));
	EXPECT_EQ(0, got);
	EXPECT_EQ(0, gch_decref(self->h, w));
	EXPECT_EQ(0, gch_decref(self->h, ev.ref));	/* a cycle again: no second FINALIZE */
	EXPECT_EQ(1, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
	ASSERT_EQ(0, gch_get_stats_ex(self->h, &st, sizeof(st)));
	EXPECT_EQ(0, st.base.objects);
	EXPECT_EQ(1, st.base.allocated);
	EXPECT_EQ(1, st.base.freed);
	EXPECT_EQ(2, st.passes);
}

/* A struct that is not there is -EFAULT, through the compat path too. */
TEST_F(heap, bad_pointers)
{
	void *gone = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(gone != MAP_FAILED);
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_ALLOC, gone));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_INCREF, gone));
	EXPECT_EQ(0, gch_test_objects(self->h));
	munmap(gone, 4096);
}

TEST_HARNESS_MAIN
