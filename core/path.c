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

/*
 * ":name[:type]" at suffix ([MS-FSCC] 2.1.5.3): a stream name holds any
 * character but '\\', '/' and ':' (control characters included), the type,
 * if given, is $DATA in any case; "::$DATA" is the default stream (empty
 * name).  "x:" and "x::" name nothing, other types are refused.
 */
static u32 parse_stream_suffix(const char *suffix, struct smb_stream_spec *out)
{
	const char *name = suffix + 1, *type;
	size_t n;

	type = name;
	while (*type && *type != ':')
		type++;
	n = (size_t)(type - name);
	if (*type) {
		if (!ci_equal_ascii(type, ":$DATA"))
			return STATUS_OBJECT_NAME_INVALID;
	} else if (n == 0) {
		return STATUS_OBJECT_NAME_INVALID; /* "file:" */
	} else if (ci_equal_ascii(suffix, ":$DATA")) {
		n = 0; /* "file:$DATA" names the unnamed stream too */
	}
	if (n >= sizeof(out->name))
		return STATUS_OBJECT_NAME_INVALID;
	memcpy(out->name, name, n);
	out->name[n] = '\0';
	out->present = true;
	return STATUS_SUCCESS;
}

/* Split "name:stream:type" in the last component; stream NULL: a named
 * stream is reported as not found (callers that serve none). */
static u32 strip_stream(char *comp, struct smb_stream_spec *stream)
{
	struct smb_stream_spec local;
	char *colon = comp;
	u32 st;

	while (*colon && *colon != ':')
		colon++;
	if (!*colon)
		return STATUS_SUCCESS;
	st = parse_stream_suffix(colon, stream ? stream : &local);
	if (st)
		return st;
	*colon = '\0';
	if (!stream && local.name[0])
		return STATUS_OBJECT_NAME_NOT_FOUND;
	return STATUS_SUCCESS;
}

u32 smb_stream_from_wire(const u8 *name, size_t len,
			 struct smb_stream_spec *out)
{
	char buf[sizeof(out->name) + 8];
	const char *p;

	memset(out, 0, sizeof(*out));
	if (len & 1 || len < 2 || smb_get_le16(name) != ':')
		return STATUS_OBJECT_NAME_INVALID;
	if (smb_utf16_to_utf8(name, len, buf, sizeof(buf)) < 0)
		return STATUS_OBJECT_NAME_INVALID;
	for (p = buf; *p; p++)
		if (*p == '/' || *p == '\\')
			return STATUS_OBJECT_NAME_INVALID;
	return parse_stream_suffix(buf, out);
}

/*
 * Resolve ".." components in place, by name (the way Windows and Samba
 * resolve "dir\\sub\\.."), before the path reaches the VFS: the result has
 * no ".." left, and one that would climb above the share root is refused.
 * Symlinks are resolved later, under the share root, by the VFS backend.
 */
static u32 resolve_dotdot(char *path)
{
	char *rd = path, *wr = path;

	while (*rd) {
		char *end = rd;

		while (*end && *end != '/')
			end++;
		if (end - rd == 2 && rd[0] == '.' && rd[1] == '.') {
			if (wr == path)
				return STATUS_OBJECT_PATH_SYNTAX_BAD;
			wr--; /* the '/' that ends the kept prefix */
			while (wr > path && wr[-1] != '/')
				wr--;
		} else {
			size_t n = (size_t)(end - rd);

			memmove(wr, rd, n);
			wr += n;
			if (*end)
				*wr++ = '/';
		}
		rd = *end ? end + 1 : end;
	}
	/* "a/b/.." leaves "a/": drop the separator (the root stays ""). */
	if (wr > path && wr[-1] == '/')
		wr--;
	*wr = '\0';
	return STATUS_SUCCESS;
}

u32 smb_path_from_wire(const u8 *name, size_t len, char *out, size_t out_size)
{
	return smb_path_from_wire_stream(name, len, out, out_size, NULL);
}

u32 smb_path_from_wire_stream(const u8 *name, size_t len, char *out,
			      size_t out_size, struct smb_stream_spec *stream)
{
	char *p, *comp, *last = NULL;
	bool in_stream = false;
	size_t n;
	u32 st;

	if (stream)
		memset(stream, 0, sizeof(*stream));
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
			if (clen > 255) {
				/* A stream suffix may add its own 255. */
				size_t base = 0;

				while (base < clen && comp[base] != ':')
					base++;
				if (base > 255 || clen - base > 1 + 765 + 6)
					return STATUS_OBJECT_NAME_INVALID;
			}
			if (clen == 1 && comp[0] == '.')
				return STATUS_OBJECT_NAME_INVALID;
			if (!end)
				*p = '/';
			last = comp;
			comp = p + 1;
			in_stream = false;
			if (end)
				break;
		} else if (*p == ':') {
			in_stream = true;
		} else if (in_stream ? *p == '/' : is_illegal_char(*p)) {
			return STATUS_OBJECT_NAME_INVALID;
		}
	}
	/* A colon anywhere but the last component is invalid. */
	for (p = out; p < last; p++)
		if (*p == ':')
			return STATUS_OBJECT_NAME_INVALID;
	if (last[0] == '.' && last[1] == '.' && last[2] == ':')
		return STATUS_OBJECT_PATH_SYNTAX_BAD; /* no stream of a parent */
	st = strip_stream(last, stream);
	if (st)
		return st;
	if (last[0] == '\0' || !strcmp(last, "."))
		return STATUS_OBJECT_NAME_INVALID;
	return resolve_dotdot(out);
}
