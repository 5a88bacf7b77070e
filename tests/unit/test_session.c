// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for core/session.c: SESSION_SETUP (SPNEGO/NTLMv2), LOGOFF, ECHO. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

static const u16 dialects[] = { SMB2_DIALECT_0202, SMB2_DIALECT_0210,
				SMB2_DIALECT_0300, SMB2_DIALECT_0302,
				SMB2_DIALECT_0311 };

/* A signed ECHO on the session must come back signed and verify. */
static void signed_echo(struct h_client *c)
{
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	assert_true(smb_get_le32(h_rhdr(c) + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_SIGNED);
	assert_int_equal(smb_get_le16(h_rbody(c)), 4);
	assert_int_equal(c->bad_signatures, 0);
}

static void test_login_each_dialect(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(dialects); i++) {
		struct h_client *c = h_client_new(*state);
		struct spnego_token t;
		const u8 *blob;
		size_t n;

		h_login(c, dialects[i], SMB2_SIGNING_AES_CMAC);
		assert_int_equal(c->s.flags, 0);
		assert_int_equal(c->sign_algo,
				 dialects[i] < SMB2_DIALECT_0300 ?
					 SMB2_SIGNING_HMAC_SHA256 :
					 SMB2_SIGNING_AES_CMAC);
		blob = h_sess_blob(c, &n);
		assert_int_equal(spnego_parse(blob, n, &t), 0);
		assert_int_equal(t.kind, SPNEGO_KIND_RESP);
		assert_int_equal(t.neg_state, SPNEGO_ACCEPT_COMPLETED);
		signed_echo(c);
		assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
		assert_true(smb_get_le32(h_rhdr(c) + SMB2_HDR_FLAGS) &
			    SMB2_FLAGS_SIGNED);
		h_client_free(c);
	}
}

static void test_login_311_signing_algos(void **state)
{
	static const u16 algos[] = { SMB2_SIGNING_HMAC_SHA256,
				     SMB2_SIGNING_AES_CMAC,
				     SMB2_SIGNING_AES_GMAC, 0xffff };

	for (size_t i = 0; i < ARRAY_SIZE(algos); i++) {
		struct h_client *c = h_client_new(*state);

		h_login(c, SMB2_DIALECT_0311, algos[i]);
		assert_int_equal(c->sign_algo, algos[i] == 0xffff ?
						       SMB2_SIGNING_AES_CMAC :
						       algos[i]);
		signed_echo(c);
		h_client_free(c);
	}
}

/* A wrong signing key must make verification fail (the check can fail). */
static void test_client_detects_wrong_key(void **state)
{
	struct h_client *c = h_client_new(*state);

	h_login(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_GMAC);
	c->sign = false; /* our ECHO goes out unsigned ... */
	c->s.signing_key[0] ^= 1; /* ... and the reply must not verify */
	{
		struct h_req r;

		h_build_small(c, &r, SMB2_ECHO);
		h_send(c, &r);
		h_recv(c);
	}
	/* The session does not require signing, so the reply is unsigned. */
	assert_false(smb_get_le32(h_rhdr(c) + SMB2_HDR_FLAGS) &
		     SMB2_FLAGS_SIGNED);
	c->sign = true;
	{
		struct h_req r;

		h_build_small(c, &r, SMB2_TREE_CONNECT);
		h_send(c, &r);
		h_recv(c);
		/* Signed with the wrong key: the server refuses. */
		assert_int_equal(h_rstatus(c), STATUS_ACCESS_DENIED);
	}
	h_client_free(c);
}

static void test_raw_ntlmssp(void **state)
{
	struct h_client *c = h_client_new(*state);
	const u8 *blob;
	size_t n;

	c->raw_ntlmssp = true;
	h_login(c, SMB2_DIALECT_0300, 0);
	blob = h_sess_blob(c, &n);
	assert_int_equal(n, 0); /* raw NTLMSSP: nothing after AUTHENTICATE */
	(void)blob;
	signed_echo(c);
	h_client_free(c);
}

