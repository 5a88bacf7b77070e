/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lock.h - byte-range locks ([MS-SMB2] 3.3.5.14, [MS-FSA] 2.1.5.7): the
 * server-wide lock table of each file node, shared by every connection.
 */
#ifndef SMB_LOCK_H
#define SMB_LOCK_H

#include "internal.h"

/* SMB2_LOCK_ELEMENT Flags ([MS-SMB2] 2.2.26.1). */
#define SMB2_LOCKFLAG_SHARED_LOCK 0x00000001u
#define SMB2_LOCKFLAG_EXCLUSIVE_LOCK 0x00000002u
#define SMB2_LOCKFLAG_UNLOCK 0x00000004u
#define SMB2_LOCKFLAG_FAIL_IMMEDIATELY 0x00000010u

#ifndef STATUS_INVALID_LOCK_RANGE
#define STATUS_INVALID_LOCK_RANGE 0xc00001a1u
#endif

#define SMB_MAX_LOCKS_PER_OPEN 16384 /* bounds what one handle can pin */

/*
 * Before op is closed: answer its blocked LOCK requests with
 * STATUS_RANGE_NOT_LOCKED, release its locks and grant what now can be.
 */
void smb_lock_open_closing(struct smb_open *op);

/*
 * May op read (write == false) or write length bytes at offset?  Returns
 * STATUS_FILE_LOCK_CONFLICT when another open's exclusive lock (or, for a
 * write, any shared lock) covers part of the range.
 */
u32 smb_lock_check_io(struct smb_open *op, u64 offset, u64 length, bool write);

#endif /* SMB_LOCK_H */
