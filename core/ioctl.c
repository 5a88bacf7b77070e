// SPDX-License-Identifier: GPL-2.0-or-later
/* ioctl.c - SMB2 IOCTL/FSCTL ([MS-SMB2] 3.3.5.15). */
#include "internal.h"
#include "fsctl.h"

#define IOCTL_REQ_FIXED 56
#define IOCTL_RESP_FIXED 48
#define VNEG_OUT_SIZE 24
/* NETWORK_INTERFACE_INFO ([MS-SMB2] 2.2.32.5): 24 bytes + SockAddr_Storage. */
#define NETIF_ENTRY_SIZE 152
#define NETIF_SOCKADDR_OFF 24
#define NETIF_MAX_ENTRIES 256 /* 38 KiB of output; more is never useful */

/* The fixed part of a response whose output already follows it at r. */
static void ioctl_fill(struct smb_work *w, u8 *r, u32 ctl, const u8 *fid,
		       size_t out_len, u32 status)
{
	w->status = status;
	smb_put_le16(r, 49);
	smb_put_le32(r + 4, ctl);
	memcpy(r + 8, fid, 16);
	smb_put_le32(r + 24, SMB2_HDR_SIZE + IOCTL_RESP_FIXED);
	smb_put_le32(r + 32, SMB2_HDR_SIZE + IOCTL_RESP_FIXED);
	smb_put_le32(r + 36, (u32)out_len);
	smb_resp_set_body_len(w, IOCTL_RESP_FIXED + out_len);
}

static int ioctl_reply(struct smb_work *w, u32 ctl, const u8 *fid,
		       const u8 *out, size_t out_len, u32 status)
{
	u8 *r = smb_resp_body(w, IOCTL_RESP_FIXED + out_len);

	if (!r)
		return -1;
	if (out_len)
		memcpy(r + IOCTL_RESP_FIXED, out, out_len);
	ioctl_fill(w, r, ctl, fid, out_len, status);
	return 0;
}

int smb_ioctl_reply(struct smb_work *w, u32 ctl, const u8 *fid, const u8 *out,
		    size_t out_len, u32 status)
{
	return ioctl_reply(w, ctl, fid, out, out_len, status);
}

/*
 * FSCTL_VALIDATE_NEGOTIATE_INFO: the client re-sends what it negotiated
 * under signing; any difference means a man in the middle rewrote the
 * unsigned NEGOTIATE, so the connection is dropped ([MS-SMB2] 3.3.5.15.12).
 */
static int validate_negotiate(struct smb_work *w, const u8 *fid, const u8 *in,
			      u32 in_len, u32 max_out)
{
	struct smb_conn *conn = w->conn;
	u8 out[VNEG_OUT_SIZE];
	u16 count, i;

	if (conn->dialect == SMB2_DIALECT_0311) {
		smb_warn("VALIDATE_NEGOTIATE_INFO on SMB 3.1.1: disconnecting");
		return -1;
	}
	/* An encrypted request is authenticated too ([MS-SMB2] 3.3.5.15.12). */
	if (!(w->flags & SMB2_FLAGS_SIGNED) && !w->encrypted && w->sess &&
	    !w->sess->keyless) {
		smb_warn("unsigned VALIDATE_NEGOTIATE_INFO: disconnecting");
		return -1;
	}
	if (in_len < 24 || max_out < VNEG_OUT_SIZE)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	count = smb_get_le16(in + 22);
	if (24u + 2u * count > in_len)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (smb_get_le32(in) != conn->client_caps ||
	    memcmp(in + 4, conn->client_guid, 16) ||
	    smb_get_le16(in + 20) != conn->client_security_mode ||
	    count != conn->nclient_dialects) {
		smb_warn("VALIDATE_NEGOTIATE_INFO mismatch: disconnecting");
		return -1;
	}
	for (i = 0; i < count; i++)
		if (smb_get_le16(in + 24 + 2 * i) != conn->client_dialects[i]) {
			smb_warn("VALIDATE_NEGOTIATE_INFO dialects differ");
			return -1;
		}
	smb_put_le32(out, conn->server_caps);
	memcpy(out + 4, conn->srv->cfg.server_guid, 16);
	smb_put_le16(out + 20, conn->server_security_mode);
	smb_put_le16(out + 22, conn->dialect);
	return ioctl_reply(w, FSCTL_VALIDATE_NEGOTIATE_INFO, fid, out,
			   sizeof(out), STATUS_SUCCESS);
}

static int pipe_transceive(struct smb_work *w, const u8 *fid, const u8 *in,
			   u32 in_len, u32 max_out)
{
	struct smb_open *op = smb_open_find(w, fid);
	size_t done = 0;
	u32 st;
	u8 *r;

	if (!op)
		return smb_resp_error(w, w->status);
	if (!op->pipe)
		return smb_resp_error(w, STATUS_NOT_SUPPORTED);
	if (max_out > w->conn->max_trans)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	r = smb_resp_body(w, IOCTL_RESP_FIXED + max_out);
	if (!r)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	st = smb_ipc_transceive(op, in, in_len, r + IOCTL_RESP_FIXED, max_out,
				&done);
	if (NT_STATUS_IS_ERROR(st))
		return smb_resp_error(w, st);
	/* The output is already in place: do not reallocate under it. */
	ioctl_fill(w, r, FSCTL_PIPE_TRANSCEIVE, fid, done, st);
	return 0;
}

