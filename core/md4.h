/* SPDX-License-Identifier: GPL-2.0-or-later */
/* md4.h - MD4 (RFC 1320), only for NT password hashes. */
#ifndef SMB_MD4_H
#define SMB_MD4_H

#include "compat.h"

#define SMB_MD4_SIZE 16

void smb_md4(const void *data, size_t len, u8 out[SMB_MD4_SIZE]);

/* NT hash: MD4 of the UTF-16LE password.  Returns 0, or -1 for bad UTF-8. */
int smb_nt_hash(const char *password_utf8, u8 out[SMB_MD4_SIZE]);

#endif
