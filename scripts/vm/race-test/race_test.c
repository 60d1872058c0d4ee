// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to race: two threads increment one plain
 * counter while it loads.  scripts/test/race loads it in the race kernel to
 * prove, before it trusts a clean run, that KCSAN reports a data race under
 * this machine's emulation and that scripts/vm/vm-run fails the run for it.
 */
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>

#define RACE_TEST_LOOPS 2000000

static unsigned long race_test_counter;	/* deliberately unprotected */
static DECLARE_COMPLETION(race_test_done);
static atomic_t race_test_running = ATOMIC_INIT(2);

static int race_test_thread(void *unused)
{
	int i;

	for (i = 0; i < RACE_TEST_LOOPS; i++) {
		race_test_counter++;
		cpu_relax();
	}
	if (atomic_dec_and_test(&race_test_running))
		complete(&race_test_done);
	return 0;
}

static int __init race_test_init(void)
{
	struct task_struct *t[2];
	int i;

	for (i = 0; i < 2; i++) {
		t[i] = kthread_create(race_test_thread, NULL, "race_test/%d", i);
		if (IS_ERR(t[i])) {
			if (i)
				kthread_stop(t[0]);	/* never ran */
			return PTR_ERR(t[i]);
		}
	}
	wake_up_process(t[0]);
	wake_up_process(t[1]);
	wait_for_completion(&race_test_done);
	pr_info("race_test: counter %lu of %d\n", race_test_counter,
		2 * RACE_TEST_LOOPS);
	return 0;
}

static void __exit race_test_exit(void)
{
}

module_init(race_test_init);
module_exit(race_test_exit);
MODULE_DESCRIPTION("gcheap harness self-test: a data race for KCSAN");
MODULE_LICENSE("GPL");
