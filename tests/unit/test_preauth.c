// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "crypto_openssl.h"
#include "preauth.h"
#include "signing.h"
#include "smb2.h"
#include "hexutil.h"
#include "ms_smb_vectors.h"

static const struct smb_crypto_ops *ops;

static int setup(void **state)
{
	ops = smb_openssl_crypto_ops();
	return 0;
}

static const char *const chain[5] = {
	ms311_negotiate_req,	  ms311_negotiate_rsp,
	ms311_session_setup_req1, ms311_session_setup_rsp1,
	ms311_session_setup_req2,
};

static void test_init_is_zero(void **state)
{
	u8 h[64];

	memset(h, 0xaa, sizeof(h));
	smb311_preauth_init(h);
	for (int i = 0; i < 64; i++)
		assert_int_equal(h[i], 0);
}

/*
 * Run the Microsoft 3.1.1 example message by message, checking every
 * intermediate value; scattered passes header, an empty piece and body as
 * separate iovs.
 */
static void hash_ms_chain(u8 h[64], bool scattered)
{
	smb311_preauth_init(h);
	for (int i = 0; i < 5; i++) {
		size_t len;
		u8 *msg = hex_alloc(chain[i], &len);
		struct smb_iov iov[3] = {
			{ msg, SMB2_HDR_SIZE },
			{ msg + SMB2_HDR_SIZE, 0 },
			{ msg + SMB2_HDR_SIZE, len - SMB2_HDR_SIZE },
		};

		if (!scattered)
			iov[0].len = len;
		assert_int_equal(smb311_preauth_update(ops, h, iov,
						       scattered ? 3 : 1),
				 0);
		assert_true(hex_matches(h, 64, ms311_hash[i]));
		free(msg);
	}
}

static void test_ms_chain(void **state)
{
	u8 h[64];

	hash_ms_chain(h, false);
}

static void test_ms_chain_scattered(void **state)
{
	u8 h[64];

	hash_ms_chain(h, true);
}

/*
 * End to end: hash the exchange, derive the keys from the final hash and
 * check the server's signature on the final SESSION_SETUP response.
 */
static void test_ms_chain_to_signature(void **state)
{
	size_t len, klen;
	u8 h[64], *sk = hex_alloc(MS311_SESSION_KEY, &klen), *rsp;
	struct smb_keys keys;

	hash_ms_chain(h, false);
	assert_int_equal(smb_derive_keys(ops, SMB2_DIALECT_0311,
					 SMB2_ENCRYPTION_AES128_GCM, sk, h,
					 &keys),
			 0);
	assert_true(hex_matches(keys.signing, 16, MS311_SIGNING_KEY));
	rsp = hex_alloc(ms311_session_setup_rsp2, &len);
	assert_true(smb2_verify(ops, SMB2_SIGNING_AES_CMAC, keys.signing, rsp,
				len));
	free(rsp);
	free(sk);
}

static int failing_hash(enum smb_hash_alg alg, const struct smb_iov *iov,
			int niov, u8 *out)
{
	memset(out, 0xee, SMB_SHA512_SIZE);
	return -1;
}

static void test_bad_args(void **state)
{
	const struct smb_crypto_ops broken = { .hash = failing_hash };
	const struct smb_crypto_ops empty = { 0 };
	u8 h[64], before[64], msg[64] = { 0 };
	struct smb_iov iov[SMB311_PREAUTH_MAX_IOV + 1];

	for (int i = 0; i <= SMB311_PREAUTH_MAX_IOV; i++)
		iov[i] = (struct smb_iov){ msg, 1 };
	smb311_preauth_init(h);
	memcpy(before, h, sizeof(h));
	assert_int_equal(smb311_preauth_update(ops, h, iov, 0), -1);
	assert_int_equal(smb311_preauth_update(ops, h, iov, -1), -1);
	assert_int_equal(smb311_preauth_update(ops, h, iov,
					       SMB311_PREAUTH_MAX_IOV + 1),
			 -1);
	assert_int_equal(smb311_preauth_update(ops, h, NULL, 1), -1);
	assert_int_equal(smb311_preauth_update(ops, NULL, iov, 1), -1);
	assert_int_equal(smb311_preauth_update(NULL, h, iov, 1), -1);
	assert_int_equal(smb311_preauth_update(&empty, h, iov, 1), -1);
	iov[1].base = NULL;
	assert_int_equal(smb311_preauth_update(ops, h, iov, 2), -1);
	/* A failing hash must not corrupt the chain value. */
	assert_int_equal(smb311_preauth_update(&broken, h, iov, 1), -1);
	assert_memory_equal(h, before, sizeof(h));
	/* The maximum iov count works. */
	iov[1].base = msg;
	assert_int_equal(
		smb311_preauth_update(ops, h, iov, SMB311_PREAUTH_MAX_IOV), 0);
	assert_memory_not_equal(h, before, sizeof(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_zero),
		cmocka_unit_test(test_ms_chain),
		cmocka_unit_test(test_ms_chain_scattered),
		cmocka_unit_test(test_ms_chain_to_signature),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
