/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bind.h - the server-wide session table and multichannel session binding
 * requests ([MS-SMB2] 3.3.5.5, 3.3.5.5.2).
 */
#ifndef SMB_BIND_H
#define SMB_BIND_H

#include "internal.h"

/* Enter a new session (id assigned) in the server-wide table; takes
 * srv->lock.  smb_session_forget removes it, also under srv->lock. */
void smb_session_register(struct smb_session *sess);
void smb_session_forget(struct smb_session *sess);

/*
 * SESSION_SETUP with SMB2_SESSION_FLAG_BINDING: the checks of [MS-SMB2]
 * 3.3.5.5 step 4 (and the statuses Windows and Samba give for signing
 * algorithm mismatches), in their order.  Returns STATUS_SUCCESS when the
 * request may go on authenticating a new channel (both connections are
 * multichannel ones, and this one is not bound to the session yet), else
 * the status to answer with.  Either way w's response is then signed with
 * the session's key and algorithm, as the client checks it.
 */
u32 smb_session_bind_check(struct smb_work *w);

/*
 * Multichannel sessions.  A connection with conn->mc set processes each
 * PDU (and each resumed CREATE, and its own teardown) inside
 * smb_conn_lock(): its proc_lock, then srv->chan_lock.  A session that
 * has channels is reachable only from such connections, so whoever holds
 * srv->chan_lock may change or free it.
 */
bool smb_conn_lock(struct smb_conn *conn);
/* chan: what smb_conn_lock returned (conn->mc may have changed since). */
void smb_conn_unlock(struct smb_conn *conn, bool chan);

/* The binding being authenticated on conn for session id, or NULL. */
struct smb_session *smb_channel_find(struct smb_conn *conn, u64 id);
/* conn's channel of session id (of another connection), or NULL. */
struct smb_channel *smb_channel_lookup(struct smb_conn *conn, u64 id);

/*
 * The binding authenticated as auth (auth->signing_key is the channel's
 * key): add w->conn as a channel of the session auth->bind_target_id,
 * set w->chan and *bound.  Returns a status; ACCESS_DENIED for another
 * user.
 */
u32 smb_channel_add(struct smb_work *w, struct smb_session *auth,
		    struct smb_session **bound);

/*
 * A failed re-authentication is ending sess: remember it, with its key on
 * each of its connections, so that their requests naming it get a signed
 * USER_SESSION_DELETED (a client that requires signing accepts no other).
 */
void smb_session_note_ended(struct smb_session *sess);

/* The session is going: free its channels (smb_session_destroy). */
void smb_session_drop_channels(struct smb_session *sess);

/*
 * The connection is going (smb_conn_free, before its sessions are
 * destroyed): free its channels and bindings, and hand each of its
 * sessions that has channels left to the first channel's connection.
 */
void smb_conn_drop_channels(struct smb_conn *conn);

/*
 * A request (a non-binding SESSION_SETUP, or any other) naming a session
 * this connection is not bound to: STATUS_USER_SESSION_DELETED ([MS-SMB2]
 * 3.3.5.5 step 6, 3.3.5.2.9), signed with that session's key when the
 * request was signed and the session lives on another connection, as
 * Windows and Samba answer.
 */
u32 smb_session_foreign(struct smb_work *w);

#endif /* SMB_BIND_H */
