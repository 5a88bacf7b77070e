/* SPDX-License-Identifier: GPL-2.0-or-later */
/* utf16.h - UTF-16LE (wire) <-> UTF-8 (VFS) conversion and name compare. */
#ifndef SMB_UTF16_H
#define SMB_UTF16_H

#include "compat.h"

/*
 * Convert len bytes of UTF-16LE to NUL-terminated UTF-8 in out (size
 * out_size).  Returns the UTF-8 length, or -1 for an odd length, an
 * unpaired surrogate, an embedded NUL or no room.
 */
int smb_utf16_to_utf8(const u8 *in, size_t len, char *out, size_t out_size);

/*
 * Convert NUL-terminated UTF-8 to UTF-16LE without terminator.  Returns the
 * byte count written, or -1 for invalid UTF-8 or no room.
 */
int smb_utf8_to_utf16(const char *in, u8 *out, size_t out_size);

/* Byte length the UTF-16LE form of in would take, or -1 if invalid. */
int smb_utf8_utf16_len(const char *in);

/* Decode one code point from UTF-8; returns bytes used or -1. */
int smb_utf8_decode(const char *s, u32 *cp);

/* Simple (ASCII + Latin-1 + Greek/Cyrillic basic) case folding for names. */
u32 smb_upcase(u32 cp);

/* Case-insensitive equality of two UTF-8 names. */
bool smb_name_equal_ci(const char *a, const char *b);

#endif
