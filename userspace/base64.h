/* SPDX-License-Identifier: GPL-2.0-or-later */
/* base64.h - RFC 4648 base64 (standard alphabet, padded) for ksmbdpwd.db. */
#ifndef SMBD_BASE64_H
#define SMBD_BASE64_H

#include "platform.h"

/* Characters (without NUL) needed to encode len bytes. */
size_t smbd_base64_encoded_len(size_t len);

/*
 * Encode len bytes into out as a NUL-terminated string.  Returns the string
 * length, or -1 if out_size is too small (out is then "" if out_size > 0).
 */
int smbd_base64_encode(const void *in, size_t len, char *out, size_t out_size);

/*
 * Decode len characters of strict padded base64 (length a multiple of 4,
 * '=' only as final padding, unused bits zero, no whitespace).  Returns the
 * number of bytes written, or -1 for invalid input or no room.
 */
int smbd_base64_decode(const char *in, size_t len, u8 *out, size_t out_size);

#endif
