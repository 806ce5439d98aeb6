/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AWS Gateway Load Balancer's bump in the wire (docs/gwlb.md). GWLB sends
 * each packet to the appliance in GENEVE over IPv4 with its options (the
 * endpoint and attachment ids, the flow cookie) and wants it back with
 * the options unchanged and the outer addresses swapped. So the packet is
 * never decapsulated: its inner packet is read where it lies, held
 * against the gwlb tunnel's filters, and the frame goes back out of the
 * port it came in by with the MACs and outer IPv4 addresses swapped —
 * the IPv4 and UDP checksums hold as they are (a swap changes no sum).
 */
#ifndef XFWD_BPF_GWLB_H
#define XFWD_BPF_GWLB_H

#include <linux/udp.h>

#include "filter.h"
#include "stats.h"
#include "tunnel_hdr.h"

/* Where the inner packet's IP and L4 headers are (at), or -1 when the
 * GENEVE header or the inner IP header is not whole or not IP. */
static __always_inline int gwlb_inner(void *data, void *data_end, void *l4, __u32 l4_off,
				      __u32 end, struct filter_at *at)
{
	struct udphdr *u = l4;
	__u8 *g = l4 + sizeof(*u), *in;
	__u32 opts, hl;
	__u16 proto;

	if ((void *)(g + 8) > data_end || (g[0] >> 6) || (g[1] & GENEVE_F_OAM))
		return -1;
	if ((__u32)bpf_ntohs(u->len) + l4_off != end) /* scalars: end is not bounded */
		return -1;
	proto = (__u16)(g[2] << 8 | g[3]);
	opts = (g[0] & 0x3fu) * 4;
	in = g + 8 + opts;
	if (proto == ETH_P_IP) {
		if ((void *)(in + 20) > data_end || (in[0] >> 4) != 4 || (in[0] & 0xf) < 5)
			return -1;
		hl = (in[0] & 0xfu) * 4;
	} else if (proto == ETH_P_IPV6) {
		if ((void *)(in + 40) > data_end || (in[0] >> 4) != 6)
			return -1;
		hl = 40;
	} else {
		return -1;
	}
	at->l3_off = (__u32)((void *)in - data);
	at->l4_off = at->l3_off + hl;
	at->v4 = proto == ETH_P_IP;
	at->bytes = end > at->l3_off ? end - at->l3_off : 0;
	return 0;
}

/* The frame back to the load balancer: MACs and outer addresses swapped. */
static __always_inline int gwlb_swap(struct xdp_md *ctx, __u32 ip_off)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *e = data;
	struct iphdr *o = data + (ip_off & 0x7f);

	if ((void *)(e + 1) > data_end || (void *)(o + 1) > data_end)
		return -1;
	swap_macs(e);
	swap32(&o->saddr, &o->daddr);
	return 0;
}

/* A GENEVE packet to a gwlb tunnel's local address (its IPv4 outer header
 * at ip_off): returned, or dropped and counted. A global function,
 * verified once (inlined in the decapsulation path its parse was walked
 * under every state of that path: +130k instructions). Its frame is in
 * the deepest call chain, whose stack 6.1 adds up to at most 512 bytes
 * (docs/verifier-budget.md): the lookup's key and the filter's facts
 * share their stack, and the tunnel's counters are keyed by the facts'
 * own tunnel id. */
__noinline int gwlb_return(struct xdp_md *ctx, __u32 ip_off)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *o = data + (ip_off & 0x7f);
	union {
		struct xfwd_tunnel_key k;
		struct filter_at at;
	} u;
	__u32 l4_off, tid, end, *id;

	if ((void *)(o + 1) > data_end)
		return DROP(ctx, DROP_INTERNAL);
	end = (ip_off & 0x7f) + bpf_ntohs(o->tot_len);
	__builtin_memset(&u.k, 0, sizeof(u.k));
	u.k.type = XFWD_TUN_GENEVE;
	u.k.family = 2; /* AF_INET */
	__builtin_memcpy(u.k.local, &o->daddr, 4);
	id = bpf_map_lookup_elem(&xfwd_tunnel_peers, &u.k);
	if (!id || *id == XFWD_TUNNEL_ENDPOINT)
		return DROP(ctx, DROP_TUNNEL_PEER);
	tid = *id;
	__builtin_memset(&u.at, 0, sizeof(u.at));
	u.at.in_tunnel = tid;
	u.at.in_port = ctx->ingress_ifindex;
	u.at.out_kind = XFWD_NH_TUNNEL;
	u.at.out_tunnel = tid;
	l4_off = (ip_off & 0x7f) + (o->ihl & 0xfu) * 4;
	if (gwlb_inner(data, data_end, data + l4_off, l4_off, end, &u.at))
		return DROP(ctx, DROP_TUNNEL_MALFORMED);
	tunnel_count_at(&u.at.in_tunnel, u.at.bytes, 0);
	if (filter_packet(ctx, &u.at)) /* none bound: two lookups and back */
		return DROP(ctx, DROP_FILTER);
	if (gwlb_swap(ctx, ip_off))
		return DROP(ctx, DROP_INTERNAL);
	tunnel_count_at(&u.at.in_tunnel, u.at.bytes, 1);
	return xfwd_verdict(ctx, XFWD_R_FWD_GWLB, XDP_TX);
}

#endif
