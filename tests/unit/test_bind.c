// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_bind.c - the server-wide session table and the refusals of
 * SESSION_SETUP requests that bind a session to a second connection
 * (core/bind.c, [MS-SMB2] 3.3.5.5): each check in its order, the answer
 * signed with the session's key, and the first channel unharmed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include "platform.h"
#include "smb_harness.h"

#include "bind.h"
#include "crypt.h"
#include "overlap.h"

enum bind_signing {
	BIND_SIGNED,
	BIND_UNSIGNED,
	BIND_BAD_SIGNATURE,
};

/*
 * Send from c2 a binding SESSION_SETUP for c1's session, signed with its
 * key and algorithm (as Samba's client signs it); returns the status, and
 * whether the answer verifies with that key in *signed_ok.
 */
static u32 bind_from(struct h_client *c2, const struct h_client *c1,
		     enum bind_signing how, bool binding, bool *signed_ok)
{
	static const u8 blob[] = { 0x60, 0x02, 0x05, 0x00 };
	struct h_req r;
	u8 *h;
	size_t len;

	h_build_session_setup(c2, &r, blob, sizeof(blob));
	if (binding)
		r.p[SMB2_HDR_SIZE + 2] = SMB2_SESSION_FLAG_BINDING;
	smb_put_le64(r.p + SMB2_HDR_SESSION_ID, c1->s.id);
	if (how != BIND_UNSIGNED) {
		struct smb_iov iov = { r.p, r.len };

		assert_int_equal(smb2_sign(c2->env->ops.crypto, c1->sign_algo,
					   c1->s.signing_key, &iov, 1),
				 0);
		if (how == BIND_BAD_SIGNATURE)
			r.p[SMB2_HDR_SIGNATURE] ^= 1;
	}
	assert_int_equal(h_send_raw(c2, r.p, r.len), 0);
	h_req_free(&r);
	assert_non_null(h_recv(c2));
	h = h_elem(c2->last, 0, &len);
	*signed_ok = (smb_get_le32(h + SMB2_HDR_FLAGS) & SMB2_FLAGS_SIGNED) &&
		     smb2_verify(c2->env->ops.crypto, c1->sign_algo,
				 c1->s.signing_key, h, len);
	return h_status_of(h);
}

/* One binding leg from c2 for c1's session, signed as bind_from does;
 * the answer is checked against the session's key when signed. */
static u32 bind_leg(struct h_client *c2, const struct h_client *c1,
		    const u8 *sec, size_t sec_len, u8 preauth[64])
{
	struct h_req r;
	struct smb_iov iov;
	u8 *h;
	size_t len;

	h_build_session_setup(c2, &r, sec, sec_len);
	r.p[SMB2_HDR_SIZE + 2] = SMB2_SESSION_FLAG_BINDING;
	smb_put_le64(r.p + SMB2_HDR_SESSION_ID, c1->s.id);
	iov.base = r.p;
	iov.len = r.len;
	assert_int_equal(smb2_sign(c2->env->ops.crypto, c1->sign_algo,
				   c1->s.signing_key, &iov, 1),
			 0);
	if (c2->dialect == SMB2_DIALECT_0311)
		smb311_preauth_update(c2->env->ops.crypto, preauth, &iov, 1);
	assert_int_equal(h_send_raw(c2, r.p, r.len), 0);
	h_req_free(&r);
	assert_non_null(h_recv(c2));
	h = h_elem(c2->last, 0, &len);
	if (h_status_of(h) == STATUS_MORE_PROCESSING_REQUIRED) {
		iov.base = h;
		iov.len = len;
		assert_true(smb2_verify(c2->env->ops.crypto, c1->sign_algo,
					c1->s.signing_key, h, len));
		if (c2->dialect == SMB2_DIALECT_0311)
			smb311_preauth_update(c2->env->ops.crypto, preauth,
					      &iov, 1);
	}
	return h_status_of(h);
}

