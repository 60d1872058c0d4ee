// SPDX-License-Identifier: GPL-2.0
/*
 * A graph-aware adversarial fuzzer.  Processes (fork) share a heap, and
 * each has one of its own.  In them they build real object graphs: rings
 * and random links (cycles), trees of ALLOC_MOVE batches, finalizable
 * objects whose FINALIZE events are read and sometimes resurrect them,
 * weakrefs with GCH_WEAK_NOTIFY, walks by GET_SLOT and PEEK_SLOT, under a
 * collector kept busy (small thresholds, automatic and explicit
 * collections, freeze, SAVEALL, COLLECT events), sealing objects (in
 * their own heaps, and in the shared one every other round).  And they
 * lie: they drop references they do not hold, or twice; use refs after
 * death; pass objects for weakrefs and back, refs of the other heap and
 * made-up ones; steal references in batches that are not theirs (results
 * already moved, borrowed PEEK_SLOT results); drop twice what events hand
 * over; close their own heap with all of that pending.  On the shared
 * heap, each process has its own idea of what it holds, so one process's
 * lie is sometimes true for another.
 *
 * Each process keeps what it believes it holds.  Every call's result must
 * be one the contract allows for that call.  Where the belief is the whole
 * truth (a process's own heap; the shared heap when no one lies or there is
 * one process), it must be the exact one: what it holds works, what it does
 * not hold cannot be dropped or moved.  The heaps' invariants (debugfs
 * <id>/verify, root only; skipped when unreadable) are checked every
 * VERIFY_EVERY operations and at the end.  A shared heap lives for a round
 * of ROUND_OPS operations; at the end of a round, everything is dropped and
 * collected and nothing may stay but what the garbage list keeps alive.  In
 * the end the slab gives all its objects back.  The debug kernel's checkers
 * judge the rest (vm-run).
 *
 * GCH_GFUZZ_ITERS (operations across all processes, default 200000),
 * GCH_GFUZZ_PROCS (default 4), GCH_GFUZZ_SEED (default 1; each process's
 * seed derives from it, its round and its number) and GCH_GFUZZ_LIES
 * (percent of operations that lie, default 15; 0: none) set the run;
 * GCH_GFUZZ_EXACT=0 keeps only the per-call checks (for a kernel whose
 * counting differs: the lies go on, and the checkers judge).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "gch_test.h"

#define ROUND_OPS	50000	/* operations on one shared heap, all processes */
#define MAX_PROCS	16
#define VERIFY_EVERY	2000	/* a process's operations between verify checks */
#define REOPEN_EVERY	1500	/* one operation in this many reopens the own heap */
#define SHARED_OBJECTS	4096	/* object limits: runs never grow */
#define OWN_OBJECTS	1024	/* at most; often fewer, to reach the limits */
#define HEAP_BYTES	(8 << 20)
#define HELD_CAP	256	/* refs a process tracks per heap */
#define HELD_KEEP	160	/* past this, it drops some */
#define SEEN		64	/* refs it remembers having seen */
#define BATCH_OPS	24
#define LIST_CAP	16
#define MAX_SLOTS	40	/* the most slots an object gets */
#define UNKNOWN		UINT32_MAX
#define TRACE		48	/* recent calls, shown on a failure */

/* A call's outcomes, as bits. */
#define E_OK		0x01	/* 0 or a count */
#define E_STALE		0x02
#define E_INVAL		0x04
#define E_DQUOT		0x08
#define E_NOMEM		0x10
#define E_OVERFLOW	0x20
#define E_FAULT		0x40
#define E_PERM		0x80	/* a slot of a sealed object set */
#define NOUTCOMES	8
#define E_FAILS		(E_STALE | E_INVAL)	/* what a wrong operand gets */
#define E_SHORT		(E_DQUOT | E_NOMEM)	/* limits, memory: always allowed */

/* What each call may return at all. */
#define ANY_DECREF	(E_OK | E_FAILS)
#define ANY_INCREF	(E_OK | E_STALE | E_OVERFLOW)
#define ANY_ALLOC	(E_OK | E_SHORT)
#define ANY_MOVE	(E_OK | E_FAILS | E_SHORT | E_OVERFLOW)
#define ANY_SLOT	(E_OK | E_FAILS | E_OVERFLOW)
#define ANY_SEAL	(E_OK | E_STALE)
#define SEALED		64	/* objects a process seals in one heap, at most */
#define ANY_PEEK	(E_OK | E_FAILS)
#define ANY_RW		(E_OK | E_FAILS)
#define ANY_INFO	(E_OK | E_STALE)
#define ANY_WEAKREF	(E_OK | E_STALE | E_SHORT)
#define ANY_WGET	(E_OK | E_STALE | E_OVERFLOW)
#define ANY_LIST	(E_OK | E_STALE | E_NOMEM | E_OVERFLOW)

enum kind { K_OBJ, K_WEAK, K_UNKNOWN };

/* One ref a process holds references on. */
struct held {
	gch_ref_t ref;
	uint32_t count;		/* program references it holds on it */
	uint32_t nslots, size;	/* or UNKNOWN */
	int kind;
};

/* What one process believes about one heap. */
struct view {
	struct gch_heap *h;
	const char *name;
	int strict;		/* its counts are the heap's program counts */
	uint64_t max_objects;	/* the limit it was opened with */
	int n;
	struct held held[HELD_CAP];
	gch_ref_t seen[SEEN];	/* refs it had or saw: dead, dropped, others' */
	unsigned int seen_at;
	gch_ref_t sealed[SEALED];	/* objects it sealed */
	int nsealed;
	int others_seal;	/* other processes may seal objects here */
	struct view *other;	/* the process's other heap: foreign refs */
};

/* What a process knows of one ref, for one call. */
struct know {
	int null, foreign;	/* these never name anything here */
	int exact;		/* count is the program's whole count */
	uint32_t count, nslots, size;
	int kind;
};

/* How one operand bears on a call's outcome. */
enum verdict { V_FINE, V_UNSURE, V_STALE, V_INVAL, V_FAIL };

/* One op of a batch being built. */
struct bop {
	uint32_t op;		/* GCH_OP_* */
	gch_ref_t a, b;		/* operands: refs or GCH_RESULT(i) */
	uint32_t nslots, size;	/* what ALLOC and ALLOC_MOVE make */
	uint32_t len;		/* READ */
	unsigned int allow;	/* outcomes allowed if the ops before succeeded */
	int zeroes;		/* a READ of a new object: all zero */
	int written;		/* a new object a WRITE went to */
};

struct bat {
	struct gch_batch *b;
	struct view *v;
	int n;
	int aliases;		/* a GET_SLOT or PEEK_SLOT result: any object */
	int malformed;		/* an operand no batch may have: -EINVAL whole */
	struct bop op[BATCH_OPS];
	gch_ref_t key[3 * BATCH_OPS];	/* refs whose count the batch moves */
	int delta[3 * BATCH_OPS];
	int nkeys;
	uint8_t rd[BATCH_OPS][16];
	uint8_t wr[16];
};

/* A process's figures, in memory the parent reads. */
struct tally {
	long ops, lies, refused, taken, batches, events, finalized;
	long resurrected, verified, collects;
	long outcomes[NOUTCOMES];	/* by outcome bit: ok, ESTALE, ... */
};

struct cfg {
	uint64_t seed;
	long iters;
	int procs, lies, exact;
};

/* One call, for the trace. */
struct call {
	const char *what;
	long op;
	gch_ref_t a, b;
	long ret;
	int shared;
};

/* Whether exact expectations are checked at all (GCH_GFUZZ_EXACT). */
static int exact_checks = 1;

struct fz {
	uint64_t rng;
	int proc, round;
	long op;
	int lies;		/* percent */
	int lying;		/* the current operation lies */
	int failed;
	struct view shared, own;
	struct view *v;		/* the heap of the current operation */
	struct bat bat;
	struct tally *t;
	struct call trace[TRACE];
	unsigned int traced;
	uint8_t *pages;		/* two: the second read-only */
	uint8_t *alias;		/* the second, writable */
	const struct bat *judged;	/* a batch whose results are checked */
};

/* ---- randomness ---- */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t next64(struct fz *f)
{
	return gch_test_rand64(&f->rng);
}

static uint32_t rnd(struct fz *f, uint32_t n)
{
	return gch_test_rand(&f->rng, n);
}

static bool chance(struct fz *f, int percent)
{
	return (int)rnd(f, 100) < percent;
}

/* ---- failures ---- */

static void note(struct fz *f, const char *what, gch_ref_t a, gch_ref_t b,
		 long ret)
{
	f->trace[f->traced++ % TRACE] = (struct call){
		.what = what, .op = f->op, .a = a, .b = b, .ret = ret,
		.shared = f->v == &f->shared };
}

static void print_trace(const struct fz *f, FILE *out)
{
	const struct call *c;
	unsigned int i;

	fprintf(out, "# process %d, its last calls (operation, heap, call, operands, result):\n",
		f->proc);
	for (i = f->traced > TRACE ? f->traced - TRACE : 0; i < f->traced; i++) {
		c = &f->trace[i % TRACE];
		fprintf(out, "#   %ld %s %s %#llx %#llx = %ld\n", c->op,
			c->shared ? "shared" : "own", c->what,
			(unsigned long long)c->a, (unsigned long long)c->b,
			c->ret);
	}
}

