// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: the cycle collector's pass.
 *
 * CPython's algorithm (Modules/gcmodule.c, 3.12) over a heap's generation
 * lists: the refcount is the remembered set, so a collection of generation
 * g needs no roots from user space.  The set (generation g and the younger
 * ones, spliced into GCH_L_COLLECT) gets gc_refs = refcount, less the
 * references that come from inside the set; an object left above zero is
 * referenced from outside (program refs, older generations, events) and is
 * a root.  One pass over the set moves the objects at zero to the
 * unreachable list, and back again when a reachable object points at them.
 * Survivors are promoted to g + 1; the unreachable are freed.  Every walk
 * is over lists linked through the objects: no recursion.
 *
 * Slices
 *
 *   A pass is a state machine (struct gch_pass, enum gch_phase) that runs
 *   in slices: gch_pass_step() does a bounded amount of work (objects plus
 *   slots visited) under the heap's lock and returns; whoever drives the
 *   pass (collect.c) drops the lock between slices, so every other call on
 *   the heap runs while a collection proceeds.  Each walk keeps its place
 *   in h->pass.cursor, which gch_list_del() moves on when the object there
 *   leaves the list.  Run with an unlimited budget under one lock hold,
 *   the same code is the stop-the-world collection (gch_collect()).
 *
 * What a program sees while a pass runs (the mutation barrier)
 *
 *   From the moment an object gets its gc_refs until the pass decides,
 *   any operation that changes its count or its slots, or hands the
 *   program a new reference to it (incref, decref, SET_SLOT on it or to it,
 *   GET_SLOT, WEAKREF_GET, LIST, reading its FINALIZE event, ALLOC_MOVE,
 *   the release of an object pointing at it) touches it (gch_touch()): its
 *   gc_refs becomes GCH_GC_ROOT, and if the pass had put it on the
 *   unreachable list it goes back to the set, to be walked again.  So the
 *   pass frees only objects that no operation touched and no root reached:
 *   an untouched object's count and the slots naming it did not change
 *   since its gc_refs was taken, so its gc_refs counts exactly the
 *   references from outside the set, and what is freed was unreachable
 *   from the pass's start to its end.  Garbage made while a pass runs may
 *   float to the next one (counted in h->floating, at most the touched).
 *
 *   Allocations while a pass runs go to generation 0, outside the set; so
 *   do unfrozen objects (to generation 2).  Objects released by refcount
 *   leave the set as they would at any time.  Once decided, the garbage is
 *   gone to the program: its refs are stale (gch_lookup()) and its handles
 *   are held back from reuse until the pass ends (gch_handle_hold()), so
 *   that a slot of garbage not yet freed never names a new object.
 *   Weakrefs to the garbage are cleared and finalizers queued in the
 *   decision's one lock hold (GCH_PASS_DECIDE), before any of it is freed;
 *   the COLLECT event is queued when the pass ends.  freeze, LIST of
 *   objects or referrers, verify and the debugfs walks wait for a pass to
 *   end (gch_lock_idle()); nothing else waits for one.
 *
 * Locking: every function here runs under the heap's lock (see "Locking"
 * in gcheap.h); collect.c drops it between slices.
 */
#include <linux/ktime.h>
#include <linux/sched.h>

#include "gcheap.h"

#define CREATE_TRACE_POINTS
#include "gcheap_trace.h"

/*
 * Visit the objects of list @l from the cursor on, spending @budget: one
 * per object, one per slot.  @visit returns an object's cost and where the
 * walk goes next: the object's successor, read after a visit that keeps
 * the object (so that the walk sees what the visit appended), before one
 * that moves it to another list.  The cursor is kept in a local and
 * stored when the walk stops: nothing a visit calls reads it, and a
 * gch_list_del() on the way that moves h->pass.cursor is overridden.
 * Return: true when the list's end was reached.
 */
static __always_inline bool
gch_walk(struct gch_heap *h, enum gch_list l, long *budget,
	 long (*visit)(struct gch_heap *h, struct gch_obj *obj, u32 *next))
{
	const u64 *table = h->table;
	u32 head = GCH_HEAD(l), cur = h->pass.cursor;
	long left = *budget;

	while (cur != head && left > 0)
		left -= visit(h, gch_ent_obj(table[cur]), &cur);
	h->pass.cursor = cur;
	*budget = left;
	return cur == head;
}

/*
 * gc_refs = refcount; the barrier watches the object from now on.  Its
 * generation stays the one it came from until the pass decides.
 */
