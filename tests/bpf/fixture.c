// SPDX-License-Identifier: GPL-2.0-only
/* The XDP object and its table for the BPF tests (fixture.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
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
#include "maps/xfwd_hash.h"
#include "maps/xfwd_tunnel.h"

struct xfwd *skel;
int prog_fd, if_in, if_out;
struct lpm4 lpm;
struct lpm6 lpm6;
#define TBL6_NODES 1024u
static struct lpm4c lpmc; /* with XFWD_TEST_IPV4_TABLE=compact */

const uint8_t MAC_IN_SRC[6] = { 0x02, 0, 0, 0, 0, 0x01 };
const uint8_t MAC_ROUTER[6] = { 0x02, 0, 0, 0, 0, 0xfe };
const uint8_t MAC_SMAC[6] = { 0x02, 0, 0, 0, 0xaa, 0x01 };
const uint8_t MAC_NH[6][6] = {
	{ 0x02, 0, 0, 0, 0xbb, 0x01 }, { 0x02, 0, 0, 0, 0xbb, 0x02 },
	{ 0x02, 0, 0, 0, 0xbb, 0x03 }, { 0x02, 0, 0, 0, 0xbb, 0x04 },
	{ 0x02, 0, 0, 0, 0xbb, 0x05 }, { 0x02, 0, 0, 0, 0xbb, 0x06 },
};

/* ---- fixture: next hops, groups, routes ---- */

const uint8_t MAC_PEER_VTEP[6] = { 0x02, 0, 0, 0, 0xcc, 0x01 };

/* Tunnels: 1 GRE key 42 over IPv4, 2 IP-in-IP over IPv6, 3 GRE no key. */

void put_nh(uint32_t id, uint8_t kind, uint32_t ifindex, int mac,
		   uint16_t vlan, uint32_t mtu, uint8_t flags)
{
	struct xfwd_nh n = { .kind = kind, .flags = flags, .ifindex = ifindex,
			     .mtu = mtu, .family = AF_INET, .oif = ifindex };

	/* Live copy in l2[1] (active = 1): the selector is honoured. */
	n.active = 1;
	if (mac >= 0)
		memcpy(n.l2[1].dmac, MAC_NH[mac], 6);
	memcpy(n.l2[1].smac, MAC_SMAC, 6);
	memset(n.l2[0].dmac, 0xee, 6); /* stale copy: must never be used */
	n.l2[1].vlan = vlan;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_nexthops), &id, &n, 0))
		abort();
}

/* A next hop's gateway made IPv6, as the loader writes an IPv4 route
 * over an IPv6 next hop (BGP unnumbered, RTA_VIA). */
static void set_gw6(uint32_t id, const char *gw)
{
	int fd = bpf_map__fd(skel->maps.xfwd_nexthops);
	struct xfwd_nh n;

	if (bpf_map_lookup_elem(fd, &id, &n) || inet_pton(AF_INET6, gw, n.addr) != 1)
		abort();
	n.family = AF_INET6;
	if (bpf_map_update_elem(fd, &id, &n, 0))
		abort();
}

void put_tunnel(uint32_t id, uint8_t type, int family, const char *local,
		       const char *remote, int key, uint8_t ttl)
{
	struct xfwd_tunnel t = { .type = type, .family = (uint8_t)family, .ttl = ttl,
				 .flags = key >= 0 ? XFWD_TUN_F_KEY : 0,
				 .key = key >= 0 ? (uint32_t)key : 0, .mtu = 1400 };
	static const enum xfwd_peer_entry order[] = XFWD_PEER_WRITE_ORDER;
	int peers = bpf_map__fd(skel->maps.xfwd_tunnel_peers);

	inet_pton(family, local, t.local);
	inet_pton(family, remote, t.remote);
	memcpy(t.peer_mac, MAC_PEER_VTEP, 6);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_tunnels), &id, &t, 0))
		abort();
	/* The entries the loader writes, made by its own function. */
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct xfwd_tunnel_key k;
		uint32_t v = xfwd_peer_value(id, order[i]);

		xfwd_peer_key(&k, &t, order[i]);
		if (bpf_map_update_elem(peers, &k, &v, 0))
			abort();
	}
}

