// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lock.c - SMB2 LOCK ([MS-SMB2] 3.3.5.14) over a server-wide lock table.
 *
 * Every file node keeps the byte-range locks of all its opens and the
 * blocked LOCK requests waiting on them, under srv->lock.  The rules are
 * those of Windows ([MS-FSA] 2.1.5.7, and what smbtorture's smb2.lock
 * checks):
 *  - an exclusive request conflicts with every overlapping lock, even one
 *    of the same open; a shared request only with overlapping exclusive
 *    locks of other opens;
 *  - a zero-length lock at X overlaps a range that holds X past its first
 *    byte, and never another zero-length lock;
 *  - a range whose last byte would pass 2^64 - 1 is STATUS_INVALID_LOCK_RANGE;
 *  - unlock matches offset, length and open exactly, exclusive locks first;
 *  - the elements of one request are granted all or none; unlocks are not
 *    rolled back;
 *  - a request without FAIL_IMMEDIATELY (single element only) waits: it
 *    goes async and is retried whenever a lock on the file is released.
 * Lock sequence numbers ([MS-SMB2] 3.3.5.14): on resilient and durable
 * opens (and with multichannel) a LOCK re-sent with the sequence number of
 * the last successful one in its slot succeeds without being applied again.
 */
#include "lock.h"
#include "oplock.h"
#include "async.h"

#define LOCK_REQ_FIXED 24
#define LOCK_ELEMENT_SIZE 24
#define LOCK_RESP_SIZE 4

/* One granted lock. */
struct smb_brl {
	struct smb_list link; /* in node->locks, in the order granted */
	const struct smb_open *owner;
	u64 offset;
	u64 length;
	bool exclusive;
};

/* A blocked LOCK request (the private part of its async request). */
struct lock_waiter {
	struct smb_list link; /* node->lock_waiters, or a local list */
	bool queued; /* on node->lock_waiters */
	struct smb_async *async;
	struct smb_open *op;
	struct smb_file_node *node;
	struct smb_brl *rec; /* granted into node->locks, then NULL */
	u8 *seq_slot; /* op->lock_seq entry to set when granted, or NULL */
	u8 seq_value;
};

static const u8 lock_ok_body[LOCK_RESP_SIZE] = { LOCK_RESP_SIZE, 0, 0, 0 };

static u64 last_byte(u64 offset, u64 length)
{
	return offset + (length - 1);
}

static bool ranges_overlap(u64 a_off, u64 a_len, u64 b_off, u64 b_len)
{
	if (a_len == 0 && b_len == 0)
		return false;
	if (a_len == 0)
		return b_off < a_off && a_off <= last_byte(b_off, b_len);
	if (b_len == 0)
		return a_off < b_off && b_off <= last_byte(a_off, a_len);
	return a_off <= last_byte(b_off, b_len) &&
	       b_off <= last_byte(a_off, a_len);
}

/* Does a request of owner conflict with a granted lock?  srv->lock held. */
static bool lock_conflicts(const struct smb_file_node *node,
			   const struct smb_open *owner, u64 offset, u64 length,
			   bool exclusive)
{
	const struct smb_list *pos;

	for (pos = node->locks.next; pos != &node->locks; pos = pos->next) {
		const struct smb_brl *l =
			smb_container_of(pos, struct smb_brl, link);

		if (!ranges_overlap(offset, length, l->offset, l->length))
			continue;
		if (exclusive || (l->exclusive && l->owner != owner))
			return true;
	}
	return false;
}

static void grant(struct smb_file_node *node, struct smb_open *op,
		  struct smb_brl *rec)
{
	rec->owner = op;
	smb_list_add_tail(&rec->link, &node->locks);
	op->nlocks++;
	__atomic_store_n(&node->nlocks, node->nlocks + 1, __ATOMIC_RELAXED);
}

