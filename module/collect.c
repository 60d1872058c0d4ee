// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: when and how collections run.
 *
 * A pass (gc.c) runs in slices of gc_slice_work (a module parameter:
 * objects plus slots visited), driven by one thread: the heap's work item
 * on gcheap's workqueue for automatic collections, the caller of
 * GCHEAP_IOC_COLLECT for explicit ones.  The driver drops the heap's lock
 * between slices, so the program's other threads and processes run their
 * calls meanwhile; what they may see is written at the top of gc.c.  The
 * work item runs one slice a turn and queues itself again for the next
 * (gch_gc_slice()), so the automatic collections of every heap take turns
 * on the workqueue they all share.
 *
 * One pass at a time: a thread that needs the generations whole (an
 * explicit collection, freeze, LIST of objects or referrers, verify, the
 * debugfs walks) waits for the pass in progress without the lock
 * (gch_lock_idle()).  An allocation short of room still collects in one
 * piece, under the lock it holds (gch_collect_for_room()), after finishing
 * the pass in progress, if any, in the same hold.
 *
 * Locking: the heap's lock (see "Locking" in gcheap.h), dropped and taken
 * again between slices.  gch_wq is created at module load and destroyed at
 * unload, after every heap is gone; a heap cancels its work item before it
 * is freed (a pass the item was driving is left where it is: freeing the
 * heap frees every object its table names, in a list or not).
 */
#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "gcheap.h"

static struct workqueue_struct *gch_wq;

/*
 * Between slices: calls waiting for the lock get it before the pass goes
 * on (each waiter drops the count once it has the lock), for at most a
 * millisecond or so.
 */
static void gch_let_waiters_in(struct gch_heap *h)
{
	int i;

	for (i = 0; i < 20 && atomic_read(&h->lock_waiters); i++)
		usleep_range(50, 100);
}

/*
 * Run the pass just started to its end, dropping the lock between slices.
 * An allocation short of room may finish it meanwhile, and another pass
 * may have started since, which is not this driver's.
 */
static void gch_pass_drive(struct gch_heap *h, struct gch_reap *r)
{
	u64 mine = h->pass.started;
	long budget;

	for (;;) {
		/* gc_slice_work: about 1 ms under emulation (make bench) */
		budget = max(READ_ONCE(gch_slice_work), 1U);
		if (gch_pass_step(h, &budget, r))
			break;
		h->yields++;
		gch_heap_unlock(h, r);
		gch_let_waiters_in(h);
		cond_resched();
		mutex_lock(&h->lock);
		if (h->pass.started != mine)
			break;
	}
	if (h->gc_queued)	/* automatic runs wait for a pass to end */
		queue_work(gch_wq, &h->gc_work);
}

/**
 * gch_lock_idle() - take the heap's lock with no collection in progress
 * @h: the heap, unlocked
 *
 * Waits, without the lock, for the pass another thread drives to end; a
 * fatal signal ends the wait, so that a program sharing the heap with a
 * long collection can still be killed.
 *
 * Return: 0 with the lock held, or -EINTR without it.
 */
