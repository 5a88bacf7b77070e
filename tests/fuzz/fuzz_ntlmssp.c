// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_ntlmssp.c - libFuzzer target for the NTLMSSP server: the first byte
 * picks NEGOTIATE (even) or AUTHENTICATE after a valid NEGOTIATE (odd).
 */
#include <stdlib.h>
#include <strings.h>

#include "platform.h"
#include "crypto_openssl.h"
#include "md4.h"
#include "ntlmssp.h"
#include "smb2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* [MS-NLMP] NEGOTIATE: Unicode, NTLM, extended security, key exchange. */
static const u8 negotiate_msg[32] = {
	'N', 'T',  'L',	 'M',  'S',  'S', 'P',	0, 1, 0,    0,
	0,   0x07, 0x82, 0x08, 0x60, 0,	  0,	0, 0, 0x20, 0,
	0,   0,	   0,	 0,    0,    0,	  0x20, 0, 0, 0,
};

static int lookup(void *ctx, const char *user, u8 nt_hash[16])
{
	(void)ctx;
	if (strcasecmp(user, "alice"))
		return -1;
	return smb_nt_hash("secret", nt_hash);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u8 challenge[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ntlmssp_server s;
	struct ntlmssp_result res;
	static u8 out[NTLMSSP_MAX_CHALLENGE];
	size_t out_len = 0;

	if (size < 1)
		return 0;
	if (ntlmssp_server_init(&s, smb_openssl_crypto_ops(), "SERVER",
				"WORKGROUP", challenge, 133485408000000000ull))
		abort();
	if (!(data[0] & 1)) {
		ntlmssp_handle_negotiate(&s, data + 1, size - 1, out,
					 sizeof(out), &out_len);
		if (out_len > sizeof(out))
			abort();
	} else {
		if (ntlmssp_handle_negotiate(&s, negotiate_msg,
					     sizeof(negotiate_msg), out,
					     sizeof(out), &out_len) !=
		    STATUS_MORE_PROCESSING_REQUIRED)
			abort();
		memset(&res, 0, sizeof(res));
		ntlmssp_handle_authenticate(&s, data + 1, size - 1, lookup,
					    NULL, &res);
	}
	ntlmssp_server_clear(&s);
	return 0;
}
