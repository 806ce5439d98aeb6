// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's pure parts: the config file, and routes as the kernel
 * sends them (real captured messages, tests/unit/fixtures/). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "loader/daemon/config.h"
#include "loader/core/mirror.h"
#include "loader/core/words.h"
#include "fixtures/rtm_routes.h"

static int parse(const uint8_t *msg, struct mroute *m)
{
	return mirror_parse((const struct nlmsghdr *)msg, m);
}

static void assert_addr(const struct xaddr *a, int family, const char *s)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(a->family, family);
	inet_pton(family, s, want);
	assert_memory_equal(a->bytes, want, family == AF_INET ? 4 : 16);
}

static void test_mirror_unicast(void **s)
{
	struct mroute m;

	(void)s;
	assert_int_equal(parse(RT_VIA, &m), 0);
	assert_int_equal(m.table, 100);
	assert_int_equal(m.kind, XFWD_NH_DIRECT);
	assert_addr(&m.prefix.addr, AF_INET, "10.9.0.0");
	assert_int_equal(m.prefix.len, 24);
	assert_int_equal(m.nvia, 1);
	assert_addr(&m.via[0].gw, AF_INET, "10.0.2.2");
	assert_int_equal(m.via[0].oif, 3);
	assert_int_equal(parse(RT_DEFAULT, &m), 0);
	assert_int_equal(m.prefix.len, 0);
	assert_addr(&m.prefix.addr, AF_INET, "0.0.0.0");
	assert_int_equal(parse(RT6_VIA, &m), 0);
	assert_addr(&m.prefix.addr, AF_INET6, "fd00:9::");
	assert_int_equal(m.prefix.len, 64);
	assert_addr(&m.via[0].gw, AF_INET6, "fd00:2::2");
}

static void test_mirror_multipath(void **s)
{
	struct mroute m;

	(void)s;
	assert_int_equal(parse(RT_MULTIPATH, &m), 0);
	assert_int_equal(m.nvia, 2);
	assert_addr(&m.via[0].gw, AF_INET, "10.0.2.2");
	assert_int_equal(m.via[0].oif, 3);
	assert_addr(&m.via[1].gw, AF_INET, "10.0.3.2");
	assert_int_equal(m.via[1].oif, 5);
}

static void test_mirror_kinds(void **s)
{
	struct mroute m;
	uint8_t bad[sizeof(RT_VIA)];

	(void)s;
	assert_int_equal(parse(RT_BLACKHOLE, &m), 0);
	assert_int_equal(m.kind, XFWD_NH_BLACKHOLE);
	assert_int_equal(m.nvia, 0);
	assert_int_equal(parse(RT_UNREACHABLE, &m), 0);
	assert_int_equal(m.kind, XFWD_NH_KERNEL);
	assert_int_equal(parse(RT_DEVICE, &m), 0); /* no gateway: the daemon hands it to the kernel */
	assert_int_equal(m.via[0].gw.family, 0);
	assert_int_equal(m.via[0].oif, 3);
	/* A truncated destination is an error, not a /24 of garbage. */
	memcpy(bad, RT_VIA, sizeof(bad));
	for (size_t i = 28; i + 8 <= sizeof(bad); i += 4)
		if (bad[i + 2] == 1 /* RTA_DST */ && bad[i] == 8)
			bad[i] = 7;
	assert_int_equal(parse(bad, &m), -EBADMSG);
}

/* A route message built attribute by attribute, for the cases the
 * kernel never sends but a parser must survive. */
static struct nlmsghdr *route_msg(uint8_t *buf, int family, uint8_t dst_len, uint8_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	rtm->rtm_type = type;
	mnl_attr_put_u32(nlh, RTA_TABLE, 100);
	return nlh;
}

/* route_msg with RTA_DST 10.1.0.0 */
static struct nlmsghdr *dst_msg(uint8_t *buf, uint8_t dst_len, uint8_t type)
{
	static const uint8_t dst[4] = { 10, 1, 0, 0 };
	struct nlmsghdr *nlh = route_msg(buf, AF_INET, dst_len, type);

	mnl_attr_put(nlh, RTA_DST, 4, dst);
	return nlh;
}

