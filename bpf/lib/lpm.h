/* SPDX-License-Identifier: GPL-2.0-only */
/* Route lookup. IPv4: DIR-24-8 (at most two array loads, whatever the
 * table size), or its compact copy (a few loads that stay in cache). IPv6: a multibit trie, a 16-bit root then a node per byte
 * (maps/xfwd_abi.h; 5 loads for a /48, whatever the table size). */
#ifndef XFWD_BPF_LPM_H
#define XFWD_BPF_LPM_H

#include <linux/in6.h>
#include <bpf/bpf_endian.h>
#include "maps.h"

/* Entry idx of a table stored XFWD_LPM_LINE entries to a map value. */
static __always_inline __u32 lpm_entry(void *map, __u32 idx)
{
	__u32 line = idx / XFWD_LPM_LINE;
	struct xfwd_lpm_line *l = bpf_map_lookup_elem(map, &line);

	return l ? l->e[idx % XFWD_LPM_LINE] : 0;
}

/* Which IPv4 table XDP reads (enum xfwd_ipv4_table), set by the loader
 * before the program is loaded, from xfwd_info: the verifier drops the
 * other branch. */
#ifndef XFWD_IPV4_TABLE_LOADED /* -D...=1 to count the verifier's walk of the compact one */
#define XFWD_IPV4_TABLE_LOADED XFWD_IPV4_TBL24
#endif
const volatile __u32 xfwd_ipv4_table = XFWD_IPV4_TABLE_LOADED;

/* The tbl24 entry for ip (without its depth), through the compact copy:
 * the /16's entry, and for a /16 whose /24s differ the block's bitmap
 * word, then its run's 16 bits (maps/xfwd_abi.h). */
static __always_inline __u32 lpm4c_entry(__u32 ip)
{
	__u32 v = lpm_entry(&xfwd_tblc16, ip >> 16), at, i, q, r, w;
	struct xfwd_lpm_line *l;
	__u64 bm;

	if (!(v & XFWD_C16_BLOCK))
		return v;
	if (!(v >> XFWD_C16_LINES_SHIFT & XFWD_C16_LINES_MASK))
		return lpm_entry(&xfwd_tbl24, ip >> 8); /* no room when it changed */
	at = v & XFWD_LPM_TARGET_MASK;
	l = bpf_map_lookup_elem(&xfwd_tblc, &at);
	if (!l)
		return 0;
	i = ip >> 8 & 0xff;
	q = i >> 6;
	bm = (__u64)l->e[(2 * q + 1) & 7] << 32 | l->e[(2 * q) & 7];
	r = (l->e[XFWD_CBLK_BASES] >> (8 * q) & 0xff) + __builtin_popcountll(bm & (~0ULL >> (63 - (i & 63)))) - 1;
	w = XFWD_CBLK_RUNS + (r / 2 & 127);
	if (w < XFWD_LPM_LINE) {
		/* The compiler tests r, not w, and drops the mask: 6.1's
		 * verifier then loses w's bound. Keep the mask. */
		barrier_var(w);
		w = l->e[w & (XFWD_LPM_LINE - 1)];
	} else {
		w = lpm_entry(&xfwd_tblc, at * XFWD_LPM_LINE + w);
	}
	w = w >> (16 * (r & 1)) & 0xffff;
	if (!w)
		return 0;
	return XFWD_LPM_VALID | (w & XFWD_CRUN_EXT ? XFWD_LPM_EXT : 0) | (w & XFWD_CRUN_TARGET);
}

/* Returns the table entry for daddr; XFWD_LPM_VALID clear = no route. */
static __always_inline __u32 lpm4_lookup(__be32 daddr)
{
	__u32 ip = bpf_ntohl(daddr);
	__u32 v = xfwd_ipv4_table == XFWD_IPV4_COMPACT ? lpm4c_entry(ip) : lpm_entry(&xfwd_tbl24, ip >> 8);

	if (!(v & XFWD_LPM_EXT))
		return v;
	return lpm_entry(&xfwd_tbl8, (v & XFWD_LPM_TARGET_MASK) * XFWD_TBL8_GROUP_SIZE + (ip & 0xff));
}

struct lpm6_dst {
	struct in6_addr a;
};

/* The tbl6 entry for a: the root's for bytes 0-1, then one load per byte
 * while the entry links a deeper node. The first four steps are taken
 * whatever the entry: a step whose entry links no node reads that entry
 * again (in cache), so no lookup waits on a branch its prefix length
 * mispredicts (a /32 stops after 3 loads, a /48 after 5: 35% and 64% of
 * the real table). Longer prefixes finish in the loop. */
static __always_inline __u32 lpm6_walk(const struct in6_addr *a)
{
	__u32 idx = (__u32)a->s6_addr[0] << 8 | a->s6_addr[1], v = lpm_entry(&xfwd_tbl6, idx), m;
	int b;

#pragma unroll
	for (b = 2; b < 6; b++) {
		m = 0 - (v >> 30 & 1); /* XFWD_LPM6_EXT: all ones */
		barrier_var(m);
		idx = (((v & XFWD_LPM6_TARGET_MASK) * XFWD_TBL6_NODE + a->s6_addr[b]) & m) | (idx & ~m);
		v = lpm_entry(&xfwd_tbl6, idx);
	}
	for (; b < 16 && (v & XFWD_LPM6_EXT); b++)
		v = lpm_entry(&xfwd_tbl6, (v & XFWD_LPM6_TARGET_MASK) * XFWD_TBL6_NODE + a->s6_addr[b]);
	return v;
}

/* The data path's: a global function, so the verifier walks the loop
 * once, not at every call site in every state (inline, it cost 47k more
 * instructions processed on 6.18). */
__noinline __u32 lpm6_entry_of(const struct lpm6_dst *d)
{
	return d ? lpm6_walk(&d->a) : 0;
}

/* Global functions take no packet pointer: the address goes on the stack. */
static __always_inline __u32 lpm6_entry(const struct in6_addr *daddr)
{
	struct lpm6_dst d;

	__builtin_memcpy(&d.a, daddr, sizeof(d.a));
	return lpm6_entry_of(&d);
}

/* The group id of the longest route for daddr, or 0 (never a valid
 * group) if none; *len becomes the route's length. */
static __always_inline __u32 lpm6_lookup_len(const struct in6_addr *daddr, __u32 *len)
{
	__u32 v = lpm6_entry(daddr);

	if (!(v & XFWD_LPM6_VALID))
		return 0;
	*len = v >> XFWD_LPM6_DEPTH_SHIFT & XFWD_LPM6_DEPTH_MASK;
	return v & XFWD_LPM6_TARGET_MASK;
}

static __always_inline __u32 lpm6_lookup(const struct in6_addr *daddr)
{
	__u32 len;

	return lpm6_lookup_len(daddr, &len);
}

#endif
