// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_crypt.c - SMB3 encryption (core/crypt.c): the transform header
 * against Microsoft's published SMB 3.0 messages, every cipher, hostile
 * transform headers, cipher negotiation, and whole encrypted sessions
 * through the core (policy per session and per share).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "platform.h"
#include "smb_harness.h"

#include "crypt.h"
#include "hexutil.h"
#include "ms_smb_vectors.h"

static const struct smb_crypto_ops *crypto(void)
{
	return smb_openssl_crypto_ops();
}

/* ---- known answers: "Encryption in SMB 3.0: A protocol perspective" ---- */

/* The client's WRITE request: key, nonce field, session id, plaintext,
 * and the transform it becomes. */
#define KAT_REQ_SESSION_ID 0x0008E40014000011ull
/* The transform header the request goes in (signature = CCM tag). */
static const char kat_req_header[] =
	"FD534D4281A286535415445DAE393921E44FA42E" MS30_WRITE_AAD;

static void test_kat_encrypt_write_request(void **state)
{
	size_t klen, nlen, plen, hlen, clen;
	u8 *key = hex_alloc(MS30_WRITE_KEY, &klen);
	u8 *nonce = hex_alloc(MS30_WRITE_AAD, &nlen);
	u8 *plain = hex_alloc(MS30_WRITE_PLAIN, &plen);
	u8 *hdr_want = hex_alloc(kat_req_header, &hlen);
	u8 *ct = hex_alloc(MS30_WRITE_CIPHER, &clen);
	u8 hdr[SMB2_TRANSFORM_HDR_SIZE], *pdu;
	struct smb_iov parts[2];
	u64 sid = 0;

	(void)state;
	assert_int_equal(hlen, SMB2_TRANSFORM_HDR_SIZE);
	assert_int_equal(plen, clen);
	pdu = malloc(SMB2_TRANSFORM_HDR_SIZE + plen);
	assert_non_null(pdu);
	memcpy(pdu + SMB2_TRANSFORM_HDR_SIZE, plain, plen);
	/* Two pieces, as a compound would be passed. */
	parts[0] = (struct smb_iov){ pdu + SMB2_TRANSFORM_HDR_SIZE, 64 };
	parts[1] = (struct smb_iov){ pdu + SMB2_TRANSFORM_HDR_SIZE + 64,
				     plen - 64 };
	assert_int_equal(smb3_encrypt(crypto(), SMB2_ENCRYPTION_AES128_CCM, key,
				      16, KAT_REQ_SESSION_ID, nonce, hdr, parts,
				      2),
			 0);
	assert_memory_equal(hdr, hdr_want, SMB2_TRANSFORM_HDR_SIZE);
	assert_memory_equal(pdu + SMB2_TRANSFORM_HDR_SIZE, ct, clen);

	/* And back, as the server receives it. */
	memcpy(pdu, hdr, SMB2_TRANSFORM_HDR_SIZE);
	assert_int_equal(
		smb3_transform_check(pdu, SMB2_TRANSFORM_HDR_SIZE + plen, &sid),
		0);
	assert_int_equal(sid, KAT_REQ_SESSION_ID);
	assert_int_equal(smb3_decrypt(crypto(), SMB2_ENCRYPTION_AES128_CCM, key,
				      16, pdu, SMB2_TRANSFORM_HDR_SIZE + plen),
			 0);
	assert_memory_equal(pdu + SMB2_TRANSFORM_HDR_SIZE, plain, plen);
	free(key);
	free(nonce);
	free(plain);
	free(hdr_want);
	free(ct);
	free(pdu);
}

/* Same post: the server's encrypted WRITE response, decrypted. */
static void test_kat_decrypt_write_response(void **state)
{
	size_t klen, tlen, plen;
	u8 *key = hex_alloc(MS30_WRITE_RSP_KEY, &klen);
	u8 *msg = hex_alloc(MS30_WRITE_RSP_TRANSFORMED, &tlen);
	u8 *pt = hex_alloc(MS30_WRITE_RSP_PLAIN, &plen);
	u64 sid;

	(void)state;
	assert_int_equal(smb3_transform_check(msg, tlen, &sid), 0);
	assert_int_equal(sid, KAT_REQ_SESSION_ID);
	assert_int_equal(smb3_decrypt(crypto(), SMB2_ENCRYPTION_AES128_CCM, key,
				      16, msg, tlen),
			 0);
	assert_memory_equal(msg + SMB2_TRANSFORM_HDR_SIZE, pt, plen);
	/* One flipped bit of ciphertext: refused, and nothing is revealed. */
	free(msg);
	msg = hex_alloc(MS30_WRITE_RSP_TRANSFORMED, &tlen);
	msg[tlen - 1] ^= 1;
	assert_int_equal(smb3_decrypt(crypto(), SMB2_ENCRYPTION_AES128_CCM, key,
				      16, msg, tlen),
			 -1);
	for (size_t i = SMB2_TRANSFORM_HDR_SIZE; i < tlen; i++)
		assert_int_equal(msg[i], 0);
	free(key);
	free(msg);
	free(pt);
}