/*
 * Bind c2 (negotiated) to c1's session as user/password: both legs, the
 * channel key derived from this authentication and c2's pre-authentication
 * hash ([MS-SMB2] 3.3.5.5.3).  On success c2 takes the session id, the
 * channel key (which signs the final response) and c1's tree.
 */
static u32 bind_channel(struct h_client *c2, const struct h_client *c1,
			const char *user, const char *password)
{
	const u8 *mechs[1] = { h_oid_ntlmssp };
	u8 sec[4096], chal[4096], preauth[64];
	size_t sec_len, blob_len;
	const u8 *blob;
	struct spnego_token t;
	struct smb_keys k;
	u8 *h;
	size_t len;
	u32 st;

	h_ntlm_start(c2, user, password);
	client_negotiate(&c2->ntlm);
	sec_len = h_spnego_init(sec, mechs, 1, c2->ntlm.neg, c2->ntlm.neg_len);
	memcpy(preauth, c2->preauth, 64);
	st = bind_leg(c2, c1, sec, sec_len, preauth);
	if (st != STATUS_MORE_PROCESSING_REQUIRED)
		return st;
	h = h_elem(c2->last, 0, &len);
	assert_int_equal(smb_get_le64(h + SMB2_HDR_SESSION_ID), c1->s.id);
	blob = h_sess_blob(c2, &blob_len);
	assert_int_equal(spnego_parse(blob, blob_len, &t), 0);
	assert_non_null(t.mech_token);
	memcpy(chal, t.mech_token, t.mech_token_len);
	client_authenticate(&c2->ntlm, chal, t.mech_token_len);
	sec_len = h_spnego_resp(sec, c2->ntlm.auth, c2->ntlm.auth_len);
	st = bind_leg(c2, c1, sec, sec_len, preauth);
	if (st != STATUS_SUCCESS)
		return st;
	assert_int_equal(smb_derive_keys(c2->env->ops.crypto, c2->dialect, 0,
					 c2->ntlm.exported, preauth, &k),
			 0);
	h = h_elem(c2->last, 0, &len);
	/* The final response is signed with the new channel's key. */
	assert_true(smb_get_le32(h + SMB2_HDR_FLAGS) & SMB2_FLAGS_SIGNED);
	assert_true(smb2_verify(c2->env->ops.crypto, c2->sign_algo, k.signing,
				h, len));
	/* 3.1.1 keys depend on the channel's own pre-authentication hash;
	 * 3.0's on the session key of this authentication only. */
	if (c2->dialect == SMB2_DIALECT_0311)
		assert_false(smb2_verify(c2->env->ops.crypto, c2->sign_algo,
					 c1->s.signing_key, h, len));
	c2->s = c1->s;
	memcpy(c2->s.signing_key, k.signing, 16);
	c2->tid = c1->tid;
	c2->sign = true;
	return st;
}

static struct h_client *session_on(struct h_env *e, u16 dialect, u16 algo)
{
	struct h_client *c = h_client_new(e);

	h_login(c, dialect, algo);
	return c;
}

static struct h_client *conn_at(struct h_env *e, u16 dialect, u16 algo)
{
	struct h_client *c = h_client_new(e);

	h_negotiate(c, dialect, algo);
	return c;
}

static void expect_bind(struct h_env *e, u16 d1, u16 a1, u16 d2, u16 a2,
			u32 want)
{
	struct h_client *c1 = session_on(e, d1, a1);
	struct h_client *c2 = conn_at(e, d2, a2);
	bool signed_ok;

	assert_int_equal(bind_from(c2, c1, BIND_SIGNED, true, &signed_ok),
			 want);
	assert_true(signed_ok);
	/* The session goes on on its own connection. */
	assert_int_equal(h_simple(c1, SMB2_ECHO), STATUS_SUCCESS);
	assert_int_equal(h_tree_connect(c1, "share"), STATUS_SUCCESS);
	h_client_free(c2);
	h_client_free(c1);
}

