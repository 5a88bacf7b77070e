// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for transport/smbdirect.c.  Expected wire bytes are written out by
 * hand from the field layouts of [MS-SMBD] 2.2.1-2.2.3.1 and the examples
 * of [MS-SMBD] 4.1 and 4.3.  A fake backend records every message sent and
 * plays the peer, keeping its own count of the credits we granted it, so a
 * test cannot pass by sending without credits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "platform.h"
#include "smbdirect.h"
#include "count_alloc.h"

/* ---- fake backend and peer ------------------------------------------- */

#define MAX_MSGS 512
#define MAX_PDUS 16
#define RECV_NORMAL 1000 /* recv_ret: post everything asked for */

struct fake {
	struct smbdirect_engine *e;
	u8 *msgs[MAX_MSGS];
	size_t msg_len[MAX_MSGS];
	int nmsgs;
	int absorbed; /* messages whose grants the peer has counted */
	int post_recv_calls;
	u32 last_post_count;
	u32 posted_total;
	int recv_ret; /* RECV_NORMAL or the value post_recv returns */
	int send_ret; /* what post_send returns */
	u8 *pdus[MAX_PDUS];
	size_t pdu_len[MAX_PDUS];
	int npdus;
	int disc_calls;
	int disc_reason;
	u32 peer_credits; /* messages the peer may send us */
	bool echo; /* deliver sends the PDU straight back */
	bool close_in_deliver;
};

static int f_post_send(void *ctx, const struct smb_iov *iov, int niov)
{
	struct fake *f = ctx;
	size_t len = 0, off = 0;
	u8 *m;
	int i;

	if (f->send_ret)
		return f->send_ret;
	assert_true(niov >= 1 && niov <= 16);
	for (i = 0; i < niov; i++)
		len += iov[i].len;
	assert_true(f->nmsgs < MAX_MSGS);
	m = malloc(len);
	assert_non_null(m);
	for (i = 0; i < niov; i++) {
		memcpy(m + off, iov[i].base, iov[i].len);
		off += iov[i].len;
	}
	f->msgs[f->nmsgs] = m;
	f->msg_len[f->nmsgs] = len;
	f->nmsgs++;
	return 0;
}

static int f_post_recv(void *ctx, u32 count)
{
	struct fake *f = ctx;

	f->post_recv_calls++;
	f->last_post_count = count;
	if (f->recv_ret != RECV_NORMAL)
		return f->recv_ret;
	f->posted_total += count;
	return (int)count;
}

static void f_deliver(void *ctx, u8 *pdu, size_t len)
{
	struct fake *f = ctx;

	if (f->echo) {
		struct smb_iov iov = { pdu, len };

		assert_int_equal(smbdirect_engine_send_pdu(f->e, &iov, 1), 0);
	}
	if (f->close_in_deliver)
		smbdirect_engine_close(f->e);
	assert_true(f->npdus < MAX_PDUS);
	f->pdus[f->npdus] = pdu;
	f->pdu_len[f->npdus] = len;
	f->npdus++;
}

static void f_disconnect(void *ctx, int reason)
{
	struct fake *f = ctx;

	f->disc_calls++;
	f->disc_reason = reason;
}

static const struct smbdirect_engine_ops fops = {
	f_post_send,
	f_post_recv,
	f_deliver,
	f_disconnect,
};

static struct fake fk;

static void clear_msgs(struct fake *f)
{
	for (int i = 0; i < f->nmsgs; i++)
		free(f->msgs[i]);
	f->nmsgs = 0;
	f->absorbed = 0;
}

static void clear_pdus(struct fake *f)
{
	for (int i = 0; i < f->npdus; i++)
		smbdirect_engine_free_pdu(f->e, f->pdus[i]);
	f->npdus = 0;
}

static int setup(void **state)
{
	acct.live = 0;
	acct.fail_after = -1;
	memset(&fk, 0, sizeof(fk));
	fk.recv_ret = RECV_NORMAL;
	return 0;
}

static int teardown(void **state)
{
	clear_pdus(&fk);
	clear_msgs(&fk);
	smbdirect_engine_free(fk.e);
	fk.e = NULL;
	assert_int_equal(acct.live, 0);
	return 0;
}

/* The server configuration of the [MS-SMBD] 4.1 example. */
static void example_config(struct smbdirect_config *c)
{
	memset(c, 0, sizeof(*c));
	c->recv_credit_max = 255;
	c->send_credit_target = 10;
	c->max_send_size = 1364;
	c->max_recv_size = 1364;
	c->max_fragmented_recv_size = 128 * 1024;
	c->max_read_write_size = 1024 * 1024;
}

static void start_with(const struct smbdirect_config *c)
{
	assert_int_equal(smbdirect_engine_new(c, &tmem, &fops, &fk, &fk.e), 0);
	assert_int_equal(smbdirect_engine_start(fk.e, 0), 0);
}

static size_t build_negotiate(u8 *b, u16 min_v, u16 max_v, u16 credits,
			      u32 pref_send, u32 max_recv, u32 max_frag)
{
	smb_put_le16(b + 0, min_v);
	smb_put_le16(b + 2, max_v);
	smb_put_le16(b + 4, 0);
	smb_put_le16(b + 6, credits);
	smb_put_le32(b + 8, pref_send);
	smb_put_le32(b + 12, max_recv);
	smb_put_le32(b + 16, max_frag);
	return SMBDIRECT_NEGOTIATE_REQ_SIZE;
}

/*
 * Negotiate as the [MS-SMBD] 4.1 client: version 1.0 only, 10 credits,
 * 1 KiB sends and receives, 128 KiB fragmented.  The peer then holds the
 * credits the response granted.
 */
static void negotiate_example(void)
{
	u8 req[SMBDIRECT_NEGOTIATE_REQ_SIZE];

	build_negotiate(req, 0x0100, 0x0100, 10, 1024, 1024, 128 * 1024);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)), 0);
	assert_int_equal(fk.nmsgs, 1);
	assert_int_equal(fk.msg_len[0], SMBDIRECT_NEGOTIATE_RESP_SIZE);
	fk.peer_credits = smb_get_le16(fk.msgs[0] + 10);
	fk.absorbed = 1;
}

static void start_example(void)
{
	struct smbdirect_config c;

	example_config(&c);
	start_with(&c);
	negotiate_example();
}

/*
 * A Data Transfer message: header, zero padding up to off, then dlen
 * payload bytes (data, or seed + i).  Returns its length.
 */
static size_t build_data(u8 *b, u16 creq, u16 grant, u16 flags, u32 rem,
			 u32 off, u32 dlen, const u8 *data, u8 seed)
{
	size_t len = off + dlen;

	if (len < SMBDIRECT_DATA_MIN_SIZE)
		len = SMBDIRECT_DATA_MIN_SIZE;
	memset(b, 0, len);
	smb_put_le16(b + 0, creq);
	smb_put_le16(b + 2, grant);
	smb_put_le16(b + 4, flags);
	smb_put_le32(b + 8, rem);
	smb_put_le32(b + 12, off);
	smb_put_le32(b + 16, dlen);
	for (u32 i = 0; i < dlen; i++)
		b[off + i] = data ? data[i] : (u8)(seed + i);
	return len;
}

/* The peer counts the credits granted by messages it has not seen yet. */
static void absorb(void)
{
	for (; fk.absorbed < fk.nmsgs; fk.absorbed++) {
		assert_true(fk.msg_len[fk.absorbed] >= SMBDIRECT_DATA_MIN_SIZE);
		fk.peer_credits += smb_get_le16(fk.msgs[fk.absorbed] + 2);
	}
}

/* The peer sends a message; it must hold a credit for it. */
static int peer_send(const u8 *msg, size_t len)
{
	int r;

	absorb();
	assert_true(fk.peer_credits > 0);
	fk.peer_credits--;
	r = smbdirect_engine_on_recv(fk.e, msg, len);
	absorb();
	return r;
}

/* An empty message from the peer granting us n credits. */
static int peer_grant(u16 n, u16 flags)
{
	u8 m[SMBDIRECT_DATA_MIN_SIZE];

	build_data(m, 10, n, flags, 0, 0, 0, NULL, 0);
	return peer_send(m, sizeof(m));
}

static struct smbdirect_info info(void)
{
	struct smbdirect_info i;

	smbdirect_engine_get_info(fk.e, &i);
	return i;
}

