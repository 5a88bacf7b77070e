// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/stream.c (and the stream parts of path.c, open.c and the
 * POSIX backend): "file:name:$DATA" create/read/write/truncate, listing,
 * per-stream share modes, delete-on-close, renames, names refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/xattr.h>

#include "platform.h"
#include "smb_harness.h"
#include "stream.h"

static struct h_client *connected(void **state)
{
	struct h_client *c = h_client_new(*state);

	h_connect(c, SMB2_DIALECT_0311, "share");
	return c;
}

static u32 open_stream(struct h_client *c, const char *name, u32 disp,
		       u32 share, u8 fid[16])
{
	return h_create(c, name, H_RW | DELETE, share, disp, 0, fid);
}

/* Names in a FileStreamInformation buffer, joined by '|'. */
static void stream_names(const u8 *o, u32 n, char *out, size_t size)
{
	size_t pos = 0, used = 0;

	out[0] = '\0';
	while (pos + 24 <= n) {
		u32 next = smb_get_le32(o + pos),
		    nl = smb_get_le32(o + pos + 4);
		u32 i;

		assert_true(pos + 24 + nl <= n);
		for (i = 0; i < nl && used + 2 < size; i += 2)
			out[used++] = (char)o[pos + 24 + i]; /* ASCII tests */
		out[used++] = '|';
		out[used] = '\0';
		if (!next)
			break;
		pos += next;
	}
}

