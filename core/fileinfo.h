/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fileinfo.h - [MS-FSCC] information classes for SMB2 QUERY_DIRECTORY,
 * QUERY_INFO and SET_INFO.
 *
 * Pure encoders and parsers: inputs are structs, output is bytes.  Nothing
 * here touches a file; the handlers gather a struct smb_stat (and friends)
 * through the VFS ops and hand it over.
 */
#ifndef SMB_FILEINFO_H
#define SMB_FILEINFO_H

#include "compat.h"
#include "ops.h"

/* [MS-FSCC] 2.5.10 FileFsDeviceInformation. */
#define FILE_DEVICE_DISK 0x00000007u
#define FILE_READ_ONLY_DEVICE 0x00000002u
#define FILE_REMOTE_DEVICE 0x00000010u
#define FILE_DEVICE_IS_MOUNTED 0x00000020u

/* [MS-FSCC] 2.5.1 FileSystemAttributes. */
#define FILE_CASE_SENSITIVE_SEARCH 0x00000001u
#define FILE_CASE_PRESERVED_NAMES 0x00000002u
#define FILE_UNICODE_ON_DISK 0x00000004u
#define FILE_PERSISTENT_ACLS 0x00000008u
#define FILE_SUPPORTS_SPARSE_FILES 0x00000040u
#define FILE_SUPPORTS_OBJECT_IDS 0x00010000u
#define FILE_SUPPORTS_HARD_LINKS 0x00400000u

/*
 * What a POSIX file system behind this server honestly offers: names keep
 * their case and may differ only in case, and they are Unicode.  ACLs are
 * synthesised from the mode unless a client stored one (security.h);
 * FILE_PERSISTENT_ACLS is left out because a file system without user
 * xattrs cannot keep them.
 */
#define SMB_FS_ATTRIBUTES_DEFAULT                                 \
	(FILE_CASE_SENSITIVE_SEARCH | FILE_CASE_PRESERVED_NAMES | \
	 FILE_UNICODE_ON_DISK)

/* [MS-FSCC] 2.5.8 FileFsSectorSizeInformation flags. */
#define SSINFO_FLAGS_ALIGNED_DEVICE 0x00000001u
#define SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE 0x00000002u
#define SSINFO_FLAGS_NO_SEEK_PENALTY 0x00000004u
#define SSINFO_FLAGS_TRIM_ENABLED 0x00000008u

/* [MS-FSCC] 2.4.11 FileDispositionInformationEx flags. */
#define FILE_DISPOSITION_DO_NOT_DELETE 0x00000000u
#define FILE_DISPOSITION_DELETE 0x00000001u
#define FILE_DISPOSITION_POSIX_SEMANTICS 0x00000002u
#define FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK 0x00000004u
#define FILE_DISPOSITION_ON_CLOSE 0x00000008u
#define FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE 0x00000010u

/* [MS-FSCC] 2.4.9 / 2.4.24 pipe values (for IPC$ opens). */
#define FILE_PIPE_BYTE_STREAM_MODE 0x00000000u
#define FILE_PIPE_MESSAGE_MODE 0x00000001u
#define FILE_PIPE_QUEUE_OPERATION 0x00000000u
#define FILE_PIPE_MESSAGE_TYPE 0x00000001u
#define FILE_PIPE_FULL_DUPLEX 0x00000002u
#define FILE_PIPE_CONNECTED_STATE 0x00000003u
#define FILE_PIPE_CLIENT_END 0x00000000u

/* Fixed sizes of the structures ([MS-FSCC] 2.4, 2.5). */
#define FILE_BASIC_INFO_SIZE 40
#define FILE_STANDARD_INFO_SIZE 24
#define FILE_ALL_INFO_FIXED 100
#define FILE_NETWORK_OPEN_INFO_SIZE 56
#define FILE_RENAME_INFO_MIN 24 /* incl. the padding to 24 [MS-FSCC] */
#define FILE_RENAME_INFO_NAME 20 /* offset of FileName */

/*
 * FILE_ATTRIBUTE_* as the client should see them: DIRECTORY follows
 * is_dir, and NORMAL stands alone when nothing else is set.
 */
u32 smb_stat_attributes(const struct smb_stat *st);

/* ---- QUERY_DIRECTORY ------------------------------------------------- */
bool smb_dirinfo_class_supported(u8 info_class);

/*
 * Write one directory entry of info_class for a file named name_utf8 (one
 * component, no separators).  NextEntryOffset and FileIndex are left 0:
 * the caller links entries and 8-aligns them.  Returns the unpadded entry
 * length, -1 if it does not fit in avail, -2 for an unsupported class, -3
 * for an empty or invalid (non-UTF-8) name.  file_id is the 64-bit file id
 * (FileIdExtd gets it in the low 8 bytes of its 128-bit id).  ea_size is the
 * EaSize field for the classes that carry one.
 */
int smb_dirinfo_encode(u8 info_class, u8 *out, size_t avail,
		       const struct smb_stat *st, const char *name_utf8,
		       u64 file_id, u32 ea_size);

/* ---- QUERY_INFO: SMB2_0_INFO_FILE ------------------------------------ */
struct smb_fileinfo_ctx {
	const struct smb_stat *st;
	/*
	 * Path relative to the share, '\\'-separated as the client should see
	 * it, with a leading '\\' ("\\" for the share root).  Name and All
	 * report it as is; NormalizedName reports it without the leading '\\'.
	 */
	const char *name_utf8;
	u64 file_id; /* IndexNumber / FileId */
	u32 access_mask; /* Open.GrantedAccess */
	u64 position; /* CurrentByteOffset */
	u32 mode; /* FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY | ... */
	bool delete_pending;
	u32 ea_size;
	bool is_pipe; /* an IPC$ named pipe open */
};

