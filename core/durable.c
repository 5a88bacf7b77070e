// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * durable.c - durable handles v1 (DHnQ/DHnC) and v2 (DH2Q/DH2C): their
 * create contexts, the table of opens kept across a lost connection, the
 * reconnect checks and the scavenger that closes opens nobody reclaimed.
 *
 * Locking: every durable open's struct smb_durable is on table->opens
 * under srv->lock; dh->disconnected changes only under srv->lock, and
 * whoever clears it (a reconnect, the scavenger, a conflicting open, the
 * server's end) owns the open from then on.
 */
#include "async.h"
#include "durable.h"
#include "oplock.h"
#include "timer.h"
#include "utf16.h"

/* Durable state of one open. */
struct smb_durable {
	struct smb_list link; /* table->opens */
	struct smb_open *op;
	bool v2;
	bool disconnected;
	u32 timeout_ms;
	u64 expires_ms; /* monotonic, while disconnected */
	u8 create_guid[16];
	u8 client_guid[16];
	struct smb_share *share;
	/* The security identity the open was made with. */
	char user[64];
	u32 uid;
	bool is_guest;
	bool is_anonymous;
};

/*
 * Placeholders that own disconnected opens: one connection and session,
 * and one tree connect per share.  Never used for I/O.
 */
struct smb_durable_table {
	struct smb_list opens; /* struct smb_durable.link, srv->lock */
	u32 ndisconnected;
	struct smb_timer scavenger;
	struct smb_conn *conn; /* dead: breaks sent to it are dropped */
	struct smb_session sess;
	struct smb_tree *trees; /* [srv->nshares] */
};

static u64 now_ms(struct smb_server *srv)
{
	return srv->ops.clock.monotonic_ms(srv->ops.clock.ctx);
}

/* ---- create contexts --------------------------------------------------- */

static bool name_is(const u8 *name, u16 len, const char *tag)
{
	return len == 4 && !memcmp(name, tag, 4);
}

u32 smb_durable_parse_ctx(struct smb_durable_req *d, const u8 *name,
			  u16 name_len, const u8 *data, u32 data_len,
			  bool *taken)
{
	bool *seen;
	u32 want;

	*taken = true;
	if (name_is(name, name_len, "DHnQ")) {
		seen = &d->v1_request;
		want = 16;
	} else if (name_is(name, name_len, "DHnC")) {
		seen = &d->v1_reconnect;
		want = 16;
	} else if (name_is(name, name_len, "DH2Q")) {
		seen = &d->v2_request;
		want = 32;
	} else if (name_is(name, name_len, "DH2C")) {
		seen = &d->v2_reconnect;
		want = 36;
	} else {
		*taken = false;
		return STATUS_SUCCESS;
	}
	if (*seen || data_len != want)
		return STATUS_INVALID_PARAMETER;
	*seen = true;
	if (seen == &d->v1_reconnect || seen == &d->v2_reconnect) {
		d->persistent_id = smb_get_le64(data);
		d->volatile_id = smb_get_le64(data + 8);
	}
	if (seen == &d->v2_request) {
		d->timeout_ms = smb_get_le32(data);
		d->flags = smb_get_le32(data + 4);
		memcpy(d->create_guid, data + 16, 16);
	} else if (seen == &d->v2_reconnect) {
		memcpy(d->create_guid, data + 16, 16);
		d->flags = smb_get_le32(data + 32);
	}
	return STATUS_SUCCESS;
}

u32 smb_durable_validate(struct smb_durable_req *d, u16 dialect)
{
	bool v1 = d->v1_request || d->v1_reconnect;
	bool v2 = d->v2_request || d->v2_reconnect;

	/* The v2 contexts exist from SMB 3.0 on; older dialects ignore them. */
	if (v2 && dialect < SMB2_DIALECT_0300) {
		d->v2_request = false;
		d->v2_reconnect = false;
		v2 = false;
	}
	/* 3.3.5.9.6/7/10/12: v1 and v2 together, or DH2Q beside DH2C. */
	if ((v1 && v2) || (d->v2_request && d->v2_reconnect))
		return STATUS_INVALID_PARAMETER;
	/* 3.3.5.9.6: DHnQ beside DHnC is ignored. */
	if (d->v1_reconnect)
		d->v1_request = false;
	return STATUS_SUCCESS;
}

/* ---- granting ---------------------------------------------------------- */

bool smb_durable_eligible(const struct smb_open *op)
{
	if (op->is_dir || !op->file || op->pipe)
		return false;
	/* [MS-SMB2] 3.3.5.9.6 / 3.3.5.9.10: batch oplock or an H lease. */
	return smb_open_has_handle_caching(op);
}

u32 smb_durable_grant(struct smb_work *w, struct smb_open *op,
		      const struct smb_durable_req *d, u8 resp_data[8],
		      const char **ctx_name)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_session *sess = w->sess;
	struct smb_durable *dh;
	bool eligible;
	u32 timeout;

	if (!(d->v1_request || d->v2_request) || op->durable)
		return 0;
	if (d->v2_request) {
		/* Persistence needs a CA share; we offer none (3.3.5.9.10). */
		timeout = d->timeout_ms ? d->timeout_ms :
					  SMB_DURABLE_V2_DEFAULT_MS;
		if (timeout > srv->durable_max_ms)
			timeout = srv->durable_max_ms;
	} else {
		timeout = SMB_DURABLE_V1_TIMEOUT_MS;
	}
	dh = smb_alloc(srv, sizeof(*dh));
	if (!dh)
		return 0; /* not durable: the client copes */
	smb_list_init(&dh->link);
	dh->op = op;
	dh->v2 = d->v2_request;
	dh->timeout_ms = timeout;
	memcpy(dh->create_guid, d->create_guid, 16);
	memcpy(dh->client_guid, w->conn->client_guid, 16);
	dh->share = op->tree->share;
	memcpy(dh->user, sess->user.name, sizeof(dh->user));
	dh->user[sizeof(dh->user) - 1] = '\0';
	dh->uid = sess->user.uid;
	dh->is_guest = sess->is_guest;
	dh->is_anonymous = sess->is_anonymous;
	/* The oplock or lease may be breaking already: decide under lock. */
	smb_mutex_lock(srv->lock);
	eligible = smb_durable_eligible(op);
	if (eligible) {
		op->durable = dh;
		smb_list_add_tail(&dh->link, &srv->durable->opens);
	}
	smb_mutex_unlock(srv->lock);
	if (!eligible) {
		smb_free(srv, dh);
		return 0;
	}
	return smb_durable_response(op, resp_data, ctx_name);
}

