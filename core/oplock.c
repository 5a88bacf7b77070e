// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * oplock.c - oplocks and leases ([MS-SMB2] 3.3.4.6, 3.3.4.7, 3.3.5.9.8,
 * 3.3.5.9.11, 3.3.5.22), see oplock.h for the model.
 *
 * Rules (what Windows does and smbtorture's smb2.oplock/smb2.lease check):
 *  - an exclusive or batch oplock, or a lease with W, is granted only when
 *    no other open (with data access, of another lease) has the stream;
 *  - a new open with data access breaks exclusive/batch oplocks to II
 *    (to none when it overwrites) and removes W from other leases; H goes
 *    when the new open would be a sharing violation; an overwrite breaks
 *    read caching too;
 *  - opens of one lease never break each other;
 *  - writes, truncation and byte-range locks break other opens' read
 *    caching to none, without waiting; renames and deletes break handle
 *    caching, a rename waiting for the leases' acknowledgments;
 *  - a break from exclusive/batch, or a lease break that removes W or H,
 *    needs an acknowledgment: CREATEs on the file wait for it, or for the
 *    timeout, after which the server breaks to none on its own;
 *  - what requests need of a lease while it breaks is taken after the
 *    acknowledgment, in further breaks with the same epoch.
 */
#include "durable.h"
#include "bind.h"
#include "oplock.h"
#include "async.h"
#include "stream.h"
#include "timer.h"

/* Opens with no more than this break no oplock ("stat opens"). */
#define STAT_ACCESS (FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE)
#define OPLOCK_BREAK_SIZE 24
#define LEASE_BREAK_SIZE 44
#define LEASE_ACK_SIZE 36
#define R_CACHING SMB2_LEASE_READ_CACHING
#define H_CACHING SMB2_LEASE_HANDLE_CACHING
#define W_CACHING SMB2_LEASE_WRITE_CACHING

/* A CREATE waiting for breaks: the private part of its async request. */
struct oplock_waiter {
	struct smb_list link; /* node->oplock_waiters or srv->oplock_deferred */
	bool listed;
	struct smb_async *async;
	u64 dev, ino;
	size_t req_len;
	u8 req[]; /* the CREATE request, header included */
};

/* A break notification built under srv->lock and sent after it. */
struct smb_break_msg {
	struct smb_break_msg *next;
	struct smb_conn *conn; /* referenced */
	size_t len;
	u8 pdu[SMB2_HDR_SIZE + LEASE_BREAK_SIZE];
};

static u64 now_ms(struct smb_server *srv)
{
	return srv->ops.clock.monotonic_ms(srv->ops.clock.ctx);
}

static struct smb_server *open_srv(const struct smb_open *op)
{
	return op->tree->sess->conn->srv;
}

/* ---- leases ------------------------------------------------------------ */

u32 smb_lease_parse(const u8 *data, u32 len, u16 dialect,
		    struct smb_lease_req *out)
{
	memset(out, 0, sizeof(*out));
	if (!data || (len != SMB_LEASE_V1_SIZE && len != SMB_LEASE_V2_SIZE))
		return STATUS_INVALID_PARAMETER;
	out->present = true;
	out->version = 1;
	memcpy(out->key, data, 16);
	out->state = smb_get_le32(data + 16) & SMB_LEASE_STATE_MASK;
	out->flags = smb_get_le32(data + 20);
	/* Before 3.0 only the v1 part means anything. */
	if (len == SMB_LEASE_V2_SIZE && dialect >= SMB2_DIALECT_0300) {
		out->version = 2;
		if (out->flags & SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET)
			memcpy(out->parent_key, data + 32, 16);
		out->epoch = smb_get_le16(data + 48);
	}
	return STATUS_SUCCESS;
}

u32 smb_lease_put_response(const struct smb_open *op,
			   const struct smb_lease_req *req, u8 *out)
{
	const struct smb_lease *l = op->lease;
	u8 version = l ? l->version : req->version; /* the lease's own */
	u32 flags = 0,
	    size = version == 2 ? SMB_LEASE_V2_SIZE : SMB_LEASE_V1_SIZE;

	memset(out, 0, size);
	memcpy(out, req->key, 16);
	if (!l)
		return size;
	smb_put_le32(out + 16, l->state);
	if (l->breaking)
		flags |= SMB2_LEASE_FLAG_BREAK_IN_PROGRESS;
	if (version == 2) {
		if (l->parent_set) {
			flags |= SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET;
			memcpy(out + 32, l->parent_key, 16);
		}
		smb_put_le16(out + 48, l->epoch);
	}
	smb_put_le32(out + 20, flags);
	return size;
}

/* srv->lock held. */
static struct smb_lease *lease_find(struct smb_server *srv, const u8 *guid,
				    const u8 *key)
{
	struct smb_list *pos;

	for (pos = srv->leases.next; pos != &srv->leases; pos = pos->next) {
		struct smb_lease *l =
			smb_container_of(pos, struct smb_lease, link);

		if (!memcmp(l->key, key, 16) &&
		    !memcmp(l->client_guid, guid, 16))
			return l;
	}
	return NULL;
}

static bool same_lease(const struct smb_open *o, const struct smb_conn *conn,
		       const struct smb_lease_req *lr)
{
	return o->lease && lr && lr->present &&
	       !memcmp(o->lease->key, lr->key, 16) &&
	       !memcmp(o->lease->client_guid, conn->client_guid, 16);
}

/* ---- break notifications ----------------------------------------------- */

static struct smb_break_msg *msg_new(struct smb_server *srv,
				     struct smb_conn *conn,
				     struct smb_break_msg **list,
				     size_t body_len)
{
	struct smb_break_msg *m = smb_alloc(srv, sizeof(*m));
	u8 *h;

	/* Without memory the notification is lost; the timeout resolves it. */
	if (!m)
		return NULL;
	h = m->pdu;
	smb_put_le32(h + SMB2_HDR_PROTO, SMB2_PROTO_ID);
	smb_put_le16(h + SMB2_HDR_STRUCT_SIZE, SMB2_HDR_SIZE);
	smb_put_le16(h + SMB2_HDR_COMMAND, SMB2_OPLOCK_BREAK);
	smb_put_le32(h + SMB2_HDR_FLAGS, SMB2_FLAGS_SERVER_TO_REDIR);
	smb_put_le64(h + SMB2_HDR_MESSAGE_ID, U64_MAX); /* unsolicited */
	m->len = SMB2_HDR_SIZE + body_len;
	m->conn = conn;
	smb_ref_get(&conn->refs);
	m->next = *list;
	*list = m;
	return m;
}

static void queue_oplock_break(struct smb_open *o, u8 level,
			       struct smb_break_msg **list)
{
	struct smb_break_msg *m = msg_new(open_srv(o), o->tree->sess->conn,
					  list, OPLOCK_BREAK_SIZE);
	u8 *b;

	if (!m)
		return;
	b = m->pdu + SMB2_HDR_SIZE;
	smb_put_le16(b, OPLOCK_BREAK_SIZE);
	b[2] = level;
	smb_put_le64(b + 8, o->persistent_id);
	smb_put_le64(b + 16, o->volatile_id);
}

/*
 * Where a break of l goes: the client's oldest connection still up (the
 * one Windows uses when a client's connections share a lease key, as
 * smbtorture's lease.v2_complex1 checks), else the connection the lease
 * was last opened on.  srv->lock held.
 */
static struct smb_conn *lease_break_conn(struct smb_server *srv,
					 const struct smb_lease *l)
{
	const struct smb_list *pos;
	struct smb_open *o;

	for (pos = srv->sessions.next; pos != &srv->sessions; pos = pos->next) {
		const struct smb_session *s =
			smb_container_of(pos, struct smb_session, global_link);
		struct smb_conn *conn = s->conn;

		if (s->state == SMB_SESSION_VALID &&
		    conn->dialect >= SMB2_DIALECT_0210 &&
		    !__atomic_load_n(&conn->dead, __ATOMIC_RELAXED) &&
		    !memcmp(conn->client_guid, l->client_guid, 16))
			return conn;
	}
	o = smb_container_of(l->opens.prev, struct smb_open, lease_link);
	return o->tree->sess->conn;
}

static void queue_lease_break(struct smb_server *srv, struct smb_lease *l,
			      u32 to, bool ack, struct smb_break_msg **list)
{
	struct smb_break_msg *m;
	u8 *b;

	if (smb_list_empty(&l->opens))
		return;
	m = msg_new(srv, lease_break_conn(srv, l), list, LEASE_BREAK_SIZE);
	if (!m)
		return;
	b = m->pdu + SMB2_HDR_SIZE;
	smb_put_le16(b, LEASE_BREAK_SIZE);
	smb_put_le16(b + 2, l->version == 2 ? l->epoch : 0);
	smb_put_le32(b + 4,
		     ack ? SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED : 0);
	memcpy(b + 8, l->key, 16);
	smb_put_le32(b + 24, l->state);
	smb_put_le32(b + 28, to);
}

/* Send and free; no core lock held. */
static void send_breaks(struct smb_server *srv, struct smb_break_msg *list)
{
	while (list) {
		struct smb_break_msg *m = list;
		struct smb_conn *conn = m->conn;

		list = m->next;
		smb_mutex_lock(conn->send_lock);
		if (!conn->dead) {
			struct smb_iov iov = { m->pdu, m->len };

			conn->t->send_pdu(conn->tc, &iov, 1);
		}
		smb_mutex_unlock(conn->send_lock);
		smb_async_conn_put(conn);
		smb_free(srv, m);
	}
}

/* ---- state changes (srv->lock held) -------------------------------------- */

static void oplock_timer_fire(struct smb_timer *t);

static void arm_timer(struct smb_server *srv, u64 delay_ms)
{
	if (srv->oplock_timer_armed || !srv->oplock_timer)
		return;
	srv->oplock_timer_armed = true;
	smb_timer_arm(srv, srv->oplock_timer, delay_ms, oplock_timer_fire);
}

static void set_level(struct smb_open *o, u8 level)
{
	struct smb_file_node *node = o->node;

	if (node && (o->oplock_level != SMB2_OPLOCK_LEVEL_NONE) !=
			    (level != SMB2_OPLOCK_LEVEL_NONE))
		__atomic_store_n(&node->ncaching,
				 level ? node->ncaching + 1 :
					 node->ncaching - 1,
				 __ATOMIC_RELAXED);
	o->oplock_level = level;
}

/* Break o's oplock down to level; true when an acknowledgment is awaited. */
static bool break_oplock(struct smb_server *srv, struct smb_open *o, u8 to,
			 struct smb_break_msg **list)
{
	u8 cur = o->oplock_level;

	if (cur == SMB2_OPLOCK_LEVEL_NONE || cur == SMB2_OPLOCK_LEVEL_LEASE)
		return false;
	if (o->oplock_breaking) {
		if (to < o->oplock_break_to)
			o->oplock_break_to = to;
		return true;
	}
	if (to >= cur)
		return false;
	if (cur == SMB2_OPLOCK_LEVEL_II) {
		/* Level II breaks to none without an acknowledgment. */
		set_level(o, SMB2_OPLOCK_LEVEL_NONE);
		queue_oplock_break(o, SMB2_OPLOCK_LEVEL_NONE, list);
		return false;
	}
	o->oplock_breaking = true;
	o->oplock_break_to = to;
	o->oplock_deadline_ms = now_ms(srv) + SMB_OPLOCK_BREAK_TIMEOUT_MS;
	arm_timer(srv, SMB_OPLOCK_BREAK_TIMEOUT_MS);
	queue_oplock_break(o, to, list);
	return true;
}

/* The lease state breaking l to to gives: to within l's, R or nothing. */
static u32 lease_target(const struct smb_lease *l, u32 to)
{
	to &= l->state;
	return (to & R_CACHING) ? to : 0; /* H or W alone is no lease state */
}

/* Start a break of l to to, with acknowledgment when it takes W or H. */
static void lease_break_start(struct smb_server *srv, struct smb_lease *l,
			      u32 to, bool waits, struct smb_break_msg **list)
{
	if (l->state & (W_CACHING | H_CACHING)) {
		l->breaking = true;
		l->break_to = to;
		l->break_further = to;
		l->break_waits = waits;
		l->deadline_ms = now_ms(srv) + SMB_OPLOCK_BREAK_TIMEOUT_MS;
		arm_timer(srv, SMB_OPLOCK_BREAK_TIMEOUT_MS);
		queue_lease_break(srv, l, to, true, list);
		return;
	}
	queue_lease_break(srv, l, to, false, list);
	l->state = to;
}

#define WAIT_FOR_H 1u /* the caller conflicts with the lease's handles */
#define BREAK_FURTHER 2u /* a break in progress goes on to to after its ack */

/*
 * Break lease l down to state to.  True when the caller must wait for the
 * acknowledgment: W is taken (dirty data to flush), or H is and
 * WAIT_FOR_H is in flags.  While a break is in progress the caller waits
 * for it when it waits; with BREAK_FURTHER, what it needs beyond that
 * break is taken after the acknowledgment (lease_break_on()).
 */
static bool break_lease(struct smb_server *srv, struct smb_lease *l, u32 to,
			u32 flags, struct smb_break_msg **list)
{
	u32 taken;

	if (l->breaking) {
		if (flags & BREAK_FURTHER)
			l->break_further &= to;
		return l->break_waits ||
		       ((flags & WAIT_FOR_H) && (l->break_to & H_CACHING));
	}
	to = lease_target(l, to);
	if (to == l->state)
		return false;
	taken = l->state & ~to;
	l->epoch++;
	lease_break_start(srv, l, to,
			  (taken & W_CACHING) ||
				  ((flags & WAIT_FOR_H) && (taken & H_CACHING)),
			  list);
	return l->breaking && l->break_waits;
}

/*
 * l's break was acknowledged: break on to what requests that came during
 * it asked for, in the order Windows gives caching up: W and H first
 * (acknowledged, the requests still waiting), then R.  The epoch stays,
 * these being the same break to the client.  True while l is breaking.
 */
static bool lease_break_on(struct smb_server *srv, struct smb_lease *l,
			   struct smb_break_msg **list)
{
	u32 further = l->break_further, to = lease_target(l, further);

	if (to == l->state)
		return false;
	if (l->state & (W_CACHING | H_CACHING))
		to |= R_CACHING;
	lease_break_start(srv, l, to, true, list);
	l->break_further = further; /* R may still have to go */
	return l->breaking;
}

/* A break on node resolved: its waiting CREATEs run again. */
static void wake_waiters(struct smb_server *srv, struct smb_file_node *node)
{
	struct smb_list *pos, *tmp;

	if (!node)
		return;
	smb_list_for_each_safe(pos, tmp, &node->oplock_waiters)
	{
		smb_list_del(pos);
		smb_list_add_tail(pos, &srv->oplock_deferred);
	}
}

static bool node_breaking(const struct smb_file_node *node)
{
	const struct smb_list *pos;

	for (pos = node->opens.next; pos != &node->opens; pos = pos->next) {
		const struct smb_open *o =
			smb_container_of(pos, struct smb_open, node_link);

		if (o->oplock_breaking || (o->lease && o->lease->breaking))
			return true;
	}
	return false;
}

static void oplock_timer_fire(struct smb_timer *t)
{
	struct smb_server *srv = t->priv;
	u64 now = now_ms(srv), next = U64_MAX;
	struct smb_list *n, *pos;

	smb_mutex_lock(srv->lock);
	srv->oplock_timer_armed = false;
	for (n = srv->file_nodes.next; n != &srv->file_nodes; n = n->next) {
		struct smb_file_node *node =
			smb_container_of(n, struct smb_file_node, link);
		bool resolved = false;

		for (pos = node->opens.next; pos != &node->opens;
		     pos = pos->next) {
			struct smb_open *o = smb_container_of(
				pos, struct smb_open, node_link);
			struct smb_lease *l = o->lease;

			/*
			 * No acknowledgment in time: the server breaks to
			 * none on its own ([MS-SMB2] 3.3.2.1, 3.3.2.5).
			 */
			if (o->oplock_breaking &&
			    o->oplock_deadline_ms <= now) {
				o->oplock_breaking = false;
				set_level(o, SMB2_OPLOCK_LEVEL_NONE);
				resolved = true;
			} else if (o->oplock_breaking &&
				   o->oplock_deadline_ms < next) {
				next = o->oplock_deadline_ms;
			}
			if (l && l->breaking && l->deadline_ms <= now) {
				l->breaking = false;
				l->state = SMB2_LEASE_NONE;
				resolved = true;
			} else if (l && l->breaking && l->deadline_ms < next) {
				next = l->deadline_ms;
			}
		}
		if (resolved)
			wake_waiters(srv, node);
	}
	if (next != U64_MAX)
		arm_timer(srv, next - now);
	smb_mutex_unlock(srv->lock);
	smb_oplock_run_deferred(srv);
}

/* ---- CREATE ------------------------------------------------------------- */

static bool overwrites(u32 disposition)
{
	return disposition == FILE_SUPERSEDE || disposition == FILE_OVERWRITE ||
	       disposition == FILE_OVERWRITE_IF;
}

/* Would breaking l to state to change it (as break_lease() does)? */
static bool lease_would_break(const struct smb_lease *l, u32 to)
{
	to &= l->state;
	if (!(to & R_CACHING))
		to = 0;
	return l->breaking || to != l->state;
}

/*
 * o must be broken; a disconnected durable open cannot acknowledge, so it
 * is taken onto gone to be closed instead.  True if it was.
 */
static bool durable_gone(struct smb_open *o, struct smb_list *gone)
{
	return smb_durable_claim_locked(o, gone);
}

static bool share_conflicts(const struct smb_file_node *node,
			    const struct smb_open *op)
{
	const struct smb_list *pos;

	for (pos = node->opens.next; pos != &node->opens; pos = pos->next) {
		const struct smb_open *o =
			smb_container_of(pos, struct smb_open, node_link);

		if (o != op &&
		    smb_open_share_conflicts(o, op->access, op->share_access,
					     op->stream))
			return true;
	}
	return false;
}

/*
 * The new open would be a sharing violation: only handle caching of the
 * opens it conflicts with is broken (their clients may close them), and
 * the sharing check runs after; other caching stays ([MS-SMB2] 3.3.5.9).
 */
static bool break_conflicting_handles(struct smb_server *srv,
				      struct smb_file_node *node,
				      const struct smb_conn *conn,
				      const struct smb_open *op,
				      const struct smb_lease_req *lr,
				      struct smb_break_msg **list,
				      struct smb_list *gone)
{
	struct smb_list *pos;
	bool wait = false;

	for (pos = node->opens.next; pos != &node->opens; pos = pos->next) {
		struct smb_open *o =
			smb_container_of(pos, struct smb_open, node_link);

		if (o == op || same_lease(o, conn, lr) ||
		    !smb_open_share_conflicts(o, op->access, op->share_access,
					      op->stream))
			continue;
		if (((o->lease &&
		      (o->lease->breaking || (o->lease->state & H_CACHING))) ||
		     o->oplock_level == SMB2_OPLOCK_LEVEL_BATCH) &&
		    durable_gone(o, gone))
			continue;
		if (o->lease &&
		    (o->lease->breaking || (o->lease->state & H_CACHING)))
			wait |= break_lease(srv, o->lease,
					    o->lease->state & ~H_CACHING,
					    WAIT_FOR_H | BREAK_FURTHER, list);
		else if (o->oplock_level == SMB2_OPLOCK_LEVEL_BATCH ||
			 o->oplock_breaking)
			wait |= break_oplock(srv, o, SMB2_OPLOCK_LEVEL_II,
					     list);
	}
	return wait;
}

/* No sharing violation: break what the new open rules out. */
static bool break_for_open(struct smb_server *srv, struct smb_file_node *node,
			   const struct smb_conn *conn,
			   const struct smb_open *op,
			   const struct smb_lease_req *lr, bool overwrite,
			   struct smb_break_msg **list, struct smb_list *gone)
{
	struct smb_list *pos;
	bool wait = false;

	for (pos = node->opens.next; pos != &node->opens; pos = pos->next) {
		struct smb_open *o =
			smb_container_of(pos, struct smb_open, node_link);

		if (o == op || !smb_stream_same(o->stream, op->stream) ||
		    same_lease(o, conn, lr))
			continue;
		if (o->lease) {
			u32 to = o->lease->state & ~W_CACHING;

			/* Lease stat opens may also read the security. */
			if (!(op->access & ~(STAT_ACCESS | READ_CONTROL)))
				continue;
			if (overwrite)
				to = 0;
			/* Deleting on close takes the others' handles. */
			if (op->delete_on_close)
				to &= ~H_CACHING;
			if (lease_would_break(o->lease, to) &&
			    durable_gone(o, gone))
				continue;
			wait |= break_lease(srv, o->lease, to, BREAK_FURTHER,
					    list);
		} else if (op->delete_on_close &&
			   o->oplock_level == SMB2_OPLOCK_LEVEL_BATCH) {
			if (durable_gone(o, gone))
				continue;
			wait |= break_oplock(srv, o, SMB2_OPLOCK_LEVEL_II,
					     list);
		} else {
			u8 to = overwrite ? SMB2_OPLOCK_LEVEL_NONE :
					    SMB2_OPLOCK_LEVEL_II;

			if (o->oplock_level != SMB2_OPLOCK_LEVEL_NONE &&
			    to < o->oplock_level && durable_gone(o, gone))
				continue;
			wait |= break_oplock(srv, o, to, list);
		}
	}
	return wait;
}

u32 smb_oplock_create_breaks(struct smb_work *w, struct smb_open *op,
			     const struct smb_stat *st, u32 disposition,
			     const struct smb_lease_req *lr)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_break_msg *list = NULL;
	struct smb_file_node *node;
	struct smb_list gone;
	bool wait, overwrite = overwrites(disposition);

	smb_list_init(&gone);
	smb_mutex_lock(srv->lock);
	if (lr && lr->present) {
		struct smb_lease *l =
			lease_find(srv, w->conn->client_guid, lr->key);

		/* A lease key names one file ([MS-SMB2] 3.3.5.9.8). */
		if (l && (l->dev != st->dev || l->ino != st->ino)) {
			smb_mutex_unlock(srv->lock);
			return STATUS_INVALID_PARAMETER;
		}
	}
	node = smb_file_node_find(srv, st->dev, st->ino);
	/*
	 * Stat opens break nothing, unless they overwrite; nor does an open
	 * that will fail on a pending delete.
	 */
	if (!node || node->delete_pending ||
	    (!(op->access & ~STAT_ACCESS) && !overwrite)) {
		smb_mutex_unlock(srv->lock);
		return STATUS_SUCCESS;
	}
	if (share_conflicts(node, op))
		wait = break_conflicting_handles(srv, node, w->conn, op, lr,
						 &list, &gone);
	else
		wait = break_for_open(srv, node, w->conn, op, lr, overwrite,
				      &list, &gone);
	smb_mutex_unlock(srv->lock);
	send_breaks(srv, list);
	/*
	 * Inside a compound only the last request may go async; the others
	 * go on at once, the holders being told all the same.
	 */
	if (!w->last_in_chain && !w->resume)
		wait = false;
	if (wait || smb_list_empty(&gone)) {
		smb_durable_close_claimed(&gone);
		return wait ? STATUS_PENDING : STATUS_SUCCESS;
	}
	/* What the new open found may have gone with them (delete). */
	smb_durable_close_claimed(&gone);
	return SMB_STATUS_REOPEN;
}

