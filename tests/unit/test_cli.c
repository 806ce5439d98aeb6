// SPDX-License-Identifier: GPL-2.0-only
/* Command-line grammar and prefix parsing: what is accepted, and that
 * every refusal names the problem. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "loader/cli/cli.h"
#include "loader/core/prefix.h"

static char err[512];

static int parse(struct cli_req *r, const char *line)
{
	static char buf[1024]; /* argv outlives the call, as in main() */
	static char *argv[128];
	int argc = 0;

	strcpy(buf, line);
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		argv[argc++] = t;
	err[0] = '\0';
	return cli_parse(argc, argv, r, err, sizeof(err));
}

static void refused(const char *line, const char *needle)
{
	struct cli_req r;

	assert_int_equal(parse(&r, line), -1);
	if (!strstr(err, needle))
		fail_msg("'%s': message '%s' lacks '%s'", line, err, needle);
}

static void test_global_options(void **s)
{
	struct cli_req r;

	(void)s;
	assert_int_equal(parse(&r, "xfwd -j --pin-root /sys/fs/bpf/x stats"), 0);
	assert_true(r.json);
	assert_string_equal(r.pin_root, "/sys/fs/bpf/x");
	assert_int_equal(r.cmd, CMD_STATS);
	assert_int_equal(parse(&r, "xfwd status"), 0);
	assert_string_equal(r.pin_root, XFWD_PIN_ROOT_DEFAULT);
	assert_false(r.json);
	assert_int_equal(parse(&r, "xfwd"), 0);
	assert_int_equal(r.cmd, CMD_HELP);
	refused("xfwd -x status", "unknown option '-x'");
	refused("xfwd --pin-root", "needs a value");
	refused("xfwd bogus", "unknown object 'bogus'");
}

static void test_attach(void **s)
{
	struct cli_req r;

	(void)s;
	assert_int_equal(parse(&r, "xfwd attach eth0 eth1 mode generic tbl8-groups 1024"), 0);
	assert_int_equal(r.cmd, CMD_ATTACH);
	assert_int_equal(r.ndevs, 2);
	assert_string_equal(r.devs[1], "eth1");
	assert_int_equal(r.mode, XFWD_MODE_GENERIC);
	assert_int_equal(r.sizes.tbl8_groups, 1024);
	assert_int_equal(parse(&r, "xfwd detach"), 0);
	assert_int_equal(r.ndevs, 0);
	refused("xfwd attach", "at least one device");
	refused("xfwd attach eth0 mode fast", "use 'native' or 'generic'");
	refused("xfwd attach eth0 tbl8-groups 0", "from 1 to");
	refused("xfwd attach eth0 routes4 lots", "expected a number");
	refused("xfwd attach eth0 tbl6-nodes", "'tbl6-nodes' needs a value");
	refused("xfwd attach eth0 ipv4-table dxr", "use 'tbl24' or 'compact'");
	assert_int_equal(parse(&r, "xfwd attach eth0 ipv4-table compact tblc-lines 4096 tbl6-nodes 1024"), 0);
	assert_int_equal(r.sizes.ipv4_table, 1 + XFWD_IPV4_COMPACT);
	assert_int_equal(r.sizes.tblc_lines, 4096);
	assert_int_equal(r.sizes.tbl6_nodes, 1024);
	assert_int_equal(r.ndevs, 1);
	refused("xfwd attach averyveryverylongname0", "not an interface name");
}

