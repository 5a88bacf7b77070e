// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "crypto_openssl.h"
#include "signing.h"
#include "smb2.h"
#include "hexutil.h"
#include "ms_smb_vectors.h"

static const struct smb_crypto_ops *ops;

static int setup(void **state)
{
	ops = smb_openssl_crypto_ops();
	return 0;
}

static bool all_zero(const void *p, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* ---- key derivation -------------------------------------------------- */

static void derive(u16 dialect, u16 cipher, const char *sk_hex,
		   const char *preauth_hex, struct smb_keys *keys, int want_rc)
{
	size_t n;
	u8 *sk = hex_alloc(sk_hex, &n);
	u8 *pa = preauth_hex ? hex_alloc(preauth_hex, &n) : NULL;

	memset(keys, 0xcc, sizeof(*keys));
	assert_int_equal(smb_derive_keys(ops, dialect, cipher, sk, pa, keys),
			 want_rc);
	free(sk);
	free(pa);
}

static void test_keys_smb30(void **state)
{
	struct smb_keys k;

	for (u16 d = SMB2_DIALECT_0300; d <= SMB2_DIALECT_0302; d += 2) {
		derive(d, 0, MS30_SESSION_KEY, NULL, &k, 0);
		assert_true(hex_matches(k.signing, 16, MS30_SIGNING_KEY));
		/* The server decrypts what the client encrypted. */
		assert_true(hex_matches(k.decryption, 16, MS30_C2S_KEY));
		assert_true(hex_matches(k.encryption, 16, MS30_S2C_KEY));
		assert_true(hex_matches(k.application, 16, MS30_APP_KEY));
		assert_int_equal(k.cipher_key_len, 16);
		assert_true(all_zero(k.encryption + 16, 16));
		derive(d, SMB2_ENCRYPTION_AES128_CCM, MS30_BIND_SESSION_KEY,
		       NULL, &k, 0);
		assert_true(hex_matches(k.signing, 16, MS30_BIND_SIGNING_KEY));
	}
	/* "Encryption in SMB 3.0: a protocol perspective" (MS blog). */
	derive(SMB2_DIALECT_0300, SMB2_ENCRYPTION_AES128_CCM,
	       "B4546771B515F766A86735532DD6C4F0", NULL, &k, 0);
	assert_true(
		hex_matches(k.signing, 16, "F773CD23C18FD1E08EE510CADA7CF852"));
	assert_true(hex_matches(k.decryption, 16,
				"261B72350558F2E9DCF613070383EDBF"));
	assert_true(hex_matches(k.encryption, 16,
				"8FE2B57EC34D2DB5B1A9727F526BBDB5"));
	assert_true(hex_matches(k.application, 16,
				"77432F808CE99156B5BC6A3676D730D1"));
}

static void test_keys_smb311(void **state)
{
	struct smb_keys k;

	derive(SMB2_DIALECT_0311, SMB2_ENCRYPTION_AES128_GCM, MS311_SESSION_KEY,
	       ms311_hash[4], &k, 0);
	assert_true(hex_matches(k.signing, 16, MS311_SIGNING_KEY));
	assert_true(hex_matches(k.decryption, 16, MS311_C2S_KEY));
	assert_true(hex_matches(k.encryption, 16, MS311_S2C_KEY));
	assert_true(hex_matches(k.application, 16, MS311_APP_KEY));
	assert_int_equal(k.cipher_key_len, 16);
	/* CCM and "no cipher" derive the same 128-bit keys. */
	derive(SMB2_DIALECT_0311, 0, MS311_SESSION_KEY, ms311_hash[4], &k, 0);
	assert_true(hex_matches(k.decryption, 16, MS311_C2S_KEY));
	derive(SMB2_DIALECT_0311, SMB2_ENCRYPTION_AES128_CCM, MS311_SESSION_KEY,
	       ms311_hash[4], &k, 0);
	assert_true(hex_matches(k.encryption, 16, MS311_S2C_KEY));
	/* Second channel of the same example. */
	derive(SMB2_DIALECT_0311, SMB2_ENCRYPTION_AES128_GCM,
	       MS311_BIND_SESSION_KEY, MS311_BIND_PREAUTH, &k, 0);
	assert_true(hex_matches(k.signing, 16, MS311_BIND_SIGNING_KEY));
}

/* AES-256: 32-byte cipher keys (L = 256); signing/app keys unchanged. */
static void test_keys_smb311_aes256(void **state)
{
	static const u16 ciphers[] = { SMB2_ENCRYPTION_AES256_CCM,
				       SMB2_ENCRYPTION_AES256_GCM };
	struct smb_keys k;

	for (size_t i = 0; i < ARRAY_SIZE(ciphers); i++) {
		derive(SMB2_DIALECT_0311, ciphers[i], MS311_SESSION_KEY,
		       ms311_hash[4], &k, 0);
		assert_int_equal(k.cipher_key_len, 32);
		assert_true(hex_matches(k.signing, 16, MS311_SIGNING_KEY));
		assert_true(hex_matches(k.application, 16, MS311_APP_KEY));
		/* Values as in test_kdf (independent Python SP800-108). */
		assert_true(hex_matches(k.decryption, 32,
					"049c27fd8a340262e32c643dea2ba507"
					"af7a4c085fd2505aeffcbdeae6d6d8ab"));
		assert_true(hex_matches(k.encryption, 32,
					"35952fed051bf2471af5f7acc63674b8"
					"87a54b47af46959f7caff1ce537d7419"));
	}
}

static void test_keys_smb2x(void **state)
{
	struct smb_keys k;

	derive(SMB2_DIALECT_0202, 0, MS30_SESSION_KEY, NULL, &k, 0);
	assert_true(hex_matches(k.signing, 16, MS30_SESSION_KEY));
	assert_int_equal(k.cipher_key_len, 0);
	assert_true(all_zero(k.encryption, 32));
	assert_true(all_zero(k.decryption, 32));
	assert_true(all_zero(k.application, 16));
	derive(SMB2_DIALECT_0210, 0, MS30_SESSION_KEY, NULL, &k, 0);
	assert_true(hex_matches(k.signing, 16, MS30_SESSION_KEY));
}

static void test_keys_rejected(void **state)
{
	static const struct {
		u16 dialect, cipher;
		bool preauth;
	} bad[] = {
		{ 0x0000, 0, true },
		{ SMB2_DIALECT_WILDCARD, 0, true },
		{ 0x0201, 0, true },
		{ 0x0312, 0, true },
		{ 0xffff, 0, true },
		/* No encryption before 3.0. */
		{ SMB2_DIALECT_0210, SMB2_ENCRYPTION_AES128_CCM, true },
		/* 3.0.x knows only AES-128-CCM. */
		{ SMB2_DIALECT_0300, SMB2_ENCRYPTION_AES128_GCM, true },
		{ SMB2_DIALECT_0302, SMB2_ENCRYPTION_AES256_CCM, true },
		/* Unknown cipher ids. */
		{ SMB2_DIALECT_0311, 5, true },
		{ SMB2_DIALECT_0311, 0xffff, true },
		/* 3.1.1 needs the preauth hash. */
		{ SMB2_DIALECT_0311, SMB2_ENCRYPTION_AES128_GCM, false },
	};
	struct smb_keys k;
	u8 sk[16] = { 1 }, pa[64] = { 2 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&k, 0xcc, sizeof(k));
		assert_int_equal(
			smb_derive_keys(ops, bad[i].dialect, bad[i].cipher, sk,
					bad[i].preauth ? pa : NULL, &k),
			-1);
		assert_true(all_zero(&k, sizeof(k)));
	}
	assert_int_equal(
		smb_derive_keys(NULL, SMB2_DIALECT_0300, 0, sk, NULL, &k), -1);
	assert_int_equal(
		smb_derive_keys(ops, SMB2_DIALECT_0300, 0, NULL, NULL, &k), -1);
	assert_int_equal(
		smb_derive_keys(ops, SMB2_DIALECT_0300, 0, sk, NULL, NULL), -1);
}

