/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oplock_client.h - CREATE with an oplock or lease request, break
 * notifications and OPLOCK_BREAK acknowledgments for the harness client of
 * smb_harness.h.  Include after smb_harness.h.  Test code only.
 */
#ifndef SMBD_TEST_OPLOCK_CLIENT_H
#define SMBD_TEST_OPLOCK_CLIENT_H

#include "oplock.h"

/* A clock the tests move (the harness clock stands still). */
static u64 o_clock_ms = 1000;

static u64 o_monotonic_ms(void *ctx)
{
	(void)ctx;
	return o_clock_ms;
}

static H_UNUSED void h_advance_ms(struct h_env *e, u64 ms)
{
	(void)e;
	o_clock_ms += ms;
}

/* Two clients (both SMB 3.1.1, distinct client GUIDs) and f.dat. */
struct o_two {
	struct h_client *a, *b;
};

static H_UNUSED void o_two_new(void **state, struct o_two *t)
{
	static const u8 data[200];
	struct h_env *e = *state;

	e->srv->ops.clock.monotonic_ms = o_monotonic_ms;
	h_put_file(e, "f.dat", data, sizeof(data));
	t->a = h_client_new(e);
	t->b = h_client_new(e);
	memcpy(t->b->guid, "client-guid-0002", 16);
	h_connect(t->a, SMB2_DIALECT_0311, "share");
	h_connect(t->b, SMB2_DIALECT_0311, "share");
}

static H_UNUSED void o_two_free(struct o_two *t)
{
	h_client_free(t->a);
	h_client_free(t->b);
}

static H_UNUSED void o_build_create(struct h_client *c, struct h_req *r,
				    const char *name, u32 access, u32 share,
				    u32 disposition, u8 level, const u8 *ctx,
				    size_t ctx_len)
{
	struct h_create cr = { .name = name,
			       .access = access,
			       .share = share,
			       .disposition = disposition,
			       .contexts = ctx,
			       .contexts_len = ctx_len };

	h_build_create(c, r, &cr);
	r->p[H_BODY + 3] = level;
}

static H_UNUSED u32 o_create_ctx(struct h_client *c, const char *name,
				 u32 access, u32 share, u32 disposition,
				 u8 level, const u8 *ctx, size_t ctx_len,
				 u8 fid[16])
{
	struct h_req r;
	u32 st;

	o_build_create(c, &r, name, access, share, disposition, level, ctx,
		       ctx_len);
	st = h_call(c, &r);
	if (st == STATUS_SUCCESS && fid)
		memcpy(fid, h_rbody(c) + 64, 16);
	return st;
}

static H_UNUSED u32 o_create(struct h_client *c, const char *name, u32 access,
			     u32 share, u32 disposition, u8 level, u8 fid[16])
{
	return o_create_ctx(c, name, access, share, disposition, level, NULL, 0,
			    fid);
}

/* The OplockLevel of the last CREATE response. */
static H_UNUSED u8 o_level(struct h_client *c)
{
	return h_rbody(c)[2];
}

/* A CREATE that must wait: its interim response; returns the AsyncId. */
static H_UNUSED u64 o_create_pending_ctx(struct h_client *c, const char *name,
					 u32 access, u32 share, u32 disposition,
					 u8 level, const u8 *ctx,
					 size_t ctx_len)
{
	struct h_req r;
	u8 *h;

	o_build_create(c, &r, name, access, share, disposition, level, ctx,
		       ctx_len);
	assert_int_equal(h_send(c, &r), 0);
	assert_non_null(h_recv(c));
	h = h_rhdr(c);
	assert_int_equal(h_status_of(h), STATUS_PENDING);
	assert_true(smb_get_le32(h + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_ASYNC_COMMAND);
	return smb_get_le64(h + SMB2_HDR_ASYNC_ID);
}

static H_UNUSED u64 o_create_pending(struct h_client *c, const char *name,
				     u32 access, u32 share, u32 disposition,
				     u8 level)
{
	return o_create_pending_ctx(c, name, access, share, disposition, level,
				    NULL, 0);
}

/* The final response of a waiting CREATE; returns its status. */
static H_UNUSED u32 o_create_final(struct h_client *c, u64 async_id, u8 fid[16])
{
	u8 *h;

	assert_non_null(h_recv(c));
	assert_int_equal(c->bad_signatures, 0);
	h = h_rhdr(c);
	assert_int_equal(smb_get_le16(h + SMB2_HDR_COMMAND), SMB2_CREATE);
	assert_true(smb_get_le64(h + SMB2_HDR_ASYNC_ID) == async_id);
	if (h_status_of(h) == STATUS_SUCCESS && fid)
		memcpy(fid, h_rbody(c) + 64, 16);
	return h_status_of(h);
}

/* The next PDU is an oplock break for fid: returns its level. */
static H_UNUSED u8 o_break_notification(struct h_client *c, const u8 fid[16])
{
	u8 *h, *b;

	assert_non_null(h_recv(c));
	h = h_rhdr(c);
	b = h + SMB2_HDR_SIZE;
	assert_int_equal(smb_get_le16(h + SMB2_HDR_COMMAND), SMB2_OPLOCK_BREAK);
	assert_true(smb_get_le64(h + SMB2_HDR_MESSAGE_ID) == U64_MAX);
	assert_int_equal(c->last->len, SMB2_HDR_SIZE + 24);
	assert_int_equal(smb_get_le16(b), 24);
	assert_memory_equal(b + 8, fid, 16);
	return b[2];
}

static H_UNUSED void o_build_ack(struct h_client *c, struct h_req *r,
				 const u8 fid[16], u8 level)
{
	h_req_init(c, r, SMB2_OPLOCK_BREAK);
	h_put16(r, 24);
	h_put8(r, level);
	h_put8(r, 0);
	h_put32(r, 0);
	h_put(r, fid, 16);
}

/* Acknowledge a break of fid to level; the ack's response status. */
static H_UNUSED u32 o_ack(struct h_client *c, const u8 fid[16], u8 level)
{
	struct h_req r;
	u32 st;

	o_build_ack(c, &r, fid, level);
	assert_int_equal(h_send(c, &r), 0);
	assert_non_null(h_recv(c));
	st = h_rstatus(c);
	if (st == STATUS_SUCCESS) {
		assert_int_equal(smb_get_le16(h_rbody(c)), 24);
		assert_memory_equal(h_rbody(c) + 8, fid, 16);
	}
	return st;
}

#endif /* SMBD_TEST_OPLOCK_CLIENT_H */
