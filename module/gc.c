// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: the generational cycle collector.
 *
 * CPython's algorithm (Modules/gcmodule.c, 3.12) over a heap's generation
 * lists: the refcount is the remembered set, so a collection of generation
 * g needs no roots from user space.  It merges the younger generations
 * into g, copies each object's refcount into gc_refs and subtracts the
 * references that come from inside the set; an object left above zero is
 * referenced from outside (program refs, older generations, events) and is
 * a root.  One pass over the list moves the objects at zero to the
 * unreachable list, and back again when a reachable object points at them.
 * Survivors are promoted to g + 1; the unreachable are freed: their
 * references out of the set dropped, their memory released after the lock.
 * Every walk is over lists linked through the objects: no recursion.
 *
 * Locking
 *
 *   The whole collection runs under the heap's lock (see "Locking" in
 *   gcheap.h), which it holds for as long as the walks take and no longer: the memory of what
 *   it frees is released after unlocking.  The pause, the time the lock is
 *   held, is recorded per heap.  The heap's work item runs on gcheap's own
 *   workqueue and takes only that heap's lock, so other heaps never wait.
 *   gch_wq is created at module load and destroyed at unload, after every
 *   heap is gone; a heap cancels its work item before it is freed.
 */
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "gcheap.h"

#define CREATE_TRACE_POINTS
#include "gcheap_trace.h"

static struct workqueue_struct *gch_wq;

/*
 * gc_refs = refcount, for every object of the set; flag it collecting.
 * Return: the size of the set.
 */
static unsigned long gch_update_refs(struct gch_heap *h, enum gch_list l,
				     int gen)
{
	unsigned long n = 0, work = 0;
	struct gch_obj *obj;
	struct gch_iter it;

	obj = gch_iter_start(&it, h, l);
	for (; obj; obj = gch_iter_next(&it)) {
		WARN_ON_ONCE(!obj->refcnt);
		obj->gc_refs = obj->refcnt;
		obj->gen = gen;
		obj->flags |= GCH_OF_COLLECTING;
		gch_resched(h, &work, 1);
		n++;
	}
	return n;
}

/* Take away the references that come from inside the set. */
static void gch_subtract_refs(struct gch_heap *h, enum gch_list l)
{
	u32 used = h->table_used;
	struct gch_obj *obj, *t;
	unsigned long work = 0;
	struct gch_iter it;
	u32 i;

	obj = gch_iter_start(&it, h, l);
	for (; obj; obj = gch_iter_next(&it)) {
		u32 *slots = gch_slots(obj);

		for (i = 0; i < obj->nslots; i++) {
			t = gch_slot_in(it.table, used, slots[i]);
			if (t && (t->flags & GCH_OF_COLLECTING))
				t->gc_refs--;
		}
		gch_resched(h, &work, 1 + obj->nslots);
	}
}

/* A reachable object makes everything of the set it points at reachable. */
static void gch_visit_reachable(struct gch_heap *h, enum gch_list young,
				struct gch_obj *obj)
{
	u32 *slots = gch_slots(obj);
	struct gch_obj *t;
	u32 i;

	for (i = 0; i < obj->nslots; i++) {
		t = gch_slot_obj(h, slots[i]);
		if (!t || !(t->flags & GCH_OF_COLLECTING))
			continue;
		if (t->flags & GCH_OF_UNREACHABLE) {
			/* Visited already: back to the tail, seen again. */
			gch_list_del(h, t);
			gch_list_add_tail(h, young, t);
			t->flags &= ~GCH_OF_UNREACHABLE;
			t->gc_refs = 1;
		} else if (!t->gc_refs) {
			/* Ahead of us in the list: reachable when we get there. */
			t->gc_refs = 1;
		}
	}
}

/* A reachable object is done: out of the set, into generation @gen. */
static void gch_survive(struct gch_heap *h, enum gch_list young,
			struct gch_obj *obj, int gen)
{
	gch_visit_reachable(h, young, obj);
	obj->flags &= ~GCH_OF_COLLECTING;
	obj->gen = gen;
}

