// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/async.c: interim responses (STATUS_PENDING, AsyncId,
 * credits, unsigned), final responses (same AsyncId, no credits, signed),
 * SMB2 CANCEL in both forms, completion by close, tree disconnect, logoff
 * and connection loss, async requests inside compounds, and completion
 * from another connection's thread racing a CANCEL or a disconnect.
 * Blocking byte-range locks (core/lock.c) are the asynchronous request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>

#include "platform.h"
#include "smb_harness.h"
#include "lock_client.h"

/* Two clients on f.dat; a holds an exclusive lock on bytes 0-9. */
static void two_open(void **state, struct l_two *t)
{
	l_two_open(state, t, SMB2_DIALECT_0311);
	assert_int_equal(l_lock(t->a, t->fa, 0, 10, L_EX), STATUS_SUCCESS);
}

static void send_cancel(struct h_client *c, u64 mid, u64 async_id)
{
	struct h_req r;

	h_build_small(c, &r, SMB2_CANCEL);
	c->mid--; /* CANCEL reuses the id of what it cancels */
	h_set64(&r, SMB2_HDR_MESSAGE_ID, mid);
	if (async_id) {
		h_req_flags(&r, SMB2_FLAGS_ASYNC_COMMAND);
		h_set64(&r, SMB2_HDR_ASYNC_ID, async_id);
	}
	assert_int_equal(h_send(c, &r), 0);
}

/*
 * Send r, which ends the wait of async request id: its final response
 * (final_status) comes first, then r's own successful response.
 */
static void send_ending(struct h_client *c, struct h_req *r, u64 id,
			u32 final_status)
{
	u16 cmd = smb_get_le16(r->p + SMB2_HDR_COMMAND);

	assert_int_equal(h_send(c, r), 0);
	assert_int_equal(l_final(c, id), final_status);
	assert_true(smb_get_le32(h_rhdr(c) + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_SIGNED);
	assert_non_null(h_recv(c));
	assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_COMMAND), cmd);
	assert_int_equal(h_rstatus(c), STATUS_SUCCESS);
}

static void test_interim_then_final_from_other_conn(void **state)
{
	struct l_two t;
	u64 mid, id;
	u8 *h;

	two_open(state, &t);
	id = l_lock_pending(t.b, t.fb, 5, 1, L_SH, &mid);
	assert_int_equal(smb_get_le64(h_rhdr(t.b) + SMB2_HDR_MESSAGE_ID), mid);
	/* The unlock on a's connection grants b's lock and answers it. */
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_UN), STATUS_SUCCESS);
	assert_int_equal(l_final(t.b, id), STATUS_SUCCESS);
	h = h_rhdr(t.b);
	assert_int_equal(smb_get_le64(h + SMB2_HDR_MESSAGE_ID), mid);
	assert_true(smb_get_le32(h + SMB2_HDR_FLAGS) & SMB2_FLAGS_SIGNED);
	assert_int_equal(smb_get_le16(h_rbody(t.b)), 4);
	assert_null(t.b->tc.head);
	/* b holds it now. */
	assert_int_equal(l_lock(t.a, t.fa, 5, 1, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(l_lock(t.b, t.fb, 5, 1, L_UN), STATUS_SUCCESS);
	/* Ids are not reused. */
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_EX), STATUS_SUCCESS);
	assert_true(l_lock_pending(t.b, t.fb, 0, 1, L_EX, NULL) != id);
	l_two_free(&t);
}