static void test_route_add(void **s)
{
	struct cli_req r;
	char buf[64];

	(void)s;
	assert_int_equal(parse(&r, "xfwd route add 10.1.0.0/16 via 10.0.2.2 dev eth1 via 10.0.3.2 dev eth2"), 0);
	assert_int_equal(r.cmd, CMD_ROUTE_ADD);
	assert_string_equal(xprefix_str(&r.route.prefix, buf), "10.1.0.0/16");
	assert_int_equal(r.route.nvia, 2);
	assert_int_equal(r.route.kind, XFWD_NH_DIRECT);
	assert_string_equal(r.route.via[1].dev, "eth2");
	assert_string_equal(xaddr_str(&r.route.via[1].gw, buf), "10.0.3.2");
	assert_int_equal(parse(&r, "xfwd route replace 2001:db8::/32 blackhole"), 0);
	assert_int_equal(r.cmd, CMD_ROUTE_REPLACE);
	assert_int_equal(r.route.kind, XFWD_NH_BLACKHOLE);
	assert_int_equal(parse(&r, "xfwd r add 0.0.0.0/0 kernel"), 0);
	assert_int_equal(r.route.kind, XFWD_NH_KERNEL);
	assert_int_equal(r.route.prefix.len, 0);
	assert_int_equal(parse(&r, "xfwd route add 192.0.2.7 blackhole"), 0);
	assert_int_equal(r.route.prefix.len, 32); /* bare address: host route */
	assert_int_equal(parse(&r, "xfwd route del 10.1.0.0/16"), 0);
	assert_int_equal(r.cmd, CMD_ROUTE_DEL);
	refused("xfwd route add", "missing PREFIX");
	refused("xfwd route add 10.1.0.0/16", "missing next hop");
	refused("xfwd route add 10.1.0.0/33 blackhole", "prefix length must be 0..32");
	refused("xfwd route add 10.1.0.1/16 blackhole", "host bits set");
	refused("xfwd route add 10.1.0/16 blackhole", "not an IPv4 or IPv6 address");
	refused("xfwd route add 10.1.0.0/16 via 10.0.2.2", "needs 'dev DEV'");
	refused("xfwd route add 10.1.0.0/16 via nothere dev eth0", "not an IPv4 or IPv6 address");
	refused("xfwd route add 10.1.0.0/16 blackhole via 10.0.0.1 dev eth0", "not both");
	refused("xfwd route add 10.1.0.0/16 blackhole kernel", "give one of");
	refused("xfwd route add 10.1.0.0/16 frobnicate", "unexpected 'frobnicate'");
	refused("xfwd route del 10.1.0.0/16 via 1.2.3.4", "unexpected 'via'");
	refused("xfwd route flush", "unknown route command 'flush'");
}

static void ecmp_line(char *line, size_t len, int members)
{
	snprintf(line, len, "xfwd route add 10.0.0.0/8");
	for (int i = 0; i < members; i++)
		snprintf(line + strlen(line), len - strlen(line),
			 " via 10.0.%d.1 dev e%d", i, i);
}

static void test_route_ecmp_limit(void **s)
{
	char line[1024];
	struct cli_req r;

	(void)s;
	ecmp_line(line, sizeof(line), 17);
	refused(line, "at most 16 'via'");
	ecmp_line(line, sizeof(line), 16);
	assert_int_equal(parse(&r, line), 0);
	assert_int_equal(r.route.nvia, 16);
}

static void test_route_get(void **s)
{
	struct cli_req r;

	(void)s;
	assert_int_equal(parse(&r, "xfwd route get 10.1.2.3 from 192.0.2.1 proto tcp sport 1234 dport 443"), 0);
	assert_int_equal(r.cmd, CMD_ROUTE_GET);
	assert_true(r.has_src);
	assert_int_equal(r.proto, 6);
	assert_int_equal(r.sport, 1234);
	assert_int_equal(r.dport, 443);
	assert_int_equal(parse(&r, "xfwd route get 2001:db8::1 proto 17"), 0);
	assert_int_equal(r.proto, 17);
	refused("xfwd route get", "needs an address");
	refused("xfwd route get 10.1.2.3 from 2001:db8::1", "same family");
	refused("xfwd route get 10.1.2.3 sport 70000", "from 0 to 65535");
}

