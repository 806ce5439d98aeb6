// SPDX-License-Identifier: GPL-2.0-only
/*
 * The forwarders xfwd is measured against (bench/fwd_run.sh):
 *  - floor: MAC rewrite and devmap redirect, no lookup at all;
 *  - fib: the technique of xdp-tools' xdp-forward: bpf_fib_lookup() in the
 *    kernel FIB, TTL - 1, MACs from the lookup, devmap redirect.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../bpf/lib/csum.h"

#define AF_INET 2

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} fwd_ports SEC(".maps");

const volatile __u32 floor_ifindex;
const volatile __u8 floor_dmac[ETH_ALEN];
const volatile __u8 floor_smac[ETH_ALEN];

SEC("xdp")
int fwd_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth->h_dest, (const void *)floor_dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, (const void *)floor_smac, ETH_ALEN);
	return bpf_redirect_map(&fwd_ports, floor_ifindex, 0);
}

SEC("xdp")
int fwd_fib(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct bpf_fib_lookup f = {};

	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ttl <= 1)
		return XDP_PASS;
	f.family = AF_INET;
	f.tos = iph->tos;
	f.l4_protocol = iph->protocol;
	f.tot_len = bpf_ntohs(iph->tot_len);
	f.ipv4_src = iph->saddr;
	f.ipv4_dst = iph->daddr;
	f.ifindex = ctx->ingress_ifindex;
	if (bpf_fib_lookup(ctx, &f, sizeof(f), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	ipv4_dec_ttl(iph);
	__builtin_memcpy(eth->h_dest, f.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, f.smac, ETH_ALEN);
	return bpf_redirect_map(&fwd_ports, f.ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
