// SPDX-License-Identifier: GPL-2.0-or-later
/* spnego.c - SPNEGO tokens for SMB2 SESSION_SETUP ([MS-SPNG], RFC 4178). */
#include "spnego.h"
#include "asn1.h"

/* OID contents (DER, without tag and length). */
static const u8 oid_spnego[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
static const u8 oid_ntlmssp[] = { 0x2b, 0x06, 0x01, 0x04, 0x01,
				  0x82, 0x37, 0x02, 0x02, 0x0a };
static const u8 oid_krb5[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
			       0x12, 0x01, 0x02, 0x02 };
static const u8 oid_ms_krb5[] = { 0x2a, 0x86, 0x48, 0x82, 0xf7,
				  0x12, 0x01, 0x02, 0x02 };
static const u8 oid_negoex[] = { 0x2b, 0x06, 0x01, 0x04, 0x01,
				 0x82, 0x37, 0x02, 0x02, 0x1e };

static const char neg_hint_name[] = "not_defined_in_RFC4178@please_ignore";

static const u8 ntlmssp_signature[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

struct mech_oid {
	u32 mech;
	const u8 *oid;
	size_t len;
};

/* Offer order when several are enabled: Kerberos before NTLMSSP. */
static const struct mech_oid mech_oids[] = {
	{ SPNEGO_MECH_MS_KRB5, oid_ms_krb5, sizeof(oid_ms_krb5) },
	{ SPNEGO_MECH_KRB5, oid_krb5, sizeof(oid_krb5) },
	{ SPNEGO_MECH_NEGOEX, oid_negoex, sizeof(oid_negoex) },
	{ SPNEGO_MECH_NTLMSSP, oid_ntlmssp, sizeof(oid_ntlmssp) },
};

static u32 mech_of_oid(const u8 *oid, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mech_oids); i++)
		if (len == mech_oids[i].len &&
		    !memcmp(oid, mech_oids[i].oid, len))
			return mech_oids[i].mech;
	return SPNEGO_MECH_OTHER;
}

static void put_oid(struct asn1_writer *w, u32 mech)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mech_oids); i++)
		if (mech_oids[i].mech == mech)
			asn1_put(w, ASN1_OID, mech_oids[i].oid,
				 mech_oids[i].len);
}

int spnego_neg_hints_mechs(u32 mechs, u8 *out, size_t out_size)
{
	/* The server never offers NEGOEX: it cannot complete it. */
	static const u32 offer = SPNEGO_MECH_MS_KRB5 | SPNEGO_MECH_KRB5 |
				 SPNEGO_MECH_NTLMSSP;
	struct asn1_writer w;
	size_t i;

	if (!(mechs & offer))
		return -1;
	asn1_writer_init(&w, out, out_size);
	asn1_open(&w, ASN1_APPLICATION0);
	asn1_put(&w, ASN1_OID, oid_spnego, sizeof(oid_spnego));
	asn1_open(&w, ASN1_CONTEXT(0)); /* negTokenInit */
	asn1_open(&w, ASN1_SEQUENCE);
	asn1_open(&w, ASN1_CONTEXT(0)); /* mechTypes */
	asn1_open(&w, ASN1_SEQUENCE);
	for (i = 0; i < ARRAY_SIZE(mech_oids); i++)
		if (mechs & offer & mech_oids[i].mech)
			put_oid(&w, mech_oids[i].mech);
	asn1_close(&w);
	asn1_close(&w);
	asn1_open(&w, ASN1_CONTEXT(3)); /* negHints */
	asn1_open(&w, ASN1_SEQUENCE);
	asn1_open(&w, ASN1_CONTEXT(0)); /* hintName */
	asn1_put(&w, ASN1_GENERAL_STRING, neg_hint_name,
		 sizeof(neg_hint_name) - 1);
	asn1_close(&w);
	asn1_close(&w);
	asn1_close(&w);
	asn1_close(&w);
	asn1_close(&w);
	asn1_close(&w);
	return asn1_finish(&w);
}

int spnego_neg_hints(u8 *out, size_t out_size)
{
	return spnego_neg_hints_mechs(SPNEGO_MECH_NTLMSSP, out, out_size);
}

bool spnego_is_raw_ntlmssp(const u8 *in, size_t len)
{
	return in && len >= sizeof(ntlmssp_signature) &&
	       !memcmp(in, ntlmssp_signature, sizeof(ntlmssp_signature));
}

