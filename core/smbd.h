/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smbd.h - the core's public API.
 *
 * A platform creates one smb_server with its ops tables and configuration,
 * then for every transport connection an smb_conn, and feeds the
 * connection whole PDUs with smb_conn_input().  Replies go out through the
 * transport's send_pdu.  Calls for one connection must be serialised by the
 * caller; different connections may be driven from different threads.
 */
#ifndef SMB_SMBD_H
#define SMB_SMBD_H

#include "compat.h"
#include "ops.h"
#include "../transport/transport.h"

#define SMB_NAME_MAX 256

enum smb_signing_policy {
	SMB_SIGNING_DISABLED = 0, /* still enabled as the protocol requires */
	SMB_SIGNING_AUTO = 1,
	SMB_SIGNING_MANDATORY = 2,
};

enum smb_map_to_guest {
	SMB_MAP_TO_GUEST_NEVER = 0,
	SMB_MAP_TO_GUEST_BAD_USER = 1,
	SMB_MAP_TO_GUEST_BAD_PASSWORD = 2,
};

/* A user list ("valid users", "invalid users"): names, NUL-separated. */
struct smb_name_list {
	char *names; /* "a\0b\0c\0\0" or NULL for empty */
};

struct smb_share_config {
	char name[SMB_NAME_MAX];
	char path[4096];
	char comment[SMB_NAME_MAX];
	bool browseable;
	bool read_only;
	bool guest_ok;
	bool is_pipe; /* IPC$ */
	bool no_oplocks; /* "oplocks = no": grant no oplocks or leases */
	u32 create_mask;
	u32 directory_mask;
	struct smb_name_list valid_users;
	struct smb_name_list invalid_users;
};

struct smb_server_config {
	char netbios_name[64];
	char workgroup[64];
	char server_string[SMB_NAME_MAX];
	char guest_account[64];
	enum smb_signing_policy signing;
	enum smb_map_to_guest map_to_guest;
	u16 min_dialect; /* e.g. SMB2_DIALECT_0202 */
	u16 max_dialect; /* e.g. SMB2_DIALECT_0311 */
	u32 max_read; /* smb2 max read */
	u32 max_write; /* smb2 max write */
	u32 max_trans; /* smb2 max trans */
	u32 max_credits; /* credits a connection may hold */
	u32 max_open_files; /* per session */
	u8 server_guid[16];
	struct smb_share_config *shares; /* IPC$ is added by the core */
	int nshares;
};

struct smb_server_ops {
	struct smb_allocator mem;
	const struct smb_crypto_ops *crypto;
	struct smb_clock_ops clock;
	struct smb_random_ops random;
	struct smb_user_ops users;
	const struct smb_vfs_ops *vfs;
	struct smb_netif_ops netif; /* optional */
};

struct smb_server;
struct smb_conn;

/* Copies cfg (and its shares); returns NULL on failure. */
struct smb_server *smb_server_new(const struct smb_server_ops *ops,
				  const struct smb_server_config *cfg);
void smb_server_free(struct smb_server *srv);

struct smb_conn *smb_conn_new(struct smb_server *srv,
			      const struct smb_transport_ops *tops,
			      struct smb_tconn *tconn);
/*
 * Process one PDU.  Returns 0 to keep the connection, <0 when it must be
 * dropped (the caller then calls the transport's disconnect and
 * smb_conn_free).  The core may keep no pointer into pdu after returning.
 */
int smb_conn_input(struct smb_conn *conn, u8 *pdu, size_t len);
void smb_conn_free(struct smb_conn *conn);

/*
 * Fire the core's due timers (oplock-break, durable-handle timeouts);
 * call it periodically from any thread, with no core lock held.  Returns
 * the milliseconds until the next deadline (U64_MAX: none).
 */
u64 smb_server_tick(struct smb_server *srv);

#endif /* SMB_SMBD_H */
