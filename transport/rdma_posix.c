// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rdma_posix.c - SMB Direct over librdmacm/libibverbs (userspace).
 *
 * Per connection: one RC QP whose send and receive queues complete on one
 * CQ, a pool of registered receive buffers (the engine's receive size), a
 * pool of registered send slots (the engine's send size, one message
 * each), a registered bounce buffer for small RDMA transfers, and the
 * sans-I/O engine.  conn->lock serialises the engine, the pools and the
 * QP.  Whoever services the connection (recv_pdu or smb_rdma_service on
 * the event loop; a worker whose RDMA transfer outlives the connection)
 * reaps the CQ under the lock; a worker waiting for its RDMA Read/Write
 * sleeps on conn->cond, which every reaping signals.
 *
 * RDMA transfers carry a generation in their work request ids, so
 * completions of a transfer its worker gave up on are recognised and
 * ignored; memory they target stays valid because the worker waits for
 * the flush (the QP is in the error state then) before it returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <infiniband/verbs.h>
#include <netinet/in.h>
#include <pthread.h>
#include <rdma/rdma_cma.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "addr_posix.h"
#include "rdma_posix.h"
#include "smbdirect_inv.h"
#include "stats.h"

#define RDMA_DEFAULT_BACKLOG 128
#define RDMA_DEFAULT_BOUNCE (64u * 1024)
#define RDMA_DEFAULT_RW_TIMEOUT_MS 30000
#define RDMA_MAX_DESCS 16
/*
 * Work requests of one RDMA transfer (descriptors split by max_msg_sz),
 * and of all the transfers a connection's workers wait on at once.
 */
#define RDMA_MAX_RW_WR 64
/* Transfers of one connection in flight at once (each waited on). */
#define RDMA_MAX_XFERS 16
/* Send slots above the credit target, for sends still completing. */
#define RDMA_SEND_SLACK 16
#define RDMA_POLL_BATCH 32
/* After a disconnect, how long a worker waits for its transfer's flush. */
#define RDMA_FLUSH_WAIT_MS 5000
#define RDMA_CQ_ACK_BATCH 64
#define RDMA_DEFAULT_IO_BUFFERS 16
#define RDMA_MAX_IO_POOL (64u << 20)

/* Work request ids: kind in the top byte, then a slot or a generation. */
enum wr_kind { WR_RECV = 1, WR_SEND = 2, WR_RW = 3, WR_POSTED_WRITE = 4 };
#define WR_ID(kind, v) (((u64)(kind) << 56) | (u64)(v))
#define WR_KIND(id) ((int)((id) >> 56))
#define WR_VAL(id) ((u32)(id))

/*
 * READ/WRITE payload buffers registered once per device.  A buffer handed
 * to rdma_write_post belongs to its connection until the Write's last
 * completion (owner/pending, under that connection's lock), or until the
 * connection is freed after its QP is destroyed.
 */
struct io_pool {
	pthread_mutex_t lock; /* the free stack */
	u8 *mem;
	struct ibv_mr *mr;
	u32 size; /* bytes per buffer */
	u32 count;
	u32 *free;
	u32 nfree;
	struct smb_tconn **owner;
	int *pending; /* work requests of the posted Write not completed */
};

struct pd_ref {
	struct pd_ref *next;
	struct ibv_context *verbs;
	struct ibv_pd *pd;
	int refs;
	struct io_pool *io; /* created at the first RDMA transfer */
	bool io_failed; /* could not register it: do without */
};

static pthread_mutex_t pd_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pd_ref *pd_list;
static struct smb_rdma_stats stats;

struct smb_rdma_listener {
	struct rdma_event_channel *ch;
	struct rdma_cm_id *id;
	struct smb_rdma_config cfg;
	char name[SMB_ADDR_NAME_LEN];
};

struct pdu_node {
	struct pdu_node *next;
	u8 *pdu;
	size_t len;
};

/* A pool of equal registered buffers with a free stack. */
struct buf_pool {
	u8 *mem;
	struct ibv_mr *mr;
	u32 size; /* bytes per buffer */
	u32 count;
	u32 *free; /* indexes of free buffers */
	u32 nfree;
};

/* One RDMA transfer a worker waits on (under the connection's lock). */
struct rw_xfer {
	bool used;
	u32 gen; /* in its work requests' ids */
	int pending; /* work requests not completed */
	int status; /* first failed ibv_wc_status */
};

struct smb_tconn {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CQ reaped, or the connection went down */
	pthread_mutex_t bounce_lock; /* the bounce buffer's one transfer */
	struct smb_rdma_config cfg;
	struct rdma_cm_id *id;
	struct rdma_event_channel *cm_ch;
	struct pd_ref *pd;
	struct ibv_comp_channel *cc;
	struct ibv_cq *cq;
	unsigned int cq_unacked;
	bool qp_created;
	int epfd;
	int timerfd;
	u64 timer_at; /* armed for this monotonic ms; 0: not armed */
	struct smbdirect_engine *e;
	struct buf_pool recv;
	struct buf_pool send;
	u8 *scratch; /* one received message, copied out of its buffer */
	u32 sends_posted;
	bool send_busy; /* post_send said busy: on_send_done owed */
	u8 *bounce;
	struct ibv_mr *bounce_mr;
	u32 max_msg; /* largest RDMA message of the port */
	/*
	 * Transfers workers wait on: several READs and WRITEs of a connection
	 * run at once (the core overlaps them), so their RDMA operations are
	 * in flight together instead of one after the other.
	 */
	struct rw_xfer xfers[RDMA_MAX_XFERS];
	u32 rw_gen; /* last generation handed out */
	int rw_wrs; /* work requests of xfers in flight */
	int posted_wrs; /* of rdma_write_post transfers in flight */
	struct pdu_node *pdus, *pdus_tail;
	u8 *borrowed; /* last PDU given out by recv_pdu */
	/*
	 * SMB2_CHANNEL_RDMA_V1_INVALIDATE ([MS-SMB2] 3.3.5.12, 3.3.5.13):
	 * the response to such a READ/WRITE goes out as a Send with
	 * Invalidate of the first descriptor's token (smbdirect_inv.h); the
	 * tokens wait in inv_queue for the next messages posted.
	 */
	struct smbdirect_inv inv;
	u32 inv_queue[SMBDIRECT_INV_TRACK];
	int ninv_queue;
	u64 reads, read_bytes, writes, write_bytes; /* under lock */
	struct smbdirect_stats reported; /* engine counters in stats.h */
	bool engine_gone; /* the engine called disconnect */
	int engine_reason;
	bool link_down; /* the peer, device or a completion failed */
	bool disconnected; /* rdma_disconnect done, QP in error */
	int closed; /* atomic: no more sends */
	char peer[SMB_ADDR_NAME_LEN];
};

static void stat_add(u64 *field, u64 v)
{
	__atomic_add_fetch(field, v, __ATOMIC_RELAXED);
}

void smb_rdma_get_stats(struct smb_rdma_stats *out)
{
	out->accepted = __atomic_load_n(&stats.accepted, __ATOMIC_RELAXED);
	out->rdma_reads = __atomic_load_n(&stats.rdma_reads, __ATOMIC_RELAXED);
	out->rdma_read_bytes =
		__atomic_load_n(&stats.rdma_read_bytes, __ATOMIC_RELAXED);
	out->rdma_writes =
		__atomic_load_n(&stats.rdma_writes, __ATOMIC_RELAXED);
	out->rdma_write_bytes =
		__atomic_load_n(&stats.rdma_write_bytes, __ATOMIC_RELAXED);
	out->rw_bounced = __atomic_load_n(&stats.rw_bounced, __ATOMIC_RELAXED);
	out->rw_failed = __atomic_load_n(&stats.rw_failed, __ATOMIC_RELAXED);
}

/* Add what the engine counted since the last call to stats.h's counters. */
static void stats_sync_locked(struct smb_tconn *c)
{
	struct smbdirect_info info;
	struct smbdirect_stats *was = &c->reported;

	if (!c->e)
		return;
	smbdirect_engine_get_info(c->e, &info);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_BYTES_IN,
		       info.stats.bytes_in - was->bytes_in);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_BYTES_OUT,
		       info.stats.bytes_out - was->bytes_out);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_PDUS_IN,
		       info.stats.pdus_in - was->pdus_in);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_PDUS_OUT,
		       info.stats.pdus_out - was->pdus_out);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_CREDIT_STALLS,
		       info.stats.credit_stalls - was->credit_stalls);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_ERRORS,
		       info.stats.protocol_errors - was->protocol_errors);
	*was = info.stats;
}

