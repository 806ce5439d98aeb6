// SPDX-License-Identifier: GPL-2.0-only
/*
 * 1:1 prefix translation through the real XDP object (docs/translation.md):
 * packet in -> packet out, byte for byte. Every expected packet is built
 * from scratch with the translated addresses and its checksums computed
 * whole here (l4_csum), never by the incremental updates under test; the
 * IPv6 mapping is checked against RFC 6296's own example.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "pkt.h"
#include "loader/core/filter.h"
#include "loader/core/words.h"
#include "loader/core/xlat.h"
#include "maps/xfwd_abi.h"
#include "xfwd.skel.h"

/* ---- datagrams with every checksum computed whole ---- */

struct dg {
	int fam;
	const char *src, *dst;
	uint8_t proto;     /* 6, 17, 1 or 58 */
	uint8_t ttl;       /* 0: 64 */
	uint16_t frag;     /* IPv4 frag_off; IPv6 (v6frag): offset << 3 | M */
	bool v6frag;       /* IPv6: a fragment header */
	uint8_t type;      /* ICMP / ICMPv6 type (0: echo request) */
	const struct pkt *quote; /* an ICMP error's offending packet */
	bool no_udp_csum;
	size_t payload;
};

/* The L4 checksum over the bytes present, with the pseudo-header of
 * TCP, UDP and ICMPv6 (RFC 793, 768, 4443; ICMP has none). */
static void l4_csum(struct pkt *p, uint8_t proto, bool no_udp)
{
	size_t len = p->len - (size_t)p->l4;
	uint8_t *l4 = p->b + p->l4;
	size_t off = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	uint32_t sum = 0;
	uint16_t c;

	if (proto == 17)
		((struct udphdr *)l4)->len = htons((uint16_t)len);
	if (p->family == AF_INET && proto != 1)
		sum = csum_add(0, p->b + p->l3 + 12, 8) + proto + (uint32_t)len;
	else if (p->family == AF_INET6)
		sum = csum_add(0, p->b + p->l3 + 8, 32) + proto + (uint32_t)len;
	l4[off] = l4[off + 1] = 0;
	c = csum_fold(csum_add(sum, l4, len));
	if (proto == 17 && !c)
		c = 0xffff;
	if (proto == 17 && no_udp)
		c = 0;
	l4[off] = (uint8_t)(c >> 8);
	l4[off + 1] = (uint8_t)c;
}

static void dg_l4(struct pkt *p, const struct dg *d)
{
	uint8_t ic[8] = { d->type ? d->type : (d->fam == AF_INET ? 8 : 128), 0, 0, 0, 0x12, 0x34, 0, 1 };

	if (d->proto == 6) {
		pkt_tcp(p, 1000, 80);
		pkt_payload(p, d->payload ? d->payload : 20);
	} else if (d->proto == 17) {
		pkt_udp(p, 1000, 53);
		pkt_payload(p, d->payload ? d->payload : 18);
	} else {
		p->l4 = (long)p->len;
		pkt_push(p, ic, sizeof(ic));
		if (d->quote)
			pkt_push(p, d->quote->b + d->quote->l3, d->quote->len - (size_t)d->quote->l3);
		else
			pkt_payload(p, 16);
	}
}

