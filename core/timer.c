// SPDX-License-Identifier: GPL-2.0-or-later
/* timer.c - one-shot timers fired by smb_server_tick() (see timer.h). */
#include "timer.h"

static u64 now_ms(struct smb_server *srv)
{
	return srv->ops.clock.monotonic_ms(srv->ops.clock.ctx);
}

/* Unlink if armed; srv->timer_lock held. */
static bool disarm_locked(struct smb_timer *t)
{
	if (!t->armed)
		return false;
	smb_list_del(&t->link);
	t->armed = false;
	return true;
}

void smb_timer_arm(struct smb_server *srv, struct smb_timer *t, u64 delay_ms,
		   smb_timer_fn fn)
{
	struct smb_list *pos;
	u64 due;

	if (smb_add_overflow(now_ms(srv), delay_ms, &due))
		due = U64_MAX;
	smb_mutex_lock(srv->timer_lock);
	if (t->armed)
		disarm_locked(t);
	else
		smb_list_init(&t->link);
	t->due_ms = due;
	t->fire = fn;
	t->seq = srv->timer_seq++;
	/* Keep the list sorted: insert before the first later timer. */
	for (pos = srv->timers.next; pos != &srv->timers; pos = pos->next)
		if (smb_container_of(pos, struct smb_timer, link)->due_ms > due)
			break;
	smb_list_add_tail(&t->link, pos);
	t->armed = true;
	smb_mutex_unlock(srv->timer_lock);
}

bool smb_timer_cancel(struct smb_server *srv, struct smb_timer *t)
{
	bool was;

	smb_mutex_lock(srv->timer_lock);
	was = disarm_locked(t);
	smb_mutex_unlock(srv->timer_lock);
	return was;
}

u64 smb_server_tick(struct smb_server *srv)
{
	u64 now = now_ms(srv), next = U64_MAX, seq;

	smb_mutex_lock(srv->timer_lock);
	seq = srv->timer_seq;
	smb_mutex_unlock(srv->timer_lock);

	for (;;) {
		struct smb_timer *t = NULL;

		smb_mutex_lock(srv->timer_lock);
		if (!smb_list_empty(&srv->timers)) {
			struct smb_timer *first = smb_container_of(
				srv->timers.next, struct smb_timer, link);

			if (first->due_ms <= now && first->seq < seq) {
				disarm_locked(first);
				t = first;
			} else {
				next = first->due_ms > now ?
					       first->due_ms - now :
					       0;
			}
		}
		smb_mutex_unlock(srv->timer_lock);
		if (!t)
			return next;
		/* Unlocked: fire may arm timers or take other locks. */
		t->fire(t);
	}
}
