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
#include "server.h"
#include "tcp_frame.h"
#include "tcp_posix.h"
#include "net_helpers.h"

/*
 * The echo handler replies to each PDU with the same bytes.  A PDU whose
 * first byte is 'X' makes conn_input fail (drop the connection); one
 * starting with 'S' is handled slowly.  Every PDU carries a per-connection
 * sequence number in bytes 1..4, which the handler checks.
 */
struct echo_ctx {
	int opened;
	int closed;
	int inputs;
	int overlaps; /* two conn_input calls for one connection at once */
	int misordered;
	int after_drop; /* conn_input after the handler asked to drop */
	int refuse; /* conn_open returns NULL */
	int slow_ms;
};

struct echo_conn {
	struct echo_ctx *ctx;
	const struct smb_transport_ops *t;
	struct smb_tconn *tc;
	int busy;
	u32 next_seq;
	bool dropped;
};

static struct echo_ctx ectx;

static void inc(int *v)
{
	__atomic_add_fetch(v, 1, __ATOMIC_SEQ_CST);
}

static int get(int *v)
{
	return __atomic_load_n(v, __ATOMIC_SEQ_CST);
}

static void *echo_open(void *ctx, const struct smb_transport_ops *t,
		       struct smb_tconn *tc)
{
	struct echo_ctx *e = ctx;
	struct echo_conn *c;

	if (get(&e->refuse))
		return NULL;
	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->ctx = e;
	c->t = t;
	c->tc = tc;
	inc(&e->opened);
	return c;
}

static int echo_input(void *conn, u8 *pdu, size_t len)
{
	struct echo_conn *c = conn;
	struct smb_iov iov = { pdu, len };
	int r = 0;

	inc(&c->ctx->inputs);
	if (__atomic_add_fetch(&c->busy, 1, __ATOMIC_SEQ_CST) != 1)
		inc(&c->ctx->overlaps);
	if (c->dropped)
		inc(&c->ctx->after_drop);
	if (len >= 5) {
		u32 seq = smb_get_le32(pdu + 1);

		if (seq != c->next_seq)
			inc(&c->ctx->misordered);
		c->next_seq = seq + 1;
	}
	if (pdu[0] == 'S')
		net_sleep_ms(get(&c->ctx->slow_ms));
	if (pdu[0] == 'X') {
		c->dropped = true;
		r = -1;
	} else if (c->t->send_pdu(c->tc, &iov, 1) < 0) {
		r = -1;
	}
	/* A little jitter so parallel workers interleave. */
	if ((len & 7) == 3)
		net_sleep_ms(1);
	__atomic_sub_fetch(&c->busy, 1, __ATOMIC_SEQ_CST);
	return r;
}

static void echo_close(void *conn)
{
	struct echo_conn *c = conn;

	assert_int_equal(c->busy, 0);
	inc(&c->ctx->closed);
	free(c);
}

static const struct smbd_conn_handler echo = { .conn_open = echo_open,
					       .conn_input = echo_input,
					       .conn_close = echo_close,
					       .ctx = &ectx };

struct server_thread {
	pthread_t t;
	const struct smbd_conn_handler *h; /* NULL: echo */
	struct smbd_server_opts opts;
	struct smb_tcp_listener *l;
	u16 port;
	int rc;
};

static void *server_main(void *arg)
{
	struct server_thread *st = arg;

	st->rc = smbd_server_run(&st->opts, st->h ? st->h : &echo, &st->l, 1);
	return NULL;
}

static void server_start(struct server_thread *st,
			 const struct smbd_server_opts *opts,
			 const struct smb_tcp_config *cfg)
{
	memset(st, 0, sizeof(*st));
	if (opts)
		st->opts = *opts;
	assert_int_equal(smb_tcp_listen("127.0.0.1", 0, cfg, &st->l, 1), 1);
	st->port = smb_tcp_listener_port(st->l);
	assert_int_equal(pthread_create(&st->t, NULL, server_main, st), 0);
}

static void server_stop(struct server_thread *st)
{
	smbd_server_stop();
	pthread_join(st->t, NULL);
	assert_int_equal(st->rc, 0);
	smb_tcp_listener_close(st->l);
	/* Every opened connection was closed exactly once. */
	assert_int_equal(get(&ectx.opened), get(&ectx.closed));
}

