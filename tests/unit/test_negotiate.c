// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for core/negotiate.c: SMB2 NEGOTIATE, 3.1.1 contexts, SMB1 upgrade. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

#define STATUS_NO_PREAUTH_OVERLAP 0xc05d0000u

static const u16 all_dialects[] = { SMB2_DIALECT_0202, SMB2_DIALECT_0210,
				    SMB2_DIALECT_0300, SMB2_DIALECT_0302,
				    SMB2_DIALECT_0311 };

/* Every dialect alone: the fixed response fields of [MS-SMB2] 2.2.4. */
static void test_each_dialect(void **state)
{
	struct h_env *e = *state;

	for (size_t i = 0; i < ARRAY_SIZE(all_dialects); i++) {
		struct h_client *c = h_client_new(e);
		u16 d = all_dialects[i];
		const u8 *b, *sec;
		struct spnego_token t;

		h_negotiate(c, d, SMB2_SIGNING_AES_CMAC);
		b = h_rbody(c);
		assert_int_equal(smb_get_le16(b + 2),
				 SMB2_NEGOTIATE_SIGNING_ENABLED);
		assert_memory_equal(b + 8, "ksmbd-test-guid!", 16);
		assert_int_equal(!!(smb_get_le32(b + 24) &
				    SMB2_GLOBAL_CAP_LARGE_MTU),
				 d != SMB2_DIALECT_0202);
		assert_int_equal(smb_get_le32(b + 32),
				 d == SMB2_DIALECT_0202 ? 65536 : 1024 * 1024);
		assert_int_equal(smb_get_le64(b + 40), H_NOW_NT);
		assert_int_equal(smb_get_le16(b + 56), 128);
		/* The security buffer holds the SPNEGO hints offering NTLMSSP. */
		sec = h_rhdr(c) + 128;
		assert_true(128 + (size_t)smb_get_le16(b + 58) <= c->last->len);
		assert_int_equal(spnego_parse(sec, smb_get_le16(b + 58), &t),
				 0);
		assert_int_equal(t.kind, SPNEGO_KIND_INIT);
		assert_true(t.mechs & SPNEGO_MECH_NTLMSSP);
		/* The header: response flag, credits granted, message id 0. */
		assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_CREDIT), 16);
		assert_int_equal(smb_get_le64(h_rhdr(c) + SMB2_HDR_MESSAGE_ID),
				 0);
		assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_COMMAND),
				 SMB2_NEGOTIATE);
		assert_int_equal(smb_get_le16(b + 6),
				 d == SMB2_DIALECT_0311 ? 2 : 0);
		h_client_free(c);
	}
}

static void test_highest_common_dialect(void **state)
{
	struct h_env *e = *state;
	struct h_neg n = { all_dialects, 5, NULL, 0, false, false };
	struct h_client *c = h_client_new(e);

	assert_int_equal(h_negotiate_ex(c, &n), STATUS_SUCCESS);
	assert_int_equal(c->dialect, SMB2_DIALECT_0311);
	h_client_free(c);

	/* Unknown dialects in the list are skipped. */
	{
		u16 odd[] = { 0x0222, SMB2_DIALECT_0210, 0x0400, 0x02ff };
		struct h_neg m = { odd, 4, NULL, 0, false, false };

		c = h_client_new(e);
		assert_int_equal(h_negotiate_ex(c, &m), STATUS_SUCCESS);
		assert_int_equal(c->dialect, SMB2_DIALECT_0210);
		h_client_free(c);
	}

	e->cfg.max_dialect = SMB2_DIALECT_0300;
	h_env_start(e);
	c = h_client_new(e);
	assert_int_equal(h_negotiate_ex(c, &n), STATUS_SUCCESS);
	assert_int_equal(c->dialect, SMB2_DIALECT_0300);
	h_client_free(c);

	e->cfg.min_dialect = SMB2_DIALECT_0300;
	h_env_start(e);
	c = h_client_new(e);
	n.ndialects = 2; /* 2.0.2 and 2.1 only */
	assert_int_equal(h_negotiate_ex(c, &n), STATUS_NOT_SUPPORTED);
	/* The failed NEGOTIATE left the connection unnegotiated: retry. */
	n.ndialects = 3;
	assert_int_equal(h_negotiate_ex(c, &n), STATUS_SUCCESS);
	assert_int_equal(c->dialect, SMB2_DIALECT_0300);
	h_client_free(c);
}

