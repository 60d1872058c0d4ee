// SPDX-License-Identifier: MIT
/*
 * gcheap-demo: what `make run` shows.  Builds objects with cycles in a
 * heap, drops the program's references, collects, and prints what happened.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gcheap.h"

static int check(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "gcheap-demo: %s: %s\n", what, strerror(-ret));
		return -1;
	}
	return 0;
}

static void print_stats(struct gch_heap *h, const char *when)
{
	struct gch_stats st;
	int g;

	if (gch_get_stats(h, &st))
		return;
	printf("%-28s objects %6llu  bytes %8llu  allocated %6llu  freed %6llu\n",
	       when, (unsigned long long)st.objects,
	       (unsigned long long)st.bytes,
	       (unsigned long long)st.allocated, (unsigned long long)st.freed);
	for (g = 0; g < 3; g++)
		printf("%-28s gen%d: collections %llu collected %llu uncollectable %llu\n",
		       "", g, (unsigned long long)st.gen[g].collections,
		       (unsigned long long)st.gen[g].collected,
		       (unsigned long long)st.gen[g].uncollectable);
}

/* Two objects that point at each other, dropped by the program. */
static int make_cycle(struct gch_heap *h)
{
	gch_ref_t a, b;

	if (check(gch_alloc(h, 1, 8, &a), "alloc") ||
	    check(gch_alloc(h, 1, 8, &b), "alloc") ||
	    check(gch_set_slot(h, a, 0, b), "set_slot") ||
	    check(gch_set_slot(h, b, 0, a), "set_slot"))
		return -1;
	gch_decref(h, a);
	gch_decref(h, b);
	return 0;
}

/* Whether the background collector has caught up with generation 0. */
static int settled(struct gch_heap *h)
{
	uint32_t count[3], threshold[3];

	return gch_get_count(h, count) || gch_get_threshold(h, threshold) ||
	       count[0] <= threshold[0];
}

int main(void)
{
	struct gch_heap *h = gch_open(NULL);
	gch_ref_t head, prev;
	int i, found;

	if (!h) {
		perror("gcheap-demo: gch_open");
		return 1;
	}
	printf("heap %d opened\n", gch_heap_id(h));

	/* A chain of 1000 objects, freed by one decref. */
	if (check(gch_alloc(h, 1, 16, &head), "alloc"))
		return 1;
	prev = head;
	for (i = 0; i < 999; i++) {
		gch_ref_t n;

		if (check(gch_alloc(h, 1, 16, &n), "alloc") ||
		    check(gch_set_slot(h, prev, 0, n), "set_slot"))
			return 1;
		if (prev != head)
			gch_decref(h, prev);
		prev = n;
	}
	gch_decref(h, prev);
	print_stats(h, "chain of 1000 built:");
	gch_decref(h, head);
	print_stats(h, "chain dropped:");

	/* 100 two-object cycles, unreachable once the program drops them. */
	for (i = 0; i < 100; i++)
		if (make_cycle(h))
			return 1;
	print_stats(h, "100 cycles dropped:");
	found = gch_collect(h, 2);
	if (found >= 0)
		printf("gch_collect(2) found %d unreachable objects\n", found);
	else
		printf("gch_collect(2): %s\n", strerror(-found));
	print_stats(h, "after gch_collect(2):");

	/*
	 * 5000 more: generation 0's threshold (700) is crossed again and
	 * again, and the kernel's workqueue collects in the background.
	 */
	for (i = 0; i < 5000; i++)
		if (make_cycle(h))
			return 1;
	for (i = 0; i < 500 && !settled(h); i++)
		usleep(10000);
	print_stats(h, "5000 cycles, automatic runs:");
	gch_close(h);
	return 0;
}
