/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one ABI between the XDP program and user space (loader, CLI, tests,
 * bpftool readers). Both sides include this file; there is no second copy.
 * Only <linux/types.h> types, explicit padding, sizes pinned below.
 *
 * Bump XFWD_ABI_VERSION whenever a struct, an enum value, a map's key or
 * value, or the LPM entry encoding changes: the loader refuses pins whose
 * xfwd_info carries another version.
 */
#ifndef XFWD_ABI_H
#define XFWD_ABI_H

#include <linux/types.h>

#include "xfwd_filter.h"
#include "xfwd_xlat.h"

#define XFWD_ABI_MAGIC 0x58465744u /* "XFWD" */
#define XFWD_ABI_VERSION 17u

#define XFWD_PIN_ROOT_DEFAULT "/sys/fs/bpf/xfwd"

/* Pinned map names: XFWD_PIN in xfwd_maps.h. */
/* Pinned bpf_link per attached interface: "<pin root>/link_<ifindex>". */
#define XFWD_LINK_PREFIX "link_"

/* Load-time defaults; each is a setting of `xfwd attach`. */
#define XFWD_DEF_TBL8_GROUPS 8192u
#define XFWD_DEF_ROUTES4 2097152u
#define XFWD_DEF_ROUTES6 524288u
#define XFWD_DEF_NEXTHOPS 4096u
#define XFWD_DEF_GROUPS 4096u
#define XFWD_DEF_TBL6_NODES 65536u
#define XFWD_DEF_TBLC_LINES 131072u /* 8 MiB; the real table over 8 next hops takes ~56,000 */
#define XFWD_MAX_IFACES 256u
#define XFWD_MAX_TUNNELS 1024u

/* ---- IPv4 DIR-24-8 table (xfwd_tbl24, xfwd_tbl8) ----
 * tbl24 is indexed by the top 24 bits of the destination; tbl8 by
 * group * 256 + low 8 bits. Entry i is e[i % 16] of map value i / 16: an
 * array map pads every value to 8 bytes, so one __u32 per value would
 * double the table and half of each cache line a lookup pulls in would be
 * padding (docs/route-table.md). An entry:
 *   bit 31     VALID  a route covers this range
 *   bit 30     EXT    (tbl24 only) TARGET is a tbl8 group index
 *   bits 24-29 DEPTH  prefix length of the route that wrote the entry
 *   bits 0-23  TARGET next-hop group id, or tbl8 group index with EXT
 */
#define XFWD_TBL24_SIZE (1u << 24)
#define XFWD_TBL8_GROUP_SIZE 256u
#define XFWD_LPM_VALID (1u << 31)
#define XFWD_LPM_EXT (1u << 30)
#define XFWD_LPM_DEPTH_SHIFT 24
#define XFWD_LPM_DEPTH_MASK 0x3fu
#define XFWD_LPM_TARGET_MASK 0xffffffu
#define XFWD_LPM_LINE 16u

struct xfwd_lpm_line {
	__u32 e[XFWD_LPM_LINE];
};

/* ---- IPv4 compact table (xfwd_tblc16, xfwd_tblc; docs/route-table-compact.md)
 * A copy of tbl24 small enough for the last-level cache, read instead of
 * tbl24 when attached with `ipv4-table compact`. It keeps what XDP reads
 * of a tbl24 entry (VALID, EXT, TARGET), not the depth. tblc16 has an
 * entry per /16: either the entry all its 256 /24s share, depth 0 (BLOCK
 * clear), or (BLOCK set) LINES lines of xfwd_tblc from line TARGET
 * holding a block:
 *   words 0-7  a bit per /24 that starts a run of equal entries, quarter q
 *              (/24s 64q..64q+63) in words 2q (low) and 2q+1 (high); the
 *              first /24 of every quarter starts one
 *   word 8     byte q: the runs before quarter q
 *   words 9-   the runs' entries, 16 bits each, run r in the low half of
 *              word 9 + r/2 when r is even: 0 no route, else bit 15 EXT
 *              and bits 0-14 TARGET (VALID implied)
 * BLOCK with LINES 0: read tbl24 (no free line when the /16 last changed,
 * or a target past 15 bits). tbl24 entries never set bit 29 (their depth
 * is at most 24).
 */
