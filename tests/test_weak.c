// SPDX-License-Identifier: GPL-2.0
/*
 * Weak references, finalizers (PEP 442) and the event channel: read(2),
 * poll(2) and gch_next_event().
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "gch_test.h"

static gch_ref_t fin_obj(struct gch_heap *h, uint32_t nslots, uint64_t cookie)
{
	struct gch_alloc_args a = {
		.nslots = nslots, .size = 8, .flags = GCH_ALLOC_FINALIZE,
		.cookie = cookie,
	};
	gch_ref_t r = 0;

	return gch_alloc_ex(h, &a, &r) ? 0 : r;
}

static gch_ref_t plain(struct gch_heap *h, uint32_t nslots)
{
	gch_ref_t r = 0;

	return gch_alloc(h, nslots, 8, &r) ? 0 : r;
}

static long long stat_of(struct gch_heap *h, int which)
{
	struct gch_stats st;

	if (gch_get_stats(h, &st))
		return -1;
	return which ? (long long)st.pending_events : (long long)st.weakrefs;
}

#define WEAKREFS(h)	stat_of(h, 0)
#define PENDING(h)	stat_of(h, 1)

TEST_F(heap, weakref_does_not_keep_alive)
{
	gch_ref_t a = plain(self->h, 0), w = 0, got = 0;
	struct gch_event ev;

	ASSERT_EQ(0, gch_weakref(self->h, a, GCH_WEAK_NOTIFY, 7, &w));
	EXPECT_NE(0, w);
	EXPECT_NE(a, w);
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	EXPECT_EQ(1, WEAKREFS(self->h));
	ASSERT_EQ(0, gch_weakref_get(self->h, w, &got));
	EXPECT_EQ(a, got);
	EXPECT_EQ(2, gch_test_refcount(self->h, a));
	gch_decref(self->h, got);
	EXPECT_EQ(0, PENDING(self->h));
	ASSERT_EQ(0, gch_decref(self->h, a));		/* dies by refcount */
	EXPECT_EQ(0, gch_test_objects(self->h));
	ASSERT_EQ(0, gch_weakref_get(self->h, w, &got));
	EXPECT_EQ(0, got);
	EXPECT_EQ(1, PENDING(self->h));
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(GCH_EV_WEAKREF, ev.type);
	EXPECT_EQ(7, ev.cookie);
	EXPECT_EQ(w, ev.ref);
	EXPECT_EQ(0, PENDING(self->h));
	EXPECT_EQ(0, gch_next_event(self->h, &ev, 0));
	/* The event handed over a reference to the weakref: two to drop. */
	EXPECT_EQ(0, gch_decref(self->h, w));
	EXPECT_EQ(1, WEAKREFS(self->h));
	EXPECT_EQ(0, gch_decref(self->h, w));
	EXPECT_EQ(0, WEAKREFS(self->h));
	EXPECT_EQ(-ESTALE, gch_decref(self->h, w));
}

