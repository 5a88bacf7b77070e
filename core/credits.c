// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * credits.c - the per-connection command sequence window of [MS-SMB2]
 * 3.3.1.1: every message id may be used once, only ids the server granted
 * are accepted, and grants keep a connection within max_credits.
 */
#include "internal.h"

static bool bit_test(const struct smb_credits *c, u64 id)
{
	u32 i = (u32)(id % SMB_CREDIT_WINDOW);

	return c->used[i / 8] & (1u << (i % 8));
}

static void bit_set(struct smb_credits *c, u64 id, bool on)
{
	u32 i = (u32)(id % SMB_CREDIT_WINDOW);

	if (on)
		c->used[i / 8] |= (u8)(1u << (i % 8));
	else
		c->used[i / 8] &= (u8)~(1u << (i % 8));
}

void smb_credits_init(struct smb_credits *c)
{
	memset(c, 0, sizeof(*c));
	/* Message id 0 is implicitly granted for the first NEGOTIATE. */
	c->lo = 0;
	c->hi = 1;
	c->outstanding = 1;
}

bool smb_credits_consume(struct smb_credits *c, u64 mid, u16 charge)
{
	u64 end, id;

	if (charge == 0)
		charge = 1;
	if (smb_add_overflow(mid, (u64)charge, &end))
		return false;
	if (mid < c->lo || end > c->hi)
		return false;
	for (id = mid; id < end; id++)
		if (bit_test(c, id))
			return false;
	for (id = mid; id < end; id++)
		bit_set(c, id, true);
	c->outstanding = c->outstanding > charge ? c->outstanding - charge : 0;
	while (c->lo < c->hi && bit_test(c, c->lo)) {
		bit_set(c, c->lo, false);
		c->lo++;
	}
	return true;
}

u16 smb_credits_grant(struct smb_credits *c, u16 requested, u16 charge,
		      u32 max_credits)
{
	u32 grant = requested ? requested : 1;
	u32 room;

	/* Always give back at least what the request cost, so a client never runs dry. */
	if (grant < charge)
		grant = charge;
	if (max_credits > SMB_CREDIT_WINDOW)
		max_credits = SMB_CREDIT_WINDOW;
	room = c->outstanding >= max_credits ? 0 : max_credits - c->outstanding;
	if ((u64)(c->hi - c->lo) + grant > SMB_CREDIT_WINDOW)
		grant = (u32)(SMB_CREDIT_WINDOW - (c->hi - c->lo));
	if (grant > room)
		grant = room;
	/* The client must never be left without a credit. */
	if (grant == 0 && c->outstanding == 0 && c->hi - c->lo < SMB_CREDIT_WINDOW)
		grant = 1;
	c->hi += grant;
	c->outstanding += grant;
	return (u16)grant;
}
