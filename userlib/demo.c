// SPDX-License-Identifier: MIT
/*
 * gcheap-demo: what `make run` shows.  Builds objects with cycles in a
 * heap, drops the program's references, collects, and prints what happened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

static long long live_objects(struct gch_heap *h)
{
	struct gch_stats st;

	return gch_get_stats(h, &st) ? -1 : (long long)st.objects;
}

/* Two objects that point at each other, dropped by the program. */
static int make_cycle(struct gch_heap *h)
{
	gch_ref_t a, b;

	struct gch_alloc_args cyc = { .nslots = 1, .size = 8, .tag = 2 };

	if (check(gch_alloc_ex(h, &cyc, &a), "alloc") ||
	    check(gch_alloc_ex(h, &cyc, &b), "alloc") ||
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

static const char *event_name(uint32_t type)
{
	switch (type) {
	case GCH_EV_WEAKREF:
		return "WEAKREF";
	case GCH_EV_FINALIZE:
		return "FINALIZE";
	default:
		return "COLLECT";
	}
}

/* Print and consume every pending event; return the FINALIZE ref, if any. */
static gch_ref_t drain_events(struct gch_heap *h)
{
	struct gch_event ev;
	gch_ref_t fin = 0;

	while (gch_next_event(h, &ev, 0) == 1) {
		printf("  event %-8s cookie %llu", event_name(ev.type),
		       (unsigned long long)ev.cookie);
		if (ev.type == GCH_EV_COLLECT)
			printf(" generation %u collected %llu uncollectable %llu",
			       ev.generation, (unsigned long long)ev.collected,
			       (unsigned long long)ev.uncollectable);
		printf("\n");
		if (ev.type == GCH_EV_FINALIZE)
			fin = ev.ref;
		else if (ev.type == GCH_EV_WEAKREF)
			gch_decref(h, ev.ref);	/* the event's reference */
	}
	return fin;
}

/*
 * A finalizable object in a cycle, watched by a weakref: the collector
 * clears the weakref (WEAKREF event), then finalizes the object (FINALIZE
 * event with a new reference), which the program resurrects by storing it;
 * once dropped again, it is freed without a second FINALIZE.
 */
static int weak_and_finalizer(struct gch_heap *h)
{
	struct gch_alloc_args fa = {
		.nslots = 1, .size = 8, .flags = GCH_ALLOC_FINALIZE, .cookie = 42,
	};
	gch_ref_t obj, peer, w, keeper, fin, got;
	int found;

	if (check(gch_set_event_mask(h, GCH_EV_DEFAULT | GCH_EV_COLLECT),
		  "set_event_mask") ||
	    check(gch_alloc_ex(h, &fa, &obj), "alloc_ex") ||
	    check(gch_alloc(h, 1, 8, &peer), "alloc") ||
	    check(gch_alloc(h, 1, 0, &keeper), "alloc") ||
	    check(gch_set_slot(h, obj, 0, peer), "set_slot") ||
	    check(gch_set_slot(h, peer, 0, obj), "set_slot") ||
	    check(gch_weakref(h, peer, GCH_WEAK_NOTIFY, 7, &w), "weakref"))
		return -1;
	gch_decref(h, obj);
	gch_decref(h, peer);
	printf("a finalizable object in a cycle, weakref (cookie 7) to its peer, dropped:\n");
	printf("gch_collect(2) found %d\n", gch_collect(h, 2));
	fin = drain_events(h);
	gch_weakref_get(h, w, &got);
	printf("  weakref now gives %s\n", got ? "the object" : "0 (cleared)");
	if (!fin)
		return -1;
	gch_set_slot(h, keeper, 0, fin);	/* the finalizer resurrects it */
	gch_decref(h, fin);
	found = gch_collect(h, 2);
	printf("resurrected by the finalizer: gch_collect(2) found %d, objects %lld\n",
	       found, live_objects(h));
	drain_events(h);
	gch_set_slot(h, keeper, 0, 0);
	found = gch_collect(h, 2);
	printf("dropped again: gch_collect(2) found %d, objects %lld (no second FINALIZE)\n",
	       found, live_objects(h));
	drain_events(h);
	gch_decref(h, keeper);
	gch_decref(h, w);
	return 0;
}

/*
 * What the kernel shows of this heap, through gcheapstat (its path in
 * $GCHEAPSTAT; debugfs is root's, as in the test guest).
 */
static void show_debugfs(struct gch_heap *h)
{
	const char *tool = getenv("GCHEAPSTAT");
	char cmd[512];
	gch_ref_t keep[3];
	int i;

	if (!tool)
		return;
	for (i = 0; i < 3; i++) {		/* something live to show */
		struct gch_alloc_args a = { .size = 100 * (i + 1), .tag = 10 + i };

		gch_alloc_ex(h, &a, &keep[i]);
	}
	printf("\n$ gcheapstat -H %d\n", gch_heap_id(h));
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "%s -H %d", tool, gch_heap_id(h));
	if (system(cmd))
		return;
	printf("\n$ gcheapstat --tags -H %d\n", gch_heap_id(h));
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "%s --tags -H %d", tool, gch_heap_id(h));
	if (system(cmd))
		return;
	printf("\n$ gcheapstat --dot -H %d | head -5\n", gch_heap_id(h));
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "%s --dot -H %d | head -5", tool, gch_heap_id(h));
	if (system(cmd))
		return;
	for (i = 0; i < 3; i++)
		gch_decref(h, keep[i]);
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
	printf("gch_collect(2) found %d unreachable objects\n", gch_collect(h, 2));
	if (weak_and_finalizer(h))
		return 1;
	show_debugfs(h);
	gch_close(h);
	return 0;
}
