// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: GCHEAP_IOC_BATCH, many object operations in one system call.
 *
 * A batch runs in three steps: prepare (copy the ops and the data to write
 * in, check the whole array's shape, allocate the objects of its ALLOC ops
 * that are not cells of the heap's chunks), run (every op in order
 * under one hold of the heap lock, stopping at the first failure), finish
 * (write the result refs and the data read out, after the lock is
 * dropped).  An operand of the form GCH_RESULT(i)
 * stands for op i's result; only earlier ops that produce a ref may be
 * named.  No lock is owned here (see "Locking" in gcheap.h).
 */
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ops.h"

/* Bytes a batch's WRITE and READ ops may move in all. */
#define GCH_BATCH_DATA_MAX	(16U << 20)
/* Largest op struct a newer caller may pass (its tail must be zero). */
#define GCH_BATCH_OP_SIZE_MAX	256

/**
 * struct gch_batch_buf - a batch's ops, copied in; kept by the heap
 * @cap: ops it has room for
 * @ops: the ops
 *
 * A heap keeps the buffer of its last batch (gch_heap.batch_buf, taken
 * and given back with xchg()), so that a batch costs no allocation.
 */
struct gch_batch_buf {
	u32 cap;
	struct gcheap_batch_op ops[];
};

struct gch_batch_run {
	struct gch_batch_buf *buf;	/* holds the ops */
	struct gcheap_batch_op *ops;	/* the caller's, copied in */
	struct gch_obj **objs;		/* objects allocated before the lock */
	u8 *data;			/* WRITE data, READ bounce, in op order */
	u64 resv_objects;		/* room reserved for @objs not yet */
	u64 resv_mem;			/* published (h->resv_*) */
	u32 count;
	u32 done;
	u32 max_slots;			/* the limits, read once a batch */
	u32 max_payload;
	bool big_allocs;		/* some ALLOC is not of a plain shape */
	bool results;			/* some op has a result */
	bool reads;			/* some op reads */
};

/* The shape an ALLOC op asks for. */
static struct gcheap_alloc gch_batch_shape(const struct gcheap_batch_op *o)
{
	return (struct gcheap_alloc){ .nslots = o->slot, .size = o->len };
}

static __always_inline bool gch_batch_is_alloc(u32 op)
{
	return op == GCH_OP_ALLOC || op == GCH_OP_ALLOC_MOVE;
}

static __always_inline bool gch_batch_makes_ref(u32 op)
{
	return gch_batch_is_alloc(op) || op == GCH_OP_GET_SLOT ||
	       op == GCH_OP_PEEK_SLOT;
}

/* An operand is a ref, or GCH_RESULT(i) of an earlier op with a result. */
static __always_inline bool
gch_batch_operand_ok(const struct gch_batch_run *b, u32 i, u64 v)
{
	u64 idx = v & GCH_RESULT_MAX;

	if (!GCH_IS_RESULT(v))
		return true;
	return v == (GCH_RESULT_BIT | idx) && idx < i &&
	       gch_batch_makes_ref(b->ops[idx].op);
}

/*
 * Checked by gch_batch_operand_ok(); clamped here against speculation.
 * The run loop passes @ops and @count from locals: loaded once a batch.
 */
static __always_inline u64
gch_batch_operand_of(const struct gcheap_batch_op *ops, unsigned long count,
		     u64 v)
{
	unsigned long idx = v & GCH_RESULT_MAX;

	if (!GCH_IS_RESULT(v))
		return v;
	return ops[array_index_nospec(idx, count)].result;
}

static u64 gch_batch_operand(const struct gch_batch_run *b, u64 v)
{
	return gch_batch_operand_of(b->ops, b->count, v);
}

/*
 * ALLOC has no operands; ALLOC_MOVE's name slots the object has.  Their
 * one flag: GCH_ALLOC_SEALED.
 */
