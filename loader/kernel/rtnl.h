/* SPDX-License-Identifier: GPL-2.0-only */
/* What xfwd asks the kernel over rtnetlink (libmnl): links, neighbours,
 * local addresses. */
#ifndef XFWD_RTNL_H
#define XFWD_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kio.h"
#include "mirror.h"
#include "prefix.h"

struct nlmsghdr;
typedef int (*rtnl_cb)(const struct nlmsghdr *nlh, void *data);
/* Send one request on a netlink socket of protocol proto (NETLINK_ROUTE,
 * NETLINK_XFRM); feed every answer to cb (may be NULL). 0 or -errno (the
 * kernel's error for the request itself). */
int nl_request(int proto, struct nlmsghdr *nlh, rtnl_cb cb, void *data);
/* The same with strict checking: the kernel filters a dump by the
 * request's fields. */
int nl_request_strict(int proto, struct nlmsghdr *nlh, rtnl_cb cb, void *data);
struct mnl_socket;
/* Accept datagrams from the kernel only: a bound netlink socket takes
 * unicasts from any process of the namespace, which could otherwise
 * forge route or link messages. 0 or -1 (errno). */
int nl_connect_kernel(struct mnl_socket *nl);
/* The kernel's text for the last request it refused on this thread
 * (extended ack), "" if it gave none. */
const char *nl_ack_msg(void);
/* nl_request on NETLINK_ROUTE. */
int rtnl_request(struct nlmsghdr *nlh, rtnl_cb cb, void *data);
/* The same for a large dump: the kernel's side runs on a second thread
 * while cb runs on the caller's. */
int rtnl_dump(struct nlmsghdr *nlh, rtnl_cb cb, void *data);

/* 0, or -ENODEV when there is no such device. */
int rtnl_link_get(uint32_t ifindex, struct link_info *li);
int rtnl_link_by_name(const char *name, struct link_info *li);
/* The resolved MAC of a neighbour: 0, or -ENOENT if not (yet) known. */
int rtnl_neigh_mac(const struct xaddr *a, uint32_t ifindex, uint8_t mac[6]);
/* Ask the kernel to resolve the neighbour and keep it resolved without
 * traffic (a "managed" entry, Linux >= 5.16): XDP-forwarded packets never
 * refresh the kernel's neighbour state themselves. */
int rtnl_neigh_manage(const struct xaddr *a, uint32_t ifindex);
/* The kernel's route to dst: output device and gateway (dst itself when
 * on-link). 0, or -ENETUNREACH. */
int rtnl_route_get(const struct xaddr *dst, uint32_t *oif, struct xaddr *gw);
/* The first IPv4 and the first global IPv6 address of a device (zero
 * when it has none): the source of ICMP errors xfwd sends from it. */
int rtnl_iface_addrs(uint32_t ifindex, uint8_t addr4[4], uint8_t addr6[16]);
/* Add address/len to a device (an address already there is fine). */
int rtnl_addr_add(uint32_t ifindex, const struct xaddr *a, unsigned int len);
/* Set (add or replace), add only if new (-EEXIST if the kernel has a
 * route for the prefix), or delete the kernel route prefix dev ifindex in
 * the main table, protocol XFWD_RTPROT: the route that sends what XDP
 * passes up for an ipsec tunnel into its xfrm interface. */
int rtnl_route_dev(enum route_dev_op op, const struct xprefix *p, uint32_t ifindex);
/* Each route of protocol XFWD_RTPROT at metric 0 in the main table
 * (xfwd's routes into xfrm interfaces): cb(prefix, its device, data).
 * One dump, filtered in the kernel. 0 or -errno. */
int rtnl_route_dev_each(route_dev_cb cb, void *data);
/* A route of a kernel table as route show names it: its first next hop
 * and how many it has. */
struct kroute {
	struct xprefix p;
	uint32_t metric;
	struct xaddr gw; /* family 0: none (a device route, or not unicast) */
	uint32_t oif;
	int nvia;
};
/* The unicast and blackhole routes of kernel table `table` (no tos or
 * source selector), sorted by prefix and then metric: one dump. */
int rtnl_table_routes(uint32_t table, struct kroute **out, size_t *n);
/* Every address configured on this host (this network namespace). */
int rtnl_local_addrs(struct xaddr **out, size_t *n);

#endif