static int reset_ctx(void **state)
{
	memset(&ectx, 0, sizeof(ectx));
	return 0;
}

static int check_ctx(void **state)
{
	assert_int_equal(ectx.overlaps, 0);
	assert_int_equal(ectx.misordered, 0);
	assert_int_equal(ectx.after_drop, 0);
	return 0;
}

/* Build a PDU: tag, sequence number, filler to len bytes. */
static size_t make_pdu(u8 *buf, size_t len, char tag, u32 seq)
{
	buf[0] = (u8)tag;
	smb_put_le32(buf + 1, seq);
	for (size_t i = 5; i < len; i++)
		buf[i] = (u8)(seq + i);
	return len;
}

/* Send one PDU and check its echo. */
static void roundtrip(int fd, size_t len, char tag, u32 seq)
{
	u8 out[2048], in[2048];

	assert_true(len >= 5 && len <= sizeof(out));
	make_pdu(out, len, tag, seq);
	assert_int_equal(net_send_msg(fd, out, len), 0);
	assert_int_equal(net_recv_msg(fd, in, sizeof(in)), (long)len);
	assert_memory_equal(in, out, len);
}

/* Wait (bounded) until *v reaches want. */
static int wait_for(int *v, int want, int timeout_ms)
{
	long long end = net_now_ms() + timeout_ms;

	while (get(v) < want && net_now_ms() < end)
		net_sleep_ms(5);
	return get(v) >= want;
}

static void test_echo_many(void **state)
{
	struct server_thread st;
	int fd;

	server_start(&st, NULL, NULL);
	fd = net_connect(st.port);
	assert_true(fd >= 0);
	for (u32 i = 0; i < 500; i++)
		roundtrip(fd, 5 + (i * 37) % 1500, 'E', i);
	close(fd);
	assert_true(wait_for(&ectx.closed, 1, 5000));
	server_stop(&st);
}

/*
 * Pipelined PDUs: all sent before any reply is read, answered in order.
 * A tiny queue limit makes reading pause and resume many times while
 * whole PDUs already sit in the framer.
 */
static void test_pipelined_order(void **state)
{
	enum { N = 300 };
	struct smbd_server_opts o = { .workers = 4, .max_queued_pdus = 3 };
	struct smbd_server_stats before, after;
	struct server_thread st;
	u8 *out = malloc(N * 100), in[100];
	size_t off = 0;
	int fd;

	assert_non_null(out);
	smbd_server_get_stats(&before);
	server_start(&st, &o, NULL);
	fd = net_connect(st.port);
	assert_true(fd >= 0);
	for (u32 i = 0; i < N; i++) {
		u8 pdu[64];
		size_t len = make_pdu(pdu, 8 + i % 50, 'P', i);

		smb_tcp_frame_header(out + off, len);
		memcpy(out + off + 4, pdu, len);
		off += 4 + len;
	}
	assert_int_equal(net_write_all(fd, out, off), 0);
	for (u32 i = 0; i < N; i++) {
		long n = net_recv_msg(fd, in, sizeof(in));

		assert_int_equal(n, 8 + i % 50);
		assert_int_equal(smb_get_le32(in + 1), i);
	}
	smbd_server_get_stats(&after);
	assert_true(after.read_pauses > before.read_pauses);
	close(fd);
	server_stop(&st);
	free(out);
}

struct byte_client {
	u16 port;
	int ok;
};

/* One PDU dribbled a byte at a time. */
static void *dribble_client(void *arg)
{
	struct byte_client *bc = arg;
	u8 pdu[40], wire[44], in[64];
	int fd = net_connect(bc->port);

	if (fd < 0)
		return NULL;
	make_pdu(pdu, sizeof(pdu), 'D', 0);
	smb_tcp_frame_header(wire, sizeof(pdu));
	memcpy(wire + 4, pdu, sizeof(pdu));
	for (size_t i = 0; i < sizeof(wire); i++) {
		if (net_write_all(fd, wire + i, 1))
			goto out;
		net_sleep_ms(3);
	}
	bc->ok = net_recv_msg(fd, in, sizeof(in)) == (long)sizeof(pdu) &&
		 memcmp(in, pdu, sizeof(pdu)) == 0;
out:
	close(fd);
	return NULL;
}

