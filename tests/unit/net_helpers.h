/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net_helpers.h - loopback client helpers shared by the socket tests. */
#ifndef SMB_TEST_NET_HELPERS_H
#define SMB_TEST_NET_HELPERS_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Every blocking test socket gives up after this long. */
#define NET_TEST_TIMEOUT_MS 10000

static inline void net_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static inline long long net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A blocking client socket connected to 127.0.0.1:port, with timeouts. */
static inline int net_connect(unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct timeval tv = { NET_TEST_TIMEOUT_MS / 1000, 0 };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int net_write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes; -1 on EOF, error or timeout. */
static inline int net_read_all(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send one Direct TCP message. */
static inline int net_send_msg(int fd, const void *data, size_t len)
{
	unsigned char hdr[4] = { 0, (unsigned char)(len >> 16),
				 (unsigned char)(len >> 8),
				 (unsigned char)len };

	if (net_write_all(fd, hdr, 4))
		return -1;
	return net_write_all(fd, data, len);
}

/* Receive one Direct TCP message into buf; returns its length or -1. */
static inline long net_recv_msg(int fd, void *buf, size_t cap)
{
	unsigned char hdr[4];
	size_t len;

	if (net_read_all(fd, hdr, 4) || hdr[0] != 0)
		return -1;
	len = ((size_t)hdr[1] << 16) | ((size_t)hdr[2] << 8) | hdr[3];
	if (len > cap || net_read_all(fd, buf, len))
		return -1;
	return (long)len;
}

/* True when the peer closed fd (EOF or reset) within timeout_ms. */
static inline int net_wait_closed(int fd, int timeout_ms)
{
	long long end = net_now_ms() + timeout_ms;
	unsigned char sink[4096];

	while (net_now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
	return 0;
}

#endif /* SMB_TEST_NET_HELPERS_H */
