// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crypto_openssl.c - struct smb_crypto_ops on OpenSSL 3 EVP.
 *
 * Algorithm handles are fetched once (pthread_once) and only read after
 * that; every call creates and frees its own context, so the ops are
 * thread-safe without locks.
 */
#include "platform.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto_openssl.h"

#define AEAD_TAG_SIZE 16
#define CCM_NONCE_SIZE 11
#define GCM_NONCE_SIZE 12
/* EVP cipher updates take int lengths: feed large buffers in pieces. */
#define CIPHER_CHUNK ((size_t)1 << 30)

static struct {
	EVP_MD *md5, *sha256, *sha512;
	EVP_MAC *hmac, *cmac;
	EVP_CIPHER *aes128_gcm, *aes256_gcm, *aes128_ccm, *aes256_ccm;
} algs;
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void algs_fetch(void)
{
	algs.md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	algs.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	algs.sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
	algs.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	algs.cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	algs.aes128_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	algs.aes256_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	algs.aes128_ccm = EVP_CIPHER_fetch(NULL, "AES-128-CCM", NULL);
	algs.aes256_ccm = EVP_CIPHER_fetch(NULL, "AES-256-CCM", NULL);
}

static void algs_init(void)
{
	pthread_once(&algs_once, algs_fetch);
}

static bool iov_valid(const struct smb_iov *iov, int niov)
{
	if (niov < 0 || (niov > 0 && !iov))
		return false;
	for (int i = 0; i < niov; i++)
		if (iov[i].len && !iov[i].base)
			return false;
	return true;
}

static bool iov_total(const struct smb_iov *iov, int niov, size_t *total)
{
	size_t sum = 0;

	for (int i = 0; i < niov; i++)
		if (smb_add_overflow(sum, iov[i].len, &sum))
			return false;
	*total = sum;
	return true;
}

static void iov_wipe(const struct smb_iov *iov, int niov)
{
	for (int i = 0; i < niov; i++)
		if (iov[i].len)
			OPENSSL_cleanse(iov[i].base, iov[i].len);
}

/* ---- digests and MACs ------------------------------------------------ */

static const EVP_MD *md_for(enum smb_hash_alg alg)
{
	algs_init();
	switch (alg) {
	case SMB_HASH_MD5:
		return algs.md5;
	case SMB_HASH_SHA256:
		return algs.sha256;
	case SMB_HASH_SHA512:
		return algs.sha512;
	}
	return NULL;
}

