// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile program: references it does not hold, limits it tries to
 * escape, walks it makes long, calls whose buffers fault.  Each mistake is
 * an error for that program; the heap's invariants (debugfs verify) hold
 * and the debug kernel's checkers stay quiet.
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "gch_test.h"

#define PARAM "/sys/module/gcheap/parameters/"

/* The heap's debugfs verify file says "ok", or cannot be read. */
#define EXPECT_VERIFIED(h) do {						\
	char why_[256];							\
									\
	EXPECT_LE(0, gch_test_verify(h, why_, sizeof(why_)))		\
		TH_LOG("verify: %s", why_);				\
} while (0)

TEST(issue_sequence_is_einval)
{
	struct gch_heap *h = gch_open(NULL);
	gch_ref_t x, z;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_disable(h));
	ASSERT_EQ(0, gch_alloc(h, 1, 0, &x));
	ASSERT_EQ(0, gch_set_slot(h, x, 0, x));	/* tracked: freeze takes it */
	ASSERT_EQ(0, gch_freeze(h));
	ASSERT_EQ(0, gch_alloc(h, 2, 0, &z));
	ASSERT_EQ(0, gch_set_slot(h, z, 0, x));
	ASSERT_EQ(0, gch_set_slot(h, z, 1, z));
	ASSERT_EQ(0, gch_set_slot(h, x, 0, z));
	EXPECT_EQ(0, gch_decref(h, x));
	EXPECT_EQ(0, gch_decref(h, z));
	EXPECT_EQ(-EINVAL, gch_decref(h, z));	/* not the program's */
	EXPECT_EQ(0, gch_collect(h, 0));
	EXPECT_EQ(2, gch_test_refcount(h, z));
	EXPECT_EQ(2, gch_test_objects(h));
	EXPECT_VERIFIED(h);
	gch_close(h);
}

/* A slot's reference, and one dropped twice, are not the program's. */
TEST_F(heap, slot_and_twice_dropped)
{
	gch_ref_t a, b, got;
	struct gch_batch *bt = gch_batch_new(self->h, 4);

	ASSERT_NE(NULL, bt);
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 8, &b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, b));
	EXPECT_EQ(0, gch_decref(self->h, b));
	EXPECT_EQ(-EINVAL, gch_decref(self->h, b));
	ASSERT_EQ(0, gch_get_slot(self->h, a, 0, &got));
	EXPECT_EQ(b, got);
	EXPECT_EQ(0, gch_decref(self->h, got));
	/* in a batch: the op fails, the batch stops there */
	ASSERT_EQ(0, gch_batch_incref(bt, a));
	ASSERT_EQ(1, gch_batch_decref(bt, b));
	ASSERT_EQ(2, gch_batch_decref(bt, a));
	EXPECT_EQ(1, gch_batch_submit(bt));
	EXPECT_EQ(-EINVAL, gch_batch_result(bt, 1, NULL));
	EXPECT_EQ(2, gch_test_refcount(self->h, a));
	EXPECT_EQ(1, gch_test_refcount(self->h, b));
	EXPECT_VERIFIED(self->h);
	EXPECT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(-ESTALE, gch_decref(self->h, b));
	EXPECT_EQ(0, gch_test_objects(self->h));
	gch_batch_free(bt);
}

/* An event's reference is the heap's until the event is read. */
TEST_F(heap, event_refs_are_handed_over_by_read)
{
	struct gch_alloc_args fa = { .nslots = 0, .size = 8,
				     .flags = GCH_ALLOC_FINALIZE, .cookie = 5 };
	gch_ref_t f, o, w;
	struct gch_event ev;

	ASSERT_EQ(0, gch_alloc_ex(self->h, &fa, &f));
	EXPECT_EQ(0, gch_decref(self->h, f));		/* FINALIZE queued */
	EXPECT_EQ(-EINVAL, gch_decref(self->h, f));	/* the event's */
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &o));
	ASSERT_EQ(0, gch_weakref(self->h, o, GCH_WEAK_NOTIFY, 7, &w));
	EXPECT_EQ(0, gch_decref(self->h, o));		/* WEAKREF queued */
	EXPECT_EQ(0, gch_decref(self->h, w));
	EXPECT_EQ(-EINVAL, gch_decref(self->h, w));	/* the event's */
	EXPECT_VERIFIED(self->h);
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(GCH_EV_FINALIZE, ev.type);
	EXPECT_EQ(f, ev.ref);
	EXPECT_EQ(0, gch_decref(self->h, ev.ref));
	EXPECT_EQ(-ESTALE, gch_decref(self->h, ev.ref));
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(GCH_EV_WEAKREF, ev.type);
	EXPECT_EQ(w, ev.ref);
	EXPECT_EQ(0, gch_decref(self->h, ev.ref));
	EXPECT_EQ(-ESTALE, gch_decref(self->h, w));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/* The garbage list's references are its own; listing hands out new ones. */
