// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * path.c - turn a wire path (UTF-16LE, '\'-separated, relative to the share)
 * into the VFS form, refusing anything that could name a file outside the
 * share or that Windows itself would refuse.
 */
#include "internal.h"
#include "utf16.h"

static bool is_illegal_char(char c)
{
	/* [MS-FSCC] 2.1.5.2: characters never valid in a file name. */
	return (unsigned char)c < 0x20 || c == '<' || c == '>' || c == '"' ||
	       c == '|' || c == '?' || c == '*' || c == '/';
}

static bool ci_equal_ascii(const char *a, const char *b)
{
	while (*a && *b) {
		char x = *a, y = *b;

		if (x >= 'a' && x <= 'z')
			x = (char)(x - 32);
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 32);
		if (x != y)
			return false;
		a++;
		b++;
	}
	return *a == *b;
}

/* Handle "name:stream:type" in the last component; only the default data stream exists here. */
static u32 strip_stream(char *comp)
{
	char *colon = comp;

	while (*colon && *colon != ':')
		colon++;
	if (!*colon)
		return STATUS_SUCCESS;
	if (ci_equal_ascii(colon, "::$DATA") || ci_equal_ascii(colon, ":$DATA")) {
		*colon = '\0';
		return STATUS_SUCCESS;
	}
	/* Named streams arrive with the streams work; say honestly it is not there. */
	return STATUS_OBJECT_NAME_NOT_FOUND;
}

u32 smb_path_from_wire(const u8 *name, size_t len, char *out, size_t out_size)
{
	char *p, *comp, *last = NULL;
	size_t n;
	u32 st;

	if (out_size == 0)
		return STATUS_INTERNAL_ERROR;
	out[0] = '\0';
	if (len == 0)
		return STATUS_SUCCESS;
	if (len & 1)
		return STATUS_INVALID_PARAMETER;
	if (smb_get_le16(name) == '\\')
		return STATUS_INVALID_PARAMETER;
	if (smb_utf16_to_utf8(name, len, out, out_size) < 0)
		return len > out_size ? STATUS_NAME_TOO_LONG :
					STATUS_OBJECT_NAME_INVALID;
	n = strlen(out);
	/* One trailing separator is allowed ("dir\"). */
	if (n && out[n - 1] == '\\')
		out[--n] = '\0';
	if (n == 0)
		return STATUS_OBJECT_NAME_INVALID;

	comp = out;
	for (p = out;; p++) {
		if (*p == '\\' || *p == '\0') {
			size_t clen = (size_t)(p - comp);
			bool end = *p == '\0';

			if (clen == 0)
				return STATUS_OBJECT_NAME_INVALID;
			if (clen > 255)
				return STATUS_OBJECT_NAME_INVALID;
			if (clen == 1 && comp[0] == '.')
				return STATUS_OBJECT_NAME_INVALID;
			if (clen == 2 && comp[0] == '.' && comp[1] == '.')
				return STATUS_OBJECT_PATH_SYNTAX_BAD;
			if (!end)
				*p = '/';
			last = comp;
			comp = p + 1;
			if (end)
				break;
		} else if (is_illegal_char(*p)) {
			return STATUS_OBJECT_NAME_INVALID;
		}
	}
	/* A colon anywhere but the last component is invalid. */
	for (p = out; p < last; p++)
		if (*p == ':')
			return STATUS_OBJECT_NAME_INVALID;
	st = strip_stream(last);
	if (st)
		return st;
	/* "..::$DATA" is ".." once the stream suffix is gone. */
	if (last[0] == '\0' || !strcmp(last, "."))
		return STATUS_OBJECT_NAME_INVALID;
	if (!strcmp(last, ".."))
		return STATUS_OBJECT_PATH_SYNTAX_BAD;
	return STATUS_SUCCESS;
}
