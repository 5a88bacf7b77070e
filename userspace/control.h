/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control.h - the local control socket of smbdirectd and its client side
 * (ksmbd.control).
 *
 * A UNIX stream socket (default SMBD_CONTROL_DEFAULT_PATH, mode 0600 in a
 * 0700 directory).  Only root and the server's own user may use it: the
 * peer's credentials (SO_PEERCRED) are checked on accept.  One small
 * thread serves it with poll(), so nothing here ever waits on the SMB
 * engine.  The protocol is line based, ASCII, one request per line of at
 * most SMBD_CONTROL_LINE_MAX bytes ("\n" or "\r\n" ends it):
 *
 *   stats          ->  "TRANSPORT.KEY VALUE" lines (stats.h), then "end"
 *   debug LEVEL    ->  "ok": log level error|warn|warning|info|debug
 *   shutdown       ->  "ok", then the server stops (smbd_server_stop)
 *
 * Anything else, an over-long line or a byte outside printable ASCII gets
 * one "error WHY" line and the connection is closed.  A client has
 * SMBD_CONTROL_TIMEOUT_MS for each request and its reply; at most
 * SMBD_CONTROL_MAX_CLIENTS are served at once.  Several requests may be
 * sent on one connection; after the client shuts down its sending side the
 * pending replies are written and the connection is closed.
 */
#ifndef SMBD_CONTROL_H
#define SMBD_CONTROL_H

#include "platform.h"

#define SMBD_CONTROL_DEFAULT_PATH "/run/smbdirectd/control.sock"
#define SMBD_CONTROL_LINE_MAX 256 /* request bytes, without the newline */
#define SMBD_CONTROL_REPLY_MAX 8192 /* largest reply the server sends */
#define SMBD_CONTROL_TIMEOUT_MS 5000
#define SMBD_CONTROL_MAX_CLIENTS 8

/* What the requests do; NULL members (or a NULL table) use the real ones. */
struct smbd_control_actions {
	void (*shutdown)(void *ctx); /* default: smbd_server_stop() */
	void (*set_log_level)(void *ctx, int level); /* smb_set_log_level */
	void *ctx;
};

enum smbd_control_verdict {
	SMBD_CONTROL_KEEP = 0, /* reply, then wait for the next request */
	SMBD_CONTROL_CLOSE = 1, /* reply, then close (an error) */
	SMBD_CONTROL_SHUTDOWN = 2, /* reply, close, then run ->shutdown */
};

/*
 * Handle one request line of len bytes (no newline; a trailing '\r' is
 * ignored).  The reply, newline-terminated, goes to out (NUL-terminated,
 * *out_len bytes); out_size must be at least SMBD_CONTROL_REPLY_MAX.
 * "debug" calls ->set_log_level here; "shutdown" leaves ->shutdown to the
 * caller (SMBD_CONTROL_SHUTDOWN), so the reply can go out first.
 */
enum smbd_control_verdict
smbd_control_dispatch(const struct smbd_control_actions *a, const char *line,
		      size_t len, char *out, size_t out_size, size_t *out_len);

/* "error", "warn"/"warning", "info", "debug" (any case) -> SMB_LOG_*; -1. */
int smbd_control_parse_level(const char *word);

/* Whether a peer with this uid may use the socket of a server run by owner. */
bool smbd_control_peer_allowed(unsigned int uid, unsigned int owner);

struct smbd_control;

/*
 * Create the socket at path (relative paths are made absolute, so a later
 * chdir does not matter); its directory is created (0700) if missing, one
 * level only.  A socket file nobody answers on is replaced; returns
 * -EADDRINUSE if a live server owns path, -EEXIST if path is not a socket,
 * -ENAMETOOLONG, or another negative errno.  Nothing is served yet.
 */
int smbd_control_listen(const char *path, struct smbd_control **out);
/* Start the serving thread; a NULL actions uses the defaults. */
int smbd_control_serve(struct smbd_control *c,
		       const struct smbd_control_actions *actions);
/* Stop the thread, close every client, remove the socket file; NULL ok. */
void smbd_control_close(struct smbd_control *c);
const char *smbd_control_path(const struct smbd_control *c);
/* Before smbd_control_serve: SMBD_CONTROL_TIMEOUT_MS instead (tests). */
void smbd_control_set_timeout(struct smbd_control *c, int ms);

/*
 * Client: connect to path, send request (one line, newline added), and
 * read the whole reply into a malloc'ed NUL-terminated *reply (at most
 * SMBD_CONTROL_REPLY_MAX bytes).  Returns 0, or a negative errno:
 * -ENOENT/-ECONNREFUSED no server, -EACCES not allowed, -ETIMEDOUT,
 * -EPROTO a reply that is too long or cut short.
 */
int smbd_control_request(const char *path, const char *request, int timeout_ms,
			 char **reply);

/*
 * Print a "stats" reply: a table (one row per key, one column per
 * transport, "-" where a transport has no such counter) or, with json, one
 * line {"tcp":{"accepted":1,...},"rdma":{...}}.  Returns 0, or -EPROTO for
 * a reply that is not a stats reply (nothing printed).
 */
int smbd_control_print_stats(FILE *f, const char *reply, bool json);

#endif /* SMBD_CONTROL_H */
