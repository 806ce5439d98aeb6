/* SPDX-License-Identifier: GPL-2.0-only */
/* Map declarations; only BPF code includes this. Types live in maps/. */
#ifndef XFWD_BPF_MAPS_H
#define XFWD_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "../../maps/xfwd_abi.h"

/* ABI magic and version; the loader checks it before reusing pins. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xfwd_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_info SEC(".maps");

/* IPv4 DIR-24-8 first level: one entry per /24 (encoding in maps/). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XFWD_TBL24_SIZE / XFWD_LPM_LINE);
	__type(key, __u32);
	__type(value, struct xfwd_lpm_line);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_tbl24 SEC(".maps");

/* IPv4 DIR-24-8 second level: groups of 256 for /24s with longer routes. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XFWD_DEF_TBL8_GROUPS * XFWD_TBL8_GROUP_SIZE / XFWD_LPM_LINE);
	__type(key, __u32);
	__type(value, struct xfwd_lpm_line);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_tbl8 SEC(".maps");

/* IPv4 routes as configured: what tbl24/tbl8 are built from. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XFWD_DEF_ROUTES4);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xfwd_route_key4);
	__type(value, struct xfwd_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_routes4 SEC(".maps");

/* IPv6 routes, looked up directly (LPM trie). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XFWD_DEF_ROUTES6);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xfwd_route_key6);
	__type(value, struct xfwd_route);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_routes6 SEC(".maps");

/* Next hops by id (0 is never used). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XFWD_DEF_NEXTHOPS);
	__type(key, __u32);
	__type(value, struct xfwd_nh);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_nexthops SEC(".maps");

/* Next-hop groups by id (0 is never used); routes point here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XFWD_DEF_GROUPS);
	__type(key, __u32);
	__type(value, struct xfwd_group);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_groups SEC(".maps");

/* Egress interfaces for XDP_REDIRECT, keyed by ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XFWD_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_tx_ports SEC(".maps");

/* Attached interfaces (control plane registry; not read per packet). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XFWD_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct xfwd_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_ifaces SEC(".maps");

/* Attached ports' MACs, read per packet (struct xfwd_port_mac). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XFWD_PORT_SLOTS);
	__type(key, __u32);
	__type(value, struct xfwd_port_mac);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_port_macs SEC(".maps");

/* Tunnels by id (0 is never used); tunnel next hops point here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XFWD_MAX_TUNNELS);
	__type(key, __u32);
	__type(value, struct xfwd_tunnel);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_tunnels SEC(".maps");

/* Which tunnel a received tunnel packet belongs to (decapsulation). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * XFWD_MAX_TUNNELS);
	__type(key, struct xfwd_tunnel_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_tunnel_peers SEC(".maps");

/* Per-CPU packet and byte counters per tunnel. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XFWD_MAX_TUNNELS);
	__type(key, __u32);
	__type(value, struct xfwd_tunnel_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_tunnel_stats SEC(".maps");

/* Newest probe reply per tunnel (written here, read by the daemon). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XFWD_MAX_TUNNELS);
	__type(key, __u32);
	__type(value, struct xfwd_probe_rx);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_probe_rx SEC(".maps");

/* Tunnel health as the daemon sees it (user space only: `xfwd health`). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XFWD_MAX_TUNNELS);
	__type(key, __u32);
	__type(value, struct xfwd_health);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_health SEC(".maps");

/* Per-CPU packet and byte counters, indexed by enum xfwd_reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XFWD_R_MAX);
	__type(key, __u32);
	__type(value, struct xfwd_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xfwd_stats SEC(".maps");

#endif
