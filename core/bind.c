// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bind.c - the server-wide session table (GlobalSessionTable, [MS-SMB2]
 * 3.3.1.1) and the checks on a request to bind a session to another
 * connection (3.3.5.5 step 4).
 */
#include "async.h"
#include "bind.h"
#include "durable.h"
#include "signing.h"

void smb_session_register(struct smb_session *sess)
{
	struct smb_server *srv = sess->conn->srv;

	smb_mutex_lock(srv->lock);
	smb_list_add_tail(&sess->global_link, &srv->sessions);
	smb_mutex_unlock(srv->lock);
}

void smb_session_forget(struct smb_session *sess)
{
	struct smb_server *srv = sess->conn->srv;

	smb_mutex_lock(srv->lock);
	smb_list_del(&sess->global_link);
	smb_mutex_unlock(srv->lock);
}

/* What a binding request is checked against, copied under the lock: the
 * session belongs to another connection's thread. */
struct bind_target {
	bool found;
	bool same_conn; /* its own connection */
	bool bound_here; /* this connection is a channel of it already */
	bool mc; /* its connection takes srv->chan_lock */
	bool keyless; /* guest or anonymous */
	u16 dialect;
	u16 cipher;
	u16 sign_algo;
	u8 signing_key[16];
};

/* conn's channel of sess, or NULL; srv->chan_lock held (conn->mc). */
static struct smb_channel *channel_of(const struct smb_conn *conn,
				      const struct smb_session *sess)
{
	struct smb_list *pos, *tmp;

	if (!conn->mc)
		return NULL;
	smb_list_for_each_safe(pos, tmp, &sess->channels) {
		struct smb_channel *ch =
			smb_container_of(pos, struct smb_channel, sess_link);

		if (ch->conn == conn)
			return ch;
	}
	return NULL;
}

static void find_target(struct smb_conn *conn, u64 id, struct bind_target *t)
{
	struct smb_server *srv = conn->srv;
	struct smb_list *pos, *tmp;

	memset(t, 0, sizeof(*t));
	if (id == 0)
		return;
	smb_mutex_lock(srv->lock);
	smb_list_for_each_safe(pos, tmp, &srv->sessions) {
		struct smb_session *s =
			smb_container_of(pos, struct smb_session, global_link);

		if (s->id != id || s->state != SMB_SESSION_VALID)
			continue;
		t->found = true;
		t->same_conn = s->conn == conn;
		t->bound_here = channel_of(conn, s) != NULL;
		t->mc = s->conn->mc;
		t->keyless = s->keyless;
		t->dialect = s->conn->dialect;
		t->cipher = s->conn->cipher;
		t->sign_algo = smb_conn_signing_algo(s->conn);
		memcpy(t->signing_key, s->signing_key, sizeof(t->signing_key));
		break;
	}
	smb_mutex_unlock(srv->lock);
}

/* Answer w signed with the key of the session it names, held by another
 * connection: the client signed with that key and checks with it. */
static void sign_with_target(struct smb_work *w, const struct bind_target *t)
{
	if (t->found && !t->keyless && (w->flags & SMB2_FLAGS_SIGNED)) {
		w->bind_sign = true;
		w->bind_sign_algo = t->sign_algo;
		memcpy(w->bind_sign_key, t->signing_key, 16);
	}
}

u32 smb_session_foreign(struct smb_work *w)
{
	struct smb_conn *conn = w->conn;
	struct bind_target t;

	find_target(conn, w->session_id, &t);
	if (!t.found && conn->ended_id && conn->ended_id == w->session_id) {
		t.found = true;
		t.sign_algo = conn->ended_algo;
		memcpy(t.signing_key, conn->ended_key, sizeof(t.signing_key));
	}
	sign_with_target(w, &t);
	smb_memzero_explicit(&t, sizeof(t));
	return STATUS_USER_SESSION_DELETED;
}

