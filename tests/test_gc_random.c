// SPDX-License-Identifier: GPL-2.0
/*
 * A randomized differential test of the collector: random graphs (objects,
 * slot edges, program references dropped at random), collected by the
 * kernel, compared with a reachability computation done here from the
 * test's own record of the graph.  Partial (young) collections in between
 * must never free a reachable object; a full one must leave exactly the
 * reachable set, with exact refcounts.  Every mismatch names its seed.
 *
 * GCH_SEEDS=N sets the number of seeds (default 2000), GCH_SEED=S runs one.
 */
#include "gch_test.h"

#define MAXN	64
#define MAXS	4

struct model {
	int n;
	gch_ref_t ref[MAXN];
	uint32_t nslots[MAXN];
	int slot[MAXN][MAXS];	/* target index or -1 */
	int held[MAXN];		/* program references */
	int dead[MAXN];		/* freed as far as the model knows */
};

static uint64_t rng_state;	/* gch_test_rand's; never 0 for a 32-bit seed */

static uint32_t rnd(uint32_t n)
{
	return gch_test_rand(&rng_state, n);
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
	int i = rnd(m->n), t = rnd(m->n), s;

	switch (rnd(4)) {
	case 0:	/* set a slot, or clear it */
		if (!m->held[i] || !m->nslots[i])
			return 0;
		s = rnd(m->nslots[i]);
		if (rnd(4) == 0 || !m->held[t]) {
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

static int build(struct gch_heap *h, struct model *m)
{
	int i, s;

	memset(m, 0, sizeof(*m));
	m->n = 1 + rnd(MAXN);
	for (i = 0; i < m->n; i++) {
		m->nslots[i] = rnd(MAXS + 1);
		if (gch_alloc(h, m->nslots[i], rnd(3) * 8, &m->ref[i]))
			return -1;
		m->held[i] = 1;
		for (s = 0; s < MAXS; s++)
			m->slot[i][s] = -1;
	}
	return 0;
}

/*
 * Compare the kernel with the model: every reachable object alive with the
 * refcount the model predicts; when @full, every other object gone.
 */
static int compare(struct gch_heap *h, struct model *m, int full,
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
	if (full && gch_test_objects(h) != live) {
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
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (build(h, &m)) {
		snprintf(why, len, "allocation failed");
		goto out;
	}
	steps = m.n * 4;
	for (i = 0; i < steps; i++) {
		if (step(h, &m)) {
			snprintf(why, len, "step %d failed", i);
			goto out;
		}
		if (rnd(16) == 0) {
			gch_collect(h, rnd(2));
			if (compare(h, &m, 0, why, len))
				goto out;
		}
	}
	if (gch_collect(h, 2) < 0) {
		snprintf(why, len, "collect failed");
		goto out;
	}
	ret = compare(h, &m, 1, why, len);
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

TEST_HARNESS_MAIN