static void dg_build(struct pkt *p, const struct dg *d, const uint8_t *dmac, const uint8_t *smac)
{
	bool later = d->fam == AF_INET ? (d->frag & 0x1fff) : d->v6frag && (d->frag >> 3);

	pkt_init(p);
	pkt_eth(p, dmac, smac, d->fam == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (d->fam == AF_INET) {
		pkt_ipv4(p, d->src, d->dst, d->proto, d->ttl ? d->ttl : 64, NULL, 0);
		((struct iphdr *)(p->b + p->l3))->frag_off = htons(d->frag);
	} else {
		uint8_t fh[8] = { d->proto, 0, (uint8_t)(d->frag >> 8), (uint8_t)d->frag, 0, 0, 0, 7 };

		pkt_ipv6(p, d->src, d->dst, d->v6frag ? 44 : d->proto, d->ttl ? d->ttl : 64);
		if (d->v6frag)
			pkt_push(p, fh, sizeof(fh));
	}
	if (later)
		pkt_payload(p, 24);
	else
		dg_l4(p, d);
	pkt_finish(p);
	if (!later)
		l4_csum(p, d->proto, d->no_udp_csum);
}

/* A datagram arriving in tunnel 1 (GRE key 42), and as forwarded out of
 * xt1 towards NH_OUT (TTL one less). */
static void from_tunnel(struct pkt *in, struct dg d)
{
	struct pkt inner;

	dg_build(&inner, &d, MAC_ROUTER, MAC_IN_SRC);
	gre4_wrap(in, MAC_ROUTER, MAC_IN_SRC, T4_REMOTE, T4_LOCAL, 60, 0, &inner);
}

static void forwarded(struct pkt *want, struct dg d)
{
	d.ttl = (uint8_t)((d.ttl ? d.ttl : 64) - 1);
	dg_build(want, &d, MAC_NH[0], MAC_SMAC);
}

/* A datagram as encapsulated into tunnel 1. */
static void into_tunnel(struct pkt *want, struct dg d)
{
	struct pkt inner;

	d.ttl = (uint8_t)((d.ttl ? d.ttl : 64) - 1);
	dg_build(&inner, &d, MAC_NH[0], MAC_SMAC);
	gre4_wrap(want, MAC_NH[0], MAC_SMAC, T4_LOCAL, T4_REMOTE, 64, 0, &inner);
}

/* ---- rules ---- */

static uint32_t binds[XFWD_XLAT_BINDS];

/* One rule from its words ("REAL to MAPPED tunnel t1") on target (tunnel
 * id or ifindex) in slot, written as the loader writes it. */
static void rule(const char *words, uint32_t target, uint32_t slot)
{
	char line[160], err[256], *argv[16];
	struct xlat_spec s;
	struct xfwd_xlat_rule r;
	struct xfwd_xlat_key k[2];
	struct xfwd_xlat_val v[2];
	struct xfwd_xlat_bind b = { 0 };
	uint32_t bi;
	int argc;

	snprintf(line, sizeof(line), "%s", words);
	argc = words_split(line, argv, 16, err, sizeof(err));
	if (argc < 0 || xlat_spec_parse(argc, argv, &s, true, err, sizeof(err))) {
		fprintf(stderr, "rule '%s': %s\n", words, err);
		abort();
	}
	xlat_rule_of(&s, target, &r);
	xlat_entries(&r, slot, k, v);
	bi = xlat_rule_bind(&r);
	b.rules = ++binds[bi];
	b.ifindex = s.tunnel ? 0 : target;
	for (int i = 0; i < 2; i++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_xlat), &k[i], &v[i], 0))
			abort();
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_xlat_binds), &bi, &b, 0))
		abort();
}

static uint64_t hits(uint32_t slot, int out)
{
	return percpu_packets(skel->maps.xfwd_xlat_stats, 2 * slot + (uint32_t)out);
}

#define D4(s_, d_, p_) .fam = AF_INET, .src = s_, .dst = d_, .proto = p_
#define D6(s_, d_, p_) .fam = AF_INET6, .src = s_, .dst = d_, .proto = p_

/* Both ways through a tunnel: 10.40.0.0/16 behind tunnel 1 is seen as
 * 100.64.0.0/16. */
