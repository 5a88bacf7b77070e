// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * server.c - the userspace connection engine: one epoll loop, N workers.
 *
 * Lifetime of a connection (all fields below are guarded by srv.lock):
 * the loop holds one reference while the connection is listed, the ready
 * queue holds one while it is scheduled, each worker holds one while it
 * processes one of its PDUs, and a pending kill request holds one.
 *
 * A connection's PDUs start in arrival order.  One that the handler says
 * may overlap starts while earlier overlapping ones still run (up to
 * max_inflight); any other runs alone: it waits for all earlier ones, and
 * later ones wait for it.  A quick PDU (ECHO, CANCEL) arriving when none
 * of its connection's is queued runs on the loop thread itself: handing
 * it to a worker and back would cost more than the work.
 *
 * Only the loop thread closes a connection (unlists it), so an event it
 * is handling never refers to freed memory.  Whoever drops the last
 * reference moves the connection to the graveyard; reap() then calls
 * conn_close, outside the lock, exactly once.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "server.h"
#include "stats.h"

#define SRV_DEFAULT_WORKERS 4
#define SRV_MAX_WORKERS 256
#define SRV_DEFAULT_MAX_CONNS 1024
#define SRV_DEFAULT_QUEUE_PDUS 64
#define SRV_DEFAULT_QUEUE_BYTES ((size_t)16 * 1024 * 1024)
#define SRV_DEFAULT_INFLIGHT 8
#define SRV_MAX_INFLIGHT 256
#define SRV_EVENTS 64
/* PDUs read from one connection per wake-up, so others get their turn. */
#define SRV_READ_BUDGET 32
#define SRV_ACCEPT_BUDGET 64
#define SRV_TICK_MS 1000

enum slot_kind { SLOT_CONN = 1, SLOT_LISTENER, SLOT_WAKE };

struct work {
	struct work *next;
	u8 *pdu;
	size_t len;
	bool overlap; /* may run beside other overlapping PDUs */
};

struct sconn {
	enum slot_kind kind; /* first: epoll data points here */
	struct srv *srv;
	const struct smbd_transport *t;
	struct smb_tconn *tc;
	void *hconn;
	int fd;
	int refs;
	struct work *qhead, *qtail;
	int qcount;
	size_t qbytes;
	int inflight; /* PDUs being processed by workers */
	bool alone; /* the one in flight must run alone */
	bool scheduled; /* in the ready queue */
	bool paused; /* EPOLLIN removed for back-pressure */
	bool in_epoll;
	bool eof; /* peer closed: drain the queue, then close */
	bool dead; /* closed: no more input */
	bool kill_pending;
	bool read_pending; /* on the rescan queue */
	struct sconn *ready_next; /* ready queue, kill queue, graveyard */
	struct sconn *kill_next;
	struct sconn *rescan_next;
	struct sconn *prev, *next; /* all listed connections */
	u64 last_rx_ms;
};

struct listener_slot {
	enum slot_kind kind;
	const struct smbd_transport *t;
	void *l;
	bool in_epoll;
};

struct srv {
	struct smbd_server_opts opts;
	const struct smbd_conn_handler *h;
	int epfd;
	int killfd; /* eventfd: workers ask the loop to close a connection */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sconn *ready_head, *ready_tail;
	struct sconn *killq;
	/* Connections whose framer may hold whole PDUs the socket won't signal. */
	struct sconn *rescanq;
	struct sconn *graveyard;
	struct sconn *conns;
	int nconns;
	bool quit;
	struct listener_slot *lslots;
	int nlisteners;
	u64 listeners_resume_ms; /* nonzero: paused after EMFILE & co. */
};

static struct smbd_server_stats stats;
static int stop_requested;
static int stop_fd = -1; /* eventfd, created once, lives with the process */
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;
static const enum slot_kind wake_slot = SLOT_WAKE;

static void stat_add(u64 *field)
{
	__atomic_add_fetch(field, 1, __ATOMIC_RELAXED);
}