static u64 monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

static void *mem_alloc(size_t size, void *ctx)
{
	return calloc(1, size);
}

static void mem_free(void *p, void *ctx)
{
	free(p);
}

static const struct smb_allocator rdma_mem = { .alloc = mem_alloc,
					       .free = mem_free };

static int set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void config_resolve(struct smb_rdma_config *out,
			   const struct smb_rdma_config *in)
{
	if (in)
		*out = *in;
	else
		memset(out, 0, sizeof(*out));
	smbdirect_config_defaults(&out->engine);
	/* Never above the MaxReadWriteSize the engine advertises. */
	if (!out->max_read || out->max_read > out->engine.max_read_write_size)
		out->max_read = out->engine.max_read_write_size;
	if (!out->max_write || out->max_write > out->engine.max_read_write_size)
		out->max_write = out->engine.max_read_write_size;
	if (out->backlog <= 0)
		out->backlog = RDMA_DEFAULT_BACKLOG;
	if (!out->bounce_size)
		out->bounce_size = RDMA_DEFAULT_BOUNCE;
	if (out->rw_timeout_ms <= 0)
		out->rw_timeout_ms = RDMA_DEFAULT_RW_TIMEOUT_MS;
	if (!out->io_buffers)
		out->io_buffers = RDMA_DEFAULT_IO_BUFFERS;
}

bool smb_rdma_have_devices(void)
{
	int n = 0;
	struct ibv_device **list = ibv_get_device_list(&n);

	if (list)
		ibv_free_device_list(list);
	return list && n > 0;
}

/* ---- protection domains: one per device, shared ---------------------- */

static struct pd_ref *pd_get(struct ibv_context *verbs)
{
	struct pd_ref *p;

	pthread_mutex_lock(&pd_lock);
	for (p = pd_list; p; p = p->next)
		if (p->verbs == verbs)
			break;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (p) {
			p->verbs = verbs;
			p->pd = ibv_alloc_pd(verbs);
			if (!p->pd) {
				free(p);
				p = NULL;
			} else {
				p->next = pd_list;
				pd_list = p;
			}
		}
	}
	if (p)
		p->refs++;
	pthread_mutex_unlock(&pd_lock);
	return p;
}

static void io_pool_destroy(struct io_pool *io)
{
	if (!io)
		return;
	if (io->mr)
		ibv_dereg_mr(io->mr);
	pthread_mutex_destroy(&io->lock);
	free(io->mem);
	free(io->free);
	free(io->owner);
	free(io->pending);
	free(io);
}

static struct io_pool *io_pool_new(struct ibv_pd *pd, u32 size, u32 count)
{
	struct io_pool *io = calloc(1, sizeof(*io));

	if (!io)
		return NULL;
	pthread_mutex_init(&io->lock, NULL);
	io->size = size;
	io->count = count;
	io->free = calloc(count, sizeof(*io->free));
	io->owner = calloc(count, sizeof(*io->owner));
	io->pending = calloc(count, sizeof(*io->pending));
	if (io->free && io->owner && io->pending &&
	    !posix_memalign((void **)&io->mem, 4096, (size_t)size * count))
		io->mr = ibv_reg_mr(pd, io->mem, (size_t)size * count,
				    IBV_ACCESS_LOCAL_WRITE);
	if (!io->mr) {
		io_pool_destroy(io);
		return NULL;
	}
	for (u32 i = 0; i < count; i++)
		io->free[i] = count - 1 - i;
	io->nfree = count;
	return io;
}

/* The device's payload pool, registered at first use; NULL without one. */
static struct io_pool *io_pool_of(struct smb_tconn *c)
{
	struct pd_ref *p = c->pd;
	struct io_pool *io = __atomic_load_n(&p->io, __ATOMIC_ACQUIRE);
	u32 size, count;

	if (io || c->cfg.io_buffers < 0)
		return io;
	size = c->cfg.max_read > c->cfg.max_write ? c->cfg.max_read :
						    c->cfg.max_write;
	count = (u32)c->cfg.io_buffers;
	if (size && (u64)size * count > RDMA_MAX_IO_POOL)
		count = RDMA_MAX_IO_POOL / size;
	pthread_mutex_lock(&pd_lock);
	if (!p->io && !p->io_failed && size && count) {
		io = io_pool_new(p->pd, size, count);
		if (io)
			smb_info("rdma: %u payload buffers of %u bytes "
				 "registered",
				 count, size);
		else
			smb_warn("rdma: cannot register %u payload buffers "
				 "of %u bytes (locked memory limit?): "
				 "registering per transfer",
				 count, size);
		p->io_failed = !io;
		__atomic_store_n(&p->io, io, __ATOMIC_RELEASE);
	}
	io = p->io;
	pthread_mutex_unlock(&pd_lock);
	return io;
}

static bool io_pool_holds(const struct io_pool *io, const u8 *buf, size_t len)
{
	return io && buf >= io->mem && len <= io->size &&
	       (size_t)(buf - io->mem) < (size_t)io->size * io->count &&
	       (size_t)(buf - io->mem) % io->size == 0;
}

static u32 io_slot(const struct io_pool *io, const u8 *buf)
{
	return (u32)((size_t)(buf - io->mem) / io->size);
}

static void io_slot_free(struct io_pool *io, u32 slot)
{
	pthread_mutex_lock(&io->lock);
	io->free[io->nfree++] = slot;
	pthread_mutex_unlock(&io->lock);
}

static void *rdma_io_buf_get(struct smb_tconn *c, size_t len)
{
	struct io_pool *io = io_pool_of(c);
	u32 slot;

	if (!io || len > io->size)
		return NULL;
	pthread_mutex_lock(&io->lock);
	if (!io->nfree) {
		pthread_mutex_unlock(&io->lock);
		return NULL;
	}
	slot = io->free[--io->nfree];
	pthread_mutex_unlock(&io->lock);
	return io->mem + (size_t)slot * io->size;
}

