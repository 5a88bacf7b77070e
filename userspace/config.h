/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.h - ksmbd.conf parsing for the userspace server and tools.
 *
 * The file format is ksmbd-tools' (Samba-like INI): "[global]" and one
 * section per share, "key = value" lines, '#' and ';' comments, keys
 * case-insensitive with spaces significant only between words.
 */
#ifndef SMBD_CONFIG_H
#define SMBD_CONFIG_H

#include "platform.h"
#include "smbd.h"

struct smbd_config {
	struct smb_server_config server; /* shares are malloc'ed */
	char interfaces[1024]; /* space/comma separated, "" = all */
	bool bind_interfaces_only;
	u16 tcp_port; /* default 445 */
	int log_level; /* SMB_LOG_* */
	char path[4096]; /* file this was loaded from */
};

/* Fill cfg with the built-in defaults (as ksmbd uses). */
void smbd_config_defaults(struct smbd_config *cfg);

/*
 * Load path into cfg (defaults first).  Unknown keys are warned about on
 * stderr as "FILE:LINE: unknown key 'k' ignored".  Returns 0, or -1 with a
 * one-line message "FILE:LINE: KEY: why" in err for an invalid value,
 * unreadable file or syntax error.
 */
int smbd_config_load(const char *path, struct smbd_config *cfg, char *err,
		     size_t err_size);
void smbd_config_free(struct smbd_config *cfg);

#endif
