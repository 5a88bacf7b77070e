/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smbdirect.h - the SMB Direct protocol ([MS-SMBD] 1.0), server side,
 * without any I/O.
 *
 * The engine owns the protocol state of one RDMA connection: negotiation,
 * send and receive credits, keep-alives, fragmentation of outgoing SMB2
 * PDUs into Data Transfer messages and reassembly of incoming ones.  A
 * backend (librdmacm/libibverbs in userspace, rdma_cm in the kernel) owns
 * the queue pair and the memory, and drives the engine:
 *
 *   - on a connect request, create the engine, make sure one receive
 *     buffer of cfg.max_recv_size bytes can be posted, accept, and call
 *     smbdirect_engine_start(); the engine asks for that first buffer
 *     through ops.post_recv;
 *   - for every receive completion call smbdirect_engine_on_recv() with the
 *     bytes received.  The buffer is then free (the engine copies what it
 *     keeps) and no longer posted: the engine alone decides how many
 *     buffers are posted, through ops.post_recv, and announces them to the
 *     peer as credits.  Keep freed buffers on a list for the next post;
 *   - call smbdirect_engine_tick() after each batch of completions and at
 *     the latest at the time it returned (a timerfd), for the negotiation,
 *     idle and keep-alive timers;
 *   - when ops.post_send said SMBDIRECT_POST_BUSY (no free send slot), call
 *     smbdirect_engine_on_send_done() once a send completion frees one;
 *   - when the RDMA connection goes away (DISCONNECTED event, a completion
 *     with an error), call smbdirect_engine_close().
 *
 * The engine calls back into the backend:
 *   - post_send(ctx, iov, niov): one RDMA Send of one whole SMBD message,
 *     header first, at most 16 iovs.  The backend copies (or otherwise
 *     stops needing) the bytes before it returns: the iovs point into
 *     engine or caller memory.  Returns 0, SMBDIRECT_POST_BUSY (the engine
 *     keeps the message and retries after smbdirect_engine_on_send_done()),
 *     or <0 to give up the connection.  The Negotiate Response, the first
 *     send, must not be refused as busy.
 *   - post_recv(ctx, count): post count more receive buffers; returns how
 *     many were posted (0..count) or <0 to give up the connection.
 *   - deliver(ctx, pdu, len): a complete upper-layer PDU (an SMB2 message).
 *     The callee owns pdu and frees it with smbdirect_engine_free_pdu()
 *     (from any thread).  It may call smbdirect_engine_send_pdu() and
 *     smbdirect_engine_close() from inside, but must not free the engine.
 *   - disconnect(ctx, reason): the engine is done with the connection
 *     (an enum smbdirect_disconnect_reason).  Called at most once.  Sends
 *     already posted should complete first (e.g. a Negotiate Response with
 *     a failure status), then the backend disconnects.  No engine call may
 *     be made from inside it.
 *   post_send and post_recv must not call back into the engine.
 *
 * Negotiation ([MS-SMBD] 3.1.5.6): a request shorter than 20 bytes, with
 * CreditsRequested 0, MaxReceiveSize < 128 or MaxFragmentedSize < 128 KiB
 * is dropped without an answer; a version range without 0x0100 gets a
 * Negotiate Response with STATUS_NOT_SUPPORTED, then a disconnect.  Bytes
 * after the 20 are ignored ("at least 20 bytes").  Our receive size is
 * min(cfg.max_recv_size, PreferredSendSize), at least 128; our send size
 * min(cfg.max_send_size, MaxReceiveSize).
 *
 * Credits ([MS-SMBD] 3.1.5.1, 3.1.5.8, 3.1.5.9): every message sent takes
 * one send credit; on its last send credit the engine only sends a
 * message that grants credits back (posting one buffer above the peer's
 * target if it must), so neither side is left without one.  The peer's
 * CreditsRequested is the receive credit target, capped by
 * cfg.recv_credit_max.  Buffers are posted and granted as messages go out;
 * when nothing is queued and the peer is down to half its target, or it
 * asked for a response, an empty message carries the grant.  A peer that
 * sends more messages than it holds credits is disconnected.
 *
 * Not thread-safe: calls for one engine must be serialised by the caller.
 * Kernel-clean: includes only core headers and transport.h.
 */
#ifndef SMB_SMBDIRECT_H
#define SMB_SMBDIRECT_H

#include "../core/compat.h"
#include "../core/ops.h"
#include "transport.h"

/* Wire constants ([MS-SMBD] 2.2). */
#define SMBDIRECT_PROTOCOL_V1 0x0100
#define SMBDIRECT_NEGOTIATE_REQ_SIZE 20
#define SMBDIRECT_NEGOTIATE_RESP_SIZE 32
/* A Data Transfer header without padding: an empty message. */
#define SMBDIRECT_DATA_MIN_SIZE 20
#define SMBDIRECT_DATA_OFFSET 24 /* where this engine puts the payload */
#define SMBDIRECT_FLAG_RESPONSE_REQUESTED 0x0001
#define SMBDIRECT_MIN_RECEIVE_SIZE 128 /* 3.1.5.6 */
#define SMBDIRECT_MIN_FRAGMENTED_SIZE 131072 /* 3.1.5.6 */
#define SMBDIRECT_BUFFER_DESC_SIZE 16 /* SMB_DIRECT_BUFFER_DESCRIPTOR_V1 */