/* 3.1.1: the signing algorithm follows the client's offer. */
static void test_signing_capabilities(void **state)
{
	static const struct {
		u16 offer[3];
		int n;
		int want; /* -1: no SIGNING_CAPABILITIES in the response */
	} cases[] = {
		{ { SMB2_SIGNING_AES_CMAC, SMB2_SIGNING_AES_GMAC },
		  2,
		  SMB2_SIGNING_AES_GMAC },
		{ { SMB2_SIGNING_AES_CMAC }, 1, SMB2_SIGNING_AES_CMAC },
		{ { SMB2_SIGNING_HMAC_SHA256 }, 1, SMB2_SIGNING_HMAC_SHA256 },
		{ { 0x0077 }, 1, SMB2_SIGNING_AES_CMAC },
		{ { 0 }, 0, -1 },
	};
	struct h_env *e = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		u16 d = SMB2_DIALECT_0311;
		struct h_neg n = { &d,	       1,     cases[i].offer,
				   cases[i].n, false, true };
		struct h_client *c = h_client_new(e);
		const u8 *b;
		u32 off;
		u16 cnt;
		bool saw_preauth = false, saw_sign = false, saw_enc = false;

		assert_int_equal(h_negotiate_ex(c, &n), STATUS_SUCCESS);
		b = h_rbody(c);
		cnt = smb_get_le16(b + 6);
		off = smb_get_le32(b + 60);
		assert_int_equal(off & 7, 0);
		/* The offered ENCRYPTION_CAPABILITIES is answered too. */
		assert_int_equal(cnt, cases[i].want < 0 ? 2 : 3);
		for (u16 k = 0; k < cnt; k++) {
			const u8 *p;

			off = (off + 7) & ~7u;
			p = c->last->data + off;
			if (smb_get_le16(p) ==
			    SMB2_PREAUTH_INTEGRITY_CAPABILITIES) {
				assert_int_equal(smb_get_le16(p + 2), 38);
				assert_int_equal(smb_get_le16(p + 8), 1);
				assert_int_equal(smb_get_le16(p + 10), 32);
				assert_int_equal(smb_get_le16(p + 12),
						 SMB2_PREAUTH_INTEGRITY_SHA512);
				saw_preauth = true;
			} else if (smb_get_le16(p) ==
				   SMB2_ENCRYPTION_CAPABILITIES) {
				/* The harness offers GCM, CCM: GCM wins. */
				assert_int_equal(smb_get_le16(p + 8), 1);
				assert_int_equal(smb_get_le16(p + 10),
						 SMB2_ENCRYPTION_AES128_GCM);
				saw_enc = true;
			} else {
				assert_int_equal(smb_get_le16(p),
						 SMB2_SIGNING_CAPABILITIES);
				assert_int_equal(smb_get_le16(p + 10),
						 cases[i].want);
				saw_sign = true;
			}
			off += 8u + smb_get_le16(p + 2);
		}
		assert_true(off <= c->last->len);
		assert_true(saw_preauth);
		assert_true(saw_enc);
		assert_int_equal(saw_sign, cases[i].want >= 0);
		assert_int_equal(c->sign_algo, cases[i].want < 0 ?
						       SMB2_SIGNING_AES_CMAC :
						       cases[i].want);
		h_client_free(c);
	}
}

/* Build a 3.1.1 NEGOTIATE and let the test corrupt it. */
static struct h_client *neg311(struct h_env *e, struct h_req *r)
{
	static const u16 d = SMB2_DIALECT_0311;
	static const u16 algo = SMB2_SIGNING_AES_CMAC;
	struct h_neg n = { &d, 1, &algo, 1, false, false };
	struct h_client *c = h_client_new(e);

	h_build_negotiate(c, r, &n);
	return c;
}

static void expect_neg_status(struct h_client *c, struct h_req *r, u32 st)
{
	assert_int_equal(h_call(c, r), st);
	assert_int_equal(smb_get_le16(h_rbody(c)), 9);
	h_client_free(c);
}