static __always_inline long gch_update_visit(struct gch_heap *h,
					     struct gch_obj *obj, u32 *next)
{
	WARN_ON_ONCE(!obj->refcnt);
	obj->gc_refs = obj->refcnt;
	obj->flags |= GCH_OF_COLLECTING;
	*next = obj->link.next;
	return 1;
}

/* The update walk: each object costs 1, so the budget spent counts the set. */
static bool gch_update_walk(struct gch_heap *h, enum gch_list l,
			    long *budget)
{
	long before = *budget;
	bool done = gch_walk(h, l, budget, gch_update_visit);

	h->pass.set += before - *budget;
	return done;
}

/*
 * Take away the references that come from inside the set.  The walks keep
 * the table, its length and the slot count in locals: their stores into
 * other objects would otherwise make the compiler load them again a slot.
 */
static __always_inline long gch_subtract_visit(struct gch_heap *h,
					       struct gch_obj *obj, u32 *next)
{
	const u64 *table = h->table;
	u32 used = h->table_used, n = gch_nslots(obj), i;
	const u32 *slots = gch_slots(obj);
	struct gch_obj *t;
	u64 ent;

	for (i = 0; i < n; i++) {
		ent = gch_slot_ent(table, used, slots[i]);
		if (ent & (GCH_ENT_FREE | GCH_ENT_WEAK))
			continue;
		t = gch_ent_obj(ent);
		if ((t->flags & GCH_OF_COLLECTING) && t->gc_refs &&
		    t->gc_refs != GCH_GC_ROOT)
			t->gc_refs--;
	}
	*next = obj->link.next;
	return 1 + n;
}

/* Back from the unreachable list to the end of list @l: walked again. */
static __always_inline void gch_unmark(struct gch_heap *h, enum gch_list l,
				       struct gch_obj *obj)
{
	gch_list_del(h, obj);
	gch_list_add_tail(h, l, obj);
	obj->flags &= ~GCH_OF_UNREACHABLE;
	h->pass.unreachable--;
}

/* A reachable object makes everything of the set it points at reachable. */
static __always_inline void gch_visit_reachable(struct gch_heap *h,
						enum gch_list l,
						struct gch_obj *obj, u32 n)
{
	const u64 *table = h->table;
	u32 used = h->table_used, i;
	const u32 *slots = gch_slots(obj);
	struct gch_obj *t;
	u64 ent;

	for (i = 0; i < n; i++) {
		ent = gch_slot_ent(table, used, slots[i]);
		if (ent & (GCH_ENT_FREE | GCH_ENT_WEAK))
			continue;
		t = gch_ent_obj(ent);
		if (!(t->flags & GCH_OF_COLLECTING))
			continue;
		if (t->flags & GCH_OF_UNREACHABLE) {
			/* Visited already: back to the tail, seen again. */
			gch_unmark(h, l, t);
			t->gc_refs = 1;
		} else if (!t->gc_refs) {
			/* Ahead of us in the list: reachable when we get there. */
			t->gc_refs = 1;
		}
	}
}

/*
 * The unreachable objects the move walk found in a row, still in place in
 * the set's list from @first to @last: they move to the unreachable list
 * in one splice when the row ends, not one by one.  Only the walk sees
 * them meanwhile: it flushes the row before it visits a reachable object
 * (whose slots may take one back, gch_unmark()) and when it stops.
 */
static void gch_run_flush(struct gch_heap *h, u32 first, u32 last)
{
	struct gch_link *head = &h->heads[GCH_L_UNREACHABLE];
	struct gch_link *f = &gch_at(h, first)->link;
	struct gch_link *l = &gch_at(h, last)->link;

	gch_link_at(h, f->prev)->next = l->next;
	gch_link_at(h, l->next)->prev = f->prev;
	f->prev = head->prev;
	gch_link_at(h, head->prev)->next = first;
	l->next = GCH_HEAD(GCH_L_UNREACHABLE);
	head->prev = last;
}

/*
 * Objects with gc_refs > 0 are reachable: they mark what they reach and
 * leave the set for generation gen + 1 (as CPython clears their
 * collecting flag here: nothing needs their gc_refs any more, and the
 * barrier no longer watches them); objects at 0 are, tentatively,
 * unreachable, and join the row (@first, @last; @first 0 for none) that
 * goes to the unreachable list.
 */
