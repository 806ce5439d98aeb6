/* SPDX-License-Identifier: GPL-2.0-only */
/* Decapsulation of packets from configured tunnel peers (GRE, IP-in-IP,
 * VXLAN, GENEVE), probes among them. */
#ifndef XFWD_BPF_DECAP_H
#define XFWD_BPF_DECAP_H

#include <linux/udp.h>

#include "bounds.h"
#include "csum.h"
#include "gwlb.h"
#include "lpm.h"
#include "probe.h"
#include "tunnel_hdr.h"
#include "urpf.h"
#include "../../maps/xfwd_special.h"

#define DECAP_NOT_OURS (-1) /* not a tunnel packet for a configured tunnel */
/* Decapsulated from tunnel tid: parse and route the new frame. */
#define DECAP_DONE(tid) (-16 - (int)(tid))
#define DECAP_IS_DONE(r) ((r) <= -16)
#define DECAP_TID(r) ((__u32)(-16 - (r)))

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

/* Is the inner packet this host's: to one of its addresses, or one xfwd
 * never forwards (link-local, multicast: a BGP session over a tunnel's
 * 169.254/16 addresses, neighbour discovery)? Those stay encapsulated for
 * the tunnel's kernel device, before uRPF or forwarding look at them. */
static __always_inline int inner_is_local(void *inner, void *data_end, __u16 proto)
{
	if (proto == ETH_P_IP) {
		struct iphdr *i = inner;
		__u32 e;

		if ((void *)(i + 1) > data_end)
			return -1;
		if (xfwd_special4(bpf_ntohl(i->daddr), bpf_ntohl(i->saddr)))
			return 1;
		e = lpm4_lookup(i->daddr);
		return (e & XFWD_LPM_VALID) && route_is_local(e & XFWD_LPM_TARGET_MASK);
	}
	struct ipv6hdr *i6 = inner;
	__u32 gid;

	if ((void *)(i6 + 1) > data_end)
		return -1;
	if (xfwd_special6(bpf_ntohl(i6->daddr.s6_addr32[0]), bpf_ntohl(i6->daddr.s6_addr32[1]),
			  bpf_ntohl(i6->daddr.s6_addr32[2]), bpf_ntohl(i6->daddr.s6_addr32[3]),
			  bpf_ntohl(i6->saddr.s6_addr32[0])))
		return 1;
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
	if (*inner == ETH_P_TEB && xfwd_tunnel_inner_eth(t)) {
		el = inner_eth_parse(l4 + len, data_end, inner);
		return el < 0 ? el : el + (int)len;
	}
	if (xfwd_tunnel_inner_eth(t) || (*inner != ETH_P_IP && *inner != ETH_P_IPV6))
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

/* tunnel_find: the local endpoint's entry names a tunnel, a gwlb one
 * (any remote, any VNI: bpf/lib/gwlb.h finds which). */
#define TUNNEL_GWLB (-1000L)

/* The tunnel a packet from remote to local of this type belongs to: its
 * id; 0 = not ours; TUNNEL_GWLB; -XFWD_R_DROP_TUNNEL_KEY (or _MALFORMED when the key
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
	 * marker exists only beside its local endpoint's (table.c). A gwlb
	 * tunnel's one entry is there, naming it: any remote, any VNI. */
	__builtin_memcpy(pair, k.remote, 16);
	__builtin_memset(k.remote, 0, 16);
	k.keyed = 0;
	k.key = 0;
	id = bpf_map_lookup_elem(&xfwd_tunnel_peers, &k);
	if (!id)
		return 0;
	if (*id != XFWD_TUNNEL_ENDPOINT)
		return TUNNEL_GWLB; /* a constant: the tunnel's id as a value here made
				     * the verifier walk decapsulation twice (+130k) */
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

/* The outer packet bounds the tunnel's (found by tests/bpf/invariants.c):
 * a UDP length other than the outer payload's, or an outer packet too
 * short for the tunnel header and an inner IP header, is malformed.
 * end: where the outer packet ends, in bytes from the frame's start. */
static __always_inline int outer_fits(const struct xfwd_tunnel *t, void *l4,
				      void *data_end, __u32 hdrs, __u32 hl, __u16 inner, __u32 end)
{
	struct udphdr *u = l4;

	if (hdrs + hl + (inner == ETH_P_IP ? 20 : 40) > end)
		return -1;
	if (!xfwd_tunnel_udp(t))
		return 0;
	if ((void *)(u + 1) > data_end || bpf_ntohs(u->len) != end - hdrs)
		return -1;
	return 0;
}

/* Bytes after the outer packet (Ethernet padding): not the inner
 * packet's, so they go when it is decapsulated. */
static __always_inline __u32 outer_padding(void *l4, void *data_end, __u32 hdrs, __u32 end)
{
	__u32 len = (__u32)(data_end - l4);

	asm volatile("" : "+r"(len)); /* a scalar from here: no pkt_end arithmetic */
	len += hdrs;
	return len > end ? (len - end) & 0xffff : 0;
}

/* After the tunnel is known: check its header, keep packets for this host
 * encapsulated (the kernel's tunnel device takes them), apply RFC 6040,
 * strip. hdrs = bytes of L2 + outer IP before the tunnel header; end =
 * bytes of L2 + the outer packet. */
static __always_inline int decap_common(struct xdp_md *ctx, __u32 tid, void *l4,
					void *data_end, __u32 hdrs, __u8 outer_tos,
					__u8 proto, __u32 end)
{
	struct xfwd_tunnel *t = bpf_map_lookup_elem(&xfwd_tunnels, &tid);
	__u16 inner = 0;
	int hl = 0, local;
	__u32 pad;
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
	if (outer_fits(t, l4, data_end, hdrs, (__u32)hl, inner, end))
		return DROP(ctx, DROP_TUNNEL_MALFORMED);
	in = l4 + (hl & DECAP_LEN_BOUND);
	local = probe_seen(ctx, t, in, data_end, inner);
	if (local != PROBE_NONE)
		return local;
	local = inner_is_local(in, data_end, inner);
	if (local < 0)
		return DROP(ctx, DROP_TUNNEL_MALFORMED);
	if (local)
		return PASS(ctx, PASS_TUNNEL_LOCAL);
	if (!urpf_inner_ok(t, tid, in, data_end, inner)) {
		tunnel_count_urpf(tid);
		return DROP(ctx, DROP_URPF);
	}
	if (ecn_decap(in, data_end, inner, outer_tos))
		return DROP(ctx, DROP_TUNNEL_ECN);
	pad = outer_padding(l4, data_end, hdrs, end);
	if (decap_strip(ctx, hdrs + (__u32)hl, inner) || (pad && bpf_xdp_adjust_tail(ctx, -(int)pad)))
		return DROP(ctx, DROP_INTERNAL);
	tunnel_count(tid, (__u64)(ctx->data_end - ctx->data), 0);
	return DECAP_DONE(tid);
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
	if (tid < 0 && tid != TUNNEL_GWLB)
		return xfwd_verdict_of(ctx, (__u32)-tid);
	/* What the kernel's ip_rcv would check before its tunnel took it:
	 * a corrupted outer header must not pass as one of our peers'. */
	if (!ipv4_csum_ok(o))
		return DROP(ctx, DROP_MALFORMED_IP);
	if (tid == TUNNEL_GWLB)
		return gwlb_return(ctx, (__u32)((void *)o - data));

	return decap_common(ctx, (__u32)tid, c->pos, data_end, (__u32)(c->pos - data), o->tos,
			    o->protocol, (__u32)((void *)o - data) + bpf_ntohs(o->tot_len));
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
	if (tid == TUNNEL_GWLB) /* none has an IPv6 local address */
		return DROP(ctx, DROP_TUNNEL_PEER);
	if (tid < 0)
		return xfwd_verdict_of(ctx, (__u32)-tid);
	return decap_common(ctx, (__u32)tid, c->pos, data_end, (__u32)(c->pos - data),
			    (__u8)(o->priority << 4 | o->flow_lbl[0] >> 4), next,
			    (__u32)((void *)o - data) + sizeof(*o) + bpf_ntohs(o->payload_len));
}

/*
 * A tunnel packet from a configured peer is decapsulated here,
 * before routing. Returns DECAP_NOT_OURS (route the frame as it is),
 * DECAP_DONE(tid) (route the new, inner frame) or a final, counted verdict.
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
