// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "base64.h"

/* RFC 4648 section 10 test vectors. */
static const char *const plain[] = { "",     "f",     "fo",    "foo",
				     "foob", "fooba", "foobar" };
static const char *const coded[] = { "",	 "Zg==",     "Zm8=",	"Zm9v",
				     "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };

static void test_rfc4648_encode(void **state)
{
	char out[16];

	for (int i = 0; i < 7; i++) {
		assert_int_equal(smbd_base64_encode(plain[i], strlen(plain[i]),
						    out, sizeof(out)),
				 strlen(coded[i]));
		assert_string_equal(out, coded[i]);
		assert_int_equal(smbd_base64_encoded_len(strlen(plain[i])),
				 strlen(coded[i]));
	}
}

static void test_rfc4648_decode(void **state)
{
	u8 out[16];

	for (int i = 0; i < 7; i++) {
		int n = smbd_base64_decode(coded[i], strlen(coded[i]), out,
					   sizeof(out));

		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(out, plain[i], (size_t)n);
	}
}

/* The NT hash of "Password" as ksmbdpwd.db stores it. */
static void test_nt_hash_vector(void **state)
{
	static const u8 hash[16] = { 0xa4, 0xf4, 0x9c, 0x40, 0x65, 0x10,
				     0xbd, 0xca, 0xb6, 0x82, 0x4e, 0xe7,
				     0xc3, 0x0f, 0xd8, 0x52 };
	char out[25];
	u8 back[16];

	assert_int_equal(smbd_base64_encode(hash, 16, out, sizeof(out)), 24);
	assert_string_equal(out, "pPScQGUQvcq2gk7nww/YUg==");
	assert_int_equal(smbd_base64_decode(out, 24, back, sizeof(back)), 16);
	assert_memory_equal(back, hash, 16);
}

static void test_all_bytes_round_trip(void **state)
{
	u8 data[256], back[256];
	char text[400];

	for (int i = 0; i < 256; i++)
		data[i] = (u8)(255 - i);
	for (size_t len = 0; len <= sizeof(data); len++) {
		int n = smbd_base64_encode(data, len, text, sizeof(text));

		assert_int_equal(n, smbd_base64_encoded_len(len));
		assert_int_equal(smbd_base64_decode(text, (size_t)n, back,
						    sizeof(back)),
				 len);
		assert_memory_equal(back, data, len);
	}
}

static void test_decode_rejects(void **state)
{
	static const char *const bad[] = {
		"Zg", /* not a multiple of 4 */
		"Zg=",	      "Zm9v Yg==", /* whitespace */
		"Zm9v\nYg==", "Z===", /* too much padding */
		"====",	      "Zg==Zm9v", /* padding in the middle */
		"Zm=v", /* data after padding */
		"Zh==", /* non-zero unused bits */
		"Zm9=",	      "Zm9v!A==", /* not in the alphabet */
		"Zm9v-_==", /* base64url is not accepted */
	};
	u8 out[16];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(smbd_base64_decode(bad[i], strlen(bad[i]), out,
						    sizeof(out)),
				 -1);
}

static void test_no_room(void **state)
{
	char text[9];
	u8 out[5];

	/* "foobar" needs 8 characters plus the NUL. */
	assert_int_equal(smbd_base64_encode("foobar", 6, text, 8), -1);
	assert_string_equal(text, "");
	assert_int_equal(smbd_base64_encode("foobar", 6, text, 9), 8);
	assert_int_equal(smbd_base64_encode("x", 1, text, 0), -1);
	/* "foobar" decodes to 6 bytes. */
	assert_int_equal(smbd_base64_decode("Zm9vYmFy", 8, out, sizeof(out)),
			 -1);
	assert_int_equal(smbd_base64_decode("Zm9vYg==", 8, out, 4), 4);
	assert_int_equal(smbd_base64_decode("Zm9vYg==", 8, out, 3), -1);
}

/* A decoded length must never depend on anything past len. */
static void test_decode_respects_len(void **state)
{
	u8 out[16];

	assert_int_equal(smbd_base64_decode("Zm9vYmFy", 4, out, sizeof(out)),
			 3);
	assert_memory_equal(out, "foo", 3);
	assert_int_equal(smbd_base64_decode(NULL, 0, out, sizeof(out)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_encode),
		cmocka_unit_test(test_rfc4648_decode),
		cmocka_unit_test(test_nt_hash_vector),
		cmocka_unit_test(test_all_bytes_round_trip),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_no_room),
		cmocka_unit_test(test_decode_respects_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