#define XFWD_TBLC16_SIZE (1u << 16)
#define XFWD_C16_BLOCK (1u << 29)
#define XFWD_C16_LINES_SHIFT 24
#define XFWD_C16_LINES_MASK 0x1fu
#define XFWD_CBLK_BASES 8u
#define XFWD_CBLK_RUNS 9u
#define XFWD_CBLK_MAX_LINES 9u /* 9 + 256 runs / 2 words */
#define XFWD_CRUN_EXT 0x8000u
#define XFWD_CRUN_TARGET 0x7fffu

/* ---- IPv6 multibit trie (xfwd_tbl6, docs/route-table-ipv6.md) ----
 * Nodes of 256 entries, all in the map's one value (key 0: tbl6_nodes
 * nodes of struct xfwd_tbl6_node), so that XDP finds an entry by its
 * index, without a map lookup per step: entry i of node n is entry
 * n * 256 + i. Nodes 0-255 are the root, a 16-bit first
 * stride: node = byte 0 of the destination, entry = byte 1. Every other
 * node is reached from an EXT entry and is indexed by the next byte, so
 * a /48 is at most 5 reads and a /128 at most 15. An entry:
 *   bit 31     VALID  a route covers this range
 *   bit 30     EXT    TARGET is the node one byte deeper
 *   bits 22-29 DEPTH  prefix length of the route that wrote the entry
 *   bits 0-21  TARGET next-hop group id, or node index with EXT
 */
#define XFWD_TBL6_NODE 256u
#define XFWD_TBL6_ROOT_NODES 256u
#define XFWD_MAX_TBL6_NODES (1u << 19) /* 512 MiB: see loader/core/sizes.c */
#define XFWD_LPM6_VALID (1u << 31)
#define XFWD_LPM6_EXT (1u << 30)
#define XFWD_LPM6_DEPTH_SHIFT 22
#define XFWD_LPM6_DEPTH_MASK 0xffu
#define XFWD_LPM6_TARGET_MASK 0x3fffffu

struct xfwd_tbl6_node {
	__u32 e[XFWD_TBL6_NODE];
};

/* xfwd_tbl6's value at the default size (`tbl6-nodes` sets another). */
struct xfwd_tbl6 {
	struct xfwd_tbl6_node n[XFWD_DEF_TBL6_NODES];
};
#define XFWD_DEF_TBL6_ENTRIES (XFWD_DEF_TBL6_NODES * XFWD_TBL6_NODE)

/* ---- Routes: the source of truth the LPM tables are built from ---- */
/* Key layout matches BPF_MAP_TYPE_LPM_TRIE (prefixlen first). */
struct xfwd_route_key4 {
	__u32 prefixlen;
	__be32 addr;
};

struct xfwd_route_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};

enum xfwd_route_origin {
	XFWD_ORIGIN_STATIC = 0, /* added with `xfwd route add` */
	XFWD_ORIGIN_LOCAL = 1,  /* an address of this host (kernel delivers) */
	XFWD_ORIGIN_MIRROR = 2, /* mirrored from a kernel table by xfwd run */
};

struct xfwd_route {
	__u32 group;     /* next-hop group id */
	__u8 origin;     /* enum xfwd_route_origin */
	__u8 prefixlen;  /* the key's, so a trie lookup names its match */
	__u8 pad[2];
};

/* ---- Next hops ---- */
enum xfwd_nh_kind {
	XFWD_NH_NONE = 0,      /* free slot */
	XFWD_NH_DIRECT = 1,    /* rewrite MACs, TTL-1, transmit */
	XFWD_NH_BLACKHOLE = 2, /* drop, counted */
	XFWD_NH_KERNEL = 3,    /* XDP_PASS: the kernel decides */
	XFWD_NH_LOCAL = 4,     /* an address of this host: XDP_PASS */
	XFWD_NH_TUNNEL = 5,    /* encapsulate (xfwd_tunnels[tunnel]), then
				* transmit like DIRECT to the underlay hop */
};

#define XFWD_NH_F_DEAD (1u << 0)  /* skipped by group member choice */
#define XFWD_NH_F_NEIGH (1u << 1) /* l2[active] holds a resolved MAC */
#define XFWD_NH_F_XFRM (1u << 2)  /* ipsec tunnel: XDP_PASS, the kernel's route
				   * into the xfrm interface encrypts */

