// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smbdirect.c - the SMB Direct protocol ([MS-SMBD] 1.0), server side,
 * without any I/O.  See smbdirect.h for how a backend drives it.
 *
 * Credit bookkeeping follows the abstract data model of [MS-SMBD] 3.1.1.1:
 * send_credits is Connection.SendCredits; recv_credits is what the peer
 * may still send (Connection.ReceiveCredits as announced); recv_posted
 * counts buffers posted, which may exceed recv_credits by buffers posted
 * for a grant that has not gone out yet.  Invariant: recv_credits <=
 * recv_posted.
 */
#include "../core/compat.h"
#include "../core/ops.h"
#include "smbdirect.h"

/* NT status values used in the Negotiate Response ([MS-ERREF]). */
#define SMBDIRECT_STATUS_SUCCESS 0x00000000u
#define SMBDIRECT_STATUS_NOT_SUPPORTED 0xc00000bbu
#define SMBDIRECT_STATUS_INSUFFICIENT_RESOURCES 0xc000009au

/* Most iovs of one outgoing message: the header plus payload slices. */
#define SMBDIRECT_MAX_MSG_IOV 16

enum keepalive_state {
	KEEPALIVE_NONE = 0,
	KEEPALIVE_PENDING = 1, /* idle: a RESPONSE_REQUESTED message is due */
	KEEPALIVE_SENT = 2, /* waiting for any message from the peer */
};

/* The rest of a PDU waiting for send credits, copied. */
struct send_entry {
	struct send_entry *next;
	u32 len;
	u32 sent;
	u8 data[];
};

/* Outcome of one attempt to send a message. */
enum send_result {
	SEND_OK = 0,
	SEND_STALL = 1, /* no usable send credit */
	SEND_BUSY = 2, /* the backend has no free send slot */
	SEND_SKIPPED = 3, /* an empty message had nothing to carry */
	SEND_DEAD = 4, /* the engine is closed */
};

struct smbdirect_engine {
	struct smbdirect_config cfg;
	struct smb_allocator mem;
	struct smbdirect_engine_ops ops;
	void *ctx;
	enum smbdirect_state state;
	int disconnect_reason;

	/* Negotiated sizes. */
	u32 max_send_size;
	u32 max_recv_size;
	u32 max_frag_send;

	/* Credits. */
	u32 send_credits;
	u32 recv_credits;
	u32 recv_posted;
	u32 recv_target;
	bool send_immediate; /* the peer asked for a response */
	bool stalled; /* sending waits for credits (for the stall count) */

	/* Timers. */
	enum keepalive_state keepalive;
	bool recv_seen; /* a message arrived since the last tick */
	u64 negotiate_deadline;
	u64 last_recv_ms;
	u64 keepalive_deadline;

	/* Reassembly of the PDU being received. */
	u8 *rx_pdu;
	u32 rx_len;
	u32 rx_have;

	/* PDUs waiting for send credits, oldest first. */
	struct send_entry *queue_head;
	struct send_entry *queue_tail;
	u32 queued_bytes;

	u8 hdr[SMBDIRECT_NEGOTIATE_RESP_SIZE]; /* the header being sent */
	struct smbdirect_stats stats;
};

static void default_u32(u32 *v, u32 def)
{
	if (*v == 0)
		*v = def;
}

void smbdirect_config_defaults(struct smbdirect_config *cfg)
{
	if (!cfg->recv_credit_max)
		cfg->recv_credit_max = SMBDIRECT_DEFAULT_RECV_CREDIT_MAX;
	if (!cfg->send_credit_target)
		cfg->send_credit_target = SMBDIRECT_DEFAULT_SEND_CREDIT_TARGET;
	default_u32(&cfg->max_send_size, SMBDIRECT_DEFAULT_MAX_SEND_SIZE);
	default_u32(&cfg->max_recv_size, SMBDIRECT_DEFAULT_MAX_RECV_SIZE);
	default_u32(&cfg->max_fragmented_recv_size,
		    SMBDIRECT_DEFAULT_MAX_FRAGMENTED_RECV);
	default_u32(&cfg->max_read_write_size,
		    SMBDIRECT_DEFAULT_MAX_READ_WRITE);
	default_u32(&cfg->keepalive_interval_ms,
		    SMBDIRECT_DEFAULT_KEEPALIVE_INTERVAL_MS);
	default_u32(&cfg->keepalive_timeout_ms,
		    SMBDIRECT_DEFAULT_KEEPALIVE_TIMEOUT_MS);
	default_u32(&cfg->negotiate_timeout_ms,
		    SMBDIRECT_DEFAULT_NEGOTIATE_TIMEOUT_MS);
	default_u32(&cfg->max_queued_bytes, SMBDIRECT_DEFAULT_MAX_QUEUED_BYTES);
}

