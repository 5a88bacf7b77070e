// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session.c - SESSION_SETUP and LOGOFF ([MS-SMB2] 3.3.5.5, 3.3.5.6):
 * SPNEGO-wrapped NTLMSSP (NTLMv2 only), guest mapping, session keys,
 * signing keys and the 3.1.1 session pre-authentication hash.
 */
#include "async.h"
#include "durable.h"
#include "bind.h"
#include "crypt.h"
#include "internal.h"
#include "ntlmssp.h"
#include "ntlmssp_sign.h"
#include "signing.h"
#include "spnego.h"

#define SESS_REQ_FIXED 24
#define SESS_RESP_FIXED 8
#define AUTH_BUF_MAX 4096

struct smb_session *smb_session_find(struct smb_conn *conn, u64 id)
{
	struct smb_channel *ch = smb_channel_lookup(conn, id);
	struct smb_list *pos, *tmp;

	if (ch)
		return ch->sess;
	if (id == 0)
		return NULL;
	smb_list_for_each_safe(pos, tmp, &conn->sessions) {
		struct smb_session *s =
			smb_container_of(pos, struct smb_session, link);

		if (s->id == id)
			return s;
	}
	return NULL;
}

void smb_session_destroy(struct smb_session *sess)
{
	struct smb_server *srv = sess->conn->srv;
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, &sess->trees)
		smb_tree_destroy(smb_container_of(pos, struct smb_tree, link));
	smb_async_cancel_scope(sess->conn, sess, NULL, STATUS_CANCELLED);
	smb_session_drop_channels(sess);
	smb_list_del(&sess->link);
	smb_session_forget(sess);
	sess->conn->nsessions--;
	if (sess->ntlm) {
		ntlmssp_server_clear(sess->ntlm);
		smb_free(srv, sess->ntlm);
	}
	smb_memzero_explicit(sess, sizeof(*sess));
	smb_free(srv, sess);
}

/*
 * A new session, or (bind_id != 0) the authentication of a binding to
 * session bind_id: that one is listed in conn->binds only, under the id
 * it binds to, so no other request finds it.
 */
static struct smb_session *session_new(struct smb_conn *conn, u64 bind_id)
{
	struct smb_server *srv = conn->srv;
	struct smb_session *s = smb_alloc(srv, sizeof(*s));
	int b;

	if (!s)
		return NULL;
	conn->nsessions++;
	s->conn = conn;
	s->state = SMB_SESSION_IN_PROGRESS;
	smb_list_init(&s->trees);
	smb_list_init(&s->channels);
	smb_list_init(&s->global_link);
	for (b = 0; b < SMB_OPEN_BUCKETS; b++)
		smb_list_init(&s->opens[b]);
	s->next_volatile_id = 1;
	memcpy(s->preauth_hash, conn->preauth_hash, sizeof(s->preauth_hash));
	if (bind_id) {
		s->id = bind_id;
		s->bind_target_id = bind_id;
		smb_list_add_tail(&s->link, &conn->binds);
		return s;
	}
	smb_mutex_lock(srv->lock);
	s->id = srv->next_session_id++;
	smb_mutex_unlock(srv->lock);
	smb_list_add_tail(&s->link, &conn->sessions);
	smb_session_register(s);
	return s;
}

struct lookup_ctx {
	struct smb_server *srv;
	struct smb_user user;
	bool found;
};

static int lookup_nt_hash(void *ctx, const char *name, u8 nt_hash[16])
{
	struct lookup_ctx *lc = ctx;
	struct smb_server *srv = lc->srv;

	if (!srv->ops.users.lookup ||
	    srv->ops.users.lookup(srv->ops.users.ctx, name, &lc->user))
		return -1;
	lc->found = true;
	memcpy(nt_hash, lc->user.nt_hash, 16);
	return 0;
}

static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Build the response with an (optional) security token. */
static int reply(struct smb_work *w, u32 status, u16 flags, const u8 *tok,
		 size_t tok_len)
{
	u8 *r = smb_resp_body(w, SESS_RESP_FIXED + tok_len);

	if (!r)
		return -1;
	w->status = status;
	smb_put_le16(r, 9);
	smb_put_le16(r + 2, flags);
	smb_put_le16(r + 4, tok_len ? SMB2_HDR_SIZE + SESS_RESP_FIXED : 0);
	smb_put_le16(r + 6, (u16)tok_len);
	if (tok_len)
		memcpy(r + SESS_RESP_FIXED, tok, tok_len);
	return 0;
}

