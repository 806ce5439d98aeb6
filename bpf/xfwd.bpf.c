// SPDX-License-Identifier: GPL-2.0-only
/*
 * xfwd XDP entry point: parse, route, transmit. Everything a packet can
 * meet is decided in the headers under bpf/lib/; every exit is counted once (stats.h).
 */
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/stats.h"
#include "lib/ipv4.h"
#include "lib/ipv6.h"
#include "lib/decap.h"

/* Is the UDP header at l4 addressed to a tunnel port (VXLAN, GENEVE)? */
static __always_inline int udp_tunnel_port(void *l4, void *data_end)
{
	struct udphdr *u = l4;

	if ((void *)(u + 1) > data_end)
		return 0;
	return u->dest == bpf_htons(XFWD_VXLAN_PORT) || u->dest == bpf_htons(XFWD_GENEVE_PORT);
}

/* Could this be a tunnel packet (GRE, IP-in-IP, UDP to a tunnel port;
 * IPv6 also with a destination options header)? Only those pay for the
 * decap check: other UDP (most traffic) stays on the straight path. */
static __always_inline int maybe_tunnel(void *l3, void *data_end, __u16 proto)
{
	__u8 next;

	if (proto == ETH_P_IP) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > data_end)
			return 0;
		next = iph->protocol;
		if (next == IPPROTO_UDP)
			return udp_tunnel_port(l3 + (iph->ihl & 0xf) * 4, data_end);
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		next = ip6->nexthdr;
		if (next == 60)
			return 1;
		if (next == IPPROTO_UDP)
			return udp_tunnel_port(ip6 + 1, data_end);
	} else {
		return 0;
	}
	return next == IPPROTO_GRE || next == IPPROTO_IPIP || next == IPPROTO_IPV6;
}

/* Is this frame addressed to the port's own MAC? A switch floods unicast
 * it has not learned to every port, and a veth, or a NIC in promiscuous
 * mode (tcpdump), hands up frames for other hosts: routing those would
 * duplicate them, and two routers on one segment would multiply them
 * without end. The kernel drops them (PACKET_OTHERHOST); so do we, by
 * passing them to it. A port whose slot is taken by another is not
 * checked (docs/own-mac.md). */
static __always_inline int to_port_mac(struct xdp_md *ctx, void *data, void *data_end)
{
	__u32 slot = ctx->ingress_ifindex % XFWD_PORT_SLOTS;
	struct xfwd_port_mac *m = bpf_map_lookup_elem(&xfwd_port_macs, &slot);
	__u8 *d = data;

	if (!m || m->ifindex != ctx->ingress_ifindex)
		return 1;
	if (d + 6 > (__u8 *)data_end)
		return 0;
	return *(__u32 *)d == *(__u32 *)m->mac && *(__u16 *)(d + 4) == *(__u16 *)(m->mac + 4);
}

/* What the forwarding paths start from: where the IP header is and what
 * the Ethernet header said. */
struct fwd_in {
	__u32 l3_off;
	__u32 tunnel; /* decapsulated from it, 0 = none */
	__u16 proto;
	__u16 tci;
	__u8 tagged;
	__u8 pad[3];
};

/* Route and transmit the IP packet at l3_off. A global function: the
 * verifier checks the forwarding paths once, with the header's offset
 * unknown (14 or 18), instead of again for each way the main program
 * reaches them (tagged or not, decapsulated or not): 190k instructions
 * processed instead of 840k here, and on the 6.1 kernel the difference
 * between passing its 1M limit and not. The header pointer is laundered
 * (barrier_var) so that clang keeps the one the parsers bounded instead
 * of deriving it again from data + offset, which the verifier cannot
 * bound. */
__noinline int xfwd_forward(struct xdp_md *ctx, const struct fwd_in *in)
{
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor c;
	struct pkt p = {};

	if (!in)
		return XDP_ABORTED;
	p.proto = in->proto;
	p.tci = in->tci;
	p.tagged = in->tagged;
	p.tunnel = in->tunnel;
	c.pos = data + (in->l3_off & 0x3f);
	barrier_var(c.pos);
	p.l3 = c.pos;
	if (p.proto == ETH_P_IP)
		return ipv4_forward(ctx, &p, &c);
	return ipv6_forward(ctx, &p, &c);
}

SEC("xdp")
int xfwd_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor c = { .pos = data };
	struct pkt p = {};
	int ret;

	if (parse_eth(&c, data_end, &p))
		return DROP(ctx, DROP_MALFORMED_L2);
	if ((p.proto == ETH_P_IP || p.proto == ETH_P_IPV6) && !to_port_mac(ctx, data, data_end))
		return PASS(ctx, PASS_NOT_OUR_MAC);
	if (maybe_tunnel(c.pos, data_end, p.proto)) {
		ret = tunnel_try_decap(ctx);
		if (ret != DECAP_NOT_OURS && !DECAP_IS_DONE(ret))
			return ret;
		/* The frame may have changed: read it again from the start. */
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		c.pos = data;
		__builtin_memset(&p, 0, sizeof(p));
		if (parse_eth(&c, data_end, &p))
			return DROP(ctx, DROP_MALFORMED_L2);
		/* Branch-free (a branch here doubled the verifier's paths
		 * through forwarding): the tunnel's id, or 0 for not ours. */
		p.tunnel = DECAP_TID(ret) & (__u32)((ret + 15) >> 31);
	}
	if (p.proto == ETH_P_IP || p.proto == ETH_P_IPV6) {
		struct fwd_in in = { .l3_off = (__u32)(c.pos - data), .tunnel = p.tunnel,
				     .proto = p.proto, .tci = p.tci, .tagged = p.tagged };

		return xfwd_forward(ctx, &in);
	}
	return PASS(ctx, PASS_NOT_IP);
}

char LICENSE[] SEC("license") = "GPL";