/* A gwlb tunnel (docs/gwlb.md): GENEVE to local from any address; its
 * one decapsulation entry made by the loader's own function. */
void put_gwlb(uint32_t id, const char *local)
{
	struct xfwd_tunnel t = { .type = XFWD_TUN_GENEVE, .family = AF_INET, .ttl = 64,
				 .flags = XFWD_TUN_F_GWLB | XFWD_TUN_F_INNER_IP };
	struct xfwd_tunnel_key k;
	uint32_t v = xfwd_peer_value(id, XFWD_PEER_TUNNEL);

	inet_pton(AF_INET, local, t.local);
	snprintf(t.name, sizeof(t.name), "gwlb%u", id);
	xfwd_peer_key(&k, &t, XFWD_PEER_TUNNEL);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_tunnels), &id, &t, 0) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_tunnel_peers), &k, &v, 0))
		abort();
}

void set_inner_ip(uint32_t id)
{
	int fd = bpf_map__fd(skel->maps.xfwd_tunnels);
	struct xfwd_tunnel t;

	bpf_map_lookup_elem(fd, &id, &t);
	t.flags |= XFWD_TUN_F_INNER_IP;
	bpf_map_update_elem(fd, &id, &t, 0);
}

void set_urpf(uint32_t id, uint8_t mode)
{
	int fd = bpf_map__fd(skel->maps.xfwd_tunnels);
	struct xfwd_tunnel t;

	if (bpf_map_lookup_elem(fd, &id, &t))
		abort();
	t.urpf = mode;
	if (bpf_map_update_elem(fd, &id, &t, 0))
		abort();
}

/* A configured source of a tunnel (xfwd_urpf_allow); IPv4 v4-mapped. */
void put_urpf_allow(uint32_t id, int fam, const char *addr, unsigned int len)
{
	struct xfwd_urpf_key k = { .prefixlen = 32 + len, .tunnel = id };
	uint32_t one = 1;

	if (fam == AF_INET) {
		k.addr[10] = k.addr[11] = 0xff;
		inet_pton(AF_INET, addr, k.addr + 12);
		k.prefixlen += 96;
	} else {
		inet_pton(AF_INET6, addr, k.addr);
	}
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_urpf_allow), &k, &one, 0))
		abort();
}

void put_tunnel_nh(uint32_t id, uint32_t tunnel, uint32_t mtu)
{
	put_nh(id, XFWD_NH_TUNNEL, (uint32_t)if_out, 0, 0, mtu, XFWD_NH_F_NEIGH);
	struct xfwd_nh n;
	int fd = bpf_map__fd(skel->maps.xfwd_nexthops);

	bpf_map_lookup_elem(fd, &id, &n);
	n.tunnel = tunnel;
	bpf_map_update_elem(fd, &id, &n, 0);
}

void put_port_mac(uint32_t ifindex, const uint8_t *mac)
{
	struct xfwd_port_mac pm = { .ifindex = ifindex };
	uint32_t slot = ifindex % XFWD_PORT_SLOTS;

	memcpy(pm.mac, mac, 6);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_port_macs), &slot, &pm, 0))
		abort();
}

void put_nh_flags(uint32_t id, uint8_t flags)
{
	int fd = bpf_map__fd(skel->maps.xfwd_nexthops);
	struct xfwd_nh n;

	bpf_map_lookup_elem(fd, &id, &n);
	n.flags = flags;
	bpf_map_update_elem(fd, &id, &n, 0);
}

void put_set(uint32_t id, const struct xfwd_group_set *s)
{
	struct xfwd_group g = { .active = 0 };

	g.set[0] = *s;
	g.set[1].count = 1; /* stale copy: must never be used */
	g.set[1].members[0] = NH_BH;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_groups), &id, &g, 0))
		abort();
}

/* Members as given (sorted, as the core keeps them), weight 1 each, the
 * buckets dealt by the core's own code. */
void put_group(uint32_t id, const uint32_t *m, uint32_t n)
{
	struct xfwd_group_set s = { .count = n };

	memcpy(s.members, m, n * 4);
	buckets_deal(&s, NULL);
	put_set(id, &s);
}

void get_set(uint32_t id, struct xfwd_group_set *s)
{
	struct xfwd_group g;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.xfwd_groups), &id, &g))
		abort();
	*s = g.set[g.active & 1];
}

