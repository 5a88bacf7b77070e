// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "rpc.h"
#include "rpc_test_util.h"

#define MAX_CTX_TEST (SMB_RPC_MAX_CONTEXTS + 2)

static struct fake_server srv;
static struct smb_rpc_provider prov;

static int setup(void **state)
{
	memset(&srv, 0, sizeof(srv));
	fake_add(&srv, "IPC$", "IPC Service", STYPE_IPC | STYPE_SPECIAL, 0);
	fake_add(&srv, "data", "Data share", STYPE_DISKTREE, 0);
	prov = fake_provider(&srv);
	alloc_fail_after = -1;
	return 0;
}

/* NetrServerGetInfo level 100 with a NULL server name: a tiny stub. */
static const u8 stub_srvinfo100[] = { 0, 0, 0, 0, 100, 0, 0, 0 };

static u32 read_one(struct smb_rpc_pipe *p, u8 *buf, size_t size, size_t *got)
{
	return smb_rpc_pipe_read(p, buf, size, got);
}

static void expect_fault(struct smb_rpc_pipe *p, u32 call_id, u32 status)
{
	u8 buf[128];
	size_t got;

	assert_int_equal(read_one(p, buf, sizeof(buf), &got), STATUS_SUCCESS);
	assert_int_equal(got, 32);
	assert_int_equal(buf[2], 3);
	assert_int_equal(buf[3] & 0x23, 0x23); /* first|last|did_not_execute */
	assert_int_equal(smb_get_le16(buf + 8), 32);
	assert_int_equal(smb_get_le32(buf + 12), call_id);
	assert_int_equal(smb_get_le32(buf + 24), status);
}

static void expect_nak(struct smb_rpc_pipe *p, u32 call_id, u16 reason)
{
	u8 buf[128];
	size_t got;

	assert_int_equal(read_one(p, buf, sizeof(buf), &got), STATUS_SUCCESS);
	assert_int_equal(buf[2], 13);
	assert_int_equal(smb_get_le32(buf + 12), call_id);
	assert_int_equal(smb_get_le16(buf + 16), reason);
	assert_int_equal(buf[18], 1);
	assert_int_equal(buf[19], 5);
	assert_int_equal(buf[20], 0);
}

static void expect_empty(struct smb_rpc_pipe *p)
{
	u8 buf[8];
	size_t got = 99;

	assert_int_equal(read_one(p, buf, sizeof(buf), &got),
			 STATUS_PIPE_EMPTY);
	assert_int_equal(got, 0);
	assert_int_equal(smb_rpc_pipe_pending(p), 0);
}

static void test_pipe_names(void **state)
{
	assert_true(smb_rpc_pipe_supported("srvsvc"));
	assert_true(smb_rpc_pipe_supported("SRVSVC"));
	assert_true(smb_rpc_pipe_supported("\\srvsvc"));
	assert_true(smb_rpc_pipe_supported("PIPE\\srvsvc"));
	assert_true(smb_rpc_pipe_supported("\\pipe\\SrvSvc"));
	assert_true(smb_rpc_pipe_supported("wkssvc"));
	assert_false(smb_rpc_pipe_supported("lsarpc"));
	assert_false(smb_rpc_pipe_supported("srvsvc2"));
	assert_false(smb_rpc_pipe_supported("\\\\srvsvc"));
	assert_false(smb_rpc_pipe_supported(""));
	assert_false(smb_rpc_pipe_supported(NULL));
	assert_null(smb_rpc_pipe_open(&t_mem, "samr", &prov));
	alloc_fail_after = 0;
	assert_null(smb_rpc_pipe_open(&t_mem, "srvsvc", &prov));
	alloc_fail_after = -1;
}

