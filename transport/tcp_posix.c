// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_posix.c - the Direct TCP transport over POSIX sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "addr_posix.h"
#include "stats.h"
#include "tcp_frame.h"
#include "tcp_posix.h"

#define TCP_DEFAULT_SEND_TIMEOUT_MS 30000
#define TCP_DEFAULT_BACKLOG 128
#define TCP_NAME_LEN SMB_ADDR_NAME_LEN
/* iovs kept on the stack by send_pdu; more are allocated. */
#define TCP_STACK_IOVS 16

struct smb_tcp_listener {
	int fd;
	u16 port;
	struct smb_tcp_config cfg;
	char name[TCP_NAME_LEN];
};

struct smb_tconn {
	int fd;
	int closed; /* atomic: disconnect ran */
	struct smb_tcp_config cfg;
	pthread_mutex_t send_lock;
	struct smb_tcp_frame frame;
	u8 *borrowed; /* last PDU given out by recv_pdu */
	char peer[TCP_NAME_LEN];
};

/*
 * The framer writes every byte of its buffers before reading it, so this
 * private allocator skips the zeroing struct smb_allocator promises: a
 * multi-megabyte WRITE would otherwise be written twice.
 */
static void *tcp_alloc(size_t size, void *ctx)
{
	return malloc(size);
}

static void tcp_free(void *p, void *ctx)
{
	free(p);
}

static const struct smb_allocator tcp_mem = { .alloc = tcp_alloc,
					      .free = tcp_free };

static void tcp_config_resolve(struct smb_tcp_config *out,
			       const struct smb_tcp_config *in)
{
	if (in)
		*out = *in;
	else
		memset(out, 0, sizeof(*out));
	if (!out->max_pdu || out->max_pdu > SMB_TCP_MAX_LENGTH)
		out->max_pdu = out->max_pdu ? SMB_TCP_MAX_LENGTH :
					      SMB_TCP_DEFAULT_MAX_PDU;
	if (!out->max_read)
		out->max_read = SMB_TCP_DEFAULT_MAX_IO;
	if (!out->max_write)
		out->max_write = SMB_TCP_DEFAULT_MAX_IO;
	if (out->send_timeout_ms <= 0)
		out->send_timeout_ms = TCP_DEFAULT_SEND_TIMEOUT_MS;
	if (out->backlog <= 0)
		out->backlog = TCP_DEFAULT_BACKLOG;
	if (out->stage_size < SMB_TCP_HDR_SIZE)
		out->stage_size = SMB_TCP_DEFAULT_STAGE;
}

/* ---- listening ---------------------------------------------------------- */

static int listener_open(const struct sockaddr *sa, socklen_t salen,
			 bool v6only, const struct smb_tcp_config *cfg,
			 struct smb_tcp_listener **out)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	struct smb_tcp_listener *l;
	int one = 1, v6 = v6only ? 1 : 0, err;
	int fd = socket(sa->sa_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (sa->sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6))) ||
	    bind(fd, sa, salen) || listen(fd, cfg->backlog) ||
	    getsockname(fd, (struct sockaddr *)&local, &len))
		goto fail;
	l = calloc(1, sizeof(*l));
	if (!l) {
		errno = ENOMEM;
		goto fail;
	}
	l->fd = fd;
	l->cfg = *cfg;
	l->port = ntohs(local.ss_family == AF_INET6 ?
				((struct sockaddr_in6 *)&local)->sin6_port :
				((struct sockaddr_in *)&local)->sin_port);
	smb_sockaddr_name((struct sockaddr *)&local, l->name, sizeof(l->name));
	*out = l;
	return 0;
fail:
	err = -errno;
	close(fd);
	return err;
}

struct listen_set {
	struct smb_tcp_listener **out;
	int max;
	int n;
	const struct smb_tcp_config *cfg;
};

static int listen_add(struct listen_set *set, const struct sockaddr *sa,
		      socklen_t salen, bool v6only)
{
	char name[TCP_NAME_LEN];
	int r;

	if (set->n >= set->max)
		return -ENOSPC;
	r = listener_open(sa, salen, v6only, set->cfg, &set->out[set->n]);
	if (r < 0) {
		smb_sockaddr_name(sa, name, sizeof(name));
		smb_err("tcp: cannot listen on %s: %s", name, strerror(-r));
		return r;
	}
	set->n++;
	return 0;
}

static int listen_fn(void *ctx, const struct sockaddr *sa, socklen_t salen)
{
	return listen_add(ctx, sa, salen, true);
}

