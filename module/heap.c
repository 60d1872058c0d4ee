// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: heaps, their registry and their limits.
 *
 * Locking: this file owns gch_heaps_lock, which protects the registry of
 * live heaps (gch_heap_idr) and the open heaps per user (gch_user_heaps);
 * the retired totals it also covers live in debugfs.c.  No heap's lock is
 * ever taken under it.  A heap's own lock is described, with every other
 * lock and lockless field, under "Locking" in gcheap.h.
 */
#include <linux/cred.h>
#include <linux/idr.h>
#include <linux/pid.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "gcheap.h"

static DEFINE_MUTEX(gch_heaps_lock);
static DEFINE_IDR(gch_heap_idr);
/*
 * Each user's struct gch_user, by uid in the initial namespace, under
 * gch_heaps_lock.
 */
static DEFINE_XARRAY(gch_user_heaps);

/**
 * gch_heap_config() - apply limits and thresholds
 * @h: the heap, unlocked
 * @cfg: validated by the caller (flags 0)
 *
 * Return: 0.
 */
int gch_heap_config(struct gch_heap *h, const struct gcheap_config *cfg)
{
	u64 cap_objs = READ_ONCE(gch_max_objects);
	u64 cap_bytes = READ_ONCE(gch_max_bytes);
	bool dflt = !cfg->threshold[0] && !cfg->threshold[1] &&
		    !cfg->threshold[2];
	int g;

	gch_heap_lock(h);
	h->max_objects = cfg->max_objects ? min(cfg->max_objects, cap_objs) :
			 cap_objs;
	h->max_bytes = cfg->max_bytes ? min(cfg->max_bytes, cap_bytes) :
		       cap_bytes;
	for (g = 0; g < GCH_NGEN; g++)
		h->gen[g].threshold = dflt ? READ_ONCE(gch_threshold[g]) :
				      cfg->threshold[g];
	mutex_unlock(&h->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_heap_config);

/**
 * gch_heaps_sum() - what every heap did: the live ones and the closed ones
 * @t: zeroed by the caller, filled in
 *
 * No heap's lock is taken: a heap busy with a long collection must not
 * hold up the registry (every open and close) while this waits for it.
 */
void gch_heaps_sum(struct gch_totals *t)
{
	struct gch_heap *h;
	int id;

	mutex_lock(&gch_heaps_lock);
	idr_for_each_entry(&gch_heap_idr, h, id)
		gch_totals_add(h, t);
	gch_totals_retired(t);
	mutex_unlock(&gch_heaps_lock);
}
EXPORT_SYMBOL_IF_KUNIT(gch_heaps_sum);

/*
 * Count a heap against its user's cap, making the user's struct gch_user
 * at its first heap.  Return: 0, -EMFILE or -ENOMEM.
 */
static int gch_user_charge(struct gch_heap *h)
{
	unsigned long key = from_kuid(&init_user_ns, h->uid);
	unsigned int cap = READ_ONCE(gch_max_heaps_per_user);
	struct gch_user *u = xa_load(&gch_user_heaps, key);
	int ret;

	lockdep_assert_held(&gch_heaps_lock);
	if (!u) {
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u)
			return -ENOMEM;
		spin_lock_init(&u->lock);
		INIT_LIST_HEAD(&u->parked);
		ret = xa_err(xa_store(&gch_user_heaps, key, u, GFP_KERNEL));
		if (ret) {
			kfree(u);
			return ret;
		}
	}
	if (cap && u->heaps >= cap)
		return -EMFILE;	/* u has other heaps: kept */
	u->heaps++;
	h->user = u;
	return 0;
}

static void gch_user_uncharge(struct gch_heap *h)
{
	unsigned long key = from_kuid(&init_user_ns, h->uid);
	struct gch_user *u = h->user;

	lockdep_assert_held(&gch_heaps_lock);
	if (--u->heaps)
		return;
	WARN_ON_ONCE(u->passes || !list_empty(&u->parked));
	xa_erase(&gch_user_heaps, key);
	kfree(u);
}

/* Give the heap an id and charge its user.  Return: 0 or -errno. */
static int gch_heap_register(struct gch_heap *h)
{
	int id, ret;

	mutex_lock(&gch_heaps_lock);
	ret = gch_user_charge(h);
	if (ret)
		goto out;
	id = idr_alloc_cyclic(&gch_heap_idr, h, 1, GCH_HEAP_ID_MAX + 1,
			      GFP_KERNEL);
	if (id < 0) {
		gch_user_uncharge(h);
		ret = id == -ENOSPC ? -EMFILE : id;
		goto out;
	}
	h->id = id;
out:
	mutex_unlock(&gch_heaps_lock);
	return ret;
}