static int ossl_hash(enum smb_hash_alg alg, const struct smb_iov *iov, int niov,
		     u8 *out)
{
	const EVP_MD *md = md_for(alg);
	EVP_MD_CTX *ctx;
	int ok;

	if (!md || !out || !iov_valid(iov, niov))
		return -1;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex2(ctx, md, NULL);
	for (int i = 0; ok && i < niov; i++)
		ok = EVP_DigestUpdate(ctx, iov[i].base, iov[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* One MAC computation: params select the digest (HMAC) or cipher (CMAC). */
static int mac_run(EVP_MAC *mac, const OSSL_PARAM *params, const u8 *key,
		   size_t key_len, const struct smb_iov *iov, int niov, u8 *out,
		   size_t out_size)
{
	static const u8 no_key; /* EVP_MAC_init() treats a NULL key as "keep" */
	EVP_MAC_CTX *ctx;
	size_t outl = 0;
	int ok;

	if (!mac || !out || (!key && key_len) || !iov_valid(iov, niov))
		return -1;
	ctx = EVP_MAC_CTX_new(mac);
	ok = ctx && EVP_MAC_init(ctx, key_len ? key : &no_key, key_len, params);
	for (int i = 0; ok && i < niov; i++)
		ok = EVP_MAC_update(ctx, iov[i].base, iov[i].len);
	ok = ok && EVP_MAC_final(ctx, out, &outl, out_size);
	EVP_MAC_CTX_free(ctx);
	return ok && outl == out_size ? 0 : -1;
}

static int ossl_hmac(enum smb_hash_alg alg, const u8 *key, size_t key_len,
		     const struct smb_iov *iov, int niov, u8 *out)
{
	OSSL_PARAM params[2];
	char *digest;
	size_t size;

	algs_init();
	switch (alg) {
	case SMB_HASH_MD5:
		digest = "MD5";
		size = SMB_MD5_SIZE;
		break;
	case SMB_HASH_SHA256:
		digest = "SHA256";
		size = SMB_SHA256_SIZE;
		break;
	default:
		return -1;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	return mac_run(algs.hmac, params, key, key_len, iov, niov, out, size);
}

static int ossl_aes_cmac(const u8 key[16], const struct smb_iov *iov, int niov,
			 u8 mac[16])
{
	OSSL_PARAM params[2];

	if (!key)
		return -1;
	algs_init();
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
						     "AES-128-CBC", 0);
	params[1] = OSSL_PARAM_construct_end();
	return mac_run(algs.cmac, params, key, 16, iov, niov, mac, 16);
}

/* ---- GCM / CCM ------------------------------------------------------- */

/* Feed a buffer to EVP_CipherUpdate in int-sized pieces (out may be NULL). */
static int cipher_feed(EVP_CIPHER_CTX *ctx, u8 *buf, size_t len, bool aad)
{
	while (len) {
		size_t n = len < CIPHER_CHUNK ? len : CIPHER_CHUNK;
		int outl;

		if (EVP_CipherUpdate(ctx, aad ? NULL : buf, &outl, buf,
				     (int)n) <= 0)
			return 0;
		buf += n;
		len -= n;
	}
	return 1;
}

static int ossl_aes_gmac(const u8 key[16], const u8 nonce[12],
			 const struct smb_iov *iov, int niov, u8 mac[16])
{
	EVP_CIPHER_CTX *ctx;
	u8 unused[16];
	int outl, ok;

	if (!key || !nonce || !mac || !iov_valid(iov, niov))
		return -1;
	algs_init();
	if (!algs.aes128_gcm)
		return -1;
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_EncryptInit_ex2(ctx, algs.aes128_gcm, key, nonce, NULL);
	/* GMAC is GCM with everything as AAD and no plaintext. */
	for (int i = 0; ok && i < niov; i++)
		ok = cipher_feed(ctx, iov[i].base, iov[i].len, true);
	ok = ok && EVP_EncryptFinal_ex(ctx, unused, &outl);
	ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, mac);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

struct aead_req {
	const EVP_CIPHER *cipher;
	bool ccm;
	bool encrypt;
	const u8 *key;
	const u8 *nonce;
	size_t nonce_len;
	const u8 *aad;
	size_t aad_len;
	const struct smb_iov *data;
	int ndata;
	size_t total;
	u8 *tag;
};

static const EVP_CIPHER *aead_cipher(enum smb_cipher_alg alg, size_t key_len,
				     size_t nonce_len, bool *ccm)
{
	const EVP_CIPHER *cipher;
	size_t want_key, want_nonce;

	algs_init();
	switch (alg) {
	case SMB_CIPHER_AES128_CCM:
		cipher = algs.aes128_ccm;
		want_key = 16;
		break;
	case SMB_CIPHER_AES256_CCM:
		cipher = algs.aes256_ccm;
		want_key = 32;
		break;
	case SMB_CIPHER_AES128_GCM:
		cipher = algs.aes128_gcm;
		want_key = 16;
		break;
	case SMB_CIPHER_AES256_GCM:
		cipher = algs.aes256_gcm;
		want_key = 32;
		break;
	default:
		return NULL;
	}
	*ccm = alg == SMB_CIPHER_AES128_CCM || alg == SMB_CIPHER_AES256_CCM;
	want_nonce = *ccm ? CCM_NONCE_SIZE : GCM_NONCE_SIZE;
	if (key_len != want_key || nonce_len != want_nonce)
		return NULL;
	return cipher;
}

/* Set cipher, nonce length, tag (decrypt) and key; shared by CCM and GCM. */
static int aead_setup(EVP_CIPHER_CTX *ctx, const struct aead_req *r)
{
	int enc = r->encrypt ? 1 : 0;

	if (!EVP_CipherInit_ex2(ctx, r->cipher, NULL, NULL, enc, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN,
				 (int)r->nonce_len, NULL))
		return 0;
	/* CCM needs the tag length before the key; decrypt needs the tag. */
	if ((r->ccm || !r->encrypt) &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_SIZE,
				 r->encrypt ? NULL : r->tag))
		return 0;
	return EVP_CipherInit_ex2(ctx, NULL, r->key, r->nonce, enc, NULL);
}

static int gcm_run(EVP_CIPHER_CTX *ctx, const struct aead_req *r)
{
	u8 unused[16];
	int outl;
	int ok = cipher_feed(ctx, (u8 *)r->aad, r->aad_len, true);

	for (int i = 0; ok && i < r->ndata; i++)
		ok = cipher_feed(ctx, r->data[i].base, r->data[i].len, false);
	/* On decrypt, Final is where the tag is checked. */
	return ok && EVP_CipherFinal_ex(ctx, unused, &outl) > 0;
}

/*
 * OpenSSL's CCM takes the message in a single update (the length goes into
 * the first block), so scattered data is gathered into a bounce buffer.
 */
static int ccm_run(EVP_CIPHER_CTX *ctx, const struct aead_req *r)
{
	u8 dummy = 0;
	u8 *buf = &dummy;
	bool bounce = false;
	size_t off = 0;
	int outl, ok;

	if (r->total > INT_MAX || r->aad_len > INT_MAX)
		return 0;
	if (r->ndata == 1 && r->total) {
		buf = r->data[0].base;
	} else if (r->total) {
		buf = malloc(r->total);
		if (!buf)
			return 0;
		bounce = true;
		for (int i = 0; i < r->ndata; i++) {
			memcpy(buf + off, r->data[i].base, r->data[i].len);
			off += r->data[i].len;
		}
	}
	ok = EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)r->total) > 0;
	if (ok && r->aad_len)
		ok = EVP_CipherUpdate(ctx, NULL, &outl, r->aad,
				      (int)r->aad_len) > 0;
	ok = ok && EVP_CipherUpdate(ctx, buf, &outl, buf, (int)r->total) > 0;
	if (ok && r->encrypt)
		ok = EVP_CipherFinal_ex(ctx, &dummy, &outl) > 0;
	if (bounce) {
		off = 0;
		for (int i = 0; ok && i < r->ndata; i++) {
			memcpy(r->data[i].base, buf + off, r->data[i].len);
			off += r->data[i].len;
		}
		OPENSSL_cleanse(buf, r->total);
		free(buf);
	}
	return ok;
}

