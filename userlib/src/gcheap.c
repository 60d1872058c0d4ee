// SPDX-License-Identifier: MIT
/*
 * libgcheap: heaps, objects, the collector's controls, weakrefs, events.
 * Each function is one ioctl (or read) on the heap's file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "gcheap.h"
#include "internal.h"

_Static_assert(sizeof(struct gch_event) == sizeof(struct gcheap_event),
	       "struct gch_event and struct gcheap_event differ");
_Static_assert(sizeof(struct gch_tag_stat) == sizeof(struct gcheap_tag_stat),
	       "struct gch_tag_stat and struct gcheap_tag_stat differ");
_Static_assert(sizeof(struct gch_stats) == GCHEAP_STATS_SIZE_VER0,
	       "struct gch_stats and struct gcheap_stats differ");
_Static_assert(sizeof(struct gch_stats_ex) == sizeof(struct gcheap_stats),
	       "struct gch_stats_ex and struct gcheap_stats differ");

int gch__ioctl(const struct gch_heap *h, unsigned long cmd, void *arg)
{
	if (!h)
		return -EINVAL;
	if (ioctl(h->fd, cmd, arg) < 0)
		return -errno;
	return 0;
}

/* A by-value command (GCHEAP_IOC_*_VAL). */
static int gch__ioctl_val(const struct gch_heap *h, unsigned long cmd,
			  unsigned long arg)
{
	if (ioctl(h->fd, cmd, arg) < 0)
		return -errno;
	return 0;
}

/* What the heap says of itself; whether we may use the by-value commands. */
static int gch__heap_info(struct gch_heap *h)
{
	struct gcheap_heap_info hi;
	int ret;

	memset(&hi, 0, sizeof(hi));
	ret = gch__ioctl(h, GCHEAP_IOC_HEAP_INFO, &hi);
	if (ret)
		return ret;
	h->id = hi.id;
	h->by_value = sizeof(long) == sizeof(gch_ref_t) &&
		      (hi.flags & GCHEAP_HEAP_BY_VALUE);
	return 0;
}

GCH_API struct gch_heap *gch_open(const struct gch_config *cfg)
{
	struct gch_heap *h;
	int ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->fd = open("/dev/gcheap", O_RDWR | O_CLOEXEC);
	if (h->fd < 0)
		goto fail_free;
	if (cfg) {
		struct gcheap_config c;

		memset(&c, 0, sizeof(c));
		c.max_objects = cfg->max_objects;
		c.max_bytes = cfg->max_bytes;
		memcpy(c.threshold, cfg->threshold, sizeof(c.threshold));
		c.flags = cfg->flags;
		ret = gch__ioctl(h, GCHEAP_IOC_CONFIG, &c);
		if (ret)
			goto fail_close;
	}
	ret = gch__heap_info(h);
	if (ret)
		goto fail_close;
	return h;

fail_close:
	close(h->fd);
	errno = -ret;
fail_free:
	ret = errno;
	free(h);
	errno = ret;
	return NULL;
}

GCH_API struct gch_heap *gch_open_fd(int fd)
{
	struct gch_heap *h;
	int ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->fd = fd;
	ret = gch__heap_info(h);
	if (ret) {
		free(h);
		errno = -ret;
		return NULL;
	}
	return h;
}

GCH_API void gch_close(struct gch_heap *h)
{
	if (!h)
		return;
	close(h->fd);
	free(h);
}

GCH_API int gch_fd(const struct gch_heap *h)
{
	return h ? h->fd : -EINVAL;
}

GCH_API int gch_heap_id(const struct gch_heap *h)
{
	return h ? h->id : -EINVAL;
}

GCH_API int gch_alloc_ex(struct gch_heap *h, const struct gch_alloc_args *a, gch_ref_t *out)
{
	struct gcheap_alloc arg;
	int ret;

	if (!a || !out)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	arg.nslots = a->nslots;
	arg.size = a->size;
	arg.flags = a->flags;
	arg.tag = a->tag;
	arg.cookie = a->cookie;
	ret = gch__ioctl(h, GCHEAP_IOC_ALLOC, &arg);
	if (!ret)
		*out = arg.ref;
	return ret;
}