TEST_F(heap, weakref_cleared_by_collection)
{
	gch_ref_t a = plain(self->h, 1), b = plain(self->h, 1), w, got = 1;
	struct gch_event ev;

	gch_set_slot(self->h, a, 0, b);
	gch_set_slot(self->h, b, 0, a);
	ASSERT_EQ(0, gch_weakref(self->h, b, GCH_WEAK_NOTIFY, 11, &w));
	gch_decref(self->h, a);
	gch_decref(self->h, b);
	EXPECT_EQ(0, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(2, gch_collect(self->h, 0));
	ASSERT_EQ(0, gch_weakref_get(self->h, w, &got));
	EXPECT_EQ(0, got);
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(GCH_EV_WEAKREF, ev.type);
	EXPECT_EQ(11, ev.cookie);
	EXPECT_EQ(w, ev.ref);
	gch_decref(self->h, w);
	gch_decref(self->h, w);
	EXPECT_EQ(0, WEAKREFS(self->h));
}

TEST_F(heap, weakref_without_notify_or_masked)
{
	gch_ref_t a = plain(self->h, 0), b = plain(self->h, 0), w1, w2, w3;
	struct gch_event ev;

	ASSERT_EQ(0, gch_weakref(self->h, a, 0, 1, &w1));
	ASSERT_EQ(0, gch_weakref(self->h, a, GCH_WEAK_NOTIFY, 2, &w2));
	ASSERT_EQ(0, gch_weakref(self->h, b, GCH_WEAK_NOTIFY, 3, &w3));
	ASSERT_EQ(0, gch_set_event_mask(self->h, GCH_EV_FINALIZE));
	gch_decref(self->h, b);
	EXPECT_EQ(0, gch_next_event(self->h, &ev, 0));
	ASSERT_EQ(0, gch_set_event_mask(self->h, GCH_EV_DEFAULT));
	gch_decref(self->h, a);
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(2, ev.cookie);
	EXPECT_EQ(0, gch_next_event(self->h, &ev, 0));
	gch_decref(self->h, w1);
	gch_decref(self->h, w2);
	gch_decref(self->h, w2);
	gch_decref(self->h, w3);
	EXPECT_EQ(0, WEAKREFS(self->h));
}

TEST_F(heap, many_weakrefs_to_one_object)
{
	gch_ref_t a = plain(self->h, 0), w[5], got;
	struct gch_event ev;
	int i, n = 0;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, gch_weakref(self->h, a, GCH_WEAK_NOTIFY, i, &w[i]));
	gch_decref(self->h, w[2]);	/* one dropped while the object lives */
	ASSERT_EQ(0, gch_weakref_get(self->h, w[4], &got));
	EXPECT_EQ(a, got);
	gch_decref(self->h, got);
	gch_decref(self->h, a);
	while (gch_next_event(self->h, &ev, 0) == 1) {
		EXPECT_NE(2, ev.cookie);
		EXPECT_EQ(w[ev.cookie], ev.ref);
		gch_decref(self->h, ev.ref);
		n++;
	}
	EXPECT_EQ(4, n);
	for (i = 0; i < 5; i++)
		if (i != 2)
			EXPECT_EQ(0, gch_decref(self->h, w[i]));
	EXPECT_EQ(0, WEAKREFS(self->h));
}

TEST_F(heap, refs_of_the_wrong_kind)
{
	gch_ref_t a = plain(self->h, 1), w, got;
	struct gch_obj_info in;
	char c;

	ASSERT_EQ(0, gch_weakref(self->h, a, 0, 0, &w));
	EXPECT_EQ(-ESTALE, gch_info(self->h, w, &in));
	EXPECT_EQ(-ESTALE, gch_set_slot(self->h, a, 0, w));
	EXPECT_EQ(-ESTALE, gch_set_slot(self->h, w, 0, a));
	EXPECT_EQ(-ESTALE, gch_read(self->h, w, 0, &c, 1));
	EXPECT_EQ(-ESTALE, gch_weakref(self->h, w, 0, 0, &got));
	EXPECT_EQ(-ESTALE, gch_weakref_get(self->h, a, &got));
	EXPECT_EQ(-EINVAL, gch_weakref(self->h, a, 1U << 4, 0, &got));
	EXPECT_EQ(1, gch_test_refcount(self->h, a));
	gch_decref(self->h, w);
	gch_decref(self->h, a);
}

TEST(weakrefs_count_against_the_limit)
{
	struct gch_config cfg = { .max_objects = 2 };
	struct gch_heap *h = gch_open(&cfg);
	gch_ref_t a, w, b;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_alloc(h, 0, 0, &a));
	ASSERT_EQ(0, gch_weakref(h, a, 0, 0, &w));
	EXPECT_EQ(-EDQUOT, gch_alloc(h, 0, 0, &b));
	EXPECT_EQ(-EDQUOT, gch_weakref(h, a, 0, 0, &b));
	gch_decref(h, w);
	EXPECT_EQ(0, gch_weakref(h, a, 0, 0, &w));
	gch_close(h);
}

