// SPDX-License-Identifier: GPL-2.0
/*
 * Security and unload safety: an unprivileged user may use a heap but not
 * read debugfs; no kernel address in any debugfs file, ioctl result or the
 * kernel's gcheap lines; a memory cgroup's limit turns heap growth into
 * -ENOMEM, not an OOM kill; the module cannot go while a heap is open, and
 * unloads, loses its caches and loads again once all are closed.
 */
#include <dirent.h>
#include <regex.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "gch_test.h"

#define DBG GCH_TEST_DEBUGFS

static void as_nobody(void)
{
	struct gch_heap *h;
	gch_ref_t r;

	if (setgid(65534) || setuid(65534))
		_exit(10);
	h = gch_open(NULL);
	if (!h)
		_exit(11);
	if (gch_alloc(h, 1, 8, &r) || gch_set_slot(h, r, 0, r))
		_exit(12);
	gch_decref(h, r);
	if (gch_collect(h, 2) != 1)
		_exit(13);
	if (open(DBG "/stats", O_RDONLY) >= 0 || errno != EACCES)
		_exit(14);
	gch_close(h);
}

TEST(unprivileged_user_uses_a_heap_not_debugfs)
{
	if (geteuid())
		SKIP(return, "needs root to become nobody");
	EXPECT_EQ(0, gch_test_run_child(as_nobody));
}

/* "ffff" and 12 more hex digits: the shape of a kernel address. */
static int has_address(const char *text)
{
	regex_t re;
	int found;

	if (regcomp(&re, "ffff[0-9a-f]{12}", REG_EXTENDED | REG_ICASE))
		return -1;
	found = !regexec(&re, text, 0, NULL, 0);
	regfree(&re);
	return found;
}

/* Whether a (debugfs) file has an address; 0 when it cannot be read. */
static int scan_file(const char *path)
{
	char *s = gch_test_read_file(path);
	int found = s ? has_address(s) : 0;

	free(s);
	return found;
}

TEST(no_kernel_address_anywhere)
{
	static char buf[1 << 20];
	struct gch_heap *h = gch_open(NULL);
	struct gch_alloc_args fa = { .nslots = 2, .size = 8, .tag = 3,
				     .flags = GCH_ALLOC_FINALIZE };
	struct gch_stats st;
	struct gch_event ev;
	gch_ref_t a, b, w, list[8];
	char path[512];
	struct dirent *de;
	DIR *d;
	int n, i;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_alloc_ex(h, &fa, &a));
	ASSERT_EQ(0, gch_alloc(h, 1, 8, &b));
	ASSERT_EQ(0, gch_set_slot(h, a, 0, b));
	ASSERT_EQ(0, gch_set_slot(h, b, 0, a));
	ASSERT_EQ(0, gch_weakref(h, b, GCH_WEAK_NOTIFY, 1, &w));
	gch_decref(h, a);
	gch_decref(h, b);
	ASSERT_EQ(2, gch_collect(h, 2));
	/* ioctl results: refs, stats, events */
	n = gch_get_objects(h, -1, list, 8);
	for (i = 0; i < n && i < 8; i++) {
		snprintf(path, sizeof(path), "%llx", (unsigned long long)list[i]);
		EXPECT_EQ(0, has_address(path));
		gch_decref(h, list[i]);
	}
	ASSERT_EQ(0, gch_get_stats(h, &st));
	while (gch_next_event(h, &ev, 0) == 1) {
		snprintf(path, sizeof(path), "%llx %llx", (unsigned long long)ev.ref,
			 (unsigned long long)ev.cookie);
		EXPECT_EQ(0, has_address(path));
	}
	/* every debugfs file */
	if (!access(DBG "/stats", R_OK)) {
		EXPECT_EQ(0, scan_file(DBG "/stats"));
		snprintf(path, sizeof(path), DBG "/%d", gch_heap_id(h));
		d = opendir(path);
		ASSERT_NE(NULL, d);
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), DBG "/%d/%s", gch_heap_id(h),
				 de->d_name);
			EXPECT_EQ(0, scan_file(path))
				TH_LOG("%s", de->d_name);
		}
		closedir(d);
	}
	gch_close(h);
	/* the kernel's own lines about gcheap */
	{
		FILE *p = popen("dmesg | grep -i gcheap", "r");
		size_t got = p ? fread(buf, 1, sizeof(buf) - 1, p) : 0;

		buf[got] = 0;
		if (p)
			pclose(p);
		EXPECT_EQ(0, has_address(buf)) TH_LOG("%s", buf);
	}
}

#define CG "/sys/fs/cgroup/gcheap-test"

/* Grow a heap inside a 32 MiB cgroup until the kernel says no. */
static void grow_in_cgroup(void)
{
	struct gch_config cfg = { .max_objects = 1 << 20 };
	struct gch_heap *h;
	char pid[32];
	gch_ref_t r;
	int ret = 0;
	long i;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (gch_test_write_str(CG "/cgroup.procs", pid))
		_exit(20);
	h = gch_open(&cfg);
	if (!h)
		_exit(21);
	for (i = 0; i < 200000 && !ret; i++)
		ret = gch_alloc(h, 0, 4000, &r);
	if (ret != -ENOMEM)
		_exit(22);
	/* the heap still works once memory is back */
	gch_close(h);
	_exit(0);
}

TEST(memcg_limit_is_enomem_not_oom)
{
	int rc;

	if (gch_test_memcg(CG, "33554432"))
		SKIP(return, "no writable cgroup2");
	rc = gch_test_run_child(grow_in_cgroup);
	EXPECT_EQ(0, rc) TH_LOG("child ended with %d (137 = OOM-killed)", rc);
	rmdir(CG);
}

static int module_loaded(void)
{
	return !access("/sys/module/gcheap", F_OK);
}

static int cache_exists(void)
{
	return !access("/sys/kernel/slab/gcheap_obj-48", F_OK);
}

/*
 * Three rmmod/insmod rounds take tens of seconds on the debug kernel under
 * emulation (KASAN, kmemleak): more than the harness's default 30 s.
 */
FIXTURE(unload) {};
FIXTURE_SETUP(unload) {}
FIXTURE_TEARDOWN(unload) {}

TEST_F_TIMEOUT(unload, loop, 300)
{
	const char *ko = getenv("GCHEAP_MODULE");
	char cmd[512];
	int round;

	if (!ko || !*ko || access(ko, R_OK))
		SKIP(return, "GCHEAP_MODULE not set (run under vm-run)");
	for (round = 0; round < 3; round++) {
		struct gch_heap *h = gch_open(NULL);
		gch_ref_t r;

		ASSERT_NE(NULL, h);
		ASSERT_EQ(0, gch_alloc(h, 1, 8, &r));
		EXPECT_NE(0, system("rmmod gcheap 2>/dev/null"));	/* busy */
		EXPECT_TRUE(module_loaded());
		gch_close(h);
		ASSERT_EQ(0, system("rmmod gcheap"));
		EXPECT_FALSE(module_loaded());
		if (!access("/sys/kernel/slab", F_OK))
			EXPECT_FALSE(cache_exists());
		snprintf(cmd, sizeof(cmd), "insmod %s", ko);
		ASSERT_EQ(0, system(cmd));
		EXPECT_TRUE(module_loaded());
	}
}

TEST_HARNESS_MAIN
