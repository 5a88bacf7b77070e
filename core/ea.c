// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ea.c - extended attributes: FILE_FULL_EA_INFORMATION and
 * FILE_GET_EA_INFORMATION lists ([MS-FSCC] 2.4.15, 2.4.15.1), checked in
 * full before anything is stored, and the glue that keeps EAs through the
 * VFS ea_list/ea_get/ea_set ops (listing stops at SMB_EA_MAX_ENTRIES).  EA names are case-insensitive: they are stored
 * and returned upper-cased.
 */
#include "ea.h"
#include "smb2.h"

#define SMB_EA_ALIGN4(x) (((x) + 3) & ~(size_t)3)
#define EA_POS_END ((size_t)-1) /* iterator position after the last entry */

static bool ea_char_reserved(u8 c)
{
	static const char reserved[] = "\"*+,/:;<=>?[\\]|";
	const char *p;

	if (c < 0x20 || c >= 0x7f)
		return true; /* control characters; OEM bytes are not kept */
	for (p = reserved; *p; p++)
		if ((u8)*p == c)
			return true;
	return false;
}

bool smb_ea_name_valid(const u8 *name, size_t len)
{
	size_t i;

	if (len == 0 || len > SMB_EA_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (ea_char_reserved(name[i]))
			return false;
	return true;
}

void smb_ea_name_upper(const u8 *name, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ?
					name[i] - 32 :
					name[i]);
	out[len] = '\0';
}

size_t smb_ea_full_size(size_t name_len, size_t value_len)
{
	return SMB_EA_ALIGN4(SMB_EA_FULL_FIXED + name_len + 1 + value_len);
}

/*
 * The entry at pos: its end (unpadded) and where the next one starts
 * (0 for the last).  false when it runs past len or is malformed.
 */
static bool full_entry(const u8 *buf, size_t len, size_t pos, size_t *next)
{
	size_t left = len - pos, need;
	u32 off;
	u8 name_len;

	if (left < SMB_EA_FULL_FIXED)
		return false;
	off = smb_get_le32(buf + pos);
	name_len = buf[pos + 5];
	need = SMB_EA_FULL_FIXED + (size_t)name_len + 1 +
	       smb_get_le16(buf + pos + 6);
	if (need > left || buf[pos + SMB_EA_FULL_FIXED + name_len] != 0)
		return false;
	if (off && (off & 3 || off < need || off >= left))
		return false;
	*next = off ? pos + off : 0;
	return true;
}

u32 smb_ea_check_full(const u8 *buf, size_t len, u32 *bad_offset)
{
	size_t pos = 0, next;

	*bad_offset = 0;
	if (len == 0)
		return STATUS_EA_LIST_INCONSISTENT;
	for (;;) {
		const u8 *name = buf + pos + SMB_EA_FULL_FIXED;

		*bad_offset = (u32)pos;
		if (!full_entry(buf, len, pos, &next))
			return STATUS_EA_LIST_INCONSISTENT;
		if (buf[pos + 4] & ~SMB_FILE_NEED_EA)
			return STATUS_EA_LIST_INCONSISTENT;
		if (!smb_ea_name_valid(name, buf[pos + 5]))
			return STATUS_INVALID_EA_NAME;
		if (!next)
			break;
		pos = next; /* strictly increasing: no loops */
	}
	*bad_offset = 0;
	return STATUS_SUCCESS;
}

bool smb_ea_next_full(const u8 *buf, size_t len, size_t *pos,
		      struct smb_ea *out)
{
	size_t next;

	if (*pos == EA_POS_END || *pos >= len ||
	    !full_entry(buf, len, *pos, &next))
		return false;
	out->flags = buf[*pos + 4];
	out->name_len = buf[*pos + 5];
	out->value_len = smb_get_le16(buf + *pos + 6);
	out->name = buf + *pos + SMB_EA_FULL_FIXED;
	out->value = out->name + out->name_len + 1;
	*pos = next ? next : EA_POS_END;
	return true;
}

static bool get_entry(const u8 *buf, size_t len, size_t pos, size_t *next)
{
	size_t left = len - pos, need;
	u32 off;
	u8 name_len;

	if (left < SMB_EA_GET_FIXED)
		return false;
	off = smb_get_le32(buf + pos);
	name_len = buf[pos + 4];
	need = SMB_EA_GET_FIXED + (size_t)name_len + 1;
	if (need > left || buf[pos + SMB_EA_GET_FIXED + name_len] != 0)
		return false;
	if (off && (off & 3 || off < need || off >= left))
		return false;
	*next = off ? pos + off : 0;
	return true;
}

u32 smb_ea_check_get(const u8 *buf, size_t len)
{
	size_t pos = 0, next;

	if (len == 0)
		return STATUS_EA_LIST_INCONSISTENT;
	for (;;) {
		if (!get_entry(buf, len, pos, &next))
			return STATUS_EA_LIST_INCONSISTENT;
		if (!next)
			return STATUS_SUCCESS;
		pos = next;
	}
}

