// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet in -> packet out through the real XDP object (BPF_PROG_TEST_RUN,
 * verified by this kernel), table driven: {case, maps, packet in, expected
 * action, expected reason counter, expected packet out byte for byte}.
 * Runs in a network namespace of its own (two veths for TX vs redirect).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "pkt.h"
#include "loader/core/buckets.h"
#include "loader/core/filter.h"
#include "loader/core/lpm4.h"
#include "loader/core/words.h"
#include "maps/xfwd_abi.h"
#include "maps/xfwd_hash.h"
#include "maps/xfwd_tunnel.h"
#include "xfwd.skel.h"

/* ---- table of cases ---- */

struct spec {
	int family;
	const char *src, *dst;
	uint8_t ttl, proto;
	uint8_t tagged; /* one 802.1Q tag in, with this TCI */
	uint16_t tci;
	const uint8_t *opts;
	size_t optlen;
	uint16_t frag; /* IPv4 frag_off (host order) */
	uint8_t has_ext, ext; /* IPv6 extension header before UDP */
	size_t payload;
	uint16_t sport;
	uint16_t ip_id;
	uint8_t tos;
};

struct expect {
	int action;
	int reason;
	int mac;  /* MAC_NH index of the next hop for forwards */
	int vlan_out; /* TCI out, -1 untagged */
};

static void set_tclass(uint8_t *ip6, uint8_t tc)
{
	ip6[0] = (uint8_t)(0x60 | tc >> 4);
	ip6[1] = (uint8_t)((ip6[1] & 0x0f) | (tc & 0x0f) << 4);
}

static void build(struct pkt *p, const struct spec *s, const uint8_t *dmac,
		  const uint8_t *smac, int tci, uint8_t ttl)
{
	uint16_t l3 = s->family == AF_INET ? ETH_P_IP : ETH_P_IPV6;
	uint8_t proto = s->proto ? s->proto : 17;

	pkt_init(p);
	pkt_eth(p, dmac, smac, tci >= 0 ? ETH_P_8021Q : l3);
	if (tci >= 0)
		pkt_vlan(p, (uint16_t)tci, l3);
	if (s->family == AF_INET) {
		pkt_ipv4(p, s->src, s->dst, proto, ttl, s->opts, s->optlen);
		((struct iphdr *)(p->b + p->l3))->frag_off = htons(s->frag);
		((struct iphdr *)(p->b + p->l3))->id = htons(s->ip_id);
		((struct iphdr *)(p->b + p->l3))->tos = s->tos;
	} else if (s->has_ext) {
		uint8_t ext[8] = { proto, 0 };

		pkt_ipv6(p, s->src, s->dst, s->ext, ttl);
		pkt_push(p, ext, sizeof(ext));
	} else {
		pkt_ipv6(p, s->src, s->dst, proto, ttl);
	}
	if (s->family == AF_INET6)
		set_tclass(p->b + p->l3, s->tos);
	if (proto == 6)
		pkt_tcp(p, s->sport ? s->sport : 1000, 80);
	else
		pkt_udp(p, s->sport ? s->sport : 1000, 53);
	pkt_payload(p, s->payload ? s->payload : 18);
	pkt_finish(p);
}

struct tcase {
	const char *name;
	struct spec in;
	struct expect out;
};

static const uint8_t OPT_NOP4[4] = { 1, 1, 1, 0 };

#define V4(s_, d_, t_) .family = AF_INET, .src = s_, .dst = d_, .ttl = t_
#define V6(s_, d_, t_) .family = AF_INET6, .src = s_, .dst = d_, .ttl = t_
/* IPv6 extension header before UDP (0 is hop-by-hop, so flag it). */
#define EXT(type) .has_ext = 1, .ext = type
#define TAG(tci_) .tagged = 1, .tci = tci_

