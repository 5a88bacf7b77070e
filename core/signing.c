// SPDX-License-Identifier: GPL-2.0-or-later
/* signing.c - SMB2/3 key derivation and message signing. */
#include "compat.h"
#include "kdf.h"
#include "signing.h"
#include "smb2.h"

/* A KDF label or context string including its terminating NUL. */
struct kdf_str {
	const char *s;
	size_t len;
};
#define KDF_STR(lit)             \
	{                        \
		lit, sizeof(lit) \
	}

/* Label/context pairs for 3.0 and 3.0.2 ([MS-SMB2] 3.3.5.5.3). */
static const struct kdf_str smb30_sign[2] = { KDF_STR("SMB2AESCMAC"),
					      KDF_STR("SmbSign") };
static const struct kdf_str smb30_app[2] = { KDF_STR("SMB2APP"),
					     KDF_STR("SmbRpc") };
static const struct kdf_str smb30_c2s[2] = { KDF_STR("SMB2AESCCM"),
					     KDF_STR("ServerIn ") };
static const struct kdf_str smb30_s2c[2] = { KDF_STR("SMB2AESCCM"),
					     KDF_STR("ServerOut") };
/* Labels for 3.1.1; the context is the preauth integrity hash. */
static const struct kdf_str smb311_sign = KDF_STR("SMBSigningKey");
static const struct kdf_str smb311_app = KDF_STR("SMBAppKey");
static const struct kdf_str smb311_c2s = KDF_STR("SMBC2SCipherKey");
static const struct kdf_str smb311_s2c = KDF_STR("SMBS2CCipherKey");

static int kdf30(const struct smb_crypto_ops *c, const u8 *session_key,
		 const struct kdf_str pair[2], u8 *out, size_t out_len)
{
	return smb_kdf(c, session_key, SMB_SESSION_KEY_SIZE,
		       (const u8 *)pair[0].s, pair[0].len,
		       (const u8 *)pair[1].s, pair[1].len, out, out_len);
}

static int kdf311(const struct smb_crypto_ops *c, const u8 *session_key,
		  const struct kdf_str *label, const u8 *preauth_hash, u8 *out,
		  size_t out_len)
{
	return smb_kdf(c, session_key, SMB_SESSION_KEY_SIZE,
		       (const u8 *)label->s, label->len, preauth_hash, 64, out,
		       out_len);
}

/* Cipher key length for a dialect/cipher pair, 0 if not allowed. */
static size_t cipher_key_len(u16 dialect, u16 cipher)
{
	if (dialect != SMB2_DIALECT_0311)
		return cipher == 0 || cipher == SMB2_ENCRYPTION_AES128_CCM ?
			       16 :
			       0;
	switch (cipher) {
	case 0:
	case SMB2_ENCRYPTION_AES128_CCM:
	case SMB2_ENCRYPTION_AES128_GCM:
		return 16;
	case SMB2_ENCRYPTION_AES256_CCM:
	case SMB2_ENCRYPTION_AES256_GCM:
		return 32;
	}
	return 0;
}

int smb_derive_keys(const struct smb_crypto_ops *c, u16 dialect, u16 cipher,
		    const u8 session_key[SMB_SESSION_KEY_SIZE],
		    const u8 preauth_hash[64], struct smb_keys *out)
{
	size_t klen;
	int rc;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!c || !session_key)
		return -1;
	switch (dialect) {
	case SMB2_DIALECT_0202:
	case SMB2_DIALECT_0210:
		if (cipher)
			return -1;
		memcpy(out->signing, session_key, SMB_SIGNING_KEY_SIZE);
		return 0;
	case SMB2_DIALECT_0300:
	case SMB2_DIALECT_0302:
		break;
	case SMB2_DIALECT_0311:
		if (!preauth_hash)
			return -1;
		break;
	default:
		return -1;
	}
	klen = cipher_key_len(dialect, cipher);
	if (!klen)
		return -1;
	if (dialect == SMB2_DIALECT_0311) {
		const u8 *h = preauth_hash;

		rc = kdf311(c, session_key, &smb311_sign, h, out->signing, 16);
		rc = rc	   ?:
			     kdf311(c, session_key, &smb311_app, h,
				    out->application, 16);
		rc = rc	   ?:
			     kdf311(c, session_key, &smb311_c2s, h,
				    out->decryption, klen);
		rc = rc	   ?:
			     kdf311(c, session_key, &smb311_s2c, h,
				    out->encryption, klen);
	} else {
		rc = kdf30(c, session_key, smb30_sign, out->signing, 16);
		rc = rc	   ?:
			     kdf30(c, session_key, smb30_app, out->application,
				   16);
		rc = rc	   ?:
			     kdf30(c, session_key, smb30_c2s, out->decryption,
				   klen);
		rc = rc	   ?:
			     kdf30(c, session_key, smb30_s2c, out->encryption,
				   klen);
	}
	if (rc) {
		smb_memzero_explicit(out, sizeof(*out));
		return -1;
	}
	out->cipher_key_len = klen;
	return 0;
}

