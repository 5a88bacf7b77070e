// SPDX-License-Identifier: GPL-2.0-or-later
/* create.c - SMB2 CREATE and CLOSE ([MS-SMB2] 2.2.13-2.2.16, 3.3.5.9-10). */
#include "durable.h"
#include "bind.h"
#include "internal.h"
#include "ea.h"
#include "fileinfo.h"
#include "async.h"
#include "oplock.h"
#include "security.h"
#include "stream.h"

#define CREATE_REQ_FIXED 56
#define CREATE_RESP_FIXED 88
#define CLOSE_RESP_SIZE 60

/* Reserved DesiredAccess bits ([MS-SMB2] 2.2.13.1). */
#define ACCESS_RESERVED_BITS 0x0ce0fe00u
#define WRITE_ACCESS_BITS (FILE_WRITE_DATA | FILE_APPEND_DATA | \
			   FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | DELETE | \
			   WRITE_DAC | WRITE_OWNER | FILE_DELETE_CHILD)

struct create_ctx_req {
	bool mxac;
	bool qfid;
	bool alloc_size_set;
	u64 alloc_size; /* "AlSi": initial allocation of a created file */
	const u8 *ea_list; /* "ExtA": FILE_FULL_EA_INFORMATION, checked */
	u32 ea_len;
	const u8 *secd; /* "SecD": descriptor for a created object */
	u32 secd_len;
	u32 desired; /* DesiredAccess, generic bits mapped */
	bool want_max; /* MAXIMUM_ALLOWED was asked for */
	struct smb_durable_req dh; /* DHnQ, DHnC, DH2Q, DH2C */
	struct smb_lease_req lease; /* "RqLs", from SMB 2.1 on */
};

/* Walk the request's create contexts, bounds-checking each. */
static u32 parse_contexts(struct smb_work *w, u32 off, u32 len,
			  struct create_ctx_req *cc)
{
	const u8 *base, *p;
	u32 pos = 0;

	memset(cc, 0, sizeof(*cc));
	if (len == 0)
		return STATUS_SUCCESS;
	base = smb_req_range(w, off, len);
	if (!base || (off & 7))
		return STATUS_INVALID_PARAMETER;
	for (;;) {
		u32 next, dlen;
		u16 noff, nlen, doff;
		const u8 *name;

		if (len - pos < 16)
			return STATUS_INVALID_PARAMETER;
		p = base + pos;
		next = smb_get_le32(p);
		noff = smb_get_le16(p + 4);
		nlen = smb_get_le16(p + 6);
		doff = smb_get_le16(p + 10);
		dlen = smb_get_le32(p + 12);
		if (next > len - pos || (next && (next < 16 || (next & 7))))
			return STATUS_INVALID_PARAMETER;
		{
			u32 limit = next ? next : len - pos;

			/* Windows refuses names shorter than four bytes. */
			if (noff < 16 || nlen < 4 ||
			    (u64)noff + nlen > limit)
				return STATUS_INVALID_PARAMETER;
			if (dlen && (doff < 16 || (u64)doff + dlen > limit))
				return STATUS_INVALID_PARAMETER;
		}
		name = p + noff;
		{
			bool taken;
			u32 st = smb_durable_parse_ctx(&cc->dh, name, nlen,
						       p + doff, dlen, &taken);

			if (st)
				return st;
			if (taken)
				goto next_ctx;
		}
		if (nlen == 4 && !memcmp(name, "MxAc", 4))
			cc->mxac = true;
		else if (nlen == 4 && !memcmp(name, "QFid", 4))
			cc->qfid = true;
		else if (nlen == 4 && !memcmp(name, "ExtA", 4) && dlen) {
			u32 bad, st = smb_ea_check_full(p + doff, dlen, &bad);

			if (st)
				return st == STATUS_INVALID_EA_NAME ?
					       st :
					       STATUS_INVALID_PARAMETER;
			cc->ea_list = p + doff;
			cc->ea_len = dlen;
		} else if (nlen == 4 && !memcmp(name, "TWrp", 4))
			return STATUS_OBJECT_NAME_NOT_FOUND; /* no snapshots */
		else if (nlen == 4 && !memcmp(name, "AlSi", 4)) {
			if (dlen != 8)
				return STATUS_INVALID_PARAMETER;
			cc->alloc_size = smb_get_le64(p + doff);
			cc->alloc_size_set = true;
		} else if (nlen == 4 && !memcmp(name, "RqLs", 4) &&
			   w->conn->dialect >= SMB2_DIALECT_0210) {
			u32 st = smb_lease_parse(p + doff, dlen,
						 w->conn->dialect, &cc->lease);

			if (st)
				return st;
		} else if (nlen == 4 && !memcmp(name, "SecD", 4) && dlen) {
			cc->secd = p + doff;
			cc->secd_len = dlen;
		}
		/* Leases, AAPL and the rest are ignored here: an unanswered
		 * context means "not granted", which clients handle.
		 */
next_ctx:
		if (!next)
			break;
		pos += next;
	}
	return smb_durable_validate(&cc->dh, w->conn->dialect);
}

