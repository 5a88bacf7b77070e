/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pwddb.h - ksmbd's user database (ksmbdpwd.db): one "user:base64(NT hash)"
 * line per user, so databases made by ksmbd-tools work unchanged.
 */
#ifndef SMBD_PWDDB_H
#define SMBD_PWDDB_H

#include "platform.h"
#include "ops.h"

struct smbd_pwddb;

/* Load the database; a missing file is an empty database. -1 + err on error. */
int smbd_pwddb_load(const char *path, struct smbd_pwddb **out, char *err,
		    size_t err_size);
void smbd_pwddb_free(struct smbd_pwddb *db);
/* Matches smb_user_ops.lookup: ctx is the smbd_pwddb. 0 if found. */
int smbd_pwddb_lookup(void *ctx, const char *name, struct smb_user *out);

#define SMBD_DEFAULT_PWDDB "/etc/ksmbd/ksmbdpwd.db"
#define SMBD_PWDDB_MAX_SIZE (16u << 20)
#define SMBD_USER_NAME_MAX 47 /* bytes; ksmbd-tools allows [1, 48) */
#define SMBD_PASSWORD_MAX 128 /* bytes of UTF-8 */

/* An empty database (NULL if out of memory). */
struct smbd_pwddb *smbd_pwddb_new(void);
size_t smbd_pwddb_count(const struct smbd_pwddb *db);

/* 0 if name may be stored (UTF-8, 1..47 bytes, no ':' or control). */
int smbd_pwddb_check_name(const char *name, char *why, size_t why_size);

/*
 * Editing (for ksmbd.adduser).  Names match case-insensitively.  Each
 * returns 0, or -1 with a one-line reason in err: add fails if the user
 * exists, update and delete if it does not.
 */
int smbd_pwddb_add(struct smbd_pwddb *db, const char *name,
		   const u8 nt_hash[16], char *err, size_t err_size);
int smbd_pwddb_update(struct smbd_pwddb *db, const char *name,
		      const u8 nt_hash[16], char *err, size_t err_size);
int smbd_pwddb_delete(struct smbd_pwddb *db, const char *name, char *err,
		      size_t err_size);

/* Write the database to path atomically with mode 0600. */
int smbd_pwddb_save(const struct smbd_pwddb *db, const char *path, char *err,
		    size_t err_size);
#endif
