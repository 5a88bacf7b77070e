/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ntlm_client.h - an NTLMv2 client written from [MS-NLMP] 3.1.5 for the unit
 * tests and fuzz seeds: NEGOTIATE, and an AUTHENTICATE answering a server's
 * CHALLENGE (optionally with key exchange, a MIC, an NTLMv1 or LM-only
 * response).  Test code only; include after cmocka.h and platform.h.
 */
#ifndef SMBD_TEST_NTLM_CLIENT_H
#define SMBD_TEST_NTLM_CLIENT_H

#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "md4.h"
#include "ntlmssp.h"
#include "rc4.h"

static inline void hmac_md5(const u8 *key, size_t key_len, const u8 *data,
			    size_t len, u8 out[16])
{
	unsigned int n = 0;

	assert_non_null(HMAC(EVP_md5(), key, (int)key_len, data, len, out, &n));
	assert_int_equal(n, 16);
}

/* ---- a client, written from [MS-NLMP] 3.1.5 for these tests --------- */

struct ntlm_client {
	const char *user;
	const char *domain; /* as sent */
	const char *hash_domain; /* used in NTOWFv2; NULL: domain */
	const char *password;
	u32 flags; /* NEGOTIATE flags */
	bool kex;
	bool mic;
	bool ntlmv1;
	bool lm_only;
	u8 neg[64];
	size_t neg_len;
	u8 auth[2048];
	size_t auth_len;
	u8 exported[16];
};

#define CLIENT_FLAGS                                              \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_OEM |      \
	 NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |        \
	 NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN | \
	 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |             \
	 NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 |      \
	 NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56)

static inline size_t ascii_utf16(const char *s, u8 *out, bool upper)
{
	size_t n = 0;

	for (; *s; s++, n += 2) {
		char ch = *s;

		if (upper && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 32);
		out[n] = (u8)ch;
		out[n + 1] = 0;
	}
	return n;
}

static inline void client_negotiate(struct ntlm_client *c)
{
	static const u8 version[8] = { 10, 0, 0x63, 0x45, 0, 0, 0, 15 };

	memset(c->neg, 0, 40);
	memcpy(c->neg, "NTLMSSP", 8);
	smb_put_le32(c->neg + 8, 1);
	smb_put_le32(c->neg + 12, c->flags);
	smb_put_le32(c->neg + 20, 40);
	smb_put_le32(c->neg + 28, 40);
	memcpy(c->neg + 32, version, 8);
	c->neg_len = 40;
}

static inline void put_payload(struct ntlm_client *c, size_t field, size_t *pos,
			       const void *data, size_t len)
{
	smb_put_le16(c->auth + field, (u16)len);
	smb_put_le16(c->auth + field + 2, (u16)len);
	smb_put_le32(c->auth + field + 4, (u32)*pos);
	memcpy(c->auth + *pos, data, len);
	*pos += len;
}

static inline void client_authenticate(struct ntlm_client *c, const u8 *chal,
				       size_t chal_len)
{
	u8 blob[1024], resp[1100], buf[1200], name[256], nt_hash[16];
	u8 ntowf[16], proof[16], base[16], enc[16], mic[16];
	size_t ti_len, ti_off, bpos = 0, pos, n, i;
	u32 flags = smb_get_le32(chal + 20);
	u64 ts = 0;
	const u8 *ti;

	assert_true(chal_len >= 48);
	ti_len = smb_get_le16(chal + 40);
	ti_off = smb_get_le32(chal + 44);
	assert_true(ti_off + ti_len <= chal_len);
	ti = chal + ti_off;

	/* NTLMv2_CLIENT_CHALLENGE with the server's time if it gave one. */
	for (i = 0; i + 4 <= ti_len;) {
		u16 id = smb_get_le16(ti + i), len = smb_get_le16(ti + i + 2);

		if (id == NTLMSSP_AV_TIMESTAMP)
			ts = smb_get_le64(ti + i + 4);
		if (id == NTLMSSP_AV_EOL)
			break;
		i += 4u + len;
	}
	memset(blob, 0, 28);
	blob[0] = blob[1] = 1;
	smb_put_le64(blob + 8, ts);
	memset(blob + 16, 0xaa, 8);
	bpos = 28;
	memcpy(blob + bpos, ti, i);
	bpos += i;
	if (c->mic) {
		static const u8 flags_av[] = { 6, 0, 4, 0, 2, 0, 0, 0 };

		memcpy(blob + bpos, flags_av, sizeof(flags_av));
		bpos += sizeof(flags_av);
	}
	memset(blob + bpos, 0, 8); /* MsvAvEOL and four zero bytes */
	bpos += 8;

	assert_int_equal(smb_nt_hash(c->password, nt_hash), 0);
	n = ascii_utf16(c->user, name, true);
	n += ascii_utf16(c->hash_domain ? c->hash_domain : c->domain, name + n,
			 false);
	hmac_md5(nt_hash, 16, name, n, ntowf);
	memcpy(buf, chal + 24, 8);
	memcpy(buf + 8, blob, bpos);
	hmac_md5(ntowf, 16, buf, 8 + bpos, proof);
	memcpy(resp, proof, 16);
	memcpy(resp + 16, blob, bpos);
	hmac_md5(ntowf, 16, proof, 16, base);

	if (c->kex) {
		memset(c->exported, 0x5a, 16);
		memcpy(enc, c->exported, 16);
		smb_rc4(base, 16, enc, 16);
	} else {
		flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
		memcpy(c->exported, base, 16);
	}

	memset(c->auth, 0, 88);
	memcpy(c->auth, "NTLMSSP", 8);
	smb_put_le32(c->auth + 8, 3);
	smb_put_le32(c->auth + 60, flags);
	memcpy(c->auth + 64, chal + 48, 8);
	pos = 88;
	memset(buf, 0, 24);
	put_payload(c, 12, &pos, buf, 24); /* LM: Z(24) */
	if (c->lm_only)
		put_payload(c, 20, &pos, buf, 0);
	else if (c->ntlmv1)
		put_payload(c, 20, &pos, resp, 24);
	else
		put_payload(c, 20, &pos, resp, 16 + bpos);
	n = ascii_utf16(c->domain, name, false);
	put_payload(c, 28, &pos, name, n);
	n = ascii_utf16(c->user, name, false);
	put_payload(c, 36, &pos, name, n);
	n = ascii_utf16("WS1", name, false);
	put_payload(c, 44, &pos, name, n);
	put_payload(c, 52, &pos, enc, c->kex ? 16 : 0);
	c->auth_len = pos;

	if (c->mic) {
		memcpy(buf, c->neg, c->neg_len);
		memcpy(buf + c->neg_len, chal, chal_len);
		n = c->neg_len + chal_len;
		u8 *all = malloc(n + c->auth_len);

		assert_non_null(all);
		memcpy(all, buf, n);
		memcpy(all + n, c->auth, c->auth_len);
		hmac_md5(c->exported, 16, all, n + c->auth_len, mic);
		free(all);
		memcpy(c->auth + 72, mic, 16);
	}
}

#endif
