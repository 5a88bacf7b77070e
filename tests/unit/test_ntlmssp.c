// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "platform.h"
#include "md4.h"
#include "ntlmssp.h"
#include "rc4.h"
#include "ntlm_client.h"
#include "smb2.h"

/* ---- a crypto ops table on OpenSSL one-shots (test code only) ------- */

static u8 *flatten(const struct smb_iov *iov, int niov, size_t *len)
{
	size_t total = 0, pos = 0;
	u8 *buf;

	for (int i = 0; i < niov; i++)
		total += iov[i].len;
	buf = malloc(total ? total : 1);
	assert_non_null(buf);
	for (int i = 0; i < niov; i++) {
		if (iov[i].len)
			memcpy(buf + pos, iov[i].base, iov[i].len);
		pos += iov[i].len;
	}
	*len = total;
	return buf;
}

static int test_hash(enum smb_hash_alg alg, const struct smb_iov *iov, int niov,
		     u8 *out)
{
	size_t len;
	u8 *buf;
	int ok;

	if (alg != SMB_HASH_MD5)
		return -1;
	buf = flatten(iov, niov, &len);
	ok = EVP_Digest(buf, len, out, NULL, EVP_md5(), NULL);
	free(buf);
	return ok ? 0 : -1;
}

static int hmac_calls;

static int test_hmac(enum smb_hash_alg alg, const u8 *key, size_t key_len,
		     const struct smb_iov *iov, int niov, u8 *out)
{
	unsigned int out_len = 0;
	size_t len;
	u8 *buf;
	u8 *r;

	if (alg != SMB_HASH_MD5)
		return -1;
	hmac_calls++;
	buf = flatten(iov, niov, &len);
	r = HMAC(EVP_md5(), key, (int)key_len, buf, len, out, &out_len);
	free(buf);
	return r && out_len == 16 ? 0 : -1;
}

static const struct smb_crypto_ops crypto = {
	.hash = test_hash,
	.hmac = test_hmac,
};

static int failing_hmac(enum smb_hash_alg alg, const u8 *key, size_t key_len,
			const struct smb_iov *iov, int niov, u8 *out)
{
	return -1;
}

static const struct smb_crypto_ops broken_crypto = {
	.hash = test_hash,
	.hmac = failing_hmac,
};

/* ---- test user database ----------------------------------------------- */

static int lookup_calls;

static int lookup(void *ctx, const char *user, u8 nt_hash[16])
{
	static const char *const users[][2] = {
		{ "User", "Password" },
		{ "alice", "S3cret!" },
	};

	lookup_calls++;
	(void)ctx;
	for (size_t i = 0; i < ARRAY_SIZE(users); i++)
		if (!strcasecmp(user, users[i][0]))
			return smb_nt_hash(users[i][1], nt_hash);
	return -1;
}

/* ---- [MS-NLMP] 4.2 known answers ------------------------------------- */

static const u8 spec_server_challenge[8] = { 0x01, 0x23, 0x45, 0x67,
					     0x89, 0xab, 0xcd, 0xef };

/* 4.2.4.1.1 NTOWFv2("Password", "User", "Domain"). */
static const u8 spec_ntowfv2[16] = { 0x0c, 0x86, 0x8a, 0x40, 0x3b, 0xfd,
				     0x7a, 0x93, 0xa3, 0x00, 0x1e, 0xf2,
				     0x2e, 0xf0, 0x2e, 0x3f };

/* 4.2.4.2.2 NTProofStr. */
static const u8 spec_nt_proof[16] = { 0x68, 0xcd, 0x0a, 0xb8, 0x51, 0xe5,
				      0x1c, 0x96, 0xaa, 0xbc, 0x92, 0x7b,
				      0xeb, 0xef, 0x6a, 0x1c };

/* 4.2.4.1.3 "temp" up to ServerName: versions, Time 0, ClientChallenge. */
static const u8 spec_blob_header[28] = { [0] = 1, [1] = 1, [16 ... 23] = 0xaa };

/* 4.2.4.1.2 SessionBaseKey and 4.2.4.2.3 EncryptedSessionKey. */
static const u8 spec_session_base_key[16] = { 0x8d, 0xe4, 0x0c, 0xca,
					      0xdb, 0xc1, 0x4a, 0x82,
					      0xf1, 0x5c, 0xb0, 0xad,
					      0x0d, 0xe9, 0x5c, 0xa3 };
static const u8 spec_encrypted_key[16] = { 0xc5, 0xda, 0xd2, 0x54, 0x4f, 0xc9,
					   0x79, 0x90, 0x94, 0xce, 0x1c, 0xe9,
					   0x0b, 0xc9, 0xd0, 0x3e };