u32 smb_durable_response(const struct smb_open *op, u8 resp_data[8],
			 const char **ctx_name)
{
	const struct smb_durable *dh = op->durable;

	if (!dh)
		return 0;
	memset(resp_data, 0, 8);
	if (!dh->v2) {
		*ctx_name = "DHnQ";
		return 8;
	}
	*ctx_name = "DH2Q";
	smb_put_le32(resp_data, dh->timeout_ms);
	smb_put_le32(resp_data + 4, 0); /* never persistent */
	return 8;
}

/* ---- disconnect and scavenging ----------------------------------------- */

bool smb_durable_is_disconnected(const struct smb_open *op)
{
	return op->durable && op->durable->disconnected;
}

/* Arm the scavenger for the earliest expiry; srv->lock held. */
static void arm_scavenger_locked(struct smb_server *srv)
{
	struct smb_durable_table *t = srv->durable;
	struct smb_list *pos;
	u64 first = U64_MAX, now;

	for (pos = t->opens.next; pos != &t->opens; pos = pos->next) {
		struct smb_durable *dh =
			smb_container_of(pos, struct smb_durable, link);

		if (dh->disconnected && dh->expires_ms < first)
			first = dh->expires_ms;
	}
	if (first == U64_MAX)
		return;
	now = now_ms(srv);
	smb_timer_arm(srv, &t->scavenger, first > now ? first - now : 0,
		      t->scavenger.fire);
}

/* Claim a disconnected open for closing; srv->lock held. */
static void claim_locked(struct smb_durable_table *t, struct smb_durable *dh,
			 struct smb_list *to)
{
	dh->disconnected = false;
	t->ndisconnected--;
	smb_list_del(&dh->link);
	smb_list_add_tail(&dh->link, to);
}

/* Close opens claimed with claim_locked(); no lock held. */
void smb_durable_close_claimed(struct smb_list *claimed)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, claimed)
	{
		struct smb_durable *dh =
			smb_container_of(pos, struct smb_durable, link);

		smb_open_destroy(dh->op, true);
	}
}

bool smb_durable_claim_locked(struct smb_open *op, struct smb_list *claimed)
{
	if (!smb_durable_is_disconnected(op))
		return false;
	claim_locked(op->tree->sess->conn->srv->durable, op->durable, claimed);
	return true;
}