static void rdma_io_buf_put(struct smb_tconn *c, void *buf)
{
	struct io_pool *io = c->pd->io;

	/* A slot still owned by the connection is freed by io_reclaim. */
	if (io_pool_holds(io, buf, 1) && !io->owner[io_slot(io, buf)])
		io_slot_free(io, io_slot(io, buf));
}

/* The connection's posted Writes end with its QP: free their buffers. */
static void io_reclaim(struct smb_tconn *c)
{
	struct io_pool *io = c->pd ? c->pd->io : NULL;

	if (!io)
		return;
	for (u32 i = 0; i < io->count; i++) {
		if (io->owner[i] != c)
			continue;
		io->owner[i] = NULL;
		io->pending[i] = 0;
		io_slot_free(io, i);
	}
}

static void pd_put(struct pd_ref *p)
{
	struct pd_ref **pp;

	if (!p)
		return;
	pthread_mutex_lock(&pd_lock);
	if (--p->refs == 0) {
		for (pp = &pd_list; *pp; pp = &(*pp)->next)
			if (*pp == p) {
				*pp = p->next;
				break;
			}
		io_pool_destroy(p->io);
		ibv_dealloc_pd(p->pd);
		free(p);
	}
	pthread_mutex_unlock(&pd_lock);
}

/* ---- buffer pools ------------------------------------------------------ */

static int pool_init(struct buf_pool *bp, struct ibv_pd *pd, u32 size,
		     u32 count)
{
	size_t total = (size_t)size * count;

	bp->size = size;
	bp->count = count;
	bp->free = calloc(count, sizeof(*bp->free));
	if (!bp->free || posix_memalign((void **)&bp->mem, 4096, total))
		return -ENOMEM;
	memset(bp->mem, 0, total);
	bp->mr = ibv_reg_mr(pd, bp->mem, total, IBV_ACCESS_LOCAL_WRITE);
	if (!bp->mr)
		return -errno ? -errno : -ENOMEM;
	for (u32 i = 0; i < count; i++)
		bp->free[i] = count - 1 - i;
	bp->nfree = count;
	return 0;
}

static void pool_destroy(struct buf_pool *bp)
{
	if (bp->mr)
		ibv_dereg_mr(bp->mr);
	free(bp->mem);
	free(bp->free);
	memset(bp, 0, sizeof(*bp));
}

static u8 *pool_buf(const struct buf_pool *bp, u32 i)
{
	return bp->mem + (size_t)i * bp->size;
}

/* ---- state changes (conn->lock held) ----------------------------------- */

/* Move the QP to the error state once: posted work flushes, no more DMA. */
static void conn_disconnect_locked(struct smb_tconn *c)
{
	struct ibv_qp_attr attr = { .qp_state = IBV_QPS_ERR };

	__atomic_store_n(&c->closed, 1, __ATOMIC_RELEASE);
	if (c->disconnected)
		return;
	c->disconnected = true;
	if (c->id)
		rdma_disconnect(c->id);
	if (c->qp_created)
		ibv_modify_qp(c->id->qp, &attr, IBV_QP_STATE);
	pthread_cond_broadcast(&c->cond);
}

static void link_gone_locked(struct smb_tconn *c, const char *why)
{
	if (!c->link_down)
		smb_dbg("rdma: %s: %s", c->peer, why);
	c->link_down = true;
	if (c->e && smbdirect_engine_state(c->e) != SMBDIRECT_STATE_CLOSED)
		smbdirect_engine_close(c->e);
	conn_disconnect_locked(c);
}

static bool conn_gone_locked(const struct smb_tconn *c)
{
	return c->link_down || c->disconnected;
}

/*
 * The engine has stopped (a protocol error, a timer, a failed post): drop
 * the link once its last message (a negotiate failure response) is out.
 * Without this a connection the engine gave up on from a timer stayed up
 * until the peer did something.
 */
static void engine_gone_locked(struct smb_tconn *c)
{
	if (c->engine_gone && (c->sends_posted == 0 || c->link_down))
		conn_disconnect_locked(c);
}

