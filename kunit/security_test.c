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

	x = gk_tracked(test, h, 1);
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
	KUNIT_EXPECT_FALSE(test, gch_tracked(b));	/* nothing changed */
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

/*
 * The report paths of verify, one invariant broken at a time under the
 * heap's lock and put back before the heap is torn down.
 */

/* Run verify into @m (its buffer allocated on the first call): the text. */
static const char *gk_verify(struct kunit *test, struct seq_file *m)
{
	if (!m->buf) {
		/* One byte more than it may fill: the text always ends. */
		m->buf = kunit_kzalloc(test, PAGE_SIZE + 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, m->buf);
		m->size = PAGE_SIZE;
	}
	memset(m->buf, 0, PAGE_SIZE + 1);
	m->count = 0;
	KUNIT_EXPECT_EQ(test, gch_verify_show(m, NULL), 0);
	return m->buf;
}

/* The lines of a report: one per violation, and "N more". */
static unsigned int gk_lines(const char *out)
{
	unsigned int n = 0;

	for (; *out; out++)
		n += *out == '\n';
	return n;
}

/* Expect the line formatted from @fmt in @out, as verify prints it. */
static __printf(3, 4) void gk_expect_line(struct kunit *test, const char *out,
					  const char *fmt, ...)
{
	char line[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(out, line),
				  "no \"%s\" in \"%s\"", line, out);
}

