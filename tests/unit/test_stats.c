// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "platform.h"
#include "stats.h"
#include "tcp_posix.h"

static int reset(void **state)
{
	smbd_stats_reset();
	return 0;
}

static void test_add_and_get(void **state)
{
	struct smbd_transport_stats t, r;

	smbd_stats_inc(SMB_TRANSPORT_TCP, SMBD_STAT_ACCEPTED);
	smbd_stats_inc(SMB_TRANSPORT_TCP, SMBD_STAT_ACCEPTED);
	smbd_stats_inc(SMB_TRANSPORT_TCP, SMBD_STAT_ACCEPTED);
	smbd_stats_inc(SMB_TRANSPORT_TCP, SMBD_STAT_CLOSED);
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_BYTES_IN, 1000);
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_BYTES_IN, 24);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_READ_BYTES,
		       (u64)1 << 40);
	smbd_stats_inc(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_READS);
	smbd_stats_get(SMB_TRANSPORT_TCP, &t);
	smbd_stats_get(SMB_TRANSPORT_RDMA, &r);
	assert_int_equal(t.v[SMBD_STAT_ACCEPTED], 3);
	assert_int_equal(t.v[SMBD_STAT_CLOSED], 1);
	assert_int_equal(t.active, 2);
	assert_int_equal(t.v[SMBD_STAT_BYTES_IN], 1024);
	assert_int_equal(t.v[SMBD_STAT_RDMA_READ_BYTES], 0);
	/* The transports are separate. */
	assert_int_equal(r.v[SMBD_STAT_ACCEPTED], 0);
	assert_int_equal(r.v[SMBD_STAT_RDMA_READS], 1);
	assert_true(r.v[SMBD_STAT_RDMA_READ_BYTES] == (u64)1 << 40);
	assert_int_equal(r.active, 0);
}

static void test_unknown_kind_and_counter_ignored(void **state)
{
	struct smbd_transport_stats t;

	smbd_stats_inc((enum smb_transport_kind)0, SMBD_STAT_ACCEPTED);
	smbd_stats_inc((enum smb_transport_kind)99, SMBD_STAT_ACCEPTED);
	smbd_stats_inc(SMB_TRANSPORT_TCP, SMBD_STAT_COUNT);
	smbd_stats_inc(SMB_TRANSPORT_TCP, (enum smbd_stat) - 1);
	smbd_stats_get((enum smb_transport_kind)99, &t);
	assert_int_equal(t.active, 0);
	for (int s = 0; s < SMBD_STAT_COUNT; s++)
		assert_int_equal(t.v[s], 0);
	for (int i = 0; i < SMBD_STATS_TRANSPORTS; i++) {
		smbd_stats_get(smbd_stats_transport_kind(i), &t);
		for (int s = 0; s < SMBD_STAT_COUNT; s++)
			assert_int_equal(t.v[s], 0);
	}
	assert_string_equal(smbd_stat_key(SMBD_STAT_COUNT), "?");
	assert_string_equal(smbd_stats_transport_name(0), "?");
}

/* More closes than accepts (a racy snapshot) never shows as huge. */
static void test_active_never_wraps(void **state)
{
	struct smbd_transport_stats t;

	smbd_stats_inc(SMB_TRANSPORT_RDMA, SMBD_STAT_CLOSED);
	smbd_stats_get(SMB_TRANSPORT_RDMA, &t);
	assert_int_equal(t.active, 0);
}

static void test_applies(void **state)
{
	assert_true(smbd_stat_applies(SMB_TRANSPORT_TCP, SMBD_STAT_BYTES_IN));
	assert_true(smbd_stat_applies(SMB_TRANSPORT_TCP, SMBD_STAT_ERRORS));
	assert_false(
		smbd_stat_applies(SMB_TRANSPORT_TCP, SMBD_STAT_RDMA_WRITES));
	assert_false(
		smbd_stat_applies(SMB_TRANSPORT_TCP, SMBD_STAT_CREDIT_STALLS));
	assert_true(
		smbd_stat_applies(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_WRITES));
	assert_true(
		smbd_stat_applies(SMB_TRANSPORT_RDMA, SMBD_STAT_CREDIT_STALLS));
	assert_false(smbd_stat_applies(SMB_TRANSPORT_RDMA, SMBD_STAT_COUNT));
	assert_false(smbd_stat_applies((enum smb_transport_kind)7,
				       SMBD_STAT_BYTES_IN));
}

static const char want_format[] = "tcp.accepted 2\n"
				  "tcp.active 1\n"
				  "tcp.closed 1\n"
				  "tcp.refused 4\n"
				  "tcp.errors 5\n"
				  "tcp.bytes_in 100\n"
				  "tcp.bytes_out 200\n"
				  "tcp.pdus_in 3\n"
				  "tcp.pdus_out 3\n"
				  "rdma.accepted 0\n"
				  "rdma.active 0\n"
				  "rdma.closed 0\n"
				  "rdma.refused 0\n"
				  "rdma.errors 0\n"
				  "rdma.bytes_in 0\n"
				  "rdma.bytes_out 0\n"
				  "rdma.pdus_in 0\n"
				  "rdma.pdus_out 0\n"
				  "rdma.rdma_reads 7\n"
				  "rdma.rdma_read_bytes 0\n"
				  "rdma.rdma_writes 0\n"
				  "rdma.rdma_write_bytes 18446744073709551615\n"
				  "rdma.credit_stalls 9\n";

