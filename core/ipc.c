// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipc.c - named pipes on IPC$: binds an SMB2 open to a DCE/RPC endpoint
 * (rpc.c) and answers the endpoint's questions about this server's shares.
 */
#include "internal.h"
#include "rpc.h"

static bool enumerable(const struct smb_share *sh)
{
	return sh->cfg.is_pipe || sh->cfg.browseable;
}

static void fill_info(const struct smb_share *sh,
		      struct smb_rpc_share_info *out)
{
	memset(out, 0, sizeof(*out));
	out->name = sh->cfg.name;
	out->comment = sh->cfg.comment;
	out->type = sh->cfg.is_pipe ? (STYPE_IPC | STYPE_SPECIAL) :
				      STYPE_DISKTREE;
	/* Windows shows a drive path at level 2; we show the share's path. */
	out->path = sh->cfg.is_pipe ? "" : sh->cfg.path;
	out->max_uses = 0xffffffffu;
}

static int prov_share_count(void *ctx)
{
	struct smb_server *srv = ctx;
	int i, n = 0;

	for (i = 0; i < srv->nshares; i++)
		if (enumerable(&srv->shares[i]))
			n++;
	return n;
}

static int prov_share_get(void *ctx, int index,
			  struct smb_rpc_share_info *out)
{
	struct smb_server *srv = ctx;
	int i;

	for (i = 0; i < srv->nshares; i++) {
		if (!enumerable(&srv->shares[i]))
			continue;
		if (index-- == 0) {
			fill_info(&srv->shares[i], out);
			return 0;
		}
	}
	return -1;
}

static int prov_share_find(void *ctx, const char *name,
			   struct smb_rpc_share_info *out)
{
	struct smb_share *sh = smb_share_find(ctx, name);

	if (!sh)
		return -1;
	fill_info(sh, out);
	return 0;
}

static void prov_server_info(void *ctx, struct smb_rpc_server_info *out)
{
	struct smb_server *srv = ctx;

	memset(out, 0, sizeof(*out));
	out->netbios_name = srv->cfg.netbios_name;
	out->domain = srv->cfg.workgroup;
	out->comment = srv->cfg.server_string;
	out->version_major = 10;
	out->version_minor = 0;
	/* SV_TYPE_WORKSTATION | SV_TYPE_SERVER | SV_TYPE_SERVER_NT */
	out->server_type = 0x00000001u | 0x00000002u | 0x00008000u;
}

u32 smb_ipc_open(struct smb_work *w, const char *name, struct smb_open *op)
{
	struct smb_server *srv = w->conn->srv;
	struct smb_rpc_provider prov = {
		.share_count = prov_share_count,
		.share_get = prov_share_get,
		.share_find = prov_share_find,
		.server_info = prov_server_info,
		.ctx = srv,
	};

	if (!smb_rpc_pipe_supported(name))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	op->pipe = smb_rpc_pipe_open(&srv->ops.mem, name, &prov);
	if (!op->pipe)
		return STATUS_INSUFFICIENT_RESOURCES;
	return smb_open_set_path(op, name);
}

void smb_ipc_close(struct smb_open *op)
{
	smb_rpc_pipe_close(op->pipe);
	op->pipe = NULL;
}

u32 smb_ipc_read(struct smb_open *op, u8 *buf, size_t len, size_t *done)
{
	return smb_rpc_pipe_read(op->pipe, buf, len, done);
}

u32 smb_ipc_write(struct smb_open *op, const u8 *buf, size_t len)
{
	return smb_rpc_pipe_write(op->pipe, buf, len);
}

u32 smb_ipc_transceive(struct smb_open *op, const u8 *in, size_t in_len,
		       u8 *out, size_t out_size, size_t *out_len)
{
	return smb_rpc_pipe_transceive(op->pipe, in, in_len, out, out_size,
				       out_len);
}