/* 4.2.4.3 CHALLENGE_MESSAGE of the NTLMv2 example. */
static const u8 spec_challenge_msg[] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x0c, 0x00, 0x0c, 0x00, 0x38, 0x00, 0x00, 0x00, 0x33, 0x82, 0x8a, 0xe2,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x24, 0x00, 0x44, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x70, 0x17, 0x00, 0x00, 0x00, 0x0f, 0x53, 0x00, 0x65, 0x00,
	0x72, 0x00, 0x76, 0x00, 0x65, 0x00, 0x72, 0x00, 0x02, 0x00, 0x0c, 0x00,
	0x44, 0x00, 0x6f, 0x00, 0x6d, 0x00, 0x61, 0x00, 0x69, 0x00, 0x6e, 0x00,
	0x01, 0x00, 0x0c, 0x00, 0x53, 0x00, 0x65, 0x00, 0x72, 0x00, 0x76, 0x00,
	0x65, 0x00, 0x72, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * A complete exchange with a MIC against the spec's CHALLENGE, as published
 * with Chromium's NTLM test data (derived from [MS-NLMP] 4.2.4): NEGOTIATE,
 * AUTHENTICATE with MsvAvFlags = MIC present, and the resulting keys.
 */
static const u8 kat_negotiate_msg[] = {
	'N',  'T',  'L',  'M',	'S',  'S',  'P',  '\0', 0x01, 0x00, 0x00,
	0x00, 0x07, 0x82, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
};

static const u8 kat_authenticate_msg[] = {
	'N',  'T',  'L',  'M',	'S',  'S',  'P',  '\0', 0x03, 0x00, 0x00, 0x00,
	0x18, 0x00, 0x18, 0x00, 0x58, 0x00, 0x00, 0x00, 0x8a, 0x00, 0x8a, 0x00,
	0x70, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0c, 0x00, 0xfa, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x08, 0x00, 0x06, 0x01, 0x00, 0x00, 0x10, 0x00, 0x10, 0x00,
	0x0e, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x58, 0x00, 0x00, 0x00,
	0x03, 0x82, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xf7, 0x36, 0x16, 0x33, 0xf0, 0xad, 0x9b, 0xdf, 0x4a, 0x7c, 0x42, 0x1b,
	0xc6, 0xb8, 0x24, 0xa3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x8c, 0x02, 0x60, 0xdb, 0xef, 0x69, 0x06, 0x62,
	0xaf, 0x9c, 0x42, 0xd5, 0x07, 0x82, 0xd2, 0xed, 0x01, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x0b, 0xc8, 0xfd, 0x00, 0xd4, 0xd2, 0x01,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x0c, 0x00, 'D',  0x00, 'o',  0x00, 'm',  0x00, 'a',  0x00,
	'i',  0x00, 'n',  0x00, 0x01, 0x00, 0x0c, 0x00, 'S',  0x00, 'e',  0x00,
	'r',  0x00, 'v',  0x00, 'e',  0x00, 'r',  0x00, 0x06, 0x00, 0x04, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x10, 0x00, 0x65, 0x86, 0xe9, 0x9d,
	0x81, 0xc2, 0xfc, 0x98, 0x4e, 0x47, 0x17, 0x2f, 0xd4, 0xdd, 0x03, 0x10,
	0x09, 0x00, 0x16, 0x00, 'H',  0x00, 'T',  0x00, 'T',  0x00, 'P',  0x00,
	'/',  0x00, 'S',  0x00, 'e',  0x00, 'r',  0x00, 'v',  0x00, 'e',  0x00,
	'r',  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 'D',  0x00,
	'o',  0x00, 'm',  0x00, 'a',  0x00, 'i',  0x00, 'n',  0x00, 'U',  0x00,
	's',  0x00, 'e',  0x00, 'r',  0x00, 'C',  0x00, 'O',  0x00, 'M',  0x00,
	'P',  0x00, 'U',  0x00, 'T',  0x00, 'E',  0x00, 'R',  0x00,
};

static const u8 kat_session_key[16] = { 0x62, 0x3d, 0xbd, 0x07, 0x1b, 0xe7,
					0xa5, 0x30, 0xb6, 0xa9, 0x5c, 0x2e,
					0xb4, 0x98, 0x24, 0x70 };

static const u8 test_challenge[8] = { 0x11, 0x22, 0x33, 0x44,
				      0x55, 0x66, 0x77, 0x88 };
/* 2024-01-01T00:00:00Z as NT time. */
static const u64 test_now = 133485408000000000ull;

/* Server init + NEGOTIATE/CHALLENGE + the client's AUTHENTICATE. */
static void run_to_auth(struct ntlmssp_server *s, struct ntlm_client *c)
{
	u8 chal[NTLMSSP_MAX_CHALLENGE];
	size_t chal_len;

	assert_int_equal(ntlmssp_server_init(s, &crypto, "SERVER", "WORKGROUP",
					     test_challenge, test_now),
			 0);
	client_negotiate(c);
	assert_int_equal(ntlmssp_handle_negotiate(s, c->neg, c->neg_len, chal,
						  sizeof(chal), &chal_len),
			 STATUS_MORE_PROCESSING_REQUIRED);
	client_authenticate(c, chal, chal_len);
}

static u32 auth(struct ntlmssp_server *s, const u8 *msg, size_t len,
		struct ntlmssp_result *res)
{
	return ntlmssp_handle_authenticate(s, msg, len, lookup, NULL, res);
}

static struct ntlm_client default_client(void)
{
	struct ntlm_client c = {
		.user = "alice",
		.domain = "WORKGROUP",
		.password = "S3cret!",
		.flags = CLIENT_FLAGS,
		.kex = true,
		.mic = true,
	};

