// SPDX-License-Identifier: GPL-2.0
/*
 * Observability: debugfs files checked against what the test did, the tag
 * profile, the DOT graph (accepted by dot), the gcheap:gc_start/gc_end
 * tracepoints, gcheapstat, and every file read while the heap is mutated
 * and collected.
 */
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "gch_test.h"

#define DBG GCH_TEST_DEBUGFS
#define TRACEFS "/sys/kernel/tracing"

static int count_lines(const char *text)
{
	int n = 0;

	for (; text && *text; text++)
		n += *text == '\n';
	return n;
}

FIXTURE(dbg) {
	struct gch_heap *h;
};

FIXTURE_SETUP(dbg)
{
	if (access(DBG "/stats", R_OK))
		SKIP(return, "debugfs not mounted or not root");
	self->h = gch_open(NULL);
	ASSERT_NE(NULL, self->h);
}

FIXTURE_TEARDOWN(dbg)
{
	if (self->h)
		gch_close(self->h);
}

TEST_F(dbg, heap_stats_match)
{
	gch_ref_t a, b, w;
	char *s;

	ASSERT_EQ(0, gch_alloc(self->h, 1, 100, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 20, &b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, b));
	ASSERT_EQ(0, gch_set_slot(self->h, b, 0, a));
	ASSERT_EQ(0, gch_weakref(self->h, a, 0, 0, &w));
	gch_decref(self->h, b);
	ASSERT_EQ(0, gch_collect(self->h, 1));
	s = gch_test_heap_file(self->h, "stats");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(gch_heap_id(self->h), gch_test_kv(s, "id"));
	EXPECT_EQ(getpid(), gch_test_kv(s, "owner_pid"));
	EXPECT_NE(NULL, strstr(s, "owner_comm test_observe"));
	EXPECT_EQ(2, gch_test_kv(s, "objects"));
	EXPECT_EQ(120, gch_test_kv(s, "bytes"));
	EXPECT_EQ(2, gch_test_kv(s, "allocated"));
	EXPECT_EQ(0, gch_test_kv(s, "freed"));
	EXPECT_EQ(1, gch_test_kv(s, "weakrefs"));
	EXPECT_EQ(0, gch_test_kv(s, "pending_events"));
	EXPECT_EQ(0, gch_test_kv(s, "gen0_collections"));
	EXPECT_EQ(1, gch_test_kv(s, "gen1_collections"));
	EXPECT_EQ(0, gch_test_kv(s, "gen1_collected"));
	EXPECT_EQ(1, gch_test_kv(s, "gen2_count"));
	EXPECT_EQ(700, gch_test_kv(s, "gen0_threshold"));
	EXPECT_EQ(1, gch_test_kv(s, "enabled"));
	EXPECT_LT(0, gch_test_kv(s, "pause_ns_last"));
	free(s);
	gch_decref(self->h, a);
	EXPECT_EQ(2, gch_collect(self->h, 2));
	s = gch_test_heap_file(self->h, "stats");
	EXPECT_EQ(0, gch_test_kv(s, "objects"));
	EXPECT_EQ(2, gch_test_kv(s, "freed"));
	EXPECT_EQ(1, gch_test_kv(s, "gen2_collections"));
	EXPECT_EQ(2, gch_test_kv(s, "gen2_collected"));
	free(s);
	gch_decref(self->h, w);
}

/* Heap @h's debugfs gen<g>_pause_hist buckets into @out; 0 or -1. */
static int debugfs_hist(struct gch_heap *h, int g, uint64_t out[16])
{
	char key[32], *s = gch_test_heap_file(h, "stats"), *p;
	int i;

	snprintf(key, sizeof(key), "gen%d_pause_hist ", g);
	p = s ? strstr(s, key) : NULL;
	if (p)
		p += strlen(key);
	for (i = 0; p && i < 16; i++)
		out[i] = strtoull(p, &p, 10);
	free(s);
	return p ? 0 : -1;
}

static uint64_t sum16(const uint64_t *v)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < 16; i++)
		n += v[i];
	return n;
}

/*
 * gch_get_stats_ex(): the collector's figures, as debugfs shows them; its
 * histogram counts each slice of a pass once, in its generation's row.
 */