static size_t put_ctx(u8 *p, const char *name, const u8 *data, u32 dlen,
		      bool last)
{
	size_t total = 24 + dlen;

	smb_put_le32(p, last ? 0 : (u32)SMB_ALIGN8(total));
	smb_put_le16(p + 4, 16);
	smb_put_le16(p + 6, 4);
	smb_put_le16(p + 8, 0);
	smb_put_le16(p + 10, 24);
	smb_put_le32(p + 12, dlen);
	memcpy(p + 16, name, 4);
	memset(p + 20, 0, 4);
	memcpy(p + 24, data, dlen);
	return SMB_ALIGN8(total);
}

static u32 vfs_flags(u32 access, u32 disposition, u32 options)
{
	u32 f = 0;

	if (access & (FILE_READ_DATA | FILE_EXECUTE))
		f |= SMB_VFS_O_READ;
	if (access & (FILE_WRITE_DATA | FILE_APPEND_DATA))
		f |= SMB_VFS_O_WRITE;
	if (!(f & (SMB_VFS_O_READ | SMB_VFS_O_WRITE)))
		f |= SMB_VFS_O_PATH_ONLY;
	switch (disposition) {
	case FILE_CREATE:
		f |= SMB_VFS_O_CREATE | SMB_VFS_O_EXCL;
		break;
	case FILE_OPEN_IF:
	case FILE_OVERWRITE_IF:
	case FILE_SUPERSEDE:
		f |= SMB_VFS_O_CREATE;
		break;
	default:
		break;
	}
	/* Overwriting truncates: that needs a writable handle. */
	if (disposition == FILE_OVERWRITE || disposition == FILE_OVERWRITE_IF ||
	    disposition == FILE_SUPERSEDE)
		f = (f & ~SMB_VFS_O_PATH_ONLY) | SMB_VFS_O_WRITE;
	if (options & FILE_DIRECTORY_FILE)
		f = (f & ~(SMB_VFS_O_WRITE | SMB_VFS_O_PATH_ONLY)) |
		    SMB_VFS_O_DIRECTORY | SMB_VFS_O_READ;
	if (options & FILE_NON_DIRECTORY_FILE)
		f |= SMB_VFS_O_NOT_DIRECTORY;
	return f;
}

static void put_times(u8 *p, const struct smb_stat *st)
{
	smb_put_le64(p, st->creation_time);
	smb_put_le64(p + 8, st->access_time);
	smb_put_le64(p + 16, st->write_time);
	smb_put_le64(p + 24, st->change_time);
}

/* Without the right to add to the parent, only existing objects open. */
static u32 vfs_flags_sec(u32 access, u32 disposition, u32 options, bool may_add)
{
	u32 f = vfs_flags(access, disposition, options);

	return may_add ? f : f & ~(SMB_VFS_O_CREATE | SMB_VFS_O_EXCL);
}

