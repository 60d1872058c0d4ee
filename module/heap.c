// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: heaps, handles and reference-counted objects.
 *
 * Locking
 *
 *   gch_heaps_lock (mutex) protects gch_heap_idr, the registry of live heaps
 *   by id, and gch_user_heaps, the open heaps per user.  No heap's lock is
 *   taken under it: the global statistics read a heap's counters without
 *   it (gch_totals_add()).
 *
 *   gch_heap.lock (mutex, one per heap) protects everything of that heap:
 *   the handle table, every object's header, slots and payload, the
 *   generation lists, the object cache, counters, limits and statistics.
 *   It is a mutex so that long walks (releasing a chain of a million
 *   objects, a collection) may reschedule.  It is never held across a copy
 *   to or from user space: callers copy into kernel buffers first.  Memory
 *   of objects released under it is freed after it is dropped (struct
 *   gch_reap), past what the heap's object cache keeps.  Plain objects (no
 *   ext record, data inline) come from that cache under the lock, refilled
 *   from the slab in bulk there when empty; other objects are allocated
 *   before the lock is taken.
 *
 * Different heaps share no lock on any object path.
 */
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <linux/seq_file.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "gcheap.h"

static DEFINE_MUTEX(gch_heaps_lock);
static DEFINE_IDR(gch_heap_idr);
/* Open heaps per user (uid in the initial namespace), under gch_heaps_lock. */
static DEFINE_XARRAY(gch_user_heaps);

/*
 * Size classes of the header + ext + inline data, one slab cache each.  The
 * smallest class is 48, not 40 (the header): every cache carries a
 * non-empty usercopy region (which is also what keeps it unmerged before
 * 6.5), so an object with no data at all still gets 8 bytes of one.
 */
static const u16 gch_class_size[GCH_NCLASS] = {
	48, 56, 64, 80, 96, 128, 192, GCH_INLINE_MAX,
};

static struct kmem_cache *gch_caches[GCH_NCLASS];
static struct percpu_counter gch_class_live[GCH_NCLASS];
static u8 gch_class_by8[GCH_INLINE_MAX / 8 + 1];

/**
 * gch_heap_cache_init() - create gcheap's slab caches
 *
 * One cache per size class, accounted to the allocating task's memory
 * cgroup, never merged with other caches (so that /proc/slabinfo and
 * failslab see them as gcheap's), with the data area whitelisted for user
 * copies.
 *
 * Return: 0 or -ENOMEM.
 */