static void test_other_objects(void **s)
{
	struct cli_req r;

	(void)s;
	assert_int_equal(parse(&r, "xfwd nexthop"), 0);
	assert_int_equal(r.cmd, CMD_NEXTHOP_SHOW);
	assert_int_equal(parse(&r, "xfwd nh refresh"), 0);
	assert_int_equal(r.cmd, CMD_NEXTHOP_REFRESH);
	assert_int_equal(parse(&r, "xfwd stats reset"), 0);
	assert_int_equal(r.cmd, CMD_STATS_RESET);
	refused("xfwd stats clear", "unknown stats command");
	assert_int_equal(parse(&r, "xfwd stats -i 2 -n 5"), 0);
	assert_int_equal(r.cmd, CMD_STATS);
	assert_int_equal(r.interval_s, 2);
	assert_int_equal(r.count, 5);
	assert_int_equal(parse(&r, "xfwd stats show -i 1"), 0);
	assert_int_equal(r.interval_s, 1);
	assert_int_equal(r.count, 0);
	refused("xfwd stats -i 0", "expected a number from 1 to 3600");
	refused("xfwd stats -n 3", "give -i SECONDS too");
	refused("xfwd stats reset -i 1", "unexpected '-i'");
	assert_int_equal(parse(&r, "xfwd metrics"), 0);
	assert_int_equal(r.cmd, CMD_METRICS);
	refused("xfwd metrics now", "unexpected 'now'");
	refused("xfwd status now", "unexpected 'now'");
}

static void test_tunnel_probes(void **s)
{
	struct cli_req r;

	(void)s;
	assert_int_equal(parse(&r, "xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 probe udp"), 0);
	assert_int_equal(r.tun.probe.mode, XFWD_PROBE_UDP);
	assert_int_equal(r.tun.probe.interval_ms, 100); /* defaults */
	assert_int_equal(r.tun.probe.multiplier, 3);
	assert_int_equal(r.tun.probe.holddown_ms, 2000);
	assert_int_equal(parse(&r, "xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 "
				   "probe icmp 169.254.0.2 from 169.254.0.1 probe-interval 10 probe-multiplier 5 hold-down 0"), 0);
	assert_int_equal(r.tun.probe.mode, XFWD_PROBE_ICMP);
	assert_int_equal(r.tun.probe.dst, htonl(0xa9fe0002));
	assert_int_equal(r.tun.probe.src, htonl(0xa9fe0001));
	assert_int_equal(r.tun.probe.interval_ms, 10);
	assert_int_equal(r.tun.probe.multiplier, 5);
	assert_int_equal(r.tun.probe.holddown_ms, 0); /* given: no hold-down */
	assert_int_equal(parse(&r, "xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2"), 0);
	assert_int_equal(r.tun.probe.mode, XFWD_PROBE_OFF);
	assert_int_equal(r.tun.probe.holddown_ms, 0);
	assert_int_equal(parse(&r, "xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 "
				   "probe bfd 169.254.0.2 from 169.254.0.1 probe-interval 10"), 0);
	assert_int_equal(r.tun.probe.mode, XFWD_PROBE_BFD);
	assert_int_equal(r.tun.probe.dst, htonl(0xa9fe0002));
	assert_int_equal(r.tun.probe.interval_ms, 10);
	assert_int_equal(parse(&r, "xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 "
				   "probe bfd-multihop 10.9.0.2 from 10.8.0.1"), 0);
	assert_int_equal(r.tun.probe.mode, XFWD_PROBE_BFD_MH);
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 probe bfd", "'probe bfd' needs 'PEER from SRC'");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 probe lldp", "'probe' is 'udp'");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 probe icmp 169.254.0.2", "needs 'PEER from SRC'");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 probe icmp fe80::1 from fe80::2", "needs 'PEER from SRC'");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 probe udp probe-interval 5", "from 10 to 60000");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 hold-down 100", "without 'probe udp'");
	assert_int_equal(parse(&r, "xfwd health"), 0);
	assert_int_equal(r.cmd, CMD_HEALTH);
}

