/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Addresses the fast path never forwards: XDP hands such packets to the
 * kernel (pass_special_dst), and `xfwd route get` says so. One rule for
 * both sides (docs/special-destinations.md). Addresses in host order.
 *
 * IPv4, destination: multicast (224/4), limited broadcast, "this
 * network" (0/8), loopback (127/8), link-local (169.254/16).
 * IPv4, source: link-local (169.254/16).
 * IPv6, destination: multicast (ff00::/8), link-local (fe80::/10),
 * unspecified (::) and loopback (::1).
 * IPv6, source: link-local (fe80::/10).
 *
 * Link-local either way: RFC 3927 (2.7) and RFC 4291 (2.5.6) say a router
 * must not forward it; it belongs to one link, such as Transit Gateway
 * Connect's 169.254.x.x/29 BGP addresses on a GRE device, which are the
 * appliance's own. The kernel decides what to do with such a packet.
 */
#ifndef XFWD_SPECIAL_H
#define XFWD_SPECIAL_H

#include <linux/types.h>

static inline int xfwd_ll4(__u32 a)
{
	return (a >> 16) == 0xa9fe; /* 169.254/16 */
}

static inline int xfwd_special4(__u32 dst, __u32 src)
{
	return (dst >> 28) == 0xe || dst == 0xffffffff || (dst >> 24) == 0 || (dst >> 24) == 127 ||
	       xfwd_ll4(dst) || xfwd_ll4(src);
}

/* d: the destination's four words, s0: the source's first. */
static inline int xfwd_special6(__u32 d0, __u32 d1, __u32 d2, __u32 d3, __u32 s0)
{
	if ((d0 >> 24) == 0xff || (d0 >> 22) == 0x3fa || (s0 >> 22) == 0x3fa)
		return 1;
	return !d0 && !d1 && !d2 && d3 <= 1; /* ::, ::1 */
}

#endif
