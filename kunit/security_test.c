// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: what a hostile program must not reach.  References it cannot
 * falsify, counts that cannot wrap, walks that reschedule by their work,
 * statistics and reads that never wait on a busy heap.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uio.h>

#include "gch_kunit.h"

/*
 * The sequence: a frozen X and a young Z point at each other, Z at
 * itself; the program drops X and Z, then Z again.  The third drop is not
 * the program's to make: it fails and a collection keeps Z.
 */
static void gch_test_over_decref(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *x, *z;
	u64 rz;

	x = gk_obj(test, h, 1, 0, 0);
	mutex_lock(&h->lock);
	gch_freeze(h);
	mutex_unlock(&h->lock);
	z = gk_obj(test, h, 2, 0, 0);
	rz = gch_ref_of(h, z);
	gk_set(test, h, z, 0, x);
	gk_set(test, h, z, 1, z);
	gk_set(test, h, x, 0, z);
	KUNIT_EXPECT_EQ(test, gk_drop(h, x), 0);
	KUNIT_EXPECT_EQ(test, gk_drop(h, z), 0);
	KUNIT_EXPECT_EQ(test, gk_drop(h, z), -EINVAL);
	KUNIT_EXPECT_EQ(test, z->refcnt, 2U);	/* X's slot and its own */
	KUNIT_EXPECT_EQ(test, z->urefs, 0U);
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 0ULL);
	KUNIT_EXPECT_TRUE(test, gk_alive(h, rz));
	KUNIT_EXPECT_EQ(test, gk_collect(h, 2), 0ULL);
	KUNIT_EXPECT_EQ(test, gk_objects(h), 2ULL);
}

/* What slots hold is the heap's: a slot's target cannot be dropped. */
static void gch_test_slot_ref_not_program(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_obj(test, h, 1, 0, 0);
	struct gch_obj *b = gk_obj(test, h, 0, 8, 0);
	u64 ra = gch_ref_of(h, a), rb = gch_ref_of(h, b), out;

	gk_set(test, h, a, 0, b);
	KUNIT_EXPECT_EQ(test, gk_drop(h, b), 0);
	KUNIT_EXPECT_EQ(test, gk_drop(h, b), -EINVAL);
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, gch_op_get_slot(h, ra, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out, rb);
	KUNIT_EXPECT_EQ(test, b->urefs, 1U);	/* get_slot handed one out */
	KUNIT_EXPECT_EQ(test, b->refcnt, 2U);
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_EQ(test, gk_drop(h, b), 0);
	KUNIT_EXPECT_EQ(test, gk_drop(h, b), -EINVAL);
	KUNIT_EXPECT_TRUE(test, gk_alive(h, rb));
	KUNIT_EXPECT_EQ(test, gk_drop(h, a), 0);
	KUNIT_EXPECT_FALSE(test, gk_alive(h, rb));
}

/*
 * Counts stop at GCH_REF_MAX for the program and slots, and the heap's
 * own references (a FINALIZE event's, the garbage list's) still fit.
 */
static void gch_test_counts_saturate(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_obj(test, h, 1, 0, GCH_ALLOC_FINALIZE);
	struct gch_obj *b = gk_obj(test, h, 1, 0, 0);
	struct gch_reap r = {};
	struct gch_weak *w;
	u64 wref;

	mutex_lock(&h->lock);
	a->refcnt = GCH_REF_MAX - 1;
	a->urefs = GCH_REF_MAX - 1;
	KUNIT_EXPECT_EQ(test, gch_user_get(h, a), 0);
	KUNIT_EXPECT_EQ(test, gch_user_get(h, a), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, gch_set_slot(h, b, 0, a, &r), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, a->refcnt, GCH_REF_MAX);
	gch_finalize(h, a);
	KUNIT_EXPECT_EQ(test, a->refcnt, U32_MAX - 1);
	KUNIT_ASSERT_EQ(test, gch_weak_new(h, b, 0, 0, &wref), 0);
	w = gch_lookup_weak(h, wref);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->refcnt = GCH_REF_MAX;
	w->urefs = GCH_REF_MAX;
	KUNIT_EXPECT_EQ(test, gch_weak_user_get(h, w), -EOVERFLOW);
	w->refcnt = 1;
	w->urefs = 1;
	KUNIT_EXPECT_EQ(test, gch_weak_user_put(h, w), 0);
	/* Back to counts the heap can free: the program's one, the event's. */
	a->refcnt = 2;
	a->urefs = 1;
	gch_heap_unlock(h, &r);
	KUNIT_EXPECT_EQ(test, gk_drop(h, a), 0);
	KUNIT_EXPECT_EQ(test, gk_drop(h, b), 0);
}

/* 16 objects of 4096 slots cost 16 reschedules per pass, not 0. */
static void gch_test_walks_yield_by_work(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *o[16];
	u64 before;
	int i;

	for (i = 0; i < 16; i++)
		o[i] = gk_obj(test, h, 4096, 0, 0);
	for (i = 0; i < 16; i++)
		gk_set(test, h, o[i], 4095, o[(i + 1) % 16]);
	before = h->yields;
	KUNIT_EXPECT_EQ(test, gk_collect(h, 0), 0ULL);
	/*
	 * The subtract and move walks visit 16 * 4097: a slice ends after
	 * each object, and all but the last (which ends the pass) yield.
	 */
	KUNIT_EXPECT_EQ(test, h->yields - before, 31ULL);
	for (i = 0; i < 16; i++)
		gk_drop(h, o[i]);
	before = h->yields;
	KUNIT_EXPECT_EQ(test, gk_collect(h, 1), 16ULL);
	KUNIT_EXPECT_GE(test, h->yields - before, 32ULL);
}

