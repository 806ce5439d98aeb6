/* SPDX-License-Identifier: GPL-2.0-only */
/* What a route forwards to, as the control plane names it (pure). */
#ifndef XFWD_NHKEY_H
#define XFWD_NHKEY_H

#include <stdint.h>

#include "prefix.h"

/* What identifies a next hop: two routes via the same gateway and device
 * share one entry (and one MAC update). */
struct nh_key {
	uint8_t kind;
	struct xaddr gw;
	uint32_t oif;    /* the device named in the route */
	uint32_t tunnel; /* XFWD_NH_TUNNEL: tunnel id (gw, oif: underlay) */
	/* Its share in the route's group, not part of its identity: */
	uint8_t hops;    /* weight - 1 (the kernel's rtnh_hops): 0 is weight 1 */
	uint8_t drained; /* weight 0: no flow unless every other is dead */
};

#endif