static void test_algo_for(void **state)
{
	assert_int_equal(smb2_signing_algo_for(SMB2_DIALECT_0202, false, 0),
			 SMB2_SIGNING_HMAC_SHA256);
	assert_int_equal(smb2_signing_algo_for(SMB2_DIALECT_0210, true,
					       SMB2_SIGNING_AES_GMAC),
			 SMB2_SIGNING_HMAC_SHA256);
	assert_int_equal(smb2_signing_algo_for(SMB2_DIALECT_0300, false, 0),
			 SMB2_SIGNING_AES_CMAC);
	assert_int_equal(smb2_signing_algo_for(SMB2_DIALECT_0302, true,
					       SMB2_SIGNING_AES_GMAC),
			 SMB2_SIGNING_AES_CMAC);
	assert_int_equal(smb2_signing_algo_for(SMB2_DIALECT_0311, false, 0),
			 SMB2_SIGNING_AES_CMAC);
	assert_int_equal(smb2_signing_algo_for(SMB2_DIALECT_0311, true,
					       SMB2_SIGNING_AES_GMAC),
			 SMB2_SIGNING_AES_GMAC);
}

/* ---- signing --------------------------------------------------------- */

/*
 * Re-sign a published, signed message from scratch (signature field
 * cleared) and expect the published signature; then verify it.
 */