#define OTHERS_OPEN 1u /* rules out exclusive caching (W) */
#define OTHERS_OPLOCK 2u /* an oplock: no H for a lease */
#define OTHERS_HANDLE_LEASE 4u /* a lease with H: no oplock */

/*
 * What the other opens of op's stream rule out (OTHERS_*).  For a lease
 * request (lease set), opens of that lease do not count, nor do stat opens
 * without a lease.
 */
static u32 others_open(const struct smb_open *op, const struct smb_lease *lease)
{
	const struct smb_list *pos;
	u32 found = 0;

	for (pos = op->node->opens.next; pos != &op->node->opens;
	     pos = pos->next) {
		const struct smb_open *o =
			smb_container_of(pos, struct smb_open, node_link);

		if (o == op || !smb_stream_same(o->stream, op->stream) ||
		    (lease && o->lease == lease) ||
		    (lease && !o->lease &&
		     !(o->access & ~(STAT_ACCESS | READ_CONTROL))))
			continue;
		found |= OTHERS_OPEN;
		if (!o->lease && o->oplock_level != SMB2_OPLOCK_LEVEL_NONE)
			found |= OTHERS_OPLOCK;
		if (o->lease && (o->lease->state & H_CACHING))
			found |= OTHERS_HANDLE_LEASE;
	}
	return found;
}

