// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: allocation-site profiling.  Objects allocated with a tag are
 * counted per tag (live objects, live payload bytes, allocations ever), as
 * tracemalloc counts per traceback.  A heap keeps records for at most
 * GCH_MAX_TAGS distinct tags; objects with further tags are not counted.
 *
 * The records (h->tags) are under the heap's lock (see "Locking" in
 * gcheap.h); this file owns no lock.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "gcheap.h"

#define GCH_MAX_TAGS	65536

struct gch_tag {
	u64 live;
	u64 live_bytes;
	u64 allocations;
};

static u32 gch_tag_of(struct gch_obj *obj)
{
	struct gch_obj_ext *ext = gch_ext(obj);

	return ext ? ext->tag : 0;
}

/**
 * gch_tag_prepare() - make sure a new object's tag has a record
 * @h: the heap, locked
 * @obj: the object about to be published
 *
 * Return: 0, or -ENOMEM with nothing changed.
 */
int gch_tag_prepare(struct gch_heap *h, struct gch_obj *obj)
{
	u32 tag = gch_tag_of(obj);
	struct gch_tag *t;
	int ret;

	lockdep_assert_held(&h->lock);
	if (!tag || h->ntags >= GCH_MAX_TAGS || xa_load(&h->tags, tag))
		return 0;
	t = kzalloc(sizeof(*t), GCH_GFP);
	if (!t)
		return -ENOMEM;
	ret = xa_err(xa_store(&h->tags, tag, t, GCH_GFP));
	if (ret) {
		kfree(t);
		return ret;
	}
	h->ntags++;
	return 0;
}

/**
 * gch_tag_account() - count an object in or out of its tag's record
 * @h: the heap, locked
 * @obj: an object being published (@in) or freed
 * @in: true when published
 */
void gch_tag_account(struct gch_heap *h, struct gch_obj *obj, bool in)
{
	u32 tag = gch_tag_of(obj);
	struct gch_tag *t;

	lockdep_assert_held(&h->lock);
	if (!tag)
		return;
	t = xa_load(&h->tags, tag);
	if (!t)
		return;
	if (in) {
		t->live++;
		t->live_bytes += gch_size(obj);
		t->allocations++;
	} else {
		t->live--;
		t->live_bytes -= gch_size(obj);
	}
}

/**
 * gch_tags_destroy() - free a heap's tag records
 * @h: a heap being destroyed
 */
void gch_tags_destroy(struct gch_heap *h)
{
	struct gch_tag *t;
	unsigned long tag;

	xa_for_each(&h->tags, tag, t)
		kfree(t);
	xa_destroy(&h->tags);
}

static int gch_tag_cmp(const void *a, const void *b)
{
	const struct gcheap_tag_stat *x = a, *y = b;

	if (x->live_bytes != y->live_bytes)
		return x->live_bytes > y->live_bytes ? -1 : 1;
	if (x->live_objects != y->live_objects)
		return x->live_objects > y->live_objects ? -1 : 1;
	return x->tag < y->tag ? -1 : x->tag > y->tag;
}

/**
 * gch_tag_snapshot() - every tag's figures, largest live bytes first
 * @h: the heap, unlocked
 * @out: a kvmalloc'ed array for the caller to kvfree, or NULL if none
 * @n: its length
 *
 * Return: 0 or -ENOMEM.
 */
int gch_tag_snapshot(struct gch_heap *h, struct gcheap_tag_stat **out,
		     u32 *n)
{
	struct gcheap_tag_stat *s;
	struct gch_tag *t;
	unsigned long tag;
	u32 i = 0;

	gch_heap_lock(h);
	s = h->ntags ? kvmalloc_array(h->ntags, sizeof(*s), GFP_KERNEL) : NULL;
	if (h->ntags && !s) {
		mutex_unlock(&h->lock);
		return -ENOMEM;
	}
	xa_for_each(&h->tags, tag, t) {
		s[i] = (struct gcheap_tag_stat){
			.tag = tag, .live_objects = t->live,
			.live_bytes = t->live_bytes,
			.allocations = t->allocations,
		};
		i++;
	}
	mutex_unlock(&h->lock);
	sort(s, i, sizeof(*s), gch_tag_cmp, NULL);
	*out = s;
	*n = i;
	return 0;
}

/**
 * gch_ioc_tag_stats() - GCHEAP_IOC_TAG_STATS
 * @h: the heap
 * @arg: a struct gcheap_tag_stats, copied in
 *
 * Return: 0, -EINVAL, -ENOMEM or -EFAULT.
 */
int gch_ioc_tag_stats(struct gch_heap *h, void *arg)
{
	struct gcheap_tag_stats *a = arg;
	struct gcheap_tag_stat *s;
	u32 n;
	int ret;

	if (a->flags || a->count)
		return -EINVAL;
	ret = gch_tag_snapshot(h, &s, &n);
	if (ret)
		return ret;
	if (copy_to_user(u64_to_user_ptr(a->buf), s,
			 (size_t)min(n, a->cap) * sizeof(*s)))
		ret = -EFAULT;
	a->count = n;
	kvfree(s);
	return ret;
}