int smbdirect_engine_new(const struct smbdirect_config *cfg,
			 const struct smb_allocator *mem,
			 const struct smbdirect_engine_ops *ops, void *ctx,
			 struct smbdirect_engine **out)
{
	struct smbdirect_config c;
	struct smbdirect_engine *e;

	if (!out)
		return SMBDIRECT_ERR_INVAL;
	*out = NULL;
	if (!mem || !mem->alloc || !mem->free || !ops || !ops->post_send ||
	    !ops->post_recv || !ops->deliver || !ops->disconnect)
		return SMBDIRECT_ERR_INVAL;
	if (cfg)
		c = *cfg;
	else
		memset(&c, 0, sizeof(c));
	smbdirect_config_defaults(&c);
	/* Our own limits must pass the checks the peer makes (3.1.5.7). */
	if (c.max_send_size < SMBDIRECT_MIN_RECEIVE_SIZE ||
	    c.max_recv_size < SMBDIRECT_MIN_RECEIVE_SIZE ||
	    c.max_fragmented_recv_size < SMBDIRECT_MIN_FRAGMENTED_SIZE)
		return SMBDIRECT_ERR_INVAL;
	e = mem->alloc(sizeof(*e), mem->ctx);
	if (!e)
		return SMBDIRECT_ERR_NOMEM;
	memset(e, 0, sizeof(*e));
	e->cfg = c;
	e->mem = *mem;
	e->ops = *ops;
	e->ctx = ctx;
	e->state = SMBDIRECT_STATE_IDLE;
	*out = e;
	return SMBDIRECT_OK;
}

static void drop_buffers(struct smbdirect_engine *e)
{
	struct send_entry *s = e->queue_head;

	while (s) {
		struct send_entry *next = s->next;

		e->mem.free(s, e->mem.ctx);
		s = next;
	}
	e->queue_head = NULL;
	e->queue_tail = NULL;
	e->queued_bytes = 0;
	if (e->rx_pdu)
		e->mem.free(e->rx_pdu, e->mem.ctx);
	e->rx_pdu = NULL;
	e->rx_len = 0;
	e->rx_have = 0;
}

void smbdirect_engine_free(struct smbdirect_engine *e)
{
	if (!e)
		return;
	drop_buffers(e);
	e->mem.free(e, e->mem.ctx);
}

void smbdirect_engine_free_pdu(struct smbdirect_engine *e, u8 *pdu)
{
	if (pdu)
		e->mem.free(pdu, e->mem.ctx);
}

/* Stop for good: the backend is told once, later input is ignored. */
static void engine_fail(struct smbdirect_engine *e, int reason)
{
	if (e->state == SMBDIRECT_STATE_CLOSED)
		return;
	e->state = SMBDIRECT_STATE_CLOSED;
	e->disconnect_reason = reason;
	if (reason == SMBDIRECT_DISC_PROTOCOL ||
	    reason == SMBDIRECT_DISC_CREDITS ||
	    reason == SMBDIRECT_DISC_REASSEMBLY ||
	    reason == SMBDIRECT_DISC_NEGOTIATE_REJECTED)
		e->stats.protocol_errors++;
	drop_buffers(e);
	e->ops.disconnect(e->ctx, reason);
}

void smbdirect_engine_close(struct smbdirect_engine *e)
{
	engine_fail(e, SMBDIRECT_DISC_LOCAL);
}

enum smbdirect_state smbdirect_engine_state(const struct smbdirect_engine *e)
{
	return e->state;
}

