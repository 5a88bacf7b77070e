/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * secdesc.h - Windows security descriptors ([MS-DTYP] 2.4.2 SID, 2.4.4 ACE,
 * 2.4.5 ACL, 2.4.6 SECURITY_DESCRIPTOR in self-relative form), the access
 * check of [MS-DTYP] 2.5.3.2 and ACE inheritance of 2.5.3.4, simplified.
 *
 * Nothing here allocates.  A parsed descriptor (struct smb_sd) holds its
 * SIDs by value and its ACLs as validated views into the buffer it was
 * parsed from (or built into), so that buffer must outlive it.  ACEs of
 * types this code does not interpret (object, callback, audit, label, ...)
 * are validated for size and carried through unchanged.
 *
 * Unix identities map to SIDs as S-1-22-1-<uid> (users) and
 * S-1-22-2-<gid> (groups), the convention Samba and others use for Unix
 * accounts without a Windows domain.
 */
#ifndef SMB_SECDESC_H
#define SMB_SECDESC_H

#include "compat.h"
#include "ops.h"

#ifndef STATUS_UNKNOWN_REVISION
#define STATUS_UNKNOWN_REVISION 0xc0000058u
#endif
#ifndef STATUS_INVALID_OWNER
#define STATUS_INVALID_OWNER 0xc000005au
#endif
#ifndef STATUS_INVALID_ACL
#define STATUS_INVALID_ACL 0xc0000077u
#endif
#ifndef STATUS_INVALID_SECURITY_DESCR
#define STATUS_INVALID_SECURITY_DESCR 0xc0000079u
#endif

#define SMB_SID_MAX_SUB 15 /* SubAuthorityCount limit, 2.4.2.2 */
#define SMB_SID_MAX_SIZE (8 + 4 * SMB_SID_MAX_SUB)
#define SMB_SD_HEADER_SIZE 20
#define SMB_ACL_HEADER_SIZE 8
#define SMB_SD_MAX_SIZE 65536u /* what one xattr can hold */

/* SECURITY_DESCRIPTOR Control (2.4.6). */
#define SE_OWNER_DEFAULTED 0x0001u
#define SE_GROUP_DEFAULTED 0x0002u
#define SE_DACL_PRESENT 0x0004u
#define SE_DACL_DEFAULTED 0x0008u
#define SE_SACL_PRESENT 0x0010u
#define SE_SACL_DEFAULTED 0x0020u
#define SE_DACL_TRUSTED 0x0040u
#define SE_SERVER_SECURITY 0x0080u
#define SE_DACL_AUTO_INHERIT_REQ 0x0100u
#define SE_SACL_AUTO_INHERIT_REQ 0x0200u
#define SE_DACL_AUTO_INHERITED 0x0400u
#define SE_SACL_AUTO_INHERITED 0x0800u
#define SE_DACL_PROTECTED 0x1000u
#define SE_SACL_PROTECTED 0x2000u
#define SE_RM_CONTROL_VALID 0x4000u
#define SE_SELF_RELATIVE 0x8000u

/* ACL revisions (2.4.5). */
#define SMB_ACL_REVISION 2
#define SMB_ACL_REVISION_DS 4

/* AceType (2.4.4.1). */
#define ACCESS_ALLOWED_ACE_TYPE 0x00
#define ACCESS_DENIED_ACE_TYPE 0x01
#define SYSTEM_AUDIT_ACE_TYPE 0x02
#define SYSTEM_ALARM_ACE_TYPE 0x03
#define ACCESS_ALLOWED_COMPOUND_ACE_TYPE 0x04
#define ACCESS_ALLOWED_OBJECT_ACE_TYPE 0x05
#define ACCESS_DENIED_OBJECT_ACE_TYPE 0x06
#define SYSTEM_AUDIT_OBJECT_ACE_TYPE 0x07
#define SYSTEM_ALARM_OBJECT_ACE_TYPE 0x08
#define ACCESS_ALLOWED_CALLBACK_ACE_TYPE 0x09
#define ACCESS_DENIED_CALLBACK_ACE_TYPE 0x0a
#define ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE 0x0b
#define ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE 0x0c
#define SYSTEM_AUDIT_CALLBACK_ACE_TYPE 0x0d
#define SYSTEM_ALARM_CALLBACK_ACE_TYPE 0x0e
#define SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE 0x0f
#define SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE 0x10
#define SYSTEM_MANDATORY_LABEL_ACE_TYPE 0x11
#define SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE 0x12
#define SYSTEM_SCOPED_POLICY_ID_ACE_TYPE 0x13

