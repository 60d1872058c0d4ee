// SPDX-License-Identifier: GPL-2.0
/*
 * A randomized differential test of the collector: random graphs (objects,
 * slot edges, program references dropped at random), collected by the
 * kernel, compared with a reachability computation done here from the
 * test's own record of the graph.  Partial (young) collections in between
 * must never free a reachable object; a full one must leave exactly the
 * reachable set, with exact refcounts.  Every mismatch names its seed.
 *
 * The concurrent test runs the same random steps in three mutators at once
 * (two threads and a forked process, each on its own graph in one shared
 * heap) while a thread runs full collections back to back, in slices of a
 * few objects (gc_slice_work), so that the steps land inside passes.  Its
 * model checks both halves of what a collection beside the program
 * promises: every step on a reachable object succeeds and every object
 * reachable when looked at is alive (nothing reachable at any instant is
 * freed); every object unreachable at some point is gone once a full pass
 * that began after that point has ended (garbage nobody can touch is
 * freed by the next pass).
 *
 * GCH_SEEDS=N sets the number of seeds (default 2000), GCH_SEED=S runs one;
 * GCH_CSEEDS and GCH_CSEED do the same for the concurrent test.
 */
#include <pthread.h>
#include <sys/wait.h>

#include "gch_test.h"

#define MAXN	64
#define MAXS	4

struct model {
	int n;
	gch_ref_t ref[MAXN];
	uint32_t nslots[MAXN];
	int slot[MAXN][MAXS];	/* target index or -1 */
	int held[MAXN];		/* program references */
	int dead[MAXN];		/* unreachable once: must be freed */
	uint64_t rng;		/* gch_test_rand's state, never 0 */
};

static uint32_t rnd(struct model *m, uint32_t n)
{
	return gch_test_rand(&m->rng, n);
}

/* The generator's state for seed @seed, mutator @k. */
static uint64_t seed_rng(uint32_t seed, int k)
{
	return (seed + ((uint64_t)k << 32)) * 0x9e3779b97f4a7c15ULL + 1;
}

/* Reachable from held objects, through slots: the model's answer. */
static void reachable(const struct model *m, int *mark)
{
	int stack[MAXN * (MAXS + 1)], sp = 0, i, s;

	memset(mark, 0, sizeof(int) * MAXN);
	for (i = 0; i < m->n; i++)
		if (m->held[i] && !mark[i]) {
			mark[i] = 1;
			stack[sp++] = i;
		}
	while (sp) {
		i = stack[--sp];
		for (s = 0; s < (int)m->nslots[i]; s++) {
			int t = m->slot[i][s];

			if (t >= 0 && !mark[t]) {
				mark[t] = 1;
				stack[sp++] = t;
			}
		}
	}
}

/* One random step on heap and model; 0 or -1 when the kernel disagreed. */
static int step(struct gch_heap *h, struct model *m)
{
	int i = rnd(m, m->n), t = rnd(m, m->n), s;

	switch (rnd(m, 4)) {
	case 0:	/* set a slot, or clear it */
		if (!m->held[i] || !m->nslots[i])
			return 0;
		s = rnd(m, m->nslots[i]);
		if (rnd(m, 4) == 0 || !m->held[t]) {
			m->slot[i][s] = -1;
			return gch_set_slot(h, m->ref[i], s, 0) ? -1 : 0;
		}
		m->slot[i][s] = t;
		return gch_set_slot(h, m->ref[i], s, m->ref[t]) ? -1 : 0;
	case 1:	/* drop a program reference */
		if (!m->held[i])
			return 0;
		m->held[i]--;
		return gch_decref(h, m->ref[i]) ? -1 : 0;
	case 2:	/* take another */
		if (!m->held[i] || m->held[i] > 2)
			return 0;
		m->held[i]++;
		return gch_incref(h, m->ref[i]) ? -1 : 0;
	default:
		return 0;
	}
}

