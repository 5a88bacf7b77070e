// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb2.h"
#include "smbdirect_inv.h"

/*
 * An SMB2 READ (cmd 8) or WRITE (cmd 9) request at p ([MS-SMB2] 2.2.19,
 * 2.2.21) with one SMB_DIRECT_BUFFER_DESCRIPTOR_V1 after the fixed part.
 * Returns its size (header + 48 + 16).
 */
static size_t rw_request(u8 *p, u16 cmd, u64 mid, u32 channel, u32 token)
{
	u8 *b = p + SMB2_HDR_SIZE;
	bool rd = cmd == SMB2_READ;

	memset(p, 0, SMB2_HDR_SIZE + 64);
	smb_put_le32(p, SMB2_PROTO_ID);
	smb_put_le16(p + 4, 64);
	smb_put_le16(p + SMB2_HDR_COMMAND, cmd);
	smb_put_le64(p + SMB2_HDR_MESSAGE_ID, mid);
	smb_put_le16(b, 49);
	smb_put_le32(b + 4, 65536); /* Length */
	smb_put_le32(b + (rd ? 36 : 32), channel);
	smb_put_le16(b + (rd ? 44 : 40), SMB2_HDR_SIZE + 48);
	smb_put_le16(b + (rd ? 46 : 42), 16);
	smb_put_le64(b + 48, 0x1000); /* descriptor: offset, token, length */
	smb_put_le32(b + 56, token);
	smb_put_le32(b + 60, 65536);
	return SMB2_HDR_SIZE + 64;
}

static size_t response(u8 *p, u16 cmd, u64 mid)
{
	memset(p, 0, SMB2_HDR_SIZE + 16);
	smb_put_le32(p, SMB2_PROTO_ID);
	smb_put_le16(p + SMB2_HDR_COMMAND, cmd);
	smb_put_le32(p + SMB2_HDR_FLAGS, SMB2_FLAGS_SERVER_TO_REDIR);
	smb_put_le64(p + SMB2_HDR_MESSAGE_ID, mid);
	return SMB2_HDR_SIZE + 16;
}

static void test_read_and_write_invalidate(void **state)
{
	struct smbdirect_inv t = { 0 };
	u8 req[256], rsp[128];
	u32 token = 0;

	smbdirect_inv_scan_request(&t, req,
				   rw_request(req, SMB2_READ, 7,
					      SMB2_CHANNEL_RDMA_V1_INVALIDATE,
					      0xabcd0001));
	smbdirect_inv_scan_request(&t, req,
				   rw_request(req, SMB2_WRITE, 8,
					      SMB2_CHANNEL_RDMA_V1_INVALIDATE,
					      0xabcd0002));
	assert_int_equal(t.nreq, 2);
	/* Another command or message id does not match. */
	assert_false(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_WRITE, 7), &token));
	assert_false(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_READ, 9), &token));
	assert_false(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_CREATE, 8), &token));
	/* Responses may come in any order; each matches once. */
	assert_true(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_WRITE, 8), &token));
	assert_int_equal(token, 0xabcd0002);
	assert_true(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_READ, 7), &token));
	assert_int_equal(token, 0xabcd0001);
	assert_false(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_READ, 7), &token));
	assert_int_equal(t.nreq, 0);
}

static void test_other_channels_ignored(void **state)
{
	struct smbdirect_inv t = { 0 };
	u8 req[256];

	/* RDMA_V1 (SMB 3.0: the client invalidates) and no channel. */
	smbdirect_inv_scan_request(&t, req,
				   rw_request(req, SMB2_READ, 1,
					      SMB2_CHANNEL_RDMA_V1, 5));
	smbdirect_inv_scan_request(
		&t, req, rw_request(req, SMB2_WRITE, 2, SMB2_CHANNEL_NONE, 5));
	assert_int_equal(t.nreq, 0);
}

