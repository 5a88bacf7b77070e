// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bind.c - the server-wide session table (GlobalSessionTable, [MS-SMB2]
 * 3.3.1.1) and the checks on a request to bind a session to another
 * connection (3.3.5.5 step 4).
 */
#include "bind.h"
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
	bool same_conn;
	bool keyless; /* guest or anonymous */
	u16 dialect;
	u16 cipher;
	u16 sign_algo;
	u8 signing_key[16];
};

static void find_target(struct smb_conn *conn, u64 id, struct bind_target *t)
{
	struct smb_server *srv = conn->srv;
	struct smb_list *pos, *tmp;

	memset(t, 0, sizeof(*t));
	if (id == 0)
		return;
	smb_mutex_lock(srv->lock);
	smb_list_for_each_safe(pos, tmp, &srv->sessions)
	{
		struct smb_session *s =
			smb_container_of(pos, struct smb_session, global_link);

		if (s->id != id || s->state != SMB_SESSION_VALID)
			continue;
		t->found = true;
		t->same_conn = s->conn == conn;
		t->keyless = s->is_guest || s->is_anonymous;
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
		memcpy(w->bind_sign_key, t->signing_key, 16);
	}
}

u32 smb_session_foreign(struct smb_work *w)
{
	struct bind_target t;

	find_target(w->conn, w->session_id, &t);
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
	else if (!smb2_verify(conn->srv->ops.crypto, algo, t.signing_key,
			      (u8 *)w->req, w->req_len))
		st = STATUS_ACCESS_DENIED;
	/* Otherwise the request is good, but binding is not implemented. */
	if (st != STATUS_ACCESS_DENIED)
		sign_with_target(w, &t);
	smb_memzero_explicit(&t, sizeof(t));
	return st;
}
