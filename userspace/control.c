// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * control.c - the control socket: request dispatcher, serving thread and
 * the client helpers ksmbd.control uses (see control.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "control.h"
#include "server.h"
#include "stats.h"

struct ctl_client {
	int fd; /* -1: slot free */
	u64 deadline_ms; /* for the request being read or answered */
	char in[SMBD_CONTROL_LINE_MAX + 2]; /* a line, its '\r' and '\n' */
	size_t in_len;
	char out[SMBD_CONTROL_REPLY_MAX];
	size_t out_len, out_off;
	bool peer_eof; /* the client sends nothing more */
	enum smbd_control_verdict after; /* once out is written */
};

struct smbd_control {
	int fd;
	int wake[2]; /* a pipe: closing the write end stops the thread */
	pthread_t thread;
	bool serving;
	unsigned int owner; /* euid of the server */
	int timeout_ms; /* per request and reply */
	dev_t dev; /* of the socket file we made */
	ino_t ino;
	struct smbd_control_actions actions;
	struct ctl_client clients[SMBD_CONTROL_MAX_CLIENTS];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

/* ---- requests ------------------------------------------------------------ */

static void default_shutdown(void *ctx)
{
	smbd_server_stop();
}

static void default_set_log_level(void *ctx, int level)
{
	smb_set_log_level(level);
}

int smbd_control_parse_level(const char *word)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{ "error", SMB_LOG_ERR },    { "warn", SMB_LOG_WARN },
		{ "warning", SMB_LOG_WARN }, { "info", SMB_LOG_INFO },
		{ "debug", SMB_LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcasecmp(word, levels[i].name))
			return levels[i].level;
	return -1;
}

bool smbd_control_peer_allowed(unsigned int uid, unsigned int owner)
{
	return uid == 0 || uid == owner;
}

static enum smbd_control_verdict reply_error(char *out, size_t size,
					     size_t *out_len, const char *why)
{
	int n = snprintf(out, size, "error %s\n", why);

	*out_len = n > 0 && (size_t)n < size ? (size_t)n : 0;
	return SMBD_CONTROL_CLOSE;
}

static enum smbd_control_verdict reply_ok(char *out, size_t size,
					  size_t *out_len)
{
	*out_len = (size_t)snprintf(out, size, "ok\n");
	return SMBD_CONTROL_KEEP;
}

/* Split at blanks into at most max words; returns the count or max + 1. */
static int split_words(char *s, char **words, int max)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		words[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
}

enum smbd_control_verdict
smbd_control_dispatch(const struct smbd_control_actions *a, const char *line,
		      size_t len, char *out, size_t out_size, size_t *out_len)
{
	char buf[SMBD_CONTROL_LINE_MAX + 1], *w[3];
	size_t n;
	int nw, level;

	*out_len = 0;
	if (out_size < SMBD_CONTROL_REPLY_MAX)
		return SMBD_CONTROL_CLOSE;
	out[0] = '\0';
	if (len && line[len - 1] == '\r')
		len--;
	if (len > SMBD_CONTROL_LINE_MAX)
		return reply_error(out, out_size, out_len, "request too long");
	for (size_t i = 0; i < len; i++)
		if ((line[i] < 0x20 && line[i] != '\t') || line[i] > 0x7e)
			return reply_error(out, out_size, out_len,
					   "bad character in request");
	memcpy(buf, line, len);
	buf[len] = '\0';
	nw = split_words(buf, w, 2);
	if (nw == 0)
		return reply_error(out, out_size, out_len, "empty request");
	if (!strcmp(w[0], "stats")) {
		if (nw != 1)
			return reply_error(out, out_size, out_len,
					   "usage: stats");
		n = smbd_stats_format(out, out_size);
		if (n + sizeof("end\n") > out_size)
			return reply_error(out, out_size, out_len,
					   "statistics too long");
		memcpy(out + n, "end\n", sizeof("end\n"));
		*out_len = n + sizeof("end\n") - 1;
		return SMBD_CONTROL_KEEP;
	}
	if (!strcmp(w[0], "debug")) {
		if (nw != 2)
			return reply_error(
				out, out_size, out_len,
				"usage: debug error|warn|info|debug");
		level = smbd_control_parse_level(w[1]);
		if (level < 0)
			return reply_error(out, out_size, out_len,
					   "unknown level: use error, warn, "
					   "info or debug");
		if (a && a->set_log_level)
			a->set_log_level(a->ctx, level);
		else
			default_set_log_level(NULL, level);
		smb_log(SMB_LOG_WARN, "control: log level set to %s", w[1]);
		return reply_ok(out, out_size, out_len);
	}
	if (!strcmp(w[0], "shutdown")) {
		if (nw != 1)
			return reply_error(out, out_size, out_len,
					   "usage: shutdown");
		reply_ok(out, out_size, out_len);
		return SMBD_CONTROL_SHUTDOWN;
	}
	return reply_error(out, out_size, out_len, "unknown request");
}

/* ---- the server side ------------------------------------------------------ */

static int make_absolute(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];
	int n;

	if (!path || !*path)
		return -EINVAL;
	if (path[0] == '/')
		n = snprintf(out, size, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(out, size, "%s/%s", cwd, path);
	else
		return -errno;
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void set_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, strlen(path) + 1);
}

