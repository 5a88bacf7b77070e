// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "control.h"
#include "stats.h"
#include "tmpdir.h"

/* What the dispatcher and the serving thread asked for. */
struct record {
	int level; /* last set_log_level, -1 none */
	int levels_set;
	int shutdowns; /* atomic: the thread sets it */
};

static void rec_shutdown(void *ctx)
{
	struct record *r = ctx;

	__atomic_add_fetch(&r->shutdowns, 1, __ATOMIC_SEQ_CST);
}

static void rec_level(void *ctx, int level)
{
	struct record *r = ctx;

	r->level = level;
	r->levels_set++;
}

static struct record rec;
static const struct smbd_control_actions rec_actions = { rec_shutdown,
							 rec_level, &rec };

static char out[SMBD_CONTROL_REPLY_MAX];
static size_t out_len;

static enum smbd_control_verdict run(const char *line, size_t len)
{
	memset(out, 'x', sizeof(out));
	return smbd_control_dispatch(&rec_actions, line, len, out, sizeof(out),
				     &out_len);
}

static enum smbd_control_verdict run_str(const char *line)
{
	return run(line, strlen(line));
}

static int setup(void **state)
{
	memset(&rec, 0, sizeof(rec));
	rec.level = -1;
	smbd_stats_reset();
	return 0;
}

/* ---- dispatcher ---------------------------------------------------------- */

static void test_stats_request(void **state)
{
	char want[SMBD_CONTROL_REPLY_MAX];
	size_t n;

	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_BYTES_OUT, 12345);
	n = smbd_stats_format(want, sizeof(want));
	memcpy(want + n, "end\n", 5);
	assert_int_equal(run_str("stats"), SMBD_CONTROL_KEEP);
	assert_string_equal(out, want);
	assert_int_equal(out_len, n + 4);
	assert_non_null(strstr(out, "\ntcp.bytes_out 12345\n"));
	/* Blanks around, and a CR before the newline, are fine. */
	assert_int_equal(run_str(" \tstats \r"), SMBD_CONTROL_KEEP);
	assert_string_equal(out, want);
}

static void test_debug_levels(void **state)
{
	static const struct {
		const char *req;
		int level;
	} ok[] = {
		{ "debug debug", SMB_LOG_DEBUG },
		{ "debug info", SMB_LOG_INFO },
		{ "debug warn", SMB_LOG_WARN },
		{ "debug WARNING", SMB_LOG_WARN },
		{ "debug error", SMB_LOG_ERR },
		{ "debug\tDebug\r", SMB_LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(run_str(ok[i].req), SMBD_CONTROL_KEEP);
		assert_string_equal(out, "ok\n");
		assert_int_equal(out_len, 3);
		assert_int_equal(rec.level, ok[i].level);
	}
	assert_int_equal(rec.levels_set, 6);
}

static void test_debug_bad(void **state)
{
	static const char *const bad[] = { "debug", "debug verbose", "debug 3",
					   "debug info info", "debug infox" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run_str(bad[i]), SMBD_CONTROL_CLOSE);
		assert_memory_equal(out, "error ", 6);
		assert_int_equal(out[out_len - 1], '\n');
		assert_int_equal(strlen(out), out_len);
	}
	assert_int_equal(rec.levels_set, 0);
}

/* Without an action table the real log level changes. */
static void test_debug_default_action(void **state)
{
	int old = smb_get_log_level();

	assert_int_equal(smbd_control_dispatch(NULL, "debug error", 11, out,
					       sizeof(out), &out_len),
			 SMBD_CONTROL_KEEP);
	assert_int_equal(smb_get_log_level(), SMB_LOG_ERR);
	smb_set_log_level(old);
}

static void test_shutdown_request(void **state)
{
	assert_int_equal(run_str("shutdown"), SMBD_CONTROL_SHUTDOWN);
	assert_string_equal(out, "ok\n");
	/* The caller stops the server once the reply is out. */
	assert_int_equal(rec.shutdowns, 0);
	assert_int_equal(run_str("shutdown now"), SMBD_CONTROL_CLOSE);
	assert_string_equal(out, "error usage: shutdown\n");
	assert_int_equal(run_str("stats please"), SMBD_CONTROL_CLOSE);
	assert_string_equal(out, "error usage: stats\n");
}

