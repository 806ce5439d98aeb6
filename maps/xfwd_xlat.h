/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * 1:1 prefix translation per tunnel and interface (docs/translation.md):
 * the layouts XDP reads and the loader writes. A rule maps a real prefix
 * (behind its target) to a mapped prefix of the same length (what the
 * rest of the network sees): the source of packets from the target, real
 * to mapped; the destination of packets to it, mapped to real. Stateless:
 * each packet on its own, both ways by the same rule.
 */
#ifndef XFWD_XLAT_H
#define XFWD_XLAT_H

#include <linux/types.h>

#define XFWD_XLAT_RULES 4096u /* rules over all targets */

/* Which targets hold rules, one entry per tunnel id and port slot (as
 * the filter binds): what a packet pays where none does. */
#define XFWD_XLAT_BIND_TUNNELS 1024u /* == XFWD_MAX_TUNNELS */
#define XFWD_XLAT_BIND_PORTS 256u    /* == XFWD_PORT_SLOTS */
#define XFWD_XLAT_BINDS (XFWD_XLAT_BIND_TUNNELS + XFWD_XLAT_BIND_PORTS)

static inline __u32 xfwd_xlat_bind_tunnel(__u32 tid)
{
	return tid & (XFWD_XLAT_BIND_TUNNELS - 1);
}

static inline __u32 xfwd_xlat_bind_port(__u32 ifindex)
{
	return XFWD_XLAT_BIND_TUNNELS + ifindex % XFWD_XLAT_BIND_PORTS;
}

/* ifindex: port binds only (checked, as slots are shared); rules: how
 * many the target holds (0: none, the packet is not looked up). */
struct xfwd_xlat_bind {
	__u32 ifindex;
	__u32 rules;
};

/* The LPM trie's key: the direction and the target's bind index, whole,
 * then the address (IPv4 v4-mapped, ::ffff:a.b.c.d). prefixlen counts
 * the 32 bits of `target` too. */
#define XFWD_XLAT_OUT 0x80000000u /* destination, mapped -> real; else source, real -> mapped */
struct xfwd_xlat_key {
	__u32 prefixlen;
	__u32 target; /* XFWD_XLAT_OUT | bind index */
	__u8 addr[16];
};

/* How the address is rewritten: the prefix's bits replaced (NETMAP), the
 * L4 checksums updated; or, IPv6 prefixes of 64 bits or fewer, NPTv6's
 * checksum-neutral mapping (RFC 6296: one 16-bit word after the prefix
 * absorbs the difference, no checksum changes). */
enum xfwd_xlat_mode { XFWD_XLAT_NETMAP = 0, XFWD_XLAT_NPT = 1 };

struct xfwd_xlat_val {
	__u8 to[16];    /* the other prefix (v4-mapped for IPv4), host bits zero */
	__u32 slot;     /* the rule's: its counters at 2 * slot + direction */
	__u8 len;       /* prefix length in the family's bits */
	__u8 mode;      /* enum xfwd_xlat_mode */
	__u16 adj;      /* NPT: the one's complement difference, as memory holds it */
};

/* A rule as configured, per slot (user space only: `xlat show` and what
 * a delete removes). target: tunnel id or ifindex. */
#define XFWD_XLAT_R_USED (1u << 0)
#define XFWD_XLAT_R_TUNNEL (1u << 1)
#define XFWD_XLAT_R_V4 (1u << 2)
struct xfwd_xlat_rule {
	__u8 real[16], mapped[16]; /* v4-mapped for IPv4 */
	__u32 target;
	__u8 len;
	__u8 flags;
	__u16 pad;
};

#endif
