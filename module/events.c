// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: the event channel, read(2) and poll(2) on a heap's file.
 *
 * Events are queued in order on h->events.  FINALIZE and WEAKREF events
 * are embedded in their object or weakref and hold a reference to it,
 * which read(2) hands to the program; there is at most one of each per
 * object or weakref, so the queue is bounded by the heap's limits.
 * COLLECT events are allocated when a collection ends, at most
 * GCH_COLLECT_EVENTS of them pending (further ones are dropped).
 *
 * Locking (the whole of it under "Locking" in gcheap.h): the queue and
 * h->nevents are under the heap's lock; h->nevents is also read without
 * it, to poll and to wait.  h->read_lock
 * (a mutex, taken before h->lock) makes read(2)s take turns: a read copies
 * events from the head of the queue under h->lock, copies them to the
 * reader with only h->read_lock held, and takes off, under h->lock again,
 * those the reader got.  Until then they stay queued: a faulting reader
 * loses nothing and wakes nobody wrongly; a reader stalled in a page fault
 * holds up only the other readers of its own heap.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "gcheap.h"

#define GCH_COLLECT_EVENTS	64
#define GCH_READ_EVENTS		16

/**
 * gch_event_queue() - queue an event and wake readers
 * @h: the heap, locked
 * @n: an event not queued
 */
void gch_event_queue(struct gch_heap *h, struct gch_evnode *n)
{
	lockdep_assert_held(&h->lock);
	list_add_tail(&n->link, &h->events);
	WRITE_ONCE(h->nevents, h->nevents + 1);
	wake_up_interruptible_poll(&h->event_wait, EPOLLIN | EPOLLRDNORM);
}

/**
 * gch_event_unqueue() - take an event off the queue, if it is on it
 * @h: the heap, locked
 * @n: the event of an object or weakref that is being freed
 */
void gch_event_unqueue(struct gch_heap *h, struct gch_evnode *n)
{
	lockdep_assert_held(&h->lock);
	if (list_empty(&n->link))
		return;
	list_del_init(&n->link);
	WRITE_ONCE(h->nevents, h->nevents - 1);
}

/**
 * gch_event_collect() - report a finished collection, if asked to
 * @h: the heap, locked
 * @gen: the generation collected
 * @collected: objects freed
 * @uncollectable: unreachable objects kept for their finalizers
 */
void gch_event_collect(struct gch_heap *h, int gen, u64 collected,
		       u64 uncollectable)
{
	struct gch_evnode *n;

	lockdep_assert_held(&h->lock);
	if (!(h->event_mask & GCH_EV_COLLECT) ||
	    h->ncollect_events >= GCH_COLLECT_EVENTS)
		return;
	n = kzalloc(sizeof(*n), GCH_GFP);
	if (!n)
		return;		/* a report, not a reference: may be lost */
	n->ev.type = GCH_EV_COLLECT;
	n->ev.generation = gen;
	n->ev.collected = collected;
	n->ev.uncollectable = uncollectable;
	h->ncollect_events++;
	gch_event_queue(h, n);
}

/* Free a COLLECT event taken off the queue. */
static void gch_event_free(struct gch_heap *h, struct gch_evnode *n)
{
	if (n->ev.type != GCH_EV_COLLECT)
		return;
	h->ncollect_events--;
	kfree(n);
}

/**
 * gch_events_init() - an empty event queue and no weakrefs
 * @h: a new heap
 */
void gch_events_init(struct gch_heap *h)
{
	INIT_LIST_HEAD(&h->events);
	init_waitqueue_head(&h->event_wait);
	xa_init(&h->weak_heads);
}

/**
 * gch_events_drop() - drop every pending event of a heap being destroyed
 * @h: the heap, which nobody can reach any more
 *
 * Nothing is finalized: the references the events hold go with the heap.
 */
void gch_events_drop(struct gch_heap *h)
{
	struct gch_evnode *n, *tmp;

	list_for_each_entry_safe(n, tmp, &h->events, link) {
		list_del_init(&n->link);
		gch_event_free(h, n);
	}
	h->nevents = 0;
}

