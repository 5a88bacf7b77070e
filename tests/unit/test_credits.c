// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "internal.h"

static void test_initial_window(void **state)
{
	struct smb_credits c;

	smb_credits_init(&c);
	assert_false(smb_credits_consume(&c, 1, 1));
	assert_true(smb_credits_consume(&c, 0, 0));
	/* Reuse of a message id is refused. */
	assert_false(smb_credits_consume(&c, 0, 1));
	assert_int_equal(c.outstanding, 0);
}

static void test_grant_and_out_of_order(void **state)
{
	struct smb_credits c;

	smb_credits_init(&c);
	assert_true(smb_credits_consume(&c, 0, 1));
	assert_int_equal(smb_credits_grant(&c, 10, 1, 512), 10);
	/* ids 1..10 are valid, in any order, once each */
	assert_true(smb_credits_consume(&c, 5, 1));
	assert_true(smb_credits_consume(&c, 1, 1));
	assert_false(smb_credits_consume(&c, 5, 1));
	assert_true(smb_credits_consume(&c, 2, 3)); /* 2,3,4 */
	assert_int_equal(c.lo, 6);
	assert_false(smb_credits_consume(&c, 9, 3)); /* 11 not granted */
	assert_true(smb_credits_consume(&c, 6, 5)); /* 6..10 */
	assert_int_equal(c.lo, 11);
	assert_int_equal(c.outstanding, 0);
}

static void test_grant_limits(void **state)
{
	struct smb_credits c;

	smb_credits_init(&c);
	assert_true(smb_credits_consume(&c, 0, 1));
	assert_int_equal(smb_credits_grant(&c, 60000, 1, 512), 512);
	assert_int_equal(smb_credits_grant(&c, 10, 1, 512), 0);
	/* nothing outstanding: still one credit */
	smb_credits_init(&c);
	assert_true(smb_credits_consume(&c, 0, 1));
	assert_int_equal(smb_credits_grant(&c, 0, 0, 0), 1);
}

static void test_hostile_ids(void **state)
{
	struct smb_credits c;

	smb_credits_init(&c);
	assert_true(smb_credits_consume(&c, 0, 1));
	smb_credits_grant(&c, 100, 1, 8192);
	assert_false(smb_credits_consume(&c, UINT64_MAX, 1));
	assert_false(smb_credits_consume(&c, UINT64_MAX - 1, 65535));
	assert_false(smb_credits_consume(&c, 1, 65535));
	assert_false(smb_credits_consume(&c, 0, 1));
}

static void test_window_wraps(void **state)
{
	struct smb_credits c;
	u64 id = 1;

	smb_credits_init(&c);
	assert_true(smb_credits_consume(&c, 0, 1));
	smb_credits_grant(&c, 64, 1, 8192);
	/* Many rounds through the ring keep working. */
	for (int i = 0; i < 5000; i++) {
		assert_true(smb_credits_consume(&c, id, 4));
		id += 4;
		smb_credits_grant(&c, 4, 4, 8192);
	}
	assert_int_equal(c.lo, id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_window),
		cmocka_unit_test(test_grant_and_out_of_order),
		cmocka_unit_test(test_grant_limits),
		cmocka_unit_test(test_hostile_ids),
		cmocka_unit_test(test_window_wraps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
