// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: the handle table and the lists threaded through it.
 *
 * A heap's handle table maps a ref's index to its object or weakref; free
 * entries form a list through the table itself (gch_handle_alloc() in
 * gcheap.h takes one).  The generation lists and the collector's scratch
 * lists link objects by handle index, not by pointer, so that a link
 * costs 4 bytes.  All of it under the heap lock (see "Locking" in
 * gcheap.h); walks use struct gch_iter.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "gcheap.h"

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

/**
 * gch_handle_alloc_slow() - gch_handle_alloc() when no entry is free
 * @h: the heap, locked
 *
 * Takes the entry after the last used one, growing the table (doubling
 * it, up to GCH_IDX_LIMIT entries) when it is full.  The entry comes back
 * as one value, not through pointers, so that the inline fast path's
 * callers keep theirs in registers.
 *
 * Return: the new entry's index, with the sequence its first ref carries
 * shifted left by 32; or -ENOMEM, or -EDQUOT when the table cannot grow
 * any more.
 */
s64 gch_handle_alloc_slow(struct gch_heap *h)
{
	int ret;

	BUILD_BUG_ON(GCH_SEQ_BITS > 31);	/* the value stays positive */
	lockdep_assert_held(&h->lock);
	if (h->table_used >= h->table_len) {
		ret = gch_table_grow(h);
		if (ret)
			return ret;
	}
	return (s64)h->seq_base << 32 | h->table_used++;
}
EXPORT_SYMBOL_IF_KUNIT(gch_handle_alloc_slow);

/**
 * gch_handle_unhold() - make the entries gch_handle_hold() held reusable
 * @h: the heap, locked
 */
void gch_handle_unhold(struct gch_heap *h)
{
	struct gch_pass *p = &h->pass;
	u32 tail = p->held_tail;

	lockdep_assert_held(&h->lock);
	if (!tail)
		return;
	h->table[tail] = gch_ent_make_free(gch_ent_seq(h->table[tail]),
					   h->free_idx);
	h->free_idx = p->held_head;
	p->held_head = 0;
	p->held_tail = 0;
}

/* ---- generation lists, linked by handle index ---- */

/**
 * gch_list_init() - make a list empty
 * @h: a heap not yet shared, or locked
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
	lockdep_assert_held(&h->lock);
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
	lockdep_assert_held(&h->lock);
	return h->heads[l].next;
}
EXPORT_SYMBOL_IF_KUNIT(gch_list_first);

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

	lockdep_assert_held(&h->lock);
	if (gch_list_empty(h, from))
		return;
	gch_link_at(h, dst->prev)->next = src->next;
	gch_link_at(h, src->next)->prev = dst->prev;
	gch_link_at(h, src->prev)->next = GCH_HEAD(to);
	dst->prev = src->prev;
	gch_list_init(h, from);
}