/* smbclient's bind: every bind_ack field checked against C706 12.6.4.4. */
static void test_bind_ack(void **state)
{
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	u8 b[256], a[256];
	size_t n = build_bind(b, 7, UUID_SRVSVC, 3), got;

	assert_int_equal(n, 72);
	assert_int_equal(smb_rpc_pipe_write(p, b, n), STATUS_SUCCESS);
	assert_int_equal(smb_rpc_pipe_pending(p), 68);
	assert_int_equal(read_one(p, a, sizeof(a), &got), STATUS_SUCCESS);
	assert_int_equal(got, 68);
	assert_int_equal(a[0], 5);
	assert_int_equal(a[1], 0);
	assert_int_equal(a[2], 12);
	assert_int_equal(a[3], 3);
	assert_int_equal(a[4], 0x10);
	assert_int_equal(smb_get_le16(a + 8), 68);
	assert_int_equal(smb_get_le16(a + 10), 0);
	assert_int_equal(smb_get_le32(a + 12), 7);
	assert_int_equal(smb_get_le16(a + 16), 4280);
	assert_int_equal(smb_get_le16(a + 18), 4280);
	assert_int_not_equal(smb_get_le32(a + 20), 0);
	assert_int_equal(smb_get_le16(a + 24), 13);
	assert_memory_equal(a + 26, "\\PIPE\\srvsvc", 13);
	assert_int_equal(a[39], 0); /* pad to 4 */
	assert_int_equal(a[40], 1); /* n_results */
	assert_int_equal(smb_get_le16(a + 44), 0); /* acceptance */
	assert_int_equal(smb_get_le16(a + 46), 0);
	assert_memory_equal(a + 48, UUID_NDR, 16);
	assert_int_equal(smb_get_le32(a + 64), 2);
	expect_empty(p);
	smb_rpc_pipe_close(p);
}

/* Windows' bind: NDR, NDR64 and bind-time feature negotiation. */
static void test_bind_windows_contexts(void **state)
{
	struct ctx_prop c[3] = {
		{ 0, UUID_SRVSVC, 3, 1, { UUID_NDR }, { 2 } },
		{ 1, UUID_SRVSVC, 3, 1, { UUID_NDR64 }, { 1 } },
		{ 2, UUID_SRVSVC, 3, 1, { UUID_BTFN }, { 1 } },
	};
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	u8 b[512], a[512], *r;
	size_t n = build_bind_ex(b, 11, 2, 5840, 5840, c, 3), got;
	static const u8 zero[20];

	smb_put_le32(b + 20, 0x1234); /* client's assoc group kept */
	assert_int_equal(smb_rpc_pipe_transceive(p, b, n, a, sizeof(a), &got),
			 STATUS_SUCCESS);
	assert_int_equal(got, 44 + 3 * 24);
	assert_int_equal(smb_get_le16(a + 16), 4280); /* capped */
	assert_int_equal(smb_get_le32(a + 20), 0x1234);
	assert_int_equal(a[40], 3);
	r = a + 44;
	assert_int_equal(smb_get_le16(r), 0);
	assert_memory_equal(r + 4, UUID_NDR, 16);
	r += 24;
	assert_int_equal(smb_get_le16(r), 2); /* provider rejection */
	assert_int_equal(smb_get_le16(r + 2), 2); /* transfer syntax */
	assert_memory_equal(r + 4, zero, 20);
	r += 24;
	assert_int_equal(smb_get_le16(r), 3); /* negotiate_ack */
	assert_int_equal(smb_get_le16(r + 2), 2); /* keep conn on orphan */
	assert_memory_equal(r + 4, zero, 20);
	smb_rpc_pipe_close(p);
}

/* Wrong interface: rejected, pipe stays unbound, requests fault. */
static void test_bind_wrong_interface(void **state)
{
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	u8 b[256], a[256];
	size_t n, got;

	n = build_bind(b, 1, UUID_WKSSVC, 1);
	assert_int_equal(smb_rpc_pipe_transceive(p, b, n, a, sizeof(a), &got),
			 STATUS_SUCCESS);
	assert_int_equal(a[2], 12);
	assert_int_equal(smb_get_le16(a + 44), 2);
	assert_int_equal(smb_get_le16(a + 46), 1); /* abstract syntax */
	/* srvsvc v2.0 and v3.1 do not match our v3.0 either. */
	n = build_bind(b, 2, UUID_SRVSVC, 2);
	smb_rpc_pipe_write(p, b, n);
	smb_rpc_pipe_read(p, a, sizeof(a), &got);
	assert_int_equal(smb_get_le16(a + 46), 1);
	n = build_bind(b, 3, UUID_SRVSVC, 3 | (1u << 16));
	smb_rpc_pipe_write(p, b, n);
	smb_rpc_pipe_read(p, a, sizeof(a), &got);
	assert_int_equal(smb_get_le16(a + 46), 1);
	n = build_request(b, 4, 3, 0, 21, 8, stub_srvinfo100, 8);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 4, NCA_S_PROTO_ERROR);
	/* A proper bind still works afterwards. */
	n = build_bind(b, 5, UUID_SRVSVC, 3);
	smb_rpc_pipe_write(p, b, n);
	smb_rpc_pipe_read(p, a, sizeof(a), &got);
	assert_int_equal(smb_get_le16(a + 44), 0);
	smb_rpc_pipe_close(p);
}

