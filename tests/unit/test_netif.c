// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for userspace/netif.c against a fake sysfs tree and ifaddrs list. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "netif.h"
#include "tmpdir.h"

#define GBIT 1000000000ull

/* root/rel with content (NULL: a directory), parents made as needed. */
static void put(const char *root, const char *rel, const char *content)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			abort();
		*p = '/';
	}
	if (!content) {
		if (mkdir(path, 0755) && errno != EEXIST)
			abort();
		return;
	}
	test_write(path, content, strlen(content));
}

static void netdev(const char *root, const char *name, const char *index,
		   const char *speed, const char *type, int rxq)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "class/net/%s/ifindex", name);
	put(root, rel, index);
	if (speed) {
		snprintf(rel, sizeof(rel), "class/net/%s/speed", name);
		put(root, rel, speed);
	}
	snprintf(rel, sizeof(rel), "class/net/%s/type", name);
	put(root, rel, type);
	for (int i = 0; i < rxq; i++) {
		snprintf(rel, sizeof(rel), "class/net/%s/queues/rx-%d", name,
			 i);
		put(root, rel, NULL);
		snprintf(rel, sizeof(rel), "class/net/%s/queues/tx-%d", name,
			 i);
		put(root, rel, NULL);
	}
}

/*
 * eth0: 25 Gb/s, 2 rx queues, an RDMA adapter on its PCI device.  eth1:
 * 1 Gb/s, no RDMA.  veth0: soft-RoCE through the GID table.  veth1: rxe
 * through "parent", speed -1.  ib0: IPoIB.  lo.  A GID entry on "eth10"
 * and an empty one must not mark eth1.
 */
static int setup(void **state)
{
	char *root = test_mkdtemp();

	netdev(root, "lo", "1\n", NULL, "772\n", 1);
	netdev(root, "eth0", "2\n", "25000\n", "1\n", 2);
	put(root, "class/net/eth0/device/infiniband/mlx5_0", NULL);
	netdev(root, "eth1", "3\n", "1000\n", "1\n", 1);
	netdev(root, "veth0", "5\n", "10000\n", "1\n", 1);
	netdev(root, "veth1", "6\n", "-1\n", "1\n", 1);
	netdev(root, "ib0", "7\n", NULL, "32\n", 1);
	put(root, "class/infiniband/rxe0/ports/1/gid_attrs/ndevs/0", "veth0\n");
	put(root, "class/infiniband/rxe0/ports/1/gid_attrs/ndevs/1", "veth0\n");
	put(root, "class/infiniband/rxe0/ports/1/gid_attrs/ndevs/2", "eth10\n");
	put(root, "class/infiniband/rxe0/ports/1/gid_attrs/ndevs/3", "");
	put(root, "class/infiniband/rxe0/parent", "eth10\n");
	put(root, "class/infiniband/rxe1/parent", "veth1\n");
	put(root, "class/infiniband/rxe1/ports/1/gid_attrs/ndevs", NULL);
	*state = root;
	return 0;
}

