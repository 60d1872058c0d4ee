// SPDX-License-Identifier: GPL-2.0
/*
 * gchbench: gcheap's micro and macro benchmarks, one per subcommand, each
 * printing "name value unit" lines (scripts/bench collects them):
 *
 *   ops           per-op cost: getppid, a bare ioctl, io_uring NOPs, and
 *                 each op class as single ioctls and in batches
 *   collect N     full collection of N objects in 2-cycles, unreachable
 *                 and reachable; an empty heap's collection; each five
 *                 times, reported first and as the median
 *   pause N       young-collection pause with N long-lived objects
 *   stall N       full collection of N live objects while another thread
 *                 increfs and decrefs in a loop: that thread's longest
 *                 wait for one op, against the collection's duration
 *   heaps         alloc/free throughput, one thread vs two on two heaps;
 *                 getppid() throughput, one thread vs two (the control)
 *   cycles N      allocation-heavy, many small cycles: N objects built as
 *                 2-cycles in batches and dropped at once, freed by the
 *                 automatic collections (default thresholds) and a last
 *                 full one; and the same shape with malloc and free
 *   calls [N]     each single command N times (default 20000): the bare
 *                 ioctl, an ALLOC refused at its check, ALLOC, INCREF_VAL,
 *                 DECREF_VAL (not the last ref, the last, a stale ref)
 *   loop CLS N    N batches of 4096 ops of class CLS (0 refcount, 1 slot,
 *                 2 alloc), or 3: N times 2048 single ALLOCs, each with its
 *                 DECREF, or 4: N times 2048 single SET_SLOTs, setting and
 *                 clearing: something for perf to sample
 */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gcheap.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "gchbench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void report(const char *name, double value, const char *unit)
{
	printf("%s %.2f %s\n", name, value, unit);
	fflush(stdout);
}

#define N_OPS	200000

/*
 * Each row of `ops` is measured beside its anchor, a bare ioctl: SLICES
 * slices of the row, each between two slices of bare ioctls (the first and
 * last half as long), so that a host whose speed drifts during a run (seen:
 * the bare ioctl at 859 to 1255 ns within one) weighs on a row and its
 * anchor alike.  A row measured a second from its anchor moved by as much
 * as 2× against it (BENCHMARKS.md, "Twelfth session").
 */
#define SLICES	8

/* a row's work: about @ops ops, in whole batches; returns the ops run */
typedef long (*row_fn)(void *ctx, long ops);

/* A command gcheap does not have: the anchor, refused at the dispatch. */
#define BARE_IOCTL	_IO(GCHEAP_IOC_MAGIC, 0x7f)

static int bare_fd;

static long bare_ioctls(void *ctx __attribute__((unused)), long ops)
{
	long i;

	for (i = 0; i < ops; i++)
		ioctl(bare_fd, BARE_IOCTL, 0);
	return ops;
}

static double timed_slice(row_fn fn, void *ctx, long want, long *done)
{
	double t = now();

	*done += fn(ctx, want);
	return now() - t;
}

/* Row @name, and "@name.bare": the bare ioctl's ns/op measured beside it. */
static void measure(const char *name, row_fn fn, void *ctx)
{
	long ops = 0, bare = 0, slice = N_OPS / SLICES;
	double t = 0, tb;
	char anchor[80];
	int s;

	tb = timed_slice(bare_ioctls, NULL, slice / 2, &bare);
	for (s = 0; s < SLICES; s++) {
		t += timed_slice(fn, ctx, slice, &ops);
		tb += timed_slice(bare_ioctls, NULL,
				  s + 1 < SLICES ? slice : slice / 2, &bare);
	}
	report(name, t * 1e9 / ops, "ns/op");
	snprintf(anchor, sizeof(anchor), "%s.bare", name);
	report(anchor, tb * 1e9 / bare, "ns/op");
}

