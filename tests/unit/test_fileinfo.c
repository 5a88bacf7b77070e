// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "platform.h"
#include "fileinfo.h"
#include "shortname.h"
#include "utf16.h"
#include "smb2.h"

#define CTIME 0x01d9000000000001ull
#define ATIME 0x01d9000000000002ull
#define MTIME 0x01d9000000000003ull
#define CHTIME 0x01d9000000000004ull
#define FILE_ID 0x1122334455667788ull
#define DEV 0xa1b2c3d4e5f60718ull
#define GUARD 0xa5

/* "héllo.txt" and its UTF-16LE form. */
static const char name_utf8[] = "h\xc3\xa9llo.txt";
static const u8 name_utf16[] = { 'h', 0,   0xe9, 0,   'l', 0,	'l', 0,	  'o',
				 0,   '.', 0,	 't', 0,   'x', 0,   't', 0 };

static struct smb_stat file_stat(void)
{
	struct smb_stat st = {
		.ino = 77,
		.dev = DEV,
		.size = 1000,
		.alloc_size = 4096,
		.nlink = 2,
		.mode = 0100754,
		.uid = 1000,
		.gid = 100,
		.creation_time = CTIME,
		.access_time = ATIME,
		.write_time = MTIME,
		.change_time = CHTIME,
		.attributes = FILE_ATTRIBUTE_ARCHIVE,
		.is_dir = false,
	};
	return st;
}

static struct smb_stat dir_stat(void)
{
	struct smb_stat st = file_stat();

	st.mode = 040755;
	st.size = 4096;
	st.is_dir = true;
	st.attributes = 0;
	return st;
}

static void check_times(const u8 *p)
{
	assert_int_equal(smb_get_le64(p), CTIME);
	assert_int_equal(smb_get_le64(p + 8), ATIME);
	assert_int_equal(smb_get_le64(p + 16), MTIME);
	assert_int_equal(smb_get_le64(p + 24), CHTIME);
}

static void check_zero(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], 0);
}

/* ShortNameLength, Reserved1, ShortName[24]: the 8.3 name, zero padded. */
static void check_short_name(const u8 *buf)
{
	char short_name[SMB_SHORT_NAME_MAX];
	u8 want[24];
	int n;

	memset(want, 0, sizeof(want));
	assert_true(smb_short_name(name_utf8, short_name) > 0);
	n = smb_utf8_to_utf16(short_name, want, sizeof(want));
	assert_true(n > 0);
	assert_int_equal(buf[68], n);
	assert_int_equal(buf[69], 0);
	assert_memory_equal(buf + 70, want, sizeof(want));
}

static void check_guard(const u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], GUARD);
}

/* ---- smb_stat_attributes -------------------------------------------- */

static void test_attributes(void **state)
{
	struct smb_stat st = file_stat();

	assert_int_equal(smb_stat_attributes(&st), FILE_ATTRIBUTE_ARCHIVE);
	st.attributes = 0;
	assert_int_equal(smb_stat_attributes(&st), FILE_ATTRIBUTE_NORMAL);
	st.attributes = FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_HIDDEN;
	assert_int_equal(smb_stat_attributes(&st), FILE_ATTRIBUTE_HIDDEN);
	st.attributes = FILE_ATTRIBUTE_DIRECTORY;
	assert_int_equal(smb_stat_attributes(&st), FILE_ATTRIBUTE_NORMAL);
	st = dir_stat();
	assert_int_equal(smb_stat_attributes(&st), FILE_ATTRIBUTE_DIRECTORY);
}

/* ---- directory entries ---------------------------------------------- */

struct dir_class {
	u8 cls;
	size_t fixed;
};

static const struct dir_class dir_classes[] = {
	{ FileDirectoryInformation, 64 },
	{ FileFullDirectoryInformation, 68 },
	{ FileBothDirectoryInformation, 94 },
	{ FileIdBothDirectoryInformation, 104 },
	{ FileIdFullDirectoryInformation, 80 },
	{ FileNamesInformation, 12 },
	{ FileIdExtdDirectoryInformation, 88 },
};

static void test_dirinfo_layouts(void **state)
{
	struct smb_stat st = file_stat();
	u8 buf[256];

	for (size_t i = 0; i < ARRAY_SIZE(dir_classes); i++) {
		u8 cls = dir_classes[i].cls;
		size_t fixed = dir_classes[i].fixed;
		int n;

		assert_true(smb_dirinfo_class_supported(cls));
		memset(buf, GUARD, sizeof(buf));
		n = smb_dirinfo_encode(cls, buf, sizeof(buf), &st, name_utf8,
				       FILE_ID, 0x1234);
		assert_int_equal(n, fixed + sizeof(name_utf16));
		assert_int_equal(smb_get_le32(buf), 0); /* NextEntryOffset */
		assert_int_equal(smb_get_le32(buf + 4), 0); /* FileIndex */
		assert_memory_equal(buf + fixed, name_utf16,
				    sizeof(name_utf16));
		check_guard(buf + n, sizeof(buf) - n);
		if (cls == FileNamesInformation) {
			assert_int_equal(smb_get_le32(buf + 8),
					 sizeof(name_utf16));
			continue;
		}
		check_times(buf + 8);
		assert_int_equal(smb_get_le64(buf + 40), 1000); /* EndOfFile */
		assert_int_equal(smb_get_le64(buf + 48), 4096); /* Allocation */
		assert_int_equal(smb_get_le32(buf + 56),
				 FILE_ATTRIBUTE_ARCHIVE);
		assert_int_equal(smb_get_le32(buf + 60), sizeof(name_utf16));
		switch (cls) {
		case FileDirectoryInformation:
			break;
		case FileFullDirectoryInformation:
			assert_int_equal(smb_get_le32(buf + 64), 0x1234);
			break;
		case FileBothDirectoryInformation:
			assert_int_equal(smb_get_le32(buf + 64), 0x1234);
			check_short_name(buf);
			break;
		case FileIdBothDirectoryInformation:
			assert_int_equal(smb_get_le32(buf + 64), 0x1234);
			check_short_name(buf);
			check_zero(buf + 94, 2); /* Reserved2 */
			assert_int_equal(smb_get_le64(buf + 96), FILE_ID);
			break;
		case FileIdFullDirectoryInformation:
			assert_int_equal(smb_get_le32(buf + 64), 0x1234);
			check_zero(buf + 68, 4); /* Reserved */
			assert_int_equal(smb_get_le64(buf + 72), FILE_ID);
			break;
		case FileIdExtdDirectoryInformation:
			assert_int_equal(smb_get_le32(buf + 64), 0x1234);
			check_zero(buf + 68, 4); /* ReparsePointTag */
			assert_int_equal(smb_get_le64(buf + 72), FILE_ID);
			check_zero(buf + 80, 8); /* high half of FileId */
			break;
		}
	}
}

