// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * notify.c - SMB2 CHANGE_NOTIFY ([MS-SMB2] 3.3.5.19, [MS-FSCC] 2.4.42).
 *
 * The first request on a directory open starts a backend watch (the VFS's
 * watch_add), which lives until the open closes.  Changes that pass the
 * CompletionFilter are kept as FILE_NOTIFY_INFORMATION records in a buffer
 * of the open, bounded by the first request's OutputBufferLength (and
 * SMB_NOTIFY_BUFFER_MAX): as Windows, the first request fixes the
 * handle's buffer size, CompletionFilter and WATCH_TREE; past
 * it the open only remembers that changes were lost, answered with
 * STATUS_NOTIFY_ENUM_DIR, as is a request whose own output cannot hold
 * what is buffered (what smbtorture's smb2.notify.valid-req checks).  A request finds either
 * buffered changes (answered at once) or none: it goes async and the next
 * change completes it, from the backend's thread.
 *
 * Locking and lifetime.  n->lock guards the buffer and the waiter list;
 * it is taken by the backend's callback and by the connection's thread,
 * and nothing else is taken under it.  A waiter is completed by whoever
 * wins smb_async_claim(): the callback, or the connection's thread
 * (CANCEL, close, tree disconnect, logoff, connection loss), which first
 * unlinks it in notify_cancel().  smb_notify_open_closing() removes the
 * watch first (watch_remove waits for a running callback), so the open's
 * state is freed with no other thread inside it.
 */
#include "notify.h"
#include "async.h"
#include "utf16.h"

#define NOTIFY_REQ_SIZE 32 /* [MS-SMB2] 2.2.35 */
#define NOTIFY_RESP_FIXED 8 /* 2.2.36 up to the Buffer */
#define NOTIFY_RESP_STRUCT 9
#define NOTIFY_OUT_OFFSET (SMB2_HDR_SIZE + NOTIFY_RESP_FIXED)
#define FNI_FIXED 12 /* FILE_NOTIFY_INFORMATION before FileName */
#define NOTIFY_FILTER_VALID 0x00000fffu
#define NOTIFY_FIRST_CAP 1024u
/* Records start on 4-byte boundaries ([MS-FSCC] 2.4.42). */
#define FNI_ALIGN(x) (((x) + 3u) & ~3u)

struct smb_notify {
	struct smb_server *srv;
	struct smb_mutex *lock; /* everything below */
	struct smb_vfs_watch *watch;
	u32 filter;
	u32 limit; /* record bytes kept at most */
	struct smb_list waiters; /* struct notify_waiter.link, oldest first */
	/* NOTIFY_RESP_FIXED bytes for the response body, then the records. */
	u8 *buf;
	u32 cap; /* record bytes buf can hold */
	u32 used; /* end of the last record, unpadded; 0: none */
	u32 last; /* offset of the last record */
	bool overflow; /* changes were lost since the last answer */
};

/* A pending CHANGE_NOTIFY (the private part of its async request). */
struct notify_waiter {
	struct smb_list link; /* in n->waiters while queued */
	struct smb_async *async;
	struct smb_notify *n;
	u32 out_len;
	bool queued;
};

/* The body of an answer without records. */
static const u8 empty_body[NOTIFY_RESP_STRUCT] = { NOTIFY_RESP_STRUCT, 0,
						   NOTIFY_OUT_OFFSET };

/* What a request takes from the buffer. */
struct notify_answer {
	u32 status;
	u8 *body; /* NULL: empty_body */
	size_t body_len;
};

static void put_body_header(u8 *b, u32 out_len)
{
	smb_put_le16(b, NOTIFY_RESP_STRUCT);
	smb_put_le16(b + 2, NOTIFY_OUT_OFFSET);
	smb_put_le32(b + 4, out_len);
}

/*
 * Take what is buffered for a request of out_len bytes (n->lock held).
 * False when nothing is; else the buffer moves to *ans.
 */
static bool take_pending(struct smb_notify *n, u32 out_len,
			 struct notify_answer *ans)
{
	if (!n->overflow && !n->used)
		return false;
	ans->body = NULL;
	ans->body_len = sizeof(empty_body);
	ans->status = STATUS_NOTIFY_ENUM_DIR;
	if (!n->overflow && n->used <= out_len) {
		ans->status = STATUS_SUCCESS;
		ans->body = n->buf;
		ans->body_len = NOTIFY_RESP_FIXED + n->used;
		put_body_header(n->buf, n->used);
		n->buf = NULL;
		n->cap = 0;
	}
	n->used = 0;
	n->overflow = false;
	return true;
}

static void answer_async(struct smb_server *srv, struct smb_async *a,
			 struct notify_answer *ans)
{
	smb_async_complete(a, ans->status, ans->body ? ans->body : empty_body,
			   ans->body_len);
	smb_free(srv, ans->body);
}

/* Room for record bytes up to end (n->lock held). */
static bool reserve(struct smb_notify *n, u32 end)
{
	u32 cap = n->cap ? n->cap : NOTIFY_FIRST_CAP;
	u8 *nb;

	if (end <= n->cap)
		return true;
	while (cap < end)
		cap *= 2;
	if (cap > n->limit)
		cap = n->limit;
	nb = smb_alloc(n->srv, NOTIFY_RESP_FIXED + cap);
	if (!nb)
		return false;
	if (n->buf) {
		memcpy(nb, n->buf, NOTIFY_RESP_FIXED + n->used);
		smb_free(n->srv, n->buf);
	}
	n->buf = nb;
	n->cap = cap;
	return true;
}

static void lose_changes(struct smb_notify *n)
{
	n->overflow = true;
	n->used = 0;
}

/* Append one FILE_NOTIFY_INFORMATION record (n->lock held). */
static void add_record(struct smb_notify *n, u32 action, const char *name)
{
	int name_len = smb_utf8_utf16_len(name);
	u32 start = n->used ? FNI_ALIGN(n->used) : 0, end, i;
	u8 *rec, *prev;

	if (n->overflow)
		return;
	if (name_len <= 0 || (u32)name_len > n->limit) {
		lose_changes(n);
		return;
	}
	end = start + FNI_FIXED + (u32)name_len;
	if (end > n->limit || !reserve(n, end)) {
		lose_changes(n);
		return;
	}
	rec = n->buf + NOTIFY_RESP_FIXED + start;
	smb_put_le32(rec, 0);
	smb_put_le32(rec + 4, action);
	smb_put_le32(rec + 8, (u32)name_len);
	smb_utf8_to_utf16(name, rec + FNI_FIXED, (size_t)name_len);
	for (i = 0; i < (u32)name_len; i += 2)
		if (smb_get_le16(rec + FNI_FIXED + i) == '/')
			smb_put_le16(rec + FNI_FIXED + i, '\\');
	if (n->used) {
		prev = n->buf + NOTIFY_RESP_FIXED + n->last;
		/* A repeat of the last change (say, many writes) adds nothing. */
		if (n->used - n->last == end - start &&
		    !memcmp(prev + 4, rec + 4, end - start - 4))
			return;
		memset(n->buf + NOTIFY_RESP_FIXED + n->used, 0,
		       start - n->used);
		smb_put_le32(prev, start - n->last);
	}
	n->last = start;
	n->used = end;
}

/* The oldest waiter we win, unlinked (n->lock held); NULL if none. */
static struct notify_waiter *claim_waiter(struct smb_notify *n)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, &n->waiters)
	{
		struct notify_waiter *nw =
			smb_container_of(pos, struct notify_waiter, link);

		/* One we lose is being cancelled: notify_cancel unlinks it. */
		if (!smb_async_claim(nw->async))
			continue;
		smb_list_del(&nw->link);
		nw->queued = false;
		return nw;
	}
	return NULL;
}

