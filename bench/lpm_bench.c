// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench: ns per route lookup at 1k, 100k and all prefixes of a real
 * full table (~900k IPv4, ~160k IPv6), for xfwd's tables (DIR-24-8,
 * the IPv6 multibit trie), BPF_MAP_TYPE_LPM_TRIE and bpf_fib_lookup on
 * the kernel FIB, measured in one run (same machine, same moment, same
 * destinations). Destinations: 4M random hosts inside random prefixes of
 * the current table, so that the table lines they touch (the working
 * set, printed) outgrow the last-level cache as a real traffic mix
 * does. Prints Markdown tables.
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
#include "loader/core/lpm4c.h"
#include "loader/core/lpm6.h"
#include "maps/xfwd_abi.h"
#include "median.h"
#include "lpm_bench.skel.h"

#define NADDR (1u << 22)
#define BATCH 64
#define TRIALS 9
#define GW "100.64.0.2"
#define GW6 "2001:db8:ffff::2"
#define NODES6 65536u

/* A prefix of either family: IPv4 in a[0..3]. */
struct pfx {
	uint8_t a[16];
	uint8_t len;
};

static uint32_t v4(const struct pfx *p)
{
	return (uint32_t)p->a[0] << 24 | p->a[1] << 16 | p->a[2] << 8 | p->a[3];
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* ---- prefix sources ---- */

static size_t load_table(const char *path, int family, struct pfx *out, size_t max)
{
	gzFile f = gzopen(path, "r");
	char line[128];
	size_t n = 0;

	if (!f)
		return 0;
	while (n < max && gzgets(f, line, sizeof(line))) {
		char *slash = strchr(line, '/');

		if (!slash || !strchr(line, ':') != (family == AF_INET))
			continue;
		*slash = '\0';
		memset(out[n].a, 0, 16);
		if (inet_pton(family, line, out[n].a) != 1)
			continue;
		out[n].len = (uint8_t)atoi(slash + 1);
		if (out[n].len > (family == AF_INET ? 32 : 128))
			continue;
		n++;
	}
	gzclose(f);
	return n;
}

static void set_prefix(struct pfx *p, int family, unsigned int len)
{
	unsigned int bytes = family == AF_INET ? 4 : 16;

	memset(p->a, 0, 16);
	for (unsigned int i = 0; i < bytes; i++)
		p->a[i] = (uint8_t)rnd();
	if (family == AF_INET6)
		p->a[0] = (uint8_t)(0x20 | (p->a[0] & 0x1f)); /* 2000::/3 */
	else
		p->a[0] |= 1; /* not 0/8 */
	for (unsigned int i = len; i < 8 * bytes; i++)
		p->a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	p->len = (uint8_t)len;
}

/* The real table's length mix (shared/data/README.md), for machines
 * without the data file. */
static size_t generate6(struct pfx *out, size_t n)
{
	static const struct { uint8_t len; uint32_t count; } mix[] = {
		{ 48, 75488 }, { 32, 22548 }, { 44, 14365 }, { 40, 13418 }, { 36, 5996 },
		{ 29, 4371 },  { 47, 3153 },  { 46, 3039 },  { 33, 2926 },  { 34, 2603 },
		{ 42, 2301 },  { 38, 1617 },  { 45, 1553 },  { 39, 1377 },  { 35, 1043 },
		{ 43, 1001 },  { 41, 903 },   { 37, 880 },   { 30, 650 },   { 31, 284 },
		{ 28, 193 },   { 64, 184 },   { 127, 42 },   { 24, 30 },    { 56, 24 },
	};
	size_t k = 0;

	for (size_t m = 0; m < sizeof(mix) / sizeof(mix[0]); m++)
		for (uint32_t i = 0; i < mix[m].count && k < n; i++, k++)
			set_prefix(&out[k], AF_INET6, mix[m].len);
	return k;
}

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
		for (uint32_t i = 0; i < mix[m].count && k < n; i++, k++)
			set_prefix(&out[k], AF_INET, mix[m].len);
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

static void put_route(struct nlmsghdr *h, int family, const struct pfx *p, uint32_t ifindex,
		      const uint8_t *gw)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct rtmsg *rt;

	h = mnl_nlmsg_put_header(h);
	h->nlmsg_type = RTM_NEWROUTE;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK;
	rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	rt->rtm_family = (uint8_t)family;
	rt->rtm_dst_len = p->len;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put(h, RTA_DST, alen, p->a);
	mnl_attr_put(h, RTA_GATEWAY, alen, gw);
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
static int fib_add(struct mnl_socket *nl, int family, const struct pfx *p, size_t n,
		   uint32_t ifindex, const uint8_t *gw)
{
	static char buf[256 * 64];
	size_t bad = 0;

	for (size_t i = 0; i < n;) {
		size_t k = 0, off = 0;

		for (; i < n && k < 256; i++, k++) {
			struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);

			put_route(h, family, &p[i], ifindex, gw);
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
		if (mnl_socket_sendto(nl, buf, off) < 0 || drain_acks(nl, k, &bad))
			return -errno;
	}
	if (bad)
		fprintf(stderr, "lpm_bench: %zu routes refused by the kernel\n", bad);
	return bad ? -EINVAL : 0;
}

/* ---- xfwd tables and tries ---- */

/* Write n values into an array map of `per` values per element. */
static int write_all(int fd, const void *vals, uint32_t n, uint32_t per, size_t vsize)
{
	static uint32_t keys[65536];
	LIBBPF_OPTS(bpf_map_batch_opts, o);

	n /= per;
	for (uint32_t at = 0; at < n; at += 65536) {
		__u32 cnt = n - at < 65536 ? n - at : 65536;

		for (uint32_t k = 0; k < cnt; k++)
			keys[k] = at + k;
		if (bpf_map_update_batch(fd, keys, (const char *)vals + (size_t)at * per * vsize, &cnt, &o))
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

struct tables {
	struct lpm_bench *s;
	struct lpm4 t4;
	struct lpm6 t6;
};

/* Routes [from, to) into xfwd's table and the trie; targets spread over
 * 64 groups so that a compressed layout would not be flattered. */
static int add_range(struct tables *x, int family, const struct pfx *p, size_t from, size_t to)
{
	int trie = bpf_map__fd(family == AF_INET ? x->s->maps.trie4 : x->s->maps.trie6);

	for (size_t i = from; i < to; i++) {
		struct xfwd_route_key4 k4 = { p[i].len, 0 };
		struct xfwd_route_key6 k6 = { .prefixlen = p[i].len };
		uint32_t target = 1 + (uint32_t)(i % 64);
		int err;

		memcpy(&k4.addr, p[i].a, 4);
		memcpy(k6.addr, p[i].a, 16);
		err = family == AF_INET ? lpm4_add(&x->t4, v4(&p[i]), p[i].len, target)
					: lpm6_add(&x->t6, p[i].a, p[i].len, target, 0);
		if (err || bpf_map_update_elem(trie, family == AF_INET ? (void *)&k4 : (void *)&k6,
					       &target, BPF_ANY))
			return -1;
	}
	if (family == AF_INET6) {
		lpm6_flush(&x->t6, written_below, NULL);
		return bpf_map_update_elem(bpf_map__fd(x->s->maps.xfwd_tbl6), &(uint32_t){ 0 }, x->t6.e, 0);
	}
	lpm4_flush(&x->t4, written_below, NULL);
	if (write_all(bpf_map__fd(x->s->maps.xfwd_tbl24), x->t4.tbl24, XFWD_TBL24_SIZE, XFWD_LPM_LINE, 4))
		return -1;
	return write_all(bpf_map__fd(x->s->maps.xfwd_tbl8), x->t4.tbl8,
			 x->t4.groups * XFWD_TBL8_GROUP_SIZE, XFWD_LPM_LINE, 4);
}

/* ---- destinations and what they touch ---- */

static struct pfx addrs[NADDR];

static void random_host(const struct pfx *q, int family, struct pfx *out)
{
	unsigned int bits = family == AF_INET ? 32 : 128;

	*out = *q;
	for (unsigned int i = q->len; i < bits; i++)
		if (rnd() & 1)
			out->a[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

static int pick_addrs(struct lpm_bench *s, int family, const struct pfx *p, size_t n)
{
	static uint8_t raw[NADDR][16];

	for (uint32_t i = 0; i < NADDR; i++) {
		random_host(&p[rnd() % n], family, &addrs[i]);
		memcpy(raw[i], addrs[i].a, 16);
	}
	return write_all(bpf_map__fd(s->maps.bench_addrs), raw, NADDR, 1, 16);
}

/* IPv4 destinations uniform over the addresses the table covers (a
 * random address, kept if a route holds it): every covered line of
 * tbl24 (47 MiB for the real table) is as likely, where one host per
 * prefix crowds into the /20s the /24s fill. */
static int pick_spread4(struct lpm_bench *s, struct lpm4 *t)
{
	static uint8_t raw[NADDR][16];

	for (uint32_t i = 0; i < NADDR; i++) {
		uint32_t a;

		do
			a = rnd() << 11 ^ rnd();
		while (!(lpm4_lookup(t, a) & XFWD_LPM_VALID));
		memset(&addrs[i], 0, sizeof(addrs[i]));
		addrs[i].a[0] = (uint8_t)(a >> 24), addrs[i].a[1] = (uint8_t)(a >> 16);
		addrs[i].a[2] = (uint8_t)(a >> 8), addrs[i].a[3] = (uint8_t)a;
		memcpy(raw[i], addrs[i].a, 16);
	}
	return write_all(bpf_map__fd(s->maps.bench_addrs), raw, NADDR, 1, 16);
}

/* The table lines (64 bytes) the destinations' lookups read: the
 * working set in MiB; and how many destinations took each number of
 * dependent loads (hist[1..16]). */
static double working_set(struct tables *x, int family, size_t hist[17])
{
	size_t lines = family == AF_INET ? (XFWD_TBL24_SIZE + (size_t)x->t4.groups * 256) / 16
					 : (size_t)x->t6.nodes * XFWD_TBL6_NODE / 16;
	uint8_t *seen = calloc(lines, 1);
	size_t distinct = 0;

	memset(hist, 0, 17 * sizeof(*hist));
	for (uint32_t i = 0; seen && i < NADDR; i++) {
		uint32_t idx[16], n = 0, v;
		const uint8_t *a = addrs[i].a;

		if (family == AF_INET) {
			uint32_t ip = v4(&addrs[i]);

			idx[n++] = ip >> 8;
			v = x->t4.tbl24[ip >> 8];
			if (v & XFWD_LPM_EXT)
				idx[n++] = XFWD_TBL24_SIZE + (v & XFWD_LPM_TARGET_MASK) * 256 + (ip & 0xff);
		} else {
			idx[n++] = (uint32_t)a[0] << 8 | a[1];
			v = x->t6.e[idx[0]];
			for (int b = 2; b < 16 && (v & XFWD_LPM6_EXT); b++) {
				idx[n++] = (v & XFWD_LPM6_TARGET_MASK) * XFWD_TBL6_NODE + a[b];
				v = x->t6.e[idx[n - 1]];
			}
		}
		for (uint32_t k = 0; k < n; k++)
			distinct += !seen[idx[k] / 16]++;
		hist[n]++;
	}
	free(seen);
	return distinct * 64.0 / (1 << 20);
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
	    system("sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 "
		   "net.ipv6.route.max_size=4000000 && "
		   "ip link set lo up && ip link add b0 type veth peer name b1 && "
		   "ip link set b0 up && ip link set b1 up && "
		   "ip addr add 100.64.0.1/30 dev b0 && "
		   "ip addr add 2001:db8:ffff::1/64 dev b0 nodad && "
		   "ip neigh replace " GW " lladdr 02:00:00:00:00:02 dev b0 nud permanent && "
		   "ip neigh replace " GW6 " lladdr 02:00:00:00:00:02 dev b0 nud permanent"))
		return -1;
	*ifindex = if_nametoindex("b0");
	return *ifindex ? 0 : -1;
}

struct family_run {
	int family;
	const char *name;
	struct pfx *p;
	size_t n;
	struct bpf_program *base, *xfwd, *trie, *fib, *inlined, *chain;
};

/* One row: the current table and destinations, every lookup measured;
 * xfwd's ns in out[0], chained in out[1]. 0, or -1. */
static int row(struct tables *x, const struct family_run *f, const char *label, size_t hist[17],
	       double *inl, double out[2])
{
	double base, dir, chain, trie, fib, ws = working_set(x, f->family, hist);
	unsigned int reads = 0;

	for (unsigned int k = 1; k <= 16; k++)
		reads = hist[k] ? k : reads;
	base = ns_per_lookup(f->base);
	dir = ns_per_lookup(f->xfwd) - base;
	chain = ns_per_lookup(f->chain) - base;
	trie = ns_per_lookup(f->trie) - base;
	x->s->bss->fib_ok = 0;
	fib = ns_per_lookup(f->fib) - base;
	if (x->s->bss->fib_ok != (uint64_t)TRIALS * 2000 * BATCH) {
		fprintf(stderr, "lpm_bench: bpf_fib_lookup resolved only %llu lookups\n",
			(unsigned long long)x->s->bss->fib_ok);
		return -1;
	}
	printf("| %s | %.1f MiB | %u | %.1f | %.1f | %.1f | %.1f | %.1f | %.0fx | %.0fx |\n", label,
	       ws, reads, dir, chain, trie, fib, base, trie / dir, fib / dir);
	if (f->inlined)
		*inl = ns_per_lookup(f->inlined) - base;
	fflush(stdout);
	out[0] = dir;
	out[1] = chain;
	return 0;
}

/* One table's rows: 1k, 100k and all prefixes, one host in each of
 * random prefixes; for IPv4 also all prefixes with destinations spread
 * over the addresses. xfwd's ns at the full table: dir[0] and chained
 * dir[2]; the spread row's: dir[1], dir[3] (IPv6: the full table's). */
static int run_family(struct tables *x, struct mnl_socket *nl, uint32_t ifindex,
		      const struct family_run *f, double dir[4])
{
	size_t sizes[3] = { 1000, 100000, f->n }, done = 0, hist[17], spread[17];
	double inl[3] = { 0 }, full[2], sp[2];
	uint8_t gw[16];
	char label[32];

	inet_pton(f->family, f->family == AF_INET ? GW : GW6, gw);
	printf("| %s prefixes | working set | reads, most | xfwd | xfwd, chained | LPM_TRIE | bpf_fib_lookup | loop only | LPM_TRIE / xfwd | fib / xfwd |\n",
	       f->name);
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < 3; i++) {
		if (add_range(x, f->family, f->p, done, sizes[i]) ||
		    fib_add(nl, f->family, f->p + done, sizes[i] - done, ifindex, gw) ||
		    pick_addrs(x->s, f->family, f->p, sizes[i])) {
			fprintf(stderr, "lpm_bench: filling tables failed: %s\n", strerror(errno));
			return -1;
		}
		done = sizes[i];
		snprintf(label, sizeof(label), "%zu", sizes[i]);
		if (row(x, f, label, hist, &inl[i], full))
			return -1;
	}
	memcpy(sp, full, sizeof(sp));
	if (f->family == AF_INET &&
	    (pick_spread4(x->s, &x->t4) || row(x, f, "all, spread over the addresses", spread, &inl[0], sp)))
		return -1;
	dir[0] = full[0], dir[2] = full[1], dir[1] = sp[0], dir[3] = sp[1];
	if (f->inlined)
		printf("\nThe same walk inlined (the data path calls it as a global function): %.1f, %.1f, %.1f ns\n",
		       inl[0], inl[1], inl[2]);
	printf("\nDependent loads per lookup at the full table (share of destinations):");
	for (unsigned int k = 1; k <= 16; k++)
		if (hist[k])
			printf(" %u: %.2f%%", k, 100.0 * hist[k] / NADDR);
	printf("\n\n");
	return 0;
}

/* ---- the compact IPv4 copy, beside tbl24 ---- */
#define COPY_LINES (1u << 18)

struct copy_out { uint32_t *c16, *pool; };

static int copy_write(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(tbl == LPM4_TBLC16 ? ((struct copy_out *)arg)->c16 : ((struct copy_out *)arg)->pool)[w[i].idx] = w[i].val;
	return 0;
}

/* The copy of the full table's tbl24, then both read with the current
 * (spread) destinations in one run. */
static int compact_row(struct tables *x, struct bpf_program *base_prog)
{
	struct copy_out o = { calloc(XFWD_TBLC16_SIZE, 4), calloc((size_t)COPY_LINES * XFWD_LPM_LINE, 4) };
	struct lpm4c c;
	double base, v[4];
	int err = -1;

	if (!o.c16 || !o.pool || lpm4c_init(&c, COPY_LINES))
		goto out;
	c.loaded = true; /* nothing live to adopt */
	lpm4c_touch_all(&c);
	if (lpm4c_flush(&c, x->t4.tbl24, copy_write, &o) ||
	    write_all(bpf_map__fd(x->s->maps.xfwd_tblc16), o.c16, XFWD_TBLC16_SIZE, XFWD_LPM_LINE, 4) ||
	    write_all(bpf_map__fd(x->s->maps.xfwd_tblc), o.pool, COPY_LINES * XFWD_LPM_LINE, XFWD_LPM_LINE, 4))
		goto fini;
	base = ns_per_lookup(base_prog);
	v[0] = ns_per_lookup(x->s->progs.bench_dir248) - base;
	v[1] = ns_per_lookup(x->s->progs.bench_compact) - base;
	v[2] = ns_per_lookup(x->s->progs.bench_dir248_chain) - base;
	v[3] = ns_per_lookup(x->s->progs.bench_compact_chain) - base;
	printf("The compact IPv4 copy (docs/route-table-compact.md) of this table, 64 targets: %u lines (%.1f MiB) and 256 KiB of /16 entries.\n"
	       "Destinations spread over the addresses, same run: tbl24 %.1f ns, compact %.1f; chained: tbl24 %.1f, compact %.1f.\n\n",
	       lpm4c_used(&c), lpm4c_used(&c) / 16384.0, v[0], v[1], v[2], v[3]);
	err = 0;
fini:
	lpm4c_fini(&c);
out:
	free(o.c16);
	free(o.pool);
	return err;
}

static size_t prefixes(const char *path, int family, struct pfx *p, size_t cap, const char **source)
{
	size_t n = load_table(path, family, p, cap);

	if (!n) {
		n = family == AF_INET ? generate(p, 901899) : generate6(p, 160147);
		*source = "generated (same length mix as the full table)";
	}
	shuffle(p, n);
	return n;
}

static struct lpm_bench *bench_open(uint32_t ifindex)
{
	struct lpm_bench *s = lpm_bench__open();
	struct bpf_map *m;

	if (!s)
		return NULL;
	bpf_object__for_each_map(m, s->obj)
		bpf_map__set_pin_path(m, NULL);
	bpf_map__set_max_entries(s->maps.xfwd_tbl8, 4096 * XFWD_TBL8_GROUP_SIZE / XFWD_LPM_LINE);
	bpf_map__set_value_size(s->maps.xfwd_tbl6, NODES6 * sizeof(struct xfwd_tbl6_node));
	s->rodata->xfwd_tbl6_entries = NODES6 * XFWD_TBL6_NODE;
	bpf_map__set_max_entries(s->maps.xfwd_tblc, COPY_LINES);
	s->rodata->fib_ifindex = ifindex;
	if (lpm_bench__load(s)) {
		lpm_bench__destroy(s);
		return NULL;
	}
	return s;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "", *src4 = path, *src6 = path;
	struct pfx *p4 = calloc(1100000, sizeof(*p4)), *p6 = calloc(400000, sizeof(*p6));
	struct tables x = { 0 };
	struct mnl_socket *nl;
	size_t n4, n6;
	uint32_t ifindex;
	double d4[4] = { -1, -1, -1, -1 }, d6[4] = { -1, -1, -1, -1 };

	if (!p4 || !p6 || setup_netns(&ifindex)) {
		fprintf(stderr, "lpm_bench: needs root (namespaces, BPF)\n");
		return 1;
	}
	n4 = prefixes(path, AF_INET, p4, 1100000, &src4);
	n6 = prefixes(path, AF_INET6, p6, 400000, &src6);
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (nl) { /* acks without the echoed request: 256 of them fit */
		int one = 1;

		mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	}
	if (!(x.s = bench_open(ifindex)) || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ||
	    lpm4_init(&x.t4, 4096) || lpm6_init(&x.t6, NODES6)) {
		fprintf(stderr, "lpm_bench: setup failed: %s\n", strerror(errno));
		return 1;
	}
	printf("Prefixes: IPv4 %s (%zu), IPv6 %s (%zu); %u destinations, %d independent lookups a run\n\n",
	       src4, n4, src6, n6, NADDR, BATCH);
	fflush(stdout);
	if (run_family(&x, nl, ifindex, &(struct family_run){ AF_INET, "IPv4", p4, n4,
		x.s->progs.bench_base, x.s->progs.bench_dir248, x.s->progs.bench_trie, x.s->progs.bench_fib, NULL,
		x.s->progs.bench_dir248_chain }, d4) ||
	    compact_row(&x, x.s->progs.bench_base) ||
	    run_family(&x, nl, ifindex, &(struct family_run){ AF_INET6, "IPv6", p6, n6,
		x.s->progs.bench_base6, x.s->progs.bench_tbl6, x.s->progs.bench_trie6, x.s->progs.bench_fib6,
		x.s->progs.bench_tbl6_inline, x.s->progs.bench_tbl6_chain }, d6))
		return 1;
	printf("xfwd at the full tables, IPv6 / IPv4: %.2f (IPv4 one host per prefix), %.2f (IPv4 spread over the addresses);\n"
	       "chained: %.2f, %.2f. IPv6 table nodes in use %u (%.1f MiB)\n", d6[0] / d4[0], d6[0] / d4[1],
	       d6[2] / d4[2], d6[2] / d4[3], x.t6.used, x.t6.used / 1024.0);
	lpm4_fini(&x.t4);
	lpm6_fini(&x.t6);
	lpm_bench__destroy(x.s);
	mnl_socket_close(nl);
	free(p4);
	free(p6);
	return 0;
}
