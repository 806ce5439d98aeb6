/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * "Fragmentation needed" (ICMP 3/4) and "Packet Too Big" (ICMPv6 2/0),
 * built in place and sent back out of the ingress port (XDP_TX), so path
 * MTU discovery works through tunnels without the kernel's forwarding.
 * The reply quotes the offending IP header and 8 bytes of its payload.
 */
#ifndef XFWD_BPF_ICMP_H
#define XFWD_BPF_ICMP_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include "csum.h"
#include "maps.h"
#include "parse.h"
#include "stats.h"

#define ICMP_QUOTE 28   /* quoted: 20-byte IPv4 header + 8 */
#define ICMP6_QUOTE 48  /* quoted: 40-byte IPv6 header + 8 */

/* Make room in front of the offending packet, trim it to the quote, and
 * turn the L2 header around. Returns the new frame start or NULL. */
static __always_inline void *icmp_frame(struct xdp_md *ctx, struct pkt *p,
					__u32 grow, __u32 quote)
{
	__u32 l2 = p->tagged ? sizeof(struct vlan_ethhdr) : sizeof(struct ethhdr);
	void *data, *data_end;
	__u8 mac[ETH_ALEN];
	int keep;

	if (bpf_xdp_adjust_head(ctx, -(int)grow))
		return NULL;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	keep = (int)(l2 + grow + quote);
	if (bpf_xdp_adjust_tail(ctx, keep - (int)(data_end - data)))
		return NULL;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	/* The old L2 header moved down by grow bytes: copy it back up, with
	 * the addresses swapped; the tag (if any) and type stay. */
	if (data + grow + sizeof(struct vlan_ethhdr) > data_end)
		return NULL;
	__builtin_memcpy(data + 12, data + grow + 12, 6); /* type, or tag+type */
	__builtin_memcpy(mac, data + grow, ETH_ALEN);
	__builtin_memcpy(data, data + grow + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(data + ETH_ALEN, mac, ETH_ALEN);
	return data + (l2 & 0x1f);
}

static __always_inline struct xfwd_iface *ingress_iface(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;

	return bpf_map_lookup_elem(&xfwd_ifaces, &ifindex);
}

/* IPv4 with DF, too large for the next hop: tell the sender the MTU. */
static __noinline int icmp4_too_big(struct xdp_md *ctx, struct pkt *p, __u32 mtu)
{
	struct xfwd_iface *ifc = ingress_iface(ctx);
	void *data_end, *l3;
	struct iphdr *ip, *orig;
	struct icmphdr *ic;
	__be32 src;

	if (!ifc || !ifc->addr4)
		return PASS(ctx, PASS_MTU);
	src = ifc->addr4;
	l3 = icmp_frame(ctx, p, sizeof(*ip) + sizeof(*ic), ICMP_QUOTE);
	data_end = (void *)(long)ctx->data_end;
	if (!l3 || l3 + sizeof(*ip) + sizeof(*ic) + ICMP_QUOTE > data_end)
		return DROP(ctx, DROP_INTERNAL);
	ip = l3;
	ic = (void *)(ip + 1);
	orig = (void *)(ic + 1);
	ipv4_fill(ip, 0xc0 /* internetwork control */, sizeof(*ip) + sizeof(*ic) + ICMP_QUOTE,
		  64, IPPROTO_ICMP, src, orig->saddr, 0);
	ic->type = ICMP_DEST_UNREACH;
	ic->code = ICMP_FRAG_NEEDED;
	ic->checksum = 0;
	ic->un.frag.__unused = 0;
	ic->un.frag.mtu = bpf_htons((__u16)mtu);
	ic->checksum = (__sum16)~fold(sum16(ic, (sizeof(*ic) + ICMP_QUOTE) / 2));
	return xfwd_verdict(ctx, XFWD_R_TX_ICMP_TOO_BIG, XDP_TX);
}

/* IPv6 too large for the next hop (routers never fragment IPv6). */
static __noinline int icmp6_too_big(struct xdp_md *ctx, struct pkt *p, __u32 mtu)
{
	struct xfwd_iface *ifc = ingress_iface(ctx);
	struct ipv6hdr *ip, *orig;
	struct icmp6hdr *ic;
	void *data_end, *l3;
	__u8 src[16];
	__u32 sum, len = sizeof(*ic) + ICMP6_QUOTE;

	if (!ifc || !(ifc->addr6[0] | ifc->addr6[1]))
		return PASS(ctx, PASS_MTU);
	__builtin_memcpy(src, ifc->addr6, 16);
	l3 = icmp_frame(ctx, p, sizeof(*ip) + sizeof(*ic), ICMP6_QUOTE);
	data_end = (void *)(long)ctx->data_end;
	if (!l3 || l3 + sizeof(*ip) + sizeof(*ic) + ICMP6_QUOTE > data_end)
		return DROP(ctx, DROP_INTERNAL);
	ip = l3;
	ic = (void *)(ip + 1);
	orig = (void *)(ic + 1);
	ipv6_fill(ip, 0, len, 64, IPPROTO_ICMPV6, src, &orig->saddr);
	ic->icmp6_type = ICMPV6_PKT_TOOBIG;
	ic->icmp6_code = 0;
	ic->icmp6_cksum = 0;
	ic->icmp6_mtu = bpf_htonl(mtu);
	/* Pseudo-header: addresses, length, next header; then the message. */
	sum = sum16(&ip->saddr, 16) + bpf_htons(len) + bpf_htons(IPPROTO_ICMPV6) +
	      sum16(ic, len / 2);
	ic->icmp6_cksum = (__sum16)~fold(sum);
	return xfwd_verdict(ctx, XFWD_R_TX_ICMP_TOO_BIG, XDP_TX);
}

#endif
