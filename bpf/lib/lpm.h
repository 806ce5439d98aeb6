/* SPDX-License-Identifier: GPL-2.0-only */
/* Route lookup. IPv4: DIR-24-8 (at most two array loads, whatever the
 * table size). IPv6: the kernel's LPM trie. */
#ifndef XFWD_BPF_LPM_H
#define XFWD_BPF_LPM_H

#include <linux/in6.h>
#include <bpf/bpf_endian.h>
#include "maps.h"

/* Returns the table entry for daddr; XFWD_LPM_VALID clear = no route. */
static __always_inline __u32 lpm4_lookup(__be32 daddr)
{
	__u32 ip = bpf_ntohl(daddr);
	__u32 idx = ip >> 8;
	__u32 *e = bpf_map_lookup_elem(&xfwd_tbl24, &idx);
	__u32 v;

	if (!e)
		return 0;
	v = *e;
	if (!(v & XFWD_LPM_EXT))
		return v;
	idx = (v & XFWD_LPM_TARGET_MASK) * XFWD_TBL8_GROUP_SIZE + (ip & 0xff);
	e = bpf_map_lookup_elem(&xfwd_tbl8, &idx);
	return e ? *e : 0;
}

/* Returns the group id for daddr, or 0 (never a valid group) if none. */
static __always_inline __u32 lpm6_lookup(const struct in6_addr *daddr)
{
	struct xfwd_route_key6 key = { .prefixlen = 128 };
	struct xfwd_route *r;

	__builtin_memcpy(key.addr, daddr, sizeof(key.addr));
	r = bpf_map_lookup_elem(&xfwd_routes6, &key);
	return r ? r->group : 0;
}

#endif
