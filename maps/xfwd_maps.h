/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every pinned map, once. XFWD_MAPS(X) calls
 *   X(name, type, key, value, max_entries, flags, decl)
 * for each (decl: TYPED, the value's type is in the map's BTF; SIZED, the
 * loader sets the value's size, a multiple of value's, and the map has no
 * value type, which BTF would fix at one size): bpf/lib/maps.h declares the BPF maps from it (as xfwd_NAME,
 * pinned by name), the loader derives its map fds, its pin table and the
 * core's map ids (enum xfwd_map) from the same list, so a map added here
 * exists on both sides with one name. max_entries is the BPF object's
 * default; `xfwd attach` sizes the big ones (struct map_sizes).
 * Types are in xfwd_abi.h.
 */
#ifndef XFWD_MAPS_H
#define XFWD_MAPS_H

#include "xfwd_abi.h"

#define XFWD_MAPS(X)                                                                    \
	/* ABI magic and version; the loader checks it before reusing pins. */         \
	X(info, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_info, 1, 0, TYPED)               \
	/* IPv4 DIR-24-8 first level: one entry per /24 (encoding in xfwd_abi.h). */   \
	X(tbl24, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_lpm_line,                       \
	  XFWD_TBL24_SIZE / XFWD_LPM_LINE, 0, TYPED)                                    \
	/* IPv4 second level: groups of 256 for /24s with longer routes. */            \
	X(tbl8, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_lpm_line,                        \
	  XFWD_DEF_TBL8_GROUPS * XFWD_TBL8_GROUP_SIZE / XFWD_LPM_LINE, 0, TYPED)        \
	/* IPv4 compact table (`ipv4-table compact`): an entry per /16 ... */         \
	X(tblc16, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_lpm_line,                      \
	  XFWD_TBLC16_SIZE / XFWD_LPM_LINE, 0, TYPED)                                   \
	/* ... and the blocks of the /16s whose /24s differ (xfwd_abi.h). */           \
	X(tblc, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_lpm_line, 1, 0, TYPED)           \
	/* IPv4 routes as configured: what tbl24/tbl8 are built from. */               \
	X(routes4, BPF_MAP_TYPE_HASH, struct xfwd_route_key4, struct xfwd_route,        \
	  XFWD_DEF_ROUTES4, BPF_F_NO_PREALLOC, TYPED)                                   \
	/* IPv6 multibit trie: 256 root nodes, then a node per byte (xfwd_abi.h): */  \
	/* one value of tbl6-nodes nodes, sized by the loader.  */                     \
	X(tbl6, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_tbl6, 1, 0, SIZED)               \
	/* IPv6 routes as configured (LPM trie): what tbl6 is built from; XDP */       \
	/* asks it for a covering route when a route's next hops are all dead. */      \
	X(routes6, BPF_MAP_TYPE_LPM_TRIE, struct xfwd_route_key6, struct xfwd_route,    \
	  XFWD_DEF_ROUTES6, BPF_F_NO_PREALLOC, TYPED)                                   \
	/* Next hops by id (0 is never used). */                                       \
	X(nexthops, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_nh, XFWD_DEF_NEXTHOPS, 0, TYPED) \
	/* Next-hop groups by id (0 is never used); routes point here. */              \
	X(groups, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_group, XFWD_DEF_GROUPS, 0, TYPED) \
	/* Egress interfaces for XDP_REDIRECT, keyed by ifindex. */                    \
	X(tx_ports, BPF_MAP_TYPE_DEVMAP_HASH, __u32, struct bpf_devmap_val,             \
	  XFWD_MAX_IFACES, 0, TYPED)                                                    \
	/* Attached interfaces (control plane registry; not read per packet). */       \
	X(ifaces, BPF_MAP_TYPE_HASH, __u32, struct xfwd_iface, XFWD_MAX_IFACES, 0, TYPED) \
	/* Per-CPU packet and byte counters, indexed by enum xfwd_reason. */           \
	X(stats, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct xfwd_counter, XFWD_R_MAX, 0, TYPED) \
	/* Tunnels by id (0 is never used); tunnel next hops point here. */            \
	X(tunnels, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_tunnel, XFWD_MAX_TUNNELS, 0, TYPED) \
	/* Which tunnel a received tunnel packet belongs to (xfwd_tunnel.h). */        \
	X(tunnel_peers, BPF_MAP_TYPE_HASH, struct xfwd_tunnel_key, __u32,               \
	  2 * XFWD_MAX_TUNNELS, 0, TYPED)                                               \
	/* Per-CPU packet and byte counters per tunnel. */                             \
	X(tunnel_stats, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct xfwd_tunnel_counters,  \
	  XFWD_MAX_TUNNELS, 0, TYPED)                                                   \
	/* Newest probe reply per tunnel (written by XDP, read by the daemon */       \
	/* through a mapping: no system call per look, docs/probe-batching.md). */    \
	X(probe_rx, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_probe_rx, XFWD_MAX_TUNNELS, \
	  BPF_F_MMAPABLE, TYPED)                                                        \
	/* Tunnel health as the daemon sees it (user space only: `xfwd health`); */   \
	/* the daemon writes it through a mapping, as probe_rx. */                    \
	X(health, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_health, XFWD_MAX_TUNNELS,      \
	  BPF_F_MMAPABLE, TYPED)                                                        \
	/* Each tunnel's configured inner sources (struct xfwd_urpf_key). */        \
	X(urpf_allow, BPF_MAP_TYPE_LPM_TRIE, struct xfwd_urpf_key, __u32,              \
	  XFWD_URPF_ALLOW_MAX, BPF_F_NO_PREALLOC, TYPED)                                \
	/* Filters (xfwd_filter.h, docs/filters.md): which set applies where, */      \
	X(filter_binds, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_filter_bind,             \
	  XFWD_FILTER_BINDS, 0, TYPED)                                                  \
	/* each set's tuples and default, */                                           \
	X(filter_sets, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_filter_set,               \
	  XFWD_FILTER_SETS, 0, TYPED)                                                   \
	/* one entry per rule and tuple, */                                            \
	X(filter_hits, BPF_MAP_TYPE_HASH, struct xfwd_filter_key, struct xfwd_filter_hit, \
	  XFWD_FILTER_ENTRIES, BPF_F_NO_PREALLOC, TYPED)                                \
	/* the rules as written (user space only), */                                  \
	X(filter_rules, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_filter_rule,             \
	  XFWD_FILTER_RULES, 0, TYPED)                                                  \
	/* and per-CPU counters per rule slot. */                                      \
	X(filter_stats, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct xfwd_counter,          \
	  XFWD_FILTER_RULES, 0, TYPED)                                                  \
	/* Prefix translation (xfwd_xlat.h, docs/translation.md): which targets */   \
	/* hold rules, the rules by direction, target and prefix, */                 \
	X(xlat_binds, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_xlat_bind,                 \
	  XFWD_XLAT_BINDS, 0, TYPED)                                                    \
	X(xlat, BPF_MAP_TYPE_LPM_TRIE, struct xfwd_xlat_key, struct xfwd_xlat_val,      \
	  2 * XFWD_XLAT_RULES, BPF_F_NO_PREALLOC, TYPED)                                \
	/* the rules as configured (user space only), */                               \
	X(xlat_rules, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_xlat_rule,                 \
	  XFWD_XLAT_RULES, 0, TYPED)                                                    \
	/* and per-CPU counters per rule and direction (2 * slot + out). */            \
	X(xlat_stats, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct xfwd_counter,            \
	  2 * XFWD_XLAT_RULES, 0, TYPED)                                                \
	/* Attached ports' MACs, read per packet (struct xfwd_port_mac). */            \
	X(port_macs, BPF_MAP_TYPE_ARRAY, __u32, struct xfwd_port_mac, XFWD_PORT_SLOTS, 0, TYPED)

/* A map's pin name (its file under the pin root). */
#define XFWD_PIN(name) "xfwd_" #name

/* A change being written (docs/interrupted-changes.md): an array map
 * user space pins before its first write of a change and removes when
 * the change is whole. Its bytes (entries of XFWD_JOURNAL_CHUNK) are the
 * change's operations when a command gave them (a -batch), else empty.
 * Found by the next xfwd that takes the lock: the writer died, and it
 * rebuilds the IPv4 tables and completes the operations. Not in the BPF
 * object: the data path never reads it. */
#define XFWD_JOURNAL_PIN XFWD_PIN(journal)
#define XFWD_JOURNAL_CHUNK 65536u

/* The core's name for each map (loader/core/kio.h). */
#define XFWD_MAP_ID_(name, ...) XFWD_M_##name,
enum xfwd_map { XFWD_MAPS(XFWD_MAP_ID_) XFWD_M_COUNT };

#endif
