/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rdma_posix.h - SMB Direct ([MS-SMBD]) over librdmacm/libibverbs
 * (userspace), driving the sans-I/O engine of smbdirect.h.
 *
 * smb_rdma_ops implements struct smb_transport_ops.  A listener is an
 * rdma_cm id listening on an RDMA_PS_TCP port (5445 by default); its event
 * channel descriptor is polled for connect requests.  Every connection has
 * one RC queue pair, one completion queue (sends, receives, RDMA Read and
 * Write) and exposes one descriptor (an epoll set of its completion
 * channel, its own rdma_cm event channel and a timerfd for the engine's
 * timers) that the caller polls and then services with recv_pdu or
 * smb_rdma_service: nothing spins.
 *
 * Threads: recv_pdu/smb_rdma_service (the event loop), send_pdu,
 * rdma_read and rdma_write (a worker) and disconnect (anyone) may run
 * concurrently; a per-connection mutex serialises the engine and the
 * queue pair.  rdma_read/rdma_write wait for their completions, which the
 * event loop reaps: the caller must keep polling the connection's
 * descriptor (with smb_rdma_service while it takes no PDUs).
 */
#ifndef SMB_RDMA_POSIX_H
#define SMB_RDMA_POSIX_H

#include "../core/compat.h"
#include "smbdirect.h"
#include "transport.h"

#define SMB_RDMA_DEFAULT_PORT 5445

struct smb_rdma_config {
	struct smbdirect_config engine; /* 0 fields: the engine's defaults */
	int backlog; /* rdma_listen backlog; 0: 128 */
	/* RDMA transfers up to this size go through a registered copy. */
	u32 bounce_size; /* 0: 64 KiB */
	int rw_timeout_ms; /* RDMA Read/Write completion wait; 0: 30000 */
	/* Largest SMB2 READ/WRITE by RDMA, at most (and 0:)
	 * engine.max_read_write_size.
	 */
	u32 max_read;
	u32 max_write;
	/*
	 * Pre-registered READ/WRITE payload buffers (each the larger of
	 * max_read and max_write), shared by the connections of a device:
	 * no registration per transfer, and READ data is posted without
	 * waiting.  0: 16; at most 64 MiB in all; -1: none.
	 */
	int io_buffers;
};

struct smb_rdma_listener;

extern const struct smb_transport_ops smb_rdma_ops;

/* True when at least one RDMA device is present. */
bool smb_rdma_have_devices(void);

/*
 * Listen on port for each address (literals or interface names, as
 * smb_tcp_listen; NULL or "" is every address).  Stores up to max
 * listeners in out and returns how many, or a negative errno (-ENODEV:
 * no RDMA device or the address is not on one); nothing stays open on
 * failure.  cfg may be NULL.
 */
int smb_rdma_listen(const char *addresses, u16 port,
		    const struct smb_rdma_config *cfg,
		    struct smb_rdma_listener **out, int max);
void smb_rdma_listener_close(struct smb_rdma_listener *l);
int smb_rdma_listener_fd(const struct smb_rdma_listener *l);
const char *smb_rdma_listener_name(const struct smb_rdma_listener *l);

/*
 * smb_rdma_ops.accept(listener, &conn): handles the listener's rdma_cm
 * events; 0 with *conn for an accepted connection, -EAGAIN when none is
 * pending.
 */

int smb_rdma_conn_fd(struct smb_tconn *c);
/*
 * Service the connection (completions, rdma_cm events, timers) and hand
 * over the next PDU: 1 with *pdu (free with smb_rdma_pdu_free), 0 when
 * none is ready, -ECONNRESET once the connection is gone and every PDU
 * was taken.
 */
int smb_rdma_recv_owned(struct smb_tconn *c, u8 **pdu, size_t *len);
void smb_rdma_pdu_free(struct smb_tconn *c, u8 *pdu);
/* Service without taking PDUs: 0, or -ECONNRESET when gone. */
int smb_rdma_service(struct smb_tconn *c);
bool smb_rdma_conn_is_closed(struct smb_tconn *c);
/* Disconnect if needed and release everything; no other thread may use c. */
void smb_rdma_conn_free(struct smb_tconn *c);

/* Counters since the process started. */
struct smb_rdma_stats {
	u64 accepted;
	u64 rdma_reads; /* RDMA Read transfers (SMB2 WRITE data pulled) */
	u64 rdma_read_bytes;
	u64 rdma_writes; /* RDMA Write transfers (SMB2 READ data pushed) */
	u64 rdma_write_bytes;
	u64 rw_bounced; /* transfers copied through the bounce buffer */
	u64 rw_failed;
};
void smb_rdma_get_stats(struct smb_rdma_stats *out);

#endif /* SMB_RDMA_POSIX_H */
