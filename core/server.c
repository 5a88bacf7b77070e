// SPDX-License-Identifier: GPL-2.0-or-later
/* server.c - the server object: configuration, shares and shared tables. */
#include "durable.h"
#include "internal.h"
#include "oplock.h"

void *smb_alloc(struct smb_server *srv, size_t size)
{
	return srv->ops.mem.alloc(size, srv->ops.mem.ctx);
}

void *smb_alloc_uninit(struct smb_server *srv, size_t size)
{
	if (!srv->ops.mem.alloc_uninit)
		return smb_alloc(srv, size);
	return srv->ops.mem.alloc_uninit(size, srv->ops.mem.ctx);
}

void smb_free(struct smb_server *srv, void *p)
{
	if (p)
		srv->ops.mem.free(p, srv->ops.mem.ctx);
}

u64 smb_now(struct smb_server *srv)
{
	return srv->ops.clock.now_nt(srv->ops.clock.ctx);
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static char *dup_name_list(struct smb_server *srv, const char *names)
{
	size_t n = 0;
	char *copy;

	if (!names)
		return NULL;
	/* A list ends with an empty name ("a\0b\0\0"). */
	while (names[n] || names[n + 1])
		n++;
	copy = smb_alloc(srv, n + 2);
	if (copy)
		memcpy(copy, names, n + 2);
	return copy;
}

void smb_server_free(struct smb_server *srv)
{
	int i;

	if (!srv)
		return;
	smb_durable_server_free(srv); /* closes what was kept */
	for (i = 0; i < srv->nshares; i++) {
		struct smb_share *sh = &srv->shares[i];

		if (sh->root)
			srv->ops.vfs->share_close(sh->root);
		smb_free(srv, sh->cfg.valid_users.names);
		smb_free(srv, sh->cfg.invalid_users.names);
	}
	smb_free(srv, srv->shares);
	smb_oplock_server_free(srv);
	if (srv->lock)
		smb_mutex_free(srv->lock);
	if (srv->timer_lock)
		smb_mutex_free(srv->timer_lock);
	if (srv->chan_lock)
		smb_mutex_free(srv->chan_lock);
	smb_free(srv, srv);
}

struct smb_server *smb_server_new(const struct smb_server_ops *ops,
				  const struct smb_server_config *cfg)
{
	struct smb_server *srv;
	int i;

	if (!ops || !cfg || !ops->mem.alloc || !ops->crypto || !ops->vfs ||
	    cfg->nshares < 0 || cfg->nshares > 10000)
		return NULL;
	srv = ops->mem.alloc(sizeof(*srv), ops->mem.ctx);
	if (!srv)
		return NULL;
	srv->ops = *ops;
	srv->cfg = *cfg;
	srv->cfg.shares = NULL;
	smb_list_init(&srv->file_nodes);
	smb_list_init(&srv->sessions);
	srv->lock = smb_mutex_new();
	srv->timer_lock = smb_mutex_new();
	srv->chan_lock = smb_mutex_new();
	smb_list_init(&srv->timers);
	srv->next_session_id = 1;
	srv->next_persistent_id = 1;
	srv->start_time = smb_now(srv);
	srv->shares = smb_alloc(srv, sizeof(*srv->shares) *
					     ((size_t)cfg->nshares + 1));
	if (!srv->lock || !srv->timer_lock || !srv->chan_lock || !srv->shares ||
	    smb_oplock_server_init(srv))
		goto fail;
	for (i = 0; i < cfg->nshares; i++) {
		struct smb_share *sh = &srv->shares[srv->nshares];
		u32 st;

		sh->cfg = cfg->shares[i];
		sh->cfg.valid_users.names = NULL;
		sh->cfg.invalid_users.names = NULL;
		srv->nshares++;
		if (cfg->shares[i].is_pipe)
			continue;
		sh->cfg.valid_users.names =
			dup_name_list(srv, cfg->shares[i].valid_users.names);
		sh->cfg.invalid_users.names =
			dup_name_list(srv, cfg->shares[i].invalid_users.names);
		st = srv->ops.vfs->share_open(srv->ops.vfs->ctx, sh->cfg.path,
					      &sh->root);
		if (st) {
			smb_err("share [%s]: cannot open path '%s' (status 0x%x)",
				sh->cfg.name, sh->cfg.path, st);
			goto fail;
		}
	}
	/* IPC$ always exists, for DCE/RPC (share enumeration). */
	copy_str(srv->shares[srv->nshares].cfg.name, SMB_NAME_MAX, "IPC$");
	copy_str(srv->shares[srv->nshares].cfg.comment, SMB_NAME_MAX,
		 "IPC Service");
	srv->shares[srv->nshares].cfg.is_pipe = true;
	srv->shares[srv->nshares].cfg.read_only = false;
	srv->shares[srv->nshares].cfg.guest_ok = false;
	srv->nshares++;
	if (smb_durable_server_init(srv))
		goto fail;
	return srv;
fail:
	smb_server_free(srv);
	return NULL;
}
