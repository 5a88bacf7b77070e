/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signing.h - SMB2/3 session keys ([MS-SMB2] 3.3.5.5.3) and message signing
 * ([MS-SMB2] 3.1.4.1, 3.1.5.1).
 */
#ifndef SMB_SIGNING_H
#define SMB_SIGNING_H

#include "ops.h"

#define SMB_SESSION_KEY_SIZE 16
#define SMB_SIGNING_KEY_SIZE 16

/* Keys of one session, seen from the server. */
struct smb_keys {
	u8 signing[SMB_SIGNING_KEY_SIZE];
	u8 encryption[32]; /* server -> client: the server encrypts with it */
	u8 decryption[32]; /* client -> server: the server decrypts with it */
	u8 application[16];
	size_t cipher_key_len; /* 16 or 32 bytes used above; 0 for SMB 2.x */
};

/*
 * Derive a session's keys.
 *  - 2.0.2 / 2.1: signing = session_key; no other keys (cipher must be 0).
 *  - 3.0 / 3.0.2: KDF labels "SMB2AESCMAC"/"SmbSign", "SMB2APP"/"SmbRpc",
 *    "SMB2AESCCM"/"ServerIn " (decryption) and "SMB2AESCCM"/"ServerOut"
 *    (encryption).  cipher must be 0 or SMB2_ENCRYPTION_AES128_CCM, the
 *    only cipher of those dialects.
 *  - 3.1.1: labels "SMBSigningKey", "SMBAppKey", "SMBC2SCipherKey"
 *    (decryption), "SMBS2CCipherKey" (encryption), context = preauth_hash
 *    (required).  cipher is the negotiated SMB2_ENCRYPTION_* or 0 (none;
 *    128-bit keys are derived anyway).  AES-256 ciphers get 32-byte cipher
 *    keys; the KDF input is still the session key we have, which for NTLM
 *    is the full 16-byte session key.
 * Returns 0, or -1 (and *out wiped) for an unknown dialect, a cipher the
 * dialect does not allow, or a crypto failure.
 */
int smb_derive_keys(const struct smb_crypto_ops *c, u16 dialect, u16 cipher,
		    const u8 session_key[SMB_SESSION_KEY_SIZE],
		    const u8 preauth_hash[64], struct smb_keys *out);

/*
 * The signing algorithm of a connection: HMAC-SHA256 for 2.x, AES-CMAC for
 * 3.x unless 3.1.1 negotiated a SIGNING_CAPABILITIES context, in which case
 * the negotiated SMB2_SIGNING_* value.
 */
u16 smb2_signing_algo_for(u16 dialect, bool have_negotiated_algo,
			  u16 negotiated_algo);

/*
 * Sign one message given as msg[0..niov) (the SMB2 header, at least 64
 * bytes, entirely in msg[0]; in a compound, include the padding up to the
 * next message).  Sets SMB2_FLAGS_SIGNED, zeroes the signature field,
 * computes the MAC over the whole message with algo (SMB2_SIGNING_*) and
 * stores it in the signature field.  Returns 0, or -1 for a short/invalid
 * header, unknown algo or crypto failure (signature left zeroed).
 */
int smb2_sign(const struct smb_crypto_ops *c, u16 algo,
	      const u8 key[SMB_SIGNING_KEY_SIZE], const struct smb_iov *msg,
	      int niov);

/*
 * Verify the signature of one received message msg[0..len) (in a compound,
 * len is exactly this message including its padding up to NextCommand).
 * The message must carry SMB2_FLAGS_SIGNED.  The signature field is zeroed
 * while hashing and restored before returning; the comparison is constant
 * time.  Returns true only for a valid signature.
 */
bool smb2_verify(const struct smb_crypto_ops *c, u16 algo,
		 const u8 key[SMB_SIGNING_KEY_SIZE], u8 *msg, size_t len);

#endif /* SMB_SIGNING_H */
