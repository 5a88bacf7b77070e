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
	/* ... or at the end of file named explicitly. */
	assert_int_equal(h_write(c, ap, "i", 1, 8), STATUS_SUCCESS);
	assert_int_equal(h_write(c, ap, "j", 1, 8), STATUS_ACCESS_DENIED);
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

/* READ/WRITE with an SMB Direct channel: buffer descriptors, data by RDMA. */
static void put_desc(struct h_req *r, u64 off, u32 token, u32 len)
{
	h_put64(r, off);
	h_put32(r, token);
	h_put32(r, len);
}

static void build_rdma_write(struct h_client *c, struct h_req *r,
			     const u8 fid[16], u32 channel, u32 length_field,
			     u32 remaining, u64 off, int ndesc,
			     const u32 *dlen, u32 token)
{
	h_req_init(c, r, SMB2_WRITE);
	h_req_charge(c, r, h_charge_for(remaining));
	h_put16(r, 49);
	h_put16(r, 0); /* DataOffset: no data in the message */
	h_put32(r, length_field);
	h_put64(r, off);
	h_put(r, fid, 16);
	h_put32(r, channel);
	h_put32(r, remaining);
	h_put16(r, SMB2_HDR_SIZE + 48); /* WriteChannelInfoOffset */
	h_put16(r, (u16)(16 * ndesc));
	h_put32(r, 0); /* Flags */
	for (int i = 0, pos = 0; i < ndesc; pos += (int)dlen[i], i++)
		put_desc(r, (u64)pos, token, dlen[i]);
}

static void build_rdma_read(struct h_client *c, struct h_req *r,
			    const u8 fid[16], u32 channel, u32 len, u64 off,
			    u16 info_len, u32 token, u32 desc_len)
{
	h_req_init(c, r, SMB2_READ);
	h_req_charge(c, r, h_charge_for(len));
	h_put16(r, 49);
	h_put8(r, 0);
	h_put8(r, 0);
	h_put32(r, len);
	h_put64(r, off);
	h_put(r, fid, 16);
	h_put32(r, 0); /* MinimumCount */
	h_put32(r, channel);
	h_put32(r, 0);
	h_put16(r, SMB2_HDR_SIZE + 48); /* ReadChannelInfoOffset */
	h_put16(r, info_len);
	put_desc(r, 1000, token, desc_len);
}

static void test_rdma_channels(void **state)
{
	struct h_client *c = h_client_new_rdma(*state, 2 * 65536);
	static const u32 two[] = { 40000, 25536 };
	u8 fid[16] = { 0 };
	const u8 *d = NULL;
	struct h_req r;
	u32 n = 0;

	static u8 orig[65536];

	for (size_t i = 0; i < 65536; i++)
		c->tc.rmem[i] = orig[i] = (u8)(i * 13 + 1);
	h_connect(c, SMB2_DIALECT_0300, "share");
	h_open_rw(c, "rdma.bin", FILE_OVERWRITE_IF, fid);

	/* WRITE pulled from two client buffers by one RDMA read. */
	build_rdma_write(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 0, 65536, 0, 2, two,
			 0x5eed);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(h_rbody(c) + 4), 65536);
	assert_int_equal(c->tc.rdma_reads, 1);
	assert_int_equal(h_read(c, fid, 65536, 0, &d, &n), STATUS_SUCCESS);
	assert_int_equal(n, 65536);
	assert_memory_equal(d, c->tc.rmem, 65536);

	/* READ pushed into client memory: DataLength 0, DataRemaining n. */
	build_rdma_read(c, &r, fid, SMB2_CHANNEL_RDMA_V1_INVALIDATE, 5000, 100,
			16, 0x5eed, 5000);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(h_rbody(c) + 4), 0);
	assert_int_equal(smb_get_le32(h_rbody(c) + 8), 5000);
	assert_int_equal(c->tc.rdma_writes, 1);
	assert_memory_equal(c->tc.rmem + 1000, orig + 100, 5000);

	/* Malformed channel information, each refused with a status. */
	build_rdma_read(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 5000, 0, 16, 0x5eed,
			4999); /* descriptors shorter than the read */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	build_rdma_read(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 5000, 0, 15, 0x5eed,
			5000); /* not a multiple of 16 */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	build_rdma_read(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 5000, 0, 32, 0x5eed,
			5000); /* runs past the request */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	build_rdma_read(c, &r, fid, 7, 5000, 0, 16, 0x5eed, 5000);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	build_rdma_write(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 10, 65536, 0, 2,
			 two, 0x5eed); /* Length must be 0 over RDMA */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	build_rdma_write(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 0, 70000, 0, 2, two,
			 0x5eed); /* more than the buffers hold */
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	assert_int_equal(c->tc.rdma_reads, 1);

	/* A remote access error (wrong token) drops the connection. */
	build_rdma_write(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 0, 65536, 0, 2, two,
			 0xbad);
	h_send(c, &r);
	assert_true(c->last_rc < 0);
	h_client_free(c);
}

