/* SPDX-License-Identifier: GPL-2.0-only */
/* Inner-source validation per tunnel (RFC 3704 strict and loose, with
 * RFC 8704's feasible paths: every member of the route's group counts,
 * dead or alive). docs/urpf.md */
#ifndef XFWD_BPF_URPF_H
#define XFWD_BPF_URPF_H

#include "lpm.h"
#include "nexthop.h"

/* Strict: is the tunnel one of the group's members? Loose: does the
 * group forward at all (not a blackhole)? */
static __always_inline int urpf_group_ok(__u32 gid, __u32 tid, __u32 mode)
{
	struct xfwd_group_set *s = group_set(gid);
	struct xfwd_nh *nh;
	__u32 i, n;

	if (!s)
		return 0;
	n = s->count & (2 * XFWD_ECMP_MAX - 1);
	for (i = 0; i < XFWD_ECMP_MAX && i < n; i++) {
		nh = nh_get(member_at(s, i));
		if (!nh)
			return 0;
		if (mode == XFWD_URPF_LOOSE)
			return nh->kind != XFWD_NH_BLACKHOLE;
		if (nh->kind == XFWD_NH_TUNNEL && nh->tunnel == tid)
			return 1;
	}
	return 0;
}

/* in: the tunnel and the inner source (IPv4 v4-mapped) as the allow
 * trie's key. A global function, so the verifier checks it once: as a
 * static subprogram it was checked again for every state decapsulation
 * reaches it in, and the program passed the 1M-instruction limit. */
__noinline int urpf_ok(const struct xfwd_urpf_key *in, __u32 mode, __u32 v4)
{
	struct xfwd_urpf_key k;
	__u32 gid, e;

	if (!in)
		return 0;
	k = *in;
	k.prefixlen = 32 + 128;
	if (bpf_map_lookup_elem(&xfwd_urpf_allow, &k))
		return 1;
	if (v4) {
		e = lpm4_lookup(*(__be32 *)(k.addr + 12));
		gid = (e & XFWD_LPM_VALID) ? e & XFWD_LPM_TARGET_MASK : 0;
	} else {
		gid = lpm6_lookup((const struct in6_addr *)k.addr);
	}
	return gid && urpf_group_ok(gid, k.tunnel, mode);
}

/* The inner packet at `inner` (its IP header checked present by the
 * caller, checked again here for the verifier): may tunnel tid deliver
 * its source? */
static __always_inline int urpf_inner_ok(const struct xfwd_tunnel *t, __u32 tid, void *inner,
					 void *data_end, __u16 proto)
{
	struct xfwd_urpf_key k = { .tunnel = tid };

	if (t->urpf == XFWD_URPF_OFF)
		return 1;
	if (proto == ETH_P_IP) {
		struct iphdr *i = inner;

		if ((void *)(i + 1) > data_end)
			return 0;
		k.addr[10] = 0xff;
		k.addr[11] = 0xff;
		__builtin_memcpy(k.addr + 12, &i->saddr, 4);
	} else {
		struct ipv6hdr *i6 = inner;

		if ((void *)(i6 + 1) > data_end)
			return 0;
		__builtin_memcpy(k.addr, &i6->saddr, 16);
	}
	return urpf_ok(&k, t->urpf, proto == ETH_P_IP);
}

#endif
