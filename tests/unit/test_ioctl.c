// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for core/ioctl.c: VALIDATE_NEGOTIATE_INFO and FSCTL dispatch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

static struct h_client *vneg_client(void **state, u16 dialect)
{
	struct h_client *c = h_client_new(*state);
	static const u16 ds[] = { SMB2_DIALECT_0202, SMB2_DIALECT_0210,
				  SMB2_DIALECT_0300, SMB2_DIALECT_0302 };
	struct h_neg n = { ds, 0, NULL, 0, false, false };

	while (ds[n.ndialects] != dialect)
		n.ndialects++;
	n.ndialects++;
	c->caps = 0x7f;
	assert_int_equal(h_negotiate_ex(c, &n), STATUS_SUCCESS);
	assert_int_equal(c->dialect, dialect);
	assert_int_equal(h_session_setup(c), STATUS_SUCCESS);
	assert_int_equal(h_tree_connect(c, "share"), STATUS_SUCCESS);
	return c;
}

static void test_validate_negotiate_match(void **state)
{
	static const u16 ds[] = { SMB2_DIALECT_0210, SMB2_DIALECT_0300,
				  SMB2_DIALECT_0302 };

	for (size_t i = 0; i < ARRAY_SIZE(ds); i++) {
		struct h_client *c = vneg_client(state, ds[i]);
		u8 in[64];
		size_t n = h_vneg_input(c, in);
		const u8 *o = NULL;
		u32 len = 0;

		assert_int_equal(h_ioctl(c, FSCTL_VALIDATE_NEGOTIATE_INFO,
					 h_fid_none, in, (u32)n, 24, &o, &len),
				 STATUS_SUCCESS);
		assert_int_equal(len, 24);
		assert_int_equal(smb_get_le32(o), c->server_caps);
		assert_memory_equal(o + 4, "ksmbd-test-guid!", 16);
		assert_int_equal(smb_get_le16(o + 20), c->server_security_mode);
		assert_int_equal(smb_get_le16(o + 22), ds[i]);
		assert_int_equal(smb_get_le32(h_rbody(c) + 4),
				 FSCTL_VALIDATE_NEGOTIATE_INFO);
		h_client_free(c);
	}
}

static void vneg_expect_drop(void **state, int field)
{
	struct h_client *c = vneg_client(state, SMB2_DIALECT_0302);
	u8 in[64];
	size_t n = h_vneg_input(c, in);
	struct h_req r;

	switch (field) {
	case 0:
		in[0] ^= 1; /* capabilities */
		break;
	case 1:
		in[10] ^= 1; /* guid */
		break;
	case 2:
		in[20] ^= 2; /* security mode */
		break;
	case 3:
		smb_put_le16(in + 22, 3); /* dialect count */
		n -= 2;
		break;
	case 4:
		smb_put_le16(in + 24, SMB2_DIALECT_0210); /* a dialect */
		break;
	case 5: /* unsigned */
		c->sign = false;
		break;
	}
	h_build_ioctl(c, &r, FSCTL_VALIDATE_NEGOTIATE_INFO, h_fid_none, in,
		      (u32)n, 24);
	h_call_drop(c, &r);
	assert_null(c->tc.head);
	h_client_free(c);
}

static void test_validate_negotiate_mismatch(void **state)
{
	for (int f = 0; f <= 5; f++)
		vneg_expect_drop(state, f);
}

static void test_validate_negotiate_311_and_short(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 in[64];
	size_t n;
	struct h_req r;

	h_connect(c, SMB2_DIALECT_0311, "share");
	n = h_vneg_input(c, in);
	h_build_ioctl(c, &r, FSCTL_VALIDATE_NEGOTIATE_INFO, h_fid_none, in,
		      (u32)n, 24);
	h_call_drop(c, &r);
	h_client_free(c);

	c = vneg_client(state, SMB2_DIALECT_0300);
	n = h_vneg_input(c, in);
	assert_int_equal(h_ioctl(c, FSCTL_VALIDATE_NEGOTIATE_INFO, h_fid_none,
				 in, 20, 24, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_ioctl(c, FSCTL_VALIDATE_NEGOTIATE_INFO, h_fid_none,
				 in, (u32)n, 23, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	/* DialectCount beyond the input. */
	smb_put_le16(in + 22, 0xffff);
	assert_int_equal(h_ioctl(c, FSCTL_VALIDATE_NEGOTIATE_INFO, h_fid_none,
				 in, (u32)n, 24, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	h_client_free(c);
}

static void test_dispatch_and_malformed(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 fid[16] = { 0 }, bad[16];
	struct h_req r;

	h_connect(c, SMB2_DIALECT_0311, "share");
	h_open_rw(c, "io", FILE_CREATE, fid);
	assert_int_equal(h_ioctl(c, FSCTL_SET_SPARSE, fid, NULL, 0, 0, NULL,
				 NULL),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(h_ioctl(c, FSCTL_PIPE_TRANSCEIVE, fid, "x", 1, 100,
				 NULL, NULL),
			 STATUS_NOT_SUPPORTED);
	memset(bad, 0x5a, 16);
	assert_int_equal(h_ioctl(c, FSCTL_SET_SPARSE, bad, NULL, 0, 0, NULL,
				 NULL),
			 STATUS_FILE_CLOSED);
	assert_int_equal(h_ioctl(c, FSCTL_DFS_GET_REFERRALS, h_fid_none, "ab",
				 2, 4096, NULL, NULL),
			 STATUS_FS_DRIVER_REQUIRED);
	/* Not an FSCTL. */
	h_build_ioctl(c, &r, FSCTL_SET_SPARSE, fid, NULL, 0, 0);
	h_set32(&r, H_BODY + 48, 0);
	assert_int_equal(h_call(c, &r), STATUS_NOT_SUPPORTED);
	/* StructureSize, InputOffset/InputCount past the end, OutputCount. */
	h_build_ioctl(c, &r, FSCTL_SET_SPARSE, fid, "abcd", 4, 0);
	h_set16(&r, H_BODY, 56);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_ioctl(c, &r, FSCTL_SET_SPARSE, fid, "abcd", 4, 0);
	h_set32(&r, H_BODY + 24, 0xfffffff0u);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_ioctl(c, &r, FSCTL_SET_SPARSE, fid, "abcd", 4, 0);
	h_set32(&r, H_BODY + 28, 0xfffffffcu);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_ioctl(c, &r, FSCTL_SET_SPARSE, fid, "abcd", 4, 0);
	h_set32(&r, H_BODY + 40, 8);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_ioctl(c, &r, FSCTL_SET_SPARSE, fid, "abcd", 4, 0);
	r.len = H_BODY + 50;
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_validate_negotiate_match),
		T(test_validate_negotiate_mismatch),
		T(test_validate_negotiate_311_and_short),
		T(test_dispatch_and_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
