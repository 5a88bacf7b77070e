// SPDX-License-Identifier: GPL-2.0-or-later
/* kdf.c - SP800-108 KDF in counter mode, HMAC-SHA256 ([MS-SMB2] 3.1.4.2). */
#include "compat.h"
#include "kdf.h"

int smb_kdf(const struct smb_crypto_ops *c, const u8 *key, size_t key_len,
	    const u8 *label, size_t label_len, const u8 *context,
	    size_t context_len, u8 *out, size_t out_len)
{
	u8 counter[4], separator = 0, bits[4], block[SMB_SHA256_SIZE];
	struct smb_iov iov[5];
	int rc;

	if (!c || !c->hmac || !key || !out ||
	    (out_len != 16 && out_len != 32) || (!label && label_len) ||
	    (!context && context_len))
		return -1;
	/* 32 output bytes fit in one PRF block, so i = 1 is the only round. */
	smb_put_be32(counter, 1);
	smb_put_be32(bits, (u32)(out_len * 8));
	iov[0] = (struct smb_iov){ counter, sizeof(counter) };
	iov[1] = (struct smb_iov){ (void *)label, label_len };
	iov[2] = (struct smb_iov){ &separator, 1 };
	iov[3] = (struct smb_iov){ (void *)context, context_len };
	iov[4] = (struct smb_iov){ bits, sizeof(bits) };
	rc = c->hmac(SMB_HASH_SHA256, key, key_len, iov, 5, block);
	if (rc == 0)
		memcpy(out, block, out_len);
	smb_memzero_explicit(block, sizeof(block));
	return rc == 0 ? 0 : -1;
}
