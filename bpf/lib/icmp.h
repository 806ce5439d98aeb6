/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * "Fragmentation needed" (ICMP 3/4) and "Packet Too Big" (ICMPv6 2/0),
 * built in place and sent back out of the ingress port (XDP_TX), so path
 * MTU discovery works through tunnels without the kernel's forwarding.
 * The reply quotes as much of the offending packet as fits 576 bytes
 * (IPv4, RFC 1812 4.3.2.3) or the IPv6 minimum MTU (RFC 4443 2.4), as the
 * kernel does, so a sender whose packet was itself a tunnel's finds its
 * inner headers; a shorter packet (under a small MTU), its IP header and
 * 8 bytes: two constant lengths keep the verifier's paths few.
 */
#ifndef XFWD_BPF_ICMP_H
#define XFWD_BPF_ICMP_H

#include <linux/icmpv6.h>
#include "bounds.h"
#include "csum.h"
#include "maps.h"
#include "parse.h"
#include "stats.h"

#define ICMP_QUOTE 28        /* the least: 20-byte IPv4 header + 8 */
#define ICMP_QUOTE_MAX 548   /* 576 - IPv4 - ICMP headers */
#define ICMP6_QUOTE 48       /* the least: 40-byte IPv6 header + 8 */
#define ICMP6_QUOTE_MAX 1232 /* 1280 - IPv6 - ICMPv6 headers */
#define CSUM_PIECE 512       /* bpf_csum_diff's largest */

/* The ones' complement sum (unfolded) of len bytes at p, len a constant
 * multiple of 4 that the caller has checked lies in the packet. */
static __always_inline __u32 csum_long(void *p, void *data_end, __u32 len)
{
	__u32 sum = 0;

#pragma unroll
	for (__u32 off = 0; off < len; off += CSUM_PIECE) {
		__u32 n = len - off < CSUM_PIECE ? len - off : CSUM_PIECE;

		if (p + off + n > data_end)
			return 0;
		sum = (__u32)bpf_csum_diff(NULL, 0, p + off, n, sum);
	}
	return sum;
}

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
	return data + (l2 & L2_LEN_BOUND);
}

static __always_inline struct xfwd_iface *ingress_iface(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;

	return bpf_map_lookup_elem(&xfwd_ifaces, &ifindex);
}

/* Fragmentation needed, quoting quote bytes, from src. */
static __always_inline int icmp4_send(struct xdp_md *ctx, struct pkt *p, __u32 mtu,
				      __be32 src, const __u32 quote)
{
	void *data_end, *l3;
	struct iphdr *ip, *orig;
	struct icmphdr *ic;

	l3 = icmp_frame(ctx, p, sizeof(*ip) + sizeof(*ic), quote);
	data_end = (void *)(long)ctx->data_end;
	if (!l3 || l3 + sizeof(*ip) + sizeof(*ic) + quote > data_end)
		return DROP(ctx, DROP_INTERNAL);
	ip = l3;
	ic = (void *)(ip + 1);
	orig = (void *)(ic + 1);
	ipv4_fill(ip, 0xc0 /* internetwork control */, sizeof(*ip) + sizeof(*ic) + quote,
		  64, IPPROTO_ICMP, src, orig->saddr, 0);
	ic->type = ICMP_DEST_UNREACH;
	ic->code = ICMP_FRAG_NEEDED;
	ic->checksum = 0;
	ic->un.frag.__unused = 0;
	ic->un.frag.mtu = bpf_htons((__u16)mtu);
	ic->checksum = (__sum16)~fold(csum_long(ic, data_end, sizeof(*ic) + quote));
	return xfwd_verdict(ctx, XFWD_R_TX_ICMP_TOO_BIG, XDP_TX);
}

/* What an answer needs of the packet: scalars, so that the answers are
 * global functions (checked once, not for every state of the forwarding
 * paths that reach them). */
struct too_big_in {
	__u32 mtu;
	__u16 l3_len;
	__u8 tagged;
	__u8 pad;
};

/* IPv4 with DF, too large for the next hop: tell the sender the MTU. */
__noinline int xfwd_too_big4(struct xdp_md *ctx, const struct too_big_in *in)
{
	struct xfwd_iface *ifc = ingress_iface(ctx);
	struct pkt p = {};

	if (!in)
		return XDP_ABORTED;
	p.tagged = in->tagged;
	p.l3_len = in->l3_len;
	if (!ifc || !ifc->addr4)
		return PASS(ctx, PASS_MTU);
	if (p.l3_len >= ICMP_QUOTE_MAX)
		return icmp4_send(ctx, &p, in->mtu, ifc->addr4, ICMP_QUOTE_MAX);
	return icmp4_send(ctx, &p, in->mtu, ifc->addr4, ICMP_QUOTE);
}

static __always_inline int icmp4_too_big(struct xdp_md *ctx, const struct pkt *p, __u32 mtu)
{
	struct too_big_in in = { .mtu = mtu, .l3_len = p->l3_len, .tagged = p->tagged };

	return xfwd_too_big4(ctx, &in);
}

/* Packet Too Big, quoting quote bytes, from src. */
static __always_inline int icmp6_send(struct xdp_md *ctx, struct pkt *p, __u32 mtu,
				      const __u8 *src, const __u32 quote)
{
	struct ipv6hdr *ip, *orig;
	struct icmp6hdr *ic;
	void *data_end, *l3;
	__u32 sum, len = sizeof(*ic) + quote;

	l3 = icmp_frame(ctx, p, sizeof(*ip) + sizeof(*ic), quote);
	data_end = (void *)(long)ctx->data_end;
	if (!l3 || l3 + sizeof(*ip) + sizeof(*ic) + quote > data_end)
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
	sum = sum16(&ip->saddr, 16) + bpf_htons(len) + bpf_htons(IPPROTO_ICMPV6);
	sum = fold(sum) + fold(csum_long(ic, data_end, len));
	ic->icmp6_cksum = (__sum16)~fold(sum);
	return xfwd_verdict(ctx, XFWD_R_TX_ICMP_TOO_BIG, XDP_TX);
}

/* IPv6 too large for the next hop (routers never fragment IPv6). */
__noinline int xfwd_too_big6(struct xdp_md *ctx, const struct too_big_in *in)
{
	struct xfwd_iface *ifc = ingress_iface(ctx);
	struct pkt p = {};
	__u8 src[16];

	if (!in)
		return XDP_ABORTED;
	p.tagged = in->tagged;
	p.l3_len = in->l3_len;
	if (!ifc || !(ifc->addr6[0] | ifc->addr6[1]))
		return PASS(ctx, PASS_MTU);
	__builtin_memcpy(src, ifc->addr6, 16);
	if (p.l3_len >= ICMP6_QUOTE_MAX)
		return icmp6_send(ctx, &p, in->mtu, src, ICMP6_QUOTE_MAX);
	return icmp6_send(ctx, &p, in->mtu, src, ICMP6_QUOTE);
}

static __always_inline int icmp6_too_big(struct xdp_md *ctx, const struct pkt *p, __u32 mtu)
{
	struct too_big_in in = { .mtu = mtu, .l3_len = p->l3_len, .tagged = p->tagged };

	return xfwd_too_big6(ctx, &in);
}

#endif