static const char *op_name(uint32_t op);
static const char *outcomes(unsigned int allow, char *buf, size_t len);

static void print_batch(const struct bat *bt, FILE *out)
{
	char a[80];
	int i;

	for (i = 0; i < bt->n; i++)
		fprintf(out, "#   op %d %s a %#llx b %#llx allowed: %s\n", i,
			op_name(bt->op[i].op), (unsigned long long)bt->op[i].a,
			(unsigned long long)bt->op[i].b,
			outcomes(bt->op[i].allow, a, sizeof(a)));
}

/* The first failure of a process, with its trace, in one write. */
static __attribute__((format(printf, 2, 3)))
void fail(struct fz *f, const char *fmt, ...)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	va_list ap;

	if (f->failed++)
		return;
	out = open_memstream(&text, &len);
	if (!out)
		out = stdout;
	fprintf(out, "# round %d process %d operation %ld (%s heap%s): ",
		f->round, f->proc, f->op, f->v->name,
		f->lying ? ", lying" : "");
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fprintf(out, "\n");
	if (f->judged)
		print_batch(f->judged, out);
	print_trace(f, out);
	fflush(stdout);
	if (out != stdout && !fclose(out) && write(1, text, len) < 0)
		perror("write");
	free(text);
}

static unsigned int outcome(long ret)
{
	switch (ret) {
	case -ESTALE:
		return E_STALE;
	case -EINVAL:
		return E_INVAL;
	case -EDQUOT:
		return E_DQUOT;
	case -ENOMEM:
		return E_NOMEM;
	case -EOVERFLOW:
		return E_OVERFLOW;
	case -EFAULT:
		return E_FAULT;
	case -EPERM:
		return E_PERM;
	}
	return ret >= 0 ? E_OK : 0;
}

static const char *outcomes(unsigned int allow, char *buf, size_t len)
{
	static const char *const names[] = {
		"ok", "ESTALE", "EINVAL", "EDQUOT", "ENOMEM", "EOVERFLOW",
		"EFAULT", "EPERM",
	};
	size_t i, at = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (allow & (1u << i) && at < len)
			at += snprintf(buf + at, len - at, "%s%s", at ? " " : "",
				       names[i]);
	return buf;
}

/* Whether a call's result is not one allowed; reported. */
static bool bad(struct fz *f, const char *call, long ret, unsigned int allow)
{
	unsigned int o = outcome(ret);
	char a[64];

	if (o)
		f->t->outcomes[__builtin_ctz(o)]++;
	if (o & allow)
		return false;
	fail(f, "%s returned %ld (%s); allowed: %s", call, ret,
	     ret < 0 ? strerror(-ret) : "success", outcomes(allow, a, sizeof(a)));
	return true;
}

/*
 * The outcomes a call may have, from @any (all the call can return) and
 * its operands' verdicts: an operand sure to fail decides the errno (some
 * errno a wrong operand gets, when others are unsure too); all operands
 * fine leave success or running short; else anything goes.
 */
static unsigned int allowed(unsigned int any, int n, const enum verdict *v)
{
	unsigned int errs = 0;
	int i, unsure = 0;

	for (i = 0; i < n; i++) {
		unsure |= v[i] == V_UNSURE;
		errs |= v[i] == V_STALE ? E_STALE : v[i] == V_INVAL ? E_INVAL :
			v[i] == V_FAIL ? E_FAILS : 0;
	}
	if (errs)
		return errs | (any & E_SHORT) | (unsure ? any & E_FAILS : 0);
	return unsure ? any : any & ~E_FAILS;
}

/* ---- what a process holds ---- */

static struct held *find(struct view *v, gch_ref_t r)
{
	int i;

	for (i = 0; r && i < v->n; i++)
		if (v->held[i].ref == r)
			return &v->held[i];
	return NULL;
}

static bool was_seen(const struct view *v, gch_ref_t r)
{
	int i;

	for (i = 0; r && i < SEEN; i++)
		if (v->seen[i] == r)
			return true;
	return false;
}

static void saw(struct view *v, gch_ref_t r)
{
	if (r)
		v->seen[v->seen_at++ % SEEN] = r;
}

/* The program got one reference on @r. */
static struct held *got(struct fz *f, struct view *v, gch_ref_t r, int kind)
{
	struct held *e = find(v, r);

	if (!r)
		return NULL;
	if (e) {
		e->count++;
		if (e->kind == K_UNKNOWN)
			e->kind = kind;
		return e;
	}
	if (v->n == HELD_CAP) {
		fail(f, "the fuzzer tracks too many refs");
		return NULL;
	}
	saw(v, r);
	e = &v->held[v->n++];
	*e = (struct held){ .ref = r, .count = 1, .kind = kind,
			    .nslots = UNKNOWN, .size = UNKNOWN };
	return e;
}

static void got_obj(struct fz *f, struct view *v, gch_ref_t r,
		    uint32_t nslots, uint32_t size)
{
	struct held *e = got(f, v, r, K_OBJ);

	if (e) {
		e->nslots = nslots;
		e->size = size;
	}
}

static void forget(struct view *v, gch_ref_t r)
{
	struct held *e = find(v, r);

	if (e)
		*e = v->held[--v->n];
}

/* The program gave up one reference on @r (dropped, or moved to a slot). */
static void lost(struct view *v, gch_ref_t r)
{
	struct held *e = find(v, r);

	if (e && !--e->count)
		forget(v, r);
}

static struct know know(struct view *v, gch_ref_t r)
{
	struct held *e = find(v, r);
	struct know k = { .null = !r, .exact = v->strict && exact_checks,
			  .kind = K_UNKNOWN,
			  .nslots = UNKNOWN, .size = UNKNOWN };

	if (e) {
		k.count = e->count;
		k.kind = e->kind;
		k.nslots = e->nslots;
		k.size = e->size;
	} else if (r && v->other) {
		k.foreign = find(v->other, r) || was_seen(v->other, r);
	}
	return k;
}

/* @r where a live object is needed. */
static enum verdict as_obj(const struct know *k)
{
	if (k->null || k->foreign || k->kind == K_WEAK)
		return V_STALE;
	return k->exact && k->count && k->kind == K_OBJ ? V_FINE : V_UNSURE;
}

/* @r where a live weakref is needed. */
static enum verdict as_weak(const struct know *k)
{
	if (k->null || k->foreign || k->kind == K_OBJ)
		return V_STALE;
	return k->exact && k->count && k->kind == K_WEAK ? V_FINE : V_UNSURE;
}

/* @r where an object or a weakref is needed (incref). */
static enum verdict as_live(const struct know *k)
{
	if (k->null || k->foreign)
		return V_STALE;
	return k->exact && k->count ? V_FINE : V_UNSURE;
}

/* @r where the call drops one of the program's references. */
static enum verdict as_owned(const struct know *k)
{
	if (k->null || k->foreign)
		return V_STALE;
	if (!k->exact)
		return V_UNSURE;
	return k->count ? V_FINE : V_FAIL;
}

/* @r where the call moves a program reference into a slot. */
static enum verdict as_stolen(const struct know *k)
{
	if (k->kind == K_WEAK)
		return V_STALE;
	if (k->kind == K_UNKNOWN && as_owned(k) == V_FINE)
		return V_UNSURE;
	return as_owned(k);
}

static enum verdict slot_ok(const struct know *k, uint32_t slot)
{
	if (k->kind != K_OBJ || k->nslots == UNKNOWN)
		return V_UNSURE;
	return slot < k->nslots ? V_FINE : V_INVAL;
}

static enum verdict range_ok(const struct know *k, uint32_t off, uint32_t len)
{
	if (k->kind != K_OBJ || k->size == UNKNOWN)
		return V_UNSURE;
	return len <= k->size && off <= k->size - len ? V_FINE : V_INVAL;
}

/* ---- picking refs ---- */

static struct held *pick(struct fz *f, struct view *v, int kind)
{
	struct held *e;
	int tries;

	for (tries = 0; v->n && tries < 8; tries++) {
		e = &v->held[rnd(f, v->n)];
		if (kind == K_UNKNOWN || e->kind == kind)
			return e;
	}
	return NULL;
}

static gch_ref_t held_ref(struct fz *f, struct view *v, int kind)
{
	struct held *e = pick(f, v, kind);

	return e ? e->ref : 0;
}

/*
 * A ref the process does not hold, or of the wrong kind, or made up.  A
 * batch gets no ref made up near a real one: that might name an object
 * the batch itself makes, whose ref the process cannot know yet.
 */
static gch_ref_t lie_ref(struct fz *f, struct view *v, bool near)
{
	gch_ref_t r = v->seen[rnd(f, SEEN)];

	switch (rnd(f, near ? 10 : 6)) {
	case 0: case 1: case 2: case 3:
		return r;			/* dropped, dead, or another's */
	case 4:
		return held_ref(f, v->other, K_UNKNOWN);	/* foreign */
	case 5:
		return chance(f, 90) ? held_ref(f, v, K_UNKNOWN) : next64(f);
	case 6:
		return r ^ (1ULL << rnd(f, 48));	/* near a real one */
	case 7:
		return r + 1;
	case 8:
		return GCH_RESULT(rnd(f, 8));		/* a batch's, anywhere */
	}
	return next64(f);
}

