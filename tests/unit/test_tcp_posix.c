// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform.h"
#include "tcp_frame.h"
#include "tcp_posix.h"
#include "net_helpers.h"

/* A listener on 127.0.0.1 and one accepted server-side connection. */
struct pair {
	struct smb_tcp_listener *l;
	struct smb_tconn *c;
	int client;
};

static struct smb_tconn *accept_one(struct smb_tcp_listener *l)
{
	struct pollfd p = { .fd = smb_tcp_listener_fd(l), .events = POLLIN };
	struct smb_tconn *c = NULL;

	assert_int_equal(poll(&p, 1, NET_TEST_TIMEOUT_MS), 1);
	assert_int_equal(smb_tcp_ops.accept(l, &c), 0);
	assert_non_null(c);
	return c;
}

static void pair_open(struct pair *p, const struct smb_tcp_config *cfg)
{
	assert_int_equal(smb_tcp_listen("127.0.0.1", 0, cfg, &p->l, 1), 1);
	p->client = net_connect(smb_tcp_listener_port(p->l));
	assert_true(p->client >= 0);
	p->c = accept_one(p->l);
}

static void pair_close(struct pair *p)
{
	smb_tcp_conn_free(p->c);
	if (p->client >= 0)
		close(p->client);
	smb_tcp_listener_close(p->l);
}

/* Poll recv_pdu until it is not "need more" (bounded). */
static int recv_wait(struct smb_tconn *c, u8 **pdu, size_t *len)
{
	struct pollfd p = { .fd = smb_tcp_conn_fd(c), .events = POLLIN };

	for (int i = 0; i < 1000; i++) {
		int r = smb_tcp_ops.recv_pdu(c, pdu, len);

		if (r != 0)
			return r;
		poll(&p, 1, 50);
	}
	return 0;
}

static void test_listen_addresses(void **state)
{
	struct smb_tcp_listener *l[8];
	char want[32];
	int n;

	n = smb_tcp_listen("127.0.0.1", 0, NULL, l, 8);
	assert_int_equal(n, 1);
	assert_true(smb_tcp_listener_port(l[0]) != 0);
	snprintf(want, sizeof(want), "127.0.0.1:%u",
		 smb_tcp_listener_port(l[0]));
	assert_string_equal(smb_tcp_listener_name(l[0]), want);
	smb_tcp_listener_close(l[0]);

	/* Interface names resolve to their addresses. */
	n = smb_tcp_listen("lo", 0, NULL, l, 8);
	assert_true(n >= 1);
	while (n > 0)
		smb_tcp_listener_close(l[--n]);

	/* All addresses. */
	n = smb_tcp_listen(NULL, 0, NULL, l, 8);
	assert_int_equal(n, 1);
	smb_tcp_listener_close(l[0]);

	/* IPv6 loopback, when the machine has it. */
	n = smb_tcp_listen(" [::1] ", 0, NULL, l, 8);
	if (n == 1) {
		assert_true(strncmp(smb_tcp_listener_name(l[0]), "[::1]:", 6) ==
			    0);
		smb_tcp_listener_close(l[0]);
	} else {
		assert_true(n == -EADDRNOTAVAIL || n == -EAFNOSUPPORT);
	}

	/* Two addresses, one list. */
	n = smb_tcp_listen("127.0.0.1,127.0.0.2", 0, NULL, l, 8);
	assert_int_equal(n, 2);
	smb_tcp_listener_close(l[0]);
	smb_tcp_listener_close(l[1]);
}

static void test_listen_errors(void **state)
{
	struct smb_tcp_listener *l[2];
	u16 port;

	assert_int_equal(smb_tcp_listen("no-such-if0", 0, NULL, l, 2), -ENODEV);
	assert_int_equal(smb_tcp_listen("127.0.0.1", 0, NULL, l, 0), -EINVAL);
	/* Too many for the array: nothing stays open. */
	assert_int_equal(smb_tcp_listen("127.0.0.1 127.0.0.2", 0, NULL, l, 1),
			 -ENOSPC);
	/* A port in use on a specific address. */
	assert_int_equal(smb_tcp_listen("127.0.0.1", 0, NULL, l, 2), 1);
	port = smb_tcp_listener_port(l[0]);
	assert_int_equal(smb_tcp_listen("127.0.0.1", port, NULL, l + 1, 1),
			 -EADDRINUSE);
	smb_tcp_listener_close(l[0]);
}

