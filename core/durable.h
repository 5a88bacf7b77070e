/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * durable.h - durable handles v1 and v2 ([MS-SMB2] 3.3.5.9.6, 3.3.5.9.7,
 * 3.3.5.9.10, 3.3.5.9.12, 3.3.7.1).
 *
 * A durable open outlives the loss of its connection: smb_conn_free()
 * hands it to smb_durable_conn_lost(), which detaches it from its session
 * and keeps it, with its file node, share modes, byte-range locks and
 * caching state, in a server-wide table until the client reconnects
 * (DHnC / DH2C) or the scavenger timer (smb_server_tick) closes it.
 *
 * While disconnected an open belongs to one of the table's placeholder
 * tree connects (one per share, in a placeholder session and connection
 * that are never used for I/O), so op->tree->share and
 * op->tree->sess->conn->srv stay valid for code that walks file nodes.
 * Test smb_durable_is_disconnected() before using op->tree for anything
 * else (sending, the user's identity).
 */
#ifndef SMB_DURABLE_H
#define SMB_DURABLE_H

#include "durable_api.h"
#include "internal.h"

#define SMB2_DHANDLE_FLAG_PERSISTENT 0x00000002u

/*
 * Never on the wire: a CREATE closed disconnected durable opens of the
 * file it was opening and must start again (their close may have deleted
 * it).  smb2_create() does so once.
 */
#define SMB_STATUS_REOPEN 0xe0de0001u

/* v1 handles wait 16 minutes, as Windows Server 2008 R2 does. */
#define SMB_DURABLE_V1_TIMEOUT_MS (16u * 60u * 1000u)
/* A v2 request with Timeout 0 gets one minute. */
#define SMB_DURABLE_V2_DEFAULT_MS (60u * 1000u)
/* Cap of any v2 timeout unless configured ("durable handle timeout"). */
#define SMB_DURABLE_MAX_DEFAULT_MS (300u * 1000u)

/* The durable-handle create contexts of one CREATE request. */
struct smb_durable_req {
	bool v1_request; /* DHnQ */
	bool v1_reconnect; /* DHnC */
	bool v2_request; /* DH2Q */
	bool v2_reconnect; /* DH2C */
	u64 persistent_id; /* DHnC / DH2C FileId.Persistent */
	u64 volatile_id;
	u32 timeout_ms; /* DH2Q */
	u32 flags; /* DH2Q / DH2C */
	u8 create_guid[16]; /* DH2Q / DH2C */
};

/*
 * Take one create context if it is a durable-handle one (*taken), checking
 * its length and that it was not given twice.  Returns the status to fail
 * the CREATE with, or STATUS_SUCCESS.
 */
u32 smb_durable_parse_ctx(struct smb_durable_req *d, const u8 *name,
			  u16 name_len, const u8 *data, u32 data_len,
			  bool *taken);

/*
 * After all contexts: reject invalid combinations and drop what the
 * dialect or the spec says to ignore (v2 contexts below SMB 3.0, DHnQ
 * beside DHnC).  Returns STATUS_INVALID_PARAMETER or STATUS_SUCCESS.
 */
u32 smb_durable_validate(struct smb_durable_req *d, u16 dialect);

static inline bool smb_durable_is_reconnect(const struct smb_durable_req *d)
{
	return d->v1_reconnect || d->v2_reconnect;
}

/*
 * The single eligibility rule: an open of a file (not a directory or a
 * pipe) holding a batch oplock or a lease with Handle caching.  srv->lock
 * held (oplock state changes under it).
 */
bool smb_durable_eligible(const struct smb_open *op);

/*
 * Make op durable if the request asked and op is eligible.  Returns the
 * length of the response context data written to resp_data (0: none;
 * 8 bytes are always enough) and sets *ctx_name ("DHnQ" or "DH2Q").
 */
u32 smb_durable_grant(struct smb_work *w, struct smb_open *op,
		      const struct smb_durable_req *d, u8 resp_data[8],
		      const char **ctx_name);

/* The response context of op if it is durable (as smb_durable_grant). */
u32 smb_durable_response(const struct smb_open *op, u8 resp_data[8],
			 const char **ctx_name);

/*
 * DHnC / DH2C: find the disconnected open, check the requester may have
 * it (lr: the request's lease context, required exactly when the open
 * holds a lease), and re-attach it to w's session and tree with its persistent id
 * and a fresh volatile id.  name/name_len: the CREATE's file name.
 */
struct smb_lease_req;
u32 smb_durable_reconnect(struct smb_work *w, const struct smb_durable_req *d,
			  const struct smb_lease_req *lr, const u8 *name,
			  u16 name_len, struct smb_open **out);

/*
 * A DH2Q sent with SMB2_FLAGS_REPLAY_OPERATION: the open of this session
 * made by the same CreateGuid and ClientGuid, or NULL.
 */
struct smb_open *smb_durable_find_replay(struct smb_work *w,
					 const struct smb_durable_req *d);

/* Is op a durable open whose connection was lost?  srv->lock held. */
bool smb_durable_is_disconnected(const struct smb_open *op);

/*
 * sess ends without its client closing its opens (lost connection,
 * LOGOFF, a reconnect's PreviousSessionId): keep its durable opens.
 */
void smb_durable_session_lost(struct smb_session *sess);

/* Connection lost: keep its durable opens (before its sessions go). */
void smb_durable_conn_lost(struct smb_conn *conn);

/*
 * srv->lock held: if op is a disconnected durable open, take it to be
 * closed (its oplock or lease must be broken and cannot be) onto claimed,
 * a list head of the caller's; then, without the lock,
 * smb_durable_close_claimed(claimed).  Returns whether it took op.
 */
bool smb_durable_claim_locked(struct smb_open *op, struct smb_list *claimed);
void smb_durable_close_claimed(struct smb_list *claimed);

/* Called by smb_open_destroy(): forget op's durable state. */
void smb_durable_forget(struct smb_open *op);

/*
 * A session of the same user was set up naming previous_id as its
 * PreviousSessionId ([MS-SMB2] 3.3.5.5.3): end that session, keeping its
 * durable opens.  One of another connection is marked and retired by its
 * own connection at its next request (smb_session_retire_if_superseded(),
 * conn.c), so no thread touches another connection's session lists.
 */
void smb_session_supersede(struct smb_work *w, struct smb_session *sess,
			   u64 previous_id);
/* Both authenticated (not guest, not anonymous) as the same user. */
bool smb_session_same_user(const struct smb_session *a,
			   const struct smb_session *b);
/* conn.c: retire sess if a reconnect superseded it; true if so. */
bool smb_session_retire_if_superseded(struct smb_work *w,
				      struct smb_session *sess);

/* Server life cycle (server.c). */
int smb_durable_server_init(struct smb_server *srv);
void smb_durable_server_free(struct smb_server *srv);

/* Number of disconnected durable opens kept (tests, statistics). */
u32 smb_durable_count_disconnected(struct smb_server *srv);

#endif /* SMB_DURABLE_H */
