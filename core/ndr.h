/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ndr.h - a small NDR (C706 chapter 14) marshaller and bounds-checked
 * unmarshaller for the DCE/RPC pipes.  Little-endian data representation
 * only; alignment is relative to the start of the stub data.
 *
 * Both sides use a sticky error flag: once a call fails every later call
 * does nothing, so a decoder can read a whole structure and check
 * smb_ndr_ok() once at the end.
 */
#ifndef SMB_NDR_H
#define SMB_NDR_H

#include "compat.h"
#include "ops.h"

/* Referent ids start here and step by 4, as Windows' stubs number them. */
#define SMB_NDR_REFERENT_BASE 0x00020000u
/* Non-NULL embedded pointers one request may carry before we give up. */
#define SMB_NDR_MAX_POINTERS 1024u
/* Longest string (UTF-16 code units, terminator included) we decode. */
#define SMB_NDR_MAX_STRING 1024u

struct smb_ndr_writer {
	const struct smb_allocator *mem;
	u8 *buf;
	size_t len;
	size_t cap;
	size_t limit; /* never grow past this */
	u32 next_referent;
	bool error;
};

void smb_ndr_writer_init(struct smb_ndr_writer *w,
			 const struct smb_allocator *mem, size_t limit);
void smb_ndr_writer_free(struct smb_ndr_writer *w);
/* Hand the buffer to the caller (free it with w->mem); writer is reset. */
u8 *smb_ndr_writer_take(struct smb_ndr_writer *w, size_t *len);
void smb_ndr_align(struct smb_ndr_writer *w, size_t n);
void smb_ndr_put_u8(struct smb_ndr_writer *w, u8 v);
void smb_ndr_put_u16(struct smb_ndr_writer *w, u16 v);
void smb_ndr_put_u32(struct smb_ndr_writer *w, u32 v);
void smb_ndr_put_u64(struct smb_ndr_writer *w, u64 v);
void smb_ndr_put_bytes(struct smb_ndr_writer *w, const void *p, size_t n);
/*
 * A unique or full pointer's representation: a fresh referent id when
 * present, 0 when NULL.  The pointee is written later by the caller, at
 * the point NDR defers it to.
 */
void smb_ndr_put_ptr(struct smb_ndr_writer *w, bool present);
/* [string] wchar_t *: conformant varying UTF-16LE, terminator included. */
void smb_ndr_put_string(struct smb_ndr_writer *w, const char *utf8);
/* A unique [string] pointer's deferred pointee, if s != NULL. */
static inline void smb_ndr_put_string_deferred(struct smb_ndr_writer *w,
					       const char *s)
{
	if (s)
		smb_ndr_put_string(w, s);
}

/*
 * A flat structure of DWORDs and unique [string] pointers, as most
 * NetApi info levels are.  layout has one letter per member: 'd' a DWORD
 * (the next of dw[]), 'p' a [string] wchar_t * (the next of str[], NULL
 * for a NULL pointer).  NDR writes every structure's fixed part first and
 * the strings after, so arrays call put_flat for each element, then
 * put_flat_deferred for each.
 */
#define SMB_NDR_FLAT_MAX 16
struct smb_ndr_flat {
	const char *str[SMB_NDR_FLAT_MAX];
	u32 dw[SMB_NDR_FLAT_MAX];
};
void smb_ndr_put_flat(struct smb_ndr_writer *w, const char *layout,
		      const struct smb_ndr_flat *v);
void smb_ndr_put_flat_deferred(struct smb_ndr_writer *w, const char *layout,
			       const struct smb_ndr_flat *v);
/* Bytes the flat structure takes: 4 per member plus the strings. */
size_t smb_ndr_flat_size(const char *layout, const struct smb_ndr_flat *v);

static inline bool smb_ndr_writer_ok(const struct smb_ndr_writer *w)
{
	return !w->error;
}

struct smb_ndr_reader {
	const u8 *buf;
	size_t len;
	size_t pos;
	unsigned int pointers; /* non-NULL referents seen so far */
	bool error;
};

void smb_ndr_reader_init(struct smb_ndr_reader *r, const u8 *buf, size_t len);
bool smb_ndr_read_align(struct smb_ndr_reader *r, size_t n);
u8 smb_ndr_get_u8(struct smb_ndr_reader *r);
u16 smb_ndr_get_u16(struct smb_ndr_reader *r);
u32 smb_ndr_get_u32(struct smb_ndr_reader *r);
u64 smb_ndr_get_u64(struct smb_ndr_reader *r);
/*
 * A unique pointer's referent id (0 for NULL).  Non-NULL ones count
 * against SMB_NDR_MAX_POINTERS.  Full-pointer aliasing (a referent id
 * repeated to mean "same pointee") is not supported: no interface served
 * here has [ptr] parameters.
 */
u32 smb_ndr_get_ptr(struct smb_ndr_reader *r);
/*
 * A conformant varying [string] of UTF-16LE into UTF-8 out (NUL
 * terminated).  Checks offset == 0, actual_count <= max_count, a single
 * terminating NUL, the length limit and valid UTF-16.  Returns the UTF-8
 * length or -1 (and sets the error flag).
 */
int smb_ndr_get_string(struct smb_ndr_reader *r, char *out, size_t out_size);
/* Consume a [string] without keeping it (same checks, no conversion). */
bool smb_ndr_skip_string(struct smb_ndr_reader *r);

/* An [in, string, unique] parameter we do not need (e.g. ServerName). */
bool smb_ndr_skip_unique_string(struct smb_ndr_reader *r);
/*
 * Consume a conformant array of count flat structures (see put_flat) with
 * their deferred strings.  Fails when max_count != count or the data
 * cannot hold count elements.
 */
bool smb_ndr_skip_flat_array(struct smb_ndr_reader *r, const char *layout,
			     u32 count);

static inline bool smb_ndr_reader_ok(const struct smb_ndr_reader *r)
{
	return !r->error;
}

/* Mark a reader failed (for semantic errors found by the caller). */
static inline void smb_ndr_reader_fail(struct smb_ndr_reader *r)
{
	r->error = true;
}

#endif /* SMB_NDR_H */
