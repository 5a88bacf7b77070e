// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/fsctl.c: the FSCTL input parsers with malformed buffers,
 * and each control through the wire (snapshots, sparse, allocated ranges,
 * zeroing, resume keys and server-side copy with its limits, reparse
 * points, compression, unknown controls).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"
#include "lock_client.h"
#include "fsctl.h"

static void test_parse_ranges(void **state)
{
	struct smb_fsctl_range r;
	u8 in[16];

	(void)state;
	smb_put_le64(in, 4096);
	smb_put_le64(in + 8, 8192);
	assert_int_equal(smb_fsctl_parse_qar(in, 16, &r), STATUS_SUCCESS);
	assert_int_equal(r.offset, 4096);
	assert_int_equal(r.length, 8192);
	assert_int_equal(smb_fsctl_parse_qar(in, 15, &r),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(smb_fsctl_parse_zero_data(in, 16, &r), STATUS_SUCCESS);
	assert_int_equal(r.length, 4096);
	assert_int_equal(smb_fsctl_parse_zero_data(in, 8, &r),
			 STATUS_INVALID_PARAMETER);
	/* Negative (as signed) offsets and lengths, sums past INT64_MAX. */
	smb_put_le64(in, 0x8000000000000000ull);
	assert_int_equal(smb_fsctl_parse_qar(in, 16, &r),
			 STATUS_INVALID_PARAMETER);
	smb_put_le64(in, 0x7fffffffffffff00ull);
	smb_put_le64(in + 8, 0x1000);
	assert_int_equal(smb_fsctl_parse_qar(in, 16, &r),
			 STATUS_INVALID_PARAMETER);
	/* BeyondFinalZero before FileOffset. */
	smb_put_le64(in, 100);
	smb_put_le64(in + 8, 99);
	assert_int_equal(smb_fsctl_parse_zero_data(in, 16, &r),
			 STATUS_INVALID_PARAMETER);
	smb_put_le64(in + 8, 0xffffffffffffffffull);
	assert_int_equal(smb_fsctl_parse_zero_data(in, 16, &r),
			 STATUS_INVALID_PARAMETER);
}

/* A SRV_COPYCHUNK_COPY with n chunks of len bytes each. */
static size_t chunk_req(u8 *buf, const u8 key[24], u32 n, u32 len)
{
	u32 i;

	memset(buf, 0, SMB_COPYCHUNK_HDR + (size_t)n * SMB_COPYCHUNK_ENTRY);
	memcpy(buf, key, 24);
	smb_put_le32(buf + 24, n);
	for (i = 0; i < n; i++) {
		u8 *e = buf + SMB_COPYCHUNK_HDR +
			(size_t)i * SMB_COPYCHUNK_ENTRY;

		smb_put_le64(e, (u64)i * len);
		smb_put_le64(e + 8, (u64)i * len);
		smb_put_le32(e + 16, len);
	}
	return SMB_COPYCHUNK_HDR + (size_t)n * SMB_COPYCHUNK_ENTRY;
}

static void test_parse_copychunk(void **state)
{
	static u8 buf[SMB_COPYCHUNK_HDR + 300 * SMB_COPYCHUNK_ENTRY];
	u8 key[24] = { 1 };
	const u8 *k;
	u32 count;
	bool over;
	size_t n = chunk_req(buf, key, 2, 4096);
	struct smb_copychunk c;

	(void)state;
	assert_int_equal(smb_fsctl_parse_copychunk(buf, n, &k, &count, &over),
			 STATUS_SUCCESS);
	assert_int_equal(count, 2);
	assert_false(over);
	smb_fsctl_copychunk_at(buf, 1, &c);
	assert_int_equal(c.src_off, 4096);
	assert_int_equal(c.length, 4096);
	/* Shorter than the key; truncated header; array short of the count. */
	assert_int_equal(smb_fsctl_parse_copychunk(buf, 23, &k, &count, &over),
			 STATUS_INVALID_PARAMETER);
	assert_false(over);
	assert_int_equal(smb_fsctl_parse_copychunk(buf, 31, &k, &count, &over),
			 STATUS_INVALID_PARAMETER);
	assert_true(over);
	assert_int_equal(smb_fsctl_parse_copychunk(buf, n - 1, &k, &count,
						   &over),
			 STATUS_INVALID_PARAMETER);
	assert_true(over);
	smb_put_le32(buf + 24, 0xffffffffu); /* huge count: over the limits */
	assert_int_equal(smb_fsctl_parse_copychunk(buf, n, &k, &count, &over),
			 STATUS_INVALID_PARAMETER);
	assert_true(over);
	/* Limits: chunk count, chunk size, zero-length chunk, total. */
	n = chunk_req(buf, key, 257, 16);
	assert_int_equal(smb_fsctl_parse_copychunk(buf, n, &k, &count, &over),
			 STATUS_INVALID_PARAMETER);
	assert_true(over);
	n = chunk_req(buf, key, 1, SMB_COPYCHUNK_MAX_CHUNK_SIZE + 1);
	smb_fsctl_parse_copychunk(buf, n, &k, &count, &over);
	assert_true(over);
	n = chunk_req(buf, key, 1, 0);
	smb_fsctl_parse_copychunk(buf, n, &k, &count, &over);
	assert_true(over);
	n = chunk_req(buf, key, 17, SMB_COPYCHUNK_MAX_CHUNK_SIZE);
	smb_fsctl_parse_copychunk(buf, n, &k, &count, &over);
	assert_true(over);
	/* Offsets whose end would pass INT64_MAX. */
	n = chunk_req(buf, key, 1, 4096);
	smb_put_le64(buf + SMB_COPYCHUNK_HDR, 0x7ffffffffffff000ull);
	assert_int_equal(smb_fsctl_parse_copychunk(buf, n, &k, &count, &over),
			 STATUS_INVALID_PARAMETER);
	assert_true(over);
}

static struct h_client *with_file(void **state, const char *name, u32 size,
				  u8 fid[16])
{
	struct h_client *c = h_client_new(*state);
	static u8 data[65536];
	u32 i;

	h_connect(c, SMB2_DIALECT_0311, "share");
	for (i = 0; i < sizeof(data); i++)
		data[i] = (u8)(i * 7 + 1);
	h_open_rw(c, name, FILE_CREATE, fid);
	if (size)
		assert_int_equal(h_write(c, fid, data, size, 0),
				 STATUS_SUCCESS);
	return c;
}

static void test_snapshots_reparse_unknown(void **state)
{
	u8 fid[16] = { 0 };
	struct h_client *c = with_file(state, "f", 10, fid);
	const u8 *o = NULL;
	u32 n = 0;

	assert_int_equal(h_ioctl(c, FSCTL_SRV_ENUMERATE_SNAPSHOTS, fid, NULL, 0,
				 65536, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 14);
	assert_int_equal(smb_get_le32(o), 0);
	assert_int_equal(smb_get_le32(o + 4), 0);
	assert_int_equal(smb_get_le32(o + 8), 2);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_ENUMERATE_SNAPSHOTS, fid, NULL, 0,
				 16, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 16);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_ENUMERATE_SNAPSHOTS, fid, NULL, 0,
				 15, &o, &n),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_ioctl(c, FSCTL_GET_REPARSE_POINT, fid, NULL, 0, 4096,
				 &o, &n),
			 STATUS_NOT_A_REPARSE_POINT);
	assert_int_equal(h_ioctl(c, FSCTL_GET_COMPRESSION, fid, NULL, 0, 2, &o,
				 &n),
			 STATUS_SUCCESS);
	assert_int_equal(smb_get_le16(o), 0);
	assert_int_equal(h_ioctl(c, FSCTL_SET_COMPRESSION, fid, "\x01\x00", 2,
				 0, &o, &n),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(h_ioctl(c, FSCTL_SET_COMPRESSION, fid, "\x00", 1, 0,
				 &o, &n),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_ioctl(c, 0x00090000u | (99u << 2), fid, NULL, 0, 0,
				 &o, &n),
			 STATUS_INVALID_DEVICE_REQUEST);
	h_client_free(c);
}

