// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench: ns per dependent random read from a BPF array map, by
 * working set (1 to 64 MiB), for a flat vmalloc'd array (tbl24's layout)
 * and the same entries split into kmalloc'd 16 KiB inner arrays (huge
 * pages of the direct map). Tells how large a route table may be before
 * each lookup waits on DRAM, and whether the page size matters
 * (docs/route-table.md). Prints a Markdown table.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "median.h"
#include "mem_latency.skel.h"

#define LINE 16
#define LINES (1u << 20)
#define INNER 256
#define STEPS 256
#define REPEAT 2000
#define TRIALS 5

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t below)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % below);
}

/* next[] as one random cycle through entries 0..n-1. */
static void make_cycle(uint32_t *next, uint32_t *order, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = rnd(i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < n; i++)
		next[order[i]] = order[(i + 1) % n];
}

/* lines [0, n) of vals into fd, an array map of 64-byte values. */
static int write_lines(int fd, const uint32_t *vals, uint32_t n)
{
	static uint32_t keys[LINES];
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	__u32 cnt = n;

	for (uint32_t k = 0; k < n; k++)
		keys[k] = k;
	return bpf_map_update_batch(fd, keys, vals, &cnt, &o) ? -errno : 0;
}

static int fill(struct mem_latency *s, const int *inner, const uint32_t *next, uint32_t lines)
{
	int ret = write_lines(bpf_map__fd(s->maps.flat), next, lines);

	for (uint32_t o = 0; !ret && o * INNER < lines; o++)
		ret = write_lines(inner[o], next + o * INNER * LINE,
				  lines - o * INNER < INNER ? lines - o * INNER : INNER);
	return ret;
}

static int make_split(struct mem_latency *s, int *inner)
{
	for (uint32_t o = 0; o < LINES / INNER; o++) {
		inner[o] = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, LINE * 4, INNER, NULL);
		if (inner[o] < 0 || bpf_map_update_elem(bpf_map__fd(s->maps.split), &o, &inner[o], 0))
			return -errno;
	}
	return 0;
}

/* Mean ns per step of one program over REPEAT runs. */
static double run(struct bpf_program *p)
{
	char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = REPEAT);

	if (bpf_prog_test_run_opts(bpf_program__fd(p), &o) || o.retval != XDP_DROP) {
		fprintf(stderr, "mem_latency: %s did not run (%s, verdict %u)\n",
			bpf_program__name(p), strerror(errno), o.retval);
		exit(1);
	}
	return (double)o.duration / STEPS;
}

static void measure(struct mem_latency *s, uint32_t mib)
{
	double none[TRIALS], flat[TRIALS], split[TRIALS];

	for (int t = 0; t < TRIALS; t++) {
		none[t] = run(s->progs.chase_none);
		flat[t] = run(s->progs.chase_flat);
		split[t] = run(s->progs.chase_split);
	}
	printf("| %u MiB | %.1f | %.1f |\n", mib, median(flat, TRIALS) - median(none, TRIALS),
	       median(split, TRIALS) - median(none, TRIALS));
}

int main(void)
{
	static const uint32_t sizes[] = { 1, 2, 4, 8, 16, 64 }; /* MiB */
	uint32_t *next = calloc(LINES, LINE * 4), *order = calloc(LINES, LINE * 4);
	static int inner[LINES / INNER];
	struct mem_latency *s = mem_latency__open_and_load();

	if (!s || !next || !order || make_split(s, inner)) {
		fprintf(stderr, "mem_latency: cannot set up the maps: %s\n", strerror(errno));
		return 1;
	}
	printf("| working set | flat array (vmalloc, 4 KiB pages) | 4096 x 16 KiB arrays (kmalloc) |\n");
	printf("|---|---|---|\n");
	for (size_t z = 0; z < sizeof(sizes) / sizeof(*sizes); z++) {
		uint32_t entries = sizes[z] << 20 >> 2;

		make_cycle(next, order, entries);
		s->bss->at = 0;
		if (fill(s, inner, next, entries / LINE)) {
			fprintf(stderr, "mem_latency: cannot write the maps: %s\n", strerror(errno));
			return 1;
		}
		measure(s, sizes[z]);
	}
	return 0;
}
