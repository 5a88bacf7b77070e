// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/oplock.c, oplock half: grants (batch, exclusive, level
 * II), breaks across connections with the CREATE waiting async until the
 * acknowledgment, the acknowledgment rules of [MS-SMB2] 3.3.5.22.1, the
 * break timeout, breaks on write, and malformed OPLOCK_BREAK bodies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"
#include "oplock_client.h"

static void test_grant_alone_and_shared(void **state)
{
	struct o_two t;
	u8 fa[16], fb[16];

	o_two_new(state, &t);
	/* Alone: batch as asked; a directory never gets one. */
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	assert_int_equal(o_level(t.a), SMB2_OPLOCK_LEVEL_BATCH);
	assert_int_equal(h_close(t.a, fa), STATUS_SUCCESS);
	assert_int_equal(o_create(t.a, "", FILE_READ_ATTRIBUTES, H_SHARE_ALL,
				  FILE_OPEN, SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	assert_int_equal(o_level(t.a), SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(h_close(t.a, fa), STATUS_SUCCESS);
	/* Level II stays level II; exclusive next to it becomes II. */
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				  SMB2_OPLOCK_LEVEL_II, fa),
			 STATUS_SUCCESS);
	assert_int_equal(o_level(t.a), SMB2_OPLOCK_LEVEL_II);
	assert_int_equal(o_create(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				  SMB2_OPLOCK_LEVEL_EXCLUSIVE, fb),
			 STATUS_SUCCESS);
	assert_int_equal(o_level(t.b), SMB2_OPLOCK_LEVEL_II);
	/* Unknown levels grant nothing. */
	assert_int_equal(h_close(t.b, fb), STATUS_SUCCESS);
	assert_int_equal(o_create(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				  0x05, fb),
			 STATUS_SUCCESS);
	assert_int_equal(o_level(t.b), SMB2_OPLOCK_LEVEL_NONE);
	o_two_free(&t);
}

/* "oplocks = no" on the share: nothing is granted, a lease neither. */
static void test_share_without_oplocks(void **state)
{
	struct h_env *e = *state;
	struct o_two t;
	u8 fa[16];

	o_two_new(state, &t);
	e->srv->shares[0].cfg.no_oplocks = true;
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	assert_int_equal(o_level(t.a), SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(h_close(t.a, fa), STATUS_SUCCESS);
	e->srv->shares[0].cfg.no_oplocks = false;
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	assert_int_equal(o_level(t.a), SMB2_OPLOCK_LEVEL_BATCH);
	assert_int_equal(h_close(t.a, fa), STATUS_SUCCESS);
	o_two_free(&t);
}

static void test_batch_break_waits_for_ack(void **state)
{
	struct h_req r;
	struct o_two t;
	u8 fa[16], fb[16];
	u64 async_id;

	o_two_new(state, &t);
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	async_id = o_create_pending(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				    SMB2_OPLOCK_LEVEL_EXCLUSIVE);
	/* A was told to go down to level II. */
	assert_int_equal(o_break_notification(t.a, fa), SMB2_OPLOCK_LEVEL_II);
	assert_null(t.b->tc.head); /* B still waits */
	/* The acknowledgment answers A, then B's CREATE completes. */
	assert_int_equal(o_ack(t.a, fa, SMB2_OPLOCK_LEVEL_II), STATUS_SUCCESS);
	assert_int_equal(h_rbody(t.a)[2], SMB2_OPLOCK_LEVEL_II);
	assert_int_equal(o_create_final(t.b, async_id, fb), STATUS_SUCCESS);
	assert_int_equal(h_rbody(t.b)[2], SMB2_OPLOCK_LEVEL_II);
	/* A second acknowledgment: level II is never acknowledged. */
	assert_int_equal(o_ack(t.a, fa, SMB2_OPLOCK_LEVEL_NONE),
			 STATUS_INVALID_OPLOCK_PROTOCOL);
	/* B's write breaks B's own level II ("self break") first, ... */
	h_build_write(t.b, &r, fb, "x", 1, 0);
	assert_int_equal(h_send(t.b, &r), 0);
	assert_int_equal(o_break_notification(t.b, fb), SMB2_OPLOCK_LEVEL_NONE);
	assert_non_null(h_recv(t.b));
	assert_int_equal(h_rstatus(t.b), STATUS_SUCCESS);
	/* ... and A's, to none, unacknowledged. */
	assert_int_equal(o_break_notification(t.a, fa), SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(o_ack(t.a, fa, SMB2_OPLOCK_LEVEL_NONE),
			 STATUS_INVALID_OPLOCK_PROTOCOL);
	o_two_free(&t);
}

static void test_share_conflict(void **state)
{
	struct o_two t;
	u8 fa[16], fb[16];
	u64 async_id;

	o_two_new(state, &t);
	/* Exclusive, not batch: a conflicting open fails without a break. */
	assert_int_equal(o_create(t.a, "f.dat", H_RW, 0, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_EXCLUSIVE, fa),
			 STATUS_SUCCESS);
	assert_int_equal(o_create(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				  SMB2_OPLOCK_LEVEL_NONE, fb),
			 STATUS_SHARING_VIOLATION);
	assert_null(t.a->tc.head);
	assert_int_equal(h_close(t.a, fa), STATUS_SUCCESS);
	/* Batch: broken first; closing it in answer lets the open in. */
	assert_int_equal(o_create(t.a, "f.dat", H_RW, 0, FILE_OPEN,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	async_id = o_create_pending(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				    SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(o_break_notification(t.a, fa), SMB2_OPLOCK_LEVEL_II);
	assert_int_equal(h_close(t.a, fa), STATUS_SUCCESS);
	assert_int_equal(o_create_final(t.b, async_id, fb), STATUS_SUCCESS);
	o_two_free(&t);
}

static void test_ack_rules(void **state)
{
	struct o_two t;
	u8 fa[16], fb[16];
	u64 async_id;

	o_two_new(state, &t);
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_EXCLUSIVE, fa),
			 STATUS_SUCCESS);
	/* Overwriting breaks to none; an ack of II is a protocol error. */
	async_id = o_create_pending(t.b, "f.dat", H_RW, H_SHARE_ALL,
				    FILE_OVERWRITE, SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(o_break_notification(t.a, fa), SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(o_ack(t.a, fa, SMB2_OPLOCK_LEVEL_II),
			 STATUS_INVALID_OPLOCK_PROTOCOL);
	assert_int_equal(o_create_final(t.b, async_id, fb), STATUS_SUCCESS);
	assert_int_equal(h_close(t.b, fb), STATUS_SUCCESS);
	assert_int_equal(h_close(t.a, fa), STATUS_SUCCESS);
	/* The LEASE level in an oplock ack is invalid. */
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	async_id = o_create_pending(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				    SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(o_break_notification(t.a, fa), SMB2_OPLOCK_LEVEL_II);
	assert_int_equal(o_ack(t.a, fa, SMB2_OPLOCK_LEVEL_LEASE),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(o_create_final(t.b, async_id, fb), STATUS_SUCCESS);
	o_two_free(&t);
}

static void test_break_timeout(void **state)
{
	struct h_env *e = *state;
	struct o_two t;
	u8 fa[16], fb[16];
	u64 async_id;

	o_two_new(state, &t);
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	async_id = o_create_pending(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				    SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(o_break_notification(t.a, fa), SMB2_OPLOCK_LEVEL_II);
	smb_server_tick(e->srv);
	assert_null(t.b->tc.head); /* not yet */
	h_advance_ms(e, SMB_OPLOCK_BREAK_TIMEOUT_MS + 1000);
	smb_server_tick(e->srv);
	assert_int_equal(o_create_final(t.b, async_id, fb), STATUS_SUCCESS);
	/* The server broke A to none on its own. */
	assert_int_equal(o_ack(t.a, fa, SMB2_OPLOCK_LEVEL_NONE),
			 STATUS_INVALID_OPLOCK_PROTOCOL);
	o_two_free(&t);
}

static void test_cancel_and_disconnect_while_waiting(void **state)
{
	struct o_two t;
	u8 fa[16];
	struct h_req r;
	u64 async_id;

	o_two_new(state, &t);
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	async_id = o_create_pending(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				    SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(o_break_notification(t.a, fa), SMB2_OPLOCK_LEVEL_II);
	/* CANCEL by AsyncId answers the CREATE with STATUS_CANCELLED. */
	h_req_init(t.b, &r, SMB2_CANCEL);
	h_req_flags(&r, SMB2_FLAGS_ASYNC_COMMAND);
	h_set64(&r, SMB2_HDR_ASYNC_ID, async_id);
	h_put16(&r, 4);
	h_put16(&r, 0);
	assert_int_equal(h_send(t.b, &r), 0);
	assert_int_equal(o_create_final(t.b, async_id, NULL), STATUS_CANCELLED);
	/* Another waiter, then B goes away: the ack finds nobody to wake. */
	o_create_pending(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
			 SMB2_OPLOCK_LEVEL_NONE);
	smb_conn_free(t.b->conn);
	t.b->conn = NULL;
	assert_int_equal(o_ack(t.a, fa, SMB2_OPLOCK_LEVEL_NONE),
			 STATUS_SUCCESS);
	o_two_free(&t);
}

static void test_compound_does_not_wait(void **state)
{
	struct h_req reqs[2];
	struct o_two t;
	u8 fa[16];

	o_two_new(state, &t);
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	/* The breaking CREATE is not the last of its chain: no waiting. */
	o_build_create(t.b, &reqs[0], "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
		       SMB2_OPLOCK_LEVEL_BATCH, NULL, 0);
	o_build_create(t.b, &reqs[1], "g.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
		       SMB2_OPLOCK_LEVEL_NONE, NULL, 0);
	assert_int_equal(h_send_chain(t.b, reqs, 2), 0);
	assert_int_equal(o_break_notification(t.a, fa), SMB2_OPLOCK_LEVEL_II);
	assert_non_null(h_recv(t.b));
	assert_int_equal(h_nelems(t.b->last), 2);
	assert_int_equal(h_rstatus(t.b), STATUS_SUCCESS);
	assert_int_equal(o_level(t.b), SMB2_OPLOCK_LEVEL_II);
	/* A acknowledges later, as usual. */
	assert_int_equal(o_ack(t.a, fa, SMB2_OPLOCK_LEVEL_II), STATUS_SUCCESS);
	o_two_free(&t);
}

static void test_malformed_acks(void **state)
{
	struct o_two t;
	struct h_req r;
	u8 fa[16], bad[16];

	o_two_new(state, &t);
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN_IF,
				  SMB2_OPLOCK_LEVEL_BATCH, fa),
			 STATUS_SUCCESS);
	/* Wrong StructureSize, truncated bodies. */
	o_build_ack(t.a, &r, fa, 0);
	h_set16(&r, H_BODY, 25);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	o_build_ack(t.a, &r, fa, 0);
	r.len -= 1;
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	h_req_init(t.a, &r, SMB2_OPLOCK_BREAK);
	h_put8(&r, 24);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	/* A 36-byte (lease) size with a 24-byte body. */
	o_build_ack(t.a, &r, fa, 0);
	h_set16(&r, H_BODY, 36);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	/* Unknown handle; a handle with no break in progress. */
	memcpy(bad, fa, 16);
	bad[8] ^= 0x40;
	assert_int_equal(o_ack(t.a, bad, 0), STATUS_FILE_CLOSED);
	assert_int_equal(o_ack(t.a, fa, 0), STATUS_INVALID_DEVICE_STATE);
	o_two_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_share_without_oplocks,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_grant_alone_and_shared,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_batch_break_waits_for_ack,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_share_conflict, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_ack_rules, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_break_timeout, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(
			test_cancel_and_disconnect_while_waiting, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(test_compound_does_not_wait,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_acks, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
