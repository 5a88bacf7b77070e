// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * info.c - SMB2 QUERY_INFO and SET_INFO ([MS-SMB2] 3.3.5.20-21): access
 * checks and VFS calls here; the byte layouts live in fileinfo.c.
 */
#include "internal.h"
#include "oplock.h"
#include "ea.h"
#include "fileinfo.h"
#include "security.h"
#include "shortname.h"
#include "stream.h"
#include "utf16.h"

#define FS_NAMED_STREAMS 0x00040000u /* [MS-FSCC] 2.5.1 */
#define FS_SUPPORTS_EAS 0x00800000u
#define QINFO_REQ_FIXED 40
#define QINFO_RESP_FIXED 8
#define SINFO_REQ_FIXED 32

/* Error response carrying ErrorData (e.g. the size a buffer must have). */
static int error_with_data(struct smb_work *w, u32 status, const u8 *data,
			   u32 len)
{
	u8 *b = smb_resp_body(w, 8 + len);

	if (!b)
		return -1;
	w->status = status;
	smb_put_le16(b, 9);
	smb_put_le32(b + 4, len);
	memcpy(b + 8, data, len);
	return 0;
}

/* "\dir\file" as the client names it, from the VFS path "dir/file";
 * a stream open adds ":stream". */
static void wire_name(const struct smb_open *op, char *out, size_t size)
{
	size_t i, n = 0;

	out[n++] = '\\';
	for (i = 0; op->path[i] && n + 1 < size; i++)
		out[n++] = op->path[i] == '/' ? '\\' : op->path[i];
	out[n] = '\0';
	if (op->stream)
		smb_snprintf(out + n, size - n, ":%s", op->stream);
}

/* FileAlternateNameInformation: the 8.3 name of the last component. */
static u32 query_alt_name(const struct smb_open *op, u8 *out, size_t avail,
			  size_t *written)
{
	const char *last = op->path, *p;
	char short_name[SMB_SHORT_NAME_MAX];
	u8 wide[2 * SMB_SHORT_NAME_MAX];
	int n;
	size_t copy;

	for (p = op->path; *p; p++)
		if (*p == '/')
			last = p + 1;
	if (!*last || op->pipe)
		return STATUS_OBJECT_NAME_NOT_FOUND; /* the root has none */
	if (avail < 8) /* sizeof(FILE_NAME_INFORMATION), padded */
		return STATUS_INFO_LENGTH_MISMATCH;
	if (smb_short_name(last, short_name) < 0)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	n = smb_utf8_to_utf16(short_name, wide, sizeof(wide));
	if (n < 0)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	smb_put_le32(out, (u32)n);
	copy = min_t(size_t, (size_t)n, avail - 4);
	memcpy(out + 4, wide, copy);
	*written = 4 + copy;
	return copy < (size_t)n ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

#define EA_SCRATCH_SIZE 65536u /* one EA value at most */

/* QUERY_INFO FileFullEaInformation, with the request's EA name list and
 * flags ([MS-SMB2] 2.2.37). */
static u32 query_full_ea(struct smb_work *w, struct smb_open *op, u8 *out,
			 size_t avail, size_t *written)
{
	const u8 *b = smb_req_body(w);
	u32 in_len = smb_get_le32(b + 12);
	const u8 *in = smb_req_range(w, smb_get_le16(b + 8), in_len);
	u8 *scratch;
	u32 status;

	if (!(op->access & FILE_READ_EA))
		return STATUS_ACCESS_DENIED;
	if (op->pipe || !op->file || !in)
		return STATUS_INVALID_PARAMETER;
	scratch = smb_alloc(w->conn->srv, EA_SCRATCH_SIZE);
	if (!scratch)
		return STATUS_INSUFFICIENT_RESOURCES;
	status = smb_ea_query(w->conn->srv->ops.vfs, op->file, in, in_len,
			      smb_get_le32(b + 20), out, avail, written,
			      scratch, EA_SCRATCH_SIZE);
	smb_free(w->conn->srv, scratch);
	return status;
}

static u32 query_file(struct smb_work *w, struct smb_open *op, u8 cls,
		      u8 *out, size_t avail, size_t *written)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_fileinfo_ctx ctx;
	struct smb_stat st;
	char *name;
	u32 status;

	memset(&st, 0, sizeof(st));
	if (op->file) {
		status = vfs->fstat(op->file, &st);
		if (status)
			return status;
	} else {
		st.attributes = FILE_ATTRIBUTE_NORMAL;
		st.nlink = 1;
	}
	if (cls == FileFullEaInformation)
		return query_full_ea(w, op, out, avail, written);
	if (cls == FileStreamInformation)
		return smb_stream_query(w, op, out, avail, written);
	if (cls == FileAlternateNameInformation)
		return query_alt_name(op, out, avail, written);
	if ((cls == FileBasicInformation || cls == FileAllInformation ||
	     cls == FileNetworkOpenInformation ||
	     cls == FileAttributeTagInformation) &&
	    !(op->access & FILE_READ_ATTRIBUTES))
		return STATUS_ACCESS_DENIED;
	name = smb_alloc(w->conn->srv, SMB_PATH_MAX + 2);
	if (!name)
		return STATUS_INSUFFICIENT_RESOURCES;
	wire_name(op, name, SMB_PATH_MAX + 2);
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = &st;
	ctx.name_utf8 = name;
	ctx.file_id = st.ino;
	ctx.access_mask = op->access;
	ctx.position = op->position;
	ctx.mode = op->mode;
	ctx.delete_pending = smb_open_delete_pending(op);
	ctx.is_pipe = op->pipe != NULL;
	ctx.ea_size = st.ea_size;
	status = smb_fileinfo_encode(cls, &ctx, out, avail, written);
	smb_free(w->conn->srv, name);
	return status;
}

