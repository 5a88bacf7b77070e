/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdf.h - the SP800-108 counter-mode KDF of [MS-SMB2] 3.1.4.2. */
#ifndef SMB_KDF_H
#define SMB_KDF_H

#include "ops.h"

/*
 * KDF in counter mode with HMAC-SHA256 as PRF, r = 32, one iteration:
 *
 *	out = HMAC-SHA256(key, i=1 (BE32) || label || 0x00 || context ||
 *			  L (BE32))[0 .. out_len)
 *
 * with L = out_len * 8.  label and context are taken verbatim, so the
 * caller includes the terminating NUL the spec's labels carry
 * (e.g. "SMB2AESCMAC" with label_len 12); the 0x00 separator is added here.
 * out_len must be 16 or 32 (one HMAC-SHA256 block covers both).
 * Returns 0 on success, -1 on bad arguments or a crypto failure.
 */
int smb_kdf(const struct smb_crypto_ops *c, const u8 *key, size_t key_len,
	    const u8 *label, size_t label_len, const u8 *context,
	    size_t context_len, u8 *out, size_t out_len);

#endif /* SMB_KDF_H */
