// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/open.c: the handle table, share modes across handles,
 * sessions and connections, delete-on-close and delete-pending.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

static struct h_client *on_share(void **state)
{
	struct h_client *c = h_client_new(*state);

	h_connect(c, SMB2_DIALECT_0311, "share");
	return c;
}

static void test_share_modes(void **state)
{
	static const struct {
		u32 a1, s1, a2, s2, want;
	} cases[] = {
		/* Reader sharing read only; a writer is refused. */
		{ FILE_READ_DATA, FILE_SHARE_READ, FILE_WRITE_DATA, H_SHARE_ALL,
		  STATUS_SHARING_VIOLATION },
		/* Second reader that does not share write with a writer. */
		{ FILE_WRITE_DATA, H_SHARE_ALL, FILE_READ_DATA, FILE_SHARE_READ,
		  STATUS_SHARING_VIOLATION },
		{ FILE_READ_DATA, FILE_SHARE_READ, FILE_READ_DATA,
		  FILE_SHARE_READ, STATUS_SUCCESS },
		{ FILE_READ_DATA, 0, FILE_READ_DATA, H_SHARE_ALL,
		  STATUS_SHARING_VIOLATION },
		{ DELETE, FILE_SHARE_READ, FILE_READ_DATA, H_SHARE_ALL,
		  STATUS_SUCCESS },
		{ DELETE, FILE_SHARE_READ, DELETE, H_SHARE_ALL,
		  STATUS_SHARING_VIOLATION },
		{ FILE_READ_DATA, H_SHARE_ALL, FILE_READ_DATA, FILE_SHARE_WRITE,
		  STATUS_SHARING_VIOLATION },
		{ FILE_READ_DATA, FILE_SHARE_READ, DELETE, H_SHARE_ALL,
		  STATUS_SHARING_VIOLATION },
		/* Attribute-only opens never conflict. */
		{ FILE_READ_DATA, 0, FILE_READ_ATTRIBUTES, 0, STATUS_SUCCESS },
		{ FILE_READ_ATTRIBUTES, 0, FILE_WRITE_DATA, 0, STATUS_SUCCESS },
	};
	struct h_client *c = on_share(state);

	h_put_file(c->env, "sm", "data", 4);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		u8 f1[16] = { 0 }, f2[16] = { 0 };

		assert_int_equal(h_create(c, "sm", cases[i].a1, cases[i].s1,
					  FILE_OPEN, 0, f1),
				 STATUS_SUCCESS);
		assert_int_equal(h_create(c, "sm", cases[i].a2, cases[i].s2,
					  FILE_OPEN, 0, f2),
				 cases[i].want);
		if (cases[i].want == STATUS_SUCCESS)
			assert_int_equal(h_close(c, f2), STATUS_SUCCESS);
		assert_int_equal(h_close(c, f1), STATUS_SUCCESS);
		/* Once closed, the second open succeeds. */
		assert_int_equal(h_create(c, "sm", cases[i].a2, cases[i].s2,
					  FILE_OPEN, 0, f2),
				 STATUS_SUCCESS);
		assert_int_equal(h_close(c, f2), STATUS_SUCCESS);
	}
	h_client_free(c);
}

/* Share modes are per file, across sessions and connections. */
static void test_share_modes_across_connections(void **state)
{
	struct h_client *a = on_share(state), *b = on_share(state);
	u8 fa[16] = { 0 }, fb[16] = { 0 };

	assert_int_equal(h_create(a, "x", H_RW, 0, FILE_CREATE, 0, fa),
			 STATUS_SUCCESS);
	assert_int_equal(h_create(b, "x", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, fb),
			 STATUS_SHARING_VIOLATION);
	/* The connection going away releases them. */
	h_client_free(a);
	assert_int_equal(h_create(b, "x", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, fb),
			 STATUS_SUCCESS);
	h_client_free(b);
}

static void test_delete_on_close(void **state)
{
	struct h_client *c = on_share(state);
	u8 f1[16] = { 0 }, f2[16] = { 0 };

	assert_int_equal(h_create(c, "doc", H_RW | DELETE, H_SHARE_ALL,
				  FILE_CREATE, FILE_DELETE_ON_CLOSE, f1),
			 STATUS_SUCCESS);
	/* Not pending until the handle closes: a second open works. */
	assert_int_equal(h_create(c, "doc", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, f2),
			 STATUS_SUCCESS);
	assert_int_equal(h_close(c, f1), STATUS_SUCCESS);
	/* Pending now: new opens fail, the file is still there. */
	assert_true(h_exists(c->env->rw, "doc"));
	assert_int_equal(h_create(c, "doc", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, f1),
			 STATUS_DELETE_PENDING);
	assert_int_equal(h_close(c, f2), STATUS_SUCCESS);
	assert_false(h_exists(c->env->rw, "doc"));
	h_client_free(c);
}

