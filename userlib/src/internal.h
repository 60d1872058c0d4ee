/* SPDX-License-Identifier: MIT */
/* libgcheap internals */
#ifndef GCHEAP_USERLIB_INTERNAL_H
#define GCHEAP_USERLIB_INTERNAL_H

#include "gcheap.h"

/* Exported: everything else is hidden (-fvisibility=hidden, libgcheap.map). */
#define GCH_API __attribute__((visibility("default")))

struct gch_heap {
	int fd;
	int id;
	int by_value;	/* the module has the by-value commands, and we are 64-bit */
};

int gch__ioctl(const struct gch_heap *h, unsigned long cmd, void *arg);

#endif