static void test_request_before_bind(void **state)
{
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	u8 b[256];
	size_t n = build_request(b, 9, 3, 0, 21, 8, stub_srvinfo100, 8);

	assert_int_equal(smb_rpc_pipe_write(p, b, n), STATUS_SUCCESS);
	expect_fault(p, 9, NCA_S_PROTO_ERROR);
	expect_empty(p);
	smb_rpc_pipe_close(p);
}

static void test_unknown_opnum_and_context(void **state)
{
	struct smb_rpc_pipe *p = open_bound("srvsvc", &prov);
	u8 b[256];
	size_t n;

	n = build_request(b, 10, 3, 0, 99, 8, stub_srvinfo100, 8);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 10, NCA_S_OP_RNG_ERROR);
	n = build_request(b, 11, 3, 5, 21, 8, stub_srvinfo100, 8);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 11, NCA_S_UNK_IF);
	/* Truncated stub: an NDR fault, not a crash. */
	n = build_request(b, 12, 3, 0, 21, 8, stub_srvinfo100, 6);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 12, NCA_S_FAULT_NDR);
	/* Request shorter than its own header. */
	put_hdr(b, 0, 3, 20, 13);
	smb_rpc_pipe_write(p, b, 20);
	expect_fault(p, 13, NCA_S_PROTO_ERROR);
	/* Object UUID flag without room for the UUID. */
	n = build_request(b, 14, 3 | 0x80, 0, 21, 8, stub_srvinfo100, 8);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 14, NCA_S_PROTO_ERROR);
	smb_rpc_pipe_close(p);
}

/* An object UUID moves the stub 16 bytes on. */
static void test_object_uuid(void **state)
{
	struct smb_rpc_pipe *p = open_bound("srvsvc", &prov);
	u8 b[256], stub[24] = { 0 }, a[512];
	size_t n, got;

	memcpy(stub + 16, stub_srvinfo100, 8);
	n = build_request(b, 15, 3 | 0x80, 0, 21, 8, stub, 24);
	smb_rpc_pipe_write(p, b, n);
	assert_int_equal(read_one(p, a, sizeof(a), &got), STATUS_SUCCESS);
	assert_int_equal(a[2], 2);
	assert_int_equal(smb_get_le32(a + 24), 100);
	smb_rpc_pipe_close(p);
}

static void test_alter_context(void **state)
{
	struct ctx_prop c = { 1, UUID_SRVSVC, 3, 1, { UUID_NDR }, { 2 } };
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	u8 b[256], a[256];
	size_t n, got;

	/* Before any bind: a fault. */
	n = build_bind_ex(b, 14, 1, 4280, 4280, &c, 1);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 1, NCA_S_PROTO_ERROR);
	smb_rpc_pipe_close(p);

	p = open_bound("srvsvc", &prov);
	n = build_bind_ex(b, 14, 2, 4280, 4280, &c, 1);
	assert_int_equal(smb_rpc_pipe_transceive(p, b, n, a, sizeof(a), &got),
			 STATUS_SUCCESS);
	assert_int_equal(a[2], 15);
	assert_int_equal(got, 28 + 4 + 24);
	assert_int_equal(smb_get_le16(a + 24), 0); /* no sec_addr */
	assert_int_equal(a[28], 1);
	assert_int_equal(smb_get_le16(a + 32), 0);
	/* Context 1 now usable. */
	n = build_request(b, 3, 3, 1, 21, 8, stub_srvinfo100, 8);
	smb_rpc_pipe_write(p, b, n);
	smb_rpc_pipe_read(p, a, sizeof(a), &got);
	assert_int_equal(a[2], 2);
	assert_int_equal(smb_get_le16(a + 20), 1);
	/* A second bind is refused; alter with a bad body faults. */
	n = build_bind(b, 4, UUID_SRVSVC, 3);
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 4, 0);
	n = build_bind_ex(b, 14, 5, 4280, 4280, &c, 1);
	smb_put_le16(b + 8, 40);
	smb_rpc_pipe_write(p, b, 40);
	expect_fault(p, 5, NCA_S_PROTO_ERROR);
	smb_rpc_pipe_close(p);
}