static const struct tcase cases[] = {
	{ "ipv4 forward, redirect to another port",
	  { V4("192.0.2.1", "10.1.0.5", 64) }, { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 forward, out the ingress port (XDP_TX)",
	  { V4("192.0.2.1", "10.2.9.9", 64) }, { XDP_TX, XFWD_R_FWD_TX, 1, -1 } },
	{ "ipv4 longest match: /25 inside the /16 (tbl8)",
	  { V4("192.0.2.1", "10.1.2.200", 64) }, { XDP_TX, XFWD_R_FWD_TX, 1, -1 } },
	{ "ipv4 longest match: beside the /25 the /16 holds",
	  { V4("192.0.2.1", "10.1.2.100", 64) }, { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	/* One /16 whose /24s differ (the compact copy's block, in both its lines). */
	{ "ipv4 /24s in one /16: the /16's own", { V4("192.0.2.1", "10.9.0.5", 64) },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 /24s in one /16: first quarter", { V4("192.0.2.1", "10.9.5.5", 64) },
	  { XDP_TX, XFWD_R_FWD_TX, 1, -1 } },
	{ "ipv4 /24s in one /16: second quarter", { V4("192.0.2.1", "10.9.70.5", 64) },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 5, 100 } },
	{ "ipv4 /24s in one /16: the /24 after one", { V4("192.0.2.1", "10.9.71.5", 64) },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 /24s in one /16: third quarter", { V4("192.0.2.1", "10.9.130.5", 64) },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 3, -1 } },
	{ "ipv4 /24s in one /16: a late run", { V4("192.0.2.1", "10.9.213.5", 64) },
	  { XDP_TX, XFWD_R_FWD_TX, 1, -1 } },
	{ "ipv4 /24s in one /16: between late runs", { V4("192.0.2.1", "10.9.214.5", 64) },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 /24s in one /16: the last /24", { V4("192.0.2.1", "10.9.255.5", 64) },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 5, 100 } },
	{ "ipv4 TTL 2 forwarded as TTL 1",
	  { V4("192.0.2.1", "10.1.0.5", 2) }, { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 TCP forward", { V4("192.0.2.1", "10.1.0.5", 64), .proto = 6 },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 1400-byte packet fits MTU 1500",
	  { V4("192.0.2.1", "10.1.0.5", 64), .payload = 1372 },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 tagged in, untagged out (tag popped)",
	  { V4("192.0.2.1", "10.1.0.5", 64), TAG(0x2000) | 7 },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 untagged in, VLAN 100 out (tag pushed)",
	  { V4("192.0.2.1", "10.8.0.5", 64) }, { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 5, 100 } },
	{ "ipv4 tagged in, VLAN 100 out (id rewritten, PCP kept)",
	  { V4("192.0.2.1", "10.8.0.5", 64), TAG(0xa000) | 7 },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 5, 0xa000 | 100 } },
	{ "ipv4 over an IPv6 next hop (RTA_VIA, BGP unnumbered): to that hop's MAC",
	  { V4("192.0.2.1", "10.31.0.5", 64) }, { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 3, -1 } },
	{ "ipv4 first fragment forwarded",
	  { V4("192.0.2.1", "10.1.0.5", 64), .frag = 0x2000 },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 later fragment forwarded",
	  { V4("192.0.2.1", "10.1.0.5", 64), .frag = 0x00b9 },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv4 options go to the kernel",
	  { V4("192.0.2.1", "10.1.0.5", 64), .opts = OPT_NOP4, .optlen = 4 },
	  { XDP_PASS, XFWD_R_PASS_IP_OPTIONS, -1, -1 } },
	{ "ipv4 TTL 1 goes to the kernel (time exceeded)",
	  { V4("192.0.2.1", "10.1.0.5", 1) }, { XDP_PASS, XFWD_R_PASS_TTL, -1, -1 } },
	{ "ipv4 TTL 0 goes to the kernel",
	  { V4("192.0.2.1", "10.1.0.5", 0) }, { XDP_PASS, XFWD_R_PASS_TTL, -1, -1 } },
	{ "ipv4 to a local address", { V4("192.0.2.1", "10.0.0.1", 64) },
	  { XDP_PASS, XFWD_R_PASS_LOCAL, -1, -1 } },
	{ "ipv4 to a local address with TTL 1 is still local",
	  { V4("192.0.2.1", "10.0.0.1", 1) }, { XDP_PASS, XFWD_R_PASS_LOCAL, -1, -1 } },
	{ "ipv4 blackhole", { V4("192.0.2.1", "10.4.1.1", 64) },
	  { XDP_DROP, XFWD_R_DROP_BLACKHOLE, -1, -1 } },
	{ "ipv4 route to the kernel", { V4("192.0.2.1", "10.5.1.1", 64) },
	  { XDP_PASS, XFWD_R_PASS_KERNEL_ROUTE, -1, -1 } },
	{ "ipv4 no route", { V4("192.0.2.1", "172.16.0.1", 64) },
	  { XDP_PASS, XFWD_R_PASS_NO_ROUTE, -1, -1 } },
	{ "ipv4 next hop MAC unresolved", { V4("192.0.2.1", "10.6.0.1", 64) },
	  { XDP_PASS, XFWD_R_PASS_NO_NEIGH, -1, -1 } },
	{ "ipv4 larger than the egress MTU", { V4("192.0.2.1", "10.7.0.1", 64), .payload = 600 },
	  { XDP_PASS, XFWD_R_PASS_MTU, -1, -1 } },
	{ "ipv4 egress without xfwd", { V4("192.0.2.1", "10.12.0.1", 64) },
	  { XDP_PASS, XFWD_R_PASS_NOT_ATTACHED, -1, -1 } },
	{ "ipv4 multicast", { V4("192.0.2.1", "224.0.0.5", 1) },
	  { XDP_PASS, XFWD_R_PASS_SPECIAL_DST, -1, -1 } },
	{ "ipv4 limited broadcast", { V4("192.0.2.1", "255.255.255.255", 64) },
	  { XDP_PASS, XFWD_R_PASS_SPECIAL_DST, -1, -1 } },
	{ "ipv4 link-local destination (169.254/16) goes to the kernel",
	  { V4("192.0.2.1", "169.254.1.1", 64) }, { XDP_PASS, XFWD_R_PASS_SPECIAL_DST, -1, -1 } },
	{ "ipv4 link-local source is never forwarded", { V4("169.254.1.1", "10.1.0.5", 64) },
	  { XDP_PASS, XFWD_R_PASS_SPECIAL_DST, -1, -1 } },
	{ "ipv4 loopback destination", { V4("192.0.2.1", "127.0.0.2", 64) },
	  { XDP_PASS, XFWD_R_PASS_SPECIAL_DST, -1, -1 } },
	{ "ipv4 next to link-local (169.253.x, 169.255.x) is routed",
	  { V4("169.253.255.255", "10.1.0.5", 64) }, { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv6 forward, redirect", { V6("2001:db8:9::1", "2001:db8:1::5", 64) },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv6 forward, XDP_TX", { V6("2001:db8:9::1", "2001:db8:2::5", 64), .proto = 6 },
	  { XDP_TX, XFWD_R_FWD_TX, 1, -1 } },
	{ "ipv6 tagged in, untagged out",
	  { V6("2001:db8:9::1", "2001:db8:1::5", 64), TAG(42) },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv6 fragment header forwarded",
	  { V6("2001:db8:9::1", "2001:db8:1::5", 64), EXT(44) },
	  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
	{ "ipv6 hop-by-hop goes to the kernel",
	  { V6("2001:db8:9::1", "2001:db8:1::5", 64), EXT(0) },
	  { XDP_PASS, XFWD_R_PASS_IPV6_EXT, -1, -1 } },
	{ "ipv6 routing header goes to the kernel",
	  { V6("2001:db8:9::1", "2001:db8:1::5", 64), EXT(43) },
	  { XDP_PASS, XFWD_R_PASS_IPV6_EXT, -1, -1 } },
	{ "ipv6 hop limit 1", { V6("2001:db8:9::1", "2001:db8:1::5", 1) },
	  { XDP_PASS, XFWD_R_PASS_TTL, -1, -1 } },
	{ "ipv6 to a local address", { V6("2001:db8:9::1", "2001:db8::1", 64) },
	  { XDP_PASS, XFWD_R_PASS_LOCAL, -1, -1 } },
	{ "ipv6 blackhole", { V6("2001:db8:9::1", "2001:db8:4::1", 64) },
	  { XDP_DROP, XFWD_R_DROP_BLACKHOLE, -1, -1 } },
	{ "ipv6 no route", { V6("2001:db8:9::1", "2001:db8:77::1", 64) },
	  { XDP_PASS, XFWD_R_PASS_NO_ROUTE, -1, -1 } },
	{ "ipv6 link-local destination", { V6("fe80::1", "fe80::2", 255) },
	  { XDP_PASS, XFWD_R_PASS_SPECIAL_DST, -1, -1 } },
	{ "ipv6 link-local source is never forwarded", { V6("fe80::1", "2001:db8:1::5", 64) },
	  { XDP_PASS, XFWD_R_PASS_SPECIAL_DST, -1, -1 } },
	{ "ipv6 multicast", { V6("2001:db8:9::1", "ff02::1", 255) },
	  { XDP_PASS, XFWD_R_PASS_SPECIAL_DST, -1, -1 } },
};

static bool run_case(const struct tcase *c)
{
	struct pkt in, want;
	uint8_t out[4096];
	uint32_t olen;
	int reason, act;
	bool fwd = c->out.action == XDP_TX || c->out.action == XDP_REDIRECT;

	build(&in, &c->in, MAC_ROUTER, MAC_IN_SRC, c->in.tagged ? c->in.tci : -1, c->in.ttl);
	act = run(in.b, in.len, out, &olen, &reason);
	if (act != c->out.action || reason != c->out.reason) {
		fprintf(stderr, "  action %d (want %d), reason %d (want %d)\n", act,
			c->out.action, reason, c->out.reason);
		return false;
	}
	if (!fwd)
		return same_bytes(&in, out, olen); /* untouched */
	build(&want, &c->in, MAC_NH[c->out.mac], MAC_SMAC, c->out.vlan_out,
	      (uint8_t)(c->in.ttl - 1));
	return same_bytes(&want, out, olen);
}

/* ---- ECMP ---- */

static int member_of(const uint8_t *frame)
{
	for (int m = 2; m <= 4; m++)
		if (!memcmp(frame, MAC_NH[m], 6))
			return m - 2;
	return -1;
}

static int ecmp_pick(uint16_t sport, const char *dst)
{
	struct spec s = { V4("192.0.2.1", dst, 64), .sport = sport };
	struct pkt in;
	uint8_t out[4096];
	uint32_t olen;
	int reason;

	build(&in, &s, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	if (run(in.b, in.len, out, &olen, &reason) != XDP_REDIRECT)
		return -1;
	return member_of(out);
}

/* What `xfwd route get` computes for the same flow (maps/xfwd_hash.h)
 * over group 20 as the map holds it: a member index. */
static int predicted(uint16_t sport, const char *dst, uint32_t dead)
{
	struct xfwd_group_set g;
	struct in_addr s, d;
	uint32_t ports = htonl((uint32_t)sport << 16 | 53), hash;

	inet_pton(AF_INET, "192.0.2.1", &s);
	inet_pton(AF_INET, dst, &d);
	hash = xfwd_flow_hash(s.s_addr, d.s_addr, ports, 17);
	get_set(20, &g);
	return xfwd_choose(hash, g.count, g.bucket[xfwd_bucket(hash)], dead, g.drained);
}

static void set_dead(uint32_t id, bool dead)
{
	int fd = bpf_map__fd(skel->maps.xfwd_nexthops);
	struct xfwd_nh n;

	bpf_map_lookup_elem(fd, &id, &n);
	n.flags = dead ? n.flags | XFWD_NH_F_DEAD : n.flags & ~XFWD_NH_F_DEAD;
	bpf_map_update_elem(fd, &id, &n, 0);
}

static void test_ecmp(void)
{
	int count[3] = { 0 }, first[600], agree = 1, sticky = 1, moved_ok = 1;
	int moved = 0, stayed = 0, to_dead = 0;

	for (int f = 0; f < 600; f++) {
		first[f] = ecmp_pick((uint16_t)(1000 + f), "10.3.0.9");
		if (first[f] >= 0)
			count[first[f]]++;
		agree &= first[f] == predicted((uint16_t)(1000 + f), "10.3.0.9", 0);
		sticky &= ecmp_pick((uint16_t)(1000 + f), "10.3.0.9") == first[f];
	}
	printf("  ECMP 600 flows over 3 members: %d / %d / %d\n", count[0], count[1], count[2]);
	report(count[0] > 120 && count[1] > 120 && count[2] > 120,
	       "ECMP spreads flows over every member (each > 20%)");
	report(sticky, "ECMP: a flow stays on its member");
	report(agree, "ECMP: data path and route get pick the same member");

	set_dead(NH_E2, true);
	for (int f = 0; f < 600; f++) {
		int now = ecmp_pick((uint16_t)(1000 + f), "10.3.0.9");

		to_dead += now == 1;
		if (first[f] != 1) {
			moved_ok &= now == first[f];
			stayed++;
		} else {
			moved++;
		}
		agree &= now == predicted((uint16_t)(1000 + f), "10.3.0.9", 1u << 1);
	}
	report(to_dead == 0, "dead member gets no flow");
	report(moved_ok, "only the dead member's flows move");
	report(agree, "with a dead member, route get still agrees");
	(void)moved;
	(void)stayed;

	set_dead(NH_E1, true);
	set_dead(NH_E3, true);
	{
		struct spec s = { V4("192.0.2.1", "10.3.0.9", 64) };
		struct pkt in;
		uint8_t out[4096];
		uint32_t olen;
		int reason, act;

		build(&in, &s, MAC_ROUTER, MAC_IN_SRC, -1, 64);
		act = run(in.b, in.len, out, &olen, &reason);
		report(act == XDP_PASS && reason == XFWD_R_PASS_ALL_DEAD &&
			       same_bytes(&in, out, olen),
		       "every member dead: to the kernel, untouched");
	}
	set_dead(NH_E1, false);
	set_dead(NH_E2, false);
	set_dead(NH_E3, false);
}

/* ---- Resilient ECMP: members added, removed, drained (docs/ecmp.md) ---- */

#define RFLOWS 2000

/* The next hop a flow left by (its MAC), 0 when it did not leave. */
static uint32_t nh_taken(int f)
{
	static const uint32_t by_mac[5] = { NH_OUT, 0, NH_E1, NH_E2, NH_E3 };
	struct spec s = { V4("192.0.2.1", "10.3.0.9", 64), .sport = (uint16_t)(1000 + f) };
	uint8_t out[4096];
	struct pkt in;
	uint32_t olen;
	int reason;

	build(&in, &s, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	if (run(in.b, in.len, out, &olen, &reason) != XDP_REDIRECT)
		return 0;
	for (int m = 0; m < 5; m++)
		if (by_mac[m] && !memcmp(out, MAC_NH[m], 6))
			return by_mac[m];
	return 0;
}

/* Group 20 becomes `want` dealt from what it holds now; every flow is
 * sent before and after. Returns how many moved; *only_to: whether every
 * moved flow went to `to`, or (to 0) was `from`'s and left it; *agree: whether
 * XDP and route get's rule picked alike throughout. */
static int regroup(struct xfwd_group_set *want, uint32_t to, uint32_t from, bool *only_to,
		   bool *agree)
{
	static uint32_t before[RFLOWS];
	struct xfwd_group_set now;
	int moved = 0;

	get_set(20, &now);
	buckets_deal(want, &now);
	for (int f = 0; f < RFLOWS; f++)
		before[f] = nh_taken(f);
	put_set(20, want);
	*only_to = *agree = true;
	for (int f = 0; f < RFLOWS; f++) {
		uint32_t after = nh_taken(f);
		int p = predicted((uint16_t)(1000 + f), "10.3.0.9", 0);

		*agree &= p >= 0 && want->members[p] == after;
		if (after == before[f])
			continue;
		moved++;
		*only_to &= to ? after == to : before[f] == from && after != from;
	}
	return moved;
}

static void set_members(struct xfwd_group_set *s, const uint32_t *m, uint32_t n)
{
	memset(s, 0, sizeof(*s));
	s->count = n;
	memcpy(s->members, m, n * 4);
}

static void test_ecmp_resilient(void)
{
	struct xfwd_group_set g;
	bool only, agree;
	int moved, to_drained = 0;

	set_members(&g, (uint32_t[]){ NH_OUT, NH_E1, NH_E2, NH_E3 }, 4);
	moved = regroup(&g, NH_OUT, 0, &only, &agree);
	printf("  a 4th member added: %d of %d flows moved\n", moved, RFLOWS);
	report(only && moved > RFLOWS / 5 && moved < RFLOWS * 3 / 10,
	       "resilient ECMP: a 4th member takes about a quarter of the flows, all from the others");
	report(agree, "resilient ECMP: data path and route get agree after the add");

	set_members(&g, (uint32_t[]){ NH_OUT, NH_E1, NH_E3 }, 3);
	moved = regroup(&g, 0, NH_E2, &only, &agree);
	report(only && moved > RFLOWS / 6, "resilient ECMP: a member removed moves its own flows alone");
	report(agree, "resilient ECMP: data path and route get agree after the removal");

	set_members(&g, (uint32_t[]){ NH_OUT, NH_E1, NH_E3 }, 3);
	g.drained = 1u << 1; /* E1: weight 0 */
	moved = regroup(&g, 0, NH_E1, &only, &agree);
	for (int f = 0; f < RFLOWS; f++)
		to_drained += nh_taken(f) == NH_E1;
	report(only && moved > RFLOWS / 4 && !to_drained,
	       "resilient ECMP: a drained member (weight 0) gets no flow; only its own move");
	report(agree, "resilient ECMP: data path and route get agree with a drained member");

	/* E3 dies: its flows go to the live member that is not drained. */
	set_dead(NH_E3, true);
	for (int f = 0; f < RFLOWS; f++)
		to_drained += nh_taken(f) == NH_E1;
	report(!to_drained, "resilient ECMP: a dead member's flows skip the drained one");
	/* Every other member dead: the drained one is the last resort. */
	set_dead(NH_OUT, true);
	{
		struct spec s = { V4("192.0.2.1", "10.3.0.9", 64), .sport = 1000 };
		struct pkt in, want;
		uint8_t out[4096];
		uint32_t olen;
		int reason, act;

		build(&in, &s, MAC_ROUTER, MAC_IN_SRC, -1, 64);
		build(&want, &s, MAC_NH[2], MAC_SMAC, -1, 63);
		act = run(in.b, in.len, out, &olen, &reason);
		report(act == XDP_REDIRECT && same_bytes(&want, out, olen),
		       "resilient ECMP: every other member dead, the drained one forwards (whole frame)");
	}
	set_dead(NH_OUT, false);
	set_dead(NH_E3, false);
	put_group(20, (uint32_t[]){ NH_E1, NH_E2, NH_E3 }, 3);
}

static int quiet(enum libbpf_print_level l, const char *f, va_list a)
{
	(void)l, (void)f, (void)a;
	return 0;
}

/* tbl6 is one map value XDP indexes directly; the program learns its
 * size from .rodata and the verifier proves each index below it, so a
 * program told of more entries than its map holds must not load. */
static void test_tbl6_size_checked(void)
{
	libbpf_print_fn_t was = libbpf_set_print(quiet);
	struct xfwd *s = xfwd__open();
	struct bpf_map *m;
	int err = -1;

	if (s) {
		bpf_object__for_each_map(m, s->obj)
			bpf_map__set_pin_path(m, NULL);
		bpf_map__set_value_size(s->maps.xfwd_tbl6, 1024 * sizeof(struct xfwd_tbl6_node));
		s->rodata->xfwd_tbl6_entries = 1025 * XFWD_TBL6_NODE;
		err = xfwd__load(s);
		xfwd__destroy(s);
	}
	libbpf_set_print(was);
	report(s && err, "a program told tbl6 is larger than its map is refused by the verifier");
}

/* IPv6: a route whose group has no live member falls to the longest
 * covering route that has one (the trie finds it), then to the kernel. */
static void test_cover6(void)
{
	static const struct tcase cases[] = {
		{ "ipv6 /64 alive: its own member", { V6("2001:db8:9::1", "2001:db8:100:7::1", 64) },
		  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 2, -1 } },
		{ "ipv6 /64 and its /48 all dead: the /40 covers", { V6("2001:db8:9::1", "2001:db8:100:7::1", 64) },
		  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
		{ "ipv6 /48 all dead: the /40 covers", { V6("2001:db8:9::1", "2001:db8:100:8::1", 64) },
		  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } },
		{ "ipv6 all dead, no cover: to the kernel, untouched", { V6("2001:db8:9::1", "2001:db8:3::5", 64) },
		  { XDP_PASS, XFWD_R_PASS_ALL_DEAD, -1, -1 } },
		{ "ipv6 /64 alive again: back on its member", { V6("2001:db8:9::1", "2001:db8:100:7::1", 64) },
		  { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 2, -1 } },
	};

	report(run_case(&cases[0]), cases[0].name);
	set_dead(NH_E1, true);
	set_dead(NH_E2, true);
	set_dead(NH_E3, true);
	for (int i = 1; i < 4; i++)
		report(run_case(&cases[i]), cases[i].name);
	set_dead(NH_E1, false);
	report(run_case(&cases[4]), cases[4].name);
	set_dead(NH_E2, false);
	set_dead(NH_E3, false);
}

/* ---- tunnels ---- */

/* Outer L2 + IP (+ GRE) in front of the inner packet built from `in`.
 * gre_key: >= 0 GRE with that key, -1 GRE without key, -2 no GRE. */
static void build_tunnelled(struct pkt *p, const uint8_t *dmac, const uint8_t *smac,
			    int fam, const char *src, const char *dst, uint8_t ttl,
			    uint8_t tos, int gre_key, const struct spec *in, uint8_t in_ttl)
{
	uint16_t inner_et = in->family == AF_INET ? ETH_P_IP : ETH_P_IPV6;
	uint8_t proto = gre_key > -2 ? 47 : in->family == AF_INET ? 4 : 41;
	struct pkt inner;

	build(&inner, in, dmac, smac, -1, in_ttl);
	pkt_init(p);
	pkt_eth(p, dmac, smac, fam == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (fam == AF_INET) {
		pkt_ipv4(p, src, dst, proto, ttl, NULL, 0);
		((struct iphdr *)(p->b + p->l3))->tos = tos;
		((struct iphdr *)(p->b + p->l3))->frag_off = htons(0x4000);
	} else {
		pkt_ipv6(p, src, dst, proto, ttl);
		set_tclass(p->b + p->l3, tos);
	}
	if (gre_key > -2) {
		uint16_t g[2] = { htons(gre_key >= 0 ? 0x2000 : 0), htons(inner_et) };
		uint32_t k = htonl((uint32_t)gre_key);

		pkt_push(p, g, sizeof(g));
		if (gre_key >= 0)
			pkt_push(p, &k, sizeof(k));
	}
	pkt_push(p, inner.b + inner.l3, inner.len - (size_t)inner.l3);
	pkt_finish(p);
}

static void test_encap(void)
{
	struct spec v4 = { V4("192.0.2.1", "10.20.0.5", 64), .tos = 0xb9 /* EF, ECT(1) */ };
	struct spec v6 = { V6("2001:db8:9::1", "2001:db8:20::5", 64), .tos = 0x2a };
	struct spec v4b = { V4("192.0.2.1", "10.21.0.5", 64), .tos = 0x03 /* CE */ };
	struct spec v4c = { V4("192.0.2.1", "10.22.0.5", 64) };
	struct spec big = { V4("192.0.2.1", "10.20.0.5", 64), .payload = 1380 };
	struct spec tagged = { V4("192.0.2.1", "10.20.0.5", 64), TAG(9) };
	struct pkt in, want;

	build(&in, &v4, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_tunnelled(&want, MAC_NH[0], MAC_SMAC, AF_INET, T4_LOCAL, T4_REMOTE, 64, 0xb9, 42, &v4, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "GRE encap with key, IPv4 in IPv4, DSCP and ECN copied");
	build(&in, &v6, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_tunnelled(&want, MAC_NH[0], MAC_SMAC, AF_INET, T4_LOCAL, T4_REMOTE, 64, 0x2a, 42, &v6, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "GRE encap, IPv6 in IPv4");
	build(&in, &v4b, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_tunnelled(&want, MAC_NH[0], MAC_SMAC, AF_INET6, T6_LOCAL, T6_REMOTE, 32, 0x03, -2, &v4b, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "IP-in-IP encap, IPv4 in IPv6, hop limit from the tunnel, CE kept");
	build(&in, &v4c, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_tunnelled(&want, MAC_NH[0], MAC_SMAC, AF_INET, T4_LOCAL, T4_REMOTE3, 64, 0, -1, &v4c, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want), "GRE encap without key");
	build(&in, &tagged, MAC_ROUTER, MAC_IN_SRC, 9, 64);
	build_tunnelled(&want, MAC_NH[0], MAC_SMAC, AF_INET, T4_LOCAL, T4_REMOTE, 64, 0, 42, &tagged, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "GRE encap from a tagged port: tag dropped, outer untagged");
	build(&in, &big, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_MTU, NULL),
	       "inner larger than the tunnel MTU goes to the kernel untouched");
}

/* A tunnel's counters, summed over the CPUs. */
static struct xfwd_tunnel_counters tunnel_sum(uint32_t id)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xfwd_tunnel_counters c[ncpu], sum = { 0 };

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.xfwd_tunnel_stats), &id, c))
		abort();
	for (int i = 0; i < ncpu; i++) {
		sum.rx_packets += c[i].rx_packets;
		sum.rx_bytes += c[i].rx_bytes;
		sum.tx_packets += c[i].tx_packets;
		sum.tx_bytes += c[i].tx_bytes;
		sum.urpf_drops += c[i].urpf_drops;
	}
	return sum;
}

static uint64_t tunnel_tx(uint32_t id, bool bytes)
{
	struct xfwd_tunnel_counters c = tunnel_sum(id);

	return bytes ? c.tx_bytes : c.tx_packets;
}

/* Only frames addressed to the port's MAC are routed; IP in any other
 * frame (flooded by a switch, seen in promiscuous mode, broadcast) goes to
 * the kernel untouched, which drops it as a host would. */
static void test_own_mac(void)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0x77, 0x01 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct spec v4 = { V4("192.0.2.1", "10.1.0.5", 64) };
	struct spec v6 = { V6("2001:db8:9::1", "2001:db8:1::5", 64) };
	struct spec tagged = { V4("192.0.2.1", "10.1.0.5", 64), TAG(9) };
	uint8_t out[4096];
	uint32_t olen;
	int act, reason;
	struct pkt in;

	build(&in, &v4, other, MAC_IN_SRC, -1, 64);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_NOT_OUR_MAC, NULL),
	       "IPv4 in a frame for another host's MAC: to the kernel untouched, not routed");
	build(&in, &v6, other, MAC_IN_SRC, -1, 64);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_NOT_OUR_MAC, NULL),
	       "IPv6 in a frame for another host's MAC: the same");
	build(&in, &tagged, other, MAC_IN_SRC, 9, 64);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_NOT_OUR_MAC, NULL),
	       "...and from a tagged port");
	build(&in, &v4, bcast, MAC_IN_SRC, -1, 64);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_NOT_OUR_MAC, NULL),
	       "unicast IP in a broadcast frame: not routed (the kernel would not forward it)");
	put_port_mac((uint32_t)if_in + XFWD_PORT_SLOTS, MAC_NH[5]); /* its slot taken */
	build(&in, &v4, other, MAC_IN_SRC, -1, 64);
	act = run(in.b, in.len, out, &olen, &reason);
	report(act == XDP_REDIRECT && reason == XFWD_R_FWD_REDIRECT,
	       "a port whose slot another port took is not checked: routed as before");
	put_port_mac((uint32_t)if_in, MAC_ROUTER);
}

