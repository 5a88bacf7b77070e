// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "platform.h"
#include "tcp_frame.h"
#include "count_alloc.h"

static int setup(void **state)
{
	acct.live = 0;
	acct.fail_after = -1;
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(acct.live, 0);
	return 0;
}

/* Append a Direct TCP message of len bytes with payload byte i = seed + i. */
static size_t put_msg(u8 *out, size_t len, u8 seed)
{
	assert_int_equal(smb_tcp_frame_header(out, len), 0);
	for (size_t i = 0; i < len; i++)
		out[4 + i] = (u8)(seed + i);
	return 4 + len;
}

static void check_msg(const u8 *pdu, size_t got, size_t len, u8 seed)
{
	assert_int_equal(got, len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(pdu[i], (u8)(seed + i));
}

/* Take one PDU from f and check it. */
static void expect_pdu(struct smb_tcp_frame *f, size_t len, u8 seed)
{
	u8 *pdu;
	size_t got;

	assert_int_equal(smb_tcp_frame_next(f, &pdu, &got), SMB_TCP_FRAME_PDU);
	check_msg(pdu, got, len, seed);
	smb_tcp_frame_free_pdu(f, pdu);
}

static void feed_all(struct smb_tcp_frame *f, const u8 *d, size_t len)
{
	size_t used;

	assert_int_equal(smb_tcp_frame_feed(f, d, len, &used), 0);
	assert_int_equal(used, len);
}

static void test_header_layout(void **state)
{
	u8 h[4];

	assert_int_equal(smb_tcp_frame_header(h, 0x123456), 0);
	assert_int_equal(h[0], 0);
	assert_int_equal(h[1], 0x12);
	assert_int_equal(h[2], 0x34);
	assert_int_equal(h[3], 0x56);
	assert_int_equal(smb_tcp_frame_header(h, 0xffffff), 0);
	assert_int_equal(smb_tcp_frame_header(h, 0x1000000), -1);
	assert_int_equal(smb_tcp_max_pdu_for(0x100000, 0x800000, 0x10000),
			 0x800000 + 0x10000);
	assert_int_equal(smb_tcp_max_pdu_for(0xffffffffu, 0, 0), 0xffffff);
	assert_int_equal(SMB_TCP_DEFAULT_MAX_PDU, 8 * 1024 * 1024 + 65536);
}

static void test_init_rejects_bad_args(void **state)
{
	struct smb_tcp_frame f;

	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 0, 0),
			 SMB_TCP_FRAME_ERR_INVAL);
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 0x1000000, 0),
			 SMB_TCP_FRAME_ERR_INVAL);
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 3),
			 SMB_TCP_FRAME_ERR_INVAL);
	assert_int_equal(smb_tcp_frame_init(&f, NULL, 100, 0),
			 SMB_TCP_FRAME_ERR_INVAL);
	acct.fail_after = 0;
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 0),
			 SMB_TCP_FRAME_ERR_NOMEM);
}

static void test_single_and_need_more(void **state)
{
	struct smb_tcp_frame f;
	u8 buf[64];
	u8 *pdu;
	size_t len, n = put_msg(buf, 40, 7);

	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 1000, 0), 0);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_NEED_MORE);
	feed_all(&f, buf, n - 1);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_NEED_MORE);
	feed_all(&f, buf + n - 1, 1);
	expect_pdu(&f, 40, 7);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_NEED_MORE);
	smb_tcp_frame_destroy(&f);
}

static void test_byte_at_a_time(void **state)
{
	struct smb_tcp_frame f;
	u8 buf[3 * 4 + 1 + 300 + 70000];
	size_t n = 0, i, seen = 0;
	u8 *pdu;
	size_t len;
	static const size_t lens[] = { 1, 300, 70000 };

	for (i = 0; i < 3; i++)
		n += put_msg(buf + n, lens[i], (u8)i);
	/* A small stage forces the direct-into-PDU path for the big one. */
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 70000, 8), 0);
	for (i = 0; i < n; i++) {
		int r;

		feed_all(&f, buf + i, 1);
		r = smb_tcp_frame_next(&f, &pdu, &len);
		if (r == SMB_TCP_FRAME_NEED_MORE)
			continue;
		assert_int_equal(r, SMB_TCP_FRAME_PDU);
		assert_true(seen < 3);
		check_msg(pdu, len, lens[seen], (u8)seen);
		smb_tcp_frame_free_pdu(&f, pdu);
		seen++;
	}
	assert_int_equal(seen, 3);
	smb_tcp_frame_destroy(&f);
}