/* AceFlags (2.4.4.1). */
#define OBJECT_INHERIT_ACE 0x01
#define CONTAINER_INHERIT_ACE 0x02
#define NO_PROPAGATE_INHERIT_ACE 0x04
#define INHERIT_ONLY_ACE 0x08
#define INHERITED_ACE 0x10
#define SUCCESSFUL_ACCESS_ACE_FLAG 0x40
#define FAILED_ACCESS_ACE_FLAG 0x80

/* SecurityInformation bits beyond OWNER/GROUP/DACL/SACL (smb2.h). */
#define LABEL_SECURITY_INFORMATION 0x00000010u
#define ATTRIBUTE_SECURITY_INFORMATION 0x00000020u
#define SCOPE_SECURITY_INFORMATION 0x00000040u
#define BACKUP_SECURITY_INFORMATION 0x00010000u
#define PROTECTED_DACL_SECURITY_INFORMATION 0x80000000u
#define PROTECTED_SACL_SECURITY_INFORMATION 0x40000000u
#define UNPROTECTED_DACL_SECURITY_INFORMATION 0x20000000u
#define UNPROTECTED_SACL_SECURITY_INFORMATION 0x10000000u

struct smb_sid {
	u8 revision; /* always 1 */
	u8 count; /* SubAuthorityCount, 0..15 */
	u8 authority[6]; /* IdentifierAuthority, big-endian */
	u32 sub[SMB_SID_MAX_SUB];
};

/* A validated ACL inside some buffer; buf NULL means "no ACL". */
struct smb_acl {
	const u8 *buf; /* the ACL header */
	u16 size; /* AclSize */
	u16 count; /* AceCount */
};

/* One ACE as smb_acl_next() returns it. */
struct smb_ace {
	u8 type;
	u8 flags;
	u16 size; /* AceSize, covers raw[0..size) */
	u32 mask;
	bool has_sid; /* types 0-3, 9-0x11: the trustee SID was parsed */
	struct smb_sid sid;
	const u8 *raw; /* the whole ACE as on the wire */
};

struct smb_sd {
	u16 control; /* SE_SELF_RELATIVE is implied on encode */
	bool has_owner, has_group;
	struct smb_sid owner, group;
	/* SE_DACL_PRESENT with dacl.buf NULL is the NULL DACL. */
	struct smb_acl dacl;
	struct smb_acl sacl;
};

/* ---- SIDs ------------------------------------------------------------- */
/*
 * Parse a SID at p (avail bytes).  STATUS_INVALID_SID for a short buffer,
 * revision != 1 or more than 15 sub-authorities.  *used gets its size.
 */
u32 smb_sid_parse(const u8 *p, size_t avail, struct smb_sid *out, size_t *used);
size_t smb_sid_size(const struct smb_sid *s);
size_t smb_sid_put(u8 *p, const struct smb_sid *s); /* returns the size */
bool smb_sid_equal(const struct smb_sid *a, const struct smb_sid *b);
/* S-1-<authority>-<sub>...; count values of sub taken from the list. */
void smb_sid_make(struct smb_sid *s, u64 authority, int count, const u32 *sub);
void smb_sid_unix_user(struct smb_sid *s, u32 uid); /* S-1-22-1-uid */
void smb_sid_unix_group(struct smb_sid *s, u32 gid); /* S-1-22-2-gid */
/* "S-1-5-11" form; returns the length or -1 if it does not fit. */
int smb_sid_to_string(const struct smb_sid *s, char *out, size_t size);

