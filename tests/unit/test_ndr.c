// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "ndr.h"
#include "rpc_test_util.h"

/* Alignment pads with zeros relative to the stream start (C706 14.2.2). */
static void test_writer_alignment(void **state)
{
	static const u8 want[] = { 0xaa, 0, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12,
				   0xbb, 0, 0,	  0,	0,    0,    0,	  0,
				   8,	 7, 6,	  5,	4,    3,    2,	  1 };
	struct smb_ndr_writer w;

	smb_ndr_writer_init(&w, &t_mem, 1024);
	smb_ndr_put_u8(&w, 0xaa);
	smb_ndr_put_u16(&w, 0x1234);
	smb_ndr_put_u32(&w, 0x12345678);
	smb_ndr_put_u8(&w, 0xbb);
	smb_ndr_put_u64(&w, 0x0102030405060708ull);
	assert_true(smb_ndr_writer_ok(&w));
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(w.buf, want, sizeof(want));
	smb_ndr_writer_free(&w);
}

/* Referent ids count up from 0x00020000 by 4; NULL is 0. */
static void test_writer_pointers(void **state)
{
	struct smb_ndr_writer w;

	smb_ndr_writer_init(&w, &t_mem, 1024);
	smb_ndr_put_ptr(&w, true);
	smb_ndr_put_ptr(&w, false);
	smb_ndr_put_ptr(&w, true);
	assert_int_equal(w.len, 12);
	assert_int_equal(smb_get_le32(w.buf), 0x00020000);
	assert_int_equal(smb_get_le32(w.buf + 4), 0);
	assert_int_equal(smb_get_le32(w.buf + 8), 0x00020004);
	smb_ndr_writer_free(&w);
}

/* [string] wchar_t*: max_count, offset 0, actual_count, UTF-16 + NUL. */
static void test_writer_string(void **state)
{
	static const u8 abc[] = { 4, 0, 0,   0, 0,   0, 0,   0, 4, 0,
				  0, 0, 'a', 0, 'b', 0, 'c', 0, 0, 0 };
	static const u8 empty[] = { 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 };
	static const u8 eacute[] = { 2, 0, 0, 0, 0,    0, 0, 0,
				     2, 0, 0, 0, 0xe9, 0, 0, 0 };
	struct smb_ndr_writer w;

	smb_ndr_writer_init(&w, &t_mem, 1024);
	smb_ndr_put_string(&w, "abc");
	assert_int_equal(w.len, sizeof(abc));
	assert_memory_equal(w.buf, abc, sizeof(abc));
	smb_ndr_writer_free(&w);

	smb_ndr_writer_init(&w, &t_mem, 1024);
	smb_ndr_put_string(&w, "");
	assert_memory_equal(w.buf, empty, sizeof(empty));
	smb_ndr_writer_free(&w);

	smb_ndr_writer_init(&w, &t_mem, 1024);
	smb_ndr_put_string(&w, "\xc3\xa9");
	assert_memory_equal(w.buf, eacute, sizeof(eacute));
	smb_ndr_put_string(&w, "\xff"); /* invalid UTF-8 */
	assert_false(smb_ndr_writer_ok(&w));
	smb_ndr_writer_free(&w);
}

/* Growth past the limit or a failed allocation is sticky. */
static void test_writer_limits(void **state)
{
	struct smb_ndr_writer w;
	size_t len;
	u8 *buf;

	smb_ndr_writer_init(&w, &t_mem, 8);
	smb_ndr_put_u64(&w, 1);
	assert_true(smb_ndr_writer_ok(&w));
	smb_ndr_put_u8(&w, 1);
	assert_false(smb_ndr_writer_ok(&w));
	smb_ndr_put_u32(&w, 1);
	assert_int_equal(w.len, 8);
	smb_ndr_writer_free(&w);

	alloc_fail_after = 0;
	smb_ndr_writer_init(&w, &t_mem, 1 << 20);
	smb_ndr_put_u32(&w, 1);
	assert_false(smb_ndr_writer_ok(&w));
	alloc_fail_after = -1;
	smb_ndr_writer_free(&w);

	/* Growing keeps the earlier bytes. */
	smb_ndr_writer_init(&w, &t_mem, 1 << 20);
	for (u32 i = 0; i < 1000; i++)
		smb_ndr_put_u32(&w, i);
	assert_true(smb_ndr_writer_ok(&w));
	buf = smb_ndr_writer_take(&w, &len);
	assert_int_equal(len, 4000);
	for (u32 i = 0; i < 1000; i++)
		assert_int_equal(smb_get_le32(buf + 4 * i), i);
	assert_null(w.buf);
	test_free(buf);
}