GCH_API int gch_alloc(struct gch_heap *h, uint32_t nslots, uint32_t size, gch_ref_t *out)
{
	struct gch_alloc_args a = { .nslots = nslots, .size = size };

	return gch_alloc_ex(h, &a, out);
}

/* INCREF or DECREF: by value where the module and we can, else a struct. */
static int gch__refop(struct gch_heap *h, gch_ref_t ref, unsigned long cmd,
		      unsigned long cmd_val)
{
	struct gcheap_ref arg = { .ref = ref };

	if (h && h->by_value)
		return gch__ioctl_val(h, cmd_val, ref);
	return gch__ioctl(h, cmd, &arg);
}

GCH_API int gch_incref(struct gch_heap *h, gch_ref_t ref)
{
	return gch__refop(h, ref, GCHEAP_IOC_INCREF, GCHEAP_IOC_INCREF_VAL);
}

GCH_API int gch_decref(struct gch_heap *h, gch_ref_t ref)
{
	return gch__refop(h, ref, GCHEAP_IOC_DECREF, GCHEAP_IOC_DECREF_VAL);
}

GCH_API int gch_seal(struct gch_heap *h, gch_ref_t obj)
{
	struct gcheap_ref arg = { .ref = obj };

	return gch__ioctl(h, GCHEAP_IOC_SEAL, &arg);
}

GCH_API int gch_set_slot(struct gch_heap *h, gch_ref_t obj, uint32_t slot, gch_ref_t target)
{
	struct gcheap_slot arg = { .obj = obj, .target = target, .slot = slot };

	return gch__ioctl(h, GCHEAP_IOC_SET_SLOT, &arg);
}

GCH_API int gch_get_slot(struct gch_heap *h, gch_ref_t obj, uint32_t slot, gch_ref_t *out)
{
	struct gcheap_slot arg = { .obj = obj, .slot = slot };
	int ret;

	if (!out)
		return -EINVAL;
	ret = gch__ioctl(h, GCHEAP_IOC_GET_SLOT, &arg);
	if (!ret)
		*out = arg.target;
	return ret;
}

GCH_API int gch_write(struct gch_heap *h, gch_ref_t obj, uint32_t off, const void *buf,
		      uint32_t len)
{
	struct gcheap_rw arg = {
		.obj = obj, .buf = (uintptr_t)buf, .off = off, .len = len,
	};

	return gch__ioctl(h, GCHEAP_IOC_WRITE, &arg);
}

GCH_API int gch_read(struct gch_heap *h, gch_ref_t obj, uint32_t off, void *buf, uint32_t len)
{
	struct gcheap_rw arg = {
		.obj = obj, .buf = (uintptr_t)buf, .off = off, .len = len,
	};

	return gch__ioctl(h, GCHEAP_IOC_READ, &arg);
}

GCH_API int gch_info(struct gch_heap *h, gch_ref_t obj, struct gch_obj_info *out)
{
	struct gcheap_info arg;
	int ret;

	if (!out)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	arg.ref = obj;
	ret = gch__ioctl(h, GCHEAP_IOC_INFO, &arg);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->nslots = arg.nslots;
	out->size = arg.size;
	out->tag = arg.tag;
	out->generation = arg.generation;
	out->refcount = arg.refcount;
	out->flags = arg.flags;
	return 0;
}

/* ---- the collector ---- */

GCH_API int gch_collect(struct gch_heap *h, int generation)
{
	struct gcheap_collect arg = { .generation = generation };
	int ret = gch__ioctl(h, GCHEAP_IOC_COLLECT, &arg);

	if (ret)
		return ret;
	return arg.found > INT32_MAX ? INT32_MAX : (int)arg.found;
}

static int gch__get_gc(struct gch_heap *h, struct gcheap_gc *gc)
{
	memset(gc, 0, sizeof(*gc));
	return gch__ioctl(h, GCHEAP_IOC_GET_GC, gc);
}