void smbd_server_get_stats(struct smbd_server_stats *out)
{
	out->accepted = __atomic_load_n(&stats.accepted, __ATOMIC_RELAXED);
	out->refused = __atomic_load_n(&stats.refused, __ATOMIC_RELAXED);
	out->closed = __atomic_load_n(&stats.closed, __ATOMIC_RELAXED);
	out->read_pauses =
		__atomic_load_n(&stats.read_pauses, __ATOMIC_RELAXED);
	out->pdus = __atomic_load_n(&stats.pdus, __ATOMIC_RELAXED);
}

static void wake(int fd)
{
	u64 one = 1;

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* Counter saturated: the reader is awake already. */
	}
}

static void drain(int fd)
{
	u64 v;

	while (read(fd, &v, sizeof(v)) > 0) {
	}
}

void smbd_server_stop(void)
{
	__atomic_store_n(&stop_requested, 1, __ATOMIC_SEQ_CST);
	wake(__atomic_load_n(&stop_fd, __ATOMIC_SEQ_CST));
}

static void stop_fd_create(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	__atomic_store_n(&stop_fd, fd, __ATOMIC_SEQ_CST);
}

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

/* ---- connection state (srv.lock held) --------------------------------- */

static void conn_unref_locked(struct srv *s, struct sconn *c)
{
	if (--c->refs > 0)
		return;
	c->ready_next = s->graveyard;
	s->graveyard = c;
}

static void conn_epoll_set_locked(struct srv *s, struct sconn *c, u32 events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (c->in_epoll && epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev))
		smb_warn("server: epoll_ctl: %s", strerror(errno));
}

static void conn_epoll_del_locked(struct srv *s, struct sconn *c)
{
	if (!c->in_epoll)
		return;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	c->in_epoll = false;
}

static void conn_drop_queue_locked(struct sconn *c)
{
	while (c->qhead) {
		struct work *w = c->qhead;

		c->qhead = w->next;
		c->t->pdu_free(c->tc, w->pdu);
		free(w);
	}
	c->qtail = NULL;
	c->qcount = 0;
	c->qbytes = 0;
}