static long gch_batch_check_alloc(const struct gch_batch_run *b, u32 i)
{
	const struct gcheap_batch_op *o = &b->ops[i];

	if (o->off & ~GCH_ALLOC_SEALED)
		return -EINVAL;
	if (o->op == GCH_OP_ALLOC && (o->a | o->b))
		return -EINVAL;
	if (!gch_batch_operand_ok(b, i, o->b) || (o->a && o->slot < 1) ||
	    (o->b && o->slot < 2))
		return -EINVAL;
	/* gch_alloc_check(), its flags checked above */
	return o->slot > b->max_slots || o->len > b->max_payload ? -EINVAL : 0;
}

/*
 * Shape of one op: fields it does not use are zero.  Notes in @b what the
 * run will need: results to write, reads, large allocations.
 * Return: data bytes.
 */
static long gch_batch_check_op(struct gch_batch_run *b, u32 i)
{
	const struct gcheap_batch_op *o = &b->ops[i];
	long ret;

	if (o->result || !gch_batch_operand_ok(b, i, o->a))
		return -EINVAL;
	switch (o->op) {
	case GCH_OP_ALLOC:
	case GCH_OP_ALLOC_MOVE:
		ret = gch_batch_check_alloc(b, i);
		if (!ret && !gch_is_inline(o->slot, o->len, 0))
			b->big_allocs = true;
		b->results = true;
		return ret;
	case GCH_OP_INCREF:
	case GCH_OP_DECREF:
	case GCH_OP_SEAL:
		return o->b | o->slot | o->off | o->len ? -EINVAL : 0;
	case GCH_OP_SET_SLOT:
		if (!gch_batch_operand_ok(b, i, o->b))
			return -EINVAL;
		return o->off | o->len ? -EINVAL : 0;
	case GCH_OP_GET_SLOT:
	case GCH_OP_PEEK_SLOT:
		b->results = true;
		return o->b | o->off | o->len ? -EINVAL : 0;
	case GCH_OP_READ:
		b->reads = true;
		fallthrough;
	case GCH_OP_WRITE:
		if (o->slot || o->len > b->max_payload)
			return -EINVAL;
		return o->len;
	}
	return -EINVAL;
}

/* The heap's buffer if it is free and large enough, else a new one. */
static int gch_batch_buf_get(struct gch_heap *h, struct gch_batch_run *b)
{
	struct gch_batch_buf *buf = xchg(&h->batch_buf, NULL);

	if (buf && buf->cap < b->count) {
		kvfree(buf);
		buf = NULL;
	}
	if (!buf) {
		u32 cap = max_t(u32, b->count, 64);

		buf = kvmalloc(struct_size(buf, ops, cap), GCH_GFP);
		if (!buf)
			return -ENOMEM;
		buf->cap = cap;
	}
	b->buf = buf;
	b->ops = buf->ops;
	return 0;
}

static void gch_batch_buf_put(struct gch_heap *h, struct gch_batch_buf *buf)
{
	kvfree(xchg(&h->batch_buf, buf));
}

/**
 * gch_batch_heap_free() - free the batch buffer a heap kept
 * @h: a heap being destroyed
 */
void gch_batch_heap_free(struct gch_heap *h)
{
	kvfree(h->batch_buf);
	h->batch_buf = NULL;
}

/* Copy the ops in, normalized to our struct; newer callers' tails zero. */
static int gch_batch_copy_ops(struct gch_heap *h, struct gch_batch_run *b,
			      const struct gcheap_batch *arg)
{
	const u8 __user *u = u64_to_user_ptr(arg->ops);
	size_t osz = sizeof(struct gcheap_batch_op);
	u32 i;
	int ret;

	ret = gch_batch_buf_get(h, b);
	if (ret)
		return ret;
	if (arg->op_size == osz)
		return gch_copy_in(b->ops, u, b->count * osz);
	for (i = 0; i < b->count; i++) {
		ret = copy_struct_from_user(&b->ops[i], osz,
					    u + (size_t)i * arg->op_size,
					    arg->op_size);
		if (ret)
			return ret == -E2BIG ? -EINVAL : ret;
	}
	return 0;
}

