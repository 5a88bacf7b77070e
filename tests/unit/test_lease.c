// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/oplock.c, lease half: RqLs v1/v2 parsing (and malformed
 * contexts), grants, the (ClientGuid, LeaseKey) table, lease breaks with
 * the epoch and ACK_REQUIRED, lease break acknowledgments and their
 * errors ([MS-SMB2] 2.2.13.2.8, 2.2.23.2, 2.2.24.2, 3.3.5.22.2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"
#include "oplock_client.h"

#define RWH                                                   \
	(SMB2_LEASE_READ_CACHING | SMB2_LEASE_WRITE_CACHING | \
	 SMB2_LEASE_HANDLE_CACHING)
#define RH (SMB2_LEASE_READ_CACHING | SMB2_LEASE_HANDLE_CACHING)
#define R SMB2_LEASE_READ_CACHING

static const u8 key1[16] = "lease-key-00001";
static const u8 key2[16] = "lease-key-00002";
static const u8 parent[16] = "parent-key-0001";

/* An RqLs context: v1 (32 bytes) or v2 (52 bytes, epoch, parent key). */
static size_t lease_ctx(u8 *out, const u8 key[16], u32 state, int version,
			u16 epoch)
{
	u32 dlen = version == 2 ? SMB_LEASE_V2_SIZE : SMB_LEASE_V1_SIZE;
	u8 *d = out + 24;

	memset(out, 0, 24 + SMB_LEASE_V2_SIZE);
	smb_put_le16(out + 4, 16);
	smb_put_le16(out + 6, 4);
	smb_put_le16(out + 10, 24);
	smb_put_le32(out + 12, dlen);
	memcpy(out + 16, "RqLs", 4);
	memcpy(d, key, 16);
	smb_put_le32(d + 16, state);
	if (version == 2) {
		smb_put_le32(d + 20, SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET);
		memcpy(d + 32, parent, 16);
		smb_put_le16(d + 48, epoch);
	}
	return 24 + dlen;
}

static u32 lease_open(struct h_client *c, const char *name, const u8 key[16],
		      u32 state, int version, u16 epoch, u8 fid[16])
{
	u8 ctx[24 + SMB_LEASE_V2_SIZE];
	size_t n = lease_ctx(ctx, key, state, version, epoch);

	return o_create_ctx(c, name, H_RW, H_SHARE_ALL, FILE_OPEN_IF,
			    SMB2_OPLOCK_LEVEL_LEASE, ctx, n, fid);
}

/* The RqLs response of the last CREATE: its data, or NULL. */
static const u8 *lease_resp(struct h_client *c, u32 *len)
{
	const u8 *b = h_rbody(c);
	u32 off = smb_get_le32(b + 80), total = smb_get_le32(b + 84);
	const u8 *p = h_rhdr(c) + off;

	for (;;) {
		u32 next = smb_get_le32(p);

		assert_true((size_t)(p - h_rhdr(c)) + 16 <= c->last->len);
		if (!memcmp(p + smb_get_le16(p + 4), "RqLs", 4)) {
			*len = smb_get_le32(p + 12);
			return p + smb_get_le16(p + 10);
		}
		if (!next)
			return NULL;
		p += next;
		assert_true(next <= total);
	}
}

static void check_lease(struct h_client *c, const u8 key[16], u32 state,
			u32 flags, int version, u16 epoch)
{
	u32 len = 0;
	const u8 *d;

	assert_int_equal(o_level(c), SMB2_OPLOCK_LEVEL_LEASE);
	d = lease_resp(c, &len);
	assert_non_null(d);
	assert_int_equal(len, version == 2 ? 52 : 32);
	assert_memory_equal(d, key, 16);
	assert_int_equal(smb_get_le32(d + 16), state);
	if (version == 2) {
		assert_int_equal(smb_get_le32(d + 20),
				 flags | SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET);
		assert_memory_equal(d + 32, parent, 16);
		assert_int_equal(smb_get_le16(d + 48), epoch);
	} else {
		assert_int_equal(smb_get_le32(d + 20), flags);
	}
}

/* The next PDU is a lease break for key; returns the new state. */
static u32 lease_break(struct h_client *c, const u8 key[16], u32 cur,
		       bool ack_required, u16 epoch)
{
	u8 *h, *b;

	assert_non_null(h_recv(c));
	h = h_rhdr(c);
	b = h + SMB2_HDR_SIZE;
	assert_int_equal(smb_get_le16(h + SMB2_HDR_COMMAND), SMB2_OPLOCK_BREAK);
	assert_true(smb_get_le64(h + SMB2_HDR_MESSAGE_ID) == U64_MAX);
	assert_true(smb_get_le64(h + SMB2_HDR_SESSION_ID) == 0);
	assert_int_equal(c->last->len, SMB2_HDR_SIZE + 44);
	assert_int_equal(smb_get_le16(b), 44);
	assert_int_equal(smb_get_le16(b + 2), epoch);
	assert_int_equal(
		smb_get_le32(b + 4),
		ack_required ? SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED : 0);
	assert_memory_equal(b + 8, key, 16);
	assert_int_equal(smb_get_le32(b + 24), cur);
	return smb_get_le32(b + 28);
}

static void build_lease_ack(struct h_client *c, struct h_req *r,
			    const u8 key[16], u32 state)
{
	h_req_init(c, r, SMB2_OPLOCK_BREAK);
	h_put16(r, 36);
	h_put16(r, 0);
	h_put32(r, 0);
	h_put(r, key, 16);
	h_put32(r, state);
	h_put64(r, 0);
}

static u32 lease_ack(struct h_client *c, const u8 key[16], u32 state)
{
	struct h_req r;

	build_lease_ack(c, &r, key, state);
	assert_int_equal(h_send(c, &r), 0);
	assert_non_null(h_recv(c));
	if (h_rstatus(c) == STATUS_SUCCESS) {
		assert_int_equal(smb_get_le16(h_rbody(c)), 36);
		assert_memory_equal(h_rbody(c) + 8, key, 16);
		assert_int_equal(smb_get_le32(h_rbody(c) + 24), state);
	}
	return h_rstatus(c);
}

static void test_parse(void **state)
{
	struct smb_lease_req lr;
	u8 d[SMB_LEASE_V2_SIZE + 1];

	(void)state;
	memset(d, 0, sizeof(d));
	memcpy(d, key1, 16);
	smb_put_le32(d + 16, RWH | 0xf0); /* unknown bits dropped */
	smb_put_le32(d + 20, SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET);
	memcpy(d + 32, parent, 16);
	smb_put_le16(d + 48, 7);
	assert_int_equal(smb_lease_parse(d, 32, SMB2_DIALECT_0311, &lr), 0);
	assert_true(lr.present);
	assert_int_equal(lr.version, 1);
	assert_int_equal(lr.state, RWH);
	assert_int_equal(smb_lease_parse(d, 52, SMB2_DIALECT_0311, &lr), 0);
	assert_int_equal(lr.version, 2);
	assert_int_equal(lr.epoch, 7);
	assert_memory_equal(lr.parent_key, parent, 16);
	/* SMB 2.1 reads a v2 context as v1. */
	assert_int_equal(smb_lease_parse(d, 52, SMB2_DIALECT_0210, &lr), 0);
	assert_int_equal(lr.version, 1);
	/* Any other size is malformed. */
	for (u32 n = 0; n <= sizeof(d); n++)
		if (n != 32 && n != 52)
			assert_int_equal(
				smb_lease_parse(d, n, SMB2_DIALECT_0311, &lr),
				STATUS_INVALID_PARAMETER);
	assert_int_equal(smb_lease_parse(NULL, 32, SMB2_DIALECT_0311, &lr),
			 STATUS_INVALID_PARAMETER);
}

static void test_malformed_contexts(void **state)
{
	struct o_two t;
	u8 ctx[24 + SMB_LEASE_V2_SIZE], fid[16];
	size_t n;

	o_two_new(state, &t);
	/* Data length 31 and 33. */
	n = lease_ctx(ctx, key1, RWH, 1, 0);
	smb_put_le32(ctx + 12, 31);
	assert_int_equal(o_create_ctx(t.a, "f.dat", H_RW, H_SHARE_ALL,
				      FILE_OPEN, SMB2_OPLOCK_LEVEL_LEASE, ctx,
				      n, fid),
			 STATUS_INVALID_PARAMETER);
	n = lease_ctx(ctx, key1, RWH, 2, 0);
	smb_put_le32(ctx + 12, 33);
	assert_int_equal(o_create_ctx(t.a, "f.dat", H_RW, H_SHARE_ALL,
				      FILE_OPEN, SMB2_OPLOCK_LEVEL_LEASE, ctx,
				      n, fid),
			 STATUS_INVALID_PARAMETER);
	/* Data running past the context. */
	n = lease_ctx(ctx, key1, RWH, 1, 0);
	smb_put_le32(ctx + 12, 52);
	assert_int_equal(o_create_ctx(t.a, "f.dat", H_RW, H_SHARE_ALL,
				      FILE_OPEN, SMB2_OPLOCK_LEVEL_LEASE, ctx,
				      n, fid),
			 STATUS_INVALID_PARAMETER);
	/* A lease context without the LEASE level: plain open, no lease. */
	n = lease_ctx(ctx, key1, RWH, 1, 0);
	assert_int_equal(o_create_ctx(t.a, "f.dat", H_RW, H_SHARE_ALL,
				      FILE_OPEN, SMB2_OPLOCK_LEVEL_NONE, ctx, n,
				      fid),
			 STATUS_SUCCESS);
	assert_int_equal(o_level(t.a), SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(smb_get_le32(h_rbody(t.a) + 84), 0);
	/* The LEASE level without a context: nothing granted. */
	assert_int_equal(o_create(t.a, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				  SMB2_OPLOCK_LEVEL_LEASE, fid),
			 STATUS_SUCCESS);
	assert_int_equal(o_level(t.a), SMB2_OPLOCK_LEVEL_NONE);
	o_two_free(&t);
}

static void test_grant_and_same_key(void **state)
{
	struct o_two t;
	u8 f1[16], f2[16], f3[16];

	o_two_new(state, &t);
	assert_int_equal(lease_open(t.a, "f.dat", key1, RWH, 2, 0x10, f1), 0);
	check_lease(t.a, key1, RWH, 0, 2, 0x11);
	/* The same key on the same client: no break, same lease. */
	assert_int_equal(lease_open(t.a, "f.dat", key1, RWH, 2, 0x10, f2), 0);
	check_lease(t.a, key1, RWH, 0, 2, 0x11);
	assert_null(t.a->tc.head);
	/* The key names one file: another file is refused. */
	h_put_file(*state, "g.dat", "x", 1);
	assert_int_equal(lease_open(t.a, "g.dat", key1, RWH, 2, 0, f3),
			 STATUS_INVALID_PARAMETER);
	/* Invalid state combinations are granted nothing. */
	assert_int_equal(lease_open(t.a, "g.dat", key2,
				    SMB2_LEASE_HANDLE_CACHING, 1, 0, f3),
			 0);
	check_lease(t.a, key2, 0, 0, 1, 0);
	assert_int_equal(h_close(t.a, f3), 0);
	/* No directory leasing: a directory gets no lease at all. */
	assert_int_equal(lease_open(t.a, "", key2, RH, 1, 0, f3), 0);
	assert_int_equal(o_level(t.a), SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(smb_get_le32(h_rbody(t.a) + 84), 0);
	o_two_free(&t);
}

static void test_break_and_ack(void **state)
{
	struct o_two t;
	u8 fa[16], fb[16], ctx[24 + SMB_LEASE_V2_SIZE];
	u64 async_id;
	size_t n;

	o_two_new(state, &t);
	assert_int_equal(lease_open(t.a, "f.dat", key1, RWH, 2, 0, fa), 0);
	check_lease(t.a, key1, RWH, 0, 2, 1);
	/* Another client's open: W goes, with an acknowledgment. */
	n = lease_ctx(ctx, key2, RWH, 2, 0);
	async_id = o_create_pending_ctx(t.b, "f.dat", H_RW, H_SHARE_ALL,
					FILE_OPEN, SMB2_OPLOCK_LEVEL_LEASE, ctx,
					n);
	assert_int_equal(lease_break(t.a, key1, RWH, true, 2), RH);
	assert_null(t.b->tc.head);
	/* Wrong acknowledgments: more than offered, unknown key. */
	assert_int_equal(lease_ack(t.a, key1, RWH),
			 STATUS_REQUEST_NOT_ACCEPTED);
	assert_int_equal(lease_ack(t.a, key2, R), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_null(t.b->tc.head);
	assert_int_equal(lease_ack(t.a, key1, RH), STATUS_SUCCESS);
	assert_int_equal(o_create_final(t.b, async_id, fb), STATUS_SUCCESS);
	check_lease(t.b, key2, RH, 0, 2, 1);
	/* No break in progress any more. */
	assert_int_equal(lease_ack(t.a, key1, RH), STATUS_UNSUCCESSFUL);
	/* A write breaks the other's R, and H with it: acknowledged. */
	assert_int_equal(h_write(t.b, fb, "x", 1, 0), STATUS_SUCCESS);
	assert_int_equal(lease_break(t.a, key1, RH, true, 3), 0);
	assert_int_equal(lease_ack(t.a, key1, 0), STATUS_SUCCESS);
	o_two_free(&t);
}

static void test_v1_break_without_ack(void **state)
{
	struct o_two t;
	u8 fa[16], fb[16];

	o_two_new(state, &t);
	assert_int_equal(lease_open(t.a, "f.dat", key1, R, 1, 0, fa), 0);
	check_lease(t.a, key1, R, 0, 1, 0);
	assert_int_equal(lease_open(t.b, "f.dat", key2, R, 1, 0, fb), 0);
	check_lease(t.b, key2, R, 0, 1, 0);
	/* R alone breaks to none at once: no acknowledgment, epoch 0. */
	assert_int_equal(h_write(t.b, fb, "x", 1, 0), STATUS_SUCCESS);
	assert_int_equal(lease_break(t.a, key1, R, false, 0), 0);
	assert_int_equal(lease_ack(t.a, key1, 0), STATUS_UNSUCCESSFUL);
	o_two_free(&t);
}

static void test_malformed_lease_acks(void **state)
{
	struct o_two t;
	struct h_req r;
	u8 fa[16];

	o_two_new(state, &t);
	assert_int_equal(lease_open(t.a, "f.dat", key1, RWH, 1, 0, fa), 0);
	/* Cut short by one byte. */
	build_lease_ack(t.a, &r, key1, 0);
	r.len -= 1;
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	/* StructureSize 35 and 37. */
	build_lease_ack(t.a, &r, key1, 0);
	h_set16(&r, H_BODY, 35);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	build_lease_ack(t.a, &r, key1, 0);
	h_set16(&r, H_BODY, 37);
	assert_int_equal(h_call(t.a, &r), STATUS_INVALID_PARAMETER);
	/* Well formed, but no break is in progress. */
	assert_int_equal(lease_ack(t.a, key1, 0), STATUS_UNSUCCESSFUL);
	o_two_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test_setup_teardown(test_malformed_contexts,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_grant_and_same_key,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_break_and_ack, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_v1_break_without_ack,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_lease_acks,
						h_setup, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
