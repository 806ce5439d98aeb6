/* SPDX-License-Identifier: GPL-2.0-only */
/* The next hops into ipsec tunnels: the kernel encrypts (docs/ipsec.md). */
#ifndef XFWD_BPF_XFRM_H
#define XFWD_BPF_XFRM_H

#include "parse.h"
#include "stats.h"
#include "tunnel_hdr.h"

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

#endif
