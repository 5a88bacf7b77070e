/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ntlmssp.h - server side of NTLM authentication ([MS-NLMP]), NTLMv2 only.
 *
 * One struct ntlmssp_server per SESSION_SETUP exchange: init it with a fresh
 * random server challenge, feed it the client's NEGOTIATE (it returns the
 * CHALLENGE to send), then the AUTHENTICATE (it verifies the NTLMv2 proof
 * and the MIC and exports the session key).  Each step runs once.
 */
#ifndef SMB_NTLMSSP_H
#define SMB_NTLMSSP_H

#include "compat.h"
#include "ops.h"

/* NegotiateFlags ([MS-NLMP] 2.2.2.5). */
#define NTLMSSP_NEGOTIATE_UNICODE 0x00000001u
#define NTLMSSP_NEGOTIATE_OEM 0x00000002u
#define NTLMSSP_REQUEST_TARGET 0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN 0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL 0x00000020u
#define NTLMSSP_NEGOTIATE_DATAGRAM 0x00000040u
#define NTLMSSP_NEGOTIATE_LM_KEY 0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM 0x00000200u
#define NTLMSSP_ANONYMOUS 0x00000800u
#define NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED 0x00001000u
#define NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED 0x00002000u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN 0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN 0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER 0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_IDENTIFY 0x00100000u
#define NTLMSSP_REQUEST_NON_NT_SESSION_KEY 0x00400000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO 0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION 0x02000000u
#define NTLMSSP_NEGOTIATE_128 0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH 0x40000000u
#define NTLMSSP_NEGOTIATE_56 0x80000000u

/* Message types and AV pair ids ([MS-NLMP] 2.2.1, 2.2.2.1). */
#define NTLMSSP_NEGOTIATE_MSG 1
#define NTLMSSP_CHALLENGE_MSG 2
#define NTLMSSP_AUTHENTICATE_MSG 3

#define NTLMSSP_AV_EOL 0
#define NTLMSSP_AV_NB_COMPUTER_NAME 1
#define NTLMSSP_AV_NB_DOMAIN_NAME 2
#define NTLMSSP_AV_DNS_COMPUTER_NAME 3
#define NTLMSSP_AV_DNS_DOMAIN_NAME 4
#define NTLMSSP_AV_FLAGS 6
#define NTLMSSP_AV_TIMESTAMP 7
#define NTLMSSP_AV_FLAG_MIC_PRESENT 0x00000002u

#define NTLMSSP_KEY_SIZE 16
/* Bounds of what the server keeps (UTF-8 with NUL, and whole messages). */
#define NTLMSSP_NAME_MAX 256
#define NTLMSSP_MAX_NEGOTIATE 1024
#define NTLMSSP_MAX_CHALLENGE 1024
/* Server names in UTF-16LE: at most 64 UTF-16 units each. */
#define NTLMSSP_SERVER_NAME_MAX 128

enum ntlmssp_state {
	NTLMSSP_STATE_INIT = 0,
	NTLMSSP_STATE_CHALLENGE_SENT = 1,
	NTLMSSP_STATE_DONE = 2,
};

struct ntlmssp_server {
	const struct smb_crypto_ops *crypto;
	enum ntlmssp_state state;
	u32 flags; /* as sent in the CHALLENGE */
	u8 server_challenge[8];
	u64 now_nt;
	u8 netbios_name[NTLMSSP_SERVER_NAME_MAX]; /* UTF-16LE */
	size_t netbios_name_len;
	u8 domain[NTLMSSP_SERVER_NAME_MAX]; /* UTF-16LE */
	size_t domain_len;
	/* Both earlier messages exactly as exchanged, for the MIC. */
	u8 negotiate_msg[NTLMSSP_MAX_NEGOTIATE];
	size_t negotiate_len;
	u8 challenge_msg[NTLMSSP_MAX_CHALLENGE];
	size_t challenge_len;
};