static __always_inline long gch_move_visit(struct gch_heap *h,
					   enum gch_list l,
					   struct gch_obj *obj,
					   u32 *first, u32 *last)
{
	struct gch_pass *p = &h->pass;
	u32 n = gch_nslots(obj);

	if (obj->gc_refs) {
		if (*first)
			gch_run_flush(h, *first, *last);
		*first = 0;
		gch_visit_reachable(h, l, obj, n);
		obj->flags &= ~GCH_OF_COLLECTING;
		obj->gen = p->next_gen;
		p->survivors++;
	} else {
		if (!*first)
			*first = obj->idx;
		*last = obj->idx;
		obj->flags |= GCH_OF_UNREACHABLE;
		p->unreachable++;
		p->special |= !!(obj->flags &
				 (GCH_OF_WEAKREFS | GCH_OF_FINALIZE));
	}
	return 1 + n;
}

/*
 * The move walk over list @l, as gch_walk() walks: the object's successor
 * is read after its visit, which leaves an unreachable object in place.
 */
static __always_inline bool gch_move_walk(struct gch_heap *h, enum gch_list l,
					  long *budget)
{
	const u64 *table = h->table;
	u32 head = GCH_HEAD(l), cur = h->pass.cursor, first = 0, last = 0;
	struct gch_obj *obj;
	long left = *budget;

	while (cur != head && left > 0) {
		obj = gch_ent_obj(table[cur]);
		left -= gch_move_visit(h, l, obj, &first, &last);
		cur = obj->link.next;
	}
	if (first)
		gch_run_flush(h, first, last);
	h->pass.cursor = cur;
	*budget = left;
	return cur == head;
}

/**
 * gch_pass_touched() - the barrier's slow path: a collecting object touched
 * @h: the heap, locked
 * @obj: an object of the set of the pass in progress
 *
 * Until the pass decides, the object is a root; if it was found
 * unreachable already, it goes back to be walked again.
 */
void gch_pass_touched(struct gch_heap *h, struct gch_obj *obj)
{
	struct gch_pass *p = &h->pass;

	lockdep_assert_held(&h->lock);
	if (p->phase < GCH_PASS_UPDATE || p->phase > GCH_PASS_MOVE)
		return;
	if (obj->gc_refs != GCH_GC_ROOT)
		p->touched++;
	obj->gc_refs = GCH_GC_ROOT;
	if (obj->flags & GCH_OF_UNREACHABLE)
		gch_unmark(h, GCH_L_COLLECT, obj);
}
EXPORT_SYMBOL_IF_KUNIT(gch_pass_touched);

/* The next walk of the set starts at its first object. */
static void gch_pass_next(struct gch_heap *h, enum gch_phase phase,
			  enum gch_list l)
{
	h->pass.phase = phase;
	h->pass.cursor = gch_list_first(h, l);
}

/*
 * GCH_DEBUG_SAVEALL: the garbage list keeps the unreachable set alive, one
 * reference per object, as CPython's gc.garbage does.
 */
static void gch_save_garbage(struct gch_heap *h)
{
	unsigned long work = 0;
	struct gch_obj *obj;
	struct gch_iter it;

	obj = gch_iter_start(&it, h, GCH_L_UNREACHABLE);
	for (; obj; obj = gch_iter_next(&it)) {
		obj->flags &= ~(GCH_OF_COLLECTING | GCH_OF_UNREACHABLE);
		obj->gen = GCH_NGEN - 1;
		obj->refcnt++;	/* the list's, once: GCH_REF_MAX left room */
		gch_resched(h, &work, 1);
	}
	gch_list_splice_tail(h, GCH_L_UNREACHABLE, GCH_L_GARBAGE);
	h->pass.unreachable = 0;
}

/* Weakrefs to the unreachable set are cleared before any finalizer runs. */
static void gch_clear_weakrefs(struct gch_heap *h)
{
	unsigned long work = 0;
	struct gch_obj *obj;
	struct gch_iter it;

	obj = gch_iter_start(&it, h, GCH_L_UNREACHABLE);
	for (; obj; obj = gch_iter_next(&it)) {
		if (obj->flags & GCH_OF_WEAKREFS)
			gch_weak_clear(h, obj);
		gch_resched(h, &work, 1);
	}
}

/* A walk of the rerun stopped at its budget: reschedule, then a new one. */
static void gch_rerun_yield(struct gch_heap *h, long *budget)
{
	gch_yield(h);
	*budget = GCH_RESCHED_WORK;
}