static void test_accept_and_limits(void **state)
{
	struct smb_transport_limits lim;
	struct smb_tcp_config cfg = { .max_pdu = 1000, .max_read = 4096 };
	struct smb_tconn *none = (void *)1;
	struct pair p;
	char want[32];
	struct sockaddr_in me;
	socklen_t len = sizeof(me);

	assert_int_equal(smb_tcp_listen("127.0.0.1", 0, &cfg, &p.l, 1), 1);
	assert_int_equal(smb_tcp_ops.accept(p.l, &none), -EAGAIN);
	assert_null(none);
	p.client = net_connect(smb_tcp_listener_port(p.l));
	assert_true(p.client >= 0);
	p.c = accept_one(p.l);

	getsockname(p.client, (struct sockaddr *)&me, &len);
	snprintf(want, sizeof(want), "127.0.0.1:%u", ntohs(me.sin_port));
	assert_string_equal(smb_tcp_ops.peer_name(p.c), want);
	assert_string_equal(smb_tcp_ops.name, "tcp");
	assert_int_equal(smb_tcp_ops.kind, SMB_TRANSPORT_TCP);
	assert_null(smb_tcp_ops.rdma_read);
	assert_null(smb_tcp_ops.rdma_write);
	smb_tcp_ops.get_limits(p.c, &lim);
	assert_int_equal(lim.max_pdu, 1000);
	assert_int_equal(lim.max_read, 4096);
	assert_int_equal(lim.max_write, SMB_TCP_DEFAULT_MAX_IO);
	assert_int_equal(lim.max_rdma_descs, 0);
	pair_close(&p);

	pair_open(&p, NULL);
	smb_tcp_ops.get_limits(p.c, &lim);
	assert_int_equal(lim.max_pdu, SMB_TCP_DEFAULT_MAX_PDU);
	pair_close(&p);
}