static void test_tunnel4(void)
{
	struct pkt in, want, q, qx;
	uint64_t h0 = hits(1, 0), h1 = hits(1, 1);

	rule("10.40.0.0/16 to 100.64.0.0/16 tunnel t1", 1, 1);
	route4("100.64.0.0", 16, NH_TUN1);
	for (int proto = 0; proto < 3; proto++) {
		static const uint8_t P[3] = { 6, 17, 1 };
		static const char *const N[3] = { "TCP", "UDP", "ICMP echo" };
		char name[160];

		from_tunnel(&in, (struct dg){ D4("10.40.1.2", "10.1.0.5", P[proto]) });
		forwarded(&want, (struct dg){ D4("100.64.1.2", "10.1.0.5", P[proto]) });
		snprintf(name, sizeof(name), "xlat in, %s from the tunnel: source 10.40.1.2 -> 100.64.1.2, checksums as computed whole", N[proto]);
		report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want), name);
	}
	from_tunnel(&in, (struct dg){ D4("10.41.0.1", "10.1.0.5", 17) });
	forwarded(&want, (struct dg){ D4("10.41.0.1", "10.1.0.5", 17) });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "xlat in: a source outside the real prefix is left alone");
	from_tunnel(&in, (struct dg){ D4("10.40.1.2", "10.1.0.5", 17), .no_udp_csum = true });
	forwarded(&want, (struct dg){ D4("100.64.1.2", "10.1.0.5", 17), .no_udp_csum = true });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "xlat in: a UDP checksum of zero (none) stays zero");
	from_tunnel(&in, (struct dg){ D4("10.40.1.2", "10.1.0.5", 6), .frag = 0x2000 });
	forwarded(&want, (struct dg){ D4("100.64.1.2", "10.1.0.5", 6), .frag = 0x2000 });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "xlat in: a first fragment's TCP checksum follows its pseudo-header");
	from_tunnel(&in, (struct dg){ D4("10.40.1.2", "10.1.0.5", 6), .frag = 0x0005 });
	forwarded(&want, (struct dg){ D4("100.64.1.2", "10.1.0.5", 6), .frag = 0x0005 });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "xlat in: a later fragment: only its IP header changes");
	/* A host behind the tunnel answers a datagram that reached it (its
	 * destination translated already) with port unreachable. */
	dg_build(&q, &(struct dg){ D4("10.1.0.5", "10.40.1.2", 17), .ttl = 62 }, MAC_SMAC, MAC_SMAC);
	dg_build(&qx, &(struct dg){ D4("10.1.0.5", "100.64.1.2", 17), .ttl = 62 }, MAC_SMAC, MAC_SMAC);
	from_tunnel(&in, (struct dg){ D4("10.40.1.2", "10.1.0.5", 1), .type = 3, .quote = &q });
	forwarded(&want, (struct dg){ D4("100.64.1.2", "10.1.0.5", 1), .type = 3, .quote = &qx });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "xlat in, ICMP error: its source and the quoted destination, quoted IP and UDP checksums, ICMP checksum");
	from_tunnel(&in, (struct dg){ D4("10.99.0.1", "10.1.0.5", 1), .type = 11, .quote = &q });
	forwarded(&want, (struct dg){ D4("10.99.0.1", "10.1.0.5", 1), .type = 11, .quote = &qx });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "xlat in, ICMP time exceeded from a router outside the prefix: only the quote is translated");
	/* The way back: to the mapped prefix, into the tunnel. */
	for (int proto = 0; proto < 2; proto++) {
		uint8_t pr = proto ? 17 : 6;

		dg_build(&in, &(struct dg){ D4("10.1.0.5", "100.64.1.2", pr) }, MAC_ROUTER, MAC_IN_SRC);
		into_tunnel(&want, (struct dg){ D4("10.1.0.5", "10.40.1.2", pr) });
		report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
		       proto ? "xlat out, UDP into the tunnel: destination 100.64.1.2 -> 10.40.1.2"
			     : "xlat out, TCP into the tunnel: destination 100.64.1.2 -> 10.40.1.2");
	}
	dg_build(&q, &(struct dg){ D4("100.64.1.2", "10.1.0.5", 6), .ttl = 61 }, MAC_SMAC, MAC_SMAC);
	dg_build(&qx, &(struct dg){ D4("10.40.1.2", "10.1.0.5", 6), .ttl = 61 }, MAC_SMAC, MAC_SMAC);
	dg_build(&in, &(struct dg){ D4("10.1.0.5", "100.64.1.2", 1), .type = 3, .quote = &q }, MAC_ROUTER, MAC_IN_SRC);
	into_tunnel(&want, (struct dg){ D4("10.1.0.5", "10.40.1.2", 1), .type = 3, .quote = &qx });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "xlat out, ICMP error: destination and quoted source, quoted IP and TCP checksums");
	report(hits(1, 0) - h0 == 7 && hits(1, 1) - h1 == 3,
	       "xlat counters: the rule's 7 packets in, 3 out (quotes alone and other sources not counted)");
}