/* Decode hex of exactly n bytes into out. */
static void hex_into(const char *hex, u8 *out, size_t n)
{
	size_t got;
	u8 *tmp = hex_alloc(hex, &got);

	assert_int_equal(got, n);
	memcpy(out, tmp, n);
	free(tmp);
}

/* The keys the MS 3.0 example derives are the keys we encrypt with. */
static void test_kat_kdf_cipher_keys(void **state)
{
	u8 sk[16], hash[64], key128[16];
	struct smb_keys k;

	(void)state;
	hex_into(MS30_SESSION_KEY, sk, 16);
	assert_int_equal(smb_derive_keys(crypto(), SMB2_DIALECT_0300,
					 SMB2_ENCRYPTION_AES128_CCM, sk, NULL,
					 &k),
			 0);
	assert_int_equal(k.cipher_key_len, 16);
	assert_true(hex_matches(k.decryption, 16, MS30_C2S_KEY));
	assert_true(hex_matches(k.encryption, 16, MS30_S2C_KEY));
	/* 3.0 has AES-128-CCM only. */
	assert_int_equal(smb_derive_keys(crypto(), SMB2_DIALECT_0300,
					 SMB2_ENCRYPTION_AES128_GCM, sk, NULL,
					 &k),
			 -1);
	/* 3.1.1, AES-256: 32-byte keys, L = 256 gives other bits. */
	hex_into(ms311_hash[4], hash, 64);
	hex_into(MS311_SESSION_KEY, sk, 16);
	assert_int_equal(smb_derive_keys(crypto(), SMB2_DIALECT_0311,
					 SMB2_ENCRYPTION_AES128_GCM, sk, hash,
					 &k),
			 0);
	assert_true(hex_matches(k.decryption, 16, MS311_C2S_KEY));
	assert_true(hex_matches(k.encryption, 16, MS311_S2C_KEY));
	memcpy(key128, k.decryption, 16);
	assert_int_equal(smb_derive_keys(crypto(), SMB2_DIALECT_0311,
					 SMB2_ENCRYPTION_AES256_GCM, sk, hash,
					 &k),
			 0);
	assert_int_equal(k.cipher_key_len, 32);
	assert_memory_not_equal(k.decryption, key128, 16);
}

/* ---- every cipher ------------------------------------------------------ */

static const u16 all_ciphers[] = {
	SMB2_ENCRYPTION_AES128_CCM,
	SMB2_ENCRYPTION_AES128_GCM,
	SMB2_ENCRYPTION_AES256_CCM,
	SMB2_ENCRYPTION_AES256_GCM,
};

static void test_roundtrip_all_ciphers(void **state)
{
	u8 key[32], nonce[16], hdr[SMB2_TRANSFORM_HDR_SIZE];
	u8 msg[300], orig[300], direct[300], tag[16];
	struct smb_iov parts[3], one;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (u8)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(orig); i++)
		orig[i] = (u8)(i * 13);
	smb_put_le32(orig, SMB2_PROTO_ID);
	for (size_t c = 0; c < ARRAY_SIZE(all_ciphers); c++) {
		u16 cipher = all_ciphers[c];
		size_t klen = smb3_key_len(cipher);
		size_t nlen = smb3_nonce_len(cipher);
		u64 sid;

		memset(nonce, 0, sizeof(nonce));
		nonce[0] = (u8)(c + 1);
		memcpy(msg, orig, sizeof(msg));
		parts[0] = (struct smb_iov){ msg, 64 };
		parts[1] = (struct smb_iov){ msg + 64, 100 };
		parts[2] = (struct smb_iov){ msg + 164, 136 };
		assert_int_equal(smb3_encrypt(crypto(), cipher, key, klen,
					      0x1234, nonce, hdr, parts, 3),
				 0);
		assert_int_equal(smb_get_le32(hdr), SMB2_TRANSFORM_PROTO_ID);
		assert_int_equal(smb_get_le32(hdr + SMB2_TF_ORIG_SIZE), 300);
		assert_int_equal(smb_get_le16(hdr + SMB2_TF_FLAGS), 1);
		assert_int_equal(smb_get_le64(hdr + SMB2_TF_SESSION_ID),
				 0x1234);
		assert_memory_not_equal(msg, orig, sizeof(msg));
		/* The same as the AEAD op applied by the spec's recipe. */
		memcpy(direct, orig, sizeof(direct));
		one = (struct smb_iov){ direct, sizeof(direct) };
		assert_int_equal(
			crypto()->aead_encrypt((enum smb_cipher_alg)cipher, key,
					       klen, hdr + 20, nlen, hdr + 20,
					       32, &one, 1, tag),
			0);
		assert_memory_equal(direct, msg, sizeof(msg));
		assert_memory_equal(tag, hdr + 4, 16);
		/* Decrypt as received. */
		{
			u8 pdu[SMB2_TRANSFORM_HDR_SIZE + 300];

			memcpy(pdu, hdr, sizeof(hdr));
			memcpy(pdu + sizeof(hdr), msg, sizeof(msg));
			assert_int_equal(smb3_transform_check(pdu, sizeof(pdu),
							      &sid),
					 0);
			assert_int_equal(smb3_decrypt(crypto(), cipher, key,
						      klen, pdu, sizeof(pdu)),
					 0);
			assert_memory_equal(pdu + sizeof(hdr), orig,
					    sizeof(orig));
			/* The session id is authenticated. */
			memcpy(pdu, hdr, sizeof(hdr));
			memcpy(pdu + sizeof(hdr), msg, sizeof(msg));
			pdu[SMB2_TF_SESSION_ID] ^= 1;
			assert_int_equal(smb3_decrypt(crypto(), cipher, key,
						      klen, pdu, sizeof(pdu)),
					 -1);
			/* Another cipher of the same key size fails too. */
			memcpy(pdu, hdr, sizeof(hdr));
			memcpy(pdu + sizeof(hdr), msg, sizeof(msg));
			assert_int_equal(smb3_decrypt(crypto(), cipher ^ 3, key,
						      klen, pdu, sizeof(pdu)),
					 -1);
		}
	}
}