static void test_coalesced_with_keepalives(void **state)
{
	struct smb_tcp_frame f;
	u8 buf[512];
	size_t n = 0;
	u8 *pdu;
	size_t len;

	n += put_msg(buf + n, 10, 1);
	memcpy(buf + n, "\x85\x00\x00\x00", 4); /* RFC 1002 keep-alive */
	n += 4;
	n += put_msg(buf + n, 20, 2);
	memcpy(buf + n, "\x85\x00\x00\x03xyz", 7); /* keep-alive with data */
	n += 7;
	n += put_msg(buf + n, 30, 3);
	n += put_msg(buf + n, 5, 4); /* followed by a partial header */
	memcpy(buf + n, "\x00\x00", 2);
	n += 2;

	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 0), 0);
	feed_all(&f, buf, n);
	expect_pdu(&f, 10, 1);
	expect_pdu(&f, 20, 2);
	expect_pdu(&f, 30, 3);
	expect_pdu(&f, 5, 4);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_NEED_MORE);
	feed_all(&f, (const u8 *)"\x00\x02zz", 4);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len), SMB_TCP_FRAME_PDU);
	assert_int_equal(len, 2);
	assert_memory_equal(pdu, "zz", 2);
	smb_tcp_frame_free_pdu(&f, pdu);
	smb_tcp_frame_destroy(&f);
}

static void test_limit_exact_and_oversize(void **state)
{
	struct smb_tcp_frame f;
	u8 *buf = malloc(4 + 4096);
	u8 *pdu;
	size_t len, n;

	assert_non_null(buf);
	n = put_msg(buf, 4096, 9);
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 4096, 0), 0);
	feed_all(&f, buf, n);
	expect_pdu(&f, 4096, 9);
	/* One byte over: rejected from the header alone, and sticky. */
	assert_int_equal(smb_tcp_frame_header(buf, 4097), 0);
	feed_all(&f, buf, 4);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_ERR_TOO_BIG);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_ERR_TOO_BIG);
	assert_int_equal(smb_tcp_frame_feed(&f, buf, 4, &len),
			 SMB_TCP_FRAME_ERR_TOO_BIG);
	smb_tcp_frame_destroy(&f);

	/* The largest length the header can express. */
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 1000, 0), 0);
	feed_all(&f, (const u8 *)"\x00\xff\xff\xff", 4);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_ERR_TOO_BIG);
	smb_tcp_frame_destroy(&f);
	free(buf);
}

static void test_bad_types_and_empty(void **state)
{
	static const char *const bad[] = { "\x01\x00\x00\x04",
					   "\x82\x00\x00\x00",
					   "\xff\x00\x00\x01" };
	struct smb_tcp_frame f;
	u8 *pdu;
	size_t len;

	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 0), 0);
		feed_all(&f, (const u8 *)bad[i], 4);
		assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
				 SMB_TCP_FRAME_ERR_TYPE);
		smb_tcp_frame_destroy(&f);
	}
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 0), 0);
	feed_all(&f, (const u8 *)"\x00\x00\x00\x00", 4);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_ERR_EMPTY);
	smb_tcp_frame_destroy(&f);

	/* An oversized keep-alive is not skipped forever. */
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 0), 0);
	feed_all(&f, (const u8 *)"\x85\x00\x10\x00", 4);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_ERR_TOO_BIG);
	smb_tcp_frame_destroy(&f);
}

static void test_session_request(void **state)
{
	struct smb_tcp_frame f;
	u8 req[4 + 68] = { 0x81, 0x00, 0x00, 0x44 };
	u8 out[5];
	u8 *pdu;
	size_t len;

	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 0), 0);
	feed_all(&f, req, sizeof(req));
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_SESSION_REQUEST);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_ERR_CLOSED);
	assert_int_equal(smb_tcp_frame_session_reject(out), 5);
	assert_memory_equal(out, "\x83\x00\x00\x01\x80", 5);
	smb_tcp_frame_destroy(&f);
}

static void test_direct_reads_land_in_pdu(void **state)
{
	struct smb_tcp_frame f;
	u8 msg[4 + 1000];
	u8 *buf, *pdu;
	size_t room, len, off;

	put_msg(msg, 1000, 0x40);
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 1000, 16), 0);
	assert_int_equal(smb_tcp_frame_rx_space(&f, &buf, &room), 0);
	assert_int_equal(room, 16);
	memcpy(buf, msg, 16);
	assert_int_equal(smb_tcp_frame_rx_commit(&f, 16), 0);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_NEED_MORE);
	/* The rest is offered as exactly the message's missing tail. */
	assert_int_equal(smb_tcp_frame_rx_space(&f, &buf, &room), 0);
	assert_int_equal(room, 1000 - 12);
	off = 16;
	memcpy(buf, msg + off, 500);
	assert_int_equal(smb_tcp_frame_rx_commit(&f, 500), 0);
	off += 500;
	assert_int_equal(smb_tcp_frame_rx_space(&f, &buf, &room), 0);
	assert_int_equal(room, sizeof(msg) - off);
	/* Committing more than offered is refused. */
	assert_int_equal(smb_tcp_frame_rx_commit(&f, room + 1),
			 SMB_TCP_FRAME_ERR_INVAL);
	smb_tcp_frame_destroy(&f);
}

