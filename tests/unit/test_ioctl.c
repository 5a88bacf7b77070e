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
	/* Unknown: file-system controls and the others differ. */
	assert_int_equal(h_ioctl(c, FSCTL_GET_OBJECT_ID, fid, NULL, 0, 64, NULL,
				 NULL),
			 STATUS_INVALID_DEVICE_REQUEST);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_READ_HASH, fid, NULL, 0, 64, NULL,
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

/* ---- FSCTL_QUERY_NETWORK_INTERFACE_INFO ------------------------------- */
struct fake_netifs {
	struct smb_netif ifs[8];
	int n;
	int rc; /* returned instead of the count when nonzero */
	int last_max;
};

static int fake_netif_list(void *ctx, struct smb_netif *out, int max)
{
	struct fake_netifs *f = ctx;
	int n = f->n < max ? f->n : max;

	f->last_max = max;
	if (f->rc)
		return f->rc;
	memcpy(out, f->ifs, (size_t)n * sizeof(*out));
	return n;
}

/* 10.99.0.1 RDMA+RSS at 10 Gb/s, fd00::7 on the same interface, 1 Gb/s
 * 192.168.1.5 on another; an IfIndex 0 and an unknown family to skip.
 */
static void fake_netifs_fill(struct fake_netifs *f)
{
	static const u8 v6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
				   0,	 0, 0, 0, 0, 0, 0, 7 };

	memset(f, 0, sizeof(*f));
	f->ifs[0] = (struct smb_netif){ 3,
					SMB_NETIF_RDMA_CAPABLE |
						SMB_NETIF_RSS_CAPABLE,
					10000000000ull,
					SMB_NETIF_INET,
					{ 10, 99, 0, 1 } };
	f->ifs[1] =
		(struct smb_netif){ 0, 0, 1, SMB_NETIF_INET, { 1, 2, 3, 4 } };
	f->ifs[2] = (struct smb_netif){ 3,
					SMB_NETIF_RDMA_CAPABLE |
						SMB_NETIF_RSS_CAPABLE,
					10000000000ull,
					SMB_NETIF_INET6,
					{ 0 } };
	memcpy(f->ifs[2].addr, v6, 16);
	f->ifs[3] =
		(struct smb_netif){ 5, 0x80000000u, 1000000000ull, 10, { 1 } };
	f->ifs[4] = (struct smb_netif){ 7,
					0x80000000u,
					1000000000ull,
					SMB_NETIF_INET,
					{ 192, 168, 1, 5 } };
	f->n = 5;
}

static struct h_client *netif_client(void **state, struct fake_netifs *f,
				     u16 dialect)
{
	struct h_env *e = *state;
	struct h_client *c;

	if (f) {
		e->ops.netif.list = fake_netif_list;
		e->ops.netif.ctx = f;
	} else {
		memset(&e->ops.netif, 0, sizeof(e->ops.netif));
	}
	h_env_start(e);
	c = h_client_new(e);
	h_connect(c, dialect, "share");
	return c;
}

static void check_entry(const u8 *e, u32 next, u32 idx, u32 caps, u64 speed)
{
	assert_int_equal(smb_get_le32(e), next);
	assert_int_equal(smb_get_le32(e + 4), idx);
	assert_int_equal(smb_get_le32(e + 8), caps);
	assert_int_equal(smb_get_le32(e + 12), 0); /* Reserved */
	assert_true(smb_get_le64(e + 16) == speed);
}