int gch_lock_idle(struct gch_heap *h)
{
	struct gch_pass *p = &h->pass;

	gch_heap_lock(h);
	while (p->phase != GCH_PASS_IDLE) {
		mutex_unlock(&h->lock);
		if (wait_event_killable(p->wait,
					READ_ONCE(p->phase) == GCH_PASS_IDLE))
			return -EINTR;
		gch_heap_lock(h);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_lock_idle);

/**
 * gch_collect_sliced() - an explicit collection, beside the program
 * @h: the heap, unlocked
 * @generation: 0, 1 or 2
 * @found: how many unreachable objects the collection found
 *
 * After the pass in progress, if any, ends: it began before the call, and
 * may have missed garbage made since.
 *
 * Return: 0, or -EINTR (a fatal signal while waiting) with nothing done.
 */
int gch_collect_sliced(struct gch_heap *h, int generation, u64 *found)
{
	struct gch_reap r = {};
	int ret;

	ret = gch_lock_idle(h);
	if (ret)
		return ret;
	*found = 0;
	gch_pass_start(h, generation);
	h->pass.found_to = found;
	gch_pass_drive(h, &r);
	gch_heap_unlock(h, &r);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_collect_sliced);

/**
 * gch_gc_pick() - the generation an automatic run collects
 * @h: the heap, locked
 *
 * The oldest generation whose count is over its threshold, except that the
 * oldest one waits until a quarter of the long-lived objects are new
 * (CPython's long-lived heuristic, issue 4074).
 *
 * Return: the generation, or -1 for none.
 */
VISIBLE_IF_KUNIT int gch_gc_pick(struct gch_heap *h)
{
	int g;

	lockdep_assert_held(&h->lock);
	if (!h->gc_enabled || !h->gen[0].threshold)
		return -1;
	for (g = GCH_NGEN - 1; g >= 0; g--) {
		if (h->gen[g].count <= h->gen[g].threshold)
			continue;
		if (g == GCH_NGEN - 1 &&
		    h->long_lived_pending < h->long_lived_total / 4)
			continue;
		return g;
	}
	return -1;
}
EXPORT_SYMBOL_IF_KUNIT(gch_gc_pick);

/*
 * A pass for @h's work item to start, if its user's heaps run fewer than
 * gc_passes_per_user: else @h waits in the user's parked heaps, its work
 * queued again when one of those passes ends (gch_gc_user_done()).
 */
static bool gch_gc_user_admit(struct gch_heap *h)
{
	unsigned int cap = READ_ONCE(gch_gc_passes_per_user);
	struct gch_user *u = h->user;
	bool ok;

	lockdep_assert_held(&h->lock);
	spin_lock(&u->lock);
	ok = !cap || u->passes < cap;
	if (ok)
		u->passes++;
	else if (list_empty(&h->gc_parked) && !h->gc_stopped)
		list_add_tail(&h->gc_parked, &u->parked);
	spin_unlock(&u->lock);
	h->gc_counted = ok;
	h->gc_queued = !ok;	/* allocations need not queue it: it waits */
	return ok;
}

/* @h's pass no longer counts: the user's first parked heap gets a turn. */
static void gch_gc_user_done(struct gch_heap *h)
{
	struct gch_user *u = h->user;
	struct gch_heap *next;

	if (!h->gc_counted)
		return;
	h->gc_counted = false;
	spin_lock(&u->lock);
	u->passes--;
	next = list_first_entry_or_null(&u->parked, struct gch_heap,
					gc_parked);
	if (next) {
		list_del_init(&next->gc_parked);
		queue_work(gch_wq, &next->gc_work);
	}
	spin_unlock(&u->lock);
}

/* One slice of the pass @h's work item drives. */
static bool gch_gc_step(struct gch_heap *h, long budget, struct gch_reap *r)
{
	if (!gch_pass_step(h, &budget, r)) {
		h->yields++;
		return true;
	}
	gch_gc_user_done(h);
	return h->gc_queued;
}

/**
 * gch_gc_slice() - one turn of the heap's automatic collection
 * @h: the heap, locked
 * @budget: the slice's work (gc_slice_work)
 * @r: collects what the slice frees
 *
 * Starts the pass the thresholds ask for when none is in progress, then
 * runs one slice of the pass.  The work item runs a slice a turn and
 * queues itself again for the next, behind whatever other heaps queued
 * meanwhile: a heap holds no worker of the shared workqueue between its
 * slices.  And one user's heaps run at most gc_passes_per_user automatic
 * passes at once; the others wait their turn, oldest first.  So a program
 * that keeps many heaps' long passes in flight delays another user's
 * automatic collections by a slice of at most that many of them, not by
 * their passes.  A pass someone else started (an explicit collection) is
 * its caller's to drive; it queues the work again when it ends, if the
 * thresholds asked meanwhile (@gc_queued).
 *
 * Return: true if the work should run again: its pass goes on, or the
 * thresholds asked for another collection while it ran.
 */
VISIBLE_IF_KUNIT bool gch_gc_slice(struct gch_heap *h, long budget,
				   struct gch_reap *r)
{
	int g;

	lockdep_assert_held(&h->lock);
	if (h->pass.phase != GCH_PASS_IDLE && h->pass.started == h->gc_pass)
		return gch_gc_step(h, budget, r);
	gch_gc_user_done(h);	/* an allocation short of room ended it */
	if (h->pass.phase != GCH_PASS_IDLE)
		return false;
	h->gc_queued = false;
	g = gch_gc_pick(h);
	if (g < 0 || !gch_gc_user_admit(h))
		return false;
	gch_pass_start(h, g);
	h->gc_pass = h->pass.started;
	return gch_gc_step(h, budget, r);
}
EXPORT_SYMBOL_IF_KUNIT(gch_gc_slice);

static void gch_gc_work(struct work_struct *work)
{
	struct gch_heap *h = container_of(work, struct gch_heap, gc_work);
	long budget = max(READ_ONCE(gch_slice_work), 1U);
	struct gch_reap r = {};
	bool again;

	mutex_lock(&h->lock);
	again = gch_gc_slice(h, budget, &r);
	gch_heap_unlock(h, &r);
	if (again) {
		gch_let_waiters_in(h);
		queue_work(gch_wq, &h->gc_work);
	}
}

/**
 * gch_gc_queue() - queue the heap's automatic collection
 * @h: the heap, locked, whose generation 0 is over its threshold
 *
 * Unless automatic collection is off (disabled, or threshold 0).
 */
void gch_gc_queue(struct gch_heap *h)
{
	lockdep_assert_held(&h->lock);
	if (h->gc_enabled && h->gen[0].threshold) {
		h->gc_queued = true;
		queue_work(gch_wq, &h->gc_work);
	}
}

/**
 * gch_collect_for_room() - a full collection before an allocation fails
 * @h: the heap, locked, whose limit an allocation would exceed
 * @r: collects what is freed
 *
 * Skipped when automatic collection is disabled, or when nothing that
 * could have made garbage happened since the last full collection.  A pass
 * between two slices is finished first, in this lock hold, so that an
 * allocation never fails for garbage that a collection in progress holds
 * back; its driver still reads what that pass found.
 *
 * Return: true if a collection ran and found something.
 */
bool gch_collect_for_room(struct gch_heap *h, struct gch_reap *r)
{
	u64 theirs;

	lockdep_assert_held(&h->lock);
	if (!h->gc_enabled || h->mutations == h->full_mutations)
		return false;
	theirs = gch_pass_complete(h, r);	/* a pass between slices */
	return gch_collect(h, GCH_NGEN - 1, r) + theirs > 0;
}

/* Move a list's objects to another, marking them with @gen. */
static u64 gch_move_all(struct gch_heap *h, enum gch_list from,
			enum gch_list to, int gen)
{
	unsigned long work = 0;
	struct gch_obj *obj;
	u64 count = 0;
	struct gch_iter it;

	obj = gch_iter_start(&it, h, from);
	for (; obj; obj = gch_iter_next(&it)) {
		obj->gen = gen;
		count++;
		gch_resched(h, &work, 1);
	}
	gch_list_splice_tail(h, from, to);
	return count;
}

/**
 * gch_freeze() - move every tracked object to the permanent generation
 * @h: the heap, locked
 */
void gch_freeze(struct gch_heap *h)
{
	int g;

	lockdep_assert_held(&h->lock);
	for (g = 0; g < GCH_NGEN; g++)
		h->nfrozen += gch_move_all(h, GCH_L_GEN0 + g, GCH_L_PERMANENT,
					   GCH_GEN_PERMANENT);
	h->gen[0].count = 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_freeze);

/**
 * gch_unfreeze() - move the permanent generation back into the oldest
 * @h: the heap, locked
 */
void gch_unfreeze(struct gch_heap *h)
{
	lockdep_assert_held(&h->lock);
	gch_move_all(h, GCH_L_PERMANENT, GCH_L_GEN0 + GCH_NGEN - 1,
		     GCH_NGEN - 1);
	h->nfrozen = 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_unfreeze);

/**
 * gch_gc_get() - the collector's controls and counts
 * @h: the heap, unlocked
 * @gc: filled in
 */
void gch_gc_get(struct gch_heap *h, struct gcheap_gc *gc)
{
	int g;

	gch_heap_lock(h);
	gc->enabled = h->gc_enabled;
	gc->debug = h->gc_debug;
	gc->event_mask = h->event_mask;
	for (g = 0; g < GCH_NGEN; g++) {
		gc->threshold[g] = h->gen[g].threshold;
		gc->count[g] = h->gen[g].count;
	}
	gc->freeze_count = h->nfrozen;
	mutex_unlock(&h->lock);
}
EXPORT_SYMBOL_IF_KUNIT(gch_gc_get);

/**
 * gch_gc_set() - apply the controls @gc->set names
 * @h: the heap, unlocked
 * @gc: validated by the caller
 */
void gch_gc_set(struct gch_heap *h, const struct gcheap_gc *gc)
{
	int g;

	gch_heap_lock(h);
	if (gc->set & GCH_GC_SET_ENABLED)
		h->gc_enabled = gc->enabled;
	if (gc->set & GCH_GC_SET_DEBUG)
		h->gc_debug = gc->debug;
	if (gc->set & GCH_GC_SET_EVENT_MASK)
		h->event_mask = gc->event_mask;
	if (gc->set & GCH_GC_SET_THRESHOLD)
		for (g = 0; g < GCH_NGEN; g++)
			h->gen[g].threshold = gc->threshold[g];
	gch_gc_note_alloc(h);
	mutex_unlock(&h->lock);
}
EXPORT_SYMBOL_IF_KUNIT(gch_gc_set);

/**
 * gch_gc_heap_init() - a new heap's collector state: enabled, nothing due
 * @h: the heap, not yet shared
 */
void gch_gc_heap_init(struct gch_heap *h)
{
	INIT_WORK(&h->gc_work, gch_gc_work);
	INIT_LIST_HEAD(&h->gc_parked);
	init_waitqueue_head(&h->pass.wait);
	h->gc_enabled = true;
	h->event_mask = GCH_EV_DEFAULT;
}

/**
 * gch_gc_heap_stop() - end a heap's automatic collections
 * @h: a heap nobody can reach any more
 *
 * Out of its user's parked heaps for good (so that nothing queues its work
 * any more), then waits for a turn of its work item in progress and
 * cancels the next; the pass it was driving, if any, gives its turn to
 * the user's next parked heap.
 */
void gch_gc_heap_stop(struct gch_heap *h)
{
	struct gch_user *u = h->user;

	spin_lock(&u->lock);
	h->gc_stopped = true;
	list_del_init(&h->gc_parked);
	spin_unlock(&u->lock);
	cancel_work_sync(&h->gc_work);
	mutex_lock(&h->lock);
	gch_gc_user_done(h);
	mutex_unlock(&h->lock);
}

/**
 * gch_gc_init() - create gcheap's workqueue
 *
 * Unbound, so collections of different heaps run in parallel on any CPU;
 * freezable, so none runs across suspend.
 *
 * Return: 0 or -ENOMEM.
 */
int gch_gc_init(void)
{
	gch_wq = alloc_workqueue("gcheap", WQ_UNBOUND | WQ_FREEZABLE, 0);
	return gch_wq ? 0 : -ENOMEM;
}

/**
 * gch_gc_exit() - destroy the workqueue, once every heap is gone
 */
void gch_gc_exit(void)
{
	destroy_workqueue(gch_wq);
}
