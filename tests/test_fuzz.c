// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded, seeded fuzzer of the ioctl interface: gcheap's commands with
 * random directions and sizes, nearby and far-off command numbers, random
 * struct bytes seeded with live, stale and made-up refs, huge counts and
 * lengths, NULL, unmapped, read-only and kernel-looking pointers, batches
 * of garbage, and read(2) with odd buffers; valid traffic in between so
 * that there are objects, cycles, weakrefs and events to hit.  The heap's
 * limits must hold throughout (a fuzzed CONFIG may lower one below what
 * the heap holds: from then on nothing grows until the heap is back under
 * it), and all memory must come back when the heaps close.  The debug
 * kernel judges the rest (vm-run).
 *
 * GCH_FUZZ_ITERS (default 20000) and GCH_FUZZ_SEED (default 1) set the
 * run; make fuzz runs it longer.
 */
#include <sys/mman.h>

#include "gch_test.h"

#define POOL	64
#define BUF_BYTES	(1 << 15)	/* more than _IOC_SIZE's 16 KiB */
#define LIMIT	2000

static uint64_t rs;	/* gch_test_rand's state */

static uint64_t rnd64(void)
{
	return gch_test_rand64(&rs);
}

static uint32_t rnd(uint32_t n)
{
	return gch_test_rand(&rs, n);
}

struct fuzz {
	struct gch_heap *h;
	/* what the heap held when last seen: over a limit, no more than this */
	uint64_t seen_objects, seen_bytes;
	gch_ref_t refs[POOL];	/* live, stale, weak: whatever we saw */
	uint8_t *buf;		/* BUF_BYTES of random bytes */
	void *none;		/* an unmapped page */
	void *ro;		/* a read-only page */
};

static gch_ref_t some_ref(struct fuzz *f)
{
	switch (rnd(6)) {
	case 0:
		return rnd64();
	case 1:
		return 0;
	case 2:
		return GCH_RESULT(rnd(8));
	default:
		return f->refs[rnd(POOL)];
	}
}

static void *some_ptr(struct fuzz *f)
{
	switch (rnd(8)) {
	case 0:
		return NULL;
	case 1:
		return f->none;
	case 2:
		return f->ro;
	case 3:
		return (void *)0xffff888000000000ULL;
	case 4:
		return f->buf + BUF_BYTES - rnd(64);	/* runs off the end */
	default:
		return f->buf + rnd(2048);
	}
}

/* Random bytes with refs, pointers and small numbers where fields are. */
static void scramble(struct fuzz *f, uint64_t *w, int words)
{
	int i;

	for (i = 0; i < words; i++) {
		switch (rnd(6)) {
		case 0:
			w[i] = rnd64();
			break;
		case 1:
			w[i] = some_ref(f);
			break;
		case 2:
			w[i] = (uintptr_t)some_ptr(f);
			break;
		case 3:
			w[i] = 0;
			break;
		default:
			w[i] = rnd(8) | (uint64_t)rnd(70000) << 32;
		}
	}
}

/* Valid traffic: objects, cycles, weakrefs, events, collections. */
static void valid_op(struct fuzz *f)
{
	struct gch_alloc_args a = {
		.nslots = rnd(4), .size = rnd(64),
		.flags = rnd(4) ? 0 : GCH_ALLOC_FINALIZE, .tag = rnd(5),
	};
	struct gch_event ev;
	gch_ref_t r = 0;

	switch (rnd(7)) {
	case 0:
		if (!gch_alloc_ex(f->h, &a, &r))
			f->refs[rnd(POOL)] = r;
		break;
	case 1:
		gch_set_slot(f->h, f->refs[rnd(POOL)], rnd(4), f->refs[rnd(POOL)]);
		break;
	case 2:
		gch_decref(f->h, f->refs[rnd(POOL)]);
		break;
	case 3:
		if (!gch_weakref(f->h, f->refs[rnd(POOL)], GCH_WEAK_NOTIFY, 0, &r))
			f->refs[rnd(POOL)] = r;
		break;
	case 4:
		gch_collect(f->h, rnd(3));
		break;
	case 5:
		gch_seal(f->h, f->refs[rnd(POOL)]);
		break;
	default:
		while (gch_next_event(f->h, &ev, 0) == 1)
			if (ev.ref && rnd(2))
				gch_decref(f->h, ev.ref);
	}
}

static unsigned long some_cmd(void)
{
	unsigned int dir = rnd(4), nr, size, type = GCHEAP_IOC_MAGIC;

	switch (rnd(8)) {
	case 0:
		return (unsigned long)rnd64();
	case 1:
		type = GCHEAP_IOC_MAGIC - 1 + rnd(3);
		break;
	}
	nr = rnd(10) ? rnd(0x32) : rnd(256);
	size = rnd(4) ? 8 * rnd(12) : rnd(1 << 14);
	return _IOC(dir, type, nr, size);
}

/*
 * The heap's limits hold: what it holds is within them or, when a CONFIG
 * lowered one below what the heap held, no more than when it was last seen
 * (seen before every CONFIG: a heap over a limit admits nothing).
 */
