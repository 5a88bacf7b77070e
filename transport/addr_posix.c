// SPDX-License-Identifier: GPL-2.0-or-later
/* addr_posix.c - listen address lists (literals and interface names). */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>

#include "platform.h"
#include "addr_posix.h"

void smb_sockaddr_name(const struct sockaddr *sa, char *out, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(out, size, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(out, size, "%s:%u", ip, ntohs(s4->sin_port));
	} else {
		snprintf(out, size, "?");
	}
}

/* Every IPv4/IPv6 address of interface ifname. */
static int foreach_interface(const char *ifname, u16 port, const char *who,
			     smb_addr_fn fn, void *ctx)
{
	struct ifaddrs *ifs, *i;
	int found = 0, r = 0;

	if (getifaddrs(&ifs))
		return -errno;
	for (i = ifs; i && r == 0; i = i->ifa_next) {
		struct sockaddr_storage ss;
		socklen_t salen;

		if (!i->ifa_addr || strcmp(i->ifa_name, ifname))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			salen = sizeof(struct sockaddr_in);
			memcpy(&ss, i->ifa_addr, salen);
			((struct sockaddr_in *)&ss)->sin_port = htons(port);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			salen = sizeof(struct sockaddr_in6);
			memcpy(&ss, i->ifa_addr, salen);
			s6->sin6_port = htons(port);
			if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
				s6->sin6_scope_id = if_nametoindex(ifname);
		} else {
			continue;
		}
		found++;
		r = fn(ctx, (struct sockaddr *)&ss, salen);
	}
	freeifaddrs(ifs);
	if (r == 0 && !found) {
		smb_err("%s: '%s' is neither an address nor an interface "
			"with addresses",
			who, ifname);
		r = -ENODEV;
	}
	return r;
}

static int foreach_token(const char *tok, u16 port, const char *who,
			 smb_addr_fn fn, void *ctx)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	char host[SMB_ADDR_NAME_LEN], serv[8];
	size_t n = strlen(tok);
	int r = 0;

	/* "[v6addr]" is accepted as well as a bare IPv6 literal. */
	if (n >= 2 && tok[0] == '[' && tok[n - 1] == ']') {
		tok++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, tok, n);
	host[n] = '\0';
	snprintf(serv, sizeof(serv), "%u", port);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host, serv, &hints, &res))
		return foreach_interface(host, port, who, fn, ctx);
	for (ai = res; ai && r == 0; ai = ai->ai_next)
		r = fn(ctx, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	return r;
}

int smb_addr_list_foreach(const char *addresses, u16 port, const char *who,
			  smb_addr_fn fn, void *ctx)
{
	static const char seps[] = " ,\t\r\n";
	const char *p = addresses ? addresses : "";
	int r = 0;

	p += strspn(p, seps);
	if (!*p)
		return -ENOENT;
	while (*p && r == 0) {
		size_t n = strcspn(p, seps);
		char tok[SMB_ADDR_NAME_LEN];

		if (n >= sizeof(tok))
			return -EINVAL;
		memcpy(tok, p, n);
		tok[n] = '\0';
		r = foreach_token(tok, port, who, fn, ctx);
		p += n;
		p += strspn(p, seps);
	}
	return r;
}