static int fail(struct smb_work *w, struct smb_session *sess, u32 status)
{
	/*
	 * A failed authentication ends the session it was establishing, or
	 * re-authenticating: its opens close and their pending requests
	 * end (what smbtorture's smb2.notify.invalid-reauth expects).
	 */
	if (sess) {
		w->session_id = sess->id;
		w->sess = NULL;
		w->chan = NULL; /* freed with the session */
		smb_session_note_ended(sess);
		smb_session_destroy(sess);
	}
	return smb_resp_error(w, status);
}

static u32 become_guest(struct smb_server *srv, struct smb_session *sess)
{
	struct smb_user g;

	if (srv->cfg.map_to_guest == SMB_MAP_TO_GUEST_NEVER)
		return STATUS_LOGON_FAILURE;
	if (srv->cfg.signing == SMB_SIGNING_MANDATORY) {
		/* A guest cannot sign, and signing is required. */
		return STATUS_LOGON_FAILURE;
	}
	memset(&g, 0, sizeof(g));
	if (srv->ops.users.lookup && srv->cfg.guest_account[0] &&
	    srv->ops.users.lookup(srv->ops.users.ctx, srv->cfg.guest_account,
				  &g) == 0)
		sess->user = g;
	else
		copy_name(sess->user.name, sizeof(sess->user.name),
			  srv->cfg.guest_account[0] ? srv->cfg.guest_account :
						      "nobody");
	sess->user.is_guest = true;
	sess->is_guest = true;
	sess->is_anonymous = false;
	return STATUS_SUCCESS;
}

/*
 * A binding authenticated as auth: the connection becomes a channel of the
 * session ([MS-SMB2] 3.3.5.5.3), whose final response it signs with the
 * channel's key.  auth goes either way.
 */
static int finish_bind(struct smb_work *w, struct smb_session *auth,
		       const u8 *tok, size_t tok_len)
{
	struct smb_session *target = NULL;
	u32 st = STATUS_ACCESS_DENIED;
	u16 flags;

	if (!auth->keyless)
		st = smb_channel_add(w, auth, &target);
	if (st)
		return fail(w, auth, st);
	flags = target->encrypt_data ? SMB2_SESSION_FLAG_ENCRYPT_DATA : 0;
	smb_session_destroy(auth);
	w->sess = target;
	w->bind_sign = false;
	w->sign_response = true;
	smb_info("session 0x%llx: bound a new channel",
		 (unsigned long long)target->id);
	return reply(w, STATUS_SUCCESS, flags, tok, tok_len);
}

