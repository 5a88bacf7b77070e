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

/* Which listeners smbdirectd opens ("transport" in [global]). */
enum smbd_transport_mode {
	SMBD_TRANSPORT_ALL = 0, /* TCP and, if a device exists, RDMA */
	SMBD_TRANSPORT_TCP_ONLY = 1,
	SMBD_TRANSPORT_RDMA_ONLY = 2,
};

/*
 * SMB Direct ([MS-SMBD]) tuning, the "smb direct ..." keys; the defaults
 * are the engine's (transport/smbdirect.h).  Sizes are whole SMBD
 * messages, header included.
 */
struct smbd_direct_config {
	u32 max_read_size; /* largest SMB2 READ pushed by RDMA Write */
	u32 max_write_size; /* largest SMB2 WRITE pulled by RDMA Read */
	u32 max_receive_size; /* MaxReceiveSize: each receive buffer */
	u32 max_send_size; /* MaxSendSize */
	u32 max_fragmented_size; /* MaxFragmentedSize: largest PDU taken */
	u16 receive_credits; /* ReceiveCreditMax: receive buffers posted */
	u16 send_credits; /* SendCreditTarget: credits asked of the peer */
};

struct smbd_config {
	struct smb_server_config server; /* shares are malloc'ed */
	char interfaces[1024]; /* space/comma separated, "" = all */
	bool bind_interfaces_only;
	u16 tcp_port; /* default 445 */
	u16 rdma_port; /* SMB Direct; default 5445 */
	enum smbd_transport_mode transport; /* default all */
	struct smbd_direct_config smbdirect;
	int log_level; /* SMB_LOG_* */
	/* READ/WRITE/FLUSH/ECHO/CANCEL of one connection run at once */
	int max_inflight;
	u32 durable_timeout_s; /* cap of durable v2 timeouts, seconds */
	/* "smb3 encryption" in [global]: enum smb_encrypt_mode (crypt.h). */
	int smb3_encryption;
	/* Shares whose section says "smb3 encryption = yes". */
	struct smb_name_list encrypt_shares;
	bool multichannel; /* "server multi channel support" */
	/* "use sendfile": plain READ data over TCP goes by sendfile(2) */
	bool use_sendfile;
	char path[4096]; /* file this was loaded from */
};

/* Limits of the file format. */
#define SMBD_CONFIG_MAX_SIZE (16u << 20) /* bytes in a ksmbd.conf */
#define SMBD_CONFIG_LINE_MAX 8191 /* bytes in one line, without newline */
#define SMBD_SHARE_NAME_MAX 80 /* characters in a share name */
#define SMBD_DEFAULT_CONFIG "/etc/ksmbd/ksmbd.conf"
#define SMBD_TOOLS_VERSION "0.1"

/* Where a key may appear. */
enum smbd_key_scope {
	SMBD_KEY_UNKNOWN = 0, /* not a ksmbd key at all */
	SMBD_KEY_GLOBAL, /* [global] only */
	SMBD_KEY_SHARE, /* a share; in [global] it sets the share default */
};

struct smb_rdma_config;

/* The RDMA listener configuration for cfg->smbdirect (zeroes the rest). */
void smbd_config_rdma(const struct smbd_config *cfg,
		      struct smb_rdma_config *out);

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

/*
 * Like smbd_config_load, but parse len bytes of text; name is used in
 * messages.  On failure cfg holds the defaults and no allocations.
 */
int smbd_config_parse(const char *name, const char *text, size_t len,
		      struct smbd_config *cfg, char *err, size_t err_size);

/* Warnings go to f instead of stderr (NULL: back to stderr). */
void smbd_config_set_warn_stream(FILE *f);

/*
 * Normalise a key: trimmed, lower case, each run of blanks one space.
 * out_size must be > 0; longer keys are truncated.
 */
void smbd_config_normalize_key(const char *key, size_t len, char *out,
			       size_t out_size);

/*
 * Classify a key (any case or spacing).  *supported (may be NULL) says
 * whether this server implements it.  *setting (may be NULL) gets the
 * canonical name of the setting, shared by synonyms ("writeable" and
 * "read only" both give "read only").
 */
enum smbd_key_scope smbd_config_key_scope(const char *key, bool *supported,
					  const char **setting);

/* 0 if name is a valid share name, else -1 and the reason in why. */
int smbd_config_check_share_name(const char *name, char *why, size_t why_size);

/* The share called name (case-insensitive), or NULL. */
const struct smb_share_config *
smbd_config_find_share(const struct smbd_config *cfg, const char *name);

#endif
