// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smbd-probe - a small SMB Direct ([MS-SMBD]) test client for the VM
 * scenario smbd-faults.  It speaks SMB Direct itself over librdmacm and
 * libibverbs (negotiate, data transfer messages with credits and
 * reassembly) and enough SMB2 3.0.2 (NEGOTIATE, a guest SESSION_SETUP with
 * raw NTLMSSP, TREE_CONNECT, CREATE, READ/WRITE through an RDMA_V1
 * channel, CLOSE) to drive the server into its fault paths on purpose.
 * A test tool: never installed.
 *
 * Usage: smbd-probe [-p PORT] [-s SHARE] [-t TCPPORT] ADDR MODE [ARG]
 *   bad-negotiate KIND  a malformed SMB Direct Negotiate Request; KIND is
 *                       min-version, max-version, truncated, zero-credits,
 *                       small-receive, small-fragmented, oversized,
 *                       silent (no request: the negotiate timeout; all
 *                       must end the connection) or small-preferred-send
 *                       (must be accepted: the server clamps it to 128)
 *   no-credits KIND     never grants the server a receive credit; KIND
 *                       silent (one SMB2 NEGOTIATE, then quiet) or flood
 *                       (keep-alive requests beyond the credits granted):
 *                       the server must end the connection by itself
 *   bad-descriptor KIND a full session, one good RDMA WRITE and READ, then
 *                       a READ (read-*) or WRITE (write-*) whose buffer
 *                       descriptor is bad: *-offset (past the region),
 *                       *-length (longer than it), *-rkey (wrong key),
 *                       *-wrap (offset + length wraps 2^64)
 *   write SIZE [NAME]   SIZE bytes (K/M/G suffixes) into NAME through
 *                       RDMA_V1 WRITEs of the negotiated size, several in
 *                       flight; meant to be killed half-way
 *   session             session, a 1 MiB write and read back, compared
 * -t TCPPORT runs the SMB2 part over TCP (direct TCP framing) instead of
 * SMB Direct: for checking the SMB2 code on a machine without RDMA (no
 * RDMA channel then: WRITE/READ carry their data inline).
 *
 * Exit status: 0 when the server behaved as expected, 1 when it did not,
 * 2 for usage or local set-up errors, 3 when the probe's own time limit
 * ran out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <infiniband/verbs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <rdma/rdma_cma.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* [MS-SMBD] 2.2 */
#define SMBD_V1 0x0100
#define SMBD_NEG_REQ_LEN 20
#define SMBD_NEG_RESP_LEN 32
#define SMBD_DATA_HDR 20
#define SMBD_DATA_OFFSET 24
#define SMBD_RESPONSE_REQUESTED 0x0001
#define SMBD_DESC_LEN 16

/* Our side of the SMB Direct connection. */
#define RECV_BUFS 32
#define RECV_SIZE 1364
#define SEND_SLOTS 32
#define SEND_SIZE 8192
#define MAX_FRAGMENTED (1024u * 1024)

/* [MS-SMB2] */
#define SMB2_HDR_LEN 64
#define SMB2_NEGOTIATE 0x0000
#define SMB2_SESSION_SETUP 0x0001
#define SMB2_TREE_CONNECT 0x0003
#define SMB2_CREATE 0x0005
#define SMB2_CLOSE 0x0006
#define SMB2_READ 0x0008
#define SMB2_WRITE 0x0009
#define SMB2_FLAGS_SERVER_TO_REDIR 0x00000001u
#define SMB2_FLAGS_ASYNC 0x00000002u
#define SMB2_CHANNEL_NONE 0
#define SMB2_CHANNEL_RDMA_V1 1
#define STATUS_SUCCESS 0x00000000u
#define STATUS_PENDING 0x00000103u
#define STATUS_MORE_PROCESSING_REQUIRED 0xc0000016u
#define SMB2_CREDITS_ASKED 256

/* [MS-NLMP] 2.2.2.5 */
#define NTLM_UNICODE 0x00000001u
#define NTLM_REQUEST_TARGET 0x00000004u
#define NTLM_NTLM 0x00000200u
#define NTLM_ALWAYS_SIGN 0x00008000u
#define NTLM_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLM_TARGET_INFO 0x00800000u
#define NTLM_128 0x20000000u
#define NTLM_56 0x80000000u

#define WR_RECV 1ull
#define WR_SEND 2ull

#define WRITE_DEPTH 4
#define PROBE_TIME_LIMIT_S 240

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static void put64(u8 *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + 4, (u32)(v >> 32));
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 get32(const u8 *p)
{
	return get16(p) | (u32)get16(p + 2) << 16;
}

static u64 get64(const u8 *p)
{
	return get32(p) | (u64)get32(p + 4) << 32;
}

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

static u64 start_ms;