static int finish_auth(struct smb_work *w, struct smb_session *sess,
		       const struct ntlmssp_result *res, bool reauth,
		       const struct spnego_token *tok)
{
	struct smb_conn *conn = w->conn;
	struct smb_server *srv = conn->srv;
	u8 out[96], mic[NTLMSSP_SIGNATURE_SIZE];
	int tlen = 0;
	u16 flags = 0;

	if (!reauth)
		sess->keyless = sess->is_guest || sess->is_anonymous;
	if (srv->encrypt_mode == SMB_ENCRYPT_REQUIRED && sess->keyless) {
		/* Without a session key nothing can be encrypted. */
		return fail(w, sess, STATUS_ACCESS_DENIED);
	}
	if (!reauth && !sess->keyless) {
		struct smb_keys keys;

		memcpy(sess->session_key, res->session_key, 16);
		if (smb_derive_keys(srv->ops.crypto, conn->dialect,
				    conn->cipher, sess->session_key,
				    sess->preauth_hash, &keys)) {
			return fail(w, sess, STATUS_INTERNAL_ERROR);
		}
		memcpy(sess->signing_key, keys.signing, 16);
		if (conn->cipher) {
			sess->cipher_key_len = (u8)keys.cipher_key_len;
			memcpy(sess->encryption_key, keys.encryption,
			       keys.cipher_key_len);
			memcpy(sess->decryption_key, keys.decryption,
			       keys.cipher_key_len);
			sess->encrypt_data = srv->encrypt_mode ==
					     SMB_ENCRYPT_REQUIRED;
		}
		smb_memzero_explicit(&keys, sizeof(keys));
		sess->signing_required = conn->signing_required ||
					 (conn->client_security_mode &
					  SMB2_NEGOTIATE_SIGNING_REQUIRED);
	}
	/* A re-authentication keeps the session's kind, and its keys. */
	if (sess->keyless && sess->is_guest)
		flags |= SMB2_SESSION_FLAG_IS_GUEST;
	if (sess->keyless && sess->is_anonymous)
		flags |= SMB2_SESSION_FLAG_IS_NULL;
	if (sess->encrypt_data)
		flags |= SMB2_SESSION_FLAG_ENCRYPT_DATA;
	if (!sess->spnego_raw && tok->mech_list_mic && res->has_session_key &&
	    !sess->is_guest && sess->mech_types_len) {
		/*
		 * The client protected the mechanism list: check its MIC and
		 * answer with ours ([MS-SPNG] 3.3.5.1), both sequence 0.
		 */
		if (!ntlmssp_verify(srv->ops.crypto, res->session_key,
				    res->negotiate_flags, 0, sess->mech_types,
				    sess->mech_types_len, tok->mech_list_mic,
				    tok->mech_list_mic_len)) {
			smb_warn("SPNEGO mechListMIC from the client is wrong");
			return fail(w, sess, STATUS_ACCESS_DENIED);
		}
		if (ntlmssp_sign(srv->ops.crypto, res->session_key,
				 res->negotiate_flags, true, 0,
				 sess->mech_types, sess->mech_types_len, mic))
			return fail(w, sess, STATUS_INTERNAL_ERROR);
		tlen = spnego_build_resp_mic(SPNEGO_ACCEPT_COMPLETED, false,
					     NULL, 0, mic, sizeof(mic), out,
					     sizeof(out));
	} else if (!sess->spnego_raw) {
		tlen = spnego_build_resp(SPNEGO_ACCEPT_COMPLETED, false, NULL,
					 0, out, sizeof(out));
	}
	if (tlen < 0)
		return fail(w, sess, STATUS_INTERNAL_ERROR);
	if (sess->bind_target_id)
		return finish_bind(w, sess, out, (size_t)tlen);

	sess->state = SMB_SESSION_VALID;
	/* A reconnecting client ends its previous session (3.3.5.5.3). */
	if (!reauth)
		smb_session_supersede(w, sess,
				      smb_get_le64(smb_req_body(w) + 16));
	if (sess->ntlm) {
		ntlmssp_server_clear(sess->ntlm);
		smb_free(srv, sess->ntlm);
		sess->ntlm = NULL;
	}
	w->sess = sess;
	/* The final response proves the server has the key (3.x requires it). */
	w->sign_response = !sess->keyless;
	smb_info("session 0x%llx: user '%s'%s%s authenticated",
		 (unsigned long long)sess->id, sess->user.name,
		 sess->is_guest ? " (guest)" : "",
		 sess->is_anonymous ? " (anonymous)" : "");
	return reply(w, STATUS_SUCCESS, flags, out, (size_t)tlen);
}

static int handle_authenticate(struct smb_work *w, struct smb_session *sess,
			       const u8 *msg, size_t len, bool reauth,
			       const struct spnego_token *tok)
{
	struct smb_server *srv = w->conn->srv;
	struct ntlmssp_result res;
	struct lookup_ctx lc;
	u32 st;
	int rc;

	if (!sess->ntlm)
		return fail(w, sess, STATUS_INVALID_PARAMETER);
	memset(&lc, 0, sizeof(lc));
	lc.srv = srv;
	memset(&res, 0, sizeof(res));
	st = ntlmssp_handle_authenticate(sess->ntlm, msg, len, lookup_nt_hash,
					 &lc, &res);
	if (st == STATUS_SUCCESS && reauth && w->chan &&
	    !(w->flags & SMB2_FLAGS_SIGNED)) {
		/*
		 * A valid but unsigned re-authentication on a bound channel
		 * leaves the session as it was (Samba's answer); an invalid
		 * one ends it below, as on the first channel.
		 */
		smb_memzero_explicit(&res, sizeof(res));
		smb_memzero_explicit(&lc, sizeof(lc));
		ntlmssp_server_clear(sess->ntlm);
		smb_free(srv, sess->ntlm);
		sess->ntlm = NULL;
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	}
	if (st == STATUS_SUCCESS && res.anonymous) {
		/*
		 * A session with keys may re-authenticate as anonymous: it
		 * loses its user's rights, not its signing.
		 */
		if (!reauth &&
		    (srv->cfg.map_to_guest == SMB_MAP_TO_GUEST_NEVER ||
		     srv->cfg.signing == SMB_SIGNING_MANDATORY)) {
			smb_info("anonymous logon refused");
			smb_memzero_explicit(&res, sizeof(res));
			return fail(w, sess, STATUS_LOGON_FAILURE);
		}
		memset(&sess->user, 0, sizeof(sess->user));
		sess->is_anonymous = true;
		sess->is_guest = false;
	} else if (st == STATUS_SUCCESS) {
		sess->user = lc.user;
		sess->is_anonymous = false;
		sess->is_guest = false;
	} else if (st == STATUS_LOGON_FAILURE &&
		   ((res.failure == NTLMSSP_FAIL_UNKNOWN_USER &&
		     srv->cfg.map_to_guest >= SMB_MAP_TO_GUEST_BAD_USER) ||
		    (res.failure == NTLMSSP_FAIL_BAD_PASSWORD &&
		     srv->cfg.map_to_guest == SMB_MAP_TO_GUEST_BAD_PASSWORD))) {
		st = become_guest(srv, sess);
	}
	if (st) {
		smb_info("logon failure for user '%s'", res.user);
		smb_memzero_explicit(&res, sizeof(res));
		smb_memzero_explicit(&lc, sizeof(lc));
		return fail(w, sess, st);
	}
	rc = finish_auth(w, sess, &res, reauth, tok);
	smb_memzero_explicit(&res, sizeof(res));
	smb_memzero_explicit(&lc, sizeof(lc));
	return rc;
}