static void scavenge(struct smb_timer *timer)
{
	struct smb_server *srv = timer->priv;
	struct smb_durable_table *t = srv->durable;
	struct smb_list expired, *pos, *tmp;
	u64 now = now_ms(srv);

	smb_list_init(&expired);
	smb_mutex_lock(srv->lock);
	smb_list_for_each_safe(pos, tmp, &t->opens)
	{
		struct smb_durable *dh =
			smb_container_of(pos, struct smb_durable, link);

		if (dh->disconnected && dh->expires_ms <= now)
			claim_locked(t, dh, &expired);
	}
	arm_scavenger_locked(srv);
	smb_mutex_unlock(srv->lock);
	smb_durable_close_claimed(&expired);
	/* CREATEs that waited on their oplocks may run now. */
	smb_oplock_run_deferred(srv);
}

static void preserve(struct smb_session *sess, struct smb_open *op)
{
	struct smb_server *srv = sess->conn->srv;
	struct smb_durable_table *t = srv->durable;
	struct smb_durable *dh = op->durable;
	u64 now = now_ms(srv);
	int share = (int)(dh->share - srv->shares);
	bool breaking;

	smb_mutex_lock(srv->lock);
	/*
	 * A break this client can no longer acknowledge would hold others'
	 * CREATEs until it times out: such an open is closed instead.
	 */
	breaking = op->oplock_breaking || (op->lease && op->lease->breaking);
	if (!breaking) {
		op->tree = &t->trees[share];
		dh->disconnected = true;
		t->ndisconnected++;
		if (smb_add_overflow(now, (u64)dh->timeout_ms, &dh->expires_ms))
			dh->expires_ms = U64_MAX;
		arm_scavenger_locked(srv);
	}
	smb_mutex_unlock(srv->lock);
	if (breaking)
		return;
	smb_open_table_del(sess, op);
}

void smb_durable_session_lost(struct smb_session *sess)
{
	int b;

	/* A session that never finished or logged off keeps nothing. */
	if (!sess->conn->srv->durable || (sess->state != SMB_SESSION_VALID &&
					  sess->state != SMB_SESSION_EXPIRED))
		return;
	for (b = 0; b < SMB_OPEN_BUCKETS; b++) {
		struct smb_list *pos, *tmp;

		smb_list_for_each_safe(pos, tmp, &sess->opens[b])
		{
			struct smb_open *op =
				smb_container_of(pos, struct smb_open, link);

			if (op->durable)
				preserve(sess, op);
		}
	}
}

void smb_durable_conn_lost(struct smb_conn *conn)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, &conn->sessions)
		smb_durable_session_lost(
			smb_container_of(pos, struct smb_session, link));
}

/* ---- session reconnect (PreviousSessionId) ------------------------------ */

/*
 * End sess as a reconnect asks: its durable opens are kept, the rest
 * closed, and the session itself goes after w's response is sent.
 */
static void retire(struct smb_work *w, struct smb_session *sess)
{
	struct smb_list *pos, *tmp;

	smb_durable_session_lost(sess);
	sess->state = SMB_SESSION_LOGGED_OFF;
	smb_list_for_each_safe(pos, tmp, &sess->trees)
		smb_tree_destroy(smb_container_of(pos, struct smb_tree, link));
	w->destroy_after_send = sess;
}

bool smb_session_same_user(const struct smb_session *a,
			   const struct smb_session *b)
{
	return !a->is_guest && !a->is_anonymous && !b->is_guest &&
	       !b->is_anonymous && a->user.uid == b->user.uid &&
	       smb_name_equal_ci(a->user.name, b->user.name);
}

void smb_session_supersede(struct smb_work *w, struct smb_session *sess,
			   u64 previous_id)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_session *prev = NULL;
	struct smb_list *pos;

	if (!previous_id || previous_id == sess->id)
		return;
	smb_mutex_lock(srv->lock);
	for (pos = srv->sessions.next; pos != &srv->sessions; pos = pos->next) {
		struct smb_session *s =
			smb_container_of(pos, struct smb_session, global_link);

		if (s->id == previous_id) {
			prev = s;
			break;
		}
	}
	/* Only the same user may end it; another's is left alone. */
	if (prev &&
	    (prev->state != SMB_SESSION_VALID || !smb_session_same_user(prev, sess)))
		prev = NULL;
	if (prev && prev->conn != w->conn) {
		/* Its own connection retires it at its next request. */
		__atomic_store_n(&prev->superseded, true, __ATOMIC_RELEASE);
		prev = NULL;
	}
	smb_mutex_unlock(srv->lock);
	if (prev && !w->destroy_after_send)
		retire(w, prev);
}

