// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * srvsvc.c - [MS-SRVS] NetrShareEnum (3.1.4.8), NetrShareGetInfo (3.1.4.10)
 * and NetrServerGetInfo (3.1.4.17).  Return codes go in the stub as
 * NET_API_STATUS; only undecodable requests fault.
 */
#include "srvsvc.h"
#include "ndr.h"

/* Most shares one enumeration looks at. */
#define SRVSVC_MAX_SHARES 4096

/* Member layouts (see smb_ndr_put_flat) of the info levels we serve. */
#define SHARE_LAYOUT_0 "p"
#define SHARE_LAYOUT_1 "pdp"
#define SHARE_LAYOUT_2 "pdpdddpp"
#define SHARE_LAYOUT_501 "pdpd"
#define SHARE_LAYOUT_1005 "d"

static const char *share_layout(u32 level)
{
	switch (level) {
	case 0:
		return SHARE_LAYOUT_0;
	case 1:
		return SHARE_LAYOUT_1;
	case 2:
		return SHARE_LAYOUT_2;
	case 501:
		return SHARE_LAYOUT_501;
	case 1005:
		return SHARE_LAYOUT_1005;
	default:
		return NULL;
	}
}

/* The members of share info at level, in layout order. */
static void share_fields(u32 level, const struct smb_rpc_share_info *s,
			 struct smb_ndr_flat *f)
{
	const char *remark = s->comment ? s->comment : "";

	memset(f, 0, sizeof(*f));
	f->str[0] = s->name ? s->name : "";
	f->str[1] = remark;
	f->dw[0] = s->type;
	switch (level) {
	case 2:
		f->dw[1] = 0; /* permissions: share-level security unused */
		f->dw[2] = s->max_uses;
		f->dw[3] = s->current_uses;
		f->str[2] = s->path ? s->path : "";
		f->str[3] = NULL; /* no share password */
		break;
	case 501:
		f->dw[1] = s->flags;
		break;
	case 1005:
		f->dw[0] = s->flags;
		break;
	}
}

static int get_share(const struct smb_rpc_provider *prov, int index,
		     struct smb_rpc_share_info *s)
{
	memset(s, 0, sizeof(*s));
	s->max_uses = 0xffffffffu;
	return prov->share_get(prov->ctx, index, s);
}

/* Tags of SHARE_ENUM_UNION ([MS-SRVS] 2.2.3.5): all are pointer arms. */
static bool enum_tag_valid(u32 level)
{
	return level == 0 || level == 1 || level == 2 || level == 501 ||
	       level == 502 || level == 503;
}

static u32 share_enum(const struct smb_rpc_provider *prov,
		      struct smb_ndr_reader *in, struct smb_ndr_writer *out)
{
	u32 level, pref, resume = 0, status = WERR_OK, total, start, n = 0;
	struct smb_rpc_share_info share;
	struct smb_ndr_flat f;
	const char *layout;
	bool has_resume, tag_valid;
	size_t used = 0;
	int count;
	u32 i;

	smb_ndr_skip_unique_string(in);
	level = smb_ndr_get_u32(in);
	if (smb_ndr_get_u32(in) != level || !smb_ndr_reader_ok(in))
		return NCA_S_FAULT_NDR;
	/* An unknown tag has no arm (the [default] of Samba's IDL). */
	tag_valid = enum_tag_valid(level);
	layout = tag_valid ? share_layout(level) : NULL;
	if (tag_valid && smb_ndr_get_ptr(in)) {
		u32 entries = smb_ndr_get_u32(in);

		/* Clients send an empty container; decode one anyway. */
		if (smb_ndr_get_ptr(in) &&
		    (!layout || !smb_ndr_skip_flat_array(in, layout, entries)))
			return NCA_S_FAULT_NDR;
	}
	pref = smb_ndr_get_u32(in);
	has_resume = smb_ndr_get_ptr(in) != 0;
	if (has_resume)
		resume = smb_ndr_get_u32(in);
	if (!smb_ndr_reader_ok(in))
		return NCA_S_FAULT_NDR;

	count = prov->share_count(prov->ctx);
	total = count < 0 ? 0 : min_t(u32, (u32)count, SRVSVC_MAX_SHARES);
	start = resume < total ? resume : total;
	if (!layout) {
		status = WERR_INVALID_LEVEL;
		total = 0;
	} else {
		/* Whole entries up to the preferred size, at least one. */
		for (i = start; i < total; i++) {
			size_t size;

			if (get_share(prov, (int)i, &share))
				break;
			share_fields(level, &share, &f);
			size = smb_ndr_flat_size(layout, &f);
			if (n && pref != SRVSVC_MAX_PREFERRED_LENGTH &&
			    used + size > pref)
				break;
			used += size;
			n++;
		}
		if (start + n < total)
			status = WERR_MORE_DATA;
	}

	smb_ndr_put_u32(out, level);
	smb_ndr_put_u32(out, level); /* union discriminant */
	if (tag_valid) {
		smb_ndr_put_ptr(out, true);
		smb_ndr_put_u32(out, n);
		smb_ndr_put_ptr(out, n != 0);
	}
	if (n) {
		smb_ndr_put_u32(out, n); /* conformance */
		for (i = start; i < start + n; i++) {
			if (get_share(prov, (int)i, &share))
				memset(&share, 0, sizeof(share));
			share_fields(level, &share, &f);
			smb_ndr_put_flat(out, layout, &f);
		}
		for (i = start; i < start + n; i++) {
			if (get_share(prov, (int)i, &share))
				memset(&share, 0, sizeof(share));
			share_fields(level, &share, &f);
			smb_ndr_put_flat_deferred(out, layout, &f);
		}
	}
	smb_ndr_put_u32(out, total);
	smb_ndr_put_ptr(out, has_resume);
	if (has_resume)
		smb_ndr_put_u32(out, status == WERR_MORE_DATA ? start + n : 0);
	smb_ndr_put_u32(out, status);
	return 0;
}

