// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fsctl.c - file-system FSCTLs over SMB2 IOCTL ([MS-SMB2] 3.3.5.15.1,
 * 3.3.5.15.5-6, [MS-FSCC] 2.3, [MS-FSA] 2.1.5.9).  Every input is parsed
 * with its length checked first; the data work goes through the VFS ops
 * (seek, punch_hole, copy_range, setattr).
 */
#include "fsctl.h"
#include "lock.h"

#define MAX_OFFSET 0x7fffffffffffffffull
#define RANGE_SIZE 16 /* FILE_ALLOCATED_RANGE_BUFFER */
#define SNAPSHOT_HDR 12 /* SRV_SNAPSHOT_ARRAY without the array */
#define RESUME_KEY_RESP 32 /* key, ContextLength, 4 bytes of Context */
#define COMPRESSION_FORMAT_NONE 0

/* ---- parsers ---------------------------------------------------------- */

u32 smb_fsctl_parse_qar(const u8 *in, size_t len, struct smb_fsctl_range *r)
{
	if (len < RANGE_SIZE)
		return STATUS_INVALID_PARAMETER;
	r->offset = smb_get_le64(in);
	r->length = smb_get_le64(in + 8);
	if (r->offset > MAX_OFFSET || r->length > MAX_OFFSET ||
	    r->length > MAX_OFFSET - r->offset)
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

u32 smb_fsctl_parse_zero_data(const u8 *in, size_t len,
			      struct smb_fsctl_range *r)
{
	u64 beyond;

	if (len < RANGE_SIZE)
		return STATUS_INVALID_PARAMETER;
	r->offset = smb_get_le64(in);
	beyond = smb_get_le64(in + 8);
	if (r->offset > MAX_OFFSET || beyond > MAX_OFFSET || r->offset > beyond)
		return STATUS_INVALID_PARAMETER;
	r->length = beyond - r->offset;
	return STATUS_SUCCESS;
}

u32 smb_fsctl_parse_copychunk(const u8 *in, size_t len, const u8 **key,
			      u32 *count, bool *over_limits)
{
	u64 total = 0;
	u32 i;

	*over_limits = false;
	*count = 0;
	if (len < SMB_RESUME_KEY_SIZE)
		return STATUS_INVALID_PARAMETER;
	*key = in;
	/* From here every fault is answered with the limits (3.3.5.15.6). */
	*over_limits = true;
	if (len < SMB_COPYCHUNK_HDR)
		return STATUS_INVALID_PARAMETER;
	*count = smb_get_le32(in + SMB_RESUME_KEY_SIZE);
	if (*count > SMB_COPYCHUNK_MAX_CHUNKS ||
	    (len - SMB_COPYCHUNK_HDR) / SMB_COPYCHUNK_ENTRY < *count)
		return STATUS_INVALID_PARAMETER;
	for (i = 0; i < *count; i++) {
		struct smb_copychunk c;

		smb_fsctl_copychunk_at(in, i, &c);
		total += c.length;
		if (c.length == 0 || c.length > SMB_COPYCHUNK_MAX_CHUNK_SIZE ||
		    total > SMB_COPYCHUNK_MAX_TOTAL ||
		    c.src_off > MAX_OFFSET - c.length ||
		    c.dst_off > MAX_OFFSET - c.length)
			return STATUS_INVALID_PARAMETER;
	}
	*over_limits = false;
	return STATUS_SUCCESS;
}

void smb_fsctl_copychunk_at(const u8 *in, u32 i, struct smb_copychunk *c)
{
	const u8 *e = in + SMB_COPYCHUNK_HDR + (size_t)i * SMB_COPYCHUNK_ENTRY;

	c->src_off = smb_get_le64(e);
	c->dst_off = smb_get_le64(e + 8);
	c->length = smb_get_le32(e + 16);
}

/* ---- handlers ----------------------------------------------------------- */

static const struct smb_vfs_ops *vfs_of(struct smb_work *w)
{
	return w->conn->srv->ops.vfs;
}

/* Only opens of files on disk take file-system controls. */
static u32 disk_open(struct smb_work *w, const u8 *fid, struct smb_open **op)
{
	*op = smb_open_find(w, fid);
	if (!*op)
		return w->status;
	if ((*op)->pipe || !(*op)->file)
		return STATUS_INVALID_DEVICE_REQUEST;
	return STATUS_SUCCESS;
}

/*
 * FSCTL_SRV_ENUMERATE_SNAPSHOTS ([MS-SMB2] 3.3.5.15.1): no previous
 * versions exist here, so the array is empty: its size is the terminating
 * NUL alone, which is left out when only the 16-byte header was asked for.
 */
static int snapshots(struct smb_work *w, u32 ctl, const u8 *fid, u32 max_out)
{
	u8 out[16];
	size_t n = max_out == 16 ? 16 : SNAPSHOT_HDR + 2;

	if (max_out < 16)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	memset(out, 0, sizeof(out));
	smb_put_le32(out + 8, 2);
	return smb_ioctl_reply(w, ctl, fid, out, n, STATUS_SUCCESS);
}

/* FSCTL_SET_SPARSE ([MS-FSCC] 2.3.64): no buffer means "set". */
static u32 set_sparse(struct smb_work *w, struct smb_open *op, const u8 *in,
		      u32 in_len)
{
	struct smb_vfs_setattr sa;

	if (!(op->access &
	      (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_ATTRIBUTES)))
		return STATUS_ACCESS_DENIED;
	if (op->is_dir)
		return STATUS_INVALID_PARAMETER;
	memset(&sa, 0, sizeof(sa));
	sa.valid = SMB_VFS_SET_SPARSE;
	if (!in_len || in[0])
		sa.attributes = FILE_ATTRIBUTE_SPARSE_FILE;
	return vfs_of(w)->setattr(op->file, &sa);
}

/* Append one FILE_ALLOCATED_RANGE_BUFFER; false when out is full. */
static bool put_range(u8 *out, size_t cap, size_t *n, u64 off, u64 len)
{
	if (cap - *n < RANGE_SIZE)
		return false;
	smb_put_le64(out + *n, off);
	smb_put_le64(out + *n + 8, len);
	*n += RANGE_SIZE;
	return true;
}

/*
 * The allocated ranges of [off, end) of a sparse file, from SEEK_DATA and
 * SEEK_HOLE; STATUS_BUFFER_OVERFLOW when out fills up.
 */
static u32 sparse_ranges(const struct smb_vfs_ops *vfs, struct smb_vfs_file *f,
			 u64 pos, u64 end, u8 *out, size_t cap, size_t *n)
{
	u64 data, hole;
	u32 st;

	while (pos < end) {
		st = vfs->seek(f, pos, false, &data);
		if (st == STATUS_END_OF_FILE || (!st && data >= end))
			break;
		if (st)
			return st;
		st = vfs->seek(f, data, true, &hole);
		if (st == STATUS_END_OF_FILE)
			hole = end;
		else if (st)
			return st;
		if (hole > end)
			hole = end;
		if (hole <= data)
			break; /* the file changed under us */
		if (!put_range(out, cap, n, data, hole - data))
			return STATUS_BUFFER_OVERFLOW;
		pos = hole;
	}
	return STATUS_SUCCESS;
}

/* FSCTL_QUERY_ALLOCATED_RANGES ([MS-FSA] 2.1.5.9.22). */
static int query_ranges(struct smb_work *w, struct smb_open *op, u32 ctl,
			const u8 *fid, const u8 *in, u32 in_len, u32 max_out)
{
	const struct smb_vfs_ops *vfs = vfs_of(w);
	struct smb_fsctl_range r;
	struct smb_stat st;
	size_t cap, n = 0;
	u32 status;
	u64 end;
	u8 *out;
	int rc;

	status = smb_fsctl_parse_qar(in, in_len, &r);
	if (!status && !(op->access & FILE_READ_DATA))
		status = STATUS_ACCESS_DENIED;
	if (!status && op->is_dir)
		status = STATUS_INVALID_PARAMETER;
	if (!status && max_out > w->conn->max_trans)
		status = STATUS_INVALID_PARAMETER;
	if (!status)
		status = vfs->fstat(op->file, &st);
	if (status)
		return smb_resp_error(w, status);
	cap = max_out - max_out % RANGE_SIZE;
	out = smb_alloc(w->conn->srv, cap ? cap : 1);
	if (!out)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	end = r.offset + r.length;
	if (end > st.size)
		end = st.size;
	if (r.offset >= end)
		status = STATUS_SUCCESS; /* nothing allocated there */
	else if ((st.attributes & FILE_ATTRIBUTE_SPARSE_FILE) && vfs->seek)
		status = sparse_ranges(vfs, op->file, r.offset, end, out, cap,
				       &n);
	else if (!put_range(out, cap, &n, r.offset, end - r.offset))
		status = STATUS_BUFFER_OVERFLOW;
	/* Ranges to report but room for none is an error, not a warning. */
	if (status == STATUS_BUFFER_OVERFLOW && !n)
		status = STATUS_BUFFER_TOO_SMALL;
	if (NT_STATUS_IS_ERROR(status))
		rc = smb_resp_error(w, status);
	else
		rc = smb_ioctl_reply(w, ctl, fid, out, n, status);
	smb_free(w->conn->srv, out);
	return rc;
}

/* FSCTL_SET_ZERO_DATA ([MS-FSA] 2.1.5.9.33): holes where the VFS can. */
static u32 zero_data(struct smb_work *w, struct smb_open *op, const u8 *in,
		     u32 in_len)
{
	const struct smb_vfs_ops *vfs = vfs_of(w);
	struct smb_fsctl_range r;
	u32 status = smb_fsctl_parse_zero_data(in, in_len, &r);

	if (status)
		return status;
	if (!(op->access & FILE_WRITE_DATA))
		return STATUS_ACCESS_DENIED;
	if (op->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (!vfs->punch_hole)
		return STATUS_INVALID_DEVICE_REQUEST;
	if (!r.length)
		return STATUS_SUCCESS;
	status = smb_lock_check_io(op, r.offset, r.length, true);
	return status ? status : vfs->punch_hole(op->file, r.offset, r.length);
}

/*
 * The resume key names an open of this session: its persistent and
 * volatile ids and the session id.  Only this session can use it.
 */
static void resume_key(const struct smb_open *op, u8 key[24])
{
	smb_put_le64(key, op->persistent_id);
	smb_put_le64(key + 8, op->volatile_id);
	smb_put_le64(key + 16, op->tree->sess->id);
}

static struct smb_open *open_by_key(struct smb_work *w, const u8 *key)
{
	u64 pid = smb_get_le64(key), vid = smb_get_le64(key + 8);
	struct smb_list *pos;
	u32 b;

	if (!w->sess || smb_get_le64(key + 16) != w->sess->id)
		return NULL;
	for (b = 0; b < SMB_OPEN_BUCKETS; b++)
		for (pos = w->sess->opens[b].next; pos != &w->sess->opens[b];
		     pos = pos->next) {
			struct smb_open *o =
				smb_container_of(pos, struct smb_open, link);

			if (o->persistent_id == pid && o->volatile_id == vid)
				return o;
		}
	return NULL;
}

static int request_resume_key(struct smb_work *w, struct smb_open *op, u32 ctl,
			      const u8 *fid, u32 max_out)
{
	u8 out[RESUME_KEY_RESP];

	if (max_out < RESUME_KEY_RESP)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	memset(out, 0, sizeof(out));
	resume_key(op, out);
	return smb_ioctl_reply(w, ctl, fid, out, sizeof(out), STATUS_SUCCESS);
}

static int copychunk_reply(struct smb_work *w, u32 ctl, const u8 *fid,
			   u32 chunks, u32 chunk_bytes, u32 total, u32 status)
{
	u8 out[SMB_COPYCHUNK_RESP];

	smb_put_le32(out, chunks);
	smb_put_le32(out + 4, chunk_bytes);
	smb_put_le32(out + 8, total);
	return smb_ioctl_reply(w, ctl, fid, out, sizeof(out), status);
}

/* Copy every chunk; chunks and total count what was done. */
static u32 copy_chunks(struct smb_work *w, struct smb_open *src,
		       struct smb_open *dst, const u8 *in, u32 count,
		       u32 *chunks, u32 *total)
{
	const struct smb_vfs_ops *vfs = vfs_of(w);
	struct smb_copychunk c;
	struct smb_stat st;
	u64 done;
	u32 i, status;

	for (i = 0; i < count; i++) {
		smb_fsctl_copychunk_at(in, i, &c);
		/* The source range must exist ([MS-SMB2] 3.3.5.15.6). */
		status = vfs->fstat(src->file, &st);
		if (status)
			return status;
		if (c.src_off + c.length > st.size)
			return STATUS_INVALID_VIEW_SIZE;
		/* Byte-range locks hold here as for READ and WRITE. */
		status = smb_lock_check_io(src, c.src_off, c.length, false);
		if (!status)
			status = smb_lock_check_io(dst, c.dst_off, c.length,
						   true);
		if (status)
			return status;
		status = vfs->copy_range(src->file, c.src_off, dst->file,
					 c.dst_off, c.length, &done);
		if (status)
			return status;
		if (done != c.length)
			return STATUS_DISK_FULL;
		*chunks += 1;
		*total += c.length;
	}
	return STATUS_SUCCESS;
}

/* FSCTL_SRV_COPYCHUNK and _WRITE, in the order of [MS-SMB2] 3.3.5.15.6. */
static int copychunk(struct smb_work *w, struct smb_open *dst, u32 ctl,
		     const u8 *fid, const u8 *in, u32 in_len, u32 max_out)
{
	struct smb_open *src;
	const u8 *key;
	u32 count, status, chunks = 0, total = 0;
	bool over;

	if (in_len < SMB_RESUME_KEY_SIZE)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	src = open_by_key(w, in);
	if (!src || !src->file || src->pipe)
		return smb_resp_error(w, STATUS_OBJECT_NAME_NOT_FOUND);
	if (max_out < SMB_COPYCHUNK_RESP)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	status = smb_fsctl_parse_copychunk(in, in_len, &key, &count, &over);
	if (status)
		return copychunk_reply(w, ctl, fid, SMB_COPYCHUNK_MAX_CHUNKS,
				       SMB_COPYCHUNK_MAX_CHUNK_SIZE,
				       SMB_COPYCHUNK_MAX_TOTAL, status);
	if (!(src->access & FILE_READ_DATA) ||
	    !(dst->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) ||
	    (ctl == FSCTL_SRV_COPYCHUNK && !(dst->access & FILE_READ_DATA)))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (src->is_dir || dst->is_dir || !vfs_of(w)->copy_range)
		return smb_resp_error(w, STATUS_INVALID_DEVICE_REQUEST);
	/* A failed chunk still reports what the chunks before it did. */
	status = copy_chunks(w, src, dst, in, count, &chunks, &total);
	return copychunk_reply(w, ctl, fid, chunks, 0, total, status);
}

/*
 * FSCTL_LMR_REQUEST_RESILIENCY ([MS-SMB2] 3.3.5.15.9): the open keeps its
 * lock sequence replay detection (lock.c) from now on.
 */
u32 smb_fsctl_parse_resiliency(const u8 *in, size_t len, u32 *timeout_ms)
{
	if (len < SMB_RESILIENCY_REQ_SIZE)
		return STATUS_INVALID_PARAMETER;
	*timeout_ms = smb_get_le32(in);
	if (*timeout_ms > SMB_MAX_RESILIENCY_TIMEOUT_MS)
		return STATUS_INVALID_PARAMETER;
	if (*timeout_ms == 0)
		*timeout_ms = SMB_DEFAULT_RESILIENCY_TIMEOUT_MS;
	return STATUS_SUCCESS;
}

static u32 request_resiliency(struct smb_work *w, struct smb_open *op,
			      const u8 *in, u32 in_len)
{
	u32 timeout_ms, st;

	if (w->conn->dialect == SMB2_DIALECT_0202)
		return STATUS_INVALID_DEVICE_REQUEST;
	st = smb_fsctl_parse_resiliency(in, in_len, &timeout_ms);
	if (st)
		return st;
	op->resilient = true;
	op->resiliency_timeout_ms = timeout_ms;
	return STATUS_SUCCESS;
}

/* FSCTL_GET_COMPRESSION / FSCTL_SET_COMPRESSION: nothing is compressed. */
static int compression(struct smb_work *w, struct smb_open *op, u32 ctl,
		       const u8 *fid, const u8 *in, u32 in_len, u32 max_out)
{
	u8 out[2] = { 0, 0 };

	if (ctl == FSCTL_GET_COMPRESSION) {
		if (max_out < sizeof(out))
			return smb_resp_error(w, STATUS_INVALID_PARAMETER);
		return smb_ioctl_reply(w, ctl, fid, out, sizeof(out),
				       STATUS_SUCCESS);
	}
	if (in_len < 2)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (!(op->access & (FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES)))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (smb_get_le16(in) != COMPRESSION_FORMAT_NONE)
		return smb_resp_error(w, STATUS_NOT_SUPPORTED);
	return smb_ioctl_reply(w, ctl, fid, NULL, 0, STATUS_SUCCESS);
}

/*
 * FSCTL_CREATE_OR_GET_OBJECT_ID: a FILE_OBJECTID_BUFFER ([MS-FSCC] 2.1.3.1)
 * derived from the file's identity, so it is stable without being stored:
 * ObjectId and BirthObjectId (inode, device), BirthVolumeId (device).
 */
static int object_id(struct smb_work *w, struct smb_open *op, u32 ctl,
		     const u8 *fid, u32 max_out)
{
	u8 out[64];
	struct smb_stat st;
	u32 status;

	if (max_out < sizeof(out))
		return smb_resp_error(w, STATUS_BUFFER_TOO_SMALL);
	status = w->conn->srv->ops.vfs->fstat(op->file, &st);
	if (status)
		return smb_resp_error(w, status);
	memset(out, 0, sizeof(out));
	smb_put_le64(out, st.ino);
	smb_put_le64(out + 8, st.dev);
	smb_put_le64(out + 16, st.dev);
	memcpy(out + 32, out, 16);
	return smb_ioctl_reply(w, ctl, fid, out, sizeof(out), STATUS_SUCCESS);
}

int smb_fsctl(struct smb_work *w, u32 ctl, const u8 *fid, const u8 *in,
	      u32 in_len, u32 max_out)
{
	struct smb_open *op;
	u32 status;

	switch (ctl) {
	case FSCTL_SRV_ENUMERATE_SNAPSHOTS:
	case FSCTL_SET_SPARSE:
	case FSCTL_QUERY_ALLOCATED_RANGES:
	case FSCTL_SET_ZERO_DATA:
	case FSCTL_SRV_REQUEST_RESUME_KEY:
	case FSCTL_SRV_COPYCHUNK:
	case FSCTL_SRV_COPYCHUNK_WRITE:
	case FSCTL_GET_REPARSE_POINT:
	case FSCTL_GET_COMPRESSION:
	case FSCTL_SET_COMPRESSION:
	case FSCTL_CREATE_OR_GET_OBJECT_ID:
	case FSCTL_LMR_REQUEST_RESILIENCY:
		break;
	default:
		/* Unknown: the object store's answer for its own controls. */
		return smb_resp_error(w,
				      (ctl >> 16) == FSCTL_FILE_SYSTEM_DEVICE ?
					      STATUS_INVALID_DEVICE_REQUEST :
					      STATUS_NOT_SUPPORTED);
	}
	status = disk_open(w, fid, &op);
	if (status)
		return smb_resp_error(w, status);
	switch (ctl) {
	case FSCTL_SRV_ENUMERATE_SNAPSHOTS:
		return snapshots(w, ctl, fid, max_out);
	case FSCTL_SET_SPARSE:
		status = set_sparse(w, op, in, in_len);
		break;
	case FSCTL_QUERY_ALLOCATED_RANGES:
		return query_ranges(w, op, ctl, fid, in, in_len, max_out);
	case FSCTL_SET_ZERO_DATA:
		status = zero_data(w, op, in, in_len);
		break;
	case FSCTL_SRV_REQUEST_RESUME_KEY:
		return request_resume_key(w, op, ctl, fid, max_out);
	case FSCTL_SRV_COPYCHUNK:
	case FSCTL_SRV_COPYCHUNK_WRITE:
		return copychunk(w, op, ctl, fid, in, in_len, max_out);
	case FSCTL_CREATE_OR_GET_OBJECT_ID:
		return object_id(w, op, ctl, fid, max_out);
	case FSCTL_LMR_REQUEST_RESILIENCY:
		status = request_resiliency(w, op, in, in_len);
		break;
	case FSCTL_GET_REPARSE_POINT:
		/* Symlinks are followed inside the share, never shown. */
		status = STATUS_NOT_A_REPARSE_POINT;
		break;
	default:
		return compression(w, op, ctl, fid, in, in_len, max_out);
	}
	if (status)
		return smb_resp_error(w, status);
	return smb_ioctl_reply(w, ctl, fid, NULL, 0, STATUS_SUCCESS);
}
