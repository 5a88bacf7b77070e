// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>

#include "platform.h"
#include "md4.h"
#include "pwddb.h"
#include "tmpdir.h"

/* [MS-NLMP] 4.2.1: NTOWFv1("Password"), base64 as ksmbd-tools writes it. */
static const u8 password_hash[16] = { 0xa4, 0xf4, 0x9c, 0x40, 0x65, 0x10,
				      0xbd, 0xca, 0xb6, 0x82, 0x4e, 0xe7,
				      0xc3, 0x0f, 0xd8, 0x52 };
#define PASSWORD_B64 "pPScQGUQvcq2gk7nww/YUg=="

static char err[1024];

static char *read_all(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Load text from a scratch file; returns the result of smbd_pwddb_load. */
static int load_text(const char *text, struct smbd_pwddb **db, char **dir,
		     char **path)
{
	*dir = test_mkdtemp();
	*path = test_path(*dir, "ksmbdpwd.db");
	test_write(*path, text, strlen(text));
	return smbd_pwddb_load(*path, db, err, sizeof(err));
}

static void test_round_trip(void **state)
{
	char *dir = test_mkdtemp(), *path = test_path(dir, "ksmbdpwd.db");
	struct smbd_pwddb *db = smbd_pwddb_new(), *back;
	struct smb_user u;
	struct stat st;
	u8 hash[16];

	assert_non_null(db);
	assert_int_equal(smb_nt_hash("Password", hash), 0);
	assert_int_equal(smbd_pwddb_add(db, "alice", hash, err, sizeof(err)),
			 0);
	assert_int_equal(smb_nt_hash("s3cr\xc3\xa9t", hash), 0);
	assert_int_equal(smbd_pwddb_add(db,
					"B\xc3\xb6"
					"b",
					hash, err, sizeof(err)),
			 0);
	assert_int_equal(smbd_pwddb_save(db, path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_string_equal(read_all(path), "alice:" PASSWORD_B64 "\n"
					    "B\xc3\xb6"
					    "b:"
					    "l9qaO8HPlVhPs0kg7yx9vQ==\n");

	assert_int_equal(smbd_pwddb_load(path, &back, err, sizeof(err)), 0);
	assert_int_equal(smbd_pwddb_count(back), 2);
	assert_int_equal(smbd_pwddb_lookup(back, "alice", &u), 0);
	assert_string_equal(u.name, "alice");
	assert_memory_equal(u.nt_hash, password_hash, 16);
	assert_false(u.is_guest);
	assert_int_equal(smbd_pwddb_lookup(back,
					   "B\xc3\xb6"
					   "b",
					   &u),
			 0);
	assert_memory_equal(u.nt_hash, hash, 16);
	smbd_pwddb_free(back);
	smbd_pwddb_free(db);
	free(path);
	test_rmdir(dir);
}

static void test_missing_file_is_empty(void **state)
{
	char *dir = test_mkdtemp(), *path = test_path(dir, "none");
	struct smbd_pwddb *db;
	struct smb_user u;

	assert_int_equal(smbd_pwddb_load(path, &db, err, sizeof(err)), 0);
	assert_int_equal(smbd_pwddb_count(db), 0);
	assert_int_not_equal(smbd_pwddb_lookup(db, "alice", &u), 0);
	smbd_pwddb_free(db);
	free(path);
	test_rmdir(dir);
}

static void test_blank_lines_and_crlf(void **state)
{
	struct smbd_pwddb *db;
	struct smb_user u;
	char *dir, *path;

	assert_int_equal(load_text("\n  \nalice:" PASSWORD_B64 "\r\n\t\n"
				   "bob:" PASSWORD_B64,
				   &db, &dir, &path),
			 0);
	assert_int_equal(smbd_pwddb_count(db), 2);
	assert_int_equal(smbd_pwddb_lookup(db, "bob", &u), 0);
	assert_memory_equal(u.nt_hash, password_hash, 16);
	smbd_pwddb_free(db);
	free(path);
	test_rmdir(dir);
}

static void test_malformed_lines(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{ "alice:" PASSWORD_B64 "\nbob\n", ":2: expected 'user:hash'" },
		{ "alice:pPScQGUQvcq2gk7nww/YUg=\n",
		  ":1: hash is not base64 of 16 bytes" },
		{ "alice:pPScQGUQvcq2gk7nww/Y\n", /* 12 bytes */
		  ":1: hash is not base64 of 16 bytes" },
		{ "alice:pPScQGUQvcq2gk7nww/YUgAA\n", /* 17 bytes */
		  ":1: hash is not base64 of 16 bytes" },
		{ "alice:" PASSWORD_B64 " \n",
		  ":1: hash is not base64 of 16 bytes" },
		{ "alice:\n", ":1: hash is not base64 of 16 bytes" },
		{ ":" PASSWORD_B64 "\n", ":1: user name must be 1..47 bytes" },
		{ "\n\nal\x01"
		  "ce:" PASSWORD_B64 "\n",
		  ":3: user name contains ':' or a control character" },
		{ "\xff:" PASSWORD_B64 "\n",
		  ":1: user name is not valid UTF-8" },
		{ "alice:" PASSWORD_B64 "\nALICE:" PASSWORD_B64 "\n",
		  ":2: duplicate user" },
		{ "a:b:" PASSWORD_B64 "\n",
		  ":1: hash is not base64 of 16 bytes" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct smbd_pwddb *db = (struct smbd_pwddb *)1;
		char *dir, *path, want[1200];

		assert_int_equal(load_text(cases[i].text, &db, &dir, &path),
				 -1);
		assert_null(db);
		snprintf(want, sizeof(want), "%s%s", path, cases[i].why);
		assert_string_equal(err, want);
		free(path);
		test_rmdir(dir);
	}
}

static void test_nul_byte(void **state)
{
	static const char text[] = "alice:" PASSWORD_B64 "\nb\0b:x\n";
	char *dir = test_mkdtemp(), *path = test_path(dir, "db"), want[600];
	struct smbd_pwddb *db;

	test_write(path, text, sizeof(text) - 1);
	assert_int_equal(smbd_pwddb_load(path, &db, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: NUL byte in line", path);
	assert_string_equal(err, want);
	free(path);
	test_rmdir(dir);
}

static void test_case_insensitive(void **state)
{
	struct smbd_pwddb *db;
	struct smb_user u;
	char *dir, *path;

	assert_int_equal(load_text("Alice:" PASSWORD_B64 "\n"
				   "\xc3\xa9mile:" PASSWORD_B64 "\n",
				   &db, &dir, &path),
			 0);
	assert_int_equal(smbd_pwddb_lookup(db, "ALICE", &u), 0);
	/* The stored spelling is reported. */
	assert_string_equal(u.name, "Alice");
	assert_int_equal(smbd_pwddb_lookup(db, "alice", &u), 0);
	assert_int_equal(smbd_pwddb_lookup(db, "\xc3\x89MILE", &u), 0);
	assert_string_equal(u.name, "\xc3\xa9mile");
	assert_int_not_equal(smbd_pwddb_lookup(db, "alic", &u), 0);
	assert_int_not_equal(smbd_pwddb_lookup(db, "alicex", &u), 0);
	assert_int_not_equal(smbd_pwddb_lookup(db, "", &u), 0);
	assert_int_equal(smbd_pwddb_add(db, "ALICE", password_hash, err,
					sizeof(err)),
			 -1);
	assert_string_equal(err, "user 'ALICE' already exists");
	smbd_pwddb_free(db);
	free(path);
	test_rmdir(dir);
}

static void test_uid_gid(void **state)
{
	struct passwd *root = getpwnam("root");
	struct smbd_pwddb *db;
	struct smb_user u;
	char *dir, *path;

	assert_int_equal(load_text("root:" PASSWORD_B64 "\n"
				   "no-such-local-user-xyz:" PASSWORD_B64 "\n",
				   &db, &dir, &path),
			 0);
	assert_int_equal(smbd_pwddb_lookup(db, "no-such-local-user-xyz", &u),
			 0);
	assert_int_equal(u.uid, getuid());
	assert_int_equal(u.gid, getgid());
	if (root) {
		assert_int_equal(smbd_pwddb_lookup(db, "root", &u), 0);
		assert_int_equal(u.uid, root->pw_uid);
		assert_int_equal(u.gid, root->pw_gid);
	}
	smbd_pwddb_free(db);
	free(path);
	test_rmdir(dir);
}

static void test_edit(void **state)
{
	struct smbd_pwddb *db = smbd_pwddb_new();
	struct smb_user u;
	u8 other[16] = { 1, 2, 3 };

	assert_int_equal(
		smbd_pwddb_update(db, "alice", other, err, sizeof(err)), -1);
	assert_string_equal(err, "user 'alice' does not exist");
	assert_int_equal(smbd_pwddb_delete(db, "alice", err, sizeof(err)), -1);
	assert_string_equal(err, "user 'alice' does not exist");
	for (int i = 0; i < 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "user%d", i);
		assert_int_equal(smbd_pwddb_add(db, name, password_hash, err,
						sizeof(err)),
				 0);
	}
	assert_int_equal(
		smbd_pwddb_update(db, "USER7", other, err, sizeof(err)), 0);
	assert_int_equal(smbd_pwddb_lookup(db, "user7", &u), 0);
	assert_memory_equal(u.nt_hash, other, 16);
	assert_int_equal(smbd_pwddb_delete(db, "User0", err, sizeof(err)), 0);
	assert_int_equal(smbd_pwddb_count(db), 39);
	assert_int_not_equal(smbd_pwddb_lookup(db, "user0", &u), 0);
	assert_int_equal(smbd_pwddb_lookup(db, "user39", &u), 0);
	assert_memory_equal(u.nt_hash, password_hash, 16);
	smbd_pwddb_free(db);
}

static void test_name_checks(void **state)
{
	struct smbd_pwddb *db = smbd_pwddb_new();
	char name[64];

	memset(name, 'n', 47);
	name[47] = '\0';
	assert_int_equal(
		smbd_pwddb_add(db, name, password_hash, err, sizeof(err)), 0);
	name[47] = 'n';
	name[48] = '\0';
	assert_int_equal(
		smbd_pwddb_add(db, name, password_hash, err, sizeof(err)), -1);
	assert_string_equal(err, "user name must be 1..47 bytes");
	assert_int_equal(
		smbd_pwddb_add(db, "", password_hash, err, sizeof(err)), -1);
	assert_int_equal(
		smbd_pwddb_add(db, "a:b", password_hash, err, sizeof(err)), -1);
	assert_int_equal(smbd_pwddb_add(db, "a\nb", password_hash, err,
					sizeof(err)),
			 -1);
	assert_int_equal(smbd_pwddb_add(db, "\xc3", password_hash, err,
					sizeof(err)),
			 -1);
	assert_int_equal(smbd_pwddb_count(db), 1);
	smbd_pwddb_free(db);
}

static void test_atomic_save(void **state)
{
	char *dir = test_mkdtemp(), *path = test_path(dir, "ksmbdpwd.db");
	struct smbd_pwddb *db = smbd_pwddb_new(), *back;
	char old[64] = { 0 };
	int fd;

	test_write(path, "old:" PASSWORD_B64 "\n", 29);
	assert_int_equal(chmod(path, 0644), 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(
		smbd_pwddb_add(db, "new", password_hash, err, sizeof(err)), 0);
	assert_int_equal(smbd_pwddb_save(db, path, err, sizeof(err)), 0);
	/* A reader of the old file still sees all of it. */
	assert_int_equal(read(fd, old, sizeof(old) - 1), 29);
	assert_string_equal(old, "old:" PASSWORD_B64 "\n");
	close(fd);
	assert_string_equal(read_all(path), "new:" PASSWORD_B64 "\n");
	assert_int_equal(test_count_entries(dir), 1);
	/* The replacement gets 0600 whatever the old mode was. */
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	/* Empty database: empty file, which loads as empty. */
	assert_int_equal(smbd_pwddb_delete(db, "new", err, sizeof(err)), 0);
	assert_int_equal(smbd_pwddb_save(db, path, err, sizeof(err)), 0);
	assert_string_equal(read_all(path), "");
	assert_int_equal(smbd_pwddb_load(path, &back, err, sizeof(err)), 0);
	assert_int_equal(smbd_pwddb_count(back), 0);
	smbd_pwddb_free(back);
	smbd_pwddb_free(db);
	free(path);
	/* Saving into a missing directory fails cleanly. */
	path = test_path(dir, "missing/ksmbdpwd.db");
	db = smbd_pwddb_new();
	assert_int_equal(smbd_pwddb_save(db, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	smbd_pwddb_free(db);
	free(path);
	test_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_missing_file_is_empty),
		cmocka_unit_test(test_blank_lines_and_crlf),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_uid_gid),
		cmocka_unit_test(test_edit),
		cmocka_unit_test(test_name_checks),
		cmocka_unit_test(test_atomic_save),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