static int build(struct gch_heap *h, struct model *m, uint64_t rng, int maxn)
{
	int i, s;

	memset(m, 0, sizeof(*m));
	m->rng = rng;
	m->n = 1 + rnd(m, maxn);
	for (i = 0; i < m->n; i++) {
		m->nslots[i] = rnd(m, MAXS + 1);
		if (gch_alloc(h, m->nslots[i], rnd(m, 3) * 8, &m->ref[i]))
			return -1;
		m->held[i] = 1;
		for (s = 0; s < MAXS; s++)
			m->slot[i][s] = -1;
	}
	return 0;
}

/*
 * Compare the kernel with the model: every reachable object alive with the
 * refcount the model predicts; when @full, every other object gone, and
 * when @full and @alone (the heap holds this model's objects only), as
 * many objects in the heap as the model has.
 */
static int compare(struct gch_heap *h, struct model *m, int full, int alone,
		   char *why, size_t len)
{
	int mark[MAXN], refs[MAXN] = { 0 }, i, s, live = 0;
	struct gch_obj_info in;

	reachable(m, mark);
	for (i = 0; i < m->n; i++)
		for (s = 0; s < (int)m->nslots[i]; s++)
			if (mark[i] && m->slot[i][s] >= 0)
				refs[m->slot[i][s]]++;
	for (i = 0; i < m->n; i++) {
		int ret = gch_info(h, m->ref[i], &in);

		if (mark[i] && ret) {
			snprintf(why, len, "object %d reachable but %d", i, ret);
			return -1;
		}
		/* After a young run, unreachable old objects may still hold refs. */
		if (mark[i] && (full ? in.refcount != (uint64_t)(m->held[i] + refs[i])
				     : in.refcount < (uint64_t)(m->held[i] + refs[i]))) {
			snprintf(why, len, "object %d refcount %llu, model %d",
				 i, (unsigned long long)in.refcount,
				 m->held[i] + refs[i]);
			return -1;
		}
		if (full && !mark[i] && ret != -ESTALE) {
			snprintf(why, len, "object %d unreachable but alive", i);
			return -1;
		}
		live += mark[i];
	}
	if (full && alone && gch_test_objects(h) != live) {
		snprintf(why, len, "%lld objects, model %d",
			 gch_test_objects(h), live);
		return -1;
	}
	return 0;
}

static int one_seed(uint32_t seed, char *why, size_t len)
{
	struct gch_heap *h = gch_open(NULL);
	struct model m;
	int i, steps, ret = -1;

	if (!h) {
		snprintf(why, len, "gch_open: %s", strerror(errno));
		return -1;
	}
	gch_disable(h);
	if (build(h, &m, seed_rng(seed, 0), MAXN)) {
		snprintf(why, len, "allocation failed");
		goto out;
	}
	steps = m.n * 4;
	for (i = 0; i < steps; i++) {
		if (step(h, &m)) {
			snprintf(why, len, "step %d failed", i);
			goto out;
		}
		if (rnd(&m, 16) == 0) {
			gch_collect(h, rnd(&m, 2));
			if (compare(h, &m, 0, 0, why, len))
				goto out;
		}
	}
	if (gch_collect(h, 2) < 0) {
		snprintf(why, len, "collect failed");
		goto out;
	}
	ret = compare(h, &m, 1, 1, why, len);
out:
	gch_close(h);
	return ret;
}

FIXTURE(seeds) {
	int unused;
};

FIXTURE_SETUP(seeds)
{
}

FIXTURE_TEARDOWN(seeds)
{
}

