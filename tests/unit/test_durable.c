// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for core/durable.c: the DHnQ/DHnC/DH2Q/DH2C contexts (lengths,
 * duplicates, combinations), opens kept after a lost connection, reconnect
 * checks, replay, timeouts on the server tick and conflicting opens.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "smb_harness.h"

#include "durable.h"
#include "oplock_client.h"

static u64 fake_now;

static u64 fake_ms(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static int setup(void **state)
{
	int rc = h_setup(state);
	struct h_env *e = *state;

	e->srv->ops.clock.monotonic_ms = fake_ms;
	fake_now = 1000;
	return rc;
}

/* ---- parsing ----------------------------------------------------------- */

static u32 parse(struct smb_durable_req *d, const char *name, u32 dlen)
{
	u8 data[64] = { 0 };
	bool taken;
	u32 st = smb_durable_parse_ctx(d, (const u8 *)name, 4, data, dlen,
				       &taken);

	assert_true(taken || st);
	return st;
}

static void test_parse_lengths(void **state)
{
	static const struct {
		const char *name;
		u32 len;
	} good[] = {
		{ "DHnQ", 16 }, { "DHnC", 16 }, { "DH2Q", 32 }, { "DH2C", 36 }
	};
	struct smb_durable_req d;
	bool taken = true;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&d, 0, sizeof(d));
		assert_int_equal(parse(&d, good[i].name, good[i].len), 0);
		/* Given twice: a duplicate. */
		assert_int_equal(parse(&d, good[i].name, good[i].len),
				 STATUS_INVALID_PARAMETER);
		memset(&d, 0, sizeof(d));
		assert_int_equal(parse(&d, good[i].name, good[i].len - 1),
				 STATUS_INVALID_PARAMETER);
		assert_int_equal(parse(&d, good[i].name, good[i].len + 8),
				 STATUS_INVALID_PARAMETER);
		assert_int_equal(parse(&d, good[i].name, 0),
				 STATUS_INVALID_PARAMETER);
	}
	memset(&d, 0, sizeof(d));
	assert_int_equal(smb_durable_parse_ctx(&d, (const u8 *)"MxAc", 4, NULL,
					       0, &taken),
			 0);
	assert_false(taken);
	assert_int_equal(smb_durable_parse_ctx(&d, (const u8 *)"DHnQx", 5, NULL,
					       0, &taken),
			 0);
	assert_false(taken);
}

static void test_parse_fields(void **state)
{
	struct smb_durable_req d;
	u8 q[32], c[36];
	bool taken;
	int i;

	(void)state;
	for (i = 0; i < 36; i++)
		c[i] = (u8)(i + 1);
	memset(q, 0, sizeof(q));
	smb_put_le32(q, 12345);
	smb_put_le32(q + 4, SMB2_DHANDLE_FLAG_PERSISTENT);
	memcpy(q + 16, "0123456789abcdef", 16);
	memset(&d, 0, sizeof(d));
	assert_int_equal(smb_durable_parse_ctx(&d, (const u8 *)"DH2Q", 4, q, 32,
					       &taken),
			 0);
	assert_int_equal(d.timeout_ms, 12345);
	assert_int_equal(d.flags, SMB2_DHANDLE_FLAG_PERSISTENT);
	assert_memory_equal(d.create_guid, "0123456789abcdef", 16);
	memset(&d, 0, sizeof(d));
	assert_int_equal(smb_durable_parse_ctx(&d, (const u8 *)"DH2C", 4, c, 36,
					       &taken),
			 0);
	assert_int_equal(d.persistent_id, smb_get_le64(c));
	assert_int_equal(d.volatile_id, smb_get_le64(c + 8));
	assert_memory_equal(d.create_guid, c + 16, 16);
	assert_int_equal(d.flags, smb_get_le32(c + 32));
}