static void expect_closed(int reason)
{
	assert_int_equal(smbdirect_engine_state(fk.e), SMBDIRECT_STATE_CLOSED);
	assert_int_equal(fk.disc_calls, 1);
	assert_int_equal(fk.disc_reason, reason);
}

/* ---- configuration and states ---------------------------------------- */

static void test_config_defaults_and_limits(void **state)
{
	struct smbdirect_config c;
	struct smbdirect_engine *e = NULL;
	struct smbdirect_engine_ops bad = fops;

	memset(&c, 0, sizeof(c));
	smbdirect_config_defaults(&c);
	assert_int_equal(c.recv_credit_max, 255);
	assert_int_equal(c.send_credit_target, 255);
	assert_int_equal(c.max_send_size, 1364);
	assert_int_equal(c.max_recv_size, 1364);
	assert_int_equal(c.max_fragmented_recv_size, 1024 * 1024);
	assert_int_equal(c.keepalive_interval_ms, 120000);

	c.max_send_size = 127;
	assert_int_equal(smbdirect_engine_new(&c, &tmem, &fops, &fk, &e),
			 SMBDIRECT_ERR_INVAL);
	assert_null(e);
	c.max_send_size = 128;
	c.max_recv_size = 127;
	assert_int_equal(smbdirect_engine_new(&c, &tmem, &fops, &fk, &e),
			 SMBDIRECT_ERR_INVAL);
	c.max_recv_size = 128;
	c.max_fragmented_recv_size = 131071;
	assert_int_equal(smbdirect_engine_new(&c, &tmem, &fops, &fk, &e),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_engine_new(NULL, NULL, &fops, &fk, &e),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_engine_new(NULL, &tmem, &fops, &fk, NULL),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_engine_new(NULL, &tmem, NULL, &fk, &e),
			 SMBDIRECT_ERR_INVAL);
	bad.deliver = NULL;
	assert_int_equal(smbdirect_engine_new(NULL, &tmem, &bad, &fk, &e),
			 SMBDIRECT_ERR_INVAL);
	acct.fail_after = 0;
	assert_int_equal(smbdirect_engine_new(NULL, &tmem, &fops, &fk, &e),
			 SMBDIRECT_ERR_NOMEM);
	acct.fail_after = -1;
	/* Minimum legal limits are accepted. */
	c.max_fragmented_recv_size = 131072;
	assert_int_equal(smbdirect_engine_new(&c, &tmem, &fops, &fk, &e), 0);
	smbdirect_engine_free(e);
}

static void test_states(void **state)
{
	u8 buf[64] = { 0 };
	struct smb_iov iov = { buf, 4 };

	assert_int_equal(smbdirect_engine_new(NULL, &tmem, &fops, &fk, &fk.e),
			 0);
	assert_int_equal(smbdirect_engine_state(fk.e), SMBDIRECT_STATE_IDLE);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1),
			 SMBDIRECT_ERR_STATE);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, buf, 20),
			 SMBDIRECT_ERR_STATE);
	assert_int_equal(smbdirect_engine_tick(fk.e, 0), SMBDIRECT_TICK_NEVER);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, NULL, 20),
			 SMBDIRECT_ERR_INVAL);

	/* Start posts the one buffer the Negotiate Request lands in. */
	assert_int_equal(smbdirect_engine_start(fk.e, 100), 0);
	assert_int_equal(smbdirect_engine_state(fk.e),
			 SMBDIRECT_STATE_NEGOTIATE);
	assert_int_equal(fk.post_recv_calls, 1);
	assert_int_equal(fk.last_post_count, 1);
	assert_int_equal(info().recv_posted, 1);
	assert_int_equal(smbdirect_engine_start(fk.e, 100),
			 SMBDIRECT_ERR_STATE);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1),
			 SMBDIRECT_ERR_STATE);
	assert_int_equal(fk.nmsgs, 0);

	negotiate_example();
	assert_int_equal(smbdirect_engine_state(fk.e),
			 SMBDIRECT_STATE_CONNECTED);

	smbdirect_engine_close(fk.e);
	expect_closed(SMBDIRECT_DISC_LOCAL);
	smbdirect_engine_close(fk.e); /* once only */
	assert_int_equal(fk.disc_calls, 1);
	assert_int_equal(info().disconnect_reason, SMBDIRECT_DISC_LOCAL);
	assert_int_equal(info().stats.protocol_errors, 0);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, buf, 20),
			 SMBDIRECT_ERR_CLOSED);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1),
			 SMBDIRECT_ERR_CLOSED);
	assert_int_equal(smbdirect_engine_tick(fk.e, 1000),
			 SMBDIRECT_TICK_NEVER);
	smbdirect_engine_on_send_done(fk.e);
	assert_int_equal(fk.nmsgs, 1);
}

static void test_start_post_failures(void **state)
{
	fk.recv_ret = -5;
	assert_int_equal(smbdirect_engine_new(NULL, &tmem, &fops, &fk, &fk.e),
			 0);
	assert_int_equal(smbdirect_engine_start(fk.e, 0), SMBDIRECT_ERR_CLOSED);
	expect_closed(SMBDIRECT_DISC_BACKEND);
	smbdirect_engine_free(fk.e);

	memset(&fk, 0, sizeof(fk));
	fk.recv_ret = 0; /* nothing could be posted */
	assert_int_equal(smbdirect_engine_new(NULL, &tmem, &fops, &fk, &fk.e),
			 0);
	assert_int_equal(smbdirect_engine_start(fk.e, 0), SMBDIRECT_ERR_NOMEM);
	expect_closed(SMBDIRECT_DISC_NOMEM);
}

/* ---- negotiation ----------------------------------------------------- */

static void test_negotiate_spec_example(void **state)
{
	/* [MS-SMBD] 4.1, Negotiate Response, field by field. */
	static const u8 expect[SMBDIRECT_NEGOTIATE_RESP_SIZE] = {
		0x00, 0x01, /* MinVersion 0x0100 */
		0x00, 0x01, /* MaxVersion 0x0100 */
		0x00, 0x01, /* NegotiatedVersion 0x0100 */
		0x00, 0x00, /* Reserved */
		0x0a, 0x00, /* CreditsRequested 10 */
		0x0a, 0x00, /* CreditsGranted 10 */
		0x00, 0x00, 0x00, 0x00, /* Status */
		0x00, 0x00, 0x10, 0x00, /* MaxReadWriteSize 1 MiB */
		0x00, 0x04, 0x00, 0x00, /* PreferredSendSize 1 KiB */
		0x00, 0x04, 0x00, 0x00, /* MaxReceiveSize 1 KiB */
		0x00, 0x00, 0x02, 0x00, /* MaxFragmentedSize 128 KiB */
	};
	/* The 4.1 Negotiate Request, byte by byte. */
	static const u8 req[SMBDIRECT_NEGOTIATE_REQ_SIZE] = {
		0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x04,
		0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	};
	struct smbdirect_config c;
	struct smbdirect_info i;

	example_config(&c);
	start_with(&c);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)), 0);
	assert_int_equal(fk.nmsgs, 1);
	assert_memory_equal(fk.msgs[0], expect, sizeof(expect));
	/* One buffer for the request, then the ten credits granted. */
	assert_int_equal(fk.post_recv_calls, 2);
	assert_int_equal(fk.last_post_count, 10);
	i = info();
	assert_int_equal(i.state, SMBDIRECT_STATE_CONNECTED);
	assert_int_equal(i.max_send_size, 1024);
	assert_int_equal(i.max_recv_size, 1024);
	assert_int_equal(i.max_fragmented_send_size, 128 * 1024);
	assert_int_equal(i.max_fragmented_recv_size, 128 * 1024);
	assert_int_equal(i.max_read_write_size, 1024 * 1024);
	assert_int_equal(i.recv_credits, 10);
	assert_int_equal(i.recv_posted, 10);
	assert_int_equal(i.recv_credit_target, 10);
	/* The request grants nothing: we may not send until the peer does. */
	assert_int_equal(i.send_credits, 0);
}

struct neg_case {
	u16 min_v, max_v, credits;
	u32 pref, max_recv, max_frag;
	size_t len;
	int expect; /* 0 accepted, 1 NOT_SUPPORTED response, 2 dropped */
};

