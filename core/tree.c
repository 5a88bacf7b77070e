// SPDX-License-Identifier: GPL-2.0-or-later
/* tree.c - TREE_CONNECT and TREE_DISCONNECT ([MS-SMB2] 3.3.5.7, 3.3.5.8). */
#include "async.h"
#include "internal.h"
#include "utf16.h"

struct smb_tree *smb_tree_find(struct smb_session *sess, u32 id)
{
	struct smb_list *pos, *tmp;

	if (!sess)
		return NULL;
	smb_list_for_each_safe(pos, tmp, &sess->trees) {
		struct smb_tree *t = smb_container_of(pos, struct smb_tree, link);

		if (t->id == id)
			return t;
	}
	return NULL;
}

void smb_tree_destroy(struct smb_tree *tree)
{
	struct smb_session *sess = tree->sess;
	int b;

	/* Close every open that belongs to this tree connect. */
	for (b = 0; b < SMB_OPEN_BUCKETS; b++) {
		struct smb_list *pos, *tmp;

		smb_list_for_each_safe(pos, tmp, &sess->opens[b]) {
			struct smb_open *op =
				smb_container_of(pos, struct smb_open, link);

			if (op->tree == tree)
				smb_open_destroy(op, true);
		}
	}
	smb_async_cancel_scope(sess->conn, sess, tree, STATUS_CANCELLED);
	smb_list_del(&tree->link);
	sess->ntrees--;
	smb_free(sess->conn->srv, tree);
}

static bool name_in_list(const struct smb_name_list *l, const char *user)
{
	const char *p = l->names;

	if (!p)
		return false;
	while (*p) {
		if (smb_name_equal_ci(p, user))
			return true;
		p += strlen(p) + 1;
	}
	return false;
}

static bool share_allows(const struct smb_share *sh,
			 const struct smb_session *sess)
{
	if (sess->is_guest || sess->is_anonymous) {
		/* IPC$ is reachable anonymously only for share enumeration. */
		if (sh->cfg.is_pipe)
			return true;
		if (!sh->cfg.guest_ok)
			return false;
	}
	if (name_in_list(&sh->cfg.invalid_users, sess->user.name))
		return false;
	if (sh->cfg.valid_users.names && sh->cfg.valid_users.names[0] &&
	    !name_in_list(&sh->cfg.valid_users, sess->user.name))
		return false;
	return true;
}

struct smb_share *smb_share_find(struct smb_server *srv, const char *name)
{
	int i;

	for (i = 0; i < srv->nshares; i++)
		if (smb_name_equal_ci(srv->shares[i].cfg.name, name))
			return &srv->shares[i];
	return NULL;
}

int smb2_tree_connect(struct smb_work *w)
{
	struct smb_session *sess = w->sess;
	const u8 *b = smb_req_body(w);
	char path[1024];
	const char *name;
	const u8 *p;
	struct smb_share *sh;
	struct smb_tree *tree;
	u8 *r;
	int n, i;

	if (smb_req_body_len(w) < 8 || smb_get_le16(b) != 9)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	p = smb_req_range(w, smb_get_le16(b + 4), smb_get_le16(b + 6));
	if (!p || smb_get_le16(b + 6) == 0)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	n = smb_utf16_to_utf8(p, smb_get_le16(b + 6), path, sizeof(path));
	if (n <= 0)
		return smb_resp_error(w, STATUS_BAD_NETWORK_NAME);
	/* "\\server\share": the share is what follows the last backslash. */
	name = path;
	for (i = 0; i < n; i++)
		if (path[i] == '\\')
			name = path + i + 1;
	if (name == path || !*name)
		return smb_resp_error(w, STATUS_BAD_NETWORK_NAME);
	sh = smb_share_find(w->conn->srv, name);
	if (!sh)
		return smb_resp_error(w, STATUS_BAD_NETWORK_NAME);
	if (!share_allows(sh, sess)) {
		smb_info("user '%s' refused on share [%s]", sess->user.name,
			 sh->cfg.name);
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	}
	/* A share that requires encryption refuses a client or session that
	 * cannot encrypt: no cipher, or no key (guest, anonymous) ([MS-SMB2]
	 * 3.3.5.7, RejectUnencryptedAccess). */
	if (sh->encrypt_data && (!w->conn->cipher || !sess->cipher_key_len))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (sess->ntrees >= SMB_MAX_TREES_PER_SESSION)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	tree = smb_alloc(w->conn->srv, sizeof(*tree));
	if (!tree)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	sess->ntrees++;
	tree->sess = sess;
	tree->share = sh;
	tree->id = ++sess->next_tree_id;
	tree->read_only = sh->cfg.read_only;
	tree->maximal_access = tree->read_only ?
				       FILE_GENERIC_READ | FILE_GENERIC_EXECUTE :
				       FILE_ALL_ACCESS;
	smb_list_add_tail(&tree->link, &sess->trees);
	w->tree_id = tree->id;
	w->tree = tree;

	r = smb_resp_body(w, 16);
	if (!r)
		return -1;
	smb_put_le16(r, 16);
	r[2] = sh->cfg.is_pipe ? SMB2_SHARE_TYPE_PIPE : SMB2_SHARE_TYPE_DISK;
	smb_put_le32(r + 4, (sh->cfg.is_pipe ? SMB2_SHAREFLAG_NO_CACHING :
					       SMB2_SHAREFLAG_MANUAL_CACHING) |
				    (sh->encrypt_data && w->conn->cipher ?
					     SMB2_SHAREFLAG_ENCRYPT_DATA :
					     0));
	smb_put_le32(r + 8, 0);
	smb_put_le32(r + 12, tree->maximal_access);
	return 0;
}

int smb2_tree_disconnect(struct smb_work *w)
{
	u8 *r;

	if (smb_req_body_len(w) < 4 || smb_get_le16(smb_req_body(w)) != 4)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	smb_tree_destroy(w->tree);
	w->tree = NULL;
	r = smb_resp_body(w, 4);
	if (!r)
		return -1;
	smb_put_le16(r, 4);
	return 0;
}
