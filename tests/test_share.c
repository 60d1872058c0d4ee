// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing a heap: fork, SCM_RIGHTS, and many threads on one heap.
 */
#include <pthread.h>
#include <sys/wait.h>

#include "gch_test.h"

TEST_F(heap, fork_shares_the_heap)
{
	gch_ref_t r, child_obj;
	char buf[8] = { 0 };
	int status;
	pid_t pid;

	ASSERT_EQ(0, gch_alloc(self->h, 1, 8, &r));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		gch_ref_t n;

		if (gch_write(self->h, r, 0, "child", 5) ||
		    gch_alloc(self->h, 0, 4, &n) ||
		    gch_write(self->h, n, 0, "kid", 3) ||
		    gch_set_slot(self->h, r, 0, n) || gch_decref(self->h, n))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, gch_read(self->h, r, 0, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "child", 5));
	ASSERT_EQ(0, gch_get_slot(self->h, r, 0, &child_obj));
	ASSERT_EQ(0, gch_read(self->h, child_obj, 0, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "kid", 3));
	EXPECT_EQ(2, gch_test_objects(self->h));
}

TEST(fork_child_heap_is_foreign)
{
	struct gch_heap *h = gch_open(NULL);
	gch_ref_t r;
	int status;
	pid_t pid;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_alloc(h, 0, 0, &r));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct gch_heap *mine = gch_open(NULL);

		_exit(!mine || gch_incref(mine, r) != -ESTALE ||
		      gch_incref(h, r) != 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(2, gch_test_refcount(h, r));
	gch_close(h);
}

TEST(scm_rights_shares_the_heap)
{
	struct gch_heap *h;
	int sv[2], status, fd;
	char buf[6] = { 0 };
	gch_ref_t r;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct gch_heap *ch = gch_open(NULL);
		gch_ref_t o;

		close(sv[0]);
		if (!ch || gch_alloc(ch, 0, 6, &o) ||
		    gch_write(ch, o, 0, "shared", 6) ||
		    gch_test_send_fd(sv[1], gch_fd(ch), o))
			_exit(1);
		gch_close(ch);	/* the heap lives on in the message */
		_exit(0);
	}
	close(sv[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	fd = gch_test_recv_fd(sv[0], &r);
	ASSERT_LE(0, fd);
	h = gch_open_fd(fd);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, gch_read(h, r, 0, buf, 6));
	EXPECT_EQ(0, memcmp(buf, "shared", 6));
	EXPECT_EQ(1, gch_test_objects(h));
	gch_close(h);
	close(sv[0]);
}

TEST(open_fd_rejects_other_files)
{
	int fd = open("/dev/null", O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(NULL, gch_open_fd(fd));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

#define NTHREADS 8
#define ROUNDS 3000

struct hammer {
	struct gch_heap *h;
	gch_ref_t shared[4];
	int id;
	int err;
};

/* Every thread: allocate, link to shared objects and to each other, drop. */
static void *hammer(void *arg)
{
	struct hammer *t = arg;
	gch_ref_t mine[4] = { 0 }, got;
	char buf[16];
	int i, ret = 0;

	for (i = 0; i < ROUNDS && !ret; i++) {
		int k = i & 3;

		if (mine[k])
			ret = gch_decref(t->h, mine[k]);
		if (!ret)
			ret = gch_alloc(t->h, 2, 16, &mine[k]);
		if (!ret)
			ret = gch_set_slot(t->h, mine[k], 0, t->shared[k]);
		if (!ret)
			ret = gch_set_slot(t->h, mine[k], 1, mine[(k + 1) & 3]);
		if (!ret)
			ret = gch_set_slot(t->h, t->shared[(i + t->id) & 3],
					   t->id & 1, mine[k]);
		if (!ret)
			ret = gch_get_slot(t->h, t->shared[i & 3], 0, &got);
		if (!ret && got) {
			ret = gch_write(t->h, got, 0, "hammer", 6);
			if (!ret)
				ret = gch_read(t->h, got, 0, buf, 16);
			if (!ret)
				ret = gch_decref(t->h, got);
		}
	}
	for (i = 0; i < 4; i++)
		if (!ret && mine[i])
			ret = gch_decref(t->h, mine[i]);
	t->err = ret;
	return NULL;
}

TEST_F_TIMEOUT(heap, eight_threads_one_heap, 600)
{
	struct hammer t[NTHREADS];
	pthread_t tid[NTHREADS];
	gch_ref_t shared[4];
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, gch_alloc(self->h, 2, 0, &shared[i]));
	for (i = 0; i < NTHREADS; i++) {
		t[i].h = self->h;
		memcpy(t[i].shared, shared, sizeof(shared));
		t[i].id = i;
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, hammer, &t[i]));
	}
	for (i = 0; i < NTHREADS; i++) {
		ASSERT_EQ(0, pthread_join(tid[i], NULL));
		EXPECT_EQ(0, t[i].err);
	}
	/* clear the shared slots: without cycles, everything else dies */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, gch_set_slot(self->h, shared[i], 0, 0));
		ASSERT_EQ(0, gch_set_slot(self->h, shared[i], 1, 0));
	}
	EXPECT_EQ(4, gch_test_objects(self->h));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(1, gch_test_refcount(self->h, shared[i]));
}

TEST_HARNESS_MAIN
