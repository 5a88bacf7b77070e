// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * security.c - file security descriptors for QUERY_INFO, SET_INFO and
 * CREATE (see security.h for what is stored and what is enforced).
 */
#include "security.h"

#define SD_FIRST_READ 1024 /* most descriptors fit; larger ones re-read */
#define SECINFO_PARTS                                              \
	(OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | \
	 DACL_SECURITY_INFORMATION | SACL_SECURITY_INFORMATION)
#define DACL_CONTROL_SET                                                  \
	(SE_DACL_PRESENT | SE_DACL_DEFAULTED | SE_DACL_AUTO_INHERIT_REQ | \
	 SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED)

static void session_token(const struct smb_work *w, struct smb_token *t)
{
	smb_token_init(t, &w->sess->user, w->sess->is_guest,
		       w->sess->is_anonymous);
}

void smb_sd_buf_release(struct smb_server *srv, struct smb_sd_buf *b)
{
	if (b->raw)
		smb_free(srv, b->raw);
	memset(b, 0, sizeof(*b));
}

/* Read the stored bytes into a fresh buffer; STATUS_NOT_FOUND if none. */
static u32 read_stored(struct smb_server *srv, struct smb_vfs_file *f, u8 **out,
		       size_t *len)
{
	const struct smb_vfs_ops *vfs = srv->ops.vfs;
	size_t size = SD_FIRST_READ;
	u32 status;
	int tries;

	*out = NULL;
	if (!vfs->get_sd || !f)
		return STATUS_NOT_FOUND;
	for (tries = 0; tries < 3; tries++) {
		u8 *buf = smb_alloc(srv, size);

		if (!buf)
			return STATUS_INSUFFICIENT_RESOURCES;
		status = vfs->get_sd(f, buf, size, len);
		if (!status && *len <= size) {
			*out = buf;
			return STATUS_SUCCESS;
		}
		smb_free(srv, buf);
		if (status != STATUS_BUFFER_TOO_SMALL)
			return status;
		if (*len <= size || *len > SMB_SD_MAX_SIZE)
			size = SMB_SD_MAX_SIZE; /* raced, or size unknown */
		else
			size = *len;
	}
	return STATUS_INVALID_SECURITY_DESCR;
}

u32 smb_sd_load(struct smb_server *srv, struct smb_vfs_file *f,
		const struct smb_stat *st, struct smb_sd_buf *b)
{
	struct smb_stat own;
	size_t len = 0;
	u32 status;

	memset(b, 0, sizeof(*b));
	status = read_stored(srv, f, &b->raw, &len);
	if (!status) {
		status = smb_sd_parse(b->raw, len, &b->sd);
		if (status) {
			smb_warn("stored security descriptor does not parse "
				 "(0x%x)",
				 status);
			smb_sd_buf_release(srv, b);
			return status;
		}
		b->stored = true;
		return STATUS_SUCCESS;
	}
	if (status != STATUS_NOT_FOUND)
		return status;
	if (!st) {
		memset(&own, 0, sizeof(own));
		if (f) {
			status = srv->ops.vfs->fstat(f, &own);
			if (status)
				return status;
		}
		st = &own;
	}
	smb_sd_synthesize(st, b->synth_acl, &b->sd);
	return STATUS_SUCCESS;
}

/* Encode the whole of sd and store it for f. */
static u32 store_sd(struct smb_server *srv, struct smb_vfs_file *f,
		    const struct smb_sd *sd)
{
	size_t need = 0;
	u8 *buf;
	u32 status;

	if (!srv->ops.vfs->set_sd)
		return STATUS_NOT_SUPPORTED;
	smb_sd_encode(sd, SECINFO_PARTS, NULL, 0, &need);
	if (need > SMB_SD_MAX_SIZE)
		return STATUS_INVALID_SECURITY_DESCR;
	buf = smb_alloc(srv, need);
	if (!buf)
		return STATUS_INSUFFICIENT_RESOURCES;
	status = smb_sd_encode(sd, SECINFO_PARTS, buf, need, &need);
	if (!status)
		status = srv->ops.vfs->set_sd(f, buf, need);
	smb_free(srv, buf);
	return status;
}

/* ---- QUERY_INFO / SET_INFO --------------------------------------------- */

