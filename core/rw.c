// SPDX-License-Identifier: GPL-2.0-or-later
/* rw.c - SMB2 READ, WRITE and FLUSH ([MS-SMB2] 3.3.5.11-13). */
#include "internal.h"
#include "oplock.h"
#include "lock.h"
#include "smbdirect.h"

#define READ_REQ_FIXED 48
#define READ_RESP_FIXED 16
#define WRITE_REQ_FIXED 48
#define WRITE_RESP_SIZE 16
#define MAX_FILE_OFFSET 0x7fffffffffffffffull
#define MAX_RDMA_DESCS 16

/*
 * FilePositionInformation: READs and WRITEs of one connection may run at
 * once (overlap.h); the last one to finish sets it.
 */
static void set_position(struct smb_open *op, u64 position)
{
	__atomic_store_n(&op->position, position, __ATOMIC_RELAXED);
}

static bool is_rdma_channel(u32 channel)
{
	return channel == SMB2_CHANNEL_RDMA_V1 ||
	       channel == SMB2_CHANNEL_RDMA_V1_INVALIDATE;
}

/*
 * The buffer descriptors of an RDMA READ/WRITE ([MS-SMB2] 2.2.19, 2.2.21,
 * [MS-SMBD] 2.2.3.1): present, well formed, within the transport's limit,
 * and covering at least need bytes.  Returns a status.
 */
static u32 rdma_descs(struct smb_work *w, u16 off, u16 len, u64 need,
		      struct smb_rdma_desc *descs, int *count)
{
	const u8 *info = smb_req_range(w, off, len);
	int max =
		(int)min_t(u32, w->conn->limits.max_rdma_descs, MAX_RDMA_DESCS);
	u64 total;

	if (!info || len == 0 || max <= 0 ||
	    smbdirect_parse_buffer_descriptors(info, len, descs, max, count,
					       &total) ||
	    total < need)
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

/*
 * A payload buffer for an RDMA transfer: the transport's pre-registered
 * memory when it has some free (no registration per transfer), else ours.
 */
static u8 *rdma_buf_get(struct smb_conn *conn, u32 length, bool *pooled)
{
	u8 *buf = NULL;

	if (conn->t->io_buf_get && length)
		buf = conn->t->io_buf_get(conn->tc, length);
	*pooled = buf != NULL;
	return buf ? buf : smb_alloc(conn->srv, length ? length : 1);
}

static void rdma_buf_put(struct smb_conn *conn, u8 *buf, bool pooled)
{
	if (pooled)
		conn->t->io_buf_put(conn->tc, buf);
	else
		smb_free(conn->srv, buf);
}

/* READ into client memory by RDMA Write; one copy, file to buffer. */
static int read_rdma(struct smb_work *w, struct smb_open *op, u32 length,
		     u64 offset, u32 min_count)
{
	struct smb_conn *conn = w->conn;
	const u8 *b = smb_req_body(w);
	struct smb_rdma_desc descs[MAX_RDMA_DESCS];
	size_t done = 0;
	bool pooled;
	int count = 0;
	u8 *buf, *r;
	u32 st;

	st = rdma_descs(w, smb_get_le16(b + 44), smb_get_le16(b + 46), length,
			descs, &count);
	if (st)
		return smb_resp_error(w, st);
	buf = rdma_buf_get(conn, length, &pooled);
	if (!buf)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	st = length ? conn->srv->ops.vfs->pread(op->file, buf, length, offset,
						&done) :
		      STATUS_SUCCESS;
	if (!st && ((done == 0 && length > 0) || done < min_count))
		st = STATUS_END_OF_FILE;
	if (!st && done && pooled && conn->t->rdma_write_post) {
		/*
		 * Posted, not waited for: the transport frees buf when the
		 * Write completes, and the response queued after it reaches
		 * the client after the data, so this worker moves on.
		 */
		if (conn->t->rdma_write_post(conn->tc, descs, count, buf,
					     done) < 0)
			return -1; /* the connection is gone */
		buf = NULL;
	} else if (!st && done &&
		   conn->t->rdma_write(conn->tc, descs, count, buf, done) < 0) {
		rdma_buf_put(conn, buf, pooled);
		return -1; /* the RDMA transfer failed: the connection is gone */
	}
	if (buf)
		rdma_buf_put(conn, buf, pooled);
	if (st)
		return smb_resp_error(w, st);
	r = smb_resp_body(w, READ_RESP_FIXED);
	if (!r)
		return -1;
	smb_put_le16(r, 17);
	r[2] = SMB2_HDR_SIZE + READ_RESP_FIXED;
	/* Data went by RDMA: DataLength 0, DataRemaining the bytes written. */
	smb_put_le32(r + 8, (u32)done);
	set_position(op, offset + done);
	return 0;
}

/*
 * Below this a READ is read at once: handing its data to the transport
 * saves less than the extra size lookup costs.
 */
#define READ_SPAN_MIN (64u * 1024)

/*
 * A READ whose data the transport can send from the file (send_file):
 * answer with the size the file has now and leave the data where it is;
 * send_responses() (conn.c) sends it or, when the response must be
 * signed, encrypted or compounded, reads it in.
 */
static int read_span(struct smb_work *w, struct smb_open *op, u32 length,
		     u64 offset, u32 min_count)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_stat s;
	u64 size, avail;
	u32 st;
	u8 *r;