static void test_dirinfo_directory(void **state)
{
	struct smb_stat st = dir_stat();
	u8 buf[128];
	int n;

	n = smb_dirinfo_encode(FileIdBothDirectoryInformation, buf, sizeof(buf),
			       &st, "..", 5, 0);
	assert_int_equal(n, 104 + 4);
	assert_int_equal(smb_get_le64(buf + 40), 0);
	assert_int_equal(smb_get_le64(buf + 48), 0);
	assert_int_equal(smb_get_le32(buf + 56), FILE_ATTRIBUTE_DIRECTORY);
	assert_memory_equal(buf + 104,
			    "."
			    "\0"
			    "."
			    "\0",
			    4);
}

static void test_dirinfo_limits(void **state)
{
	struct smb_stat st = file_stat();
	u8 buf[256];

	for (size_t i = 0; i < ARRAY_SIZE(dir_classes); i++) {
		u8 cls = dir_classes[i].cls;
		size_t need = dir_classes[i].fixed + sizeof(name_utf16);

		memset(buf, GUARD, sizeof(buf));
		assert_int_equal(smb_dirinfo_encode(cls, buf, need - 1, &st,
						    name_utf8, 1, 0),
				 -1);
		assert_int_equal(smb_dirinfo_encode(cls, buf, 0, &st, name_utf8,
						    1, 0),
				 -1);
		check_guard(buf, sizeof(buf));
		assert_int_equal(smb_dirinfo_encode(cls, buf, need, &st,
						    name_utf8, 1, 0),
				 (int)need);
		assert_int_equal(smb_dirinfo_encode(cls, buf, sizeof(buf), &st,
						    "", 1, 0),
				 -3);
		assert_int_equal(smb_dirinfo_encode(cls, buf, sizeof(buf), &st,
						    "bad\xc3", 1, 0),
				 -3);
		assert_int_equal(smb_dirinfo_encode(cls, buf, sizeof(buf), &st,
						    NULL, 1, 0),
				 -3);
	}
	assert_false(smb_dirinfo_class_supported(FileBasicInformation));
	assert_false(smb_dirinfo_class_supported(0));
	assert_false(smb_dirinfo_class_supported(255));
	assert_int_equal(smb_dirinfo_encode(FileBasicInformation, buf,
					    sizeof(buf), &st, "a", 1, 0),
			 -2);
}

/* A supplementary-plane name takes a surrogate pair. */
static void test_dirinfo_surrogates(void **state)
{
	static const u8 want[] = { 'a', 0, 0x3d, 0xd8, 0x00, 0xde };
	struct smb_stat st = file_stat();
	u8 buf[64];

	assert_int_equal(smb_dirinfo_encode(FileNamesInformation, buf,
					    sizeof(buf), &st,
					    "a\xf0\x9f\x98\x80", 1, 0),
			 12 + 6);
	assert_int_equal(smb_get_le32(buf + 8), 6);
	assert_memory_equal(buf + 12, want, sizeof(want));
}

/* ---- file information ------------------------------------------------ */

static struct smb_fileinfo_ctx file_ctx(const struct smb_stat *st)
{
	struct smb_fileinfo_ctx c = {
		.st = st,
		.name_utf8 = "\\dir\\h\xc3\xa9llo.txt",
		.file_id = FILE_ID,
		.access_mask = FILE_GENERIC_READ,
		.position = 0x55,
		.mode = FILE_SYNCHRONOUS_IO_NONALERT,
		.delete_pending = true,
		.ea_size = 0x40,
		.is_pipe = false,
	};
	return c;
}

/* "\dir\héllo.txt" */
static const u8 path_utf16[] = { '\\', 0, 'd',	0, 'i', 0, 'r', 0, '\\', 0,
				 'h',  0, 0xe9, 0, 'l', 0, 'l', 0, 'o',	 0,
				 '.',  0, 't',	0, 'x', 0, 't', 0 };

static u32 query(u8 cls, const struct smb_fileinfo_ctx *c, u8 *buf,
		 size_t avail, size_t *written)
{
	memset(buf, GUARD, 512);
	return smb_fileinfo_encode(cls, c, buf, avail, written);
}

