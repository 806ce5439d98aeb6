// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench: ns per IPv4 route lookup at 1k, 100k and all (~900k) prefixes
 * of a real full table, for xfwd's DIR-24-8, BPF_MAP_TYPE_LPM_TRIE and
 * bpf_fib_lookup on the kernel FIB, measured in one run (same machine,
 * same moment, same destinations). Destinations: random hosts inside
 * random prefixes of the current table. Prints a Markdown table.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "loader/core/lpm4.h"
#include "maps/xfwd_abi.h"
#include "median.h"
#include "lpm_bench.skel.h"

#define NADDR (1u << 16)
#define BATCH 64
#define TRIALS 9
#define GW "100.64.0.2"

struct pfx {
	uint32_t addr; /* host order */
	uint8_t len;
};

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* ---- prefix sources ---- */

static size_t load_table(const char *path, struct pfx *out, size_t max)
{
	gzFile f = gzopen(path, "r");
	char line[128];
	size_t n = 0;

	if (!f)
		return 0;
	while (n < max && gzgets(f, line, sizeof(line))) {
		char *slash = strchr(line, '/');
		struct in_addr a;

		if (!slash || strchr(line, ':'))
			continue; /* IPv6 */
		*slash = '\0';
		if (inet_pton(AF_INET, line, &a) != 1)
			continue;
		out[n].addr = ntohl(a.s_addr);
		out[n].len = (uint8_t)atoi(slash + 1);
		if (out[n].len > 32)
			continue;
		n++;
	}
	gzclose(f);
	return n;
}

/* The real table's length mix (shared/data/README.md), for machines
 * without the data file. */
static size_t generate(struct pfx *out, size_t n)
{
	static const struct { uint8_t len; uint32_t count; } mix[] = {
		{ 24, 537698 }, { 22, 108623 }, { 23, 96510 }, { 21, 50750 },
		{ 20, 42611 },  { 19, 24870 },  { 18, 13798 }, { 16, 13490 },
		{ 17, 8235 },   { 15, 2100 },   { 14, 1203 },  { 32, 886 },
		{ 13, 581 },    { 12, 299 },    { 11, 103 },   { 10, 38 },
		{ 28, 75 },     { 8, 29 },
	};
	size_t k = 0;

	for (size_t m = 0; m < sizeof(mix) / sizeof(mix[0]); m++)
		for (uint32_t i = 0; i < mix[m].count && k < n; i++, k++) {
			out[k].len = mix[m].len;
			out[k].addr = (rnd() << 1 | 1u) & (~0u << (32 - mix[m].len));
		}
	return k;
}

static void shuffle(struct pfx *p, size_t n)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1);
		struct pfx t = p[i];

		p[i] = p[j];
		p[j] = t;
	}
}

/* ---- kernel FIB, filled over netlink in bulk ---- */

static void put_route(struct nlmsghdr *h, const struct pfx *p, uint32_t ifindex,
		      uint32_t gw)
{
	struct rtmsg *rt;

	h = mnl_nlmsg_put_header(h);
	h->nlmsg_type = RTM_NEWROUTE;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK;
	rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = p->len;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(h, RTA_DST, htonl(p->addr));
	mnl_attr_put_u32(h, RTA_GATEWAY, gw);
	mnl_attr_put_u32(h, RTA_OIF, ifindex);
}

/* Count the kernel's answers to one batch; every NLMSG_ERROR with a
 * non-zero code is a route that did not go in. */
static int drain_acks(struct mnl_socket *nl, size_t expect, size_t *bad)
{
	static char buf[1 << 16];

	while (expect) {
		ssize_t r = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		int len = (int)r;

		if (r <= 0)
			return -errno;
		for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			*bad += e->error != 0;
			expect--;
		}
	}
	return 0;
}

/* Install routes in batches of up to 256 (one sendmsg each), all acked. */
static int fib_add(struct mnl_socket *nl, const struct pfx *p, size_t n,
		   uint32_t ifindex, uint32_t gw)
{
	static char buf[256 * 64];
	size_t bad = 0;

	for (size_t i = 0; i < n;) {
		size_t k = 0, off = 0;

		for (; i < n && k < 256; i++, k++) {
			struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);

			put_route(h, &p[i], ifindex, gw);
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
		if (mnl_socket_sendto(nl, buf, off) < 0 || drain_acks(nl, k, &bad))
			return -errno;
	}
	if (bad)
		fprintf(stderr, "lpm_bench: %zu routes refused by the kernel\n", bad);
	return bad ? -EINVAL : 0;
}

/* ---- xfwd table and trie ---- */

/* n entries, XFWD_LPM_LINE to a map value. */
/* Write n values into an array map of `per` values per element. */
static int write_all(int fd, const uint32_t *vals, uint32_t n, uint32_t per)
{
	static uint32_t keys[65536];
	LIBBPF_OPTS(bpf_map_batch_opts, o);

	n /= per;
	for (uint32_t at = 0; at < n; at += 65536) {
		__u32 cnt = n - at < 65536 ? n - at : 65536;

		for (uint32_t k = 0; k < cnt; k++)
			keys[k] = at + k;
		if (bpf_map_update_batch(fd, keys, vals + at * per, &cnt, &o))
			return -errno;
	}
	return 0;
}

/* The tables are written whole after the adds, not entry by entry. */
static int written_below(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	(void)arg, (void)tbl, (void)w, (void)n;
	return 0;
}

