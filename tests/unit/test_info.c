// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for core/info.c: QUERY_INFO and SET_INFO through the wire. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

static struct h_client *with_file(void **state, u8 fid[16])
{
	struct h_client *c = h_client_new(*state);

	h_connect(c, SMB2_DIALECT_0311, "share");
	assert_int_equal(h_create(c, "sub", FILE_LIST_DIRECTORY, H_SHARE_ALL,
				  FILE_CREATE, FILE_DIRECTORY_FILE, fid),
			 STATUS_SUCCESS);
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	h_open_rw(c, "sub\\f.txt", FILE_CREATE, fid);
	assert_int_equal(h_write(c, fid, "0123456789", 10, 0), STATUS_SUCCESS);
	return c;
}

static u32 qfile(struct h_client *c, const u8 fid[16], u8 cls, u32 len,
		 const u8 **out, u32 *n)
{
	return h_query_info(c, fid, SMB2_0_INFO_FILE, cls, len, 0, out, n);
}

static void test_query_file_classes(void **state)
{
	u8 fid[16] = { 0 };
	struct h_client *c = with_file(state, fid);
	const u8 *o = NULL;
	u32 n = 0;
	char name[64];

	assert_int_equal(qfile(c, fid, FileBasicInformation, 40, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 40);
	assert_true(smb_get_le64(o + 16) != 0); /* LastWriteTime */
	assert_false(smb_get_le32(o + 32) & FILE_ATTRIBUTE_DIRECTORY);
	assert_int_equal(qfile(c, fid, FileStandardInformation, 24, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le64(o + 8), 10);
	assert_int_equal(smb_get_le32(o + 16), 1);
	assert_int_equal(o[20], 0);
	assert_int_equal(o[21], 0);
	assert_int_equal(qfile(c, fid, FileNameInformation, 100, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(o), 20);
	assert_true(smb_utf16_to_utf8(o + 4, 20, name, sizeof(name)) > 0);
	assert_string_equal(name, "\\sub\\f.txt");
	assert_int_equal(qfile(c, fid, FileAllInformation, 4096, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 100 + 20);
	/* Too small for the fixed part, and a name cut short. */
	assert_int_equal(qfile(c, fid, FileStandardInformation, 23, &o, &n),
			 STATUS_INFO_LENGTH_MISMATCH);
	assert_int_equal(smb_get_le16(h_rbody(c)), 9);
	assert_int_equal(qfile(c, fid, FileAllInformation, 104, &o, &n),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(n, 104);
	assert_int_equal(smb_get_le32(o + 96), 20);
	/* EAs need FILE_READ_EA, and there are none. */
	assert_int_equal(qfile(c, fid, FileFullEaInformation, 100, &o, &n),
			 STATUS_ACCESS_DENIED);
	{
		u8 ea[16] = { 0 };

		assert_int_equal(h_create(c, "sub\\f.txt", FILE_READ_EA,
					  H_SHARE_ALL, FILE_OPEN, 0, ea),
				 STATUS_SUCCESS);
		assert_int_equal(qfile(c, ea, FileFullEaInformation, 100, &o,
				       &n),
				 STATUS_NO_EAS_ON_FILE);
	}
	assert_int_equal(qfile(c, fid, 200, 100, &o, &n),
			 STATUS_INVALID_INFO_CLASS);
	h_client_free(c);
}

static void test_query_fs_and_security(void **state)
{
	u8 fid[16] = { 0 };
	struct h_client *c = with_file(state, fid);
	const u8 *o = NULL;
	u32 n = 0, need;
	char name[32];

	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILESYSTEM,
				      FileFsAttributeInformation, 100, 0, &o,
				      &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(o + 8), 8);
	assert_true(smb_utf16_to_utf8(o + 12, 8, name, sizeof(name)) > 0);
	assert_string_equal(name, "NTFS");
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILESYSTEM,
				      FileFsSizeInformation, 24, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 24);
	assert_true(smb_get_le64(o) > 0);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_QUOTA, 0, 100, 0, &o,
				      &n),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(h_query_info(c, fid, 9, 1, 100, 0, &o, &n),
			 STATUS_INVALID_PARAMETER);
	/* Security descriptor: the 4-byte size first, then the real thing. */
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_SECURITY, 0, 0,
				      OWNER_SECURITY_INFORMATION |
					      DACL_SECURITY_INFORMATION,
				      &o, &n),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(smb_get_le32(h_rbody(c) + 4), 4);
	need = smb_get_le32(h_rbody(c) + 8);
	assert_true(need > 20 && need < 1000);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_SECURITY, 0, need - 1,
				      OWNER_SECURITY_INFORMATION |
					      DACL_SECURITY_INFORMATION,
				      &o, &n),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_SECURITY, 0, need,
				      OWNER_SECURITY_INFORMATION |
					      DACL_SECURITY_INFORMATION,
				      &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, need);
	assert_int_equal(o[0], 1); /* Revision */
	assert_true(smb_get_le16(o + 2) & 0x8000); /* SE_SELF_RELATIVE */
	h_client_free(c);
}

