// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SMB Direct transport without a device: what can run on a host with
 * no RDMA hardware (and no soft-RoCE).  The transfers themselves are
 * tested in the VM (tests/vm/scenarios/cifs-rdma).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>

#include "platform.h"
#include "rdma_posix.h"
#include "server.h"

static int skip_with_devices(void)
{
	if (smb_rdma_have_devices()) {
		print_message(
			"an RDMA device exists: no-device cases skipped\n");
		return 1;
	}
	return 0;
}

static void test_listen_without_device(void **state)
{
	struct smb_rdma_listener *l[4] = { NULL, NULL, NULL, NULL };

	if (skip_with_devices()) {
		skip();
		return;
	}
	/* Refused cleanly, whatever the address list, nothing left open. */
	assert_int_equal(smb_rdma_listen(NULL, SMB_RDMA_DEFAULT_PORT, NULL, l,
					 4),
			 -ENODEV);
	assert_int_equal(smb_rdma_listen("127.0.0.1 ::1", 0, NULL, l, 4),
			 -ENODEV);
	assert_int_equal(smb_rdma_listen("lo", 5445, NULL, l, 1), -ENODEV);
	for (int i = 0; i < 4; i++)
		assert_null(l[i]);
}

static void test_listen_bad_arguments(void **state)
{
	struct smb_rdma_listener *l = NULL;

	assert_int_equal(smb_rdma_listen(NULL, 5445, NULL, &l, 0), -EINVAL);
	assert_int_equal(smb_rdma_listen(NULL, 5445, NULL, &l, -1), -EINVAL);
	assert_null(l);
	smb_rdma_listener_close(NULL);
	smb_rdma_conn_free(NULL);
}

static void test_ops_table(void **state)
{
	/* The core needs every hook, RDMA ones included, on this transport. */
	assert_string_equal(smb_rdma_ops.name, "rdma");
	assert_int_equal(smb_rdma_ops.kind, SMB_TRANSPORT_RDMA);
	assert_non_null(smb_rdma_ops.accept);
	assert_non_null(smb_rdma_ops.recv_pdu);
	assert_non_null(smb_rdma_ops.send_pdu);
	assert_non_null(smb_rdma_ops.rdma_read);
	assert_non_null(smb_rdma_ops.rdma_write);
	assert_non_null(smb_rdma_ops.disconnect);
	assert_non_null(smb_rdma_ops.get_limits);
	assert_non_null(smb_rdma_ops.peer_name);
	/* The server services RDMA connections even while they are paused. */
	assert_ptr_equal(smbd_rdma_transport.ops, &smb_rdma_ops);
	assert_non_null(smbd_rdma_transport.service);
	assert_null(smbd_tcp_transport.service);
}

static void test_stats_start_at_zero(void **state)
{
	struct smb_rdma_stats st;

	memset(&st, 0xff, sizeof(st));
	smb_rdma_get_stats(&st);
	assert_int_equal(st.accepted, 0);
	assert_int_equal(st.rdma_reads, 0);
	assert_int_equal(st.rdma_writes, 0);
	assert_int_equal(st.rdma_read_bytes, 0);
	assert_int_equal(st.rdma_write_bytes, 0);
	assert_int_equal(st.rw_bounced, 0);
	assert_int_equal(st.rw_failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_without_device),
		cmocka_unit_test(test_listen_bad_arguments),
		cmocka_unit_test(test_ops_table),
		cmocka_unit_test(test_stats_start_at_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