static int put_lpm(void *arg, uint32_t tbl, const struct lpm4_write *w, size_t n)
{
	int fd = bpf_map__fd(tbl == LPM4_TBL24 ? skel->maps.xfwd_tbl24 :
			     tbl == LPM6_TBL ? skel->maps.xfwd_tbl6 :
			     tbl == LPM4_TBLC16 ? skel->maps.xfwd_tblc16 :
			     tbl == LPM4_TBLC ? skel->maps.xfwd_tblc : skel->maps.xfwd_tbl8);
	uint32_t zero = 0;

	(void)arg;
	if (tbl == LPM6_TBL) /* one value: the mirror holds every node */
		return bpf_map_update_elem(fd, &zero, lpm6.e, 0) ? (abort(), -1) : 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t key = w[i].idx / XFWD_LPM_LINE;
		struct xfwd_lpm_line line;

		if (bpf_map_lookup_elem(fd, &key, &line))
			abort();
		line.e[w[i].idx % XFWD_LPM_LINE] = w[i].val;
		if (bpf_map_update_elem(fd, &key, &line, 0))
			abort();
	}
	return 0;
}

void flush_lpm(void)
{
	lpm4_flush(&lpm, put_lpm, NULL);
	lpm6_flush(&lpm6, put_lpm, NULL);
}

void route4(const char *prefix, unsigned int len, uint32_t group)
{
	struct in_addr a;

	inet_pton(AF_INET, prefix, &a);
	if (lpm4_add(&lpm, ntohl(a.s_addr), len, group))
		abort();
	flush_lpm();
}

/* As the loader: tbl6 through the builder, and the record XDP asks for
 * a covering route. */
void route6(const char *prefix, unsigned int len, uint32_t group)
{
	struct xfwd_route_key6 k = { .prefixlen = len };
	struct xfwd_route r = { .group = group, .prefixlen = (uint8_t)len };

	inet_pton(AF_INET6, prefix, k.addr);
	if (lpm6_add(&lpm6, k.addr, len, group, 0) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_routes6), &k, &r, 0))
		abort();
	flush_lpm();
}

/* 10.9.0.0/16 with /24s of other next hops in every quarter, and in
 * 10.9.200-215 a run per /24: the compact copy's block spills into a
 * second line (maps/xfwd_abi.h). */
static void many_routes_in_one_16(void)
{
	char a[32];

	route4("10.9.0.0", 16, NH_OUT);
	route4("10.9.5.0", 24, NH_TX);
	route4("10.9.70.0", 24, NH_VLAN);
	route4("10.9.130.0", 24, NH_VIA6);
	route4("10.9.255.0", 24, NH_VLAN);
	for (int i = 200; i < 216; i += 2) {
		snprintf(a, sizeof(a), "10.9.%d.0", i + 1);
		route4(a, 24, NH_TX);
	}
}