TEST_F(heap, garbage_and_lists)
{
	gch_ref_t a, b, g[4];
	int i, n;

	ASSERT_EQ(0, gch_set_debug(self->h, GCH_DEBUG_SAVEALL));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, b));
	ASSERT_EQ(0, gch_set_slot(self->h, b, 0, a));
	ASSERT_EQ(0, gch_decref(self->h, a));
	ASSERT_EQ(0, gch_decref(self->h, b));
	EXPECT_EQ(2, gch_collect(self->h, 2));
	EXPECT_EQ(-EINVAL, gch_decref(self->h, a));
	n = gch_get_garbage(self->h, g, 4);
	ASSERT_EQ(2, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, gch_decref(self->h, g[i]));
		EXPECT_EQ(-EINVAL, gch_decref(self->h, g[i]));
	}
	n = gch_get_objects(self->h, -1, g, 4);
	EXPECT_EQ(0, n);	/* garbage is in no generation */
	EXPECT_EQ(2, gch_test_objects(self->h));
	EXPECT_VERIFIED(self->h);
}

/* ALLOC_MOVE steals a reference per operand, two when both are one. */
TEST_F(heap, alloc_move_needs_the_references)
{
	struct gch_batch *bt = gch_batch_new(self->h, 4);
	gch_ref_t a, n;

	ASSERT_NE(NULL, bt);
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &a));
	ASSERT_EQ(0, gch_batch_alloc_move(bt, 2, 0, a, a));
	EXPECT_EQ(0, gch_batch_submit(bt));
	EXPECT_EQ(-EINVAL, gch_batch_result(bt, 0, NULL));
	EXPECT_EQ(1, gch_test_objects(self->h));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	ASSERT_EQ(0, gch_incref(self->h, a));
	gch_batch_reset(bt);
	ASSERT_EQ(0, gch_batch_alloc_move(bt, 2, 0, a, a));
	ASSERT_EQ(1, gch_batch_alloc_move(bt, 1, 0, a, 0));
	EXPECT_EQ(1, gch_batch_submit(bt));	/* the second has none left */
	EXPECT_EQ(-EINVAL, gch_batch_result(bt, 1, NULL));
	ASSERT_EQ(0, gch_batch_result(bt, 0, &n));
	EXPECT_EQ(2, gch_test_refcount(self->h, a));	/* both slots */
	EXPECT_EQ(-EINVAL, gch_decref(self->h, a));
	EXPECT_EQ(0, gch_decref(self->h, n));
	EXPECT_EQ(0, gch_test_objects(self->h));
	gch_batch_free(bt);
}

/* The byte limit counts what objects cost the kernel, slots included. */
TEST(byte_limit_counts_memory)
{
	struct gch_config cfg = { .max_bytes = 10000 };
	struct gch_heap *h = gch_open(&cfg);
	struct gch_stats st;
	gch_ref_t r;
	int n = 0;

	ASSERT_NE(NULL, h);
	/* 1000 bytes beside a 48-byte slab object, and an 8-byte handle */
	while (n < 20 && !gch_alloc(h, 0, 1000, &r))
		n++;
	EXPECT_EQ(9, n);
	EXPECT_EQ(-EDQUOT, gch_alloc(h, 0, 1000, &r));
	ASSERT_EQ(0, gch_get_stats(h, &st));
	EXPECT_EQ(9000, st.bytes);
	if (gch_test_heap_stat(h, "mem_bytes") >= 0)
		EXPECT_EQ(9 * 1056, gch_test_heap_stat(h, "mem_bytes"));
	EXPECT_EQ(-EDQUOT, gch_alloc(h, 65536, 0, &r));	/* 256 KiB of slots */
	gch_close(h);
}