/*
 * Copy up to @max events from the head of the queue to @out, leaving them
 * queued until the copy to the reader succeeded.
 */
static unsigned int gch_events_peek(struct gch_heap *h,
				    struct gcheap_event *out, unsigned int max)
{
	struct gch_evnode *n;
	unsigned int got = 0;

	list_for_each_entry(n, &h->events, link) {
		if (got == max)
			break;
		out[got++] = n->ev;
	}
	return got;
}

/* A read event's reference is the program's now (COLLECT: freed). */
static void gch_event_handover(struct gch_heap *h, struct gch_evnode *n)
{
	struct gch_obj *obj;

	switch (n->ev.type) {
	case GCH_EV_COLLECT:
		gch_event_free(h, n);
		break;
	case GCH_EV_WEAKREF:
		container_of(n, struct gch_weak, node)->urefs++;
		break;
	case GCH_EV_FINALIZE:
		obj = gch_lookup(h, n->ev.ref);
		if (WARN_ON_ONCE(!obj))
			break;
		gch_touch(h, obj);
		obj->urefs++;
		break;
	}
}

/*
 * Take the first @done events, which the reader got, off the queue.  Only
 * readers take events off, one at a time (h->read_lock), and a queued
 * event's reference keeps its object or weakref, so they are still there.
 */
static void gch_events_consume(struct gch_heap *h,
			       const struct gcheap_event *evs,
			       unsigned int done)
{
	struct gch_evnode *n;
	unsigned int i;

	for (i = 0; i < done && !list_empty(&h->events); i++) {
		n = list_first_entry(&h->events, struct gch_evnode, link);
		if (WARN_ON_ONCE(n->ev.type != evs[i].type ||
				 n->ev.ref != evs[i].ref))
			return;
		list_del_init(&n->link);
		WRITE_ONCE(h->nevents, h->nevents - 1);
		gch_event_handover(h, n);
	}
}

/* The heap's lock, or -EAGAIN without sleeping for an IOCB_NOWAIT read. */
static int gch_read_lock_heap(struct gch_heap *h, bool nowait)
{
	if (!nowait) {
		gch_heap_lock(h);
		return 0;
	}
	return mutex_trylock(&h->lock) ? 0 : -EAGAIN;
}

/*
 * Wait for events, not holding h->read_lock.  Return: 0 with the lock
 * held again, or -ERESTARTSYS without it.
 */
static int gch_read_wait(struct gch_heap *h)
{
	mutex_unlock(&h->read_lock);
	if (wait_event_interruptible(h->event_wait, READ_ONCE(h->nevents)) ||
	    mutex_lock_interruptible(&h->read_lock))
		return -ERESTARTSYS;
	return 0;
}

/*
 * With h->read_lock held: wait for events and copy them from the queue.
 * Return: how many, with the lock held; -EAGAIN with it; -ERESTARTSYS
 * without it.
 */
static int gch_read_peek(struct gch_heap *h, struct gcheap_event *evs,
			 unsigned int max, bool nonblock, bool nowait)
{
	unsigned int got;
	int ret;

	for (;;) {
		ret = gch_read_lock_heap(h, nowait);
		if (ret)
			return ret;
		got = gch_events_peek(h, evs, max);
		mutex_unlock(&h->lock);
		if (got)
			return got;
		if (nonblock)
			return -EAGAIN;
		ret = gch_read_wait(h);
		if (ret)
			return ret;
	}
}

/*
 * Take off the queue the @done events of those peeked that the reader got.
 * Return: @done, -EFAULT if it got none, -EAGAIN if the heap was busy.
 */
static int gch_read_commit(struct gch_heap *h, const struct gcheap_event *evs,
			   unsigned int done, bool nowait)
{
	if (!done)
		return -EFAULT;
	if (gch_read_lock_heap(h, nowait))
		return -EAGAIN;
	gch_events_consume(h, evs, done);
	mutex_unlock(&h->lock);
	return done;
}