/* Tags of SHARE_INFO ([MS-SRVS] 2.2.3.6) with a pointer arm. */
static bool share_info_tag_valid(u32 level)
{
	switch (level) {
	case 0:
	case 1:
	case 2:
	case 501:
	case 502:
	case 503:
	case 1004:
	case 1005:
	case 1006:
	case 1501:
		return true;
	default:
		return false;
	}
}

static u32 share_get_info(const struct smb_rpc_provider *prov,
			  struct smb_ndr_reader *in, struct smb_ndr_writer *out)
{
	struct smb_rpc_share_info share;
	struct smb_ndr_flat f;
	const char *layout;
	char name[256];
	u32 level;

	smb_ndr_skip_unique_string(in);
	smb_ndr_get_string(in, name, sizeof(name));
	level = smb_ndr_get_u32(in);
	if (!smb_ndr_reader_ok(in))
		return NCA_S_FAULT_NDR;

	smb_ndr_put_u32(out, level); /* union discriminant */
	layout = share_layout(level);
	if (!layout) {
		/* A known arm carries a NULL pointer; [default] is empty. */
		if (share_info_tag_valid(level))
			smb_ndr_put_ptr(out, false);
		smb_ndr_put_u32(out, WERR_INVALID_LEVEL);
		return 0;
	}
	memset(&share, 0, sizeof(share));
	share.max_uses = 0xffffffffu;
	if (prov->share_find(prov->ctx, name, &share)) {
		smb_ndr_put_ptr(out, false);
		smb_ndr_put_u32(out, NERR_NET_NAME_NOT_FOUND);
		return 0;
	}
	share_fields(level, &share, &f);
	smb_ndr_put_ptr(out, true);
	smb_ndr_put_flat(out, layout, &f);
	smb_ndr_put_flat_deferred(out, layout, &f);
	smb_ndr_put_u32(out, WERR_OK);
	return 0;
}

static const char *server_layout(u32 level)
{
	switch (level) {
	case 100:
		return "dp";
	case 101:
		return "dpdddp";
	case 102:
		return "dpdddpddddddp";
	default:
		return NULL;
	}
}

static u32 server_get_info(const struct smb_rpc_provider *prov,
			   struct smb_ndr_reader *in,
			   struct smb_ndr_writer *out)
{
	struct smb_rpc_server_info srv;
	struct smb_ndr_flat f;
	const char *layout;
	u32 level;

	smb_ndr_skip_unique_string(in);
	level = smb_ndr_get_u32(in);
	if (!smb_ndr_reader_ok(in))
		return NCA_S_FAULT_NDR;

	smb_ndr_put_u32(out, level);
	layout = server_layout(level);
	if (!layout) {
		smb_ndr_put_ptr(out, false);
		smb_ndr_put_u32(out, WERR_INVALID_LEVEL);
		return 0;
	}
	memset(&srv, 0, sizeof(srv));
	prov->server_info(prov->ctx, &srv);
	memset(&f, 0, sizeof(f));
	f.str[0] = srv.netbios_name ? srv.netbios_name : "";
	f.str[1] = srv.comment ? srv.comment : "";
	f.str[2] = "C:\\"; /* sv102_userpath */
	f.dw[0] = PLATFORM_ID_NT;
	f.dw[1] = srv.version_major;
	f.dw[2] = srv.version_minor;
	f.dw[3] = srv.server_type;
	f.dw[4] = 0xffffffffu; /* users: no limit */
	f.dw[5] = 15; /* autodisconnect minutes, Windows' default */
	f.dw[6] = 0; /* hidden: SV_VISIBLE */
	f.dw[7] = 240; /* announce seconds */
	f.dw[8] = 3000; /* anndelta ms */
	f.dw[9] = 0; /* licenses */
	smb_ndr_put_ptr(out, true);
	smb_ndr_put_flat(out, layout, &f);
	smb_ndr_put_flat_deferred(out, layout, &f);
	smb_ndr_put_u32(out, WERR_OK);
	return 0;
}

static u32 srvsvc_dispatch(const struct smb_rpc_provider *prov, u16 opnum,
			   struct smb_ndr_reader *in,
			   struct smb_ndr_writer *out)
{
	switch (opnum) {
	case SRVSVC_OPNUM_NETR_SHARE_ENUM:
		return share_enum(prov, in, out);
	case SRVSVC_OPNUM_NETR_SHARE_GET_INFO:
		return share_get_info(prov, in, out);
	case SRVSVC_OPNUM_NETR_SERVER_GET_INFO:
		return server_get_info(prov, in, out);
	default:
		return NCA_S_OP_RNG_ERROR;
	}
}

/* 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0 */
const struct smb_rpc_iface smb_srvsvc_iface = {
	.pipe_name = "srvsvc",
	.uuid = { 0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01, 0x12, 0x78,
		  0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88 },
	.version_major = 3,
	.version_minor = 0,
	.dispatch = srvsvc_dispatch,
};