static void test_garbage(void **state)
{
	static const struct {
		const char *line;
		size_t len;
		const char *reply;
	} cases[] = {
		{ "", 0, "error empty request\n" },
		{ "   \t ", 5, "error empty request\n" },
		{ "\r", 1, "error empty request\n" },
		{ "STATS", 5, "error unknown request\n" },
		{ "hello world", 11, "error unknown request\n" },
		{ "stats\0x", 7, "error bad character in request\n" },
		{ "\x01\x02\x03", 3, "error bad character in request\n" },
		{ "debug \xff", 7, "error bad character in request\n" },
		{ "stats\r\r", 7, "error bad character in request\n" },
		{ "stats\n", 6, "error bad character in request\n" },
		{ "\x1b[2J", 4, "error bad character in request\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(run(cases[i].line, cases[i].len),
				 SMBD_CONTROL_CLOSE);
		assert_string_equal(out, cases[i].reply);
		assert_int_equal(out_len, strlen(cases[i].reply));
	}
	assert_int_equal(rec.levels_set, 0);
}

static void test_line_length_limit(void **state)
{
	char line[SMBD_CONTROL_LINE_MAX + 2];

	memset(line, 'a', sizeof(line));
	/* The longest line is parsed (and is just unknown)... */
	assert_int_equal(run(line, SMBD_CONTROL_LINE_MAX), SMBD_CONTROL_CLOSE);
	assert_string_equal(out, "error unknown request\n");
	/* ...with its CR too; one byte more is refused unparsed. */
	line[SMBD_CONTROL_LINE_MAX] = '\r';
	assert_int_equal(run(line, SMBD_CONTROL_LINE_MAX + 1),
			 SMBD_CONTROL_CLOSE);
	assert_string_equal(out, "error unknown request\n");
	line[SMBD_CONTROL_LINE_MAX] = 'a';
	assert_int_equal(run(line, SMBD_CONTROL_LINE_MAX + 1),
			 SMBD_CONTROL_CLOSE);
	assert_string_equal(out, "error request too long\n");
	assert_int_equal(run(line, sizeof(line)), SMBD_CONTROL_CLOSE);
	assert_string_equal(out, "error request too long\n");
}

static void test_small_output_buffer(void **state)
{
	char small[64];

	out_len = 99;
	assert_int_equal(smbd_control_dispatch(&rec_actions, "stats", 5, small,
					       sizeof(small), &out_len),
			 SMBD_CONTROL_CLOSE);
	assert_int_equal(out_len, 0);
}

static void test_parse_level_and_peer(void **state)
{
	assert_int_equal(smbd_control_parse_level("error"), SMB_LOG_ERR);
	assert_int_equal(smbd_control_parse_level("Warn"), SMB_LOG_WARN);
	assert_int_equal(smbd_control_parse_level("warning"), SMB_LOG_WARN);
	assert_int_equal(smbd_control_parse_level("INFO"), SMB_LOG_INFO);
	assert_int_equal(smbd_control_parse_level("debug"), SMB_LOG_DEBUG);
	assert_int_equal(smbd_control_parse_level(""), -1);
	assert_int_equal(smbd_control_parse_level("2"), -1);
	assert_int_equal(smbd_control_parse_level("debugging"), -1);
	assert_true(smbd_control_peer_allowed(0, 1000));
	assert_true(smbd_control_peer_allowed(1000, 1000));
	assert_true(smbd_control_peer_allowed(0, 0));
	assert_false(smbd_control_peer_allowed(1001, 1000));
	assert_false(smbd_control_peer_allowed(65534, 0));
}

/* ---- printing ------------------------------------------------------------ */

static const char reply_two[] = "tcp.accepted 3\n"
				"tcp.bytes_in 1048576\n"
				"rdma.accepted 1\n"
				"rdma.bytes_in 7\n"
				"rdma.rdma_reads 18446744073709551615\n"
				"end\n";

static char *print(const char *reply, bool json, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*rc = smbd_control_print_stats(f, reply, json);
	fclose(f);
	return buf;
}

static void test_print_table(void **state)
{
	int rc;
	char *s = print(reply_two, false, &rc);

	assert_int_equal(rc, 0);
	assert_string_equal(
		s, "counter                         tcp             rdma\n"
		   "accepted                          3                1\n"
		   "bytes_in                    1048576                7\n"
		   "rdma_reads                        - "
		   "18446744073709551615\n");
	free(s);
}