static void test_negotiate_cases(void **state)
{
	static const struct neg_case cases[] = {
		/* Version ranges must contain 0x0100. */
		{ 0x0100, 0x0100, 1, 1024, 1024, 131072, 20, 0 },
		{ 0x0100, 0x0200, 1, 1024, 1024, 131072, 20, 0 },
		{ 0x0000, 0x0100, 1, 1024, 1024, 131072, 20, 0 },
		{ 0x0000, 0xffff, 1, 1024, 1024, 131072, 20, 0 },
		{ 0x0101, 0x0200, 1, 1024, 1024, 131072, 20, 1 },
		{ 0x0000, 0x00ff, 1, 1024, 1024, 131072, 20, 1 },
		{ 0x0200, 0x0000, 1, 1024, 1024, 131072, 20, 1 },
		{ 0x0000, 0x0000, 1, 1024, 1024, 131072, 20, 1 },
		/* Version is judged before the other fields. */
		{ 0x0200, 0x0300, 0, 0, 0, 0, 20, 1 },
		/* CreditsRequested > 0. */
		{ 0x0100, 0x0100, 0, 1024, 1024, 131072, 20, 2 },
		{ 0x0100, 0x0100, 0xffff, 1024, 1024, 131072, 20, 0 },
		/* MaxReceiveSize >= 128. */
		{ 0x0100, 0x0100, 1, 1024, 127, 131072, 20, 2 },
		{ 0x0100, 0x0100, 1, 1024, 128, 131072, 20, 0 },
		{ 0x0100, 0x0100, 1, 1024, 0, 131072, 20, 2 },
		/* MaxFragmentedSize >= 131072. */
		{ 0x0100, 0x0100, 1, 1024, 1024, 131071, 20, 2 },
		{ 0x0100, 0x0100, 1, 1024, 1024, 0xffffffff, 20, 0 },
		/* PreferredSendSize has no minimum (raised to 128). */
		{ 0x0100, 0x0100, 1, 0, 1024, 131072, 20, 0 },
		/* At least 20 bytes; longer is accepted ([MS-SMBD] 3.1.5.6). */
		{ 0x0100, 0x0100, 1, 1024, 1024, 131072, 0, 2 },
		{ 0x0100, 0x0100, 1, 1024, 1024, 131072, 1, 2 },
		{ 0x0100, 0x0100, 1, 1024, 1024, 131072, 19, 2 },
		{ 0x0100, 0x0100, 1, 1024, 1024, 131072, 21, 0 },
		{ 0x0100, 0x0100, 1, 1024, 1024, 131072, 32, 0 },
		/* Larger than the buffer we posted. */
		{ 0x0100, 0x0100, 1, 1024, 1024, 131072, 1365, 2 },
	};
	/* [MS-SMBD] 3.1.5.3: only the versions and the status are set. */
	static const u8 reject[SMBDIRECT_NEGOTIATE_RESP_SIZE] = {
		0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0xbb, 0x00, 0x00, 0xc0, /* NOT_SUPPORTED */
	};

	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		const struct neg_case *t = &cases[k];
		u8 req[1400];
		struct smbdirect_config c;
		int r;

		memset(req, 0xee, sizeof(req));
		build_negotiate(req, t->min_v, t->max_v, t->credits, t->pref,
				t->max_recv, t->max_frag);
		example_config(&c);
		start_with(&c);
		r = smbdirect_engine_on_recv(fk.e, req, t->len);
		if (t->expect == 0) {
			assert_int_equal(r, 0);
			assert_int_equal(smbdirect_engine_state(fk.e),
					 SMBDIRECT_STATE_CONNECTED);
			assert_int_equal(fk.nmsgs, 1);
			assert_int_equal(smb_get_le32(fk.msgs[0] + 12), 0);
			assert_int_equal(fk.disc_calls, 0);
		} else if (t->expect == 1) {
			assert_int_equal(r, SMBDIRECT_ERR_PROTO);
			assert_int_equal(fk.nmsgs, 1);
			assert_int_equal(fk.msg_len[0], sizeof(reject));
			assert_memory_equal(fk.msgs[0], reject, sizeof(reject));
			expect_closed(SMBDIRECT_DISC_NEGOTIATE_REJECTED);
		} else {
			assert_int_equal(r, SMBDIRECT_ERR_PROTO);
			assert_int_equal(fk.nmsgs, 0);
			expect_closed(SMBDIRECT_DISC_PROTOCOL);
		}
		teardown(NULL);
		setup(NULL);
	}
}

static void test_negotiate_sizes(void **state)
{
	struct smbdirect_config c;
	u8 req[SMBDIRECT_NEGOTIATE_REQ_SIZE];
	const u8 *r;

	/* A tiny preferred send size still leaves 128-byte receives. */
	example_config(&c);
	start_with(&c);
	build_negotiate(req, 0x0100, 0x0100, 0xffff, 100, 0xffffffff, 131072);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)), 0);
	r = fk.msgs[0];
	assert_int_equal(smb_get_le16(r + 8), 10);
	/* Credits requested are capped by our ReceiveCreditMax. */
	assert_int_equal(smb_get_le16(r + 10), 255);
	assert_int_equal(fk.last_post_count, 255);
	/* PreferredSendSize: ours, as the peer can take more. */
	assert_int_equal(smb_get_le32(r + 20), 1364);
	assert_int_equal(smb_get_le32(r + 24), 128);
	assert_int_equal(info().max_recv_size, 128);
	assert_int_equal(info().max_send_size, 1364);
	assert_int_equal(info().max_fragmented_send_size, 131072);
	teardown(NULL);
	setup(NULL);

	/* A big preferred send size is cut to our receive buffers. */
	start_with(&c);
	build_negotiate(req, 0x0100, 0x0100, 3, 0x7fffffff, 200, 1 << 20);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)), 0);
	r = fk.msgs[0];
	assert_int_equal(smb_get_le16(r + 10), 3);
	assert_int_equal(smb_get_le32(r + 20), 200);
	assert_int_equal(smb_get_le32(r + 24), 1364);
	assert_int_equal(info().max_fragmented_send_size, 1 << 20);
}

static void test_negotiate_backend_failures(void **state)
{
	struct smbdirect_config c;
	u8 req[SMBDIRECT_NEGOTIATE_REQ_SIZE];
	static const u8 no_resources[16] = {
		0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x9a, 0x00, 0x00, 0xc0,
	};

	example_config(&c);
	build_negotiate(req, 0x0100, 0x0100, 10, 1024, 1024, 131072);

	/* No receive could be posted: failure response, then disconnect. */
	start_with(&c);
	fk.recv_ret = 0;
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)),
			 SMBDIRECT_ERR_PROTO);
	assert_int_equal(fk.nmsgs, 1);
	assert_memory_equal(fk.msgs[0], no_resources, sizeof(no_resources));
	for (int i = 16; i < SMBDIRECT_NEGOTIATE_RESP_SIZE; i++)
		assert_int_equal(fk.msgs[0][i], 0);
	expect_closed(SMBDIRECT_DISC_NOMEM);
	teardown(NULL);
	setup(NULL);

	/* Fewer than asked is fine: grant what was posted. */
	start_with(&c);
	fk.recv_ret = 4;
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)), 0);
	assert_int_equal(smb_get_le16(fk.msgs[0] + 10), 4);
	assert_int_equal(info().recv_credits, 4);
	teardown(NULL);
	setup(NULL);

	/* post_recv fails hard: no response. */
	start_with(&c);
	fk.recv_ret = -1;
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)),
			 SMBDIRECT_ERR_CLOSED);
	assert_int_equal(fk.nmsgs, 0);
	expect_closed(SMBDIRECT_DISC_BACKEND);
	teardown(NULL);
	setup(NULL);

	/* The failure response itself cannot be sent. */
	start_with(&c);
	fk.send_ret = -1;
	build_negotiate(req, 0x0200, 0x0200, 10, 1024, 1024, 131072);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)),
			 SMBDIRECT_ERR_PROTO);
	expect_closed(SMBDIRECT_DISC_BACKEND);
	build_negotiate(req, 0x0100, 0x0100, 10, 1024, 1024, 131072);
	teardown(NULL);
	setup(NULL);

	/* post_send fails, or is busy, on the response. */
	for (int busy = 0; busy < 2; busy++) {
		start_with(&c);
		fk.send_ret = busy ? SMBDIRECT_POST_BUSY : -1;
		assert_int_equal(smbdirect_engine_on_recv(fk.e, req,
							  sizeof(req)),
				 SMBDIRECT_ERR_CLOSED);
		expect_closed(SMBDIRECT_DISC_BACKEND);
		teardown(NULL);
		setup(NULL);
	}
}