static u8 grant_lease(struct smb_work *w, struct smb_open *op,
		      const struct smb_lease_req *lr)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_lease *l = lease_find(srv, w->conn->client_guid, lr->key);
	u32 want = lr->state, others, ruled_out = 0;
	bool fresh = !l;

	if (!l) {
		l = smb_alloc(srv, sizeof(*l));
		if (!l)
			return SMB2_OPLOCK_LEVEL_NONE;
		memcpy(l->client_guid, w->conn->client_guid, 16);
		memcpy(l->key, lr->key, 16);
		l->version = lr->version;
		l->parent_set =
			lr->version == 2 &&
			(lr->flags & SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET);
		memcpy(l->parent_key, lr->parent_key, 16);
		l->epoch = lr->epoch;
		l->dev = op->node->dev;
		l->ino = op->node->ino;
		smb_list_init(&l->opens);
		smb_list_add_tail(&l->link, &srv->leases);
	}
	smb_list_add_tail(&op->lease_link, &l->opens);
	l->nopens++;
	op->lease = l;
	set_level(op, SMB2_OPLOCK_LEVEL_LEASE);
	if (l->breaking)
		return SMB2_OPLOCK_LEVEL_LEASE; /* answered with the old state */
	if (!(want & R_CACHING))
		want = 0;
	others = others_open(op, l);
	if (others & OTHERS_OPEN)
		ruled_out |= W_CACHING;
	if (others & OTHERS_OPLOCK)
		ruled_out |= H_CACHING;
	/* A new lease gets what it can; an existing one all or nothing. */
	if (fresh)
		want &= ~ruled_out;
	else if (want & ruled_out)
		want = l->state;
	/* A lease is upgraded, never downgraded, by another open. */
	if ((want & l->state) == l->state && want != l->state) {
		l->state = want;
		l->epoch++;
	} else if (fresh && lr->version == 2) {
		l->epoch++;
	}
	return SMB2_OPLOCK_LEVEL_LEASE;
}