/* SockAddr_Storage (2.2.32.5.1): Family, then SOCKADDR_IN or SOCKADDR_IN6
 * with Port, FlowInfo and ScopeId 0; the rest of the 128 bytes is zero.
 */
static bool netif_encode(const struct smb_netif *nif, u8 *e)
{
	u8 *sa = e + NETIF_SOCKADDR_OFF;

	if (!nif->if_index) /* 3.3.5.15.11: never for IfIndex 0 */
		return false;
	if (nif->family == SMB_NETIF_INET)
		memcpy(sa + 4, nif->addr, 4);
	else if (nif->family == SMB_NETIF_INET6)
		memcpy(sa + 8, nif->addr, 16);
	else
		return false;
	smb_put_le16(sa, nif->family);
	smb_put_le32(e + 4, nif->if_index);
	smb_put_le32(e + 8, nif->capability & (SMB_NETIF_RSS_CAPABLE |
					       SMB_NETIF_RDMA_CAPABLE));
	smb_put_le64(e + 16, nif->link_speed);
	return true;
}

/*
 * FSCTL_QUERY_NETWORK_INTERFACE_INFO ([MS-SMB2] 3.3.5.15.11): one entry
 * per address the platform lists.  Only for SMB 3.x; answered whether or
 * not multichannel is offered (failing then is a MAY).  The FileId is not
 * looked up (3.3.5.15).  Entries that do not fit MaxOutputResponse are left
 * out; if not even one fits, STATUS_BUFFER_TOO_SMALL.
 */
static int query_interfaces(struct smb_work *w, const u8 *fid, u32 max_out)
{
	struct smb_server *srv = w->conn->srv;
	const struct smb_netif_ops *ops = &srv->ops.netif;
	struct smb_netif *list;
	u32 fit = max_out / NETIF_ENTRY_SIZE;
	int n, i, max;
	size_t out = 0;
	u8 *r, *prev = NULL;

	if (!ops->list || w->conn->dialect < SMB2_DIALECT_0300)
		return smb_resp_error(w, STATUS_NOT_SUPPORTED);
	if (max_out > w->conn->max_trans)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	/* At least one slot, to tell "none to report" from "none fits". */
	max = (int)min_t(u32, fit ? fit : 1, NETIF_MAX_ENTRIES);
	list = smb_alloc(srv, (size_t)max * sizeof(*list));
	if (!list)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	n = ops->list(ops->ctx, list, max);
	if (n < 0 || n > max) {
		smb_free(srv, list);
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	}
	if (n > 0 && !fit) {
		smb_free(srv, list);
		return smb_resp_error(w, STATUS_BUFFER_TOO_SMALL);
	}
	r = smb_resp_body(w, IOCTL_RESP_FIXED + (size_t)n * NETIF_ENTRY_SIZE);
	if (!r) {
		smb_free(srv, list);
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	}
	for (i = 0; i < n; i++) {
		u8 *e = r + IOCTL_RESP_FIXED + out;

		memset(e, 0, NETIF_ENTRY_SIZE);
		if (!netif_encode(&list[i], e))
			continue;
		if (prev)
			smb_put_le32(prev, NETIF_ENTRY_SIZE);
		prev = e;
		out += NETIF_ENTRY_SIZE;
	}
	smb_free(srv, list);
	ioctl_fill(w, r, FSCTL_QUERY_NETWORK_INTERFACE_INFO, fid, out,
		   STATUS_SUCCESS);
	return 0;
}

int smb2_ioctl(struct smb_work *w)
{
	const u8 *b = smb_req_body(w);
	const u8 *in;
	u32 ctl, in_len, max_out;

	if (smb_req_body_len(w) < IOCTL_REQ_FIXED || smb_get_le16(b) != 57)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	ctl = smb_get_le32(b + 4);
	in_len = smb_get_le32(b + 28);
	in = smb_req_range(w, smb_get_le32(b + 24), in_len);
	max_out = smb_get_le32(b + 44);
	if (!in)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	/* A handle that is not open is reported as such first. */
	if (ctl != FSCTL_VALIDATE_NEGOTIATE_INFO &&
	    ctl != FSCTL_DFS_GET_REFERRALS && ctl != 0x000601b0u &&
	    ctl != FSCTL_QUERY_NETWORK_INTERFACE_INFO &&
	    ctl != FSCTL_PIPE_WAIT && !smb_open_find(w, b + 8))
		return smb_resp_error(w, w->status);
	if (smb_get_le32(b + 48) != SMB2_0_IOCTL_IS_FSCTL)
		return smb_resp_error(w, STATUS_NOT_SUPPORTED);
	if (in_len > w->conn->max_trans || smb_get_le32(b + 40) != 0)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	switch (ctl) {
	case FSCTL_VALIDATE_NEGOTIATE_INFO:
		return validate_negotiate(w, b + 8, in, in_len, max_out);
	case FSCTL_PIPE_TRANSCEIVE:
		return pipe_transceive(w, b + 8, in, in_len, max_out);
	case FSCTL_QUERY_NETWORK_INTERFACE_INFO:
		return query_interfaces(w, b + 8, max_out);
	case FSCTL_DFS_GET_REFERRALS:
	case 0x000601b0u: /* FSCTL_DFS_GET_REFERRALS_EX */
		/* No DFS: tell the client to use the path as it is. */
		return smb_resp_error(w, STATUS_FS_DRIVER_REQUIRED);
	default:
		return smb_fsctl(w, ctl, b + 8, in, in_len, max_out);
	}
}
