// SPDX-License-Identifier: GPL-2.0-or-later
/* ntlmssp_sign.c - NTLMSSP signatures for SPNEGO's mechListMIC. */
#include "ntlmssp_sign.h"
#include "ntlmssp.h"
#include "rc4.h"

/* The magic constants of [MS-NLMP] 3.4.5.2 and 3.4.5.3, NUL included. */
static const char sign_c2s[] =
	"session key to client-to-server signing key magic constant";
static const char sign_s2c[] =
	"session key to server-to-client signing key magic constant";
static const char seal_c2s[] =
	"session key to client-to-server sealing key magic constant";
static const char seal_s2c[] =
	"session key to server-to-client sealing key magic constant";

static int derive(const struct smb_crypto_ops *c, const u8 *key,
		  size_t key_len, const char *magic, size_t magic_len,
		  u8 out[16])
{
	struct smb_iov iov[2] = { { (void *)key, key_len },
				  { (void *)magic, magic_len } };

	return c->hash(SMB_HASH_MD5, iov, 2, out);
}

int ntlmssp_sign(const struct smb_crypto_ops *c, const u8 session_key[16],
		 u32 negotiate_flags, bool from_server, u32 seq, const u8 *msg,
		 size_t len, u8 out[NTLMSSP_SIGNATURE_SIZE])
{
	u8 sign_key[16], seal_key[16], mac[16], seqbuf[4];
	size_t seal_len = 5;
	struct smb_iov iov[2];
	int rc = -1;

	if (negotiate_flags & NTLMSSP_NEGOTIATE_128)
		seal_len = 16;
	else if (negotiate_flags & NTLMSSP_NEGOTIATE_56)
		seal_len = 7;
	smb_put_le32(seqbuf, seq);
	iov[0].base = seqbuf;
	iov[0].len = 4;
	iov[1].base = (void *)msg;
	iov[1].len = len;
	if (derive(c, session_key, 16, from_server ? sign_s2c : sign_c2s,
		   sizeof(sign_s2c), sign_key) ||
	    derive(c, session_key, seal_len, from_server ? seal_s2c : seal_c2s,
		   sizeof(seal_s2c), seal_key) ||
	    c->hmac(SMB_HASH_MD5, sign_key, 16, iov, 2, mac))
		goto out;
	if (negotiate_flags & NTLMSSP_NEGOTIATE_KEY_EXCH)
		smb_rc4(seal_key, 16, mac, 8);
	smb_put_le32(out, 1);
	memcpy(out + 4, mac, 8);
	memcpy(out + 12, seqbuf, 4);
	rc = 0;
out:
	smb_memzero_explicit(sign_key, sizeof(sign_key));
	smb_memzero_explicit(seal_key, sizeof(seal_key));
	smb_memzero_explicit(mac, sizeof(mac));
	return rc;
}

bool ntlmssp_verify(const struct smb_crypto_ops *c, const u8 session_key[16],
		    u32 negotiate_flags, u32 seq, const u8 *msg, size_t len,
		    const u8 *sig, size_t sig_len)
{
	u8 want[NTLMSSP_SIGNATURE_SIZE];
	bool ok;

	if (sig_len != NTLMSSP_SIGNATURE_SIZE ||
	    ntlmssp_sign(c, session_key, negotiate_flags, false, seq, msg, len,
			 want))
		return false;
	ok = smb_memeq_ct(want, sig, sizeof(want));
	smb_memzero_explicit(want, sizeof(want));
	return ok;
}