/* An ipsec tunnel: XDP cannot encrypt, the kernel's route into the xfrm
 * interface does, so the packet goes up untouched (TTL too: the kernel
 * forwards and decrements it), counted on the tunnel. */
static void test_ipsec(void)
{
	struct spec v4 = { V4("192.0.2.1", "10.27.0.5", 64), .tos = 0xb9 };
	struct spec v6 = { V6("2001:db8:9::1", "2001:db8:27::5", 64) };
	struct spec ttl1 = { V4("192.0.2.1", "10.27.0.5", 1) };
	uint64_t pk = tunnel_tx(8, false), by = tunnel_tx(8, true), ip_bytes = 0;
	struct pkt in;

	build(&in, &v4, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	ip_bytes += in.len - 14;
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_IPSEC, NULL),
	       "ipsec tunnel, IPv4: to the kernel untouched, TTL kept");
	build(&in, &v6, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	ip_bytes += in.len - 14;
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_IPSEC, NULL),
	       "ipsec tunnel, IPv6: to the kernel untouched");
	build(&in, &ttl1, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	ip_bytes += in.len - 14;
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_IPSEC, NULL),
	       "ipsec tunnel, TTL 1: the kernel answers it, as for its own routes");
	report(tunnel_tx(8, false) - pk == 3 && tunnel_tx(8, true) - by == ip_bytes,
	       "...each counted on the tunnel: 3 packets, their IP bytes");
}

/* A UDP tunnel frame: outer IPv4 or IPv6 + UDP (checksum zero over IPv4,
 * computed over IPv6) + 8-byte VXLAN/GENEVE header (+ options) + the inner
 * packet, with Ethernet (in_dmac, in_smac) or without (in_dmac NULL). */
struct udp_tun {
	int fam;
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t word0, vni;
	const uint8_t *opts;
	size_t optlen;
};