static u32 query_fs(struct smb_work *w, struct smb_open *op, u8 cls, u8 *out,
		    size_t avail, size_t *written)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_share *sh = op->tree->share;
	struct smb_vfs_statfs fs;
	struct smb_fsinfo_ctx ctx;
	u32 status, serial = 0x5a17u;
	const char *p;

	memset(&fs, 0, sizeof(fs));
	if (sh->root) {
		status = srv->ops.vfs->statfs(sh->root, &fs);
		if (status)
			return status;
	}
	/* A stable serial per share name, so clients can tell volumes apart. */
	for (p = sh->cfg.name; *p; p++)
		serial = serial * 31u + (u8)*p;
	memset(&ctx, 0, sizeof(ctx));
	ctx.fs = &fs;
	ctx.volume_creation_time = srv->start_time;
	ctx.serial = serial;
	ctx.volume_label = sh->cfg.name;
	ctx.fs_name = "NTFS";
	ctx.fs_attributes = 0x7; /* case sensitive search, preserved, unicode */
	if (srv->ops.vfs && srv->ops.vfs->stream_open)
		ctx.fs_attributes |= FS_NAMED_STREAMS;
	if (srv->ops.vfs && srv->ops.vfs->ea_set)
		ctx.fs_attributes |= FS_SUPPORTS_EAS;
	if (srv->ops.vfs && srv->ops.vfs->seek && srv->ops.vfs->punch_hole)
		ctx.fs_attributes |= FILE_SUPPORTS_SPARSE_FILES;
	ctx.max_name_len = fs.max_name_len ? fs.max_name_len : 255;
	return smb_fsinfo_encode(cls, &ctx, out, avail, written);
}