/* Context table full: further contexts get local_limit_exceeded. */
static void test_context_limit(void **state)
{
	struct ctx_prop c[17];
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	u8 b[2048], a[1024];
	size_t n, got;

	for (int i = 0; i < 17; i++)
		c[i] = (struct ctx_prop){ (u16)i, UUID_SRVSVC,	3,
					  1,	  { UUID_NDR }, { 2 } };
	n = build_bind_ex(b, 11, 1, 4280, 4280, c, MAX_CTX_TEST);
	assert_int_equal(smb_rpc_pipe_transceive(p, b, n, a, sizeof(a), &got),
			 STATUS_SUCCESS);
	assert_int_equal(a[40], MAX_CTX_TEST);
	for (int i = 0; i < MAX_CTX_TEST; i++) {
		const u8 *r = a + 44 + 24 * i;

		if (i < SMB_RPC_MAX_CONTEXTS) {
			assert_int_equal(smb_get_le16(r), 0);
		} else {
			assert_int_equal(smb_get_le16(r), 2);
			assert_int_equal(smb_get_le16(r + 2), 3);
		}
	}
	smb_rpc_pipe_close(p);
	/* Too many proposals in one bind, or none: bind_nak. */
	p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	n = build_bind_ex(b, 11, 2, 4280, 4280, c, 17);
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 2, 2);
	n = build_bind_ex(b, 11, 3, 4280, 4280, c, 0);
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 3, 0);
	/* A context with zero transfer syntaxes is malformed. */
	c[0].n_ts = 0;
	n = build_bind_ex(b, 11, 4, 4280, 4280, c, 1);
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 4, 0);
	/* Context list running past frag_length. */
	c[0].n_ts = 1;
	n = build_bind_ex(b, 11, 5, 4280, 4280, c, 1);
	b[24] = 2;
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 5, 0);
	/* Too small fragments. */
	n = build_bind_ex(b, 11, 6, 1000, 4280, c, 1);
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 6, 2);
	smb_rpc_pipe_close(p);
}

static void test_header_validation(void **state)
{
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	u8 b[256], a[256];
	size_t n, got;

	/* Version 4: bind_nak protocol_version_not_supported. */
	n = build_bind(b, 1, UUID_SRVSVC, 3);
	b[0] = 4;
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 1, 4);
	n = build_bind(b, 2, UUID_SRVSVC, 3);
	b[1] = 2; /* minor 2 */
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 2, 4);
	/* Auth on a bind: authentication type not recognised. */
	n = build_bind(b, 3, UUID_SRVSVC, 3);
	smb_put_le16(b + 10, 8);
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 3, 8);
	/* Big-endian bind: nak; call_id echoed in our byte order. */
	n = build_bind(b, 0, UUID_SRVSVC, 3);
	b[4] = 0x00;
	b[8] = (u8)(n >> 8);
	b[9] = (u8)n;
	smb_put_be32(b + 12, 0x01020304);
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 0x01020304, 0);
	/* EBCDIC characters: likewise. */
	n = build_bind(b, 5, UUID_SRVSVC, 3);
	b[4] = 0x11;
	smb_rpc_pipe_write(p, b, n);
	expect_nak(p, 5, 0);
	/* None of that bound the pipe. */
	n = build_request(b, 6, 3, 0, 21, 8, stub_srvinfo100, 8);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 6, NCA_S_PROTO_ERROR);
	smb_rpc_pipe_close(p);

	p = open_bound("srvsvc", &prov);
	/* Auth on a request: refused with access denied. */
	n = build_request(b, 7, 3, 0, 21, 8, stub_srvinfo100, 8);
	smb_put_le16(b + 10, 16);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 7, NCA_S_FAULT_ACCESS_DENIED);
	/* Big-endian request. */
	n = build_request(b, 0, 3, 0, 21, 8, stub_srvinfo100, 8);
	b[4] = 0;
	b[8] = 0;
	b[9] = (u8)n;
	smb_put_be32(b + 12, 8);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 8, NCA_S_PROTO_ERROR);
	/* Server-to-client PDU types from a client. */
	put_hdr(b, 2, 3, 24, 9);
	smb_rpc_pipe_write(p, b, 24);
	expect_fault(p, 9, NCA_S_PROTO_ERROR);
	/* frag_length smaller than the header: fault, input dropped. */
	put_hdr(b, 0, 3, 8, 10);
	assert_int_equal(smb_rpc_pipe_write(p, b, 64), STATUS_SUCCESS);
	expect_fault(p, 10, NCA_S_PROTO_ERROR);
	expect_empty(p);
	/* frag_length above what we accept. */
	put_hdr(b, 0, 3, 4281, 11);
	smb_rpc_pipe_write(p, b, 64);
	expect_fault(p, 11, NCA_S_PROTO_ERROR);
	/* auth3, co_cancel, orphaned: no reply at all. */
	put_hdr(b, 16, 3, 20, 12);
	smb_rpc_pipe_write(p, b, 20);
	put_hdr(b, 18, 3, 16, 12);
	smb_rpc_pipe_write(p, b, 16);
	put_hdr(b, 19, 3, 16, 12);
	smb_rpc_pipe_write(p, b, 16);
	expect_empty(p);
	/* The pipe still works. */
	n = build_request(b, 13, 3, 0, 21, 8, stub_srvinfo100, 8);
	assert_int_equal(smb_rpc_pipe_transceive(p, b, n, a, sizeof(a), &got),
			 STATUS_SUCCESS);
	assert_int_equal(a[2], 2);
	smb_rpc_pipe_close(p);
}