static void test_ipsec(void **s)
{
	struct cli_req r;
	char buf[64];

	(void)s;
	assert_int_equal(parse(&r, "xfwd tunnel add x1 type ipsec local 192.0.2.1 remote 192.0.2.2 inner 169.254.10.1/30 spi-out 0x1001 spi-in 4098 key-out /k/o key-in /k/i if-id 9"), 0);
	assert_int_equal(r.tun.type, XFWD_TUN_IPSEC);
	assert_int_equal(r.tun.spi_out, 0x1001);
	assert_int_equal(r.tun.spi_in, 4098);
	assert_string_equal(r.tun.key_out, "/k/o");
	assert_string_equal(r.tun.key_in, "/k/i");
	assert_int_equal(r.tun.if_id, 9);
	assert_false(r.tun.external);
	assert_false(r.tun.udp_encap);
	assert_true(r.tun.has_inner);
	assert_string_equal(xaddr_str(&r.tun.inner, buf), "169.254.10.1"); /* host bits kept */
	assert_int_equal(r.tun.inner_len, 30);
	assert_int_equal(parse(&r, "xfwd tunnel add x2 type ipsec local 2001:db8::1 remote 2001:db8::2 keyed-by external if-id 77"), 0);
	assert_true(r.tun.external);
	assert_int_equal(r.tun.if_id, 77);
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2", "spi-out N spi-in N key-out FILE key-in FILE");
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 spi-out 300 spi-in 301 key-out /k",
		"spi-out N spi-in N key-out FILE key-in FILE");
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 keyed-by external", "needs 'if-id N'");
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 keyed-by external if-id 3 spi-out 300",
		"takes no spi-out");
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 keyed-by ike if-id 3", "'keyed-by' is 'static'");
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 spi-out 255 spi-in 300 key-out /a key-in /b",
		"from 256 to");
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 keyed-by external if-id 3 key 5",
		"do not apply to ipsec");
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 keyed-by external if-id 3 probe udp",
		"is probed with 'probe icmp PEER from SRC'");
	assert_int_equal(parse(&r, "xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 keyed-by external if-id 3 probe icmp 169.254.1.2 from 169.254.1.1"), 0);
	assert_int_equal(r.tun.probe.mode, XFWD_PROBE_ICMP);
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 keyed-by external if-id 3 inner 10.0.0.1",
		"expected ADDR/LEN");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 if-id 4", "apply to ipsec tunnels only");
	assert_int_equal(parse(&r, "xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 spi-out 300 spi-in 301 key-out /a key-in /b encap udp"), 0);
	assert_true(r.tun.udp_encap);
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 spi-out 300 spi-in 301 key-out /a key-in /b encap tcp",
		"'encap' is 'udp'");
	refused("xfwd tunnel add x1 type ipsec local 1.1.1.1 remote 2.2.2.2 keyed-by external if-id 3 encap udp",
		"the IKE daemon chooses the encapsulation");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 encap udp", "apply to ipsec tunnels only");
}

static void test_ipsec_rekey(void **s)
{
	struct cli_req r;

	(void)s;
	assert_int_equal(parse(&r, "xfwd tunnel rekey x1 spi-in 0x1102 key-in /k/i2"), 0);
	assert_int_equal(r.cmd, CMD_TUNNEL_REKEY);
	assert_string_equal(r.tun.name, "x1");
	assert_int_equal(r.tun.spi_in, 0x1102);
	assert_string_equal(r.tun.key_in, "/k/i2");
	assert_int_equal(r.tun.spi_out, 0);
	assert_int_equal(parse(&r, "xfwd tunnel rekey x1 spi-out 0x1101 key-out /k/o2 retire-in 0x1002"), 0);
	assert_int_equal(r.tun.spi_out, 0x1101);
	assert_int_equal(r.tun.retire_in, 0x1002);
	assert_int_equal(r.tun.spi_in, 0);
	refused("xfwd tunnel rekey x1", "needs a step");
	refused("xfwd tunnel rekey x1 spi-in 0x1102", "names both its SPI and its key file");
	refused("xfwd tunnel rekey x1 key-out /k/o2", "names both its SPI and its key file");
	refused("xfwd tunnel rekey x1 spi-in 0x1102 key-in /k retire-in 0x1102", "is the inbound SA this rekey adds");
	refused("xfwd tunnel rekey x1 retire-in 12", "from 256 to");
	refused("xfwd tunnel rekey x1 if-id 3", "unexpected 'if-id' in tunnel rekey");
}

