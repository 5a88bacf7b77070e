// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * async.c - interim and final responses of requests that complete later,
 * SMB2 CANCEL, and the clean-up of pending requests when their session,
 * tree or connection goes away.  See async.h for the ownership rules.
 */
#include "async.h"
#include "signing.h"

#define ERROR_BODY_SIZE 9 /* [MS-SMB2] 2.2.2 */

void smb_async_conn_init(struct smb_conn *conn)
{
	smb_ref_init(&conn->refs, 1);
	smb_list_init(&conn->async_list);
	conn->next_async_id = 1;
	conn->async_lock = smb_mutex_new();
	conn->send_lock = smb_mutex_new();
	conn->io_lock = smb_mutex_new();
	conn->proc_lock = smb_mutex_new();
}

void smb_async_conn_put(struct smb_conn *conn)
{
	if (!smb_ref_put(&conn->refs))
		return;
	if (conn->async_lock)
		smb_mutex_free(conn->async_lock);
	if (conn->send_lock)
		smb_mutex_free(conn->send_lock);
	if (conn->io_lock)
		smb_mutex_free(conn->io_lock);
	if (conn->proc_lock)
		smb_mutex_free(conn->proc_lock);
	smb_free(conn->srv, conn);
}

u32 smb_async_go(struct smb_work *w, const struct smb_async_ops *ops,
		 void *priv)
{
	struct smb_conn *conn = w->conn;
	struct smb_async *a;

	if (!w->last_in_chain)
		return STATUS_INTERNAL_ERROR;
	/* Atomic: other threads complete (and count down) this conn's. */
	if (w->async || __atomic_load_n(&conn->nasync, __ATOMIC_RELAXED) >=
				SMB_MAX_ASYNC_PER_CONN)
		return STATUS_INSUFFICIENT_RESOURCES;
	a = smb_alloc(conn->srv, sizeof(*a));
	if (!a)
		return STATUS_INSUFFICIENT_RESOURCES;
	smb_list_init(&a->link);
	a->conn = conn;
	a->ops = ops;
	a->priv = priv;
	a->state = SMB_ASYNC_NEW;
	a->message_id = w->message_id;
	a->sess = w->sess;
	a->tree = w->tree;
	memcpy(a->hdr, w->req, SMB2_HDR_SIZE);
	a->session_id = w->sess ? w->sess->id : w->session_id;
	a->sign = smb_work_should_sign(w);
	if (a->sign) {
		a->sign_algo = smb_conn_signing_algo(conn);
		memcpy(a->sign_key, smb_work_signing_key(w), 16);
	}
	smb_enc_ctx_init(&a->enc, conn, smb_work_encrypt_session(w));
	smb_mutex_lock(conn->async_lock);
	/* Ids are never reused on a connection; 0 is not a valid id. */
	a->async_id = conn->next_async_id++;
	__atomic_add_fetch(&conn->nasync, 1, __ATOMIC_RELAXED);
	smb_mutex_unlock(conn->async_lock);
	smb_ref_get(&conn->refs);
	w->async = a;
	return STATUS_SUCCESS;
}

void smb_async_mark_interim(struct smb_work *w)
{
	u8 *h = w->resp;

	smb_put_le32(h + SMB2_HDR_FLAGS, smb_get_le32(h + SMB2_HDR_FLAGS) |
						 SMB2_FLAGS_ASYNC_COMMAND);
	smb_put_le64(h + SMB2_HDR_ASYNC_ID, w->async->async_id);
}

static void async_free(struct smb_async *a)
{
	struct smb_conn *conn = a->conn;

	if (a->ops->release)
		a->ops->release(a);
	smb_mutex_lock(conn->async_lock);
	__atomic_sub_fetch(&conn->nasync, 1, __ATOMIC_RELAXED);
	smb_mutex_unlock(conn->async_lock);
	smb_memzero_explicit(a->sign_key, sizeof(a->sign_key));
	smb_memzero_explicit(&a->enc, sizeof(a->enc));
	smb_free(conn->srv, a);
	smb_async_conn_put(conn);
}

void smb_async_drop(struct smb_async *a)
{
	async_free(a);
}

void smb_async_publish(struct smb_work *w, bool sent)
{
	struct smb_async *a = w->async;
	struct smb_conn *conn = w->conn;

	w->async = NULL;
	if (!sent) {
		async_free(a);
		return;
	}
	smb_mutex_lock(conn->async_lock);
	a->state = SMB_ASYNC_PENDING;
	smb_list_add_tail(&a->link, &conn->async_list);
	smb_mutex_unlock(conn->async_lock);
	a->ops->start(a);
}

bool smb_async_claim(struct smb_async *a)
{
	struct smb_conn *conn = a->conn;
	bool won = false;

	smb_mutex_lock(conn->async_lock);
	if (a->state == SMB_ASYNC_PENDING) {
		a->state = SMB_ASYNC_CLAIMED;
		smb_list_del(&a->link);
		won = true;
	}
	smb_mutex_unlock(conn->async_lock);
	return won;
}

void smb_async_unclaim(struct smb_async *a)
{
	struct smb_conn *conn = a->conn;

	smb_mutex_lock(conn->async_lock);
	a->state = SMB_ASYNC_PENDING;
	smb_list_add_tail(&a->link, &conn->async_list);
	smb_mutex_unlock(conn->async_lock);
}

