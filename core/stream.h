/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.h - named (alternate) data streams: CREATE of "file:name:$DATA",
 * FileStreamInformation, stream renames and per-stream share modes.  The
 * bytes live behind the VFS stream ops.
 */
#ifndef SMB_STREAM_H
#define SMB_STREAM_H

#include "internal.h"

/* Named streams listed per query at most: it bounds one query's work. */
#define SMB_STREAM_MAX_LIST 4096u

/*
 * A "file:name" open in three steps, so the caller can check or apply the
 * file's security in between: smb_stream_open_file opens the file itself
 * into op->file (attributes only), creating it (*file_created) for a
 * creating disposition when may_create allows; smb_stream_open_named
 * replaces op->file with the stream name's handle (stream_flags: its
 * SMB_VFS_O_*, *created when made) and removes a file it made if that
 * fails; smb_stream_finish applies share modes and the disposition and
 * fills *action and *st.
 */
u32 smb_stream_open_file(struct smb_work *w, struct smb_open *op,
			 u32 disposition, u32 options, bool may_create,
			 bool *file_created, struct smb_stat *st);
u32 smb_stream_open_named(struct smb_work *w, struct smb_open *op,
			  const struct smb_stream_spec *sn, u32 stream_flags,
			  bool file_created, bool *created,
			  struct smb_stat *st);
u32 smb_stream_finish(struct smb_work *w, struct smb_open *op, u32 disposition,
		      bool created, u32 *action, struct smb_stat *st);

/*
 * Append one FILE_STREAM_INFORMATION entry ([MS-FSCC] 2.4.43) for the
 * stream called name ("::$DATA" or ":x:$DATA") at *used in out, linking
 * the previous entry at *prev.  false if it does not fit avail.
 */
bool smb_stream_info_put(u8 *out, size_t avail, size_t *used, size_t *prev,
			 const char *name, u64 size, u64 alloc_size);

/* QUERY_INFO FileStreamInformation for op (file, directory or stream). */
u32 smb_stream_query(struct smb_work *w, struct smb_open *op, u8 *out,
		     size_t avail, size_t *written);

/* FileRenameInformation whose target is ":name[:$DATA]". */
u32 smb_stream_rename(struct smb_work *w, struct smb_open *op, const u8 *name,
		      u32 name_len, bool replace);

/*
 * FileRenameInformation on a stream open whose target is a full path:
 * a stream never moves to another file.  Naming a stream of its own file
 * that way is a sharing violation (the target is the file this handle
 * holds open), anything else STATUS_INVALID_PARAMETER.
 */
u32 smb_stream_rename_path(struct smb_work *w, struct smb_open *op,
			   const u8 *name, u32 name_len);

/* Are a and b the same stream of one file (NULL: the default stream)? */
bool smb_stream_same(const char *a, const char *b);

#endif /* SMB_STREAM_H */
