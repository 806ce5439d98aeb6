/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XFWD_BPF_IPV4_H
#define XFWD_BPF_IPV4_H

#include "csum.h"
#include "lpm.h"
#include "nexthop.h"
#include "encap.h"
#include "xfrm.h"
#include "icmp.h"
#include "filter.h"
#include "../../maps/xfwd_special.h"


static __always_inline void ipv4_flow(struct iphdr *iph, void *l4,
				      void *data_end, struct flow *f)
{
	f->saddr = iph->saddr;
	f->daddr = iph->daddr;
	f->proto = iph->protocol;
	/* Fragments hash on addresses and protocol only, so the first one
	 * (with ports) and the rest (without) take the same member. */
	if (iph->frag_off & bpf_htons(0x3fff))
		f->ports = 0;
	else
		f->ports = read_ports(l4, data_end, iph->protocol);
}

static __always_inline int ipv4_forward(struct xdp_md *ctx, struct pkt *p,
					struct hdr_cursor *c)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct flow f = {};
	struct iphdr *iph;
	struct xfwd_nh *nh;
	__u32 e, reason;
	int act;

	if (parse_ipv4(c, data_end, &iph))
		return DROP(ctx, DROP_MALFORMED_IP);
	p->l3_len = bpf_ntohs(iph->tot_len);
	if (xfwd_special4(bpf_ntohl(iph->daddr), bpf_ntohl(iph->saddr)))
		return PASS(ctx, PASS_SPECIAL_DST);
	e = lpm4_lookup(iph->daddr);
	if (!(e & XFWD_LPM_VALID))
		return PASS(ctx, PASS_NO_ROUTE);
	ipv4_flow(iph, c->pos, data_end, &f);
	nh = route_resolve(e & XFWD_LPM_TARGET_MASK, &f, &reason);
	if (!nh)
		return xfwd_verdict_of(ctx, reason);
	if (nh->flags & XFWD_NH_F_XFRM)
		return xfrm_pass(ctx, nh, p);
	/* Local delivery was decided above; only transit checks TTL. */
	if (iph->ttl <= 1)
		return PASS(ctx, PASS_TTL);
	/* As hardware routers punt them to their CPU: options are rare in
	 * transit and some (RR, TS, source route) need the router to write
	 * into the header. See docs/ipv4-options.md. */
	if (iph->ihl > 5)
		return PASS(ctx, PASS_IP_OPTIONS);
	/* RFC 1812 5.2.2: verify before forwarding (what the kernel gets, it
	 * verifies itself). docs/ipv4-header-checksum.md */
	if (!ipv4_csum_ok(iph))
		return DROP(ctx, DROP_MALFORMED_IP);
	if (filter_denies(ctx, p, nh, iph, c->pos))
		return DROP(ctx, DROP_FILTER);
	act = nh_tx_action(ctx, nh, p, &reason);
	/* Too big with DF: answer it, so path MTU discovery works through
	 * tunnels; without DF the kernel fragments. */
	if (act < 0 && reason == XFWD_R_PASS_MTU && (iph->frag_off & bpf_htons(0x4000)))
		return icmp4_too_big(ctx, p, nh->mtu);
	/* After the too-big answer (it quotes what the sender sent), before
	 * what the kernel gets (its source translated; a destination it
	 * would have to translate is dropped). docs/translation.md */
	if (xlat_forward(ctx, p, nh, iph, act))
		return DROP(ctx, DROP_XLAT);
	if (act < 0)
		return xfwd_verdict_of(ctx, reason);
	ipv4_dec_ttl(iph);
	if (nh->kind == XFWD_NH_TUNNEL) {
		p->tos = iph->tos;
		p->hash = xfwd_flow_hash(f.saddr, f.daddr, f.ports, f.proto);
		return tunnel_encap(ctx, nh, p, act);
	}
	return nh_transmit(ctx, nh, p, act);
}

#endif