void smbdirect_engine_get_info(const struct smbdirect_engine *e,
			       struct smbdirect_info *out)
{
	memset(out, 0, sizeof(*out));
	out->state = e->state;
	out->disconnect_reason = e->disconnect_reason;
	out->max_send_size = e->max_send_size;
	out->max_recv_size = e->max_recv_size;
	out->max_fragmented_send_size = e->max_frag_send;
	if (e->max_send_size) {
		out->max_fragmented_recv_size = e->cfg.max_fragmented_recv_size;
		out->max_read_write_size = e->cfg.max_read_write_size;
	}
	out->send_credits = e->send_credits;
	out->recv_credits = e->recv_credits;
	out->recv_posted = e->recv_posted;
	out->recv_credit_target = e->recv_target;
	out->queued_bytes = e->queued_bytes;
	out->reassembling = e->rx_pdu != NULL;
	out->stats = e->stats;
}

/* Ask the backend for n more receive buffers; false when it failed hard. */
static bool post_receives(struct smbdirect_engine *e, u32 n)
{
	int r = e->ops.post_recv(e->ctx, n);

	if (r < 0 || (u32)r > n) {
		engine_fail(e, SMBDIRECT_DISC_BACKEND);
		return false;
	}
	e->recv_posted += (u32)r;
	return true;
}

static u32 effective_recv_target(const struct smbdirect_engine *e)
{
	u32 t = e->recv_target ? e->recv_target : 1;

	return min_t(u32, t, e->cfg.recv_credit_max);
}

/*
 * Credits to grant in the next message ([MS-SMBD] 3.1.5.9), posting the
 * buffers they need.  Nothing is granted while the peer holds its target,
 * unless this message spends our last send credit: then one credit above
 * the target (within recv_credit_max) goes out so the message may be sent
 * and the peer can answer with credits.  Buffers posted earlier for a
 * grant that never went out are granted now.
 */
static u32 credits_to_grant(struct smbdirect_engine *e, bool last_credit)
{
	u32 target = effective_recv_target(e);
	u32 want = 0, have;

	if (e->recv_credits < target)
		want = target - e->recv_credits;
	else if (last_credit && e->recv_credits < e->cfg.recv_credit_max)
		want = 1;
	have = e->recv_posted - e->recv_credits;
	if (want > have && !post_receives(e, want - have))
		return 0;
	have = e->recv_posted - e->recv_credits;
	return min_t(u32, have, U16_MAX);
}

/* Whether the peer is low enough on credits to grant without data. */
static bool grant_due(const struct smbdirect_engine *e)
{
	u32 target = effective_recv_target(e);

	return e->recv_credits < target && e->recv_credits <= target / 2;
}

static void note_stall(struct smbdirect_engine *e)
{
	if (!e->stalled)
		e->stats.credit_stalls++;
	e->stalled = true;
}

/*
 * Send one Data Transfer message ([MS-SMBD] 3.1.5.1): slices hold
 * data_len payload bytes (none for an empty message), remaining is the
 * RemainingDataLength.
 */
static enum send_result send_message(struct smbdirect_engine *e,
				     const struct smb_iov *slices, int nslices,
				     u32 data_len, u32 remaining)
{
	struct smb_iov iov[SMBDIRECT_MAX_MSG_IOV];
	bool last_credit;
	bool empty = data_len == 0;
	u16 flags = 0;
	u32 grant;
	size_t hdr_len;
	int i, r;

	/* Callers only send while connected. */
	if (e->send_credits == 0) {
		note_stall(e);
		return SEND_STALL;
	}
	last_credit = e->send_credits == 1;
	grant = credits_to_grant(e, last_credit);
	if (e->state != SMBDIRECT_STATE_CONNECTED)
		return SEND_DEAD;
	/* An empty message exists to answer, to keep alive or to grant. */
	if (empty && !e->send_immediate && e->keepalive != KEEPALIVE_PENDING &&
	    grant == 0)
		return SEND_SKIPPED;
	/* The last credit is kept for a message that grants credits back. */
	if (last_credit && grant == 0) {
		note_stall(e);
		return SEND_STALL;
	}
	if (e->keepalive == KEEPALIVE_PENDING)
		flags |= SMBDIRECT_FLAG_RESPONSE_REQUESTED;

	smb_put_le16(e->hdr + 0, e->cfg.send_credit_target);
	smb_put_le16(e->hdr + 2, (u16)grant);
	smb_put_le16(e->hdr + 4, flags);
	smb_put_le16(e->hdr + 6, 0);
	smb_put_le32(e->hdr + 8, empty ? 0 : remaining);
	smb_put_le32(e->hdr + 12, empty ? 0 : SMBDIRECT_DATA_OFFSET);
	smb_put_le32(e->hdr + 16, data_len);
	smb_put_le32(e->hdr + 20, 0); /* padding up to DataOffset */
	hdr_len = empty ? SMBDIRECT_DATA_MIN_SIZE : SMBDIRECT_DATA_OFFSET;
	iov[0].base = e->hdr;
	iov[0].len = hdr_len;
	for (i = 0; i < nslices; i++)
		iov[i + 1] = slices[i];

	r = e->ops.post_send(e->ctx, iov, nslices + 1);
	if (r == SMBDIRECT_POST_BUSY)
		return SEND_BUSY;
	if (r != 0) {
		engine_fail(e, SMBDIRECT_DISC_BACKEND);
		return SEND_DEAD;
	}
	e->send_credits--;
	e->recv_credits += grant;
	e->send_immediate = false;
	e->stalled = false;
	if (flags & SMBDIRECT_FLAG_RESPONSE_REQUESTED) {
		e->keepalive = KEEPALIVE_SENT;
		e->stats.keepalives_out++;
	}
	e->stats.msgs_out++;
	e->stats.bytes_out += hdr_len + data_len;
	if (empty)
		e->stats.empty_out++;
	return SEND_OK;
}

