// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "spnego.h"

#define OID_SPNEGO 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02
#define OID_NTLMSSP \
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a
#define OID_KRB5 \
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02
#define OID_MS_KRB5 \
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02
#define OID_NEGOEX \
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e

/* An NTLMSSP NEGOTIATE as a Windows 10 client sends it (40 bytes). */
#define NTLM_NEGOTIATE                                                         \
	'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 0x01, 0, 0, 0, 0x97, 0x82, 0x08, \
		0xe2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,    \
		0x00, 0x63, 0x45, 0x00, 0x00, 0x00, 0x0f

/* What smbclient and Windows send first: GSS wrapper, [NTLMSSP], token. */
static const u8 init_ntlm[] = {
	0x60, 0x48, OID_SPNEGO,	 0xa0, 0x3e, 0x30, 0x3c, 0xa0,		 0x0e,
	0x30, 0x0c, OID_NTLMSSP, 0xa2, 0x2a, 0x04, 0x28, NTLM_NEGOTIATE,
};

/* Windows with Kerberos available: several mechs, NTLMSSP last. */
static const u8 init_multi[] = {
	0x60,
	0x5a,
	OID_SPNEGO,
	0xa0,
	0x50,
	0x30,
	0x4e,
	0xa0,
	0x30,
	0x30,
	0x2e,
	OID_NEGOEX,
	OID_MS_KRB5,
	OID_KRB5,
	OID_NTLMSSP,
	/* reqFlags and a (bogus) optimistic token */
	0xa1,
	0x04,
	0x03,
	0x02,
	0x00,
	0x00,
	0xa2,
	0x14,
	0x04,
	0x12,
	0x60,
	0x10,
	0x06,
	0x09,
	0x2a,
	0x86,
	0x48,
	0x86,
	0xf7,
	0x12,
	0x01,
	0x02,
	0x02,
	0x01,
	0x00,
	0x6e,
	0x01,
	0x00,
};