u32 smb_security_query(struct smb_work *w, struct smb_open *op, u32 secinfo,
		       u8 *out, size_t avail, size_t *written)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_sd_buf b;
	struct smb_stat st;
	u32 status;

	*written = 0;
	if ((secinfo &
	     (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
	      DACL_SECURITY_INFORMATION)) &&
	    !(op->access & READ_CONTROL))
		return STATUS_ACCESS_DENIED;
	/* Reading the SACL needs ACCESS_SYSTEM_SECURITY on the handle, which
	 * no open gets (it needs a privilege no session holds). */
	if ((secinfo & SACL_SECURITY_INFORMATION) &&
	    !(op->access & ACCESS_SYSTEM_SECURITY))
		return STATUS_ACCESS_DENIED;
	memset(&st, 0, sizeof(st));
	if (op->file) {
		status = srv->ops.vfs->fstat(op->file, &st);
		if (status)
			return status;
	}
	status = smb_sd_load(srv, op->file, &st, &b);
	if (status)
		return status;
	status = smb_sd_encode(&b.sd, secinfo, out, avail, written);
	smb_sd_buf_release(srv, &b);
	return status;
}

/* May the session make sid the owner of something?  Only a SID it acts
 * as: there is no restore or take-ownership privilege here. */
static bool owner_allowed(const struct smb_token *t, const struct smb_sid *sid)
{
	return smb_token_has(t, sid);
}

/*
 * The DACL control bits kept from a descriptor a client sets: PROTECTED,
 * and AUTO_INHERITED only together with AUTO_INHERIT_REQ, which itself is
 * never stored (as Windows answers).
 */
static u16 dacl_control_from_client(u16 control)
{
	u16 c = SE_DACL_PRESENT | (control & SE_DACL_PROTECTED);

	if ((control & (SE_DACL_AUTO_INHERITED | SE_DACL_AUTO_INHERIT_REQ)) ==
	    (SE_DACL_AUTO_INHERITED | SE_DACL_AUTO_INHERIT_REQ))
		c |= SE_DACL_AUTO_INHERITED;
	return c;
}

u32 smb_security_set(struct smb_work *w, struct smb_open *op, u32 secinfo,
		     const u8 *in, u32 len)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_sd_buf old;
	struct smb_token tok;
	struct smb_sd new, merged;
	u8 *mapped = NULL;
	u32 status, need = 0;

	if (op->pipe || !op->file)
		return STATUS_NOT_SUPPORTED;
	if (op->tree->read_only)
		return STATUS_ACCESS_DENIED;
	if (secinfo & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION))
		need |= WRITE_OWNER;
	if (secinfo & DACL_SECURITY_INFORMATION)
		need |= WRITE_DAC;
	if (secinfo & SACL_SECURITY_INFORMATION)
		need |= ACCESS_SYSTEM_SECURITY;
	if ((op->access & need) != need)
		return STATUS_ACCESS_DENIED;
	if (!(secinfo & SECINFO_PARTS))
		return STATUS_SUCCESS;
	status = smb_sd_parse(in, len, &new);
	if (status) {
		smb_dbg("SET_INFO security: %u-byte descriptor: 0x%x", len,
			status);
		return status;
	}
	session_token(w, &tok);
	status = smb_sd_load(srv, op->file, NULL, &old);
	if (status) {
		/* A damaged stored descriptor is replaced, not merged. */
		struct smb_stat st;

		status = srv->ops.vfs->fstat(op->file, &st);
		if (status)
			return status;
		smb_sd_synthesize(&st, old.synth_acl, &old.sd);
	}
	merged = old.sd;
	if (secinfo & OWNER_SECURITY_INFORMATION) {
		if (!new.has_owner ||
		    (!smb_sid_equal(&new.owner, &old.sd.owner) &&
		     !owner_allowed(&tok, &new.owner))) {
			status = STATUS_INVALID_OWNER;
			goto out;
		}
		merged.has_owner = true;
		merged.owner = new.owner;
	}
	if ((secinfo & GROUP_SECURITY_INFORMATION) && new.has_group) {
		merged.has_group = true;
		merged.group = new.group;
	}
	if (secinfo & DACL_SECURITY_INFORMATION) {
		/* No DACL in what was sent is the NULL DACL. */
		merged.control &= ~DACL_CONTROL_SET;
		merged.control |= dacl_control_from_client(new.control);
		if (new.dacl.buf) {
			mapped = smb_alloc(srv, new.dacl.size);
			if (!mapped) {
				status = STATUS_INSUFFICIENT_RESOURCES;
				goto out;
			}
			status = smb_acl_map_generic(
				&new.dacl, mapped, new.dacl.size, &merged.dacl);
			if (status)
				goto out;
		} else {
			merged.dacl = new.dacl;
		}
		if (secinfo & PROTECTED_DACL_SECURITY_INFORMATION)
			merged.control |= SE_DACL_PROTECTED;
		if (secinfo & UNPROTECTED_DACL_SECURITY_INFORMATION)
			merged.control &= ~SE_DACL_PROTECTED;
	}
	merged.control |= SE_SELF_RELATIVE;
	status = store_sd(srv, op->file, &merged);