/* The backend's callback: any thread. */
static void notify_changed(void *arg, u32 action, u32 changes, const char *name)
{
	struct smb_notify *n = arg;
	struct notify_waiter *nw = NULL;
	struct notify_answer ans;

	smb_mutex_lock(n->lock);
	if (action == 0)
		lose_changes(n);
	else if (changes & n->filter & NOTIFY_FILTER_VALID)
		add_record(n, action, name ? name : "");
	/* Answer once a batch is complete, with all of it. */
	if (!(changes & SMB_VFS_CHANGE_MORE) && (n->used || n->overflow)) {
		nw = claim_waiter(n);
		if (nw)
			take_pending(n, nw->out_len, &ans);
	}
	smb_mutex_unlock(n->lock);
	if (nw)
		answer_async(n->srv, nw->async, &ans);
}

/* ---- async request ops -------------------------------------------------- */

static void notify_start(struct smb_async *a)
{
	struct notify_waiter *nw = a->priv;
	struct smb_notify *n = nw->n;
	struct notify_answer ans;
	bool answer = false;

	smb_mutex_lock(n->lock);
	/* A change may have come while the interim response went out. */
	if (take_pending(n, nw->out_len, &ans)) {
		if (smb_async_claim(a))
			answer = true;
		else
			smb_free(n->srv, ans.body);
	} else {
		smb_list_add_tail(&nw->link, &n->waiters);
		nw->queued = true;
	}
	smb_mutex_unlock(n->lock);
	if (answer)
		answer_async(n->srv, a, &ans);
}

