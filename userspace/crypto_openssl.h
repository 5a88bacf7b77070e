/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crypto_openssl.h - the core's crypto ops table backed by OpenSSL 3. */
#ifndef SMB_CRYPTO_OPENSSL_H
#define SMB_CRYPTO_OPENSSL_H

#include "ops.h"

/*
 * A static, immutable ops table.  Every op is safe to call from any number
 * of threads at once: each call builds its own OpenSSL contexts, and the
 * only shared objects are algorithm handles fetched once and never changed.
 * Only the default provider is needed (MD4 and RC4 live in the core).
 */
const struct smb_crypto_ops *smb_openssl_crypto_ops(void);

#endif /* SMB_CRYPTO_OPENSSL_H */
