// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>

#include "platform.h"
#include "crypto_openssl.h"
#include "hexutil.h"
#include "ms_smb_vectors.h"

static const struct smb_crypto_ops *ops;

static int setup(void **state)
{
	ops = smb_openssl_crypto_ops();
	return ops ? 0 : -1;
}

static struct smb_iov one_iov(const void *p, size_t len)
{
	return (struct smb_iov){ (void *)p, len };
}

/*
 * Split buf into n pieces of uneven sizes (some empty) so multi-iov code
 * paths see block boundaries in odd places.
 */
static void split(u8 *buf, size_t len, struct smb_iov *iov, int n)
{
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		size_t piece = i == n - 1 ? len - off : (len - off) / 3 + i % 2;

		if (i == 1)
			piece = 0; /* an empty iov in the middle */
		iov[i] = one_iov(buf + off, piece);
		off += piece;
	}
}

static u8 *pattern(size_t len, unsigned seed)
{
	u8 *p = malloc(len ? len : 1);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (u8)(i * 131 + seed * 7 + (i >> 8));
	return p;
}

static bool all_zero(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- digests --------------------------------------------------------- */

static void test_hash_abc(void **state)
{
	struct smb_iov iov = one_iov("abc", 3);
	u8 out[64];

	assert_int_equal(ops->hash(SMB_HASH_MD5, &iov, 1, out), 0);
	assert_true(hex_matches(out, 16, "900150983cd24fb0d6963f7d28e17f72"));
	assert_int_equal(ops->hash(SMB_HASH_SHA256, &iov, 1, out), 0);
	assert_true(hex_matches(out, 32,
				"ba7816bf8f01cfea414140de5dae2223"
				"b00361a396177a9cb410ff61f20015ad"));
	assert_int_equal(ops->hash(SMB_HASH_SHA512, &iov, 1, out), 0);
	assert_true(hex_matches(out, 64,
				"ddaf35a193617abacc417349ae204131"
				"12e6fa4e89a97ea20a9eeee64b55d39a"
				"2192992a274fc1a836ba3c23a3feebbd"
				"454d4423643ce80e2a9ac94fa54ca49f"));
	/* Empty input: SHA-256 of nothing. */
	assert_int_equal(ops->hash(SMB_HASH_SHA256, NULL, 0, out), 0);
	assert_true(hex_matches(out, 32,
				"e3b0c44298fc1c149afbf4c8996fb924"
				"27ae41e4649b934ca495991b7852b855"));
}

static void test_hash_multi_iov(void **state)
{
	static const enum smb_hash_alg algs[] = { SMB_HASH_MD5, SMB_HASH_SHA256,
						  SMB_HASH_SHA512 };
	size_t len = 1000;
	u8 *buf = pattern(len, 1);
	struct smb_iov whole = one_iov(buf, len), iov[5];
	u8 a[64], b[64];

	split(buf, len, iov, 5);
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++) {
		assert_int_equal(ops->hash(algs[i], &whole, 1, a), 0);
		assert_int_equal(ops->hash(algs[i], iov, 5, b), 0);
		assert_memory_equal(a, b, i == 0 ? 16 : i == 1 ? 32 : 64);
	}
	free(buf);
}

static void test_hash_bad_args(void **state)
{
	struct smb_iov iov = one_iov("abc", 3), bad = { NULL, 5 };
	u8 out[64];

	assert_int_not_equal(ops->hash(0, &iov, 1, out), 0);
	assert_int_not_equal(ops->hash(99, &iov, 1, out), 0);
	assert_int_not_equal(ops->hash(SMB_HASH_SHA256, &iov, -1, out), 0);
	assert_int_not_equal(ops->hash(SMB_HASH_SHA256, NULL, 1, out), 0);
	assert_int_not_equal(ops->hash(SMB_HASH_SHA256, &bad, 1, out), 0);
	assert_int_not_equal(ops->hash(SMB_HASH_SHA256, &iov, 1, NULL), 0);
}

/* ---- HMAC ------------------------------------------------------------ */

struct hmac_vec {
	u8 key_byte; /* key = key_len copies of it, or 0x01.. if 0 */
	size_t key_len;
	const char *key_str; /* overrides key_byte when set */
	u8 data_byte;
	const char *data_str; /* overrides data_byte when set */
	size_t data_len;
	const char *mac;
};