/* mkdir the socket's directory (not its parents) if missing. */
static int make_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	memcpy(dir, path, strlen(path) + 1);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A file already at path: a live server's (refuse), stale (remove). */
static int clear_stale(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, r;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_addr(&sa, path);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	close(fd);
	if (r == 0)
		return -EADDRINUSE;
	if (r != -ECONNREFUSED)
		return r;
	smb_info("control: removing stale socket %s", path);
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

int smbd_control_listen(const char *path, struct smbd_control **out)
{
	struct sockaddr_un sa;
	struct smbd_control *c;
	struct stat st;
	int r;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = -1;
	c->wake[0] = c->wake[1] = -1;
	for (int i = 0; i < SMBD_CONTROL_MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	r = make_absolute(path, c->path, sizeof(c->path));
	if (!r)
		r = make_dir(c->path);
	if (!r)
		r = clear_stale(c->path);
	if (r)
		goto fail;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail_errno;
	/* Linux gives the file the socket inode's mode: never world-open. */
	if (fchmod(c->fd, 0600))
		goto fail_errno;
	set_addr(&sa, c->path);
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail_errno;
	if (chmod(c->path, 0600) || lstat(c->path, &st) ||
	    listen(c->fd, SMBD_CONTROL_MAX_CLIENTS) ||
	    pipe2(c->wake, O_CLOEXEC | O_NONBLOCK)) {
		r = -errno;
		unlink(c->path);
		goto fail;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->owner = (unsigned int)geteuid();
	c->timeout_ms = SMBD_CONTROL_TIMEOUT_MS;
	*out = c;
	return 0;
fail_errno:
	r = -errno;
fail:
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return r;
}

const char *smbd_control_path(const struct smbd_control *c)
{
	return c->path;
}

void smbd_control_set_timeout(struct smbd_control *c, int ms)
{
	if (!c->serving && ms > 0)
		c->timeout_ms = ms;
}

static void client_close(struct ctl_client *cl)
{
	close(cl->fd);
	cl->fd = -1;
}

static void refuse(int fd, const char *line)
{
	if (send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* Gone already: nothing to tell. */
	}
	close(fd);
}

static void accept_clients(struct smbd_control *c)
{
	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct ctl_client *cl = NULL;
		int fd = accept4(c->fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
		    !smbd_control_peer_allowed(cred.uid, c->owner)) {
			smb_warn("control: refused a client (uid %d)",
				 len == sizeof(cred) ? (int)cred.uid : -1);
			refuse(fd, "error permission denied\n");
			continue;
		}
		for (int i = 0; i < SMBD_CONTROL_MAX_CLIENTS && !cl; i++)
			if (c->clients[i].fd < 0)
				cl = &c->clients[i];
		if (!cl) {
			refuse(fd, "error busy\n");
			continue;
		}
		memset(cl, 0, sizeof(*cl));
		cl->fd = fd;
		cl->deadline_ms = now_ms() + (u64)c->timeout_ms;
	}
}

/* Answer the next whole line in the input, if any and if out is free. */
static void client_process(struct smbd_control *c, struct ctl_client *cl)
{
	char *nl;
	size_t line_len;

	if (cl->out_off < cl->out_len || cl->after != SMBD_CONTROL_KEEP)
		return;
	nl = memchr(cl->in, '\n', cl->in_len);
	if (!nl && cl->in_len > SMBD_CONTROL_LINE_MAX + 1) {
		cl->after = smbd_control_dispatch(&c->actions, cl->in,
						  cl->in_len, cl->out,
						  sizeof(cl->out),
						  &cl->out_len);
	} else if (nl || (cl->peer_eof && cl->in_len)) {
		line_len = nl ? (size_t)(nl - cl->in) : cl->in_len;
		cl->after = smbd_control_dispatch(&c->actions, cl->in, line_len,
						  cl->out, sizeof(cl->out),
						  &cl->out_len);
		if (nl)
			line_len++;
		cl->in_len -= line_len;
		memmove(cl->in, cl->in + line_len, cl->in_len);
	} else {
		return;
	}
	cl->out_off = 0;
}

/* Write what is pending; false when the client is to be closed. */
static bool client_flush(struct smbd_control *c, struct ctl_client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off,
				 cl->out_len - cl->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
			       errno == EINTR;
		cl->out_off += (size_t)n;
	}
	if (cl->after == SMBD_CONTROL_SHUTDOWN) {
		smb_log(SMB_LOG_WARN, "control: shutdown requested");
		if (c->actions.shutdown)
			c->actions.shutdown(c->actions.ctx);
		else
			default_shutdown(NULL);
		return false;
	}
	if (cl->after == SMBD_CONTROL_CLOSE)
		return false;
	/* Replied: the next request gets a full timeout of its own. */
	if (cl->out_len) {
		cl->out_len = cl->out_off = 0;
		cl->deadline_ms = now_ms() + (u64)c->timeout_ms;
	}
	return !(cl->peer_eof && cl->in_len == 0);
}

/* Input is readable; false when the client is to be closed. */
static bool client_read(struct smbd_control *c, struct ctl_client *cl)
{
	/* One byte past a maximal line + "\r\n" tells "too long" apart. */
	size_t room = sizeof(cl->in) - cl->in_len;
	ssize_t n;

	if (room == 0)
		return true;
	n = recv(cl->fd, cl->in + cl->in_len, room, MSG_DONTWAIT);
	if (n > 0)
		cl->in_len += (size_t)n;
	else if (n == 0)
		cl->peer_eof = true;
	else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		return false;
	return true;
}

static void client_step(struct smbd_control *c, struct ctl_client *cl,
			short revents)
{
	bool keep = true;

	if (revents & POLLIN)
		keep = client_read(c, cl);
	else if (revents & (POLLHUP | POLLERR))
		keep = false;
	/* Requests already received are answered one after the other. */
	while (keep) {
		bool answered;

		client_process(c, cl);
		answered = cl->out_len > 0;
		keep = client_flush(c, cl);
		if (!answered || cl->out_off < cl->out_len)
			break;
	}
	if (!keep)
		client_close(cl);
}

static void *control_main(void *arg)
{
	struct pollfd pfd[SMBD_CONTROL_MAX_CLIENTS + 2];
	struct ctl_client *who[SMBD_CONTROL_MAX_CLIENTS + 2];
	struct smbd_control *c = arg;

	for (;;) {
		u64 now = now_ms(), next = now + 1000;
		int n = 0, r;

		pfd[n++] =
			(struct pollfd){ .fd = c->wake[0], .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		for (int i = 0; i < SMBD_CONTROL_MAX_CLIENTS; i++) {
			struct ctl_client *cl = &c->clients[i];

			if (cl->fd < 0)
				continue;
			if (now >= cl->deadline_ms) {
				smb_dbg("control: client timed out");
				client_close(cl);
				continue;
			}
			if (cl->deadline_ms < next)
				next = cl->deadline_ms;
			who[n] = cl;
			pfd[n++] = (struct pollfd){
				.fd = cl->fd,
				.events = cl->out_off < cl->out_len ? POLLOUT :
					  cl->peer_eof		    ? 0 :
								      POLLIN,
			};
		}
		r = poll(pfd, (nfds_t)n, (int)(next - now));
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		if (pfd[0].revents)
			break; /* the write end was closed: stop */
		if (pfd[1].revents & POLLIN)
			accept_clients(c);
		for (int i = 2; i < n; i++)
			if (pfd[i].revents)
				client_step(c, who[i], pfd[i].revents);
	}
	return NULL;
}

int smbd_control_serve(struct smbd_control *c,
		       const struct smbd_control_actions *actions)
{
	sigset_t all, old;
	int r;

	if (!c || c->serving)
		return -EINVAL;
	if (actions)
		c->actions = *actions;
	/* Signals stay with the caller's thread (SIGTERM stops the server). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&c->thread, NULL, control_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		return -r;
	c->serving = true;
	return 0;
}

void smbd_control_close(struct smbd_control *c)
{
	struct stat st;

	if (!c)
		return;
	close(c->wake[1]);
	if (c->serving)
		pthread_join(c->thread, NULL);
	close(c->wake[0]);
	for (int i = 0; i < SMBD_CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			client_close(&c->clients[i]);
	close(c->fd);
	/* Only our own socket: a newer server may own the path by now. */
	if (lstat(c->path, &st) == 0 && st.st_dev == c->dev &&
	    st.st_ino == c->ino)
		unlink(c->path);
	free(c);
}

/* ---- the client side ------------------------------------------------------ */

/* Wait for events on fd until deadline; -ETIMEDOUT when it passed. */
static int wait_fd(int fd, short events, u64 deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		u64 now = now_ms();
		int r;

		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(deadline - now));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int send_request(int fd, const char *request, u64 deadline)
{
	size_t len = strlen(request), off = 0;
	char line[SMBD_CONTROL_LINE_MAX + 2];

	if (len > SMBD_CONTROL_LINE_MAX)
		return -EMSGSIZE;
	memcpy(line, request, len);
	line[len++] = '\n';
	while (off < len) {
		ssize_t n = send(fd, line + off, len - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		int r;

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		r = wait_fd(fd, POLLOUT, deadline);
		if (r)
			return r;
	}
	shutdown(fd, SHUT_WR);
	return 0;
}

static int read_reply(int fd, char *buf, size_t size, u64 deadline)
{
	size_t len = 0;

	for (;;) {
		ssize_t n;
		int r;

		if (len + 1 >= size)
			return -EPROTO;
		n = recv(fd, buf + len, size - 1 - len, MSG_DONTWAIT);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == ECONNRESET && len)
			break;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		r = wait_fd(fd, POLLIN, deadline);
		if (r)
			return r;
	}
	buf[len] = '\0';
	/* Every reply is whole lines; a cut one means the server went away. */
	if (!len || buf[len - 1] != '\n' || memchr(buf, '\0', len))
		return -EPROTO;
	return 0;
}

int smbd_control_request(const char *path, const char *request, int timeout_ms,
			 char **reply)
{
	u64 deadline = now_ms() + (u64)(timeout_ms > 0 ? timeout_ms : 1);
	struct sockaddr_un sa;
	char *buf;
	int fd, r;

	*reply = NULL;
	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	buf = malloc(SMBD_CONTROL_REPLY_MAX + 1);
	if (!buf)
		return -ENOMEM;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	set_addr(&sa, path);
	/* A local connect does not wait: full backlog is -EAGAIN. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		r = -errno;
	else
		r = send_request(fd, request, deadline);
	/* A server that refuses us may close first: its reason is there. */
	if (!r || r == -EPIPE || r == -ECONNRESET)
		r = read_reply(fd, buf, SMBD_CONTROL_REPLY_MAX + 1, deadline);
	close(fd);
	if (r) {
		free(buf);
		return r;
	}
	*reply = buf;
	return 0;
}

/* ---- printing a stats reply ---------------------------------------------- */

#define PRINT_MAX_TRANSPORTS 8
#define PRINT_MAX_KEYS 32
#define PRINT_NAME_MAX 32

struct stats_table {
	char tnames[PRINT_MAX_TRANSPORTS][PRINT_NAME_MAX];
	char keys[PRINT_MAX_KEYS][PRINT_NAME_MAX];
	unsigned long long v[PRINT_MAX_TRANSPORTS][PRINT_MAX_KEYS];
	bool have[PRINT_MAX_TRANSPORTS][PRINT_MAX_KEYS];
	int ntransports, nkeys;
};

static bool name_ok(const char *s, size_t len)
{
	if (len == 0 || len >= PRINT_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* Index of name in the list, added if new; -1 when full. */
static int intern(char (*list)[PRINT_NAME_MAX], int *count, int max,
		  const char *name, size_t len)
{
	for (int i = 0; i < *count; i++)
		if (strlen(list[i]) == len && !memcmp(list[i], name, len))
			return i;
	if (*count == max)
		return -1;
	memcpy(list[*count], name, len);
	list[*count][len] = '\0';
	return (*count)++;
}

/* One "t.key value" line (no newline) into the table. */
static int parse_stat_line(struct stats_table *t, const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len), *sp = memchr(s, ' ', len);
	unsigned long long v = 0;
	int ti, ki;

	if (!dot || !sp || dot > sp || sp + 1 == s + len)
		return -EPROTO;
	for (const char *p = sp + 1; p < s + len; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (*p < '0' || *p > '9' || v > (ULLONG_MAX - d) / 10)
			return -EPROTO;
		v = v * 10 + d;
	}
	if (!name_ok(s, (size_t)(dot - s)) ||
	    !name_ok(dot + 1, (size_t)(sp - dot - 1)))
		return -EPROTO;
	ti = intern(t->tnames, &t->ntransports, PRINT_MAX_TRANSPORTS, s,
		    (size_t)(dot - s));
	ki = intern(t->keys, &t->nkeys, PRINT_MAX_KEYS, dot + 1,
		    (size_t)(sp - dot - 1));
	if (ti < 0 || ki < 0)
		return -EPROTO;
	t->v[ti][ki] = v;
	t->have[ti][ki] = true;
	return 0;
}

static int parse_stats(struct stats_table *t, const char *reply)
{
	const char *s = reply;

	memset(t, 0, sizeof(*t));
	for (;;) {
		const char *nl = strchr(s, '\n');

		if (!nl)
			return -EPROTO;
		if (nl - s == 3 && !memcmp(s, "end", 3))
			return nl[1] ? -EPROTO : 0;
		if (parse_stat_line(t, s, (size_t)(nl - s)))
			return -EPROTO;
		s = nl + 1;
	}
}

int smbd_control_print_stats(FILE *f, const char *reply, bool json)
{
	struct stats_table *t = malloc(sizeof(*t));
	int r = t ? parse_stats(t, reply) : -ENOMEM;

	if (r) {
		free(t);
		return r;
	}
	if (json) {
		fputc('{', f);
		for (int i = 0; i < t->ntransports; i++) {
			bool first = true;

			fprintf(f, "%s\"%s\":{", i ? "," : "", t->tnames[i]);
			for (int k = 0; k < t->nkeys; k++) {
				if (!t->have[i][k])
					continue;
				fprintf(f, "%s\"%s\":%llu", first ? "" : ",",
					t->keys[k], t->v[i][k]);
				first = false;
			}
			fputc('}', f);
		}
		fputs("}\n", f);
	} else {
		fprintf(f, "%-18s", "counter");
		for (int i = 0; i < t->ntransports; i++)
			fprintf(f, " %16s", t->tnames[i]);
		fputc('\n', f);
		for (int k = 0; k < t->nkeys; k++) {
			fprintf(f, "%-18s", t->keys[k]);
			for (int i = 0; i < t->ntransports; i++) {
				if (t->have[i][k])
					fprintf(f, " %16llu", t->v[i][k]);
				else
					fprintf(f, " %16s", "-");
			}
			fputc('\n', f);
		}
	}
	free(t);
	return 0;
}