static void test_stage_full_needs_parse(void **state)
{
	struct smb_tcp_frame f;
	u8 buf[3 * 14];
	size_t n = 0, used;

	for (int i = 0; i < 3; i++)
		n += put_msg(buf + n, 10, (u8)(i * 16));
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 8), 0);
	assert_int_equal(smb_tcp_frame_feed(&f, buf, n, &used), 0);
	assert_int_equal(used, 8);
	/* Parsing moves the staged bytes into the message, freeing room. */
	size_t pos = used;
	int got = 0;

	for (int guard = 0; guard < 100 && got < 3; guard++) {
		u8 *pdu;
		size_t len;
		int r = smb_tcp_frame_next(&f, &pdu, &len);

		if (r == SMB_TCP_FRAME_PDU) {
			check_msg(pdu, len, 10, (u8)(got * 16));
			smb_tcp_frame_free_pdu(&f, pdu);
			got++;
			continue;
		}
		assert_int_equal(r, SMB_TCP_FRAME_NEED_MORE);
		assert_int_equal(
			smb_tcp_frame_feed(&f, buf + pos, n - pos, &used), 0);
		assert_true(used > 0);
		pos += used;
	}
	assert_int_equal(got, 3);
	smb_tcp_frame_destroy(&f);
}

static void test_nomem_on_message(void **state)
{
	struct smb_tcp_frame f;
	u8 buf[20];
	u8 *pdu;
	size_t len, n = put_msg(buf, 16, 0);

	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 0), 0);
	acct.fail_after = 0;
	feed_all(&f, buf, n);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_ERR_NOMEM);
	acct.fail_after = -1;
	smb_tcp_frame_destroy(&f);
}

/* A partial message at destroy time must be freed. */
static void test_destroy_mid_message(void **state)
{
	struct smb_tcp_frame f;
	u8 buf[104];
	u8 *pdu;
	size_t len;

	put_msg(buf, 100, 0);
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 100, 0), 0);
	feed_all(&f, buf, 50);
	assert_int_equal(smb_tcp_frame_next(&f, &pdu, &len),
			 SMB_TCP_FRAME_NEED_MORE);
	assert_int_equal(acct.live, 2);
	smb_tcp_frame_destroy(&f);
}

/* Many messages cut at pseudo-random points (fixed seed, bounded). */
static void test_random_splits(void **state)
{
	enum { COUNT = 200 };
	struct smb_tcp_frame f;
	size_t cap = COUNT * (4 + 600), n = 0, pos = 0, got = 0;
	u8 *buf = malloc(cap);
	size_t lens[COUNT];
	u32 rng = 12345;

	assert_non_null(buf);
	for (int i = 0; i < COUNT; i++) {
		rng = rng * 1103515245u + 12345u;
		lens[i] = 1 + (rng >> 16) % 600;
		n += put_msg(buf + n, lens[i], (u8)i);
	}
	assert_int_equal(smb_tcp_frame_init(&f, &tmem, 600, 32), 0);
	while (pos < n) {
		size_t chunk, used;
		u8 *pdu;
		size_t len;
		int r;

		rng = rng * 1103515245u + 12345u;
		chunk = min_t(size_t, 1 + (rng >> 16) % 97, n - pos);
		assert_int_equal(
			smb_tcp_frame_feed(&f, buf + pos, chunk, &used), 0);
		pos += used;
		while ((r = smb_tcp_frame_next(&f, &pdu, &len)) ==
		       SMB_TCP_FRAME_PDU) {
			assert_true(got < COUNT);
			check_msg(pdu, len, lens[got], (u8)got);
			smb_tcp_frame_free_pdu(&f, pdu);
			got++;
		}
		assert_int_equal(r, SMB_TCP_FRAME_NEED_MORE);
	}
	assert_int_equal(got, COUNT);
	smb_tcp_frame_destroy(&f);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header_layout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_init_rejects_bad_args,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_and_need_more,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_byte_at_a_time, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_coalesced_with_keepalives,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_exact_and_oversize,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_types_and_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_session_request, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_direct_reads_land_in_pdu,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stage_full_needs_parse,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomem_on_message, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_destroy_mid_message, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_splits, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
