// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for core/rw.c: READ, WRITE and FLUSH. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

static const u16 dialects[] = { SMB2_DIALECT_0202, SMB2_DIALECT_0210,
				SMB2_DIALECT_0300, SMB2_DIALECT_0302,
				SMB2_DIALECT_0311 };

static void test_write_read_each_dialect(void **state)
{
	static u8 big[65536];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 7);
	for (size_t i = 0; i < ARRAY_SIZE(dialects); i++) {
		struct h_client *c = h_client_new(*state);
		u8 fid[16] = { 0 };
		const u8 *d = NULL;
		u32 n = 0;

		h_connect(c, dialects[i], "share");
		h_open_rw(c, "rw.bin", FILE_OVERWRITE_IF, fid);
		assert_int_equal(h_write(c, fid, big, sizeof(big), 0),
				 STATUS_SUCCESS);
		assert_int_equal(h_write(c, fid, "tail", 4, sizeof(big)),
				 STATUS_SUCCESS);
		assert_int_equal(h_read(c, fid, sizeof(big), 0, &d, &n),
				 STATUS_SUCCESS);
		assert_int_equal(n, sizeof(big));
		assert_memory_equal(d, big, sizeof(big));
		/* A read past the end returns what is there. */
		assert_int_equal(h_read(c, fid, 100, sizeof(big), &d, &n),
				 STATUS_SUCCESS);
		assert_int_equal(n, 4);
		assert_memory_equal(d, "tail", 4);
		assert_int_equal(h_read(c, fid, 100, sizeof(big) + 4, &d, &n),
				 STATUS_END_OF_FILE);
		assert_int_equal(h_flush(c, fid), STATUS_SUCCESS);
		assert_int_equal(h_close(c, fid), STATUS_SUCCESS);
		h_client_free(c);
	}
}

