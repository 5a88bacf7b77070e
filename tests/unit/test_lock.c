// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/lock.c: SMB2 LOCK request validation, the byte-range
 * conflict rules (shared/exclusive, zero-length, 64-bit ranges), unlock
 * matching, all-or-none arrays, READ/WRITE conflicts and release on close,
 * with two clients on one server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"
#include "lock_client.h"

static void test_malformed_requests(void **state)
{
	struct l_two t;
	struct l_el el[2] = { { 0, 10, L_EX | L_FI }, { 20, 10, L_EX | L_FI } };
	struct h_req r;
	u8 bad_fid[16];

	l_two_open(state, &t, SMB2_DIALECT_0302);
	/* LockCount 0. */
	l_build(t.a, &r, t.fa, el, 1, 0);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	/* LockCount past the buffer, and far past it. */
	l_build(t.a, &r, t.fa, el, 1, 2);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	l_build(t.a, &r, t.fa, el, 2, 0xffff);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	/* An element cut short. */
	l_build(t.a, &r, t.fa, el, 1, 1);
	r.len -= 5;
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	/* Only the fixed part, and a wrong StructureSize. */
	l_build(t.a, &r, t.fa, el, 0, 1);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	l_build(t.a, &r, t.fa, el, 1, 1);
	h_set16(&r, H_BODY, 47);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	/* An unknown handle. */
	memcpy(bad_fid, t.fa, 16);
	bad_fid[0] ^= 0x55;
	assert_int_equal(l_lock(t.a, bad_fid, 0, 1, L_EX), STATUS_FILE_CLOSED);
	/* Nothing above took a lock. */
	assert_int_equal(l_lock(t.b, t.fb, 0, 100, L_EX | L_FI),
			 STATUS_SUCCESS);
	l_two_free(&t);
}

static void test_flag_combinations(void **state)
{
	static const u32 bad[] = {
		0,	     L_FI,
		L_SH | L_EX, L_SH | L_EX | L_FI,
		L_UN | L_EX, L_UN | L_SH,
		L_UN | L_FI, 0x8,
		L_EX | 0x20, ~(u32)(L_SH | L_EX | L_UN | L_FI)
	};
	struct l_two t;

	l_two_open(state, &t, SMB2_DIALECT_0302);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(l_lock(t.a, t.fa, 1, 1, bad[i]),
				 STATUS_INVALID_PARAMETER);
	/* Several locks may not wait. */
	{
		struct l_el el[2] = { { 0, 1, L_EX | L_FI }, { 5, 1, L_EX } };

		assert_int_equal(l_lockv(t.a, t.fa, el, 2),
				 STATUS_INVALID_PARAMETER);
	}
	/* Unlock then lock: the unlock stays, the lock is refused. */
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_EX | L_FI), STATUS_SUCCESS);
	{
		struct l_el el[2] = { { 0, 10, L_UN },
				      { 10, 10, L_EX | L_FI } };

		assert_int_equal(l_lockv(t.a, t.fa, el, 2),
				 STATUS_INVALID_PARAMETER);
	}
	assert_int_equal(l_lock(t.b, t.fb, 0, 20, L_EX | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 0, 20, L_UN), STATUS_SUCCESS);
	/* Lock then unlock: the lock is rolled back. */
	{
		struct l_el el[2] = { { 0, 10, L_EX | L_FI },
				      { 10, 10, L_UN } };

		assert_int_equal(l_lockv(t.a, t.fa, el, 2),
				 STATUS_INVALID_PARAMETER);
	}
	assert_int_equal(l_lock(t.b, t.fb, 0, 20, L_EX | L_FI), STATUS_SUCCESS);
	l_two_free(&t);
}

