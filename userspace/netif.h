/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netif.h - the local interface list for FSCTL_QUERY_NETWORK_INTERFACE_INFO
 * (Linux: getifaddrs() plus sysfs).
 *
 * Reported: every IPv4 and IPv6 address of an interface that is up and
 * running, restricted to the "interfaces" list when one is configured
 * (names or addresses; without "bind interfaces only" the server listens
 * everywhere, so the list still only narrows what is advertised).  Left out:
 * IPv6 link-local addresses (the wire format has no zone, ScopeId is 0) and
 * loopback addresses unless nothing else is left (a remote client told
 * "127.0.0.1" would connect to itself; a server bound only to loopback has
 * only local clients, for whom it is right).
 *
 * Capability: RDMA_CAPABLE only when the server listens for SMB Direct and
 * an RDMA device is bound to the interface: a RoCE GID whose netdev is the
 * interface (sysfs class/infiniband/D/ports/P/gid_attrs/ndevs/I, also soft
 * RoCE rxe on any netdev), a soft device whose "parent" is the interface
 * (rxe, siw), an RDMA device on the interface's own device
 * (class/net/IF/device/infiniband: InfiniBand, iWARP and RoCE adapters) or
 * an IPoIB interface (type 32).  RSS_CAPABLE when the interface has more
 * than one receive queue (class/net/IF/queues/rx-N).
 *
 * LinkSpeed: class/net/IF/speed (Mb/s); when unreadable or unknown (-1,
 * e.g. loopback, down links, some virtual devices)
 * SMBD_NETIF_DEFAULT_SPEED, 1 Gb/s, so clients neither prefer nor avoid
 * such an interface.
 */
#ifndef SMBD_NETIF_H
#define SMBD_NETIF_H

#include <ifaddrs.h>

#include "platform.h"
#include "ops.h"

#define SMBD_NETIF_DEFAULT_SPEED 1000000000ull /* bits/s */

struct smbd_netif_config {
	const char *sysfs_root; /* NULL: "/sys"; tests point it elsewhere */
	/* "interfaces" of ksmbd.conf: names or addresses separated by blanks
	 * or commas; NULL or "" = every interface.
	 */
	const char *interfaces;
	bool rdma; /* the server listens for SMB Direct */
};

/*
 * Build the list from a getifaddrs() result: up to max entries in out.
 * Returns how many (0..max).
 */
int smbd_netif_from_ifaddrs(const struct smbd_netif_config *cfg,
			    const struct ifaddrs *ifa, struct smb_netif *out,
			    int max);

/*
 * getifaddrs() and smbd_netif_from_ifaddrs(); ctx is a
 * const struct smbd_netif_config *.  The smb_netif_ops.list callback:
 *     ops.netif.list = smbd_netif_list; ops.netif.ctx = &netif_cfg;
 * Returns the count, or -errno.
 */
int smbd_netif_list(void *ctx, struct smb_netif *out, int max);

/* Whether an RDMA device is bound to netdev ifname (see above). */
bool smbd_netif_rdma_bound(const char *sysfs_root, const char *ifname);

/* The link speed of ifname in bits/s (the default when unknown). */
u64 smbd_netif_link_speed(const char *sysfs_root, const char *ifname);

#endif
