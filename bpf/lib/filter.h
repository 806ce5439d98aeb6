/* SPDX-License-Identifier: GPL-2.0-only */
/* Stateless filters per tunnel and interface: tuple space search over
 * the set's tuples (maps/xfwd_filter.h, docs/filters.md). Applied to
 * packets xfwd forwards, after the route chose the next hop: the in set
 * of where it came from (its tunnel after decapsulation, else its port),
 * then the out set of where it goes (its tunnel before encapsulation,
 * else its port). What goes to the kernel is the kernel's to filter. */
#ifndef XFWD_BPF_FILTER_H
#define XFWD_BPF_FILTER_H

#include "maps.h"
#include "parse.h"
#include "xlat.h"

#define FILTER_NONE 0xffffffffu

/* What a search is given: the packet's fields, unmasked. */
struct filter_in {
	struct xfwd_filter_key k;
	__u32 set;
	__u32 later_frag; /* no ports: skip tuples that match port bits */
	__u32 bytes;
	__u32 pad;
};

/* The set id bound at index i (0 = none); ifindex checked for ports. */
static __always_inline __u32 filter_bound(__u32 i, __u32 ifindex)
{
	struct xfwd_filter_bind *b = bpf_map_lookup_elem(&xfwd_filter_binds, &i);

	if (!b || (ifindex && b->ifindex != ifindex))
		return 0;
	return b->set[b->active & 1];
}

static __always_inline void mask16(__u8 *dst, const __u8 *src, const __u8 *mask)
{
	__u32 *d = (__u32 *)dst;
	const __u32 *s = (const __u32 *)src, *m = (const __u32 *)mask;

	d[0] = s[0] & m[0];
	d[1] = s[1] & m[1];
	d[2] = s[2] & m[2];
	d[3] = s[3] & m[3];
}

/* Are the packet's ports in the entry's ranges? A later fragment has
 * none: only an entry that checks no port takes it. */
static __always_inline int range_has(const struct xfwd_filter_range *r, const struct filter_in *in)
{
	__u16 sp = bpf_ntohs(in->k.sport), dp = bpf_ntohs(in->k.dport);

	if (in->later_frag)
		return !r->sport_lo && r->sport_hi == 0xffff && !r->dport_lo && r->dport_hi == 0xffff;
	return sp >= r->sport_lo && sp <= r->sport_hi && dp >= r->dport_lo && dp <= r->dport_hi;
}

/* A search in progress: what bpf_loop hands each step. */
struct filter_walk {
	struct filter_in in;
	__u32 floor; /* the lowest slot that may match */
	__u32 best;  /* slot << 2 | action of the best match so far */
};

/* Tuple i: one hash lookup, then its entry's rules in slot order. */
static long filter_step(__u32 i, void *ctx)
{
	struct filter_walk *w = ctx;
	struct xfwd_filter_key k = {};
	struct xfwd_filter_tuple *t;
	struct xfwd_filter_set *s;
	struct xfwd_filter_hit *h;
	__u32 set = w->in.set, j;

	s = bpf_map_lookup_elem(&xfwd_filter_sets, &set);
	if (!s || i >= s->ntuples)
		return 1;
	t = &s->t[i & (XFWD_FILTER_TUPLES - 1)];
	if (w->best != FILTER_NONE && t->best >= w->best >> 2)
		return 1; /* tuples are sorted by their best rule: none beats it */
	if (w->in.later_frag && t->ports)
		return 0;
	k.set = (__u16)set;
	k.tuple = (__u8)i;
	k.proto = w->in.k.proto & t->proto_mask;
	k.sport = w->in.k.sport & t->sport_mask;
	k.dport = w->in.k.dport & t->dport_mask;
	mask16(k.src, w->in.k.src, t->src_mask);
	mask16(k.dst, w->in.k.dst, t->dst_mask);
	h = bpf_map_lookup_elem(&xfwd_filter_hits, &k);
	if (!h)
		return 0;
	for (j = 0; j < XFWD_FILTER_HIT_MAX && j < h->n; j++) {
		struct xfwd_filter_range *r = &h->r[j];

		if (r->e >> 2 < w->floor || !range_has(r, &w->in))
			continue;
		if (w->best == FILTER_NONE || r->e >> 2 < w->best >> 2)
			w->best = r->e;
		break;
	}
	return 0;
}