static void test_bad_contexts(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;
	struct h_req r;
	/* The first context sits at 64 + 36 + 2 = 102 -> 104. */
	const size_t ctx0 = 104;

	/* No preauth context at all. */
	{
		static const u16 d = SMB2_DIALECT_0311;
		struct h_neg n = { &d, 1, NULL, 0, true, true };

		c = h_client_new(e);
		h_build_negotiate(c, &r, &n);
		expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	}
	/* NegotiateContextCount 0. */
	c = neg311(e, &r);
	h_set16(&r, H_BODY + 32, 0);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* NegotiateContextOffset past the end. */
	c = neg311(e, &r);
	h_set32(&r, H_BODY + 28, (u32)r.len + 8);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* Offset near U32_MAX must not wrap. */
	c = neg311(e, &r);
	h_set32(&r, H_BODY + 28, 0xfffffff8u);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* Count larger than what is there. */
	c = neg311(e, &r);
	h_set16(&r, H_BODY + 32, 0xffff);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* A context's DataLength running past the end. */
	c = neg311(e, &r);
	h_set16(&r, ctx0 + 2, 0xfff0);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* HashAlgorithmCount 0, and a count larger than the data. */
	c = neg311(e, &r);
	h_set16(&r, ctx0 + 8, 0);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	c = neg311(e, &r);
	h_set16(&r, ctx0 + 8, 200);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* SaltLength past the context. */
	c = neg311(e, &r);
	h_set16(&r, ctx0 + 10, 0xffff);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* Only an unknown hash algorithm. */
	c = neg311(e, &r);
	h_set16(&r, ctx0 + 12, 0x0002);
	expect_neg_status(c, &r, STATUS_NO_PREAUTH_OVERLAP);
	/* A SIGNING_CAPABILITIES with SigningAlgorithmCount past its data. */
	c = neg311(e, &r);
	h_set16(&r, ctx0 + 48 + 8, 50);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* Two preauth contexts. */
	c = neg311(e, &r);
	h_set16(&r, ctx0 + 48, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
}

static void test_bad_negotiate_body(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;
	struct h_req r;
	u16 d = SMB2_DIALECT_0210;
	struct h_neg n = { &d, 1, NULL, 0, false, false };

	/* StructureSize not 36. */
	c = h_client_new(e);
	h_build_negotiate(c, &r, &n);
	h_set16(&r, H_BODY, 37);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* DialectCount 0. */
	c = h_client_new(e);
	h_build_negotiate(c, &r, &n);
	h_set16(&r, H_BODY + 2, 0);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* DialectCount far beyond the PDU. */
	c = h_client_new(e);
	h_build_negotiate(c, &r, &n);
	h_set16(&r, H_BODY + 2, 0xffff);
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* A body shorter than its fixed part. */
	c = h_client_new(e);
	h_build_negotiate(c, &r, &n);
	r.len = H_BODY + 20;
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
	/* A header and nothing else. */
	c = h_client_new(e);
	h_build_negotiate(c, &r, &n);
	r.len = H_BODY;
	expect_neg_status(c, &r, STATUS_INVALID_PARAMETER);
}

static void test_second_negotiate_drops(void **state)
{
	struct h_client *c = h_client_new(*state);
	struct h_req r;
	u16 d = SMB2_DIALECT_0300;
	struct h_neg n = { &d, 1, NULL, 0, false, false };

	h_negotiate(c, SMB2_DIALECT_0300, 0);
	h_build_negotiate(c, &r, &n);
	h_call_drop(c, &r);
	assert_null(c->tc.head);
	h_client_free(c);
}

static void test_requests_before_negotiate_drop(void **state)
{
	static const u16 cmds[] = { SMB2_SESSION_SETUP, SMB2_ECHO,
				    SMB2_TREE_CONNECT, SMB2_CANCEL, 0x99 };

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		struct h_client *c = h_client_new(*state);
		struct h_req r;

		h_build_small(c, &r, cmds[i]);
		h_call_drop(c, &r);
		h_client_free(c);
	}
}