/* Gather the data WRITE ops will store. */
static int gch_batch_gather(struct gch_batch_run *b, size_t total)
{
	size_t pos = 0;
	u32 i;

	b->data = kvmalloc(total, GCH_GFP);
	if (!b->data)
		return -ENOMEM;
	for (i = 0; i < b->count; i++) {
		const struct gcheap_batch_op *o = &b->ops[i];

		if (o->op == GCH_OP_WRITE &&
		    copy_from_user(b->data + pos, u64_to_user_ptr(o->b), o->len))
			return -EFAULT;
		if (o->op == GCH_OP_WRITE || o->op == GCH_OP_READ)
			pos += o->len;
	}
	return 0;
}

/* Check every op, and gather the data to write. */
static int gch_batch_check(struct gch_batch_run *b)
{
	size_t total = 0;
	long bytes;
	u32 i;

	for (i = 0; i < b->count; i++) {
		bytes = gch_batch_check_op(b, i);
		if (bytes < 0)
			return bytes;
		total += bytes;
		if (total > GCH_BATCH_DATA_MAX)
			return -EINVAL;
	}
	return total ? gch_batch_gather(b, total) : 0;
}

/* Whether op @i allocates an object too large for the heap's cache. */
static bool gch_batch_big_alloc(const struct gch_batch_run *b, u32 i)
{
	const struct gcheap_batch_op *o = &b->ops[i];

	return gch_batch_is_alloc(o->op) && !gch_is_inline(o->slot, o->len, 0);
}

/* What a large ALLOC op's object counts against the heap's limits. */
static u64 gch_batch_big_mem(const struct gch_batch_run *b, u32 i)
{
	const struct gcheap_batch_op *o = &b->ops[i];

	return gch_shape_mem(o->slot, o->len, 0);
}

/*
 * Reserve room for the large ALLOCs, in order, as far as the heap's limits
 * have it now, less what other batches reserved.  Return: the first op
 * left out (b->count for none).
 */
static u32 gch_batch_reserve(struct gch_heap *h, struct gch_batch_run *b)
{
	u64 objs, bytes, mem;
	u32 i;

	gch_heap_lock(h);
	objs = h->nobjects + h->nweak + h->resv_objects;
	objs = h->max_objects - min(h->max_objects, objs);
	bytes = h->max_bytes - min(h->max_bytes, h->mem + h->resv_mem);
	for (i = 0; i < b->count; i++) {
		if (!gch_batch_big_alloc(b, i))
			continue;
		mem = gch_batch_big_mem(b, i);
		if (b->resv_objects == objs || mem > bytes - b->resv_mem)
			break;
		b->resv_objects++;
		b->resv_mem += mem;
	}
	h->resv_objects += b->resv_objects;
	h->resv_mem += b->resv_mem;
	mutex_unlock(&h->lock);
	return i;
}

/*
 * Objects too large for the heap's cache (data beside the slab object)
 * are allocated before the lock is taken, in order, in room reserved for
 * them: a batch never allocates more than its heap may hold, whatever
 * other batches do meanwhile.  Those left out are allocated when their op
 * runs, if a collection made room by then (gch_batch_alloc_late()).
 */
static int gch_batch_prealloc(struct gch_heap *h, struct gch_batch_run *b)
{
	u32 i, end;

	if (!b->big_allocs)
		return 0;
	b->objs = kvcalloc(b->count, sizeof(*b->objs), GCH_GFP);
	if (!b->objs)
		return -ENOMEM;
	end = gch_batch_reserve(h, b);
	for (i = 0; i < end; i++) {
		struct gcheap_alloc a = gch_batch_shape(&b->ops[i]);

		if (!gch_batch_big_alloc(b, i))
			continue;
		b->objs[i] = gch_obj_alloc(&a, GCH_GFP);
		if (!b->objs[i])
			return -ENOMEM;
	}
	return 0;
}

