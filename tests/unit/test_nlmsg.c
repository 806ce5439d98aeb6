// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's parsers for links, addresses, SAs, error acks and datagram
 * framing (loader/core/nlmsg.c), on messages captured from a real kernel
 * (tests/fuzz/seeds/, python3 tests/fuzz/capture-seeds.py) and on the
 * inputs the fuzzers found.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "loader/core/nlmsg.h"

/* A seed file, 8-byte aligned, after pad bytes of offset. */
static struct nlmsghdr *seed(const char *name, size_t pad, size_t *len)
{
	static uint64_t buf[8192];
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "tests/fuzz/seeds/%s", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s: run the unit tests from the checkout's top", path);
	memset(buf, 0, sizeof(buf));
	*len = fread((char *)buf + pad, 1, sizeof(buf) - pad, f);
	fclose(f);
	return (void *)((char *)buf + pad);
}

static void test_link(void **s)
{
	struct link_info li;
	size_t n;
	struct nlmsghdr *nlh = seed("netlink/link_1.bin", 0, &n);

	(void)s;
	assert_int_equal(rtnl_link_parse(nlh, &li), 0);
	assert_int_equal(li.ifindex, 1);
	assert_string_equal(li.name, "lo");
	assert_true(li.up);
	assert_int_equal(li.mtu, 65536);
	nlh->nlmsg_type = RTM_DELLINK; /* a deleted link is down */
	assert_int_equal(rtnl_link_parse(nlh, &li), 0);
	assert_false(li.up || li.carrier);
	nlh = seed("netlink/link_6.bin", 0, &n);
	assert_int_equal(rtnl_link_parse(nlh, &li), 0);
	assert_string_equal(li.name, "vx0");
	assert_false(li.is_vlan);
	assert_int_equal(li.vlan, 0); /* IFLA_VXLAN_ID shares IFLA_VLAN_ID's number */
	nlh->nlmsg_len = 20; /* shorter than an ifinfomsg */
	assert_int_equal(rtnl_link_parse(nlh, &li), -EBADMSG);
}

static void test_addr(void **s)
{
	struct addr_event e;
	struct nlattr *a;
	size_t n;
	struct nlmsghdr *nlh;
	int seen = 0;

	(void)s;
	for (int i = 0; i < 5; i++) {
		char name[32];

		snprintf(name, sizeof(name), "netlink/addr_%d.bin", i);
		nlh = seed(name, 0, &n);
		assert_int_equal(rtnl_addr_parse(nlh, &e), 0);
		if (e.local.family == AF_INET && e.address.family == AF_INET &&
		    memcmp(e.local.bytes, e.address.bytes, 4)) /* 10.2.0.1 peer 10.2.0.2 */
			seen |= 1;
		if (e.address.family == AF_INET6 && e.scope == RT_SCOPE_UNIVERSE)
			seen |= 2;
	}
	assert_int_equal(seen, 3);
	/* An IFA_LOCAL of 2 bytes in an IPv4 message: the loader once copied
	 * 4 bytes from it. */
	nlh = seed("netlink/addr_0.bin", 0, &n);
	mnl_attr_for_each(a, nlh, sizeof(struct ifaddrmsg))
		if (mnl_attr_get_type(a) == IFA_LOCAL || mnl_attr_get_type(a) == IFA_ADDRESS)
			a->nla_len = 6;
	assert_int_equal(rtnl_addr_parse(nlh, &e), -1);
}

static void test_ack(void **s)
{
	const char *files[] = { "netlink/ack_extack.bin", "netlink/ack_extack_full.bin" };
	char msg[64];
	int error;
	size_t n;
	struct nlmsghdr *nlh;

	(void)s;
	for (int i = 0; i < 2; i++) { /* the request capped, and echoed whole */
		nlh = seed(files[i], 0, &n);
		assert_int_equal(nl_ack_parse(nlh, &error, msg, sizeof(msg)), 0);
		assert_int_equal(error, -ENETUNREACH);
		assert_string_equal(msg, "Nexthop has invalid gateway");
	}
	nlh = seed("netlink/ack_ok.bin", 0, &n);
	assert_int_equal(nl_ack_parse(nlh, &error, msg, sizeof(msg)), 0);
	assert_int_equal(error, 0);
	assert_string_equal(msg, "");
	nlh = seed("netlink/ack_extack_full.bin", 0, &n);
	((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->msg.nlmsg_len = 0xfffffff0; /* an echo past the end */
	assert_int_equal(nl_ack_parse(nlh, &error, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	nlh->nlmsg_len = 24; /* no room for the error */
	assert_int_equal(nl_ack_parse(nlh, &error, msg, sizeof(msg)), -EBADMSG);
}

/* fuzz_xfrm's first find: an SA 4 bytes past an 8-byte boundary (where a
 * dump's second message can lie) holds 64-bit counters. */
static void test_sa(void **s)
{
	struct sa_msg m;
	size_t n;
	struct nlmsghdr *nlh = seed("xfrm/sa4.bin", 4, &n);
	struct nlattr *a;

	(void)s;
	assert_int_equal(xfrm_sa_parse(nlh, &m), 0);
	assert_int_equal(ntohl(m.info.id.spi), 0x100);
	assert_int_equal(m.if_id, 7);
	assert_int_equal(m.info.curlft.packets, 123456);
	assert_int_equal(m.aead_key_len, 20);
	assert_int_equal(m.aead_key[0], 1);
	mnl_attr_for_each(a, nlh, sizeof(struct xfrm_usersa_info))
		if (mnl_attr_get_type(a) == XFRMA_ALG_AEAD) /* a key longer than its attribute */
			((struct xfrm_algo_aead *)mnl_attr_get_payload(a))->alg_key_len = 21 * 8;
	assert_int_equal(xfrm_sa_parse(nlh, &m), -1);
}

/* fuzz_netlink's first find: a header claiming 0xffff0158 bytes passes
 * libmnl's walk (it compares as an int) and moves it outside the buffer. */
static void test_datagram(void **s)
{
	size_t n;
	struct nlmsghdr *nlh = seed("netlink/rt_via.bin", 0, &n);
	struct nlmsghdr *second = (void *)((char *)nlh + MNL_ALIGN(n));

	(void)s;
	assert_true(nl_datagram_ok(nlh, n));
	memcpy(second, nlh, n);
	assert_true(nl_datagram_ok(nlh, 2 * MNL_ALIGN(n)));
	second->nlmsg_len = 0xffff0158;
	assert_false(nl_datagram_ok(nlh, 2 * MNL_ALIGN(n)));
	second->nlmsg_len = 8;
	assert_false(nl_datagram_ok(nlh, 2 * MNL_ALIGN(n)));
	nlh->nlmsg_len = (uint32_t)n + 1;
	assert_false(nl_datagram_ok(nlh, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_sa),
		cmocka_unit_test(test_datagram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
