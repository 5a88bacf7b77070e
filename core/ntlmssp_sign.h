/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ntlmssp_sign.h - NTLMSSP message signatures ([MS-NLMP] 3.4.4.2, with
 * extended session security), as SPNEGO's mechListMIC needs them.
 */
#ifndef SMB_NTLMSSP_SIGN_H
#define SMB_NTLMSSP_SIGN_H

#include "compat.h"
#include "ops.h"

#define NTLMSSP_SIGNATURE_SIZE 16

/*
 * Signature of msg with sequence number seq, as the server
 * (from_server) or the client would make it: version 1, the first 8 bytes
 * of HMAC-MD5(SignKey, seq || msg), RC4-encrypted with a fresh SealKey
 * handle when KEY_EXCH was negotiated, then seq.  Returns 0 or -1.
 */
int ntlmssp_sign(const struct smb_crypto_ops *c, const u8 session_key[16],
		 u32 negotiate_flags, bool from_server, u32 seq, const u8 *msg,
		 size_t len, u8 out[NTLMSSP_SIGNATURE_SIZE]);

/* Check a client signature in constant time. */
bool ntlmssp_verify(const struct smb_crypto_ops *c, const u8 session_key[16],
		    u32 negotiate_flags, u32 seq, const u8 *msg, size_t len,
		    const u8 *sig, size_t sig_len);

#endif
