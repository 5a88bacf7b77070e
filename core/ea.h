/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ea.h - extended attributes ([MS-FSCC] 2.4.15 FILE_FULL_EA_INFORMATION,
 * 2.4.15.1 FILE_GET_EA_INFORMATION): bounds-checked parsers and encoders,
 * plus the QUERY_INFO/SET_INFO/CREATE glue that stores EAs through the VFS.
 */
#ifndef SMB_EA_H
#define SMB_EA_H

#include "compat.h"
#include "ops.h"

/* [MS-ERREF] statuses the shared header does not carry. */
#ifndef STATUS_INVALID_EA_NAME
#define STATUS_INVALID_EA_NAME 0x80000013u
#endif
#ifndef STATUS_EA_LIST_INCONSISTENT
#define STATUS_EA_LIST_INCONSISTENT 0x80000014u
#endif
#ifndef STATUS_EAS_NOT_SUPPORTED
#define STATUS_EAS_NOT_SUPPORTED 0xc000004fu
#endif

#define SMB_EA_NAME_MAX 255 /* EaNameLength is one byte */
#define SMB_EA_FULL_FIXED 8 /* NextEntryOffset, Flags, lengths */
#define SMB_EA_GET_FIXED 5 /* NextEntryOffset, EaNameLength */
#define SMB_FILE_NEED_EA 0x80u
/*
 * EAs listed per file at most (FileFullEaInformation without a name list):
 * far more than clients use, and it bounds the work of one query.
 */
#define SMB_EA_MAX_ENTRIES 1024u

/* QUERY_INFO Flags for FileFullEaInformation ([MS-SMB2] 2.2.37). */
#define SL_RESTART_SCAN 0x00000001u
#define SL_RETURN_SINGLE_ENTRY 0x00000002u
#define SL_INDEX_SPECIFIED 0x00000004u

/* One entry of a FILE_FULL_EA_INFORMATION list; pointers into the input. */
struct smb_ea {
	u8 flags;
	const u8 *name; /* name_len bytes, NUL follows */
	u8 name_len;
	const u8 *value;
	u16 value_len;
};

/*
 * Check a whole FILE_FULL_EA_INFORMATION list ([MS-FSA] 2.1.5.14.? and
 * the I/O manager's EA buffer check): every entry inside len, name NUL
 * terminated at name[name_len], NextEntryOffset 4-aligned and covering the
 * entry (never 0 but for the last), flags only FILE_NEED_EA.  Returns
 * STATUS_SUCCESS, STATUS_EA_LIST_INCONSISTENT (*bad_offset: the offending
 * entry) or STATUS_INVALID_EA_NAME (a name with characters EAs may not
 * hold, or an empty one).  len 0 is inconsistent.
 */
u32 smb_ea_check_full(const u8 *buf, size_t len, u32 *bad_offset);
/* Next entry of a list smb_ea_check_full accepted; false at the end. */
bool smb_ea_next_full(const u8 *buf, size_t len, size_t *pos,
		      struct smb_ea *out);

/*
 * FILE_GET_EA_INFORMATION list: same rules (names NUL terminated, offsets
 * inside and 4-aligned).  STATUS_SUCCESS or STATUS_EA_LIST_INCONSISTENT.
 */
u32 smb_ea_check_get(const u8 *buf, size_t len);
bool smb_ea_next_get(const u8 *buf, size_t len, size_t *pos, const u8 **name,
		     u8 *name_len);

/* Is name a valid EA name (1-255 bytes, no control or reserved chars)? */
bool smb_ea_name_valid(const u8 *name, size_t len);
/* ASCII upper case into out (len + 1 bytes, NUL terminated). */
void smb_ea_name_upper(const u8 *name, size_t len, char *out);

/*
 * Encode one FILE_FULL_EA_INFORMATION entry at out (avail bytes) with
 * NextEntryOffset 0.  Returns the unpadded size, or 0 if it does not fit.
 */
size_t smb_ea_put_full(u8 *out, size_t avail, u8 flags, const char *name,
		       const u8 *value, u16 value_len);
/* Size of an entry in a list: unpadded size rounded up to 4. */
size_t smb_ea_full_size(size_t name_len, size_t value_len);

/* ---- glue (ea.c): EAs of an open file through the VFS ---------------- */
struct smb_vfs_file;

/*
 * QUERY_INFO FileFullEaInformation into out: the EAs named in the
 * FILE_GET_EA_INFORMATION list get_list (missing ones with an empty value),
 * or all of them.  flags: SL_*.  scratch holds one value (64 KiB).
 */
u32 smb_ea_query(const struct smb_vfs_ops *vfs, struct smb_vfs_file *f,
		 const u8 *get_list, size_t get_len, u32 flags, u8 *out,
		 size_t avail, size_t *written, u8 *scratch,
		 size_t scratch_size);

/* SET_INFO FileFullEaInformation / the ExtA create context: check, then
 * store each EA (an empty value removes it). */
u32 smb_ea_apply(const struct smb_vfs_ops *vfs, struct smb_vfs_file *f,
		 const u8 *list, size_t len);

#endif /* SMB_EA_H */