static void test_bad_arguments(void **state)
{
	u8 key[32] = { 0 }, nonce[16] = { 0 }, hdr[SMB2_TRANSFORM_HDR_SIZE];
	u8 msg[64] = { 0 };
	struct smb_iov one = { msg, sizeof(msg) }, shortm = { msg, 63 };

	(void)state;
	assert_int_equal(smb3_nonce_len(0), 0);
	assert_int_equal(smb3_nonce_len(5), 0);
	assert_int_equal(smb3_key_len(5), 0);
	/* Unknown cipher, wrong key size, short message, NULL pieces. */
	assert_int_equal(
		smb3_encrypt(crypto(), 0, key, 16, 1, nonce, hdr, &one, 1), -1);
	assert_int_equal(smb3_encrypt(crypto(), SMB2_ENCRYPTION_AES256_GCM, key,
				      16, 1, nonce, hdr, &one, 1),
			 -1);
	assert_int_equal(smb3_encrypt(crypto(), SMB2_ENCRYPTION_AES128_GCM, key,
				      16, 1, nonce, hdr, &shortm, 1),
			 -1);
	assert_int_equal(smb3_encrypt(crypto(), SMB2_ENCRYPTION_AES128_GCM, key,
				      16, 1, nonce, hdr, &one, 0),
			 -1);
	one.base = NULL;
	assert_int_equal(smb3_encrypt(crypto(), SMB2_ENCRYPTION_AES128_GCM, key,
				      16, 1, nonce, hdr, &one, 1),
			 -1);
}

/* Every field of a received transform header is checked. */
static void test_transform_check_hostile(void **state)
{
	u8 pdu[SMB2_TRANSFORM_HDR_SIZE + 100];
	u64 sid = 0;

	(void)state;
	memset(pdu, 0, sizeof(pdu));
	smb_put_le32(pdu, SMB2_TRANSFORM_PROTO_ID);
	smb_put_le32(pdu + SMB2_TF_ORIG_SIZE, 100);
	smb_put_le16(pdu + SMB2_TF_FLAGS, 1);
	smb_put_le64(pdu + SMB2_TF_SESSION_ID, 77);
	assert_int_equal(smb3_transform_check(pdu, sizeof(pdu), &sid), 0);
	assert_int_equal(sid, 77);
	/* Truncated: no room for an SMB2 header, or not even the header. */
	assert_int_equal(smb3_transform_check(pdu, SMB2_TRANSFORM_HDR_SIZE + 63,
					      &sid),
			 -1);
	assert_int_equal(smb3_transform_check(pdu, 10, &sid), -1);
	assert_int_equal(smb3_transform_check(NULL, 0, &sid), -1);
	/* OriginalMessageSize: larger, smaller, huge. */
	smb_put_le32(pdu + SMB2_TF_ORIG_SIZE, 101);
	assert_int_equal(smb3_transform_check(pdu, sizeof(pdu), &sid), -1);
	smb_put_le32(pdu + SMB2_TF_ORIG_SIZE, 99);
	assert_int_equal(smb3_transform_check(pdu, sizeof(pdu), &sid), -1);
	smb_put_le32(pdu + SMB2_TF_ORIG_SIZE, 0xffffffffu);
	assert_int_equal(smb3_transform_check(pdu, sizeof(pdu), &sid), -1);
	smb_put_le32(pdu + SMB2_TF_ORIG_SIZE, 100);
	/* Flags/EncryptionAlgorithm other than 0x0001. */
	smb_put_le16(pdu + SMB2_TF_FLAGS, 0);
	assert_int_equal(smb3_transform_check(pdu, sizeof(pdu), &sid), -1);
	smb_put_le16(pdu + SMB2_TF_FLAGS, 3);
	assert_int_equal(smb3_transform_check(pdu, sizeof(pdu), &sid), -1);
	smb_put_le16(pdu + SMB2_TF_FLAGS, 1);
	/* Not a transform at all. */
	smb_put_le32(pdu, SMB2_PROTO_ID);
	assert_int_equal(smb3_transform_check(pdu, sizeof(pdu), &sid), -1);
	/* A well-formed header with a garbage tag does not decrypt. */
	smb_put_le32(pdu, SMB2_TRANSFORM_PROTO_ID);
	assert_int_equal(smb3_decrypt(crypto(), SMB2_ENCRYPTION_AES128_GCM, pdu,
				      16, pdu, sizeof(pdu)),
			 -1);
	assert_int_equal(smb3_decrypt(crypto(), SMB2_ENCRYPTION_AES128_GCM, pdu,
				      32, pdu, sizeof(pdu)),
			 -1);
}

