/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - the core's private object model: server, connection,
 * session, tree connect, open, and the per-request work item the command
 * handlers share.  Not for use outside core/.
 */
#ifndef SMB_INTERNAL_H
#define SMB_INTERNAL_H

#include "compat.h"
#include "list.h"
#include "ops.h"
#include "smb2.h"
#include "smbd.h"

#define SMB_MAX_COMPOUND 64 /* requests in one compound chain */
#define SMB_CREDIT_WINDOW 8192 /* message ids tracked per connection */
#define SMB_OPEN_BUCKETS 64
#define SMB_PATH_MAX 4096
#define SMB2_MAX_SMALL_MTU 65536u
#define SMB_MAX_SESSIONS_PER_CONN 64 /* bounds what one client can pin */
#define SMB_MAX_TREES_PER_SESSION 1024

/* A share as the server runs it: configuration plus the opened root. */
struct smb_share {
	struct smb_share_config cfg;
	struct smb_vfs_share *root; /* NULL for IPC$ */
	bool encrypt_data; /* Share.EncryptData (crypt.c) */
};

/*
 * Server-wide state of one file (dev, ino) that has opens: share modes and
 * delete-pending are properties of the file, not of a handle.
 */
struct smb_file_node {
	struct smb_list link;
	u64 dev, ino;
	int nopens;
	bool delete_pending;
	struct smb_list opens; /* struct smb_open.node_link */
	/* Byte-range locks (lock.c) under srv->lock; nlocks read unlocked. */
	struct smb_list locks; /* struct smb_brl.link */
	struct smb_list lock_waiters; /* blocked LOCK requests, oldest first */
	u32 nlocks;
	/* CREATEs waiting for oplock/lease break acks (oplock.c). */
	struct smb_list oplock_waiters;
	u32 ncaching; /* opens with an oplock or lease; read unlocked */
};

struct smb_server {
	struct smb_server_ops ops;
	struct smb_server_config cfg;
	struct smb_share *shares; /* cfg shares plus IPC$ last */
	int nshares;
	struct smb_mutex *lock; /* ids, file nodes */
	struct smb_list file_nodes;
	u64 next_session_id;
	u64 next_persistent_id;
	u64 start_time;
	struct smb_mutex *timer_lock; /* timers (timer.c) */
	struct smb_list timers;
	u64 timer_seq;
	/* Oplocks and leases (oplock.c), under lock. */
	struct smb_list leases; /* struct smb_lease.link */
	struct smb_list oplock_deferred; /* CREATEs ready to run again */
	struct smb_timer *oplock_timer; /* break acknowledgment timeouts */
	bool oplock_timer_armed;
	/* Lease breaks that follow an acknowledgment's reply (oplock.c). */
	struct smb_break_msg *oplock_after_reply;
	/* Every session (bind.c: GlobalSessionTable; PreviousSessionId). */
	struct smb_list sessions;
	struct smb_durable_table *durable; /* durable.c */
	u32 durable_max_ms; /* cap of v2 durable timeouts */
	/* SMB3 encryption (crypt.c). */
	u8 encrypt_mode; /* enum smb_encrypt_mode */
	bool multichannel; /* offer SMB2_GLOBAL_CAP_MULTI_CHANNEL */
	/*
	 * Held (after the connection's proc_lock) around every PDU of a
	 * connection that may share sessions with others (smb_conn.mc): a
	 * session bound to several connections is then only touched by one
	 * thread at a time, and none frees it under another (channel.c).
	 */
	struct smb_mutex *chan_lock;
	u64 nonce_counter; /* atomic: every transform's nonce is unique */
};

enum smb_session_state {
	SMB_SESSION_IN_PROGRESS,
	SMB_SESSION_VALID,
	SMB_SESSION_EXPIRED,
	SMB_SESSION_LOGGED_OFF, /* LOGOFF answered; destroyed after the send */
};