static void test_negotiate_in_compound_drops(void **state)
{
	struct h_client *c = h_client_new(*state);
	struct h_req r[2];
	u16 d = SMB2_DIALECT_0300;
	struct h_neg n = { &d, 1, NULL, 0, false, false };

	h_build_negotiate(c, &r[0], &n);
	h_build_small(c, &r[1], SMB2_ECHO);
	assert_true(h_send_chain(c, r, 2) < 0);
	assert_null(c->tc.head);
	h_client_free(c);

	/* Second in a chain too. */
	c = h_client_new(*state);
	h_negotiate(c, SMB2_DIALECT_0300, 0);
	h_build_small(c, &r[0], SMB2_ECHO);
	h_build_negotiate(c, &r[1], &n);
	assert_true(h_send_chain(c, r, 2) < 0);
	h_client_free(c);
}

/* An SMB1 NEGOTIATE with the given dialect strings. */
static size_t build_smb1_neg(u8 *p, const char *const *names, int n)
{
	size_t pos = 35;

	memset(p, 0, 35);
	p[0] = 0xff;
	memcpy(p + 1, "SMB", 3);
	p[4] = 0x72;
	for (int i = 0; i < n; i++) {
		p[pos++] = 0x02;
		memcpy(p + pos, names[i], strlen(names[i]) + 1);
		pos += strlen(names[i]) + 1;
	}
	smb_put_le16(p + 33, (u16)(pos - 35));
	return pos;
}

static void test_smb1_upgrade_wildcard(void **state)
{
	static const char *const names[] = { "NT LM 0.12", "SMB 2.002",
					     "SMB 2.???" };
	struct h_client *c = h_client_new(*state);
	u8 pdu[256];
	size_t n = build_smb1_neg(pdu, names, 3);
	const u8 *b;

	assert_int_equal(h_send_raw(c, pdu, n), 0);
	assert_non_null(h_recv(c));
	assert_int_equal(h_rstatus(c), STATUS_SUCCESS);
	b = h_rbody(c);
	assert_int_equal(smb_get_le16(b), 65);
	assert_int_equal(smb_get_le16(b + 4), SMB2_DIALECT_WILDCARD);
	assert_int_equal(smb_get_le16(h_rhdr(c) + SMB2_HDR_COMMAND),
			 SMB2_NEGOTIATE);
	/* The SMB2 NEGOTIATE that follows uses message id 1. */
	c->mid = 1;
	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_GMAC);
	assert_int_equal(smb_get_le64(h_rhdr(c) + SMB2_HDR_MESSAGE_ID), 1);
	assert_int_equal(h_session_setup(c), STATUS_SUCCESS);
	h_client_free(c);

	/* A second SMB1 NEGOTIATE after the upgrade is refused. */
	c = h_client_new(*state);
	assert_int_equal(h_send_raw(c, pdu, n), 0);
	assert_true(h_send_raw(c, pdu, n) < 0);
	h_client_free(c);
}

static void test_smb1_upgrade_202(void **state)
{
	static const char *const names[] = { "NT LM 0.12", "SMB 2.002" };
	struct h_client *c = h_client_new(*state);
	u8 pdu[256];
	size_t n = build_smb1_neg(pdu, names, 2);

	assert_int_equal(h_send_raw(c, pdu, n), 0);
	assert_non_null(h_recv(c));
	assert_int_equal(smb_get_le16(h_rbody(c) + 4), SMB2_DIALECT_0202);
	c->dialect = SMB2_DIALECT_0202;
	c->sign_algo = SMB2_SIGNING_HMAC_SHA256;
	c->mid = 1;
	/* Already negotiated: straight to SESSION_SETUP. */
	assert_int_equal(h_session_setup(c), STATUS_SUCCESS);
	/* SMB1 again is a protocol error now. */
	assert_true(h_send_raw(c, pdu, n) < 0);
	h_client_free(c);
}

