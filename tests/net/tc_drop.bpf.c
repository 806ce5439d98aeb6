// SPDX-License-Identifier: GPL-2.0-only
/* A silent cut for health tests (issue 5: "dropping its packets with tc
 * while the link stays up"): attached at a port's tc ingress, it drops
 * every packet. This kernel has no netem or tc actions; cls_bpf it has. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_drop(struct __sk_buff *skb)
{
	(void)skb;
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
