// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * open.c - the open-handle table of a session, and the server-wide file
 * nodes that carry per-file state shared by all handles: share modes and
 * delete-pending.
 */
#include "durable.h"
#include "internal.h"
#include "lock.h"
#include "notify.h"
#include "oplock.h"
#include "stream.h"

#define DATA_ACCESS (FILE_READ_DATA | FILE_EXECUTE | FILE_WRITE_DATA | \
		     FILE_APPEND_DATA | DELETE)

static u32 bucket_of(u64 vid)
{
	return (u32)(vid % SMB_OPEN_BUCKETS);
}

struct smb_open *smb_open_find(struct smb_work *w, const u8 *file_id)
{
	u64 pid = smb_get_le64(file_id), vid = smb_get_le64(file_id + 8);
	struct smb_list *pos, *tmp;

	/*
	 * [MS-SMB2] 3.3.5.2.7.2: a related request after a failure, with no
	 * handle established in its chain, fails the same way (as Windows
	 * does even when it names a handle: smbtorture compound.related9).
	 */
	if ((w->flags & SMB2_FLAGS_RELATED_OPERATIONS) &&
	    !w->related_fid_valid && NT_STATUS_IS_ERROR(w->related_status)) {
		w->status = w->related_status;
		return NULL;
	}
	if (pid == U64_MAX && vid == U64_MAX &&
	    (w->flags & SMB2_FLAGS_RELATED_OPERATIONS)) {
		if (!w->related_fid_valid) {
			/* Inherit the failure of the request that should have opened it. */
			w->status = NT_STATUS_IS_ERROR(w->related_status) ?
					    w->related_status :
					    STATUS_INVALID_PARAMETER;
			return NULL;
		}
		pid = w->related_pid;
		vid = w->related_vid;
	}
	w->status = STATUS_FILE_CLOSED;
	if (!w->sess)
		return NULL;
	/* A resumed CREATE may add to the table meanwhile (conn.c). */
	smb_mutex_lock(w->conn->srv->lock);
	smb_list_for_each_safe(pos, tmp, &w->sess->opens[bucket_of(vid)]) {
		struct smb_open *op =
			smb_container_of(pos, struct smb_open, link);

		if (op->volatile_id == vid && op->persistent_id == pid &&
		    op->tree == w->tree) {
			w->status = STATUS_SUCCESS;
			w->related_pid = pid;
			w->related_vid = vid;
			w->related_fid_valid = true;
			smb_mutex_unlock(w->conn->srv->lock);
			return op;
		}
	}
	smb_mutex_unlock(w->conn->srv->lock);
	return NULL;
}

void smb_open_table_add(struct smb_session *sess, struct smb_open *op)
{
	struct smb_server *srv = sess->conn->srv;

	smb_mutex_lock(srv->lock);
	op->volatile_id = sess->next_volatile_id++;
	smb_list_add_tail(&op->link, &sess->opens[bucket_of(op->volatile_id)]);
	sess->nopens++;
	smb_mutex_unlock(srv->lock);
}

void smb_open_table_del(struct smb_session *sess, struct smb_open *op)
{
	struct smb_server *srv = sess->conn->srv;

	smb_mutex_lock(srv->lock);
	smb_list_del(&op->link);
	sess->nopens--;
	smb_mutex_unlock(srv->lock);
}

/*
 * Would an open with (access, share) of stream (NULL: the file's unnamed
 * stream) conflict with the existing open o?  Share modes are per stream,
 * except that DELETE on the file needs every stream open to share delete.
 */
bool smb_open_share_conflicts(const struct smb_open *o, u32 access, u32 share,
			      const char *stream)
{
	if (!(access & DATA_ACCESS) || !(o->access & DATA_ACCESS))
		return false;
	if (!smb_stream_same(o->stream, stream))
		return !stream && (access & DELETE) && o->stream &&
		       !(o->share_access & FILE_SHARE_DELETE);
	return ((o->access & (FILE_READ_DATA | FILE_EXECUTE)) &&
		!(share & FILE_SHARE_READ)) ||
	       ((o->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) &&
		!(share & FILE_SHARE_WRITE)) ||
	       ((o->access & DELETE) && !(share & FILE_SHARE_DELETE)) ||
	       ((access & (FILE_READ_DATA | FILE_EXECUTE)) &&
		!(o->share_access & FILE_SHARE_READ)) ||
	       ((access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) &&
		!(o->share_access & FILE_SHARE_WRITE)) ||
	       ((access & DELETE) && !(o->share_access & FILE_SHARE_DELETE));
}

static bool share_conflict(const struct smb_file_node *node, u32 access,
			   u32 share, const char *stream)
{
	const struct smb_list *pos;

	for (pos = node->opens.next; pos != &node->opens; pos = pos->next)
		if (smb_open_share_conflicts(
			    smb_container_of(pos, struct smb_open, node_link),
			    access, share, stream))
			return true;
	return false;
}