bool smb_session_retire_if_superseded(struct smb_work *w,
				      struct smb_session *sess)
{
	if (sess->state != SMB_SESSION_VALID ||
	    !__atomic_load_n(&sess->superseded, __ATOMIC_ACQUIRE) ||
	    w->destroy_after_send)
		return false;
	retire(w, sess);
	return true;
}

void smb_durable_forget(struct smb_open *op)
{
	struct smb_durable *dh = op->durable;
	struct smb_server *srv;

	if (!dh)
		return;
	srv = op->tree->sess->conn->srv;
	smb_mutex_lock(srv->lock);
	if (dh->disconnected) /* only the server's end gets here so */
		srv->durable->ndisconnected--;
	smb_list_del(&dh->link);
	smb_mutex_unlock(srv->lock);
	op->durable = NULL;
	smb_free(srv, dh);
}

/* ---- reconnect and replay ---------------------------------------------- */

static bool same_identity(const struct smb_durable *dh,
			  const struct smb_session *sess)
{
	return dh->is_guest == sess->is_guest &&
	       dh->is_anonymous == sess->is_anonymous &&
	       dh->uid == sess->user.uid &&
	       smb_name_equal_ci(dh->user, sess->user.name);
}

static struct smb_durable *lookup_locked(struct smb_durable_table *t,
					 u64 persistent_id)
{
	struct smb_list *pos;

	for (pos = t->opens.next; pos != &t->opens; pos = pos->next) {
		struct smb_durable *dh =
			smb_container_of(pos, struct smb_durable, link);

		if (dh->op->persistent_id == persistent_id)
			return dh;
	}
	return NULL;
}

/* Why dh may not be reconnected by w (0: it may); srv->lock held. */
static u32 reconnect_denied(const struct smb_work *w,
			    const struct smb_durable_req *d,
			    const struct smb_lease_req *lr, const char *path,
			    const struct smb_durable *dh)
{
	const struct smb_lease *l = dh->op->lease;

	/*
	 * 3.3.5.9.7 / 3.3.5.9.12: still connected; a DH2C names the
	 * CreateGuid (zero for a v1 open); a lease needs its client.
	 */
	if (!dh->disconnected)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (d->v2_reconnect &&
	    !smb_memeq_ct(dh->create_guid, d->create_guid, 16))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (l && !smb_memeq_ct(dh->client_guid, w->conn->client_guid, 16))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (dh->share != w->tree->share)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* A lease open comes back only with its lease, to its client. */
	if (!l != !(lr && lr->present))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (l && (memcmp(l->key, lr->key, 16) ||
		  memcmp(l->client_guid, w->conn->client_guid, 16)))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* A lease names its file: the request must name it too. */
	if (l && !dh->op->delete_on_close &&
	    (!path || !smb_name_equal_ci(path, dh->op->path)))
		return STATUS_INVALID_PARAMETER;
	if (!same_identity(dh, w->sess))
		return STATUS_ACCESS_DENIED;
	return STATUS_SUCCESS;
}

u32 smb_durable_reconnect(struct smb_work *w, const struct smb_durable_req *d,
			  const struct smb_lease_req *lr, const u8 *name,
			  u16 name_len, struct smb_open **out)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_durable_table *t = srv->durable;
	struct smb_session *sess = w->sess;
	struct smb_durable *dh;
	struct smb_open *op;
	u32 status;

	char *path;

	*out = NULL;
	if (!t || w->tree->share->cfg.is_pipe)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* Only a lease open checks the name; an unusable one matches none. */
	path = smb_alloc(srv, SMB_PATH_MAX);
	if (path && smb_path_from_wire(name, name_len, path, SMB_PATH_MAX)) {
		smb_free(srv, path);
		path = NULL;
	}
	smb_mutex_lock(srv->lock);
	dh = lookup_locked(t, d->persistent_id);
	status = dh ? reconnect_denied(w, d, lr, path, dh) :
		      STATUS_OBJECT_NAME_NOT_FOUND;
	if (!status) {
		dh->disconnected = false;
		t->ndisconnected--;
		op = dh->op;
		op->tree = w->tree;
	}
	smb_mutex_unlock(srv->lock);
	smb_free(srv, path);
	if (status)
		return status;
	/* Same persistent id; a volatile id of the new session. */
	smb_open_table_add(sess, op);
	memcpy(dh->client_guid, w->conn->client_guid, 16);
	*out = op;
	return STATUS_SUCCESS;
}

