// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conn.c - one transport connection: splits a PDU into its compound chain,
 * validates every header, enforces credits, sessions, trees and signing,
 * dispatches to the command handlers and sends the joined responses.
 */
#include "async.h"
#include "bind.h"
#include "durable.h"
#include "crypt.h"
#include "internal.h"
#include "overlap.h"
#include "oplock.h"
#include "signing.h"

struct smb_conn *smb_conn_new(struct smb_server *srv,
			      const struct smb_transport_ops *tops,
			      struct smb_tconn *tconn)
{
	struct smb_conn *conn = smb_alloc(srv, sizeof(*conn));

	if (!conn)
		return NULL;
	conn->srv = srv;
	conn->t = tops;
	conn->tc = tconn;
	if (tops && tops->get_limits)
		tops->get_limits(tconn, &conn->limits);
	smb_credits_init(&conn->credits);
	smb_list_init(&conn->sessions);
	smb_list_init(&conn->channels);
	smb_list_init(&conn->binds);
	conn->signing_required = srv->cfg.signing == SMB_SIGNING_MANDATORY;
	smb_async_conn_init(conn);
	if (!conn->async_lock || !conn->send_lock || !conn->io_lock ||
	    !conn->proc_lock) {
		smb_async_conn_put(conn);
		return NULL;
	}
	return conn;
}

void smb_conn_free(struct smb_conn *conn)
{
	struct smb_server *srv;
	struct smb_list *pos, *tmp;
	bool chan;

	if (!conn)
		return;
	srv = conn->srv;
	/* A deferred CREATE being run again holds proc_lock. */
	chan = smb_conn_lock(conn);
	/* First stop sends from other threads and drop pending requests. */
	smb_async_conn_shutdown(conn);
	/* Only this channel goes; sessions with others live on. */
	smb_conn_drop_channels(conn);
	/* Durable opens outlive the connection ([MS-SMB2] 3.3.7.1). */
	smb_durable_conn_lost(conn);
	smb_list_for_each_safe(pos, tmp, &conn->sessions)
		smb_session_destroy(
			smb_container_of(pos, struct smb_session, link));
	smb_memzero_explicit(conn->ended_key, sizeof(conn->ended_key));
	smb_conn_unlock(conn, chan);
	smb_async_conn_put(conn);
	/* Closing its opens may have resolved others' oplock breaks. */
	smb_oplock_run_deferred(srv);
}

const u8 *smb_req_range(const struct smb_work *w, u32 offset, u32 length)
{
	u64 end = (u64)offset + length;

	if (length == 0)
		return w->req;
	if (offset < SMB2_HDR_SIZE || end > w->req_len)
		return NULL;
	return w->req + offset;
}

static u8 *resp_alloc(struct smb_work *w, size_t body_len, bool zero_all,
		      size_t zero_len)
{
	size_t cap = SMB2_HDR_SIZE + body_len + 8;

	if (w->resp)
		smb_free(w->conn->srv, w->resp);
	if (zero_all) {
		w->resp = smb_alloc(w->conn->srv, cap);
	} else {
		w->resp = smb_alloc_uninit(w->conn->srv, cap);
		if (w->resp)
			memset(w->resp, 0, SMB2_HDR_SIZE + zero_len);
	}
	if (!w->resp) {
		w->resp_cap = 0;
		w->resp_len = 0;
		return NULL;
	}
	w->resp_cap = cap;
	w->resp_len = SMB2_HDR_SIZE + body_len;
	return w->resp + SMB2_HDR_SIZE;
}

u8 *smb_resp_body(struct smb_work *w, size_t body_len)
{
	return resp_alloc(w, body_len, true, 0);
}

u8 *smb_resp_body_data(struct smb_work *w, size_t fixed_len, size_t data_len)
{
	/* Zeroing a multi-megabyte READ buffer only to overwrite it costs as
	 * much as the copy from the page cache. */
	return resp_alloc(w, fixed_len + data_len, false, fixed_len);
}