out:
	if (mapped)
		smb_free(srv, mapped);
	smb_sd_buf_release(srv, &old);
	return status;
}

/* ---- CREATE ----------------------------------------------------------- */

u32 smb_create_sec_init(struct smb_work *w, struct smb_create_sec *cs,
			const u8 *secd, u32 secd_len)
{
	struct smb_token tok;
	struct smb_sd sd;
	u32 status;

	memset(cs, 0, sizeof(*cs));
	if (!secd || !secd_len)
		return STATUS_SUCCESS;
	status = smb_sd_parse(secd, secd_len, &sd);
	if (status)
		return status;
	session_token(w, &tok);
	if (sd.has_owner && !owner_allowed(&tok, &sd.owner))
		return STATUS_INVALID_OWNER;
	if ((sd.control & SE_SACL_PRESENT) && sd.sacl.buf)
		return STATUS_PRIVILEGE_NOT_HELD;
	cs->secd = secd;
	cs->secd_len = secd_len;
	return STATUS_SUCCESS;
}

void smb_create_sec_release(struct smb_work *w, struct smb_create_sec *cs)
{
	if (cs->parent_loaded)
		smb_sd_buf_release(w->conn->srv, &cs->parent);
	cs->parent_loaded = false;
}

/* Load the stored descriptor of path's parent directory, once. */
static u32 load_parent(struct smb_work *w, struct smb_create_sec *cs,
		       const char *path)
{
	struct smb_server *srv = w->conn->srv;
	const struct smb_vfs_ops *vfs = srv->ops.vfs;
	struct smb_vfs_file *f = NULL;
	struct smb_stat st;
	char *parent;
	size_t n = 0, i;
	u32 status;

	if (cs->parent_loaded)
		return STATUS_SUCCESS;
	if (!path[0])
		return STATUS_NOT_FOUND; /* the share root has no parent */
	for (i = 0; path[i]; i++)
		if (path[i] == '/')
			n = i;
	parent = smb_alloc(srv, n + 1);
	if (!parent)
		return STATUS_INSUFFICIENT_RESOURCES;
	memcpy(parent, path, n);
	parent[n] = '\0';
	status = vfs->open(w->tree->share->root, parent,
			   SMB_VFS_O_DIRECTORY | SMB_VFS_O_PATH_ONLY, 0, &f,
			   &st, NULL);
	smb_free(srv, parent);
	if (status)
		return status;
	status = smb_sd_load(srv, f, &st, &cs->parent);
	vfs->close(f);
	if (status)
		return status;
	cs->parent_loaded = true;
	return STATUS_SUCCESS;
}

u32 smb_create_sec_may_add(struct smb_work *w, struct smb_create_sec *cs,
			   const char *path, bool is_dir, bool *may_add)
{
	struct smb_token tok;
	u32 right = is_dir ? FILE_ADD_SUBDIRECTORY : FILE_ADD_FILE;
	u32 status;

	*may_add = true;
	status = load_parent(w, cs, path);
	if (status == STATUS_NOT_FOUND ||
	    status == STATUS_OBJECT_NAME_NOT_FOUND ||
	    status == STATUS_OBJECT_PATH_NOT_FOUND)
		return STATUS_SUCCESS; /* the open reports a missing parent */
	if (status)
		return status;
	if (!cs->parent.stored)
		return STATUS_SUCCESS;
	session_token(w, &tok);
	*may_add = (smb_access_granted(&cs->parent.sd, &tok) & right) == right;
	return STATUS_SUCCESS;
}

u32 smb_security_may_add(struct smb_work *w, const char *path, bool is_dir)
{
	struct smb_create_sec cs;
	bool may_add = true;
	u32 status;

	memset(&cs, 0, sizeof(cs));
	status = smb_create_sec_may_add(w, &cs, path, is_dir, &may_add);
	smb_create_sec_release(w, &cs);
	if (status)
		return status;
	return may_add ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
}