static gch_ref_t obj_ref(struct fz *f)
{
	return f->lying ? lie_ref(f, f->v, true) : held_ref(f, f->v, K_OBJ);
}

static gch_ref_t weak_ref(struct fz *f)
{
	return f->lying ? lie_ref(f, f->v, true) : held_ref(f, f->v, K_WEAK);
}

static uint32_t slot_for(struct fz *f, const struct know *k)
{
	if (k->kind != K_OBJ || k->nslots == UNKNOWN)
		return rnd(f, 4);
	if (f->lying && chance(f, 30))
		return k->nslots + rnd(f, 3);		/* out of range */
	return rnd(f, k->nslots ? k->nslots : 1);
}

static uint32_t shape_slots(struct fz *f)
{
	return chance(f, 5) ? rnd(f, MAX_SLOTS + 1) : rnd(f, 5);
}

static uint32_t shape_size(struct fz *f)
{
	return chance(f, 5) ? 200 + rnd(f, 4000) : rnd(f, 65);
}

/* ---- single calls, judged ---- */

static void note_lie(struct fz *f, const struct know *k, int ret)
{
	if (k->count || k->null || k->foreign)
		return;
	if (ret)
		f->t->refused++;
	else
		f->t->taken++;		/* another process held it */
}

/*
 * INCREF or DECREF, half the time as the library sends them (by value, on
 * a 64-bit build), half through the struct: the model holds both to the
 * same account.
 */
static int refop(struct fz *f, struct gch_heap *h, gch_ref_t r, bool inc)
{
	struct gcheap_ref a = { .ref = r };

	if (chance(f, 50))
		return inc ? gch_incref(h, r) : gch_decref(h, r);
	return ioctl(gch_fd(h), inc ? GCHEAP_IOC_INCREF : GCHEAP_IOC_DECREF,
		     &a) < 0 ? -errno : 0;
}

static int drop(struct fz *f, struct view *v, gch_ref_t r)
{
	struct know k = know(v, r);
	enum verdict w = as_owned(&k);
	int ret = refop(f, v->h, r, false);

	note(f, "decref", r, k.count, ret);
	if (bad(f, "decref", ret, allowed(ANY_DECREF, 1, &w)))
		return ret;
	note_lie(f, &k, ret);
	if (!ret)
		lost(v, r);
	else if (k.count)
		forget(v, r);	/* another process's lie took it */
	return ret;
}

static void drop_all(struct fz *f, struct view *v)
{
	while (v->n && !f->failed)
		drop(f, v, v->held[v->n - 1].ref);
}

static void trim(struct fz *f, struct view *v)
{
	while (v->n > HELD_KEEP && !f->failed)
		drop(f, v, v->held[rnd(f, v->n)].ref);
}

static bool sealed_here(const struct view *v, gch_ref_t o)
{
	int i;

	for (i = 0; o && i < v->nsealed; i++)
		if (v->sealed[i] == o)
			return true;
	return false;
}

/*
 * What setting a slot of @o may return, @allow as if it were not sealed:
 * SET_SLOT checks the operands and the slot, then the seal.  Sealed for
 * sure when this process sealed it and holds it; perhaps, when it sealed
 * it once, when @o is an earlier op's result in a batch (a slot's object:
 * any), or when another process may have.
 */
static unsigned int sealing(const struct view *v, gch_ref_t o,
			    const struct know *k, unsigned int allow)
{
	bool mine = sealed_here(v, o);

	if (mine && k->exact && k->count && k->kind == K_OBJ)
		return (allow & ~(E_OK | E_OVERFLOW)) | E_PERM;
	if (mine || v->others_seal || (GCH_IS_RESULT(o) && v->nsealed))
		return allow | E_PERM;
	return allow;
}

static int set_slot(struct fz *f, struct view *v, gch_ref_t o, uint32_t s,
		    gch_ref_t t)
{
	struct know ko = know(v, o), kt = know(v, t);
	enum verdict w[3] = { as_obj(&ko), slot_ok(&ko, s),
			      t ? as_obj(&kt) : V_FINE };
	int ret = gch_set_slot(v->h, o, s, t);

	note(f, "set_slot", o, t, ret);
	bad(f, "set_slot", ret,
	    sealing(v, o, &ko, allowed(ANY_SLOT, 3, w)));
	return ret;
}

/* ---- operations ---- */

static void op_alloc(struct fz *f)
{
	struct gch_alloc_args a = {
		.nslots = shape_slots(f), .size = shape_size(f),
		.flags = chance(f, 25) ? GCH_ALLOC_FINALIZE : 0,
		.tag = chance(f, 30) ? 1 + rnd(f, 8) : 0,
		.cookie = chance(f, 20) ? next64(f) : 0,
	};
	unsigned int allow = ANY_ALLOC;
	gch_ref_t r = 0;
	int ret;

	if (f->lying && chance(f, 10)) {
		/* an unknown flag: above GCH_ALLOC_FINALIZE and _SEALED */
		a.flags = 4U << rnd(f, 30);
		allow = E_INVAL;
	}
	ret = gch_alloc_ex(f->v->h, &a, &r);
	note(f, a.flags ? "alloc finalizable" : "alloc", r, a.nslots, ret);
	if (!bad(f, "alloc", ret, allow) && !ret)
		got_obj(f, f->v, r, a.nslots, a.size);
}

/* A slot of one object to another (cycles come by themselves), or cleared. */
static void op_link(struct fz *f)
{
	gch_ref_t o = obj_ref(f);
	struct know k = know(f->v, o);
	gch_ref_t t = chance(f, 15) ? 0 : obj_ref(f);

	set_slot(f, f->v, o, slot_for(f, &k), t);
}

/*
 * Seal an object: its own heap always, the shared one in odd rounds only
 * (every process allows EPERM there then), and no more than SEALED in a
 * heap, so that what this process sealed is what it knows.
 */
static void op_seal(struct fz *f)
{
	struct view *v = f->v;
	gch_ref_t o = obj_ref(f);
	struct know k = know(v, o);
	enum verdict w = as_obj(&k);
	int ret;

	if (v->nsealed == SEALED || (v == &f->shared && !v->others_seal))
		return;
	ret = gch_seal(v->h, o);
	note(f, "seal", o, 0, ret);
	if (!bad(f, "seal", ret, allowed(ANY_SEAL, 1, &w)) && !ret &&
	    !sealed_here(v, o))
		v->sealed[v->nsealed++] = o;
}

static void op_get_slot(struct fz *f)
{
	gch_ref_t o = obj_ref(f), r = 0;
	struct know k = know(f->v, o);
	uint32_t s = slot_for(f, &k);
	enum verdict w[2] = { as_obj(&k), slot_ok(&k, s) };
	int ret = gch_get_slot(f->v->h, o, s, &r);

	note(f, "get_slot", o, r, ret);
	if (!bad(f, "get_slot", ret, allowed(ANY_SLOT, 2, w)) && !ret)
		got(f, f->v, r, K_OBJ);
}

/* Drop one reference; lying, one it does not hold, or all and once more. */
static void op_drop(struct fz *f)
{
	struct held *e = pick(f, f->v, K_UNKNOWN);
	gch_ref_t r = e ? e->ref : 0;
	uint32_t n = e ? e->count : 0;

	if (!f->lying) {
		if (r)
			drop(f, f->v, r);
		return;
	}
	if (!r || chance(f, 50)) {
		drop(f, f->v, lie_ref(f, f->v, true));
		return;
	}
	while (n-- && !f->failed)
		drop(f, f->v, r);
	if (!f->failed)
		drop(f, f->v, r);
}

/* incref: of a ref held, seen (legitimate if it lives), or made up. */
static void op_incref(struct fz *f)
{
	struct view *v = f->v;
	gch_ref_t r = f->lying ? lie_ref(f, v, true) : chance(f, 70) ?
		      held_ref(f, v, K_UNKNOWN) : v->seen[rnd(f, SEEN)];
	struct know k = know(v, r);
	enum verdict w = as_live(&k);
	int ret = refop(f, v->h, r, true);

	note(f, "incref", r, k.count, ret);
	if (!bad(f, "incref", ret, allowed(ANY_INCREF, 1, &w)) && !ret)
		got(f, v, r, k.kind);
}

static void op_weakref(struct fz *f)
{
	gch_ref_t o = obj_ref(f), w = 0;
	struct know k = know(f->v, o);
	enum verdict vd[2] = { as_obj(&k), V_FINE };
	uint32_t flags = chance(f, 60) ? GCH_WEAK_NOTIFY : 0;
	int ret;

	if (f->lying && chance(f, 10)) {
		flags = 2 << rnd(f, 30);
		vd[1] = V_INVAL;
	}
	ret = gch_weakref(f->v->h, o, flags, next64(f), &w);
	note(f, "weakref", o, w, ret);
	if (!bad(f, "weakref", ret, allowed(ANY_WEAKREF, 2, vd)) && !ret)
		got(f, f->v, w, K_WEAK);
}