void smb_resp_set_body_len(struct smb_work *w, size_t body_len)
{
	if (SMB2_HDR_SIZE + body_len <= w->resp_cap - 8)
		w->resp_len = SMB2_HDR_SIZE + body_len;
}

int smb_resp_error(struct smb_work *w, u32 status)
{
	/* [MS-SMB2] 2.2.2: StructureSize 9 and one byte of ErrorData. */
	u8 *b = smb_resp_body(w, 9);

	w->status = status;
	if (!b)
		return -1;
	smb_put_le16(b, 9);
	return 0;
}

u16 smb_conn_signing_algo(const struct smb_conn *conn)
{
	if (conn->dialect < SMB2_DIALECT_0300)
		return SMB2_SIGNING_HMAC_SHA256;
	if (conn->dialect == SMB2_DIALECT_0311)
		return conn->signing_algo;
	return SMB2_SIGNING_AES_CMAC;
}

const u8 *smb_work_signing_key(const struct smb_work *w)
{
	return w->chan ? w->chan->signing_key : w->sess->signing_key;
}

bool smb_work_should_sign(const struct smb_work *w)
{
	const struct smb_session *s = w->sess;

	/* A LOGOFF response is still signed with the session's key. */
	if (!s || (s->state != SMB_SESSION_VALID &&
		   w->destroy_after_send != s) ||
	    s->keyless)
		return false;
	return w->sign_response || s->signing_required ||
	       (w->flags & SMB2_FLAGS_SIGNED);
}

/* Commands that act within a tree connect. */
static bool needs_tree(u16 cmd)
{
	switch (cmd) {
	case SMB2_TREE_DISCONNECT:
	case SMB2_CREATE:
	case SMB2_CLOSE:
	case SMB2_FLUSH:
	case SMB2_READ:
	case SMB2_WRITE:
	case SMB2_LOCK:
	case SMB2_IOCTL:
	case SMB2_QUERY_DIRECTORY:
	case SMB2_CHANGE_NOTIFY:
	case SMB2_QUERY_INFO:
	case SMB2_SET_INFO:
	case SMB2_OPLOCK_BREAK:
		return true;
	default:
		return false;
	}
}

static const smb_handler_fn handlers[SMB2_COMMAND_COUNT] = {
	[SMB2_NEGOTIATE] = smb2_negotiate,
	[SMB2_SESSION_SETUP] = smb2_session_setup,
	[SMB2_LOGOFF] = smb2_logoff,
	[SMB2_TREE_CONNECT] = smb2_tree_connect,
	[SMB2_TREE_DISCONNECT] = smb2_tree_disconnect,
	[SMB2_CREATE] = smb2_create,
	[SMB2_CLOSE] = smb2_close,
	[SMB2_FLUSH] = smb2_flush,
	[SMB2_READ] = smb2_read,
	[SMB2_WRITE] = smb2_write,
	[SMB2_LOCK] = smb2_lock,
	[SMB2_IOCTL] = smb2_ioctl,
	[SMB2_ECHO] = smb2_echo,
	[SMB2_QUERY_DIRECTORY] = smb2_query_directory,
	[SMB2_CHANGE_NOTIFY] = smb2_change_notify,
	[SMB2_QUERY_INFO] = smb2_query_info,
	[SMB2_SET_INFO] = smb2_set_info,
	[SMB2_OPLOCK_BREAK] = smb2_oplock_break,
};

