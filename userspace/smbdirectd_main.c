// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smbdirectd - the userspace ksmbd-direct server.  Wires the shared core to
 * the userspace backends (OpenSSL, POSIX VFS, ksmbd's user database) and
 * the TCP and SMB Direct (RDMA) transports, then runs the event loop until
 * SIGINT/SIGTERM.
 */
#include "platform.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "crypt.h"
#include "crypto_openssl.h"
#include "durable_api.h"
#include "netif.h"
#include "overlap.h"
#include "pwddb.h"
#include "rdma_posix.h"
#include "server.h"
#include "smbd.h"
#include "tcp_frame.h"
#include "tcp_posix.h"
#include "vfs_posix.h"

#define DEFAULT_CONFIG "/etc/ksmbd/ksmbd.conf"
#define DEFAULT_PWDDB "/etc/ksmbd/ksmbdpwd.db"
#define MAX_LISTENERS 16
#define NT_EPOCH_DELTA 116444736000000000ull

static void *mem_alloc(size_t size, void *ctx)
{
	return calloc(1, size);
}

static void *mem_alloc_uninit(size_t size, void *ctx)
{
	return malloc(size);
}

static void mem_free(void *p, void *ctx)
{
	free(p);
}

static u64 clock_now_nt(void *ctx)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (u64)ts.tv_sec * 10000000ull + (u64)ts.tv_nsec / 100 +
	       NT_EPOCH_DELTA;
}

static u64 clock_monotonic_ms(void *ctx)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000ull + (u64)ts.tv_nsec / 1000000;
}

static int random_bytes(void *ctx, void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *on_open(void *ctx, const struct smb_transport_ops *t,
		     struct smb_tconn *tc)
{
	struct smb_conn *conn = smb_conn_new(ctx, t, tc);

	if (conn)
		smb_dbg("connection from %s", t->peer_name(tc));
	return conn;
}

static int on_input(void *conn, u8 *pdu, size_t len)
{
	return smb_conn_input(conn, pdu, len);
}

static int on_classify(void *conn, const u8 *pdu, size_t len)
{
	switch (smb_conn_pdu_kind(conn, pdu, len)) {
	case SMB_PDU_QUICK:
		return SMBD_PDU_QUICK;
	case SMB_PDU_OVERLAP:
		return SMBD_PDU_OVERLAP;
	default:
		return SMBD_PDU_ALONE;
	}
}

static void on_close(void *conn)
{
	smb_conn_free(conn);
}

/* Core timers (oplock-break and similar timeouts). */
static void on_tick(void *srv)
{
	smb_server_tick(srv);
}

static void on_signal(int sig)
{
	smbd_server_stop();
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: smbdirectd [options]\n"
		"  -c, --config=FILE   ksmbd.conf to use (default %s)\n"
		"  -u, --users=PWDDB   user database (default %s)\n"
		"  -p, --port=N        TCP port (overrides 'tcp port')\n"
		"  -r, --rdma-port=N   SMB Direct port (overrides 'rdma port')\n"
		"  -C, --control=PATH  control socket for ksmbd.control "
		"(default %s)\n"
		"  -n, --nodetach      stay in the foreground\n"
		"  -d, --debug         log at debug level\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this help\n",
		DEFAULT_CONFIG, DEFAULT_PWDDB, SMBD_CONTROL_DEFAULT_PATH);
}

/*
 * The control socket: another live server on it stops us (<0); any other
 * failure only costs ksmbd.control (NULL, after a warning).
 */
static int open_control(const char *path, struct smbd_control **out)
{
	int r = smbd_control_listen(path, out);

	if (r == -EADDRINUSE) {
		fprintf(stderr,
			"smbdirectd: another server is running (it answers on "
			"%s)\n",
			path);
		return -1;
	}
	if (r)
		fprintf(stderr,
			"smbdirectd: no control socket at %s: %s "
			"(ksmbd.control will not reach this server)\n",
			path, strerror(-r));
	return 0;
}

static int parse_port(const char *s, u16 *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*out = (u16)v;
	return 0;
}

static const char *transport_name(enum smbd_transport_mode m)
{
	return m == SMBD_TRANSPORT_TCP_ONLY  ? "tcp" :
	       m == SMBD_TRANSPORT_RDMA_ONLY ? "rdma" :
					       "all";
}