/* Well-known SIDs used by the server. */
extern const struct smb_sid smb_sid_everyone; /* S-1-1-0 */
extern const struct smb_sid smb_sid_creator_owner; /* S-1-3-0 */
extern const struct smb_sid smb_sid_creator_group; /* S-1-3-1 */
extern const struct smb_sid smb_sid_owner_rights; /* S-1-3-4 */
extern const struct smb_sid smb_sid_authenticated; /* S-1-5-11 */
extern const struct smb_sid smb_sid_anonymous; /* S-1-5-7 */
extern const struct smb_sid smb_sid_guests; /* S-1-5-32-546 */

/* ---- ACLs ------------------------------------------------------------- */
/*
 * Validate the ACL at p (avail bytes): revision 2 to 4, AclSize within
 * avail and >= 8, every one of AceCount ACEs inside AclSize with AceSize
 * >= 8 and a multiple of 4, and the SID of each ACE type that carries one
 * at its place and valid.  STATUS_INVALID_ACL (or STATUS_INVALID_SID).
 */
u32 smb_acl_parse(const u8 *p, size_t avail, struct smb_acl *out);
/* Iteration over a validated ACL: start from a zeroed iterator. */
struct smb_acl_iter {
	size_t offset;
	u16 index;
};

/* The next ACE, or false at the end. */
bool smb_acl_next(const struct smb_acl *acl, struct smb_acl_iter *it,
		  struct smb_ace *ace);

/* Builds an ACL into a caller buffer; overflow is sticky. */
struct smb_acl_builder {
	u8 *buf;
	size_t cap;
	size_t len;
	u16 count;
	bool overflow;
};

void smb_acl_begin(struct smb_acl_builder *b, u8 *buf, size_t cap);
/* An ACE of a SID-carrying basic type (allowed/denied/audit/alarm). */
void smb_acl_add(struct smb_acl_builder *b, u8 type, u8 flags, u32 mask,
		 const struct smb_sid *sid);
/* A copy of any ACE with new flags (the rest unchanged). */
void smb_acl_add_copy(struct smb_acl_builder *b, const struct smb_ace *ace,
		      u8 flags, u32 mask);
/* Finish: 0, or STATUS_BUFFER_TOO_SMALL on overflow; *out views buf. */
u32 smb_acl_finish(struct smb_acl_builder *b, struct smb_acl *out);

/* ---- security descriptors ------------------------------------------- */
/*
 * Parse a self-relative SECURITY_DESCRIPTOR.  Checks: Revision 1,
 * SE_SELF_RELATIVE set, each nonzero offset at or after the 20-byte header
 * and its object inside len, SE_DACL_PRESENT/SE_SACL_PRESENT consistent
 * with the offsets (an offset without its PRESENT bit is ignored, as
 * Windows does; PRESENT with offset 0 is the NULL ACL).  Errors:
 * STATUS_INVALID_SECURITY_DESCR, STATUS_UNKNOWN_REVISION, and those of
 * the SID/ACL parsers.
 */
u32 smb_sd_parse(const u8 *buf, size_t len, struct smb_sd *out);

/*
 * Encode the parts of sd that secinfo selects (OWNER/GROUP/DACL/SACL
 * SECURITY_INFORMATION) as a self-relative descriptor: header, owner,
 * group, SACL, DACL.  *need gets the size; STATUS_BUFFER_TOO_SMALL when
 * avail is less (nothing written).  The DACL/SACL control bits are kept
 * only for the ACLs included.
 */
u32 smb_sd_encode(const struct smb_sd *sd, u32 secinfo, u8 *out, size_t avail,
		  size_t *need);

/*
 * A descriptor for a file that has none stored, from its POSIX owner,
 * group and mode: owner S-1-22-1-uid, group S-1-22-2-gid, and a DACL of
 * three allow ACEs (owner, group, Everyone) mapping r/w/x of each class.
 * acl_buf (>= SMB_SYNTH_ACL_SIZE bytes) holds the DACL.
 */
