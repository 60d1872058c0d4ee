// SPDX-License-Identifier: GPL-2.0
/*
 * gcheap: a garbage-collected object heap for user programs.
 *
 * Each open of /dev/gcheap creates a heap that lives as long as the open
 * file (fork and SCM_RIGHTS share it); see Documentation in the README and
 * uapi/linux/gcheap.h.  This file holds the module parameters, the misc
 * device and its file operations.  It owns no lock.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "gcheap.h"

unsigned int gch_threshold[GCH_NGEN] = { 700, 10, 10 };
module_param_array_named(threshold, gch_threshold, uint, NULL, 0644);
MODULE_PARM_DESC(threshold, "Default collection thresholds of new heaps (default 700,10,10)");

unsigned int gch_max_objects = 1U << 20;
module_param_named(max_objects, gch_max_objects, uint, 0644);
MODULE_PARM_DESC(max_objects, "Most objects one heap may hold (default 1048576)");

unsigned long gch_max_bytes = 256UL << 20;
module_param_named(max_bytes, gch_max_bytes, ulong, 0644);
MODULE_PARM_DESC(max_bytes, "Most kernel memory one heap's objects and weakrefs may take (default 256 MiB)");

unsigned int gch_max_payload = 1U << 20;
module_param_named(max_payload, gch_max_payload, uint, 0644);
MODULE_PARM_DESC(max_payload, "Largest payload of one object (default 1 MiB)");

unsigned int gch_max_slots = 1U << 16;
module_param_named(max_slots, gch_max_slots, uint, 0644);
MODULE_PARM_DESC(max_slots, "Most slots of one object (default 65536)");

unsigned int gch_max_heaps_per_user = 1024;
module_param_named(max_heaps_per_user, gch_max_heaps_per_user, uint, 0644);
MODULE_PARM_DESC(max_heaps_per_user, "Most heaps one user may have open, 0 for no cap (default 1024)");

unsigned int gch_slice_work = GCH_RESCHED_WORK;
module_param_named(gc_slice_work, gch_slice_work, uint, 0644);
MODULE_PARM_DESC(gc_slice_work, "Work (objects + slots) a collection does before it lets other calls in (default 4096)");

unsigned int gch_gc_passes_per_user = 4;
EXPORT_SYMBOL_IF_KUNIT(gch_gc_passes_per_user);
module_param_named(gc_passes_per_user, gch_gc_passes_per_user, uint, 0644);
MODULE_PARM_DESC(gc_passes_per_user, "Most automatic collections one user's heaps run at once, 0 for no cap (default 4)");

static int gch_dev_open(struct inode *inode, struct file *file)
{
	struct gch_heap *h = gch_heap_create();

	if (IS_ERR(h))
		return PTR_ERR(h);
	file->private_data = h;
	file->f_mode |= FMODE_NOWAIT;	/* read(2) honours RWF_NOWAIT */
	return nonseekable_open(inode, file);
}

static int gch_dev_release(struct inode *inode, struct file *file)
{
	gch_heap_destroy(file->private_data);
	return 0;
}

static const struct file_operations gch_fops = {
	.owner = THIS_MODULE,
	.open = gch_dev_open,
	.release = gch_dev_release,
	.read_iter = gch_read_iter,
	.poll = gch_poll,
	.unlocked_ioctl = gch_ioctl,
	.compat_ioctl = gch_compat_ioctl,
};

static struct miscdevice gch_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "gcheap",
	.fops = &gch_fops,
	.mode = 0666,
};

static int __init gch_init(void)
{
	int ret = gch_slab_init();

	if (ret)
		return ret;
	ret = gch_gc_init();
	if (ret)
		goto err_caches;
	gch_debugfs_init();
	ret = misc_register(&gch_misc);
	if (ret)
		goto err_gc;
	return 0;

err_gc:
	gch_debugfs_exit();
	gch_gc_exit();
err_caches:
	gch_slab_exit();
	return ret;
}

static void __exit gch_exit(void)
{
	misc_deregister(&gch_misc);
	gch_debugfs_exit();
	gch_gc_exit();
	gch_slab_exit();
}

module_init(gch_init);
module_exit(gch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gcheap: garbage-collected object heaps for user programs");
