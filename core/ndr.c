// SPDX-License-Identifier: GPL-2.0-or-later
/* ndr.c - NDR marshalling helpers for the DCE/RPC pipes (C706 ch. 14). */
#include "ndr.h"
#include "utf16.h"

void smb_ndr_writer_init(struct smb_ndr_writer *w,
			 const struct smb_allocator *mem, size_t limit)
{
	memset(w, 0, sizeof(*w));
	w->mem = mem;
	w->limit = limit;
	w->next_referent = SMB_NDR_REFERENT_BASE;
}

void smb_ndr_writer_free(struct smb_ndr_writer *w)
{
	if (w->buf)
		w->mem->free(w->buf, w->mem->ctx);
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
}

u8 *smb_ndr_writer_take(struct smb_ndr_writer *w, size_t *len)
{
	u8 *buf = w->buf;

	*len = w->len;
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
	return buf;
}

/* Make room for n more bytes; returns where they go or NULL. */
static u8 *writer_reserve(struct smb_ndr_writer *w, size_t n)
{
	size_t need, cap;
	u8 *nb;

	/* Nothing to reserve; callers only write through a non-NULL result,
	 * and NULL + 0 on a still empty buffer would be undefined.
	 */
	if (w->error || n == 0)
		return NULL;
	if (smb_add_overflow(w->len, n, &need) || need > w->limit)
		goto fail;
	if (need > w->cap) {
		cap = w->cap ? w->cap : 256;
		while (cap < need)
			cap = cap > w->limit / 2 ? w->limit : cap * 2;
		nb = w->mem->alloc(cap, w->mem->ctx);
		if (!nb)
			goto fail;
		if (w->len)
			memcpy(nb, w->buf, w->len);
		if (w->buf)
			w->mem->free(w->buf, w->mem->ctx);
		w->buf = nb;
		w->cap = cap;
	}
	nb = w->buf + w->len;
	w->len = need;
	return nb;
fail:
	w->error = true;
	return NULL;
}

void smb_ndr_align(struct smb_ndr_writer *w, size_t n)
{
	size_t pad = (n - (w->len & (n - 1))) & (n - 1);
	u8 *p = writer_reserve(w, pad);

	if (p)
		memset(p, 0, pad);
}

void smb_ndr_put_bytes(struct smb_ndr_writer *w, const void *src, size_t n)
{
	u8 *p = writer_reserve(w, n);

	if (p && n)
		memcpy(p, src, n);
}

void smb_ndr_put_u8(struct smb_ndr_writer *w, u8 v)
{
	smb_ndr_put_bytes(w, &v, 1);
}

void smb_ndr_put_u16(struct smb_ndr_writer *w, u16 v)
{
	u8 *p;

	smb_ndr_align(w, 2);
	p = writer_reserve(w, 2);
	if (p)
		smb_put_le16(p, v);
}

void smb_ndr_put_u32(struct smb_ndr_writer *w, u32 v)
{
	u8 *p;

	smb_ndr_align(w, 4);
	p = writer_reserve(w, 4);
	if (p)
		smb_put_le32(p, v);
}

void smb_ndr_put_u64(struct smb_ndr_writer *w, u64 v)
{
	u8 *p;

	smb_ndr_align(w, 8);
	p = writer_reserve(w, 8);
	if (p)
		smb_put_le64(p, v);
}

void smb_ndr_put_ptr(struct smb_ndr_writer *w, bool present)
{
	if (!present) {
		smb_ndr_put_u32(w, 0);
		return;
	}
	smb_ndr_put_u32(w, w->next_referent);
	w->next_referent += 4;
}

void smb_ndr_put_string(struct smb_ndr_writer *w, const char *utf8)
{
	int bytes = smb_utf8_utf16_len(utf8);
	u32 count;
	u8 *p;

	if (bytes < 0) {
		w->error = true;
		return;
	}
	count = (u32)bytes / 2 + 1; /* with the terminator */
	smb_ndr_put_u32(w, count); /* max_count */
	smb_ndr_put_u32(w, 0); /* offset */
	smb_ndr_put_u32(w, count); /* actual_count */
	p = writer_reserve(w, (size_t)count * 2);
	if (!p)
		return;
	if (bytes && smb_utf8_to_utf16(utf8, p, (size_t)bytes) != bytes) {
		w->error = true;
		return;
	}
	smb_put_le16(p + bytes, 0);
}

void smb_ndr_reader_init(struct smb_ndr_reader *r, const u8 *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
}

/* Consume n bytes; returns them or NULL (and the sticky error). */
static const u8 *reader_take(struct smb_ndr_reader *r, size_t n)
{
	const u8 *p;

	if (r->error || n > r->len - r->pos) {
		r->error = true;
		return NULL;
	}
	/* Zero bytes: nothing to return, and no NULL + 0 on an empty input. */
	if (n == 0)
		return NULL;
	p = r->buf + r->pos;
	r->pos += n;
	return p;
}

bool smb_ndr_read_align(struct smb_ndr_reader *r, size_t n)
{
	size_t pad = (n - (r->pos & (n - 1))) & (n - 1);

	reader_take(r, pad);
	return !r->error;
}