static void test_negotiate_timeout(void **state)
{
	assert_int_equal(smbdirect_engine_new(NULL, &tmem, &fops, &fk, &fk.e),
			 0);
	assert_int_equal(smbdirect_engine_start(fk.e, 1000), 0);
	assert_int_equal(smbdirect_engine_tick(fk.e, 1000), 6000);
	assert_int_equal(smbdirect_engine_tick(fk.e, 5999), 6000);
	assert_int_equal(fk.disc_calls, 0);
	assert_int_equal(smbdirect_engine_tick(fk.e, 6000),
			 SMBDIRECT_TICK_NEVER);
	expect_closed(SMBDIRECT_DISC_NEGOTIATE_TIMEOUT);
}

/* ---- receiving ------------------------------------------------------- */

static void test_recv_single_pdu(void **state)
{
	u8 m[1024];
	size_t len;
	struct smbdirect_info i;

	start_example();
	len = build_data(m, 10, 5, 0, 0, 24, 100, NULL, 7);
	assert_int_equal(peer_send(m, len), 0);
	assert_int_equal(fk.npdus, 1);
	assert_int_equal(fk.pdu_len[0], 100);
	for (int k = 0; k < 100; k++)
		assert_int_equal(fk.pdus[0][k], (u8)(7 + k));
	i = info();
	assert_int_equal(i.send_credits, 5);
	assert_int_equal(i.recv_credits, 9);
	assert_int_equal(i.recv_posted, 9);
	assert_int_equal(i.stats.msgs_in, 1);
	assert_int_equal(i.stats.bytes_in, 124);
	assert_int_equal(i.stats.pdus_in, 1);
	/* 9 of 10 credits left: no grant is due yet, nothing is sent. */
	assert_int_equal(fk.nmsgs, 1);

	/* Payload at a larger aligned offset, exactly filling the message. */
	len = build_data(m, 10, 0, 0, 0, 1016, 8, NULL, 1);
	assert_int_equal(len, 1024);
	assert_int_equal(peer_send(m, len), 0);
	assert_int_equal(fk.npdus, 2);
	assert_int_equal(fk.pdu_len[1], 8);
	assert_int_equal(fk.pdus[1][7], 8);
}

struct bad_msg {
	u16 creq;
	u32 rem, off, dlen;
	size_t len;
};

static void test_recv_malformed(void **state)
{
	static const struct bad_msg cases[] = {
		{ 10, 0, 0, 0, 19 }, /* truncated header */
		{ 10, 0, 0, 0, 0 },
		{ 0, 0, 24, 8, 32 }, /* CreditsRequested 0 */
		{ 10, 0, 28, 4, 32 }, /* misaligned offset */
		{ 10, 0, 3, 0, 20 }, /* misaligned even without data */
		{ 10, 0, 16, 8, 24 }, /* payload over the header */
		{ 10, 0, 8, 8, 24 },
		{ 10, 0, 24, 100, 100 }, /* past the end */
		{ 10, 0, 24, 1, 24 },
		{ 10, 0, 32, 0, 24 }, /* empty, offset past the end */
		{ 10, 0, 0xfffffff8, 16, 40 }, /* offset + length wraps */
		{ 10, 0, 24, 0xffffffff, 40 }, /* huge length */
		{ 10, 131072 - 7, 24, 8, 32 }, /* over MaxFragmentedSize */
		{ 10, 0xffffffff, 24, 8, 32 }, /* sum wraps in 32 bits */
		{ 10, 131073, 0, 0, 20 }, /* even without data */
		{ 10, 0, 24, 8, 1025 }, /* above the negotiated 1024 */
	};

	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		const struct bad_msg *t = &cases[k];
		u8 m[2048];

		start_example();
		memset(m, 0, sizeof(m));
		smb_put_le16(m + 0, t->creq);
		smb_put_le16(m + 2, 1);
		smb_put_le32(m + 8, t->rem);
		smb_put_le32(m + 12, t->off);
		smb_put_le32(m + 16, t->dlen);
		assert_int_equal(smbdirect_engine_on_recv(fk.e, m, t->len),
				 SMBDIRECT_ERR_PROTO);
		expect_closed(SMBDIRECT_DISC_PROTOCOL);
		assert_int_equal(fk.npdus, 0);
		assert_int_equal(info().stats.protocol_errors, 1);
		assert_int_equal(info().stats.msgs_in, 0);
		teardown(NULL);
		setup(NULL);
	}
}

static void test_recv_limits_accepted(void **state)
{
	u8 m[1024];
	size_t len;

	/* The biggest message and the biggest announced PDU are fine. */
	start_example();
	len = build_data(m, 10, 1, 0, 131072 - 1000, 24, 1000, NULL, 0);
	assert_int_equal(len, 1024);
	assert_int_equal(peer_send(m, len), 0);
	assert_true(info().reassembling);
	/* An empty message with only a header is a credit message. */
	len = build_data(m, 10, 1, 0, 0, 0, 0, NULL, 0);
	assert_int_equal(len, 20);
	assert_int_equal(peer_send(m, len), 0);
	assert_int_equal(fk.disc_calls, 0);
	assert_int_equal(info().send_credits, 2);
}

static void test_reassembly(void **state)
{
	u8 pdu[2500], m[1024];
	size_t len;

	for (int k = 0; k < 2500; k++)
		pdu[k] = (u8)(k * 7 + 3);
	start_example();
	len = build_data(m, 10, 1, 0, 1500, 24, 1000, pdu, 0);
	assert_int_equal(peer_send(m, len), 0);
	assert_int_equal(fk.npdus, 0);
	assert_true(info().reassembling);
	/* A credit-only message in between does not disturb it. */
	len = build_data(m, 10, 1, 0, 777, 0, 0, NULL, 0);
	assert_int_equal(peer_send(m, len), 0);
	len = build_data(m, 10, 1, 0, 500, 24, 1000, pdu + 1000, 0);
	assert_int_equal(peer_send(m, len), 0);
	assert_int_equal(fk.npdus, 0);
	len = build_data(m, 10, 1, 0, 0, 24, 500, pdu + 2000, 0);
	assert_int_equal(peer_send(m, len), 0);
	assert_int_equal(fk.npdus, 1);
	assert_int_equal(fk.pdu_len[0], 2500);
	assert_memory_equal(fk.pdus[0], pdu, 2500);
	assert_false(info().reassembling);
	assert_int_equal(info().stats.pdus_in, 1);
	assert_int_equal(info().stats.msgs_in, 4);

	/* The next PDU starts fresh. */
	len = build_data(m, 10, 1, 0, 0, 24, 3, pdu, 0);
	assert_int_equal(peer_send(m, len), 0);
	assert_int_equal(fk.npdus, 2);
	assert_int_equal(fk.pdu_len[1], 3);
}

static void test_reassembly_inconsistent(void **state)
{
	/* (data length, remaining) of a second fragment after 1000 of 2500. */
	static const u32 second[][2] = {
		{ 1000, 499 }, /* one byte lost */
		{ 1000, 501 }, /* one byte too many */
		{ 1000, 0 }, /* ends early */
		{ 1000, 1500 }, /* restarts the count */
		{ 1000, 0xffffffff - 1000 },
	};

	for (size_t k = 0; k < ARRAY_SIZE(second); k++) {
		u8 m[1024];
		size_t len;

		start_example();
		len = build_data(m, 10, 1, 0, 1500, 24, 1000, NULL, 0);
		assert_int_equal(peer_send(m, len), 0);
		len = build_data(m, 10, 1, 0, second[k][1], 24, second[k][0],
				 NULL, 0);
		fk.peer_credits--;
		/* Over MaxFragmentedSize is caught as a header error. */
		assert_int_equal(smbdirect_engine_on_recv(fk.e, m, len),
				 SMBDIRECT_ERR_PROTO);
		assert_int_equal(smbdirect_engine_state(fk.e),
				 SMBDIRECT_STATE_CLOSED);
		assert_true(
			fk.disc_reason == SMBDIRECT_DISC_REASSEMBLY ||
			(k == 4 && fk.disc_reason == SMBDIRECT_DISC_PROTOCOL));
		assert_int_equal(fk.npdus, 0);
		teardown(NULL);
		setup(NULL);
	}

	/* A final fragment longer than what remains. */
	{
		u8 m[1024];
		size_t len;

		start_example();
		len = build_data(m, 10, 1, 0, 500, 24, 1000, NULL, 0);
		assert_int_equal(peer_send(m, len), 0);
		len = build_data(m, 10, 1, 0, 0, 24, 600, NULL, 0);
		assert_int_equal(peer_send(m, len), SMBDIRECT_ERR_PROTO);
		expect_closed(SMBDIRECT_DISC_REASSEMBLY);
	}
}

