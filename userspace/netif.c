// SPDX-License-Identifier: GPL-2.0-or-later
/* netif.c - local interfaces for FSCTL_QUERY_NETWORK_INTERFACE_INFO. */
#include "platform.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "netif.h"

#define ARPHRD_INFINIBAND_TYPE 32 /* class/net/IF/type of IPoIB */

static const char *sysfs(const char *root)
{
	return root && root[0] ? root : "/sys";
}

/* snprintf into a path buffer; false when it does not fit. */
static bool __attribute__((format(printf, 2, 3)))
mkpath(char (*out)[PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*out, sizeof(*out), fmt, ap);
	va_end(ap);
	return n >= 0 && n < (int)sizeof(*out);
}

/* A name that is safe as one path component. */
static bool plain_name(const char *name)
{
	return name[0] && name[0] != '.' && !strchr(name, '/') &&
	       strlen(name) < NAME_MAX;
}

/* The first line of a small file, without the newline; false if none. */
static bool read_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(out, (int)size, f) != NULL;
	fclose(f);
	if (ok)
		out[strcspn(out, "\n")] = '\0';
	return ok;
}

/* A whole decimal number from a sysfs attribute. */
static bool read_long(const char *path, long *out)
{
	char buf[32], *end;

	if (!read_line(path, buf, sizeof(buf)))
		return false;
	errno = 0;
	*out = strtol(buf, &end, 10);
	return !errno && end != buf && !*end;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Calls fn for every entry of dir not starting with '.', until it says stop. */
typedef bool (*dir_fn)(void *ctx, const char *dir, const char *name);

static bool any_entry(const char *dir, dir_fn fn, void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		if (de->d_name[0] != '.')
			found = fn(ctx, dir, de->d_name);
	closedir(d);
	return found;
}

static bool file_names(void *ifname, const char *dir, const char *name)
{
	char path[PATH_MAX], line[IF_NAMESIZE + 2];

	return mkpath(&path, "%s/%s", dir, name) &&
	       read_line(path, line, sizeof(line)) && !strcmp(line, ifname);
}

/* A port whose GID table has an entry on ifname (RoCE, rxe). */
static bool port_has_ndev(void *ifname, const char *dir, const char *port)
{
	char path[PATH_MAX];

	return mkpath(&path, "%s/%s/gid_attrs/ndevs", dir, port) &&
	       any_entry(path, file_names, ifname);
}

static bool rdma_dev_on(void *ifname, const char *dir, const char *dev)
{
	char path[PATH_MAX], line[IF_NAMESIZE + 2];

	/* Soft devices (rxe, siw) name their netdev in "parent". */
	if (mkpath(&path, "%s/%s/parent", dir, dev) &&
	    read_line(path, line, sizeof(line)) && !strcmp(line, ifname))
		return true;
	return mkpath(&path, "%s/%s/ports", dir, dev) &&
	       any_entry(path, port_has_ndev, ifname);
}

bool smbd_netif_rdma_bound(const char *sysfs_root, const char *ifname)
{
	const char *root = sysfs(sysfs_root);
	char path[PATH_MAX];
	long type;

	if (!plain_name(ifname))
		return false;
	if (mkpath(&path, "%s/class/net/%s/type", root, ifname) &&
	    read_long(path, &type) && type == ARPHRD_INFINIBAND_TYPE)
		return true;
	if (mkpath(&path, "%s/class/net/%s/device/infiniband", root, ifname) &&
	    is_dir(path))
		return true;
	return mkpath(&path, "%s/class/infiniband", root) &&
	       any_entry(path, rdma_dev_on, (void *)ifname);
}

u64 smbd_netif_link_speed(const char *sysfs_root, const char *ifname)
{
	char path[PATH_MAX];
	long mbps;

	if (!plain_name(ifname))
		return SMBD_NETIF_DEFAULT_SPEED;
	if (!mkpath(&path, "%s/class/net/%s/speed", sysfs(sysfs_root),
		    ifname) ||
	    !read_long(path, &mbps) || mbps <= 0)
		return SMBD_NETIF_DEFAULT_SPEED;
	return (u64)mbps * 1000000ull;
}

static bool count_rx_queue(void *count, const char *dir, const char *name)
{
	if (!strncmp(name, "rx-", 3))
		++*(int *)count;
	return false;
}

static bool rss_capable(const char *root, const char *ifname)
{
	char path[PATH_MAX];
	int rx = 0;

	if (mkpath(&path, "%s/class/net/%s/queues", root, ifname))
		any_entry(path, count_rx_queue, &rx);
	return rx > 1;
}

static u32 if_index_of(const char *root, const char *ifname)
{
	char path[PATH_MAX];
	long idx;

	if (mkpath(&path, "%s/class/net/%s/ifindex", root, ifname) &&
	    read_long(path, &idx) && idx > 0 && idx <= (long)UINT32_MAX)
		return (u32)idx;
	return if_nametoindex(ifname);
}

/* An address literal, "[v6]" and "%zone" allowed; false if not one. */
static bool parse_literal(const char *tok, size_t len, int *family, u8 addr[16])
{
	char buf[INET6_ADDRSTRLEN + 8];

	if (len >= 2 && tok[0] == '[' && tok[len - 1] == ']') {
		tok++;
		len -= 2;
	}
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	buf[strcspn(buf, "%")] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*family = AF_INET6;
	else
		return false;
	return true;
}

static bool token_matches(const char *tok, size_t len, const char *ifname,
			  const char *base, int family, const u8 *addr)
{
	static const u8 any[16] = { 0 };
	size_t alen = family == AF_INET ? 4 : 16;
	u8 want[16];
	int wfamily;

	if ((strlen(ifname) == len && !strncmp(tok, ifname, len)) ||
	    (strlen(base) == len && !strncmp(tok, base, len)))
		return true;
	if (!parse_literal(tok, len, &wfamily, want) || wfamily != family)
		return false;
	/* The wildcard address listens on, so stands for, all of a family. */
	return !memcmp(want, addr, alen) || !memcmp(want, any, alen);
}

static bool wanted(const char *list, const char *ifname, const char *base,
		   int family, const u8 *addr)
{
	if (!list || !list[0])
		return true;
	for (list += strspn(list, ", \t"); *list;
	     list += strspn(list, ", \t")) {
		size_t len = strcspn(list, ", \t");

		if (token_matches(list, len, ifname, base, family, addr))
			return true;
		list += len;
	}
	return false;
}

/* One entry for ifa, or false when it is not to be reported. */
static bool netif_entry(const struct smbd_netif_config *cfg,
			const struct ifaddrs *ifa, bool loopback,
			struct smb_netif *out)
{
	const char *root = sysfs(cfg->sysfs_root);
	char base[IF_NAMESIZE];
	int family;

	if (!ifa->ifa_addr || !ifa->ifa_name || !(ifa->ifa_flags & IFF_UP) ||
	    !(ifa->ifa_flags & IFF_RUNNING) ||
	    !!(ifa->ifa_flags & IFF_LOOPBACK) != loopback)
		return false;
	memset(out, 0, sizeof(*out));
	family = ifa->ifa_addr->sa_family;
	if (family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ifa->ifa_addr;

		memcpy(out->addr, &sin->sin_addr, 4);
		out->family = SMB_NETIF_INET;
	} else if (family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ifa->ifa_addr;

		if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
			return false;
		memcpy(out->addr, &sin6->sin6_addr, 16);
		out->family = SMB_NETIF_INET6;
	} else {
		return false;
	}
	/* "eth0:1" (an IPv4 label) lives in sysfs as eth0. */
	snprintf(base, sizeof(base), "%.*s", (int)strcspn(ifa->ifa_name, ":"),
		 ifa->ifa_name);
	if (!plain_name(base) ||
	    !wanted(cfg->interfaces, ifa->ifa_name, base, family, out->addr))
		return false;
	out->if_index = if_index_of(root, base);
	if (!out->if_index)
		return false;
	out->link_speed = smbd_netif_link_speed(root, base);
	if (rss_capable(root, base))
		out->capability |= SMB_NETIF_RSS_CAPABLE;
	if (cfg->rdma && smbd_netif_rdma_bound(root, base))
		out->capability |= SMB_NETIF_RDMA_CAPABLE;
	return true;
}

int smbd_netif_from_ifaddrs(const struct smbd_netif_config *cfg,
			    const struct ifaddrs *ifa, struct smb_netif *out,
			    int max)
{
	int n = 0;

	/* Loopback only when nothing else is reported (see netif.h). */
	for (int loopback = 0; loopback < 2 && !n; loopback++)
		for (const struct ifaddrs *p = ifa; p && n < max;
		     p = p->ifa_next)
			if (netif_entry(cfg, p, loopback, &out[n]))
				n++;
	return n;
}

int smbd_netif_list(void *ctx, struct smb_netif *out, int max)
{
	struct ifaddrs *ifa;
	int n;

	if (getifaddrs(&ifa))
		return -errno;
	n = smbd_netif_from_ifaddrs(ctx, ifa, out, max);
	freeifaddrs(ifa);
	return n;
}