/*
 * One pass over @young: objects with gc_refs > 0 are reachable, mark what
 * they reach and leave the set for generation @gen (as CPython clears
 * their collecting flag here: nothing needs their gc_refs any more);
 * objects at 0 move, tentatively, to the unreachable list.  Objects moved
 * back are appended to @young, so the pass sees them again.  @special is
 * set if an object moved to the unreachable list has weakrefs or a
 * finalizer.
 * Return: the reachable objects.
 */
static u64 gch_move_unreachable(struct gch_heap *h, enum gch_list young,
				int gen, bool *special)
{
	struct gch_obj *obj;
	unsigned long work = 0;
	u32 idx = gch_list_first(h, young);
	u64 survivors = 0;

	while (idx != GCH_HEAD(young)) {
		obj = gch_at(h, idx);
		if (obj->gc_refs) {
			gch_survive(h, young, obj, gen);
			survivors++;
			idx = obj->link.next;
		} else {
			idx = obj->link.next;
			gch_list_del(h, obj);
			gch_list_add_tail(h, GCH_L_UNREACHABLE, obj);
			obj->flags |= GCH_OF_UNREACHABLE;
			*special |= obj->flags &
				    (GCH_OF_WEAKREFS | GCH_OF_FINALIZE);
		}
		gch_resched(h, &work, 1 + obj->nslots);
	}
	return survivors;
}

/* Survivors (already out of the set) join generation @gen's list. */
static void gch_promote(struct gch_heap *h, enum gch_list young, int gen)
{
	if (young != GCH_L_GEN0 + gen)
		gch_list_splice_tail(h, young, GCH_L_GEN0 + gen);
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
}

/*
 * Free the unreachable set, one member at a time: drop its references to
 * objects outside the set (which may release those, iteratively), then
 * take it out of the heap.  Nothing outside the set points into it, so no
 * release reaches a member; a member's slot naming a member already taken
 * out finds its handle free, as one naming a member still to come finds
 * it unreachable: both are skipped.  Nothing is allocated meanwhile, so no
 * freed handle is reused.  Members are not unlinked one by one: the list
 * is emptied at the end.
 */
