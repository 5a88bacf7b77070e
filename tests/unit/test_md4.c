// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "platform.h"
#include "md4.h"

static void hex(const u8 *d, char *out)
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* The test suite of RFC 1320, appendix A.5. */
static void test_rfc1320_vectors(void **state)
{
	static const char *const in[] = {
		"", "a", "abc", "message digest", "abcdefghijklmnopqrstuvwxyz",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		"123456789012345678901234567890123456789012345678901234567890123456"
		"78901234567890",
	};
	static const char *const want[] = {
		"31d6cfe0d16ae931b73c59d7e0c089c0",
		"bde52cb31de33e46245e05fbdbd6fb24",
		"a448017aaf21d8525fc10ae87aa6729d",
		"d9130a8164549fe818874806e1c7014b",
		"d79e1c308aa5bbcdeea8ed63df412da9",
		"043f8582f241db351ce627e153e7f0e4",
		"e33b4ddc9c38f2199c3e7b164fcc0536",
	};
	u8 d[16];
	char h[33];

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		smb_md4(in[i], strlen(in[i]), d);
		hex(d, h);
		assert_string_equal(h, want[i]);
	}
}

/* [MS-NLMP] 4.2.1: NTOWFv1("Password") */
static void test_nt_hash(void **state)
{
	u8 d[16];
	char h[33];

	assert_int_equal(smb_nt_hash("Password", d), 0);
	hex(d, h);
	assert_string_equal(h, "a4f49c406510bdcab6824ee7c30fd852");
	assert_int_equal(smb_nt_hash("\xff", d), -1);
}

/* Lengths around the 56-byte padding boundary must not crash or differ. */
static void test_padding_boundaries(void **state)
{
	u8 buf[130], d1[16], d2[16];

	memset(buf, 'x', sizeof(buf));
	for (size_t n = 50; n < 130; n++) {
		smb_md4(buf, n, d1);
		smb_md4(buf, n, d2);
		assert_memory_equal(d1, d2, 16);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1320_vectors),
		cmocka_unit_test(test_nt_hash),
		cmocka_unit_test(test_padding_boundaries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
