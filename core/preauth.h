/* SPDX-License-Identifier: GPL-2.0-or-later */
/* preauth.h - SMB 3.1.1 pre-authentication integrity ([MS-SMB2] 3.3.5.4). */
#ifndef SMB_PREAUTH_H
#define SMB_PREAUTH_H

#include "ops.h"

#define SMB311_PREAUTH_HASH_SIZE 64 /* SHA-512, the only HashAlgorithm */
/* Most pieces one message may be passed in (header, body, buffers...). */
#define SMB311_PREAUTH_MAX_IOV 15

/* H(0): 64 zero bytes. */
void smb311_preauth_init(u8 hash[SMB311_PREAUTH_HASH_SIZE]);

/*
 * H(i) = SHA-512(H(i-1) || message), message being the concatenation of
 * msg[0..niov).  hash is updated in place only on success.  Returns 0, or
 * -1 on bad arguments (niov outside 1..SMB311_PREAUTH_MAX_IOV) or a crypto
 * failure.
 */
int smb311_preauth_update(const struct smb_crypto_ops *c,
			  u8 hash[SMB311_PREAUTH_HASH_SIZE],
			  const struct smb_iov *msg, int niov);

#endif /* SMB_PREAUTH_H */
