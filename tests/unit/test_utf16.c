// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "utf16.h"

static void test_roundtrip_ascii_and_bmp(void **state)
{
	u8 w[64];
	char s[64];
	int n = smb_utf8_to_utf16("caf\xc3\xa9/x", w, sizeof(w));

	assert_int_equal(n, 12);
	assert_int_equal(smb_get_le16(w + 6), 0xe9);
	assert_int_equal(smb_utf16_to_utf8(w, (size_t)n, s, sizeof(s)), 7);
	assert_string_equal(s, "caf\xc3\xa9/x");
}

static void test_surrogate_pair(void **state)
{
	/* U+1F600 as UTF-16LE: D83D DE00 */
	const u8 w[] = { 0x3d, 0xd8, 0x00, 0xde };
	char s[8];
	u8 back[8];

	assert_int_equal(smb_utf16_to_utf8(w, 4, s, sizeof(s)), 4);
	assert_memory_equal(s, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(smb_utf8_to_utf16(s, back, sizeof(back)), 4);
	assert_memory_equal(back, w, 4);
	assert_int_equal(smb_utf8_utf16_len(s), 4);
}

static void test_malformed_utf16(void **state)
{
	const u8 odd[] = { 'a', 0, 'b' };
	const u8 lone_hi[] = { 0x3d, 0xd8, 'a', 0 };
	const u8 lone_lo[] = { 0x00, 0xde };
	const u8 nul[] = { 'a', 0, 0, 0 };
	const u8 trunc_hi[] = { 0x3d, 0xd8 };
	char s[16];

	assert_int_equal(smb_utf16_to_utf8(odd, 3, s, sizeof(s)), -1);
	assert_int_equal(smb_utf16_to_utf8(lone_hi, 4, s, sizeof(s)), -1);
	assert_int_equal(smb_utf16_to_utf8(lone_lo, 2, s, sizeof(s)), -1);
	assert_int_equal(smb_utf16_to_utf8(nul, 4, s, sizeof(s)), -1);
	assert_int_equal(smb_utf16_to_utf8(trunc_hi, 2, s, sizeof(s)), -1);
}

static void test_output_too_small(void **state)
{
	const u8 w[] = { 'a', 0, 'b', 0, 'c', 0 };
	char s[3];
	u8 o[3];

	assert_int_equal(smb_utf16_to_utf8(w, 6, s, sizeof(s)), -1);
	assert_int_equal(smb_utf16_to_utf8(w, 4, s, sizeof(s)), 2);
	assert_int_equal(smb_utf8_to_utf16("ab", o, sizeof(o)), -1);
	assert_int_equal(smb_utf16_to_utf8(w, 0, s, sizeof(s)), 0);
	assert_int_equal(smb_utf16_to_utf8(w, 2, s, 0), -1);
}

static void test_malformed_utf8(void **state)
{
	u8 o[16];

	assert_int_equal(smb_utf8_to_utf16("\xc0\xaf", o, sizeof(o)), -1);
	assert_int_equal(smb_utf8_to_utf16("\xed\xa0\x80", o, sizeof(o)), -1);
	assert_int_equal(smb_utf8_to_utf16("\xe2\x82", o, sizeof(o)), -1);
	assert_int_equal(smb_utf8_to_utf16("\xff", o, sizeof(o)), -1);
	assert_int_equal(smb_utf8_utf16_len("\x80"), -1);
}

static void test_case_insensitive(void **state)
{
	assert_true(smb_name_equal_ci("Hello.TXT", "hello.txt"));
	assert_true(smb_name_equal_ci("\xc3\xa9t\xc3\xa9", "\xc3\x89T\xc3\x89"));
	assert_false(smb_name_equal_ci("abc", "abcd"));
	assert_false(smb_name_equal_ci("abc", "abd"));
	assert_int_equal(smb_upcase(0x3c9), 0x3a9);
	assert_int_equal(smb_upcase(0x101), 0x100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_ascii_and_bmp),
		cmocka_unit_test(test_surrogate_pair),
		cmocka_unit_test(test_malformed_utf16),
		cmocka_unit_test(test_output_too_small),
		cmocka_unit_test(test_malformed_utf8),
		cmocka_unit_test(test_case_insensitive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
