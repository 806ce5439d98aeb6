// SPDX-License-Identifier: GPL-2.0-only
/*
 * Route lookup micro-benchmark programs, run with BPF_PROG_TEST_RUN:
 * each run does BATCH lookups of addresses from bench_addrs, so the
 * per-lookup cost is the run time / BATCH (minus bench_base, the loop).
 * bench_dir248 uses the data path's own lookup (bpf/lib/lpm.h).
 */
#include "../bpf/lib/maps.h"
#include "../bpf/lib/lpm.h"

#define BATCH 64
#define NADDR (1u << 16)

/* Destinations to look up (network order), written by the runner. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NADDR);
	__type(key, __u32);
	__type(value, __be32);
} bench_addrs SEC(".maps");

/* The same IPv4 prefixes in the kernel's LPM trie. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xfwd_route_key4);
	__type(value, __u32);
} trie4 SEC(".maps");

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

static __always_inline __u32 cursor(void)
{
	__u32 zero = 0, *c = bpf_map_lookup_elem(&bench_cursor, &zero), at;

	if (!c)
		return 0;
	at = *c;
	*c = at + BATCH;
	return at;
}

static __always_inline __be32 addr_at(__u32 i)
{
	__u32 k = i & (NADDR - 1);
	__be32 *a = bpf_map_lookup_elem(&bench_addrs, &k);

	return a ? *a : 0;
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
int bench_dir248(struct xdp_md *ctx)
{
	__u32 at = cursor(), sum = 0;

	for (int i = 0; i < BATCH; i++)
		sum ^= lpm4_lookup(addr_at(at + i));
	sink += sum;
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