int gch_heap_cache_init(void)
{
	unsigned int i, c = 0;
	char name[32];

	BUILD_BUG_ON(sizeof(struct gch_obj) != 40);
	BUILD_BUG_ON(sizeof(struct gch_obj_ext) != 24);

	for (i = 0; i < ARRAY_SIZE(gch_class_by8); i++) {
		while (gch_class_size[c] < i * 8)
			c++;
		gch_class_by8[i] = c;
	}
	for (i = 0; i < GCH_NCLASS; i++) {
		unsigned int sz = gch_class_size[i];

		snprintf(name, sizeof(name), "gcheap_obj-%u", sz);
		if (percpu_counter_init(&gch_class_live[i], 0, GFP_KERNEL)) {
			gch_heap_cache_exit();
			return -ENOMEM;
		}
		gch_caches[i] = kmem_cache_create_usercopy(name, sz, 8,
							   SLAB_ACCOUNT |
							   GCH_SLAB_NO_MERGE,
							   sizeof(struct gch_obj),
							   sz - sizeof(struct gch_obj),
							   NULL);
		if (!gch_caches[i]) {
			gch_heap_cache_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * gch_heap_cache_exit() - destroy gcheap's slab caches (all heaps closed)
 */
void gch_heap_cache_exit(void)
{
	unsigned int i;

	for (i = 0; i < GCH_NCLASS; i++) {
		kmem_cache_destroy(gch_caches[i]);
		gch_caches[i] = NULL;
		percpu_counter_destroy(&gch_class_live[i]);
	}
}

static unsigned int gch_class_for(u32 nslots, u32 size, unsigned int flags)
{
	size_t bytes = sizeof(struct gch_obj) + gch_ext_bytes(flags);

	if (gch_is_inline(nslots, size, flags))
		bytes += gch_data_bytes(nslots, size);
	else
		bytes += sizeof(void *);
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
#define GCH_CACHE_BYTES		(256U << 10)
#define GCH_CACHE_REFILL	32

static bool gch_obj_plain(const struct gch_obj *obj)
{
	return !(obj->flags & GCH_OF_EXT) &&
	       gch_is_inline(obj->nslots, obj->size, 0);
}

/* Push a free slab object of class @c on the heap's cache. */
static void gch_cache_push(struct gch_heap *h, unsigned int c, void *p)
{
	struct gch_obj *obj = p;

	h->cache_bytes += gch_class_size[c];
	h->cache_count++;
	obj->free_next = h->cache[c];
	h->cache[c] = obj;
}

/* Keep a dead plain object in the cache if there is room.  Return: kept. */
static bool gch_cache_put(struct gch_heap *h, struct gch_obj *obj)
{
	unsigned int c;

	if (!gch_obj_plain(obj))
		return false;
	c = gch_class_for(obj->nslots, obj->size, 0);
	if (h->cache_bytes + gch_class_size[c] > GCH_CACHE_BYTES)
		return false;
	gch_cache_push(h, c, obj);
	return true;
}

static int gch_cache_refill(struct gch_heap *h, unsigned int c)
{
	void *objs[GCH_CACHE_REFILL];
	unsigned int i;

	if (!kmem_cache_alloc_bulk(gch_caches[c], GCH_GFP, GCH_CACHE_REFILL,
				   objs))
		return -ENOMEM;
	percpu_counter_add(&gch_class_live[c], GCH_CACHE_REFILL);
	for (i = 0; i < GCH_CACHE_REFILL; i++)
		gch_cache_push(h, c, objs[i]);
	return 0;
}

/*
 * Clear a cached object a word at a time: at these sizes memset()'s string
 * instruction costs more than the stores (and under emulation, such as
 * QEMU's TCG, it runs a byte at a time).  The barrier keeps the compiler
 * from turning the loop back into a memset() call.
 */
static void gch_zero_words(void *p, size_t bytes)
{
	u64 *w = p;
	size_t i;

	for (i = 0; i < bytes / sizeof(u64); i++) {
		w[i] = 0;
		barrier();
	}
}

/**
 * gch_obj_get() - a new plain object, from the heap's cache
 * @h: the heap, locked
 * @nslots: slots, as validated
 * @size: payload bytes, for which gch_is_inline(@nslots, @size, 0) holds
 *
 * As gch_obj_new() makes it: one reference, zeroed slots and payload, in
 * no heap yet.  Give it back with gch_obj_put() if it is not published.
 *
 * Return: the object, or NULL when the slab has no memory.
 */
struct gch_obj *gch_obj_get(struct gch_heap *h, u32 nslots, u32 size)
{
	unsigned int c = gch_class_for(nslots, size, 0);
	struct gch_obj *obj;

	lockdep_assert_held(&h->lock);
	if (!h->cache[c] && gch_cache_refill(h, c))
		return NULL;
	obj = h->cache[c];
	h->cache[c] = obj->free_next;
	h->cache_bytes -= gch_class_size[c];
	h->cache_count--;
	gch_zero_words(obj, gch_class_size[c]);
	obj->refcnt = 1;
	obj->urefs = 1;
	obj->nslots = nslots;
	obj->size = size;
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_get);

/**
 * gch_obj_put() - give back an object from gch_obj_get() never published
 * @h: the heap, locked
 * @obj: the object
 */
void gch_obj_put(struct gch_heap *h, struct gch_obj *obj)
{
	lockdep_assert_held(&h->lock);
	gch_cache_push(h, gch_class_for(obj->nslots, obj->size, 0), obj);
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_put);

/* A heap's cached objects back to the slab (the heap is being freed). */
static void gch_cache_drain(struct gch_heap *h)
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
 * gch_obj_new() - allocate an object, not yet in any heap
 * @a: its shape, already validated against the module's limits
 * @gfp: allocation flags (GCH_GFP)
 *
 * The object holds one reference (the caller's) and zeroed slots and
 * payload.  Nothing is locked.
 *
 * Return: the object or NULL.
 */
struct gch_obj *gch_obj_new(const struct gcheap_alloc *a, gfp_t gfp)
{
	unsigned int flags = 0;
	struct gch_obj *obj;
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
	obj->nslots = a->nslots;
	obj->size = a->size;
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
	if (!gch_is_inline(a->nslots, a->size, flags)) {
		data = kvzalloc(gch_data_bytes(a->nslots, a->size), gfp);
		if (!data)
			goto fail;
		*(void **)((u8 *)(obj + 1) + gch_ext_bytes(flags)) = data;
	}
	return obj;

fail:
	if (flags & GCH_OF_EXT)
		kfree(gch_ext(obj)->fin);
	gch_class_free(gch_class_for(a->nslots, a->size, flags), obj);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_new);

/**
 * gch_obj_is_plain() - whether objects of a shape come from a heap's cache
 * @a: the shape, validated
 *
 * Return: true for no flags, tag or cookie, and data that fits inline.
 */
bool gch_obj_is_plain(const struct gcheap_alloc *a)
{
	return !a->flags && !a->tag && !a->cookie &&
	       gch_is_inline(a->nslots, a->size, 0);
}

/* Free what an object has beside its slab object. */
static void gch_obj_free_extras(struct gch_obj *obj)
{
	if (obj->flags & GCH_OF_EXT)
		kfree(gch_ext(obj)->fin);
	if (!gch_is_inline(obj->nslots, obj->size, obj->flags))
		kvfree(gch_data(obj));
}

/**
 * gch_obj_free() - free an object's memory
 * @obj: an object in no heap, or one whose heap is gone
 */
void gch_obj_free(struct gch_obj *obj)
{
	gch_obj_free_extras(obj);
	gch_class_free(gch_class_for(obj->nslots, obj->size, obj->flags), obj);
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_free);

/* ---- handle table ---- */

static u32 gch_ent_next(u64 ent)
{
	return (ent >> 1) & GCH_IDX_MASK;
}

static u32 gch_ent_seq(u64 ent)
{
	return (ent >> 32) & GCH_SEQ_MASK;
}

static int gch_table_grow(struct gch_heap *h)
{
	u32 len = h->table_len ? h->table_len * 2 : 256;
	u64 *t;

	if (h->table_len >= GCH_IDX_LIMIT)
		return -EDQUOT;
	len = min_t(u32, len, GCH_IDX_LIMIT);
	t = kvmalloc_array(len, sizeof(*t), GCH_GFP);
	if (!t)
		return -ENOMEM;
	if (h->table)
		memcpy(t, h->table, (size_t)h->table_used * sizeof(*t));
	kvfree(h->table);
	h->table = t;
	h->table_len = len;
	return 0;
}

/* gch_handle_alloc(), inline in gch_obj_publish() */
static __always_inline int __gch_handle_alloc(struct gch_heap *h, u32 *idx,
					      u32 *seq)
{
	int ret;

	if (h->free_idx) {
		u64 ent = h->table[h->free_idx];

		*idx = h->free_idx;
		*seq = (gch_ent_seq(ent) + 1) & GCH_SEQ_MASK;
		if (!*seq)
			*seq = 1;
		h->free_idx = gch_ent_next(ent);
		return 0;
	}
	if (h->table_used >= h->table_len) {
		ret = gch_table_grow(h);
		if (ret)
			return ret;
	}
	*idx = h->table_used++;
	*seq = h->seq_base;
	return 0;
}

/**
 * gch_handle_alloc() - take a free handle table entry
 * @h: the heap, locked
 * @idx: its index
 * @seq: the sequence the entry's next ref carries
 *
 * The caller stores its pointer in h->table[*idx].
 *
 * Return: 0, -ENOMEM, or -EDQUOT when the table cannot grow any more.
 */
int gch_handle_alloc(struct gch_heap *h, u32 *idx, u32 *seq)
{
	return __gch_handle_alloc(h, idx, seq);
}
EXPORT_SYMBOL_IF_KUNIT(gch_handle_alloc);

/**
 * gch_handle_free() - give a table entry back
 * @h: the heap, locked
 * @idx: the entry
 * @seq: the sequence of the ref it carried
 *
 * An entry whose sequence has gone full circle is retired, never reused.
 */
void gch_handle_free(struct gch_heap *h, u32 idx, u32 seq)
{
	u32 next = (seq + 1) & GCH_SEQ_MASK;

	if (!next)
		next = 1;
	if (next == h->seq_base) {
		h->table[idx] = GCH_ENT_FREE;
		return;
	}
	h->table[idx] = (u64)seq << 32 | (u64)h->free_idx << 1 | GCH_ENT_FREE;
	h->free_idx = idx;
}
EXPORT_SYMBOL_IF_KUNIT(gch_handle_free);

/* ---- generation lists, linked by handle index ---- */

static struct gch_link *gch_link_at(struct gch_heap *h, u32 idx)
{
	if (idx >= GCH_IDX_LIMIT)
		return &h->heads[idx - GCH_IDX_LIMIT];
	return &gch_at(h, idx)->link;
}

/**
 * gch_list_init() - make a list empty
 * @h: the heap, locked (or not yet shared)
 * @l: the list
 */
void gch_list_init(struct gch_heap *h, enum gch_list l)
{
	h->heads[l].next = GCH_HEAD(l);
	h->heads[l].prev = GCH_HEAD(l);
}

/**
 * gch_list_empty() - whether a list has no object
 * @h: the heap, locked
 * @l: the list
 *
 * Return: true if empty.
 */
bool gch_list_empty(const struct gch_heap *h, enum gch_list l)
{
	return h->heads[l].next == GCH_HEAD(l);
}

/**
 * gch_list_first() - the index of a list's first object
 * @h: the heap, locked
 * @l: the list
 *
 * Return: an object's index, or GCH_HEAD(@l) when the list is empty.
 */
u32 gch_list_first(const struct gch_heap *h, enum gch_list l)
{
	return h->heads[l].next;
}
EXPORT_SYMBOL_IF_KUNIT(gch_list_first);

/**
 * gch_list_add_tail() - append an object (in no list) to a list
 * @h: the heap, locked
 * @l: the list
 * @obj: the object
 */
void gch_list_add_tail(struct gch_heap *h, enum gch_list l,
		       struct gch_obj *obj)
{
	struct gch_link *head = &h->heads[l];

	obj->link.prev = head->prev;
	obj->link.next = GCH_HEAD(l);
	gch_link_at(h, head->prev)->next = obj->idx;
	head->prev = obj->idx;
}

/**
 * gch_list_del() - take an object out of whatever list holds it
 * @h: the heap, locked
 * @obj: the object
 */
void gch_list_del(struct gch_heap *h, struct gch_obj *obj)
{
	gch_link_at(h, obj->link.prev)->next = obj->link.next;
	gch_link_at(h, obj->link.next)->prev = obj->link.prev;
}

/**
 * gch_list_splice_tail() - move every object of a list to another's end
 * @h: the heap, locked
 * @from: the list emptied
 * @to: the list appended to
 */
void gch_list_splice_tail(struct gch_heap *h, enum gch_list from,
			  enum gch_list to)
{
	struct gch_link *src = &h->heads[from], *dst = &h->heads[to];

	if (gch_list_empty(h, from))
		return;
	gch_link_at(h, dst->prev)->next = src->next;
	gch_link_at(h, src->next)->prev = dst->prev;
	gch_link_at(h, src->prev)->next = GCH_HEAD(to);
	dst->prev = src->prev;
	gch_list_init(h, from);
}

/* ---- objects in a heap ---- */

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

/**
 * gch_heap_room() - whether the heap's limits admit one more object
 * @h: the heap, locked
 * @mem: its gch_shape_mem(), or GCH_WEAK_MEM for a weakref
 *
 * Objects and weak references both count.  A limit lowered below what the
 * heap holds admits nothing until enough is freed.
 *
 * Return: true if it may be added.
 */
bool gch_heap_room(const struct gch_heap *h, u64 mem)
{
	return h->nobjects + h->nweak < h->max_objects &&
	       mem <= h->max_bytes && h->mem <= h->max_bytes - mem;
}
EXPORT_SYMBOL_IF_KUNIT(gch_heap_room);

/**
 * gch_resched() - reschedule a long walk by the work it did
 * @h: the heap, locked
 * @work: the walk's work since it last rescheduled
 * @add: what the step just done cost: one per object, one per slot
 *
 * An object with 65536 slots costs as much as 65536 objects without: walks
 * that count objects alone can go for seconds without rescheduling.
 */
void gch_resched(struct gch_heap *h, unsigned long *work, unsigned long add)
{
	lockdep_assert_held(&h->lock);
	*work += add;
	if (*work < GCH_RESCHED_WORK)
		return;
	*work = 0;
	h->yields++;
	cond_resched();
}
EXPORT_SYMBOL_IF_KUNIT(gch_resched);

/**
 * gch_obj_publish() - give a new object a ref and put it in generation 0
 * @h: the heap, locked
 * @obj: from gch_obj_new()
 *
 * Return: 0, or -EDQUOT (a limit) or -ENOMEM (the handle table) with
 * nothing changed.
 */
int gch_obj_publish(struct gch_heap *h, struct gch_obj *obj)
{
	u64 mem = gch_shape_mem(obj->nslots, obj->size, obj->flags);
	u32 idx, seq;
	int ret;

	if (!gch_heap_room(h, mem))
		return -EDQUOT;
	ret = __gch_handle_alloc(h, &idx, &seq);
	if (ret)
		return ret;
	ret = obj->flags & GCH_OF_EXT ? gch_tag_prepare(h, obj) : 0;
	if (ret) {
		gch_handle_free(h, idx, seq);
		return ret;
	}
	obj->idx = idx;
	obj->seq = seq;
	h->table[idx] = (uintptr_t)obj;
	if (obj->flags & GCH_OF_EXT)
		gch_tag_account(h, obj, true);
	if (obj->nslots)
		gch_list_add_tail(h, GCH_L_GEN0, obj);
	if (h->gen[0].count != U32_MAX)
		h->gen[0].count++;
	h->nobjects++;
	h->bytes += obj->size;
	h->mem += mem;
	h->allocated++;
	h->mutations++;
	gch_gc_note_alloc(h);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_publish);

/* Take a dead object out of the heap, but for its list. */
static void gch_forget(struct gch_heap *h, struct gch_obj *obj)
{
	if (obj->flags & GCH_OF_WEAKREFS)
		gch_weak_clear(h, obj);
	if (obj->flags & GCH_OF_FINALIZE)
		gch_event_unqueue(h, gch_ext(obj)->fin);
	if (obj->gen == GCH_GEN_PERMANENT)
		h->nfrozen--;
	if (obj->flags & GCH_OF_EXT)
		gch_tag_account(h, obj, false);
	gch_handle_free(h, obj->idx, obj->seq);
	if (h->gen[0].count)
		h->gen[0].count--;
	h->nobjects--;
	h->bytes -= obj->size;
	h->mem -= gch_shape_mem(obj->nslots, obj->size, obj->flags);
	h->freed++;
}

/* Take a dead object out of the heap and push it on the release stack. */
static void gch_unpublish(struct gch_heap *h, struct gch_obj *obj,
			  struct gch_obj **stack)
{
	if (obj->nslots)
		gch_list_del(h, obj);
	gch_forget(h, obj);
	obj->free_next = *stack;
	*stack = obj;
}

/* A dead object's memory: to the heap's cache, or freed after unlocking. */
static void gch_reap_add(struct gch_heap *h, struct gch_reap *r,
			 struct gch_obj *obj)
{
	if (gch_cache_put(h, obj))
		return;
	obj->free_next = r->head;
	r->head = obj;
}

/**
 * gch_obj_reap() - take a dead object out of its heap, leaving its slots
 * @h: the heap, locked
 * @obj: an object the collector found unreachable, whose references to
 *	 objects outside its garbage set are already dropped; it is left in
 *	 the collector's list, which the caller empties once all are reaped
 * @r: where its memory goes, to be freed after unlocking
 */
void gch_obj_reap(struct gch_heap *h, struct gch_obj *obj,
		  struct gch_reap *r)
{
	gch_forget(h, obj);
	gch_reap_add(h, r, obj);
}

/*
 * Release an object whose count reached zero and, iteratively, everything
 * it alone kept alive.  The stack is threaded through the dying objects
 * themselves, so a chain of any length takes no extra memory and no
 * recursion.
 */
static void gch_release(struct gch_heap *h, struct gch_obj *obj,
			struct gch_reap *r)
{
	struct gch_obj *stack = NULL;
	unsigned long work = 0;

	gch_unpublish(h, obj, &stack);
	while (stack) {
		struct gch_obj *o = stack;
		u32 *slots = gch_slots(o);
		u32 i;

		stack = o->free_next;
		for (i = 0; i < o->nslots; i++) {
			struct gch_obj *t;

			t = gch_slot_obj(h, slots[i]);
			if (!t || --t->refcnt)
				continue;
			if (t->flags & GCH_OF_FINALIZE &&
			    gch_wants_finalize(h, t))
				gch_finalize(h, t);
			else
				gch_unpublish(h, t, &stack);
		}
		gch_resched(h, &work, 1 + o->nslots);
		gch_reap_add(h, r, o);
	}
}

/**
 * gch_op_publish() - publish a new object, collecting once if that helps
 * @h: the heap, locked
 * @obj: from gch_obj_new()
 * @r: collects what a collection frees
 * @ref: the object's ref
 *
 * When a limit would be exceeded, a full collection runs first (see
 * gch_collect_for_room()), so that garbage not yet collected never makes
 * an allocation fail.
 *
 * Return: 0, -EDQUOT or -ENOMEM.
 */
int gch_op_publish(struct gch_heap *h, struct gch_obj *obj,
		   struct gch_reap *r, u64 *ref)
{
	int ret = gch_obj_publish(h, obj);

	if (ret == -EDQUOT && gch_collect_for_room(h, r))
		ret = gch_obj_publish(h, obj);
	if (!ret)
		*ref = gch_ref_of(h, obj);
	return ret;
}

/**
 * gch_obj_alloc() - a new plain object from the heap's cache, published
 * @h: the heap, locked
 * @nslots: slots, as validated
 * @size: payload bytes, for which gch_is_inline(@nslots, @size, 0) holds
 * @r: collects what a collection for room frees
 * @out: the object, holding the caller's reference
 *
 * Return: 0, -EDQUOT or -ENOMEM, with nothing changed.
 */
int gch_obj_alloc(struct gch_heap *h, u32 nslots, u32 size,
		  struct gch_reap *r, struct gch_obj **out)
{
	struct gch_obj *obj = gch_obj_get(h, nslots, size);
	u64 ref;
	int ret;

	if (!obj)
		return -ENOMEM;
	ret = gch_op_publish(h, obj, r, &ref);
	if (ret) {
		gch_obj_put(h, obj);
		return ret;
	}
	*out = obj;
	return 0;
}

/**
 * gch_decref_zero() - what gch_decref() does when the count reaches zero
 * @h: the heap, locked
 * @obj: the object whose last reference went
 * @r: collects what dies
 *
 * A finalizable object not yet finalized gets its FINALIZE event; any
 * other is released, with everything it alone kept alive.
 */
void gch_decref_zero(struct gch_heap *h, struct gch_obj *obj,
		     struct gch_reap *r)
{
	if (obj->flags & GCH_OF_FINALIZE && gch_wants_finalize(h, obj))
		gch_finalize(h, obj);
	else
		gch_release(h, obj, r);
}
EXPORT_SYMBOL_IF_KUNIT(gch_decref_zero);

/**
 * gch_set_slot() - store a reference in a slot
 * @h: the heap, locked
 * @obj: a live object
 * @slot: an index below @obj->nslots
 * @target: a live object of @h, or NULL to clear the slot
 * @r: collects what dies
 *
 * Return: 0, or -EOVERFLOW with nothing changed.
 */
int gch_set_slot(struct gch_heap *h, struct gch_obj *obj, u32 slot,
		 struct gch_obj *target, struct gch_reap *r)
{
	u32 *slots = gch_slots(obj);
	u32 old = slots[slot];
	int ret;

	if (target) {
		ret = gch_incref(h, target);
		if (ret)
			return ret;
	}
	slots[slot] = target ? target->idx : 0;
	if (gch_slot_obj(h, old))
		gch_decref(h, gch_slot_obj(h, old), r);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_set_slot);

/* gch_reap_free() for a non-empty list (its buffer costs a clear). */
static noinline void gch_reap_free_list(struct gch_reap *r)
{
	struct gch_obj *obj = r->head, *next;
	void *bulk[GCH_BULK_FREE];
	unsigned int n = 0, c = 0, oc;
	unsigned long done = 0;

	for (; obj; obj = next) {
		next = obj->free_next;
		gch_obj_free_extras(obj);
		oc = gch_class_for(obj->nslots, obj->size, obj->flags);
		if (n && (oc != c || n == GCH_BULK_FREE)) {
			gch_class_free_bulk(c, bulk, n);
			n = 0;
		}
		c = oc;
		bulk[n++] = obj;
		if (!(++done % GCH_RESCHED_WORK))
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

/* ---- heaps ---- */

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

	mutex_lock(&h->lock);
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

/* Count a heap against its user's cap.  Return: 0 or -EMFILE. */
static int gch_user_charge(kuid_t uid)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	unsigned long n = xa_to_value(xa_load(&gch_user_heaps, key) ?:
				      xa_mk_value(0));
	unsigned int cap = READ_ONCE(gch_max_heaps_per_user);

	lockdep_assert_held(&gch_heaps_lock);
	if (cap && n >= cap)
		return -EMFILE;
	return xa_err(xa_store(&gch_user_heaps, key, xa_mk_value(n + 1),
			       GFP_KERNEL));
}

static void gch_user_uncharge(kuid_t uid)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	unsigned long n = xa_to_value(xa_load(&gch_user_heaps, key));

	lockdep_assert_held(&gch_heaps_lock);
	if (n > 1)	/* replacing a present entry allocates nothing */
		xa_store(&gch_user_heaps, key, xa_mk_value(n - 1), GFP_NOWAIT);
	else
		xa_erase(&gch_user_heaps, key);
}

/* Give the heap an id and charge its user.  Return: 0 or -errno. */
static int gch_heap_register(struct gch_heap *h)
{
	int id, ret;

	mutex_lock(&gch_heaps_lock);
	ret = gch_user_charge(h->uid);
	if (ret)
		goto out;
	id = idr_alloc_cyclic(&gch_heap_idr, h, 1, GCH_HEAP_ID_MAX + 1,
			      GFP_KERNEL);
	if (id < 0) {
		gch_user_uncharge(h->uid);
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
	h->table_used = 1;	/* index 0 is never a ref */
	h->seq_base = get_random_u32() & GCH_SEQ_MASK;
	if (!h->seq_base)
		h->seq_base = 1;
	gch_gc_heap_init(h);
	gch_events_init(h);
	xa_init(&h->tags);
	h->owner_pid = task_tgid_nr(current);
	get_task_comm(h->owner_comm, current);
	gch_heap_config(h, &dflt);

	ret = gch_heap_register(h);
	if (ret) {
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
	u32 i;

	gch_debugfs_heap_remove(h);
	gch_gc_heap_stop(h);
	mutex_lock(&gch_heaps_lock);
	idr_remove(&gch_heap_idr, h->id);
	gch_user_uncharge(h->uid);
	gch_retire_stats(h);
	mutex_unlock(&gch_heaps_lock);

	gch_events_drop(h);
	for (i = 1; i < h->table_used; i++) {
		u64 ent = h->table[i];

		if (!(i % GCH_RESCHED_WORK))
			cond_resched();
		if (ent & GCH_ENT_FREE)
			continue;
		if (ent & GCH_ENT_WEAK)
			kfree((void *)(uintptr_t)(ent & ~GCH_ENT_WEAK));
		else
			gch_obj_free((struct gch_obj *)(uintptr_t)ent);
	}
	gch_cache_drain(h);
	gch_batch_heap_free(h);
	xa_destroy(&h->weak_heads);
	gch_tags_destroy(h);
	kvfree(h->table);
	mutex_destroy(&h->read_lock);
	mutex_destroy(&h->lock);
	kfree(h);
}
EXPORT_SYMBOL_IF_KUNIT(gch_heap_destroy);