static void test_stream_io(void **state)
{
	struct h_client *c = connected(state);
	struct h_env *e = *state;
	u8 fid[16] = { 0 }, f2[16] = { 0 };
	const u8 *o = NULL;
	u32 n = 0;
	char names[256], path[512];
	u8 v[8];

	/* A stream of a missing file creates the file. */
	assert_int_equal(open_stream(c, "s.txt:One", FILE_CREATE, H_SHARE_ALL,
				     fid),
			 STATUS_SUCCESS);
	assert_true(h_exists(e->rw, "s.txt"));
	assert_int_equal(h_write(c, fid, "stream data", 11, 0), STATUS_SUCCESS);
	assert_int_equal(h_write(c, fid, "XY", 2, 20), STATUS_SUCCESS);
	assert_int_equal(h_read(c, fid, 100, 0, &o, &n), STATUS_SUCCESS);
	assert_int_equal(n, 22);
	assert_memory_equal(o, "stream data\0\0\0\0\0\0\0\0\0XY", 22);
	/* Stored in the file's xattr, the file's data untouched. */
	snprintf(path, sizeof(path), "%s/s.txt", e->rw);
	assert_int_equal(getxattr(path, "user.smbdirect.stream.One", NULL, 0),
			 22);
	/* Truncate through FileEndOfFileInformation. */
	smb_put_le64(v, 6);
	assert_int_equal(h_set_info(c, fid, FileEndOfFileInformation, v, 8),
			 STATUS_SUCCESS);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileStandardInformation, 24, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le64(o + 8), 6);
	/* The file's own data, by "::$DATA" too. */
	assert_int_equal(open_stream(c, "s.txt::$DATA", FILE_OPEN, H_SHARE_ALL,
				     f2),
			 STATUS_SUCCESS);
	assert_int_equal(h_write(c, f2, "base", 4, 0), STATUS_SUCCESS);
	/* Listing: the unnamed stream, then the named one, case kept. */
	assert_int_equal(h_query_info(c, f2, SMB2_0_INFO_FILE,
				      FileStreamInformation, 512, 0, &o, &n),
			 STATUS_SUCCESS);
	stream_names(o, n, names, sizeof(names));
	assert_string_equal(names, "::$DATA|:One:$DATA|");
	assert_int_equal(smb_get_le64(o + 8), 4);
	/* Too small for the second entry. */
	assert_int_equal(h_query_info(c, f2, SMB2_0_INFO_FILE,
				      FileStreamInformation, 40, 0, &o, &n),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(n, 24 + 14);
	assert_int_equal(h_close(c, f2), STATUS_SUCCESS);
	/* Names are case-insensitive; $DATA in any case. */
	assert_int_equal(open_stream(c, "s.txt:ONE:$data", FILE_OPEN,
				     H_SHARE_ALL, f2),
			 STATUS_SUCCESS);
	assert_int_equal(h_read(c, f2, 100, 0, &o, &n), STATUS_SUCCESS);
	assert_int_equal(n, 6);
	assert_int_equal(h_close(c, f2), STATUS_SUCCESS);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	/* Missing stream of an existing file; FILE_CREATE on an existing one. */
	assert_int_equal(open_stream(c, "s.txt:none", FILE_OPEN, H_SHARE_ALL,
				     f2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(open_stream(c, "s.txt:one", FILE_CREATE, H_SHARE_ALL,
				     f2),
			 STATUS_OBJECT_NAME_COLLISION);
	/* Overwriting the file drops its streams. */
	assert_int_equal(open_stream(c, "s.txt", FILE_OVERWRITE, H_SHARE_ALL,
				     f2),
			 STATUS_SUCCESS);
	assert_int_equal(h_query_info(c, f2, SMB2_0_INFO_FILE,
				      FileStreamInformation, 512, 0, &o, &n),
			 STATUS_SUCCESS);
	stream_names(o, n, names, sizeof(names));
	assert_string_equal(names, "::$DATA|");
	h_client_free(c);
}

static void test_stream_limit(void **state)
{
	struct h_client *c = connected(state);
	u8 fid[16] = { 0 }, v[8];

	assert_int_equal(open_stream(c, "big:s", FILE_CREATE, H_SHARE_ALL, fid),
			 STATUS_SUCCESS);
	/* Past the 64 KiB an xattr can hold: the disk is full for it. */
	assert_int_equal(h_write(c, fid, "x", 1, 65536), STATUS_DISK_FULL);
	smb_put_le64(v, 65537);
	assert_int_equal(h_set_info(c, fid, FileEndOfFileInformation, v, 8),
			 STATUS_DISK_FULL);
	h_client_free(c);
}

static void test_stream_names(void **state)
{
	struct h_client *c = connected(state);
	u8 fid[16] = { 0 };

	assert_int_equal(open_stream(c, "n.txt", FILE_CREATE, H_SHARE_ALL, fid),
			 STATUS_SUCCESS);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	/* Control characters and '*' are fine in stream names. */
	assert_int_equal(open_stream(c, "n.txt:a\x01*b", FILE_OPEN, H_SHARE_ALL,
				     fid),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(open_stream(c, "n.txt:a/b", FILE_OPEN, H_SHARE_ALL,
				     fid),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(open_stream(c, "n.txt:a:b:$DATA", FILE_OPEN,
				     H_SHARE_ALL, fid),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(open_stream(c, "n.txt:a:$FOO", FILE_OPEN, H_SHARE_ALL,
				     fid),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(open_stream(c, "n.txt:", FILE_OPEN, H_SHARE_ALL, fid),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(open_stream(c, "n.txt:a:", FILE_OPEN, H_SHARE_ALL,
				     fid),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(open_stream(c, "x:s\\n.txt", FILE_OPEN, H_SHARE_ALL,
				     fid),
			 STATUS_OBJECT_NAME_INVALID);
	/* A name too long for an xattr name. */
	{
		char name[300];

		memset(name, 'a', sizeof(name));
		memcpy(name, "n.txt:", 6);
		name[260] = '\0';
		assert_int_equal(open_stream(c, name, FILE_CREATE, H_SHARE_ALL,
					     fid),
				 STATUS_OBJECT_NAME_INVALID);
	}
	h_client_free(c);
}

static void test_stream_dirs(void **state)
{
	struct h_client *c = connected(state);
	u8 fid[16] = { 0 }, f2[16] = { 0 };
	const u8 *o = NULL;
	u32 n = 1;

	assert_int_equal(h_create(c, "d", FILE_LIST_DIRECTORY, H_SHARE_ALL,
				  FILE_CREATE, FILE_DIRECTORY_FILE, fid),
			 STATUS_SUCCESS);
	/* No unnamed stream on a directory: an empty listing. */
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileStreamInformation, 512, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 0);
	assert_int_equal(h_create(c, "d:s", H_RW, H_SHARE_ALL, FILE_CREATE,
				  FILE_DIRECTORY_FILE, f2),
			 STATUS_NOT_A_DIRECTORY);
	assert_int_equal(h_create(c, "d::$DATA", H_RW, H_SHARE_ALL, FILE_OPEN,
				  0, f2),
			 STATUS_FILE_IS_A_DIRECTORY);
	/* Named streams on a directory are allowed. */
	assert_int_equal(h_create(c, "d:s", H_RW, H_SHARE_ALL, FILE_CREATE, 0,
				  f2),
			 STATUS_SUCCESS);
	assert_int_equal(h_write(c, f2, "dirdata", 7, 0), STATUS_SUCCESS);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileStreamInformation, 512, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 24 + 16);
	assert_int_equal(smb_get_le64(o + 8), 7);
	h_client_free(c);
}

static void test_stream_share_delete_rename(void **state)
{
	struct h_client *c = connected(state);
	u8 a[16] = { 0 }, b[16] = { 0 }, x[16] = { 0 };
	const u8 *o = NULL;
	u32 n = 0;
	char names[256];

	assert_int_equal(open_stream(c, "f:A", FILE_CREATE, 0, a),
			 STATUS_SUCCESS);
	/* Another stream does not conflict; the same one does. */
	assert_int_equal(open_stream(c, "f:B", FILE_CREATE, 0, b),
			 STATUS_SUCCESS);
	assert_int_equal(open_stream(c, "f:a", FILE_OPEN, 0, x),
			 STATUS_SHARING_VIOLATION);
	/* DELETE on the file needs every stream open to share delete. */
	assert_int_equal(h_create(c, "f", DELETE, H_SHARE_ALL, FILE_OPEN, 0, x),
			 STATUS_SHARING_VIOLATION);
	/* Renaming the file while its streams are open is refused. */
	assert_int_equal(h_close(c, b), STATUS_SUCCESS);
	assert_int_equal(h_write(c, a, "payload", 7, 0), STATUS_SUCCESS);
	/* Stream renames: onto a new name, onto an existing one. */
	assert_int_equal(h_rename(c, a, ":C:$DATA", false), STATUS_SUCCESS);
	assert_int_equal(h_rename(c, a, ":b", false),
			 STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(h_rename(c, a, ":b", true), STATUS_SUCCESS);
	assert_int_equal(h_rename(c, a, ":bad/name", true),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(h_read(c, a, 100, 0, &o, &n), STATUS_SUCCESS);
	assert_memory_equal(o, "payload", 7);
	/* A stream cannot be renamed to another file. */
	assert_int_equal(h_rename(c, a, "other", true),
			 STATUS_INVALID_PARAMETER);
	/* Delete-on-close removes the stream alone. */
	assert_int_equal(h_set_delete(c, a, true), STATUS_SUCCESS);
	assert_int_equal(h_close(c, a), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "f", FILE_READ_ATTRIBUTES, H_SHARE_ALL,
				  FILE_OPEN, 0, x),
			 STATUS_SUCCESS);
	assert_int_equal(h_query_info(c, x, SMB2_0_INFO_FILE,
				      FileStreamInformation, 512, 0, &o, &n),
			 STATUS_SUCCESS);
	stream_names(o, n, names, sizeof(names));
	assert_string_equal(names, "::$DATA|");
	h_client_free(c);
}

static void test_stream_base_rename_denied(void **state)
{
	struct h_client *c = connected(state);
	u8 a[16] = { 0 }, f[16] = { 0 };

	assert_int_equal(open_stream(c, "g:s", FILE_CREATE, H_SHARE_ALL, a),
			 STATUS_SUCCESS);
	assert_int_equal(open_stream(c, "g", FILE_OPEN, H_SHARE_ALL, f),
			 STATUS_SUCCESS);
	assert_int_equal(h_rename(c, f, "g2", false), STATUS_ACCESS_DENIED);
	/* The unnamed stream cannot become a named one. */
	assert_int_equal(h_rename(c, f, ":named", false),
			 STATUS_INVALID_PARAMETER);
	h_client_free(c);
}

static void test_stream_to_unnamed(void **state)
{
	struct h_client *c = connected(state);
	u8 a[16] = { 0 }, b[16] = { 0 };
	const u8 *o = NULL;
	u32 n = 0;
	char names[256];

	assert_int_equal(open_stream(c, "u:s", FILE_CREATE, H_SHARE_ALL, a),
			 STATUS_SUCCESS);
	assert_int_equal(h_write(c, a, "moved", 5, 0), STATUS_SUCCESS);
	/* A full path naming a stream of its own file: in use. */
	assert_int_equal(h_rename(c, a, "U:other", true),
			 STATUS_SHARING_VIOLATION);
	/* Onto the (empty) unnamed stream: the bytes become the file's. */
	assert_int_equal(h_rename(c, a, "::$DATA", true), STATUS_SUCCESS);
	assert_int_equal(h_read(c, a, 100, 0, &o, &n), STATUS_SUCCESS);
	assert_int_equal(n, 5);
	assert_memory_equal(o, "moved", 5);
	assert_int_equal(h_query_info(c, a, SMB2_0_INFO_FILE,
				      FileStreamInformation, 512, 0, &o, &n),
			 STATUS_SUCCESS);
	stream_names(o, n, names, sizeof(names));
	assert_string_equal(names, "::$DATA|");
	/* Not while the file has data. */
	assert_int_equal(open_stream(c, "u:t", FILE_CREATE, H_SHARE_ALL, b),
			 STATUS_SUCCESS);
	assert_int_equal(h_rename(c, b, "::$DATA", false),
			 STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(h_rename(c, b, "::$DATA", true),
			 STATUS_INVALID_PARAMETER);
	h_client_free(c);
}

static void test_stream_info_put(void **state)
{
	u8 out[64];
	size_t used = 0, prev = 0;

	(void)state;
	assert_true(smb_stream_info_put(out, sizeof(out), &used, &prev,
					"::$DATA", 5, 8));
	assert_int_equal(used, 24 + 14);
	assert_false(smb_stream_info_put(out, sizeof(out), &used, &prev,
					 ":x:$DATA", 1, 1));
	assert_int_equal(smb_get_le32(out), 0); /* not linked on failure */
	assert_true(smb_stream_same(NULL, NULL));
	assert_false(smb_stream_same("a", NULL));
	assert_true(smb_stream_same("Ab", "aB"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream_io, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_stream_limit, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_stream_names, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_stream_dirs, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_stream_share_delete_rename,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_stream_base_rename_denied,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_stream_to_unnamed, h_setup,
						h_teardown),
		cmocka_unit_test(test_stream_info_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