/* Egress L2 header. vlan 0 = untagged, else the 802.1Q VLAN id. */
struct xfwd_l2 {
	__u8 dmac[6];
	__u8 smac[6];
	__u16 vlan;
	__u16 pad;
};

/*
 * Fields the data path reads that can change while it runs (MACs) have two
 * copies and a one-byte selector: user space writes the idle copy, then
 * flips `active`. Each array update rewrites the whole value in place, but
 * only bytes that differ change, so a reader sees old or new, never a mix.
 */
struct xfwd_nh {
	__u8 kind;   /* enum xfwd_nh_kind */
	__u8 flags;  /* XFWD_NH_F_* (single byte: written atomically) */
	__u8 active; /* which l2[] is live */
	__u8 family; /* AF_INET or AF_INET6 of addr */
	__u32 ifindex; /* egress device with XDP (VLAN parent for VLANs) */
	__u32 mtu;     /* egress L3 MTU; larger packets go to the kernel */
	__u32 oif;     /* the device named by the route (VLAN device itself) */
	__u8 addr[16]; /* gateway address; IPv4 in the first 4 bytes */
	struct xfwd_l2 l2[2];
	__u32 tunnel;  /* XFWD_NH_TUNNEL: index into xfwd_tunnels */
	__u32 pad;
};

/* ---- Tunnels ---- */
enum xfwd_tun_type {
	XFWD_TUN_NONE = 0,
	XFWD_TUN_GRE = 1,  /* GRE (RFC 2784/2890), optional key */
	XFWD_TUN_IPIP = 2, /* IP in IP: 4in4, 6in4, 4in6, 6in6 */
	XFWD_TUN_VXLAN = 3, /* VXLAN (RFC 7348), UDP 4789 */
	XFWD_TUN_GENEVE = 4, /* GENEVE (RFC 8926), UDP 6081, no options sent */
	XFWD_TUN_IPSEC = 5,  /* ESP by the kernel's xfrm: key is the if_id */
};

#define XFWD_VXLAN_PORT 4789
#define XFWD_GENEVE_PORT 6081

#define XFWD_TUN_F_KEY (1u << 0) /* GRE key present and checked */
#define XFWD_TUN_F_INNER_IP (1u << 1) /* GENEVE: IP payload, no inner Ethernet */
#define XFWD_TUN_F_OWN_DEV (1u << 2)  /* loader: xfwd created the kernel device */
#define XFWD_TUN_F_OWN_SA (1u << 3)   /* loader: xfwd installed the xfrm SAs */
#define XFWD_TUN_F_UDP_ENCAP (1u << 4) /* ipsec: ESP in UDP 4500 (loader only) */
#define XFWD_TUN_F_PEER_LEARN (1u << 5) /* VXLAN/GENEVE Ethernet: peer_mac learned from the kernel device (loader only) */
#define XFWD_TUN_F_GWLB (1u << 6) /* GENEVE from AWS Gateway Load Balancer: any remote, any VNI, sent back with its options (docs/gwlb.md) */

/* Health probing (docs/health.md). mode udp: an xfwd_probe in UDP to
 * XFWD_PROBE_PORT, answered by the peer's xfwd XDP program; mode icmp: an
 * ICMP echo (identifier XFWD_PROBE_ICMP_ID) to the peer's inner address,
 * answered by whatever the peer is. Both carry struct xfwd_probe. Modes
 * bfd and bfd-multihop are BFD sessions the daemon runs itself, over
 * the kernel's sockets (the data path never sees them). */
enum xfwd_probe_mode {
	XFWD_PROBE_OFF = 0,
	XFWD_PROBE_UDP = 1,
	XFWD_PROBE_ICMP = 2,
	XFWD_PROBE_BFD = 3,    /* a BFD session (RFC 5881) from src to dst: docs/bfd.md */
	XFWD_PROBE_BFD_MH = 4, /* multihop BFD (RFC 5883) */
};

#define XFWD_PROBE_PORT 3785u /* not BFD's: xfwd's own echo, inside tunnels only */
#define XFWD_PROBE_ICMP_ID 0x5846u /* "XF" */
#define XFWD_PROBE_MAGIC 0x58505242u /* "XPRB" */
#define XFWD_PROBE_REQUEST 1u
#define XFWD_PROBE_REPLY 2u
/* The frame the daemon hands the probe sender (bpf/probe.bpf.c): Ethernet,
 * whose destination MAC carries the tunnel next hop's id (4 bytes, host
 * order) from this byte on, then the inner IPv4 probe. */
