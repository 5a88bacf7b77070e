/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcp_posix.h - the Direct TCP transport over POSIX sockets (userspace).
 *
 * smb_tcp_ops implements struct smb_transport_ops.  Sockets are
 * non-blocking; recv_pdu returns 0 when no whole PDU is buffered yet.
 * send_pdu may be called from any thread (sends on one connection are
 * serialised) and waits for a slow reader at most send_timeout_ms without
 * progress, then drops the connection.  disconnect only shuts the socket
 * down; the descriptor is closed by smb_tcp_conn_free(), so a concurrent
 * sender never writes to a reused descriptor.
 */
#ifndef SMB_TCP_POSIX_H
#define SMB_TCP_POSIX_H

#include "../core/compat.h"
#include "transport.h"

struct smb_tcp_config {
	u32 max_pdu; /* 0: SMB_TCP_DEFAULT_MAX_PDU (8 MiB + 64 KiB) */
	u32 max_read; /* reported by get_limits; 0: 8 MiB */
	u32 max_write; /* 0: 8 MiB */
	int send_timeout_ms; /* longest wait without progress; 0: 30000 */
	int backlog; /* listen() backlog; 0: 128 */
	u32 stage_size; /* framer staging buffer; 0: 16 KiB */
	/*
	 * The descriptor holding a file's data (<0: none), for READ data
	 * sent with sendfile(2) (send_pdu_file).  NULL: no sendfile.
	 * sendfile has no MSG_NOSIGNAL: a process that sets this must
	 * ignore SIGPIPE (smbdirectd does).
	 */
	int (*file_fd)(struct smb_vfs_file *f);
};

struct smb_tcp_listener; /* one bound, listening socket */

extern const struct smb_transport_ops smb_tcp_ops;

/*
 * Listen on port for each address in addresses: IPv4/IPv6 literals
 * ("0.0.0.0", "::1", "[fe80::1%eth0]") or interface names (every address
 * of the interface, via getifaddrs), separated by spaces or commas.  NULL
 * or "" listens on all addresses (IPv6 dual-stack, else IPv4).  Port 0
 * picks an ephemeral port per socket.  cfg may be NULL for defaults.
 * Stores up to max listeners in out and returns how many, or a negative
 * errno (nothing stays open on failure).
 */
int smb_tcp_listen(const char *addresses, u16 port,
		   const struct smb_tcp_config *cfg,
		   struct smb_tcp_listener **out, int max);
void smb_tcp_listener_close(struct smb_tcp_listener *l);
int smb_tcp_listener_fd(const struct smb_tcp_listener *l);
u16 smb_tcp_listener_port(const struct smb_tcp_listener *l);
/* Local address as text ("127.0.0.1:445", "[::1]:445"). */
const char *smb_tcp_listener_name(const struct smb_tcp_listener *l);

/*
 * smb_tcp_ops.accept(listener, &conn): 0 with *conn set, -EAGAIN when no
 * connection is pending, another negative errno on failure (-EMFILE...).
 */

/* Socket descriptor of a connection, for the caller's poll/epoll set. */
int smb_tcp_conn_fd(struct smb_tconn *c);
/*
 * Like recv_pdu, but the PDU is handed over: it stays valid until the
 * caller passes it to smb_tcp_pdu_free() (from any thread), so PDUs can be
 * queued without a copy.  Returns 1, 0 (need more input) or -errno
 * (-ECONNRESET when the peer closed, -EPROTO / -EMSGSIZE for bad framing).
 */
int smb_tcp_recv_owned(struct smb_tconn *c, u8 **pdu, size_t *len);
void smb_tcp_pdu_free(u8 *pdu);
/* True once disconnect ran (locally or after a send failure). */
bool smb_tcp_conn_is_closed(struct smb_tconn *c);
/* Disconnect if needed and release everything; c must be idle. */
void smb_tcp_conn_free(struct smb_tconn *c);

/* Wrap a connected socket (tests, inetd-style use); takes ownership. */
int smb_tcp_conn_from_fd(int fd, const struct smb_tcp_config *cfg,
			 struct smb_tconn **out);

#endif /* SMB_TCP_POSIX_H */