/* ---- through the core -------------------------------------------------- */

struct enc_client {
	struct h_client *c;
	u16 cipher;
	struct smb_keys k;
	u64 nonce;
};

/* NEGOTIATE 3.1.1 offering ciphers[0..n) (none when n is 0); returns the
 * server's cipher from its ENCRYPTION_CAPABILITIES (-1: no context). */
static int negotiate_311(struct h_client *c, const u16 *ciphers, int n)
{
	u16 d = SMB2_DIALECT_0311, algo = SMB2_SIGNING_AES_CMAC;
	struct h_neg neg = {
		.dialects = &d, .ndialects = 1, .sign_algos = &algo, .nsign = 1
	};
	struct h_req r;
	const u8 *b;
	u32 off;
	int found = -1;

	h_build_negotiate(c, &r, &neg);
	if (n) {
		u8 ec[2 + 2 * 8];

		smb_put_le16(ec, (u16)n);
		for (int i = 0; i < n; i++)
			smb_put_le16(ec + 2 + 2 * i, ciphers[i]);
		h_put_ctx(&r, SMB2_ENCRYPTION_CAPABILITIES, ec,
			  (u16)(2 + 2 * n));
		h_set16(&r, SMB2_HDR_SIZE + 32,
			smb_get_le16(r.p + SMB2_HDR_SIZE + 32) + 1);
	}
	if (h_call(c, &r) != STATUS_SUCCESS)
		return -2;
	h_negotiate_done(c);
	b = h_rbody(c);
	off = smb_get_le32(b + 60);
	for (u16 i = 0; i < smb_get_le16(b + 6); i++) {
		const u8 *ctx;

		off = (off + 7) & ~7u;
		ctx = c->last->data + off;
		if (smb_get_le16(ctx) == SMB2_ENCRYPTION_CAPABILITIES) {
			assert_int_equal(smb_get_le16(ctx + 2), 4);
			assert_int_equal(smb_get_le16(ctx + 8), 1);
			found = smb_get_le16(ctx + 10);
		}
		off += 8u + smb_get_le16(ctx + 2);
	}
	return found;
}

/* Log on at dialect with encryption offered (3.1.1: cipher only). */
static struct enc_client *enc_login(struct h_env *e, u16 dialect, u16 cipher)
{
	struct enc_client *ec = calloc(1, sizeof(*ec));

	assert_non_null(ec);
	ec->c = h_client_new(e);
	if (dialect == SMB2_DIALECT_0311) {
		assert_int_equal(negotiate_311(ec->c, &cipher, 1), cipher);
		ec->cipher = cipher;
	} else {
		ec->c->caps |= SMB2_GLOBAL_CAP_ENCRYPTION;
		h_negotiate(ec->c, dialect, 0xffff);
		assert_true(ec->c->server_caps & SMB2_GLOBAL_CAP_ENCRYPTION);
		ec->cipher = SMB2_ENCRYPTION_AES128_CCM;
	}
	assert_int_equal(h_session_setup(ec->c), STATUS_SUCCESS);
	assert_int_equal(smb_derive_keys(crypto(), dialect, ec->cipher,
					 ec->c->s.session_key, ec->c->s.preauth,
					 &ec->k),
			 0);
	return ec;
}

static void enc_free(struct enc_client *ec)
{
	h_client_free(ec->c);
	free(ec);
}

/* Encrypt the plaintext PDU p (for session sid), let mutate (if any)
 * spoil the result, and hand it to the core. */