static void resign_check(u16 algo, const char *key_hex, const char *msg_hex,
			 const char *want_sig)
{
	size_t klen, len;
	u8 *key = hex_alloc(key_hex, &klen), *msg = hex_alloc(msg_hex, &len);
	struct smb_iov iov[3];

	memset(msg + SMB2_HDR_SIGNATURE, 0x5a, 16);
	iov[0] = (struct smb_iov){ msg, len };
	assert_int_equal(smb2_sign(ops, algo, key, iov, 1), 0);
	assert_true(hex_matches(msg + SMB2_HDR_SIGNATURE, 16, want_sig));
	assert_true(smb_get_le32(msg + SMB2_HDR_FLAGS) & SMB2_FLAGS_SIGNED);
	assert_true(smb2_verify(ops, algo, key, msg, len));
	/* Header, empty piece and body as separate iovs. */
	memset(msg + SMB2_HDR_SIGNATURE, 0, 16);
	iov[0] = (struct smb_iov){ msg, SMB2_HDR_SIZE };
	iov[1] = (struct smb_iov){ NULL, 0 };
	iov[2] = (struct smb_iov){ msg + SMB2_HDR_SIZE, len - SMB2_HDR_SIZE };
	assert_int_equal(smb2_sign(ops, algo, key, iov, 3), 0);
	assert_true(hex_matches(msg + SMB2_HDR_SIGNATURE, 16, want_sig));
	free(key);
	free(msg);
}

/* AES-CMAC: the signed final SESSION_SETUP responses of the MS example. */
static void test_cmac_ms_vectors(void **state)
{
	resign_check(SMB2_SIGNING_AES_CMAC, MS311_SIGNING_KEY,
		     ms311_session_setup_rsp2,
		     "EBE146DA120BA25FC3376A49DFE31BC1");
	resign_check(SMB2_SIGNING_AES_CMAC, MS311_BIND_SIGNING_KEY,
		     ms311_bind_session_setup_rsp2,
		     "8D604217FFBACF40635BF9D872992150");
}

/*
 * HMAC-SHA256 (2.x) over the MS "Encryption in SMB 3.0" WRITE request with
 * its session key; expected value from Python hmac/hashlib over the message
 * with SMB2_FLAGS_SIGNED set and a zero signature field.
 */
static void test_hmac_sha256(void **state)
{
	static const char write_req[] =
		"FE534D42400001000000000009004000"
		"08000000000000000400000000000000"
		"FFFE0000010000001100001400E40800"
		"00000000000000000000000000000000"
		"31007000170000000000000000000000"
		"15010000390000020100000039020000"
		"00000000000000007000000000000000"
		"536D623320656E6372797074696F6E20"
		"74657374696E67";

	resign_check(SMB2_SIGNING_HMAC_SHA256,
		     "B4546771B515F766A86735532DD6C4F0", write_req,
		     "9ff7c0c69d5f129a97feb64b95a1bf1d");
}

