// SPDX-License-Identifier: GPL-2.0-only
/*
 * xfwd-gen's programs. gen runs under BPF_PROG_RUN with live frames: each
 * run takes the template frame, gives it the next destination from
 * gen_dsts and transmits it (XDP_TX) out of the device named in the run's
 * context; gen_gre the same inside GRE (the forwarder decapsulates); gen6
 * the same as IPv6/UDP, its destinations from gen_dsts6.
 * sink, attached at the far end, counts and drops.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include "../bpf/lib/csum.h"

/* Destinations (network order), one address inside each route, in a
 * random order that xfwd-gen shuffled; read in turn, 16 to a cache line,
 * so the generator loads one line per 16 frames. A random pick per frame
 * loaded a line per frame from 7 MiB, evicting the forwarder's tables
 * from the cache the two share here (a generator is another machine in
 * production). See docs/forwarding-benchmark.md. */
#define GEN_LINE 16
struct gen_line {
	__be32 a[GEN_LINE];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by xfwd-gen */
	__type(key, __u32);
	__type(value, struct gen_line);
} gen_dsts SEC(".maps");

/* IPv6 destinations, four to a cache line. */
#define GEN_LINE6 4
struct gen_line6 {
	struct in6_addr a[GEN_LINE6];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* sized by xfwd-gen */
	__type(key, __u32);
	__type(value, struct gen_line6);
} gen_dsts6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_packets SEC(".maps");

const volatile __u32 ndst = GEN_LINE; /* a multiple of GEN_LINE */
__u32 gen_next; /* one generator runs, on one CPU */
/* Ethernet + IPv4 + UDP of the template, written into every frame. */
#define GEN_HDR_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + 8)
__u8 gen_hdr[GEN_HDR_LEN]; /* .bss: const would be folded to zeros */

/* The same, inside GRE with a key: Ethernet + outer IPv4 (its checksum
 * made by xfwd-gen: it never changes) + GRE + the header above. */
#define GEN_GRE_HDR_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + 8 + sizeof(struct iphdr) + 8)
__u8 gen_gre_hdr[GEN_GRE_HDR_LEN];

/* As AWS Gateway Load Balancer sends it (docs/gwlb.md): Ethernet + outer
 * IPv4 + UDP to 6081 (checksum 0) + GENEVE with class 0x0108's three
 * options (32 bytes) + the header above. */
#define GEN_GWLB_HDR_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + 8 + 8 + 32 + sizeof(struct iphdr) + 8)
__u8 gen_gwlb_hdr[GEN_GWLB_HDR_LEN];

/* Ethernet + IPv6 + UDP (checksum 0: no hop on the way checks it). */
#define GEN6_HDR_LEN (sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + 8)
__u8 gen6_hdr[GEN6_HDR_LEN];

/* The next destination, 0 if the map has none. */
static __always_inline __be32 next_dst(void)
{
	__u32 i = gen_next, line = i / GEN_LINE;
	struct gen_line *dst;

	gen_next = i + 1 < ndst ? i + 1 : 0;
	dst = bpf_map_lookup_elem(&gen_dsts, &line);
	return dst ? dst->a[i % GEN_LINE] : 0;
}

/* Live-frame pages come back as the forwarder left them (new MACs, TTL
 * - 1, tunnel headers written over ours, or ours taken off): every
 * header is written again, the destination set in the IPv4 header at
 * ip_off. */
static __always_inline int send(struct xdp_md *ctx, const __u8 *hdr, __u32 len, __u32 ip_off)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + ip_off;
	__be32 a = next_dst();

	if (data + len > data_end || (void *)(iph + 1) > data_end)
		return XDP_ABORTED;
	if (!a)
		return XDP_ABORTED;
	if (len == GEN_HDR_LEN)
		__builtin_memcpy(data, hdr, GEN_HDR_LEN);
	else if (len == GEN_GRE_HDR_LEN)
		__builtin_memcpy(data, hdr, GEN_GRE_HDR_LEN);
	else
		__builtin_memcpy(data, hdr, GEN_GWLB_HDR_LEN);
	iph->daddr = a;
	iph->check = 0;
	iph->check = ipv4_csum(iph);
	return XDP_TX;
}

SEC("xdp")
int gen(struct xdp_md *ctx)
{
	return send(ctx, gen_hdr, GEN_HDR_LEN, sizeof(struct ethhdr));
}

SEC("xdp")
int gen_gre(struct xdp_md *ctx)
{
	return send(ctx, gen_gre_hdr, GEN_GRE_HDR_LEN, GEN_GRE_HDR_LEN - 8 - sizeof(struct iphdr));
}

SEC("xdp")
int gen_gwlb(struct xdp_md *ctx)
{
	return send(ctx, gen_gwlb_hdr, GEN_GWLB_HDR_LEN, GEN_GWLB_HDR_LEN - 8 - sizeof(struct iphdr));
}

SEC("xdp")
int gen6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	__u32 i = gen_next, line = i / GEN_LINE6;
	struct gen_line6 *dst = bpf_map_lookup_elem(&gen_dsts6, &line);

	gen_next = i + 1 < ndst ? i + 1 : 0;
	if (!dst || data + GEN6_HDR_LEN > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, gen6_hdr, GEN6_HDR_LEN);
	ip6->daddr = dst->a[i % GEN_LINE6];
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