static void notify_cancel(struct smb_async *a)
{
	struct notify_waiter *nw = a->priv;
	struct smb_notify *n = nw->n;

	smb_mutex_lock(n->lock);
	if (nw->queued) {
		smb_list_del(&nw->link);
		nw->queued = false;
	}
	smb_mutex_unlock(n->lock);
}

static void notify_release(struct smb_async *a)
{
	smb_free(a->conn->srv, a->priv);
}

static const struct smb_async_ops notify_async_ops = {
	.start = notify_start,
	.cancel = notify_cancel,
	.release = notify_release,
};

/* ---- per-open state ----------------------------------------------------- */

static void notify_free(struct smb_notify *n)
{
	if (n->lock)
		smb_mutex_free(n->lock);
	smb_free(n->srv, n->buf);
	smb_free(n->srv, n);
}

static u32 notify_attach(struct smb_work *w, struct smb_open *op, bool tree,
			 u32 filter, u32 limit)
{
	struct smb_server *srv = w->conn->srv;
	const struct smb_vfs_ops *vfs = srv->ops.vfs;
	struct smb_notify *n;
	u32 st;

	if (op->notify)
		return STATUS_SUCCESS;
	if (!vfs->watch_add || !vfs->watch_remove)
		return STATUS_NOT_SUPPORTED;
	n = smb_alloc(srv, sizeof(*n));
	if (!n)
		return STATUS_INSUFFICIENT_RESOURCES;
	n->srv = srv;
	smb_list_init(&n->waiters);
	n->lock = smb_mutex_new();
	if (!n->lock) {
		notify_free(n);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	/* Published before the watch starts: the callback reads them. */
	n->filter = filter;
	n->limit = limit;
	st = vfs->watch_add(op->file, tree, notify_changed, n, &n->watch);
	if (st) {
		notify_free(n);
		return st;
	}
	op->notify = n;
	return STATUS_SUCCESS;
}

/* Move every waiter of n we win to out (n->lock held). */
static void take_waiters(struct smb_notify *n, struct smb_list *out)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, &n->waiters)
	{
		struct notify_waiter *nw =
			smb_container_of(pos, struct notify_waiter, link);

		smb_list_del(&nw->link);
		nw->queued = false;
		if (smb_async_claim(nw->async))
			smb_list_add_tail(&nw->link, out);
	}
}

static void answer_waiters(struct smb_list *list, u32 status)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, list)
	{
		struct notify_waiter *nw =
			smb_container_of(pos, struct notify_waiter, link);

		smb_list_del(&nw->link);
		smb_async_complete(nw->async, status, empty_body,
				   sizeof(empty_body));
	}
}

