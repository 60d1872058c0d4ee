// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: GCHEAP_IOC_BATCH, many object operations in one system call.
 *
 * A batch runs in three steps: prepare (copy the ops and the data to write
 * in, check the whole array's shape, allocate the objects its ALLOC ops
 * need), run (every op in order under one hold of the heap lock, stopping
 * at the first failure), finish (write the result refs and the data read
 * out, after the lock is dropped).  An operand of the form GCH_RESULT(i)
 * stands for op i's result; only earlier ops that produce a ref may be
 * named.  No lock is owned here (see heap.c).
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "gcheap.h"

/* Bytes a batch's WRITE and READ ops may move in all. */
#define GCH_BATCH_DATA_MAX	(16U << 20)
/* Largest op struct a newer caller may pass (its tail must be zero). */
#define GCH_BATCH_OP_SIZE_MAX	256

struct gch_batch_run {
	struct gcheap_batch_op *ops;	/* the caller's, copied in */
	struct gch_obj **objs;		/* ALLOC ops' objects, by op index */
	u8 *data;			/* WRITE data, READ bounce, in op order */
	u32 count;
	u32 done;
	bool allocs;			/* some op is an ALLOC */
	bool outputs;			/* some op has a result or reads */
};

/* The shape an ALLOC op asks for. */
static struct gcheap_alloc gch_batch_shape(const struct gcheap_batch_op *o)
{
	return (struct gcheap_alloc){ .nslots = o->slot, .size = o->len };
}

static bool gch_batch_makes_ref(u32 op)
{
	return op == GCH_OP_ALLOC || op == GCH_OP_GET_SLOT;
}

/* An operand is a ref, or GCH_RESULT(i) of an earlier op with a result. */
static bool gch_batch_operand_ok(const struct gch_batch_run *b, u32 i, u64 v)
{
	u64 idx = v & GCH_RESULT_MAX;

	if (!GCH_IS_RESULT(v))
		return true;
	return v == (GCH_RESULT_BIT | idx) && idx < i &&
	       gch_batch_makes_ref(b->ops[idx].op);
}

static u64 gch_batch_operand(const struct gch_batch_run *b, u64 v)
{
	return GCH_IS_RESULT(v) ? b->ops[v & GCH_RESULT_MAX].result : v;
}

/* Shape of one op: fields it does not use are zero. Return: data bytes. */
static long gch_batch_check_op(const struct gch_batch_run *b, u32 i)
{
	const struct gcheap_batch_op *o = &b->ops[i];
	struct gcheap_alloc a;

	if (o->result || !gch_batch_operand_ok(b, i, o->a))
		return -EINVAL;
	switch (o->op) {
	case GCH_OP_ALLOC:
		if (o->a || o->b || o->off)
			return -EINVAL;
		a = gch_batch_shape(o);
		return gch_alloc_check(&a);
	case GCH_OP_INCREF:
	case GCH_OP_DECREF:
		return o->b || o->slot || o->off || o->len ? -EINVAL : 0;
	case GCH_OP_SET_SLOT:
		if (!gch_batch_operand_ok(b, i, o->b))
			return -EINVAL;
		return o->off || o->len ? -EINVAL : 0;
	case GCH_OP_GET_SLOT:
		return o->b || o->off || o->len ? -EINVAL : 0;
	case GCH_OP_WRITE:
	case GCH_OP_READ:
		if (o->slot || o->len > READ_ONCE(gch_max_payload))
			return -EINVAL;
		return o->len;
	}
	return -EINVAL;
}

/* Copy the ops in, normalized to our struct; newer callers' tails zero. */
static int gch_batch_copy_ops(struct gch_batch_run *b,
			      const struct gcheap_batch *arg)
{
	const u8 __user *u = u64_to_user_ptr(arg->ops);
	size_t osz = sizeof(struct gcheap_batch_op);
	u32 i;

	b->ops = kvmalloc_array(b->count, osz, GCH_GFP);
	if (!b->ops)
		return -ENOMEM;
	if (arg->op_size == osz)
		return copy_from_user(b->ops, u, b->count * osz) ? -EFAULT : 0;
	for (i = 0; i < b->count; i++) {
		int ret = copy_struct_from_user(&b->ops[i], osz,
						u + (size_t)i * arg->op_size,
						arg->op_size);
		if (ret)
			return ret == -E2BIG ? -EINVAL : ret;
	}
	return 0;
}

