// SPDX-License-Identifier: GPL-2.0
/*
 * A program built against an installed libgcheap (pkg-config): a cycle,
 * collected.  Prints "hello gcheap: collected 2" and exits 0.
 */
#include <stdio.h>

#include <gcheap.h>

int main(void)
{
	struct gch_heap *h = gch_open(NULL);
	gch_ref_t a, b;
	int found;

	if (!h || gch_alloc(h, 1, 0, &a) || gch_alloc(h, 1, 0, &b) ||
	    gch_set_slot(h, a, 0, b) || gch_set_slot(h, b, 0, a))
		return 1;
	gch_decref(h, a);
	gch_decref(h, b);
	found = gch_collect(h, 2);
	printf("hello gcheap: collected %d\n", found);
	gch_close(h);
	return found == 2 ? 0 : 1;
}