static void test_tunnels(void **s)
{
	struct cli_req r;
	char buf[64];

	(void)s;
	assert_int_equal(parse(&r, "xfwd tunnel add tgw1 type gre local 192.0.2.1 remote 198.51.100.7 key 42 ttl 32 mtu 1400 dev eth1"), 0);
	assert_int_equal(r.cmd, CMD_TUNNEL_ADD);
	assert_string_equal(r.tun.name, "tgw1");
	assert_int_equal(r.tun.type, XFWD_TUN_GRE);
	assert_true(r.tun.has_key);
	assert_int_equal(r.tun.key, 42);
	assert_int_equal(r.tun.ttl, 32);
	assert_int_equal(r.tun.mtu, 1400);
	assert_string_equal(r.tun.dev, "eth1");
	assert_string_equal(xaddr_str(&r.tun.remote, buf), "198.51.100.7");
	assert_int_equal(parse(&r, "xfwd tunnel add t6 type ipip local 2001:db8::1 remote 2001:db8::2"), 0);
	assert_int_equal(r.tun.type, XFWD_TUN_IPIP);
	assert_int_equal(parse(&r, "xfwd tunnel del t6"), 0);
	assert_int_equal(r.cmd, CMD_TUNNEL_DEL);
	assert_int_equal(parse(&r, "xfwd tunnel"), 0);
	assert_int_equal(r.cmd, CMD_TUNNEL_SHOW);
	assert_int_equal(parse(&r, "xfwd route add 10.0.0.0/8 tunnel a tunnel b via 10.1.1.1 dev eth0"), 0);
	assert_int_equal(r.route.ntunnels, 2);
	assert_int_equal(r.route.nvia, 1);
	assert_string_equal(r.route.tunnels[1], "b");
	refused("xfwd tunnel add t1 type geneve local 1.1.1.1 remote 2.2.2.2", "needs 'vni N'");
	refused("xfwd tunnel add t1 type vxlan local 1.1.1.1 remote 2.2.2.2 key 5", "not 'key N'");
	assert_int_equal(parse(&r, "xfwd tunnel add t1 type vxlan local 1.1.1.1 remote 2.2.2.2 vni 5 inner 172.16.0.1/30"), 0);
	assert_false(r.tun.has_peer_mac); /* learned from the kernel device */
	assert_true(r.tun.has_inner && r.tun.inner_len == 30);
	assert_int_equal(parse(&r, "xfwd tunnel add g1 type gre local 1.1.1.1 remote 2.2.2.2 inner fd00:5::1/64"), 0);
	assert_true(r.tun.has_inner && r.tun.inner.family == AF_INET6);
	assert_int_equal(parse(&r, "xfwd tunnel add t1 type geneve local 1.1.1.1 remote 2.2.2.2 vni 5"), 0);
	assert_false(r.tun.has_peer_mac || r.tun.inner_ip); /* Ethernet, the MAC learned */
	refused("xfwd tunnel add t1 type vxlan local 1.1.1.1 remote 2.2.2.2 vni 5 payload ip", "GENEVE only");
	refused("xfwd tunnel add t1 type geneve local 1.1.1.1 remote 2.2.2.2 vni 5 payload ip peer-mac 02:00:00:00:00:01",
		"drop 'peer-mac'");
	refused("xfwd tunnel add t1 type geneve local 1.1.1.1 remote 2.2.2.2 vni 5 payload mpls", "'payload' is 'eth'");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 vni 5", "VXLAN and GENEVE tunnels only");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 payload ip", "VXLAN and GENEVE tunnels only");
	refused("xfwd tunnel add t1 type mpls local 1.1.1.1 remote 2.2.2.2", "use gre, ipip, vxlan, geneve, ipsec or gwlb");
	/* gwlb (docs/gwlb.md): a local IPv4 address and nothing else. */
	assert_int_equal(parse(&r, "xfwd tunnel add gwlb0 type gwlb local 10.0.1.10"), 0);
	assert_int_equal(r.tun.type, XFWD_TUN_GENEVE);
	assert_true(r.tun.gwlb && r.tun.inner_ip && !r.tun.remote.family);
	refused("xfwd tunnel add gwlb0 type gwlb local 10.0.1.10 remote 10.0.9.5", "takes no 'remote'");
	refused("xfwd tunnel add gwlb0 type gwlb local 2001:db8::1", "GENEVE over IPv4 only");
	refused("xfwd tunnel add gwlb0 type gwlb", "type gwlb local ADDR");
	refused("xfwd tunnel add gwlb0 type gwlb local 10.0.1.10 vni 7", "takes only 'local ADDR'");
	refused("xfwd tunnel add gwlb0 type gwlb local 10.0.1.10 probe udp", "takes only 'local ADDR'");
	assert_int_equal(parse(&r, "xfwd tunnel add g6 type geneve local 2001:db8::1 remote 2001:db8::2 vni 7 payload ip"), 0);
	assert_int_equal(r.tun.type, XFWD_TUN_GENEVE);
	assert_true(r.tun.inner_ip);
	assert_int_equal(r.tun.key, 7);
	assert_int_equal(parse(&r, "xfwd tunnel add v6 type vxlan local 2001:db8::1 remote 2001:db8::2 vni 5 peer-mac 02:00:00:00:00:01"), 0);
	assert_false(r.tun.inner_ip);
	refused("xfwd tunnel add t1 type vxlan local 1.1.1.1 remote 2.2.2.2 vni 16777216", "from 0 to 16777215");
	refused("xfwd tunnel add t1 type vxlan local 1.1.1.1 remote 2.2.2.2 vni 5 peer-mac 02:00", "a MAC address is six pairs");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 peer-mac 02:00:00:00:00:01", "VXLAN and GENEVE tunnels only");
	assert_int_equal(parse(&r, "xfwd tunnel add v1 type vxlan local 1.1.1.1 remote 2.2.2.2 vni 100 peer-mac 02:aa:bb:cc:dd:ee"), 0);
	assert_int_equal(r.tun.type, XFWD_TUN_VXLAN);
	assert_int_equal(r.tun.key, 100);
	assert_int_equal(r.tun.peer_mac[5], 0xee);
	refused("xfwd tunnel add t1 type ipip local 1.1.1.1 remote 2.2.2.2 key 5", "GRE tunnels only");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1", "tunnel add needs");
	refused("xfwd tunnel add t1 type gre local nowhere remote 2.2.2.2", "needs an IPv4 or IPv6 address");
	refused("xfwd tunnel add t1 type gre local 1.1.1.1 remote 2.2.2.2 ttl 0", "from 1 to 255");
	refused("xfwd tunnel del", "missing tunnel NAME");
	refused("xfwd route add 10.0.0.0/8 tunnel a blackhole", "not both");
}