/* Check every op, and gather the data to write. */
static int gch_batch_check(struct gch_batch_run *b)
{
	size_t total = 0, pos = 0;
	long bytes;
	u32 i;

	for (i = 0; i < b->count; i++) {
		u32 op = b->ops[i].op;

		bytes = gch_batch_check_op(b, i);
		if (bytes < 0)
			return bytes;
		total += bytes;
		if (total > GCH_BATCH_DATA_MAX)
			return -EINVAL;
		b->allocs |= op == GCH_OP_ALLOC;
		b->outputs |= gch_batch_makes_ref(op) || op == GCH_OP_READ;
	}
	if (!total)
		return 0;
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

#define GCH_BATCH_BULK	32

/*
 * Allocate, together, op @i's object and those of the next ALLOC ops of
 * the same plain shape that have none yet (up to GCH_BATCH_BULK).
 */
static int gch_batch_bulk(struct gch_batch_run *b, u32 i)
{
	struct gcheap_alloc a = gch_batch_shape(&b->ops[i]);
	struct gch_obj *objs[GCH_BATCH_BULK];
	u16 idx[GCH_BATCH_BULK];
	u32 j, n = 0;

	for (j = i; j < b->count && n < GCH_BATCH_BULK; j++) {
		const struct gcheap_batch_op *o = &b->ops[j];

		if (o->op == GCH_OP_ALLOC && !b->objs[j] &&
		    o->slot == a.nslots && o->len == a.size)
			idx[n++] = j;
	}
	if (gch_obj_new_bulk(&a, GCH_GFP, n, objs))
		return -ENOMEM;
	for (j = 0; j < n; j++)
		b->objs[idx[j]] = objs[j];
	return 0;
}

/* The objects ALLOC ops will publish, allocated before the lock. */
static int gch_batch_prealloc(struct gch_batch_run *b)
{
	u32 i;

	if (!b->allocs)
		return 0;
	b->objs = kvcalloc(b->count, sizeof(*b->objs), GCH_GFP);
	if (!b->objs)
		return -ENOMEM;
	for (i = 0; i < b->count; i++) {
		struct gcheap_alloc a = gch_batch_shape(&b->ops[i]);

		if (b->ops[i].op != GCH_OP_ALLOC || b->objs[i])
			continue;
		if (gch_obj_is_plain(&a)) {
			if (gch_batch_bulk(b, i))
				return -ENOMEM;
			continue;
		}
		b->objs[i] = gch_obj_new(&a, GCH_GFP);
		if (!b->objs[i])
			return -ENOMEM;
	}
	return 0;
}

/* Run op @i under the lock; @pos walks the data buffer. */
static int gch_batch_op(struct gch_heap *h, struct gch_batch_run *b, u32 i,
			size_t *pos, struct gch_reap *r)
{
	struct gcheap_batch_op *o = &b->ops[i];
	u64 a = gch_batch_operand(b, o->a);
	u8 *p;
	int ret;

	switch (o->op) {
	case GCH_OP_ALLOC:
		ret = gch_op_publish(h, b->objs[i], r, &o->result);
		if (!ret)
			b->objs[i] = NULL;
		return ret;
	case GCH_OP_INCREF:
	case GCH_OP_DECREF:
		return gch_op_refop(h, a, o->op == GCH_OP_INCREF, r);
	case GCH_OP_SET_SLOT:
		return gch_op_set_slot(h, a, o->slot, gch_batch_operand(b, o->b),
				       r);
	case GCH_OP_GET_SLOT:
		return gch_op_get_slot(h, a, o->slot, &o->result);
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

static int gch_batch_run_locked(struct gch_heap *h, struct gch_batch_run *b,
				struct gch_reap *r)
{
	size_t pos = 0;
	int ret = 0;

	mutex_lock(&h->lock);
	for (b->done = 0; b->done < b->count; b->done++) {
		ret = gch_batch_op(h, b, b->done, &pos, r);
		if (ret)
			break;
		if (!(b->done & 255))
			cond_resched();
	}
	mutex_unlock(&h->lock);
	return ret;
}

/*
 * Hand out what the done ops produced: result refs into the caller's ops,
 * data read into its buffers.  A fault here leaves the ops done.
 */
static int gch_batch_finish(struct gch_batch_run *b,
			    const struct gcheap_batch *arg)
{
	u8 __user *u = u64_to_user_ptr(arg->ops);
	size_t res = offsetof(struct gcheap_batch_op, result), pos = 0;
	int ret = 0;
	u32 i;

	for (i = 0; b->outputs && i < b->done; i++) {
		const struct gcheap_batch_op *o = &b->ops[i];
		u64 __user *rp = (u64 __user *)(u + (size_t)i * arg->op_size +
						 res);

		if (gch_batch_makes_ref(o->op) && put_user(o->result, rp))
			ret = -EFAULT;
		if (o->op == GCH_OP_READ &&
		    copy_to_user(u64_to_user_ptr(o->b), b->data + pos, o->len))
			ret = -EFAULT;
		if (o->op == GCH_OP_WRITE || o->op == GCH_OP_READ)
			pos += o->len;
	}
	return ret;
}

static void gch_batch_release(struct gch_batch_run *b)
{
	u32 i;

	for (i = 0; b->objs && i < b->count; i++)
		if (b->objs[i])
			gch_obj_free(b->objs[i]);
	kvfree(b->objs);
	kvfree(b->data);
	kvfree(b->ops);
}

/**
 * gch_ioc_batch() - GCHEAP_IOC_BATCH
 * @h: the heap
 * @arg: a struct gcheap_batch, copied in
 *
 * Return: 0 when the batch ran (arg->done ops succeeded, arg->error is
 * the next one's -errno, or 0); else -EINVAL for a malformed batch,
 * -EFAULT or -ENOMEM, with nothing run.  -EFAULT after the run means the
 * results could not all be written back; the ops stay done.
 */
int gch_ioc_batch(struct gch_heap *h, void *arg)
{
	struct gcheap_batch *a = arg;
	struct gch_batch_run b = { .count = a->count };
	struct gch_reap r = {};
	int ret;

	if (a->flags || a->reserved || a->done || a->error ||
	    a->count > GCHEAP_BATCH_MAX ||
	    a->op_size < sizeof(struct gcheap_batch_op) ||
	    a->op_size > GCH_BATCH_OP_SIZE_MAX)
		return -EINVAL;
	if (!a->count)
		return 0;
	ret = gch_batch_copy_ops(&b, a);
	if (!ret)
		ret = gch_batch_check(&b);
	if (!ret)
		ret = gch_batch_prealloc(&b);
	if (ret)
		goto out;
	a->error = gch_batch_run_locked(h, &b, &r);
	a->done = b.done;
	gch_reap_free(&r);
	ret = gch_batch_finish(&b, a);
out:
	gch_batch_release(&b);
	return ret;
}
