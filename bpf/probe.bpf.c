// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sends the daemon's tunnel health probes (docs/health.md), run with
 * BPF_PROG_RUN in live-frames mode. The daemon hands over an Ethernet
 * frame carrying the inner IPv4 probe, the tunnel next hop's id in the
 * destination MAC (XFWD_PROBE_NH_AT); the probe is encapsulated and sent by the
 * same code as data (tunnel_encap), so it takes the path data takes.
 */
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/stats.h"
#include "lib/encap.h"

SEC("xdp")
int xfwd_probe_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *e = data;
	struct iphdr *ip = (void *)(e + 1);
	struct pkt p = { .proto = ETH_P_IP, .probe = 1 };
	struct xfwd_nh *nh;
	__u32 id, reason;
	int act;

	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(&id, e->h_dest + XFWD_PROBE_NH_AT, sizeof(id));
	nh = nh_get(id);
	if (!nh || nh->kind != XFWD_NH_TUNNEL)
		return XDP_DROP;
	p.l3 = ip;
	p.l3_len = bpf_ntohs(ip->tot_len);
	p.hash = ip->id; /* the sequence: probes spread like flows do */
	act = nh_tx_action(ctx, nh, &p, &reason);
	if (act < 0)
		return XDP_DROP; /* not XDP_PASS: that would hand it to this host */
	return tunnel_encap(ctx, nh, &p, act);
}

char LICENSE[] SEC("license") = "GPL";