/* A client dribbling bytes never holds up another one. */
static void test_split_byte_by_byte(void **state)
{
	struct server_thread st;
	struct byte_client bc = { 0 };
	pthread_t t;
	long long t0;
	int fd;

	server_start(&st, NULL, NULL);
	bc.port = st.port;
	assert_int_equal(pthread_create(&t, NULL, dribble_client, &bc), 0);
	fd = net_connect(st.port);
	assert_true(fd >= 0);
	t0 = net_now_ms();
	for (u32 i = 0; i < 20; i++)
		roundtrip(fd, 100, 'F', i);
	/* The dribble takes >130 ms; the fast client is done well before. */
	assert_true(net_now_ms() - t0 < 2000);
	pthread_join(t, NULL);
	assert_true(bc.ok);
	close(fd);
	server_stop(&st);
}

struct load_client {
	u16 port;
	int count;
	int ok;
};

static void *load_client_main(void *arg)
{
	struct load_client *lc = arg;
	u8 out[600], in[600];
	int fd = net_connect(lc->port);

	if (fd < 0)
		return NULL;
	/* Two requests in flight at a time, so queues actually form. */
	for (int i = 0; i < lc->count; i += 2) {
		size_t l1 =
			make_pdu(out, 5 + (size_t)(i * 13) % 500, 'L', (u32)i);
		long n;

		if (net_send_msg(fd, out, l1))
			goto out;
		make_pdu(out + 300, 5 + (size_t)(i * 7) % 250, 'L', (u32)i + 1);
		if (net_send_msg(fd, out + 300, 5 + (size_t)(i * 7) % 250))
			goto out;
		n = net_recv_msg(fd, in, sizeof(in));
		if (n != (long)l1 || smb_get_le32(in + 1) != (u32)i)
			goto out;
		n = net_recv_msg(fd, in, sizeof(in));
		if (n != (long)(5 + (i * 7) % 250) ||
		    smb_get_le32(in + 1) != (u32)i + 1)
			goto out;
	}
	lc->ok = 1;
out:
	close(fd);
	return NULL;
}

static void test_concurrent_clients(void **state)
{
	enum { CLIENTS = 8 };
	struct smbd_server_opts o = { .workers = 4 };
	struct load_client lc[CLIENTS];
	pthread_t t[CLIENTS];
	struct server_thread st;

	server_start(&st, &o, NULL);
	for (int i = 0; i < CLIENTS; i++) {
		lc[i] = (struct load_client){ st.port, 300, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, load_client_main,
						&lc[i]),
				 0);
	}
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(t[i], NULL);
		assert_true(lc[i].ok);
	}
	assert_true(wait_for(&ectx.closed, CLIENTS, 5000));
	assert_int_equal(get(&ectx.inputs), CLIENTS * 300);
	server_stop(&st);
}

/* Oversize, garbage, half-sent: those connections go, others stay. */
static void test_bad_clients_dropped(void **state)
{
	struct smb_tcp_config cfg = { .max_pdu = 4096 };
	struct server_thread st;
	u8 rsp[5];
	int good, bad;

	server_start(&st, NULL, &cfg);
	good = net_connect(st.port);
	assert_true(good >= 0);
	roundtrip(good, 50, 'G', 0);

	bad = net_connect(st.port);
	assert_int_equal(net_write_all(bad, "\x00\x00\x10\x01", 4), 0);
	assert_true(net_wait_closed(bad, 5000));
	close(bad);
	roundtrip(good, 60, 'G', 1);

	bad = net_connect(st.port);
	assert_int_equal(net_write_all(bad, "\x42garbage", 8), 0);
	assert_true(net_wait_closed(bad, 5000));
	close(bad);

	/* A NetBIOS session request is refused, then the socket closes. */
	bad = net_connect(st.port);
	assert_int_equal(net_write_all(bad, "\x81\x00\x00\x01z", 5), 0);
	assert_int_equal(net_read_all(bad, rsp, 5), 0);
	assert_memory_equal(rsp, "\x83\x00\x00\x01\x80", 5);
	assert_true(net_wait_closed(bad, 5000));
	close(bad);

	/* Half a PDU, then the client vanishes. */
	bad = net_connect(st.port);
	assert_int_equal(net_write_all(bad, "\x00\x00\x01\x00half", 8), 0);
	net_sleep_ms(20);
	close(bad);
	roundtrip(good, 70, 'G', 2);
	/* One good connection is left open; all four bad ones closed. */
	assert_true(wait_for(&ectx.closed, 4, 5000));
	assert_int_equal(get(&ectx.opened), 5);
	close(good);
	server_stop(&st);
}