#define XFWD_PROBE_NH_AT 2
/* Its length (Ethernet 14, IPv4 20, UDP or ICMP 8, struct xfwd_probe
 * 24), and how many the daemon hands over in one BPF_PROG_RUN: the
 * program's .bss holds them, each run of the call takes the next. */
#define XFWD_PROBE_FRAME_LEN 66
#define XFWD_PROBE_BATCH 256 /* the kernel's most frames per live-frames batch */

/* type and comp swap on reply (1,2 -> 2,1): the one's complement sum of
 * the packet, and so every checksum over it, stays the same. */
struct xfwd_probe {
	__be32 magic;
	__be16 type;
	__be16 comp;
	__u32 tunnel; /* the sender's tunnel id (its own byte order) */
	__u32 seq;
	__u64 tx_ns;  /* sender's CLOCK_MONOTONIC */
};

/* Probe settings of a tunnel (zero mode = not probed). */
struct xfwd_probe_cfg {
	__u8 mode;        /* enum xfwd_probe_mode */
	__u8 multiplier;  /* probes missed before the tunnel is down */
	__u16 interval_ms;
	__u32 holddown_ms; /* replies this long, none missed, before up again */
	__be32 src, dst;   /* icmp, bfd: inner IPv4 source (ours) and the peer's */
};

/* The probe reply the data path saw last, per tunnel (by the id in the
 * reply): the daemon reads it every interval. */
struct xfwd_probe_rx {
	__u64 replies;
	__u64 tx_ns, rx_ns; /* of the newest reply */
	__u32 seq;
	__u32 pad;
};

enum xfwd_health_state {
	XFWD_HEALTH_OFF = 0,  /* not probed (or no daemon) */
	XFWD_HEALTH_INIT = 1, /* probing, no verdict yet */
	XFWD_HEALTH_UP = 2,
	XFWD_HEALTH_DOWN = 3,
	XFWD_HEALTH_HOLD = 4, /* replies again, held down: not yet carrying traffic */
};

/* Written by the daemon (xfwd run) for `xfwd health`. */
struct xfwd_health {
	__u8 state;       /* enum xfwd_health_state */
	__u8 pad[3];
	__u32 rtt_us;     /* last reply */
	__u64 sent, received;
	__u64 changed_unix_ms; /* wall clock of the last state change */
	__u32 loss_permille;   /* over the last 100 probes */
	char reason[36];       /* why the last change happened */
	/* bfd modes: the session (RFC 5880's state and diagnostic codes) */
	__u8 bfd_state, bfd_remote_state, bfd_diag, bfd_remote_diag;
	__u32 bfd_tx_us, bfd_detect_us; /* in force: our interval, our detection time of the peer */
	__u32 bfd_my_discr, bfd_your_discr;
	/* Wall clock (s) of the daemon's last look, 0: never. Older than two
	 * intervals and two seconds, the verdict is stale: no daemon is
	 * judging (stopped, or still starting): `xfwd health` says so. */
	__u32 judged_unix_s;
};

/* One tunnel: encapsulation parameters (outer addresses in network order,
 * IPv4 in the first 4 bytes). Written once; a change makes a new entry. */
struct xfwd_tunnel {
	__u8 type;   /* enum xfwd_tun_type, 0 = free slot */
	__u8 family; /* outer: AF_INET or AF_INET6 */
	__u8 ttl;    /* outer TTL / hop limit */
	__u8 flags;  /* XFWD_TUN_F_* */
	__u32 key;   /* GRE key or VXLAN/GENEVE VNI (host order) */
	__u32 mtu;   /* largest inner packet; larger ones go to the kernel */
	__u32 dev;   /* underlay device named at creation, 0 = kernel route */
	__u8 local[16];
	__u8 remote[16];
	char name[16];
	__u8 peer_mac[6]; /* VXLAN, GENEVE: inner destination MAC (peer's device) */
	__u8 urpf;        /* enum xfwd_urpf: which inner sources it may deliver */
	__u8 pad;
	struct xfwd_probe_cfg probe;
};

/* Inner-source validation of a tunnel (docs/urpf.md): after
 * decapsulation, the inner source must be routed back over the tunnel
 * (strict: one of its route's group members, dead or alive, is the
 * tunnel), or routed at all (loose: not a blackhole), or be one of the
 * tunnel's configured sources (xfwd_urpf_allow). */