static void test_ranges(void **state)
{
	struct l_two t;

	l_two_open(state, &t, SMB2_DIALECT_0302);
	/* The last byte may be 2^64 - 1, not beyond. */
	assert_int_equal(l_lock(t.a, t.fa, U64_MAX, 1, L_EX | L_FI),
			 STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, U64_MAX, 1, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(l_lock(t.a, t.fa, U64_MAX, 2, L_EX | L_FI),
			 STATUS_INVALID_LOCK_RANGE);
	assert_int_equal(l_lock(t.a, t.fa, U64_MAX, U64_MAX, L_EX | L_FI),
			 STATUS_INVALID_LOCK_RANGE);
	assert_int_equal(l_lock(t.b, t.fb, 1ull << 63, 1ull << 63, L_SH | L_FI),
			 STATUS_LOCK_NOT_GRANTED); /* reaches a's last byte */
	assert_int_equal(l_lock(t.a, t.fa, 1ull << 63, (1ull << 63) - 1,
				L_EX | L_FI),
			 STATUS_SUCCESS);
	/* Zero-length locks: a lock at 10 is inside (9, 2), not (10, 2). */
	assert_int_equal(l_lock(t.a, t.fa, 10, 0, L_EX | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 10, 0, L_EX | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 9, 1, L_EX | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 10, 2, L_EX | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 8, 3, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(l_lock(t.a, t.fa, 9, 3, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	l_two_free(&t);
}

static void test_conflicts_and_stacking(void **state)
{
	struct l_two t;

	l_two_open(state, &t, SMB2_DIALECT_0302);
	/* Shared locks stack, across handles too. */
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_SH | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_SH | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 5, 10, L_SH | L_FI), STATUS_SUCCESS);
	/* An exclusive lock conflicts with any, even its own handle's. */
	assert_int_equal(l_lock(t.a, t.fa, 0, 1, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(l_lock(t.a, t.fa, 100, 10, L_EX | L_FI),
			 STATUS_SUCCESS);
	assert_int_equal(l_lock(t.a, t.fa, 100, 10, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	/* Shared on top of one's own exclusive, not of another's. */
	assert_int_equal(l_lock(t.a, t.fa, 100, 10, L_SH | L_FI),
			 STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 105, 1, L_SH | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	/* Unlock matches exactly, exclusive first. */
	assert_int_equal(l_lock(t.a, t.fa, 100, 5, L_UN),
			 STATUS_RANGE_NOT_LOCKED);
	assert_int_equal(l_lock(t.b, t.fb, 100, 10, L_UN),
			 STATUS_RANGE_NOT_LOCKED);
	assert_int_equal(l_lock(t.a, t.fa, 100, 10, L_UN), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 105, 1, L_SH | L_FI),
			 STATUS_SUCCESS);
	assert_int_equal(l_lock(t.a, t.fa, 100, 10, L_UN), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.a, t.fa, 100, 10, L_UN),
			 STATUS_RANGE_NOT_LOCKED);
	/* Unlocks in one request: the first done, the second not found. */
	{
		struct l_el el[2] = { { 0, 10, L_UN }, { 50, 1, L_UN } };

		assert_int_equal(l_lockv(t.a, t.fa, el, 2),
				 STATUS_RANGE_NOT_LOCKED);
	}
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_UN), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_UN),
			 STATUS_RANGE_NOT_LOCKED);
	l_two_free(&t);
}

static void test_array_all_or_none(void **state)
{
	struct l_two t;
	struct l_el el[3] = { { 0, 10, L_EX | L_FI },
			      { 20, 10, L_SH | L_FI },
			      { 40, 10, L_EX | L_FI } };

	l_two_open(state, &t, SMB2_DIALECT_0302);
	assert_int_equal(l_lock(t.b, t.fb, 45, 1, L_SH | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lockv(t.a, t.fa, el, 3), STATUS_LOCK_NOT_GRANTED);
	/* Neither of the first two stayed. */
	assert_int_equal(l_lock(t.b, t.fb, 0, 30, L_EX | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 0, 30, L_UN), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 45, 1, L_UN), STATUS_SUCCESS);
	assert_int_equal(l_lockv(t.a, t.fa, el, 3), STATUS_SUCCESS);
	/* Two overlapping exclusive elements conflict with each other. */
	{
		struct l_el dup[2] = { { 60, 10, L_EX | L_FI },
				       { 65, 10, L_EX | L_FI } };

		assert_int_equal(l_lockv(t.a, t.fa, dup, 2),
				 STATUS_LOCK_NOT_GRANTED);
	}
	assert_int_equal(l_lock(t.b, t.fb, 60, 20, L_EX | L_FI),
			 STATUS_SUCCESS);
	l_two_free(&t);
}

static void test_read_write_conflicts(void **state)
{
	struct l_two t;
	const u8 *data;
	u32 n;
	u8 buf[10] = { 0 };

	l_two_open(state, &t, SMB2_DIALECT_0302);
	assert_int_equal(l_lock(t.a, t.fa, 0, 100, L_EX), STATUS_SUCCESS);
	assert_int_equal(h_write(t.a, t.fa, buf, 10, 50), STATUS_SUCCESS);
	assert_int_equal(h_read(t.a, t.fa, 10, 50, &data, &n), STATUS_SUCCESS);
	assert_int_equal(h_write(t.b, t.fb, buf, 10, 95),
			 STATUS_FILE_LOCK_CONFLICT);
	assert_int_equal(h_read(t.b, t.fb, 10, 99, &data, &n),
			 STATUS_FILE_LOCK_CONFLICT);
	assert_int_equal(h_read(t.b, t.fb, 10, 100, &data, &n), STATUS_SUCCESS);
	/* Zero bytes touch no lock. */
	assert_int_equal(h_read(t.b, t.fb, 0, 50, &data, &n), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.a, t.fa, 0, 100, L_UN), STATUS_SUCCESS);
	/* A shared lock stops writes, even its holder's, not reads. */
	assert_int_equal(l_lock(t.a, t.fa, 0, 100, L_SH), STATUS_SUCCESS);
	assert_int_equal(h_write(t.a, t.fa, buf, 10, 0),
			 STATUS_FILE_LOCK_CONFLICT);
	assert_int_equal(h_write(t.b, t.fb, buf, 10, 0),
			 STATUS_FILE_LOCK_CONFLICT);
	assert_int_equal(h_read(t.b, t.fb, 10, 0, &data, &n), STATUS_SUCCESS);
	/* A zero-length lock covers no byte. */
	assert_int_equal(l_lock(t.b, t.fb, 150, 0, L_EX), STATUS_SUCCESS);
	assert_int_equal(h_write(t.a, t.fa, buf, 10, 145), STATUS_SUCCESS);
	l_two_free(&t);
}

static void test_close_releases(void **state)
{
	struct l_two t;
	u8 f2[16];

	l_two_open(state, &t, SMB2_DIALECT_0302);
	h_open_rw(t.a, "f.dat", FILE_OPEN, f2);
	assert_int_equal(l_lock(t.a, t.fa, 0, 10, L_EX), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.a, t.fa, 20, 10, L_SH), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.a, f2, 40, 10, L_EX), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 0, 50, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(h_close(t.a, t.fa), STATUS_SUCCESS);
	/* Only the closed handle's locks are gone. */
	assert_int_equal(l_lock(t.b, t.fb, 0, 30, L_EX | L_FI), STATUS_SUCCESS);
	assert_int_equal(l_lock(t.b, t.fb, 40, 1, L_SH | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	/* A disconnect releases the rest. */
	h_client_free(t.a);
	t.a = NULL;
	assert_int_equal(l_lock(t.b, t.fb, 40, 1, L_SH | L_FI), STATUS_SUCCESS);
	l_two_free(&t);
}

static void test_many_locks_freed(void **state)
{
	struct l_two t;

	l_two_open(state, &t, SMB2_DIALECT_0302);
	for (u64 i = 0; i < 300; i++)
		assert_int_equal(l_lock(t.a, t.fa, i * 3, 2, L_SH | L_FI),
				 STATUS_SUCCESS);
	/* The server still holds them all; freeing the connection frees them
	 * (the teardown checks for leaks).
	 */
	assert_int_equal(l_lock(t.b, t.fb, 298 * 3 + 1, 1, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	l_two_free(&t);
}

/* One lock element with a LockSequence (index << 4 | number). */
static u32 lock_seq(struct h_client *c, const u8 fid[16], u32 seq, u64 off,
		    u32 flags)
{
	struct l_el el = { off, 1, flags };
	struct h_req r;

	l_build(c, &r, fid, &el, 1, 1);
	h_set32(&r, H_BODY + 4, seq);
	return h_call(c, &r);
}

static u32 request_resiliency(struct h_client *c, const u8 fid[16],
			      u32 timeout_ms, u32 in_len)
{
	u8 in[8] = { 0 };
	const u8 *o = NULL;
	u32 n = 0;

	smb_put_le32(in, timeout_ms);
	return h_ioctl(c, FSCTL_LMR_REQUEST_RESILIENCY, fid, in, in_len, 0, &o,
		       &n);
}

static void test_lock_sequence_replay(void **state)
{
	struct l_two t;

	l_two_open(state, &t, SMB2_DIALECT_0202);
	/* Not resilient: a repeated sequence is applied again (and fails). */
	assert_int_equal(lock_seq(t.a, t.fa, 1 << 4 | 1, 0, L_EX | L_FI),
			 STATUS_SUCCESS);
	assert_int_equal(lock_seq(t.a, t.fa, 1 << 4 | 1, 0, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(l_lock(t.a, t.fa, 0, 1, L_UN), STATUS_SUCCESS);
	/* Malformed resiliency requests; 2.0.2 has none. */
	assert_int_equal(request_resiliency(t.a, t.fa, 1000, 7),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(request_resiliency(t.a, t.fa, 300001, 8),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(request_resiliency(t.b, t.fb, 1000, 8),
			 STATUS_INVALID_DEVICE_REQUEST);
	assert_int_equal(request_resiliency(t.a, t.fa, 0, 8), STATUS_SUCCESS);
	/* Resilient: the same index and number again is a replay. */
	assert_int_equal(lock_seq(t.a, t.fa, 2 << 4 | 5, 0, L_EX | L_FI),
			 STATUS_SUCCESS);
	assert_int_equal(lock_seq(t.a, t.fa, 2 << 4 | 5, 0, L_EX | L_FI),
			 STATUS_SUCCESS);
	/* ...applied once: the other client is refused, one unlock frees. */
	assert_int_equal(l_lock(t.b, t.fb, 0, 1, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	/* A new number in the slot is processed (and fails: held). */
	assert_int_equal(lock_seq(t.a, t.fa, 2 << 4 | 6, 0, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	/* The failure invalidated the slot: number 5 is processed again. */
	assert_int_equal(lock_seq(t.a, t.fa, 2 << 4 | 5, 0, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	/* Unlocks are tracked too; index 0 and 65 are never tracked. */
	assert_int_equal(lock_seq(t.a, t.fa, 3 << 4 | 1, 0, L_UN),
			 STATUS_SUCCESS);
	assert_int_equal(lock_seq(t.a, t.fa, 3 << 4 | 1, 0, L_UN),
			 STATUS_SUCCESS);
	assert_int_equal(lock_seq(t.a, t.fa, 0 << 4 | 1, 0, L_UN),
			 STATUS_RANGE_NOT_LOCKED);
	assert_int_equal(lock_seq(t.a, t.fa, 65 << 4 | 1, 4, L_EX | L_FI),
			 STATUS_SUCCESS);
	assert_int_equal(lock_seq(t.a, t.fa, 65 << 4 | 1, 4, L_EX | L_FI),
			 STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(l_lock(t.b, t.fb, 0, 1, L_EX | L_FI), STATUS_SUCCESS);
	l_two_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_malformed_requests,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_flag_combinations, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_ranges, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_and_stacking,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_array_all_or_none, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_read_write_conflicts,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_close_releases, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_lock_sequence_replay,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_many_locks_freed, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
