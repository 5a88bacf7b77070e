/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * asn1.h - a minimal, bounds-checked BER/DER TLV reader and DER writer.
 *
 * Enough for SPNEGO (RFC 4178) and its GSS-API framing (RFC 2743): only
 * single-byte tags and definite lengths of at most four length bytes.
 * Indefinite lengths, high tag numbers, lengths running past the enclosing
 * element and nesting deeper than ASN1_MAX_DEPTH are rejected.  Non-minimal
 * (but definite, <= 4 byte) long-form lengths are accepted, as BER allows.
 */
#ifndef SMB_ASN1_H
#define SMB_ASN1_H

#include "compat.h"

#define ASN1_MAX_DEPTH 8

/* Universal tags. */
#define ASN1_BOOLEAN 0x01
#define ASN1_INTEGER 0x02
#define ASN1_BIT_STRING 0x03
#define ASN1_OCTET_STRING 0x04
#define ASN1_OID 0x06
#define ASN1_ENUMERATED 0x0a
#define ASN1_GENERAL_STRING 0x1b
#define ASN1_SEQUENCE 0x30
/* [APPLICATION 0] constructed: the GSS-API InitialContextToken. */
#define ASN1_APPLICATION0 0x60
/* [n] context-specific, constructed (explicit tagging). */
#define ASN1_CONTEXT(n) ((u8)(0xa0 | (n)))

/* A window onto one element's contents. */
struct asn1_reader {
	const u8 *data;
	size_t len;
	size_t pos;
	int depth;
};

/* One element as read: tag, contents, and the whole encoding. */
struct asn1_tlv {
	u8 tag;
	const u8 *value;
	size_t len;
	const u8 *raw; /* tag byte onwards */
	size_t raw_len;
};

void asn1_reader_init(struct asn1_reader *r, const u8 *data, size_t len);
bool asn1_at_end(const struct asn1_reader *r);

/* Tag of the next element without consuming it; -1 at the end. */
int asn1_peek_tag(const struct asn1_reader *r);

/* Read the next element.  Returns 0, or -1 if malformed or at the end. */
int asn1_read(struct asn1_reader *r, struct asn1_tlv *t);

/*
 * Read the next element, which must have tag; on success *inner reads its
 * contents one level deeper.  Returns -1 for another tag, a malformed
 * element or too deep a nesting.
 */
int asn1_enter(struct asn1_reader *r, u8 tag, struct asn1_reader *inner);

/* Read the next element, which must have tag, into *t. */
int asn1_read_tag(struct asn1_reader *r, u8 tag, struct asn1_tlv *t);

/*
 * DER writer.  asn1_open() starts a constructed element, asn1_close() ends
 * the innermost one and fixes its length in place.  Errors (no room, too
 * deep, unbalanced) are sticky and reported by asn1_finish().
 */
struct asn1_writer {
	u8 *buf;
	size_t size;
	size_t pos;
	size_t open[ASN1_MAX_DEPTH]; /* content start of each open element */
	int depth;
	bool failed;
};

void asn1_writer_init(struct asn1_writer *w, u8 *buf, size_t size);
void asn1_open(struct asn1_writer *w, u8 tag);
void asn1_close(struct asn1_writer *w);
void asn1_put(struct asn1_writer *w, u8 tag, const void *value, size_t len);
/* Raw bytes, already DER (for example a prebuilt OID element). */
void asn1_put_raw(struct asn1_writer *w, const void *data, size_t len);
/* Total length written, or -1 after any error or with elements open. */
int asn1_finish(struct asn1_writer *w);

#endif
