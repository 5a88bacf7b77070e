/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfs_posix.h - the userspace VFS backend: struct smb_vfs_ops on a Linux
 * directory tree, every lookup confined beneath the share root.
 */
#ifndef SMB_USER_VFS_POSIX_H
#define SMB_USER_VFS_POSIX_H

#include "platform.h"
#include "ops.h"

/* The ops table; ctx is unused (NULL).  Safe to use from many threads. */
const struct smb_vfs_ops *smb_posix_vfs_ops(void);

/* Map a (positive) errno value to an NT status; 0 maps to STATUS_SUCCESS. */
u32 smb_errno_to_status(int err);

/* Options for smb_posix_share_open_opts(). */
#define SMB_POSIX_SHARE_NO_OPENAT2 0x1u /* always use the portable walk */
#define SMB_POSIX_SHARE_NO_XATTRAT 0x2u /* never use getxattrat(2) */

/*
 * share_open with options, mainly so tests can exercise the fallbacks that
 * old kernels take.  The share is closed with the ops table's share_close.
 */
u32 smb_posix_share_open_opts(const char *root_path, u32 opts,
			      struct smb_vfs_share **out);

/*
 * The descriptor that holds f's data, for sendfile(2) (the TCP
 * transport's send_pdu_file); -1 for a stream, a directory or a handle
 * without data access.
 */
int smb_posix_file_data_fd(struct smb_vfs_file *f);

#endif