TEST(limit_lowered_below_usage)
{
	struct gcheap_config c = { .max_bytes = 1 };
	struct gch_heap *h = gch_open(NULL);
	gch_ref_t r;
	int i;

	ASSERT_NE(NULL, h);
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, gch_alloc(h, 0, 100, &r));
	ASSERT_EQ(0, gch_test_ioctl(h, GCHEAP_IOC_CONFIG, &c));
	EXPECT_EQ(-EDQUOT, gch_alloc(h, 0, 0, &r));
	EXPECT_EQ(-EDQUOT, gch_weakref(h, r, 0, 0, &r));
	EXPECT_EQ(10, gch_test_objects(h));
	EXPECT_VERIFIED(h);
	gch_close(h);
}

#define CG "/sys/fs/cgroup/gcheap-hostile"

/*
 * 64 ALLOCs of 65536 slots and 1 MiB in one batch, in a 32 MiB cgroup, on
 * a heap that holds 4 MiB: only what fits is allocated.
 */
static void big_batch_in_cgroup(void)
{
	struct gch_config cfg = { .max_bytes = 4 << 20 };
	struct gch_batch *b;
	struct gch_heap *h;
	char pid[32];
	int i, done;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (gch_test_write_str(CG "/cgroup.procs", pid))
		_exit(20);
	h = gch_open(&cfg);
	b = h ? gch_batch_new(h, 64) : NULL;
	if (!b)
		_exit(21);
	for (i = 0; i < 64; i++)
		gch_batch_alloc(b, 65536, 1 << 20);
	done = gch_batch_submit(b);
	if (done != 3)
		_exit(done < 0 ? 30 + (-done & 0x3f) : 22);
	if (gch_batch_result(b, 3, NULL) != -EDQUOT)
		_exit(23);
	gch_batch_free(b);
	gch_close(h);
}

TEST(batch_prealloc_within_limits)
{
	int rc;

	if (gch_test_memcg(CG, "33554432"))
		SKIP(return, "no writable cgroup2");
	rc = gch_test_run_child(big_batch_in_cgroup);
	EXPECT_EQ(0, rc) TH_LOG("child: %d (30 + errno: the batch failed whole)", rc);
	rmdir(CG);
}

/* Open heaps until refused; return how many opened (all closed again). */
static int open_until_refused(int *err)
{
	struct gch_heap *hs[16];
	int n = 0, i;

	while (n < 16 && (hs[n] = gch_open(NULL)))
		n++;
	*err = n < 16 ? errno : 0;
	for (i = 0; i < n; i++)
		gch_close(hs[i]);
	return n;
}

static void cap_as_user(uid_t uid)
{
	struct gch_heap *other;
	int err, n;

	if (setgid(uid) || setuid(uid))
		_exit(10);
	n = open_until_refused(&err);
	if (n != 4 || err != EMFILE)
		_exit(11 + n);
	other = gch_open(NULL);	/* all closed: room again */
	if (!other)
		_exit(9);
	gch_close(other);
}

static void cap_nobody(void)
{
	cap_as_user(65534);
}

static void cap_other(void)
{
	cap_as_user(65533);
}

TEST(heaps_per_user_capped)
{
	long old = gch_test_read_long(PARAM "max_heaps_per_user");
	struct gch_heap *mine;
	char buf[32];

	if (geteuid())
		SKIP(return, "needs root to set the cap and change users");
	ASSERT_LE(0, old) TH_LOG("no max_heaps_per_user parameter");
	ASSERT_EQ(0, gch_test_write_str(PARAM "max_heaps_per_user", "4"));
	mine = gch_open(NULL);	/* root's own count is apart */
	EXPECT_NE(NULL, mine);
	EXPECT_EQ(0, gch_test_run_child(cap_nobody));
	EXPECT_EQ(0, gch_test_run_child(cap_other));
	gch_close(mine);
	snprintf(buf, sizeof(buf), "%ld", old);
	ASSERT_EQ(0, gch_test_write_str(PARAM "max_heaps_per_user", buf));
}

/* A READ buffer that cannot take the data: nothing in the batch runs. */
TEST_F(heap, batch_fault_runs_nothing)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gcheap_batch_op *ops = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gcheap_batch arg = { .count = 2, .op_size = sizeof(*ops) };
	struct gch_batch *b = gch_batch_new(self->h, 2);
	gch_ref_t a;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, ops);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_alloc(self->h, 0, 16, &a));
	gch_batch_incref(b, a);
	gch_batch_read(b, a, 0, ro, 16);
	EXPECT_EQ(-EFAULT, gch_batch_submit(b));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	/* results that cannot be written back: the ALLOC does not run */
	ops[0] = (struct gcheap_batch_op){ .op = GCH_OP_ALLOC, .slot = 1 };
	ops[1] = (struct gcheap_batch_op){ .op = GCH_OP_INCREF, .a = a };
	arg.ops = (uintptr_t)ops;
	ASSERT_EQ(0, mprotect(ops, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_BATCH, &arg));
	EXPECT_EQ(1, gch_test_objects(self->h));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	gch_batch_free(b);
	munmap(ro, 4096);
	munmap(ops, 4096);
}