struct smb_file_node *smb_file_node_find(struct smb_server *srv, u64 dev,
					 u64 ino)
{
	struct smb_list *pos;

	for (pos = srv->file_nodes.next; pos != &srv->file_nodes;
	     pos = pos->next) {
		struct smb_file_node *n =
			smb_container_of(pos, struct smb_file_node, link);

		if (n->dev == dev && n->ino == ino)
			return n;
	}
	return NULL;
}

u32 smb_open_attach_node(struct smb_open *op, const struct smb_stat *st)
{
	struct smb_server *srv = op->tree->sess->conn->srv;
	struct smb_file_node *node;
	u32 status = STATUS_SUCCESS;

	smb_mutex_lock(srv->lock);
	node = smb_file_node_find(srv, st->dev, st->ino);
	if (node) {
		if (node->delete_pending)
			status = STATUS_DELETE_PENDING;
		else if (share_conflict(node, op->access, op->share_access,
					op->stream))
			status = STATUS_SHARING_VIOLATION;
	} else {
		node = smb_alloc(srv, sizeof(*node));
		if (!node) {
			status = STATUS_INSUFFICIENT_RESOURCES;
		} else {
			node->dev = st->dev;
			node->ino = st->ino;
			smb_list_init(&node->opens);
			smb_list_init(&node->locks);
			smb_list_init(&node->lock_waiters);
			smb_list_init(&node->oplock_waiters);
			smb_list_add_tail(&node->link, &srv->file_nodes);
		}
	}
	if (status == STATUS_SUCCESS) {
		smb_list_add_tail(&op->node_link, &node->opens);
		node->nopens++;
		op->node = node;
	}
	smb_mutex_unlock(srv->lock);
	return status;
}

void smb_open_insert(struct smb_session *sess, struct smb_open *op)
{
	struct smb_server *srv = sess->conn->srv;

	smb_mutex_lock(srv->lock);
	op->persistent_id = srv->next_persistent_id++;
	smb_mutex_unlock(srv->lock);
	smb_open_table_add(sess, op);
}

/* Detach from the file node; returns true when the file must be deleted now. */
static bool detach_node(struct smb_open *op)
{
	struct smb_server *srv = op->tree->sess->conn->srv;
	struct smb_file_node *node = op->node;
	bool delete_now = false;
	struct smb_list deleting;

	if (!node)
		return false;
	smb_list_init(&deleting);
	smb_mutex_lock(srv->lock);
	smb_oplock_open_closing(op);
	if (op->delete_on_close && !op->stream)
		node->delete_pending = true; /* a stream's goes with it alone */
	smb_list_del(&op->node_link);
	if (--node->nopens == 0) {
		delete_now = node->delete_pending;
		smb_list_del(&node->link);
		smb_free(srv, node);
	} else if (node->delete_pending && op->is_dir) {
		/* Watches of a directory about to go end now. */
		smb_notify_node_deleting(node, &deleting);
	}
	smb_mutex_unlock(srv->lock);
	smb_notify_answer_deleting(&deleting);
	op->node = NULL;
	return delete_now;
}

void smb_open_destroy(struct smb_open *op, bool process_delete)
{
	struct smb_session *sess = op->tree->sess;
	struct smb_server *srv = sess->conn->srv;
	const struct smb_vfs_ops *vfs = srv->ops.vfs;
	bool delete_now;

	smb_lock_open_closing(op);
	smb_notify_open_closing(op);
	/* A named stream marked delete-on-close goes when its handle does. */
	if (process_delete && op->stream && op->delete_on_close && op->file &&
	    vfs->stream_remove)
		vfs->stream_remove(op->file, op->stream);
	delete_now = detach_node(op);
	if (op->pipe)
		smb_ipc_close(op);
	if (op->file)
		vfs->close(op->file);
	op->file = NULL;
	if (delete_now && process_delete && op->tree->share->root) {
		u32 st = op->is_dir ? vfs->rmdir(op->tree->share->root, op->path) :
				      vfs->unlink(op->tree->share->root,
						  op->path);

		if (st)
			smb_info("delete on close of '%s' failed: 0x%x",
				 op->path, st);
	}
	smb_durable_forget(op);
	/* A disconnected durable open is in no session's table. */
	if (!smb_list_empty(&op->link))
		smb_open_table_del(sess, op);
	smb_free(srv, op->dir);
	smb_free(srv, op->path);
	smb_free(srv, op->stream);
	smb_free(srv, op);
}

/* Mark or clear delete-pending from FileDispositionInformation. */
void smb_open_set_delete_pending(struct smb_open *op, bool pending)
{
	struct smb_server *srv = op->tree->sess->conn->srv;

	op->delete_on_close = pending;
	if (!op->node || op->stream)
		return;
	smb_mutex_lock(srv->lock);
	op->node->delete_pending = pending;
	smb_mutex_unlock(srv->lock);
}