static int rm_cb(const char *path, const struct stat *sb, int flag,
		 struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	nftw(*state, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

/* ---- a fake getifaddrs() list ----------------------------------------- */
#define UPRUN (IFF_UP | IFF_RUNNING)

struct fake_ifa {
	struct ifaddrs ifa;
	struct sockaddr_storage ss;
};

static struct fake_ifa fakes[16];
static int nfakes;

static void add(const char *name, unsigned int flags, const char *addr)
{
	struct fake_ifa *f = &fakes[nfakes];

	memset(f, 0, sizeof(*f));
	f->ifa.ifa_name = (char *)name;
	f->ifa.ifa_flags = flags;
	if (addr) {
		struct sockaddr_in *sin = (void *)&f->ss;
		struct sockaddr_in6 *sin6 = (void *)&f->ss;

		if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
		} else {
			assert_int_equal(
				inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
			sin6->sin6_family = AF_INET6;
		}
		f->ifa.ifa_addr = (struct sockaddr *)&f->ss;
	}
	if (nfakes)
		fakes[nfakes - 1].ifa.ifa_next = &f->ifa;
	nfakes++;
}

static const struct ifaddrs *host(void)
{
	nfakes = 0;
	add("lo", UPRUN | IFF_LOOPBACK, "127.0.0.1");
	add("lo", UPRUN | IFF_LOOPBACK, "::1");
	add("eth0", UPRUN, "192.0.2.10");
	add("eth0", UPRUN, "2001:db8::10");
	add("eth0", UPRUN, "fe80::1"); /* link-local: left out */
	add("eth0:1", UPRUN, "192.0.2.11");
	add("eth1", IFF_UP, "198.51.100.1"); /* no carrier */
	add("veth0", UPRUN, "10.99.0.1");
	add("veth1", UPRUN, "10.98.0.1");
	add("ib0", UPRUN, "10.100.0.1");
	add("ib0", UPRUN, NULL); /* no address */
	add("nosuch9", UPRUN, "203.0.113.9"); /* no ifindex anywhere */
	fakes[nfakes - 1].ss.ss_family = AF_PACKET;
	add("nosuch9", UPRUN, "203.0.113.9");
	return &fakes[0].ifa;
}

static void check(const struct smb_netif *e, u32 idx, u32 caps, u64 speed,
		  const char *addr)
{
	u8 want[16] = { 0 };

	assert_int_equal(e->if_index, idx);
	assert_int_equal(e->capability, caps);
	assert_true(e->link_speed == speed);
	if (inet_pton(AF_INET, addr, want) == 1) {
		assert_int_equal(e->family, SMB_NETIF_INET);
	} else {
		assert_int_equal(inet_pton(AF_INET6, addr, want), 1);
		assert_int_equal(e->family, SMB_NETIF_INET6);
	}
	assert_memory_equal(e->addr, want, 16);
}

static void test_all_interfaces(void **state)
{
	struct smbd_netif_config cfg = { *state, NULL, true };
	const u32 rss_rdma = SMB_NETIF_RSS_CAPABLE | SMB_NETIF_RDMA_CAPABLE;
	struct smb_netif out[16];
	int n = smbd_netif_from_ifaddrs(&cfg, host(), out, 16);

	assert_int_equal(n, 6);
	check(&out[0], 2, rss_rdma, 25 * GBIT, "192.0.2.10");
	check(&out[1], 2, rss_rdma, 25 * GBIT, "2001:db8::10");
	check(&out[2], 2, rss_rdma, 25 * GBIT, "192.0.2.11");
	check(&out[3], 5, SMB_NETIF_RDMA_CAPABLE, 10 * GBIT, "10.99.0.1");
	check(&out[4], 6, SMB_NETIF_RDMA_CAPABLE, SMBD_NETIF_DEFAULT_SPEED,
	      "10.98.0.1");
	check(&out[5], 7, SMB_NETIF_RDMA_CAPABLE, SMBD_NETIF_DEFAULT_SPEED,
	      "10.100.0.1");
	/* Room for fewer. */
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 2), 2);
	check(&out[1], 2, rss_rdma, 25 * GBIT, "2001:db8::10");
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 0), 0);
}

static void test_no_rdma_listener(void **state)
{
	struct smbd_netif_config cfg = { *state, "", false };
	struct smb_netif out[16];
	int n = smbd_netif_from_ifaddrs(&cfg, host(), out, 16);

	assert_int_equal(n, 6);
	for (int i = 0; i < n; i++)
		assert_int_equal(out[i].capability & SMB_NETIF_RDMA_CAPABLE, 0);
	assert_int_equal(out[0].capability, SMB_NETIF_RSS_CAPABLE);
}

static void test_interfaces_filter(void **state)
{
	struct smbd_netif_config cfg = { *state, NULL, true };
	struct smb_netif out[16];

	cfg.interfaces = "veth0, 192.0.2.11 [2001:db8::10%eth0]";
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 16), 3);
	check(&out[0], 2, 3, 25 * GBIT, "2001:db8::10");
	check(&out[1], 2, 3, 25 * GBIT, "192.0.2.11");
	check(&out[2], 5, SMB_NETIF_RDMA_CAPABLE, 10 * GBIT, "10.99.0.1");
	/* A name covers the interface's labels ("eth0:1") too. */
	cfg.interfaces = "eth0";
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 16), 3);
	check(&out[2], 2, 3, 25 * GBIT, "192.0.2.11");
	/* The wildcard of a family: every address of it. */
	cfg.interfaces = "0.0.0.0";
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 16), 5);
	cfg.interfaces = "::";
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 16), 1);
	check(&out[0], 2, 3, 25 * GBIT, "2001:db8::10");
	/* Unknown names and addresses, a prefix of a name: nothing. */
	cfg.interfaces = "eth 192.0.2.99 eth0:2 [zz]";
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 16), 0);
	/* A down interface stays out even when listed. */
	cfg.interfaces = "eth1";
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 16), 0);
}