static int propose_ntlmssp(struct smb_work *w, struct smb_session *sess,
			   bool reauth)
{
	u8 tok[64];
	int n = spnego_build_resp(SPNEGO_ACCEPT_INCOMPLETE, true, NULL, 0, tok,
				  sizeof(tok));

	if (n < 0)
		return fail(w, sess, STATUS_INTERNAL_ERROR);
	if (reply(w, STATUS_MORE_PROCESSING_REQUIRED, 0, tok, (size_t)n))
		return -1;
	if (w->conn->dialect == SMB2_DIALECT_0311 && !reauth)
		w->preauth_target = sess->preauth_hash;
	return 0;
}

/* NTLMSSP NEGOTIATE in, CHALLENGE out (wrapped in SPNEGO unless raw). */
static int handle_negotiate(struct smb_work *w, struct smb_session *sess,
			    const u8 *msg, size_t msg_len, bool reauth)
{
	struct smb_conn *conn = w->conn;
	struct smb_server *srv = conn->srv;
	u8 challenge[8], *out, *wrapped;
	size_t out_len = 0;
	int wlen, rc;
	u32 st;

	if (!sess->ntlm) {
		sess->ntlm = smb_alloc(srv, sizeof(*sess->ntlm));
		if (!sess->ntlm)
			return fail(w, sess, STATUS_INSUFFICIENT_RESOURCES);
	}
	if (srv->ops.random.bytes(srv->ops.random.ctx, challenge, 8) ||
	    ntlmssp_server_init(sess->ntlm, srv->ops.crypto,
				srv->cfg.netbios_name, srv->cfg.workgroup,
				challenge, smb_now(srv)))
		return fail(w, sess, STATUS_INTERNAL_ERROR);
	/* Heap, not stack: the same code runs in the kernel. */
	out = smb_alloc(srv, AUTH_BUF_MAX);
	wrapped = smb_alloc(srv, AUTH_BUF_MAX + 64);
	if (!out || !wrapped) {
		smb_free(srv, out);
		smb_free(srv, wrapped);
		return fail(w, sess, STATUS_INSUFFICIENT_RESOURCES);
	}
	st = ntlmssp_handle_negotiate(sess->ntlm, msg, msg_len, out,
				      AUTH_BUF_MAX, &out_len);
	if (st != STATUS_MORE_PROCESSING_REQUIRED) {
		rc = fail(w, sess, st);
		goto out;
	}
	if (sess->spnego_raw) {
		memcpy(wrapped, out, out_len);
		wlen = (int)out_len;
	} else {
		wlen = spnego_build_resp(SPNEGO_ACCEPT_INCOMPLETE, true, out,
					 out_len, wrapped, AUTH_BUF_MAX + 64);
		if (wlen < 0) {
			rc = fail(w, sess, STATUS_INTERNAL_ERROR);
			goto out;
		}
	}
	rc = reply(w, STATUS_MORE_PROCESSING_REQUIRED, 0, wrapped,
		   (size_t)wlen);
	if (rc == 0 && conn->dialect == SMB2_DIALECT_0311 && !reauth)
		w->preauth_target = sess->preauth_hash;
out:
	smb_free(srv, out);
	smb_free(srv, wrapped);
	return rc;
}