/* The first rule at or after slot `floor` that matches: slot << 2 |
 * action, or FILTER_NONE. One hash lookup per tuple, tuples in the order
 * of their best rule, stopping where none can beat what was found; under
 * bpf_loop, so the verifier checks one step, not 64. */
static __always_inline __u32 filter_search(struct filter_walk *w, __u32 floor)
{
	w->floor = floor;
	w->best = FILTER_NONE;
	bpf_loop(XFWD_FILTER_TUPLES, filter_step, w, 0);
	return w->best;
}

static __always_inline void filter_count(__u32 slot, __u32 bytes)
{
	struct xfwd_counter *c = bpf_map_lookup_elem(&xfwd_filter_stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Set `set`'s verdict on the packet (enum xfwd_filter_action, never
 * COUNT): count rules that match are counted on the way to the first
 * rule that decides, or the default. */
static __always_inline __u32 filter_decide(struct filter_walk *w, __u32 set)
{
	struct xfwd_filter_set *s = bpf_map_lookup_elem(&xfwd_filter_sets, &set);
	__u32 e, floor = 0, pass;

	if (!s)
		return XFWD_FILTER_ALLOW;
	w->in.set = set;
	for (pass = 0; pass < XFWD_FILTER_PASSES; pass++) {
		e = filter_search(w, floor);
		if (e == FILTER_NONE)
			e = s->deflt;
		filter_count(e >> 2, w->in.bytes);
		if ((e & 3) != XFWD_FILTER_COUNT)
			return e & 3;
		floor = (e >> 2) + 1;
	}
	/* More count rules matched than are counted: the default decides. */
	return s->deflt & 3;
}

/* Ports (ICMP: type and code in sport) from the L4 header; 1 when a
 * protocol with ports has none here (a cut header): like a later
 * fragment, it matches no rule about ports. */
static __always_inline int filter_ports(struct xfwd_filter_key *k, void *l4, void *data_end)
{
	__u8 *b = l4;

	if (xfwd_proto_has_ports(k->proto)) {
		if ((void *)(b + 4) > data_end)
			return 1;
		__builtin_memcpy(&k->sport, b, 2);
		__builtin_memcpy(&k->dport, b + 2, 2);
	} else if (k->proto == IPPROTO_ICMP || k->proto == 58 /* ICMPv6 */) {
		if ((void *)(b + 2) > data_end)
			return 1;
		__builtin_memcpy(&k->sport, b, 2);
	}
	return 0;
}

static __always_inline void filter_fields4(struct filter_in *f, struct iphdr *iph, void *l4,
					   void *data_end)
{
	f->k.src[10] = f->k.src[11] = 0xff;
	f->k.dst[10] = f->k.dst[11] = 0xff;
	__builtin_memcpy(f->k.src + 12, &iph->saddr, 4);
	__builtin_memcpy(f->k.dst + 12, &iph->daddr, 4);
	f->k.proto = iph->protocol;
	f->later_frag = (iph->frag_off & bpf_htons(0x1fff)) != 0;
	if (!f->later_frag)
		f->later_frag = filter_ports(&f->k, l4, data_end);
}

/* IPv6: a fragment header's next header is the protocol; only the first
 * fragment carries ports. */
static __always_inline void filter_fields6(struct filter_in *f, struct ipv6hdr *ip6, void *l4,
					   void *data_end)
{
	__u8 *fh = l4;

	__builtin_memcpy(f->k.src, &ip6->saddr, 16);
	__builtin_memcpy(f->k.dst, &ip6->daddr, 16);
	f->k.proto = ip6->nexthdr;
	if (f->k.proto == 44) {
		if ((void *)(fh + 8) > data_end) {
			f->later_frag = 1;
			return;
		}
		f->k.proto = fh[0];
		f->later_frag = (fh[2] << 8 | fh[3]) >> 3 != 0;
		l4 = fh + 8;
	}
	if (!f->later_frag)
		f->later_frag = filter_ports(&f->k, l4, data_end);
}

/* Where a packet's headers are, where it comes from and goes: what the
 * forwarding paths hand filter_packet. */
struct filter_at {
	__u32 l3_off, l4_off; /* from the frame's start */
	__u32 v4;
	__u32 bytes;
	__u32 in_tunnel, in_port;  /* decapsulated from the tunnel, else received on the port */
	__u32 out_kind;              /* the next hop's: a tunnel's, or a port's */
	__u32 out_tunnel, out_port;  /* to be encapsulated into the tunnel, else sent from the port */
};

/* The in and out sets that apply (0 = none). */
static __always_inline void filter_sets_for(const struct filter_at *at, __u32 *in, __u32 *out)
{
	*in = at->in_tunnel ? filter_bound(xfwd_filter_bind_tunnel(XFWD_FILTER_IN, at->in_tunnel), 0)
			    : filter_bound(xfwd_filter_bind_port(XFWD_FILTER_IN, at->in_port), at->in_port);
	*out = at->out_kind == XFWD_NH_TUNNEL ? filter_bound(xfwd_filter_bind_tunnel(XFWD_FILTER_OUT, at->out_tunnel), 0)
			      : filter_bound(xfwd_filter_bind_port(XFWD_FILTER_OUT, at->out_port), at->out_port);
}

/* 1 when a set denies the packet. A global function taking the context,
 * not packet pointers: inlined in both forwarding paths, its branches
 * multiplied the verifier's states past its limit. The search runs in
 * its frame (bpf_loop's step the only frame below): each global function
 * between them added its frame to the combined stack, which the 6.1
 * kernel refused past 512 bytes. */
__noinline int filter_packet(struct xdp_md *ctx, const struct filter_at *at)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct filter_walk w = {};
	struct filter_in *f = &w.in;
	__u32 in, out;
	void *l3, *l4;

	if (!at)
		return 1;
	filter_sets_for(at, &in, &out);
	if (!in && !out)
		return 0;
	/* Up to a gwlb packet's inner headers: Ethernet, VLAN, outer IPv4
	 * with options, UDP, GENEVE with 252 bytes of options (docs/gwlb.md). */
	l3 = data + (at->l3_off & 0x1ff);
	l4 = data + (at->l4_off & 0x1ff);
	if (at->v4) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > data_end)
			return 1;
		filter_fields4(f, iph, l4, data_end);
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return 1;
		filter_fields6(f, ip6, l4, data_end);
	}
	/* The hub's view: a translated source is seen as its mapped
	 * address (docs/translation.md). */
	xlat_view_src(at->in_tunnel, at->in_port, (struct xlat_addr *)f->k.src, at->v4);
	f->bytes = at->bytes;
	if (in && filter_decide(&w, in) == XFWD_FILTER_DENY)
		return 1;
	return out && filter_decide(&w, out) == XFWD_FILTER_DENY;
}

/* 1 when a set denies the packet. Where no set is bound (the common
 * case) the packet pays the two array lookups of the bindings, inline,
 * and no call. */
static __always_inline int filter_denies(struct xdp_md *ctx, const struct pkt *p,
					 const struct xfwd_nh *nh, void *l3, void *l4)
{
	void *data = (void *)(long)ctx->data;
	struct filter_at at = {
		.l3_off = (__u32)(l3 - data),
		.l4_off = (__u32)(l4 - data),
		.v4 = p->proto == ETH_P_IP,
		.bytes = p->l3_len,
		.in_tunnel = p->tunnel,
		.in_port = ctx->ingress_ifindex,
		.out_kind = nh->kind,
		.out_tunnel = nh->tunnel,
		.out_port = nh->ifindex,
	};
	__u32 in, out;

	filter_sets_for(&at, &in, &out);
	if (!(in | out))
		return 0;
	return filter_packet(ctx, &at);
}

#endif