bool smb_open_delete_pending(struct smb_open *op)
{
	struct smb_server *srv = op->tree->sess->conn->srv;
	bool p;

	if (!op->node)
		return op->delete_on_close;
	smb_mutex_lock(srv->lock);
	p = op->node->delete_pending;
	smb_mutex_unlock(srv->lock);
	return p || op->delete_on_close;
}

/*
 * Renaming needs every other handle on the file to share delete access,
 * as deleting does ([MS-FSA] 2.1.5.14.11).
 */
static bool other_open_of_file(struct smb_open *op,
			       bool (*match)(const struct smb_open *o))
{
	struct smb_server *srv = op->tree->sess->conn->srv;
	const struct smb_list *pos;
	bool found = false;

	if (!op->node)
		return false;
	smb_mutex_lock(srv->lock);
	for (pos = op->node->opens.next; pos != &op->node->opens;
	     pos = pos->next) {
		const struct smb_open *o =
			smb_container_of(pos, struct smb_open, node_link);

		if (o != op && match(o))
			found = true;
	}
	smb_mutex_unlock(srv->lock);
	return found;
}

static bool denies_delete(const struct smb_open *o)
{
	return !(o->share_access & FILE_SHARE_DELETE);
}

bool smb_open_others_deny_delete(struct smb_open *op)
{
	return other_open_of_file(op, denies_delete);
}

static bool is_stream_open(const struct smb_open *o)
{
	return o->stream != NULL;
}

/* Does any open of a named stream of op's file exist (besides op)? */
bool smb_stream_opens_exist(struct smb_open *op)
{
	return other_open_of_file(op, is_stream_open);
}


/*
 * Does any open on the server other than op, on op's share, satisfy
 * match()?  Opens of every session and connection are visited, under the
 * server lock that also guards their paths.
 */
static bool any_other_open(struct smb_open *op,
			   bool (*match)(const struct smb_open *o,
					 const void *arg),
			   const void *arg)
{
	struct smb_server *srv = op->tree->sess->conn->srv;
	const struct smb_list *n, *pos;
	bool found = false;

	smb_mutex_lock(srv->lock);
	for (n = srv->file_nodes.next; n != &srv->file_nodes && !found;
	     n = n->next) {
		const struct smb_file_node *node =
			smb_container_of(n, struct smb_file_node, link);

		for (pos = node->opens.next; pos != &node->opens;
		     pos = pos->next) {
			const struct smb_open *o = smb_container_of(
				pos, struct smb_open, node_link);

			if (o != op && o->tree->share == op->tree->share &&
			    match(o, arg)) {
				found = true;
				break;
			}
		}
	}
	smb_mutex_unlock(srv->lock);
	return found;
}

static bool is_below(const struct smb_open *o, const void *arg)
{
	const char *dir = arg;
	size_t len = strlen(dir);

	/* o->path is sized exactly: compare no further than its end. */
	return strlen(o->path) > len && !memcmp(o->path, dir, len) &&
	       o->path[len] == '/';
}

/* Is any file below the directory op open (by anyone, on this share)? */
bool smb_open_has_children_open(struct smb_open *op)
{
	return any_other_open(op, is_below, op->path);
}

struct parent_ref {
	const char *path;
	size_t len;
};

/* An open of the parent that holds DELETE or does not share delete. */
static bool blocks_rename(const struct smb_open *o, const void *arg)
{
	const struct parent_ref *parent = arg;

	/* Attribute-only opens take no part, as in share modes. */
	if (!o->is_dir || !(o->access & DATA_ACCESS) ||
	    strlen(o->path) != parent->len ||
	    memcmp(o->path, parent->path, parent->len))
		return false;
	return (o->access & DELETE) || !(o->share_access & FILE_SHARE_DELETE);
}

/*
 * Windows renames through the parent directory: an open of that directory
 * that holds DELETE access, or that does not share delete, makes a rename
 * of one of its entries a sharing violation.  parent has parent_len bytes.
 */
bool smb_open_parent_blocks_rename(struct smb_open *op, const char *parent,
				   size_t parent_len)
{
	struct parent_ref ref = { parent, parent_len };

	return any_other_open(op, blocks_rename, &ref);
}

u32 smb_open_set_path(struct smb_open *op, const char *path)
{
	struct smb_server *srv = op->tree->sess->conn->srv;
	size_t n = strlen(path) + 1;
	char *copy = smb_alloc(srv, n), *old;

	if (!copy)
		return STATUS_INSUFFICIENT_RESOURCES;
	memcpy(copy, path, n);
	/* Other connections read paths under this lock (open children). */
	smb_mutex_lock(srv->lock);
	old = op->path;
	op->path = copy;
	smb_mutex_unlock(srv->lock);
	smb_free(srv, old);
	return STATUS_SUCCESS;
}

