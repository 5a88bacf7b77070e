// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for core/dir.c: QUERY_DIRECTORY paging, patterns, restarts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

#define NFILES 30

static struct h_client *with_files(void **state, u8 dfid[16])
{
	struct h_client *c = h_client_new(*state);
	char name[32];

	for (int i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "file%02d.%s", i,
			 i % 3 ? "txt" : "dat");
		h_put_file(c->env, name, "x", 1);
	}
	h_connect(c, SMB2_DIALECT_0311, "share");
	assert_int_equal(
		h_create(c, "", FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
			 H_SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE, dfid),
		STATUS_SUCCESS);
	return c;
}

/* Collect every name over as many calls as it takes. */
static int list_all(struct h_client *c, const u8 dfid[16], u8 cls,
		    const char *pattern, u32 out_len, char names[][64], int max)
{
	int n = 0, calls = 0;
	u8 flags = SMB2_RESTART_SCANS;
	u32 st;

	while ((st = h_query_dir(c, dfid, cls, flags, pattern, out_len)) ==
	       STATUS_SUCCESS) {
		n += h_dir_names(c, cls, names + n, max - n);
		flags = 0;
		assert_true(++calls < 1000);
	}
	assert_int_equal(st, n ? STATUS_NO_MORE_FILES : STATUS_NO_SUCH_FILE);
	return n;
}

static bool has(char names[][64], int n, const char *want)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], want))
			return true;
	return false;
}

static void test_list_everything(void **state)
{
	static const u8 classes[] = { FileNamesInformation,
				      FileDirectoryInformation,
				      FileIdBothDirectoryInformation };
	u8 dfid[16] = { 0 };
	struct h_client *c = with_files(state, dfid);
	static char names[200][64];

	for (size_t k = 0; k < ARRAY_SIZE(classes); k++) {
		int n = list_all(c, dfid, classes[k], "*", 65536, names, 200);

		assert_int_equal(n, NFILES + 2);
		assert_true(has(names, n, "."));
		assert_true(has(names, n, ".."));
		assert_true(has(names, n, "file00.dat"));
		assert_true(has(names, n, "file29.txt"));
	}
	h_client_free(c);
}

/* A small OutputBufferLength: many calls, nothing lost or repeated. */
static void test_paging(void **state)
{
	u8 dfid[16] = { 0 };
	struct h_client *c = with_files(state, dfid);
	static char names[200][64];
	int n = list_all(c, dfid, FileNamesInformation, "*", 60, names, 200);

	assert_int_equal(n, NFILES + 2);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			assert_string_not_equal(names[i], names[j]);
	/* After the end: NO_MORE_FILES again, RESTART_SCANS starts over. */
	assert_int_equal(h_query_dir(c, dfid, FileNamesInformation, 0, "*",
				     4096),
			 STATUS_NO_MORE_FILES);
	assert_int_equal(h_query_dir(c, dfid, FileNamesInformation,
				     SMB2_RESTART_SCANS, "*", 4096),
			 STATUS_SUCCESS);
	/* A buffer too small for even one entry. */
	assert_int_equal(h_query_dir(c, dfid, FileNamesInformation,
				     SMB2_RESTART_SCANS, "*", 8),
			 STATUS_INFO_LENGTH_MISMATCH);
	/* ... which keeps the entry for the next call. */
	assert_int_equal(h_query_dir(c, dfid, FileNamesInformation, 0, "*",
				     4096),
			 STATUS_SUCCESS);
	h_client_free(c);
}

static void test_patterns(void **state)
{
	u8 dfid[16] = { 0 };
	struct h_client *c = with_files(state, dfid);
	static char names[200][64];
	int n;

	n = list_all(c, dfid, FileNamesInformation, "*.dat", 4096, names, 200);
	assert_int_equal(n, NFILES / 3);
	n = list_all(c, dfid, FileNamesInformation, "FILE1?.TXT", 4096, names,
		     200);
	assert_int_equal(n, 7); /* 10 11 13 14 16 17 19 */
	n = list_all(c, dfid, FileNamesInformation, "file07.txt", 4096, names,
		     200);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "file07.txt");
	/* Nothing matches on the first call: NO_SUCH_FILE. */
	n = list_all(c, dfid, FileNamesInformation, "*.none", 4096, names, 200);
	assert_int_equal(n, 0);
	/* SINGLE_ENTRY. */
	assert_int_equal(h_query_dir(c, dfid, FileNamesInformation,
				     SMB2_RESTART_SCANS |
					     SMB2_RETURN_SINGLE_ENTRY,
				     "*", 4096),
			 STATUS_SUCCESS);
	assert_int_equal(h_dir_names(c, FileNamesInformation, names, 200), 1);
	h_client_free(c);
}

static void test_bad_requests(void **state)
{
	u8 dfid[16] = { 0 }, ffid[16] = { 0 }, nol[16] = { 0 };
	struct h_client *c = with_files(state, dfid);
	struct h_req r;

	assert_int_equal(h_query_dir(c, dfid, FileNamesInformation, 0, "*", 0),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_query_dir(c, dfid, FileNamesInformation, 0, "*",
				     c->max_trans + 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_query_dir(c, dfid, 77, 0, "*", 4096),
			 STATUS_INVALID_INFO_CLASS);
	assert_int_equal(h_query_dir(c, dfid, FileBasicInformation, 0, "*",
				     4096),
			 STATUS_INVALID_INFO_CLASS);
	h_build_query_dir(c, &r, dfid, FileNamesInformation, 0, "*", 4096);
	h_set16(&r, H_BODY, 32);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_query_dir(c, &r, dfid, FileNamesInformation, 0, "*", 4096);
	h_set16(&r, H_BODY + 24, 0xff00); /* FileNameOffset */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_query_dir(c, &r, dfid, FileNamesInformation, 0, "*", 4096);
	h_set16(&r, H_BODY + 26, 0xfffe); /* FileNameLength */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_query_dir(c, &r, dfid, FileNamesInformation, 0, "*", 4096);
	r.len = H_BODY + 20;
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* On a file, and without LIST_DIRECTORY. */
	assert_int_equal(h_create(c, "file01.txt", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, ffid),
			 STATUS_SUCCESS);
	assert_int_equal(h_query_dir(c, ffid, FileNamesInformation, 0, "*",
				     4096),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_create(c, "", FILE_READ_ATTRIBUTES, H_SHARE_ALL,
				  FILE_OPEN, 0, nol),
			 STATUS_SUCCESS);
	assert_int_equal(h_query_dir(c, nol, FileNamesInformation, 0, "*",
				     4096),
			 STATUS_ACCESS_DENIED);
	/* An empty pattern means "*". */
	assert_int_equal(h_query_dir(c, dfid, FileNamesInformation,
				     SMB2_RESTART_SCANS, NULL, 65536),
			 STATUS_SUCCESS);
	{
		static char names[200][64];

		assert_int_equal(h_dir_names(c, FileNamesInformation, names,
					     200),
				 NFILES + 2);
	}
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_list_everything),
		T(test_paging),
		T(test_patterns),
		T(test_bad_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