static void fill_known(void)
{
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_ACCEPTED, 2);
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_CLOSED, 1);
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_REFUSED, 4);
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_ERRORS, 5);
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_BYTES_IN, 100);
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_BYTES_OUT, 200);
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_PDUS_IN, 3);
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_PDUS_OUT, 3);
	/* Counted for TCP but not reported: RDMA reads make no sense there. */
	smbd_stats_add(SMB_TRANSPORT_TCP, SMBD_STAT_RDMA_READS, 1);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_READS, 7);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_RDMA_WRITE_BYTES,
		       UINT64_MAX);
	smbd_stats_add(SMB_TRANSPORT_RDMA, SMBD_STAT_CREDIT_STALLS, 9);
}

static void test_format_exact(void **state)
{
	char buf[4096];
	size_t n;

	fill_known();
	n = smbd_stats_format(buf, sizeof(buf));
	assert_int_equal(n, strlen(want_format));
	assert_string_equal(buf, want_format);
}

/* Too small a buffer: truncated, NUL-terminated, the full size returned. */
static void test_format_truncated(void **state)
{
	size_t full = strlen(want_format);
	char small[40];

	fill_known();
	memset(small, 'x', sizeof(small));
	assert_int_equal(smbd_stats_format(small, sizeof(small)), full);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, want_format, sizeof(small) - 1);
	assert_int_equal(smbd_stats_format(NULL, 0), full);
	small[0] = 'x';
	assert_int_equal(smbd_stats_format(small, 1), full);
	assert_int_equal(small[0], '\0');
}

#define THREADS 4
#define PER_THREAD 100000

static void *hammer(void *arg)
{
	enum smb_transport_kind kind = (enum smb_transport_kind)(intptr_t)arg;

	for (int i = 0; i < PER_THREAD; i++) {
		smbd_stats_inc(kind, SMBD_STAT_PDUS_IN);
		smbd_stats_add(kind, SMBD_STAT_BYTES_IN, 3);
	}
	return NULL;
}

/* No update is lost when threads add at once. */
static void test_concurrent_adds(void **state)
{
	pthread_t th[THREADS];
	struct smbd_transport_stats t;

	for (int i = 0; i < THREADS; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, hammer,
				       (void *)(intptr_t)SMB_TRANSPORT_TCP),
			0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	smbd_stats_get(SMB_TRANSPORT_TCP, &t);
	assert_int_equal(t.v[SMBD_STAT_PDUS_IN], THREADS * PER_THREAD);
	assert_int_equal(t.v[SMBD_STAT_BYTES_IN], 3 * THREADS * PER_THREAD);
}

/* The TCP backend counts each PDU and its framed bytes, both ways. */
static void test_tcp_backend_counts(void **state)
{
	u8 payload[100] = { 0xfe, 'S', 'M', 'B' };
	struct smb_iov iov = { payload, sizeof(payload) };
	struct smbd_transport_stats t;
	struct smb_tconn *a, *b;
	int sv[2];
	u8 *pdu;
	size_t len;
	int r;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(smb_tcp_conn_from_fd(sv[0], NULL, &a), 0);
	assert_int_equal(smb_tcp_conn_from_fd(sv[1], NULL, &b), 0);
	assert_int_equal(smb_tcp_ops.send_pdu(a, &iov, 1), 0);
	assert_int_equal(smb_tcp_ops.send_pdu(a, &iov, 1), 0);
	for (int got = 0; got < 2;) {
		r = smb_tcp_recv_owned(b, &pdu, &len);
		assert_true(r >= 0);
		if (r == 1) {
			assert_int_equal(len, sizeof(payload));
			smb_tcp_pdu_free(pdu);
			got++;
		}
	}
	smbd_stats_get(SMB_TRANSPORT_TCP, &t);
	assert_int_equal(t.v[SMBD_STAT_PDUS_OUT], 2);
	assert_int_equal(t.v[SMBD_STAT_PDUS_IN], 2);
	assert_int_equal(t.v[SMBD_STAT_BYTES_OUT], 2 * (4 + sizeof(payload)));
	assert_int_equal(t.v[SMBD_STAT_BYTES_IN], 2 * (4 + sizeof(payload)));
	assert_int_equal(t.v[SMBD_STAT_ERRORS], 0);
	smb_tcp_conn_free(a);
	smb_tcp_conn_free(b);
	/* Nothing was counted for SMB Direct. */
	smbd_stats_get(SMB_TRANSPORT_RDMA, &t);
	assert_int_equal(t.v[SMBD_STAT_BYTES_IN] + t.v[SMBD_STAT_PDUS_OUT], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_and_get, reset),
		cmocka_unit_test_setup(test_unknown_kind_and_counter_ignored,
				       reset),
		cmocka_unit_test_setup(test_active_never_wraps, reset),
		cmocka_unit_test_setup(test_applies, reset),
		cmocka_unit_test_setup(test_format_exact, reset),
		cmocka_unit_test_setup(test_format_truncated, reset),
		cmocka_unit_test_setup(test_concurrent_adds, reset),
		cmocka_unit_test_setup(test_tcp_backend_counts, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