static long getppids(void *ctx __attribute__((unused)), long ops)
{
	long i;

	for (i = 0; i < ops; i++)
		syscall(SYS_getppid);
	return ops;
}

static void bench_syscalls(struct gch_heap *h)
{
	long n = 0;
	double t;

	bare_fd = gch_fd(h);
	t = timed_slice(bare_ioctls, NULL, N_OPS, &n);
	report("bare_ioctl", t * 1e9 / n, "ns/op");
	measure("getppid", getppids, NULL);
}

struct uring_row {
	struct io_uring ring;
	unsigned int size;
};

static long uring_nops(void *ctx, long want)
{
	struct uring_row *u = ctx;
	struct io_uring_cqe *cqe;
	unsigned int k, done;
	long ops;

	for (ops = 0; ops < want; ops += u->size) {
		for (k = 0; k < u->size; k++)
			io_uring_prep_nop(io_uring_get_sqe(&u->ring));
		io_uring_submit_and_wait(&u->ring, u->size);
		for (done = 0; done < u->size; done++) {
			io_uring_wait_cqe(&u->ring, &cqe);
			io_uring_cqe_seen(&u->ring, cqe);
		}
	}
	return ops;
}

static void bench_uring(void)
{
	static const unsigned int sizes[] = { 1, 8, 32, 256, 4096 };
	struct uring_row u;
	unsigned int s;
	int ret;

	ret = io_uring_queue_init(4096, &u.ring, 0);
	if (ret) {
		fprintf(stderr, "gchbench: io_uring: %s (skipped)\n", strerror(-ret));
		return;
	}
	for (s = 0; s < 5; s++) {
		char name[64];

		u.size = sizes[s];
		snprintf(name, sizeof(name), "uring_nop_batch%u", sizes[s]);
		measure(name, uring_nops, &u);
	}
	io_uring_queue_exit(&u.ring);
}

/* @n single ALLOCs, each dropped at once */
static void single_allocs(struct gch_heap *h, long n)
{
	gch_ref_t r;
	long i;

	for (i = 0; i < n; i++) {
		if (gch_alloc(h, 2, 16, &r))
			die("alloc", errno);
		gch_decref(h, r);
	}
}

/* @n single SET_SLOTs of @b into @a's slot 0, every other one clearing it */
static void single_slots(struct gch_heap *h, gch_ref_t a, gch_ref_t b, long n)
{
	long i;

	for (i = 0; i < n; i += 2) {
		gch_set_slot(h, a, 0, b);
		gch_set_slot(h, a, 0, 0);
	}
}

/* what a row of ops works on */
struct ops_row {
	struct gch_heap *h;
	struct gch_batch *bt;
	gch_ref_t a, b;
	unsigned int n;		/* ops a batch */
	int cls;		/* 0 refcount, 1 slot, 2 alloc */
};

/* One op class, as single calls: pairs that leave the heap as it was. */
static long single_ops(void *ctx, long ops)
{
	struct ops_row *o = ctx;
	long i;

	if (o->cls == 2) {
		single_allocs(o->h, ops / 2);
		return ops / 2 * 2;
	}
	if (o->cls == 1) {
		single_slots(o->h, o->a, o->b, ops);
		return ops / 2 * 2;
	}
	for (i = 0; i < ops / 2; i++) {
		gch_incref(o->h, o->a);
		gch_decref(o->h, o->a);
	}
	return ops / 2 * 2;
}

static void bench_single(struct gch_heap *h, gch_ref_t a, gch_ref_t b)
{
	static const char *const name[] = {
		"single_refcount", "single_slot", "single_alloc"
	};
	struct ops_row o = { .h = h, .a = a, .b = b };

	for (o.cls = 0; o.cls < 3; o.cls++)
		measure(name[o.cls], single_ops, &o);
}