u8 smb_oplock_grant(struct smb_work *w, struct smb_open *op, u8 requested,
		    const struct smb_lease_req *lr, u32 disposition)
{
	struct smb_server *srv = w->conn->srv;
	u8 level = requested;

	/* No directory leasing: nothing at all for a directory. */
	if (!op->node || op->is_dir || op->tree->share->cfg.no_oplocks)
		return SMB2_OPLOCK_LEVEL_NONE;
	smb_mutex_lock(srv->lock);
	if (requested == SMB2_OPLOCK_LEVEL_LEASE && lr && lr->present) {
		level = grant_lease(w, op, lr);
	} else {
		if (op->is_dir || (level != SMB2_OPLOCK_LEVEL_II &&
				   level != SMB2_OPLOCK_LEVEL_EXCLUSIVE &&
				   level != SMB2_OPLOCK_LEVEL_BATCH))
			level = SMB2_OPLOCK_LEVEL_NONE;
		else if (!(op->access & ~STAT_ACCESS) &&
			 !overwrites(disposition) && op->node->nopens > 1)
			level = SMB2_OPLOCK_LEVEL_NONE; /* a stat open */
		else if (others_open(op, NULL) & OTHERS_HANDLE_LEASE)
			level = SMB2_OPLOCK_LEVEL_NONE; /* H is the lease's */
		else if (level != SMB2_OPLOCK_LEVEL_II && others_open(op, NULL))
			level = SMB2_OPLOCK_LEVEL_II;
		set_level(op, level);
	}
	smb_mutex_unlock(srv->lock);
	return level;
}