static u32 open_disk_sec(struct smb_work *w, struct smb_open *op,
			 u32 disposition, u32 options, u32 attributes,
			 u32 *action, struct smb_stat *st,
			 const struct create_ctx_req *cc,
			 struct smb_create_sec *cs)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	struct smb_share *sh = w->tree->share;
	bool created = false, existed, may_add = true;
	u32 flags = vfs_flags(op->access, disposition, options);
	u32 mode = (options & FILE_DIRECTORY_FILE) ? sh->cfg.directory_mask :
						    sh->cfg.create_mask;
	u32 status;

	if (flags & SMB_VFS_O_CREATE) {
		status = smb_create_sec_may_add(w, cs, op->path,
						options & FILE_DIRECTORY_FILE,
						&may_add);
		if (status)
			return status;
		flags = vfs_flags_sec(op->access, disposition, options,
				      may_add);
	}
	status = vfs->open(sh->root, op->path, flags, mode, &op->file, st,
			   &created);
	if (status == STATUS_FILE_IS_A_DIRECTORY &&
	    !(options & FILE_NON_DIRECTORY_FILE) &&
	    (disposition == FILE_OPEN || disposition == FILE_OPEN_IF)) {
		/* A directory opened without FILE_DIRECTORY_FILE is still fine. */
		flags = vfs_flags_sec(op->access, disposition,
				      options | FILE_DIRECTORY_FILE, may_add);
		status = vfs->open(sh->root, op->path, flags, mode, &op->file,
				   st, &created);
	}
	if (!may_add && status == STATUS_OBJECT_NAME_NOT_FOUND)
		status = STATUS_ACCESS_DENIED; /* it would have been created */
	else if (!may_add && !status && disposition == FILE_CREATE)
		status = STATUS_OBJECT_NAME_COLLISION;
	if (status)
		return status;
	existed = !created;
	op->is_dir = st->is_dir;
	if (existed) {
		/* Overwriting is writing: the descriptor must allow it. */
		bool ow = !op->is_dir && (disposition == FILE_OVERWRITE ||
					  disposition == FILE_OVERWRITE_IF ||
					  disposition == FILE_SUPERSEDE);

		status = smb_create_sec_check(
			w, cs, op, cc->desired | (ow ? FILE_WRITE_DATA : 0),
			cc->want_max);
		if (!status && ow && !cc->want_max)
			op->access &= cc->desired | ~FILE_WRITE_DATA;
	} else
		status = smb_create_sec_apply(w, cs, op, st);
	if (status)
		return status;
	if (op->is_dir && (disposition == FILE_OVERWRITE ||
			   disposition == FILE_OVERWRITE_IF ||
			   disposition == FILE_SUPERSEDE) && existed)
		return STATUS_INVALID_PARAMETER;
	/*
	 * Break what conflicts first: the sharing check sees the result.  A
	 * lease key in use for another file fails a new file too.
	 */
	status = smb_oplock_create_breaks(
		w, op, st, disposition, cc->lease.present ? &cc->lease : NULL);
	if (status && created && op->is_dir)
		vfs->rmdir(sh->root, op->path);
	else if (status && created)
		vfs->unlink(sh->root, op->path);
	if (status)
		return status;
	status = smb_open_attach_node(op, st);
	if (status)
		return status;
	if (existed && (disposition == FILE_OVERWRITE ||
			disposition == FILE_OVERWRITE_IF ||
			disposition == FILE_SUPERSEDE)) {
		struct smb_vfs_setattr sa;

		/* Truncate only after share modes said yes. */
		memset(&sa, 0, sizeof(sa));
		sa.valid = SMB_VFS_SET_SIZE;
		if (attributes) {
			sa.valid |= SMB_VFS_SET_ATTRIBUTES;
			sa.attributes = attributes | FILE_ATTRIBUTE_ARCHIVE;
		}
		status = vfs->setattr(op->file, &sa);
		if (status)
			return status;
		/* Overwriting a file replaces all of its data streams. */
		if (vfs->stream_remove && !op->is_dir)
			vfs->stream_remove(op->file, NULL);
		*action = disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED :
							  FILE_OVERWRITTEN;
	} else {
		*action = created ? FILE_CREATED : FILE_OPENED;
	}
	if (created && attributes & ~(FILE_ATTRIBUTE_NORMAL |
				      FILE_ATTRIBUTE_DIRECTORY)) {
		struct smb_vfs_setattr sa;

		memset(&sa, 0, sizeof(sa));
		sa.valid = SMB_VFS_SET_ATTRIBUTES;
		sa.attributes = attributes & ~FILE_ATTRIBUTE_NORMAL;
		if (!op->is_dir)
			sa.attributes |= FILE_ATTRIBUTE_ARCHIVE;
		vfs->setattr(op->file, &sa);
	}
	if (op->delete_on_close &&
	    (st->attributes & FILE_ATTRIBUTE_READONLY) && existed)
		return STATUS_CANNOT_DELETE;
	if (cc->ea_list && *action != FILE_OPENED) {
		status = smb_ea_apply(vfs, op->file, cc->ea_list, cc->ea_len);
		if (status)
			return status;
	}
	if (cc->alloc_size_set && !op->is_dir && *action != FILE_OPENED) {
		struct smb_vfs_setattr sa;

		memset(&sa, 0, sizeof(sa));
		sa.valid = SMB_VFS_SET_ALLOC;
		sa.size = cc->alloc_size;
		vfs->setattr(op->file, &sa); /* a hint: failure is not fatal */
	}
	return vfs->fstat(op->file, st);
}

