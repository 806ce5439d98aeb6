/* SPDX-License-Identifier: GPL-2.0-only */
/* Routes and neighbours, as rtnetlink sends them (pure:
 * parsing only; the daemon applies them, loader/daemon/follow.c). */
#ifndef XFWD_MIRROR_H
#define XFWD_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include "prefix.h"
#include "maps/xfwd_abi.h"

struct nlmsghdr;

struct mroute {
	struct xprefix prefix;
	uint32_t table;
	uint32_t metric; /* RTA_PRIORITY */
	uint32_t sel;    /* 0, or what else tells it apart: tos (IPv4), a source prefix (IPv6) */
	uint8_t type;    /* RTN_* */
	uint8_t kind;    /* XFWD_NH_DIRECT (vias), _BLACKHOLE or _KERNEL */
	bool onlink;     /* a gateway the kernel takes as on the link whatever its subnet */
	int nvia;
	struct {
		struct xaddr gw; /* family 0: no gateway (a device route) */
		uint32_t oif;
		uint8_t hops; /* weight - 1 (rtnh_hops) */
	} via[XFWD_ECMP_MAX];
};

enum { MIRROR_SKIP = 1 }; /* not a route xfwd mirrors (local, cloned, ...) */

/* An RTM_NEWROUTE or RTM_DELROUTE message: 0, MIRROR_SKIP, or -EBADMSG. */
int mirror_parse(const struct nlmsghdr *nlh, struct mroute *m);

/* A neighbour message: who, and its MAC if usable (valid). 0, or -1 when
 * it is not an IPv4/IPv6 neighbour. */
struct neigh_event {
	uint32_t ifindex;
	struct xaddr addr;
	uint8_t mac[6];
	bool valid;
};
int rtnl_neigh_parse(const struct nlmsghdr *nlh, struct neigh_event *e);

#endif