/*
 * Trial deletion again, over GCH_L_FINALIZERS, in one lock hold: the
 * walks stop every GCH_RESCHED_WORK of work to reschedule, and go on
 * where they stopped, as a pass's slices do.
 */
static void gch_rerun(struct gch_heap *h)
{
	long budget = GCH_RESCHED_WORK;

	gch_pass_next(h, GCH_PASS_DECIDE, GCH_L_FINALIZERS);
	while (!gch_update_walk(h, GCH_L_FINALIZERS, &budget))
		gch_rerun_yield(h, &budget);
	h->pass.cursor = gch_list_first(h, GCH_L_FINALIZERS);
	while (!gch_walk(h, GCH_L_FINALIZERS, &budget, gch_subtract_visit))
		gch_rerun_yield(h, &budget);
	h->pass.cursor = gch_list_first(h, GCH_L_FINALIZERS);
	while (!gch_move_walk(h, GCH_L_FINALIZERS, &budget))
		gch_rerun_yield(h, &budget);
}

/*
 * PEP 442: queue the FINALIZE event of each unreachable object not yet
 * finalized.  Each event holds a reference, so the set is run through
 * trial deletion again with those references as roots: what the events
 * keep alive goes to generation gen + 1 (the program may resurrect it; if
 * it does not, a later collection frees it without finalizing it again),
 * the rest stays unreachable.
 */
static void gch_finalize_unreachable(struct gch_heap *h)
{
	struct gch_pass *p = &h->pass;
	unsigned long work = 0;
	struct gch_obj *obj;
	bool any = false;
	struct gch_iter it;
	u64 survivors;

	obj = gch_iter_start(&it, h, GCH_L_UNREACHABLE);
	for (; obj; obj = gch_iter_next(&it)) {
		if (gch_wants_finalize(h, obj)) {
			gch_finalize(h, obj);
			any = true;
		}
		gch_resched(h, &work, 1);
	}
	if (!any)
		return;
	obj = gch_iter_start(&it, h, GCH_L_UNREACHABLE);
	for (; obj; obj = gch_iter_next(&it)) {
		obj->flags &= ~GCH_OF_UNREACHABLE;
		gch_resched(h, &work, 1);
	}
	gch_list_splice_tail(h, GCH_L_UNREACHABLE, GCH_L_FINALIZERS);
	p->unreachable = 0;
	survivors = p->survivors;
	gch_rerun(h);
	p->kept = p->survivors - survivors;
	gch_list_splice_tail(h, GCH_L_FINALIZERS,
			     GCH_L_GEN0 + p->next_gen);
}

/*
 * The walks are done: survivors join generation gen + 1 and what is left
 * on the unreachable list is garbage.  Weakrefs and finalizers are dealt
 * with here, in one piece; then the garbage is freed slice by slice.
 */
static void gch_pass_decide(struct gch_heap *h)
{
	struct gch_pass *p = &h->pass;

	gch_list_splice_tail(h, GCH_L_COLLECT,
			     GCH_L_GEN0 + p->next_gen);
	p->phase = GCH_PASS_DECIDE;
	p->cursor = 0;
	p->found = p->unreachable;
	if (p->special) {
		gch_clear_weakrefs(h);
		gch_finalize_unreachable(h);
	}
	if (h->gc_debug & GCH_DEBUG_SAVEALL)
		gch_save_garbage(h);
	p->phase = GCH_PASS_FREE;
}

/*
 * Free the garbage, one object at a time, spending @budget: drop its
 * references to objects outside the garbage (which may release those,
 * iteratively), then take it out of the heap.  Nothing outside the garbage
 * points into it, so no release reaches a member; a member's slot naming a
 * member already freed finds its handle free (held back from reuse), one
 * naming a member still to come finds it unreachable: both are skipped.
 * Nothing else changes the unreachable list meanwhile, so the members
 * freed are not unlinked one by one: the list is cut once, after them.
 * Return: true when all of it is freed.
 */
static bool gch_free_step(struct gch_heap *h, long *budget,
			  struct gch_reap *r)
{
	/* the table does not grow here: releases only give handles back */
	const u64 *table = h->table;
	u32 used = h->table_used, end = GCH_HEAD(GCH_L_UNREACHABLE);
	u32 next = h->heads[GCH_L_UNREACHABLE].next, i, n;
	long left = *budget, freed = 0;
	struct gch_obj *obj, *t;
	const u32 *slots;
	u64 ent;