static void op_weakref_get(struct fz *f)
{
	gch_ref_t w = weak_ref(f), r = 0;
	struct know k = know(f->v, w);
	enum verdict vd = as_weak(&k);
	int ret = gch_weakref_get(f->v->h, w, &r);

	note(f, "weakref_get", w, r, ret);
	if (!bad(f, "weakref_get", ret, allowed(ANY_WGET, 1, &vd)) && !ret)
		got(f, f->v, r, K_OBJ);
}

static void check_info(struct fz *f, gch_ref_t r, const struct know *k,
		       const struct gch_obj_info *in)
{
	struct held *e = find(f->v, r);

	if (in->generation > GCH_GEN_PERMANENT)
		fail(f, "info: generation %u", in->generation);
	if (k->exact && in->refcount < k->count)
		fail(f, "info: refcount %llu, but the program holds %u",
		     (unsigned long long)in->refcount, k->count);
	if (k->kind == K_OBJ && k->nslots != UNKNOWN &&
	    (in->nslots != k->nslots || in->size != k->size))
		fail(f, "info: %u slots, %u bytes; allocated with %u, %u",
		     in->nslots, in->size, k->nslots, k->size);
	if (e && e->kind != K_WEAK) {	/* now we know */
		e->kind = K_OBJ;
		e->nslots = in->nslots;
		e->size = in->size;
	}
}

static void op_info(struct fz *f)
{
	gch_ref_t r = obj_ref(f);
	struct know k = know(f->v, r);
	enum verdict w = as_obj(&k);
	struct gch_obj_info in;
	int ret = gch_info(f->v->h, r, &in);

	if (!bad(f, "info", ret, allowed(ANY_INFO, 1, &w)) && !ret)
		check_info(f, r, &k, &in);
}

/* Within the payload if its size is known (lying: past its end). */
static void pick_range(struct fz *f, const struct know *k, uint32_t *off,
		       uint32_t *len)
{
	uint32_t size = k->size;

	if (size == UNKNOWN || k->kind != K_OBJ) {
		*off = rnd(f, 16);
		*len = rnd(f, 17);
	} else if (f->lying && chance(f, 30)) {
		*off = size - rnd(f, size + 1) / 4;
		*len = size - *off + 1 + rnd(f, 8);
	} else {
		*off = rnd(f, size + 1);
		*len = rnd(f, (size - *off < 64 ? size - *off : 64) + 1);
	}
	if (*len > 64)
		*len = 64;
}

static void op_payload(struct fz *f)
{
	gch_ref_t o = obj_ref(f);
	struct know k = know(f->v, o);
	bool write = chance(f, 50);
	enum verdict w[2];
	uint32_t off, len;
	uint8_t buf[64];
	int ret;

	pick_range(f, &k, &off, &len);
	w[0] = as_obj(&k);
	w[1] = range_ok(&k, off, len);
	memset(buf, f->proc + 1, sizeof(buf));
	if (write)
		ret = gch_write(f->v->h, o, off, buf, len);
	else
		ret = gch_read(f->v->h, o, off, buf, len);
	bad(f, write ? "write" : "read", ret, allowed(ANY_RW, 2, w));
}

/* The heap's limit holds, however it was pushed. */
static void check_limits(struct fz *f)
{
	struct gch_stats st;
	int ret = gch_get_stats(f->v->h, &st);

	if (!bad(f, "stats", ret, E_OK) &&
	    st.objects + st.weakrefs > f->v->max_objects)
		fail(f, "%llu objects and %llu weakrefs, over the limit %llu",
		     (unsigned long long)st.objects,
		     (unsigned long long)st.weakrefs,
		     (unsigned long long)f->v->max_objects);
}

/* An explicit collection, now and then (automatic ones run meanwhile). */
static void op_collect(struct fz *f)
{
	int gen = rnd(f, 3), ret;
	unsigned int allow = E_OK;

	if (chance(f, 70)) {
		check_limits(f);
		return;
	}
	if (f->lying && chance(f, 30)) {
		gen = chance(f, 50) ? GCH_NGEN : -1;
		allow = E_INVAL;
	}
	ret = gch_collect(f->v->h, gen);
	f->t->collects += f->v == &f->shared;
	bad(f, "collect", ret, allow);
}

static uint32_t event_mask(struct fz *f)
{
	uint32_t mask = GCH_EV_DEFAULT;

	if (chance(f, 40))
		mask |= GCH_EV_COLLECT;
	if (chance(f, 10))
		mask &= ~(chance(f, 50) ? GCH_EV_FINALIZE : GCH_EV_WEAKREF);
	return mask;
}

/* The collector's controls, as CPython's gc module has them. */
static void op_control(struct fz *f)
{
	struct gch_heap *h = f->v->h;
	struct gch_tag_stat ts[4];
	unsigned int allow = E_OK;
	int ret;

	switch (rnd(f, f->lying ? 11 : 10)) {
	case 0:
		ret = gch_set_threshold(h, 5 + rnd(f, 46), 2 + rnd(f, 4),
					2 + rnd(f, 4));
		break;
	case 1:
		ret = gch_set_debug(h, chance(f, 25) ? GCH_DEBUG_SAVEALL : 0);
		break;
	case 2:
		ret = gch_set_event_mask(h, event_mask(f));
		break;
	case 3:
		ret = gch_freeze(h);
		break;
	case 4: case 5:
		ret = gch_unfreeze(h);
		break;
	case 6:
		ret = chance(f, 20) ? gch_disable(h) : gch_enable(h);
		break;
	case 7:
		ret = gch_get_freeze_count(h);
		break;
	case 8:
		ret = gch_isenabled(h);
		if (ret > 1)
			fail(f, "isenabled returned %d", ret);
		break;
	case 9:
		ret = gch_get_tag_stats(h, ts, 4);
		break;
	default:
		ret = chance(f, 50) ? gch_set_debug(h, 2u << rnd(f, 30)) :
		      gch_set_event_mask(h, 8u << rnd(f, 28));
		allow = E_INVAL;
	}
	bad(f, "gc control", ret, allow);
}

/* get_objects, get_garbage, get_referents, get_referrers: new refs. */
static void op_list(struct fz *f)
{
	gch_ref_t buf[LIST_CAP], o = 0;
	uint32_t cap = rnd(f, LIST_CAP + 1);
	unsigned int allow = ANY_LIST & ~E_STALE;
	int ret, i, gen = (int)rnd(f, 4) - 1, what = rnd(f, 4);
	struct know k;
	enum verdict w;

	if (what >= 2) {
		o = obj_ref(f);
		k = know(f->v, o);
		w = as_obj(&k);
		allow = allowed(ANY_LIST, 1, &w);
	} else if (f->lying && chance(f, 20) && !what) {
		gen = chance(f, 50) ? GCH_NGEN : -2;
		allow = E_INVAL;
	}
	if (what == 0)
		ret = gch_get_objects(f->v->h, gen, buf, cap);
	else if (what == 1)
		ret = gch_get_garbage(f->v->h, buf, cap);
	else if (what == 2)
		ret = gch_get_referents(f->v->h, o, buf, cap);
	else
		ret = gch_get_referrers(f->v->h, o, buf, cap);
	note(f, "list", o, what, ret);
	if (bad(f, "list", ret, allow))
		return;
	for (i = 0; i < ret && i < (int)cap && !f->failed; i++) {
		if (!buf[i])
			fail(f, "list: entry %d of %d is 0", i, ret);
		got(f, f->v, buf[i], K_OBJ);
	}
	if (f->lying && ret > 0 && cap)	/* one of them, twice */
		for (i = 0; i < 2 && !f->failed; i++)
			drop(f, f->v, buf[0]);
}

/* A notified weakref is cleared for good: never an object again. */
static void check_cleared(struct fz *f, struct view *v, gch_ref_t w)
{
	struct know k = know(v, w);
	enum verdict vd = as_weak(&k);
	gch_ref_t r = 0;
	int ret = gch_weakref_get(v->h, w, &r);

	if (bad(f, "weakref_get of a notified weakref", ret,
		allowed(ANY_WGET, 1, &vd)) || ret || !r)
		return;
	got(f, v, r, K_OBJ);
	fail(f, "notified weakref %#llx gave back %#llx",
	     (unsigned long long)w, (unsigned long long)r);
}

/* A finalized object says so, for good. */
static void check_finalized(struct fz *f, struct view *v, gch_ref_t r)
{
	struct know k = know(v, r);
	enum verdict w = as_obj(&k);
	struct gch_obj_info in;
	int ret = gch_info(v->h, r, &in);
	unsigned int want = GCH_OBJ_FINALIZABLE | GCH_OBJ_FINALIZED;

	if (bad(f, "info of a finalized object", ret, allowed(ANY_INFO, 1, &w)) ||
	    ret)
		return;
	if ((in.flags & want) != want)
		fail(f, "finalized object %#llx has flags %#x",
		     (unsigned long long)r, in.flags);
}