static void test_print_json(void **state)
{
	int rc;
	char *s = print(reply_two, true, &rc);

	assert_int_equal(rc, 0);
	assert_string_equal(s, "{\"tcp\":{\"accepted\":3,\"bytes_in\":1048576},"
			       "\"rdma\":{\"accepted\":1,\"bytes_in\":7,"
			       "\"rdma_reads\":18446744073709551615}}\n");
	free(s);
	s = print("end\n", true, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "{}\n");
	free(s);
}

static void test_print_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"error unknown request\n",
		"ok\n",
		"tcp.accepted 3\n", /* no end */
		"tcp.accepted 3\nend\nmore\n",
		"tcp.accepted 3\nend", /* end without newline */
		"tcp.accepted\nend\n",
		"tcp.accepted \nend\n",
		"tcp.accepted -1\nend\n",
		"tcp.accepted 1x\nend\n",
		"tcp.accepted 18446744073709551616\nend\n",
		"tcpaccepted 3\nend\n",
		".accepted 3\nend\n",
		"tcp. 3\nend\n",
		"TCP.accepted 3\nend\n",
		"t\"cp.accepted 3\nend\n",
		"tcp.a.b 3\nend\n",
		"tcp.accepted  3\nend\n",
		"tcp.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1\nend\n",
	};
	char many[64 * 16];
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *s = print(bad[i], false, &rc);

		assert_int_equal(rc, -EPROTO);
		assert_string_equal(s, ""); /* nothing printed */
		free(s);
	}
	/* More transports than a table holds. */
	for (int i = 0; i < 12; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
				      "t%d.accepted 1\n", i);
	snprintf(many + n, sizeof(many) - n, "end\n");
	free(print(many, true, &rc));
	assert_int_equal(rc, -EPROTO);
}

/* ---- the socket ------------------------------------------------------------ */

struct fixture {
	char *dir;
	char *path;
	struct smbd_control *c;
};

static struct fixture fx;

static int sock_setup(void **state)
{
	setup(state);
	fx.dir = test_mkdtemp();
	fx.path = test_path(fx.dir, "ctl.sock");
	assert_int_equal(smbd_control_listen(fx.path, &fx.c), 0);
	smbd_control_set_timeout(fx.c, 300);
	assert_int_equal(smbd_control_serve(fx.c, &rec_actions), 0);
	return 0;
}

