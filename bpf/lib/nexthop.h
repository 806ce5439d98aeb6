/* SPDX-License-Identifier: GPL-2.0-only */
/* From a next-hop group to a transmitted frame. */
#ifndef XFWD_BPF_NEXTHOP_H
#define XFWD_BPF_NEXTHOP_H

#include "maps.h"
#include "parse.h"
#include "stats.h"
#include "../../maps/xfwd_hash.h"

/* The fields of a flow the ECMP hash reads (see maps/xfwd_hash.h). */
struct flow {
	__u32 saddr; /* IPv6: XOR of the four words */
	__u32 daddr;
	__u32 ports; /* 0 for fragments and port-less protocols: 3-tuple */
	__u8 proto;
};

/* barrier_var (libbpf) keeps clang from folding the bounds mask into the
 * arithmetic before it: the 6.1 verifier cannot bound
 * `((u64)hash * n) >> 30 & 0x3c`, only a masked 32-bit index. */
static __always_inline __u32 member_at(struct xfwd_group_set *s, __u32 i)
{
	barrier_var(i);
	return s->members[i & (XFWD_ECMP_MAX - 1)];
}

static __always_inline struct xfwd_nh *nh_get(__u32 id)
{
	return bpf_map_lookup_elem(&xfwd_nexthops, &id);
}

/* A group's active member set, NULL when the group is free or broken. */
static __always_inline struct xfwd_group_set *group_set(__u32 gid)
{
	struct xfwd_group *g = bpf_map_lookup_elem(&xfwd_groups, &gid);
	struct xfwd_group_set *s;

	if (!g)
		return NULL;
	s = &g->set[g->active & 1];
	return s->count && s->count <= XFWD_ECMP_MAX ? s : NULL;
}

/* Slow path, taken only when the bucket's member is dead: probe from the
 * shared start (maps/xfwd_hash.h) for the first live member that is not
 * drained, else the first live drained one. Each dead step continues:
 * the verifier sees 16 paths. A global function (it reads the group
 * again: a set flipped meanwhile is as good as the one before), so those
 * paths are checked once, not for every state of every caller. */
__noinline __u32 group_pick_live(__u32 gid, __u32 hash)
{
	struct xfwd_group_set *s = group_set(gid);
	__u32 i, n, step, fallback = 0;

	if (!s)
		return 0;
	n = s->count & (2 * XFWD_ECMP_MAX - 1);
	i = xfwd_probe_start(hash, n);
	for (step = 0; step < XFWD_ECMP_MAX && step < n; step++) {
		__u32 id = member_at(s, i);
		struct xfwd_nh *nh = nh_get(id);

		if (nh && !(nh->flags & XFWD_NH_F_DEAD)) {
			if (!(s->drained & (1u << (i & (XFWD_ECMP_MAX - 1)))))
				return id;
			if (!fallback)
				fallback = id;
		}
		i = (i + 1 == n) ? 0 : i + 1;
	}
	return fallback;
}

/*
 * Choose the group member for this flow: its next-hop id, or 0 with
 * *reason set when the group is unusable. An id, not the entry: IPv6
 * may try a covering route's group next, and a scalar lets the verifier
 * join both ways into one state (nexthops is an array: a second lookup
 * is a few instructions).
 */
static __always_inline __u32 group_pick(__u32 gid, struct flow *f, __u32 *reason)
{
	struct xfwd_group_set *s = group_set(gid);
	struct xfwd_nh *nh;
	__u32 n, hash = 0, id, first = 0;

	*reason = XFWD_R_DROP_INTERNAL;
	if (!s)
		return 0;
	n = s->count & (2 * XFWD_ECMP_MAX - 1);
	/* Single-member groups (most routes) never pay for the hash. */
	if (n > 1) {
		hash = xfwd_flow_hash(f->saddr, f->daddr, f->ports, f->proto);
		first = s->bucket[xfwd_bucket(hash)];
	}
	id = member_at(s, first);
	nh = nh_get(id);
	if (nh && !(nh->flags & XFWD_NH_F_DEAD))
		return id;
	*reason = XFWD_R_PASS_ALL_DEAD;
	return group_pick_live(gid, hash);
}

/*
 * Next hop id (0: none, *reason already set) → next hop to transmit on.
 * Kinds other than direct end here with a verdict reason. Returns NULL
 * with *reason set when not transmitting.
 */
