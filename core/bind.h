/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bind.h - the server-wide session table and multichannel session binding
 * requests ([MS-SMB2] 3.3.5.5, 3.3.5.5.2).
 */
#ifndef SMB_BIND_H
#define SMB_BIND_H

#include "internal.h"

/* Enter a new session (id assigned) in the server-wide table; takes
 * srv->lock.  smb_session_forget removes it, also under srv->lock. */
void smb_session_register(struct smb_session *sess);
void smb_session_forget(struct smb_session *sess);

/*
 * SESSION_SETUP with SMB2_SESSION_FLAG_BINDING: the checks of [MS-SMB2]
 * 3.3.5.5 step 4 (and the statuses Windows and Samba give for signing
 * algorithm mismatches), in their order.  Binding a second channel is not
 * implemented: a request that passes every check is refused with
 * STATUS_REQUEST_NOT_ACCEPTED, so the client keeps its first channel.
 * Returns the status to answer with.
 */
u32 smb_session_bind_check(struct smb_work *w);

/*
 * A (non-binding) SESSION_SETUP naming a session of another connection:
 * STATUS_USER_SESSION_DELETED ([MS-SMB2] 3.3.5.5 step 6), signed with that
 * session's key when the request was signed, as Windows and Samba answer.
 */
u32 smb_session_foreign(struct smb_work *w);

#endif /* SMB_BIND_H */