static void build_udp_tunnel(struct pkt *p, const uint8_t *dmac, const uint8_t *smac,
			     const struct udp_tun *u, const uint8_t *in_dmac,
			     const uint8_t *in_smac, const struct spec *in, uint8_t in_ttl)
{
	uint32_t v[2] = { htonl(u->word0), htonl(u->vni << 8) };
	struct pkt inner;

	build(&inner, in, in_dmac ? in_dmac : MAC_SMAC, in_smac ? in_smac : MAC_SMAC, -1, in_ttl);
	pkt_init(p);
	pkt_eth(p, dmac, smac, u->fam == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (u->fam == AF_INET) {
		pkt_ipv4(p, u->src, u->dst, 17, 64, NULL, 0);
		((struct iphdr *)(p->b + p->l3))->frag_off = htons(0x4000);
	} else {
		pkt_ipv6(p, u->src, u->dst, 17, 64);
	}
	pkt_udp(p, u->sport, u->dport);
	pkt_push(p, v, sizeof(v));
	if (u->optlen)
		pkt_push(p, u->opts, u->optlen);
	if (in_dmac)
		pkt_push(p, inner.b, inner.len);
	else
		pkt_push(p, inner.b + inner.l3, inner.len - (size_t)inner.l3);
	pkt_finish(p);
	if (u->fam == AF_INET)
		((struct udphdr *)(p->b + p->l4))->check = 0; /* as RFC 7348/8926 allow */
}

/* VXLAN over IPv4: inner Ethernet to the peer VTEP's MAC. */
static void build_vxlan(struct pkt *p, const uint8_t *dmac, const uint8_t *smac,
			const char *src, const char *dst, uint16_t sport, uint32_t vni,
			const uint8_t *in_dmac, const uint8_t *in_smac,
			const struct spec *in, uint8_t in_ttl)
{
	struct udp_tun u = { AF_INET, src, dst, sport, 4789, 0x08000000, vni, NULL, 0 };

	build_udp_tunnel(p, dmac, smac, &u, in_dmac, in_smac, in, in_ttl);
}

/* An address as the flow hash reads it: IPv4 as is, IPv6 folded. */
static uint32_t hash_addr(int fam, const char *s)
{
	uint32_t a[4] = { 0 };

	inet_pton(fam, s, a);
	return fam == AF_INET ? a[0] : a[0] ^ a[1] ^ a[2] ^ a[3];
}

/* The UDP source port xfwd picks for an inner UDP flow. */
static uint16_t vxlan_sport(const struct spec *s)
{
	return (uint16_t)(0xc000 | (xfwd_flow_hash(hash_addr(s->family, s->src),
						   hash_addr(s->family, s->dst),
			htonl((uint32_t)(s->sport ? s->sport : 1000) << 16 | 53), 17) & 0x3fff));
}

static void test_vxlan(void)
{
	struct spec f1 = { V4("192.0.2.1", "10.23.0.5", 64) };
	struct spec f2 = { V4("192.0.2.1", "10.23.0.5", 64), .sport = 4242 };
	struct spec back = { V4("10.23.1.1", "10.1.0.5", 64) };
	struct spec local = { V4("10.23.1.1", "10.0.0.1", 64) };
	struct pkt in, want;

	build(&in, &f1, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_vxlan(&want, MAC_NH[0], MAC_SMAC, T4_LOCAL, T4_REMOTE4, vxlan_sport(&f1), 100,
		    MAC_PEER_VTEP, MAC_SMAC, &f1, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "VXLAN encap: VNI, inner Ethernet to the peer VTEP, UDP port from the flow hash");
	report(vxlan_sport(&f1) != vxlan_sport(&f2), "VXLAN: another flow, another UDP source port");
	build_vxlan(&in, MAC_ROUTER, MAC_IN_SRC, T4_REMOTE4, T4_LOCAL, 50000, 100,
		    MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	build(&want, &back, MAC_NH[0], MAC_SMAC, -1, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "VXLAN decap, inner routed and forwarded");
	{
		struct xfwd_tunnel_counters t4 = tunnel_sum(4), t10 = tunnel_sum(10);

		build_vxlan(&in, MAC_ROUTER, MAC_IN_SRC, T4_REMOTE4, T4_LOCAL, 50000, 102,
			    MAC_SMAC, MAC_PEER_VTEP, &back, 64);
		report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want) &&
		       tunnel_sum(10).rx_packets == t10.rx_packets + 1 &&
		       tunnel_sum(4).rx_packets == t4.rx_packets,
		       "VXLAN decap: a second VNI between the same VTEPs, counted on its tunnel alone");
	}
	build_vxlan(&in, MAC_ROUTER, MAC_IN_SRC, T4_REMOTE4, T4_LOCAL, 50000, 101,
		    MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_KEY, NULL), "VXLAN wrong VNI: dropped");
	build_vxlan(&in, MAC_ROUTER, MAC_IN_SRC, "198.51.100.99", T4_LOCAL, 50000, 100,
		    MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_PEER, NULL),
	       "VXLAN from an unknown peer: dropped");
	build_vxlan(&in, MAC_ROUTER, MAC_IN_SRC, T4_REMOTE4, T4_LOCAL, 50000, 100,
		    MAC_SMAC, MAC_PEER_VTEP, &local, 64);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_TUNNEL_LOCAL, NULL),
	       "VXLAN inner packet for this host: to the kernel, encapsulated");
	{
		struct pkt arp;
		uint32_t v[2] = { htonl(0x08000000), htonl(100u << 8) };

		pkt_init(&arp);
		pkt_eth(&arp, MAC_ROUTER, MAC_IN_SRC, ETH_P_IP);
		pkt_ipv4(&arp, T4_REMOTE4, T4_LOCAL, 17, 64, NULL, 0);
		pkt_udp(&arp, 50000, 4789);
		pkt_push(&arp, v, sizeof(v));
		pkt_eth(&arp, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", MAC_PEER_VTEP, ETH_P_ARP);
		pkt_payload(&arp, 28);
		pkt_finish(&arp);
		report(expect_frame(&arp, XDP_PASS, XFWD_R_PASS_TUNNEL_LOCAL, NULL),
		       "VXLAN carrying ARP: to the kernel's VTEP, encapsulated");
	}
}

/* GENEVE: one 8-byte option (class 0x0108, as AWS GWLB sends) to skip. */
static const uint8_t GENEVE_OPT[8] = { 0x01, 0x08, 0x01, 0x01, 0xde, 0xad, 0xbe, 0xef };
#define GENEVE_W0(optlen, flags, proto) ((uint32_t)(optlen) / 4 << 24 | (flags) << 16 | (proto))

static void test_geneve(void)
{
	struct spec f1 = { V4("192.0.2.1", "10.24.0.5", 64) };
	struct spec back = { V4("10.24.1.1", "10.1.0.5", 64) };
	struct udp_tun enc = { AF_INET, T4_LOCAL, T4_REMOTE5, vxlan_sport(&f1), 6081,
			       GENEVE_W0(0, 0, ETH_P_TEB), 200, NULL, 0 };
	struct udp_tun dec = { AF_INET, T4_REMOTE5, T4_LOCAL, 50000, 6081,
			       GENEVE_W0(8, 0, ETH_P_TEB), 200, GENEVE_OPT, 8 };
	struct pkt in, want;

	build(&in, &f1, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_udp_tunnel(&want, MAC_NH[0], MAC_SMAC, &enc, MAC_PEER_VTEP, MAC_SMAC, &f1, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "GENEVE encap over IPv4: Ethernet payload (0x6558), VNI, no options");
	build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, &dec, MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	build(&want, &back, MAC_NH[0], MAC_SMAC, -1, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "GENEVE decap: options skipped, inner routed and forwarded");
	dec.vni = 201;
	build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, &dec, MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_KEY, NULL), "GENEVE wrong VNI: dropped");
	dec.vni = 200;
	dec.word0 = GENEVE_W0(8, 0x40, ETH_P_TEB);
	build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, &dec, MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_MALFORMED, NULL),
	       "GENEVE with critical options (none understood): dropped (RFC 8926)");
	dec.word0 = GENEVE_W0(8, 0, ETH_P_TEB) | 1u << 30;
	build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, &dec, MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_MALFORMED, NULL),
	       "GENEVE version 1: dropped");
	dec.word0 = GENEVE_W0(8, 0x80, ETH_P_TEB);
	build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, &dec, MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_TUNNEL_LOCAL, NULL),
	       "GENEVE control (OAM) packet: to the kernel, encapsulated");
	dec.word0 = GENEVE_W0(8, 0, ETH_P_IP);
	build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, &dec, NULL, NULL, &back, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_MALFORMED, NULL),
	       "GENEVE IP payload on an Ethernet tunnel: dropped");
}

/* Over IPv6 the outer UDP checksum covers the whole packet: check it for
 * every payload length modulo the 64-byte blocks and the 4-byte words. */
static bool udp6_csum_all_lengths(const struct udp_tun *tmpl, const uint8_t *in_dmac,
				  const char *dst)
{
	bool ok = true;

	for (size_t n = 8; n < 8 + 2 * 64 + 1 && ok; n++) {
		struct spec f = { V4("192.0.2.1", dst, 64), .payload = n };
		struct udp_tun u = *tmpl;
		struct pkt in, want;

		u.sport = vxlan_sport(&f);
		build(&in, &f, MAC_ROUTER, MAC_IN_SRC, -1, 64);
		build_udp_tunnel(&want, MAC_NH[0], MAC_SMAC, &u, in_dmac, MAC_SMAC, &f, 63);
		ok = expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want);
		if (!ok)
			fprintf(stderr, "  inner payload %zu bytes\n", n);
	}
	return ok;
}

/* A short inner packet arrives padded to Ethernet's 60 bytes. The bytes
 * after it stay in the frame behind the outer packet, outside its length:
 * the UDP checksum must not cover them (a receiver trims them first). */
static bool udp6_csum_padded(const struct udp_tun *tmpl)
{
	struct spec f = { V4("192.0.2.1", "10.26.0.5", 64), .payload = 4 };
	static const uint8_t pad[14] = { 0xa5, 0x5a, 0xff, 0x01, 0x80, 0x7f, 0x11,
					 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	struct udp_tun u = *tmpl;
	struct pkt in, want;

	u.sport = vxlan_sport(&f);
	build(&in, &f, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_udp_tunnel(&want, MAC_NH[0], MAC_SMAC, &u, MAC_PEER_VTEP, MAC_SMAC, &f, 63);
	memcpy(in.b + in.len, pad, sizeof(pad));
	in.len += sizeof(pad);
	memcpy(want.b + want.len, pad, sizeof(pad));
	want.len += sizeof(pad);
	return expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want);
}

static void test_udp_tunnels_ipv6(void)
{
	struct spec f6 = { V6("2001:db8:9::1", "2001:db8:25::5", 64), .tos = 0x2a };
	struct spec back = { V6("2001:db8:25::9", "2001:db8:1::5", 64) };
	struct spec big = { V4("192.0.2.1", "10.26.0.5", 64), .payload = 1300 };
	struct udp_tun gen = { AF_INET6, T6_LOCAL, T6_REMOTE6, vxlan_sport(&f6), 6081,
			       GENEVE_W0(0, 0, ETH_P_IPV6), 300, NULL, 0 };
	struct udp_tun vx = { AF_INET6, T6_LOCAL, T6_REMOTE7, 0, 4789, 0x08000000, 400, NULL, 0 };
	struct udp_tun gdec = { AF_INET6, T6_REMOTE6, T6_LOCAL, 40000, 6081,
				GENEVE_W0(0, 0, ETH_P_IPV6), 300, NULL, 0 };
	struct udp_tun vdec = { AF_INET6, T6_REMOTE7, T6_LOCAL, 40000, 4789, 0x08000000, 400, NULL, 0 };
	struct pkt in, want;

	build(&in, &f6, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_udp_tunnel(&want, MAC_NH[0], MAC_SMAC, &gen, NULL, NULL, &f6, 63);
	set_tclass(want.b + want.l3, 0x2a);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "GENEVE encap over IPv6, IP payload (0x86dd): traffic class copied, UDP checksum");
	gen.word0 = GENEVE_W0(0, 0, ETH_P_IP);
	report(udp6_csum_all_lengths(&gen, NULL, "10.25.0.5"),
	       "GENEVE over IPv6: UDP checksum right for 129 inner lengths");
	report(udp6_csum_all_lengths(&vx, MAC_PEER_VTEP, "10.26.0.5"),
	       "VXLAN over IPv6: UDP checksum right for 129 inner lengths");
	report(udp6_csum_padded(&vx), "VXLAN over IPv6, a padded frame: UDP checksum over the UDP "
	       "length, not the bytes after the inner packet");
	vx.sport = vxlan_sport(&big);
	build(&in, &big, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_udp_tunnel(&want, MAC_NH[0], MAC_SMAC, &vx, MAC_PEER_VTEP, MAC_SMAC, &big, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "VXLAN over IPv6, 1400-byte packet: UDP checksum over every block");
	build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, &gdec, NULL, NULL, &back, 64);
	build(&want, &back, MAC_NH[0], MAC_SMAC, -1, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "GENEVE decap over IPv6, IP payload");
	build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, &vdec, MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "VXLAN decap over IPv6");
	gdec.word0 = GENEVE_W0(0, 0, ETH_P_TEB);
	build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, &gdec, MAC_SMAC, MAC_PEER_VTEP, &back, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_MALFORMED, NULL),
	       "GENEVE Ethernet payload on an IP tunnel: dropped");
}

