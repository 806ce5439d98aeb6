/* SPDX-License-Identifier: GPL-2.0-only */
/* Route lookup. IPv4: DIR-24-8 (at most two array loads, whatever the
 * table size). IPv6: the kernel's LPM trie. */
#ifndef XFWD_BPF_LPM_H
#define XFWD_BPF_LPM_H

#include <linux/in6.h>
#include <bpf/bpf_endian.h>
#include "maps.h"

/* Entry idx of a table stored XFWD_LPM_LINE entries to a map value. */
static __always_inline __u32 lpm_entry(void *map, __u32 idx)
{
	__u32 line = idx / XFWD_LPM_LINE;
	struct xfwd_lpm_line *l = bpf_map_lookup_elem(map, &line);

	return l ? l->e[idx % XFWD_LPM_LINE] : 0;
}

/* Returns the table entry for daddr; XFWD_LPM_VALID clear = no route. */
static __always_inline __u32 lpm4_lookup(__be32 daddr)
{
	__u32 ip = bpf_ntohl(daddr);
	__u32 v = lpm_entry(&xfwd_tbl24, ip >> 8);

	if (!(v & XFWD_LPM_EXT))
		return v;
	return lpm_entry(&xfwd_tbl8, (v & XFWD_LPM_TARGET_MASK) * XFWD_TBL8_GROUP_SIZE + (ip & 0xff));
}

/* The group id of the longest route for daddr of at most *len bits, or 0
 * (never a valid group) if none; *len becomes the route's length. */
static __always_inline __u32 lpm6_lookup_len(const struct in6_addr *daddr, __u32 *len)
{
	struct xfwd_route_key6 key = { .prefixlen = *len };
	struct xfwd_route *r;

	__builtin_memcpy(key.addr, daddr, sizeof(key.addr));
	r = bpf_map_lookup_elem(&xfwd_routes6, &key);
	if (!r)
		return 0;
	*len = r->prefixlen;
	return r->group;
}

static __always_inline __u32 lpm6_lookup(const struct in6_addr *daddr)
{
	__u32 len = 128;

	return lpm6_lookup_len(daddr, &len);
}

#endif