/*
 * A named stream: the file's security decides, as for the file itself
 * (adding the file needs the parent's consent; an existing file's
 * descriptor is checked; a new one gets the SecD or the inherited one).
 */
static u32 open_stream(struct smb_work *w, struct smb_open *op,
		       const struct smb_stream_spec *sn, u32 disposition,
		       u32 options, u32 *action, struct smb_stat *st,
		       const struct create_ctx_req *cc)
{
	struct smb_create_sec cs;
	bool may_add = true, file_created = false, created = false;
	u32 flags = vfs_flags(op->access, disposition, 0);
	u32 status = smb_create_sec_init(w, &cs, cc->secd, cc->secd_len);

	if (status)
		return status;
	if (flags & SMB_VFS_O_CREATE)
		status = smb_create_sec_may_add(w, &cs, op->path, false,
						&may_add);
	if (!status)
		status = smb_stream_open_file(w, op, disposition, options,
					      may_add, &file_created, st);
	if (!may_add && status == STATUS_OBJECT_NAME_NOT_FOUND)
		status = STATUS_ACCESS_DENIED; /* the file would have been made */
	/* The file's descriptor decides before any stream is made. */
	if (!status)
		status = file_created ? smb_create_sec_apply(w, &cs, op, st) :
					smb_create_sec_check(w, &cs, op,
							     cc->desired,
							     cc->want_max);
	if (status && file_created)
		w->conn->srv->ops.vfs->unlink(w->tree->share->root, op->path);
	if (!status)
		status = smb_stream_open_named(w, op, sn, flags, file_created,
					       &created, st);
	/* Break what conflicts first: the sharing check sees the result. */
	if (!status && !created)
		status = smb_oplock_create_breaks(
			w, op, st, disposition,
			cc->lease.present ? &cc->lease : NULL);
	if (!status)
		status = smb_stream_finish(w, op, disposition, created, action,
					   st);
	smb_create_sec_release(w, &cs);
	return status;
}

static u32 open_disk(struct smb_work *w, struct smb_open *op, u32 disposition,
		     u32 options, u32 attributes, u32 *action,
		     struct smb_stat *st, const struct create_ctx_req *cc)
{
	struct smb_create_sec cs;
	u32 status = smb_create_sec_init(w, &cs, cc->secd, cc->secd_len);

	if (status)
		return status;
	status = open_disk_sec(w, op, disposition, options, attributes,
			       action, st, cc, &cs);
	smb_create_sec_release(w, &cs);
	return status;
}

/*
 * The CREATE response for op, with the contexts asked for and the
 * durable-handle one (dname/ddata/dlen) when granted.
 */
static int create_reply(struct smb_work *w, struct smb_open *op,
			const struct smb_stat *st, u32 action,
			const struct create_ctx_req *cc, u8 oplock,
			const char *dname, const u8 *ddata, u32 dlen)
{
	u8 *r, *p, *last = NULL;
	size_t ctx_len;

	w->related_pid = op->persistent_id;
	w->related_vid = op->volatile_id;
	w->related_fid_valid = true;
	r = smb_resp_body(w, CREATE_RESP_FIXED + 3 * 32 + 2 * 32 +
				     SMB_ALIGN8(24 + SMB_LEASE_V2_SIZE));
	if (!r)
		return -1;
	smb_put_le16(r, 89);
	r[2] = oplock;
	smb_put_le32(r + 4, action);
	put_times(r + 8, st);
	smb_put_le64(r + 40, st->is_dir ? 0 : st->alloc_size);
	smb_put_le64(r + 48, st->is_dir ? 0 : st->size);
	smb_put_le32(r + 56, smb_stat_attributes(st));
	smb_put_le64(r + 64, op->persistent_id);
	smb_put_le64(r + 72, op->volatile_id);
	p = r + CREATE_RESP_FIXED;
	if (cc->mxac) {
		u8 d[8];

		smb_put_le32(d, STATUS_SUCCESS);
		smb_put_le32(d + 4, op->file ? smb_security_maximal(w, op) :
					       w->tree->maximal_access);
		last = p;
		p += put_ctx(p, "MxAc", d, 8, false);
	}
	if (cc->qfid) {
		u8 d[32];

		memset(d, 0, sizeof(d));
		smb_put_le64(d, st->ino);
		smb_put_le64(d + 16, st->dev);
		last = p;
		p += put_ctx(p, "QFid", d, 32, false);
	}
	if (oplock == SMB2_OPLOCK_LEVEL_LEASE) {
		u8 d[SMB_LEASE_V2_SIZE];
		u32 n = smb_lease_put_response(op, &cc->lease, d);

		last = p;
		p += put_ctx(p, "RqLs", d, n, false);
	}
	if (dlen) {
		last = p;
		p += put_ctx(p, dname, ddata, dlen, false);
	}
	if (last)
		smb_put_le32(last, 0); /* the chain ends here */
	ctx_len = (size_t)(p - (r + CREATE_RESP_FIXED));
	if (ctx_len) {
		smb_put_le32(r + 80, SMB2_HDR_SIZE + CREATE_RESP_FIXED);
		smb_put_le32(r + 84, (u32)ctx_len);
		smb_resp_set_body_len(w, CREATE_RESP_FIXED + ctx_len);
	} else {
		/* The fixed part is 88 bytes plus one byte of Buffer. */
		smb_resp_set_body_len(w, CREATE_RESP_FIXED + 1);
	}
	return 0;
}