/* A PDU of size bytes from the peer in 1000-byte fragments. */
static void peer_send_pdu(u32 size, u8 seed)
{
	u32 sent = 0;

	while (sent < size) {
		u8 m[1024];
		u32 chunk = size - sent < 1000 ? size - sent : 1000;
		u8 part[1000];
		size_t len;

		for (u32 k = 0; k < chunk; k++)
			part[k] = (u8)(seed + sent + k);
		len = build_data(m, 10, 1, 0, size - sent - chunk, 24, chunk,
				 part, 0);
		assert_int_equal(peer_send(m, len), 0);
		sent += chunk;
	}
}

static void test_reassembly_max_size(void **state)
{
	u8 m[1024];
	size_t len;

	/* 131 full fragments and one of 72: needs grants along the way. */
	start_example();
	peer_send_pdu(131072, 5);
	assert_int_equal(fk.npdus, 1);
	assert_int_equal(fk.pdu_len[0], 131072);
	for (u32 k = 0; k < 131072; k++)
		if (fk.pdus[0][k] != (u8)(5 + k))
			fail_msg("byte %u", k);
	assert_int_equal(info().stats.msgs_in, 132);
	assert_int_equal(fk.disc_calls, 0);
	/* One byte more than MaxFragmentedSize. */
	len = build_data(m, 10, 1, 0, 131073 - 1000, 24, 1000, NULL, 0);
	assert_int_equal(peer_send(m, len), SMBDIRECT_ERR_PROTO);
	expect_closed(SMBDIRECT_DISC_PROTOCOL);
}

static void test_reassembly_nomem(void **state)
{
	u8 m[1024];
	size_t len;

	start_example();
	acct.fail_after = 0;
	len = build_data(m, 10, 1, 0, 1000, 24, 1000, NULL, 0);
	assert_int_equal(peer_send(m, len), SMBDIRECT_ERR_NOMEM);
	expect_closed(SMBDIRECT_DISC_NOMEM);
	acct.fail_after = -1;
}

/* ---- credits --------------------------------------------------------- */

static void test_peer_exceeds_credits(void **state)
{
	u8 m[SMBDIRECT_DATA_MIN_SIZE];
	struct smbdirect_info i;

	start_example();
	build_data(m, 10, 0, 0, 0, 0, 0, NULL, 0);
	/* Granting nothing, the peer uses up its ten credits... */
	for (int k = 0; k < 10; k++)
		assert_int_equal(smbdirect_engine_on_recv(fk.e, m, sizeof(m)),
				 0);
	i = info();
	assert_int_equal(i.recv_credits, 0);
	assert_int_equal(i.send_credits, 0);
	assert_int_equal(fk.nmsgs, 1); /* we could not grant any */
	/* ...and an eleventh message is a protocol error. */
	assert_int_equal(smbdirect_engine_on_recv(fk.e, m, sizeof(m)),
			 SMBDIRECT_ERR_PROTO);
	expect_closed(SMBDIRECT_DISC_CREDITS);
	assert_int_equal(info().stats.protocol_errors, 1);
}

static void test_peer_overgrants(void **state)
{
	start_example();
	assert_int_equal(peer_grant(60000, 0), 0);
	assert_int_equal(peer_grant(5535, 0), 0);
	assert_int_equal(info().send_credits, 65535);
	assert_int_equal(peer_grant(1, 0), SMBDIRECT_ERR_PROTO);
	expect_closed(SMBDIRECT_DISC_CREDITS);
}

static void test_grant_when_low(void **state)
{
	/* An empty message: 20 bytes, DataOffset and DataLength 0. */
	static const u8 expect[SMBDIRECT_DATA_MIN_SIZE] = {
		0x0a, 0x00, /* CreditsRequested: our SendCreditTarget */
		0x05, 0x00, /* CreditsGranted: back to the target of 10 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct smbdirect_info i;

	start_example();
	assert_int_equal(peer_grant(3, 0), 0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(peer_grant(0, 0), 0);
	assert_int_equal(fk.nmsgs, 1);
	assert_int_equal(info().recv_credits, 6);
	/* Down to half the target: the grant goes out on its own. */
	assert_int_equal(peer_grant(0, 0), 0);
	assert_int_equal(fk.nmsgs, 2);
	assert_int_equal(fk.msg_len[1], sizeof(expect));
	assert_memory_equal(fk.msgs[1], expect, sizeof(expect));
	i = info();
	assert_int_equal(i.recv_credits, 10);
	assert_int_equal(i.recv_posted, 10);
	assert_int_equal(i.send_credits, 2);
	assert_int_equal(i.stats.empty_out, 1);
	assert_int_equal(i.stats.msgs_out, 1);
	assert_int_equal(i.stats.bytes_out, 20);
	assert_int_equal(fk.posted_total, 1 + 10 + 5);
	assert_int_equal(i.stats.credit_stalls, 0);
}

static void test_credit_target_follows_peer(void **state)
{
	u8 m[SMBDIRECT_DATA_MIN_SIZE];

	start_example();
	/* The peer now wants 4 credits only: at 2 it gets 2 more. */
	build_data(m, 4, 5, 0, 0, 0, 0, NULL, 0);
	for (int k = 0; k < 7; k++)
		assert_int_equal(peer_send(m, sizeof(m)), 0);
	assert_int_equal(fk.nmsgs, 1);
	assert_int_equal(info().recv_credits, 3);
	assert_int_equal(info().recv_credit_target, 4);
	assert_int_equal(peer_send(m, sizeof(m)), 0);
	assert_int_equal(fk.nmsgs, 2);
	assert_int_equal(smb_get_le16(fk.msgs[1] + 2), 2);
	assert_int_equal(info().recv_credits, 4);
}

/* ---- sending --------------------------------------------------------- */

static void test_send_exact_bytes(void **state)
{
	static const u8 expect[28] = {
		0x0a, 0x00, /* CreditsRequested 10 */
		0x01, 0x00, /* CreditsGranted 1 (the peer used one) */
		0x00, 0x00, /* Flags */
		0x00, 0x00, /* Reserved */
		0x00, 0x00, 0x00, 0x00, /* RemainingDataLength */
		0x18, 0x00, 0x00, 0x00, /* DataOffset 24 */
		0x04, 0x00, 0x00, 0x00, /* DataLength 4 */
		0x00, 0x00, 0x00, 0x00, /* Padding */
		'A',  'B',  'C',  'D',
	};
	struct smb_iov iov[2] = { { "AB", 2 }, { "CD", 2 } };

	start_example();
	assert_int_equal(peer_grant(10, 0), 0);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, iov, 2), 0);
	assert_int_equal(fk.nmsgs, 2);
	assert_int_equal(fk.msg_len[1], sizeof(expect));
	assert_memory_equal(fk.msgs[1], expect, sizeof(expect));
	assert_int_equal(info().send_credits, 9);
	assert_int_equal(info().stats.pdus_out, 1);
	assert_int_equal(info().stats.bytes_out, 28);
}

/*
 * Check the data messages from index first on; returns their payloads
 * concatenated (caller frees) and the total in *total.
 */
static u8 *collect_payload(int first, u32 *total)
{
	u32 sum = 0, expect_rem = 0;
	u8 *out = NULL;
	bool started = false;

	for (int k = first; k < fk.nmsgs; k++) {
		const u8 *m = fk.msgs[k];
		u32 off = smb_get_le32(m + 12), dlen = smb_get_le32(m + 16);
		u32 rem = smb_get_le32(m + 8);

		assert_int_equal(smb_get_le16(m + 0), 10);
		assert_int_equal(smb_get_le16(m + 4), 0);
		assert_int_equal(smb_get_le16(m + 6), 0);
		if (dlen == 0) {
			assert_int_equal(fk.msg_len[k], 20);
			continue;
		}
		assert_int_equal(off, 24);
		assert_int_equal(fk.msg_len[k], 24 + dlen);
		assert_true(fk.msg_len[k] <= 1024);
		assert_int_equal(smb_get_le32(m + 20), 0);
		/* Within a PDU the remaining count falls by each fragment. */
		if (started && expect_rem)
			assert_int_equal(rem + dlen, expect_rem);
		started = true;
		expect_rem = rem;
		out = realloc(out, sum + dlen);
		assert_non_null(out);
		memcpy(out + sum, m + 24, dlen);
		sum += dlen;
	}
	assert_int_equal(expect_rem, 0);
	*total = sum;
	return out;
}