u16 smb2_signing_algo_for(u16 dialect, bool have_negotiated_algo,
			  u16 negotiated_algo)
{
	if (dialect < SMB2_DIALECT_0300)
		return SMB2_SIGNING_HMAC_SHA256;
	if (dialect == SMB2_DIALECT_0311 && have_negotiated_algo)
		return negotiated_algo;
	return SMB2_SIGNING_AES_CMAC;
}

/* The header must be a complete SMB2 header in one piece. */
static bool header_ok(const u8 *hdr, size_t len)
{
	return hdr && len >= SMB2_HDR_SIZE &&
	       smb_get_le32(hdr + SMB2_HDR_PROTO) == SMB2_PROTO_ID;
}

/*
 * [MS-SMB2] 3.1.4.1: the GMAC nonce is MessageId followed by a 32-bit LE
 * word with bit 0 = sent by the server and bit 1 = CANCEL request.
 */
static void gmac_nonce(const u8 *hdr, u8 nonce[12])
{
	u32 flags = smb_get_le32(hdr + SMB2_HDR_FLAGS);
	u32 role = 0;

	if (flags & SMB2_FLAGS_SERVER_TO_REDIR)
		role |= 1;
	if (smb_get_le16(hdr + SMB2_HDR_COMMAND) == SMB2_CANCEL)
		role |= 2;
	memcpy(nonce, hdr + SMB2_HDR_MESSAGE_ID, 8);
	smb_put_le32(nonce + 8, role);
}

/* MAC of the message (signature field already zeroed) into sig. */
static int compute_signature(const struct smb_crypto_ops *c, u16 algo,
			     const u8 *key, const u8 *hdr,
			     const struct smb_iov *msg, int niov,
			     u8 sig[SMB2_SIGNATURE_SIZE])
{
	u8 mac[SMB_SHA256_SIZE], nonce[12];
	int rc = -1;

	if (!c || !key)
		return -1;
	switch (algo) {
	case SMB2_SIGNING_HMAC_SHA256:
		if (c->hmac)
			rc = c->hmac(SMB_HASH_SHA256, key, SMB_SIGNING_KEY_SIZE,
				     msg, niov, mac);
		break;
	case SMB2_SIGNING_AES_CMAC:
		if (c->aes_cmac)
			rc = c->aes_cmac(key, msg, niov, mac);
		break;
	case SMB2_SIGNING_AES_GMAC:
		gmac_nonce(hdr, nonce);
		if (c->aes_gmac)
			rc = c->aes_gmac(key, nonce, msg, niov, mac);
		break;
	}
	if (rc == 0)
		memcpy(sig, mac, SMB2_SIGNATURE_SIZE);
	smb_memzero_explicit(mac, sizeof(mac));
	return rc == 0 ? 0 : -1;
}

int smb2_sign(const struct smb_crypto_ops *c, u16 algo,
	      const u8 key[SMB_SIGNING_KEY_SIZE], const struct smb_iov *msg,
	      int niov)
{
	u8 sig[SMB2_SIGNATURE_SIZE];
	u8 *hdr;
	int i;

	if (!msg || niov < 1 || !header_ok(msg[0].base, msg[0].len))
		return -1;
	for (i = 1; i < niov; i++)
		if (msg[i].len && !msg[i].base)
			return -1;
	hdr = msg[0].base;
	smb_put_le32(hdr + SMB2_HDR_FLAGS,
		     smb_get_le32(hdr + SMB2_HDR_FLAGS) | SMB2_FLAGS_SIGNED);
	memset(hdr + SMB2_HDR_SIGNATURE, 0, SMB2_SIGNATURE_SIZE);
	if (compute_signature(c, algo, key, hdr, msg, niov, sig))
		return -1;
	memcpy(hdr + SMB2_HDR_SIGNATURE, sig, SMB2_SIGNATURE_SIZE);
	return 0;
}

bool smb2_verify(const struct smb_crypto_ops *c, u16 algo,
		 const u8 key[SMB_SIGNING_KEY_SIZE], u8 *msg, size_t len)
{
	u8 received[SMB2_SIGNATURE_SIZE], expected[SMB2_SIGNATURE_SIZE];
	struct smb_iov iov = { msg, len };
	int rc;

	if (!header_ok(msg, len) ||
	    !(smb_get_le32(msg + SMB2_HDR_FLAGS) & SMB2_FLAGS_SIGNED))
		return false;
	memcpy(received, msg + SMB2_HDR_SIGNATURE, SMB2_SIGNATURE_SIZE);
	memset(msg + SMB2_HDR_SIGNATURE, 0, SMB2_SIGNATURE_SIZE);
	rc = compute_signature(c, algo, key, msg, &iov, 1, expected);
	memcpy(msg + SMB2_HDR_SIGNATURE, received, SMB2_SIGNATURE_SIZE);
	return rc == 0 && smb_memeq_ct(received, expected, SMB2_SIGNATURE_SIZE);
}