enum xfwd_urpf {
	XFWD_URPF_OFF = 0,
	XFWD_URPF_STRICT = 1,
	XFWD_URPF_LOOSE = 2,
};

/* A tunnel's configured sources: an LPM trie over (tunnel, address). IPv4
 * is stored v4-mapped (::ffff:a.b.c.d/96+len), so prefixlen counts the 32
 * bits of the tunnel id first: 32 + 96 + len, or 32 + len for IPv6. */
#define XFWD_URPF_ALLOW_MAX 16384u
struct xfwd_urpf_key {
	__u32 prefixlen;
	__u32 tunnel; /* always matched whole, so its byte order does not matter */
	__u8 addr[16];
};

/* Decapsulation match: (type, outer family, local, remote, GRE key or
 * VNI) -> tunnel id, so that tunnels between the same endpoints differ by
 * key (docs/tunnel-keys.md). Two kinds of marker (value
 * XFWD_TUNNEL_ENDPOINT) say why a packet matched none: keyed
 * XFWD_TUNNEL_KEY_PAIR, key 0 — some tunnel joins these endpoints (a
 * wrong key); remote all-zero, keyed 0, key 0 — a local endpoint (an
 * unknown peer). Either way the packet is dropped, not passed. */
struct xfwd_tunnel_key {
	__u8 type;
	__u8 family;
	__u8 keyed; /* 0: no key (IP-in-IP, GRE without), 1: key, or KEY_PAIR */
	__u8 pad;
	__u8 local[16];
	__u8 remote[16];
	__u32 key;  /* GRE key, VXLAN/GENEVE VNI; 0 when not keyed */
};

#define XFWD_TUNNEL_ENDPOINT 0xffffffffu /* value of a marker entry */
#define XFWD_TUNNEL_KEY_PAIR 2           /* keyed: the endpoint-pair marker */

struct xfwd_tunnel_counters {
	__u64 rx_packets, rx_bytes; /* decapsulated */
	__u64 tx_packets, tx_bytes; /* encapsulated */
	__u64 urpf_drops;           /* decapsulated, inner source refused */
};

#define XFWD_ECMP_MAX 16u
/* IPv6: covering routes tried when a route's group has no live member
 * (IPv4's table moves such routes out itself: docs/covering-routes.md). */
#define XFWD_COVER_MAX 8u

/* Resilient member choice (docs/ecmp.md): the flow hash's top bits pick
 * one of XFWD_BUCKETS buckets, the bucket names a member. User space
 * deals the buckets by weight and, when a group's members change, keeps
 * every bucket whose member stays and is not over its share, so only the
 * flows that must move do. */
#define XFWD_BUCKET_BITS 8u
#define XFWD_BUCKETS (1u << XFWD_BUCKET_BITS)

struct xfwd_group_set {
	__u32 count; /* members in use, 0 = free group */
	__u32 members[XFWD_ECMP_MAX]; /* next-hop ids, sorted */
	__u8 hops[XFWD_ECMP_MAX];     /* weight - 1, as the kernel's rtnh_hops */
	__u16 drained;                /* bit m: member m has weight 0 (no bucket) */
	__u16 pad;
	__u8 bucket[XFWD_BUCKETS];    /* member index of each bucket */
};

/* Same two-copy scheme as xfwd_nh: a member change is one selector flip. */
struct xfwd_group {
	__u8 active;
	__u8 pad[3];
	struct xfwd_group_set set[2];
};

/* ---- Interfaces xfwd is attached to (control plane registry) ---- */
enum xfwd_xdp_mode {
	XFWD_MODE_NATIVE = 0,
	XFWD_MODE_GENERIC = 1,
};

/* Each attached port's MAC, read per packet (a router routes only frames
 * addressed to it): direct-mapped by ifindex % XFWD_PORT_SLOTS, an array
 * so the lookup is a load; a slot holding another port's ifindex means
 * "not known", and the frame is routed as before. */
#define XFWD_PORT_SLOTS 256u
struct xfwd_port_mac {
	__u32 ifindex;
	__u8 mac[6];
	__u16 pad;
};