/* Resolve the session and check the request's signature. Returns a status. */
static u32 check_session(struct smb_work *w)
{
	struct smb_conn *conn = w->conn;
	struct smb_session *sess;
	bool signed_req = w->flags & SMB2_FLAGS_SIGNED;

	if (w->command == SMB2_NEGOTIATE)
		return STATUS_SUCCESS;
	w->chan = smb_channel_lookup(conn, w->session_id);
	sess = w->chan ? w->chan->sess : smb_session_find(conn, w->session_id);
	if (w->command == SMB2_SESSION_SETUP) {
		/* The handler decides; a signed re-auth is verified below. */
		w->sess = sess;
		if (!sess || sess->state != SMB_SESSION_VALID)
			return STATUS_SUCCESS;
	} else if (w->command == SMB2_ECHO && !sess) {
		return STATUS_SUCCESS;
	} else {
		/* Another connection's session: signed with its key. */
		if (!sess)
			return smb_session_foreign(w);
		if (smb_session_retire_if_superseded(w, sess))
			return STATUS_USER_SESSION_DELETED;
		if (sess->state == SMB_SESSION_EXPIRED)
			return STATUS_NETWORK_SESSION_EXPIRED;
		if (sess->state != SMB_SESSION_VALID)
			return STATUS_USER_SESSION_DELETED;
		w->sess = sess;
	}
	/* A decrypted message is authenticated already ([MS-SMB2] 3.3.5.2.4). */
	if (sess->keyless || w->crypt_sess)
		return STATUS_SUCCESS;
	/* Every request on a channel but the first is signed (a binding
	 * made it a channel); SESSION_SETUP is refused once authenticated
	 * (session.c). */
	if (w->chan && !signed_req && w->command != SMB2_SESSION_SETUP) {
		smb_warn("unsigned command %u on a bound channel", w->command);
		return STATUS_ACCESS_DENIED;
	}
	if (signed_req) {
		if (!smb2_verify(conn->srv->ops.crypto,
				 smb_conn_signing_algo(conn),
				 w->chan ? w->chan->signing_key :
					   sess->signing_key,
				 (u8 *)w->req, w->req_len)) {
			smb_warn(
				"bad signature on command %u from session 0x%llx",
				w->command, (unsigned long long)sess->id);
			return STATUS_ACCESS_DENIED;
		}
	} else if (sess->signing_required && w->command != SMB2_SESSION_SETUP) {
		smb_warn(
			"unsigned command %u on a session that requires signing",
			w->command);
		return STATUS_ACCESS_DENIED;
	}
	return STATUS_SUCCESS;
}

static void fill_header(struct smb_work *w, u16 credits)
{
	u8 *h = w->resp;
	u32 flags = SMB2_FLAGS_SERVER_TO_REDIR;

	memset(h, 0, SMB2_HDR_SIZE);
	smb_put_le32(h + SMB2_HDR_PROTO, SMB2_PROTO_ID);
	smb_put_le16(h + SMB2_HDR_STRUCT_SIZE, SMB2_HDR_SIZE);
	smb_put_le16(h + SMB2_HDR_CREDIT_CHARGE, w->credit_charge);
	smb_put_le32(h + SMB2_HDR_STATUS, w->status);
	smb_put_le16(h + SMB2_HDR_COMMAND, w->command);
	smb_put_le16(h + SMB2_HDR_CREDIT, credits);
	if (w->flags & SMB2_FLAGS_RELATED_OPERATIONS)
		flags |= SMB2_FLAGS_RELATED_OPERATIONS;
	smb_put_le32(h + SMB2_HDR_FLAGS, flags);
	smb_put_le64(h + SMB2_HDR_MESSAGE_ID, w->message_id);
	smb_put_le32(h + SMB2_HDR_PROCESS_ID,
		     smb_get_le32(w->req + SMB2_HDR_PROCESS_ID));
	smb_put_le32(h + SMB2_HDR_TREE_ID, w->tree_id);
	smb_put_le64(h + SMB2_HDR_SESSION_ID,
		     w->sess ? w->sess->id : w->session_id);
}

/* The credit window, shared by the requests running at once. */
static bool credits_consume(struct smb_conn *conn, u64 mid, u16 charge)
{
	bool ok;

	smb_mutex_lock(conn->io_lock);
	ok = smb_credits_consume(&conn->credits, mid, charge);
	smb_mutex_unlock(conn->io_lock);
	return ok;
}

static u16 credits_grant(struct smb_conn *conn, u16 requested, u16 charge)
{
	u16 grant;

	smb_mutex_lock(conn->io_lock);
	grant = smb_credits_grant(&conn->credits, requested, charge,
				  conn->srv->cfg.max_credits);
	smb_mutex_unlock(conn->io_lock);
	return grant;
}