/* No address configured: IPv6 dual-stack, or IPv4 without IPv6. */
static int listen_any(struct listen_set *set, u16 port)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in s4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
	int r = listener_open((struct sockaddr *)&s6, sizeof(s6), false,
			      set->cfg, &set->out[set->n]);

	if (r == 0) {
		set->n++;
		return 0;
	}
	if (r != -EAFNOSUPPORT && r != -EADDRNOTAVAIL)
		smb_warn("tcp: IPv6 listen failed (%s), trying IPv4",
			 strerror(-r));
	return listen_add(set, (struct sockaddr *)&s4, sizeof(s4), false);
}

int smb_tcp_listen(const char *addresses, u16 port,
		   const struct smb_tcp_config *cfg,
		   struct smb_tcp_listener **out, int max)
{
	struct smb_tcp_config rc;
	struct listen_set set = { out, max, 0, &rc };
	int r;

	if (max <= 0)
		return -EINVAL;
	tcp_config_resolve(&rc, cfg);
	r = smb_addr_list_foreach(addresses, port, "tcp", listen_fn, &set);
	if (r == -ENOENT)
		r = listen_any(&set, port);
	if (r < 0) {
		while (set.n > 0)
			smb_tcp_listener_close(out[--set.n]);
		return r;
	}
	return set.n;
}

void smb_tcp_listener_close(struct smb_tcp_listener *l)
{
	if (!l)
		return;
	close(l->fd);
	free(l);
}

int smb_tcp_listener_fd(const struct smb_tcp_listener *l)
{
	return l->fd;
}

u16 smb_tcp_listener_port(const struct smb_tcp_listener *l)
{
	return l->port;
}

const char *smb_tcp_listener_name(const struct smb_tcp_listener *l)
{
	return l->name;
}

/* ---- connections ------------------------------------------------------- */

int smb_tcp_conn_from_fd(int fd, const struct smb_tcp_config *cfg,
			 struct smb_tconn **out)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	struct smb_tconn *c = calloc(1, sizeof(*c));
	int one = 1, flags;

	if (!c)
		goto nomem;
	tcp_config_resolve(&c->cfg, cfg);
	if (smb_tcp_frame_init(&c->frame, &tcp_mem, c->cfg.max_pdu,
			       c->cfg.stage_size)) {
		free(c);
		goto nomem;
	}
	pthread_mutex_init(&c->send_lock, NULL);
	c->fd = fd;
	/* Replies are whole PDUs: never wait to coalesce them. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0 && !(flags & O_NONBLOCK))
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0)
		smb_sockaddr_name((struct sockaddr *)&peer, c->peer,
				  sizeof(c->peer));
	else
		snprintf(c->peer, sizeof(c->peer), "?");
	*out = c;
	return 0;
nomem:
	close(fd);
	return -ENOMEM;
}

static int tcp_accept(void *listener, struct smb_tconn **out)
{
	struct smb_tcp_listener *l = listener;
	int fd;

	*out = NULL;
	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		/* A connection that died in the backlog is not our error. */
		if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ECONNABORTED || errno == EINTR || errno == EPROTO)
			return -EAGAIN;
		return -errno;
	}
	return smb_tcp_conn_from_fd(fd, &l->cfg, out);
}

static void tcp_disconnect(struct smb_tconn *c)
{
	/* shutdown wakes any sender blocked in poll(); close waits for free. */
	if (!__atomic_exchange_n(&c->closed, 1, __ATOMIC_ACQ_REL))
		shutdown(c->fd, SHUT_RDWR);
}

bool smb_tcp_conn_is_closed(struct smb_tconn *c)
{
	return __atomic_load_n(&c->closed, __ATOMIC_ACQUIRE) != 0;
}

int smb_tcp_conn_fd(struct smb_tconn *c)
{
	return c->fd;
}

void smb_tcp_pdu_free(u8 *pdu)
{
	free(pdu);
}

void smb_tcp_conn_free(struct smb_tconn *c)
{
	if (!c)
		return;
	tcp_disconnect(c);
	free(c->borrowed);
	smb_tcp_frame_destroy(&c->frame);
	pthread_mutex_destroy(&c->send_lock);
	close(c->fd);
	free(c);
}

static int frame_errno(int r)
{
	switch (r) {
	case SMB_TCP_FRAME_ERR_TOO_BIG:
		return -EMSGSIZE;
	case SMB_TCP_FRAME_ERR_NOMEM:
		return -ENOMEM;
	default:
		return -EPROTO;
	}
}