/**
 * gch_read_iter() - read(2): whole struct gcheap_events, oldest first
 * @iocb: the read, on a heap's file
 * @to: the caller's buffer
 *
 * Blocks while the queue is empty, unless O_NONBLOCK or RWF_NOWAIT
 * (-EAGAIN); a signal interrupts the wait.  An RWF_NOWAIT read never
 * sleeps on a lock: -EAGAIN while another read or a collection holds one.
 * Events are copied out while still queued and taken off only once the
 * copy succeeded, so a read that faults loses nothing and leaves the
 * queue, and everyone waiting on it, as they were.
 *
 * Return: bytes read (a multiple of the event size), -EINVAL for a buffer
 * smaller than one event, -EAGAIN, -ERESTARTSYS or -EFAULT.
 */
ssize_t gch_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct gch_heap *h = iocb->ki_filp->private_data;
	size_t max = iov_iter_count(to) / sizeof(struct gcheap_event);
	bool nowait = iocb->ki_flags & IOCB_NOWAIT;
	bool nonblock = nowait || (iocb->ki_filp->f_flags & O_NONBLOCK);
	struct gcheap_event evs[GCH_READ_EVENTS];
	unsigned int done;
	int ret;

	if (!max)
		return -EINVAL;
	if (nowait ? !mutex_trylock(&h->read_lock) :
	    mutex_lock_interruptible(&h->read_lock))
		return nowait ? -EAGAIN : -ERESTARTSYS;
	ret = gch_read_peek(h, evs, min_t(size_t, max, GCH_READ_EVENTS),
			    nonblock, nowait);
	if (ret == -ERESTARTSYS)
		return ret;
	if (ret > 0) {
		done = copy_to_iter(evs, ret * sizeof(evs[0]), to) /
		       sizeof(evs[0]);
		ret = gch_read_commit(h, evs, done, nowait);
		if (ret > 0)
			ret *= sizeof(evs[0]);
	}
	mutex_unlock(&h->read_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(gch_read_iter);

/**
 * gch_ioc_events() - GCHEAP_IOC_EVENTS: take queued events, waiting for none
 * @h: the heap
 * @arg: a struct gcheap_events, copied in
 *
 * As an O_NONBLOCK read(2) of .cap events into .buf: it waits for the
 * heap's locks (a collection's slice, another reader), so that a program
 * draining the queue while a collection runs gets every queued event.
 *
 * Return: how many events it took (0 when none is queued), -EINVAL,
 * -EFAULT (nothing taken) or -EINTR.
 */
int gch_ioc_events(struct gch_heap *h, void *arg)
{
	const struct gcheap_events *a = arg;
	struct gcheap_event evs[GCH_READ_EVENTS];
	unsigned long left;
	int ret, got;

	if (a->flags || !a->cap)
		return -EINVAL;
	if (mutex_lock_killable(&h->read_lock))
		return -EINTR;
	ret = gch_read_peek(h, evs, min_t(u32, a->cap, GCH_READ_EVENTS),
			    true, false);
	if (ret > 0) {
		left = copy_to_user(u64_to_user_ptr(a->buf), evs,
				    ret * sizeof(evs[0]));
		got = ret - DIV_ROUND_UP(left, sizeof(evs[0]));
		ret = gch_read_commit(h, evs, got, false);
	} else if (ret == -EAGAIN) {
		ret = 0;
	}
	mutex_unlock(&h->read_lock);
	return ret;
}

/**
 * gch_poll() - poll(2): readable while events are queued
 * @file: a heap's file
 * @wait: the poll table
 *
 * Return: EPOLLIN | EPOLLRDNORM when an event is queued, else 0.
 */
__poll_t gch_poll(struct file *file, struct poll_table_struct *wait)
{
	struct gch_heap *h = file->private_data;

	poll_wait(file, &h->event_wait, wait);
	return READ_ONCE(h->nevents) ? EPOLLIN | EPOLLRDNORM : 0;
}
