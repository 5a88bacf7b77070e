/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spnego.h - server side of SPNEGO ([MS-SPNG], RFC 4178) with the GSS-API
 * InitialContextToken framing of RFC 2743.
 *
 * The server offers mechanisms in the NEGOTIATE response (NegTokenInit2),
 * parses what SESSION_SETUP carries (NegTokenInit, NegTokenResp, or a raw
 * NTLMSSP message that some clients send without SPNEGO) and wraps its
 * replies in NegTokenResp.
 */
#ifndef SMB_SPNEGO_H
#define SMB_SPNEGO_H

#include "compat.h"

/* Mechanisms, as bits of a set. */
#define SPNEGO_MECH_NTLMSSP 0x01u /* 1.3.6.1.4.1.311.2.2.10 */
#define SPNEGO_MECH_KRB5 0x02u /* 1.2.840.113554.1.2.2 */
#define SPNEGO_MECH_MS_KRB5 0x04u /* 1.2.840.48018.1.2.2 */
#define SPNEGO_MECH_NEGOEX 0x08u /* 1.3.6.1.4.1.311.2.2.30 */
#define SPNEGO_MECH_OTHER 0x80u /* anything else */

/* negState values of NegTokenResp. */
#define SPNEGO_ACCEPT_COMPLETED 0
#define SPNEGO_ACCEPT_INCOMPLETE 1
#define SPNEGO_REJECT 2
#define SPNEGO_REQUEST_MIC 3

/* Errors from spnego_parse(). */
#define SPNEGO_ERR_MALFORMED (-1) /* not valid DER or not SPNEGO's shape */
#define SPNEGO_ERR_UNSUPPORTED (-2) /* a GSS token for another mechanism */

enum spnego_kind {
	SPNEGO_KIND_INIT = 1, /* NegTokenInit, normally in a GSS wrapper */
	SPNEGO_KIND_RESP = 2, /* NegTokenResp */
	SPNEGO_KIND_RAW_NTLMSSP = 3, /* bare NTLMSSP: answer bare NTLMSSP */
};

/*
 * What spnego_parse() found.  Pointers point into the parsed input and are
 * NULL (with length 0) when the field is absent.
 */
struct spnego_token {
	enum spnego_kind kind;
	/* INIT: the set of SPNEGO_MECH_* in mechTypes. */
	u32 mechs;
	/* INIT: the client's first (preferred) mechanism, one SPNEGO_MECH_*. */
	u32 preferred_mech;
	/* INIT: DER of the MechTypeList, the input of a mechListMIC. */
	const u8 *mech_types;
	size_t mech_types_len;
	/* RESP: negState, or -1 when absent. */
	int neg_state;
	/* RESP: supportedMech as SPNEGO_MECH_*, or 0 when absent. */
	u32 supported_mech;
	/* INIT mechToken, RESP responseToken, RAW the whole input. */
	const u8 *mech_token;
	size_t mech_token_len;
	/* mechListMIC of either kind. */
	const u8 *mech_list_mic;
	size_t mech_list_mic_len;
};

/*
 * NegTokenInit2 for the NEGOTIATE response: GSS wrapper, mechTypes offering
 * mechs (SPNEGO_MECH_NTLMSSP and optionally the two Kerberos OIDs, which go
 * first when present) and the customary negHints.  Returns the length or
 * -1 if out is too small.
 */
int spnego_neg_hints_mechs(u32 mechs, u8 *out, size_t out_size);
/* The same offering NTLMSSP only. */
int spnego_neg_hints(u8 *out, size_t out_size);

/* Parse a SESSION_SETUP security buffer.  Returns 0 or SPNEGO_ERR_*. */
int spnego_parse(const u8 *in, size_t len, struct spnego_token *tok);

/* True when in is a bare NTLMSSP message rather than SPNEGO. */
bool spnego_is_raw_ntlmssp(const u8 *in, size_t len);

/*
 * NegTokenResp: negState (SPNEGO_ACCEPT_*), supportedMech NTLMSSP when
 * include_mech, responseToken when token_len > 0.  Returns the length or
 * -1 (out too small, bad neg_state).
 */
int spnego_build_resp(int neg_state, bool include_mech, const u8 *token,
		      size_t token_len, u8 *out, size_t out_size);
/* The same with a mechListMIC (omitted when mic_len is 0). */
int spnego_build_resp_mic(int neg_state, bool include_mech, const u8 *token,
			  size_t token_len, const u8 *mic, size_t mic_len,
			  u8 *out, size_t out_size);

#endif