static void gch_free_unreachable(struct gch_heap *h, struct gch_reap *r)
{
	struct gch_obj *obj, *t;
	unsigned long work = 0;
	struct gch_iter it;
	u32 i;

	obj = gch_iter_start(&it, h, GCH_L_UNREACHABLE);
	for (; obj; obj = gch_iter_next(&it)) {
		u32 *slots = gch_slots(obj);

		for (i = 0; i < obj->nslots; i++) {
			t = gch_slot_obj(h, slots[i]);
			slots[i] = 0;
			if (t && !(t->flags & GCH_OF_UNREACHABLE))
				gch_decref(h, t, r);
		}
		obj->flags &= ~(GCH_OF_COLLECTING | GCH_OF_UNREACHABLE);
		gch_resched(h, &work, 1 + obj->nslots);
		gch_obj_reap(h, obj, r);
	}
	gch_list_init(h, GCH_L_UNREACHABLE);
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

/*
 * PEP 442: queue the FINALIZE event of each unreachable object not yet
 * finalized.  Each event holds a reference, so the set is run through
 * trial deletion again with those references as roots: what the events
 * keep alive goes to generation @gen (the program may resurrect it; if it
 * does not, a later collection frees it without finalizing it again), the
 * rest stays unreachable.
 * Return: how many unreachable objects the events keep.
 */
static u64 gch_finalize_unreachable(struct gch_heap *h, int gen)
{
	struct gch_obj *obj;
	bool any = false;
	struct gch_iter it;
	u64 kept;

	obj = gch_iter_start(&it, h, GCH_L_UNREACHABLE);
	for (; obj; obj = gch_iter_next(&it)) {
		if (gch_wants_finalize(h, obj)) {
			gch_finalize(h, obj);
			any = true;
		}
	}
	if (!any)
		return 0;
	obj = gch_iter_start(&it, h, GCH_L_UNREACHABLE);
	for (; obj; obj = gch_iter_next(&it))
		obj->flags &= ~GCH_OF_UNREACHABLE;
	gch_list_splice_tail(h, GCH_L_UNREACHABLE, GCH_L_FINALIZERS);
	gch_update_refs(h, GCH_L_FINALIZERS, gen);
	gch_subtract_refs(h, GCH_L_FINALIZERS);
	kept = gch_move_unreachable(h, GCH_L_FINALIZERS, gen, &any);
	gch_promote(h, GCH_L_FINALIZERS, gen);
	return kept;
}

/* CPython's bookkeeping after a collection of @gen. */
static void gch_account(struct gch_heap *h, int gen, u64 survivors,
			u64 found, u64 kept, u64 ns)
{
	int g;

	if (gen + 1 < GCH_NGEN && h->gen[gen + 1].count != U32_MAX)
		h->gen[gen + 1].count++;
	for (g = 0; g <= gen; g++)
		h->gen[g].count = 0;
	if (gen == GCH_NGEN - 2)
		h->long_lived_pending += survivors;
	if (gen == GCH_NGEN - 1) {
		h->long_lived_pending = 0;
		h->long_lived_total = survivors;
		h->full_mutations = h->mutations;
	}
	h->gen[gen].stats.collections++;
	h->gen[gen].stats.collected += found - kept;
	h->gen[gen].stats.uncollectable += kept;
	h->pause_ns_last = ns;
	h->pause_ns_max = max(h->pause_ns_max, ns);
	h->pause_ns_total += ns;
}

/**
 * gch_collect() - collect one generation and the younger ones
 * @h: the heap, locked
 * @generation: 0, 1 or 2
 * @r: collects what is freed, to be released after unlocking
 *
 * Unreachable objects are freed, except those a finalizer (a FINALIZE
 * event queued now) keeps alive: those are counted as uncollectable.
 *
 * Return: how many unreachable objects were found, freed or kept.
 */
u64 gch_collect(struct gch_heap *h, int generation, struct gch_reap *r)
{
	enum gch_list young = GCH_L_GEN0 + generation;
	int older = min(generation + 1, GCH_NGEN - 1);
	u64 t0 = ktime_get_ns(), found, survivors, kept = 0;
	bool special = false;
	int g;

	lockdep_assert_held(&h->lock);
	for (g = 0; g < generation; g++)
		gch_list_splice_tail(h, GCH_L_GEN0 + g, young);
	found = gch_update_refs(h, young, generation);
	trace_gc_start(h->id, generation, found);
	gch_subtract_refs(h, young);
	survivors = gch_move_unreachable(h, young, older, &special);
	gch_promote(h, young, older);
	found -= survivors;
	if (special) {
		gch_clear_weakrefs(h);
		kept = gch_finalize_unreachable(h, older);
	}
	if (h->gc_debug & GCH_DEBUG_SAVEALL)
		gch_save_garbage(h);
	else
		gch_free_unreachable(h, r);
	t0 = ktime_get_ns() - t0;
	gch_account(h, generation, survivors + kept, found, kept, t0);
	gch_event_collect(h, generation, found - kept, kept);
	trace_gc_end(h->id, generation, found - kept, kept, t0);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(gch_collect);

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

static void gch_gc_work(struct work_struct *work)
{
	struct gch_heap *h = container_of(work, struct gch_heap, gc_work);
	struct gch_reap r = {};
	int g;

	mutex_lock(&h->lock);
	h->gc_queued = false;
	g = gch_gc_pick(h);
	if (g >= 0)
		gch_collect(h, g, &r);
	gch_heap_unlock(h, &r);
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
 * could have made garbage happened since the last full collection.
 *
 * Return: true if a collection ran and found something.
 */
bool gch_collect_for_room(struct gch_heap *h, struct gch_reap *r)
{
	lockdep_assert_held(&h->lock);
	if (!h->gc_enabled || h->mutations == h->full_mutations)
		return false;
	return gch_collect(h, GCH_NGEN - 1, r) > 0;
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

	mutex_lock(&h->lock);
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

	mutex_lock(&h->lock);
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
	h->gc_enabled = true;
	h->event_mask = GCH_EV_DEFAULT;
}

/**
 * gch_gc_heap_stop() - wait for a heap's collection and cancel the next
 * @h: a heap nobody can reach any more
 */
void gch_gc_heap_stop(struct gch_heap *h)
{
	cancel_work_sync(&h->gc_work);
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