TEST_F(dbg, stats_ex_pause_histogram)
{
	struct gch_stats_ex a, b;
	uint64_t hist[16];
	gch_ref_t prev;
	char *s;
	int g;

	ASSERT_EQ(0, gch_disable(self->h));
	prev = gch_test_chain(self->h, 20000);
	ASSERT_NE(0, prev);
	ASSERT_EQ(0, gch_get_stats_ex(self->h, &a, sizeof(a)));
	EXPECT_EQ(0, gch_collect(self->h, 2));
	ASSERT_EQ(0, gch_get_stats_ex(self->h, &b, sizeof(b)));
	s = gch_test_heap_file(self->h, "stats");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(a.passes + 1, b.passes);
	EXPECT_EQ(gch_test_kv(s, "gc_passes"), (long long)b.passes);
	EXPECT_EQ(gch_test_kv(s, "floating"), (long long)b.floating);
	EXPECT_EQ(a.base.gen[2].collections + 1, b.base.gen[2].collections);
	/* 20,000 objects and slots, walked three times: several slices */
	EXPECT_LT(1, gch_test_kv(s, "last_pass_slices"));
	EXPECT_EQ(sum16(a.pause_hist[2]) + gch_test_kv(s, "last_pass_slices"),
		  sum16(b.pause_hist[2]));
	free(s);
	for (g = 0; g < 3; g++) {
		ASSERT_EQ(0, debugfs_hist(self->h, g, hist));
		EXPECT_EQ(0, memcmp(hist, b.pause_hist[g], sizeof(hist)));
	}
	EXPECT_EQ(0, memcmp(a.pause_hist[0], b.pause_hist[0], sizeof(hist)));
	EXPECT_EQ(0, gch_decref(self->h, prev));
}

/* An older caller's struct gets what it knows; a newer one, zeros after. */
TEST_F(dbg, stats_ex_sizes)
{
	struct {
		struct gch_stats_ex st;
		uint64_t tail[2];
	} big;
	gch_ref_t r;

	ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &r));
	EXPECT_EQ(-EINVAL, gch_get_stats_ex(self->h, &big.st,
					    sizeof(struct gch_stats) - 1));
	EXPECT_EQ(-EINVAL, gch_get_stats_ex(self->h, NULL, sizeof(big.st)));
	memset(&big, 0xa5, sizeof(big));
	ASSERT_EQ(0, gch_get_stats_ex(self->h, &big.st, sizeof(struct gch_stats)));
	EXPECT_EQ(1, big.st.base.objects);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, big.st.floating);	/* untouched */
	memset(&big, 0xa5, sizeof(big));
	ASSERT_EQ(0, gch_get_stats_ex(self->h, &big.st, sizeof(big)));
	EXPECT_EQ(1, big.st.base.objects);
	EXPECT_EQ(0, big.tail[0]);
	EXPECT_EQ(0, big.tail[1]);
	EXPECT_EQ(0, gch_decref(self->h, r));
}

TEST_F(dbg, global_stats_format)
{
	static const char *const keys[] = {
		"heaps", "objects", "bytes", "allocated", "freed", "collections",
		"collected", "uncollectable", "pause_ns_max", "slab_48_objects",
		"slab_256_objects",
	};
	long long before, after;
	char *s = gch_test_read_file(DBG "/stats"), *line;
	gch_ref_t r[10];
	unsigned int i;

	ASSERT_NE(NULL, s);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		EXPECT_LE(0, gch_test_kv(s, keys[i])) TH_LOG("key number %u", i);
	/* every line is "key value" */
	for (line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		char k[64];
		unsigned long long v;
		char extra;

		EXPECT_EQ(2, sscanf(line, "%63s %llu %c", k, &v, &extra))
			TH_LOG("line '%s'", line);
	}
	free(s);
	s = gch_test_read_file(DBG "/stats");
	before = gch_test_kv(s, "objects");
	free(s);
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &r[i]));
	s = gch_test_read_file(DBG "/stats");
	after = gch_test_kv(s, "objects");
	EXPECT_LE(1, gch_test_kv(s, "heaps"));
	free(s);
	EXPECT_EQ(before + 10, after);	/* tests run one at a time */
}

TEST_F(dbg, objects_file)
{
	struct gch_alloc_args fa = { .nslots = 3, .size = 5, .tag = 77,
				     .flags = GCH_ALLOC_FINALIZE };
	gch_ref_t a, b, w;
	char *s, line[160];
	int i;

	ASSERT_EQ(0, gch_alloc_ex(self->h, &fa, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 0, 9, &b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 1, b));
	ASSERT_EQ(0, gch_weakref(self->h, b, 0, 0, &w));
	s = gch_test_heap_file(self->h, "objects");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(3, count_lines(s));		/* header + 2 objects */
	snprintf(line, sizeof(line), "%#llx 0 1 3 5 77 F--\n",
		 (unsigned long long)a);
	EXPECT_NE(NULL, strstr(s, line)) TH_LOG("%s", s);
	snprintf(line, sizeof(line), "%#llx 0 2 0 9 0 --W\n",
		 (unsigned long long)b);
	EXPECT_NE(NULL, strstr(s, line)) TH_LOG("%s", s);
	free(s);
	/* a million-object heap pages through seq_file, no giant buffer */
	for (i = 0; i < 20000; i++)
		ASSERT_EQ(0, gch_alloc(self->h, 0, 0, &b));
	s = gch_test_heap_file(self->h, "objects");
	EXPECT_EQ(20003, count_lines(s));
	free(s);
	gch_decref(self->h, w);
}