void fixture(void)
{
	struct bpf_devmap_val dv = { .ifindex = (uint32_t)if_out };
	uint32_t ecmp[] = { NH_E1, NH_E2, NH_E3 };

	put_nh(NH_OUT, XFWD_NH_DIRECT, (uint32_t)if_out, 0, 0, 1500, XFWD_NH_F_NEIGH);
	put_nh(NH_TX, XFWD_NH_DIRECT, (uint32_t)if_in, 1, 0, 1500, XFWD_NH_F_NEIGH);
	put_nh(NH_E1, XFWD_NH_DIRECT, (uint32_t)if_out, 2, 0, 1500, XFWD_NH_F_NEIGH);
	put_nh(NH_E2, XFWD_NH_DIRECT, (uint32_t)if_out, 3, 0, 1500, XFWD_NH_F_NEIGH);
	put_nh(NH_E3, XFWD_NH_DIRECT, (uint32_t)if_out, 4, 0, 1500, XFWD_NH_F_NEIGH);
	put_nh(NH_UNRES, XFWD_NH_DIRECT, (uint32_t)if_out, -1, 0, 1500, 0);
	put_nh(NH_SMALL, XFWD_NH_DIRECT, (uint32_t)if_out, 0, 0, 500, XFWD_NH_F_NEIGH);
	put_nh(NH_VLAN, XFWD_NH_DIRECT, (uint32_t)if_out, 5, 100, 1500, XFWD_NH_F_NEIGH);
	put_nh(NH_VIA6, XFWD_NH_DIRECT, (uint32_t)if_out, 3, 0, 1500, XFWD_NH_F_NEIGH);
	set_gw6(NH_VIA6, "fe80::2"); /* an IPv4 route's IPv6 hop (RTA_VIA) */
	put_nh(NH_BH, XFWD_NH_BLACKHOLE, 0, -1, 0, 0, 0);
	put_nh(NH_KERNEL, XFWD_NH_KERNEL, 0, -1, 0, 0, 0);
	put_nh(NH_LOCAL, XFWD_NH_LOCAL, 0, -1, 0, 0, 0);
	put_nh(NH_NOTATT, XFWD_NH_DIRECT, 1 /* lo: not in the devmap */, 0, 0, 1500,
	       XFWD_NH_F_NEIGH);
	put_tunnel(1, XFWD_TUN_GRE, AF_INET, T4_LOCAL, T4_REMOTE, 42, 64);
	put_tunnel(2, XFWD_TUN_IPIP, AF_INET6, T6_LOCAL, T6_REMOTE, -1, 32);
	put_tunnel(3, XFWD_TUN_GRE, AF_INET, T4_LOCAL, T4_REMOTE3, -1, 64);
	put_tunnel_nh(NH_TUN1, 1, 1400);
	put_tunnel_nh(NH_TUN2, 2, 1400);
	put_tunnel(4, XFWD_TUN_VXLAN, AF_INET, T4_LOCAL, T4_REMOTE4, 100, 64);
	put_tunnel_nh(NH_TUN3, 3, 1400);
	put_tunnel_nh(NH_TUN4, 4, 1400);
	put_tunnel(5, XFWD_TUN_GENEVE, AF_INET, T4_LOCAL, T4_REMOTE5, 200, 64);
	put_tunnel(6, XFWD_TUN_GENEVE, AF_INET6, T6_LOCAL, T6_REMOTE6, 300, 64);
	put_tunnel(7, XFWD_TUN_VXLAN, AF_INET6, T6_LOCAL, T6_REMOTE7, 400, 64);
	set_inner_ip(6);
	put_tunnel_nh(NH_TUN5, 5, 1400);
	put_tunnel_nh(NH_TUN6, 6, 1400);
	put_tunnel_nh(NH_TUN7, 7, 1400);
	put_tunnel(8, XFWD_TUN_IPSEC, AF_INET, T4_LOCAL, T4_REMOTE8, 8, 64);
	put_tunnel_nh(NH_XFRM, 8, 1400);
	/* Second tunnels between the same endpoints, told apart by key / VNI. */
	put_tunnel(9, XFWD_TUN_GRE, AF_INET, T4_LOCAL, T4_REMOTE, 44, 64);
	put_tunnel(10, XFWD_TUN_VXLAN, AF_INET, T4_LOCAL, T4_REMOTE4, 102, 64);
	put_nh_flags(NH_XFRM, XFWD_NH_F_XFRM); /* as the loader makes it: no MAC */
	for (uint32_t id = 1; id < NH_MAX; id++)
		if (id < NH_E1 || id > NH_E3)
			put_group(id, &id, 1);
	put_group(20, ecmp, 3);
	put_group(22, ecmp, 1); /* E1 alone */
	put_group(GRP_XFRM, (uint32_t[]){ NH_XFRM }, 1);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_tx_ports), &if_out, &dv, 0))
		abort();
	put_port_mac((uint32_t)if_in, MAC_ROUTER);
	{	/* ICMP errors leave from the ingress port with its addresses. */
		struct xfwd_iface ifc = { .ifindex = (uint32_t)if_in };

		inet_pton(AF_INET, IF_IN_ADDR4, &ifc.addr4);
		inet_pton(AF_INET6, IF_IN_ADDR6, ifc.addr6);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.xfwd_ifaces), &if_in, &ifc, 0))
			abort();
	}
	route4("10.1.0.0", 16, NH_OUT);
	route4("10.1.2.128", 25, NH_TX); /* more specific, in a tbl8 group */
	route4("10.2.0.0", 16, NH_TX);
	route4("10.3.0.0", 16, 20);
	route4("10.4.0.0", 16, NH_BH);
	route4("10.5.0.0", 16, NH_KERNEL);
	route4("10.0.0.1", 32, NH_LOCAL);
	route4("10.6.0.0", 16, NH_UNRES);
	route4("10.7.0.0", 16, NH_SMALL);
	route4("10.8.0.0", 16, NH_VLAN);
	many_routes_in_one_16();
	route4("10.31.0.0", 16, NH_VIA6);
	route4("10.12.0.0", 16, NH_NOTATT);
	route4("10.20.0.0", 16, NH_TUN1);
	route4("10.21.0.0", 16, NH_TUN2);
	route4("10.22.0.0", 16, NH_TUN3);
	route4("10.23.0.0", 16, NH_TUN4);
	route4("10.24.0.0", 16, NH_TUN5);
	route4("10.25.0.0", 16, NH_TUN6);
	route4("10.26.0.0", 16, NH_TUN7);
	route4("10.27.0.0", 16, GRP_XFRM);
	put_group(GRP_TUN_ECMP, (uint32_t[]){ NH_OUT, NH_TUN1 }, 2);
	route4("10.30.0.0", 16, GRP_TUN_ECMP); /* tunnel 1 one of two members */
	route6("2001:db8:21::", 48, NH_TUN2);
	route6("2001:db8:27::", 48, GRP_XFRM);
	route6("2001:db8:25::", 48, NH_TUN6);
	route6("2001:db8:20::", 48, NH_TUN1);
	route6("2001:db8:1::", 48, NH_OUT);
	route6("2001:db8:2::", 48, NH_TX);
	route6("2001:db8:3::", 48, 20);
	route6("2001:db8:4::", 48, NH_BH);
	route6("2001:db8::1", 128, NH_LOCAL);
	/* A cover chain: /64 (E1) in /48 (ECMP E1-E3) in /40 (out). */
	route6("2001:db8:100::", 40, NH_OUT);
	route6("2001:db8:100::", 48, 20);
	route6("2001:db8:100:7::", 64, 22);
}