int smb2_query_info(struct smb_work *w)
{
	const u8 *b = smb_req_body(w);
	struct smb_open *op;
	u8 type, cls, *r;
	u32 out_len, addl, status;
	size_t written = 0;

	if (smb_req_body_len(w) < QINFO_REQ_FIXED || smb_get_le16(b) != 41)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	type = b[2];
	cls = b[3];
	out_len = smb_get_le32(b + 4);
	addl = smb_get_le32(b + 16);
	if (!smb_req_range(w, smb_get_le16(b + 8), smb_get_le32(b + 12)))
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	op = smb_open_find(w, b + 24);
	if (!op)
		return smb_resp_error(w, w->status);
	if (out_len > w->conn->max_trans)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	r = smb_resp_body(w, QINFO_RESP_FIXED + out_len);
	if (!r)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	switch (type) {
	case SMB2_0_INFO_FILE:
		status = query_file(w, op, cls, r + QINFO_RESP_FIXED, out_len,
				    &written);
		break;
	case SMB2_0_INFO_FILESYSTEM:
		status = query_fs(w, op, cls, r + QINFO_RESP_FIXED, out_len,
				  &written);
		break;
	case SMB2_0_INFO_SECURITY: {
		status = smb_security_query(w, op, addl, r + QINFO_RESP_FIXED,
					    out_len, &written);
		if (status == STATUS_BUFFER_TOO_SMALL) {
			u8 need[4];

			smb_put_le32(need, (u32)written);
			return error_with_data(w, status, need, 4);
		}
		break;
	}
	case SMB2_0_INFO_QUOTA:
		status = STATUS_NOT_SUPPORTED;
		break;
	default:
		status = STATUS_INVALID_PARAMETER;
		break;
	}
	if (NT_STATUS_IS_ERROR(status))
		return smb_resp_error(w, status);
	if (written > out_len)
		return smb_resp_error(w, STATUS_INTERNAL_ERROR);
	smb_put_le16(r, 9);
	smb_put_le16(r + 2, SMB2_HDR_SIZE + QINFO_RESP_FIXED);
	smb_put_le32(r + 4, (u32)written);
	smb_resp_set_body_len(w, QINFO_RESP_FIXED + written);
	w->status = status; /* SUCCESS or BUFFER_OVERFLOW */
	return 0;
}

/* Is the directory open as op empty (but for "." and "..")? */
static u32 dir_is_empty(struct smb_work *w, struct smb_open *op)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_vfs_dirent *ent = smb_alloc(w->conn->srv, sizeof(*ent));
	u32 st;

	if (!ent)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = vfs->rewinddir(op->file);
	while (!st) {
		st = vfs->readdir(op->file, ent);
		if (st)
			break;
		if (strcmp(ent->name, ".") && strcmp(ent->name, "..")) {
			st = STATUS_DIRECTORY_NOT_EMPTY;
			break;
		}
	}
	if (st == STATUS_NO_MORE_FILES)
		st = STATUS_SUCCESS;
	vfs->rewinddir(op->file);
	if (op->dir)
		op->dir->started = false; /* the enumeration must restart */
	smb_free(w->conn->srv, ent);
	return st;
}

static u32 set_disposition(struct smb_work *w, struct smb_open *op,
			   bool delete)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_stat st;
	u32 status;

	if (!(op->access & DELETE))
		return STATUS_ACCESS_DENIED;
	if (delete) {
		if (!op->path[0])
			return STATUS_CANNOT_DELETE; /* the share root */
		status = vfs->fstat(op->file, &st);
		if (status)
			return status;
		if (st.attributes & FILE_ATTRIBUTE_READONLY)
			return STATUS_CANNOT_DELETE;
		if (op->is_dir) {
			status = dir_is_empty(w, op);
			if (status)
				return status;
		}
	}
	smb_open_set_delete_pending(op, delete);
	if (delete)
		smb_oplock_break_handles(op);
	return STATUS_SUCCESS;
}

