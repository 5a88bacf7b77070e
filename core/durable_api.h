/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * durable_api.h - the platform's knob for durable handles (belongs in
 * smbd.h once that header takes additions).
 */
#ifndef SMB_DURABLE_API_H
#define SMB_DURABLE_API_H

#include "smbd.h"

/*
 * Cap of v2 durable-handle timeouts (config "durable handle timeout"),
 * in seconds; 0 restores the default of 300.
 */
void smb_server_set_durable_timeout(struct smb_server *srv, u32 seconds);

#endif /* SMB_DURABLE_API_H */