/* Bring a finalized object back: a live object's slot takes it. */
static void resurrect(struct fz *f, struct view *v, gch_ref_t r)
{
	struct held *o = pick(f, v, K_OBJ);

	if (!o || !o->nslots || o->nslots == UNKNOWN)
		return;
	if (!set_slot(f, v, o->ref, rnd(f, o->nslots), r))
		f->t->resurrected++;
}

static void on_event(struct fz *f, struct view *v, const struct gcheap_event *e)
{
	int weak = e->type == GCH_EV_WEAKREF;

	if (e->type == GCH_EV_COLLECT) {
		if (e->ref || e->generation >= GCH_NGEN)
			fail(f, "COLLECT event: ref %#llx, generation %u",
			     (unsigned long long)e->ref, e->generation);
		return;
	}
	if ((!weak && e->type != GCH_EV_FINALIZE) || !e->ref) {
		fail(f, "event type %u, ref %#llx", e->type,
		     (unsigned long long)e->ref);
		return;
	}
	note(f, weak ? "event WEAKREF" : "event FINALIZE", e->ref, 0, 0);
	got(f, v, e->ref, weak ? K_WEAK : K_OBJ);
	f->t->finalized += !weak;
	if (weak)
		check_cleared(f, v, e->ref);
	else
		check_finalized(f, v, e->ref);
	if (!weak && chance(f, 30))
		resurrect(f, v, e->ref);
	if (chance(f, 60))
		drop(f, v, e->ref);
	if (f->lying && !f->failed)
		drop(f, v, e->ref);	/* what it handed over, twice */
}

/*
 * Read up to four events at once, never waiting; sometimes into a buffer
 * that runs into a read-only page: only the events read whole are handed
 * over, the others stay queued (or -EFAULT, if none fits).
 */
static void op_events(struct fz *f)
{
	size_t sz = sizeof(struct gcheap_event), fit = rnd(f, 3);
	struct gcheap_event ev[4], *at = ev;
	struct iovec iov = { ev, (1 + rnd(f, 4)) * sz };
	bool faults = chance(f, 15);
	ssize_t n;
	int i;

	if (faults) {
		at = (void *)(f->pages + 4096 - fit * sz - rnd(f, sz));
		iov = (struct iovec){ at, (fit + 2) * sz };
	}
	n = preadv2(gch_fd(f->v->h), &iov, 1, -1, RWF_NOWAIT);
	if (faults)
		memcpy(ev, at, fit * sz);
	note(f, "read events (bytes, faults)", n, faults, n < 0 ? -errno : n);
	if (n < 0) {
		if (errno != EAGAIN && (errno != EFAULT || !faults || fit))
			fail(f, "read of events: %s", strerror(errno));
		return;
	}
	if (!n || n % sz || (faults && (size_t)n > fit * sz)) {
		fail(f, "read of events returned %zd bytes", n);
		return;
	}
	f->t->events += n / sz;
	for (i = 0; i < n / (ssize_t)sz && !f->failed; i++)
		on_event(f, f->v, &ev[i]);
}

/*
 * The argument of a call that hands out a reference, written through the
 * alias of a read-only page: the kernel reads it, cannot write the result
 * back, and must undo what it did (-EFAULT, nothing changed).
 */
static void *fault_arg(struct fz *f, size_t size, void **ro)
{
	size_t off = 4096 - size - 8 * rnd(f, 4);

	memset(f->alias + off, 0, size);
	*ro = f->pages + 4096 + off;
	return f->alias + off;
}

static void op_fault(struct fz *f)
{
	int which = rnd(f, 4);
	gch_ref_t o = which == 3 ? weak_ref(f) : obj_ref(f);
	struct know k = know(f->v, o);
	enum verdict w[2] = { V_FINE, V_FINE };
	struct gcheap_slot *sl;
	struct gcheap_weakref *wr;
	struct gcheap_weakref_get *wg;
	struct gcheap_alloc *al;
	unsigned long cmd;
	void *arg;
	int ret;

	switch (which) {
	case 0:
		al = fault_arg(f, sizeof(*al), &arg);
		al->nslots = rnd(f, 4);
		al->size = rnd(f, 32);
		cmd = GCHEAP_IOC_ALLOC;
		break;
	case 1:
		sl = fault_arg(f, sizeof(*sl), &arg);
		sl->obj = o;
		sl->slot = slot_for(f, &k);
		w[0] = as_obj(&k);
		w[1] = slot_ok(&k, sl->slot);
		cmd = GCHEAP_IOC_GET_SLOT;
		break;
	case 2:
		wr = fault_arg(f, sizeof(*wr), &arg);
		wr->obj = o;
		wr->flags = rnd(f, 2);
		w[0] = as_obj(&k);
		cmd = GCHEAP_IOC_WEAKREF;
		break;
	default:
		wg = fault_arg(f, sizeof(*wg), &arg);
		wg->wref = o;
		w[0] = as_weak(&k);
		cmd = GCHEAP_IOC_WEAKREF_GET;
	}
	ret = ioctl(gch_fd(f->v->h), cmd, arg) < 0 ? -errno : 0;
	note(f, "ioctl with a read-only result", o, cmd, ret);
	bad(f, "ioctl with a read-only result", ret,
	    allowed(E_FAULT | E_FAILS | E_SHORT | E_OVERFLOW, 2, w));
}

static void view_init(struct view *v, struct gch_heap *h, const char *name,
		      int strict, struct view *other, uint64_t max_objects)
{
	memset(v, 0, sizeof(*v));
	v->h = h;
	v->name = name;
	v->strict = strict;
	v->other = other;
	v->max_objects = max_objects;
}

/* A new own heap, its limits often small. */
static void open_own(struct fz *f)
{
	struct gch_config c = {
		.max_objects = OWN_OBJECTS >> rnd(f, 6),
		.max_bytes = chance(f, 20) ? 16384 << rnd(f, 6) : HEAP_BYTES,
		.threshold = { 5 + rnd(f, 46), 2 + rnd(f, 4), 2 + rnd(f, 4) },
	};

	view_init(&f->own, gch_open(&c), "own", 1, &f->shared, c.max_objects);
	if (!f->own.h)
		fail(f, "gch_open: %s", strerror(errno));
}

static void op_reopen(struct fz *f)
{
	note(f, "reopen own heap", 0, 0, 0);
	gch_close(f->own.h);	/* with all that is pending in it */
	open_own(f);
}

/* ---- batches ---- */

static bool makes_ref(uint32_t op)
{
	return op == GCH_OP_ALLOC || op == GCH_OP_ALLOC_MOVE ||
	       op == GCH_OP_GET_SLOT || op == GCH_OP_PEEK_SLOT;
}

static bool is_new(uint32_t op)
{
	return op == GCH_OP_ALLOC || op == GCH_OP_ALLOC_MOVE;
}

