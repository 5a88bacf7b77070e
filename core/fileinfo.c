// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileinfo.c - [MS-FSCC] information classes: directory entries, file and
 * file system information, a mode-derived security descriptor, and the
 * SET_INFO input parsers.  Field offsets are those of [MS-FSCC] 2.4/2.5.
 */
#include "fileinfo.h"
#include "shortname.h"
#include "smb2.h"
#include "utf16.h"

#define S64_MAX_AS_U64 ((u64)0x7fffffffffffffffull)

u32 smb_stat_attributes(const struct smb_stat *st)
{
	u32 a = st->attributes;

	if (st->is_dir)
		a |= FILE_ATTRIBUTE_DIRECTORY;
	else
		a &= ~FILE_ATTRIBUTE_DIRECTORY;
	if (a & ~FILE_ATTRIBUTE_NORMAL)
		return a & ~FILE_ATTRIBUTE_NORMAL;
	return FILE_ATTRIBUTE_NORMAL;
}

/* Directories have no data: NTFS reports 0 for both sizes. */
static u64 stat_eof(const struct smb_stat *st)
{
	return st->is_dir ? 0 : st->size;
}

static u64 stat_alloc(const struct smb_stat *st)
{
	return st->is_dir ? 0 : st->alloc_size;
}

/* CreationTime, LastAccessTime, LastWriteTime, ChangeTime: 32 bytes. */
static void put_times(u8 *p, const struct smb_stat *st)
{
	smb_put_le64(p, st->creation_time);
	smb_put_le64(p + 8, st->access_time);
	smb_put_le64(p + 16, st->write_time);
	smb_put_le64(p + 24, st->change_time);
}

/*
 * Write valid UTF-8 name as UTF-16LE, at most room bytes.  Like [MS-FSA]
 * 2.1.5.12 a cut may fall inside a code unit: it copies bytes.
 */
static size_t put_utf16(const char *name, u8 *out, size_t room)
{
	size_t pos = 0;

	while (*name && pos < room) {
		u8 unit[4];
		size_t ulen, i;
		u32 cp;
		int n = smb_utf8_decode(name, &cp);

		if (n < 0)
			break;
		name += n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			smb_put_le16(unit, (u16)(0xd800 + (cp >> 10)));
			smb_put_le16(unit + 2, (u16)(0xdc00 + (cp & 0x3ff)));
			ulen = 4;
		} else {
			smb_put_le16(unit, (u16)cp);
			ulen = 2;
		}
		for (i = 0; i < ulen && pos < room; i++)
			out[pos++] = unit[i];
	}
	return pos;
}

/*
 * Finish a structure whose last fields are a u32 length at len_off and a
 * name at fixed: the length field always holds the full length, the name is
 * cut to what fits ([MS-FSA] 2.1.5.12, 2.1.5.13).
 */