/*
 * Encode info_class into out (avail bytes); *written gets the byte count
 * for OutputBufferLength.  Returns:
 *   STATUS_SUCCESS;
 *   STATUS_BUFFER_OVERFLOW: a name was cut to fit, the truncated data is
 *     written and its length field still holds the full length ([MS-FSA]
 *     2.1.5.12), or a stream entry did not fit (nothing written);
 *   STATUS_INFO_LENGTH_MISMATCH: avail is below the fixed size;
 *   STATUS_NOT_SUPPORTED: a query class [MS-FSCC] 2.4 documents that is
 *     not implemented here (directory classes, FullEa - the caller answers
 *     FileFullEaInformation itself -, PipeRemote, Quota);
 *   STATUS_INVALID_INFO_CLASS: anything else ([MS-SMB2] 3.3.5.20.1);
 *   STATUS_INVALID_PARAMETER: a pipe class on a non-pipe open;
 *   STATUS_OBJECT_NAME_NOT_FOUND: FileAlternateNameInformation (no 8.3
 *     names exist here);
 *   STATUS_OBJECT_NAME_INVALID: name_utf8 is not valid UTF-8.
 * The caller checks FILE_READ_ATTRIBUTES etc. and the dialect rules
 * (FileIdInformation needs 3.x, NormalizedName needs 3.1.1) first.
 */
u32 smb_fileinfo_encode(u8 info_class, const struct smb_fileinfo_ctx *c,
			u8 *out, size_t avail, size_t *written);

/* ---- QUERY_INFO: SMB2_0_INFO_FILESYSTEM ------------------------------ */
struct smb_fsinfo_ctx {
	const struct smb_vfs_statfs *fs;
	u64 volume_creation_time; /* NT time */
	u32 serial;
	const char *volume_label; /* NULL: empty */
	/*
	 * NULL: "NTFS".  Windows applications and the Windows and Linux SMB
	 * clients switch features (ACL editors, sparse files, large MTU
	 * heuristics, some installers refusing to run) on the file system
	 * name, so servers report "NTFS" whatever the disk holds.
	 */
	const char *fs_name;
	u32 fs_attributes; /* e.g. SMB_FS_ATTRIBUTES_DEFAULT */
	u32 max_name_len; /* 0: fs->max_name_len, or 255 if that is 0 */
};

/* Same length and status rules as smb_fileinfo_encode. */
u32 smb_fsinfo_encode(u8 info_class, const struct smb_fsinfo_ctx *c, u8 *out,
		      size_t avail, size_t *written);

/* ---- SET_INFO parsers ------------------------------------------------ */
/*
 * FileBasicInformation: each time that is not 0 (keep), -1 (keep, stop
 * automatic updates) or -2 (resume them) sets the matching SMB_VFS_SET_*
 * flag; times below -2 are STATUS_INVALID_PARAMETER.  A nonzero
 * FileAttributes sets SMB_VFS_SET_ATTRIBUTES with the raw value: the
 * caller rejects DIRECTORY on a file and TEMPORARY on a directory
 * (STATUS_INVALID_PARAMETER) and masks with FILE_ATTRIBUTE_VALID_SET_FLAGS.
 */
u32 smb_setinfo_parse_basic(const u8 *in, size_t len,
			    struct smb_vfs_setattr *out);

struct smb_rename_info {
	bool replace;
	u64 root_dir;
	const u8 *name_utf16; /* points into the input buffer */
	u32 name_len; /* bytes, even, nonzero */
};

/*
 * FILE_RENAME_INFORMATION_TYPE_2 ([MS-FSCC] "FileRenameInformation for
 * SMB2").  Short buffer (<24) -> STATUS_INFO_LENGTH_MISMATCH; a name running
 * past the end, an odd or zero name length, or a nonzero RootDirectory ->
 * STATUS_INVALID_PARAMETER.
 */
u32 smb_setinfo_parse_rename(const u8 *in, size_t len,
			     struct smb_rename_info *out);
/* FILE_LINK_INFORMATION_TYPE_2: same layout and rules as rename. */
u32 smb_setinfo_parse_link(const u8 *in, size_t len,
			   struct smb_rename_info *out);
/* FileDispositionInformation: DeletePending (any nonzero byte is TRUE). */
u32 smb_setinfo_parse_disposition(const u8 *in, size_t len,
				  bool *delete_pending);
/* FileDispositionInformationEx: flags; unknown bits are invalid. */
u32 smb_setinfo_parse_disposition_ex(const u8 *in, size_t len, u32 *flags);
/* EndOfFile / AllocationSize / CurrentByteOffset: > INT64_MAX is invalid. */
u32 smb_setinfo_parse_eof(const u8 *in, size_t len, u64 *eof);
u32 smb_setinfo_parse_allocation(const u8 *in, size_t len, u64 *alloc);
u32 smb_setinfo_parse_position(const u8 *in, size_t len, u64 *pos);
/*
 * FileModeInformation: only WRITE_THROUGH, SEQUENTIAL_ONLY,
 * NO_INTERMEDIATE_BUFFERING and one of SYNCHRONOUS_IO_ALERT/NONALERT.
 */
u32 smb_setinfo_parse_mode(const u8 *in, size_t len, u32 *mode);

#endif /* SMB_FILEINFO_H */