static void check_limits(struct fuzz *f, struct __test_metadata *_metadata)
{
	struct gcheap_heap_info hi;
	struct gch_stats st;

	ASSERT_EQ(0, gch_test_ioctl(f->h, GCHEAP_IOC_HEAP_INFO, &hi));
	ASSERT_EQ(0, gch_get_stats(f->h, &st));
	if (st.objects + st.weakrefs > hi.max_objects)
		ASSERT_LE(st.objects + st.weakrefs, f->seen_objects);
	if (st.bytes > hi.max_bytes)
		ASSERT_LE(st.bytes, f->seen_bytes);
	f->seen_objects = st.objects + st.weakrefs;
	f->seen_bytes = st.bytes;
}

/* Whether the kernel takes @cmd for CONFIG: its size may be a newer one. */
static bool is_config(unsigned long cmd)
{
	return ((unsigned int)cmd & ~IOCSIZE_MASK) ==
	       (GCHEAP_IOC_CONFIG & ~IOCSIZE_MASK);
}

static void fuzz_ioctl(struct fuzz *f, struct __test_metadata *_metadata)
{
	unsigned long cmd = some_cmd();
	void *arg = rnd(4) ? f->buf : some_ptr(f);

	if (arg == f->buf)
		scramble(f, (uint64_t *)f->buf, 32);
	/* a limit it lowers may leave the heap over it, as it is now */
	if (is_config(cmd))
		check_limits(f, _metadata);
	ioctl(gch_fd(f->h), cmd, arg);
}

/* A batch whose ops are mostly plausible, and sometimes garbage. */
static void fuzz_batch(struct fuzz *f)
{
	struct gcheap_batch_op *ops = (struct gcheap_batch_op *)f->buf;
	struct gcheap_batch b = { .ops = (uintptr_t)ops };
	int i, n = 1 + rnd(50);

	for (i = 0; i < n; i++) {
		ops[i] = (struct gcheap_batch_op){
			.op = 1 + rnd(10), .slot = rnd(5), .a = some_ref(f),
			.b = rnd(2) ? some_ref(f) : (uintptr_t)some_ptr(f),
			.off = rnd(80), .len = rnd(80),
		};
		if (ops[i].op == GCH_OP_ALLOC)
			ops[i].a = ops[i].b = ops[i].off = 0;
		if (!rnd(10))
			scramble(f, (uint64_t *)&ops[i], sizeof(ops[i]) / 8);
	}
	b.count = rnd(10) ? n : rnd64();
	b.op_size = rnd(10) ? sizeof(ops[0]) : rnd(300);
	if (!rnd(20))
		b.ops = (uintptr_t)some_ptr(f);
	ioctl(gch_fd(f->h), GCHEAP_IOC_BATCH, &b);
}

static void fuzz_read(struct fuzz *f)
{
	int fl = fcntl(gch_fd(f->h), F_GETFL);

	fcntl(gch_fd(f->h), F_SETFL, fl | O_NONBLOCK);
	if (read(gch_fd(f->h), some_ptr(f), rnd(200)) > 0)
		;	/* events read into garbage places are simply lost */
	fcntl(gch_fd(f->h), F_SETFL, fl);
}

/*
 * A fixture only for its timeout: make fuzz runs as many calls as it
 * likes, bounded by vm-run's, where TEST()'s 30 s would cut it short.
 */
FIXTURE(fuzzer) {};
FIXTURE_SETUP(fuzzer) {}
FIXTURE_TEARDOWN(fuzzer) {}

TEST_F_TIMEOUT(fuzzer, fuzz_the_interface, 86400)
{
	const char *it = getenv("GCH_FUZZ_ITERS"), *sd = getenv("GCH_FUZZ_SEED");
	long iters = it ? atol(it) : 20000, i;
	struct gch_config cfg = { .max_objects = LIMIT, .max_bytes = 1 << 20 };
	long long slab_before = gch_test_slab_objects();
	struct fuzz f = { 0 };

	rs = sd ? strtoull(sd, NULL, 0) : 1;
	if (!rs)
		rs = 1;
	/* Room for the largest size an ioctl number can carry, and more. */
	f.buf = mmap(NULL, 2 * BUF_BYTES, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f.buf);
	/* a guard behind it: a size that runs past the end faults */
	ASSERT_EQ(0, mprotect(f.buf + BUF_BYTES, BUF_BYTES, PROT_NONE));
	f.none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f.ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f.buf);
	ASSERT_NE(MAP_FAILED, f.none);
	ASSERT_NE(MAP_FAILED, f.ro);
	TH_LOG("seed %llu, %ld calls", (unsigned long long)rs, iters);
	for (i = 0; i < iters; i++) {
		if (!f.h || !rnd(2000)) {
			if (f.h)
				gch_close(f.h);	/* a heap closed mid-way */
			f.h = gch_open(&cfg);
			ASSERT_NE(NULL, f.h);
			f.seen_objects = 0;
			f.seen_bytes = 0;
			gch_set_threshold(f.h, 50, 5, 5);
		}
		switch (rnd(10)) {
		case 0: case 1: case 2: case 3:
			valid_op(&f);
			break;
		case 4: case 5: case 6:
			fuzz_ioctl(&f, _metadata);
			break;
		case 7: case 8:
			fuzz_batch(&f);
			break;
		default:
			fuzz_read(&f);
		}
		if (!(i % 500))
			check_limits(&f, _metadata);
	}
	gch_close(f.h);
	if (slab_before >= 0)
		EXPECT_EQ(slab_before, gch_test_slab_objects());
}

TEST_HARNESS_MAIN
