// SPDX-License-Identifier: MIT
/*
 * gcheapstat: watch gcheap heaps from debugfs, as vmstat watches memory.
 *
 *   gcheapstat [-H heap] [interval [count]]   a line per interval
 *   gcheapstat --tags -H heap [-n N]          the top allocation tags
 *   gcheapstat --dot -H heap                  the object graph (Graphviz)
 *
 * Reads /sys/kernel/debug/gcheap (or $GCHEAP_DEBUGFS): root only.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXKEYS	96

struct kv {
	int n;
	char key[MAXKEYS][40];
	unsigned long long val[MAXKEYS];
};

static const char *root;

static void usage(void)
{
	fprintf(stderr,
		"usage: gcheapstat [-H heap] [interval [count]]\n"
		"       gcheapstat --tags -H heap [-n N]\n"
		"       gcheapstat --dot -H heap\n");
	exit(2);
}

/* Open a debugfs file, or explain why not and exit. */
static FILE *open_file(const char *heap, const char *name)
{
	char path[512];
	FILE *f;

	if (heap)
		snprintf(path, sizeof(path), "%s/%s/%s", root, heap, name);
	else
		snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "r");
	if (f)
		return f;
	if (errno == EACCES || errno == EPERM) {
		fprintf(stderr, "gcheapstat: %s: not readable (debugfs is root's: run as root)\n",
			path);
	} else if (access(root, F_OK)) {
		fprintf(stderr, "gcheapstat: %s: not found (is debugfs mounted, is gcheap.ko loaded?)\n",
			root);
	} else if (heap) {
		fprintf(stderr, "gcheapstat: heap %s does not exist\n", heap);
	} else {
		fprintf(stderr, "gcheapstat: %s: %s\n", path, strerror(errno));
	}
	exit(1);
}

static void read_kv(const char *heap, struct kv *kv)
{
	FILE *f = open_file(heap, "stats");
	char line[256], key[40];
	unsigned long long v;

	kv->n = 0;
	while (fgets(line, sizeof(line), f) && kv->n < MAXKEYS) {
		if (sscanf(line, "%39s %llu", key, &v) != 2)
			continue;
		strcpy(kv->key[kv->n], key);
		kv->val[kv->n++] = v;
	}
	fclose(f);
}

static long long get(const struct kv *kv, const char *key)
{
	int i;

	for (i = 0; i < kv->n; i++)
		if (!strcmp(kv->key[i], key))
			return (long long)kv->val[i];
	return -1;
}

/* Collections and collected objects, over all generations. */
static void sums(const struct kv *kv, int per_heap, long long *colls,
		 long long *collected)
{
	char k[40];
	int g;

	if (!per_heap) {
		*colls = get(kv, "collections");
		*collected = get(kv, "collected");
		return;
	}
	*colls = *collected = 0;
	for (g = 0; g < 3; g++) {
		snprintf(k, sizeof(k), "gen%d_collections", g);
		*colls += get(kv, k);
		snprintf(k, sizeof(k), "gen%d_collected", g);
		*collected += get(kv, k);
	}
}

static void print_line(const struct kv *kv, const struct kv *prev,
		       int per_heap, double secs)
{
	long long c, f, pc, pf;
	char k[40];
	int g;

	printf("%10lld %12lld", get(kv, "objects"), get(kv, "bytes"));
	for (g = 0; g < 3; g++) {
		snprintf(k, sizeof(k), "gen%d_count", g);
		if (per_heap)
			printf(" %6lld", get(kv, k));
		else
			printf(" %6s", "-");
	}
	sums(kv, per_heap, &c, &f);
	if (prev && secs > 0) {
		sums(prev, per_heap, &pc, &pf);
		printf(" %8.1f %10.1f", (c - pc) / secs, (f - pf) / secs);
	} else {
		printf(" %8s %10s", "-", "-");
	}
	printf(" %10.1f\n", get(kv, "pause_ns_max") / 1000.0);
	fflush(stdout);
}

static int watch(const char *heap, double interval, long count)
{
	struct kv cur, prev;
	long i;

	read_kv(heap, &cur);
	printf("%10s %12s %6s %6s %6s %8s %10s %10s\n", "objects", "bytes",
	       "gen0", "gen1", "gen2", "colls/s", "collected/s", "maxpause_us");
	print_line(&cur, NULL, heap != NULL, 0);
	for (i = 1; count < 0 || i < count; i++) {
		struct timespec ts = {
			.tv_sec = (time_t)interval,
			.tv_nsec = (long)((interval - (time_t)interval) * 1e9),
		};

		nanosleep(&ts, NULL);
		prev = cur;
		read_kv(heap, &cur);
		print_line(&cur, &prev, heap != NULL, interval);
	}
	return 0;
}

static int cat(const char *heap, const char *name, long lines)
{
	FILE *f = open_file(heap, name);
	char line[1024];
	long n = 0;

	while (fgets(line, sizeof(line), f) && (lines < 0 || n++ <= lines))
		fputs(line, stdout);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "heap", required_argument, NULL, 'H' },
		{ "tags", no_argument, NULL, 't' },
		{ "dot", no_argument, NULL, 'd' },
		{ "top", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *heap = NULL;
	int c, mode = 0;
	long top = 20, count = -1;
	double interval = 0;

	root = getenv("GCHEAP_DEBUGFS");
	if (!root)
		root = "/sys/kernel/debug/gcheap";
	while ((c = getopt_long(argc, argv, "H:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			heap = optarg;
			break;
		case 't':
		case 'd':
			mode = c;
			break;
		case 'n':
			top = strtol(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (mode && !heap)
		usage();
	if (mode == 't')
		return cat(heap, "tags", top);
	if (mode == 'd')
		return cat(heap, "graph.dot", -1);
	if (optind < argc)
		interval = strtod(argv[optind++], NULL);
	if (optind < argc)
		count = strtol(argv[optind++], NULL, 0);
	if (optind < argc || interval < 0)
		usage();
	if (interval == 0)
		count = 1;
	return watch(heap, interval, count);
}