/* conn_input < 0 drops the connection; nothing queued behind runs. */
static void test_handler_drop(void **state)
{
	struct server_thread st;
	u8 wire[3 * (4 + 8)], pdu[8];
	size_t off = 0;
	int fd;

	server_start(&st, NULL, NULL);
	fd = net_connect(st.port);
	const char tags[3] = { 'S', 'X', 'A' };

	ectx.slow_ms = 50; /* the rest queues up behind the first */
	for (u32 i = 0; i < 3; i++) {
		make_pdu(pdu, sizeof(pdu), tags[i], i);
		smb_tcp_frame_header(wire + off, sizeof(pdu));
		memcpy(wire + off + 4, pdu, sizeof(pdu));
		off += 4 + sizeof(pdu);
	}
	assert_int_equal(net_write_all(fd, wire, off), 0);
	/* Only the first is echoed. */
	assert_int_equal(net_recv_msg(fd, pdu, sizeof(pdu)), 8);
	assert_int_equal(pdu[0], 'S');
	assert_true(net_wait_closed(fd, 5000));
	assert_true(wait_for(&ectx.closed, 1, 5000));
	assert_int_equal(get(&ectx.inputs), 2);
	close(fd);
	server_stop(&st);
}

struct flood_client {
	u16 port;
	int sent;
};

/* Send big PDUs and never read the replies. */
static void *flood_main(void *arg)
{
	struct flood_client *fc = arg;
	size_t len = 32 * 1024;
	u8 *pdu = calloc(1, len);
	int fd = net_connect(fc->port);

	/*
	 * Default buffers: shrinking SO_RCVBUF after connect makes loopback
	 * TCP drop and back off for many seconds, which tests nothing.
	 */
	if (fd >= 0 && pdu) {
		for (u32 i = 0; i < 2000; i++) {
			make_pdu(pdu, len, 'B', i);
			if (net_send_msg(fd, pdu, len))
				break;
			fc->sent++;
		}
	}
	if (fd >= 0)
		close(fd);
	free(pdu);
	return NULL;
}

/*
 * A client flooding requests without reading replies: the worker's send
 * times out and the connection is dropped; until then reading pauses,
 * so the server holds at most a few queued PDUs for it.  Others go on.
 */
static void test_backpressure_flood(void **state)
{
	struct smbd_server_opts o = { .workers = 2, .max_queued_pdus = 4 };
	struct smb_tcp_config cfg = { .send_timeout_ms = 300 };
	struct smbd_server_stats before, after;
	struct flood_client fc = { 0 };
	struct server_thread st;
	pthread_t t;
	int fd;

	smbd_server_get_stats(&before);
	server_start(&st, &o, &cfg);
	fc.port = st.port;
	assert_int_equal(pthread_create(&t, NULL, flood_main, &fc), 0);
	fd = net_connect(st.port);
	assert_true(fd >= 0);
	for (u32 i = 0; i < 50; i++) {
		roundtrip(fd, 200, 'N', i);
		net_sleep_ms(2);
	}
	pthread_join(t, NULL);
	/* Dropped long before all 2000 (64 MB) were sent. */
	assert_true(fc.sent < 2000);
	assert_true(wait_for(&ectx.closed, 1, 5000));
	smbd_server_get_stats(&after);
	assert_true(after.read_pauses > before.read_pauses);
	roundtrip(fd, 200, 'N', 50);
	close(fd);
	server_stop(&st);
}

