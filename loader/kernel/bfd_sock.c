// SPDX-License-Identifier: GPL-2.0-only
/* BFD's UDP sockets (docs/bfd.md). */
#include "bfd_sock.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bfd.h"

static int opt(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

static int bound(uint32_t local, uint16_t port, bool rx)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = local, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP), err;

	if (fd < 0)
		return -errno;
	/* FREEBIND: the tunnel's inner address may come after the daemon. */
	if (opt(fd, SOL_IP, IP_FREEBIND, 1) || opt(fd, SOL_IP, IP_TTL, 255) || (rx && opt(fd, SOL_IP, IP_RECVTTL, 1)) ||
	    (rx && opt(fd, SOL_IP, IP_PKTINFO, 1)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int bfd_sock_listen(uint32_t local, bool multihop)
{
	return bound(local, multihop ? BFD_MH_PORT : BFD_PORT, true);
}

int bfd_sock_sender(uint32_t local)
{
	int fd = -EADDRINUSE;

	for (uint32_t port = 49152; port <= 65535 && fd == -EADDRINUSE; port++)
		fd = bound(local, (uint16_t)port, false);
	return fd;
}

int bfd_sock_send(int fd, uint32_t dst, bool multihop, const void *p, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = dst,
				 .sin_port = htons(multihop ? BFD_MH_PORT : BFD_PORT) };

	return sendto(fd, p, len, 0, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
}

ssize_t bfd_sock_recv(int fd, void *p, size_t len, uint32_t *src, uint32_t *dst, int *ttl)
{
	struct sockaddr_in from;
	char cbuf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct iovec iov = { p, len };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(fd, &m, 0);

	if (n < 0)
		return n;
	*src = from.sin_addr.s_addr;
	*dst = 0;
	*ttl = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_TTL)
			memcpy(ttl, CMSG_DATA(c), sizeof(*ttl));
		else if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO)
			*dst = ((struct in_pktinfo *)(void *)CMSG_DATA(c))->ipi_addr.s_addr;
	}
	return n;
}