static void test_decap(void)
{
	struct spec in4 = { V4("10.20.1.1", "10.1.0.5", 64), .tos = 0x02 /* ECT(0) */ };
	struct spec in4ce = { V4("10.20.1.1", "10.1.0.5", 64), .tos = 0x03 };
	struct spec notect = { V4("10.20.1.1", "10.1.0.5", 64) };
	struct spec local = { V4("10.20.1.1", "10.0.0.1", 64) };
	struct spec in6 = { V6("2001:db8:20::1", "2001:db8:1::5", 64) };
	struct pkt in, want;

	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0, 42, &in4, 64);
	build(&want, &in4, MAC_NH[0], MAC_SMAC, -1, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "GRE decap with the right key, inner routed and forwarded");
	{
		struct xfwd_tunnel_counters t1 = tunnel_sum(1), t9 = tunnel_sum(9);

		build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0, 44, &in4, 64);
		report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want) &&
		       tunnel_sum(9).rx_packets == t9.rx_packets + 1 &&
		       tunnel_sum(1).rx_packets == t1.rx_packets,
		       "GRE decap: a second tunnel between the same endpoints, by its key (counted on it alone)");
	}
	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0, 43, &in4, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_KEY, NULL), "GRE wrong key: dropped");
	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0, -1, &in4, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_KEY, NULL), "GRE missing key: dropped");
	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, "198.51.100.9", T4_LOCAL, 60, 0, 42, &in4, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_PEER, NULL), "GRE from an unknown peer: dropped");
	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0, 42, &local, 64);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_TUNNEL_LOCAL, NULL),
	       "inner packet for this host: to the kernel, still encapsulated");
	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0x03, 42, &in4, 64);
	build(&want, &in4ce, MAC_NH[0], MAC_SMAC, -1, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "RFC 6040: outer CE marks an ECT inner packet CE");
	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0x03, 42, &notect, 64);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_ECN, NULL),
	       "RFC 6040: outer CE over a not-ECT inner packet is dropped");
	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET6, T6_REMOTE, T6_LOCAL, 60, 0, -2, &in6, 64);
	build(&want, &in6, MAC_NH[0], MAC_SMAC, -1, 63);
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "IP-in-IP decap, IPv6 in IPv6");
	/* As Linux ip6tnl sends by default: a destination options header
	 * with the tunnel encapsulation limit before the inner packet. */
	{
		struct pkt inner;
		uint8_t dopt[8] = { 41, 0, 4, 1, 4, 1, 1, 0 }; /* limit 4, PadN */

		build(&inner, &in6, MAC_ROUTER, MAC_IN_SRC, -1, 64);
		pkt_init(&in);
		pkt_eth(&in, MAC_ROUTER, MAC_IN_SRC, ETH_P_IPV6);
		pkt_ipv6(&in, T6_REMOTE, T6_LOCAL, 60, 60);
		pkt_push(&in, dopt, sizeof(dopt));
		pkt_push(&in, inner.b + inner.l3, inner.len - (size_t)inner.l3);
		pkt_finish(&in);
		build(&want, &in6, MAC_NH[0], MAC_SMAC, -1, 63);
		report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
		       "IP-in-IP decap over IPv6 with an encapsulation-limit option");
	}
	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, "10.0.0.1", 60, 0, 42, &in4, 64);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_LOCAL, NULL),
	       "GRE to a local address that is no tunnel endpoint: the kernel's");
}

/* ---- inner-source validation (bpf/lib/urpf.h) ---- */

/* A GRE packet from tunnel 1's peer (key 42, or 44: tunnel 9) with this
 * inner source, to 10.1.0.5: forwarded whole, or dropped and counted on
 * that tunnel alone. */
static bool urpf_case(int key, const char *src, bool pass)
{
	struct spec in4 = { V4(src, "10.1.0.5", 64) };
	uint32_t tid = key == 42 ? 1 : 9;
	struct xfwd_tunnel_counters before = tunnel_sum(tid);
	struct pkt in, want;

	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0, key, &in4, 64);
	build(&want, &in4, MAC_NH[0], MAC_SMAC, -1, 63);
	if (pass)
		return expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want) &&
		       tunnel_sum(tid).urpf_drops == before.urpf_drops;
	return expect_frame(&in, XDP_DROP, XFWD_R_DROP_URPF, NULL) &&
	       tunnel_sum(tid).urpf_drops == before.urpf_drops + 1 &&
	       tunnel_sum(tid).rx_packets == before.rx_packets;
}

static bool urpf_case6(const char *src, bool pass)
{
	struct spec in6 = { V6(src, "2001:db8:1::5", 64) };
	struct pkt in, want;

	build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET6, T6_REMOTE, T6_LOCAL, 60, 0, -2, &in6, 64);
	build(&want, &in6, MAC_NH[0], MAC_SMAC, -1, 63);
	if (pass)
		return expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want);
	return expect_frame(&in, XDP_DROP, XFWD_R_DROP_URPF, NULL);
}

static void test_urpf(void)
{
	set_urpf(1, XFWD_URPF_STRICT);
	set_urpf(9, XFWD_URPF_STRICT);
	report(urpf_case(42, "10.20.1.1", true), "uRPF strict: a source routed back over the tunnel passes");
	report(urpf_case(42, "10.1.0.9", false),
	       "uRPF strict: a source routed over another path is dropped, counted on the tunnel");
	report(urpf_case(42, "10.99.0.1", false), "uRPF strict: a source with no route is dropped");
	report(urpf_case(44, "10.20.1.1", false),
	       "uRPF strict: the same source from another tunnel between the same endpoints is dropped");
	report(urpf_case(42, "10.30.7.7", true), "uRPF strict: the tunnel as one member of an ECMP group");
	put_nh_flags(NH_TUN1, XFWD_NH_F_NEIGH | XFWD_NH_F_DEAD);
	report(urpf_case(42, "10.30.7.7", true) && urpf_case(42, "10.20.1.1", true),
	       "uRPF strict: a dead member still counts (feasible path, RFC 8704)");
	put_nh_flags(NH_TUN1, XFWD_NH_F_NEIGH);
	put_urpf_allow(1, AF_INET, "10.99.0.0", 16);
	report(urpf_case(42, "10.99.0.1", true) && urpf_case(44, "10.99.0.1", false),
	       "uRPF: a configured source passes on its own tunnel only");
	set_urpf(1, XFWD_URPF_LOOSE);
	report(urpf_case(42, "10.1.0.9", true), "uRPF loose: a source routed over another path passes");
	report(urpf_case(42, "10.4.0.1", false) && urpf_case(42, "10.98.0.1", false),
	       "uRPF loose: a blackholed source and an unrouted one are dropped");
	set_urpf(2, XFWD_URPF_STRICT);
	report(urpf_case6("2001:db8:21::1", true) && urpf_case6("2001:db8:20::1", false),
	       "uRPF strict, IPv6 in IPv6: routed back over the tunnel passes, over another is dropped");
	put_urpf_allow(2, AF_INET6, "2001:db8:20::", 64);
	report(urpf_case6("2001:db8:20::1", true) && urpf_case6("2001:db8:20:1::1", false),
	       "uRPF, IPv6: a configured source prefix, and no more than it");
	set_urpf(1, XFWD_URPF_OFF);
	set_urpf(2, XFWD_URPF_OFF);
	set_urpf(9, XFWD_URPF_OFF);
	report(urpf_case(42, "10.99.0.1", true) && urpf_case(42, "10.98.0.1", true),
	       "uRPF off: any source passes");
}

/* ---- filters (bpf/lib/filter.h) ---- */

static uint32_t filter_base = 1; /* the next free rule slot */

/* Rules (their words) compiled into set `set` and bound at `bind` (a
 * port's: ifindex checked): the set's first slot. */
static uint32_t filter_install(uint32_t bind, uint32_t ifindex, uint16_t set,
			       const char *const *rules, uint32_t n, uint8_t deflt)
{
	struct xfwd_filter_bind b = { .ifindex = ifindex, .set = { set, 0 } };
	struct xfwd_filter_rule r[16];
	struct filter_build fb;
	uint32_t base = filter_base, sv = set;
	char err[256];

	for (uint32_t i = 0; i < n; i++) {
		char line[256], *argv[32];
		int argc;

		snprintf(line, sizeof(line), "%s", rules[i]);
		argc = words_split(line, argv, 32, err, sizeof(err));
		if (argc < 0 || filter_rule_parse(argc, argv, &r[i], err, sizeof(err)))
			goto bad;
	}
	if (filter_compile(r, n, base, set, deflt, &fb, err, sizeof(err)))
		goto bad;
	for (size_t i = 0; i < fb.n; i++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_filter_hits), &fb.e[i].k,
					&fb.e[i].h, 0))
			abort();
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_filter_sets), &sv, &fb.set, 0) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_filter_binds), &bind, &b, 0))
		abort();
	filter_build_free(&fb);
	filter_base += n + 1;
	return base;
bad:
	fprintf(stderr, "filter rules refused: %s\n", err);
	abort();
}

static void filter_unbind(uint32_t bind)
{
	struct xfwd_filter_bind b = { 0 };

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_filter_binds), &bind, &b, 0))
		abort();
}

static uint64_t slot_hits(uint32_t slot)
{
	return percpu_packets(skel->maps.xfwd_filter_stats, slot);
}

/* A packet of spec with this destination port (ICMP: type << 8 | code
 * in sport), received on xt0: in, and what leaves towards NH_OUT. */
static void filter_frames(struct pkt *in, struct pkt *want, struct spec s, uint16_t dport)
{
	struct pkt *ps[2] = { in, want };

	for (int i = 0; i < 2; i++) {
		build(ps[i], &s, i ? MAC_NH[0] : MAC_ROUTER, i ? MAC_SMAC : MAC_IN_SRC, -1, i ? 63 : 64);
		if (!s.frag || !(s.frag & 0x1fff))
			*(uint16_t *)(ps[i]->b + ps[i]->len - (s.payload ? s.payload : 18) - (s.proto == 6 ? 20 : 8) + 2) =
				htons(dport);
	}
}

/* Forwarded whole (or dropped by a filter), and exactly these slots
 * counted once more. */