static void test_cancel_forms(void **state)
{
	struct l_two t;
	u64 mid, id;

	two_open(state, &t);
	/* Async form: by AsyncId. */
	id = l_lock_pending(t.b, t.fb, 0, 1, L_EX, &mid);
	send_cancel(t.b, 0, id);
	assert_int_equal(l_final(t.b, id), STATUS_CANCELLED);
	assert_null(t.b->tc.head);
	/* Sync form: by MessageId. */
	id = l_lock_pending(t.b, t.fb, 0, 1, L_EX, &mid);
	send_cancel(t.b, mid, 0);
	assert_int_equal(l_final(t.b, id), STATUS_CANCELLED);
	/* Nothing matches: no answer at all. */
	send_cancel(t.b, mid, 0);
	send_cancel(t.b, 0, id);
	send_cancel(t.b, 0, 0x1234567);
	assert_null(t.b->tc.head);
	/* The cancelled waiters are gone: releasing answers nobody. */
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_UN), STATUS_SUCCESS);
	assert_null(t.b->tc.head);
	assert_int_equal(l_lock(t.b, t.fb, 0, 1, L_EX | L_FI), STATUS_SUCCESS);
	l_two_free(&t);
}

static void test_close_completes(void **state)
{
	struct l_two t;
	struct h_req r;
	u64 id;

	two_open(state, &t);
	/* Closing the waiting handle: RANGE_NOT_LOCKED, before the CLOSE. */
	id = l_lock_pending(t.b, t.fb, 0, 1, L_EX, NULL);
	h_build_fid_req(t.b, &r, SMB2_CLOSE, 0, t.fb);
	send_ending(t.b, &r, id, STATUS_RANGE_NOT_LOCKED);
	/* Closing the holder's handle grants the waiter. */
	h_open_rw(t.b, "f.dat", FILE_OPEN, t.fb);
	id = l_lock_pending(t.b, t.fb, 2, 3, L_EX, NULL);
	assert_int_equal(h_close(t.a, t.fa), STATUS_SUCCESS);
	assert_int_equal(l_final(t.b, id), STATUS_SUCCESS);
	l_two_free(&t);
}

static void test_tdis_logoff_disconnect(void **state)
{
	struct l_two t;
	struct h_req r;
	u64 id;

	two_open(state, &t);
	/* Tree disconnect closes the waiting handle: answered first. */
	id = l_lock_pending(t.b, t.fb, 0, 1, L_EX, NULL);
	h_build_small(t.b, &r, SMB2_TREE_DISCONNECT);
	send_ending(t.b, &r, id, STATUS_RANGE_NOT_LOCKED);
	/* Logoff likewise, the final response still signed. */
	assert_int_equal(h_tree_connect(t.b, "share"), STATUS_SUCCESS);
	h_open_rw(t.b, "f.dat", FILE_OPEN, t.fb);
	id = l_lock_pending(t.b, t.fb, 0, 1, L_EX, NULL);
	h_build_small(t.b, &r, SMB2_LOGOFF);
	send_ending(t.b, &r, id, STATUS_RANGE_NOT_LOCKED);
	/* A connection that goes away with a request pending. */
	h_client_free(t.b);
	t.b = h_client_new(*state);
	h_connect(t.b, SMB2_DIALECT_0300, "share");
	h_open_rw(t.b, "f.dat", FILE_OPEN, t.fb);
	l_lock_pending(t.b, t.fb, 0, 1, L_EX, NULL);
	h_client_free(t.b);
	t.b = NULL;
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_UN), STATUS_SUCCESS);
	l_two_free(&t);
}

static void test_compound(void **state)
{
	struct l_two t;
	struct l_el el = { 0, 1, L_EX };
	struct h_req rs[2];
	u8 *e;

	two_open(state, &t);
	/* Last element goes async: the others first, then the interim. */
	h_build_small(t.b, &rs[0], SMB2_ECHO);
	l_build(t.b, &rs[1], t.fb, &el, 1, 1);
	assert_int_equal(h_send_chain(t.b, rs, 2), 0);
	assert_non_null(h_recv(t.b));
	assert_int_equal(h_nelems(t.b->last), 1);
	assert_int_equal(smb_get_le16(h_rhdr(t.b) + SMB2_HDR_COMMAND),
			 SMB2_ECHO);
	assert_non_null(h_recv(t.b));
	assert_int_equal(h_rstatus(t.b), STATUS_PENDING);
	assert_null(t.b->tc.head);
	send_cancel(t.b, 0, smb_get_le64(h_rhdr(t.b) + SMB2_HDR_ASYNC_ID));
	assert_non_null(h_recv(t.b));
	assert_int_equal(h_rstatus(t.b), STATUS_CANCELLED);
	/* In the middle it cannot: STATUS_INTERNAL_ERROR, as Windows. */
	l_build(t.b, &rs[0], t.fb, &el, 1, 1);
	h_build_small(t.b, &rs[1], SMB2_ECHO);
	assert_int_equal(h_send_chain(t.b, rs, 2), 0);
	assert_non_null(h_recv(t.b));
	assert_int_equal(h_nelems(t.b->last), 2);
	assert_int_equal(h_rstatus(t.b), STATUS_INTERNAL_ERROR);
	e = h_elem(t.b->last, 1, NULL);
	assert_int_equal(h_status_of(e), STATUS_SUCCESS);
	assert_null(t.b->tc.head);
	l_two_free(&t);
}