int smb2_session_setup(struct smb_work *w)
{
	struct smb_conn *conn = w->conn;
	const u8 *b = smb_req_body(w);
	struct smb_session *sess = w->sess;
	struct spnego_token tok;
	const u8 *sec, *msg;
	size_t msg_len;
	u16 sec_len;
	bool reauth = false, binding;
	u32 type;

	if (smb_req_body_len(w) < SESS_REQ_FIXED || smb_get_le16(b) != 25)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	/* [MS-SMB2] 3.3.5.5 steps 1-2, RejectUnencryptedAccess. */
	if (conn->srv->encrypt_mode == SMB_ENCRYPT_REQUIRED && !conn->cipher)
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	binding = b[2] & SMB2_SESSION_FLAG_BINDING;
	if (binding) {
		u32 st = smb_session_bind_check(w);

		if (st) {
			/* A refused leg ends the binding it continued. */
			sess = smb_channel_find(conn, w->session_id);
			if (sess)
				smb_session_destroy(sess);
			return smb_resp_error(w, st);
		}
	}
	sec_len = smb_get_le16(b + 14);
	sec = smb_req_range(w, smb_get_le16(b + 12), sec_len);
	if (!sec || sec_len == 0)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);

	if (binding)
		sess = smb_channel_find(conn, w->session_id);
	if (w->session_id == 0 || (binding && !sess)) {
		if (conn->nsessions >= SMB_MAX_SESSIONS_PER_CONN)
			return smb_resp_error(w, STATUS_REQUEST_NOT_ACCEPTED);
		sess = session_new(conn, binding ? w->session_id : 0);
		if (!sess)
			return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	} else if (binding) {
		/* The binding's next leg. */
	} else if (!sess) {
		return smb_resp_error(w, smb_session_foreign(w));
	} else if (sess->state == SMB_SESSION_LOGGED_OFF) {
		return smb_resp_error(w, STATUS_USER_SESSION_DELETED);
	} else if (sess->state == SMB_SESSION_VALID) {
		if (sess->keyless)
			return smb_resp_error(w, STATUS_REQUEST_NOT_ACCEPTED);
		reauth = true;
	}
	w->sess = sess;
	w->session_id = sess->id;
	if (conn->dialect == SMB2_DIALECT_0311 && !reauth)
		smb_preauth_update(conn, sess->preauth_hash, w->req,
				   w->req_len);

	if (spnego_parse(sec, sec_len, &tok))
		return fail(w, sess, STATUS_INVALID_PARAMETER);
	sess->spnego_raw = tok.kind == SPNEGO_KIND_RAW_NTLMSSP;
	if (tok.kind == SPNEGO_KIND_INIT) {
		sess->mech_types_len = 0;
		if (tok.mech_types_len <= sizeof(sess->mech_types)) {
			memcpy(sess->mech_types, tok.mech_types,
			       tok.mech_types_len);
			sess->mech_types_len = (u16)tok.mech_types_len;
		}
		if (!(tok.mechs & SPNEGO_MECH_NTLMSSP))
			return fail(w, sess, STATUS_LOGON_FAILURE);
		if (tok.preferred_mech != SPNEGO_MECH_NTLMSSP) {
			/* The client's optimistic token is for another mechanism:
			 * propose NTLMSSP and wait for its NEGOTIATE.
			 */
			return propose_ntlmssp(w, sess, reauth);
		}
	}
	msg = tok.mech_token;
	msg_len = tok.mech_token_len;
	type = msg ? (u32)ntlmssp_message_type(msg, msg_len) : 0;
	if (type == 1)
		return handle_negotiate(w, sess, msg, msg_len, reauth);
	if (type == 3)
		return handle_authenticate(w, sess, msg, msg_len, reauth, &tok);
	return fail(w, sess, STATUS_LOGON_FAILURE);
}

/* LOGOFF and ECHO answer with a bare 4-byte structure. */
static int reply_empty4(struct smb_work *w)
{
	u8 *r;

	if (smb_req_body_len(w) < 4 || smb_get_le16(smb_req_body(w)) != 4)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	r = smb_resp_body(w, 4);
	if (!r)
		return -1;
	smb_put_le16(r, 4);
	return 0;
}

int smb2_logoff(struct smb_work *w)
{
	int rc = reply_empty4(w);

	if (rc == 0 && w->status == STATUS_SUCCESS) {
		struct smb_list *pos, *tmp;

		/* Durable opens stay for a new session, as Windows keeps
		 * them (smb2.durable-open.reopen4).
		 */
		smb_durable_session_lost(w->sess);
		/* Later requests of the same compound must not find it. */
		w->sess->state = SMB_SESSION_LOGGED_OFF;
		w->destroy_after_send = w->sess;
		/* Close its trees and opens now: what they complete (pending
		 * locks) is answered before the LOGOFF ([MS-SMB2] 3.3.5.6).
		 */
		smb_list_for_each_safe(pos, tmp, &w->sess->trees)
			smb_tree_destroy(
				smb_container_of(pos, struct smb_tree, link));
		w->tree = NULL;
	}
	return rc;
}

int smb2_echo(struct smb_work *w)
{
	return reply_empty4(w);
}