static void say(const char *fmt, ...)
{
	va_list ap;

	printf("smbd-probe [%6.2f s] ", (double)(now_ms() - start_ms) / 1000);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void fill_random(void *p, size_t n)
{
	u8 *b = p;

	while (n) {
		ssize_t r = getrandom(b, n, 0);

		if (r <= 0)
			continue;
		b += r;
		n -= (size_t)r;
	}
}

/* ---- the connection ---------------------------------------------------- */

struct pdu {
	struct pdu *next;
	size_t len;
	u8 data[];
};

struct probe {
	const char *addr;
	u16 port;
	u16 tcp_port; /* nonzero: SMB2 over TCP, no SMB Direct */
	int tcp_fd;
	u8 rnr_retry;

	/* RDMA */
	struct rdma_event_channel *ch;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_comp_channel *cc;
	struct ibv_cq *cq;
	u8 *recv_mem, *send_mem;
	struct ibv_mr *recv_mr, *send_mr;
	u32 send_free[SEND_SLOTS];
	u32 nsend_free;
	bool established;
	bool dead; /* the connection ended */
	bool cm_disconnected; /* RDMA_CM_EVENT_DISCONNECTED: the server's */
	char dead_why[96];

	/* SMB Direct */
	bool negotiated;
	bool neg_resp_seen;
	u32 neg_status;
	u32 max_send; /* the server's MaxReceiveSize */
	u32 max_rw;
	u32 send_credits;
	u32 peer_credits; /* receive credits the server holds */
	u32 recv_posted;
	u16 credits_asked; /* our CreditsRequested */
	bool grant_nothing; /* the credit-less peer */
	bool response_requested;
	u64 msgs_in, msgs_out;
	u8 *rx;
	u32 rx_len, rx_have;
	struct pdu *pdus, *pdus_tail;

	/* SMB2 */
	u64 next_mid;
	u32 smb_credits;
	u64 session_id;
	u32 tree_id;
	u32 max_read, max_write;
	u8 file_id[16];
};

static void mark_dead(struct probe *p, const char *why)
{
	if (p->dead)
		return;
	p->dead = true;
	snprintf(p->dead_why, sizeof(p->dead_why), "%s", why);
	say("connection ended: %s", why);
}

static int cm_wait(struct probe *p, enum rdma_cm_event_type want, int ms)
{
	u64 end = now_ms() + (u64)ms;
	struct rdma_cm_event *ev;

	for (;;) {
		struct pollfd pfd = { p->ch->fd, POLLIN, 0 };
		u64 t = now_ms();

		if (rdma_get_cm_event(p->ch, &ev) == 0) {
			enum rdma_cm_event_type type = ev->event;
			int status = ev->status;

			rdma_ack_cm_event(ev);
			if (type == want)
				return 0;
			say("rdma_cm: %s (status %d) while waiting for %s",
			    rdma_event_str(type), status, rdma_event_str(want));
			return -1;
		}
		if (t >= end)
			return -1;
		poll(&pfd, 1, (int)(end - t));
	}
}

static int post_recv(struct probe *p, u32 slot)
{
	struct ibv_sge sge = { (uintptr_t)(p->recv_mem +
					   (size_t)slot * RECV_SIZE),
			       RECV_SIZE, p->recv_mr->lkey };
	struct ibv_recv_wr wr = { 0 }, *bad;

	wr.wr_id = WR_RECV << 32 | slot;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	return ibv_post_recv(p->id->qp, &wr, &bad) ? -1 : 0;
}

static int rdma_setup(struct probe *p)
{
	struct ibv_qp_init_attr qa = { 0 };
	struct rdma_conn_param cp = { 0 };
	struct ibv_device_attr da;
	struct addrinfo hints = { 0 }, *ai;
	char port[8];
	int flags;

	p->ch = rdma_create_event_channel();
	if (!p->ch)
		return -1;
	flags = fcntl(p->ch->fd, F_GETFL);
	fcntl(p->ch->fd, F_SETFL, flags | O_NONBLOCK);
	if (rdma_create_id(p->ch, &p->id, p, RDMA_PS_TCP))
		return -1;
	snprintf(port, sizeof(port), "%u", p->port);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(p->addr, port, &hints, &ai)) {
		say("cannot resolve %s", p->addr);
		return -1;
	}
	if (rdma_resolve_addr(p->id, NULL, ai->ai_addr, 2000)) {
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (cm_wait(p, RDMA_CM_EVENT_ADDR_RESOLVED, 3000) ||
	    rdma_resolve_route(p->id, 2000) ||
	    cm_wait(p, RDMA_CM_EVENT_ROUTE_RESOLVED, 3000))
		return -1;
	if (ibv_query_device(p->id->verbs, &da))
		return -1;
	p->pd = ibv_alloc_pd(p->id->verbs);
	p->cc = ibv_create_comp_channel(p->id->verbs);
	if (!p->pd || !p->cc)
		return -1;
	flags = fcntl(p->cc->fd, F_GETFL);
	fcntl(p->cc->fd, F_SETFL, flags | O_NONBLOCK);
	p->cq = ibv_create_cq(p->id->verbs, RECV_BUFS + SEND_SLOTS + 64, NULL,
			      p->cc, 0);
	if (!p->cq || ibv_req_notify_cq(p->cq, 0))
		return -1;
	qa.send_cq = p->cq;
	qa.recv_cq = p->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = SEND_SLOTS + 16;
	qa.cap.max_recv_wr = RECV_BUFS;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (rdma_create_qp(p->id, p->pd, &qa))
		return -1;
	if (posix_memalign((void **)&p->recv_mem, 4096,
			   (size_t)RECV_BUFS * RECV_SIZE) ||
	    posix_memalign((void **)&p->send_mem, 4096,
			   (size_t)SEND_SLOTS * SEND_SIZE))
		return -1;
	p->recv_mr = ibv_reg_mr(p->pd, p->recv_mem,
				(size_t)RECV_BUFS * RECV_SIZE,
				IBV_ACCESS_LOCAL_WRITE);
	p->send_mr = ibv_reg_mr(p->pd, p->send_mem,
				(size_t)SEND_SLOTS * SEND_SIZE, 0);
	if (!p->recv_mr || !p->send_mr)
		return -1;
	for (u32 i = 0; i < SEND_SLOTS; i++)
		p->send_free[i] = i;
	p->nsend_free = SEND_SLOTS;
	/* Buffers for the Negotiate Response and what follows it. */
	for (u32 i = 0; i < RECV_BUFS; i++)
		if (post_recv(p, i))
			return -1;
	p->recv_posted = RECV_BUFS;
	/* The server pulls WRITE data by RDMA Read: let it have some. */
	cp.responder_resources =
		(u8)(da.max_qp_rd_atom < 16 ? da.max_qp_rd_atom : 16);
	cp.initiator_depth =
		(u8)(da.max_qp_init_rd_atom < 16 ? da.max_qp_init_rd_atom : 16);
	cp.retry_count = 7;
	cp.rnr_retry_count = p->rnr_retry;
	if (rdma_connect(p->id, &cp))
		return -1;
	if (cm_wait(p, RDMA_CM_EVENT_ESTABLISHED, 5000)) {
		say("not connected to %s port %u", p->addr, p->port);
		return -1;
	}
	p->established = true;
	say("connected to %s port %u (rdma)", p->addr, p->port);
	return 0;
}

static void queue_pdu(struct probe *p, const u8 *data, size_t len)
{
	struct pdu *n = malloc(sizeof(*n) + len);

	if (!n) {
		mark_dead(p, "out of memory");
		return;
	}
	n->next = NULL;
	n->len = len;
	memcpy(n->data, data, len);
	if (p->pdus_tail)
		p->pdus_tail->next = n;
	else
		p->pdus = n;
	p->pdus_tail = n;
}

/* The Negotiate Response ([MS-SMBD] 2.2.2, checks of 3.1.5.7). */
static void handle_negotiate_response(struct probe *p, const u8 *m, u32 len)
{
	p->neg_resp_seen = true;
	if (len < SMBD_NEG_RESP_LEN) {
		say("negotiate response of %u bytes", len);
		p->neg_status = 0xffffffffu;
		return;
	}
	p->neg_status = get32(m + 12);
	if (p->neg_status) {
		say("negotiate response: status 0x%08x", p->neg_status);
		return;
	}
	if (get16(m + 4) != SMBD_V1 || get16(m + 10) == 0 ||
	    get32(m + 24) < 128 || get32(m + 28) < 131072) {
		say("negotiate response out of spec");
		p->neg_status = 0xfffffffeu;
		return;
	}
	p->send_credits = get16(m + 10);
	p->max_rw = get32(m + 16);
	p->max_send = get32(m + 24) < SEND_SIZE ? get32(m + 24) : SEND_SIZE;
	/* Every posted buffer was granted by the request's posting. */
	p->peer_credits = 0;
	p->negotiated = true;
	say("negotiated: credits granted %u, requested %u, max read/write %u, "
	    "server receives %u, sends %u, fragmented %u",
	    p->send_credits, get16(m + 8), p->max_rw, get32(m + 24),
	    get32(m + 20), get32(m + 28));
}

/* A Data Transfer Message ([MS-SMBD] 2.2.3, checks of 3.1.5.8). */
static void handle_data(struct probe *p, const u8 *m, u32 len)
{
	u32 remaining, off, dlen;

	if (len < SMBD_DATA_HDR) {
		mark_dead(p, "short data transfer message from the server");
		return;
	}
	p->msgs_in++;
	if (p->peer_credits)
		p->peer_credits--;
	p->send_credits += get16(m + 2);
	if (get16(m + 4) & SMBD_RESPONSE_REQUESTED)
		p->response_requested = true;
	remaining = get32(m + 8);
	off = get32(m + 12);
	dlen = get32(m + 16);
	if (!dlen)
		return;
	if ((off & 7) || (u64)off + dlen > len ||
	    (u64)dlen + remaining > MAX_FRAGMENTED) {
		mark_dead(p, "malformed data transfer message from the server");
		return;
	}
	if (!p->rx) {
		p->rx_len = dlen + remaining;
		p->rx_have = 0;
		p->rx = malloc(p->rx_len);
		if (!p->rx) {
			mark_dead(p, "out of memory");
			return;
		}
	} else if (dlen > p->rx_len - p->rx_have ||
		   remaining != p->rx_len - p->rx_have - dlen) {
		mark_dead(p, "inconsistent fragments from the server");
		return;
	}
	memcpy(p->rx + p->rx_have, m + off, dlen);
	p->rx_have += dlen;
	if (p->rx_have == p->rx_len) {
		queue_pdu(p, p->rx, p->rx_len);
		free(p->rx);
		p->rx = NULL;
	}
}

static void handle_wc(struct probe *p, const struct ibv_wc *wc)
{
	u64 kind = wc->wr_id >> 32;
	u32 slot = (u32)wc->wr_id;

	if (wc->status != IBV_WC_SUCCESS) {
		char why[80];

		if (kind == WR_SEND && slot < SEND_SLOTS)
			p->send_free[p->nsend_free++] = slot;
		snprintf(why, sizeof(why), "%s completion: %s",
			 kind == WR_RECV ? "receive" : "send",
			 ibv_wc_status_str(wc->status));
		mark_dead(p, why);
		return;
	}
	if (kind == WR_SEND) {
		p->send_free[p->nsend_free++] = slot;
		return;
	}
	if (slot >= RECV_BUFS)
		return;
	if (!p->neg_resp_seen)
		handle_negotiate_response(
			p, p->recv_mem + (size_t)slot * RECV_SIZE,
			wc->byte_len);
	else
		handle_data(p, p->recv_mem + (size_t)slot * RECV_SIZE,
			    wc->byte_len);
	/* The buffer goes back at once: the next message we send grants it. */
	if (!p->dead && post_recv(p, slot))
		mark_dead(p, "ibv_post_recv failed");
}

/* Take what arrived within ms (CQ and rdma_cm); 0 ms: only look. */
static void pump(struct probe *p, int ms)
{
	struct pollfd pfd[2] = { { p->cc->fd, POLLIN, 0 },
				 { p->ch->fd, POLLIN, 0 } };
	struct rdma_cm_event *ev;
	struct ibv_wc wc[16];
	struct ibv_cq *cq;
	void *ctx;
	int n;

	poll(pfd, 2, ms);
	while (ibv_get_cq_event(p->cc, &cq, &ctx) == 0)
		ibv_ack_cq_events(cq, 1);
	ibv_req_notify_cq(p->cq, 0);
	while ((n = ibv_poll_cq(p->cq, 16, wc)) > 0)
		for (int i = 0; i < n; i++)
			handle_wc(p, &wc[i]);
	while (rdma_get_cm_event(p->ch, &ev) == 0) {
		enum rdma_cm_event_type type = ev->event;

		rdma_ack_cm_event(ev);
		if (type == RDMA_CM_EVENT_DISCONNECTED)
			p->cm_disconnected = true;
		mark_dead(p, rdma_event_str(type));
	}
}

static int post_send_raw(struct probe *p, const u8 *msg, u32 len)
{
	struct ibv_send_wr wr = { 0 }, *bad;
	struct ibv_sge sge;
	u32 slot;
	u8 *buf;

	while (!p->nsend_free && !p->dead)
		pump(p, 100);
	if (p->dead || len > SEND_SIZE)
		return -1;
	slot = p->send_free[--p->nsend_free];
	buf = p->send_mem + (size_t)slot * SEND_SIZE;
	memcpy(buf, msg, len);
	sge.addr = (uintptr_t)buf;
	sge.length = len;
	sge.lkey = p->send_mr->lkey;
	wr.wr_id = WR_SEND << 32 | slot;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IBV_WR_SEND;
	wr.send_flags = IBV_SEND_SIGNALED;
	if (ibv_post_send(p->id->qp, &wr, &bad)) {
		p->send_free[p->nsend_free++] = slot;
		mark_dead(p, "ibv_post_send failed");
		return -1;
	}
	return 0;
}

/* Credits to grant with the next message: every buffer not yet granted. */
static u16 grant_now(struct probe *p)
{
	u32 g;

	if (p->grant_nothing)
		return 0;
	g = p->recv_posted - p->peer_credits;
	return (u16)(g > 0xffff ? 0xffff : g);
}

/*
 * One Data Transfer Message; payload NULL for an empty one.  ignore_credits
 * sends even without a send credit (the flood).
 */
static int smbd_send(struct probe *p, const u8 *payload, u32 len, u32 remaining,
		     u16 flags, bool ignore_credits)
{
	u8 msg[SEND_SIZE];
	u32 hdr = len ? SMBD_DATA_OFFSET : SMBD_DATA_HDR;
	u16 grant;
	u64 end = now_ms() + 30000;

	if (hdr + len > p->max_send)
		return -1;
	while (!ignore_credits && !p->dead && p->send_credits == 0) {
		if (now_ms() > end) {
			say("no send credit from the server for 30 s");
			return -1;
		}
		pump(p, 100);
	}
	if (p->dead)
		return -1;
	grant = grant_now(p);
	memset(msg, 0, hdr);
	put16(msg + 0, p->credits_asked);
	put16(msg + 2, grant);
	put16(msg + 4, flags);
	put32(msg + 8, len ? remaining : 0);
	put32(msg + 12, len ? SMBD_DATA_OFFSET : 0);
	put32(msg + 16, len);
	if (len)
		memcpy(msg + SMBD_DATA_OFFSET, payload, len);
	if (post_send_raw(p, msg, hdr + len))
		return -1;
	if (p->send_credits)
		p->send_credits--;
	p->peer_credits += grant;
	p->msgs_out++;
	return 0;
}

/* Answer a keep-alive and keep the server supplied with credits. */
static void smbd_upkeep(struct probe *p)
{
	if (p->dead || p->grant_nothing || p->tcp_port || !p->send_credits)
		return;
	if (p->response_requested || p->peer_credits < RECV_BUFS / 2) {
		p->response_requested = false;
		smbd_send(p, NULL, 0, 0, 0, false);
	}
}

/* An upper-layer PDU, fragmented to the server's receive size. */
static int smbd_send_pdu(struct probe *p, const u8 *pdu, u32 len)
{
	u32 chunk_max = p->max_send - SMBD_DATA_OFFSET, done = 0;

	if (p->tcp_port) {
		u8 hdr[4] = { 0, (u8)(len >> 16), (u8)(len >> 8), (u8)len };

		if (send(p->tcp_fd, hdr, 4, MSG_NOSIGNAL) != 4 ||
		    send(p->tcp_fd, pdu, len, MSG_NOSIGNAL) != (ssize_t)len) {
			mark_dead(p, "tcp send failed");
			return -1;
		}
		return 0;
	}
	while (done < len) {
		u32 chunk = len - done < chunk_max ? len - done : chunk_max;

		if (smbd_send(p, pdu + done, chunk, len - done - chunk, 0,
			      false))
			return -1;
		done += chunk;
	}
	return 0;
}

static int smbd_negotiate(struct probe *p, const u8 *req, u32 len, int ms)
{
	u64 end = now_ms() + (u64)ms;

	if (post_send_raw(p, req, len))
		return -1;
	while (!p->neg_resp_seen && !p->dead && now_ms() < end)
		pump(p, 100);
	return p->negotiated ? 0 : -1;
}

/* A valid Negotiate Request ([MS-SMBD] 2.2.1). */
static void build_negotiate(u8 *m, u16 credits)
{
	put16(m + 0, SMBD_V1);
	put16(m + 2, SMBD_V1);
	put16(m + 4, 0);
	put16(m + 6, credits);
	put32(m + 8, RECV_SIZE); /* PreferredSendSize */
	put32(m + 12, RECV_SIZE); /* MaxReceiveSize */
	put32(m + 16, MAX_FRAGMENTED);
}

static int tcp_setup(struct probe *p)
{
	struct addrinfo hints = { 0 }, *ai;
	char port[8];
	int one = 1;

	snprintf(port, sizeof(port), "%u", p->tcp_port);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(p->addr, port, &hints, &ai))
		return -1;
	p->tcp_fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (p->tcp_fd < 0 || connect(p->tcp_fd, ai->ai_addr, ai->ai_addrlen)) {
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	setsockopt(p->tcp_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	p->max_rw = 1u << 20;
	say("connected to %s port %u (tcp)", p->addr, p->tcp_port);
	return 0;
}

static int read_full(int fd, u8 *b, size_t n)
{
	while (n) {
		ssize_t r = recv(fd, b, n, 0);

		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void tcp_pump(struct probe *p, int ms)
{
	struct pollfd pfd = { p->tcp_fd, POLLIN, 0 };
	u8 hdr[4], *b;
	u32 len;

	if (poll(&pfd, 1, ms) <= 0)
		return;
	if (read_full(p->tcp_fd, hdr, 4)) {
		mark_dead(p, "tcp connection closed");
		return;
	}
	len = (u32)hdr[1] << 16 | (u32)hdr[2] << 8 | hdr[3];
	b = malloc(len ? len : 1);
	if (!b || read_full(p->tcp_fd, b, len)) {
		free(b);
		mark_dead(p, "tcp connection closed");
		return;
	}
	queue_pdu(p, b, len);
	free(b);
}

static void wait_input(struct probe *p, int ms)
{
	if (p->tcp_port)
		tcp_pump(p, ms);
	else
		pump(p, ms);
	smbd_upkeep(p);
}

/* ---- SMB2 --------------------------------------------------------------- */

/* Header of a request ([MS-SMB2] 2.2.1.2); returns its MessageId. */
static u64 smb2_hdr(struct probe *p, u8 *h, u16 cmd, u16 charge)
{
	u64 mid = p->next_mid;

	memset(h, 0, SMB2_HDR_LEN);
	put32(h, 0x424d53feu);
	put16(h + 4, SMB2_HDR_LEN);
	put16(h + 6, charge);
	put16(h + 12, cmd);
	put16(h + 14, SMB2_CREDITS_ASKED);
	put64(h + 24, mid);
	put32(h + 36, p->tree_id);
	put64(h + 40, p->session_id);
	p->next_mid += charge ? charge : 1;
	return mid;
}

/* Wait until the request's charge fits the credits the server granted. */
static int smb2_credits(struct probe *p, u16 charge, int ms)
{
	u64 end = now_ms() + (u64)ms;

	while (p->smb_credits < charge) {
		if (p->dead || now_ms() > end)
			return -1;
		wait_input(p, 100);
	}
	p->smb_credits -= charge;
	return 0;
}

/* The final response to MessageId mid, or NULL (caller frees). */
static struct pdu *smb2_wait(struct probe *p, u64 mid, int ms)
{
	u64 end = now_ms() + (u64)ms;

	for (;;) {
		struct pdu **pp;

		for (pp = &p->pdus; *pp; pp = &(*pp)->next) {
			struct pdu *n = *pp;

			if (n->len < SMB2_HDR_LEN + 2 ||
			    get32(n->data) != 0x424d53feu ||
			    get64(n->data + 24) != mid)
				continue;
			*pp = n->next;
			if (p->pdus_tail == n) {
				struct pdu *t = p->pdus;

				while (t && t->next)
					t = t->next;
				p->pdus_tail = t;
			}
			p->smb_credits += get16(n->data + 14);
			if ((get32(n->data + 16) & SMB2_FLAGS_ASYNC) &&
			    get32(n->data + 8) == STATUS_PENDING) {
				free(n); /* interim: the final one follows */
				break;
			}
			return n;
		}
		if (p->dead || now_ms() > end)
			return NULL;
		wait_input(p, 100);
	}
}

static u32 smb2_status(const struct pdu *r)
{
	return get32(r->data + 8);
}

static const u8 *smb2_body(const struct pdu *r)
{
	return r->data + SMB2_HDR_LEN;
}

/* Send one request (header + body) and wait for its final response. */
static struct pdu *smb2_call(struct probe *p, u8 *msg, u32 len, u16 cmd,
			     u16 charge)
{
	u64 mid;

	if (smb2_credits(p, charge ? charge : 1, 30000))
		return NULL;
	mid = smb2_hdr(p, msg, cmd, charge);
	if (smbd_send_pdu(p, msg, len))
		return NULL;
	return smb2_wait(p, mid, 30000);
}

static int smb2_negotiate(struct probe *p)
{
	u8 m[SMB2_HDR_LEN + 38];
	u8 *b = m + SMB2_HDR_LEN;
	struct pdu *r;

	memset(m, 0, sizeof(m));
	put16(b, 36);
	put16(b + 2, 1); /* DialectCount */
	put16(b + 4, 1); /* SecurityMode: signing enabled */
	fill_random(b + 12, 16); /* ClientGuid */
	put16(b + 36, 0x0302);
	p->smb_credits = 1;
	r = smb2_call(p, m, sizeof(m), SMB2_NEGOTIATE, 0);
	if (!r)
		return -1;
	if (smb2_status(r) || r->len < SMB2_HDR_LEN + 64 ||
	    get16(smb2_body(r) + 4) != 0x0302) {
		say("SMB2 NEGOTIATE: status 0x%08x", smb2_status(r));
		free(r);
		return -1;
	}
	p->max_read = get32(smb2_body(r) + 32);
	p->max_write = get32(smb2_body(r) + 36);
	say("SMB2 dialect 3.0.2, max read %u, max write %u", p->max_read,
	    p->max_write);
	free(r);
	return 0;
}

static size_t utf16(const char *s, u8 *out)
{
	size_t n = 0;

	for (; *s; s++, n += 2)
		put16(out + n, (u8)*s);
	return n;
}

/* A security buffer field of an NTLMSSP message: len, maxlen, offset. */
static void ntlm_field(u8 *f, u32 len, u32 off)
{
	put16(f, (u16)len);
	put16(f + 2, (u16)len);
	put32(f + 4, off);
}

static struct pdu *session_setup(struct probe *p, const u8 *tok, u32 tok_len)
{
	u8 m[SMB2_HDR_LEN + 24 + 1024];
	u8 *b = m + SMB2_HDR_LEN;

	if (tok_len > 1024)
		return NULL;
	memset(m, 0, SMB2_HDR_LEN + 24);
	put16(b, 25);
	b[3] = 1; /* SecurityMode: signing enabled */
	put16(b + 12, SMB2_HDR_LEN + 24);
	put16(b + 14, (u16)tok_len);
	memcpy(b + 24, tok, tok_len);
	return smb2_call(p, m, SMB2_HDR_LEN + 24 + tok_len, SMB2_SESSION_SETUP,
			 1);
}

/*
 * A guest session: raw NTLMSSP ([MS-NLMP] 3.1.5) with a user the server
 * does not know, which "map to guest = bad user" turns into a guest.  The
 * NTLMv2 response is well formed (the server parses it before the user
 * lookup) but its proof is random: no password is involved.
 */
static int smb2_guest_session(struct probe *p)
{
	const u32 flags = NTLM_UNICODE | NTLM_REQUEST_TARGET | NTLM_NTLM |
			  NTLM_ALWAYS_SIGN | NTLM_EXTENDED_SESSIONSECURITY |
			  NTLM_128 | NTLM_56;
	u8 neg[32] = "NTLMSSP";
	u8 auth[1024];
	const u8 *ch, *ti;
	u32 ch_len, ti_len, ti_off, nt_len, pos;
	struct pdu *r;
	u8 user[64], ws[32];
	size_t user_len, ws_len;

	put32(neg + 8, 1);
	put32(neg + 12, flags);
	r = session_setup(p, neg, sizeof(neg));
	if (!r)
		return -1;
	if (smb2_status(r) != STATUS_MORE_PROCESSING_REQUIRED) {
		say("SESSION_SETUP 1: status 0x%08x", smb2_status(r));
		free(r);
		return -1;
	}
	p->session_id = get64(r->data + 40);
	ch = r->data + get16(smb2_body(r) + 4);
	ch_len = get16(smb2_body(r) + 6);
	if ((u64)get16(smb2_body(r) + 4) + ch_len > r->len || ch_len < 48 ||
	    memcmp(ch, "NTLMSSP", 8) || get32(ch + 8) != 2) {
		say("SESSION_SETUP 1: no NTLMSSP CHALLENGE");
		free(r);
		return -1;
	}
	ti_len = get16(ch + 40);
	ti_off = get32(ch + 44);
	if ((u64)ti_off + ti_len > ch_len || ti_len > 512) {
		say("CHALLENGE: TargetInfo out of bounds");
		free(r);
		return -1;
	}
	ti = ch + ti_off;
	user_len = utf16("smbd-probe-nobody", user);
	ws_len = utf16("PROBE", ws);

	/* AUTHENTICATE: 64-byte header, then LM, NT, user, workstation. */
	memset(auth, 0, 64);
	memcpy(auth, "NTLMSSP", 8);
	put32(auth + 8, 3);
	pos = 64;
	memset(auth + pos, 0, 24); /* LmChallengeResponse: Z(24) */
	ntlm_field(auth + 12, 24, pos);
	pos += 24;
	/* NTProofStr (random), then the NTLMv2_CLIENT_CHALLENGE blob. */
	nt_len = 16 + 28 + ti_len + 4;
	fill_random(auth + pos, 16);
	memset(auth + pos + 16, 0, 28);
	auth[pos + 16] = 1;
	auth[pos + 17] = 1;
	put64(auth + pos + 24, 0); /* TimeStamp */
	fill_random(auth + pos + 32, 8); /* ChallengeFromClient */
	memcpy(auth + pos + 44, ti, ti_len);
	memset(auth + pos + 44 + ti_len, 0, 4);
	ntlm_field(auth + 20, nt_len, pos);
	pos += nt_len;
	ntlm_field(auth + 28, 0, pos); /* DomainName: empty */
	memcpy(auth + pos, user, user_len);
	ntlm_field(auth + 36, (u32)user_len, pos);
	pos += (u32)user_len;
	memcpy(auth + pos, ws, ws_len);
	ntlm_field(auth + 44, (u32)ws_len, pos);
	pos += (u32)ws_len;
	ntlm_field(auth + 52, 0, pos); /* no session key */
	put32(auth + 60, flags);
	free(r);

	r = session_setup(p, auth, pos);
	if (!r)
		return -1;
	if (smb2_status(r)) {
		say("SESSION_SETUP 2: status 0x%08x", smb2_status(r));
		free(r);
		return -1;
	}
	say("guest session 0x%llx (session flags 0x%x)",
	    (unsigned long long)p->session_id, get16(smb2_body(r) + 2));
	free(r);
	return 0;
}

static int smb2_tree_connect(struct probe *p, const char *share)
{
	u8 m[SMB2_HDR_LEN + 8 + 512];
	u8 *b = m + SMB2_HDR_LEN;
	char path[200];
	size_t n;
	struct pdu *r;

	snprintf(path, sizeof(path), "\\\\%s\\%s", p->addr, share);
	memset(m, 0, SMB2_HDR_LEN + 8);
	put16(b, 9);
	n = utf16(path, b + 8);
	put16(b + 4, SMB2_HDR_LEN + 8);
	put16(b + 6, (u16)n);
	r = smb2_call(p, m, SMB2_HDR_LEN + 8 + (u32)n, SMB2_TREE_CONNECT, 1);
	if (!r)
		return -1;
	if (smb2_status(r)) {
		say("TREE_CONNECT %s: status 0x%08x", path, smb2_status(r));
		free(r);
		return -1;
	}
	p->tree_id = get32(r->data + 36);
	say("tree %s connected", path);
	free(r);
	return 0;
}

static int smb2_create(struct probe *p, const char *name)
{
	u8 m[SMB2_HDR_LEN + 56 + 512];
	u8 *b = m + SMB2_HDR_LEN;
	size_t n;
	struct pdu *r;

	memset(m, 0, SMB2_HDR_LEN + 56);
	put16(b, 57);
	put32(b + 4, 2); /* ImpersonationLevel: Impersonation */
	put32(b + 24, 0x0012019f); /* DesiredAccess: read, write, attrs */
	put32(b + 28, 0x80); /* FileAttributes: NORMAL */
	put32(b + 32, 7); /* ShareAccess: read, write, delete */
	put32(b + 36, 5); /* CreateDisposition: OVERWRITE_IF */
	put32(b + 40, 0x40); /* CreateOptions: NON_DIRECTORY_FILE */
	n = utf16(name, b + 56);
	put16(b + 44, SMB2_HDR_LEN + 56);
	put16(b + 46, (u16)n);
	r = smb2_call(p, m, SMB2_HDR_LEN + 56 + (u32)(n ? n : 1), SMB2_CREATE,
		      1);
	if (!r)
		return -1;
	if (smb2_status(r) || r->len < SMB2_HDR_LEN + 88) {
		say("CREATE %s: status 0x%08x", name, smb2_status(r));
		free(r);
		return -1;
	}
	memcpy(p->file_id, smb2_body(r) + 64, 16);
	say("created %s", name);
	free(r);
	return 0;
}

static int smb2_close(struct probe *p)
{
	u8 m[SMB2_HDR_LEN + 24];
	u8 *b = m + SMB2_HDR_LEN;
	struct pdu *r;
	u32 st;

	memset(m, 0, sizeof(m));
	put16(b, 24);
	memcpy(b + 8, p->file_id, 16);
	r = smb2_call(p, m, sizeof(m), SMB2_CLOSE, 1);
	if (!r)
		return -1;
	st = smb2_status(r);
	free(r);
	return st ? -1 : 0;
}

static u16 credit_charge(u32 len)
{
	return (u16)(len ? (len - 1) / 65536 + 1 : 1);
}

/* SMB_DIRECT_BUFFER_DESCRIPTOR_V1 ([MS-SMBD] 2.2.3.1). */
struct desc {
	u64 offset;
	u32 token;
	u32 length;
};

/*
 * Send a WRITE (inline data, or RDMA_V1 with the descriptor) without
 * waiting; returns the MessageId, or 0 on failure.
 */
static u64 smb2_write_send(struct probe *p, u64 off, u32 len,
			   const struct desc *d, const u8 *inline_data)
{
	u32 inl = d ? 0 : len;
	u32 total = SMB2_HDR_LEN + 48 + (d ? SMBD_DESC_LEN : inl);
	u8 *m = malloc(total);
	u8 *b = m + SMB2_HDR_LEN;
	u16 charge = credit_charge(len);
	u64 mid;

	if (!m || smb2_credits(p, charge, 30000)) {
		free(m);
		return 0;
	}
	mid = smb2_hdr(p, m, SMB2_WRITE, charge);
	memset(b, 0, 48);
	put16(b, 49);
	put16(b + 2, SMB2_HDR_LEN + 48);
	put32(b + 4, inl);
	put64(b + 8, off);
	memcpy(b + 16, p->file_id, 16);
	if (d) {
		put32(b + 32, SMB2_CHANNEL_RDMA_V1);
		put32(b + 36, len); /* RemainingBytes: the RDMA length */
		put16(b + 40, SMB2_HDR_LEN + 48);
		put16(b + 42, SMBD_DESC_LEN);
		put64(b + 48, d->offset);
		put32(b + 56, d->token);
		put32(b + 60, d->length);
	} else {
		memcpy(b + 48, inline_data, inl);
	}
	if (smbd_send_pdu(p, m, total))
		mid = 0;
	free(m);
	return mid;
}

static u64 smb2_read_send(struct probe *p, u64 off, u32 len,
			  const struct desc *d)
{
	u8 m[SMB2_HDR_LEN + 48 + SMBD_DESC_LEN];
	u8 *b = m + SMB2_HDR_LEN;
	u16 charge = credit_charge(len);
	u32 total = SMB2_HDR_LEN + 48 + (d ? SMBD_DESC_LEN : 1);
	u64 mid;

	if (smb2_credits(p, charge, 30000))
		return 0;
	mid = smb2_hdr(p, m, SMB2_READ, charge);
	memset(b, 0, 48 + SMBD_DESC_LEN);
	put16(b, 49);
	b[2] = SMB2_HDR_LEN + 16; /* Padding: where the data would go */
	put32(b + 4, len);
	put64(b + 8, off);
	memcpy(b + 16, p->file_id, 16);
	if (d) {
		put32(b + 36, SMB2_CHANNEL_RDMA_V1);
		put16(b + 44, SMB2_HDR_LEN + 48);
		put16(b + 46, SMBD_DESC_LEN);
		put64(b + 48, d->offset);
		put32(b + 56, d->token);
		put32(b + 60, d->length);
	}
	if (smbd_send_pdu(p, m, total))
		return 0;
	return mid;
}

/* The bytes a READ response says it returned (inline or by RDMA). */
static u32 read_result(const struct pdu *r, u8 *out, u32 max)
{
	const u8 *b = smb2_body(r);
	u32 off = b[2], len = get32(b + 4);

	if (len == 0)
		return get32(b + 8); /* RDMA: DataRemaining */
	if ((u64)off + len > r->len || len > max)
		return 0;
	memcpy(out, r->data + off, len);
	return len;
}

/* ---- a registered data buffer the server reads and writes ----------- */

struct data_buf {
	u8 *mem;
	size_t len;
	struct ibv_mr *mr;
};

static int data_buf_init(struct probe *p, struct data_buf *d, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->len = len;
	if (posix_memalign((void **)&d->mem, 4096, len))
		return -1;
	memset(d->mem, 0, len);
	if (p->tcp_port)
		return 0;
	d->mr = ibv_reg_mr(p->pd, d->mem, len,
			   IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
				   IBV_ACCESS_REMOTE_WRITE);
	return d->mr ? 0 : -1;
}

static struct desc data_desc(const struct data_buf *d, size_t off, u32 len)
{
	struct desc x = { (uintptr_t)(d->mem + off), d->mr ? d->mr->rkey : 0,
			  len };

	return x;
}

/* ---- modes -------------------------------------------------------------- */

/* Connect and negotiate SMB Direct (or connect TCP). */
static int connect_transport(struct probe *p)
{
	u8 req[SMBD_NEG_REQ_LEN];

	if (p->tcp_port)
		return tcp_setup(p);
	if (rdma_setup(p))
		return -1;
	build_negotiate(req, p->credits_asked);
	if (smbd_negotiate(p, req, sizeof(req), 10000)) {
		say("SMB Direct negotiation failed (%s)",
		    p->dead ? p->dead_why : "no response");
		return -1;
	}
	return 0;
}

static int full_session(struct probe *p, const char *share, const char *file)
{
	if (connect_transport(p) || smb2_negotiate(p) ||
	    smb2_guest_session(p) || smb2_tree_connect(p, share) ||
	    smb2_create(p, file))
		return -1;
	return 0;
}

/*
 * Wait up to ms for the server to end the connection: the rdma_cm
 * DISCONNECTED event (our own QP may fail first, when the server's RDMA
 * access was refused here, but that alone does not show the server let
 * go).
 */
static bool wait_for_end(struct probe *p, int ms)
{
	u64 end = now_ms() + (u64)ms;

	if (p->tcp_port) {
		while (!p->dead && now_ms() < end)
			wait_input(p, 200);
		return p->dead;
	}
	while (!p->cm_disconnected && now_ms() < end)
		wait_input(p, 200);
	return p->cm_disconnected;
}

static int mode_bad_negotiate(struct probe *p, const char *kind)
{
	u8 req[SMBD_NEG_REQ_LEN + 4096];
	u32 len = SMBD_NEG_REQ_LEN;
	bool accept = false;
	u64 t0;

	build_negotiate(req, 16);
	if (!strcmp(kind, "min-version")) {
		put16(req + 0, 0x0200); /* 2.0 to 2.0: excludes 1.0 */
		put16(req + 2, 0x0200);
	} else if (!strcmp(kind, "max-version")) {
		put16(req + 0, 0x0001); /* 0.1 to 0.ff: below 1.0 */
		put16(req + 2, 0x00ff);
	} else if (!strcmp(kind, "truncated")) {
		len = 12;
	} else if (!strcmp(kind, "zero-credits")) {
		put16(req + 6, 0);
	} else if (!strcmp(kind, "small-receive")) {
		put32(req + 12, 127);
	} else if (!strcmp(kind, "small-fragmented")) {
		put32(req + 16, 131071);
	} else if (!strcmp(kind, "oversized")) {
		/* Longer than any receive buffer the server posts. */
		len = sizeof(req);
		memset(req + SMBD_NEG_REQ_LEN, 0x5a, len - SMBD_NEG_REQ_LEN);
	} else if (!strcmp(kind, "silent")) {
		len = 0; /* no request at all: the negotiate timer's turn */
	} else if (!strcmp(kind, "small-preferred-send")) {
		put32(req + 8, 16); /* clamped to 128 by the server */
		accept = true;
	} else {
		fprintf(stderr, "smbd-probe: unknown bad-negotiate kind %s\n",
			kind);
		return 2;
	}
	if (rdma_setup(p))
		return 2;
	t0 = now_ms();
	if (len) {
		say("sending a negotiate request (%s), %u bytes", kind, len);
		if (post_send_raw(p, req, len))
			return 1;
	} else {
		say("connected, sending nothing");
	}
	while (!p->neg_resp_seen && !p->dead && now_ms() - t0 < 10000)
		pump(p, 100);
	if (accept) {
		if (!p->negotiated) {
			say("FAIL: a valid request (PreferredSendSize 16) was "
			    "refused");
			return 1;
		}
		if (smb2_negotiate(p)) {
			say("FAIL: no SMB2 NEGOTIATE over the connection");
			return 1;
		}
		say("OK: accepted, SMB2 works over it");
		return 0;
	}
	if (p->negotiated) {
		say("FAIL: the server accepted a malformed negotiate request");
		return 1;
	}
	if (p->neg_resp_seen)
		say("negotiate failure response, status 0x%08x", p->neg_status);
	/* The negotiate timeout is 5 s. */
	if (!wait_for_end(p, 15000)) {
		say("FAIL: connection still up 15 s after a malformed "
		    "negotiate request");
		return 1;
	}
	say("OK: the server ended the connection after %.2f s",
	    (double)(now_ms() - t0) / 1000);
	return 0;
}

/* Longest the server may take: keep-alive interval 120 s + timeout 5 s. */
#define NO_CREDIT_WAIT_MS 150000

static int mode_no_credits(struct probe *p, const char *kind)
{
	u8 m[SMB2_HDR_LEN + 38];
	u8 *b = m + SMB2_HDR_LEN;
	u32 sent = 0, granted;
	u64 t0;

	if (strcmp(kind, "silent") && strcmp(kind, "flood")) {
		fprintf(stderr, "smbd-probe: unknown no-credits kind %s\n",
			kind);
		return 2;
	}
	p->grant_nothing = true;
	p->credits_asked = 8;
	if (connect_transport(p))
		return 1;
	granted = p->send_credits;
	/* A request that needs a reply the server can never send. */
	memset(m, 0, sizeof(m));
	smb2_hdr(p, m, SMB2_NEGOTIATE, 0);
	put16(b, 36);
	put16(b + 2, 1);
	put16(b + 4, 1);
	put16(b + 36, 0x0302);
	if (smbd_send(p, m, sizeof(m), 0, 0, false))
		return 1;
	sent++;
	if (!strcmp(kind, "flood")) {
		/* Keep-alive requests, CreditsGranted 0, beyond our credits. */
		while (sent < granted + 8 && !p->dead) {
			if (smbd_send(p, NULL, 0, 0, SMBD_RESPONSE_REQUESTED,
				      true))
				break;
			sent++;
			pump(p, 0);
		}
	}
	say("%u messages sent with %u send credits, none granted; waiting "
	    "up to %d s for the server to end the connection",
	    sent, granted, NO_CREDIT_WAIT_MS / 1000);
	t0 = now_ms();
	if (!wait_for_end(p, NO_CREDIT_WAIT_MS)) {
		say("FAIL: connection still up after %d s",
		    NO_CREDIT_WAIT_MS / 1000);
		return 1;
	}
	say("OK: the server ended the connection after %.1f s (%llu messages "
	    "from it)",
	    (double)(now_ms() - t0) / 1000, (unsigned long long)p->msgs_in);
	return 0;
}

#define GOOD_LEN (256u * 1024)

static int mode_bad_descriptor(struct probe *p, const char *share,
			       const char *kind)
{
	struct data_buf good, target;
	bool is_read = !strncmp(kind, "read-", 5);
	const char *what = kind + (is_read ? 5 : 6);
	struct desc d;
	struct pdu *r;
	u32 len = 64 * 1024;
	u64 mid;

	if (!is_read && strncmp(kind, "write-", 6)) {
		fprintf(stderr, "smbd-probe: unknown bad-descriptor kind %s\n",
			kind);
		return 2;
	}
	p->credits_asked = 32;
	if (full_session(p, share, "smbd-probe-desc.bin"))
		return 1;
	if (data_buf_init(p, &good, GOOD_LEN) ||
	    data_buf_init(p, &target, 64 * 1024))
		return 2;
	/* First a good WRITE and READ, so the bad one is the only fault. */
	fill_random(good.mem, GOOD_LEN);
	d = data_desc(&good, 0, GOOD_LEN);
	mid = smb2_write_send(p, 0, GOOD_LEN, &d, NULL);
	r = mid ? smb2_wait(p, mid, 30000) : NULL;
	if (!r || smb2_status(r)) {
		say("FAIL: the good RDMA WRITE failed (status 0x%08x)",
		    r ? smb2_status(r) : 0);
		return 1;
	}
	free(r);
	d = data_desc(&target, 0, 64 * 1024);
	mid = smb2_read_send(p, 0, 64 * 1024, &d);
	r = mid ? smb2_wait(p, mid, 30000) : NULL;
	if (!r || smb2_status(r) || memcmp(target.mem, good.mem, 64 * 1024)) {
		say("FAIL: the good RDMA READ failed or returned other data");
		return 1;
	}
	free(r);
	say("good RDMA WRITE (%u bytes) and READ (64 KiB) done", GOOD_LEN);

	/* The bad one: the target region is 64 KiB. */
	d = data_desc(&target, 0, len);
	if (!strcmp(what, "offset")) {
		d.offset += target.len; /* right past the region */
	} else if (!strcmp(what, "length")) {
		len = 128 * 1024;
		d.length = len; /* twice the region */
	} else if (!strcmp(what, "rkey")) {
		d.token ^= 0x00a5a500u;
	} else if (!strcmp(what, "wrap")) {
		d.offset = 0xfffffffffffff000ull;
		d.length = len;
	} else {
		fprintf(stderr, "smbd-probe: unknown bad-descriptor kind %s\n",
			kind);
		return 2;
	}
	say("%s of %u bytes with descriptor offset 0x%llx rkey 0x%x length "
	    "%u (region 0x%llx+%zu, rkey 0x%x)",
	    is_read ? "READ" : "WRITE", len, (unsigned long long)d.offset,
	    d.token, d.length, (unsigned long long)(uintptr_t)target.mem,
	    target.len, target.mr->rkey);
	mid = is_read ? smb2_read_send(p, 0, len, &d) :
			smb2_write_send(p, 0, len, &d, NULL);
	r = mid ? smb2_wait(p, mid, 40000) : NULL;
	if (r) {
		u32 st = smb2_status(r);

		free(r);
		if (st == STATUS_SUCCESS) {
			say("FAIL: the server reported success");
			return 1;
		}
		say("error status 0x%08x", st);
		/* An error status is fine: the connection may stay. */
		say("OK: refused with an error status");
		return 0;
	}
	if (!wait_for_end(p, 40000)) {
		say("FAIL: no response and the connection is still up");
		return 1;
	}
	say("OK: the server ended the connection (first sign: %s)",
	    p->dead_why);
	return 0;
}

static u64 parse_size(const char *s)
{
	char *end;
	u64 v = strtoull(s, &end, 10);

	switch (*end) {
	case 'k':
	case 'K':
		return v << 10;
	case 'm':
	case 'M':
		return v << 20;
	case 'g':
	case 'G':
		return v << 30;
	default:
		return v;
	}
}

static int mode_write(struct probe *p, const char *share, u64 size,
		      const char *name)
{
	struct data_buf buf;
	u64 mids[WRITE_DEPTH] = { 0 }, sent = 0, done = 0, next_report;
	u32 chunk;
	u64 t0;

	p->credits_asked = 32;
	if (full_session(p, share, name))
		return 1;
	chunk = p->max_write;
	if (!p->tcp_port && p->max_rw && p->max_rw < chunk)
		chunk = p->max_rw;
	if (p->tcp_port && chunk > 64 * 1024)
		chunk = 64 * 1024;
	if (data_buf_init(p, &buf, (size_t)chunk * WRITE_DEPTH))
		return 2;
	for (size_t i = 0; i < buf.len; i++)
		buf.mem[i] = (u8)(i * 131 + 7);
	say("writing %llu bytes in %u-byte WRITEs, %d in flight",
	    (unsigned long long)size, chunk, WRITE_DEPTH);
	t0 = now_ms();
	next_report = 64ull << 20;
	while (done < size) {
		for (int s = 0; s < WRITE_DEPTH && sent < size; s++) {
			u32 len;
			struct desc d;

			if (mids[s])
				continue;
			len = size - sent < chunk ? (u32)(size - sent) : chunk;
			d = data_desc(&buf, (size_t)s * chunk, len);
			mids[s] = smb2_write_send(p, sent, len,
						  p->tcp_port ? NULL : &d,
						  buf.mem + (size_t)s * chunk);
			if (!mids[s])
				goto broken;
			sent += len;
		}
		for (int s = 0; s < WRITE_DEPTH; s++) {
			struct pdu *r;

			if (!mids[s])
				continue;
			r = smb2_wait(p, mids[s], 30000);
			if (!r)
				goto broken;
			if (smb2_status(r) || get32(smb2_body(r) + 4) == 0) {
				say("WRITE: status 0x%08x", smb2_status(r));
				free(r);
				return 1;
			}
			done += get32(smb2_body(r) + 4);
			free(r);
			mids[s] = 0;
			break; /* refill that slot first */
		}
		if (done >= next_report) {
			say("%llu MiB written (%.1f MiB/s)",
			    (unsigned long long)(done >> 20),
			    (double)done / 1048576 /
				    ((double)(now_ms() - t0 + 1) / 1000));
			next_report += 64ull << 20;
		}
	}
	if (smb2_close(p))
		return 1;
	say("OK: %llu bytes written in %.1f s", (unsigned long long)done,
	    (double)(now_ms() - t0) / 1000);
	return 0;
broken:
	say("FAIL: the connection broke after %llu bytes (%s)",
	    (unsigned long long)done, p->dead ? p->dead_why : "timeout");
	return 1;
}

/* A session, 1 MiB written and read back through RDMA, compared. */
static int mode_session(struct probe *p, const char *share)
{
	struct data_buf w, rd;
	u32 len = 1u << 20, got;
	struct desc d;
	struct pdu *r;
	u64 mid;

	p->credits_asked = 32;
	if (full_session(p, share, "smbd-probe-session.bin"))
		return 1;
	if (len > p->max_write)
		len = p->max_write;
	if (len > p->max_read)
		len = p->max_read;
	if (p->tcp_port && len > 64 * 1024)
		len = 64 * 1024;
	if (data_buf_init(p, &w, len) || data_buf_init(p, &rd, len))
		return 2;
	fill_random(w.mem, len);
	d = data_desc(&w, 0, len);
	mid = smb2_write_send(p, 0, len, p->tcp_port ? NULL : &d, w.mem);
	r = mid ? smb2_wait(p, mid, 30000) : NULL;
	if (!r || smb2_status(r)) {
		say("FAIL: WRITE");
		return 1;
	}
	free(r);
	d = data_desc(&rd, 0, len);
	mid = smb2_read_send(p, 0, len, p->tcp_port ? NULL : &d);
	r = mid ? smb2_wait(p, mid, 30000) : NULL;
	if (!r || smb2_status(r)) {
		say("FAIL: READ");
		return 1;
	}
	got = read_result(r, rd.mem, len);
	free(r);
	if (got != len || memcmp(w.mem, rd.mem, len)) {
		say("FAIL: read back %u bytes, %s", got,
		    memcmp(w.mem, rd.mem, len) ? "different" : "equal");
		return 1;
	}
	if (smb2_close(p))
		return 1;
	say("OK: %u bytes written and read back (%llu SMB Direct messages "
	    "in, %llu out)",
	    len, (unsigned long long)p->msgs_in,
	    (unsigned long long)p->msgs_out);
	return 0;
}

static void on_alarm(int sig)
{
	static const char msg[] = "smbd-probe: time limit reached\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(3);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: smbd-probe [-p PORT] [-s SHARE] [-t TCPPORT] ADDR MODE "
		"[ARG]\n"
		"modes: bad-negotiate KIND | no-credits silent|flood | "
		"bad-descriptor KIND | write SIZE [NAME] | session\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct probe p;
	const char *share = "share", *mode;
	int opt;

	memset(&p, 0, sizeof(p));
	p.port = 5445;
	p.rnr_retry = 7;
	p.credits_asked = 32;
	p.tcp_fd = -1;
	start_ms = now_ms();
	while ((opt = getopt(argc, argv, "p:s:t:")) != -1) {
		switch (opt) {
		case 'p':
			p.port = (u16)atoi(optarg);
			break;
		case 's':
			share = optarg;
			break;
		case 't':
			p.tcp_port = (u16)atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	if (argc - optind < 2)
		return usage();
	p.addr = argv[optind];
	mode = argv[optind + 1];
	signal(SIGALRM, on_alarm);
	alarm(PROBE_TIME_LIMIT_S);
	if (!strcmp(mode, "bad-negotiate") && argc - optind == 3 && !p.tcp_port)
		return mode_bad_negotiate(&p, argv[optind + 2]);
	if (!strcmp(mode, "no-credits") && argc - optind == 3 && !p.tcp_port)
		return mode_no_credits(&p, argv[optind + 2]);
	if (!strcmp(mode, "bad-descriptor") && argc - optind == 3 &&
	    !p.tcp_port)
		return mode_bad_descriptor(&p, share, argv[optind + 2]);
	if (!strcmp(mode, "write") && argc - optind >= 3) {
		alarm(0); /* killed by the scenario, or runs to the end */
		return mode_write(&p, share, parse_size(argv[optind + 2]),
				  argc - optind >= 4 ? argv[optind + 3] :
						       "smbd-probe-write.bin");
	}
	if (!strcmp(mode, "session"))
		return mode_session(&p, share);
	return usage();
}