/* Runs @fn in a kthread; false if it did not finish within 10 seconds. */
struct gk_bg {
	struct completion done;
	struct gch_heap *h;
	ssize_t ret;
	struct gch_totals totals;
};

static int gk_bg_sum(void *data)
{
	struct gk_bg *bg = data;

	gch_heaps_sum(&bg->totals);
	complete(&bg->done);
	return 0;
}

static ssize_t gk_read_nowait(struct gch_heap *h)
{
	struct gcheap_event ev;
	struct kvec kv = { .iov_base = &ev, .iov_len = sizeof(ev) };
	struct file f = { .private_data = h };
	struct iov_iter iter;
	struct kiocb k;

	init_sync_kiocb(&k, &f);
	k.ki_flags |= IOCB_NOWAIT;
	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, sizeof(ev));
	return gch_read_iter(&k, &iter);
}

static int gk_bg_read(void *data)
{
	struct gk_bg *bg = data;

	bg->ret = gk_read_nowait(bg->h);
	complete(&bg->done);
	return 0;
}

/*
 * Start @fn while the test holds the heap's lock: it must finish without
 * it.  Return: whether it finished within 10 s (the lock is dropped after
 * either way, and the thread waited for).
 */
static bool gk_run_while_locked(struct kunit *test, struct gch_heap *h,
				int (*fn)(void *), struct gk_bg *bg)
{
	struct task_struct *t;
	bool finished;

	init_completion(&bg->done);
	bg->h = h;
	mutex_lock(&h->lock);
	t = kthread_run(fn, bg, "gcheap-kunit");
	if (IS_ERR(t)) {
		mutex_unlock(&h->lock);
		KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(t));
		return false;
	}
	finished = wait_for_completion_timeout(&bg->done, 10 * HZ);
	mutex_unlock(&h->lock);
	if (!finished)
		wait_for_completion(&bg->done);
	return finished;
}

/* The global statistics never wait for a heap busy with a collection. */
static void gch_test_sum_does_not_wait(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gk_bg bg = {};

	gk_obj(test, h, 0, 8, 0);
	KUNIT_EXPECT_TRUE(test, gk_run_while_locked(test, h, gk_bg_sum, &bg));
	KUNIT_EXPECT_GE(test, bg.totals.heaps, 1ULL);
	KUNIT_EXPECT_GE(test, bg.totals.objects, 1ULL);
}

/* An RWF_NOWAIT read of a queued event gets -EAGAIN while the heap is busy. */
static void gch_test_read_nowait(struct kunit *test)
{
	struct gcheap_gc gc = {
		.set = GCH_GC_SET_EVENT_MASK, .event_mask = GCH_EV_COLLECT,
	};
	struct gch_heap *h = test->priv;
	struct gk_bg bg = {};

	gch_gc_set(h, &gc);
	gk_collect(h, 0);
	KUNIT_ASSERT_EQ(test, h->nevents, 1ULL);
	KUNIT_EXPECT_TRUE(test, gk_run_while_locked(test, h, gk_bg_read, &bg));
	KUNIT_EXPECT_EQ(test, bg.ret, (ssize_t)-EAGAIN);
	KUNIT_EXPECT_EQ(test, h->nevents, 1ULL);
	KUNIT_EXPECT_EQ(test, gk_read_nowait(h),
			(ssize_t)sizeof(struct gcheap_event));
	KUNIT_EXPECT_EQ(test, h->nevents, 0ULL);
	KUNIT_EXPECT_EQ(test, gk_read_nowait(h), (ssize_t)-EAGAIN);
}

/* verify names a count that no longer matches what names the object. */
static void gch_test_verify_reports(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_obj(test, h, 1, 0, 0);
	struct gch_obj *b = gk_obj(test, h, 0, 0, 0);
	struct seq_file m = { .size = PAGE_SIZE, .private = h };

	m.buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	gk_set(test, h, a, 0, b);
	KUNIT_EXPECT_EQ(test, gch_verify_show(&m, NULL), 0);
	KUNIT_EXPECT_STREQ(test, m.buf, "ok\n");
	mutex_lock(&h->lock);
	b->refcnt++;		/* a reference nobody holds */
	mutex_unlock(&h->lock);
	m.count = 0;
	memset(m.buf, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, gch_verify_show(&m, NULL), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "refcount: index"));
	mutex_lock(&h->lock);
	b->refcnt--;
	mutex_unlock(&h->lock);
}

static struct kunit_case gch_security_cases[] = {
	KUNIT_CASE(gch_test_over_decref),
	KUNIT_CASE(gch_test_slot_ref_not_program),
	KUNIT_CASE(gch_test_counts_saturate),
	KUNIT_CASE(gch_test_walks_yield_by_work),
	KUNIT_CASE(gch_test_sum_does_not_wait),
	KUNIT_CASE(gch_test_read_nowait),
	KUNIT_CASE(gch_test_verify_reports),
	{}
};

static struct kunit_suite gch_security_suite = {
	.name = "gcheap_security",
	.init = gk_init,
	.exit = gk_exit,
	.test_cases = gch_security_cases,
};

kunit_test_suite(gch_security_suite);
