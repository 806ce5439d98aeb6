// SPDX-License-Identifier: GPL-2.0-only
/*
 * Route lookup micro-benchmark programs, run with BPF_PROG_TEST_RUN:
 * each run does BATCH lookups of addresses from bench_addrs, so the
 * per-lookup cost is the run time / BATCH (minus bench_base, the loop).
 * bench_dir248 and bench_tbl6 use the data path's own lookups
 * (bpf/lib/lpm.h). The lookups of a run are independent of each other:
 * the CPU may overlap their misses, as it may a packet's with the next.
 */
#include "../bpf/lib/maps.h"
#include "../bpf/lib/lpm.h"

#define BATCH 64
#define NADDR (1u << 22) /* enough that the tables' lines touched outgrow the cache */

/* Destinations to look up (network order; IPv4 in the first 4 bytes),
 * written by the runner. */
struct bench_addr {
	struct in6_addr a;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NADDR);
	__type(key, __u32);
	__type(value, struct bench_addr);
} bench_addrs SEC(".maps");

/* The same IPv4 prefixes in the kernel's LPM trie. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xfwd_route_key4);
	__type(value, __u32);
} trie4 SEC(".maps");

/* The same IPv6 prefixes in the kernel's LPM trie. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 400000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xfwd_route_key6);
	__type(value, __u32);
} trie6 SEC(".maps");

/* Where the next run starts reading bench_addrs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_cursor SEC(".maps");

const volatile __u32 fib_ifindex = 1;
__u64 sink;
/* Lookups bpf_fib_lookup answered with SUCCESS: the runner checks that
 * the FIB really resolved them (forwarding disabled or a missing route
 * returns early and would look fast). */
__u64 fib_ok;
/* Always 0, but not known to be: ANDed with a lookup's result and mixed
 * into the next address, it makes each lookup wait for the one before
 * (the _chain programs: latency, where the others measure throughput). */
__u32 chain_mask;

static __always_inline __u32 cursor(void)
{
	__u32 zero = 0, *c = bpf_map_lookup_elem(&bench_cursor, &zero), at;

	if (!c)
		return 0;
	at = *c;
	*c = at + BATCH;
	return at;
}

static __always_inline struct bench_addr *addr6_at(__u32 i)
{
	__u32 k = i & (NADDR - 1);

	return bpf_map_lookup_elem(&bench_addrs, &k);
}

static __always_inline __be32 addr_at(__u32 i)
{
	struct bench_addr *a = addr6_at(i);

	return a ? a->a.s6_addr32[0] : 0;
}

SEC("xdp")
int bench_base(struct xdp_md *ctx)
{
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++)
		sum ^= addr_at(at + i);
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_base6(struct xdp_md *ctx)
{
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++) {
		struct bench_addr *a = addr6_at(at + i);

		if (a)
			sum ^= a->a.s6_addr32[0] ^ a->a.s6_addr32[3];
	}
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_tbl6(struct xdp_md *ctx)
{
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++) {
		struct bench_addr *a = addr6_at(at + i);

		if (a)
			sum ^= lpm6_entry(&a->a);
	}
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_tbl6_chain(struct xdp_md *ctx)
{
	__u32 at = cursor(), v = 0;

	for (int i = 0; i < BATCH; i++) {
		struct bench_addr *a = addr6_at(at + i);

		if (!a)
			continue;
		v = lpm6_entry_of(lpm6_half(&a->a, 0), lpm6_half(&a->a, 1) ^ (v & chain_mask));
	}
	sink += v;
	return XDP_DROP + (ctx->data == 1);
}

/* The same walk inlined: what the global function's call costs. */
SEC("xdp")
int bench_tbl6_inline(struct xdp_md *ctx)
{
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++) {
		struct bench_addr *a = addr6_at(at + i);

		if (a)
			sum ^= lpm6_walk(lpm6_half(&a->a, 0), lpm6_half(&a->a, 1));
	}
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_trie6(struct xdp_md *ctx)
{
	struct xfwd_route_key6 key = { .prefixlen = 128 };
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++) {
		struct bench_addr *a = addr6_at(at + i);
		__u32 *v;

		if (!a)
			continue;
		__builtin_memcpy(key.addr, &a->a, 16);
		v = bpf_map_lookup_elem(&trie6, &key);
		sum ^= v ? *v : 0;
	}
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_fib6(struct xdp_md *ctx)
{
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++) {
		struct bpf_fib_lookup p = { .family = 10 /* AF_INET6 */,
					    .ifindex = fib_ifindex };
		struct bench_addr *a = addr6_at(at + i);
		long r;

		if (!a)
			continue;
		__builtin_memcpy(p.ipv6_dst, &a->a, 16);
		r = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
		fib_ok += r == BPF_FIB_LKUP_RET_SUCCESS;
		sum ^= (__u32)r + p.ifindex;
	}
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_dir248(struct xdp_md *ctx)
{
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++)
		sum ^= lpm4_lookup(addr_at(at + i));
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_dir248_chain(struct xdp_md *ctx)
{
	__u32 at = cursor(), v = 0;

	for (int i = 0; i < BATCH; i++)
		v = lpm4_lookup(addr_at(at + i) ^ (v & chain_mask));
	sink += v;
	return XDP_DROP + (ctx->data == 1);
}

/* The compact IPv4 copy (ipv4-table compact), read directly. */
SEC("xdp")
int bench_compact(struct xdp_md *ctx)
{
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++)
		sum ^= lpm4c_entry(bpf_ntohl(addr_at(at + i)));
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_compact_chain(struct xdp_md *ctx)
{
	__u32 at = cursor(), v = 0;

	for (int i = 0; i < BATCH; i++)
		v = lpm4c_entry(bpf_ntohl(addr_at(at + i) ^ (v & chain_mask)));
	sink += v;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_trie(struct xdp_md *ctx)
{
	struct xfwd_route_key4 key = { .prefixlen = 32 };
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++) {
		__u32 *v;

		key.addr = addr_at(at + i);
		v = bpf_map_lookup_elem(&trie4, &key);
		sum ^= v ? *v : 0;
	}
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

SEC("xdp")
int bench_fib(struct xdp_md *ctx)
{
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++) {
		struct bpf_fib_lookup p = { .family = 2 /* AF_INET */,
					    .ifindex = fib_ifindex };

		p.ipv4_dst = addr_at(at + i);
		long r = bpf_fib_lookup(ctx, &p, sizeof(p), 0);

		fib_ok += r == BPF_FIB_LKUP_RET_SUCCESS;
		sum ^= (__u32)r + p.ifindex;
	}
	sink += sum;
	return XDP_DROP + (ctx->data == 1);
}

char LICENSE[] SEC("license") = "GPL";
