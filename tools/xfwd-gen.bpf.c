// SPDX-License-Identifier: GPL-2.0-only
/*
 * xfwd-gen's programs. gen runs under BPF_PROG_RUN with live frames: each
 * run takes the template frame, gives it a random destination from
 * gen_dsts and transmits it (XDP_TX) out of the device named in the run's
 * context. sink, attached at the far end, counts and drops.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include "../bpf/lib/csum.h"

/* Destinations (network order): one address inside each route. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by xfwd-gen */
	__type(key, __u32);
	__type(value, __be32);
} gen_dsts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_packets SEC(".maps");

const volatile __u32 ndst = 1;
/* Ethernet + IPv4 + UDP of the template, written into every frame. */
#define GEN_HDR_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + 8)
__u8 gen_hdr[GEN_HDR_LEN]; /* .bss: const would be folded to zeros */

SEC("xdp")
int gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 i = bpf_get_prandom_u32() % ndst;
	__be32 *dst;

	if (data + GEN_HDR_LEN > data_end)
		return XDP_ABORTED;
	dst = bpf_map_lookup_elem(&gen_dsts, &i);
	if (!dst)
		return XDP_ABORTED;
	/* Live-frame pages come back as the forwarder left them (new MACs,
	 * TTL - 1, tunnel headers written over ours): rewrite all headers. */
	__builtin_memcpy(data, gen_hdr, GEN_HDR_LEN);
	iph->daddr = *dst;
	iph->check = 0;
	iph->check = ipv4_csum(iph);
	return XDP_TX;
}

SEC("xdp")
int sink(struct xdp_md *ctx __attribute__((unused)))
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&sink_packets, &k);

	if (n)
		(*n)++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
