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

/* xfwd_tbl6's entries (its value's size / 4), set by the loader from the
 * map the program is loaded with: the verifier proves every index below
 * it, so a program and a map of different sizes do not load. */
const volatile __u32 xfwd_tbl6_entries = XFWD_DEF_TBL6_ENTRIES;

/* Half i (0: bytes 0-7, 1: bytes 8-15) of a, in host order. */
static __always_inline __u64 lpm6_half(const struct in6_addr *a, int i)
{
	return (__u64)bpf_ntohl(a->s6_addr32[2 * i]) << 32 | bpf_ntohl(a->s6_addr32[2 * i + 1]);
}

/* The tbl6 entry for the address hi:lo (lpm6_half): the root's for bytes
 * 0-1, then one load per byte while the entry links a deeper node. The
 * table is one map value, so a step is a bound check and a load, not a
 * map lookup (docs/route-table-ipv6.md). The first four steps are taken
 * whatever the entry: a step whose entry links no node reads that entry
 * again (in cache), so no lookup waits on a branch its prefix length
 * mispredicts (a /32 stops after 3 loads, a /48 after 5: 35% and 64% of
 * the real table). Longer prefixes finish in the loop. */
static __always_inline __u32 lpm6_walk(__u64 hi, __u64 lo)
{
	__u32 zero = 0, *t = bpf_map_lookup_elem(&xfwd_tbl6, &zero), n = xfwd_tbl6_entries;
	__u32 idx = hi >> 48, v, m, byte;
	int b;

	if (!t || idx >= n)
		return 0;
	v = t[idx];
#pragma unroll
	for (b = 2; b < 6; b++) {
		m = 0 - (v >> 30 & 1); /* XFWD_LPM6_EXT: all ones */
		barrier_var(m);
		byte = hi >> (56 - 8 * b) & 0xff;
		idx = (((v & XFWD_LPM6_TARGET_MASK) * XFWD_TBL6_NODE + byte) & m) | (idx & ~m);
		if (idx >= n)
			return 0;
		v = t[idx];
	}
	for (; b < 16 && (v & XFWD_LPM6_EXT); b++) {
		byte = (b < 8 ? hi >> (56 - 8 * b) : lo >> (120 - 8 * b)) & 0xff;
		idx = (v & XFWD_LPM6_TARGET_MASK) * XFWD_TBL6_NODE + byte;
		if (idx >= n)
			return 0;
		v = t[idx];
	}
	return v;
}

/* The data path's: a global function, so the verifier walks the loop
 * once, not at every call site in every state (inline, it cost 47k more
 * instructions processed on 6.18). It takes the address as two scalars:
 * a global function may not take a packet pointer, and a copy on the
 * stack cost ~15 ns a lookup more at the full table (the lpm bench). */
__noinline __u32 lpm6_entry_of(__u64 hi, __u64 lo)
{
	return lpm6_walk(hi, lo);
}

static __always_inline __u32 lpm6_entry(const struct in6_addr *daddr)
{
	return lpm6_entry_of(lpm6_half(daddr, 0), lpm6_half(daddr, 1));
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