/*
 * Send what waits: queued PDUs in order, then an empty message if the peer
 * asked for a response, a keep-alive is due, or the peer runs low on
 * credits and nothing else would carry a grant soon.
 */
static void flush_sends(struct smbdirect_engine *e)
{
	while (e->queue_head && e->state == SMBDIRECT_STATE_CONNECTED) {
		struct send_entry *s = e->queue_head;
		u32 left = s->len - s->sent;
		u32 chunk = min_t(u32, left,
				  e->max_send_size - SMBDIRECT_DATA_OFFSET);
		struct smb_iov slice = { s->data + s->sent, chunk };

		if (send_message(e, &slice, 1, chunk, left - chunk) != SEND_OK)
			return;
		s->sent += chunk;
		e->queued_bytes -= chunk;
		if (s->sent < s->len)
			continue;
		e->queue_head = s->next;
		if (!e->queue_head)
			e->queue_tail = NULL;
		e->mem.free(s, e->mem.ctx);
	}
	if (e->state != SMBDIRECT_STATE_CONNECTED)
		return;
	/* A grant alone waits for a credit without counting as a stall. */
	if (e->send_immediate || e->keepalive == KEEPALIVE_PENDING ||
	    (grant_due(e) && e->send_credits > 0))
		send_message(e, NULL, 0, 0, 0);
}

void smbdirect_engine_on_send_done(struct smbdirect_engine *e)
{
	flush_sends(e);
}

/* ---- negotiation ([MS-SMBD] 3.1.5.3, 3.1.5.6) ------------------------ */

static bool send_negotiate_response(struct smbdirect_engine *e, u32 status)
{
	u8 *p = e->hdr;
	struct smb_iov iov = { p, SMBDIRECT_NEGOTIATE_RESP_SIZE };
	bool ok = status == SMBDIRECT_STATUS_SUCCESS;

	/* A failure response carries only the versions and the status. */
	memset(p, 0, SMBDIRECT_NEGOTIATE_RESP_SIZE);
	smb_put_le16(p + 0, SMBDIRECT_PROTOCOL_V1);
	smb_put_le16(p + 2, SMBDIRECT_PROTOCOL_V1);
	smb_put_le32(p + 12, status);
	if (ok) {
		smb_put_le16(p + 4, SMBDIRECT_PROTOCOL_V1);
		smb_put_le16(p + 8, e->cfg.send_credit_target);
		smb_put_le16(p + 10, (u16)e->recv_credits);
		smb_put_le32(p + 16, e->cfg.max_read_write_size);
		smb_put_le32(p + 20, e->max_send_size);
		smb_put_le32(p + 24, e->max_recv_size);
		smb_put_le32(p + 28, e->cfg.max_fragmented_recv_size);
	}
	/* The peer posted a buffer for this reply: no credit is needed. */
	return e->ops.post_send(e->ctx, &iov, 1) == 0;
}

