/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smb_harness.h - drives the core SMB2 engine end to end for the unit tests
 * and fuzz targets: a server on the real OpenSSL crypto and POSIX VFS over
 * scratch directories, a counting allocator (so every test can assert that
 * nothing leaked), a fake transport that queues what the server sends, and
 * a client that builds every request field by field from [MS-SMB2] 2.2,
 * authenticates with SPNEGO/NTLMv2, derives keys, signs its requests and
 * verifies the server's signatures.
 *
 * Include after cmocka.h and platform.h.  Test code only.
 */
#ifndef SMBD_TEST_SMB_HARNESS_H
#define SMBD_TEST_SMB_HARNESS_H

#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto_openssl.h"
#include "internal.h"
#include "md4.h"
#include "ntlm_client.h"
#include "preauth.h"
#include "signing.h"
#include "smb2.h"
#include "smbd.h"
#include "spnego.h"
#include "utf16.h"
#include "vfs_posix.h"

#define H_UNUSED __attribute__((unused))

/* ---- counting allocator ------------------------------------------------ */
static long h_live_allocs;
static long h_alloc_fail_after = -1; /* -1: never fail */

static void *h_alloc(size_t size, void *ctx)
{
	void *p;

	(void)ctx;
	if (h_alloc_fail_after == 0)
		return NULL;
	if (h_alloc_fail_after > 0)
		h_alloc_fail_after--;
	p = calloc(1, size ? size : 1);
	/* Atomic: connections may run on several threads (test_async). */
	if (p)
		__atomic_add_fetch(&h_live_allocs, 1, __ATOMIC_RELAXED);
	return p;
}

/* Poisoned, so a response that sends bytes it never wrote shows up as
 * 0xa5 on the wire instead of passing as zeroes. */
static void *h_alloc_uninit(size_t size, void *ctx)
{
	void *p = h_alloc(size, ctx);

	if (p)
		memset(p, 0xa5, size ? size : 1);
	return p;
}

static void h_free(void *p, void *ctx)
{
	(void)ctx;
	if (!p)
		return;
	__atomic_sub_fetch(&h_live_allocs, 1, __ATOMIC_RELAXED);
	free(p);
}

/* ---- clock, randomness, users ------------------------------------------- */
#define H_NOW_NT 133485408000000000ull /* 2024-01-01T00:00:00Z */

static u64 h_now_nt(void *ctx)
{
	(void)ctx;
	return H_NOW_NT;
}

static u64 h_monotonic_ms(void *ctx)
{
	(void)ctx;
	return 1000;
}

static int h_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static const char *const h_users[][2] = {
	{ "alice", "secret" },
	{ "bob", "hunter2" },
};

static int h_user_lookup(void *ctx, const char *name, struct smb_user *out)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(h_users) / sizeof(h_users[0]); i++) {
		if (strcasecmp(name, h_users[i][0]))
			continue;
		memset(out, 0, sizeof(*out));
		snprintf(out->name, sizeof(out->name), "%s", h_users[i][0]);
		if (smb_nt_hash(h_users[i][1], out->nt_hash))
			return -1;
		out->uid = 1000 + (u32)i;
		out->gid = 1000;
		return 0;
	}
	return -1;
}

/* ---- server environment -------------------------------------------------- */
struct h_env {
	char base[256]; /* mkdtemp() */
	char rw[300]; /* base/share: [share] */
	char ro[300]; /* base/ro: [ro], read only */
	struct smb_share_config shares[4];
	struct smb_server_config cfg;
	struct smb_server_ops ops;
	struct smb_server *srv;
};

static H_UNUSED void h_env_config(struct h_env *e)
{
	struct smb_server_config *c = &e->cfg;
	struct smb_share_config *s;

	memset(c, 0, sizeof(*c));
	snprintf(c->netbios_name, sizeof(c->netbios_name), "KSMBDTEST");
	snprintf(c->workgroup, sizeof(c->workgroup), "WORKGROUP");
	snprintf(c->server_string, sizeof(c->server_string), "test server");
	snprintf(c->guest_account, sizeof(c->guest_account), "nobody");
	c->signing = SMB_SIGNING_AUTO;
	c->map_to_guest = SMB_MAP_TO_GUEST_NEVER;
	c->min_dialect = SMB2_DIALECT_0202;
	c->max_dialect = SMB2_DIALECT_0311;
	c->max_read = 1024 * 1024;
	c->max_write = 1024 * 1024;
	c->max_trans = 1024 * 1024;
	c->max_credits = 512;
	c->max_open_files = 1000;
	memcpy(c->server_guid, "ksmbd-test-guid!", 16);
	memset(e->shares, 0, sizeof(e->shares));
	s = &e->shares[0];
	snprintf(s->name, sizeof(s->name), "share");
	snprintf(s->path, sizeof(s->path), "%s", e->rw);
	snprintf(s->comment, sizeof(s->comment), "scratch share");
	s->browseable = true;
	s->create_mask = 0644;
	s->directory_mask = 0755;
	s = &e->shares[1];
	snprintf(s->name, sizeof(s->name), "ro");
	snprintf(s->path, sizeof(s->path), "%s", e->ro);
	snprintf(s->comment, sizeof(s->comment), "read only");
	s->browseable = true;
	s->read_only = true;
	s->create_mask = 0644;
	s->directory_mask = 0755;
	c->shares = e->shares;
	c->nshares = 2;
}

static void h_env_ops(struct h_env *e)
{
	memset(&e->ops, 0, sizeof(e->ops));
	e->ops.mem.alloc = h_alloc;
	e->ops.mem.free = h_free;
	e->ops.mem.alloc_uninit = h_alloc_uninit;
	e->ops.crypto = smb_openssl_crypto_ops();
	e->ops.clock.now_nt = h_now_nt;
	e->ops.clock.monotonic_ms = h_monotonic_ms;
	e->ops.random.bytes = h_random;
	e->ops.users.lookup = h_user_lookup;
	e->ops.vfs = smb_posix_vfs_ops();
}

/* Scratch directories and the default configuration; no server yet. */
static H_UNUSED void h_env_prepare(struct h_env *e)
{
	const char *tmp = getenv("TMPDIR");

	memset(e, 0, sizeof(*e));
	snprintf(e->base, sizeof(e->base), "%s/smbhtest.XXXXXX",
		 tmp ? tmp : "/tmp");
	if (!mkdtemp(e->base))
		abort();
	snprintf(e->rw, sizeof(e->rw), "%s/share", e->base);
	snprintf(e->ro, sizeof(e->ro), "%s/ro", e->base);
	if (mkdir(e->rw, 0755) || mkdir(e->ro, 0755))
		abort();
	h_env_config(e);
	h_env_ops(e);
	smb_set_log_level(getenv("H_LOG") ? atoi(getenv("H_LOG")) :
					    SMB_LOG_ERR - 1);
}

/* (Re)create the server from e->cfg. */
static H_UNUSED void h_env_start(struct h_env *e)
{
	if (e->srv)
		smb_server_free(e->srv);
	e->srv = smb_server_new(&e->ops, &e->cfg);
	assert_non_null(e->srv);
}

static H_UNUSED struct h_env *h_env_new(void)
{
	struct h_env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	h_env_prepare(e);
	h_env_start(e);
	return e;
}

static int h_rm_cb(const char *path, const struct stat *sb, int flag,
		   struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	chmod(path, 0755);
	return remove(path);
}