/* Fill a batch with @n (even) ops of one class, in pairs as above. */
static void fill(struct gch_batch *bt, int cls, unsigned int n, gch_ref_t a,
		 gch_ref_t b)
{
	unsigned int i;

	gch_batch_reset(bt);
	for (i = 0; i < n; i += 2) {
		if (cls == 0) {
			gch_batch_incref(bt, a);
			gch_batch_decref(bt, a);
		} else if (cls == 1) {
			gch_batch_set_slot(bt, a, 0, b);
			gch_batch_set_slot(bt, a, 0, 0);
		} else {
			gch_batch_alloc(bt, 2, 16);
			gch_batch_decref(bt, GCH_RESULT(i));
		}
	}
}

/* Batches of one op, refilled each time: incref then decref, and so on. */
static long batches_of_one(void *ctx, long want)
{
	struct ops_row *o = ctx;
	long ops;
	int ret;

	for (ops = 0; ops < want; ops++) {
		gch_batch_reset(o->bt);
		if (o->cls == 2 && (ops & 1) == 0)
			gch_batch_alloc(o->bt, 2, 16);
		else if (o->cls == 2)
			gch_batch_decref(o->bt, o->b);
		else if (o->cls == 1)
			gch_batch_set_slot(o->bt, o->a, 0, ops & 1 ? 0 : o->b);
		else if (ops & 1)
			gch_batch_decref(o->bt, o->a);
		else
			gch_batch_incref(o->bt, o->a);
		ret = gch_batch_submit(o->bt);
		if (ret != 1)
			die("batch", ret);
		if (o->cls == 2 && (ops & 1) == 0)
			gch_batch_result(o->bt, 0, &o->b);
	}
	return ops;
}

/* The batch fill() made, submitted again and again. */
static long batches(void *ctx, long want)
{
	struct ops_row *o = ctx;
	long ops;
	int ret;

	for (ops = 0; ops < want; ops += o->n) {
		ret = gch_batch_submit(o->bt);
		if (ret != (int)o->n)
			die("batch", ret < 0 ? ret : EIO);
	}
	return ops;
}

static void bench_batches(struct gch_heap *h, gch_ref_t a, gch_ref_t b)
{
	static const char *const cls_name[] = { "refcount", "slot", "alloc" };
	static const unsigned int sizes[] = { 1, 8, 32, 256, 4096 };
	struct ops_row o = { .h = h, .a = a, .b = b };
	unsigned int s;

	o.bt = gch_batch_new(h, 4096);
	if (!o.bt)
		die("batch_new", errno);
	for (o.cls = 0; o.cls < 3; o.cls++) {
		for (s = 0; s < 5; s++) {
			char name[64];

			o.n = sizes[s];
			snprintf(name, sizeof(name), "batch%u_%s", o.n,
				 cls_name[o.cls]);
			if (o.n == 1) {
				measure(name, batches_of_one, &o);
				continue;
			}
			fill(o.bt, o.cls, o.n, a, b);
			measure(name, batches, &o);
		}
	}
	gch_batch_free(o.bt);
}

static void cmd_ops(void)
{
	struct gch_heap *h = gch_open(NULL);
	gch_ref_t a, b;

	if (!h || gch_disable(h))
		die("open", errno);
	if (gch_alloc(h, 2, 16, &a) || gch_alloc(h, 2, 16, &b))
		die("alloc", errno);
	bench_syscalls(h);
	bench_uring();
	bench_single(h, a, b);
	bench_batches(h, a, b);
	gch_close(h);
}