static bool filter_case(struct spec s, uint16_t dport, bool pass, const uint32_t *slots, int n)
{
	uint64_t before[8];
	struct pkt in, want;
	bool ok;

	for (int i = 0; i < n; i++)
		before[i] = slot_hits(slots[i]);
	filter_frames(&in, &want, s, dport);
	ok = pass ? expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want)
		  : expect_frame(&in, XDP_DROP, XFWD_R_DROP_FILTER, NULL);
	for (int i = 0; i < n; i++)
		if (slot_hits(slots[i]) != before[i] + 1) {
			fprintf(stderr, "  slot %u counted %llu times, want 1\n", slots[i],
				(unsigned long long)(slot_hits(slots[i]) - before[i]));
			ok = false;
		}
	return ok;
}

#define SLOTS(...) (const uint32_t[]){ __VA_ARGS__ }, (int)(sizeof((uint32_t[]){ __VA_ARGS__ }) / 4)

static void test_filters(void)
{
	static const char *const in_rules[] = {
		"src 10.20.0.0/16 dst 10.1.0.0/16 proto tcp dport 443 allow",
		"proto tcp dport 1000-2000 deny",
		"proto icmp icmp-type 8 count",
		"src 10.20.0.0/16 proto icmp allow",
		"dst 10.1.2.0/24 deny",
		"src 2001:db8:20::/48 proto tcp dport 22 deny",
		"proto tcp allow",
	};
	static const char *const out_rules[] = { "proto udp dport 53 deny" };
	static const char *const tun_rules[] = { "src 10.20.5.0/24 deny" };
	struct spec tcp = { V4("10.20.1.1", "10.1.0.5", 64), .proto = 6 };
	struct spec tcp2 = { V4("10.20.1.1", "10.1.2.7", 64), .proto = 6 };
	struct spec udp = { V4("10.20.1.1", "10.1.0.5", 64), .proto = 17 };
	struct spec icmp = { V4("10.20.1.1", "10.1.0.5", 64), .proto = 1, .sport = 8 << 8 };
	struct spec frag = { V4("10.20.1.1", "10.1.0.5", 64), .proto = 6, .frag = 100 };
	struct spec tcp6 = { V6("2001:db8:20::1", "2001:db8:1::5", 64), .proto = 6 };
	uint32_t in_bind = xfwd_filter_bind_port(XFWD_FILTER_IN, (uint32_t)if_in);
	uint32_t out_bind = xfwd_filter_bind_port(XFWD_FILTER_OUT, (uint32_t)if_out);
	uint32_t tun_bind = xfwd_filter_bind_tunnel(XFWD_FILTER_IN, 1);
	uint32_t b = filter_install(in_bind, (uint32_t)if_in, 1, in_rules, 7, XFWD_FILTER_DENY), d = b + 7;

	report(filter_case(tcp, 443, true, SLOTS(b)), "filter in: TCP to the allowed port, forwarded whole, its rule counted");
	report(filter_case(tcp, 1500, false, SLOTS(b + 1)), "filter in: a port in a denied range, dropped");
	report(filter_case(icmp, 0, true, SLOTS(b + 2, b + 3)),
	       "filter in: ICMP echo counted by the count rule, then allowed by the next");
	report(filter_case(udp, 53, false, SLOTS(d)), "filter in: no rule matches: the default (deny) decides, counted");
	report(filter_case(tcp2, 80, false, SLOTS(b + 4)) && filter_case(tcp, 80, true, SLOTS(b + 6)),
	       "filter in: rule order: a deny before a broader allow wins");
	report(filter_case(frag, 443, true, SLOTS(b + 6)),
	       "filter in: a later fragment matches no port rule, only the rule without ports");
	report(filter_case(tcp6, 22, false, SLOTS(b + 5)) && filter_case(tcp6, 80, true, SLOTS(b + 6)),
	       "filter in, IPv6: a prefix-and-port deny, then the general allow");
	filter_unbind(in_bind);
	report(filter_case(udp, 53, true, NULL, 0), "filter unbound: the packet is forwarded, nothing counted");
	b = filter_install(out_bind, (uint32_t)if_out, 2, out_rules, 1, XFWD_FILTER_ALLOW);
	report(filter_case(udp, 53, false, SLOTS(b)) && filter_case(tcp, 53, true, SLOTS(b + 1)),
	       "filter out on the egress port: UDP 53 dropped, TCP 53 allowed by the default");
	filter_unbind(out_bind);
	b = filter_install(tun_bind, 0, 3, tun_rules, 1, XFWD_FILTER_ALLOW);
	{
		struct spec bad = { V4("10.20.5.5", "10.1.0.5", 64) }, good = { V4("10.20.1.1", "10.1.0.5", 64) };
		struct pkt in, want;

		/* Dropped after decapsulation: the frame test_run hands back is
		 * the inner packet behind the outer MACs. */
		build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0, 42, &bad, 64);
		build(&want, &bad, MAC_ROUTER, MAC_IN_SRC, -1, 64);
		report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_FILTER, &want) && slot_hits(b) == 1,
		       "filter in on a tunnel: applied to the inner packet after decapsulation");
		build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL, 60, 0, 42, &good, 64);
		build(&want, &good, MAC_NH[0], MAC_SMAC, -1, 63);
		report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want) && slot_hits(b + 1) == 1,
		       "filter in on a tunnel: other inner sources forwarded (its default, counted)");
		build(&in, &bad, MAC_ROUTER, MAC_IN_SRC, -1, 64);
		build(&want, &bad, MAC_NH[0], MAC_SMAC, -1, 63);
		report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
		       "filter in on a tunnel: the same source arriving on a port is not the tunnel's to filter");
	}
	filter_unbind(tun_bind);
}

/* ---- tunnel health probes (bpf/lib/probe.h) ---- */

struct probe_spec {
	const char *src, *dst;  /* inner IPv4 */
	uint16_t sport, dport;  /* UDP; echo_id >= 0: an ICMP echo reply instead */
	int echo_id;
	uint16_t type, comp;
	uint32_t tunnel, seq;
	uint64_t tx_ns;
};

/* The inner IPv4 packet of a probe, checksums computed (UDP's too). */
static void build_probe(struct pkt *p, const struct probe_spec *q)
{
	struct xfwd_probe pr = { htonl(XFWD_PROBE_MAGIC), htons(q->type), htons(q->comp),
				 q->tunnel, q->seq, q->tx_ns };

	pkt_init(p);
	pkt_eth(p, MAC_SMAC, MAC_SMAC, ETH_P_IP);
	if (q->echo_id >= 0) {
		struct { uint8_t type, code; uint16_t check, id, seq; } ic = {
			0 /* echo reply */, 0, 0, htons((uint16_t)q->echo_id), htons((uint16_t)q->seq) };
		uint16_t *at;

		pkt_ipv4(p, q->src, q->dst, IPPROTO_ICMP, 64, NULL, 0);
		at = pkt_push(p, &ic, sizeof(ic));
		pkt_push(p, &pr, sizeof(pr));
		at[1] = htons(csum_fold(csum_add(0, at, sizeof(ic) + sizeof(pr))));
	} else {
		pkt_ipv4(p, q->src, q->dst, IPPROTO_UDP, 64, NULL, 0);
		pkt_udp(p, q->sport, q->dport);
		pkt_push(p, &pr, sizeof(pr));
	}
	pkt_finish(p);
}

/* Outer IPv4 (DF) + VXLAN VNI 100 + inner Ethernet around an inner packet. */
static void wrap_vxlan4(struct pkt *p, const uint8_t *dmac, const uint8_t *smac,
			const char *src, const char *dst, uint8_t ttl, const uint8_t *in_dmac,
			const uint8_t *in_smac, const struct pkt *inner)
{
	uint32_t v[2] = { htonl(0x08000000), htonl(100u << 8) };

	pkt_init(p);
	pkt_eth(p, dmac, smac, ETH_P_IP);
	pkt_ipv4(p, src, dst, IPPROTO_UDP, ttl, NULL, 0);
	((struct iphdr *)(p->b + p->l3))->frag_off = htons(0x4000);
	pkt_udp(p, 50000, 4789);
	pkt_push(p, v, sizeof(v));
	pkt_eth(p, in_dmac, in_smac, ETH_P_IP);
	pkt_push(p, inner->b + inner->l3, inner->len - (size_t)inner->l3);
	pkt_finish(p);
	((struct udphdr *)(p->b + p->l4))->check = 0;
}

/* Outer IPv4 (DF) + GRE with key 42 around an inner packet. */
static void wrap_gre4(struct pkt *p, const char *src, const char *dst, const struct pkt *inner)
{
	gre4_wrap(p, MAC_ROUTER, MAC_IN_SRC, src, dst, 60, 0, inner);
}

/* What decapsulation leaves of wrap_gre4(): the outer MACs, the inner packet. */
static void unwrap(struct pkt *p, const struct pkt *inner)
{
	pkt_init(p);
	pkt_eth(p, MAC_ROUTER, MAC_IN_SRC, ETH_P_IP);
	pkt_push(p, inner->b + inner->l3, inner->len - (size_t)inner->l3);
}

static struct xfwd_probe_rx probe_rx(uint32_t tid)
{
	struct xfwd_probe_rx rx = { 0 };

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.xfwd_probe_rx), &tid, &rx);
	return rx;
}

/* The outer packet's lengths bound what is decapsulated (found by
 * tests/bpf/invariants.c): a UDP length that is not the outer payload's,
 * or an outer packet too short for the inner one, is malformed; the
 * outer's Ethernet padding is not carried into the inner packet. */
static void test_outer_lengths(void)
{
	static const uint8_t B[6] = { 0x02, 0, 0, 0, 0xbb, 9 };
	struct spec f = { V4("10.20.1.1", "10.1.0.5", 64) };
	struct pkt inner, in, want;
	struct iphdr *o;

	build(&inner, &f, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	wrap_vxlan4(&in, MAC_ROUTER, MAC_IN_SRC, T4_REMOTE4, T4_LOCAL, 64, MAC_ROUTER, B, &inner);
	((struct udphdr *)(in.b + in.l4))->len = htons(9);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_MALFORMED, NULL),
	       "VXLAN whose UDP length is not the outer payload's: dropped as malformed");
	wrap_gre4(&in, T4_REMOTE, T4_LOCAL, &inner);
	o = (struct iphdr *)(in.b + in.l3);
	o->tot_len = htons(20 + 8 + 12); /* the inner header does not fit */
	o->check = 0;
	o->check = htons(csum_fold(csum_add(0, o, 20)));
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_TUNNEL_MALFORMED, NULL),
	       "GRE whose outer packet ends inside the inner header: dropped as malformed");
	wrap_gre4(&in, T4_REMOTE, T4_LOCAL, &inner);
	build(&want, &f, MAC_NH[0], MAC_SMAC, -1, 63);
	memset(in.b + in.len, 0xa5, 6); /* Ethernet padding after the outer packet */
	in.len += 6;
	report(expect_frame(&in, XDP_REDIRECT, XFWD_R_FWD_REDIRECT, &want),
	       "GRE with Ethernet padding: decapsulated and forwarded without it");
}

