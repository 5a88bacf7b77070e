// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * confedit.c - line-based editing of ksmbd.conf share sections.
 *
 * A section owns its header, its body up to the next header, and the block
 * of comment lines directly above its header (no blank line between), which
 * conventionally describes it.  Everything else is copied unchanged.
 */
#include <stdlib.h>

#include "platform.h"
#include "config.h"
#include "confedit.h"
#include "utf16.h"

struct line {
	const char *s;
	size_t len; /* without the newline */
	bool newline; /* followed by '\n' in the input */
};

struct option {
	char key[64]; /* normalised */
	const char *setting;
	const char *value; /* trimmed */
	size_t value_len;
};

struct buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (n + 1 > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;
		char *bigger;

		while (cap - b->len < n + 1) {
			if (cap > SIZE_MAX / 2) {
				b->failed = true;
				return;
			}
			cap *= 2;
		}
		bigger = realloc(b->data, cap);
		if (!bigger) {
			b->failed = true;
			return;
		}
		b->data = bigger;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_line(struct buf *b, const struct line *l)
{
	put(b, l->s, l->len);
	put(b, "\n", 1);
}

static void put_option(struct buf *b, const struct option *o)
{
	puts_(b, "\t");
	puts_(b, o->key);
	puts_(b, " = ");
	put(b, o->value, o->value_len);
	puts_(b, "\n");
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The line without leading and trailing blanks. */
static void trimmed(const struct line *l, const char **s, size_t *n)
{
	const char *p = l->s, *e = l->s + l->len;

	while (p < e && blank(*p))
		p++;
	while (e > p && blank(e[-1]))
		e--;
	*s = p;
	*n = (size_t)(e - p);
}

static bool is_comment(const struct line *l)
{
	const char *s;
	size_t n;

	trimmed(l, &s, &n);
	return n && (*s == '#' || *s == ';');
}

static bool is_blank_line(const struct line *l)
{
	const char *s;
	size_t n;

	trimmed(l, &s, &n);
	return !n;
}

/* If l is a section header, copy its name to name and return true. */
static bool header_name(const struct line *l, char *name, size_t size)
{
	const char *s;
	size_t n;

	trimmed(l, &s, &n);
	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return false;
	s++;
	n -= 2;
	while (n && blank(*s))
		s++, n--;
	while (n && blank(s[n - 1]))
		n--;
	if (n >= size)
		n = 0; /* too long to be a share name: matches none */
	memcpy(name, s, n);
	name[n] = '\0';
	return true;
}

/* The setting a "key = value" line sets, or NULL. */
static const char *line_setting(const struct line *l)
{
	const char *s, *eq, *setting;
	char key[64];
	size_t n;

	trimmed(l, &s, &n);
	if (!n || *s == '#' || *s == ';' || *s == '[')
		return NULL;
	eq = memchr(s, '=', n);
	if (!eq)
		return NULL;
	smbd_config_normalize_key(s, (size_t)(eq - s), key, sizeof(key));
	smbd_config_key_scope(key, NULL, &setting);
	return setting;
}

static struct line *split_lines(const char *text, size_t len, size_t *count)
{
	size_t n = 0, i = 0;
	struct line *lines;

	for (size_t k = 0; k < len; k++)
		n += text[k] == '\n';
	lines = calloc(n + 1, sizeof(*lines));
	if (!lines)
		return NULL;
	for (const char *s = text, *end = text + len; s < end; i++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));

		lines[i].s = s;
		lines[i].len = (size_t)((nl ? nl : end) - s);
		lines[i].newline = nl != NULL;
		s = nl ? nl + 1 : end;
	}
	*count = i;
	return lines;
}

static int parse_options(const char *const *opts, size_t nopts,
			 struct option *out, char *err, size_t err_size)
{
	for (size_t i = 0; i < nopts; i++) {
		const char *eq = strchr(opts[i], '='), *v;
		struct option *o = &out[i];
		enum smbd_key_scope scope;
		size_t n;

		if (!eq) {
			snprintf(err, err_size,
				 "option '%s': expected key=value", opts[i]);
			return -1;
		}
		smbd_config_normalize_key(opts[i], (size_t)(eq - opts[i]),
					  o->key, sizeof(o->key));
		scope = smbd_config_key_scope(o->key, NULL, &o->setting);
		if (scope != SMBD_KEY_SHARE) {
			snprintf(err, err_size, "option '%s': %s", o->key,
				 scope == SMBD_KEY_GLOBAL ?
					 "a [global] key, not a share key" :
					 "unknown share key");
			return -1;
		}
		for (v = eq + 1; blank(*v); v++)
			;
		for (n = strlen(v); n && blank(v[n - 1]); n--)
			;
		for (size_t k = 0; k < n; k++) {
			if (v[k] == '\n' || v[k] == '\r') {
				snprintf(err, err_size,
					 "option '%s': newline in value",
					 o->key);
				return -1;
			}
		}
		o->value = v;
		o->value_len = n;
		for (size_t k = 0; k < i; k++) {
			if (!strcmp(out[k].setting, o->setting)) {
				snprintf(err, err_size,
					 "option '%s' given more than once",
					 o->setting);
				return -1;
			}
		}
	}
	return 0;
}

/* Index of the first line of the comment block attached to header h. */
static size_t attached_start(const struct line *lines, size_t h)
{
	while (h > 0 && is_comment(&lines[h - 1]))
		h--;
	return h;
}