/* An ALLOC undone (its result could not be written) is not a death. */
TEST_F(heap, alloc_undo_queues_no_finalize)
{
	struct gcheap_alloc *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gch_event ev;

	ASSERT_NE(MAP_FAILED, a);
	a->nslots = 1;
	a->flags = GCH_ALLOC_FINALIZE;
	a->cookie = 9;
	ASSERT_EQ(0, mprotect(a, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_ALLOC, a));
	EXPECT_EQ(0, gch_test_objects(self->h));
	EXPECT_EQ(0, gch_next_event(self->h, &ev, 0));
	munmap(a, 4096);
}

/*
 * A listing whose struct cannot take the count (read-only): the refs reach
 * the buffer, the copy-out of the struct fails, and the references the
 * listing took are dropped again, read back from the buffer (min(count,
 * cap) of them): the call changed nothing.
 */
TEST_F(heap, list_copy_out_failure_drops_the_refs)
{
	struct gcheap_list *l = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gch_ref_t o[3], p, leaf, buf[8];
	int i, j, seen;

	ASSERT_NE(MAP_FAILED, l);
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &leaf));	/* untracked */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, gch_alloc(self->h, 1, 8, &o[i]));
		ASSERT_EQ(0, gch_set_slot(self->h, o[i], 0, leaf)); /* tracked */
	}
	ASSERT_EQ(0, gch_decref(self->h, leaf));
	ASSERT_EQ(0, gch_alloc(self->h, 3, 0, &p));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, gch_set_slot(self->h, p, i, o[i]));

	/* every object, cut at 2 of 4: two refs stored, both dropped */
	memset(buf, 0, sizeof(buf));
	*l = (struct gcheap_list){
		.what = GCHEAP_LIST_OBJECTS, .generation = GCH_GEN_ALL,
		.buf = (uintptr_t)buf, .cap = 2,
	};
	ASSERT_EQ(0, mprotect(l, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_LIST, l));
	EXPECT_EQ(0, l->count);			/* never written */
	EXPECT_EQ(o[0], buf[0]);		/* oldest first */
	EXPECT_EQ(o[1], buf[1]);
	EXPECT_EQ(0, buf[2]);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(2, gch_test_refcount(self->h, o[i]));	/* ours, p's */
	EXPECT_EQ(1, gch_test_refcount(self->h, p));

	/* p's referents, room for 8: the three stored and dropped */
	ASSERT_EQ(0, mprotect(l, 4096, PROT_READ | PROT_WRITE));
	for (i = 0; i < 8; i++)
		buf[i] = 0x5a5a;
	*l = (struct gcheap_list){
		.what = GCHEAP_LIST_REFERENTS, .ref = p,
		.buf = (uintptr_t)buf, .cap = 8,
	};
	ASSERT_EQ(0, mprotect(l, 4096, PROT_READ));
	EXPECT_EQ(-EFAULT, gch_test_ioctl(self->h, GCHEAP_IOC_LIST, l));
	EXPECT_EQ(0, l->count);
	for (i = 0, seen = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			seen += buf[i] == o[j];
	EXPECT_EQ(3, seen);
	for (i = 3; i < 8; i++)
		EXPECT_EQ(0x5a5a, buf[i]);	/* past the list: untouched */
	for (i = 0; i < 3; i++)
		EXPECT_EQ(2, gch_test_refcount(self->h, o[i]));
	EXPECT_EQ(1, gch_test_refcount(self->h, p));
	EXPECT_VERIFIED(self->h);

	/* the program holds its own references and no others */
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, gch_decref(self->h, o[i]));
		EXPECT_EQ(-EINVAL, gch_decref(self->h, o[i]));
	}
	EXPECT_EQ(5, gch_test_objects(self->h));	/* and the leaf */
	EXPECT_EQ(0, gch_decref(self->h, p));
	EXPECT_EQ(-ESTALE, gch_decref(self->h, p));
	EXPECT_EQ(0, gch_test_objects(self->h));
	munmap(l, 4096);
}

/*
 * A reader whose copy faults must not leave another reader asleep: reader
 * B stalls on a userfaultfd page in the middle of its copy, reader A
 * blocks, then B's page goes away and its copy fails.  A gets the event
 * (a reader still asleep after 15 s is woken by a signal: the test fails).
 */