static void test_query_access_and_malformed(void **state)
{
	u8 fid[16] = { 0 }, weak[16] = { 0 };
	struct h_client *c = with_file(state, fid);
	struct h_req r;

	assert_int_equal(h_create(c, "sub\\f.txt", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, weak),
			 STATUS_SUCCESS);
	assert_int_equal(qfile(c, weak, FileBasicInformation, 40, NULL, NULL),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_query_info(c, weak, SMB2_0_INFO_SECURITY, 0, 4096,
				      DACL_SECURITY_INFORMATION, NULL, NULL),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(qfile(c, fid, FileBasicInformation, c->max_trans + 1,
			       NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	h_build_query_info(c, &r, fid, SMB2_0_INFO_FILE, FileBasicInformation,
			   40, 0);
	h_set16(&r, H_BODY, 40);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_query_info(c, &r, fid, SMB2_0_INFO_FILE, FileBasicInformation,
			   40, 0);
	h_set16(&r, H_BODY + 8, 0x80); /* InputBufferOffset ... */
	h_set32(&r, H_BODY + 12, 0xffffff00u); /* ... and a huge length */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_query_info(c, &r, fid, SMB2_0_INFO_FILE, FileBasicInformation,
			   40, 0);
	r.len = H_BODY + 30;
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_client_free(c);
}

static void test_set_sizes_position_mode(void **state)
{
	u8 fid[16] = { 0 }, v[8];
	struct h_client *c = with_file(state, fid);
	const u8 *o = NULL;
	u32 n = 0;

	smb_put_le64(v, 100);
	assert_int_equal(h_set_info(c, fid, FileEndOfFileInformation, v, 8),
			 STATUS_SUCCESS);
	assert_int_equal(qfile(c, fid, FileStandardInformation, 24, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le64(o + 8), 100);
	smb_put_le64(v, 4);
	assert_int_equal(h_set_info(c, fid, FileAllocationInformation, v, 8),
			 STATUS_SUCCESS);
	assert_int_equal(qfile(c, fid, FileStandardInformation, 24, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le64(o + 8), 4);
	smb_put_le64(v, 0x8000000000000000ull);
	assert_int_equal(h_set_info(c, fid, FileEndOfFileInformation, v, 8),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_set_info(c, fid, FileEndOfFileInformation, v, 4),
			 STATUS_INFO_LENGTH_MISMATCH);
	smb_put_le64(v, 77);
	assert_int_equal(h_set_info(c, fid, FilePositionInformation, v, 8),
			 STATUS_SUCCESS);
	assert_int_equal(qfile(c, fid, FilePositionInformation, 8, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le64(o), 77);
	smb_put_le32(v, FILE_SYNCHRONOUS_IO_NONALERT);
	assert_int_equal(h_set_info(c, fid, FileModeInformation, v, 4),
			 STATUS_SUCCESS);
	assert_int_equal(qfile(c, fid, FileModeInformation, 4, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(o), FILE_SYNCHRONOUS_IO_NONALERT);
	/* Classes that are not settable here. */
	assert_int_equal(h_set_info(c, fid, FileLinkInformation, v, 8),
			 STATUS_NOT_SUPPORTED);
	/* No FILE_WRITE_EA on this handle. */
	assert_int_equal(h_set_info(c, fid, FileFullEaInformation, v, 8),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_set_info(c, fid, 200, v, 8),
			 STATUS_INVALID_INFO_CLASS);
	h_client_free(c);
}

static void test_rename(void **state)
{
	u8 fid[16] = { 0 }, other[16] = { 0 }, root[16] = { 0 };
	struct h_client *c = with_file(state, fid);
	const u8 *o = NULL;
	u32 n = 0;
	char name[64];

	h_put_file(c->env, "taken", "t", 1);
	assert_int_equal(h_rename(c, fid, "moved.txt", false), STATUS_SUCCESS);
	assert_true(h_exists(c->env->rw, "moved.txt"));
	assert_false(h_exists(c->env->rw, "sub/f.txt"));
	assert_int_equal(qfile(c, fid, FileNameInformation, 100, &o, &n),
			 STATUS_SUCCESS);
	assert_true(smb_utf16_to_utf8(o + 4, smb_get_le32(o), name,
				      sizeof(name)) > 0);
	assert_string_equal(name, "\\moved.txt");
	assert_int_equal(h_rename(c, fid, "taken", false),
			 STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(h_rename(c, fid, "\\taken", true), STATUS_SUCCESS);
	assert_false(h_exists(c->env->rw, "moved.txt"));
	assert_int_equal(h_rename(c, fid, "..\\escape", false),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(h_rename(c, fid, "sub\\..\\..\\x", false),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(h_rename(c, fid, "a*b", false),
			 STATUS_OBJECT_NAME_INVALID);
	/* A zero-length name and a short buffer. */
	{
		u8 buf[24] = { 0 };

		assert_int_equal(h_set_info(c, fid, FileRenameInformation, buf,
					    24),
				 STATUS_INVALID_PARAMETER);
		assert_int_equal(h_set_info(c, fid, FileRenameInformation, buf,
					    10),
				 STATUS_INFO_LENGTH_MISMATCH);
		smb_put_le32(buf + 16, 0xfffffff0u); /* name past the end */
		assert_int_equal(h_set_info(c, fid, FileRenameInformation, buf,
					    24),
				 STATUS_INVALID_PARAMETER);
	}
	/* Without DELETE access; and the root cannot move. */
	assert_int_equal(h_create(c, "taken", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, other),
			 STATUS_SUCCESS);
	assert_int_equal(h_rename(c, other, "x", false), STATUS_ACCESS_DENIED);
	assert_int_equal(h_create(c, "", FILE_READ_ATTRIBUTES | DELETE,
				  H_SHARE_ALL, FILE_OPEN, 0, root),
			 STATUS_SUCCESS);
	assert_int_equal(h_rename(c, root, "x", false), STATUS_ACCESS_DENIED);
	h_client_free(c);
}

/*
 * An open of the parent directory with DELETE access and without
 * FILE_SHARE_DELETE blocks renaming its entries, whatever the renaming
 * handle shares (smb2.oplock.batch20); once it is closed they move.
 */
static void test_rename_parent_open(void **state)
{
	struct h_env *e = *state;
	struct h_client *c = h_client_new(e);
	u8 dir[16], locked[16], shared[16];
	char path[sizeof(e->rw) + 4];

	h_login(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	h_tree_connect(c, "share");
	snprintf(path, sizeof(path), "%s/d", e->rw);
	assert_int_equal(mkdir(path, 0755), 0);
	h_put_file(e, "d/a.txt", "a", 1);
	h_put_file(e, "d/b.txt", "b", 1);
	assert_int_equal(h_create(c, "d", FILE_LIST_DIRECTORY | DELETE,
				  FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
				  FILE_DIRECTORY_FILE, dir),
			 STATUS_SUCCESS);
	assert_int_equal(h_create(c, "d\\a.txt", FILE_READ_DATA | DELETE, 0,
				  FILE_OPEN, 0, locked),
			 STATUS_SUCCESS);
	assert_int_equal(h_rename(c, locked, "d\\a2.txt", false),
			 STATUS_SHARING_VIOLATION);
	assert_int_equal(h_create(c, "d\\b.txt", FILE_READ_DATA | DELETE,
				  H_SHARE_ALL, FILE_OPEN, 0, shared),
			 STATUS_SUCCESS);
	assert_int_equal(h_rename(c, shared, "d\\b2.txt", false),
			 STATUS_SHARING_VIOLATION);
	assert_int_equal(h_close(c, dir), STATUS_SUCCESS);
	assert_int_equal(h_rename(c, locked, "d\\a2.txt", false),
			 STATUS_SUCCESS);
	assert_int_equal(h_rename(c, shared, "d\\b2.txt", false),
			 STATUS_SUCCESS);
	assert_true(h_exists(e->rw, "d/b2.txt"));
	h_client_free(c);
}

static void test_set_malformed_and_read_only(void **state)
{
	u8 fid[16] = { 0 }, v[8] = { 0 };
	struct h_client *c = with_file(state, fid);
	struct h_req r;

	h_build_set_info(c, &r, fid, SMB2_0_INFO_FILE, FilePositionInformation,
			 v, 8);
	h_set16(&r, H_BODY, 32);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_set_info(c, &r, fid, SMB2_0_INFO_FILE, FilePositionInformation,
			 v, 8);
	h_set32(&r, H_BODY + 4, 0xfffffff0u); /* BufferLength */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_set_info(c, &r, fid, SMB2_0_INFO_FILE, FilePositionInformation,
			 v, 8);
	h_set16(&r, H_BODY + 8, 0xff00); /* BufferOffset */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_set_info(c, &r, fid, SMB2_0_INFO_FILESYSTEM, 2, v, 8);
	assert_int_equal(h_call(c, &r), STATUS_NOT_SUPPORTED);
	/* Security: the handle lacks WRITE_DAC (test_security.c has more). */
	h_build_set_info(c, &r, fid, SMB2_0_INFO_SECURITY, 0, v, 8);
	h_set32(&r, H_BODY + 12, DACL_SECURITY_INFORMATION);
	assert_int_equal(h_call(c, &r), STATUS_ACCESS_DENIED);
	h_build_set_info(c, &r, fid, 7, 0, v, 8);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_client_free(c);

	/* A read-only share refuses changes but position and mode. */
	c = h_client_new(*state);
	h_put_file(c->env, "../ro/r", "r", 1);
	h_connect(c, SMB2_DIALECT_0300, "ro");
	assert_int_equal(h_create(c, "r", FILE_READ_DATA | FILE_READ_ATTRIBUTES,
				  H_SHARE_ALL, FILE_OPEN, 0, fid),
			 STATUS_SUCCESS);
	smb_put_le64(v, 0);
	assert_int_equal(h_set_info(c, fid, FileEndOfFileInformation, v, 8),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_set_info(c, fid, FileBasicInformation, v, 8),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_set_info(c, fid, FilePositionInformation, v, 8),
			 STATUS_SUCCESS);
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_query_file_classes),
		T(test_query_fs_and_security),
		T(test_query_access_and_malformed),
		T(test_set_sizes_position_mode),
		T(test_rename),
		T(test_rename_parent_open),
		T(test_set_malformed_and_read_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
