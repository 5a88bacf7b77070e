// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dir.c - SMB2 QUERY_DIRECTORY ([MS-SMB2] 3.3.5.18): streams directory
 * entries from the VFS through the pattern into as many information-class
 * records as fit, keeping the one that did not fit for the next call.
 */
#include "internal.h"
#include "fileinfo.h"
#include "utf16.h"
#include "wildcard.h"

#define QDIR_REQ_FIXED 32
#define QDIR_RESP_FIXED 8

static u32 next_entry(struct smb_open *op, const struct smb_vfs_ops *vfs,
		      struct smb_vfs_dirent *ent)
{
	struct smb_dir_cursor *c = op->dir;
	u32 st;

	if (c->have_pending) {
		*ent = c->pending;
		c->have_pending = false;
		return STATUS_SUCCESS;
	}
	if (c->at_end)
		return STATUS_NO_MORE_FILES;
	st = vfs->readdir(op->file, ent);
	if (st == STATUS_NO_MORE_FILES)
		c->at_end = true;
	return st;
}

int smb2_query_directory(struct smb_work *w)
{
	struct smb_server *srv = w->conn->srv;
	const struct smb_vfs_ops *vfs = srv->ops.vfs;
	const u8 *b = smb_req_body(w);
	struct smb_vfs_dirent *ent;
	struct smb_dir_cursor *c;
	struct smb_open *op;
	const u8 *pat;
	u8 cls, flags, *r, *out;
	u16 pat_len;
	u32 out_len, st = STATUS_SUCCESS;
	size_t pos = 0, last = 0, end = 0;
	int count = 0;

	if (smb_req_body_len(w) < QDIR_REQ_FIXED || smb_get_le16(b) != 33)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	cls = b[2];
	flags = b[3];
	pat_len = smb_get_le16(b + 26);
	pat = smb_req_range(w, smb_get_le16(b + 24), pat_len);
	out_len = smb_get_le32(b + 28);
	op = smb_open_find(w, b + 8);
	if (!op)
		return smb_resp_error(w, w->status);
	if (!pat || out_len == 0 || out_len > w->conn->max_trans) {
		smb_dbg("QUERY_DIRECTORY: pattern %u@%u, output %u (max %u)",
			pat_len, smb_get_le16(b + 24), out_len,
			w->conn->max_trans);
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	}
	if (!op->is_dir || !op->file)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (!(op->access & FILE_LIST_DIRECTORY))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (!smb_dirinfo_class_supported(cls))
		return smb_resp_error(w, STATUS_INVALID_INFO_CLASS);
	if (!op->dir) {
		op->dir = smb_alloc(srv, sizeof(*op->dir));
		if (!op->dir)
			return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	}
	c = op->dir;
	if (!c->started || (flags & (SMB2_RESTART_SCANS | SMB2_REOPEN))) {
		char pattern[sizeof(c->pattern)];

		if (pat_len == 0) {
			pattern[0] = '*';
			pattern[1] = '\0';
		} else if (smb_utf16_to_utf8(pat, pat_len, pattern,
					     sizeof(pattern)) < 0) {
			return smb_resp_error(w, STATUS_OBJECT_NAME_INVALID);
		}
		st = vfs->rewinddir(op->file);
		if (st)
			return smb_resp_error(w, st);
		memset(c, 0, sizeof(*c));
		memcpy(c->pattern, pattern, sizeof(c->pattern));
		c->started = true;
	}

	r = smb_resp_body(w, QDIR_RESP_FIXED + out_len);
	ent = smb_alloc(srv, sizeof(*ent));
	if (!r || !ent) {
		smb_free(srv, ent);
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	}
	out = r + QDIR_RESP_FIXED;
	for (;;) {
		int n;

		st = next_entry(op, vfs, ent);
		if (st == STATUS_NO_MORE_FILES) {
			st = STATUS_SUCCESS;
			break;
		}
		if (st)
			break;
		if (!smb_wildcard_match(c->pattern, ent->name))
			continue;
		n = smb_dirinfo_encode(cls, out + pos, out_len - pos, &ent->st,
				       ent->name, ent->st.ino, ent->st.ea_size);
		if (n == -3)
			continue; /* a name the wire cannot carry */
		if (n < 0) {
			/* Keep it for the next call. */
			c->pending = *ent;
			c->have_pending = true;
			break;
		}
		if (count)
			smb_put_le32(out + last, (u32)(pos - last));
		last = pos;
		count++;
		c->returned_any = true;
		end = pos + (size_t)n;
		pos = SMB_ALIGN8(end);
		if ((flags & SMB2_RETURN_SINGLE_ENTRY) || pos >= out_len)
			break;
	}
	smb_free(srv, ent);
	if (st)
		return smb_resp_error(w, st);
	if (count == 0) {
		if (c->have_pending)
			return smb_resp_error(w, STATUS_INFO_LENGTH_MISMATCH);
		/* "No such file" only when the search never matched anything. */
		return smb_resp_error(w, c->returned_any ? STATUS_NO_MORE_FILES :
							   STATUS_NO_SUCH_FILE);
	}
	smb_put_le16(r, 9);
	smb_put_le16(r + 2, SMB2_HDR_SIZE + QDIR_RESP_FIXED);
	/* The last entry is not padded. */
	smb_put_le32(r + 4, (u32)end);
	smb_resp_set_body_len(w, QDIR_RESP_FIXED + end);
	return 0;
}