u32 smb_session_bind_check(struct smb_work *w)
{
	struct smb_conn *conn = w->conn;
	struct bind_target t;
	u16 algo = smb_conn_signing_algo(conn);
	u32 st = STATUS_REQUEST_NOT_ACCEPTED;

	if (!conn->srv->multichannel)
		return STATUS_REQUEST_NOT_ACCEPTED;
	find_target(conn, w->session_id, &t);
	if (!t.found)
		return STATUS_USER_SESSION_DELETED;
	/*
	 * AES-GMAC cannot sign for a session whose other channels use
	 * another algorithm, nor the other way round (Windows' and Samba's
	 * statuses); HMAC-SHA256 and AES-CMAC channels may be mixed.
	 */
	if (algo == SMB2_SIGNING_AES_GMAC && t.sign_algo != algo)
		st = STATUS_NOT_SUPPORTED;
	else if (t.sign_algo == SMB2_SIGNING_AES_GMAC && algo != t.sign_algo)
		st = STATUS_REQUEST_OUT_OF_SEQUENCE;
	else if (conn->dialect < SMB2_DIALECT_0300)
		st = STATUS_REQUEST_NOT_ACCEPTED;
	else if (conn->dialect != t.dialect || conn->cipher != t.cipher)
		st = STATUS_INVALID_PARAMETER;
	else if (t.keyless)
		st = STATUS_NOT_SUPPORTED;
	else if (!(w->flags & SMB2_FLAGS_SIGNED))
		st = STATUS_INVALID_PARAMETER;
	else if (!smb2_verify(conn->srv->ops.crypto, t.sign_algo, t.signing_key,
			      (u8 *)w->req, w->req_len))
		st = STATUS_ACCESS_DENIED;
	else if (t.bound_here)
		st = STATUS_ACCESS_DENIED; /* as Samba, smb2.session.bind_negative */
	else if (t.same_conn || !t.mc || !conn->mc)
		st = STATUS_REQUEST_NOT_ACCEPTED;
	else
		st = STATUS_SUCCESS; /* authenticate the new channel */
	if (st != STATUS_ACCESS_DENIED || t.bound_here)
		sign_with_target(w, &t);
	smb_memzero_explicit(&t, sizeof(t));
	return st;
}

/* ---- channels ----------------------------------------------------------- */

bool smb_conn_lock(struct smb_conn *conn)
{
	bool chan;

	smb_mutex_lock(conn->proc_lock);
	/* Read under proc_lock: a NEGOTIATE running alone may set it. */
	chan = conn->mc;
	if (chan)
		smb_mutex_lock(conn->srv->chan_lock);
	return chan;
}

void smb_conn_unlock(struct smb_conn *conn, bool chan)
{
	if (chan)
		smb_mutex_unlock(conn->srv->chan_lock);
	smb_mutex_unlock(conn->proc_lock);
}

struct smb_session *smb_channel_find(struct smb_conn *conn, u64 id)
{
	struct smb_list *pos, *tmp;

	if (!conn->mc)
		return NULL;
	smb_list_for_each_safe(pos, tmp, &conn->binds) {
		struct smb_session *s =
			smb_container_of(pos, struct smb_session, link);

		if (s->bind_target_id == id)
			return s;
	}
	return NULL;
}

struct smb_channel *smb_channel_lookup(struct smb_conn *conn, u64 id)
{
	struct smb_list *pos, *tmp;

	if (!conn->mc || id == 0)
		return NULL;
	smb_list_for_each_safe(pos, tmp, &conn->channels) {
		struct smb_channel *ch =
			smb_container_of(pos, struct smb_channel, conn_link);

		if (ch->sess->id == id)
			return ch;
	}
	return NULL;
}

u32 smb_channel_add(struct smb_work *w, struct smb_session *auth,
		    struct smb_session **bound)
{
	struct smb_conn *conn = w->conn;
	struct smb_server *srv = conn->srv;
	struct smb_session *target = NULL;
	struct smb_channel *ch;
	struct smb_list *pos, *tmp;