static void timer_update_locked(struct smb_tconn *c)
{
	struct itimerspec its = { 0 };
	u64 next;

	if (!c->e || c->timerfd < 0)
		return;
	next = smbdirect_engine_tick(c->e, monotonic_ms());
	/* The negotiate or keep-alive timeout may have ended the engine. */
	engine_gone_locked(c);
	if (conn_gone_locked(c))
		return;
	if (next == SMBDIRECT_TICK_NEVER)
		next = 0;
	if (next == c->timer_at)
		return;
	c->timer_at = next;
	its.it_value.tv_sec = (time_t)(next / 1000);
	its.it_value.tv_nsec = (long)(next % 1000) * 1000000;
	/* 0 disarms; an absolute time in the past fires at once. */
	timerfd_settime(c->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* ---- engine callbacks (conn->lock held by whoever called the engine) --- */

static int eng_post_send(void *ctx, const struct smb_iov *iov, int niov)
{
	struct smb_tconn *c = ctx;
	struct ibv_send_wr wr = { 0 }, *bad;
	struct ibv_sge sge;
	size_t total = 0;
	u32 slot;
	u8 *p;

	if (conn_gone_locked(c))
		return -1;
	for (int i = 0; i < niov; i++)
		if (smb_add_overflow(total, iov[i].len, &total))
			return -1;
	if (total > c->send.size)
		return -1;
	if (!c->send.nfree) {
		c->send_busy = true;
		return SMBDIRECT_POST_BUSY;
	}
	slot = c->send.free[--c->send.nfree];
	p = pool_buf(&c->send, slot);
	for (int i = 0; i < niov; p += iov[i].len, i++)
		if (iov[i].len)
			memcpy(p, iov[i].base, iov[i].len);
	p = pool_buf(&c->send, slot);
	sge.addr = (uintptr_t)p;
	sge.length = (u32)total;
	sge.lkey = c->send.mr->lkey;
	wr.wr_id = WR_ID(WR_SEND, slot);
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IBV_WR_SEND;
	if (c->ninv_queue) {
		wr.opcode = IBV_WR_SEND_WITH_INV;
		wr.invalidate_rkey = c->inv_queue[0];
	}
	wr.send_flags = IBV_SEND_SIGNALED;
	if (ibv_post_send(c->id->qp, &wr, &bad)) {
		c->send.free[c->send.nfree++] = slot;
		return -1;
	}
	if (c->ninv_queue) {
		c->ninv_queue--;
		memmove(c->inv_queue, c->inv_queue + 1,
			(size_t)c->ninv_queue * sizeof(c->inv_queue[0]));
	}
	c->sends_posted++;
	return 0;
}

static int eng_post_recv(void *ctx, u32 count)
{
	struct smb_tconn *c = ctx;
	u32 posted = 0;

	if (conn_gone_locked(c))
		return -1;
	while (posted < count && c->recv.nfree) {
		u32 slot = c->recv.free[c->recv.nfree - 1];
		struct ibv_sge sge = { (uintptr_t)pool_buf(&c->recv, slot),
				       c->recv.size, c->recv.mr->lkey };
		struct ibv_recv_wr wr = { 0 }, *bad;

		wr.wr_id = WR_ID(WR_RECV, slot);
		wr.sg_list = &sge;
		wr.num_sge = 1;
		if (ibv_post_recv(c->id->qp, &wr, &bad))
			return -1;
		c->recv.nfree--;
		posted++;
	}
	return (int)posted;
}

/* Queue the invalidations owed with these responses (send_pdu's iovs). */
static void inv_match_responses(struct smb_tconn *c, const struct smb_iov *iov,
				int niov)
{
	u32 token;

	for (int i = 0; i < niov; i++)
		if (smbdirect_inv_match_response(&c->inv, iov[i].base,
						 iov[i].len, &token) &&
		    c->ninv_queue < SMBDIRECT_INV_TRACK)
			c->inv_queue[c->ninv_queue++] = token;
}

static void eng_deliver(void *ctx, u8 *pdu, size_t len)
{
	struct smb_tconn *c = ctx;
	struct pdu_node *n = malloc(sizeof(*n));

	smbdirect_inv_scan_request(&c->inv, pdu, len);

	if (!n) {
		smbdirect_engine_free_pdu(c->e, pdu);
		smbdirect_engine_close(c->e);
		return;
	}
	n->next = NULL;
	n->pdu = pdu;
	n->len = len;
	if (c->pdus_tail)
		c->pdus_tail->next = n;
	else
		c->pdus = n;
	c->pdus_tail = n;
}

static void eng_disconnect(void *ctx, int reason)
{
	struct smb_tconn *c = ctx;

	c->engine_gone = true;
	c->engine_reason = reason;
	if (reason != SMBDIRECT_DISC_LOCAL)
		smb_info("rdma: %s: SMB Direct disconnect (reason %d)", c->peer,
			 reason);
}

static const struct smbdirect_engine_ops engine_ops = {
	.post_send = eng_post_send,
	.post_recv = eng_post_recv,
	.deliver = eng_deliver,
	.disconnect = eng_disconnect,
};

/* ---- servicing ---------------------------------------------------------- */

static struct rw_xfer *xfer_find_locked(struct smb_tconn *c, u32 gen)
{
	for (int i = 0; i < RDMA_MAX_XFERS; i++)
		if (c->xfers[i].used && c->xfers[i].gen == gen &&
		    c->xfers[i].pending > 0)
			return &c->xfers[i];
	return NULL;
}

static void handle_wc_locked(struct smb_tconn *c, const struct ibv_wc *wc)
{
	int kind = WR_KIND(wc->wr_id);
	u32 v = WR_VAL(wc->wr_id);
	bool ok = wc->status == IBV_WC_SUCCESS;

	if (!ok && wc->status != IBV_WC_WR_FLUSH_ERR) {
		smb_warn("rdma: %s: completion error: %s", c->peer,
			 ibv_wc_status_str(wc->status));
		smbd_stats_inc(SMB_TRANSPORT_RDMA, SMBD_STAT_ERRORS);
	}
	switch (kind) {
	case WR_RECV:
		if (v >= c->recv.count)
			break;
		if (ok && wc->byte_len <= c->recv.size)
			memcpy(c->scratch, pool_buf(&c->recv, v), wc->byte_len);
		c->recv.free[c->recv.nfree++] = v;
		if (!ok || wc->byte_len > c->recv.size)
			link_gone_locked(c, "receive failed");
		else if (!c->engine_gone)
			smbdirect_engine_on_recv(c->e, c->scratch,
						 wc->byte_len);
		break;
	case WR_SEND:
		if (v >= c->send.count)
			break;
		c->send.free[c->send.nfree++] = v;
		c->sends_posted--;
		if (!ok) {
			link_gone_locked(c, "send failed");
		} else if (c->send_busy && !c->engine_gone) {
			c->send_busy = false;
			smbdirect_engine_on_send_done(c->e);
		}
		break;
	case WR_POSTED_WRITE: {
		struct io_pool *io = c->pd->io;

		if (!io || v >= io->count || io->owner[v] != c)
			break;
		c->posted_wrs--;
		if (--io->pending[v] <= 0) {
			io->owner[v] = NULL;
			io_slot_free(io, v);
		}
		if (!ok)
			link_gone_locked(c, "RDMA Write failed");
		break;
	}
	case WR_RW: {
		struct rw_xfer *x = xfer_find_locked(c, v);

		if (!x)
			break; /* a transfer given up on */
		x->pending--;
		c->rw_wrs--;
		if (!ok) {
			if (!x->status)
				x->status = wc->status ? (int)wc->status : -1;
			link_gone_locked(c, "RDMA transfer failed");
		}
		break;
	}
	default:
		break;
	}
}

static void reap_cq_locked(struct smb_tconn *c)
{
	struct ibv_wc wcs[RDMA_POLL_BATCH];
	int n;

	do {
		n = ibv_poll_cq(c->cq, RDMA_POLL_BATCH, wcs);
		for (int i = 0; i < n; i++)
			handle_wc_locked(c, &wcs[i]);
	} while (n == RDMA_POLL_BATCH);
	if (n < 0)
		link_gone_locked(c, "ibv_poll_cq failed");
}

static void cm_events_locked(struct smb_tconn *c)
{
	struct rdma_cm_event *ev;

	while (rdma_get_cm_event(c->cm_ch, &ev) == 0) {
		enum rdma_cm_event_type type = ev->event;

		rdma_ack_cm_event(ev);
		switch (type) {
		case RDMA_CM_EVENT_ESTABLISHED:
			smb_dbg("rdma: %s: established", c->peer);
			break;
		case RDMA_CM_EVENT_DISCONNECTED:
			link_gone_locked(c, "peer disconnected");
			break;
		case RDMA_CM_EVENT_DEVICE_REMOVAL:
			smb_warn("rdma: %s: device removed", c->peer);
			link_gone_locked(c, "device removed");
			break;
		case RDMA_CM_EVENT_TIMEWAIT_EXIT:
			break;
		default:
			link_gone_locked(c, rdma_event_str(type));
			break;
		}
	}
}

/* Everything the connection's descriptor may signal. */
static void service_locked(struct smb_tconn *c)
{
	struct ibv_cq *cq;
	void *cq_ctx;
	u64 expirations;

	cm_events_locked(c);
	if (read(c->timerfd, &expirations, sizeof(expirations)) > 0)
		c->timer_at = 0;
	while (ibv_get_cq_event(c->cc, &cq, &cq_ctx) == 0) {
		if (++c->cq_unacked >= RDMA_CQ_ACK_BATCH) {
			ibv_ack_cq_events(c->cq, c->cq_unacked);
			c->cq_unacked = 0;
		}
	}
	/* Re-arm first, then poll: nothing slips between the two. */
	if (ibv_req_notify_cq(c->cq, 0))
		link_gone_locked(c, "ibv_req_notify_cq failed");
	reap_cq_locked(c);
	/* A failure response goes out before the link is dropped. */
	engine_gone_locked(c);
	if (!conn_gone_locked(c))
		timer_update_locked(c);
	stats_sync_locked(c);
	pthread_cond_broadcast(&c->cond);
}

int smb_rdma_service(struct smb_tconn *c)
{
	bool gone;

	pthread_mutex_lock(&c->lock);
	service_locked(c);
	gone = conn_gone_locked(c);
	pthread_mutex_unlock(&c->lock);
	return gone ? -ECONNRESET : 0;
}

int smb_rdma_recv_owned(struct smb_tconn *c, u8 **pdu, size_t *len)
{
	struct pdu_node *n;
	int r = 0;

	pthread_mutex_lock(&c->lock);
	if (!c->pdus)
		service_locked(c);
	n = c->pdus;
	if (n) {
		c->pdus = n->next;
		if (!c->pdus)
			c->pdus_tail = NULL;
		*pdu = n->pdu;
		*len = n->len;
		free(n);
		r = 1;
	} else if (conn_gone_locked(c)) {
		r = -ECONNRESET;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

void smb_rdma_pdu_free(struct smb_tconn *c, u8 *pdu)
{
	smbdirect_engine_free_pdu(c->e, pdu);
}

/* ---- transport ops ----------------------------------------------------- */

static int rdma_recv_pdu(struct smb_tconn *c, u8 **pdu, size_t *len)
{
	int r;

	if (c->borrowed)
		smb_rdma_pdu_free(c, c->borrowed);
	c->borrowed = NULL;
	r = smb_rdma_recv_owned(c, pdu, len);
	if (r == 1)
		c->borrowed = *pdu;
	return r;
}

/* Wait on the condition until the deadline; false once it passed. */
static bool cond_wait_until(struct smb_tconn *c, u64 deadline_ms)
{
	struct timespec ts;
	u64 now = monotonic_ms();

	if (now >= deadline_ms)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)((deadline_ms - now) / 1000);
	ts.tv_nsec += (long)((deadline_ms - now) % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&c->cond, &c->lock, &ts);
	return true;
}

static int rdma_send_pdu(struct smb_tconn *c, const struct smb_iov *iov,
			 int niov)
{
	u64 deadline = monotonic_ms() + (u64)c->cfg.rw_timeout_ms;
	int r = -ENOTCONN, er;

	pthread_mutex_lock(&c->lock);
	inv_match_responses(c, iov, niov);
	while (!conn_gone_locked(c) && !c->engine_gone) {
		er = smbdirect_engine_send_pdu(c->e, iov, niov);
		if (er != SMBDIRECT_ERR_QUEUE_FULL) {
			r = er == SMBDIRECT_OK		? 0 :
			    er == SMBDIRECT_ERR_TOO_BIG ? -EMSGSIZE :
							  -EIO;
			break;
		}
		/* Credits come back through the event loop's reaping. */
		if (!cond_wait_until(c, deadline)) {
			smb_warn("rdma: %s: no send credits for %d ms", c->peer,
				 c->cfg.rw_timeout_ms);
			link_gone_locked(c, "send timed out");
			r = -ETIMEDOUT;
		}
	}
	if (!conn_gone_locked(c))
		timer_update_locked(c);
	stats_sync_locked(c);
	pthread_mutex_unlock(&c->lock);
	return r;
}

/*
 * One transfer's work requests: the descriptors in order, len bytes in
 * all, each split at the port's largest message.  Returns the count, or
 * -EINVAL if the descriptors are short or need too many requests.
 */
static int rw_build(struct smb_tconn *c, const struct smb_rdma_desc *desc,
		    int ndesc, u8 *local, size_t len, u32 lkey, bool read,
		    struct ibv_send_wr *wr, struct ibv_sge *sge)
{
	size_t done = 0;
	int n = 0;

	for (int i = 0; i < ndesc && done < len; i++) {
		u64 off = 0;

		while (off < desc[i].length && done < len) {
			u64 chunk = desc[i].length - off, end;

			if (chunk > len - done)
				chunk = len - done;
			if (chunk > c->max_msg)
				chunk = c->max_msg;
			if (n >= RDMA_MAX_RW_WR ||
			    smb_add_overflow(desc[i].offset, off + chunk, &end))
				return -EINVAL;
			sge[n].addr = (uintptr_t)(local + done);
			sge[n].length = (u32)chunk;
			sge[n].lkey = lkey;
			memset(&wr[n], 0, sizeof(wr[n]));
			wr[n].sg_list = &sge[n];
			wr[n].num_sge = 1;
			wr[n].opcode = read ? IBV_WR_RDMA_READ :
					      IBV_WR_RDMA_WRITE;
			wr[n].send_flags = IBV_SEND_SIGNALED;
			wr[n].wr.rdma.remote_addr = desc[i].offset + off;
			wr[n].wr.rdma.rkey = desc[i].token;
			if (n > 0)
				wr[n - 1].next = &wr[n];
			n++;
			off += chunk;
			done += chunk;
		}
	}
	return done == len ? n : -EINVAL;
}

/*
 * A free transfer slot once the send queue has room for n more work
 * requests of waited-on transfers (at most RDMA_MAX_RW_WR, as the queue
 * was sized); NULL if the connection went down or the deadline passed.
 */
static struct rw_xfer *xfer_get_locked(struct smb_tconn *c, int n, u64 deadline)
{
	while (!conn_gone_locked(c)) {
		if (c->rw_wrs + n <= RDMA_MAX_RW_WR) {
			for (int i = 0; i < RDMA_MAX_XFERS; i++) {
				struct rw_xfer *x = &c->xfers[i];

				if (x->used)
					continue;
				if (++c->rw_gen == 0)
					c->rw_gen = 1;
				*x = (struct rw_xfer){ .used = true,
						       .gen = c->rw_gen };
				return x;
			}
		}
		if (!cond_wait_until(c, deadline)) {
			smb_warn("rdma: %s: no room for an RDMA transfer",
				 c->peer);
			link_gone_locked(c, "RDMA transfers stalled");
		}
	}
	return NULL;
}

/* Post the transfer and wait for it; conn->lock held. */
static int rw_run_locked(struct smb_tconn *c, struct ibv_send_wr *wr, int n)
{
	u64 deadline = monotonic_ms() + (u64)c->cfg.rw_timeout_ms;
	struct ibv_send_wr *bad = NULL;
	struct rw_xfer *x;
	int r = 0;

	x = xfer_get_locked(c, n, deadline);
	if (!x)
		return -ENOTCONN;
	for (int i = 0; i < n; i++)
		wr[i].wr_id = WR_ID(WR_RW, x->gen);
	x->pending = n;
	c->rw_wrs += n;
	if (ibv_post_send(c->id->qp, wr, &bad)) {
		/* What was posted before bad still completes (flushed). */
		int posted = bad ? (int)(bad - wr) : 0;

		c->rw_wrs -= n - posted;
		x->pending = posted;
		link_gone_locked(c, "ibv_post_send (RDMA) failed");
		r = -EIO;
	}
	while (x->pending > 0 && !conn_gone_locked(c)) {
		if (!cond_wait_until(c, deadline)) {
			smb_warn("rdma: %s: RDMA transfer timed out", c->peer);
			link_gone_locked(c, "RDMA transfer timed out");
			r = -ETIMEDOUT;
		}
	}
	if (x->pending > 0) {
		/*
		 * The QP is in error: its flushes may no longer be reaped by
		 * the event loop, so reap them here before the memory goes.
		 */
		deadline = monotonic_ms() + RDMA_FLUSH_WAIT_MS;
		for (;;) {
			reap_cq_locked(c);
			if (x->pending <= 0 ||
			    !cond_wait_until(c, monotonic_ms() + 10))
				break;
			if (monotonic_ms() >= deadline)
				break;
		}
		/* The slot stays taken: the connection is going away. */
		if (x->pending > 0)
			return -EBUSY; /* the caller must not release memory */
		r = r ? r : -ENOTCONN;
	}
	if (!r && x->status)
		r = -EIO;
	x->used = false;
	pthread_cond_broadcast(&c->cond); /* a slot for a waiting worker */
	return r;
}

/* Count one finished (or posted) RDMA transfer. */
static void rw_account(struct smb_tconn *c, bool read, size_t len)
{
	pthread_mutex_lock(&c->lock);
	if (read) {
		c->reads++;
		c->read_bytes += len;
	} else {
		c->writes++;
		c->write_bytes += len;
	}
	pthread_mutex_unlock(&c->lock);
	if (read) {
		stat_add(&stats.rdma_reads, 1);
		stat_add(&stats.rdma_read_bytes, len);
		smbd_stats_inc(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_READS);
		smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_READ_BYTES,
			       len);
	} else {
		stat_add(&stats.rdma_writes, 1);
		stat_add(&stats.rdma_write_bytes, len);
		smbd_stats_inc(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_WRITES);
		smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_WRITE_BYTES,
			       len);
	}
}

static int rdma_rw(struct smb_tconn *c, const struct smb_rdma_desc *desc,
		   int ndesc, u8 *buf, size_t len, bool read)
{
	struct ibv_send_wr wr[RDMA_MAX_RW_WR];
	struct ibv_sge sge[RDMA_MAX_RW_WR];
	struct io_pool *io = c->pd->io;
	bool pooled = io_pool_holds(io, buf, len);
	bool bounced = !pooled && len <= c->cfg.bounce_size;
	struct ibv_mr *mr;
	u8 *local;
	int n, r;

	if (!desc || ndesc < 1 || ndesc > RDMA_MAX_DESCS || !buf)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (bounced)
		pthread_mutex_lock(&c->bounce_lock);
	if (pooled) {
		mr = io->mr;
		local = buf;
	} else if (bounced) {
		mr = c->bounce_mr;
		local = c->bounce;
		if (!read)
			memcpy(local, buf, len);
	} else {
		mr = ibv_reg_mr(c->pd->pd, buf, len, IBV_ACCESS_LOCAL_WRITE);
		local = buf;
		if (!mr) {
			r = -ENOMEM;
			goto out;
		}
	}
	n = rw_build(c, desc, ndesc, local, len, mr->lkey, read, wr, sge);
	if (n < 0) {
		r = n;
	} else {
		pthread_mutex_lock(&c->lock);
		r = rw_run_locked(c, wr, n);
		/*
		 * -EBUSY: the hardware may still touch a pool buffer; it stays
		 * the connection's (io_buf_put leaves it) until the QP is
		 * destroyed.
		 */
		if (r == -EBUSY && pooled) {
			io->owner[io_slot(io, buf)] = c;
			io->pending[io_slot(io, buf)] = 1;
		}
		pthread_mutex_unlock(&c->lock);
	}
	/* -EBUSY: the hardware may still touch the memory; keep it pinned. */
	if (!bounced && !pooled && r != -EBUSY)
		ibv_dereg_mr(mr);
	if (!r && read && bounced)
		memcpy(buf, local, len);
out:
	if (bounced)
		pthread_mutex_unlock(&c->bounce_lock);
	if (r) {
		stat_add(&stats.rw_failed, 1);
		smbd_stats_inc(SMB_TRANSPORT_RDMA, SMBD_STAT_ERRORS);
		return r == -EBUSY ? -EIO : r;
	}
	if (bounced)
		stat_add(&stats.rw_bounced, 1);
	rw_account(c, read, len);
	return 0;
}

/*
 * RDMA Write of a pool buffer without waiting: its completions free it.
 * RC ordering delivers the READ response posted later after the data.
 * Too many Writes in flight for the send queue: done synchronously.
 */
static int rdma_write_post_op(struct smb_tconn *c,
			      const struct smb_rdma_desc *desc, int ndesc,
			      void *buf, size_t len)
{
	struct ibv_send_wr wr[RDMA_MAX_RW_WR], *bad = NULL;
	struct ibv_sge sge[RDMA_MAX_RW_WR];
	struct io_pool *io = c->pd->io;
	u32 slot;
	int n, r = 0;

	if (!io_pool_holds(io, buf, len) || !desc || ndesc < 1 ||
	    ndesc > RDMA_MAX_DESCS)
		return -EINVAL; /* not a pool buffer: a core bug */
	slot = io_slot(io, buf);
	n = len ? rw_build(c, desc, ndesc, buf, len, io->mr->lkey, false, wr,
			   sge) :
		  0;
	if (n <= 0) {
		io_slot_free(io, slot);
		return n;
	}
	pthread_mutex_lock(&c->lock);
	if (conn_gone_locked(c)) {
		pthread_mutex_unlock(&c->lock);
		io_slot_free(io, slot);
		return -ENOTCONN;
	}
	if (c->posted_wrs + n > RDMA_MAX_RW_WR) {
		pthread_mutex_unlock(&c->lock);
		r = rdma_rw(c, desc, ndesc, buf, len, false);
		rdma_io_buf_put(c,
				buf); /* unless the transfer still holds it */
		return r;
	}
	for (int i = 0; i < n; i++)
		wr[i].wr_id = WR_ID(WR_POSTED_WRITE, slot);
	io->owner[slot] = c;
	io->pending[slot] = n;
	c->posted_wrs += n;
	if (ibv_post_send(c->id->qp, wr, &bad)) {
		/* What was posted before bad still completes (flushed). */
		int posted = bad ? (int)(bad - wr) : 0;

		c->posted_wrs -= n - posted;
		io->pending[slot] = posted;
		if (!posted) {
			io->owner[slot] = NULL;
			io_slot_free(io, slot);
		}
		link_gone_locked(c, "ibv_post_send (RDMA Write) failed");
		r = -EIO;
	}
	pthread_mutex_unlock(&c->lock);
	if (r) {
		stat_add(&stats.rw_failed, 1);
		smbd_stats_inc(SMB_TRANSPORT_RDMA, SMBD_STAT_ERRORS);
		return r;
	}
	rw_account(c, false, len);
	return 0;
}

static int rdma_read_op(struct smb_tconn *c, const struct smb_rdma_desc *desc,
			int ndesc, void *buf, size_t len)
{
	return rdma_rw(c, desc, ndesc, buf, len, true);
}

static int rdma_write_op(struct smb_tconn *c, const struct smb_rdma_desc *desc,
			 int ndesc, const void *buf, size_t len)
{
	/* The buffer is only read: registered for local access alone. */
	return rdma_rw(c, desc, ndesc, (u8 *)buf, len, false);
}

static void rdma_disconnect_op(struct smb_tconn *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->e && smbdirect_engine_state(c->e) != SMBDIRECT_STATE_CLOSED)
		smbdirect_engine_close(c->e);
	conn_disconnect_locked(c);
	pthread_mutex_unlock(&c->lock);
}

