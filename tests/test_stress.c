// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: two processes sharing a heap, several threads each, a seeded
 * random mix of every operation (objects, slots, payloads, sealing, batches,
 * weakrefs, finalizers, explicit collections under automatic ones,
 * freeze, debugfs reads, side heaps opened and closed), an event reader
 * per process.  Each thread drops only what it holds.  The heap's
 * invariants are checked through debugfs <id>/verify during and after the
 * run; at the end everything is dropped and collected to zero objects, and
 * the slab gives all its objects back.  Collections run in slices of 16
 * objects and slots (gc_slice_work), so that most operations of the other
 * threads land inside one.
 *
 * GCH_STRESS_ITERS (per thread, default 3000), GCH_STRESS_THREADS (per
 * process, default 3) and GCH_STRESS_SEED (default 1) set the run.
 */
#include <pthread.h>
#include <sys/wait.h>

#include "gch_test.h"

#define HELD	48
#define SLICE_PARAM	"/sys/module/gcheap/parameters/gc_slice_work"

struct worker {
	struct gch_heap *h;
	uint64_t rng;
	long iters;
	gch_ref_t held[HELD];	/* references this thread holds (0: none) */
	int err;
};

static volatile int readers_stop;

static uint32_t wrnd(struct worker *w, uint32_t n)
{
	return gch_test_rand(&w->rng, n);
}

static gch_ref_t *slot_of(struct worker *w)
{
	return &w->held[wrnd(w, HELD)];
}

static void drop(struct worker *w, gch_ref_t *r)
{
	if (*r && gch_decref(w->h, *r))
		w->err = __LINE__;
	*r = 0;
}

static void keep(struct worker *w, gch_ref_t r)
{
	gch_ref_t *s = slot_of(w);

	drop(w, s);
	*s = r;
}

/* 0 when debugfs verify says ok or cannot be read (nothing to say), else -1. */
static int verify(struct gch_heap *h)
{
	char why[64];

	return gch_test_verify(h, why, sizeof(why)) < 0 ? -1 : 0;
}

static void op_batch(struct worker *w)
{
	struct gch_batch *b = gch_batch_new(w->h, 32);
	int i, idx[6], n = 0, mv;
	gch_ref_t r;

	if (!b)
		return;
	for (i = 0; i < 6; i++) {
		idx[i] = gch_batch_alloc(b, 2, 16);
		gch_batch_write(b, GCH_RESULT(idx[i]), 0, "stress", 6);
		n += 2;
		if (i) {
			gch_batch_set_slot(b, GCH_RESULT(idx[i]), 0,
					   GCH_RESULT(idx[i - 1]));
			n++;
		}
	}
	/* the last one's reference moves into a new object's slot */
	if (wrnd(w, 2))
		mv = gch_batch_alloc_move(b, 2, 8, GCH_RESULT(idx[5]), 0);
	else
		mv = gch_batch_alloc_sealed(b, 2, 8, GCH_RESULT(idx[5]), 0);
	gch_batch_peek_slot(b, GCH_RESULT(mv), 0);
	n += 2;
	if (gch_batch_submit(b) == n) {
		for (i = 0; i < 5; i++)
			if (!gch_batch_result(b, idx[i], &r))
				keep(w, r);
		if (!gch_batch_result(b, mv, &r))
			keep(w, r);
	}
	gch_batch_free(b);
}

