// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ntlmssp.c - NTLMv2 server ([MS-NLMP] 3.2): CHALLENGE construction and
 * AUTHENTICATE verification with key exchange and MIC.
 */
#include "ntlmssp.h"
#include "rc4.h"
#include "smb2.h"
#include "utf16.h"

static const u8 signature[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

/* Fixed parts of the messages ([MS-NLMP] 2.2.1). */
#define NEGOTIATE_MIN_LEN 16
#define CHALLENGE_HDR_LEN 56
#define AUTH_MIN_LEN 64 /* without Version and MIC */
#define AUTH_MIC_OFFSET 72
#define AUTH_MIC_END 88
/* NTLMv2_CLIENT_CHALLENGE before its AV pairs ([MS-NLMP] 2.2.2.7). */
#define BLOB_HDR_LEN 28
#define NTLMV1_RESPONSE_LEN 24

/* Version we claim: 6.1 build 7600, NTLMSSP revision 15. */
static const u8 server_version[8] = { 6, 1, 0xb0, 0x1d, 0, 0, 0, 0x0f };

int ntlmssp_server_init(struct ntlmssp_server *s,
			const struct smb_crypto_ops *c,
			const char *netbios_name, const char *domain,
			const u8 server_challenge[8], u64 now_nt)
{
	int n;

	if (!s || !c || !c->hmac || !netbios_name || !server_challenge)
		return -1;
	memset(s, 0, sizeof(*s));
	n = smb_utf8_to_utf16(netbios_name, s->netbios_name,
			      sizeof(s->netbios_name));
	if (n <= 0)
		return -1;
	s->netbios_name_len = (size_t)n;
	/* A standalone server is its own domain. */
	if (!domain || !*domain)
		domain = netbios_name;
	n = smb_utf8_to_utf16(domain, s->domain, sizeof(s->domain));
	if (n <= 0)
		return -1;
	s->domain_len = (size_t)n;
	s->crypto = c;
	memcpy(s->server_challenge, server_challenge, 8);
	s->now_nt = now_nt;
	s->state = NTLMSSP_STATE_INIT;
	return 0;
}

void ntlmssp_server_clear(struct ntlmssp_server *s)
{
	smb_memzero_explicit(s, sizeof(*s));
}

int ntlmssp_message_type(const u8 *msg, size_t len)
{
	u32 type;

	if (!msg || len < 12 || memcmp(msg, signature, sizeof(signature)))
		return -1;
	type = smb_get_le32(msg + 8);
	if (type < NTLMSSP_NEGOTIATE_MSG || type > NTLMSSP_AUTHENTICATE_MSG)
		return -1;
	return (int)type;
}

/* What we answer to the client's NEGOTIATE flags ([MS-NLMP] 3.2.5.1.1). */
static u32 challenge_flags(u32 client)
{
	u32 f = NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM |
		NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_TARGET_TYPE_SERVER |
		NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
		NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION;

	/* LM_KEY is never granted: extended session security wins. */
	f |= (client & NTLMSSP_NEGOTIATE_UNICODE) ? NTLMSSP_NEGOTIATE_UNICODE :
						    NTLMSSP_NEGOTIATE_OEM;
	f |= client & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
		       NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56 |
		       NTLMSSP_NEGOTIATE_KEY_EXCH);
	return f;
}

static size_t put_av(u8 *p, u16 id, const u8 *value, size_t len)
{
	smb_put_le16(p, id);
	smb_put_le16(p + 2, (u16)len);
	if (len)
		memcpy(p + 4, value, len);
	return 4 + len;
}

/* The NetBIOS name as OEM (ASCII) for a client without UNICODE. */
static size_t oem_name(const struct ntlmssp_server *s, u8 *out)
{
	size_t i;

	for (i = 0; i + 1 < s->netbios_name_len; i += 2) {
		u16 ch = smb_get_le16(s->netbios_name + i);

		out[i / 2] = ch < 0x80 ? (u8)ch : '?';
	}
	return s->netbios_name_len / 2;
}

