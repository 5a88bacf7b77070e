/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * server.h - the userspace connection engine.
 *
 * One event-loop thread accepts connections of every transport (TCP, SMB
 * Direct) and reads them (non-blocking, epoll: a socket, or the descriptor
 * an RDMA connection exposes); every complete PDU becomes a work item for a fixed
 * pool of worker threads.  PDUs of one connection are handled strictly in
 * order and never concurrently; different connections run in parallel.  A
 * connection whose queue grows past max_queued_pdus or max_queued_bytes is
 * not read until its workers catch up, so TCP flow control pushes back on
 * the client (SMB Direct: its completions are still serviced, but its PDUs
 * stay in the transport).
 *
 * The engine knows nothing about SMB: a handler turns connections and PDUs
 * into calls to the core (smb_conn_new / smb_conn_input / smb_conn_free).
 */
#ifndef SMBD_SERVER_H
#define SMBD_SERVER_H

#include "platform.h"
#include "transport.h"
#include "tcp_posix.h"
#include "rdma_posix.h"

enum smbd_pdu_class {
	SMBD_PDU_ALONE, /* waits for all earlier PDUs; later ones wait for it */
	SMBD_PDU_OVERLAP, /* may run beside other overlapping PDUs */
	/*
	 * Overlaps, and is cheap and never waits for I/O (beyond sending
	 * its small reply): when nothing of its connection is queued, the
	 * event loop runs it itself, saving two thread switches.
	 */
	SMBD_PDU_QUICK,
};

struct smbd_conn_handler {
	/*
	 * A connection was accepted (event-loop thread).  Returns the
	 * handler's per-connection state, or NULL to refuse it.  t and tc
	 * stay valid until conn_close returns; send replies with
	 * t->send_pdu(tc, ...) from any thread.
	 */
	void *(*conn_open)(void *ctx, const struct smb_transport_ops *t,
			   struct smb_tconn *tc);
	/*
	 * One PDU, on a worker thread (or the event-loop thread for a quick
	 * one), in arrival order.  Calls for one connection overlap only for
	 * PDUs that conn_classify says may (at most max_inflight at once);
	 * any other PDU runs alone.  pdu is freed after the call returns.
	 * <0 drops the connection (its queued PDUs are discarded).
	 */
	int (*conn_input)(void *conn, u8 *pdu, size_t len);
	/*
	 * Optional (event-loop thread, when the PDU arrives): an
	 * enum smbd_pdu_class.  Unset: every PDU runs alone.
	 */
	int (*conn_classify)(void *conn, const u8 *pdu, size_t len);
	/*
	 * Exactly once per opened connection, after its last conn_input
	 * returned, on any engine thread.  tc is freed right after, so the
	 * handler must make sure no other thread still sends on it.
	 */
	void (*conn_close)(void *conn);
	/* Optional: called about once a second from the event-loop thread. */
	void (*tick)(void *ctx);
	void *ctx;
};

struct smbd_server_opts {
	int workers; /* worker threads; 0: 4 */
	int max_connections; /* more are accepted and closed; 0: 1024 */
	int idle_timeout_s; /* drop connections silent this long; 0: never */
	int max_queued_pdus; /* per connection before reading pauses; 0: 64 */
	size_t max_queued_bytes; /* likewise; 0: 16 MiB */
	/* PDUs of one connection processed at once (overlapping); 0: 8 */
	int max_inflight;
};

/*
 * What the engine needs from a userspace transport beyond the core's ops
 * table.  Connection descriptors are polled for input (level-triggered).
 */
struct smbd_transport {
	const struct smb_transport_ops *ops;
	int (*listener_fd)(void *l);
	const char *(*listener_name)(void *l);
	int (*conn_fd)(struct smb_tconn *c);
	/* 1 with a PDU handed over, 0 for "nothing yet", <0 (-ECONNRESET: peer closed). */
	int (*recv_owned)(struct smb_tconn *c, u8 **pdu, size_t *len);
	void (*pdu_free)(struct smb_tconn *c, u8 *pdu);
	void (*conn_free)(struct smb_tconn *c);
	/*
	 * Optional: make progress without taking PDUs, while the connection's
	 * queue is full (RDMA completions a worker may be waiting for).  The
	 * descriptor stays polled when set.  <0 drops the connection.
	 */
	int (*service)(struct smb_tconn *c);
	/*
	 * Optional: would a small reply go out now without waiting?  Only
	 * then does the event loop run a quick PDU itself.  Unset: never.
	 */
	bool (*send_ready)(struct smb_tconn *c);
};

extern const struct smbd_transport smbd_tcp_transport;
extern const struct smbd_transport smbd_rdma_transport;

/* One listener of some transport, e.g. { &smbd_tcp_transport, tcp_l }. */
struct smbd_listener {
	const struct smbd_transport *t;
	void *l;
};

/*
 * Serve until smbd_server_stop().  Listeners stay owned by the caller (they
 * are only polled); every connection is closed and every thread joined
 * before this returns.  One server runs at a time.  Returns 0, or a
 * negative errno if the engine could not start.
 */
int smbd_server_run(const struct smbd_server_opts *opts,
		    const struct smbd_conn_handler *h,
		    struct smb_tcp_listener *const *listeners, int nlisteners);
/* The same for listeners of any transport (TCP and RDMA in one loop). */
int smbd_server_run_any(const struct smbd_server_opts *opts,
			const struct smbd_conn_handler *h,
			const struct smbd_listener *listeners, int nlisteners);

/*
 * Ask the running server to stop; async-signal-safe, so a SIGINT/SIGTERM
 * handler may call it.  A stop requested while no server runs makes the
 * next smbd_server_run() return at once.
 */
void smbd_server_stop(void);

/* Counters since the process started (for tests and monitoring). */
struct smbd_server_stats {
	u64 accepted; /* connections handed to conn_open */
	u64 refused; /* over max_connections or refused by conn_open */
	u64 closed; /* conn_close calls */
	u64 read_pauses; /* times a connection's queue was full */
	u64 pdus; /* PDUs handed to conn_input */
};
void smbd_server_get_stats(struct smbd_server_stats *out);

#endif /* SMBD_SERVER_H */
