/* SPDX-License-Identifier: GPL-2.0-only */
/* BFD's UDP sockets (RFC 5881 single hop, 5883 multihop; docs/bfd.md):
 * the daemon's BFD thread (daemon/bfd.c) sends and receives through
 * these. Addresses are IPv4, in network order. */
#ifndef XFWD_BFD_SOCK_H
#define XFWD_BFD_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The receiving socket of a local address: port 3784 (4784 multihop),
 * bound even before the address exists (it may come with the tunnel's
 * device); the arriving TTL and destination are read with each packet.
 * Returns the fd or -errno. */
int bfd_sock_listen(uint32_t local, bool multihop);
/* A session's sending socket: from local, a source port of 49152-65535
 * (RFC 5881 4), TTL 255. Returns the fd or -errno. */
int bfd_sock_sender(uint32_t local);
int bfd_sock_send(int fd, uint32_t dst, bool multihop, const void *p, size_t len);
/* One datagram: its length (-1 with errno, EAGAIN when none), source,
 * destination and TTL. */
ssize_t bfd_sock_recv(int fd, void *p, size_t len, uint32_t *src, uint32_t *dst, int *ttl);
#endif