static int reject_negotiate(struct smbdirect_engine *e, u32 status, int reason)
{
	if (!send_negotiate_response(e, status))
		reason = SMBDIRECT_DISC_BACKEND;
	engine_fail(e, reason);
	return SMBDIRECT_ERR_PROTO;
}

static int handle_negotiate(struct smbdirect_engine *e, const u8 *msg,
			    size_t len)
{
	u16 min_version, max_version, credits_requested;
	u32 preferred_send, peer_max_recv, peer_max_frag, posted;

	if (len < SMBDIRECT_NEGOTIATE_REQ_SIZE) {
		engine_fail(e, SMBDIRECT_DISC_PROTOCOL);
		return SMBDIRECT_ERR_PROTO;
	}
	e->recv_posted--;
	min_version = smb_get_le16(msg + 0);
	max_version = smb_get_le16(msg + 2);
	/* msg + 4: Reserved, ignored on receipt. */
	credits_requested = smb_get_le16(msg + 6);
	preferred_send = smb_get_le32(msg + 8);
	peer_max_recv = smb_get_le32(msg + 12);
	peer_max_frag = smb_get_le32(msg + 16);

	if (min_version > SMBDIRECT_PROTOCOL_V1 ||
	    max_version < SMBDIRECT_PROTOCOL_V1)
		return reject_negotiate(e, SMBDIRECT_STATUS_NOT_SUPPORTED,
					SMBDIRECT_DISC_NEGOTIATE_REJECTED);
	if (credits_requested == 0 ||
	    peer_max_recv < SMBDIRECT_MIN_RECEIVE_SIZE ||
	    peer_max_frag < SMBDIRECT_MIN_FRAGMENTED_SIZE) {
		engine_fail(e, SMBDIRECT_DISC_PROTOCOL);
		return SMBDIRECT_ERR_PROTO;
	}

	e->max_recv_size = min_t(u32, e->cfg.max_recv_size, preferred_send);
	if (e->max_recv_size < SMBDIRECT_MIN_RECEIVE_SIZE)
		e->max_recv_size = SMBDIRECT_MIN_RECEIVE_SIZE;
	e->max_send_size = min_t(u32, e->cfg.max_send_size, peer_max_recv);
	e->max_frag_send = peer_max_frag;
	e->recv_target = credits_requested;

	/* Receives for the credits granted in the response (3.1.5.9). */
	if (!post_receives(e, effective_recv_target(e)))
		return SMBDIRECT_ERR_CLOSED;
	posted = e->recv_posted;
	if (posted == 0)
		return reject_negotiate(e,
					SMBDIRECT_STATUS_INSUFFICIENT_RESOURCES,
					SMBDIRECT_DISC_NOMEM);
	e->recv_credits = posted;
	if (!send_negotiate_response(e, SMBDIRECT_STATUS_SUCCESS)) {
		engine_fail(e, SMBDIRECT_DISC_BACKEND);
		return SMBDIRECT_ERR_CLOSED;
	}
	/* The request granted nothing: the peer's first message will. */
	e->send_credits = 0;
	e->state = SMBDIRECT_STATE_CONNECTED;
	e->recv_seen = true;
	return SMBDIRECT_OK;
}

/* ---- receiving ([MS-SMBD] 3.1.5.8) ----------------------------------- */

static int fail_proto(struct smbdirect_engine *e, int reason)
{
	engine_fail(e, reason);
	return SMBDIRECT_ERR_PROTO;
}

/* Add one fragment's payload; returns a finished PDU through *done. */
static int reassemble(struct smbdirect_engine *e, const u8 *data, u32 data_len,
		      u32 remaining, u8 **done, u32 *done_len)
{
	*done = NULL;
	if (!e->rx_pdu) {
		/* First fragment: its RemainingDataLength gives the total. */
		u32 total = data_len + remaining; /* bounded by the caller */

		e->rx_pdu = e->mem.alloc(total, e->mem.ctx);
		if (!e->rx_pdu) {
			engine_fail(e, SMBDIRECT_DISC_NOMEM);
			return SMBDIRECT_ERR_NOMEM;
		}
		e->rx_len = total;
		e->rx_have = 0;
	} else if (data_len > e->rx_len - e->rx_have ||
		   remaining != e->rx_len - e->rx_have - data_len) {
		return fail_proto(e, SMBDIRECT_DISC_REASSEMBLY);
	}
	memcpy(e->rx_pdu + e->rx_have, data, data_len);
	e->rx_have += data_len;
	if (e->rx_have == e->rx_len) {
		*done = e->rx_pdu;
		*done_len = e->rx_len;
		e->rx_pdu = NULL;
		e->rx_len = 0;
		e->rx_have = 0;
	}
	return SMBDIRECT_OK;
}