struct xfwd_iface {
	__u32 ifindex;
	__u32 mtu;
	__u8 mac[6];
	__u8 mode; /* enum xfwd_xdp_mode */
	__u8 pad;
	char name[16];
	/* Source addresses for ICMP errors xfwd sends from this interface
	 * (0 / :: = none: the packet goes to the kernel instead). */
	__be32 addr4;
	__u8 addr6[16];
};

/* ---- Control entry: ABI magic and version, sizes the maps were made with */
struct xfwd_info {
	__u32 magic;
	__u32 abi_version;
	__u32 tbl8_groups;
	__u32 routes4_max;
	__u32 routes6_max;
	__u32 nexthops_max;
	__u32 groups_max;
	__u32 generation; /* bumped by every change to the table (loader only) */
	/* As of the last commit (loader only): what 'xfwd status' shows
	 * without the lock or reading a route. */
	__u32 routes4, routes6, tbl8_used;
	__u32 mirror_table; /* the kernel table `xfwd run` mirrors (daemon only; 0: none) */
	__u32 tbl6_nodes;   /* xfwd_tbl6's size in nodes (root included) */
	__u32 tbl6_used;    /* as of the last commit: nodes in use (root included) */
	__u32 ipv4_table;   /* enum xfwd_ipv4_table: what XDP reads (load-time) */
	__u32 tblc_lines;   /* xfwd_tblc's size in lines (1 when not compact) */
	__u32 tblc_used;    /* as of the last commit: lines in use */
	__u32 pad;
};

enum xfwd_ipv4_table {
	XFWD_IPV4_TBL24 = 0,   /* DIR-24-8: tbl24, then tbl8 */
	XFWD_IPV4_COMPACT = 1, /* tblc16, a block of tblc, then tbl8 */
};

/* ---- Counters: every packet lands in exactly one reason ---- */
enum xfwd_action {
	XFWD_ACT_TX = 0,       /* forwarded out of the ingress interface */
	XFWD_ACT_REDIRECT = 1, /* forwarded out of another interface */
	XFWD_ACT_PASS = 2,     /* handed to the kernel stack */
	XFWD_ACT_DROP = 3,     /* dropped */
	XFWD_ACT_MAX = 4,
};

/* X(name, action, description): one list gives the enum and, in user
 * space, the names and descriptions `xfwd stats` prints. */
#define XFWD_REASONS(X)                                                        \
	X(FWD_TX, TX, "forwarded, out the ingress interface")                  \
	X(FWD_REDIRECT, REDIRECT, "forwarded, out another interface")          \
	X(TX_ICMP_TOO_BIG, TX, "answered: fragmentation needed / packet too big") \
	X(TX_PROBE_ANSWER, TX, "answered: a peer's tunnel health probe")       \
	X(FWD_PROBE, REDIRECT, "sent: this host's tunnel health probe")       \
	X(FWD_GWLB, TX, "returned to the Gateway Load Balancer, GENEVE options kept") \
	X(PASS_NOT_IP, PASS, "not IPv4/IPv6 (ARP, LLDP, ...)")                 \
	X(PASS_NOT_OUR_MAC, PASS, "IP in a frame not addressed to the port's MAC") \
	X(PASS_SPECIAL_DST, PASS, "multicast, broadcast, link-local or loopback") \
	X(PASS_LOCAL, PASS, "addressed to this host")                          \
	X(PASS_NO_ROUTE, PASS, "no matching route")                            \
	X(PASS_KERNEL_ROUTE, PASS, "route says: kernel")                       \
	X(PASS_TTL, PASS, "TTL or hop limit <= 1")                             \
	X(PASS_IP_OPTIONS, PASS, "IPv4 header with options")        \
	X(PASS_IPV6_EXT, PASS, "IPv6 extension header not handled")           \
	X(PASS_NO_NEIGH, PASS, "next hop MAC not yet resolved")               \
	X(PASS_MTU, PASS, "larger than the egress MTU")                        \
	X(PASS_NOT_ATTACHED, PASS, "egress interface has no xfwd")             \
	X(PASS_ALL_DEAD, PASS, "every member of the group is dead")            \
	X(PASS_TUNNEL_LOCAL, PASS, "tunnelled packet for this host (kept encapsulated)") \
	X(PASS_IPSEC, PASS, "to an ipsec tunnel: the kernel encrypts")       \
	X(DROP_MALFORMED_L2, DROP, "truncated Ethernet or VLAN header")        \
	X(DROP_MALFORMED_IP, DROP, "truncated or invalid IP header")           \
	X(DROP_BLACKHOLE, DROP, "blackhole route")                             \
	X(DROP_TUNNEL_PEER, DROP, "tunnel packet from an unknown peer")        \
	X(DROP_TUNNEL_KEY, DROP, "tunnel packet with a wrong or missing key")  \
	X(DROP_TUNNEL_MALFORMED, DROP, "malformed or unsupported tunnel header") \
	X(DROP_TUNNEL_ECN, DROP, "outer CE over a not-ECN-capable inner (RFC 6040)") \
	X(DROP_FILTER, DROP, "denied by a filter rule or default (xfwd filter show)") \
	X(DROP_URPF, DROP, "tunnel's inner source not routed back over it (uRPF)") \
	X(DROP_XLAT, DROP, "translated destination XDP cannot send itself (xfwd xlat show)") \
	X(DROP_PROBE_REPLY, DROP, "tunnel health probe reply (taken by the daemon)") \
	X(DROP_INTERNAL, DROP, "inconsistent maps (bug: please report)")

