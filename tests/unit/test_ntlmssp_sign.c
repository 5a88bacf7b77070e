// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NTLMSSP signatures as SPNEGO's mechListMIC uses them.  Expected values
 * were computed with an independent Python implementation of [MS-NLMP]
 * 3.4.4.2 / 3.4.5 (hashlib MD5 and HMAC-MD5, RC4 written from the
 * algorithm); smbclient accepting our MIC is the real-peer check (20-smbclient).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "crypto_openssl.h"
#include "ntlmssp.h"
#include "ntlmssp_sign.h"

#include "hexutil.h"

/* DER MechTypeList holding only the NTLMSSP OID. */
static const u8 mech_list[] = { 0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01,
				0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a };

static void key(u8 k[16])
{
	for (int i = 0; i < 16; i++)
		k[i] = (u8)i;
}

static void check(u32 flags, bool from_server, u32 seq, const char *want_hex)
{
	const struct smb_crypto_ops *c = smb_openssl_crypto_ops();
	u8 k[16], sig[NTLMSSP_SIGNATURE_SIZE];

	key(k);
	assert_int_equal(ntlmssp_sign(c, k, flags, from_server, seq, mech_list,
				      sizeof(mech_list), sig),
			 0);
	assert_true(hex_matches(sig, sizeof(sig), want_hex));
}

static void test_known_answers(void **state)
{
	u32 f128 = NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH;

	check(f128, true, 0, "010000005b94eb1d8be857b100000000");
	check(f128, false, 0, "010000003de8df789a511c4500000000");
	check(NTLMSSP_NEGOTIATE_128, true, 0,
	      "010000000afb34903a3e4e5400000000");
	check(NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_KEY_EXCH, true, 5,
	      "01000000f0d4a892ff5b3fc405000000");
}

static void test_verify(void **state)
{
	const struct smb_crypto_ops *c = smb_openssl_crypto_ops();
	u32 flags = NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH;
	u8 k[16], sig[NTLMSSP_SIGNATURE_SIZE];

	key(k);
	assert_int_equal(ntlmssp_sign(c, k, flags, false, 0, mech_list,
				      sizeof(mech_list), sig),
			 0);
	assert_true(ntlmssp_verify(c, k, flags, 0, mech_list,
				   sizeof(mech_list), sig, sizeof(sig)));
	/* wrong length, wrong sequence, tampered byte, server's own MIC */
	assert_false(ntlmssp_verify(c, k, flags, 0, mech_list,
				    sizeof(mech_list), sig, sizeof(sig) - 1));
	assert_false(ntlmssp_verify(c, k, flags, 1, mech_list,
				    sizeof(mech_list), sig, sizeof(sig)));
	sig[6] ^= 1;
	assert_false(ntlmssp_verify(c, k, flags, 0, mech_list,
				    sizeof(mech_list), sig, sizeof(sig)));
	assert_int_equal(ntlmssp_sign(c, k, flags, true, 0, mech_list,
				      sizeof(mech_list), sig),
			 0);
	assert_false(ntlmssp_verify(c, k, flags, 0, mech_list,
				    sizeof(mech_list), sig, sizeof(sig)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