static int handle_data(struct smbdirect_engine *e, const u8 *msg, size_t len)
{
	u16 credits_requested, credits_granted, flags;
	u32 remaining, data_offset, data_length, pdu_len = 0;
	u8 *pdu = NULL;
	int r;

	/* Every check of 3.1.5.8 before anything is used. */
	if (len < SMBDIRECT_DATA_MIN_SIZE || len > e->max_recv_size)
		return fail_proto(e, SMBDIRECT_DISC_PROTOCOL);
	credits_requested = smb_get_le16(msg + 0);
	credits_granted = smb_get_le16(msg + 2);
	flags = smb_get_le16(msg + 4);
	/* msg + 6: Reserved, ignored. */
	remaining = smb_get_le32(msg + 8);
	data_offset = smb_get_le32(msg + 12);
	data_length = smb_get_le32(msg + 16);
	if (credits_requested == 0 || (data_offset & 7) != 0)
		return fail_proto(e, SMBDIRECT_DISC_PROTOCOL);
	/* Payload may not overlap the header (nor its padding). */
	if (data_length && data_offset < SMBDIRECT_DATA_OFFSET)
		return fail_proto(e, SMBDIRECT_DISC_PROTOCOL);
	if ((u64)data_offset + data_length > len)
		return fail_proto(e, SMBDIRECT_DISC_PROTOCOL);
	if ((u64)data_length + remaining > e->cfg.max_fragmented_recv_size)
		return fail_proto(e, SMBDIRECT_DISC_PROTOCOL);

	/* The message used one of the peer's credits (and our buffer). */
	if (e->recv_credits == 0)
		return fail_proto(e, SMBDIRECT_DISC_CREDITS);
	e->recv_credits--;
	e->recv_posted--;
	e->stats.msgs_in++;
	e->stats.bytes_in += len;
	e->recv_target = credits_requested;
	e->recv_seen = true;
	e->keepalive = KEEPALIVE_NONE;
	if (flags & SMBDIRECT_FLAG_RESPONSE_REQUESTED)
		e->send_immediate = true;
	if (credits_granted) {
		/* No peer can need more than CreditsRequested can ask for. */
		if ((u64)e->send_credits + credits_granted > U16_MAX)
			return fail_proto(e, SMBDIRECT_DISC_CREDITS);
		e->send_credits += credits_granted;
	}

	/* DataLength 0: credits or keep-alive only, reassembly untouched. */
	if (data_length) {
		r = reassemble(e, msg + data_offset, data_length, remaining,
			       &pdu, &pdu_len);
		if (r < 0)
			return r == SMBDIRECT_ERR_NOMEM ? r :
							  SMBDIRECT_ERR_PROTO;
	}
	if (pdu) {
		e->stats.pdus_in++;
		e->ops.deliver(e->ctx, pdu, pdu_len);
	}
	flush_sends(e);
	return SMBDIRECT_OK;
}

int smbdirect_engine_on_recv(struct smbdirect_engine *e, const u8 *msg,
			     size_t len)
{
	if (!msg && len)
		return SMBDIRECT_ERR_INVAL;
	switch (e->state) {
	case SMBDIRECT_STATE_NEGOTIATE:
		/* start() posted the one buffer this arrived in. */
		if (len > e->cfg.max_recv_size)
			return fail_proto(e, SMBDIRECT_DISC_PROTOCOL);
		return handle_negotiate(e, msg, len);
	case SMBDIRECT_STATE_CONNECTED:
		return handle_data(e, msg, len);
	case SMBDIRECT_STATE_CLOSED:
		return SMBDIRECT_ERR_CLOSED;
	default:
		return SMBDIRECT_ERR_STATE;
	}
}

