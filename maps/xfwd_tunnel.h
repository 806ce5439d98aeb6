/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Tunnel facts both sides use, defined once: the headers a tunnel puts in
 * front of the inner packet (XDP builds them, the loader sizes next-hop
 * MTUs by them), and its decapsulation entries in xfwd_tunnel_peers (see
 * struct xfwd_tunnel_key): how their keys are made, so the loader and the
 * packet tests cannot drift from each other.
 */
#ifndef XFWD_TUNNEL_H
#define XFWD_TUNNEL_H

#include "xfwd_abi.h"

/* VXLAN and GENEVE: UDP, then 8 bytes (flags or version word, VNI << 8). */
#define XFWD_UDP_LEN 8
#define XFWD_UDP_TUN_LEN 8
#define XFWD_ETH_LEN 14

static inline int xfwd_tunnel_udp(const struct xfwd_tunnel *t)
{
	return t->type == XFWD_TUN_VXLAN || t->type == XFWD_TUN_GENEVE;
}

/* VXLAN always, GENEVE unless configured for IP payloads, carry Ethernet. */
static inline int xfwd_tunnel_inner_eth(const struct xfwd_tunnel *t)
{
	return xfwd_tunnel_udp(t) && !(t->flags & XFWD_TUN_F_INNER_IP);
}

/* Bytes between the outer IP header and the inner packet (GRE: 4, or 8
 * with a key; UDP tunnels: 16, or 30 with the inner Ethernet header). */
static inline __u32 xfwd_tunnel_hdr_len(const struct xfwd_tunnel *t)
{
	if (xfwd_tunnel_udp(t))
		return XFWD_UDP_LEN + XFWD_UDP_TUN_LEN + (xfwd_tunnel_inner_eth(t) ? XFWD_ETH_LEN : 0);
	if (t->type == XFWD_TUN_GRE)
		return (t->flags & XFWD_TUN_F_KEY) ? 8 : 4;
	return 0;
}

/* Everything in front of the inner packet: the outer IP header too. */
static inline __u32 xfwd_tunnel_overhead(const struct xfwd_tunnel *t)
{
	return (t->family == 10 /* AF_INET6 */ ? 40 : 20) + xfwd_tunnel_hdr_len(t);
}

enum xfwd_peer_entry {
	XFWD_PEER_TUNNEL, /* its own: value the tunnel id */
	XFWD_PEER_PAIR,   /* the marker of its pair of endpoints */
	XFWD_PEER_LOCAL,  /* the marker of its local endpoint */
};

static inline void xfwd_peer_key(struct xfwd_tunnel_key *k, const struct xfwd_tunnel *tun,
				 enum xfwd_peer_entry e)
{
	int keyed = !!(tun->flags & XFWD_TUN_F_KEY);

	/* A gwlb tunnel has one entry, where its local endpoint's marker
	 * would be, naming it: any remote, any VNI (docs/gwlb.md). */
	if (tun->flags & XFWD_TUN_F_GWLB)
		e = XFWD_PEER_LOCAL;
	__builtin_memset(k, 0, sizeof(*k));
	k->type = tun->type;
	k->family = tun->family;
	__builtin_memcpy(k->local, tun->local, 16);
	if (e != XFWD_PEER_LOCAL)
		__builtin_memcpy(k->remote, tun->remote, 16);
	if (e == XFWD_PEER_TUNNEL) {
		k->keyed = (__u8)keyed;
		k->key = keyed ? tun->key : 0;
	}
	if (e == XFWD_PEER_PAIR)
		k->keyed = XFWD_TUNNEL_KEY_PAIR;
}

/* The order they are written in: the markers that make a wrong key a
 * drop, then the entry that decapsulates. */
#define XFWD_PEER_WRITE_ORDER { XFWD_PEER_PAIR, XFWD_PEER_LOCAL, XFWD_PEER_TUNNEL }

/* The value of entry e for tunnel id. */
static inline __u32 xfwd_peer_value(__u32 id, enum xfwd_peer_entry e)
{
	return e == XFWD_PEER_TUNNEL ? id : XFWD_TUNNEL_ENDPOINT;
}

/* AWS GWLB's GENEVE (docs/gwlb.md): option class 0x0108, types 1 (the
 * GWLB endpoint id, 8 bytes), 2 (the attachment id, 8 bytes) and 3 (the
 * flow cookie, 4 bytes), returned unchanged. */
#define XFWD_GWLB_OPT_CLASS 0x0108
#define XFWD_GWLB_OPT_ENDPOINT 1
#define XFWD_GWLB_OPT_ATTACHMENT 2
#define XFWD_GWLB_OPT_COOKIE 3

#endif
