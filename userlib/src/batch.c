// SPDX-License-Identifier: MIT
/*
 * libgcheap: batches.  A batch is an array of struct gcheap_batch_op built
 * in place (no allocation per operation) and submitted with one ioctl.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gcheap.h"
#include "internal.h"

struct gch_batch {
	struct gch_heap *h;
	uint32_t max;		/* capacity */
	uint32_t n;		/* ops added */
	uint32_t done;		/* after submit: ops that succeeded */
	int32_t error;		/* after submit: ops[done]'s -errno */
	int submitted;
	struct gcheap_batch_op ops[];
};

GCH_API struct gch_batch *gch_batch_new(struct gch_heap *h, uint32_t max_ops)
{
	struct gch_batch *b;

	if (!h || !max_ops || max_ops > GCHEAP_BATCH_MAX) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b) + (size_t)max_ops * sizeof(b->ops[0]));
	if (!b)
		return NULL;
	b->h = h;
	b->max = max_ops;
	return b;
}

GCH_API void gch_batch_free(struct gch_batch *b)
{
	free(b);
}

GCH_API void gch_batch_reset(struct gch_batch *b)
{
	if (!b)
		return;
	b->n = 0;
	b->done = 0;
	b->error = 0;
	b->submitted = 0;
}

/* Append one op; returns its index or -ENOSPC. */
static int gch__batch_add(struct gch_batch *b, uint32_t op, uint64_t a, uint64_t bb,
			  uint32_t slot, uint32_t off, uint32_t len)
{
	struct gcheap_batch_op *o;

	if (!b)
		return -EINVAL;
	if (b->submitted)
		gch_batch_reset(b);
	if (b->n == b->max)
		return -ENOSPC;
	o = &b->ops[b->n];
	o->op = op;
	o->slot = slot;
	o->a = a;
	o->b = bb;
	o->off = off;
	o->len = len;
	o->result = 0;
	return (int)b->n++;
}

GCH_API int gch_batch_alloc(struct gch_batch *b, uint32_t nslots, uint32_t size)
{
	return gch__batch_add(b, GCH_OP_ALLOC, 0, 0, nslots, 0, size);
}

GCH_API int gch_batch_set_slot(struct gch_batch *b, gch_ref_t obj, uint32_t slot,
			       gch_ref_t target)
{
	return gch__batch_add(b, GCH_OP_SET_SLOT, obj, target, slot, 0, 0);
}

GCH_API int gch_batch_get_slot(struct gch_batch *b, gch_ref_t obj, uint32_t slot)
{
	return gch__batch_add(b, GCH_OP_GET_SLOT, obj, 0, slot, 0, 0);
}

GCH_API int gch_batch_alloc_move(struct gch_batch *b, uint32_t nslots, uint32_t size,
				 gch_ref_t s0, gch_ref_t s1)
{
	return gch__batch_add(b, GCH_OP_ALLOC_MOVE, s0, s1, nslots, 0, size);
}

GCH_API int gch_batch_peek_slot(struct gch_batch *b, gch_ref_t obj, uint32_t slot)
{
	return gch__batch_add(b, GCH_OP_PEEK_SLOT, obj, 0, slot, 0, 0);
}

GCH_API int gch_batch_alloc_sealed(struct gch_batch *b, uint32_t nslots, uint32_t size,
				   gch_ref_t s0, gch_ref_t s1)
{
	return gch__batch_add(b, GCH_OP_ALLOC_MOVE, s0, s1, nslots, GCH_ALLOC_SEALED, size);
}

GCH_API int gch_batch_seal(struct gch_batch *b, gch_ref_t obj)
{
	return gch__batch_add(b, GCH_OP_SEAL, obj, 0, 0, 0, 0);
}

GCH_API int gch_batch_incref(struct gch_batch *b, gch_ref_t ref)
{
	return gch__batch_add(b, GCH_OP_INCREF, ref, 0, 0, 0, 0);
}

GCH_API int gch_batch_decref(struct gch_batch *b, gch_ref_t ref)
{
	return gch__batch_add(b, GCH_OP_DECREF, ref, 0, 0, 0, 0);
}

GCH_API int gch_batch_write(struct gch_batch *b, gch_ref_t obj, uint32_t off, const void *buf,
			    uint32_t len)
{
	return gch__batch_add(b, GCH_OP_WRITE, obj, (uintptr_t)buf, 0, off, len);
}

GCH_API int gch_batch_read(struct gch_batch *b, gch_ref_t obj, uint32_t off, void *buf,
			   uint32_t len)
{
	return gch__batch_add(b, GCH_OP_READ, obj, (uintptr_t)buf, 0, off, len);
}

GCH_API int gch_batch_submit(struct gch_batch *b)
{
	struct gcheap_batch arg;
	int ret;

	if (!b)
		return -EINVAL;
	if (b->submitted) {
		/* Submitted again as it is: results are outputs, zero them. */
		for (uint32_t i = 0; i < b->n; i++)
			b->ops[i].result = 0;
	}
	memset(&arg, 0, sizeof(arg));
	arg.ops = (uintptr_t)b->ops;
	arg.count = b->n;
	arg.op_size = sizeof(b->ops[0]);
	ret = ioctl(b->h->fd, GCHEAP_IOC_BATCH, &arg);
	if (ret < 0)
		return -errno;	/* rejected whole: nothing ran */
	b->done = arg.done;
	b->error = arg.error;
	b->submitted = 1;
	/* 1: the ops ran, but a READ buffer went away meanwhile. */
	return ret ? -EFAULT : (int)arg.done;
}

GCH_API int gch_batch_result(const struct gch_batch *b, uint32_t i, gch_ref_t *ref)
{
	if (!b || !b->submitted || i >= b->n)
		return -EINVAL;
	if (i > b->done)
		return -ECANCELED;
	if (i == b->done)
		return b->error;
	if (ref)
		*ref = b->ops[i].result;
	return 0;
}
