// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tcp_frame.c - Direct TCP framing ([MS-SMB2] 2.1), without any I/O.
 *
 * Invariant between calls: while a message is being assembled, every staged
 * byte belongs to it or to what follows it, and staged bytes are always
 * moved into it before new input is read straight into it, so the byte
 * order on the wire is kept.
 */
#include "../core/compat.h"
#include "tcp_frame.h"

int smb_tcp_frame_init(struct smb_tcp_frame *f, const struct smb_allocator *mem,
		       u32 max_pdu, size_t stage_size)
{
	memset(f, 0, sizeof(*f));
	if (!mem || !mem->alloc || !mem->free || max_pdu == 0 ||
	    max_pdu > SMB_TCP_MAX_LENGTH)
		return SMB_TCP_FRAME_ERR_INVAL;
	if (stage_size == 0)
		stage_size = SMB_TCP_DEFAULT_STAGE;
	if (stage_size < SMB_TCP_HDR_SIZE)
		return SMB_TCP_FRAME_ERR_INVAL;
	f->mem = *mem;
	f->max_pdu = max_pdu;
	f->stage = mem->alloc(stage_size, mem->ctx);
	if (!f->stage)
		return SMB_TCP_FRAME_ERR_NOMEM;
	f->stage_size = stage_size;
	return 0;
}

void smb_tcp_frame_destroy(struct smb_tcp_frame *f)
{
	if (f->pdu)
		f->mem.free(f->pdu, f->mem.ctx);
	if (f->stage)
		f->mem.free(f->stage, f->mem.ctx);
	f->pdu = NULL;
	f->stage = NULL;
	f->error = SMB_TCP_FRAME_ERR_CLOSED;
}

void smb_tcp_frame_free_pdu(struct smb_tcp_frame *f, u8 *pdu)
{
	if (pdu)
		f->mem.free(pdu, f->mem.ctx);
}

static int frame_fail(struct smb_tcp_frame *f, int err)
{
	f->error = err;
	return err;
}

/* Act on a complete 4-byte header at stage[stage_start]. */
static int frame_header(struct smb_tcp_frame *f)
{
	const u8 *h = f->stage + f->stage_start;
	u32 length = smb_get_be32(h) & SMB_TCP_MAX_LENGTH;

	switch (h[0]) {
	case SMB_TCP_TYPE_MESSAGE:
		if (length == 0)
			return frame_fail(f, SMB_TCP_FRAME_ERR_EMPTY);
		if (length > f->max_pdu)
			return frame_fail(f, SMB_TCP_FRAME_ERR_TOO_BIG);
		f->pdu = f->mem.alloc(length, f->mem.ctx);
		if (!f->pdu)
			return frame_fail(f, SMB_TCP_FRAME_ERR_NOMEM);
		f->pdu_len = length;
		f->pdu_have = 0;
		break;
	case SMB_TCP_TYPE_KEEP_ALIVE:
		/* RFC 1002 keep-alives carry no data; tolerate some anyway. */
		if (length > f->max_pdu)
			return frame_fail(f, SMB_TCP_FRAME_ERR_TOO_BIG);
		f->skip = length;
		break;
	case SMB_TCP_TYPE_SESSION_REQUEST:
		f->error = SMB_TCP_FRAME_ERR_CLOSED;
		return SMB_TCP_FRAME_SESSION_REQUEST;
	default:
		return frame_fail(f, SMB_TCP_FRAME_ERR_TYPE);
	}
	f->stage_start += SMB_TCP_HDR_SIZE;
	return SMB_TCP_FRAME_NEED_MORE;
}

int smb_tcp_frame_next(struct smb_tcp_frame *f, u8 **pdu, size_t *len)
{
	for (;;) {
		size_t avail = f->stage_end - f->stage_start;
		size_t n;
		int r;

		if (f->error < 0)
			return f->error;
		if (f->pdu) {
			n = min_t(size_t, avail, f->pdu_len - f->pdu_have);
			memcpy(f->pdu + f->pdu_have, f->stage + f->stage_start,
			       n);
			f->stage_start += n;
			f->pdu_have += (u32)n;
			if (f->pdu_have < f->pdu_len)
				return SMB_TCP_FRAME_NEED_MORE;
			*pdu = f->pdu;
			*len = f->pdu_len;
			f->pdu = NULL;
			return SMB_TCP_FRAME_PDU;
		}
		if (f->skip) {
			n = min_t(size_t, avail, f->skip);
			f->stage_start += n;
			f->skip -= (u32)n;
			if (f->skip)
				return SMB_TCP_FRAME_NEED_MORE;
			continue;
		}
		if (avail < SMB_TCP_HDR_SIZE)
			return SMB_TCP_FRAME_NEED_MORE;
		r = frame_header(f);
		if (r != SMB_TCP_FRAME_NEED_MORE)
			return r;
	}
}

int smb_tcp_frame_rx_space(struct smb_tcp_frame *f, u8 **buf, size_t *room)
{
	size_t avail;

	*buf = NULL;
	*room = 0;
	if (f->error < 0)
		return f->error;
	avail = f->stage_end - f->stage_start;
	if (f->pdu && avail == 0) {
		*buf = f->pdu + f->pdu_have;
		*room = f->pdu_len - f->pdu_have;
		return 0;
	}
	/* Keep the unparsed tail (usually a partial header) at the front. */
	if (f->stage_start) {
		memmove(f->stage, f->stage + f->stage_start, avail);
		f->stage_start = 0;
		f->stage_end = avail;
	}
	*buf = f->stage + f->stage_end;
	*room = f->stage_size - f->stage_end;
	return 0;
}

int smb_tcp_frame_rx_commit(struct smb_tcp_frame *f, size_t n)
{
	if (f->error < 0)
		return f->error;
	if (f->pdu && f->stage_end == f->stage_start) {
		if (n > f->pdu_len - f->pdu_have)
			return frame_fail(f, SMB_TCP_FRAME_ERR_INVAL);
		f->pdu_have += (u32)n;
		return 0;
	}
	if (n > f->stage_size - f->stage_end)
		return frame_fail(f, SMB_TCP_FRAME_ERR_INVAL);
	f->stage_end += n;
	return 0;
}

int smb_tcp_frame_feed(struct smb_tcp_frame *f, const u8 *data, size_t len,
		       size_t *consumed)
{
	*consumed = 0;
	while (*consumed < len) {
		size_t room, n;
		u8 *buf;
		int r = smb_tcp_frame_rx_space(f, &buf, &room);

		if (r < 0)
			return r;
		if (room == 0)
			break;
		n = min_t(size_t, room, len - *consumed);
		memcpy(buf, data + *consumed, n);
		r = smb_tcp_frame_rx_commit(f, n);
		if (r < 0)
			return r;
		*consumed += n;
	}
	return 0;
}

int smb_tcp_frame_header(u8 hdr[SMB_TCP_HDR_SIZE], size_t len)
{
	if (len > SMB_TCP_MAX_LENGTH)
		return -1;
	smb_put_be32(hdr, (u32)len);
	hdr[0] = SMB_TCP_TYPE_MESSAGE;
	return 0;
}

size_t smb_tcp_frame_session_reject(u8 out[5])
{
	out[0] = SMB_TCP_TYPE_NEGATIVE_RESPONSE;
	out[1] = 0;
	out[2] = 0;
	out[3] = 1;
	out[4] = SMB_TCP_NEG_NOT_LISTENING_CALLED;
	return 5;
}