bool smb_rdma_conn_is_closed(struct smb_tconn *c)
{
	return __atomic_load_n(&c->closed, __ATOMIC_ACQUIRE) != 0;
}

static void rdma_get_limits(struct smb_tconn *c,
			    struct smb_transport_limits *out)
{
	out->max_pdu = c->cfg.engine.max_fragmented_recv_size;
	out->max_read = c->cfg.max_read;
	out->max_write = c->cfg.max_write;
	out->max_rdma_descs = RDMA_MAX_DESCS;
}

static const char *rdma_peer_name(struct smb_tconn *c)
{
	return c->peer;
}

int smb_rdma_conn_fd(struct smb_tconn *c)
{
	return c->epfd;
}

void smb_rdma_conn_free(struct smb_tconn *c)
{
	struct smbdirect_info info;

	if (!c)
		return;
	if (c->e) {
		stats_sync_locked(c); /* the last thread here: no lock */
		smbdirect_engine_get_info(c->e, &info);
		smb_info(
			"rdma: %s: closed; %llu messages in, %llu out, "
			"%llu PDUs in, %llu out; RDMA reads %llu (%llu bytes), "
			"RDMA writes %llu (%llu bytes)",
			c->peer, (unsigned long long)info.stats.msgs_in,
			(unsigned long long)info.stats.msgs_out,
			(unsigned long long)info.stats.pdus_in,
			(unsigned long long)info.stats.pdus_out,
			(unsigned long long)c->reads,
			(unsigned long long)c->read_bytes,
			(unsigned long long)c->writes,
			(unsigned long long)c->write_bytes);
	}
	pthread_mutex_lock(&c->lock);
	conn_disconnect_locked(c);
	pthread_mutex_unlock(&c->lock);
	if (c->qp_created)
		rdma_destroy_qp(c->id);
	/* No DMA after the QP is gone: posted Writes give their memory back. */
	io_reclaim(c);
	if (c->cq) {
		if (c->cq_unacked)
			ibv_ack_cq_events(c->cq, c->cq_unacked);
		ibv_destroy_cq(c->cq);
	}
	if (c->cc)
		ibv_destroy_comp_channel(c->cc);
	pool_destroy(&c->recv);
	pool_destroy(&c->send);
	if (c->bounce_mr)
		ibv_dereg_mr(c->bounce_mr);
	free(c->bounce);
	free(c->scratch);
	if (c->id)
		rdma_destroy_id(c->id);
	if (c->cm_ch)
		rdma_destroy_event_channel(c->cm_ch);
	pd_put(c->pd);
	if (c->borrowed)
		smbdirect_engine_free_pdu(c->e, c->borrowed);
	while (c->pdus) {
		struct pdu_node *n = c->pdus;

		c->pdus = n->next;
		smbdirect_engine_free_pdu(c->e, n->pdu);
		free(n);
	}
	smbdirect_engine_free(c->e);
	if (c->timerfd >= 0)
		close(c->timerfd);
	if (c->epfd >= 0)
		close(c->epfd);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->bounce_lock);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ---- accepting ---------------------------------------------------------- */

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static u32 min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/* Queues, memory and descriptors of a new connection; id not accepted. */
static int conn_setup(struct smb_tconn *c, const struct ibv_device_attr *da)
{
	const struct smbdirect_config *ec = &c->cfg.engine;
	struct smbdirect_config ecfg;
	u32 nrecv = ec->recv_credit_max;
	u32 nsend = (u32)ec->send_credit_target + RDMA_SEND_SLACK;
	struct ibv_qp_init_attr qa = { 0 };
	struct ibv_port_attr pa;
	int cqe, r;

	if (da->max_qp_wr > 0) {
		nrecv = min_u32(nrecv, (u32)da->max_qp_wr);
		nsend = min_u32(nsend, (u32)da->max_qp_wr - 2 * RDMA_MAX_RW_WR);
	}
	c->max_msg = 1u << 30;
	if (ibv_query_port(c->id->verbs, c->id->port_num, &pa) == 0 &&
	    pa.max_msg_sz && pa.max_msg_sz < c->max_msg)
		c->max_msg = pa.max_msg_sz;
	c->cc = ibv_create_comp_channel(c->id->verbs);
	if (!c->cc || set_nonblock(c->cc->fd))
		return -ENOMEM;
	/* Room for one waited-for transfer and the posted Writes. */
	cqe = (int)(nrecv + nsend + 2 * RDMA_MAX_RW_WR);
	if (da->max_cqe > 0 && cqe > da->max_cqe)
		cqe = da->max_cqe;
	c->cq = ibv_create_cq(c->id->verbs, cqe, c, c->cc, 0);
	if (!c->cq || ibv_req_notify_cq(c->cq, 0))
		return -ENOMEM;
	qa.send_cq = c->cq;
	qa.recv_cq = c->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = nsend + 2 * RDMA_MAX_RW_WR;
	qa.cap.max_recv_wr = nrecv;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (rdma_create_qp(c->id, c->pd->pd, &qa))
		return -errno ? -errno : -ENOMEM;
	c->qp_created = true;
	r = pool_init(&c->recv, c->pd->pd, ec->max_recv_size, nrecv);
	if (!r)
		r = pool_init(&c->send, c->pd->pd, ec->max_send_size, nsend);
	if (r)
		return r;
	c->scratch = malloc(ec->max_recv_size);
	if (!c->scratch ||
	    posix_memalign((void **)&c->bounce, 4096, c->cfg.bounce_size))
		return -ENOMEM;
	c->bounce_mr = ibv_reg_mr(c->pd->pd, c->bounce, c->cfg.bounce_size,
				  IBV_ACCESS_LOCAL_WRITE);
	if (!c->bounce_mr)
		return -ENOMEM;
	/*
	 * The device may allow fewer work requests than configured: never
	 * grant the peer more credits than receives we can post.
	 */
	ecfg = *ec;
	ecfg.recv_credit_max = (u16)nrecv;
	if (nsend > RDMA_SEND_SLACK &&
	    ecfg.send_credit_target > nsend - RDMA_SEND_SLACK)
		ecfg.send_credit_target = (u16)(nsend - RDMA_SEND_SLACK);
	r = smbdirect_engine_new(&ecfg, &rdma_mem, &engine_ops, c, &c->e);
	if (r)
		return -EINVAL;
	c->cm_ch = rdma_create_event_channel();
	if (!c->cm_ch || set_nonblock(c->cm_ch->fd) ||
	    rdma_migrate_id(c->id, c->cm_ch))
		return -ENOMEM;
	c->timerfd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->timerfd < 0 || c->epfd < 0)
		return -EMFILE;
	if ((r = epoll_add(c->epfd, c->cc->fd)) ||
	    (r = epoll_add(c->epfd, c->cm_ch->fd)) ||
	    (r = epoll_add(c->epfd, c->timerfd)))
		return r;
	return 0;
}