int smbdirect_engine_start(struct smbdirect_engine *e, u64 now_ms)
{
	if (e->state != SMBDIRECT_STATE_IDLE)
		return SMBDIRECT_ERR_STATE;
	e->state = SMBDIRECT_STATE_NEGOTIATE;
	e->negotiate_deadline = now_ms + e->cfg.negotiate_timeout_ms;
	if (!post_receives(e, 1))
		return SMBDIRECT_ERR_CLOSED;
	if (e->recv_posted == 0) {
		engine_fail(e, SMBDIRECT_DISC_NOMEM);
		return SMBDIRECT_ERR_NOMEM;
	}
	return SMBDIRECT_OK;
}

/* ---- timers ([MS-SMBD] 3.1.2.2) -------------------------------------- */

u64 smbdirect_engine_tick(struct smbdirect_engine *e, u64 now_ms)
{
	u64 idle_deadline;

	switch (e->state) {
	case SMBDIRECT_STATE_NEGOTIATE:
		if (now_ms < e->negotiate_deadline)
			return e->negotiate_deadline;
		engine_fail(e, SMBDIRECT_DISC_NEGOTIATE_TIMEOUT);
		return SMBDIRECT_TICK_NEVER;
	case SMBDIRECT_STATE_CONNECTED:
		break;
	default:
		return SMBDIRECT_TICK_NEVER;
	}
	/* Receives are timestamped here: on_recv has no clock. */
	if (e->recv_seen) {
		e->recv_seen = false;
		e->last_recv_ms = now_ms;
	}
	if (e->keepalive != KEEPALIVE_NONE) {
		if (now_ms >= e->keepalive_deadline) {
			engine_fail(e, SMBDIRECT_DISC_KEEPALIVE_TIMEOUT);
			return SMBDIRECT_TICK_NEVER;
		}
		return e->keepalive_deadline;
	}
	if (e->cfg.no_keepalive)
		return SMBDIRECT_TICK_NEVER;
	idle_deadline = e->last_recv_ms + e->cfg.keepalive_interval_ms;
	if (now_ms < idle_deadline)
		return idle_deadline;
	/* Idle: ask the peer for a response, give it the timeout to answer. */
	e->keepalive = KEEPALIVE_PENDING;
	e->keepalive_deadline = now_ms + e->cfg.keepalive_timeout_ms;
	flush_sends(e);
	if (e->state != SMBDIRECT_STATE_CONNECTED)
		return SMBDIRECT_TICK_NEVER;
	return e->keepalive_deadline;
}

/* ---- sending upper-layer PDUs ([MS-SMBD] 3.1.4.2, 3.1.5.4) ------------ */

/* A read position in the caller's iovs. */
struct iov_cursor {
	const struct smb_iov *iov;
	int niov;
	int idx;
	size_t off;
};

/*
 * Up to max bytes from the cursor as slices (at most max_slices of them);
 * returns the byte count and leaves the cursor untouched.
 */
static u32 cursor_slices(const struct iov_cursor *c, u32 max,
			 struct smb_iov *slices, int max_slices, int *nslices)
{
	int idx = c->idx, n = 0;
	size_t off = c->off;
	u32 got = 0;

	while (got < max && idx < c->niov && n < max_slices) {
		size_t avail = c->iov[idx].len - off;
		u32 take = (u32)min_t(size_t, avail, max - got);

		if (take) {
			slices[n].base = (u8 *)c->iov[idx].base + off;
			slices[n].len = take;
			n++;
			got += take;
		}
		off += take;
		if (off == c->iov[idx].len) {
			idx++;
			off = 0;
		}
	}
	*nslices = n;
	return got;
}

/* Move n bytes on, and past any iov that is used up (or empty). */
static void cursor_advance(struct iov_cursor *c, size_t n)
{
	while (c->idx < c->niov) {
		size_t avail = c->iov[c->idx].len - c->off;
		size_t take = min_t(size_t, avail, n);

		c->off += take;
		n -= take;
		if (c->off < c->iov[c->idx].len)
			break;
		c->idx++;
		c->off = 0;
	}
}