u8 smb_ndr_get_u8(struct smb_ndr_reader *r)
{
	const u8 *p = reader_take(r, 1);

	return p ? p[0] : 0;
}

u16 smb_ndr_get_u16(struct smb_ndr_reader *r)
{
	const u8 *p;

	smb_ndr_read_align(r, 2);
	p = reader_take(r, 2);
	return p ? smb_get_le16(p) : 0;
}

u32 smb_ndr_get_u32(struct smb_ndr_reader *r)
{
	const u8 *p;

	smb_ndr_read_align(r, 4);
	p = reader_take(r, 4);
	return p ? smb_get_le32(p) : 0;
}

u64 smb_ndr_get_u64(struct smb_ndr_reader *r)
{
	const u8 *p;

	smb_ndr_read_align(r, 8);
	p = reader_take(r, 8);
	return p ? smb_get_le64(p) : 0;
}

u32 smb_ndr_get_ptr(struct smb_ndr_reader *r)
{
	u32 ref = smb_ndr_get_u32(r);

	if (ref && ++r->pointers > SMB_NDR_MAX_POINTERS) {
		r->error = true;
		return 0;
	}
	return r->error ? 0 : ref;
}

/* The three counts and the code units of a [string]; NULL on error. */
static const u8 *read_string_units(struct smb_ndr_reader *r, u32 *units)
{
	u32 max_count = smb_ndr_get_u32(r);
	u32 offset = smb_ndr_get_u32(r);
	u32 actual = smb_ndr_get_u32(r);
	const u8 *p;

	if (r->error)
		return NULL;
	if (offset != 0 || actual == 0 || actual > max_count ||
	    actual > SMB_NDR_MAX_STRING) {
		r->error = true;
		return NULL;
	}
	p = reader_take(r, (size_t)actual * 2);
	if (!p)
		return NULL;
	/* Exactly one terminator, at the end. */
	if (smb_get_le16(p + (size_t)(actual - 1) * 2) != 0) {
		r->error = true;
		return NULL;
	}
	*units = actual - 1;
	return p;
}

int smb_ndr_get_string(struct smb_ndr_reader *r, char *out, size_t out_size)
{
	u32 units;
	const u8 *p = read_string_units(r, &units);
	int n;

	if (!p)
		return -1;
	if (units == 0) {
		if (out_size == 0)
			goto fail;
		out[0] = '\0';
		return 0;
	}
	n = smb_utf16_to_utf8(p, (size_t)units * 2, out, out_size);
	if (n < 0)
		goto fail;
	return n;
fail:
	r->error = true;
	return -1;
}

bool smb_ndr_skip_string(struct smb_ndr_reader *r)
{
	u32 units;
	const u8 *p = read_string_units(r, &units);
	u32 i;

	if (!p)
		return false;
	for (i = 0; i < units; i++) {
		if (smb_get_le16(p + (size_t)i * 2) == 0) {
			r->error = true;
			return false;
		}
	}
	return true;
}

void smb_ndr_put_flat(struct smb_ndr_writer *w, const char *layout,
		      const struct smb_ndr_flat *v)
{
	unsigned int s = 0, d = 0;

	for (; *layout; layout++) {
		if (*layout == 'p')
			smb_ndr_put_ptr(w, v->str[s++] != NULL);
		else
			smb_ndr_put_u32(w, v->dw[d++]);
	}
}

void smb_ndr_put_flat_deferred(struct smb_ndr_writer *w, const char *layout,
			       const struct smb_ndr_flat *v)
{
	unsigned int s = 0;

	for (; *layout; layout++)
		if (*layout == 'p')
			smb_ndr_put_string_deferred(w, v->str[s++]);
}

size_t smb_ndr_flat_size(const char *layout, const struct smb_ndr_flat *v)
{
	unsigned int s = 0;
	size_t size = 0;
	int n;

	for (; *layout; layout++) {
		size += 4;
		if (*layout != 'p' || !v->str[s++])
			continue;
		n = smb_utf8_utf16_len(v->str[s - 1]);
		size += n > 0 ? (size_t)n + 2 : 2;
	}
	return size;
}

bool smb_ndr_skip_unique_string(struct smb_ndr_reader *r)
{
	if (smb_ndr_get_ptr(r))
		smb_ndr_skip_string(r);
	return !r->error;
}

bool smb_ndr_skip_flat_array(struct smb_ndr_reader *r, const char *layout,
			     u32 count)
{
	size_t members = strlen(layout), strings = 0, i, j;

	if (smb_ndr_get_u32(r) != count || r->error)
		goto fail;
	/* Cheap bound before looping: 4 bytes per member per element. */
	if (!smb_ndr_read_align(r, 4) ||
	    count > (r->len - r->pos) / (members * 4))
		goto fail;
	for (i = 0; i < count; i++) {
		for (j = 0; j < members; j++) {
			if (layout[j] == 'p')
				strings += smb_ndr_get_ptr(r) != 0;
			else
				smb_ndr_get_u32(r);
		}
	}
	for (i = 0; i < strings && !r->error; i++)
		smb_ndr_skip_string(r);
	return !r->error;
fail:
	r->error = true;
	return false;
}