/* Check that the credit charge covers a payload ([MS-SMB2] 3.3.5.2.5). */
static bool charge_covers(const struct smb_work *w)
{
	const u8 *b = smb_req_body(w);
	size_t blen = smb_req_body_len(w);
	u64 payload = 0, needed;

	if (w->conn->dialect == SMB2_DIALECT_0202 ||
	    !(w->conn->server_caps & SMB2_GLOBAL_CAP_LARGE_MTU))
		return true;
	switch (w->command) {
	case SMB2_READ:
		if (blen >= 8)
			payload = smb_get_le32(b + 4);
		break;
	case SMB2_WRITE:
		/* Over RDMA the size is in RemainingBytes, Length is 0. */
		if (blen >= 40)
			payload = smb_get_le32(b + 4) ? smb_get_le32(b + 4) :
							smb_get_le32(b + 36);
		else if (blen >= 8)
			payload = smb_get_le32(b + 4);
		break;
	case SMB2_QUERY_DIRECTORY:
		if (blen >= 32)
			payload = smb_get_le32(b + 28);
		break;
	case SMB2_IOCTL:
		if (blen >= 56) {
			u64 in = smb_get_le32(b + 28);
			u64 out = smb_get_le32(b + 44);

			payload = in > out ? in : out;
		}
		break;
	default:
		return true;
	}
	needed = payload ? (payload - 1) / 65536 + 1 : 1;
	return (u64)(w->credit_charge ? w->credit_charge : 1) >= needed;
}

static int process_one(struct smb_work *w)
{
	struct smb_conn *conn = w->conn;
	u32 st;
	int rc;

	if (w->flags & SMB2_FLAGS_SERVER_TO_REDIR)
		return -1;
	if (!conn->negotiated && w->command != SMB2_NEGOTIATE)
		return -1;
	if (w->command == SMB2_CANCEL) {
		/* No credit, no response ([MS-SMB2] 3.3.5.16). */
		w->no_response = true;
		smb_async_cancel_request(w);
		return 0;
	}
	if (!credits_consume(conn, w->message_id,
			     conn->dialect == SMB2_DIALECT_0202 ?
				     1 :
				     w->credit_charge)) {
		smb_warn(
			"message id %llu (charge %u) outside the credit window",
			(unsigned long long)w->message_id, w->credit_charge);
		return -1;
	}
	if (w->command >= SMB2_COMMAND_COUNT || !handlers[w->command])
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (!charge_covers(w))
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	st = check_session(w);
	if (st)
		return smb_resp_error(w, st);
	st = smb_work_check_encryption(w);
	if (st) {
		w->refused_in_clear = true;
		return smb_resp_error(w, st);
	}
	if (needs_tree(w->command)) {
		w->tree = smb_tree_find(w->sess, w->tree_id);
		if (!w->tree)
			return smb_resp_error(w, STATUS_NETWORK_NAME_DELETED);
		st = smb_work_check_encryption(w);
		if (st) {
			w->refused_in_clear = true;
			return smb_resp_error(w, st);
		}
	}
	rc = handlers[w->command](w);
	if (rc < 0)
		return rc;
	if (w->async) /* the interim response; the handler answers later */
		return smb_resp_error(w, STATUS_PENDING);
	if (!w->resp && !w->no_response)
		return smb_resp_error(w, w->status ? w->status :
						     STATUS_INTERNAL_ERROR);
	return 0;
}

static void free_works(struct smb_conn *conn, struct smb_work *works, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		smb_free(conn->srv, works[i].resp);
		smb_memzero_explicit(works[i].bind_sign_key,
				     sizeof(works[i].bind_sign_key));
	}
}

/* The session a chain's responses are encrypted for: one transform
 * carries the whole compound ([MS-SMB2] 3.3.4.1.4). */
static struct smb_session *chain_encrypt_session(struct smb_work *works, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct smb_session *s = smb_work_encrypt_session(&works[i]);

		if (s)
			return s;
	}
	return NULL;
}

