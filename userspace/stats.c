// SPDX-License-Identifier: GPL-2.0-or-later
/* stats.c - per-transport counters (see stats.h). */
#include <stdatomic.h>
#include <stdio.h>

#include "platform.h"
#include "stats.h"

static _Atomic u64 counters[SMBD_STATS_TRANSPORTS][SMBD_STAT_COUNT];

static const char *const keys[SMBD_STAT_COUNT] = {
	[SMBD_STAT_ACCEPTED] = "accepted",
	[SMBD_STAT_CLOSED] = "closed",
	[SMBD_STAT_REFUSED] = "refused",
	[SMBD_STAT_ERRORS] = "errors",
	[SMBD_STAT_BYTES_IN] = "bytes_in",
	[SMBD_STAT_BYTES_OUT] = "bytes_out",
	[SMBD_STAT_PDUS_IN] = "pdus_in",
	[SMBD_STAT_PDUS_OUT] = "pdus_out",
	[SMBD_STAT_RDMA_READS] = "rdma_reads",
	[SMBD_STAT_RDMA_READ_BYTES] = "rdma_read_bytes",
	[SMBD_STAT_RDMA_WRITES] = "rdma_writes",
	[SMBD_STAT_RDMA_WRITE_BYTES] = "rdma_write_bytes",
	[SMBD_STAT_CREDIT_STALLS] = "credit_stalls",
};

/* Slot of a transport kind, or -1. */
static int slot_of(enum smb_transport_kind kind)
{
	switch (kind) {
	case SMB_TRANSPORT_TCP:
		return 0;
	case SMB_TRANSPORT_RDMA:
		return 1;
	}
	return -1;
}

enum smb_transport_kind smbd_stats_transport_kind(int index)
{
	return index == 1 ? SMB_TRANSPORT_RDMA : SMB_TRANSPORT_TCP;
}

const char *smbd_stats_transport_name(enum smb_transport_kind kind)
{
	return kind == SMB_TRANSPORT_RDMA ? "rdma" :
	       kind == SMB_TRANSPORT_TCP  ? "tcp" :
					    "?";
}

const char *smbd_stat_key(enum smbd_stat s)
{
	return (unsigned int)s < SMBD_STAT_COUNT ? keys[s] : "?";
}

bool smbd_stat_applies(enum smb_transport_kind kind, enum smbd_stat s)
{
	switch (s) {
	case SMBD_STAT_RDMA_READS:
	case SMBD_STAT_RDMA_READ_BYTES:
	case SMBD_STAT_RDMA_WRITES:
	case SMBD_STAT_RDMA_WRITE_BYTES:
	case SMBD_STAT_CREDIT_STALLS:
		return kind == SMB_TRANSPORT_RDMA;
	default:
		return slot_of(kind) >= 0 && (unsigned int)s < SMBD_STAT_COUNT;
	}
}

void smbd_stats_add(enum smb_transport_kind kind, enum smbd_stat s, u64 n)
{
	int t = slot_of(kind);

	if (t < 0 || (unsigned int)s >= SMBD_STAT_COUNT || !n)
		return;
	atomic_fetch_add_explicit(&counters[t][s], n, memory_order_relaxed);
}

void smbd_stats_get(enum smb_transport_kind kind,
		    struct smbd_transport_stats *out)
{
	int t = slot_of(kind);

	memset(out, 0, sizeof(*out));
	if (t < 0)
		return;
	/* closed before accepted: a connection is counted in before out. */
	out->v[SMBD_STAT_CLOSED] = atomic_load_explicit(
		&counters[t][SMBD_STAT_CLOSED], memory_order_acquire);
	for (int s = 0; s < SMBD_STAT_COUNT; s++)
		if (s != SMBD_STAT_CLOSED)
			out->v[s] = atomic_load_explicit(&counters[t][s],
							 memory_order_acquire);
	if (out->v[SMBD_STAT_ACCEPTED] > out->v[SMBD_STAT_CLOSED])
		out->active =
			out->v[SMBD_STAT_ACCEPTED] - out->v[SMBD_STAT_CLOSED];
}

/* Append one line; *len grows by what it needs even without room. */
static void put_line(char *buf, size_t size, size_t *len, const char *tname,
		     const char *key, u64 v)
{
	char *at = *len < size ? buf + *len : NULL;
	int n = snprintf(at, at ? size - *len : 0, "%s.%s %llu\n", tname, key,
			 (unsigned long long)v);

	if (n > 0)
		*len += (size_t)n;
}

size_t smbd_stats_format(char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (int i = 0; i < SMBD_STATS_TRANSPORTS; i++) {
		enum smb_transport_kind kind = smbd_stats_transport_kind(i);
		const char *tname = smbd_stats_transport_name(kind);
		struct smbd_transport_stats st;

		smbd_stats_get(kind, &st);
		put_line(buf, size, &len, tname, keys[SMBD_STAT_ACCEPTED],
			 st.v[SMBD_STAT_ACCEPTED]);
		put_line(buf, size, &len, tname, "active", st.active);
		for (int s = SMBD_STAT_ACCEPTED + 1; s < SMBD_STAT_COUNT; s++)
			if (smbd_stat_applies(kind, s))
				put_line(buf, size, &len, tname, keys[s],
					 st.v[s]);
	}
	return len;
}

void smbd_stats_reset(void)
{
	for (int t = 0; t < SMBD_STATS_TRANSPORTS; t++)
		for (int s = 0; s < SMBD_STAT_COUNT; s++)
			atomic_store_explicit(&counters[t][s], 0,
					      memory_order_relaxed);
}