/* An explicit [n] holding one primitive element of tag inner_tag. */
static int read_wrapped(struct asn1_reader *seq, u8 n, u8 inner_tag,
			struct asn1_tlv *t)
{
	struct asn1_reader ctx;

	if (asn1_enter(seq, ASN1_CONTEXT(n), &ctx) ||
	    asn1_read_tag(&ctx, inner_tag, t) || !asn1_at_end(&ctx))
		return -1;
	return 0;
}

static int parse_mech_types(struct asn1_reader *seq, struct spnego_token *tok)
{
	struct asn1_reader ctx, list;
	struct asn1_tlv t;

	if (asn1_enter(seq, ASN1_CONTEXT(0), &ctx))
		return -1;
	/* Remember the MechTypeList's DER for a mechListMIC. */
	tok->mech_types = ctx.data;
	tok->mech_types_len = ctx.len;
	if (asn1_enter(&ctx, ASN1_SEQUENCE, &list) || !asn1_at_end(&ctx))
		return -1;
	while (!asn1_at_end(&list)) {
		u32 mech;

		if (asn1_read_tag(&list, ASN1_OID, &t) || t.len == 0)
			return -1;
		mech = mech_of_oid(t.value, t.len);
		if (!tok->mechs)
			tok->preferred_mech = mech;
		tok->mechs |= mech;
	}
	return tok->mechs ? 0 : -1;
}

/* An optional [n] OCTET STRING: 0 if absent or read, -1 if malformed. */
static int optional_octets(struct asn1_reader *seq, u8 n, const u8 **value,
			   size_t *len)
{
	struct asn1_tlv t;

	if (asn1_peek_tag(seq) != ASN1_CONTEXT(n))
		return 0;
	if (read_wrapped(seq, n, ASN1_OCTET_STRING, &t))
		return -1;
	*value = t.value;
	*len = t.len;
	return 0;
}

static int parse_neg_token_init(struct asn1_reader *r, struct spnego_token *tok)
{
	struct asn1_reader seq, look, hints;
	struct asn1_tlv t;

	tok->kind = SPNEGO_KIND_INIT;
	if (asn1_enter(r, ASN1_SEQUENCE, &seq) || !asn1_at_end(r))
		return -1;
	/* mechTypes is mandatory and first. */
	if (parse_mech_types(&seq, tok))
		return -1;
	if (asn1_peek_tag(&seq) == ASN1_CONTEXT(1) && /* reqFlags: ignored */
	    read_wrapped(&seq, 1, ASN1_BIT_STRING, &t))
		return -1;
	if (optional_octets(&seq, 2, &tok->mech_token, &tok->mech_token_len))
		return -1;
	/*
	 * [3] is mechListMIC in RFC 4178 but negHints (a SEQUENCE) in
	 * NegTokenInit2 ([MS-SPNG]), whose mechListMIC is [4].
	 */
	look = seq;
	if (!asn1_enter(&look, ASN1_CONTEXT(3), &hints) &&
	    asn1_peek_tag(&hints) == ASN1_SEQUENCE) {
		if (read_wrapped(&seq, 3, ASN1_SEQUENCE, &t))
			return -1;
	} else if (optional_octets(&seq, 3, &tok->mech_list_mic,
				   &tok->mech_list_mic_len)) {
		return -1;
	}
	if (!tok->mech_list_mic && optional_octets(&seq, 4, &tok->mech_list_mic,
						   &tok->mech_list_mic_len))
		return -1;
	return asn1_at_end(&seq) ? 0 : -1;
}

static int parse_neg_token_resp(struct asn1_reader *r, struct spnego_token *tok)
{
	struct asn1_reader seq;
	struct asn1_tlv t;

	tok->kind = SPNEGO_KIND_RESP;
	if (asn1_enter(r, ASN1_SEQUENCE, &seq) || !asn1_at_end(r))
		return -1;
	if (asn1_peek_tag(&seq) == ASN1_CONTEXT(0)) {
		if (read_wrapped(&seq, 0, ASN1_ENUMERATED, &t) || t.len != 1 ||
		    t.value[0] > SPNEGO_REQUEST_MIC)
			return -1;
		tok->neg_state = t.value[0];
	}
	if (asn1_peek_tag(&seq) == ASN1_CONTEXT(1)) {
		if (read_wrapped(&seq, 1, ASN1_OID, &t) || t.len == 0)
			return -1;
		tok->supported_mech = mech_of_oid(t.value, t.len);
	}
	if (optional_octets(&seq, 2, &tok->mech_token, &tok->mech_token_len) ||
	    optional_octets(&seq, 3, &tok->mech_list_mic,
			    &tok->mech_list_mic_len))
		return -1;
	return asn1_at_end(&seq) ? 0 : -1;
}

