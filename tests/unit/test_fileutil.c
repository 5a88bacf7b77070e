// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "platform.h"
#include "fileutil.h"
#include "tmpdir.h"

static void test_read_whole_file(void **state)
{
	char *dir = test_mkdtemp(), *path = test_path(dir, "f"), err[256];
	char big[10000], *buf;
	size_t len;

	/* Bigger than the first read buffer, with a NUL inside. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 251);
	test_write(path, big, sizeof(big));
	assert_int_equal(
		smbd_read_file(path, 1 << 20, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(buf, big, sizeof(big));
	assert_int_equal(buf[len], '\0');
	free(buf);

	test_write(path, "", 0);
	assert_int_equal(smbd_read_file(path, 10, &buf, &len, err, sizeof(err)),
			 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	free(path);
	test_rmdir(dir);
}

static void test_read_errors(void **state)
{
	char *dir = test_mkdtemp(), *path = test_path(dir, "missing"), err[256];
	char *buf = (char *)1, *want;
	size_t len;

	assert_int_equal(
		smbd_read_file(path, 100, &buf, &len, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(buf);
	assert_int_equal(asprintf(&want, "%s: %s", path, strerror(ENOENT)) > 0,
			 1);
	assert_string_equal(err, want);
	free(want);

	test_write(path, "0123456789", 10);
	assert_int_equal(smbd_read_file(path, 9, &buf, &len, err, sizeof(err)),
			 -1);
	assert_int_equal(errno, EFBIG);
	assert_non_null(strstr(err, "file too large"));
	assert_int_equal(smbd_read_file(path, 10, &buf, &len, err, sizeof(err)),
			 0);
	free(buf);
	free(path);
	test_rmdir(dir);
}

static void test_atomic_write(void **state)
{
	char *dir = test_mkdtemp(), *path = test_path(dir, "f"), err[256];
	char old[16] = { 0 };
	struct stat st;
	int fd;

	test_write(path, "old contents", 12);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(smbd_write_file_atomic(path, "new", 3, 0640, err,
						sizeof(err)),
			 0);
	/* The old file was replaced, not rewritten: its reader sees it whole. */
	assert_int_equal(read(fd, old, sizeof(old)), 12);
	assert_string_equal(old, "old contents");
	close(fd);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_size, 3);
	/* No temporary file is left behind. */
	assert_int_equal(test_count_entries(dir), 1);
	free(path);
	test_rmdir(dir);
}

static void test_atomic_write_failure(void **state)
{
	char *dir = test_mkdtemp(), *path = test_path(dir, "no/such/file");
	char err[256];

	assert_int_equal(smbd_write_file_atomic(path, "x", 1, 0600, err,
						sizeof(err)),
			 -1);
	assert_non_null(strstr(err, path));
	free(path);
	/* A directory where the file should go: rename fails, temp removed. */
	path = test_path(dir, "d");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(smbd_write_file_atomic(path, "x", 1, 0600, err,
						sizeof(err)),
			 -1);
	assert_int_equal(test_count_entries(dir), 1);
	rmdir(path);
	free(path);
	test_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_whole_file),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_atomic_write_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
