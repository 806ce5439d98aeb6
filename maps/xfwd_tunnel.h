/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A tunnel's decapsulation entries in xfwd_tunnel_peers (see struct
 * xfwd_tunnel_key): how their keys are made, defined once for the loader
 * and the packet tests, so the tests cannot drift from what xfwd writes.
 */
#ifndef XFWD_TUNNEL_H
#define XFWD_TUNNEL_H

#include "xfwd_abi.h"

enum xfwd_peer_entry {
	XFWD_PEER_TUNNEL, /* its own: value the tunnel id */
	XFWD_PEER_PAIR,   /* the marker of its pair of endpoints */
	XFWD_PEER_LOCAL,  /* the marker of its local endpoint */
};

static inline void xfwd_peer_key(struct xfwd_tunnel_key *k, const struct xfwd_tunnel *tun,
				 enum xfwd_peer_entry e)
{
	int keyed = !!(tun->flags & XFWD_TUN_F_KEY);

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

#endif