#define XFWD_REASON_ENUM(name, act, desc) XFWD_R_##name,
enum xfwd_reason { XFWD_REASONS(XFWD_REASON_ENUM) XFWD_R_MAX };
#undef XFWD_REASON_ENUM

struct xfwd_counter {
	__u64 packets;
	__u64 bytes;
};

/* Sizes are ABI: a change here is a XFWD_ABI_VERSION bump. */
_Static_assert(sizeof(struct xfwd_route_key4) == 8, "route_key4 size");
_Static_assert(sizeof(struct xfwd_route_key6) == 20, "route_key6 size");
_Static_assert(sizeof(struct xfwd_route) == 8, "route size");
_Static_assert(sizeof(struct xfwd_l2) == 16, "l2 size");
_Static_assert(sizeof(struct xfwd_nh) == 72, "nh size");
_Static_assert(sizeof(struct xfwd_tunnel) == 88, "tunnel size");
_Static_assert(sizeof(struct xfwd_probe) == 24, "probe size");
_Static_assert(sizeof(struct xfwd_probe_rx) == 32, "probe rx size");
_Static_assert(sizeof(struct xfwd_health) == 96, "health size");
_Static_assert(sizeof(struct xfwd_tunnel_key) == 40, "tunnel key size");
_Static_assert(sizeof(struct xfwd_tunnel_counters) == 40, "tunnel counters size");
_Static_assert(sizeof(struct xfwd_urpf_key) == 24, "urpf key size");
/* xfwd_filter.h */
_Static_assert(sizeof(struct xfwd_filter_bind) == 12, "filter bind size");
_Static_assert(sizeof(struct xfwd_filter_key) == 40, "filter key size");
_Static_assert(sizeof(struct xfwd_filter_hit) == 100, "filter hit size");
_Static_assert(sizeof(struct xfwd_filter_tuple) == 44, "filter tuple size");
_Static_assert(sizeof(struct xfwd_filter_rule) == 52, "filter rule size");
/* xfwd_xlat.h */
_Static_assert(sizeof(struct xfwd_xlat_bind) == 8, "xlat bind size");
_Static_assert(sizeof(struct xfwd_xlat_key) == 24, "xlat key size");
_Static_assert(sizeof(struct xfwd_xlat_val) == 24, "xlat val size");
_Static_assert(sizeof(struct xfwd_xlat_rule) == 40, "xlat rule size");
_Static_assert(XFWD_XLAT_BIND_TUNNELS == XFWD_MAX_TUNNELS, "xlat binds cover every tunnel");
_Static_assert(XFWD_FILTER_BIND_TUNNELS == XFWD_MAX_TUNNELS && XFWD_FILTER_BIND_PORTS == XFWD_PORT_SLOTS,
	       "filter binds cover every tunnel and port slot");
_Static_assert(sizeof(struct xfwd_group_set) == 344, "group_set size");
_Static_assert(sizeof(struct xfwd_group) == 692, "group size");
_Static_assert(sizeof(struct xfwd_iface) == 52, "iface size");
_Static_assert(sizeof(struct xfwd_port_mac) == 12, "port mac size");
_Static_assert(sizeof(struct xfwd_info) == 72, "info size");
_Static_assert(sizeof(struct xfwd_counter) == 16, "counter size");

#endif /* XFWD_ABI_H */