static int enc_send_mut(struct enc_client *ec, const u8 *p, size_t len, u64 sid,
			void (*mutate)(u8 *pdu, size_t len))
{
	u8 *pdu = malloc(SMB2_TRANSFORM_HDR_SIZE + len), nonce[16] = { 0 };
	struct smb_iov one;
	int rc;

	assert_non_null(pdu);
	memcpy(pdu + SMB2_TRANSFORM_HDR_SIZE, p, len);
	one = (struct smb_iov){ pdu + SMB2_TRANSFORM_HDR_SIZE, len };
	smb_put_le64(nonce, ++ec->nonce);
	nonce[15] = 0xc1; /* client nonces, apart from the server's */
	assert_int_equal(smb3_encrypt(crypto(), ec->cipher, ec->k.decryption,
				      ec->k.cipher_key_len, sid, nonce, pdu,
				      &one, 1),
			 0);
	if (mutate)
		mutate(pdu, SMB2_TRANSFORM_HDR_SIZE + len);
	rc = h_send_raw(ec->c, pdu, SMB2_TRANSFORM_HDR_SIZE + len);
	free(pdu);
	return rc;
}

static int enc_send_raw(struct enc_client *ec, const u8 *p, size_t len, u64 sid)
{
	return enc_send_mut(ec, p, len, sid, NULL);
}

static void flip_ciphertext(u8 *pdu, size_t len)
{
	(void)len;
	pdu[SMB2_TRANSFORM_HDR_SIZE + 3] ^= 0x40;
}

static void shorten_orig_size(u8 *pdu, size_t len)
{
	smb_put_le32(pdu + SMB2_TF_ORIG_SIZE,
		     (u32)(len - SMB2_TRANSFORM_HDR_SIZE - 1));
}

static int enc_send(struct enc_client *ec, struct h_req *r)
{
	int rc = enc_send_raw(ec, r->p, r->len, ec->c->s.id);

	h_req_free(r);
	return rc;
}

/* The next PDU from the server, which must be encrypted; decrypted in
 * place, kept as c->last with the plaintext at *msg. */
static u8 *enc_recv(struct enc_client *ec, size_t *len)
{
	struct h_pdu *p = ec->c->tc.head;
	u64 sid;

	assert_non_null(p);
	ec->c->tc.head = p->next;
	if (!ec->c->tc.head)
		ec->c->tc.tail = NULL;
	free(ec->c->last);
	ec->c->last = p;
	assert_int_equal(smb_get_le32(p->data), SMB2_TRANSFORM_PROTO_ID);
	assert_int_equal(smb3_transform_check(p->data, p->len, &sid), 0);
	assert_int_equal(sid, ec->c->s.id);
	assert_int_equal(smb3_decrypt(crypto(), ec->cipher, ec->k.encryption,
				      ec->k.cipher_key_len, p->data, p->len),
			 0);
	*len = p->len - SMB2_TRANSFORM_HDR_SIZE;
	return p->data + SMB2_TRANSFORM_HDR_SIZE;
}

static u32 enc_call(struct enc_client *ec, struct h_req *r)
{
	size_t len;
	u8 *m;

	assert_int_equal(enc_send(ec, r), 0);
	m = enc_recv(ec, &len);
	/* Encrypted responses are not signed. */
	assert_false(smb_get_le32(m + SMB2_HDR_FLAGS) & SMB2_FLAGS_SIGNED);
	return smb_get_le32(m + SMB2_HDR_STATUS);
}

static void test_negotiate_cipher_choice(void **state)
{
	struct h_env *e = *state;
	static const u16 ccm_both[] = { SMB2_ENCRYPTION_AES256_CCM,
					SMB2_ENCRYPTION_AES128_CCM };
	static const u16 all[] = { SMB2_ENCRYPTION_AES256_GCM,
				   SMB2_ENCRYPTION_AES256_CCM,
				   SMB2_ENCRYPTION_AES128_CCM,
				   SMB2_ENCRYPTION_AES128_GCM };
	static const u16 gcm256[] = { SMB2_ENCRYPTION_AES256_GCM };
	static const u16 unknown[] = { 0x0009, 0x7777 };
	struct h_client *c;

	c = h_client_new(e); /* the server's order, not the client's */
	assert_int_equal(negotiate_311(c, all, 4), SMB2_ENCRYPTION_AES128_GCM);
	h_client_free(c);
	c = h_client_new(e);
	assert_int_equal(negotiate_311(c, ccm_both, 2),
			 SMB2_ENCRYPTION_AES128_CCM);
	h_client_free(c);
	c = h_client_new(e);
	assert_int_equal(negotiate_311(c, gcm256, 1),
			 SMB2_ENCRYPTION_AES256_GCM);
	h_client_free(c);
	c = h_client_new(e); /* nothing shared: cipher 0 */
	assert_int_equal(negotiate_311(c, unknown, 2), 0);
	h_client_free(c);
	c = h_client_new(e); /* no context asked, none answered */
	assert_int_equal(negotiate_311(c, NULL, 0), -1);
	h_client_free(c);
	/* Encryption off: the context is not answered. */
	smb_server_set_encryption(e->srv, SMB_ENCRYPT_OFF);
	c = h_client_new(e);
	assert_int_equal(negotiate_311(c, all, 4), -1);
	h_client_free(c);
	/* 3.0: the capability bit, only when the client sets it. */
	c = h_client_new(e);
	c->caps = SMB2_GLOBAL_CAP_ENCRYPTION;
	h_negotiate(c, SMB2_DIALECT_0300, 0xffff);
	assert_false(c->server_caps & SMB2_GLOBAL_CAP_ENCRYPTION);
	h_client_free(c);
	smb_server_set_encryption(e->srv, SMB_ENCRYPT_AUTO);
	c = h_client_new(e);
	c->caps = SMB2_GLOBAL_CAP_ENCRYPTION;
	h_negotiate(c, SMB2_DIALECT_0302, 0xffff);
	assert_true(c->server_caps & SMB2_GLOBAL_CAP_ENCRYPTION);
	h_client_free(c);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0300, 0xffff);
	assert_false(c->server_caps & SMB2_GLOBAL_CAP_ENCRYPTION);
	h_client_free(c);
}