/* frag_length beyond the written data: wait for the rest. */
static void test_split_and_batched_writes(void **state)
{
	struct smb_rpc_pipe *p = open_bound("srvsvc", &prov);
	u8 b[512], a[512];
	size_t n, got;

	n = build_request(b, 20, 3, 0, 21, 8, stub_srvinfo100, 8);
	for (size_t i = 0; i < n; i++) {
		expect_empty(p);
		assert_int_equal(smb_rpc_pipe_write(p, b + i, 1),
				 STATUS_SUCCESS);
	}
	assert_int_equal(read_one(p, a, sizeof(a), &got), STATUS_SUCCESS);
	assert_int_equal(a[2], 2);
	assert_int_equal(smb_get_le32(a + 12), 20);
	/* Two PDUs in one write: two messages, read one at a time. */
	n = build_request(b, 21, 3, 0, 21, 8, stub_srvinfo100, 8);
	build_request(b + n, 22, 3, 0, 21, 8, stub_srvinfo100, 8);
	smb_rpc_pipe_write(p, b, 2 * n);
	assert_int_equal(read_one(p, a, sizeof(a), &got), STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(a + 12), 21);
	assert_int_equal(got, smb_get_le16(a + 8));
	assert_int_equal(read_one(p, a, sizeof(a), &got), STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(a + 12), 22);
	expect_empty(p);
	smb_rpc_pipe_close(p); /* with nothing half-written: no leak */
	p = open_bound("srvsvc", &prov);
	smb_rpc_pipe_write(p, b, 30); /* half a PDU left at close */
	smb_rpc_pipe_close(p);
}

