// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/timer.c: ordering, the returned wait, cancel, re-arming
 * (also from inside a firing timer) and far-future deadlines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"
#include "timer.h"

static u64 fake_now;
static int fired[8], nfired;

static u64 fake_ms(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void record(struct smb_timer *t)
{
	fired[nfired++] = (int)(uintptr_t)t->priv;
}

static struct smb_server *timer_server(void **state)
{
	struct h_env *e = *state;

	e->srv->ops.clock.monotonic_ms = fake_ms;
	fake_now = 1000;
	nfired = 0;
	return e->srv;
}

static void test_order_wait_cancel(void **state)
{
	struct smb_server *srv = timer_server(state);
	struct smb_timer t[3] = { { .priv = (void *)1 },
				  { .priv = (void *)2 },
				  { .priv = (void *)3 } };

	assert_true(smb_server_tick(srv) == U64_MAX);
	smb_timer_arm(srv, &t[0], 50, record);
	smb_timer_arm(srv, &t[1], 10, record);
	smb_timer_arm(srv, &t[2], 30, record);
	fake_now = 1005;
	assert_int_equal(smb_server_tick(srv), 5);
	assert_int_equal(nfired, 0);
	fake_now = 1030;
	assert_int_equal(smb_server_tick(srv), 20);
	assert_int_equal(nfired, 2);
	assert_int_equal(fired[0], 2);
	assert_int_equal(fired[1], 3);
	assert_false(smb_timer_cancel(srv, &t[1])); /* already fired */
	assert_true(smb_timer_cancel(srv, &t[0]));
	assert_false(smb_timer_cancel(srv, &t[0]));
	fake_now = 2000;
	assert_true(smb_server_tick(srv) == U64_MAX);
	assert_int_equal(nfired, 2);
}

static void test_rearm(void **state)
{
	struct smb_server *srv = timer_server(state);
	struct smb_timer t = { .priv = (void *)7 }, far = { .priv = NULL };

	smb_timer_arm(srv, &t, 10, record);
	smb_timer_arm(srv, &t, 100, record); /* moves, does not duplicate */
	/* A deadline past the clock's range stays pending. */
	smb_timer_arm(srv, &far, U64_MAX, record);
	fake_now = 1050;
	assert_int_equal(smb_server_tick(srv), 50);
	fake_now = 1100;
	smb_server_tick(srv);
	assert_int_equal(nfired, 1);
	assert_int_equal(fired[0], 7);
	assert_true(smb_timer_cancel(srv, &far));
}

static void periodic(struct smb_timer *t)
{
	struct smb_server *srv = t->priv;

	fired[nfired++] = 9;
	if (nfired < 3)
		smb_timer_arm(srv, t, 0, periodic); /* due again at once */
}

static void test_arm_from_fire(void **state)
{
	struct smb_server *srv = timer_server(state);
	struct smb_timer t = { .priv = srv };

	smb_timer_arm(srv, &t, 1, periodic);
	fake_now = 1001;
	/* Re-armed with no delay: due, but for the next tick. */
	assert_int_equal(smb_server_tick(srv), 0);
	assert_int_equal(nfired, 1);
	assert_int_equal(smb_server_tick(srv), 0);
	assert_true(smb_server_tick(srv) == U64_MAX);
	assert_int_equal(nfired, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_wait_cancel, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_rearm, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_arm_from_fire, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
