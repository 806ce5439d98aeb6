// SPDX-License-Identifier: GPL-2.0-only
/*
 * xfwd XDP entry point: parse, route, transmit. Everything a packet can
 * meet is decided in the headers under bpf/lib/; every exit is counted once (stats.h).
 */
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/stats.h"
#include "lib/ipv4.h"
#include "lib/ipv6.h"

SEC("xdp")
int xfwd_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor c = { .pos = data };
	struct pkt p = {};

	if (parse_eth(&c, data_end, &p))
		return DROP(ctx, DROP_MALFORMED_L2);
	p.l3 = c.pos;
	if (p.proto == ETH_P_IP)
		return ipv4_forward(ctx, &p, &c);
	if (p.proto == ETH_P_IPV6)
		return ipv6_forward(ctx, &p, &c);
	return PASS(ctx, PASS_NOT_IP);
}

char LICENSE[] SEC("license") = "GPL";
