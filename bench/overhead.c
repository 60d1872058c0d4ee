// SPDX-License-Identifier: GPL-2.0
/*
 * overhead: the kernel memory one object costs, measured, not computed.
 *
 * Moves itself into a new memory cgroup (cgroup2 at /sys/fs/cgroup), opens
 * a heap, allocates N objects of the given shape and reads the cgroup's
 * memory.current before and after: slab pages, separate data blocks and
 * the handle table are all charged there (SLAB_ACCOUNT, GFP_KERNEL_ACCOUNT).
 * Also reports the slab's own view (objsize of the cache used).
 *
 *   overhead [NSLOTS [SIZE [N [chain]]]]   defaults: 2 slots, 16 bytes, 200000
 *
 * With "chain", each object holds the previous one in slot 0 and the
 * program keeps only the last: the heap's own references, not the
 * program's, keep the objects alive (the lines are then mem_chain_*).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gcheap.h"

#define CG "/sys/fs/cgroup/gcheap-overhead"

static long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Bytes of slab pages gcheap's caches hold, from /proc/slabinfo. */
static long long slab_page_bytes(void)
{
	long long total = 0, objs, nobjs, size, per, pages, slabs, nslabs;
	char line[512], name[64];
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld %lld %lld %lld %lld : tunables %*d %*d %*d : slabdata %lld %lld",
			   name, &objs, &nobjs, &size, &per, &pages, &slabs,
			   &nslabs) != 8 || strncmp(name, "gcheap_", 7))
			continue;
		total += nslabs * pages * 4096;
	}
	fclose(f);
	return total;
}

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(s, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint32_t nslots = argc > 1 ? strtoul(argv[1], NULL, 0) : 2;
	uint32_t size = argc > 2 ? strtoul(argv[2], NULL, 0) : 16;
	long n = argc > 3 ? strtol(argv[3], NULL, 0) : 200000, i;
	int chain = argc > 4 && !strcmp(argv[4], "chain");
	const char *pre = chain ? "mem_chain" : "mem";
	gch_ref_t prev = 0;
	struct gch_config cfg = { .max_objects = n + 16 };
	long long before, after, slab_before, slab_after;
	struct gch_heap *h;
	gch_ref_t r;
	char pid[32];

	write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	if (mkdir(CG, 0755) && errno != EEXIST) {
		perror("overhead: mkdir " CG);
		return 1;
	}
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_str(CG "/cgroup.procs", pid)) {
		perror("overhead: join " CG);
		return 1;
	}
	h = gch_open(&cfg);
	if (!h || gch_disable(h)) {
		perror("overhead: gch_open");
		return 1;
	}
	before = read_ll(CG "/memory.current");
	slab_before = slab_page_bytes();
	for (i = 0; i < n; i++) {
		if (gch_alloc(h, nslots, size, &r)) {
			fprintf(stderr, "overhead: alloc %ld failed\n", i);
			return 1;
		}
		if (chain && prev && (gch_set_slot(h, r, 0, prev) ||
				      gch_decref(h, prev))) {
			fprintf(stderr, "overhead: chain %ld failed\n", i);
			return 1;
		}
		prev = r;
	}
	after = read_ll(CG "/memory.current");
	slab_after = slab_page_bytes();
	printf("%s_memcg_bytes_per_obj %.2f bytes\n", pre,
	       (double)(after - before) / n);
	printf("%s_slab_bytes_per_obj %.2f bytes\n", pre,
	       (double)(slab_after - slab_before) / n);
	fprintf(stderr, "overhead: %ld objects, %u slots, %u payload bytes: "
		"memory.current %lld -> %lld\n", n, nslots, size, before, after);
	gch_close(h);
	write_str("/sys/fs/cgroup/cgroup.procs", pid);
	rmdir(CG);
	return 0;
}