static const char *op_name(uint32_t op)
{
	static const char *const names[] = {
		"?", "ALLOC", "INCREF", "DECREF", "SET_SLOT", "GET_SLOT",
		"WRITE", "READ", "ALLOC_MOVE", "PEEK_SLOT",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

/* Whether an operand may stand where it is: a ref, or an earlier result. */
static bool operand_ok(const struct bat *bt, gch_ref_t r)
{
	uint64_t i = r & GCH_RESULT_MAX;

	if (!GCH_IS_RESULT(r))
		return true;
	return r == (GCH_RESULT_BIT | i) && i < (uint64_t)bt->n &&
	       makes_ref(bt->op[i].op);
}

/* How the batch so far changed the program's count on @key. */
static int delta(const struct bat *bt, gch_ref_t key)
{
	int i;

	for (i = 0; i < bt->nkeys; i++)
		if (bt->key[i] == key)
			return bt->delta[i];
	return 0;
}

/* Each op moves at most three counts: there is room for all. */
static void bump(struct bat *bt, gch_ref_t key, int by)
{
	int i;

	for (i = 0; i < bt->nkeys && bt->key[i] != key; i++)
		;
	if (i == bt->nkeys) {
		bt->key[bt->nkeys++] = key;
		bt->delta[i] = 0;
	}
	bt->delta[i] += by;
}

/*
 * What the process knows of an operand, had every op before it succeeded.
 * A new object's ref is exact even on the shared heap: nobody else sees
 * it during the batch.  After a GET_SLOT or PEEK_SLOT, whose results may
 * name anything, a count of zero is no longer sure.
 */
static struct know bknow(struct bat *bt, gch_ref_t r)
{
	struct know k = { .kind = K_UNKNOWN, .nslots = UNKNOWN, .size = UNKNOWN };
	const struct bop *o;

	if (!operand_ok(bt, r)) {
		bt->malformed = 1;
		return k;
	}
	if (!GCH_IS_RESULT(r)) {
		k = know(bt->v, r);
	} else {
		o = &bt->op[r & GCH_RESULT_MAX];
		if (is_new(o->op)) {
			k.kind = K_OBJ;
			k.nslots = o->nslots;
			k.size = o->size;
			k.exact = exact_checks;
		}
	}
	k.count += delta(bt, r);
	if (bt->aliases && !k.count)
		k.exact = 0;
	return k;
}

/* Record op @i as the library numbered it. */
static int b_add(struct fz *f, struct bat *bt, int i, struct bop o)
{
	if (i != bt->n) {
		fail(f, "batch op %d numbered %d", bt->n, i);
		return 0;
	}
	bt->op[bt->n++] = o;
	return i;
}

static int b_alloc(struct fz *f, struct bat *bt, uint32_t nslots, uint32_t size)
{
	int i = b_add(f, bt, gch_batch_alloc(bt->b, nslots, size),
		      (struct bop){ .op = GCH_OP_ALLOC, .nslots = nslots,
				    .size = size, .allow = ANY_ALLOC });

	bump(bt, GCH_RESULT(i), 1);
	return i;
}

/* ALLOC_MOVE: takes one reference of s0 and of s1 (two if the same). */
static int b_move(struct fz *f, struct bat *bt, uint32_t nslots, uint32_t size,
		  gch_ref_t s0, gch_ref_t s1)
{
	struct know k0 = bknow(bt, s0), k1 = bknow(bt, s1);
	enum verdict w[2];
	int i;

	if (s1 && s1 == s0 && k1.count)
		k1.count--;
	w[0] = s0 ? as_stolen(&k0) : V_FINE;
	w[1] = s1 ? as_stolen(&k1) : V_FINE;
	if ((s0 && nslots < 1) || (s1 && nslots < 2))
		bt->malformed = 1;
	i = b_add(f, bt, gch_batch_alloc_move(bt->b, nslots, size, s0, s1),
		  (struct bop){ .op = GCH_OP_ALLOC_MOVE, .a = s0, .b = s1,
				.nslots = nslots, .size = size,
				.allow = allowed(ANY_MOVE, 2, w) });
	if (s0 && k0.count)
		bump(bt, s0, -1);
	if (s1 && k1.count)
		bump(bt, s1, -1);
	bump(bt, GCH_RESULT(i), 1);
	return i;
}

static int b_set_slot(struct fz *f, struct bat *bt, gch_ref_t o, uint32_t s,
		      gch_ref_t t)
{
	struct know ko = bknow(bt, o), kt = bknow(bt, t);
	enum verdict w[3] = { as_obj(&ko), slot_ok(&ko, s),
			      t ? as_obj(&kt) : V_FINE };

	return b_add(f, bt, gch_batch_set_slot(bt->b, o, s, t),
		     (struct bop){ .op = GCH_OP_SET_SLOT, .a = o, .b = t,
				   .allow = sealing(bt->v, o, &ko,
						    allowed(ANY_SLOT, 3, w)) });
}

static int b_get_slot(struct fz *f, struct bat *bt, gch_ref_t o, uint32_t s,
		      bool peek)
{
	struct know k = bknow(bt, o);
	enum verdict w[2] = { as_obj(&k), slot_ok(&k, s) };
	int i = peek ? gch_batch_peek_slot(bt->b, o, s) :
		gch_batch_get_slot(bt->b, o, s);

	bt->aliases = 1;
	return b_add(f, bt, i, (struct bop){
		.op = peek ? GCH_OP_PEEK_SLOT : GCH_OP_GET_SLOT, .a = o,
		.allow = allowed(peek ? ANY_PEEK : ANY_SLOT, 2, w) });
}

static int b_refop(struct fz *f, struct bat *bt, gch_ref_t r, bool inc)
{
	struct know k = bknow(bt, r);
	enum verdict w = inc ? as_live(&k) : as_owned(&k);
	int i = inc ? gch_batch_incref(bt->b, r) : gch_batch_decref(bt->b, r);

	i = b_add(f, bt, i, (struct bop){
		.op = inc ? GCH_OP_INCREF : GCH_OP_DECREF, .a = r,
		.allow = allowed(inc ? ANY_INCREF : ANY_DECREF, 1, &w) });
	if (inc || k.count)
		bump(bt, r, inc ? 1 : -1);
	return i;
}

/* A new object no WRITE went to yet, as seen through its result. */
static struct bop *fresh(struct bat *bt, gch_ref_t o)
{
	struct bop *n;

	if (!GCH_IS_RESULT(o) || !operand_ok(bt, o))
		return NULL;
	n = &bt->op[o & GCH_RESULT_MAX];
	return is_new(n->op) ? n : NULL;
}

static int b_rw(struct fz *f, struct bat *bt, gch_ref_t o, bool write)
{
	struct know k = bknow(bt, o);
	struct bop *n = fresh(bt, o);
	uint32_t off, len;
	enum verdict w[2];
	int i;

	if (bt->n == BATCH_OPS)
		return 0;
	pick_range(f, &k, &off, &len);
	if (len > sizeof(bt->wr))
		len = sizeof(bt->wr);
	w[0] = as_obj(&k);
	w[1] = range_ok(&k, off, len);
	if (write)
		i = gch_batch_write(bt->b, o, off, bt->wr, len);
	else
		i = gch_batch_read(bt->b, o, off, bt->rd[bt->n], len);
	i = b_add(f, bt, i, (struct bop){
		.op = write ? GCH_OP_WRITE : GCH_OP_READ, .a = o, .len = len,
		.allow = allowed(ANY_RW, 2, w),
		.zeroes = !write && n && !n->written && !bt->aliases });
	if (write && n)
		n->written = 1;
	return i;
}

/* An operand: an earlier result, a held ref, or (lying) anything. */
static gch_ref_t operand(struct fz *f, struct bat *bt, int kind)
{
	int j = bt->n ? (int)rnd(f, bt->n) : 0;

	if (f->lying && chance(f, 40))
		return lie_ref(f, bt->v, false);
	if (bt->n && makes_ref(bt->op[j].op) && chance(f, 60))
		return GCH_RESULT(j);
	return held_ref(f, bt->v, kind);
}

/*
 * An operand whose reference the op takes (DECREF, ALLOC_MOVE): honest,
 * one with a reference left to take, else none (0).
 */
static gch_ref_t owned(struct fz *f, struct bat *bt)
{
	gch_ref_t r;
	int tries;

	if (f->lying)
		return operand(f, bt, K_OBJ);
	for (tries = 0; tries < 8; tries++) {
		r = operand(f, bt, K_OBJ);
		if (r && bknow(bt, r).count)
			return r;
	}
	return 0;
}

/* A binary tree, bottom up: each node takes its children's references. */
static void shape_tree(struct fz *f, struct bat *bt)
{
	int at[8], n = 2 + rnd(f, 6), i, m, root;

	for (i = 0; i < n; i++)
		at[i] = b_alloc(f, bt, rnd(f, 3), rnd(f, 24));
	while (n > 1) {
		for (i = m = 0; i + 1 < n; i += 2) {
			/* lying: a child moved already, moved again */
			int right = f->lying && chance(f, 30) ? at[0] : at[i + 1];

			at[m++] = b_move(f, bt, 2 + rnd(f, 2), rnd(f, 16),
					 GCH_RESULT(at[i]), GCH_RESULT(right));
		}
		if (n % 2)
			at[m++] = at[n - 1];
		n = m;
	}
	root = at[0];
	if (chance(f, 50)) {		/* hung on a held object, or dropped */
		gch_ref_t o = held_ref(f, bt->v, K_OBJ);

		if (o)
			b_set_slot(f, bt, o, rnd(f, 2), GCH_RESULT(root));
		b_refop(f, bt, GCH_RESULT(root), false);
	}
}

/* A ring of new objects: kept, or dropped for the collector to find. */
static void shape_ring(struct fz *f, struct bat *bt)
{
	int i, n = 1 + rnd(f, 6), first = bt->n;

	for (i = 0; i < n; i++)
		b_alloc(f, bt, 1 + rnd(f, 3), rnd(f, 32));
	for (i = 0; i < n; i++)
		b_set_slot(f, bt, GCH_RESULT(first + i), 0,
			   GCH_RESULT(first + (i + 1) % n));
	if (chance(f, 40))
		b_rw(f, bt, GCH_RESULT(first), false);
	for (i = 0; i < n && chance(f, 70); i++)
		b_refop(f, bt, GCH_RESULT(first + i), false);
}

/*
 * A chain, each link taking the one before (dropping its head releases it
 * all, iteratively), sometimes closed into one big cycle.
 */
static void shape_chain(struct fz *f, struct bat *bt)
{
	int i, n = 2 + rnd(f, BATCH_OPS - 4), first, at;

	first = at = b_alloc(f, bt, 1 + rnd(f, 2), rnd(f, 16));
	for (i = 1; i < n; i++)
		at = b_move(f, bt, 1 + rnd(f, 2), rnd(f, 16), GCH_RESULT(at), 0);
	if (chance(f, 50))
		b_set_slot(f, bt, GCH_RESULT(first), 0, GCH_RESULT(at));
	if (chance(f, 70))
		b_refop(f, bt, GCH_RESULT(at), false);
}

/* A walk down slots; lying, what it found (borrowed or not) is stolen. */
static void shape_walk(struct fz *f, struct bat *bt)
{
	gch_ref_t at = f->lying ? lie_ref(f, bt->v, false) :
		       held_ref(f, bt->v, K_OBJ);
	int i, n = 1 + rnd(f, 6);

	for (i = 0; i < n; i++)
		at = GCH_RESULT(b_get_slot(f, bt, at, rnd(f, 3), chance(f, 50)));
	if (f->lying)
		b_move(f, bt, 2, 0, at, chance(f, 50) ? at : 0);
	else if (bt->op[bt->n - 1].op == GCH_OP_GET_SLOT)
		b_refop(f, bt, at, false);
}

/* ALLOC_MOVE of one or two operands; honest, of references it has. */
static void mix_move(struct fz *f, struct bat *bt)
{
	gch_ref_t s0 = owned(f, bt), s1 = chance(f, 50) ? owned(f, bt) : 0;

	if (!f->lying && s1 == s0 && bknow(bt, s0).count < 2)
		s1 = 0;
	b_move(f, bt, f->lying && chance(f, 10) ? 1 : 2 + rnd(f, 2),
	       rnd(f, 16), s0, s1);
}

static void shape_mix(struct fz *f, struct bat *bt)
{
	int n = 2 + rnd(f, BATCH_OPS - 2);

	while (n-- > 0) {
		switch (rnd(f, 8)) {
		case 0:
			b_alloc(f, bt, rnd(f, 4), rnd(f, 32));
			break;
		case 1:
			mix_move(f, bt);
			break;
		case 2:
			b_set_slot(f, bt, operand(f, bt, K_OBJ), rnd(f, 3),
				   chance(f, 20) ? 0 : operand(f, bt, K_OBJ));
			break;
		case 3:
			b_get_slot(f, bt, operand(f, bt, K_OBJ), rnd(f, 3),
				   chance(f, 50));
			break;
		case 4:
			b_refop(f, bt, operand(f, bt, K_UNKNOWN), true);
			break;
		case 5:
			b_refop(f, bt, owned(f, bt), false);
			break;
		default:
			b_rw(f, bt, operand(f, bt, K_OBJ), rnd(f, 2));
		}
	}
}

/* Each op up to the first failure got an outcome it was allowed. */
static int bat_check(struct fz *f, struct bat *bt, int done)
{
	char what[48];
	gch_ref_t r;
	int i, ret;

	for (i = 0; i < bt->n && i <= done; i++) {
		ret = gch_batch_result(bt->b, i, &r);
		snprintf(what, sizeof(what), "batch op %d (%s)", i,
			 op_name(bt->op[i].op));
		if (i == done && !ret)
			fail(f, "%s: the batch stopped without an error", what);
		else if (!bad(f, what, ret, bt->op[i].allow))
			continue;
		return -1;
	}
	return 0;
}

static gch_ref_t resolve(const gch_ref_t *res, gch_ref_t r)
{
	return GCH_IS_RESULT(r) ? res[r & GCH_RESULT_MAX] : r;
}

/* What the ops that ran did to what the process holds. */
static void bat_apply(struct fz *f, struct bat *bt, int done)
{
	static const uint8_t zero[16];
	gch_ref_t res[BATCH_OPS] = { 0 }, a, b;
	struct bop *o;
	int i;

	for (i = 0; i < done && !f->failed; i++) {
		o = &bt->op[i];
		gch_batch_result(bt->b, i, &res[i]);
		a = resolve(res, o->a);
		b = resolve(res, o->b);
		if (o->op == GCH_OP_ALLOC_MOVE && a)
			lost(bt->v, a);
		if (o->op == GCH_OP_ALLOC_MOVE && b)
			lost(bt->v, b);
		if (is_new(o->op))
			got_obj(f, bt->v, res[i], o->nslots, o->size);
		else if (o->op == GCH_OP_GET_SLOT)
			got(f, bt->v, res[i], K_OBJ);
		else if (o->op == GCH_OP_PEEK_SLOT)
			saw(bt->v, res[i]);
		else if (o->op == GCH_OP_INCREF)
			got(f, bt->v, a, GCH_IS_RESULT(o->a) ? K_OBJ :
			    know(bt->v, a).kind);
		else if (o->op == GCH_OP_DECREF)
			lost(bt->v, a);
		else if (o->zeroes && memcmp(bt->rd[i], zero, o->len))
			fail(f, "batch op %d: a new object's bytes are not zero", i);
	}
}

static void bat_judge(struct fz *f, struct bat *bt, int done)
{
	if (bt->malformed) {
		bad(f, "batch with a malformed op", done, E_INVAL | E_NOMEM);
		return;
	}
	if (bad(f, "batch", done, E_OK | E_NOMEM) || done < 0)
		return;
	if (done > bt->n)
		fail(f, "batch: %d of %d ops done", done, bt->n);
	else if (!bat_check(f, bt, done))
		bat_apply(f, bt, done);
}

static void bat_run(struct fz *f, struct bat *bt)
{
	int done = gch_batch_submit(bt->b);

	note(f, "batch (ops, done)", bt->n, done, done);
	f->t->batches++;
	f->judged = bt;		/* shown with a failure */
	bat_judge(f, bt, done);
	f->judged = NULL;
}

static void op_batch(struct fz *f)
{
	struct bat *bt = &f->bat;

	memset(bt, 0, sizeof(*bt));
	bt->v = f->v;
	memset(bt->wr, 0xa5, sizeof(bt->wr));
	memset(bt->rd, 0xee, sizeof(bt->rd));	/* a READ must overwrite it */
	bt->b = gch_batch_new(f->v->h, BATCH_OPS);
	if (!bt->b) {
		fail(f, "gch_batch_new: %s", strerror(errno));
		return;
	}
	switch (rnd(f, 5)) {
	case 0:
		shape_tree(f, bt);
		break;
	case 4:
		shape_chain(f, bt);
		break;
	case 1:
		shape_ring(f, bt);
		break;
	case 2:
		shape_walk(f, bt);
		break;
	default:
		shape_mix(f, bt);
	}
	if (!f->failed)
		bat_run(f, bt);
	gch_batch_free(bt->b);
}

/* ---- a process ---- */

static void (*const op_table[])(struct fz *f) = {
	op_alloc, op_alloc, op_alloc,
	op_link, op_link, op_link, op_seal,
	op_get_slot,
	op_drop, op_drop,
	op_incref,
	op_weakref, op_weakref_get,
	op_batch, op_batch,
	op_events, op_events,
	op_collect, op_control, op_list, op_payload, op_info, op_fault,
};

static void one_op(struct fz *f)
{
	f->v = chance(f, 70) ? &f->shared : &f->own;
	f->lying = chance(f, f->lies);
	f->t->lies += f->lying;
	if (!rnd(f, REOPEN_EVERY))
		op_reopen(f);
	else
		op_table[rnd(f, sizeof(op_table) / sizeof(op_table[0]))](f);
	if (f->v->h)
		trim(f, f->v);
}

static void verify_both(struct fz *f)
{
	struct view *v[2] = { &f->shared, &f->own };
	char why[512];
	int i, ret;

	for (i = 0; i < 2 && !f->failed; i++) {
		ret = gch_test_verify(v[i]->h, why, sizeof(why));
		f->v = v[i];
		if (ret < 0)
			fail(f, "verify: %s", why);
		f->t->verified += ret > 0;
	}
}

/*
 * Collect, and drop what events hand over, until a collection finds
 * nothing and no event comes (the heap's garbage settings back to plain
 * first).  Return: 0, or -1.
 */
static int settle(struct gch_heap *h, struct gch_stats *st)
{
	struct gch_event ev;
	int i, found, events;

	if (gch_set_debug(h, 0) || gch_set_event_mask(h, GCH_EV_DEFAULT) ||
	    gch_unfreeze(h))
		return -1;
	for (i = 0; i < 200; i++) {
		found = gch_collect(h, 2);
		if (found < 0)
			return -1;
		for (events = 0; gch_next_event(h, &ev, 10) == 1; events++)
			if (ev.ref && gch_decref(h, ev.ref))
				return -1;
		if (!found && !events)
			return gch_get_stats(h, st) ? -1 : 0;
	}
	return -1;
}

static bool listed(const gch_ref_t *refs, long n, gch_ref_t r)
{
	long i;

	for (i = 0; i < n; i++)
		if (refs[i] == r)
			return true;
	return false;
}

/* How many objects the garbage list keeps alive: its own, all they reach. */
static long garbage_closure(struct gch_heap *h)
{
	long cap = SHARED_OBJECTS + 16, n, i, bad = 0;
	gch_ref_t *all = calloc(cap, sizeof(*all)), sub[MAX_SLOTS];
	int m, j;

	n = all ? gch_get_garbage(h, all, cap) : -ENOMEM;
	if (n < 0 || n > cap) {
		free(all);
		return -1;
	}
	for (i = 0; i < n && !bad; i++) {
		m = gch_get_referents(h, all[i], sub, MAX_SLOTS);
		bad = m < 0 || m > MAX_SLOTS;
		for (j = 0; j < m && !bad; j++) {
			if (n < cap && !listed(all, n, sub[j]))
				all[n++] = sub[j];
			else
				bad = gch_decref(h, sub[j]);
		}
	}
	for (i = 0; i < n; i++)
		bad |= gch_decref(h, all[i]);
	free(all);
	return bad ? -1 : n;
}

/*
 * A heap whose programs dropped all they held: once settled, nothing may
 * be live but what the garbage list keeps, no weakref and no event, and
 * its invariants hold.  Return: 0, or -1 with why.
 */
static int drained(struct gch_heap *h, long *kept, char *why, size_t len)
{
	struct gch_stats st;

	if (settle(h, &st)) {
		snprintf(why, len, "did not settle");
		return -1;
	}
	*kept = garbage_closure(h);
	if (*kept < 0) {
		snprintf(why, len, "the garbage list could not be walked");
		return -1;
	}
	if (st.objects != (uint64_t)*kept || st.weakrefs || st.pending_events) {
		snprintf(why, len, "%llu objects live (the garbage list keeps %ld), %llu weakrefs, %llu events",
			 (unsigned long long)st.objects, *kept,
			 (unsigned long long)st.weakrefs,
			 (unsigned long long)st.pending_events);
		return -1;
	}
	return gch_test_verify(h, why, len) < 0 ? -1 : 0;
}

/* The end of a process's round: all dropped, its own heap drained. */
static void finish(struct fz *f)
{
	char why[512];
	long kept;

	f->v = &f->shared;
	drop_all(f, &f->shared);
	f->v = &f->own;
	drop_all(f, &f->own);
	if (!f->failed)
		verify_both(f);
	if (!f->failed && drained(f->own.h, &kept, why, sizeof(why)))
		fail(f, "at the end: %s", why);
	gch_close(f->own.h);
}

/*
 * Two pages of one memfd, the second read-only, and a writable alias of it
 * (no mprotect() per call: under emulation each costs milliseconds).
 */
static int map_pages(struct fz *f)
{
	int fd = memfd_create("gfuzz", 0);
	void *ro;

	if (fd < 0 || ftruncate(fd, 2 * 4096))
		return -1;
	f->pages = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	f->alias = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
	ro = f->pages == MAP_FAILED ? MAP_FAILED :
	     mmap(f->pages + 4096, 4096, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 4096);
	close(fd);
	return f->alias == MAP_FAILED || ro == MAP_FAILED ? -1 : 0;
}

static uint64_t seed_of(const struct cfg *c, int round, int proc)
{
	uint64_t s = mix(c->seed ^ mix((uint64_t)round << 16 | proc));

	return s ? s : 1;
}

static int worker(struct gch_heap *shared, const struct cfg *c, int round,
		  int proc, long ops, struct tally *t)
{
	struct fz *f = calloc(1, sizeof(*f));
	int failed;

	if (!f)
		return 1;
	exact_checks = c->exact;
	if (map_pages(f))
		return 1;
	f->rng = seed_of(c, round, proc);
	f->round = round;
	f->proc = proc;
	f->lies = c->lies;
	f->t = t;
	view_init(&f->shared, shared, "shared", c->procs == 1 || !c->lies,
		  &f->own, SHARED_OBJECTS);
	f->shared.others_seal = round & 1;	/* op_seal() */
	f->v = &f->own;
	open_own(f);
	for (f->op = 0; f->op < ops && !f->failed; f->op++) {
		one_op(f);
		if (!((f->op + 1) % VERIFY_EVERY))
			verify_both(f);
	}
	t->ops = f->op;
	if (!f->failed)
		finish(f);
	failed = f->failed;
	munmap(f->pages, 2 * 4096);
	munmap(f->alias, 4096);
	free(f);
	fflush(stdout);
	return failed ? 1 : 0;
}

/* ---- the test ---- */

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : dflt;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What a round did, in two lines. */
static void print_round(int round, const struct tally *t, int procs,
			const struct gch_stats *st, long kept, double secs)
{
	struct tally s = { 0 };
	int p, i;

	for (p = 0; p < procs; p++) {
		s.ops += t[p].ops;
		s.lies += t[p].lies;
		s.refused += t[p].refused;
		s.taken += t[p].taken;
		s.batches += t[p].batches;
		s.events += t[p].events;
		s.finalized += t[p].finalized;
		s.resurrected += t[p].resurrected;
		s.verified += t[p].verified;
		s.collects += t[p].collects;
		for (i = 0; i < NOUTCOMES; i++)
			s.outcomes[i] += t[p].outcomes[i];
	}
	ksft_print_msg("round %d: %ld operations in %.1f s, %ld lies (decrefs: %ld refused, %ld true for another process), %ld batches, %ld events (%ld finalizers, %ld resurrected), %ld verified\n",
		       round, s.ops, secs, s.lies, s.refused, s.taken, s.batches,
		       s.events, s.finalized, s.resurrected, s.verified);
	ksft_print_msg("round %d: calls: %ld ok, %ld ESTALE, %ld EINVAL, %ld EDQUOT, %ld ENOMEM, %ld EOVERFLOW, %ld EFAULT, %ld EPERM; shared heap: %llu allocated, collections %llu/%llu/%llu (%ld asked for), %ld kept by the garbage list\n",
		       round, s.outcomes[0], s.outcomes[1], s.outcomes[2],
		       s.outcomes[3], s.outcomes[4], s.outcomes[5],
		       s.outcomes[6], s.outcomes[7],
		       (unsigned long long)st->allocated,
		       (unsigned long long)st->gen[0].collections,
		       (unsigned long long)st->gen[1].collections,
		       (unsigned long long)st->gen[2].collections, s.collects,
		       kept);
}

FIXTURE(gfuzz) {
	struct cfg c;
	struct tally *t;	/* MAX_PROCS, shared with the processes */
};

FIXTURE_SETUP(gfuzz)
{
	self->c.seed = strtoull(getenv("GCH_GFUZZ_SEED") ?: "1", NULL, 0);
	self->c.iters = env_long("GCH_GFUZZ_ITERS", 200000);
	self->c.procs = env_long("GCH_GFUZZ_PROCS", 4);
	self->c.lies = env_long("GCH_GFUZZ_LIES", 15);
	self->c.exact = env_long("GCH_GFUZZ_EXACT", 1);
	ASSERT_LE(1, self->c.procs);
	ASSERT_GE(MAX_PROCS, self->c.procs);
	ASSERT_LE(0, self->c.lies);
	ASSERT_GE(100, self->c.lies);
	self->t = mmap(NULL, MAX_PROCS * sizeof(*self->t), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->t);
}

FIXTURE_TEARDOWN(gfuzz)
{
	munmap(self->t, MAX_PROCS * sizeof(*self->t));
}

/* One round: a new shared heap, the processes on it, then all drained. */
static void run_round(struct __test_metadata *_metadata, FIXTURE_DATA(gfuzz) *self,
		      int round, long ops)
{
	struct gch_config hc = { .max_objects = SHARED_OBJECTS,
				 .max_bytes = HEAP_BYTES,
				 .threshold = { 20, 3, 3 } };
	const struct cfg *c = &self->c;
	struct gch_heap *h = gch_open(&hc);
	pid_t pid[MAX_PROCS];
	int p, status;
	struct gch_stats st = { 0 };
	char why[512];
	long kept = -1;
	double start = now();

	ASSERT_NE(NULL, h) TH_LOG("gch_open: %s", strerror(errno));
	memset(self->t, 0, MAX_PROCS * sizeof(*self->t));
	fflush(NULL);
	for (p = 0; p < c->procs; p++) {
		pid[p] = fork();
		if (!pid[p])
			_exit(worker(h, c, round, p, ops / c->procs +
				     (p < ops % c->procs), &self->t[p]));
		ASSERT_LT(0, pid[p]);
	}
	for (p = 0; p < c->procs; p++) {
		ASSERT_EQ(pid[p], waitpid(pid[p], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("round %d: process %d failed (status %#x)", round,
			       p, status);
	}
	EXPECT_EQ(0, gch_get_stats(h, &st));
	EXPECT_EQ(0, drained(h, &kept, why, sizeof(why)))
		TH_LOG("round %d, the shared heap at the end: %s", round, why);
	gch_close(h);
	print_round(round, self->t, c->procs, &st, kept, now() - start);
}

TEST_F_TIMEOUT(gfuzz, graphs_and_lies, 86400)
{
	long long slab_before = gch_test_slab_objects();
	long done, n;
	int round;

	ksft_print_msg("seed %llu\n", (unsigned long long)self->c.seed);
	ksft_print_msg("%ld operations, %d processes, %d%% lies%s\n",
		       self->c.iters, self->c.procs, self->c.lies,
		       self->c.exact ? "" : ", no exact checks");
	for (done = 0, round = 0; done < self->c.iters; done += n, round++) {
		n = self->c.iters - done < ROUND_OPS ? self->c.iters - done :
		    ROUND_OPS;
		run_round(_metadata, self, round, n);
		if (!__test_passed(_metadata))
			break;
	}
	if (!__test_passed(_metadata))
		TH_LOG("replay: GCH_GFUZZ_SEED=%llu GCH_GFUZZ_ITERS=%ld GCH_GFUZZ_PROCS=%d GCH_GFUZZ_LIES=%d GCH_GFUZZ_EXACT=%d",
		       (unsigned long long)self->c.seed, self->c.iters,
		       self->c.procs, self->c.lies, self->c.exact);
	if (slab_before >= 0)
		EXPECT_EQ(slab_before, gch_test_slab_objects());
}

TEST_HARNESS_MAIN
