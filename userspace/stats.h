/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.h - process-wide traffic counters per transport (TCP, SMB Direct).
 *
 * The engine (server.c) counts connections, the transport backends count
 * what crosses the wire.  Every counter is a relaxed C11 atomic: any thread
 * may add, and a snapshot is a set of independent reads (each counter is
 * exact, the set is not taken at one instant).  The control socket
 * (control.h) reports them as "TRANSPORT.KEY VALUE" lines.
 */
#ifndef SMBD_STATS_H
#define SMBD_STATS_H

#include "platform.h"
#include "transport.h"

enum smbd_stat {
	SMBD_STAT_ACCEPTED, /* connections handed to the SMB engine */
	SMBD_STAT_CLOSED, /* of those, closed again */
	SMBD_STAT_REFUSED, /* over the limit, or set-up failed */
	SMBD_STAT_ERRORS, /* protocol errors, failed sends/completions */
	SMBD_STAT_BYTES_IN, /* wire bytes: TCP with its 4-byte framing, */
	SMBD_STAT_BYTES_OUT, /* SMB Direct messages with their headers */
	SMBD_STAT_PDUS_IN, /* SMB2 messages (compound: one) */
	SMBD_STAT_PDUS_OUT,
	SMBD_STAT_RDMA_READS, /* RDMA Read transfers (SMB2 WRITE data) */
	SMBD_STAT_RDMA_READ_BYTES,
	SMBD_STAT_RDMA_WRITES, /* RDMA Write transfers (SMB2 READ data) */
	SMBD_STAT_RDMA_WRITE_BYTES,
	SMBD_STAT_CREDIT_STALLS, /* sends waiting for SMB Direct credits */
	SMBD_STAT_COUNT
};

/* Transports counted; index with smbd_stats_transport_index(). */
#define SMBD_STATS_TRANSPORTS 2

/* Add n to counter s of the transport of that kind (others: ignored). */
void smbd_stats_add(enum smb_transport_kind kind, enum smbd_stat s, u64 n);

static inline void smbd_stats_inc(enum smb_transport_kind kind,
				  enum smbd_stat s)
{
	smbd_stats_add(kind, s, 1);
}

struct smbd_transport_stats {
	u64 v[SMBD_STAT_COUNT];
	u64 active; /* accepted - closed */
};

/* A snapshot of one transport's counters; 0 if kind is unknown. */
void smbd_stats_get(enum smb_transport_kind kind,
		    struct smbd_transport_stats *out);

/* Index 0..SMBD_STATS_TRANSPORTS-1 -> kind and its name ("tcp", "rdma"). */
enum smb_transport_kind smbd_stats_transport_kind(int index);
const char *smbd_stats_transport_name(enum smb_transport_kind kind);

/* The report key of a counter ("bytes_in"). */
const char *smbd_stat_key(enum smbd_stat s);

/* Whether the counter means anything for that transport (RDMA-only ones). */
bool smbd_stat_applies(enum smb_transport_kind kind, enum smbd_stat s);

/*
 * Every counter of every transport as "tcp.accepted 3\n" lines: for each
 * transport accepted, active, then the rest in enum order, skipping the
 * ones that do not apply.  Returns the length (snprintf-like: the size
 * needed, without the NUL, even when buf was too small).
 */
size_t smbd_stats_format(char *buf, size_t size);

/* Zero every counter (tests). */
void smbd_stats_reset(void);

#endif /* SMBD_STATS_H */