/* Second leg: responseToken (AUTHENTICATE stub) and mechListMIC. */
static const u8 resp_auth_mic[] = {
	0xa1, 0x2e, 0x30, 0x2c, 0xa0, 0x03, 0x0a, 0x01, 0x01, 0xa2, 0x0f, 0x04,
	0x0d, 'N',  'T',  'L',	'M',  'S',  'S',  'P',	0,    0x03, 0,	  0,
	0,    0xaa, 0xa3, 0x14, 0x04, 0x12, 0x01, 0x00, 0x00, 0x00, 0x11, 0x22,
	0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const u8 hint_name[] = "not_defined_in_RFC4178@please_ignore";

static void test_neg_hints_bytes(void **state)
{
	static const u8 head[] = { 0x60, 0x48,	      OID_SPNEGO, 0xa0, 0x3e,
				   0x30, 0x3c,	      0xa0,	  0x0e, 0x30,
				   0x0c, OID_NTLMSSP, 0xa3,	  0x2a, 0x30,
				   0x28, 0xa0,	      0x26,	  0x1b, 0x24 };
	u8 out[128];
	int n = spnego_neg_hints(out, sizeof(out));

	assert_int_equal(n, sizeof(head) + 36);
	assert_memory_equal(out, head, sizeof(head));
	assert_memory_equal(out + sizeof(head), hint_name, 36);
	/* Every shorter buffer fails cleanly. */
	for (int i = 0; i < n; i++)
		assert_int_equal(spnego_neg_hints(out, (size_t)i), -1);
}

static void test_neg_hints_parse_back(void **state)
{
	struct spnego_token tok;
	u8 out[160];
	int n;

	n = spnego_neg_hints(out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(spnego_parse(out, (size_t)n, &tok), 0);
	assert_int_equal(tok.kind, SPNEGO_KIND_INIT);
	assert_int_equal(tok.mechs, SPNEGO_MECH_NTLMSSP);
	assert_int_equal(tok.preferred_mech, SPNEGO_MECH_NTLMSSP);
	assert_null(tok.mech_token);
	assert_null(tok.mech_list_mic);

	/* With Kerberos enabled, the Kerberos OIDs come first. */
	n = spnego_neg_hints_mechs(SPNEGO_MECH_NTLMSSP | SPNEGO_MECH_KRB5 |
					   SPNEGO_MECH_MS_KRB5,
				   out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(spnego_parse(out, (size_t)n, &tok), 0);
	assert_int_equal(tok.mechs, SPNEGO_MECH_NTLMSSP | SPNEGO_MECH_KRB5 |
					    SPNEGO_MECH_MS_KRB5);
	assert_int_equal(tok.preferred_mech, SPNEGO_MECH_MS_KRB5);
	assert_int_equal(tok.mech_types_len, 2 + 3 * 11 + 1);
	assert_int_equal(spnego_neg_hints_mechs(0, out, sizeof(out)), -1);
	assert_int_equal(spnego_neg_hints_mechs(SPNEGO_MECH_NEGOEX, out,
						sizeof(out)),
			 -1);
}

static void test_parse_init_ntlm(void **state)
{
	static const u8 negotiate[] = { NTLM_NEGOTIATE };
	struct spnego_token tok;

	assert_int_equal(spnego_parse(init_ntlm, sizeof(init_ntlm), &tok), 0);
	assert_int_equal(tok.kind, SPNEGO_KIND_INIT);
	assert_true(tok.mechs & SPNEGO_MECH_NTLMSSP);
	assert_int_equal(tok.preferred_mech, SPNEGO_MECH_NTLMSSP);
	assert_int_equal(tok.mech_token_len, sizeof(negotiate));
	assert_ptr_equal(tok.mech_token, init_ntlm + sizeof(init_ntlm) - 40);
	assert_memory_equal(tok.mech_token, negotiate, sizeof(negotiate));
	/* mech_types is the MechTypeList SEQUENCE, input of mechListMIC. */
	assert_ptr_equal(tok.mech_types, init_ntlm + 16);
	assert_int_equal(tok.mech_types_len, 14);
	assert_null(tok.mech_list_mic);
	assert_int_equal(tok.neg_state, -1);
	assert_false(spnego_is_raw_ntlmssp(init_ntlm, sizeof(init_ntlm)));
}

static void test_parse_init_multi(void **state)
{
	struct spnego_token tok;

	assert_int_equal(spnego_parse(init_multi, sizeof(init_multi), &tok), 0);
	assert_int_equal(tok.kind, SPNEGO_KIND_INIT);
	assert_int_equal(tok.mechs, SPNEGO_MECH_NEGOEX | SPNEGO_MECH_MS_KRB5 |
					    SPNEGO_MECH_KRB5 |
					    SPNEGO_MECH_NTLMSSP);
	assert_int_equal(tok.preferred_mech, SPNEGO_MECH_NEGOEX);
	assert_int_equal(tok.mech_token_len, 18);
	assert_int_equal(tok.mech_token[0], 0x60);
}

/* A bare [0] NegTokenInit, and one with an RFC 4178 [3] mechListMIC. */
static void test_parse_init_variants(void **state)
{
	static const u8 bare[] = { 0xa0, 0x11, 0x30, 0x0f,    0xa0,
				   0x0d, 0x30, 0x0b, OID_KRB5 };
	static const u8 with_mic[] = { 0xa0, 0x18, 0x30, 0x16,	      0xa0,
				       0x0e, 0x30, 0x0c, OID_NTLMSSP, 0xa3,
				       0x04, 0x04, 0x02, 0xab,	      0xcd };
	static const u8 other_oid[] = { 0xa0, 0x0b, 0x30, 0x09, 0xa0,
					0x07, 0x30, 0x05, 0x06, 0x03,
					0x2a, 0x03, 0x04 };
	struct spnego_token tok;

	assert_int_equal(spnego_parse(bare, sizeof(bare), &tok), 0);
	assert_int_equal(tok.mechs, SPNEGO_MECH_KRB5);
	assert_false(tok.mechs & SPNEGO_MECH_NTLMSSP);
	assert_int_equal(spnego_parse(with_mic, sizeof(with_mic), &tok), 0);
	assert_int_equal(tok.mech_list_mic_len, 2);
	assert_int_equal(tok.mech_list_mic[0], 0xab);
	assert_int_equal(spnego_parse(other_oid, sizeof(other_oid), &tok), 0);
	assert_int_equal(tok.mechs, SPNEGO_MECH_OTHER);
}

static void test_parse_resp(void **state)
{
	struct spnego_token tok;

	assert_int_equal(
		spnego_parse(resp_auth_mic, sizeof(resp_auth_mic), &tok), 0);
	assert_int_equal(tok.kind, SPNEGO_KIND_RESP);
	assert_int_equal(tok.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_int_equal(tok.supported_mech, 0);
	assert_int_equal(tok.mech_token_len, 13);
	assert_memory_equal(tok.mech_token, "NTLMSSP\0\x03", 9);
	assert_int_equal(tok.mech_list_mic_len, 18);
	assert_int_equal(tok.mech_list_mic[0], 0x01);
	assert_ptr_equal(tok.mech_list_mic, resp_auth_mic + 30);
}

static void test_parse_raw(void **state)
{
	static const u8 raw[] = { NTLM_NEGOTIATE };
	struct spnego_token tok;

	assert_true(spnego_is_raw_ntlmssp(raw, sizeof(raw)));
	assert_false(spnego_is_raw_ntlmssp(raw, 7));
	assert_int_equal(spnego_parse(raw, sizeof(raw), &tok), 0);
	assert_int_equal(tok.kind, SPNEGO_KIND_RAW_NTLMSSP);
	assert_ptr_equal(tok.mech_token, raw);
	assert_int_equal(tok.mech_token_len, sizeof(raw));
}

static void test_build_resp(void **state)
{
	static const u8 done[] = { 0xa1, 0x07, 0x30, 0x05, 0xa0,
				   0x03, 0x0a, 0x01, 0x00 };
	static const u8 challenge_head[] = { 0xa1, 0x81,	0x9c, 0x30,
					     0x81, 0x99,	0xa0, 0x03,
					     0x0a, 0x01,	0x01, 0xa1,
					     0x0c, OID_NTLMSSP, 0xa2, 0x81,
					     0x83, 0x04,	0x81, 0x80 };
	static const u8 reject[] = { 0xa1, 0x07, 0x30, 0x05, 0xa0,
				     0x03, 0x0a, 0x01, 0x02 };
	u8 token[128], out[400];
	struct spnego_token tok;
	int n;

	n = spnego_build_resp(SPNEGO_ACCEPT_COMPLETED, false, NULL, 0, out,
			      sizeof(out));
	assert_int_equal(n, sizeof(done));
	assert_memory_equal(out, done, sizeof(done));
	n = spnego_build_resp(SPNEGO_REJECT, false, NULL, 0, out, sizeof(out));
	assert_int_equal(n, sizeof(reject));
	assert_memory_equal(out, reject, sizeof(reject));

	/* A 128-byte CHALLENGE needs long-form lengths at each level. */
	for (int i = 0; i < 128; i++)
		token[i] = (u8)i;
	n = spnego_build_resp(SPNEGO_ACCEPT_INCOMPLETE, true, token,
			      sizeof(token), out, sizeof(out));
	assert_int_equal(n, sizeof(challenge_head) + 128);
	assert_memory_equal(out, challenge_head, sizeof(challenge_head));
	assert_memory_equal(out + sizeof(challenge_head), token, 128);
	assert_int_equal(spnego_parse(out, (size_t)n, &tok), 0);
	assert_int_equal(tok.kind, SPNEGO_KIND_RESP);
	assert_int_equal(tok.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_int_equal(tok.supported_mech, SPNEGO_MECH_NTLMSSP);
	assert_int_equal(tok.mech_token_len, 128);
	assert_memory_equal(tok.mech_token, token, 128);
	for (int i = 0; i < n; i++)
		assert_int_equal(spnego_build_resp(SPNEGO_ACCEPT_INCOMPLETE,
						   true, token, sizeof(token),
						   out, (size_t)i),
				 -1);

	n = spnego_build_resp_mic(SPNEGO_ACCEPT_COMPLETED, false, NULL, 0,
				  token, 16, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(spnego_parse(out, (size_t)n, &tok), 0);
	assert_int_equal(tok.neg_state, SPNEGO_ACCEPT_COMPLETED);
	assert_int_equal(tok.mech_list_mic_len, 16);
	assert_null(tok.mech_token);

	assert_int_equal(spnego_build_resp(4, false, NULL, 0, out, sizeof(out)),
			 -1);
	assert_int_equal(
		spnego_build_resp(-1, false, NULL, 0, out, sizeof(out)), -1);
	assert_int_equal(spnego_build_resp(0, false, NULL, 5, out, sizeof(out)),
			 -1);
}

static void expect_malformed(const u8 *p, size_t len)
{
	struct spnego_token tok;

	assert_int_equal(spnego_parse(p, len, &tok), SPNEGO_ERR_MALFORMED);
	assert_null(tok.mech_token);
	assert_int_equal(tok.mechs, 0);
}

static void test_truncated_everywhere(void **state)
{
	/* Every proper prefix of a valid token is malformed. */
	for (size_t i = 0; i < sizeof(init_ntlm); i++)
		expect_malformed(init_ntlm, i);
	for (size_t i = 0; i < sizeof(init_multi); i++)
		expect_malformed(init_multi, i);
	for (size_t i = 0; i < sizeof(resp_auth_mic); i++)
		expect_malformed(resp_auth_mic, i);
}

static void test_malformed_lengths(void **state)
{
	u8 buf[sizeof(init_ntlm) + 8];

	/* Indefinite length on the outer wrapper. */
	memcpy(buf, init_ntlm, sizeof(init_ntlm));
	buf[1] = 0x80;
	expect_malformed(buf, sizeof(init_ntlm));
	/* Outer length one too long (past the end) and one too short. */
	buf[1] = 0x49;
	expect_malformed(buf, sizeof(init_ntlm));
	buf[1] = 0x47;
	expect_malformed(buf, sizeof(init_ntlm));
	/* Five length bytes. */
	buf[1] = 0x85;
	expect_malformed(buf, sizeof(init_ntlm));
	/* Huge four-byte length. */
	memcpy(buf, init_ntlm, sizeof(init_ntlm));
	buf[14] = 0x84; /* mechToken OCTET STRING length */
	expect_malformed(buf, sizeof(init_ntlm));
	/* Trailing garbage after the token. */
	memcpy(buf, init_ntlm, sizeof(init_ntlm));
	buf[sizeof(init_ntlm)] = 0;
	expect_malformed(buf, sizeof(init_ntlm) + 1);
}

static void test_malformed_shapes(void **state)
{
	static const u8 krb_gss[] = { 0x60, 0x0d, OID_KRB5, 0x01, 0x00 };
	static const u8 empty_list[] = { 0x60, 0x0e, OID_SPNEGO, 0xa0, 0x04,
					 0x30, 0x02, 0xa0,	 0x00 };
	static const u8 no_mechtypes[] = { 0xa0, 0x06, 0x30, 0x04,
					   0xa2, 0x02, 0x04, 0x00 };
	static const u8 not_oid[] = { 0xa0, 0x08, 0x30, 0x06, 0xa0,
				      0x04, 0x30, 0x02, 0x04, 0x00 };
	static const u8 bad_state[] = { 0xa1, 0x07, 0x30, 0x05, 0xa0,
					0x03, 0x0a, 0x01, 0x04 };
	static const u8 long_state[] = { 0xa1, 0x08, 0x30, 0x06, 0xa0,
					 0x04, 0x0a, 0x02, 0x00, 0x01 };
	static const u8 out_of_order[] = { 0xa1, 0x0b, 0x30, 0x09, 0xa2,
					   0x02, 0x04, 0x00, 0xa0, 0x03,
					   0x0a, 0x01, 0x00 };
	static const u8 wrong_type[] = { 0xa1, 0x08, 0x30, 0x06, 0xa2,
					 0x04, 0x02, 0x02, 0x00, 0x00 };
	static const u8 choice2[] = { 0xa2, 0x02, 0x30, 0x00 };
	static const u8 not_spnego[] = { 0x04, 0x02, 0x00, 0x00 };
	struct spnego_token tok;

	assert_int_equal(spnego_parse(krb_gss, sizeof(krb_gss), &tok),
			 SPNEGO_ERR_UNSUPPORTED);
	expect_malformed(empty_list, sizeof(empty_list));
	expect_malformed(no_mechtypes, sizeof(no_mechtypes));
	expect_malformed(not_oid, sizeof(not_oid));
	expect_malformed(bad_state, sizeof(bad_state));
	expect_malformed(long_state, sizeof(long_state));
	expect_malformed(out_of_order, sizeof(out_of_order));
	expect_malformed(wrong_type, sizeof(wrong_type));
	expect_malformed(choice2, sizeof(choice2));
	expect_malformed(not_spnego, sizeof(not_spnego));
	expect_malformed(NULL, 0);
	expect_malformed(init_ntlm, 0);
}

/* Deeply nested constructed elements are refused, without recursion. */
static void test_deep_nesting(void **state)
{
	u8 buf[2 * 60];

	/* 60 levels of [0] { [0] { ... } } and of [1] { SEQUENCE {...} }. */
	for (int i = 0; i < 60; i++) {
		buf[2 * i] = 0xa0;
		buf[2 * i + 1] = (u8)(2 * (59 - i));
	}
	expect_malformed(buf, sizeof(buf));
	for (int i = 0; i < 60; i++)
		buf[2 * i] = (i & 1) ? 0x30 : 0xa1;
	expect_malformed(buf, sizeof(buf));
	buf[0] = 0x60;
	expect_malformed(buf, sizeof(buf));
}

/* Flip every bit of valid tokens: parse must never read out of bounds. */
static void test_bit_flips(void **state)
{
	const u8 *tokens[] = { init_ntlm, init_multi, resp_auth_mic };
	const size_t lens[] = { sizeof(init_ntlm), sizeof(init_multi),
				sizeof(resp_auth_mic) };
	u8 buf[256];
	struct spnego_token tok;

	for (size_t t = 0; t < 3; t++) {
		for (size_t i = 0; i < lens[t] * 8; i++) {
			memcpy(buf, tokens[t], lens[t]);
			buf[i / 8] ^= (u8)(1u << (i % 8));
			if (spnego_parse(buf, lens[t], &tok) == 0 &&
			    tok.mech_token) {
				assert_true(tok.mech_token >= buf);
				assert_true(tok.mech_token +
						    tok.mech_token_len <=
					    buf + lens[t]);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_neg_hints_bytes),
		cmocka_unit_test(test_neg_hints_parse_back),
		cmocka_unit_test(test_parse_init_ntlm),
		cmocka_unit_test(test_parse_init_multi),
		cmocka_unit_test(test_parse_init_variants),
		cmocka_unit_test(test_parse_resp),
		cmocka_unit_test(test_parse_raw),
		cmocka_unit_test(test_build_resp),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_malformed_lengths),
		cmocka_unit_test(test_malformed_shapes),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_bit_flips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
