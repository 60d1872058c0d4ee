// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: where objects' memory comes from and goes back to.
 *
 * Objects live in gcheap's own slab caches, one per size class of header +
 * ext record + inline data.  Each heap keeps the plain objects it freed in
 * its object cache for its next allocations; the rest go back to the slab
 * once the heap lock is dropped (struct gch_reap).  The object cache is
 * under the heap lock; the slab caches and their live counts lock
 * themselves.  See "Locking" in gcheap.h.
 */
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <linux/seq_file.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "gcheap.h"

/*
 * Size classes of the header + ext + inline data, one slab cache each.  The
 * smallest class is 40, not 32 (the header): every cache carries a
 * non-empty usercopy region (which is also what keeps it unmerged before
 * 6.5), so an object with no data at all still gets 8 bytes of one.
 */
const u16 gch_class_size[GCH_NCLASS] = {
	GCH_CLASS_MIN, 48, 56, 64, 80, 96, 128, 192, GCH_INLINE_MAX,
};
EXPORT_SYMBOL_IF_KUNIT(gch_class_size);

static struct kmem_cache *gch_caches[GCH_NCLASS];
static struct percpu_counter gch_class_live[GCH_NCLASS];
u8 gch_class_by8[GCH_INLINE_MAX / 8 + 1] __ro_after_init;
EXPORT_SYMBOL_IF_KUNIT(gch_class_by8);
/* gch_shape_mem() of plain objects by header + data in words (gch_obj_mem()) */
u16 gch_plain_mem[GCH_INLINE_MAX / 8 + 1] __ro_after_init;

/**
 * gch_slab_init() - create gcheap's slab caches
 *
 * One cache per size class, accounted to the allocating task's memory
 * cgroup, never merged with other caches (so that /proc/slabinfo and
 * failslab see them as gcheap's), with the data area whitelisted for user
 * copies.
 *
 * Return: 0 or -ENOMEM.
 */