/*
 * A lone, unsigned and unencrypted READ response whose data is still in
 * the file: the transport sends the data from there.  0 when it did;
 * 1 when the caller must send the response itself (with the data read
 * in); <0 when the connection is gone.
 */
static int send_span(struct smb_conn *conn, struct smb_work *w,
		     const struct smb_enc_ctx *enc)
{
	struct smb_iov one = { w->resp, w->resp_len };
	int rc;

	if (!w->span_len || enc->cipher || w->bind_sign ||
	    smb_work_should_sign(w) || !conn->t->send_pdu_file)
		return 1;
	rc = conn->t->send_pdu_file(conn->tc, &one, 1, w->span_file,
				    w->span_off, w->span_len);
	if (rc < 0)
		return -1;
	return rc;
}

/*
 * Send the responses of a chain as one compound PDU.  An interim response
 * (the last request went async) goes alone after the others, unsigned
 * ([MS-SMB2] 3.3.4.2), as Windows and Samba send it.  Encrypted responses
 * are not signed.
 */
static int send_responses(struct smb_conn *conn, struct smb_work *works, int n,
			  const struct smb_enc_ctx *enc)
{
	struct smb_iov iov[SMB_MAX_COMPOUND];
	int niov = 0, i, last = -1, nresp = 0;

	if (n > 0 && works[n - 1].async && works[n - 1].resp) {
		struct smb_iov one = { works[n - 1].resp,
				       works[n - 1].resp_len };

		if (send_responses(conn, works, n - 1, enc) < 0)
			return -1;
		return smb_conn_send(conn, enc, &one, 1) < 0 ? -1 : 0;
	}
	for (i = 0; i < n; i++)
		if (!works[i].no_response && works[i].resp) {
			last = i;
			nresp++;
		}
	if (nresp == 1) {
		int rc = send_span(conn, &works[last], enc);

		if (rc <= 0)
			return rc;
	}
	for (i = 0; i < n; i++)
		if (works[i].span_len && smb_read_span_fill(&works[i]))
			return -1;
	for (i = 0; i < n; i++) {
		struct smb_work *w = &works[i];

		if (w->no_response || !w->resp)
			continue;
		/* In a compound every response is 8-aligned, the last too
		 * (as Windows sends it; smbtorture compound-padding).
		 */
		if (nresp > 1) {
			size_t padded = SMB_ALIGN8(w->resp_len);

			memset(w->resp + w->resp_len, 0, padded - w->resp_len);
			w->resp_len = padded;
			if (i != last)
				smb_put_le32(w->resp + SMB2_HDR_NEXT_COMMAND,
					     (u32)padded);
		}
		if (!enc->cipher && (w->bind_sign || smb_work_should_sign(w))) {
			struct smb_iov one = { w->resp, w->resp_len };
			u32 fl = smb_get_le32(w->resp + SMB2_HDR_FLAGS);

			smb_put_le32(w->resp + SMB2_HDR_FLAGS,
				     fl | SMB2_FLAGS_SIGNED);
			if (smb2_sign(conn->srv->ops.crypto,
				      w->bind_sign ? w->bind_sign_algo :
						     smb_conn_signing_algo(conn),
				      w->bind_sign ? w->bind_sign_key :
						     smb_work_signing_key(w),
				      &one, 1))
				return -1;
		}
		/* A binding's responses are hashed as sent, signed. */
		if (w->preauth_target && w->bind_sign)
			smb_preauth_update(conn, w->preauth_target, w->resp,
					   w->resp_len);
		iov[niov].base = w->resp;
		iov[niov].len = w->resp_len;
		niov++;
	}
	if (niov == 0)
		return 0;
	return smb_conn_send(conn, enc, iov, niov) < 0 ? -1 : 0;
}

