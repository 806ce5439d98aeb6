/* SPDX-License-Identifier: GPL-2.0-only */
/* Encapsulation toward a tunnel next hop: GRE, IP-in-IP, VXLAN, GENEVE. */
#ifndef XFWD_BPF_ENCAP_H
#define XFWD_BPF_ENCAP_H

#include <linux/udp.h>

#include "bounds.h"
#include "csum.h"
#include "nexthop.h"
#include "tunnel_hdr.h"

/* Outer IPv4: DF set (as the kernel's tunnels with pmtudisc), TOS copied
 * from the inner packet: DSCP, and ECN in RFC 6040 normal mode. */
static __always_inline int outer4(struct iphdr *o, void *data_end,
				  const struct xfwd_tunnel *t, __u8 tos,
				  __u16 len, __u8 proto)
{
	__be32 src, dst;

	if ((void *)(o + 1) > data_end)
		return -1;
	__builtin_memcpy(&src, t->local, 4);
	__builtin_memcpy(&dst, t->remote, 4);
	ipv4_fill(o, tos, len, t->ttl, proto, src, dst, bpf_htons(0x4000));
	return 0;
}

static __always_inline int outer6(struct ipv6hdr *o, void *data_end,
				  const struct xfwd_tunnel *t, __u8 tos,
				  __u16 payload, __u8 proto)
{
	if ((void *)(o + 1) > data_end)
		return -1;
	ipv6_fill(o, tos, payload, t->ttl, proto, t->local, t->remote);
	return 0;
}

/* UDP, VXLAN or GENEVE, and the inner Ethernet header if any. The UDP
 * source port comes from the flow hash, so RSS and ECMP downstream spread
 * flows. The checksum is left zero (RFC 7348 and 8926 allow it over IPv4;
 * udp6_csum fills it over IPv6). */
static __always_inline int udp_tunnel_write(void *at, void *data_end,
					    const struct xfwd_tunnel *t,
					    const struct xfwd_l2 *l2, __u16 inner,
					    __u32 udp_len, __u32 hash)
{
	struct udphdr *u = at;
	struct udp_tun_hdr *h = (void *)(u + 1);
	struct ethhdr *e = (void *)(h + 1);
	int vxlan = t->type == XFWD_TUN_VXLAN;

	if ((void *)(h + 1) > data_end)
		return -1;
	u->source = bpf_htons(0xc000 | (hash & 0x3fff));
	u->dest = bpf_htons(vxlan ? XFWD_VXLAN_PORT : XFWD_GENEVE_PORT);
	u->len = bpf_htons(udp_len);
	u->check = 0;
	h->word0 = bpf_htonl(vxlan ? VXLAN_F_VNI : xfwd_tunnel_inner_eth(t) ? ETH_P_TEB : inner);
	h->vni = bpf_htonl(t->key << 8);
	if (!xfwd_tunnel_inner_eth(t))
		return 0;
	if ((void *)(e + 1) > data_end)
		return -1;
	__builtin_memcpy(e->h_dest, t->peer_mac, ETH_ALEN);
	__builtin_memcpy(e->h_source, l2->smac, ETH_ALEN);
	e->h_proto = bpf_htons(inner);
	return 0;
}

/*
 * The UDP checksum over IPv6, which RFC 6935/6936 let tunnels leave zero
 * only where the receiver opted in; the kernel's vxlan and geneve devices
 * drop such packets by default. A global function: the verifier checks
 * its loops once, not once per path into tunnel_encap.
 */
__noinline int udp6_csum(struct xdp_md *ctx, __u32 l3_off)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + (l3_off & L2_LEN_BOUND);
	struct udphdr *u = (void *)(ip6 + 1);
	__u16 check;

	if ((void *)(u + 1) > data_end)
		return -1;
	/* Pseudo header: both addresses, length, next header. */
	check = ~csum_fold64(csum_len(u, bpf_ntohs(u->len), data_end,
				      sum16(&ip6->saddr, 16) + u->len + bpf_htons(IPPROTO_UDP)));
	u->check = check ? check : 0xffff;
	return 0;
}