static void test_reader_scalars(void **state)
{
	static const u8 in[] = { 0x11, 0xee, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11,
				 1,    2,    3,	   4,	 5,    6,    7,	   8 };
	struct smb_ndr_reader r;

	smb_ndr_reader_init(&r, in, sizeof(in));
	assert_int_equal(smb_ndr_get_u8(&r), 0x11);
	assert_int_equal(smb_ndr_get_u16(&r), 0x1122);
	assert_int_equal(smb_ndr_get_u32(&r), 0x11223344);
	assert_int_equal(smb_ndr_get_u64(&r), 0x0807060504030201ull);
	assert_true(smb_ndr_reader_ok(&r));
	/* Past the end: zero and a sticky error. */
	assert_int_equal(smb_ndr_get_u8(&r), 0);
	assert_false(smb_ndr_reader_ok(&r));
	smb_ndr_reader_init(&r, in, 1);
	smb_ndr_get_u8(&r);
	assert_int_equal(smb_ndr_get_u16(&r), 0);
	assert_false(smb_ndr_reader_ok(&r));
	/* Alignment padding itself must be present. */
	smb_ndr_reader_init(&r, in, 5);
	smb_ndr_get_u8(&r);
	assert_false(smb_ndr_read_align(&r, 8));
}

static void put_counts(u8 *b, u32 max, u32 off, u32 act)
{
	smb_put_le32(b, max);
	smb_put_le32(b + 4, off);
	smb_put_le32(b + 8, act);
}

static int read_str(const u8 *b, size_t len, char *out, size_t size)
{
	struct smb_ndr_reader r;

	smb_ndr_reader_init(&r, b, len);
	return smb_ndr_get_string(&r, out, size);
}

static void test_reader_string(void **state)
{
	u8 b[64];
	char s[16];

	put_counts(b, 4, 0, 3);
	memcpy(b + 12, "h\0i\0\0\0", 6);
	assert_int_equal(read_str(b, 18, s, sizeof(s)), 2);
	assert_string_equal(s, "hi");
	/* Truncated code units. */
	assert_int_equal(read_str(b, 17, s, sizeof(s)), -1);
	/* Output buffer too small. */
	assert_int_equal(read_str(b, 18, s, 2), -1);
	/* Empty string: just the terminator. */
	put_counts(b, 1, 0, 1);
	memset(b + 12, 0, 2);
	assert_int_equal(read_str(b, 14, s, sizeof(s)), 0);
	assert_string_equal(s, "");
	/* UTF-16 surrogate pair -> 4-byte UTF-8. */
	put_counts(b, 3, 0, 3);
	memcpy(b + 12, "\x3d\xd8\x00\xde\0\0", 6);
	assert_int_equal(read_str(b, 18, s, sizeof(s)), 4);
	assert_string_equal(s, "\xf0\x9f\x98\x80");
}

/* count/offset/actual_count inconsistencies are refused. */
static void test_reader_string_malformed(void **state)
{
	u8 b[64];
	char s[16];

	memcpy(b + 12, "h\0i\0\0\0", 6);
	put_counts(b, 3, 1, 2); /* nonzero offset */
	assert_int_equal(read_str(b, 18, s, sizeof(s)), -1);
	put_counts(b, 2, 0, 3); /* actual > max */
	assert_int_equal(read_str(b, 18, s, sizeof(s)), -1);
	put_counts(b, 3, 0, 0); /* no terminator room */
	assert_int_equal(read_str(b, 18, s, sizeof(s)), -1);
	put_counts(b, 2, 0, 2); /* "hi" without its NUL */
	assert_int_equal(read_str(b, 16, s, sizeof(s)), -1);
	put_counts(b, 0xffffffff, 0, 0xffffffff); /* huge, no overflow */
	assert_int_equal(read_str(b, 18, s, sizeof(s)), -1);
	put_counts(b, 2000, 0, 2000); /* beyond SMB_NDR_MAX_STRING */
	assert_int_equal(read_str(b, 18, s, sizeof(s)), -1);
	put_counts(b, 3, 0, 3); /* embedded NUL */
	memcpy(b + 12, "\0\0i\0\0\0", 6);
	assert_int_equal(read_str(b, 18, s, sizeof(s)), -1);
	put_counts(b, 3, 0, 3); /* unpaired surrogate */
	memcpy(b + 12, "\x00\xd8i\0\0\0", 6);
	assert_int_equal(read_str(b, 18, s, sizeof(s)), -1);
	/* skip_string applies the same checks */
	{
		struct smb_ndr_reader r;

		put_counts(b, 3, 0, 3);
		memcpy(b + 12, "\0\0i\0\0\0", 6);
		smb_ndr_reader_init(&r, b, 18);
		assert_false(smb_ndr_skip_string(&r));
		memcpy(b + 12, "h\0i\0\0\0", 6);
		smb_ndr_reader_init(&r, b, 18);
		assert_true(smb_ndr_skip_string(&r));
		assert_int_equal(r.pos, 18);
	}
}