/* Op @i's object is published or freed now: its reserved room goes back. */
static void gch_batch_unreserve(struct gch_heap *h, struct gch_batch_run *b,
				u32 i)
{
	u64 mem = gch_batch_big_mem(b, i);

	lockdep_assert_held(&h->lock);
	h->resv_objects--;
	h->resv_mem -= mem;
	b->resv_objects--;
	b->resv_mem -= mem;
}

/* A large ALLOC the preallocation left out: now, if there is room. */
static int gch_batch_alloc_late(struct gch_heap *h, struct gch_batch_run *b,
				u32 i, struct gch_reap *r)
{
	struct gcheap_alloc a = gch_batch_shape(&b->ops[i]);
	u64 mem = gch_batch_big_mem(b, i);

	if (!gch_heap_room(h, mem) &&
	    !(gch_collect_for_room(h, r) && gch_heap_room(h, mem)))
		return -EDQUOT;
	b->objs[i] = gch_obj_alloc(&a, GCH_GFP);
	return b->objs[i] ? 0 : -ENOMEM;
}

/*
 * A large ALLOC's object, preallocated in room reserved for it (which goes
 * back now) or allocated now, published: the batch no longer owns it.
 */
static int gch_batch_publish_big(struct gch_heap *h, struct gch_batch_run *b,
				 u32 i, struct gch_reap *r,
				 struct gch_obj **out)
{
	int ret;

	if (b->objs[i]) {
		gch_batch_unreserve(h, b, i);
	} else {
		ret = gch_batch_alloc_late(h, b, i, r);
		if (ret)
			return ret;
	}
	ret = gch_op_publish(h, b->objs[i], r, &b->ops[i].result);
	if (ret)
		return ret;
	*out = b->objs[i];
	b->objs[i] = NULL;
	return 0;
}

/*
 * ALLOC_MOVE's operands give up a reference the program holds: one each,
 * two when both name the same object.  Return: 0 or -EINVAL.
 */
static int gch_batch_move_check(struct gch_obj *s0, struct gch_obj *s1)
{
	u32 need1 = s0 == s1 ? 2 : 1;

	if (s0 && !s0->urefs)
		return -EINVAL;
	if (s1 && s1->urefs < need1)
		return -EINVAL;
	return 0;
}

/*
 * ALLOC_MOVE's operands, looked up and checked first, so that a bad one
 * changes nothing (an ALLOC has none: NULL both).
 */
static __always_inline int gch_batch_move_find(struct gch_heap *h,
					       struct gch_batch_run *b,
					       const struct gcheap_batch_op *o,
					       struct gch_obj **s0,
					       struct gch_obj **s1)
{
	u64 a = gch_batch_operand(b, o->a), t = gch_batch_operand(b, o->b);

	*s0 = NULL;
	*s1 = NULL;
	if (a)
		*s0 = gch_lookup(h, a);
	if (t)
		*s1 = gch_lookup(h, t);
	if (unlikely((a && !*s0) || (t && !*s1)))
		return -ESTALE;
	return gch_batch_move_check(*s0, *s1);
}

/*
 * The program's references the operands give up kept them alive while the
 * object was published (publishing may collect); now they are its slots'.
 */
static __always_inline void gch_batch_move_in(struct gch_heap *h,
					      struct gch_obj *obj,
					      struct gch_obj *s0,
					      struct gch_obj *s1)
{
	gch_track_for(h, obj, s0);
	gch_track_for(h, obj, s1);
	if (s0) {
		gch_touch(h, s0);
		gch_slots(obj)[0] = s0->idx;
		s0->urefs--;
	}
	if (s1) {
		gch_touch(h, s1);
		gch_slots(obj)[1] = s1->idx;
		s1->urefs--;
	}
}

