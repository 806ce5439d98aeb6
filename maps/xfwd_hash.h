/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow hash and ECMP member choice, shared by the XDP program and the CLI
 * (`xfwd route get` must name the member the data path picks). Part of the
 * ABI: changing it moves flows between members.
 */
#ifndef XFWD_HASH_H
#define XFWD_HASH_H

#include <linux/types.h>

#define XFWD_HASH_SEED 0x9e3779b9u

/* Protocols whose first four bytes are source and destination ports
 * (TCP, UDP, SCTP, UDP-Lite): the flow hash takes them in. */
static inline int xfwd_proto_has_ports(__u8 proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}
#define XFWD_HASH_ECMP_MAX 16u /* == XFWD_ECMP_MAX */

static inline __u32 xfwd_rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/* Bob Jenkins' lookup3 final mix of three words (as the kernel's jhash). */
static inline __u32 xfwd_hash3(__u32 a, __u32 b, __u32 c)
{
	a += XFWD_HASH_SEED;
	b += XFWD_HASH_SEED;
	c += XFWD_HASH_SEED;
	c ^= b; c -= xfwd_rol32(b, 14);
	a ^= c; a -= xfwd_rol32(c, 11);
	b ^= a; b -= xfwd_rol32(a, 25);
	c ^= b; c -= xfwd_rol32(b, 16);
	a ^= c; a -= xfwd_rol32(c, 4);
	b ^= a; b -= xfwd_rol32(a, 14);
	c ^= b; c -= xfwd_rol32(b, 24);
	return c;
}

/*
 * Hash of a flow. Addresses are folded to one word each (IPv6: XOR of the
 * four words); `ports` is (sport << 16 | dport) in network byte order as
 * read from the packet, or 0 for fragments and protocols without ports, so
 * every fragment of a datagram takes the same member (3-tuple).
 */
static inline __u32 xfwd_flow_hash(__u32 saddr, __u32 daddr, __u32 ports,
				   __u8 proto)
{
	return xfwd_hash3(saddr, daddr ^ ((__u32)proto << 24), ports);
}

/* Map a hash onto [0, n) without a division (Lemire's multiply-shift). */
static inline __u32 xfwd_pick(__u32 hash, __u32 n)
{
	return (__u32)(((__u64)hash * n) >> 32);
}

#define XFWD_HASH_BUCKET_BITS 8u /* == XFWD_BUCKET_BITS */

/* The bucket of a flow: the hash's top bits (xfwd_abi.h, struct
 * xfwd_group_set). */
static inline __u32 xfwd_bucket(__u32 hash)
{
	return hash >> (32 - XFWD_HASH_BUCKET_BITS);
}

/*
 * Member choice for a flow in a group of n members (docs/ecmp.md):
 *   1. the member its bucket names, while it is alive, so a flow stays on
 *      its member and only the flows of a dead member move;
 *   2. otherwise probe from xfwd_probe_start(hash, n), wrapping, and take
 *      the first live member that is not drained, or else the first live
 *      drained one (a drained member is the last resort). The start uses
 *      the hash's other half (the bucket fixes its top bits), spreading a
 *      dead member's flows.
 * The XDP program walks step 2 with map lookups (bpf/lib/nexthop.h);
 * user space uses xfwd_choose() with masks of dead and drained members.
 */
static inline __u32 xfwd_probe_start(__u32 hash, __u32 n)
{
	return xfwd_pick(xfwd_rol32(hash, 16), n);
}

/* first: the member index the flow's bucket names. Returns the member
 * index, or -1 when all are dead. */
static inline int xfwd_choose(__u32 hash, __u32 n, __u32 first, __u32 dead_mask,
			      __u32 drained_mask)
{
	int fallback = -1;
	__u32 i, s;

	if (n == 0 || n > XFWD_HASH_ECMP_MAX)
		return -1;
	if (first < n && !(dead_mask & (1u << first)))
		return (int)first;
	i = xfwd_probe_start(hash, n);
	for (s = 0; s < n; s++, i = (i + 1 == n) ? 0 : i + 1) {
		if (dead_mask & (1u << i))
			continue;
		if (!(drained_mask & (1u << i)))
			return (int)i;
		if (fallback < 0)
			fallback = (int)i;
	}
	return fallback;
}

#endif /* XFWD_HASH_H */