/* n objects in 2-cycles, built through batches; @keep holds one per cycle. */
static void build_cycles(struct gch_heap *h, long n, gch_ref_t *keep)
{
	struct gch_batch *bt = gch_batch_new(h, 4096);
	long built = 0, i;
	gch_ref_t r;

	if (!bt)
		die("batch_new", errno);
	while (built < n) {
		int pairs = (n - built) / 2 > 512 ? 512 : (n - built) / 2;
		int j;

		gch_batch_reset(bt);
		for (j = 0; j < pairs; j++) {
			int x = gch_batch_alloc(bt, 1, 0);
			int y = gch_batch_alloc(bt, 1, 0);

			gch_batch_set_slot(bt, GCH_RESULT(x), 0, GCH_RESULT(y));
			gch_batch_set_slot(bt, GCH_RESULT(y), 0, GCH_RESULT(x));
			gch_batch_decref(bt, GCH_RESULT(y));
			if (!keep)
				gch_batch_decref(bt, GCH_RESULT(x));
		}
		if (gch_batch_submit(bt) < 0)
			die("batch", errno);
		for (i = 0; keep && i < pairs; i++) {
			gch_batch_result(bt, i * 5, &r);
			keep[(built / 2) + i] = r;
		}
		built += 2L * pairs;
	}
	gch_batch_free(bt);
}

/*
 * The malloc+free anchor of "cycles": the same pairs, 512 at a time, each
 * node naming the other, freed when the batch's pairs are dropped.
 */
struct pair_node {
	struct pair_node *other;
};

static void churn_malloc(long n)
{
	static struct pair_node *nodes[1024];
	long built;
	double t = now();
	int j, k;

	for (built = 0; built < n; built += 2L * k) {
		k = (n - built) / 2 > 512 ? 512 : (n - built) / 2;
		for (j = 0; j < k; j++) {
			struct pair_node *x = malloc(sizeof(*x));
			struct pair_node *y = malloc(sizeof(*y));

			if (!x || !y)
				die("malloc", ENOMEM);
			x->other = y;
			y->other = x;
			nodes[2 * j] = x;
			nodes[2 * j + 1] = y;
		}
		/* keep the compiler from pairing each malloc with its free */
		__asm__ volatile("" : : "r"(nodes) : "memory");
		for (j = 0; j < 2 * k; j++)
			free(nodes[j]);
	}
	report("cycles_malloc", (now() - t) * 1e9 / n, "ns/obj");
}

static void cmd_cycles(long n)
{
	struct gch_config cfg = { .max_objects = 1U << 22 };
	struct gch_heap *h = gch_open(&cfg);
	struct gch_stats st;
	char name[64];
	double t;

	if (!h)
		die("open", errno);
	t = now();
	build_cycles(h, n, NULL);
	gch_collect(h, 2);
	t = now() - t;
	if (gch_get_stats(h, &st))
		die("stats", errno);
	if (st.objects != 0)
		die("cycles left objects behind", EIO);
	snprintf(name, sizeof(name), "cycles_gcheap_%ld", n);
	report(name, t * 1e9 / n, "ns/obj");
	gch_close(h);
	churn_malloc(n);
}

static double timed_collect(struct gch_heap *h, int gen, int *found)
{
	double t = now();

	*found = gch_collect(h, gen);
	return now() - t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Report @name_@n as @t[0] and @name_med_@n as the median of @t[0..@k). */
static void report_reps(const char *what, long n, double *t, int k,
			double scale, const char *unit)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%ld", what, n);
	report(name, t[0] * scale, unit);
	qsort(t, k, sizeof(*t), cmp_double);
	snprintf(name, sizeof(name), "%s_med_%ld", what, n);
	report(name, t[k / 2] * scale, unit);
}

/* Collections are this many times over, for the scaling rows' medians. */
#define COLLECT_REPS	5

/*
 * Full collections of an empty heap, of @n dead objects and of @n live ones.
 * Each is reported as its first measurement (the rows against CPython,
 * which measures once) and as the median of COLLECT_REPS (the scaling
 * rows, which compare sizes measured seconds apart on a host whose speed
 * drifts: the median is not moved by one slow collection).
 */
