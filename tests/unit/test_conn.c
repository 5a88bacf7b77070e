// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/conn.c: PDU and header checks, compound chains, related
 * operations, the credit window, session/tree lookup and response signing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

static struct h_client *ready(void **state, u16 dialect)
{
	struct h_client *c = h_client_new(*state);

	h_connect(c, dialect, "share");
	return c;
}

static void test_short_and_foreign_pdus(void **state)
{
	static const u8 transform[64] = { 0xfd, 'S', 'M', 'B' };
	static const u8 compressed[64] = { 0xfc, 'S', 'M', 'B' };
	static const u8 junk[64] = { 'G', 'E', 'T', ' ' };
	struct h_client *c = h_client_new(*state);
	u8 neg[128];
	struct h_req r;
	u16 d = SMB2_DIALECT_0300;
	struct h_neg n = { &d, 1, NULL, 0, false, false };

	for (size_t len = 0; len < 64; len++) {
		h_build_negotiate(c, &r, &n);
		memcpy(neg, r.p, r.len);
		h_req_free(&r);
		c->mid = 0;
		assert_true(h_send_raw(c, neg, len) < 0);
	}
	assert_true(h_send_raw(c, transform, 64) < 0);
	assert_true(h_send_raw(c, compressed, 64) < 0);
	assert_true(h_send_raw(c, junk, 64) < 0);
	/* A header whose StructureSize is not 64. */
	h_build_negotiate(c, &r, &n);
	h_set16(&r, SMB2_HDR_STRUCT_SIZE, 65);
	h_call_drop(c, &r);
	assert_null(c->tc.head);
	h_client_free(c);
}

static void test_header_after_negotiate(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	struct h_req r;

	/* A request claiming to be a response. */
	h_build_small(c, &r, SMB2_ECHO);
	h_req_flags(&r, SMB2_FLAGS_SERVER_TO_REDIR);
	h_call_drop(c, &r);
	h_client_free(c);

	/* A truncated second header in a chain. */
	c = ready(state, SMB2_DIALECT_0311);
	{
		struct h_req rs[2];

		h_build_small(c, &rs[0], SMB2_ECHO);
		h_build_small(c, &rs[1], SMB2_ECHO);
		rs[1].len = 40;
		c->sign = false;
		assert_true(h_send_chain(c, rs, 2) < 0);
	}
	h_client_free(c);
}

static void test_unknown_command(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0302);
	struct h_req r;

	h_build_small(c, &r, SMB2_COMMAND_COUNT);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_small(c, &r, 0xffff);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* A truncated LOCK, CHANGE_NOTIFY and OPLOCK_BREAK are answered. */
	h_build_small(c, &r, SMB2_LOCK);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_small(c, &r, SMB2_CHANGE_NOTIFY);
	assert_int_equal(h_call(c, &r), STATUS_NOT_SUPPORTED);
	h_build_small(c, &r, SMB2_OPLOCK_BREAK);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_client_free(c);
}

/* Response header: ids echoed, credits granted ([MS-SMB2] 3.3.4.1). */
static void test_response_header(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	struct h_req r;
	const u8 *h;

	c->credit_request = 5;
	h_build_small(c, &r, SMB2_ECHO);
	h_set32(&r, SMB2_HDR_PROCESS_ID, 0x4242);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	h = h_rhdr(c);
	assert_int_equal(smb_get_le16(h + SMB2_HDR_STRUCT_SIZE), 64);
	assert_int_equal(smb_get_le16(h + SMB2_HDR_COMMAND), SMB2_ECHO);
	assert_int_equal(smb_get_le64(h + SMB2_HDR_MESSAGE_ID), c->mid - 1);
	assert_int_equal(smb_get_le32(h + SMB2_HDR_PROCESS_ID), 0x4242);
	assert_int_equal(smb_get_le64(h + SMB2_HDR_SESSION_ID), c->s.id);
	assert_int_equal(smb_get_le32(h + SMB2_HDR_TREE_ID), c->tid);
	assert_int_equal(smb_get_le16(h + SMB2_HDR_CREDIT), 5);
	assert_int_equal(smb_get_le32(h + SMB2_HDR_NEXT_COMMAND), 0);
	h_client_free(c);
}

