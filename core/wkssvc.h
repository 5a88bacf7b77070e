/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wkssvc.h - [MS-WKST] NetrWkstaGetInfo level 100, which some clients ask. */
#ifndef SMB_WKSSVC_H
#define SMB_WKSSVC_H

#include "rpc.h"

#define WKSSVC_OPNUM_NETR_WKSTA_GET_INFO 0

extern const struct smb_rpc_iface smb_wkssvc_iface;

#endif /* SMB_WKSSVC_H */
