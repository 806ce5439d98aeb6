/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XFWD_BPF_IPV6_H
#define XFWD_BPF_IPV6_H

#include "lpm.h"
#include "nexthop.h"
#include "encap.h"
#include "xfrm.h"
#include "icmp.h"
#include "filter.h"

/* Extension headers the fast path does not walk: hop-by-hop must be seen
 * by every router (the kernel does it); the others hide the L4 header the
 * flow hash reads. The fragment header is forwarded (3-tuple hash). */
static __always_inline int ipv6_ext_unhandled(__u8 nexthdr)
{
	switch (nexthdr) {
	case 0:   /* hop-by-hop options */
	case 43:  /* routing */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
	case 253: /* experimental */
	case 254:
		return 1;
	}
	return 0;
}

/* Never forwarded (maps/xfwd_special.h). */
static __always_inline int ipv6_special(struct ipv6hdr *ip6)
{
	return xfwd_special6(bpf_ntohl(ip6->daddr.s6_addr32[0]), bpf_ntohl(ip6->daddr.s6_addr32[1]),
			     bpf_ntohl(ip6->daddr.s6_addr32[2]), bpf_ntohl(ip6->daddr.s6_addr32[3]),
			     bpf_ntohl(ip6->saddr.s6_addr32[0]));
}

static __always_inline __u32 ipv6_fold(const struct in6_addr *a)
{
	return a->s6_addr32[0] ^ a->s6_addr32[1] ^ a->s6_addr32[2] ^
	       a->s6_addr32[3];
}

/* Every member of the route's group is dead: the longest shorter route
 * whose group has a live one (the trie answers "longest of at most len
 * bits" itself), within XFWD_COVER_MAX steps. bpf_loop: the verifier
 * walks one step, not every path through eight. */
struct cover6 {
	struct xfwd_route_key6 key;
	struct flow f;
	__u32 id;
};

static long cover6_step(__u32 i __attribute__((unused)), void *ctx)
{
	struct cover6 *c = ctx;
	struct xfwd_route *r;
	__u32 reason;

	if (!c->key.prefixlen)
		return 1;
	c->key.prefixlen--;
	r = bpf_map_lookup_elem(&xfwd_routes6, &c->key);
	if (!r)
		return 1;
	c->key.prefixlen = r->prefixlen;
	c->id = group_pick(r->group, &c->f, &reason);
	return c->id != 0;
}

/* The next hop the flow takes through that cover; 0: none, the kernel's.
 * A global function: the verifier checks it once, not again for every
 * state the forwarding path reaches it in. */
__noinline __u32 lpm6_cover_pick(const struct cover6 *in)
{
	struct cover6 c;

	if (!in)
		return 0;
	c = *in;
	c.id = 0;
	bpf_loop(XFWD_COVER_MAX, cover6_step, &c, 0);
	return c.id;
}

static __always_inline __u32 cover_pick(const struct in6_addr *daddr, __u32 len,
					const struct flow *f)
{
	struct cover6 c = { .key = { .prefixlen = len }, .f = *f };

	__builtin_memcpy(c.key.addr, daddr, sizeof(c.key.addr));
	return lpm6_cover_pick(&c);
}

static __always_inline int ipv6_forward(struct xdp_md *ctx, struct pkt *p,
					struct hdr_cursor *c)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6;
	struct xfwd_nh *nh;
	struct flow f = {};
	__u32 gid, id, reason, len = 128;
	int act;

	if (parse_ipv6(c, data_end, &ip6))
		return DROP(ctx, DROP_MALFORMED_IP);
	p->l3_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	if (ipv6_special(ip6))
		return PASS(ctx, PASS_SPECIAL_DST);
	gid = lpm6_lookup_len(&ip6->daddr, &len);
	if (!gid)
		return PASS(ctx, PASS_NO_ROUTE);
	f.saddr = ipv6_fold(&ip6->saddr);
	f.daddr = ipv6_fold(&ip6->daddr);
	f.proto = ip6->nexthdr;
	f.ports = read_ports(c->pos, data_end, ip6->nexthdr);
	id = group_pick(gid, &f, &reason);
	if (!id && reason == XFWD_R_PASS_ALL_DEAD)
		id = cover_pick(&ip6->daddr, len, &f);
	nh = nh_resolve(id, &reason);
	if (!nh)
		return xfwd_verdict_of(ctx, reason);
	if (nh->flags & XFWD_NH_F_XFRM)
		return xfrm_pass(ctx, nh, p);
	if (ip6->hop_limit <= 1)
		return PASS(ctx, PASS_TTL);
	if (ipv6_ext_unhandled(ip6->nexthdr))
		return PASS(ctx, PASS_IPV6_EXT);
	if (filter_denies(ctx, p, nh, ip6, c->pos))
		return DROP(ctx, DROP_FILTER);
	act = nh_tx_action(ctx, nh, p, &reason);
	if (act < 0 && reason == XFWD_R_PASS_MTU)
		return icmp6_too_big(ctx, p, nh->mtu);
	if (xlat_forward(ctx, p, nh, ip6, act))
		return DROP(ctx, DROP_XLAT);
	if (act < 0)
		return xfwd_verdict_of(ctx, reason);
	ip6->hop_limit--;
	if (nh->kind == XFWD_NH_TUNNEL) {
		p->tos = (__u8)(ip6->priority << 4 | ip6->flow_lbl[0] >> 4);
		p->hash = xfwd_flow_hash(f.saddr, f.daddr, f.ports, f.proto);
		return tunnel_encap(ctx, nh, p, act);
	}
	return nh_transmit(ctx, nh, p, act);
}

#endif