/* Configuration defaults (used for fields left 0). */
#define SMBDIRECT_DEFAULT_RECV_CREDIT_MAX 255
#define SMBDIRECT_DEFAULT_SEND_CREDIT_TARGET 255
#define SMBDIRECT_DEFAULT_MAX_SEND_SIZE 1364
#define SMBDIRECT_DEFAULT_MAX_RECV_SIZE 1364
#define SMBDIRECT_DEFAULT_MAX_FRAGMENTED_RECV (1024u * 1024)
#define SMBDIRECT_DEFAULT_MAX_READ_WRITE (1024u * 1024u) /* 1 MiB, as Linux cifs uses */
#define SMBDIRECT_DEFAULT_KEEPALIVE_INTERVAL_MS 120000u
#define SMBDIRECT_DEFAULT_KEEPALIVE_TIMEOUT_MS 5000u
#define SMBDIRECT_DEFAULT_NEGOTIATE_TIMEOUT_MS 5000u
#define SMBDIRECT_DEFAULT_MAX_QUEUED_BYTES (16u * 1024 * 1024)

/* Time value meaning "no timer pending" from smbdirect_engine_tick(). */
#define SMBDIRECT_TICK_NEVER U64_MAX

/* ops.post_send: no send slot free now; retry after on_send_done. */
#define SMBDIRECT_POST_BUSY 1

/* Errors returned by engine functions. */
enum smbdirect_error {
	SMBDIRECT_OK = 0,
	SMBDIRECT_ERR_INVAL = -1, /* bad argument or configuration */
	SMBDIRECT_ERR_STATE = -2, /* not allowed in this state */
	SMBDIRECT_ERR_NOMEM = -3,
	SMBDIRECT_ERR_TOO_BIG = -4, /* above the peer's MaxFragmentedSize */
	SMBDIRECT_ERR_PROTO = -5, /* the peer broke the protocol: closed */
	SMBDIRECT_ERR_CLOSED = -6, /* the engine has disconnected */
	SMBDIRECT_ERR_QUEUE_FULL = -7, /* more than max_queued_bytes waiting */
};

enum smbdirect_state {
	SMBDIRECT_STATE_IDLE = 0, /* created, not started */
	SMBDIRECT_STATE_NEGOTIATE = 1, /* waiting for the Negotiate Request */
	SMBDIRECT_STATE_CONNECTED = 2, /* Data Transfer messages flow */
	SMBDIRECT_STATE_CLOSED = 3, /* disconnect requested; input ignored */
};

enum smbdirect_disconnect_reason {
	SMBDIRECT_DISC_LOCAL = 1, /* smbdirect_engine_close() */
	SMBDIRECT_DISC_PROTOCOL = 2, /* malformed message or negotiation */
	SMBDIRECT_DISC_CREDITS = 3, /* sent without a credit, overgranted */
	SMBDIRECT_DISC_REASSEMBLY = 4, /* inconsistent RemainingDataLength */
	SMBDIRECT_DISC_NEGOTIATE_REJECTED = 5, /* failure response sent */
	SMBDIRECT_DISC_NEGOTIATE_TIMEOUT = 6,
	SMBDIRECT_DISC_KEEPALIVE_TIMEOUT = 7,
	SMBDIRECT_DISC_NOMEM = 8,
	SMBDIRECT_DISC_BACKEND = 9, /* post_send or post_recv failed */
};

/*
 * Server configuration ([MS-SMBD] 3.1.1.1); 0 selects the default.  The
 * sizes count whole SMBD messages, header included.
 */
struct smbdirect_config {
	u16 recv_credit_max; /* ReceiveCreditMax: buffers posted at most */
	u16 send_credit_target; /* SendCreditTarget: credits we ask for */
	u32 max_send_size; /* MaxSendSize, >= 128 */
	u32 max_recv_size; /* MaxReceiveSize: size of each receive buffer */
	u32 max_fragmented_recv_size; /* largest PDU reassembled, >= 128 KiB */
	u32 max_read_write_size; /* MaxReadWriteSize advertised */
	u32 keepalive_interval_ms; /* idle time before a keep-alive */
	u32 keepalive_timeout_ms; /* wait for any message after it */
	u32 negotiate_timeout_ms; /* wait for the Negotiate Request */
	u32 max_queued_bytes; /* PDU bytes waiting for send credits */
	bool no_keepalive; /* disable the idle keep-alive */
};

struct smbdirect_engine_ops {
	int (*post_send)(void *ctx, const struct smb_iov *iov, int niov);
	int (*post_recv)(void *ctx, u32 count);
	void (*deliver)(void *ctx, u8 *pdu, size_t len);
	void (*disconnect)(void *ctx, int reason);
};

