// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/oplock.c, lease half: RqLs v1/v2 parsing (and malformed
 * contexts), grants, the (ClientGuid, LeaseKey) table, lease breaks with
 * the epoch and ACK_REQUIRED, lease break acknowledgments and their
 * errors ([MS-SMB2] 2.2.13.2.8, 2.2.23.2, 2.2.24.2, 3.3.5.22.2); CREATEs
 * queued behind a break that goes on after its acknowledgment, renames
 * waiting for handle breaks (3.3.4.7, 3.3.5.21.1), both with the break
 * timeout, and which connection of a client a break goes to.
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

#define FLAG_BREAKING SMB2_LEASE_FLAG_BREAK_IN_PROGRESS

/* Open f.dat on c with no oplock or lease; fid of the new open. */
static void plain_open(struct h_client *c, u32 disposition, u8 fid[16])
{
	assert_int_equal(o_create(c, "f.dat", H_RW | DELETE, H_SHARE_ALL,
				  disposition, SMB2_OPLOCK_LEVEL_NONE, fid),
			 STATUS_SUCCESS);
}

/*
 * A plain open breaks W (RWH to RH, waiting); an overwrite queued behind
 * it sends nothing while that break is in progress.  After the ack the
 * break goes on, same epoch: RH to R (acknowledged, both still waiting),
 * then R to none at once; both CREATEs then run (smbtorture
 * lease.breaking3).
 */