TEST_F(heap, finalizer_by_refcount)
{
	gch_ref_t a = fin_obj(self->h, 1, 9), b = plain(self->h, 0);
	struct gch_obj_info in;
	struct gch_event ev;

	ASSERT_EQ(0, gch_info(self->h, a, &in));
	EXPECT_EQ(GCH_OBJ_FINALIZABLE, in.flags);
	gch_set_slot(self->h, a, 0, b);
	gch_decref(self->h, b);
	ASSERT_EQ(0, gch_decref(self->h, a));
	EXPECT_EQ(2, gch_test_objects(self->h));	/* a keeps b too */
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(GCH_EV_FINALIZE, ev.type);
	EXPECT_EQ(9, ev.cookie);
	EXPECT_EQ(a, ev.ref);
	ASSERT_EQ(0, gch_info(self->h, a, &in));
	EXPECT_EQ(GCH_OBJ_FINALIZABLE | GCH_OBJ_FINALIZED, in.flags);
	EXPECT_EQ(1, in.refcount);
	ASSERT_EQ(0, gch_decref(self->h, ev.ref));	/* never finalized twice */
	EXPECT_EQ(0, gch_test_objects(self->h));
	EXPECT_EQ(0, gch_next_event(self->h, &ev, 0));
}

/* One collection: every WEAKREF event before any FINALIZE event. */
TEST_F(heap, weakrefs_cleared_before_finalizers)
{
	gch_ref_t a = fin_obj(self->h, 1, 1), b = plain(self->h, 1);
	gch_ref_t wa, wb, got;
	struct gch_event ev[3];
	struct gch_stats st;

	gch_set_slot(self->h, a, 0, b);
	gch_set_slot(self->h, b, 0, a);
	ASSERT_EQ(0, gch_weakref(self->h, a, GCH_WEAK_NOTIFY, 100, &wa));
	ASSERT_EQ(0, gch_weakref(self->h, b, GCH_WEAK_NOTIFY, 200, &wb));
	gch_decref(self->h, a);
	gch_decref(self->h, b);
	EXPECT_EQ(2, gch_collect(self->h, 0));
	EXPECT_EQ(2, gch_test_objects(self->h));	/* kept by the event */
	ASSERT_EQ(0, gch_get_stats(self->h, &st));
	EXPECT_EQ(0, st.gen[0].collected);
	EXPECT_EQ(2, st.gen[0].uncollectable);
	EXPECT_EQ(3, st.pending_events);
	ASSERT_EQ(3 * (ssize_t)sizeof(ev[0]),
		  read(gch_fd(self->h), ev, sizeof(ev)));
	EXPECT_EQ(GCH_EV_WEAKREF, ev[0].type);
	EXPECT_EQ(GCH_EV_WEAKREF, ev[1].type);
	EXPECT_EQ(GCH_EV_FINALIZE, ev[2].type);
	EXPECT_EQ(a, ev[2].ref);
	ASSERT_EQ(0, gch_weakref_get(self->h, wa, &got));
	EXPECT_EQ(0, got);				/* cleared, not revived */
	gch_decref(self->h, ev[2].ref);
	EXPECT_EQ(2, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
	EXPECT_EQ(0, PENDING(self->h));			/* no second FINALIZE */
	gch_decref(self->h, wa);
	gch_decref(self->h, wa);
	gch_decref(self->h, wb);
	gch_decref(self->h, wb);
	EXPECT_EQ(0, WEAKREFS(self->h));
}

/* The finalizer stores its object: it survives, and dies later, once. */
TEST_F(heap, finalizer_resurrects_its_cycle)
{
	gch_ref_t a = fin_obj(self->h, 1, 5), b = plain(self->h, 1);
	gch_ref_t keeper = plain(self->h, 1);
	struct gch_event ev;

	gch_set_slot(self->h, a, 0, b);
	gch_set_slot(self->h, b, 0, a);
	gch_decref(self->h, a);
	gch_decref(self->h, b);
	EXPECT_EQ(2, gch_collect(self->h, 2));
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	ASSERT_EQ(GCH_EV_FINALIZE, ev.type);
	ASSERT_EQ(0, gch_set_slot(self->h, keeper, 0, ev.ref));	/* resurrect */
	ASSERT_EQ(0, gch_decref(self->h, ev.ref));
	EXPECT_EQ(0, gch_collect(self->h, 2));
	EXPECT_EQ(3, gch_test_objects(self->h));
	EXPECT_EQ(0, gch_next_event(self->h, &ev, 0));
	ASSERT_EQ(0, gch_set_slot(self->h, keeper, 0, 0));	/* and drop */
	EXPECT_EQ(2, gch_collect(self->h, 2));
	EXPECT_EQ(1, gch_test_objects(self->h));
	EXPECT_EQ(0, gch_next_event(self->h, &ev, 0));
	gch_decref(self->h, keeper);
}

/* Garbage that only a finalizer's object points at stays with it. */
TEST_F(heap, finalizer_keeps_what_it_reaches)
{
	gch_ref_t a = fin_obj(self->h, 1, 0), b = plain(self->h, 1);
	gch_ref_t c = plain(self->h, 1);
	struct gch_event ev;

	gch_set_slot(self->h, a, 0, b);		/* a -> b <-> c */
	gch_set_slot(self->h, b, 0, c);
	gch_set_slot(self->h, c, 0, b);
	gch_decref(self->h, b);
	gch_decref(self->h, c);
	gch_decref(self->h, a);			/* a finalized by refcount */
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(0, gch_collect(self->h, 2));	/* b, c reachable from a */
	EXPECT_EQ(3, gch_test_objects(self->h));
	gch_decref(self->h, ev.ref);		/* a freed, b <-> c left */
	EXPECT_EQ(2, gch_test_objects(self->h));
	EXPECT_EQ(2, gch_collect(self->h, 2));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_F_TIMEOUT(heap, finalizable_chain_of_100000, 900)
{
	gch_ref_t head = fin_obj(self->h, 1, 0), prev = head, cur;
	struct gch_event ev;
	long events = 0;
	int i;

	ASSERT_NE(0, head);
	for (i = 1; i < 100000; i++) {
		cur = fin_obj(self->h, 1, i);
		ASSERT_NE(0, cur);
		ASSERT_EQ(0, gch_set_slot(self->h, prev, 0, cur));
		if (prev != head)
			gch_decref(self->h, prev);
		prev = cur;
	}
	gch_decref(self->h, prev);
	ASSERT_EQ(0, gch_decref(self->h, head));
	while (gch_next_event(self->h, &ev, 0) == 1) {
		ASSERT_EQ(GCH_EV_FINALIZE, ev.type);
		ASSERT_EQ((uint64_t)events, ev.cookie);
		events++;
		ASSERT_EQ(0, gch_decref(self->h, ev.ref));
	}
	EXPECT_EQ(100000, events);
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST(unread_events_closed_with_the_heap)
{
	long long before = gch_test_slab_objects(), after;
	struct gch_heap *h = gch_open(NULL);
	gch_ref_t a, w;
	int i;

	ASSERT_NE(NULL, h);
	for (i = 0; i < 1000; i++) {
		a = fin_obj(h, 1, i);
		ASSERT_EQ(0, gch_set_slot(h, a, 0, a));
		ASSERT_EQ(0, gch_weakref(h, a, GCH_WEAK_NOTIFY, i, &w));
		gch_decref(h, a);
	}
	gch_collect(h, 2);
	EXPECT_EQ(2000, PENDING(h));
	gch_close(h);
	after = gch_test_slab_objects();
	if (before >= 0)
		EXPECT_EQ(before, after);
}

TEST_F(heap, read_rules)
{
	struct gch_event ev[2];
	char small[8];
	void *ro;
	int fl = fcntl(gch_fd(self->h), F_GETFL);

	EXPECT_EQ(-1, read(gch_fd(self->h), small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, fcntl(gch_fd(self->h), F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-1, read(gch_fd(self->h), ev, sizeof(ev)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(gch_fd(self->h), F_SETFL, fl));
	EXPECT_EQ(0, gch_next_event(self->h, ev, 50));
	/* a read-only buffer loses nothing */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	gch_decref(self->h, fin_obj(self->h, 0, 3));
	EXPECT_EQ(-1, read(gch_fd(self->h), ro, sizeof(ev)));
	munmap(ro, 4096);
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, PENDING(self->h));
	EXPECT_EQ((ssize_t)sizeof(ev[0]),
		  read(gch_fd(self->h), ev, sizeof(ev[0]) + 7));
	EXPECT_EQ(3, ev[0].cookie);
	gch_decref(self->h, ev[0].ref);
}

/* GCHEAP_IOC_EVENTS: -errno, or how many events it took. */
static int take_events(struct gch_heap *h, void *buf, uint32_t cap,
		       uint32_t flags)
{
	struct gcheap_events a = {
		.buf = (uintptr_t)buf, .cap = cap, .flags = flags,
	};
	int n = ioctl(gch_fd(h), GCHEAP_IOC_EVENTS, &a);

	return n < 0 ? -errno : n;
}

TEST_F(heap, events_ioctl_rules)
{
	struct gch_event ev[3];
	char *page;
	int i;

	EXPECT_EQ(0, take_events(self->h, ev, 3, 0));	/* none: no wait */
	EXPECT_EQ(-EINVAL, take_events(self->h, ev, 0, 0));
	EXPECT_EQ(-EINVAL, take_events(self->h, ev, 3, 1));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, gch_decref(self->h, fin_obj(self->h, 0, 10 + i)));
	EXPECT_EQ(-EINVAL, take_events(self->h, ev, 0, 0));
	EXPECT_EQ(-EINVAL, take_events(self->h, ev, 3, 1 << 31));
	EXPECT_EQ(2, PENDING(self->h));
	/* a buffer with room for one event before an unmapped page */
	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap(page + 4096, 4096));
	EXPECT_EQ(-EFAULT, take_events(self->h, page + 4096, 2, 0));
	EXPECT_EQ(2, PENDING(self->h));		/* lost nothing */
	EXPECT_EQ(1, take_events(self->h, page + 4096 - sizeof(ev[0]), 2, 0));
	memcpy(ev, page + 4096 - sizeof(ev[0]), sizeof(ev[0]));
	munmap(page, 4096);
	EXPECT_EQ(GCH_EV_FINALIZE, ev[0].type);
	EXPECT_EQ(10, ev[0].cookie);
	EXPECT_EQ(1, PENDING(self->h));
	EXPECT_EQ(1, take_events(self->h, &ev[1], 3, 0));
	EXPECT_EQ(11, ev[1].cookie);
	EXPECT_EQ(0, take_events(self->h, ev, 3, 0));
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, gch_decref(self->h, ev[i].ref));	/* handed over */
	EXPECT_EQ(0, gch_test_objects(self->h));
}

struct collector {
	struct gch_heap *h;
	int passes;	/* __atomic */
	int stop;	/* __atomic */
};

static void *collect_until_stopped(void *arg)
{
	struct collector *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		if (gch_collect(c->h, 2) < 0)
			break;
		__atomic_add_fetch(&c->passes, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * A program draining the queue with timeout 0 gets every queued event
 * while full collections run on another thread (they hold the heap's lock
 * a slice at a time: a drain that gave up on a busy heap stopped early).
 */
TEST_F_TIMEOUT(heap, drain_while_collections_run, 600)
{
	struct collector c = { .h = self->h };
	gch_ref_t prev, refs[500];
	struct gch_event ev;
	int i, got = 0;
	pthread_t t;

	ASSERT_EQ(0, gch_disable(self->h));
	prev = gch_test_chain(self->h, 100000);	/* live: the passes walk it */
	ASSERT_NE(0, prev);
	for (i = 0; i < 500; i++)
		ASSERT_EQ(0, gch_decref(self->h, fin_obj(self->h, 0, i)));
	ASSERT_EQ(500, PENDING(self->h));
	ASSERT_EQ(0, pthread_create(&t, NULL, collect_until_stopped, &c));
	while (!__atomic_load_n(&c.passes, __ATOMIC_RELAXED))
		usleep(1000);
	/* nothing else between the reads: each one meets a busy heap */
	while (got < 500 && gch_next_event(self->h, &ev, 0) == 1) {
		EXPECT_EQ(got, ev.cookie);
		refs[got++] = ev.ref;
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	EXPECT_EQ(500, got);
	EXPECT_EQ(0, PENDING(self->h));
	for (i = 0; i < got; i++)
		EXPECT_EQ(0, gch_decref(self->h, refs[i]));
	EXPECT_EQ(0, gch_decref(self->h, prev));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F(heap, blocking_read_interrupted_by_a_signal)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct gch_event ev;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_EQ(-1, read(gch_fd(self->h), &ev, sizeof(ev)));
	EXPECT_EQ(EINTR, errno);
}

TEST_F(heap, collect_events)
{
	struct gch_event ev;
	gch_ref_t a = plain(self->h, 1);

	ASSERT_EQ(0, gch_set_event_mask(self->h, GCH_EV_DEFAULT | GCH_EV_COLLECT));
	gch_set_slot(self->h, a, 0, a);
	gch_decref(self->h, a);
	EXPECT_EQ(1, gch_collect(self->h, 1));
	ASSERT_EQ(1, gch_next_event(self->h, &ev, 0));
	EXPECT_EQ(GCH_EV_COLLECT, ev.type);
	EXPECT_EQ(1, ev.generation);
	EXPECT_EQ(1, ev.collected);
	EXPECT_EQ(0, ev.uncollectable);
	EXPECT_EQ(0, ev.ref);
}

struct reader {
	struct gch_heap *h;
	int want;
	int got;
};

static void *read_events(void *arg)
{
	struct reader *r = arg;
	struct gch_event ev;

	while (r->got < r->want && gch_next_event(r->h, &ev, 20000) == 1) {
		if (ev.type != GCH_EV_FINALIZE || gch_decref(r->h, ev.ref))
			break;
		r->got++;
	}
	return NULL;
}

TEST_F(heap, events_read_by_another_thread)
{
	struct reader r = { .h = self->h, .want = 2000 };
	pthread_t t;
	int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, read_events, &r));
	for (i = 0; i < 2000; i++)
		ASSERT_EQ(0, gch_decref(self->h, fin_obj(self->h, 0, i)));
	pthread_join(t, NULL);
	EXPECT_EQ(2000, r.got);
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_F(heap, poll_from_another_process)
{
	struct pollfd pfd = { .fd = gch_fd(self->h), .events = POLLIN };
	int status, p[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct gch_event ev;

		c = 1;
		if (write(p[1], &c, 1) != 1)
			_exit(3);
		if (poll(&pfd, 1, 30000) != 1 || !(pfd.revents & POLLIN))
			_exit(1);
		if (read(pfd.fd, &ev, sizeof(ev)) != sizeof(ev) ||
		    ev.type != GCH_EV_FINALIZE || ev.cookie != 42)
			_exit(2);
		_exit(gch_decref(self->h, ev.ref) ? 4 : 0);
	}
	ASSERT_EQ(1, read(p[0], &c, 1));
	usleep(100000);
	gch_decref(self->h, fin_obj(self->h, 0, 42));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, gch_test_objects(self->h));
}

TEST_HARNESS_MAIN
