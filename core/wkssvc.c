// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wkssvc.c - [MS-WKST] 3.2.4.1 NetrWkstaGetInfo, level 100 only:
 * WKSTA_INFO_100 { platform_id, computername, langroup, ver_major,
 * ver_minor }.  Other levels answer ERROR_INVALID_LEVEL in the stub.
 */
#include "wkssvc.h"
#include "ndr.h"
#include "srvsvc.h"

static u32 wksta_get_info(const struct smb_rpc_provider *prov,
			  struct smb_ndr_reader *in, struct smb_ndr_writer *out)
{
	struct smb_rpc_server_info srv;
	struct smb_ndr_flat f;
	u32 level;

	smb_ndr_skip_unique_string(in);
	level = smb_ndr_get_u32(in);
	if (!smb_ndr_reader_ok(in))
		return NCA_S_FAULT_NDR;

	smb_ndr_put_u32(out, level); /* union discriminant */
	if (level != 100) {
		smb_ndr_put_ptr(out, false);
		smb_ndr_put_u32(out, WERR_INVALID_LEVEL);
		return 0;
	}
	memset(&srv, 0, sizeof(srv));
	prov->server_info(prov->ctx, &srv);
	memset(&f, 0, sizeof(f));
	f.dw[0] = PLATFORM_ID_NT;
	f.str[0] = srv.netbios_name ? srv.netbios_name : "";
	f.str[1] = srv.domain ? srv.domain : "WORKGROUP";
	f.dw[1] = srv.version_major;
	f.dw[2] = srv.version_minor;
	smb_ndr_put_ptr(out, true);
	smb_ndr_put_flat(out, "dppdd", &f);
	smb_ndr_put_flat_deferred(out, "dppdd", &f);
	smb_ndr_put_u32(out, WERR_OK);
	return 0;
}

static u32 wkssvc_dispatch(const struct smb_rpc_provider *prov, u16 opnum,
			   struct smb_ndr_reader *in,
			   struct smb_ndr_writer *out)
{
	if (opnum == WKSSVC_OPNUM_NETR_WKSTA_GET_INFO)
		return wksta_get_info(prov, in, out);
	return NCA_S_OP_RNG_ERROR;
}

/* 6bffd098-a112-3610-9833-46c3f87e345a v1.0 */
const struct smb_rpc_iface smb_wkssvc_iface = {
	.pipe_name = "wkssvc",
	.uuid = { 0x98, 0xd0, 0xff, 0x6b, 0x12, 0xa1, 0x10, 0x36, 0x98, 0x33,
		  0x46, 0xc3, 0xf8, 0x7e, 0x34, 0x5a },
	.version_major = 1,
	.version_minor = 0,
	.dispatch = wkssvc_dispatch,
};
