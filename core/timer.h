/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timer.h - one-shot timers on the server's monotonic clock, driven by
 * smb_server_tick() (for example oplock-break and durable-handle
 * timeouts).  The core has no threads of its own: the platform calls
 * smb_server_tick() periodically (the resolution of every timer) from any
 * thread; it fires the due timers there, without holding any core lock.
 *
 * A firing timer and smb_timer_cancel() may race: cancel returns false when
 * the timer already left the list to fire, so work that either may finish
 * is claimed the usual way (smb_async_claim()).
 */
#ifndef SMB_TIMER_H
#define SMB_TIMER_H

#include "internal.h"

struct smb_timer;
typedef void (*smb_timer_fn)(struct smb_timer *t);

struct smb_timer {
	struct smb_list link; /* srv->timers, ordered by due time */
	u64 due_ms;
	u64 seq; /* when armed: a tick fires only timers armed before it */
	bool armed;
	smb_timer_fn fire;
	void *priv;
};

/* Fire t's fn once, delay_ms from now (re-arming moves it). */
void smb_timer_arm(struct smb_server *srv, struct smb_timer *t, u64 delay_ms,
		   smb_timer_fn fn);
/* Disarm; false if t was not armed (never was, fired, or is firing). */
bool smb_timer_cancel(struct smb_server *srv, struct smb_timer *t);

/*
 * Public (belongs in smbd.h): run the timers that are due.  A timer armed
 * while this runs (even with no delay, from its own callback) waits for
 * the next tick, so a tick always ends.  Returns the
 * milliseconds until the next one (U64_MAX: none), so a platform may sleep
 * that long instead of polling.
 */
/* smb_server_tick() itself is declared in smbd.h (the platform calls it). */

#endif /* SMB_TIMER_H */
