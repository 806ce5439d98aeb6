/* SPDX-License-Identifier: GPL-2.0-only */
/* What a user asks for, once parsed (by the CLI's grammar or the config):
 * a tunnel, the map sizes. Plain data, shared by every room. */
#ifndef XFWD_SPEC_H
#define XFWD_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "prefix.h"
#include "maps/xfwd_abi.h"

#define CLI_MAX_DEVS 64
#define IFNAME_LEN 16
/* A pin root is a path of at most this many characters (the config keeps 256 bytes). */
#define XFWD_PIN_ROOT_MAX 255
#define XFWD_STR_(x) #x
#define XFWD_STR(x) XFWD_STR_(x) /* a number macro as text, for messages */

/* Configured inner sources per tunnel ('urpf-allow PREFIX'). */
#define XFWD_URPF_ALLOW_TUNNEL 64

struct tunnel_spec {
	char name[IFNAME_LEN];
	int type; /* enum xfwd_tun_type */
	struct xaddr local, remote;
	bool has_key, key_is_vni; /* 'key N' (GRE) or 'vni N' (VXLAN, GENEVE) */
	uint32_t key;
	uint32_t ttl, mtu;
	char dev[IFNAME_LEN];
	bool has_peer_mac;
	uint8_t peer_mac[6]; /* VXLAN, GENEVE: the peer device's inner MAC */
	bool inner_ip;       /* GENEVE 'payload ip': no inner Ethernet */
	bool gwlb;           /* 'type gwlb': GENEVE from AWS GWLB, returned (docs/gwlb.md) */
	struct xfwd_probe_cfg probe; /* mode 0: not probed */
	uint8_t urpf;        /* enum xfwd_urpf: inner-source validation (docs/urpf.md) */
	struct xprefix urpf_allow[XFWD_URPF_ALLOW_TUNNEL]; /* 'urpf-allow PREFIX' */
	int nurpf_allow;
	/* ipsec (docs/ipsec.md) */
	uint32_t if_id;        /* 0: the tunnel's id */
	bool external;         /* 'keyed-by external': an IKE daemon installs the SAs */
	uint32_t spi_out, spi_in;
	char key_out[256], key_in[256]; /* key files (static keys) */
	bool udp_encap;        /* 'encap udp': ESP in UDP 4500 (RFC 3948) */
	uint32_t retire_in;    /* rekey: the inbound SPI to remove */
	bool has_inner;        /* 'inner ADDR/LEN': this host's address on the xfrm interface */
	struct xaddr inner;
	uint32_t inner_len;
};

/* A route as a user writes it: a prefix and its next hops (via gateways
 * on devices, tunnels by name), or blackhole / kernel. */
/* A member's 'weight N': hops = N - 1 as the kernel's rtnh_hops; N = 0
 * is drained (docs/ecmp.md). Zeroed: weight 1. */
struct route_share {
	uint8_t hops, drained;
};

struct route_via {
	struct xaddr gw;
	char dev[IFNAME_LEN];
	struct route_share share;
};

struct route_spec {
	struct xprefix prefix;
	int kind; /* enum xfwd_nh_kind: DIRECT when via[] or tunnels[] list members */
	struct route_via via[XFWD_ECMP_MAX];
	int nvia;
	char tunnels[XFWD_ECMP_MAX][IFNAME_LEN]; /* route ... tunnel NAME */
	struct route_share tshare[XFWD_ECMP_MAX];
	int ntunnels;
};

struct map_sizes {
	uint32_t tbl8_groups, routes4, routes6, nexthops, groups, tbl6_nodes;
	uint32_t ipv4_table; /* 0: the default; else 1 + enum xfwd_ipv4_table */
	uint32_t tblc_lines;
};

#endif