/* ---- running the program ---- */

/* One batch lookup for the whole array: the invariant checker reads it
 * twice per frame, millions of times. */
void read_counts(uint64_t *pk)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xfwd_counter v[XFWD_R_MAX * ncpu];
	uint32_t keys[XFWD_R_MAX], out_batch, count = XFWD_R_MAX;
	int ret = bpf_map_lookup_batch(bpf_map__fd(skel->maps.xfwd_stats), NULL, &out_batch, keys, v,
				       &count, NULL);

	if ((ret && errno != ENOENT) || count != XFWD_R_MAX)
		abort();
	for (uint32_t r = 0; r < XFWD_R_MAX; r++) {
		pk[keys[r]] = 0;
		for (int c = 0; c < ncpu; c++)
			pk[keys[r]] += v[r * ncpu + c].packets;
	}
}

/* Returns the action (or -errno); *reason: the one counter that moved. */
int run(const uint8_t *in, size_t len, uint8_t *out, uint32_t *outlen,
	       int *reason)
{
	struct xdp_md ctx = { .data_end = (uint32_t)len,
			      .ingress_ifindex = (uint32_t)if_in };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = 4096, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	uint64_t before[XFWD_R_MAX], after[XFWD_R_MAX];
	int moved = 0;

	read_counts(before);
	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	read_counts(after);
	*reason = -1;
	for (int r = 0; r < XFWD_R_MAX; r++) {
		if (after[r] == before[r])
			continue;
		moved += (int)(after[r] - before[r]);
		*reason = r;
	}
	if (moved != 1)
		*reason = -2; /* not exactly one counter, exactly once */
	*outlen = o.data_size_out;
	return (int)o.retval;
}

/* ---- setup ---- */

/* The IPv4 table XDP reads: tbl24, or the compact copy when the
 * environment says XFWD_TEST_IPV4_TABLE=compact (make test-bpf runs both). */
static bool want_compact(void)
{
	const char *v = getenv("XFWD_TEST_IPV4_TABLE");

	if (v && strcmp(v, "compact") && strcmp(v, "tbl24")) {
		fprintf(stderr, "FAIL: XFWD_TEST_IPV4_TABLE=%s: use compact or tbl24\n", v);
		exit(1);
	}
	return v && !strcmp(v, "compact");
}