struct smb_session {
	struct smb_list link; /* in conn->sessions */
	bool superseded; /* a reconnect named it PreviousSessionId (atomic) */
	struct smb_list global_link; /* in srv->sessions, under srv->lock */
	struct smb_conn *conn;
	u64 id;
	enum smb_session_state state;
	struct ntlmssp_server *ntlm; /* only while authenticating */
	bool spnego_raw; /* client sent raw NTLMSSP, answer in kind */
	u8 mech_types[128]; /* DER MechTypeList of the NegTokenInit, for the MIC */
	u16 mech_types_len;
	u8 preauth_hash[64];
	u8 session_key[16];
	u8 signing_key[16];
	bool signing_required;
	/* SMB3 encryption (crypt.c): keys as the server uses them. */
	bool encrypt_data; /* Session.EncryptData */
	u8 cipher_key_len; /* 0: no encryption keys */
	u8 encryption_key[32]; /* server -> client */
	u8 decryption_key[32]; /* client -> server */
	/* The user (re-authentication replaces it, [MS-SMB2] 3.3.5.5.3). */
	bool is_guest;
	bool is_anonymous;
	struct smb_user user;
	/* Established as guest or anonymous: no keys, nothing is signed. */
	bool keyless;
	/* Other connections bound to it (struct smb_channel.sess_link). */
	struct smb_list channels;
	/* A binding in progress: the authentication runs in a session of
	 * its own, never listed, that names the session it binds to. */
	u64 bind_target_id;
	struct smb_list trees;
	u32 ntrees;
	u32 next_tree_id;
	struct smb_list opens[SMB_OPEN_BUCKETS];
	u32 nopens;
	u64 next_volatile_id;
};

/*
 * A connection bound to a session of another connection ([MS-SMB2]
 * 3.3.1.8 Channel): its requests for that session are signed with the
 * channel's own key.  Listed in both, under srv->chan_lock.
 */
struct smb_channel {
	struct smb_list conn_link; /* in conn->channels */
	struct smb_list sess_link; /* in sess->channels */
	struct smb_conn *conn;
	struct smb_session *sess;
	u8 signing_key[16];
};

struct smb_tree {
	struct smb_list link; /* in session->trees */
	struct smb_session *sess;
	u32 id;
	struct smb_share *share;
	bool read_only;
	u32 maximal_access;
};

struct smb_rpc_pipe;
struct smb_async;
struct smb_notify;
struct smb_lease;
struct smb_timer;
struct smb_durable;
struct smb_durable_table;

struct smb_dir_cursor {
	bool started;
	bool at_end;
	bool have_pending; /* an entry read but not yet returned */
	bool returned_any;
	char pattern[1024];
	struct smb_vfs_dirent pending;
};

#define SMB_LOCK_SEQ_SLOTS 64
#define SMB_LOCK_SEQ_VALID 0x10

struct smb_open {
	struct smb_list link; /* in session->opens[bucket] */
	struct smb_list node_link; /* in node->opens */
	struct smb_tree *tree;
	struct smb_file_node *node;
	u64 persistent_id;
	u64 volatile_id;
	struct smb_vfs_file *file;
	struct smb_rpc_pipe *pipe;
	char *path; /* relative, '/'-separated, "" = root; never NULL */
	char *stream; /* a named stream's name, else NULL (stream.c) */
	u32 access;
	u32 share_access;
	u32 create_options;
	bool is_dir;
	bool delete_on_close;
	u32 nlocks; /* byte-range locks held (lock.c) */
	/* FSCTL_LMR_REQUEST_RESILIENCY ([MS-SMB2] 3.3.5.15.9). */
	bool resilient;
	u32 resiliency_timeout_ms;
	/*
	 * Open.LockSequenceArray ([MS-SMB2] 3.3.5.14): entry i is index i+1;
	 * SMB_LOCK_SEQ_VALID marks it valid, the low 4 bits hold the number.
	 */
	u8 lock_seq[SMB_LOCK_SEQ_SLOTS];
	u64 position; /* FilePositionInformation */
	u32 mode; /* FileModeInformation */
	struct smb_dir_cursor *dir;
	struct smb_notify *notify; /* CHANGE_NOTIFY state (notify.c) */
	/*
	 * Oplock or lease (oplock.c), under srv->lock.  oplock_level is an
	 * SMB2_OPLOCK_LEVEL_*; LEASE means lease (its state in
	 * lease->state, see smb_open_has_handle_caching() in oplock.h).
	 */
	u8 oplock_level;
	u8 oplock_break_to; /* while oplock_breaking */
	bool oplock_breaking;
	u64 oplock_deadline_ms; /* break acknowledgment timeout */
	struct smb_lease *lease;
	struct smb_list lease_link; /* in lease->opens */
	struct smb_durable *durable; /* durable.c: NULL unless durable */
};