/* ---- completion from another thread ----------------------------------- */
static pthread_mutex_t send_mutex = PTHREAD_MUTEX_INITIALIZER;

static int locked_send(struct smb_tconn *c, const struct smb_iov *iov, int niov)
{
	int rc;

	pthread_mutex_lock(&send_mutex);
	rc = h_send_pdu(c, iov, niov);
	pthread_mutex_unlock(&send_mutex);
	return rc;
}

static struct smb_transport_ops threaded_transport;

/* A client whose transport may be sent on from any thread. */
static struct h_client *threaded_client(struct h_env *e)
{
	struct h_client *c = h_client_new(e);

	threaded_transport = h_transport;
	threaded_transport.send_pdu = locked_send;
	smb_conn_free(c->conn);
	c->conn = smb_conn_new(e->srv, &threaded_transport, &c->tc);
	assert_non_null(c->conn);
	return c;
}

static void *unlock_thread(void *arg)
{
	struct l_two *t = arg;

	assert_int_equal(l_lock(t->a, t->fa, 0, 10, L_UN), STATUS_SUCCESS);
	return NULL;
}

static void test_race_cancel_and_disconnect(void **state)
{
	struct l_two t;

	two_open(state, &t);
	h_client_free(t.b);
	t.b = threaded_client(*state);
	h_connect(t.b, SMB2_DIALECT_0311, "share");
	h_open_rw(t.b, "f.dat", FILE_OPEN, t.fb);
	for (int i = 0; i < 200; i++) {
		pthread_t th;
		u64 id = l_lock_pending(t.b, t.fb, 3, 1, L_EX, NULL);
		u32 st;

		/* a's thread grants while b's thread cancels. */
		assert_int_equal(pthread_create(&th, NULL, unlock_thread, &t),
				 0);
		send_cancel(t.b, 0, id);
		assert_int_equal(pthread_join(th, NULL), 0);
		st = l_final(t.b, id);
		assert_true(st == STATUS_SUCCESS || st == STATUS_CANCELLED);
		assert_null(t.b->tc.head);
		if (st == STATUS_SUCCESS)
			assert_int_equal(l_lock(t.b, t.fb, 3, 1, L_UN),
					 STATUS_SUCCESS);
		assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_EX),
				 STATUS_SUCCESS);
	}
	/* a's thread grants while b's connection is freed. */
	for (int i = 0; i < 50; i++) {
		pthread_t th;

		l_lock_pending(t.b, t.fb, 3, 1, L_EX, NULL);
		assert_int_equal(pthread_create(&th, NULL, unlock_thread, &t),
				 0);
		h_client_free(t.b);
		assert_int_equal(pthread_join(th, NULL), 0);
		assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_EX | L_FI),
				 STATUS_SUCCESS);
		t.b = threaded_client(*state);
		h_connect(t.b, SMB2_DIALECT_0311, "share");
		h_open_rw(t.b, "f.dat", FILE_OPEN, t.fb);
	}
	l_two_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_interim_then_final_from_other_conn, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_forms, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_close_completes, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_tdis_logoff_disconnect,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_compound, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_race_cancel_and_disconnect,
						h_setup, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
