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
#include "platform.h"
#include "smb_harness.h"

#include "bind.h"
#include "crypt.h"

enum bind_signing {
	BIND_SIGNED,
	BIND_UNSIGNED,
	BIND_BAD_SIGNATURE,
};

/*
 * Send from c2 a binding SESSION_SETUP for c1's session, signed with its
 * key and c2's algorithm; returns the status, and whether the answer
 * verifies with that key in *signed_ok.
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

		assert_int_equal(smb2_sign(c2->env->ops.crypto, c2->sign_algo,
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
		     smb2_verify(c2->env->ops.crypto, c2->sign_algo,
				 c1->s.signing_key, h, len);
	return h_status_of(h);
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
	/* HMAC and CMAC channels may mix; binding itself is refused. */
	expect_bind(e, d311, cmac, d311, hmac, STATUS_REQUEST_NOT_ACCEPTED);
	expect_bind(e, d311, cmac, d311, cmac, STATUS_REQUEST_NOT_ACCEPTED);
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
	/* Same cipher: passes the checks. */
	c2 = h_client_new(e);
	assert_int_equal(h_negotiate_311_enc(c2), STATUS_SUCCESS);
	assert_int_equal(bind_from(c2, c1, BIND_SIGNED, true, &signed_ok),
			 STATUS_REQUEST_NOT_ACCEPTED);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
