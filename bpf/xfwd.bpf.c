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
#include "lib/tunnel.h"

SEC("xdp")
int xfwd_xdp(struct xdp_md *ctx)
{
	int ret = tunnel_try_decap(ctx);
	void *data, *data_end;
	struct hdr_cursor c;
	struct pkt p = {};

	if (ret != DECAP_NOT_OURS && ret != DECAP_DONE)
		return ret;
	/* Decapsulation moved the frame start: read the pointers after it. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	c.pos = data;
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