static void cmd_collect(long n)
{
	struct gch_config cfg = { .max_objects = n + 1024 };
	gch_ref_t *keep = calloc(n / 2 + 1, sizeof(*keep));
	double t[COLLECT_REPS];
	struct gch_heap *h;
	int found, k;
	long i;

	h = gch_open(&cfg);
	if (!h || !keep || gch_disable(h))
		die("open", errno);
	for (k = 0; k < COLLECT_REPS; k++)
		t[k] = timed_collect(h, 2, &found);
	report_reps("collect_empty", n, t, COLLECT_REPS, 1e9, "ns");
	for (k = 0; k < COLLECT_REPS; k++) {
		build_cycles(h, n, NULL);
		t[k] = timed_collect(h, 2, &found);
		if (found != n)
			die("collect found the wrong count", EIO);
	}
	report_reps("collect_dead", n, t, COLLECT_REPS, 1e9 / n, "ns/obj");
	build_cycles(h, n, keep);
	gch_collect(h, 2);		/* settle into generation 2 */
	for (k = 0; k < COLLECT_REPS; k++) {
		t[k] = timed_collect(h, 2, &found);
		if (found != 0)
			die("collect freed live objects", EIO);
	}
	report_reps("collect_live", n, t, COLLECT_REPS, 1e9 / n, "ns/obj");
	for (i = 0; i < n / 2; i++)
		gch_decref(h, keep[i]);
	gch_close(h);
	free(keep);
}

static void cmd_pause(long n)
{
	struct gch_config cfg = { .max_objects = n + 100000 };
	gch_ref_t *keep = calloc(n / 2 + 1, sizeof(*keep));
	struct gch_heap *h = gch_open(&cfg);
	struct gch_stats st;
	double total = 0;
	char name[64];
	int round, found;

	if (!h || !keep || gch_disable(h))
		die("open", errno);
	build_cycles(h, n, keep);
	gch_collect(h, 1);
	gch_collect(h, 1);		/* all long-lived, in generation 2 */
	for (round = 0; round < 20; round++) {
		build_cycles(h, 700, NULL);
		total += timed_collect(h, 0, &found);
		if (found != 700)
			die("young collection", EIO);
	}
	gch_get_stats(h, &st);
	snprintf(name, sizeof(name), "young_pause_%ld", n);
	report(name, total * 1e9 / 20, "ns");
	gch_close(h);
	free(keep);
}

struct stall {
	struct gch_heap *h;
	gch_ref_t obj;
	int stop;
	double worst;
	long ops;
};

/* incref/decref, timing each op, until told to stop. */
static void *stall_loop(void *arg)
{
	struct stall *s = arg;
	double t0, t1;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		t0 = now();
		if (gch_incref(s->h, s->obj) || gch_decref(s->h, s->obj))
			die("incref/decref", errno);
		t1 = now();
		if ((t1 - t0) / 2 > s->worst)
			s->worst = (t1 - t0) / 2;
		s->ops += 2;
	}
	return NULL;
}

static void cmd_stall(long n)
{
	struct gch_config cfg = { .max_objects = n + 1024 };
	gch_ref_t *keep = calloc(n / 2 + 1, sizeof(*keep));
	struct gch_heap *h = gch_open(&cfg);
	struct stall s = { .h = h };
	char name[64];
	pthread_t t;
	double secs;
	int found;
	long i;

	if (!h || !keep || gch_disable(h) || gch_alloc(h, 0, 0, &s.obj))
		die("open", errno);
	build_cycles(h, n, keep);
	gch_collect(h, 2);		/* settle into generation 2 */
	pthread_create(&t, NULL, stall_loop, &s);
	usleep(100000);
	s.worst = 0;
	secs = timed_collect(h, 2, &found);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	if (found != 0)
		die("collect freed live objects", EIO);
	snprintf(name, sizeof(name), "stall_wait_%ld", n);
	report(name, s.worst * 1e9, "ns");
	snprintf(name, sizeof(name), "stall_collect_%ld", n);
	report(name, secs * 1e9, "ns");
	for (i = 0; i < n / 2; i++)
		gch_decref(h, keep[i]);
	gch_close(h);
	free(keep);
}