/* ---- waiting CREATEs ---------------------------------------------------- */

static void waiter_place(struct smb_server *srv, struct oplock_waiter *ow)
{
	struct smb_file_node *node;

	smb_mutex_lock(srv->lock);
	node = smb_file_node_find(srv, ow->dev, ow->ino);
	if (node && node_breaking(node))
		smb_list_add_tail(&ow->link, &node->oplock_waiters);
	else
		smb_list_add_tail(&ow->link, &srv->oplock_deferred);
	ow->listed = true;
	smb_mutex_unlock(srv->lock);
}

static void waiter_start(struct smb_async *a)
{
	waiter_place(a->conn->srv, a->priv);
}

static void waiter_cancel(struct smb_async *a)
{
	struct smb_server *srv = a->conn->srv;
	struct oplock_waiter *ow = a->priv;

	smb_mutex_lock(srv->lock);
	if (ow->listed) {
		smb_list_del(&ow->link);
		ow->listed = false;
	}
	smb_mutex_unlock(srv->lock);
}

static void waiter_release(struct smb_async *a)
{
	smb_free(a->conn->srv, a->priv);
}

static const struct smb_async_ops waiter_ops = {
	.start = waiter_start,
	.cancel = waiter_cancel,
	.release = waiter_release,
};

/* Make w wait; with op, the copy names op by the FileId at fid_off. */
static u32 waiter_wait(struct smb_work *w, u64 dev, u64 ino,
		       const struct smb_open *op, u32 fid_off)
{
	struct smb_server *srv = w->conn->srv;
	struct oplock_waiter *ow;
	u32 st;

	if (w->resume) {
		/* Still breaking: the same async request waits again. */
		struct smb_async *a = w->resume;

		w->resume = NULL;
		ow = a->priv;
		ow->dev = dev;
		ow->ino = ino;
		smb_async_unclaim(a);
		waiter_place(srv, ow);
		return STATUS_SUCCESS;
	}
	ow = smb_alloc(srv, sizeof(*ow) + w->req_len);
	if (!ow)
		return STATUS_INSUFFICIENT_RESOURCES;
	smb_list_init(&ow->link);
	ow->dev = dev;
	ow->ino = ino;
	ow->req_len = w->req_len;
	memcpy(ow->req, w->req, w->req_len);
	if (op && (u64)SMB2_HDR_SIZE + fid_off + 16 <= w->req_len) {
		smb_put_le64(ow->req + SMB2_HDR_SIZE + fid_off,
			     op->persistent_id);
		smb_put_le64(ow->req + SMB2_HDR_SIZE + fid_off + 8,
			     op->volatile_id);
	}
	st = smb_async_go(w, &waiter_ops, ow);
	if (st) {
		smb_free(srv, ow);
		return st;
	}
	ow->async = w->async;
	return STATUS_SUCCESS;
}