int setup(void)
{
	bool compact = want_compact();
	struct bpf_map *m;

	if (getuid() != 0) {
		fprintf(stderr, "FAIL: BPF packet tests need root (run: sudo make test)\n");
		return -1;
	}
	if (unshare(CLONE_NEWNET) ||
	    system("ip link set lo up && ip link add xt0 type veth peer name xt1 && "
		   "ip link set xt0 up && ip link set xt1 up")) {
		fprintf(stderr, "FAIL: cannot create the test namespace and veths\n");
		return -1;
	}
	if_in = (int)if_nametoindex("xt0");
	if_out = (int)if_nametoindex("xt1");
	skel = xfwd__open();
	if (!skel)
		return -1;
	bpf_object__for_each_map(m, skel->obj)
		bpf_map__set_pin_path(m, NULL); /* private maps, no pins */
	bpf_map__set_max_entries(skel->maps.xfwd_tbl8, 64 * XFWD_TBL8_GROUP_SIZE / XFWD_LPM_LINE);
	bpf_map__set_value_size(skel->maps.xfwd_tbl6, TBL6_NODES * sizeof(struct xfwd_tbl6_node));
	skel->rodata->xfwd_tbl6_entries = TBL6_NODES * XFWD_TBL6_NODE;
	if (compact) {
		bpf_map__set_max_entries(skel->maps.xfwd_tblc, 256);
		skel->rodata->xfwd_ipv4_table = XFWD_IPV4_COMPACT;
	}
	if (xfwd__load(skel)) {
		fprintf(stderr, "FAIL: the kernel refused the XDP program\n");
		return -1;
	}
	prog_fd = bpf_program__fd(skel->progs.xfwd_xdp);
	if (lpm4_init(&lpm, 64) || lpm6_init(&lpm6, TBL6_NODES) || (compact && lpm4c_init(&lpmc, 256)))
		return -1;
	if (compact) /* as the loader: the copy follows tbl24 */
		lpm.copy = &lpmc;
	fixture();
	return 0;
}

/* ---- checks ---- */

int passes, fails;

void report(bool ok, const char *name)
{
	if (ok)
		passes++;
	else
		fails++;
	printf("  %s %s\n", ok ? "ok  " : "FAIL", name);
}

bool same_bytes(const struct pkt *want, const uint8_t *got, uint32_t glen)
{
	if (want->len == glen && !memcmp(want->b, got, glen))
		return true;
	pkt_hexdump("expected", want->b, want->len);
	pkt_hexdump("got", got, glen);
	return false;
}

bool expect_frame(const struct pkt *in, int action, int reason, const struct pkt *want)
{
	uint8_t out[4096];
	uint32_t olen;
	int got_reason, act = run(in->b, in->len, out, &olen, &got_reason);

	if (act != action || got_reason != reason) {
		fprintf(stderr, "  action %d (want %d), reason %d (want %d)\n", act, action,
			got_reason, reason);
		return false;
	}
	return same_bytes(want ? want : in, out, olen);
}


void gre4_wrap(struct pkt *p, const uint8_t *dmac, const uint8_t *smac, const char *src,
	       const char *dst, uint8_t ttl, uint8_t tos, const struct pkt *inner)
{
	uint16_t g[2] = { htons(0x2000), htons(inner->family == AF_INET ? ETH_P_IP : ETH_P_IPV6) };
	uint32_t k = htonl(42);

	pkt_init(p);
	pkt_eth(p, dmac, smac, ETH_P_IP);
	pkt_ipv4(p, src, dst, IPPROTO_GRE, ttl, NULL, 0);
	((struct iphdr *)(p->b + p->l3))->frag_off = htons(0x4000);
	((struct iphdr *)(p->b + p->l3))->tos = tos;
	pkt_push(p, g, sizeof(g));
	pkt_push(p, &k, sizeof(k));
	pkt_push(p, inner->b + inner->l3, inner->len - (size_t)inner->l3);
	pkt_finish(p);
}

uint64_t percpu_packets(const struct bpf_map *m, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xfwd_counter c[ncpu];
	uint64_t sum = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(m), &key, c))
		abort();
	for (int i = 0; i < ncpu; i++)
		sum += c[i].packets;
	return sum;
}
