// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: statistics, objects, allocation sites and the object graph in
 * debugfs, under /sys/kernel/debug/gcheap/:
 *
 *   stats              all heaps, and those closed since load: "key value"
 *   <id>/stats         one heap (gch_heap_id()): every gch_stats field
 *   <id>/objects       one line per live object, paged by seq_file
 *   <id>/tags          per allocation tag, largest live bytes first
 *   <id>/graph.dot     the object graph in Graphviz DOT
 *   <id>/verify        the heap's invariants checked: "ok" or what is wrong
 *
 * Refs and handle indices are printed, never kernel addresses.  Each read
 * takes the heap's lock only while it fills seq_file's buffer; debugfs
 * keeps a heap's files from being read after it is freed (the directory is
 * removed, waiting for readers, before anything of the heap goes).
 *
 * Locking: gch_retired (what closed heaps did) is under gch_heaps_lock
 * (heap.c; see "Locking" in gcheap.h), the lock gch_retire_stats() is
 * called with.  Nothing else is owned here.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "gcheap.h"

unsigned int gch_graph_max_nodes = 2000;
module_param_named(graph_max_nodes, gch_graph_max_nodes, uint, 0644);
MODULE_PARM_DESC(graph_max_nodes, "Most objects graph.dot shows (default 2000)");

static unsigned int gch_graph_max_edges = 20000;
module_param_named(graph_max_edges, gch_graph_max_edges, uint, 0644);
MODULE_PARM_DESC(graph_max_edges, "Most slot edges graph.dot shows (default 20000)");

/* What graph.dot has shown so far, against its limits. */
struct gch_dot {
	u32 nodes;
	u32 max_nodes;
	u64 edges;
	u64 max_edges;
	u64 edges_cut;
	unsigned long work;
};

static struct dentry *gch_dbg_root;

static struct gch_totals gch_retired;

/**
 * gch_totals_add() - add a heap's figures to totals
 * @h: the heap, in the registry or being retired from it
 * @t: the totals
 *
 * Reads the counters without the heap's lock (a heap may hold it for a
 * long collection): each is a word read whole, the sum a snapshot.
 */
void gch_totals_add(struct gch_heap *h, struct gch_totals *t)
{
	int g;

	t->heaps++;
	t->objects += READ_ONCE(h->nobjects);
	t->bytes += READ_ONCE(h->bytes);
	t->mem += READ_ONCE(h->mem);
	t->allocated += READ_ONCE(h->allocated);
	t->freed += READ_ONCE(h->freed);
	t->weakrefs += READ_ONCE(h->nweak);
	for (g = 0; g < GCH_NGEN; g++) {
		t->collections += READ_ONCE(h->gen[g].stats.collections);
		t->collected += READ_ONCE(h->gen[g].stats.collected);
		t->uncollectable += READ_ONCE(h->gen[g].stats.uncollectable);
	}
	t->pause_ns_max = max(t->pause_ns_max, READ_ONCE(h->pause_ns_max));
}

/**
 * gch_retire_stats() - keep what a closing heap did in the global totals
 * @h: the heap, out of the registry; called with gch_heaps_lock held
 */
void gch_retire_stats(struct gch_heap *h)
{
	struct gch_totals t = {};

	gch_totals_add(h, &t);
	gch_retired.allocated += t.allocated;
	gch_retired.freed += t.allocated;	/* all freed at close */
	gch_retired.collections += t.collections;
	gch_retired.collected += t.collected;
	gch_retired.uncollectable += t.uncollectable;
	gch_retired.pause_ns_max = max(gch_retired.pause_ns_max,
				       t.pause_ns_max);
}

/**
 * gch_totals_retired() - add what closed heaps did to totals
 * @t: the totals; called with gch_heaps_lock held
 */
void gch_totals_retired(struct gch_totals *t)
{
	t->allocated += gch_retired.allocated;
	t->freed += gch_retired.freed;
	t->collections += gch_retired.collections;
	t->collected += gch_retired.collected;
	t->uncollectable += gch_retired.uncollectable;
	t->pause_ns_max = max(t->pause_ns_max, gch_retired.pause_ns_max);
}