static int gch__set_gc(struct gch_heap *h, struct gcheap_gc *gc, uint32_t set)
{
	gc->set = set;
	return gch__ioctl(h, GCHEAP_IOC_SET_GC, gc);
}

static int gch__set_enabled(struct gch_heap *h, uint32_t on)
{
	struct gcheap_gc gc;

	memset(&gc, 0, sizeof(gc));
	gc.enabled = on;
	return gch__set_gc(h, &gc, GCH_GC_SET_ENABLED);
}

GCH_API int gch_enable(struct gch_heap *h)
{
	return gch__set_enabled(h, 1);
}

GCH_API int gch_disable(struct gch_heap *h)
{
	return gch__set_enabled(h, 0);
}

GCH_API int gch_isenabled(struct gch_heap *h)
{
	struct gcheap_gc gc;
	int ret = gch__get_gc(h, &gc);

	return ret ? ret : (int)gc.enabled;
}

GCH_API int gch_get_count(struct gch_heap *h, uint32_t count[3])
{
	struct gcheap_gc gc;
	int ret;

	if (!count)
		return -EINVAL;
	ret = gch__get_gc(h, &gc);
	if (!ret)
		memcpy(count, gc.count, sizeof(gc.count));
	return ret;
}

GCH_API int gch_get_threshold(struct gch_heap *h, uint32_t threshold[3])
{
	struct gcheap_gc gc;
	int ret;

	if (!threshold)
		return -EINVAL;
	ret = gch__get_gc(h, &gc);
	if (!ret)
		memcpy(threshold, gc.threshold, sizeof(gc.threshold));
	return ret;
}

GCH_API int gch_set_threshold(struct gch_heap *h, uint32_t t0, uint32_t t1, uint32_t t2)
{
	struct gcheap_gc gc;

	memset(&gc, 0, sizeof(gc));
	gc.threshold[0] = t0;
	gc.threshold[1] = t1;
	gc.threshold[2] = t2;
	return gch__set_gc(h, &gc, GCH_GC_SET_THRESHOLD);
}

GCH_API int gch_freeze(struct gch_heap *h)
{
	return gch__ioctl(h, GCHEAP_IOC_FREEZE, NULL);
}

GCH_API int gch_unfreeze(struct gch_heap *h)
{
	return gch__ioctl(h, GCHEAP_IOC_UNFREEZE, NULL);
}

GCH_API int gch_get_freeze_count(struct gch_heap *h)
{
	struct gcheap_gc gc;
	int ret = gch__get_gc(h, &gc);

	if (ret)
		return ret;
	return gc.freeze_count > INT32_MAX ? INT32_MAX : (int)gc.freeze_count;
}

GCH_API int gch_set_debug(struct gch_heap *h, uint32_t flags)
{
	struct gcheap_gc gc;

	memset(&gc, 0, sizeof(gc));
	gc.debug = flags;
	return gch__set_gc(h, &gc, GCH_GC_SET_DEBUG);
}

GCH_API int gch_set_event_mask(struct gch_heap *h, uint32_t mask)
{
	struct gcheap_gc gc;

	memset(&gc, 0, sizeof(gc));
	gc.event_mask = mask;
	return gch__set_gc(h, &gc, GCH_GC_SET_EVENT_MASK);
}

static int gch__list(struct gch_heap *h, uint32_t what, int generation, gch_ref_t ref,
		     gch_ref_t *buf, uint32_t cap)
{
	struct gcheap_list arg;
	int ret;

	if (cap && !buf)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	arg.what = what;
	arg.generation = generation;
	arg.ref = ref;
	arg.buf = (uintptr_t)buf;
	arg.cap = cap;
	ret = gch__ioctl(h, GCHEAP_IOC_LIST, &arg);
	if (ret)
		return ret;
	return arg.count > INT32_MAX ? INT32_MAX : (int)arg.count;
}

GCH_API int gch_get_garbage(struct gch_heap *h, gch_ref_t *buf, uint32_t cap)
{
	return gch__list(h, GCHEAP_LIST_GARBAGE, 0, 0, buf, cap);
}

