// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sends the daemon's tunnel health probes (docs/health.md), run with
 * BPF_PROG_RUN in live-frames mode, every probe due in one call: the
 * daemon writes the frames into probe_frames and runs the program
 * probe_count times (`repeat`); each run takes the next frame. A frame
 * is Ethernet, whose destination MAC carries the tunnel next hop's id
 * (XFWD_PROBE_NH_AT), then the inner IPv4 probe; it is encapsulated and
 * sent by the same code as data (tunnel_encap), so it takes the path
 * data takes.
 */
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/stats.h"
#include "lib/encap.h"

/* Written by the daemon through the skeleton's mapping before each call.
 * A live-frames call runs on one CPU, its runs one after another. */
__u8 probe_frames[XFWD_PROBE_BATCH][XFWD_PROBE_FRAME_LEN];
__u32 probe_count, probe_next;

/* The call's page pool recycles pages without copying the input again:
 * every run writes its whole frame. */
static __always_inline int frame_take(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 i = probe_next++;

	if (i >= probe_count || i >= XFWD_PROBE_BATCH || data + XFWD_PROBE_FRAME_LEN > data_end)
		return -1;
	__builtin_memcpy(data, probe_frames[i], XFWD_PROBE_FRAME_LEN);
	return 0;
}

SEC("xdp")
int xfwd_probe_tx(struct xdp_md *ctx)
{
	struct pkt p = { .proto = ETH_P_IP, .probe = 1 };
	struct ethhdr *e;
	struct iphdr *ip;
	struct xfwd_nh *nh;
	__u32 id, reason;
	int act;

	if (frame_take(ctx))
		return XDP_DROP;
	e = (void *)(long)ctx->data;
	ip = (void *)(e + 1);
	if ((void *)(ip + 1) > (void *)(long)ctx->data_end)
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