/* Copy the rest of the cursor (len bytes) to the end of the send queue. */
static int queue_rest(struct smbdirect_engine *e, struct iov_cursor *c, u32 len)
{
	struct send_entry *s;
	u32 copied = 0;

	if ((u64)e->queued_bytes + len > e->cfg.max_queued_bytes)
		return SMBDIRECT_ERR_QUEUE_FULL;
	s = e->mem.alloc(sizeof(*s) + len, e->mem.ctx);
	if (!s)
		return SMBDIRECT_ERR_NOMEM;
	s->next = NULL;
	s->len = len;
	s->sent = 0;
	while (copied < len && c->idx < c->niov) {
		size_t take = min_t(size_t, c->iov[c->idx].len - c->off,
				    len - copied);

		memcpy(s->data + copied,
		       (const u8 *)c->iov[c->idx].base + c->off, take);
		copied += (u32)take;
		cursor_advance(c, take);
	}
	if (e->queue_tail)
		e->queue_tail->next = s;
	else
		e->queue_head = s;
	e->queue_tail = s;
	e->queued_bytes += len;
	return SMBDIRECT_OK;
}

int smbdirect_engine_send_pdu(struct smbdirect_engine *e,
			      const struct smb_iov *iov, int niov)
{
	struct iov_cursor c = { iov, niov, 0, 0 };
	struct smb_iov slices[SMBDIRECT_MAX_MSG_IOV - 1];
	u32 max_payload, left;
	size_t total = 0;
	int i;

	if (e->state == SMBDIRECT_STATE_CLOSED)
		return SMBDIRECT_ERR_CLOSED;
	if (e->state != SMBDIRECT_STATE_CONNECTED)
		return SMBDIRECT_ERR_STATE;
	if (niov <= 0 || !iov)
		return SMBDIRECT_ERR_INVAL;
	for (i = 0; i < niov; i++) {
		if (!iov[i].base && iov[i].len)
			return SMBDIRECT_ERR_INVAL;
		if (smb_add_overflow(total, iov[i].len, &total))
			return SMBDIRECT_ERR_TOO_BIG;
	}
	if (total == 0)
		return SMBDIRECT_ERR_INVAL;
	if (total > e->max_frag_send)
		return SMBDIRECT_ERR_TOO_BIG;
	left = (u32)total;
	max_payload = e->max_send_size - SMBDIRECT_DATA_OFFSET;

	/* Straight from the caller's memory while nothing waits before us. */
	while (left && !e->queue_head) {
		int n;
		u32 chunk = cursor_slices(&c, max_payload, slices,
					  (int)ARRAY_SIZE(slices), &n);
		enum send_result r =
			send_message(e, slices, n, chunk, left - chunk);

		if (r == SEND_DEAD)
			return SMBDIRECT_ERR_CLOSED;
		if (r != SEND_OK)
			break;
		cursor_advance(&c, chunk);
		left -= chunk;
	}
	if (left) {
		int r = queue_rest(e, &c, left);

		if (r < 0)
			return r;
	}
	e->stats.pdus_out++;
	flush_sends(e);
	return SMBDIRECT_OK;
}

/* ---- SMB2 READ/WRITE channel information ([MS-SMBD] 2.2.3.1) --------- */

int smbdirect_parse_buffer_descriptors(const u8 *buf, size_t len,
				       struct smb_rdma_desc *out, int max,
				       int *count, u64 *total)
{
	size_t n, i;
	u64 sum = 0;

	if (count)
		*count = 0;
	if (total)
		*total = 0;
	if (!buf || !out || !count || !total || max <= 0)
		return SMBDIRECT_ERR_INVAL;
	if (len == 0 || len % SMBDIRECT_BUFFER_DESC_SIZE != 0)
		return SMBDIRECT_ERR_INVAL;
	n = len / SMBDIRECT_BUFFER_DESC_SIZE;
	if (n > (size_t)max)
		return SMBDIRECT_ERR_INVAL;
	for (i = 0; i < n; i++) {
		const u8 *p = buf + i * SMBDIRECT_BUFFER_DESC_SIZE;

		out[i].offset = smb_get_le64(p);
		out[i].token = smb_get_le32(p + 8);
		out[i].length = smb_get_le32(p + 12);
		/* At most INT_MAX lengths below 2^32: no overflow. */
		sum += out[i].length;
	}
	*count = (int)n;
	*total = sum;
	return SMBDIRECT_OK;
}