static void test_negotiate_cipher_ctx_malformed(void **state)
{
	struct h_env *e = *state;
	u16 d = SMB2_DIALECT_0311;
	struct h_neg neg = { .dialects = &d, .ndialects = 1 };
	static const u8 bad[][6] = {
		{ 0, 0 }, /* CipherCount 0 */
		{ 3, 0, 1, 0, 2, 0 }, /* 3 ciphers in 4 bytes */
	};
	static const u16 lens[] = { 2, 6 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct h_client *c = h_client_new(e);
		struct h_req r;

		h_build_negotiate(c, &r, &neg);
		h_put_ctx(&r, SMB2_ENCRYPTION_CAPABILITIES, bad[i], lens[i]);
		h_set16(&r, SMB2_HDR_SIZE + 32,
			smb_get_le16(r.p + SMB2_HDR_SIZE + 32) + 1);
		assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
		h_client_free(c);
	}
}

static void session_roundtrip(struct h_env *e, u16 dialect, u16 cipher)
{
	struct enc_client *ec = enc_login(e, dialect, cipher);
	struct h_req r, chain;
	size_t len, len0;
	u8 *m, *second;

	/* No EncryptData: the client chooses to encrypt. */
	assert_false(ec->c->s.flags & SMB2_SESSION_FLAG_ENCRYPT_DATA);
	h_build_tree_connect(ec->c, &r, "share");
	assert_int_equal(enc_call(ec, &r), STATUS_SUCCESS);
	ec->c->tid = smb_get_le32(ec->c->last->data + SMB2_TRANSFORM_HDR_SIZE +
				  SMB2_HDR_TREE_ID);
	/* A compound comes back as one transform holding both responses. */
	h_build_small(ec->c, &r, SMB2_ECHO);
	h_pad8(&r);
	smb_put_le32(r.p + SMB2_HDR_NEXT_COMMAND, (u32)r.len);
	h_build_small(ec->c, &chain, SMB2_ECHO);
	h_put(&r, chain.p, chain.len);
	h_req_free(&chain);
	assert_int_equal(enc_send(ec, &r), 0);
	m = enc_recv(ec, &len);
	len0 = smb_get_le32(m + SMB2_HDR_NEXT_COMMAND);
	assert_true(len0 >= SMB2_HDR_SIZE + 4 && len0 < len);
	second = m + len0;
	assert_int_equal(smb_get_le16(second + SMB2_HDR_COMMAND), SMB2_ECHO);
	assert_int_equal(smb_get_le32(second + SMB2_HDR_STATUS), 0);
	assert_null(ec->c->tc.head);
	/* Unencrypted requests stay allowed and are answered in clear. */
	assert_int_equal(h_simple(ec->c, SMB2_ECHO), STATUS_SUCCESS);
	/* Two responses never share a nonce. */
	{
		u8 n1[16], n2[16];

		h_build_small(ec->c, &r, SMB2_ECHO);
		assert_int_equal(enc_call(ec, &r), 0);
		memcpy(n1, ec->c->last->data + SMB2_TF_NONCE, 16);
		h_build_small(ec->c, &r, SMB2_ECHO);
		assert_int_equal(enc_call(ec, &r), 0);
		memcpy(n2, ec->c->last->data + SMB2_TF_NONCE, 16);
		assert_memory_not_equal(n1, n2, 16);
	}
	/* LOGOFF inside the transform: answered encrypted. */
	h_build_small(ec->c, &r, SMB2_LOGOFF);
	assert_int_equal(enc_call(ec, &r), STATUS_SUCCESS);
	enc_free(ec);
}

