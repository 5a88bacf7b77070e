/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rc4.h - RC4 (ARCFOUR), only for the NTLM key exchange. */
#ifndef SMB_RC4_H
#define SMB_RC4_H

#include "compat.h"

/*
 * Encrypt or decrypt len bytes of data in place with a fresh keystream
 * from key.  Only the first 256 key bytes matter; an empty key leaves data
 * unchanged.
 */
void smb_rc4(const u8 *key, size_t key_len, u8 *data, size_t len);

#endif