/* Build CHALLENGE into s->challenge_msg; returns its length. */
static size_t build_challenge(struct ntlmssp_server *s)
{
	u8 *m = s->challenge_msg, ts[8];
	size_t name_len, pos, info_start;

	memset(m, 0, CHALLENGE_HDR_LEN);
	memcpy(m, signature, sizeof(signature));
	smb_put_le32(m + 8, NTLMSSP_CHALLENGE_MSG);
	pos = CHALLENGE_HDR_LEN;
	if (s->flags & NTLMSSP_NEGOTIATE_UNICODE) {
		memcpy(m + pos, s->netbios_name, s->netbios_name_len);
		name_len = s->netbios_name_len;
	} else {
		name_len = oem_name(s, m + pos);
	}
	smb_put_le16(m + 12, (u16)name_len);
	smb_put_le16(m + 14, (u16)name_len);
	smb_put_le32(m + 16, (u32)pos);
	pos += name_len;
	smb_put_le32(m + 20, s->flags);
	memcpy(m + 24, s->server_challenge, 8);

	info_start = pos;
	pos += put_av(m + pos, NTLMSSP_AV_NB_DOMAIN_NAME, s->domain,
		      s->domain_len);
	pos += put_av(m + pos, NTLMSSP_AV_NB_COMPUTER_NAME, s->netbios_name,
		      s->netbios_name_len);
	pos += put_av(m + pos, NTLMSSP_AV_DNS_DOMAIN_NAME, s->domain,
		      s->domain_len);
	pos += put_av(m + pos, NTLMSSP_AV_DNS_COMPUTER_NAME, s->netbios_name,
		      s->netbios_name_len);
	smb_put_le64(ts, s->now_nt);
	pos += put_av(m + pos, NTLMSSP_AV_TIMESTAMP, ts, sizeof(ts));
	pos += put_av(m + pos, NTLMSSP_AV_EOL, NULL, 0);
	smb_put_le16(m + 40, (u16)(pos - info_start));
	smb_put_le16(m + 42, (u16)(pos - info_start));
	smb_put_le32(m + 44, (u32)info_start);
	memcpy(m + 48, server_version, sizeof(server_version));
	return pos;
}

/* Upper bound of build_challenge()'s output, checked at compile time. */
_Static_assert(CHALLENGE_HDR_LEN + NTLMSSP_SERVER_NAME_MAX +
			       4 * (4 + NTLMSSP_SERVER_NAME_MAX) + 12 + 4 <=
		       NTLMSSP_MAX_CHALLENGE,
	       "challenge buffer too small");