static struct smb_tconn *conn_alloc(const struct smb_rdma_listener *l,
				    struct rdma_cm_id *id)
{
	struct smb_tconn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->bounce_lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&c->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	c->cfg = l->cfg;
	c->id = id;
	c->epfd = -1;
	c->timerfd = -1;
	smb_sockaddr_name(rdma_get_peer_addr(id), c->peer, sizeof(c->peer));
	return c;
}

/* A connect request: set up, start the engine, accept. */
static int conn_accept(struct smb_rdma_listener *l, struct rdma_cm_id *id,
		       const struct rdma_conn_param *req,
		       struct smb_tconn **out)
{
	struct rdma_conn_param cp = { 0 };
	struct ibv_device_attr da;
	struct smb_tconn *c;
	int r;

	c = conn_alloc(l, id);
	if (!c) {
		rdma_reject(id, NULL, 0);
		rdma_destroy_id(id);
		return -ENOMEM;
	}
	c->pd = pd_get(id->verbs);
	if (!c->pd || ibv_query_device(id->verbs, &da)) {
		r = -ENOMEM;
		goto fail;
	}
	r = conn_setup(c, &da);
	if (r)
		goto fail;
	/* The buffer for the Negotiate Request is posted before accepting. */
	pthread_mutex_lock(&c->lock);
	r = smbdirect_engine_start(c->e, monotonic_ms());
	if (!r)
		timer_update_locked(c);
	pthread_mutex_unlock(&c->lock);
	if (r) {
		r = -EIO;
		goto fail;
	}
	/*
	 * The request's values are from our side already (rdma_cm swaps
	 * them): initiator_depth is how many RDMA Reads the peer lets us
	 * have in flight, which we need for SMB2 WRITE.
	 */
	cp.initiator_depth =
		(u8)min_u32(req->initiator_depth, (u32)da.max_qp_init_rd_atom);
	cp.responder_resources =
		(u8)min_u32(req->responder_resources, (u32)da.max_qp_rd_atom);
	cp.rnr_retry_count = 7;
	if (rdma_accept(id, &cp)) {
		r = -errno;
		smb_warn("rdma: %s: rdma_accept: %s", c->peer, strerror(-r));
		goto fail;
	}
	stat_add(&stats.accepted, 1);
	smb_info("rdma: %s: accepted (RDMA Reads in flight: %u)", c->peer,
		 cp.initiator_depth);
	*out = c;
	return 0;
fail:
	smb_warn("rdma: %s: connection refused: %s", c->peer, strerror(-r));
	smbd_stats_inc(SMB_TRANSPORT_RDMA, SMBD_STAT_REFUSED);
	rdma_reject(id, NULL, 0);
	c->disconnected = true; /* nothing to disconnect */
	smb_rdma_conn_free(c);
	return r;
}