/* Input that used to be accepted and silently changed (issue 19). */
static void test_urpf(void **s)
{
	struct cli_req r;
	char buf[XPREFIX_STRLEN];

	(void)s;
	assert_int_equal(parse(&r, "xfwd tunnel add g1 type gre local 192.0.2.1 remote 192.0.2.2 urpf strict urpf-allow 10.98.0.0/16 urpf-allow 2001:db8::/32"), 0);
	assert_int_equal(r.tun.urpf, XFWD_URPF_STRICT);
	assert_int_equal(r.tun.nurpf_allow, 2);
	assert_string_equal(xprefix_str(&r.tun.urpf_allow[1], buf), "2001:db8::/32");
	assert_int_equal(parse(&r, "xfwd tunnel add g1 type gre local 192.0.2.1 remote 192.0.2.2 urpf loose"), 0);
	assert_int_equal(r.tun.urpf, XFWD_URPF_LOOSE);
	assert_int_equal(parse(&r, "xfwd tunnel add g1 type gre local 192.0.2.1 remote 192.0.2.2"), 0);
	assert_int_equal(r.tun.urpf, XFWD_URPF_OFF);
	refused("xfwd tunnel add g1 type gre local 192.0.2.1 remote 192.0.2.2 urpf sometimes",
		"'urpf sometimes': use strict");
	refused("xfwd tunnel add g1 type gre local 192.0.2.1 remote 192.0.2.2 urpf-allow 10.0.0.1/8",
		"has host bits set");
	refused("xfwd tunnel add g1 type ipsec local 192.0.2.1 remote 192.0.2.2 keyed-by external if-id 5 urpf strict",
		"set rp_filter on its xfrm interface");
}