GCH_API int gch_get_objects(struct gch_heap *h, int generation, gch_ref_t *buf, uint32_t cap)
{
	return gch__list(h, GCHEAP_LIST_OBJECTS, generation, 0, buf, cap);
}

GCH_API int gch_get_referents(struct gch_heap *h, gch_ref_t obj, gch_ref_t *buf, uint32_t cap)
{
	return gch__list(h, GCHEAP_LIST_REFERENTS, 0, obj, buf, cap);
}

GCH_API int gch_get_referrers(struct gch_heap *h, gch_ref_t obj, gch_ref_t *buf, uint32_t cap)
{
	return gch__list(h, GCHEAP_LIST_REFERRERS, 0, obj, buf, cap);
}

GCH_API int gch_get_stats(struct gch_heap *h, struct gch_stats *out)
{
	return gch_get_stats_ex(h, (struct gch_stats_ex *)out, sizeof(*out));
}

GCH_API int gch_get_stats_ex(struct gch_heap *h, struct gch_stats_ex *out, size_t size)
{
	struct gcheap_stats st;
	int ret;

	if (!out || size < sizeof(struct gch_stats))
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	ret = gch__ioctl(h, GCHEAP_IOC_STATS, &st);
	if (ret)
		return ret;
	memcpy(out, &st, size < sizeof(st) ? size : sizeof(st));
	if (size > sizeof(st))
		memset((char *)out + sizeof(st), 0, size - sizeof(st));
	return 0;
}

/* ---- weak references and events ---- */

GCH_API int gch_weakref(struct gch_heap *h, gch_ref_t obj, uint32_t flags, uint64_t cookie,
			gch_ref_t *wref)
{
	struct gcheap_weakref arg;
	int ret;

	if (!wref)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	arg.obj = obj;
	arg.cookie = cookie;
	arg.flags = flags;
	ret = gch__ioctl(h, GCHEAP_IOC_WEAKREF, &arg);
	if (!ret)
		*wref = arg.wref;
	return ret;
}

GCH_API int gch_weakref_get(struct gch_heap *h, gch_ref_t wref, gch_ref_t *out)
{
	struct gcheap_weakref_get arg;
	int ret;

	if (!out)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	arg.wref = wref;
	ret = gch__ioctl(h, GCHEAP_IOC_WEAKREF_GET, &arg);
	if (!ret)
		*out = arg.ref;
	return ret;
}

static int64_t gch__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

GCH_API int gch_next_event(struct gch_heap *h, struct gch_event *ev, int timeout_ms)
{
	int64_t deadline = timeout_ms >= 0 ? gch__now_ms() + timeout_ms : -1;
	struct gcheap_events arg;
	struct pollfd pfd;
	int wait, n;

	if (!h || !ev)
		return -EINVAL;
	for (;;) {
		/*
		 * Takes a queued event, waiting for the heap if a collection
		 * or another reader holds it, never for an event: another
		 * thread may take the one poll() reported.
		 */
		memset(&arg, 0, sizeof(arg));
		arg.buf = (uintptr_t)ev;
		arg.cap = 1;
		n = ioctl(h->fd, GCHEAP_IOC_EVENTS, &arg);
		if (n == 1)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n < 0)
			continue;
		wait = -1;
		if (deadline >= 0) {
			int64_t left = deadline - gch__now_ms();

			if (left <= 0)
				return 0;
			wait = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		pfd.fd = h->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, wait) < 0 && errno != EINTR)
			return -errno;
	}
}

GCH_API int gch_get_tag_stats(struct gch_heap *h, struct gch_tag_stat *buf, uint32_t cap)
{
	struct gcheap_tag_stats arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.buf = (uintptr_t)buf;
	arg.cap = buf ? cap : 0;
	ret = gch__ioctl(h, GCHEAP_IOC_TAG_STATS, &arg);
	if (ret)
		return ret;
	return arg.count > INT32_MAX ? INT32_MAX : (int)arg.count;
}