static void test_probes(void)
{
	static const uint8_t A[6] = { 0x02, 0, 0, 0, 0xaa, 1 }, B[6] = { 0x02, 0, 0, 0, 0xbb, 1 };
	struct probe_spec req = { "169.254.0.1", "169.254.0.2", 40000, XFWD_PROBE_PORT, -1,
				  XFWD_PROBE_REQUEST, XFWD_PROBE_REPLY, 77, 5, 123456789 };
	struct probe_spec ans = { "169.254.0.2", "169.254.0.1", XFWD_PROBE_PORT, 40000, -1,
				  XFWD_PROBE_REPLY, XFWD_PROBE_REQUEST, 77, 5, 123456789 };
	struct probe_spec rep = ans, echo = req, other = req;
	struct pkt inner, in, want;
	struct xfwd_probe_rx rx;

	build_probe(&inner, &req);
	wrap_vxlan4(&in, MAC_ROUTER, MAC_IN_SRC, T4_REMOTE4, T4_LOCAL, 61, A, B, &inner);
	build_probe(&inner, &ans);
	wrap_vxlan4(&want, MAC_IN_SRC, MAC_ROUTER, T4_LOCAL, T4_REMOTE4, 64, B, A, &inner);
	report(expect_frame(&in, XDP_TX, XFWD_R_TX_PROBE_ANSWER, &want),
	       "probe over VXLAN answered from XDP: swapped, tunnel TTL, every checksum valid");

	rep.tunnel = 1;
	rep.seq = 9;
	build_probe(&inner, &rep);
	wrap_gre4(&in, T4_REMOTE, T4_LOCAL, &inner);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_PROBE_REPLY, NULL), "probe reply over GRE: taken");
	rx = probe_rx(1);
	report(rx.replies == 1 && rx.seq == 9 && rx.tx_ns == 123456789 && rx.rx_ns > 0,
	       "probe reply noted for the daemon: count, sequence, send and receive times");

	echo.echo_id = XFWD_PROBE_ICMP_ID;
	echo.tunnel = 1;
	echo.seq = 10;
	build_probe(&inner, &echo);
	wrap_gre4(&in, T4_REMOTE, T4_LOCAL, &inner);
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_PROBE_REPLY, NULL) && probe_rx(1).replies == 2 &&
	       probe_rx(1).seq == 10, "ICMP echo reply to xfwd's probe (a peer that is not xfwd): noted");

	echo.echo_id = 0x1234;
	build_probe(&inner, &echo);
	wrap_gre4(&in, T4_REMOTE, T4_LOCAL, &inner);
	/* Probes use link-local inner addresses (169.254/16): such a packet
	 * that is not a probe is the host's, kept encapsulated for the
	 * tunnel's kernel device (as a BGP session over the tunnel). */
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_TUNNEL_LOCAL, NULL) && probe_rx(1).replies == 2,
	       "ICMP echo reply of someone else: the host's (link-local), kept encapsulated, not noted");

	other.dport = 3786;
	build_probe(&inner, &other);
	wrap_gre4(&in, T4_REMOTE, T4_LOCAL, &inner);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_TUNNEL_LOCAL, NULL),
	       "UDP to another port with the probe's bytes: not a probe");

	/* The answer swaps type and comp so every checksum stays valid: a
	 * request whose comp is not the reply's type cannot be answered so
	 * (found by tests/bpf/invariants.c). */
	other = req;
	other.comp = 0;
	build_probe(&inner, &other);
	wrap_gre4(&in, T4_REMOTE, T4_LOCAL, &inner);
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_TUNNEL_LOCAL, NULL),
	       "a probe request whose comp is not REPLY: not answered (its answer's checksums would break)");
}

/* The expected ICMP error: back to the sender from the ingress address,
 * quoting as much of the offending packet as fits 576 bytes (IPv4, RFC
 * 1812) or 1280 (IPv6, RFC 4443); a shorter packet, its IP header and 8
 * more bytes. */