struct smb_open *smb_durable_find_replay(struct smb_work *w,
					 const struct smb_durable_req *d)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_durable_table *t = srv->durable;
	struct smb_open *found = NULL;
	struct smb_list *pos;

	if (!t || !d->v2_request || !(w->flags & SMB2_FLAGS_REPLAY_OPERATION))
		return NULL;
	smb_mutex_lock(srv->lock);
	for (pos = t->opens.next; pos != &t->opens; pos = pos->next) {
		struct smb_durable *dh =
			smb_container_of(pos, struct smb_durable, link);

		if (dh->v2 && !dh->disconnected &&
		    dh->op->tree->sess == w->sess && dh->op->tree == w->tree &&
		    !memcmp(dh->create_guid, d->create_guid, 16) &&
		    !memcmp(dh->client_guid, w->conn->client_guid, 16)) {
			found = dh->op;
			break;
		}
	}
	smb_mutex_unlock(srv->lock);
	return found;
}

/* ---- server life cycle ------------------------------------------------- */

int smb_durable_server_init(struct smb_server *srv)
{
	struct smb_durable_table *t = smb_alloc(srv, sizeof(*t));
	int i, b;

	srv->durable_max_ms = SMB_DURABLE_MAX_DEFAULT_MS;
	if (!t)
		return -1;
	t->trees =
		smb_alloc(srv, sizeof(*t->trees) * ((size_t)srv->nshares + 1));
	if (!t->trees) {
		smb_free(srv, t);
		return -1;
	}
	smb_list_init(&t->opens);
	t->scavenger.priv = srv;
	t->scavenger.fire = scavenge;
	t->conn = smb_alloc(srv, sizeof(*t->conn));
	if (!t->conn) {
		smb_free(srv, t->trees);
		smb_free(srv, t);
		return -1;
	}
	t->conn->srv = srv;
	smb_list_init(&t->conn->sessions);
	smb_list_init(&t->conn->channels);
	smb_list_init(&t->conn->binds);
	smb_async_conn_init(t->conn);
	t->conn->dead = true;
	srv->durable = t;
	if (!t->conn->async_lock || !t->conn->send_lock ||
	    !t->conn->proc_lock) {
		smb_durable_server_free(srv);
		return -1;
	}
	t->sess.conn = t->conn;
	t->sess.state = SMB_SESSION_EXPIRED;
	smb_list_init(&t->sess.trees);
	smb_list_init(&t->sess.channels);
	smb_list_init(&t->sess.global_link);
	for (b = 0; b < SMB_OPEN_BUCKETS; b++)
		smb_list_init(&t->sess.opens[b]);
	for (i = 0; i < srv->nshares; i++) {
		t->trees[i].sess = &t->sess;
		t->trees[i].share = &srv->shares[i];
		t->trees[i].read_only = true;
		smb_list_init(&t->trees[i].link);
	}
	return 0;
}

void smb_durable_server_free(struct smb_server *srv)
{
	struct smb_durable_table *t = srv->durable;
	struct smb_list all, *pos, *tmp;

	if (!t)
		return;
	smb_timer_cancel(srv, &t->scavenger);
	smb_list_init(&all);
	smb_mutex_lock(srv->lock);
	smb_list_for_each_safe(pos, tmp, &t->opens)
	{
		struct smb_durable *dh =
			smb_container_of(pos, struct smb_durable, link);

		if (dh->disconnected)
			claim_locked(t, dh, &all);
	}
	smb_mutex_unlock(srv->lock);
	smb_durable_close_claimed(&all);
	smb_async_conn_put(t->conn); /* outlives breaks still being sent */
	smb_free(srv, t->trees);
	smb_free(srv, t);
	srv->durable = NULL;
}

void smb_server_set_durable_timeout(struct smb_server *srv, u32 seconds)
{
	u64 ms = (u64)seconds * 1000u;

	srv->durable_max_ms = !seconds	   ? SMB_DURABLE_MAX_DEFAULT_MS :
			      ms > U32_MAX ? U32_MAX :
					     (u32)ms;
}

u32 smb_durable_count_disconnected(struct smb_server *srv)
{
	u32 n;

	if (!srv->durable)
		return 0;
	smb_mutex_lock(srv->lock);
	n = srv->durable->ndisconnected;
	smb_mutex_unlock(srv->lock);
	return n;
}
