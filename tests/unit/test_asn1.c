// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "asn1.h"

static int read_one(const u8 *p, size_t len, struct asn1_tlv *t)
{
	struct asn1_reader r;

	asn1_reader_init(&r, p, len);
	return asn1_read(&r, t);
}

static void test_short_and_long_lengths(void **state)
{
	static const u8 short_form[] = { 0x04, 0x02, 0xaa, 0xbb };
	static u8 long1[3 + 200], long2[4 + 300], long4[6 + 5];
	struct asn1_tlv t;

	assert_int_equal(read_one(short_form, sizeof(short_form), &t), 0);
	assert_int_equal(t.tag, 0x04);
	assert_int_equal(t.len, 2);
	assert_ptr_equal(t.value, short_form + 2);
	assert_int_equal(t.raw_len, 4);

	long1[0] = 0x04;
	long1[1] = 0x81;
	long1[2] = 200;
	assert_int_equal(read_one(long1, sizeof(long1), &t), 0);
	assert_int_equal(t.len, 200);
	assert_ptr_equal(t.value, long1 + 3);

	long2[0] = 0x30;
	long2[1] = 0x82;
	long2[2] = 0x01;
	long2[3] = 0x2c;
	assert_int_equal(read_one(long2, sizeof(long2), &t), 0);
	assert_int_equal(t.len, 300);

	/* Four length bytes, non-minimal but definite: accepted (BER). */
	long4[0] = 0x04;
	long4[1] = 0x84;
	long4[5] = 5;
	assert_int_equal(read_one(long4, sizeof(long4), &t), 0);
	assert_int_equal(t.len, 5);
	assert_int_equal(t.raw_len, sizeof(long4));
}

static void test_rejects(void **state)
{
	static const u8 indefinite[] = { 0x30, 0x80, 0x04, 0x00, 0x00, 0x00 };
	static const u8 five_bytes[] = { 0x04, 0x85, 0, 0, 0, 0, 1, 0xaa };
	static const u8 past_end[] = { 0x04, 0x05, 0xaa, 0xbb };
	static const u8 long_past_end[] = { 0x04, 0x82, 0xff, 0xff, 0xaa };
	static const u8 huge[] = { 0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0 };
	static const u8 trunc_len[] = { 0x04, 0x82, 0x01 };
	static const u8 high_tag[] = { 0x1f, 0x81, 0x01, 0x00 };
	static const u8 one_byte[] = { 0x04 };
	struct asn1_tlv t;

	assert_int_equal(read_one(indefinite, sizeof(indefinite), &t), -1);
	assert_int_equal(read_one(five_bytes, sizeof(five_bytes), &t), -1);
	assert_int_equal(read_one(past_end, sizeof(past_end), &t), -1);
	assert_int_equal(read_one(long_past_end, sizeof(long_past_end), &t),
			 -1);
	assert_int_equal(read_one(huge, sizeof(huge), &t), -1);
	assert_int_equal(read_one(trunc_len, sizeof(trunc_len), &t), -1);
	assert_int_equal(read_one(high_tag, sizeof(high_tag), &t), -1);
	assert_int_equal(read_one(one_byte, sizeof(one_byte), &t), -1);
	assert_int_equal(read_one(one_byte, 0, &t), -1);
	assert_int_equal(read_one(NULL, 10, &t), -1);
}

/* Inner elements may not run past their parent even if the buffer goes on. */
static void test_enter_bounds(void **state)
{
	static const u8 seq[] = { 0x30, 0x03, 0x04, 0x03, 0xaa, 0xbb, 0xcc };
	static const u8 two[] = { 0x30, 0x02, 0x05, 0x00, 0x02, 0x01, 0x07 };
	struct asn1_reader r, inner;
	struct asn1_tlv t;

	asn1_reader_init(&r, seq, sizeof(seq));
	assert_int_equal(asn1_enter(&r, 0x30, &inner), 0);
	assert_int_equal(inner.depth, 1);
	assert_int_equal(asn1_read(&inner, &t), -1);

	asn1_reader_init(&r, two, sizeof(two));
	assert_int_equal(asn1_peek_tag(&r), 0x30);
	assert_int_equal(asn1_enter(&r, 0x31, &inner), -1);
	assert_int_equal(asn1_enter(&r, 0x30, &inner), 0);
	assert_int_equal(asn1_read_tag(&inner, 0x05, &t), 0);
	assert_int_equal(t.len, 0);
	assert_true(asn1_at_end(&inner));
	assert_int_equal(asn1_peek_tag(&inner), -1);
	assert_int_equal(asn1_read_tag(&r, 0x04, &t), -1);
	assert_int_equal(asn1_read_tag(&r, 0x02, &t), 0);
	assert_int_equal(t.value[0], 7);
	assert_true(asn1_at_end(&r));
	assert_int_equal(asn1_read(&r, &t), -1);
}