u32 smb_oplock_wait(struct smb_work *w, u64 dev, u64 ino)
{
	return waiter_wait(w, dev, ino, NULL, 0);
}

u32 smb_oplock_wait_handle(struct smb_work *w, const struct smb_open *op,
			   u32 fid_off)
{
	const struct smb_file_node *node = op->node;

	return waiter_wait(w, node ? node->dev : 0, node ? node->ino : 0, op,
			   fid_off);
}

void smb_oplock_run_deferred(struct smb_server *srv)
{
	struct smb_break_msg *after_reply;

	smb_mutex_lock(srv->lock);
	after_reply = srv->oplock_after_reply;
	srv->oplock_after_reply = NULL;
	smb_mutex_unlock(srv->lock);
	send_breaks(srv, after_reply);
	for (;;) {
		struct oplock_waiter *ow = NULL;
		struct smb_async *a = NULL;
		struct smb_conn *conn;
		bool chan;

		smb_mutex_lock(srv->lock);
		if (!smb_list_empty(&srv->oplock_deferred)) {
			ow = smb_container_of(srv->oplock_deferred.next,
					      struct oplock_waiter, link);
			smb_list_del(&ow->link);
			ow->listed = false;
			/* Lost to a cancel: its claimer frees ow. */
			if (smb_async_claim(ow->async))
				a = ow->async;
		}
		smb_mutex_unlock(srv->lock);
		if (!ow)
			break;
		if (!a)
			continue;
		conn = a->conn;
		/* Completing a may drop the last other reference. */
		smb_ref_get(&conn->refs);
		chan = smb_conn_lock(conn);
		smb2_request_resume(a, ow->req, ow->req_len,
				    smb_get_le16(ow->req + SMB2_HDR_COMMAND) ==
						    SMB2_SET_INFO ?
					    smb2_set_info :
					    smb2_create);
		smb_conn_unlock(conn, chan);
		smb_async_conn_put(conn);
	}
}