int spnego_parse(const u8 *in, size_t len, struct spnego_token *tok)
{
	struct asn1_reader top, app, choice;
	struct asn1_tlv oid;
	int tag;

	memset(tok, 0, sizeof(*tok));
	tok->neg_state = -1;
	if (!in || len == 0)
		return SPNEGO_ERR_MALFORMED;
	if (spnego_is_raw_ntlmssp(in, len)) {
		tok->kind = SPNEGO_KIND_RAW_NTLMSSP;
		tok->mechs = SPNEGO_MECH_NTLMSSP;
		tok->preferred_mech = SPNEGO_MECH_NTLMSSP;
		tok->mech_token = in;
		tok->mech_token_len = len;
		return 0;
	}
	asn1_reader_init(&top, in, len);
	tag = asn1_peek_tag(&top);
	if (tag == ASN1_APPLICATION0) {
		/* InitialContextToken: thisMech, then the inner token. */
		if (asn1_enter(&top, ASN1_APPLICATION0, &app) ||
		    !asn1_at_end(&top))
			goto malformed;
		if (asn1_read_tag(&app, ASN1_OID, &oid))
			goto malformed;
		if (oid.len != sizeof(oid_spnego) ||
		    memcmp(oid.value, oid_spnego, sizeof(oid_spnego))) {
			memset(tok, 0, sizeof(*tok));
			tok->neg_state = -1;
			return SPNEGO_ERR_UNSUPPORTED;
		}
		if (asn1_enter(&app, ASN1_CONTEXT(0), &choice) ||
		    !asn1_at_end(&app) || parse_neg_token_init(&choice, tok))
			goto malformed;
		return 0;
	}
	if (tag == ASN1_CONTEXT(0)) {
		if (asn1_enter(&top, ASN1_CONTEXT(0), &choice) ||
		    !asn1_at_end(&top) || parse_neg_token_init(&choice, tok))
			goto malformed;
		return 0;
	}
	if (tag == ASN1_CONTEXT(1)) {
		if (asn1_enter(&top, ASN1_CONTEXT(1), &choice) ||
		    !asn1_at_end(&top) || parse_neg_token_resp(&choice, tok))
			goto malformed;
		return 0;
	}
malformed:
	memset(tok, 0, sizeof(*tok));
	tok->neg_state = -1;
	return SPNEGO_ERR_MALFORMED;
}

int spnego_build_resp_mic(int neg_state, bool include_mech, const u8 *token,
			  size_t token_len, const u8 *mic, size_t mic_len,
			  u8 *out, size_t out_size)
{
	struct asn1_writer w;
	u8 state;

	if (neg_state < SPNEGO_ACCEPT_COMPLETED ||
	    neg_state > SPNEGO_REQUEST_MIC)
		return -1;
	if ((token_len && !token) || (mic_len && !mic))
		return -1;
	state = (u8)neg_state;
	asn1_writer_init(&w, out, out_size);
	asn1_open(&w, ASN1_CONTEXT(1));
	asn1_open(&w, ASN1_SEQUENCE);
	asn1_open(&w, ASN1_CONTEXT(0));
	asn1_put(&w, ASN1_ENUMERATED, &state, 1);
	asn1_close(&w);
	if (include_mech) {
		asn1_open(&w, ASN1_CONTEXT(1));
		put_oid(&w, SPNEGO_MECH_NTLMSSP);
		asn1_close(&w);
	}
	if (token_len) {
		asn1_open(&w, ASN1_CONTEXT(2));
		asn1_put(&w, ASN1_OCTET_STRING, token, token_len);
		asn1_close(&w);
	}
	if (mic_len) {
		asn1_open(&w, ASN1_CONTEXT(3));
		asn1_put(&w, ASN1_OCTET_STRING, mic, mic_len);
		asn1_close(&w);
	}
	asn1_close(&w);
	asn1_close(&w);
	return asn1_finish(&w);
}

int spnego_build_resp(int neg_state, bool include_mech, const u8 *token,
		      size_t token_len, u8 *out, size_t out_size)
{
	return spnego_build_resp_mic(neg_state, include_mech, token, token_len,
				     NULL, 0, out, out_size);
}