static void test_compound(void **state)
{
	struct smbdirect_inv t = { 0 };
	u8 pdu[512], rsp[128];
	size_t a, b;
	u32 token = 0;

	/* CREATE-like first element (header only), then READ, then WRITE. */
	memset(pdu, 0, sizeof(pdu));
	smb_put_le32(pdu, SMB2_PROTO_ID);
	smb_put_le16(pdu + SMB2_HDR_COMMAND, SMB2_CREATE);
	smb_put_le32(pdu + SMB2_HDR_NEXT_COMMAND, SMB2_HDR_SIZE);
	a = rw_request(pdu + SMB2_HDR_SIZE, SMB2_READ, 3,
		       SMB2_CHANNEL_RDMA_V1_INVALIDATE, 33);
	smb_put_le32(pdu + SMB2_HDR_SIZE + SMB2_HDR_NEXT_COMMAND, (u32)a);
	b = rw_request(pdu + SMB2_HDR_SIZE + a, SMB2_WRITE, 4,
		       SMB2_CHANNEL_RDMA_V1_INVALIDATE, 44);
	smbdirect_inv_scan_request(&t, pdu, SMB2_HDR_SIZE + a + b);
	assert_int_equal(t.nreq, 2);
	assert_true(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_WRITE, 4), &token));
	assert_int_equal(token, 44);
	assert_true(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_READ, 3), &token));
	assert_int_equal(token, 33);
}

static void test_malformed(void **state)
{
	struct smbdirect_inv t = { 0 };
	u8 req[256], rsp[128];
	size_t n = rw_request(req, SMB2_READ, 1,
			      SMB2_CHANNEL_RDMA_V1_INVALIDATE, 9);
	u32 token = 0;

	/* Truncated anywhere before the descriptor's end: nothing noted. */
	for (size_t len = 0; len < n; len++) {
		smbdirect_inv_scan_request(&t, req, len);
		assert_int_equal(t.nreq, 0);
	}
	/* Channel info pointing past the end, or too short. */
	smb_put_le16(req + SMB2_HDR_SIZE + 44, 0xfff0);
	smbdirect_inv_scan_request(&t, req, n);
	smb_put_le16(req + SMB2_HDR_SIZE + 44, SMB2_HDR_SIZE + 48);
	smb_put_le16(req + SMB2_HDR_SIZE + 46, 15);
	smbdirect_inv_scan_request(&t, req, n);
	assert_int_equal(t.nreq, 0);
	/* Not SMB2, or a NextCommand that loops or overruns: stops. */
	n = rw_request(req, SMB2_READ, 1, SMB2_CHANNEL_RDMA_V1_INVALIDATE, 9);
	req[0] = 0xfd;
	smbdirect_inv_scan_request(&t, req, n);
	assert_int_equal(t.nreq, 0);
	req[0] = 0xfe;
	smb_put_le32(req + SMB2_HDR_NEXT_COMMAND, 0x7fffffff);
	smbdirect_inv_scan_request(&t, req, n);
	smb_put_le32(req + SMB2_HDR_NEXT_COMMAND, 8);
	smbdirect_inv_scan_request(&t, req, n);
	assert_int_equal(t.nreq, 2); /* the first element each time */
	/* Short responses never match. */
	assert_false(smbdirect_inv_match_response(&t, rsp, 10, &token));
}

static void test_table_full_drops_oldest(void **state)
{
	struct smbdirect_inv t = { 0 };
	u8 req[256], rsp[128];
	u32 token = 0;

	for (u32 i = 0; i < SMBDIRECT_INV_TRACK + 3; i++)
		smbdirect_inv_scan_request(
			&t, req,
			rw_request(req, SMB2_READ, i,
				   SMB2_CHANNEL_RDMA_V1_INVALIDATE, 100 + i));
	assert_int_equal(t.nreq, SMBDIRECT_INV_TRACK);
	assert_false(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_READ, 2), &token));
	assert_true(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_READ, 3), &token));
	assert_int_equal(token, 103);
	assert_true(smbdirect_inv_match_response(
		&t, rsp, response(rsp, SMB2_READ, SMBDIRECT_INV_TRACK + 2),
		&token));
	assert_int_equal(token, 100 + SMBDIRECT_INV_TRACK + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_and_write_invalidate),
		cmocka_unit_test(test_other_channels_ignored),
		cmocka_unit_test(test_compound),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_table_full_drops_oldest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