struct smbdirect_stats {
	u64 msgs_in; /* Data Transfer messages received */
	u64 msgs_out; /* Data Transfer messages sent */
	u64 bytes_in; /* wire bytes of those */
	u64 bytes_out;
	u64 pdus_in; /* upper-layer PDUs delivered */
	u64 pdus_out; /* upper-layer PDUs accepted for sending */
	u64 empty_out; /* messages without payload (grants, keep-alives) */
	u64 keepalives_out; /* messages sent with RESPONSE_REQUESTED */
	u64 credit_stalls; /* times sending stopped for lack of credits */
	u64 protocol_errors; /* disconnects caused by the peer */
};

/* A snapshot of the engine for statistics and tests. */
struct smbdirect_info {
	enum smbdirect_state state;
	int disconnect_reason; /* 0 while not closed */
	/* Negotiated ([MS-SMBD] 3.1.5.6); 0 before negotiation. */
	u32 max_send_size; /* our messages, header included */
	u32 max_recv_size; /* the peer's messages, header included */
	u32 max_fragmented_send_size; /* largest PDU we may send */
	u32 max_fragmented_recv_size; /* largest PDU we accept */
	u32 max_read_write_size;
	/* Credits. */
	u32 send_credits; /* messages we may still send */
	u32 recv_credits; /* messages the peer may still send */
	u32 recv_posted; /* receive buffers posted (>= recv_credits) */
	u32 recv_credit_target; /* the peer's last CreditsRequested */
	u32 queued_bytes; /* PDU bytes waiting to be sent */
	bool reassembling; /* part of a fragmented PDU received */
	struct smbdirect_stats stats;
};

struct smbdirect_engine;

/* Fill every 0 field of cfg with its default. */
void smbdirect_config_defaults(struct smbdirect_config *cfg);

/*
 * Create an engine (state IDLE).  cfg may be NULL for defaults; values
 * below the protocol minimums are refused with SMBDIRECT_ERR_INVAL.  ctx is
 * passed to every op.
 */
int smbdirect_engine_new(const struct smbdirect_config *cfg,
			 const struct smb_allocator *mem,
			 const struct smbdirect_engine_ops *ops, void *ctx,
			 struct smbdirect_engine **out);
/* Free the engine, its send queue and any partial PDU; no callbacks. */
void smbdirect_engine_free(struct smbdirect_engine *e);
/* Free a PDU handed over by ops.deliver. */
void smbdirect_engine_free_pdu(struct smbdirect_engine *e, u8 *pdu);

/*
 * The connection is accepted: post the buffer for the Negotiate Request
 * and start the negotiation timer.  now_ms is a monotonic clock.
 */
int smbdirect_engine_start(struct smbdirect_engine *e, u64 now_ms);

/*
 * One received message (the bytes of one receive completion).  Returns 0
 * or a negative smbdirect_error; after SMBDIRECT_ERR_PROTO the engine has
 * disconnected.
 */
int smbdirect_engine_on_recv(struct smbdirect_engine *e, const u8 *msg,
			     size_t len);

/* A send completed after post_send reported SMBDIRECT_POST_BUSY: retry. */
void smbdirect_engine_on_send_done(struct smbdirect_engine *e);

/*
 * Run the timers.  Returns the monotonic time at which to call again
 * (SMBDIRECT_TICK_NEVER when no timer runs); calling earlier is harmless.
 */
u64 smbdirect_engine_tick(struct smbdirect_engine *e, u64 now_ms);

/*
 * Send one upper-layer PDU made of iovs (total 1 .. the peer's
 * MaxFragmentedSize bytes).  What credits allow is sent at once straight
 * from the iovs; the rest is copied and sent in order as credits arrive,
 * so the iovs may be reused when this returns 0.
 */
int smbdirect_engine_send_pdu(struct smbdirect_engine *e,
			      const struct smb_iov *iov, int niov);

/* Disconnect from our side (or after the backend saw the link go). */
void smbdirect_engine_close(struct smbdirect_engine *e);

enum smbdirect_state smbdirect_engine_state(const struct smbdirect_engine *e);
void smbdirect_engine_get_info(const struct smbdirect_engine *e,
			       struct smbdirect_info *out);

/*
 * Parse the channel information of an SMB2 READ/WRITE over RDMA: an array
 * of SMB_DIRECT_BUFFER_DESCRIPTOR_V1 ([MS-SMBD] 2.2.3.1: Offset u64,
 * Token u32, Length u32).  len must be a non-zero multiple of 16 and hold
 * at most max descriptors.  Fills out[0..*count) and *total (sum of the
 * lengths).  Returns 0 or SMBDIRECT_ERR_INVAL.
 */
int smbdirect_parse_buffer_descriptors(const u8 *buf, size_t len,
				       struct smb_rdma_desc *out, int max,
				       int *count, u64 *total);

#endif /* SMB_SMBDIRECT_H */