static void test_smb1_malformed(void **state)
{
	static const char *const nt_only[] = { "NT LM 0.12" };
	static const char *const both[] = { "SMB 2.002", "SMB 2.???" };
	struct h_client *c;
	u8 pdu[256];
	size_t n;

	/* No SMB2 dialect. */
	c = h_client_new(*state);
	n = build_smb1_neg(pdu, nt_only, 1);
	assert_true(h_send_raw(c, pdu, n) < 0);
	h_client_free(c);
	/* ByteCount past the end. */
	c = h_client_new(*state);
	n = build_smb1_neg(pdu, both, 2);
	smb_put_le16(pdu + 33, 500);
	assert_true(h_send_raw(c, pdu, n) < 0);
	h_client_free(c);
	/* A dialect string without its NUL. */
	c = h_client_new(*state);
	n = build_smb1_neg(pdu, both, 2);
	smb_put_le16(pdu + 33, (u16)(n - 1 - 35));
	assert_true(h_send_raw(c, pdu, n - 1) < 0);
	h_client_free(c);
	/* Wrong buffer format byte. */
	c = h_client_new(*state);
	n = build_smb1_neg(pdu, both, 2);
	pdu[35] = 0x04;
	assert_true(h_send_raw(c, pdu, n) < 0);
	h_client_free(c);
	/* Not a NEGOTIATE, and truncated headers. */
	c = h_client_new(*state);
	n = build_smb1_neg(pdu, both, 2);
	pdu[4] = 0x73;
	assert_true(h_send_raw(c, pdu, n) < 0);
	h_client_free(c);
	for (size_t len = 0; len < 35; len += 3) {
		c = h_client_new(*state);
		n = build_smb1_neg(pdu, both, 2);
		assert_true(h_send_raw(c, pdu, len) < 0);
		h_client_free(c);
	}
	/* Only "SMB 2.002" when the server's minimum is 3.0. */
	{
		struct h_env *e = *state;
		static const char *const only202[] = { "SMB 2.002" };

		e->cfg.min_dialect = SMB2_DIALECT_0300;
		h_env_start(e);
		c = h_client_new(e);
		n = build_smb1_neg(pdu, only202, 1);
		assert_true(h_send_raw(c, pdu, n) < 0);
		h_client_free(c);
	}
}

static void test_signing_mandatory_mode(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;

	e->cfg.signing = SMB_SIGNING_MANDATORY;
	h_env_start(e);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0302, 0);
	assert_int_equal(c->server_security_mode,
			 SMB2_NEGOTIATE_SIGNING_ENABLED |
				 SMB2_NEGOTIATE_SIGNING_REQUIRED);
	h_client_free(c);
}

/* The transport's PDU limit bounds the negotiated sizes. */
static void test_transport_limits(void **state)
{
	struct h_client *c = h_client_new(*state);

	smb_conn_free(c->conn);
	c->tc.max_pdu = 65536 + 1024;
	c->conn = smb_conn_new(c->env->srv, &h_transport, &c->tc);
	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(c->max_read, 65536);
	assert_int_equal(c->max_write, 65536);
	assert_int_equal(c->max_trans, 65536);
	h_client_free(c);

	/*
	 * SMB Direct's 1 MiB fragment limit: whole 64 KiB units, not
	 * 1 MiB - 1024 (Linux cifs needs page multiples).
	 */
	c = h_client_new(*state);
	smb_conn_free(c->conn);
	c->tc.max_pdu = 1024 * 1024;
	c->conn = smb_conn_new(c->env->srv, &h_transport, &c->tc);
	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(c->max_read, 15 * 65536);
	assert_int_equal(c->max_write, 15 * 65536);
	h_client_free(c);

	/* Below 64 KiB: whole pages. */
	c = h_client_new(*state);
	smb_conn_free(c->conn);
	c->tc.max_pdu = 40000;
	c->conn = smb_conn_new(c->env->srv, &h_transport, &c->tc);
	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(c->max_read, 36864);
	assert_int_equal(c->max_write, 36864);
	h_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_each_dialect, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_highest_common_dialect,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_signing_capabilities,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_bad_contexts, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_bad_negotiate_body,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_second_negotiate_drops,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(
			test_requests_before_negotiate_drop, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(
			test_negotiate_in_compound_drops, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_smb1_upgrade_wildcard,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_smb1_upgrade_202, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_smb1_malformed, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_signing_mandatory_mode,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_transport_limits, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