	ch = smb_alloc(srv, sizeof(*ch));
	if (!ch)
		return STATUS_INSUFFICIENT_RESOURCES;
	/*
	 * The target cannot go meanwhile: it belongs to a connection that
	 * takes srv->chan_lock, which this thread holds.
	 */
	smb_mutex_lock(srv->lock);
	smb_list_for_each_safe(pos, tmp, &srv->sessions) {
		struct smb_session *s =
			smb_container_of(pos, struct smb_session, global_link);

		if (s->id == auth->bind_target_id &&
		    s->state == SMB_SESSION_VALID && s->conn->mc) {
			target = s;
			break;
		}
	}
	smb_mutex_unlock(srv->lock);
	if (!target || channel_of(conn, target) || target->conn == conn) {
		smb_free(srv, ch);
		return STATUS_USER_SESSION_DELETED;
	}
	/* A channel is for the session's own user ([MS-SMB2] 3.3.5.5.3). */
	if (!smb_session_same_user(target, auth)) {
		smb_free(srv, ch);
		return STATUS_ACCESS_DENIED;
	}
	ch->conn = conn;
	ch->sess = target;
	memcpy(ch->signing_key, auth->signing_key, sizeof(ch->signing_key));
	smb_list_add_tail(&ch->conn_link, &conn->channels);
	smb_list_add_tail(&ch->sess_link, &target->channels);
	w->chan = ch;
	*bound = target;
	return STATUS_SUCCESS;
}

static void note_ended(struct smb_conn *conn, u64 id, const u8 key[16])
{
	conn->ended_id = id;
	conn->ended_algo = smb_conn_signing_algo(conn);
	memcpy(conn->ended_key, key, sizeof(conn->ended_key));
}

void smb_session_note_ended(struct smb_session *sess)
{
	struct smb_list *pos, *tmp;

	if (sess->keyless || sess->state != SMB_SESSION_VALID)
		return;
	note_ended(sess->conn, sess->id, sess->signing_key);
	smb_list_for_each_safe(pos, tmp, &sess->channels) {
		struct smb_channel *ch =
			smb_container_of(pos, struct smb_channel, sess_link);

		note_ended(ch->conn, sess->id, ch->signing_key);
	}
}

static void channel_free(struct smb_channel *ch)
{
	struct smb_server *srv = ch->conn->srv;

	smb_list_del(&ch->conn_link);
	smb_list_del(&ch->sess_link);
	smb_memzero_explicit(ch, sizeof(*ch));
	smb_free(srv, ch);
}

void smb_session_drop_channels(struct smb_session *sess)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, &sess->channels) {
		struct smb_channel *ch =
			smb_container_of(pos, struct smb_channel, sess_link);

		/* Its requests pending on that connection end too. */
		if (ch->conn != sess->conn)
			smb_async_cancel_scope(ch->conn, sess, NULL,
					       STATUS_CANCELLED);
		channel_free(ch);
	}
}

void smb_conn_drop_channels(struct smb_conn *conn)
{
	struct smb_server *srv = conn->srv;
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, &conn->channels) {
		channel_free(smb_container_of(pos, struct smb_channel,
					      conn_link));
	}
	smb_list_for_each_safe(pos, tmp, &conn->binds) {
		smb_session_destroy(
			smb_container_of(pos, struct smb_session, link));
	}
	/*
	 * A session with channels left lives on: the connection of its
	 * first remaining channel takes it over ([MS-SMB2] 3.3.7.1).
	 */
	smb_list_for_each_safe(pos, tmp, &conn->sessions) {
		struct smb_session *s =
			smb_container_of(pos, struct smb_session, link);
		struct smb_channel *ch;

		if (smb_list_empty(&s->channels))
			continue;
		ch = smb_container_of(s->channels.next, struct smb_channel,
				      sess_link);
		smb_list_del(&s->link);
		conn->nsessions--;
		/* Oplock breaks read s->conn under srv->lock. */
		smb_mutex_lock(srv->lock);
		s->conn = ch->conn;
		smb_mutex_unlock(srv->lock);
		smb_list_add_tail(&s->link, &ch->conn->sessions);
		ch->conn->nsessions++;
	}
}