static void test_multichannel_off(void **state)
{
	struct h_env *e = *state;
	struct h_client *c1 =
		session_on(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	struct h_client *c2 =
		conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	bool signed_ok;

	assert_false(c1->server_caps & SMB2_GLOBAL_CAP_MULTI_CHANNEL);
	assert_int_equal(bind_from(c2, c1, BIND_SIGNED, true, &signed_ok),
			 STATUS_REQUEST_NOT_ACCEPTED);
	h_client_free(c2);
	h_client_free(c1);
}

static void test_binding_checks_in_order(void **state)
{
	struct h_env *e = *state;
	const u16 d311 = SMB2_DIALECT_0311, d30 = SMB2_DIALECT_0300;
	const u16 cmac = SMB2_SIGNING_AES_CMAC, gmac = SMB2_SIGNING_AES_GMAC;
	const u16 hmac = SMB2_SIGNING_HMAC_SHA256, none = 0xffff;

	smb_server_set_multichannel(e->srv, true);
	/* GMAC cannot join a CMAC/HMAC session, nor the reverse. */
	expect_bind(e, d311, cmac, d311, gmac, STATUS_NOT_SUPPORTED);
	expect_bind(e, d311, hmac, d311, gmac, STATUS_NOT_SUPPORTED);
	expect_bind(e, d311, gmac, d311, cmac, STATUS_REQUEST_OUT_OF_SEQUENCE);
	/* ...and that comes before the dialect checks. */
	expect_bind(e, d311, gmac, SMB2_DIALECT_0210, none,
		    STATUS_REQUEST_OUT_OF_SEQUENCE);
	expect_bind(e, SMB2_DIALECT_0210, none, d311, gmac,
		    STATUS_NOT_SUPPORTED);
	/* 2.x connections cannot bind. */
	expect_bind(e, d30, none, SMB2_DIALECT_0210, none,
		    STATUS_REQUEST_NOT_ACCEPTED);
	expect_bind(e, SMB2_DIALECT_0202, none, SMB2_DIALECT_0202, none,
		    STATUS_REQUEST_NOT_ACCEPTED);
	/* Other dialect: INVALID_PARAMETER. */
	expect_bind(e, d30, none, d311, cmac, STATUS_INVALID_PARAMETER);
	expect_bind(e, SMB2_DIALECT_0210, none, d30, none,
		    STATUS_INVALID_PARAMETER);
	/* HMAC and CMAC channels may mix: a bad blob fails the binding. */
	expect_bind(e, d311, cmac, d311, hmac, STATUS_INVALID_PARAMETER);
	expect_bind(e, d311, cmac, d311, cmac, STATUS_INVALID_PARAMETER);
	expect_bind(e, d30, none, SMB2_DIALECT_0302, none,
		    STATUS_INVALID_PARAMETER);
}

static void test_binding_cipher_mismatch(void **state)
{
	struct h_env *e = *state;
	struct h_client *c1 = h_client_new(e), *c2;
	bool signed_ok;

	smb_server_set_multichannel(e->srv, true);
	assert_int_equal(h_negotiate_311_enc(c1), STATUS_SUCCESS);
	assert_int_equal(h_session_setup(c1), STATUS_SUCCESS);
	c2 = conn_at(e, SMB2_DIALECT_0311,
		     SMB2_SIGNING_AES_CMAC); /* no cipher */
	assert_int_equal(bind_from(c2, c1, BIND_SIGNED, true, &signed_ok),
			 STATUS_INVALID_PARAMETER);
	h_client_free(c2);
	/* Same cipher: binds. */
	c2 = h_client_new(e);
	assert_int_equal(h_negotiate_311_enc(c2), STATUS_SUCCESS);
	assert_int_equal(bind_channel(c2, c1, "alice", "secret"),
			 STATUS_SUCCESS);
	h_client_free(c2);
	h_client_free(c1);
}

static void test_binding_authentication(void **state)
{
	struct h_env *e = *state;
	struct h_client *c1, *c2;
	bool signed_ok;
	u64 id;

	smb_server_set_multichannel(e->srv, true);
	c1 = session_on(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	c2 = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	/* Unsigned: INVALID_PARAMETER, not signed back (no key shown). */
	assert_int_equal(bind_from(c2, c1, BIND_UNSIGNED, true, &signed_ok),
			 STATUS_INVALID_PARAMETER);
	assert_false(signed_ok);
	/* A wrong signature: ACCESS_DENIED, unsigned. */
	assert_int_equal(bind_from(c2, c1, BIND_BAD_SIGNATURE, true,
				   &signed_ok),
			 STATUS_ACCESS_DENIED);
	assert_false(signed_ok);
	/* A plain SESSION_SETUP naming another connection's session. */
	assert_int_equal(bind_from(c2, c1, BIND_SIGNED, false, &signed_ok),
			 STATUS_USER_SESSION_DELETED);
	assert_true(signed_ok);
	/* Binding on the session's own connection is refused as well. */
	assert_int_equal(bind_from(c1, c1, BIND_SIGNED, true, &signed_ok),
			 STATUS_REQUEST_NOT_ACCEPTED);
	/* Unknown, and logged-off, sessions. */
	id = c1->s.id;
	c1->s.id = id + 1000;
	assert_int_equal(bind_from(c2, c1, BIND_SIGNED, true, &signed_ok),
			 STATUS_USER_SESSION_DELETED);
	assert_false(signed_ok);
	c1->s.id = id;
	assert_int_equal(h_simple(c1, SMB2_LOGOFF), STATUS_SUCCESS);
	assert_int_equal(bind_from(c2, c1, BIND_SIGNED, true, &signed_ok),
			 STATUS_USER_SESSION_DELETED);
	h_client_free(c2);
	/* A freed connection takes its sessions out of the table. */
	h_client_free(c1);
	assert_true(smb_list_empty(&e->srv->sessions));
}

static void test_binding_guest_session(void **state)
{
	struct h_env *e = *state;
	struct h_client *c1, *c2;
	bool signed_ok;

	e->cfg.map_to_guest = SMB_MAP_TO_GUEST_BAD_USER;
	h_env_start(e);
	smb_server_set_multichannel(e->srv, true);
	c1 = h_client_new(e);
	h_negotiate(c1, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup_ex(c1, "nobody-here", "x",
					    H_AUTH_NTLMV2),
			 STATUS_SUCCESS);
	assert_true(c1->s.flags & SMB2_SESSION_FLAG_IS_GUEST);
	c2 = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(bind_from(c2, c1, BIND_UNSIGNED, true, &signed_ok),
			 STATUS_NOT_SUPPORTED);
	h_client_free(c2);
	h_client_free(c1);
}

/* Open a file on c's tree; returns its FileId in fid. */
static void open_file(struct h_client *c, const char *name, u8 fid[16])
{
	assert_int_equal(h_create(c, name, FILE_READ_DATA | FILE_WRITE_DATA, 7,
				  FILE_OPEN_IF, 0, fid),
			 STATUS_SUCCESS);
}

static u32 read_on(struct h_client *c, const u8 fid[16])
{
	struct h_req r;

	h_req_init(c, &r, SMB2_READ);
	h_put16(&r, 49);
	h_put8(&r, 0);
	h_put8(&r, 0);
	h_put32(&r, 16); /* Length */
	h_put64(&r, 0); /* Offset */
	h_put(&r, fid, 16);
	h_put32(&r, 0);
	h_put32(&r, 0);
	h_put32(&r, 0);
	h_put16(&r, 0);
	h_put16(&r, 0);
	h_put8(&r, 0);
	return h_call(c, &r);
}

static void test_second_channel(void **state)
{
	struct h_env *e = *state;
	struct h_client *c1, *c2, *c3;
	u8 fid[16];
	struct h_req r;

	smb_server_set_multichannel(e->srv, true);
	c1 = session_on(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_true(c1->server_caps & SMB2_GLOBAL_CAP_MULTI_CHANNEL);
	assert_int_equal(h_tree_connect(c1, "share"), STATUS_SUCCESS);
	open_file(c1, "chan.txt", fid);
	/* An HMAC channel may join a CMAC session. */
	c2 = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_HMAC_SHA256);
	assert_int_equal(bind_channel(c2, c1, "alice", "secret"),
			 STATUS_SUCCESS);
	/* The open and the tree serve both channels. */
	assert_int_equal(read_on(c2, fid), STATUS_END_OF_FILE);
	assert_int_equal(read_on(c1, fid), STATUS_END_OF_FILE);
	assert_int_equal(h_tree_connect(c2, "share"), STATUS_SUCCESS);
	c2->tid = c1->tid; /* the open's tree */
	/* On the channel: the session's own key, or none, is refused. */
	h_req_init(c2, &r, SMB2_ECHO);
	h_put16(&r, 4);
	h_put16(&r, 0);
	{
		struct smb_iov iov = { r.p, r.len };

		assert_int_equal(smb2_sign(e->ops.crypto, c2->sign_algo,
					   c1->s.signing_key, &iov, 1),
				 0);
	}
	assert_int_equal(h_send_raw(c2, r.p, r.len), 0);
	h_req_free(&r);
	assert_non_null(h_recv(c2));
	assert_int_equal(h_rstatus(c2), STATUS_ACCESS_DENIED);
	h_req_init(c2, &r, SMB2_TREE_DISCONNECT);
	h_put16(&r, 4);
	h_put16(&r, 0);
	assert_int_equal(h_call_unsigned(c2, &r), STATUS_ACCESS_DENIED);
	/* Another user cannot bind; a wrong password fails the binding
	 * only. */
	c3 = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(bind_channel(c3, c1, "bob", "hunter2"),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(bind_channel(c3, c1, "alice", "wrong"),
			 STATUS_LOGON_FAILURE);
	assert_int_equal(read_on(c1, fid), STATUS_END_OF_FILE);
	/* The first connection goes: the session lives on the second. */
	h_client_free(c1);
	assert_int_equal(read_on(c2, fid), STATUS_END_OF_FILE);
	assert_int_equal(h_simple(c2, SMB2_LOGOFF), STATUS_SUCCESS);
	assert_int_equal(h_simple(c3, SMB2_ECHO), STATUS_SUCCESS);
	h_client_free(c3);
	h_client_free(c2);
	assert_true(smb_list_empty(&e->srv->sessions));
}

static void test_logoff_on_channel(void **state)
{
	struct h_env *e = *state;
	struct h_client *c1, *c2;
	bool signed_ok;
	u8 fid[16];

	smb_server_set_multichannel(e->srv, true);
	c1 = session_on(e, SMB2_DIALECT_0300, 0xffff);
	assert_int_equal(h_tree_connect(c1, "share"), STATUS_SUCCESS);
	open_file(c1, "logoff.txt", fid);
	c2 = conn_at(e, SMB2_DIALECT_0300, 0xffff);
	assert_int_equal(bind_channel(c2, c1, "alice", "secret"),
			 STATUS_SUCCESS);
	/* Binding once more from a bound connection: ACCESS_DENIED. */
	assert_int_equal(bind_from(c2, c1, BIND_SIGNED, true, &signed_ok),
			 STATUS_ACCESS_DENIED);
	/* LOGOFF on the second channel ends the session everywhere. */
	assert_int_equal(h_simple(c2, SMB2_LOGOFF), STATUS_SUCCESS);
	assert_int_equal(read_on(c1, fid), STATUS_USER_SESSION_DELETED);
	c2->sign = false;
	assert_int_equal(read_on(c2, fid), STATUS_USER_SESSION_DELETED);
	h_client_free(c1);
	h_client_free(c2);
	assert_true(smb_list_empty(&e->srv->sessions));
}

static void test_channel_closes(void **state)
{
	struct h_env *e = *state;
	struct h_client *c1, *c2;
	u8 fid[16];

	smb_server_set_multichannel(e->srv, true);
	c1 = session_on(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_tree_connect(c1, "share"), STATUS_SUCCESS);
	open_file(c1, "closes.txt", fid);
	c2 = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(bind_channel(c2, c1, "alice", "secret"),
			 STATUS_SUCCESS);
	/* A bound connection going takes only its channel. */
	h_client_free(c2);
	assert_int_equal(read_on(c1, fid), STATUS_END_OF_FILE);
	h_client_free(c1);
	assert_true(smb_list_empty(&e->srv->sessions));
}

/*
 * A failed re-authentication on the second channel ends the session on
 * both; each connection's USER_SESSION_DELETED for it is signed with its
 * own key of the session (what a client requiring signing accepts).
 */
static void test_failed_reauth_on_channel(void **state)
{
	struct h_env *e = *state;
	struct h_client *c1, *c2;
	u32 st;

	smb_server_set_multichannel(e->srv, true);
	c1 = session_on(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	c2 = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_HMAC_SHA256);
	assert_int_equal(bind_channel(c2, c1, "alice", "secret"),
			 STATUS_SUCCESS);
	/* A signed re-authentication on the channel with a bad password. */
	st = h_reauth(c2, "alice", "wrong");
	assert_int_equal(st, STATUS_LOGON_FAILURE);
	assert_int_equal(h_tree_connect(c1, "share"),
			 STATUS_USER_SESSION_DELETED);
	assert_true(smb_get_le32(h_rhdr(c1) + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_SIGNED);
	assert_int_equal(c1->bad_signatures, 0);
	assert_int_equal(h_tree_connect(c2, "share"),
			 STATUS_USER_SESSION_DELETED);
	assert_true(smb_get_le32(h_rhdr(c2) + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_SIGNED);
	assert_int_equal(c2->bad_signatures, 0);
	h_client_free(c2);
	h_client_free(c1);
	assert_true(smb_list_empty(&e->srv->sessions));
}

/* A multichannel connection's PDUs all run alone; others may overlap. */
static void test_pdu_kind(void **state)
{
	struct h_env *e = *state;
	struct h_client *plain, *mc;
	struct h_req r;

	plain = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	smb_server_set_multichannel(e->srv, true);
	mc = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	h_req_init(plain, &r, SMB2_READ);
	h_put(&r, NULL, 49);
	assert_int_equal(smb_conn_pdu_kind(plain->conn, r.p, r.len),
			 SMB_PDU_OVERLAP);
	assert_int_equal(smb_conn_pdu_kind(mc->conn, r.p, r.len),
			 SMB_PDU_ALONE);
	smb_put_le16(r.p + SMB2_HDR_COMMAND, SMB2_ECHO);
	assert_int_equal(smb_conn_pdu_kind(plain->conn, r.p, r.len),
			 SMB_PDU_QUICK);
	assert_int_equal(smb_conn_pdu_kind(mc->conn, r.p, r.len),
			 SMB_PDU_ALONE);
	h_req_free(&r);
	h_client_free(mc);
	h_client_free(plain);
}

/* A refused leg ends the binding in progress; a new one starts clean. */
static void test_binding_leg_refused(void **state)
{
	static const u8 neg_blob[] = { 0x60, 0x02, 0x05, 0x00 };
	struct h_env *e = *state;
	struct h_client *c1, *c2;
	const u8 *mechs[1] = { h_oid_ntlmssp };
	u8 sec[512], preauth[64];
	size_t sec_len;
	bool signed_ok;

	smb_server_set_multichannel(e->srv, true);
	c1 = session_on(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	c2 = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	memset(&c2->ntlm, 0, sizeof(c2->ntlm));
	c2->ntlm.flags = CLIENT_FLAGS;
	client_negotiate(&c2->ntlm);
	sec_len = h_spnego_init(sec, mechs, 1, c2->ntlm.neg, c2->ntlm.neg_len);
	memcpy(preauth, c2->preauth, 64);
	assert_int_equal(bind_leg(c2, c1, sec, sec_len, preauth),
			 STATUS_MORE_PROCESSING_REQUIRED);
	assert_int_equal(c2->conn->nsessions, 1);
	assert_int_equal(bind_from(c2, c1, BIND_BAD_SIGNATURE, true,
				   &signed_ok),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(c2->conn->nsessions, 0);
	/* A malformed token fails the binding, not the session. */
	assert_int_equal(bind_leg(c2, c1, neg_blob, sizeof(neg_blob), preauth),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(c2->conn->nsessions, 0);
	assert_int_equal(h_tree_connect(c1, "share"), STATUS_SUCCESS);
	assert_int_equal(bind_channel(c2, c1, "alice", "secret"),
			 STATUS_SUCCESS);
	h_client_free(c2);
	h_client_free(c1);
}

/*
 * Two threads use one session through its two channels at once (READs of
 * one open, opens and closes of others); then the first connection closes
 * while the second keeps reading.  chan_lock serializes them: the results
 * stay right and ASan sees nothing freed under a user.
 */
struct channel_user {
	struct h_client *c;
	const u8 *fid;
	int rounds;
	int errors;
};

static u32 read_quiet(struct h_client *c, const u8 fid[16])
{
	struct h_req r;

	h_req_init(c, &r, SMB2_READ);
	h_put16(&r, 49);
	h_put16(&r, 0);
	h_put32(&r, 16);
	h_put64(&r, 0);
	h_put(&r, fid, 16);
	h_put(&r, NULL, 17); /* MinimumCount .. Buffer */
	if (h_send(c, &r) != 0 || !h_recv(c))
		return STATUS_INTERNAL_ERROR;
	return h_rstatus(c);
}

static void *channel_user_main(void *arg)
{
	struct channel_user *u = arg;
	int i;

	for (i = 0; i < u->rounds; i++) {
		u8 fid[16];
		char name[32];

		if (read_quiet(u->c, u->fid) != STATUS_END_OF_FILE)
			u->errors++;
		snprintf(name, sizeof(name), "t%p-%d.txt", (void *)u, i % 4);
		if (h_create(u->c, name, FILE_READ_DATA, 7, FILE_OPEN_IF, 0,
			     fid) != STATUS_SUCCESS ||
		    h_close(u->c, fid) != STATUS_SUCCESS)
			u->errors++;
	}
	return NULL;
}

static void test_channels_in_parallel(void **state)
{
	struct h_env *e = *state;
	struct h_client *c1, *c2;
	struct channel_user u1, u2;
	pthread_t t1, t2;
	u8 fid[16];

	smb_server_set_multichannel(e->srv, true);
	c1 = session_on(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_tree_connect(c1, "share"), STATUS_SUCCESS);
	open_file(c1, "parallel.txt", fid);
	c2 = conn_at(e, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(bind_channel(c2, c1, "alice", "secret"),
			 STATUS_SUCCESS);
	u1 = (struct channel_user){ .c = c1, .fid = fid, .rounds = 200 };
	u2 = (struct channel_user){ .c = c2, .fid = fid, .rounds = 200 };
	assert_int_equal(pthread_create(&t1, NULL, channel_user_main, &u1), 0);
	assert_int_equal(pthread_create(&t2, NULL, channel_user_main, &u2), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(u1.errors, 0);
	assert_int_equal(u2.errors, 0);
	/* The first connection closes while the second reads. */
	u2.rounds = 100;
	assert_int_equal(pthread_create(&t2, NULL, channel_user_main, &u2), 0);
	h_client_free(c1);
	pthread_join(t2, NULL);
	assert_int_equal(u2.errors, 0);
	assert_int_equal(read_on(c2, fid), STATUS_END_OF_FILE);
	h_client_free(c2);
	assert_true(smb_list_empty(&e->srv->sessions));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_multichannel_off, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_binding_checks_in_order,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_binding_cipher_mismatch,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_binding_authentication,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_binding_guest_session,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_second_channel, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_logoff_on_channel, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_channel_closes, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_failed_reauth_on_channel,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_pdu_kind, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_binding_leg_refused,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_channels_in_parallel,
						h_setup, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