static void test_wrong_password(void **state)
{
	struct h_client *c = h_client_new(*state);
	u64 sid;

	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup_ex(c, "alice", "wrong", H_AUTH_NTLMV2),
			 STATUS_LOGON_FAILURE);
	assert_int_equal(smb_get_le16(h_rbody(c)), 9);
	sid = c->s.id;
	assert_true(sid != 0);
	/* The session was discarded. */
	c->sign = false;
	assert_int_equal(h_tree_connect(c, "share"),
			 STATUS_USER_SESSION_DELETED);
	/* A retry on a fresh session works. */
	c->sign = true;
	assert_int_equal(h_session_setup(c), STATUS_SUCCESS);
	assert_true(c->s.id != sid);
	h_client_free(c);
}

static void test_unknown_user_and_guest(void **state)
{
	struct h_env *e = *state;
	struct h_client *c = h_client_new(e);

	h_negotiate(c, SMB2_DIALECT_0302, 0);
	assert_int_equal(h_session_setup_ex(c, "mallory", "x", H_AUTH_NTLMV2),
			 STATUS_LOGON_FAILURE);
	h_client_free(c);

	e->cfg.map_to_guest = SMB_MAP_TO_GUEST_BAD_USER;
	h_env_start(e);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0302, 0);
	assert_int_equal(h_session_setup_ex(c, "mallory", "x", H_AUTH_NTLMV2),
			 STATUS_SUCCESS);
	assert_int_equal(c->s.flags, SMB2_SESSION_FLAG_IS_GUEST);
	/* A guest session does not sign. */
	assert_false(smb_get_le32(h_rhdr(c) + SMB2_HDR_FLAGS) &
		     SMB2_FLAGS_SIGNED);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_ACCESS_DENIED);
	assert_int_equal(h_tree_connect(c, "IPC$"), STATUS_SUCCESS);
	/* Bad passwords of known users are not mapped with "bad user". */
	h_client_free(c);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0302, 0);
	assert_int_equal(h_session_setup_ex(c, "alice", "nope", H_AUTH_NTLMV2),
			 STATUS_LOGON_FAILURE);
	h_client_free(c);

	/* With "bad password" they are. */
	e->cfg.map_to_guest = SMB_MAP_TO_GUEST_BAD_PASSWORD;
	e->shares[0].guest_ok = true;
	h_env_start(e);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0302, 0);
	assert_int_equal(h_session_setup_ex(c, "alice", "nope", H_AUTH_NTLMV2),
			 STATUS_SUCCESS);
	assert_int_equal(c->s.flags, SMB2_SESSION_FLAG_IS_GUEST);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	h_client_free(c);

	/* Signing mandatory: no guests. */
	e->cfg.signing = SMB_SIGNING_MANDATORY;
	h_env_start(e);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0302, 0);
	assert_int_equal(h_session_setup_ex(c, "alice", "nope", H_AUTH_NTLMV2),
			 STATUS_LOGON_FAILURE);
	h_client_free(c);
}

static void test_ntlmv1_refused(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;

	e->cfg.map_to_guest = SMB_MAP_TO_GUEST_BAD_PASSWORD;
	h_env_start(e);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0210, 0);
	assert_int_equal(h_session_setup_ex(c, "alice", "secret",
					    H_AUTH_NTLMV1),
			 STATUS_LOGON_FAILURE);
	h_client_free(c);
}

static void test_anonymous(void **state)
{
	struct h_env *e = *state;
	struct h_client *c = h_client_new(e);

	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup_ex(c, "", "", H_AUTH_ANONYMOUS),
			 STATUS_LOGON_FAILURE);
	h_client_free(c);

	e->cfg.map_to_guest = SMB_MAP_TO_GUEST_BAD_USER;
	h_env_start(e);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup_ex(c, "", "", H_AUTH_ANONYMOUS),
			 STATUS_SUCCESS);
	assert_int_equal(c->s.flags, SMB2_SESSION_FLAG_IS_NULL);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_ACCESS_DENIED);
	assert_int_equal(h_tree_connect(c, "IPC$"), STATUS_SUCCESS);
	/* No re-authentication of a null session. */
	{
		struct h_req r;
		u8 sec[128];
		size_t n;
		const u8 *mechs[1] = { h_oid_ntlmssp };

		client_negotiate(&c->ntlm);
		n = h_spnego_init(sec, mechs, 1, c->ntlm.neg, c->ntlm.neg_len);
		h_build_session_setup(c, &r, sec, n);
		assert_int_equal(h_call(c, &r), STATUS_REQUEST_NOT_ACCEPTED);
	}
	h_client_free(c);
}