static void test_read_edges(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 fid[16] = { 0 }, dfid[16] = { 0 };
	struct h_req r;
	u32 n = 1;

	h_connect(c, SMB2_DIALECT_0311, "share");
	h_open_rw(c, "e", FILE_CREATE, fid);
	assert_int_equal(h_write(c, fid, "0123456789", 10, 0), STATUS_SUCCESS);
	/* Zero-length read. */
	assert_int_equal(h_read(c, fid, 0, 0, NULL, &n), STATUS_SUCCESS);
	assert_int_equal(n, 0);
	/* MinimumCount more than is there. */
	h_build_read(c, &r, fid, 10, 5, 6);
	assert_int_equal(h_call(c, &r), STATUS_END_OF_FILE);
	/* Larger than MaxReadSize. */
	assert_int_equal(h_read(c, fid, c->max_read + 1, 0, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	/* Offset + length overflow. */
	assert_int_equal(h_read(c, fid, 10, U64_MAX - 4, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_read(c, fid, 10, 0x7ffffffffffffffcull, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	/* An RDMA channel over TCP. */
	h_build_read(c, &r, fid, 10, 0, 0);
	h_set32(&r, H_BODY + 36, SMB2_CHANNEL_RDMA_V1);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* StructureSize and truncation. */
	h_build_read(c, &r, fid, 10, 0, 0);
	h_set16(&r, H_BODY, 48);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_read(c, &r, fid, 10, 0, 0);
	r.len = H_BODY + 30;
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* Unknown FileId, a directory, no read access. */
	memset(dfid, 0x44, 16);
	assert_int_equal(h_read(c, dfid, 10, 0, NULL, NULL),
			 STATUS_FILE_CLOSED);
	assert_int_equal(h_create(c, "dd", FILE_LIST_DIRECTORY, H_SHARE_ALL,
				  FILE_CREATE, FILE_DIRECTORY_FILE, dfid),
			 STATUS_SUCCESS);
	assert_int_equal(h_read(c, dfid, 10, 0, NULL, NULL),
			 STATUS_INVALID_DEVICE_REQUEST);
	assert_int_equal(h_close(c, dfid), STATUS_SUCCESS);
	assert_int_equal(h_create(c, "e", FILE_WRITE_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, dfid),
			 STATUS_SUCCESS);
	assert_int_equal(h_read(c, dfid, 10, 0, NULL, NULL),
			 STATUS_ACCESS_DENIED);
	h_client_free(c);
}

static void test_write_edges(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 fid[16] = { 0 }, ro[16] = { 0 }, ap[16] = { 0 };
	struct h_req r;
	const u8 *d = NULL;
	u32 n = 0;

	h_connect(c, SMB2_DIALECT_0302, "share");
	h_open_rw(c, "w", FILE_CREATE, fid);
	/* DataOffset/Length past the PDU, inside the header. */
	h_build_write(c, &r, fid, "abc", 3, 0);
	h_set16(&r, H_BODY + 2, 0xfff0);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_write(c, &r, fid, "abc", 3, 0);
	h_set32(&r, H_BODY + 4, 0xfffffff0u);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_write(c, &r, fid, "abc", 3, 0);
	h_set16(&r, H_BODY + 2, 4);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_write(c, &r, fid, "abc", 3, 0);
	h_set16(&r, H_BODY, 50);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_build_write(c, &r, fid, "abc", 3, 0);
	h_set32(&r, H_BODY + 32, SMB2_CHANNEL_RDMA_V1);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	/* Offsets beyond what a file may hold. */
	assert_int_equal(h_write(c, fid, "abc", 3, 0x7ffffffffffffffeull),
			 STATUS_INVALID_PARAMETER);
	/* Offset all-ones appends. */
	assert_int_equal(h_write(c, fid, "abc", 3, 0), STATUS_SUCCESS);
	assert_int_equal(h_write(c, fid, "def", 3, U64_MAX), STATUS_SUCCESS);
	assert_int_equal(h_read(c, fid, 10, 0, &d, &n), STATUS_SUCCESS);
	assert_int_equal(n, 6);
	assert_memory_equal(d, "abcdef", 6);
	/* WRITE_THROUGH flushes. */
	h_build_write(c, &r, fid, "g", 1, 6);
	h_set32(&r, H_BODY + 44, SMB2_WRITEFLAG_WRITE_THROUGH);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	/* No write access. */
	assert_int_equal(h_create(c, "w", FILE_READ_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, ro),
			 STATUS_SUCCESS);
	assert_int_equal(h_write(c, ro, "x", 1, 0), STATUS_ACCESS_DENIED);
	assert_int_equal(h_flush(c, ro), STATUS_ACCESS_DENIED);
	/* Append-only access writes at the end, whatever the offset. */
	assert_int_equal(h_create(c, "w", FILE_APPEND_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, ap),
			 STATUS_SUCCESS);
	assert_int_equal(h_write(c, ap, "h", 1, 0), STATUS_ACCESS_DENIED);
	assert_int_equal(h_write(c, ap, "h", 1, U64_MAX), STATUS_SUCCESS);
	assert_int_equal(h_read(c, fid, 10, 0, &d, &n), STATUS_SUCCESS);
	assert_int_equal(n, 8);
	assert_memory_equal(d, "abcdefgh", 8);
	/* Too large for MaxWriteSize. */
	{
		u8 *big = calloc(1, c->max_write + 1);

		assert_non_null(big);
		assert_int_equal(h_write(c, fid, big, c->max_write + 1, 0),
				 STATUS_INVALID_PARAMETER);
		free(big);
	}
	h_client_free(c);
}

static void test_flush(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 fid[16] = { 0 }, bad[16];
	struct h_req r;

	h_connect(c, SMB2_DIALECT_0210, "share");
	h_open_rw(c, "fl", FILE_CREATE, fid);
	assert_int_equal(h_flush(c, fid), STATUS_SUCCESS);
	assert_int_equal(smb_get_le16(h_rbody(c)), 4);
	h_build_fid_req(c, &r, SMB2_FLUSH, 0, fid);
	h_set16(&r, H_BODY, 4);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	memset(bad, 0x11, 16);
	assert_int_equal(h_flush(c, bad), STATUS_FILE_CLOSED);
	h_client_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
	const struct CMUnitTest tests[] = {
		T(test_write_read_each_dialect),
		T(test_read_edges),
		T(test_write_edges),
		T(test_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
