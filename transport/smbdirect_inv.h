/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smbdirect_inv.h - which SMB2 responses must invalidate a client buffer.
 *
 * A READ or WRITE on SMB2_CHANNEL_RDMA_V1_INVALIDATE ([MS-SMB2] 2.2.19,
 * 2.2.21, 3.3.5.12, 3.3.5.13) asks the server to invalidate the client's
 * memory registration of its first buffer descriptor with the response
 * (an RDMA Send with Invalidate, [MS-SMBD] 3.1.4.1).  A backend notes such
 * requests as PDUs arrive and, when the responses are sent, learns which
 * tokens to invalidate.  Sans-I/O, kernel-clean; not thread-safe.
 */
#ifndef SMB_SMBDIRECT_INV_H
#define SMB_SMBDIRECT_INV_H

#include "../core/compat.h"

#define SMBDIRECT_INV_TRACK 64

struct smbdirect_inv {
	struct {
		u64 mid;
		u32 token;
		u16 cmd;
	} req[SMBDIRECT_INV_TRACK];
	int nreq;
};

/*
 * Walk the compound chain of a received SMB2 request PDU and note every
 * READ/WRITE on SMB2_CHANNEL_RDMA_V1_INVALIDATE (MessageId and the first
 * descriptor's token).  Malformed input is skipped (the core refuses it);
 * when the table is full the oldest entry goes.
 */
void smbdirect_inv_scan_request(struct smbdirect_inv *t, const u8 *pdu,
				size_t len);

/*
 * One outgoing SMB2 response (header first, len bytes): if it answers a
 * noted request (same MessageId and command), forget the request, set
 * *token and return true.
 */
bool smbdirect_inv_match_response(struct smbdirect_inv *t, const u8 *rsp,
				  size_t len, u32 *token);

#endif /* SMB_SMBDIRECT_INV_H */
