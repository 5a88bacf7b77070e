// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "internal.h"
#include "utf16.h"

static u32 conv(const char *in, char *out, size_t out_size)
{
	u8 w[8192];
	int n = smb_utf8_to_utf16(in, w, sizeof(w));

	assert_true(n >= 0);
	return smb_path_from_wire(w, (size_t)n, out, out_size);
}

static void test_valid_paths(void **state)
{
	char out[4096];

	assert_int_equal(conv("", out, sizeof(out)), STATUS_SUCCESS);
	assert_string_equal(out, "");
	assert_int_equal(conv("a\\b\\c.txt", out, sizeof(out)), 0);
	assert_string_equal(out, "a/b/c.txt");
	assert_int_equal(conv("dir\\", out, sizeof(out)), 0);
	assert_string_equal(out, "dir");
	assert_int_equal(conv("f.txt::$DATA", out, sizeof(out)), 0);
	assert_string_equal(out, "f.txt");
	assert_int_equal(conv("f.txt:$data", out, sizeof(out)), 0);
	assert_string_equal(out, "f.txt");
	assert_int_equal(conv("..x\\x..", out, sizeof(out)), 0);
	assert_string_equal(out, "..x/x..");
}

static void test_escapes_refused(void **state)
{
	char out[4096];

	assert_int_equal(conv("..", out, sizeof(out)),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(conv("..\\etc\\passwd", out, sizeof(out)),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(conv("a\\..\\..\\x", out, sizeof(out)),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(conv("\\etc\\passwd", out, sizeof(out)),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(conv("C:\\x", out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv("a/../../x", out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv("a\\.\\b", out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv("a\\\\b", out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
}

static void test_illegal_names(void **state)
{
	char out[4096];

	assert_int_equal(conv("a*b", out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv("a?b", out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv("a|b", out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv("a\x01", out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv("f:stream", out, sizeof(out)),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(conv("d:x\\f", out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv("\\", out, sizeof(out)),
			 STATUS_INVALID_PARAMETER);
}

static void test_malformed_wire(void **state)
{
	const u8 odd[3] = { 'a', 0, 'b' };
	const u8 nul[4] = { 'a', 0, 0, 0 };
	const u8 lone[2] = { 0x00, 0xdc };
	char out[16];
	char big[600];
	char small[8];

	assert_int_equal(smb_path_from_wire(odd, 3, out, sizeof(out)),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(smb_path_from_wire(nul, 4, out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(smb_path_from_wire(lone, 2, out, sizeof(out)),
			 STATUS_OBJECT_NAME_INVALID);
	memset(big, 'x', 300);
	big[300] = '\0';
	/* a 300-character component is too long */
	{
		char o[4096];

		assert_int_equal(conv(big, o, sizeof(o)),
				 STATUS_OBJECT_NAME_INVALID);
	}
	/* does not fit the output buffer */
	assert_int_equal(conv("abcdefghij", small, sizeof(small)),
			 STATUS_NAME_TOO_LONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_paths),
		cmocka_unit_test(test_escapes_refused),
		cmocka_unit_test(test_illegal_names),
		cmocka_unit_test(test_malformed_wire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
