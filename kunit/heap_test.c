// SPDX-License-Identifier: GPL-2.0
#include <kunit/test.h>

static void gch_placeholder_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1, 1);
}

static struct kunit_case gch_heap_cases[] = {
	KUNIT_CASE(gch_placeholder_test),
	{}
};

static struct kunit_suite gch_heap_suite = {
	.name = "gcheap_heap",
	.test_cases = gch_heap_cases,
};
kunit_test_suite(gch_heap_suite);
MODULE_LICENSE("GPL");