/* A request in three fragments; huge alloc_hint is only a hint. */
static void test_multi_fragment_request(void **state)
{
	struct smb_rpc_pipe *p = open_bound("srvsvc", &prov);
	u8 b[512], a[512];
	size_t n, got;

	n = build_request(b, 30, 1, 0, 21, 0xffffffff, stub_srvinfo100, 0);
	smb_rpc_pipe_write(p, b, n);
	n = build_request(b, 30, 0, 0, 21, 0xffffffff, stub_srvinfo100, 4);
	smb_rpc_pipe_write(p, b, n);
	expect_empty(p);
	n = build_request(b, 30, 2, 0, 21, 4, stub_srvinfo100 + 4, 4);
	smb_rpc_pipe_write(p, b, n);
	assert_int_equal(read_one(p, a, sizeof(a), &got), STATUS_SUCCESS);
	assert_int_equal(a[2], 2);
	assert_int_equal(smb_get_le32(a + 24), 100);

	/* Middle fragment of another call: fault; rest of it ignored. */
	n = build_request(b, 31, 1, 0, 21, 8, stub_srvinfo100, 4);
	smb_rpc_pipe_write(p, b, n);
	n = build_request(b, 32, 0, 0, 21, 8, stub_srvinfo100, 4);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 32, NCA_S_PROTO_ERROR);
	n = build_request(b, 32, 2, 0, 21, 8, stub_srvinfo100, 4);
	smb_rpc_pipe_write(p, b, n);
	expect_empty(p);
	/* Non-first fragment with nothing in progress. */
	n = build_request(b, 33, 2, 0, 21, 8, stub_srvinfo100, 4);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 33, NCA_S_PROTO_ERROR);
	/* A new first fragment while one is in progress. */
	n = build_request(b, 34, 1, 0, 21, 8, stub_srvinfo100, 4);
	smb_rpc_pipe_write(p, b, n);
	n = build_request(b, 35, 1, 0, 21, 8, stub_srvinfo100, 4);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 35, NCA_S_PROTO_ERROR);
	/* Orphaned drops a call in progress. */
	n = build_request(b, 36, 1, 0, 21, 8, stub_srvinfo100, 4);
	smb_rpc_pipe_write(p, b, n);
	put_hdr(b, 19, 3, 16, 36);
	smb_rpc_pipe_write(p, b, 16);
	n = build_request(b, 36, 2, 0, 21, 8, stub_srvinfo100 + 4, 4);
	smb_rpc_pipe_write(p, b, n);
	expect_fault(p, 36, NCA_S_PROTO_ERROR);
	expect_empty(p);
	smb_rpc_pipe_close(p);
}

/* More than SMB_RPC_MAX_STUB of request stub: fault 5, no big alloc. */
static void test_request_too_big(void **state)
{
	struct smb_rpc_pipe *p = open_bound("srvsvc", &prov);
	size_t chunk = 4256, sent = 0, n;
	u8 *b = test_calloc(1, 4280), *zero = test_calloc(1, chunk);
	bool first = true;

	while (sent <= SMB_RPC_MAX_STUB) {
		n = build_request(b, 40, first ? 1 : 0, 0, 21, 0xffffffff, zero,
				  chunk);
		assert_int_equal(smb_rpc_pipe_write(p, b, n), STATUS_SUCCESS);
		first = false;
		sent += chunk;
	}
	expect_fault(p, 40, NCA_S_FAULT_ACCESS_DENIED);
	/* Later fragments of that call are dropped quietly. */
	n = build_request(b, 40, 0, 0, 21, 0, zero, 8);
	smb_rpc_pipe_write(p, b, n);
	n = build_request(b, 40, 2, 0, 21, 0, zero, 8);
	smb_rpc_pipe_write(p, b, n);
	expect_empty(p);
	test_free(b);
	test_free(zero);
	smb_rpc_pipe_close(p);
}

/* Enough shares for a response of many fragments at max_recv 1432. */
static void add_many_shares(int count)
{
	char name[64], comment[64];

	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "share%03d", i);
		snprintf(comment, sizeof(comment), "a rather long comment %d",
			 i);
		fake_add(&srv, name, comment, STYPE_DISKTREE, 0);
	}
}

static const u8 stub_enum1[] = {
	0,    0,    0,	  0, /* ServerName NULL */
	1,    0,    0,	  0,	1, 0, 0, 0, /* Level, union tag */
	0,    0,    2,	  0,	0, 0, 0, 0, 0, 0, 0, 0, /* ctr1 {0, NULL} */
	0xff, 0xff, 0xff, 0xff, /* PreferedMaximumLength */
	0,    0,    0,	  0, /* ResumeHandle NULL */
};