static void test_fileinfo_fixed_classes(void **state)
{
	struct smb_stat st = file_stat();
	struct smb_fileinfo_ctx c = file_ctx(&st);
	u8 buf[512];
	size_t w;

	assert_int_equal(query(FileBasicInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 40);
	check_times(buf);
	assert_int_equal(smb_get_le32(buf + 32), FILE_ATTRIBUTE_ARCHIVE);
	check_zero(buf + 36, 4);
	check_guard(buf + 40, 8);

	assert_int_equal(query(FileStandardInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 24);
	assert_int_equal(smb_get_le64(buf), 4096);
	assert_int_equal(smb_get_le64(buf + 8), 1000);
	/* two links, one of them about to go: delete is pending */
	assert_int_equal(smb_get_le32(buf + 16), 1);
	assert_int_equal(buf[20], 1); /* DeletePending */
	assert_int_equal(buf[21], 0); /* Directory */
	check_zero(buf + 22, 2);

	assert_int_equal(query(FileInternalInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 8);
	assert_int_equal(smb_get_le64(buf), FILE_ID);

	assert_int_equal(query(FileEaInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 4);
	assert_int_equal(smb_get_le32(buf), 0x40);

	assert_int_equal(query(FileAccessInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 4);
	assert_int_equal(smb_get_le32(buf), FILE_GENERIC_READ);

	assert_int_equal(query(FilePositionInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 8);
	assert_int_equal(smb_get_le64(buf), 0x55);

	assert_int_equal(query(FileModeInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 4);
	assert_int_equal(smb_get_le32(buf), FILE_SYNCHRONOUS_IO_NONALERT);

	assert_int_equal(query(FileAlignmentInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 4);
	assert_int_equal(smb_get_le32(buf), 0);

	assert_int_equal(query(FileNetworkOpenInformation, &c, buf, 512, &w),
			 0);
	assert_int_equal(w, 56);
	check_times(buf);
	assert_int_equal(smb_get_le64(buf + 32), 4096); /* AllocationSize */
	assert_int_equal(smb_get_le64(buf + 40), 1000); /* EndOfFile */
	assert_int_equal(smb_get_le32(buf + 48), FILE_ATTRIBUTE_ARCHIVE);
	check_zero(buf + 52, 4);

	assert_int_equal(query(FileAttributeTagInformation, &c, buf, 512, &w),
			 0);
	assert_int_equal(w, 8);
	assert_int_equal(smb_get_le32(buf), FILE_ATTRIBUTE_ARCHIVE);
	assert_int_equal(smb_get_le32(buf + 4), 0); /* ReparseTag */

	assert_int_equal(query(FileCompressionInformation, &c, buf, 512, &w),
			 0);
	assert_int_equal(w, 16);
	assert_int_equal(smb_get_le64(buf), 1000);
	check_zero(buf + 8, 8); /* format NONE, shifts, reserved */

	assert_int_equal(query(FileIdInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 24);
	assert_int_equal(smb_get_le64(buf), DEV);
	assert_int_equal(smb_get_le64(buf + 8), FILE_ID);
	check_zero(buf + 16, 8);
	check_guard(buf + 24, 8);
}

static void test_fileinfo_directory(void **state)
{
	struct smb_stat st = dir_stat();
	struct smb_fileinfo_ctx c = file_ctx(&st);
	u8 buf[512];
	size_t w;

	c.delete_pending = false;
	assert_int_equal(query(FileStandardInformation, &c, buf, 512, &w), 0);
	assert_int_equal(smb_get_le64(buf), 0);
	assert_int_equal(smb_get_le64(buf + 8), 0);
	assert_int_equal(buf[20], 0);
	assert_int_equal(buf[21], 1);
	assert_int_equal(query(FileBasicInformation, &c, buf, 512, &w), 0);
	assert_int_equal(smb_get_le32(buf + 32), FILE_ATTRIBUTE_DIRECTORY);
	/* No data stream on a directory: an empty, successful answer. */
	assert_int_equal(query(FileStreamInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 0);
}

static void test_fileinfo_all(void **state)
{
	struct smb_stat st = file_stat();
	struct smb_fileinfo_ctx c = file_ctx(&st);
	u8 buf[512];
	size_t w;

	assert_int_equal(query(FileAllInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 100 + sizeof(path_utf16));
	check_times(buf);
	assert_int_equal(smb_get_le32(buf + 32), FILE_ATTRIBUTE_ARCHIVE);
	assert_int_equal(smb_get_le64(buf + 40), 4096);
	assert_int_equal(smb_get_le64(buf + 48), 1000);
	assert_int_equal(smb_get_le32(buf + 56), 1); /* delete pending */
	assert_int_equal(buf[60], 1);
	assert_int_equal(buf[61], 0);
	assert_int_equal(smb_get_le64(buf + 64), FILE_ID);
	assert_int_equal(smb_get_le32(buf + 72), 0x40);
	assert_int_equal(smb_get_le32(buf + 76), FILE_GENERIC_READ);
	assert_int_equal(smb_get_le64(buf + 80), 0x55);
	assert_int_equal(smb_get_le32(buf + 88), FILE_SYNCHRONOUS_IO_NONALERT);
	assert_int_equal(smb_get_le32(buf + 92), 0);
	assert_int_equal(smb_get_le32(buf + 96), sizeof(path_utf16));
	assert_memory_equal(buf + 100, path_utf16, sizeof(path_utf16));
	check_guard(buf + w, 8);

	/* sizeof(FILE_ALL_INFORMATION) only: overflow, full length kept. */
	assert_int_equal(query(FileAllInformation, &c, buf, 104, &w),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(w, 104);
	assert_int_equal(smb_get_le32(buf + 96), sizeof(path_utf16));
	check_guard(buf + 104, 8);
	/* Below it, as Windows checks: a length mismatch. */
	assert_int_equal(query(FileAllInformation, &c, buf, 103, &w),
			 STATUS_INFO_LENGTH_MISMATCH);

	/* Part of the name. */
	assert_int_equal(query(FileAllInformation, &c, buf, 107, &w),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(w, 107);
	assert_memory_equal(buf + 100, path_utf16, 7);
	check_guard(buf + 107, 8);

	assert_int_equal(query(FileAllInformation, &c, buf, 99, &w),
			 STATUS_INFO_LENGTH_MISMATCH);
	assert_int_equal(w, 0);
	check_guard(buf, 100);
}

static void test_fileinfo_names(void **state)
{
	struct smb_stat st = file_stat();
	struct smb_fileinfo_ctx c = file_ctx(&st);
	u8 buf[512];
	size_t w;

	assert_int_equal(query(FileNameInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 4 + sizeof(path_utf16));
	assert_int_equal(smb_get_le32(buf), sizeof(path_utf16));
	assert_memory_equal(buf + 4, path_utf16, sizeof(path_utf16));

	/* Exactly the right size is not an overflow. */
	assert_int_equal(query(FileNameInformation, &c, buf,
			       4 + sizeof(path_utf16), &w),
			 0);

	assert_int_equal(query(FileNameInformation, &c, buf, 9, &w),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(w, 9);
	assert_int_equal(smb_get_le32(buf), sizeof(path_utf16));
	assert_memory_equal(buf + 4, path_utf16, 5);
	check_guard(buf + 9, 8);

	assert_int_equal(query(FileNameInformation, &c, buf, 4, &w),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(w, 4);

	/* The normalized name has no leading backslash. */
	assert_int_equal(query(FileNormalizedNameInformation, &c, buf, 512, &w),
			 0);
	assert_int_equal(w, 4 + sizeof(path_utf16) - 2);
	assert_int_equal(smb_get_le32(buf), sizeof(path_utf16) - 2);
	assert_memory_equal(buf + 4, path_utf16 + 2, sizeof(path_utf16) - 2);

	/* The share root. */
	c.name_utf8 = "\\";
	assert_int_equal(query(FileNameInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 6);
	assert_int_equal(smb_get_le32(buf), 2);
	assert_int_equal(query(FileNormalizedNameInformation, &c, buf, 512, &w),
			 0);
	assert_int_equal(w, 4);
	assert_int_equal(smb_get_le32(buf), 0);

	/* [MS-FSA] copies bytes: a cut may split a surrogate pair. */
	c.name_utf8 = "\\\xf0\x9f\x98\x80";
	assert_int_equal(query(FileNameInformation, &c, buf, 7, &w),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(w, 7);
	assert_int_equal(smb_get_le32(buf), 6);
	assert_memory_equal(buf + 4, "\\\0\x3d", 3);
	check_guard(buf + 7, 4);

	c.name_utf8 = "\\bad\xff";
	assert_int_equal(query(FileNameInformation, &c, buf, 512, &w),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(w, 0);
	assert_int_equal(query(FileAllInformation, &c, buf, 512, &w),
			 STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(w, 0);

	/* No 8.3 names here. */
	assert_int_equal(query(FileAlternateNameInformation, &c, buf, 512, &w),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(w, 0);
}

static void test_fileinfo_streams(void **state)
{
	static const u8 data[] = { ':', 0,   ':', 0,   '$', 0,	 'D',
				   0,	'A', 0,	  'T', 0,   'A', 0 };
	struct smb_stat st = file_stat();
	struct smb_fileinfo_ctx c = file_ctx(&st);
	u8 buf[512];
	size_t w;

	assert_int_equal(query(FileStreamInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 24 + 14);
	assert_int_equal(smb_get_le32(buf), 0);
	assert_int_equal(smb_get_le32(buf + 4), 14);
	assert_int_equal(smb_get_le64(buf + 8), 1000);
	assert_int_equal(smb_get_le64(buf + 16), 4096);
	assert_memory_equal(buf + 24, data, sizeof(data));
	check_guard(buf + 38, 8);

	/* An entry that does not fit is left out entirely. */
	assert_int_equal(query(FileStreamInformation, &c, buf, 37, &w),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(w, 0);
	assert_int_equal(query(FileStreamInformation, &c, buf, 23, &w),
			 STATUS_INFO_LENGTH_MISMATCH);
}

static void test_fileinfo_pipes(void **state)
{
	struct smb_stat st = file_stat();
	struct smb_fileinfo_ctx c = file_ctx(&st);
	u8 buf[512];
	size_t w;

	assert_int_equal(query(FilePipeInformation, &c, buf, 512, &w),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(query(FilePipeLocalInformation, &c, buf, 512, &w),
			 STATUS_INVALID_PARAMETER);
	c.is_pipe = true;
	assert_int_equal(query(FilePipeInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 8);
	assert_int_equal(smb_get_le32(buf), FILE_PIPE_MESSAGE_MODE);
	assert_int_equal(smb_get_le32(buf + 4), FILE_PIPE_QUEUE_OPERATION);
	assert_int_equal(query(FilePipeLocalInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 40);
	assert_int_equal(smb_get_le32(buf), FILE_PIPE_MESSAGE_TYPE);
	assert_int_equal(smb_get_le32(buf + 4), FILE_PIPE_FULL_DUPLEX);
	assert_int_equal(smb_get_le32(buf + 32), FILE_PIPE_CONNECTED_STATE);
	assert_int_equal(smb_get_le32(buf + 36), FILE_PIPE_CLIENT_END);
	assert_int_equal(query(FilePipeLocalInformation, &c, buf, 39, &w),
			 STATUS_INFO_LENGTH_MISMATCH);
	/* Pipes have no data streams. */
	assert_int_equal(query(FileStreamInformation, &c, buf, 512, &w), 0);
	assert_int_equal(w, 0);
}

/* Every class rejects a buffer below its fixed size and writes nothing. */
static void test_fileinfo_too_small(void **state)
{
	static const struct {
		u8 cls;
		size_t fixed;
	} t[] = {
		{ FileBasicInformation, 40 },
		{ FileStandardInformation, 24 },
		{ FileInternalInformation, 8 },
		{ FileEaInformation, 4 },
		{ FileAccessInformation, 4 },
		{ FileNameInformation, 4 },
		{ FilePositionInformation, 8 },
		{ FileModeInformation, 4 },
		{ FileAlignmentInformation, 4 },
		{ FileAllInformation, 100 },
		{ FileAlternateNameInformation, 4 },
		{ FileStreamInformation, 24 },
		{ FilePipeInformation, 8 },
		{ FilePipeLocalInformation, 40 },
		{ FileCompressionInformation, 16 },
		{ FileNetworkOpenInformation, 56 },
		{ FileAttributeTagInformation, 8 },
		{ FileNormalizedNameInformation, 4 },
		{ FileIdInformation, 24 },
	};
	struct smb_stat st = file_stat();
	struct smb_fileinfo_ctx c = file_ctx(&st);
	u8 buf[512];
	size_t w;

	c.is_pipe = true;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		w = 99;
		assert_int_equal(query(t[i].cls, &c, buf, t[i].fixed - 1, &w),
				 STATUS_INFO_LENGTH_MISMATCH);
		assert_int_equal(w, 0);
		check_guard(buf, t[i].fixed);
		assert_int_equal(query(t[i].cls, &c, buf, 0, &w),
				 STATUS_INFO_LENGTH_MISMATCH);
	}
}

static void test_fileinfo_bad_classes(void **state)
{
	struct smb_stat st = file_stat();
	struct smb_fileinfo_ctx c = file_ctx(&st);
	u8 buf[512];
	size_t w;

	/* Documented query classes we do not serve. */
	assert_int_equal(query(FileDirectoryInformation, &c, buf, 512, &w),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(query(FileIdBothDirectoryInformation, &c, buf, 512,
			       &w),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(query(FileFullEaInformation, &c, buf, 512, &w),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(query(FilePipeRemoteInformation, &c, buf, 512, &w),
			 STATUS_NOT_SUPPORTED);
	/* Set-only classes and undefined ones. */
	assert_int_equal(query(FileRenameInformation, &c, buf, 512, &w),
			 STATUS_INVALID_INFO_CLASS);
	assert_int_equal(query(FileDispositionInformation, &c, buf, 512, &w),
			 STATUS_INVALID_INFO_CLASS);
	assert_int_equal(query(FileEndOfFileInformation, &c, buf, 512, &w),
			 STATUS_INVALID_INFO_CLASS);
	assert_int_equal(query(0, &c, buf, 512, &w), STATUS_INVALID_INFO_CLASS);
	assert_int_equal(query(200, &c, buf, 512, &w),
			 STATUS_INVALID_INFO_CLASS);
	assert_int_equal(w, 0);
	check_guard(buf, 512);
}

/* ---- file system information ----------------------------------------- */

static const struct smb_vfs_statfs test_statfs = {
	.total_units = 1000000,
	.free_units = 600000,
	.avail_units = 500000,
	.sectors_per_unit = 8,
	.bytes_per_sector = 512,
	.max_name_len = 255,
	.fsid = 0x0102030405060708ull,
};

static struct smb_fsinfo_ctx fs_ctx(void)
{
	struct smb_fsinfo_ctx c = {
		.fs = &test_statfs,
		.volume_creation_time = CTIME,
		.serial = 0xdeadbeef,
		.volume_label = "D\xc3\xa4ta", /* "Däta" */
		.fs_name = NULL,
		.fs_attributes = SMB_FS_ATTRIBUTES_DEFAULT,
		.max_name_len = 0,
	};
	return c;
}

static u32 fsquery(u8 cls, const struct smb_fsinfo_ctx *c, u8 *buf,
		   size_t avail, size_t *written)
{
	memset(buf, GUARD, 256);
	return smb_fsinfo_encode(cls, c, buf, avail, written);
}

static void test_fsinfo_classes(void **state)
{
	static const u8 label[] = { 'D', 0, 0xe4, 0, 't', 0, 'a', 0 };
	static const u8 ntfs[] = { 'N', 0, 'T', 0, 'F', 0, 'S', 0 };
	struct smb_fsinfo_ctx c = fs_ctx();
	u8 buf[256];
	size_t w;

	assert_int_equal(fsquery(FileFsVolumeInformation, &c, buf, 256, &w), 0);
	assert_int_equal(w, 18 + 8);
	assert_int_equal(smb_get_le64(buf), CTIME);
	assert_int_equal(smb_get_le32(buf + 8), 0xdeadbeef);
	assert_int_equal(smb_get_le32(buf + 12), 8);
	assert_int_equal(buf[16], 0); /* SupportsObjects */
	assert_int_equal(buf[17], 0);
	assert_memory_equal(buf + 18, label, 8);
	check_guard(buf + 26, 8);

	assert_int_equal(fsquery(FileFsSizeInformation, &c, buf, 256, &w), 0);
	assert_int_equal(w, 24);
	assert_int_equal(smb_get_le64(buf), 1000000);
	assert_int_equal(smb_get_le64(buf + 8), 500000);
	assert_int_equal(smb_get_le32(buf + 16), 8);
	assert_int_equal(smb_get_le32(buf + 20), 512);

	assert_int_equal(fsquery(FileFsDeviceInformation, &c, buf, 256, &w), 0);
	assert_int_equal(w, 8);
	assert_int_equal(smb_get_le32(buf), FILE_DEVICE_DISK);
	assert_int_equal(smb_get_le32(buf + 4), FILE_DEVICE_IS_MOUNTED);

	assert_int_equal(fsquery(FileFsAttributeInformation, &c, buf, 256, &w),
			 0);
	assert_int_equal(w, 12 + 8);
	assert_int_equal(smb_get_le32(buf), SMB_FS_ATTRIBUTES_DEFAULT);
	assert_int_equal(smb_get_le32(buf + 4), 255);
	assert_int_equal(smb_get_le32(buf + 8), 8);
	assert_memory_equal(buf + 12, ntfs, 8);

	assert_int_equal(fsquery(FileFsFullSizeInformation, &c, buf, 256, &w),
			 0);
	assert_int_equal(w, 32);
	assert_int_equal(smb_get_le64(buf), 1000000);
	assert_int_equal(smb_get_le64(buf + 8), 500000); /* caller avail */
	assert_int_equal(smb_get_le64(buf + 16), 600000); /* actual free */
	assert_int_equal(smb_get_le32(buf + 24), 8);
	assert_int_equal(smb_get_le32(buf + 28), 512);

	assert_int_equal(fsquery(FileFsObjectIdInformation, &c, buf, 256, &w),
			 0);
	assert_int_equal(w, 64);
	assert_int_equal(smb_get_le64(buf), 0x0102030405060708ull);
	check_zero(buf + 8, 56);

	assert_int_equal(fsquery(FileFsSectorSizeInformation, &c, buf, 256, &w),
			 0);
	assert_int_equal(w, 28);
	for (int i = 0; i < 4; i++)
		assert_int_equal(smb_get_le32(buf + 4 * i), 512);
	assert_int_equal(smb_get_le32(buf + 16),
			 SSINFO_FLAGS_ALIGNED_DEVICE |
				 SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE);
	assert_int_equal(smb_get_le32(buf + 20), 0);
	assert_int_equal(smb_get_le32(buf + 24), 0);
	check_guard(buf + 28, 8);
}

static void test_fsinfo_names_and_defaults(void **state)
{
	struct smb_vfs_statfs zero = { 0 };
	struct smb_fsinfo_ctx c = fs_ctx();
	u8 buf[256];
	size_t w;

	/* Label cut to fit: overflow, full length in the length field.  The
	 * smallest buffers accepted are Windows' structure sizes, 24 and 16.
	 */
	c.volume_label = "a long volume label";
	assert_int_equal(fsquery(FileFsVolumeInformation, &c, buf, 23, &w),
			 STATUS_INFO_LENGTH_MISMATCH);
	assert_int_equal(fsquery(FileFsVolumeInformation, &c, buf, 25, &w),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(w, 25);
	assert_int_equal(smb_get_le32(buf + 12), 38);
	check_guard(buf + 25, 4);
	assert_int_equal(fsquery(FileFsAttributeInformation, &c, buf, 15, &w),
			 STATUS_INFO_LENGTH_MISMATCH);
	c.fs_name = "a long fs name";
	assert_int_equal(fsquery(FileFsAttributeInformation, &c, buf, 17, &w),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(w, 17);
	assert_int_equal(smb_get_le32(buf + 8), 28);

	c.volume_label = NULL;
	c.fs_name = "ext4";
	c.max_name_len = 1024;
	assert_int_equal(fsquery(FileFsVolumeInformation, &c, buf, 256, &w), 0);
	assert_int_equal(w, 18);
	assert_int_equal(smb_get_le32(buf + 12), 0);
	assert_int_equal(fsquery(FileFsAttributeInformation, &c, buf, 256, &w),
			 0);
	assert_int_equal(smb_get_le32(buf + 4), 1024);
	assert_memory_equal(buf + 12,
			    "e\0x\0t\0"
			    "4\0",
			    8);

	/* A backend reporting zeros must not make clients divide by zero. */
	c.fs = &zero;
	c.max_name_len = 0;
	assert_int_equal(fsquery(FileFsSizeInformation, &c, buf, 256, &w), 0);
	assert_int_equal(smb_get_le32(buf + 16), 1);
	assert_int_equal(smb_get_le32(buf + 20), 512);
	assert_int_equal(fsquery(FileFsAttributeInformation, &c, buf, 256, &w),
			 0);
	assert_int_equal(smb_get_le32(buf + 4), 255);
}

static void test_fsinfo_errors(void **state)
{
	static const struct {
		u8 cls;
		size_t fixed;
	} t[] = {
		{ FileFsVolumeInformation, 24 },
		{ FileFsSizeInformation, 24 },
		{ FileFsDeviceInformation, 8 },
		{ FileFsAttributeInformation, 16 },
		{ FileFsControlInformation, 48 },
		{ FileFsFullSizeInformation, 32 },
		{ FileFsObjectIdInformation, 64 },
		{ FileFsSectorSizeInformation, 28 },
	};
	struct smb_fsinfo_ctx c = fs_ctx();
	u8 buf[256];
	size_t w;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		w = 99;
		assert_int_equal(fsquery(t[i].cls, &c, buf, t[i].fixed - 1, &w),
				 STATUS_INFO_LENGTH_MISMATCH);
		assert_int_equal(w, 0);
		check_guard(buf, t[i].fixed);
		assert_int_equal(fsquery(t[i].cls, &c, buf, 0, &w),
				 STATUS_INFO_LENGTH_MISMATCH);
	}
	/* No quotas: FileFsControlInformation is 48 zero bytes. */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(fsquery(FileFsControlInformation, &c, buf, 256, &w),
			 STATUS_SUCCESS);
	assert_int_equal(w, 48);
	check_zero(buf, 48);
	assert_int_equal(fsquery(FileFsLabelInformation, &c, buf, 256, &w),
			 STATUS_INVALID_INFO_CLASS);
	assert_int_equal(fsquery(FileFsDriverPathInformation, &c, buf, 256, &w),
			 STATUS_INVALID_INFO_CLASS);
	assert_int_equal(fsquery(0, &c, buf, 256, &w),
			 STATUS_INVALID_INFO_CLASS);
	assert_int_equal(fsquery(12, &c, buf, 256, &w),
			 STATUS_INVALID_INFO_CLASS);
	assert_int_equal(w, 0);
}


/* ---- SET_INFO parsers ------------------------------------------------- */

static void put_basic_in(u8 *p, s64 c, s64 a, s64 w, s64 ch, u32 attr)
{
	memset(p, 0, 40);
	smb_put_le64(p, (u64)c);
	smb_put_le64(p + 8, (u64)a);
	smb_put_le64(p + 16, (u64)w);
	smb_put_le64(p + 24, (u64)ch);
	smb_put_le32(p + 32, attr);
}

static void test_setinfo_basic(void **state)
{
	struct smb_vfs_setattr sa;
	u8 in[40];

	put_basic_in(in, CTIME, ATIME, MTIME, CHTIME, FILE_ATTRIBUTE_HIDDEN);
	assert_int_equal(smb_setinfo_parse_basic(in, 40, &sa), 0);
	assert_int_equal(sa.valid, SMB_VFS_SET_CREATION | SMB_VFS_SET_ACCESS |
					   SMB_VFS_SET_WRITE |
					   SMB_VFS_SET_CHANGE |
					   SMB_VFS_SET_ATTRIBUTES);
	assert_int_equal(sa.creation_time, CTIME);
	assert_int_equal(sa.access_time, ATIME);
	assert_int_equal(sa.write_time, MTIME);
	assert_int_equal(sa.change_time, CHTIME);
	assert_int_equal(sa.attributes, FILE_ATTRIBUTE_HIDDEN);

	/* 0, -1 and -2 all leave a time alone; attributes 0 too. */
	put_basic_in(in, 0, -1, -2, MTIME, 0);
	assert_int_equal(smb_setinfo_parse_basic(in, 64, &sa), 0);
	assert_int_equal(sa.valid, SMB_VFS_SET_CHANGE);
	assert_int_equal(sa.change_time, MTIME);

	/* The directory bit is passed on for the caller to judge. */
	put_basic_in(in, 0, 0, 0, 0, FILE_ATTRIBUTE_DIRECTORY);
	assert_int_equal(smb_setinfo_parse_basic(in, 40, &sa), 0);
	assert_int_equal(sa.valid, SMB_VFS_SET_ATTRIBUTES);
	assert_int_equal(sa.attributes, FILE_ATTRIBUTE_DIRECTORY);

	put_basic_in(in, 0, -3, 0, 0, 0);
	assert_int_equal(smb_setinfo_parse_basic(in, 40, &sa),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(sa.valid, 0);
	put_basic_in(in, 0, 0, 0, INT64_MIN, 0);
	assert_int_equal(smb_setinfo_parse_basic(in, 40, &sa),
			 STATUS_INVALID_PARAMETER);

	assert_int_equal(smb_setinfo_parse_basic(in, 39, &sa),
			 STATUS_INFO_LENGTH_MISMATCH);
	assert_int_equal(smb_setinfo_parse_basic(in, 0, &sa),
			 STATUS_INFO_LENGTH_MISMATCH);
}

static size_t put_rename_in(u8 *p, u8 replace, u64 root, u32 name_len,
			    const char *new_name, size_t name_bytes)
{
	size_t len = 20 + name_bytes;

	memset(p, 0xee, 64);
	p[0] = replace;
	smb_put_le64(p + 8, root);
	smb_put_le32(p + 16, name_len);
	memcpy(p + 20, new_name, name_bytes);
	return len < 24 ? 24 : len;
}

static void test_setinfo_rename(void **state)
{
	struct smb_rename_info ri;
	u8 in[64];
	size_t len;

	len = put_rename_in(in, 1, 0, 10, "n\0e\0w\0.\0t\0", 10);
	assert_int_equal(len, 30);
	assert_int_equal(smb_setinfo_parse_rename(in, len, &ri), 0);
	assert_true(ri.replace);
	assert_int_equal(ri.root_dir, 0);
	assert_int_equal(ri.name_len, 10);
	assert_ptr_equal(ri.name_utf16, in + 20);

	/* A one-character name arrives padded to 24 bytes. */
	len = put_rename_in(in, 0, 0, 2, "x\0", 2);
	assert_int_equal(len, 24);
	assert_int_equal(smb_setinfo_parse_rename(in, len, &ri), 0);
	assert_false(ri.replace);
	assert_int_equal(ri.name_len, 2);

	/* Short buffers. */
	assert_int_equal(smb_setinfo_parse_rename(in, 23, &ri),
			 STATUS_INFO_LENGTH_MISMATCH);
	assert_int_equal(smb_setinfo_parse_rename(in, 0, &ri),
			 STATUS_INFO_LENGTH_MISMATCH);

	/* Name length past the end, odd, zero, huge. */
	len = put_rename_in(in, 0, 0, 12, "n\0e\0w\0.\0t\0", 10);
	assert_int_equal(smb_setinfo_parse_rename(in, len, &ri),
			 STATUS_INVALID_PARAMETER);
	assert_null(ri.name_utf16);
	len = put_rename_in(in, 0, 0, 5, "n\0e\0w\0.\0t\0", 10);
	assert_int_equal(smb_setinfo_parse_rename(in, len, &ri),
			 STATUS_INVALID_PARAMETER);
	len = put_rename_in(in, 0, 0, 0, "", 0);
	assert_int_equal(smb_setinfo_parse_rename(in, len, &ri),
			 STATUS_INVALID_PARAMETER);
	len = put_rename_in(in, 0, 0, 0xfffffffe, "n\0e\0w\0.\0t\0", 10);
	assert_int_equal(smb_setinfo_parse_rename(in, len, &ri),
			 STATUS_INVALID_PARAMETER);
	len = put_rename_in(in, 0, 0, 0xffffffec, "n\0e\0w\0.\0t\0", 10);
	assert_int_equal(smb_setinfo_parse_rename(in, len, &ri),
			 STATUS_INVALID_PARAMETER);

	/* RootDirectory must be 0 over the network. */
	len = put_rename_in(in, 0, 7, 2, "x\0", 2);
	assert_int_equal(smb_setinfo_parse_rename(in, len, &ri),
			 STATUS_INVALID_PARAMETER);

	/* Link information shares the layout. */
	len = put_rename_in(in, 1, 0, 4, "l\0k\0", 4);
	assert_int_equal(smb_setinfo_parse_link(in, len, &ri), 0);
	assert_true(ri.replace);
	assert_int_equal(ri.name_len, 4);
	assert_int_equal(smb_setinfo_parse_link(in, 23, &ri),
			 STATUS_INFO_LENGTH_MISMATCH);
}

static void test_setinfo_small_classes(void **state)
{
	u8 in[8];
	bool del;
	u32 v32;
	u64 v64;

	in[0] = 1;
	assert_int_equal(smb_setinfo_parse_disposition(in, 1, &del), 0);
	assert_true(del);
	in[0] = 0;
	assert_int_equal(smb_setinfo_parse_disposition(in, 1, &del), 0);
	assert_false(del);
	assert_int_equal(smb_setinfo_parse_disposition(in, 0, &del),
			 STATUS_INFO_LENGTH_MISMATCH);

	smb_put_le32(in, FILE_DISPOSITION_DELETE |
				 FILE_DISPOSITION_POSIX_SEMANTICS);
	assert_int_equal(smb_setinfo_parse_disposition_ex(in, 4, &v32), 0);
	assert_int_equal(v32, 3);
	smb_put_le32(in, 0x20);
	assert_int_equal(smb_setinfo_parse_disposition_ex(in, 4, &v32),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(smb_setinfo_parse_disposition_ex(in, 3, &v32),
			 STATUS_INFO_LENGTH_MISMATCH);

	smb_put_le64(in, 0x7fffffffffffffffull);
	assert_int_equal(smb_setinfo_parse_eof(in, 8, &v64), 0);
	assert_int_equal(v64, 0x7fffffffffffffffull);
	assert_int_equal(smb_setinfo_parse_allocation(in, 8, &v64), 0);
	assert_int_equal(smb_setinfo_parse_position(in, 8, &v64), 0);
	smb_put_le64(in, 0x8000000000000000ull);
	assert_int_equal(smb_setinfo_parse_eof(in, 8, &v64),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(v64, 0);
	assert_int_equal(smb_setinfo_parse_allocation(in, 8, &v64),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(smb_setinfo_parse_position(in, 8, &v64),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(smb_setinfo_parse_eof(in, 7, &v64),
			 STATUS_INFO_LENGTH_MISMATCH);
	assert_int_equal(smb_setinfo_parse_allocation(in, 0, &v64),
			 STATUS_INFO_LENGTH_MISMATCH);
	assert_int_equal(smb_setinfo_parse_position(in, 4, &v64),
			 STATUS_INFO_LENGTH_MISMATCH);

	smb_put_le32(in, FILE_WRITE_THROUGH | FILE_SYNCHRONOUS_IO_NONALERT);
	assert_int_equal(smb_setinfo_parse_mode(in, 4, &v32), 0);
	assert_int_equal(v32,
			 FILE_WRITE_THROUGH | FILE_SYNCHRONOUS_IO_NONALERT);
	smb_put_le32(in, FILE_DELETE_ON_CLOSE);
	assert_int_equal(smb_setinfo_parse_mode(in, 4, &v32),
			 STATUS_INVALID_PARAMETER);
	smb_put_le32(in,
		     FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT);
	assert_int_equal(smb_setinfo_parse_mode(in, 4, &v32),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(smb_setinfo_parse_mode(in, 3, &v32),
			 STATUS_INFO_LENGTH_MISMATCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_dirinfo_layouts),
		cmocka_unit_test(test_dirinfo_directory),
		cmocka_unit_test(test_dirinfo_limits),
		cmocka_unit_test(test_dirinfo_surrogates),
		cmocka_unit_test(test_fileinfo_fixed_classes),
		cmocka_unit_test(test_fileinfo_directory),
		cmocka_unit_test(test_fileinfo_all),
		cmocka_unit_test(test_fileinfo_names),
		cmocka_unit_test(test_fileinfo_streams),
		cmocka_unit_test(test_fileinfo_pipes),
		cmocka_unit_test(test_fileinfo_too_small),
		cmocka_unit_test(test_fileinfo_bad_classes),
		cmocka_unit_test(test_fsinfo_classes),
		cmocka_unit_test(test_fsinfo_names_and_defaults),
		cmocka_unit_test(test_fsinfo_errors),
		cmocka_unit_test(test_setinfo_basic),
		cmocka_unit_test(test_setinfo_rename),
		cmocka_unit_test(test_setinfo_small_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