	while (next != end && left > 0) {
		obj = gch_ent_obj(table[next]);
		next = obj->link.next;
		slots = gch_slots(obj);
		n = gch_nslots(obj);
		for (i = 0; i < n; i++) {
			ent = gch_slot_ent(table, used, slots[i]);
			if (ent & (GCH_ENT_FREE | GCH_ENT_WEAK))
				continue;
			t = gch_ent_obj(ent);
			if (!(t->flags & GCH_OF_UNREACHABLE))
				gch_decref(h, t, r);
		}
		obj->flags &= ~(GCH_OF_COLLECTING | GCH_OF_UNREACHABLE);
		left -= 1 + n;
		freed++;
		gch_obj_reap(h, obj, r);
	}
	h->pass.unreachable -= freed;
	*budget = left;
	h->heads[GCH_L_UNREACHABLE].next = next;
	gch_link_at(h, next)->prev = end;
	return next == end;
}

static unsigned int gch_pause_bucket(u64 ns)
{
	ns >>= GCH_PAUSE_SHIFT;
	return ns ? min_t(unsigned int, ilog2(ns), GCH_PAUSE_BUCKETS - 1) : 0;
}

/* CPython's bookkeeping after a collection, and the pass's figures. */
static void gch_pass_account(struct gch_heap *h)
{
	struct gch_pass *p = &h->pass;
	struct gch_gen *gen = &h->gen[p->gen];

	if (p->gen == GCH_NGEN - 2)
		h->long_lived_pending += p->survivors;
	if (p->gen == GCH_NGEN - 1) {
		h->long_lived_pending = 0;
		h->long_lived_total = p->survivors;
		h->full_mutations = p->mutations;
	}
	WRITE_ONCE(gen->stats.collections, gen->stats.collections + 1);
	WRITE_ONCE(gen->stats.collected,
		   gen->stats.collected + p->found - p->kept);
	WRITE_ONCE(gen->stats.uncollectable,
		   gen->stats.uncollectable + p->kept);
	h->floating += p->touched;
}

/* A lock hold of the pass: its figures, and the heap's once it is over. */
static void gch_pass_held(struct gch_heap *h, int gen, u64 ns, bool done)
{
	struct gch_pass *p = &h->pass;

	h->pause_hist[gen][gch_pause_bucket(ns)]++;
	p->slices++;
	p->hold_ns += ns;
	p->hold_max_ns = max(p->hold_max_ns, ns);
	if (!done)
		return;
	h->pause_ns_last = p->hold_max_ns;
	WRITE_ONCE(h->pause_ns_max, max(h->pause_ns_max, p->hold_max_ns));
	h->pause_ns_total += p->hold_ns;
	trace_gc_end(h->id, gen, p->found - p->kept, p->kept, p->hold_max_ns);
}

/* The pass is over: handles back, figures, the COLLECT event. */
static void gch_pass_finish(struct gch_heap *h)
{
	struct gch_pass *p = &h->pass;

	gch_handle_unhold(h);
	gch_list_init(h, GCH_L_UNREACHABLE);
	p->ns = ktime_get_ns() - p->t0;
	gch_pass_account(h);
	gch_event_collect(h, p->gen, p->found - p->kept, p->kept);
	if (p->found_to)
		*p->found_to = p->found;
	p->found_to = NULL;
	WRITE_ONCE(p->phase, GCH_PASS_IDLE);
	p->cursor = 0;
	p->done++;
	wake_up_all(&p->wait);
}

/**
 * gch_pass_start() - begin a collection of one generation and the younger
 * @h: the heap, locked, with no pass in progress
 * @generation: 0, 1 or 2
 *
 * Nothing is walked yet: the set is spliced together and the counts that
 * ask for collections are reset, as CPython does when it starts one
 * (allocations from now on count towards the next).
 */
void gch_pass_start(struct gch_heap *h, int generation)
{
	struct gch_pass *p = &h->pass;
	int g;

	lockdep_assert_held(&h->lock);
	for (g = 0; g <= generation; g++)
		gch_list_splice_tail(h, GCH_L_GEN0 + g, GCH_L_COLLECT);
	if (generation + 1 < GCH_NGEN &&
	    h->gen[generation + 1].count != U32_MAX)
		h->gen[generation + 1].count++;
	for (g = 0; g <= generation; g++)
		h->gen[g].count = 0;
	p->gen = generation;
	p->next_gen = min(generation + 1, GCH_NGEN - 1);
	p->special = false;
	p->set = 0;
	p->unreachable = 0;
	p->survivors = 0;
	p->kept = 0;
	p->touched = 0;
	p->found = 0;
	p->found_to = NULL;
	p->slices = 0;
	p->hold_ns = 0;
	p->hold_max_ns = 0;
	p->started++;
	p->t0 = ktime_get_ns();
	p->mutations = h->mutations;
	gch_pass_next(h, GCH_PASS_UPDATE, GCH_L_COLLECT);
}
EXPORT_SYMBOL_IF_KUNIT(gch_pass_start);