/* Loop thread only: stop all input, unlist, drop the loop's reference. */
static void conn_close_locked(struct srv *s, struct sconn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	conn_epoll_del_locked(s, c);
	c->t->ops->disconnect(c->tc);
	conn_drop_queue_locked(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	conn_unref_locked(s, c);
}

/* Worker side: ask the loop to close c. */
static void conn_request_kill_locked(struct srv *s, struct sconn *c)
{
	if (c->dead || c->kill_pending)
		return;
	c->kill_pending = true;
	c->refs++;
	c->kill_next = s->killq;
	s->killq = c;
	wake(s->killfd);
}

/*
 * Have the loop read c again without waiting for epoll: input already
 * taken off the socket may hold more PDUs, and level-triggered epoll only
 * reports what is still in the socket.
 */
static void conn_request_read_locked(struct srv *s, struct sconn *c)
{
	if (c->dead || c->read_pending)
		return;
	c->read_pending = true;
	c->refs++;
	c->rescan_next = s->rescanq;
	s->rescanq = c;
	wake(s->killfd);
}

static void ready_push_locked(struct srv *s, struct sconn *c)
{
	c->ready_next = NULL;
	if (s->ready_tail)
		s->ready_tail->ready_next = c;
	else
		s->ready_head = c;
	s->ready_tail = c;
}

/* Busy: a worker may still use it, so the loop must not close it yet. */
static bool conn_busy_locked(const struct sconn *c)
{
	return c->scheduled || c->inflight > 0;
}

/* May w, next in c's order, start now? */
static bool conn_may_start_locked(const struct srv *s, const struct sconn *c,
				  const struct work *w)
{
	if (c->dead || c->kill_pending || c->alone)
		return false;
	if (!w->overlap)
		return c->inflight == 0;
	return c->inflight < s->opts.max_inflight;
}

/* May a worker start c's next queued PDU now? */
static bool conn_runnable_locked(const struct srv *s, const struct sconn *c)
{
	return c->qhead && conn_may_start_locked(s, c, c->qhead);
}

static void conn_schedule_locked(struct srv *s, struct sconn *c)
{
	if (c->scheduled || !conn_runnable_locked(s, c))
		return;
	c->scheduled = true;
	c->refs++;
	ready_push_locked(s, c);
	pthread_cond_signal(&s->cond);
}

static bool conn_queue_full_locked(const struct srv *s, const struct sconn *c)
{
	return c->qcount >= s->opts.max_queued_pdus ||
	       c->qbytes >= s->opts.max_queued_bytes;
}

static void conn_maybe_resume_locked(struct srv *s, struct sconn *c)
{
	if (!c->paused || c->dead || c->eof ||
	    c->qcount > s->opts.max_queued_pdus / 2 ||
	    c->qbytes > s->opts.max_queued_bytes / 2)
		return;
	c->paused = false;
	if (!c->t->service)
		conn_epoll_set_locked(s, c, EPOLLIN);
	conn_request_read_locked(s, c);
}

/* Finalise connections whose last reference is gone; lock not held. */
static void reap(struct srv *s)
{
	struct sconn *dead;

	pthread_mutex_lock(&s->lock);
	dead = s->graveyard;
	s->graveyard = NULL;
	pthread_mutex_unlock(&s->lock);
	while (dead) {
		struct sconn *c = dead;

		dead = c->ready_next;
		smb_dbg("server: %s: closed", c->t->ops->peer_name(c->tc));
		s->h->conn_close(c->hconn);
		stat_add(&stats.closed);
		smbd_stats_inc(c->t->ops->kind, SMBD_STAT_CLOSED);
		c->t->conn_free(c->tc);
		free(c);
	}
}

/* ---- running PDUs ------------------------------------------------------- */

/* One PDU of c, counted in c->inflight; lock not held.  Frees w. */
static int conn_run(struct srv *s, struct sconn *c, struct work *w)
{
	int rc;

	stat_add(&stats.pdus);
	rc = s->h->conn_input(c->hconn, w->pdu, w->len);
	c->t->pdu_free(c->tc, w->pdu);
	free(w);
	return rc;
}

/* Let c's next PDUs start; close it once drained after the peer left. */
static void conn_settle_locked(struct srv *s, struct sconn *c)
{
	conn_schedule_locked(s, c);
	if (c->eof && !conn_busy_locked(c))
		conn_request_kill_locked(s, c);
}

/* A PDU of c is done with result rc. */
static void conn_done_locked(struct srv *s, struct sconn *c, int rc)
{
	c->inflight--;
	c->alone = false;
	if (rc < 0) {
		smbd_stats_inc(c->t->ops->kind, SMBD_STAT_ERRORS);
		c->t->ops->disconnect(c->tc);
		conn_request_kill_locked(s, c);
	}
	conn_settle_locked(s, c);
}

/* ---- workers ------------------------------------------------------------ */

static void *worker_main(void *arg)
{
	struct srv *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct sconn *c;
		struct work *w = NULL;
		int rc = 0;

		while (!s->ready_head && !s->quit)
			pthread_cond_wait(&s->cond, &s->lock);
		c = s->ready_head;
		if (!c)
			break;
		s->ready_head = c->ready_next;
		if (!s->ready_head)
			s->ready_tail = NULL;
		/* The queue's reference is now this worker's. */
		c->scheduled = false;
		if (conn_runnable_locked(s, c)) {
			w = c->qhead;
			c->qhead = w->next;
			if (!c->qhead)
				c->qtail = NULL;
			c->qcount--;
			c->qbytes -= w->len;
			c->inflight++;
			c->alone = !w->overlap;
			conn_maybe_resume_locked(s, c);
			/* Back of the line: the next PDU goes to another worker. */
			conn_schedule_locked(s, c);
		}
		pthread_mutex_unlock(&s->lock);

		rc = w ? conn_run(s, c, w) : 0;

		pthread_mutex_lock(&s->lock);
		if (w)
			conn_done_locked(s, c, rc);
		else
			conn_settle_locked(s, c);
		conn_unref_locked(s, c);
		if (s->graveyard) {
			pthread_mutex_unlock(&s->lock);
			reap(s);
			pthread_mutex_lock(&s->lock);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- event loop ---------------------------------------------------------- */

static void conn_readable(struct srv *s, struct sconn *c, u32 events)
{
	bool paused;
	int i;

	pthread_mutex_lock(&s->lock);
	paused = c->paused;
	if (paused && (events & (EPOLLHUP | EPOLLERR)))
		/* Not reading, but the socket is gone: stop reporting it. */
		conn_close_locked(s, c);
	else if (paused && c->t->service && !c->dead &&
		 c->t->service(c->tc) < 0)
		conn_close_locked(s, c);
	pthread_mutex_unlock(&s->lock);
	if (paused)
		return;
	c->last_rx_ms = now_ms();
	for (i = 0; i < SRV_READ_BUDGET; i++) {
		struct work *w;
		u8 *pdu;
		size_t len;
		int r = c->t->recv_owned(c->tc, &pdu, &len), kind = 0, rc;
		bool quick;

		if (r == 0)
			return;
		if (r > 0 && s->h->conn_classify)
			kind = s->h->conn_classify(c->hconn, pdu, len);
		quick = kind == SMBD_PDU_QUICK && c->t->send_ready &&
			c->t->send_ready(c->tc);
		w = r > 0 ? malloc(sizeof(*w)) : NULL;
		pthread_mutex_lock(&s->lock);
		if (r < 0 || !w || c->dead) {
			if (r > 0)
				c->t->pdu_free(c->tc, pdu);
			free(w);
			if (r == -ECONNRESET && !c->dead) {
				/* Peer closed: answer what it sent first. */
				c->eof = true;
				conn_epoll_del_locked(s, c);
				if (!conn_busy_locked(c))
					conn_close_locked(s, c);
			} else {
				if (r < 0 && r != -ECONNREFUSED)
					smb_dbg("server: %s: dropped (%s)",
						c->t->ops->peer_name(c->tc),
						strerror(-r));
				/* Bad framing; not our own disconnect. */
				if (r < 0 && r != -ECONNREFUSED &&
				    r != -ENOTCONN)
					smbd_stats_inc(c->t->ops->kind,
						       SMBD_STAT_ERRORS);
				conn_close_locked(s, c);
			}
			pthread_mutex_unlock(&s->lock);
			return;
		}
		w->next = NULL;
		w->pdu = pdu;
		w->len = len;
		w->overlap = kind != SMBD_PDU_ALONE;
		if (quick && !c->qhead && conn_may_start_locked(s, c, w)) {
			/* Nothing of c waits before it: run it here and now. */
			c->inflight++;
			pthread_mutex_unlock(&s->lock);
			rc = conn_run(s, c, w);
			pthread_mutex_lock(&s->lock);
			conn_done_locked(s, c, rc);
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		if (c->qtail)
			c->qtail->next = w;
		else
			c->qhead = w;
		c->qtail = w;
		c->qcount++;
		c->qbytes += len;
		conn_schedule_locked(s, c);
		if (conn_queue_full_locked(s, c)) {
			c->paused = true;
			stat_add(&stats.read_pauses);
			if (!c->t->service)
				conn_epoll_set_locked(s, c, 0);
			pthread_mutex_unlock(&s->lock);
			return;
		}
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_lock(&s->lock);
	conn_request_read_locked(s, c);
	pthread_mutex_unlock(&s->lock);
}

static void conn_add(struct srv *s, const struct smbd_transport *t,
		     struct smb_tconn *tc)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sconn *c;
	void *hconn;

	if (s->nconns >= s->opts.max_connections) {
		smb_warn("server: %s: refused, %d connections open",
			 t->ops->peer_name(tc), s->nconns);
		goto refuse;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto refuse;
	hconn = s->h->conn_open(s->h->ctx, t->ops, tc);
	if (!hconn) {
		free(c);
		goto refuse;
	}
	c->kind = SLOT_CONN;
	c->srv = s;
	c->t = t;
	c->tc = tc;
	c->hconn = hconn;
	c->fd = t->conn_fd(tc);
	c->refs = 1;
	c->last_rx_ms = now_ms();
	smb_dbg("server: %s: connected (%s)", t->ops->peer_name(tc),
		t->ops->name);
	ev.data.ptr = c;
	pthread_mutex_lock(&s->lock);
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, c->fd, &ev) == 0)
		c->in_epoll = true;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	stat_add(&stats.accepted);
	smbd_stats_inc(t->ops->kind, SMBD_STAT_ACCEPTED);
	if (!c->in_epoll) {
		smb_err("server: epoll_ctl: %s", strerror(errno));
		conn_close_locked(s, c);
	}
	pthread_mutex_unlock(&s->lock);
	return;
refuse:
	stat_add(&stats.refused);
	smbd_stats_inc(t->ops->kind, SMBD_STAT_REFUSED);
	t->conn_free(tc);
}

static void listeners_set(struct srv *s, bool on)
{
	for (int i = 0; i < s->nlisteners; i++) {
		struct listener_slot *ls = &s->lslots[i];
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ls };
		int fd = ls->t->listener_fd(ls->l);

		if (on && !ls->in_epoll)
			ls->in_epoll =
				epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
		else if (!on && ls->in_epoll) {
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
			ls->in_epoll = false;
		}
	}
}

static void listener_readable(struct srv *s, struct listener_slot *ls)
{
	for (int i = 0; i < SRV_ACCEPT_BUDGET; i++) {
		struct smb_tconn *tc;
		int r = ls->t->ops->accept(ls->l, &tc);

		if (r == -EAGAIN)
			return;
		if (r < 0) {
			/* Out of descriptors or memory: back off a while. */
			smb_err("server: accept on %s: %s",
				ls->t->listener_name(ls->l), strerror(-r));
			listeners_set(s, false);
			s->listeners_resume_ms = now_ms() + SRV_TICK_MS;
			return;
		}
		conn_add(s, ls->t, tc);
	}
}

static void process_kills(struct srv *s)
{
	pthread_mutex_lock(&s->lock);
	while (s->killq) {
		struct sconn *c = s->killq;

		s->killq = c->kill_next;
		c->kill_pending = false;
		conn_close_locked(s, c);
		conn_unref_locked(s, c);
	}
	pthread_mutex_unlock(&s->lock);
}

static void process_rescans(struct srv *s)
{
	struct sconn *list, *c;

	pthread_mutex_lock(&s->lock);
	list = s->rescanq;
	s->rescanq = NULL;
	pthread_mutex_unlock(&s->lock);
	while ((c = list)) {
		bool readable;

		list = c->rescan_next;
		pthread_mutex_lock(&s->lock);
		c->read_pending = false;
		readable = !c->dead && !c->paused && !c->eof;
		pthread_mutex_unlock(&s->lock);
		if (readable)
			conn_readable(s, c, 0);
		pthread_mutex_lock(&s->lock);
		conn_unref_locked(s, c);
		pthread_mutex_unlock(&s->lock);
	}
}

static void sweep_idle(struct srv *s, u64 now)
{
	u64 limit = (u64)s->opts.idle_timeout_s * 1000;
	struct sconn *c, *next;

	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c; c = next) {
		next = c->next;
		if (!conn_busy_locked(c) && !c->qhead &&
		    now - c->last_rx_ms > limit) {
			smb_info("server: %s: idle, closing",
				 c->t->ops->peer_name(c->tc));
			conn_close_locked(s, c);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

static void event_loop(struct srv *s)
{
	struct epoll_event evs[SRV_EVENTS];
	u64 next_tick = now_ms() + SRV_TICK_MS;

	while (!__atomic_load_n(&stop_requested, __ATOMIC_SEQ_CST)) {
		int n = epoll_wait(s->epfd, evs, SRV_EVENTS, SRV_TICK_MS);
		bool woken = false;
		u64 now;

		if (n < 0 && errno != EINTR) {
			smb_err("server: epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			enum slot_kind *k = evs[i].data.ptr;

			if (*k == SLOT_WAKE) {
				woken = true;
				continue;
			}
			if (*k == SLOT_LISTENER)
				listener_readable(s, (void *)k);
			else
				conn_readable(s, (void *)k, evs[i].events);
		}
		if (woken)
			drain(s->killfd);
		process_rescans(s);
		process_kills(s);
		reap(s);
		now = now_ms();
		if (now < next_tick)
			continue;
		next_tick = now + SRV_TICK_MS;
		if (s->h->tick)
			s->h->tick(s->h->ctx);
		if (s->listeners_resume_ms && now >= s->listeners_resume_ms) {
			s->listeners_resume_ms = 0;
			listeners_set(s, true);
		}
		if (s->opts.idle_timeout_s > 0)
			sweep_idle(s, now);
	}
}

static void shutdown_all(struct srv *s, pthread_t *threads, int nthreads)
{
	pthread_mutex_lock(&s->lock);
	while (s->conns)
		conn_close_locked(s, s->conns);
	s->quit = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	process_rescans(s);
	process_kills(s);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	process_rescans(s);
	process_kills(s);
	reap(s);
}

static void opts_resolve(struct smbd_server_opts *o,
			 const struct smbd_server_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (o->workers <= 0)
		o->workers = SRV_DEFAULT_WORKERS;
	if (o->workers > SRV_MAX_WORKERS)
		o->workers = SRV_MAX_WORKERS;
	if (o->max_connections <= 0)
		o->max_connections = SRV_DEFAULT_MAX_CONNS;
	if (o->max_queued_pdus <= 0)
		o->max_queued_pdus = SRV_DEFAULT_QUEUE_PDUS;
	if (!o->max_queued_bytes)
		o->max_queued_bytes = SRV_DEFAULT_QUEUE_BYTES;
	if (o->max_inflight <= 0)
		o->max_inflight = SRV_DEFAULT_INFLIGHT;
	if (o->max_inflight > SRV_MAX_INFLIGHT)
		o->max_inflight = SRV_MAX_INFLIGHT;
}

/* Start the worker pool with signals blocked so the caller's thread gets them. */
static int start_workers(struct srv *s, pthread_t *threads)
{
	sigset_t all, old;
	int i, r = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < s->opts.workers; i++) {
		r = pthread_create(&threads[i], NULL, worker_main, s);
		if (r)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		smb_err("server: cannot start workers: %s", strerror(r));
	return i;
}

int smbd_server_run_any(const struct smbd_server_opts *opts,
			const struct smbd_conn_handler *h,
			const struct smbd_listener *listeners, int nlisteners)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct srv s = { 0 };
	pthread_t *threads = NULL;
	int nthreads = 0, r = 0;

	if (!h || !h->conn_open || !h->conn_input || !h->conn_close ||
	    nlisteners < 0 || (nlisteners && !listeners))
		return -EINVAL;
	pthread_once(&stop_once, stop_fd_create);
	if (__atomic_load_n(&stop_fd, __ATOMIC_SEQ_CST) < 0)
		return -EMFILE;
	opts_resolve(&s.opts, opts);
	s.h = h;
	s.nlisteners = nlisteners;
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	s.epfd = epoll_create1(EPOLL_CLOEXEC);
	s.killfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s.lslots = calloc((size_t)nlisteners + 1, sizeof(*s.lslots));
	threads = calloc((size_t)s.opts.workers, sizeof(*threads));
	if (s.epfd < 0 || s.killfd < 0 || !s.lslots || !threads) {
		r = -ENOMEM;
		goto out;
	}
	ev.data.ptr = (void *)&wake_slot;
	if (epoll_ctl(s.epfd, EPOLL_CTL_ADD, stop_fd, &ev)) {
		r = -errno;
		goto out;
	}
	ev.data.ptr = (void *)&wake_slot;
	if (epoll_ctl(s.epfd, EPOLL_CTL_ADD, s.killfd, &ev)) {
		r = -errno;
		goto out;
	}
	for (int i = 0; i < nlisteners; i++) {
		if (!listeners[i].t || !listeners[i].l) {
			r = -EINVAL;
			goto out;
		}
		s.lslots[i].kind = SLOT_LISTENER;
		s.lslots[i].t = listeners[i].t;
		s.lslots[i].l = listeners[i].l;
	}
	listeners_set(&s, true);
	nthreads = start_workers(&s, threads);
	if (nthreads == 0)
		r = -EAGAIN;
	else
		event_loop(&s);
	shutdown_all(&s, threads, nthreads);
	listeners_set(&s, false);
out:
	/* The stop request is consumed by the server it stopped. */
	drain(stop_fd);
	__atomic_store_n(&stop_requested, 0, __ATOMIC_SEQ_CST);
	free(threads);
	free(s.lslots);
	if (s.killfd >= 0)
		close(s.killfd);
	if (s.epfd >= 0)
		close(s.epfd);
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);
	return r;
}

int smbd_server_run(const struct smbd_server_opts *opts,
		    const struct smbd_conn_handler *h,
		    struct smb_tcp_listener *const *listeners, int nlisteners)
{
	struct smbd_listener *ls;
	int r;

	if (nlisteners < 0 || (nlisteners && !listeners))
		return -EINVAL;
	ls = calloc((size_t)nlisteners + 1, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	for (int i = 0; i < nlisteners; i++)
		ls[i] = (struct smbd_listener){ &smbd_tcp_transport,
						listeners[i] };
	r = smbd_server_run_any(opts, h, ls, nlisteners);
	free(ls);
	return r;
}

/* ---- transports ------------------------------------------------------ */

static int tcp_listener_fd(void *l)
{
	return smb_tcp_listener_fd(l);
}

static const char *tcp_listener_name(void *l)
{
	return smb_tcp_listener_name(l);
}

/* Nothing unsent or unacknowledged: a small reply fits the socket now. */
static bool tcp_send_ready(struct smb_tconn *c)
{
	int queued = 0;

	return ioctl(smb_tcp_conn_fd(c), SIOCOUTQ, &queued) == 0 &&
	       queued == 0;
}

static void tcp_pdu_free(struct smb_tconn *c, u8 *pdu)
{
	smb_tcp_pdu_free(pdu);
}

const struct smbd_transport smbd_tcp_transport = {
	.ops = &smb_tcp_ops,
	.listener_fd = tcp_listener_fd,
	.listener_name = tcp_listener_name,
	.conn_fd = smb_tcp_conn_fd,
	.recv_owned = smb_tcp_recv_owned,
	.pdu_free = tcp_pdu_free,
	.conn_free = smb_tcp_conn_free,
	.send_ready = tcp_send_ready,
};

static int rdma_listener_fd(void *l)
{
	return smb_rdma_listener_fd(l);
}

static const char *rdma_listener_name(void *l)
{
	return smb_rdma_listener_name(l);
}

const struct smbd_transport smbd_rdma_transport = {
	.ops = &smb_rdma_ops,
	.listener_fd = rdma_listener_fd,
	.listener_name = rdma_listener_name,
	.conn_fd = smb_rdma_conn_fd,
	.recv_owned = smb_rdma_recv_owned,
	.pdu_free = smb_rdma_pdu_free,
	.conn_free = smb_rdma_conn_free,
	.service = smb_rdma_service,
};