static void test_recv_split_and_coalesced(void **state)
{
	struct pair p;
	u8 wire[4 + 300 + 4 + 5 + 4];
	u8 *pdu;
	size_t len, i;

	pair_open(&p, NULL);
	assert_int_equal(smb_tcp_ops.recv_pdu(p.c, &pdu, &len), 0);
	smb_tcp_frame_header(wire, 300);
	for (i = 0; i < 300; i++)
		wire[4 + i] = (u8)i;
	memcpy(wire + 304, "\x85\x00\x00\x00", 4);
	smb_tcp_frame_header(wire + 308, 5);
	memcpy(wire + 312, "hello", 5);
	/* The first message dribbles in, the rest arrives in one go. */
	for (i = 0; i < 304; i += 50) {
		size_t n = min_t(size_t, 50, 304 - i);

		assert_int_equal(net_write_all(p.client, wire + i, n), 0);
		net_sleep_ms(2);
		if (i + n < 304)
			assert_int_equal(smb_tcp_ops.recv_pdu(p.c, &pdu, &len),
					 0);
	}
	assert_int_equal(net_write_all(p.client, wire + 304, 13), 0);
	assert_int_equal(recv_wait(p.c, &pdu, &len), 1);
	assert_int_equal(len, 300);
	for (i = 0; i < 300; i++)
		assert_int_equal(pdu[i], (u8)i);
	assert_int_equal(recv_wait(p.c, &pdu, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(pdu, "hello", 5);
	/* Peer closes: reported as a reset. */
	close(p.client);
	p.client = -1;
	assert_int_equal(recv_wait(p.c, &pdu, &len), -ECONNRESET);
	pair_close(&p);
}

static void test_recv_bad_frames(void **state)
{
	struct smb_tcp_config cfg = { .max_pdu = 100 };
	struct pair p;
	u8 *pdu, rsp[5];
	size_t len;

	pair_open(&p, &cfg);
	assert_int_equal(net_write_all(p.client, "\x00\x00\x00\x65", 4), 0);
	assert_int_equal(recv_wait(p.c, &pdu, &len), -EMSGSIZE);
	pair_close(&p);

	pair_open(&p, &cfg);
	assert_int_equal(net_write_all(p.client, "\x01\x00\x00\x01x", 5), 0);
	assert_int_equal(recv_wait(p.c, &pdu, &len), -EPROTO);
	pair_close(&p);

	pair_open(&p, &cfg);
	assert_int_equal(net_write_all(p.client, "\x00\x00\x00\x00", 4), 0);
	assert_int_equal(recv_wait(p.c, &pdu, &len), -EPROTO);
	pair_close(&p);

	/* A NetBIOS session request gets a negative response. */
	pair_open(&p, &cfg);
	assert_int_equal(net_write_all(p.client, "\x81\x00\x00\x02zz", 6), 0);
	assert_int_equal(recv_wait(p.c, &pdu, &len), -ECONNREFUSED);
	assert_int_equal(net_read_all(p.client, rsp, 5), 0);
	assert_memory_equal(rsp, "\x83\x00\x00\x01\x80", 5);
	pair_close(&p);
}

static void test_send_iovs(void **state)
{
	struct smb_iov iov[20];
	char parts[20][8];
	char got[200];
	char want[200] = "";
	struct pair p;

	pair_open(&p, NULL);
	for (int i = 0; i < 20; i++) {
		snprintf(parts[i], sizeof(parts[i]), "<%d>", i);
		iov[i].base = parts[i];
		iov[i].len = strlen(parts[i]);
		strcat(want, parts[i]);
	}
	iov[3].len = 0; /* empty pieces are fine */
	want[0] = '\0';
	for (int i = 0; i < 20; i++)
		strncat(want, parts[i], iov[i].len);
	/* More iovs than the stack array holds. */
	assert_int_equal(smb_tcp_ops.send_pdu(p.c, iov, 20), 0);
	assert_int_equal(net_recv_msg(p.client, got, sizeof(got)),
			 (long)strlen(want));
	assert_memory_equal(got, want, strlen(want));
	assert_int_equal(smb_tcp_ops.send_pdu(p.c, iov, 2), 0);
	assert_int_equal(net_recv_msg(p.client, got, sizeof(got)), 6);
	assert_memory_equal(got, "<0><1>", 6);
	/* A PDU the length field cannot express. */
	iov[0].base = NULL;
	iov[0].len = SMB_TCP_MAX_LENGTH + 1;
	assert_int_equal(smb_tcp_ops.send_pdu(p.c, iov, 1), -EMSGSIZE);
	assert_int_equal(smb_tcp_ops.send_pdu(p.c, iov, -1), -EINVAL);
	pair_close(&p);
}

struct reader_arg {
	int fd;
	size_t expect;
	long got;
	int ok;
};

static void *slow_reader(void *arg)
{
	struct reader_arg *a = arg;
	u8 *buf = malloc(a->expect);

	net_sleep_ms(50); /* let the sender fill the socket buffer first */
	a->got = buf ? net_recv_msg(a->fd, buf, a->expect) : -1;
	a->ok = 1;
	for (size_t i = 0; buf && a->got > 0 && i < a->expect; i++)
		if (buf[i] != (u8)(i * 7))
			a->ok = 0;
	free(buf);
	return NULL;
}

/* A big reply needs many partial writes on a non-blocking socket. */
static void test_send_large_partial_writes(void **state)
{
	enum { SIZE = 6 * 1024 * 1024 };
	struct reader_arg ra = { .expect = SIZE };
	u8 *big = malloc(SIZE);
	struct smb_iov iov[2];
	struct pair p;
	pthread_t t;

	assert_non_null(big);
	for (size_t i = 0; i < SIZE; i++)
		big[i] = (u8)(i * 7);
	pair_open(&p, NULL);
	ra.fd = p.client;
	assert_int_equal(pthread_create(&t, NULL, slow_reader, &ra), 0);
	iov[0] = (struct smb_iov){ big, 1000 };
	iov[1] = (struct smb_iov){ big + 1000, SIZE - 1000 };
	assert_int_equal(smb_tcp_ops.send_pdu(p.c, iov, 2), 0);
	pthread_join(t, NULL);
	assert_int_equal(ra.got, SIZE);
	assert_true(ra.ok);
	pair_close(&p);
	free(big);
}

/* A peer that never reads is dropped after the send timeout. */
static void test_send_timeout(void **state)
{
	struct smb_tcp_config cfg = { .send_timeout_ms = 200 };
	size_t size = 4 * 1024 * 1024;
	u8 *big = calloc(1, size);
	struct smb_iov iov = { big, size };
	struct pair p;
	long long t0;
	int r;

	assert_non_null(big);
	pair_open(&p, &cfg);
	t0 = net_now_ms();
	r = 0;
	for (int i = 0; i < 20 && r == 0; i++)
		r = smb_tcp_ops.send_pdu(p.c, &iov, 1);
	assert_int_equal(r, -ETIMEDOUT);
	assert_true(net_now_ms() - t0 < 8000);
	assert_true(smb_tcp_conn_is_closed(p.c));
	assert_int_equal(smb_tcp_ops.send_pdu(p.c, &iov, 1), -ENOTCONN);
	pair_close(&p);
	free(big);
}

struct sender_arg {
	struct smb_tconn *c;
	int last;
};

static void *blocked_sender(void *arg)
{
	struct sender_arg *a = arg;
	size_t size = 4 * 1024 * 1024;
	u8 *big = calloc(1, size);
	struct smb_iov iov = { big, size };

	a->last = 0;
	for (int i = 0; i < 20 && a->last == 0; i++)
		a->last = smb_tcp_ops.send_pdu(a->c, &iov, 1);
	free(big);
	return NULL;
}

/* disconnect wakes a sender stuck on a full socket; calling it twice is fine. */
static void test_disconnect_during_send(void **state)
{
	struct sender_arg a;
	struct pair p;
	pthread_t t;
	long long t0;
	u8 *pdu;
	size_t len;

	pair_open(&p, NULL); /* 30 s send timeout */
	a.c = p.c;
	assert_int_equal(pthread_create(&t, NULL, blocked_sender, &a), 0);
	net_sleep_ms(100);
	t0 = net_now_ms();
	smb_tcp_ops.disconnect(p.c);
	smb_tcp_ops.disconnect(p.c);
	pthread_join(t, NULL);
	assert_true(net_now_ms() - t0 < 5000);
	assert_true(a.last < 0);
	assert_true(smb_tcp_ops.recv_pdu(p.c, &pdu, &len) < 0);
	assert_true(net_wait_closed(p.client, 5000));
	pair_close(&p);
}

/* An already connected descriptor can be wrapped (inetd style). */
static void test_conn_from_fd(void **state)
{
	struct smb_tconn *c;
	int sv[2];
	u8 *pdu;
	size_t len;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(smb_tcp_conn_from_fd(sv[0], NULL, &c), 0);
	assert_int_equal(net_send_msg(sv[1], "abc", 3), 0);
	assert_int_equal(recv_wait(c, &pdu, &len), 1);
	assert_int_equal(len, 3);
	/* Owned PDUs outlive the next receive. */
	assert_int_equal(net_send_msg(sv[1], "defg", 4), 0);
	{
		u8 *a = NULL, *b = NULL;
		size_t la = 0, lb = 0;

		for (int i = 0; i < 100; i++) {
			if (smb_tcp_recv_owned(c, &a, &la) == 1)
				break;
			net_sleep_ms(5);
		}
		assert_int_equal(la, 4);
		assert_int_equal(net_send_msg(sv[1], "h", 1), 0);
		for (int i = 0; i < 100; i++) {
			if (smb_tcp_recv_owned(c, &b, &lb) == 1)
				break;
			net_sleep_ms(5);
		}
		assert_int_equal(lb, 1);
		assert_memory_equal(a, "defg", 4);
		smb_tcp_pdu_free(a);
		smb_tcp_pdu_free(b);
	}
	smb_tcp_conn_free(c);
	close(sv[1]);
}

/* The transport only needs a descriptor from a VFS file (tcp_posix.h). */
struct smb_vfs_file {
	int fd;
};

static int file_fd_of(struct smb_vfs_file *f)
{
	return f->fd;
}

/*
 * send_pdu_file: the iovs, then file data by sendfile(2) (several
 * partial sends for a slow reader); zeros past the end of the file; 1,
 * with nothing sent, for a file without a descriptor or a transport
 * configured without sendfile.
 */
static void test_send_file(void **state)
{
	enum { SIZE = 3 * 1024 * 1024 };
	struct smb_tcp_config cfg = { .file_fd = file_fd_of };
	struct reader_arg ra = { .expect = SIZE };
	struct smb_transport_limits lim;
	struct smb_vfs_file f, none = { -1 };
	char path[] = "/tmp/test_tcp_sendfile.XXXXXX";
	u8 *big = malloc(SIZE), got[1100];
	struct smb_iov iov;
	struct pair p;
	pthread_t t;

	assert_non_null(big);
	for (size_t i = 0; i < SIZE; i++)
		big[i] = (u8)(i * 7);
	f.fd = mkstemp(path);
	assert_true(f.fd >= 0);
	unlink(path);
	/* The file holds the PDU's bytes after its first 8, from offset 100. */
	assert_int_equal(pwrite(f.fd, big + 8, SIZE - 8, 100), SIZE - 8);

	pair_open(&p, &cfg);
	smb_tcp_ops.get_limits(p.c, &lim);
	assert_true(lim.send_file);
	ra.fd = p.client;
	assert_int_equal(pthread_create(&t, NULL, slow_reader, &ra), 0);
	iov = (struct smb_iov){ big, 8 };
	assert_int_equal(smb_tcp_ops.send_pdu_file(p.c, &iov, 1, &f, 100,
						   SIZE - 8),
			 0);
	pthread_join(t, NULL);
	assert_int_equal(ra.got, SIZE);
	assert_true(ra.ok);

	/* The file ends 10 bytes in: zeros fill the framed length. */
	iov = (struct smb_iov){ "ab", 2 };
	assert_int_equal(smb_tcp_ops.send_pdu_file(p.c, &iov, 1, &f,
						   100 + SIZE - 8 - 10, 1000),
			 0);
	assert_int_equal(net_recv_msg(p.client, got, sizeof(got)), 1002);
	assert_memory_equal(got, "ab", 2);
	assert_memory_equal(got + 2, big + SIZE - 10, 10);
	for (size_t i = 12; i < 1002; i++)
		assert_int_equal(got[i], 0);

	/* No descriptor: refused before anything is sent. */
	assert_int_equal(smb_tcp_ops.send_pdu_file(p.c, &iov, 1, &none, 0, 10),
			 1);
	assert_int_equal(smb_tcp_ops.send_pdu(p.c, &iov, 1), 0);
	assert_int_equal(net_recv_msg(p.client, got, sizeof(got)), 2);
	pair_close(&p);

	/* Configured without sendfile. */
	pair_open(&p, NULL);
	smb_tcp_ops.get_limits(p.c, &lim);
	assert_false(lim.send_file);
	assert_int_equal(smb_tcp_ops.send_pdu_file(p.c, &iov, 1, &f, 100, 10),
			 1);
	pair_close(&p);
	close(f.fd);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_addresses),
		cmocka_unit_test(test_listen_errors),
		cmocka_unit_test(test_accept_and_limits),
		cmocka_unit_test(test_recv_split_and_coalesced),
		cmocka_unit_test(test_recv_bad_frames),
		cmocka_unit_test(test_send_iovs),
		cmocka_unit_test(test_send_large_partial_writes),
		cmocka_unit_test(test_send_timeout),
		cmocka_unit_test(test_disconnect_during_send),
		cmocka_unit_test(test_conn_from_fd),
		cmocka_unit_test(test_send_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