/* Header of the final response ([MS-SMB2] 3.3.4.3, 3.3.4.4). */
static void final_header(const struct smb_async *a, u8 *h, u32 status)
{
	u32 flags = smb_get_le32(a->hdr + SMB2_HDR_FLAGS);

	memcpy(h, a->hdr, SMB2_HDR_SIZE);
	smb_put_le32(h + SMB2_HDR_STATUS, status);
	smb_put_le16(h + SMB2_HDR_CREDIT, 0); /* granted with the interim */
	flags &= ~(SMB2_FLAGS_RELATED_OPERATIONS | SMB2_FLAGS_SIGNED);
	smb_put_le32(h + SMB2_HDR_FLAGS, flags | SMB2_FLAGS_SERVER_TO_REDIR |
						 SMB2_FLAGS_ASYNC_COMMAND);
	smb_put_le32(h + SMB2_HDR_NEXT_COMMAND, 0);
	smb_put_le64(h + SMB2_HDR_ASYNC_ID, a->async_id);
	smb_put_le64(h + SMB2_HDR_SESSION_ID, a->session_id);
	memset(h + SMB2_HDR_SIGNATURE, 0, 16);
}

void smb_async_complete(struct smb_async *a, u32 status, const u8 *body,
			size_t body_len)
{
	struct smb_conn *conn = a->conn;
	struct smb_server *srv = conn->srv;
	u8 *pdu;

	if (!body) {
		body_len = ERROR_BODY_SIZE;
		status = status ? status : STATUS_INTERNAL_ERROR;
	}
	pdu = smb_alloc(srv, SMB2_HDR_SIZE + body_len);
	if (!pdu) {
		/* The client waits on; it can still cancel or reconnect. */
		smb_warn("no memory for the final response of async id %llu",
			 (unsigned long long)a->async_id);
		async_free(a);
		return;
	}
	final_header(a, pdu, status);
	if (body)
		memcpy(pdu + SMB2_HDR_SIZE, body, body_len);
	else
		smb_put_le16(pdu + SMB2_HDR_SIZE, ERROR_BODY_SIZE);
	smb_mutex_lock(conn->send_lock);
	if (!conn->dead) {
		struct smb_iov iov = { pdu, SMB2_HDR_SIZE + body_len };
		bool ok = true;

		if (a->sign && !a->enc.cipher) {
			smb_put_le32(pdu + SMB2_HDR_FLAGS,
				     smb_get_le32(pdu + SMB2_HDR_FLAGS) |
					     SMB2_FLAGS_SIGNED);
			ok = !smb2_sign(srv->ops.crypto, a->sign_algo,
					a->sign_key, &iov, 1);
		}
		/* A failed send means the connection is going; its thread
		 * notices on its own.
		 */
		if (ok)
			smb_conn_send(conn, &a->enc, &iov, 1);
	}
	smb_mutex_unlock(conn->send_lock);
	smb_free(srv, pdu);
	async_free(a);
}

/* Claim, detach and answer one request. */
static void cancel_one(struct smb_async *a, u32 status)
{
	a->ops->cancel(a);
	smb_async_complete(a, status, NULL, 0);
}

void smb_async_cancel_request(struct smb_work *w)
{
	struct smb_conn *conn = w->conn;
	bool by_async_id = w->flags & SMB2_FLAGS_ASYNC_COMMAND;
	u64 async_id = smb_get_le64(w->req + SMB2_HDR_ASYNC_ID);
	struct smb_async *found = NULL;
	struct smb_list *pos, *tmp;

	/* [MS-SMB2] 3.3.5.16: async form by AsyncId, sync form by MessageId. */
	smb_mutex_lock(conn->async_lock);
	smb_list_for_each_safe(pos, tmp, &conn->async_list)
	{
		struct smb_async *a =
			smb_container_of(pos, struct smb_async, link);

		if (by_async_id ? a->async_id == async_id :
				  a->message_id == w->message_id) {
			a->state = SMB_ASYNC_CLAIMED;
			smb_list_del(&a->link);
			found = a;
			break;
		}
	}
	smb_mutex_unlock(conn->async_lock);
	if (found)
		cancel_one(found, STATUS_CANCELLED);
}

void smb_async_cancel_scope(struct smb_conn *conn, struct smb_session *sess,
			    struct smb_tree *tree, u32 status)
{
	struct smb_list taken, *pos, *tmp;

	smb_list_init(&taken);
	smb_mutex_lock(conn->async_lock);
	smb_list_for_each_safe(pos, tmp, &conn->async_list)
	{
		struct smb_async *a =
			smb_container_of(pos, struct smb_async, link);

		if ((sess && a->sess != sess) || (tree && a->tree != tree))
			continue;
		a->state = SMB_ASYNC_CLAIMED;
		smb_list_del(&a->link);
		smb_list_add_tail(&a->link, &taken);
	}
	smb_mutex_unlock(conn->async_lock);
	smb_list_for_each_safe(pos, tmp, &taken)
	{
		struct smb_async *a =
			smb_container_of(pos, struct smb_async, link);

		smb_list_del(&a->link);
		cancel_one(a, status);
	}
}

void smb_async_conn_shutdown(struct smb_conn *conn)
{
	smb_mutex_lock(conn->send_lock);
	conn->dead = true;
	smb_mutex_unlock(conn->send_lock);
	/* Nothing is sent any more: this only detaches and frees. */
	smb_async_cancel_scope(conn, NULL, NULL, STATUS_CANCELLED);
}
