// SPDX-License-Identifier: GPL-2.0-or-later
/* rw.c - SMB2 READ, WRITE and FLUSH ([MS-SMB2] 3.3.5.11-13). */
#include "internal.h"

#define READ_REQ_FIXED 48
#define READ_RESP_FIXED 16
#define WRITE_REQ_FIXED 48
#define WRITE_RESP_SIZE 16
#define MAX_FILE_OFFSET 0x7fffffffffffffffull

int smb2_read(struct smb_work *w)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	const u8 *b = smb_req_body(w);
	struct smb_open *op;
	u32 length, min_count, channel;
	u64 offset, end;
	size_t done = 0;
	u32 st;
	u8 *r;

	if (smb_req_body_len(w) < READ_REQ_FIXED || smb_get_le16(b) != 49)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	length = smb_get_le32(b + 4);
	offset = smb_get_le64(b + 8);
	min_count = smb_get_le32(b + 32);
	channel = smb_get_le32(b + 36);
	op = smb_open_find(w, b + 16);
	if (!op)
		return smb_resp_error(w, w->status);
	if (channel != SMB2_CHANNEL_NONE) {
		/* RDMA channels need a transport with RDMA (SMB Direct). */
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	}
	if (length > w->conn->max_read)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (op->is_dir)
		return smb_resp_error(w, STATUS_INVALID_DEVICE_REQUEST);
	if (!(op->access & (FILE_READ_DATA | FILE_EXECUTE)))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (!op->pipe &&
	    (offset > MAX_FILE_OFFSET || smb_add_overflow(offset, length, &end) ||
	     end > MAX_FILE_OFFSET))
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);

	/* Read straight into the response: one copy from file to wire. */
	r = smb_resp_body(w, READ_RESP_FIXED + (size_t)length);
	if (!r)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	if (op->pipe)
		st = smb_ipc_read(op, r + READ_RESP_FIXED, length, &done);
	else
		st = length ? vfs->pread(op->file, r + READ_RESP_FIXED, length,
					 offset, &done) :
			      STATUS_SUCCESS;
	if (NT_STATUS_IS_ERROR(st))
		return smb_resp_error(w, st);
	if (!op->pipe && ((done == 0 && length > 0) || done < min_count))
		return smb_resp_error(w, STATUS_END_OF_FILE);
	smb_put_le16(r, 17);
	r[2] = SMB2_HDR_SIZE + READ_RESP_FIXED;
	smb_put_le32(r + 4, (u32)done);
	smb_put_le32(r + 8, 0);
	smb_resp_set_body_len(w, READ_RESP_FIXED + done);
	w->status = st; /* STATUS_BUFFER_OVERFLOW for a partial pipe message */
	if (!op->pipe)
		op->position = offset + done;
	return 0;
}

int smb2_write(struct smb_work *w)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	const u8 *b = smb_req_body(w);
	struct smb_open *op;
	const u8 *data;
	u32 length, channel, flags;
	u64 offset, end;
	size_t done = 0;
	u32 st;
	u8 *r;

	if (smb_req_body_len(w) < WRITE_REQ_FIXED || smb_get_le16(b) != 49)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	length = smb_get_le32(b + 4);
	offset = smb_get_le64(b + 8);
	channel = smb_get_le32(b + 32);
	flags = smb_get_le32(b + 44);
	op = smb_open_find(w, b + 16);
	if (!op)
		return smb_resp_error(w, w->status);
	if (channel != SMB2_CHANNEL_NONE)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (length > w->conn->max_write)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	data = smb_req_range(w, smb_get_le16(b + 2), length);
	if (!data)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (op->is_dir)
		return smb_resp_error(w, STATUS_INVALID_DEVICE_REQUEST);
	if (!(op->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (op->pipe) {
		st = smb_ipc_write(op, data, length);
		if (st)
			return smb_resp_error(w, st);
		done = length;
	} else {
		if (offset == U64_MAX || !(op->access & FILE_WRITE_DATA)) {
			/* Append: at end of file, the only place APPEND_DATA may write. */
			struct smb_stat s;

			if (offset != U64_MAX && !(op->access & FILE_WRITE_DATA))
				return smb_resp_error(w, STATUS_ACCESS_DENIED);
			st = vfs->fstat(op->file, &s);
			if (st)
				return smb_resp_error(w, st);
			offset = s.size;
		}
		if (offset > MAX_FILE_OFFSET ||
		    smb_add_overflow(offset, length, &end) ||
		    end > MAX_FILE_OFFSET)
			return smb_resp_error(w, STATUS_INVALID_PARAMETER);
		st = length ? vfs->pwrite(op->file, data, length, offset,
					  &done) :
			      STATUS_SUCCESS;
		if (st)
			return smb_resp_error(w, st);
		if (flags & SMB2_WRITEFLAG_WRITE_THROUGH) {
			st = vfs->fsync(op->file);
			if (st)
				return smb_resp_error(w, st);
		}
		op->position = offset + done;
	}
	r = smb_resp_body(w, WRITE_RESP_SIZE);
	if (!r)
		return -1;
	smb_put_le16(r, 17);
	smb_put_le32(r + 4, (u32)done);
	return 0;
}

int smb2_flush(struct smb_work *w)
{
	const u8 *b = smb_req_body(w);
	struct smb_open *op;
	u32 st;
	u8 *r;

	if (smb_req_body_len(w) < 24 || smb_get_le16(b) != 24)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	op = smb_open_find(w, b + 8);
	if (!op)
		return smb_resp_error(w, w->status);
	if (!(op->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (op->file && !op->is_dir) {
		st = w->conn->srv->ops.vfs->fsync(op->file);
		if (st)
			return smb_resp_error(w, st);
	}
	r = smb_resp_body(w, 4);
	if (!r)
		return -1;
	smb_put_le16(r, 4);
	return 0;
}
