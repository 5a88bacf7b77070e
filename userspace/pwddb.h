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
#endif
