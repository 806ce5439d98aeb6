/* SPDX-License-Identifier: GPL-2.0-only */
/* GRE, IP-in-IP, VXLAN and GENEVE: encapsulation toward a tunnel next
 * hop, and decapsulation of packets from configured peers. */
#ifndef XFWD_BPF_TUNNEL_H
#define XFWD_BPF_TUNNEL_H

#include "csum.h"
#include "lpm.h"
#include "nexthop.h"
#include <linux/udp.h>

#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_VERSION 0x0007
#define ECN_MASK 3
#define ECN_CE 3

struct gre_base {
	__be16 flags;
	__be16 proto;
};

/* Write a fresh Ethernet header (with the next hop's VLAN tag, if any). */
static __always_inline int l2_write(void *data, void *data_end,
				    const struct xfwd_l2 *l2, __u16 proto)
{
	if (l2->vlan) {
		struct vlan_ethhdr *v = data;

		if ((void *)(v + 1) > data_end)
			return -1;
		__builtin_memcpy(v->h_dest, l2->dmac, ETH_ALEN);
		__builtin_memcpy(v->h_source, l2->smac, ETH_ALEN);
		v->h_vlan_proto = bpf_htons(ETH_P_8021Q);
		v->h_vlan_TCI = bpf_htons(l2->vlan & 0x0fff);
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

static __always_inline void tunnel_count(__u32 tid, __u64 bytes, int tx)
{
	struct xfwd_tunnel_counters *c = bpf_map_lookup_elem(&xfwd_tunnel_stats, &tid);

	if (!c)
		return;
	if (tx) {
		c->tx_packets++;
		c->tx_bytes += bytes;
	} else {
		c->rx_packets++;
		c->rx_bytes += bytes;
	}
}

/* A next hop into an ipsec tunnel: XDP cannot encrypt, so the packet goes
 * to the kernel untouched (its TTL too: the kernel forwards it and
 * decrements), whose route into the tunnel's xfrm interface encrypts it.
 * Counted as the tunnel's tx, before encryption (docs/ipsec.md). */
static __always_inline int xfrm_pass(struct xdp_md *ctx, const struct xfwd_nh *nh,
				     const struct pkt *p)
{
	tunnel_count(nh->tunnel, p->l3_len, 1);
	return PASS(ctx, PASS_IPSEC);
}

/* VXLAN, and GENEVE without options: both 8 bytes after UDP. */
struct udp_tun_hdr {
	__be32 word0; /* VXLAN: flags; GENEVE: version, options length, O, C, protocol */
	__be32 vni;   /* VNI << 8 */
};

#define VXLAN_F_VNI 0x08000000
#define GENEVE_F_OAM 0x80      /* second byte: control packet */
#define GENEVE_F_CRITICAL 0x40 /* second byte: critical options present */

static __always_inline int udp_tunnel(const struct xfwd_tunnel *t)
{
	return t->type == XFWD_TUN_VXLAN || t->type == XFWD_TUN_GENEVE;
}

/* VXLAN always, GENEVE unless configured for IP payloads, carry Ethernet. */
static __always_inline int inner_eth(const struct xfwd_tunnel *t)
{
	return udp_tunnel(t) && !(t->flags & XFWD_TUN_F_INNER_IP);
}

/* Bytes a tunnel puts between the outer IP header and the inner packet. */
static __always_inline __u32 tunnel_hdr_len(const struct xfwd_tunnel *t)
{
	if (udp_tunnel(t))
		return sizeof(struct udphdr) + sizeof(struct udp_tun_hdr) +
		       (inner_eth(t) ? sizeof(struct ethhdr) : 0);
	if (t->type == XFWD_TUN_GRE)
		return (t->flags & XFWD_TUN_F_KEY) ? 8 : 4;
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
	h->word0 = bpf_htonl(vxlan ? VXLAN_F_VNI : inner_eth(t) ? ETH_P_TEB : inner);
	h->vni = bpf_htonl(t->key << 8);
	if (!inner_eth(t))
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
	struct ipv6hdr *ip6 = data + (l3_off & 0x1f);
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
	if (udp_tunnel(t))
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
	hdr_len = tunnel_hdr_len(t) & 0x3f; /* GRE, or UDP + VXLAN/GENEVE (+ L2) */
	delta = (int)(p->tagged ? sizeof(struct vlan_ethhdr) : sizeof(struct ethhdr)) -
		(int)(l2_new + ip_len + hdr_len);
	if (bpf_xdp_adjust_head(ctx, delta))
		return DROP(ctx, DROP_INTERNAL);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (l2_write(data, data_end, l2, ip_len == 20 ? ETH_P_IP : ETH_P_IPV6))
		return DROP(ctx, DROP_INTERNAL);
	data += l2_new & 0x1f;
	if (ip_len == 20 ? outer4(data, data_end, t, p->tos, inner_len + 20 + hdr_len,
				  outer_proto(t, p->proto))
			 : outer6(data, data_end, t, p->tos, inner_len + hdr_len,
				  outer_proto(t, p->proto)))
		return DROP(ctx, DROP_INTERNAL);
	if (udp_tunnel(t)) {
		if (udp_tunnel_write(data + (ip_len & 0x3f), data_end, t, l2, p->proto,
				     inner_len + hdr_len, p->hash))
			return DROP(ctx, DROP_INTERNAL);
		if (ip_len == 40 && udp6_csum(ctx, l2_new))
			return DROP(ctx, DROP_INTERNAL);
		data_end = (void *)(long)ctx->data_end;
	} else if (hdr_len) {
		struct gre_base *g = data + (ip_len & 0x3f);
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

/* ---- decapsulation ---- */

#include "probe.h"

#define DECAP_NOT_OURS (-1) /* not a tunnel packet for a configured tunnel */
#define DECAP_DONE (-2)     /* decapsulated: parse and route the new frame */

/* Is this address one of the host's own (a local route)? */
static __always_inline int route_is_local(__u32 gid)
{
	struct xfwd_group *g = bpf_map_lookup_elem(&xfwd_groups, &gid);
	struct xfwd_nh *nh;

	if (!g)
		return 0;
	nh = nh_get(g->set[g->active & 1].members[0]);
	return nh && nh->kind == XFWD_NH_LOCAL;
}

static __always_inline int inner_is_local(void *inner, void *data_end, __u16 proto)
{
	if (proto == ETH_P_IP) {
		struct iphdr *i = inner;
		__u32 e;

		if ((void *)(i + 1) > data_end)
			return -1;
		e = lpm4_lookup(i->daddr);
		return (e & XFWD_LPM_VALID) && route_is_local(e & XFWD_LPM_TARGET_MASK);
	}
	struct ipv6hdr *i6 = inner;
	__u32 gid;

	if ((void *)(i6 + 1) > data_end)
		return -1;
	gid = lpm6_lookup(&i6->daddr);
	return gid && route_is_local(gid);
}

/* RFC 6040 decapsulation: CE on the outer marks an ECN-capable inner
 * packet CE and drops a not-ECN-capable one. Returns -1 to drop. */
static __always_inline int ecn_decap(void *inner, void *data_end, __u16 proto,
				     __u8 outer_tos)
{
	if ((outer_tos & ECN_MASK) != ECN_CE)
		return 0;
	if (proto == ETH_P_IP) {
		struct iphdr *i = inner;
		__u8 ecn;

		if ((void *)(i + 1) > data_end)
			return -1;
		ecn = i->tos & ECN_MASK;
		if (!ecn)
			return -1;
		if (ecn != ECN_CE)
			ipv4_set_ce(i);
		return 0;
	}
	struct ipv6hdr *i6 = inner;
	__u8 ecn;

	if ((void *)(i6 + 1) > data_end)
		return -1;
	ecn = (i6->flow_lbl[0] >> 4) & ECN_MASK;
	if (!ecn)
		return -1;
	i6->flow_lbl[0] |= ECN_CE << 4;
	return 0;
}

/* GRE header: length and inner ethertype (the key chose the tunnel,
 * tunnel_find). Returns the header length, or -reason. */
static __always_inline int gre_parse(void *l4, void *data_end, __u16 *inner)
{
	struct gre_base *g = l4;
	__u16 flags;

	if ((void *)(g + 1) > data_end)
		return -XFWD_R_DROP_TUNNEL_MALFORMED;
	flags = bpf_ntohs(g->flags);
	if (flags & (GRE_VERSION | GRE_F_ROUTING))
		return -XFWD_R_DROP_TUNNEL_MALFORMED;
	*inner = bpf_ntohs(g->proto);
	if (*inner != ETH_P_IP && *inner != ETH_P_IPV6)
		return -XFWD_R_DROP_TUNNEL_MALFORMED;
	return ((flags & GRE_F_CSUM) ? 8 : 4) + ((flags & GRE_F_KEY) ? 4 : 0) +
	       ((flags & GRE_F_SEQ) ? 4 : 0);
}

/* The inner Ethernet header of VXLAN or GENEVE: frames that are not IP
 * (ARP for the host's own tunnel device) are for the host (*inner = 0). */
static __always_inline int inner_eth_parse(void *e_, void *data_end, __u16 *inner)
{
	struct ethhdr *e = e_;

	if ((void *)(e + 1) > data_end)
		return -XFWD_R_DROP_TUNNEL_MALFORMED;
	*inner = bpf_ntohs(e->h_proto);
	if (*inner != ETH_P_IP && *inner != ETH_P_IPV6)
		*inner = 0;
	return sizeof(*e);
}

/* GENEVE flags and options: version 0 only; critical options are dropped,
 * since xfwd understands none (RFC 8926 3.5); control (OAM) packets go to
 * the host (*inner = 0). Returns the options' length, or -reason. */
static __always_inline int geneve_check(const struct udp_tun_hdr *h, __u16 *inner)
{
	const __u8 *b = (const __u8 *)h;

	if ((b[0] >> 6) || (b[1] & GENEVE_F_CRITICAL))
		return -XFWD_R_DROP_TUNNEL_MALFORMED;
	*inner = (b[1] & GENEVE_F_OAM) ? 0 : bpf_ntohs(((const __be16 *)h)[1]);
	return (b[0] & 0x3f) * 4;
}

/* UDP + VXLAN or GENEVE (+ inner Ethernet): flags and inner protocol (the
 * VNI chose the tunnel, tunnel_find).
 * Returns the length up to the inner IP header, or -reason; *inner = 0
 * for what the host's own device must see. */
static __always_inline int udp_tunnel_parse(void *l4, void *data_end,
					    const struct xfwd_tunnel *t, __u16 *inner)
{
	struct udp_tun_hdr *h = l4 + sizeof(struct udphdr);
	__u32 len = sizeof(struct udphdr) + sizeof(*h);
	int opts, el;

	if ((void *)(h + 1) > data_end)
		return -XFWD_R_DROP_TUNNEL_MALFORMED;
	if (t->type == XFWD_TUN_VXLAN && !(h->word0 & bpf_htonl(VXLAN_F_VNI)))
		return -XFWD_R_DROP_TUNNEL_MALFORMED;
	if (t->type == XFWD_TUN_VXLAN)
		return inner_eth_parse(h + 1, data_end, inner) + (int)len;
	opts = geneve_check(h, inner);
	if (opts < 0 || !*inner)
		return opts < 0 ? opts : (int)len;
	len += (__u32)opts & 0xff;
	if (*inner == ETH_P_TEB && inner_eth(t)) {
		el = inner_eth_parse(l4 + len, data_end, inner);
		return el < 0 ? el : el + (int)len;
	}
	if (inner_eth(t) || (*inner != ETH_P_IP && *inner != ETH_P_IPV6))
		return -XFWD_R_DROP_TUNNEL_MALFORMED;
	return (int)len;
}

/* What tells tunnels between the same endpoints apart: GRE's key (if
 * any), the VNI. -1 when the header that holds it is cut short or not
 * one xfwd takes (the tunnel's own parse then says why). */
static __always_inline int tunnel_key_of(__u8 type, void *l4, void *data_end,
					 __u8 *keyed, __u32 *key)
{
	struct gre_base *g = l4;
	__u16 flags;
	__be32 *k;

	*keyed = 0;
	*key = 0;
	if (type == XFWD_TUN_IPIP)
		return 0;
	if (type != XFWD_TUN_GRE) {
		struct udp_tun_hdr *h = l4 + sizeof(struct udphdr);

		if ((void *)(h + 1) > data_end)
			return -1;
		*keyed = 1;
		*key = bpf_ntohl(h->vni) >> 8;
		return 0;
	}
	if ((void *)(g + 1) > data_end)
		return -1;
	flags = bpf_ntohs(g->flags);
	if (!(flags & GRE_F_KEY))
		return 0;
	k = l4 + ((flags & GRE_F_CSUM) ? 8 : 4);
	if ((void *)(k + 1) > data_end)
		return -1;
	*keyed = 1;
	*key = bpf_ntohl(*k);
	return 0;
}

/* The tunnel a packet from remote to local of this type belongs to: its
 * id; 0 = not ours; -XFWD_R_DROP_TUNNEL_KEY (or _MALFORMED when the key
 * could not be read) when tunnels join these endpoints but none has this
 * key; -XFWD_R_DROP_TUNNEL_PEER for an unknown peer of a local endpoint. */
static __always_inline long tunnel_find(__u8 type, __u8 family, const void *local,
					const void *remote, __u32 alen, void *l4,
					void *data_end)
{
	struct xfwd_tunnel_key k = { .type = type, .family = family };
	int cut = tunnel_key_of(type, l4, data_end, &k.keyed, &k.key);
	__u8 pair[16];
	__u32 *id;

	if (alen == 16) {
		__builtin_memcpy(k.local, local, 16);
		__builtin_memcpy(k.remote, remote, 16);
	} else {
		__builtin_memcpy(k.local, local, 4);
		__builtin_memcpy(k.remote, remote, 4);
	}
	id = cut ? NULL : bpf_map_lookup_elem(&xfwd_tunnel_peers, &k);
	if (id && *id != XFWD_TUNNEL_ENDPOINT)
		return *id;
	/* The local endpoint's marker first: traffic that only passes
	 * through (not to one of ours) pays one lookup more, not two. A pair
	 * marker exists only beside its local endpoint's (table.c). */
	__builtin_memcpy(pair, k.remote, 16);
	__builtin_memset(k.remote, 0, 16);
	k.keyed = 0;
	k.key = 0;
	if (!bpf_map_lookup_elem(&xfwd_tunnel_peers, &k))
		return 0;
	__builtin_memcpy(k.remote, pair, 16);
	k.keyed = XFWD_TUNNEL_KEY_PAIR;
	if (!bpf_map_lookup_elem(&xfwd_tunnel_peers, &k))
		return -XFWD_R_DROP_TUNNEL_PEER;
	return cut ? -XFWD_R_DROP_TUNNEL_MALFORMED : -XFWD_R_DROP_TUNNEL_KEY;
}

/* Remove outer L2, IP and tunnel headers (strip bytes), leaving a plain
 * Ethernet header (same MACs) carrying the inner ethertype. */
static __always_inline int decap_strip(struct xdp_md *ctx, __u32 strip,
				       __u16 inner)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *e = data;
	__u8 macs[2 * ETH_ALEN];

	if ((void *)(e + 1) > data_end)
		return -1;
	__builtin_memcpy(macs, e, sizeof(macs));
	if (bpf_xdp_adjust_head(ctx, (int)strip - (int)sizeof(*e)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	e = data;
	if ((void *)(e + 1) > data_end)
		return -1;
	__builtin_memcpy(e, macs, sizeof(macs));
	e->h_proto = bpf_htons(inner);
	return 0;
}

/* After the tunnel is known: check its header, keep packets for this host
 * encapsulated (the kernel's tunnel device takes them), apply RFC 6040,
 * strip. hdrs = bytes of L2 + outer IP before the tunnel header. */
static __always_inline int decap_common(struct xdp_md *ctx, __u32 tid, void *l4,
					void *data_end, __u32 hdrs, __u8 outer_tos,
					__u8 proto)
{
	struct xfwd_tunnel *t = bpf_map_lookup_elem(&xfwd_tunnels, &tid);
	__u16 inner = 0;
	int hl = 0, local;
	void *in;

	if (!t)
		return DROP(ctx, DROP_INTERNAL);
	if (t->type != XFWD_TUN_IPIP) {
		hl = t->type == XFWD_TUN_GRE ? gre_parse(l4, data_end, &inner)
					     : udp_tunnel_parse(l4, data_end, t, &inner);
		if (hl < 0)
			return xfwd_verdict_of(ctx, (__u32)-hl);
		if (!inner) /* not IP inside: the host's tunnel device answers */
			return PASS(ctx, PASS_TUNNEL_LOCAL);
	} else {
		inner = proto == IPPROTO_IPIP ? ETH_P_IP : ETH_P_IPV6;
	}
	in = l4 + (hl & 0x1ff);
	local = probe_seen(ctx, t, in, data_end, inner);
	if (local != PROBE_NONE)
		return local;
	local = inner_is_local(in, data_end, inner);
	if (local < 0)
		return DROP(ctx, DROP_TUNNEL_MALFORMED);
	if (local)
		return PASS(ctx, PASS_TUNNEL_LOCAL);
	if (ecn_decap(in, data_end, inner, outer_tos))
		return DROP(ctx, DROP_TUNNEL_ECN);
	if (decap_strip(ctx, hdrs + (__u32)hl, inner))
		return DROP(ctx, DROP_INTERNAL);
	tunnel_count(tid, (__u64)(ctx->data_end - ctx->data), 0);
	return DECAP_DONE;
}

/* Which tunnel type an outer protocol (and UDP port) means, 0 = none. */
static __always_inline __u8 tunnel_type(__u8 proto, void *l4, void *data_end)
{
	struct udphdr *u = l4;

	if (proto == IPPROTO_GRE)
		return XFWD_TUN_GRE;
	if (proto == IPPROTO_IPIP || proto == IPPROTO_IPV6)
		return XFWD_TUN_IPIP;
	if (proto != IPPROTO_UDP || (void *)(u + 1) > data_end)
		return 0;
	if (u->dest == bpf_htons(XFWD_VXLAN_PORT))
		return XFWD_TUN_VXLAN;
	if (u->dest == bpf_htons(XFWD_GENEVE_PORT))
		return XFWD_TUN_GENEVE;
	return 0;
}

static __always_inline int decap4(struct xdp_md *ctx, struct hdr_cursor *c,
				  void *data, void *data_end)
{
	struct iphdr *o;
	long tid;
	__u8 type;

	if (parse_ipv4(c, data_end, &o))
		return DECAP_NOT_OURS; /* the forwarding path counts it */
	if (o->frag_off & bpf_htons(0x3fff))
		return DECAP_NOT_OURS; /* fragments: the kernel reassembles */
	type = tunnel_type(o->protocol, c->pos, data_end);
	if (!type)
		return DECAP_NOT_OURS;
	tid = tunnel_find(type, 2 /* AF_INET */, &o->daddr, &o->saddr, 4, c->pos, data_end);
	if (!tid)
		return DECAP_NOT_OURS;
	if (tid < 0)
		return xfwd_verdict_of(ctx, (__u32)-tid);
	return decap_common(ctx, (__u32)tid, c->pos, data_end,
			    (__u32)(c->pos - data), o->tos, o->protocol);
}

/* Linux ip6tnl adds a destination options header carrying the tunnel
 * encapsulation limit (RFC 2473) unless configured 'encaplimit none':
 * step over one such header (at most 64 bytes). */
static __always_inline int skip_dstopts(struct hdr_cursor *c, void *data_end,
					__u8 *next)
{
	__u8 *h = c->pos;
	__u32 len;

	if ((void *)(h + 2) > data_end)
		return -1;
	len = ((__u32)h[1] + 1) * 8;
	if (len > 64 || c->pos + len > data_end)
		return -1;
	*next = h[0];
	c->pos += len;
	return 0;
}

static __always_inline int decap6(struct xdp_md *ctx, struct hdr_cursor *c,
				  void *data, void *data_end)
{
	struct ipv6hdr *o;
	long tid;
	__u8 type, next;

	if (parse_ipv6(c, data_end, &o))
		return DECAP_NOT_OURS;
	next = o->nexthdr;
	if (next == 60 && skip_dstopts(c, data_end, &next))
		return DECAP_NOT_OURS;
	type = tunnel_type(next, c->pos, data_end);
	if (!type)
		return DECAP_NOT_OURS;
	tid = tunnel_find(type, 10 /* AF_INET6 */, &o->daddr, &o->saddr, 16, c->pos, data_end);
	if (!tid)
		return DECAP_NOT_OURS;
	if (tid < 0)
		return xfwd_verdict_of(ctx, (__u32)-tid);
	return decap_common(ctx, (__u32)tid, c->pos, data_end,
			    (__u32)(c->pos - data),
			    (__u8)(o->priority << 4 | o->flow_lbl[0] >> 4), next);
}

/*
 * A tunnel packet from a configured peer is decapsulated here,
 * before routing. Returns DECAP_NOT_OURS (route the frame as it is),
 * DECAP_DONE (route the new, inner frame) or a final, counted verdict.
 */
static __noinline int tunnel_try_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor c = { .pos = data };
	struct pkt p = {};

	if (parse_eth(&c, data_end, &p))
		return DECAP_NOT_OURS;
	if (p.proto == ETH_P_IP)
		return decap4(ctx, &c, data, data_end);
	if (p.proto == ETH_P_IPV6)
		return decap6(ctx, &c, data, data_end);
	return DECAP_NOT_OURS;
}

#endif
