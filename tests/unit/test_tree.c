// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for core/tree.c: TREE_CONNECT and TREE_DISCONNECT. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

static struct h_client *logged_in(void **state, u16 dialect)
{
	struct h_client *c = h_client_new(*state);

	h_login(c, dialect, SMB2_SIGNING_AES_GMAC);
	return c;
}

static void test_connect_kinds(void **state)
{
	static const u16 ds[] = { SMB2_DIALECT_0202, SMB2_DIALECT_0210,
				  SMB2_DIALECT_0300, SMB2_DIALECT_0302,
				  SMB2_DIALECT_0311 };

	for (size_t i = 0; i < ARRAY_SIZE(ds); i++) {
		struct h_client *c = logged_in(state, ds[i]);
		const u8 *b;

		assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
		b = h_rbody(c);
		assert_int_equal(smb_get_le16(b), 16);
		assert_int_equal(b[2], SMB2_SHARE_TYPE_DISK);
		assert_int_equal(smb_get_le32(b + 12), FILE_ALL_ACCESS);
		assert_int_equal(c->tid, 1);
		assert_int_equal(h_tree_connect(c, "RO"), STATUS_SUCCESS);
		assert_int_equal(smb_get_le32(h_rbody(c) + 12),
				 FILE_GENERIC_READ | FILE_GENERIC_EXECUTE);
		assert_int_equal(c->tid, 2);
		assert_int_equal(h_tree_connect(c, "ipc$"), STATUS_SUCCESS);
		b = h_rbody(c);
		assert_int_equal(b[2], SMB2_SHARE_TYPE_PIPE);
		assert_int_equal(smb_get_le32(b + 4),
				 SMB2_SHAREFLAG_NO_CACHING);
		assert_int_equal(c->tid, 3);
		h_client_free(c);
	}
}

static void test_bad_names(void **state)
{
	struct h_client *c = logged_in(state, SMB2_DIALECT_0311);
	struct h_req r;
	static const u8 lone_surrogate[] = { '\\', 0,	 '\\', 0,    's',
					     0,	   '\\', 0,    0x00, 0xd8 };

	assert_int_equal(h_tree_connect(c, "nosuch"), STATUS_BAD_NETWORK_NAME);
	assert_int_equal(h_tree_connect(c, ""), STATUS_BAD_NETWORK_NAME);
	assert_int_equal(h_tree_connect(c, "share\\"), STATUS_BAD_NETWORK_NAME);
	/* A name with no backslash at all. */
	h_req_init(c, &r, SMB2_TREE_CONNECT);
	h_put16(&r, 9);
	h_put16(&r, 0);
	h_put16(&r, 72);
	h_put16(&r, 10);
	h_put(&r, "s\0h\0a\0r\0e\0", 10);
	assert_int_equal(h_call(c, &r), STATUS_BAD_NETWORK_NAME);
	/* Invalid UTF-16. */
	h_req_init(c, &r, SMB2_TREE_CONNECT);
	h_put16(&r, 9);
	h_put16(&r, 0);
	h_put16(&r, 72);
	h_put16(&r, sizeof(lone_surrogate));
	h_put(&r, lone_surrogate, sizeof(lone_surrogate));
	assert_int_equal(h_call(c, &r), STATUS_BAD_NETWORK_NAME);
	h_client_free(c);
}

static void test_malformed(void **state)
{
	struct h_client *c = logged_in(state, SMB2_DIALECT_0302);
	struct h_req r;

	h_build_tree_connect(c, &r, "share");
	h_set16(&r, H_BODY, 8);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_tree_connect(c, &r, "share");
	h_set16(&r, H_BODY + 4, 0xfff0); /* PathOffset past the end */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_tree_connect(c, &r, "share");
	h_set16(&r, H_BODY + 6, 0xffff); /* PathLength past the end */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_tree_connect(c, &r, "share");
	h_set16(&r, H_BODY + 6, 0);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_tree_connect(c, &r, "share");
	h_set16(&r, H_BODY + 4, 10); /* inside the header */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_tree_connect(c, &r, "share");
	r.len = H_BODY + 6;
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_client_free(c);
}

static void test_user_lists(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;

	e->shares[0].valid_users.names = "bob\0carol\0";
	e->shares[1].invalid_users.names = "ALICE\0";
	h_env_start(e);
	c = logged_in(state, SMB2_DIALECT_0311);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_ACCESS_DENIED);
	assert_int_equal(h_tree_connect(c, "ro"), STATUS_ACCESS_DENIED);
	h_client_free(c);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup_ex(c, "bob", "hunter2", H_AUTH_NTLMV2),
			 STATUS_SUCCESS);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	assert_int_equal(h_tree_connect(c, "ro"), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_disconnect(void **state)
{
	struct h_client *c = logged_in(state, SMB2_DIALECT_0311);
	struct h_req r;
	u8 fid[16] = { 0 };
	u32 tid;

	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	tid = c->tid;
	assert_int_equal(h_create(c, "doomed", H_RW | DELETE, 0, FILE_CREATE,
				  FILE_DELETE_ON_CLOSE, fid),
			 STATUS_SUCCESS);
	assert_true(h_exists(c->env->rw, "doomed"));
	h_build_small(c, &r, SMB2_TREE_DISCONNECT);
	h_set16(&r, H_BODY, 5);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	assert_int_equal(h_simple(c, SMB2_TREE_DISCONNECT), STATUS_SUCCESS);
	assert_int_equal(smb_get_le16(h_rbody(c)), 4);
	/* Its opens were closed (and delete-on-close honoured). */
	assert_false(h_exists(c->env->rw, "doomed"));
	assert_int_equal(h_close(c, fid), STATUS_NETWORK_NAME_DELETED);
	assert_int_equal(h_simple(c, SMB2_TREE_DISCONNECT),
			 STATUS_NETWORK_NAME_DELETED);
	/* Tree ids are not reused. */
	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	assert_true(c->tid != tid);
	h_client_free(c);
}

/* A FileId is only valid on the tree that opened it. */
static void test_fid_bound_to_tree(void **state)
{
	struct h_client *c = logged_in(state, SMB2_DIALECT_0300);
	u8 fid[16] = { 0 };
	u32 t1;

	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	t1 = c->tid;
	h_open_rw(c, "f", FILE_CREATE, fid);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	assert_int_equal(h_flush(c, fid), STATUS_FILE_CLOSED);
	c->tid = t1;
	assert_int_equal(h_flush(c, fid), STATUS_SUCCESS);
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_connect_kinds), T(test_bad_names),
		T(test_malformed),     T(test_user_lists),
		T(test_disconnect),    T(test_fid_bound_to_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