/* The peer grants credits until everything queued has gone out. */
static void pump(void)
{
	for (int k = 0; k < 1000 && info().queued_bytes; k++)
		assert_int_equal(peer_grant(20, 0), 0);
	assert_int_equal(info().queued_bytes, 0);
}

static void test_send_fragmentation(void **state)
{
	static const u32 sizes[] = { 1,	   999,	 1000,	1001,	1999,	2000,
				     2001, 3000, 65536, 100000, 131071, 131072 };

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		u32 size = sizes[s], got;
		u8 *pdu = malloc(size), *out;
		struct smb_iov iov = { pdu, size };
		int first;

		assert_non_null(pdu);
		for (u32 k = 0; k < size; k++)
			pdu[k] = (u8)(k ^ (k >> 8));
		start_example();
		assert_int_equal(peer_grant(10, 0), 0);
		first = fk.nmsgs;
		assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1), 0);
		pump();
		/* Every fragment but the last is full: 1000 = 1024 - 24. */
		assert_int_equal(smb_get_le32(fk.msgs[first] + 16),
				 size < 1000 ? size : 1000);
		assert_int_equal(smb_get_le32(fk.msgs[first] + 8),
				 size < 1000 ? 0 : size - 1000);
		out = collect_payload(first, &got);
		assert_int_equal(got, size);
		assert_memory_equal(out, pdu, size);
		assert_int_equal(fk.disc_calls, 0);
		free(out);
		free(pdu);
		teardown(NULL);
		setup(NULL);
	}
}

static void test_send_spec_64k(void **state)
{
	/* [MS-SMBD] 4.3: 64 KiB goes out as 1000-byte fragments. */
	static u8 pdu[65536];
	struct smb_iov iov = { pdu, sizeof(pdu) };
	int data_msgs = 0;
	u32 sent = 0;

	start_example();
	assert_int_equal(peer_grant(10, 0), 0);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1), 0);
	pump();
	for (int k = 1; k < fk.nmsgs; k++) {
		const u8 *m = fk.msgs[k];
		u32 dlen = smb_get_le32(m + 16);

		if (!dlen)
			continue;
		assert_int_equal(dlen, data_msgs < 65 ? 1000 : 536);
		sent += dlen;
		assert_int_equal(smb_get_le32(m + 8), 65536 - sent);
		data_msgs++;
	}
	assert_int_equal(data_msgs, 66); /* 65 x 1000 + 536 */
	assert_int_equal(info().stats.pdus_out, 1);
}

static void test_send_too_big_and_invalid(void **state)
{
	static u8 pdu[131073];
	struct smb_iov iov = { pdu, sizeof(pdu) };
	struct smb_iov empty = { pdu, 0 };
	struct smb_iov null_base = { NULL, 4 };
	struct smb_iov huge[2] = { { pdu, SIZE_MAX }, { pdu, 2 } };

	start_example();
	assert_int_equal(peer_grant(10, 0), 0);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1),
			 SMBDIRECT_ERR_TOO_BIG);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, huge, 2),
			 SMBDIRECT_ERR_TOO_BIG);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &empty, 1),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &null_base, 1),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, NULL, 1),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 0),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(fk.nmsgs, 1);
	assert_int_equal(fk.disc_calls, 0);
	/* The peer's MaxFragmentedSize itself is fine. */
	iov.len = 131072;
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1), 0);
}

static void test_send_many_iovs(void **state)
{
	/* 300 iovs of 1..7 bytes, some empty: more than a message can hold. */
	struct smb_iov iov[300];
	u8 data[300 * 7], *out;
	u32 total = 0, got;

	for (int k = 0; k < 300; k++) {
		u32 n = (u32)(k % 8 == 5 ? 0 : 1 + k % 7);

		for (u32 b = 0; b < n; b++)
			data[total + b] = (u8)(total + b);
		iov[k].base = data + total;
		iov[k].len = n;
		total += n;
	}
	start_example();
	assert_int_equal(peer_grant(10, 0), 0);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, iov, 300), 0);
	pump();
	out = collect_payload(1, &got);
	assert_int_equal(got, total);
	assert_memory_equal(out, data, total);
	free(out);
}

static void test_send_queue_and_resume(void **state)
{
	static u8 a[2500], b[700];
	struct smb_iov ia = { a, sizeof(a) }, ib = { b, sizeof(b) };
	struct smbdirect_info i;
	u8 *out;
	u32 got;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	start_example();
	/* No send credits yet: both PDUs wait, in order. */
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &ia, 1), 0);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &ib, 1), 0);
	i = info();
	assert_int_equal(i.queued_bytes, 3200);
	assert_int_equal(i.stats.credit_stalls, 1);
	assert_int_equal(fk.nmsgs, 1);
	/* The caller's memory is free to change now. */
	memset(a, 'x', sizeof(a));
	memset(b, 'x', sizeof(b));
	/* Two credits: two fragments, both granting. */
	assert_int_equal(peer_grant(2, 0), 0);
	assert_int_equal(fk.nmsgs, 3);
	assert_int_equal(info().queued_bytes, 500 + 700);
	assert_int_equal(info().send_credits, 0);
	assert_int_equal(info().stats.credit_stalls, 2);
	pump();
	out = collect_payload(1, &got);
	assert_int_equal(got, 3200);
	for (u32 k = 0; k < 3200; k++)
		assert_int_equal(out[k], k < 2500 ? 'a' : 'b');
	free(out);
	assert_int_equal(info().stats.pdus_out, 2);
}

static void test_last_credit_rule(void **state)
{
	struct smbdirect_config c;
	u8 req[SMBDIRECT_NEGOTIATE_REQ_SIZE];
	static u8 pdu[3000];
	struct smb_iov iov = { pdu, sizeof(pdu) };

	/* We post at most 4 buffers and the peer wants 4 credits. */
	example_config(&c);
	c.recv_credit_max = 4;
	start_with(&c);
	build_negotiate(req, 0x0100, 0x0100, 4, 1024, 1024, 131072);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)), 0);
	fk.peer_credits = 4;
	fk.absorbed = 1;

	assert_int_equal(peer_grant(2, 0), 0); /* we hold 2, peer 3 of 4 */
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1), 0);
	/* First fragment: one credit back to the peer's target. */
	assert_int_equal(fk.nmsgs, 2);
	assert_int_equal(smb_get_le16(fk.msgs[1] + 2), 1);
	/* The last credit would carry no grant (peer at 4 = max): kept. */
	assert_int_equal(info().send_credits, 1);
	assert_int_equal(info().recv_credits, 4);
	assert_int_equal(info().stats.credit_stalls, 1);
	assert_int_equal(info().queued_bytes, 2000);
	/* The peer spends a credit and grants one: one more goes out. */
	assert_int_equal(peer_grant(1, 0), 0);
	assert_int_equal(fk.nmsgs, 3);
	assert_int_equal(smb_get_le16(fk.msgs[2] + 2), 1);
	assert_int_equal(info().send_credits, 1);
	assert_int_equal(info().queued_bytes, 1000);
	assert_int_equal(peer_grant(5, 0), 0);
	assert_int_equal(info().queued_bytes, 0);
	assert_int_equal(info().send_credits, 5);
}

static void test_last_credit_grants_above_target(void **state)
{
	struct smbdirect_config c;
	u8 req[SMBDIRECT_NEGOTIATE_REQ_SIZE];
	static u8 pdu[2000];
	struct smb_iov iov = { pdu, sizeof(pdu) };

	/* Up to 8 buffers, but the peer only wants 4 credits. */
	example_config(&c);
	c.recv_credit_max = 8;
	start_with(&c);
	build_negotiate(req, 0x0100, 0x0100, 4, 1024, 1024, 131072);
	assert_int_equal(smbdirect_engine_on_recv(fk.e, req, sizeof(req)), 0);
	fk.peer_credits = 4;
	fk.absorbed = 1;

	build_data(req, 4, 2, 0, 0, 0, 0, NULL, 0);
	assert_int_equal(peer_send(req, SMBDIRECT_DATA_MIN_SIZE), 0);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1), 0);
	/* One credit to reach the target, then one above it. */
	assert_int_equal(fk.nmsgs, 3);
	assert_int_equal(smb_get_le16(fk.msgs[1] + 2), 1);
	assert_int_equal(smb_get_le16(fk.msgs[2] + 2), 1);
	assert_int_equal(info().recv_credits, 5);
	assert_int_equal(info().recv_posted, 5);
	assert_int_equal(info().send_credits, 0);
	assert_int_equal(info().queued_bytes, 0);
}

