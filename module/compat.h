/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels gcheap builds for (6.1 to 6.12)
 * lives here, and nowhere else.
 */
#ifndef GCHEAP_COMPAT_H
#define GCHEAP_COMPAT_H

#include <linux/slab.h>

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
 * only when CONFIG_KUNIT is set.  Up to 6.12 the namespace is named by an
 * identifier (6.13 made it a string: the place to change when gcheap
 * supports it).
 */
#include <kunit/visibility.h>
#define GCH_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)

#endif /* GCHEAP_COMPAT_H */