static u32 put_name_tail(u8 *out, size_t avail, size_t fixed, size_t len_off,
			 const char *name, size_t *written)
{
	int ulen = smb_utf8_utf16_len(name ? name : "");
	size_t copy;

	if (ulen < 0) {
		*written = 0;
		return STATUS_OBJECT_NAME_INVALID;
	}
	smb_put_le32(out + len_off, (u32)ulen);
	copy = min_t(size_t, avail - fixed, (size_t)ulen);
	put_utf16(name ? name : "", out + fixed, copy);
	*written = fixed + copy;
	return copy < (size_t)ulen ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

/* ---- directory entries ---------------------------------------------- */

static size_t dirinfo_fixed_size(u8 info_class)
{
	switch (info_class) {
	case FileDirectoryInformation:
		return 64;
	case FileFullDirectoryInformation:
		return 68;
	case FileBothDirectoryInformation:
		return 94;
	case FileIdBothDirectoryInformation:
		return 104;
	case FileIdFullDirectoryInformation:
		return 80;
	case FileNamesInformation:
		return 12;
	case FileIdExtdDirectoryInformation:
		return 88;
	default:
		return 0;
	}
}

bool smb_dirinfo_class_supported(u8 info_class)
{
	return dirinfo_fixed_size(info_class) != 0;
}

int smb_dirinfo_encode(u8 info_class, u8 *out, size_t avail,
		       const struct smb_stat *st, const char *name_utf8,
		       u64 file_id, u32 ea_size)
{
	size_t fixed = dirinfo_fixed_size(info_class);
	int ulen;

	if (!fixed)
		return -2;
	ulen = name_utf8 ? smb_utf8_utf16_len(name_utf8) : -1;
	if (ulen <= 0 || (size_t)ulen > 0x7fffffff - fixed)
		return -3;
	if (avail < fixed || avail - fixed < (size_t)ulen)
		return -1;
	memset(out, 0, fixed);
	if (info_class == FileNamesInformation) {
		smb_put_le32(out + 8, (u32)ulen);
	} else {
		/* Common part of the FILE_*_DIR_INFORMATION family. */
		put_times(out + 8, st);
		smb_put_le64(out + 40, stat_eof(st));
		smb_put_le64(out + 48, stat_alloc(st));
		smb_put_le32(out + 56, smb_stat_attributes(st));
		smb_put_le32(out + 60, (u32)ulen);
		if (info_class != FileDirectoryInformation)
			smb_put_le32(out + 64, ea_size);
	}
	if ((info_class == FileBothDirectoryInformation ||
	     info_class == FileIdBothDirectoryInformation) &&
	    strcmp(name_utf8, ".") && strcmp(name_utf8, "..")) {
		/* The same 8.3 name FileAlternateNameInformation reports. */
		char short_name[SMB_SHORT_NAME_MAX];
		int slen;

		if (smb_short_name(name_utf8, short_name) > 0) {
			slen = smb_utf8_to_utf16(short_name, out + 70, 24);
			if (slen > 0)
				out[68] = (u8)slen;
		}
	}
	switch (info_class) {
	case FileIdBothDirectoryInformation:
		/* Reserved2 zero. */
		smb_put_le64(out + 96, file_id);
		break;
	case FileIdFullDirectoryInformation:
		smb_put_le64(out + 72, file_id);
		break;
	case FileIdExtdDirectoryInformation:
		/* ReparsePointTag 0; 128-bit FileId, high half zero. */
		smb_put_le64(out + 72, file_id);
		break;
	default:
		break;
	}
	put_utf16(name_utf8, out + fixed, (size_t)ulen);
	return (int)(fixed + (size_t)ulen);
}

/* ---- file information ------------------------------------------------ */

static size_t fileinfo_fixed_size(u8 info_class)
{
	switch (info_class) {
	case FileBasicInformation:
		return FILE_BASIC_INFO_SIZE;
	case FileStandardInformation:
		return FILE_STANDARD_INFO_SIZE;
	case FileInternalInformation:
	case FilePositionInformation:
	case FileAttributeTagInformation:
	case FilePipeInformation:
		return 8;
	case FileEaInformation:
	case FileAccessInformation:
	case FileModeInformation:
	case FileAlignmentInformation:
	case FileNameInformation:
	case FileAlternateNameInformation:
	case FileNormalizedNameInformation:
		return 4;
	case FileAllInformation:
		/* sizeof(FILE_ALL_INFORMATION): the name's first WCHAR,
		 * padded to 8 as Windows checks it. */
		return FILE_ALL_INFO_FIXED + 4;
	case FileStreamInformation:
	case FileIdInformation:
		return 24;
	case FilePipeLocalInformation:
		return 40;
	case FileCompressionInformation:
		return 16;
	case FileNetworkOpenInformation:
		return FILE_NETWORK_OPEN_INFO_SIZE;
	default:
		return 0;
	}
}

/*
 * [MS-SMB2] 3.3.5.20.1: classes [MS-FSCC] 2.4 documents for query but we do
 * not serve get STATUS_NOT_SUPPORTED; set-only, local-only and undefined
 * classes get STATUS_INVALID_INFO_CLASS.
 */
static u32 fileinfo_unsupported_status(u8 info_class)
{
	switch (info_class) {
	case FileDirectoryInformation:
	case FileFullDirectoryInformation:
	case FileBothDirectoryInformation:
	case FileNamesInformation:
	case FileFullEaInformation:
	case FilePipeRemoteInformation:
	case 32: /* FileQuotaInformation */
	case FileIdBothDirectoryInformation:
	case FileIdFullDirectoryInformation:
	case FileIdExtdDirectoryInformation:
	case 78: /* FileId64ExtdDirectoryInformation */
	case 79: /* FileId64ExtdBothDirectoryInformation */
	case 80: /* FileIdAllExtdDirectoryInformation */
	case 81: /* FileIdAllExtdBothDirectoryInformation */
		return STATUS_NOT_SUPPORTED;
	default:
		return STATUS_INVALID_INFO_CLASS;
	}
}

static void put_basic(u8 *p, const struct smb_stat *st)
{
	put_times(p, st);
	smb_put_le32(p + 32, smb_stat_attributes(st));
	smb_put_le32(p + 36, 0);
}

static void put_standard(u8 *p, const struct smb_fileinfo_ctx *c)
{
	smb_put_le64(p, stat_alloc(c->st));
	smb_put_le64(p + 8, stat_eof(c->st));
	/* A file about to be deleted already reports one link less. */
	smb_put_le32(p + 16, c->delete_pending && c->st->nlink ?
				     c->st->nlink - 1 :
				     c->st->nlink);
	p[20] = c->delete_pending ? 1 : 0;
	p[21] = c->st->is_dir ? 1 : 0;
	smb_put_le16(p + 22, 0);
}

/* One "::$DATA" entry for a file's unnamed stream; none for a directory. */
static u32 put_streams(const struct smb_fileinfo_ctx *c, u8 *out, size_t avail,
		       size_t *written)
{
	static const char data_stream[] = "::$DATA";
	const size_t name_len = (sizeof(data_stream) - 1) * 2;

	if (c->st->is_dir || c->is_pipe)
		return STATUS_SUCCESS;
	if (avail < 24 + name_len)
		return STATUS_BUFFER_OVERFLOW;
	smb_put_le32(out, 0);
	smb_put_le32(out + 4, (u32)name_len);
	smb_put_le64(out + 8, c->st->size);
	smb_put_le64(out + 16, c->st->alloc_size);
	put_utf16(data_stream, out + 24, name_len);
	*written = 24 + name_len;
	return STATUS_SUCCESS;
}

u32 smb_fileinfo_encode(u8 info_class, const struct smb_fileinfo_ctx *c,
			u8 *out, size_t avail, size_t *written)
{
	size_t fixed = fileinfo_fixed_size(info_class);
	const struct smb_stat *st = c->st;
	const char *name;

	*written = 0;
	if (!fixed)
		return fileinfo_unsupported_status(info_class);
	if ((info_class == FilePipeInformation ||
	     info_class == FilePipeLocalInformation) &&
	    !c->is_pipe)
		return STATUS_INVALID_PARAMETER;
	if (avail < fixed)
		return STATUS_INFO_LENGTH_MISMATCH;
	memset(out, 0, fixed);
	*written = fixed;

	switch (info_class) {
	case FileBasicInformation:
		put_basic(out, st);
		break;
	case FileStandardInformation:
		put_standard(out, c);
		break;
	case FileInternalInformation:
		smb_put_le64(out, c->file_id);
		break;
	case FileEaInformation:
		smb_put_le32(out, c->ea_size);
		break;
	case FileAccessInformation:
		smb_put_le32(out, c->access_mask);
		break;
	case FilePositionInformation:
		smb_put_le64(out, c->position);
		break;
	case FileModeInformation:
		smb_put_le32(out, c->mode);
		break;
	case FileAlignmentInformation:
		/* FILE_BYTE_ALIGNMENT: no alignment required. */
		smb_put_le32(out, 0);
		break;
	case FileNameInformation:
		return put_name_tail(out, avail, 4, 0, c->name_utf8, written);
	case FileNormalizedNameInformation:
		name = c->name_utf8 ? c->name_utf8 : "";
		if (*name == '\\')
			name++;
		return put_name_tail(out, avail, 4, 0, name, written);
	case FileAllInformation:
		put_basic(out, st);
		put_standard(out + 40, c);
		smb_put_le64(out + 64, c->file_id);
		smb_put_le32(out + 72, c->ea_size);
		smb_put_le32(out + 76, c->access_mask);
		smb_put_le64(out + 80, c->position);
		smb_put_le32(out + 88, c->mode);
		smb_put_le32(out + 92, 0);
		return put_name_tail(out, avail, FILE_ALL_INFO_FIXED, 96,
				     c->name_utf8, written);
	case FileAlternateNameInformation:
		*written = 0;
		return STATUS_OBJECT_NAME_NOT_FOUND;
	case FileStreamInformation:
		*written = 0;
		return put_streams(c, out, avail, written);
	case FileCompressionInformation:
		/* Not compressed: CompressedFileSize is the file size. */
		smb_put_le64(out, stat_eof(st));
		break;
	case FileNetworkOpenInformation:
		put_times(out, st);
		smb_put_le64(out + 32, stat_alloc(st));
		smb_put_le64(out + 40, stat_eof(st));
		smb_put_le32(out + 48, smb_stat_attributes(st));
		break;
	case FileAttributeTagInformation:
		smb_put_le32(out, smb_stat_attributes(st));
		break;
	case FileIdInformation:
		smb_put_le64(out, st->dev);
		smb_put_le64(out + 8, c->file_id);
		break;
	case FilePipeInformation:
		smb_put_le32(out, FILE_PIPE_MESSAGE_MODE);
		smb_put_le32(out + 4, FILE_PIPE_QUEUE_OPERATION);
		break;
	case FilePipeLocalInformation:
		smb_put_le32(out, FILE_PIPE_MESSAGE_TYPE);
		smb_put_le32(out + 4, FILE_PIPE_FULL_DUPLEX);
		smb_put_le32(out + 8, 0xffffffffu); /* unlimited instances */
		smb_put_le32(out + 12, 1);
		smb_put_le32(out + 16, 4096); /* InboundQuota */
		smb_put_le32(out + 20, 0); /* ReadDataAvailable */
		smb_put_le32(out + 24, 4096); /* OutboundQuota */
		smb_put_le32(out + 28, 4096); /* WriteQuotaAvailable */
		smb_put_le32(out + 32, FILE_PIPE_CONNECTED_STATE);
		smb_put_le32(out + 36, FILE_PIPE_CLIENT_END);
		break;
	}
	return STATUS_SUCCESS;
}

/* ---- file system information ----------------------------------------- */

static size_t fsinfo_fixed_size(u8 info_class)
{
	switch (info_class) {
	case FileFsVolumeInformation:
		return 18;
	case FileFsSizeInformation:
		return 24;
	case FileFsDeviceInformation:
		return 8;
	case FileFsAttributeInformation:
		return 12;
	case FileFsFullSizeInformation:
		return 32;
	case FileFsObjectIdInformation:
		return 64;
	case FileFsSectorSizeInformation:
		return 28;
	case FileFsControlInformation:
		return 48;
	default:
		return 0;
	}
}

/*
 * The smallest buffer accepted: Windows checks against the C structure
 * sizes, which pad the name-carrying classes past their fixed wire part.
 */
static size_t fsinfo_min_size(u8 info_class, size_t fixed)
{
	if (info_class == FileFsVolumeInformation)
		return 24;
	if (info_class == FileFsAttributeInformation)
		return 16;
	return fixed;
}

u32 smb_fsinfo_encode(u8 info_class, const struct smb_fsinfo_ctx *c, u8 *out,
		      size_t avail, size_t *written)
{
	size_t fixed = fsinfo_fixed_size(info_class);
	const struct smb_vfs_statfs *fs = c->fs;
	/* Zero sizes would make clients divide by zero. */
	u32 bps = fs->bytes_per_sector ? fs->bytes_per_sector : 512;
	u32 spu = fs->sectors_per_unit ? fs->sectors_per_unit : 1;
	u32 max_name;

	*written = 0;
	if (!fixed)
		return STATUS_INVALID_INFO_CLASS;
	if (avail < fsinfo_min_size(info_class, fixed))
		return STATUS_INFO_LENGTH_MISMATCH;
	memset(out, 0, fixed);
	*written = fixed;

	switch (info_class) {
	case FileFsVolumeInformation:
		smb_put_le64(out, c->volume_creation_time);
		smb_put_le32(out + 8, c->serial);
		/* SupportsObjects 0: no object ids. */
		return put_name_tail(out, avail, 18, 12, c->volume_label,
				     written);
	case FileFsSizeInformation:
		smb_put_le64(out, fs->total_units);
		smb_put_le64(out + 8, fs->avail_units);
		smb_put_le32(out + 16, spu);
		smb_put_le32(out + 20, bps);
		break;
	case FileFsDeviceInformation:
		smb_put_le32(out, FILE_DEVICE_DISK);
		smb_put_le32(out + 4, FILE_DEVICE_IS_MOUNTED);
		break;
	case FileFsAttributeInformation:
		max_name = c->max_name_len ? c->max_name_len : fs->max_name_len;
		if (!max_name)
			max_name = 255;
		smb_put_le32(out, c->fs_attributes);
		smb_put_le32(out + 4, max_name);
		return put_name_tail(out, avail, 12, 8,
				     c->fs_name ? c->fs_name : "NTFS", written);
	case FileFsFullSizeInformation:
		smb_put_le64(out, fs->total_units);
		smb_put_le64(out + 8, fs->avail_units); /* caller's share */
		smb_put_le64(out + 16, fs->free_units);
		smb_put_le32(out + 24, spu);
		smb_put_le32(out + 28, bps);
		break;
	case FileFsObjectIdInformation:
		/* A stable volume id from fsid; ExtendedInfo zero. */
		smb_put_le64(out, fs->fsid);
		break;
	case FileFsSectorSizeInformation:
		smb_put_le32(out, bps); /* Logical */
		smb_put_le32(out + 4, bps); /* PhysicalForAtomicity */
		smb_put_le32(out + 8, bps); /* PhysicalForPerformance */
		smb_put_le32(out + 12, bps); /* FS effective atomicity */
		smb_put_le32(out + 16,
			     SSINFO_FLAGS_ALIGNED_DEVICE |
				     SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE);
		/* Both alignment offsets 0. */
		break;
	case FileFsControlInformation:
		/* No quotas are tracked: thresholds, limits and flags all zero
		 * (FILE_VC_QUOTA_NONE), which is what the zeroed buffer says.
		 */
		break;
	}
	return STATUS_SUCCESS;
}

/* ---- SET_INFO parsers ------------------------------------------------- */

/* Reads a FILE_BASIC_INFORMATION time: 0, -1, -2 leave it unchanged. */
static u32 basic_time(const u8 *p, u32 flag, u64 *dst, u32 *valid)
{
	s64 t = (s64)smb_get_le64(p);

	if (t < -2)
		return STATUS_INVALID_PARAMETER;
	if (t > 0) {
		*dst = (u64)t;
		*valid |= flag;
	}
	return STATUS_SUCCESS;
}

u32 smb_setinfo_parse_basic(const u8 *in, size_t len,
			    struct smb_vfs_setattr *out)
{
	u32 status;

	memset(out, 0, sizeof(*out));
	if (len < FILE_BASIC_INFO_SIZE)
		return STATUS_INFO_LENGTH_MISMATCH;
	status = basic_time(in, SMB_VFS_SET_CREATION, &out->creation_time,
			    &out->valid);
	if (!status)
		status = basic_time(in + 8, SMB_VFS_SET_ACCESS,
				    &out->access_time, &out->valid);
	if (!status)
		status = basic_time(in + 16, SMB_VFS_SET_WRITE,
				    &out->write_time, &out->valid);
	if (!status)
		status = basic_time(in + 24, SMB_VFS_SET_CHANGE,
				    &out->change_time, &out->valid);
	if (status) {
		memset(out, 0, sizeof(*out));
		return status;
	}
	out->attributes = smb_get_le32(in + 32);
	if (out->attributes)
		out->valid |= SMB_VFS_SET_ATTRIBUTES;
	return STATUS_SUCCESS;
}

u32 smb_setinfo_parse_rename(const u8 *in, size_t len,
			     struct smb_rename_info *out)
{
	u32 name_len;

	memset(out, 0, sizeof(*out));
	if (len < FILE_RENAME_INFO_MIN)
		return STATUS_INFO_LENGTH_MISMATCH;
	name_len = smb_get_le32(in + 16);
	if (name_len == 0 || (name_len & 1) ||
	    name_len > len - FILE_RENAME_INFO_NAME)
		return STATUS_INVALID_PARAMETER;
	out->replace = in[0] != 0;
	out->root_dir = smb_get_le64(in + 8);
	if (out->root_dir)
		return STATUS_INVALID_PARAMETER; /* network operations: 0 */
	out->name_utf16 = in + FILE_RENAME_INFO_NAME;
	out->name_len = name_len;
	return STATUS_SUCCESS;
}

u32 smb_setinfo_parse_link(const u8 *in, size_t len,
			   struct smb_rename_info *out)
{
	return smb_setinfo_parse_rename(in, len, out);
}

u32 smb_setinfo_parse_disposition(const u8 *in, size_t len,
				  bool *delete_pending)
{
	*delete_pending = false;
	if (len < 1)
		return STATUS_INFO_LENGTH_MISMATCH;
	*delete_pending = in[0] != 0;
	return STATUS_SUCCESS;
}

u32 smb_setinfo_parse_disposition_ex(const u8 *in, size_t len, u32 *flags)
{
	const u32 known = FILE_DISPOSITION_DELETE |
			  FILE_DISPOSITION_POSIX_SEMANTICS |
			  FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK |
			  FILE_DISPOSITION_ON_CLOSE |
			  FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE;

	*flags = 0;
	if (len < 4)
		return STATUS_INFO_LENGTH_MISMATCH;
	if (smb_get_le32(in) & ~known)
		return STATUS_INVALID_PARAMETER;
	*flags = smb_get_le32(in);
	return STATUS_SUCCESS;
}

/* A signed 64-bit size or offset: negative values are invalid. */
static u32 parse_s64(const u8 *in, size_t len, u64 *val)
{
	*val = 0;
	if (len < 8)
		return STATUS_INFO_LENGTH_MISMATCH;
	if (smb_get_le64(in) > S64_MAX_AS_U64)
		return STATUS_INVALID_PARAMETER;
	*val = smb_get_le64(in);
	return STATUS_SUCCESS;
}

u32 smb_setinfo_parse_eof(const u8 *in, size_t len, u64 *eof)
{
	return parse_s64(in, len, eof);
}

u32 smb_setinfo_parse_allocation(const u8 *in, size_t len, u64 *alloc)
{
	return parse_s64(in, len, alloc);
}

u32 smb_setinfo_parse_position(const u8 *in, size_t len, u64 *pos)
{
	return parse_s64(in, len, pos);
}

u32 smb_setinfo_parse_mode(const u8 *in, size_t len, u32 *mode)
{
	const u32 allowed = FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY |
			    FILE_NO_INTERMEDIATE_BUFFERING |
			    FILE_SYNCHRONOUS_IO_ALERT |
			    FILE_SYNCHRONOUS_IO_NONALERT;
	const u32 sync = FILE_SYNCHRONOUS_IO_ALERT |
			 FILE_SYNCHRONOUS_IO_NONALERT;
	u32 m;

	*mode = 0;
	if (len < 4)
		return STATUS_INFO_LENGTH_MISMATCH;
	m = smb_get_le32(in);
	if ((m & ~allowed) || (m & sync) == sync)
		return STATUS_INVALID_PARAMETER;
	*mode = m;
	return STATUS_SUCCESS;
}
