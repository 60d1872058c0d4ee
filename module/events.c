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
 * Locking: the queue and h->nevents are under the heap's lock (heap.c);
 * h->nevents is also read without it, to poll and to wait.  read(2) takes
 * events off the queue under the lock and copies them out after dropping
 * it; events it could not copy are put back at the head.
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
 * Take up to @max events off the queue, copying them to @out; the
 * embedded ones' references now belong to the reader.  COLLECT events
 * move to @collect, to be freed once delivered.
 */
static unsigned int gch_events_take(struct gch_heap *h,
				    struct gcheap_event *out, unsigned int max,
				    struct list_head *collect)
{
	struct gch_evnode *n;
	unsigned int got = 0;

	while (got < max && !list_empty(&h->events)) {
		n = list_first_entry(&h->events, struct gch_evnode, link);
		out[got++] = n->ev;
		if (n->ev.type == GCH_EV_COLLECT)
			list_move_tail(&n->link, collect);
		else
			list_del_init(&n->link);
		WRITE_ONCE(h->nevents, h->nevents - 1);
	}
	return got;
}

/* The queued event of a ref taken by read(2), if it is still alive. */
static struct gch_evnode *gch_event_of(struct gch_heap *h,
				       const struct gcheap_event *ev)
{
	struct gch_weak *w;
	struct gch_obj *obj;

	if (ev->type == GCH_EV_WEAKREF) {
		w = gch_lookup_weak(h, ev->ref);
		return w ? &w->node : NULL;
	}
	obj = gch_lookup(h, ev->ref);
	return obj && (obj->flags & GCH_OF_FINALIZE) ? gch_ext(obj)->fin : NULL;
}

/*
 * Put back, at the head and in order, the events from @first on that
 * read(2) could not copy out.  An embedded event whose owner the program
 * freed meanwhile (by dropping a reference it did not have) is gone.
 */
static void gch_events_putback(struct gch_heap *h,
			       const struct gcheap_event *evs,
			       unsigned int first, unsigned int got,
			       struct list_head *collect)
{
	LIST_HEAD(back);
	struct gch_evnode *n;
	unsigned int i;

	if (first == got && list_empty(collect))
		return;
	mutex_lock(&h->lock);
	for (i = 0; i < got; i++) {
		if (evs[i].type == GCH_EV_COLLECT) {
			n = list_first_entry(collect, struct gch_evnode, link);
			list_del_init(&n->link);
			if (i < first) {
				gch_event_free(h, n);
				continue;
			}
		} else {
			if (i < first)
				continue;
			n = gch_event_of(h, &evs[i]);
			if (!n || !list_empty(&n->link))
				continue;
		}
		list_add_tail(&n->link, &back);
		WRITE_ONCE(h->nevents, h->nevents + 1);
	}
	list_splice(&back, &h->events);
	mutex_unlock(&h->lock);
}

/**
 * gch_read_iter() - read(2): whole struct gcheap_events, oldest first
 * @iocb: the read, on a heap's file
 * @to: the caller's buffer
 *
 * Blocks while the queue is empty, unless O_NONBLOCK or RWF_NOWAIT
 * (-EAGAIN); a signal interrupts the wait.
 *
 * Return: bytes read (a multiple of the event size), -EINVAL for a buffer
 * smaller than one event, -EAGAIN, -ERESTARTSYS or -EFAULT.
 */
ssize_t gch_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct gch_heap *h = iocb->ki_filp->private_data;
	size_t max = iov_iter_count(to) / sizeof(struct gcheap_event);
	bool nowait = (iocb->ki_flags & IOCB_NOWAIT) ||
		      (iocb->ki_filp->f_flags & O_NONBLOCK);
	struct gcheap_event evs[GCH_READ_EVENTS];
	LIST_HEAD(collect);
	unsigned int got, done;
	size_t bytes;
	int ret;

	if (!max)
		return -EINVAL;
	max = min_t(size_t, max, GCH_READ_EVENTS);
	for (;;) {
		mutex_lock(&h->lock);
		got = gch_events_take(h, evs, max, &collect);
		mutex_unlock(&h->lock);
		if (got)
			break;
		if (nowait)
			return -EAGAIN;
		ret = wait_event_interruptible(h->event_wait,
					       READ_ONCE(h->nevents));
		if (ret)
			return ret;
	}
	bytes = copy_to_iter(evs, got * sizeof(evs[0]), to);
	done = bytes / sizeof(evs[0]);
	gch_events_putback(h, evs, done, got, &collect);
	return done ? done * sizeof(evs[0]) : -EFAULT;
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
