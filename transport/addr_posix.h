/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * addr_posix.h - listen address lists shared by the TCP and RDMA
 * listeners (userspace).
 */
#ifndef SMB_ADDR_POSIX_H
#define SMB_ADDR_POSIX_H

#include <sys/socket.h>

#include "../core/compat.h"

/* Longest text smb_sockaddr_name() writes, with its NUL. */
#define SMB_ADDR_NAME_LEN 80

/* "ip:port", or "[ip]:port" for IPv6. */
void smb_sockaddr_name(const struct sockaddr *sa, char *out, size_t size);

typedef int (*smb_addr_fn)(void *ctx, const struct sockaddr *sa,
			   socklen_t salen);

/*
 * Call fn with port set for every address in addresses: IPv4/IPv6
 * literals ("0.0.0.0", "::1", "[fe80::1%eth0]") or interface names (every
 * address of the interface), separated by spaces or commas.  Stops at the
 * first error of fn.  who prefixes error messages ("tcp").  Returns 0, a
 * negative errno, or -ENOENT when the list is empty (fn never called).
 */
int smb_addr_list_foreach(const char *addresses, u16 port, const char *who,
			  smb_addr_fn fn, void *ctx);

#endif /* SMB_ADDR_POSIX_H */
