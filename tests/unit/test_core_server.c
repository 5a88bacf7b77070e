// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for core/server.c: smb_server_new/free, shares, IPC$, allocation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

static void test_argument_checks(void **state)
{
	struct h_env *e = *state;
	struct smb_server_ops ops = e->ops;
	struct smb_server_config cfg = e->cfg;
	long base = h_live_allocs;

	assert_null(smb_server_new(NULL, &cfg));
	assert_null(smb_server_new(&ops, NULL));
	ops.crypto = NULL;
	assert_null(smb_server_new(&ops, &cfg));
	ops = e->ops;
	ops.vfs = NULL;
	assert_null(smb_server_new(&ops, &cfg));
	ops = e->ops;
	ops.mem.alloc = NULL;
	assert_null(smb_server_new(&ops, &cfg));
	ops = e->ops;
	cfg.nshares = -1;
	assert_null(smb_server_new(&ops, &cfg));
	cfg.nshares = 10001;
	assert_null(smb_server_new(&ops, &cfg));
	smb_server_free(NULL);
	assert_int_equal(h_live_allocs, base);
}

static void test_missing_share_path(void **state)
{
	struct h_env *e = *state;
	long base = h_live_allocs;
	struct smb_server_config cfg = e->cfg;
	struct smb_share_config shares[2];

	memcpy(shares, e->shares, sizeof(shares));
	snprintf(shares[1].path, sizeof(shares[1].path), "%s/missing", e->base);
	shares[1].valid_users.names = "a\0b\0";
	cfg.shares = shares;
	assert_null(smb_server_new(&e->ops, &cfg));
	assert_int_equal(h_live_allocs, base);
}

/* The configuration is copied: the caller's strings may go away. */
static void test_config_copied(void **state)
{
	struct h_env *e = *state;
	char *names = malloc(16);
	struct h_client *c;

	memcpy(names, "bob\0\0", 5);
	e->shares[0].valid_users.names = names;
	h_env_start(e);
	memset(names, 'x', 5);
	free(names);
	memset(e->shares, 0, sizeof(e->shares));
	c = h_client_new(e);
	h_login(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_ACCESS_DENIED);
	assert_int_equal(h_tree_connect(c, "ro"), STATUS_SUCCESS);
	/* IPC$ was added by the server. */
	assert_int_equal(h_tree_connect(c, "IPC$"), STATUS_SUCCESS);
	h_client_free(c);
}

/* No shares at all: IPC$ alone. */
static void test_no_shares(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;

	e->cfg.nshares = 0;
	h_env_start(e);
	c = h_client_new(e);
	h_login(c, SMB2_DIALECT_0210, 0);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_BAD_NETWORK_NAME);
	assert_int_equal(h_tree_connect(c, "IPC$"), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_allocation_failures(void **state)
{
	struct h_env *e = *state;
	long base = h_live_allocs;
	int made = 0;

	for (long k = 0; k < 12; k++) {
		struct smb_server *srv;

		h_alloc_fail_after = k;
		srv = smb_server_new(&e->ops, &e->cfg);
		h_alloc_fail_after = -1;
		if (srv) {
			made++;
			smb_server_free(srv);
		}
		assert_int_equal(h_live_allocs, base);
	}
	assert_true(made > 0);
	/* A connection that cannot be allocated. */
	h_alloc_fail_after = 0;
	assert_null(smb_conn_new(e->srv, &h_transport, NULL));
	h_alloc_fail_after = -1;
	smb_conn_free(NULL);
}

/* Two servers side by side share nothing. */
static void test_two_servers(void **state)
{
	struct h_env *e = *state;
	struct smb_server *other = smb_server_new(&e->ops, &e->cfg);
	struct h_client *c = h_client_new(e);
	u8 fid[16] = { 0 };

	assert_non_null(other);
	h_connect(c, SMB2_DIALECT_0300, "share");
	h_open_rw(c, "s", FILE_CREATE, fid);
	smb_server_free(other);
	assert_int_equal(h_write(c, fid, "ok", 2, 0), STATUS_SUCCESS);
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_argument_checks),     T(test_missing_share_path),
		T(test_config_copied),	     T(test_no_shares),
		T(test_allocation_failures), T(test_two_servers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