/* A waiter's lock is granted (under srv->lock). */
static void waiter_grant(struct lock_waiter *lw)
{
	grant(lw->node, lw->op, lw->rec);
	lw->rec = NULL;
	if (lw->seq_slot)
		*lw->seq_slot = lw->seq_value;
}

static void ungrant(struct smb_server *srv, struct smb_file_node *node,
		    struct smb_open *op, struct smb_brl *rec)
{
	smb_list_del(&rec->link);
	op->nlocks--;
	__atomic_store_n(&node->nlocks, node->nlocks - 1, __ATOMIC_RELAXED);
	smb_free(srv, rec);
}

/*
 * Grant every waiter that no longer conflicts, oldest first; move them to
 * granted for the caller to answer once srv->lock is released.
 */
static void retry_waiters(struct smb_file_node *node, struct smb_list *granted)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, &node->lock_waiters)
	{
		struct lock_waiter *lw =
			smb_container_of(pos, struct lock_waiter, link);
		struct smb_brl *r = lw->rec;

		if (lock_conflicts(node, lw->op, r->offset, r->length,
				   r->exclusive))
			continue;
		/* Lost to a cancel or close on its own connection. */
		if (!smb_async_claim(lw->async))
			continue;
		smb_list_del(&lw->link);
		lw->queued = false;
		waiter_grant(lw);
		smb_list_add_tail(&lw->link, granted);
	}
}

static void answer_all(struct smb_list *list, u32 status)
{
	struct smb_list *pos, *tmp;

	smb_list_for_each_safe(pos, tmp, list)
	{
		struct lock_waiter *lw =
			smb_container_of(pos, struct lock_waiter, link);

		smb_list_del(&lw->link);
		if (status == STATUS_SUCCESS)
			smb_async_complete(lw->async, status, lock_ok_body,
					   sizeof(lock_ok_body));
		else
			smb_async_complete(lw->async, status, NULL, 0);
	}
}

/* ---- blocked requests ---------------------------------------------------- */

static void waiter_start(struct smb_async *a)
{
	struct lock_waiter *lw = a->priv;
	struct smb_server *srv = a->conn->srv;
	struct smb_brl *r = lw->rec;
	bool granted = false;

	smb_mutex_lock(srv->lock);
	/* The holder may have let go while the interim response went out. */
	if (!lock_conflicts(lw->node, lw->op, r->offset, r->length,
			    r->exclusive)) {
		if (smb_async_claim(a)) {
			waiter_grant(lw);
			granted = true;
		}
	} else {
		smb_list_add_tail(&lw->link, &lw->node->lock_waiters);
		lw->queued = true;
	}
	smb_mutex_unlock(srv->lock);
	if (granted)
		smb_async_complete(a, STATUS_SUCCESS, lock_ok_body,
				   sizeof(lock_ok_body));
}

static void waiter_cancel(struct smb_async *a)
{
	struct lock_waiter *lw = a->priv;
	struct smb_server *srv = a->conn->srv;

	smb_mutex_lock(srv->lock);
	if (lw->queued) {
		smb_list_del(&lw->link);
		lw->queued = false;
	}
	smb_mutex_unlock(srv->lock);
}

static void waiter_release(struct smb_async *a)
{
	struct lock_waiter *lw = a->priv;
	struct smb_server *srv = a->conn->srv;

	smb_free(srv, lw->rec);
	smb_free(srv, lw);
}

static const struct smb_async_ops lock_async_ops = {
	.start = waiter_start,
	.cancel = waiter_cancel,
	.release = waiter_release,
};