	return c;
}

/* Fresh server and client for one AUTHENTICATE variant. */
static u32 auth_variant(struct ntlm_client *c, struct ntlmssp_result *res)
{
	struct ntlmssp_server s;

	run_to_auth(&s, c);
	return auth(&s, c->auth, c->auth_len, res);
}

/* ---- tests ------------------------------------------------------------ */

static void test_ntowfv2_kat(void **state)
{
	u8 nt_hash[16], out[16];

	assert_int_equal(smb_nt_hash("Password", nt_hash), 0);
	assert_int_equal(
		ntlmssp_ntowfv2(&crypto, nt_hash, "User", "Domain", out), 0);
	assert_memory_equal(out, spec_ntowfv2, 16);
	/* The user name is upper-cased, the domain is not. */
	assert_int_equal(
		ntlmssp_ntowfv2(&crypto, nt_hash, "uSeR", "Domain", out), 0);
	assert_memory_equal(out, spec_ntowfv2, 16);
	assert_int_equal(
		ntlmssp_ntowfv2(&crypto, nt_hash, "User", "DOMAIN", out), 0);
	assert_memory_not_equal(out, spec_ntowfv2, 16);
	assert_int_equal(ntlmssp_ntowfv2(&crypto, nt_hash, "\xff", "", out),
			 -1);
	assert_int_equal(ntlmssp_ntowfv2(&broken_crypto, nt_hash, "User",
					 "Domain", out),
			 -1);
}

/* A server that sent a CHALLENGE with the spec's server challenge. */
static void prime_spec_server(struct ntlmssp_server *s, const u8 *neg,
			      size_t neg_len)
{
	u8 chal[NTLMSSP_MAX_CHALLENGE];
	size_t chal_len;

	assert_int_equal(ntlmssp_server_init(s, &crypto, "Server", "Domain",
					     spec_server_challenge, 0),
			 0);
	assert_int_equal(ntlmssp_handle_negotiate(s, neg, neg_len, chal,
						  sizeof(chal), &chal_len),
			 STATUS_MORE_PROCESSING_REQUIRED);
}

/*
 * [MS-NLMP] 4.2.4: the example's AUTHENTICATE (NTLMv2, key exchange,
 * no MIC) verifies and yields RandomSessionKey = 0x55 * 16.
 */
static void test_spec_ntlmv2_key_exchange(void **state)
{
	u8 msg[512], name[32], want[16], nt[128];
	struct ntlmssp_server s;
	struct ntlmssp_result res;
	struct ntlm_client c = { .flags = 0xe28a8233 };
	size_t pos = 72, n;

	client_negotiate(&c);
	prime_spec_server(&s, c.neg, c.neg_len);

	memset(msg, 0, pos);
	memcpy(msg, "NTLMSSP", 8);
	smb_put_le32(msg + 8, 3);
	smb_put_le32(msg + 60, 0xe28a8233);
	memcpy(c.auth, msg, pos);
	memset(name, 0, 24);
	put_payload(&c, 12, &pos, name, 24);
	/* NTProofStr || temp, temp = header || ServerName || Z(4). */
	memcpy(nt, spec_nt_proof, 16);
	memcpy(nt + 16, spec_blob_header, 28);
	memcpy(nt + 44, spec_challenge_msg + 0x44, 0x24);
	memset(nt + 44 + 0x24, 0, 4);
	put_payload(&c, 20, &pos, nt, 44 + 0x24 + 4);
	n = ascii_utf16("Domain", name, false);
	put_payload(&c, 28, &pos, name, n);
	n = ascii_utf16("User", name, false);
	put_payload(&c, 36, &pos, name, n);
	n = ascii_utf16("COMPUTER", name, false);
	put_payload(&c, 44, &pos, name, n);
	put_payload(&c, 52, &pos, spec_encrypted_key, 16);

	assert_int_equal(auth(&s, c.auth, pos, &res), STATUS_SUCCESS);
	memset(want, 0x55, sizeof(want));
	assert_true(res.has_session_key);
	assert_memory_equal(res.session_key, want, 16);
	assert_string_equal(res.user, "User");
	assert_string_equal(res.domain, "Domain");
	assert_string_equal(res.workstation, "COMPUTER");
	assert_false(res.anonymous);
	assert_false(res.matched_empty_domain);
	assert_int_equal(res.failure, NTLMSSP_FAIL_NONE);
	assert_int_equal(res.negotiate_flags, 0xe28a8233);

	/* The same message without KEY_EXCH exports SessionBaseKey. */
	prime_spec_server(&s, c.neg, c.neg_len);
	smb_put_le32(c.auth + 60, 0xe28a8233 & ~NTLMSSP_NEGOTIATE_KEY_EXCH);
	assert_int_equal(auth(&s, c.auth, pos, &res), STATUS_SUCCESS);
	assert_memory_equal(res.session_key, spec_session_base_key, 16);
}

