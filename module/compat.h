/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels gcheap builds for (6.1 to 6.12)
 * lives here, and nowhere else.
 */
#ifndef GCHEAP_COMPAT_H
#define GCHEAP_COMPAT_H

#include <linux/slab.h>
#include <linux/version.h>

/*
 * SLAB_NO_MERGE (6.5+) keeps gcheap's caches its own.  Before it, the
 * usercopy whitelist gcheap's caches carry already prevents merging.
 */
#ifdef SLAB_NO_MERGE
#define GCH_SLAB_NO_MERGE	SLAB_NO_MERGE
#else
#define GCH_SLAB_NO_MERGE	0
#endif

/*
 * Internals the KUnit suites call are exported, in the KUnit namespace,
 * only when CONFIG_KUNIT is set.  The namespace argument of
 * MODULE_IMPORT_NS became a string in 6.13.
 */
#include <kunit/visibility.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define GCH_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define GCH_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#endif /* GCHEAP_COMPAT_H */