/**
 * gch_heap_create() - a new, empty heap with the module's defaults
 *
 * Return: the heap, or an ERR_PTR: -ENOMEM, or -EMFILE when every heap id
 * is taken or the user has max_heaps_per_user heaps open.
 */
struct gch_heap *gch_heap_create(void)
{
	static const struct gcheap_config dflt;
	struct gch_heap *h;
	int l, ret;

	h = kzalloc(sizeof(*h), GCH_GFP);
	if (!h)
		return ERR_PTR(-ENOMEM);
	mutex_init(&h->lock);
	mutex_init(&h->read_lock);
	h->uid = current_uid();
	for (l = 0; l < GCH_NHEADS; l++)
		gch_list_init(h, l);
	for (l = 0; l < GCH_NCELL; l++)
		INIT_LIST_HEAD(&h->chunks[l]);
	INIT_LIST_HEAD(&h->full_chunks);
	h->table_used = 1;	/* index 0 is never a ref */
	h->seq_base = get_random_u32() & GCH_SEQ_MASK;
	if (!h->seq_base)
		h->seq_base = 1;
	/* the sequence whose next, skipping 0, is seq_base */
	h->seq_last = h->seq_base == 1 ? GCH_SEQ_MASK : h->seq_base - 1;
	gch_gc_heap_init(h);
	gch_events_init(h);
	xa_init(&h->tags);
	h->owner_pid = task_tgid_nr(current);
	get_task_comm(h->owner_comm, current);
	gch_heap_config(h, &dflt);

	ret = gch_heap_register(h);
	if (ret) {
		mutex_destroy(&h->read_lock);
		mutex_destroy(&h->lock);
		kfree(h);
		return ERR_PTR(ret);
	}
	gch_debugfs_heap_add(h);
	return h;
}
EXPORT_SYMBOL_IF_KUNIT(gch_heap_create);

/**
 * gch_heap_destroy() - free a heap and everything in it
 * @h: a heap nobody can reach any more (its file is released)
 *
 * No finalizer runs and no refcount matters: every table entry is freed.
 */
void gch_heap_destroy(struct gch_heap *h)
{
	unsigned long work = 0;
	u32 i;

	gch_debugfs_heap_remove(h);
	gch_gc_heap_stop(h);
	mutex_lock(&gch_heaps_lock);
	idr_remove(&gch_heap_idr, h->id);
	gch_user_uncharge(h);
	gch_retire_stats(h);
	mutex_unlock(&gch_heaps_lock);

	gch_events_drop(h);
	for (i = 1; i < h->table_used; i++) {
		u64 ent = h->table[i];

		if (gch_resched_due(&work, 1))
			cond_resched();
		if (ent & GCH_ENT_FREE)
			continue;
		if (ent & GCH_ENT_WEAK)
			kfree((void *)(uintptr_t)(ent & ~GCH_ENT_WEAK));
		else if (!gch_obj_is_plain(gch_ent_obj(ent)))
			gch_obj_free(gch_ent_obj(ent));
	}
	gch_cache_drain(h);	/* the plain objects, chunk by chunk */
	gch_batch_heap_free(h);
	xa_destroy(&h->weak_heads);
	gch_tags_destroy(h);
	kvfree(h->table);
	mutex_destroy(&h->read_lock);
	mutex_destroy(&h->lock);
	kfree(h);
}
EXPORT_SYMBOL_IF_KUNIT(gch_heap_destroy);

/**
 * gch_ioc_stats() - GCHEAP_IOC_STATS: the heap's figures
 * @h: the heap
 * @arg: a struct gcheap_stats, filled in (the dispatcher copies out as
 *	 much of it as the caller's struct holds)
 *
 * Return: 0.
 */
int gch_ioc_stats(struct gch_heap *h, void *arg)
{
	struct gcheap_stats *st = arg;
	int g;

	gch_heap_lock(h);
	for (g = 0; g < GCH_NGEN; g++)
		st->gen[g] = h->gen[g].stats;
	st->objects = h->nobjects;
	st->bytes = h->bytes;
	st->allocated = h->allocated;
	st->freed = h->freed;
	st->weakrefs = h->nweak;
	st->pending_events = h->nevents;
	st->pause_ns_last = h->pause_ns_last;
	st->pause_ns_max = h->pause_ns_max;
	st->pause_ns_total = h->pause_ns_total;
	st->floating = h->floating;
	st->passes = h->pass.done;
	BUILD_BUG_ON(offsetof(struct gcheap_stats, floating) !=
		     GCHEAP_STATS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(*st) != GCHEAP_STATS_SIZE_VER1);
	BUILD_BUG_ON(sizeof(st->pause_hist) != sizeof(h->pause_hist));
	memcpy(st->pause_hist, h->pause_hist, sizeof(st->pause_hist));
	mutex_unlock(&h->lock);
	return 0;
}