static H_UNUSED void h_rm_tree(const char *path)
{
	nftw(path, h_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Free the server, check for leaks and remove the scratch tree. */
static H_UNUSED void h_env_free(struct h_env *e)
{
	if (!e)
		return;
	smb_server_free(e->srv);
	e->srv = NULL;
	h_rm_tree(e->base);
	free(e);
	assert_int_equal(h_live_allocs, 0);
}

/* cmocka fixtures: a fresh server per test, leak-checked afterwards. */
static H_UNUSED int h_setup(void **state)
{
	h_live_allocs = 0; /* a failed test must not fail the next one */
	*state = h_env_new();
	return 0;
}

static H_UNUSED int h_teardown(void **state)
{
	h_env_free(*state);
	return 0;
}

/* Write a file under the rw share (relative path) with content. */
static H_UNUSED void h_put_file(struct h_env *e, const char *rel,
				const void *data, size_t len)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", e->rw, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static H_UNUSED bool h_exists(const char *dir, const char *rel)
{
	char p[1024];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return lstat(p, &sb) == 0;
}

/* ---- fake transport ------------------------------------------------------ */
struct h_pdu {
	struct h_pdu *next;
	size_t len;
	u8 data[];
};

struct smb_tconn {
	struct h_pdu *head, *tail;
	int sent;
	bool fail_send;
	u32 max_pdu;
	/* RDMA: the client's registered memory, addressed by descriptor
	 * offset, valid under one token (an rkey stand-in).
	 */
	u8 *rmem;
	size_t rmem_len;
	u32 rtoken;
	int rdma_reads, rdma_writes;
	/*
	 * A transport's pre-registered payload buffers (h_rdma_pool_transport):
	 * pool_used marks buffers handed out; posted[] those a posted Write
	 * still holds until h_rdma_complete().
	 */
	u8 *pool[2];
	size_t pool_size;
	bool pool_used[2], posted[2];
	int pool_gets, posted_writes;
	/*
	 * send_pdu_file (h_sendfile_transport): calls; whether it refuses;
	 * a size (>= 0) it first truncates the file to, as another client
	 * could between the READ and its response.
	 */
	int file_sends;
	bool refuse_file;
	long long shrink_file_to;
};

/*
 * The queue of PDUs the server sent: a change notification or a break is
 * sent from the backend's thread while the test thread takes responses.
 */
static pthread_mutex_t h_queue_lock = PTHREAD_MUTEX_INITIALIZER;

/* The iovs, then file_len bytes of fd from file_off (zeros past its end). */
static int h_queue_pdu(struct smb_tconn *c, const struct smb_iov *iov, int niov,
		       int fd, u64 file_off, size_t file_len)
{
	size_t total = file_len, pos = 0;
	struct h_pdu *p;

	if (c->fail_send)
		return -1;
	for (int i = 0; i < niov; i++)
		total += iov[i].len;
	p = malloc(sizeof(*p) + total);
	assert_non_null(p);
	for (int i = 0; i < niov; i++) {
		memcpy(p->data + pos, iov[i].base, iov[i].len);
		pos += iov[i].len;
	}
	if (file_len) {
		ssize_t n = pread(fd, p->data + pos, file_len, (off_t)file_off);

		assert_true(n >= 0);
		memset(p->data + pos + n, 0, file_len - (size_t)n);
	}
	p->len = total;
	p->next = NULL;
	pthread_mutex_lock(&h_queue_lock);
	if (c->tail)
		c->tail->next = p;
	else
		c->head = p;
	c->tail = p;
	c->sent++;
	pthread_mutex_unlock(&h_queue_lock);
	return 0;
}

static int h_send_pdu(struct smb_tconn *c, const struct smb_iov *iov, int niov)
{
	return h_queue_pdu(c, iov, niov, -1, 0, 0);
}

static void h_get_limits(struct smb_tconn *c, struct smb_transport_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->max_pdu = c->max_pdu;
}

/* As the TCP transport's sendfile path, reading the file itself. */
static int h_send_pdu_file(struct smb_tconn *c, const struct smb_iov *iov,
			   int niov, struct smb_vfs_file *file, u64 off,
			   size_t len)
{
	int fd = smb_posix_file_data_fd(file);

	c->file_sends++;
	if (fd >= 0 && c->shrink_file_to >= 0)
		assert_int_equal(ftruncate(fd, (off_t)c->shrink_file_to), 0);
	if (c->refuse_file || fd < 0)
		return 1;
	return h_queue_pdu(c, iov, niov, fd, off, len);
}

static void h_sendfile_limits(struct smb_tconn *c,
			      struct smb_transport_limits *l)
{
	h_get_limits(c, l);
	l->send_file = true;
}

static const char *h_peer_name(struct smb_tconn *c)
{
	(void)c;
	return "test-peer";
}

static const struct smb_transport_ops h_transport = {
	.name = "test",
	.kind = SMB_TRANSPORT_TCP,
	.send_pdu = h_send_pdu,
	.get_limits = h_get_limits,
	.peer_name = h_peer_name,
};

static H_UNUSED const struct smb_transport_ops h_sendfile_transport = {
	.name = "test-sendfile",
	.kind = SMB_TRANSPORT_TCP,
	.send_pdu = h_send_pdu,
	.send_pdu_file = h_send_pdu_file,
	.get_limits = h_sendfile_limits,
	.peer_name = h_peer_name,
};

/* Walk descriptors over the client memory; copy to or from buf. */
static int h_rdma_move(struct smb_tconn *c, const struct smb_rdma_desc *d,
		       int nd, u8 *buf, size_t len, bool to_client)
{
	size_t pos = 0;

	for (int i = 0; i < nd && pos < len; i++) {
		size_t n = d[i].length < len - pos ? d[i].length : len - pos;

		if (d[i].token != c->rtoken || d[i].offset > c->rmem_len ||
		    n > c->rmem_len - d[i].offset)
			return -1; /* a remote access error ends the connection */
		if (to_client)
			memcpy(c->rmem + d[i].offset, buf + pos, n);
		else
			memcpy(buf + pos, c->rmem + d[i].offset, n);
		pos += n;
	}
	return pos == len ? 0 : -1;
}

static int h_rdma_read(struct smb_tconn *c, const struct smb_rdma_desc *d,
		       int nd, void *buf, size_t len)
{
	c->rdma_reads++;
	return h_rdma_move(c, d, nd, buf, len, false);
}

static int h_rdma_write(struct smb_tconn *c, const struct smb_rdma_desc *d,
			int nd, const void *buf, size_t len)
{
	c->rdma_writes++;
	return h_rdma_move(c, d, nd, (u8 *)buf, len, true);
}

static void h_rdma_limits(struct smb_tconn *c, struct smb_transport_limits *l)
{
	h_get_limits(c, l);
	l->max_rdma_descs = 8;
}

static int h_pool_slot(struct smb_tconn *c, const void *buf)
{
	for (int i = 0; i < 2; i++)
		if (c->pool[i] && buf == c->pool[i])
			return i;
	return -1;
}

static void *h_io_buf_get(struct smb_tconn *c, size_t len)
{
	if (len > c->pool_size)
		return NULL;
	for (int i = 0; i < 2; i++)
		if (!c->pool_used[i]) {
			c->pool_used[i] = true;
			c->pool_gets++;
			return c->pool[i];
		}
	return NULL;
}

static void h_io_buf_put(struct smb_tconn *c, void *buf)
{
	int i = h_pool_slot(c, buf);

	assert_true(i >= 0 && c->pool_used[i] && !c->posted[i]);
	c->pool_used[i] = false;
}

/* The data lands at once; the buffer stays taken until h_rdma_complete. */
static int h_rdma_write_post(struct smb_tconn *c, const struct smb_rdma_desc *d,
			     int nd, void *buf, size_t len)
{
	int i = h_pool_slot(c, buf);

	assert_true(i >= 0 && c->pool_used[i] && !c->posted[i]);
	c->posted[i] = true;
	c->posted_writes++;
	c->rdma_writes++;
	return h_rdma_move(c, d, nd, buf, len, true);
}

/* The hardware finished every posted Write: their buffers come back. */
static H_UNUSED void h_rdma_complete(struct smb_tconn *c)
{
	for (int i = 0; i < 2; i++)
		if (c->posted[i]) {
			c->posted[i] = false;
			c->pool_used[i] = false;
		}
}

static H_UNUSED const struct smb_transport_ops h_rdma_pool_transport = {
	.name = "test-rdma-pool",
	.kind = SMB_TRANSPORT_RDMA,
	.send_pdu = h_send_pdu,
	.rdma_read = h_rdma_read,
	.rdma_write = h_rdma_write,
	.io_buf_get = h_io_buf_get,
	.io_buf_put = h_io_buf_put,
	.rdma_write_post = h_rdma_write_post,
	.get_limits = h_rdma_limits,
	.peer_name = h_peer_name,
};

static H_UNUSED const struct smb_transport_ops h_rdma_transport = {
	.name = "test-rdma",
	.kind = SMB_TRANSPORT_RDMA,
	.send_pdu = h_send_pdu,
	.rdma_read = h_rdma_read,
	.rdma_write = h_rdma_write,
	.get_limits = h_rdma_limits,
	.peer_name = h_peer_name,
};

/* ---- client ---------------------------------------------------------------- */
struct h_sess {
	u64 id;
	u8 session_key[16];
	u8 signing_key[16];
	bool have_key;
	u8 preauth[64];
	u16 flags; /* SessionFlags of the final response */
};

struct h_client {
	struct h_env *env;
	struct smb_tconn tc;
	struct smb_conn *conn;
	u64 mid;
	u16 credit_request;
	u16 dialect;
	u16 sign_algo;
	u16 security_mode; /* sent in NEGOTIATE and SESSION_SETUP */
	u32 caps;
	u8 guid[16];
	u16 dialects[16];
	int ndialects;
	u16 server_security_mode;
	u32 server_caps;
	u32 max_read, max_write, max_trans;
	u8 preauth[64]; /* connection pre-authentication hash (3.1.1) */
	struct h_sess s;
	u64 previous_session_id; /* sent in SESSION_SETUP */
	u32 tid;
	bool sign; /* sign requests on a session with a key */
	bool raw_ntlmssp; /* SESSION_SETUP without SPNEGO */
	int bad_signatures; /* signed responses that failed to verify */
	int last_rc; /* what smb_conn_input returned */
	u8 *last_req; /* the last PDU sent, for the preauth hash */
	size_t last_req_len;
	struct h_pdu *last; /* the last response PDU received */
	struct ntlm_client ntlm;
};

static H_UNUSED struct h_client *h_client_new(struct h_env *e)
{
	struct h_client *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->env = e;
	c->credit_request = 16;
	c->security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	c->sign = true;
	memcpy(c->guid, "client-guid-0001", 16);
	c->conn = smb_conn_new(e->srv, &h_transport, &c->tc);
	assert_non_null(c->conn);
	return c;
}

/* A client on an RDMA-capable transport with rmem_len bytes of memory. */
static H_UNUSED struct h_client *h_client_new_rdma(struct h_env *e,
						   size_t rmem_len)
{
	struct h_client *c = h_client_new(e);

	smb_conn_free(c->conn);
	c->tc.rmem = calloc(1, rmem_len);
	assert_non_null(c->tc.rmem);
	c->tc.rmem_len = rmem_len;
	c->tc.rtoken = 0x5eed;
	c->conn = smb_conn_new(e->srv, &h_rdma_transport, &c->tc);
	assert_non_null(c->conn);
	return c;
}

/* A client on a transport that sends READ data from the file. */
static H_UNUSED struct h_client *h_client_new_sendfile(struct h_env *e)
{
	struct h_client *c = h_client_new(e);

	smb_conn_free(c->conn);
	c->tc.shrink_file_to = -1;
	c->conn = smb_conn_new(e->srv, &h_sendfile_transport, &c->tc);
	assert_non_null(c->conn);
	return c;
}

/* The same with two pre-registered payload buffers of pool_size bytes. */
static H_UNUSED struct h_client *
h_client_new_rdma_pool(struct h_env *e, size_t rmem_len, size_t pool_size)
{
	struct h_client *c = h_client_new_rdma(e, rmem_len);

	smb_conn_free(c->conn);
	for (int i = 0; i < 2; i++) {
		c->tc.pool[i] = calloc(1, pool_size);
		assert_non_null(c->tc.pool[i]);
	}
	c->tc.pool_size = pool_size;
	c->conn = smb_conn_new(e->srv, &h_rdma_pool_transport, &c->tc);
	assert_non_null(c->conn);
	return c;
}

static void h_drain(struct h_client *c)
{
	struct h_pdu *p;

	pthread_mutex_lock(&h_queue_lock);
	p = c->tc.head;
	c->tc.head = NULL;
	c->tc.tail = NULL;
	pthread_mutex_unlock(&h_queue_lock);
	while (p) {
		struct h_pdu *next = p->next;

		free(p);
		p = next;
	}
}

static H_UNUSED void h_client_free(struct h_client *c)
{
	if (!c)
		return;
	smb_conn_free(c->conn);
	h_drain(c);
	free(c->last);
	free(c->last_req);
	free(c->tc.rmem);
	free(c->tc.pool[0]);
	free(c->tc.pool[1]);
	free(c);
}

/* ---- byte buffers for requests ------------------------------------------- */
struct h_req {
	u8 *p;
	size_t len, cap;
};

static void h_need(struct h_req *r, size_t n)
{
	if (r->len + n <= r->cap)
		return;
	while (r->cap < r->len + n)
		r->cap = r->cap ? r->cap * 2 : 256;
	r->p = realloc(r->p, r->cap);
	assert_non_null(r->p);
}

static H_UNUSED void h_put(struct h_req *r, const void *d, size_t n)
{
	h_need(r, n);
	if (d)
		memcpy(r->p + r->len, d, n);
	else
		memset(r->p + r->len, 0, n);
	r->len += n;
}

static H_UNUSED void h_put8(struct h_req *r, u8 v)
{
	h_put(r, &v, 1);
}

static H_UNUSED void h_put16(struct h_req *r, u16 v)
{
	h_need(r, 2);
	smb_put_le16(r->p + r->len, v);
	r->len += 2;
}

static H_UNUSED void h_put32(struct h_req *r, u32 v)
{
	h_need(r, 4);
	smb_put_le32(r->p + r->len, v);
	r->len += 4;
}

static H_UNUSED void h_put64(struct h_req *r, u64 v)
{
	h_need(r, 8);
	smb_put_le64(r->p + r->len, v);
	r->len += 8;
}

static H_UNUSED void h_pad8(struct h_req *r)
{
	while (r->len & 7)
		h_put8(r, 0);
}

static H_UNUSED void h_set16(struct h_req *r, size_t off, u16 v)
{
	assert_true(off + 2 <= r->len);
	smb_put_le16(r->p + off, v);
}

static H_UNUSED void h_set32(struct h_req *r, size_t off, u32 v)
{
	assert_true(off + 4 <= r->len);
	smb_put_le32(r->p + off, v);
}

static H_UNUSED void h_set64(struct h_req *r, size_t off, u64 v)
{
	assert_true(off + 8 <= r->len);
	smb_put_le64(r->p + off, v);
}

static H_UNUSED void h_req_free(struct h_req *r)
{
	free(r->p);
	memset(r, 0, sizeof(*r));
}

/* ASCII/UTF-8 to UTF-16LE; returns the byte length. */
static H_UNUSED size_t h_utf16(const char *s, u8 *out, size_t size)
{
	int n = smb_utf8_to_utf16(s, out, size);

	assert_true(n >= 0);
	return (size_t)n;
}

/* Request header offsets (from the start of the request). */
#define H_BODY SMB2_HDR_SIZE

/* Start a request: the 64-byte header with the next message id. */
static H_UNUSED void h_req_init(struct h_client *c, struct h_req *r, u16 cmd)
{
	memset(r, 0, sizeof(*r));
	h_put(r, NULL, SMB2_HDR_SIZE);
	smb_put_le32(r->p + SMB2_HDR_PROTO, SMB2_PROTO_ID);
	smb_put_le16(r->p + SMB2_HDR_STRUCT_SIZE, SMB2_HDR_SIZE);
	smb_put_le16(r->p + SMB2_HDR_CREDIT_CHARGE, 1);
	smb_put_le16(r->p + SMB2_HDR_COMMAND, cmd);
	smb_put_le16(r->p + SMB2_HDR_CREDIT, c->credit_request);
	smb_put_le64(r->p + SMB2_HDR_MESSAGE_ID, c->mid++);
	smb_put_le32(r->p + SMB2_HDR_PROCESS_ID, 0xfeff);
	smb_put_le32(r->p + SMB2_HDR_TREE_ID, c->tid);
	smb_put_le64(r->p + SMB2_HDR_SESSION_ID, c->s.id);
}

/* Charge n credits for this request (it spends n message ids). */
static H_UNUSED void h_req_charge(struct h_client *c, struct h_req *r, u16 n)
{
	smb_put_le16(r->p + SMB2_HDR_CREDIT_CHARGE, n);
	if (n > 1)
		c->mid += n - 1u;
}

static H_UNUSED u16 h_charge_for(size_t payload)
{
	return payload ? (u16)((payload - 1) / 65536 + 1) : 1;
}

static H_UNUSED void h_req_flags(struct h_req *r, u32 set)
{
	smb_put_le32(r->p + SMB2_HDR_FLAGS,
		     smb_get_le32(r->p + SMB2_HDR_FLAGS) | set);
}

/* ---- seeds for the fuzzers -------------------------------------------------- */
/*
 * With H_SEED_DIR set, every message the client sends is also written to
 * $H_SEED_DIR/<kind>/ (conn: whole PDUs; spnego, ntlmssp: the security
 * tokens) as seed corpora for tests/fuzz.  prefix, if not negative, is a
 * first byte the fuzz target uses to pick a mode.
 */
static H_UNUSED void h_seed_write_kind(const char *kind, int prefix,
				       const u8 *data, size_t len)
{
	static int seq;
	const char *dir = getenv("H_SEED_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, kind);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/seed-%d-%d", dir, kind,
		 (int)getpid(), seq++);
	f = fopen(path, "wb");
	if (!f)
		return;
	if (prefix >= 0)
		fputc(prefix, f);
	fwrite(data, 1, len, f);
	fclose(f);
}

static H_UNUSED void h_seed_write(const u8 *pdu, size_t len)
{
	h_seed_write_kind("conn", -1, pdu, len);
}

/* ---- sending and receiving ------------------------------------------------------- */
static H_UNUSED bool h_signing_ready(const struct h_client *c)
{
	return c->sign && c->s.have_key && c->s.id;
}

/* Send raw bytes as one PDU (no signing, no fixing up). */
static H_UNUSED int h_send_raw(struct h_client *c, const u8 *pdu, size_t len)
{
	u8 *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, pdu, len);
	free(c->last_req);
	c->last_req = malloc(len ? len : 1);
	assert_non_null(c->last_req);
	memcpy(c->last_req, pdu, len);
	c->last_req_len = len;
	h_seed_write(pdu, len);
	c->last_rc = smb_conn_input(c->conn, copy, len);
	free(copy);
	return c->last_rc;
}

/*
 * Send n requests as one compound PDU: each but the last padded to 8 and
 * linked by NextCommand, each signed when the session has a key.  The
 * requests are freed.
 */
static H_UNUSED int h_send_chain(struct h_client *c, struct h_req *reqs, int n)
{
	struct h_req all = { 0 };
	int rc;

	for (int i = 0; i < n; i++) {
		struct h_req *r = &reqs[i];

		if (i < n - 1) {
			h_pad8(r);
			smb_put_le32(r->p + SMB2_HDR_NEXT_COMMAND, (u32)r->len);
		}
		if (h_signing_ready(c) &&
		    smb_get_le16(r->p + SMB2_HDR_COMMAND) != SMB2_NEGOTIATE) {
			struct smb_iov iov = { r->p, r->len };

			assert_int_equal(smb2_sign(c->env->ops.crypto,
						   c->sign_algo,
						   c->s.signing_key, &iov, 1),
					 0);
		}
		h_put(&all, r->p, r->len);
		h_req_free(r);
	}
	rc = h_send_raw(c, all.p, all.len);
	h_req_free(&all);
	return rc;
}

static H_UNUSED int h_send(struct h_client *c, struct h_req *r)
{
	return h_send_chain(c, r, 1);
}

/* Sign one request in place with the session key (tests that tamper). */
static H_UNUSED void h_sign_req(struct h_client *c, struct h_req *r)
{
	struct smb_iov iov = { r->p, r->len };

	assert_int_equal(smb2_sign(c->env->ops.crypto, c->sign_algo,
				   c->s.signing_key, &iov, 1),
			 0);
}

/* Element i of a (compound) response PDU, or NULL. */
static H_UNUSED u8 *h_elem(struct h_pdu *p, int i, size_t *len)
{
	size_t off = 0;

	if (!p)
		return NULL;
	for (;;) {
		u32 next;

		if (p->len - off < SMB2_HDR_SIZE)
			return NULL;
		next = smb_get_le32(p->data + off + SMB2_HDR_NEXT_COMMAND);
		if (i == 0) {
			if (len)
				*len = next ? next : p->len - off;
			return p->data + off;
		}
		if (!next || next > p->len - off)
			return NULL;
		off += next;
		i--;
	}
}

static H_UNUSED int h_nelems(struct h_pdu *p)
{
	int n = 0;

	while (h_elem(p, n, NULL))
		n++;
	return n;
}

/*
 * Take the next PDU the server sent (NULL if none) as c->last, checking the
 * signature of every signed element against the session key we hold.
 */
static H_UNUSED struct h_pdu *h_recv(struct h_client *c)
{
	struct h_pdu *p;

	free(c->last);
	c->last = NULL;
	pthread_mutex_lock(&h_queue_lock);
	p = c->tc.head;
	if (p) {
		c->tc.head = p->next;
		if (!c->tc.head)
			c->tc.tail = NULL;
	}
	pthread_mutex_unlock(&h_queue_lock);
	if (!p)
		return NULL;
	p->next = NULL;
	c->last = p;
	for (int i = 0;; i++) {
		size_t len;
		u8 *e = h_elem(p, i, &len);

		if (!e)
			break;
		assert_int_equal(smb_get_le32(e), SMB2_PROTO_ID);
		assert_true(smb_get_le32(e + SMB2_HDR_FLAGS) &
			    SMB2_FLAGS_SERVER_TO_REDIR);
		if ((smb_get_le32(e + SMB2_HDR_FLAGS) & SMB2_FLAGS_SIGNED) &&
		    c->s.have_key &&
		    smb_get_le64(e + SMB2_HDR_SESSION_ID) == c->s.id &&
		    !smb2_verify(c->env->ops.crypto, c->sign_algo,
				 c->s.signing_key, e, len))
			c->bad_signatures++;
	}
	return p;
}

static H_UNUSED u32 h_status_of(const u8 *hdr)
{
	return smb_get_le32(hdr + SMB2_HDR_STATUS);
}

/* The last response (first element), its status and body. */
static H_UNUSED u8 *h_rhdr(struct h_client *c)
{
	assert_non_null(c->last);
	assert_true(c->last->len >= SMB2_HDR_SIZE);
	return c->last->data;
}

static H_UNUSED u8 *h_rbody(struct h_client *c)
{
	return h_rhdr(c) + SMB2_HDR_SIZE;
}

static H_UNUSED u32 h_rstatus(struct h_client *c)
{
	return h_status_of(h_rhdr(c));
}

/* Send one request and expect exactly one response PDU; returns its status. */
static H_UNUSED u32 h_call(struct h_client *c, struct h_req *r)
{
	assert_int_equal(h_send(c, r), 0);
	assert_non_null(h_recv(c));
	assert_null(c->tc.head);
	assert_int_equal(c->bad_signatures, 0);
	return h_rstatus(c);
}

/* Send a built request unsigned whatever the session says. */
static H_UNUSED u32 h_call_unsigned(struct h_client *c, struct h_req *r)
{
	bool sign = c->sign;
	u32 st;

	c->sign = false;
	st = h_call(c, r);
	c->sign = sign;
	return st;
}

/* Send, expecting the server to drop the connection (and send nothing). */
static H_UNUSED void h_call_drop(struct h_client *c, struct h_req *r)
{
	assert_true(h_send(c, r) < 0);
}

/* ---- NEGOTIATE -------------------------------------------------------------------- */
struct h_neg {
	const u16 *dialects;
	int ndialects;
	const u16 *sign_algos; /* 3.1.1 SIGNING_CAPABILITIES; none if 0 */
	int nsign;
	bool no_preauth; /* omit PREAUTH_INTEGRITY_CAPABILITIES */
	bool encryption_ctx; /* add an ENCRYPTION_CAPABILITIES context */
};

static H_UNUSED void h_put_ctx(struct h_req *r, u16 type, const void *data,
			       u16 len)
{
	h_pad8(r);
	h_put16(r, type);
	h_put16(r, len);
	h_put32(r, 0);
	h_put(r, data, len);
}

static H_UNUSED void h_build_negotiate(struct h_client *c, struct h_req *r,
				       const struct h_neg *n)
{
	bool has311 = false;
	u16 nctx = 0;
	size_t ctx_field;

	h_req_init(c, r, SMB2_NEGOTIATE);
	h_put16(r, 36);
	h_put16(r, (u16)n->ndialects);
	h_put16(r, c->security_mode);
	h_put16(r, 0);
	h_put32(r, c->caps);
	h_put(r, c->guid, 16);
	ctx_field = r->len;
	h_put32(r, 0); /* NegotiateContextOffset */
	h_put16(r, 0); /* NegotiateContextCount */
	h_put16(r, 0);
	c->ndialects = 0;
	for (int i = 0; i < n->ndialects; i++) {
		h_put16(r, n->dialects[i]);
		has311 |= n->dialects[i] == SMB2_DIALECT_0311;
		if (c->ndialects < 16)
			c->dialects[c->ndialects++] = n->dialects[i];
	}
	if (!has311)
		return;
	h_pad8(r);
	h_set32(r, ctx_field, (u32)r->len);
	if (!n->no_preauth) {
		u8 pa[38];

		smb_put_le16(pa, 1);
		smb_put_le16(pa + 2, 32);
		smb_put_le16(pa + 4, SMB2_PREAUTH_INTEGRITY_SHA512);
		memset(pa + 6, 0x5c, 32);
		h_put_ctx(r, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, pa, 38);
		nctx++;
	}
	if (n->encryption_ctx) {
		u8 ec[6];

		smb_put_le16(ec, 2);
		smb_put_le16(ec + 2, SMB2_ENCRYPTION_AES128_GCM);
		smb_put_le16(ec + 4, SMB2_ENCRYPTION_AES128_CCM);
		h_put_ctx(r, SMB2_ENCRYPTION_CAPABILITIES, ec, 6);
		nctx++;
	}
	if (n->nsign) {
		u8 sc[2 + 2 * 8];

		smb_put_le16(sc, (u16)n->nsign);
		for (int i = 0; i < n->nsign; i++)
			smb_put_le16(sc + 2 + 2 * i, n->sign_algos[i]);
		h_put_ctx(r, SMB2_SIGNING_CAPABILITIES, sc,
			  (u16)(2 + 2 * n->nsign));
		nctx++;
	}
	h_set16(r, ctx_field + 4, nctx);
}

/*
 * Record what a successful NEGOTIATE response says, and start the 3.1.1
 * preauth hash with the request and this response.
 */
static H_UNUSED void h_negotiate_done(struct h_client *c)
{
	const u8 *b = h_rbody(c);
	bool have_algo = false;
	u16 algo = 0;

	assert_int_equal(smb_get_le16(b), 65);
	c->dialect = smb_get_le16(b + 4);
	c->server_security_mode = smb_get_le16(b + 2);
	c->server_caps = smb_get_le32(b + 24);
	c->max_trans = smb_get_le32(b + 28);
	c->max_read = smb_get_le32(b + 32);
	c->max_write = smb_get_le32(b + 36);
	if (c->dialect == SMB2_DIALECT_0311) {
		u32 off = smb_get_le32(b + 60);
		u16 cnt = smb_get_le16(b + 6);
		struct smb_iov iov;

		for (u16 i = 0; i < cnt; i++) {
			u16 type, dlen;

			off = (off + 7) & ~7u;
			assert_true(off + 8 <= c->last->len);
			type = smb_get_le16(c->last->data + off);
			dlen = smb_get_le16(c->last->data + off + 2);
			assert_true(off + 8 + dlen <= c->last->len);
			if (type == SMB2_SIGNING_CAPABILITIES) {
				assert_int_equal(
					smb_get_le16(c->last->data + off + 8),
					1);
				algo = smb_get_le16(c->last->data + off + 10);
				have_algo = true;
			}
			off += 8u + dlen;
		}
		smb311_preauth_init(c->preauth);
		iov.base = c->last_req;
		iov.len = c->last_req_len;
		smb311_preauth_update(c->env->ops.crypto, c->preauth, &iov, 1);
		iov.base = c->last->data;
		iov.len = c->last->len;
		smb311_preauth_update(c->env->ops.crypto, c->preauth, &iov, 1);
	}
	c->sign_algo = smb2_signing_algo_for(c->dialect, have_algo, algo);
}

static H_UNUSED u32 h_negotiate_ex(struct h_client *c, const struct h_neg *n)
{
	struct h_req r;
	u32 st;

	h_build_negotiate(c, &r, n);
	st = h_call(c, &r);
	if (st == STATUS_SUCCESS)
		h_negotiate_done(c);
	return st;
}

/* NEGOTIATE 3.1.1 with AES-CMAC signing, offering AES-128-GCM and -CCM. */
static H_UNUSED u32 h_negotiate_311_enc(struct h_client *c)
{
	u16 d = SMB2_DIALECT_0311, algo = SMB2_SIGNING_AES_CMAC;
	struct h_neg with = { .dialects = &d,
			      .ndialects = 1,
			      .sign_algos = &algo,
			      .nsign = 1,
			      .encryption_ctx = true };

	return h_negotiate_ex(c, &with);
}

/*
 * Negotiate exactly `dialect`; for 3.1.1 offer the signing algorithm
 * sign_algo (or no signing context when sign_algo is 0xffff).
 */
static H_UNUSED void h_negotiate(struct h_client *c, u16 dialect, u16 sign_algo)
{
	u16 algos[1] = { sign_algo };
	struct h_neg n = { .dialects = &dialect,
			   .ndialects = 1,
			   .sign_algos = algos,
			   .nsign = sign_algo == 0xffff ? 0 : 1 };

	assert_int_equal(h_negotiate_ex(c, &n), STATUS_SUCCESS);
	assert_int_equal(c->dialect, dialect);
}

/* ---- SPNEGO (client side, DER written from RFC 4178) ---------------------------------- */
static size_t h_der(u8 *out, u8 tag, const u8 *content, size_t n)
{
	size_t h = 0;

	out[h++] = tag;
	if (n < 0x80) {
		out[h++] = (u8)n;
	} else if (n < 0x100) {
		out[h++] = 0x81;
		out[h++] = (u8)n;
	} else {
		out[h++] = 0x82;
		out[h++] = (u8)(n >> 8);
		out[h++] = (u8)n;
	}
	memmove(out + h, content, n);
	return h + n;
}

/* GSS-wrapped NegTokenInit offering mechs (DER OIDs) with a mechToken. */
static H_UNUSED size_t h_spnego_init(u8 *out, const u8 *const *mech_oids,
				     int nmechs, const u8 *tok, size_t tok_len)
{
	static const u8 spnego_oid[] = { 0x06, 0x06, 0x2b, 0x06,
					 0x01, 0x05, 0x05, 0x02 };
	u8 a[4096], b[4096];
	size_t n = 0, m;

	for (int i = 0; i < nmechs; i++) {
		memcpy(a + n, mech_oids[i], 2u + mech_oids[i][1]);
		n += 2u + mech_oids[i][1];
	}
	n = h_der(b, 0x30, a, n); /* MechTypeList */
	n = h_der(a, 0xa0, b, n); /* [0] mechTypes */
	if (tok) {
		m = h_der(b, 0x04, tok, tok_len);
		m = h_der(a + n, 0xa2, b, m); /* [2] mechToken */
		n += m;
	}
	n = h_der(b, 0x30, a, n);
	n = h_der(a + sizeof(spnego_oid), 0xa0, b, n);
	memcpy(a, spnego_oid, sizeof(spnego_oid));
	return h_der(out, 0x60, a, sizeof(spnego_oid) + n);
}

static const u8 h_oid_ntlmssp[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
				    0x01, 0x82, 0x37, 0x02, 0x02, 0x0a };
static const u8 h_oid_krb5[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
				 0xf7, 0x12, 0x01, 0x02, 0x02 };

/* NegTokenResp carrying responseToken. */
static H_UNUSED size_t h_spnego_resp(u8 *out, const u8 *tok, size_t tok_len)
{
	u8 a[4096], b[4096];
	size_t n;

	n = h_der(a, 0x04, tok, tok_len);
	n = h_der(b, 0xa2, a, n);
	n = h_der(a, 0x30, b, n);
	return h_der(out, 0xa1, a, n);
}

/* ---- SESSION_SETUP -------------------------------------------------------------------- */
static H_UNUSED void h_build_session_setup(struct h_client *c, struct h_req *r,
					   const u8 *sec, size_t sec_len)
{
	h_req_init(c, r, SMB2_SESSION_SETUP);
	h_put16(r, 25);
	h_put8(r, 0); /* Flags */
	h_put8(r, (u8)c->security_mode);
	h_put32(r, 0); /* Capabilities */
	h_put32(r, 0); /* Channel */
	h_put16(r, SMB2_HDR_SIZE + 24);
	h_put16(r, (u16)sec_len);
	h_put64(r, c->previous_session_id);
	h_put(r, sec, sec_len);
}

enum h_auth_kind {
	H_AUTH_NTLMV2 = 0,
	H_AUTH_NTLMV1,
	H_AUTH_ANONYMOUS,
};

static void h_preauth_add(struct h_client *c, const u8 *msg, size_t len)
{
	struct smb_iov iov = { (void *)msg, len };

	if (c->dialect == SMB2_DIALECT_0311)
		smb311_preauth_update(c->env->ops.crypto, c->s.preauth, &iov,
				      1);
}

/* Security blob of the last SESSION_SETUP response. */
static H_UNUSED const u8 *h_sess_blob(struct h_client *c, size_t *len)
{
	const u8 *b = h_rbody(c);
	u16 off = smb_get_le16(b + 4), n = smb_get_le16(b + 6);

	assert_int_equal(smb_get_le16(b), 9);
	assert_true((size_t)off + n <= c->last->len);
	*len = n;
	return c->last->data + off;
}

/* A fresh NTLMSSP client state for user, with key exchange and MIC. */
static H_UNUSED void h_ntlm_start(struct h_client *c, const char *user,
				  const char *password)
{
	memset(&c->ntlm, 0, sizeof(c->ntlm));
	c->ntlm.user = user;
	c->ntlm.domain = "WORKGROUP";
	c->ntlm.password = password;
	c->ntlm.flags = CLIENT_FLAGS;
	c->ntlm.kex = true;
	c->ntlm.mic = true;
}

/*
 * The two SESSION_SETUP legs for user/password.  Returns the final status;
 * on success the session's keys are derived and kept in c->s.
 */
static H_UNUSED u32 h_session_setup_ex(struct h_client *c, const char *user,
				       const char *password,
				       enum h_auth_kind kind)
{
	const u8 *mechs[1] = { h_oid_ntlmssp };
	u8 sec[4096], chal[4096];
	size_t sec_len, blob_len, chal_len;
	const u8 *blob;
	struct h_req r;
	u32 st;

	h_ntlm_start(c, user, password);
	c->ntlm.ntlmv1 = kind == H_AUTH_NTLMV1;
	client_negotiate(&c->ntlm);
	if (c->raw_ntlmssp) {
		memcpy(sec, c->ntlm.neg, c->ntlm.neg_len);
		sec_len = c->ntlm.neg_len;
	} else {
		sec_len = h_spnego_init(sec, mechs, 1, c->ntlm.neg,
					c->ntlm.neg_len);
	}
	h_seed_write_kind("spnego", -1, sec, sec_len);
	h_seed_write_kind("ntlmssp", 0, c->ntlm.neg, c->ntlm.neg_len);
	memset(&c->s, 0, sizeof(c->s));
	memcpy(c->s.preauth, c->preauth, 64);
	h_build_session_setup(c, &r, sec, sec_len);
	h_preauth_add(c, r.p, r.len);
	st = h_call(c, &r);
	if (st != STATUS_MORE_PROCESSING_REQUIRED)
		return st;
	h_preauth_add(c, c->last->data, c->last->len);
	c->s.id = smb_get_le64(h_rhdr(c) + SMB2_HDR_SESSION_ID);
	assert_true(c->s.id != 0);
	blob = h_sess_blob(c, &blob_len);
	if (c->raw_ntlmssp) {
		memcpy(chal, blob, blob_len);
		chal_len = blob_len;
	} else {
		struct spnego_token t;

		assert_int_equal(spnego_parse(blob, blob_len, &t), 0);
		assert_int_equal(t.kind, SPNEGO_KIND_RESP);
		assert_int_equal(t.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
		assert_non_null(t.mech_token);
		memcpy(chal, t.mech_token, t.mech_token_len);
		chal_len = t.mech_token_len;
	}
	if (kind == H_AUTH_ANONYMOUS) {
		/* [MS-NLMP] 3.1.5.1.2: no user, no NT response, LM Z(1). */
		u8 *a = c->ntlm.auth;
		size_t pos = 88;

		memset(a, 0, 96);
		memcpy(a, "NTLMSSP", 8);
		smb_put_le32(a + 8, 3);
		smb_put_le32(a + 60, smb_get_le32(chal + 20) &
					     ~NTLMSSP_NEGOTIATE_KEY_EXCH);
		for (int f = 12; f <= 52; f += 8) {
			u16 l = f == 12 ? 1 : 0;

			smb_put_le16(a + f, l);
			smb_put_le16(a + f + 2, l);
			smb_put_le32(a + f + 4, (u32)pos);
			pos += l;
		}
		c->ntlm.auth_len = pos;
	} else {
		client_authenticate(&c->ntlm, chal, chal_len);
	}
	if (c->raw_ntlmssp) {
		memcpy(sec, c->ntlm.auth, c->ntlm.auth_len);
		sec_len = c->ntlm.auth_len;
	} else {
		sec_len = h_spnego_resp(sec, c->ntlm.auth, c->ntlm.auth_len);
	}
	h_seed_write_kind("spnego", -1, sec, sec_len);
	h_seed_write_kind("ntlmssp", 1, c->ntlm.auth, c->ntlm.auth_len);
	h_build_session_setup(c, &r, sec, sec_len);
	h_preauth_add(c, r.p, r.len);
	/* The final leg goes out unsigned: there is no key yet. */
	assert_int_equal(h_send(c, &r), 0);
	if (kind == H_AUTH_NTLMV2 && c->dialect) {
		struct smb_keys k;

		/* Keys before h_recv, which checks the signed response. */
		memcpy(c->s.session_key, c->ntlm.exported, 16);
		assert_int_equal(smb_derive_keys(c->env->ops.crypto, c->dialect,
						 0, c->s.session_key,
						 c->s.preauth, &k),
				 0);
		memcpy(c->s.signing_key, k.signing, 16);
		c->s.have_key = true;
	}
	assert_non_null(h_recv(c));
	st = h_rstatus(c);
	if (st == STATUS_SUCCESS) {
		c->s.flags = smb_get_le16(h_rbody(c) + 2);
		if (c->s.flags &
		    (SMB2_SESSION_FLAG_IS_GUEST | SMB2_SESSION_FLAG_IS_NULL))
			c->s.have_key = false;
	} else {
		c->s.have_key = false;
	}
	assert_int_equal(c->bad_signatures, 0);
	return st;
}

static H_UNUSED u32 h_session_setup(struct h_client *c)
{
	return h_session_setup_ex(c, "alice", "secret", H_AUTH_NTLMV2);
}

/* Re-authenticate c's session (signed, with its key) as user/password. */
static H_UNUSED u32 h_reauth(struct h_client *c, const char *user,
			     const char *password)
{
	const u8 *mechs[1] = { h_oid_ntlmssp };
	struct spnego_token t;
	u8 sec[4096];
	const u8 *blob;
	size_t n;
	struct h_req r;
	u32 st;

	h_ntlm_start(c, user, password);
	client_negotiate(&c->ntlm);
	n = h_spnego_init(sec, mechs, 1, c->ntlm.neg, c->ntlm.neg_len);
	h_build_session_setup(c, &r, sec, n);
	st = h_call(c, &r);
	if (st != STATUS_MORE_PROCESSING_REQUIRED)
		return st;
	blob = h_sess_blob(c, &n);
	assert_int_equal(spnego_parse(blob, n, &t), 0);
	client_authenticate(&c->ntlm, t.mech_token, t.mech_token_len);
	n = h_spnego_resp(sec, c->ntlm.auth, c->ntlm.auth_len);
	h_build_session_setup(c, &r, sec, n);
	return h_call(c, &r);
}

/* NEGOTIATE `dialect` and log on as alice; the response must be signed. */
static H_UNUSED void h_login(struct h_client *c, u16 dialect, u16 sign_algo)
{
	h_negotiate(c, dialect, sign_algo);
	assert_int_equal(h_session_setup(c), STATUS_SUCCESS);
	assert_true(smb_get_le32(h_rhdr(c) + SMB2_HDR_FLAGS) &
		    SMB2_FLAGS_SIGNED);
}

/* ---- TREE_CONNECT / TREE_DISCONNECT / LOGOFF / ECHO ---------------------------------- */
static H_UNUSED void h_build_tree_connect(struct h_client *c, struct h_req *r,
					  const char *share)
{
	char unc[300];
	u8 name[700];
	size_t n;

	snprintf(unc, sizeof(unc), "\\\\KSMBDTEST\\%s", share);
	n = h_utf16(unc, name, sizeof(name));
	h_req_init(c, r, SMB2_TREE_CONNECT);
	h_put16(r, 9);
	h_put16(r, 0);
	h_put16(r, SMB2_HDR_SIZE + 8);
	h_put16(r, (u16)n);
	h_put(r, name, n);
}

static H_UNUSED u32 h_tree_connect(struct h_client *c, const char *share)
{
	struct h_req r;
	u32 st;

	h_build_tree_connect(c, &r, share);
	st = h_call(c, &r);
	if (st == STATUS_SUCCESS)
		c->tid = smb_get_le32(h_rhdr(c) + SMB2_HDR_TREE_ID);
	return st;
}

/* Requests whose body is just StructureSize 4 and a reserved word. */
static H_UNUSED void h_build_small(struct h_client *c, struct h_req *r, u16 cmd)
{
	h_req_init(c, r, cmd);
	h_put16(r, 4);
	h_put16(r, 0);
}

static H_UNUSED u32 h_simple(struct h_client *c, u16 cmd)
{
	struct h_req r;

	h_build_small(c, &r, cmd);
	return h_call(c, &r);
}

/* Log on and connect to share with the given dialect. */
static H_UNUSED void h_connect(struct h_client *c, u16 dialect,
			       const char *share)
{
	h_login(c, dialect, SMB2_SIGNING_AES_CMAC);
	assert_int_equal(h_tree_connect(c, share), STATUS_SUCCESS);
}

/* ---- CREATE / CLOSE ------------------------------------------------------------------- */
struct h_create {
	const char *name;
	u32 access;
	u32 share;
	u32 disposition;
	u32 options;
	u32 attributes;
	const u8 *contexts; /* raw create contexts, 8-aligned chain */
	size_t contexts_len;
};

static H_UNUSED void h_build_create(struct h_client *c, struct h_req *r,
				    const struct h_create *cr)
{
	u8 name[2048];
	size_t n = h_utf16(cr->name, name, sizeof(name));

	h_req_init(c, r, SMB2_CREATE);
	h_put16(r, 57);
	h_put8(r, 0); /* SecurityFlags */
	h_put8(r, SMB2_OPLOCK_LEVEL_NONE);
	h_put32(r, 2); /* Impersonation */
	h_put64(r, 0);
	h_put64(r, 0);
	h_put32(r, cr->access);
	h_put32(r, cr->attributes);
	h_put32(r, cr->share);
	h_put32(r, cr->disposition);
	h_put32(r, cr->options);
	h_put16(r, SMB2_HDR_SIZE + 56);
	h_put16(r, (u16)n);
	h_put32(r, 0); /* CreateContextsOffset */
	h_put32(r, 0); /* CreateContextsLength */
	h_put(r, name, n);
	if (n == 0)
		h_put8(r, 0); /* the Buffer is at least one byte */
	if (cr->contexts_len) {
		h_pad8(r);
		h_set32(r, H_BODY + 48, (u32)r->len);
		h_set32(r, H_BODY + 52, (u32)cr->contexts_len);
		h_put(r, cr->contexts, cr->contexts_len);
	}
}

/* A create context: Next, name "xxxx", data. */
static H_UNUSED size_t h_cctx(u8 *p, const char *name, const void *data,
			      u32 dlen, bool last)
{
	size_t total = 24 + dlen, padded = (total + 7) & ~(size_t)7;

	memset(p, 0, padded);
	smb_put_le32(p, last ? 0 : (u32)padded);
	smb_put_le16(p + 4, 16);
	smb_put_le16(p + 6, 4);
	smb_put_le16(p + 10, dlen ? 24 : 0);
	smb_put_le32(p + 12, dlen);
	memcpy(p + 16, name, 4);
	if (dlen)
		memcpy(p + 24, data, dlen);
	return last ? total : padded;
}

/* CREATE; on success the FileId is copied to fid. Returns the status. */
static H_UNUSED u32 h_create_ex(struct h_client *c, const struct h_create *cr,
				u8 fid[16])
{
	struct h_req r;
	u32 st;

	h_build_create(c, &r, cr);
	st = h_call(c, &r);
	if (st == STATUS_SUCCESS && fid) {
		assert_int_equal(smb_get_le16(h_rbody(c)), 89);
		memcpy(fid, h_rbody(c) + 64, 16);
	}
	return st;
}

static H_UNUSED u32 h_create(struct h_client *c, const char *name, u32 access,
			     u32 share, u32 disposition, u32 options,
			     u8 fid[16])
{
	struct h_create cr = { .name = name,
			       .access = access,
			       .share = share,
			       .disposition = disposition,
			       .options = options };

	return h_create_ex(c, &cr, fid);
}

#define H_SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
#define H_RW                                                       \
	(FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | \
	 FILE_WRITE_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE)

/* Open (or create) a plain file for read and write. */
static H_UNUSED void h_open_rw(struct h_client *c, const char *name,
			       u32 disposition, u8 fid[16])
{
	assert_int_equal(h_create(c, name, H_RW | DELETE, H_SHARE_ALL,
				  disposition, FILE_NON_DIRECTORY_FILE, fid),
			 STATUS_SUCCESS);
}

static H_UNUSED void h_build_fid_req(struct h_client *c, struct h_req *r,
				     u16 cmd, u16 flags, const u8 fid[16])
{
	h_req_init(c, r, cmd);
	h_put16(r, 24);
	h_put16(r, flags);
	h_put32(r, 0);
	h_put(r, fid, 16);
}

static H_UNUSED u32 h_close(struct h_client *c, const u8 fid[16])
{
	struct h_req r;

	h_build_fid_req(c, &r, SMB2_CLOSE, 0, fid);
	return h_call(c, &r);
}

static H_UNUSED u32 h_flush(struct h_client *c, const u8 fid[16])
{
	struct h_req r;

	h_build_fid_req(c, &r, SMB2_FLUSH, 0, fid);
	return h_call(c, &r);
}

/* ---- READ / WRITE ------------------------------------------------------------------------ */
static H_UNUSED void h_build_read(struct h_client *c, struct h_req *r,
				  const u8 fid[16], u32 len, u64 off,
				  u32 min_count)
{
	h_req_init(c, r, SMB2_READ);
	h_req_charge(c, r, h_charge_for(len));
	h_put16(r, 49);
	h_put8(r, 0); /* Padding */
	h_put8(r, 0); /* Flags */
	h_put32(r, len);
	h_put64(r, off);
	h_put(r, fid, 16);
	h_put32(r, min_count);
	h_put32(r, SMB2_CHANNEL_NONE);
	h_put32(r, 0); /* RemainingBytes */
	h_put16(r, 0);
	h_put16(r, 0);
	h_put8(r, 0); /* Buffer */
}

/* READ; on success data and n point into the response. */
static H_UNUSED u32 h_read(struct h_client *c, const u8 fid[16], u32 len,
			   u64 off, const u8 **data, u32 *n)
{
	struct h_req r;
	u32 st;

	h_build_read(c, &r, fid, len, off, 0);
	st = h_call(c, &r);
	if (!NT_STATUS_IS_ERROR(st)) {
		const u8 *b = h_rbody(c);
		u32 cnt = smb_get_le32(b + 4);

		assert_int_equal(smb_get_le16(b), 17);
		assert_true(b[2] + (size_t)cnt <= c->last->len);
		if (data)
			*data = c->last->data + b[2];
		if (n)
			*n = cnt;
	}
	return st;
}

static H_UNUSED void h_build_write(struct h_client *c, struct h_req *r,
				   const u8 fid[16], const void *data, u32 len,
				   u64 off)
{
	h_req_init(c, r, SMB2_WRITE);
	h_req_charge(c, r, h_charge_for(len));
	h_put16(r, 49);
	h_put16(r, SMB2_HDR_SIZE + 48); /* DataOffset */
	h_put32(r, len);
	h_put64(r, off);
	h_put(r, fid, 16);
	h_put32(r, SMB2_CHANNEL_NONE);
	h_put32(r, 0); /* RemainingBytes */
	h_put16(r, 0);
	h_put16(r, 0);
	h_put32(r, 0); /* Flags */
	h_put(r, data, len);
	if (len == 0)
		h_put8(r, 0);
}

static H_UNUSED u32 h_write(struct h_client *c, const u8 fid[16],
			    const void *data, u32 len, u64 off)
{
	struct h_req r;
	u32 st;

	h_build_write(c, &r, fid, data, len, off);
	st = h_call(c, &r);
	if (st == STATUS_SUCCESS)
		assert_int_equal(smb_get_le32(h_rbody(c) + 4), len);
	return st;
}

/* ---- QUERY_DIRECTORY ----------------------------------------------------------------------- */
static H_UNUSED void h_build_query_dir(struct h_client *c, struct h_req *r,
				       const u8 fid[16], u8 cls, u8 flags,
				       const char *pattern, u32 out_len)
{
	u8 name[1024];
	size_t n = pattern ? h_utf16(pattern, name, sizeof(name)) : 0;

	h_req_init(c, r, SMB2_QUERY_DIRECTORY);
	h_req_charge(c, r, h_charge_for(out_len));
	h_put16(r, 33);
	h_put8(r, cls);
	h_put8(r, flags);
	h_put32(r, 0); /* FileIndex */
	h_put(r, fid, 16);
	h_put16(r, n ? SMB2_HDR_SIZE + 32 : 0);
	h_put16(r, (u16)n);
	h_put32(r, out_len);
	h_put(r, name, n);
	if (!n)
		h_put8(r, 0);
}

static H_UNUSED u32 h_query_dir(struct h_client *c, const u8 fid[16], u8 cls,
				u8 flags, const char *pattern, u32 out_len)
{
	struct h_req r;

	h_build_query_dir(c, &r, fid, cls, flags, pattern, out_len);
	return h_call(c, &r);
}

/*
 * Names in a FileNamesInformation / FileDirectoryInformation (etc.) buffer
 * of the last QUERY_DIRECTORY response, appended to names[] (ASCII).
 */
static H_UNUSED int h_dir_names(struct h_client *c, u8 cls, char names[][64],
				int max)
{
	const u8 *b = h_rbody(c), *p;
	u32 len = smb_get_le32(b + 4), pos = 0;
	size_t name_field, len_field;
	int n = 0;

	switch (cls) {
	case FileNamesInformation:
		len_field = 8;
		name_field = 12;
		break;
	case FileDirectoryInformation:
		len_field = 60;
		name_field = 64;
		break;
	case FileIdBothDirectoryInformation:
		len_field = 60;
		name_field = 104;
		break;
	default:
		fail_msg("class %u not decoded", cls);
		return 0;
	}
	assert_int_equal(smb_get_le16(b + 2), SMB2_HDR_SIZE + 8);
	assert_true(SMB2_HDR_SIZE + 8 + (size_t)len <= c->last->len);
	p = b + 8;
	for (;;) {
		u32 next = smb_get_le32(p + pos);
		u32 nl = smb_get_le32(p + pos + len_field);

		assert_true(pos + name_field + nl <= len);
		assert_true(n < max);
		assert_int_equal(smb_utf16_to_utf8(p + pos + name_field, nl,
						   names[n], 64) >= 0,
				 1);
		n++;
		if (!next)
			break;
		assert_int_equal(next & 7, 0);
		pos += next;
	}
	return n;
}

/* ---- QUERY_INFO / SET_INFO -------------------------------------------------------------------- */
static H_UNUSED void h_build_query_info(struct h_client *c, struct h_req *r,
					const u8 fid[16], u8 type, u8 cls,
					u32 out_len, u32 addl)
{
	h_req_init(c, r, SMB2_QUERY_INFO);
	h_put16(r, 41);
	h_put8(r, type);
	h_put8(r, cls);
	h_put32(r, out_len);
	h_put16(r, 0); /* InputBufferOffset */
	h_put16(r, 0);
	h_put32(r, 0); /* InputBufferLength */
	h_put32(r, addl);
	h_put32(r, 0); /* Flags */
	h_put(r, fid, 16);
	h_put8(r, 0);
}

/* QUERY_INFO; out and n give the output buffer of the response. */
static H_UNUSED u32 h_query_info(struct h_client *c, const u8 fid[16], u8 type,
				 u8 cls, u32 out_len, u32 addl, const u8 **out,
				 u32 *n)
{
	struct h_req r;
	u32 st;

	h_build_query_info(c, &r, fid, type, cls, out_len, addl);
	st = h_call(c, &r);
	if (!NT_STATUS_IS_ERROR(st)) {
		const u8 *b = h_rbody(c);
		u32 len = smb_get_le32(b + 4);

		assert_int_equal(smb_get_le16(b), 9);
		assert_true(len <= out_len);
		assert_true(smb_get_le16(b + 2) + (size_t)len <= c->last->len);
		if (out)
			*out = c->last->data + smb_get_le16(b + 2);
		if (n)
			*n = len;
	}
	return st;
}

static H_UNUSED void h_build_set_info(struct h_client *c, struct h_req *r,
				      const u8 fid[16], u8 type, u8 cls,
				      const void *data, u32 len)
{
	h_req_init(c, r, SMB2_SET_INFO);
	h_put16(r, 33);
	h_put8(r, type);
	h_put8(r, cls);
	h_put32(r, len);
	h_put16(r, SMB2_HDR_SIZE + 32);
	h_put16(r, 0);
	h_put32(r, 0); /* AdditionalInformation */
	h_put(r, fid, 16);
	h_put(r, data, len);
	if (!len)
		h_put8(r, 0);
}

static H_UNUSED u32 h_set_info(struct h_client *c, const u8 fid[16], u8 cls,
			       const void *data, u32 len)
{
	struct h_req r;

	h_build_set_info(c, &r, fid, SMB2_0_INFO_FILE, cls, data, len);
	return h_call(c, &r);
}

static H_UNUSED u32 h_set_delete(struct h_client *c, const u8 fid[16], bool del)
{
	u8 v = del;

	return h_set_info(c, fid, FileDispositionInformation, &v, 1);
}

/* FileRenameInformation (SMB2 form) to new_name. */
static H_UNUSED u32 h_rename(struct h_client *c, const u8 fid[16],
			     const char *new_name, bool replace)
{
	u8 buf[2048], name[1024];
	size_t n = h_utf16(new_name, name, sizeof(name));

	memset(buf, 0, 20);
	buf[0] = replace;
	smb_put_le32(buf + 16, (u32)n);
	memcpy(buf + 20, name, n);
	return h_set_info(c, fid, FileRenameInformation, buf,
			  (u32)(20 + (n < 4 ? 4 : n)));
}

/* ---- IOCTL ------------------------------------------------------------------------------------ */
static const u8 h_fid_none[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0xff };

static H_UNUSED void h_build_ioctl(struct h_client *c, struct h_req *r, u32 ctl,
				   const u8 fid[16], const void *in, u32 in_len,
				   u32 max_out)
{
	h_req_init(c, r, SMB2_IOCTL);
	h_req_charge(c, r, h_charge_for(in_len > max_out ? in_len : max_out));
	h_put16(r, 57);
	h_put16(r, 0);
	h_put32(r, ctl);
	h_put(r, fid, 16);
	h_put32(r, in_len ? SMB2_HDR_SIZE + 56 : 0); /* InputOffset */
	h_put32(r, in_len);
	h_put32(r, 0); /* MaxInputResponse */
	h_put32(r, 0); /* OutputOffset */
	h_put32(r, 0); /* OutputCount */
	h_put32(r, max_out);
	h_put32(r, SMB2_0_IOCTL_IS_FSCTL);
	h_put32(r, 0);
	h_put(r, in, in_len);
	if (!in_len)
		h_put8(r, 0);
}

static H_UNUSED u32 h_ioctl(struct h_client *c, u32 ctl, const u8 fid[16],
			    const void *in, u32 in_len, u32 max_out,
			    const u8 **out, u32 *n)
{
	struct h_req r;
	u32 st;

	h_build_ioctl(c, &r, ctl, fid, in, in_len, max_out);
	st = h_call(c, &r);
	if (!NT_STATUS_IS_ERROR(st)) {
		const u8 *b = h_rbody(c);
		u32 off = smb_get_le32(b + 32), len = smb_get_le32(b + 36);

		assert_int_equal(smb_get_le16(b), 49);
		assert_true((size_t)off + len <= c->last->len);
		if (out)
			*out = c->last->data + off;
		if (n)
			*n = len;
	}
	return st;
}

/* The VALIDATE_NEGOTIATE_INFO request body this client would send. */
static H_UNUSED size_t h_vneg_input(const struct h_client *c, u8 *out)
{
	smb_put_le32(out, c->caps);
	memcpy(out + 4, c->guid, 16);
	smb_put_le16(out + 20, c->security_mode);
	smb_put_le16(out + 22, (u16)c->ndialects);
	for (int i = 0; i < c->ndialects; i++)
		smb_put_le16(out + 24 + 2 * i, c->dialects[i]);
	return 24 + 2 * (size_t)c->ndialects;
}

#endif /* SMBD_TEST_SMB_HARNESS_H */