/*
 * AES-GMAC ([MS-SMB2] 3.1.4.1 nonce).  No published vector: expected
 * values from an independent Python GCM (GHASH written from SP800-38D over
 * a bare AES block), nonce = MessageId || LE32(role bits).
 */
static void test_gmac(void **state)
{
	/* Client CANCEL, MessageId 5, SessionId 0x100000000019. */
	static const char cancel[] =
		"FE534D4240000000000000000C000000"
		"08000000000000000500000000000000"
		"00000000000000001900000000100000"
		"00000000000000000000000000000000"
		"04000000";

	/* Server response: role bit 0 set. */
	resign_check(SMB2_SIGNING_AES_GMAC, MS311_SIGNING_KEY,
		     ms311_session_setup_rsp2,
		     "75d05bac99ff7fcc52a44c354381d559");
	/* CANCEL request: bit 1 set (without it: afb47a2c...). */
	resign_check(SMB2_SIGNING_AES_GMAC, MS311_SIGNING_KEY, cancel,
		     "4433a9e218117362f5cf6a08b8268b56");
}

/* Verification must fail on any change and always restore the field. */
static void test_verify_tamper_and_restore(void **state)
{
	static const u16 algos[] = { SMB2_SIGNING_HMAC_SHA256,
				     SMB2_SIGNING_AES_CMAC,
				     SMB2_SIGNING_AES_GMAC };
	size_t len, klen;
	u8 *key = hex_alloc(MS311_SIGNING_KEY, &klen);
	u8 *msg = hex_alloc(ms311_session_setup_rsp2, &len);
	u8 *copy = malloc(len);

	for (size_t a = 0; a < ARRAY_SIZE(algos); a++) {
		struct smb_iov iov = { msg, len };

		assert_int_equal(smb2_sign(ops, algos[a], key, &iov, 1), 0);
		memcpy(copy, msg, len);
		assert_true(smb2_verify(ops, algos[a], key, msg, len));
		assert_memory_equal(msg, copy, len);
		/* Any flipped bit, header (incl. MessageId) or body. */
		for (size_t i = 0; i < len; i += 7) {
			msg[i] ^= 0x10;
			assert_false(smb2_verify(ops, algos[a], key, msg, len));
			msg[i] ^= 0x10;
			assert_memory_equal(msg, copy, len);
		}
		/* Wrong key, wrong algorithm, truncated or extended. */
		key[3] ^= 1;
		assert_false(smb2_verify(ops, algos[a], key, msg, len));
		key[3] ^= 1;
		assert_false(
			smb2_verify(ops, algos[(a + 1) % 3], key, msg, len));
		assert_false(smb2_verify(ops, algos[a], key, msg, len - 1));
		assert_memory_equal(msg, copy, len);
	}
	free(key);
	free(msg);
	free(copy);
}

/* A message inside a compound: signed and verified over its padded length. */
static void test_compound_member(void **state)
{
	u8 key[16] = { 9 }, buf[200];
	struct smb_iov iov = { buf, 72 };

	memset(buf, 0, sizeof(buf));
	smb_put_le32(buf, SMB2_PROTO_ID);
	smb_put_le16(buf + SMB2_HDR_STRUCT_SIZE, 64);
	smb_put_le16(buf + SMB2_HDR_COMMAND, SMB2_ECHO);
	smb_put_le32(buf + SMB2_HDR_FLAGS, SMB2_FLAGS_SERVER_TO_REDIR);
	smb_put_le32(buf + SMB2_HDR_NEXT_COMMAND, 72);
	smb_put_le16(buf + 64, 4); /* ECHO response, then 4 pad bytes */
	memset(buf + 72, 0xee, sizeof(buf) - 72); /* the next message */
	assert_int_equal(smb2_sign(ops, SMB2_SIGNING_AES_CMAC, key, &iov, 1),
			 0);
	assert_true(smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, buf, 72));
	/* Not the padding-less length, not the rest of the chain. */
	assert_false(smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, buf, 68));
	assert_false(
		smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, buf, sizeof(buf)));
	/* The padding is covered. */
	buf[70] = 1;
	assert_false(smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, buf, 72));
}