/* Wait for (offset, length): the request goes async. */
static int lock_wait(struct smb_work *w, struct smb_open *op, u64 offset,
		     u64 length, bool exclusive, u8 *seq_slot, u8 seq_value)
{
	struct smb_server *srv = w->conn->srv;
	struct lock_waiter *lw = smb_alloc(srv, sizeof(*lw));
	struct smb_brl *rec = smb_alloc(srv, sizeof(*rec));
	u32 st;

	if (!lw || !rec) {
		smb_free(srv, lw);
		smb_free(srv, rec);
		return smb_resp_error(w, STATUS_INSUFFICIENT_RESOURCES);
	}
	smb_list_init(&lw->link);
	lw->op = op;
	lw->node = op->node;
	lw->rec = rec;
	lw->seq_slot = seq_slot;
	lw->seq_value = seq_value;
	rec->offset = offset;
	rec->length = length;
	rec->exclusive = exclusive;
	st = smb_async_go(w, &lock_async_ops, lw);
	if (st) {
		smb_free(srv, rec);
		smb_free(srv, lw);
		return smb_resp_error(w, st);
	}
	lw->async = w->async;
	return 0;
}

/* ---- SMB2 LOCK --------------------------------------------------------- */

struct lock_elem {
	u64 offset;
	u64 length;
	u32 flags;
};

static void get_elem(const u8 *p, struct lock_elem *e)
{
	e->offset = smb_get_le64(p);
	e->length = smb_get_le64(p + 8);
	e->flags = smb_get_le32(p + 16);
}

/* Unlocks, in order; earlier ones stay done when a later one fails. */
static u32 do_unlocks(struct smb_open *op, const u8 *elems, u16 count,
		      struct smb_list *granted)
{
	struct smb_server *srv = op->tree->sess->conn->srv;
	struct smb_file_node *node = op->node;
	u32 st = STATUS_SUCCESS;
	bool released = false;
	u16 i;

	smb_mutex_lock(srv->lock);
	for (i = 0; i < count && !st; i++) {
		struct smb_brl *match = NULL;
		struct smb_list *pos;
		struct lock_elem e;

		get_elem(elems + (size_t)i * LOCK_ELEMENT_SIZE, &e);
		if (e.flags != SMB2_LOCKFLAG_UNLOCK) {
			st = STATUS_INVALID_PARAMETER;
			break;
		}
		for (pos = node->locks.next; pos != &node->locks;
		     pos = pos->next) {
			struct smb_brl *l =
				smb_container_of(pos, struct smb_brl, link);

			if (l->owner != op || l->offset != e.offset ||
			    l->length != e.length)
				continue;
			if (!match || (l->exclusive && !match->exclusive))
				match = l;
		}
		if (!match) {
			st = STATUS_RANGE_NOT_LOCKED;
			break;
		}
		ungrant(srv, node, op, match);
		released = true;
	}
	if (released)
		retry_waiters(node, granted);
	smb_mutex_unlock(srv->lock);
	return st;
}

static bool lock_flags_valid(u32 flags, bool single)
{
	u32 kind = flags & ~SMB2_LOCKFLAG_FAIL_IMMEDIATELY;

	if (kind != SMB2_LOCKFLAG_SHARED_LOCK &&
	    kind != SMB2_LOCKFLAG_EXCLUSIVE_LOCK)
		return false;
	/* Several locks in one request may not wait ([MS-SMB2] 3.3.5.14.2). */
	return single || (flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY);
}

/*
 * Locks, all or none.  Returns the status; STATUS_PENDING with *blocked
 * filled in when the single element must wait.
 */
static u32 do_locks(struct smb_open *op, const u8 *elems, u16 count,
		    struct lock_elem *blocked)
{
	struct smb_server *srv = op->tree->sess->conn->srv;
	struct smb_file_node *node = op->node;
	u32 st = STATUS_SUCCESS;
	u16 i, done = 0;