static void test_connection_limits(void **state)
{
	struct smbd_server_opts o = { .max_connections = 2 };
	struct smbd_server_stats before, after;
	struct server_thread st;
	int a, b, c;

	smbd_server_get_stats(&before);
	server_start(&st, &o, NULL);
	a = net_connect(st.port);
	b = net_connect(st.port);
	roundtrip(a, 10, 'C', 0);
	roundtrip(b, 10, 'C', 0);
	c = net_connect(st.port);
	assert_true(c >= 0);
	assert_true(net_wait_closed(c, 5000));
	close(c);
	close(a);
	assert_true(wait_for(&ectx.closed, 1, 5000));
	/* A slot is free again. */
	c = net_connect(st.port);
	roundtrip(c, 10, 'C', 0);
	/* conn_open may refuse too. */
	ectx.refuse = 1;
	a = net_connect(st.port);
	assert_true(net_wait_closed(a, 5000));
	close(a);
	smbd_server_get_stats(&after);
	assert_int_equal(after.refused - before.refused, 2);
	close(b);
	close(c);
	server_stop(&st);
}

static void test_idle_timeout(void **state)
{
	struct smbd_server_opts o = { .idle_timeout_s = 1 };
	struct server_thread st;
	long long t0;
	int fd;

	server_start(&st, &o, NULL);
	fd = net_connect(st.port);
	roundtrip(fd, 10, 'I', 0);
	t0 = net_now_ms();
	assert_true(net_wait_closed(fd, 6000));
	assert_true(net_now_ms() - t0 >= 900);
	close(fd);
	server_stop(&st);
}

/* Stop with clients connected and PDUs in flight; start again; no leaks. */
static void test_stop_restart(void **state)
{
	for (int round = 0; round < 3; round++) {
		struct smbd_server_opts o = { .workers = 3 };
		struct server_thread st;
		u8 pdu[300];
		int fds[4];

		ectx.slow_ms = 20;
		server_start(&st, &o, NULL);
		for (int i = 0; i < 4; i++) {
			fds[i] = net_connect(st.port);
			assert_true(fds[i] >= 0);
			roundtrip(fds[i], 20, 'R', 0);
			for (u32 j = 1; j < 20; j++)
				net_send_msg(fds[i], pdu,
					     make_pdu(pdu, sizeof(pdu), 'S',
						      j));
		}
		/* A half-sent PDU is pending too. */
		net_write_all(fds[0], "\x00\x00\x00\x50zz", 6);
		server_stop(&st);
		for (int i = 0; i < 4; i++) {
			assert_true(net_wait_closed(fds[i], 5000));
			close(fds[i]);
		}
	}
}

/*
 * The per-connection gate.  PDUs tagged 'o' may overlap (and 'x', which
 * also fails, and 'q', quick); any other runs alone.  ovl_input checks on
 * entry that every earlier PDU that must run alone is done, and for one
 * that runs alone, that every earlier PDU is done and none runs beside it.
 */
enum { OVL_MAX = 512 };

struct ovl_conn {
	const struct smb_transport_ops *t;
	struct smb_tconn *tc;
	pthread_mutex_t m;
	pthread_t loop; /* the thread that opened it: the event loop */
	int on_loop; /* quick PDUs run on the loop thread */
	int running;
	int max_running;
	int violations;
	bool alone_running;
	u8 tag[OVL_MAX]; /* 0: not started */
	bool done[OVL_MAX];
};

static struct ovl_conn *ovl_last; /* the last connection opened */
static const char *ovl_tags; /* PDU i has tag ovl_tags[i % strlen] */

static bool ovl_tag_overlaps(u8 tag)
{
	return tag == 'o' || tag == 'x' || tag == 'q';
}

static void *ovl_open(void *ctx, const struct smb_transport_ops *t,
		      struct smb_tconn *tc)
{
	struct ovl_conn *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->t = t;
	c->tc = tc;
	c->loop = pthread_self();
	pthread_mutex_init(&c->m, NULL);
	inc(&ectx.opened);
	__atomic_store_n(&ovl_last, c, __ATOMIC_SEQ_CST);
	return c;
}

static int ovl_classify(void *conn, const u8 *pdu, size_t len)
{
	if (len >= 5 && pdu[0] == 'q')
		return SMBD_PDU_QUICK;
	return len >= 5 && ovl_tag_overlaps(pdu[0]) ? SMBD_PDU_OVERLAP :
						      SMBD_PDU_ALONE;
}