u32 ntlmssp_handle_negotiate(struct ntlmssp_server *s, const u8 *in, size_t len,
			     u8 *out, size_t out_size, size_t *out_len)
{
	size_t clen;

	if (out_len)
		*out_len = 0;
	if (!s || !out || !out_len || s->state != NTLMSSP_STATE_INIT)
		return STATUS_INVALID_PARAMETER;
	if (len < NEGOTIATE_MIN_LEN || len > NTLMSSP_MAX_NEGOTIATE ||
	    ntlmssp_message_type(in, len) != NTLMSSP_NEGOTIATE_MSG)
		return STATUS_INVALID_PARAMETER;

	s->flags = challenge_flags(smb_get_le32(in + 12));
	clen = build_challenge(s);
	if (clen > out_size) {
		smb_memzero_explicit(s->challenge_msg, clen);
		return STATUS_BUFFER_TOO_SMALL;
	}
	memcpy(s->negotiate_msg, in, len);
	s->negotiate_len = len;
	s->challenge_len = clen;
	memcpy(out, s->challenge_msg, clen);
	*out_len = clen;
	s->state = NTLMSSP_STATE_CHALLENGE_SENT;
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* One (Len, MaxLen, Offset) payload reference of AUTHENTICATE. */
struct field {
	const u8 *data;
	size_t len;
	size_t offset;
};

static int read_field(const u8 *msg, size_t msg_len, size_t at, struct field *f)
{
	u16 flen = smb_get_le16(msg + at);
	u32 off = smb_get_le32(msg + at + 4);

	f->data = NULL;
	f->len = flen;
	f->offset = off;
	/* The offset of an empty field is meaningless: ignore it. */
	if (flen == 0)
		return 0;
	if (off < AUTH_MIN_LEN || off > msg_len || flen > msg_len - off)
		return -1;
	f->data = msg + off;
	return 0;
}

/* A wire string (UTF-16LE or, without UNICODE, ASCII) to UTF-8. */
static int wire_string(const struct field *f, bool unicode, char *out,
		       size_t out_size)
{
	size_t i;

	out[0] = '\0';
	if (f->len == 0)
		return 0;
	if (unicode)
		return smb_utf16_to_utf8(f->data, f->len, out, out_size) < 0 ?
			       -1 :
			       0;
	if (f->len >= out_size)
		return -1;
	for (i = 0; i < f->len; i++) {
		if (f->data[i] == 0 || f->data[i] >= 0x80)
			return -1;
		out[i] = (char)f->data[i];
	}
	out[f->len] = '\0';
	return 0;
}

int ntlmssp_ntowfv2(const struct smb_crypto_ops *c, const u8 nt_hash[16],
		    const char *user, const char *domain, u8 out[16])
{
	u8 user16[2 * NTLMSSP_NAME_MAX], domain16[2 * NTLMSSP_NAME_MAX];
	struct smb_iov iov[2];
	int ulen, dlen, i, rc;

	ulen = smb_utf8_to_utf16(user, user16, sizeof(user16));
	dlen = smb_utf8_to_utf16(domain, domain16, sizeof(domain16));
	if (ulen < 0 || dlen < 0)
		return -1;
	/* Upper-case the user name unit by unit; surrogates stay. */
	for (i = 0; i < ulen; i += 2) {
		u16 ch = smb_get_le16(user16 + i);

		if (ch < 0xd800 || ch > 0xdfff)
			smb_put_le16(user16 + i, (u16)smb_upcase(ch));
	}
	iov[0].base = user16;
	iov[0].len = (size_t)ulen;
	iov[1].base = domain16;
	iov[1].len = (size_t)dlen;
	rc = c->hmac(SMB_HASH_MD5, nt_hash, 16, iov, 2, out);
	smb_memzero_explicit(user16, sizeof(user16));
	return rc ? -1 : 0;
}

/*
 * Walk the AV pairs of an NTLMv2 blob for MsvAvFlags.  Returns 0 with
 * *av_flags set, or -1 if the list runs off the end or has no MsvAvEOL.
 */
static int blob_av_flags(const u8 *blob, size_t blob_len, u32 *av_flags)
{
	size_t pos = BLOB_HDR_LEN;

	*av_flags = 0;
	while (blob_len - pos >= 4) {
		u16 id = smb_get_le16(blob + pos);
		u16 alen = smb_get_le16(blob + pos + 2);

		pos += 4;
		if (id == NTLMSSP_AV_EOL)
			return 0;
		if (alen > blob_len - pos)
			return -1;
		if (id == NTLMSSP_AV_FLAGS && alen == 4)
			*av_flags = smb_get_le32(blob + pos);
		pos += alen;
	}
	return -1;
}

/* NTProofStr = HMAC-MD5(NTOWFv2, ServerChallenge || blob). */
static int nt_proof(const struct ntlmssp_server *s, const u8 ntowf[16],
		    const u8 *blob, size_t blob_len, u8 proof[16])
{
	struct smb_iov iov[2];

	iov[0].base = (void *)s->server_challenge;
	iov[0].len = 8;
	iov[1].base = (void *)blob;
	iov[1].len = blob_len;
	return s->crypto->hmac(SMB_HASH_MD5, ntowf, 16, iov, 2, proof);
}

/* MIC = HMAC-MD5(key, NEGOTIATE || CHALLENGE || AUTHENTICATE, MIC zero). */
static int compute_mic(const struct ntlmssp_server *s, const u8 key[16],
		       const u8 *auth, size_t auth_len, u8 mic[16])
{
	static const u8 zero[16];
	struct smb_iov iov[5];

	iov[0].base = (void *)s->negotiate_msg;
	iov[0].len = s->negotiate_len;
	iov[1].base = (void *)s->challenge_msg;
	iov[1].len = s->challenge_len;
	iov[2].base = (void *)auth;
	iov[2].len = AUTH_MIC_OFFSET;
	iov[3].base = (void *)zero;
	iov[3].len = sizeof(zero);
	iov[4].base = (void *)(auth + AUTH_MIC_END);
	iov[4].len = auth_len - AUTH_MIC_END;
	return s->crypto->hmac(SMB_HASH_MD5, key, 16, iov, 5, mic);
}

/* Work area of one verification, wiped on every exit. */
struct auth_secrets {
	u8 nt_hash[16];
	u8 ntowf[16];
	u8 proof[16];
	u8 base_key[16];
	u8 exported[16];
	u8 mic[16];
};

static u32 fail(struct ntlmssp_result *res, enum ntlmssp_failure why)
{
	res->failure = why;
	res->has_session_key = false;
	smb_memzero_explicit(res->session_key, sizeof(res->session_key));
	if (why == NTLMSSP_FAIL_MALFORMED)
		return STATUS_INVALID_PARAMETER;
	if (why == NTLMSSP_FAIL_INTERNAL)
		return STATUS_INTERNAL_ERROR;
	return STATUS_LOGON_FAILURE;
}

/* Check the proof against the domain as sent, then against "". */
static int verify_proof(const struct ntlmssp_server *s,
			struct ntlmssp_result *res, const struct field *nt,
			struct auth_secrets *k)
{
	const u8 *blob = nt->data + 16;
	size_t blob_len = nt->len - 16;
	const char *domains[2] = { res->domain, "" };
	int i, tries = res->domain[0] ? 2 : 1;

	for (i = 0; i < tries; i++) {
		if (ntlmssp_ntowfv2(s->crypto, k->nt_hash, res->user,
				    domains[i], k->ntowf) ||
		    nt_proof(s, k->ntowf, blob, blob_len, k->proof))
			return -1;
		if (smb_memeq_ct(k->proof, nt->data, 16)) {
			res->matched_empty_domain = i == 1;
			return 1;
		}
	}
	return 0;
}

static u32 authenticate(struct ntlmssp_server *s, const u8 *in, size_t len,
			ntlmssp_lookup_fn lookup, void *lookup_ctx,
			struct ntlmssp_result *res, struct auth_secrets *k)
{
	struct field lm, nt, dom, user, ws, key;
	bool unicode = s->flags & NTLMSSP_NEGOTIATE_UNICODE;
	u32 flags, av_flags;
	size_t min_off;
	int rc;

	if (len < AUTH_MIN_LEN ||
	    ntlmssp_message_type(in, len) != NTLMSSP_AUTHENTICATE_MSG)
		return fail(res, NTLMSSP_FAIL_MALFORMED);
	if (read_field(in, len, 12, &lm) || read_field(in, len, 20, &nt) ||
	    read_field(in, len, 28, &dom) || read_field(in, len, 36, &user) ||
	    read_field(in, len, 44, &ws) || read_field(in, len, 52, &key))
		return fail(res, NTLMSSP_FAIL_MALFORMED);
	flags = smb_get_le32(in + 60);
	res->negotiate_flags = flags;
	if (wire_string(&dom, unicode, res->domain, sizeof(res->domain)) ||
	    wire_string(&user, unicode, res->user, sizeof(res->user)) ||
	    wire_string(&ws, unicode, res->workstation,
			sizeof(res->workstation)))
		return fail(res, NTLMSSP_FAIL_MALFORMED);

	/* Anonymous: no user, no NT response, LM empty or Z(1). */
	if (user.len == 0 && nt.len == 0 && lm.len <= 1) {
		res->anonymous = true;
		return STATUS_SUCCESS;
	}
	/* NTLMv1 (24-byte NT response) or LM only: refused. */
	if (nt.len == 0 || nt.len == NTLMV1_RESPONSE_LEN)
		return fail(res, NTLMSSP_FAIL_NTLMV1);
	if (nt.len < 16 + BLOB_HDR_LEN || nt.data[16] != 1 || nt.data[17] != 1)
		return fail(res, NTLMSSP_FAIL_MALFORMED);
	if (blob_av_flags(nt.data + 16, nt.len - 16, &av_flags))
		return fail(res, NTLMSSP_FAIL_MALFORMED);
	if (av_flags & NTLMSSP_AV_FLAG_MIC_PRESENT) {
		/* The MIC field must exist and no payload may overlap it. */
		min_off = len;
		if (lm.len)
			min_off = min_t(size_t, min_off, lm.offset);
		min_off = min_t(size_t, min_off, nt.offset);
		if (dom.len)
			min_off = min_t(size_t, min_off, dom.offset);
		if (user.len)
			min_off = min_t(size_t, min_off, user.offset);
		if (ws.len)
			min_off = min_t(size_t, min_off, ws.offset);
		if (key.len)
			min_off = min_t(size_t, min_off, key.offset);
		if (len < AUTH_MIC_END || min_off < AUTH_MIC_END)
			return fail(res, NTLMSSP_FAIL_MALFORMED);
	}

	if (!lookup || lookup(lookup_ctx, res->user, k->nt_hash))
		return fail(res, NTLMSSP_FAIL_UNKNOWN_USER);
	rc = verify_proof(s, res, &nt, k);
	if (rc < 0)
		return fail(res, NTLMSSP_FAIL_INTERNAL);
	if (rc == 0)
		return fail(res, NTLMSSP_FAIL_BAD_PASSWORD);

	/* SessionBaseKey = HMAC-MD5(NTOWFv2, NTProofStr) = KeyExchangeKey. */
	{
		struct smb_iov iov = { k->proof, 16 };

		if (s->crypto->hmac(SMB_HASH_MD5, k->ntowf, 16, &iov, 1,
				    k->base_key))
			return fail(res, NTLMSSP_FAIL_INTERNAL);
	}
	if ((flags & NTLMSSP_NEGOTIATE_KEY_EXCH) &&
	    (s->flags & NTLMSSP_NEGOTIATE_KEY_EXCH)) {
		if (key.len != NTLMSSP_KEY_SIZE)
			return fail(res, NTLMSSP_FAIL_MALFORMED);
		memcpy(k->exported, key.data, NTLMSSP_KEY_SIZE);
		smb_rc4(k->base_key, 16, k->exported, NTLMSSP_KEY_SIZE);
	} else {
		memcpy(k->exported, k->base_key, 16);
	}
	if (av_flags & NTLMSSP_AV_FLAG_MIC_PRESENT) {
		if (compute_mic(s, k->exported, in, len, k->mic))
			return fail(res, NTLMSSP_FAIL_INTERNAL);
		if (!smb_memeq_ct(k->mic, in + AUTH_MIC_OFFSET, 16))
			return fail(res, NTLMSSP_FAIL_MIC);
	}
	memcpy(res->session_key, k->exported, NTLMSSP_KEY_SIZE);
	res->has_session_key = true;
	return STATUS_SUCCESS;
}

u32 ntlmssp_handle_authenticate(struct ntlmssp_server *s, const u8 *in,
				size_t len, ntlmssp_lookup_fn lookup,
				void *lookup_ctx, struct ntlmssp_result *res)
{
	struct auth_secrets k;
	u32 status;

	if (!res)
		return STATUS_INVALID_PARAMETER;
	memset(res, 0, sizeof(*res));
	/* AUTHENTICATE before CHALLENGE, or a second one: out of order. */
	if (!s || s->state != NTLMSSP_STATE_CHALLENGE_SENT)
		return fail(res, NTLMSSP_FAIL_MALFORMED);
	/* One answer per challenge: no second guess against the same one. */
	s->state = NTLMSSP_STATE_DONE;
	memset(&k, 0, sizeof(k));
	status = authenticate(s, in, len, lookup, lookup_ctx, res, &k);
	smb_memzero_explicit(&k, sizeof(k));
	return status;
}