/* Per-connection credit window ([MS-SMB2] 3.3.1.1). */
struct smb_credits {
	u64 lo; /* lowest message id not yet used */
	u64 hi; /* one past the highest id granted */
	u32 outstanding; /* granted and not yet consumed */
	u8 used[SMB_CREDIT_WINDOW / 8]; /* bit i: id lo + i consumed */
};

struct smb_conn {
	struct smb_server *srv;
	const struct smb_transport_ops *t;
	struct smb_tconn *tc;
	struct smb_transport_limits limits;
	bool negotiated;
	bool smb1_upgrade; /* answered an SMB1 negotiate with 0x02ff */
	u16 dialect;
	u16 client_security_mode;
	u32 client_caps;
	u8 client_guid[16];
	u16 client_dialects[64];
	u16 nclient_dialects;
	u16 server_security_mode;
	u32 server_caps;
	u16 signing_algo; /* SMB2_SIGNING_* for 3.1.1, derived otherwise */
	u16 cipher; /* SMB2_ENCRYPTION_* negotiated, 0: none (crypt.c) */
	bool signing_required; /* server signing = mandatory */
	u8 preauth_hash[64];
	u32 max_read, max_write, max_trans;
	/*
	 * io_lock: the credit window and pipe reads/writes, which requests of
	 * one connection running at once on several threads share
	 * (smb_pdu_may_overlap()).  Everything else those requests touch is
	 * only changed by requests that run alone.
	 */
	struct smb_mutex *io_lock;
	struct smb_credits credits;
	struct smb_list sessions;
	u32 nsessions;
	/*
	 * Multichannel (channel.c): mc is set at NEGOTIATE (3.x with the
	 * server's multichannel support on) and then every PDU takes
	 * srv->chan_lock.  channels: sessions of other connections bound
	 * here; binds: bindings being authenticated (their sessions).
	 */
	bool mc;
	struct smb_list channels;
	struct smb_list binds;
	/*
	 * The last session here that a failed re-authentication ended, and
	 * its key on this connection: a request naming it is answered
	 * USER_SESSION_DELETED signed with that key (bind.c).
	 */
	u64 ended_id;
	u16 ended_algo;
	u8 ended_key[16];
	/*
	 * Asynchronous requests (async.c).  The connection object outlives
	 * smb_conn_free() while pending requests hold references, so other
	 * connections' threads can complete them safely.
	 */
	smb_refcount_t refs;
	struct smb_mutex *async_lock; /* async list and entry states */
	struct smb_mutex *send_lock; /* sends from other threads vs. free */
	bool dead; /* under send_lock: smb_conn_free() has begun */
	struct smb_list async_list; /* struct smb_async.link */
	u32 nasync;
	u64 next_async_id;
	/*
	 * Held while a PDU of this connection is processed, and by whoever
	 * resumes one of its deferred CREATEs (oplock.c); never nested.
	 */
	struct smb_mutex *proc_lock;
};

