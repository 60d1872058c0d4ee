// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: for each operation, fail its 1st, 2nd, ... allocation
 * (the task's fail-nth with failslab and fail_page_alloc) until it makes
 * no more.  Every injected failure must give -ENOMEM and change nothing;
 * the heap must keep working; kmemleak (vm-run) must find nothing.
 * Needs the debug kernel (fault injection and its debugfs knobs).
 */
#include <sys/syscall.h>

#include "gch_test.h"

static int fail_nth_fd = -1;

/* Arm the task's n-th fault; 0 once consumed, else how many were left. */
static int arm(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(fail_nth_fd, buf, len, 0) == len ? 0 : -1;
}

static int left(void)
{
	char buf[16] = { 0 };

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

/* A fault-injection setting, where the kernel has it. */
static void knob(const char *path, const char *val)
{
	if (gch_test_write_str(path, val) && errno != ENOENT)
		perror(path);
}

FIXTURE(faults) {
	struct gch_heap *h;
	gch_ref_t a, b;
};

FIXTURE_SETUP(faults)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	fail_nth_fd = open(path, O_RDWR);
	if (fail_nth_fd < 0 || access("/sys/kernel/debug/failslab", F_OK))
		SKIP(return, "no fault injection in this kernel");
	/* GFP_KERNEL allocations too, not only atomic ones; no log noise */
	knob("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	knob("/sys/kernel/debug/failslab/verbose", "0");
	knob("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	knob("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	self->h = gch_open(NULL);
	ASSERT_NE(NULL, self->h);
	ASSERT_EQ(0, gch_disable(self->h));
	ASSERT_EQ(0, gch_alloc(self->h, 2, 8, &self->a));
	ASSERT_EQ(0, gch_alloc(self->h, 2, 8, &self->b));
}

FIXTURE_TEARDOWN(faults)
{
	if (self->h)
		gch_close(self->h);
	if (fail_nth_fd >= 0)
		close(fail_nth_fd);
}

/*
 * Walk the faults of one operation: @op returns 0 or -errno and must undo
 * its own success (so that every round starts from the same heap).
 */
#define WALK(op)							\
	do {								\
		long long before = gch_test_objects(self->h);		\
		int n, ret, injected = 0;				\
									\
		for (n = 1; n < 200; n++) {				\
			ASSERT_EQ(0, arm(n));				\
			ret = (op);					\
			if (left() != 0) {				\
				arm(0);					\
				ASSERT_EQ(0, ret);			\
				break;					\
			}						\
			injected++;					\
			EXPECT_TRUE(ret == 0 || ret == -ENOMEM)		\
				TH_LOG("fault %d: %d", n, ret);		\
			EXPECT_EQ(before, gch_test_objects(self->h));	\
		}							\
		TH_LOG("%d faults injected", injected);			\
		EXPECT_LT(0, injected);					\
	} while (0)

static int op_alloc(struct gch_heap *h, uint32_t flags, uint32_t size)
{
	struct gch_alloc_args a = { .nslots = 3, .size = size, .flags = flags,
				    .tag = 9 };
	gch_ref_t r;
	int ret = gch_alloc_ex(h, &a, &r);

	if (!ret)
		gch_decref(h, r);
	if (!ret && flags) {	/* a finalizable object: its event */
		struct gch_event ev;

		if (gch_next_event(h, &ev, 0) == 1)
			gch_decref(h, ev.ref);
	}
	return ret;
}

TEST_F(faults, alloc)
{
	WALK(op_alloc(self->h, 0, 16));
}

TEST_F(faults, alloc_finalizable_large)
{
	WALK(op_alloc(self->h, GCH_ALLOC_FINALIZE, 8192));
}

static int op_weakref(struct gch_heap *h, gch_ref_t obj)
{
	gch_ref_t w;
	int ret = gch_weakref(h, obj, GCH_WEAK_NOTIFY, 0, &w);

	if (!ret)
		gch_decref(h, w);
	return ret;
}

TEST_F(faults, weakref)
{
	WALK(op_weakref(self->h, self->a));
}

/*
 * A weakref whose handle needs the table to grow.  A new heap each round:
 * once a round succeeds the table has grown for good, and faults that
 * something absorbs (memcg's per-slab vectors) come before the growth's.
 * Objects fill the first table (256 entries; entry 0 is never a ref) until
 * one takes entry 255.  Refs are opaque to programs; this test reads the
 * module's layout (module/gcheap.h: the handle index in the low
 * GCH_IDX_BITS, 24) to aim at the growth.
 */
#define HANDLE_IDX(r)	((uint32_t)((r) & 0xffffff))

static struct gch_heap *full_table(gch_ref_t *first)
{
	struct gch_heap *h = gch_open(NULL);
	gch_ref_t r = 0;

	if (!h || gch_alloc(h, 0, 8, first))
		return h;
	while (HANDLE_IDX(r) < 255 && !gch_alloc(h, 0, 8, &r))
		;
	return h;
}

TEST_F(faults, weakref_grows_the_table)
{
	int n, ret, rest, failed = 0;
	struct gch_heap *h;
	gch_ref_t a, w;

	ASSERT_EQ(0, op_weakref(self->h, self->a));	/* pages in the code */
	for (n = 1; n < 50; n++) {
		h = full_table(&a);
		ASSERT_NE(NULL, h);
		ASSERT_EQ(0, arm(n));
		ret = gch_weakref(h, a, GCH_WEAK_NOTIFY, 0, &w);
		rest = left();
		arm(0);
		if (!ret)
			EXPECT_EQ(256, HANDLE_IDX(w));
		gch_close(h);
		if (rest) {
			ASSERT_EQ(0, ret);
			break;
		}
		EXPECT_TRUE(ret == 0 || ret == -ENOMEM) TH_LOG("fault %d: %d", n, ret);
		failed += ret == -ENOMEM;
	}
	TH_LOG("%d of %d faults failed the weakref", failed, n - 1);
	EXPECT_LE(2, failed);	/* its own record and the table's growth */
}

static int op_batch(struct gch_heap *h, gch_ref_t a)
{
	struct gch_batch *b = gch_batch_new(h, 64);
	char data[32] = "payload";
	int i, ret;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < 10; i++) {
		int x = gch_batch_alloc(b, 1, 32);

		gch_batch_write(b, GCH_RESULT(x), 0, data, sizeof(data));
		gch_batch_set_slot(b, GCH_RESULT(x), 0, a);
		gch_batch_decref(b, GCH_RESULT(x));
	}
	ret = gch_batch_submit(b);
	gch_batch_free(b);
	return ret == 40 ? 0 : ret < 0 ? ret : -EIO;
}

TEST_F(faults, batch)
{
	WALK(op_batch(self->h, self->a));
}

/* Every round a tag the heap has no record of yet: the record's faults. */
static int op_alloc_new_tag(struct gch_heap *h)
{
	static uint32_t tag = 100;
	struct gch_alloc_args a = { .nslots = 1, .size = 8, .tag = ++tag };
	gch_ref_t r;
	int ret = gch_alloc_ex(h, &a, &r);

	if (!ret)
		gch_decref(h, r);
	return ret;
}

TEST_F(faults, alloc_new_tag)
{
	WALK(op_alloc_new_tag(self->h));
}

/* A batch with objects too large for the heap's cache among small ones. */
static int op_batch_large(struct gch_heap *h)
{
	struct gch_batch *b = gch_batch_new(h, 8);
	int i, ret;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < 3; i++)
		gch_batch_decref(b, GCH_RESULT(gch_batch_alloc(b, 1, 8192)));
	gch_batch_decref(b, GCH_RESULT(gch_batch_alloc(b, 1, 8)));
	ret = gch_batch_submit(b);
	gch_batch_free(b);
	return ret == 8 ? 0 : ret < 0 ? ret : -EIO;
}

TEST_F(faults, batch_large)
{
	WALK(op_batch_large(self->h));
}

/* A heap opened and closed: its own faults. */
static int op_open(void)
{
	struct gch_heap *h = gch_open(NULL);

	if (!h)
		return -errno;
	gch_close(h);
	return 0;
}

TEST_F(faults, open)
{
	WALK(op_open());
}

/* debugfs <id>/verify, read from an open file: its own faults. */
static int op_verify(int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = 0;
	return strcmp(buf, "ok\n") ? -EIO : 0;
}

TEST_F(faults, verify)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), GCH_TEST_DEBUGFS "/%d/verify",
		 gch_heap_id(self->h));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	WALK(op_verify(fd));
	close(fd);
}

