// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stream.c - named data streams ([MS-FSCC] 2.1.5.3, [MS-FSA] 2.1.5.1):
 * "file:name:$DATA" opens, stream listing, stream renames.
 *
 * A stream open is an ordinary struct smb_open whose file is the VFS
 * stream handle and whose stream field holds the name; it shares the file
 * node of its file, so delete-pending is per file while share modes are
 * per stream (open.c).
 */
#include "stream.h"
#include "utf16.h"

bool smb_stream_same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return smb_name_equal_ci(a, b);
}

static u32 set_stream_path(struct smb_open *op, const char *name)
{
	struct smb_server *srv = op->tree->sess->conn->srv;
	size_t n = strlen(name) + 1;
	char *copy = smb_alloc(srv, n);

	if (!copy)
		return STATUS_INSUFFICIENT_RESOURCES;
	memcpy(copy, name, n);
	smb_mutex_lock(srv->lock); /* other connections compare streams */
	smb_free(srv, op->stream);
	op->stream = copy;
	smb_mutex_unlock(srv->lock);
	return STATUS_SUCCESS;
}

u32 smb_stream_open_file(struct smb_work *w, struct smb_open *op,
			 u32 disposition, u32 options, bool may_create,
			 bool *file_created, struct smb_stat *st)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_share *sh = w->tree->share;
	u32 flags = SMB_VFS_O_PATH_ONLY;

	*file_created = false;
	if (!vfs->stream_open)
		return STATUS_OBJECT_NAME_INVALID; /* a file system without streams */
	if (options & FILE_DIRECTORY_FILE)
		return STATUS_NOT_A_DIRECTORY;
	if (may_create && disposition != FILE_OPEN &&
	    disposition != FILE_OVERWRITE)
		flags |= SMB_VFS_O_CREATE;
	return vfs->open(sh->root, op->path, flags, sh->cfg.create_mask,
			 &op->file, st, file_created);
}

u32 smb_stream_open_named(struct smb_work *w, struct smb_open *op,
			  const struct smb_stream_spec *sn, u32 stream_flags,
			  bool file_created, bool *created, struct smb_stat *st)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_vfs_file *base = op->file;
	u32 status = set_stream_path(op, sn->name);

	*created = false;
	op->file = NULL;
	if (!status)
		status = vfs->stream_open(base, sn->name, stream_flags,
					  &op->file, st, created);
	vfs->close(base);
	if (status && file_created)
		vfs->unlink(w->tree->share->root, op->path);
	op->is_dir = false;
	return status;
}

u32 smb_stream_finish(struct smb_work *w, struct smb_open *op, u32 disposition,
		      bool created, u32 *action, struct smb_stat *st)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	u32 status = smb_open_attach_node(op, st);

	if (status)
		return status;
	if (!created && (disposition == FILE_OVERWRITE ||
			 disposition == FILE_OVERWRITE_IF ||
			 disposition == FILE_SUPERSEDE)) {
		struct smb_vfs_setattr sa;

		memset(&sa, 0, sizeof(sa));
		sa.valid = SMB_VFS_SET_SIZE;
		status = vfs->setattr(op->file, &sa);
		if (status)
			return status;
		*action = disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED :
							  FILE_OVERWRITTEN;
	} else {
		*action = created ? FILE_CREATED : FILE_OPENED;
	}
	if (op->delete_on_close && (st->attributes & FILE_ATTRIBUTE_READONLY))
		return STATUS_CANNOT_DELETE;
	return vfs->fstat(op->file, st);
}

bool smb_stream_info_put(u8 *out, size_t avail, size_t *used, size_t *prev,
			 const char *name, u64 size, u64 alloc_size)
{
	size_t start = SMB_ALIGN8(*used);
	int ulen = smb_utf8_utf16_len(name);

	if (ulen <= 0 || (*used && start > avail) || avail - start < 24 ||
	    avail - start - 24 < (size_t)ulen)
		return false;
	if (*used) {
		memset(out + *used, 0, start - *used);
		smb_put_le32(out + *prev, (u32)(start - *prev));
	}
	smb_put_le32(out + start, 0);
	smb_put_le32(out + start + 4, (u32)ulen);
	smb_put_le64(out + start + 8, size);
	smb_put_le64(out + start + 16, alloc_size);
	if (smb_utf8_to_utf16(name, out + start + 24, (size_t)ulen) != ulen)
		return false;
	*prev = start;
	*used = start + 24 + (size_t)ulen;
	return true;
}

