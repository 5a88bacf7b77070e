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

/* ".." is resolved by name inside the share, as Windows and Samba do. */
static void test_dotdot_inside_share(void **state)
{
	char out[4096];

	assert_int_equal(conv("a\\..\\b", out, sizeof(out)), 0);
	assert_string_equal(out, "b");
	assert_int_equal(conv("dir\\sub\\..", out, sizeof(out)), 0);
	assert_string_equal(out, "dir");
	assert_int_equal(conv("dir\\sub\\..\\", out, sizeof(out)), 0);
	assert_string_equal(out, "dir");
	assert_int_equal(conv("a\\..", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(conv("a\\b\\..\\..\\c\\d", out, sizeof(out)), 0);
	assert_string_equal(out, "c/d");
	assert_int_equal(conv("x\\a\\..\\b:s", out, sizeof(out)),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(conv("a\\..\\..", out, sizeof(out)),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(conv("a\\b\\..\\..\\..\\x", out, sizeof(out)),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(conv("a\\..:s", out, sizeof(out)),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
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

static u32 conv_stream(const char *in, char *out, struct smb_stream_spec *sn)
{
	u8 w[8192];
	int n = smb_utf8_to_utf16(in, w, sizeof(w));

	assert_true(n >= 0);
	return smb_path_from_wire_stream(w, (size_t)n, out, 4096, sn);
}

static void test_stream_suffixes(void **state)
{
	static struct smb_stream_spec sn;
	char out[4096];
	u8 w[64];
	int n;

	(void)state;
	assert_int_equal(conv_stream("d\\f.txt:One", out, &sn), 0);
	assert_string_equal(out, "d/f.txt");
	assert_true(sn.present);
	assert_string_equal(sn.name, "One");
	assert_int_equal(conv_stream("f:Two words:$dAtA", out, &sn), 0);
	assert_string_equal(sn.name, "Two words");
	assert_int_equal(conv_stream("f::$DATA", out, &sn), 0);
	assert_true(sn.present);
	assert_string_equal(sn.name, "");
	assert_int_equal(conv_stream("f", out, &sn), 0);
	assert_false(sn.present);
	/* Characters a file name may not hold are fine in a stream name. */
	assert_int_equal(conv_stream("f:a*?<>|\"\x01", out, &sn), 0);
	assert_string_equal(sn.name, "a*?<>|\"\x01");
	/* Refused: separators, other types, empty names, colons elsewhere. */
	assert_int_equal(conv_stream("f:a/b", out, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv_stream("f:a\\b", out, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv_stream("f:a:$INDEX_ALLOCATION", out, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv_stream("f:a:$DATA:x", out, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv_stream("f:", out, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv_stream("f::", out, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(conv_stream("d:s\\f", out, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	/* The stream suffix never hides "..". */
	assert_int_equal(conv_stream("..:s", out, &sn),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(conv_stream(":s", out, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	/* Callers without streams still see a named one as missing. */
	assert_int_equal(conv("f:One", out, sizeof(out)),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	/* Rename targets naming only a stream. */
	n = smb_utf8_to_utf16(":New:$DATA", w, sizeof(w));
	assert_int_equal(smb_stream_from_wire(w, (size_t)n, &sn), 0);
	assert_string_equal(sn.name, "New");
	n = smb_utf8_to_utf16("::$DATA", w, sizeof(w));
	assert_int_equal(smb_stream_from_wire(w, (size_t)n, &sn), 0);
	assert_string_equal(sn.name, "");
	n = smb_utf8_to_utf16("New", w, sizeof(w));
	assert_int_equal(smb_stream_from_wire(w, (size_t)n, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	n = smb_utf8_to_utf16(":a\\b", w, sizeof(w));
	assert_int_equal(smb_stream_from_wire(w, (size_t)n, &sn),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(smb_stream_from_wire(w, 3, &sn),
			 STATUS_OBJECT_NAME_INVALID); /* odd length */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_paths),
		cmocka_unit_test(test_dotdot_inside_share),
		cmocka_unit_test(test_escapes_refused),
		cmocka_unit_test(test_illegal_names),
		cmocka_unit_test(test_malformed_wire),
		cmocka_unit_test(test_stream_suffixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