static int gch_global_stats_show(struct seq_file *m, void *v)
{
	struct gch_totals t = {};

	gch_heaps_sum(&t);
	seq_printf(m, "heaps %llu\nobjects %llu\nbytes %llu\nweakrefs %llu\n",
		   t.heaps, t.objects, t.bytes, t.weakrefs);
	seq_printf(m, "mem_bytes %llu\n", t.mem);
	seq_printf(m, "allocated %llu\nfreed %llu\n", t.allocated, t.freed);
	seq_printf(m, "collections %llu\ncollected %llu\nuncollectable %llu\n",
		   t.collections, t.collected, t.uncollectable);
	seq_printf(m, "pause_ns_max %llu\n", t.pause_ns_max);
	gch_slab_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gch_global_stats);

/*
 * The collector beside the program: the pass in progress, what the barrier
 * kept, and each generation's lock hold times in log2 buckets (the first
 * under 2 us, each next one twice as long, the last open-ended).
 */
static void gch_pass_show(struct seq_file *m, struct gch_heap *h)
{
	const struct gch_pass *p = &h->pass;
	int g, i;

	seq_printf(m, "gc_phase %u\ngc_passes %llu\nfloating %llu\n", p->phase,
		   p->done, h->floating);
	seq_printf(m, "last_pass_slices %llu\nlast_pass_hold_ns %llu\nlast_pass_ns %llu\n",
		   p->slices, p->hold_ns, p->ns);
	for (g = 0; g < GCH_NGEN; g++) {
		seq_printf(m, "gen%d_pause_hist", g);
		for (i = 0; i < GCH_PAUSE_BUCKETS; i++)
			seq_printf(m, " %llu", h->pause_hist[g][i]);
		seq_putc(m, '\n');
	}
}

static int gch_heap_stats_show(struct seq_file *m, void *v)
{
	struct gch_heap *h = m->private;
	u64 cached_bytes;
	u32 cached;
	int g;

	seq_printf(m, "id %u\nowner_pid %d\nowner_comm %s\n", h->id,
		   h->owner_pid, h->owner_comm);
	gch_heap_lock(h);
	seq_printf(m, "objects %llu\nbytes %llu\nallocated %llu\nfreed %llu\n",
		   h->nobjects, h->bytes, h->allocated, h->freed);
	seq_printf(m, "weakrefs %llu\npending_events %llu\n", h->nweak,
		   h->nevents);
	seq_printf(m, "mem_bytes %llu\nyields %llu\n", h->mem, h->yields);
	seq_printf(m, "pause_ns_last %llu\npause_ns_max %llu\npause_ns_total %llu\n",
		   h->pause_ns_last, h->pause_ns_max, h->pause_ns_total);
	for (g = 0; g < GCH_NGEN; g++)
		seq_printf(m,
			   "gen%d_collections %llu\ngen%d_collected %llu\ngen%d_uncollectable %llu\ngen%d_count %u\ngen%d_threshold %u\n",
			   g, h->gen[g].stats.collections,
			   g, h->gen[g].stats.collected,
			   g, h->gen[g].stats.uncollectable,
			   g, h->gen[g].count, g, h->gen[g].threshold);
	seq_printf(m, "frozen %llu\nenabled %d\nmax_objects %llu\nmax_bytes %llu\n",
		   h->nfrozen, h->gc_enabled, h->max_objects, h->max_bytes);
	cached = gch_chunks_free_cells(h, &cached_bytes);
	seq_printf(m, "cached_objects %u\ncached_bytes %llu\nchunks %u\n",
		   cached, cached_bytes, h->nchunks);
	gch_pass_show(m, h);
	mutex_unlock(&h->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gch_heap_stats);

/* objects: position n is table index n; position 0 is the header. */
static struct gch_obj *gch_dbg_obj_from(struct gch_heap *h, loff_t *pos)
{
	unsigned long work = 0;

	for (; *pos < h->table_used; ++*pos) {
		u64 ent = h->table[*pos];

		gch_resched(h, &work, 1);
		if (!(ent & (GCH_ENT_FREE | GCH_ENT_WEAK)))
			return gch_at(h, *pos);
	}
	return NULL;
}

static void *gch_dbg_objects_start(struct seq_file *m, loff_t *pos)
{
	struct gch_heap *h = m->private;

	if (gch_lock_idle(h))
		return ERR_PTR(-EINTR);
	if (!*pos)
		return SEQ_START_TOKEN;
	return gch_dbg_obj_from(h, pos);
}

static void *gch_dbg_objects_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return gch_dbg_obj_from(m->private, pos);
}