/* The file's own metadata (for "::$DATA") when op is a stream open. */
static u32 base_stat(struct smb_work *w, struct smb_open *op,
		     struct smb_stat *st)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_vfs_file *base;
	u32 status;

	if (!op->stream)
		return vfs->fstat(op->file, st);
	status = vfs->open(op->tree->share->root, op->path, SMB_VFS_O_PATH_ONLY,
			   0, &base, st, NULL);
	if (!status)
		vfs->close(base);
	return status;
}

u32 smb_stream_query(struct smb_work *w, struct smb_open *op, u8 *out,
		     size_t avail, size_t *written)
{
	struct smb_server *srv = w->conn->srv;
	const struct smb_vfs_ops *vfs = srv->ops.vfs;
	char *name, *label;
	struct smb_stat st;
	const size_t label_size = sizeof(((struct smb_stream_spec *)0)->name) +
				  sizeof(":x:$DATA");
	size_t used = 0, prev = 0;
	u32 status, i;
	u64 size;

	*written = 0;
	if (op->pipe || !op->file)
		return STATUS_INVALID_PARAMETER;
	/* sizeof(FILE_STREAM_INFORMATION) with its 8-byte alignment. */
	if (avail < 32)
		return STATUS_INFO_LENGTH_MISMATCH;
	status = base_stat(w, op, &st);
	if (status)
		return status;
	name = smb_alloc(srv, 2 * label_size);
	if (!name)
		return STATUS_INSUFFICIENT_RESOURCES;
	label = name + label_size;
	/* Directories have no unnamed data stream. */
	if (!st.is_dir &&
	    !smb_stream_info_put(out, avail, &used, &prev, "::$DATA", st.size,
				 st.alloc_size))
		status = STATUS_BUFFER_OVERFLOW;
	for (i = 0; !status && vfs->stream_list && i < SMB_STREAM_MAX_LIST;
	     i++) {
		status = vfs->stream_list(op->file, i, name,
					  label_size - sizeof(":x:$DATA"),
					  &size);
		if (status == STATUS_NO_MORE_FILES) {
			status = STATUS_SUCCESS;
			break;
		}
		if (status == STATUS_BUFFER_TOO_SMALL) {
			status = STATUS_SUCCESS;
			continue; /* a name we could never open: hidden */
		}
		if (status)
			break;
		smb_snprintf(label, label_size, ":%s:$DATA", name);
		if (!smb_stream_info_put(out, avail, &used, &prev, label, size,
					 (size + 4095) & ~4095ull))
			status = STATUS_BUFFER_OVERFLOW;
	}
	smb_free(srv, name);
	if (status && status != STATUS_BUFFER_OVERFLOW)
		return status;
	*written = used;
	return status;
}

u32 smb_stream_rename(struct smb_work *w, struct smb_open *op, const u8 *name,
		      u32 name_len, bool replace)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_stream_spec *sn;
	u32 status;

	if (!op->stream || !vfs->stream_rename)
		return STATUS_INVALID_PARAMETER; /* the unnamed stream stays */
	sn = smb_alloc(w->conn->srv, sizeof(*sn));
	if (!sn)
		return STATUS_INSUFFICIENT_RESOURCES;
	status = smb_stream_from_wire(name, name_len, sn);
	if (!status)
		status = vfs->stream_rename(op->file, sn->name, replace);
	if (!status && sn->name[0])
		status = set_stream_path(op, sn->name);
	if (!status && !sn->name[0]) {
		/* Now the file's own data: an open of the unnamed stream. */
		struct smb_server *srv = w->conn->srv;

		smb_mutex_lock(srv->lock);
		smb_free(srv, op->stream);
		op->stream = NULL;
		smb_mutex_unlock(srv->lock);
	}
	smb_free(w->conn->srv, sn);
	return status;
}

u32 smb_stream_rename_path(struct smb_work *w, struct smb_open *op,
			   const u8 *name, u32 name_len)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_stream_spec *sn = smb_alloc(srv, sizeof(*sn));
	char *path = smb_alloc(srv, SMB_PATH_MAX);
	u32 status = STATUS_INSUFFICIENT_RESOURCES;

	if (name_len >= 2 && smb_get_le16(name) == '\\') {
		name += 2;
		name_len -= 2;
	}
	if (sn && path)
		status = smb_path_from_wire_stream(name, name_len, path,
						   SMB_PATH_MAX, sn);
	if (!status)
		status = sn->present && smb_name_equal_ci(path, op->path) ?
				 STATUS_SHARING_VIOLATION :
				 STATUS_INVALID_PARAMETER;
	smb_free(srv, sn);
	smb_free(srv, path);
	return status;
}