static int aead_run(bool encrypt, enum smb_cipher_alg alg, const u8 *key,
		    size_t key_len, const u8 *nonce, size_t nonce_len,
		    const u8 *aad, size_t aad_len, const struct smb_iov *data,
		    int ndata, u8 *tag)
{
	struct aead_req r = {
		.encrypt = encrypt,
		.key = key,
		.nonce = nonce,
		.nonce_len = nonce_len,
		.aad = aad,
		.aad_len = aad_len,
		.data = data,
		.ndata = ndata,
		.tag = tag,
	};
	EVP_CIPHER_CTX *ctx;
	int ok;

	r.cipher = aead_cipher(alg, key_len, nonce_len, &r.ccm);
	if (!r.cipher || !key || !nonce || !tag || (!aad && aad_len) ||
	    !iov_valid(data, ndata) || !iov_total(data, ndata, &r.total))
		return -1;
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && aead_setup(ctx, &r);
	ok = ok && (r.ccm ? ccm_run(ctx, &r) : gcm_run(ctx, &r));
	if (ok && encrypt)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
					 AEAD_TAG_SIZE, tag);
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		/* Never hand back unauthenticated or half-processed data. */
		iov_wipe(data, ndata);
		if (encrypt)
			OPENSSL_cleanse(tag, AEAD_TAG_SIZE);
		return -1;
	}
	return 0;
}

static int ossl_aead_encrypt(enum smb_cipher_alg alg, const u8 *key,
			     size_t key_len, const u8 *nonce, size_t nonce_len,
			     const u8 *aad, size_t aad_len,
			     const struct smb_iov *data, int ndata, u8 tag[16])
{
	return aead_run(true, alg, key, key_len, nonce, nonce_len, aad, aad_len,
			data, ndata, tag);
}

static int ossl_aead_decrypt(enum smb_cipher_alg alg, const u8 *key,
			     size_t key_len, const u8 *nonce, size_t nonce_len,
			     const u8 *aad, size_t aad_len,
			     const struct smb_iov *data, int ndata,
			     const u8 tag[16])
{
	/* The tag is only read when decrypting. */
	return aead_run(false, alg, key, key_len, nonce, nonce_len, aad,
			aad_len, data, ndata, (u8 *)tag);
}

static const struct smb_crypto_ops openssl_crypto_ops = {
	.hash = ossl_hash,
	.hmac = ossl_hmac,
	.aes_cmac = ossl_aes_cmac,
	.aes_gmac = ossl_aes_gmac,
	.aead_encrypt = ossl_aead_encrypt,
	.aead_decrypt = ossl_aead_decrypt,
};

const struct smb_crypto_ops *smb_openssl_crypto_ops(void)
{
	return &openssl_crypto_ops;
}