/* The outer protocol number for a tunnel and inner packet. */
static __always_inline __u8 outer_proto(const struct xfwd_tunnel *t, __u16 inner)
{
	if (xfwd_tunnel_udp(t))
		return IPPROTO_UDP;
	if (t->type == XFWD_TUN_GRE)
		return IPPROTO_GRE;
	return inner == ETH_P_IP ? IPPROTO_IPIP : IPPROTO_IPV6;
}

/*
 * Encapsulate the (already TTL-decremented) inner packet for a tunnel
 * next hop and transmit it: new L2 to the underlay hop, outer IP, GRE.
 * The inner packet stays where it is; headers are pushed in front.
 */
static __noinline int tunnel_encap(struct xdp_md *ctx, struct xfwd_nh *nh,
				   struct pkt *p, int act)
{
	__u32 tid = nh->tunnel;
	struct xfwd_tunnel *t = bpf_map_lookup_elem(&xfwd_tunnels, &tid);
	struct xfwd_l2 *l2 = &nh->l2[nh->active & 1];
	__u32 l2_new, ip_len, hdr_len, inner_len = p->l3_len;
	void *data, *data_end;
	int delta;

	if (!t || !t->type)
		return DROP(ctx, DROP_INTERNAL);
	l2_new = l2->vlan ? sizeof(struct vlan_ethhdr) : sizeof(struct ethhdr);
	ip_len = t->family == 10 /* AF_INET6 */ ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	hdr_len = xfwd_tunnel_hdr_len(t) & TUN_HDR_BOUND;
	delta = (int)(p->tagged ? sizeof(struct vlan_ethhdr) : sizeof(struct ethhdr)) -
		(int)(l2_new + ip_len + hdr_len);
	if (bpf_xdp_adjust_head(ctx, delta))
		return DROP(ctx, DROP_INTERNAL);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (l2_write(data, data_end, l2, ip_len == 20 ? ETH_P_IP : ETH_P_IPV6, 0))
		return DROP(ctx, DROP_INTERNAL);
	data += l2_new & L2_LEN_BOUND;
	if (ip_len == 20 ? outer4(data, data_end, t, p->tos, inner_len + 20 + hdr_len,
				  outer_proto(t, p->proto))
			 : outer6(data, data_end, t, p->tos, inner_len + hdr_len,
				  outer_proto(t, p->proto)))
		return DROP(ctx, DROP_INTERNAL);
	if (xfwd_tunnel_udp(t)) {
		if (udp_tunnel_write(data + (ip_len & IP_LEN_BOUND), data_end, t, l2, p->proto,
				     inner_len + hdr_len, p->hash))
			return DROP(ctx, DROP_INTERNAL);
		if (ip_len == 40 && udp6_csum(ctx, l2_new))
			return DROP(ctx, DROP_INTERNAL);
		data_end = (void *)(long)ctx->data_end;
	} else if (hdr_len) {
		struct gre_base *g = data + (ip_len & IP_LEN_BOUND);
		__be32 *key = (void *)(g + 1);

		if ((void *)(key + 1) > data_end)
			return DROP(ctx, DROP_INTERNAL);
		g->flags = bpf_htons(hdr_len == 8 ? GRE_F_KEY : 0);
		g->proto = bpf_htons(p->proto);
		if (hdr_len == 8)
			*key = bpf_htonl(t->key);
	}
	tunnel_count(tid, (__u64)(data_end - (void *)(long)ctx->data), 1);
	if (p->probe)
		return xfwd_verdict(ctx, XFWD_R_FWD_PROBE, act);
	if (act == XDP_TX)
		return xfwd_verdict(ctx, XFWD_R_FWD_TX, XDP_TX);
	return xfwd_verdict(ctx, XFWD_R_FWD_REDIRECT, XDP_REDIRECT);
}

#endif