/* DHnC / DH2C, or a replayed DH2Q: answer with an open that exists. */
static int create_existing(struct smb_work *w, struct smb_open *op,
			   const struct create_ctx_req *cc, bool replay)
{
	const char *dname = NULL;
	struct smb_stat st;
	u8 ddata[8];
	u32 dlen = 0;

	memset(&st, 0, sizeof(st));
	if (op->file && w->conn->srv->ops.vfs->fstat(op->file, &st))
		return smb_resp_error(w, STATUS_INTERNAL_ERROR);
	/* A replay gets the answer the original request got. */
	if (replay)
		dlen = smb_durable_response(op, ddata, &dname);
	return create_reply(w, op, &st, FILE_OPENED, cc, op->oplock_level,
			    dname, ddata, dlen);
}

int smb2_create(struct smb_work *w)
{
	struct smb_server *srv = w->conn->srv;
	const u8 *b = smb_req_body(w);
	struct smb_tree *tree = w->tree;
	struct create_ctx_req cc;
	struct smb_open *op;
	struct smb_stat st;
	const u8 *name;
	u32 access, share, disposition, options, attributes, imp, action = 0;
	u32 status;
	u16 name_len;
	bool ro_open_if = false;
	const char *dname = NULL;
	u8 ddata[8], oplock;
	u32 dlen;

	if (smb_req_body_len(w) < CREATE_REQ_FIXED || smb_get_le16(b) != 57)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	oplock = b[3];
	imp = smb_get_le32(b + 4);
	access = smb_get_le32(b + 24);
	attributes = smb_get_le32(b + 28);
	share = smb_get_le32(b + 32);
	disposition = smb_get_le32(b + 36);
	options = smb_get_le32(b + 40);
	name_len = smb_get_le16(b + 46);
	name = smb_req_range(w, smb_get_le16(b + 44), name_len);
	if (!name)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	smb_dbg("CREATE access 0x%x attrs 0x%x share 0x%x disp %u options 0x%x",
		access, attributes, share, disposition, options);
	status = parse_contexts(w, smb_get_le32(b + 48), smb_get_le32(b + 52),
				&cc);
	/*
	 * A durable reconnect ignores the other fields, RequestedOplockLevel
	 * too: a lease context alone names the lease (3.3.5.9.7/12).
	 */
	if (!status && smb_durable_is_reconnect(&cc.dh)) {
		status = smb_durable_reconnect(w, &cc.dh, &cc.lease, name,
					       name_len, &op);
		if (status)
			return smb_resp_error(w, status);
		return create_existing(w, op, &cc, false);
	}
	if (oplock != SMB2_OPLOCK_LEVEL_LEASE)
		cc.lease.present = false; /* a lease only when asked for */
	if (imp > SMB2_IMPERSONATION_DELEGATE)
		return smb_resp_error(w, STATUS_BAD_IMPERSONATION_LEVEL);
	if (disposition > FILE_OVERWRITE_IF ||
	    (options & ~FILE_CREATE_OPTIONS_MASK) ||
	    ((options & FILE_DIRECTORY_FILE) &&
	     (options & FILE_NON_DIRECTORY_FILE)) ||
	    (attributes & ~FILE_ATTRIBUTE_VALID_FLAGS) ||
	    (share & ~(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)))
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if ((options & FILE_DIRECTORY_FILE) && disposition != FILE_CREATE &&
	    disposition != FILE_OPEN && disposition != FILE_OPEN_IF)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (access & ACCESS_RESERVED_BITS)
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (access & ACCESS_SYSTEM_SECURITY)
		return smb_resp_error(w, STATUS_PRIVILEGE_NOT_HELD);
	if (options & FILE_OPEN_BY_FILE_ID)
		return smb_resp_error(w, STATUS_NOT_SUPPORTED);
	if (status)
		return smb_resp_error(w, status);
	op = smb_durable_find_replay(w, &cc.dh);
	if (op)
		return create_existing(w, op, &cc, true);

	cc.want_max = access & MAXIMUM_ALLOWED;
	cc.desired = smb_map_generic_file(access & ~MAXIMUM_ALLOWED);
	if (access & MAXIMUM_ALLOWED)
		access = (access & ~MAXIMUM_ALLOWED) | tree->maximal_access;
	access = smb_map_generic_file(access);
	if (tree->read_only && !tree->share->cfg.is_pipe) {
		/* Opening existing objects to read is all a read-only share allows. */
		if ((access & WRITE_ACCESS_BITS) ||
		    (options & FILE_DELETE_ON_CLOSE) ||
		    (disposition != FILE_OPEN && disposition != FILE_OPEN_IF))
			return smb_resp_error(w, STATUS_ACCESS_DENIED);
		ro_open_if = disposition == FILE_OPEN_IF;
		disposition = FILE_OPEN;
	}
	if ((options & FILE_DELETE_ON_CLOSE) && !(access & DELETE))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if ((options & FILE_DELETE_ON_CLOSE) &&
	    (attributes & FILE_ATTRIBUTE_READONLY))
		return smb_resp_error(w, STATUS_CANNOT_DELETE);

	op = smb_alloc(srv, sizeof(*op));
	if (!op)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	op->tree = tree;
	op->access = access;
	op->share_access = share;
	op->create_options = options;
	op->delete_on_close = options & FILE_DELETE_ON_CLOSE;
	smb_list_init(&op->link);
	smb_list_init(&op->node_link);
	if (smb_open_set_path(op, "")) {
		smb_free(srv, op);
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	}

	if (tree->share->cfg.is_pipe) {
		char pipe[256];

		status = smb_path_from_wire(name, name_len, pipe, sizeof(pipe));
		if (!status)
			status = smb_ipc_open(w, pipe, op);
		memset(&st, 0, sizeof(st));
		st.attributes = FILE_ATTRIBUTE_NORMAL;
		action = FILE_OPENED;
	} else {
		char *path = smb_alloc(srv, SMB_PATH_MAX);
		struct smb_stream_spec *sn = smb_alloc(srv, sizeof(*sn));

		status = path && sn ?
				 smb_path_from_wire_stream(name, name_len, path,
							   SMB_PATH_MAX, sn) :
				 STATUS_INSUFFICIENT_RESOURCES;
		if (!status)
			status = smb_open_set_path(op, path);
		smb_free(srv, path);
		if (!status && srv->cfg.max_open_files &&
		    w->sess->nopens >= srv->cfg.max_open_files)
			status = STATUS_TOO_MANY_OPENED_FILES;
		if (!status && sn->present && !sn->name[0]) {
			/* "::$DATA" is the data of a file, never a directory. */
			if (options & FILE_DIRECTORY_FILE)
				status = STATUS_NOT_A_DIRECTORY;
			options |= FILE_NON_DIRECTORY_FILE;
		}
		if (!status && sn->name[0])
			status = open_stream(w, op, sn, disposition, options,
					     &action, &st, &cc);
		else if (!status)
			status = open_disk(w, op, disposition, options,
					   attributes, &action, &st, &cc);
		smb_free(srv, sn);
		if (ro_open_if && status == STATUS_OBJECT_NAME_NOT_FOUND)
			status = STATUS_ACCESS_DENIED;
		if (status)
			smb_dbg("CREATE '%s' -> 0x%x", op->path, status);
	}
	if (status) {
		u64 dev = st.dev, ino = st.ino;

		smb_open_insert(w->sess, op);
		smb_open_destroy(op, false);
		/* Disconnected durable opens were closed: start again. */
		if (status == SMB_STATUS_REOPEN && !w->create_again) {
			w->create_again = true;
			return smb2_create(w);
		}
		if (status == SMB_STATUS_REOPEN)
			status = STATUS_SHARING_VIOLATION;
		/* Wait for an oplock or lease break, then start again. */
		if (status == STATUS_PENDING)
			status = smb_oplock_wait(w, dev, ino);
		return status ? smb_resp_error(w, status) : 0;
	}
	smb_open_insert(w->sess, op);
	oplock = smb_oplock_grant(w, op, oplock, &cc.lease, disposition);
	dlen = smb_durable_grant(w, op, &cc.dh, ddata, &dname);
	return create_reply(w, op, &st, action, &cc, oplock, dname, ddata,
			    dlen);
}