static void test_netif_entries(void **state)
{
	static const u8 zero[128] = { 0 };
	static const u8 v4[] = { 0x02, 0x00, 0x00, 0x00, 10, 99, 0, 1 };
	static const u8 v6[] = { 0x17, 0x00, 0x00, 0x00, 0, 0, 0, 0,
				 0xfd, 0,    0,	   0,	 0, 0, 0, 0,
				 0,    0,    0,	   0,	 0, 0, 0, 7 };
	static const u8 v4b[] = { 0x02, 0x00, 0x00, 0x00, 192, 168, 1, 5 };
	struct fake_netifs f;
	struct h_client *c;
	u8 odd_fid[16];
	const u8 *o = NULL;
	u32 len = 0;

	fake_netifs_fill(&f);
	c = netif_client(state, &f, SMB2_DIALECT_0311);
	/* The FileId is not looked up: any value is echoed back. */
	memset(odd_fid, 0x42, sizeof(odd_fid));
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO, odd_fid,
				 NULL, 0, 65536, &o, &len),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(h_rbody(c) + 4),
			 FSCTL_QUERY_NETWORK_INTERFACE_INFO);
	assert_memory_equal(h_rbody(c) + 8, odd_fid, 16);
	assert_int_equal(len, 3 * 152);
	check_entry(o, 152, 3, 3, 10000000000ull);
	assert_memory_equal(o + 24, v4, sizeof(v4));
	assert_memory_equal(o + 24 + sizeof(v4), zero, 128 - sizeof(v4));
	check_entry(o + 152, 152, 3, 3, 10000000000ull);
	assert_memory_equal(o + 152 + 24, v6, sizeof(v6));
	assert_memory_equal(o + 152 + 24 + sizeof(v6), zero, 128 - sizeof(v6));
	/* Unknown capability bits are not passed on. */
	check_entry(o + 304, 0, 7, 0, 1000000000ull);
	assert_memory_equal(o + 304 + 24, v4b, sizeof(v4b));
	assert_memory_equal(o + 304 + 24 + sizeof(v4b), zero,
			    128 - sizeof(v4b));
	assert_int_equal(f.last_max, 256); /* the cap, not 65536 / 152 */
	h_client_free(c);
}

static void test_netif_output_limits(void **state)
{
	struct fake_netifs f;
	struct h_client *c;
	const u8 *o = NULL;
	u32 len = 0;

	fake_netifs_fill(&f);
	c = netif_client(state, &f, SMB2_DIALECT_0300);
	/* Not even one entry fits. */
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, 151, NULL, NULL),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, 0, NULL, NULL),
			 STATUS_BUFFER_TOO_SMALL);
	/* Exactly one: the first, with Next 0. */
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, 152, &o, &len),
			 STATUS_SUCCESS);
	assert_int_equal(len, 152);
	check_entry(o, 0, 3, 3, 10000000000ull);
	/* Two slots, the second taken by the skipped IfIndex 0 entry. */
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, 2 * 152 + 151, &o, &len),
			 STATUS_SUCCESS);
	assert_int_equal(len, 152);
	assert_int_equal(smb_get_le32(o), 0);
	/* Beyond MaxTransactSize. */
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, c->max_trans + 1, NULL,
				 NULL),
			 STATUS_INVALID_PARAMETER);
	/* Nothing to report: an empty success, whatever the room. */
	f.n = 0;
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, 0, &o, &len),
			 STATUS_SUCCESS);
	assert_int_equal(len, 0);
	/* The platform failing, or claiming more than it was given room for. */
	f.rc = -5;
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, 4096, NULL, NULL),
			 STATUS_INSUFFICIENT_RESOURCES);
	f.rc = 1000;
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, 4096, NULL, NULL),
			 STATUS_INSUFFICIENT_RESOURCES);
	assert_int_equal(f.last_max, 4096 / 152);
	h_client_free(c);
}

static void test_netif_not_supported(void **state)
{
	struct fake_netifs f;
	struct h_client *c;

	fake_netifs_fill(&f);
	/* SMB 2.x has no interface discovery. */
	c = netif_client(state, &f, SMB2_DIALECT_0210);
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, 4096, NULL, NULL),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(f.last_max, 0);
	h_client_free(c);
	/* A platform without an interface list. */
	c = netif_client(state, NULL, SMB2_DIALECT_0302);
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				 h_fid_none, NULL, 0, 4096, NULL, NULL),
			 STATUS_NOT_SUPPORTED);
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
		T(test_netif_entries),
		T(test_netif_output_limits),
		T(test_netif_not_supported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