/* Where XDP does not send the packet itself. */
static void test_kernel_paths(void)
{
	struct pkt in, want;
	uint8_t out[4096], real[4] = { 10, 40, 1, 2 };
	uint32_t olen;
	int reason, act;

	from_tunnel(&in, (struct dg){ D4("10.40.1.2", "10.12.0.1", 17) });
	dg_build(&want, &(struct dg){ D4("100.64.1.2", "10.12.0.1", 17) }, MAC_ROUTER, MAC_IN_SRC);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_NOT_ATTACHED, &want),
	       "xlat in, egress without xfwd: the kernel gets it with its source translated");
	from_tunnel(&in, (struct dg){ D4("10.40.1.2", "10.7.0.1", 17), .frag = 0x4000, .payload = 600 });
	act = run(in.b, in.len, out, &olen, &reason);
	report(act == XDP_TX && reason == XFWD_R_TX_ICMP_TOO_BIG && olen > 58 && !memcmp(out + 54, real, 4),
	       "xlat in, too big with DF: the answer quotes the source as the sender sent it");
	rule("172.31.0.0/16 to 10.6.0.0/16 dev xt1", (uint32_t)if_out, 2);
	dg_build(&in, &(struct dg){ D4("10.1.0.5", "10.6.0.1", 17) }, MAC_ROUTER, MAC_IN_SRC);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_XLAT, NULL),
	       "xlat out, next hop unresolved: dropped and counted, not handed to a kernel that would not translate it");
}

/* A rule on an interface, and the filters' view. */
static void test_port_and_filter(void)
{
	struct pkt in, want;

	rule("192.0.2.0/24 to 198.18.7.0/24 dev xt0", (uint32_t)if_in, 3);
	dg_build(&in, &(struct dg){ D4("192.0.2.1", "10.1.0.5", 6) }, MAC_ROUTER, MAC_IN_SRC);
	forwarded(&want, (struct dg){ D4("198.18.7.1", "10.1.0.5", 6) });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want) && hits(3, 0) == 1,
	       "xlat in on an interface: source 192.0.2.1 -> 198.18.7.1");
}

static void filter_bind_one(uint32_t bind, uint16_t set, const char *text, uint8_t deflt)
{
	struct xfwd_filter_bind b = { .set = { set, 0 } };
	struct xfwd_filter_rule r;
	struct filter_build fb;
	char line[160], err[256], *argv[16];
	uint32_t sv = set;
	int argc;

	snprintf(line, sizeof(line), "%s", text);
	argc = words_split(line, argv, 16, err, sizeof(err));
	if (argc < 0 || filter_rule_parse(argc, argv, &r, err, sizeof(err)) ||
	    filter_compile(&r, 1, 60000u + 2u * set, set, deflt, &fb, err, sizeof(err)))
		abort();
	for (size_t i = 0; i < fb.n; i++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_filter_hits), &fb.e[i].k, &fb.e[i].h, 0))
			abort();
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_filter_sets), &sv, &fb.set, 0) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_filter_binds), &bind, &b, 0))
		abort();
	filter_build_free(&fb);
}

static void test_filter_view(void)
{
	uint32_t bind = xfwd_filter_bind_tunnel(XFWD_FILTER_IN, 1);
	struct xfwd_filter_bind none = { 0 };
	struct pkt in, want;

	filter_bind_one(bind, 9, "src 100.64.0.0/16 deny", XFWD_FILTER_ALLOW);
	from_tunnel(&in, (struct dg){ D4("10.40.1.2", "10.1.0.5", 17) });
	dg_build(&want, &(struct dg){ D4("10.40.1.2", "10.1.0.5", 17) }, MAC_ROUTER, MAC_IN_SRC);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_FILTER, &want),
	       "xlat and filters: a tunnel's in filter sees the mapped source (100.64.0.0/16 denied)");
	filter_bind_one(bind, 10, "src 10.40.0.0/16 deny", XFWD_FILTER_ALLOW);
	forwarded(&want, (struct dg){ D4("100.64.1.2", "10.1.0.5", 17) });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "xlat and filters: a rule on the real prefix does not match (the hub's view)");
	bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_filter_binds), &bind, &none, 0);
}

/* NPTv6 by RFC 6296's example (section 3.2): fd01:203:405::/48 behind
 * tunnel 1 is 2001:db8:1::/48 outside, fd01:203:405:1::1234 is
 * 2001:db8:1:d550::1234, and no checksum changes. */