static void test_malformed(void **state)
{
	u8 key[16] = { 0 }, msg[128] = { 0 }, copy[128];
	struct smb_iov iov = { msg, sizeof(msg) }, bad[2];
	const struct smb_crypto_ops empty = { 0 };

	smb_put_le32(msg, SMB2_PROTO_ID);
	smb_put_le32(msg + SMB2_HDR_FLAGS, SMB2_FLAGS_SIGNED);
	memcpy(copy, msg, sizeof(msg));
	/* Unknown algorithms. */
	assert_int_equal(smb2_sign(ops, 3, key, &iov, 1), -1);
	assert_int_equal(smb2_sign(ops, 0xffff, key, &iov, 1), -1);
	assert_false(smb2_verify(ops, 3, key, msg, sizeof(msg)));
	assert_memory_equal(msg, copy, sizeof(msg));
	/* Headers shorter than 64 bytes. */
	iov.len = SMB2_HDR_SIZE - 1;
	assert_int_equal(smb2_sign(ops, SMB2_SIGNING_AES_CMAC, key, &iov, 1),
			 -1);
	assert_false(smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, msg,
				 SMB2_HDR_SIZE - 1));
	assert_false(smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, msg, 0));
	assert_false(smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, NULL, 64));
	/* Header split across iovs, NULL iovs, bad counts. */
	bad[0] = (struct smb_iov){ msg, 32 };
	bad[1] = (struct smb_iov){ msg + 32, 96 };
	assert_int_equal(smb2_sign(ops, SMB2_SIGNING_AES_CMAC, key, bad, 2),
			 -1);
	bad[0].len = 64;
	bad[1].base = NULL;
	assert_int_equal(smb2_sign(ops, SMB2_SIGNING_AES_CMAC, key, bad, 2),
			 -1);
	iov.len = sizeof(msg);
	assert_int_equal(smb2_sign(ops, SMB2_SIGNING_AES_CMAC, key, &iov, 0),
			 -1);
	assert_int_equal(smb2_sign(ops, SMB2_SIGNING_AES_CMAC, key, NULL, 1),
			 -1);
	assert_int_equal(smb2_sign(ops, SMB2_SIGNING_AES_CMAC, NULL, &iov, 1),
			 -1);
	assert_int_equal(smb2_sign(NULL, SMB2_SIGNING_AES_CMAC, key, &iov, 1),
			 -1);
	assert_int_equal(smb2_sign(&empty, SMB2_SIGNING_AES_GMAC, key, &iov, 1),
			 -1);
	/* Not an SMB2 header (SMB1, transform). */
	smb_put_le32(msg, SMB1_PROTO_ID);
	assert_int_equal(smb2_sign(ops, SMB2_SIGNING_AES_CMAC, key, &iov, 1),
			 -1);
	smb_put_le32(msg, SMB2_TRANSFORM_PROTO_ID);
	assert_false(
		smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, msg, sizeof(msg)));
	/* A valid signature on a message without SMB2_FLAGS_SIGNED. */
	smb_put_le32(msg, SMB2_PROTO_ID);
	assert_int_equal(smb2_sign(ops, SMB2_SIGNING_AES_CMAC, key, &iov, 1),
			 0);
	assert_true(
		smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, msg, sizeof(msg)));
	smb_put_le32(msg + SMB2_HDR_FLAGS, 0);
	assert_false(
		smb2_verify(ops, SMB2_SIGNING_AES_CMAC, key, msg, sizeof(msg)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_smb30),
		cmocka_unit_test(test_keys_smb311),
		cmocka_unit_test(test_keys_smb311_aes256),
		cmocka_unit_test(test_keys_smb2x),
		cmocka_unit_test(test_keys_rejected),
		cmocka_unit_test(test_algo_for),
		cmocka_unit_test(test_cmac_ms_vectors),
		cmocka_unit_test(test_hmac_sha256),
		cmocka_unit_test(test_gmac),
		cmocka_unit_test(test_verify_tamper_and_restore),
		cmocka_unit_test(test_compound_member),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