/* A weakref's count that is not its holders' plus its queued event's. */
static void gch_test_verify_weak_refcount(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *b = gk_obj(test, h, 0, 0, 0);
	struct seq_file m = { .private = h };
	struct gch_weak *w = NULL;
	const char *out;
	u64 wref;
	int ret;

	mutex_lock(&h->lock);
	ret = gch_weak_new(h, b, 0, 0, &wref);
	if (!ret)
		w = gch_lookup_weak(h, wref);
	mutex_unlock(&h->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	w->refcnt++;		/* a reference nobody holds */
	mutex_unlock(&h->lock);
	out = gk_verify(test, &m);
	gk_expect_line(test, out, "weakref refcount: index %u: 2, expected 1\n",
		       w->idx);
	KUNIT_EXPECT_EQ(test, gk_lines(out), 1U);
	mutex_lock(&h->lock);
	w->refcnt--;
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	KUNIT_EXPECT_EQ(test, gch_weak_user_put(h, w), 0);
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

/* An object whose own index is not the handle that names it. */
static void gch_test_verify_object_index(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *b = gk_obj(test, h, 0, 0, 0);
	struct seq_file m = { .private = h };
	const char *out;
	u32 idx = b->idx;

	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	b->idx = idx + 1;	/* untracked: no list walk reads it */
	mutex_unlock(&h->lock);
	out = gk_verify(test, &m);
	gk_expect_line(test, out, "object index: index %u: %u, expected %u\n",
		       idx, idx + 1, idx);
	KUNIT_EXPECT_EQ(test, gk_lines(out), 1U);
	mutex_lock(&h->lock);
	b->idx = idx;
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

/* A slot naming the handle of an object that was freed. */
static void gch_test_verify_dangling_slot(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_tracked(test, h, 1);
	struct gch_obj *c = gk_obj(test, h, 0, 0, 0);
	struct seq_file m = { .private = h };
	u64 rc = gch_ref_of(h, c);
	u32 dead = gch_ref_idx(rc);
	const char *out;

	KUNIT_ASSERT_EQ(test, gk_drop(h, c), 0);
	KUNIT_ASSERT_FALSE(test, gk_alive(h, rc));
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	gch_slots(a)[0] = dead;	/* the slot was empty: no count to fix */
	mutex_unlock(&h->lock);
	out = gk_verify(test, &m);
	gk_expect_line(test, out, "dangling slot: index %u: %u, expected 0\n",
		       a->idx, dead);
	KUNIT_EXPECT_EQ(test, gk_lines(out), 1U);
	mutex_lock(&h->lock);
	gch_slots(a)[0] = 0;
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

/*
 * Two tracked objects answering to one index: the list walk meets that
 * index twice.  The lists themselves stay as they are (the walk follows
 * the links, not the index); the object whose index is wrong also reads
 * as misnamed and as tracked in no list.
 */
static void gch_test_verify_two_lists(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_tracked(test, h, 1);
	struct gch_obj *c = gk_tracked(test, h, 1);
	struct seq_file m = { .private = h };
	u32 ci = c->idx;
	const char *out;

	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	c->idx = a->idx;
	mutex_unlock(&h->lock);
	out = gk_verify(test, &m);
	/* Met again in generation 0's list, list 0. */
	gk_expect_line(test, out, "in two lists: index %u: 0, expected 0\n",
		       a->idx);
	gk_expect_line(test, out, "object index: index %u: %u, expected %u\n",
		       ci, a->idx, ci);
	gk_expect_line(test, out, "tracked: index %u: 0, expected 1\n", ci);
	KUNIT_EXPECT_EQ(test, gk_lines(out), 3U);
	mutex_lock(&h->lock);
	c->idx = ci;
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

/* A young object that says it is of generation 1. */
static void gch_test_verify_generation(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_tracked(test, h, 1);
	struct seq_file m = { .private = h };
	const char *out;

	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	a->gen = 1;		/* young, in generation 0's list */
	mutex_unlock(&h->lock);
	out = gk_verify(test, &m);
	gk_expect_line(test, out, "generation: index %u: 1, expected 0\n",
		       a->idx);
	KUNIT_EXPECT_EQ(test, gk_lines(out), 1U);
	mutex_lock(&h->lock);
	a->gen = 0;
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

/*
 * A queued FINALIZE event whose ref is stale.  Its reference is then
 * counted nowhere: the object's count reads one too many as well.
 */
static void gch_test_verify_dead_event(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_obj(test, h, 0, 0, GCH_ALLOC_FINALIZE);
	struct seq_file m = { .private = h };
	struct gch_evnode *fin = gch_ext(a)->fin;
	const char *out;
	u64 ref, stale;

	mutex_lock(&h->lock);
	gch_finalize(h, a);
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	ref = fin->ev.ref;
	stale = ref ^ BIT_ULL(GCH_REF_SEQ_SHIFT);	/* another sequence */
	fin->ev.ref = stale;
	mutex_unlock(&h->lock);
	out = gk_verify(test, &m);
	gk_expect_line(test, out,
		       "event of a dead object: index 0: %llu, expected 0\n",
		       stale);
	gk_expect_line(test, out, "refcount: index %u: 2, expected 1\n",
		       a->idx);
	KUNIT_EXPECT_EQ(test, gk_lines(out), 2U);
	mutex_lock(&h->lock);
	fin->ev.ref = ref;
	mutex_unlock(&h->lock);
	/* The event stays queued: the heap's teardown drops it. */
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

/*
 * An untracked object that names an object with slots, or says it is of a
 * generation other than 0: the collector would never see it.
 */
static void gch_test_verify_untracked(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *a = gk_obj(test, h, 1, 0, 0);
	struct gch_obj *b = gk_obj(test, h, 1, 0, 0);
	struct seq_file m = { .private = h };
	const char *out;

	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	gch_slots(a)[0] = b->idx;	/* as a slot set that did not track */
	b->refcnt++;
	a->gen = 1;
	mutex_unlock(&h->lock);
	out = gk_verify(test, &m);
	gk_expect_line(test, out, "untracked slot: index %u: %u, expected 0\n",
		       a->idx, b->idx);
	gk_expect_line(test, out,
		       "untracked generation: index %u: 1, expected 0\n",
		       a->idx);
	KUNIT_EXPECT_EQ(test, gk_lines(out), 2U);
	mutex_lock(&h->lock);
	a->gen = 0;
	b->sealed = 1;		/* sealed untracked: it may be named */
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	gch_slots(a)[0] = 0;
	b->refcnt--;
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

/* A collector's flag left on an object outside any collection. */
static void gch_test_verify_collector_flags(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct gch_obj *b = gk_obj(test, h, 0, 0, 0);
	struct seq_file m = { .private = h };
	const char *out;
	u32 flags, bad;

	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	flags = b->flags;
	bad = flags | GCH_OF_UNREACHABLE;
	b->flags = bad;
	mutex_unlock(&h->lock);
	out = gk_verify(test, &m);
	gk_expect_line(test, out, "collector flags: index %u: %u, expected 0\n",
		       b->idx, bad);
	KUNIT_EXPECT_EQ(test, gk_lines(out), 1U);
	mutex_lock(&h->lock);
	b->flags = flags;
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

/* Each heap counter, one at a time, one more than what is there. */
static void gch_test_verify_counters(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	const struct {
		const char *name;
		u64 *p;
	} c[] = {
		{ "objects", &h->nobjects }, { "bytes", &h->bytes },
		{ "mem", &h->mem }, { "weakrefs", &h->nweak },
		{ "frozen", &h->nfrozen }, { "events", &h->nevents },
	};
	struct seq_file m = { .private = h };
	const char *out;
	unsigned int i;
	u64 kept;

	gk_obj(test, h, 1, 8, 0);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		mutex_lock(&h->lock);
		kept = *c[i].p;
		WRITE_ONCE(*c[i].p, kept + 1);
		mutex_unlock(&h->lock);
		out = gk_verify(test, &m);
		gk_expect_line(test, out, "%s: index 0: %llu, expected %llu\n",
			       c[i].name, kept + 1, kept);
		KUNIT_EXPECT_EQ(test, gk_lines(out), 1U);
		mutex_lock(&h->lock);
		WRITE_ONCE(*c[i].p, kept);
		mutex_unlock(&h->lock);
	}
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

/* More violations than verify prints: the rest are counted. */
static void gch_test_verify_more(struct kunit *test)
{
	struct gch_heap *h = test->priv;
	struct seq_file m = { .private = h };
	struct gch_obj *o[24];
	const char *out;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(o); i++)
		o[i] = gk_obj(test, h, 0, 0, 0);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
	mutex_lock(&h->lock);
	for (i = 0; i < ARRAY_SIZE(o); i++)
		o[i]->refcnt++;
	mutex_unlock(&h->lock);
	out = gk_verify(test, &m);
	gk_expect_line(test, out, "refcount: index %u: 2, expected 1\n",
		       o[0]->idx);
	gk_expect_line(test, out, "\n4 more\n");
	KUNIT_EXPECT_EQ(test, gk_lines(out), 21U);
	mutex_lock(&h->lock);
	for (i = 0; i < ARRAY_SIZE(o); i++)
		o[i]->refcnt--;
	mutex_unlock(&h->lock);
	KUNIT_EXPECT_STREQ(test, gk_verify(test, &m), "ok\n");
}

static struct kunit_case gch_security_cases[] = {
	KUNIT_CASE(gch_test_over_decref),
	KUNIT_CASE(gch_test_slot_ref_not_program),
	KUNIT_CASE(gch_test_counts_saturate),
	KUNIT_CASE(gch_test_walks_yield_by_work),
	KUNIT_CASE(gch_test_sum_does_not_wait),
	KUNIT_CASE(gch_test_read_nowait),
	KUNIT_CASE(gch_test_verify_reports),
	KUNIT_CASE(gch_test_verify_weak_refcount),
	KUNIT_CASE(gch_test_verify_object_index),
	KUNIT_CASE(gch_test_verify_dangling_slot),
	KUNIT_CASE(gch_test_verify_two_lists),
	KUNIT_CASE(gch_test_verify_generation),
	KUNIT_CASE(gch_test_verify_dead_event),
	KUNIT_CASE(gch_test_verify_untracked),
	KUNIT_CASE(gch_test_verify_collector_flags),
	KUNIT_CASE(gch_test_verify_counters),
	KUNIT_CASE(gch_test_verify_more),
	{}
};

static struct kunit_suite gch_security_suite = {
	.name = "gcheap_security",
	.init = gk_init,
	.exit = gk_exit,
	.test_cases = gch_security_cases,
};

kunit_test_suite(gch_security_suite);