TEST_F(dbg, tags_file_and_library)
{
	struct gch_alloc_args a = { .nslots = 0, .size = 100, .tag = 1 };
	struct gch_tag_stat ts[4];
	gch_ref_t r, keep[3];
	char *s;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, gch_alloc_ex(self->h, &a, &keep[i]));
	a.tag = 2;
	a.size = 1000;
	ASSERT_EQ(0, gch_alloc_ex(self->h, &a, &r));
	ASSERT_EQ(0, gch_alloc_ex(self->h, &a, &r));
	gch_decref(self->h, r);
	ASSERT_EQ(0, gch_alloc(self->h, 0, 50, &r));	/* untagged */
	ASSERT_EQ(2, gch_get_tag_stats(self->h, ts, 4));
	EXPECT_EQ(2, ts[0].tag);			/* 1000 live bytes first */
	EXPECT_EQ(1, ts[0].live_objects);
	EXPECT_EQ(1000, ts[0].live_bytes);
	EXPECT_EQ(2, ts[0].allocations);
	EXPECT_EQ(1, ts[1].tag);
	EXPECT_EQ(3, ts[1].live_objects);
	EXPECT_EQ(300, ts[1].live_bytes);
	EXPECT_EQ(3, ts[1].allocations);
	EXPECT_EQ(2, gch_get_tag_stats(self->h, NULL, 0));
	s = gch_test_heap_file(self->h, "tags");
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "2 1 1000 2\n1 3 300 3\n")) TH_LOG("%s", s);
	free(s);
}

/* dot itself takes tens of seconds to start under emulation on a loaded host */
TEST_F_TIMEOUT(dbg, graph_is_valid_dot, 120)
{
	char cmd[256];
	gch_ref_t a, b;
	char *s;

	ASSERT_EQ(0, gch_alloc(self->h, 2, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, b));
	ASSERT_EQ(0, gch_set_slot(self->h, b, 0, a));
	gch_collect(self->h, 0);
	s = gch_test_heap_file(self->h, "graph.dot");
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "digraph"));
	EXPECT_NE(NULL, strstr(s, "label=\"generation 1\""));
	EXPECT_EQ(NULL, strstr(s, "0xffff"));	/* no kernel addresses */
	free(s);
	if (access("/usr/bin/dot", X_OK))
		SKIP(return, "graphviz not installed");
	snprintf(cmd, sizeof(cmd), "dot -Tsvg " DBG "/%d/graph.dot >/dev/null",
		 gch_heap_id(self->h));
	EXPECT_EQ(0, system(cmd));
}

TEST_F(dbg, graph_is_cut_at_the_node_limit)
{
	gch_ref_t r;
	char *s;
	int i;

	for (i = 0; i < 2100; i++)
		ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &r));
	s = gch_test_heap_file(self->h, "graph.dot");
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "2000 of 2100 objects shown")) TH_LOG("tail");
	free(s);
}

TEST_F(dbg, tracepoints)
{
	char *fmt, *trace, want[128];
	gch_ref_t a;

	if (access(TRACEFS "/events/gcheap/gc_start/enable", W_OK))
		SKIP(return, "tracefs not mounted");
	fmt = gch_test_read_file(TRACEFS "/events/gcheap/gc_end/format");
	ASSERT_NE(NULL, fmt);
	EXPECT_NE(NULL, strstr(fmt, "field:u64 pause_ns;"));
	EXPECT_NE(NULL, strstr(fmt, "field:u64 uncollectable;"));
	free(fmt);
	ASSERT_EQ(0, gch_test_write_str(TRACEFS "/trace", ""));
	ASSERT_EQ(0, gch_test_write_str(TRACEFS "/events/gcheap/enable", "1"));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &a));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, a));
	gch_decref(self->h, a);
	ASSERT_EQ(1, gch_collect(self->h, 1));
	ASSERT_EQ(0, gch_test_write_str(TRACEFS "/events/gcheap/enable", "0"));
	trace = gch_test_read_file(TRACEFS "/trace");
	ASSERT_NE(NULL, trace);
	snprintf(want, sizeof(want), "gc_start: heap=%d generation=1 objects=1",
		 gch_heap_id(self->h));
	EXPECT_NE(NULL, strstr(trace, want)) TH_LOG("%s", trace);
	snprintf(want, sizeof(want),
		 "gc_end: heap=%d generation=1 collected=1 uncollectable=0 pause_ns=",
		 gch_heap_id(self->h));
	EXPECT_NE(NULL, strstr(trace, want));
	free(trace);
}

