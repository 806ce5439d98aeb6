// SPDX-License-Identifier: GPL-2.0-only
/*
 * What one dependent random read from a BPF array map costs, by working
 * set: each step reads the entry the previous one named (a random cycle
 * the runner writes), as a packet's route lookup waits on its one read.
 * Two layouts of the same 64 MiB as tbl24 (64-byte values):
 *   flat  - one array map: vmalloc'd, 4 KiB pages;
 *   split - 4096 inner arrays of 16 KiB in an array of maps: each small
 *           enough for kmalloc, i.e. the kernel's direct map (huge pages).
 * Each run continues the cycle where the last one stopped, so no run
 * reads what an earlier one left in cache.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

#define LINE 16          /* u32 entries per value, as tbl24's */
#define LINES (1u << 20) /* 64 MiB */
#define INNER 256        /* lines per inner map: 16 KiB */
#define STEPS 256        /* dependent reads per run */

struct line {
	__u32 next[LINE];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LINES);
	__type(key, __u32);
	__type(value, struct line);
} flat SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, INNER);
	__type(key, __u32);
	__type(value, struct line);
} inner_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, LINES / INNER);
	__type(key, __u32);
	__array(values, struct inner);
} split SEC(".maps");

volatile __u32 at; /* where the cycle goes on */
__u64 sink;

static __always_inline struct line *flat_line(__u32 i)
{
	__u32 k = (i / LINE) & (LINES - 1);

	return bpf_map_lookup_elem(&flat, &k);
}

static __always_inline struct line *split_line(__u32 i)
{
	__u32 o = (i / LINE / INNER) & (LINES / INNER - 1), k = (i / LINE) & (INNER - 1);
	void *m = bpf_map_lookup_elem(&split, &o);

	return m ? bpf_map_lookup_elem(m, &k) : NULL;
}

/* STEPS dependent reads through one layout, from where the last run
 * stopped. */
static __always_inline int chase(bool split)
{
	__u32 i = at;

	for (int s = 0; s < STEPS; s++) {
		struct line *l = split ? split_line(i) : flat_line(i);

		if (!l)
			return XDP_ABORTED;
		i = l->next[i & (LINE - 1)];
	}
	at = i;
	return XDP_DROP;
}

SEC("xdp")
int chase_flat(struct xdp_md *ctx __attribute__((unused)))
{
	return chase(false);
}

SEC("xdp")
int chase_split(struct xdp_md *ctx __attribute__((unused)))
{
	return chase(true);
}

/* The loop alone (no memory): subtracted from the two above. */
SEC("xdp")
int chase_none(struct xdp_md *ctx __attribute__((unused)))
{
	__u32 i = at;

	for (int s = 0; s < STEPS; s++)
		i = i * 1103515245 + 12345;
	sink += i;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