/* More non-NULL referents than SMB_NDR_MAX_POINTERS are refused. */
static void test_reader_pointer_budget(void **state)
{
	size_t n = SMB_NDR_MAX_POINTERS + 1;
	u8 *b = test_malloc(n * 4 + 4);
	struct smb_ndr_reader r;

	for (size_t i = 0; i < n; i++)
		smb_put_le32(b + 4 * i, 0x20000 + 4 * (u32)i);
	smb_put_le32(b + 4 * n, 0);
	smb_ndr_reader_init(&r, b, n * 4 + 4);
	for (size_t i = 0; i < n - 1; i++)
		assert_int_not_equal(smb_ndr_get_ptr(&r), 0);
	assert_true(smb_ndr_reader_ok(&r));
	assert_int_equal(smb_ndr_get_ptr(&r), 0);
	assert_false(smb_ndr_reader_ok(&r));
	test_free(b);
}

/* Arrays of flat structs with deferred strings round-trip. */
static void test_flat_array(void **state)
{
	struct smb_ndr_flat f[2] = {
		{ .str = { "a", "rem" }, .dw = { 7 } },
		{ .str = { "bb", NULL }, .dw = { 9 } },
	};
	struct smb_ndr_writer w;
	struct smb_ndr_reader r;
	size_t end;

	assert_int_equal(smb_ndr_flat_size("pdp", &f[0]), 12 + 4 + 8);
	assert_int_equal(smb_ndr_flat_size("pdp", &f[1]), 12 + 6);
	smb_ndr_writer_init(&w, &t_mem, 4096);
	smb_ndr_put_u32(&w, 2);
	smb_ndr_put_flat(&w, "pdp", &f[0]);
	smb_ndr_put_flat(&w, "pdp", &f[1]);
	smb_ndr_put_flat_deferred(&w, "pdp", &f[0]);
	smb_ndr_put_flat_deferred(&w, "pdp", &f[1]);
	smb_ndr_put_u32(&w, 0xdeadbeef);
	assert_true(smb_ndr_writer_ok(&w));
	/* NULL pointer written as 0, others numbered in order. */
	assert_int_equal(smb_get_le32(w.buf + 4), 0x20000);
	assert_int_equal(smb_get_le32(w.buf + 12), 0x20004);
	assert_int_equal(smb_get_le32(w.buf + 16), 0x20008);
	assert_int_equal(smb_get_le32(w.buf + 24), 0);

	smb_ndr_reader_init(&r, w.buf, w.len);
	assert_true(smb_ndr_skip_flat_array(&r, "pdp", 2));
	end = r.pos;
	assert_int_equal(smb_ndr_get_u32(&r), 0xdeadbeef);
	assert_int_equal(r.pos, r.len);
	/* max_count must match the count. */
	smb_ndr_reader_init(&r, w.buf, w.len);
	assert_false(smb_ndr_skip_flat_array(&r, "pdp", 3));
	/* A huge count against little data fails before looping. */
	smb_put_le32(w.buf, 0x40000000);
	smb_ndr_reader_init(&r, w.buf, w.len);
	assert_false(smb_ndr_skip_flat_array(&r, "pdp", 0x40000000));
	/* Truncation anywhere fails. */
	smb_put_le32(w.buf, 2);
	for (size_t cut = 0; cut < end; cut++) {
		smb_ndr_reader_init(&r, w.buf, cut);
		assert_false(smb_ndr_skip_flat_array(&r, "pdp", 2));
	}
	smb_ndr_writer_free(&w);
}

static void test_skip_unique_string(void **state)
{
	u8 b[32] = { 0 };
	struct smb_ndr_reader r;

	smb_ndr_reader_init(&r, b, 4); /* NULL pointer */
	assert_true(smb_ndr_skip_unique_string(&r));
	smb_put_le32(b, 0x20000);
	put_counts(b + 4, 2, 0, 2);
	memcpy(b + 16, "x\0\0\0", 4);
	smb_ndr_reader_init(&r, b, 20);
	assert_true(smb_ndr_skip_unique_string(&r));
	smb_ndr_reader_init(&r, b, 19);
	assert_false(smb_ndr_skip_unique_string(&r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_alignment),
		cmocka_unit_test(test_writer_pointers),
		cmocka_unit_test(test_writer_string),
		cmocka_unit_test(test_writer_limits),
		cmocka_unit_test(test_reader_scalars),
		cmocka_unit_test(test_reader_string),
		cmocka_unit_test(test_reader_string_malformed),
		cmocka_unit_test(test_reader_pointer_budget),
		cmocka_unit_test(test_flat_array),
		cmocka_unit_test(test_skip_unique_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