static void test_npt(void)
{
	struct pkt in, want;

	rule("fd01:203:405::/48 to 2001:db8:1::/48 tunnel t1", 1, 4);
	rule("fd01:203:405::/48 to 2001:db8:1::/48 dev xt1", (uint32_t)if_out, 5);
	from_tunnel(&in, (struct dg){ D6("fd01:203:405:1::1234", "2001:db8:2::5", 17) });
	dg_build(&want, &(struct dg){ D6("2001:db8:1:d550::1234", "2001:db8:2::5", 17), .ttl = 63 }, MAC_NH[1], MAC_SMAC);
	/* The inner UDP checksum sits 14 + 20 + 8 + 40 + 6 bytes into the
	 * tunnelled frame: checksum-neutral means the same two bytes. */
	report(expect_frame(&in, XDP_TX, XFWD_R_FWD_TX, &want) && !memcmp(in.b + 88, want.b + want.l4 + 6, 2),
	       "NPTv6 in: fd01:203:405:1::1234 -> 2001:db8:1:d550::1234 (RFC 6296 3.2), UDP checksum unchanged");
	dg_build(&in, &(struct dg){ D6("2001:db8:9::1", "2001:db8:1:d550::1234", 6) }, MAC_ROUTER, MAC_IN_SRC);
	forwarded(&want, (struct dg){ D6("2001:db8:9::1", "fd01:203:405:1::1234", 6) });
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "NPTv6 out on an interface: 2001:db8:1:d550::1234 -> fd01:203:405:1::1234");
	from_tunnel(&in, (struct dg){ D6("fd01:203:405:1::1234", "2001:db8:2::5", 6), .v6frag = true, .frag = 1 });
	dg_build(&want, &(struct dg){ D6("2001:db8:1:d550::1234", "2001:db8:2::5", 6), .ttl = 63, .v6frag = true, .frag = 1 },
		 MAC_NH[1], MAC_SMAC);
	report(expect_frame(&in, XDP_TX, XFWD_R_FWD_TX, &want), "NPTv6 in: a first fragment");
}

/* IPv6 longer than /64: the prefix's bits replaced, checksums updated. */
static void test_netmap6(void)
{
	struct pkt in, want, q, qx;

	rule("fd00:40::/120 to 2001:db8:64::100/120 tunnel t1", 1, 6);
	for (int i = 0; i < 3; i++) {
		static const uint8_t P[3] = { 6, 17, 58 };
		static const char *const N[3] = {
			"IPv6 /120 in: TCP, prefix bits replaced, checksum updated",
			"IPv6 /120 in: UDP",
			"IPv6 /120 in: ICMPv6 echo (its pseudo-header checksum)" };

		from_tunnel(&in, (struct dg){ D6("fd00:40::7", "2001:db8:2::5", P[i]) });
		dg_build(&want, &(struct dg){ D6("2001:db8:64::107", "2001:db8:2::5", P[i]), .ttl = 63 }, MAC_NH[1], MAC_SMAC);
		report(expect_frame(&in, XDP_TX, XFWD_R_FWD_TX, &want), N[i]);
	}
	from_tunnel(&in, (struct dg){ D6("fd00:40::7", "2001:db8:2::5", 6), .v6frag = true, .frag = 8 });
	dg_build(&want, &(struct dg){ D6("2001:db8:64::107", "2001:db8:2::5", 6), .ttl = 63, .v6frag = true, .frag = 8 },
		 MAC_NH[1], MAC_SMAC);
	report(expect_frame(&in, XDP_TX, XFWD_R_FWD_TX, &want), "IPv6 /120 in: a later fragment, only the address");
	dg_build(&q, &(struct dg){ D6("2001:db8:2::5", "fd00:40::7", 17), .ttl = 60 }, MAC_SMAC, MAC_SMAC);
	dg_build(&qx, &(struct dg){ D6("2001:db8:2::5", "2001:db8:64::107", 17), .ttl = 60 }, MAC_SMAC, MAC_SMAC);
	from_tunnel(&in, (struct dg){ D6("fd00:40::7", "2001:db8:2::5", 58), .type = 1, .quote = &q });
	dg_build(&want, &(struct dg){ D6("2001:db8:64::107", "2001:db8:2::5", 58), .ttl = 63, .type = 1, .quote = &qx },
		 MAC_NH[1], MAC_SMAC);
	report(expect_frame(&in, XDP_TX, XFWD_R_FWD_TX, &want),
	       "IPv6 /120 in, ICMPv6 unreachable: source, quoted destination, quoted UDP and ICMPv6 checksums");
}

int main(void)
{
	if (setup()) {
		printf("xlat: 0 passed, 1 failed\n");
		return 1;
	}
	printf("test_xlat: prefix translation, packet in -> packet out\n");
	test_tunnel4();
	test_kernel_paths();
	test_port_and_filter();
	test_filter_view();
	test_npt();
	test_netmap6();
	printf("xlat: %d passed, %d failed\n", passes, fails);
	xfwd__destroy(skel);
	return fails ? 1 : 0;
}