/* A MIC-carrying exchange against the spec's CHALLENGE (no key exchange). */
static void test_kat_with_mic(void **state)
{
	u8 msg[sizeof(kat_authenticate_msg)];
	struct ntlmssp_server s;
	struct ntlmssp_result res;

	for (int tamper = 0; tamper < 2; tamper++) {
		prime_spec_server(&s, kat_negotiate_msg,
				  sizeof(kat_negotiate_msg));
		/* The client saw the spec's CHALLENGE: the MIC covers it. */
		memcpy(s.challenge_msg, spec_challenge_msg,
		       sizeof(spec_challenge_msg));
		s.challenge_len = sizeof(spec_challenge_msg);
		memcpy(msg, kat_authenticate_msg, sizeof(msg));
		if (tamper)
			msg[72] ^= 1;
		if (!tamper) {
			assert_int_equal(auth(&s, msg, sizeof(msg), &res),
					 STATUS_SUCCESS);
			assert_memory_equal(res.session_key, kat_session_key,
					    16);
			assert_string_equal(res.workstation, "COMPUTER");
		} else {
			assert_int_equal(auth(&s, msg, sizeof(msg), &res),
					 STATUS_LOGON_FAILURE);
			assert_int_equal(res.failure, NTLMSSP_FAIL_MIC);
			assert_false(res.has_session_key);
		}
	}
}

