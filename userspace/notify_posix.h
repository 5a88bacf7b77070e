/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify_posix.h - directory watches for CHANGE_NOTIFY on Linux inotify
 * (smb_vfs_ops.watch_add/watch_remove of the POSIX backend).
 */
#ifndef SMB_USER_NOTIFY_POSIX_H
#define SMB_USER_NOTIFY_POSIX_H

#include "platform.h"
#include "ops.h"

/* Limits per watch: directories watched (WATCH_TREE) and their depth. */
#define SMB_POSIX_WATCH_MAX_DIRS 4096u
#define SMB_POSIX_WATCH_MAX_DEPTH 64u

/*
 * Watch the directory open as dirfd (any fd, O_PATH too; it is duplicated)
 * and, with tree, every directory below it, also those made later.  cb
 * runs on the watcher thread, one change at a time.
 */
u32 smb_posix_watch_add(int dirfd, bool tree, smb_vfs_watch_fn cb, void *arg,
			struct smb_vfs_watch **out);
/* Stop; waits for a running cb.  Never call from cb. */
void smb_posix_watch_remove(struct smb_vfs_watch *w);

#endif