/* Refuse a NetBIOS session request: Direct TCP has no called names. */
static void tcp_reject_session(struct smb_tconn *c)
{
	u8 rsp[5];
	size_t n = smb_tcp_frame_session_reject(rsp);

	smb_dbg("tcp: %s: NetBIOS session request refused", c->peer);
	pthread_mutex_lock(&c->send_lock);
	if (send(c->fd, rsp, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		smb_dbg("tcp: %s: session reject: %s", c->peer,
			strerror(errno));
	pthread_mutex_unlock(&c->send_lock);
}

int smb_tcp_recv_owned(struct smb_tconn *c, u8 **pdu, size_t *len)
{
	for (;;) {
		int r = smb_tcp_frame_next(&c->frame, pdu, len);
		ssize_t got;
		size_t room;
		u8 *buf;

		if (r == SMB_TCP_FRAME_PDU) {
			smbd_stats_inc(SMB_TRANSPORT_TCP, SMBD_STAT_PDUS_IN);
			return 1;
		}
		if (r == SMB_TCP_FRAME_SESSION_REQUEST) {
			tcp_reject_session(c);
			return -ECONNREFUSED;
		}
		if (r < 0) {
			smb_dbg("tcp: %s: bad frame (%d)", c->peer, r);
			return frame_errno(r);
		}
		if (smb_tcp_conn_is_closed(c))
			return -ENOTCONN;
		r = smb_tcp_frame_rx_space(&c->frame, &buf, &room);
		if (r < 0 || room == 0)
			return frame_errno(r);
		got = recv(c->fd, buf, room, MSG_DONTWAIT);
		if (got > 0) {
			smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_BYTES_IN,
				       (u64)got);
			r = smb_tcp_frame_rx_commit(&c->frame, (size_t)got);
			if (r < 0)
				return frame_errno(r);
			continue;
		}
		if (got == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -errno;
	}
}

static int tcp_recv_pdu(struct smb_tconn *c, u8 **pdu, size_t *len)
{
	int r;

	free(c->borrowed);
	c->borrowed = NULL;
	r = smb_tcp_recv_owned(c, pdu, len);
	if (r == 1)
		c->borrowed = *pdu;
	return r;
}

static u64 monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

/*
 * After a send returned n <= 0: on a full socket, wait until it takes
 * more, the connection closes, or deadline passes.  0 to try again, or
 * -errno.
 */
static int tcp_send_retry(struct smb_tconn *c, ssize_t n, u64 deadline)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
	u64 now;

	if (n < 0 && errno == EINTR)
		return 0;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		return n == 0 ? -EPIPE : -errno;
	if (smb_tcp_conn_is_closed(c))
		return -ENOTCONN;
	now = monotonic_ms();
	if (now >= deadline)
		return -ETIMEDOUT;
	if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

/* Write all of msg; the socket is non-blocking, so wait in poll(). */
static int tcp_send_all(struct smb_tconn *c, struct msghdr *msg, int flags)
{
	u64 deadline = monotonic_ms() + (u64)c->cfg.send_timeout_ms;
	int r;

	while (msg->msg_iovlen > 0) {
		ssize_t n = sendmsg(c->fd, msg,
				    MSG_NOSIGNAL | MSG_DONTWAIT | flags);

		if (n > 0) {
			size_t left = (size_t)n;

			smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_BYTES_OUT,
				       (u64)n);

			while (msg->msg_iovlen > 0 &&
			       left >= msg->msg_iov->iov_len) {
				left -= msg->msg_iov->iov_len;
				msg->msg_iov++;
				msg->msg_iovlen--;
			}
			if (msg->msg_iovlen > 0) {
				msg->msg_iov->iov_base =
					(u8 *)msg->msg_iov->iov_base + left;
				msg->msg_iov->iov_len -= left;
			}
			/* Progress: the stall timeout starts again. */
			deadline = monotonic_ms() + (u64)c->cfg.send_timeout_ms;
			continue;
		}
		r = tcp_send_retry(c, n, deadline);
		if (r)
			return r;
	}
	return 0;
}

/*
 * Send len bytes of fd from off with sendfile(2): the kernel hands the
 * page-cache pages to the socket, no copy through our memory.  Should the
 * file end first (truncated since the size was taken), zeros make up the
 * rest: the frame header already promised len bytes.
 */
static int tcp_send_file(struct smb_tconn *c, int fd, u64 off, size_t len)
{
	static const u8 zeros[4096];
	u64 deadline = monotonic_ms() + (u64)c->cfg.send_timeout_ms;
	off_t pos = (off_t)off;
	bool eof = false;
	int r;

	while (len > 0) {
		ssize_t n;

		if (!eof) {
			n = sendfile(c->fd, fd, &pos, len);
			if (n == 0) {
				eof = true;
				continue;
			}
		} else {
			n = send(c->fd, zeros, min_t(size_t, len, sizeof(zeros)),
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		}
		if (n > 0) {
			smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_BYTES_OUT,
				       (u64)n);
			len -= (size_t)n;
			deadline = monotonic_ms() + (u64)c->cfg.send_timeout_ms;
			continue;
		}
		r = tcp_send_retry(c, n, deadline);
		if (r)
			return r;
	}
	return 0;
}

/*
 * One framed PDU: the iovs, then file_len bytes of file_fd from file_off
 * (none when file_fd < 0).
 */
static int tcp_send_framed(struct smb_tconn *c, const struct smb_iov *iov,
			   int niov, int file_fd, u64 file_off, size_t file_len)
{
	struct iovec stack_iov[TCP_STACK_IOVS], *v = stack_iov;
	struct msghdr msg = { 0 };
	size_t total = file_len;
	u8 hdr[SMB_TCP_HDR_SIZE];
	int i, r, nv = 0;

	if (niov < 0 || niov >= IOV_MAX)
		return -EINVAL;
	for (i = 0; i < niov; i++)
		if (smb_add_overflow(total, iov[i].len, &total))
			return -EMSGSIZE;
	if (smb_tcp_frame_header(hdr, total))
		return -EMSGSIZE;
	if (niov + 1 > TCP_STACK_IOVS) {
		v = calloc((size_t)niov + 1, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	v[nv++] = (struct iovec){ hdr, sizeof(hdr) };
	for (i = 0; i < niov; i++)
		if (iov[i].len)
			v[nv++] = (struct iovec){ iov[i].base, iov[i].len };
	msg.msg_iov = v;
	msg.msg_iovlen = (size_t)nv;

	pthread_mutex_lock(&c->send_lock);
	if (smb_tcp_conn_is_closed(c)) {
		r = -ENOTCONN;
	} else {
		/* MSG_MORE: the header goes out with the file's first bytes. */
		r = tcp_send_all(c, &msg, file_len ? MSG_MORE : 0);
		if (!r && file_len)
			r = tcp_send_file(c, file_fd, file_off, file_len);
	}
	pthread_mutex_unlock(&c->send_lock);
	if (r < 0 && r != -ENOTCONN) {
		/* A half-written PDU leaves the stream unusable. */
		smb_dbg("tcp: %s: send failed: %s", c->peer, strerror(-r));
		smbd_stats_inc(SMB_TRANSPORT_TCP, SMBD_STAT_ERRORS);
		tcp_disconnect(c);
	} else if (r == 0) {
		smbd_stats_inc(SMB_TRANSPORT_TCP, SMBD_STAT_PDUS_OUT);
	}
	if (v != stack_iov)
		free(v);
	return r;
}

static int tcp_send_pdu(struct smb_tconn *c, const struct smb_iov *iov,
			int niov)
{
	return tcp_send_framed(c, iov, niov, -1, 0, 0);
}

static int tcp_send_pdu_file(struct smb_tconn *c, const struct smb_iov *iov,
			     int niov, struct smb_vfs_file *file, u64 offset,
			     size_t len)
{
	int fd = c->cfg.file_fd ? c->cfg.file_fd(file) : -1;

	if (fd < 0 || offset > (u64)INT64_MAX)
		return 1; /* the core reads it in and calls send_pdu */
	return tcp_send_framed(c, iov, niov, fd, offset, len);
}

static void tcp_get_limits(struct smb_tconn *c,
			   struct smb_transport_limits *out)
{
	out->max_pdu = c->cfg.max_pdu;
	out->max_read = c->cfg.max_read;
	out->max_write = c->cfg.max_write;
	out->max_rdma_descs = 0;
	out->send_file = c->cfg.file_fd != NULL;
}

static const char *tcp_peer_name(struct smb_tconn *c)
{
	return c->peer;
}

const struct smb_transport_ops smb_tcp_ops = {
	.name = "tcp",
	.kind = SMB_TRANSPORT_TCP,
	.accept = tcp_accept,
	.recv_pdu = tcp_recv_pdu,
	.send_pdu = tcp_send_pdu,
	.send_pdu_file = tcp_send_pdu_file,
	.rdma_read = NULL,
	.rdma_write = NULL,
	.disconnect = tcp_disconnect,
	.get_limits = tcp_get_limits,
	.peer_name = tcp_peer_name,
};
