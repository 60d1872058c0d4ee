// SPDX-License-Identifier: GPL-2.0
/* binary-trees with malloc and free: the anchor gcheap is measured against. */
#include <stdio.h>
#include <stdlib.h>

struct node {
	struct node *left, *right;
};

static struct node *make(int d)
{
	struct node *n = malloc(sizeof(*n));

	if (!n)
		abort();
	n->left = d ? make(d - 1) : NULL;
	n->right = d ? make(d - 1) : NULL;
	return n;
}

static long check(const struct node *n)
{
	return n->left ? 1 + check(n->left) + check(n->right) : 1;
}

static void drop(struct node *n)
{
	if (n->left) {
		drop(n->left);
		drop(n->right);
	}
	free(n);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	int min_depth = 4, max_depth = n > min_depth + 2 ? n : min_depth + 2;
	struct node *t, *longlived;
	long i, iterations;
	int d;

	t = make(max_depth + 1);
	printf("stretch tree of depth %d\t check: %ld\n", max_depth + 1, check(t));
	drop(t);
	longlived = make(max_depth);
	for (d = min_depth; d <= max_depth; d += 2) {
		long chk = 0;

		iterations = 1L << (max_depth - d + min_depth);
		for (i = 0; i < iterations; i++) {
			t = make(d);
			chk += check(t);
			drop(t);
		}
		printf("%ld\t trees of depth %d\t check: %ld\n", iterations, d, chk);
	}
	printf("long lived tree of depth %d\t check: %ld\n", max_depth, check(longlived));
	drop(longlived);
	return 0;
}
