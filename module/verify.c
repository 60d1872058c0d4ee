// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: a heap's invariants, checked on demand (debugfs <id>/verify):
 * every slot names a live object; every refcount is exactly the program's
 * references plus the slots, queued events and garbage list that name the
 * object (a weakref's: the program's plus its queued event's); every
 * tracked object is in exactly one list, the one of its generation, and no
 * untracked object is in any, nor names an object that may be tracked, nor
 * has a generation other than 0; the counters agree with what is there.
 * Prints "ok", or one line per violation (at most GCH_VERIFY_MAX).
 *
 * Runs under the heap's lock (see "Locking" in gcheap.h), which it holds
 * for one walk of the table, the lists and the event queue; it owns no
 * lock.
 */
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "gcheap.h"

#define GCH_VERIFY_MAX	20

struct gch_verify {
	struct seq_file *m;
	u32 *refs;		/* by index: slot and event references */
	u8 *seen;		/* by index: in a list */
	unsigned int bad;
};

static void gch_verify_bad(struct gch_verify *v, const char *what, u32 idx,
			   u64 a, u64 b)
{
	if (v->bad++ < GCH_VERIFY_MAX)
		seq_printf(v->m, "%s: index %u: %llu, expected %llu\n", what,
			   idx, a, b);
}

/* A weakref's count: the program's references and its queued event's. */
static void gch_verify_weak(struct gch_verify *v, u32 i, u64 ent)
{
	struct gch_weak *w = (struct gch_weak *)(uintptr_t)(ent & ~GCH_ENT_WEAK);
	u32 want = w->urefs + !list_empty(&w->node.link);

	if (w->refcnt != want)
		gch_verify_bad(v, "weakref refcount", i, w->refcnt, want);
}

/*
 * Count an object's slot references; check that they name live objects,
 * and none that may be tracked if the object is untracked.
 */
static void gch_verify_obj_slots(struct gch_heap *h, struct gch_verify *v,
				 struct gch_obj *obj, u32 i)
{
	u32 s, n = gch_nslots(obj), *slots = gch_slots(obj);
	struct gch_obj *t;

	for (s = 0; s < n; s++) {
		if (!slots[s])
			continue;
		t = gch_slot_obj(h, slots[s]);
		if (!t) {
			gch_verify_bad(v, "dangling slot", i, slots[s], 0);
			continue;
		}
		v->refs[slots[s]]++;
		if (!gch_tracked(obj) && gch_may_be_tracked(t))
			gch_verify_bad(v, "untracked slot", i, slots[s], 0);
	}
}

/* Count objects, weakrefs and slot references; check each object. */
static void gch_verify_slots(struct gch_heap *h, struct gch_verify *v,
			     u64 *objects, u64 *bytes, u64 *weak, u64 *mem)
{
	unsigned long work = 0;
	struct gch_obj *obj;
	u64 ent;
	u32 i;

	for (i = 1; i < h->table_used; i++) {
		ent = h->table[i];
		if (ent & GCH_ENT_FREE)
			continue;
		if (ent & GCH_ENT_WEAK) {
			++*weak;
			*mem += GCH_WEAK_MEM;
			gch_verify_weak(v, i, ent);
			continue;
		}
		obj = gch_at(h, i);
		++*objects;
		*bytes += gch_size(obj);
		*mem += gch_shape_mem(gch_nslots(obj), gch_size(obj), obj->flags);
		gch_resched(h, &work, 1 + gch_nslots(obj));
		if (obj->idx != i)
			gch_verify_bad(v, "object index", i, obj->idx, i);
		gch_verify_obj_slots(h, v, obj, i);
	}
}

/* Every list: each object once, in the list of its generation. */
static void gch_verify_lists(struct gch_heap *h, struct gch_verify *v,
			     u64 *frozen)
{
	static const u8 gen_of[] = { 0, 1, 2, GCH_GEN_PERMANENT };
	unsigned long work = 0;
	struct gch_obj *obj;
	struct gch_iter it;
	int l;

	for (l = 0; l <= GCH_L_GARBAGE; l++) {
		if (l == GCH_L_UNREACHABLE || l == GCH_L_FINALIZERS)
			continue;
		obj = gch_iter_start(&it, h, l);
		for (; obj; obj = gch_iter_next(&it)) {
			if (v->seen[obj->idx]++)
				gch_verify_bad(v, "in two lists", obj->idx, l, 0);
			if (l <= GCH_L_PERMANENT && obj->gen != gen_of[l])
				gch_verify_bad(v, "generation", obj->idx,
					       obj->gen, gen_of[l]);
			if (l == GCH_L_GARBAGE)
				v->refs[obj->idx]++;	/* the list's own */
			*frozen += l == GCH_L_PERMANENT;
			gch_resched(h, &work, 1);
		}
	}
}

/* Queued events hold references; count them and the queue. */
static u64 gch_verify_events(struct gch_heap *h, struct gch_verify *v)
{
	struct gch_evnode *n;
	struct gch_obj *obj;
	u64 count = 0;

	list_for_each_entry(n, &h->events, link) {
		count++;
		if (n->ev.type != GCH_EV_FINALIZE)
			continue;
		obj = gch_lookup(h, n->ev.ref);
		if (obj)
			v->refs[obj->idx]++;
		else
			gch_verify_bad(v, "event of a dead object", 0, n->ev.ref, 0);
	}
	return count;
}

static void gch_verify_objects(struct gch_heap *h, struct gch_verify *v)
{
	unsigned long work = 0;
	struct gch_obj *obj;
	u32 i;

	for (i = 1; i < h->table_used; i++) {
		gch_resched(h, &work, 1);
		if (h->table[i] & (GCH_ENT_FREE | GCH_ENT_WEAK))
			continue;
		obj = gch_at(h, i);
		if (obj->refcnt != obj->urefs + v->refs[i] || !obj->refcnt)
			gch_verify_bad(v, "refcount", i, obj->refcnt,
				       (u64)obj->urefs + v->refs[i]);
		if (gch_tracked(obj) != !!v->seen[i])
			gch_verify_bad(v, "tracked", i, v->seen[i], gch_tracked(obj));
		if (!gch_tracked(obj) && obj->gen)
			gch_verify_bad(v, "untracked generation", i, obj->gen, 0);
		if (obj->flags & (GCH_OF_COLLECTING | GCH_OF_UNREACHABLE))
			gch_verify_bad(v, "collector flags", i, obj->flags, 0);
	}
}

static void gch_verify_counter(struct gch_verify *v, const char *what,
			       u64 counted, u64 kept)
{
	if (counted != kept)
		gch_verify_bad(v, what, 0, kept, counted);
}

/**
 * gch_verify_show() - check a heap's invariants, printing what is wrong
 * @m: the seq_file of debugfs <id>/verify; m->private is the heap
 * @unused: seq_file's
 *
 * Return: 0, or -ENOMEM.
 */
int gch_verify_show(struct seq_file *m, void *unused)
{
	struct gch_verify v = { .m = m };
	u64 objects = 0, bytes = 0, weak = 0, frozen = 0, mem = 0, events;
	struct gch_heap *h = m->private;
	u32 len;

	if (gch_lock_idle(h))
		return -EINTR;
	len = h->table_used;
	v.refs = kvcalloc(len, sizeof(*v.refs), GFP_KERNEL);
	v.seen = kvcalloc(len, sizeof(*v.seen), GFP_KERNEL);
	if (!v.refs || !v.seen) {
		mutex_unlock(&h->lock);
		kvfree(v.refs);
		kvfree(v.seen);
		return -ENOMEM;
	}
	gch_verify_slots(h, &v, &objects, &bytes, &weak, &mem);
	gch_verify_lists(h, &v, &frozen);
	events = gch_verify_events(h, &v);
	gch_verify_objects(h, &v);
	gch_verify_counter(&v, "objects", objects, h->nobjects);
	gch_verify_counter(&v, "bytes", bytes, h->bytes);
	gch_verify_counter(&v, "mem", mem, h->mem);
	gch_verify_counter(&v, "weakrefs", weak, h->nweak);
	gch_verify_counter(&v, "frozen", frozen, h->nfrozen);
	gch_verify_counter(&v, "events", events, h->nevents);
	mutex_unlock(&h->lock);
	kvfree(v.refs);
	kvfree(v.seen);
	if (!v.bad)
		seq_puts(m, "ok\n");
	else if (v.bad > GCH_VERIFY_MAX)
		seq_printf(m, "%u more\n", v.bad - GCH_VERIFY_MAX);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_verify_show);