int gch_slab_init(void)
{
	unsigned int i, c = 0;
	char name[32];

	BUILD_BUG_ON(sizeof(struct gch_obj) != 32);
	BUILD_BUG_ON(sizeof(struct gch_obj_ext) != 24);

	for (i = 0; i < ARRAY_SIZE(gch_class_by8); i++) {
		while (gch_class_size[c] < i * 8)
			c++;
		gch_class_by8[i] = c;
		gch_plain_mem[i] = gch_class_size[c] + sizeof(u64);
	}
	for (i = 0; i < GCH_NCLASS; i++) {
		unsigned int sz = gch_class_size[i];

		snprintf(name, sizeof(name), "gcheap_obj-%u", sz);
		if (percpu_counter_init(&gch_class_live[i], 0, GFP_KERNEL)) {
			gch_slab_exit();
			return -ENOMEM;
		}
		gch_caches[i] = kmem_cache_create_usercopy(name, sz, 8,
							   SLAB_ACCOUNT |
							   GCH_SLAB_NO_MERGE,
							   sizeof(struct gch_obj),
							   sz - sizeof(struct gch_obj),
							   NULL);
		if (!gch_caches[i]) {
			gch_slab_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * gch_slab_exit() - destroy gcheap's slab caches (all heaps closed)
 */
void gch_slab_exit(void)
{
	unsigned int i;

	for (i = 0; i < GCH_NCLASS; i++) {
		kmem_cache_destroy(gch_caches[i]);
		gch_caches[i] = NULL;
		percpu_counter_destroy(&gch_class_live[i]);
	}
}

/* The header, the data or its gch_outline, the ext record (word aligned). */
static unsigned int gch_class_for(u32 nslots, u32 size, unsigned int flags)
{
	size_t bytes = sizeof(struct gch_outline);

	if (gch_is_inline(nslots, size, flags))
		bytes = gch_data_bytes(nslots, size);
	if (flags & GCH_OF_EXT)
		bytes = ALIGN(bytes, sizeof(u64)) + gch_ext_bytes(flags);
	bytes += sizeof(struct gch_obj);
	return gch_class_by8[DIV_ROUND_UP(bytes, 8)];
}

/* Take an object from its class's cache, or give it back. */
static void *gch_class_alloc(unsigned int c, gfp_t gfp)
{
	void *p = kmem_cache_zalloc(gch_caches[c], gfp);

	if (p)
		percpu_counter_inc(&gch_class_live[c]);
	return p;
}

static void gch_class_free(unsigned int c, void *p)
{
	kmem_cache_free(gch_caches[c], p);
	percpu_counter_dec(&gch_class_live[c]);
}

/* Objects released together go back to their cache together. */
#define GCH_BULK_FREE	32

static void gch_class_free_bulk(unsigned int c, void **p, unsigned int n)
{
	kmem_cache_free_bulk(gch_caches[c], n, p);
	percpu_counter_sub(&gch_class_live[c], n);
}

/*
 * The heap's object cache: each heap keeps up to GCH_CACHE_BYTES of the
 * plain objects it freed, by size class, for its next allocations, and
 * refills an empty class GCH_CACHE_REFILL objects at a time, so that an
 * allocation and a release cost neither a slab call nor a lock of the
 * slab's.  All of it under the heap lock; freed with the heap.
 */
#define GCH_CACHE_REFILL	32

/**
 * gch_cache_refill() - fill an empty class of the heap's object cache
 * @h: the heap, locked
 * @c: the size class
 *
 * Return: 0, or -ENOMEM when the slab has no memory.
 */
int gch_cache_refill(struct gch_heap *h, unsigned int c)
{
	void *objs[GCH_CACHE_REFILL];
	unsigned int i;

	lockdep_assert_held(&h->lock);
	if (!kmem_cache_alloc_bulk(gch_caches[c], GCH_GFP, GCH_CACHE_REFILL,
				   objs))
		return -ENOMEM;
	percpu_counter_add(&gch_class_live[c], GCH_CACHE_REFILL);
	for (i = 0; i < GCH_CACHE_REFILL; i++)
		gch_cache_push(h, c, objs[i]);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_cache_refill);

/**
 * gch_cache_return() - give back an object from gch_cache_take() never published
 * @h: the heap, locked
 * @obj: the object
 */
void gch_cache_return(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	gch_cache_push(h, gch_class_for(gch_nslots(obj), obj->size, 0), obj);
}
EXPORT_SYMBOL_IF_KUNIT(gch_cache_return);

/**
 * gch_cache_drain() - a heap's cached objects back to the slab
 * @h: a heap being freed
 */
void gch_cache_drain(struct gch_heap *h)
{
	void *bulk[GCH_BULK_FREE];
	unsigned int c, n;

	for (c = 0; c < GCH_NCLASS; c++) {
		while (h->cache[c]) {
			for (n = 0; h->cache[c] && n < GCH_BULK_FREE; n++) {
				bulk[n] = h->cache[c];
				h->cache[c] = h->cache[c]->free_next;
			}
			gch_class_free_bulk(c, bulk, n);
		}
	}
	h->cache_bytes = 0;
	h->cache_count = 0;
}

/**
 * gch_slab_show() - each cache's name, object size and live objects
 * @m: where to print them, one "key value" line each
 */
void gch_slab_show(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < GCH_NCLASS; i++)
		seq_printf(m, "slab_%u_objects %lld\n", gch_class_size[i],
			   percpu_counter_sum(&gch_class_live[i]));
}

/**
 * gch_obj_alloc() - allocate an object, not yet in any heap
 * @a: its shape, already validated against the module's limits
 * @gfp: allocation flags (GCH_GFP)
 *
 * The object holds one reference (the caller's) and zeroed slots and
 * payload.  Nothing is locked.
 *
 * Return: the object or NULL.
 */
struct gch_obj *gch_obj_alloc(const struct gcheap_alloc *a, gfp_t gfp)
{
	unsigned int flags = 0;
	struct gch_obj *obj;
	bool inl;
	void *data;

	if (a->flags & GCH_ALLOC_FINALIZE)
		flags |= GCH_OF_FINALIZE;
	if (flags || a->tag || a->cookie)
		flags |= GCH_OF_EXT;

	obj = gch_class_alloc(gch_class_for(a->nslots, a->size, flags), gfp);
	if (!obj)
		return NULL;
	obj->refcnt = 1;
	obj->urefs = 1;
	obj->flags = flags;
	obj->sealed = !!(a->flags & GCH_ALLOC_SEALED);
	obj->size = a->size;
	/* before the ext record is written: its place depends on the shape */
	inl = gch_is_inline(a->nslots, a->size, flags);
	obj->nslots8 = inl ? a->nslots : GCH_NSLOTS_OUTLINE;
	if (flags & GCH_OF_EXT) {
		gch_ext(obj)->tag = a->tag;
		gch_ext(obj)->cookie = a->cookie;
	}
	if (flags & GCH_OF_FINALIZE) {
		struct gch_evnode *fin = kzalloc(sizeof(*fin), gfp);

		if (!fin)
			goto fail;
		INIT_LIST_HEAD(&fin->link);
		fin->ev.type = GCH_EV_FINALIZE;
		fin->ev.cookie = a->cookie;
		gch_ext(obj)->fin = fin;
	}
	if (!inl) {
		data = kvzalloc(gch_data_bytes(a->nslots, a->size), gfp);
		if (!data)
			goto fail;
		gch_outline(obj)->data = data;
		gch_outline(obj)->nslots = a->nslots;
	}
	return obj;

fail:
	if (flags & GCH_OF_EXT)
		kfree(gch_ext(obj)->fin);
	gch_class_free(gch_class_for(a->nslots, a->size, flags), obj);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_alloc);

/**
 * gch_alloc_is_plain() - whether objects of a shape come from a heap's cache
 * @a: the shape, validated
 *
 * Return: true for no flags but GCH_ALLOC_SEALED, no tag or cookie, and
 * data that fits inline.
 */
bool gch_alloc_is_plain(const struct gcheap_alloc *a)
{
	return !(a->flags & ~GCH_ALLOC_SEALED) && !a->tag && !a->cookie &&
	       gch_is_inline(a->nslots, a->size, 0);
}

/* Free what an object has beside its slab object. */
static void gch_obj_free_extras(struct gch_obj *obj)
{
	if (obj->flags & GCH_OF_EXT)
		kfree(gch_ext(obj)->fin);
	if (!gch_obj_is_inline(obj))
		kvfree(gch_data(obj));
}

/**
 * gch_obj_free() - free an object's memory
 * @obj: an object in no heap, or one whose heap is gone
 */
void gch_obj_free(struct gch_obj *obj)
{
	gch_obj_free_extras(obj);
	gch_class_free(gch_class_for(gch_nslots(obj), obj->size, obj->flags), obj);
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_free);

/**
 * gch_shape_mem() - the kernel memory an object costs its heap's byte limit
 * @nslots: its slots
 * @size: its payload bytes
 * @flags: its GCH_OF_* (GCH_OF_EXT and GCH_OF_FINALIZE matter)
 *
 * Its slab object (header, ext record, inline slots and payload), the data
 * allocated beside it, its FINALIZE event, and its handle table entry.
 *
 * Return: bytes.
 */
u64 gch_shape_mem(u32 nslots, u32 size, unsigned int flags)
{
	u64 mem = gch_class_size[gch_class_for(nslots, size, flags)] +
		  sizeof(u64);

	if (!gch_is_inline(nslots, size, flags))
		mem += gch_data_bytes(nslots, size);
	if (flags & GCH_OF_FINALIZE)
		mem += sizeof(struct gch_evnode);
	return mem;
}
EXPORT_SYMBOL_IF_KUNIT(gch_shape_mem);

/* gch_reap_free() for a non-empty list (its buffer costs a clear). */
static noinline void gch_reap_free_list(struct gch_reap *r)
{
	struct gch_obj *obj = r->head, *next;
	void *bulk[GCH_BULK_FREE];
	unsigned int n = 0, c = 0, oc;
	unsigned long done = 0;

	for (; obj; obj = next) {
		next = obj->free_next;
		if (gch_obj_is_plain(obj)) {
			oc = gch_plain_class(obj);
		} else {
			gch_obj_free_extras(obj);
			oc = gch_class_for(gch_nslots(obj), obj->size,
					   obj->flags);
		}
		if (n && (oc != c || n == GCH_BULK_FREE)) {
			gch_class_free_bulk(c, bulk, n);
			n = 0;
		}
		c = oc;
		bulk[n++] = obj;
		if (gch_resched_due(&done, 1))
			cond_resched();
	}
	if (n)
		gch_class_free_bulk(c, bulk, n);
	r->head = NULL;
}

/**
 * gch_reap_free() - free what a locked section released
 * @r: the released objects; emptied
 *
 * Called without the heap lock.
 */
void gch_reap_free(struct gch_reap *r)
{
	if (r->head)
		gch_reap_free_list(r);
}
EXPORT_SYMBOL_IF_KUNIT(gch_reap_free);