/* Run a request that waited for an oplock break again (oplock.h). */
void smb2_request_resume(struct smb_async *a, const u8 *req, size_t len,
			 int (*handler)(struct smb_work *w))
{
	struct smb_conn *conn = a->conn;
	struct smb_work *w = smb_alloc(conn->srv, sizeof(*w));
	struct smb_list *pos;
	u32 status = STATUS_SUCCESS;
	int rc = -1;

	if (!w) {
		smb_async_complete(a, STATUS_INSUFFICIENT_RESOURCES, NULL, 0);
		return;
	}
	w->conn = conn;
	w->req = req;
	w->req_len = len;
	w->command = smb_get_le16(req + SMB2_HDR_COMMAND);
	w->flags = smb_get_le32(req + SMB2_HDR_FLAGS) &
		   ~SMB2_FLAGS_RELATED_OPERATIONS;
	w->message_id = a->message_id;
	w->session_id = a->session_id;
	w->last_in_chain = true;
	w->resume = a;
	if (conn->dead)
		status = STATUS_CANCELLED; /* nothing is sent any more */
	else {
		w->sess = smb_session_find(conn, a->session_id);
		w->chan = smb_channel_lookup(conn, a->session_id);
	}
	if (!status && (!w->sess || w->sess->state != SMB_SESSION_VALID))
		status = STATUS_USER_SESSION_DELETED;
	/* The tree by identity: the request's id may have been "related". */
	for (pos = status ? NULL : w->sess->trees.next;
	     pos && pos != &w->sess->trees; pos = pos->next)
		if (smb_container_of(pos, struct smb_tree, link) == a->tree)
			w->tree = a->tree;
	if (!status && !w->tree)
		status = STATUS_NETWORK_NAME_DELETED;
	if (!status) {
		w->tree_id = w->tree->id;
		rc = handler(w);
	}
	if (!w->resume) {
		/* Waiting again. */
	} else if (status) {
		smb_async_complete(a, status, NULL, 0);
	} else if (rc < 0 || !w->resp) {
		smb_async_complete(a, STATUS_INSUFFICIENT_RESOURCES, NULL, 0);
	} else {
		smb_async_complete(a, w->status, w->resp + SMB2_HDR_SIZE,
				   w->resp_len - SMB2_HDR_SIZE);
	}
	smb_free(conn->srv, w->resp);
	smb_free(conn->srv, w);
}

int smb2_close(struct smb_work *w)
{
	const struct smb_vfs_ops *vfs = w->conn->srv->ops.vfs;
	const u8 *b = smb_req_body(w);
	struct smb_open *op;
	struct smb_stat st;
	u16 flags;
	u8 *r;

	if (smb_req_body_len(w) < 24 || smb_get_le16(b) != 24)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	flags = smb_get_le16(b + 2);
	op = smb_open_find(w, b + 8);
	if (!op)
		return smb_resp_error(w, w->status);
	memset(&st, 0, sizeof(st));
	if ((flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) && op->file &&
	    vfs->fstat(op->file, &st))
		flags &= ~SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB;
	smb_open_destroy(op, true);
	r = smb_resp_body(w, CLOSE_RESP_SIZE);
	if (!r)
		return -1;
	smb_put_le16(r, 60);
	if (flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) {
		smb_put_le16(r + 2, SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB);
		put_times(r + 8, &st);
		smb_put_le64(r + 40, st.is_dir ? 0 : st.alloc_size);
		smb_put_le64(r + 48, st.is_dir ? 0 : st.size);
		smb_put_le32(r + 56, smb_stat_attributes(&st));
	}
	return 0;
}
