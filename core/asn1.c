// SPDX-License-Identifier: GPL-2.0-or-later
/* asn1.c - minimal BER/DER TLV reading and DER writing for SPNEGO. */
#include "asn1.h"

/* Longest length we accept or write: four length bytes. */
#define ASN1_MAX_LEN_BYTES 4

void asn1_reader_init(struct asn1_reader *r, const u8 *data, size_t len)
{
	r->data = data;
	r->len = data ? len : 0;
	r->pos = 0;
	r->depth = 0;
}

bool asn1_at_end(const struct asn1_reader *r)
{
	return r->pos >= r->len;
}

int asn1_peek_tag(const struct asn1_reader *r)
{
	if (asn1_at_end(r))
		return -1;
	return r->data[r->pos];
}

int asn1_read(struct asn1_reader *r, struct asn1_tlv *t)
{
	size_t start = r->pos, avail, len, i, nbytes;
	u8 tag, first;

	if (r->pos >= r->len || r->len - r->pos < 2)
		return -1;
	avail = r->len - r->pos;
	tag = r->data[r->pos];
	/* High tag numbers (0x1f form) are never used by SPNEGO. */
	if ((tag & 0x1f) == 0x1f)
		return -1;
	first = r->data[r->pos + 1];
	if (first < 0x80) {
		len = first;
		nbytes = 0;
	} else {
		nbytes = first & 0x7f;
		/* 0x80 is the indefinite form; more than 4 bytes is absurd. */
		if (nbytes == 0 || nbytes > ASN1_MAX_LEN_BYTES)
			return -1;
		if (avail - 2 < nbytes)
			return -1;
		len = 0;
		for (i = 0; i < nbytes; i++)
			len = (len << 8) | r->data[r->pos + 2 + i];
	}
	avail -= 2 + nbytes;
	if (len > avail)
		return -1;
	t->tag = tag;
	t->value = r->data + start + 2 + nbytes;
	t->len = len;
	t->raw = r->data + start;
	t->raw_len = 2 + nbytes + len;
	r->pos = start + t->raw_len;
	return 0;
}

int asn1_read_tag(struct asn1_reader *r, u8 tag, struct asn1_tlv *t)
{
	if (asn1_peek_tag(r) != tag)
		return -1;
	return asn1_read(r, t);
}

int asn1_enter(struct asn1_reader *r, u8 tag, struct asn1_reader *inner)
{
	struct asn1_tlv t;

	if (r->depth >= ASN1_MAX_DEPTH)
		return -1;
	if (asn1_read_tag(r, tag, &t))
		return -1;
	asn1_reader_init(inner, t.value, t.len);
	inner->depth = r->depth + 1;
	return 0;
}

void asn1_writer_init(struct asn1_writer *w, u8 *buf, size_t size)
{
	w->buf = buf;
	w->size = buf ? size : 0;
	w->pos = 0;
	w->depth = 0;
	w->failed = false;
}

static bool writer_room(struct asn1_writer *w, size_t n)
{
	if (w->failed || w->size - w->pos < n) {
		w->failed = true;
		return false;
	}
	return true;
}

static size_t length_bytes(size_t len)
{
	size_t n = 0;

	if (len < 0x80)
		return 1;
	while (len) {
		n++;
		len >>= 8;
	}
	return 1 + n;
}

static void encode_length(u8 *p, size_t len, size_t n)
{
	size_t i;

	if (n == 1) {
		p[0] = (u8)len;
		return;
	}
	p[0] = (u8)(0x80 | (n - 1));
	for (i = n - 1; i >= 1; i--) {
		p[i] = (u8)len;
		len >>= 8;
	}
}

void asn1_open(struct asn1_writer *w, u8 tag)
{
	if (w->depth >= ASN1_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	if (!writer_room(w, 1))
		return;
	w->buf[w->pos++] = tag;
	w->open[w->depth++] = w->pos;
}

void asn1_close(struct asn1_writer *w)
{
	size_t start, clen, n;

	if (w->failed)
		return;
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	start = w->open[--w->depth];
	clen = w->pos - start;
	n = length_bytes(clen);
	if (n > 1 + ASN1_MAX_LEN_BYTES || !writer_room(w, n))
		return;
	/* Slide the contents up to make room for the length. */
	memmove(w->buf + start + n, w->buf + start, clen);
	encode_length(w->buf + start, clen, n);
	w->pos += n;
}

void asn1_put(struct asn1_writer *w, u8 tag, const void *value, size_t len)
{
	size_t n = length_bytes(len), total;

	if (n > 1 + ASN1_MAX_LEN_BYTES ||
	    smb_add_overflow(len, 1 + n, &total)) {
		w->failed = true;
		return;
	}
	if (!writer_room(w, total))
		return;
	w->buf[w->pos] = tag;
	encode_length(w->buf + w->pos + 1, len, n);
	if (len)
		memcpy(w->buf + w->pos + 1 + n, value, len);
	w->pos += 1 + n + len;
}

void asn1_put_raw(struct asn1_writer *w, const void *data, size_t len)
{
	if (!writer_room(w, len))
		return;
	if (len)
		memcpy(w->buf + w->pos, data, len);
	w->pos += len;
}

int asn1_finish(struct asn1_writer *w)
{
	if (w->failed || w->depth != 0 || w->pos > 0x7fffffff)
		return -1;
	return (int)w->pos;
}