static void test_send_busy_and_failure(void **state)
{
	static u8 pdu[1500];
	struct smb_iov iov = { pdu, sizeof(pdu) };

	start_example();
	assert_int_equal(peer_grant(10, 0), 0);
	fk.send_ret = SMBDIRECT_POST_BUSY;
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1), 0);
	assert_int_equal(info().queued_bytes, 1500);
	assert_int_equal(info().send_credits, 10);
	/* Busy is not a credit stall. */
	assert_int_equal(info().stats.credit_stalls, 0);
	smbdirect_engine_on_send_done(fk.e);
	assert_int_equal(fk.nmsgs, 1);
	fk.send_ret = 0;
	smbdirect_engine_on_send_done(fk.e);
	assert_int_equal(fk.nmsgs, 3);
	assert_int_equal(info().queued_bytes, 0);
	assert_int_equal(info().send_credits, 8);

	/* A hard failure ends the connection. */
	fk.send_ret = -1;
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1),
			 SMBDIRECT_ERR_CLOSED);
	expect_closed(SMBDIRECT_DISC_BACKEND);
	assert_int_equal(info().stats.protocol_errors, 0);
}

static void test_send_queue_limits(void **state)
{
	struct smbdirect_config c;
	static u8 pdu[100000];
	struct smb_iov iov = { pdu, sizeof(pdu) };

	example_config(&c);
	c.max_queued_bytes = 150000;
	start_with(&c);
	negotiate_example();
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1), 0);
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1),
			 SMBDIRECT_ERR_QUEUE_FULL);
	acct.fail_after = 0;
	iov.len = 10;
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1),
			 SMBDIRECT_ERR_NOMEM);
	acct.fail_after = -1;
	assert_int_equal(info().queued_bytes, 100000);
	assert_int_equal(smbdirect_engine_state(fk.e),
			 SMBDIRECT_STATE_CONNECTED);
}

static void test_post_recv_failure_while_granting(void **state)
{
	static u8 pdu[10];
	struct smb_iov iov = { pdu, sizeof(pdu) };

	start_example();
	assert_int_equal(peer_grant(10, 0), 0);
	fk.recv_ret = -1;
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1),
			 SMBDIRECT_ERR_CLOSED);
	expect_closed(SMBDIRECT_DISC_BACKEND);
	assert_int_equal(fk.nmsgs, 1);
}

static void test_deliver_reentrancy(void **state)
{
	u8 m[1024];
	size_t len;
	u32 got;
	u8 *out;

	/* The upper layer answers from inside deliver. */
	start_example();
	fk.echo = true;
	len = build_data(m, 10, 3, 0, 0, 24, 50, NULL, 9);
	assert_int_equal(peer_send(m, len), 0);
	assert_int_equal(fk.npdus, 1);
	assert_int_equal(fk.nmsgs, 2);
	out = collect_payload(1, &got);
	assert_int_equal(got, 50);
	assert_memory_equal(out, fk.pdus[0], 50);
	free(out);
	assert_int_equal(smb_get_le16(fk.msgs[1] + 2), 1);
	teardown(NULL);
	setup(NULL);

	/* Or closes the connection. */
	start_example();
	fk.close_in_deliver = true;
	len = build_data(m, 10, 3, 1, 0, 24, 50, NULL, 9);
	assert_int_equal(peer_send(m, len), 0);
	expect_closed(SMBDIRECT_DISC_LOCAL);
	assert_int_equal(fk.nmsgs, 1);
}

/* ---- keep-alive ------------------------------------------------------ */

static void test_response_requested(void **state)
{
	static const u8 expect[SMBDIRECT_DATA_MIN_SIZE] = {
		0x0a, 0x00, 0x01, 0x00, /* CreditsRequested 10, Granted 1 */
		0x00, 0x00, 0x00, 0x00, /* no flag in the answer */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};

	start_example();
	assert_int_equal(peer_grant(2, SMBDIRECT_FLAG_RESPONSE_REQUESTED), 0);
	assert_int_equal(fk.nmsgs, 2);
	assert_memory_equal(fk.msgs[1], expect, sizeof(expect));
	assert_int_equal(info().send_credits, 1);
	teardown(NULL);
	setup(NULL);

	/* Asked while we hold no credit: answered when one arrives. */
	start_example();
	assert_int_equal(peer_grant(0, SMBDIRECT_FLAG_RESPONSE_REQUESTED), 0);
	assert_int_equal(fk.nmsgs, 1);
	assert_int_equal(info().stats.credit_stalls, 1);
	assert_int_equal(peer_grant(1, 0), 0);
	assert_int_equal(fk.nmsgs, 2);
	/* Our last credit: allowed, as the answer grants 2. */
	assert_int_equal(fk.msg_len[1], 20);
	assert_int_equal(smb_get_le16(fk.msgs[1] + 2), 2);
	assert_int_equal(smb_get_le16(fk.msgs[1] + 4), 0);
	assert_int_equal(info().send_credits, 0);
}

static void test_keepalive_idle_and_timeout(void **state)
{
	start_example();
	assert_int_equal(smbdirect_engine_tick(fk.e, 0), 120000);
	assert_int_equal(peer_grant(5, 0), 0);
	assert_int_equal(smbdirect_engine_tick(fk.e, 1000), 121000);
	assert_int_equal(smbdirect_engine_tick(fk.e, 120999), 121000);
	assert_int_equal(fk.nmsgs, 1);
	/* Idle: an empty message asking for a response. */
	assert_int_equal(smbdirect_engine_tick(fk.e, 121000), 126000);
	assert_int_equal(fk.nmsgs, 2);
	assert_int_equal(fk.msg_len[1], 20);
	assert_int_equal(smb_get_le16(fk.msgs[1] + 4),
			 SMBDIRECT_FLAG_RESPONSE_REQUESTED);
	assert_int_equal(info().stats.keepalives_out, 1);
	assert_int_equal(smbdirect_engine_tick(fk.e, 125999), 126000);
	assert_int_equal(fk.nmsgs, 2);
	assert_int_equal(fk.disc_calls, 0);
	/* No answer in time. */
	assert_int_equal(smbdirect_engine_tick(fk.e, 126000),
			 SMBDIRECT_TICK_NEVER);
	expect_closed(SMBDIRECT_DISC_KEEPALIVE_TIMEOUT);
}

/*
 * A credit-less peer (smbd-probe no-credits): it never grants a send
 * credit, asks for a reply and for keep-alive responses, then goes quiet.
 * Nothing can ever be sent; the keep-alive that cannot go out still times
 * out, and the engine tells the backend to drop the link from the tick.
 */