static void test_response_fragmentation(void **state)
{
	struct ctx_prop c = { 0, UUID_SRVSVC, 3, 1, { UUID_NDR }, { 2 } };
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	u8 b[512], a[2048], stub[65536];
	size_t n, got, total = 0, frags = 0;
	u32 hint;

	add_many_shares(100);
	n = build_bind_ex(b, 11, 1, 4280, 1432, &c, 1);
	smb_rpc_pipe_transceive(p, b, n, a, sizeof(a), &got);
	assert_int_equal(smb_get_le16(a + 16), 1432);
	n = build_request(b, 2, 3, 0, 15, sizeof(stub_enum1), stub_enum1,
			  sizeof(stub_enum1));
	smb_rpc_pipe_write(p, b, n);
	hint = 0;
	for (;;) {
		assert_int_equal(read_one(p, a, sizeof(a), &got),
				 STATUS_SUCCESS);
		assert_int_equal(a[2], 2);
		assert_true(got <= 1432);
		assert_int_equal(smb_get_le16(a + 8), got);
		assert_int_equal(!!(a[3] & 1), frags == 0);
		if (frags == 0)
			hint = smb_get_le32(a + 16);
		assert_int_equal(smb_get_le32(a + 16), hint - total);
		memcpy(stub + total, a + 24, got - 24);
		total += got - 24;
		frags++;
		if (a[3] & 2)
			break;
		assert_int_equal((got - 24) % 8, 0);
	}
	assert_true(frags > 5);
	assert_int_equal(total, hint);
	/* EntriesRead and TotalEntries inside the reassembled stub. */
	assert_int_equal(smb_get_le32(stub + 12), 102);
	assert_int_equal(smb_get_le32(stub + total - 12), 102);
	assert_int_equal(smb_get_le32(stub + total - 4), 0);
	expect_empty(p);
	smb_rpc_pipe_close(p);
}

/* Reads smaller than a message: BUFFER_OVERFLOW until its end. */
static void test_read_in_pieces(void **state)
{
	struct smb_rpc_pipe *p = open_bound("srvsvc", &prov);
	u8 b[512], whole[512], piece[512];
	size_t n, got, len = 0;
	u32 st;

	n = build_request(b, 50, 3, 0, 21, 8, stub_srvinfo100, 8);
	build_request(b + n, 51, 3, 0, 21, 8, stub_srvinfo100, 8);
	smb_rpc_pipe_write(p, b, 2 * n);
	do {
		st = read_one(p, piece, 7, &got);
		memcpy(whole + len, piece, got);
		len += got;
		if (st == STATUS_BUFFER_OVERFLOW)
			assert_int_equal(got, 7);
	} while (st == STATUS_BUFFER_OVERFLOW);
	assert_int_equal(st, STATUS_SUCCESS);
	assert_int_equal(len, smb_get_le16(whole + 8));
	assert_int_equal(smb_get_le32(whole + 12), 50);
	/* The second message starts cleanly. */
	assert_int_equal(read_one(p, piece, 16, &got), STATUS_BUFFER_OVERFLOW);
	assert_int_equal(smb_get_le32(piece + 12), 51);
	assert_int_equal(read_one(p, piece, 0, &got), STATUS_BUFFER_OVERFLOW);
	assert_int_equal(got, 0);
	assert_int_equal(read_one(p, piece, sizeof(piece), &got),
			 STATUS_SUCCESS);
	assert_int_equal(got + 16, len);
	expect_empty(p);
	smb_rpc_pipe_close(p);
}

