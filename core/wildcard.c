// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wildcard.c - [MS-FSA] 2.1.4.4 name-in-expression matching.
 *
 * The pattern is run as a nondeterministic automaton whose states are the
 * byte offsets of the pattern's characters (plus the end).  For each name
 * character we first follow the moves that consume nothing, then the ones
 * that consume the character, so the work is O(pattern x name) whatever
 * the pattern: no backtracking, no recursion, two small bitmaps on the
 * stack.
 */
#include "wildcard.h"
#include "utf16.h"

#define DOS_STAR '<'
#define DOS_QM '>'
#define DOS_DOT '"'

#define STATE_BYTES (SMB_WILDCARD_MAX_PATTERN / 8 + 1)

static bool state_test(const u8 *set, size_t pos)
{
	return set[pos >> 3] & (1u << (pos & 7));
}

static void state_set(u8 *set, size_t pos)
{
	set[pos >> 3] |= (u8)(1u << (pos & 7));
}

static bool is_wild(u32 c)
{
	return c == '*' || c == '?' || c == DOS_STAR || c == DOS_QM ||
	       c == DOS_DOT;
}

bool smb_wildcard_has_wild(const char *pattern)
{
	for (; *pattern; pattern++)
		if (is_wild((u8)*pattern))
			return true;
	return false;
}

/* Can pattern character pc be passed over without consuming anything? */
static bool skips(u32 pc, bool at_end, bool at_dot)
{
	switch (pc) {
	case '*':
	case DOS_STAR:
		return true;
	case DOS_DOT:
		return at_end;
	case DOS_QM:
		return at_end || at_dot;
	default:
		return false;
	}
}

/* Does pattern character pc consume name character c?  *stay: loop. */
static bool consumes(u32 pc, u32 c, bool last_dot, bool *stay)
{
	*stay = false;
	switch (pc) {
	case '*':
		*stay = true;
		return true;
	case DOS_STAR:
		/* The name's final '.' is left for the rest of the pattern. */
		*stay = true;
		return !last_dot;
	case '?':
		return true;
	case DOS_QM:
		return c != '.';
	case DOS_DOT:
		return c == '.';
	default:
		return smb_upcase(pc) == c;
	}
}

static bool str_is(const char *s, const char *lit)
{
	while (*s && *s == *lit) {
		s++;
		lit++;
	}
	return *s == *lit;
}

/* Pattern character at byte offset pp; the pattern is known valid. */
static size_t pattern_char(const char *pattern, size_t pp, u32 *pc)
{
	return (size_t)smb_utf8_decode(pattern + pp, pc);
}

bool smb_wildcard_match(const char *pattern, const char *name)
{
	u8 cur[STATE_BYTES], next[STATE_BYTES];
	const char *last_dot = NULL, *np;
	size_t plen, pp, pn;
	u32 pc;
	int n;

	if (!*name)
		return !*pattern;
	if (!*pattern)
		return false;
	if (str_is(pattern, "*") || str_is(pattern, "*.*"))
		return true;
	plen = strlen(pattern);
	if (plen > SMB_WILDCARD_MAX_PATTERN)
		return false;
	for (pp = 0; pp < plen; pp += (size_t)n) {
		n = smb_utf8_decode(pattern + pp, &pc);
		if (n < 0)
			return false;
	}
	for (np = name; *np; np++)
		if (*np == '.')
			last_dot = np;

	memset(cur, 0, sizeof(cur));
	state_set(cur, 0);
	for (np = name;; np += n) {
		bool at_end = !*np, at_dot, any = false;
		u32 c = 0;

		n = 0;
		if (!at_end) {
			n = smb_utf8_decode(np, &c);
			if (n < 0)
				return false;
			c = smb_upcase(c);
		}
		at_dot = !at_end && c == '.';

		/* Moves that consume nothing only go forward: one sweep. */
		for (pp = 0; pp < plen; pp += pn) {
			pn = pattern_char(pattern, pp, &pc);
			if (state_test(cur, pp) && skips(pc, at_end, at_dot))
				state_set(cur, pp + pn);
		}
		if (at_end)
			return state_test(cur, plen);

		memset(next, 0, sizeof(next));
		for (pp = 0; pp < plen; pp += pn) {
			bool stay;

			pn = pattern_char(pattern, pp, &pc);
			if (!state_test(cur, pp) ||
			    !consumes(pc, c, np == last_dot, &stay))
				continue;
			state_set(next, stay ? pp : pp + pn);
			any = true;
		}
		if (!any)
			return false;
		memcpy(cur, next, sizeof(cur));
	}
}
