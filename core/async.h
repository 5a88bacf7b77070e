/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * async.h - requests that complete later ([MS-SMB2] 3.3.4.2, 3.3.4.3,
 * 3.3.5.16).
 *
 * A handler that cannot finish now calls smb_async_go(): the connection
 * answers with an interim response (STATUS_PENDING, SMB2_FLAGS_ASYNC_COMMAND,
 * a fresh AsyncId, credits granted as usual), then calls ops->start.  Later
 * any thread completes the request with smb_async_complete(): the final
 * response carries the same AsyncId and grants no credits.
 *
 * Ownership.  A pending request is completed exactly once: whoever wants
 * to complete it (the event it waits for, a CANCEL, a close, logoff, tree
 * disconnect, the connection going away) first wins smb_async_claim(),
 * which unlists it; only the winner may complete or drop it.
 *
 * Locking.  conn->async_lock guards the connection's list and the entries'
 * states; it is innermost (srv->lock may be held when claiming, never the
 * other way round).  Responses sent from another connection's thread are
 * sent under conn->send_lock, which smb_conn_free() takes to mark the
 * connection dead: after that nothing more is sent on its transport.  An
 * entry holds a reference on its connection, so the connection object
 * itself stays valid until the entry is gone.
 */
#ifndef SMB_ASYNC_H
#define SMB_ASYNC_H

#include "crypt.h"
#include "internal.h"

#define SMB_MAX_ASYNC_PER_CONN 1024 /* bounds what one client can pin */

struct smb_async_ops {
	/*
	 * The interim response is out: start waiting (or complete at once).
	 * Runs on the connection's thread.
	 */
	void (*start)(struct smb_async *a);
	/*
	 * Stop waiting: the caller has claimed a and will complete it.  Must
	 * not be called with conn->async_lock held; may take srv->lock.
	 */
	void (*cancel)(struct smb_async *a);
	/* Free priv; a is completed or dropped.  May be NULL. */
	void (*release)(struct smb_async *a);
};

enum smb_async_state {
	SMB_ASYNC_NEW, /* interim response not yet sent */
	SMB_ASYNC_PENDING, /* listed, waiting */
	SMB_ASYNC_CLAIMED, /* unlisted; its claimer completes it */
};

struct smb_async {
	struct smb_list link; /* in conn->async_list while pending */
	struct smb_conn *conn; /* holds a reference */
	const struct smb_async_ops *ops;
	void *priv;
	enum smb_async_state state;
	u64 async_id;
	u64 message_id;
	/* Identity only, compared on the connection's own thread. */
	struct smb_session *sess;
	struct smb_tree *tree;
	/* What the final response needs, copied so no thread touches the
	 * session: the request header, and the signing decision and key.
	 */
	u8 hdr[SMB2_HDR_SIZE];
	u64 session_id;
	bool sign;
	u16 sign_algo;
	u8 sign_key[16];
	struct smb_enc_ctx enc; /* cipher 0: in clear */
};

/*
 * Make w asynchronous: returns STATUS_SUCCESS (w->async is set; the handler
 * then returns 0 without a response), or the status to fail w with:
 * STATUS_INTERNAL_ERROR when w is not the last request of its compound
 * (as Windows does, [MS-SMB2] <159>), STATUS_INSUFFICIENT_RESOURCES when
 * the connection has too many pending requests or memory is short.
 */
u32 smb_async_go(struct smb_work *w, const struct smb_async_ops *ops,
		 void *priv);

/* Win the right to complete a; false if someone else already has it. */
bool smb_async_claim(struct smb_async *a);

/*
 * Send the final response of a claimed request and free it.  body is the
 * command's response body (header excluded); NULL with an error status
 * sends the standard error body.  Safe from any thread.
 */
void smb_async_complete(struct smb_async *a, u32 status, const u8 *body,
			size_t body_len);

/*
 * Give a claimed request back: pending again, cancellable as before
 * (a CREATE that must wait once more for an oplock break, oplock.c).
 */
void smb_async_unclaim(struct smb_async *a);

/* Free a claimed (or never published) request without answering it. */
void smb_async_drop(struct smb_async *a);

/* ---- for conn.c, session.c, tree.c ------------------------------------ */
void smb_async_conn_init(struct smb_conn *conn);
/* The interim response of w is built: mark it async in the header. */
void smb_async_mark_interim(struct smb_work *w);
/* The interim response is sent (or the PDU failed: sent == false). */
void smb_async_publish(struct smb_work *w, bool sent);
/* SMB2 CANCEL: complete the matching pending request with STATUS_CANCELLED. */
void smb_async_cancel_request(struct smb_work *w);
/*
 * Complete every pending request of sess (tree NULL: all its trees, else
 * that tree only) with status; sess NULL: every request of conn.
 */
void smb_async_cancel_scope(struct smb_conn *conn, struct smb_session *sess,
			    struct smb_tree *tree, u32 status);
/* smb_conn_free(): no more sends; drop what is pending. */
void smb_async_conn_shutdown(struct smb_conn *conn);
/* Drop the connection's reference; frees the object when it is the last. */
void smb_async_conn_put(struct smb_conn *conn);

#endif /* SMB_ASYNC_H */