u32 smb_create_sec_check(struct smb_work *w, struct smb_create_sec *cs,
			 struct smb_open *op, u32 desired, bool want_max)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_sd_buf b;
	struct smb_token tok;
	u32 have, missing, status;

	status = smb_sd_load(srv, op->file, NULL, &b);
	if (status)
		return STATUS_ACCESS_DENIED; /* fail closed on a damaged one */
	if (!b.stored) {
		smb_sd_buf_release(srv, &b);
		return STATUS_SUCCESS; /* POSIX decides (see security.h) */
	}
	session_token(w, &tok);
	have = smb_access_granted(&b.sd, &tok);
	smb_sd_buf_release(srv, &b);
	missing = desired & ~have;
	if ((missing || want_max) &&
	    !(missing & ~(DELETE | FILE_READ_ATTRIBUTES)) &&
	    !load_parent(w, cs, op->path)) {
		/* A parent without a stored descriptor leaves it to POSIX. */
		u32 p = cs->parent.stored ?
				smb_access_granted(&cs->parent.sd, &tok) :
				FILE_ALL_ACCESS;

		if (p & FILE_DELETE_CHILD)
			have |= DELETE;
		if (p & FILE_LIST_DIRECTORY)
			have |= FILE_READ_ATTRIBUTES;
		missing = desired & ~have;
	}
	if (missing) {
		smb_dbg("CREATE '%s': DACL refuses 0x%x", op->path, missing);
		return STATUS_ACCESS_DENIED;
	}
	op->access = want_max ? ((have | desired) & op->tree->maximal_access) :
				desired;
	if (!op->access)
		return STATUS_ACCESS_DENIED;
	return STATUS_SUCCESS;
}

u32 smb_create_sec_apply(struct smb_work *w, struct smb_create_sec *cs,
			 struct smb_open *op, const struct smb_stat *st)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_token tok;
	struct smb_sd sd, given;
	struct smb_sd_buf synth;
	u8 *acl_buf = NULL;
	bool dacl_given = false;
	u32 status = STATUS_SUCCESS;

	memset(&sd, 0, sizeof(sd));
	memset(&given, 0, sizeof(given));
	if (cs->secd) {
		status = smb_sd_parse(cs->secd, cs->secd_len, &given);
		if (status)
			return status;
		dacl_given = given.control & SE_DACL_PRESENT;
	}
	if (!cs->secd && (!cs->parent_loaded || !cs->parent.stored))
		return STATUS_SUCCESS; /* nothing to store: synthesized */
	session_token(w, &tok);
	sd.control = SE_SELF_RELATIVE;
	sd.has_owner = sd.has_group = true;
	sd.owner = given.has_owner ? given.owner : tok.sids[0];
	sd.group = given.has_group ? given.group : tok.sids[1];
	if (dacl_given) {
		sd.control |= dacl_control_from_client(given.control);
		sd.dacl = given.dacl;
	} else if (cs->parent_loaded && cs->parent.stored &&
		   cs->parent.sd.dacl.buf) {
		acl_buf = smb_alloc(srv, SMB_SD_MAX_SIZE);
		if (!acl_buf)
			return STATUS_INSUFFICIENT_RESOURCES;
		status = smb_acl_inherit(&cs->parent.sd.dacl, op->is_dir,
					 cs->parent.sd.control &
						 SE_DACL_AUTO_INHERITED,
					 &sd.owner, &sd.group, acl_buf,
					 SMB_SD_MAX_SIZE, &sd.dacl);
		if (status)
			goto out;
		if (sd.dacl.buf) {
			sd.control |= SE_DACL_PRESENT;
			if (cs->parent.sd.control & SE_DACL_AUTO_INHERITED)
				sd.control |= SE_DACL_AUTO_INHERITED;
		}
	}
	if (!(sd.control & SE_DACL_PRESENT)) {
		if (!cs->secd)
			goto out; /* nothing inheritable: keep synthesizing */
		/* An owner or group alone: the mode still gives the DACL. */
		smb_sd_synthesize(st, synth.synth_acl, &synth.sd);
		sd.control |= SE_DACL_PRESENT;
		sd.dacl = synth.sd.dacl;
	}
	status = store_sd(srv, op->file, &sd);
	if (status)
		smb_warn("CREATE '%s': storing its security descriptor failed "
			 "(0x%x)",
			 op->path, status);
out:
	if (acl_buf)
		smb_free(srv, acl_buf);
	/* An inherited descriptor that could not be stored leaves the
	 * synthesized one; an explicit one must not silently vanish. */
	return cs->secd ? status : STATUS_SUCCESS;
}

u32 smb_security_maximal(struct smb_work *w, struct smb_open *op)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_sd_buf b;
	struct smb_token tok;
	u32 have = op->tree->maximal_access;

	if (!op->file || smb_sd_load(srv, op->file, NULL, &b))
		return have;
	if (b.stored) {
		session_token(w, &tok);
		have &= smb_access_granted(&b.sd, &tok);
	}
	smb_sd_buf_release(srv, &b);
	return have;
}