TEST_F_TIMEOUT(seeds, random_graphs_match_the_model, 1800)
{
	const char *one = getenv("GCH_SEED"), *n = getenv("GCH_SEEDS");
	uint32_t first = one ? strtoul(one, NULL, 0) : 0;
	uint32_t count = one ? 1 : n ? strtoul(n, NULL, 0) : 2000;
	uint32_t seed, bad = 0;
	char why[128];

	for (seed = first; seed < first + count; seed++) {
		if (one_seed(seed, why, sizeof(why))) {
			TH_LOG("seed %u: %s (rerun: GCH_SEED=%u)", seed, why,
			       seed);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
}

/* ---- the same steps while full collections run ---- */

#define CMAXN		24	/* objects of each concurrent mutator's graph */
#define SLICE_PARAM	"/sys/module/gcheap/parameters/gc_slice_work"

static uint64_t full_passes(struct gch_heap *h)
{
	struct gch_stats st;

	return gch_get_stats(h, &st) ? 0 : st.gen[2].collections;
}

/* Objects unreachable now become due: the next full pass must free them. */
static int note_unreachable(struct model *m, int *due)
{
	int mark[MAXN], i, n = 0;

	reachable(m, mark);
	for (i = 0; i < m->n; i++) {
		if (!mark[i] && !m->dead[i]) {
			m->dead[i] = 1;
			due[n++] = i;
		}
	}
	return n;
}

static int check_gone(struct gch_heap *h, struct model *m, const int *due,
		      int n, char *why, size_t len)
{
	struct gch_obj_info in;
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = gch_info(h, m->ref[due[i]], &in);
		if (ret != -ESTALE) {
			snprintf(why, len, "object %d unreachable two passes ago but %s",
				 due[i], ret ? "not stale" : "alive");
			return -1;
		}
	}
	return 0;
}

/*
 * One mutator: its own graph in the shared heap, random steps while full
 * collections run.  Now and then the objects unreachable at that moment
 * are noted; once the pass in progress and the next have ended, each must
 * be gone, and every reachable one alive.
 */
static int mutate(struct gch_heap *h, struct model *m, uint64_t rng,
		  char *why, size_t len)
{
	int due[MAXN], ndue = 0, i;
	uint64_t after = 0;

	if (build(h, m, rng, CMAXN)) {
		snprintf(why, len, "allocation failed");
		return -1;
	}
	for (i = 0; i < m->n * 3; i++) {
		if (step(h, m)) {
			snprintf(why, len, "step %d failed", i);
			return -1;
		}
		if (ndue && i % 4 == 0 && full_passes(h) >= after) {
			if (check_gone(h, m, due, ndue, why, len) ||
			    compare(h, m, 0, 0, why, len))
				return -1;
			ndue = 0;
		}
		if (!ndue && rnd(m, 16) == 0) {
			ndue = note_unreachable(m, due);
			after = full_passes(h) + 2;
		}
		if (rnd(m, 64) == 0)
			gch_collect(h, 0);
	}
	return 0;
}

struct mutator {
	struct gch_heap *h;
	struct model m;
	uint64_t rng;
	int ret;
	char why[128];
};

static void *mutator_thread(void *arg)
{
	struct mutator *mu = arg;

	mu->ret = mutate(mu->h, &mu->m, mu->rng, mu->why, sizeof(mu->why));
	return NULL;
}

struct collector {
	struct gch_heap *h;
	int stop;
	int err;
};

static void *collector_thread(void *arg)
{
	struct collector *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		if (gch_collect(c->h, 2) < 0) {
			c->err = errno;
			break;
		}
	}
	return NULL;
}

/*
 * The forked mutator: one process for the whole test, sent each seed's
 * heap over @sock (SCM_RIGHTS).  For each, it runs its steps, says so
 * ('d'), waits for the parent's last collection ('g'), checks its graph
 * against its model and answers with the verdict (0 or 1).
 */
static void worker(int sock)
{
	char c, verdict;
	gch_ref_t seed;
	int fd;

	while ((fd = gch_test_recv_fd(sock, &seed)) >= 0) {
		struct mutator mu = { .h = gch_open_fd(fd),
				      .rng = seed_rng(seed, 2) };

		if (!mu.h)
			_exit(2);
		mutator_thread(&mu);
		c = 'd';
		if (write(sock, &c, 1) != 1 || read(sock, &c, 1) != 1)
			_exit(2);
		if (!mu.ret)
			mu.ret = compare(mu.h, &mu.m, 1, 0, mu.why,
					 sizeof(mu.why));
		if (mu.ret)
			fprintf(stderr, "# forked mutator, seed %llu: %s\n",
				(unsigned long long)seed, mu.why);
		verdict = !!mu.ret;
		gch_close(mu.h);
		if (write(sock, &verdict, 1) != 1)
			_exit(2);
	}
	_exit(0);
}