static void test_session_all_ciphers(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_ciphers); i++)
		session_roundtrip(*state, SMB2_DIALECT_0311, all_ciphers[i]);
	session_roundtrip(*state, SMB2_DIALECT_0300, 0);
	session_roundtrip(*state, SMB2_DIALECT_0302, 0);
}

static void test_session_encrypt_required(void **state)
{
	struct h_env *e = *state;
	struct enc_client *ec;
	struct h_client *c;
	struct h_req r;

	smb_server_set_encryption(e->srv, SMB_ENCRYPT_REQUIRED);
	ec = enc_login(e, SMB2_DIALECT_0311, SMB2_ENCRYPTION_AES128_GCM);
	assert_true(ec->c->s.flags & SMB2_SESSION_FLAG_ENCRYPT_DATA);
	/* In clear: refused ([MS-SMB2] 3.3.5.2.9). */
	assert_int_equal(h_tree_connect(ec->c, "share"), STATUS_ACCESS_DENIED);
	h_build_tree_connect(ec->c, &r, "share");
	assert_int_equal(enc_call(ec, &r), STATUS_SUCCESS);
	enc_free(ec);
	/* A client that cannot encrypt cannot log on. */
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0210, 0xffff);
	assert_int_equal(h_session_setup(c), STATUS_ACCESS_DENIED);
	h_client_free(c);
	c = h_client_new(e);
	assert_int_equal(negotiate_311(c, NULL, 0), -1);
	assert_int_equal(h_session_setup(c), STATUS_ACCESS_DENIED);
	h_client_free(c);
}

static void test_share_encrypt(void **state)
{
	struct h_env *e = *state;
	struct enc_client *ec;
	struct h_client *c;
	struct h_req r;

	assert_int_equal(smb_server_set_share_encryption(e->srv, "SHARE", true),
			 0);
	assert_int_equal(smb_server_set_share_encryption(e->srv, "nope", true),
			 -1);
	ec = enc_login(e, SMB2_DIALECT_0311, SMB2_ENCRYPTION_AES128_CCM);
	/* TREE_CONNECT itself may come in clear; it announces the need. */
	assert_int_equal(h_tree_connect(ec->c, "share"), STATUS_SUCCESS);
	assert_true(smb_get_le32(h_rbody(ec->c) + 4) &
		    SMB2_SHAREFLAG_ENCRYPT_DATA);
	/* Then a request in clear on the tree is refused (3.3.5.2.11)... */
	h_build_small(ec->c, &r, SMB2_TREE_DISCONNECT);
	assert_int_equal(h_call(ec->c, &r), STATUS_ACCESS_DENIED);
	/* ...and the same encrypted works; the answer is encrypted. */
	h_build_small(ec->c, &r, SMB2_TREE_DISCONNECT);
	assert_int_equal(enc_call(ec, &r), STATUS_SUCCESS);
	/* Other shares are unaffected. */
	assert_int_equal(h_tree_connect(ec->c, "ro"), STATUS_SUCCESS);
	assert_false(smb_get_le32(h_rbody(ec->c) + 4) &
		     SMB2_SHAREFLAG_ENCRYPT_DATA);
	enc_free(ec);
	/* SMB 2.1 cannot encrypt: the share refuses it. */
	c = h_client_new(e);
	h_login(c, SMB2_DIALECT_0210, SMB2_SIGNING_HMAC_SHA256);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_ACCESS_DENIED);
	h_client_free(c);
}

/* A guest has no key: an encrypted share refuses it, others do not. */
static void test_share_encrypt_guest(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;

	e->cfg.map_to_guest = SMB_MAP_TO_GUEST_BAD_USER;
	e->shares[0].guest_ok = true;
	e->shares[1].guest_ok = true;
	h_env_start(e);
	assert_int_equal(smb_server_set_share_encryption(e->srv, "share", true),
			 0);
	c = h_client_new(e);
	assert_int_equal(h_negotiate_311_enc(c), STATUS_SUCCESS);
	assert_int_equal(h_session_setup_ex(c, "nobody-here", "x",
					    H_AUTH_NTLMV2),
			 STATUS_SUCCESS);
	assert_true(c->s.flags & SMB2_SESSION_FLAG_IS_GUEST);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_ACCESS_DENIED);
	assert_int_equal(h_tree_connect(c, "ro"), STATUS_SUCCESS);
	h_client_free(c);
	/* Encryption mandatory server-wide: guests cannot log on at all. */
	smb_server_set_encryption(e->srv, SMB_ENCRYPT_REQUIRED);
	c = h_client_new(e);
	assert_int_equal(h_negotiate_311_enc(c), STATUS_SUCCESS);
	assert_int_equal(h_session_setup_ex(c, "nobody-here", "x",
					    H_AUTH_NTLMV2),
			 STATUS_ACCESS_DENIED);
	h_client_free(c);
}

