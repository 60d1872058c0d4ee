// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: the ioctl interface.
 *
 * One table, indexed by command number at compile time, maps each ioctl
 * to a handler.  The dispatcher copies the
 * caller's struct in (any size from the original one up, the unknown tail
 * required to be zero), calls the handler, and copies the result out; when
 * that last copy fails, the handler's undo drops the references the call
 * handed out, so that a failing call changes nothing.  Handlers validate
 * every field before they change any state.
 *
 * No lock is owned here: handlers take the heap lock (see "Locking" in
 * gcheap.h) and never hold it across a user copy.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ops.h"

/* Payload copies up to this size go through the stack. */
#define GCH_BOUNCE	256

/* gch_copy_in(), out. */
static __always_inline int gch_copy_out(void __user *dst, const void *src, size_t len)
{
	const unsigned long *s = src;
	unsigned long __user *d = dst;
	size_t i;

	if (len % sizeof(long))
		return copy_to_user(dst, src, len) ? -EFAULT : 0;
	if (!user_access_begin(dst, len))
		return -EFAULT;
	for (i = 0; i < len / sizeof(long); i++)
		unsafe_put_user(s[i], &d[i], fault);
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/* All output fields of a struct must be zero on input. */
static bool gch_nonzero(const void *p, size_t len)
{
	return !!memchr_inv(p, 0, len);
}

/*
 * Drop the reference (to an object or a weakref) handed out by a call
 * whose copy-out failed.  The program never saw it, but another of its
 * threads may have got the same object since; only what the program holds
 * is dropped.
 */
static void gch_undo_ref(struct gch_heap *h, u64 ref)
{
	struct gch_reap r = {};

	if (!ref)
		return;
	gch_heap_lock(h);
	gch_op_refop(h, ref, false, &r);
	gch_heap_unlock(h, &r);
}

static int gch_ioc_config(struct gch_heap *h, void *arg)
{
	struct gcheap_config *c = arg;

	if (c->flags)
		return -EINVAL;
	return gch_heap_config(h, c);
}

static int gch_ioc_heap_info(struct gch_heap *h, void *arg)
{
	struct gcheap_heap_info *hi = arg;

	hi->id = h->id;
	hi->flags = GCHEAP_HEAP_BY_VALUE;
	gch_heap_lock(h);
	hi->max_objects = h->max_objects;
	hi->max_bytes = h->max_bytes;
	mutex_unlock(&h->lock);
	hi->max_payload = READ_ONCE(gch_max_payload);
	return 0;
}

/* A plain object published: sealed if asked, its ref for the program. */
static __always_inline void gch_ioc_alloc_done(struct gch_heap *h,
					       struct gcheap_alloc *a,
					       struct gch_obj *obj)
{
	if (a->flags & GCH_ALLOC_SEALED)	/* it came unsealed */
		obj->sealed = 1;
	a->ref = gch_ref_of(h, obj);
}

/*
 * gch_ioc_alloc_plain() when a limit refused the object, the heap locked:
 * its second try (gch_cell_alloc_room()).  Unlocks the heap.  Out of line,
 * so that the usual ALLOC sets up no reap list.
 */
static noinline int gch_ioc_alloc_room(struct gch_heap *h,
				       struct gcheap_alloc *a)
{
	struct gch_reap r = {};
	struct gch_obj *obj;
	int ret;

	ret = gch_cell_alloc_room(h, a->nslots, a->size, &r, &obj);
	if (!ret)
		gch_ioc_alloc_done(h, a, obj);
	gch_heap_unlock(h, &r);
	return ret;
}

/* A plain object comes from the heap's cache, under the lock. */
static __always_inline int gch_ioc_alloc_plain(struct gch_heap *h,
					       struct gcheap_alloc *a)
{
	struct gch_obj *obj;
	int ret;

	gch_heap_lock(h);
	ret = gch_cell_publish(h, a->nslots, a->size, &obj);
	if (unlikely(ret == -EDQUOT))
		return gch_ioc_alloc_room(h, a);
	if (!ret)
		gch_ioc_alloc_done(h, a, obj);
	mutex_unlock(&h->lock);
	return ret;
}

/* Any other object is allocated before the lock, and published under it. */
static noinline int gch_ioc_alloc_other(struct gch_heap *h,
					struct gcheap_alloc *a)
{
	struct gch_reap r = {};
	struct gch_obj *obj;
	int ret;

	obj = gch_obj_alloc(a, GCH_GFP);
	if (!obj)
		return -ENOMEM;
	gch_heap_lock(h);
	ret = gch_op_publish(h, obj, &r, &a->ref);
	gch_heap_unlock(h, &r);
	if (ret)
		gch_obj_free(obj);
	return ret;
}

/* GCHEAP_IOC_ALLOC's handler; inline in gch_ioctl_alloc() too. */
static __always_inline int gch_ioc_alloc_inl(struct gch_heap *h,
					     struct gcheap_alloc *a)
{
	int ret;

	if (a->ref)
		return -EINVAL;
	ret = gch_alloc_check(a);
	if (ret)
		return ret;
	if (gch_alloc_is_plain(a))
		return gch_ioc_alloc_plain(h, a);
	return gch_ioc_alloc_other(h, a);
}

static int gch_ioc_alloc(struct gch_heap *h, void *arg)
{
	return gch_ioc_alloc_inl(h, arg);
}

/*
 * An allocation undone is not a death: a finalizable object that nobody
 * else got hold of meanwhile is freed without its FINALIZE event.
 */
static void gch_undo_alloc(struct gch_heap *h, void *arg)
{
	u64 ref = ((struct gcheap_alloc *)arg)->ref;
	struct gch_reap r = {};
	struct gch_obj *obj;

	gch_heap_lock(h);
	obj = gch_lookup(h, ref);
	if (obj && obj->refcnt == 1 && obj->urefs == 1)
		obj->flags |= GCH_OF_FINALIZED;
	if (obj)
		gch_user_put(h, obj, &r);
	gch_heap_unlock(h, &r);
}

static __always_inline int gch_ioc_refop(struct gch_heap *h,
					 struct gcheap_ref *a, bool inc)
{
	struct gch_reap r = {};
	int ret;

	if (a->flags || a->reserved)
		return -EINVAL;
	gch_heap_lock(h);
	ret = gch_op_refop(h, a->ref, inc, &r);
	gch_heap_unlock(h, &r);
	return ret;
}

static int gch_ioc_seal(struct gch_heap *h, void *arg)
{
	struct gcheap_ref *a = arg;
	int ret;

	if (a->flags || a->reserved)
		return -EINVAL;
	gch_heap_lock(h);
	ret = gch_op_seal(h, a->ref);
	mutex_unlock(&h->lock);
	return ret;
}

static int gch_ioc_incref(struct gch_heap *h, void *arg)
{
	return gch_ioc_refop(h, arg, true);
}

static int gch_ioc_decref(struct gch_heap *h, void *arg)
{
	return gch_ioc_refop(h, arg, false);
}

static int gch_ioc_set_slot(struct gch_heap *h, void *arg)
{
	struct gcheap_slot *s = arg;
	struct gch_reap r = {};
	int ret;

	if (s->flags)
		return -EINVAL;
	gch_heap_lock(h);
	ret = gch_op_set_slot(h, s->obj, s->slot, s->target, &r);
	gch_heap_unlock(h, &r);
	return ret;
}

static int gch_ioc_get_slot(struct gch_heap *h, void *arg)
{
	struct gcheap_slot *s = arg;
	int ret;

	if (s->flags || s->target)
		return -EINVAL;
	gch_heap_lock(h);
	ret = gch_op_get_slot(h, s->obj, s->slot, &s->target);
	mutex_unlock(&h->lock);
	return ret;
}

static void gch_undo_get_slot(struct gch_heap *h, void *arg)
{
	gch_undo_ref(h, ((struct gcheap_slot *)arg)->target);
}

static void *gch_bounce_get(u8 *stackbuf, u32 len)
{
	if (len <= GCH_BOUNCE)
		return stackbuf;
	return kvmalloc(len, GCH_GFP);
}

static void gch_bounce_put(u8 *stackbuf, void *buf)
{
	if (buf != stackbuf)
		kvfree(buf);
}

static int gch_ioc_write(struct gch_heap *h, void *arg)
{
	struct gcheap_rw *a = arg;
	u8 stackbuf[GCH_BOUNCE];
	void *buf;
	u8 *p;
	int ret;

	if (a->flags || a->reserved || a->len > READ_ONCE(gch_max_payload))
		return -EINVAL;
	buf = gch_bounce_get(stackbuf, a->len);
	if (!buf)
		return -ENOMEM;
	ret = 0;
	if (copy_from_user(buf, u64_to_user_ptr(a->buf), a->len))
		ret = -EFAULT;
	if (!ret) {
		gch_heap_lock(h);
		ret = gch_op_payload(h, a->obj, a->off, a->len, &p);
		if (!ret)
			memcpy(p, buf, a->len);
		mutex_unlock(&h->lock);
	}
	gch_bounce_put(stackbuf, buf);
	return ret;
}

static int gch_ioc_read(struct gch_heap *h, void *arg)
{
	struct gcheap_rw *a = arg;
	u8 stackbuf[GCH_BOUNCE];
	void *buf;
	u8 *p;
	int ret;

	if (a->flags || a->reserved || a->len > READ_ONCE(gch_max_payload))
		return -EINVAL;
	buf = gch_bounce_get(stackbuf, a->len);
	if (!buf)
		return -ENOMEM;
	gch_heap_lock(h);
	ret = gch_op_payload(h, a->obj, a->off, a->len, &p);
	if (!ret)
		memcpy(buf, p, a->len);
	mutex_unlock(&h->lock);
	if (!ret && copy_to_user(u64_to_user_ptr(a->buf), buf, a->len))
		ret = -EFAULT;
	gch_bounce_put(stackbuf, buf);
	return ret;
}

static int gch_ioc_info(struct gch_heap *h, void *arg)
{
	struct gcheap_info *in = arg;
	struct gch_obj_ext *ext;
	struct gch_obj *obj;
	int ret = 0;

	if (gch_nonzero(&in->refcount, sizeof(*in) - sizeof(in->ref)))
		return -EINVAL;
	gch_heap_lock(h);
	obj = gch_lookup(h, in->ref);
	if (obj) {
		ext = gch_ext(obj);
		in->refcount = obj->refcnt;
		in->nslots = gch_nslots(obj);
		in->size = gch_size(obj);
		in->tag = ext ? ext->tag : 0;
		in->generation = obj->gen;
		if (obj->flags & GCH_OF_FINALIZE)
			in->flags |= GCH_OBJ_FINALIZABLE;
		if (obj->flags & GCH_OF_FINALIZED)
			in->flags |= GCH_OBJ_FINALIZED;
		if (gch_tracked(obj))
			in->flags |= GCH_OBJ_TRACKED;
		if (obj->sealed)
			in->flags |= GCH_OBJ_SEALED;
	} else {
		ret = -ESTALE;
	}
	mutex_unlock(&h->lock);
	return ret;
}

static int gch_ioc_collect(struct gch_heap *h, void *arg)
{
	struct gcheap_collect *c = arg;

	if (c->flags || c->found || c->generation < 0 ||
	    c->generation >= GCH_NGEN)
		return -EINVAL;
	return gch_collect_sliced(h, c->generation, &c->found);
}

static int gch_ioc_get_gc(struct gch_heap *h, void *arg)
{
	gch_gc_get(h, arg);
	return 0;
}

static int gch_ioc_set_gc(struct gch_heap *h, void *arg)
{
	struct gcheap_gc *gc = arg;

	if (gc->set & ~GCH_GC_SET_ALL || gc->enabled > 1 ||
	    gc->debug & ~GCH_DEBUG_FLAGS || gc->event_mask & ~GCH_EV_ALL)
		return -EINVAL;
	gch_gc_set(h, gc);
	return 0;
}

static int gch_ioc_freeze(struct gch_heap *h, void *arg)
{
	int ret = gch_lock_idle(h);

	if (ret)
		return ret;
	gch_freeze(h);
	mutex_unlock(&h->lock);
	return 0;
}

static int gch_ioc_unfreeze(struct gch_heap *h, void *arg)
{
	gch_heap_lock(h);
	gch_unfreeze(h);
	mutex_unlock(&h->lock);
	return 0;
}

static int gch_ioc_weakref(struct gch_heap *h, void *arg)
{
	struct gcheap_weakref *a = arg;
	struct gch_obj *obj;
	int ret;

	if (a->flags & ~GCH_WEAK_FLAGS || a->reserved || a->wref)
		return -EINVAL;
	gch_heap_lock(h);
	obj = gch_lookup(h, a->obj);
	if (obj)
		ret = gch_weak_new(h, obj, a->flags, a->cookie, &a->wref);
	else
		ret = -ESTALE;
	mutex_unlock(&h->lock);
	return ret;
}

static void gch_undo_weakref(struct gch_heap *h, void *arg)
{
	gch_undo_ref(h, ((struct gcheap_weakref *)arg)->wref);
}

static int gch_ioc_weakref_get(struct gch_heap *h, void *arg)
{
	struct gcheap_weakref_get *a = arg;
	struct gch_weak *w;
	int ret = 0;

	if (a->flags || a->reserved || a->ref)
		return -EINVAL;
	gch_heap_lock(h);
	w = gch_lookup_weak(h, a->wref);
	if (!w) {
		ret = -ESTALE;
	} else if (w->target) {
		ret = gch_user_get(h, gch_at(h, w->target));
		if (!ret)
			a->ref = gch_ref_of(h, gch_at(h, w->target));
	}
	mutex_unlock(&h->lock);
	return ret;
}

static void gch_undo_weakref_get(struct gch_heap *h, void *arg)
{
	gch_undo_ref(h, ((struct gcheap_weakref_get *)arg)->ref);
}

/* INCREF and DECREF by value (the uapi header): the argument is the ref. */
static __always_inline int gch_ioc_refop_val(struct gch_heap *h,
					     unsigned long arg, bool inc)
{
	struct gcheap_ref a = { .ref = arg };

	return gch_ioc_refop(h, &a, inc);
}

static int gch_ioc_incref_val(struct gch_heap *h, unsigned long arg)
{
	return gch_ioc_refop_val(h, arg, true);
}

static int gch_ioc_decref_val(struct gch_heap *h, unsigned long arg)
{
	return gch_ioc_refop_val(h, arg, false);
}

/**
 * struct gch_ioctl_desc - one command
 * @cmd: the command as the uapi header defines it (0: no command here)
 * @fn: its handler, given the struct copied in, which it fills for copy-out
 * @undo: drops what @fn handed out, when the copy-out fails; NULL for a
 *	  command that hands out nothing
 * @min_size: the smallest struct an older caller may pass (a read-only
 *	      command's struct grown at its end), 0 for the current size
 * @ran_fault: for a command whose effects cannot be undone, what it returns
 *	       when the copy-out fails after it ran; its struct is proved
 *	       writable before it runs, so only a program that unmaps or
 *	       protects it meanwhile gets this.  0 for the other commands.
 * @by_value: instead of @fn, for a command whose argument is its operand
 */
struct gch_ioctl_desc {
	unsigned int cmd;
	int (*fn)(struct gch_heap *h, void *arg);
	int (*by_value)(struct gch_heap *h, unsigned long arg);
	void (*undo)(struct gch_heap *h, void *arg);
	unsigned int min_size;
	int ran_fault;
};

/* GCHEAP_IOC_<name>'s entry, at its number, as drm's DRM_IOCTL_DEF does. */
#define GCH_IOCTL(name, handler, undo_fn)				\
	[_IOC_NR(GCHEAP_IOC_##name)] = {				\
		.cmd = GCHEAP_IOC_##name, .fn = handler, .undo = undo_fn \
	}

/* The same, for a command that cannot be undone: see @ran_fault. */
#define GCH_IOCTL_FINAL(name, handler, on_fault)			\
	[_IOC_NR(GCHEAP_IOC_##name)] = {				\
		.cmd = GCHEAP_IOC_##name, .fn = handler,		\
		.ran_fault = on_fault					\
	}

/* The same, for a command that takes its operand as the argument. */
#define GCH_IOCTL_VAL(name, handler)					\
	[_IOC_NR(GCHEAP_IOC_##name)] = {				\
		.cmd = GCHEAP_IOC_##name, .by_value = handler		\
	}

/* The same, for a read-only command whose struct grew from @min. */
#define GCH_IOCTL_GROWN(name, handler, min)				\
	[_IOC_NR(GCHEAP_IOC_##name)] = {				\
		.cmd = GCHEAP_IOC_##name, .fn = handler, .min_size = min \
	}

static const struct gch_ioctl_desc gch_ioctls[] = {
	GCH_IOCTL(CONFIG, gch_ioc_config, NULL),
	GCH_IOCTL(HEAP_INFO, gch_ioc_heap_info, NULL),
	GCH_IOCTL(ALLOC, gch_ioc_alloc, gch_undo_alloc),
	GCH_IOCTL(INCREF, gch_ioc_incref, NULL),
	GCH_IOCTL(DECREF, gch_ioc_decref, NULL),
	GCH_IOCTL(SET_SLOT, gch_ioc_set_slot, NULL),
	GCH_IOCTL(GET_SLOT, gch_ioc_get_slot, gch_undo_get_slot),
	GCH_IOCTL(WRITE, gch_ioc_write, NULL),
	GCH_IOCTL(READ, gch_ioc_read, NULL),
	GCH_IOCTL(INFO, gch_ioc_info, NULL),
	GCH_IOCTL_GROWN(STATS, gch_ioc_stats, GCHEAP_STATS_SIZE_VER0),
	GCH_IOCTL_FINAL(COLLECT, gch_ioc_collect, -EFAULT),
	GCH_IOCTL(GET_GC, gch_ioc_get_gc, NULL),
	GCH_IOCTL(SET_GC, gch_ioc_set_gc, NULL),
	GCH_IOCTL(FREEZE, gch_ioc_freeze, NULL),
	GCH_IOCTL(UNFREEZE, gch_ioc_unfreeze, NULL),
	GCH_IOCTL(LIST, gch_ioc_list, gch_undo_list),
	GCH_IOCTL(TAG_STATS, gch_ioc_tag_stats, NULL),
	GCH_IOCTL(EVENTS, gch_ioc_events, NULL),
	GCH_IOCTL(WEAKREF, gch_ioc_weakref, gch_undo_weakref),
	GCH_IOCTL(WEAKREF_GET, gch_ioc_weakref_get, gch_undo_weakref_get),
	/* a batch that ran says so: 1, as when its results could not go out */
	GCH_IOCTL_FINAL(BATCH, gch_ioc_batch, 1),
	GCH_IOCTL(SEAL, gch_ioc_seal, NULL),
	GCH_IOCTL_VAL(INCREF_VAL, gch_ioc_incref_val),
	GCH_IOCTL_VAL(DECREF_VAL, gch_ioc_decref_val),
};

/* Every struct an ioctl takes, to size the kernel's copy. */
union gch_ioctl_arg {
	struct gcheap_config config;
	struct gcheap_heap_info heap_info;
	struct gcheap_alloc alloc;
	struct gcheap_ref ref;
	struct gcheap_slot slot;
	struct gcheap_rw rw;
	struct gcheap_info info;
	struct gcheap_stats stats;
	struct gcheap_collect collect;
	struct gcheap_gc gc;
	struct gcheap_list list;
	struct gcheap_weakref weakref;
	struct gcheap_weakref_get weakref_get;
	struct gcheap_batch batch;
	struct gcheap_tag_stats tag_stats;
	struct gcheap_events events;
};

/*
 * The command's entry: same type, number and direction; the size may be
 * that of a newer caller's struct, checked by the dispatcher.  The number
 * is clamped under speculation before it indexes the table.
 */
static const struct gch_ioctl_desc *gch_ioctl_find(unsigned int cmd)
{
	unsigned int nr = _IOC_NR(cmd);
	const struct gch_ioctl_desc *d;

	if (nr >= ARRAY_SIZE(gch_ioctls))
		return NULL;
	d = &gch_ioctls[array_index_nospec(nr, ARRAY_SIZE(gch_ioctls))];
	if (!d->cmd || (d->cmd ^ cmd) & ~IOCSIZE_MASK)
		return NULL;
	return d;
}

/*
 * Copy the result out, zero-filling a newer caller's larger struct; an
 * older caller's smaller one gets what it has room for.
 */
static __always_inline int gch_ioctl_out(void __user *uarg, const void *karg,
					 size_t ksize, size_t usize)
{
	if (gch_copy_out(uarg, karg, min(ksize, usize)))
		return -EFAULT;
	if (usize > ksize && clear_user((u8 __user *)uarg + ksize,
					usize - ksize))
		return -EFAULT;
	return 0;
}

/* Copy the struct in, run the handler, copy the result out. */
static __always_inline long gch_ioctl_run(struct gch_heap *h,
					  const struct gch_ioctl_desc *d,
					  unsigned int cmd, void __user *uarg,
					  void *karg)
{
	size_t usize = _IOC_SIZE(cmd), ksize = _IOC_SIZE(d->cmd);
	int ret;

	if (usize < (d->min_size ?: ksize))
		return -EINVAL;
	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		if (usize == ksize)
			ret = gch_copy_in(karg, uarg, ksize);
		else
			ret = copy_struct_from_user(karg, ksize, uarg, usize);
		if (ret)
			return ret == -E2BIG ? -EINVAL : ret;
	} else {
		memset(karg, 0, ksize);
	}
	/* what it cannot undo runs only with somewhere to say it did */
	if (d->ran_fault && gch_ioctl_out(uarg, karg, ksize, usize))
		return -EFAULT;
	ret = d->fn(h, karg);
	if (ret < 0 || !(_IOC_DIR(cmd) & _IOC_READ))
		return ret;
	if (gch_ioctl_out(uarg, karg, ksize, usize)) {
		if (d->undo)
			d->undo(h, karg);
		return d->ran_fault ?: -EFAULT;
	}
	return ret;
}

/*
 * ALLOC, called directly (see gch_ioctl()): gch_ioctl_run() for ALLOC's
 * one struct size, with the handler inline.  Only the ref is copied out:
 * the other fields would go back as they came in.
 */
static __always_inline long gch_ioctl_alloc(struct gch_heap *h,
					    struct gcheap_alloc __user *u,
					    struct gcheap_alloc *a)
{
	int ret;

	if (gch_copy_in(a, u, sizeof(*a)))
		return -EFAULT;
	ret = gch_ioc_alloc_inl(h, a);
	if (ret < 0)
		return ret;
	if (gch_copy_out(&u->ref, &a->ref, sizeof(a->ref))) {
		gch_undo_alloc(h, a);
		return -EFAULT;
	}
	return ret;
}

/* The commands whose struct does not fit gch_ioctl()'s small buffer. */
static noinline long gch_ioctl_large(struct gch_heap *h,
				     const struct gch_ioctl_desc *d,
				     unsigned int cmd, void __user *uarg)
{
	union gch_ioctl_arg karg __uninitialized;	/* as gch_ioctl()'s */

	BUILD_BUG_ON(sizeof(karg) > 1024);
	return gch_ioctl_run(h, d, cmd, uarg, &karg);
}

/*
 * The object operations' structs are at most this big.  Kernels built with
 * INIT_STACK_ALL_ZERO (Debian's) clear every stack buffer on entry, so the
 * frequent small commands get a buffer their size rather than the union of
 * every struct.
 */
#define GCH_SMALL_ARG	48

/**
 * gch_ioctl() - the heap file's unlocked_ioctl
 * @file: an open /dev/gcheap
 * @cmd: the command
 * @arg: user pointer to the command's struct, 0, or a by-value command's
 *	 operand
 *
 * Return: the handler's result, -ENOTTY for an unknown command, -EINVAL
 * for a malformed struct, -EFAULT for a bad pointer.
 */
long gch_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	const struct gch_ioctl_desc *d;
	struct gch_heap *h = file->private_data;
	void __user *uarg = (void __user *)arg;
	/*
	 * Not cleared on entry (INIT_STACK_ALL_ZERO would, a string store):
	 * gch_ioctl_run() (or gch_ioctl_alloc()) fills the command's size of
	 * it, from user space or with zeroes, before anything reads it, and
	 * copies out no more.
	 */
	u64 karg[GCH_SMALL_ARG / sizeof(u64)] __uninitialized;

	d = gch_ioctl_find(cmd);
	if (!d)
		return -ENOTTY;
	/*
	 * The commands programs issue most one at a time, called directly,
	 * not through the table's pointers (the indirect call and what it
	 * keeps the compiler from folding cost a tenth of a single ALLOC's
	 * own work, see BENCHMARKS.md "Twelfth session").  After the lookup,
	 * so that every other command, and an unknown one, costs what it did.
	 */
	switch (cmd) {
	case GCHEAP_IOC_INCREF_VAL:
	case GCHEAP_IOC_DECREF_VAL:
		return gch_ioc_refop_val(h, arg, cmd == GCHEAP_IOC_INCREF_VAL);
	case GCHEAP_IOC_ALLOC:
		BUILD_BUG_ON(_IOC_SIZE(GCHEAP_IOC_ALLOC) > sizeof(karg));
		return gch_ioctl_alloc(h, uarg, (struct gcheap_alloc *)karg);
	}
	if (_IOC_DIR(cmd) == _IOC_NONE) {
		if (!d->by_value)
			return arg ? -EINVAL : d->fn(h, NULL);
		return d->by_value(h, arg);
	}
	if (_IOC_SIZE(d->cmd) > sizeof(karg))
		return gch_ioctl_large(h, d, cmd, uarg);
	return gch_ioctl_run(h, d, cmd, uarg, karg);
}

#ifdef CONFIG_COMPAT
/**
 * gch_compat_ioctl() - the heap file's compat_ioctl
 * @file: an open /dev/gcheap
 * @cmd: the command
 * @arg: a 32-bit caller's pointer to the command's struct, or 0
 *
 * A 32-bit caller's argument cannot hold a ref, so the by-value commands
 * are refused here, and gch_ioctl() serves 64-bit callers only.  The rest
 * is compat_ptr_ioctl(): every struct is the same in both ABIs.
 *
 * Return: -ENOTTY for a by-value command, else as gch_ioctl().
 */
long gch_compat_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	const struct gch_ioctl_desc *d = gch_ioctl_find(cmd);

	if (d && d->by_value)
		return -ENOTTY;
	return gch_ioctl(file, cmd, (unsigned long)compat_ptr(arg));
}
#endif
