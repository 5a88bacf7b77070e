/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lock_client.h - SMB2 LOCK requests ([MS-SMB2] 2.2.26) for the harness
 * client of smb_harness.h.  Include after smb_harness.h.  Test code only.
 */
#ifndef SMBD_TEST_LOCK_CLIENT_H
#define SMBD_TEST_LOCK_CLIENT_H

#include "lock.h"

#define L_SH SMB2_LOCKFLAG_SHARED_LOCK
#define L_EX SMB2_LOCKFLAG_EXCLUSIVE_LOCK
#define L_UN SMB2_LOCKFLAG_UNLOCK
#define L_FI SMB2_LOCKFLAG_FAIL_IMMEDIATELY

struct l_el {
	u64 off, len;
	u32 flags;
};

/* A LOCK request with n elements; count is what LockCount says. */
static H_UNUSED void l_build(struct h_client *c, struct h_req *r,
			     const u8 fid[16], const struct l_el *el, int n,
			     u16 count)
{
	h_req_init(c, r, SMB2_LOCK);
	h_put16(r, 48);
	h_put16(r, count);
	h_put32(r, 0); /* LockSequence */
	h_put(r, fid, 16);
	for (int i = 0; i < n; i++) {
		h_put64(r, el[i].off);
		h_put64(r, el[i].len);
		h_put32(r, el[i].flags);
		h_put32(r, 0);
	}
}

static H_UNUSED u32 l_lockv(struct h_client *c, const u8 fid[16],
			    const struct l_el *el, int n)
{
	struct h_req r;
	u32 st;

	l_build(c, &r, fid, el, n, (u16)n);
	st = h_call(c, &r);
	if (st == STATUS_SUCCESS)
		assert_int_equal(smb_get_le16(h_rbody(c)), 4);
	return st;
}

static H_UNUSED u32 l_lock(struct h_client *c, const u8 fid[16], u64 off,
			   u64 len, u32 flags)
{
	struct l_el el = { off, len, flags };

	return l_lockv(c, fid, &el, 1);
}

/* Send a single-element LOCK expected to go async; returns its AsyncId. */
static H_UNUSED u64 l_lock_pending(struct h_client *c, const u8 fid[16],
				   u64 off, u64 len, u32 flags, u64 *mid)
{
	struct l_el el = { off, len, flags };
	struct h_req r;
	u8 *h;

	l_build(c, &r, fid, &el, 1, 1);
	if (mid)
		*mid = smb_get_le64(r.p + SMB2_HDR_MESSAGE_ID);
	assert_int_equal(h_send(c, &r), 0);
	assert_non_null(h_recv(c));
	assert_null(c->tc.head);
	h = h_rhdr(c);
	assert_int_equal(h_status_of(h), STATUS_PENDING);
	assert_true(smb_get_le32(h + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_ASYNC_COMMAND);
	/* Not signed ([MS-SMB2] 3.3.4.2), and it grants credits. */
	assert_false(smb_get_le32(h + SMB2_HDR_FLAGS) & SMB2_FLAGS_SIGNED);
	assert_true(smb_get_le16(h + SMB2_HDR_CREDIT) > 0);
	assert_true(smb_get_le64(h + SMB2_HDR_ASYNC_ID) != 0);
	return smb_get_le64(h + SMB2_HDR_ASYNC_ID);
}

/*
 * Take the next PDU as the final response of async request async_id:
 * same AsyncId, no credits; returns its status.
 */
static H_UNUSED u32 l_final(struct h_client *c, u64 async_id)
{
	u8 *h;

	assert_non_null(h_recv(c));
	assert_int_equal(c->bad_signatures, 0);
	h = h_rhdr(c);
	assert_int_equal(smb_get_le16(h + SMB2_HDR_COMMAND), SMB2_LOCK);
	assert_true(smb_get_le32(h + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_ASYNC_COMMAND);
	assert_true(smb_get_le64(h + SMB2_HDR_ASYNC_ID) == async_id);
	assert_int_equal(smb_get_le16(h + SMB2_HDR_CREDIT), 0);
	return h_status_of(h);
}

/* Two clients, each with the same 200-byte file f.dat open. */
struct l_two {
	struct h_client *a, *b;
	u8 fa[16], fb[16];
};

static H_UNUSED void l_two_open(void **state, struct l_two *t, u16 dialect_b)
{
	static const u8 data[200];

	h_put_file(*state, "f.dat", data, sizeof(data));
	t->a = h_client_new(*state);
	t->b = h_client_new(*state);
	h_connect(t->a, SMB2_DIALECT_0311, "share");
	h_connect(t->b, dialect_b, "share");
	h_open_rw(t->a, "f.dat", FILE_OPEN, t->fa);
	h_open_rw(t->b, "f.dat", FILE_OPEN, t->fb);
}

static H_UNUSED void l_two_free(struct l_two *t)
{
	h_client_free(t->a);
	h_client_free(t->b);
}

#endif /* SMBD_TEST_LOCK_CLIENT_H */