static void test_validate(void **state)
{
	struct smb_durable_req d;

	(void)state;
	/* v1 with v2, in every pairing. */
	memset(&d, 0, sizeof(d));
	d.v1_request = d.v2_request = true;
	assert_int_equal(smb_durable_validate(&d, SMB2_DIALECT_0300),
			 STATUS_INVALID_PARAMETER);
	memset(&d, 0, sizeof(d));
	d.v1_reconnect = d.v2_request = true;
	assert_int_equal(smb_durable_validate(&d, SMB2_DIALECT_0311),
			 STATUS_INVALID_PARAMETER);
	memset(&d, 0, sizeof(d));
	d.v1_request = d.v2_reconnect = true;
	assert_int_equal(smb_durable_validate(&d, SMB2_DIALECT_0302),
			 STATUS_INVALID_PARAMETER);
	memset(&d, 0, sizeof(d));
	d.v2_request = d.v2_reconnect = true;
	assert_int_equal(smb_durable_validate(&d, SMB2_DIALECT_0311),
			 STATUS_INVALID_PARAMETER);
	/* DHnQ beside DHnC: the request is ignored. */
	memset(&d, 0, sizeof(d));
	d.v1_request = d.v1_reconnect = true;
	assert_int_equal(smb_durable_validate(&d, SMB2_DIALECT_0311), 0);
	assert_false(d.v1_request);
	assert_true(smb_durable_is_reconnect(&d));
	/* SMB 2.1 knows no v2 contexts: they are ignored, not refused. */
	memset(&d, 0, sizeof(d));
	d.v1_request = d.v2_request = true;
	assert_int_equal(smb_durable_validate(&d, SMB2_DIALECT_0210), 0);
	assert_true(d.v1_request);
	assert_false(d.v2_request);
}

/* ---- on the wire ------------------------------------------------------- */

static struct h_client *client(void **state, const char *user,
			       const char *password, const char *share)
{
	struct h_client *c = h_client_new(*state);

	h_negotiate(c, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup_ex(c, user, password, H_AUTH_NTLMV2),
			 STATUS_SUCCESS);
	assert_int_equal(h_tree_connect(c, share), STATUS_SUCCESS);
	return c;
}

static struct h_client *alice(void **state)
{
	return client(state, "alice", "secret", "share");
}

/* Append a create context (name, data) to buf at *len, 8-aligned. */
static void add_ctx(u8 *buf, size_t *len, const char *name, const void *data,
		    u32 dlen)
{
	u8 *p = buf + *len;
	size_t total = h_cctx(p, name, data, dlen, false);

	smb_put_le32(p, 0);
	/* Chain: the previous context's Next points here. */
	if (*len) {
		u8 *prev = buf;

		while (smb_get_le32(prev))
			prev += smb_get_le32(prev);
		smb_put_le32(prev, (u32)(p - prev));
	}
	*len += total;
}

/* Send r (a CREATE); the FileId goes to fid on success. */
static u32 h_create_status(struct h_client *c, struct h_req *r, u8 fid[16])
{
	u32 st = h_call(c, r);

	if (!st)
		memcpy(fid, h_rbody(c) + 64, 16);
	return st;
}

static u32 create_ctx(struct h_client *c, const char *name, const u8 *ctx,
		      size_t ctx_len, u8 fid[16])
{
	struct h_create cr = { .name = name,
			       .access = H_RW,
			       .share = FILE_SHARE_READ,
			       .disposition = FILE_OPEN_IF,
			       .contexts = ctx,
			       .contexts_len = ctx_len };

	return h_create_ex(c, &cr, fid);
}

/* The response's create context named name, or NULL. */
static const u8 *resp_ctx(struct h_client *c, const char *name, u32 *dlen)
{
	const u8 *b = h_rbody(c);
	u32 off = smb_get_le32(b + 80), len = smb_get_le32(b + 84), pos = 0;
	const u8 *base;

	if (!len)
		return NULL;
	base = h_rhdr(c) + off;
	for (;;) {
		const u8 *p = base + pos;
		u32 next = smb_get_le32(p);

		if (!memcmp(p + smb_get_le16(p + 4), name, 4)) {
			*dlen = smb_get_le32(p + 12);
			return p + smb_get_le16(p + 10);
		}
		if (!next)
			return NULL;
		pos += next;
	}
}