static void ovl_enter(struct ovl_conn *c, u32 seq, u8 tag)
{
	bool alone = !ovl_tag_overlaps(tag);

	pthread_mutex_lock(&c->m);
	if (seq >= OVL_MAX || c->tag[seq] || c->alone_running ||
	    (alone && c->running))
		c->violations++;
	for (u32 j = 0; j < seq && j < OVL_MAX; j++)
		if ((alone ||
		     !ovl_tag_overlaps(ovl_tags[j % strlen(ovl_tags)])) &&
		    !c->done[j])
			c->violations++;
	if (seq < OVL_MAX)
		c->tag[seq] = tag;
	c->running++;
	c->alone_running = alone;
	if (c->running > c->max_running)
		c->max_running = c->running;
	pthread_mutex_unlock(&c->m);
}

static int ovl_input(void *conn, u8 *pdu, size_t len)
{
	struct ovl_conn *c = conn;
	struct smb_iov iov = { pdu, len };
	u32 seq;
	int r;

	inc(&ectx.inputs);
	if (len < 5)
		return -1;
	seq = smb_get_le32(pdu + 1);
	ovl_enter(c, seq, pdu[0]);
	if (pdu[0] == 'q' && pthread_equal(pthread_self(), c->loop))
		inc(&c->on_loop);
	/* Long enough for the next PDUs to start meanwhile. */
	if (pdu[0] != 'q')
		net_sleep_ms(ovl_tag_overlaps(pdu[0]) ? 3 : 1);
	r = pdu[0] == 'x' || c->t->send_pdu(c->tc, &iov, 1) < 0 ? -1 : 0;
	pthread_mutex_lock(&c->m);
	if (seq < OVL_MAX)
		c->done[seq] = true;
	c->running--;
	c->alone_running = false;
	pthread_mutex_unlock(&c->m);
	return r;
}

static void ovl_close(void *conn)
{
	struct ovl_conn *c = conn;

	/* After the test's last look (its order comes through the socket). */
	pthread_mutex_lock(&c->m);
	assert_int_equal(c->running, 0);
	assert_int_equal(c->violations, 0);
	pthread_mutex_unlock(&c->m);
	pthread_mutex_destroy(&c->m);
	inc(&ectx.closed);
	free(c);
}

static const struct smbd_conn_handler ovl = { .conn_open = ovl_open,
					      .conn_input = ovl_input,
					      .conn_classify = ovl_classify,
					      .conn_close = ovl_close };

/* Send n PDUs at once: tags[i % strlen(tags)], sequence numbers from 0. */
static void ovl_send(int fd, u32 n, const char *tags)
{
	size_t ntags = strlen(tags), off = 0;
	u8 *wire = malloc(n * (4 + 16));

	assert_non_null(wire);
	for (u32 i = 0; i < n; i++) {
		u8 pdu[16];

		make_pdu(pdu, sizeof(pdu), tags[i % ntags], i);
		smb_tcp_frame_header(wire + off, sizeof(pdu));
		memcpy(wire + off + 4, pdu, sizeof(pdu));
		off += 4 + sizeof(pdu);
	}
	assert_int_equal(net_write_all(fd, wire, off), 0);
	free(wire);
}

/* tags: the PDUs' tags, repeated (read by the workers: set before). */
static void ovl_server_start(struct server_thread *st,
			     const struct smbd_server_opts *o, const char *tags)
{
	ovl_tags = tags;
	memset(st, 0, sizeof(*st));
	st->h = &ovl;
	st->opts = *o;
	assert_int_equal(smb_tcp_listen("127.0.0.1", 0, NULL, &st->l, 1), 1);
	st->port = smb_tcp_listener_port(st->l);
	assert_int_equal(pthread_create(&st->t, NULL, server_main, st), 0);
}

/*
 * Overlapping PDUs of one connection run at once, never more than
 * max_inflight; those that must run alone keep their place in the order.
 */