static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	return pclose(p);
}

TEST_F(dbg, gcheapstat)
{
	char cmd[256], out[8192];
	const char *tool = getenv("GCHEAPSTAT");
	gch_ref_t a;
	int i;

	if (!tool)
		tool = "userlib/gcheapstat";
	if (access(tool, X_OK))
		SKIP(return, "gcheapstat not found (GCHEAPSTAT=path)");
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, gch_alloc(self->h, 1, 10, &a));
	snprintf(cmd, sizeof(cmd), "%s -H %d 0.1 3", tool, gch_heap_id(self->h));
	ASSERT_EQ(0, run(cmd, out, sizeof(out)));
	EXPECT_EQ(4, count_lines(out)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "         5           50      5"))
		TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s --dot -H %d", tool, gch_heap_id(self->h));
	ASSERT_EQ(0, run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "digraph"));
	snprintf(cmd, sizeof(cmd), "%s -H 99999 2>&1", tool);
	EXPECT_NE(0, run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "heap 99999 does not exist"));
	snprintf(cmd, sizeof(cmd), "GCHEAP_DEBUGFS=/nonexistent %s 2>&1", tool);
	EXPECT_NE(0, run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "is debugfs mounted"));
}

struct churn {
	struct gch_heap *h;
	volatile int stop;
};

static void *mutate_and_collect(void *arg)
{
	struct churn *c = arg;
	gch_ref_t a, b, w;
	int i = 0;

	while (!c->stop) {
		if (gch_alloc(c->h, 1, 8, &a) || gch_alloc(c->h, 1, 8, &b))
			break;
		gch_set_slot(c->h, a, 0, b);
		gch_set_slot(c->h, b, 0, a);
		if (!gch_weakref(c->h, a, GCH_WEAK_NOTIFY, 0, &w))
			gch_decref(c->h, w);
		gch_decref(c->h, a);
		gch_decref(c->h, b);
		if (++i % 50 == 0)
			gch_collect(c->h, i % 3);
	}
	return NULL;
}

TEST_F_TIMEOUT(dbg, files_read_while_mutating, 300)
{
	static const char *const files[] = {
		"stats", "objects", "tags", "graph.dot",
	};
	struct churn c = { .h = self->h };
	pthread_t t;
	int i, j;

	ASSERT_EQ(0, gch_set_threshold(self->h, 100, 5, 5));
	ASSERT_EQ(0, pthread_create(&t, NULL, mutate_and_collect, &c));
	for (i = 0; i < 40; i++) {
		for (j = 0; j < 4; j++) {
			char *s = gch_test_heap_file(self->h, files[j]);

			EXPECT_NE(NULL, s);
			free(s);
		}
		free(gch_test_read_file(DBG "/stats"));
	}
	c.stop = 1;
	pthread_join(t, NULL);
}

/*
 * verify says "ok" for a sound heap, and still does after a program tried
 * to drop a reference it does not hold (what verify reports when an
 * invariant breaks is tested in KUnit, where one can be broken).
 */
TEST_F(dbg, verify)
{
	gch_ref_t a, b;
	char *s;

	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &a));
	ASSERT_EQ(0, gch_alloc(self->h, 1, 0, &b));
	ASSERT_EQ(0, gch_set_slot(self->h, a, 0, b));
	s = gch_test_heap_file(self->h, "verify");
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("ok\n", s);
	free(s);
	EXPECT_EQ(0, gch_decref(self->h, b));
	EXPECT_EQ(-EINVAL, gch_decref(self->h, b));	/* not its own */
	s = gch_test_heap_file(self->h, "verify");
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("ok\n", s);
	free(s);
	EXPECT_EQ(0, gch_decref(self->h, a));
}

/* A file opened on a heap that is then closed reads nothing, safely. */
TEST(file_of_a_closed_heap)
{
	struct gch_heap *h;
	char path[128], buf[256];
	int fd;

	if (access(DBG "/stats", R_OK))
		SKIP(return, "debugfs not mounted or not root");
	h = gch_open(NULL);
	ASSERT_NE(NULL, h);
	snprintf(path, sizeof(path), DBG "/%d/objects", gch_heap_id(h));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	gch_close(h);
	EXPECT_GT(0, read(fd, buf, sizeof(buf)));
	close(fd);
	EXPECT_NE(0, access(path, F_OK));
}

TEST_HARNESS_MAIN