static u32 set_rename(struct smb_work *w, struct smb_open *op, const u8 *in,
		      u32 len)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_rename_info ri;
	const u8 *name;
	u32 name_len, status;
	char *target;

	if (!(op->access & DELETE))
		return STATUS_ACCESS_DENIED;
	status = smb_setinfo_parse_rename(in, len, &ri);
	if (status)
		return status;
	/* ":name" renames a stream of the file, never the file. */
	if (smb_get_le16(ri.name_utf16) == ':')
		return smb_stream_rename(w, op, ri.name_utf16, ri.name_len,
					 ri.replace);
	if (op->stream) /* a stream cannot move to another file */
		return smb_stream_rename_path(w, op, ri.name_utf16, ri.name_len);
	if (smb_stream_opens_exist(op))
		return STATUS_ACCESS_DENIED; /* its streams are in use */
	if (!op->path[0])
		return STATUS_ACCESS_DENIED; /* the share root cannot move */
	if (smb_open_others_deny_delete(op))
		return STATUS_SHARING_VIOLATION;
	/* Moving a directory would pull open files out from under their handles. */
	if (op->is_dir && smb_open_has_children_open(op))
		return STATUS_ACCESS_DENIED;
	{
		const char *slash = NULL, *p;

		for (p = op->path; *p; p++)
			if (*p == '/')
				slash = p;
		if (smb_open_parent_blocks_rename(
			    op, op->path, slash ? (size_t)(slash - op->path) : 0))
			return STATUS_SHARING_VIOLATION;
	}
	name = ri.name_utf16;
	name_len = ri.name_len;

	/* Tolerate one leading backslash, as Windows does for SMB2. */
	if (name_len >= 2 && smb_get_le16(name) == '\\') {
		name += 2;
		name_len -= 2;
	}
	if (name_len == 0)
		return STATUS_INVALID_PARAMETER;
	target = smb_alloc(w->conn->srv, SMB_PATH_MAX);
	if (!target)
		return STATUS_INSUFFICIENT_RESOURCES;
	status = smb_path_from_wire(name, name_len, target, SMB_PATH_MAX);
	if (!status && !target[0])
		status = STATUS_OBJECT_NAME_INVALID;
	if (!status)
		status = smb_security_may_add(w, target, op->is_dir);
	/* Others' handle caching goes first; their acks are waited for. */
	if (!status)
		status = smb_oplock_rename_breaks(w, op);
	if (!status)
		status = vfs->rename(op->tree->share->root, op->path, target,
				     ri.replace);
	if (!status)
		status = smb_open_set_path(op, target);
	smb_free(w->conn->srv, target);
	return status;
}