struct churn {
	long iters;
	bool getppid;			/* system calls alone: the control */
	pthread_barrier_t *start;	/* threads that start together, or NULL */
	double t0, t1;			/* when its ops began and ended */
};

/* The control: @c->iters getppid() calls, no heap. */
static void *churn_getppid(struct churn *c)
{
	if (c->start)
		pthread_barrier_wait(c->start);
	c->t0 = now();
	getppids(NULL, c->iters);
	c->t1 = now();
	return NULL;
}

/* Alloc/free mix on a heap of its own. */
static void *churn(void *arg)
{
	struct churn *c = arg;
	struct gch_heap *h;
	struct gch_batch *bt;
	long i;
	int j;

	if (c->getppid)
		return churn_getppid(c);
	h = gch_open(NULL);
	bt = h ? gch_batch_new(h, 256) : NULL;
	if (!bt)
		die("open", errno);
	for (j = 0; j < 128; j++) {
		gch_batch_alloc(bt, 2, 16);
		gch_batch_decref(bt, GCH_RESULT(2 * j));
	}
	if (c->start)
		pthread_barrier_wait(c->start);
	c->t0 = now();
	for (i = 0; i < c->iters; i += 256)
		if (gch_batch_submit(bt) != 256)
			die("batch", EIO);
	c->t1 = now();
	gch_batch_free(bt);
	gch_close(h);
	return NULL;
}

/*
 * One turn of the two-heap row: @iters alloc/free ops on each of two
 * threads, each on a heap of its own, started together once both heaps
 * are ready.  Return: from the first start to the last end.
 */