static void test_mirror_hostile(void **s)
{
	uint8_t buf[512] __attribute__((aligned(4))), gw[4] = { 10, 0, 0, 1 };
	struct nlmsghdr *nlh;
	struct mroute m;

	(void)s;
	/* A zero-length RTA_PRIORITY last in the message: reading its u32
	 * would read past the message. */
	nlh = dst_msg(buf, 16, RTN_UNICAST);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, gw);
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	assert_int_equal(mirror_parse(nlh, &m), 0);
	mnl_attr_put(nlh, RTA_PRIORITY, 0, NULL);
	assert_int_equal(mirror_parse(nlh, &m), -EBADMSG);
	for (int type = RTA_TABLE; type <= RTA_OIF; type++) {
		nlh = dst_msg(buf, 16, RTN_UNICAST);
		mnl_attr_put(nlh, (uint16_t)type, 2, gw); /* two bytes: too short for any */
		if (type == RTA_TABLE || type == RTA_PRIORITY || type == RTA_OIF ||
		    type == RTA_GATEWAY || type == RTA_SRC || type == RTA_DST)
			assert_int_equal(mirror_parse(nlh, &m), -EBADMSG);
	}
	/* A prefix length past the family's. */
	nlh = dst_msg(buf, 200, RTN_BLACKHOLE);
	assert_int_equal(mirror_parse(nlh, &m), -EBADMSG);
	nlh = dst_msg(buf, 33, RTN_BLACKHOLE);
	assert_int_equal(mirror_parse(nlh, &m), -EBADMSG);
	/* Host bits past the prefix length. */
	nlh = dst_msg(buf, 8, RTN_BLACKHOLE);
	assert_int_equal(mirror_parse(nlh, &m), -EBADMSG);
	/* throw: the kernel's lookup goes on in its other tables. */
	nlh = dst_msg(buf, 16, RTN_THROW);
	assert_int_equal(mirror_parse(nlh, &m), 0);
	assert_int_equal(m.kind, XFWD_NH_KERNEL);
	assert_int_equal(m.type, RTN_THROW);
	/* tos and source prefixes tell routes apart. */
	nlh = dst_msg(buf, 16, RTN_BLACKHOLE);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	assert_int_equal(mirror_parse(nlh, &m), 0);
	assert_int_equal(m.metric, 20);
	assert_int_equal(m.sel, 0);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_tos = 0x10;
	assert_int_equal(mirror_parse(nlh, &m), 0);
	assert_int_equal(m.sel, 0x10);
}

/* put_via: an RTA_VIA attribute with an IPv6 gateway (len: its payload,
 * 18 when whole) into nlh. */
static void put_via(struct nlmsghdr *nlh, const char *gw6, size_t len)
{
	uint8_t v[sizeof(struct rtvia) + 16] = { 0 };
	struct rtvia *via = (void *)v;

	via->rtvia_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, gw6, via->rtvia_addr), 1);
	mnl_attr_put(nlh, RTA_VIA, len, v);
}

/* BGP unnumbered (RFC 5549): FRR installs IPv4 routes whose gateway is
 * an IPv6 link-local address, as RTA_VIA (alone or in RTA_MULTIPATH). */