static void queue_two_behind_break(struct o_two *t, u8 fa[16], u64 *first,
				   u64 *second)
{
	u8 fx[16];

	assert_int_equal(lease_open(t->a, "f.dat", key1, RWH, 2, 0, fa), 0);
	*first = o_create_pending(t->b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				  SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(lease_break(t->a, key1, RWH, true, 2), RH);
	*second = o_create_pending(t->b, "f.dat", H_RW, H_SHARE_ALL,
				   FILE_OVERWRITE, SMB2_OPLOCK_LEVEL_NONE);
	assert_null(t->a->tc.head);
	/* The lease's own opens go on, told of the break in progress. */
	assert_int_equal(lease_open(t->a, "f.dat", key1, RWH, 2, 0, fx), 0);
	check_lease(t->a, key1, RWH, FLAG_BREAKING, 2, 2);
	assert_int_equal(h_close(t->a, fx), 0);
	/* The reply to the ack comes first, then the further break. */
	assert_int_equal(lease_ack(t->a, key1, RH), STATUS_SUCCESS);
	assert_int_equal(lease_break(t->a, key1, RH, true, 2), R);
	assert_null(t->a->tc.head);
	assert_null(t->b->tc.head);
}

static void test_queued_creates_wait_for_further_break(void **state)
{
	struct o_two t;
	u8 fa[16], f1[16], f2[16];
	u64 first, second;

	o_two_new(state, &t);
	queue_two_behind_break(&t, fa, &first, &second);
	assert_int_equal(lease_ack(t.a, key1, R), STATUS_SUCCESS);
	assert_int_equal(lease_break(t.a, key1, R, false, 2), 0);
	assert_int_equal(o_create_final(t.b, first, f1), STATUS_SUCCESS);
	assert_int_equal(o_level(t.b), SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(smb_get_le32(h_rbody(t.b) + 4), FILE_OPENED);
	assert_int_equal(o_create_final(t.b, second, f2), STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(h_rbody(t.b) + 4), FILE_OVERWRITTEN);
	assert_null(t.a->tc.head);
	assert_null(t.b->tc.head);
	/* Nothing is breaking any more. */
	assert_int_equal(lease_ack(t.a, key1, 0), STATUS_UNSUCCESSFUL);
	o_two_free(&t);
}

static void test_further_break_times_out(void **state)
{
	struct h_env *e = *state;
	struct o_two t;
	u8 fa[16], f1[16], f2[16];
	u64 first, second;

	o_two_new(state, &t);
	queue_two_behind_break(&t, fa, &first, &second);
	smb_server_tick(e->srv);
	assert_null(t.b->tc.head); /* not yet */
	h_advance_ms(e, SMB_OPLOCK_BREAK_TIMEOUT_MS + 1000);
	smb_server_tick(e->srv);
	assert_int_equal(o_create_final(t.b, first, f1), STATUS_SUCCESS);
	assert_int_equal(o_create_final(t.b, second, f2), STATUS_SUCCESS);
	assert_int_equal(smb_get_le32(h_rbody(t.b) + 4), FILE_OVERWRITTEN);
	/* The server broke the lease to none on its own. */
	assert_int_equal(lease_ack(t.a, key1, R), STATUS_UNSUCCESSFUL);
	assert_null(t.a->tc.head);
	o_two_free(&t);
}

/* Send a rename of fid to name; it must go async: its AsyncId. */
static u64 rename_pending(struct h_client *c, const u8 fid[16],
			  const char *name)
{
	u8 buf[256], wname[128];
	size_t n = h_utf16(name, wname, sizeof(wname));
	struct h_req r;
	u8 *h;

	memset(buf, 0, 20);
	smb_put_le32(buf + 16, (u32)n);
	memcpy(buf + 20, wname, n);
	h_build_set_info(c, &r, fid, SMB2_0_INFO_FILE, FileRenameInformation,
			 buf, (u32)(20 + n));
	assert_int_equal(h_send(c, &r), 0);
	assert_non_null(h_recv(c));
	h = h_rhdr(c);
	assert_int_equal(h_status_of(h), STATUS_PENDING);
	assert_true(smb_get_le32(h + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_ASYNC_COMMAND);
	return smb_get_le64(h + SMB2_HDR_ASYNC_ID);
}

/* The final response of a waiting rename; returns its status. */
static u32 rename_final(struct h_client *c, u64 async_id)
{
	u8 *h;

	assert_non_null(h_recv(c));
	h = h_rhdr(c);
	assert_int_equal(smb_get_le16(h + SMB2_HDR_COMMAND), SMB2_SET_INFO);
	assert_true(smb_get_le64(h + SMB2_HDR_ASYNC_ID) == async_id);
	return h_status_of(h);
}

/*
 * B renames f.dat, which A holds with an RH lease: A's H goes, and the
 * rename waits for the acknowledgment; meanwhile the new name does not
 * exist yet (smbtorture lease.rename_wait).
 */
static u64 rename_behind_break(struct o_two *t, u8 fa[16], u8 fb[16])
{
	u64 async_id;
	u8 fx[16];

	assert_int_equal(lease_open(t->a, "f.dat", key1, RH, 1, 0, fa), 0);
	check_lease(t->a, key1, RH, 0, 1, 0);
	plain_open(t->b, FILE_OPEN, fb);
	assert_null(t->a->tc.head);
	async_id = rename_pending(t->b, fb, "g.dat");
	assert_int_equal(lease_break(t->a, key1, RH, true, 0), R);
	assert_int_equal(o_create(t->b, "g.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				  SMB2_OPLOCK_LEVEL_NONE, fx),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_null(t->b->tc.head);
	return async_id;
}

static void test_rename_waits_for_handle_break(void **state)
{
	struct o_two t;
	u8 fa[16], fb[16], fx[16];
	u64 async_id;

	o_two_new(state, &t);
	async_id = rename_behind_break(&t, fa, fb);
	assert_int_equal(lease_ack(t.a, key1, R), STATUS_SUCCESS);
	assert_int_equal(rename_final(t.b, async_id), STATUS_SUCCESS);
	assert_int_equal(o_create(t.b, "g.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				  SMB2_OPLOCK_LEVEL_NONE, fx),
			 STATUS_SUCCESS);
	/* Renaming it back breaks nothing: A's lease has no H left. */
	assert_int_equal(h_rename(t.b, fb, "f.dat", false), STATUS_SUCCESS);
	assert_null(t.a->tc.head);
	o_two_free(&t);
}

static void test_rename_break_times_out(void **state)
{
	struct h_env *e = *state;
	struct o_two t;
	u8 fa[16], fb[16];
	u64 async_id;

	o_two_new(state, &t);
	async_id = rename_behind_break(&t, fa, fb);
	smb_server_tick(e->srv);
	assert_null(t.b->tc.head);
	h_advance_ms(e, SMB_OPLOCK_BREAK_TIMEOUT_MS + 1000);
	smb_server_tick(e->srv);
	assert_int_equal(rename_final(t.b, async_id), STATUS_SUCCESS);
	assert_int_equal(lease_ack(t.a, key1, R), STATUS_UNSUCCESSFUL);
	o_two_free(&t);
}

/* A rename inside a compound, not last: breaks sent, no waiting. */
static void test_rename_in_compound_does_not_wait(void **state)
{
	struct o_two t;
	u8 fa[16], fb[16];
	struct h_req r[2];
	u8 buf[64], wname[32];
	size_t n = h_utf16("g.dat", wname, sizeof(wname));

	o_two_new(state, &t);
	assert_int_equal(lease_open(t.a, "f.dat", key1, RH, 1, 0, fa), 0);
	plain_open(t.b, FILE_OPEN, fb);
	memset(buf, 0, 20);
	smb_put_le32(buf + 16, (u32)n);
	memcpy(buf + 20, wname, n);
	h_build_set_info(t.b, &r[0], fb, SMB2_0_INFO_FILE,
			 FileRenameInformation, buf, (u32)(20 + n));
	h_build_fid_req(t.b, &r[1], SMB2_FLUSH, 0, fb);
	assert_int_equal(h_send_chain(t.b, r, 2), 0);
	assert_non_null(h_recv(t.b));
	assert_int_equal(h_rstatus(t.b), STATUS_SUCCESS);
	assert_int_equal(lease_break(t.a, key1, RH, true, 0), R);
	assert_int_equal(lease_ack(t.a, key1, R), STATUS_SUCCESS);
	o_two_free(&t);
}

/*
 * Two connections of one client (one ClientGuid): a lease's break goes
 * to the client's oldest connection, whichever one opened it
 * (smbtorture lease.v2_complex1); once that one is gone, to the other.
 */
static void test_break_goes_to_oldest_connection(void **state)
{
	struct h_env *e = *state;
	struct o_two t;
	struct h_client *a2;
	u8 fa[16], fb[16];
	u64 async_id;

	o_two_new(state, &t);
	a2 = h_client_new(e); /* the same ClientGuid as t.a */
	h_connect(a2, SMB2_DIALECT_0311, "share");
	assert_int_equal(lease_open(a2, "f.dat", key1, RWH, 2, 0, fa), 0);
	async_id = o_create_pending(t.b, "f.dat", H_RW, H_SHARE_ALL, FILE_OPEN,
				    SMB2_OPLOCK_LEVEL_NONE);
	assert_null(a2->tc.head);
	assert_int_equal(lease_break(t.a, key1, RWH, true, 2), RH);
	/* Acknowledged on the other connection of the client. */
	assert_int_equal(lease_ack(a2, key1, RH), STATUS_SUCCESS);
	assert_int_equal(o_create_final(t.b, async_id, fb), STATUS_SUCCESS);
	h_client_free(t.a);
	t.a = h_client_new(e); /* newer than a2 now */
	h_connect(t.a, SMB2_DIALECT_0311, "share");
	assert_int_equal(h_write(t.b, fb, "x", 1, 0), STATUS_SUCCESS);
	assert_int_equal(lease_break(a2, key1, RH, true, 3), 0);
	assert_null(t.a->tc.head);
	assert_int_equal(lease_ack(a2, key1, 0), STATUS_SUCCESS);
	h_client_free(a2);
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
		cmocka_unit_test_setup_teardown(
			test_queued_creates_wait_for_further_break, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(test_further_break_times_out,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(
			test_rename_waits_for_handle_break, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(test_rename_break_times_out,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(
			test_rename_in_compound_does_not_wait, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(
			test_break_goes_to_oldest_connection, h_setup,
			h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