/* FSCTL_CREATE_OR_GET_OBJECT_ID: stable, derived from the file's identity. */
static void test_object_id(void **state)
{
	u8 fid[16] = { 0 }, fid2[16], first[64];
	struct h_client *c = with_file(state, "f", 10, fid);
	const u8 *o = NULL;
	struct stat sb;
	char path[1024];
	u32 n = 0;

	assert_int_equal(h_ioctl(c, FSCTL_CREATE_OR_GET_OBJECT_ID, fid, NULL, 0,
				 64, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 64);
	memcpy(first, o, 64);
	snprintf(path, sizeof(path), "%s/f", ((struct h_env *)*state)->rw);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(smb_get_le64(first) == (u64)sb.st_ino);
	/* BirthObjectId repeats ObjectId; DomainId is zero. */
	assert_memory_equal(first + 32, first, 16);
	for (int i = 48; i < 64; i++)
		assert_int_equal(first[i], 0);
	/* Another handle on the same file gets the same id. */
	h_open_rw(c, "f", FILE_OPEN, fid2);
	assert_int_equal(h_ioctl(c, FSCTL_CREATE_OR_GET_OBJECT_ID, fid2, NULL,
				 0, 4096, &o, &n),
			 STATUS_SUCCESS);
	assert_memory_equal(o, first, 64);
	/* No room for the 64-byte FILE_OBJECTID_BUFFER. */
	assert_int_equal(h_ioctl(c, FSCTL_CREATE_OR_GET_OBJECT_ID, fid, NULL, 0,
				 63, &o, &n),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(h_close(c, fid2), STATUS_SUCCESS);
	h_client_free(c);
}

static u32 qar(struct h_client *c, const u8 fid[16], u64 off, u64 len,
	       u32 max_out, const u8 **o, u32 *n)
{
	u8 in[16];

	smb_put_le64(in, off);
	smb_put_le64(in + 8, len);
	return h_ioctl(c, FSCTL_QUERY_ALLOCATED_RANGES, fid, in, 16, max_out, o,
		       n);
}

static void test_sparse_ranges_zero(void **state)
{
	u8 fid[16] = { 0 }, z[16];
	struct h_client *c = with_file(state, "sp", 0, fid);
	const u8 *o = NULL;
	u32 n = 0;
	u8 big[4096];

	memset(big, 0xab, sizeof(big));
	/* Empty file: no ranges, even with no room for any. */
	assert_int_equal(qar(c, fid, 0, 1024, 0, &o, &n), STATUS_SUCCESS);
	assert_int_equal(n, 0);
	assert_int_equal(h_write(c, fid, big, sizeof(big), 0), STATUS_SUCCESS);
	assert_int_equal(h_write(c, fid, big, sizeof(big), 1024 * 1024),
			 STATUS_SUCCESS);
	/* Not sparse: one range, clipped to the end of file. */
	assert_int_equal(qar(c, fid, 0, 1ull << 40, 1024, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 16);
	assert_int_equal(smb_get_le64(o + 8), 1024 * 1024 + 4096);
	assert_int_equal(qar(c, fid, 0, 100, 0, &o, &n),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(qar(c, fid, 0, 100, 8, &o, &n),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(h_ioctl(c, FSCTL_QUERY_ALLOCATED_RANGES, fid, "x", 1,
				 64, &o, &n),
			 STATUS_INVALID_PARAMETER);
	/* Sparse: the hole in the middle shows. */
	assert_int_equal(h_ioctl(c, FSCTL_SET_SPARSE, fid, NULL, 0, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileBasicInformation, 40, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_true(smb_get_le32(o + 32) & FILE_ATTRIBUTE_SPARSE_FILE);
	assert_int_equal(qar(c, fid, 0, 1ull << 40, 1024, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 32);
	assert_int_equal(smb_get_le64(o), 0);
	assert_int_equal(smb_get_le64(o + 16 + 8), 4096);
	/* Room for one of the two ranges. */
	assert_int_equal(qar(c, fid, 0, 1ull << 40, 16, &o, &n),
			 STATUS_BUFFER_OVERFLOW);
	assert_int_equal(n, 16);
	/* Zeroing punches a hole: the first range goes away. */
	smb_put_le64(z, 0);
	smb_put_le64(z + 8, 4096);
	assert_int_equal(h_ioctl(c, FSCTL_SET_ZERO_DATA, fid, z, 16, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(qar(c, fid, 0, 1ull << 40, 1024, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 16);
	assert_int_equal(smb_get_le64(o), 1024 * 1024);
	assert_int_equal(h_read(c, fid, 16, 0, &o, &n), STATUS_SUCCESS);
	assert_int_equal(o[0] | o[15], 0);
	/* Malformed zero-data input. */
	smb_put_le64(z + 8, 0);
	smb_put_le64(z, 1);
	assert_int_equal(h_ioctl(c, FSCTL_SET_ZERO_DATA, fid, z, 16, 0, &o, &n),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_ioctl(c, FSCTL_SET_ZERO_DATA, fid, z, 15, 0, &o, &n),
			 STATUS_INVALID_PARAMETER);
	/* Clearing the flag. */
	assert_int_equal(h_ioctl(c, FSCTL_SET_SPARSE, fid, "\0", 1, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(h_query_info(c, fid, SMB2_0_INFO_FILE,
				      FileBasicInformation, 40, 0, &o, &n),
			 STATUS_SUCCESS);
	assert_false(smb_get_le32(o + 32) & FILE_ATTRIBUTE_SPARSE_FILE);
	h_client_free(c);
}

/* An open of "src" with write access only. */
static const u8 *ro_src_fid(struct h_client *c)
{
	static u8 fid[16];

	assert_int_equal(h_create(c, "src", FILE_WRITE_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, fid),
			 STATUS_SUCCESS);
	return fid;
}

static void test_copychunk(void **state)
{
	static u8 buf[SMB_COPYCHUNK_HDR + 300 * SMB_COPYCHUNK_ENTRY];
	u8 src[16] = { 0 }, dst[16] = { 0 }, ro[16] = { 0 }, key[24];
	struct h_client *c = with_file(state, "src", 8192, src);
	const u8 *o = NULL, *d = NULL;
	u32 n = 0, dn = 0;
	size_t len;

	h_open_rw(c, "dst", FILE_CREATE, dst);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_REQUEST_RESUME_KEY, src, NULL, 0,
				 32, &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 32);
	memcpy(key, o, 24);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_REQUEST_RESUME_KEY, src, NULL, 0,
				 31, &o, &n),
			 STATUS_INVALID_PARAMETER);
	/* Two chunks of 4 KiB. */
	len = chunk_req(buf, key, 2, 4096);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK, dst, buf, (u32)len, 12,
				 &o, &n),
			 STATUS_SUCCESS);
	assert_int_equal(n, 12);
	assert_int_equal(smb_get_le32(o), 2);
	assert_int_equal(smb_get_le32(o + 8), 8192);
	assert_int_equal(h_read(c, src, 8192, 0, &o, &n), STATUS_SUCCESS);
	{
		u8 copy[8192];

		memcpy(copy, o, 8192);
		assert_int_equal(h_read(c, dst, 8192, 0, &d, &dn),
				 STATUS_SUCCESS);
		assert_int_equal(dn, 8192);
		assert_memory_equal(d, copy, 8192);
	}
	/* Past the source's end: the first chunk is done and counted. */
	smb_put_le32(buf + SMB_COPYCHUNK_HDR + SMB_COPYCHUNK_ENTRY + 16, 8192);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK, dst, buf, (u32)len, 12,
				 &o, &n),
			 STATUS_INVALID_VIEW_SIZE);
	assert_int_equal(smb_get_le32(h_rbody(c) + 36), 12);
	/* Over the limits: the limits come back with INVALID_PARAMETER. */
	len = chunk_req(buf, key, 257, 16);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK_WRITE, dst, buf,
				 (u32)len, 12, &o, &n),
			 STATUS_INVALID_PARAMETER);
	{
		const u8 *b = h_rbody(c);
		const u8 *out = h_rhdr(c) + smb_get_le32(b + 32);

		assert_int_equal(smb_get_le16(b), 49);
		assert_int_equal(smb_get_le32(out), SMB_COPYCHUNK_MAX_CHUNKS);
		assert_int_equal(smb_get_le32(out + 4),
				 SMB_COPYCHUNK_MAX_CHUNK_SIZE);
		assert_int_equal(smb_get_le32(out + 8),
				 SMB_COPYCHUNK_MAX_TOTAL);
	}
	/* Byte-range locks of other handles hold for the copy too. */
	{
		u8 lk[16] = { 0 };

		h_open_rw(c, "src", FILE_OPEN, lk);
		assert_int_equal(l_lock(c, lk, 0, 10, L_EX | L_FI),
				 STATUS_SUCCESS);
		len = chunk_req(buf, key, 1, 4096);
		assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK, dst, buf,
					 (u32)len, 12, &o, &n),
				 STATUS_FILE_LOCK_CONFLICT);
		assert_int_equal(h_close(c, lk), STATUS_SUCCESS);
	}
	/* Too small an output, an unknown key, a truncated request. */
	len = chunk_req(buf, key, 1, 4096);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK, dst, buf, (u32)len, 11,
				 &o, &n),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK, dst, buf, 20, 12, &o,
				 &n),
			 STATUS_INVALID_PARAMETER);
	buf[8] ^= 0x55;
	assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK, dst, buf, (u32)len, 12,
				 &o, &n),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	buf[8] ^= 0x55;
	/* The source needs read access. */
	assert_int_equal(h_ioctl(c, FSCTL_SRV_REQUEST_RESUME_KEY, ro_src_fid(c),
				 NULL, 0, 32, &o, &n),
			 STATUS_SUCCESS);
	{
		u8 k2[24];

		memcpy(k2, o, 24);
		len = chunk_req(buf, k2, 1, 4096);
		assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK, dst, buf,
					 (u32)len, 12, &o, &n),
				 STATUS_ACCESS_DENIED);
		len = chunk_req(buf, key, 1, 4096);
	}
	/* The target needs read access for COPYCHUNK, not for _WRITE. */
	assert_int_equal(h_create(c, "dst", FILE_WRITE_DATA, H_SHARE_ALL,
				  FILE_OPEN, 0, ro),
			 STATUS_SUCCESS);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK, ro, buf, (u32)len, 12,
				 &o, &n),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(h_ioctl(c, FSCTL_SRV_COPYCHUNK_WRITE, ro, buf,
				 (u32)len, 12, &o, &n),
			 STATUS_SUCCESS);
	h_client_free(c);
}

/* A file opened for writing only (no read) can be written to. */
static void test_write_only_handle(void **state)
{
	struct h_client *c = h_client_new(*state);
	u8 fid[16] = { 0 };

	h_connect(c, SMB2_DIALECT_0311, "share");
	assert_int_equal(
		h_create(c, "wo",
			 FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA |
				 FILE_WRITE_ATTRIBUTES | READ_CONTROL |
				 SYNCHRONIZE,
			 FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			 FILE_OPEN_IF, 0, fid),
		STATUS_SUCCESS);
	assert_int_equal(h_write(c, fid, "data", 4, 0), STATUS_SUCCESS);
	h_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ranges),
		cmocka_unit_test(test_parse_copychunk),
		cmocka_unit_test_setup_teardown(test_snapshots_reparse_unknown,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_object_id, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_sparse_ranges_zero,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_copychunk, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_write_only_handle, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