	if (vfs->size) {
		st = vfs->size(op->file, &size);
	} else {
		st = vfs->fstat(op->file, &s);
		size = s.size;
	}
	if (st)
		return smb_resp_error(w, st);
	avail = offset < size ? size - offset : 0;
	if (avail > length)
		avail = length;
	if (avail == 0 || avail < min_count)
		return smb_resp_error(w, STATUS_END_OF_FILE);
	r = smb_resp_body(w, READ_RESP_FIXED);
	if (!r)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	smb_put_le16(r, 17);
	r[2] = SMB2_HDR_SIZE + READ_RESP_FIXED;
	smb_put_le32(r + 4, (u32)avail);
	w->span_file = op->file;
	w->span_off = offset;
	w->span_len = (size_t)avail;
	set_position(op, offset + avail);
	return 0;
}

int smb_read_span_fill(struct smb_work *w)
{
	const size_t head = SMB2_HDR_SIZE + READ_RESP_FIXED;
	size_t done = 0;
	u32 st = STATUS_INSUFFICIENT_RESOURCES;
	u8 *buf;

	if (w->resp_len != head)
		return -1;
	buf = smb_alloc_uninit(w->conn->srv, head + w->span_len + 8);
	if (buf) {
		memcpy(buf, w->resp, head);
		st = w->conn->srv->ops.vfs->pread(w->span_file, buf + head,
						  w->span_len, w->span_off,
						  &done);
		if (!NT_STATUS_IS_ERROR(st) && done == 0)
			st = STATUS_END_OF_FILE; /* truncated meanwhile */
	}
	w->span_file = NULL;
	w->span_len = 0;
	if (NT_STATUS_IS_ERROR(st)) {
		/* The header is final but for its status: an error body. */
		smb_free(w->conn->srv, buf);
		memset(w->resp + SMB2_HDR_SIZE, 0, 9);
		smb_put_le16(w->resp + SMB2_HDR_SIZE, 9);
		smb_put_le32(w->resp + SMB2_HDR_STATUS, st);
		w->resp_len = SMB2_HDR_SIZE + 9;
		w->status = st;
		return 0;
	}
	/* A file that shrank since the READ: the bytes it still has. */
	smb_put_le32(buf + SMB2_HDR_SIZE + 4, (u32)done);
	smb_free(w->conn->srv, w->resp);
	w->resp = buf;
	w->resp_len = head + done;
	w->resp_cap = head + done + 8;
	return 0;
}

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
	if (channel != SMB2_CHANNEL_NONE &&
	    (!is_rdma_channel(channel) || !w->conn->t->rdma_write)) {
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
	    (offset > MAX_FILE_OFFSET ||
	     smb_add_overflow(offset, length, &end) || end > MAX_FILE_OFFSET))
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);

	if (!op->pipe) {
		st = smb_lock_check_io(op, offset, length, false);
		if (st)
			return smb_resp_error(w, st);
	}
	if (is_rdma_channel(channel)) {
		if (op->pipe)
			return smb_resp_error(w, STATUS_INVALID_PARAMETER);
		return read_rdma(w, op, length, offset, min_count);
	}
	if (w->conn->limits.send_file && !op->pipe && length >= READ_SPAN_MIN)
		return read_span(w, op, length, offset, min_count);
	/* Read straight into the response: one copy from file to wire. */
	r = smb_resp_body_data(w, READ_RESP_FIXED, length);
	if (!r)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	if (op->pipe) {
		smb_mutex_lock(w->conn->io_lock);
		st = smb_ipc_read(op, r + READ_RESP_FIXED, length, &done);
		smb_mutex_unlock(w->conn->io_lock);
	} else
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
		set_position(op, offset + done);
	return 0;
}