static u32 set_file(struct smb_work *w, struct smb_open *op, u8 cls,
		    const u8 *in, u32 len)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_vfs_setattr sa;
	bool del;
	u64 v;
	u32 status;

	if (op->pipe)
		return STATUS_NOT_SUPPORTED;
	memset(&sa, 0, sizeof(sa));
	switch (cls) {
	case FileBasicInformation:
		if (!(op->access & FILE_WRITE_ATTRIBUTES))
			return STATUS_ACCESS_DENIED;
		status = smb_setinfo_parse_basic(in, len, &sa);
		if (status)
			return status;
		if (sa.valid & SMB_VFS_SET_ATTRIBUTES) {
			if ((sa.attributes & FILE_ATTRIBUTE_DIRECTORY) &&
			    !op->is_dir)
				return STATUS_INVALID_PARAMETER;
			if ((sa.attributes & FILE_ATTRIBUTE_TEMPORARY) &&
			    op->is_dir)
				return STATUS_INVALID_PARAMETER;
			sa.attributes &= FILE_ATTRIBUTE_VALID_SET_FLAGS;
		}
		return sa.valid ? vfs->setattr(op->file, &sa) : STATUS_SUCCESS;
	case FileRenameInformation:
		return set_rename(w, op, in, len);
	case FileDispositionInformation:
		status = smb_setinfo_parse_disposition(in, len, &del);
		return status ? status : set_disposition(w, op, del);
	case FileDispositionInformationEx:
		status = smb_setinfo_parse_disposition_ex(in, len,
							  &sa.attributes);
		if (status)
			return status;
		return set_disposition(w, op, sa.attributes &
						      FILE_DISPOSITION_DELETE);
	case FileEndOfFileInformation:
		if (!(op->access & FILE_WRITE_DATA))
			return STATUS_ACCESS_DENIED;
		if (op->is_dir)
			return STATUS_INVALID_PARAMETER;
		status = smb_setinfo_parse_eof(in, len, &sa.size);
		if (status)
			return status;
		if (sa.size > 0x7fffffffffffffffull)
			return STATUS_INVALID_PARAMETER;
		sa.valid = SMB_VFS_SET_SIZE;
		smb_oplock_break_readers(op);
		return vfs->setattr(op->file, &sa);
	case FileAllocationInformation: {
		struct smb_stat st;

		if (!(op->access & FILE_WRITE_DATA))
			return STATUS_ACCESS_DENIED;
		if (op->is_dir)
			return STATUS_INVALID_PARAMETER;
		status = smb_setinfo_parse_allocation(in, len, &v);
		if (status)
			return status;
		status = vfs->fstat(op->file, &st);
		if (status)
			return status;
		/* Allocation at or below end of file truncates, as on NTFS;
		 * truncating to the same size drops preallocated blocks.
		 */
		if (v <= st.size) {
			sa.valid = SMB_VFS_SET_SIZE;
			sa.size = v;
		} else {
			sa.valid = SMB_VFS_SET_ALLOC;
			sa.size = v;
		}
		smb_oplock_break_readers(op);
		return vfs->setattr(op->file, &sa);
	}
	case FilePositionInformation:
		status = smb_setinfo_parse_position(in, len, &v);
		if (status)
			return status;
		if (v > 0x7fffffffffffffffull)
			return STATUS_INVALID_PARAMETER;
		op->position = v;
		return STATUS_SUCCESS;
	case FileModeInformation:
		status = smb_setinfo_parse_mode(in, len, &op->mode);
		return status;
	case FileFullEaInformation:
		if (!(op->access & FILE_WRITE_EA))
			return STATUS_ACCESS_DENIED;
		return smb_ea_apply(vfs, op->file, in, len);
	case FileLinkInformation:
		return STATUS_NOT_SUPPORTED;
	default:
		return STATUS_INVALID_INFO_CLASS;
	}
}

int smb2_set_info(struct smb_work *w)
{
	const u8 *b = smb_req_body(w);
	struct smb_open *op;
	const u8 *in;
	u32 len, status;
	u8 *r;

	if (smb_req_body_len(w) < SINFO_REQ_FIXED || smb_get_le16(b) != 33)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	len = smb_get_le32(b + 4);
	in = smb_req_range(w, smb_get_le16(b + 8), len);
	if (!in || len > w->conn->max_trans)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	op = smb_open_find(w, b + 16);
	if (!op)
		return smb_resp_error(w, w->status);
	if (op->tree->read_only && b[2] == SMB2_0_INFO_FILE &&
	    b[3] != FilePositionInformation && b[3] != FileModeInformation)
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	switch (b[2]) {
	case SMB2_0_INFO_FILE:
		status = set_file(w, op, b[3], in, len);
		break;
	case SMB2_0_INFO_SECURITY:
		status = smb_security_set(w, op, smb_get_le32(b + 12), in, len);
		break;
	case SMB2_0_INFO_FILESYSTEM:
	case SMB2_0_INFO_QUOTA:
		/* Quotas and volume labels arrive with later work. */
		status = STATUS_NOT_SUPPORTED;
		break;
	default:
		status = STATUS_INVALID_PARAMETER;
		break;
	}
	/* A rename waits for handle-lease breaks, then runs again. */
	if (status == STATUS_PENDING) {
		status = smb_oplock_wait_handle(w, op, 16);
		if (!status)
			return 0;
	}
	if (status) {
		smb_dbg("SET_INFO type %u class %u length %u -> 0x%x", b[2], b[3],
			len, status);
		return smb_resp_error(w, status);
	}
	r = smb_resp_body(w, 2);
	if (!r)
		return -1;
	smb_put_le16(r, 2);
	return 0;
}
