// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: where objects' memory comes from and goes back to.
 *
 * Plain objects (no ext record, data inline: nearly all of them) are
 * cells of chunks, GCH_CHUNK_SIZE blocks from gcheap's chunk cache that
 * each heap carves for itself, one size class a chunk.  A chunk is charged
 * to the memory cgroup once, so its objects cost their cell and nothing
 * more; a cell freed goes back to its chunk, under the heap lock, and is
 * the next one its class hands out.  Every other object is a slab object of
 * gcheap's cache for its size class (header + ext record + inline data, or
 * header + gch_outline), freed once the heap lock is dropped (struct
 * gch_reap), as are chunks that empty.  The chunks are under the heap lock;
 * the slab caches and their live counts lock themselves.  See "Locking" in
 * gcheap.h.
 */
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <linux/seq_file.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "gcheap.h"

/*
 * Size classes of the objects that are not plain: header + ext record +
 * inline data, or header + gch_outline; one slab cache each.  The smallest
 * is 40: every cache carries a non-empty usercopy region (which is also
 * what keeps it unmerged before 6.5).
 */
const u16 gch_class_size[GCH_NCLASS] = {
	GCH_CLASS_MIN, 48, 56, 64, 80, 96, 128, 192, GCH_INLINE_MAX,
};
EXPORT_SYMBOL_IF_KUNIT(gch_class_size);

static struct kmem_cache *gch_caches[GCH_NCLASS];
static struct percpu_counter gch_class_live[GCH_NCLASS];
static struct kmem_cache *gch_chunk_cache;
static struct percpu_counter gch_chunks_live;
u8 gch_class_by8[GCH_INLINE_MAX / 8 + 1] __ro_after_init;
EXPORT_SYMBOL_IF_KUNIT(gch_class_by8);

/**
 * gch_slab_init() - create gcheap's slab caches
 *
 * One cache per size class and one of chunks, accounted to the allocating
 * task's memory cgroup, never merged with other caches (so that
 * /proc/slabinfo and failslab see them as gcheap's), with the data area
 * whitelisted for user copies.
 *
 * Return: 0 or -ENOMEM.
 */