/* Write to a file (not a pipe) at offset, or at its end for an append. */
static u32 write_file(struct smb_work *w, struct smb_open *op, const u8 *data,
		      u32 length, u64 offset, size_t *done)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_stat s;
	u64 end;
	u32 st;

	if (offset == U64_MAX || !(op->access & FILE_WRITE_DATA)) {
		/* Append: at end of file, the only place APPEND_DATA may write. */
		st = vfs->fstat(op->file, &s);
		if (st)
			return st;
		/* An append-only handle may name the end explicitly. */
		if (offset != U64_MAX && offset != s.size)
			return STATUS_ACCESS_DENIED;
		offset = s.size;
	}
	if (offset > MAX_FILE_OFFSET ||
	    smb_add_overflow(offset, length, &end) || end > MAX_FILE_OFFSET)
		return STATUS_INVALID_PARAMETER;
	st = smb_lock_check_io(op, offset, length, true);
	if (st)
		return st;
	smb_oplock_break_readers(op);
	st = length ? vfs->pwrite(op->file, data, length, offset, done) :
		      STATUS_SUCCESS;
	if (!st)
		set_position(op, offset + *done);
	return st;
}

/* Write data (from the request or pulled by RDMA) and build the reply. */
static int write_data(struct smb_work *w, struct smb_open *op, const u8 *data,
		      u32 length, u64 offset, u32 flags)
{
	bool append = offset == U64_MAX || !(op->access & FILE_WRITE_DATA);
	size_t done = 0;
	u32 st;
	u8 *r;

	/* One connection's appends may run at once: each finds the end anew. */
	if (op->pipe || append)
		smb_mutex_lock(w->conn->io_lock);
	if (op->pipe) {
		st = smb_ipc_write(op, data, length);
		done = st ? 0 : length;
	} else {
		st = write_file(w, op, data, length, offset, &done);
	}
	if (op->pipe || append)
		smb_mutex_unlock(w->conn->io_lock);
	if (!st && !op->pipe && (flags & SMB2_WRITEFLAG_WRITE_THROUGH))
		st = w->conn->srv->ops.vfs->fsync(op->file);
	if (st)
		return smb_resp_error(w, st);
	r = smb_resp_body(w, WRITE_RESP_SIZE);
	if (!r)
		return -1;
	smb_put_le16(r, 17);
	smb_put_le32(r + 4, (u32)done);
	return 0;
}

/* WRITE whose data the server pulls from client memory by RDMA Read. */
static int write_rdma(struct smb_work *w, struct smb_open *op, u32 length,
		      u64 offset, u32 flags)
{
	struct smb_conn *conn = w->conn;
	const u8 *b = smb_req_body(w);
	struct smb_rdma_desc descs[MAX_RDMA_DESCS];
	int count = 0, rc;
	bool pooled;
	u8 *buf;
	u32 st;

	st = rdma_descs(w, smb_get_le16(b + 40), smb_get_le16(b + 42), length,
			descs, &count);
	if (st)
		return smb_resp_error(w, st);
	buf = rdma_buf_get(conn, length, &pooled);
	if (!buf)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	if (length &&
	    conn->t->rdma_read(conn->tc, descs, count, buf, length) < 0) {
		rdma_buf_put(conn, buf, pooled);
		return -1; /* the RDMA transfer failed: the connection is gone */
	}
	rc = write_data(w, op, buf, length, offset, flags);
	rdma_buf_put(conn, buf, pooled);
	return rc;
}

int smb2_write(struct smb_work *w)
{
	const u8 *b = smb_req_body(w);
	struct smb_open *op;
	const u8 *data;
	u32 length, channel, flags;
	u64 offset;

	if (smb_req_body_len(w) < WRITE_REQ_FIXED || smb_get_le16(b) != 49)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	length = smb_get_le32(b + 4);
	offset = smb_get_le64(b + 8);
	channel = smb_get_le32(b + 32);
	flags = smb_get_le32(b + 44);
	op = smb_open_find(w, b + 16);
	if (!op)
		return smb_resp_error(w, w->status);
	if (channel != SMB2_CHANNEL_NONE &&
	    (!is_rdma_channel(channel) || !w->conn->t->rdma_read || op->pipe))
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (is_rdma_channel(channel)) {
		/* Length is 0; RemainingBytes says how much to pull by RDMA. */
		if (length != 0)
			return smb_resp_error(w, STATUS_INVALID_PARAMETER);
		length = smb_get_le32(b + 36);
	}
	if (length > w->conn->max_write)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (op->is_dir)
		return smb_resp_error(w, STATUS_INVALID_DEVICE_REQUEST);
	if (!(op->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (is_rdma_channel(channel))
		return write_rdma(w, op, length, offset, flags);
	data = smb_req_range(w, smb_get_le16(b + 2), length);
	if (!data)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	return write_data(w, op, data, length, offset, flags);
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
