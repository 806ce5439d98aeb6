/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XFWD_BPF_STATS_H
#define XFWD_BPF_STATS_H

#include "maps.h"

/* Count the packet under `reason` and return the XDP action to take.
 * Every path out of the program goes through here exactly once. */
static __always_inline int xfwd_verdict(struct xdp_md *ctx, __u32 reason,
					int action)
{
	struct xfwd_counter *c = bpf_map_lookup_elem(&xfwd_stats, &reason);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return action;
}

/* Verdict for a reason that is not a forward: the reasons are listed
 * passes first, drops last (maps/xfwd_abi.h). */
static __always_inline int xfwd_verdict_of(struct xdp_md *ctx, __u32 reason)
{
	if (reason >= XFWD_R_DROP_MALFORMED_L2)
		return xfwd_verdict(ctx, reason, XDP_DROP);
	return xfwd_verdict(ctx, reason, XDP_PASS);
}

#define PASS(ctx, r) xfwd_verdict(ctx, XFWD_R_##r, XDP_PASS)
#define DROP(ctx, r) xfwd_verdict(ctx, XFWD_R_##r, XDP_DROP)

#endif