static void test_strict_values(void **s)
{
	char line[400];
	struct cli_req r;

	(void)s;
	refused("xfwd tunnel add v1 type vxlan local 192.0.2.1 remote 192.0.2.2 vni 7 peer-mac 100:200:300:400:500:600",
		"'peer-mac 100:200:300:400:500:600': a MAC address is six pairs of hex digits");
	refused("xfwd tunnel add v1 type vxlan local 192.0.2.1 remote 192.0.2.2 vni 7 peer-mac -1:2:3:4:5:6",
		"a MAC address is six pairs of hex digits");
	refused("xfwd tunnel add v1 type vxlan local 192.0.2.1 remote 192.0.2.2 vni 7 peer-mac 02:00:00:00:00:01:",
		"a MAC address is six pairs of hex digits");
	assert_int_equal(parse(&r, "xfwd tunnel add v1 type vxlan local 192.0.2.1 remote 192.0.2.2 vni 7 peer-mac 2:a:0B:00:00:ff"), 0);
	assert_memory_equal(r.tun.peer_mac, ((uint8_t[]){ 2, 0xa, 0xb, 0, 0, 0xff }), 6);
	refused("xfwd tunnel add g1 type gre local 192.0.2.1 remote 192.0.2.2 key 010",
		"'key 010': a leading 0 reads as octal elsewhere; write 10 (decimal) or 0x8 (hex)");
	assert_int_equal(parse(&r, "xfwd tunnel add g1 type gre local 192.0.2.1 remote 192.0.2.2 key 0x10"), 0);
	assert_int_equal(r.tun.key, 16);
	assert_int_equal(parse(&r, "xfwd tunnel add g1 type gre local 192.0.2.1 remote 192.0.2.2 key 0"), 0);
	refused("xfwd tunnel add t/1 type gre local 192.0.2.1 remote 192.0.2.2", "'t/1' is not an interface name");
	refused("xfwd tunnel add t:1 type gre local 192.0.2.1 remote 192.0.2.2", "'t:1' is not an interface name");
	refused("xfwd tunnel add .. type gre local 192.0.2.1 remote 192.0.2.2", "'..' is not an interface name");
	assert_int_equal(cli_parse(3, (char *[]){ "xfwd", "attach", "a b", NULL }, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'a b' is not an interface name"));
	refused("xfwd route add 10.1.0.0/16 via fd00::1 dev eth0",
		"'via fd00::1' is IPv6 but 10.1.0.0/16 is IPv4: a gateway is of the route's family");
	refused("xfwd route add fd00:1::/64 via 10.0.0.1 dev eth0", "is IPv4 but fd00:1::/64 is IPv6");
	memset(line, 'a', sizeof(line));
	memcpy(line, "xfwd --pin-root /", 17);
	strcpy(line + 300, " status");
	refused(line, "--pin-root: a path of at most 255 characters");
}

static void test_prefixes(void **s)
{
	struct xprefix p;
	struct xaddr a;
	char buf[64];

	(void)s;
	assert_int_equal(xprefix_parse("2001:db8::/32", &p, err, sizeof(err)), 0);
	assert_int_equal(p.addr.family, AF_INET6);
	assert_string_equal(xprefix_str(&p, buf), "2001:db8::/32");
	assert_int_not_equal(xprefix_parse("2001:db8::1/32", &p, err, sizeof(err)), 0);
	assert_int_not_equal(xprefix_parse("2001:db8::/129", &p, err, sizeof(err)), 0);
	assert_int_not_equal(xprefix_parse("10.0.0.0/", &p, err, sizeof(err)), 0);
	assert_int_not_equal(xprefix_parse("10.0.0.0/8x", &p, err, sizeof(err)), 0);
	assert_int_equal(xprefix_parse("10.0.0.0/8", &p, err, sizeof(err)), 0);
	assert_int_equal(xaddr_parse("10.255.1.1", &a), 0);
	assert_true(xprefix_contains(&p, &a));
	assert_int_equal(xaddr_parse("11.0.0.1", &a), 0);
	assert_false(xprefix_contains(&p, &a));
	assert_int_equal(xaddr_v4(&p.addr), 0x0a000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_global_options),
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_route_add),
		cmocka_unit_test(test_route_ecmp_limit),
		cmocka_unit_test(test_route_get),
		cmocka_unit_test(test_other_objects),
		cmocka_unit_test(test_tunnels),
		cmocka_unit_test(test_ipsec),
		cmocka_unit_test(test_ipsec_rekey),
		cmocka_unit_test(test_tunnel_probes),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_strict_values),
		cmocka_unit_test(test_urpf),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