static void test_message_ids(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	struct h_req r;
	u64 mid;

	/* Reusing an id drops the connection. */
	c->mid--;
	h_build_small(c, &r, SMB2_ECHO);
	h_call_drop(c, &r);
	h_client_free(c);

	/* Skipping ahead inside the window is fine, out of it is not. */
	c = ready(state, SMB2_DIALECT_0311);
	mid = c->mid;
	c->mid = mid + 5;
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	c->mid = mid; /* the ids skipped are still usable */
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	c->mid = 100000;
	h_build_small(c, &r, SMB2_ECHO);
	h_call_drop(c, &r);
	h_client_free(c);

	/* Ids near U64_MAX must not wrap around the window check. */
	c = ready(state, SMB2_DIALECT_0311);
	c->mid = U64_MAX;
	h_build_small(c, &r, SMB2_ECHO);
	h_call_drop(c, &r);
	h_client_free(c);

	/* A charge reaching past the granted credits. */
	c = ready(state, SMB2_DIALECT_0311);
	h_build_small(c, &r, SMB2_ECHO);
	h_req_charge(c, &r, 2000);
	h_call_drop(c, &r);
	h_client_free(c);
}

/* The server never grants more than max_credits outstanding. */
static void test_credit_grants(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;
	u32 total = 1;

	e->cfg.max_credits = 8;
	h_env_start(e);
	c = h_client_new(e);
	c->credit_request = 100;
	h_negotiate(c, SMB2_DIALECT_0300, 0);
	total = total - 1 + smb_get_le16(h_rhdr(c) + SMB2_HDR_CREDIT);
	assert_int_equal(total, 8);
	/* Spend them all: each response gives one back at most. */
	for (int i = 0; i < 20; i++) {
		u16 g;

		assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
		g = smb_get_le16(h_rhdr(c) + SMB2_HDR_CREDIT);
		assert_int_equal(g, 1);
	}
	/* Asking for 0 still gets 1 when the client would have none. */
	c->credit_request = 0;
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	assert_true(smb_get_le16(h_rhdr(c) + SMB2_HDR_CREDIT) >= 1);
	h_client_free(c);
}

/* [MS-SMB2] 3.3.5.2.5: the charge must cover a large payload. */
static void test_credit_charge_large_read(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	static u8 data[200000];
	u8 fid[16] = { 0 };
	struct h_req r;

	h_open_rw(c, "big", FILE_CREATE, fid);
	assert_int_equal(h_write(c, fid, data, sizeof(data), 0),
			 STATUS_SUCCESS);
	h_build_read(c, &r, fid, 131072, 0, 0);
	h_set16(&r, SMB2_HDR_CREDIT_CHARGE, 1);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* A WRITE of 200000 bytes needs 4. */
	h_build_write(c, &r, fid, data, sizeof(data), 0);
	h_set16(&r, SMB2_HDR_CREDIT_CHARGE, 3);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* With the right charge they work. */
	assert_int_equal(h_read(c, fid, 131072, 0, NULL, NULL), STATUS_SUCCESS);
	assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_CREDIT_CHARGE), 2);
	h_client_free(c);
}

static void test_unknown_session_and_tree(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0300);
	u8 fid[16] = { 0 };
	u64 sid = c->s.id;
	u32 tid = c->tid;

	c->sign = false;
	c->tid = tid + 7;
	assert_int_equal(h_create(c, "x", FILE_READ_DATA, 0, FILE_OPEN_IF, 0,
				  fid),
			 STATUS_NETWORK_NAME_DELETED);
	c->tid = tid;
	c->s.id = sid + 1000;
	assert_int_equal(h_create(c, "x", FILE_READ_DATA, 0, FILE_OPEN_IF, 0,
				  fid),
			 STATUS_USER_SESSION_DELETED);
	c->s.id = 0;
	assert_int_equal(h_tree_connect(c, "share"),
			 STATUS_USER_SESSION_DELETED);
	h_client_free(c);
}