/* One request being processed, and the response being built for it. */
struct smb_work {
	struct smb_conn *conn;
	const u8 *req; /* this request's header */
	size_t req_len; /* up to NextCommand or the PDU end */
	u16 command;
	u32 flags;
	u64 message_id;
	u16 credit_charge;
	u16 credit_request;
	u32 tree_id;
	u64 session_id;
	struct smb_session *sess;
	struct smb_tree *tree;
	u8 *resp; /* header + body, from the allocator */
	size_t resp_len;
	size_t resp_cap;
	u32 status;
	bool no_response; /* CANCEL */
	bool disconnect; /* drop the connection after this */
	bool sign_response;
	bool encrypted; /* arrived in a transform (crypt.c) */
	struct smb_session *crypt_sess; /* the transform's session */
	bool refused_in_clear; /* refused for not encrypting: answer in clear */
	/* A refused binding request is answered signed with the session's
	 * key, which w->sess (another connection's) cannot give (bind.c). */
	bool bind_sign;
	u16 bind_sign_algo;
	u8 bind_sign_key[16];
	struct smb_channel *chan; /* w->sess reached as a bound channel */
	/* Compound state passed from the previous related request. */
	u64 related_pid, related_vid;
	bool related_fid_valid;
	u32 related_status; /* status of the previous request in the chain */
	u8 *preauth_target; /* hash to extend with the response, if any */
	bool last_in_chain; /* the only or last request of its compound */
	struct smb_async *async; /* set when the handler went async */
	struct smb_async *resume; /* a deferred CREATE run again (oplock.c) */
	bool create_again; /* CREATE restarted after closing durable opens */
	struct smb_session *destroy_after_send; /* LOGOFF */
	/*
	 * A READ's data still in the file (rw.c): span_len bytes of
	 * span_file at span_off follow the response.  The transport sends
	 * them from the file, or the core reads them in when the response
	 * is signed, encrypted or compounded (conn.c).
	 */
	struct smb_vfs_file *span_file;
	u64 span_off;
	size_t span_len;
};

/*
 * Read a READ's span (see struct smb_work) into its response, whose
 * header is already filled in; a failed read answers with its status.
 * <0 only when the response is not a READ's.
 */
int smb_read_span_fill(struct smb_work *w);

/* ---- helpers shared by the command handlers ---------------------------- */
void *smb_alloc(struct smb_server *srv, size_t size);
void smb_free(struct smb_server *srv, void *p);
/* Not zeroed (when the allocator can): the caller writes before reading. */
void *smb_alloc_uninit(struct smb_server *srv, size_t size);

/* Allocate the response: header + body_len bytes; returns the body or NULL. */
u8 *smb_resp_body(struct smb_work *w, size_t body_len);
/* As smb_resp_body, but only the header and the first fixed_len bytes of
 * the body are zeroed; the rest is for data the caller fills (and sends
 * only as far as it filled it: smb_resp_set_body_len). */
u8 *smb_resp_body_data(struct smb_work *w, size_t fixed_len, size_t data_len);
/* Shrink the body to body_len (after writing variable data). */
void smb_resp_set_body_len(struct smb_work *w, size_t body_len);
/* Build an error response with status. */
int smb_resp_error(struct smb_work *w, u32 status);

/* The request body (after the 64-byte header) and its length. */
static inline const u8 *smb_req_body(const struct smb_work *w)
{
	return w->req + SMB2_HDR_SIZE;
}

static inline size_t smb_req_body_len(const struct smb_work *w)
{
	return w->req_len - SMB2_HDR_SIZE;
}

/*
 * Check a (offset, length) pair from the request, where offset counts from
 * the start of the SMB2 header.  Returns the pointer or NULL.  A zero
 * length yields a valid non-NULL pointer (the header) and never faults.
 */
const u8 *smb_req_range(const struct smb_work *w, u32 offset, u32 length);

u64 smb_now(struct smb_server *srv);

/* Sessions, trees and opens. */
struct smb_session *smb_session_find(struct smb_conn *conn, u64 id);
void smb_session_destroy(struct smb_session *sess);
struct smb_tree *smb_tree_find(struct smb_session *sess, u32 id);
struct smb_share *smb_share_find(struct smb_server *srv, const char *name);
void smb_tree_destroy(struct smb_tree *tree);
struct smb_open *smb_open_find(struct smb_work *w, const u8 *file_id);
void smb_open_destroy(struct smb_open *op, bool process_delete);
u32 smb_open_attach_node(struct smb_open *op, const struct smb_stat *st);
void smb_open_insert(struct smb_session *sess, struct smb_open *op);
/* Add to / remove from the session's open table (under srv->lock). */
void smb_open_table_add(struct smb_session *sess, struct smb_open *op);
void smb_open_table_del(struct smb_session *sess, struct smb_open *op);
void smb_open_set_delete_pending(struct smb_open *op, bool pending);
bool smb_open_delete_pending(struct smb_open *op);
bool smb_open_others_deny_delete(struct smb_open *op);
/* Does any open of a named stream of op's file exist (besides op)? */
bool smb_stream_opens_exist(struct smb_open *op);
bool smb_open_has_children_open(struct smb_open *op);
/* The node of file (dev, ino), or NULL; srv->lock held. */
struct smb_file_node *smb_file_node_find(struct smb_server *srv, u64 dev,
					 u64 ino);
