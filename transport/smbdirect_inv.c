// SPDX-License-Identifier: GPL-2.0-or-later
/* smbdirect_inv.c - responses that must invalidate a client buffer. */
#include "../core/compat.h"
#include "../core/smb2.h"
#include "smbdirect.h"
#include "smbdirect_inv.h"

/* READ/WRITE request bodies: Channel, ChannelInfoOffset, ...Length. */
#define READ_CHANNEL 36
#define READ_CHANNEL_INFO 44
#define WRITE_CHANNEL 32
#define WRITE_CHANNEL_INFO 40
#define RW_BODY_MIN 48
#define DESC_TOKEN 8

static void forget(struct smbdirect_inv *t, int i)
{
	t->nreq--;
	memmove(&t->req[i], &t->req[i + 1],
		(size_t)(t->nreq - i) * sizeof(t->req[0]));
}

static void note(struct smbdirect_inv *t, u16 cmd, u64 mid, u32 token)
{
	if (t->nreq == SMBDIRECT_INV_TRACK)
		forget(t, 0);
	t->req[t->nreq].mid = mid;
	t->req[t->nreq].token = token;
	t->req[t->nreq].cmd = cmd;
	t->nreq++;
}

void smbdirect_inv_scan_request(struct smbdirect_inv *t, const u8 *pdu,
				size_t len)
{
	size_t off = 0;

	while (len - off >= SMB2_HDR_SIZE) {
		const u8 *h = pdu + off, *b = h + SMB2_HDR_SIZE;
		size_t room = len - off;
		u16 cmd = smb_get_le16(h + SMB2_HDR_COMMAND);
		u32 next = smb_get_le32(h + SMB2_HDR_NEXT_COMMAND);

		if (smb_get_le32(h) != SMB2_PROTO_ID)
			return;
		if ((cmd == SMB2_READ || cmd == SMB2_WRITE) &&
		    room >= SMB2_HDR_SIZE + RW_BODY_MIN) {
			bool rd = cmd == SMB2_READ;
			u32 channel = smb_get_le32(
				b + (rd ? READ_CHANNEL : WRITE_CHANNEL));
			const u8 *ci = b + (rd ? READ_CHANNEL_INFO :
						 WRITE_CHANNEL_INFO);
			u16 ci_off = smb_get_le16(ci);
			u16 ci_len = smb_get_le16(ci + 2);

			if (channel == SMB2_CHANNEL_RDMA_V1_INVALIDATE &&
			    ci_len >= SMBDIRECT_BUFFER_DESC_SIZE &&
			    (size_t)ci_off + SMBDIRECT_BUFFER_DESC_SIZE <= room)
				note(t, cmd,
				     smb_get_le64(h + SMB2_HDR_MESSAGE_ID),
				     smb_get_le32(h + ci_off + DESC_TOKEN));
		}
		if (next < SMB2_HDR_SIZE || next >= room)
			return;
		off += next;
	}
}

bool smbdirect_inv_match_response(struct smbdirect_inv *t, const u8 *rsp,
				  size_t len, u32 *token)
{
	u16 cmd;
	u64 mid;

	if (!t->nreq || len < SMB2_HDR_SIZE ||
	    smb_get_le32(rsp) != SMB2_PROTO_ID)
		return false;
	cmd = smb_get_le16(rsp + SMB2_HDR_COMMAND);
	if (cmd != SMB2_READ && cmd != SMB2_WRITE)
		return false;
	mid = smb_get_le64(rsp + SMB2_HDR_MESSAGE_ID);
	for (int i = 0; i < t->nreq; i++) {
		if (t->req[i].mid != mid || t->req[i].cmd != cmd)
			continue;
		*token = t->req[i].token;
		forget(t, i);
		return true;
	}
	return false;
}