/* TCP listeners unless transport = rdma; <0 after printing why. */
static int open_tcp(const struct smbd_config *cfg, const char *addresses,
		    u16 port, struct smbd_listener *out, int max)
{
	struct smb_tcp_listener *l[MAX_LISTENERS];
	struct smb_tcp_config tcfg;
	int n;

	if (cfg->transport == SMBD_TRANSPORT_RDMA_ONLY) {
		fprintf(stderr,
			"smbdirectd: transport = rdma: no TCP listener, "
			"TCP clients are refused\n");
		return 0;
	}
	memset(&tcfg, 0, sizeof(tcfg));
	/* Room for the largest READ/WRITE/IOCTL plus headers and padding. */
	tcfg.max_read = cfg->server.max_read;
	tcfg.max_write = cfg->server.max_write;
	if (cfg->use_sendfile)
		tcfg.file_fd = smb_posix_file_data_fd;
	tcfg.max_pdu = smb_tcp_max_pdu_for(cfg->server.max_trans,
					   cfg->server.max_read,
					   cfg->server.max_write);
	n = smb_tcp_listen(addresses ? addresses : "0.0.0.0 ::", port, &tcfg, l,
			   max);
	if (n <= 0) {
		fprintf(stderr, "smbdirectd: cannot listen on %s TCP port %u\n",
			addresses ? addresses : "0.0.0.0 ::", port);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		fprintf(stderr, "smbdirectd: listening on %s (tcp)\n",
			smb_tcp_listener_name(l[i]));
		out[i] = (struct smbd_listener){ &smbd_tcp_transport, l[i] };
	}
	return n;
}

/*
 * SMB Direct listeners unless transport = tcp.  With transport = all a
 * missing device or a failed listen only costs SMB Direct; with rdma it
 * is fatal (<0).  Besides port, SMB Direct is also offered on alt_port
 * (the TCP port, 445): clients try 5445 first, then 445, and Windows uses
 * 445 for RoCE and InfiniBand.  That second listener is best effort: on
 * iWARP the rdma_cm port space is TCP's, where 445 is taken.
 */
static int open_rdma(const struct smbd_config *cfg, const char *addresses,
		     u16 port, u16 alt_port, struct smbd_listener *out, int max)
{
	bool required = cfg->transport == SMBD_TRANSPORT_RDMA_ONLY;
	struct smb_rdma_listener *l[MAX_LISTENERS];
	struct smb_rdma_config rcfg;
	int n, m = 0;

	if (cfg->transport == SMBD_TRANSPORT_TCP_ONLY) {
		fprintf(stderr,
			"smbdirectd: transport = tcp: SMB Direct (RDMA) "
			"off, RDMA clients are refused\n");
		return 0;
	}
	if (!smb_rdma_have_devices()) {
		fprintf(stderr,
			"smbdirectd: %s: no RDMA device found (transport "
			"= %s)\n",
			required ? "cannot start" : "SMB Direct off, TCP only",
			transport_name(cfg->transport));
		return required ? -1 : 0;
	}
	smbd_config_rdma(cfg, &rcfg);
	n = smb_rdma_listen(addresses, port, &rcfg, l,
			    max < MAX_LISTENERS ? max : MAX_LISTENERS);
	if (n <= 0) {
		fprintf(stderr,
			"smbdirectd: %s: cannot listen for SMB Direct on "
			"%s RDMA port %u: %s\n",
			required ? "cannot start" : "SMB Direct off, TCP only",
			addresses ? addresses : "all addresses", port,
			strerror(n < 0 ? -n : ENODEV));
		return required ? -1 : 0;
	}
	if (alt_port && alt_port != port && n < max) {
		int room = max - n < MAX_LISTENERS - n ? max - n :
							 MAX_LISTENERS - n;

		m = smb_rdma_listen(addresses, alt_port, &rcfg, l + n, room);
		if (m <= 0) {
			fprintf(stderr,
				"smbdirectd: no SMB Direct on port %u as "
				"well: %s (clients use port %u)\n",
				alt_port, strerror(m < 0 ? -m : ENODEV), port);
			m = 0;
		}
	}
	for (int i = 0; i < n + m; i++) {
		fprintf(stderr, "smbdirectd: listening on %s (rdma)\n",
			smb_rdma_listener_name(l[i]));
		out[i] = (struct smbd_listener){ &smbd_rdma_transport, l[i] };
	}
	return n + m;
}