static int sock_teardown(void **state)
{
	smbd_control_close(fx.c);
	fx.c = NULL;
	/* The socket file went with the server. */
	assert_int_equal(access(fx.path, F_OK), -1);
	free(fx.path);
	test_rmdir(fx.dir);
	return 0;
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Everything until EOF (or 3 s), NUL-terminated. */
static size_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 3000) <= 0)
			break;
		n = recv(fd, buf + len, size - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

static void test_socket_mode(void **state)
{
	struct stat st;

	assert_int_equal(lstat(fx.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_string_equal(smbd_control_path(fx.c), fx.path);
}

static void test_socket_requests(void **state)
{
	char *reply;

	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_WRITES, 42);
	assert_int_equal(smbd_control_request(fx.path, "stats", 3000, &reply),
			 0);
	assert_non_null(strstr(reply, "\nrdma.rdma_writes 42\n"));
	assert_int_equal(strncmp(reply, "tcp.accepted ", 13), 0);
	assert_string_equal(reply + strlen(reply) - 4, "end\n");
	free(reply);
	assert_int_equal(
		smbd_control_request(fx.path, "debug info", 3000, &reply), 0);
	assert_string_equal(reply, "ok\n");
	free(reply);
	assert_int_equal(rec.level, SMB_LOG_INFO);
	assert_int_equal(
		smbd_control_request(fx.path, "nonsense", 3000, &reply), 0);
	assert_string_equal(reply, "error unknown request\n");
	free(reply);
	/* The client refuses to send what the server would refuse anyway. */
	{
		char big[SMBD_CONTROL_LINE_MAX + 2];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(smbd_control_request(fx.path, big, 3000,
						      &reply),
				 -EMSGSIZE);
		assert_null(reply);
	}
}

/* Several requests in one write are answered in order. */
static void test_socket_pipelined(void **state)
{
	static const char req[] = "debug warn\r\nstats\ndebug error\n";
	char buf[SMBD_CONTROL_REPLY_MAX * 2];
	int fd = raw_connect(fx.path);

	assert_int_equal(send(fd, req, sizeof(req) - 1, 0), sizeof(req) - 1);
	shutdown(fd, SHUT_WR);
	read_all(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(strncmp(buf, "ok\ntcp.accepted ", 16), 0);
	assert_string_equal(buf + strlen(buf) - 7, "end\nok\n");
	assert_int_equal(rec.levels_set, 2);
	assert_int_equal(rec.level, SMB_LOG_ERR);
}

/* Garbage: one error line, then the server closes; later lines ignored. */
static void test_socket_garbage(void **state)
{
	static const char req[] = "\x16\x03\x01\x02\x00\nstats\n";
	char buf[256];
	int fd = raw_connect(fx.path);

	assert_int_equal(send(fd, req, sizeof(req) - 1, 0), sizeof(req) - 1);
	read_all(fd, buf, sizeof(buf));
	close(fd);
	assert_string_equal(buf, "error bad character in request\n");
}

/* A line that never ends: refused once the buffer is full. */
static void test_socket_overlong(void **state)
{
	char line[4096], buf[256];
	int fd = raw_connect(fx.path);

	memset(line, 'x', sizeof(line));
	/* The server may close before taking all: ignore short sends. */
	(void)!send(fd, line, sizeof(line), MSG_NOSIGNAL);
	read_all(fd, buf, sizeof(buf));
	close(fd);
	assert_string_equal(buf, "error request too long\n");
}

/* A client that says nothing is dropped after the timeout (300 ms). */
static void test_socket_silent_client(void **state)
{
	struct timespec t0, t1;
	char buf[64];
	int fd = raw_connect(fx.path);
	char *reply;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(read_all(fd, buf, sizeof(buf)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 250 && ms < 2500);
	/* Meanwhile, and after, others are served. */
	assert_int_equal(smbd_control_request(fx.path, "stats", 3000, &reply),
			 0);
	free(reply);
}

/* Over SMBD_CONTROL_MAX_CLIENTS at once: the extra one is told so. */
static void test_socket_busy(void **state)
{
	int fds[SMBD_CONTROL_MAX_CLIENTS], extra;
	char buf[64];

	smbd_control_close(fx.c);
	assert_int_equal(smbd_control_listen(fx.path, &fx.c), 0);
	assert_int_equal(smbd_control_serve(fx.c, &rec_actions), 0);
	for (int i = 0; i < SMBD_CONTROL_MAX_CLIENTS; i++)
		fds[i] = raw_connect(fx.path);
	extra = raw_connect(fx.path);
	read_all(extra, buf, sizeof(buf));
	assert_string_equal(buf, "error busy\n");
	close(extra);
	for (int i = 0; i < SMBD_CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_socket_shutdown(void **state)
{
	char *reply;

	assert_int_equal(
		smbd_control_request(fx.path, "shutdown", 3000, &reply), 0);
	assert_string_equal(reply, "ok\n");
	free(reply);
	/* The reply went out first; the action follows at once. */
	for (int i = 0;
	     i < 200 && !__atomic_load_n(&rec.shutdowns, __ATOMIC_SEQ_CST); i++)
		usleep(10000);
	assert_int_equal(__atomic_load_n(&rec.shutdowns, __ATOMIC_SEQ_CST), 1);
}

static void test_socket_second_server_refused(void **state)
{
	struct smbd_control *other = (void *)1;

	assert_int_equal(smbd_control_listen(fx.path, &other), -EADDRINUSE);
	assert_null(other);
	/* The live server still works. */
	test_socket_requests(state);
}

/* Not root and not the server's user: refused by credentials alone. */
static void test_socket_other_user_refused(void **state)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		skip();
	/* Open the file system side, so only SO_PEERCRED stands in the way. */
	assert_int_equal(chmod(fx.dir, 0755), 0);
	assert_int_equal(chmod(fx.path, 0666), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *reply = NULL;
		int r;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		r = smbd_control_request(fx.path, "shutdown", 3000, &reply);
		_exit(r						 ? 11 :
		      strcmp(reply, "error permission denied\n") ? 12 :
								   0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(rec.shutdowns, 0);
}

/* ---- listening edge cases --------------------------------------------- */

static void test_listen_paths(void **state)
{
	char *dir = test_mkdtemp(), *path, *reply = NULL, *sub, *rel;
	struct smbd_control *c;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cwd[4096], longp[200];
	struct stat st;
	int fd;

	/* No server: ENOENT; a socket nobody listens on: ECONNREFUSED. */
	path = test_path(dir, "stale.sock");
	assert_int_equal(smbd_control_request(path, "stats", 1000, &reply),
			 -ENOENT);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(smbd_control_request(path, "stats", 1000, &reply),
			 -ECONNREFUSED);
	/* The stale one is replaced. */
	assert_int_equal(smbd_control_listen(path, &c), 0);
	assert_int_equal(smbd_control_serve(c, &rec_actions), 0);
	assert_int_equal(smbd_control_request(path, "stats", 1000, &reply), 0);
	free(reply);
	smbd_control_close(c);
	assert_int_equal(lstat(path, &st), -1);
	free(path);

	/* A file that is not a socket is left alone. */
	path = test_path(dir, "file");
	test_write(path, "x", 1);
	assert_int_equal(smbd_control_listen(path, &c), -EEXIST);
	assert_int_equal(lstat(path, &st), 0);
	unlink(path);
	free(path);

	/* The socket's own directory is made (0700), not its parents. */
	sub = test_path(dir, "run");
	path = test_path(sub, "ctl.sock");
	assert_int_equal(smbd_control_listen(path, &c), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	smbd_control_close(c);
	rmdir(sub);
	free(path);
	path = test_path(sub, "deeper/ctl.sock");
	assert_int_equal(smbd_control_listen(path, &c), -ENOENT);
	free(path);
	free(sub);

	/* Relative paths become absolute. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(smbd_control_listen("rel.sock", &c), 0);
	assert_int_equal(chdir(cwd), 0);
	rel = test_path(dir, "rel.sock");
	assert_string_equal(smbd_control_path(c), rel);
	smbd_control_close(c); /* never served: closes all the same */
	assert_int_equal(lstat(rel, &st), -1);
	free(rel);

	/* Longer than sun_path. */
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(smbd_control_listen(longp, &c), -ENAMETOOLONG);
	assert_int_equal(smbd_control_request(longp, "stats", 100, &reply),
			 -ENAMETOOLONG);
	assert_int_equal(smbd_control_listen("", &c), -EINVAL);
	smbd_control_close(NULL);
	test_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_stats_request, setup),
		cmocka_unit_test_setup(test_debug_levels, setup),
		cmocka_unit_test_setup(test_debug_bad, setup),
		cmocka_unit_test_setup(test_debug_default_action, setup),
		cmocka_unit_test_setup(test_shutdown_request, setup),
		cmocka_unit_test_setup(test_garbage, setup),
		cmocka_unit_test_setup(test_line_length_limit, setup),
		cmocka_unit_test_setup(test_small_output_buffer, setup),
		cmocka_unit_test_setup(test_parse_level_and_peer, setup),
		cmocka_unit_test_setup(test_print_table, setup),
		cmocka_unit_test_setup(test_print_json, setup),
		cmocka_unit_test_setup(test_print_malformed, setup),
		cmocka_unit_test_setup_teardown(test_socket_mode, sock_setup,
						sock_teardown),
		cmocka_unit_test_setup_teardown(test_socket_requests,
						sock_setup, sock_teardown),
		cmocka_unit_test_setup_teardown(test_socket_pipelined,
						sock_setup, sock_teardown),
		cmocka_unit_test_setup_teardown(test_socket_garbage, sock_setup,
						sock_teardown),
		cmocka_unit_test_setup_teardown(test_socket_overlong,
						sock_setup, sock_teardown),
		cmocka_unit_test_setup_teardown(test_socket_silent_client,
						sock_setup, sock_teardown),
		cmocka_unit_test_setup_teardown(test_socket_busy, sock_setup,
						sock_teardown),
		cmocka_unit_test_setup_teardown(test_socket_shutdown,
						sock_setup, sock_teardown),
		cmocka_unit_test_setup_teardown(
			test_socket_second_server_refused, sock_setup,
			sock_teardown),
		cmocka_unit_test_setup_teardown(test_socket_other_user_refused,
						sock_setup, sock_teardown),
		cmocka_unit_test(test_listen_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
