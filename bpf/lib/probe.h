/* SPDX-License-Identifier: GPL-2.0-only */
/* Tunnel health probes met while decapsulating (docs/health.md): a peer
 * xfwd's UDP probe is answered here, from XDP, back through the tunnel it
 * came in on; a reply to one of ours (UDP, or the ICMP echo reply of a
 * peer that is not xfwd) is noted for the daemon and dropped. */
#ifndef XFWD_BPF_PROBE_H
#define XFWD_BPF_PROBE_H

#include <linux/udp.h>
#include "maps.h"
#include "parse.h"
#include "stats.h"
#include "csum.h"
#include "tunnel_hdr.h"

#define PROBE_NONE (-1) /* not a probe: decapsulate as usual */

/* The probe in an inner IPv4 packet at ip: UDP to the probe port or an
 * ICMP echo reply with xfwd's identifier, carrying the magic. */
static __always_inline struct xfwd_probe *probe_find(struct iphdr *ip, void *data_end,
						     __u8 *udp)
{
	struct xfwd_probe *pr;
	struct udphdr *u = (void *)(ip + 1); /* ICMP's header is 8 bytes too */

	if ((void *)(u + 1) > data_end || ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)))
		return NULL;
	*udp = ip->protocol == IPPROTO_UDP;
	if (*udp) {
		/* A request goes to the port, its answer comes from it. */
		if (u->dest != bpf_htons(XFWD_PROBE_PORT) && u->source != bpf_htons(XFWD_PROBE_PORT))
			return NULL;
	} else {
		struct icmphdr *ic = (void *)u;

		if (ip->protocol != IPPROTO_ICMP || ic->type != ICMP_ECHOREPLY ||
		    ic->un.echo.id != bpf_htons(XFWD_PROBE_ICMP_ID))
			return NULL;
	}
	pr = (void *)(u + 1);
	if ((void *)(pr + 1) > data_end || pr->magic != bpf_htonl(XFWD_PROBE_MAGIC))
		return NULL;
	return pr;
}

/* Outer header of the answer: addresses swapped (no checksum changes),
 * TTL / hop limit the tunnel's, as if this host had sent it. */
static __always_inline int probe_turn_outer(void *l3, void *data_end,
					    const struct xfwd_tunnel *t)
{
	if (t->family == 10 /* AF_INET6 */) {
		struct ipv6hdr *o = l3;
		struct in6_addr a;

		if ((void *)(o + 1) > data_end)
			return -1;
		a = o->saddr;
		o->saddr = o->daddr;
		o->daddr = a;
		o->hop_limit = t->ttl;
		return 0;
	}
	struct iphdr *o = l3;
	__u32 check;

	if ((void *)(o + 1) > data_end)
		return -1;
	swap32(&o->saddr, &o->daddr);
	/* RFC 1624 over the TTL's 16-bit word (TTL is its high byte). */
	check = (__u16)~o->check;
	check += (__u16)~bpf_htons((__u16)(o->ttl << 8 | o->protocol));
	check += bpf_htons((__u16)(t->ttl << 8 | o->protocol));
	o->check = (__sum16)~fold(check);
	o->ttl = t->ttl;
	return 0;
}

/* Answer a peer's request where it stands: MACs, outer addresses, inner
 * addresses and ports swapped, type and comp swapped; every checksum
 * stays valid (sums of the same words). Out the port it came in on. */
static __always_inline int probe_answer(struct xdp_md *ctx, const struct xfwd_tunnel *t,
					struct iphdr *ip, struct xfwd_probe *pr,
					void *data_end)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *e = data;
	struct udphdr *u = (void *)(ip + 1);
	__u32 l2 = sizeof(struct ethhdr);
	__be16 port;

	if ((void *)(e + 1) > data_end)
		return DROP(ctx, DROP_TUNNEL_MALFORMED);
	if (e->h_proto == bpf_htons(ETH_P_8021Q))
		l2 = sizeof(struct vlan_ethhdr);
	swap_macs(e);
	if (probe_turn_outer(data + l2, data_end, t))
		return DROP(ctx, DROP_TUNNEL_MALFORMED);
	if (xfwd_tunnel_inner_eth(t)) { /* the inner Ethernet header just before ip */
		struct ethhdr *ie = (void *)ip - sizeof(*ie);

		if ((void *)ie < data || (void *)(ie + 1) > data_end)
			return DROP(ctx, DROP_TUNNEL_MALFORMED);
		swap_macs(ie);
	}
	swap32(&ip->saddr, &ip->daddr);
	port = u->source;
	u->source = u->dest;
	u->dest = port;
	pr->type = bpf_htons(XFWD_PROBE_REPLY);
	pr->comp = bpf_htons(XFWD_PROBE_REQUEST);
	return xfwd_verdict(ctx, XFWD_R_TX_PROBE_ANSWER, XDP_TX);
}

/* Note a reply to one of this host's probes for the daemon. */
static __always_inline int probe_note(struct xdp_md *ctx, struct xfwd_probe *pr)
{
	__u32 tid = pr->tunnel;
	struct xfwd_probe_rx *rx = bpf_map_lookup_elem(&xfwd_probe_rx, &tid);

	/* The count last: the daemon reads it first, through a mapping
	 * (loader/daemon/health.c rx_read), then this reply's times. */
	if (rx) {
		rx->seq = pr->seq;
		rx->tx_ns = pr->tx_ns;
		rx->rx_ns = bpf_ktime_get_ns();
		__sync_fetch_and_add(&rx->replies, 1);
	}
	return DROP(ctx, DROP_PROBE_REPLY);
}

/* A probe inside a packet of tunnel t: the final verdict, or PROBE_NONE. */
static __always_inline int probe_seen(struct xdp_md *ctx, const struct xfwd_tunnel *t,
				      void *in, void *data_end, __u16 inner)
{
	struct xfwd_probe *pr;
	__u8 udp = 0;

	if (inner != ETH_P_IP || !(pr = probe_find(in, data_end, &udp)))
		return PROBE_NONE;
	/* An ICMP echo reply carries our request back unchanged. */
	if (!udp || pr->type == bpf_htons(XFWD_PROBE_REPLY))
		return probe_note(ctx, pr);
	/* Only a request whose comp is the reply's type: the answer swaps the
	 * two, which keeps every checksum valid without recomputing one. */
	if (pr->type == bpf_htons(XFWD_PROBE_REQUEST) && pr->comp == bpf_htons(XFWD_PROBE_REPLY))
		return probe_answer(ctx, t, in, pr, data_end);
	return PROBE_NONE;
}

#endif