/* The client asks for signing: unsigned requests are refused. */
static void test_signing_required_by_client(void **state)
{
	struct h_client *c = h_client_new(*state);
	struct h_req r;

	c->security_mode |= SMB2_NEGOTIATE_SIGNING_REQUIRED;
	h_login(c, SMB2_DIALECT_0302, 0);
	h_build_tree_connect(c, &r, "share");
	assert_int_equal(h_call_unsigned(c, &r), STATUS_ACCESS_DENIED);
	h_build_small(c, &r, SMB2_ECHO);
	assert_int_equal(h_call_unsigned(c, &r), STATUS_ACCESS_DENIED);
	/* Signed, it works, and every response is signed. */
	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	assert_true(smb_get_le32(h_rhdr(c) + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_SIGNED);
	h_client_free(c);
}

static void test_signing_required_by_server(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;
	struct h_req r;

	e->cfg.signing = SMB_SIGNING_MANDATORY;
	h_env_start(e);
	for (size_t i = 0; i < ARRAY_SIZE(dialects); i++) {
		c = h_client_new(e);
		h_login(c, dialects[i], SMB2_SIGNING_AES_GMAC);
		h_build_tree_connect(c, &r, "share");
		assert_int_equal(h_call_unsigned(c, &r), STATUS_ACCESS_DENIED);
		assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
		h_client_free(c);
	}
}

static void test_tampered_signature(void **state)
{
	struct h_client *c = h_client_new(*state);
	struct h_req r;

	h_login(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	/* Flip a signature bit. */
	h_build_tree_connect(c, &r, "share");
	h_sign_req(c, &r);
	r.p[SMB2_HDR_SIGNATURE + 3] ^= 0x40;
	assert_int_equal(h_send_raw(c, r.p, r.len), 0);
	h_req_free(&r);
	h_recv(c);
	assert_int_equal(h_rstatus(c), STATUS_ACCESS_DENIED);
	/* Change the body after signing. */
	h_build_tree_connect(c, &r, "share");
	h_sign_req(c, &r);
	r.p[r.len - 2] ^= 1;
	assert_int_equal(h_send_raw(c, r.p, r.len), 0);
	h_req_free(&r);
	h_recv(c);
	assert_int_equal(h_rstatus(c), STATUS_ACCESS_DENIED);
	/* And nothing was connected. */
	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(h_rhdr(c) + SMB2_HDR_TREE_ID), 1);
	h_client_free(c);
}

static void test_logoff(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 fid[16] = { 0 };

	h_connect(c, SMB2_DIALECT_0311, "share");
	h_open_rw(c, "f.txt", FILE_CREATE, fid);
	assert_int_equal(h_simple(c, SMB2_LOGOFF), STATUS_SUCCESS);
	/* The LOGOFF response is still signed with the session's key. */
	assert_true(smb_get_le32(h_rhdr(c) + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_SIGNED);
	assert_int_equal(smb_get_le16(h_rbody(c)), 4);
	/* The old session is gone, with its trees and opens. */
	c->sign = false;
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	assert_int_equal(h_tree_connect(c, "share"),
			 STATUS_USER_SESSION_DELETED);
	assert_int_equal(h_close(c, fid), STATUS_USER_SESSION_DELETED);
	assert_int_equal(h_simple(c, SMB2_LOGOFF), STATUS_USER_SESSION_DELETED);
	h_client_free(c);
}

static void test_logoff_and_echo_bad_size(void **state)
{
	struct h_client *c = h_client_new(*state);
	struct h_req r;

	h_login(c, SMB2_DIALECT_0210, 0);
	h_build_small(c, &r, SMB2_LOGOFF);
	h_set16(&r, H_BODY, 5);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_small(c, &r, SMB2_ECHO);
	r.len = H_BODY + 2;
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* The session survived the bad LOGOFF. */
	signed_echo(c);
	h_client_free(c);
}

/* ECHO needs no session. */
static void test_echo_without_session(void **state)
{
	struct h_client *c = h_client_new(*state);

	h_negotiate(c, SMB2_DIALECT_0300, 0);
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	assert_int_equal(smb_get_le16(h_rbody(c)), 4);
	c->s.id = 0x1234;
	assert_int_equal(h_simple(c, SMB2_ECHO), STATUS_SUCCESS);
	h_client_free(c);
}

static void session_setup_expect(struct h_client *c, struct h_req *r,
				 u32 status)
{
	assert_int_equal(h_call(c, r), status);
}

static void test_malformed_session_setup(void **state)
{
	const u8 *mechs[1] = { h_oid_ntlmssp };
	struct h_client *c = h_client_new(*state);
	u8 sec[512];
	size_t n;
	struct h_req r;

	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	client_negotiate(&c->ntlm);
	n = h_spnego_init(sec, mechs, 1, c->ntlm.neg, c->ntlm.neg_len);

	h_build_session_setup(c, &r, sec, n);
	h_set16(&r, H_BODY, 24);
	session_setup_expect(c, &r, STATUS_INVALID_PARAMETER);
	/* SecurityBufferOffset past the end, inside the header, or length 0 */
	h_build_session_setup(c, &r, sec, n);
	h_set16(&r, H_BODY + 12, (u16)r.len);
	session_setup_expect(c, &r, STATUS_INVALID_PARAMETER);
	h_build_session_setup(c, &r, sec, n);
	h_set16(&r, H_BODY + 12, 8);
	session_setup_expect(c, &r, STATUS_INVALID_PARAMETER);
	h_build_session_setup(c, &r, sec, n);
	h_set16(&r, H_BODY + 14, 0xffff);
	session_setup_expect(c, &r, STATUS_INVALID_PARAMETER);
	h_build_session_setup(c, &r, sec, n);
	h_set16(&r, H_BODY + 14, 0);
	session_setup_expect(c, &r, STATUS_INVALID_PARAMETER);
	/* Truncated fixed part. */
	h_build_session_setup(c, &r, sec, n);
	r.len = H_BODY + 20;
	session_setup_expect(c, &r, STATUS_INVALID_PARAMETER);
	/* Garbage instead of SPNEGO. */
	memset(sec, 0x41, 64);
	h_build_session_setup(c, &r, sec, 64);
	session_setup_expect(c, &r, STATUS_INVALID_PARAMETER);
	/* Binding is not offered. */
	n = h_spnego_init(sec, mechs, 1, c->ntlm.neg, c->ntlm.neg_len);
	h_build_session_setup(c, &r, sec, n);
	r.p[H_BODY + 2] = SMB2_SESSION_FLAG_BINDING;
	session_setup_expect(c, &r, STATUS_REQUEST_NOT_ACCEPTED);
	/* An unknown session id. */
	h_build_session_setup(c, &r, sec, n);
	h_set64(&r, SMB2_HDR_SESSION_ID, 0x777);
	session_setup_expect(c, &r, STATUS_USER_SESSION_DELETED);
	/* Kerberos only. */
	{
		const u8 *krb[1] = { h_oid_krb5 };

		n = h_spnego_init(sec, krb, 1, NULL, 0);
		h_build_session_setup(c, &r, sec, n);
		session_setup_expect(c, &r, STATUS_LOGON_FAILURE);
	}
	/* An AUTHENTICATE before any NEGOTIATE/CHALLENGE. */
	{
		static const u8 chal_stub[56] = { 'N', 'T', 'L', 'M', 'S',
						  'S', 'P', 0,	 2 };

		c->ntlm.user = "alice";
		c->ntlm.domain = "W";
		c->ntlm.password = "secret";
		client_authenticate(&c->ntlm, chal_stub, sizeof(chal_stub));
		n = h_spnego_resp(sec, c->ntlm.auth, c->ntlm.auth_len);
		h_build_session_setup(c, &r, sec, n);
		session_setup_expect(c, &r, STATUS_INVALID_PARAMETER);
	}
	/* After all that, a normal logon still works. */
	assert_int_equal(h_session_setup(c), STATUS_SUCCESS);
	h_client_free(c);
}

/* Kerberos preferred, NTLMSSP offered second: the server proposes NTLMSSP. */
static void test_mech_proposal(void **state)
{
	const u8 *mechs[2] = { h_oid_krb5, h_oid_ntlmssp };
	struct h_client *c = h_client_new(*state);
	struct spnego_token t;
	const u8 *blob;
	u8 sec[512];
	size_t n;
	struct h_req r;

	h_negotiate(c, SMB2_DIALECT_0300, 0);
	n = h_spnego_init(sec, mechs, 2, (const u8 *)"krb5-token", 10);
	h_build_session_setup(c, &r, sec, n);
	assert_int_equal(h_call(c, &r), STATUS_MORE_PROCESSING_REQUIRED);
	blob = h_sess_blob(c, &n);
	assert_int_equal(spnego_parse(blob, n, &t), 0);
	assert_int_equal(t.kind, SPNEGO_KIND_RESP);
	assert_int_equal(t.supported_mech, SPNEGO_MECH_NTLMSSP);
	assert_null(t.mech_token);
	/* Continue on that session with an NTLMSSP NEGOTIATE. */
	c->s.id = smb_get_le64(h_rhdr(c) + SMB2_HDR_SESSION_ID);
	client_negotiate(&c->ntlm);
	n = h_spnego_resp(sec, c->ntlm.neg, c->ntlm.neg_len);
	h_build_session_setup(c, &r, sec, n);
	assert_int_equal(h_call(c, &r), STATUS_MORE_PROCESSING_REQUIRED);
	assert_int_equal(smb_get_le64(h_rhdr(c) + SMB2_HDR_SESSION_ID),
			 c->s.id);
	h_client_free(c);
}

/* Re-authentication of a valid session keeps its keys. */
static void test_reauth(void **state)
{
	const u8 *mechs[1] = { h_oid_ntlmssp };
	struct h_client *c = h_client_new(*state);
	struct spnego_token t;
	u8 sec[4096];
	const u8 *blob;
	size_t n;
	struct h_req r;

	h_login(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	client_negotiate(&c->ntlm);
	n = h_spnego_init(sec, mechs, 1, c->ntlm.neg, c->ntlm.neg_len);
	h_build_session_setup(c, &r, sec, n);
	assert_int_equal(h_call(c, &r), STATUS_MORE_PROCESSING_REQUIRED);
	blob = h_sess_blob(c, &n);
	assert_int_equal(spnego_parse(blob, n, &t), 0);
	client_authenticate(&c->ntlm, t.mech_token, t.mech_token_len);
	n = h_spnego_resp(sec, c->ntlm.auth, c->ntlm.auth_len);
	h_build_session_setup(c, &r, sec, n);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	signed_echo(c);
	h_client_free(c);
}

/*
 * Re-authentication as another user replaces the user, not the keys
 * ([MS-SMB2] 3.3.5.5.3): the response is signed with the session's key,
 * opens stay valid, and a wrong password ends the session.
 */
static void test_reauth_other_user(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 fid[16];

	h_login(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "reauth.txt", FILE_READ_DATA, 7,
				  FILE_OPEN_IF, 0, fid),
			 STATUS_SUCCESS);
	assert_int_equal(h_reauth(c, "bob", "hunter2"), STATUS_SUCCESS);
	assert_int_equal(smb_get_le16(h_rbody(c) + 2) &
				 (SMB2_SESSION_FLAG_IS_GUEST |
				  SMB2_SESSION_FLAG_IS_NULL),
			 0);
	signed_echo(c);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	assert_int_equal(h_reauth(c, "alice", "secret"), STATUS_SUCCESS);
	signed_echo(c);
	assert_int_equal(h_reauth(c, "alice", "wrong"), STATUS_LOGON_FAILURE);
	assert_int_equal(h_tree_connect(c, "share"),
			 STATUS_USER_SESSION_DELETED);
	h_client_free(c);
}

/* Sessions are per connection. */
static void test_session_of_other_connection(void **state)
{
	struct h_client *a = h_client_new(*state);
	struct h_client *b = h_client_new(*state);

	h_login(a, SMB2_DIALECT_0302, 0);
	h_negotiate(b, SMB2_DIALECT_0302, 0);
	b->s = a->s;
	b->sign_algo = a->sign_algo;
	assert_int_equal(h_tree_connect(b, "share"),
			 STATUS_USER_SESSION_DELETED);
	h_client_free(a);
	h_client_free(b);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_login_each_dialect),
		T(test_reauth_other_user),
		T(test_login_311_signing_algos),
		T(test_client_detects_wrong_key),
		T(test_raw_ntlmssp),
		T(test_wrong_password),
		T(test_unknown_user_and_guest),
		T(test_ntlmv1_refused),
		T(test_anonymous),
		T(test_signing_required_by_client),
		T(test_signing_required_by_server),
		T(test_tampered_signature),
		T(test_logoff),
		T(test_logoff_and_echo_bad_size),
		T(test_echo_without_session),
		T(test_malformed_session_setup),
		T(test_mech_proposal),
		T(test_reauth),
		T(test_session_of_other_connection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