static int conn_input_locked(struct smb_conn *conn, u8 *pdu, size_t len)
{
	if (len < 4)
		return -1;
	if (smb_get_le32(pdu) == SMB1_PROTO_ID)
		return conn->negotiated ? -1 : smb1_negotiate(conn, pdu, len);
	if (smb_get_le32(pdu) == SMB2_TRANSFORM_PROTO_ID)
		return smb_conn_input_encrypted(conn, pdu, len);
	if (smb_get_le32(pdu) != SMB2_PROTO_ID)
		return -1; /* compression is not negotiated */
	return smb_conn_process(conn, pdu, len, NULL);
}

int smb_conn_process(struct smb_conn *conn, u8 *pdu, size_t len,
		     struct smb_session *enc_sess)
{
	struct smb_enc_ctx enc;
	struct smb_work *works;
	size_t off = 0;
	int n = 0, rc = 0, i;
	u64 rel_sid = 0;
	u32 rel_tid = 0;
	u32 prev_status = STATUS_SUCCESS;
	bool have_prev = false;

	/* Heap, not stack: a chain's work items are ~10 KiB, too much for a
	 * kernel stack.
	 */
	works = smb_alloc(conn->srv, sizeof(*works) * SMB_MAX_COMPOUND);
	if (!works)
		return -1;
	for (;;) {
		struct smb_work *w;
		const u8 *h = pdu + off;
		size_t avail = len - off;
		u32 next;

		if (n == SMB_MAX_COMPOUND || avail < SMB2_HDR_SIZE ||
		    smb_get_le32(h) != SMB2_PROTO_ID ||
		    smb_get_le16(h + SMB2_HDR_STRUCT_SIZE) != SMB2_HDR_SIZE) {
			rc = -1;
			break;
		}
		next = smb_get_le32(h + SMB2_HDR_NEXT_COMMAND);
		if (next &&
		    (next < SMB2_HDR_SIZE || (next & 7) || next > avail)) {
			rc = -1;
			break;
		}
		w = &works[n++];
		w->conn = conn;
		w->req = h;
		w->req_len = next ? next : avail;
		w->command = smb_get_le16(h + SMB2_HDR_COMMAND);
		w->flags = smb_get_le32(h + SMB2_HDR_FLAGS);
		w->message_id = smb_get_le64(h + SMB2_HDR_MESSAGE_ID);
		w->credit_charge = smb_get_le16(h + SMB2_HDR_CREDIT_CHARGE);
		w->credit_request = smb_get_le16(h + SMB2_HDR_CREDIT);
		w->tree_id = smb_get_le32(h + SMB2_HDR_TREE_ID);
		w->session_id = smb_get_le64(h + SMB2_HDR_SESSION_ID);
		w->last_in_chain = next == 0;
		w->crypt_sess = enc_sess;
		w->encrypted = enc_sess != NULL;
		if (enc_sess && w->command == SMB2_NEGOTIATE) {
			rc = -1;
			break;
		}
		if (w->command == SMB2_NEGOTIATE && (n > 1 || next)) {
			rc = -1; /* NEGOTIATE cannot be compounded */
			break;
		}
		if (w->flags & SMB2_FLAGS_RELATED_OPERATIONS) {
			if (!have_prev) {
				/* The first request cannot be related. */
				if (!credits_consume(conn, w->message_id,
						     w->credit_charge)) {
					rc = -1;
					break;
				}
				smb_resp_error(w, STATUS_INVALID_PARAMETER);
				goto next_msg;
			}
			if (w->session_id == U64_MAX)
				w->session_id = rel_sid;
			if (w->tree_id == U32_MAX)
				w->tree_id = rel_tid;
			w->related_pid = works[n - 2].related_pid;
			w->related_vid = works[n - 2].related_vid;
			w->related_fid_valid = works[n - 2].related_fid_valid;
			w->related_status = prev_status;
		}
		/*
		 * An encrypted chain speaks for its transform's session only:
		 * its requests skip signature checks, so none may name
		 * another session, related or not.
		 */
		if (enc_sess && w->session_id != enc_sess->id) {
			rc = -1;
			break;
		}
		rc = process_one(w);
		if (rc < 0)
			break;
next_msg:
		if (w->disconnect) {
			rc = -1;
			break;
		}
		have_prev = true;
		prev_status = w->status;
		rel_sid = w->sess ? w->sess->id : w->session_id;
		rel_tid = w->tree_id;
		if (w->resp && NT_STATUS_IS_ERROR(w->status))
			smb_dbg("command %u (mid %llu) -> 0x%08x", w->command,
				(unsigned long long)w->message_id, w->status);
		if (w->resp) {
			fill_header(w, credits_grant(conn, w->credit_request,
						     w->credit_charge));
			if (w->async)
				smb_async_mark_interim(w);
			/* 3.1.1 hashes NEGOTIATE and SESSION_SETUP responses as sent. */
			if (w->preauth_target && !w->bind_sign)
				smb_preauth_update(conn, w->preauth_target,
						   w->resp, w->resp_len);
		}
		if (!next)
			break;
		off += next;
	}
	if (rc == 0) {
		smb_enc_ctx_init(&enc, conn, chain_encrypt_session(works, n));
		rc = send_responses(conn, works, n, &enc);
		smb_memzero_explicit(&enc, sizeof(enc));
	}
	/* Only now may a pending request complete: after its interim. */
	for (i = 0; i < n; i++)
		if (works[i].async)
			smb_async_publish(&works[i], rc == 0);
	/* A logged-off session lives until its (signed) response is out. */
	for (i = 0; i < n; i++)
		if (works[i].destroy_after_send)
			smb_session_destroy(works[i].destroy_after_send);
	free_works(conn, works, n);
	smb_free(conn->srv, works);
	return rc;
}