void smb_notify_node_deleting(struct smb_file_node *node, struct smb_list *out)
{
	struct smb_list *pos;

	for (pos = node->opens.next; pos != &node->opens; pos = pos->next) {
		struct smb_open *op =
			smb_container_of(pos, struct smb_open, node_link);
		struct smb_notify *n = op->notify;

		if (!n)
			continue;
		smb_mutex_lock(n->lock);
		take_waiters(n, out);
		smb_mutex_unlock(n->lock);
	}
}

void smb_notify_answer_deleting(struct smb_list *list)
{
	answer_waiters(list, STATUS_DELETE_PENDING);
}

void smb_notify_open_closing(struct smb_open *op)
{
	struct smb_notify *n = op->notify;
	struct smb_server *srv;
	struct smb_list taken;

	if (!n)
		return;
	srv = n->srv;
	/* Other threads find op->notify through the file node. */
	smb_mutex_lock(srv->lock);
	op->notify = NULL;
	smb_mutex_unlock(srv->lock);
	/* After this no callback runs or will run. */
	srv->ops.vfs->watch_remove(n->watch);
	smb_list_init(&taken);
	smb_mutex_lock(n->lock);
	take_waiters(n, &taken);
	smb_mutex_unlock(n->lock);
	/* [MS-SMB2] 3.3.5.10: the handle's requests end this way. */
	answer_waiters(&taken, STATUS_NOTIFY_CLEANUP);
	notify_free(n);
}

/* ---- SMB2 CHANGE_NOTIFY ------------------------------------------------- */

static int answer_now(struct smb_work *w, struct notify_answer *ans)
{
	u8 *b = smb_resp_body(w, ans->body_len);

	if (b)
		memcpy(b, ans->body ? ans->body : empty_body, ans->body_len);
	smb_free(w->conn->srv, ans->body);
	if (!b)
		return -1;
	w->status = ans->status;
	return 0;
}

int smb2_change_notify(struct smb_work *w)
{
	const u8 *b = smb_req_body(w);
	struct smb_open *op;
	struct smb_notify *n;
	struct notify_waiter *nw;
	struct notify_answer ans;
	u32 out_len, filter, limit, st;
	bool have;

	if (smb_req_body_len(w) < NOTIFY_REQ_SIZE ||
	    smb_get_le16(b) != NOTIFY_REQ_SIZE)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	out_len = smb_get_le32(b + 4);
	filter = smb_get_le32(b + 24);
	op = smb_open_find(w, b + 8);
	if (!op)
		return smb_resp_error(w, w->status);
	if (!op->is_dir || op->stream || op->pipe || !op->file)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	if (!(op->access & FILE_LIST_DIRECTORY))
		return smb_resp_error(w, STATUS_ACCESS_DENIED);
	if (smb_open_delete_pending(op))
		return smb_resp_error(w, STATUS_DELETE_PENDING);
	/*
	 * Unknown filter bits are ignored, as Windows does; an empty filter
	 * is refused only on the first request, later ones keep the first's
	 * (smbtorture's smb2.notify.rec asks with 0 then).
	 */
	if (out_len > w->conn->max_trans || (filter == 0 && !op->notify))
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	limit = out_len < SMB_NOTIFY_BUFFER_MAX ? out_len :
						  SMB_NOTIFY_BUFFER_MAX;
	st = notify_attach(w, op, smb_get_le16(b + 2) & SMB2_WATCH_TREE, filter,
			   limit);
	if (st)
		return smb_resp_error(w, st);
	n = op->notify;
	smb_mutex_lock(n->lock);
	have = take_pending(n, out_len, &ans);
	smb_mutex_unlock(n->lock);
	if (have)
		return answer_now(w, &ans);
	nw = smb_alloc(w->conn->srv, sizeof(*nw));
	if (!nw)
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	smb_list_init(&nw->link);
	nw->n = n;
	nw->out_len = out_len;
	st = smb_async_go(w, &notify_async_ops, nw);
	if (st) {
		smb_free(w->conn->srv, nw);
		return smb_resp_error(w, st);
	}
	nw->async = w->async;
	return 0;
}