/* Why an AUTHENTICATE failed, for the caller's map-to-guest policy. */
enum ntlmssp_failure {
	NTLMSSP_FAIL_NONE = 0,
	NTLMSSP_FAIL_MALFORMED = 1, /* STATUS_INVALID_PARAMETER */
	NTLMSSP_FAIL_UNKNOWN_USER = 2, /* lookup() did not know the user */
	NTLMSSP_FAIL_BAD_PASSWORD = 3, /* known user, NTProofStr mismatch */
	NTLMSSP_FAIL_NTLMV1 = 4, /* NTLMv1/LM-only response refused */
	NTLMSSP_FAIL_MIC = 5, /* proof good, MIC wrong: tampering */
	NTLMSSP_FAIL_INTERNAL =
		6, /* a crypto op failed: STATUS_INTERNAL_ERROR */
};

struct ntlmssp_result {
	char user[NTLMSSP_NAME_MAX]; /* UTF-8, as sent (not upper-cased) */
	char domain[NTLMSSP_NAME_MAX];
	char workstation[NTLMSSP_NAME_MAX];
	u8 session_key[NTLMSSP_KEY_SIZE]; /* ExportedSessionKey */
	bool has_session_key; /* false for anonymous */
	bool anonymous;
	/* True when the proof matched with an empty domain, not as sent. */
	bool matched_empty_domain;
	enum ntlmssp_failure failure;
	u32 negotiate_flags; /* flags of the AUTHENTICATE message */
};

/*
 * Start an exchange.  netbios_name and domain are UTF-8 (at most 64 UTF-16
 * units each; domain may be empty); server_challenge must be fresh random
 * bytes; now_nt is the current NT time for MsvAvTimestamp.  Returns 0, or
 * -1 for bad arguments.
 */
int ntlmssp_server_init(struct ntlmssp_server *s,
			const struct smb_crypto_ops *c,
			const char *netbios_name, const char *domain,
			const u8 server_challenge[8], u64 now_nt);

/* Wipe the state (it holds no key, but the messages are the user's). */
void ntlmssp_server_clear(struct ntlmssp_server *s);

/*
 * Parse NEGOTIATE and build CHALLENGE into out.  Returns
 * STATUS_MORE_PROCESSING_REQUIRED with *out_len set, STATUS_INVALID_PARAMETER
 * for a malformed or unexpected message, STATUS_BUFFER_TOO_SMALL if out is
 * too small.
 */
u32 ntlmssp_handle_negotiate(struct ntlmssp_server *s, const u8 *in, size_t len,
			     u8 *out, size_t out_size, size_t *out_len);

/*
 * User lookup for ntlmssp_handle_authenticate(): fill nt_hash (MD4 of the
 * UTF-16LE password) and return 0, or return nonzero for an unknown user.
 */
typedef int (*ntlmssp_lookup_fn)(void *ctx, const char *user, u8 nt_hash[16]);

/*
 * Verify AUTHENTICATE.  Returns STATUS_SUCCESS (res->anonymous tells an
 * anonymous logon apart), STATUS_LOGON_FAILURE (res->failure says why) or
 * STATUS_INVALID_PARAMETER for a malformed or out-of-order message
 * (STATUS_INTERNAL_ERROR if a crypto op fails).  res is always filled.
 */
u32 ntlmssp_handle_authenticate(struct ntlmssp_server *s, const u8 *in,
				size_t len, ntlmssp_lookup_fn lookup,
				void *lookup_ctx, struct ntlmssp_result *res);

/*
 * Type of an NTLMSSP message (NTLMSSP_NEGOTIATE_MSG, ..._AUTHENTICATE_MSG)
 * so a caller can dispatch a SPNEGO token; -1 if it is not one.
 */
int ntlmssp_message_type(const u8 *msg, size_t len);

/* NTOWFv2 = HMAC-MD5(nt_hash, UTF-16LE(upper(user) + domain)). 0 or -1. */
int ntlmssp_ntowfv2(const struct smb_crypto_ops *c, const u8 nt_hash[16],
		    const char *user, const char *domain, u8 out[16]);

#endif
