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

#include <pthread.h>

#include "platform.h"
#include "overlap.h"
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
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
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
		/* Every response of a compound is 8-aligned, the last too. */
		assert_int_equal(len & 7, 0);
	}
	e = h_elem(c->last, 1, &len);
	assert_int_equal(smb_get_le16(e + SMB2_HDR_COMMAND), SMB2_TREE_CONNECT);
	assert_int_equal(smb_get_le32(e + SMB2_HDR_TREE_ID), 2);
	assert_int_equal(c->bad_signatures, 0);
	/* A lone response is not padded (ECHO: 64 + 4 bytes). */
	h_build_small(c, &r[0], SMB2_ECHO);
	assert_int_equal(h_call(c, &r[0]), STATUS_SUCCESS);
	assert_int_equal(c->last->len, SMB2_HDR_SIZE + 4);
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

/*
 * A failed request with no handle in the chain fails the related requests
 * after it the same way, even those naming a real handle ([MS-SMB2]
 * 3.3.5.2.7.2; Windows, smbtorture compound.related9).
 */
static void test_related_after_failure_real_handle(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0302);
	struct h_req r[3];
	u8 fid[16];

	h_open_rw(c, "f.txt", FILE_OPEN_IF, fid);
	/* The first request of a chain cannot be related. */
	h_build_fid_req(c, &r[0], SMB2_FLUSH, 0, fid);
	h_build_fid_req(c, &r[1], SMB2_CLOSE, 0, fid);
	h_build_fid_req(c, &r[2], SMB2_FLUSH, 0, fid);
	for (int i = 0; i < 3; i++)
		h_req_flags(&r[i], SMB2_FLAGS_RELATED_OPERATIONS);
	assert_int_equal(h_send_chain(c, r, 3), 0);
	assert_non_null(h_recv(c));
	for (int i = 0; i < 3; i++)
		assert_int_equal(h_status_of(h_elem(c->last, i, NULL)),
				 STATUS_INVALID_PARAMETER);
	/* The handle was not closed. */
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
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

/* Which PDUs may run beside others of their connection (overlap.h). */
static void test_may_overlap(void **state)
{
	struct h_client *c = ready(state, SMB2_DIALECT_0311);
	static const u16 yes[] = { SMB2_READ, SMB2_WRITE, SMB2_FLUSH, SMB2_ECHO,
				   SMB2_CANCEL };
	static const enum smb_pdu_kind kind[] = {
		SMB_PDU_OVERLAP, SMB_PDU_OVERLAP, SMB_PDU_OVERLAP,
		SMB_PDU_QUICK, SMB_PDU_QUICK
	};
	static const u16 no[] = { SMB2_NEGOTIATE,
				  SMB2_SESSION_SETUP,
				  SMB2_LOGOFF,
				  SMB2_TREE_CONNECT,
				  SMB2_TREE_DISCONNECT,
				  SMB2_CREATE,
				  SMB2_CLOSE,
				  SMB2_LOCK,
				  SMB2_IOCTL,
				  SMB2_QUERY_DIRECTORY,
				  SMB2_CHANGE_NOTIFY,
				  SMB2_QUERY_INFO,
				  SMB2_SET_INFO,
				  SMB2_OPLOCK_BREAK,
				  0x0013 };
	struct h_req r;

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		h_build_small(c, &r, yes[i]);
		assert_int_equal(smb_pdu_classify(r.p, r.len), kind[i]);
		/* Truncated, foreign, or part of a compound: runs alone. */
		assert_int_equal(SMB_PDU_ALONE,
				 smb_pdu_classify(r.p, SMB2_HDR_SIZE - 1));
		assert_int_equal(SMB_PDU_ALONE, smb_pdu_classify(NULL, r.len));
		smb_put_le32(r.p + SMB2_HDR_NEXT_COMMAND, SMB2_HDR_SIZE);
		assert_int_equal(SMB_PDU_ALONE, smb_pdu_classify(r.p, r.len));
		smb_put_le32(r.p + SMB2_HDR_NEXT_COMMAND, 0);
		smb_put_le16(r.p + SMB2_HDR_STRUCT_SIZE, 63);
		assert_int_equal(SMB_PDU_ALONE, smb_pdu_classify(r.p, r.len));
		smb_put_le16(r.p + SMB2_HDR_STRUCT_SIZE, SMB2_HDR_SIZE);
		smb_put_le32(r.p, SMB1_PROTO_ID);
		assert_int_equal(SMB_PDU_ALONE, smb_pdu_classify(r.p, r.len));
		h_req_free(&r);
	}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
		h_build_small(c, &r, no[i]);
		assert_int_equal(SMB_PDU_ALONE, smb_pdu_classify(r.p, r.len));
		h_req_free(&r);
	}
	h_client_free(c);
}

/* Sends from several threads at once: the harness transport is not safe. */
static pthread_mutex_t par_send_lock = PTHREAD_MUTEX_INITIALIZER;
static struct smb_transport_ops par_transport;

static int par_send_pdu(struct smb_tconn *tc, const struct smb_iov *iov,
			int niov)
{
	int rc;

	pthread_mutex_lock(&par_send_lock);
	rc = h_transport.send_pdu(tc, iov, niov);
	pthread_mutex_unlock(&par_send_lock);
	return rc;
}

enum { PAR_THREADS = 4, PAR_EACH = 48, PAR_BLOCK = 512 };