static void test_delete_pending(void **state)
{
	struct h_client *c = on_share(state);
	u8 f1[16] = { 0 }, f2[16] = { 0 };
	const u8 *out = NULL;
	u32 n = 0;

	h_open_rw(c, "dp", FILE_CREATE, f1);
	assert_int_equal(h_set_delete(c, f1, true), STATUS_SUCCESS);
	assert_int_equal(h_query_info(c, f1, SMB2_0_INFO_FILE,
				      FileStandardInformation, 24, 0, &out, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 24);
	assert_int_equal(out[20], 1); /* DeletePending */
	assert_int_equal(h_create(c, "dp", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, f2),
			 STATUS_DELETE_PENDING);
	/* Cleared again: the file survives its close. */
	assert_int_equal(h_set_delete(c, f1, false), STATUS_SUCCESS);
	assert_int_equal(h_close(c, f1), STATUS_SUCCESS);
	assert_true(h_exists(c->env->rw, "dp"));
	/* Set and closed: gone. */
	h_open_rw(c, "dp", FILE_OPEN, f1);
	assert_int_equal(h_set_delete(c, f1, true), STATUS_SUCCESS);
	assert_int_equal(h_close(c, f1), STATUS_SUCCESS);
	assert_false(h_exists(c->env->rw, "dp"));
	/* Without DELETE access, no disposition. */
	assert_int_equal(h_create(c, "dp2", FILE_READ_DATA | FILE_WRITE_DATA,
				  H_SHARE_ALL, FILE_CREATE, 0, f1),
			 STATUS_SUCCESS);
	assert_int_equal(h_set_delete(c, f1, true), STATUS_ACCESS_DENIED);
	assert_int_equal(h_close(c, f1), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_delete_directories(void **state)
{
	struct h_client *c = on_share(state);
	u8 d[16] = { 0 }, f[16] = { 0 };

	assert_int_equal(h_create(c, "dir", FILE_LIST_DIRECTORY | DELETE,
				  H_SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE,
				  d),
			 STATUS_SUCCESS);
	h_open_rw(c, "dir\\f", FILE_CREATE, f);
	assert_int_equal(h_set_delete(c, d, true), STATUS_DIRECTORY_NOT_EMPTY);
	assert_int_equal(h_set_delete(c, f, true), STATUS_SUCCESS);
	assert_int_equal(h_close(c, f), STATUS_SUCCESS);
	assert_int_equal(h_set_delete(c, d, true), STATUS_SUCCESS);
	assert_int_equal(h_close(c, d), STATUS_SUCCESS);
	assert_false(h_exists(c->env->rw, "dir"));
	/* The share root cannot be deleted. */
	assert_int_equal(h_create(c, "", FILE_LIST_DIRECTORY | DELETE,
				  H_SHARE_ALL, FILE_OPEN, 0, d),
			 STATUS_SUCCESS);
	assert_int_equal(h_set_delete(c, d, true), STATUS_CANNOT_DELETE);
	assert_int_equal(h_close(c, d), STATUS_SUCCESS);
	h_client_free(c);
}

/* Read-only files cannot be deleted. */
static void test_readonly_file(void **state)
{
	struct h_client *c = on_share(state);
	u8 f[16] = { 0 }, basic[40] = { 0 };

	h_open_rw(c, "rof", FILE_CREATE, f);
	smb_put_le32(basic + 32, FILE_ATTRIBUTE_READONLY);
	assert_int_equal(h_set_info(c, f, FileBasicInformation, basic, 40),
			 STATUS_SUCCESS);
	assert_int_equal(h_set_delete(c, f, true), STATUS_CANNOT_DELETE);
	assert_int_equal(h_close(c, f), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "rof", FILE_READ_DATA | DELETE,
				  H_SHARE_ALL, FILE_OPEN, FILE_DELETE_ON_CLOSE,
				  f),
			 STATUS_CANNOT_DELETE);
	assert_true(h_exists(c->env->rw, "rof"));
	h_client_free(c);
}

/* Many handles spread over the buckets: ids unique, all findable. */
static void test_many_handles(void **state)
{
	struct h_client *c = on_share(state);
	static u8 fids[150][16];

	h_put_file(c->env, "m", "abc", 3);
	for (int i = 0; i < 150; i++) {
		assert_int_equal(h_create(c, "m", FILE_READ_DATA, H_SHARE_ALL,
					  FILE_OPEN, 0, fids[i]),
				 STATUS_SUCCESS);
		for (int j = 0; j < i; j++)
			assert_memory_not_equal(fids[i] + 8, fids[j] + 8, 8);
	}
	for (int i = 0; i < 150; i += 2)
		assert_int_equal(h_close(c, fids[i]), STATUS_SUCCESS);
	for (int i = 1; i < 150; i += 2) {
		assert_int_equal(h_read(c, fids[i], 3, 0, NULL, NULL),
				 STATUS_SUCCESS);
		/* Right volatile id, wrong persistent id. */
		fids[i][0] ^= 0x80;
		assert_int_equal(h_flush(c, fids[i]), STATUS_FILE_CLOSED);
		fids[i][0] ^= 0x80;
	}
	/* The rest are closed by the connection going away. */
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_share_modes),
		T(test_share_modes_across_connections),
		T(test_delete_on_close),
		T(test_delete_pending),
		T(test_delete_directories),
		T(test_readonly_file),
		T(test_many_handles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
