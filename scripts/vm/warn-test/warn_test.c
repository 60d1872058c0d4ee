// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to WARN when loaded: scripts/vm/vm-selftest
 * uses it to prove that scripts/vm/vm-run fails a run whose kernel log has
 * a finding.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init warn_test_init(void)
{
	WARN(1, "gcheap warn-test: this warning is expected by vm-selftest\n");
	return 0;
}

static void __exit warn_test_exit(void)
{
}

module_init(warn_test_init);
module_exit(warn_test_exit);
MODULE_DESCRIPTION("gcheap harness self-test: WARN on load");
MODULE_LICENSE("GPL");