static void test_challenge_contents(void **state)
{
	u8 chal[NTLMSSP_MAX_CHALLENGE], neg[40], name[64];
	struct ntlmssp_server s;
	struct ntlm_client c = default_client();
	size_t len, ti, ti_len, n, pos;
	u32 flags;
	static const u16 want_ids[] = { 2, 1, 4, 3, 7, 0 };

	c.flags |= NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_NEGOTIATE_SEAL;
	assert_int_equal(ntlmssp_server_init(&s, &crypto, "SERVER", "WORKGROUP",
					     test_challenge, test_now),
			 0);
	client_negotiate(&c);
	memcpy(neg, c.neg, 40);
	assert_int_equal(ntlmssp_handle_negotiate(&s, neg, 40, chal,
						  sizeof(chal), &len),
			 STATUS_MORE_PROCESSING_REQUIRED);
	assert_memory_equal(chal, "NTLMSSP", 8);
	assert_int_equal(smb_get_le32(chal + 8), 2);
	flags = smb_get_le32(chal + 20);
	assert_true(flags & NTLMSSP_NEGOTIATE_UNICODE);
	assert_false(flags & NTLMSSP_NEGOTIATE_OEM);
	assert_false(flags & NTLMSSP_NEGOTIATE_LM_KEY);
	assert_true(flags & NTLMSSP_NEGOTIATE_SIGN);
	assert_true(flags & NTLMSSP_NEGOTIATE_SEAL);
	assert_true(flags & NTLMSSP_NEGOTIATE_KEY_EXCH);
	assert_true(flags & NTLMSSP_NEGOTIATE_128);
	assert_true(flags & NTLMSSP_NEGOTIATE_56);
	assert_true(flags & NTLMSSP_NEGOTIATE_TARGET_INFO);
	assert_true(flags & NTLMSSP_NEGOTIATE_VERSION);
	assert_true(flags & NTLMSSP_TARGET_TYPE_SERVER);
	assert_true(flags & NTLMSSP_REQUEST_TARGET);
	assert_true(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
	assert_true(flags & NTLMSSP_NEGOTIATE_ALWAYS_SIGN);
	assert_true(flags & NTLMSSP_NEGOTIATE_NTLM);
	assert_memory_equal(chal + 24, test_challenge, 8);
	/* TargetName: UTF-16LE "SERVER" right after the header. */
	assert_int_equal(smb_get_le16(chal + 12), 12);
	assert_int_equal(smb_get_le32(chal + 16), 56);
	n = ascii_utf16("SERVER", name, false);
	assert_memory_equal(chal + 56, name, n);
	assert_int_equal(chal[55], 15); /* NTLMRevisionCurrent */
	/* TargetInfo pairs in order, timestamp = now, ends at the end. */
	ti_len = smb_get_le16(chal + 40);
	ti = smb_get_le32(chal + 44);
	assert_int_equal(ti + ti_len, len);
	pos = ti;
	for (size_t i = 0; i < ARRAY_SIZE(want_ids); i++) {
		u16 id = smb_get_le16(chal + pos);
		u16 alen = smb_get_le16(chal + pos + 2);

		assert_int_equal(id, want_ids[i]);
		if (id == 2 || id == 4) {
			n = ascii_utf16("WORKGROUP", name, false);
			assert_int_equal(alen, n);
			assert_memory_equal(chal + pos + 4, name, n);
		} else if (id == 7) {
			assert_int_equal(alen, 8);
			assert_int_equal(smb_get_le64(chal + pos + 4),
					 test_now);
		} else if (id == 0) {
			assert_int_equal(alen, 0);
		}
		pos += 4u + alen;
	}
	assert_int_equal(pos, len);
	/* The server kept both messages for the MIC. */
	assert_int_equal(s.negotiate_len, 40);
	assert_memory_equal(s.negotiate_msg, neg, 40);
	assert_int_equal(s.challenge_len, len);
	assert_memory_equal(s.challenge_msg, chal, len);
	ntlmssp_server_clear(&s);
	assert_int_equal(s.challenge_len, 0);
}

/* A client without UNICODE gets OEM, an ASCII target name, and SIGN/SEAL
 * and KEY_EXCH only when it asked. */
static void test_challenge_oem(void **state)
{
	u8 chal[NTLMSSP_MAX_CHALLENGE];
	struct ntlmssp_server s;
	struct ntlm_client c = default_client();
	size_t len;
	u32 flags;

	c.flags = NTLMSSP_NEGOTIATE_OEM | NTLMSSP_NEGOTIATE_NTLM;
	assert_int_equal(ntlmssp_server_init(&s, &crypto, "SRV", "",
					     test_challenge, test_now),
			 0);
	client_negotiate(&c);
	assert_int_equal(ntlmssp_handle_negotiate(&s, c.neg, 16, chal,
						  sizeof(chal), &len),
			 STATUS_MORE_PROCESSING_REQUIRED);
	flags = smb_get_le32(chal + 20);
	assert_true(flags & NTLMSSP_NEGOTIATE_OEM);
	assert_false(flags & NTLMSSP_NEGOTIATE_UNICODE);
	assert_false(flags &
		     (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
		      NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_128));
	assert_int_equal(smb_get_le16(chal + 12), 3);
	assert_memory_equal(chal + 56, "SRV", 3);
	/* An empty domain is replaced by the NetBIOS name. */
	assert_int_equal(smb_get_le16(chal + 59), NTLMSSP_AV_NB_DOMAIN_NAME);
	assert_int_equal(smb_get_le16(chal + 61), 6);
	assert_memory_equal(chal + 63, "S\0R\0V\0", 6);
}

/* Full exchanges: both sides agree on the key with/without KEY_EXCH, MIC. */
static void test_exchange_matrix(void **state)
{
	for (int kex = 0; kex < 2; kex++) {
		for (int mic = 0; mic < 2; mic++) {
			struct ntlm_client c = default_client();
			struct ntlmssp_result res;

			c.kex = kex;
			c.mic = mic;
			assert_int_equal(auth_variant(&c, &res),
					 STATUS_SUCCESS);
			assert_true(res.has_session_key);
			assert_memory_equal(res.session_key, c.exported, 16);
			assert_string_equal(res.user, "alice");
			assert_string_equal(res.domain, "WORKGROUP");
			assert_string_equal(res.workstation, "WS1");
			assert_int_equal(res.failure, NTLMSSP_FAIL_NONE);
			assert_int_equal(!!(res.negotiate_flags &
					    NTLMSSP_NEGOTIATE_KEY_EXCH),
					 kex);
		}
	}
}

static void test_user_and_domain_matching(void **state)
{
	struct ntlm_client c = default_client();
	struct ntlmssp_result res;

	/* Case-insensitive user: NTOWFv2 upper-cases it on both sides. */
	c.user = "ALICE";
	assert_int_equal(auth_variant(&c, &res), STATUS_SUCCESS);
	assert_string_equal(res.user, "ALICE");

	/* Client hashed with an empty domain but sent one: still accepted. */
	c = default_client();
	c.hash_domain = "";
	assert_int_equal(auth_variant(&c, &res), STATUS_SUCCESS);
	assert_true(res.matched_empty_domain);

	/* Hashed with another domain than sent: refused. */
	c = default_client();
	c.hash_domain = "OTHER";
	assert_int_equal(auth_variant(&c, &res), STATUS_LOGON_FAILURE);
	assert_int_equal(res.failure, NTLMSSP_FAIL_BAD_PASSWORD);

	/* Empty domain sent and used. */
	c = default_client();
	c.domain = "";
	assert_int_equal(auth_variant(&c, &res), STATUS_SUCCESS);
	assert_false(res.matched_empty_domain);
	assert_string_equal(res.domain, "");
}

static void test_logon_failures(void **state)
{
	struct ntlm_client c = default_client();
	struct ntlmssp_result res;

	c.password = "wrong";
	assert_int_equal(auth_variant(&c, &res), STATUS_LOGON_FAILURE);
	assert_int_equal(res.failure, NTLMSSP_FAIL_BAD_PASSWORD);
	assert_false(res.has_session_key);
	assert_string_equal(res.user, "alice");

	c = default_client();
	c.user = "mallory";
	lookup_calls = 0;
	assert_int_equal(auth_variant(&c, &res), STATUS_LOGON_FAILURE);
	assert_int_equal(res.failure, NTLMSSP_FAIL_UNKNOWN_USER);
	assert_int_equal(lookup_calls, 1);
	assert_string_equal(res.user, "mallory");

	/* NTLMv1 (24-byte NT response) is refused before any lookup. */
	c = default_client();
	c.ntlmv1 = true;
	c.mic = false;
	lookup_calls = 0;
	assert_int_equal(auth_variant(&c, &res), STATUS_LOGON_FAILURE);
	assert_int_equal(res.failure, NTLMSSP_FAIL_NTLMV1);
	assert_int_equal(lookup_calls, 0);

	/* LM response only, for a named user: refused too. */
	c = default_client();
	c.lm_only = true;
	c.mic = false;
	assert_int_equal(auth_variant(&c, &res), STATUS_LOGON_FAILURE);
	assert_int_equal(res.failure, NTLMSSP_FAIL_NTLMV1);

	/* A NULL lookup knows nobody. */
	{
		struct ntlmssp_server s;

		c = default_client();
		run_to_auth(&s, &c);
		assert_int_equal(ntlmssp_handle_authenticate(&s, c.auth,
							     c.auth_len, NULL,
							     NULL, &res),
				 STATUS_LOGON_FAILURE);
		assert_int_equal(res.failure, NTLMSSP_FAIL_UNKNOWN_USER);
	}
}

static void test_anonymous(void **state)
{
	struct ntlmssp_server s;
	struct ntlmssp_result res;
	struct ntlm_client c = default_client();
	u8 msg[88 + 1];

	run_to_auth(&s, &c);
	/* Empty user, empty NT response, LM = Z(1), as Windows sends. */
	memset(msg, 0, sizeof(msg));
	memcpy(msg, "NTLMSSP", 8);
	smb_put_le32(msg + 8, 3);
	smb_put_le16(msg + 12, 1);
	smb_put_le16(msg + 14, 1);
	smb_put_le32(msg + 16, 88);
	for (int f = 20; f <= 52; f += 8)
		smb_put_le32(msg + f + 4, 89);
	smb_put_le32(msg + 60, NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_ANONYMOUS);
	lookup_calls = 0;
	assert_int_equal(auth(&s, msg, sizeof(msg), &res), STATUS_SUCCESS);
	assert_true(res.anonymous);
	assert_false(res.has_session_key);
	assert_string_equal(res.user, "");
	assert_int_equal(lookup_calls, 0);

	/* Empty LM too. */
	run_to_auth(&s, &c);
	smb_put_le16(msg + 12, 0);
	assert_int_equal(auth(&s, msg, 88, &res), STATUS_SUCCESS);
	assert_true(res.anonymous);
}

/* With a MIC, any change to any byte of AUTHENTICATE must fail. */
static void test_every_byte_is_covered(void **state)
{
	struct ntlm_client c = default_client();
	struct ntlmssp_server s;
	struct ntlmssp_result res;
	u8 msg[2048];

	run_to_auth(&s, &c);
	for (size_t i = 0; i < c.auth_len; i++) {
		run_to_auth(&s, &c);
		memcpy(msg, c.auth, c.auth_len);
		msg[i] ^= 0x01;
		assert_int_not_equal(auth(&s, msg, c.auth_len, &res),
				     STATUS_SUCCESS);
		assert_false(res.has_session_key);
	}
	/* A wrong MIC alone is reported as such. */
	run_to_auth(&s, &c);
	memcpy(msg, c.auth, c.auth_len);
	msg[80] ^= 0x80;
	assert_int_equal(auth(&s, msg, c.auth_len, &res), STATUS_LOGON_FAILURE);
	assert_int_equal(res.failure, NTLMSSP_FAIL_MIC);
}

static void test_truncated_auth(void **state)
{
	struct ntlm_client c = default_client();
	struct ntlmssp_server s;
	struct ntlmssp_result res;

	run_to_auth(&s, &c);
	for (size_t len = 0; len < c.auth_len; len++) {
		/* An exact-size heap copy so ASan sees any over-read. */
		u8 *copy = malloc(len ? len : 1);

		assert_non_null(copy);
		memcpy(copy, c.auth, len);
		run_to_auth(&s, &c);
		assert_int_equal(auth(&s, copy, len, &res),
				 STATUS_INVALID_PARAMETER);
		free(copy);
	}
}

static u32 auth_modified(struct ntlm_client *c, size_t at, u32 value, int width)
{
	struct ntlmssp_server s;
	struct ntlmssp_result res;
	u8 msg[2048];

	run_to_auth(&s, c);
	memcpy(msg, c->auth, c->auth_len);
	if (width == 2)
		smb_put_le16(msg + at, (u16)value);
	else if (width == 4)
		smb_put_le32(msg + at, value);
	else
		msg[at] = (u8)value;
	return auth(&s, msg, c->auth_len, &res);
}

static void test_malformed_auth(void **state)
{
	struct ntlm_client c = default_client();
	size_t nt_off, blob;

	run_to_auth(&(struct ntlmssp_server){ 0 }, &c);
	nt_off = smb_get_le32(c.auth + 24);
	blob = nt_off + 16;

	assert_int_equal(auth_modified(&c, 0, 'X', 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(auth_modified(&c, 8, 2, 4), STATUS_INVALID_PARAMETER);
	assert_int_equal(auth_modified(&c, 8, 0x103, 4),
			 STATUS_INVALID_PARAMETER);
	for (size_t f = 12; f <= 52; f += 8) {
		/* Offset past the end, or overflowing with the length. */
		assert_int_equal(auth_modified(&c, f + 4, (u32)c.auth_len, 4),
				 STATUS_INVALID_PARAMETER);
		assert_int_equal(auth_modified(&c, f + 4, 0xffffffffu, 4),
				 STATUS_INVALID_PARAMETER);
		assert_int_equal(auth_modified(&c, f + 4, 0xfffffff0u, 4),
				 STATUS_INVALID_PARAMETER);
		/* Pointing into the fixed header. */
		assert_int_equal(auth_modified(&c, f + 4, 8, 4),
				 STATUS_INVALID_PARAMETER);
		/* Huge length. */
		assert_int_equal(auth_modified(&c, f, 0xffff, 2),
				 STATUS_INVALID_PARAMETER);
	}
	/* NT response too short for a blob, not 24 bytes. */
	assert_int_equal(auth_modified(&c, 20, 30, 2),
			 STATUS_INVALID_PARAMETER);
	/* Blob with a wrong RespType. */
	assert_int_equal(auth_modified(&c, blob, 2, 1),
			 STATUS_INVALID_PARAMETER);
	/* An AV pair running past the blob's end. */
	assert_int_equal(auth_modified(&c, blob + 28 + 2, 0xfff0, 2),
			 STATUS_INVALID_PARAMETER);
	/* KEY_EXCH negotiated but no encrypted key. */
	assert_int_equal(auth_modified(&c, 52, 0, 2), STATUS_INVALID_PARAMETER);
	/* Odd-length UTF-16 user name. */
	assert_int_equal(auth_modified(&c, 36, 9, 2), STATUS_INVALID_PARAMETER);
}

/* A MIC announced in the blob needs a header with room for it. */
static void test_mic_without_room(void **state)
{
	struct ntlm_client c = default_client();
	struct ntlmssp_server s;
	struct ntlmssp_result res;
	u8 msg[2048];
	size_t lm_off;

	run_to_auth(&s, &c);
	memcpy(msg, c.auth, c.auth_len);
	/* Point the 24-byte LM response at offset 64, over Version+MIC. */
	lm_off = 64;
	smb_put_le32(msg + 16, (u32)lm_off);
	assert_int_equal(auth(&s, msg, c.auth_len, &res),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(res.failure, NTLMSSP_FAIL_MALFORMED);
}

static void test_state_machine(void **state)
{
	struct ntlm_client c = default_client();
	struct ntlmssp_server s;
	struct ntlmssp_result res;
	u8 chal[NTLMSSP_MAX_CHALLENGE];
	size_t len = 99;

	/* AUTHENTICATE before NEGOTIATE. */
	assert_int_equal(ntlmssp_server_init(&s, &crypto, "SERVER", "WORKGROUP",
					     test_challenge, test_now),
			 0);
	assert_int_equal(auth(&s, kat_authenticate_msg,
			      sizeof(kat_authenticate_msg), &res),
			 STATUS_INVALID_PARAMETER);

	/* Too small an output buffer leaves the state as it was. */
	client_negotiate(&c);
	assert_int_equal(ntlmssp_handle_negotiate(&s, c.neg, c.neg_len, chal,
						  100, &len),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(len, 0);
	assert_int_equal(ntlmssp_handle_negotiate(&s, c.neg, c.neg_len, chal,
						  sizeof(chal), &len),
			 STATUS_MORE_PROCESSING_REQUIRED);
	client_authenticate(&c, chal, len);
	/* A second NEGOTIATE is out of order. */
	assert_int_equal(ntlmssp_handle_negotiate(&s, c.neg, c.neg_len, chal,
						  sizeof(chal), &len),
			 STATUS_INVALID_PARAMETER);
	/* A bad password burns the challenge: no second try on it. */
	c.auth[c.auth_len - 20] ^= 1;
	assert_int_not_equal(auth(&s, c.auth, c.auth_len, &res),
			     STATUS_SUCCESS);
	c.auth[c.auth_len - 20] ^= 1;
	assert_int_equal(auth(&s, c.auth, c.auth_len, &res),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(ntlmssp_handle_authenticate(NULL, c.auth, c.auth_len,
						     lookup, NULL, &res),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(ntlmssp_handle_authenticate(&s, c.auth, c.auth_len,
						     lookup, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
}

static void test_malformed_negotiate(void **state)
{
	struct ntlm_client c = default_client();
	struct ntlmssp_server s;
	u8 chal[NTLMSSP_MAX_CHALLENGE], big[NTLMSSP_MAX_NEGOTIATE + 1];
	size_t len;

	client_negotiate(&c);
	for (size_t n = 0; n < 16; n++) {
		u8 *copy = malloc(n ? n : 1);

		memcpy(copy, c.neg, n);
		assert_int_equal(ntlmssp_server_init(&s, &crypto, "S", "D",
						     test_challenge, 0),
				 0);
		assert_int_equal(ntlmssp_handle_negotiate(&s, copy, n, chal,
							  sizeof(chal), &len),
				 STATUS_INVALID_PARAMETER);
		free(copy);
	}
	c.neg[8] = 3;
	assert_int_equal(ntlmssp_handle_negotiate(&s, c.neg, c.neg_len, chal,
						  sizeof(chal), &len),
			 STATUS_INVALID_PARAMETER);
	client_negotiate(&c);
	c.neg[7] = 'X';
	assert_int_equal(ntlmssp_handle_negotiate(&s, c.neg, c.neg_len, chal,
						  sizeof(chal), &len),
			 STATUS_INVALID_PARAMETER);
	client_negotiate(&c);
	memset(big, 0, sizeof(big));
	memcpy(big, c.neg, c.neg_len);
	assert_int_equal(ntlmssp_handle_negotiate(&s, big, sizeof(big), chal,
						  sizeof(chal), &len),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(ntlmssp_handle_negotiate(&s, NULL, 40, chal,
						  sizeof(chal), &len),
			 STATUS_INVALID_PARAMETER);
	/* The largest accepted NEGOTIATE is kept whole. */
	assert_int_equal(ntlmssp_handle_negotiate(&s, big, sizeof(big) - 1,
						  chal, sizeof(chal), &len),
			 STATUS_MORE_PROCESSING_REQUIRED);
	assert_int_equal(s.negotiate_len, NTLMSSP_MAX_NEGOTIATE);
}

static void test_message_type(void **state)
{
	struct ntlm_client c = default_client();

	client_negotiate(&c);
	assert_int_equal(ntlmssp_message_type(c.neg, c.neg_len), 1);
	assert_int_equal(ntlmssp_message_type(spec_challenge_msg, 12), 2);
	assert_int_equal(ntlmssp_message_type(kat_authenticate_msg,
					      sizeof(kat_authenticate_msg)),
			 3);
	assert_int_equal(ntlmssp_message_type(c.neg, 11), -1);
	assert_int_equal(ntlmssp_message_type(NULL, 40), -1);
	c.neg[8] = 4;
	assert_int_equal(ntlmssp_message_type(c.neg, c.neg_len), -1);
	c.neg[8] = 0;
	assert_int_equal(ntlmssp_message_type(c.neg, c.neg_len), -1);
	c.neg[8] = 1;
	c.neg[0] = 'n';
	assert_int_equal(ntlmssp_message_type(c.neg, c.neg_len), -1);
}

static void test_init_arguments(void **state)
{
	struct ntlmssp_server s;
	char name[80];

	memset(name, 'N', 64);
	name[64] = '\0';
	assert_int_equal(ntlmssp_server_init(&s, &crypto, name, name,
					     test_challenge, 0),
			 0);
	name[64] = 'N';
	name[65] = '\0';
	assert_int_equal(ntlmssp_server_init(&s, &crypto, name, "D",
					     test_challenge, 0),
			 -1);
	assert_int_equal(ntlmssp_server_init(&s, &crypto, "S", name,
					     test_challenge, 0),
			 -1);
	assert_int_equal(ntlmssp_server_init(&s, &crypto, "", "D",
					     test_challenge, 0),
			 -1);
	assert_int_equal(
		ntlmssp_server_init(&s, NULL, "S", "D", test_challenge, 0), -1);
	assert_int_equal(ntlmssp_server_init(&s, &crypto, "S", "D", NULL, 0),
			 -1);
	assert_int_equal(ntlmssp_server_init(&s, &crypto, "\xc0", "D",
					     test_challenge, 0),
			 -1);
}

/* Longest names: the CHALLENGE still fits its buffer and round-trips. */
static void test_longest_names(void **state)
{
	struct ntlmssp_server s;
	struct ntlmssp_result res;
	struct ntlm_client c = default_client();
	u8 chal[NTLMSSP_MAX_CHALLENGE];
	char name[65];
	size_t len;

	memset(name, 'N', 64);
	name[64] = '\0';
	assert_int_equal(ntlmssp_server_init(&s, &crypto, name, name,
					     test_challenge, test_now),
			 0);
	client_negotiate(&c);
	assert_int_equal(ntlmssp_handle_negotiate(&s, c.neg, c.neg_len, chal,
						  sizeof(chal), &len),
			 STATUS_MORE_PROCESSING_REQUIRED);
	assert_true(len <= NTLMSSP_MAX_CHALLENGE);
	client_authenticate(&c, chal, len);
	assert_int_equal(auth(&s, c.auth, c.auth_len, &res), STATUS_SUCCESS);
	assert_memory_equal(res.session_key, c.exported, 16);
}

static void test_crypto_failure(void **state)
{
	struct ntlmssp_server s;
	struct ntlmssp_result res;
	struct ntlm_client c = default_client();

	run_to_auth(&s, &c);
	s.crypto = &broken_crypto;
	assert_int_equal(auth(&s, c.auth, c.auth_len, &res),
			 STATUS_INTERNAL_ERROR);
	assert_int_equal(res.failure, NTLMSSP_FAIL_INTERNAL);
	assert_false(res.has_session_key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ntowfv2_kat),
		cmocka_unit_test(test_spec_ntlmv2_key_exchange),
		cmocka_unit_test(test_kat_with_mic),
		cmocka_unit_test(test_challenge_contents),
		cmocka_unit_test(test_challenge_oem),
		cmocka_unit_test(test_exchange_matrix),
		cmocka_unit_test(test_user_and_domain_matching),
		cmocka_unit_test(test_logon_failures),
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_every_byte_is_covered),
		cmocka_unit_test(test_truncated_auth),
		cmocka_unit_test(test_malformed_auth),
		cmocka_unit_test(test_mic_without_room),
		cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_malformed_negotiate),
		cmocka_unit_test(test_message_type),
		cmocka_unit_test(test_init_arguments),
		cmocka_unit_test(test_longest_names),
		cmocka_unit_test(test_crypto_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