/*
 * With pre-registered transport buffers: a WRITE's data is pulled into
 * one and it goes back at once; a READ's data is posted from one, which
 * the transport keeps until the Write completes; with none free the core
 * falls back to its own memory and a waited-for Write.
 */
static void test_rdma_pooled_buffers(void **state)
{
	struct h_client *c = h_client_new_rdma_pool(*state, 2 * 65536, 65536);
	static const u32 two[] = { 40000, 25536 };
	u8 fid[16] = { 0 };
	struct h_req r;

	for (size_t i = 0; i < 65536; i++)
		c->tc.rmem[i] = (u8)(i * 7 + 3);
	h_connect(c, SMB2_DIALECT_0302, "share");
	h_open_rw(c, "pool.bin", FILE_OVERWRITE_IF, fid);

	build_rdma_write(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 0, 65536, 0, 2, two,
			 0x5eed);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	assert_int_equal(c->tc.pool_gets, 1);
	assert_false(c->tc.pool_used[0] || c->tc.pool_used[1]);

	/* Two READs in flight hold both buffers until they complete. */
	for (int i = 0; i < 2; i++) {
		memset(c->tc.rmem + 1000, 0, 5000);
		build_rdma_read(c, &r, fid, SMB2_CHANNEL_RDMA_V1_INVALIDATE,
				5000, 100 + (u64)i, 16, 0x5eed, 5000);
		assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
		assert_int_equal(smb_get_le32(h_rbody(c) + 8), 5000);
		for (size_t k = 0; k < 5000; k++)
			assert_int_equal(c->tc.rmem[1000 + k],
					 (u8)((100 + i + k) * 7 + 3));
	}
	assert_int_equal(c->tc.posted_writes, 2);
	assert_true(c->tc.pool_used[0] && c->tc.pool_used[1]);

	/* None free: the core's own memory and a waited-for RDMA Write. */
	build_rdma_read(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 5000, 0, 16, 0x5eed,
			5000);
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	assert_int_equal(c->tc.posted_writes, 2);
	assert_int_equal(c->tc.rdma_writes, 3);
	assert_int_equal(c->tc.rmem[1000], 3);

	/* Completed: the buffers are back, and a READ at EOF gives one back. */
	h_rdma_complete(&c->tc);
	build_rdma_read(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 5000, 65536, 16,
			0x5eed, 5000);
	assert_int_equal(h_call(c, &r), STATUS_END_OF_FILE);
	assert_false(c->tc.pool_used[0] || c->tc.pool_used[1]);
	/* Larger than the transport's buffers: the core's memory again. */
	build_rdma_write(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 0, 65536, 0, 2, two,
			 0x5eed);
	c->tc.pool_size = 1000;
	assert_int_equal(h_call(c, &r), STATUS_SUCCESS);
	assert_int_equal(c->tc.pool_gets, 4);
	h_client_free(c);
}

static void test_rdma_channel_on_tcp(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 fid[16] = { 0 };
	struct h_req r;

	h_connect(c, SMB2_DIALECT_0311, "share");
	h_open_rw(c, "tcp.bin", FILE_OVERWRITE_IF, fid);
	build_rdma_read(c, &r, fid, SMB2_CHANNEL_RDMA_V1, 100, 0, 16, 1, 100);
	assert_int_equal(h_call(c, &r), STATUS_INVALID_PARAMETER);
	h_client_free(c);
}

/*
 * A transport that sends READ data from the file (sendfile over TCP):
 * a lone unsigned READ of 64 KiB or more leaves its data in the file;
 * signed, compounded or refused ones are read in by the core; a file
 * that shrank meanwhile gives zeros (already framed) or a shorter READ.
 */