static void test_mirror_via(void **s)
{
	uint8_t buf[512] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct nlattr *mp;
	struct rtnexthop *nh;
	struct mroute m;

	(void)s;
	nlh = dst_msg(buf, 16, RTN_UNICAST);
	put_via(nlh, "fe80::2", sizeof(struct rtvia) + 16);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	assert_int_equal(mirror_parse(nlh, &m), 0);
	assert_int_equal(m.nvia, 1);
	assert_addr(&m.prefix.addr, AF_INET, "10.1.0.0");
	assert_addr(&m.via[0].gw, AF_INET6, "fe80::2");
	assert_int_equal(m.via[0].oif, 7);
	/* Two unnumbered sessions' paths: one ECMP route. */
	nlh = dst_msg(buf, 16, RTN_UNICAST);
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	for (int i = 0; i < 2; i++) {
		nh = mnl_nlmsg_get_payload_tail(nlh);
		memset(nh, 0, sizeof(*nh));
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		nh->rtnh_ifindex = 7 + i;
		put_via(nlh, i ? "fe80::3" : "fe80::2", sizeof(struct rtvia) + 16);
		nh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nh);
	}
	mnl_attr_nest_end(nlh, mp);
	assert_int_equal(mirror_parse(nlh, &m), 0);
	assert_int_equal(m.nvia, 2);
	assert_addr(&m.via[1].gw, AF_INET6, "fe80::3");
	assert_int_equal(m.via[1].oif, 8);
	/* Cut short, or of no family it could be: refused. */
	nlh = dst_msg(buf, 16, RTN_UNICAST);
	put_via(nlh, "fe80::2", sizeof(struct rtvia) + 15);
	assert_int_equal(mirror_parse(nlh, &m), -EBADMSG);
	nlh = dst_msg(buf, 16, RTN_UNICAST);
	mnl_attr_put(nlh, RTA_VIA, 1, "x");
	assert_int_equal(mirror_parse(nlh, &m), -EBADMSG);
	nlh = dst_msg(buf, 16, RTN_UNICAST);
	mnl_attr_put(nlh, RTA_VIA, sizeof(struct rtvia) + 16, (uint8_t[18]){ 99 });
	assert_int_equal(mirror_parse(nlh, &m), -EBADMSG);
}

/* A neighbour message with no room for its header (found by
 * fuzz_netlink: the family was read before the length was checked) is
 * refused without a read past it: it ends where a guard page begins. A
 * whole one parses. */
static void test_neigh_short(void **s)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *map = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t buf[64] = { 0 };
	struct nlmsghdr *nlh = (void *)buf, *edge;
	struct ndmsg *nd = (void *)(nlh + 1);
	struct nlattr *dst = (void *)(nd + 1);
	const uint8_t ip[4] = { 10, 0, 2, 2 };
	struct neigh_event e;

	(void)s;
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	edge = (void *)(map + pg - sizeof(*edge));
	*edge = (struct nlmsghdr){ .nlmsg_len = sizeof(*edge), .nlmsg_type = RTM_NEWNEIGH };
	assert_int_equal(rtnl_neigh_parse(edge, &e), -1);
	munmap(map, 2 * (size_t)pg);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = 3;
	dst->nla_type = NDA_DST;
	dst->nla_len = sizeof(*dst) + 4;
	memcpy(dst + 1, ip, 4);
	nlh->nlmsg_len = sizeof(*nlh) + sizeof(*nd) + dst->nla_len;
	assert_int_equal(rtnl_neigh_parse(nlh, &e), 0);
	assert_int_equal(e.ifindex, 3);
	assert_addr(&e.addr, AF_INET, "10.0.2.2");
	assert_false(e.valid);
}

/* ---- config ---- */

