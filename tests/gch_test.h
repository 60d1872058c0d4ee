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
#include <sys/socket.h>
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

/*
 * A chain of @n live objects, each naming the one made before it in slot
 * 0: the ref of the last, the only one the caller holds; 0 on failure.
 */
static inline gch_ref_t gch_test_chain(struct gch_heap *h, int n)
{
	gch_ref_t prev = 0, cur;
	int i;

	for (i = 0; i < n; i++) {
		if (gch_alloc(h, 1, 0, &cur) || gch_set_slot(h, cur, 0, prev))
			return 0;
		if (prev && gch_decref(h, prev))
			return 0;
		prev = cur;
	}
	return prev;
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

/* A by-value command (its operand as the argument): 0 or -errno. */
static inline int gch_test_ioctl_val(struct gch_heap *h, unsigned long cmd,
				     unsigned long arg)
{
	return ioctl(gch_fd(h), cmd, arg) < 0 ? -errno : 0;
}

/*
 * Write a string to a sysfs, cgroup, debugfs or tracefs file, truncating it
 * as the shell's > does (which empties tracefs's trace): 0, or -1 with
 * errno set (EIO for a short write).
 */
static inline int gch_test_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	if (n >= 0 && n != (ssize_t)strlen(s))
		errno = EIO;
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * A whole file (debugfs, tracefs, sysfs, procfs) as a malloc'ed string,
 * or NULL when it cannot be opened.  A read error ends the string there.
 */
static inline char *gch_test_read_file(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb)
				break;
			buf = nb;
		}
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

/* A number read from a sysfs file, or -1. */
static inline long gch_test_read_long(const char *path)
{
	char *s = gch_test_read_file(path);
	long v = s && *s ? strtol(s, NULL, 10) : -1;

	free(s);
	return v;
}

#define GCH_TEST_DEBUGFS "/sys/kernel/debug/gcheap"

/* A file of heap @h's debugfs directory (stats, objects, verify, ...), or NULL. */
static inline char *gch_test_heap_file(struct gch_heap *h, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), GCH_TEST_DEBUGFS "/%d/%s", gch_heap_id(h),
		 name);
	return gch_test_read_file(path);
}

/* The value of the line "@key value" in @text (a stats file), or -1. */
static inline long long gch_test_kv(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return strtoll(p + kl + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* One "key value" line of a heap's debugfs stats file, or -1. */
static inline long long gch_test_heap_stat(struct gch_heap *h, const char *key)
{
	char *s = gch_test_heap_file(h, "stats");
	long long v = gch_test_kv(s, key);

	free(s);
	return v;
}

/*
 * The heap's debugfs <id>/verify: 1 when it says "ok", 0 when it cannot be
 * opened (no debugfs, not root: nothing to say), -1 with what it says, on
 * one line (KTAP's), in @why.
 */
static inline int gch_test_verify(struct gch_heap *h, char *why, size_t len)
{
	char *s = gch_test_heap_file(h, "verify");
	size_t n;

	if (!s)
		return 0;
	snprintf(why, len, "%s", s);
	free(s);
	if (!strcmp(why, "ok\n"))
		return 1;
	for (n = strlen(why); n-- > 0;)
		if (why[n] == '\n')
			why[n] = n == strlen(why) - 1 ? 0 : ';';
	return -1;
}

/* Sum column 2 (active objects) of gcheap's caches; shrink them first. */
static inline long long gch_test_slab_pass(int shrink)
{
	char line[512], name[64], path[160];
	long long active, total = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

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
		if (!access(path, F_OK) && gch_test_write_str(path, "1"))
			total = -1;
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

/*
 * The one random-number generator of the tests: xorshift64 (Marsaglia's
 * 13, 7, 17), on a state the caller seeds (never 0).  The seeded tests
 * print their seed; the same seed replays the same sequence.
 */
static inline uint64_t gch_test_rand64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* A number below @n, or 0 (the state not stepped) when @n is 0. */
static inline uint32_t gch_test_rand(uint64_t *state, uint32_t n)
{
	return n ? gch_test_rand64(state) % n : 0;
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

/* Send a heap's fd and a value over a unix socket (SCM_RIGHTS): 0 or -1. */
static inline int gch_test_send_fd(int sock, int fd, gch_ref_t ref)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &ref, .iov_len = sizeof(ref) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == sizeof(ref) ? 0 : -1;
}

/* Receive what gch_test_send_fd() sent: the fd, or -1. */
static inline int gch_test_recv_fd(int sock, gch_ref_t *ref)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = ref, .iov_len = sizeof(*ref) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != sizeof(*ref))
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

#endif