static int rdma_accept_op(void *listener, struct smb_tconn **out)
{
	struct smb_rdma_listener *l = listener;
	struct rdma_cm_event *ev;

	*out = NULL;
	while (rdma_get_cm_event(l->ch, &ev) == 0) {
		struct rdma_conn_param req = ev->param.conn;
		struct rdma_cm_id *id = ev->id;
		enum rdma_cm_event_type type = ev->event;

		rdma_ack_cm_event(ev);
		if (type == RDMA_CM_EVENT_CONNECT_REQUEST) {
			if (conn_accept(l, id, &req, out) == 0)
				return 0;
			continue;
		}
		if (type == RDMA_CM_EVENT_DEVICE_REMOVAL)
			smb_err("rdma: %s: device removed", l->name);
		else
			smb_dbg("rdma: %s: %s", l->name, rdma_event_str(type));
	}
	return -EAGAIN;
}

/* ---- listening ---------------------------------------------------------- */

struct listen_set {
	struct smb_rdma_listener **out;
	int max;
	int n;
	const struct smb_rdma_config *cfg;
	bool dual_stack; /* a v6 wildcard also takes IPv4 */
};

static int listener_open(struct listen_set *set, const struct sockaddr *sa)
{
	struct smb_rdma_listener *l;
	int afonly = set->dual_stack ? 0 : 1, err;

	if (set->n >= set->max)
		return -ENOSPC;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cfg = *set->cfg;
	l->ch = rdma_create_event_channel();
	if (!l->ch)
		goto fail;
	if (set_nonblock(l->ch->fd) ||
	    rdma_create_id(l->ch, &l->id, l, RDMA_PS_TCP))
		goto fail;
	if (sa->sa_family == AF_INET6 &&
	    rdma_set_option(l->id, RDMA_OPTION_ID, RDMA_OPTION_ID_AFONLY,
			    &afonly, sizeof(afonly)))
		goto fail;
	if (rdma_bind_addr(l->id, (struct sockaddr *)sa) ||
	    rdma_listen(l->id, l->cfg.backlog))
		goto fail;
	smb_sockaddr_name(rdma_get_local_addr(l->id), l->name, sizeof(l->name));
	set->out[set->n++] = l;
	return 0;
fail:
	err = errno ? -errno : -ENODEV;
	smb_sockaddr_name(sa, l->name, sizeof(l->name));
	smb_err("rdma: cannot listen on %s: %s", l->name, strerror(-err));
	smb_rdma_listener_close(l);
	return err;
}

