// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "shortname.h"

static void test_already_83(void **state)
{
	char s[SMB_SHORT_NAME_MAX];

	assert_int_equal(smb_short_name("h.txt", s), 5);
	assert_string_equal(s, "H.TXT");
	assert_int_equal(smb_short_name("README", s), 6);
	assert_string_equal(s, "README");
	assert_int_equal(smb_short_name("ABCDEFGH.XYZ", s), 12);
	assert_int_equal(smb_short_name("", s), -1);
}

static void test_mangled(void **state)
{
	char a[SMB_SHORT_NAME_MAX], b[SMB_SHORT_NAME_MAX];

	assert_true(smb_short_name("long file name.html", a) > 0);
	assert_memory_equal(a, "LONGF~", 6);
	assert_string_equal(a + 8, ".HTM");
	/* deterministic, and different names give different hashes */
	smb_short_name("long file name.html", b);
	assert_string_equal(a, b);
	smb_short_name("long file name2.html", b);
	assert_string_not_equal(a, b);
	assert_true(smb_short_name(".profile", a) > 0);
	assert_memory_equal(a, "PROFI~", 6);
	assert_true(smb_short_name("\xc3\xa9\xc3\xa9.txt", a) > 0);
	assert_memory_equal(a, "_~", 2);
	assert_true(smb_short_name("a.b.c.d", a) > 0);
	assert_true(strlen(a) <= 12);
	assert_true(smb_short_name("x.\xc3\xa9", a) > 0);
	assert_null(strchr(a, '.'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_already_83),
		cmocka_unit_test(test_mangled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