bool smb_ea_next_get(const u8 *buf, size_t len, size_t *pos, const u8 **name,
		     u8 *name_len)
{
	size_t next;

	if (*pos == EA_POS_END || *pos >= len ||
	    !get_entry(buf, len, *pos, &next))
		return false;
	*name_len = buf[*pos + 4];
	*name = buf + *pos + SMB_EA_GET_FIXED;
	*pos = next ? next : EA_POS_END;
	return true;
}

size_t smb_ea_put_full(u8 *out, size_t avail, u8 flags, const char *name,
		       const u8 *value, u16 value_len)
{
	size_t name_len = strlen(name);
	size_t need = SMB_EA_FULL_FIXED + name_len + 1 + value_len;

	if (name_len > SMB_EA_NAME_MAX || need > avail)
		return 0;
	smb_put_le32(out, 0);
	out[4] = flags;
	out[5] = (u8)name_len;
	smb_put_le16(out + 6, value_len);
	memcpy(out + SMB_EA_FULL_FIXED, name, name_len + 1);
	if (value_len)
		memcpy(out + SMB_EA_FULL_FIXED + name_len + 1, value,
		       value_len);
	return need;
}

/* ---- glue ------------------------------------------------------------- */

/* EA want (upper case), value in scratch; false when absent. */
static bool ea_lookup(const struct smb_vfs_ops *vfs, struct smb_vfs_file *f,
		      const char *want, u8 *scratch, size_t scratch_size,
		      size_t *vlen)
{
	return vfs->ea_get && vfs->ea_get(f, want, scratch, scratch_size,
					  vlen) == STATUS_SUCCESS;
}

/* Append one entry; links the previous one.  false if it does not fit. */
static bool append_entry(u8 *out, size_t avail, size_t *used, size_t *prev,
			 const char *name, const u8 *value, size_t vlen)
{
	size_t start = SMB_EA_ALIGN4(*used), n;

	if (*used && start > avail)
		return false;
	if (vlen > 0xffff)
		return false;
	n = smb_ea_put_full(out + start, avail - start, 0, name, value,
			    (u16)vlen);
	if (!n)
		return false;
	if (*used) {
		memset(out + *used, 0, start - *used);
		smb_put_le32(out + *prev, (u32)(start - *prev));
	}
	*prev = start;
	*used = start + n;
	return true;
}

u32 smb_ea_query(const struct smb_vfs_ops *vfs, struct smb_vfs_file *f,
		 const u8 *get_list, size_t get_len, u32 flags, u8 *out,
		 size_t avail, size_t *written, u8 *scratch,
		 size_t scratch_size)
{
	char name[SMB_EA_NAME_MAX + 1];
	size_t used = 0, prev = 0, vlen;
	u32 count = 0, status, i;

	*written = 0;
	if (!vfs->ea_list)
		return STATUS_EAS_NOT_SUPPORTED;
	if (get_len) {
		size_t pos = 0;
		const u8 *want;
		u8 want_len;

		status = smb_ea_check_get(get_list, get_len);
		if (status)
			return status;
		while (smb_ea_next_get(get_list, get_len, &pos, &want,
				       &want_len)) {
			if (!smb_ea_name_valid(want, want_len))
				return STATUS_INVALID_EA_NAME;
			smb_ea_name_upper(want, want_len, name);
			if (!ea_lookup(vfs, f, name, scratch, scratch_size,
				       &vlen))
				vlen = 0; /* asked for, absent: empty value */
			if (!append_entry(out, avail, &used, &prev, name,
					  scratch, vlen))
				goto overflow;
			count++;
			if (flags & SL_RETURN_SINGLE_ENTRY)
				break;
		}
		*written = used;
		return STATUS_SUCCESS;
	}
	for (i = 0; i < SMB_EA_MAX_ENTRIES; i++) {
		status = vfs->ea_list(f, i, name, sizeof(name), scratch,
				      scratch_size, &vlen);
		if (status == STATUS_NO_MORE_FILES)
			break;
		if (status)
			return status;
		if (!append_entry(out, avail, &used, &prev, name, scratch,
				  vlen))
			goto overflow;
		count++;
		if (flags & SL_RETURN_SINGLE_ENTRY)
			break;
	}
	if (!count)
		return STATUS_NO_EAS_ON_FILE;
	*written = used;
	return STATUS_SUCCESS;
overflow:
	if (!count)
		return STATUS_BUFFER_TOO_SMALL;
	*written = used;
	return STATUS_BUFFER_OVERFLOW;
}

u32 smb_ea_apply(const struct smb_vfs_ops *vfs, struct smb_vfs_file *f,
		 const u8 *list, size_t len)
{
	char name[SMB_EA_NAME_MAX + 1];
	struct smb_ea ea;
	size_t pos = 0;
	u32 bad, status;

	status = smb_ea_check_full(list, len, &bad);
	if (status)
		return status;
	if (!vfs->ea_set)
		return STATUS_EAS_NOT_SUPPORTED;
	while (smb_ea_next_full(list, len, &pos, &ea)) {
		smb_ea_name_upper(ea.name, ea.name_len, name);
		status = vfs->ea_set(f, name, ea.value, ea.value_len);
		if (status)
			return status;
	}
	return STATUS_SUCCESS;
}