static void build_too_big(struct pkt *p, const struct pkt *orig, int fam, const char *dst,
			  uint32_t mtu, int tci)
{
	size_t most = fam == AF_INET ? 548 : 1232, least = fam == AF_INET ? 28 : 48;
	size_t quote = orig->len - (size_t)orig->l3 >= most ? most : least;
	uint8_t ic[8] = { 0 };
	uint32_t sum;

	pkt_init(p);
	pkt_eth(p, MAC_IN_SRC, MAC_ROUTER, tci >= 0 ? ETH_P_8021Q : fam == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (tci >= 0)
		pkt_vlan(p, (uint16_t)tci, fam == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (fam == AF_INET) {
		pkt_ipv4(p, IF_IN_ADDR4, dst, 1, 64, NULL, 0);
		((struct iphdr *)(p->b + p->l3))->tos = 0xc0;
		ic[0] = 3;
		ic[1] = 4;
		ic[6] = (uint8_t)(mtu >> 8);
		ic[7] = (uint8_t)mtu;
	} else {
		pkt_ipv6(p, IF_IN_ADDR6, dst, 58, 64);
		ic[0] = 2;
		ic[4] = (uint8_t)(mtu >> 24);
		ic[5] = (uint8_t)(mtu >> 16);
		ic[6] = (uint8_t)(mtu >> 8);
		ic[7] = (uint8_t)mtu;
	}
	size_t at = p->len;

	pkt_push(p, ic, sizeof(ic));
	pkt_push(p, orig->b + orig->l3, quote);
	pkt_finish(p);
	sum = csum_add(0, p->b + at, 8 + quote);
	if (fam == AF_INET6) {
		sum = csum_add(sum, p->b + p->l3 + 8, 32);
		sum += (uint32_t)(8 + quote) + 58;
	}
	p->b[at + 2] = (uint8_t)(csum_fold(sum) >> 8);
	p->b[at + 3] = (uint8_t)csum_fold(sum);
}

static void test_too_big(void)
{
	struct spec df = { V4("192.0.2.1", "10.7.0.1", 64), .frag = 0x4000, .payload = 600 };
	struct spec df_tag = { V4("192.0.2.1", "10.7.0.1", 64), .frag = 0x4000, .payload = 600, TAG(7) };
	struct spec df_short = { V4("192.0.2.1", "10.7.0.1", 64), .frag = 0x4000, .payload = 492 };
	struct spec v6 = { V6("2001:db8:9::1", "2001:db8:20::5", 64), .payload = 1500 };
	struct spec tun = { V4("192.0.2.1", "10.20.0.5", 64), .frag = 0x4000, .payload = 1380 };
	struct pkt in, want;

	build(&in, &df, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_too_big(&want, &in, AF_INET, "192.0.2.1", 500, -1);
	report(expect_frame(&in, XDP_TX, XFWD_R_TX_ICMP_TOO_BIG, &want) && want.len - want.l3 == 576,
	       "IPv4 DF larger than the egress MTU: ICMP fragmentation needed, MTU 500, 548 bytes quoted");
	build(&in, &df_tag, MAC_ROUTER, MAC_IN_SRC, 7, 64);
	build_too_big(&want, &in, AF_INET, "192.0.2.1", 500, 7);
	report(expect_frame(&in, XDP_TX, XFWD_R_TX_ICMP_TOO_BIG, &want),
	       "...from a tagged port: the answer keeps the VLAN tag");
	build(&in, &df_short, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_too_big(&want, &in, AF_INET, "192.0.2.1", 500, -1);
	report(expect_frame(&in, XDP_TX, XFWD_R_TX_ICMP_TOO_BIG, &want) && want.len - want.l3 == 20 + 8 + 28,
	       "...a packet under 548 bytes: its header and 8 bytes quoted");
	build(&in, &tun, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_too_big(&want, &in, AF_INET, "192.0.2.1", 1400, -1);
	report(expect_frame(&in, XDP_TX, XFWD_R_TX_ICMP_TOO_BIG, &want),
	       "IPv4 DF larger than the tunnel MTU: fragmentation needed with the tunnel's MTU");
	build(&in, &v6, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	build_too_big(&want, &in, AF_INET6, "2001:db8:9::1", 1400, -1);
	report(expect_frame(&in, XDP_TX, XFWD_R_TX_ICMP_TOO_BIG, &want) && want.len - want.l3 == 1280,
	       "IPv6 larger than the tunnel MTU: Packet Too Big, as much quoted as fits 1280 bytes");
}

/* The incremental TTL update must fold its carry: find an IP id whose
 * header checksum sits where adding 0x0100 wraps, and forward it. */
static void test_checksum_wrap(void)
{
	struct tcase c = { "ipv4 TTL-1 where the checksum update wraps (carry folded)",
			   { V4("192.0.2.1", "10.1.0.5", 64) },
			   { XDP_REDIRECT, XFWD_R_FWD_REDIRECT, 0, -1 } };
	struct pkt p;

	for (uint32_t id = 0; id < 65536; id++) {
		uint8_t *ck;

		c.in.ip_id = (uint16_t)id;
		build(&p, &c.in, MAC_ROUTER, MAC_IN_SRC, -1, 64);
		ck = p.b + p.l3 + 10;
		if (ck[0] == 0xfe && ck[1] == 0xff) /* 0xfffe as read on x86 */
			break;
	}
	report(run_case(&c), c.name);
}

/* RFC 1812 5.2.2: a router verifies the IPv4 header checksum before it
 * forwards; a wrong one is dropped and counted as malformed, whether the
 * packet came bare or out of a tunnel. */
static void test_header_checksum(void)
{
	struct spec f = { V4("192.0.2.1", "10.1.0.5", 64) };
	struct spec back = { V4("10.30.0.9", "10.1.0.5", 64) };
	struct pkt in, inner, want;

	build(&in, &f, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	in.b[in.l3 + 11] ^= 0x01;
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_MALFORMED_IP, NULL),
	       "ipv4 with a wrong header checksum: dropped, counted as malformed");
	in.b[in.l3 + 11] ^= 0x01;
	in.b[in.l3 + 8] = 1; /* TTL 1 with the old checksum: the kernel checks it */
	report(expect_frame(&in, XDP_PASS, XFWD_R_PASS_TTL, NULL),
	       "...one the kernel handles (TTL 1) goes to the kernel, which checks it");
	build(&inner, &back, MAC_ROUTER, MAC_IN_SRC, -1, 64);
	inner.b[inner.l3 + 10] ^= 0x80;
	wrap_gre4(&in, T4_REMOTE, T4_LOCAL, &inner);
	unwrap(&want, &inner); /* dropped after decapsulation */
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_MALFORMED_IP, &want),
	       "...and out of a GRE tunnel: the inner header's checksum is checked too");
	inner.b[inner.l3 + 10] ^= 0x80;
	wrap_gre4(&in, T4_REMOTE, T4_LOCAL, &inner);
	in.b[in.l3 + 8] = 0; /* the outer TTL changed, its checksum not */
	report(expect_frame(&in, XDP_DROP, XFWD_R_DROP_MALFORMED_IP, NULL),
	       "...and the outer header's, before decapsulating (found by tests/bpf/invariants.c)");
}

/* ---- truncation: every cut of every header ---- */

static void test_truncation(void)
{
	static const struct spec bases[] = {
		{ V4("192.0.2.1", "10.1.0.5", 64) },
		{ V4("192.0.2.1", "10.1.0.5", 64), TAG(5) },
		{ V4("192.0.2.1", "10.1.0.5", 64), .opts = OPT_NOP4, .optlen = 4 },
		{ V6("2001:db8:9::1", "2001:db8:1::5", 64), .proto = 6 },
		{ V6("2001:db8:9::1", "2001:db8:1::5", 64), TAG(5), EXT(44) },
	};
	struct spec gre_in = { V4("10.20.1.1", "10.1.0.5", 64) };
	struct udp_tun gen = { AF_INET, T4_REMOTE5, T4_LOCAL, 50000, 6081,
			       GENEVE_W0(8, 0, ETH_P_TEB), 200, GENEVE_OPT, 8 };
	struct udp_tun vx6 = { AF_INET6, T6_REMOTE7, T6_LOCAL, 40000, 4789, 0x08000000, 400, NULL, 0 };
	const size_t nb = sizeof(bases) / sizeof(bases[0]);
	int cuts = 0, bad = 0, refused = 0;

	for (size_t b = 0; b < nb + 3; b++) {
		struct pkt in;

		/* Then tunnel frames from peers: GRE, GENEVE with options, VXLAN over IPv6. */
		if (b == nb)
			build_tunnelled(&in, MAC_ROUTER, MAC_IN_SRC, AF_INET, T4_REMOTE, T4_LOCAL,
					60, 0, 42, &gre_in, 64);
		else if (b > nb)
			build_udp_tunnel(&in, MAC_ROUTER, MAC_IN_SRC, b == nb + 1 ? &gen : &vx6,
					 MAC_SMAC, MAC_PEER_VTEP, &gre_in, 64);
		else
			build(&in, &bases[b], MAC_ROUTER, MAC_IN_SRC,
			      bases[b].tagged ? bases[b].tci : -1, 64);
		for (size_t cut = 0; cut < in.len; cut++) {
			uint8_t out[4096];
			uint32_t olen;
			int reason, act = run(in.b, cut, out, &olen, &reason);

			if (act == -EINVAL && cut < ETH_HLEN) {
				refused++; /* the kernel takes no frame shorter */
				continue;
			}
			cuts++;
			if ((act != XDP_DROP && act != XDP_PASS) || reason < 0 ||
			    (act == XDP_PASS && reason != XFWD_R_PASS_NOT_IP)) {
				fprintf(stderr, "  base %zu cut at %zu: action %d reason %d\n",
					b, cut, act, reason);
				bad++;
			}
		}
	}
	printf("  %d truncated frames (%d shorter than Ethernet refused by test_run)\n",
	       cuts, refused);
	report(bad == 0 && cuts > 300,
	       "truncated at every byte: never forwarded, counted exactly once");
}

/* ---- AWS Gateway Load Balancer (docs/gwlb.md) ---- */

#define GWLB_TID 10
#define GWLB_LOCAL "198.51.100.100"

/* The inner packet: TCP to dport, IPv4 or IPv6, whole. */
static void gwlb_inner_pkt(struct pkt *in, bool v6, uint16_t dport)
{
	pkt_init(in);
	if (v6)
		pkt_ipv6(in, "2001:db8:50::1", "2001:db8:60::2", IPPROTO_TCP, 64);
	else
		pkt_ipv4(in, "10.50.0.1", "10.60.0.2", IPPROTO_TCP, 64, NULL, 0);
	pkt_tcp(in, 40000, dport);
	pkt_payload(in, 40);
	pkt_finish(in);
}

/* A frame as AWS documents GWLB's: IPv4 outer from the load balancer's
 * address lb to the appliance, UDP to 6081, GENEVE (VNI 0, protocol the
 * inner packet's) with class 0x0108's three options: the endpoint id (8
 * bytes), the attachment id (8) and the flow cookie (4). opt_words
 * overrides the header's option length (a malformed frame); udp_csum: the
 * UDP checksum computed, else 0 (both are valid over IPv4). */
static void gwlb_frame(struct pkt *f, const char *lb, const struct pkt *inner, int opt_words,
		       bool udp_csum)
{
	static const uint8_t opts[32] = {
		0x01, 0x08, XFWD_GWLB_OPT_ENDPOINT, 2, 0x6a, 0x13, 0x52, 0x9c, 0x00, 0x11, 0x22, 0x33,
		0x01, 0x08, XFWD_GWLB_OPT_ATTACHMENT, 2, 0x8f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x01, 0x08, XFWD_GWLB_OPT_COOKIE, 1, 0xc0, 0x0c, 0x1e, 0x5a,
	};
	uint16_t proto = inner->family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP;
	uint8_t g[8] = { (uint8_t)(opt_words < 0 ? sizeof(opts) / 4 : (size_t)opt_words), 0,
			 (uint8_t)(proto >> 8), (uint8_t)proto, 0, 0, 0, 0 };

	pkt_init(f);
	pkt_eth(f, MAC_ROUTER, MAC_IN_SRC, ETH_P_IP);
	pkt_ipv4(f, lb, GWLB_LOCAL, IPPROTO_UDP, 254, NULL, 0);
	pkt_udp(f, 61234, XFWD_GENEVE_PORT);
	pkt_push(f, g, sizeof(g));
	pkt_push(f, opts, sizeof(opts));
	pkt_push(f, inner->b, inner->len);
	pkt_finish(f);
	if (!udp_csum)
		((struct udphdr *)(f->b + f->l4))->check = 0;
}

/* What goes back: the same bytes, MACs and outer addresses swapped. */
static void gwlb_back(struct pkt *want, const struct pkt *f)
{
	*want = *f;
	memcpy(want->b, f->b + 6, 6);
	memcpy(want->b + 6, f->b, 6);
	memcpy(want->b + f->l3 + 12, f->b + f->l3 + 16, 4); /* saddr, daddr */
	memcpy(want->b + f->l3 + 16, f->b + f->l3 + 12, 4);
}

/* f through the program: its action and reason; 1 when it came back as
 * gwlb_back says, byte for byte. */
static int gwlb_run(const struct pkt *f, int *act, int *reason)
{
	struct pkt want;
	uint8_t out[4096];
	uint32_t olen;

	gwlb_back(&want, f);
	*act = run(f->b, f->len, out, &olen, reason);
	return *act == XDP_TX && same_bytes(&want, out, olen);
}

static void test_gwlb(void)
{
	static const char *const deny_ssh[] = { "proto tcp dport 22 deny" };
	struct pkt inner, f;
	struct xfwd_tunnel_counters before, after;
	int act, reason, ok;

	put_gwlb(GWLB_TID, GWLB_LOCAL);
	gwlb_inner_pkt(&inner, false, 443);
	gwlb_frame(&f, "10.0.9.5", &inner, -1, false);
	before = tunnel_sum(GWLB_TID);
	ok = gwlb_run(&f, &act, &reason);
	after = tunnel_sum(GWLB_TID);
	report(ok && reason == XFWD_R_FWD_GWLB,
	       "gwlb: IPv4 inside, returned out of the port it came by, options and all, MACs and outer addresses swapped (whole frame)");
	report(after.rx_packets == before.rx_packets + 1 && after.tx_packets == before.tx_packets + 1,
	       "gwlb: counted on the tunnel, in and out");
	gwlb_frame(&f, "10.0.42.17", &inner, -1, true);
	{
		struct pkt back, again;

		gwlb_back(&back, &f);
		again = back;
		pkt_finish(&again); /* the IPv4 and UDP checksums computed afresh */
		report(gwlb_run(&f, &act, &reason) && reason == XFWD_R_FWD_GWLB &&
			       !memcmp(again.b, back.b, back.len),
		       "gwlb: from another of the load balancer's addresses, UDP checksum set: returned, both checksums still right");
	}
	gwlb_inner_pkt(&inner, true, 443);
	gwlb_frame(&f, "10.0.9.5", &inner, -1, true);
	report(gwlb_run(&f, &act, &reason) && reason == XFWD_R_FWD_GWLB,
	       "gwlb: IPv6 inside an IPv4 outer header (as GWLB sends it): returned whole");

	filter_install(xfwd_filter_bind_tunnel(XFWD_FILTER_IN, GWLB_TID), 0, 5, deny_ssh, 1,
		       XFWD_FILTER_ALLOW);
	gwlb_inner_pkt(&inner, false, 22);
	gwlb_frame(&f, "10.0.9.5", &inner, -1, false);
	gwlb_run(&f, &act, &reason);
	report(act == XDP_DROP && reason == XFWD_R_DROP_FILTER,
	       "gwlb: the tunnel's in filter holds the inner packet: SSH denied, dropped and counted");
	gwlb_inner_pkt(&inner, true, 22);
	gwlb_frame(&f, "10.0.9.5", &inner, -1, false);
	gwlb_run(&f, &act, &reason);
	report(act == XDP_DROP && reason == XFWD_R_DROP_FILTER, "gwlb: ...and IPv6 SSH inside likewise");
	gwlb_inner_pkt(&inner, false, 443);
	gwlb_frame(&f, "10.0.9.5", &inner, -1, false);
	report(gwlb_run(&f, &act, &reason) && reason == XFWD_R_FWD_GWLB,
	       "gwlb: ...what the filter allows is returned whole");
	filter_unbind(xfwd_filter_bind_tunnel(XFWD_FILTER_IN, GWLB_TID));

	gwlb_frame(&f, "10.0.9.5", &inner, 63, false); /* options past the packet */
	gwlb_run(&f, &act, &reason);
	report(act == XDP_DROP && reason == XFWD_R_DROP_TUNNEL_MALFORMED,
	       "gwlb: an option length past the packet: dropped as malformed");
	gwlb_frame(&f, "10.0.9.5", &inner, -1, false);
	((struct udphdr *)(f.b + f.l4))->len = htons(100);
	gwlb_run(&f, &act, &reason);
	report(act == XDP_DROP && reason == XFWD_R_DROP_TUNNEL_MALFORMED,
	       "gwlb: a UDP length other than the packet's: dropped as malformed");
	gwlb_frame(&f, "10.0.9.5", &inner, -1, false);
	f.b[f.l3 + 10] ^= 0x40; /* the outer header's checksum */
	gwlb_run(&f, &act, &reason);
	report(act == XDP_DROP && reason == XFWD_R_DROP_MALFORMED_IP,
	       "gwlb: a corrupted outer IPv4 header (its checksum wrong): dropped, not returned");
	gwlb_frame(&f, "10.0.9.5", &inner, -1, false);
	f.b[f.l4 + 8 + 2] = 0x65, f.b[f.l4 + 8 + 3] = 0x58; /* Ethernet inside */
	gwlb_run(&f, &act, &reason);
	report(act == XDP_DROP && reason == XFWD_R_DROP_TUNNEL_MALFORMED,
	       "gwlb: not IP inside: dropped as malformed");
}

int main(void)
{
	struct pkt arp;
	uint8_t out[4096];
	uint32_t olen;
	int reason;

	if (setup()) {
		printf("bpf: 0 passed, 1 failed\n");
		return 1;
	}
	printf("test_xdp: packet in -> packet out through the verified XDP program\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		report(run_case(&cases[i]), cases[i].name);
	pkt_init(&arp);
	pkt_eth(&arp, MAC_ROUTER, MAC_IN_SRC, ETH_P_ARP);
	pkt_payload(&arp, 28);
	report(run(arp.b, arp.len, out, &olen, &reason) == XDP_PASS &&
		       reason == XFWD_R_PASS_NOT_IP && same_bytes(&arp, out, olen),
	       "ARP (not IP) goes to the kernel untouched");
	test_checksum_wrap();
	test_header_checksum();
	test_encap();
	test_own_mac();
	test_ipsec();
	test_decap();
	test_urpf();
	test_filters();
	test_outer_lengths();
	test_vxlan();
	test_probes();
	test_geneve();
	test_udp_tunnels_ipv6();
	test_too_big();
	test_ecmp();
	test_ecmp_resilient();
	test_gwlb();
	test_cover6();
	test_tbl6_size_checked();
	test_truncation();
	printf("bpf: %d passed, %d failed\n", passes, fails);
	lpm4_fini(&lpm);
	lpm6_fini(&lpm6);
	xfwd__destroy(skel);
	return fails ? 1 : 0;
}
