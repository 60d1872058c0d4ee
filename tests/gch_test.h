/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of gcheap's user-space tests, written in the kselftest
 * harness's style (tools/testing/selftests/kselftest_harness.h from the
 * kernel tree): one program per area, KTAP on stdout.
 */
#ifndef GCH_TEST_H
#define GCH_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "gcheap.h"

/* A heap for each test, closed by the harness. */
FIXTURE(heap) {
	struct gch_heap *h;
};

FIXTURE_SETUP(heap)
{
	self->h = gch_open(NULL);
	ASSERT_NE(NULL, self->h) TH_LOG("gch_open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(heap)
{
	gch_close(self->h);
}

/* The live object count of a heap, or -errno. */
static inline long long gch_test_objects(struct gch_heap *h)
{
	struct gch_stats st;
	int ret = gch_get_stats(h, &st);

	return ret ? ret : (long long)st.objects;
}

static inline long long gch_test_refcount(struct gch_heap *h, gch_ref_t r)
{
	struct gch_obj_info in;
	int ret = gch_info(h, r, &in);

	return ret ? ret : (long long)in.refcount;
}

/* Raw ioctl on the heap's fd: 0 or -errno. */
static inline int gch_test_ioctl(struct gch_heap *h, unsigned long cmd, void *arg)
{
	return ioctl(gch_fd(h), cmd, arg) < 0 ? -errno : 0;
}

/* One "key value" line of a heap's debugfs stats file, or -1. */
static inline long long gch_test_heap_stat(struct gch_heap *h, const char *key)
{
	char path[96], line[256], k[64];
	long long v, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/gcheap/%d/stats", gch_heap_id(h));
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", k, &v) == 2 && !strcmp(k, key))
			ret = v;
	fclose(f);
	return ret;
}

/* Sum column 2 (active objects) of gcheap's caches; shrink them first. */
static inline long long gch_test_slab_pass(int shrink)
{
	char line[512], name[64], path[160];
	long long active, total = 0;
	FILE *f = fopen("/proc/slabinfo", "r");
	int fd;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", name, &active) != 2 ||
		    strncmp(name, "gcheap_", 7))
			continue;
		total += active;
		if (!shrink)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", name);
		fd = open(path, O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1)
				total = -1;
			close(fd);
		}
	}
	fclose(f);
	return total;
}

/*
 * Active objects in gcheap's slab caches, from /proc/slabinfo after every
 * cache was shrunk (which flushes per-CPU slabs, so the count is exact).
 * -1 if it cannot be read.
 */
static inline long long gch_test_slab_objects(void)
{
	if (gch_test_slab_pass(1) < 0)
		return -1;
	return gch_test_slab_pass(0);
}

/* Write a string to a sysfs or cgroup file: 0 or -1. */
static inline int gch_test_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

/* A number read from a sysfs file, or -1. */
static inline long gch_test_read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* Run @fn in a child process: its exit status, 128 + a signal, or -1. */
static inline int gch_test_run_child(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
	       WEXITSTATUS(status);
}

/*
 * A memory cgroup @cg limited to @max bytes, no swap: 0, or -1 when the
 * machine has no writable cgroup2 (the test skips).
 */
static inline int gch_test_memcg(const char *cg, const char *max)
{
	char path[256];

	if (access("/sys/fs/cgroup/cgroup.subtree_control", W_OK))
		return -1;
	gch_test_write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	if (mkdir(cg, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	if (gch_test_write_str(path, max))
		return -1;
	snprintf(path, sizeof(path), "%s/memory.swap.max", cg);
	gch_test_write_str(path, "0");
	return 0;
}

#endif