static void test_cancel_has_no_response(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	struct h_req r;

	h_build_small(c, &r, SMB2_CANCEL);
	assert_int_equal(h_send(c, &r), 0);
	assert_null(c->tc.head);
	assert_int_equal(c->tc.sent, 4); /* neg, 2 x session, tree */
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_unrelated_compound(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	struct h_req r[3];
	size_t len;
	u8 *e;

	h_build_small(c, &r[0], SMB2_ECHO);
	h_build_tree_connect(c, &r[1], "ro");
	h_build_small(c, &r[2], SMB2_ECHO);
	assert_int_equal(h_send_chain(c, r, 3), 0);
	assert_non_null(h_recv(c));
	assert_int_equal(h_nelems(c->last), 3);
	for (int i = 0; i < 3; i++) {
		e = h_elem(c->last, i, &len);
		assert_int_equal(h_status_of(e), STATUS_SUCCESS);
		assert_true(smb_get_le32(e + SMB2_HDR_FLAGS) &
			    SMB2_FLAGS_SIGNED);
		if (i < 2)
			assert_int_equal(len & 7, 0);
	}
	e = h_elem(c->last, 1, &len);
	assert_int_equal(smb_get_le16(e + SMB2_HDR_COMMAND), SMB2_TREE_CONNECT);
	assert_int_equal(smb_get_le32(e + SMB2_HDR_TREE_ID), 2);
	assert_int_equal(c->bad_signatures, 0);
	h_client_free(c);
}

static void test_bad_next_command(void **state)
{
	static const u32 bad[] = { 8, 63, 65, 68, 0xfffffff8u };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct h_client *c = ready(state, SMB2_DIALECT_0311);
		struct h_req r[2];

		h_build_small(c, &r[0], SMB2_ECHO);
		h_build_small(c, &r[1], SMB2_ECHO);
		c->sign = false;
		assert_int_equal(h_send_chain(c, r, 2), 0);
		h_recv(c);
		/* Rebuild by hand with a broken NextCommand. */
		h_build_small(c, &r[0], SMB2_ECHO);
		h_pad8(&r[0]);
		h_set32(&r[0], SMB2_HDR_NEXT_COMMAND, bad[i]);
		h_build_small(c, &r[1], SMB2_ECHO);
		h_put(&r[0], r[1].p, r[1].len);
		h_req_free(&r[1]);
		assert_true(h_send_raw(c, r[0].p, r[0].len) < 0);
		assert_null(c->tc.head);
		h_req_free(&r[0]);
		h_client_free(c);
	}
	/* Past the end: the next command would start beyond the PDU. */
	{
		struct h_client *c = ready(state, SMB2_DIALECT_0311);
		struct h_req r;

		h_build_small(c, &r, SMB2_ECHO);
		h_pad8(&r);
		h_set32(&r, SMB2_HDR_NEXT_COMMAND, (u32)r.len + 8);
		c->sign = false;
		h_call_drop(c, &r);
		h_client_free(c);
	}
}

static void test_too_many_in_chain(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	struct h_req r[65];

	for (int i = 0; i < 65; i++)
		h_build_small(c, &r[i], SMB2_ECHO);
	assert_true(h_send_chain(c, r, 65) < 0);
	h_client_free(c);

	c = ready(state, SMB2_DIALECT_0311);
	for (int i = 0; i < 64; i++)
		h_build_small(c, &r[i], SMB2_ECHO);
	assert_int_equal(h_send_chain(c, r, 64), 0);
	assert_non_null(h_recv(c));
	assert_int_equal(h_nelems(c->last), 64);
	h_client_free(c);
}

static void test_first_related(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	struct h_req r;

	h_build_small(c, &r, SMB2_ECHO);
	h_req_flags(&r, SMB2_FLAGS_RELATED_OPERATIONS);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* Its message id was spent. */
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	h_client_free(c);
}

/* CREATE + WRITE + READ + CLOSE, the last three on the related FileId. */
static void test_related_create_write_read_close(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	struct h_create cr = { "rel.txt",
			       H_RW,
			       H_SHARE_ALL,
			       FILE_CREATE,
			       FILE_NON_DIRECTORY_FILE,
			       0,
			       NULL,
			       0 };
	struct h_req r[4];
	size_t len;
	u8 *e;

	h_build_create(c, &r[0], &cr);
	h_build_write(c, &r[1], h_fid_none, "hello", 5, 0);
	h_build_read(c, &r[2], h_fid_none, 5, 0, 0);
	h_build_fid_req(c, &r[3], SMB2_CLOSE, 0, h_fid_none);
	for (int i = 1; i < 4; i++) {
		h_req_flags(&r[i], SMB2_FLAGS_RELATED_OPERATIONS);
		h_set64(&r[i], SMB2_HDR_SESSION_ID, U64_MAX);
		h_set32(&r[i], SMB2_HDR_TREE_ID, U32_MAX);
	}
	assert_int_equal(h_send_chain(c, r, 4), 0);
	assert_non_null(h_recv(c));
	assert_int_equal(h_nelems(c->last), 4);
	for (int i = 0; i < 4; i++) {
		e = h_elem(c->last, i, &len);
		assert_int_equal(h_status_of(e), STATUS_SUCCESS);
		assert_int_equal(smb_get_le64(e + SMB2_HDR_SESSION_ID),
				 c->s.id);
		if (i)
			assert_true(smb_get_le32(e + SMB2_HDR_FLAGS) &
				    SMB2_FLAGS_RELATED_OPERATIONS);
	}
	e = h_elem(c->last, 2, &len);
	assert_int_equal(smb_get_le32(e + 64 + 4), 5);
	assert_memory_equal(e + e[64 + 2], "hello", 5);
	assert_int_equal(c->bad_signatures, 0);
	h_client_free(c);
}