/* Nesting deeper than ASN1_MAX_DEPTH is refused. */
static void test_depth_limit(void **state)
{
	u8 buf[64];
	struct asn1_reader r, inner;
	int i, depth = 20;

	/* 20 nested empty-ended SEQUENCEs: 30 26 30 24 ... 30 00 */
	for (i = 0; i < depth; i++) {
		buf[2 * i] = 0x30;
		buf[2 * i + 1] = (u8)(2 * (depth - 1 - i));
	}
	asn1_reader_init(&r, buf, 2 * (size_t)depth);
	for (i = 0; i < ASN1_MAX_DEPTH; i++) {
		assert_int_equal(asn1_enter(&r, 0x30, &inner), 0);
		r = inner;
	}
	assert_int_equal(asn1_enter(&r, 0x30, &inner), -1);
}

static void test_writer(void **state)
{
	static const u8 want[] = { 0x30, 0x08, 0xa0, 0x03, 0x0a,
				   0x01, 0x01, 0x04, 0x01, 0x55 };
	u8 buf[600], big[300];
	struct asn1_writer w;
	struct asn1_reader r, inner;
	struct asn1_tlv t;
	u8 one = 1;

	asn1_writer_init(&w, buf, sizeof(buf));
	asn1_open(&w, 0x30);
	asn1_open(&w, 0xa0);
	asn1_put(&w, 0x0a, &one, 1);
	asn1_close(&w);
	asn1_put(&w, 0x04, "\x55", 1);
	asn1_close(&w);
	assert_int_equal(asn1_finish(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));

	/* Contents of 300 bytes inside a 0x82 header, inside another. */
	memset(big, 0x42, sizeof(big));
	asn1_writer_init(&w, buf, sizeof(buf));
	asn1_open(&w, 0x30);
	asn1_put(&w, 0x04, big, sizeof(big));
	asn1_close(&w);
	assert_int_equal(asn1_finish(&w), 4 + 4 + 300);
	assert_int_equal(buf[1], 0x82);
	assert_int_equal(buf[2], 0x01);
	assert_int_equal(buf[3], 0x30);
	asn1_reader_init(&r, buf, 308);
	assert_int_equal(asn1_enter(&r, 0x30, &inner), 0);
	assert_int_equal(asn1_read_tag(&inner, 0x04, &t), 0);
	assert_int_equal(t.len, 300);
	assert_memory_equal(t.value, big, 300);

	/* Exactly 128 bytes needs the long form. */
	asn1_writer_init(&w, buf, sizeof(buf));
	asn1_put(&w, 0x04, big, 128);
	assert_int_equal(asn1_finish(&w), 3 + 128);
	assert_int_equal(buf[1], 0x81);
	assert_int_equal(buf[2], 0x80);
}

static void test_writer_errors(void **state)
{
	u8 buf[16], big[64] = { 0 };
	struct asn1_writer w;
	int i;
	size_t size;

	/* Every buffer shorter than needed fails, the exact one works. */
	for (size = 0; size <= 12; size++) {
		asn1_writer_init(&w, buf, size);
		asn1_open(&w, 0x30);
		asn1_put(&w, 0x04, big, 8);
		asn1_close(&w);
		assert_int_equal(asn1_finish(&w), size < 12 ? -1 : 12);
	}
	/* The close of a long element needs room for its longer length. */
	{
		u8 b2[3 + 130];

		asn1_writer_init(&w, b2, sizeof(b2) - 1);
		asn1_open(&w, 0x30);
		asn1_put_raw(&w, big, 64);
		asn1_put_raw(&w, big, 64);
		asn1_put_raw(&w, big, 2);
		asn1_close(&w);
		assert_int_equal(asn1_finish(&w), -1);
	}
	asn1_writer_init(&w, buf, sizeof(buf));
	asn1_open(&w, 0x30);
	assert_int_equal(asn1_finish(&w), -1);
	asn1_writer_init(&w, buf, sizeof(buf));
	asn1_close(&w);
	assert_int_equal(asn1_finish(&w), -1);
	asn1_writer_init(&w, buf, sizeof(buf));
	for (i = 0; i <= ASN1_MAX_DEPTH; i++)
		asn1_open(&w, 0x30);
	for (i = 0; i <= ASN1_MAX_DEPTH; i++)
		asn1_close(&w);
	assert_int_equal(asn1_finish(&w), -1);
	asn1_writer_init(&w, NULL, 100);
	asn1_put(&w, 0x04, big, 1);
	assert_int_equal(asn1_finish(&w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_and_long_lengths),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_enter_bounds),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