/* The end: mutators done, collections stopped, one more, then the models. */
static int concurrent_end(struct gch_heap *h, struct mutator *mu, int n,
			  struct collector *c, char *why, size_t len)
{
	int i;

	if (c->err) {
		snprintf(why, len, "gch_collect: %s", strerror(c->err));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (mu[i].ret) {
			snprintf(why, len, "mutator %d: %s", i, mu[i].why);
			return -1;
		}
	}
	if (gch_collect(h, 2) < 0) {
		snprintf(why, len, "last gch_collect: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		if (compare(h, &mu[i].m, 1, 0, why, len))
			return -1;
	return 0;
}

/* Objects the barrier kept over the heap's passes; 0 without debugfs. */
static long long floating(struct gch_heap *h)
{
	long long n = gch_test_heap_stat(h, "floating");

	return n > 0 ? n : 0;
}

static int concurrent_seed(uint32_t seed, int sock, long long *touched,
			   char *why, size_t len)
{
	struct gch_heap *h = gch_open(NULL);
	struct mutator mu[2] = {
		{ .h = h, .rng = seed_rng(seed, 0) },
		{ .h = h, .rng = seed_rng(seed, 1) },
	};
	struct collector c = { .h = h };
	char d = 0, g = 'g', verdict = 1;
	pthread_t tb, tc;
	int ret;

	if (!h || gch_disable(h) || gch_test_send_fd(sock, gch_fd(h), seed)) {
		snprintf(why, len, "gch_open or send: %s", strerror(errno));
		return -1;
	}
	pthread_create(&tc, NULL, collector_thread, &c);
	pthread_create(&tb, NULL, mutator_thread, &mu[1]);
	mutator_thread(&mu[0]);
	pthread_join(tb, NULL);
	if (read(sock, &d, 1) != 1 || d != 'd')
		d = 0;
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(tc, NULL);
	ret = concurrent_end(h, mu, 2, &c, why, len);
	if (d && (write(sock, &g, 1) != 1 || read(sock, &verdict, 1) != 1))
		verdict = 1;
	*touched += floating(h);
	gch_close(h);
	if (!ret && verdict) {
		snprintf(why, len, "forked mutator failed");
		ret = -1;
	}
	return ret;
}

TEST_F_TIMEOUT(seeds, concurrent_collections_match_the_model, 3600)
{
	const char *one = getenv("GCH_CSEED"), *n = getenv("GCH_CSEEDS");
	const char *from = getenv("GCH_CSEEDS_FROM");	/* make stress */
	uint32_t first = one ? strtoul(one, NULL, 0) :
			 from ? strtoul(from, NULL, 0) : 0;
	uint32_t count = one ? 1 : n ? strtoul(n, NULL, 0) : 2000;
	long slice = gch_test_read_long(SLICE_PARAM);
	uint32_t seed, bad = 0;
	char why[160], old[32];
	long long touched = 0;
	int sv[2], status;
	pid_t pid;

	if (slice < 0)
		SKIP(return, "no %s", SLICE_PARAM);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sv[0]);
		worker(sv[1]);
	}
	close(sv[1]);
	ASSERT_EQ(0, gch_test_write_str(SLICE_PARAM, "3"));
	for (seed = first; seed < first + count; seed++) {
		if (concurrent_seed(seed, sv[0], &touched, why, sizeof(why))) {
			TH_LOG("seed %u: %s (rerun: GCH_CSEED=%u)", seed, why,
			       seed);
			bad++;
		}
	}
	snprintf(old, sizeof(old), "%ld", slice);
	EXPECT_EQ(0, gch_test_write_str(SLICE_PARAM, old));
	close(sv[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, bad);
	/* Steps did land inside passes: the barrier kept objects. */
	TH_LOG("%lld objects kept by the barrier over %u seeds", touched,
	       count);
	if (count >= 50 && !access(GCH_TEST_DEBUGFS, R_OK))
		EXPECT_LT(0, touched);
}

TEST_HARNESS_MAIN