/*
 * ALLOC_MOVE with operands, and ALLOC and ALLOC_MOVE of an object that is
 * not a cell: out of line, so that the batch loop's page holds the rest,
 * and on a page of its own.
 */
static noinline __section(".text.gch_hot.alloc") __aligned(PAGE_SIZE) int
gch_batch_alloc_slow(struct gch_heap *h, struct gch_batch_run *b, u32 i,
		     struct gch_reap *r)
{
	struct gcheap_batch_op *o = &b->ops[i];
	struct gch_obj *obj, *s0, *s1;
	int ret;

	ret = gch_batch_move_find(h, b, o, &s0, &s1);
	if (ret)
		return ret;
	if (b->big_allocs && gch_batch_big_alloc(b, i)) {
		ret = gch_batch_publish_big(h, b, i, r, &obj);
	} else {
		ret = gch_op_alloc_plain(h, o->slot, o->len, r, &obj);
		if (!ret)
			o->result = gch_ref_of(h, obj);
	}
	if (ret)
		return ret;
	gch_batch_move_in(h, obj, s0, s1);
	if (o->off & GCH_ALLOC_SEALED)	/* it came unsealed */
		obj->sealed = 1;
	return 0;
}

/*
 * ALLOC and ALLOC_MOVE, op @i, @o (b->ops[@i] from the run loop's locals):
 * most are of cells, with no operands.
 */
static __always_inline int gch_batch_alloc(struct gch_heap *h,
					   struct gch_batch_run *b, u32 i,
					   struct gcheap_batch_op *o,
					   struct gch_reap *r)
{
	struct gch_obj *obj __uninitialized;	/* set on success: no clear an op */
	int ret;

	if (unlikely((o->a | o->b) || (b->big_allocs && gch_batch_big_alloc(b, i))))
		return gch_batch_alloc_slow(h, b, i, r);
	ret = gch_op_alloc_plain(h, o->slot, o->len, r, &obj);
	if (unlikely(ret))
		return ret;
	o->result = gch_ref_of(h, obj);
	if (o->off & GCH_ALLOC_SEALED)	/* it came unsealed */
		obj->sealed = 1;
	return 0;
}

/*
 * Run op @i, one of @count in @ops (b->ops and b->count), under the lock;
 * @pos walks the data buffer.
 */
static __always_inline int gch_batch_op(struct gch_heap *h,
					struct gch_batch_run *b,
					struct gcheap_batch_op *ops, u32 count,
					u32 i, size_t *pos, struct gch_reap *r)
{
	u8 *p __uninitialized;	/* set on success: no clear an op */
	struct gcheap_batch_op *o = &ops[i];
	u64 a;
	int ret;

	/*
	 * The ops programs run most, in order: ALLOC (which alone needs no
	 * operand a) and DECREF, then INCREF and SET_SLOT, a compare each,
	 * where the switch's search tree took four to six (BENCHMARKS.md,
	 * "Thirteenth session").
	 */
	if (gch_batch_is_alloc(o->op))
		return gch_batch_alloc(h, b, i, o, r);
	a = gch_batch_operand_of(ops, count, o->a);
	if (o->op == GCH_OP_DECREF)
		return gch_op_refop(h, a, false, r);
	if (o->op == GCH_OP_INCREF)
		return gch_op_refop(h, a, true, r);
	if (o->op == GCH_OP_SET_SLOT)
		return gch_op_set_slot(h, a, o->slot,
				       gch_batch_operand_of(ops, count, o->b), r);
	switch (o->op) {
	case GCH_OP_GET_SLOT:
		return gch_op_get_slot(h, a, o->slot, &o->result);
	case GCH_OP_PEEK_SLOT:
		return gch_op_peek_slot(h, a, o->slot, &o->result);
	case GCH_OP_SEAL:
		return gch_op_seal(h, a);
	}
	ret = gch_op_payload(h, a, o->off, o->len, &p);
	if (ret)
		return ret;
	if (o->op == GCH_OP_WRITE)
		memcpy(p, b->data + *pos, o->len);
	else
		memcpy(b->data + *pos, p, o->len);
	*pos += o->len;
	return 0;
}

