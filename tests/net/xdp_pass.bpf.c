// SPDX-License-Identifier: GPL-2.0-only
/* Attached to end hosts' veths in the test bed: veth wakes a peer up for
 * frames sent back with XDP_TX only if the peer has an XDP program
 * (docs/testbed-veth.md). It passes everything. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