int gch_slab_init(void)
{
	unsigned int i, c = 0;
	char name[32];

	BUILD_BUG_ON(sizeof(struct gch_obj) != 28);
	BUILD_BUG_ON(sizeof(struct gch_obj_ext) != 24);
	BUILD_BUG_ON(sizeof(struct gch_chunk) != 32);
	BUILD_BUG_ON(!is_power_of_2(GCH_CHUNK_SIZE));
	/* an inline object's size fits its byte, a chunk's cell count a u16 */
	BUILD_BUG_ON(GCH_INLINE_MAX - sizeof(struct gch_obj) > U8_MAX);
	BUILD_BUG_ON(GCH_CHUNK_SIZE / sizeof(struct gch_obj) > U16_MAX);

	for (i = 0; i < ARRAY_SIZE(gch_class_by8); i++) {
		while (gch_class_size[c] < i * 8)
			c++;
		gch_class_by8[i] = c;
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
	if (percpu_counter_init(&gch_chunks_live, 0, GFP_KERNEL)) {
		gch_slab_exit();
		return -ENOMEM;
	}
	/* aligned to their size: a cell's address names its chunk */
	gch_chunk_cache = kmem_cache_create_usercopy("gcheap_chunk",
						     GCH_CHUNK_SIZE,
						     GCH_CHUNK_SIZE,
						     SLAB_ACCOUNT |
						     GCH_SLAB_NO_MERGE,
						     sizeof(struct gch_chunk),
						     GCH_CHUNK_SIZE -
						     sizeof(struct gch_chunk),
						     NULL);
	if (!gch_chunk_cache) {
		gch_slab_exit();
		return -ENOMEM;
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
	kmem_cache_destroy(gch_chunk_cache);
	gch_chunk_cache = NULL;
	percpu_counter_destroy(&gch_chunks_live);
}

/*
 * The slab class of an object that is not plain: the header and the data,
 * or the header and its gch_outline (word aligned); then the ext record
 * (word aligned).
 */
static unsigned int gch_class_for(u32 nslots, u32 size, unsigned int flags)
{
	bool inl = gch_is_inline(nslots, size, flags);
	size_t end = GCH_HDR_ALIGNED + sizeof(struct gch_outline);

	if (flags & GCH_OF_EXT)
		end = gch_ext_offset(inl, nslots, size) + gch_ext_bytes(flags);
	else if (inl)
		end = sizeof(struct gch_obj) + gch_data_bytes(nslots, size);
	return gch_class_by8[DIV_ROUND_UP(end, 8)];
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

/* How many cells of class @c a chunk holds */
static u32 gch_chunk_cells(unsigned int c)
{
	return (GCH_CHUNK_SIZE - sizeof(struct gch_chunk)) / gch_cell_size(c);
}

/**
 * gch_cache_refill() - a new chunk for a size class with no cell to give
 * @h: the heap, locked
 * @c: the size class
 *
 * Return: 0, or -ENOMEM when the slab has no memory.
 */
int gch_cache_refill(struct gch_heap *h, unsigned int c)
{
	struct gch_chunk *ch;

	lockdep_assert_held(&h->lock);
	ch = kmem_cache_alloc(gch_chunk_cache, GCH_GFP);
	if (!ch)
		return -ENOMEM;
	/* the cache's alignment, on which gch_chunk_of() relies */
	if (WARN_ON_ONCE(!IS_ALIGNED((unsigned long)ch, GCH_CHUNK_SIZE))) {
		kmem_cache_free(gch_chunk_cache, ch);
		return -ENOMEM;
	}
	percpu_counter_inc(&gch_chunks_live);
	*ch = (struct gch_chunk){
		.bump = sizeof(*ch),
		.avail = gch_chunk_cells(c),
		.cells = gch_chunk_cells(c),
		.class = c,
	};
	list_add(&ch->link, &h->chunks[c]);
	h->nchunks++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gch_cache_refill);

/**
 * gch_chunk_unlist() - take an empty chunk out of its heap
 * @h: the heap, locked
 * @ch: one of its chunks with no cell in use
 *
 * The caller frees it, after unlocking.
 */
void gch_chunk_unlist(struct gch_heap *h, struct gch_chunk *ch)
{
	lockdep_assert_held(&h->lock);
	list_del(&ch->link);
	h->nchunks--;
}
EXPORT_SYMBOL_IF_KUNIT(gch_chunk_unlist);

/**
 * gch_chunk_full() - a chunk whose last free cell was taken
 * @h: the heap, locked
 * @ch: the chunk
 *
 * Out of line, as what follows: once in a chunk's fill, off the allocation
 * path's page (see gch_batch_run_locked()).
 */
void gch_chunk_full(struct gch_heap *h, struct gch_chunk *ch)
{
	lockdep_assert_held(&h->lock);
	list_move(&ch->link, &h->full_chunks);
}
EXPORT_SYMBOL_IF_KUNIT(gch_chunk_full);

/**
 * gch_chunk_refile() - a chunk that was full or has emptied
 * @h: the heap, locked
 * @ch: the chunk a cell just went back to
 * @r: where a chunk taken out goes, to be freed after unlocking
 *
 * A full chunk with a cell free again goes back to its class's list.  An
 * empty one is freed unless it is the only one of its class with cells to
 * give: a program that allocates and drops one object at a time reuses
 * one cell, not one chunk.
 */
void gch_chunk_refile(struct gch_heap *h, struct gch_chunk *ch,
		      struct gch_reap *r)
{
	struct list_head *class = &h->chunks[ch->class];

	lockdep_assert_held(&h->lock);
	if (ch->avail == 1)
		list_move(&ch->link, class);
	if (ch->avail != ch->cells || list_is_singular(class))
		return;
	gch_chunk_unlist(h, ch);
	ch->reap_next = r->chunks;
	r->chunks = ch;
}
EXPORT_SYMBOL_IF_KUNIT(gch_chunk_refile);

/**
 * gch_chunks_free_cells() - the cells a heap's chunks have free
 * @h: the heap, locked
 * @bytes: their bytes
 *
 * Counted when asked, from the chunks with cells to give (the full ones
 * have none), so that taking and giving back a cell counts nothing.
 *
 * Return: how many.
 */
u32 gch_chunks_free_cells(struct gch_heap *h, u64 *bytes)
{
	unsigned long work = 0;
	struct gch_chunk *ch;
	u32 c, n = 0;

	lockdep_assert_held(&h->lock);
	*bytes = 0;
	for (c = 0; c < GCH_NCELL; c++) {
		/* as many as the program's objects, at worst */
		list_for_each_entry(ch, &h->chunks[c], link) {
			n += ch->avail;
			*bytes += (u64)ch->avail * gch_cell_size(c);
			gch_resched(h, &work, 1);
		}
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(gch_chunks_free_cells);

static void gch_chunk_free(struct gch_chunk *ch)
{
	kmem_cache_free(gch_chunk_cache, ch);
	percpu_counter_dec(&gch_chunks_live);
}

/* Free every chunk on a heap's list @l, whatever its cells hold. */
static void gch_chunks_free(struct gch_heap *h, struct list_head *l)
{
	struct gch_chunk *ch, *next;

	list_for_each_entry_safe(ch, next, l, link) {
		gch_chunk_free(ch);
		cond_resched();
	}
	INIT_LIST_HEAD(l);
}

/**
 * gch_cache_drain() - free a heap's chunks, and so its plain objects
 * @h: a heap being freed, whose other objects are freed
 */
void gch_cache_drain(struct gch_heap *h)
{
	unsigned int c;

	for (c = 0; c < GCH_NCELL; c++)
		gch_chunks_free(h, &h->chunks[c]);
	gch_chunks_free(h, &h->full_chunks);
	h->nchunks = 0;
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
	seq_printf(m, "chunks %lld\n", percpu_counter_sum(&gch_chunks_live));
}

/**
 * gch_obj_alloc() - allocate an object, not yet in any heap
 * @a: its shape, already validated against the module's limits
 * @gfp: allocation flags (GCH_GFP)
 *
 * The object holds one reference (the caller's) and zeroed slots and
 * payload.  Nothing is locked.  Plain objects are cells of a heap's
 * chunks, taken under its lock (gch_cache_take()), not from here.
 *
 * Return: the object or NULL.
 */
struct gch_obj *gch_obj_alloc(const struct gcheap_alloc *a, gfp_t gfp)
{
	unsigned int flags = 0;
	struct gch_obj *obj;
	bool inl;
	void *data;

	if (WARN_ON_ONCE(gch_alloc_is_plain(a)))
		return NULL;

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
	/* before the ext record is written: its place depends on the shape */
	inl = gch_is_inline(a->nslots, a->size, flags);
	obj->link.nslots8 = inl ? a->nslots : GCH_NSLOTS_OUTLINE;
	if (inl)
		obj->link.size8 = a->size;
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
		gch_outline(obj)->size = a->size;
	}
	return obj;

fail:
	if (flags & GCH_OF_EXT)
		kfree(gch_ext(obj)->fin);
	gch_class_free(gch_class_for(a->nslots, a->size, flags), obj);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_alloc);

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
 * @obj: an object from gch_obj_alloc(), in no heap or in one being freed
 */
void gch_obj_free(struct gch_obj *obj)
{
	if (WARN_ON_ONCE(gch_obj_is_plain(obj)))
		return;
	gch_obj_free_extras(obj);
	gch_class_free(gch_class_for(gch_nslots(obj), gch_size(obj), obj->flags),
		       obj);
}
EXPORT_SYMBOL_IF_KUNIT(gch_obj_free);

/**
 * gch_shape_mem() - the kernel memory an object costs its heap's byte limit
 * @nslots: its slots
 * @size: its payload bytes
 * @flags: its GCH_OF_* (GCH_OF_EXT and GCH_OF_FINALIZE matter)
 *
 * A plain object's cell, or another's slab object (header, ext record,
 * inline slots and payload) with the data allocated beside it and its
 * FINALIZE event; and its handle table entry.
 *
 * Return: bytes.
 */
u64 gch_shape_mem(u32 nslots, u32 size, unsigned int flags)
{
	u64 mem;

	if (!(flags & GCH_OF_EXT) && gch_is_inline(nslots, size, flags))
		return gch_cell_mem(nslots, size);
	mem = gch_class_size[gch_class_for(nslots, size, flags)] + sizeof(u64);
	if (!gch_is_inline(nslots, size, flags))
		mem += gch_data_bytes(nslots, size);
	if (flags & GCH_OF_FINALIZE)
		mem += sizeof(struct gch_evnode);
	return mem;
}
EXPORT_SYMBOL_IF_KUNIT(gch_shape_mem);

/**
 * gch_reap_free_list() - gch_reap_free() for a non-empty list
 * @r: the released objects and chunks; emptied
 *
 * Out of line: its buffer costs a clear.
 */
void gch_reap_free_list(struct gch_reap *r)
{
	struct gch_obj *obj = r->head, *next;
	void *bulk[GCH_BULK_FREE];
	unsigned int n = 0, c = 0, oc;
	unsigned long done = 0;

	for (; obj; obj = next) {
		next = gch_free_next(obj);
		gch_obj_free_extras(obj);
		oc = gch_class_for(gch_nslots(obj), gch_size(obj), obj->flags);
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
	while (r->chunks) {
		struct gch_chunk *ch = r->chunks;

		r->chunks = ch->reap_next;
		gch_chunk_free(ch);
		if (gch_resched_due(&done, 1))
			cond_resched();
	}
}
EXPORT_SYMBOL_IF_KUNIT(gch_reap_free_list);