static void gch_dbg_objects_stop(struct seq_file *m, void *v)
{
	struct gch_heap *h = m->private;

	if (!IS_ERR(v))		/* start failed without the lock */
		mutex_unlock(&h->lock);
}

static int gch_dbg_objects_show(struct seq_file *m, void *v)
{
	struct gch_heap *h = m->private;
	struct gch_obj *obj = v;
	struct gch_obj_ext *ext;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# ref generation refcount slots size tag flags\n");
		return 0;
	}
	ext = gch_ext(obj);
	seq_printf(m, "%#llx %u %u %u %u %u %c%c%c\n", gch_ref_of(h, obj),
		   obj->gen, obj->refcnt, gch_nslots(obj), gch_size(obj),
		   ext ? ext->tag : 0,
		   obj->flags & GCH_OF_FINALIZE ? 'F' : '-',
		   obj->flags & GCH_OF_FINALIZED ? 'D' : '-',
		   obj->flags & GCH_OF_WEAKREFS ? 'W' : '-');
	return 0;
}

static const struct seq_operations gch_dbg_objects_sops = {
	.start = gch_dbg_objects_start,
	.next = gch_dbg_objects_next,
	.stop = gch_dbg_objects_stop,
	.show = gch_dbg_objects_show,
};

static int gch_dbg_objects_open(struct inode *inode, struct file *file)
{
	int ret = seq_open(file, &gch_dbg_objects_sops);

	if (!ret)
		((struct seq_file *)file->private_data)->private =
			inode->i_private;
	return ret;
}

static const struct file_operations gch_dbg_objects_fops = {
	.owner = THIS_MODULE,
	.open = gch_dbg_objects_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release,
};