static int add_range(struct lpm_bench *s, struct lpm4 *t, const struct pfx *p,
		     size_t from, size_t to)
{
	int trie = bpf_map__fd(s->maps.trie4);

	for (size_t i = from; i < to; i++) {
		struct xfwd_route_key4 k = { p[i].len, htonl(p[i].addr) };
		uint32_t target = 1 + (uint32_t)(i % 64);

		if (lpm4_add(t, p[i].addr, p[i].len, target) ||
		    bpf_map_update_elem(trie, &k, &target, BPF_ANY))
			return -1;
	}
	lpm4_flush(t, written_below, NULL);
	if (write_all(bpf_map__fd(s->maps.xfwd_tbl24), t->tbl24, XFWD_TBL24_SIZE, XFWD_LPM_LINE))
		return -1;
	return write_all(bpf_map__fd(s->maps.xfwd_tbl8), t->tbl8,
			 t->groups * XFWD_TBL8_GROUP_SIZE, XFWD_LPM_LINE);
}

static int pick_addrs(struct lpm_bench *s, const struct pfx *p, size_t n)
{
	static uint32_t a[NADDR];

	for (uint32_t i = 0; i < NADDR; i++) {
		const struct pfx *q = &p[rnd() % n];
		uint32_t host = q->len == 32 ? 0 : rnd() & ~(~0u << (32 - q->len));

		a[i] = htonl(q->addr | host);
	}
	return write_all(bpf_map__fd(s->maps.bench_addrs), a, NADDR, 1);
}

/* ---- measuring ---- */

/* Median over TRIALS of the kernel's per-run time, divided by BATCH. */
static double ns_per_lookup(struct bpf_program *prog)
{
	uint8_t pkt[64] = { 0 };
	double v[TRIALS];

	for (int t = 0; t < TRIALS; t++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = 2000);

		if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o))
			return -1;
		v[t] = (double)o.duration / BATCH;
	}
	return median(v, TRIALS);
}

static int setup_netns(uint32_t *ifindex)
{
	if (unshare(CLONE_NEWNET) ||
	    system("sysctl -qw net.ipv4.ip_forward=1 && "
		   "ip link set lo up && ip link add b0 type veth peer name b1 && "
		   "ip link set b0 up && ip link set b1 up && "
		   "ip addr add 100.64.0.1/30 dev b0 && "
		   "ip neigh replace " GW " lladdr 02:00:00:00:00:02 dev b0 nud permanent"))
		return -1;
	*ifindex = if_nametoindex("b0");
	return *ifindex ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "";
	size_t cap = 1100000, n, sizes[3] = { 1000, 100000, 0 }, done = 0;
	struct pfx *p = calloc(cap, sizeof(*p));
	struct mnl_socket *nl;
	struct lpm_bench *s;
	struct bpf_map *m;
	struct lpm4 t;
	uint32_t ifindex, gw;
	const char *source = path;

	if (!p || setup_netns(&ifindex)) {
		fprintf(stderr, "lpm_bench: needs root (namespaces, BPF)\n");
		return 1;
	}
	n = load_table(path, p, cap);
	if (!n) {
		n = generate(p, 901899);
		source = "generated (same length mix as the full table)";
	}
	shuffle(p, n);
	sizes[2] = n;
	inet_pton(AF_INET, GW, &gw);
	s = lpm_bench__open();
	bpf_object__for_each_map(m, s->obj)
		bpf_map__set_pin_path(m, NULL);
	bpf_map__set_max_entries(s->maps.xfwd_tbl8, 4096 * XFWD_TBL8_GROUP_SIZE / XFWD_LPM_LINE);
	s->rodata->fib_ifindex = ifindex;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (nl) { /* acks without the echoed request: 256 of them fit */
		int one = 1;

		mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	}
	if (lpm_bench__load(s) || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ||
	    lpm4_init(&t, 4096)) {
		fprintf(stderr, "lpm_bench: setup failed: %s\n", strerror(errno));
		return 1;
	}
	printf("Prefixes: %s (%zu IPv4)\n\n", source, n);
	fflush(stdout);
	printf("| prefixes | xfwd DIR-24-8 | LPM_TRIE | bpf_fib_lookup | loop only | LPM_TRIE / xfwd | fib / xfwd |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < 3; i++) {
		double base, dir, trie, fib;

		if (add_range(s, &t, p, done, sizes[i]) ||
		    fib_add(nl, p + done, sizes[i] - done, ifindex, gw) ||
		    pick_addrs(s, p, sizes[i])) {
			fprintf(stderr, "lpm_bench: filling tables failed: %s\n", strerror(errno));
			return 1;
		}
		done = sizes[i];
		base = ns_per_lookup(s->progs.bench_base);
		dir = ns_per_lookup(s->progs.bench_dir248) - base;
		trie = ns_per_lookup(s->progs.bench_trie) - base;
		s->bss->fib_ok = 0;
		fib = ns_per_lookup(s->progs.bench_fib) - base;
		if (s->bss->fib_ok != (uint64_t)TRIALS * 2000 * BATCH) {
			fprintf(stderr, "lpm_bench: bpf_fib_lookup resolved only %llu lookups\n",
				(unsigned long long)s->bss->fib_ok);
			return 1;
		}
		printf("| %zu | %.1f | %.1f | %.1f | %.1f | %.0fx | %.0fx |\n", sizes[i], dir,
		       trie, fib, base, trie / dir, fib / dir);
		fflush(stdout);
	}
	lpm4_fini(&t);
	lpm_bench__destroy(s);
	mnl_socket_close(nl);
	free(p);
	return 0;
}
