// SPDX-License-Identifier: GPL-2.0
/* placeholder: replaced by the heap implementation */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>

static const struct file_operations gch_fops = {
	.owner = THIS_MODULE,
};

static struct miscdevice gch_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "gcheap",
	.fops = &gch_fops,
	.mode = 0666,
};

module_misc_device(gch_misc);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gcheap: garbage-collected object heaps");