static int listen_fn(void *ctx, const struct sockaddr *sa, socklen_t salen)
{
	return listener_open(ctx, sa);
}

int smb_rdma_listen(const char *addresses, u16 port,
		    const struct smb_rdma_config *cfg,
		    struct smb_rdma_listener **out, int max)
{
	struct smb_rdma_config rc;
	struct listen_set set = { out, max, 0, &rc, false };
	int r;

	if (max <= 0)
		return -EINVAL;
	if (!smb_rdma_have_devices())
		return -ENODEV;
	config_resolve(&rc, cfg);
	r = smb_addr_list_foreach(addresses, port, "rdma", listen_fn, &set);
	if (r == -ENOENT) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
					   .sin6_port = htons(port),
					   .sin6_addr = IN6ADDR_ANY_INIT };
		struct sockaddr_in s4 = { .sin_family = AF_INET,
					  .sin_port = htons(port),
					  .sin_addr.s_addr =
						  htonl(INADDR_ANY) };

		set.dual_stack = true;
		r = listener_open(&set, (struct sockaddr *)&s6);
		if (r)
			r = listener_open(&set, (struct sockaddr *)&s4);
	}
	if (r < 0) {
		while (set.n > 0)
			smb_rdma_listener_close(out[--set.n]);
		return r;
	}
	return set.n;
}

void smb_rdma_listener_close(struct smb_rdma_listener *l)
{
	if (!l)
		return;
	if (l->id)
		rdma_destroy_id(l->id);
	if (l->ch)
		rdma_destroy_event_channel(l->ch);
	free(l);
}

int smb_rdma_listener_fd(const struct smb_rdma_listener *l)
{
	return l->ch->fd;
}

const char *smb_rdma_listener_name(const struct smb_rdma_listener *l)
{
	return l->name;
}

const struct smb_transport_ops smb_rdma_ops = {
	.name = "rdma",
	.kind = SMB_TRANSPORT_RDMA,
	.accept = rdma_accept_op,
	.recv_pdu = rdma_recv_pdu,
	.send_pdu = rdma_send_pdu,
	.rdma_read = rdma_read_op,
	.rdma_write = rdma_write_op,
	.io_buf_get = rdma_io_buf_get,
	.io_buf_put = rdma_io_buf_put,
	.rdma_write_post = rdma_write_post_op,
	.disconnect = rdma_disconnect_op,
	.get_limits = rdma_get_limits,
	.peer_name = rdma_peer_name,
};