/*
 * The phases' work, in order, as far as @budget goes.  Its walks on a page
 * of their own, as the batch loop's (gch_batch_run_locked()).
 */
static __section(".text.gch_hot.collect") __aligned(PAGE_SIZE) bool
gch_pass_work(struct gch_heap *h, long *budget, struct gch_reap *r)
{
	struct gch_pass *p = &h->pass;

	switch (p->phase) {
	case GCH_PASS_UPDATE:
		if (!gch_update_walk(h, GCH_L_COLLECT, budget))
			return false;
		trace_gc_start(h->id, p->gen, p->set);
		gch_pass_next(h, GCH_PASS_SUBTRACT, GCH_L_COLLECT);
		fallthrough;
	case GCH_PASS_SUBTRACT:
		if (!gch_walk(h, GCH_L_COLLECT, budget, gch_subtract_visit))
			return false;
		gch_pass_next(h, GCH_PASS_MOVE, GCH_L_COLLECT);
		fallthrough;
	case GCH_PASS_MOVE:
		if (!gch_move_walk(h, GCH_L_COLLECT, budget))
			return false;
		gch_pass_decide(h);
		fallthrough;
	case GCH_PASS_FREE:
		if (!gch_free_step(h, budget, r))
			return false;
		gch_pass_finish(h);
		return true;
	default:
		return true;
	}
}

/**
 * gch_pass_step() - one slice of the pass in progress
 * @h: the heap, locked
 * @budget: the work the slice may do (objects plus slots); what is left
 * @r: collects what is freed, to be released after unlocking
 *
 * The lock hold is counted in the pass's figures and the heap's histogram.
 *
 * Return: true when no pass is in progress any more.
 */
bool gch_pass_step(struct gch_heap *h, long *budget, struct gch_reap *r)
{
	u64 t0 = ktime_get_ns();
	bool done;

	lockdep_assert_held(&h->lock);
	if (h->pass.phase == GCH_PASS_IDLE)
		return true;
	done = gch_pass_work(h, budget, r);
	gch_pass_held(h, h->pass.gen, ktime_get_ns() - t0, done);
	return done;
}
EXPORT_SYMBOL_IF_KUNIT(gch_pass_step);

/**
 * gch_pass_complete() - run the pass in progress to its end, in one hold
 * @h: the heap, locked
 * @r: collects what is freed, to be released after unlocking
 *
 * Under the lock the caller holds, rescheduling by the work done; the
 * hold counts as one slice of the pass.
 *
 * Return: how many unreachable objects the pass found, 0 when none was in
 * progress.
 */
u64 gch_pass_complete(struct gch_heap *h, struct gch_reap *r)
{
	u64 t0 = ktime_get_ns();
	long budget;

	lockdep_assert_held(&h->lock);
	if (h->pass.phase == GCH_PASS_IDLE)
		return 0;
	for (;;) {
		budget = GCH_RESCHED_WORK;
		if (gch_pass_work(h, &budget, r))
			break;
		gch_yield(h);
	}
	gch_pass_held(h, h->pass.gen, ktime_get_ns() - t0, true);
	return h->pass.found;
}

/**
 * gch_collect() - collect one generation and the younger, in one piece
 * @h: the heap, locked
 * @generation: 0, 1 or 2
 * @r: collects what is freed, to be released after unlocking
 *
 * The whole pass under the lock the caller holds (gch_pass_complete()).
 * Unreachable objects are freed, except those a finalizer (a FINALIZE
 * event queued now) keeps alive: those are counted as uncollectable.
 * Nothing is collected while a sliced pass is in progress.
 *
 * Return: how many unreachable objects were found, freed or kept.
 */
u64 gch_collect(struct gch_heap *h, int generation, struct gch_reap *r)
{
	lockdep_assert_held(&h->lock);
	if (h->pass.phase != GCH_PASS_IDLE)
		return 0;
	gch_pass_start(h, generation);
	return gch_pass_complete(h, r);
}
EXPORT_SYMBOL_IF_KUNIT(gch_collect);