static int gch_heap_tags_show(struct seq_file *m, void *v)
{
	struct gcheap_tag_stat *s;
	u32 i, n;

	if (gch_tag_snapshot(m->private, &s, &n))
		return -ENOMEM;
	seq_puts(m, "# tag live_objects live_bytes allocations\n");
	for (i = 0; i < n; i++)
		seq_printf(m, "%u %llu %llu %llu\n", s[i].tag,
			   s[i].live_objects, s[i].live_bytes,
			   s[i].allocations);
	kvfree(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gch_heap_tags);

static const char *const gch_dbg_gen_name[] = {
	"generation 0", "generation 1", "generation 2", "permanent",
};

/* One node and its edges; false once the node limit is reached. */
static bool gch_dot_node(struct seq_file *m, struct gch_heap *h,
			 struct gch_obj *obj, struct gch_dot *d)
{
	u32 *slots = gch_slots(obj);
	u32 i;

	if (d->nodes >= d->max_nodes)
		return false;
	d->nodes++;
	seq_printf(m, "    o%u [label=\"%#llx\\nrc %u, %u slots, %u bytes%s\"];\n",
		   obj->idx, gch_ref_of(h, obj), obj->refcnt, gch_nslots(obj),
		   gch_size(obj), obj->flags & GCH_OF_FINALIZE ? ", finalizable" : "");
	for (i = 0; i < gch_nslots(obj); i++) {
		if (!slots[i])
			continue;
		if (d->edges >= d->max_edges) {
			d->edges_cut++;
			continue;
		}
		d->edges++;
		seq_printf(m, "    o%u -> o%u [label=\"%u\"];\n", obj->idx,
			   slots[i], i);
	}
	gch_resched(h, &d->work, 1 + gch_nslots(obj));
	return true;
}

/* Tracked objects by generation, as clusters; then untracked ones. */
static void gch_dot_body(struct seq_file *m, struct gch_heap *h,
			 struct gch_dot *d)
{
	struct gch_obj *obj;
	struct gch_iter it;
	u32 i;
	int g;

	for (g = 0; g <= GCH_L_PERMANENT; g++) {
		seq_printf(m, "  subgraph cluster_%d {\n    label=\"%s\";\n", g,
			   gch_dbg_gen_name[g]);
		obj = gch_iter_start(&it, h, g);
		for (; obj; obj = gch_iter_next(&it))
			if (!gch_dot_node(m, h, obj, d))
				break;
		seq_puts(m, "  }\n");
	}
	seq_puts(m, "  subgraph cluster_untracked {\n    label=\"untracked\";\n");
	for (i = 1; i < h->table_used; i++) {
		u64 ent = h->table[i];

		gch_resched(h, &d->work, 1);
		if (ent & (GCH_ENT_FREE | GCH_ENT_WEAK) || gch_tracked(gch_at(h, i)))
			continue;
		if (!gch_dot_node(m, h, gch_at(h, i), d))
			break;
	}
	seq_puts(m, "  }\n");
}

static int gch_heap_graph_show(struct seq_file *m, void *v)
{
	struct gch_heap *h = m->private;
	struct gch_dot d = {
		.max_nodes = READ_ONCE(gch_graph_max_nodes),
		.max_edges = READ_ONCE(gch_graph_max_edges),
	};
	u64 total;

	seq_printf(m, "digraph \"gcheap-%u\" {\n  node [shape=box];\n", h->id);
	if (gch_lock_idle(h))
		return -EINTR;
	gch_dot_body(m, h, &d);
	total = h->nobjects;
	mutex_unlock(&h->lock);
	if (d.nodes < total)
		seq_printf(m, "  cut [shape=note, label=\"%u of %llu objects shown (graph_max_nodes)\"];\n",
			   d.nodes, total);
	if (d.edges_cut)
		seq_printf(m, "  cut_edges [shape=note, label=\"%llu of %llu slot edges shown (graph_max_edges)\"];\n",
			   d.edges, d.edges + d.edges_cut);
	seq_puts(m, "}\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gch_heap_graph);

DEFINE_SHOW_ATTRIBUTE(gch_verify);

/**
 * gch_debugfs_heap_add() - a new heap's directory
 * @h: the heap, with its id
 *
 * debugfs is for debugging: if it cannot be created, the heap works on.
 */
void gch_debugfs_heap_add(struct gch_heap *h)
{
	char name[16];

	if (IS_ERR_OR_NULL(gch_dbg_root))
		return;
	snprintf(name, sizeof(name), "%u", h->id);
	h->dbg = debugfs_create_dir(name, gch_dbg_root);
	debugfs_create_file("stats", 0444, h->dbg, h, &gch_heap_stats_fops);
	debugfs_create_file("objects", 0444, h->dbg, h, &gch_dbg_objects_fops);
	debugfs_create_file("tags", 0444, h->dbg, h, &gch_heap_tags_fops);
	debugfs_create_file("graph.dot", 0444, h->dbg, h,
			    &gch_heap_graph_fops);
	debugfs_create_file("verify", 0400, h->dbg, h, &gch_verify_fops);
}

/**
 * gch_debugfs_heap_remove() - remove a heap's directory, waiting for readers
 * @h: the heap, before anything of it is freed
 */
void gch_debugfs_heap_remove(struct gch_heap *h)
{
	debugfs_remove(h->dbg);
	h->dbg = NULL;
}

/**
 * gch_debugfs_init() - /sys/kernel/debug/gcheap and its stats
 */
void gch_debugfs_init(void)
{
	gch_dbg_root = debugfs_create_dir("gcheap", NULL);
	debugfs_create_file("stats", 0444, gch_dbg_root, NULL,
			    &gch_global_stats_fops);
}

/**
 * gch_debugfs_exit() - remove it all (every heap is gone)
 */
void gch_debugfs_exit(void)
{
	debugfs_remove(gch_dbg_root);
}