static void edit_update(struct buf *b, const struct line *lines, size_t n,
			size_t h, size_t end, const struct option *o,
			size_t nopts)
{
	size_t tail = h; /* new settings go after the section's last key */
	size_t *first = malloc((nopts ? nopts : 1) * sizeof(*first));

	if (!first) {
		b->failed = true;
		return;
	}
	for (size_t j = 0; j < nopts; j++)
		first[j] = SIZE_MAX;
	for (size_t i = h + 1; i < end; i++) {
		const char *setting = line_setting(&lines[i]);

		if (!is_blank_line(&lines[i]) && !is_comment(&lines[i]))
			tail = i;
		for (size_t j = 0; setting && j < nopts; j++)
			if (!strcmp(setting, o[j].setting) &&
			    first[j] == SIZE_MAX)
				first[j] = i;
	}
	for (size_t i = 0; i < n; i++) {
		const char *setting =
			i > h && i < end ? line_setting(&lines[i]) : NULL;
		size_t k = nopts;

		for (size_t j = 0; setting && j < nopts; j++)
			if (!strcmp(setting, o[j].setting))
				k = j;
		/* A set key replaces its first line; other lines of it go. */
		if (k == nopts)
			put_line(b, &lines[i]);
		else if (first[k] == i)
			put_option(b, &o[k]);
		if (i == tail)
			for (size_t j = 0; j < nopts; j++)
				if (first[j] == SIZE_MAX)
					put_option(b, &o[j]);
	}
	free(first);
}

static void edit_delete(struct buf *b, const struct line *lines, size_t n,
			size_t h, size_t end)
{
	size_t from = attached_start(lines, h);
	size_t to = end < n ? attached_start(lines, end) : end;

	for (size_t i = 0; i < n; i++)
		if (i < from || i >= to)
			put_line(b, &lines[i]);
}

static void edit_add(struct buf *b, const struct line *lines, size_t n,
		     const char *share, const struct option *o, size_t nopts)
{
	for (size_t i = 0; i < n; i++)
		put_line(b, &lines[i]);
	if (n && !is_blank_line(&lines[n - 1]))
		puts_(b, "\n");
	puts_(b, "[");
	puts_(b, share);
	puts_(b, "]\n");
	for (size_t j = 0; j < nopts; j++)
		put_option(b, &o[j]);
}

/* Index of the header line of share, or SIZE_MAX. */
static size_t find_header(const struct line *lines, size_t n, const char *share)
{
	char name[256];

	for (size_t i = 0; i < n; i++)
		if (header_name(&lines[i], name, sizeof(name)) &&
		    smb_name_equal_ci(name, share))
			return i;
	return SIZE_MAX;
}

int smbd_conf_has_share(const char *text, size_t len, const char *share)
{
	size_t n = 0, h;
	struct line *lines = split_lines(text, len, &n);

	if (!lines)
		return -1;
	h = find_header(lines, n, share);
	free(lines);
	return h != SIZE_MAX;
}

int smbd_conf_edit_share(const char *text, size_t len, enum smbd_share_op op,
			 const char *share, const char *const *opts,
			 size_t nopts, char **out, size_t *out_len, char *err,
			 size_t err_size)
{
	struct option *o = NULL;
	struct line *lines = NULL;
	struct buf b = { 0 };
	size_t n = 0, h = SIZE_MAX, end;
	char why[64], name[256];
	int ret = -1;

	*out = NULL;
	*out_len = 0;
	if (smbd_config_check_share_name(share, why, sizeof(why))) {
		snprintf(err, err_size, "invalid share name '%s' (%s)", share,
			 why);
		return -1;
	}
	if (!strcasecmp(share, "global") || !strcasecmp(share, "ipc$")) {
		snprintf(err, err_size,
			 "'%s' is not a share that can be edited", share);
		return -1;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err, err_size, "NUL byte in configuration");
		return -1;
	}
	lines = split_lines(text, len, &n);
	o = calloc(nopts ? nopts : 1, sizeof(*o));
	if (!lines || !o) {
		snprintf(err, err_size, "out of memory");
		goto out;
	}
	if (op != SMBD_SHARE_DELETE &&
	    parse_options(opts, nopts, o, err, err_size))
		goto out;
	h = find_header(lines, n, share);
	if ((op == SMBD_SHARE_ADD) != (h == SIZE_MAX)) {
		snprintf(err, err_size, "share '%s' %s", share,
			 op == SMBD_SHARE_ADD ? "already exists" :
						"does not exist");
		goto out;
	}
	for (end = h == SIZE_MAX ? n : h + 1; end < n; end++)
		if (header_name(&lines[end], name, sizeof(name)))
			break;
	if (op == SMBD_SHARE_ADD)
		edit_add(&b, lines, n, share, o, nopts);
	else if (op == SMBD_SHARE_UPDATE)
		edit_update(&b, lines, n, h, end, o, nopts);
	else
		edit_delete(&b, lines, n, h, end);
	if (b.failed || !b.data) {
		/* An empty result (last share deleted) is valid. */
		if (!b.failed && (b.data = calloc(1, 1)))
			goto done;
		snprintf(err, err_size, "out of memory");
		free(b.data);
		goto out;
	}
done:
	*out = b.data;
	*out_len = b.len;
	ret = 0;
out:
	free(lines);
	free(o);
	return ret;
}
