// SPDX-License-Identifier: GPL-2.0-or-later
/* preauth.c - SMB 3.1.1 pre-authentication integrity hash chain. */
#include "compat.h"
#include "preauth.h"

void smb311_preauth_init(u8 hash[SMB311_PREAUTH_HASH_SIZE])
{
	memset(hash, 0, SMB311_PREAUTH_HASH_SIZE);
}

int smb311_preauth_update(const struct smb_crypto_ops *c,
			  u8 hash[SMB311_PREAUTH_HASH_SIZE],
			  const struct smb_iov *msg, int niov)
{
	struct smb_iov iov[1 + SMB311_PREAUTH_MAX_IOV];
	u8 prev[SMB311_PREAUTH_HASH_SIZE], next[SMB311_PREAUTH_HASH_SIZE];
	int i, rc;

	if (!c || !c->hash || !hash || !msg || niov < 1 ||
	    niov > SMB311_PREAUTH_MAX_IOV)
		return -1;
	/* Hash a copy so a failure leaves the chain value untouched. */
	memcpy(prev, hash, sizeof(prev));
	iov[0] = (struct smb_iov){ prev, sizeof(prev) };
	for (i = 0; i < niov; i++) {
		if (msg[i].len && !msg[i].base)
			return -1;
		iov[1 + i] = msg[i];
	}
	rc = c->hash(SMB_HASH_SHA512, iov, 1 + niov, next);
	if (rc == 0)
		memcpy(hash, next, sizeof(next));
	return rc == 0 ? 0 : -1;
}