static void test_loopback_only(void **state)
{
	struct smbd_netif_config cfg = { *state, "lo", true };
	struct smb_netif out[16];

	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 16), 2);
	check(&out[0], 1, 0, SMBD_NETIF_DEFAULT_SPEED, "127.0.0.1");
	check(&out[1], 1, 0, SMBD_NETIF_DEFAULT_SPEED, "::1");
	cfg.interfaces = "::1";
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 16), 1);
	check(&out[0], 1, 0, SMBD_NETIF_DEFAULT_SPEED, "::1");
	/* With anything else listed, loopback is not reported. */
	cfg.interfaces = "lo veth1";
	assert_int_equal(smbd_netif_from_ifaddrs(&cfg, host(), out, 16), 1);
	check(&out[0], 6, SMB_NETIF_RDMA_CAPABLE, SMBD_NETIF_DEFAULT_SPEED,
	      "10.98.0.1");
}

static void test_rdma_binding_and_speed(void **state)
{
	const char *root = *state;

	assert_true(smbd_netif_rdma_bound(root, "veth0"));
	assert_true(smbd_netif_rdma_bound(root, "veth1"));
	assert_true(smbd_netif_rdma_bound(root, "eth0"));
	assert_true(smbd_netif_rdma_bound(root, "ib0"));
	assert_true(
		smbd_netif_rdma_bound(root, "eth10")); /* no netdev needed */
	assert_false(smbd_netif_rdma_bound(root, "eth1"));
	assert_false(smbd_netif_rdma_bound(root, "eth"));
	assert_false(smbd_netif_rdma_bound(root, "lo"));
	assert_false(smbd_netif_rdma_bound(root, "../net/eth0"));
	assert_false(smbd_netif_rdma_bound(root, ".."));
	assert_false(smbd_netif_rdma_bound(root, ""));
	assert_false(smbd_netif_rdma_bound("/nonexistent-sysfs", "veth0"));

	assert_true(smbd_netif_link_speed(root, "eth0") == 25 * GBIT);
	assert_true(smbd_netif_link_speed(root, "eth1") == GBIT);
	assert_true(smbd_netif_link_speed(root, "veth1") ==
		    SMBD_NETIF_DEFAULT_SPEED);
	assert_true(smbd_netif_link_speed(root, "ib0") ==
		    SMBD_NETIF_DEFAULT_SPEED);
	put(root, "class/net/eth1/speed", "12abc\n");
	assert_true(smbd_netif_link_speed(root, "eth1") ==
		    SMBD_NETIF_DEFAULT_SPEED);
	put(root, "class/net/eth1/speed", "99999999999999999999999\n");
	assert_true(smbd_netif_link_speed(root, "eth1") ==
		    SMBD_NETIF_DEFAULT_SPEED);
	assert_true(smbd_netif_link_speed(root, "../../x") ==
		    SMBD_NETIF_DEFAULT_SPEED);
}

/* The real host: whatever it has, every entry is well formed. */
static void test_host_list(void **state)
{
	struct smbd_netif_config cfg = { NULL, NULL, true };
	struct smb_netif out[64];
	int n = smbd_netif_list(&cfg, out, 64);

	(void)state;
	assert_true(n >= 0 && n <= 64);
	for (int i = 0; i < n; i++) {
		assert_int_not_equal(out[i].if_index, 0);
		assert_true(out[i].family == SMB_NETIF_INET ||
			    out[i].family == SMB_NETIF_INET6);
		assert_true(out[i].link_speed > 0);
		if (out[i].family == SMB_NETIF_INET6)
			assert_false(out[i].addr[0] == 0xfe &&
				     (out[i].addr[1] & 0xc0) == 0x80);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_all_interfaces),		T(test_no_rdma_listener),
		T(test_interfaces_filter),	T(test_loopback_only),
		T(test_rdma_binding_and_speed), T(test_host_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