static void test_read_data_sent_from_file(void **state)
{
	struct h_client *c = h_client_new_sendfile(*state);
	const size_t size = 300000;
	u8 *data = malloc(size);
	u8 fid[16] = { 0 };
	const u8 *d = NULL;
	struct h_req rs[2];
	u32 n = 0;

	assert_non_null(data);
	for (size_t i = 0; i < size; i++)
		data[i] = (u8)(i * 31 + 7);
	h_connect(c, SMB2_DIALECT_0311, "share");
	h_open_rw(c, "span.bin", FILE_OVERWRITE_IF, fid);
	assert_int_equal(h_write(c, fid, data, (u32)size, 0), STATUS_SUCCESS);
	c->sign = false;

	assert_int_equal(h_read(c, fid, 200000, 1000, &d, &n), STATUS_SUCCESS);
	assert_int_equal(n, 200000);
	assert_memory_equal(d, data + 1000, n);
	assert_int_equal(c->tc.file_sends, 1);
	/* Across the end: the bytes the file has, and the position after. */
	assert_int_equal(h_read(c, fid, 100000, 250000, &d, &n), STATUS_SUCCESS);
	assert_int_equal(n, 50000);
	assert_memory_equal(d, data + 250000, n);
	assert_int_equal(c->tc.file_sends, 2);
	/* At the end, or less than MinimumCount: END_OF_FILE, no data. */
	assert_int_equal(h_read(c, fid, 65536, size, &d, &n),
			 STATUS_END_OF_FILE);
	h_build_read(c, &rs[0], fid, 100000, 250000, 60000);
	assert_int_equal(h_call(c, &rs[0]), STATUS_END_OF_FILE);
	/* Small READs are read at once. */
	assert_int_equal(h_read(c, fid, 65535, 0, &d, &n), STATUS_SUCCESS);
	assert_int_equal(n, 65535);
	assert_memory_equal(d, data, n);
	assert_int_equal(c->tc.file_sends, 2);

	/* Refused (a stream, say): the core reads the data in. */
	c->tc.refuse_file = true;
	assert_int_equal(h_read(c, fid, 70000, 5, &d, &n), STATUS_SUCCESS);
	assert_int_equal(n, 70000);
	assert_memory_equal(d, data + 5, n);
	assert_int_equal(c->tc.file_sends, 3);
	c->tc.refuse_file = false;

	/* Signed responses carry the data they sign. */
	c->sign = true;
	assert_int_equal(h_read(c, fid, 100000, 0, &d, &n), STATUS_SUCCESS);
	assert_int_equal(n, 100000);
	assert_memory_equal(d, data, n);
	assert_true(smb_get_le32(h_rhdr(c) + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_SIGNED);
	assert_int_equal(c->bad_signatures, 0);
	assert_int_equal(c->tc.file_sends, 3);
	c->sign = false;

	/* Two READs in one compound: both read in, each 8-aligned. */
	h_build_read(c, &rs[0], fid, 65536, 0, 0);
	h_build_read(c, &rs[1], fid, 65536, 65536, 0);
	assert_int_equal(h_send_chain(c, rs, 2), 0);
	assert_non_null(h_recv(c));
	for (int i = 0; i < 2; i++) {
		size_t len;
		u8 *e = h_elem(c->last, i, &len);

		assert_non_null(e);
		assert_int_equal(h_status_of(e), STATUS_SUCCESS);
		assert_int_equal(smb_get_le32(e + SMB2_HDR_SIZE + 4), 65536);
		assert_memory_equal(e + e[SMB2_HDR_SIZE + 2],
				    data + 65536 * (size_t)i, 65536);
	}
	assert_int_equal(c->tc.file_sends, 3);

	/* Shrunk after the READ, sent from the file: zeros make up the
	 * framed length. */
	c->tc.shrink_file_to = 150000;
	assert_int_equal(h_read(c, fid, 100000, 100000, &d, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 100000);
	assert_memory_equal(d, data + 100000, 50000);
	for (size_t i = 50000; i < n; i++)
		assert_int_equal(d[i], 0);
	/* Shrunk, read in by the core: DataLength says what it read. */
	c->tc.refuse_file = true;
	c->tc.shrink_file_to = 120000;
	assert_int_equal(h_read(c, fid, 100000, 100000, &d, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 20000);
	assert_memory_equal(d, data + 100000, n);
	/* Nothing left by then: END_OF_FILE. */
	c->tc.shrink_file_to = 0;
	assert_int_equal(h_read(c, fid, 100000, 100, &d, &n),
			 STATUS_END_OF_FILE);
	free(data);
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
		T(test_rdma_channels),
		T(test_rdma_pooled_buffers),
		T(test_rdma_channel_on_tcp),
		T(test_read_data_sent_from_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
