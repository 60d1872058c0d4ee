// SPDX-License-Identifier: GPL-2.0
/*
 * binary-trees (the Computer Language Benchmarks Game), with every node a
 * gcheap object of 2 slots, built and checked through batches.  Output is
 * the reference output, line for line.
 *
 * Trees are built bottom up, a level at a time, many trees at once, in
 * batches of up to GCHEAP_BATCH_MAX ops: a leaf is one ALLOC_MOVE of
 * nothing, a parent one ALLOC_MOVE that moves the references the program
 * held on its two children into its slots.  Nodes are sealed from the
 * start (GCH_ALLOC_SEALED), as the reference Python program's nodes are
 * tuples: a tree of them is never tracked, as CPython untracks tuples of
 * untracked tuples.  Checking walks the trees a level at a time with
 * PEEK_SLOT ops (borrowed refs: the root's reference keeps the tree
 * alive), reading a right child only where there is a left one, as the
 * reference program does; then it drops each root's reference, which
 * frees the whole tree in the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcheap.h"

static struct gch_heap *h;
static struct gch_batch *bt;

static void die(const char *what, int err)
{
	fprintf(stderr, "binarytrees: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void submit(int want)
{
	int ret = gch_batch_submit(bt);

	if (ret != want)
		die("batch", ret < 0 ? ret : EIO);
}

static gch_ref_t result(int i)
{
	gch_ref_t r = 0;

	gch_batch_result(bt, i, &r);
	return r;
}

/* What run() adds: one op per item. */
enum step { LEAF, PARENT, DROP };

/*
 * @n ops of one kind, a batch at a time: LEAF allocates a leaf, PARENT a
 * parent of in[2i] and in[2i + 1] (their refs move in), DROP drops in[i].
 * The results, if @out, go to out[i].
 */
static void run(enum step step, const gch_ref_t *in, gch_ref_t *out, long n)
{
	long done = 0, j;
	int i, k;

	while (done < n) {
		k = n - done > GCHEAP_BATCH_MAX ? GCHEAP_BATCH_MAX : n - done;
		gch_batch_reset(bt);
		for (i = 0; i < k; i++) {
			j = done + i;
			if (step == LEAF)
				gch_batch_alloc_sealed(bt, 2, 0, 0, 0);
			else if (step == PARENT)
				gch_batch_alloc_sealed(bt, 2, 0, in[2 * j],
						       in[2 * j + 1]);
			else
				gch_batch_decref(bt, in[j]);
		}
		submit(k);
		for (i = 0; out && i < k; i++)
			out[done + i] = result(i);
		done += k;
	}
}

/* @k trees of depth @d; roots in @roots.  @a and @b: scratch of 2^d * k. */
static void build(int d, long k, gch_ref_t *roots, gch_ref_t *a, gch_ref_t *b)
{
	long n = k << d;

	run(LEAF, NULL, a, n);
	while (n > k) {
		run(PARENT, a, b, n / 2);
		n /= 2;
		memcpy(a, b, n * sizeof(*a));
	}
	memcpy(roots, a, k * sizeof(*a));
}

/*
 * Read slot @slot of the @n objects in @objs, in batches of borrowed refs
 * (PEEK_SLOT).  The refs found go to @out, and the objects they were found
 * in are moved to the start of @objs, in order.  Return: how many.
 */
static long peek_level(gch_ref_t *objs, long n, int slot, gch_ref_t *out)
{
	long done, m = 0;
	int i, c;

	for (done = 0; done < n; done += c) {
		c = n - done > GCHEAP_BATCH_MAX ? GCHEAP_BATCH_MAX : n - done;
		gch_batch_reset(bt);
		for (i = 0; i < c; i++)
			gch_batch_peek_slot(bt, objs[done + i], slot);
		submit(c);
		for (i = 0; i < c; i++) {
			gch_ref_t r = result(i);

			if (r) {
				objs[m] = objs[done + i];
				out[m++] = r;
			}
		}
	}
	return m;
}

/*
 * Count the nodes of @k trees, a level at a time, as the reference program
 * checks a tree: a node's right child is read only when it has a left one.
 * Then drop the roots' references (handed over by the caller), which frees
 * the trees.  @level and @next: scratch.
 */
static long check(const gch_ref_t *roots, long k, gch_ref_t *level,
		  gch_ref_t *next)
{
	long count = 0, n = k, m;

	memcpy(level, roots, k * sizeof(*level));
	while (n) {
		count += n;
		m = peek_level(level, n, 0, next);
		m += peek_level(level, m, 1, next + m);
		memcpy(level, next, m * sizeof(*level));
		n = m;
	}
	run(DROP, roots, NULL, k);
	return count;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	int min_depth = 4, max_depth = n > min_depth + 2 ? n : min_depth + 2;
	long size = 1L << (max_depth + 2 > 14 ? max_depth + 2 : 14), iterations, k, i;
	gch_ref_t *a = malloc(size * sizeof(*a)), *b = malloc(size * sizeof(*b));
	gch_ref_t *roots = malloc(size * sizeof(*roots)), longlived;
	struct gch_config cfg = { .max_objects = 1 << 20 };
	int d;

	h = gch_open(&cfg);
	bt = h ? gch_batch_new(h, GCHEAP_BATCH_MAX) : NULL;
	if (!bt || !a || !b || !roots)
		die("setup", errno);

	build(max_depth + 1, 1, roots, a, b);
	printf("stretch tree of depth %d\t check: %ld\n", max_depth + 1,
	       check(roots, 1, a, b));

	build(max_depth, 1, &longlived, a, b);

	for (d = min_depth; d <= max_depth; d += 2) {
		long chk = 0;

		iterations = 1L << (max_depth - d + min_depth);
		/*
		 * A few trees at once, about 256 leaves: enough to fill a
		 * batch, few enough that they die young, as the depth-first
		 * reference program's trees do.  (8192 leaves at once made
		 * every node survive the young collections: 30 s at depth 16
		 * against 23 s.)
		 */
		k = (1L << 8) >> d;
		if (k < 1)
			k = 1;
		for (i = 0; i < iterations; i += k) {
			long m = iterations - i < k ? iterations - i : k;

			build(d, m, roots, a, b);
			chk += check(roots, m, a, b);
		}
		printf("%ld\t trees of depth %d\t check: %ld\n", iterations, d, chk);
	}
	printf("long lived tree of depth %d\t check: %ld\n", max_depth,
	       check(&longlived, 1, a, b));
	gch_batch_free(bt);
	gch_close(h);
	free(a);
	free(b);
	free(roots);
	return 0;
}
