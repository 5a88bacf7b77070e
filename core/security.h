/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * security.h - security descriptors of files as the SMB2 handlers use them:
 * QUERY_INFO/SET_INFO SMB2_0_INFO_SECURITY ([MS-SMB2] 3.3.5.20.3,
 * 3.3.5.21.3), and the access check, the "SecD" create context and ACE
 * inheritance on CREATE.
 *
 * Storage: a descriptor set by a client (SET_INFO, SecD) or inherited from
 * the parent directory is stored through the VFS get_sd/set_sd ops.  A file
 * without one shows a descriptor synthesized from its POSIX owner, group
 * and mode (smb_sd_synthesize).
 *
 * Enforcement: a stored descriptor's DACL is checked on every open against
 * the session's SIDs (smb_token_init).  A synthesized one is not: the
 * server does not switch credentials per user, so the POSIX owner of a file
 * is usually the server's account, not the session user, and the kernel's
 * check of the server process's permissions stays what decides for those
 * files (as before descriptors existed).
 */
#ifndef SMB_SECURITY_H
#define SMB_SECURITY_H

#include "internal.h"
#include "secdesc.h"

/* A descriptor loaded for a file, with the storage it points into. */
struct smb_sd_buf {
	u8 *raw; /* the stored bytes (allocated), NULL when synthesized */
	u8 synth_acl[SMB_SYNTH_ACL_SIZE];
	struct smb_sd sd;
	bool stored;
};

/*
 * Load f's descriptor: the stored one, else one synthesized from *st
 * (fstat'ed here when st is NULL).  A stored descriptor that does not parse
 * fails with its parse status.  Release with smb_sd_buf_release().
 */
u32 smb_sd_load(struct smb_server *srv, struct smb_vfs_file *f,
		const struct smb_stat *st, struct smb_sd_buf *b);
void smb_sd_buf_release(struct smb_server *srv, struct smb_sd_buf *b);

/* QUERY_INFO SMB2_0_INFO_SECURITY: STATUS_BUFFER_TOO_SMALL sets *written
 * to the size needed. */
u32 smb_security_query(struct smb_work *w, struct smb_open *op, u32 secinfo,
		       u8 *out, size_t avail, size_t *written);
/* SET_INFO SMB2_0_INFO_SECURITY. */
u32 smb_security_set(struct smb_work *w, struct smb_open *op, u32 secinfo,
		     const u8 *in, u32 len);

/* Security state of one CREATE. */
struct smb_create_sec {
	const u8 *secd; /* the SecD context's descriptor, validated */
	u32 secd_len;
	struct smb_sd_buf parent; /* the parent's stored descriptor */
	bool parent_loaded;
};

/*
 * Take the SecD create context (NULL/0: none).  Checks it parses, names an
 * owner the session may set, and carries no SACL (which needs a
 * privilege): STATUS_INVALID_OWNER, STATUS_PRIVILEGE_NOT_HELD or the parse
 * status.
 */
u32 smb_create_sec_init(struct smb_work *w, struct smb_create_sec *cs,
			const u8 *secd, u32 secd_len);
void smb_create_sec_release(struct smb_work *w, struct smb_create_sec *cs);
/*
 * Before an open that may create path: *may_add is false when the parent
 * directory's stored DACL refuses FILE_ADD_FILE (FILE_ADD_SUBDIRECTORY for
 * a directory) to the session.
 */
u32 smb_create_sec_may_add(struct smb_work *w, struct smb_create_sec *cs,
			   const char *path, bool is_dir, bool *may_add);
/* The same check for a rename's target name: STATUS_ACCESS_DENIED when
 * its directory's stored DACL refuses the entry. */
u32 smb_security_may_add(struct smb_work *w, const char *path, bool is_dir);
/*
 * After opening an existing object: check desired (generic bits mapped,
 * MAXIMUM_ALLOWED stripped; want_max for MAXIMUM_ALLOWED) against its
 * stored DACL and set op->access to what is granted.  DELETE and
 * FILE_READ_ATTRIBUTES may also come from the parent's stored DACL
 * (FILE_DELETE_CHILD, FILE_LIST_DIRECTORY), as in [MS-FSA].
 */
u32 smb_create_sec_check(struct smb_work *w, struct smb_create_sec *cs,
			 struct smb_open *op, u32 desired, bool want_max);
/* After creating op's object: store the SecD or the inherited descriptor. */
u32 smb_create_sec_apply(struct smb_work *w, struct smb_create_sec *cs,
			 struct smb_open *op, const struct smb_stat *st);
/* The MxAc answer: what the session could open op's object with. */
u32 smb_security_maximal(struct smb_work *w, struct smb_open *op);

#endif /* SMB_SECURITY_H */
