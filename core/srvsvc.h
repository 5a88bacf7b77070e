/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * srvsvc.h - the Server Service Remote Protocol ([MS-SRVS]) subset needed
 * for share browsing: NetrShareEnum, NetrShareGetInfo, NetrServerGetInfo.
 */
#ifndef SMB_SRVSVC_H
#define SMB_SRVSVC_H

#include "rpc.h"

#define SRVSVC_OPNUM_NETR_SHARE_ENUM 15
#define SRVSVC_OPNUM_NETR_SHARE_GET_INFO 16
#define SRVSVC_OPNUM_NETR_SERVER_GET_INFO 21

/* NET_API_STATUS / WERROR values returned in the stub. */
#define WERR_OK 0u
#define WERR_NOT_ENOUGH_MEMORY 8u
#define WERR_INVALID_PARAMETER 87u
#define WERR_INVALID_LEVEL 124u
#define WERR_MORE_DATA 234u
#define NERR_NET_NAME_NOT_FOUND 2310u

#define SRVSVC_MAX_PREFERRED_LENGTH 0xffffffffu
#define PLATFORM_ID_NT 500u

/* SV_TYPE_* bits for smb_rpc_server_info.server_type ([MS-SRVS] 2.2.2.7). */
#define SV_TYPE_WORKSTATION 0x00000001u
#define SV_TYPE_SERVER 0x00000002u
#define SV_TYPE_SERVER_UNIX 0x00000800u
#define SV_TYPE_SERVER_NT 0x00008000u

extern const struct smb_rpc_iface smb_srvsvc_iface;

#endif /* SMB_SRVSVC_H */
