/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confedit.h - edit the share sections of ksmbd.conf text in place, keeping
 * comments, formatting and other sections (used by ksmbd.addshare).
 */
#ifndef SMBD_CONFEDIT_H
#define SMBD_CONFEDIT_H

#include "platform.h"

enum smbd_share_op {
	SMBD_SHARE_ADD, /* append a new section; the share must not exist */
	SMBD_SHARE_UPDATE, /* set keys in an existing section */
	SMBD_SHARE_DELETE, /* remove the section and its attached comments */
};

/*
 * Apply op to share in len bytes of text.  opts are "key=value" strings of
 * share keys (ignored for delete); for update, every existing line of the
 * same setting (synonyms included) is replaced by the new one.  On success
 * *out is the malloc'ed NUL-terminated result (*out_len bytes) and 0 is
 * returned; otherwise -1 with a one-line reason in err.  The result is not
 * validated as a whole: callers re-parse it with smbd_config_parse().
 */
int smbd_conf_edit_share(const char *text, size_t len, enum smbd_share_op op,
			 const char *share, const char *const *opts,
			 size_t nopts, char **out, size_t *out_len, char *err,
			 size_t err_size);

/* 1 if text has a [share] section (any case), 0 if not, -1 on ENOMEM. */
int smbd_conf_has_share(const char *text, size_t len, const char *share);

#endif