struct uffd_reader {
	struct gch_heap *h;
	void *page;
	ssize_t ret;
	int err;
	volatile pid_t tid;
};

static void *faulting_read(void *arg)
{
	struct uffd_reader *r = arg;

	r->ret = read(gch_fd(r->h), r->page, sizeof(struct gch_event));
	r->err = errno;
	return NULL;
}

/* Reader A: a blocking read, which must end with the event. */
static void *blocking_read(void *arg)
{
	struct uffd_reader *r = arg;
	struct gch_event ev;

	r->tid = gettid();
	r->ret = read(gch_fd(r->h), &ev, sizeof(ev));
	r->err = errno;
	return NULL;
}

/* Wait (up to 10 s) until thread @tid sleeps. */
static void wait_asleep(volatile pid_t *tid)
{
	char path[64], stat[256], *state;
	ssize_t n;
	int i, fd;

	for (i = 0; i < 1000; i++, usleep(10000)) {
		if (!*tid)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", *tid);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return;
		n = read(fd, stat, sizeof(stat) - 1);
		close(fd);
		stat[n > 0 ? n : 0] = 0;
		state = strrchr(stat, ')');
		if (state && state[1] && state[2] == 'S')
			return;
	}
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int uffd_on(void *page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)page, .len = 4096 },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg)) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST_F(heap, faulting_reader_wakes_nobody_wrongly)
{
	struct gch_alloc_args fa = { .size = 8, .flags = GCH_ALLOC_FINALIZE };
	struct uffd_reader r = { .h = self->h }, a = { .h = self->h };
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct timespec deadline;
	struct uffd_msg msg;
	struct pollfd u;
	pthread_t t, ta;
	long long pending;
	gch_ref_t f;
	int uffd, stuck;

	r.page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r.page);
	uffd = uffd_on(r.page);
	if (uffd < 0)
		SKIP(return, "no userfaultfd");
	ASSERT_EQ(0, gch_alloc_ex(self->h, &fa, &f));
	ASSERT_EQ(0, gch_decref(self->h, f));	/* FINALIZE queued */
	ASSERT_EQ(0, pthread_create(&t, NULL, faulting_read, &r));
	u = (struct pollfd){ .fd = uffd, .events = POLLIN };
	ASSERT_EQ(1, poll(&u, 1, 30000));	/* B is stalled in its copy */
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	EXPECT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
	sigaction(SIGUSR1, &sa, NULL);		/* no SA_RESTART */
	ASSERT_EQ(0, pthread_create(&ta, NULL, blocking_read, &a));
	wait_asleep(&a.tid);			/* A blocks meanwhile */
	munmap(r.page, 4096);
	close(uffd);				/* B's copy fails */
	pthread_join(t, NULL);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EFAULT, r.err);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 15;
	stuck = pthread_timedjoin_np(ta, NULL, &deadline) != 0;
	if (stuck) {
		pthread_kill(ta, SIGUSR1);	/* left asleep: wake it */
		pthread_join(ta, NULL);
	}
	EXPECT_FALSE(stuck) TH_LOG("reader A was left asleep with the event queued");
	if (!stuck)
		EXPECT_EQ(sizeof(struct gch_event), a.ret) TH_LOG("errno %d", a.err);
	pending = gch_test_heap_stat(self->h, "pending_events");
	if (pending >= 0)
		EXPECT_EQ(0, pending);
}

/* Walks reschedule by the slots they visit, not only the objects. */
TEST_F(heap, walks_reschedule_by_work)
{
	long long y0, y1, y2;
	gch_ref_t r[64], buf[4];
	int i;

	if (gch_test_heap_stat(self->h, "objects") < 0)
		SKIP(return, "no debugfs");
	y0 = gch_test_heap_stat(self->h, "yields");
	ASSERT_LE(0, y0);
	ASSERT_EQ(0, gch_disable(self->h));
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, gch_alloc(self->h, 65536, 0, &r[i]));
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, gch_set_slot(self->h, r[i], 65535, r[(i + 1) % 64]));
	EXPECT_EQ(0, gch_collect(self->h, 0));
	y1 = gch_test_heap_stat(self->h, "yields");
	/*
	 * Two walks over 64 objects of 65536 slots: each object is more
	 * than GCH_RESCHED_WORK (4096) of work, a slice of its own, and
	 * every slice but the last (which ends the collection) yields.
	 */
	EXPECT_LE(y0 + 2 * 64 - 1, y1);
	EXPECT_EQ(1, gch_get_referrers(self->h, r[0], buf, 4));
	EXPECT_EQ(0, gch_decref(self->h, buf[0]));
	y2 = gch_test_heap_stat(self->h, "yields");
	EXPECT_LE(y1 + 64, y2);
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, gch_decref(self->h, r[i]));
	EXPECT_EQ(64, gch_collect(self->h, 2));
}