/* ---- other operations --------------------------------------------------- */

static bool own_lease(const struct smb_open *o, const struct smb_open *op)
{
	return o == op || (op->lease && o->lease == op->lease);
}

/*
 * Break what another open o of op's file caches that op's action ends;
 * true when op must wait for the acknowledgment.
 */
typedef bool (*break_one_fn)(struct smb_server *srv, struct smb_open *op,
			     struct smb_open *o, struct smb_break_msg **list);

/* Walk op's file's opens under srv->lock, then send the breaks. */
static bool break_others(struct smb_open *op, break_one_fn one)
{
	struct smb_file_node *node = op->node;
	struct smb_break_msg *list = NULL;
	struct smb_server *srv;
	struct smb_list *pos;
	bool wait = false;

	if (!node || !__atomic_load_n(&node->ncaching, __ATOMIC_RELAXED))
		return false;
	srv = open_srv(op);
	smb_mutex_lock(srv->lock);
	for (pos = node->opens.next; pos != &node->opens; pos = pos->next)
		wait |= one(srv, op,
			    smb_container_of(pos, struct smb_open, node_link),
			    &list);
	smb_mutex_unlock(srv->lock);
	send_breaks(srv, list);
	return wait;
}

static bool break_reader(struct smb_server *srv, struct smb_open *op,
			 struct smb_open *o, struct smb_break_msg **list)
{
	if (!smb_stream_same(o->stream, op->stream))
		return false;
	/* A writer's own level II goes too ("self break"). */
	if (o == op && o->oplock_level == SMB2_OPLOCK_LEVEL_II)
		break_oplock(srv, o, SMB2_OPLOCK_LEVEL_NONE, list);
	if (own_lease(o, op))
		return false;
	if (o->lease)
		break_lease(srv, o->lease, 0, 0, list);
	else
		break_oplock(srv, o, SMB2_OPLOCK_LEVEL_NONE, list);
	return false; /* writers never wait */
}

void smb_oplock_break_readers(struct smb_open *op)
{
	break_others(op, break_reader);
}

/* Take others' handle caching; lease flags as for break_lease(). */
static bool break_handle(struct smb_server *srv, struct smb_open *op,
			 struct smb_open *o, u32 flags,
			 struct smb_break_msg **list)
{
	if (own_lease(o, op))
		return false;
	if (o->lease)
		return break_lease(srv, o->lease, o->lease->state & ~H_CACHING,
				   flags, list);
	if (o->oplock_level == SMB2_OPLOCK_LEVEL_BATCH)
		break_oplock(srv, o, SMB2_OPLOCK_LEVEL_II, list);
	return false; /* as Samba: only a lease's handle break is waited for */
}

static bool break_handle_nowait(struct smb_server *srv, struct smb_open *op,
				struct smb_open *o, struct smb_break_msg **list)
{
	return break_handle(srv, op, o, 0, list);
}

void smb_oplock_break_handles(struct smb_open *op)
{
	break_others(op, break_handle_nowait);
}

static bool break_handle_wait(struct smb_server *srv, struct smb_open *op,
			      struct smb_open *o, struct smb_break_msg **list)
{
	return break_handle(srv, op, o, WAIT_FOR_H | BREAK_FURTHER, list);
}