static double churn_two(long iters, bool getppid)
{
	pthread_barrier_t start;
	struct churn two[2];
	pthread_t t[2];
	int i;

	pthread_barrier_init(&start, NULL, 2);
	for (i = 0; i < 2; i++) {
		two[i] = (struct churn){ .iters = iters, .getppid = getppid,
					 .start = &start };
		pthread_create(&t[i], NULL, churn, &two[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	return (two[0].t1 > two[1].t1 ? two[0].t1 : two[1].t1) -
	       (two[0].t0 < two[1].t0 ? two[0].t0 : two[1].t0);
}

/*
 * One thread on one heap against two threads on two, in SLICES turns each,
 * one after the other, so that the host's drift (and whatever else it runs
 * meanwhile) weighs on both alike; then the same with getppid() alone, the
 * most two threads making system calls gain in this guest.
 */
static void cmd_heaps(void)
{
	static const char *const name[2][2] = {
		{ "heaps_1thread", "heaps_2threads" },
		{ "getppid_1thread", "getppid_2threads" },
	};
	const long iters = 2000000 / SLICES;
	double secs1, secs2;
	int s, k;

	for (k = 0; k < 2; k++) {
		struct churn one = { .iters = iters, .getppid = k };

		secs1 = 0;
		secs2 = 0;
		for (s = 0; s < SLICES; s++) {
			churn(&one);
			secs1 += one.t1 - one.t0;
			secs2 += churn_two(iters, k);
		}
		report(name[k][0], SLICES * iters / secs1 / 1e6, "Mops/s");
		report(name[k][1], 2 * SLICES * iters / secs2 / 1e6, "Mops/s");
	}
}

/* @n ioctls of @cmd with argument @arg (bare: an unknown command). */
static double ioctls(int fd, unsigned int cmd, unsigned long arg, long n)
{
	double t = now();
	long i;

	for (i = 0; i < n; i++)
		ioctl(fd, cmd, arg);
	return (now() - t) * 1e9 / n;
}

/*
 * What each single command costs, beside the bare ioctl: best read under
 * scripts/bench-ab (instruction counts), where the differences are the
 * instructions each step of a command adds.
 */
static void cmd_calls(long n)
{
	struct gch_heap *h = gch_open(NULL);
	struct gcheap_alloc a;
	gch_ref_t *refs = calloc(n, sizeof(*refs));
	unsigned int bare = BARE_IOCTL;
	double t;
	long i;
	int fd;

	if (!h || !refs || gch_disable(h))
		die("open", errno);
	fd = gch_fd(h);
	ioctls(fd, bare, 0, n);		/* warm up */
	report("calls_bare", ioctls(fd, bare, 0, n), "ns/op");
	a = (struct gcheap_alloc){ .nslots = 2, .size = 16, .flags = ~0U };
	report("calls_alloc_einval",
	       ioctls(fd, GCHEAP_IOC_ALLOC, (unsigned long)&a, n), "ns/op");
	t = now();
	for (i = 0; i < n; i++) {
		a = (struct gcheap_alloc){ .nslots = 2, .size = 16 };
		if (ioctl(fd, GCHEAP_IOC_ALLOC, &a))
			die("alloc", errno);
		refs[i] = a.ref;
	}
	report("calls_alloc", (now() - t) * 1e9 / n, "ns/op");
	t = now();
	for (i = 0; i < n; i++)
		ioctl(fd, GCHEAP_IOC_INCREF_VAL, refs[i]);
	report("calls_incref_val", (now() - t) * 1e9 / n, "ns/op");
	t = now();
	for (i = 0; i < n; i++)
		ioctl(fd, GCHEAP_IOC_DECREF_VAL, refs[i]);
	report("calls_decref_val", (now() - t) * 1e9 / n, "ns/op");
	t = now();
	for (i = 0; i < n; i++)
		ioctl(fd, GCHEAP_IOC_DECREF_VAL, refs[i]);
	report("calls_decref_val_last", (now() - t) * 1e9 / n, "ns/op");
	report("calls_decref_val_stale",
	       ioctls(fd, GCHEAP_IOC_DECREF_VAL, refs[0], n), "ns/op");
	report("calls_bare", ioctls(fd, bare, 0, n), "ns/op");
	free(refs);
	gch_close(h);
}

/* One class's 4096-op batch, again and again: a target for perf. */
static void cmd_loop(int cls, long rounds)
{
	struct gch_heap *h = gch_open(NULL);
	struct gch_batch *bt = h ? gch_batch_new(h, 4096) : NULL;
	gch_ref_t a, b;
	long i;

	if (!bt || gch_disable(h) || gch_alloc(h, 2, 16, &a) ||
	    gch_alloc(h, 2, 16, &b))
		die("open", errno);
	fill(bt, cls, 4096, a, b);
	for (i = 0; i < rounds; i++) {
		if (cls == 3) {
			single_allocs(h, 2048);
			continue;
		}
		if (cls == 4) {
			single_slots(h, a, b, 2048);
			continue;
		}
		if (gch_batch_submit(bt) != 4096)
			die("batch", EIO);
	}
	gch_close(h);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[2], NULL, 0) : 1000000;

	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "ops"))
		cmd_ops();
	else if (!strcmp(argv[1], "collect"))
		cmd_collect(n);
	else if (!strcmp(argv[1], "pause"))
		cmd_pause(n);
	else if (!strcmp(argv[1], "stall"))
		cmd_stall(n);
	else if (!strcmp(argv[1], "heaps"))
		cmd_heaps();
	else if (!strcmp(argv[1], "cycles"))
		cmd_cycles(n);
	else if (!strcmp(argv[1], "calls"))
		cmd_calls(argc > 2 ? n : 20000);
	else if (!strcmp(argv[1], "loop") && argc > 3)
		cmd_loop(atoi(argv[2]), atol(argv[3]));
	else
		goto usage;
	return 0;
usage:
	fprintf(stderr, "usage: gchbench ops | collect N | pause N | stall N | heaps | cycles N | calls [N] | loop CLS N\n");
	return 2;
}