static void run_hmac_vec(enum smb_hash_alg alg, const struct hmac_vec *v,
			 size_t out_len)
{
	u8 key[200], data[200], out[32];
	struct smb_iov iov;

	if (v->key_str)
		memcpy(key, v->key_str, v->key_len);
	else
		for (size_t i = 0; i < v->key_len; i++)
			key[i] = v->key_byte ? v->key_byte : (u8)(i + 1);
	if (v->data_str)
		memcpy(data, v->data_str, v->data_len);
	else
		memset(data, v->data_byte, v->data_len);
	iov = one_iov(data, v->data_len);
	assert_int_equal(ops->hmac(alg, key, v->key_len, &iov, 1, out), 0);
	/* RFC test case 5 checks a truncated MAC: compare what is given. */
	assert_true(hex_matches(out, strlen(v->mac) / 2, v->mac));
	assert_true(strlen(v->mac) / 2 <= out_len);
}

#define STR(s) s, sizeof(s) - 1

/* RFC 4231 section 4, test cases 1-7. */
static void test_hmac_sha256_rfc4231(void **state)
{
	static const char txt6[] =
		"Test Using Larger Than Block-Size Key - Hash Key First";
	static const char txt7[] =
		"This is a test using a larger than block-size key and a "
		"larger than block-size data. The key needs to be hashed "
		"before being used by the HMAC algorithm.";
	const struct hmac_vec v[] = {
		{ 0x0b, 20, NULL, 0, STR("Hi There"),
		  "b0344c61d8db38535ca8afceaf0bf12b"
		  "881dc200c9833da726e9376c2e32cff7" },
		{ 0, 4, "Jefe", 0, STR("what do ya want for nothing?"),
		  "5bdcc146bf60754e6a042426089575c7"
		  "5a003f089d2739839dec58b964ec3843" },
		{ 0xaa, 20, NULL, 0xdd, NULL, 50,
		  "773ea91e36800e46854db8ebd09181a7"
		  "2959098b3ef8c122d9635514ced565fe" },
		{ 0, 25, NULL, 0xcd, NULL, 50,
		  "82558a389a443c0ea4cc819899f2083a"
		  "85f0faa3e578f8077a2e3ff46729665b" },
		{ 0x0c, 20, NULL, 0, STR("Test With Truncation"),
		  "a3b6167473100ee06e0c796c2955552b" },
		{ 0xaa, 131, NULL, 0, txt6, sizeof(txt6) - 1,
		  "60e431591ee0b67f0d8a26aacbf5b77f"
		  "8e0bc6213728c5140546040f0ee37f54" },
		{ 0xaa, 131, NULL, 0, txt7, sizeof(txt7) - 1,
		  "9b09ffa71b942fcb27635fbcd5b0e944"
		  "bfdc63644f0713938a7f51535c3a35e2" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		run_hmac_vec(SMB_HASH_SHA256, &v[i], 32);
}

/* RFC 2202 section 2, test cases 1-7. */
static void test_hmac_md5_rfc2202(void **state)
{
	static const char txt6[] =
		"Test Using Larger Than Block-Size Key - Hash Key First";
	static const char txt7[] = "Test Using Larger Than Block-Size Key "
				   "and Larger Than One Block-Size Data";
	const struct hmac_vec v[] = {
		{ 0x0b, 16, NULL, 0, STR("Hi There"),
		  "9294727a3638bb1c13f48ef8158bfc9d" },
		{ 0, 4, "Jefe", 0, STR("what do ya want for nothing?"),
		  "750c783e6ab0b503eaa86e310a5db738" },
		{ 0xaa, 16, NULL, 0xdd, NULL, 50,
		  "56be34521d144c88dbb8c733f0e8b3f6" },
		{ 0, 25, NULL, 0xcd, NULL, 50,
		  "697eaf0aca3a3aea3a75164746ffaa79" },
		{ 0x0c, 16, NULL, 0, STR("Test With Truncation"),
		  "56461ef2342edc00f9bab995690efd4c" },
		{ 0xaa, 80, NULL, 0, txt6, sizeof(txt6) - 1,
		  "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd" },
		{ 0xaa, 80, NULL, 0, txt7, sizeof(txt7) - 1,
		  "6f630fad67cda0ee1fb1f562db3aa53e" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		run_hmac_vec(SMB_HASH_MD5, &v[i], 16);
}

static void test_hmac_edge_cases(void **state)
{
	struct smb_iov iov = one_iov("abc", 3);
	u8 key[16] = { 0 }, a[32], b[32];
	size_t len = 777;
	u8 *buf = pattern(len, 2);
	struct smb_iov whole = one_iov(buf, len), parts[4];

	/* Empty key; expected value from Python hmac/hashlib. */
	assert_int_equal(ops->hmac(SMB_HASH_SHA256, NULL, 0, &iov, 1, a), 0);
	assert_true(hex_matches(a, 32,
				"fd7adb152c05ef80dccf50a1fa4c05d5"
				"a3ec6da95575fc312ae7c5d091836351"));
	/* Only MD5 and SHA-256 are HMAC algorithms of the table. */
	assert_int_not_equal(ops->hmac(SMB_HASH_SHA512, key, 16, &iov, 1, a),
			     0);
	assert_int_not_equal(ops->hmac(0, key, 16, &iov, 1, a), 0);
	assert_int_not_equal(ops->hmac(SMB_HASH_SHA256, NULL, 16, &iov, 1, a),
			     0);
	/* Multi-iov equals one buffer. */
	split(buf, len, parts, 4);
	assert_int_equal(ops->hmac(SMB_HASH_SHA256, key, 16, &whole, 1, a), 0);
	assert_int_equal(ops->hmac(SMB_HASH_SHA256, key, 16, parts, 4, b), 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(ops->hmac(SMB_HASH_MD5, key, 16, &whole, 1, a), 0);
	assert_int_equal(ops->hmac(SMB_HASH_MD5, key, 16, parts, 4, b), 0);
	assert_memory_equal(a, b, 16);
	free(buf);
}

/* ---- AES-CMAC (RFC 4493 section 4) ----------------------------------- */

static const char rfc4493_key[] = "2b7e151628aed2a6abf7158809cf4f3c";
static const char rfc4493_msg[] = "6bc1bee22e409f96e93d7e117393172a"
				  "ae2d8a571e03ac9c9eb76fac45af8e51"
				  "30c81c46a35ce411e5fbc1191a0a52ef"
				  "f69f2445df4f9b17ad2b417be66c3710";

static void test_cmac_rfc4493(void **state)
{
	static const struct {
		size_t len;
		const char *mac;
	} v[] = {
		{ 0, "bb1d6929e95937287fa37d129b756746" },
		{ 16, "070a16b46b4d4144f79bdd9dd04a287c" },
		{ 40, "dfa66747de9ae63030ca32611497c827" },
		{ 64, "51f0bebf7e3b9d92fc49741779363cfe" },
	};
	size_t klen, mlen;
	u8 *key = hex_alloc(rfc4493_key, &klen);
	u8 *msg = hex_alloc(rfc4493_msg, &mlen);
	u8 mac[16];

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct smb_iov iov = one_iov(msg, v[i].len), parts[3];

		assert_int_equal(ops->aes_cmac(key, &iov, 1, mac), 0);
		assert_true(hex_matches(mac, 16, v[i].mac));
		split(msg, v[i].len, parts, 3);
		memset(mac, 0, sizeof(mac));
		assert_int_equal(ops->aes_cmac(key, parts, 3, mac), 0);
		assert_true(hex_matches(mac, 16, v[i].mac));
	}
	assert_int_not_equal(ops->aes_cmac(NULL, NULL, 0, mac), 0);
	free(key);
	free(msg);
}

/* ---- GCM: McGrew-Viega test cases 1-4 and 13-16 ---------------------- */

static const char mv_key[] = "feffe9928665731c6d6a8f9467308308";
static const char mv_iv[] = "cafebabefacedbaddecaf888";
static const char mv_pt[] = "d9313225f88406e5a55909c5aff5269a"
			    "86a7a9531534f7da2e4c303d8a318a72"
			    "1c3c0c95956809532fcf0e2449a6b525"
			    "b16aedf5aa0de657ba637b391aafd255";
static const char mv_aad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

struct gcm_vec {
	enum smb_cipher_alg alg;
	bool zero_key_iv; /* test cases 1, 2, 13, 14 */
	size_t pt_len; /* bytes of mv_pt, or zeros for zero_key_iv */
	bool aad;
	const char *ct;
	const char *tag;
};

static void run_gcm_vec(const struct gcm_vec *v)
{
	size_t klen, ivlen, n, alen;
	u8 *key, *iv, *pt = NULL, *aad = NULL;
	struct smb_iov iov;
	u8 tag[16], buf[64] = { 0 };

	if (v->zero_key_iv) {
		key = calloc(1, 32);
		iv = calloc(1, 12);
		klen = v->alg == SMB_CIPHER_AES256_GCM ? 32 : 16;
		ivlen = 12;
	} else {
		u8 *k16 = hex_alloc(mv_key, &klen);

		key = malloc(32);
		memcpy(key, k16, 16);
		memcpy(key + 16, k16, 16); /* cases 15/16 repeat the key */
		klen = v->alg == SMB_CIPHER_AES256_GCM ? 32 : 16;
		free(k16);
		iv = hex_alloc(mv_iv, &ivlen);
		pt = hex_alloc(mv_pt, &n);
		memcpy(buf, pt, v->pt_len);
	}
	if (v->aad)
		aad = hex_alloc(mv_aad, &alen);
	else
		alen = 0;
	iov = one_iov(buf, v->pt_len);
	assert_int_equal(ops->aead_encrypt(v->alg, key, klen, iv, ivlen, aad,
					   alen, &iov, 1, tag),
			 0);
	assert_true(hex_matches(buf, v->pt_len, v->ct));
	assert_true(hex_matches(tag, 16, v->tag));
	assert_int_equal(ops->aead_decrypt(v->alg, key, klen, iv, ivlen, aad,
					   alen, &iov, 1, tag),
			 0);
	if (pt)
		assert_memory_equal(buf, pt, v->pt_len);
	else
		assert_true(all_zero(buf, v->pt_len));
	free(key);
	free(iv);
	free(pt);
	free(aad);
}

static void test_gcm_mcgrew_viega(void **state)
{
	static const char ct3[] = "42831ec2217774244b7221b784d0d49c"
				  "e3aa212f2c02a4e035c17e2329aca12e"
				  "21d514b25466931c7d8f6a5aac84aa05"
				  "1ba30b396a0aac973d58e091473f5985";
	static const char ct4[] = "42831ec2217774244b7221b784d0d49c"
				  "e3aa212f2c02a4e035c17e2329aca12e"
				  "21d514b25466931c7d8f6a5aac84aa05"
				  "1ba30b396a0aac973d58e091";
	static const char ct15[] = "522dc1f099567d07f47f37a32a84427d"
				   "643a8cdcbfe5c0c97598a2bd2555d1aa"
				   "8cb08e48590dbb3da7b08b1056828838"
				   "c5f61e6393ba7a0abcc9f662898015ad";
	static const char ct16[] = "522dc1f099567d07f47f37a32a84427d"
				   "643a8cdcbfe5c0c97598a2bd2555d1aa"
				   "8cb08e48590dbb3da7b08b1056828838"
				   "c5f61e6393ba7a0abcc9f662";
	const struct gcm_vec v[] = {
		{ SMB_CIPHER_AES128_GCM, true, 0, false, "",
		  "58e2fccefa7e3061367f1d57a4e7455a" },
		{ SMB_CIPHER_AES128_GCM, true, 16, false,
		  "0388dace60b6a392f328c2b971b2fe78",
		  "ab6e47d42cec13bdf53a67b21257bddf" },
		{ SMB_CIPHER_AES128_GCM, false, 64, false, ct3,
		  "4d5c2af327cd64a62cf35abd2ba6fab4" },
		{ SMB_CIPHER_AES128_GCM, false, 60, true, ct4,
		  "5bc94fbc3221a5db94fae95ae7121a47" },
		{ SMB_CIPHER_AES256_GCM, true, 0, false, "",
		  "530f8afbc74536b9a963b4f1c4cb738b" },
		{ SMB_CIPHER_AES256_GCM, true, 16, false,
		  "cea7403d4d606b6e074ec5d3baf39d18",
		  "d0d1c8a799996bf0265b98b5d48ab919" },
		{ SMB_CIPHER_AES256_GCM, false, 64, false, ct15,
		  "b094dac5d93471bdec1a502270e3cc6c" },
		{ SMB_CIPHER_AES256_GCM, false, 60, true, ct16,
		  "76fc6ece0f4e1768cddf8853bb2d551b" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		run_gcm_vec(&v[i]);
}

/* ---- GMAC ------------------------------------------------------------ */

static void test_gmac(void **state)
{
	u8 zero[16] = { 0 }, mac[16], mac2[16];
	size_t klen, ivlen, len = 77;
	u8 *key = hex_alloc(mv_key, &klen), *iv = hex_alloc(mv_iv, &ivlen);
	u8 *data = malloc(len);
	struct smb_iov whole, parts[4];

	/* McGrew-Viega test case 1 is GMAC of nothing. */
	assert_int_equal(ops->aes_gmac(zero, zero, NULL, 0, mac), 0);
	assert_true(hex_matches(mac, 16, "58e2fccefa7e3061367f1d57a4e7455a"));
	/*
	 * 77 bytes (i * 13 + 1) & 0xff as AAD under the test case 3 key/IV.
	 * Expected value from an independent Python GHASH written from
	 * SP800-38D over a bare AES block, cross-checked with pyca AESGCM.
	 */
	for (size_t i = 0; i < len; i++)
		data[i] = (u8)(i * 13 + 1);
	whole = one_iov(data, len);
	assert_int_equal(ops->aes_gmac(key, iv, &whole, 1, mac), 0);
	assert_true(hex_matches(mac, 16, "bd4d1501f15551855ce14efa7486fb65"));
	split(data, len, parts, 4);
	assert_int_equal(ops->aes_gmac(key, iv, parts, 4, mac2), 0);
	assert_memory_equal(mac, mac2, 16);
	/* Same as AES-128-GCM with the data as AAD and no plaintext. */
	assert_int_equal(ops->aead_encrypt(SMB_CIPHER_AES128_GCM, key, 16, iv,
					   12, data, len, NULL, 0, mac2),
			 0);
	assert_memory_equal(mac, mac2, 16);
	assert_int_not_equal(ops->aes_gmac(NULL, iv, &whole, 1, mac), 0);
	assert_int_not_equal(ops->aes_gmac(key, NULL, &whole, 1, mac), 0);
	assert_int_not_equal(ops->aes_gmac(key, iv, NULL, 1, mac), 0);
	free(key);
	free(iv);
	free(data);
}

/* ---- CCM ------------------------------------------------------------- */

/*
 * "Encryption in SMB 3.0: A protocol perspective" (Microsoft Open
 * Specifications blog, 2012): the client's encrypted SMB2 WRITE request.
 * The AAD is the transform header from its Nonce field on.
 */
static const char ms_ccm_key[] = MS30_WRITE_KEY;
static const char ms_ccm_aad[] = MS30_WRITE_AAD;
static const char ms_ccm_pt[] = MS30_WRITE_PLAIN;
static const char ms_ccm_ct[] = MS30_WRITE_CIPHER;

static void test_ccm_ms_smb3_write(void **state)
{
	size_t klen, alen, plen, clen;
	u8 *key = hex_alloc(ms_ccm_key, &klen);
	u8 *aad = hex_alloc(ms_ccm_aad, &alen);
	u8 *pt = hex_alloc(ms_ccm_pt, &plen);
	u8 *ct = hex_alloc(ms_ccm_ct, &clen);
	u8 *buf = malloc(plen);
	struct smb_iov iov = one_iov(buf, plen), parts[5];
	u8 tag[16];

	assert_int_equal(plen, 0x87); /* OriginalMessageSize */
	memcpy(buf, pt, plen);
	/* The CCM nonce is the first 11 bytes of the transform nonce. */
	assert_int_equal(ops->aead_encrypt(SMB_CIPHER_AES128_CCM, key, 16, aad,
					   11, aad, alen, &iov, 1, tag),
			 0);
	assert_memory_equal(buf, ct, clen);
	assert_true(hex_matches(tag, 16, "81A286535415445DAE393921E44FA42E"));
	/* Same through scattered buffers (the bounce-buffer path). */
	memcpy(buf, pt, plen);
	split(buf, plen, parts, 5);
	memset(tag, 0, sizeof(tag));
	assert_int_equal(ops->aead_encrypt(SMB_CIPHER_AES128_CCM, key, 16, aad,
					   11, aad, alen, parts, 5, tag),
			 0);
	assert_memory_equal(buf, ct, clen);
	assert_true(hex_matches(tag, 16, "81A286535415445DAE393921E44FA42E"));
	assert_int_equal(ops->aead_decrypt(SMB_CIPHER_AES128_CCM, key, 16, aad,
					   11, aad, alen, parts, 5, tag),
			 0);
	assert_memory_equal(buf, pt, plen);
	free(key);
	free(aad);
	free(pt);
	free(ct);
	free(buf);
}

/* Same blog post: the client decrypting the server's WRITE response. */
static void test_ccm_ms_smb3_write_response(void **state)
{
	static const char transformed[] = MS30_WRITE_RSP_TRANSFORMED;
	static const char plain[] = MS30_WRITE_RSP_PLAIN;
	size_t klen, tlen, plen;
	u8 *key = hex_alloc(MS30_WRITE_RSP_KEY, &klen);
	u8 *msg = hex_alloc(transformed, &tlen);
	u8 *pt = hex_alloc(plain, &plen);
	struct smb_iov iov;

	assert_int_equal(tlen, 52 + 0x50);
	assert_int_equal(plen, 0x50);
	iov = one_iov(msg + 52, tlen - 52);
	assert_int_equal(ops->aead_decrypt(SMB_CIPHER_AES128_CCM, key, 16,
					   msg + 20, 11, msg + 20, 32, &iov, 1,
					   msg + 4),
			 0);
	assert_memory_equal(msg + 52, pt, plen);
	free(key);
	free(msg);
	free(pt);
}

/*
 * AES-256-CCM: no published SMB vector, so the expected value comes from
 * an independent Python CCM written from SP800-38C over a bare AES block
 * (agreeing with pyca AESCCM): key 00..1f, nonce 10..1a, AAD 20..3f,
 * 100 bytes of (i * 7 + 3) & 0xff.
 */
static void test_ccm256_kat(void **state)
{
	u8 key[32], nonce[11], aad[32], buf[100], tag[16];
	struct smb_iov iov = one_iov(buf, sizeof(buf));

	for (int i = 0; i < 32; i++) {
		key[i] = (u8)i;
		aad[i] = (u8)(0x20 + i);
	}
	for (int i = 0; i < 11; i++)
		nonce[i] = (u8)(0x10 + i);
	for (int i = 0; i < 100; i++)
		buf[i] = (u8)(i * 7 + 3);
	assert_int_equal(ops->aead_encrypt(SMB_CIPHER_AES256_CCM, key, 32,
					   nonce, 11, aad, 32, &iov, 1, tag),
			 0);
	assert_true(hex_matches(
		buf, sizeof(buf),
		"2454fe8050e0303e543b3bf5b520b0f050a94ef9f30130870ae035d19c0c"
		"466844fd6cd075182f7467dcf03af505975acef17fc69113731e325722a0"
		"8e9fa0dcc5a6f8a820fc13e695fd8c22f9fe98b2c078577e7d82f93eb887"
		"96b901d7d2f6a71a3f5f"));
	assert_true(hex_matches(tag, 16, "7d87a9db8a8997aaf3d3fa15b29a2b74"));
}

/* ---- all four AEADs: round trip, multi-iov, tampering ---------------- */

static const struct {
	enum smb_cipher_alg alg;
	size_t key_len, nonce_len;
} aeads[] = {
	{ SMB_CIPHER_AES128_CCM, 16, 11 },
	{ SMB_CIPHER_AES128_GCM, 16, 12 },
	{ SMB_CIPHER_AES256_CCM, 32, 11 },
	{ SMB_CIPHER_AES256_GCM, 32, 12 },
};

static void test_aead_round_trip_and_tamper(void **state)
{
	const size_t len = 4133;
	u8 key[32], nonce[12], aad[32];
	u8 *plain = pattern(len, 3), *one = malloc(len), *many = malloc(len);
	u8 tag1[16], tag2[16];

	for (int i = 0; i < 32; i++) {
		key[i] = (u8)(i * 3 + 1);
		aad[i] = (u8)(i ^ 0x5a);
	}
	for (int i = 0; i < 12; i++)
		nonce[i] = (u8)(0xa0 + i);
	for (size_t a = 0; a < ARRAY_SIZE(aeads); a++) {
		enum smb_cipher_alg alg = aeads[a].alg;
		size_t kl = aeads[a].key_len, nl = aeads[a].nonce_len;
		struct smb_iov iov = one_iov(one, len), parts[6];

		memcpy(one, plain, len);
		memcpy(many, plain, len);
		split(many, len, parts, 6);
		assert_int_equal(ops->aead_encrypt(alg, key, kl, nonce, nl, aad,
						   32, &iov, 1, tag1),
				 0);
		assert_int_equal(ops->aead_encrypt(alg, key, kl, nonce, nl, aad,
						   32, parts, 6, tag2),
				 0);
		assert_memory_not_equal(one, plain, 64);
		assert_memory_equal(one, many, len);
		assert_memory_equal(tag1, tag2, 16);

		/* Decrypt both ways. */
		assert_int_equal(ops->aead_decrypt(alg, key, kl, nonce, nl, aad,
						   32, parts, 6, tag1),
				 0);
		assert_memory_equal(many, plain, len);
		assert_int_equal(ops->aead_decrypt(alg, key, kl, nonce, nl, aad,
						   32, &iov, 1, tag1),
				 0);
		assert_memory_equal(one, plain, len);

		/* Flipped ciphertext bit: rejected, output wiped. */
		assert_int_equal(ops->aead_encrypt(alg, key, kl, nonce, nl, aad,
						   32, &iov, 1, tag1),
				 0);
		one[len / 2] ^= 0x01;
		assert_int_not_equal(ops->aead_decrypt(alg, key, kl, nonce, nl,
						       aad, 32, &iov, 1, tag1),
				     0);
		assert_true(all_zero(one, len));

		/* Flipped tag, AAD, nonce or key: rejected. */
		memcpy(one, plain, len);
		assert_int_equal(ops->aead_encrypt(alg, key, kl, nonce, nl, aad,
						   32, &iov, 1, tag1),
				 0);
		memcpy(many, one, len);
		tag1[15] ^= 0x80;
		assert_int_not_equal(ops->aead_decrypt(alg, key, kl, nonce, nl,
						       aad, 32, &iov, 1, tag1),
				     0);
		tag1[15] ^= 0x80;
		memcpy(one, many, len);
		aad[0] ^= 1;
		assert_int_not_equal(ops->aead_decrypt(alg, key, kl, nonce, nl,
						       aad, 32, &iov, 1, tag1),
				     0);
		aad[0] ^= 1;
		memcpy(one, many, len);
		nonce[nl - 1] ^= 1;
		assert_int_not_equal(ops->aead_decrypt(alg, key, kl, nonce, nl,
						       aad, 32, &iov, 1, tag1),
				     0);
		nonce[nl - 1] ^= 1;
		memcpy(one, many, len);
		key[0] ^= 1;
		assert_int_not_equal(ops->aead_decrypt(alg, key, kl, nonce, nl,
						       aad, 32, &iov, 1, tag1),
				     0);
		key[0] ^= 1;
		/* Untouched again: decrypts fine. */
		memcpy(one, many, len);
		assert_int_equal(ops->aead_decrypt(alg, key, kl, nonce, nl, aad,
						   32, &iov, 1, tag1),
				 0);
		assert_memory_equal(one, plain, len);
	}
	free(plain);
	free(one);
	free(many);
}

static void test_aead_empty_and_no_aad(void **state)
{
	u8 key[32] = { 1 }, nonce[12] = { 2 }, tag[16], byte = 0x42;
	struct smb_iov iov = one_iov(&byte, 1), empty = { NULL, 0 };

	for (size_t a = 0; a < ARRAY_SIZE(aeads); a++) {
		enum smb_cipher_alg alg = aeads[a].alg;
		size_t kl = aeads[a].key_len, nl = aeads[a].nonce_len;

		/* No AAD at all. */
		assert_int_equal(ops->aead_encrypt(alg, key, kl, nonce, nl,
						   NULL, 0, &iov, 1, tag),
				 0);
		assert_int_equal(ops->aead_decrypt(alg, key, kl, nonce, nl,
						   NULL, 0, &iov, 1, tag),
				 0);
		assert_int_equal(byte, 0x42);
		/* No data: only the tag authenticates the AAD. */
		assert_int_equal(ops->aead_encrypt(alg, key, kl, nonce, nl, key,
						   16, &empty, 1, tag),
				 0);
		assert_int_equal(ops->aead_decrypt(alg, key, kl, nonce, nl, key,
						   16, &empty, 1, tag),
				 0);
		tag[0] ^= 1;
		assert_int_not_equal(ops->aead_decrypt(alg, key, kl, nonce, nl,
						       key, 16, &empty, 1, tag),
				     0);
	}
}

static void test_aead_bad_args(void **state)
{
	static const struct {
		enum smb_cipher_alg alg;
		size_t key_len, nonce_len;
	} bad_sizes[] = {
		/* Key length must match the cipher. */
		{ SMB_CIPHER_AES128_GCM, 32, 12 },
		{ SMB_CIPHER_AES256_CCM, 16, 11 },
		/* Nonce length: 11 for CCM, 12 for GCM. */
		{ SMB_CIPHER_AES128_CCM, 16, 12 },
		{ SMB_CIPHER_AES256_GCM, 32, 11 },
		/* Unknown algorithms. */
		{ 0, 16, 12 },
		{ 5, 16, 12 },
	};
	u8 key[32] = { 0 }, nonce[12] = { 0 }, tag[16] = { 0 };
	u8 buf[32] = { 0 };
	struct smb_iov iov = one_iov(buf, sizeof(buf)), bad = { NULL, 8 };
	const enum smb_cipher_alg gcm = SMB_CIPHER_AES128_GCM;

	for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		assert_int_not_equal(ops->aead_encrypt(bad_sizes[i].alg, key,
						       bad_sizes[i].key_len,
						       nonce,
						       bad_sizes[i].nonce_len,
						       NULL, 0, &iov, 1, tag),
				     0);
		assert_int_not_equal(ops->aead_decrypt(bad_sizes[i].alg, key,
						       bad_sizes[i].key_len,
						       nonce,
						       bad_sizes[i].nonce_len,
						       NULL, 0, &iov, 1, tag),
				     0);
	}
	/* NULL key, NULL AAD with a length, NULL iov base, bad counts. */
	assert_int_not_equal(ops->aead_encrypt(gcm, NULL, 16, nonce, 12, NULL,
					       0, &iov, 1, tag),
			     0);
	assert_int_not_equal(ops->aead_encrypt(gcm, key, 16, nonce, 12, NULL, 4,
					       &iov, 1, tag),
			     0);
	assert_int_not_equal(ops->aead_encrypt(gcm, key, 16, nonce, 12, NULL, 0,
					       &bad, 1, tag),
			     0);
	assert_int_not_equal(ops->aead_encrypt(SMB_CIPHER_AES128_CCM, key, 16,
					       nonce, 11, NULL, 0, &iov, -1,
					       tag),
			     0);
	assert_int_not_equal(ops->aead_decrypt(gcm, key, 16, nonce, 12, NULL, 0,
					       &iov, 1, NULL),
			     0);
}

/* ---- concurrency ----------------------------------------------------- */

static void *hammer(void *arg)
{
	u8 key[16] = { 0 }, nonce[12] = { 0 }, mac[32], buf[16] = { 0 };
	struct smb_iov abc = one_iov("abc", 3), iov = one_iov(buf, 16);
	long bad = 0;

	for (int i = 0; i < 300; i++) {
		u8 tag[16];

		bad += ops->hash(SMB_HASH_SHA256, &abc, 1, mac) != 0 ||
		       !hex_matches(mac, 32,
				    "ba7816bf8f01cfea414140de5dae2223"
				    "b00361a396177a9cb410ff61f20015ad");
		bad += ops->aes_gmac(key, nonce, NULL, 0, mac) != 0 ||
		       !hex_matches(mac, 16,
				    "58e2fccefa7e3061367f1d57a4e7455a");
		memset(buf, 0, sizeof(buf));
		bad += ops->aead_encrypt(SMB_CIPHER_AES128_GCM, key, 16, nonce,
					 12, NULL, 0, &iov, 1, tag) != 0 ||
		       !hex_matches(buf, 16,
				    "0388dace60b6a392f328c2b971b2fe78") ||
		       !hex_matches(tag, 16,
				    "ab6e47d42cec13bdf53a67b21257bddf");
		bad += ops->aes_cmac(key, &abc, 1, mac) != 0;
	}
	return (void *)bad;
}

static void test_threads(void **state)
{
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *bad;

		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_abc),
		cmocka_unit_test(test_hash_multi_iov),
		cmocka_unit_test(test_hash_bad_args),
		cmocka_unit_test(test_hmac_sha256_rfc4231),
		cmocka_unit_test(test_hmac_md5_rfc2202),
		cmocka_unit_test(test_hmac_edge_cases),
		cmocka_unit_test(test_cmac_rfc4493),
		cmocka_unit_test(test_gcm_mcgrew_viega),
		cmocka_unit_test(test_gmac),
		cmocka_unit_test(test_ccm_ms_smb3_write),
		cmocka_unit_test(test_ccm_ms_smb3_write_response),
		cmocka_unit_test(test_ccm256_kat),
		cmocka_unit_test(test_aead_round_trip_and_tamper),
		cmocka_unit_test(test_aead_empty_and_no_aad),
		cmocka_unit_test(test_aead_bad_args),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