/*
 * Every op in order, under one hold of the lock.  The loop, with the ops
 * programs run most inline in it (ops.h, release.h), is on a page of its
 * own, as gch_ioc_batch() with its loops over the ops is: under emulation
 * (QEMU's TCG, where make bench runs) a jump to code on another page is
 * looked up, not chained, and costs as much as tens of instructions, as
 * does every return (BENCHMARKS.md, "Eleventh session").  What the loop
 * runs seldom is out of line, so that each fits its page; the static
 * checks hold them to it (hot_pages, scripts/test/static-checks).
 */
static noinline __section(".text.gch_hot.run") __aligned(PAGE_SIZE) int
gch_batch_run_locked(struct gch_heap *h, struct gch_batch_run *b,
		     struct gch_reap *r)
{
	struct gcheap_batch_op *ops = b->ops;
	u32 i = 0, end, count = b->count;
	size_t pos = 0;
	int ret = 0;

	gch_heap_lock(h);
	for (;;) {
		/* an op may copy or clear up to a page: 256 of them a turn */
		end = min(count, i + 256);
		for (; i < end; i++) {
			ret = gch_batch_op(h, b, ops, count, i, &pos, r);
			if (unlikely(ret))
				goto out;
		}
		if (i == count)
			break;
		gch_yield(h);
	}
out:
	mutex_unlock(&h->lock);
	b->done = i;
	return ret;
}