	if (count > 1)
		for (i = 0; i < count; i++)
			if (!(smb_get_le32(elems +
					   (size_t)i * LOCK_ELEMENT_SIZE + 16) &
			      SMB2_LOCKFLAG_FAIL_IMMEDIATELY))
				return STATUS_INVALID_PARAMETER;
	smb_mutex_lock(srv->lock);
	for (i = 0; i < count; i++) {
		struct lock_elem e;
		bool excl;
		struct smb_brl *rec;

		get_elem(elems + (size_t)i * LOCK_ELEMENT_SIZE, &e);
		if (!lock_flags_valid(e.flags, count == 1)) {
			st = STATUS_INVALID_PARAMETER;
			break;
		}
		if (e.length && e.offset > U64_MAX - (e.length - 1)) {
			st = STATUS_INVALID_LOCK_RANGE;
			break;
		}
		excl = e.flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK;
		if (lock_conflicts(node, op, e.offset, e.length, excl)) {
			if (e.flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY) {
				st = STATUS_LOCK_NOT_GRANTED;
			} else {
				*blocked = e;
				st = STATUS_PENDING;
			}
			break;
		}
		rec = op->nlocks < SMB_MAX_LOCKS_PER_OPEN ?
			      smb_alloc(srv, sizeof(*rec)) :
			      NULL;
		if (!rec) {
			st = STATUS_INSUFFICIENT_RESOURCES;
			break;
		}
		rec->offset = e.offset;
		rec->length = e.length;
		rec->exclusive = excl;
		grant(node, op, rec);
		done++;
	}
	/* Nobody else appended meanwhile: ours are the last `done` locks. */
	while (st && done--)
		ungrant(srv, node, op,
			smb_container_of(node->locks.prev, struct smb_brl,
					 link));
	smb_mutex_unlock(srv->lock);
	return st;
}

/*
 * Lock sequence replay detection ([MS-SMB2] 3.3.5.14) applies to opens a
 * client may re-send a LOCK for after a lost connection.
 */
static bool lock_seq_tracked(const struct smb_conn *conn,
			     const struct smb_open *op)
{
	return conn->dialect != SMB2_DIALECT_0202 &&
	       (op->resilient || op->durable ||
		(conn->server_caps & SMB2_GLOBAL_CAP_MULTI_CHANNEL));
}

/* The slot LockSequenceIndex names, or NULL if none is to be used. */
static u8 *lock_seq_slot(struct smb_work *w, struct smb_open *op, u32 seq)
{
	u32 index = seq >> 4;

	if (w->conn->dialect == SMB2_DIALECT_0202 || index == 0 ||
	    index > SMB_LOCK_SEQ_SLOTS)
		return NULL;
	return &op->lock_seq[index - 1];
}

/* A replay of the last successful request with this sequence number. */
static bool lock_seq_replayed(struct smb_work *w, struct smb_open *op, u8 *slot,
			      u32 seq)
{
	if (!slot || !(*slot & SMB_LOCK_SEQ_VALID) ||
	    !lock_seq_tracked(w->conn, op))
		return false;
	if ((*slot & 0x0f) == (seq & 0x0f))
		return true;
	*slot = 0;
	return false;
}

static void lock_seq_done(struct smb_work *w, struct smb_open *op, u8 *slot,
			  u32 seq)
{
	if (slot && lock_seq_tracked(w->conn, op))
		*slot = SMB_LOCK_SEQ_VALID | (u8)(seq & 0x0f);
}