/* The state letter of a process (R, S, D, ...), or 0. */
static char proc_state(pid_t pid)
{
	char path[64], *s, *p;
	char c = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	s = gch_test_read_file(path);
	p = s ? strrchr(s, ')') : NULL;
	if (p && p[1] == ' ')
		c = p[2];
	free(s);
	return c;
}

/* Wait up to 60 s for a heap's collection to be in progress (or not). */
static int wait_phase(struct gch_heap *h, int running)
{
	int i;

	for (i = 0; i < 60000; i++) {
		if ((gch_test_heap_stat(h, "gc_phase") > 0) == running)
			return 0;
		usleep(1000);
	}
	return -1;
}

/*
 * A program waiting for another's collection to end (gch_collect() waits
 * for the pass in progress) can be killed at once: it does not wait out a
 * collection it does not drive.
 */
TEST_F_TIMEOUT(heap, killed_while_waiting_for_a_collection, 600)
{
	long slice = gch_test_read_long(PARAM "gc_slice_work");
	pid_t driver, waiter;
	gch_ref_t prev;
	char buf[32];
	int i, status;

	if (slice < 0 || gch_test_heap_stat(self->h, "gc_phase") < 0)
		SKIP(return, "no gc_slice_work or debugfs");
	ASSERT_EQ(0, gch_disable(self->h));
	prev = gch_test_chain(self->h, 200000);
	ASSERT_NE(0, prev);
	/* one object a slice: the pass takes seconds */
	ASSERT_EQ(0, gch_test_write_str(PARAM "gc_slice_work", "1"));
	driver = fork();
	if (!driver)
		_exit(gch_collect(self->h, 2) == 0 ? 0 : 1);
	EXPECT_EQ(0, wait_phase(self->h, 1));
	waiter = fork();
	if (!waiter)	/* waits for the driver's pass: killed meanwhile */
		_exit(gch_collect(self->h, 2) < 0 ? 3 : 2);
	for (i = 0; i < 10000 && proc_state(waiter) != 'D'; i++)
		usleep(1000);
	EXPECT_EQ('D', proc_state(waiter));
	kill(waiter, SIGKILL);
	EXPECT_EQ(waiter, waitpid(waiter, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_LT(0, gch_test_heap_stat(self->h, "gc_phase"));	/* goes on */
	snprintf(buf, sizeof(buf), "%ld", slice);
	EXPECT_EQ(0, gch_test_write_str(PARAM "gc_slice_work", buf));
	ASSERT_EQ(driver, waitpid(driver, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, gch_decref(self->h, prev));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

/* graph.dot shows at most graph_max_edges slot edges, and says so. */
TEST_F(heap, graph_dot_bounds_edges)
{
	long max = gch_test_read_long(PARAM "graph_max_edges");
	struct gch_batch *b = gch_batch_new(self->h, 4096);
	char *dot, *line, *end;
	long edges = 0, cut = 0;
	gch_ref_t big, t;
	int i, k;

	if (gch_test_heap_stat(self->h, "objects") < 0)
		SKIP(return, "no debugfs");
	ASSERT_LE(0, max) TH_LOG("no graph_max_edges parameter");
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, gch_alloc(self->h, 65536, 0, &big));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &t));
	for (k = 0; k < 16; k++) {
		gch_batch_reset(b);
		for (i = 0; i < 4096; i++)
			gch_batch_set_slot(b, big, k * 4096 + i, t);
		ASSERT_EQ(4096, gch_batch_submit(b));
	}
	dot = gch_test_heap_file(self->h, "graph.dot");
	ASSERT_NE(NULL, dot);
	for (line = strtok_r(dot, "\n", &end); line;
	     line = strtok_r(NULL, "\n", &end)) {
		edges += strstr(line, " -> ") != NULL;
		cut += strstr(line, "cut_edges") != NULL;
	}
	free(dot);
	EXPECT_EQ(max, edges);
	EXPECT_EQ(1, cut);
	gch_batch_free(b);
}

TEST_HARNESS_MAIN