static void test_keepalive_without_send_credits(void **state)
{
	u8 m[SMBDIRECT_DATA_OFFSET + 8];
	u8 pdu[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct smb_iov iov = { pdu, sizeof(pdu) };

	start_example();
	assert_int_equal(smbdirect_engine_tick(fk.e, 0), 120000);
	build_data(m, 10, 0, 0, 0, SMBDIRECT_DATA_OFFSET, 8, NULL, 0);
	assert_int_equal(peer_send(m, sizeof(m)), 0);
	assert_int_equal(peer_grant(0, SMBDIRECT_FLAG_RESPONSE_REQUESTED), 0);
	/* The reply waits: no credit to send it with. */
	assert_int_equal(smbdirect_engine_send_pdu(fk.e, &iov, 1), 0);
	assert_int_equal(fk.nmsgs, 1);
	assert_true(info().queued_bytes > 0);
	assert_int_equal(smbdirect_engine_tick(fk.e, 1000), 121000);
	/* Idle: the keep-alive is due but cannot go out... */
	assert_int_equal(smbdirect_engine_tick(fk.e, 121000), 126000);
	assert_int_equal(fk.nmsgs, 1);
	assert_int_equal(fk.disc_calls, 0);
	/* ...and the peer is given up on when its time is over. */
	assert_int_equal(smbdirect_engine_tick(fk.e, 126000),
			 SMBDIRECT_TICK_NEVER);
	expect_closed(SMBDIRECT_DISC_KEEPALIVE_TIMEOUT);
	assert_int_equal(info().queued_bytes, 0);
}

static void test_keepalive_answered(void **state)
{
	start_example();
	assert_int_equal(peer_grant(5, 0), 0);
	assert_int_equal(smbdirect_engine_tick(fk.e, 0), 120000);
	assert_int_equal(smbdirect_engine_tick(fk.e, 120000), 125000);
	assert_int_equal(fk.nmsgs, 2);
	/* Any message counts as the response. */
	assert_int_equal(peer_grant(1, 0), 0);
	assert_int_equal(smbdirect_engine_tick(fk.e, 124000), 244000);
	assert_int_equal(smbdirect_engine_tick(fk.e, 200000), 244000);
	assert_int_equal(fk.disc_calls, 0);
	/* The next idle period sends the next keep-alive. */
	assert_int_equal(smbdirect_engine_tick(fk.e, 244000), 249000);
	assert_int_equal(info().stats.keepalives_out, 2);
	assert_int_equal(smb_get_le16(fk.msgs[fk.nmsgs - 1] + 4),
			 SMBDIRECT_FLAG_RESPONSE_REQUESTED);
}

static void test_keepalive_without_credit(void **state)
{
	start_example();
	/* We hold no send credit: the keep-alive waits, the timer runs. */
	assert_int_equal(smbdirect_engine_tick(fk.e, 0), 120000);
	assert_int_equal(smbdirect_engine_tick(fk.e, 120000), 125000);
	assert_int_equal(fk.nmsgs, 1);
	assert_int_equal(smbdirect_engine_tick(fk.e, 125000),
			 SMBDIRECT_TICK_NEVER);
	expect_closed(SMBDIRECT_DISC_KEEPALIVE_TIMEOUT);
	teardown(NULL);
	setup(NULL);

	/* A message granting a credit arrives: that is the answer. */
	start_example();
	assert_int_equal(smbdirect_engine_tick(fk.e, 0), 120000);
	assert_int_equal(smbdirect_engine_tick(fk.e, 120000), 125000);
	assert_int_equal(peer_grant(1, 0), 0);
	assert_int_equal(smbdirect_engine_tick(fk.e, 121000), 241000);
	assert_int_equal(fk.disc_calls, 0);
}

static void test_grant_needs_buffers(void **state)
{
	start_example();
	assert_int_equal(peer_grant(5, 0), 0);
	fk.recv_ret = 0; /* out of receive buffers for a while */
	for (int k = 0; k < 5; k++)
		assert_int_equal(peer_grant(0, 0), 0);
	/* A grant was due but nothing could be posted: nothing sent. */
	assert_int_equal(fk.nmsgs, 1);
	assert_int_equal(info().recv_credits, 4);
	assert_int_equal(info().send_credits, 5);
	fk.recv_ret = RECV_NORMAL;
	assert_int_equal(peer_grant(0, 0), 0);
	assert_int_equal(fk.nmsgs, 2);
	assert_int_equal(smb_get_le16(fk.msgs[1] + 2), 7);
	assert_int_equal(info().recv_credits, 10);
	assert_int_equal(fk.disc_calls, 0);
}

static void test_keepalive_send_failure(void **state)
{
	start_example();
	assert_int_equal(peer_grant(5, 0), 0);
	assert_int_equal(smbdirect_engine_tick(fk.e, 0), 120000);
	fk.send_ret = -1;
	assert_int_equal(smbdirect_engine_tick(fk.e, 120000),
			 SMBDIRECT_TICK_NEVER);
	expect_closed(SMBDIRECT_DISC_BACKEND);
}

static void test_keepalive_disabled(void **state)
{
	struct smbdirect_config c;

	example_config(&c);
	c.no_keepalive = true;
	start_with(&c);
	negotiate_example();
	assert_int_equal(smbdirect_engine_tick(fk.e, 0), SMBDIRECT_TICK_NEVER);
	assert_int_equal(smbdirect_engine_tick(fk.e, 10000000),
			 SMBDIRECT_TICK_NEVER);
	assert_int_equal(fk.disc_calls, 0);
}

/* ---- buffer descriptors ---------------------------------------------- */

static void test_buffer_descriptors(void **state)
{
	static const u8 one[16] = {
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* Offset */
		0xef, 0xbe, 0xad, 0xde, /* Token */
		0x00, 0x10, 0x00, 0x00, /* Length 4096 */
	};
	u8 three[48];
	struct smb_rdma_desc d[4];
	int count = -1;
	u64 total = 99;

	assert_int_equal(smbdirect_parse_buffer_descriptors(one, 16, d, 4,
							    &count, &total),
			 0);
	assert_int_equal(count, 1);
	assert_int_equal(total, 4096);
	assert_true(d[0].offset == 0x1122334455667788ull);
	assert_int_equal(d[0].token, 0xdeadbeef);
	assert_int_equal(d[0].length, 4096);

	for (int k = 0; k < 3; k++) {
		smb_put_le64(three + 16 * k, (u64)k << 32);
		smb_put_le32(three + 16 * k + 8, 100 + k);
		smb_put_le32(three + 16 * k + 12, 0xffffffffu);
	}
	assert_int_equal(smbdirect_parse_buffer_descriptors(three, 48, d, 3,
							    &count, &total),
			 0);
	assert_int_equal(count, 3);
	assert_true(total == 3ull * 0xffffffffu);
	assert_int_equal(d[2].token, 102);
	assert_true(d[2].offset == 2ull << 32);

	/* Bad lengths, too many, bad arguments. */
	static const size_t bad_len[] = { 0, 1, 15, 17, 31, 47 };

	for (size_t k = 0; k < ARRAY_SIZE(bad_len); k++) {
		assert_int_equal(
			smbdirect_parse_buffer_descriptors(three, bad_len[k], d,
							   4, &count, &total),
			SMBDIRECT_ERR_INVAL);
		assert_int_equal(count, 0);
		assert_int_equal(total, 0);
	}
	assert_int_equal(smbdirect_parse_buffer_descriptors(three, 48, d, 2,
							    &count, &total),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_parse_buffer_descriptors(three, 16, d, 0,
							    &count, &total),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_parse_buffer_descriptors(NULL, 16, d, 1,
							    &count, &total),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_parse_buffer_descriptors(one, 16, NULL, 1,
							    &count, &total),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_parse_buffer_descriptors(one, 16, d, 1, NULL,
							    &total),
			 SMBDIRECT_ERR_INVAL);
	assert_int_equal(smbdirect_parse_buffer_descriptors(one, 16, d, 1,
							    &count, NULL),
			 SMBDIRECT_ERR_INVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_defaults_and_limits),
		T(test_states),
		T(test_start_post_failures),
		T(test_negotiate_spec_example),
		T(test_negotiate_cases),
		T(test_negotiate_sizes),
		T(test_negotiate_backend_failures),
		T(test_negotiate_timeout),
		T(test_recv_single_pdu),
		T(test_recv_malformed),
		T(test_recv_limits_accepted),
		T(test_reassembly),
		T(test_reassembly_inconsistent),
		T(test_reassembly_max_size),
		T(test_reassembly_nomem),
		T(test_peer_exceeds_credits),
		T(test_peer_overgrants),
		T(test_grant_when_low),
		T(test_credit_target_follows_peer),
		T(test_send_exact_bytes),
		T(test_send_fragmentation),
		T(test_send_spec_64k),
		T(test_send_too_big_and_invalid),
		T(test_send_many_iovs),
		T(test_send_queue_and_resume),
		T(test_last_credit_rule),
		T(test_last_credit_grants_above_target),
		T(test_send_busy_and_failure),
		T(test_send_queue_limits),
		T(test_post_recv_failure_while_granting),
		T(test_deliver_reentrancy),
		T(test_response_requested),
		T(test_keepalive_idle_and_timeout),
		T(test_keepalive_without_send_credits),
		T(test_keepalive_answered),
		T(test_keepalive_without_credit),
		T(test_keepalive_disabled),
		T(test_grant_needs_buffers),
		T(test_keepalive_send_failure),
		T(test_buffer_descriptors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