static void test_transceive(void **state)
{
	struct smb_rpc_pipe *p = smb_rpc_pipe_open(&t_mem, "srvsvc", &prov);
	u8 b[512], a[512];
	size_t n, got, rest;

	/* Bind through transceive with a small output buffer. */
	n = build_bind(b, 1, UUID_SRVSVC, 3);
	assert_int_equal(smb_rpc_pipe_transceive(p, b, n, a, 20, &got),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(got, 20);
	assert_int_equal(smb_rpc_pipe_pending(p), 48);
	/* Unread data: the next transceive is refused untouched. */
	n = build_request(b, 2, 3, 0, 21, 8, stub_srvinfo100, 8);
	assert_int_equal(smb_rpc_pipe_transceive(p, b, n, a, sizeof(a), &got),
			 STATUS_PIPE_BUSY);
	assert_int_equal(got, 0);
	assert_int_equal(read_one(p, a + 20, sizeof(a), &rest), STATUS_SUCCESS);
	assert_int_equal(rest, 48);
	assert_int_equal(a[2], 12);
	assert_int_equal(smb_get_le16(a + 44), 0);
	/* Now the call goes through. */
	assert_int_equal(smb_rpc_pipe_transceive(p, b, n, a, sizeof(a), &got),
			 STATUS_SUCCESS);
	assert_int_equal(a[2], 2);
	/* A partial PDU produces nothing to read yet. */
	assert_int_equal(smb_rpc_pipe_transceive(p, b, 10, a, sizeof(a), &got),
			 STATUS_PIPE_EMPTY);
	smb_rpc_pipe_close(p);
}

/* Unread output is bounded: writes are refused past the limit. */
static void test_pending_limit(void **state)
{
	struct smb_rpc_pipe *p;
	u8 b[512];
	size_t n, writes = 0;
	u32 st;

	add_many_shares(400);
	p = open_bound("srvsvc", &prov);
	n = build_request(b, 60, 3, 0, 15, sizeof(stub_enum1), stub_enum1,
			  sizeof(stub_enum1));
	do {
		st = smb_rpc_pipe_write(p, b, n);
		writes++;
	} while (st == STATUS_SUCCESS && writes < 10000);
	assert_int_equal(st, STATUS_INSUFFICIENT_RESOURCES);
	assert_true(smb_rpc_pipe_pending(p) >= SMB_RPC_MAX_PENDING);
	assert_true(smb_rpc_pipe_pending(p) <=
		    SMB_RPC_MAX_PENDING + SMB_RPC_MAX_STUB);
	smb_rpc_pipe_close(p);
}

/* One write of many tiny PDUs cannot queue unbounded faults either. */
static void test_pending_limit_one_write(void **state)
{
	struct smb_rpc_pipe *p = open_bound("srvsvc", &prov);
	size_t count = 200000, len = count * 16;
	u8 *b = test_malloc(len);

	for (size_t i = 0; i < count; i++)
		put_hdr(b + i * 16, 2, 3, 16, (u32)i); /* a "response" */
	assert_int_equal(smb_rpc_pipe_write(p, b, len),
			 STATUS_INSUFFICIENT_RESOURCES);
	assert_true(smb_rpc_pipe_pending(p) >= SMB_RPC_MAX_PENDING);
	assert_true(smb_rpc_pipe_pending(p) <= SMB_RPC_MAX_PENDING + 1024);
	expect_fault(p, 0, NCA_S_PROTO_ERROR);
	test_free(b);
	smb_rpc_pipe_close(p);
}

/* Out of memory while answering: a fault when possible, never a leak. */
static void test_alloc_failures(void **state)
{
	for (int fail = 0; fail < 8; fail++) {
		struct smb_rpc_pipe *p = open_bound("srvsvc", &prov);
		u8 b[512], a[512];
		size_t n, got;
		u32 st;

		n = build_request(b, 70, 3, 0, 15, sizeof(stub_enum1),
				  stub_enum1, sizeof(stub_enum1));
		alloc_fail_after = fail;
		smb_rpc_pipe_write(p, b, n);
		alloc_fail_after = -1;
		st = read_one(p, a, sizeof(a), &got);
		if (st == STATUS_SUCCESS && a[2] == 3)
			assert_int_equal(smb_get_le32(a + 24),
					 NCA_S_FAULT_REMOTE_NO_MEMORY);
		smb_rpc_pipe_close(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pipe_names, setup),
		cmocka_unit_test_setup(test_bind_ack, setup),
		cmocka_unit_test_setup(test_bind_windows_contexts, setup),
		cmocka_unit_test_setup(test_bind_wrong_interface, setup),
		cmocka_unit_test_setup(test_request_before_bind, setup),
		cmocka_unit_test_setup(test_unknown_opnum_and_context, setup),
		cmocka_unit_test_setup(test_object_uuid, setup),
		cmocka_unit_test_setup(test_alter_context, setup),
		cmocka_unit_test_setup(test_context_limit, setup),
		cmocka_unit_test_setup(test_header_validation, setup),
		cmocka_unit_test_setup(test_split_and_batched_writes, setup),
		cmocka_unit_test_setup(test_multi_fragment_request, setup),
		cmocka_unit_test_setup(test_request_too_big, setup),
		cmocka_unit_test_setup(test_response_fragmentation, setup),
		cmocka_unit_test_setup(test_read_in_pieces, setup),
		cmocka_unit_test_setup(test_transceive, setup),
		cmocka_unit_test_setup(test_pending_limit, setup),
		cmocka_unit_test_setup(test_pending_limit_one_write, setup),
		cmocka_unit_test_setup(test_alloc_failures, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