static void test_wire_malformed(void **state)
{
	struct h_client *c = alice(state);
	u8 buf[512], data[64] = { 0 }, fid[16];
	size_t len = 0;

	add_ctx(buf, &len, "DHnQ", data, 8);
	assert_int_equal(create_ctx(c, "m.txt", buf, len, fid),
			 STATUS_INVALID_PARAMETER);
	len = 0;
	add_ctx(buf, &len, "DHnQ", data, 16);
	add_ctx(buf, &len, "DHnQ", data, 16);
	assert_int_equal(create_ctx(c, "m.txt", buf, len, fid),
			 STATUS_INVALID_PARAMETER);
	len = 0;
	add_ctx(buf, &len, "DHnQ", data, 16);
	add_ctx(buf, &len, "DH2Q", data, 32);
	assert_int_equal(create_ctx(c, "m.txt", buf, len, fid),
			 STATUS_INVALID_PARAMETER);
	len = 0;
	add_ctx(buf, &len, "DH2C", data, 35);
	assert_int_equal(create_ctx(c, "m.txt", buf, len, fid),
			 STATUS_INVALID_PARAMETER);
	/* Data running past the context list. */
	len = 0;
	add_ctx(buf, &len, "DH2Q", data, 32);
	smb_put_le32(buf + 12, 40);
	assert_int_equal(create_ctx(c, "m.txt", buf, len, fid),
			 STATUS_INVALID_PARAMETER);
	/* A reconnect of nothing. */
	len = 0;
	smb_put_le64(data, 0x7777);
	add_ctx(buf, &len, "DHnC", data, 16);
	assert_int_equal(create_ctx(c, "m.txt", buf, len, fid),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_false(h_exists(c->env->rw, "m.txt"));
	/* Well formed but no batch oplock: opened, not durable. */
	len = 0;
	memset(data, 0, sizeof(data));
	add_ctx(buf, &len, "DHnQ", data, 16);
	assert_int_equal(create_ctx(c, "m.txt", buf, len, fid), 0);
	{
		u32 dlen;

		assert_null(resp_ctx(c, "DHnQ", &dlen));
	}
	assert_int_equal(h_close(c, fid), 0);
	h_client_free(c);
}

/*
 * CREATE name with a batch oplock and DHnQ (v2: DH2Q with guid and
 * timeout); flags: extra header flags.  Returns the status; the granted
 * timeout (v2) goes to *granted.
 */
static u32 durable_create_opts(struct h_client *c, const char *name, bool v2,
			       const char *guid, u32 timeout, u32 flags,
			       u32 options, u8 fid[16], u32 *granted)
{
	u8 buf[96], data[32] = { 0 };
	size_t len = 0;
	struct h_create cr = { .name = name,
			       .access = H_RW,
			       .share = FILE_SHARE_READ,
			       .disposition = FILE_OPEN_IF,
			       .options = options };
	struct h_req r;
	const u8 *rc;
	u32 st, dlen;

	if (options & FILE_DELETE_ON_CLOSE)
		cr.access |= DELETE;

	if (v2) {
		smb_put_le32(data, timeout);
		memcpy(data + 16, guid, 16);
	}
	add_ctx(buf, &len, v2 ? "DH2Q" : "DHnQ", data, v2 ? 32 : 16);
	cr.contexts = buf;
	cr.contexts_len = len;
	h_build_create(c, &r, &cr);
	r.p[H_BODY + 3] = SMB2_OPLOCK_LEVEL_BATCH;
	if (flags)
		h_req_flags(&r, flags);
	st = h_call(c, &r);
	if (st)
		return st;
	memcpy(fid, h_rbody(c) + 64, 16);
	assert_int_equal(h_rbody(c)[2], SMB2_OPLOCK_LEVEL_BATCH);
	rc = resp_ctx(c, v2 ? "DH2Q" : "DHnQ", &dlen);
	assert_non_null(rc);
	assert_int_equal(dlen, 8);
	if (granted)
		*granted = smb_get_le32(rc);
	return st;
}

static u32 durable_create(struct h_client *c, const char *name, bool v2,
			  const char *guid, u32 timeout, u32 flags, u8 fid[16],
			  u32 *granted)
{
	return durable_create_opts(c, name, v2, guid, timeout, flags, 0, fid,
				   granted);
}

static void make_durable(struct h_client *c, const char *name, u8 fid[16])
{
	assert_int_equal(durable_create(c, name, false, NULL, 0, 0, fid, NULL),
			 0);
}

static u32 reconnect_v1(struct h_client *c, const char *name, const u8 fid[16],
			u8 out[16])
{
	u8 buf[64];
	size_t len = 0;

	add_ctx(buf, &len, "DHnC", fid, 16);
	return create_ctx(c, name, buf, len, out);
}

static u32 reconnect_v2(struct h_client *c, const char *name, const u8 fid[16],
			const char *guid, u8 out[16])
{
	u8 buf[96], data[36] = { 0 };
	size_t len = 0;

	memcpy(data, fid, 16);
	memcpy(data + 16, guid, 16);
	add_ctx(buf, &len, "DH2C", data, 36);
	return create_ctx(c, name, buf, len, out);
}

static void test_v1_reconnect(void **state)
{
	struct h_client *a = alice(state), *b;
	struct h_env *e = *state;
	u8 fid[16], fid2[16], fid3[16];
	const u8 *data;
	u32 n;

	make_durable(a, "d.txt", fid);
	assert_int_equal(h_write(a, fid, "durable!", 8, 0), 0);
	/* While connected nobody may reconnect to it, not even alice. */
	b = alice(state);
	assert_int_equal(reconnect_v1(b, "d.txt", fid, fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	h_client_free(a); /* the connection is lost */
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);

	/* Another user may not have it. */
	a = client(state, "bob", "hunter2", "share");
	assert_int_equal(reconnect_v1(a, "d.txt", fid, fid2),
			 STATUS_ACCESS_DENIED);
	h_client_free(a);
	/* Nor a DH2C with another CreateGuid, or one on another share. */
	assert_int_equal(reconnect_v2(b, "d.txt", fid, "................",
				      fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	a = client(state, "alice", "secret", "ro");
	assert_int_equal(reconnect_v1(a, "d.txt", fid, fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	h_client_free(a);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);

	assert_int_equal(reconnect_v1(b, "d.txt", fid, fid2), 0);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
	assert_memory_equal(fid2, fid, 8); /* the same persistent id */
	assert_int_equal(smb_get_le32(h_rbody(b) + 4), FILE_OPENED);
	assert_int_equal(h_rbody(b)[2], SMB2_OPLOCK_LEVEL_BATCH);
	assert_int_equal(smb_get_le64(h_rbody(b) + 48), 8);
	assert_int_equal(h_read(b, fid2, 8, 0, &data, &n), 0);
	assert_int_equal(n, 8);
	assert_memory_equal(data, "durable!", 8);
	/* A second reconnect finds it taken. */
	assert_int_equal(reconnect_v1(b, "d.txt", fid, fid3),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(h_close(b, fid2), 0);
	assert_int_equal(h_close(b, fid2), STATUS_FILE_CLOSED);
	h_client_free(b);
}

static void test_v2_reconnect_and_replay(void **state)
{
	static const char guid[] = "create-guid-0001";
	struct h_client *a = alice(state), *b;
	struct h_env *e = *state;
	u8 fid[16], fid2[16];
	u32 dlen, granted;

	assert_int_equal(durable_create(a, "v2.txt", true, guid, 0, 0, fid,
					&granted),
			 0);
	assert_int_equal(granted, SMB_DURABLE_V2_DEFAULT_MS);
	/* A replayed DH2Q with the CreateGuid answers with the open. */
	assert_int_equal(durable_create(a, "v2.txt", true, guid, 0,
					SMB2_FLAGS_REPLAY_OPERATION, fid2,
					&granted),
			 0);
	assert_memory_equal(fid2, fid, 16);
	assert_int_equal(granted, SMB_DURABLE_V2_DEFAULT_MS);
	h_client_free(a);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);

	b = alice(state);
	/* Another CreateGuid: not this open. */
	assert_int_equal(reconnect_v2(b, "v2.txt", fid, "create-guid-0002",
				      fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	h_client_free(b);
	/* An oplock open may come back on another client (ClientGuid). */
	b = h_client_new(*state);
	memcpy(b->guid, "client-guid-0002", 16);
	h_negotiate(b, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup(b), 0);
	assert_int_equal(h_tree_connect(b, "share"), 0);
	assert_int_equal(reconnect_v2(b, "v2.txt", fid, guid, fid2), 0);
	assert_memory_equal(fid2, fid, 8);
	assert_null(resp_ctx(b, "DH2Q", &dlen));
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
	/* Still durable: lost again, and taken back again. */
	h_client_free(b);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);
	b = alice(state);
	assert_int_equal(reconnect_v2(b, "v2.txt", fid, guid, fid2), 0);
	assert_int_equal(h_close(b, fid2), 0);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
	h_client_free(b);
}

static void test_timeout(void **state)
{
	struct h_client *a = alice(state), *b;
	struct h_env *e = *state;
	u8 fid[16], fid2[16];
	u32 granted;

	smb_server_set_durable_timeout(e->srv, 30);
	assert_int_equal(durable_create(a, "t.txt", true, "create-guid-0005",
					90000, 0, fid, &granted),
			 0);
	assert_int_equal(granted, 30000); /* capped */
	h_client_free(a);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);
	fake_now += 29999;
	smb_server_tick(e->srv);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);
	fake_now += 1;
	assert_int_equal(smb_server_tick(e->srv), U64_MAX);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
	/* Gone: the file opens exclusively, and no reconnect finds it. */
	b = alice(state);
	assert_int_equal(reconnect_v2(b, "t.txt", fid, "................",
				      fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(h_create(b, "t.txt", H_RW, 0, FILE_OPEN, 0, fid2), 0);
	assert_int_equal(h_close(b, fid2), 0);
	h_client_free(b);
	smb_server_set_durable_timeout(e->srv, 0);
}

static void test_conflicting_open_closes(void **state)
{
	struct h_client *a = alice(state), *b;
	struct h_env *e = *state;
	u8 fid[16], fid2[16];

	make_durable(a, "c.txt", fid);
	h_client_free(a);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);
	/* Its batch oplock cannot be broken: the durable open goes. */
	b = client(state, "bob", "hunter2", "share");
	assert_int_equal(h_create(b, "c.txt", H_RW, 0, FILE_OPEN, 0, fid2), 0);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
	assert_int_equal(h_close(b, fid2), 0);
	h_client_free(b);
	b = alice(state);
	assert_int_equal(reconnect_v1(b, "c.txt", fid, fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	/* Closing it deletes the file: the new open creates it anew. */
	assert_int_equal(durable_create_opts(b, "doc.txt", false, NULL, 0, 0,
					     FILE_DELETE_ON_CLOSE, fid, NULL),
			 0);
	assert_int_equal(h_write(b, fid, "x", 1, 0), 0);
	h_client_free(b);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);
	b = alice(state);
	h_open_rw(b, "doc.txt", FILE_OPEN_IF, fid2);
	assert_int_equal(smb_get_le32(h_rbody(b) + 4), FILE_CREATED);
	assert_int_equal(smb_get_le64(h_rbody(b) + 48), 0);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
	assert_int_equal(h_close(b, fid2), 0);
	h_client_free(b);
}

/* CLOSE ends a durable open; LOGOFF keeps it for a new session. */
static void test_close_and_logoff(void **state)
{
	struct h_client *a = alice(state);
	struct h_env *e = *state;
	u8 fid[16], fid2[16];

	make_durable(a, "l.txt", fid);
	assert_int_equal(durable_create(a, "l2.txt", true, "create-guid-0003",
					5000, 0, fid2, NULL),
			 0);
	assert_int_equal(h_close(a, fid2), 0);
	assert_int_equal(h_simple(a, SMB2_LOGOFF), 0);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);
	assert_int_equal(h_session_setup(a), 0);
	assert_int_equal(h_tree_connect(a, "share"), 0);
	assert_int_equal(reconnect_v2(a, "l2.txt", fid2, "create-guid-0003",
				      fid),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(reconnect_v1(a, "l.txt", fid, fid2), 0);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
	/* A tree disconnect closes it. */
	assert_int_equal(h_simple(a, SMB2_TREE_DISCONNECT), 0);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
	assert_int_equal(h_tree_connect(a, "share"), 0);
	assert_int_equal(reconnect_v1(a, "l.txt", fid, fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	h_client_free(a);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
}

/* A second session naming the first as PreviousSessionId ends it. */
static void test_session_reconnect_same_conn(void **state)
{
	struct h_client *a = alice(state);
	struct h_env *e = *state;
	struct h_sess old;
	u8 fid[16], fid2[16], other[16];

	make_durable(a, "r.txt", fid);
	assert_int_equal(create_ctx(a, "plain.txt", NULL, 0, other), 0);
	old = a->s;
	a->previous_session_id = old.id;
	assert_int_equal(h_session_setup(a), 0);
	a->previous_session_id = 0;
	assert_true(a->s.id != old.id);
	/* The old session is gone; its durable open waits for its client. */
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);
	{
		struct h_sess now = a->s;

		a->s = old;
		assert_int_equal(h_simple(a, SMB2_ECHO), 0);
		assert_int_equal(h_tree_connect(a, "share"),
				 STATUS_USER_SESSION_DELETED);
		a->s = now;
	}
	assert_int_equal(h_tree_connect(a, "share"), 0);
	assert_int_equal(reconnect_v1(a, "r.txt", fid, fid2), 0);
	assert_int_equal(h_close(a, fid2), 0);
	/* The plain open went with the old session. */
	assert_int_equal(h_create(a, "plain.txt", H_RW, 0, FILE_OPEN, 0, fid2),
			 0);
	assert_int_equal(h_close(a, fid2), 0);
	h_client_free(a);
}

/* From another connection: the old one retires it at its next request. */
static void test_session_reconnect_other_conn(void **state)
{
	struct h_client *a = alice(state), *b, *m;
	struct h_env *e = *state;
	u8 fid[16], fid2[16];

	make_durable(a, "x.txt", fid);
	/* Another user cannot end alice's session. */
	m = h_client_new(*state);
	m->previous_session_id = a->s.id;
	h_negotiate(m, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup_ex(m, "bob", "hunter2", H_AUTH_NTLMV2),
			 0);
	assert_int_equal(h_simple(a, SMB2_ECHO), 0);
	assert_int_equal(h_flush(a, fid), 0);
	h_client_free(m);

	b = h_client_new(*state);
	b->previous_session_id = a->s.id;
	h_negotiate(b, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup(b), 0);
	assert_int_equal(h_tree_connect(b, "share"), 0);
	assert_int_equal(h_flush(a, fid), STATUS_USER_SESSION_DELETED);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);
	assert_int_equal(h_flush(a, fid), STATUS_USER_SESSION_DELETED);
	assert_int_equal(reconnect_v1(b, "x.txt", fid, fid2), 0);
	assert_int_equal(h_close(b, fid2), 0);
	h_client_free(a);
	h_client_free(b);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
}

/* CREATE name with an RWH lease (key) and DHnQ, or reconnect (fid). */
static u32 lease_create(struct h_client *c, const char *name, const char *key,
			const u8 *reconnect_fid, u8 oplock, u8 fid[16])
{
	u8 buf[160], lease[32] = { 0 }, dh[16] = { 0 };
	size_t len = 0;
	struct h_create cr = { .name = name,
			       .access = H_RW,
			       .share = FILE_SHARE_READ,
			       .disposition = FILE_OPEN_IF };
	struct h_req r;

	memcpy(lease, key, 16);
	smb_put_le32(lease + 16, SMB2_LEASE_READ_CACHING |
					 SMB2_LEASE_HANDLE_CACHING |
					 SMB2_LEASE_WRITE_CACHING);
	add_ctx(buf, &len, "RqLs", lease, 32);
	if (reconnect_fid)
		add_ctx(buf, &len, "DHnC", reconnect_fid, 16);
	else
		add_ctx(buf, &len, "DHnQ", dh, 16);
	cr.contexts = buf;
	cr.contexts_len = len;
	h_build_create(c, &r, &cr);
	r.p[H_BODY + 3] = oplock;
	return h_create_status(c, &r, fid);
}

static void test_lease_reconnect(void **state)
{
	static const char key[] = "lease-key-000001";
	struct h_client *a = alice(state), *b;
	u8 fid[16], fid2[16];
	u32 dlen;

	assert_int_equal(lease_create(a, "ls.txt", key, NULL,
				      SMB2_OPLOCK_LEVEL_LEASE, fid),
			 0);
	assert_int_equal(h_rbody(a)[2], SMB2_OPLOCK_LEVEL_LEASE);
	assert_non_null(resp_ctx(a, "DHnQ", &dlen));
	h_client_free(a);
	/* A lease open comes back only to its client (ClientGuid). */
	b = h_client_new(*state);
	memcpy(b->guid, "client-guid-0002", 16);
	h_negotiate(b, SMB2_DIALECT_0311, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_session_setup(b), 0);
	assert_int_equal(h_tree_connect(b, "share"), 0);
	assert_int_equal(lease_create(b, "ls.txt", key, fid,
				      SMB2_OPLOCK_LEVEL_LEASE, fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	h_client_free(b);
	b = alice(state);
	/* Without the lease, or with another key: not found. */
	assert_int_equal(reconnect_v1(b, "ls.txt", fid, fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(lease_create(b, "ls.txt", "lease-key-000002", fid,
				      SMB2_OPLOCK_LEVEL_LEASE, fid2),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	/* The lease's file name must be given. */
	assert_int_equal(lease_create(b, "other.txt", key, fid,
				      SMB2_OPLOCK_LEVEL_LEASE, fid2),
			 STATUS_INVALID_PARAMETER);
	/* RequestedOplockLevel does not matter on a reconnect. */
	assert_int_equal(lease_create(b, "LS.txt", key, fid, 0x78, fid2), 0);
	assert_int_equal(h_rbody(b)[2], SMB2_OPLOCK_LEVEL_LEASE);
	assert_non_null(resp_ctx(b, "RqLs", &dlen));
	assert_null(resp_ctx(b, "DHnQ", &dlen));
	assert_int_equal(h_close(b, fid2), 0);
	h_client_free(b);
}

/* A break its client can no longer acknowledge: the open is not kept. */
static void test_break_in_flight_at_disconnect(void **state)
{
	struct h_client *a = alice(state), *b = alice(state);
	struct h_env *e = *state;
	u8 fid[16], fid2[16];
	u64 async_id;

	make_durable(a, "br.txt", fid);
	async_id = o_create_pending(b, "br.txt", FILE_READ_DATA, H_SHARE_ALL,
				    FILE_OPEN, SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(o_break_notification(a, fid), SMB2_OPLOCK_LEVEL_II);
	h_client_free(a); /* gone without acknowledging */
	assert_int_equal(smb_durable_count_disconnected(e->srv), 0);
	assert_int_equal(o_create_final(b, async_id, fid2), STATUS_SUCCESS);
	assert_int_equal(reconnect_v1(b, "br.txt", fid, fid),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(h_close(b, fid2), 0);
	h_client_free(b);
}

static void test_server_free_closes_kept(void **state)
{
	struct h_client *a = alice(state);
	struct h_env *e = *state;
	u8 fid[16];

	assert_int_equal(durable_create(a, "s.txt", true, "create-guid-0004", 0,
					0, fid, NULL),
			 0);
	h_client_free(a);
	assert_int_equal(smb_durable_count_disconnected(e->srv), 1);
	/* h_teardown frees the server; ASan and the allocation count
	 * show the kept open is released with it.
	 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_lengths),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_validate),
		cmocka_unit_test_setup_teardown(test_wire_malformed, setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_v1_reconnect, setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_v2_reconnect_and_replay,
						setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_conflicting_open_closes,
						setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_close_and_logoff, setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(
			test_session_reconnect_same_conn, setup, h_teardown),
		cmocka_unit_test_setup_teardown(
			test_session_reconnect_other_conn, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_lease_reconnect, setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(
			test_break_in_flight_at_disconnect, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_server_free_closes_kept,
						setup, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