static int op_list(struct gch_heap *h)
{
	gch_ref_t buf[4];
	int i, n = gch_get_objects(h, -1, buf, 4);

	for (i = 0; i < n && i < 4; i++)
		gch_decref(h, buf[i]);
	return n < 0 ? n : 0;
}

TEST_F(faults, list)
{
	WALK(op_list(self->h));
}

static int op_tags(struct gch_heap *h)
{
	struct gch_tag_stat ts[4];
	int n = gch_get_tag_stats(h, ts, 4);

	return n < 0 ? n : 0;
}

TEST_F(faults, tag_stats)
{
	ASSERT_EQ(0, op_alloc(self->h, 0, 1));	/* a tag record to list */
	WALK(op_tags(self->h));
}

/* Two objects in a cycle, dropped. */
static int garbage_cycle(struct gch_heap *h)
{
	gch_ref_t x, y;

	if (gch_alloc(h, 1, 0, &x) || gch_alloc(h, 1, 0, &y))
		return -EIO;
	gch_set_slot(h, x, 0, y);
	gch_set_slot(h, y, 0, x);
	gch_decref(h, x);
	gch_decref(h, y);
	return 0;
}

/* A collection that cannot get memory loses nothing, frees nothing live. */

TEST_F(faults, collection)
{
	int n, found;

	ASSERT_EQ(0, gch_set_event_mask(self->h, GCH_EV_DEFAULT | GCH_EV_COLLECT));
	for (n = 1; n < 20; n++) {
		ASSERT_EQ(0, garbage_cycle(self->h));
		ASSERT_EQ(0, arm(n));
		found = gch_collect(self->h, 2);
		arm(0);
		EXPECT_EQ(2, found);
		EXPECT_EQ(2, gch_test_objects(self->h));	/* a and b live */
		EXPECT_EQ(1, gch_test_refcount(self->h, self->a));
	}
}

TEST_HARNESS_MAIN