static void one_op(struct worker *w)
{
	struct gch_alloc_args a = { .nslots = wrnd(w, 4), .size = wrnd(w, 40),
				    .tag = 1 + wrnd(w, 3) };
	gch_ref_t *s = slot_of(w), *t = slot_of(w), r;

	switch (wrnd(w, 14)) {
	case 0: case 1: case 2:
		if (!wrnd(w, 4))
			a.flags = GCH_ALLOC_FINALIZE;
		if (!gch_alloc_ex(w->h, &a, &r))
			keep(w, r);
		break;
	case 3: case 4:
		if (*s && *t)
			gch_set_slot(w->h, *s, wrnd(w, 4), wrnd(w, 4) ? *t : 0);
		break;
	case 5:
		if (*s && !gch_get_slot(w->h, *s, wrnd(w, 4), &r) && r)
			keep(w, r);
		break;
	case 6:
		drop(w, s);
		break;
	case 7:
		if (*s && !gch_weakref(w->h, *s, wrnd(w, 2), 5, &r))
			keep(w, r);
		break;
	case 8:
		if (*s && !gch_weakref_get(w->h, *s, &r) && r)
			keep(w, r);
		break;
	case 9:
		if (*s)
			gch_write(w->h, *s, 0, "xy", 2);
		if (*s && !wrnd(w, 8))
			gch_seal(w->h, *s);	/* its slots are set no more */
		break;
	case 10:
		op_batch(w);
		break;
	case 11:
		gch_collect(w->h, wrnd(w, 3));
		break;
	case 12:
		if (!wrnd(w, 50)) {
			gch_freeze(w->h);
			gch_unfreeze(w->h);
		}
		break;
	default: {
		struct gch_heap *side = gch_open(NULL);

		if (side && !gch_alloc(side, 1, 8, &r))
			gch_set_slot(side, r, 0, r);
		gch_close(side);	/* with a cycle in it */
	}
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	long i;
	int j;

	for (i = 0; i < w->iters && !w->err; i++) {
		one_op(w);
		if (!(i % 1000) && verify(w->h))
			w->err = __LINE__;
		if (!(i % 200))
			free(gch_test_read_file(GCH_TEST_DEBUGFS "/stats"));
	}
	for (j = 0; j < HELD; j++)
		drop(w, &w->held[j]);
	return NULL;
}

/* Whoever reads an event owns the reference it carries. */
static void *read_events(void *arg)
{
	struct gch_heap *h = arg;
	struct gch_event ev;
	int ret;

	for (;;) {
		ret = gch_next_event(h, &ev, 50);
		if (ret == 1 && ev.ref)
			gch_decref(h, ev.ref);
		if (ret == 0 && readers_stop)
			break;
	}
	return NULL;
}

/* One process: its threads and its reader.  Return: 0 or a line number. */
static int run_process(struct gch_heap *h, uint64_t seed, int nthreads,
		       long iters)
{
	struct worker w[8];
	pthread_t t[8], reader;
	int i, err = 0;

	readers_stop = 0;
	pthread_create(&reader, NULL, read_events, h);
	for (i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ .h = h, .iters = iters,
					.rng = seed * 2654435761ULL + i + 1 };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		if (w[i].err && !err)
			err = w[i].err;
	}
	readers_stop = 1;
	pthread_join(reader, NULL);
	return err;
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v ? strtol(v, NULL, 0) : dflt;
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, two_processes_many_threads, 1800)
{
	long iters = env_long("GCH_STRESS_ITERS", 3000);
	int nthreads = env_long("GCH_STRESS_THREADS", 3);
	uint64_t seed = env_long("GCH_STRESS_SEED", 1);
	long long slab_before = gch_test_slab_objects();
	long slice = gch_test_read_long(SLICE_PARAM);
	struct gch_config cfg = { .threshold = { 200, 5, 5 } };
	struct gch_event ev;
	struct gch_stats st;
	struct gch_heap *h;
	int status, round, err;
	char old[32];
	pid_t pid;

	if (nthreads > 8)
		nthreads = 8;
	TH_LOG("seed %llu, 2 processes x %d threads x %ld operations",
	       (unsigned long long)seed, nthreads, iters);
	if (slice > 0)
		ASSERT_EQ(0, gch_test_write_str(SLICE_PARAM, "16"));
	h = gch_open(&cfg);
	ASSERT_NE(NULL, h);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(run_process(h, seed + 1000, nthreads, iters) ? 1 : 0);
	err = run_process(h, seed, nthreads, iters);
	EXPECT_EQ(0, err) TH_LOG("worker failed at line %d", err);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, verify(h));
	/* All dropped: finalizers run (their events read), then nothing stays. */
	for (round = 0; round < 100; round++) {
		gch_collect(h, 2);
		while (gch_next_event(h, &ev, 0) == 1)
			if (ev.ref)
				gch_decref(h, ev.ref);
		ASSERT_EQ(0, gch_get_stats(h, &st));
		if (!st.objects && !st.pending_events)
			break;
	}
	EXPECT_EQ(0, st.objects);
	EXPECT_EQ(0, st.weakrefs);
	EXPECT_EQ(0, st.pending_events);
	EXPECT_EQ(0, verify(h));
	gch_close(h);
	snprintf(old, sizeof(old), "%ld", slice);
	if (slice > 0)
		EXPECT_EQ(0, gch_test_write_str(SLICE_PARAM, old));
	if (slab_before >= 0)
		EXPECT_EQ(slab_before, gch_test_slab_objects());
}

TEST_HARNESS_MAIN