static void test_overlap_gate(void **state)
{
	enum { N = 240 };
	struct smbd_server_opts o = { .workers = 4, .max_inflight = 3 };
	struct server_thread st;
	struct ovl_conn *c;
	bool seen[N] = { false };
	int fd, max_running, violations;

	ovl_server_start(&st, &o, "oooAoqoooooqBoo");
	fd = net_connect(st.port);
	assert_true(fd >= 0);
	ovl_send(fd, N, ovl_tags);
	for (u32 i = 0; i < N; i++) {
		u8 in[16];

		assert_int_equal(net_recv_msg(fd, in, sizeof(in)), 16);
		assert_true(smb_get_le32(in + 1) < N);
		assert_false(seen[smb_get_le32(in + 1)]);
		seen[smb_get_le32(in + 1)] = true;
	}
	c = __atomic_load_n(&ovl_last, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&c->m);
	max_running = c->max_running;
	violations = c->violations;
	pthread_mutex_unlock(&c->m);
	assert_int_equal(violations, 0);
	assert_true(max_running >= 2);
	assert_true(max_running <= 3);
	close(fd);
	assert_true(wait_for(&ectx.closed, 1, 5000));
	server_stop(&st);
}

/*
 * Quick PDUs one at a time run on the event loop itself (no hand-off);
 * behind a queued PDU they wait their turn on a worker like any other.
 */
static void test_quick_on_loop(void **state)
{
	enum { N = 50 };
	struct smbd_server_opts o = { .workers = 2 };
	struct server_thread st;
	struct ovl_conn *c;
	int fd, on_loop;

	ovl_server_start(&st, &o, "q");
	fd = net_connect(st.port);
	assert_true(fd >= 0);
	for (u32 i = 0; i < N; i++) {
		u8 pdu[16], in[16];

		make_pdu(pdu, sizeof(pdu), 'q', i);
		assert_int_equal(net_send_msg(fd, pdu, sizeof(pdu)), 0);
		assert_int_equal(net_recv_msg(fd, in, sizeof(in)), 16);
		assert_int_equal(smb_get_le32(in + 1), i);
	}
	c = __atomic_load_n(&ovl_last, __ATOMIC_SEQ_CST);
	/* The reply's ACK comes with the next request: the socket is idle. */
	pthread_mutex_lock(&c->m);
	on_loop = get(&c->on_loop);
	pthread_mutex_unlock(&c->m);
	assert_true(on_loop >= N / 2);
	close(fd);
	assert_true(wait_for(&ectx.closed, 1, 5000));
	server_stop(&st);
}

/*
 * A failing PDU among overlapping ones in flight: the connection goes
 * once the others are done with it (ASan sees any use after free).
 */
static void test_overlap_drop(void **state)
{
	struct smbd_server_opts o = { .workers = 4, .max_inflight = 4 };
	struct server_thread st;
	u8 in[16];
	int fd, replies = 0;

	ovl_server_start(&st, &o, "oooxoooAoo");
	for (int round = 0; round < 20; round++) {
		fd = net_connect(st.port);
		assert_true(fd >= 0);
		ovl_send(fd, 40, ovl_tags);
		while (net_recv_msg(fd, in, sizeof(in)) == 16)
			replies++;
		close(fd);
	}
	/*
	 * The failure shuts the socket while the PDUs beside it still run:
	 * they may or may not get their replies out; none after it does.
	 */
	assert_true(replies <= 20 * 7);
	assert_true(wait_for(&ectx.closed, 20, 5000));
	server_stop(&st);
}

static void test_stop_before_run(void **state)
{
	struct server_thread st;
	long long t0 = net_now_ms();

	smbd_server_stop();
	server_start(&st, NULL, NULL);
	pthread_join(st.t, NULL);
	assert_int_equal(st.rc, 0);
	assert_true(net_now_ms() - t0 < 5000);
	smb_tcp_listener_close(st.l);
	assert_int_equal(smbd_server_run(NULL, NULL, NULL, 0), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset_ctx, check_ctx)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_echo_many),	     T(test_pipelined_order),
		T(test_split_byte_by_byte),  T(test_concurrent_clients),
		T(test_bad_clients_dropped), T(test_handler_drop),
		T(test_backpressure_flood),  T(test_connection_limits),
		T(test_idle_timeout),	     T(test_stop_restart),
		T(test_stop_before_run),     T(test_overlap_gate),
		T(test_overlap_drop),	     T(test_quick_on_loop),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	if (getenv("SMB_TEST_DEBUG"))
		smb_set_log_level(SMB_LOG_DEBUG);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
