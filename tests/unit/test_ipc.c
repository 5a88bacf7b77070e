// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/ipc.c: named pipes on IPC$, end to end - srvsvc
 * NetShareEnumAll through CREATE, WRITE (bind), READ (bind_ack) and IOCTL
 * FSCTL_PIPE_TRANSCEIVE, as smbclient -L does it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"
#include "rpc_test_util.h"

static struct h_client *on_ipc(void **state, u8 fid[16])
{
	struct h_client *c = h_client_new(*state);

	h_connect(c, SMB2_DIALECT_0311, "IPC$");
	assert_int_equal(h_create(c, "srvsvc",
				  FILE_READ_DATA | FILE_WRITE_DATA |
					  FILE_READ_ATTRIBUTES,
				  FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
				  0, fid),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(h_rbody(c) + 4), FILE_OPENED);
	return c;
}

/* Bind over WRITE + READ; the bind_ack must come back. */
static void bind_srvsvc(struct h_client *c, const u8 fid[16])
{
	u8 b[512];
	size_t n = build_bind(b, 1, UUID_SRVSVC, 3);
	const u8 *d = NULL;
	u32 got = 0;

	assert_int_equal(h_write(c, fid, b, (u32)n, 0), STATUS_SUCCESS);
	assert_int_equal(h_read(c, fid, 4280, 0, &d, &got), STATUS_SUCCESS);
	assert_true(got >= 24);
	assert_int_equal(d[2], 12); /* bind_ack */
	assert_int_equal(smb_get_le16(d + 8), got);
	assert_int_equal(smb_get_le32(d + 12), 1);
}

static void test_share_enum(void **state)
{
	u8 fid[16] = { 0 }, req[512];
	struct h_client *c = on_ipc(state, fid);
	size_t n;
	const u8 *o = NULL;
	u32 len = 0, count;
	char names[8][64], remarks[8][64];
	u32 types[8];
	struct dec d;

	bind_srvsvc(c, fid);
	n = build_request(req, 2, 3, 0, 15, sizeof(net_share_enum_all_l1),
			  net_share_enum_all_l1, sizeof(net_share_enum_all_l1));
	assert_int_equal(h_ioctl(c, FSCTL_PIPE_TRANSCEIVE, fid, req, (u32)n,
				 4280, &o, &len),
			 STATUS_SUCCESS);
	assert_true(len > 24);
	assert_int_equal(o[2], 2); /* response */
	assert_int_equal(o[3] & 3, 3); /* first and last fragment */
	assert_int_equal(smb_get_le32(o + 12), 2);
	d.b = o + 24;
	d.len = len - 24;
	d.pos = 0;
	assert_int_equal(d_u32(&d), 1); /* level */
	assert_int_equal(d_u32(&d), 1);
	assert_int_not_equal(d_u32(&d), 0);
	count = d_u32(&d);
	assert_int_equal(count, 3); /* share, ro, IPC$ */
	assert_int_not_equal(d_u32(&d), 0);
	assert_int_equal(d_u32(&d), count);
	for (u32 i = 0; i < count; i++) {
		assert_int_not_equal(d_u32(&d), 0);
		types[i] = d_u32(&d);
		assert_int_not_equal(d_u32(&d), 0);
	}
	for (u32 i = 0; i < count; i++) {
		d_str(&d, names[i], 64);
		d_str(&d, remarks[i], 64);
	}
	assert_string_equal(names[0], "share");
	assert_string_equal(remarks[0], "scratch share");
	assert_int_equal(types[0], 0); /* STYPE_DISKTREE */
	assert_string_equal(names[1], "ro");
	assert_string_equal(names[2], "IPC$");
	assert_int_equal(types[2], 0x80000003u); /* STYPE_IPC | SPECIAL */
	assert_int_equal(d_u32(&d), 3); /* TotalEntries */
	assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
	h_client_free(c);
}

static void test_pipe_handles(void **state)
{
	u8 fid[16] = { 0 }, other[16] = { 0 }, v[8] = { 0 };
	struct h_client *c = on_ipc(state, fid);
	const u8 *o = NULL;
	u32 n = 0;

	/* Nothing to read before a request. */
	assert_int_equal(h_read(c, fid, 100, 0, NULL, NULL), STATUS_PIPE_EMPTY);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileStandardInformation, 24, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(h_set_info(c, fid, FileEndOfFileInformation, v, 8),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(h_flush(c, fid), STATUS_SUCCESS);
	assert_int_equal(h_ioctl(c, FSCTL_PIPE_TRANSCEIVE, fid, "x", 1,
				 c->max_trans + 1, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_create(c, "nosuchpipe", FILE_READ_DATA, 0, FILE_OPEN,
				  0, other),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(h_create(c, "wkssvc", FILE_READ_DATA, 0, FILE_OPEN, 0,
				  other),
			 STATUS_SUCCESS);
	assert_int_equal(h_close(c, other), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "..\\srvsvc", FILE_READ_DATA, 0, FILE_OPEN,
				  0, other),
			 STATUS_OBJECT_PATH_SYNTAX_BAD);
	/* Pipes left open are closed with the connection. */
	h_client_free(c);
}

/* A guest may enumerate shares over IPC$. */
static void test_guest_enum(void **state)
{
	struct h_env *e = *state;
	struct h_client *c;
	u8 fid[16] = { 0 };

	e->cfg.map_to_guest = SMB_MAP_TO_GUEST_BAD_USER;
	h_env_start(e);
	c = h_client_new(e);
	h_negotiate(c, SMB2_DIALECT_0302, 0);
	assert_int_equal(h_session_setup_ex(c, "nobody-known", "x",
					    H_AUTH_NTLMV2),
			 STATUS_SUCCESS);
	assert_int_equal(h_tree_connect(c, "IPC$"), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "srvsvc", FILE_READ_DATA | FILE_WRITE_DATA,
				  FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
				  0, fid),
			 STATUS_SUCCESS);
	bind_srvsvc(c, fid);
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_share_enum),
		T(test_pipe_handles),
		T(test_guest_enum),
	};

	(void)t_mem;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