struct par_thread {
	pthread_t t;
	struct smb_conn *conn;
	struct h_req reqs[PAR_EACH];
	int failures;
};

static void *par_main(void *arg)
{
	struct par_thread *pt = arg;

	for (int i = 0; i < PAR_EACH; i++)
		if (smb_conn_input(pt->conn, pt->reqs[i].p, pt->reqs[i].len))
			pt->failures++;
	return NULL;
}

/*
 * READs, WRITEs, FLUSHes and ECHOs of one connection on four threads at
 * once, signed, sharing the credit window and one open (what the engine
 * does with overlapping PDUs): every one is answered, the writes land,
 * and the window stays consistent.  Run under ASan/TSan for the races.
 */
static void test_overlapping_requests(void **state)
{
	struct h_client *c = h_client_new(*state);
	struct par_thread pt[PAR_THREADS];
	u8 fid[16] = { 0 }, block[PAR_BLOCK];
	u64 mids[PAR_THREADS * PAR_EACH];
	int nresp = 0;

	par_transport = h_transport;
	par_transport.send_pdu = par_send_pdu;
	smb_conn_free(c->conn);
	c->conn = smb_conn_new(c->env->srv, &par_transport, &c->tc);
	assert_non_null(c->conn);
	h_connect(c, SMB2_DIALECT_0311, "share");
	h_open_rw(c, "par.bin", FILE_OVERWRITE_IF, fid);
	/* The file exists over the whole range, so every READ finds data. */
	memset(block, 0, sizeof(block));
	for (u64 off = 0; off < (u64)PAR_THREADS * PAR_EACH * PAR_BLOCK;
	     off += PAR_BLOCK)
		assert_int_equal(h_write(c, fid, block, PAR_BLOCK, off),
				 STATUS_SUCCESS);
	/* Enough credits for every request in flight. */
	c->credit_request = 1024;
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	c->credit_request = 1;
	for (int t = 0; t < PAR_THREADS; t++) {
		pt[t].conn = c->conn;
		pt[t].failures = 0;
		for (int i = 0; i < PAR_EACH; i++) {
			struct h_req *r = &pt[t].reqs[i];
			u64 off = ((u64)t * PAR_EACH + (u64)i) * PAR_BLOCK;

			memset(block, t * PAR_EACH + i, sizeof(block));
			switch (i % 4) {
			case 0:
			case 1:
				h_build_write(c, r, fid, block, PAR_BLOCK, off);
				break;
			case 2:
				h_build_read(c, r, fid, PAR_BLOCK, 0, 0);
				break;
			default:
				if (i % 8 == 3)
					h_build_fid_req(c, r, SMB2_FLUSH, 0,
							fid);
				else
					h_build_small(c, r, SMB2_ECHO);
				break;
			}
			assert_int_not_equal(smb_pdu_classify(r->p, r->len),
					     SMB_PDU_ALONE);
			h_sign_req(c, r);
		}
	}
	/* The window: what was spent stays spent, concurrently or not. */
	for (int t = 0; t < PAR_THREADS; t++)
		assert_int_equal(
			pthread_create(&pt[t].t, NULL, par_main, &pt[t]), 0);
	for (int t = 0; t < PAR_THREADS; t++) {
		pthread_join(pt[t].t, NULL);
		assert_int_equal(pt[t].failures, 0);
		for (int i = 0; i < PAR_EACH; i++)
			h_req_free(&pt[t].reqs[i]);
	}
	while (h_recv(c)) {
		u8 *hdr = h_rhdr(c);
		u64 mid = smb_get_le64(hdr + SMB2_HDR_MESSAGE_ID);

		assert_int_equal(h_status_of(hdr), STATUS_SUCCESS);
		assert_true(smb_get_le32(hdr + SMB2_HDR_FLAGS) &
			    SMB2_FLAGS_SIGNED);
		for (int k = 0; k < nresp; k++)
			assert_true(mids[k] != mid);
		assert_true(nresp < PAR_THREADS * PAR_EACH);
		mids[nresp++] = mid;
	}
	assert_int_equal(nresp, PAR_THREADS * PAR_EACH);
	assert_int_equal(c->bad_signatures, 0);
	/* Every write landed where it was meant to. */
	for (int t = 0; t < PAR_THREADS; t++) {
		for (int i = 0; i < PAR_EACH; i += 4) {
			const u8 *d = NULL;
			u32 n = 0;

			for (int w = i; w < i + 2; w++) {
				u64 off = ((u64)t * PAR_EACH + (u64)w) *
					  PAR_BLOCK;

				memset(block, t * PAR_EACH + w, sizeof(block));
				assert_int_equal(h_read(c, fid, PAR_BLOCK, off,
							&d, &n),
						 STATUS_SUCCESS);
				assert_int_equal(n, PAR_BLOCK);
				assert_memory_equal(d, block, PAR_BLOCK);
			}
		}
	}
	/* A message id the threads spent is refused: the window held. */
	c->mid = mids[PAR_THREADS * PAR_EACH / 2];
	{
		struct h_req r;

		h_build_small(c, &r, SMB2_ECHO);
		h_call_drop(c, &r);
	}
	h_client_free(c);
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
		T(test_related_after_failure_real_handle),
		T(test_double_logoff_in_compound),
		T(test_send_failure_drops),
		T(test_allocation_failures),
		T(test_may_overlap),
		T(test_overlapping_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