/* The result refs of ops [0, @n) into the caller's ops, in one user access. */
static int gch_batch_put_results(const struct gch_batch_run *b,
				 const struct gcheap_batch *arg, u32 n)
{
	u8 __user *u = u64_to_user_ptr(arg->ops);
	size_t osz = arg->op_size;	/* a local: the stores may alias @arg */
	u64 __user *res = (u64 __user *)
			  (u + offsetof(struct gcheap_batch_op, result));
	u32 i;

	if (!user_access_begin(u, (size_t)b->count * osz))
		return -EFAULT;
	for (i = 0; i < n; i++, res = (u64 __user *)((u8 __user *)res + osz)) {
		const struct gcheap_batch_op *o = &b->ops[i];

		if (gch_batch_makes_ref(o->op))
			unsafe_put_user(o->result, res, fault);
	}
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/*
 * Store 0, which is what the copy-in found there, in one op's result field
 * on each page the result fields touch (write access is by the page):
 * from a field, the next one stored is the first that ends on a later
 * page.  A field that straddles two pages is stored whole, so it proves
 * both.  Ops are at most GCH_BATCH_OP_SIZE_MAX bytes apart, so no page
 * between the first field and the last is left out.
 */
static int gch_batch_probe_results(const struct gch_batch_run *b,
				   const struct gcheap_batch *arg)
{
	u8 __user *u = u64_to_user_ptr(arg->ops);
	size_t osz = arg->op_size;
	unsigned long f = (unsigned long)u +
			  offsetof(struct gcheap_batch_op, result);
	unsigned long last = f + (b->count - 1) * osz, next_page;

	if (!user_access_begin(u, b->count * osz))
		return -EFAULT;
	while (f <= last) {
		unsafe_put_user(0ULL, (u64 __user *)f, fault);
		/* the first address a field ending on a later page has */
		next_page = ((f + sizeof(u64) - 1) | ~PAGE_MASK) + 1 -
			    (sizeof(u64) - 1);
		f += DIV_ROUND_UP(next_page - f, osz) * osz;
	}
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/*
 * Hand out what the done ops produced: result refs into the caller's ops,
 * data read into its buffers.  A fault here (buffers unmapped since
 * gch_batch_check_out()) leaves the ops done.
 */
static int gch_batch_finish(struct gch_batch_run *b,
			    const struct gcheap_batch *arg)
{
	size_t pos = 0;
	int ret = 0;
	u32 i;

	if (b->results)
		ret = gch_batch_put_results(b, arg, b->done);
	for (i = 0; b->reads && i < b->done; i++) {
		const struct gcheap_batch_op *o = &b->ops[i];

		if (o->op == GCH_OP_READ &&
		    copy_to_user(u64_to_user_ptr(o->b), b->data + pos, o->len))
			ret = -EFAULT;
		if (o->op == GCH_OP_WRITE || o->op == GCH_OP_READ)
			pos += o->len;
	}
	return ret;
}

/*
 * Every buffer the batch writes to after its run (the ops' results, READ
 * data) must be there and writable before anything runs: once ops ran,
 * they stay done, and a batch must not look as if it had not run.  The
 * result fields are proved by storing 0 in them, which is what the copy
 * in found there: a store a page (gch_batch_probe_results()), not a
 * page-table walk a page.
 */
static int gch_batch_check_out(const struct gch_batch_run *b,
			       const struct gcheap_batch *arg)
{
	const struct gcheap_batch_op *o;
	u32 i;

	if (b->results && gch_batch_probe_results(b, arg))
		return -EFAULT;
	for (i = 0; b->reads && i < b->count; i++) {
		o = &b->ops[i];
		if (o->op == GCH_OP_READ && o->len &&
		    fault_in_safe_writeable(u64_to_user_ptr(o->b), o->len))
			return -EFAULT;
	}
	return 0;
}

static void gch_batch_release(struct gch_heap *h, struct gch_batch_run *b)
{
	u32 i;

	if (b->resv_objects) {		/* room never used */
		gch_heap_lock(h);
		h->resv_objects -= b->resv_objects;
		h->resv_mem -= b->resv_mem;
		mutex_unlock(&h->lock);
	}
	for (i = 0; b->objs && i < b->count; i++)
		if (b->objs[i])
			gch_obj_free(b->objs[i]);
	kvfree(b->objs);
	kvfree(b->data);
	if (b->buf)
		gch_batch_buf_put(h, b->buf);
}

/**
 * gch_ioc_batch() - GCHEAP_IOC_BATCH
 * @h: the heap
 * @arg: a struct gcheap_batch, copied in
 *
 * Return: 0 when the batch ran (arg->done ops succeeded, arg->error is
 * the next one's -errno, or 0); else -EINVAL for a malformed batch,
 * -EFAULT (a buffer it would write to is not writable) or -ENOMEM, with
 * nothing run.  1 when the batch ran but its results or READ data could
 * not all be written back (the program unmapped them during the call):
 * arg->done and arg->error still tell what ran.
 */
int gch_ioc_batch(struct gch_heap *h, void *arg)
{
	struct gcheap_batch *a = arg;
	struct gch_batch_run b = {
		.count = a->count,
		.max_slots = READ_ONCE(gch_max_slots),
		.max_payload = READ_ONCE(gch_max_payload),
	};
	struct gch_reap r = {};
	int ret;

	if (a->flags || a->reserved || a->done || a->error ||
	    a->count > GCHEAP_BATCH_MAX ||
	    a->op_size < sizeof(struct gcheap_batch_op) ||
	    a->op_size > GCH_BATCH_OP_SIZE_MAX)
		return -EINVAL;
	if (!a->count)
		return 0;
	ret = gch_batch_copy_ops(h, &b, a);
	if (!ret)
		ret = gch_batch_check(&b);
	if (!ret)
		ret = gch_batch_check_out(&b, a);
	if (!ret)
		ret = gch_batch_prealloc(h, &b);
	if (ret)
		goto out;
	a->error = gch_batch_run_locked(h, &b, &r);
	a->done = b.done;
	gch_reap_free(&r);
	ret = gch_batch_finish(&b, a) ? 1 : 0;
out:
	gch_batch_release(h, &b);
	return ret;
}
