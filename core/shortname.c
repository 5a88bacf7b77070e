// SPDX-License-Identifier: GPL-2.0-or-later
/* shortname.c - 8.3 names, for clients that still ask for them. */
#include "shortname.h"

static char upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}

/* Characters allowed in an 8.3 name, besides letters and digits. */
static bool valid_83_char(char c)
{
	const char *extra = "!#$%&'()-@^_`{}~";

	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return true;
	for (; *extra; extra++)
		if (c == *extra)
			return true;
	return false;
}

static bool is_83(const char *name, size_t len)
{
	size_t i, dot = len;

	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (dot != len)
				return false;
			dot = i;
		} else if (!valid_83_char(name[i])) {
			return false;
		}
	}
	if (dot == 0 || dot > 8)
		return false;
	return dot == len || (len - dot - 1 >= 1 && len - dot - 1 <= 3);
}

int smb_short_name(const char *name, char out[SMB_SHORT_NAME_MAX])
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t len = strlen(name), i, n = 0, dot = len;
	u32 hash = 2166136261u;

	if (len == 0)
		return -1;
	if (is_83(name, len)) {
		for (i = 0; i < len; i++)
			out[i] = upper(name[i]);
		out[len] = '\0';
		return (int)len;
	}
	for (i = 0; i < len; i++) {
		hash = (hash ^ (u8)upper(name[i])) * 16777619u;
		if (name[i] == '.')
			dot = i;
	}
	/* A leading dot ("".profile"") is part of the base, not an extension. */
	if (dot == 0)
		dot = len;
	for (i = 0; i < dot && n < 5; i++)
		if (valid_83_char(name[i]))
			out[n++] = upper(name[i]);
	if (n == 0)
		out[n++] = '_';
	out[n++] = '~';
	out[n++] = digits[hash % 36];
	out[n++] = digits[(hash / 36) % 36];
	if (dot < len) {
		size_t e = 0;

		out[n++] = '.';
		for (i = dot + 1; i < len && e < 3; i++)
			if (valid_83_char(name[i])) {
				out[n++] = upper(name[i]);
				e++;
			}
		if (e == 0)
			n--; /* no usable extension characters */
	}
	out[n] = '\0';
	return (int)n;
}
