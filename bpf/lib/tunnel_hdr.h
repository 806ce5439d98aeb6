/* SPDX-License-Identifier: GPL-2.0-only */
/* The tunnel headers XDP writes and reads (GRE, VXLAN, GENEVE), their
 * counters, and what both directions share. Lengths are maps/xfwd_tunnel.h's. */
#ifndef XFWD_BPF_TUNNEL_HDR_H
#define XFWD_BPF_TUNNEL_HDR_H

#include "maps.h"
#include "../../maps/xfwd_tunnel.h"

/* An answer turned back the way its packet came (probes, GWLB). */
static __always_inline void swap32(__be32 *a, __be32 *b)
{
	__be32 t = *a;

	*a = *b;
	*b = t;
}

static __always_inline void swap_macs(struct ethhdr *e)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, e->h_dest, ETH_ALEN);
	__builtin_memcpy(e->h_dest, e->h_source, ETH_ALEN);
	__builtin_memcpy(e->h_source, mac, ETH_ALEN);
}

#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_VERSION 0x0007
#define ECN_MASK 3
#define ECN_CE 3

struct gre_base {
	__be16 flags;
	__be16 proto;
};

/* VXLAN, and GENEVE without options: both 8 bytes after UDP. */
struct udp_tun_hdr {
	__be32 word0; /* VXLAN: flags; GENEVE: version, options length, O, C, protocol */
	__be32 vni;   /* VNI << 8 */
};

#define VXLAN_F_VNI 0x08000000
#define GENEVE_F_OAM 0x80      /* second byte: control packet */
#define GENEVE_F_CRITICAL 0x40 /* second byte: critical options present */

static __always_inline void tunnel_count_urpf(__u32 tid)
{
	struct xfwd_tunnel_counters *c = bpf_map_lookup_elem(&xfwd_tunnel_stats, &tid);

	if (c)
		c->urpf_drops++;
}

/* A tunnel's counters, keyed by its id where it lies on the stack. */
static __always_inline void tunnel_count_at(const __u32 *tid, __u64 bytes, int tx)
{
	struct xfwd_tunnel_counters *c = bpf_map_lookup_elem(&xfwd_tunnel_stats, tid);

	if (!c)
		return;
	if (tx) {
		c->tx_packets++;
		c->tx_bytes += bytes;
	} else {
		c->rx_packets++;
		c->rx_bytes += bytes;
	}
}

static __always_inline void tunnel_count(__u32 tid, __u64 bytes, int tx)
{
	tunnel_count_at(&tid, bytes, tx);
}

#endif