static __always_inline struct xfwd_nh *nh_resolve(__u32 id, __u32 *reason)
{
	struct xfwd_nh *nh;

	if (!id)
		return NULL;
	nh = nh_get(id);
	if (!nh) {
		*reason = XFWD_R_DROP_INTERNAL;
		return NULL;
	}
	switch (nh->kind) {
	case XFWD_NH_DIRECT:
	case XFWD_NH_TUNNEL:
		return nh;
	case XFWD_NH_LOCAL:
		*reason = XFWD_R_PASS_LOCAL;
		break;
	case XFWD_NH_KERNEL:
		*reason = XFWD_R_PASS_KERNEL_ROUTE;
		break;
	case XFWD_NH_BLACKHOLE:
		*reason = XFWD_R_DROP_BLACKHOLE;
		break;
	default:
		*reason = XFWD_R_DROP_INTERNAL;
	}
	return NULL;
}

static __always_inline struct xfwd_nh *route_resolve(__u32 gid, struct flow *f,
						     __u32 *reason)
{
	return nh_resolve(group_pick(gid, f, reason), reason);
}

#define VLAN_VID_MASK 0x0fff
#define VLAN_PRIO_MASK 0xf000 /* PCP and DEI */

/* Write a fresh Ethernet header at data: the next hop's MACs, and its
 * 802.1Q tag (if any) with the priority bits prio. */
static __always_inline int l2_write(void *data, void *data_end, const struct xfwd_l2 *l2,
				    __u16 proto, __u16 prio)
{
	if (l2->vlan) {
		struct vlan_ethhdr *v = data;

		if ((void *)(v + 1) > data_end)
			return -1;
		__builtin_memcpy(v->h_dest, l2->dmac, ETH_ALEN);
		__builtin_memcpy(v->h_source, l2->smac, ETH_ALEN);
		v->h_vlan_proto = bpf_htons(ETH_P_8021Q);
		v->h_vlan_TCI = bpf_htons((prio & VLAN_PRIO_MASK) | (l2->vlan & VLAN_VID_MASK));
		v->h_vlan_encapsulated_proto = bpf_htons(proto);
		return 0;
	}
	struct ethhdr *e = data;

	if ((void *)(e + 1) > data_end)
		return -1;
	__builtin_memcpy(e->h_dest, l2->dmac, ETH_ALEN);
	__builtin_memcpy(e->h_source, l2->smac, ETH_ALEN);
	e->h_proto = bpf_htons(proto);
	return 0;
}

/* Rewrite the L2 header for the next hop: MACs, and push, pop or rewrite
 * the 802.1Q tag so the frame leaves on the right VLAN. Keeps PCP/DEI. */
static __always_inline int l2_rewrite(struct xdp_md *ctx, struct xfwd_l2 *l2,
				      struct pkt *p)
{
	int delta = 0;

	if (p->tagged && !l2->vlan)
		delta = (int)sizeof(struct vlan_hdr);
	else if (!p->tagged && l2->vlan)
		delta = -(int)sizeof(struct vlan_hdr);
	if (delta && bpf_xdp_adjust_head(ctx, delta))
		return -1;
	/* adjust_head invalidates every packet pointer: reload and check. */
	return l2_write((void *)(long)ctx->data, (void *)(long)ctx->data_end, l2, p->proto, p->tci);
}

/*
 * Decide how a direct next hop transmits, before anything is rewritten:
 * unresolved MAC, too large, or an egress without xfwd all go to the
 * kernel untouched. Returns the XDP action, or -1 with *reason set.
 */
static __always_inline int nh_tx_action(struct xdp_md *ctx, struct xfwd_nh *nh,
					struct pkt *p, __u32 *reason)
{
	long act;

	if (!(nh->flags & XFWD_NH_F_NEIGH)) {
		*reason = XFWD_R_PASS_NO_NEIGH;
		return -1;
	}
	if (p->l3_len > nh->mtu) {
		*reason = XFWD_R_PASS_MTU;
		return -1;
	}
	if (nh->ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	/* The redirect only takes effect when the program returns, so the
	 * frame can still be rewritten after this; a device missing from the
	 * devmap returns the fallback (XDP_PASS) instead. */
	act = bpf_redirect_map(&xfwd_tx_ports, nh->ifindex, XDP_PASS);
	if (act != XDP_REDIRECT) {
		*reason = XFWD_R_PASS_NOT_ATTACHED;
		return -1;
	}
	return XDP_REDIRECT;
}

/* Final step for a direct next hop, after the L3 header was updated. */
static __always_inline int nh_transmit(struct xdp_md *ctx, struct xfwd_nh *nh,
				       struct pkt *p, int act)
{
	struct xfwd_l2 *l2 = &nh->l2[nh->active & 1];

	if (l2_rewrite(ctx, l2, p))
		return DROP(ctx, DROP_INTERNAL);
	if (act == XDP_TX)
		return xfwd_verdict(ctx, XFWD_R_FWD_TX, XDP_TX);
	return xfwd_verdict(ctx, XFWD_R_FWD_REDIRECT, XDP_REDIRECT);
}

#endif
