/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * count_alloc.h - a struct smb_allocator for unit tests that counts live
 * allocations (so a test can assert nothing leaked) and can be told to
 * fail: fail_after allocations succeed, then every one fails (<0: never).
 *
 * Defines acct and tmem in the including test file.  Test code only;
 * include after cmocka.h and platform.h.
 */
#ifndef SMB_TEST_COUNT_ALLOC_H
#define SMB_TEST_COUNT_ALLOC_H

#include <stdlib.h>

struct counting_alloc {
	int live;
	int fail_after; /* <0: never fail */
};

static void *t_alloc(size_t size, void *ctx)
{
	struct counting_alloc *a = ctx;

	if (a->fail_after == 0)
		return NULL;
	if (a->fail_after > 0)
		a->fail_after--;
	a->live++;
	return calloc(1, size);
}

static void t_free(void *p, void *ctx)
{
	struct counting_alloc *a = ctx;

	a->live--;
	free(p);
}

static struct counting_alloc acct;
static const struct smb_allocator tmem = { .alloc = t_alloc,
					   .free = t_free,
					   .ctx = &acct };

#endif /* SMB_TEST_COUNT_ALLOC_H */