#define SMB_SYNTH_ACL_SIZE 128
void smb_sd_synthesize(const struct smb_stat *st, u8 *acl_buf,
		       struct smb_sd *out);

/* ---- access check ----------------------------------------------------- */
#define SMB_TOKEN_MAX_SIDS 8
struct smb_token {
	struct smb_sid sids[SMB_TOKEN_MAX_SIDS]; /* [0]: the user */
	int nsids;
};

/*
 * The SIDs a session acts as: its user S-1-22-1-uid and primary group
 * S-1-22-2-gid, Everyone and Authenticated Users.  A guest acts as Guests
 * (S-1-5-32-546) and an anonymous session as Anonymous Logon (S-1-5-7),
 * each in the user and group places, plus Everyone: no Unix identity.
 */
void smb_token_init(struct smb_token *t, const struct smb_user *user,
		    bool is_guest, bool is_anonymous);
bool smb_token_has(const struct smb_token *t, const struct smb_sid *sid);

/* GENERIC_* bits mapped to the file rights of [MS-SMB2] 2.2.13.1.1. */
u32 smb_map_generic_file(u32 mask);

/*
 * The rights sd grants t ([MS-DTYP] 2.5.3.2 without privileges): a NULL or
 * absent DACL grants everything, an empty one nothing; ACEs are taken in
 * order (deny before allow only as they are listed), INHERIT_ONLY ACEs
 * skipped, generic bits in ACE masks mapped; the owner always gets
 * READ_CONTROL | WRITE_DAC unless an OWNER RIGHTS (S-1-3-4) ACE says what
 * the owner gets instead.  Object and callback ACEs are not evaluated:
 * allowing ones grant nothing, denying ones deny their mask (fail safe).
 */
u32 smb_access_granted(const struct smb_sd *sd, const struct smb_token *t);

/*
 * Check desired (GENERIC_* mapped by the caller; MAXIMUM_ALLOWED allowed)
 * against sd: STATUS_ACCESS_DENIED when some desired right is not granted.
 * *granted gets what the open obtains: desired, or everything granted
 * (plus the other desired bits) for MAXIMUM_ALLOWED.
 */
u32 smb_access_check(const struct smb_sd *sd, const struct smb_token *t,
		     u32 desired, u32 *granted);

/*
 * A copy of in (into buf, cap >= in->size) with the generic bits of every
 * ACE that applies to the object itself (not INHERIT_ONLY) mapped to file
 * rights, as a descriptor set by a client is stored.
 */
u32 smb_acl_map_generic(const struct smb_acl *in, u8 *buf, size_t cap,
			struct smb_acl *out);

/* ---- inheritance ------------------------------------------------------ */
/*
 * The DACL a new object inherits from its parent's DACL ([MS-DTYP]
 * 2.5.3.4.2, simplified): for a file, every ACE with OBJECT_INHERIT; for a
 * directory, every ACE with CONTAINER_INHERIT, and OBJECT_INHERIT-only
 * ACEs as INHERIT_ONLY (unless NO_PROPAGATE_INHERIT).  Inherited ACEs get
 * INHERITED_ACE when auto_inherit (the parent's DACL is
 * SE_DACL_AUTO_INHERITED), as Windows does; NO_PROPAGATE_INHERIT clears the inheritance flags; an
 * effective ACE for CREATOR OWNER/GROUP names owner/group instead, and
 * one with generic bits is mapped — when the ACE also propagates further
 * the original is kept as an extra INHERIT_ONLY ACE.  Returns 0 with
 * out->buf NULL when nothing is inheritable, or STATUS_BUFFER_TOO_SMALL.
 */
u32 smb_acl_inherit(const struct smb_acl *parent, bool is_dir,
		    bool auto_inherit, const struct smb_sid *owner,
		    const struct smb_sid *group, u8 *buf, size_t cap,
		    struct smb_acl *out);

#endif /* SMB_SECDESC_H */