u32 smb_oplock_rename_breaks(struct smb_work *w, struct smb_open *op)
{
	bool wait = break_others(op, break_handle_wait);

	/* Inside a compound only the last request may go async. */
	return wait && (w->last_in_chain || w->resume) ? STATUS_PENDING :
							 STATUS_SUCCESS;
}

void smb_oplock_open_closing(struct smb_open *op)
{
	struct smb_server *srv = open_srv(op);
	struct smb_lease *l = op->lease;

	if (l) {
		smb_list_del(&op->lease_link);
		op->lease = NULL;
		if (--l->nopens == 0) {
			smb_list_del(&l->link);
			smb_free(srv, l);
		}
	}
	set_level(op, SMB2_OPLOCK_LEVEL_NONE);
	op->oplock_breaking = false;
	wake_waiters(srv, op->node);
}

/* ---- OPLOCK_BREAK acknowledgments --------------------------------------- */

static int oplock_ack(struct smb_work *w, const u8 *b)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_open *op = smb_open_find(w, b + 8);
	u8 level = b[2], *r;
	u32 status = STATUS_SUCCESS;

	if (!op)
		return smb_resp_error(w, w->status);
	smb_mutex_lock(srv->lock);
	if (!op->oplock_breaking) {
		/* Level II (or none) was never to be acknowledged. */
		status = op->oplock_level == SMB2_OPLOCK_LEVEL_II ||
					 op->oplock_level ==
						 SMB2_OPLOCK_LEVEL_NONE ?
				 STATUS_INVALID_OPLOCK_PROTOCOL :
				 STATUS_INVALID_DEVICE_STATE;
	} else {
		op->oplock_breaking = false;
		if (level == SMB2_OPLOCK_LEVEL_LEASE) {
			status = STATUS_INVALID_PARAMETER;
			level = SMB2_OPLOCK_LEVEL_NONE;
		} else if (level > op->oplock_break_to) {
			/* More than the break left: nothing stays. */
			status = STATUS_INVALID_OPLOCK_PROTOCOL;
			level = SMB2_OPLOCK_LEVEL_NONE;
		}
		set_level(op, level);
		wake_waiters(srv, op->node);
	}
	smb_mutex_unlock(srv->lock);
	if (status)
		return smb_resp_error(w, status);
	r = smb_resp_body(w, OPLOCK_BREAK_SIZE);
	if (!r)
		return -1;
	smb_put_le16(r, OPLOCK_BREAK_SIZE);
	r[2] = level;
	smb_put_le64(r + 8, op->persistent_id);
	smb_put_le64(r + 16, op->volatile_id);
	return 0;
}

static int lease_ack(struct smb_work *w, const u8 *b)
{
	struct smb_server *srv = w->conn->srv;
	u32 state = smb_get_le32(b + 24), status = STATUS_SUCCESS;
	struct smb_lease *l;
	u8 *r;

	smb_mutex_lock(srv->lock);
	l = lease_find(srv, w->conn->client_guid, b + 8);
	if (!l)
		status = STATUS_OBJECT_NAME_NOT_FOUND;
	else if (!l->breaking)
		status = STATUS_UNSUCCESSFUL;
	else if (state & ~l->break_to)
		status = STATUS_REQUEST_NOT_ACCEPTED;
	if (!status) {
		l->breaking = false;
		l->state = state;
		/* A further break goes out after this reply (run_deferred). */
		if (!lease_break_on(srv, l, &srv->oplock_after_reply))
			wake_waiters(srv,
				     smb_file_node_find(srv, l->dev, l->ino));
	}
	smb_mutex_unlock(srv->lock);
	if (status)
		return smb_resp_error(w, status);
	r = smb_resp_body(w, LEASE_ACK_SIZE);
	if (!r)
		return -1;
	smb_put_le16(r, LEASE_ACK_SIZE);
	memcpy(r + 8, b + 8, 16);
	smb_put_le32(r + 24, state);
	return 0;
}

int smb2_oplock_break(struct smb_work *w)
{
	const u8 *b = smb_req_body(w);
	size_t len = smb_req_body_len(w);
	u16 size = len >= 2 ? smb_get_le16(b) : 0;

	if (size == OPLOCK_BREAK_SIZE && len >= OPLOCK_BREAK_SIZE)
		return oplock_ack(w, b);
	if (size == LEASE_ACK_SIZE && len >= LEASE_ACK_SIZE &&
	    w->conn->dialect >= SMB2_DIALECT_0210)
		return lease_ack(w, b);
	return smb_resp_error(w, STATUS_INVALID_PARAMETER);
}

/* ---- server ------------------------------------------------------------- */

int smb_oplock_server_init(struct smb_server *srv)
{
	smb_list_init(&srv->leases);
	smb_list_init(&srv->oplock_deferred);
	srv->oplock_timer = smb_alloc(srv, sizeof(*srv->oplock_timer));
	if (!srv->oplock_timer)
		return -1;
	srv->oplock_timer->priv = srv;
	return 0;
}

void smb_oplock_server_free(struct smb_server *srv)
{
	if (srv->oplock_timer && srv->timer_lock)
		smb_timer_cancel(srv, srv->oplock_timer);
	send_breaks(srv, srv->oplock_after_reply); /* drops them */
	srv->oplock_after_reply = NULL;
	smb_free(srv, srv->oplock_timer);
	srv->oplock_timer = NULL;
}