/* A failed CREATE makes the related requests fail with its status. */
static void test_related_after_failure(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0302);
	struct h_create cr = { "missing.txt", H_RW, H_SHARE_ALL,
			       FILE_OPEN,     0,    0,
			       NULL,	      0 };
	struct h_req r[3];

	h_build_create(c, &r[0], &cr);
	h_build_read(c, &r[1], h_fid_none, 5, 0, 0);
	h_build_fid_req(c, &r[2], SMB2_CLOSE, 0, h_fid_none);
	for (int i = 1; i < 3; i++)
		h_req_flags(&r[i], SMB2_FLAGS_RELATED_OPERATIONS);
	assert_int_equal(h_send_chain(c, r, 3), 0);
	assert_non_null(h_recv(c));
	for (int i = 0; i < 3; i++)
		assert_int_equal(h_status_of(h_elem(c->last, i, NULL)),
				 STATUS_OBJECT_NAME_NOT_FOUND);
	h_client_free(c);
}

/* Two LOGOFFs of one session in one compound. */
static void test_double_logoff_in_compound(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	struct h_req r[2];

	h_build_small(c, &r[0], SMB2_LOGOFF);
	h_build_small(c, &r[1], SMB2_LOGOFF);
	h_req_flags(&r[1], SMB2_FLAGS_RELATED_OPERATIONS);
	assert_int_equal(h_send_chain(c, r, 2), 0);
	assert_non_null(h_recv(c));
	assert_int_equal(h_status_of(h_elem(c->last, 0, NULL)), STATUS_SUCCESS);
	assert_int_equal(h_status_of(h_elem(c->last, 1, NULL)),
			 STATUS_USER_SESSION_DELETED);
	c->sign = false;
	assert_int_equal(h_tree_connect(c, "share"),
			 STATUS_USER_SESSION_DELETED);
	h_client_free(c);
}

static void test_send_failure_drops(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0210);
	struct h_req r;

	c->tc.fail_send = true;
	h_build_small(c, &r, SMB2_ECHO);
	assert_true(h_send(c, &r) < 0);
	h_client_free(c);
}

/* Every allocation failing in turn: no crash, no leak. */
static void test_allocation_failures(void **state)
{
	long base = h_live_allocs;

	for (long k = 0; k < 40; k++) {
		struct h_client *c = ready(state, SMB2_DIALECT_0311);
		struct h_create cr = { "af.txt",    H_RW | DELETE,
				       H_SHARE_ALL, FILE_OPEN_IF,
				       0,	    0,
				       NULL,	    0 };
		struct h_req r[4];

		h_build_create(c, &r[0], &cr);
		h_build_write(c, &r[1], h_fid_none, "abc", 3, 0);
		h_build_query_dir(c, &r[2], h_fid_none, FileNamesInformation, 0,
				  "*", 4096);
		h_build_fid_req(c, &r[3], SMB2_CLOSE, 0, h_fid_none);
		for (int i = 1; i < 4; i++)
			h_req_flags(&r[i], SMB2_FLAGS_RELATED_OPERATIONS);
		h_alloc_fail_after = k;
		h_send_chain(c, r, 4);
		h_alloc_fail_after = -1;
		h_client_free(c);
		assert_int_equal(h_live_allocs, base);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_short_and_foreign_pdus),
		T(test_header_after_negotiate),
		T(test_unknown_command),
		T(test_response_header),
		T(test_message_ids),
		T(test_credit_grants),
		T(test_credit_charge_large_read),
		T(test_unknown_session_and_tree),
		T(test_cancel_has_no_response),
		T(test_unrelated_compound),
		T(test_bad_next_command),
		T(test_too_many_in_chain),
		T(test_first_related),
		T(test_related_create_write_read_close),
		T(test_related_after_failure),
		T(test_double_logoff_in_compound),
		T(test_send_failure_drops),
		T(test_allocation_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