int smb2_lock(struct smb_work *w)
{
	const u8 *b = smb_req_body(w);
	size_t blen = smb_req_body_len(w);
	struct smb_list granted;
	struct lock_elem blocked;
	struct smb_open *op;
	const u8 *elems;
	u16 count;
	u32 st, seq;
	u8 *r, *slot;

	if (blen < LOCK_REQ_FIXED || smb_get_le16(b) != 48)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	count = smb_get_le16(b + 2);
	seq = smb_get_le32(b + 4);
	if (count == 0 ||
	    (size_t)count * LOCK_ELEMENT_SIZE > blen - LOCK_REQ_FIXED)
		return smb_resp_error(w, STATUS_INVALID_PARAMETER);
	elems = b + LOCK_REQ_FIXED;
	op = smb_open_find(w, b + 8);
	if (!op)
		return smb_resp_error(w, w->status);
	if (op->pipe || !op->node)
		return smb_resp_error(w, STATUS_INVALID_DEVICE_REQUEST);
	slot = lock_seq_slot(w, op, seq);
	if (lock_seq_replayed(w, op, slot, seq))
		goto done;
	smb_list_init(&granted);
	if (smb_get_le32(elems + 16) & SMB2_LOCKFLAG_UNLOCK) {
		st = do_unlocks(op, elems, count, &granted);
		answer_all(&granted, STATUS_SUCCESS);
	} else {
		smb_oplock_break_readers(op);
		st = do_locks(op, elems, count, &blocked);
		if (st == STATUS_PENDING)
			return lock_wait(
				w, op, blocked.offset, blocked.length,
				blocked.flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK,
				slot && lock_seq_tracked(w->conn, op) ? slot :
									NULL,
				SMB_LOCK_SEQ_VALID | (u8)(seq & 0x0f));
	}
	if (st)
		return smb_resp_error(w, st);
	lock_seq_done(w, op, slot, seq);
done:
	r = smb_resp_body(w, LOCK_RESP_SIZE);
	if (!r)
		return -1;
	memcpy(r, lock_ok_body, LOCK_RESP_SIZE);
	return 0;
}

/* ---- closing and I/O --------------------------------------------------- */

void smb_lock_open_closing(struct smb_open *op)
{
	struct smb_file_node *node = op->node;
	struct smb_server *srv;
	struct smb_list closed, granted, *pos, *tmp;

	if (!node)
		return;
	srv = op->tree->sess->conn->srv;
	smb_list_init(&closed);
	smb_list_init(&granted);
	smb_mutex_lock(srv->lock);
	smb_list_for_each_safe(pos, tmp, &node->lock_waiters)
	{
		struct lock_waiter *lw =
			smb_container_of(pos, struct lock_waiter, link);

		if (lw->op != op || !smb_async_claim(lw->async))
			continue;
		smb_list_del(&lw->link);
		lw->queued = false;
		smb_list_add_tail(&lw->link, &closed);
	}
	if (op->nlocks) {
		smb_list_for_each_safe(pos, tmp, &node->locks)
		{
			struct smb_brl *l =
				smb_container_of(pos, struct smb_brl, link);

			if (l->owner == op)
				ungrant(srv, node, op, l);
		}
		retry_waiters(node, &granted);
	}
	smb_mutex_unlock(srv->lock);
	/* What Windows answers a lock whose handle went away. */
	answer_all(&closed, STATUS_RANGE_NOT_LOCKED);
	answer_all(&granted, STATUS_SUCCESS);
}

u32 smb_lock_check_io(struct smb_open *op, u64 offset, u64 length, bool write)
{
	struct smb_file_node *node = op->node;
	struct smb_server *srv;
	const struct smb_list *pos;
	u32 st = STATUS_SUCCESS;

	/* Zero bytes touch no lock; most files have none (no lock taken). */
	if (!node || length == 0 ||
	    !__atomic_load_n(&node->nlocks, __ATOMIC_RELAXED))
		return STATUS_SUCCESS;
	srv = op->tree->sess->conn->srv;
	smb_mutex_lock(srv->lock);
	for (pos = node->locks.next; pos != &node->locks; pos = pos->next) {
		const struct smb_brl *l =
			smb_container_of(pos, struct smb_brl, link);

		/* A zero-length lock covers no byte. */
		if (!l->length ||
		    !ranges_overlap(offset, length, l->offset, l->length))
			continue;
		/* Shared locks stop writes, even the holder's own. */
		if ((l->exclusive && l->owner != op) ||
		    (write && !l->exclusive)) {
			st = STATUS_FILE_LOCK_CONFLICT;
			break;
		}
	}
	smb_mutex_unlock(srv->lock);
	return st;
}