/* Each hostile transform drops the connection, and never crashes. */
static void test_hostile_transforms(void **state)
{
	struct h_env *e = *state;
	struct enc_client *ec;
	struct h_req r;
	u8 pdu[SMB2_TRANSFORM_HDR_SIZE + 68];
	int rc;

	/* Before NEGOTIATE. */
	ec = calloc(1, sizeof(*ec));
	ec->c = h_client_new(e);
	memset(pdu, 0, sizeof(pdu));
	smb_put_le32(pdu, SMB2_TRANSFORM_PROTO_ID);
	smb_put_le32(pdu + SMB2_TF_ORIG_SIZE, 68);
	smb_put_le16(pdu + SMB2_TF_FLAGS, 1);
	assert_true(h_send_raw(ec->c, pdu, sizeof(pdu)) < 0);
	enc_free(ec);

	/* On a connection that negotiated no cipher. */
	ec = calloc(1, sizeof(*ec));
	ec->c = h_client_new(e);
	h_login(ec->c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	smb_put_le64(pdu + SMB2_TF_SESSION_ID, ec->c->s.id);
	assert_true(h_send_raw(ec->c, pdu, sizeof(pdu)) < 0);
	enc_free(ec);

	for (int which = 0; which < 8; which++) {
		ec = enc_login(e, SMB2_DIALECT_0311,
			       SMB2_ENCRYPTION_AES128_GCM);
		h_build_small(ec->c, &r, SMB2_ECHO);
		switch (which) {
		case 0: /* unknown SessionId */
			rc = enc_send_raw(ec, r.p, r.len, ec->c->s.id + 99);
			break;
		case 1: /* the inner header names another session */
			smb_put_le64(r.p + SMB2_HDR_SESSION_ID, 12345);
			rc = enc_send_raw(ec, r.p, r.len, ec->c->s.id);
			break;
		case 2: /* tampered ciphertext */
			rc = enc_send_mut(ec, r.p, r.len, ec->c->s.id,
					  flip_ciphertext);
			break;
		case 3: /* encrypted with the wrong direction's key */
			memcpy(ec->k.decryption, ec->k.encryption, 16);
			rc = enc_send_raw(ec, r.p, r.len, ec->c->s.id);
			break;
		case 4: { /* a NEGOTIATE inside a transform */
			struct h_req n;
			u16 d = SMB2_DIALECT_0311;
			struct h_neg neg = { .dialects = &d, .ndialects = 1 };

			h_build_negotiate(ec->c, &n, &neg);
			rc = enc_send_raw(ec, n.p, n.len, ec->c->s.id);
			h_req_free(&n);
			break;
		}
		case 5: /* OriginalMessageSize one short */
			rc = enc_send_mut(ec, r.p, r.len, ec->c->s.id,
					  shorten_orig_size);
			break;
		case 6: { /* a related request naming another session */
			struct h_req rel;

			h_pad8(&r);
			smb_put_le32(r.p + SMB2_HDR_NEXT_COMMAND, (u32)r.len);
			h_build_small(ec->c, &rel, SMB2_ECHO);
			smb_put_le32(rel.p + SMB2_HDR_FLAGS,
				     SMB2_FLAGS_RELATED_OPERATIONS);
			smb_put_le64(rel.p + SMB2_HDR_SESSION_ID, 12345);
			h_put(&r, rel.p, rel.len);
			h_req_free(&rel);
			rc = enc_send_raw(ec, r.p, r.len, ec->c->s.id);
			break;
		}
		default: /* a transform holding less than an SMB2 header */
			rc = enc_send_raw(ec, r.p, r.len, ec->c->s.id);
			assert_int_equal(rc, 0); /* the good one, answered */
			assert_non_null(ec->c->tc.head);
			memset(pdu, 0, sizeof(pdu));
			smb_put_le32(pdu, SMB2_TRANSFORM_PROTO_ID);
			smb_put_le32(pdu + SMB2_TF_ORIG_SIZE, 10);
			smb_put_le16(pdu + SMB2_TF_FLAGS, 1);
			smb_put_le64(pdu + SMB2_TF_SESSION_ID, ec->c->s.id);
			rc = h_send_raw(ec->c, pdu,
					SMB2_TRANSFORM_HDR_SIZE + 10);
			break;
		}
		h_req_free(&r);
		assert_true(rc < 0);
		enc_free(ec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kat_encrypt_write_request),
		cmocka_unit_test(test_kat_decrypt_write_response),
		cmocka_unit_test(test_kat_kdf_cipher_keys),
		cmocka_unit_test(test_roundtrip_all_ciphers),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_transform_check_hostile),
		cmocka_unit_test_setup_teardown(test_negotiate_cipher_choice,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(
			test_negotiate_cipher_ctx_malformed, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(test_session_all_ciphers,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_session_encrypt_required,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_share_encrypt, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_share_encrypt_guest,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_transforms,
						h_setup, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