enum smb_pdu_kind smb_pdu_classify(const u8 *pdu, size_t len)
{
	if (!pdu || len < SMB2_HDR_SIZE || smb_get_le32(pdu) != SMB2_PROTO_ID ||
	    smb_get_le16(pdu + SMB2_HDR_STRUCT_SIZE) != SMB2_HDR_SIZE ||
	    smb_get_le32(pdu + SMB2_HDR_NEXT_COMMAND) != 0)
		return SMB_PDU_ALONE; /* not SMB2, or a compound: one unit */
	switch (smb_get_le16(pdu + SMB2_HDR_COMMAND)) {
	case SMB2_READ: /* the open and its tree cannot go: CLOSE waits */
	case SMB2_WRITE:
	case SMB2_FLUSH:
		return SMB_PDU_OVERLAP;
	case SMB2_ECHO:
	case SMB2_CANCEL: /* the async list has its own lock */
		return SMB_PDU_QUICK;
	default:
		return SMB_PDU_ALONE;
	}
}

enum smb_pdu_kind smb_conn_pdu_kind(struct smb_conn *conn, const u8 *pdu,
				    size_t len)
{
	/* Set once at NEGOTIATE, which may still run on another thread. */
	if (__atomic_load_n(&conn->mc, __ATOMIC_ACQUIRE))
		return SMB_PDU_ALONE;
	return smb_pdu_classify(pdu, len);
}

int smb_conn_input(struct smb_conn *conn, u8 *pdu, size_t len)
{
	struct smb_server *srv = conn->srv;
	int rc;

	/*
	 * READ/WRITE/FLUSH/ECHO/CANCEL may run beside each other (overlap.h)
	 * and beside a resumed CREATE, which only adds to the open table
	 * under srv->lock, or rename, which changes an open's path (under
	 * srv->lock; they never read it); everything else runs alone, also
	 * against resumes.
	 */
	if (!__atomic_load_n(&conn->mc, __ATOMIC_ACQUIRE) &&
	    smb_pdu_classify(pdu, len) != SMB_PDU_ALONE) {
		rc = conn_input_locked(conn, pdu, len);
	} else {
		/* A multichannel connection's PDUs all run alone (bind.h). */
		bool chan = smb_conn_lock(conn);

		rc = conn_input_locked(conn, pdu, len);
		smb_conn_unlock(conn, chan);
	}
	/* CREATEs whose oplock breaks this PDU resolved (oplock.h). */
	smb_oplock_run_deferred(srv);
	return rc;
}
