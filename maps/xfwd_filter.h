/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Stateless filters per tunnel and interface (docs/filters.md): the
 * layouts XDP reads and the loader writes. Tuple space search: a rule set
 * is a list of tuples (which bits of each field its rules look at) and one
 * hash entry per rule and tuple, so a packet costs one hash lookup per
 * tuple, however many rules share it.
 */
#ifndef XFWD_FILTER_H
#define XFWD_FILTER_H

#include <linux/types.h>

#define XFWD_FILTER_SETS 512u       /* rule sets, 0 = none; a replace needs a spare */
#define XFWD_FILTER_TUPLES 64u      /* tuples per set */
#define XFWD_FILTER_RULES 65536u    /* rule slots over all sets (with counters) */
#define XFWD_FILTER_ENTRIES 1048576u /* hash entries over all sets */
#define XFWD_FILTER_HIT_MAX 8u      /* rules one hash entry names */
#define XFWD_FILTER_PASSES 8u       /* count rules counted per packet, plus one */

enum xfwd_filter_action {
	XFWD_FILTER_ALLOW = 0,
	XFWD_FILTER_DENY = 1,
	XFWD_FILTER_COUNT = 2, /* count and go on to the next rule that matches */
};

/* Where a set applies: in (received; a tunnel's after decapsulation) or
 * out (about to be sent; a tunnel's before encapsulation), on a tunnel
 * (by id) or an interface (by ifindex % XFWD_PORT_SLOTS, checked). */
enum xfwd_filter_dir { XFWD_FILTER_IN = 0, XFWD_FILTER_OUT = 1 };
#define XFWD_FILTER_BIND_TUNNELS 1024u /* == XFWD_MAX_TUNNELS */
#define XFWD_FILTER_BIND_PORTS 256u    /* == XFWD_PORT_SLOTS */
#define XFWD_FILTER_BINDS (2u * (XFWD_FILTER_BIND_TUNNELS + XFWD_FILTER_BIND_PORTS))

static inline __u32 xfwd_filter_bind_tunnel(__u32 dir, __u32 tid)
{
	return dir * (XFWD_FILTER_BIND_TUNNELS + XFWD_FILTER_BIND_PORTS) +
	       (tid & (XFWD_FILTER_BIND_TUNNELS - 1));
}

static inline __u32 xfwd_filter_bind_port(__u32 dir, __u32 ifindex)
{
	return dir * (XFWD_FILTER_BIND_TUNNELS + XFWD_FILTER_BIND_PORTS) +
	       XFWD_FILTER_BIND_TUNNELS + ifindex % XFWD_FILTER_BIND_PORTS;
}

/* Two copies and a selector, as next hops: a replace writes the idle
 * set id, then flips `active` (one byte). ifindex: port binds only. */
struct xfwd_filter_bind {
	__u32 ifindex;
	__u8 active;
	__u8 pad;
	__u16 set[2]; /* 0 = no filter */
};

/* The packet's fields as the hash key holds them, masked by a tuple.
 * IPv4 addresses v4-mapped (::ffff:a.b.c.d), so a rule without prefixes
 * matches both families. ICMP and ICMPv6: sport = type << 8 | code. */
struct xfwd_filter_key {
	__u16 set;
	__u8 tuple;
	__u8 proto;
	__be16 sport, dport;
	__u8 src[16], dst[16];
};

/* A rule of one key: slot << 2 | action, and the port ranges (host
 * order) it checks on packets of that key. A single port is in the key
 * instead (the tuple's mask) and its range here is full; a range stays
 * here, so that ranges do not multiply tuples. */
struct xfwd_filter_range {
	__u32 e;
	__u16 sport_lo, sport_hi, dport_lo, dport_hi;
};

/* The rules of one key in slot order, up to the first that decides for
 * all ports (later ones are shadowed there). */
struct xfwd_filter_hit {
	__u32 n;
	struct xfwd_filter_range r[XFWD_FILTER_HIT_MAX];
};

/* Which bits a tuple's rules match: prefixes, protocol, and each port
 * whole or not at all; `best` its lowest rule slot (a set's tuples are
 * sorted by it, so a search stops at a tuple that cannot hold a better
 * rule). ports: its keys hold a port, so a later fragment (no ports)
 * skips it. */
struct xfwd_filter_tuple {
	__u8 src_mask[16], dst_mask[16];
	__be16 sport_mask, dport_mask;
	__u8 proto_mask;
	__u8 ports;
	__u16 pad;
	__u32 best;
};

/* A set: its tuples and its default (the set's last slot, so the
 * default has a counter like a rule). Rule slots of a set are contiguous
 * and in order: a lower slot is an earlier rule. */
struct xfwd_filter_set {
	__u32 ntuples;
	__u32 deflt; /* slot << 2 | action */
	struct xfwd_filter_tuple t[XFWD_FILTER_TUPLES];
};

/* A rule as written, per slot (user space only: `filter show`, and the
 * keys a set's removal deletes). Addresses v4-mapped for IPv4 (lengths
 * then count the 96 bits of the mapping). ICMP type/code in sport. */
#define XFWD_FILTER_R_USED (1u << 0)
#define XFWD_FILTER_R_PROTO (1u << 1)   /* proto given */
#define XFWD_FILTER_R_DEFAULT (1u << 2) /* the set's default */
#define XFWD_FILTER_R_ICMP (1u << 3)    /* sport holds icmp-type */
struct xfwd_filter_rule {
	__u8 src[16], dst[16];
	__u8 src_len, dst_len;
	__u8 proto;
	__u8 action;
	__u8 flags;
	__u8 pad;
	__u16 set;
	__u16 sport_lo, sport_hi, dport_lo, dport_hi;
	__u32 nrules; /* the default's slot: the set's rule count */
};

#endif
