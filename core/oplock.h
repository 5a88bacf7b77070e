/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oplock.h - oplocks and leases ([MS-SMB2] 3.3.1.4, 3.3.4.6, 3.3.4.7,
 * 3.3.5.9.8, 3.3.5.9.11, 3.3.5.22).
 *
 * State lives on the file node's opens (oplock_level, lease) under
 * srv->lock.  A CREATE (or a rename) that must wait for a break
 * acknowledgment goes async and is run again from the start once the
 * break resolves (ack, close or timeout): the sharing check then sees the
 * state after the break, as [MS-SMB2] asks.  A resumed request runs under
 * its connection's proc_lock, on whichever thread resolved the break,
 * after that thread has dropped its own proc_lock
 * (smb_oplock_run_deferred()).
 */
#ifndef SMB_OPLOCK_H
#define SMB_OPLOCK_H

#include "internal.h"

#define SMB_OPLOCK_BREAK_TIMEOUT_MS 35000u /* [MS-SMB2] 3.3.2.1 */
#define SMB_LEASE_V1_SIZE 32
#define SMB_LEASE_V2_SIZE 52
#define SMB_LEASE_STATE_MASK                                   \
	(SMB2_LEASE_READ_CACHING | SMB2_LEASE_HANDLE_CACHING | \
	 SMB2_LEASE_WRITE_CACHING)

/* A lease: server-wide, keyed by (ClientGuid, LeaseKey), on one file. */
struct smb_lease {
	struct smb_list link; /* srv->leases */
	u8 client_guid[16];
	u8 key[16];
	u8 parent_key[16];
	bool parent_set;
	u8 version; /* 1 or 2 */
	u64 dev, ino;
	u32 state; /* SMB2_LEASE_* */
	u32 break_to; /* while breaking */
	bool breaking;
	bool break_waits; /* CREATEs wait for this break's ack */
	/*
	 * While breaking: what later requests need the lease broken to; the
	 * break goes on there once this one is acknowledged.
	 */
	u32 break_further;
	u64 deadline_ms;
	u16 epoch;
	struct smb_list opens; /* struct smb_open.lease_link */
	u32 nopens;
};

/* A parsed RqLs create context. */
struct smb_lease_req {
	bool present;
	u8 version;
	u8 key[16];
	u32 state;
	u32 flags;
	u8 parent_key[16];
	u16 epoch;
};

/* Does op cache its handle (a batch oplock or a lease with H)? */
static inline bool smb_open_has_handle_caching(const struct smb_open *op)
{
	if (op->oplock_level == SMB2_OPLOCK_LEVEL_BATCH)
		return true;
	return op->oplock_level == SMB2_OPLOCK_LEVEL_LEASE && op->lease &&
	       (op->lease->state & SMB2_LEASE_HANDLE_CACHING);
}

/*
 * Parse an RqLs context body: 32 bytes (v1) or, from SMB 3.0 on, 52 bytes
 * (v2).  Returns STATUS_INVALID_PARAMETER for any other size.
 */
u32 smb_lease_parse(const u8 *data, u32 len, u16 dialect,
		    struct smb_lease_req *out);
/* The RqLs response body for op (sized as the request); returns its size. */
u32 smb_lease_put_response(const struct smb_open *op,
			   const struct smb_lease_req *req, u8 *out);

/*
 * CREATE, before the sharing check: break what conflicts with the new open
 * op (access, share_access and stream set) of the file st.  Returns
 * STATUS_PENDING when the CREATE must wait for an acknowledgment,
 * SMB_STATUS_REOPEN (durable.h) when it closed disconnected durable opens
 * instead and must start again,
 * STATUS_INVALID_PARAMETER when the lease key belongs to another file,
 * else STATUS_SUCCESS.
 */
u32 smb_oplock_create_breaks(struct smb_work *w, struct smb_open *op,
			     const struct smb_stat *st, u32 disposition,
			     const struct smb_lease_req *lr);
/*
 * Make w wait for the breaks on file (dev, ino); returns the status to
 * fail w with, or STATUS_SUCCESS (w went async or was queued again).
 */
u32 smb_oplock_wait(struct smb_work *w, u64 dev, u64 ino);
/* CREATE succeeded: grant what can be; returns the response OplockLevel. */
u8 smb_oplock_grant(struct smb_work *w, struct smb_open *op, u8 requested,
		    const struct smb_lease_req *lr, u32 disposition);

/* Data of op's file changes (write, truncate, lock): break others' read. */
void smb_oplock_break_readers(struct smb_open *op);
/* op deletes its file: break others' handle caching, without waiting. */
void smb_oplock_break_handles(struct smb_open *op);
/*
 * op renames its file: break others' handle caching.  Returns
 * STATUS_PENDING when the rename must wait for an acknowledgment
 * (smb_oplock_wait_handle()), else STATUS_SUCCESS.
 */
u32 smb_oplock_rename_breaks(struct smb_work *w, struct smb_open *op);
/*
 * Make the request w on op (its FileId at body offset fid_off) wait for
 * the breaks on op's file, as smb_oplock_wait(); the request runs again
 * with that FileId, as if it had not been related.
 */
u32 smb_oplock_wait_handle(struct smb_work *w, const struct smb_open *op,
			   u32 fid_off);
/* op leaves its node (srv->lock held). */
void smb_oplock_open_closing(struct smb_open *op);

/* Run CREATEs whose breaks resolved; no proc_lock may be held. */
void smb_oplock_run_deferred(struct smb_server *srv);
int smb_oplock_server_init(struct smb_server *srv);
void smb_oplock_server_free(struct smb_server *srv);

/*
 * create.c: run a deferred request (req, len: header included) again
 * through its handler (conn->proc_lock held) and complete a with the
 * result, unless it waits once more.
 */
void smb2_request_resume(struct smb_async *a, const u8 *req, size_t len,
			 int (*handler)(struct smb_work *w));

#endif /* SMB_OPLOCK_H */