static void close_listeners(struct smbd_listener *ls, int n)
{
	for (int i = 0; i < n; i++) {
		if (!ls[i].l)
			continue;
		if (ls[i].t == &smbd_rdma_transport)
			smb_rdma_listener_close(ls[i].l);
		else
			smb_tcp_listener_close(ls[i].l);
		ls[i].l = NULL;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "users", required_argument, NULL, 'u' },
		{ "port", required_argument, NULL, 'p' },
		{ "rdma-port", required_argument, NULL, 'r' },
		{ "control", required_argument, NULL, 'C' },
		{ "nodetach", no_argument, NULL, 'n' },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG, *pwddb_path = DEFAULT_PWDDB;
	const char *control_path = SMBD_CONTROL_DEFAULT_PATH;
	struct smbd_control *control = NULL;
	struct smbd_listener listeners[2 * MAX_LISTENERS] = { 0 };
	struct smbd_server_opts sopts;
	struct smbd_conn_handler handler;
	struct smb_server_ops ops;
	struct smbd_config cfg;
	struct smbd_pwddb *db = NULL;
	struct smbd_netif_config netif = { 0 };
	struct smb_server *srv;
	bool nodetach = false, debug = false, port_set = false;
	bool rdma_port_set = false;
	const char *addresses;
	char err[512];
	u16 port = 0, rdma_port = 0;
	int c, n, rc;

	while ((c = getopt_long(argc, argv, "c:u:p:r:C:ndVh", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'u':
			pwddb_path = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &port)) {
				fprintf(stderr, "smbdirectd: bad port '%s'\n",
					optarg);
				return 2;
			}
			port_set = true;
			break;
		case 'r':
			if (parse_port(optarg, &rdma_port)) {
				fprintf(stderr,
					"smbdirectd: bad RDMA port '%s'\n",
					optarg);
				return 2;
			}
			rdma_port_set = true;
			break;
		case 'C':
			control_path = optarg;
			break;
		case 'n':
			nodetach = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'V':
			printf("smbdirectd (ksmbd-direct) 0.1\n");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (smbd_config_load(config_path, &cfg, err, sizeof(err))) {
		fprintf(stderr, "smbdirectd: %s\n", err);
		return 1;
	}
	smb_set_log_level(debug ? SMB_LOG_DEBUG : cfg.log_level);
	if (smbd_pwddb_load(pwddb_path, &db, err, sizeof(err))) {
		fprintf(stderr, "smbdirectd: %s\n", err);
		smbd_config_free(&cfg);
		return 1;
	}
	if (random_bytes(NULL, cfg.server.server_guid,
			 sizeof(cfg.server.server_guid)))
		return 1;

	memset(&ops, 0, sizeof(ops));
	ops.mem.alloc = mem_alloc;
	ops.mem.free = mem_free;
	ops.mem.alloc_uninit = mem_alloc_uninit;
	ops.crypto = smb_openssl_crypto_ops();
	ops.clock.now_nt = clock_now_nt;
	ops.clock.monotonic_ms = clock_monotonic_ms;
	ops.random.bytes = random_bytes;
	ops.users.lookup = smbd_pwddb_lookup;
	ops.users.ctx = db;
	ops.vfs = smb_posix_vfs_ops();
	/* Interface queries read netif; .rdma is set once RDMA listens. */
	netif.interfaces = cfg.interfaces;
	ops.netif.list = smbd_netif_list;
	ops.netif.ctx = &netif;
	srv = smb_server_new(&ops, &cfg.server);
	if (!srv) {
		fprintf(stderr,
			"smbdirectd: cannot start the server (see above)\n");
		return 1;
	}
	smb_server_set_durable_timeout(srv, cfg.durable_timeout_s);
	smb_server_set_encryption(srv, cfg.smb3_encryption);
	smb_server_set_multichannel(srv, cfg.multichannel);
	for (const char *sn = cfg.encrypt_shares.names; sn && *sn;
	     sn += strlen(sn) + 1)
		smb_server_set_share_encryption(srv, sn, true);

	if (!port_set)
		port = cfg.tcp_port;
	if (!rdma_port_set)
		rdma_port = cfg.rdma_port;
	addresses = cfg.bind_interfaces_only && cfg.interfaces[0] ?
			    cfg.interfaces :
			    NULL;
	n = open_tcp(&cfg, addresses, port, listeners, MAX_LISTENERS);
	if (n >= 0) {
		int m = open_rdma(&cfg, addresses, rdma_port, port,
				  listeners + n, MAX_LISTENERS);

		netif.rdma = m > 0;
		n = m < 0 ? m : n + m;
		if (n == 0) {
			fprintf(stderr, "smbdirectd: no listener\n");
			n = -1;
		}
	}
	if (n >= 0 && open_control(control_path, &control))
		n = -1;
	if (n < 0) {
		close_listeners(listeners, 2 * MAX_LISTENERS);
		smb_server_free(srv);
		return 1;
	}
	if (!nodetach && daemon(0, 0)) {
		perror("smbdirectd: daemon");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	memset(&sopts, 0, sizeof(sopts));
	sopts.max_inflight = cfg.max_inflight;
	memset(&handler, 0, sizeof(handler));
	handler.conn_open = on_open;
	handler.conn_input = on_input;
	handler.conn_classify = on_classify;
	handler.conn_close = on_close;
	handler.tick = on_tick;
	handler.ctx = srv;
	if (control && smbd_control_serve(control, NULL))
		fprintf(stderr, "smbdirectd: control socket not served\n");
	rc = smbd_server_run_any(&sopts, &handler, listeners, n);
	smbd_control_close(control);
	close_listeners(listeners, n);
	smb_server_free(srv);
	smbd_pwddb_free(db);
	smbd_config_free(&cfg);
	return rc ? 1 : 0;
}