/* Would an open (access, share) of stream conflict with open o? */
bool smb_open_share_conflicts(const struct smb_open *o, u32 access, u32 share,
			      const char *stream);
bool smb_open_parent_blocks_rename(struct smb_open *op, const char *parent,
				   size_t parent_len);

/* IPC$ named pipes (ipc.c). */
u32 smb_ipc_open(struct smb_work *w, const char *name, struct smb_open *op);
void smb_ipc_close(struct smb_open *op);
u32 smb_ipc_read(struct smb_open *op, u8 *buf, size_t len, size_t *done);
u32 smb_ipc_write(struct smb_open *op, const u8 *buf, size_t len);
u32 smb_ipc_transceive(struct smb_open *op, const u8 *in, size_t in_len,
		       u8 *out, size_t out_size, size_t *out_len);

/* Signing of responses/validation of requests (conn.c). */
bool smb_work_should_sign(const struct smb_work *w);
/* The key that signs for w->sess on this connection (its channel's). */
const u8 *smb_work_signing_key(const struct smb_work *w);
u16 smb_conn_signing_algo(const struct smb_conn *conn);

/* Command handlers: return 0, or <0 to drop the connection. */
typedef int (*smb_handler_fn)(struct smb_work *w);
int smb2_negotiate(struct smb_work *w);
int smb1_negotiate(struct smb_conn *conn, const u8 *pdu, size_t len);
int smb2_session_setup(struct smb_work *w);
int smb2_logoff(struct smb_work *w);
int smb2_tree_connect(struct smb_work *w);
int smb2_tree_disconnect(struct smb_work *w);
int smb2_create(struct smb_work *w);
int smb2_close(struct smb_work *w);
int smb2_flush(struct smb_work *w);
int smb2_read(struct smb_work *w);
int smb2_write(struct smb_work *w);
int smb2_lock(struct smb_work *w);
int smb2_ioctl(struct smb_work *w);
int smb2_echo(struct smb_work *w);
int smb2_query_directory(struct smb_work *w);
int smb2_change_notify(struct smb_work *w);
int smb2_query_info(struct smb_work *w);
int smb2_set_info(struct smb_work *w);
int smb2_oplock_break(struct smb_work *w);

/* Path handling (path.c). */
u32 smb_path_from_wire(const u8 *name, size_t len, char *out, size_t out_size);
/* A stream suffix of a wire name: present when one was given; name "" is
 * the default (unnamed) data stream. */
struct smb_stream_spec {
	bool present;
	char name[768]; /* UTF-8 of up to 255 UTF-16 units, NUL */
};
/* As smb_path_from_wire, the stream suffix going to *stream. */
u32 smb_path_from_wire_stream(const u8 *name, size_t len, char *out,
			      size_t out_size, struct smb_stream_spec *stream);
/* A rename target naming only a stream (":name[:$DATA]"). */
u32 smb_stream_from_wire(const u8 *name, size_t len,
			 struct smb_stream_spec *out);
/* Replace op->path with a copy of path (exactly sized). */
u32 smb_open_set_path(struct smb_open *op, const char *path);

/* Credits (credits.c). */
void smb_credits_init(struct smb_credits *c);
bool smb_credits_consume(struct smb_credits *c, u64 mid, u16 charge);
u16 smb_credits_grant(struct smb_credits *c, u16 requested, u16 charge,
		      u32 max_credits);

/* Preauth hash helper for the connection/session (negotiate.c). */
void smb_preauth_update(struct smb_conn *conn, u8 hash[64], const u8 *msg,
			size_t len);

#endif