static const char *write_file(const char *text)
{
	static char path[] = "/tmp/xfwd-conf-XXXXXX";
	int fd;

	strcpy(path, "/tmp/xfwd-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void refused(const char *text, const char *want)
{
	const char *path = write_file(text);
	struct xconfig c;
	char err[1024];

	assert_int_equal(config_load(path, &c, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
	unlink(path);
}

/* Lines longer than inih's 200-byte buffer arrive whole: an ipsec
 * tunnel with key paths and probe settings is easily that long. */
static void test_config_long_line(void **s)
{
	char text[3072], want[2048], tun[1024];
	const char *path;
	struct xconfig c;
	char err[1024];

	(void)s;
	snprintf(tun, sizeof(tun), "ipsec1 type ipsec local 192.0.2.2 remote 192.0.2.1 spi-out 0x2002 spi-in 0x2001 "
		 "key-out /etc/xfwd/keys/%0100d/ba key-in /etc/xfwd/keys/ab probe icmp 169.254.20.1 from 169.254.20.2 "
		 "probe-interval 100", 7);
	snprintf(text, sizeof(text), "[xfwd]\nattach = eth1\n[tunnels]\ntunnel =   %s   ; a comment\n"
		 "tunnel = t2 type gre local 192.0.2.1 remote 192.0.2.9\n", tun);
	path = write_file(text);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	assert_true(strlen(tun) > 250);
	assert_int_equal(c.ntunnels, 2);
	snprintf(want, sizeof(want), "tunnel add %s", tun);
	assert_string_equal(c.tunnels[0].text, want);
	assert_int_equal(c.tunnels[1].lineno, 5); /* lines still counted right */
	config_free(&c);
	unlink(path);
	snprintf(text, sizeof(text), "[xfwd]\nattach = eth1\n[tunnels]\ntunnel = t1 type gre local 192.0.2.1 remote 192.0.2.9 key %02040d\n", 1);
	refused(text, "the line is too long (2032 characters at most)");
}

/* A comment after a value is a ';' between blanks (or before the line's
 * end): a shell command's ";;" stays whole, on a short line or a long
 * one; "a ;b" too (a route's stray word is then refused, not cut). */
static void test_config_comments(void **s)
{
	const char *cmd = "/bin/sh -c 'case $1 in up) logger up ;; *) logger down ;; esac'";
	char text[4096], want[1024], pad[300];
	const char *path;
	struct xconfig c;
	char err[1024];

	(void)s;
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = 0;
	for (int long_line = 0; long_line < 2; long_line++) {
		snprintf(want, sizeof(want), "%s%s%s", cmd, long_line ? " # " : "", long_line ? pad : "");
		snprintf(text, sizeof(text), "[xfwd]\nattach = eth1 ;\non-health-change = %s ; why\n", want);
		path = write_file(text);
		assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
		unlink(path);
		assert_string_equal(c.on_health, want);
		assert_string_equal(c.attach[0], "eth1");
		config_free(&c);
	}
	refused("[xfwd]\nattach = eth1\n[routes]\nroute = 10.9.0.0/16 blackhole ;b\n", ";b");
}

/* health-check (docs/gwlb.md): tcp or http and a port; anything else
 * refused naming the form; a reload may not change it. */
static void test_config_health_check(void **s)
{
	const char *path = write_file("[xfwd]\nattach = eth1\nhealth-check = http 8080\n");
	struct xconfig c, d;
	char err[1024];

	(void)s;
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(c.hcheck_port, 8080);
	assert_true(c.hcheck_http);
	d = c;
	d.hcheck_port = 0;
	assert_int_equal(config_restart_needed(&d, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "health-check cannot change on reload"));
	config_free(&c);
	refused("[xfwd]\nattach = eth1\nhealth-check = udp 80\n", "health-check is 'tcp PORT' or 'http PORT'");
	refused("[xfwd]\nattach = eth1\nhealth-check = tcp 0\n", "health-check is 'tcp PORT'");
	refused("[xfwd]\nattach = eth1\nhealth-check = tcp 70000\n", "health-check is 'tcp PORT'");
	refused("[xfwd]\nattach = eth1\nhealth-check = http 80 /x\n", "health-check is 'tcp PORT'");
}

/* Table sizes in [xfwd] (docs/table-sizes.md): the words of `xfwd
 * attach`, their ranges, refused naming the word; a reload may not
 * change them. */
static void test_config_sizes(void **s)
{
	const char *path = write_file("[xfwd]\nattach = eth1\nipv4-table = compact\ntblc-lines = 70000\n"
				      "tbl6-nodes = 131072\nroutes4 = 3000000\ngroups = 8192\n");
	struct xconfig c, d;
	char err[1024];

	(void)s;
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(c.sizes.ipv4_table, 1 + XFWD_IPV4_COMPACT);
	assert_int_equal(c.sizes.tblc_lines, 70000);
	assert_int_equal(c.sizes.tbl6_nodes, 131072);
	assert_int_equal(c.sizes.routes4, 3000000);
	assert_int_equal(c.sizes.groups, 8192);
	assert_int_equal(c.sizes.routes6, 0); /* the default */
	d = c;
	d.sizes.tbl6_nodes = 65536;
	assert_int_equal(config_restart_needed(&d, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot change on reload: they are set when the maps are made; run 'xfwd detach'"));
	config_free(&c);
	refused("[xfwd]\nattach = eth1\nipv4-table = dxr\n", "ipv4-table 'dxr': use 'tbl24' or 'compact'");
	refused("[xfwd]\nattach = eth1\ntbl6-nodes = 100\n", "'tbl6-nodes 100': expected a number from 512 to 524288");
	refused("[xfwd]\nattach = eth1\nroutes4 = lots\n", "'routes4 lots': expected a number");
	refused("[xfwd]\nattach = eth1\ntbl8-group = 4\n", "unknown setting 'tbl8-group' in [xfwd] (pin-root,");
}

/* [capacity]: rates as engineers write them; one line a tunnel; words
 * that are no rate refused. */
static void test_config_capacity(void **s)
{
	const char *path = write_file("[xfwd]\nattach = eth1\ncapacity-window = 5\n[capacity]\n"
				      "capacity = tunnel vpn1 1.25G\ncapacity = tunnel gre1 5G ; one flow\n"
				      "capacity = tunnel t3 64000\ncapacity = tunnel t4 500k\n");
	struct xconfig c;
	char err[1024];
	uint64_t r;

	(void)s;
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(c.capacity_window, 5);
	assert_int_equal(c.ncaps, 4);
	assert_string_equal(c.caps[0].name, "vpn1");
	assert_false(c.caps[0].dev);
	assert_true(c.caps[0].bps == 1250000000ull);
	assert_true(c.caps[1].bps == 5000000000ull);
	assert_true(c.caps[2].bps == 64000);
	assert_true(c.caps[3].bps == 500000);
	assert_int_equal(c.caps[3].lineno, 8);
	config_free(&c);
	refused("[xfwd]\nattach = eth1\n[capacity]\ncapacity = tunnel a 1G\ncapacity = tunnel a 2G\n",
		"a has a capacity already");
	refused("[xfwd]\nattach = eth1\n[capacity]\ncapacity = tunnel a 1.2X\n", "bits a second: 1.25G, 500M");
	refused("[xfwd]\nattach = eth1\n[capacity]\ncapacity = port eth1 1G\n", "'dev DEV RATE'");
	refused("[xfwd]\nattach = eth1\n[capacity]\ncapacity = dev eth1 1G\ncapacity = dev eth1 2G\n",
		"eth1 has a capacity already");
	refused("[xfwd]\nattach = eth1\ncapacity-window = 1\n", "capacity-window is whole seconds from 2 to 3600");
	assert_int_equal(parse_rate("0", &r), -1);
	assert_int_equal(parse_rate("-1G", &r), -1);
	assert_int_equal(parse_rate("1GG", &r), -1);
	assert_int_equal(parse_rate("", &r), -1);
	assert_int_equal(parse_rate("2T", &r), 0);
	assert_true(r == 2000000000000ull);
	assert_int_equal(parse_rate("1.5K", &r), 0);
	assert_true(r == 1500);
}

static void test_config_good(void **s)
{
	const char *path = write_file("# appliance\n[xfwd]\npin-root = /sys/fs/bpf/x1\n"
				      "attach = eth1, eth2\nmode = generic\nmirror-table = 100\n"
				      "[tunnels]\ntunnel = tgw1 type gre local 192.0.2.1 remote 198.51.100.7 key 42\n"
				      "[routes]\nroute = 10.30.0.0/16 tunnel tgw1\n"
				      "route = fd00:9::/64 via fd00:2::2 dev eth1 ; a comment\n"
				      "[tunnels]\ntunnel = tgw2 type gre local 192.0.2.1 remote 198.51.100.7 key 43\n");
	struct xconfig c;
	char err[1024];

	(void)s;
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.pin_root, "/sys/fs/bpf/x1");
	assert_int_equal(c.nattach, 2);
	assert_string_equal(c.attach[1], "eth2");
	assert_int_equal(c.mode, XFWD_MODE_GENERIC);
	assert_int_equal(c.mirror_table, 100);
	assert_int_equal(c.ntunnels, 2); /* same endpoints, another key: a tunnel of its own */
	assert_int_equal(c.tunnels[0].lineno, 8);
	assert_string_equal(c.tunnels[0].text,
			    "tunnel add tgw1 type gre local 192.0.2.1 remote 198.51.100.7 key 42");
	assert_int_equal(c.nroutes, 2);
	assert_string_equal(c.routes[1].text, "route add fd00:9::/64 via fd00:2::2 dev eth1");
	assert_int_equal(c.routes[1].lineno, 11);
	/* Parsed once, into specs. */
	assert_true(c.tunnels[1].is_tunnel && !c.routes[0].is_tunnel);
	assert_string_equal(c.tunnels[1].tun.name, "tgw2");
	assert_int_equal(c.tunnels[1].tun.type, XFWD_TUN_GRE);
	assert_int_equal(c.tunnels[1].tun.key, 43);
	assert_int_equal(c.routes[0].route.ntunnels, 1);
	assert_string_equal(c.routes[0].route.tunnels[0], "tgw1");
	assert_int_equal(c.routes[1].route.prefix.len, 64);
	assert_int_equal(c.routes[1].route.nvia, 1);
	assert_addr(&c.routes[1].route.via[0].gw, AF_INET6, "fd00:2::2");
	assert_string_equal(c.routes[1].route.via[0].dev, "eth1");
	config_free(&c);
	unlink(path);
}

static void note_dropped(const struct config_line *l, void *arg)
{
	char *out = arg, k[128];

	config_subject(l, k, sizeof(k));
	strcat(out, k);
	strcat(out, "; ");
}

/* A reload is the difference of two configs: what the new one lacks goes,
 * routes (last first) before the tunnels they may use; what both have
 * stays, whatever else changed on its line. */
static void test_config_dropped(void **s)
{
	const char *p1 = "[xfwd]\nattach = eth1\n[tunnels]\n"
			 "tunnel = t1 type gre local 192.0.2.1 remote 192.0.2.9 key 1\n"
			 "tunnel = t2 type gre local 192.0.2.1 remote 192.0.2.9 key 2\n"
			 "[routes]\nroute = 10.1.0.0/16 tunnel t1\nroute = 10.2.0.0/16 tunnel t2\n"
			 "route = fd00:3::/48 via fd00::1 dev eth1\nroute = 10.4.0.0/16 blackhole\n";
	const char *p2 = "[xfwd]\nattach = eth1\n[tunnels]\n"
			 "tunnel = t1 type gre local 192.0.2.1 remote 192.0.2.9 key 1 ttl 9\n"
			 "[routes]\nroute = 10.1.0.0/16 tunnel t1\nroute = 10.4.0.0/16 kernel\n";
	struct xconfig a, b;
	char err[1024], dropped[512] = "", none[64] = "";
	char path_a[64];

	(void)s;
	snprintf(path_a, sizeof(path_a), "%s", write_file(p1));
	assert_int_equal(config_load(path_a, &a, err, sizeof(err)), 0);
	unlink(path_a);
	assert_int_equal(config_load(write_file(p2), &b, err, sizeof(err)), 0);
	config_dropped(&a, &b, note_dropped, dropped);
	assert_string_equal(dropped, "route fd00:3::/48; route 10.2.0.0/16; tunnel t2; ");
	config_dropped(&a, &a, note_dropped, none);
	assert_string_equal(none, "");
	assert_true(config_has(&b, "tunnel t1") && !config_has(&b, "tunnel t2"));
	config_free(&a);
	config_free(&b);
}

/* pin-root and mirror-table are the daemon's for its life: a reload that
 * changes one is refused, naming it and the restart it needs. */
static void test_config_restart_needed(void **s)
{
	struct xconfig a, b;
	char err[512], pa[64];

	(void)s;
	snprintf(pa, sizeof(pa), "%s", write_file("[xfwd]\nattach = eth1\nmirror-table = 100\n"));
	assert_int_equal(config_load(pa, &a, err, sizeof(err)), 0);
	unlink(pa);
	assert_int_equal(config_load(write_file("[xfwd]\nattach = eth1\nmirror-table = 100\n[routes]\nroute = 10.1.0.0/16 blackhole\n"),
				     &b, err, sizeof(err)), 0);
	assert_int_equal(config_restart_needed(&a, &b, err, sizeof(err)), 0);
	config_free(&b);
	assert_int_equal(config_load(write_file("[xfwd]\nattach = eth1\nmirror-table = 101\n"), &b, err, sizeof(err)), 0);
	assert_int_equal(config_restart_needed(&a, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mirror-table cannot change on reload (100 to 101): restart the daemon"));
	config_free(&b);
	assert_int_equal(config_load(write_file("[xfwd]\nattach = eth1\nmirror-table = 100\npin-root = /sys/fs/bpf/other\n"),
				     &b, err, sizeof(err)), 0);
	assert_int_equal(config_restart_needed(&a, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pin-root cannot change on reload"));
	config_free(&a);
	config_free(&b);
}

static void test_config_refused(void **s)
{
	(void)s;
	refused("[xfwd]\nattach = eth0\nbogus = 1\n", ":3: unknown setting 'bogus'");
	refused("[xfwd]\nattach = eth0\n[extra]\nx = 1\n", ":4: unknown section [extra]");
	refused("[xfwd]\nattach = eth0\nmode = turbo\n", ":3: mode is 'native' or 'generic'");
	refused("[xfwd]\nattach = eth0\nmirror-table = main\n", ":3: mirror-table is a kernel table number");
	refused("[xfwd]\nattach = eth0\n[routes]\nroute = 10.0.0.0/8 via 1.2.3.4\n", ":4: 'via 1.2.3.4' needs 'dev DEV'");
	refused("[xfwd]\nattach = eth0\n[routes]\n10.0.0.0/8 = blackhole\n", ":4: [routes] takes 'route = PREFIX");
	refused("[xfwd]\nattach = eth0\n[tunnels]\ntunnel = t1 type gre local 1.1.1.1\n", ":4: tunnel add needs");
	refused("[xfwd]\nattach = eth0\njust words\n", ":3: not 'name = value'");
	refused("[xfwd]\nmirror-table = 100\n", "no 'attach = DEV...'");
	{
		char long_root[400];

		snprintf(long_root, sizeof(long_root), "[xfwd]\npin-root = /%0300d\nattach = eth0\n", 1);
		refused(long_root, ":2: pin-root: a path of at most 255 characters");
	}
	/* Lines that contradict each other: both named. */
	refused("[xfwd]\nattach = eth0\n[tunnels]\ntunnel = gre1 type gre local 192.0.2.1 remote 192.0.2.2\n"
		"tunnel = gre1 type gre local 192.0.2.1 remote 192.0.2.3\n",
		":5: tunnel gre1 is given twice (line 4 too): one line per tunnel");
	refused("[xfwd]\nattach = eth0\n[tunnels]\ntunnel = g1 type gre local 192.0.2.1 remote 192.0.2.2 key 5\n"
		"tunnel = g2 type gre local 192.0.2.1 remote 192.0.2.2 key 5\n",
		":5: tunnel g2 joins the same endpoints with the same key as g1 (line 4): give each its own key or vni");
	refused("[xfwd]\nattach = eth0\n[tunnels]\ntunnel = g1 type gre local 192.0.2.1 remote 192.0.2.2\n"
		"tunnel = g2 type gre local 192.0.2.1 remote 192.0.2.2\n",
		":5: tunnel g2 joins the same endpoints with the same key as g1 (line 4)");
	refused("[xfwd]\nattach = eth0\n[routes]\nroute = 10.9.0.0/16 blackhole\nroute = 10.8.0.0/16 kernel\n"
		"route = 10.9.0.0/16 kernel\n",
		":6: route 10.9.0.0/16 is given twice (line 4 too): one line per prefix");
	/* The first error is the one reported. */
	refused("[xfwd]\nattach = eth0\nbogus = 1\nworse = 2\n", ":3: unknown setting 'bogus'");
	refused("", "no 'attach");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mirror_unicast),
		cmocka_unit_test(test_mirror_multipath),
		cmocka_unit_test(test_mirror_kinds),
		cmocka_unit_test(test_mirror_hostile),
		cmocka_unit_test(test_mirror_via),
		cmocka_unit_test(test_neigh_short),
		cmocka_unit_test(test_config_good),
		cmocka_unit_test(test_config_long_line),
		cmocka_unit_test(test_config_comments),
		cmocka_unit_test(test_config_capacity),
		cmocka_unit_test(test_config_health_check),
		cmocka_unit_test(test_config_refused),
		cmocka_unit_test(test_config_dropped),
		cmocka_unit_test(test_config_restart_needed),
		cmocka_unit_test(test_config_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
